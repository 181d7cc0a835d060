"""A self-signed certificate for development and trials (`frt certs dev`), so even a laptop
demonstration serves HTTPS (DATA-06; 000 §12.1(f)–(g)). A force's deployment uses its own PKI.

It is kept: `frt serve` and `frt certs dev` reuse the one in the folder while it is valid for
`RENEW_BEFORE` more days, names every host asked for and matches its key, so a browser that has
accepted it once is not asked again at every start (`frt certs dev --renew` makes a new one).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from frt.store.files import ExposedKeyFile, check_private, private_dir, write_private

VALID_FOR = dt.timedelta(days=365)
RENEW_BEFORE = dt.timedelta(days=30)
ALWAYS = ["localhost", "127.0.0.1", "::1"]
CERT_FILE = "frt-dev-cert.pem"
KEY_FILE = "frt-dev-key.pem"


def make_dev_certificate(
    directory: Path, hostnames: list[str], *, renew: bool = False
) -> tuple[Path, Path]:
    """The folder's certificate and key (mode 0600) if still good for `hostnames`, else a new
    self-signed pair; returns (certfile, keyfile)."""
    directory = private_dir(Path(directory))
    names = list(dict.fromkeys([*ALWAYS, *(h.strip() for h in hostnames if h.strip())]))
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    if not renew and _reusable(cert_path, key_path, names):
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key, names)
    write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        replace=True,
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _certificate(key: ec.EllipticCurvePrivateKey, names: list[str]) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FRT development certificate"),
        ]
    )
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


def _reusable(cert_path: Path, key_path: Path, names: list[str]) -> bool:
    if not (cert_path.is_file() and key_path.is_file()):
        return False
    try:
        check_private(key_path, what="TLS private key")
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, ExposedKeyFile):
        return False
    fresh = cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc) > RENEW_BEFORE
    same_key = _spki(cert.public_key()) == _spki(key.public_key())
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    held = {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    held |= set(san.get_values_for_type(x509.DNSName))
    return fresh and same_key and set(names) <= held


def _spki(public_key) -> bytes:
    """A public key's SubjectPublicKeyInfo: equal bytes, same key, whatever the key type."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
