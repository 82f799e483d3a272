"""Production settings pass Django's deployment checklist; migrations match the models."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env_extra=None, tmp_path=None):
    # The defaults are under test: none of the portal's own variables leak in from the caller (or CI).
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}  # fmt: skip
    env.update(env_extra or {})
    if tmp_path is not None:
        env["DJANGO_VAR_DIR"] = str(tmp_path)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "test-only-" + "k3y-with-enough-entropy-for-the-deploy-check-x9q2w7e4r1t8y5u0",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
}


def test_production_settings_pass_check_deploy(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env_extra=env, tmp_path=tmp_path)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    result = _manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER)", tmp_path=tmp_path)  # fmt: skip
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_embedded_mode_keeps_a_generated_secret_key(tmp_path):
    _manage("check", tmp_path=tmp_path)
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    _manage("check", tmp_path=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


@pytest.mark.django_db
def test_migrations_match_the_models():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
