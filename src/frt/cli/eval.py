"""`frt eval`: measure accuracy and equitability on labelled data; find the policy threshold.

frt eval identify DATA_DIR --json OUT [--plot OUT.png] [--groups GROUPS.csv] [--cohort DIR]
                  [--candidates N]
frt eval threshold DATA_DIR [--profile mps] [--watchlist-size N]
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

logger = logging.getLogger(__name__)
console = Console()
err = Console(stderr=True)

app = typer.Typer(
    help="Evaluate accuracy and equitability on labelled faces (EVAL-01..03).", no_args_is_help=True
)


def _options(pairs: list[str]) -> dict:
    """key=value pairs; values parsed as JSON where they can be (true, 3, 0.5), else strings."""
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


@app.command()
def identify(
    data_dir: Annotated[Path, typer.Argument(help="Folder laid out <identity>/<images>.")],
    json_out: Annotated[Path, typer.Option("--json", help="Write the figures here.")],
    plot: Annotated[Optional[Path], typer.Option(help="DET plot (PNG or SVG).")] = None,
    groups: Annotated[Optional[Path], typer.Option(help="CSV identity,group for EVAL-02.")] = None,
    cohort: Annotated[
        Optional[Path], typer.Option(help="Folder of other people's faces for score normalisation.")
    ] = None,
    cohort_raw_weight: Annotated[
        Optional[float],
        typer.Option(help="Share of raw similarity kept in cohort scoring (0 = pure AS-norm)."),
    ] = None,
    algorithm: Annotated[str, typer.Option(help="Template algorithm name.")] = "dlib-resnet",
    algorithm_option: Annotated[
        list[str],
        typer.Option("--algorithm-option", "-o", help="key=value, e.g. model_path=/x.onnx"),
    ] = [],
    detector: Annotated[str, typer.Option(help="Detector name.")] = "thorough",
    limit: Annotated[Optional[int], typer.Option(help="Only the first N identities.")] = None,
    fold: Annotated[
        Optional[str], typer.Option(help="Evaluate fold i/k of the identities only.")
    ] = None,
    workers: Annotated[Optional[int], typer.Option(help="Processes (default: all cores).")] = None,
    cache_dir: Annotated[
        Optional[Path], typer.Option(help="Template cache (default var/cache/templates).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the cache.")
    ] = False,
    record: Annotated[
        Optional[bool],
        typer.Option(
            "--record/--no-record",
            help="Store the evaluation record (default: when a database exists).",
        ),
    ] = None,
    by: Annotated[
        Optional[str], typer.Option(help="User id recorded as the person who ran it.")
    ] = None,
    candidates: Annotated[
        Optional[int],
        typer.Option(
            min=1, help="Investigation mode: hit rate at rank 1, 10 and N, FNIR at rank N."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Open-set 1:N identification (testdata/README.md protocol): TPIR at FPIR 1/1,000 and 1/100."""
    from frt.engine.enrol import EngineSpec
    from frt.eval.cache import default_cache_dir
    from frt.eval.dataset import parse_fold
    from frt.eval.identify import evaluate

    logging.basicConfig(level=logging.WARNING)
    spec = EngineSpec(
        detector=detector, algorithm=algorithm, algorithm_options=_options(algorithm_option)
    )
    cache = None if no_cache else (cache_dir or default_cache_dir())
    run = evaluate(
        data_dir,
        spec,
        cohort_dir=cohort,
        limit=limit,
        fold=parse_fold(fold),
        cache_dir=cache,
        workers=workers,
        progress=progress,
        cohort_raw_weight=cohort_raw_weight,
    )
    out = dict(run.figures, data=run.data_description)
    if candidates is not None:
        from frt.eval.metrics import candidate_figures

        out["investigation"] = candidate_figures(run.searches, candidates)
    if groups is not None:
        from frt.eval.groups import group_figures, load_groups

        out["groups"] = {
            f"at_fpir_{p:g}": group_figures(run.searches, load_groups(groups), p)
            for p in (0.001, 0.01)
        }
    if plot is not None:
        from frt.eval.plot import det_plot

        det_plot(
            {f"{run.algorithm} {run.algorithm_version} ({out['scoring']})": run.searches}, plot
        )
        out["plot"] = str(plot)
        if run.extra.get("by_size") is not None:
            from frt.eval.plot import size_plot

            sized = plot.with_name(f"{plot.stem}-by-size{plot.suffix}")
            size_plot(
                run.extra["by_size"].padded,
                sized,
                title=f"{run.algorithm} {run.algorithm_version} ({out['scoring']})",
            )
            out["plot_by_size"] = str(sized)
    json_out.write_text(json.dumps(out, indent=2))
    _print_figures(out)
    _maybe_record(record, run, out, by)


