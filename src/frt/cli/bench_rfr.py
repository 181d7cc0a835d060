"""`frt bench rfr`: search an RFR library index of N synthetic templates (frt.engine.index_bench).

Registered on the `frt bench` group by `frt.cli` (the engine imports nothing of FRT's own)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def bench_rfr(
    templates: Annotated[int, typer.Option(min=1, help="library size (synthetic templates)")],
    json_out: Annotated[
        Optional[Path], typer.Option("--json", help="write the results here")
    ] = None,
    probes: Annotated[int, typer.Option(min=1, help="probes searched (half mated)")] = 200,
    k: Annotated[int, typer.Option(min=1, help="candidates per probe")] = 50,
    seed: Annotated[int, typer.Option(help="synthetic library seed")] = 0,
    exact_up_to: Annotated[
        int,
        typer.Option(
            help="time exact search beside the index up to this size (it holds the float32 library)"
        ),
    ] = 2_000_000,
    distribution: Annotated[
        str,
        typer.Option(help="'face' (spread like real templates) or 'uniform' (random unit vectors)"),
    ] = "face",
    persist: Annotated[bool, typer.Option(help="time a sealed (AES-GCM) round trip")] = True,
) -> None:
    """Build an index of N synthetic templates; report latency, memory, recall and build time."""
    import logging

    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    from frt.engine.index_bench import run, write_json

    if distribution not in ("face", "uniform"):
        raise typer.BadParameter("face or uniform", param_hint="--distribution")
    result = run(
        templates,
        probes=probes,
        k=k,
        seed=seed,
        exact_up_to=exact_up_to,
        distribution=distribution,
        persist=persist,
        progress=lambda line: console.print(line, highlight=False),
    )
    table = Table(title=f"RFR search, {templates:,} templates, top-{k}, {probes} probes")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in (
        "median_ms",
        "p95_ms",
        "exact_median_ms",
        "exact_over_index",
        "exact_one_core_median_ms",
        "exact_one_core_over_index",
        "recall_at_50",
        "recall_min",
        "memory_mb",
        "index_mb",
        "build_s",
        "append_one_median_ms",
        "remove_s",
        "removed_ever_returned",
        "seal_s",
        "open_s",
        "reopened_identical",
        "load_start",
        "load_end",
    ):
        if key in result:
            table.add_row(key, str(result[key]))
    console.print(table)
    if json_out:
        write_json(result, json_out)
        console.print(f"results written to {json_out}")


def register(group: typer.Typer) -> None:
    """Add `rfr` to a command group (`frt bench`)."""
    group.command("rfr")(bench_rfr)
