"""docker-compose.yml stays consistent with settings.py and the Celery queues.

No Docker here: the file is parsed and checked as data.
"""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from config.celery_app import QUEUES

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "worker-gpu", "beat")
LONG_RUNNING = ("web", "worker", "worker-gpu", "beat")
# Read by Django itself rather than by settings.py.
EXTRA_ALLOWED = {"DJANGO_SETTINGS_MODULE"}
# env("NAME", ...), env.bool("NAME", ...), env.int / env.list / env.db / ...
SETTINGS_ENV_RE = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


@pytest.fixture(scope="module")
def settings_env_names():
    names = set(SETTINGS_ENV_RE.findall((ROOT / "config" / "settings.py").read_text()))
    # Guard against the regex silently matching nothing.
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"} <= names
    return names


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):  # the ["NAME=value", ...] form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def argv(service):
    """The service's command; a script of this project (scripts/gpu_workers.sh) is read for the
    celery command line it starts."""
    command = service.get("command") or ""
    words = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    if words and words[0].startswith("scripts/"):
        script = (ROOT / words[0]).read_text()
        line = next(line for line in script.splitlines() if line.strip().startswith("celery "))
        return shlex.split(line.replace('"${LOG_LEVEL:-INFO}"', "INFO").replace('"gpu${slot}@%h"', "gpu@%h"))
    return words


def consumed_queues(service):
    words = argv(service)
    for i, word in enumerate(words):
        if word in ("-Q", "--queues") and i + 1 < len(words):
            return set(words[i + 1].split(","))
        if word.startswith("--queues="):
            return set(word.split("=", 1)[1].split(","))
    return set()


def test_all_services_exist(services):
    assert {"postgres", "redis", *APP_SERVICES} <= set(services)


def test_web_runs_gunicorn(services):
    command = " ".join(argv(services["web"]))
    assert "gunicorn config.wsgi:application" in command
    assert "/healthz" in " ".join(map(str, services["web"]["healthcheck"]["test"]))


def test_migrations_run_once_as_owner_then_grant_the_app_role(services):
    command = " ".join(argv(services["migrate"]))
    assert command.index("manage.py migrate") < command.index("manage.py grant_app_role platform_app")
    for name in LONG_RUNNING:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def _db_user(url):
    return url.split("://", 1)[1].split(":", 1)[0]


def test_app_connects_as_a_role_that_owns_no_table(services):
    """Audit rows stay append-only only if the app's role is neither owner nor superuser."""
    owner = services["postgres"]["environment"]["POSTGRES_USER"]
    assert _db_user(environment(services["migrate"])["DATABASE_URL"]) == owner
    for name in LONG_RUNNING:
        assert _db_user(environment(services[name])["DATABASE_URL"]) == "platform_app", name
    mounts = " ".join(services["postgres"]["volumes"])
    assert "docker-entrypoint-initdb.d" in mounts
    script = (ROOT / "deploy" / "postgres" / "create-app-role.sh").read_text()
    assert "CREATE ROLE platform_app" in script


def test_app_services_wait_for_healthy_database_and_broker(services):
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        for dependency in ("postgres", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_cpu_worker_consumes_cpu_queues_only(services):
    assert argv(services["worker"])[:4] == ["celery", "-A", "config", "worker"]
    queues = consumed_queues(services["worker"])
    assert "eval-cpu" in queues
    assert "eval-gpu" not in queues


def test_gpu_worker_consumes_gpu_queue_with_nvidia_reservation(services):
    worker = services["worker-gpu"]
    assert argv(worker)[:4] == ["celery", "-A", "config", "worker"]
    assert consumed_queues(worker) == {"eval-gpu"}
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert any(d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) for d in devices)


def test_worker_queues_are_declared_and_all_consumed(services):
    consumed = consumed_queues(services["worker"]) | consumed_queues(services["worker-gpu"])
    assert consumed <= set(QUEUES)
    assert set(QUEUES) <= consumed, "a declared queue has no worker"


def test_beat_runs_celery_beat(services):
    assert argv(services["beat"])[:4] == ["celery", "-A", "config", "beat"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_has_core_environment(services, name):
    env = environment(services[name])
    for variable in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"):
        assert env.get(variable), (name, variable)
    assert str(env["DEBUG"]).lower() in ("false", "0", "no", "off")
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_sets_only_variables_settings_reads(services, settings_env_names, name):
    unknown = set(environment(services[name])) - settings_env_names - EXTRA_ALLOWED
    assert not unknown, f"{name} sets variables config/settings.py never reads: {sorted(unknown)}"


def test_every_service_mounts_the_checkpoint_root_read_only(services):
    mounts = [
        (name, volume)
        for name, service in services.items()
        for volume in service.get("volumes", [])
        if re.search(r":/data/checkpoints(:|$)", str(volume))
    ]
    assert mounts, "no service mounts the checkpoint root"
    assert all(str(volume).endswith(":ro") for _name, volume in mounts), mounts
