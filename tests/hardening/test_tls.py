"""TLS as served (DATA-06; hardening issue, item 11): TLS 1.3, and TLS 1.2 with AEAD suites only
(no CBC); the development certificate is kept across starts."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading

import pytest

from frt.web.certs import CERT_FILE, make_dev_certificate
from frt.web.server import server_config

pytestmark = pytest.mark.req("DATA-06")


@pytest.fixture
def server_context(store, tmp_path):
    cert, key = make_dev_certificate(tmp_path / "certs", [])
    config = server_config(
        store, host="127.0.0.1", port=8443, certfile=cert, keyfile=key, log_level="warning"
    )
    return config.ssl, cert


def _handshake(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext):
    """Both ends of a TLS handshake over a socket pair; the client's (version, cipher) or the
    error that ended it."""
    a, b = socket.socketpair()
    server_error: list[Exception] = []

    def serve():
        try:
            with server_ctx.wrap_socket(a, server_side=True):
                pass
        except (ssl.SSLError, OSError) as exc:
            server_error.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client_ctx.wrap_socket(b, server_hostname="localhost") as tls:
            return tls.version(), tls.cipher()[0]
    except (ssl.SSLError, OSError) as exc:
        return exc
    finally:
        thread.join(5)
        a.close()
        b.close()


def _client(cert, version: ssl.TLSVersion, ciphers: str | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.minimum_version = ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def test_tls12_cbc_suites_are_refused(server_context):
    server_ctx, cert = server_context
    cbc = "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA"
    outcome = _handshake(server_ctx, _client(cert, ssl.TLSVersion.TLSv1_2, cbc))
    assert isinstance(outcome, ssl.SSLError), f"a CBC suite was accepted: {outcome}"


def test_tls12_aead_and_tls13_are_accepted(server_context):
    server_ctx, cert = server_context
    version, cipher = _handshake(server_ctx, _client(cert, ssl.TLSVersion.TLSv1_2))
    assert version == "TLSv1.2" and ("GCM" in cipher or "CHACHA20" in cipher)
    version, cipher = _handshake(server_ctx, _client(cert, ssl.TLSVersion.TLSv1_3))
    assert version == "TLSv1.3"


def test_every_tls12_suite_the_server_offers_is_aead_with_forward_secrecy(server_context):
    server_ctx, _cert = server_context
    tls12 = [c for c in server_ctx.get_ciphers() if c["protocol"] == "TLSv1.2"]
    assert tls12 and all(c["aead"] and c["kea"] == "kx-ecdhe" for c in tls12), tls12
    assert server_ctx.minimum_version == ssl.TLSVersion.TLSv1_2


def test_the_development_certificate_is_kept_across_starts(tmp_path):
    first, key = make_dev_certificate(tmp_path, ["frt.example.police.uk"])
    pem = first.read_bytes()
    again, _ = make_dev_certificate(tmp_path, ["frt.example.police.uk"])
    assert again.read_bytes() == pem  # a browser that accepted it is not asked again
    other = make_dev_certificate(tmp_path, ["another.example"])[0].read_bytes()
    assert other != pem  # a host it does not name needs a new one
    assert make_dev_certificate(tmp_path, [], renew=True)[0].read_bytes() != other


def test_a_certificate_near_its_end_is_replaced(tmp_path, monkeypatch):
    from frt.web import certs

    monkeypatch.setattr(certs, "VALID_FOR", dt.timedelta(days=10))
    make_dev_certificate(tmp_path, [])
    old = (tmp_path / CERT_FILE).read_bytes()
    monkeypatch.setattr(certs, "VALID_FOR", dt.timedelta(days=365))
    make_dev_certificate(tmp_path, [])
    assert (tmp_path / CERT_FILE).read_bytes() != old
