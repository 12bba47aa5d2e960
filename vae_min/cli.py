"""``mathcheck vae``: train the minimal VAE, then confirm the article's claims about its loss.

Exit codes: 0 every confirmation holds, 1 one is refuted or undecided, 2 a usage error (e.g. ``--device cuda``
without CUDA). Importing this module does not import torch (``mathcheck list`` stays fast).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from mathcheck.cli import positive_int, seed_int
from mathcheck.report import finite_json
from .config import DATASETS, DEVICES, VAEConfig

HELP = "train the minimal torch VAE and confirm its loss is -ELBO (empirically)"
MAX_IMAGES = 1000  # test images used by the confirmations (the IWAE with K = 1000 costs K decodes each)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    defaults = VAEConfig()
    parser.add_argument("--epochs", type=positive_int, default=defaults.epochs, help="default %(default)s")
    parser.add_argument("--latent-dim", type=positive_int, default=defaults.latent_dim, help="default %(default)s")
    parser.add_argument("--hidden-dim", type=positive_int, default=defaults.hidden_dim, help="default %(default)s")
    parser.add_argument("--batch-size", type=positive_int, default=defaults.batch_size, help="default %(default)s")
    parser.add_argument("--device", choices=DEVICES, default=defaults.device, help="default %(default)s")
    parser.add_argument("--seed", type=seed_int, default=defaults.seed, help="default %(default)s")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--plot", metavar="PATH", help="write the training curve (ELBO, log p(x)) to PATH")
    parser.add_argument("--dataset", choices=DATASETS, default=defaults.dataset,
                        help="digits: scikit-learn's bundled 8x8 digits, binarized (default); mnist: needs --data-dir")
    parser.add_argument("--data-dir", metavar="DIR", help="MNIST in torchvision's layout (never downloaded)")
    parser.add_argument("--save", metavar="PATH", help="save a checkpoint (written atomically)")
    parser.add_argument("--images", type=positive_int, default=MAX_IMAGES,
                        help="test images for the confirmations, at least 2 (default: all, at most %(default)s)")


def run(args: argparse.Namespace) -> int:
    from mathcheck.cli import UsageError

    try:
        config = VAEConfig(hidden_dim=args.hidden_dim, latent_dim=args.latent_dim, epochs=args.epochs,
                           batch_size=args.batch_size, seed=args.seed, device=args.device,
                           dataset=args.dataset, data_dir=args.data_dir)
        from .config import resolve_device

        device = resolve_device(config.device)
    except ValueError as error:
        raise UsageError(str(error)) from None

    _check_request(args)
    from . import confirmations
    from .data import load

    elementwise = confirmations.elementwise_precision(seed=args.seed, device=device)  # first: it must see first calls
    try:
        dataset = load(config.dataset, config.data_dir, device)
    except ValueError as error:
        raise UsageError(str(error)) from None
    dataset = replace(dataset, test=dataset.test[: args.images])  # the images every estimate below uses
    try:
        result = _train(config, dataset, args)
    except (MemoryError, RuntimeError) as error:
        if not isinstance(error, MemoryError) and "alloc" not in str(error) and "out of memory" not in str(error):
            raise
        raise UsageError(f"not enough memory for a VAE with {config.hidden_dim} hidden units and latent dimension "
                         f"{config.latent_dim} on {device}: {str(error).splitlines()[0]}") from None
    test = dataset.test
    report = [elementwise] + _confirm(result.model, test, args.seed)
    bound = next(c for c in report if c.name == "vae-elbo-bound").findings[0].numbers
    summary = {
        "ok": all(c.verdict == confirmations.HOLDS for c in report),
        "device": device,
        "dataset": dataset.name,
        "epochs": config.epochs,
        "train_seconds": round(result.seconds, 3),
        "test_images": len(test),
        "test_elbo": bound["elbo"],
        "test_log_px": bound["log_px"],
        "checks": [c.to_dict() for c in report],
    }
    wrote = []  # the files written, reported as `plot` reports its figure: "wrote PATH" (in JSON: "wrote")
    if args.save:
        wrote.append(_write(lambda: _save(result, args.save), args.save))
    if args.plot:
        from .plot import plot_history

        wrote.append(_write(lambda: plot_history(result.history, args.plot, f"vae_min on {dataset.name}"), args.plot))
    if wrote:
        summary["wrote"] = [str(path) for path in wrote]
    print(json.dumps(finite_json(summary), indent=2, default=float) if args.format == "json"
          else format_text(summary, config))
    return 0 if summary["ok"] else 1


def _check_request(args: argparse.Namespace) -> None:
    """What can be refused before training: outputs that could not be written, options that would be ignored."""
    from pathlib import Path

    from mathcheck.cli import UsageError
    from mathcheck.plots._common import PlotError, output_format

    if args.images < 2:
        raise UsageError(f"--images must be at least 2 (a standard error needs two images), got {args.images}")
    if args.data_dir and args.dataset != "mnist":
        raise UsageError(f"--data-dir is read only with --dataset mnist (the {args.dataset} data are bundled)")
    for option, path in (("--plot", args.plot), ("--save", args.save)):
        if path and not Path(path).resolve().parent.is_dir():
            raise UsageError(f"cannot write {path!r} ({option}): its directory does not exist")
    if args.plot:
        try:
            output_format(args.plot)
        except PlotError as error:
            raise UsageError(str(error)) from None


def _train(config: VAEConfig, dataset, args):
    from .train import train

    progress = args.format == "text" and sys.stderr.isatty()
    every = max(1, config.epochs // 5) if args.plot else 0  # K = 1000 importance samples: 5 points
    return train(config, dataset, progress=progress, log_px_every=every)


def _confirm(model, test, seed: int):
    from . import confirmations as c

    return [c.loss_is_negative_elbo(model, test, seed=seed), c.kl_term(model, test, seed=seed),
            c.elbo_bound(model, test, seed=seed), c.gap_is_posterior_kl(model, test, seed=seed),
            c.reparameterization_gradients(seed=seed)]


def _save(result, path):
    from .train import save_checkpoint

    return save_checkpoint(result, path)


def _write(action, path: str):
    """``action()``'s result (the path written), or a UsageError saying why ``path`` could not be written."""
    from mathcheck.cli import UsageError

    try:
        return action()
    except OSError as error:
        raise UsageError(f"cannot write {path!r}: {error.strerror or error}") from None
    except ValueError as error:  # PlotError
        raise UsageError(str(error)) from None


