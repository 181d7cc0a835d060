"""GOV-12 cancellation report, GOV-13 register, GOV-14 public transparency, GOV-15 loss or theft."""

import csv
import io
import json
from datetime import timedelta

import pytest

from frt.core.errors import InputError
from frt.governance import (
    command,
    deployments,
    notices,
    reports,
    transparency,
    watchlists,
    worklists,
)
from frt.governance.bundle import installation_key
from frt.governance.reports import NOT_RECORDED, ReportMetrics
from frt.policy import PolicyRefusal
from tests.governance.conftest import CUMBRIA, END, START, entry, make_bundle

DURING = START + timedelta(hours=1)
AFTER = END + timedelta(hours=1)


@pytest.fixture
def finished(act, people, authority, engine, photos):
    """An authority whose one Deployment ran with a two-subject Watchlist and has ended."""
    auth_id, dep_id = authority()
    with act("silver") as ctx:
        command.record_overt_use(ctx, auth_id, notice_published=True, notice_channels="website")
        data = make_bundle(
            installation_key(ctx.cipher),
            entry("SECRET-REF-1", photos=photos),
            entry(
                "SECRET-REF-2",
                "suspect",
                photos=photos,
                images=[("hopper", None, ""), ("hopper_mirrored", None, "")],
            ),
        )
        watchlists.import_bundle(ctx, dep_id, data, intelligence_reconfirmed=True, engine=engine)
    with act("silver", now=DURING) as ctx:
        deployments.set_state(ctx, dep_id, "active")
    with act("silver", now=END) as ctx:
        deployments.set_state(ctx, dep_id, "ended", "window closed")
    return auth_id, dep_id


class FakeRuntime:
    """What `frt.lfr` will supply: the live counts (here made up *by the test*, not the system)."""

    name = "lfr"

    def contribute(self, session, deployment_id, metrics: ReportMetrics) -> None:
        metrics.faces_scanned, metrics.faces_templated, metrics.alerts = 10_000, 9_000, 3
        metrics.true_alerts_confirmed, metrics.false_alerts_confirmed = 2, 1
        metrics.alerts_engaged, metrics.alerts_not_engaged = 2, 1
        metrics.police_action_outcomes = {"arrest": 1}
        metrics.methods["c"] = "operator log"


@pytest.mark.req("GOV-12", "WL-07")
def test_the_cancellation_report_fills_what_the_system_recorded_and_zeros_honestly(act, finished):
    auth_id, dep_id = finished
    with act("silver", now=AFTER) as ctx, pytest.raises(PolicyRefusal, match="Gold"):
        reports.prepare(ctx, auth_id)
    with act("gold", now=AFTER) as ctx:  # governance's own records only (no runtime provider)
        report = reports.prepare(ctx, auth_id, providers=[reports.GovernanceRecords()])
        m = ReportMetrics.from_json(report.metrics[dep_id])
    assert (m.watchlist_individuals, m.watchlist_images) == (2, 3)
    assert m.alerts == m.faces_templated == m.faces_scanned == 0 and m.false_alert_rate is None
    assert m.methods["a"] == "Watchlist import record" and m.methods["c"] == NOT_RECORDED
    assert report.due_at == END + timedelta(days=31)


@pytest.mark.req("GOV-12", "GOV-14")
def test_a_runtime_provider_supplies_the_live_counts(act, finished):
    auth_id, dep_id = finished
    with act("gold", now=AFTER) as ctx:
        report = reports.prepare(
            ctx, auth_id, providers=[reports.GovernanceRecords(), FakeRuntime()]
        )
        m = ReportMetrics.from_json(report.metrics[dep_id])
    assert m.watchlist_individuals == 2 and m.alerts == 3 and m.false_alert_rate == 1e-4
    assert m.policing_outcomes == 1 and m.methods["c"] == "operator log"


