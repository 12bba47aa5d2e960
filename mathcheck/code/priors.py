"""A prior given as keywords (``def kl(mu, logvar, prior_mu=0.0, prior_logvar=0.0)``), exercised: the checks
call the defaults (the standard normal prior), but a conditional or learned prior calls them with other values.

The KL against N(m, s²) is the KL against N(0, 1) after a change of variables:
KL(N(μ, σ²) ‖ N(m, s²)) = KL(N((μ − m)/s, (σ/s)²) ‖ N(0, 1)). So the function called with the prior (m, s)
must give exactly what it gives at its default prior on μ' = (μ − m)/s and σ' = σ/s, whatever its reduction,
β or reconstruction term (the decoder output and the data are the same in both calls). A prior keyword's
meaning comes from its name without the prior word (``prior_logvar`` is log s², ``prior_std`` is s,
``mu_p`` is m); the scale argument's meaning is the parameterization the checks found. The prior is passed in
every form the function takes: an array shaped like μ with other values per entry (a conditional prior), one per
latent dim, and one number (as an array and as a Python number); each form taken must give the KL.
Names may lie, as for q's scale: a scale keyword that gives the KL only when read as another parameterization
(``prior_logvar`` used as log s) makes the verdict "correct if prior_logvar holds log s", with a note; one that
gives it under none (the prior ignored, (μ − m)² not divided by s²) is a ``kl-form`` bug. Only a KL the checks
confirmed at the default prior is varied (the identity needs the default to be N(0, 1)).
"""
from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from mathcheck.code.calls import Caller, leaves, small
from mathcheck.code.report import Finding
from mathcheck.code.roles import SCALE_ROLES, parameters, role_from_name

PRIOR_WORDS = ("prior", "p", "pz", "pri", "ref", "reference")
RELATIVE = 1e-6  # float64 rounding of a KL evaluated two ways, with room
RELATIVE_LOW_PRECISION = 1e-3


def prior_parameters(function: Callable) -> dict[str, str]:
    """Keyword argument -> role (``mu`` or a scale role) for the optional arguments that name a prior's mean or
    scale (``prior_mu``, ``prior_logvar``, ``p_std``, ``logvar_prior``), with a number, an array or None as default."""
    found: dict[str, str] = {}
    for parameter in parameters(function):
        default = parameter.default
        if default is inspect.Parameter.empty or not (default is None or type(default) in (int, float)
                                                      or hasattr(default, "shape")):
            continue
        role = _prior_role(parameter.name)
        if role is not None and role not in found.values():
            found[parameter.name] = role
    return found


_SHORT = {"m": "mu", "lv": "logvar", "s": "sigma"}  # m0, lv0, s0: the short names of a reference Gaussian's


def _prior_role(name: str) -> str | None:
    words = _words(name)
    numbered = re.fullmatch(r"([A-Za-z_]+?)_?([02])", name)  # mu0, logvar0, mu_2, logvar_2, m0, lv0
    if numbered:
        stem = numbered.group(1).rstrip("_")
        role = _SHORT.get(stem.lower()) or role_from_name(stem)
        return role if role == "mu" or role in SCALE_ROLES else None
    if len(words) < 2 or not ({words[0], words[-1]} & set(PRIOR_WORDS)):
        return None
    rest = words[1:] if words[0] in PRIOR_WORDS else words[:-1]
    role = role_from_name("_".join(rest))
    return role if role == "mu" or role in SCALE_ROLES else None


def _words(name: str) -> list[str]:
    return [word for word in re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().split("_") if word]


@dataclass(frozen=True)
class PriorCheck:
    """What varying the prior keywords showed: findings, and a condition when a keyword acts as another
    parameterization of the prior's scale than its name says (``prior_logvar`` read as log s)."""

    findings: list[Finding]
    condition: str | None = None


def prior_findings(caller: Caller, values: dict[str, np.ndarray], parameterization: str,
                   seed: int = 0) -> PriorCheck:
    """A ``kl-form`` bug when the function, called with a non-standard prior, is not the KL against it under
    any meaning of its scale keyword (see the module docstring); a note when it takes none of the prior values
    tried, or when its scale keyword acts as another parameterization than its name says."""
    priors = prior_parameters(caller.function)
    if not priors or "mu" not in values or "scale" not in values:
        return PriorCheck([])
    rng = np.random.default_rng([seed, 14, 8])
    shape = values["mu"].shape
    # a prior near N(0, 1), then a wide one (|m| up to 5, log s² in [−4, 4]: a clamped prior shows), then Python
    # integers (a prior_mu=0 default invites prior_mu=2)
    draws = [(rng.uniform(-1.0, 1.0, shape), rng.uniform(0.6, 1.8, shape)),
             (rng.choice([-1.0, 1.0], shape) * rng.uniform(1.5, 5.0, shape), np.exp(rng.uniform(-2.0, 2.0, shape)))]
    first = PriorCheck([])
    for mean, spread in draws:
        checked = _prior_check(caller, values, parameterization, priors, mean, spread)
        if any(finding.severity == "bug" for finding in checked.findings):
            return checked
        first = first if first.findings or first.condition else checked
    checked = _prior_check(caller, values, parameterization, priors, None, None)
    return checked if any(finding.severity == "bug" for finding in checked.findings) else first


