"""A loss weight given as a keyword (``def loss_function(recon_x, x, mu, logvar, beta=1.0)``), exercised: the
checks call the default only, but training code calls ``loss_function(..., beta=4)``. The function is
called at two other values of the weight. A KL weight (``beta``, ``kl_weight``): the change of the loss
under every move of the KL's inputs — μ alone, the scale alone, both — from several points (the drawn
inputs, μ = 0, the neutral scale: log-variance 0 or σ = 1) must scale as the weight does, so that the
WHOLE KL is weighted, not one of its terms; the change under a move of the reconstruction's inputs must
stay put. Another weight-like keyword (``lam``, ``alpha``, ``recon_weight``) that scales the
reconstruction and leaves the KL is a note: it acts as an inverse KL weight (β = 1/λ).
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable, Iterator

import numpy as np

from mathcheck.code.calls import Caller, leaves
from mathcheck.code.report import Finding

TRIED = (1.5, 4.0)  # the weight values the function is called at
TOLERANCE = 1e-6  # relative, on a change of the loss computed in float64
LOW_PRECISION_TOLERANCE = 1e-3  # relative, when the function computes in float32 or lower
_LOG_SCALES = ("logvar", "log_sigma")
_WEIGHT_PARTS = ("weight", "alpha", "gamma", "lambda")  # anywhere in the name: recon_weight, alpha_rec
_WEIGHT_WORDS = ("lam", "coef", "scale", "factor", "mult")  # whole words between underscores: lam, rec_coef


def kl_weight_parameter(function: Callable) -> str | None:
    """The keyword argument whose name says it weights the KL (``beta``, ``kl_weight``), with a numeric default."""
    return _weight_parameter(function, _names_a_kl_weight)


def other_weight_parameter(function: Callable) -> str | None:
    """A numeric keyword whose name says it is a weight (``lam``, ``alpha``, ``recon_weight``) but not the KL's."""
    return _weight_parameter(function, _names_another_weight)


def _weight_parameter(function: Callable, names_it: Callable[[str], bool]) -> str | None:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    for parameter in parameters:
        default = parameter.default
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) \
                and names_it(parameter.name):
            return parameter.name
    return None


def _names_a_kl_weight(name: str) -> bool:
    lowered = name.lower()
    if "beta" in lowered:
        return True
    return ("kl" in lowered) and any(word in lowered for word in ("weight", "coef", "scale", "factor", "mult", "lam",
                                                                  "w"))


def _names_another_weight(name: str) -> bool:
    lowered = name.lower()
    words = lowered.replace("-", "_").split("_")
    return not _names_a_kl_weight(name) and (any(part in lowered for part in _WEIGHT_PARTS)
                                             or any(word in words for word in _WEIGHT_WORDS))


def weight_findings(caller: Caller, values: dict[str, np.ndarray], name: str,
                    parameterization: str | None = None) -> list[Finding]:
    """A bug when calling with ``name`` = 1.5 and 4 does not scale every change of the KL part by 4/1.5
    with the reconstruction part unchanged; [] when it does, or when the function cannot be called so."""
    expected = TRIED[1] / TRIED[0]
    kl = _worst_ratio(caller, name, list(kl_moves(values, parameterization)), expected)
    recon_move = _moved_recon(values)
    recon = _worst_ratio(caller, name, [(values, recon_move)] if recon_move else [], 1.0)
    if kl is _UNCALLABLE or recon is _UNCALLABLE:
        return []
    kl_ok = kl is None or _close(kl, expected, caller)
    recon_ok = recon is None or _close(recon, 1.0, caller)
    if kl_ok and recon_ok:
        return []
    uneven = kl is not None and _uneven(caller, name, values, parameterization)
    return [Finding("beta", "bug", _message(name, kl, recon, expected, uneven),
                    {"argument": name, "values": list(TRIED), "kl_change_ratio": kl,
                     "reconstruction_change_ratio": recon, "expected_kl_ratio": expected})]


def other_weight_findings(caller: Caller, values: dict[str, np.ndarray], name: str,
                          parameterization: str | None = None) -> list[Finding]:
    """A note when ``name`` scales the reconstruction and leaves the KL: an effective KL weight 1/``name``."""
    expected = TRIED[1] / TRIED[0]
    recon_move = _moved_recon(values)
    kl = _worst_ratio(caller, name, list(kl_moves(values, parameterization)), 1.0)
    recon = _worst_ratio(caller, name, [(values, recon_move)] if recon_move else [], expected)
    if kl in (None, _UNCALLABLE) or recon in (None, _UNCALLABLE):
        return []
    if not (_close(kl, 1.0, caller) and _close(recon, expected, caller)):
        return []
    return [Finding("beta", "note", f"{name} weights the reconstruction, not the KL: the loss is "
                    f"{name}·reconstruction + KL = {name}·(reconstruction + KL/{name}), an effective KL weight "
                    f"β = 1/{name} (the ELBO only at {name} = 1)",
                    {"argument": name, "values": list(TRIED), "kl_change_ratio": kl,
                     "reconstruction_change_ratio": recon})]


