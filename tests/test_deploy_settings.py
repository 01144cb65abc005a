import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_variables():
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process; a deployment must not
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "p8#vZk2!qL0s@X9m$Wd4^rT7&yB1nC6*eF3hJ5(uA8)gK2-oI9+lM0=zQ4_wE7xR",
        "ALLOWED_HOSTS": "tdkt.example.vn",
        "SITE_URL": "https://tdkt.example.vn",
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    result = _check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    # the links in e-mails: the local default, or plain HTTP, is reported
    for site_url, warning in (("", "approvals.W001"), ("http://tdkt.example.vn", "approvals.W002")):
        result = _check_deploy({**env, "SITE_URL": site_url})
        assert result.returncode != 0
        assert warning in result.stderr + result.stdout


def _check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={k: v for k, v in env.items() if v},  # an empty value: the variable unset
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
