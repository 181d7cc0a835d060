"""Browser tests: a real uvicorn server over the test store, driven by Debian's Chromium.

Playwright's own browser downloads are never used (no `playwright install`): the tests launch
/usr/bin/chromium and are skipped where it is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest
import uvicorn

from tests.web.conftest import PASSWORD, people, quick_password_hashing  # noqa: F401 (fixtures)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context; the test fails if the page logs an error (e.g. a CSP violation)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    # A 401 on the wrong-password page is expected; anything else is a fault.
    unexpected = [e for e in errors if "status of 401" not in e]
    assert unexpected == [], f"browser errors: {unexpected}"


@pytest.fixture
def live_server(store):
    """The app served by uvicorn on a free 127.0.0.1 port (plain HTTP: this machine only)."""
    from frt.web.server import server_config

    port = _free_port()
    config = server_config(
        store,
        host="127.0.0.1",
        port=port,
        certfile=None,
        keyfile=None,
        insecure_localhost=True,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
