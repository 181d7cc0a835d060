"""Command-line groups: `frt watchlist` (bundles) and `frt governance` (register, public data).

    frt watchlist keygen --out bundle.key
    frt watchlist pack FOLDER CSV --out list.frtwl [--key-file bundle.key]
    frt watchlist inspect list.frtwl [--key-file bundle.key]
    frt watchlist import list.frtwl --deployment ID --as USERNAME --intelligence-reconfirmed
        [--key-file bundle.key] [--replace]
    frt governance register
    frt governance public [--format json|csv]
    frt governance worklist USERNAME

Without --key-file, pack and inspect use this installation's own bundle key (derived from its
data key), so such a bundle imports only here. Nothing printed contains personal data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)

watchlist_app = typer.Typer(
    help="Watchlist bundles: keygen, pack, inspect, import.", no_args_is_help=True
)
app = typer.Typer(help="LFR governance: register, public data, work lists.", no_args_is_help=True)

KeyFile = Annotated[Path | None, typer.Option("--key-file", help="base64 AES-256 bundle key file")]


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(1)


def _store():
    from frt.app import open_store
    from frt.settings import load_settings
    from frt.store.crypto import EncryptionKeyError
    from frt.store.db import StoreNotReady

    try:
        return open_store(load_settings())
    except (EncryptionKeyError, StoreNotReady) as exc:
        raise _fail(str(exc)) from exc


def _key(key_file: Path | None) -> bytes:
    from frt.governance.bundle import BundleError, installation_key, read_key

    if key_file is not None:
        try:
            return read_key(key_file)
        except BundleError as exc:
            raise _fail(str(exc)) from exc
    store = _store()
    try:
        return installation_key(store.cipher)
    finally:
        store.dispose()


@watchlist_app.command("keygen")
def keygen(out: Annotated[Path, typer.Option("--out", help="where to write the key")]) -> None:
    """Make a new bundle key (32 random bytes, base64) in a file only you can read."""
    from frt.governance.bundle import encode_key, generate_key

    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _fail(f"{out} exists; a key is never overwritten") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(encode_key(generate_key()) + "\n")
    console.print(f"bundle key written to {out}")


@watchlist_app.command("pack")
def pack(
    folder: Annotated[Path, typer.Argument(help="folder holding the images")],
    csv_file: Annotated[Path, typer.Argument(metavar="CSV", help="one row per image")],
    out: Annotated[Path, typer.Option("--out", help="the bundle file to write")],
    key_file: KeyFile = None,
) -> None:
    """Pack a folder of images and a CSV into an encrypted Watchlist bundle."""
    from frt.engine.images import decode_image
    from frt.governance.bundle import BundleError, describe, open_bundle
    from frt.governance.bundle import pack as do_pack

    key = _key(key_file)
    try:
        data, _manifest = do_pack(folder, csv_file, key, check_image=decode_image)
        summary = describe(open_bundle(data, key))
    except BundleError as exc:
        raise _fail(str(exc)) from exc
    out.write_bytes(data)
    console.print(
        f"bundle written to {out}: {summary['individuals']} individuals, "
        f"{summary['images']} images (sha256 {summary['sha256'][:16]}…)"
    )


@watchlist_app.command("inspect")
def inspect(
    bundle_file: Annotated[Path, typer.Argument(metavar="BUNDLE")], key_file: KeyFile = None
) -> None:
    """Check a bundle and show its composition (counts only, no personal data)."""
    from frt.governance.bundle import BundleError, describe, open_bundle

    try:
        summary = describe(open_bundle(bundle_file.read_bytes(), _key(key_file)))
    except (BundleError, OSError) as exc:
        raise _fail(str(exc)) from exc
    table = Table("category", "individuals", "images", title=f"{bundle_file.name}: intact")
    for category, row in sorted(summary["by_category"].items()):
        table.add_row(category.replace("_", " "), str(row["individuals"]), str(row["images"]))
    table.add_row("[bold]total", str(summary["individuals"]), str(summary["images"]))
    console.print(table)
    console.print(f"created {summary['created_at']}; sha256 {summary['sha256']}")


@watchlist_app.command("import")
def import_cmd(
    bundle_file: Annotated[Path, typer.Argument(metavar="BUNDLE")],
    deployment: Annotated[str, typer.Option("--deployment", help="the Deployment's id")],
    username: Annotated[str, typer.Option("--as", help="who imports (their roles apply)")],
    key_file: KeyFile = None,
    reconfirmed: Annotated[
        bool,
        typer.Option(
            "--intelligence-reconfirmed",
            help="the intelligence case is re-confirmed as current (000 §6.2(1))",
        ),
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="replace the Watchlist already imported")
    ] = False,
) -> None:
    """Import a bundle into a Deployment: the web import's rules, all or nothing (WL-01…WL-09)."""
    from frt.core.actions import acting
    from frt.core.errors import InputError
    from frt.governance.watchlists import composition, image_warnings, import_bundle
    from frt.policy import PolicyRefusal

    try:
        data = bundle_file.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {bundle_file}: {exc.strerror}") from exc
    key = _key(key_file) if key_file is not None else None
    store = _store()
    try:
        user_id = _user_id(store, username)
        with acting(store, user_id) as ctx:
            wl = import_bundle(
                ctx,
                deployment,
                data,
                key=key,
                intelligence_reconfirmed=reconfirmed,
                replace=replace,
            )
            stats, images = composition(ctx.session, wl.id), image_warnings(ctx.session, wl.id)
    except PolicyRefusal as exc:
        d = exc.decision
        err.print(f"[bold red]refused:[/] {d.reason} ({d.citation}), rule {d.rule}")
        raise typer.Exit(1) from exc
    except InputError as exc:
        raise _fail(str(exc)) from exc
    finally:
        store.dispose()
    warned = sum(1 for i in images if i["warnings"])
    console.print(
        f"Watchlist imported: {stats['individuals']} individuals, {stats['images']} images"
        + (f"; {warned} image(s) with quality warnings (see the Deployment page)" if warned else "")
    )