@pytest.mark.req("GOV-12")
def test_report_overdue_is_listed(act, finished):
    auth_id, _ = finished
    with act("gold", now=AFTER + timedelta(days=30)) as ctx:
        items = [i for i in worklists.for_user(ctx) if i.object_id == auth_id]
        assert [i.kind for i in items] == ["report_due"]
    late = AFTER + timedelta(days=32)
    with act("gold", now=late) as ctx:
        items = [i for i in worklists.for_user(ctx) if i.object_id == auth_id]
        assert [i.kind for i in items] == ["report_overdue"] and items[0].overdue
        assert items[0].citation == "000 §11.1"
        assert "overdue since" in reports.reports_due(ctx)[0].decision.reason
        report = reports.prepare(ctx, auth_id)
        with pytest.raises(PolicyRefusal, match="qualitative"):
            reports.submit(ctx, report.id)
        reports.evaluate(
            ctx,
            report.id,
            evaluation="Effective; two arrests; signage worked",
            safeguards="Engagement officers decided every alert",
            learning="More vans",
        )
        reports.submit(ctx, report.id)
    with act("gold", now=late) as ctx:
        assert not [i for i in worklists.for_user(ctx) if i.object_id == auth_id]
        with pytest.raises(InputError, match="submitted"):
            reports.prepare(ctx, auth_id)
    with act("ao", now=late) as ctx:
        assert any(
            i.kind == "notification" and "Cancellation report" in i.title
            for i in worklists.for_user(ctx)
        )


@pytest.mark.req("GOV-12")
def test_cumbria_reports_are_due_in_its_own_days(act):
    from frt.policy.lfr_rules import report_due

    assert report_due(CUMBRIA, END) == END + timedelta(days=31)


def _submit(act, auth_id, providers=None):
    with act("gold", now=AFTER) as ctx:
        report = reports.prepare(ctx, auth_id, providers=providers)
        reports.evaluate(ctx, report.id, evaluation="Qualitative evaluation")
        reports.submit(ctx, report.id)


@pytest.mark.req("GOV-13")
def test_the_register_names_the_ao_and_command_team_and_holds_statistics(act, finished, store):
    auth_id, dep_id = finished
    with store.session() as session:
        row = next(r for r in transparency.register(session) if r["deployment_id"] == dep_id)
    assert row["authorising_officer"] == "Superintendent Ao"
    assert "Gold: Chief Superintendent Gold" in row["command_team"]
    assert "Silver: Inspector Silver" in row["command_team"]
    assert row["locality"] == "High Street" and row["duration_hours"] == 7.0
    assert row["watchlist"]["by_category"]["suspect"] == {"individuals": 1, "images": 2}
    assert row["alerts"] is None and row["report"] == "not started"
    _submit(act, auth_id, [reports.GovernanceRecords(), FakeRuntime()])
    with store.session() as session:
        row = next(r for r in transparency.register(session) if r["deployment_id"] == dep_id)
    assert row["alerts"]["alerts"] == 3 and row["engagements"]["outcomes"] == {"arrest": 1}


@pytest.mark.req("GOV-14")
def test_the_public_data_holds_the_twelve_figures_and_no_personal_data(act, finished, store):
    auth_id, _ = finished
    with store.session() as session:
        assert transparency.public_json(session) == []  # nothing until the report is submitted
    _submit(act, auth_id)
    with store.session() as session:
        rows = transparency.public_json(session)
        text = transparency.public_csv(session)
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == set(transparency.FIELDS) and len(transparency.FIELDS) == 19
    assert row["location"] == "High Street" and row["watchlist_subjects"] == 2
    assert row["minimum_threshold"] == 0.64 and row["alerts"] == 0
    assert row["false_alert_rate"] is None and row["style"] == "marked vans"
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["location"] == "High Street"
    blob = json.dumps(rows) + text
    for personal in ("SECRET-REF", "Gold", "Silver", "Ao", "High Street north", "Intelligence"):
        assert personal not in blob


@pytest.mark.req("GOV-15")
def test_loss_or_theft_notifies_the_ao_gold_and_dpo(act, finished):
    auth_id, _ = finished
    with act("silver", now=AFTER) as ctx:  # in post under the authority (000 §13.5)
        notices.report_loss(ctx, auth_id, "mobile_device", "Left on a bus", AFTER, encrypted=True)
    for who in ("ao", "gold", "dpo"):
        with act(who, now=AFTER) as ctx:
            items = [i for i in worklists.for_user(ctx) if i.kind == "notification"]
            assert len(items) == 1 and items[0].citation == "000 §13.5", who
            assert "mobile device" in items[0].title
    with act("silver", now=AFTER) as ctx:
        assert not [i for i in worklists.for_user(ctx) if i.kind == "notification"]
    with act("dpo", now=AFTER) as ctx:
        note = notices.notifications_for(ctx)[0]
        notices.acknowledge(ctx, note.id)
    with act("dpo", now=AFTER) as ctx:
        assert notices.notifications_for(ctx) == []
