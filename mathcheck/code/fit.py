"""Least squares on a function's outputs, and how a fitted weight depends on the shapes it was called with.

A term's weight in a loss, fitted separately for each shape (B, D, d), is a law ρ · B^a · D^b · d^c with
integer exponents: a mean over the batch is a = −1, a KL averaged over the latent dims c = −1, a per-pixel
mean b = −1. ``weight_law`` finds the exponents under which ρ is the same for every shape; where a
dimension was not varied (code that hard-codes D = 784) the exponents that make ρ one of the term's plain
weights (1 for a KL or a Bernoulli NLL) are preferred, then the fewest exponents.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

# a fit is exact when every output is within TOLERANCE of its fitted terms, relative to the terms, after
# ROUNDING × |output| (the rounding of the code's own arithmetic, relative to the whole output, constants
# included). 1e-3 admits the log(p + 1e-4) guards of real code; the readings told apart differ by 2.5e-3 or
# more on these inputs (a Bernoulli from logits and a Gaussian of sigmoid(logits), the closest, are told
# apart again on logits in (-4, 4)), the parameterizations of the KL by 0.1 or more.
TOLERANCE = {"float64": 1e-3, "float32": 1e-3, "bfloat16": 3e-2, "float16": 1e-2}
ROUNDING = {"float64": 64 * 2.2e-16, "float32": 64 * 1.2e-7, "bfloat16": 64 * 7.8e-3, "float16": 64 * 9.8e-4}


@dataclass(frozen=True)
class LinearFit:
    """y ≈ columns @ coefficients; ``residual``: the worst misfit beyond rounding, relative to the fitted
    terms of its row (a row whose terms are near 0 is measured against 1e-3 of the largest)."""

    coefficients: np.ndarray
    residual: float
    misfit: float = 0.0  # the worst absolute misfit

    def fits(self, tolerance: float) -> bool:
        return self.residual <= tolerance


def linear_fit(y: np.ndarray, columns: Sequence[np.ndarray], terms: int = 1, rounding: float = 0.0) -> LinearFit:
    """Least squares of y on the columns, of which the first ``terms`` are terms and the rest constants."""
    y = np.asarray(y, dtype=np.float64)
    matrix = np.column_stack([np.asarray(column, dtype=np.float64) for column in columns])
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(matrix))):
        return LinearFit(np.full(matrix.shape[1], np.nan), float("inf"), float("inf"))
    coefficients, *_ = np.linalg.lstsq(matrix, y, rcond=None)
    absolute = np.abs(matrix @ coefficients - y)
    misfit = np.maximum(absolute - rounding * np.abs(y), 0.0)
    term = np.abs(matrix[:, :terms] @ coefficients[:terms])
    floor = max(1e-3 * float(np.max(term)), 1e-300)
    return LinearFit(coefficients, float(np.max(misfit / np.maximum(term, floor))), float(np.max(absolute)))


@dataclass(frozen=True)
class Law:
    """weight = rho · Π dims[name] ** exponents[name]."""

    rho: float
    exponents: dict[str, int]

    def at(self, dims: Mapping[str, int]) -> float:
        return self.rho * float(np.prod([dims[name] ** power for name, power in self.exponents.items()]))

    def power(self, name: str) -> int:
        return self.exponents.get(name, 0)


def weight_law(weights: Sequence[float], dims: Sequence[Mapping[str, int]], names: Sequence[str], tolerance: float,
               plain: Sequence[float] = (1.0,)) -> Law | None:
    """The law that the fitted weights of one term follow over the shapes, or None when none does."""
    weights = np.asarray(weights, dtype=np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights == 0):
        return None
    candidates = []
    for powers in itertools.product((0, -1, 1), repeat=len(names)):
        exponents = dict(zip(names, powers))
        rhos = np.array([w / np.prod([dim[name] ** p for name, p in exponents.items()])
                         for w, dim in zip(weights, dims)])
        rho = float(np.median(rhos))
        if np.max(np.abs(rhos - rho)) > tolerance * abs(rho):
            continue
        is_plain = any(abs(abs(rho) - value) <= tolerance * value for value in plain)
        candidates.append(((not is_plain, sum(p != 0 for p in powers), sum(p > 0 for p in powers)),
                           Law(rho, exponents)))
    if not candidates:
        return None
    return min(candidates, key=lambda item: item[0])[1]


def is_close(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= tolerance * max(abs(target), 1.0)


__all__ = ["TOLERANCE", "ROUNDING", "LinearFit", "linear_fit", "Law", "weight_law", "is_close"]
