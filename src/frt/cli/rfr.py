"""`frt rfr …`: Retrospective Facial Recognition's bulk and set-up commands.

    frt rfr library list
    frt rfr library import LIBRARY FOLDER|CSV --as USERNAME [--workers N]
    frt rfr library reenrol LIBRARY --as USERNAME [--algorithm NAME] [-o KEY=VALUE ...]
    frt rfr worklist USERNAME
    frt rfr jobs

`frt rfr jobs` runs the scheduled RFR jobs once (`frt serve` runs them every few minutes): RFR
retention (003 §7.1), the Unresolved Crime Cache's re-search of new images (§6) and the usage
reports due (§9.1).

Everything else (Forms 1–3, approvals, searches, Adjudication) is a page and an API call. An
import or re-enrolment runs as the named FR Team member or Operational Lead: their roles apply
and every batch is in the audit log. A killed run is resumed by running the same command again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)

app = typer.Typer(
    help="Retrospective Facial Recognition: libraries, enrolment, work lists.", no_args_is_help=True
)
library_app = typer.Typer(
    help="Image Reference Libraries and their enrolment.", no_args_is_help=True
)
app.add_typer(library_app, name="library")


def _store():
    from frt.cli import _store as open_configured

    return open_configured()


def _user_id(store, username: str) -> str:
    from frt.people.service import get_user

    with store.session() as s:
        user = get_user(s, username)
        if user is None:
            err.print(f"[bold red]error:[/] no user '{username}'")
            raise typer.Exit(1)
        return user.id


def _refused(exc) -> typer.Exit:
    from frt.policy import PolicyRefusal

    if isinstance(exc, PolicyRefusal):
        d = exc.decision
        err.print(f"[bold red]refused:[/] {d.reason} ([cyan]{d.citation}[/], {d.rule})")
    else:
        err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(1)


@library_app.command("list")
def library_list() -> None:
    """Every library with its kind, status, Image Level, review date and images enrolled."""
    from frt.rfr import libraries
    from frt.store.base import utcnow

    store = _store()
    table = Table(
        "reference", "name", "kind", "status", "level", "review due", "images", "searchable"
    )
    with store.session() as s:
        for lib in libraries.all_libraries(s):
            ok = libraries.searchable(lib, utcnow())
            table.add_row(
                lib.reference,
                lib.name,
                lib.kind,
                lib.status,
                str(lib.image_level or "-"),
                f"{lib.review_due:%Y-%m-%d}" if lib.review_due else "-",
                str(libraries.image_count(s, lib.id)),
                "yes" if ok else f"no ({ok.rule})",
            )
    console.print(table)


def _progress(title: str):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(title),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _summary(summary, what: str) -> None:
    console.print(
        f"{what}: [bold]{summary.enrolled}[/] enrolled, [bold]{summary.refused}[/] "
        f"refused, {summary.skipped} already there (skipped) of {summary.total}; "
        f"job {summary.job_id}"
    )
    if getattr(summary, "cautious", 0):
        console.print(
            f"{summary.cautious} image(s) have no age band or MOPI group: each is kept by the "
            "most cautious cell of the retention table (003 §7.1(b)(i))"
        )
    if summary.reasons:
        table = Table("refused because", "images", title="Refusals")
        for reason, n in summary.reasons.most_common():
            table.add_row(reason, str(n))
        console.print(table)


@library_app.command("import")
def library_import(
    library: Annotated[str, typer.Argument(help="library reference (RFR-L-0001) or id")],
    source: Annotated[
        Path,
        typer.Argument(
            help="a folder of images, or a CSV with a 'file' "
            "column and optional captured_on, "
            "date_of_birth, age_band, mopi_group, "
            "source_reference"
        ),
    ],
    username: Annotated[str, typer.Option("--as", help="the FR Team member importing")],
    workers: Annotated[
        Optional[int], typer.Option(help="worker processes (default: one per core)")
    ] = None,
) -> None:
    """Enrol a folder or CSV of images into an approved library (RFR-03); resumable."""
    from frt.core.errors import InputError
    from frt.policy import PolicyRefusal
    from frt.rfr.enrol import run_import

    store = _store()
    user_id = _user_id(store, username)
    with _progress("enrolling") as bar:
        task = bar.add_task("enrol", total=None)
        try:
            summary = run_import(
                store,
                user_id,
                library,
                source,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except (PolicyRefusal, InputError) as exc:
            raise _refused(exc) from None
    _summary(summary, "import")


@library_app.command("reenrol")
def library_reenrol(
    library: Annotated[str, typer.Argument(help="library reference or id")],
    username: Annotated[str, typer.Option("--as", help="the FR Team member re-enrolling")],
    algorithm: Annotated[str, typer.Option(help="template algorithm")] = "dlib-resnet",
    option: Annotated[
        Optional[list[str]],
        typer.Option("-o", "--option", help="algorithm option KEY=VALUE (e.g. zoom=false)"),
    ] = None,
    workers: Annotated[Optional[int], typer.Option(help="worker processes")] = None,
) -> None:
    """Template a library's originals under another algorithm version (RFR-03); resumable."""
    from frt.core.errors import InputError
    from frt.engine.enrol import EngineSpec
    from frt.policy import PolicyRefusal
    from frt.rfr.enrol import run_reenrol

    spec = EngineSpec(
        detector="thorough",
        algorithm=algorithm,
        algorithm_options=_options(option or []),
        quality_gate=True,
    )
    store = _store()
    user_id = _user_id(store, username)
    with _progress("re-enrolling") as bar:
        task = bar.add_task("reenrol", total=None)
        try:
            summary = run_reenrol(
                store,
                user_id,
                library,
                spec=spec,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except (PolicyRefusal, InputError) as exc:
            raise _refused(exc) from None
    _summary(summary, "re-enrolment")


def _options(pairs: list[str]) -> dict:
    """key=value pairs; values parsed as JSON where they can be (false, 3), else strings."""
    import json

    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


@app.command("worklist")
def worklist(username: str) -> None:
    """What waits for this user in RFR, for each of their roles."""
    from frt.people.models import User
    from frt.policy import load_profile
    from frt.rfr import worklists
    from frt.store.base import utcnow

    store = _store()
    user_id = _user_id(store, username)
    profile = load_profile(store.settings.policy_profile)
    with store.session() as s:
        user = s.get(User, user_id)
        for role, items in worklists.FOR_ROLE.items():
            if role not in user.roles:
                continue
            kwargs = {"profile": profile} if role.value == "rfr_approving_officer" else {}
            found = items(s, user, utcnow(), **kwargs)
            console.print(f"[bold]{role.label}[/]: {len(found)} item(s)")
            for item in found:
                console.print(f"  {item.label}  [dim]{item.detail}[/]  {item.href}")


@app.command("jobs")
def jobs_once() -> None:
    """Run the RFR jobs once: retention, the Unresolved Crime Cache, the reports due."""
    from frt.jobs import rfr, run_once

    store = _store()
    done = run_once(store, "rfr", rfr)
    if done is None:
        console.print("another process is running the RFR jobs now; nothing done here")
        return
    kept = done["retention"]
    console.print(
        f"retention: {kept['libraries']} libraries, {kept['images']} library images and "
        f"{kept['probes']} probes deleted (003 §7.1)"
    )
    found = done["cache"]
    console.print(
        f"Unresolved Crime Cache: {found.searched} probes re-searched, {found.hits} new "
        f"candidates, {found.overdue} skipped (review overdue)"
    )
    console.print(f"reports delivered: {done['reports']}")
