"""One settings module, driven by the environment.

With no variables set the platform runs on embedded defaults (SQLite and a
filesystem Celery broker under var/); DATABASE_URL and REDIS_URL switch to
PostgreSQL and Redis. See README.md for every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_config.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "audit",
    "consortium",
    "evaluation",
    "leaderboards",
    "stages",
    "datasets_registry",
    "originality",
    "budget",
    "arena",
    "notifications",
    "governance",
]

MIDDLEWARE = [
    "core.middleware.ApiJsonErrorsMiddleware",  # outermost: every /api/ error is JSON, DEBUG or not
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.microcache.PublicMicrocacheMiddleware",  # before sessions: it answers anonymous repeats alone
    "leaderboards.fast_path.SignedInLeaderboardCacheMiddleware",  # signed-in repeats: one statement (#18)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.KoreanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
            "builtins": ["core.templatetags.krw"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker share one file: wait for locks,
    # take the write lock up front, and let readers run beside a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a kept connection that died is replaced, not used
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: "default" holds computed leaderboard tables (keyed by their inputs' fingerprint, never
# stale), sign-in failure and API throttle counts; per process unless CACHE_URL names a shared one
# (e.g. redis://host:6379/1, as docker-compose.yml does, so every web process counts together).
# "microcache" is the public pages' few-second cache (core.microcache), always per process.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://default"),
    "microcache": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "microcache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
PUBLIC_MICROCACHE_SECONDS = env.int("PUBLIC_MICROCACHE_SECONDS", default=5)
# Signed-in leaderboard repeats answered after one statement that re-reads the credentials, the
# rights and the table's inputs (leaderboards/fast_path.py); never cached by time.
SIGNED_IN_FAST_PATH = env.bool("SIGNED_IN_FAST_PATH", default=True)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "overview"

# Korean first; English for foreign reviewers. Stored in UTC, shown in Seoul time.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Per-sample and harness logs of evaluation runs, readable from every host (evaluation/artefacts.py):
    # PostgreSQL by default, S3-compatible object storage when ARTEFACT_S3_BUCKET is set (`pip install .[s3]`).
    "artefacts": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("ARTEFACT_S3_BUCKET"),
            "endpoint_url": env("ARTEFACT_S3_ENDPOINT_URL", default=None),
            "location": env("ARTEFACT_S3_PREFIX", default="artefacts"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if env("ARTEFACT_S3_BUCKET", default="")
    else {"BACKEND": "evaluation.artefacts.DatabaseStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Production hardening: everything `manage.py check --deploy` asks for.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True  # pages post forms with {% csrf_token %}; no script reads the cookie
# Cookies never go with a request another site starts (a link followed still signs in).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Request and upload sizes. Form and JSON bodies (a provider's usage report) up to 10 MB; files
# above 2.5 MB stream to a temporary file; each upload also has its own limit, checked with a
# translated error (core/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
BUDGET_USAGE_FILE_MAX_BYTES = env.int("BUDGET_USAGE_FILE_MAX_BYTES", default=200 * 1024 * 1024)
STAGE_USER_SCORES_MAX_BYTES = env.int("STAGE_USER_SCORES_MAX_BYTES", default=5 * 1024 * 1024)
# A team lead may object to a finalised stage result for this many days after finalisation (governance).
STAGE_OBJECTION_WINDOW_DAYS = env.int("STAGE_OBJECTION_WINDOW_DAYS", default=7)
# The audit chain's head digest is written here daily (audit.tasks.export_head; `manage.py
# export_audit_head`), one file per export, for a copy kept outside the platform. Empty: table only.
AUDIT_HEAD_EXPORT_DIR = env("AUDIT_HEAD_EXPORT_DIR", default=str(VAR_DIR / "audit-heads"))
# The audit page shows this many events per page.
AUDIT_PAGE_SIZE = env.int("AUDIT_PAGE_SIZE", default=50)

# Throttling, counted in the "default" cache (see CACHE_URL above). Rates as DRF writes them
# ("60/min"); "off" lifts one (the load benchmark does). Sign-in: LOGIN_MAX_FAILURES failed attempts
# per username and address within LOGIN_FAILURE_WINDOW_S lock that pair until the window ends.
API_THROTTLE_ANON = env("API_THROTTLE_ANON", default="60/min")
API_THROTTLE_USER = env("API_THROTTLE_USER", default="600/min")
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_FAILURE_WINDOW_S = env.int("LOGIN_FAILURE_WINDOW_S", default=15 * 60)
# Both count per client address: the peer's, or behind TRUSTED_PROXIES reverse proxies (docker-compose
# expects one) the address in X-Forwarded-For the outermost proxy added (core.client_address).
# Left at 0 behind a proxy, every visitor would share the proxy's address and its limits.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
AUTHENTICATION_BACKENDS = ["accounts.backends.LimitedModelBackend"]

# --- #18: people, tokens, sessions ---
# Within a member organisation a person holds a team role (lead, submitter, viewer; accounts.TeamRole).
# One with no role of their own gets this: "viewer" (the organisation's membership lets them read the
# team's private records) or "none" (nothing until a lead or an admin grants a role).
TEAM_MEMBER_DEFAULT_ROLE = env("TEAM_MEMBER_DEFAULT_ROLE", default="viewer")
if TEAM_MEMBER_DEFAULT_ROLE not in ("viewer", "none"):
    raise ImproperlyConfigured('TEAM_MEMBER_DEFAULT_ROLE must be "viewer" or "none".')
# Personal API tokens (accounts.ApiToken): a new token lives API_TOKEN_DEFAULT_DAYS unless its owner
# picks fewer, never more than API_TOKEN_MAX_DAYS; /api/auth/token/ makes one of API_TOKEN_SIGN_IN_DAYS.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_TOKEN_SIGN_IN_DAYS = env.int("API_TOKEN_SIGN_IN_DAYS", default=30)
# Sessions in accounts.UserSession (a person's sessions can be listed and ended; accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
# Password reset links (Django's signed tokens) work this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes DRF answer 401 to a request without (or with
    # invalid or deactivated) credentials, and 403 only to a signed-in caller who lacks the right.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",  # personal tokens: hashed, expiring, revocable
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ActionPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PlatformAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.AnonThrottle", "core.api.throttling.UserThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sovereign AI Foundation Model Programme API",
    "DESCRIPTION": "Registry, compute budget, shared data and stage evaluations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get components of their own (`GrantRequest`): what a request must hold (non-blank
    # strings, ids, no read-only fields) is not what an answer holds (core.api.schema).
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "TeamStatusEnum": "consortium.models.TeamStatus",
        "CheckpointStatusEnum": "evaluation.models.CheckpointStatus",
        "RunStatusEnum": "evaluation.models.RunStatus",
        "LicenceTermStatusEnum": "datasets_registry.models.TermStatus",
        "DataProviderKindEnum": "datasets_registry.models.ProviderKind",
        "PurchaseKindEnum": "datasets_registry.models.PurchaseKind",
        "OriginalityStatusEnum": "originality.models.ReportStatus",
        "VerdictEnum": "originality.models.Verdict",  # as before the arena's verdicts came
        "ArenaVerdictEnum": "arena.models.Verdict",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport
# so that `make run` needs no server at all.
REDIS_URL = env("REDIS_URL", default="")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # The reaper re-queues runs whose worker vanished; Redis's own redelivery of
    # an unacknowledged message must not come sooner than a long run ends.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 24 * 60 * 60}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_FILESYSTEM_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),  # kombu's default is ./control
        "store_processed": False,
    }
    for folder in ("queue", "processed", "results", "control"):
        (CELERY_FILESYSTEM_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {
    "reap-stale-runs": {
        "task": "evaluation.reap_stale_runs",
        "schedule": env.int("EVAL_REAPER_INTERVAL_S", default=30),
    },
    "freeze-due-stages": {"task": "stages.freeze_due_stages", "schedule": 60},
    "resend-stale-originality-checks": {"task": "originality.resend_stale_checks", "schedule": 600},
    "tend-usage-imports": {"task": "budget.tend_imports", "schedule": 300},
    "resend-unverified-nominations": {"task": "stages.resend_unverified_nominations", "schedule": 300},
    "purge-idempotency-keys": {"task": "core.purge_idempotency_keys", "schedule": 3600},
    "tend-arena-generation": {"task": "arena.tend_generation", "schedule": 300},
    "remind-nomination-deadlines": {"task": "stages.remind_nomination_deadlines", "schedule": 600},
    "resend-notification-emails": {"task": "notifications.resend_emails", "schedule": 600},
    "export-audit-head": {"task": "audit.export_head", "schedule": crontab(minute=5, hour=0)},  # daily, 00:05 KST
}
CELERY_TIMEZONE = TIME_ZONE

# Idempotency keys (core/idempotency.py): a write's answer is kept this long for retries with the
# same Idempotency-Key header (or form token); a second request waits this long for a first one
# still running under its key, then gets 409.
IDEMPOTENCY_KEY_TTL_S = env.int("IDEMPOTENCY_KEY_TTL_S", default=24 * 60 * 60)
IDEMPOTENCY_WAIT_S = env.float("IDEMPOTENCY_WAIT_S", default=30.0)

# Evaluation. Checkpoints are submitted as folders under CHECKPOINT_ROOT/<team-slug>/.
CHECKPOINT_ROOT = Path(env("CHECKPOINT_ROOT", default=str(VAR_DIR / "checkpoints")))
EVAL_RUNS_DIR = Path(env("EVAL_RUNS_DIR", default=str(VAR_DIR / "runs")))
EVAL_ALLOW_HUB = env.bool("EVAL_ALLOW_HUB", default=False)  # hf:// sources need a reachable model hub
EVAL_TIME_LIMIT_S = env.int("EVAL_TIME_LIMIT_S", default=3600)
EVAL_MAX_ATTEMPTS = env.int("EVAL_MAX_ATTEMPTS", default=3)
EVAL_HEARTBEAT_TIMEOUT_S = env.int("EVAL_HEARTBEAT_TIMEOUT_S", default=60)
EVAL_SUBMISSIONS_PER_WEEK = env.int("EVAL_SUBMISSIONS_PER_WEEK", default=5)
EVAL_TORCH_THREADS = env.int("EVAL_TORCH_THREADS", default=0)  # 0: all cores but one
EVAL_BATCH_SIZE = env.int("EVAL_BATCH_SIZE", default=16)
EVAL_WARM_WORKER = env.bool("EVAL_WARM_WORKER", default=True)
# A preview run scores the first N items of each task (at most this many): a quick look that
# never reaches a leaderboard, snapshot or stage, and does not count against the weekly limit.
EVAL_PREVIEW_MAX_ITEMS = env.int("EVAL_PREVIEW_MAX_ITEMS", default=50)
# GPU workers: runs go to the eval-gpu queue and use vllm (or hf on CUDA); see evaluation/gpu.py.
EVAL_USE_GPU = env.bool("EVAL_USE_GPU", default=False)
EVAL_GPU_BACKEND = env("EVAL_GPU_BACKEND", default="vllm")
EVAL_GPU_MEMORY_GIB = env.float("EVAL_GPU_MEMORY_GIB", default=80)
# Benchmark data snapshots (evaluation/benchmark_data.py): imported once, read-only for workers,
# shared by every host like the checkpoint root. Runs never fetch data from a hub.
BENCHMARK_DATA_ROOT = Path(env("BENCHMARK_DATA_ROOT", default=str(VAR_DIR / "benchmark-data")))
# Folders an admin may import from through a page or the API (the command takes any path).
BENCHMARK_IMPORT_ROOT = Path(env("BENCHMARK_IMPORT_ROOT", default=str(VAR_DIR / "benchmark-import")))
# Sharded runs (evaluation/sharding.py): a run is split into shards of about this many documents
# (whole subtasks packed together, a larger subtask cut into document ranges), which any free
# worker on the run's queue executes; a shard's results are kept as soon as it finishes.
EVAL_SHARD_DOCUMENTS = env.int("EVAL_SHARD_DOCUMENTS", default=2000)
# GPU slots (evaluation/gpu_slots.py): the GPUs of this host that runs may lease (0: count them).
EVAL_HOST_GPUS = env.int("EVAL_HOST_GPUS", default=0)
EVAL_GPU_LOCK_DIR = Path(env("EVAL_GPU_LOCK_DIR", default="/tmp/eval-gpu-slots"))
# Coding suites run model-written code in a bubblewrap sandbox (evaluation/sandbox/). A worker
# running as root hands the sandbox to this unprivileged uid (the kernel never limits root's
# processes); the interpreter inside defaults to the system's Python of this version.
EVAL_SANDBOX_TOOL = env("EVAL_SANDBOX_TOOL", default="bwrap")
EVAL_SANDBOX_UID = env.int("EVAL_SANDBOX_UID", default=65534)
EVAL_SANDBOX_PYTHON = env("EVAL_SANDBOX_PYTHON", default="")
EVAL_SANDBOX_SCRATCH = env("EVAL_SANDBOX_SCRATCH", default="")  # each sample's program folder; default: /tmp

# Originality (originality/compare.py). A tensor matches a reference tensor when the correlation
# of their sampled values reaches the threshold (or they are byte-identical); a checkpoint is
# "derived" when matched tensors hold this share of its weight matrices, "component reuse" below
# that. Measured separation (docs/performance.md): 20 independent inits vs a reference peak at
# 0.116; a fine-tuned copy's smallest is 0.94, copied components match exactly.
ORIGINALITY_SIMILARITY_THRESHOLD = env.float("ORIGINALITY_SIMILARITY_THRESHOLD", default=0.5)
ORIGINALITY_DERIVED_SHARE = env.float("ORIGINALITY_DERIVED_SHARE", default=0.5)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="platform@localhost")
# Notification emails (notifications/) link back here.
PLATFORM_BASE_URL = env("PLATFORM_BASE_URL", default="http://localhost:8000")
# Comparing two checkpoints (comparisons/): bootstrap resamples of the paired item differences.
COMPARISON_BOOTSTRAP_SAMPLES = env.int("COMPARISON_BOOTSTRAP_SAMPLES", default=2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# GPU compute budget (budget/). A GPU lessor that is a member of a team may not allocate its own
# GPUs to that team unless this is set (the programme's first period gave lessor teams none).
BUDGET_PROVIDER_MAY_SUPPLY_OWN_TEAM = env.bool("BUDGET_PROVIDER_MAY_SUPPLY_OWN_TEAM", default=False)
# Evaluation runs on GPU workers are charged at this provider's rate for this GPU type.
BUDGET_EVAL_PROVIDER = env("BUDGET_EVAL_PROVIDER", default="nhn-cloud")
BUDGET_EVAL_GPU_TYPE = env("BUDGET_EVAL_GPU_TYPE", default="h100")
BUDGET_ALERT_THRESHOLDS = (80, 95)
BUDGET_IMPORT_DIR = VAR_DIR / "budget-imports"
BUDGET_IMPORT_BATCH = env.int("BUDGET_IMPORT_BATCH", default=5000)
