"""The reconstruction term −log p(x|z) for the likelihood families VAE code uses, from reference log-densities.

Each family gives the negative log-likelihood of the data x under the decoder output r: per data element
(Bernoulli from probabilities or logits, Gaussian, Laplace, continuous Bernoulli for grey levels, token ids
under a categorical over K), or per position of one-hot rows (a categorical over the last data axis). The Gaussian and Laplace references have
unit scale: a code's weight on them is what fixes σ² or b (a loss w·Σ(x − r)² is a Gaussian NLL with
σ² = 1/(2w) up to a constant), so their weights are read as a variance first (see ``mathcheck.code.loss``);
both are also read on sigmoid(r), for a decoder that outputs logits. The references are
``torch.distributions``' log-probabilities when torch is loaded, else ``scipy.stats``' log-pdfs (imported
only then: it costs seconds); the categorical NLL of one-hot rows is ``scipy.special.log_softmax`` weighted
by the row. Never the user's code.

``WRONG_FORMS`` name formulas seen in real code that are none of the families (only to say what a function
computes once it has been found to fit none of them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sys

import numpy as np
from scipy import special


@dataclass(frozen=True)
class Family:
    """One likelihood, its NLL from (decoder output r, data x), and how a weight on it reads."""

    name: str
    description: str
    nll: Callable[[np.ndarray, np.ndarray], np.ndarray]
    elementwise: bool  # one value per data element (else one per position of the last data axis)
    data: str  # the data it is tested on: "binary" pixels, "onehot" rows over the last data axis, token "ids"
    scale_parameter: str | None = None  # "σ²" (Gaussian) or "b" (Laplace): a weight on the NLL sets it
    canonical_weights: tuple[float, ...] = (1.0,)  # weights (KL weight 1) of the plain forms: Σ(x−r)², ½Σ(x−r)²

    def counterexample_points(self) -> tuple[tuple[float, float], ...]:
        """Readable (decoder output, data) values, one of them set in every entry."""
        return _READABLE[self.name]

    def per_entry(self, recon: float, x: float, categories: int) -> float:
        """The NLL of one entry whose decoder output(s) all equal ``recon`` (K of them for token ids)."""
        outputs = np.full((1, categories), recon) if self.data == "ids" else np.array([recon])
        return float(self.nll(outputs, np.array([x]))[0])


def _torch():
    """torch when the caller has it loaded (its distributions are then the reference: no scipy.stats import)."""
    return sys.modules.get("torch")


def _by_torch(distribution: Callable, recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    torch = _torch()
    with torch.no_grad():
        value = torch.as_tensor(np.asarray(x, dtype=np.float64))
        return -distribution(torch.distributions, torch.as_tensor(np.asarray(recon, dtype=np.float64))
                             ).log_prob(value).numpy()


def _bernoulli_probs(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    if _torch() is not None:
        return _by_torch(lambda d, r: d.Bernoulli(probs=r, validate_args=False), recon, x)
    if np.all((x == 0) | (x == 1)):
        from scipy import stats

        return -stats.bernoulli.logpmf(x.astype(np.int64), recon)
    return -(special.xlogy(x, recon) + special.xlogy(1.0 - x, 1.0 - recon))


def _bernoulli_logits(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    if _torch() is not None:
        return _by_torch(lambda d, r: d.Bernoulli(logits=r, validate_args=False), recon, x)
    return -(x * special.log_expit(recon) + (1.0 - x) * special.log_expit(-recon))


def _continuous_bernoulli(recon: np.ndarray, x: np.ndarray, logits: bool) -> np.ndarray:
    """The continuous Bernoulli NLL (Loaiza-Ganem and Cunningham, 2019): the Bernoulli cross-entropy minus the
    log of its normalizing constant C(λ) = 2·atanh(1 − 2λ)/(1 − 2λ) (C(½) = 2), a density on [0, 1]."""
    recon = np.asarray(recon, dtype=np.float64)
    if not logits and not np.all((recon > 0) & (recon < 1)):  # no probabilities: no density (never an error)
        inside = (recon > 0) & (recon < 1)
        result = np.full(np.broadcast(recon, x).shape, np.nan)
        if np.any(inside):
            result[inside] = _continuous_bernoulli(recon[inside], np.broadcast_to(x, recon.shape)[inside], False)
        return result
    if _torch() is not None:
        return _by_torch(lambda d, r: d.ContinuousBernoulli(**{"logits" if logits else "probs": r},
                                                            validate_args=False), recon, x)
    probs = special.expit(recon) if logits else recon
    cross_entropy = -(special.xlogy(x, probs) + special.xlogy(1.0 - x, 1.0 - probs))
    centred = 1.0 - 2.0 * probs
    with np.errstate(all="ignore"):
        ratio = np.where(np.abs(centred) < 1e-4, 1.0 + centred**2 / 3.0, np.arctanh(centred) / centred)
    return cross_entropy - np.log(2.0 * ratio)


def _gaussian(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    if _torch() is not None:
        return _by_torch(lambda d, r: d.Normal(r, 1.0, validate_args=False), recon, x)
    from scipy import stats

    return -stats.norm.logpdf(x, loc=recon, scale=1.0)


def _laplace(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    if _torch() is not None:
        return _by_torch(lambda d, r: d.Laplace(r, 1.0, validate_args=False), recon, x)
    from scipy import stats

    return -stats.laplace.logpdf(x, loc=recon, scale=1.0)


def _categorical_logits(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    return -np.sum(x * special.log_softmax(recon, axis=-1), axis=-1)


def _categorical_probs(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    return -np.sum(special.xlogy(x, recon), axis=-1)


def _categorical_ids(recon: np.ndarray, x: np.ndarray, logits: bool) -> np.ndarray:
    if _torch() is not None:
        return _by_torch(lambda d, r: d.Categorical(**{"logits" if logits else "probs": r}, validate_args=False),
                         recon, x)
    table = special.log_softmax(recon, axis=-1) if logits else np.log(recon / recon.sum(axis=-1, keepdims=True))
    return -np.take_along_axis(table, x.astype(np.int64)[..., None], axis=-1)[..., 0]


def _categorical_ids_logits(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    return _categorical_ids(recon, x, logits=True)


def _categorical_ids_probs(recon: np.ndarray, x: np.ndarray) -> np.ndarray:
    return _categorical_ids(recon, x, logits=False)


FAMILIES = (
    Family("bernoulli-probs", "Bernoulli NLL from probabilities", _bernoulli_probs, True, "binary"),
    Family("bernoulli-logits", "Bernoulli NLL from logits", _bernoulli_logits, True, "binary"),
    Family("gaussian", "Gaussian NLL", _gaussian, True, "binary", "σ²", (1.0, 2.0)),
    Family("laplace", "Laplace NLL (L1)", _laplace, True, "binary", "b"),
    Family("gaussian-sigmoid", "Gaussian NLL of sigmoid(logits)", lambda r, x: _gaussian(special.expit(r), x), True,
           "binary", "σ²", (1.0, 2.0)),
    Family("laplace-sigmoid", "Laplace NLL (L1) of sigmoid(logits)", lambda r, x: _laplace(special.expit(r), x), True,
           "binary", "b"),
    Family("categorical-logits", "categorical NLL from softmax logits over the last data axis", _categorical_logits,
           False, "onehot"),
    Family("categorical-probs", "categorical NLL from probabilities over the last data axis", _categorical_probs,
           False, "onehot"),
    Family("categorical-ids-logits", "categorical NLL of token ids from softmax logits", _categorical_ids_logits,
           True, "ids"),
    Family("categorical-ids-probs", "categorical NLL of token ids from probabilities", _categorical_ids_probs,
           True, "ids"),
    # the likelihood for grey levels in [0, 1] (ContinuousBernoulli): after the others, whose messages list them
    Family("continuous-bernoulli-probs", "continuous Bernoulli NLL from probabilities",
           lambda r, x: _continuous_bernoulli(r, x, logits=False), True, "binary"),
    Family("continuous-bernoulli-logits", "continuous Bernoulli NLL from logits",
           lambda r, x: _continuous_bernoulli(r, x, logits=True), True, "binary"),
)
BY_NAME = {family.name: family for family in FAMILIES}
FOR_ROLE = {"recon_probs": "bernoulli-probs", "recon_logits": "bernoulli-logits"}
_READABLE = {
    "bernoulli-probs": ((0.25, 1.0), (0.75, 1.0), (0.25, 0.0)),
    "bernoulli-logits": ((0.0, 1.0), (2.0, 1.0), (-1.0, 0.0)),
    "gaussian": ((0.5, 1.0), (0.0, 1.0), (0.25, 0.0)),
    "laplace": ((0.5, 1.0), (0.0, 1.0), (0.25, 0.0)),
    "gaussian-sigmoid": ((0.0, 1.0), (2.0, 1.0), (-1.0, 0.0)),
    "laplace-sigmoid": ((0.0, 1.0), (2.0, 1.0), (-1.0, 0.0)),
    "categorical-logits": ((0.0, 1.0), (2.0, 1.0), (-1.0, 1.0)),
    "categorical-probs": ((0.25, 1.0), (0.75, 1.0), (0.5, 1.0)),
    "categorical-ids-logits": ((0.0, 1.0), (2.0, 1.0), (-1.0, 1.0)),
    "categorical-ids-probs": ((0.25, 1.0), (0.75, 1.0), (0.5, 1.0)),
    "continuous-bernoulli-probs": ((0.25, 1.0), (0.75, 1.0), (0.25, 0.0)),
    "continuous-bernoulli-logits": ((0.0, 1.0), (2.0, 1.0), (-1.0, 0.0)),
}


@dataclass(frozen=True)
class WrongForm:
    name: str
    description: str
    elementwise: Callable[[np.ndarray, np.ndarray], np.ndarray]


WRONG_FORMS = (
    WrongForm("x-log-p-only", "−Σ x·log p: the (1 − x)·log(1 − p) term of the Bernoulli NLL is missing",
              lambda r, x: -special.xlogy(x, r)),
    WrongForm("inner-sign", "−Σ [x·log p − (1 − x)·log(1 − p)]: the second Bernoulli term has the wrong sign",
              lambda r, x: -(special.xlogy(x, r) - special.xlogy(1.0 - x, 1.0 - r))),
)
# on binary data an L1 (or a Gaussian) can hide a formula that is none: BCE(x, p) with its arguments
# swapped is 100·|x − p| there (log 0 clamped to −100); on data in (0, 1) it is what it is
CONTINUOUS_WRONG_FORMS = (
    WrongForm("swapped-bce", "the binary cross-entropy with its arguments swapped, −Σ [p·log x + (1 − p)·log(1 − x)]",
              lambda r, x: -(special.xlogy(r, x) + special.xlogy(1.0 - r, 1.0 - x))),
)
# families that read the decoder output as logits: also fitted on logits in (-4, 4)
LOGITS_FAMILIES = ("bernoulli-logits", "gaussian-sigmoid", "laplace-sigmoid", "categorical-logits",
                   "categorical-ids-logits", "continuous-bernoulli-logits")
# families also fitted on data in (0, 1) after binary data
CONTINUOUS_CHECKED = ("gaussian", "laplace", "gaussian-sigmoid", "laplace-sigmoid", "continuous-bernoulli-probs",
                      "continuous-bernoulli-logits")

__all__ = ["Family", "FAMILIES", "BY_NAME", "FOR_ROLE", "WrongForm", "WRONG_FORMS", "CONTINUOUS_WRONG_FORMS",
           "CONTINUOUS_CHECKED", "LOGITS_FAMILIES"]
