"""The append-only, hash-chained audit log and its verification (DATA-04)."""

from frt.audit.log import Actor, AuditAccessDenied, Outcome, Verification, read, record, verify

__all__ = ["Actor", "AuditAccessDenied", "Outcome", "Verification", "read", "record", "verify"]
