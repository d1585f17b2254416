"""Smoke test of the sharing benchmark's parts (the full run is ``bench_share``)."""

from launchwatch.share import bench
from launchwatch.share.bus import InProcBus


def test_bench_parts_run(feed):
    per = bench._per_frame(feed.detections, reps=20)
    assert per["encode_sign_us"] > 0 and per["verify_decode_us"] > 0
    assert per["rows_per_batch"] == 20 and per["frame_bytes"] > 20 * 8 * 13
    out = bench._transport(InProcBus(), feed.detections, n=30)
    assert out["frames"] == 60 and out["frames_per_s"] > 0
