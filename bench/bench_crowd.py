"""Crowd benchmark (issue 15): the live pipeline at its operating Threshold against watchlists of
a real size, beside the reference loop on the same inputs.

    .venv/bin/python bench/bench_crowd.py --faces ../shared/testdata/faces \\
        --videos ../shared/testdata/videos --scenes ../shared/testdata/scenes --json OUT

Everything is read from the paths given; clips and watchlist folders are made in a temporary
folder (symlinks to the photos, never copies into the project) and deleted afterwards.

Watchlists (the first photo of each person, as the identification protocol enrols them):
- **A** (~1,000 people): half A of the folder's identities (`frt eval identify --fold 0/2`);
- **all** (2,000 people): every identity of the folder.

Clips:
- **crowd** — people on no watchlist: every clip of `--videos` (first `--max-frames`), and every
  photo of `--scenes` panned across a 1280x720 frame, except the scenes that show people of the
  folder (`SCENE_PEOPLE`). Every Alert on them is false.
- **known** — scenes that show people of the folder (the TV cast of `faceapi__bbt*`, two of
  the actors in `dlib__bald_guys`), panned likewise: an Alert naming one of them who is on the
  watchlist counts as found (which of the faces it was is not checked), any other as false.
- **stage** — known people: `--known` people of watchlist A, each shown by *another* photo of
  theirs (never the enrolled one) walking across a 1280x720 frame, two lanes at a time, with
  per-frame sensor noise and blur, as video faces are. A person is found if an Alert names them.

Settings (each on every clip it applies to):
- **before**: what `frt bench live` did before this issue — Threshold 0.95, one view, raw
  scores, no averaging of a track's views, Zone minimum 20 px, no profile gate;
- **raw**: the whole folder's raw-score evaluation (`frt eval identify`), the operating rule's
  Threshold for the watchlist's size; views averaged; profile gate (MPS);
- **cohort** (watchlist A only): the evaluation of half A with half B as its cohort, and that
  cohort in live scoring; views averaged; profile gate;
- **cohort, no averaging** / **cohort, no gate** / **cohort, more views** (watchlist A only):
  what each step bought (more views: up to 6 templates a track, every 2 frames, any view within
  0.15 of the best quality so far).

Reference: ageitgey `face_recognition` (HOG upsample 1, an encoding of every face in every
frame, `compare_faces` at its default tolerance 0.6) against the same watchlist's photos.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
import warnings
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
warnings.filterwarnings("ignore", category=UserWarning)

from bench_live import TOLERANCE, trimmed  # noqa: E402

SIZE = (1280, 720)
# Scenes whose people are also in the labelled folder (by the folder's identity names).
SCENE_PEOPLE = {
    "faceapi__bbt": (
        "bbt_amy",
        "bbt_bernadette",
        "bbt_howard",
        "bbt_leonard",
        "bbt_penny",
        "bbt_raj",
        "bbt_sheldon",
        "bbt_stuart",
    ),
    "dlib__bald_guys": ("Vin_Diesel", "Jason_Statham"),
}


def scene_people(photo: Path) -> tuple[str, ...]:
    return next((p for prefix, p in SCENE_PEOPLE.items() if photo.name.startswith(prefix)), ())


# ---------------------------------------------------------------- inputs
def identities(faces: Path) -> dict[str, list[Path]]:
    from frt.eval import dataset

    return dataset.scan(faces)


def watchlist_folder(people: dict[str, list[Path]], names, folder: Path) -> Path:
    for name in names:
        (folder / name).mkdir(parents=True, exist_ok=True)
        src = people[name][0]
        (folder / name / src.name).symlink_to(src.resolve())
    return folder


def half_a(names) -> list[str]:
    return [n for n in names if zlib.crc32(n.encode()) % 2 == 0]


def pan_clip(photo: Path, out: Path, frames: int = 40) -> Path:
    """A 1280x720 window panning across a group photo scaled to 1.25x the frame height."""
    import cv2

    from frt.lfr.synthetic import write_video

    img = cv2.imread(str(photo))
    f = SIZE[1] * 1.25 / img.shape[0]
    img = cv2.resize(
        img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC
    )
    canvas = np.full((max(img.shape[0], SIZE[1]), max(img.shape[1], SIZE[0]), 3), 110, np.uint8)
    canvas[: img.shape[0], : img.shape[1]] = img
    span_x, span_y = canvas.shape[1] - SIZE[0], canvas.shape[0] - SIZE[1]

    def gen():
        for i in range(frames):
            a = i / max(1, frames - 1)
            x, y = int(span_x * a), int(span_y * (0.5 + 0.5 * math.sin(math.pi * a)))
            yield np.ascontiguousarray(canvas[y : y + SIZE[1], x : x + SIZE[0]])

    return write_video(out, gen(), 12.0)


def stage_clip(
    people: list[tuple[str, Path]], out: Path, seed: int, per_person: int = 14, gap: int = 4
) -> tuple[Path, list[str]]:
    """Known people walking across the frame in two lanes, each shown by one photo of theirs,
    with per-frame noise and blur; returns the clip and who is in it."""
    import cv2

    from frt.lfr.synthetic import write_video

    rng = np.random.default_rng(seed)
    lanes = [people[0::2], people[1::2]]
    length = max(len(lane) for lane in lanes) * (per_person + gap)
    photos = {name: cv2.imread(str(path)) for name, path in people}
    sizes = {name: rng.uniform(0.7, 1.5) for name, _ in people}  # nearer and further people
    yy, xx = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
    background = (90 + 40 * np.sin(xx / 97.0) * np.cos(yy / 71.0)).astype(np.uint8)
    background = np.repeat(background[:, :, None], 3, axis=2)

    def gen():
        for i in range(length):
            frame = background.copy()
            for lane_no, lane in enumerate(lanes):
                k, t = divmod(i, per_person + gap)
                if k >= len(lane) or t >= per_person:
                    continue
                name, _ = lane[k]
                img = photos[name]
                scale = sizes[name] * (0.9 + 0.2 * t / per_person)  # walking towards the camera
                img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
                x = int(150 + lane_no * 560 + 220 * t / per_person)
                y = int(SIZE[1] / 2 - img.shape[0] / 2 + 8 * math.sin(t))
                h, w = img.shape[:2]
                frame[max(0, y) : y + h, x : x + w] = img[max(0, -y) : SIZE[1] - y, : SIZE[0] - x]
            blur = rng.uniform(0.3, 1.2)
            frame = cv2.GaussianBlur(frame, (0, 0), blur)
            noise = rng.normal(0, 4.0, frame.shape)
            yield np.clip(frame + noise, 0, 255).astype(np.uint8)

    return write_video(out, gen(), 12.0), [name for name, _ in people]


# ---------------------------------------------------------------- the reference loop
def reference_encodings(folder: Path, cache: Path) -> dict[str, np.ndarray]:
    """face_recognition encodings of the watchlist photos (HOG upsample 1, first face), cached by
    file content under var/ (evaluation data only)."""
    import hashlib

    import face_recognition as fr

    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for person in sorted(folder.iterdir()):
        for image in sorted(person.iterdir()):
            key = hashlib.sha256(image.read_bytes()).hexdigest()
            file = cache / f"{key}.npy"
            if file.exists():
                enc = np.load(file)
            else:
                rgb = fr.load_image_file(str(image))
                encs = fr.face_encodings(rgb, fr.face_locations(rgb, 1))
                enc = encs[0] if encs else np.zeros(0)
                np.save(file, enc)
            if enc.size:
                out[person.name] = enc
    return out


def reference_faces(video: Path) -> tuple[int, list[np.ndarray], float]:
    """The reference loop's encodings of every face in every frame (frames, encodings, fps)."""
    import cv2
    import face_recognition as fr

    t0, frames, encs = time.perf_counter(), 0, []
    cap = cv2.VideoCapture(str(video))
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames += 1
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        encs += fr.face_encodings(rgb, fr.face_locations(rgb))
    cap.release()
    return frames, encs, frames / max(1e-9, time.perf_counter() - t0)


