"""DATA-04 against someone who can write the database (hardening issue, item 3): with the
triggers dropped, cutting the tail, deleting everything, or editing a record and re-hashing all
after it — with plain SHA-256, a wrong key, or even the right MAC key — is detected by verify, from
the MACs and from signed checkpoints kept outside the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from typer.testing import CliRunner

from frt.audit import Actor, record, verify
from frt.audit.chain import GENESIS, KEY_INFO, link_mac, record_mac
from frt.audit.checkpoint import SIGNER_INFO, Checkpoint, raw_public
from frt.audit.jobs import checkpoint, link_all
from frt.audit.models import AuditLink, AuditRecord

pytestmark = pytest.mark.req("DATA-04")

AUDITOR = Actor("u-auditor", "auditor")
OPERATOR = Actor("u-operator", "lfr_operator")


def _fill(store, n: int) -> None:
    with store.session() as s:
        for i in range(n):
            record(s, OPERATOR, "test.action", object_type="thing", object_id=f"t{i}")
    link_all(store)


def _drop_triggers(conn) -> None:
    """What a database administrator can do: take the append-only guard away."""
    if conn.dialect.name == "sqlite":
        for table in ("audit_records", "audit_links"):
            conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
            conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")
        return
    for table, names in {
        "audit_records": ("append_only", "no_truncate"),
        "audit_links": ("append_only", "no_truncate"),
    }.items():
        for name in names:
            conn.exec_driver_sql(f"DROP TRIGGER {table}_{name} ON {table}")


def _sql(store, *statements) -> None:
    with store.engine.begin() as conn:
        _drop_triggers(conn)
        for sql in statements:
            conn.exec_driver_sql(sql)


def _verify(store, **kwargs):
    with store.session() as s:
        return verify(s, AUDITOR, **kwargs)


@pytest.fixture
def checkpointed(store):
    """Ten linked records and a signed checkpoint of them kept outside the database."""
    _fill(store, 10)
    made, _path = checkpoint(store)
    assert made.records == 10
    return made


def _rehash_from(store, seq: int, mac_record, mac_link) -> None:
    """Edit record `seq`, then recompute its MAC and every link from it on, as an attacker
    would: `mac_record(entry)` and `mac_link(pos, seq, record_mac, prev)` are the attacker's."""
    with store.engine.begin() as conn:
        _drop_triggers(conn)
        conn.execute(
            text("UPDATE audit_records SET outcome = 'refused' WHERE seq = :s"), {"s": seq}
        )
    with store.sessions() as s, s.begin():
        entry = s.get(AuditRecord, seq)
        new_mac = mac_record(entry)
        s.execute(
            text("UPDATE audit_records SET hash = :h WHERE seq = :s"), {"h": new_mac, "s": seq}
        )
        links = s.query(AuditLink).order_by(AuditLink.pos).all()
        prev = GENESIS
        for link in links:
            rec_mac = new_mac if link.record_seq == seq else link.record_mac
            if link.record_seq >= seq:
                mac = mac_link(link.pos, link.record_seq, rec_mac, prev)
                s.execute(
                    text("UPDATE audit_links SET record_mac = :r, mac = :m WHERE pos = :p"),
                    {"r": rec_mac, "m": mac, "p": link.pos},
                )
                prev = mac
            else:
                prev = link.mac


def test_deleting_the_tail_is_caught_by_the_checkpoint(store, checkpointed):
    _sql(store, "DELETE FROM audit_links WHERE pos > 7", "DELETE FROM audit_records WHERE seq > 7")
    result = _verify(store)
    assert not result.ok and "truncated" in result.problem
    assert "counted 10" in result.problem and "holds 7" in result.problem


def test_deleting_records_but_not_their_links_names_the_first_deleted(store, checkpointed):
    _sql(store, "DELETE FROM audit_records WHERE seq > 7")
    result = _verify(store)
    assert not result.ok and result.first_bad_seq == 8 and "deleted" in result.problem


def test_deleting_everything_is_caught_by_the_checkpoint(store, checkpointed):
    _sql(store, "DELETE FROM audit_links", "DELETE FROM audit_records")
    result = _verify(store)
    assert not result.ok and "every record was deleted" in result.problem


def test_an_edit_rehashed_with_plain_sha256_is_caught_at_the_edited_record(store, checkpointed):
    def sha(data: str) -> str:
        return hashlib.sha256(data.encode()).hexdigest()

    _rehash_from(
        store,
        4,
        lambda e: sha(f"{e.seq}{e.action}{e.outcome}"),
        lambda pos, seq, rec, prev: sha(f"{pos}{seq}{rec}{prev}"),
    )
    result = _verify(store)
    assert not result.ok and result.first_bad_seq == 4 and "edited" in result.problem


def test_an_edit_rehashed_with_a_wrong_key_is_caught_at_the_edited_record(store, checkpointed):
    wrong = os.urandom(32)
    _rehash_from(
        store,
        4,
        lambda e: record_mac(wrong, e),
        lambda pos, seq, rec, prev: link_mac(wrong, pos, seq, rec, prev),
    )
    result = _verify(store)
    assert not result.ok and result.first_bad_seq == 4 and "edited" in result.problem


