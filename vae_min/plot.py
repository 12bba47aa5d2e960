"""The training curve: train ELBO (-loss), test ELBO and importance-sampled test log p(x), per epoch."""
from __future__ import annotations

from pathlib import Path


def plot_history(history: list[dict], path: str | Path, title: str = "vae_min") -> Path:
    """Draw the curve and write it to ``path`` (png, svg or pdf by extension; ``PlotError`` otherwise)."""
    from mathcheck.plots._common import new_figure, output_format, save

    output_format(path)  # a bad extension fails before drawing
    figure = new_figure(7, 4.5)
    axes = figure.subplots()
    epochs = [h["epoch"] for h in history]
    marker = "." if len(history) < 20 else None  # a line of one epoch is a single point: mark it
    axes.plot(epochs, [-h["train_loss"] for h in history], label="train ELBO (-loss, 1 sample)", lw=1, marker=marker)
    axes.plot(epochs, [h["test_elbo"] for h in history], label="test ELBO (1 sample)", lw=1, marker=marker)
    marked = [h for h in history if "test_log_px" in h]
    if marked:
        axes.plot([h["epoch"] for h in marked], [h["test_log_px"] for h in marked], "o-",
                  label="test log p(x) (importance sampling, K = 1000)", ms=4)
    axes.set_xlabel("epoch")
    axes.set_ylabel("nats per image")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    return save(figure, path)
