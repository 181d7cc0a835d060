"""DATA-07 (at rest): blobs sealed with AES-256-GCM; a missing or wrong key is a clear error and
loses nothing."""

import base64
import stat

import pytest

from frt.store.crypto import BlobCipher, EncryptionKeyError, generate_key
from frt.store.db import open_store


@pytest.mark.req("DATA-07")
def test_sealed_blobs_round_trip_and_hide_their_content():
    cipher = BlobCipher(generate_key())
    sealed = cipher.seal(b"template bytes", context=b"template:1")
    assert b"template bytes" not in sealed
    assert cipher.open(sealed, context=b"template:1") == b"template bytes"


@pytest.mark.req("DATA-07")
def test_a_blob_moved_to_another_row_is_refused():
    cipher = BlobCipher(generate_key())
    sealed = cipher.seal(b"x", context=b"image:1")
    with pytest.raises(EncryptionKeyError, match="authentication"):
        cipher.open(sealed, context=b"image:2")


@pytest.mark.req("DATA-07")
def test_first_run_creates_a_key_file_only_its_owner_can_read(settings):
    store = open_store(settings, migrate=False)
    store.dispose()
    mode = stat.S_IMODE(settings.key_file.stat().st_mode)
    assert mode == 0o600


@pytest.mark.req("DATA-07")
def test_a_missing_key_file_is_reported_not_silently_replaced(settings):
    open_store(settings, migrate=False).dispose()
    original = settings.key_file.read_bytes()
    settings.key_file.unlink()
    with pytest.raises(EncryptionKeyError, match="Restore the key"):
        open_store(settings, migrate=False)
    assert not settings.key_file.exists()  # no new key was made behind the user's back
    settings.key_file.write_bytes(original)
    settings.key_file.chmod(0o600)  # restored as its owner would (one others can read is refused)
    open_store(settings, migrate=False).dispose()  # the right key opens it again


@pytest.mark.req("DATA-07")
def test_a_wrong_key_is_refused_and_data_stays_readable_with_the_right_one(settings):
    from dataclasses import replace

    from frt.store.meta import KEY_CHECK, StoreMeta

    store = open_store(settings, migrate=False)
    with store.session() as s:
        before = s.get(StoreMeta, KEY_CHECK).value
    store.dispose()
    wrong = replace(settings, secret_key=base64.b64encode(generate_key()).decode())
    with pytest.raises(EncryptionKeyError, match="does not match"):
        open_store(wrong, migrate=False)
    store = open_store(settings, migrate=False)
    with store.session() as s:
        assert s.get(StoreMeta, KEY_CHECK).value == before
    store.dispose()


@pytest.mark.req("DATA-07")
def test_a_malformed_key_names_its_source(settings):
    from dataclasses import replace

    with pytest.raises(EncryptionKeyError, match="FRT_SECRET_KEY"):
        open_store(replace(settings, secret_key="not base64!!"), migrate=False)
