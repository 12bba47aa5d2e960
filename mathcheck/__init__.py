"""mathcheck: the mathematics of variational autoencoders, verified step by step.

Front ends, all on one engine (symbolic with sympy, numeric with quadrature on hypothesis-drawn worlds):

- the Python API: :mod:`mathcheck.calc` (chains of steps), :func:`mathcheck.checker.check_chain`,
  the article's derivations in :mod:`mathcheck.derivations`, closed forms in :mod:`mathcheck.gaussian`
  and hypothesis strategies in :mod:`mathcheck.strategies`;
- the command line, ``mathcheck`` / ``python -m mathcheck`` (:mod:`mathcheck.cli`): ``verify-all``,
  ``verify``, ``list``, ``show``;
- ``mathcheck audit``: the LaTeX of a Markdown or LaTeX document, step by step (:mod:`mathcheck.audit`);
- ``mathcheck check-code``: a VAE implementation checked against the derived math (:mod:`mathcheck.code`);
- ``mathcheck plot``: figures of the article's claims (:mod:`mathcheck.plots`);
- ``mathcheck vae``: the loss confirmed on a minimal torch VAE (:mod:`mathcheck.vae_min`).

Importing this package is cheap: it loads none of sympy, numpy, scipy or torch.
"""
from __future__ import annotations


def _installed_version() -> str:
    from mathcheck.lazy import installed_version  # importlib.metadata only where the folder's name does not say

    return installed_version("mathcheck") or "0+unknown"  # unknown: run from a source tree never installed


__version__ = _installed_version()

__all__ = ["__version__"]
