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


@pytest.mark.req("DATA-04")
def test_the_cli_tables_read_on_80_columns(people, store, settings, monkeypatch):
    """Issue 12, item 11: `frt users list` and `frt audit show` fit a terminal of 80 columns,
    and name people rather than print their ids."""
    from typer.testing import CliRunner

    from frt.cli import app as cli

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COLUMNS", "80")
    with store.session() as db:
        ids = [u.id for u in db.query(User)]
    for command in (["users", "list"], ["audit", "show"]):
        result = CliRunner().invoke(cli, command, env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        wide = [line for line in result.output.splitlines() if len(line) > 80]
        assert not wide, "\n".join(wide)
        assert not any(i in result.output for i in ids), command
