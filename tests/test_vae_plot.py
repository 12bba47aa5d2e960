"""The training curve shows every epoch it was given, a single one included."""
import matplotlib

matplotlib.use("Agg")

import pytest

import mathcheck.plots._common as common
from mathcheck.vae_min.plot import plot_history


@pytest.mark.parametrize("epochs", [1, 2, 5])
def test_each_curve_of_a_short_run_is_visible(epochs, tmp_path, monkeypatch):
    drawn = {}
    monkeypatch.setattr(common, "save", lambda figure, path: drawn.setdefault("figure", figure) and path)
    history = [{"epoch": e + 1, "train_loss": 100.0 - e, "test_elbo": -101.0 + e} for e in range(epochs)]
    plot_history(history, tmp_path / "curve.png")
    lines = drawn["figure"].axes[0].get_lines()
    assert len(lines) == 2 and all(line.get_marker() not in (None, "None", "") for line in lines)
