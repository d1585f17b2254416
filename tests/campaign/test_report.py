"""The report's plots keep their scales: a shared axis beside an empty panel, plain time ticks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from launchwatch.campaign.report import error_vs_time_figure, swaps_breaks_figure  # noqa: E402


def _single_missile_engagements(n=40, breaks_at=(13,)):
    return {
        "status": ["ok"] * n,
        "salvo_size": [1] * n,
        "swaps": [0] * n,
        "breaks": [1 if i in breaks_at else 0 for i in range(n)],
        "aim_spacing_km": [0.0] * n,
        "launch_spacing_s": [0.0] * n,
    }


def test_swaps_and_breaks_keep_their_scale_beside_empty_salvo_panels():
    fig = swaps_breaks_figure(_single_missile_engagements())
    try:
        first = fig.axes[0]
        ticks = [t.get_text() for t in first.get_yticklabels() if t.get_text()]
        assert ticks, "the y axis lost its ticks (an empty panel cleared the shared axis)"
        # 1 break in 40 engagements is a bar of 0.025 on a 0-1 scale, not a full-height bar
        assert first.get_ylim() == (0.0, 1.0)
        heights = sorted(p.get_height() for p in first.patches)
        assert heights == [0.0, 0.025]
        texts = [t.get_text() for ax in fig.axes[1:] for t in ax.texts]
        assert texts == ["no salvos in this campaign"] * 2
    finally:
        plt.close(fig)


def test_error_vs_time_axis_has_plain_time_ticks_over_the_data():
    t = [12.0 + 0.5 * i for i in range(1200)]  # 12 s to 611.5 s after first track
    ass = {"t_since_first_track_s": t, "error_km": [1000.0 / (1 + x / 30) for x in t]}
    fig = error_vs_time_figure(ass)
    try:
        ax = fig.axes[0]
        labels = [x.get_text() for x in ax.get_xticklabels()]
        assert labels == ["10", "20", "30", "60", "120", "300", "600"]
        assert not [x for x in ax.get_xticklabels(minor=True) if x.get_text()]
        lo, hi = ax.get_xlim()
        assert 5.0 < lo < 12.0 and 611.5 < hi < 1500.0  # the axis spans the binned data
    finally:
        plt.close(fig)
