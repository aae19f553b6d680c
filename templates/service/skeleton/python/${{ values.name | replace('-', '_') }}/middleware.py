import logging
import re
import time
import uuid

from . import views
from .jsonlog import request_id_var

access_log = logging.getLogger("${{ values.name | replace('-', '_') }}.access")

# An incoming X-Request-ID is kept only when it looks like an id, so a client
# cannot inject arbitrary text into logs and response headers.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}


class RequestIdMiddleware:
    """Gives every request an id, logs one access line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # Probes come every few seconds; keep them out of the INFO stream.
            level = logging.DEBUG if request.path in PROBES else logging.INFO
            access_log.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class ProbeMiddleware:
    """Answers /healthz and /readyz before host validation.

    The kubelet calls the probes by pod IP (Host: 10.x.y.z:port), which is
    not, and should not be, in ALLOWED_HOSTS. Everything else still goes
    through CommonMiddleware's host check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