_UNCALLABLE = float("nan")  # a marker: the function did not take a weight value or an input


def kl_moves(values: dict, parameterization: str | None) -> Iterator[tuple[dict, dict]]:
    """Pairs (from, to) of inputs that differ in the KL's inputs only: μ alone, the scale alone and both,
    from the drawn inputs, from μ = 0 and from the neutral scale (log-variance 0, σ = 1)."""
    if "mu" not in values:
        return
    starts = [values, {**values, "mu": np.zeros_like(values["mu"])}]
    if "scale" in values:
        neutral = 0.0 if parameterization in _LOG_SCALES else 1.0
        starts.append({**values, "scale": np.full_like(values["scale"], neutral)})
    for start in starts:
        moved_mu = {**start, "mu": start["mu"] + 0.7}
        yield start, moved_mu
        if "scale" in start:
            moved_scale = {**start, "scale": _moved_scale(start["scale"], parameterization)}
            yield start, moved_scale
            yield start, {**moved_mu, "scale": moved_scale["scale"]}


def _moved_scale(scale: np.ndarray, parameterization: str | None) -> np.ndarray:
    """A scale argument moved within its domain: shifted for a log-scale, stretched for σ or σ²."""
    return scale + 0.6 if parameterization in _LOG_SCALES else 1.6 * scale


def _worst_ratio(caller: Caller, name: str, moves: list[tuple[dict, dict]], expected: float) -> float | None:
    """Of the moves, the ratio (change at the second weight value) / (change at the first) farthest from
    ``expected``; None when no move changes the loss, _UNCALLABLE when the calls failed on every move (a
    move whose calls fail, the function refusing μ = 0 say, is left out)."""
    worst: float | None = None
    failed = 0
    for start, end in moves:
        changes = [_change(caller, name, value, start, end) for value in TRIED]
        if any(change is None for change in changes):
            failed += 1
            continue
        low, high = changes
        if max(abs(low), abs(high)) < 1e-9:
            continue  # this move does not reach the loss at all
        ratio = high / low if abs(low) >= 1e-12 else float("inf") * np.sign(high)
        if worst is None or abs(ratio - expected) > abs(worst - expected):
            worst = ratio
    return _UNCALLABLE if failed and failed == len(moves) else worst


def _close(ratio: float, expected: float, caller: Caller) -> bool:
    tolerance = TOLERANCE if caller.dtype == "float64" else LOW_PRECISION_TOLERANCE
    return abs(ratio - expected) <= tolerance * expected


def _near(ratio: float, expected: float) -> bool:
    return abs(ratio - expected) <= TOLERANCE * expected


def _uneven(caller: Caller, name: str, values: dict, parameterization: str | None) -> bool:
    """Whether the moves of the KL's inputs change with the weight by different factors: it weights a part."""
    ratios = [_worst_ratio(caller, name, [move], 1.0) for move in kl_moves(values, parameterization)]
    seen = [ratio for ratio in ratios if ratio is not None and ratio is not _UNCALLABLE]
    return bool(seen) and max(seen) - min(seen) > TOLERANCE * max(abs(r) for r in seen)


def _message(name: str, kl: float | None, recon: float | None, expected: float, uneven: bool = False) -> str:
    low, high = TRIED
    parts = []
    if kl is not None:
        parts.append(f"the KL part by {kl:.6g}")
    if recon is not None:
        parts.append(f"the reconstruction part by {recon:.6g}")
    where = ""
    if recon is not None and abs(recon - expected) <= TOLERANCE * expected and kl is not None and abs(kl - 1) < 1e-6:
        where = f": {name} weights the reconstruction, not the KL (an effective KL weight 1/{name})"
    wanted = (f"scales the KL by {expected:.6g} and leaves the reconstruction{where}" if recon is not None
              else f"scales it by {expected:.6g}")
    whole = (" (the change under a move of μ, of the scale or of both farthest from a KL weight's: the weight "
             "must multiply the whole KL, not one of its terms)" if uneven else "")
    return (f"{name} does not act as the KL weight: calling with {name} = {high:g} instead of {low:g} scales "
            f"{' and '.join(parts)}{whole}, where a KL weight {wanted}")


def _change(caller: Caller, name: str, value: float, values: dict, moved: dict) -> float | None:
    weighted = Caller(functools.partial(caller.function, **{name: value}), caller.backend, caller.keys,
                      caller.rng_names, caller.dtype)
    try:
        first, second = leaves(weighted(values)), leaves(weighted(moved))
    except Exception:  # the user's code: it does not take that value
        return None
    if not first or not second:
        return None
    return float(np.sum(second[0][1]) - np.sum(first[0][1]))


def _moved_recon(values: dict) -> dict | None:
    if "recon" not in values:
        return None
    return {**values, "recon": 0.5 * values["recon"] + 0.25}


__all__ = ["kl_weight_parameter", "other_weight_parameter", "weight_findings", "other_weight_findings", "kl_moves"]
