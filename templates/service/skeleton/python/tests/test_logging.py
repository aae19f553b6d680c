import json
import logging

from django.test import Client

from ${{ values.name | replace('-', '_') }}.jsonlog import JsonFormatter, request_id_var

HOST = "${{ values.name }}.${{ values.namespace }}.svc.cluster.local"
ACCESS_LOGGER = "${{ values.name | replace('-', '_') }}.access"


def test_a_well_formed_request_id_is_kept():
    response = Client().get("/api/hello", HTTP_HOST=HOST, HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_a_missing_or_malformed_request_id_is_replaced():
    generated = Client().get("/api/hello", HTTP_HOST=HOST)["X-Request-ID"]
    assert len(generated) == 32
    injected = Client().get("/api/hello", HTTP_HOST=HOST, HTTP_X_REQUEST_ID="a b\nfake log line")
    assert injected["X-Request-ID"] not in ("a b\nfake log line", generated)


def test_one_access_line_per_request_with_the_request_id(caplog):
    caplog.set_level(logging.DEBUG, logger=ACCESS_LOGGER)
    Client().get("/api/hello", {"name": "log"}, HTTP_HOST=HOST, HTTP_X_REQUEST_ID="req-42")
    records = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "req-42"
    assert line["level"] == "info"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["path"] == "/api/hello"


def test_log_lines_are_single_json_objects():
    record = logging.LogRecord("svc", logging.WARNING, __file__, 1, "hello %s", ("there",), None)
    record.order_id = 7
    token = request_id_var.set("rid-1")
    try:
        text = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in text
    line = json.loads(text)
    assert line["msg"] == "hello there"
    assert line["level"] == "warning"
    assert line["request_id"] == "rid-1"
    assert line["order_id"] == 7
    assert line["time"].endswith("Z")


def test_exceptions_stay_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("svc", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = JsonFormatter().format(record)
    assert "\n" not in text
    assert "ValueError: boom" in json.loads(text)["exc"]
