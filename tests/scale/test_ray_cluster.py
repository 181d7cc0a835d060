"""Library work on Ray (issue 14 item 3): a local Ray cluster of two nodes — a head and one
worker node, each started by this test on this machine — enrols a folder and searches a library
split into two shards; the results equal the single-process ones exactly. Needs the
`frt[cluster]` extra: skipped where Ray is not installed (CI installs it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

ray = pytest.importorskip("ray")

from frt.engine.enrol import EngineSpec, template_many  # noqa: E402
from frt.engine.index import TemplateIndex  # noqa: E402
from tests.rfr.conftest import *  # noqa: E402, F401, F403 (fixtures)
from tests.rfr.test_enrolment import write_folder  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.slow]
RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], tmp: Path, name: str) -> subprocess.Popen:
    log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [RAY, "start", "--block", "--disable-usage-stats", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped by id, nothing else touched
        # Two nodes on one machine is what Ray calls a local multi-node cluster: allowed here.
        env={**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1"},
    )


def _wait_started(log: Path, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while "Ray runtime started" not in log.read_text(errors="replace"):
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        assert time.monotonic() < deadline, f"{log.name}: Ray did not start"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory):
    """A head node and a worker node (one CPU each); yields the head's address."""
    tmp = tmp_path_factory.mktemp("ray")
    port = _free_port()
    head = _start(
        [
            "--head",
            f"--port={port}",
            "--num-cpus=1",
            "--include-dashboard=false",
            "--node-ip-address=127.0.0.1",
        ],
        tmp,
        "head",
    )
    address = f"127.0.0.1:{port}"
    nodes = [head]
    try:
        _wait_started(tmp / "head.log", head)
        nodes.append(
            _start(
                [f"--address={address}", "--num-cpus=1", "--node-ip-address=127.0.0.1"],
                tmp,
                "worker",
            )
        )
        _wait_started(tmp / "worker.log", nodes[-1])
        ray.init(
            address=address, namespace="frt", log_to_driver=False, _node_ip_address="127.0.0.1"
        )
        deadline = time.monotonic() + 90
        while sum(n["Alive"] for n in ray.nodes()) < 2:
            assert time.monotonic() < deadline, "the worker node did not join"
            time.sleep(0.5)
        yield address
    finally:
        ray.shutdown()
        for proc in reversed(nodes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in nodes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_the_cluster_has_two_nodes(two_nodes):
    assert sum(n["Alive"] for n in ray.nodes()) == 2
    assert ray.cluster_resources().get("CPU") == 2


def test_a_folder_templated_on_the_cluster_equals_the_single_process_result(
    two_nodes, heads, tmp_path, monkeypatch
):
    folder = tmp_path / "folder"
    names = write_folder(folder, heads, 6)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an image")
    items = [(n, folder / n) for n in [*names, "broken.jpg"]]
    spec = EngineSpec(detector="hog", quality_gate=True)
    monkeypatch.delenv("FRT_RAY_ADDRESS", raising=False)
    alone = list(template_many(items, spec, workers=1))
    monkeypatch.setenv("FRT_RAY_ADDRESS", two_nodes)
    on_ray = list(template_many(items, spec, workers=1))
    assert [e.key for e in on_ray] == [e.key for e in alone]
    assert [e.reason for e in on_ray] == [e.reason for e in alone]
    for a, b in zip(alone, on_ray):
        if a.template is None:
            assert b.template is None
        else:
            assert b.template.kind == a.template.kind
            assert np.array_equal(a.template.vector, b.template.vector)
    hosts = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert len(hosts) == 2


def test_an_rfr_import_on_the_cluster_records_what_the_single_machine_does(
    store, people, approved_library, heads, tmp_path, monkeypatch
):
    from frt.rfr import enrol
    from frt.rfr.models import RfrEnrolmentJob, RfrLibraryImage, RfrTemplate

    if not ray.is_initialized():
        pytest.skip("needs the two-node cluster fixture of this module")
    folder = tmp_path / "custody"
    write_folder(folder, heads, 4)
    address = ray.get_runtime_context().gcs_address
    results = {}
    for label, env in (("alone", None), ("ray", address)):
        if env:
            monkeypatch.setenv("FRT_RAY_ADDRESS", env)
        else:
            monkeypatch.delenv("FRT_RAY_ADDRESS", raising=False)
        lib = approved_library(f"Custody {label}", level=1)
        summary = enrol.run_import(store, people["frteam"], lib, folder, workers=1)
        with store.session() as s:
            rows = s.execute(
                select(RfrLibraryImage.item_key, RfrTemplate.id, RfrTemplate.template_sealed)
                .join(RfrTemplate, RfrTemplate.image_id == RfrLibraryImage.id)
                .where(RfrLibraryImage.library_id == lib)
                .order_by(RfrLibraryImage.item_key)
            ).all()
            job = s.scalars(select(RfrEnrolmentJob).where(RfrEnrolmentJob.library_id == lib)).one()
        vectors = [
            (key, store.cipher.open(sealed, context=f"rfr_templates.template:{tid}".encode()))
            for key, tid, sealed in rows
        ]
        results[label] = ((summary.enrolled, summary.refused), job.status, vectors)
    assert results["ray"] == results["alone"]


def test_a_library_in_two_shards_on_the_cluster_is_searched_as_one_index(two_nodes, monkeypatch):
    from frt.engine import index as one_index
    from frt.engine.cluster import ShardedIndex

    rng = np.random.default_rng(14)
    vectors = rng.normal(size=(3000, 128)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[1500] = vectors[10]  # a tie across the two shards: the lower id comes first
    ids = np.arange(3000, dtype=np.int64) * 7 + 3
    probes = vectors[[10, 99, 2500]] + 0.05 * rng.normal(size=(3, 128)).astype(np.float32)
    monkeypatch.setattr(one_index, "SHARD_SIZE", 1500)  # one index of two shards, as on Ray
    one = TemplateIndex("dlib-resnet", "1", 128)
    one.add(ids, vectors)
    assert len(one.describe()["shards"]) == 2
    sharded = ShardedIndex("dlib-resnet", "1", 128, shard_size=1500)
    moved = ShardedIndex.from_index(one)
    try:
        sharded.add(ids, vectors)
        assert len(sharded) == len(moved) == 3000 and len(sharded._shards) == 2
        expected = one.search(probes, 50)
        assert sharded.search(probes, 50) == expected
        assert moved.search(probes, 50) == expected
        assert sharded.remove(ids[:100]) == one.remove(ids[:100]) == 100
        assert sharded.search(probes, 20) == one.search(probes, 20)
    finally:
        sharded.close()
        moved.close()


def test_an_rfr_search_of_a_library_past_one_machine_runs_on_the_cluster(
    two_nodes, store, approved_library, add_templates, monkeypatch
):
    """The application's search path: a warm library index past `shard_above` templates moves
    to Ray actors and answers as the in-process index does, after enrolment and deletion too."""
    from frt.engine.cluster import ShardedIndex
    from frt.engine.template import Template
    from frt.rfr import search_index
    from frt.rfr.faces import algorithm
    from frt.rfr.search_index import LibraryIndexes, candidates
    from frt.store.base import utcnow
    from tests.conftest import setup_session

    monkeypatch.setenv("FRT_RAY_ADDRESS", two_nodes)
    monkeypatch.setattr(search_index, "BUILD_BATCH", 64)  # moved mid-build, the rest to actors
    rng = np.random.default_rng(9)
    vectors = rng.normal(size=(300, 128)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    lib = approved_library()
    image_ids = add_templates(lib, vectors)
    algo = algorithm()
    probe = Template(vectors[42] / np.linalg.norm(vectors[42]), algo.name, algo.version)
    on_ray, here = LibraryIndexes(shard_above=100), LibraryIndexes()

    def both() -> tuple[list, list]:
        with store.session() as s:
            return (
                candidates(s, store.cipher, [lib], probe, 20, on_ray),
                candidates(s, store.cipher, [lib], probe, 20, here),
            )

    try:
        sharded, local = both()
        assert sharded == local and sharded[0].image_id == image_ids[42]
        (warm,) = on_ray._warm.values()
        assert isinstance(warm.index, ShardedIndex) and len(warm.index) == 300
        add_templates(lib, vectors[42:43])  # enrolment: a second image of the same person
        with setup_session(store) as s:  # retention: the first one deleted
            from frt.rfr.models import RfrLibraryImage

            s.get_one(RfrLibraryImage, image_ids[42]).deleted_at = utcnow()
        sharded, local = both()
        assert sharded == local and image_ids[42] not in {c.image_id for c in sharded}
        assert on_ray.rebuilds == 1 and len(warm.index) == 300
    finally:
        on_ray.forget(lib)
