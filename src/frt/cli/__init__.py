"""The `frt` command: set up, run and inspect an FRT installation."""

from __future__ import annotations

import logging
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from frt.settings import load_settings

if TYPE_CHECKING:
    from frt.demo import DemoScenario

console = Console()
err = Console(stderr=True)

app = typer.Typer(
    help="FRT: Live and Retrospective Facial Recognition inside the governance of UK police policy.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="The database: migrate it to this version of FRT.", no_args_is_help=True)
users_app = typer.Typer(
    help="People: accounts, ranks, roles and training records.", no_args_is_help=True
)
policy_app = typer.Typer(
    help="The force policy profile in force, with its citations.", no_args_is_help=True
)
audit_app = typer.Typer(help="The append-only audit log: verify and read it.", no_args_is_help=True)
certs_app = typer.Typer(help="TLS certificates for the dashboard and API.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")
app.add_typer(certs_app, name="certs")

CLI = "cli"  # the role recorded in the audit log for actions taken at the command line


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _store(migrate: bool | None = None):
    """Open the configured store, turning setup problems into one clear line."""
    from frt.app import open_store
    from frt.store.crypto import EncryptionKeyError
    from frt.store.db import StoreNotReady

    try:
        return open_store(load_settings(), migrate=migrate)
    except (EncryptionKeyError, StoreNotReady) as exc:
        raise _fail(str(exc)) from exc


def _actor():
    """The command line acting: recorded with the login of the person who ran the command
    (issue 12, item 9), e.g. role "cli:jbloggs"."""
    from frt.audit import Actor

    return Actor.system(cli_role())


def cli_role() -> str:
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        login = "unknown"
    return f"{CLI}:{login}"[:40]


# ---------------------------------------------------------------- db
@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (embedded SQLite or FRT_DATABASE_URL) to this version."""
    store = _store(migrate=True)
    console.print(f"database at head: {store.engine.url.render_as_string(hide_password=True)}")
    _print_first_admin(store)


def _print_first_admin(store) -> None:
    from frt.people.service import ensure_first_admin

    with store.session() as session:
        first = ensure_first_admin(session)
    if first:
        console.print(
            f"[bold]First run:[/] administrator [cyan]{first.username}[/] created with one-time "
            f"password [bold yellow]{first.password}[/] (shown once; change it at first login)."
        )


# ---------------------------------------------------------------- users
@users_app.command("add")
def users_add(
    username: str,
    rank: Annotated[str, typer.Option(help="e.g. inspector, superintendent, staff_band_c")],
    role: Annotated[list[str], typer.Option("--role", help="repeat for several roles")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="read the password from the first line of standard input"
        ),
    ] = False,
    prompt: Annotated[
        bool, typer.Option("--prompt", help="ask for the password (not echoed)")
    ] = False,
) -> None:
    """Add a user with a rank and one or more roles. Without --password-stdin or --prompt a
    one-time password is generated; a password is never taken as an argument (it would stay in
    the shell's history and the process list)."""
    from frt.people.roles import Role
    from frt.people.service import PeopleError, create_user, new_password
    from frt.policy.ranks import Rank

    try:
        rank_value = Rank(rank)
        roles = {Role(r) for r in role}
    except ValueError as exc:
        raise _fail(
            f"{exc}. Ranks: {', '.join(r.value for r in Rank)}. "
            f"Roles: {', '.join(r.value for r in Role)}"
        ) from exc
    password = _password_input(password_stdin, prompt)
    generated = password is None
    password = password or new_password()
    store = _store()
    try:
        with store.session() as session:
            create_user(
                session,
                _actor(),
                username=username,
                display_name=name or username,
                rank=rank_value,
                roles=roles,
                password=password,
                must_change_password=generated,
            )
    except PeopleError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"user [cyan]{username}[/] added")
    if generated:
        console.print(f"one-time password: [bold yellow]{password}[/] (change at first login)")


def _password_input(from_stdin: bool, prompt: bool) -> str | None:
    if from_stdin and prompt:
        raise _fail("give --password-stdin or --prompt, not both")
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise _fail("--password-stdin: standard input held no password")
        return line
    if prompt:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return None


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """End an account's lock-out after failed sign-ins (and start its count afresh)."""
    from frt.people.service import PeopleError, unlock

    store = _store()
    try:
        with store.session() as session:
            unlock(session, _actor(), username)
    except PeopleError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"user [cyan]{username}[/] unlocked")