def reference_names(encs: list[np.ndarray], known: dict[str, np.ndarray]) -> list[str | None]:
    """`compare_faces` at its default tolerance: the nearest watchlist person within 0.6."""
    if not encs:
        return []
    names = list(known)
    matrix = np.stack([known[n] for n in names])
    out = []
    for e in encs:
        d = np.linalg.norm(matrix - e, axis=1)
        out.append(names[int(np.argmin(d))] if d.min() <= TOLERANCE else None)
    return out


# ---------------------------------------------------------------- one case
def frt_case(video: Path, setup, pool, kind: str, present: list[str]) -> dict:
    from frt.lfr.bench import run_prepared

    s = run_prepared(video, setup, pool)
    alerted = [a["identity"] for a in s["alerts"]]
    out = {
        "faces_seen": s["faces_detected"],
        "faces_too_small": s["faces_too_small"],
        "faces_poor_quality": s["faces_poor_quality"],
        "tracks": s["tracks"],
        "templates": s["templates"],
        "alerts": len(alerted),
        "threshold": s["threshold"],
        "fps": s["fps"],
        "track_results": s.get("track_results", []),
    }
    if kind == "crowd":
        out["false_alerts"] = len(alerted)
    else:
        out["found"] = sorted(set(alerted) & set(present))
        out["false_alerts"] = sum(a not in present for a in alerted)
        right = [t for t in out["track_results"] if t["best_candidate"] in present]
        out["tracks_best_candidate_present"] = len(right)
    return out


