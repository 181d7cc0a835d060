"""A refused decision is not a dead end (issue 12, item 7): the AO's form is shown again with
what they typed and every problem at once — missing reasons and unreviewed documents together —
answered 422, and reloading the form's address shows the Application's page, not a 405."""

from __future__ import annotations

import pytest

from frt.governance import applications
from tests.governance.conftest import draft
from tests.lfr.test_live_web import client_for

pytestmark = pytest.mark.req("GOV-06")


def test_a_refused_decision_shows_the_form_again_with_every_problem(store, act, people):
    with act("applicant") as ctx:
        app = draft(ctx)
        applications.submit(ctx, app.id)
        app_id = app.id  # documents not reviewed, the NPCC officer not consulted
    ao = client_for(store, "ao")
    typed = "Only the place is set out; the rest is to come"
    response = ao.post(
        f"/lfr/applications/{app_id}/decide",
        data={"outcome": "authorise", "conditions": typed, "min_threshold": "0.64"},
        follow_redirects=False,
    )
    assert response.status_code == 422, response.text[:300]
    page = response.text
    assert typed in page  # what the AO typed is still there
    box = page.split('class="alert error problems"', 1)[1].split("</ul>", 1)[0]
    problems = box.split("<li>")[1:]
    assert len(problems) >= 3, box  # every problem at once, not the first alone
    assert any("reason" in p.lower() for p in problems), box  # no reasons under the headings
    assert any("review" in p.lower() for p in problems), box  # documents not reviewed
    assert any("consult" in p.lower() or "NPCC" in p for p in problems), box
    again = ao.get(f"/lfr/applications/{app_id}/decide", follow_redirects=False)
    assert again.status_code in (200, 303), again.status_code  # never 405


def test_the_loss_form_is_offered_only_to_those_who_may_report_a_loss(store, authority):
    """A form a person may not use is not a dead end waiting to happen (000 §13.5)."""
    auth_id, _ = authority()
    ao_page = client_for(store, "ao").get(f"/lfr/authorities/{auth_id}").text
    gold_page = client_for(store, "gold").get(f"/lfr/authorities/{auth_id}").text
    assert f'action="/lfr/authorities/{auth_id}/loss"' not in ao_page
    assert "No loss or theft has been reported." in ao_page
    assert f'action="/lfr/authorities/{auth_id}/loss"' in gold_page