@users_app.command("list")
def users_list() -> None:
    """List users with rank, roles, state and training expiries."""
    from frt.people.service import is_locked, list_users

    store = _store()
    from frt.people.roles import Role

    table = Table(
        "username", "name and rank", "roles", "state", "training to", box=None, pad_edge=False
    )
    with store.session() as session:
        for user in list_users(session):
            state = "disabled" if user.disabled else "locked" if is_locked(user) else "active"
            training = "\n".join(f"{k} {v:%d %b %Y}" for k, v in user.training_expiries().items())
            roles = "\n".join(sorted(_role_label(Role, r) for r in user.roles_json))
            table.add_row(
                user.username,
                f"{user.display_name}\n[dim]{user.rank_enum.label}[/]",
                roles,
                state,
                training or "-",
            )
    console.print(table)


def _role_label(role_enum, value: str) -> str:
    try:
        return role_enum(value).label
    except ValueError:
        return value


def _set_disabled(username: str, disabled: bool) -> None:
    from frt.people.service import PeopleError, set_disabled

    store = _store()
    try:
        with store.session() as session:
            set_disabled(session, _actor(), username, disabled)
    except PeopleError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"user [cyan]{username}[/] {'disabled' if disabled else 'enabled'}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable an account no longer needed (000 §12.1(d)); its records stay."""
    _set_disabled(username, True)


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Enable a disabled account again."""
    _set_disabled(username, False)


@users_app.command("train")
def users_train(
    username: str,
    kind: Annotated[
        str,
        typer.Argument(help="lfr, emergency_life_support, officer_safety, lfr_authorising_officer"),
    ],
    completed: Annotated[str, typer.Option(help="YYYY-MM-DD (default today)")] = "",
    expires: Annotated[
        str, typer.Option(help="YYYY-MM-DD (default one year after completion)")
    ] = "",
) -> None:
    """Record a training course and its expiry."""
    from frt.people.roles import TrainingKind
    from frt.people.service import PeopleError, add_training

    try:
        kind_value = TrainingKind(kind)
        done = date.fromisoformat(completed) if completed else date.today()
        until = date.fromisoformat(expires) if expires else done + timedelta(days=365)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    store = _store()
    try:
        with store.session() as session:
            add_training(session, _actor(), username, kind_value, done, until)
    except PeopleError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"{kind_value.value} recorded for [cyan]{username}[/], expires {until}")


@users_app.command("passwd")
def users_passwd(username: str) -> None:
    """Reset a password to a new one-time password."""
    from frt.people.service import PeopleError, new_password, require_user, set_password

    store = _store()
    password = new_password()
    try:
        with store.session() as session:
            user = require_user(session, username)
            set_password(session, _actor(), user, password)
            user.must_change_password = True
    except PeopleError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"one-time password for [cyan]{username}[/]: [bold yellow]{password}[/]")


# ---------------------------------------------------------------- policy
@policy_app.command("show")
def policy_show(
    profile: Annotated[
        str, typer.Option(help="profile name (default: FRT_POLICY_PROFILE or mps)")
    ] = "",
) -> None:
    """Print the force policy profile, each entry with its paragraph."""
    from frt.policy.profile import ProfileError, load_profile

    try:
        chosen = load_profile(profile or load_settings().policy_profile)
    except ProfileError as exc:
        raise _fail(str(exc)) from exc
    table = Table(title=f"Policy profile: {chosen.force} ({chosen.name})")
    table.add_column("entry", no_wrap=True)  # a key is what a reader greps for: never cut it
    table.add_column("value", min_width=14)
    table.add_column("citation")
    section = None
    for key, value, cite in chosen.entries():
        head, _, name = key.partition(".")
        if (
            head != section
        ):  # one heading row per section keeps the keys short enough for 80 columns
            section = head
            table.add_row(f"[bold]{head}[/]", "", "", end_section=False)
        table.add_row(f"  {name}", _show(value), cite)
    console.print(table)


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "—" if value is None else str(value)


# ---------------------------------------------------------------- audit
@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        list[Path],
        typer.Option(
            "--checkpoint", help="a signed checkpoint an auditor kept (repeat for several)"
        ),
    ] = [],  # noqa: B006
    public_key: Annotated[
        Path | None,
        typer.Option(
            help="the auditor's copy of the checkpoint public key (default: this installation's)"
        ),
    ] = None,
) -> None:
    """Verify the audit log: every record and link against the MAC key, and the chain against
    signed checkpoints (these given, and the newest kept here); name the first problem."""
    from frt.audit import verify
    from frt.audit.checkpoint import Checkpoint, CheckpointError, load_public
    from frt.audit.jobs import link_all
    from frt.store.files import ExposedKeyFile

    try:
        given = [Checkpoint.load(path) for path in checkpoint]
        trusted = load_public(public_key) if public_key else None
    except CheckpointError as exc:
        raise _fail(str(exc)) from exc
    store = _store()
    link_all(store, full=True)
    try:
        with store.session() as session:
            result = verify(session, _actor(), checkpoints=given, trusted_key=trusted)
    except ExposedKeyFile as exc:
        raise _fail(str(exc)) from exc
    if not result.ok:
        for line in result.details[1:10]:
            err.print(f"  also: {line}")
        raise _fail(str(result), code=2)
    console.print(f"[green]{result}[/]")


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[Path | None, typer.Option(help="also write it here, for an auditor")] = None,
) -> None:
    """Sign the chain's length and head now, keep it outside the database, and export it."""
    from frt.audit import Outcome, record
    from frt.audit.checkpoint import CheckpointError, write_new
    from frt.audit.jobs import checkpoint
    from frt.store.files import ExposedKeyFile

    store = _store()
    try:
        made_and_kept = checkpoint(store)
    except (CheckpointError, ExposedKeyFile) as exc:
        raise _fail(str(exc)) from exc
    assert made_and_kept is not None  # always made when not only_if_grown
    made, kept = made_and_kept
    if out is not None:
        write_new(out, made.to_json())
    with store.session() as session:
        record(
            session,
            _actor(),
            "audit.checkpoint",
            outcome=Outcome.OK,
            detail={"records": made.records, "head": made.head},
        )
    console.print(f"checkpoint: {made.records} records, head {made.head[:16]}…, signed {made.at}")
    console.print(f"kept at {kept}", soft_wrap=True)
    if out is not None:
        console.print(f"exported to {out}", soft_wrap=True)