def reference_case(encs, known, kind, present) -> dict:
    names = reference_names(encs, known)
    named = [n for n in names if n]
    out = {"faces_seen": len(encs), "faces_named": len(named)}
    if kind == "crowd":
        out["false_alerts"] = len(named)
    else:
        out["found"] = sorted(set(named) & set(present))
        out["false_alerts"] = sum(n not in present for n in named)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=Path, required=True)
    ap.add_argument("--videos", type=Path)
    ap.add_argument("--scenes", type=Path)
    ap.add_argument("--known", type=int, default=24, help="known people in the stage clips")
    ap.add_argument("--stage-clips", type=int, default=2)
    ap.add_argument("--max-frames", type=int, default=150)
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--only", help="settings to run, comma-separated")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from frt.engine.enrol import EngineSpec
    from frt.eval.cache import default_cache_dir
    from frt.eval.identify import evaluate
    from frt.lfr.bench import BenchRefused, prepare
    from frt.lfr.tracker import TemplatePolicy
    from frt.lfr.workers import make_pool

    cache = default_cache_dir()
    people = identities(args.faces)
    everyone = sorted(people)
    a_names = half_a(everyone)
    spec = EngineSpec(detector="thorough", algorithm="dlib-resnet")
    t0 = time.time()
    raw_eval = dict(evaluate(args.faces, spec, cache_dir=cache, progress=False).figures)
    cohort_eval = dict(
        evaluate(
            args.faces, spec, cohort_dir=args.faces, fold=(0, 2), cache_dir=cache, progress=False
        ).figures
    )
    print(f"evaluations ready ({time.time() - t0:.0f} s)", flush=True)
    settings = {
        "before": dict(
            threshold=0.95,
            algorithm_options={"flip": False, "zoom": False},
            aggregate=False,
            gate=False,
        ),
        "raw": dict(evaluation=raw_eval),
        "cohort": dict(evaluation=cohort_eval, cohort_dir=args.faces),
        "cohort, no averaging": dict(
            evaluation=cohort_eval, cohort_dir=args.faces, aggregate=False
        ),
        "cohort, no gate": dict(
            evaluation=cohort_eval, cohort_dir=args.faces, gate=False, min_inter_eye_px=10.0
        ),
        "cohort, more views": dict(
            evaluation=cohort_eval,
            cohort_dir=args.faces,
            policy=TemplatePolicy(max_templates=6, min_gap_frames=2, improvement=-0.15),
        ),
    }
    only = set(args.only.split(",")) if args.only else set(settings)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.processor() or platform.machine(),
        "cores": len(os.sched_getaffinity(0)),
        "evaluations": {
            k: {
                x: e.get(x)
                for x in ("data", "scoring", "gallery_size", "tpir_at_fpir_0.001", "cohort_size")
            }
            for k, e in (("raw", raw_eval), ("cohort", cohort_eval))
        },
        "cases": [],
    }
    with tempfile.TemporaryDirectory(prefix="frt-bench-crowd-") as tmp:
        tmp = Path(tmp)
        wls = {
            "A": watchlist_folder(people, a_names, tmp / "wl-A"),
            "all": watchlist_folder(people, everyone, tmp / "wl-all"),
        }
        clips = []
        for clip in sorted(args.videos.glob("*.mp4")) if args.videos else []:
            clips.append(("crowd", trimmed(clip, args.max_frames, tmp), []))
        for photo in sorted(args.scenes.iterdir()) if args.scenes else []:
            shown = scene_people(photo)
            clips.append(
                (
                    "known" if shown else "crowd",
                    pan_clip(photo, tmp / f"pan-{photo.stem}.mp4"),
                    list(shown),
                )
            )
        known = [n for n in a_names if len(people[n]) >= 2]
        step = max(1, len(known) // max(1, args.known))
        chosen = known[::step][: args.known]
        per_clip = math.ceil(len(chosen) / max(1, args.stage_clips))
        for c in range(args.stage_clips):
            group = [
                (n, people[n][1 + (c % (len(people[n]) - 1))])
                for n in chosen[c * per_clip : (c + 1) * per_clip]
            ]
            if group:
                clip, present = stage_clip(group, tmp / f"stage-{c}.mp4", seed=c)
                clips.append(("stage", clip, present))
        print(f"{len(clips)} clips", flush=True)
        refs = {}
        if not args.no_reference:
            known_encs = {
                w: reference_encodings(folder, Path("var/bench/reference-encodings"))
                for w, folder in wls.items()
            }
            for kind, clip, shown in clips:
                frames, encs, fps = reference_faces(clip)
                refs[clip.name] = {
                    w: dict(
                        reference_case(
                            encs, known_encs[w], kind, [p for p in shown if p in known_encs[w]]
                        ),
                        fps=round(fps, 2),
                    )
                    for w in wls
                }
                print(f"reference {clip.name}: {len(encs)} faces, {fps:.1f} fps", flush=True)
        for name, options in settings.items():
            if name not in only:
                continue
            for w, folder in wls.items():
                if w == "all" and name not in ("before", "raw"):
                    continue  # half B is the cohort: no one is left outside watchlist "all"
                rest = dict(options)
                setup_args = {
                    k: rest.pop(k)
                    for k in ("threshold", "evaluation", "cohort_dir", "gate", "min_inter_eye_px")
                    if k in rest
                }
                try:
                    setup = prepare(folder, cache_dir=cache, **setup_args, **rest)
                except BenchRefused as refused:
                    print(f"{name} / {w}: refused: {refused.args[0]}", flush=True)
                    result["cases"].append(
                        {"setting": name, "watchlist": w, "refused": str(refused.args[0])}
                    )
                    continue
                pool = make_pool(setup.config.algorithm, setup.config.algorithm_options)
                try:
                    listed = setup.watchlist.subjects()
                    for kind, clip, shown in clips:
                        present = [p for p in shown if p in listed]
                        case = {
                            "setting": name,
                            "watchlist": w,
                            "watchlist_size": setup.extra["watchlist_size"],
                            "clip": clip.name,
                            "kind": kind,
                            "present": len(present),
                            "frt": frt_case(clip, setup, pool, kind, present),
                            "reference": refs.get(clip.name, {}).get(w),
                        }
                        case["frt"]["shown_not_listed"] = sorted(set(shown) - set(present))
                        result["cases"].append(case)
                        f = case["frt"]
                        print(
                            f"{name:22s} {w:3s} {clip.name[:44]:44s} t={f['threshold']:.4f} "
                            f"faces {f['faces_seen']:4d} tracks {f['tracks']:3d} "
                            f"templ {f['templates']:3d} false {f['false_alerts']:3d}"
                            + (f" found {len(f['found'])}/{len(present)}" if present else "")
                            + (
                                f" | ref false {case['reference']['false_alerts']}"
                                + (f" found {len(case['reference']['found'])}" if present else "")
                                if case["reference"]
                                else ""
                            ),
                            flush=True,
                        )
                finally:
                    pool.shutdown()
                    setup.watchlist.wipe()
    result["summary"] = summarise(result["cases"])
    print(json.dumps(result["summary"], indent=1))
    if args.json:
        for case in result["cases"]:  # names of watchlisted people stay out of the record
            case.get("frt", {}).pop("track_results", None)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


def summarise(cases: list[dict]) -> dict:
    """Per setting and watchlist: totals over the crowd clips and over the stage clips."""
    out: dict = {}
    for c in cases:
        if "refused" in c:
            out[f"{c['setting']} / {c['watchlist']}"] = {"refused": c["refused"]}
            continue
        key = f"{c['setting']} / {c['watchlist']}"
        row = out.setdefault(
            key,
            {
                "watchlist_size": c["watchlist_size"],
                "threshold": c["frt"]["threshold"],
                "crowd": _zero(),
                "known": _zero(),
                "stage": _zero(),
            },
        )
        part = row[c["kind"]]
        f, r = c["frt"], c["reference"] or {}
        for k in ("faces_seen", "tracks", "templates", "false_alerts", "faces_too_small"):
            part[k] += f.get(k, 0)
        part["present"] += c["present"]
        part["found"] += len(f.get("found", []))
        part["ref_faces_seen"] += r.get("faces_seen", 0)
        part["ref_false_alerts"] += r.get("false_alerts", 0)
        part["ref_found"] += len(r.get("found", []))
    for row in out.values():
        for part in (row.get("crowd"), row.get("known"), row.get("stage")):
            if part:
                part["false_alerts_per_face"] = round(
                    part["false_alerts"] / max(1, part["faces_seen"]), 4
                )
                part["ref_false_alerts_per_face"] = round(
                    part["ref_false_alerts"] / max(1, part["ref_faces_seen"]), 4
                )
    return out


def _zero() -> dict:
    return dict.fromkeys(
        (
            "faces_seen",
            "tracks",
            "templates",
            "false_alerts",
            "faces_too_small",
            "present",
            "found",
            "ref_faces_seen",
            "ref_false_alerts",
            "ref_found",
        ),
        0,
    )


if __name__ == "__main__":
    main()
