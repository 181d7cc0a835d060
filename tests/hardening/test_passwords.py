"""Passwords after NIST SP 800-63B-4 (DATA-05; hardening issue, item 5): length, no common or
context passwords, never on the command line, and no password shared by the demo users."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from frt.app import open_store
from frt.audit import Actor
from frt.people.roles import Role
from frt.people.service import PeopleError, create_user, login
from frt.policy.ranks import Rank

pytestmark = pytest.mark.req("DATA-05")


def _add(store, password: str, username: str = "jsmith", name: str = "Jane Smith"):
    with store.session() as db:
        return create_user(
            db,
            Actor.system("test"),
            username=username,
            display_name=name,
            rank=Rank.SERGEANT,
            roles={Role.APPLICANT},
            password=password,
        )


@pytest.mark.parametrize(
    "password, rule",
    [
        (" " * 12, "at least 15"),  # the attack: twelve spaces were accepted
        (" " * 20, "too easy to guess"),
        ("password12345678", "too easy to guess"),
        ("qwertyuiopasdfgh", "too easy to guess"),
        ("aaaaaaaaaaaaaaaaaaaa", "too easy to guess"),
        ("1234567890123456", "too easy to guess"),
        ("jsmith-jsmith-jsmith", "besides your username"),
        ("JaneSmithFRT2024!!", "besides your username"),
        ("frt-facial-recognition", "besides your username"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(store, password, rule):
    with pytest.raises(PeopleError, match=rule) as refused:
        _add(store, password)
    assert "NIST SP 800-63B-4 §3.1.1.2" in str(refused.value)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "mauve-kettle-orbits-quietly",
        "Tr4m lines at d4wn, 6 of them",
    ],
)
def test_long_unguessable_passwords_with_spaces_and_any_characters_are_accepted(store, password):
    user = _add(store, password)
    assert login(store, "jsmith", password).id == user.id


def test_users_add_takes_no_password_argument_and_reads_standard_input(settings, monkeypatch):
    from frt.cli import app

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    argv = runner.invoke(
        app,
        [
            "users",
            "add",
            "a.user",
            "--rank",
            "sergeant",
            "--role",
            "rfr_user",
            "--password",
            "correct horse battery staple",
        ],
    )
    assert argv.exit_code != 0 and "No such option" in argv.output
    weak = runner.invoke(
        app,
        ["users", "add", "a.user", "--rank", "sergeant", "--role", "rfr_user", "--password-stdin"],
        input="password\n",
    )
    assert weak.exit_code == 1 and "at least 15" in weak.output
    ok = runner.invoke(
        app,
        ["users", "add", "a.user", "--rank", "sergeant", "--role", "rfr_user", "--password-stdin"],
        input="correct horse battery staple\n",
    )
    assert ok.exit_code == 0 and "correct horse" not in ok.output

    store = open_store(settings, migrate=False)
    assert login(store, "a.user", "correct horse battery staple").username == "a.user"
    store.dispose()


def test_demo_users_each_get_their_own_one_time_password(store):
    from frt.people.demo import DEMO_USERS, ensure_demo_users

    with store.session() as db:
        passwords = ensure_demo_users(db)
    assert set(passwords) == {u[0] for u in DEMO_USERS}
    assert len(set(passwords.values())) == len(DEMO_USERS)
    user = login(store, "operator", passwords["operator"])
    assert user.must_change_password  # one-time: changed at first sign-in
    from frt.people.service import LoginFailed

    with pytest.raises(LoginFailed):
        login(store, "ao", passwords["operator"])
