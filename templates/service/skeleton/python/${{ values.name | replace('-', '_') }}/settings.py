"""Django settings for ${{ values.name }}.

Everything that differs between environments comes from environment
variables (set them in the helm-charts repo, charts/${{ values.name }}). The
defaults are the production ones: DEBUG off, no secret key built in.
"""
import os

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Provide it from a Kubernetes Secret "
            "(env/envFrom in charts/${{ values.name }}), or set DJANGO_DEBUG=true for local development."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "django-insecure-dev-only-${{ values.name }}"

# Host names the service answers to: by default the in-cluster Service names.
# The probes skip this check (see middleware.ProbeMiddleware).
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    "${{ values.name }},${{ values.name }}.${{ values.namespace }},"
    "${{ values.name }}.${{ values.namespace }}.svc,"
    "${{ values.name }}.${{ values.namespace }}.svc.cluster.local",
)
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "${{ values.name | replace('-', '_') }}.apps.ServiceConfig",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id and the access
    # log covers every response, probes included.
    "${{ values.name | replace('-', '_') }}.middleware.RequestIdMiddleware",
    "${{ values.name | replace('-', '_') }}.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Harmless for a JSON API today, and the right defaults once it grows
    # cookies or HTML.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "${{ values.name | replace('-', '_') }}.urls"
WSGI_APPLICATION = "${{ values.name | replace('-', '_') }}.wsgi.application"

# No database yet. Add one here (and django.contrib apps as needed) when the
# service needs it.
DATABASES = {}

TEMPLATES = []
USE_I18N = False
USE_TZ = True
TIME_ZONE = "UTC"
APPEND_SLASH = False

# TLS ends at the load balancer; trust its X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "${{ values.name | replace('-', '_') }}.jsonlog.JsonFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's own handlers so its lines are JSON too.
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
    },
}
