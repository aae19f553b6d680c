import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "${{ values.name | replace('-', '_') }}"


def run_settings(env_overrides):
    """Imports the settings in a fresh interpreter and prints what we check."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    code = (
        f"import {PACKAGE}.settings as s; "
        "print(s.DEBUG); print(','.join(s.ALLOWED_HOSTS))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_debug_is_off_by_default():
    result = run_settings({"DJANGO_SECRET_KEY": "x"})
    assert result.returncode == 0, result.stderr
    debug, hosts = result.stdout.splitlines()
    assert debug == "False"
    assert "${{ values.name }}.${{ values.namespace }}.svc.cluster.local" in hosts.split(",")
    assert "localhost" not in hosts.split(",")


def test_secret_key_is_required_without_debug():
    result = run_settings({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_has_a_dev_key_and_localhost():
    result = run_settings({"DJANGO_DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    debug, hosts = result.stdout.splitlines()
    assert debug == "True"
    assert "localhost" in hosts.split(",")


def test_allowed_hosts_come_from_the_environment():
    result = run_settings(
        {"DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "a.example, b.example"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "a.example,b.example"


def test_gunicorn_binds_port_from_env(monkeypatch):
    monkeypatch.setenv("PORT", "9123")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "0.0.0.0:9123"
    monkeypatch.delenv("PORT")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:${{ values.port }}"
    # Finishes in-flight requests well inside Kubernetes' 30 s grace period.
    assert conf["graceful_timeout"] < 30
