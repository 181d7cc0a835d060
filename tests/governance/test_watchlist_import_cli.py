"""`frt watchlist import BUNDLE --deployment ID --as USERNAME`: the web import's service, rules
and refusals, all or nothing (WL-01, WL-03, WL-05, GOV-16)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from frt.core import actions as context
from frt.governance import outside_policy, watchlists
from frt.governance.bundle import encode_key, generate_key, installation_key
from frt.governance.watchlist_models import Watchlist, WatchlistEntry
from tests.governance.conftest import NOW, START, entry, make_bundle

runner = CliRunner()


@pytest.fixture
def cli(monkeypatch, engine, settings):
    """The CLI against the test store, at NOW, with the memoised face engine."""
    from frt.cli.governance import watchlist_app

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    clock = {"now": NOW}
    monkeypatch.setattr(context, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(watchlists, "default_engine", lambda: engine)

    def _run(*args):
        result = runner.invoke(watchlist_app, ["import", *map(str, args)])
        return result, " ".join(result.output.split())

    _run.clock = clock
    return _run


def _count(store, model) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _bundle(tmp_path, store, *entries, key=None):
    path = tmp_path / "list.frtwl"
    path.write_bytes(make_bundle(key or installation_key(store.cipher), *entries))
    return path


@pytest.mark.req("WL-05", "WL-07")
def test_import_from_the_command_line_with_a_key_file(cli, tmp_path, store, authority, photos):
    _auth_id, dep_id = authority()
    key = generate_key()
    (tmp_path / "bundle.key").write_text(encode_key(key) + "\n")
    two = (entry(photos=photos), entry("W-2", "suspect", (("hopper", None, ""),), photos))
    path = _bundle(tmp_path, store, *two, key=key)
    args = (path, "--deployment", dep_id, "--as", "silver", "--key-file", tmp_path / "bundle.key")
    result, out = cli(*args)
    assert result.exit_code == 1 and "re-confirmed" in out and "000 §6.2(1)" in out
    result, out = cli(*args, "--intelligence-reconfirmed")
    assert result.exit_code == 0, out
    assert "2 individuals, 2 images" in out and "W-2" not in out  # counts only
    result, out = cli(*args, "--intelligence-reconfirmed")
    assert result.exit_code == 1 and "already has a Watchlist" in out
    assert cli(*args, "--intelligence-reconfirmed", "--replace")[0].exit_code == 0


@pytest.mark.req("WL-01", "WL-03", "WL-05")
def test_command_line_refusals_name_their_rule_and_import_nothing(
    cli, tmp_path, store, authority, photos
):
    _auth_id, dep_id = authority(categories=["wanted_by_courts"])
    base = ("--deployment", dep_id, "--intelligence-reconfirmed")
    cases = [
        (entry(category="suspect", photos=photos), "silver", "000 §6.2"),
        (entry(flags=["under_13"], photos=photos), "silver", "000 §6.7"),
        (entry(photos=photos), "operator", "000 §12.1(d)"),
    ]
    for item, who, rule in cases:
        result, out = cli(_bundle(tmp_path, store, item), *base, "--as", who)
        assert result.exit_code == 1 and f"({rule})" in out and "refused" in out, out
    cli.clock["now"] = START - timedelta(hours=25)
    result, out = cli(_bundle(tmp_path, store, entry(photos=photos)), *base, "--as", "silver")
    assert result.exit_code == 1 and "too early" in out and "000 §6.2(4)" in out
    assert _count(store, Watchlist) == _count(store, WatchlistEntry) == 0


@pytest.mark.req("WL-05")
def test_command_line_bad_input_is_a_clear_error(cli, tmp_path, store, authority, photos):
    _auth_id, dep_id = authority()
    base = ("--deployment", dep_id, "--as", "silver", "--intelligence-reconfirmed")
    result, out = cli(tmp_path / "missing.frtwl", *base)
    assert result.exit_code == 1 and "cannot read" in out
    path = _bundle(tmp_path, store, entry(photos=photos), key=generate_key())
    result, out = cli(path, *base)  # a bundle sealed with another key
    assert result.exit_code == 1 and "key" in out, out
    result, out = cli(path, "--deployment", dep_id, "--as", "nobody", "--intelligence-reconfirmed")
    assert result.exit_code == 1 and "no user 'nobody'" in out
    result, out = cli(path, "--deployment", "no-such-id", "--as", "silver")
    assert result.exit_code == 1 and "no Deployment" in out
    assert _count(store, Watchlist) == 0


@pytest.mark.req("GOV-16", "WL-05")
def test_command_line_import_uses_a_recorded_decision_outside_policy(
    cli, tmp_path, act, store, authority, photos
):
    _auth_id, dep_id = authority()
    early = START - timedelta(hours=30)
    cli.clock["now"] = early
    with act("gold", now=early) as ctx:
        outside_policy.record(
            ctx,
            outside_policy.Scope(outside_policy.WATCHLIST_IMPORT, dep_id),
            "The only window the engineer has before the event; the list will be re-checked",
            legal_advice="DLS ref 12",
        )
    path = _bundle(tmp_path, store, entry(photos=photos))
    result, out = cli(path, "--deployment", dep_id, "--as", "silver", "--intelligence-reconfirmed")
    assert result.exit_code == 0, out
