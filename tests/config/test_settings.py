"""Settings come from the environment: embedded defaults, switches, and a deployable production mode."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'broker': s.CELERY_BROKER_URL, "
    "'backend': s.CELERY_RESULT_BACKEND, 'debug': s.DEBUG, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, "
    "'use_tz': s.USE_TZ}))"
)
APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "VAR_DIR")


def _run(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path / "var")} | env
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_embedded_defaults_need_no_server(tmp_path):
    result = _run(["-c", PROBE], tmp_path)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["db"] == "django.db.backends.sqlite3"
    assert probe["broker"] == "filesystem://"
    assert probe["backend"].startswith("file://")
    assert (probe["tz"], probe["lang"], probe["use_tz"]) == ("Asia/Seoul", "ko", True)
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
    assert (tmp_path / "var" / "celery" / "control").is_dir()  # kombu's own default is ./control, in the checkout


def test_urls_switch_to_postgres_and_redis(tmp_path):
    result = _run(["-c", PROBE], tmp_path, DATABASE_URL="postgres://u@db:5432/x", REDIS_URL="redis://r:6379/0")
    probe = json.loads(result.stdout)
    assert probe["db"] == "django.db.backends.postgresql"
    assert probe["broker"] == probe["backend"] == "redis://r:6379/0"


def test_debug_off_requires_a_secret_key(tmp_path):
    result = _run(["-c", PROBE], tmp_path, DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="False",
        SECRET_KEY="x7#kq" * 12,
        ALLOWED_HOSTS="platform.example.kr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


COOKIES = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE')}))"
)


def test_production_cookies_are_secure_httponly_and_same_site(tmp_path):
    result = _run(
        ["-c", COOKIES], tmp_path, DEBUG="False", SECRET_KEY="x7#kq" * 12, ALLOWED_HOSTS="platform.example.kr"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
    }


def test_throttle_rates_come_from_the_environment(tmp_path):
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.API_THROTTLE_ANON, s.API_THROTTLE_USER, s.LOGIN_MAX_FAILURES]))"
    )
    assert json.loads(_run(["-c", probe], tmp_path).stdout) == ["60/min", "600/min", 5]
    lifted = _run(
        ["-c", probe], tmp_path, API_THROTTLE_ANON="off", API_THROTTLE_USER="100000/min", LOGIN_MAX_FAILURES="50"
    )
    assert json.loads(lifted.stdout) == ["off", "100000/min", 50]


def test_every_beat_entry_names_a_registered_task():
    """A typo in a beat entry's task name would only show as a KeyError in the beat's log."""
    from django.conf import settings

    from config.celery_app import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names <= set(app.tasks), names - set(app.tasks)
    assert {"budget.tend_imports", "stages.resend_unverified_nominations"} <= names