def format_text(summary: dict, config: VAEConfig) -> str:
    lines = [
        f"vae_min: {summary['dataset']} (binarized), {config.hidden_dim}-unit MLPs, latent {config.latent_dim}, "
        f"{summary['epochs']} epoch{'s' if summary['epochs'] != 1 else ''} on {summary['device']} in {summary['train_seconds']:.2f} s",
        f"test ELBO      {summary['test_elbo']:9.3f} nats per image ({summary['test_images']} test images)",
        f"test log p(x)  {summary['test_log_px']:9.3f} nats per image (importance sampling, K = 1000)",
        "",
        f"{'verdict':<8} {'check':<24} finding",
    ]
    for check in summary["checks"]:
        for finding in check["findings"]:
            lines.append(f"{finding['verdict']:<8} {check['name']:<24} {finding['claim']}")
            lines.append(f"{'':<33} {_numbers(finding['numbers'])}  [{finding['tolerance']}; {finding['precision']}]")
    passed = sum(c["verdict"] == "holds" for c in summary["checks"])
    lines += ["", f"{passed}/{len(summary['checks'])} confirmations hold"]
    lines += [f"wrote {path}" for path in summary.get("wrote", [])]
    return "\n".join(lines)


def _numbers(numbers: dict) -> str:
    shown = []
    for key, value in numbers.items():
        if isinstance(value, dict):
            if key == "ratios":
                shown.append("ratios " + ", ".join(f"{k}: {v:.3g}" for k, v in value.items()))
            continue
        if isinstance(value, list):
            continue
        shown.append(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}")
    return " ".join(shown)
