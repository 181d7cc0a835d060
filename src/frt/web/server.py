"""Serving FRT over HTTPS with uvicorn (DATA-06; 000 §12.1(f)–(g): "all connections are directed
through HTTPS"). Plain HTTP is refused except bound to 127.0.0.1 with `insecure_localhost`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from frt.store.db import Store
from frt.web.app import create_app

logger = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"
HTTPS_CITATION = "000 §12.1(f)–(g)"


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
            logger.warning("--insecure-localhost: ignoring host %s, binding %s only", host, LOCALHOST)
        host = LOCALHOST
        logger.warning("serving plain HTTP on %s:%s: for this machine only, never for users "
                       "(%s)", host, port, HTTPS_CITATION)
    return uvicorn.Config(
        create_app(store),
        host=host,
        port=port,
        ssl_certfile=str(certfile) if tls else None,
        ssl_keyfile=str(keyfile) if tls else None,
        proxy_headers=False,  # no proxy is trusted to say a request was HTTPS
        server_header=False,
        log_level=log_level,
    )


def serve(
    store: Store,
    *,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    insecure_localhost: bool = False,
) -> None:
    config = server_config(store, host=host, port=port, certfile=certfile, keyfile=keyfile,
                           insecure_localhost=insecure_localhost)
    scheme = "https" if config.ssl_certfile else "http"
    logger.info("FRT serving at %s://%s:%s/", scheme, config.host, config.port)
    uvicorn.Server(config).run()
