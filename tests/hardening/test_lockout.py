"""Lock-out that no one client can use against someone else, that forgets a lock once it has
run out, and that counts the change-password form too (DATA-05; hardening issue, item 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from frt.people.models import User
from frt.people.service import MAX_FAILED_LOGINS, LoginFailed, login
from frt.store.base import utcnow
from frt.web.throttle import PER_ACCOUNT, PER_CLIENT
from tests.conftest import setup_session
from tests.web.conftest import PASSWORD, form_token, sign_in, signed_in

pytestmark = pytest.mark.req("DATA-05")


def _client(app, address: str) -> TestClient:
    return TestClient(app, base_url="http://testserver", client=(address, 50000))


def test_one_client_cannot_lock_the_administrator_out(app, people):
    with _client(app, "203.0.113.9") as attacker:
        answers = [
            sign_in(attacker, "admin", f"guess number {i}!").status_code
            for i in range(MAX_FAILED_LOGINS + 5)
        ]
    assert set(answers) <= {401, 429}
    with _client(app, "198.51.100.20") as admin:
        assert sign_in(admin, "admin").status_code == 200  # the account itself is not locked


def test_a_client_is_refused_for_an_account_after_its_tries_even_with_the_right_password(
    app, people
):
    with _client(app, "203.0.113.9") as c:
        for _ in range(PER_ACCOUNT):
            assert sign_in(c, "operator", "wrong-password!").status_code == 401
        refused = sign_in(c, "operator")
        assert refused.status_code == 401
        assert refused.json() == sign_in(c, "nobody-at-all").json()


def test_a_client_guessing_across_accounts_is_answered_429(app, store, people):
    from frt.audit import Actor
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank

    with store.session() as db:
        for i in range(PER_CLIENT // PER_ACCOUNT + 1):
            create_user(
                db,
                Actor.system("test"),
                username=f"spare{i}",
                display_name="Spare",
                rank=Rank.SERGEANT,
                roles={Role.APPLICANT},
                password=PASSWORD,
            )
    with _client(app, "203.0.113.9") as c:
        codes = [
            sign_in(c, f"spare{i // (PER_ACCOUNT - 1)}", "not it at all!").status_code
            for i in range(PER_CLIENT + 2)
        ]
        assert codes[:PER_CLIENT] == [401] * PER_CLIENT and codes[-1] == 429
        last = sign_in(c, "operator")
        assert last.status_code == 429 and "Retry-After" in last.headers
        assert "000 §12.1(b)" in last.json()["rule"]


def test_success_clears_a_clients_count_for_that_account(app, people):
    with _client(app, "203.0.113.9") as c:
        for _ in range(PER_ACCOUNT - 1):
            sign_in(c, "operator", "wrong-password!")
        assert sign_in(c, "operator").status_code == 200
    with _client(app, "203.0.113.9") as c:
        for _ in range(PER_ACCOUNT - 1):
            assert sign_in(c, "operator", "wrong-password!").status_code == 401
        assert sign_in(c, "operator").status_code == 200


def test_the_count_starts_afresh_when_a_lock_runs_out(store, people):
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(LoginFailed):
            login(store, "operator", "not the password")
    with setup_session(store) as db:
        user = db.query(User).filter_by(username="operator").one()
        assert user.locked_until is not None
        user.locked_until = utcnow() - timedelta(seconds=1)  # the lock has run out
    with pytest.raises(LoginFailed):
        login(store, "operator", "one typo after")
    with store.session() as db:
        user = db.query(User).filter_by(username="operator").one()
        assert user.failed_logins == 1 and user.locked_until is None  # one typo does not re-lock
    assert login(store, "operator", PASSWORD).username == "operator"


def test_wrong_current_passwords_on_the_change_form_count_and_end_the_session(
    client, store, people
):
    signed_in(client, "operator")
    for i in range(PER_ACCOUNT):
        page = client.get("/account/password")
        assert page.status_code == 200
        answer = client.post(
            "/account/password",
            data={
                "csrf_token": form_token(page.text),
                "current_password": f"a wrong guess {i}",
                "new_password": "a-brand-new-passphrase",
                "confirm_password": "a-brand-new-passphrase",
            },
            follow_redirects=False,
        )
        assert answer.status_code in (400, 303)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    with store.session() as db:
        user = db.query(User).filter_by(username="operator").one()
        assert user.failed_logins == PER_ACCOUNT
    from sqlalchemy import select

    from frt.audit.models import AuditRecord

    with store.session() as db:
        refused = db.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "user.password", AuditRecord.outcome == "refused"
            )
        ).all()
    assert len(refused) == PER_ACCOUNT
