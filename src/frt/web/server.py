"""Serving FRT over HTTPS with uvicorn (DATA-06; 000 §12.1(f)–(g): "all connections are directed
through HTTPS"). Plain HTTP is refused except bound to 127.0.0.1 with `insecure_localhost`.

TLS 1.3, and TLS 1.2 with forward-secret AEAD suites only (ECDHE with AES-GCM or ChaCha20-Poly1305):
no CBC suites (Lucky13-style padding oracles), no RSA key exchange, nothing older than TLS 1.2.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import uvicorn

from frt.store.db import Store
from frt.web.app import create_app

logger = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"
HTTPS_CITATION = "000 §12.1(f)–(g)"
# TLS 1.2 suites (OpenSSL names); TLS 1.3's are all AEAD and are not set by this string.
TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL"
MIN_TLS = ssl.TLSVersion.TLSv1_2


class InsecureServing(ValueError):
    """Refused: plain HTTP anywhere but the local machine."""


def server_config(
    store: Store,
    *,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    insecure_localhost: bool = False,
    log_level: str = "info",
) -> uvicorn.Config:
    """The uvicorn configuration `serve` runs; refuses what the policy forbids before binding."""
    tls = certfile is not None and keyfile is not None
    if not tls and not insecure_localhost:
        raise InsecureServing(
            "refusing to serve plain HTTP: give a certificate and key (make one with "
            f"`frt certs dev`) or use --insecure-localhost ({HTTPS_CITATION})"
        )
    if (certfile is None) != (keyfile is None):
        raise InsecureServing("give both a certificate file and its key file")
    for path in (certfile, keyfile):
        if path is not None and not Path(path).is_file():
            raise FileNotFoundError(f"no such file: {path}")
    if not tls:
        if host not in (LOCALHOST, "localhost"):
            logger.warning(
                "--insecure-localhost: ignoring host %s, binding %s only", host, LOCALHOST
            )
        host = LOCALHOST
        logger.warning(
            "serving plain HTTP on %s:%s: for this machine only, never for users (%s)",
            host,
            port,
            HTTPS_CITATION,
        )
    config = uvicorn.Config(
        create_app(store),
        host=host,
        port=port,
        ssl_certfile=str(certfile) if tls else None,
        ssl_keyfile=str(keyfile) if tls else None,
        ssl_ciphers=TLS12_CIPHERS,
        proxy_headers=False,  # no proxy is trusted to say a request was HTTPS
        server_header=False,
        log_level=log_level,
    )
    config.load()  # builds the SSL context, which gets its floor here (uvicorn has no option)
    if config.ssl is not None:
        config.ssl.minimum_version = MIN_TLS
    return config


def serve(
    store: Store,
    *,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    insecure_localhost: bool = False,
) -> None:
    config = server_config(
        store,
        host=host,
        port=port,
        certfile=certfile,
        keyfile=keyfile,
        insecure_localhost=insecure_localhost,
    )
    scheme = "https" if config.ssl_certfile else "http"
    logger.info("FRT serving at %s://%s:%s/", scheme, config.host, config.port)
    uvicorn.Server(config).run()
