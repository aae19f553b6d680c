#!/usr/bin/env bash
# Installs the Debian packages the test suites use when they are missing:
# chromium (Playwright drives Debian's browser; no browser is downloaded),
# awscli and gh (the sandbox's contract tests drive the real CLIs),
# python3-django/pytest/flake8/gunicorn (the Python skeleton's own tests),
# postgresql (the production-config test starts its own server), and Go
# with sprig, sigs.k8s.io/yaml and gojsonschema (scripts/helm-template
# renders the charts with Helm's template language; Helm itself cannot be
# installed here), and redis-server (the two-replica test shares one cache,
# as production replicas share ElastiCache).
# Only root can install; anyone else gets the apt-get line to run.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v aws >/dev/null 2>&1 || missing+=(awscli)
command -v gh >/dev/null 2>&1 || missing+=(gh)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# The Python skeleton's own tests and linter run with Debian's Django stack.
for pkg in python3-django python3-pytest python3-flake8 python3-gunicorn; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
for pkg in golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-github-xeipuuv-gojsonschema-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "[slipway] missing Debian packages: ${missing[*]}" >&2
  echo "[slipway] run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "[slipway] installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start servers of their own (PostgreSQL on :5432,
# Redis on :6379); the tests start their own on free ports and never use them.
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
  service redis-server stop >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
  for c in /etc/postgresql/*/main; do
    [[ -d "$c" ]] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop 2>/dev/null || true
  done
fi
