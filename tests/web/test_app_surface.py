"""The app's surface: OpenAPI, static assets without a CDN, errors that leak nothing, TLS."""

from __future__ import annotations

import os
import socket
import stat
import threading
import time

import httpx
import pytest
from cryptography import x509

from frt.web.certs import make_dev_certificate
from frt.web.server import InsecureServing, server_config
from tests.web.conftest import signed_in


def test_openapi_schema_is_served_and_lists_the_api(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/session", "/api/users", "/api/audit", "/api/audit/verify"} <= set(paths)
    assert not any(p in paths for p in ("/login", "/", "/audit"))  # pages stay out of it
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/audit/verify" in docs.text


def test_pages_load_only_local_assets(client, people):
    signed_in(client, "admin")
    for path in ("/", "/login", "/audit", "/admin/users", "/public/", "/api/docs"):
        html = client.get(path).text
        assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
        assert "/static/vendor/htmx.min.js" in html
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    assert client.get("/static/css/frt.css").status_code == 200
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]


def test_validation_errors_are_clear_422_json(client, people):
    signed_in(client, "auditor")
    response = client.get("/api/audit", params={"limit": 0})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid request" and body["detail"][0]["field"] == "query.limit"
    token = client.get("/api/session").json()["csrf_token"]
    bad = client.post("/api/session", json={"username": "x"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.password"


def test_unknown_routes_are_404_without_internals(client):
    api = client.get("/api/nothing-here")
    assert api.status_code == 404 and api.json() == {"error": "not found", "detail": "Not Found"}
    page = client.get("/nothing-here")
    assert page.status_code == 404 and "Traceback" not in page.text


def test_unexpected_errors_give_a_reference_and_no_stack_trace(app, people, store):
    from fastapi import Depends
    from fastapi.testclient import TestClient

    from frt.web.auth import require_role

    @app.get("/api/test/boom", dependencies=[Depends(require_role())])
    def boom():
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        signed_in(client, "admin")
        response = client.get("/api/test/boom")
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "Reference" in response.json()["detail"]


@pytest.mark.req("DATA-06")
def test_dev_certificate_is_valid_with_private_key_0600(tmp_path):
    cert_path, key_path = make_dev_certificate(tmp_path / "certs", ["frt.example.police.uk"])
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "frt.example.police.uk"} <= set(san.get_values_for_type(x509.DNSName))
    assert "127.0.0.1" in {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    again, key_again = make_dev_certificate(tmp_path / "certs", [])
    assert stat.S_IMODE(os.stat(key_again).st_mode) == 0o600


@pytest.mark.req("DATA-06")
def test_plain_http_is_refused_except_on_localhost(store, tmp_path):
    with pytest.raises(InsecureServing, match="refusing to serve plain HTTP"):
        server_config(store, host="0.0.0.0", port=8443, certfile=None, keyfile=None)
    config = server_config(
        store, host="0.0.0.0", port=8443, certfile=None, keyfile=None, insecure_localhost=True
    )
    assert config.host == "127.0.0.1" and config.ssl_certfile is None


@pytest.mark.req("DATA-06")
def test_server_answers_over_https_with_the_dev_certificate(store, tmp_path):
    import uvicorn

    cert, key = make_dev_certificate(tmp_path, [])
    port = _free_port()
    config = server_config(
        store, host="127.0.0.1", port=port, certfile=cert, keyfile=key, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        _wait(lambda: server.started)
        response = httpx.get(f"https://127.0.0.1:{port}/api/session", verify=str(cert))
        assert response.status_code == 200
        assert "secure" in response.headers["set-cookie"].lower()
    finally:
        server.should_exit = True
        thread.join(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
