"""A self-signed certificate for development and trials (`frt certs dev`), so even a laptop
demonstration serves HTTPS (DATA-06; 000 §12.1(f)–(g)). A force's deployment uses its own PKI.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR = dt.timedelta(days=365)
ALWAYS = ["localhost", "127.0.0.1", "::1"]
CERT_FILE = "frt-dev-cert.pem"
KEY_FILE = "frt-dev-key.pem"


def make_dev_certificate(directory: Path, hostnames: list[str]) -> tuple[Path, Path]:
    """Write a self-signed certificate and its key (mode 0600); returns (certfile, keyfile)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    names = list(dict.fromkeys([*ALWAYS, *(h.strip() for h in hostnames if h.strip())]))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key, names)
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    _write_private(key_path, key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _certificate(key: ec.EllipticCurvePrivateKey, names: list[str]) -> x509.Certificate:
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FRT development certificate"),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start (no window where another user could read it).
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
