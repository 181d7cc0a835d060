"""DATA-04 without one global lock (service-core issue, item 4): writers commit side by side and
the sequencer links their records in commit order; the chain verifies."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from frt.audit import Actor, record, verify
from frt.audit.jobs import link_all
from frt.audit.models import AuditLink

pytestmark = pytest.mark.req("DATA-04")

OPERATOR = Actor("u-operator", "lfr_operator")


def test_a_writer_does_not_wait_for_another_writers_open_transaction(store):
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers are serial by design (BEGIN IMMEDIATE)")
    done = threading.Event()

    def second_writer():
        with store.session() as s:
            record(s, OPERATOR, "test.second")
        done.set()

    with store.session() as first:
        early = record(first, OPERATOR, "test.first")  # takes the lower number, commits last
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert done.wait(10), "the second writer waited for the first one's transaction"
        thread.join()
    assert link_all(store) == 2
    with store.session() as s:
        order = list(s.scalars(select(AuditLink.record_seq).order_by(AuditLink.pos)))
        assert sorted(order) == [early.seq, early.seq + 1]
        assert verify(s, Actor.system("test")).ok


def test_many_writers_then_one_link_pass_give_a_chain_that_verifies(store):
    def writer(n):
        for i in range(n):
            with store.session() as s:
                record(s, OPERATOR, "test.concurrent", object_id=f"w{i}")

    threads = [threading.Thread(target=writer, args=(10,)) for _ in range(4)]
    for t in threads:
        t.start()
    linker = threading.Thread(target=lambda: [link_all(store) for _ in range(5)])
    linker.start()
    for t in threads + [linker]:
        t.join()
    link_all(store)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLink)) == 40
        result = verify(s, Actor.system("test"))
    assert result.ok and result.records == 40 and result.linked == 40