@audit_app.command("public-key")
def audit_public_key(
    out: Annotated[Path | None, typer.Option(help="write the PEM here (default: print it)")] = None,
) -> None:
    """The public key that checks this installation's checkpoints: give it to the auditors."""
    import hashlib

    from frt.audit.checkpoint import SIGNER_INFO, CheckpointError, public_pem, raw_public, write_new
    from frt.store.files import ExposedKeyFile

    store = _store()
    with store.sessions() as session:
        signer = session.info[SIGNER_INFO]
    try:
        raw = raw_public(signer.private_key().public_key())
    except (CheckpointError, ExposedKeyFile) as exc:
        raise _fail(str(exc)) from exc
    pem = public_pem(raw)
    fingerprint = hashlib.sha256(raw).hexdigest()[:32]
    if out is None:
        typer.echo(pem, nl=False)
    else:
        write_new(out, pem)
        console.print(f"public key written to {out}")
    console.print(f"fingerprint (SHA-256): {fingerprint}")


@audit_app.command("show")
def audit_show(
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
    action: Annotated[str, typer.Option(help="only this action")] = "",
    detail: Annotated[bool, typer.Option(help="each record's detail on a line of its own")] = False,
) -> None:
    """Show recent audit records (this read is itself audited), times in the force's zone."""
    from frt.audit import read
    from frt.people.audit_names import who_did
    from frt.policy import load_profile
    from frt.web.timefmt import local

    store = _store()
    profile = load_profile(load_settings().policy_profile)
    table = Table("#", "when", "who", "action", "object", "outcome", box=None, pad_edge=False)
    with store.session() as session:
        rows = read(session, _actor(), limit=limit, action=action or None)
        names = who_did(session, rows)
        for row in rows:
            obj = f"{row.object_type} {row.object_id[:8]}" if row.object_id else ""
            table.add_row(
                str(row.seq),
                local(row.at, profile, "%d %b %H:%M"),
                names[row.seq],
                row.action,
                obj,
                row.outcome,
            )
            if detail and row.detail:
                table.add_row("", "", "", f"[dim]{_show(row.detail)}[/]", "", "")
    console.print(table)


