"""The Watchlist bundle format and `frt watchlist keygen | pack | inspect` (WL-05, DATA-07)."""

import pytest
from typer.testing import CliRunner

from frt.cli.governance import watchlist_app
from frt.governance import watchlists
from frt.governance.bundle import BundleError, open_bundle, read_key

runner = CliRunner()
HEADER = (
    "reference,category,warning_markers,image_source,image_layer,legal_basis,flags,"
    "rationale,image,image_captured_on,threshold,threshold_reason\n"
)


@pytest.fixture
def folder(tmp_path, photos):
    (tmp_path / "imgs").mkdir()
    for name in ("hopper", "hopper_mirrored", "astronaut", "not_an_image"):
        (tmp_path / "imgs" / f"{name}.jpg").write_bytes(photos[name])
    key = tmp_path / "bundle.key"
    assert runner.invoke(watchlist_app, ["keygen", "--out", str(key)]).exit_code == 0
    return tmp_path


def flat(result) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def _pack(folder, csv_text):
    (folder / "list.csv").write_text(csv_text)
    return runner.invoke(
        watchlist_app,
        [
            "pack",
            str(folder / "imgs"),
            str(folder / "list.csv"),
            "--out",
            str(folder / "list.frtwl"),
            "--key-file",
            str(folder / "bundle.key"),
        ],
    )


GOOD = HEADER + (
    "JONES-1,wanted_by_courts,violence;weapons,police_custody,,PACE s.64A,,,hopper.jpg,"
    "2025-01-02,,\n"
    "JONES-1,wanted_by_courts,violence;weapons,police_custody,,PACE s.64A,,,hopper_mirrored.jpg,"
    "2024-05-06,0.95,two false alerts in testing\n"
    "SMITH-2,suspect,,police_other,,Common law,,,astronaut.jpg,2025-03-04,,\n"
)


@pytest.mark.req("WL-05", "DATA-07", "WL-07")
def test_pack_and_inspect_a_bundle_then_import_it(folder, act, authority, engine):
    result = _pack(folder, GOOD)
    assert result.exit_code == 0, result.output
    assert "2 individuals, 3 images" in flat(result)
    data = (folder / "list.frtwl").read_bytes()
    assert b"JONES" not in data and b"hopper" not in data  # encrypted, names not carried
    shown = runner.invoke(
        watchlist_app,
        ["inspect", str(folder / "list.frtwl"), "--key-file", str(folder / "bundle.key")],
    )
    assert shown.exit_code == 0 and "wanted by courts" in flat(shown)
    assert "JONES" not in flat(shown)
    bundle = open_bundle(data, read_key(folder / "bundle.key"))
    jones = bundle.manifest.entries[0]
    assert jones.warning_markers == ["violence", "weapons"] and len(jones.images) == 2
    assert jones.images[1].threshold == 0.95 and str(jones.images[1].captured_on) == "2024-05-06"
    assert all(img.file.startswith("images/") and "hopper" not in img.file for img in jones.images)
    _, dep_id = authority()
    with act("silver") as ctx:
        wl = watchlists.import_bundle(
            ctx,
            dep_id,
            data,
            key=read_key(folder / "bundle.key"),
            intelligence_reconfirmed=True,
            engine=engine,
        )
        assert watchlists.composition(ctx.session, wl.id)["images"] == 3


@pytest.mark.req("WL-05")
def test_a_csv_with_a_missing_column_is_a_clear_error(folder):
    text = GOOD.replace("legal_basis,", "basis,", 1)
    result = _pack(folder, text)
    assert result.exit_code == 1
    assert "lacks the column(s): legal_basis" in flat(result)
    assert not (folder / "list.frtwl").exists()


@pytest.mark.req("WL-04")
def test_pack_refuses_a_file_that_is_not_an_image(folder):
    result = _pack(
        folder, HEADER + "X-1,suspect,,police_custody,,b,,,not_an_image.jpg,2025-01-01,,\n"
    )
    assert result.exit_code == 1 and "CSV line 2" in flat(result) and "not an image" in flat(result)
    assert not (folder / "list.frtwl").exists()


@pytest.mark.req("WL-01", "WL-02", "WL-03")
@pytest.mark.parametrize(
    "row, message",
    [
        ("X-1,burglar,,police_custody,,b,,,hopper.jpg,2025-01-01,,", "category 'burglar'"),
        ("X-1,suspect,,scraped,,b,,,hopper.jpg,2025-01-01,,", "image_source 'scraped'"),
        ("X-1,suspect,,police_custody,,b,under_5,,hopper.jpg,2025-01-01,,", "flags 'under_5'"),
        ("X-1,suspect,,police_custody,,b,,,hopper.jpg,01/02/2025,,", "CSV line 2"),
        ("X-1,suspect,,police_custody,,b,,,../secret.jpg,2025-01-01,,", "not found"),
        ("X-1,suspect,,police_custody,,,,,hopper.jpg,2025-01-01,,", "'legal_basis' is empty"),
    ],
)
def test_pack_refuses_bad_rows_naming_the_line(folder, row, message):
    result = _pack(folder, HEADER + row + "\n")
    assert result.exit_code == 1 and message in flat(result), result.output


def test_rows_of_one_subject_must_agree(folder):
    text = GOOD.replace(
        "violence;weapons,police_custody,,PACE s.64A,,,hopper_mirrored",
        "violence,police_custody,,PACE s.64A,,,hopper_mirrored",
    )
    result = _pack(folder, text)
    assert result.exit_code == 1 and "differs from the subject's first row" in flat(result)


@pytest.mark.req("DATA-07")
def test_inspect_with_the_wrong_key_is_a_clear_error(folder, tmp_path):
    assert _pack(folder, GOOD).exit_code == 0
    other = tmp_path / "other.key"
    runner.invoke(watchlist_app, ["keygen", "--out", str(other)])
    result = runner.invoke(
        watchlist_app, ["inspect", str(folder / "list.frtwl"), "--key-file", str(other)]
    )
    assert result.exit_code == 1 and "sealed for key" in flat(result)
    with pytest.raises(BundleError, match="no FRTWLB01 header"):
        open_bundle(b"PK\x03\x04 not a bundle" * 5, read_key(other))
    assert runner.invoke(watchlist_app, ["keygen", "--out", str(other)]).exit_code == 1
