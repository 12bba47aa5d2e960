"""``mathcheck plot NAME --out PATH``: the sub-command that mathcheck.cli loads as a plugin.

Only argparse is imported here; numpy, scipy, matplotlib (and torch for reparam-variance) load when a
figure is drawn, so ``mathcheck --help`` stays fast.
"""
from __future__ import annotations

import argparse
import re
import sys

from mathcheck.cli import seed_int

HELP = "draw a figure (kl-surface, kl-nonneg, jensen-gap, elbo-gap, reparam-variance) to PNG, SVG or PDF"

# plot name -> (module, function, {option dest: keyword argument of the function})
PLOTS = {
    "kl-surface": ("kl", "kl_surface", {"mu_range": "mu_range", "sigma_range": "sigma_range",
                                        "resolution": "resolution", "log_sigma": "log_sigma"}),
    "kl-nonneg": ("kl", "kl_nonneg", {"x_range": "x_range", "resolution": "resolution"}),
    "jensen-gap": ("jensen", "jensen_gap", {"function": "g", "mu": "mu", "sigma_range": "spread_range",
                                            "resolution": "resolution"}),
    "elbo-gap": ("elbo", "elbo_gap", {"observed": "observed", "mu_range": "mean_range",
                                      "sigma_range": "scale_range", "resolution": "resolution"}),
    "reparam-variance": ("reparam", "reparam_variance", {"function": "f", "mu": "mu", "sigma_range": "sigma_range",
                                                         "resolution": "resolution", "samples": "samples",
                                                         "seed": "seed"}),
}
_FLAGS = {"mu_range": "--mu-range", "sigma_range": "--sigma-range", "x_range": "--x-range",
          "resolution": "--resolution", "log_sigma": "--log-sigma", "function": "--function", "mu": "--mu",
          "observed": "--observed", "samples": "--samples", "seed": "--seed"}


# argparse (before Python 3.13) takes "-1e-3" for an option; let it read negative numbers in any float notation.
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|nan)$", re.IGNORECASE)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser._negative_number_matcher = _NEGATIVE_NUMBER
    parser.description = "Draw one figure; the format comes from the extension of --out (png, svg, pdf)."
    parser.add_argument("name", metavar="NAME", choices=list(PLOTS), help="one of: " + ", ".join(PLOTS))
    parser.add_argument("--out", required=True, metavar="PATH", help="output file: .png, .svg or .pdf")
    pair = {"nargs": 2, "type": float, "metavar": ("LO", "HI"), "default": None}
    parser.add_argument("--mu-range", **pair,
                        help="kl-surface: range of μ (default -3 3); elbo-gap: range of q's mean "
                             "(default: posterior mean ± 5 posterior sd)")
    parser.add_argument("--sigma-range", **pair,
                        help="kl-surface: range of σ > 0 (default 0.1 3); elbo-gap: range of q's sd "
                             "(default posterior sd / 8 .. × 4); jensen-gap: spread σ >= 0 (default 0 2); "
                             "reparam-variance: σ > 0 (default 0.05 5)")
    parser.add_argument("--x-range", **pair, help="kl-nonneg: range of x (default -3 3)")
    parser.add_argument("--log-sigma", action="store_true", default=None,
                        help="kl-surface: log-spaced σ on a log axis")
    parser.add_argument("--resolution", type=int, default=None, metavar="N",
                        help="grid points per axis (defaults: kl-surface 81, kl-nonneg 601, jensen-gap 101, "
                             "elbo-gap 61, reparam-variance 21 values of σ)")
    parser.add_argument("--function", default=None, metavar="F",
                        help="jensen-gap: g = exp or 1+z^2 (default exp); reparam-variance: f = square or sin "
                             "(default square)")
    parser.add_argument("--mu", type=float, default=None,
                        help="jensen-gap, reparam-variance: the mean μ of z (defaults 0 and 1)")
    parser.add_argument("--observed", type=float, default=None, help="elbo-gap: the data point X (default 2)")
    parser.add_argument("--samples", type=int, default=None, metavar="N",
                        help="reparam-variance: draws per σ (default 20000)")
    parser.add_argument("--seed", type=seed_int, default=None, help="reparam-variance: random seed (default 0)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (default 150)")


def run(args: argparse.Namespace) -> int:
    from mathcheck.plots._common import PlotError

    try:
        path = draw(args)
    except PlotError as error:
        print(f"mathcheck: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def draw(args: argparse.Namespace):
    """Validate the options for the named plot, draw it and save it; raises PlotError on bad input."""
    import importlib

    from mathcheck.plots._common import PlotError, output_format, save

    module_name, function_name, accepted = PLOTS[args.name]
    given = {dest for dest in _FLAGS if getattr(args, dest, None) is not None}
    stray = sorted(_FLAGS[dest] for dest in given - set(accepted))
    if stray:
        raise PlotError(f"{', '.join(stray)} does not apply to {args.name}")
    output_format(args.out)  # refuse a bad extension before spending time on the figure
    if not 1 <= args.dpi <= 1200:
        raise PlotError(f"--dpi must be from 1 to 1200, got {args.dpi}")
    module = importlib.import_module(f"mathcheck.plots.{module_name}")
    keywords = {accepted[dest]: getattr(args, dest) for dest in given}
    figure = getattr(module, function_name)(**keywords)
    return save(figure, args.out, dpi=args.dpi)
