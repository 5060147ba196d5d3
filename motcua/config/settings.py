"""Settings for motcua: one file, every value from an environment variable.

SQLite (a file in the data folder, WAL mode) is the embedded default; set
``DATABASE_URL=postgres://user@host:5432/name`` for PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext

from motcua.catalog.rules import WORKING_DAY_FIELDS
from motcua.config.env import env_bool, env_choice, env_int, env_list, env_str

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time (typing).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(env_str("MOTCUA_DATA_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("MOTCUA_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
    # Development/demo fallback only; production sets DJANGO_SECRET_KEY.
    SECRET_KEY = "motcua-insecure-development-key-change-me"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "motcua.core",
    "motcua.accounts",
    "motcua.audit",
    "motcua.agencies",
    "motcua.worktime",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.backoffice",
    "motcua.printing",
    "motcua.integrations",
    "motcua.portal",
    # Demo data and generated histories (nothing above imports it).
    "motcua.simulation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any view, after the user is known (the message page shows who is logged in).
    "motcua.core.middleware.RejectNulCharactersMiddleware",
    "motcua.backoffice.middleware.AdminSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock
        # at BEGIN so concurrent writers queue instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Persistent connections: without them each request pays a new PostgreSQL
    # backend, which costs several times the request itself.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
    # JIT compilation pays off for long analytical queries, not for our short OLTP ones
    # (it added up to a second to worklist counts on a million dossiers).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Prepared statements: parameters bound by the server, and psycopg prepares a statement
    # from its second run on a connection, so PostgreSQL plans it once per worker (planning
    # a dossier read cost more than running it). Off behind a pooler that cannot keep
    # prepared statements (ADR 0005).
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/dang-nhap/"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "motcua.accounts.passwords.MinimumLengthValidator"},  # in Vietnamese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "motcua",
    }
}
if env_str("REDIS_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL", ""),
    }

# --- Language and time ------------------------------------------------------------
# The UI speaks Vietnamese first; English is available (?lang / Accept-Language).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Day/month/year input in forms and the admin (motcua/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["motcua.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("MOTCUA_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("MOTCUA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- motcua ---------------------------------------------------------------------------
MOTCUA_PROVINCE_NAME = env_str("MOTCUA_PROVINCE_NAME", "An Giang")
# Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: use the
# connection's address). Used to rate-limit the public dossier lookup per client.
MOTCUA_TRUSTED_PROXIES = env_int("MOTCUA_TRUSTED_PROXIES", 0)
# Late dossiers (docs "Late dossiers"; provincial decisions under Decree 118/2025/NĐ-CP,
# same rule as Decree 107/2021) [article number unverified, hence settings]: the deciding
# agency sends the apology with the reason and a new date (form 04 of Circular
# 03/2025/TT-VPCP) at least this many working hours before the deadline (default 8: one
# working day), and the new appointment is made only once.
MOTCUA_APOLOGY_NOTICE_WORKING_HOURS = env_int("MOTCUA_APOLOGY_NOTICE_WORKING_HOURS", 8)
# Once that notice can no longer be given (less left, or the dossier already late):
# "allow" (default) still issues the apology and new date the applicant is owed, recorded
# as given late; "refuse" applies the notice rule strictly and offers no apology then.
MOTCUA_LATE_APOLOGY = env_choice("MOTCUA_LATE_APOLOGY", "allow", ["allow", "refuse"])
# Fields (lĩnh vực, as the catalog names them) whose bare processing times ("1") the
# catalog import reads as working days; see motcua.catalog.rules.WORKING_DAY_FIELDS.
MOTCUA_WORKING_DAY_FIELDS = env_list("MOTCUA_WORKING_DAY_FIELDS", list(WORKING_DAY_FIELDS))
# Name shown in authenticator apps for the staff second factor (django-otp TOTP).
OTP_TOTP_ISSUER = f"Một cửa {MOTCUA_PROVINCE_NAME}"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "INFO")},
}
