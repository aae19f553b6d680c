from django.test import Client

from ${{ values.name | replace('-', '_') }} import state

IN_CLUSTER_HOST = "${{ values.name }}.${{ values.namespace }}.svc.cluster.local"
# What the kubelet sends: the pod IP, which ALLOWED_HOSTS does not list.
POD_IP_HOST = "10.1.2.3:${{ values.port }}"


def test_healthz_is_ok():
    response = Client().get("/healthz", HTTP_HOST=IN_CLUSTER_HOST)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_once_django_is_set_up():
    response = Client().get("/readyz", HTTP_HOST=IN_CLUSTER_HOST)
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_is_503_when_not_ready():
    state.mark_not_ready()
    try:
        response = Client().get("/readyz", HTTP_HOST=IN_CLUSTER_HOST)
        assert response.status_code == 503
    finally:
        state.mark_ready()
    assert Client().get("/readyz", HTTP_HOST=IN_CLUSTER_HOST).status_code == 200


def test_probes_answer_the_kubelet_by_pod_ip():
    client = Client()
    assert client.get("/healthz", HTTP_HOST=POD_IP_HOST).status_code == 200
    assert client.get("/readyz", HTTP_HOST=POD_IP_HOST).status_code == 200


def test_other_paths_still_check_the_host():
    response = Client().get("/api/hello", HTTP_HOST=POD_IP_HOST)
    assert response.status_code == 400


def test_probes_only_accept_get():
    response = Client().post("/healthz", HTTP_HOST=IN_CLUSTER_HOST)
    assert response.status_code == 405