# ---------------------------------------------------------------- certs, serve
@certs_app.command("dev")
def certs_dev(
    host: Annotated[list[str], typer.Option("--host", help="extra host names")] = [],  # noqa: B006
    renew: Annotated[
        bool, typer.Option(help="make a new one even if the kept one is good")
    ] = False,
) -> None:
    """Make (or keep) a self-signed development certificate under ./var/certs."""
    from frt.web.certs import make_dev_certificate

    cert, key = make_dev_certificate(load_settings().data_dir / "certs", list(host), renew=renew)
    console.print(f"certificate: {cert}\nprivate key: {key} (mode 0600)")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8443,
    certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (default: ./var/certs)")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS key")] = None,
    insecure_localhost: Annotated[
        bool, typer.Option(help="plain HTTP on 127.0.0.1 only (development)")
    ] = False,
    demo: Annotated[
        bool, typer.Option(help="create demo users and demo LFR data on the embedded database")
    ] = False,
    purge_every: Annotated[
        float,
        typer.Option(
            help="minutes between retention purges of finished Deployments (0: run none here)"
        ),
    ] = 10,
) -> None:
    """Serve the dashboard and API over HTTPS (migrates the embedded database by itself)."""
    from frt.policy.profile import ProfileError, load_profile
    from frt.web.certs import make_dev_certificate
    from frt.web.server import serve as run

    settings = load_settings()
    try:
        load_profile(settings.policy_profile)  # refuse to start on a missing or corrupt profile
    except ProfileError as exc:
        raise _fail(str(exc)) from exc
    store = _store()  # the embedded default migrates itself; PostgreSQL needs `frt db upgrade`
    _print_first_admin(store)
    if demo:
        _seed_demo(store, settings)
    if not insecure_localhost and certfile is None:
        certfile, keyfile = make_dev_certificate(settings.data_dir / "certs", [host])
    if purge_every > 0:
        from frt.jobs import scheduler

        # DATA-01, DATA-02, DATA-08: Alerts' camera faces, Watchlists and working data go within
        # the profile's periods, whether or not anyone remembers to run `frt deploy purge`.
        scheduler(store, purge_every, background=True).start()
    from frt.audit.jobs import schedule as audit_jobs

    # DATA-04: committed audit records are linked into the chain every few seconds, and a signed
    # checkpoint is kept outside the database every hour (frt.audit.jobs).
    audit_jobs(store).start()
    scheme = "http" if insecure_localhost else "https"
    console.print(
        f"FRT is at [bold]{scheme}://{'127.0.0.1' if insecure_localhost else host}:{port}/[/]"
        f"  (policy profile: {settings.policy_profile})"
    )
    run(
        store,
        host=host,
        port=port,
        certfile=certfile,
        keyfile=keyfile,
        insecure_localhost=insecure_localhost,
    )


def _seed_demo(store, settings) -> DemoScenario:
    """Make this a training installation with the demo data, print the guide; return what was
    made (the browser test walks it as a new user would)."""
    from frt.demo import seed
    from frt.installation import (
        TRAINING_BANNER,
        Installation,
        InstallationError,
        write_installation,
    )
    from frt.people.demo import DEMO_USERS

    if not settings.is_embedded:
        raise _fail("demo users are only for the embedded database, never a force's PostgreSQL")
    try:  # refused if this data directory is a force's installation
        write_installation(settings, Installation(settings.policy_profile, training=True))
    except InstallationError as exc:
        raise _fail(str(exc)) from exc
    demo = seed(store, settings.data_dir)
    if demo.deployment_id:  # the one Deployment that may run on the minimum, untested
        write_installation(
            settings,
            Installation(
                settings.policy_profile,
                contact="demo@force.example (training installation)",
                training=True,
                training_deployment=demo.deployment_id,
            ),
        )
    err.print(f"[bold white on dark_orange3] {TRAINING_BANNER} [/]")
    names = ", ".join(u[0] for u in DEMO_USERS)
    if demo.password:
        table = Table("demo user", "one-time password (shown once; change it at first sign-in)")
        for username, password in demo.password.items():
            table.add_row(username, password)
        console.print(table)
    else:
        console.print(
            f"Demo users exist ({names}); their passwords were printed at first run "
            "(reset one with `frt users passwd NAME`)."
        )
    if demo.deployment_id:
        _print_demo_guide(demo)
    return demo


@app.command()
def setup(
    profile: Annotated[str, typer.Option(help="the force's policy profile (mps, cumbria, ...)")],
    contact: Annotated[
        str,
        typer.Option(help="the force's public contact for the public page (e.g. an email address)"),
    ],
) -> None:
    """Set this installation up for a force: its policy profile and public contact (shown on
    the public page). A training (demo) installation can never become a force's."""
    from frt.installation import Installation, InstallationError, write_installation
    from frt.policy.profile import ProfileError, load_profile

    try:
        load_profile(profile)
        chosen = write_installation(load_settings(), Installation(profile, contact=contact))
    except (ProfileError, InstallationError) as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"installation set up: profile [cyan]{chosen.profile}[/], public contact "
        f"[cyan]{chosen.contact}[/] (set FRT_POLICY_PROFILE={chosen.profile})"
    )


