"""Settings for both ways of running the studio, chosen by environment variables.

Embedded (default, no variables set): SQLite, local media files, in-memory channel layer and an
in-process Celery worker on an in-memory broker. Distributed: DATABASE_URL (Postgres), REDIS_URL
(channel layer and Celery broker), S3_BUCKET (+ endpoint and keys) for object storage, and
separate worker processes. STUDIO_ENV=production turns on the deployment hardening that
`manage.py check --deploy` asks for. docs/architecture.md lists every variable.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("STUDIO_DATA_DIR", BASE_DIR / ".data"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("STUDIO_ENV", "development") == "production"
DEBUG = env_bool("STUDIO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = os.environ["STUDIO_SECRET_KEY"]  # refuse to start in production without one
else:
    SECRET_KEY = os.environ.get("STUDIO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

ALLOWED_HOSTS = env_list("STUDIO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("STUDIO_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "daphne",  # must precede staticfiles so `runserver` is the ASGI one
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here, not from a CDN
    "channels",
    "apps.projects",
    "apps.changes",
    "apps.crew",
    "apps.boards",
    "apps.assets",
    "apps.renders",
    "apps.rooms",
    "apps.review",
    "apps.scripts",
    "apps.editorial",
    "apps.web",
]

MIDDLEWARE = [
    "studio.middleware.TrustedProxyMiddleware",  # first: everything after sees the real client
    "studio.middleware.ApiErrorsAsJsonMiddleware",  # outside the rest: sees every error page
    "studio.middleware.SecurityHeadersMiddleware",
    "studio.middleware.JsonGZipMiddleware",  # before the rest: compresses what they answer
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "studio.urls"
ASGI_APPLICATION = "studio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'studio.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its folder
    # The embedded studio has a web server, a worker thread and sockets writing at once:
    # WAL plus a busy timeout lets readers and the single writer coexist instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Browser tests run the studio in a second process, so the test database must be a file.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-studio-{os.getpid()}.sqlite3")}
else:
    # One test database per test run, so two runs on one machine (a developer's and CI's, or
    # two suites at once) never drop each other's database. Subprocesses that tests start are
    # handed the database's real name, not this rule.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (the Vite build lands in static/app) -------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
if PRODUCTION:
    STATIC_ROOT = Path(os.environ.get("STUDIO_STATIC_ROOT", BASE_DIR / "collected-static"))  # filled by collectstatic in the image
else:
    STATIC_ROOT = None
    WHITENOISE_USE_FINDERS = True  # serve static/ straight from the tree, rebuilt by Vite

# --- Object storage ---------------------------------------------------------------------------
S3_BUCKET = os.environ.get("S3_BUCKET", "")
MEDIA_ROOT = Path(os.environ.get("STUDIO_MEDIA_ROOT", DATA_DIR / "media"))
# Where browsers reach the bucket when it differs from S3_ENDPOINT_URL (e.g. minio:9000 inside
# compose, https://media.example.com outside): presigned URLs are signed for this host.
S3_PUBLIC_ENDPOINT_URL = os.environ.get("S3_PUBLIC_ENDPOINT_URL", "")
MEDIA_URL_EXPIRY_SECONDS = int(os.environ.get("S3_URL_EXPIRY_SECONDS", "300"))
if S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "querystring_auth": True,  # the browser gets short-lived presigned URLs
            "querystring_expire": MEDIA_URL_EXPIRY_SECONDS,
            "file_overwrite": True,  # keys are content hashes: same key, same bytes
            "default_acl": None,
        },
    }
else:
    MEDIA_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": MEDIA_STORAGE,
    "media": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Upload limits: checked on bytes and on decoded pixels, so a decompression bomb is refused.
UPLOAD_MAX_BYTES = int(os.environ.get("STUDIO_UPLOAD_MAX_BYTES", 25 * 1024 * 1024))
UPLOAD_MAX_PIXELS = int(os.environ.get("STUDIO_UPLOAD_MAX_PIXELS", 8192 * 8192))
# A JSON body (and a form's fields, files apart) is at most this big; bigger bodies get 413
# before they are read (studio.middleware.RequestSizeLimit), uploads at most UPLOAD_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("STUDIO_BODY_MAX_BYTES", 2 * 1024 * 1024))
# Uploads bigger than this go to a temporary file instead of memory while they are checked.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Channels -------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # The pub/sub layer publishes a room broadcast once per server process (the core layer
    # writes one list entry per socket), which keeps latency flat as rooms grow.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # A room hub's channel carries its whole room (apps/rooms/hub.py), and a big write (an
    # import) records hundreds of changes at once: room for them, rather than dropping and
    # leaving the clients to catch up.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 2000}}}

# The cache counts wrong share-link guesses per address; with several web processes they must
# share it (Redis), or each process would give a guesser its own budget.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "studio"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Guess limits (apps/projects/limits.py: django-ratelimit, counted in the cache above) ------
# Wrong tokens or passphrases allowed per address per window before every share request from
# it is refused with 429 (a guest who already joined a live link is never refused).
SHARE_GUESS_LIMIT = int(os.environ.get("STUDIO_SHARE_GUESS_LIMIT", "20"))
SHARE_GUESS_WINDOW_S = int(os.environ.get("STUDIO_SHARE_GUESS_WINDOW_S", "600"))
# Wrong passphrases allowed per link, from any number of addresses, before the link refuses new
# joins for a short while (guests who already joined keep watching).
SHARE_LINK_GUESS_LIMIT = int(os.environ.get("STUDIO_SHARE_LINK_GUESS_LIMIT", "10"))
SHARE_LINK_LOCK_S = int(os.environ.get("STUDIO_SHARE_LINK_LOCK_S", "300"))
# Wrong passwords (session sign-in and token creation) allowed per address, and per login name,
# per window.
LOGIN_GUESS_LIMIT = int(os.environ.get("STUDIO_LOGIN_GUESS_LIMIT", "10"))
LOGIN_GUESS_WINDOW_S = int(os.environ.get("STUDIO_LOGIN_GUESS_WINDOW_S", "300"))
# Invite tokens are guessed against the same budget as passwords (apps/crew: wrong tokens count
# per address, LOGIN_GUESS_LIMIT per LOGIN_GUESS_WINDOW_S). Password-reset requests send mail,
# so every request counts, per address and per address asked about.
PASSWORD_RESET_LIMIT = int(os.environ.get("STUDIO_PASSWORD_RESET_LIMIT", "5"))
PASSWORD_RESET_WINDOW_S = int(os.environ.get("STUDIO_PASSWORD_RESET_WINDOW_S", "900"))
# Addresses (or networks, like 10.0.0.0/8) of the reverse proxies in front of Daphne. Only a
# request from one of them may say, in X-Forwarded-For / X-Forwarded-Proto, who the client is
# and whether it came over HTTPS; from anyone else those headers are ignored, or a guesser could
# give a new address with every request. Empty: the studio is reached directly.
TRUSTED_PROXIES = env_list("STUDIO_TRUSTED_PROXIES", "")

# --- Celery (queues and routes live in studio/celery.py) -----------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "memory://"
# Job state lives in RenderJob rows, so Celery keeps no results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# True when this process runs the worker itself (embedded mode; see apps/renders/embedded.py).
STUDIO_EMBEDDED_WORKER = env_bool("STUDIO_EMBEDDED_WORKER", default=CELERY_BROKER_URL == "memory://")
# A RenderJob whose worker has not reported for this long is considered lost and is re-queued.
RENDER_JOB_STALE_SECONDS = int(os.environ.get("RENDER_JOB_STALE_SECONDS", "120"))
RENDER_JOB_MAX_ATTEMPTS = int(os.environ.get("RENDER_JOB_MAX_ATTEMPTS", "3"))
# Longest job we expect (a long diffusion clip); the broker must not redeliver before it ends.
RENDER_JOB_MAX_SECONDS = int(os.environ.get("RENDER_JOB_MAX_SECONDS", 2 * 3600))

# Diffusion weights: a local diffusers-format directory (never downloaded at run time).
STUDIO_DIFFUSION_MODEL_PATH = os.environ.get("STUDIO_DIFFUSION_MODEL_PATH", "")
STUDIO_DIFFUSION_CONTROLNET_PATH = os.environ.get("STUDIO_DIFFUSION_CONTROLNET_PATH", "")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "studio.openapi.StudioAutoSchema",  # documents each operation's error answers
    "DEFAULT_PAGINATION_CLASS": None,
    "DEFAULT_PARSER_CLASSES": [
        "apps.projects.parsers.JSONParser",  # a body nested too deep is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "apps.projects.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Previs Studio API",
    "DESCRIPTION": "Projects, scenes, shots, panels, the project library, assets and render jobs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The room protocol's messages join the schema, so the browser's socket types are generated too.
    # The last hook turns the JSON Schema that pydantic writes into valid OpenAPI 3.0.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.rooms.protocol.add_to_openapi",
        "apps.review.protocol.add_to_openapi",
        "apps.renders.events.add_to_openapi",
        "apps.web.openapi.add_to_openapi",
        "studio.openapi.as_openapi_3_0",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ShotSizeEnum": "previs.vocabulary.SHOT_SIZES",
        "CameraAngleEnum": "previs.vocabulary.CAMERA_ANGLES",
        "CameraMoveEnum": "previs.vocabulary.CAMERA_MOVES",
        "ShotStatusEnum": "previs.vocabulary.SHOT_STATUSES",
        "AssetKindEnum": "apps.assets.models.Asset.KINDS",
        "RenderKindEnum": "apps.renders.models.RenderJob.KINDS",
        "ExportKindEnum": "apps.editorial.models.Export.KINDS",
        # Render jobs and exports share one life cycle (queued → running → done, cancellable).
        "JobStatusEnum": "apps.renders.models.RenderJob.STATUSES",
        "ScriptElementKindEnum": "apps.scripts.models.ELEMENT_KINDS",
    },
}

LOGIN_URL = "/login/"

# --- Email (invites, password resets) -------------------------------------------------------
# Embedded default: each message is written as a file under .data/mail/ (one .log per message),
# so a studio with no mail server still hands out its invite and reset links. A deployment
# sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* below.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Previs Studio <studio@localhost>")
# How long an invite link works.
INVITE_VALID_DAYS = int(os.environ.get("STUDIO_INVITE_VALID_DAYS", "7"))
# Where people open the studio, for the links in emails ("https://studio.example.com"). Empty:
# taken from the request that asked for the email.
STUDIO_PUBLIC_URL = os.environ.get("STUDIO_PUBLIC_URL", "").rstrip("/")

# --- Security headers -----------------------------------------------------------------------
# The browser app is a Vite build: its scripts are files of this origin, never inline. Its
# sockets are ws(s): to this host; pictures and clips may come from the bucket (presigned URLs).
# Styles allow inline because the API docs (Swagger UI, Redoc) and the admin set style
# attributes; scripts, which is what an injection would need, do not.
_MEDIA_ORIGINS = " ".join(filter(None, [S3_PUBLIC_ENDPOINT_URL.rstrip("/") if S3_BUCKET else ""]))
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {_MEDIA_ORIGINS}".strip(),
        f"media-src 'self' blob: {_MEDIA_ORIGINS}".strip(),
        "connect-src 'self' ws: wss:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"  # a share link's token never leaves in a Referer
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STUDIO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Production hardening (what `check --deploy` asks for) --------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("STUDIO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("STUDIO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
