"""The training curve: train ELBO (-loss), test ELBO and importance-sampled test log p(x), per epoch."""
from __future__ import annotations

from pathlib import Path


def plot_history(history: list[dict], path: str | Path, title: str = "vae_min") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(epochs, [-h["train_loss"] for h in history], label="train ELBO (-loss, 1 sample)", lw=1)
    ax.plot(epochs, [h["test_elbo"] for h in history], label="test ELBO (1 sample)", lw=1)
    marked = [h for h in history if "test_log_px" in h]
    if marked:
        ax.plot([h["epoch"] for h in marked], [h["test_log_px"] for h in marked], "o-",
                label="test log p(x) (importance sampling, K = 1000)", ms=4)
    ax.set_xlabel("epoch")
    ax.set_ylabel("nats per image")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