demo_app = typer.Typer(help="The training installation's demo data.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("reset")
def demo_reset(
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Delete the training installation's data (database, keys, certificates, demo files) so the
    next `make demo` starts afresh; refused anywhere but a training installation."""
    import shutil

    from frt.installation import is_training

    settings = load_settings()
    if not settings.is_embedded or not is_training(settings):
        raise _fail(f"{settings.data_dir} is not a training installation: nothing deleted")
    if not yes and not typer.confirm(f"Delete the demo data in {settings.data_dir}?"):
        raise typer.Exit(1)
    shutil.rmtree(settings.data_dir)
    console.print(f"deleted {settings.data_dir}; `make demo` starts a fresh training installation")


def _print_demo_guide(demo) -> None:
    if demo.pending_application:
        console.print(
            f"Demo LFR data: Application [cyan]{demo.pending_application}[/] awaits the NPCC "
            f"officer ([cyan]npcc[/]) and the AO ([cyan]ao[/]); Application "
            f"[cyan]{demo.authorised_application}[/] is authorised for the next 8 hours with its "
            f"Watchlist imported. {demo.watchlist_note}"
        )
    else:
        console.print(
            f"A fresh demo authority [cyan]{demo.authorised_application}[/] for the "
            f"next 8 hours (the last one's window had closed)."
        )
    if demo.video:
        console.print(
            "To see an Alert: sign in as [cyan]silver[/] and start the Deployment on its page, "
            "then run\n"
            f"  [bold].venv/bin/frt deploy run {demo.deployment_id} --camera {demo.video}[/]\n"
            "and sign in as [cyan]operator[/] for the console. This training installation lets "
            "the demo Deployment run on the minimum Threshold without an evaluation; a real "
            "installation never does (EVAL-03). To evaluate as a force must, see the README "
            "(a public labelled set such as LFW, laid out <person>/<photo>.jpg):\n"
            "  [bold].venv/bin/frt eval identify LABELLED_DIR --json var/eval.json --record[/]\n"
            "Start again with [bold]make demo-reset[/] (deletes ./var's demo data only)."
        )


# ---------------------------------------------------------------- traceability
@app.command()
def traceability() -> None:
    """Print the requirements traceability table from the last test run (var/traceability.json)."""
    from frt.traceability import print_table

    raise typer.Exit(print_table())


# Command groups owned by the domain packages: (module, attribute, command name, help).
_GROUPS = [
    ("frt.cli.eval", "app", "eval", "Accuracy, equitability and threshold evaluation."),
    (
        "frt.cli.governance",
        "watchlist_app",
        "watchlist",
        "Watchlist bundles: pack, inspect, import.",
    ),
    ("frt.cli.governance", "app", "governance", "LFR applications, authorities and reports."),
    ("frt.cli.lfr", "deploy_app", "deploy", "Run a Deployment's recognition worker(s)."),
    ("frt.cli.lfr", "bench_app", "bench", "Benchmarks of the live pipeline."),
    ("frt.cli.rfr", "app", "rfr", "Retrospective Facial Recognition: libraries, enrolment."),
]


def _mount_groups() -> None:
    """Mount each domain package's command group. An import error is not hidden: a command that
    silently vanished would be worse than a CLI that says what is broken."""
    import importlib

    for module_name, attr, name, help_text in _GROUPS:
        group = getattr(importlib.import_module(module_name), attr)
        app.add_typer(group, name=name, help=help_text)


_mount_groups()
from frt.cli import bench_rfr  # noqa: E402, I001  `frt bench rfr`, beside `frt bench live`

bench_rfr.register(sys.modules["frt.cli.lfr"].bench_app)
from frt.cli import worker as _worker  # noqa: E402  `frt worker`, `frt deploy camera …`

_worker.register(app, sys.modules["frt.cli.lfr"].deploy_app)


@app.callback()
def _every_command() -> None:
    """FRT: Live and Retrospective Facial Recognition inside the governance of UK police policy."""
    from frt.installation import TRAINING_BANNER, is_training

    if is_training(load_settings()):  # said by every command of a training installation
        err.print(f"[bold white on dark_orange3] {TRAINING_BANNER} [/]")


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
