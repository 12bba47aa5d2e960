"""The KL term KL(N(μ, σ²) ‖ N(0, 1)) as the derivation gives it, read under each parameterization of σ.

The closed form ½[−log σ² + σ² − 1 + μ²] is ``derivations/gaussian_kl_std.py``'s; its values come from
``mathcheck.gaussian.kl_normal_std_logvar`` (validated to 5e-16), after the scale argument s is turned into
log σ²: logvar: s; log_sigma: 2s; sigma: 2 log s; var: log s.

``WRONG_FORMS`` are formulas seen in real VAE code that are not the KL under any parameterization; they
are only used to NAME what a function computes once it has been found to fit none of the four.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mathcheck.code.report import PARAMETERIZATIONS
from mathcheck.gaussian import kl_normal_std_logvar

MEANING = {"logvar": "log σ²", "log_sigma": "log σ", "sigma": "σ", "var": "σ²"}
IDENTITY = {"logvar": 0.0, "log_sigma": 0.0, "sigma": 1.0, "var": 1.0}  # σ = 1: the KL is ½μ²
# readable scale values for counterexamples, in the argument's own units (logvar = ±1 and its equivalents)
READABLE = {"logvar": (1.0, -1.0), "log_sigma": (0.5, -0.5), "sigma": (2.0, 0.5), "var": (2.0, 0.5)}
EXTREME_LOGVARS = (30.0, -30.0)  # log σ² = ±30: σ² = 1e13 and σ = 3e-7, where the KL is still finite
# The range of log σ² a trained encoder meets (σ from 0.05 to 3, both sides of 1), whatever the argument
# means: the first probes draw the raw argument in (0.2, 2), where all four parameterizations are defined, so
# that for log σ² and log σ they only ever see σ > 1; a KL is confirmed over this range in its own units.
DOMAIN_LOGVAR = (-6.0, 2.2)
# (μ, log σ²) points of that range for counterexamples: σ < 1 and σ > 1, μ of both signs
DOMAIN_POINTS = ((0.0, -1.0), (0.0, -3.0), (1.0, -2.0), (-1.5, -5.0), (0.0, 2.0), (2.0, 1.0), (-4.5, 0.0),
                 (7.5, -1.0))
# |μ| of one probe over that range: the means a trained encoder gives the latent dims it uses reach ±8
DOMAIN_FAR_MU = (3.0, 8.0)
# σ near 0 for a scale given as σ or σ²: σ² (σ⁴) underflows there, the KL (≈ −log σ) does not
NEAR_ZERO = {"sigma": 1e-200, "var": 1e-300}


def to_logvar(scale: np.ndarray, parameterization: str) -> np.ndarray:
    """log σ² from the scale argument s under a parameterization."""
    scale = np.asarray(scale, dtype=np.float64)
    with np.errstate(all="ignore"):
        return {"logvar": lambda: scale, "log_sigma": lambda: 2.0 * scale,
                "sigma": lambda: 2.0 * np.log(scale), "var": lambda: np.log(scale)}[parameterization]()


def from_logvar(logvar: float, parameterization: str) -> float:
    """The scale argument s that means log σ² = ``logvar`` under a parameterization."""
    return {"logvar": logvar, "log_sigma": logvar / 2.0, "sigma": float(np.exp(logvar / 2.0)),
            "var": float(np.exp(logvar))}[parameterization]


def scale_of_logvar(logvar: np.ndarray, parameterization: str) -> np.ndarray:
    """The scale argument s that means log σ² = ``logvar`` (elementwise) under a parameterization."""
    logvar = np.asarray(logvar, dtype=np.float64)
    return {"logvar": lambda: logvar, "log_sigma": lambda: logvar / 2.0, "sigma": lambda: np.exp(logvar / 2.0),
            "var": lambda: np.exp(logvar)}[parameterization]()


def closed_form(mu: np.ndarray, scale: np.ndarray, parameterization: str) -> np.ndarray:
    """KL(N(μ, σ²) ‖ N(0, 1)) elementwise, σ read from s under the parameterization."""
    return np.asarray(kl_normal_std_logvar(np.asarray(mu, dtype=np.float64), to_logvar(scale, parameterization)),
                      dtype=np.float64)


def formula(parameterization: str, name: str = "s") -> str:
    """The closed form written in the scale argument's own terms, for messages."""
    return {"logvar": f"½(−{name} + exp({name}) − 1 + μ²)", "log_sigma": f"½(−2·{name} + exp(2·{name}) − 1 + μ²)",
            "sigma": f"½(−log {name}² + {name}² − 1 + μ²)",
            "var": f"½(−log {name} + {name} − 1 + μ²)"}[parameterization]


@dataclass(frozen=True)
class WrongForm:
    """A formula that is not the KL, with what it does wrong; elementwise in (μ, s)."""

    name: str
    description: str
    elementwise: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _softplus(values: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, values)


WRONG_FORMS = (
    WrongForm("exp-as-std", "exp(logvar) used as the standard deviation (σ² = exp(2·logvar)) while the log term "
              "takes logvar as log σ²: ½(−logvar + exp(2·logvar) − 1 + μ²)",
              lambda mu, s: 0.5 * (-s + np.exp(2.0 * s) - 1.0 + mu**2)),
    WrongForm("softplus-logvar", "a softplus applied to the log-variance (log σ² = softplus(s) ≥ 0, so σ² ≥ 1)",
              lambda mu, s: np.asarray(kl_normal_std_logvar(mu, _softplus(s)))),
    WrongForm("std-as-var", "exp(logvar / 2) (σ) used where σ² = exp(logvar) belongs: "
              "½(−logvar + exp(logvar / 2) − 1 + μ²)",
              lambda mu, s: 0.5 * (-s + np.exp(0.5 * s) - 1.0 + mu**2)),
    WrongForm("log-sign", "the log σ² term with the wrong sign: ½(+logvar + exp(logvar) − 1 + μ²)",
              lambda mu, s: 0.5 * (s + np.exp(s) - 1.0 + mu**2)),
    WrongForm("mu-missing", "the μ² term missing: ½(−logvar + exp(logvar) − 1)",
              lambda mu, s: 0.5 * (-s + np.exp(s) - 1.0)),
    WrongForm("mu-sign", "the μ² term with the wrong sign: ½(−logvar + exp(logvar) − 1 − μ²)",
              lambda mu, s: 0.5 * (-s + np.exp(s) - 1.0 - mu**2)),
)

__all__ = ["PARAMETERIZATIONS", "MEANING", "IDENTITY", "READABLE", "EXTREME_LOGVARS", "DOMAIN_LOGVAR", "DOMAIN_POINTS",
           "DOMAIN_FAR_MU", "NEAR_ZERO", "WRONG_FORMS", "WrongForm", "to_logvar", "from_logvar", "scale_of_logvar",
           "closed_form", "formula"]
