"""Application and authority references never clash, even when two applicants create at once
(GOV-01): an atomic counter in the creating transaction, on SQLite and PostgreSQL."""

import threading

import pytest

from frt.core.actions import acting
from frt.governance import applications
from frt.governance.models import Application
from tests.conftest import setup_session
from tests.governance.conftest import MPS, NOW


@pytest.mark.req("GOV-01")
def test_two_applicants_creating_at_once_get_different_references(store, people):
    """A holds its transaction open after numbering; B numbers meanwhile, in another thread.

    Counting rows gave both LFR-2026-0001 on PostgreSQL (B's insert then failed on the unique
    reference once A committed); with the counter B waits for A and takes the next number.
    """
    results: dict[str, str] = {}
    errors: list[BaseException] = []
    numbered = threading.Event()

    def applicant_b():
        try:
            numbered.wait(10)
            with acting(store, people["applicant"], profile=MPS, now=NOW) as ctx:
                results["b"] = applications.create(ctx, "B").reference
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=applicant_b)
    thread.start()
    with acting(store, people["applicant"], profile=MPS, now=NOW) as ctx:
        results["a"] = applications.create(ctx, "A").reference
        numbered.set()
        thread.join(0.5)  # B runs while A's transaction is still open
    thread.join(30)
    assert not errors, errors
    assert sorted(results.values()) == ["LFR-2026-0001", "LFR-2026-0002"]


@pytest.mark.req("GOV-01")
def test_a_counter_starts_after_references_made_before_it_existed(store, people):
    with setup_session(store) as session:  # a row numbered the old way, before migration 0005
        session.add(Application(reference="LFR-2026-0001", title="old", applicant_id=people["ao"]))
    with acting(store, people["applicant"], profile=MPS, now=NOW) as ctx:
        assert applications.create(ctx, "new").reference == "LFR-2026-0002"