def _print_figures(out: dict) -> None:
    table = Table(title=out.get("data", ""))
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in (
        "gallery_size",
        "images",
        "failed_to_template",
        "mated_searches",
        "nonmated_searches",
        "rank1",
        "rank10",
        "rank50",
        "tpir_at_fpir_0.001",
        "threshold_at_fpir_0.001",
        "tpir_at_fpir_0.01",
        "threshold_at_fpir_0.01",
        "scoring",
        "seconds",
    ):
        value = out.get(key)
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    for key, value in out.get("investigation", {}).items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    if out.get("by_gallery_size"):
        _print_sizes(out["by_gallery_size"])
    _warn_small_sample(out)


def _warn_small_sample(out: dict) -> None:
    """Say so when the evaluation is too small to set a Threshold (3·N non-mated searches for
    a False Alert Rate of 1 in N; issue 12, item 2): its Threshold is marked wherever shown."""
    from frt.eval.sample import small_sample

    for rate in (0.001, 0.01):
        why = small_sample(out, rate)
        if why:
            err.print(
                f"[bold yellow]warning:[/] the Threshold for 1 in {round(1 / rate):,} "
                f"rests on a {why}; it is shown as a small sample wherever it is used"
            )


def _print_sizes(by: dict) -> None:
    """FPIR against Watchlist size: the Threshold for each N and what it holds (EVAL-01)."""
    table = Table(title="by Watchlist size N (images)")
    for col in ("N", "t 1/1000", "TPIR", "FPIR", "measured", "t 1/100", "TPIR"):
        table.add_column(col, justify="right")

    def cell(v):
        return "–" if v is None else f"{v:.4f}"

    for row in by["table"]:
        table.add_row(
            f"{row['n']:,}",
            *(
                cell(row.get(k))
                for k in (
                    "threshold_at_fpir_0.001",
                    "tpir_at_fpir_0.001",
                    "fpir_model_at_0.001",
                    "fpir_measured_at_0.001",
                    "threshold_at_fpir_0.01",
                    "tpir_at_fpir_0.01",
                )
            ),
        )
    console.print(table)
    console.print(
        f"model: {by['model']}; measured up to N = {by['measured_up_to_n']:,}; "
        f"largest N with a Threshold: {by['max_n']}"
    )


def _maybe_record(record: bool | None, run, out: dict, by: str | None) -> None:
    from frt.settings import load_settings

    settings = load_settings()
    exists = not settings.is_embedded or (settings.data_dir / "frt.sqlite3").exists()
    if record is False or (record is None and not exists):
        console.print("[dim]evaluation not recorded (no database; use --record to create one)[/]")
        return
    from frt.app import open_store
    from frt.audit import Actor
    from frt.audit import record as audit_record
    from frt.eval.models import save_cohort, save_evaluation

    try:
        store = open_store(settings)
    except Exception as exc:  # the figures are already written; say why the record is not
        err.print(f"[yellow]evaluation not recorded: {exc}[/]")
        return
    try:
        with store.session() as session:
            cohort = run.extra.get("cohort")
            if cohort is not None:  # sealed, so a Deployment can score as this evaluation did
                kept = save_cohort(
                    session,
                    store.cipher,
                    cohort,
                    description=str(run.extra.get("cohort_dir") or ""),
                    created_by=by,
                )
                out = dict(out, cohort_record=kept.id)
            saved = save_evaluation(
                session,
                run.algorithm,
                run.algorithm_version,
                run.data_description,
                out,
                created_by=by,
            )
            audit_record(
                session,
                Actor(by, "evaluator") if by else Actor.system("cli"),
                "evaluation.record",
                object_type="evaluation",
                object_id=saved.id,
                detail={
                    "algorithm": run.algorithm,
                    "version": run.algorithm_version,
                    "scoring": out.get("scoring"),
                },
            )
            console.print(f"evaluation recorded: {saved.id}")
    except Exception as exc:
        err.print(f"[yellow]evaluation not recorded: {exc}[/]")
    finally:
        store.dispose()


