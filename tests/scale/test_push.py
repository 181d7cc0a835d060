"""Alerts pushed (issue 9 item 7; issue 14 item 2): two server processes' apps, each with its own
store and so its own listener (LISTEN/NOTIFY on PostgreSQL, in-process on SQLite), both deliver
an Alert a worker commits after their consoles connected — no console polls the database."""

from __future__ import annotations

import threading
import time

import pytest

from frt.app import open_store
from frt.lfr import push
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.test_live_web import client_for, raise_alert
from tests.scale.helpers import wait_for


def read_alerts(client, url: str, want: int, got: list, timeout: float = 10.0) -> None:
    with client.stream("GET", url) as response:
        event, start = None, time.monotonic()
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "alert":
                got.append((time.monotonic(), line))
                if len(got) >= want:
                    return
            if time.monotonic() - start > timeout:
                return


@pytest.mark.req("LIVE-04")
def test_two_server_processes_both_deliver_an_alert_committed_by_a_worker(
    store, settings, live, people
):
    _, dep_id = live()
    servers = [open_store(settings, migrate=False) for _ in range(2)]
    try:
        clients = [client_for(s, "operator") for s in servers]
        received: list[list] = [[], []]
        readers = [
            threading.Thread(
                target=read_alerts,
                args=(c, f"/live/deployments/{dep_id}/stream", 1, received[i]),
                daemon=True,
            )
            for i, c in enumerate(clients)
        ]
        for r in readers:
            r.start()
        assert wait_for(lambda: all(push.hub_for(s).watching() == 1 for s in servers), 10)
        time.sleep(0.3)  # the listeners are LISTENing (they resync on connecting anyway)
        committed = time.monotonic()
        alert_id = raise_alert(store, dep_id)  # the worker's commit, through its own store
        for r in readers:
            r.join(timeout=10)
        for got in received:
            assert got and alert_id in got[0][1], "a server did not deliver the Alert"
            assert got[0][0] - committed < 1.0
        assert all(push.hub_for(s).delivered >= 1 for s in servers)
    finally:
        for s in servers:
            push.hub_for(s).stop()
            s.dispose()


def test_a_hub_hands_an_alert_only_to_streams_of_its_deployment(store):
    import asyncio

    hub = push.Hub(store)

    async def alerts_of(sub, within: float) -> list[str]:
        got = []
        while (item := await sub.next(within)) is not None:
            if item[0] == "alert":
                got.append(item[1])
        return got

    async def scenario():
        mine, other = hub.subscribe("dep-a", False), hub.subscribe("dep-b", False)
        blue = hub.subscribe("dep-a", True)
        hub.publish("dep-a", "alert-1", False)
        assert await alerts_of(mine, 0.3) == ["alert-1"]
        assert await alerts_of(other, 0.1) == []
        assert await alerts_of(blue, 0.1) == []
        for s in (mine, other, blue):
            s.close()
        assert hub.watching() == 0

    asyncio.run(scenario())
    hub.stop()


@pytest.mark.req("LIVE-04")
def test_an_alert_from_another_process_reaches_the_console_through_the_servers_one_listener(
    store, live, people, monkeypatch
):
    """The worker is elsewhere: no in-process announcement reaches this server. On PostgreSQL
    the NOTIFY at commit does; on SQLite the Hub's one poll for all open streams does."""
    _, dep_id = live()
    server = open_store(store.settings, migrate=False)
    try:
        client = client_for(server, "operator")
        got: list = []
        reader = threading.Thread(
            target=read_alerts,
            args=(client, f"/live/deployments/{dep_id}/stream", 1, got),
            daemon=True,
        )
        reader.start()
        assert wait_for(lambda: push.hub_for(server).watching() == 1, 10)
        time.sleep(0.5)
        monkeypatch.setattr(push, "announce", lambda *a, **k: None)  # as from another process
        alert_id = raise_alert(store, dep_id)
        reader.join(timeout=10)
        assert got and alert_id in got[0][1]
    finally:
        push.hub_for(server).stop()
        server.dispose()