def test_an_edit_rehashed_with_the_right_mac_key_is_caught_by_the_signed_checkpoint(
    store, checkpointed
):
    """Even someone who has the data key (and so the MAC key) but not the signing key."""
    with store.sessions() as s:
        key = s.info[KEY_INFO]
    _rehash_from(
        store,
        4,
        lambda e: record_mac(key, e),
        lambda pos, seq, rec, prev: link_mac(key, pos, seq, rec, prev),
    )
    result = _verify(store)
    assert not result.ok and "re-forged" in result.problem and result.first_bad_seq == 10


def test_a_checkpoint_signed_by_another_key_is_refused(store, checkpointed, tmp_path):
    forger = Ed25519PrivateKey.generate()
    forged = Checkpoint(
        checkpointed.installation,
        3,
        GENESIS,
        checkpointed.at,
        raw_public(forger.public_key()).hex(),
    )
    forged = Checkpoint(
        **{**forged.__dict__, "signature": base64.b64encode(forger.sign(forged.body())).decode()}
    )
    result = _verify(store, checkpoints=[forged])
    assert not result.ok and "not signed by the trusted public key" in result.problem


def test_an_altered_checkpoint_does_not_verify(store, checkpointed):
    altered = Checkpoint(**{**checkpointed.__dict__, "records": 5})
    with store.sessions() as s:
        head5 = s.get(AuditLink, 5).mac
    altered = Checkpoint(**{**altered.__dict__, "head": head5})
    result = _verify(store, checkpoints=[altered])
    assert not result.ok and "does not verify" in result.problem


def test_the_auditors_public_key_catches_a_replaced_signing_key(store, checkpointed):
    with store.sessions() as s:
        signer = s.info[SIGNER_INFO]
    auditor_copy = signer.public_key_bytes()
    signer.key_file.unlink()  # someone with the laptop makes a new key and re-signs
    _sql(store, "DELETE FROM audit_links WHERE pos > 7", "DELETE FROM audit_records WHERE seq > 7")
    for kept in signer.folder.glob("*.json"):
        kept.unlink()
    checkpoint(store)
    assert _verify(store).ok  # the installation now vouches for itself...
    result = _verify(store, checkpoints=[checkpointed], trusted_key=auditor_copy)
    assert not result.ok  # ...but not to the auditor holding the first key and checkpoint


def test_a_record_inserted_without_the_key_is_never_linked_and_is_named(store, checkpointed):
    fake = hmac.new(b"guess", b"x", hashlib.sha256).hexdigest()
    _sql(
        store,
        "INSERT INTO audit_records (seq, at, role, action, outcome, detail, hash) VALUES "
        f"(500, '2026-01-01 00:00:00+00:00', 'x', 'forged', 'ok', '{{}}', '{fake}')",
    )
    assert link_all(store) == 0
    result = _verify(store)
    assert not result.ok and result.first_bad_seq == 500 and "forged" in result.problem


def test_frt_audit_verify_detects_truncation_from_the_checkpoint_kept_locally(
    store, settings, checkpointed, monkeypatch, tmp_path
):
    from frt.cli import app

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    exported = tmp_path / "cp.json"
    public = tmp_path / "frt-audit.pub"
    assert runner.invoke(app, ["audit", "checkpoint", "--out", str(exported)]).exit_code == 0
    assert runner.invoke(app, ["audit", "public-key", "--out", str(public)]).exit_code == 0
    ok = runner.invoke(
        app, ["audit", "verify", "--checkpoint", str(exported), "--public-key", str(public)]
    )
    assert ok.exit_code == 0 and "intact" in ok.output
    _sql(store, "DELETE FROM audit_links WHERE pos > 5", "DELETE FROM audit_records WHERE seq > 5")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 2 and "truncated" in broken.output


def _legacy(store, seq: int, prev: str) -> str:
    """A record as FRT wrote them before migration 0009: a plain SHA-256 chain."""
    from frt.audit.chain import legacy_hash

    entry = AuditRecord(
        seq=seq,
        at=datetime(2026, 1, 1, tzinfo=UTC),
        user_id=None,
        role="cli",
        action="user.create",
        object_type="user",
        object_id=f"u{seq}",
        outcome="ok",
        detail={},
        prev_hash=prev,
    )
    entry.hash = legacy_hash(entry)
    with store.engine.begin() as conn:
        conn.execute(
            AuditRecord.__table__.insert().values(
                seq=seq,
                at=entry.at,
                user_id=None,
                role="cli",
                action=entry.action,
                object_type="user",
                object_id=entry.object_id,
                outcome="ok",
                detail={},
                prev_hash=prev,
                hash=entry.hash,
            )
        )
        if conn.dialect.name == "postgresql":  # as migration 0009 set it for the rows it found
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('audit_records', 'seq'), "
                "(SELECT MAX(seq) FROM audit_records))"
            )
    return entry.hash


def test_records_from_before_the_keyed_chain_are_adopted_once(store):
    prev = GENESIS
    for seq in (1, 2, 3):
        prev = _legacy(store, seq, prev)
    _fill(store, 2)  # new records after the upgrade; the first link pass adopts the old ones
    assert _verify(store).ok
    _legacy(store, 100, prev)  # one made to look old later is never adopted
    link_all(store, full=True)
    with store.sessions() as s:
        assert s.query(AuditLink).filter_by(record_seq=100).first() is None
    result = _verify(store)
    assert not result.ok and result.first_bad_seq == 100 and "never linked" in result.problem
