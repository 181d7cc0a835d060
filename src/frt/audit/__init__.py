"""The append-only, hash-chained audit log and its verification (DATA-04)."""

from frt.audit.log import Actor, AuditAccessDenied, Outcome, Verification, read, record, verify

__all__ = [
    "Actor",
    "AuditAccessDenied",
    "Outcome",
    "Verification",
    "attach",
    "read",
    "record",
    "verify",
]


def attach(store) -> None:
    """Give every session of `store` what the audit log needs: the chain's MAC key (derived from
    the data key, never stored) and the checkpoint signer (a key file and folder outside the
    database). The composition root calls it (`frt.app.wire`)."""
    from frt.audit.chain import KEY_INFO, PURPOSE
    from frt.audit.checkpoint import SIGNER_INFO, Signer

    settings, cipher = store.settings, store.cipher
    signer = Signer(
        settings.audit_signing_key_file, settings.audit_checkpoint_dir, cipher.key_id.hex()
    )
    store.sessions.configure(info={KEY_INFO: cipher.derive_secret(PURPOSE), SIGNER_INFO: signer})
