"""The `frt` command: set-up, people, policy and audit from the command line."""

import pytest
from typer.testing import CliRunner

from frt.cli import app

runner = CliRunner()


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    return settings


def frt(*args):
    return runner.invoke(app, list(args))


def test_help_lists_the_command_groups():
    result = frt("--help")
    assert result.exit_code == 0
    for group in ("db", "users", "policy", "audit", "certs", "serve"):
        assert group in result.output


@pytest.mark.req("DATA-05")
def test_first_upgrade_prints_a_one_time_administrator_password_once(env):
    first = frt("db", "upgrade")
    assert first.exit_code == 0 and "one-time" in first.output
    again = frt("db", "upgrade")
    assert again.exit_code == 0 and "one-time" not in again.output


@pytest.mark.req("DATA-05", "GOV-10")
def test_users_add_train_list_disable(env):
    assert (
        frt(
            "users",
            "add",
            "insp.b",
            "--rank",
            "inspector",
            "--role",
            "silver_commander",
            "--name",
            "Insp B",
        ).exit_code
        == 0
    )
    assert (
        frt(
            "users",
            "train",
            "insp.b",
            "lfr",
            "--completed",
            "2026-01-01",
            "--expires",
            "2027-01-01",
        ).exit_code
        == 0
    )
    listing = frt("users", "list")
    assert (
        "insp.b" in listing.output
        and "01 Jan 2027" in listing.output
        and all(len(line) <= 80 for line in listing.output.splitlines())
    )
    assert frt("users", "disable", "insp.b").exit_code == 0
    assert "disabled" in frt("users", "list").output


def test_bad_input_is_a_clear_error(env):
    bad_rank = frt("users", "add", "x", "--rank", "general", "--role", "auditor")
    assert bad_rank.exit_code == 1 and "general" in bad_rank.output
    unknown = frt("users", "disable", "nobody")
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output


def test_policy_show_prints_citations_and_refuses_unknown_profiles(env):
    shown = frt("policy", "show", "--profile", "cumbria")
    assert shown.exit_code == 0 and "004 §6.1" in shown.output
    unknown = frt("policy", "show", "--profile", "atlantis")
    assert unknown.exit_code == 1 and "unknown policy profile 'atlantis'" in unknown.output


@pytest.mark.req("DATA-04")
def test_audit_verify_fails_with_the_first_broken_record(env, store):
    frt("users", "add", "a.user", "--rank", "sergeant", "--role", "rfr_user")
    assert frt("audit", "verify").exit_code == 0
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_records_no_update")
        else:
            conn.exec_driver_sql(
                "ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"
            )
        conn.exec_driver_sql("UPDATE audit_records SET role = 'x' WHERE seq = 1")
    broken = frt("audit", "verify")
    assert broken.exit_code == 2 and "broken at record 1" in broken.output


def test_a_refusal_is_printed_once_not_refused_refused():
    """Issue 12, item 7: `frt deploy run` printed "refused: refused: …"."""
    from frt.cli.lfr import refusal_text
    from frt.policy import Decision

    text = refusal_text(Decision.refuse("no evaluation of this algorithm", "000 §6.2(3)", "EV"))
    assert "refused" not in text
    assert text == "no evaluation of this algorithm (000 §6.2(3)), rule EV"