def _user_id(store, username: str) -> str:
    from frt.people.service import get_user

    with store.session() as session:
        user = get_user(session, username)
        if user is None or user.disabled:
            raise _fail(f"no user '{username}'")
        return user.id


@app.command("register")
def register_cmd() -> None:
    """The register of Deployments (000 §13.6)."""
    from frt.governance.transparency import register

    store = _store()
    with store.session() as session:
        rows = register(session)
    table = Table("authority", "date", "locality", "hours", "state", "individuals", "report")
    for r in rows:
        table.add_row(
            r["authority"],
            r["date"],
            r["locality"],
            str(r["duration_hours"]),
            r["state"],
            str(r["watchlist"]["individuals"]),
            r["report"],
        )
    console.print(table)


@app.command("public")
def public_cmd(fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json") -> None:
    """The public transparency data (004 §9.6): twelve figures per Deployment, no personal data."""
    from frt.governance.transparency import public_csv, public_json

    store = _store()
    with store.session() as session:
        if fmt == "csv":
            typer.echo(public_csv(session), nl=False)
        elif fmt == "json":
            typer.echo(json.dumps(public_json(session), indent=2))
        else:
            raise _fail("--format is json or csv")


@app.command("worklist")
def worklist_cmd(username: str) -> None:
    """What waits for USERNAME (applications, reviews, reports, notifications)."""
    from frt.core.actions import acting
    from frt.governance.worklists import for_user
    from frt.people.service import get_user

    store = _store()
    with store.session() as session:
        user = get_user(session, username)
        if user is None:
            raise _fail(f"no user '{username}'")
        user_id = user.id
    with acting(store, user_id) as ctx:
        items = for_user(ctx)
        table = Table("item", "due", "rule")
        for item in items:
            due = item.due_at.strftime("%Y-%m-%d %H:%M") if item.due_at else ""
            table.add_row(("[red]" if item.overdue else "") + item.title, due, item.citation)
    console.print(table)
