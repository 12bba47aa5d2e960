"""Time to quality against batch size: does a larger batch (fewer, cheaper steps per epoch) train faster?

    python benchmarks/vae_batch_size.py [--max-epochs N]

A larger batch brings an epoch nearer the matmul floor (benchmarks/vae_epoch.py --batch-size 1438), but an
epoch is not the unit that matters: this script trains vae_min at several (batch size, learning rate)
pairs and prints, for each, the epochs and the seconds it takes to reach the test ELBO that the default
(batch 128, lr 1e-3, 100 epochs) reaches. The ELBO is the mean of 20 one-sample estimates on the test set.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from mathcheck.vae_min.config import VAEConfig
from mathcheck.vae_min.data import load_digits
from mathcheck.vae_min.train import build_model, make_optimizer, test_elbo, train_epoch

SETTINGS = [(128, 1e-3), (256, 3e-3), (512, 3e-3), (1438, 3e-3), (1438, 1e-2)]  # (batch size, lr)
EVERY = 5  # epochs between evaluations (not timed)


def elbo_curve(batch_size: int, lr: float, max_epochs: int, data) -> list[tuple[int, float, float]]:
    """(epoch, training seconds so far, test ELBO) every EVERY epochs."""
    config = VAEConfig(batch_size=batch_size, lr=lr, device="cpu")
    model = build_model(config, data.pixels, "cpu")
    optimizer = make_optimizer(model, lr)
    generator, eval_generator = torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)
    seconds, curve = 0.0, []
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        train_epoch(model, optimizer, data.train, batch_size, generator)
        seconds += time.perf_counter() - start
        if epoch % EVERY == 0:
            elbo = statistics.mean(test_elbo(model, data.test, eval_generator) for _ in range(20))
            curve.append((epoch, seconds, elbo))
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=400)
    args = parser.parse_args()
    data = load_digits()
    curves = {setting: elbo_curve(*setting, args.max_epochs, data) for setting in SETTINGS}
    target = next(elbo for epoch, _, elbo in curves[SETTINGS[0]] if epoch == 100)
    print(f"target: test ELBO {target:.2f} nats (batch 128, lr 1e-3, after 100 epochs); "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'batch':>6} {'lr':>7} {'epochs':>7} {'seconds':>8} {'ms/epoch':>9} {'best ELBO':>10}")
    for (batch_size, lr), curve in curves.items():
        reached = next(((epoch, seconds) for epoch, seconds, elbo in curve if elbo >= target), None)
        per_epoch = curve[-1][1] / curve[-1][0] * 1e3
        best = max(elbo for _, _, elbo in curve)
        shown = f"{reached[0]:>7} {reached[1]:>8.2f}" if reached else f"{'never':>7} {'-':>8}"
        print(f"{batch_size:>6} {lr:>7.0e} {shown} {per_epoch:>9.2f} {best:>10.2f}")


if __name__ == "__main__":
    main()
