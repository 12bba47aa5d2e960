"""Figures of the article's claims, as matplotlib Figures (Agg, no pyplot) and as ``mathcheck plot NAME``.

    >>> from mathcheck import plots
    >>> figure = plots.kl_surface(log_sigma=True)   # or kl_nonneg, jensen_gap, elbo_gap, reparam_variance
    >>> plots.save(figure, "kl.svg")

Importing this package is cheap: the figure modules (numpy, scipy, matplotlib, torch) load on first use.
"""
from __future__ import annotations

import importlib

from mathcheck.plots.cli import HELP, PLOTS, configure_parser, run

_LAZY = {function: module for module, function, _ in PLOTS.values()}
_LAZY.update({"save": "_common", "PlotError": "_common"})

__all__ = ["HELP", "PLOTS", "configure_parser", "run", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"mathcheck.plots.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'mathcheck.plots' has no attribute {name!r}")
