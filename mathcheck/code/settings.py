"""A KL weight given as a keyword (``def loss_function(recon_x, x, mu, logvar, beta=1.0)``), exercised: the
checks call the default only, but training code calls ``loss_function(..., beta=4)``. The function is
called at two other values of the weight, and the changes of its value with the KL's inputs and with the
reconstruction's inputs must scale as the weight does (the KL) and stay put (the reconstruction).
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable

import numpy as np

from mathcheck.code.calls import Caller, leaves
from mathcheck.code.report import Finding

TRIED = (1.5, 4.0)  # the weight values the function is called at
TOLERANCE = 1e-6


def kl_weight_parameter(function: Callable) -> str | None:
    """The keyword argument whose name says it weights the KL (``beta``, ``kl_weight``), with a numeric default."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    for parameter in parameters:
        default = parameter.default
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY) \
                and _names_a_kl_weight(parameter.name):
            return parameter.name
    return None


def _names_a_kl_weight(name: str) -> bool:
    lowered = name.lower()
    if "beta" in lowered:
        return True
    return ("kl" in lowered) and any(word in lowered for word in ("weight", "coef", "scale", "factor", "mult", "lam",
                                                                  "w"))


def weight_findings(caller: Caller, values: dict[str, np.ndarray], name: str) -> list[Finding]:
    """A bug when calling with ``name`` = 1.5 and 4 does not scale the KL part by 4/1.5 with the
    reconstruction part unchanged; [] when it does, or when the function cannot be called so."""
    groups = {"KL": _moved(values, "mu", 0.7), "reconstruction": _moved_recon(values)}
    ratios: dict[str, float] = {}
    for group, moved in groups.items():
        if moved is None:
            continue
        changes = [_change(caller, name, value, values, moved) for value in TRIED]
        if any(change is None for change in changes) or abs(changes[0]) < 1e-9:
            return []
        ratios[group] = changes[1] / changes[0]
    expected = TRIED[1] / TRIED[0]
    kl, recon = ratios.get("KL"), ratios.get("reconstruction")
    kl_ok = kl is None or abs(kl - expected) <= TOLERANCE * expected
    recon_ok = recon is None or abs(recon - 1.0) <= TOLERANCE
    if kl_ok and recon_ok:
        return []
    return [Finding("beta", "bug", _message(name, kl, recon, expected),
                    {"argument": name, "values": list(TRIED), "kl_change_ratio": kl,
                     "reconstruction_change_ratio": recon, "expected_kl_ratio": expected})]


def _message(name: str, kl: float | None, recon: float | None, expected: float) -> str:
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
    return (f"{name} does not act as the KL weight: calling with {name} = {high:g} instead of {low:g} scales "
            f"{' and '.join(parts)}, where a KL weight {wanted}")


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


def _moved(values: dict, key: str, by: float) -> dict | None:
    return {**values, key: values[key] + by} if key in values else None


def _moved_recon(values: dict) -> dict | None:
    if "recon" not in values:
        return None
    return {**values, "recon": 0.5 * values["recon"] + 0.25}


__all__ = ["kl_weight_parameter", "weight_findings"]