def policy_rule(profile_name: str) -> tuple[float | None, float | None, str]:
    """(maximum False Alert Rate, minimum threshold, citation) from the force policy profile."""
    from frt.policy import load_profile

    rule = load_profile(profile_name).threshold
    far, minimum = rule.max_false_alert_rate, rule.minimum
    cites = [c.cite for c in (far, minimum) if c.value is not None]
    return far.value, minimum.value, "; ".join(cites)


def choose_threshold(nonmated_scores, max_far: float | None, minimum: float | None) -> float:
    """The lowest threshold keeping the False Alert Rate within the rule, never below the minimum."""
    from frt.eval.metrics import threshold_at

    t = threshold_at(nonmated_scores, max_far) if max_far is not None else float("-inf")
    return max(t, minimum) if minimum is not None else t


@app.command()
def threshold(
    data_dir: Annotated[Path, typer.Argument(help="Folder laid out <identity>/<images>.")],
    profile: Annotated[
        Optional[str], typer.Option(help="Policy profile (default: the installation's).")
    ] = None,
    cohort: Annotated[
        Optional[Path], typer.Option(help="Cohort folder, as used in operation.")
    ] = None,
    algorithm: Annotated[str, typer.Option()] = "dlib-resnet",
    algorithm_option: Annotated[list[str], typer.Option("--algorithm-option", "-o")] = [],
    detector: Annotated[str, typer.Option()] = "thorough",
    json_out: Annotated[Optional[Path], typer.Option("--json")] = None,
    watchlist_size: Annotated[
        Optional[int],
        typer.Option(
            min=1, help="Watchlist images the Threshold is for (default: the protocol's gallery)."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """The threshold that keeps the False Alert Rate within the force profile's rule (EVAL-01)."""
    from frt.engine.enrol import EngineSpec
    from frt.eval.cache import default_cache_dir
    from frt.eval.identify import evaluate
    from frt.eval.metrics import fpir, tpir
    from frt.settings import load_settings

    name = profile or load_settings().policy_profile
    max_far, minimum, cite = policy_rule(name)
    spec = EngineSpec(
        detector=detector, algorithm=algorithm, algorithm_options=_options(algorithm_option)
    )
    run = evaluate(
        data_dir, spec, cohort_dir=cohort, cache_dir=default_cache_dir(), progress=progress
    )
    t = choose_threshold(run.searches.nonmated_score, max_far, minimum)
    sized = {}
    if watchlist_size is not None and max_far is not None:
        from frt.eval.gallery_size import threshold_for_size

        t_n, why = threshold_for_size(run.figures, watchlist_size, max_far)
        if t_n is None:
            err.print(f"[bold red]refused:[/] {why} ({cite})")
            raise typer.Exit(2)
        t = max(t_n, minimum) if minimum is not None else t_n
        sized = {"watchlist_size": watchlist_size, "basis": why}
    out = {
        "profile": name,
        "rule": cite,
        "max_false_alert_rate": max_far,
        "minimum": minimum,
        "threshold": t,
        "fpir": fpir(run.searches, t),
        "tpir": tpir(run.searches, t),
        "nonmated_searches": len(run.searches.nonmated_score),
        "algorithm": run.algorithm,
        "algorithm_version": run.algorithm_version,
        "scoring": run.figures["scoring"],
        **sized,
    }
    if max_far is not None and len(run.searches.nonmated_score) < 3 / max_far:
        out["warning"] = (
            f"only {len(run.searches.nonmated_score)} non-mated searches: too few to "
            f"measure a False Alert Rate of {max_far:g} reliably (want {int(3 / max_far)}+)"
        )
    if json_out:
        json_out.write_text(json.dumps(out, indent=2))
    console.print_json(json.dumps(out))


if __name__ == "__main__":
    app()
