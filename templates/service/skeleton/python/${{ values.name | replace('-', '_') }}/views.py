import logging

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import state

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 64


@require_GET
def healthz(request):
    """Liveness: the process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    """Readiness: the service may receive traffic."""
    if state.is_ready():
        return JsonResponse({"status": "ready"})
    return JsonResponse({"status": "not ready"}, status=503)


@require_GET
def hello(request):
    """Example endpoint: GET /api/hello?name=x."""
    name = request.GET.get("name", "").strip() or "world"
    if len(name) > MAX_NAME_LENGTH:
        return JsonResponse(
            {"error": f"name must be at most {MAX_NAME_LENGTH} characters"}, status=400
        )
    logger.info("said hello", extra={"name_length": len(name)})
    return JsonResponse({"message": f"Hello, {name}!"})


def not_found(request, exception=None):
    return JsonResponse({"error": "not found"}, status=404)


def server_error(request):
    return JsonResponse({"error": "internal server error"}, status=500)
