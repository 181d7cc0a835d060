"""The audit log names people (issue 12, item 9): a user's name, not their id in hex, and the
command line's actions with the login of the person who ran them."""

from __future__ import annotations

import pytest

from frt.audit import Actor, record
from frt.people.audit_names import system_name
from frt.people.models import User
from tests.conftest import setup_session
from tests.web.conftest import signed_in


@pytest.mark.req("DATA-04")
def test_the_audit_page_shows_names_and_who_ran_a_command(client, people, store):
    with setup_session(store) as session:
        record(session, Actor.system("cli:jbloggs"), "users.add", object_type="user", object_id="x")
        auditor = session.query(User).filter_by(username="auditor").one()
        auditor_id, auditor_name = auditor.id, auditor.display_name
    signed_in(client, "auditor")
    client.get("/audit")  # this read is recorded under the auditor's name
    page = client.get("/audit").text
    who = [cell.split("</td>")[0] for cell in page.split('<td data-label="Who">')[1:]]
    assert f"{auditor_name} (auditor)" in who
    assert not any(auditor_id in cell for cell in who)
    assert "command line (jbloggs)" in who


def test_the_cli_records_who_ran_it():
    from frt.cli import cli_role

    role = cli_role()
    assert role.startswith("cli:") and len(role) > 4 and len(role) <= 40
    assert system_name(role) == f"command line ({role[4:]})"