def _prior_check(caller: Caller, values: dict[str, np.ndarray], parameterization: str, priors: dict[str, str],
                 mean: np.ndarray | None, spread: np.ndarray | None) -> PriorCheck:
    """The check at one drawn prior (mean and spread None: the Python-integer prior)."""
    varied = [[name] for name in priors] + ([list(priors)] if len(priors) > 1 else [])
    for names in varied:
        readings = _readings(priors, names)
        outcomes = [(reading, _agreement(caller, values, parameterization, reading, mean, spread))
                    for reading in readings]
        if all(outcome is None for _, outcome in outcomes):
            return PriorCheck([_untried_note(names)])
        named, named_outcome = outcomes[0]
        if named_outcome == {}:
            continue
        fitting = next((reading for reading, outcome in outcomes[1:] if outcome == {}), None)
        if fitting is None:
            shown = named_outcome if named_outcome else next(outcome for _, outcome in outcomes if outcome)
            return PriorCheck([_wrong_prior(names, named, values, shown, parameterization)])
        return PriorCheck([_name_lies_note(named, fitting)], _condition(named, fitting))
    return PriorCheck([])


def _readings(priors: dict[str, str], names: list[str]) -> list[dict[str, str]]:
    """The keywords' meanings: as named first, then with the scale keyword read as each other parameterization."""
    named = {name: priors[name] for name in names}
    scales = [name for name in names if priors[name] in SCALE_ROLES]
    if not scales:
        return [named]
    return [named] + [{**named, scales[0]: role} for role in SCALE_ROLES if role != priors[scales[0]]]


def _agreement(caller: Caller, values: dict, parameterization: str, reading: dict[str, str], mean: np.ndarray,
               spread: np.ndarray) -> dict | None:
    """{} when, for every form of the prior values the function takes (per entry, per latent dim, one number as
    an array and as a Python number), the call with that prior equals the call at the default prior on the moved
    inputs; the first differing output otherwise; None when it takes no form of them. Every form is tried: a
    KL right for a per-entry prior may ignore a number or broadcast a per-dim prior along the wrong axis."""
    relative = RELATIVE if caller.dtype == "float64" else RELATIVE_LOW_PRECISION
    taken = False
    for given, prior, m, s in _prior_forms(caller, reading, mean, spread):
        with_prior = Caller(functools.partial(caller.function, **given), caller.backend, caller.keys,
                            caller.rng_names, caller.dtype)
        try:
            got = leaves(with_prior(values))
        except Exception:  # the user's code: it does not take the prior in this form
            continue
        shown_m = m if "mu" in reading.values() else 0.0
        shown_s = s if any(role in SCALE_ROLES for role in reading.values()) else 1.0
        moved = {**values, "mu": (values["mu"] - shown_m) / shown_s,
                 "scale": _scaled(values["scale"], parameterization, shown_s)}
        reference = leaves(caller(moved))
        if [label for label, _ in got] != [label for label, _ in reference]:
            return {"output": "the output's structure", "with_prior": got[0][1], "expected": reference[0][1],
                    "prior": prior, "form": _form_words(given)}
        for (label, a), (_, b) in zip(got, reference):
            scale = float(np.max(np.abs(b), initial=0.0)) + 1e-12
            if a.shape != b.shape or not np.allclose(a, b, rtol=relative, atol=relative * scale):
                return {"output": label or "the output", "with_prior": a, "expected": b, "prior": prior,
                        "form": _form_words(given)}
        taken = True
    return {} if taken else None


_INTEGER = {"mu": 2, "logvar": 2, "log_sigma": 1, "sigma": 2, "var": 2}  # a prior given as Python integers


