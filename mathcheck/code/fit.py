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

TOLERANCE = {"float64": 1e-5, "float32": 2e-4, "bfloat16": 3e-2, "float16": 1e-2}  # relative, of a fit


@dataclass(frozen=True)
class LinearFit:
    """y ≈ columns @ coefficients, with the worst misfit relative to the largest |y|."""

    coefficients: np.ndarray
    residual: float

    def fits(self, tolerance: float) -> bool:
        return self.residual <= tolerance


def linear_fit(y: np.ndarray, columns: Sequence[np.ndarray]) -> LinearFit:
    y = np.asarray(y, dtype=np.float64)
    matrix = np.column_stack([np.asarray(column, dtype=np.float64) for column in columns])
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(matrix))):
        return LinearFit(np.full(matrix.shape[1], np.nan), float("inf"))
    coefficients, *_ = np.linalg.lstsq(matrix, y, rcond=None)
    misfit = np.max(np.abs(matrix @ coefficients - y))
    scale = max(np.max(np.abs(y)), np.max(np.abs(matrix * coefficients)), 1e-300)
    return LinearFit(coefficients, float(misfit / scale))


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
        rhos = np.array([w / np.prod([dim[name] ** p for name, p in exponents.items()]) for w, dim in zip(weights, dims)])
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


__all__ = ["TOLERANCE", "LinearFit", "linear_fit", "Law", "weight_law", "is_close"]
