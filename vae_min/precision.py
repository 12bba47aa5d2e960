"""Torch's float32 elementwise functions against float64 references (numpy / scipy).

The VAE's float32 forward pass is built from a few elementwise functions; a wrong result of 1e-4
relative (thousands of float32 ulps) would shift the loss without failing any statistical check.
So each is measured here in ulps of float32 against numpy/scipy in float64 on the same (exactly
representable) inputs; a correctly rounded function is within 0.5 ulp, and torch documents ~1-2.
Call this before anything else in a process: the first call of a kernel is the one measured.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.special

TOLERANCE_ULPS = 4.0
HAZARD_SHAPE = (128, 20)  # batch x latent: the shape of exp(0.5 * logvar) in training


@dataclass(frozen=True)
class ElementwiseCase:
    name: str
    torch_fn: Callable
    reference: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (x, target) in float64 -> f in float64
    inputs: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]
    error_scale: Callable[[np.ndarray, np.ndarray], np.ndarray]  # the magnitude whose float32 ulp is the unit


def _normal(scale: float):
    return lambda rng, shape: (scale * rng.standard_normal(shape)).astype(np.float32)


def _positive(rng, shape):
    return np.exp(3.0 * rng.standard_normal(shape)).astype(np.float32)


def _value(x, reference):
    return np.abs(reference)


def cases() -> list[ElementwiseCase]:
    import torch
    import torch.nn.functional as F

    bce = lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none")  # noqa: E731
    return [
        ElementwiseCase("exp", lambda x, t: torch.exp(x), lambda x, t: np.exp(x), _normal(3.0), _value),
        ElementwiseCase("expm1", lambda x, t: torch.expm1(x), lambda x, t: np.expm1(x), _normal(3.0), _value),
        ElementwiseCase("log", lambda x, t: torch.log(x), lambda x, t: np.log(x), _positive, _value),
        ElementwiseCase("log1p", lambda x, t: torch.log1p(x), lambda x, t: np.log1p(x), _positive, _value),
        ElementwiseCase("sigmoid", lambda x, t: torch.sigmoid(x), lambda x, t: scipy.special.expit(x),
                        _normal(6.0), _value),
        ElementwiseCase("softplus", lambda x, t: F.softplus(x), lambda x, t: np.logaddexp(0.0, x),
                        _normal(6.0), _value),
        ElementwiseCase("logsigmoid", lambda x, t: F.logsigmoid(x), lambda x, t: -np.logaddexp(0.0, -x),
                        _normal(6.0), _value),
        # BCE = softplus(x) - t x is a sum of terms of size |x|: its error is measured in ulps of |x| + |BCE|
        ElementwiseCase("binary_cross_entropy_with_logits", bce, lambda x, t: np.logaddexp(0.0, x) - t * x,
                        _normal(6.0), lambda x, reference: np.abs(x) + np.abs(reference)),
    ]


@dataclass(frozen=True)
class ElementwiseResult:
    name: str
    shape: tuple[int, ...]
    max_ulps: float
    bad_fraction: float  # elements beyond the tolerance

    @property
    def ok(self) -> bool:
        return self.max_ulps <= TOLERANCE_ULPS


def measure(case: ElementwiseCase, shape: tuple[int, ...], seed: int = 0, device: str = "cpu") -> ElementwiseResult:
    import torch

    rng = np.random.default_rng(seed)
    x = case.inputs(rng, shape)
    target = (rng.random(shape) < 0.5).astype(np.float32)
    result = case.torch_fn(torch.from_numpy(x).to(device), torch.from_numpy(target).to(device))
    got = result.double().cpu().numpy()
    reference = case.reference(x.astype(np.float64), target.astype(np.float64))
    ulp = np.spacing(case.error_scale(x.astype(np.float64), reference).astype(np.float32)).astype(np.float64)
    error = np.abs(got - reference)
    ulps = np.where(np.isfinite(got), error / ulp, np.inf)
    return ElementwiseResult(case.name, shape, float(ulps.max()), float((ulps > TOLERANCE_ULPS).mean()))


def check_elementwise(shapes=(HAZARD_SHAPE, (128, 400), (128, 64)), seed: int = 0,
                      device: str = "cpu") -> list[ElementwiseResult]:
    """Every case on every shape, fresh inputs each time (the first shape first: it is the hazard's)."""
    return [measure(case, shape, seed + i, device) for shape in shapes for i, case in enumerate(cases())]
