#!/usr/bin/env bash
# Every test suite of the repo, in order, with one closing line
# `N passed, N failed` totalled over all of them. Run it through
# `./slipway test`, which puts the pinned Node on PATH and installs
# dependencies first.
#
# Suites: static checks (tsc, lint, prettier; one check each), the
# production build (`backstage-cli repo build --all`, what the README's
# `build:all` runs after tsc and what the portal's image copies; one
# check), Jest across every package (`backstage-cli repo test`, each test
# counted; builtBundle.test.ts boots that build), Playwright end-to-end in
# Debian's Chromium (each test counted).
#
# Options: --no-e2e skips Playwright (for a quick local loop; CI never passes it).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
YARN_JS="$ROOT/$(sed -n 's/^yarnPath: *//p' .yarnrc.yml)"
yarn_() { node "$YARN_JS" "$@"; }

RUN_E2E=1
for arg in "$@"; do
  case "$arg" in
    --no-e2e) RUN_E2E=0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

export CI="${CI:-true}"
OUT="$ROOT/node_modules/.cache/slipway-test"
rm -rf "$OUT" && mkdir -p "$OUT"

passed=0
failed=0
summary=()
record() { # name passed failed
  passed=$((passed + $2))
  failed=$((failed + $3))
  summary+=("$(printf '%-10s %4d passed, %d failed' "$1" "$2" "$3")")
}
section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

# What the suites need from the machine: Debian's chromium for Playwright
# and postgresql for the production-config test. Installed when missing and
# we are root (CI, a fresh machine); otherwise say what to install.
bash "$ROOT/scripts/system-deps.sh" || { record system-deps 0 1; }

check() { # name command...
  local name="$1"
  shift
  section "$name"
  if "$@"; then record "$name" 1 0; else record "$name" 0 1; fi
}

check tsc yarn_ tsc
check build yarn_ backstage-cli repo build --all
check lint yarn_ backstage-cli repo lint
check prettier yarn_ prettier --check .

section jest
yarn_ backstage-cli repo test --ci --json --outputFile="$OUT/jest.json"
jest_rc=$?
if [[ -f "$OUT/jest.json" ]]; then
  read -r jp jf < <(node -e '
    const r = require(process.argv[1]);
    // Suites that fail to load count as a failure of their own.
    const broken = r.testResults.filter(t => t.status === "failed" && t.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + broken);' "$OUT/jest.json")
  # A non-zero exit with no failed test (a crash, a coverage gate) still fails.
  if [[ $jest_rc -ne 0 && $jf -eq 0 ]]; then jf=1; fi
  record jest "$jp" "$jf"
else
  record jest 0 1
fi

if [[ $RUN_E2E == 1 ]]; then
  section playwright
  PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/playwright.json" yarn_ playwright test --reporter=list,json
  pw_rc=$?
  if [[ -f "$OUT/playwright.json" ]]; then
    read -r pp pf < <(node -e '
      const s = require(process.argv[1]).stats;
      console.log(s.expected + s.flaky, s.unexpected);' "$OUT/playwright.json")
    if [[ $pw_rc -ne 0 && $pf -eq 0 ]]; then pf=1; fi
    record playwright "$pp" "$pf"
  else
    record playwright 0 1
  fi
fi

section summary
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
