from django.test import Client

HOST = "${{ values.name }}.${{ values.namespace }}.svc.cluster.local"


def get(path, **params):
    return Client().get(path, params, HTTP_HOST=HOST)


def test_hello_defaults_to_world():
    response = get("/api/hello")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Hello, world!"}


def test_hello_greets_by_name():
    assert get("/api/hello", name="Ada").json() == {"message": "Hello, Ada!"}


def test_hello_rejects_overlong_names():
    response = get("/api/hello", name="x" * 65)
    assert response.status_code == 400
    assert "error" in response.json()


def test_hello_only_accepts_get():
    response = Client().post("/api/hello", HTTP_HOST=HOST)
    assert response.status_code == 405


def test_unknown_paths_are_json_404s():
    response = get("/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}
