"""Templating every image of an evaluation on all cores, with a progress bar and the cache."""

from __future__ import annotations

import logging
from pathlib import Path

from frt.engine.enrol import EngineSpec, Enrolment, template_many
from frt.eval.cache import TemplateCache
from frt.eval.dataset import Item

logger = logging.getLogger(__name__)


def template_items(
    items: list[Item],
    spec: EngineSpec,
    version: str,
    cache_dir: Path | None,
    workers: int | None = None,
    label: str = "templating",
    show_progress: bool = True,
) -> dict[str, Enrolment]:
    """key -> Enrolment for every item; cached results are reused, new ones stored."""
    cache = TemplateCache(cache_dir, spec, version)
    results: dict[str, Enrolment] = {}
    todo: list[Item] = []
    for item in items:
        hit = cache.get(item.path, item.key)
        if hit is None:
            todo.append(item)
        else:
            results[item.key] = hit
    logger.info("%s: %d cached, %d to compute", label, len(results), len(todo))
    by_key = {item.key: item for item in todo}
    with _progress(show_progress) as progress:
        task = progress.add_task(label, total=len(items), completed=len(results))
        for result in template_many(((i.key, i.path) for i in todo), spec, workers=workers):
            results[result.key] = result
            cache.put(by_key[result.key].path, result)
            progress.advance(task)
    return results


def _progress(show: bool):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not show,
        transient=False,
    )
