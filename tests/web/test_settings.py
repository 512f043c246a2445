import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEALERLMS_ENV="production",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-value-xyz",
        ALLOWED_HOSTS="crm.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEALERLMS_ENV="production", SECRET_KEY="", ALLOWED_HOSTS="crm.example")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
