"""EVAL-03 at run time: a Deployment whose Watchlist was templated with an unevaluated algorithm
version does not run, and the refusal is audited; an evaluated one alerts at the evaluated floor."""

import pytest
from sqlalchemy import delete, select

from frt.audit.models import AuditRecord
from frt.eval.models import EvaluationRecord
from frt.lfr.runner import Runner, load_watchlist
from frt.policy import PolicyRefusal
from tests.conftest import setup_session
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import EVALUATED_THRESHOLD, clock_at


@pytest.mark.req("EVAL-03", "LIVE-10")
def test_an_unevaluated_algorithm_does_not_run(store, live, astronaut_video):
    _, dep_id = live()
    with setup_session(store) as s:
        s.execute(delete(EvaluationRecord))
    with pytest.raises(PolicyRefusal) as refusal:
        Runner(store, dep_id, [str(astronaut_video)], workers=0, clock=clock_at()).run()
    assert "no recorded evaluation" in refusal.value.decision.reason
    with store.session() as s:
        refused = s.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "lfr.deployment.run", AuditRecord.outcome == "refused"
            )
        ).all()
    assert refused and refused[-1].detail["rule"] == "EVAL-UNEVALUATED"
    assert refused[-1].detail["citation"] == "004 §10.14; 003 §3.1"


@pytest.mark.req("EVAL-01", "LIVE-02")
def test_the_watchlist_alerts_no_lower_than_the_evaluated_threshold(store, live):
    _, dep_id = live(min_threshold=0.64)
    assert load_watchlist(store, dep_id).threshold == pytest.approx(EVALUATED_THRESHOLD)
