"""Process-wide readiness flag, read by GET /readyz."""
import threading

_ready = threading.Event()


def mark_ready() -> None:
    _ready.set()


def mark_not_ready() -> None:
    _ready.clear()


def is_ready() -> bool:
    return _ready.is_set()
