"""gunicorn settings for ${{ values.name }} (read with `gunicorn -c gunicorn.conf.py`).

Graceful shutdown: on SIGTERM (Kubernetes stopping the pod) gunicorn stops
accepting connections and gives in-flight requests graceful_timeout seconds
to finish, inside the pod's 30 s terminationGracePeriodSeconds.
"""
import os
import sys

# The project package sits next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

wsgi_app = "${{ values.name | replace('-', '_') }}.wsgi:application"
bind = f"0.0.0.0:{int(os.environ.get('PORT', '${{ values.port }}'))}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Worker heartbeat files on tmpfs: the root filesystem is read-only in the pod.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# RequestIdMiddleware writes the access log (JSON, with the request id).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "${{ values.name | replace('-', '_') }}.jsonlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["console"], "level": loglevel.upper()},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