def _prior_forms(caller: Caller, reading: dict[str, str], mean: np.ndarray | None, spread: np.ndarray | None):
    """(the keywords given, the prior in the keywords' units, m, s) for each form of a drawn prior the function
    may take: per entry, per latent dim and one number as arrays, one number as a Python float; mean and spread
    None: the Python-integer prior."""
    if mean is None:
        prior = {name: _INTEGER[role] for name, role in reading.items()}
        scale_role = next((role for role in reading.values() if role in SCALE_ROLES), "sigma")
        yield (dict(prior), prior, np.asarray(float(_INTEGER["mu"])),
               np.asarray(_spread_of(scale_role, float(_INTEGER[scale_role]))))
        return
    for cut in (_entries, _per_dim, _first):
        for native in (True, False) if cut is _first else (True,):
            m, s = cut(mean), cut(spread)
            prior = {name: _in_units(role, m, s) for name, role in reading.items()}
            given = {name: caller.backend.asarray(value) if native else float(np.asarray(value).flat[0])
                     for name, value in prior.items()}
            yield given, prior, m, s


def _spread_of(role: str, value: float) -> float:
    """s from the keyword's value in its units."""
    return {"logvar": np.exp(value / 2.0), "log_sigma": np.exp(value), "sigma": value,
            "var": np.sqrt(value)}[role]


def _entries(array: np.ndarray) -> np.ndarray:
    return array


def _per_dim(array: np.ndarray) -> np.ndarray:
    return array[0]


def _first(array: np.ndarray) -> np.ndarray:
    return np.asarray(array.flat[0])


def _in_units(role: str, mean: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """The prior's mean m, or its scale s written as the keyword's parameterization says."""
    return {"mu": mean, "logvar": 2.0 * np.log(spread), "log_sigma": np.log(spread), "sigma": spread,
            "var": spread**2}[role]


def _scaled(scale: np.ndarray, parameterization: str, s: np.ndarray | float) -> np.ndarray:
    """The scale argument of σ/s, in the parameterization's own units."""
    return {"logvar": lambda: scale - 2.0 * np.log(s), "log_sigma": lambda: scale - np.log(s),
            "sigma": lambda: scale / s, "var": lambda: scale / s**2}[parameterization]()


def _form_words(form: dict[str, Any]) -> str:
    value = next(iter(form.values()))
    shape = tuple(getattr(value, "shape", ()))
    if isinstance(value, int):
        return "a Python integer"
    return "a Python number" if isinstance(value, float) else f"an array of shape {shape}"


def _meaning(role: str) -> str:
    return {"mu": "the prior mean m", "logvar": "log s²", "log_sigma": "log s", "sigma": "s", "var": "s²"}[role]


def _condition(named: dict[str, str], fitting: dict[str, str]) -> str:
    name = next(name for name in named if named[name] != fitting[name])
    return f"{name} holds {_meaning(fitting[name])}"


def _name_lies_note(named: dict[str, str], fitting: dict[str, str]) -> Finding:
    name = next(name for name in named if named[name] != fitting[name])
    return Finding("kl-form", "note", f"called with a non-standard prior it is the KL against N(m, s²) when {name} "
                   f"holds {_meaning(fitting[name])}, while its name says {_meaning(named[name])}: right if the "
                   f"caller passes {_meaning(fitting[name])}", {"argument": name, "name_says": _meaning(named[name]),
                                                                 "acts_as": _meaning(fitting[name])})


def _untried_note(names: list[str]) -> Finding:
    listed = ", ".join(names)
    return Finding("kl-form", "note", f"the prior keyword(s) {listed} could not be varied: the function took none "
                   "of the values tried (arrays shaped like μ, per latent dim, one number); the KL is checked at "
                   "the default prior only", {"arguments": names})


def _wrong_prior(names: list[str], named: dict[str, str], values: dict, outcome: dict,
                 parameterization: str) -> Finding:
    listed = " and ".join(f"{name} ({_meaning(named[name])})" for name in names)
    message = (f"called with a non-standard prior ({listed} varied, as {outcome['form']}) it is not the KL "
               "against N(m, s²): KL(N(μ, σ²) ‖ N(m, s²)) equals the KL against N(0, 1) at μ' = (μ − m)/s, "
               f"σ' = σ/s, which is the function at its default prior on those inputs; its {outcome['output']} "
               "differs (the prior's mean or scale enters the formula wrongly, e.g. (μ − m)² not divided by s², a log s² "
               "term missing or with the wrong sign, or the prior keyword ignored)")
    return Finding("kl-form", "bug", message, {
        "arguments": names, "prior": {name: _small(value) for name, value in outcome["prior"].items()},
        "parameterization": parameterization,
        "inputs": {"mu": _small(values["mu"]), "scale": _small(values["scale"])},
        "code": _small(outcome["with_prior"]), "derived": _small(outcome["expected"])})


def _small(array: Any) -> Any:
    return small(np.asarray(array, dtype=np.float64))


__all__ = ["PriorCheck", "prior_parameters", "prior_findings", "PRIOR_WORDS"]
