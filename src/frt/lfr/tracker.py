"""Following each face across frames, so that a person — not a frame — is what gets templated and
alerts (Frigate's habit; LIVE-02).

A `Track` keeps the face box, when it first entered the Zone of Recognition (Recognition Time
starts there), and at most one face chip: the best one not yet templated. `TemplatePolicy`
decides when a chip is worth templating: at once for a new face (so Recognition Time is short),
then again for a clearly better view, a few times at most per track.

A track's templates are its views of one person: each comparison uses their quality-weighted
mean (`Track.add_view`), so later views add to the first instead of replacing it. They are held
in memory only while the person is in view; when a track ends, its chip and templates are
overwritten with zeros and dropped (LIVE-03, SOP 13.1(a)); only counts remain.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from frt.lfr.analyse import Observation, iou

MATCH_IOU = 0.2  # a detection overlapping a track's box this much continues it
MATCH_CENTRE = 0.8  # ... or whose centre is within this share of the box size (fast walkers)


@dataclass(frozen=True)
class TemplatePolicy:
    max_templates: int = 3  # per track
    min_gap_frames: int = 4  # between two templates of one track
    improvement: float = 0.08  # a later chip must beat the best templated quality by this much
    max_missing_frames: int = 12  # a track not seen for this many frames has left


@dataclass(eq=False)
class Track:
    id: int
    first_frame: int
    first_captured: float  # monotonic time the frame where it entered the zone was read
    first_pts_s: float
    box: tuple[int, int, int, int]
    last_frame: int
    chip: np.ndarray | None = field(default=None, repr=False)  # best chip not yet templated
    chip_quality: float = -1.0
    templated_quality: float = -1.0
    templates: int = 0
    last_template_frame: int = -(10**9)
    pending: int = 0  # templates being made
    alerted: bool = False
    in_zone: bool = False
    ended: bool = False
    views: list = field(default_factory=list, repr=False)  # this track's unit templates
    view_weights: list = field(default_factory=list, repr=False)

    def offer(self, obs: Observation) -> None:
        """Keep `obs`'s chip if it is this track's best view so far (the other is wiped)."""
        if obs.chip is None or obs.quality <= self.chip_quality:
            wipe(obs.chip)
            return
        wipe(self.chip)
        self.chip, self.chip_quality = obs.chip, obs.quality

    def take_chip(self) -> tuple[np.ndarray | None, float]:
        chip, q = self.chip, self.chip_quality
        self.chip, self.chip_quality = None, -1.0
        return chip, q

    def add_view(self, vector: np.ndarray, quality: float) -> np.ndarray:
        """Keep one more template of this person; return the probe to compare: the views'
        quality-weighted mean, unit length (a new array, to be wiped after its comparison)."""
        self.views.append(vector)
        self.view_weights.append(max(float(quality), 1e-3))
        mean = np.average(np.stack(self.views), axis=0, weights=self.view_weights)
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)

    def forget(self) -> None:
        wipe(self.chip)
        self.chip = None
        for view in self.views:
            wipe(view)
        self.views, self.view_weights = [], []


def wipe(array: np.ndarray | None) -> None:
    """Overwrite a buffer holding a face or template so no copy of it outlives its use."""
    if array is not None and array.flags.writeable:
        array.fill(0)


class Tracker:
    def __init__(self, policy: TemplatePolicy = TemplatePolicy()):
        self.policy = policy
        self.tracks: dict[int, Track] = {}
        self._ids = itertools.count(1)
        self.started = 0  # tracks that entered the zone

    def boxes(self) -> list[tuple[int, int, int, int]]:
        return [t.box for t in self.tracks.values()]

    def update(
        self, frame_index: int, captured: float, pts_s: float, observations: list[Observation]
    ) -> list[Track]:
        """Assign this frame's observations to tracks; return the tracks that ended."""
        unmatched = self._assign(frame_index, captured, pts_s, observations)
        for obs in unmatched:
            track = Track(next(self._ids), frame_index, captured, pts_s, obs.box, frame_index)
            self.tracks[track.id] = track
            self._see(track, obs, frame_index, captured, pts_s)
        ended = [
            t
            for t in self.tracks.values()
            if frame_index - t.last_frame > self.policy.max_missing_frames
        ]
        for track in ended:
            self.end(track)
        return ended

    def end(self, track: Track) -> None:
        track.ended = True
        track.forget()
        self.tracks.pop(track.id, None)

    def end_all(self) -> list[Track]:
        ended = list(self.tracks.values())
        for track in ended:
            self.end(track)
        return ended

    def settled(self, track: Track) -> bool:
        """Whether the track will take no more templates (its faces need no measuring)."""
        return track.alerted or track.templates + track.pending >= self.policy.max_templates

    def wants_template(self, track: Track, frame_index: int) -> bool:
        p = self.policy
        if (
            track.chip is None
            or track.pending
            or track.alerted
            or track.templates >= p.max_templates
        ):
            return False
        if track.templates == 0:
            return True
        return (
            frame_index - track.last_template_frame >= p.min_gap_frames
            and track.chip_quality >= track.templated_quality + p.improvement
        )

    def _assign(
        self, frame_index: int, captured: float, pts_s: float, observations: list[Observation]
    ) -> list[Observation]:
        pairs = []
        for oi, obs in enumerate(observations):
            for track in self.tracks.values():
                score = _closeness(track.box, obs.box)
                if score > 0:
                    pairs.append((score, oi, track.id))
        pairs.sort(reverse=True)
        used_obs, used_tracks = set(), set()
        for _, oi, tid in pairs:
            if oi in used_obs or tid in used_tracks:
                continue
            used_obs.add(oi)
            used_tracks.add(tid)
            track = self.tracks[tid]
            self._see(track, observations[oi], frame_index, captured, pts_s)
        return [o for i, o in enumerate(observations) if i not in used_obs]

    def _see(
        self, track: Track, obs: Observation, frame_index: int, captured: float, pts_s: float
    ) -> None:
        track.box, track.last_frame = obs.box, frame_index
        if obs.in_zone and not track.in_zone:  # Recognition Time starts at this frame
            track.in_zone = True
            self.started += 1
            track.first_frame, track.first_captured, track.first_pts_s = (
                frame_index,
                captured,
                pts_s,
            )
        track.offer(obs)


def _closeness(a, b) -> float:
    """IoU, or a small positive score for a near centre (a fast walker), else 0."""
    overlap = iou(a, b)
    if overlap >= MATCH_IOU:
        return 1.0 + overlap
    size = max(a[2] - a[0], a[3] - a[1], 1)
    ca, cb = ((a[0] + a[2]) / 2, (a[1] + a[3]) / 2), ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    dist = float(np.hypot(ca[0] - cb[0], ca[1] - cb[1]))
    return 1.0 - dist / (MATCH_CENTRE * size) if dist < MATCH_CENTRE * size else 0.0
