"""The numeric checker: both sides of a step evaluated on concrete probability models ("worlds").

A world gives every density of a chain a computable log-density (``mathcheck.laws``: each catalogue law
from its definition, tested against scipy.stats; never from a closed form under test), every abstract function a concrete one, and every free symbol a value.
Integrals are computed by composite Gauss–Legendre quadrature over panels placed around the mass of
every density of the integrated variable (a plain ``quad`` over (-inf, inf) returns 0 for N(5, 0.001²))
and around the features of the other factors (the centre and width of a Gaussian bump exp(poly), the
poles of a rational factor, the kinks of |·|, max, min); each integral is computed at two orders and
their difference is its error estimate. A second pass perturbs every intermediate result by a few units
in the last place (``JITTER``): how far that moves a value estimates its floating-point error.
The same pass moves each integral and derivative by its own error estimate, and the densities a world
computes numerically (the mixture's evidence) by theirs, so that the estimate also shows how the
expression amplifies them. Expressions of the parameters alone (no integral, density or abstract function)
are evaluated in interval arithmetic (``mpmath.iv``) at increasing precision instead: their enclosures are
rigorous (a power to an exponent that is an integer by its symbols' assumptions is an integer power, of a
negative base too; a Heaviside step or a Piecewise takes the piece its enclosed condition decides).
``switch_points`` finds where an argument of max, min, |·| or a step function changes sign, or comes closest
to it, for the checker to judge a step there. ``PreciseEvaluator`` evaluates any expression again at 40
digits in mpmath, from each world's parameters: the second look at a floating-point refutation before it is
reported.

mathcheck's own hypothesis runs (``hypothesis_run``) draw no "local constants" (literals hypothesis takes
from the source of local modules), so the worlds a seed draws depend on the seed and the hypothesis version
alone, and keep hypothesis' files in the user's cache. Each world family is written once, as a function of
its choices (``draw.floats``, ``draw.integers``, ``draw.choice``): hypothesis makes them (``HypothesisDraw``,
``world_strategy``, ``sample_worlds``: searched and shrunk) or a ``random.Random`` seeded with the seed does
(``RandomDraw``, ``plain_worlds``: the cross-check of a step the symbolic checker proved, without importing
hypothesis).

World families:

- ``linear-gaussian``: p(z) = N(m0, s0²), p(X|z) = N(a z + b, s²): p(X) and p(z|X) in closed form;
- ``mixture-bernoulli``: p(z) a two-component Gaussian mixture, X binary pixels, p(X|z) Bernoulli with
  logits w_i z + c_i; p(X) by adaptive quadrature;
- ``densities-of-x``: densities p(x) and q(x) of one variable;
- abstract functions from catalogues by their declared kind: concave, convex, positive (with a random
  scale), smooth (with random shape and shift); the Bernoulli world's own pixels x(i) and means yhat(i, z);
- free symbols drawn over their whole declared domain: moderate values, log-uniform magnitudes from
  1e-300 to 1e300 and the edge values (0, ±1, the smallest and largest floats).

In every model world q(z|X) is an arbitrary density (normal, logistic, skew-normal or a mixture) whose
location and scale range over several orders of magnitude. ``boundary_worlds`` adds the cases where
inequalities become equalities: q equal to the exact posterior (and to the prior), p = q, affine
"concave" functions, constant positive functions, and every free symbol at its edge values.
"""
from __future__ import annotations

import contextlib
import contextvars
import itertools
import math
import random
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp
from mpmath import iv
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanAtom
from mathcheck.deadline import SymbolicTimeout, time_limit
from mathcheck.laws import FLOAT, PRECISE, Law, log_sigmoid, normal_log, normal_logpdf, sigmoid
from mathcheck.lazy import LazyFunctions
from mathcheck.linear_gaussian import LinearGaussian
from mathcheck.vocab import (Concave, Convex, Defined, Density, Expectation, KL, Normal, integral_variables,
                             over_real_line, unfold)

special = LazyFunctions("scipy.special")  # erf and erfc of an expression: imported only when one is evaluated

EPS = float(np.finfo(float).eps)
JITTER = 8 * EPS  # the relative perturbation of every intermediate result in the rounding-estimate pass
LARGEST, SMALLEST = float(np.finfo(float).max), 5e-324
FLOAT_SAFE = (1e-6, 1e6)  # magnitudes inside which a world's quadrature is trusted to run in float64
MAX_SUM_TERMS = 10_000


class Unsupported(Exception):
    """The world cannot evaluate this expression (no value for a symbol, a density, a function...)."""


class FloatRange(Unsupported):
    """The world's values lie beyond what floating point can evaluate here (overflow, panels narrower
    than the spacing of floats): the world is skipped for this expression, not a verdict on it."""


class NotReal(Unsupported):
    """A side with no real value in this world (a log or a fractional power of a negative number): where the
    other side is real there, the world is evidence against the step as written, not a world to skip."""


class Divergent(Exception):
    """An integral whose integrand does not vanish at the edge of every density's mass."""


# ---------------------------------------------------------------- worlds


@dataclass(frozen=True)
class LawDensity:
    """A one-dimensional density given by a catalogue law (``mathcheck.laws.Law``) of one variable."""

    dist: Any
    description: str

    def logpdf(self, value):
        return self.dist.logpdf(value)

    def breakpoints(self) -> np.ndarray:
        centre, scale = self.dist.median(), self.dist.std()
        return centre + scale * _OFFSETS


@dataclass(frozen=True)
class MixtureDensity:
    weights: tuple[float, ...]
    components: tuple[Any, ...]
    description: str

    def logpdf(self, value):
        with np.errstate(over="ignore"):  # far in a tail ((z - m)/s)² overflows: log-density −inf, as it should
            logs = [math.log(w) + c.logpdf(value) for w, c in zip(self.weights, self.components)]
        total = logs[0]
        for more in logs[1:]:
            total = np.logaddexp(total, more)  # log(e^a + e^b) through log1p: accurate, and fast
        return total

    def breakpoints(self) -> np.ndarray:
        return np.concatenate([c.mean() + c.std() * _OFFSETS for c in self.components])


ScipyDensity = LawDensity  # its name when scipy.stats gave the laws


# panel edges around a density's centre, in units of its scale: fine near the mass, wide in the tails
_OFFSETS = np.array([-40, -20, -10, -6, -3.5, -2, -1, 0, 1, 2, 3.5, 6, 10, 20, 40], dtype=float)


@dataclass
class World:
    """Concrete values for everything a chain mentions."""

    family: str
    params: dict[str, Any]
    densities: dict[tuple, Callable] = field(default_factory=dict)  # (family, vars, given) -> logpdf(lookup)
    breakpoints: dict[sp.Symbol, np.ndarray] = field(default_factory=dict)
    symbols: dict[sp.Symbol, Any] = field(default_factory=dict)
    functions: dict[str, Callable] = field(default_factory=dict)
    log_functions: dict[str, tuple[Callable, Callable]] = field(default_factory=dict)  # (log f, log(1 − f))
    probe: str = ""  # for a boundary world: the case it stands for (e.g. "q = the exact posterior")
    free: frozenset = frozenset()  # the symbols given values freely (drawn or set), not by the family
    spec: tuple = ()  # (family, parameters, densities): what ``with_family`` rebuilds the world from
    # (name, variables, given) -> the error estimate of a log-density the world computed numerically (its
    # evidence), signed as the densities move together: the rounding pass shifts them by it
    density_errors: dict[tuple, float] = field(default_factory=dict)
    # (name, variables, given) -> the magnitude of the terms a log-density is the sum of (lookup -> array),
    # where they cancel (the mixture's log p(z|X) = log p(X|z) + log p(z) − log p(X)): its rounding error
    log_magnitudes: dict[tuple, Callable] = field(default_factory=dict)
    # the functions again, in mpmath (name -> callable; name -> (log f, log(1 − f))): ``PreciseEvaluator``
    precise_functions: dict[str, Callable] = field(default_factory=dict)
    precise_log_functions: dict[str, tuple[Callable, Callable]] = field(default_factory=dict)
    fixed: frozenset = frozenset()  # variables its densities hold at one value (the observed X, a condition c)

    def describe(self) -> dict[str, Any]:
        shown = {"family": self.family, **self.params}
        shown.update({str(s): _plain(v) for s, v in self.symbols.items()})
        if self.probe:
            shown["boundary case"] = self.probe
        return shown

    def extreme(self) -> bool:
        """Whether a value of this world lies outside ``FLOAT_SAFE``: there a failure of floating point
        (overflow, NaN, unresolved panels) skips the world instead of deciding the step."""
        for value in self.symbols.values():
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                size = abs(float(value))
                if size != 0 and not FLOAT_SAFE[0] <= size <= FLOAT_SAFE[1]:
                    return True
        return False


def _plain(value):
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.6g}")
    return value


def _key(density: Density) -> tuple:
    """(name, variables, given) of a density as the worlds name it; a label other than the model's
    (see ``Density.canonical``: under ``vocab.labels_resolved`` the scope's) is part of the name."""
    return _named_key(density.canonical())


@lru_cache(maxsize=4096)
def _named_key(density: Density) -> tuple:
    name = density.family + (f"_{density.label}" if density.label else "")
    return name, tuple(map(str, density.variables)), tuple(map(str, density.given))


@dataclass(frozen=True, eq=False)
class TabulatedDensity:
    """A density given by its log-density and the points that place its mass (the mixture's posterior)."""

    log_density: Callable
    points: np.ndarray
    description: str

    def logpdf(self, value):
        return self.log_density(value)

    def breakpoints(self) -> np.ndarray:
        return self.points


class RandomDraw:
    """The choices of a world family made by a seeded ``random.Random``, uniformly over each range: worlds
    drawn without hypothesis (``plain_worlds``: the cross-check of a step the symbolic checker proved)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def floats(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def integers(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options: tuple):
        return options[self.rng.randrange(len(options))]

    def floats_list(self, low: float, high: float, size: int) -> list[float]:
        return [self.floats(low, high) for _ in range(size)]

    def integers_list(self, low: int, high: int, size: int) -> list[int]:
        return [self.integers(low, high) for _ in range(size)]


class HypothesisDraw:
    """The same choices drawn by hypothesis inside a ``st.composite`` (its ``draw``), which searches and
    shrinks them: floats towards 0, integers towards their low end, a choice towards the first option."""

    def __init__(self, draw: Callable):
        self.draw = draw

    def floats(self, low: float, high: float) -> float:
        return self.draw(_strategies().floats(low, high))

    def integers(self, low: int, high: int) -> int:
        return self.draw(_strategies().integers(low, high))

    def choice(self, options: tuple):
        return self.draw(_strategies().sampled_from(options))

    def floats_list(self, low: float, high: float, size: int) -> list[float]:
        st = _strategies()
        return self.draw(st.lists(st.floats(low, high), min_size=size, max_size=size))

    def integers_list(self, low: int, high: int, size: int) -> list[int]:
        st = _strategies()
        return self.draw(st.lists(st.integers(low, high), min_size=size, max_size=size))


@lru_cache(maxsize=1)
def _strategies():
    """``hypothesis.strategies``, imported when hypothesis first draws a world (an audit whose steps all
    prove draws none: its cross-check draws ``plain_worlds``)."""
    from hypothesis import strategies

    return strategies


def world_family_strategy(family: Callable, *arguments):
    """The hypothesis strategy of the worlds ``family(draw, *arguments)`` makes from hypothesis' choices."""
    return _composite(family)(*arguments)


@lru_cache(maxsize=None)
def _composite(family: Callable):
    @_strategies().composite
    def worlds(draw, *arguments):
        return family(HypothesisDraw(draw), *arguments)

    return worlds


def _location(draw, moderate: float, wide: float) -> float:
    """A location: half the draws moderate (|m| ≤ moderate), half a signed magnitude log-uniform from
    ``moderate`` up to ``wide`` (one float drawn: hypothesis shrinks it towards 0)."""
    return _location_at(moderate, wide, draw.floats(-1, 1))


def _location_at(moderate: float, wide: float, t: float) -> float:
    if abs(t) <= 0.5:
        return 2 * t * moderate
    return math.copysign(moderate * (wide / moderate) ** (2 * abs(t) - 1), t)


def _spread(draw, low: float, high: float, wide_low: float, wide_high: float) -> float:
    """A scale: half the draws moderate (in [low, high]), half log-uniform on [wide_low, wide_high]."""
    return _spread_at(low, high, wide_low, wide_high, draw.floats(0, 1))


def _spread_at(low: float, high: float, wide_low: float, wide_high: float, t: float) -> float:
    if t <= 0.5:
        return low + 2 * t * (high - low)
    return wide_low * (wide_high / wide_low) ** (2 * t - 1)


def normal_density(mean: float, std: float, description: str = "") -> LawDensity:
    return LawDensity(Law("norm", (mean, std)), description or f"normal({mean:.4g}, {std:.4g})")


Q_KINDS = ("normal", "logistic", "skewnorm", "mixture")  # the catalogue of densities, simplest first


def _q_density(draw) -> LawDensity | MixtureDensity:
    """A density of the catalogue (``Q_KINDS``), its locations and scales over several orders of magnitude."""
    kind = draw.choice(Q_KINDS)
    loc, scale = partial(_location, draw, 4, 1e3), partial(_spread, draw, 0.05, 3, 1e-3, 1e3)
    if kind == "normal":
        m, s = loc(), scale()
        return normal_density(m, s)
    if kind == "logistic":
        m, s = loc(), scale()
        return LawDensity(Law("logistic", (m, s)), f"logistic({m:.4g}, {s:.4g})")
    if kind == "skewnorm":
        a, m, s = draw.floats(-6, 6), loc(), scale()
        return LawDensity(Law("skewnorm", (a, m, s)), f"skewnorm({a:.3g}, {m:.4g}, {s:.4g})")
    w, m1, s1, m2, s2 = draw.floats(0.1, 0.9), loc(), scale(), loc(), scale()
    return MixtureDensity((w, 1 - w), (Law("norm", (m1, s1)), Law("norm", (m2, s2))),
                          f"{w:.3g}·normal({m1:.4g}, {s1:.4g}) + {1 - w:.3g}·normal({m2:.4g}, {s2:.4g})")


@dataclass(frozen=True)
class ModelNames:
    """The variables of a model world, as the step names them: p(latent) p(observed | latent), and with a
    ``condition`` c every density conditioned on c = ``condition_value`` (p(z|c) p(x|z,c), q(z|x,c))."""

    observed: sp.Symbol
    latent: sp.Symbol
    condition: sp.Symbol | None = None
    condition_value: float = 0.0
    # more names of the world's variational density q(z|X): a mean-field q(z), a q_λ(z), r(z|X) (keys)
    variational: frozenset = frozenset()
    # with a condition c: the step also uses densities with c integrated out (p(X), p(z), p(c), p(X|z), ...),
    # so c has a law and the model depends on it (``linear_gaussian_world``'s ``law``)
    marginals: bool = False
    prior_law: tuple | None = None  # (mean, std) of a prior the document declares (p(z) = N(0, 1)): the world's
    # (a, b, s) of a likelihood the document declares, p(X|z) = N(X; a z + b, s²): the world's, never drawn; in
    # either a None where the declaration leaves that parameter unspecified (N(x; w z, σ²): a, s drawn)
    likelihood_law: tuple | None = None
    declared_roles: frozenset = frozenset()  # "prior", "likelihood": the declared Gaussians the worlds follow

    def declares(self) -> bool:
        """Whether the document declares a Gaussian prior or likelihood of this model (so that only the
        linear-Gaussian worlds are instances of it)."""
        return bool(self.declared_roles)

    def keys(self) -> dict[str, tuple]:
        """role -> the (name, variables, given) key of that density (as ``_key`` names densities)."""
        return _model_keys(self.observed, self.latent, self.condition, self.variational,
                           self.marginals and self.condition is not None)

    def encoder_keys(self) -> tuple:
        """Every key under which the world gives its variational density."""
        return (self.keys()["encoder"],) + tuple(sorted(self.variational))

    def shown(self) -> tuple[str, str, str]:
        """The observed and latent names, and ",c" for a condition c ("" without one), as descriptions show them."""
        return self.observed.name, self.latent.name, "" if self.condition is None else f",{self.condition.name}"

    def fixed(self) -> tuple:
        """The variables the world holds at one value (the observation, the condition)."""
        return (self.observed,) + (() if self.condition is None else (self.condition,))


@lru_cache(maxsize=256)
def _model_keys(o: sp.Symbol, l: sp.Symbol, condition: sp.Symbol | None,
                variational: frozenset = frozenset(), marginals: bool = False) -> dict[str, tuple]:
    c = () if condition is None else (condition,)
    keys = {"prior": _key(Density("p", (l,), c)), "likelihood": _key(Density("p", (o,), (l,) + c)),
            "evidence": _key(Density("p", (o,), c)), "joint": _key(Density("p", (o, l), c)),
            "posterior": _key(Density("p", (l,), (o,) + c)), "encoder": _key(Density("q", (l,), (o,) + c))}
    if marginals:
        keys.update({role: _key(Density("p", over, given)) for role, over, given in _marginal_roles(o, l, c[0])})
    keys.update({f"variational {k}": key for k, key in enumerate(sorted(variational))})
    return keys


def _marginal_roles(o: sp.Symbol, l: sp.Symbol, c: sp.Symbol) -> tuple:
    """(role, variables, given) of the densities of a conditioned model with the condition c integrated out."""
    return (("marginal evidence", (o,), ()), ("marginal prior", (l,), ()), ("condition law", (c,), ()),
            ("marginal likelihood", (o,), (l,)), ("marginal posterior", (l,), (o,)), ("marginal joint", (o, l), ()))


def chain_moments(m0, s0, a, b, s, k, g, mc, sc) -> tuple[dict, dict]:
    """Means and covariances of (c, z, X) for c ~ N(mc, sc²), z|c ~ N(m0 + k c, s0²), X|z,c ~ N(a z + b + g c, s²)
    (plain arithmetic: floats or mpmath numbers)."""
    mean = {"c": mc, "z": m0 + k * mc}
    mean["x"] = a * mean["z"] + b + g * mc
    cov = {("c", "c"): sc**2, ("z", "c"): k * sc**2, ("z", "z"): s0**2 + k**2 * sc**2}
    cov[("x", "c")] = a * cov[("z", "c")] + g * cov[("c", "c")]
    cov[("x", "z")] = a * cov[("z", "z")] + g * cov[("z", "c")]
    cov[("x", "x")] = a**2 * cov[("z", "z")] + 2 * a * g * cov[("z", "c")] + g**2 * cov[("c", "c")] + s**2
    cov.update({(v, u): value for (u, v), value in list(cov.items())})
    return mean, cov


def conditional_moments(mean: dict, cov: dict, target: str, given: str | None, value=None) -> tuple:
    """(mean, variance) of one Gaussian variable given another's value (``given`` None: its marginal)."""
    if given is None:
        return mean[target], cov[(target, target)]
    gain = cov[(target, given)] / cov[(given, given)]
    return mean[target] + gain * (value - mean[given]), cov[(target, target)] - gain * cov[(target, given)]


def is_variational_key(key: tuple, names: ModelNames) -> bool:
    """Whether ``key`` can name the variational density of a model world with these names: a density of the
    latent alone, of a letter other than the model's p (q, q_λ, r, ...), given nothing or some of the observed
    variable and the condition (q(z), q(z|X), q_λ(z|c)): at the world's observation any density of z is one."""
    name, over, given = key
    allowed = {str(names.observed)} | ({str(names.condition)} if names.condition is not None else set())
    return (name.split("_")[0] != "p" and over == (str(names.latent),) and set(given) <= allowed
            and key != names.keys()["encoder"])


ARTICLE_NAMES = ModelNames(sp.Symbol("X", real=True), sp.Symbol("z", real=True))


def _model_world(family: str, params: dict, prior, log_likelihood, log_evidence, posterior, variational,
                 observed, probe: str = "", names: ModelNames | None = None, extras: dict | None = None) -> World:
    """``extras``: key -> the density of each of ``names.variational`` (another variational density of z)."""
    names = names or ARTICLE_NAMES
    z = names.latent
    env_z = lambda lookup: lookup(z)  # noqa: E731
    world = World(family, params, probe=probe, fixed=frozenset(names.fixed()))
    keys = names.keys()
    world.densities = {
        keys["prior"]: lambda env: prior.logpdf(env_z(env)),
        keys["likelihood"]: lambda env: log_likelihood(env_z(env)),
        keys["evidence"]: lambda env: log_evidence,
        keys["joint"]: lambda env: log_likelihood(env_z(env)) + prior.logpdf(env_z(env)),
        keys["posterior"]: lambda env: posterior.logpdf(env_z(env)),
        keys["encoder"]: lambda env: variational.logpdf(env_z(env)),
    }
    extras = extras or {}
    world.densities.update({key: (lambda env, d=d: d.logpdf(env_z(env))) for key, d in extras.items()})
    world.breakpoints = {z: np.concatenate([prior.breakpoints(), variational.breakpoints(), posterior.breakpoints(),
                                            *(d.breakpoints() for d in extras.values())])}
    world.symbols = {names.observed: observed} if np.ndim(observed) == 0 else {}
    if names.condition is not None:
        world.symbols[names.condition] = names.condition_value
        world.params[names.condition.name] = names.condition_value
    return world


def log_weighted_sum(logs, weights, axis: int = 0):
    """log Σ w_i e^{l_i} along ``axis`` for positive weights (quadrature weights), with the weights folded
    into the exponents before the largest term is taken out: every term is then at most 1 and the largest
    is 1, so the result is accurate to a few eps relative to the terms' own logs. (``scipy.special.logsumexp``
    with ``b=`` takes out the largest l_i and divides by its weight: where that weight is tiny (a panel of
    width 1e-246 next to the peak) the result loses eps·|log w| ≈ 1e-13 in absolute terms.)"""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = np.asarray(logs, dtype=float) + np.log(np.asarray(weights, dtype=float))
        peak = np.max(terms, axis=axis, keepdims=True)
        shift = np.where(np.isfinite(peak), peak, 0.0)
        total = np.log(np.sum(np.exp(terms - shift), axis=axis)) + np.squeeze(shift, axis=axis)
        peak = np.squeeze(peak, axis=axis)
        return np.where(np.isfinite(peak) | np.isnan(peak), total, peak)


def _log_integral_over_panels(log_integrand, breakpoints: np.ndarray, order: int = 48, positional: bool = False):
    """log ∫ exp(log_integrand) over panels between the breakpoints (Gauss–Legendre, log-sum-exp);
    ``positional``: (the log, the error the nodes' own rounding makes in it: ``_positional_error`` of the
    integrand relative to its integral, which matters for a narrow density far from 0)."""
    edges = sorted_unique(breakpoints)
    nodes, weights = _legendre(order)
    half, middle = (edges[1:] - edges[:-1]) / 2, (edges[1:] + edges[:-1]) / 2
    grid = (np.outer(half, nodes) + middle[:, None]).ravel()
    scaled = np.outer(half, weights).ravel()
    logs = log_integrand(grid)
    total = float(log_weighted_sum(logs, scaled))
    if not positional:
        return total
    with np.errstate(all="ignore"):
        relative = np.exp(logs - total) if math.isfinite(total) else np.full_like(grid, math.nan)
    return total, _positional_error(relative, half, order, scaled, grid)


def _likelihood_points(slopes: np.ndarray, offsets: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Panel edges at the steps of the Bernoulli likelihood's sigmoids (at −c/w, of width 1/|w|) that lie
    within ``support`` (the prior's panels) and that floating point resolves. A step wider than the whole
    support is none there (the sigmoid is smooth across it): its edges, up to 30/|w| away, would stretch
    the panels far beyond every density's mass (a slope of 1e-152: panels at 1e153, where the tails of a
    divergent integrand overflow instead of showing)."""
    points = []
    low, high = float(np.min(support)), float(np.max(support))
    for slope, offset in zip(slopes, offsets):
        if not (math.isfinite(slope) and math.isfinite(offset)) or abs(slope) < 1e-300:
            continue
        with np.errstate(over="ignore"):
            centre, width = float(-offset / slope), float(1 / abs(slope))
        if math.isfinite(centre) and low <= centre <= high and 1e-9 * abs(centre) <= width <= high - low:
            points.append(centre + width * FEATURE_OFFSETS)
    return np.concatenate(points) if points else np.empty(0)


def _posterior_points(log_posterior, prior, panels: np.ndarray | None = None) -> np.ndarray:
    """Points that place the posterior's mass (its peak, and 25 across where it is within e^-40 of it), from
    its log-density up to a constant; raises FloatRange where floating point cannot place it."""
    extra = [] if panels is None else [panels]
    grid = np.sort(np.concatenate([prior.breakpoints(), np.linspace(-30, 30, 601), *extra]))
    with np.errstate(all="ignore"):
        values = np.asarray(log_posterior(grid), dtype=float)
    if not np.any(np.isfinite(values)) or not np.isfinite(np.nanmax(values)):
        raise FloatRange("the posterior's log-density is nowhere finite on its grid: floating point cannot place it")
    peak = grid[np.nanargmax(values)]
    mass = grid[values > np.nanmax(values) - 40]
    return np.concatenate([[peak], np.linspace(mass.min(), mass.max(), 25)])


def _chosen(q, prior, posterior):
    """q itself, or the prior or the exact posterior where the boundary worlds ask for them."""
    return {"prior": prior, "posterior": posterior}[q] if isinstance(q, str) else q


def _extra_variationals(names: ModelNames, extras, tie, q, prior, posterior) -> tuple[dict, dict]:
    """(key -> density, key -> density or tie) for the world's other variational densities: each its own
    (``extras``: key -> a density, or a tie "prior" / "posterior"); without ``extras``, each tied as q is."""
    chosen = dict(extras) if extras else {key: tie for key in names.variational}
    ties = {key: chosen.get(key, tie) for key in sorted(names.variational)}
    return {key: _chosen(d, prior, posterior) for key, d in ties.items()}, ties


def _shown_key(key: tuple) -> str:
    name, over, given = key
    return f"{name}({','.join(over)}{'|' + ','.join(given) if given else ''})"


def linear_gaussian_world(m0: float, s0: float, a: float, b: float, s: float, x_obs: float, q="posterior",
                          probe: str = "", names: ModelNames | None = None, extras: dict | None = None,
                          law: dict | None = None) -> World:
    """p(z) = N(m0, s0²), p(X|z) = N(a z + b, s²) at X = x_obs; q a density, or "prior" / "posterior".
    ``names``: the step's names for X and z (and a condition c: then these are p(z|c), p(X|z,c) at the
    world's value of c). ``law`` (k, g, mc, sc), where ``names.marginals``: c ~ N(mc, sc²) and the model
    depends on it, p(z|c) = N(m0 + k c, s0²), p(X|z,c) = N(a z + b + g c, s²); the densities with c
    integrated out are those of the Gaussian (c, z, X) (``chain_moments``)."""
    names = names or ARTICLE_NAMES
    z = names.latent
    o, zn, given = names.shown()
    law = law if names.marginals and names.condition is not None else None
    m0, s0 = _as_declared(names.prior_law, (m0, s0))  # the prior the document declares
    a, b, s = _as_declared(names.likelihood_law, (a, b, s))  # the likelihood the document declares
    m0, b = (m0, b) if law is None else (m0 + law["k"] * names.condition_value, b + law["g"] * names.condition_value)
    model = LinearGaussian(observed=x_obs, weight=a, bias=b, noise=s, prior_mean=m0, prior_std=s0)
    prior = normal_density(m0, s0)
    mean, std = model.posterior()
    posterior = normal_density(mean, std, f"normal({mean:.4g}, {std:.4g}) = p({zn}|{o}{given})")
    tie, q = q, _chosen(q, prior, posterior)
    others, ties = _extra_variationals(names, extras, tie, q, prior, posterior)
    params = {"prior": prior.description, "likelihood": f"{o}|{zn}{given} ~ normal({a:.4g} {zn} + {b:.4g}, {s:.4g})",
              o: float(f"{x_obs:.6g}"), "q": q.description,
              **{_shown_key(key): d.description for key, d in others.items()}}
    world = _model_world("linear-gaussian", params, prior, model.log_likelihood, model.log_evidence(), posterior, q,
                         x_obs, probe, names, others)
    world.spec = ("linear-gaussian", {"m0": m0, "s0": s0, "a": a, "b": b, "s": s, "x_obs": x_obs, "names": names,
                                      "extras": tuple(ties.items())},
                  {"q": tie if isinstance(tie, str) else q})
    if law is not None:
        m0, b = m0 - law["k"] * names.condition_value, b - law["g"] * names.condition_value  # as given
        world.spec[1].update({"m0": m0, "b": b, **{name: float(v) for name, v in law.items()}})
        _with_condition_law(world, names, (m0, s0, a, b, s, law["k"], law["g"], law["mc"], law["sc"]), x_obs)

    def likelihood_size(lookup):  # the residual X − (a z + b) carries eps (|X| + |a z| + |b|), squared over s²
        zz = lookup(z)
        residual = np.abs(x_obs - (a * zz + b))
        return np.abs(model.log_likelihood(zz)) + residual * (abs(x_obs) + np.abs(a * zz) + abs(b)) / s**2

    keys = names.keys()
    world.log_magnitudes = {keys["likelihood"]: likelihood_size, keys["joint"]: lambda lookup: (
        likelihood_size(lookup) + np.abs(prior.logpdf(lookup(z))))}
    return world


def _as_declared(law: tuple | None, drawn: tuple) -> tuple:
    """The parameters ``drawn``, each replaced by the declared one where the document declares it."""
    return drawn if law is None else tuple(value if value is not None else d for value, d in zip(law, drawn))


def _with_condition_law(world: World, names: ModelNames, parameters: tuple, x_obs: float) -> None:
    """The densities of ``world`` with the condition integrated out (``_marginal_roles``)."""
    mean, cov = chain_moments(*parameters)
    z = names.latent
    world.densities.update(_marginal_log_densities(mean, cov, names, x_obs, FLOAT))
    z_mean, z_var = conditional_moments(mean, cov, "z", None)
    post_mean, post_var = conditional_moments(mean, cov, "z", "x", x_obs)
    world.breakpoints[z] = np.concatenate([world.breakpoints[z], z_mean + math.sqrt(z_var) * _OFFSETS,
                                           post_mean + math.sqrt(post_var) * _OFFSETS])
    k, g, mc, sc = parameters[5:]
    world.params["condition"] = f"{names.condition} ~ normal({mc:.4g}, {sc:.4g}); p({names.latent}|{names.condition}) " \
                                f"mean + {k:.4g} {names.condition}, likelihood mean + {g:.4g} {names.condition}"


def _moment(density, which: str) -> float:
    """The mean or standard deviation of a catalogue density (a mixture's from its components)."""
    if isinstance(density, LawDensity):
        return float(getattr(density.dist, which)())
    if isinstance(density, MixtureDensity):
        means = np.array([c.mean() for c in density.components])
        mean = float(np.dot(density.weights, means))
        if which == "mean":
            return mean
        second = np.dot(density.weights, [c.std() ** 2 + m**2 for c, m in zip(density.components, means)])
        return float(np.sqrt(max(second - mean**2, 0.0)))
    raise ValueError(f"no {which} for {density}")


def linear_gaussian_worlds(names: ModelNames | None = None):
    """The hypothesis strategy of linear-Gaussian worlds (``drawn_linear_gaussian_world``)."""
    return world_family_strategy(drawn_linear_gaussian_world, names)


def drawn_linear_gaussian_world(draw, names: ModelNames | None = None) -> World:
    """A linear-Gaussian world of the choices of ``draw`` (a ``HypothesisDraw`` or a ``RandomDraw``)."""
    m0, s0 = _location(draw, 2, 1e2), _spread(draw, 0.3, 3, 1e-2, 1e2)
    a, b, s = _location(draw, 3, 1e2), _location(draw, 2, 1e2), _spread(draw, 0.2, 3, 1e-2, 1e2)
    x_obs = _location(draw, 5, 1e2)
    law = None
    if names is not None and names.marginals:
        law = {"k": _location(draw, 2, 1e2), "g": _location(draw, 2, 1e2), "mc": _location(draw, 2, 1e2),
               "sc": _spread(draw, 0.3, 3, 1e-2, 1e2)}
    return linear_gaussian_world(m0, s0, a, b, s, x_obs, _q_density(draw), names=_drawn_condition(draw, names),
                                 extras=_drawn_extras(draw, names), law=law)


def _drawn_extras(draw, names: ModelNames | None) -> dict:
    """A density of its own for each of the names' other variational densities (q(z) beside q(z|X), r(z))."""
    return {key: _q_density(draw) for key in sorted(names.variational)} if names is not None else {}


def _drawn_condition(draw, names: ModelNames | None) -> ModelNames | None:
    """``names`` with a value drawn for its condition c (the densities are those given that c)."""
    if names is None or names.condition is None:
        return names
    return replace(names, condition_value=float(f"{_location(draw, 3, 1e2):.6g}"))


@lru_cache(maxsize=256)
def _mixture_model(weight: float, means: tuple, scales: tuple, bits: tuple, slopes: tuple, offsets: tuple) -> tuple:
    """(prior, log p(X|z), the likelihood's step points, the posterior's mass points, log p(X), its error
    estimate) of a mixture-Bernoulli model: what its worlds share whatever q and names they have (the
    boundary worlds build it for q = the posterior and q = the prior, for each naming of its variables)."""
    bits, slopes, offsets = (np.asarray(v, dtype=float) for v in (bits, slopes, offsets))
    prior = MixtureDensity((weight, 1 - weight), tuple(Law("norm", (m, s)) for m, s in zip(means, scales)),
                           f"{weight:.3g}·normal({means[0]:.4g}, {scales[0]:.4g}) + "
                           f"{1 - weight:.3g}·normal({means[1]:.4g}, {scales[1]:.4g})")

    def log_likelihood(zz):
        logits = np.multiply.outer(np.asarray(zz), slopes) + offsets  # log Bernoulli pmf, stable in the tails
        return np.sum(bits * log_sigmoid(logits) + (1 - bits) * log_sigmoid(-logits), axis=-1)

    log_joint = lambda t: log_likelihood(t) + prior.logpdf(t)  # noqa: E731
    steps = _likelihood_points(slopes, offsets, prior.breakpoints())
    mass = _posterior_points(log_joint, prior, steps)  # the posterior up to its constant places the same mass
    panels = np.concatenate([prior.breakpoints(), steps, mass])  # the panels the world's integrals use too
    log_evidence, positional = _log_integral_over_panels(log_joint, panels, positional=True)
    evidence_error = abs(log_evidence - _log_integral_over_panels(log_joint, panels, order=26)) + positional
    return prior, log_likelihood, steps, mass, log_evidence, evidence_error


def mixture_bernoulli_world(weight: float, means, scales, bits, slopes, offsets, q="posterior",
                            probe: str = "", names: ModelNames | None = None, extras: dict | None = None) -> World:
    """p(z) = weight·N(means[0], scales[0]²) + (1 − weight)·N(means[1], scales[1]²), pixels X = bits with
    p(X_i = 1 | z) = sigmoid(slopes_i z + offsets_i); q a density, or "prior" / "posterior"."""
    prior, log_likelihood, steps, mass, log_evidence, evidence_error = _mixture_model(
        float(weight), tuple(map(float, means)), tuple(map(float, scales)), tuple(map(float, bits)),
        tuple(map(float, slopes)), tuple(map(float, offsets)))
    bits, slopes, offsets = (np.asarray(v, dtype=float) for v in (bits, slopes, offsets))
    log_posterior = lambda zz: log_likelihood(zz) + prior.logpdf(zz) - log_evidence  # noqa: E731
    names = names or ARTICLE_NAMES
    z, keys = names.latent, names.keys()
    o, zn, given = names.shown()
    posterior = TabulatedDensity(log_posterior, mass, f"p({zn}|{o}{given})")
    tie, q = q, _chosen(q, prior, posterior)
    others, ties = _extra_variationals(names, extras, tie, q, prior, posterior)
    params = {"prior": prior.description, o: bits.astype(int).tolist(),
              "decoder": f"sigmoid({np.round(slopes, 4).tolist()} {zn} + {np.round(offsets, 4).tolist()})",
              "q": q.description, **{_shown_key(key): d.description for key, d in others.items()}}
    world = _model_world("mixture-bernoulli", params, prior, log_likelihood, log_evidence, posterior, q, bits, probe,
                         names, others)
    world.breakpoints = {v: np.concatenate([world.breakpoints[v], steps]) for v in world.breakpoints}
    joint_size = lambda lookup: np.abs(log_likelihood(lookup(z))) + np.abs(prior.logpdf(lookup(z)))  # noqa: E731
    posterior_size = lambda lookup: joint_size(lookup) + abs(log_evidence)  # noqa: E731
    world.log_magnitudes = {keys["joint"]: joint_size, keys["posterior"]: posterior_size}
    on_posterior = [keys["encoder"]] * (tie == "posterior") + [k for k, t in ties.items() if t == "posterior"]
    world.log_magnitudes.update({key: posterior_size for key in on_posterior})
    if evidence_error > 0 or not math.isfinite(log_evidence):  # log p(X) up by the error, so p(z|X) down
        world.density_errors = {keys["evidence"]: evidence_error, keys["posterior"]: -evidence_error}
        world.density_errors.update({key: -evidence_error for key in on_posterior})
    world.spec = ("mixture-bernoulli", {"bits": tuple(bits.tolist()), "weight": float(weight), "names": names,
                                        "extras": tuple(ties.items()),
                                        **{f"mean{k}": float(m) for k, m in enumerate(means, 1)},
                                        **{f"std{k}": float(v) for k, v in enumerate(scales, 1)},
                                        **{f"slope{k}": float(v) for k, v in enumerate(slopes, 1)},
                                        **{f"offset{k}": float(v) for k, v in enumerate(offsets, 1)}},
                  {"q": tie if isinstance(tie, str) else q})
    world.symbols.update({sp.Symbol("D", integer=True, positive=True): len(bits)})
    world.functions["x"] = lambda i: bits[int(i) - 1]
    world.functions["yhat"] = lambda i, zz: sigmoid(slopes[int(i) - 1] * zz + offsets[int(i) - 1])
    logit = lambda i, zz: mpmath.mpf(slopes[int(i) - 1]) * zz + mpmath.mpf(offsets[int(i) - 1])  # noqa: E731
    world.precise_functions = {"x": lambda i: mpmath.mpf(bits[int(i) - 1]),
                               "yhat": lambda i, zz: 1 / (1 + mpmath.exp(-logit(i, zz)))}
    world.precise_log_functions = {"yhat": (lambda i, zz: log_sigmoid(logit(i, zz), PRECISE),
                                            lambda i, zz: log_sigmoid(-logit(i, zz), PRECISE))}
    world.log_functions["yhat"] = (  # log ŷ and log(1 − ŷ) from the logit: exact in the tails
        lambda i, zz: log_sigmoid(slopes[int(i) - 1] * zz + offsets[int(i) - 1]),
        lambda i, zz: log_sigmoid(-(slopes[int(i) - 1] * zz + offsets[int(i) - 1])))
    return world


def mixture_bernoulli_worlds(names: ModelNames | None = None):
    """The hypothesis strategy of mixture-Bernoulli worlds (``drawn_mixture_bernoulli_world``)."""
    return world_family_strategy(drawn_mixture_bernoulli_world, names)


def drawn_mixture_bernoulli_world(draw, names: ModelNames | None = None) -> World:
    """A mixture-Bernoulli world of the choices of ``draw`` (a ``HypothesisDraw`` or a ``RandomDraw``)."""
    weight = draw.floats(0.15, 0.85)
    means = draw.floats(-3, 0), draw.floats(0, 3)
    scales = draw.floats(0.3, 1.5), draw.floats(0.3, 1.5)
    pixels = draw.integers(1, 4)
    bits = draw.integers_list(0, 1, pixels)
    slopes = draw.floats_list(-3, 3, pixels)
    offsets = draw.floats_list(-2, 2, pixels)
    return mixture_bernoulli_world(weight, means, scales, bits, slopes, offsets, _q_density(draw),
                                   names=_drawn_condition(draw, names), extras=_drawn_extras(draw, names))


AFFINE = {"2t + 1": lambda t: 2 * t + 1}  # concave and convex at once: Jensen's inequality is an equality
EDGE = 0.05  # log, sqrt, t log t, 1/t are continued below t = EDGE by their tangent: curved the same way on all of R


def _tangent_below(f: Callable, slope: Callable) -> Callable:
    """``f`` on [EDGE, ∞) continued below EDGE by its tangent there: concave (convex) on the whole line when f is."""
    value, rate = f(EDGE), slope(EDGE)
    def continued(t):
        t = np.asarray(t, dtype=float)
        return np.where(t >= EDGE, f(np.maximum(t, EDGE)), value + rate * (t - EDGE))[()]
    return continued


def _precise_tangent_below(f: Callable, slope: Callable) -> Callable:
    edge = mpmath.mpf(EDGE)
    return lambda t: f(t) if t >= edge else f(edge) + slope(edge) * (t - edge)


# the shapes of concave (convex) functions on the whole line; a world draws a·f(b t + c) + d + e t of one
# (a > 0, b ≠ 0): concave (convex) again, and with a large d or e it is far from the shape (see _drawn_curved)
CONCAVE = {"log": _tangent_below(np.log, lambda t: 1 / t), "sqrt": _tangent_below(np.sqrt, lambda t: 0.5 / np.sqrt(t)),
           "-t^2": lambda t: -t**2, "1-exp(-t)": lambda t: -np.expm1(-t), "0": lambda t: 0 * t, **AFFINE}
CONVEX = {"exp": np.exp, "t^2": np.square, "t*log(t)": _tangent_below(lambda t: t * np.log(t), lambda t: np.log(t) + 1),
          "1/t": _tangent_below(np.reciprocal, lambda t: -1 / t**2), "0": lambda t: 0 * t, **AFFINE}
POSITIVE_G = {
    "exp(c x)": lambda c: (lambda t: np.exp(c * t)),
    "1 + (x - c)^2": lambda c: (lambda t: 1 + (t - c) ** 2),
    "2 + sin(c x)": lambda c: (lambda t: 2 + np.sin(c * t)),
}


SMOOTH = {  # each takes a shape parameter c in [0.3, 1.5] and a shift d in [-1, 1]
    "sin(c t + d)": lambda c, d: (lambda t: np.sin(c * t + d)),
    "c (t - d)^2": lambda c, d: (lambda t: c * (t - d) ** 2),
    "exp(c t / 3) + d": lambda c, d: (lambda t: np.exp(c * t / 3) + d),
    "tanh(c t + d)": lambda c, d: (lambda t: np.tanh(c * t + d)),
    "c t^3 - d t": lambda c, d: (lambda t: c * t**3 - d * t),
}
_CATALOGUES = {"concave": CONCAVE, "convex": CONVEX}


def pair_world(densities: dict[str, Any], probe: str = "", variable: sp.Symbol | None = None) -> World:
    """Densities of one variable (x unless ``variable`` names another), e.g. {"p": ..., "q": ...}, each with
    ``logpdf`` and ``breakpoints``."""
    x = sp.Symbol("x", real=True) if variable is None else variable
    world = World("densities-of-x", {}, probe=probe)
    for family, density in densities.items():
        world.densities[(family, (str(x),), ())] = lambda lookup, d=density: d.logpdf(lookup(x))
        world.params[f"{family}({x})"] = density.description
    world.breakpoints[x] = np.concatenate([d.breakpoints() for d in densities.values()])
    world.spec = ("densities-of-x", {} if variable is None else {"variable": x}, dict(densities))
    return world


def drawn_pair_world(draw, variables: tuple[str, ...], variable: sp.Symbol | None = None) -> World:
    """Densities p(x) and q(x) (any letters, of any one variable), each from the catalogue of densities."""
    return pair_world({family: _q_density(draw) for family in variables}, variable=variable)


def _scaled(function, scale: float):
    return lambda t: scale * function(t)


def with_drawn_functions(draw, world: World, needed: frozenset) -> World:
    """``world`` with a concrete function for every abstract one, chosen from a catalogue by its kind."""
    functions, params = dict(world.functions), dict(world.params)
    precise = dict(world.precise_functions)
    for name, kind in sorted(needed):
        if name in functions or kind == "several-arguments":  # evaluating it raises Unsupported
            continue
        if kind == "positive":
            choice, c = draw.choice(tuple(sorted(POSITIVE_G))), draw.floats(-1.5, 1.5)
            scale = math.exp(draw.floats(math.log(0.01), math.log(100)) if draw.choice((0, 1)) else _drawn_magnitude(draw, 30))
            functions[name] = _scaled(POSITIVE_G[choice](c), scale)
            precise[name] = _scaled(PRECISE_POSITIVE_G[choice](c), scale)
            params[f"{name}(x)"] = f"{scale:.4g}·({choice.replace('c', f'{c:.4g}')})"
        elif kind == "plain":  # any function: a·s(t) + d + e t of a smooth shape s, far from it when d or e is large
            choice, c, d = draw.choice(tuple(sorted(SMOOTH))), draw.floats(0.3, 1.5), draw.floats(-1, 1)
            scale, (offset, slope) = draw.choice((-1, 1)) * math.exp(draw.floats(math.log(0.1), math.log(10))), \
                _drawn_affine_part(draw)
            functions[name] = _affinely(SMOOTH[choice](c, d), scale, offset, slope)
            precise[name] = _affinely(PRECISE_SMOOTH[choice](c, d), scale, offset, slope)
            params[f"{name}(t)"] = f"{scale:.4g}·({choice.replace('c', f'{c:.4g}').replace('d', f'{d:.4g}')}) + " \
                f"{offset:.4g} + {slope:.4g} t"
        else:
            functions[name], precise[name], params[f"{name}(t)"] = _drawn_curved(draw, kind)
    return _replaced(world, params=params, functions=functions, precise_functions=precise)


def _drawn_curved(draw, kind: str) -> tuple[Callable, Callable, str]:
    """A concave (convex) function a·f(b t + c) + d + e t of a catalogue shape f: (numpy, mpmath, as shown)."""
    choice = draw.choice(tuple(sorted(_CATALOGUES[kind])))
    a, b = math.exp(draw.floats(math.log(0.1), math.log(10))), draw.choice((-1, 1)) * draw.floats(0.5, 2)
    c = draw.floats(-1, 1)
    d, e = _drawn_affine_part(draw)
    shape, precise_shape = _CATALOGUES[kind][choice], PRECISE_CATALOGUE[choice]
    inner = f"({b:.4g} t + {c:.4g})"
    written = f"{choice}{inner}" if choice in ("log", "sqrt", "exp") else choice.replace("t", inner)
    continued = f" (continued below {EDGE} by its tangent)" if choice in ("log", "sqrt", "t*log(t)", "1/t") else ""
    shown = f"{a:.4g}·{written} + {d:.4g} + {e:.4g} t" + continued
    return (_affinely(lambda t: shape(b * t + c), a, d, e), _affinely(lambda t: precise_shape(b * t + c), a, d, e),
            shown)


def _drawn_affine_part(draw) -> tuple[float, float]:
    """(d, e) of an added d + e t: each zero, small (0.01 to 10 of either sign) or large (up to 1000 and 100)."""
    return tuple(_drawn_magnitude(draw, large) for large in (1000, 100))


def _drawn_magnitude(draw, large: float) -> float:
    """0, a small number of either sign (|v| from 0.01 to 10, log-uniform), or a uniform one in (-large, large)."""
    size = draw.choice(("zero", "small", "large"))
    if size == "zero":
        return 0.0
    if size == "small":
        return draw.choice((-1, 1)) * math.exp(draw.floats(math.log(0.01), math.log(10)))
    return draw.floats(-large, large)


def _affinely(function: Callable, scale: float, offset: float, slope: float) -> Callable:
    return lambda t: scale * function(t) + offset + slope * t


def _replaced(world: World, **changes) -> World:
    """A copy of ``world`` with ``changes`` (never its cached evaluators: those belong to the old values)."""
    fields = {"family": world.family, "params": dict(world.params), "densities": world.densities,
              "breakpoints": world.breakpoints, "symbols": dict(world.symbols), "functions": world.functions,
              "log_functions": world.log_functions, "probe": world.probe, "free": world.free, "spec": world.spec,
              "density_errors": world.density_errors, "log_magnitudes": world.log_magnitudes,
              "precise_functions": world.precise_functions, "precise_log_functions": world.precise_log_functions,
              "fixed": world.fixed}
    return World(**{**fields, **changes})


DEGENERATE = {  # the functions at which inequalities about a function of that kind become equalities
    "concave": ("2t + 1", AFFINE["2t + 1"]),
    "convex": ("2t + 1", AFFINE["2t + 1"]),
    "positive": ("3", lambda t: np.full_like(np.asarray(t, dtype=float), 3.0)),
    "plain": ("1.5", lambda t: np.full_like(np.asarray(t, dtype=float), 1.5)),
}


# the catalogues again, in mpmath, by the same names (for ``PreciseEvaluator``)
PRECISE_CATALOGUE = {
    "2t + 1": lambda t: 2 * t + 1, "log": _precise_tangent_below(mpmath.log, lambda t: 1 / t),
    "sqrt": _precise_tangent_below(mpmath.sqrt, lambda t: 1 / (2 * mpmath.sqrt(t))),
    "-t^2": lambda t: -t**2, "1-exp(-t)": lambda t: -mpmath.expm1(-t), "exp": lambda t: mpmath.exp(t),
    "t^2": lambda t: t**2, "t*log(t)": _precise_tangent_below(lambda t: t * mpmath.log(t), lambda t: mpmath.log(t) + 1),
    "1/t": _precise_tangent_below(lambda t: 1 / t, lambda t: -1 / t**2), "0": lambda t: 0 * t,
    "3": lambda t: mpmath.mpf(3), "1.5": lambda t: mpmath.mpf(1.5),
}
PRECISE_POSITIVE_G = {
    "exp(c x)": lambda c: (lambda t: mpmath.exp(c * t)),
    "1 + (x - c)^2": lambda c: (lambda t: 1 + (t - c) ** 2),
    "2 + sin(c x)": lambda c: (lambda t: 2 + mpmath.sin(c * t)),
}
PRECISE_SMOOTH = {
    "sin(c t + d)": lambda c, d: (lambda t: mpmath.sin(c * t + d)),
    "c (t - d)^2": lambda c, d: (lambda t: c * (t - d) ** 2),
    "exp(c t / 3) + d": lambda c, d: (lambda t: mpmath.exp(c * t / 3) + d),
    "tanh(c t + d)": lambda c, d: (lambda t: mpmath.tanh(c * t + d)),
    "c t^3 - d t": lambda c, d: (lambda t: c * t**3 - d * t),
}


def with_degenerate_functions(world: World, needed: frozenset) -> World:
    """``world`` with every abstract function affine (concave, convex) or constant (positive, plain)."""
    functions, params = dict(world.functions), dict(world.params)
    precise = dict(world.precise_functions)
    for name, kind in sorted(needed):
        if name in functions or kind not in DEGENERATE:
            continue
        shown, function = DEGENERATE[kind]
        functions[name] = function
        precise[name] = PRECISE_CATALOGUE[shown]
        params[f"{name}(t)"] = shown
    probe = "; ".join(filter(None, [world.probe, "affine or constant functions"]))
    return _replaced(world, params=params, functions=functions, probe=probe, precise_functions=precise)


# (offset, slope) of affine functions far from the drawn ones' scale, each concave and convex at once: a bound on
# a function of that kind that holds only for moderate values or slopes fails at one of them
FAR_EDGES = 3  # the edge assignments a far world is evaluated at: 0, 1, -1 (see edge_values)
_FAR_LINES = ((1000.0, 0.0), (-1000.0, 0.0), (0.0, 100.0), (0.0, -100.0))
FAR = {"concave": _FAR_LINES, "convex": _FAR_LINES, "plain": _FAR_LINES, "positive": ((1e6, 0.0), (1e-6, 0.0))}


def with_far_functions(world: World, needed: frozenset) -> list[World]:
    """Copies of ``world`` with every abstract function one of the affine functions of FAR (in turn)."""
    kinds = [kind for _, kind in needed if kind in FAR]
    worlds = []
    for turn in range(max((len(FAR[kind]) for kind in kinds), default=0)):
        functions, params, precise = dict(world.functions), dict(world.params), dict(world.precise_functions)
        for name, kind in sorted(needed):
            if name in functions or kind not in FAR:
                continue
            offset, slope = FAR[kind][turn % len(FAR[kind])]
            functions[name] = lambda t, c=offset, k=slope: c + k * np.asarray(t, dtype=float)
            precise[name] = lambda t, c=offset, k=slope: mpmath.mpf(c) + k * t
            params[f"{name}(t)"] = f"{offset:g}" if slope == 0 else f"{slope:g} t"
        probe = "; ".join(filter(None, [world.probe, "constant or steep affine functions"]))
        worlds.append(_replaced(world, params=params, functions=functions, probe=probe, precise_functions=precise))
    return worlds


POSITIVE_EDGES = (1.0, 2.0, 0.5, 1e-8, 1e8, 1e-300, 1e300, SMALLEST, LARGEST)
REAL_EDGES = (0.0, 1.0, -1.0, 0.5, -2.0, 1e-8, -1e-8, 1e8, -1e8, 1e-300, -1e-300, 1e300, -1e300, SMALLEST,
              -SMALLEST, LARGEST, -LARGEST)
# where quadrature runs (the world's integrals are computed in float64): edges that stay evaluable
LIGHT_POSITIVE_EDGES = (1.0, 0.5, 2.0, 1e-3, 1e3)
LIGHT_REAL_EDGES = (0.0, 1.0, -1.0, 1e-3, 1e3, -1e3)


BANDS = 8  # a symbol's value: a band (which kind of value) and a position in it, both drawn


def _magnitude_in(band: int, u: float) -> float:
    """A positive value: bands 0-1 moderate (1 .. 20, 0.05 .. 1), 2-3 within 1e-3 .. 1e3, 4-5 over the whole
    float range 1e-300 .. 1e300, 6-7 the edge values; (0, 0.0), hypothesis's simplest draw, gives 1."""
    if band < 2:
        return math.exp((1 if band == 0 else -1) * math.log(20) * u)
    if band < 4:
        return math.exp((1 if band == 2 else -1) * math.log(1e3) * u)
    if band < 6:
        return math.exp((1 if band == 4 else -1) * math.log(1e300) * u)
    return POSITIVE_EDGES[min(int(u * len(POSITIVE_EDGES)), len(POSITIVE_EDGES) - 1)]


def _real_in(band: int, u: float) -> float:
    """A real value: bands 0-1 moderate (0 .. 8, -8 .. 0), 2-3 ± magnitudes within 1e-3 .. 1e3, 4-5 ± over the
    whole float range, 6-7 the edge values; (0, 0.0) gives 0."""
    if band < 2:
        return 8 * u if band == 0 else -8 * u
    if band < 6:
        magnitude = math.exp(math.log(1e3) * (2 * u - 1)) if band < 4 else math.exp(math.log(1e300) * (2 * u - 1))
        return magnitude if band % 2 == 0 else -magnitude
    return REAL_EDGES[min(int(u * len(REAL_EDGES)), len(REAL_EDGES) - 1)]


def _integer_ranges(symbol: sp.Symbol) -> tuple[tuple[int, int], tuple[int, int]]:
    """A small range and a wide one for an integer symbol, by its sign."""
    if symbol.is_positive:
        return (1, 6), (1, 10**6)
    if symbol.is_nonnegative:
        return (0, 6), (0, 10**6)
    if symbol.is_negative:
        return (-6, -1), (-10**6, -1)
    if symbol.is_nonpositive:
        return (-6, 0), (-10**6, 0)
    return (-6, 6), (-10**6, 10**6)


def _domain(symbol: sp.Symbol) -> str:
    for name in ("integer", "positive", "nonnegative", "negative", "nonpositive", "real"):
        if getattr(symbol, f"is_{name}"):
            return name
    raise Unsupported(f"no numeric domain for {symbol} (declare it real or positive)")


def _positive_value(drawn: tuple[int, float]) -> float:
    return _magnitude_in(*drawn)


def _negative_value(drawn: tuple[int, float]) -> float:
    return -_magnitude_in(*drawn)


def _nonnegative_value(drawn: tuple[int, float]) -> float:
    band, u = drawn
    if band >= 6:  # the edge bands, with 0 among the edges
        edges = (0.0,) + POSITIVE_EDGES
        return edges[min(int(u * len(edges)), len(edges) - 1)]
    return _magnitude_in(band, u)


def _nonpositive_value(drawn: tuple[int, float]) -> float:
    return -_nonnegative_value(drawn)


def _real_value(drawn: tuple[int, float]) -> float:
    return _real_in(*drawn)


_DOMAIN_VALUES = {"positive": _positive_value, "negative": _negative_value, "nonnegative": _nonnegative_value,
                  "nonpositive": _nonpositive_value, "real": _real_value}


def drawn_symbol_value(draw, symbol: sp.Symbol):
    """A value over the symbol's whole declared domain: a band and a position in it (hypothesis shrinks
    towards the moderate ones: 0, or 1 for a positive symbol); an integer from a small or a wide range."""
    domain = _domain(symbol)
    if domain == "integer":
        low, high = draw.choice(_integer_ranges(symbol))
        return draw.integers(low, high)
    band = draw.integers(0, BANDS - 1)
    return _DOMAIN_VALUES[domain]((band, draw.floats(0, 1)))


def edge_values(symbol: sp.Symbol, light: bool = False) -> tuple:
    """The symbol's edge values, its centre (0, or 1 for a positive symbol) first; ``light``: only those
    that floating-point quadrature can still use."""
    if symbol.is_integer:
        if symbol.is_positive:
            return (1, 2, 3, 50)
        if symbol.is_nonnegative:
            return (0, 1, 2, 50)
        if symbol.is_negative:
            return (-1, -2, -50)
        if symbol.is_nonpositive:
            return (0, -1, -2, -50)
        return (0, 1, -1, 2, -3, 50)
    positive = LIGHT_POSITIVE_EDGES if light else POSITIVE_EDGES
    if symbol.is_positive:
        return positive
    if symbol.is_nonnegative:
        return (0.0,) + positive
    if symbol.is_negative:
        return tuple(-v for v in positive)
    if symbol.is_nonpositive:
        return (0.0,) + tuple(-v for v in positive)
    if symbol.is_real:
        return LIGHT_REAL_EDGES if light else REAL_EDGES
    raise Unsupported(f"no numeric domain for {symbol} (declare it real or positive)")


SIMPLE_MAGNITUDES = (1, 2, 0.5, 3, 4, 0.25, 10, 0.1)  # simplest first: the values a reader takes in at a glance
SIMPLE_INTEGERS = (1, 2, 3, 4, 10)


def simple_values(symbol: sp.Symbol) -> tuple:
    """The symbol's simplest values within its declared domain, simplest first (0 first where allowed,
    then ±1, ±2, ...); () for a symbol without a numeric domain."""
    magnitudes = SIMPLE_INTEGERS if symbol.is_integer else SIMPLE_MAGNITUDES
    if symbol.is_positive:
        return magnitudes
    if symbol.is_negative:
        return tuple(-v for v in magnitudes)
    if symbol.is_nonnegative:
        return (0,) + magnitudes
    if symbol.is_nonpositive:
        return (0,) + tuple(-v for v in magnitudes)
    if symbol.is_real:
        return (0,) + tuple(v for m in magnitudes for v in (m, -m))
    return ()


def simple_assignments(symbols, limit: int = 4096) -> list[dict]:
    """Assignments of simple values to ``symbols``, simplest first (see ``ranked_simple_assignments``)."""
    return [values for _, values in ranked_simple_assignments(symbols, limit)]


def ranked_simple_assignments(symbols, limit: int = 4096) -> list[tuple[tuple, dict]]:
    """(rank, assignment) for assignments of simple values to ``symbols``, simplest first: by the sum of
    the values' ranks in ``simple_values`` (symbols sorted by name), then by the largest, then by the ranks
    themselves (``simplicity_rank``); at most about ``limit`` of them (each symbol limited to its first k
    values, k^n ≤ limit)."""
    ordered = sorted(symbols, key=str)
    if not ordered:
        return [(simplicity_rank(()), {})]
    choices = [simple_values(s) for s in ordered]
    if not all(choices):
        return []
    per_symbol = max(2, int(limit ** (1 / len(ordered))))
    ranked = sorted(map(simplicity_rank, itertools.product(*(range(min(per_symbol, len(c))) for c in choices))))
    return [(rank, {s: _typed(s, c[i]) for s, c, i in zip(ordered, choices, rank[2])}) for rank in ranked]


def simplicity_rank(ranks: tuple) -> tuple:
    """How simple a point is, from its values' ranks (by symbol name): lower is simpler."""
    return sum(ranks), max(ranks, default=0), tuple(ranks)


def simplicity(symbol: sp.Symbol, value) -> int | None:
    """The rank of ``value`` among the symbol's simple values (0: the simplest), None if it is not one."""
    for rank, simple in enumerate(simple_values(symbol)):
        if not isinstance(value, (bool, np.bool_)) and np.ndim(value) == 0 and float(value) == simple:
            return rank
    return None


def _typed(symbol: sp.Symbol, value):
    return int(value) if symbol.is_integer else float(value)


def _moderate_value(symbol: sp.Symbol):
    """A value away from every edge, for the symbols not being pushed to theirs."""
    value = 2 if symbol.is_integer else (1.25 if symbol.is_positive or symbol.is_nonnegative else 0.75)
    return -value if symbol.is_negative or symbol.is_nonpositive else value


def edge_assignments(symbols, light: bool = False) -> list[dict]:
    """Values for ``symbols`` at their edges: all of them at the k-th edge together, then (unless
    ``light``: each world costs quadratures) each alone at each of its edges, the others at their centres
    (where equality points often lie: μ = 0, σ = 1) or at moderate values."""
    ordered = sorted(symbols, key=str)
    if not ordered:
        return [{}]
    edges = {s: edge_values(s, light) for s in ordered}
    together = [{s: edges[s][k % len(edges[s])] for s in ordered} for k in range(max(map(len, edges.values())))]
    others = ({t: edges[t][0] for t in ordered}, {t: _moderate_value(t) for t in ordered})
    alone = [{**rest, s: value} for rest in others for s in ordered for value in edges[s]
             ] if len(ordered) > 1 and not light else []
    unique, seen = [], set()
    for values in together + alone:
        key = tuple((str(s), v) for s, v in values.items())
        if key not in seen:
            seen.add(key)
            unique.append(values)
    return unique


# ---------------------------------------------------------------- what a chain needs


@dataclass(frozen=True)
class Needs:
    densities: frozenset
    functions: frozenset  # (name, kind) with kind in concave / convex / positive / plain / several-arguments
    symbols: frozenset
    model: ModelNames | None = None  # the step's names for a model world's X, z (and c), where its densities fit
    variable: sp.Symbol | None = None  # the one variable of densities of one variable (a pair world's x)
    refused: bool = False  # the densities fit a model world, but none follows the document's declarations

    @classmethod
    def of(cls, expressions, scope=None) -> "Needs":
        """What ``expressions`` need of a world; ``scope`` (``mathcheck.notation.Scope``) says which of
        their variables are latent where the densities alone leave it open; the densities the document
        declares (``declared_densities``) fix the model worlds' prior."""
        return _needs_of(tuple(sp.sympify(expr) for expr in expressions), scope, _labels_resolved(),
                         _DECLARED.get())


_DECLARED = contextvars.ContextVar("declared_densities", default=frozenset())


@contextmanager
def declared_densities(declared: frozenset):
    """Within: the document declares these densities, {(key, mean, std)} (p(z) = N(z; 0, 1): (("p", ("z",), ()),
    0.0, 1.0); a mean or std that is no number: None). A model world is then an instance of the declared model:
    its prior is the declared one (the reader writes the declared formula for p(z) itself, but p(x, z), p(z|x)
    and p(x) still follow from it); a model world that cannot follow a declaration is not used."""
    token = _DECLARED.set(frozenset(declared))
    try:
        yield
    finally:
        _DECLARED.reset(token)


def _declared_model(model: ModelNames | None, declared: frozenset,
                    mentioned: frozenset = frozenset()) -> ModelNames | None:
    """``model`` with the prior and the likelihood the document declares; None where a declaration names another
    of its densities (its posterior, its evidence) or gives the prior or the likelihood a law no linear-Gaussian
    world is an instance of (a likelihood mean not a z + b, a parameter the step writes or two coefficients
    share): no model world is an instance of it. ``mentioned``: the names of the step's symbols and functions.
    A declared encoder q(z|X) is put in where a step writes it and leaves the worlds' q free."""
    if model is None or not declared:
        return model
    roles = {key: role for role, key in model.keys().items() if not role.startswith("variational")}
    laws, shared = {}, []
    for key, mean, std in sorted(declared, key=str):
        role = roles.get(key)
        if role is None or role == "encoder":
            continue
        law = _declared_law(role, mean, std, mentioned)
        if law is None:
            return None
        laws.update(law)
        values = (list(mean) if isinstance(mean, tuple) else [mean]) + [std]
        shared += [name for value in values if isinstance(value, frozenset) for name in value]
    if len(shared) != len(set(shared)):
        return None  # N(z; 0, s²) and N(x; z, s²): one s the worlds would draw twice
    return replace(model, **laws, declared_roles=frozenset(role for role in roles.values()
                                                           if f"{role}_law" in laws)) if laws else model


def _declared_law(role: str, mean, std, mentioned: frozenset) -> dict | None:
    """The field of ``ModelNames`` a declared density of ``role`` fixes (``prior_law``, ``likelihood_law``), a
    parameter None where the world draws it; None where no world is an instance of the declaration. ``mean``:
    the prior's (a ``_parameter``), the likelihood's pair (a, b) of a z + b or one set of names (any a z + b:
    f(z) with f unspecified)."""
    if role == "prior":
        found = (_parameter(mean, mentioned), _parameter(std, mentioned, positive=True))
        return None if _UNUSABLE in found else {"prior_law": found}
    if role != "likelihood":
        return None
    pair = mean if isinstance(mean, tuple) else (mean, mean) if isinstance(mean, frozenset) else (None, None)
    found = tuple(_parameter(v, mentioned) for v in pair) + (_parameter(std, mentioned, positive=True),)
    return None if _UNUSABLE in found else {"likelihood_law": found}


_UNUSABLE = "unusable"  # a declared parameter no world takes


def _parameter(value, mentioned: frozenset, positive: bool = False):
    """A declared parameter as the worlds take it: a number is theirs (a std must be positive); the set of names
    of an unspecified parameter (σ, w, f) that the step does not write is theirs to draw (None); anything else
    (None: no number, names the step writes) is ``_UNUSABLE``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value > 0 or not positive else _UNUSABLE
    if isinstance(value, frozenset) and value and not value & mentioned:
        return None
    return _UNUSABLE


def _declared_model_names(densities: frozenset, variables: dict, declared: frozenset) -> ModelNames | None:
    """The model of a declared likelihood p(X|z) (and prior) for a step that writes only densities of that model
    without both of its variables (p(X) alone: the declared model's evidence, whatever law the declaration
    gives); None if there is none."""
    for key, _, _ in sorted(declared, key=str):
        _, over, given = key
        if len(over) != 1 or len(given) != 1:
            continue
        observed, latent = (variables.get(v) or sp.Symbol(v, real=True) for v in (over[0], given[0]))
        candidate = ModelNames(observed, latent)
        if candidate.keys()["likelihood"] == key and densities <= model_densities(candidate):
            return candidate
    return None


def _labels_resolved() -> bool:
    from mathcheck.vocab import _LABELS_RESOLVED
    return _LABELS_RESOLVED.get()


@lru_cache(maxsize=4096)
def _needs_of(expressions: tuple, scope, labels_resolved: bool = False, declared: frozenset = frozenset()) -> Needs:
    """``Needs.of``, once per tuple of expressions, scope and label rule (the checker asks again and again;
    ``labels_resolved``: whether ``Density.canonical`` keeps every label, see ``vocab.labels_resolved``)."""
    densities, functions, symbols, variables, integrated = set(), set(), set(), {}, set()
    for expr in expressions:
        expr = unfold(expr)
        found_densities, found_integrals, calls = _atoms_of_kinds(
            expr, (Density, sp.Integral, (sp.core.function.AppliedUndef, Concave, Convex)))
        for density in found_densities:
            densities.add(_key(density))
            variables.update({str(v): v for v in density.variables + density.given if isinstance(v, sp.Symbol)})
        integrated |= {str(v) for node in found_integrals for v in integral_variables(node)}
        for call in calls:
            functions.add((call.func.__name__, _kind(call)))
        symbols |= {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    densities = frozenset(densities)
    model = model_names(densities, variables, integrated, scope)
    if model is None and densities and declared:
        model = _declared_model_names(densities, variables, declared)
    if model is not None and declared:
        model = _declared_model(model, declared, frozenset(
            {s.name for s in symbols} | {name for name, _ in functions}))
        if model is None:  # no model world follows the declarations: none is used
            return Needs(densities, frozenset(functions), frozenset(symbols), None, None, refused=True)
    variable = None if model is not None else _pair_variable(densities, variables)
    return Needs(densities, frozenset(functions), frozenset(symbols), model, variable)


def _atoms_of_kinds(expr: sp.Expr, kinds: tuple) -> list[set]:
    """``[expr.atoms(kind) for kind in kinds]`` in one walk of ``expr``; each set is filled in the order
    ``atoms`` fills it (so it iterates in the same order)."""
    found = [set() for _ in kinds]
    for node in sp.preorder_traversal(expr):
        for kind, nodes in zip(kinds, found):
            if isinstance(node, kind):
                nodes.add(node)
    return found


def _kind(call) -> str:
    if len(call.args) != 1:  # the catalogues hold functions of one variable
        return "several-arguments"
    if isinstance(call, Concave):
        return "concave"
    if isinstance(call, Convex):
        return "convex"
    return "positive" if call.is_positive is True else "plain"


MODEL_DENSITIES = {("p", ("z",), ()), ("p", ("X",), ("z",)), ("p", ("X",), ()), ("p", ("X", "z"), ()),
                   ("p", ("z",), ("X",)), ("q", ("z",), ("X",))}


PAIR_DENSITIES = {("p", ("x",), ()), ("q", ("x",), ())}
BERNOULLI_FUNCTIONS = {("x", "plain"), ("yhat", "plain")}


def model_densities(names: ModelNames) -> frozenset:
    """The densities a model world with these variable names gives (``MODEL_DENSITIES`` for X, z)."""
    return frozenset(names.keys().values())


def model_names(densities: frozenset, variables: dict, integrated: set = frozenset(), scope=None) -> ModelNames | None:
    """The names under which ``densities`` are densities of one model world: p(z), p(X|z), p(X), p(X, z),
    p(z|X), q(z|X) for X, z the step's own two variables (or three: every density also given c). Several
    readings may fit (p(x|h) alone); the one that integrates over its latent and not over its observation
    wins, then the scope's latents, then the article's X, z, then the names' order. Densities of the latent
    of another letter (q(z), q_λ(z), r(z|X): ``is_variational_key``) are the world's other variational
    densities, each drawn on its own."""
    if not densities:
        return None
    if densities <= MODEL_DENSITIES:  # the article's: its worlds exactly as they always were
        return ModelNames(variables.get("X", ARTICLE_NAMES.observed), variables.get("z", ARTICLE_NAMES.latent))
    names = sorted({v for _, over, given in densities for v in over + given})
    if len(names) not in (2, 3) or not all(name in variables for name in names):
        return None
    fits = []
    for marginals in (False, True):  # the condition's law only where the step integrates it out
        for order in itertools.permutations(names):
            condition = variables[order[2]] if len(order) == 3 else None
            if marginals and condition is None:
                continue
            candidate = ModelNames(variables[order[0]], variables[order[1]], condition, marginals=marginals)
            others = densities - model_densities(candidate)
            if all(is_variational_key(key, candidate) for key in others):
                fits.append(replace(candidate, variational=frozenset(others)))
        if fits:
            break
    if not fits:
        return None

    def preference(names: ModelNames) -> tuple:
        o, l, c = str(names.observed), str(names.latent), names.condition
        said = scope is not None and scope.is_latent(names.latent) and not scope.is_latent(names.observed)
        return (l in integrated, o not in integrated, c is None or str(c) not in integrated, said,
                (o, l) == ("X", "z"), tuple(-ord(ch) for ch in o + "|" + l))

    return max(fits, key=preference)


def _pair_variable(densities: frozenset, variables: dict) -> sp.Symbol | None:
    """The one variable of ``densities`` when each is an unconditioned density of it (p(x), q(x), r(x))."""
    over = {v for _, vs, given in densities for v in vs} if densities else set()
    if len(over) != 1 or any(len(vs) != 1 or given for _, vs, given in densities):
        return None
    (name,) = over
    return variables.get(name)


def shared_needs(needs: Needs) -> Needs:
    """What decides the worlds: any subset of the model's densities gets the same model worlds."""
    if needs.refused:
        return needs
    if needs.model is not None:
        return Needs(model_densities(needs.model), needs.functions, needs.symbols, needs.model)
    if needs.densities and needs.densities <= MODEL_DENSITIES:
        return Needs(frozenset(MODEL_DENSITIES), needs.functions, needs.symbols)
    return needs


_LOCAL_CONSTANTS_LOCK = threading.RLock()
_local_constants_off = 0  # how many of mathcheck's runs are inside ``without_local_constants`` now


def _no_local_constants():
    from hypothesis.internal.conjecture import providers

    return providers.Constants()


def _clear_constants_cache(providers) -> None:
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if hasattr(cache, "clear"):
        cache.clear()


@contextmanager
def without_local_constants():
    """Within the block, hypothesis draws none of the "local constants" (hypothesis ≥ 6.131 draws, now and
    then, a literal from the source of any module it deems local: mathcheck itself, or a user's module
    that check-code imports), so that the worlds a seed draws depend on the seed and the hypothesis
    version alone, not on unrelated literals. Hypothesis has no setting for this: the block swaps its
    ``providers._get_local_constants`` for one returning no constants (and empties the cache of permitted
    constants on entry and exit), reference-counted under a lock and restored when the last block ends.
    A hypothesis without that function is left alone. While the block runs, hypothesis tests in other
    threads draw no local constants either."""
    global _local_constants_off
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a hypothesis without the module draws no local constants
        yield
        return
    if not callable(getattr(providers, "_get_local_constants", None)) or not hasattr(providers, "Constants"):
        yield
        return
    with _LOCAL_CONSTANTS_LOCK:
        if _local_constants_off == 0:
            _without_local_constants_saved.append(providers._get_local_constants)
            providers._get_local_constants = _no_local_constants
            _clear_constants_cache(providers)
        _local_constants_off += 1
    try:
        yield
    finally:
        with _LOCAL_CONSTANTS_LOCK:
            _local_constants_off -= 1
            if _local_constants_off == 0:
                providers._get_local_constants = _without_local_constants_saved.pop()
                _clear_constants_cache(providers)


_without_local_constants_saved: list = []


@contextmanager
def hypothesis_run():
    """Around each of mathcheck's own hypothesis runs: its draws a function of the seed and the engine alone
    (``without_local_constants``) and its files in the user's cache, never in the working directory
    (``mathcheck.storage.hypothesis_files_in_cache``)."""
    from mathcheck.storage import hypothesis_files_in_cache

    with hypothesis_files_in_cache(), without_local_constants():
        yield


@lru_cache(maxsize=64)
def sample_worlds(needs: Needs, seed: int, examples: int) -> tuple[World, ...]:
    """``examples`` worlds drawn by hypothesis for ``needs``, shared by every chain with the same needs
    (so also their quadrature grids and density values)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    drawn: list[World] = []

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, print_blob=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, phases=(Phase.generate,))
    @hypothesis_seed(seed)
    @given(world_strategy(shared_needs(needs)))
    def collect(world: World) -> None:
        drawn.append(world)

    with hypothesis_run():
        collect()
    return tuple(drawn)


@lru_cache(maxsize=64)
def plain_worlds(needs: Needs, seed: int, examples: int) -> tuple[World, ...]:
    """``examples`` worlds for ``needs`` from the same families as ``world_strategy``, each choice made by a
    ``random.Random`` seeded with ``seed`` (no hypothesis: the same worlds in every run); raises
    :class:`Unsupported` if no family can evaluate ``needs``."""
    needs = shared_needs(needs)
    families = world_families(needs)
    draw = RandomDraw(random.Random(f"mathcheck plain worlds {seed}"))
    return tuple(drawn_world(draw, families, needs.functions, needs.symbols) for _ in range(examples))


@dataclass(frozen=True)
class DrawnWorlds:
    """``count`` worlds for ``needs``, drawn when first asked for, once: by hypothesis (``hypothesis()``:
    ``sample_worlds``, the worlds hypothesis samples, searches and shrinks from) or by a seeded
    random.Random (``plain()``: ``plain_worlds``, the cross-check of a proved step, without hypothesis)."""

    needs: Needs
    seed: int
    count: int

    @classmethod
    def of(cls, needs: Needs, seed: int, count: int) -> "DrawnWorlds":
        """The worlds of ``needs``; raises :class:`Unsupported` at once if no world family can evaluate them."""
        world_families(shared_needs(needs))
        return cls(needs, seed, count)

    def hypothesis(self) -> tuple[World, ...]:
        return sample_worlds(self.needs, self.seed, self.count)

    def plain(self) -> tuple[World, ...]:
        return plain_worlds(self.needs, self.seed, self.count)


def world_strategy(needs: Needs):
    """The hypothesis strategy of worlds that can evaluate everything ``needs`` lists; raises
    :class:`Unsupported` if none can."""
    return world_family_strategy(drawn_world, world_families(needs), needs.functions, needs.symbols)


def world_families(needs: Needs) -> tuple[tuple[Callable, tuple], ...]:
    """(family, its arguments) of each world family that can evaluate everything ``needs`` lists (a family
    makes a world of ``family(draw, *arguments)``); raises :class:`Unsupported` if none can."""
    if needs.refused:
        raise Unsupported("no model world follows the densities the document declares (only a declared prior "
                          "N(m, s²) and likelihood N(a z + b, s²) with numbers a, b, m, s are ones a world can take)")
    linear, mixture = drawn_linear_gaussian_world, drawn_mixture_bernoulli_world
    if needs.model is not None and needs.densities <= model_densities(needs.model):
        names = needs.model
        families = [(mixture, (names,))] if needs.functions & BERNOULLI_FUNCTIONS else [
            (linear, (names,)), (mixture, (names,))]
        if names.marginals or names.declares():  # the condition's law, a declared density: the linear-Gaussian world's
            if needs.functions & BERNOULLI_FUNCTIONS:
                raise Unsupported("the Bernoulli pixels' world has no declared prior or law of a condition")
            families = [(linear, (names,))]
    elif needs.densities and needs.densities <= MODEL_DENSITIES:
        families = [(mixture, (None,))] if needs.functions & BERNOULLI_FUNCTIONS else [
            (linear, (None,)), (mixture, (None,))]
    elif needs.densities and needs.densities <= PAIR_DENSITIES:
        families = [(drawn_pair_world, (tuple(sorted(f for f, _, _ in needs.densities)),))]
    elif needs.densities and needs.variable is not None:
        families = [(drawn_pair_world, (tuple(sorted(f for f, _, _ in needs.densities)), needs.variable))]
    elif needs.densities:
        shown = sorted(f"{f}({','.join(v)}{'|' + ','.join(g) if g else ''})" for f, v, g in needs.densities)
        raise Unsupported(f"no world family gives the densities {', '.join(shown)}")
    else:
        families = [(_parameters_world, ())]
    return tuple(families)


def _parameters_world(draw) -> World:
    return World("parameters", {})


def drawn_world(draw, families: tuple, functions: frozenset, symbols: frozenset) -> World:
    """A world of one of ``families`` (``world_families``) with its abstract functions chosen and its missing
    symbols drawn, every choice made by ``draw``."""
    family, arguments = families[0] if len(families) == 1 else draw.choice(families)
    world = family(draw, *arguments)
    if functions:
        world = with_drawn_functions(draw, world, functions)
    missing = sorted((s for s in symbols if s not in world.symbols), key=str)
    return _extend(world, {s: drawn_symbol_value(draw, s) for s in missing}) if missing else world


def _extend(world: World, values: dict) -> World:
    return _replaced(world, symbols={**world.symbols, **values}, free=world.free | frozenset(values))


def with_symbols(world: World, values: dict, probe: str | None = None) -> World:
    """``world`` with the given symbols set (a new world: its evaluations are not those of the old one)."""
    extended = _extend(world, values)
    if probe is not None:
        extended.probe = probe
    return extended


CONDITION_LAW = ("k", "g", "mc", "sc")  # the linear-Gaussian world's law of its condition c (``law``)
FAMILY_SCALES = {"s0", "s", "q_std", "p_std", "std1", "std2", "sc"}  # family parameters that are scales (searched as logs)
FAMILY_WEIGHTS = {"weight"}  # family parameters in (0, 1)


def family_parameters(world: World) -> dict[str, float]:
    """The continuous parameters ``with_family`` can rebuild ``world`` from (q and p taken as normals with
    their own mean and standard deviation; a density tied to another, or q tied to the prior or the
    posterior, has none: it follows them); empty for the worlds the search does not vary."""
    if not world.spec:
        return {}
    _, parameters, densities = world.spec
    moments = {f"{name}_{which}": _moment(density, which) for name, density in densities.items()
               if not isinstance(density, str) for which in ("mean", "std")}
    names = parameters.get("names")  # the parameters of the document's prior and likelihood are not searched
    declared = {name for law, fields in ((getattr(names, "prior_law", None), ("m0", "s0")),
                                         (getattr(names, "likelihood_law", None), ("a", "b", "s")))
                for name, value in zip(fields, law or ()) if value is not None}
    return {**{k: v for k, v in parameters.items() if isinstance(v, float) and k not in declared}, **moments}


def is_scale(name: str) -> bool:
    return name in FAMILY_SCALES


def is_weight(name: str) -> bool:
    return name in FAMILY_WEIGHTS


# how far the search moves a family parameter: |value| ≤ the bound (scales within 1/bound .. bound, weights
# within 1/bound .. 1 − 1/bound); the mixture's own parameters stay within 1e-4 .. 1e4, where the quadrature
# of its evidence and posterior still resolves them (its sigmoids steepen, its components narrow, with them)
FAMILY_RANGE = 1e8
MIXTURE_RANGES = {"mean": 1e4, "std": 1e4, "slope": 1e4, "offset": 1e4, "weight": 1e6}


def family_range(name: str) -> float:
    return next((bound for prefix, bound in MIXTURE_RANGES.items() if name.rstrip("0123456789") == prefix),
                FAMILY_RANGE)


def untied(world: World) -> World | None:
    """``world`` with its ties released (q a normal with the moments of the posterior or prior it equals; a
    density equal to another, a copy of it), so that the search varies them apart; None without ties."""
    if not world.spec or not any(isinstance(d, str) for d in world.spec[2].values()):
        return None
    family, parameters, densities = world.spec
    released = {}
    for name, density in densities.items():
        if not isinstance(density, str):
            released[name] = density
        elif density in densities:  # p = q
            released[name] = densities[density]
        else:
            names = parameters.get("names") or ARTICLE_NAMES
            tied = world.densities[names.keys()["posterior" if density == "posterior" else "prior"]]
            released[name] = _normal_like(tied, world, names.latent)
    loose = _replaced(world, spec=(family, parameters, released), probe="")
    return with_family(loose, {})


def _normal_like(log_density, world: World, latent: sp.Symbol | None = None) -> LawDensity:
    """The normal with the mean and standard deviation of a model world's density of z (by quadrature)."""
    grid = np.linspace(*np.percentile(world.breakpoints[latent or ARTICLE_NAMES.latent], [0, 100]), 4001)
    weights = np.exp(log_density(lambda symbol: grid) - np.max(log_density(lambda symbol: grid)))
    mean = float(np.sum(weights * grid) / np.sum(weights))
    std = float(np.sqrt(np.sum(weights * (grid - mean) ** 2) / np.sum(weights)))
    return normal_density(mean, std if std > 0 else 1.0)


def _density_or_tie(parameters: dict, densities: dict, name: str):
    """The density ``name`` as a normal with its (searched) moments, or the tie it follows (a string)."""
    if f"{name}_mean" in parameters:
        return normal_density(parameters[f"{name}_mean"], parameters[f"{name}_std"])
    return densities[name]


def with_family(world: World, values: dict[str, float], probe: str = "") -> World:
    """``world`` rebuilt with the family parameters ``values`` (the others as they were), keeping its
    functions, its free symbols and its ties (q = the posterior, p = q)."""
    family, fixed, densities = world.spec
    parameters = {**fixed, **family_parameters(world), **values}
    if family == "linear-gaussian":
        rebuilt = linear_gaussian_world(*(parameters[k] for k in ("m0", "s0", "a", "b", "s", "x_obs")),
                                        q=_density_or_tie(parameters, densities, "q"), names=parameters.get("names"),
                                        extras=dict(parameters.get("extras", ())),
                                        law={k: parameters[k] for k in CONDITION_LAW} if "k" in parameters else None)
    elif family == "mixture-bernoulli":
        pixels = range(1, len(parameters["bits"]) + 1)
        rebuilt = mixture_bernoulli_world(parameters["weight"], (parameters["mean1"], parameters["mean2"]),
                                          (parameters["std1"], parameters["std2"]), parameters["bits"],
                                          [parameters[f"slope{k}"] for k in pixels],
                                          [parameters[f"offset{k}"] for k in pixels],
                                          q=_density_or_tie(parameters, densities, "q"), names=parameters.get("names"),
                                          extras=dict(parameters.get("extras", ())))
    elif family == "densities-of-x":
        chosen = {f: _density_or_tie(parameters, densities, f) for f in sorted(densities)}
        rebuilt = pair_world({f: chosen[d] if isinstance(d, str) else d for f, d in chosen.items()},
                             variable=fixed.get("variable"))
        rebuilt.spec = ("densities-of-x", rebuilt.spec[1], {f: d if isinstance(d, str) else chosen[f]
                                                             for f, d in chosen.items()})
    else:
        raise ValueError(f"the {family} family has no parameters to rebuild from")
    params = {**{k: v for k, v in world.params.items() if k not in rebuilt.params}, **rebuilt.params}
    free = {s: world.symbols[s] for s in world.free if s in world.symbols}
    return _replaced(rebuilt, params=params, functions={**world.functions, **rebuilt.functions},
                     symbols={**rebuilt.symbols, **free}, free=world.free, probe=probe or world.probe)


# the boundary worlds' model: moderate parameters, fixed so that the cases below are the only novelty
CANONICAL_LINEAR_GAUSSIAN = dict(m0=0.4, s0=1.3, a=1.7, b=-0.3, s=0.6, x_obs=1.1)
CANONICAL_CONDITION = 0.7  # the value of a condition c in the boundary worlds
CANONICAL_CONDITION_LAW = dict(k=0.8, g=-1.1, mc=0.2, sc=0.9)
CANONICAL_MIXTURE = dict(weight=0.4, means=(-1.2, 1.5), scales=(0.7, 0.9), bits=(1, 0, 1), slopes=(1.5, -0.8, 2.2),
                         offsets=(0.3, -0.5, 0.1))


def _boundary_bases(needs: Needs) -> list[World]:
    """The family worlds in which an inequality between densities becomes an equality."""
    model = needs.model if needs.model is not None and needs.densities <= model_densities(needs.model) else (
        ARTICLE_NAMES if needs.densities and needs.densities <= MODEL_DENSITIES else None)
    if needs.refused:
        return []
    if model is not None:
        names = replace(model, condition_value=CANONICAL_CONDITION)
        given = "" if names.condition is None else f",{names.condition}"
        exact = f"q = the exact posterior p({names.latent}|{names.observed}{given})"
        prior = f"q = the prior p({names.latent}{'|' + str(names.condition) if names.condition is not None else ''})"
        law = CANONICAL_CONDITION_LAW if names.marginals else None
        worlds = [] if needs.functions & BERNOULLI_FUNCTIONS else [
            linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="posterior", probe=exact, names=names, law=law),
            linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="prior", probe=prior, names=names, law=law)]
        if names.marginals or names.declares():
            return [] if needs.functions & BERNOULLI_FUNCTIONS else worlds
        return worlds + [
            mixture_bernoulli_world(**CANONICAL_MIXTURE, q="posterior", probe=exact, names=names),
            mixture_bernoulli_world(**CANONICAL_MIXTURE, q="prior", probe=prior, names=names)]
    if needs.densities and (needs.densities <= PAIR_DENSITIES or needs.variable is not None):
        families = sorted(f for f, _, _ in needs.densities)
        same = [normal_density(0.3, 1.2), MixtureDensity((0.3, 0.7), (Law("norm", (-1.0, 0.5)),
                                                                       Law("norm", (1.5, 0.8))),
                                                         "0.3·normal(-1, 0.5) + 0.7·normal(1.5, 0.8)")]
        probe = " = ".join(families) if len(families) > 1 else "a standard case"
        variable = None if needs.densities <= PAIR_DENSITIES else needs.variable
        worlds = [pair_world({family: density for family in families}, probe, variable) for density in same]
        for world in worlds:  # the search varies the first density; the others stay equal to it
            world.spec = ("densities-of-x", world.spec[1], {f: (d if f == families[0] else families[0])
                                                             for f, d in world.spec[2].items()})
        return worlds
    if needs.densities:
        return []
    return [World("parameters", {}, probe="edge values")]


def boundary_worlds(needs: Needs, light: bool = False) -> tuple[World, ...]:
    """Worlds at the boundary cases of ``needs`` (see the module docstring), in a fixed order. The first
    family world carries every edge assignment of the free symbols, the others their centre only;
    ``light``: only the edges that floating-point quadrature can use. The same worlds (the same objects,
    with the sides evaluated in them) for every ``needs`` with the same ``shared_needs``."""
    return _shared_boundary_worlds(shared_needs(needs), light)


def _shared_boundary_worlds(needs: Needs, light: bool) -> tuple[World, ...]:
    return _boundary_layout(needs, light)[0]


@lru_cache(maxsize=128)
def _boundary_layout(needs: Needs, light: bool) -> tuple[tuple[World, ...], int, int]:
    """The boundary worlds, how many of them open with the edges of all free symbols together (the first
    family world at its k-th edges: every edge value of every free symbol), and how many the first family
    world has (those, then each symbol alone at each of its edges)."""
    bases, far = _boundary_bases(needs), []
    if needs.functions:
        far = [world for base in bases[:1] for world in with_far_functions(base, needs.functions)]
        bases = [with_degenerate_functions(base, needs.functions) for base in bases] + far
    worlds, together, first = [], 0, 0
    for position, base in enumerate(bases):
        free = sorted((s for s in needs.symbols if s not in base.symbols), key=str)
        try:
            assignments = edge_assignments(free, light)
        except Unsupported:
            return (), 0, 0
        shown = FAR_EDGES if position >= len(bases) - len(far) else 1  # a steep line: at t = ±1 too
        if position == 0:
            together = max((len(edge_values(s, light)) for s in free), default=1)
            first = len(assignments)
        for values in (assignments if position == 0 else assignments[:shown]):
            worlds.append(_extend(base, values) if values else base)
    return tuple(worlds), together, first


CROSS_CHECK_ALONE = 12  # worlds with one symbol alone at an edge that cross-check a symbolic proof


def cross_check_worlds(needs: Needs, light: bool = False, alone: int = CROSS_CHECK_ALONE) -> tuple[World, ...]:
    """The boundary worlds that cross-check a step the symbolic checker proved (a guard against a bug of the
    engine, not the verdict): a fixed, well-spread subset of ``boundary_worlds``, the same objects. Kept
    always: the worlds with all free symbols at their k-th edges together (every edge value of every free
    symbol, the all-centre world first) and every other family world (q = the posterior, q = the prior, far
    functions ...); of the worlds with one symbol alone at one of its edges, ``alone`` taken at a fixed
    stride from those with the others at moderate values (generic: no symbol at 0 masks a sign)."""
    return _spread_boundary_worlds(shared_needs(needs), light, alone)


@lru_cache(maxsize=128)
def _spread_boundary_worlds(needs: Needs, light: bool, alone: int) -> tuple[World, ...]:
    worlds, together, first = _boundary_layout(needs, light)
    if first - together <= alone:
        return worlds
    generic = worlds[together + (first - together) // 2:first]  # the later half: the others at moderate values
    spread = tuple(generic[(index * len(generic)) // alone] for index in range(min(alone, len(generic))))
    return worlds[:together] + spread + worlds[first:]


# ---------------------------------------------------------------- evaluation


_FUNCTIONS = {sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tanh: np.tanh,
              sp.Abs: np.abs, sp.sqrt: np.sqrt, sp.erf: special.erf, sp.erfc: special.erfc}


@lru_cache(maxsize=8192)
def _is_density_power(expr) -> bool:
    """A product of powers of densities: positive, so best multiplied in the log domain."""
    if isinstance(expr, sp.Pow):
        return _is_density_power(expr.base)
    if isinstance(expr, sp.Mul):
        return all(_is_density_power(a) for a in expr.args)
    return isinstance(expr, (Density, Normal))


def sorted_unique(values) -> np.ndarray:
    """``np.unique(values)``: the distinct values, sorted. Asked for the indices too, numpy sorts them in place of
    its hash table, and so does not import numpy.ma to ask whether the array is masked (a sixtieth of a second
    of an audit whose steps all prove): the same values."""
    return np.unique(values, return_index=True)[0]


@lru_cache(maxsize=8)
def _legendre(order: int):
    return np.polynomial.legendre.leggauss(order)


@lru_cache(maxsize=1)
def _factors() -> np.ndarray:
    """The rounding pass's factors: 2^20 draws of 1 ± ``JITTER`` (made, and numpy.random imported, when a
    first pass needs them)."""
    return 1 + np.random.default_rng(20240611).uniform(-JITTER, JITTER, 1 << 20)


@dataclass
class Evaluator:
    world: World
    order: int = 20
    split: int = 1  # each quadrature panel cut into this many (the refined evaluation)
    jitter: float = 0.0  # relative size of the perturbation of every intermediate result (rounding estimate)
    error: float = 0.0  # accumulated |fine − coarse| (+ the nodes' rounding) over the integrals evaluated
    positional: float = 0.0  # the nodes' rounding in the integral being evaluated
    tracking: bool = False  # whether to estimate it (the fine order's pass only)
    # one world's expressions share quadrature grids, so each density is evaluated once per grid
    grids: dict = field(default_factory=dict, repr=False)
    grid_ids: set = field(default_factory=set, repr=False)  # held grids: their ids are never reused
    log_densities: dict = field(default_factory=dict, repr=False)
    rng: Any = field(default=None, repr=False)

    def __call__(self, expr: sp.Expr, env: dict | None = None):
        return self.value(sp.sympify(expr), env or {})

    def perturbed(self, seed: int = 20240611) -> "Evaluator":
        """The same evaluation with every intermediate result perturbed by ±``JITTER`` relative (and every
        integral and derivative by its own error estimate): how far that moves the value estimates its
        floating-point error, and the quadrature error as the expression propagates it. Shares the grids
        and density values."""
        return PerturbedEvaluator(self.world, self.order, self.split, JITTER, grids=self.grids,
                                  grid_ids=self.grid_ids, log_densities=self.log_densities,
                                  rng=np.random.default_rng(seed))

    def refined(self) -> "Evaluator":
        """Twice the order on panels cut in two: the check of a near-tie or a violation."""
        return Evaluator(self.world, order=2 * self.order, split=2)

    def perturb(self, result):
        """``result`` times 1 ± ``jitter`` (factors taken in turn from a fixed random buffer: cheap)."""
        values = np.asarray(result, dtype=float)
        size = values.size
        factors = _factors()
        if size > factors.size // 2:
            factors = 1 + self.rng.uniform(-self.jitter, self.jitter, values.shape)
        else:
            start = self.rng.integers(0, factors.size - size)
            factors = factors[start:start + size].reshape(values.shape)
        perturbed = values * factors
        return perturbed if values.ndim else float(perturbed)

    def placement(self, expr, env) -> float:
        """A value that places quadrature panels: never perturbed, so both passes share the grids."""
        return self.value(expr, env)

    def value(self, expr, env):
        if isinstance(expr, (Density, Normal)):
            return np.exp(self.log_value(expr, env))
        if isinstance(expr, (Defined, Expectation, KL)):
            return self.value(_node_unfolded(expr), env)
        if isinstance(expr, sp.Integral):
            return self.integral(expr, env)
        if isinstance(expr, sp.Symbol):
            return self.symbol(expr, env)
        if expr.is_Number or expr is sp.pi or expr is sp.E:  # the constants are singletons
            return float(expr)
        if isinstance(expr, sp.Add):
            return sum(self.value(a, env) for a in expr.args)
        if isinstance(expr, sp.Mul):
            positive = [a for a in expr.args if _is_density_power(a)]
            weight = np.exp(sum(self.log_value(a, env) for a in positive)) if positive else 1.0
            rest = 1.0
            for a in expr.args:
                if not _is_density_power(a):
                    rest = rest * self.value(a, env)
            # a density that underflows to 0 in the far tail wins over a factor that overflows there
            return np.where((np.asarray(weight) == 0) & np.isinf(rest), 0.0, weight * rest) if positive else rest
        if isinstance(expr, sp.Pow):
            return np.power(np.asarray(self.value(expr.base, env), dtype=float), self.value(expr.exp, env))
        if isinstance(expr, sp.log):
            return self.log_value(expr.args[0], env)
        if expr.func in _FUNCTIONS:
            return _FUNCTIONS[expr.func](self.value(expr.args[0], env))
        if isinstance(expr, sp.Sum):
            return self.sum(expr, env)
        if isinstance(expr, sp.Derivative):
            return self.derivative(expr, env)
        if isinstance(expr, sp.Subs):
            inner = {**env, **{v: self.value(p, env) for v, p in zip(expr.variables, expr.point)}}
            return self.value(expr.expr, inner)
        if isinstance(expr, (sp.core.function.AppliedUndef, Concave, Convex)):
            name = expr.func.__name__
            if name not in self.world.functions:
                raise Unsupported(f"the world has no function {name}")
            return self.world.functions[name](*[self.value(a, env) for a in expr.args])
        raise Unsupported(f"cannot evaluate {type(expr).__name__}: {expr}")

    def log_value(self, expr, env):
        """log(expr), computed in the log domain for products and powers of densities."""
        if isinstance(expr, (Density, Normal)):
            return self.log_density(expr, env)
        if isinstance(expr, sp.Mul) and any(_is_density_power(a) for a in expr.args):
            return sum(self.log_value(a, env) for a in expr.args)
        if isinstance(expr, sp.Pow) and _is_density_power(expr):
            return self.value(expr.exp, env) * self.log_value(expr.base, env)
        if isinstance(expr, sp.Integral) and _is_density_power(expr.function):
            return self.log_integral(expr, env)
        logged = self.log_of_world_function(expr, env)
        return logged if logged is not None else np.log(self.value(expr, env))

    def log_of_world_function(self, expr, env):
        """log f(...) or log(1 − f(...)) where the world gives them in the log domain, else None."""
        complement = False
        if isinstance(expr, sp.Add) and len(expr.args) == 2 and sp.S.One in expr.args:
            other = expr.args[1] if expr.args[0] == 1 else expr.args[0]
            negated = -other
            if isinstance(negated, sp.core.function.AppliedUndef):
                expr, complement = negated, True
        if isinstance(expr, sp.core.function.AppliedUndef) and expr.func.__name__ in self.world.log_functions:
            log_f, log_one_minus_f = self.world.log_functions[expr.func.__name__]
            args = [self.value(a, env) for a in expr.args]
            return (log_one_minus_f if complement else log_f)(*args)
        return None

    def symbol(self, symbol, env):
        if symbol in env:
            return env[symbol]
        if isinstance(symbol, sp.Dummy):
            raise Unsupported(f"unbound variable {symbol}")
        if symbol in self.world.symbols:
            return self.world.symbols[symbol]
        raise Unsupported(f"the world gives no value for {symbol}")

    def log_density(self, density, env):
        if self.world.density_errors and isinstance(density, Density):  # a log-density computed numerically
            self.error += abs(self.world.density_errors.get(_key(density), 0.0))
        if any(isinstance(v, np.ndarray) and id(v) not in self.grid_ids for v in env.values()):
            return self._log_density(density, env)  # a temporary array: its id may be reused, do not cache
        key = (density, tuple((s, id(v) if isinstance(v, np.ndarray) else v) for s, v in env.items()))
        if key not in self.log_densities:
            self.log_densities[key] = self._log_density(density, env)
        return self.log_densities[key]

    def _log_density(self, density, env):
        if isinstance(density, Normal):
            v, m, s = (self.value(a, env) for a in density.args)
            return normal_logpdf(v, m, s)
        key = _key(density)
        if key not in self.world.densities:
            raise Unsupported(f"the world has no density {density}")
        return self.world.densities[key](lambda symbol: self.symbol(symbol, env))

    def derivative(self, expr: sp.Derivative, env):
        """Central differences at h, 2h, 4h with Richardson extrapolation; the two extrapolations'
        difference estimates the error of the value returned, and so does its difference from the same
        extrapolation at a step 8 times smaller (a step far beyond the scale the function varies on, such as
        h = 2400 at μ = 2.4e6 for sin(μ), agrees with itself at h, 2h, 4h but not at h/8). For a variable
        declared positive or nonnegative the stencil stays inside (0, ∞): h ≤ at/8."""
        (variable, count), = expr.variable_count
        if count != 1:
            raise Unsupported(f"only first derivatives are evaluated numerically: {expr}")
        if variable in self.world.fixed:  # its densities are those at one value of it: they would not move
            raise Unsupported(f"the {self.world.family} world holds {variable} at one value: it cannot "
                              f"differentiate in {variable}")
        at = self.symbol(variable, env)
        h = 1e-3 * (1 + np.abs(at))
        if variable.is_positive or variable.is_nonnegative:
            h = np.where(np.asarray(at) > 0, np.minimum(h, np.abs(at) / 8), h)

        def central(step):
            up = self.value(expr.expr, {**env, variable: at + step})
            down = self.value(expr.expr, {**env, variable: at - step})
            return (up - down) / (2 * step)

        d1, d2, d4 = central(h), central(2 * h), central(4 * h)
        fine, coarse = (4 * d1 - d2) / 3, (4 * d2 - d4) / 3
        small = (4 * central(h / 8) - central(h / 4)) / 3
        with np.errstate(invalid="ignore"):
            self.error += float(np.max(np.abs(fine - coarse))) / 15 + float(np.max(np.abs(fine - small)))
        return fine

    def sum(self, expr: sp.Sum, env):
        *inner, (index, low, high) = expr.limits  # Σ_j Σ_i f is one Sum: the limits of i, then those of j
        body = sp.Sum(expr.function, *inner) if inner else expr.function
        low, high = self.placement(low, env), self.placement(high, env)
        if not (np.isfinite(low) and np.isfinite(high)):
            raise Unsupported(f"a sum with infinite bounds: {expr}")
        low, high = int(low), int(high)
        if high - low >= MAX_SUM_TERMS:
            raise FloatRange(f"a sum of {high - low + 1} terms: {expr}")
        return sum(self.value(body, {**env, index: i}) for i in range(low, high + 1))

    def integral(self, expr: sp.Integral, env):
        """The integral at two orders (all variables at once); their difference is its error estimate."""
        _require_real_line(expr)
        variables = list(integral_variables(expr))
        panels = self.panels(expr.function, variables[-1], env)  # the outermost variable's: the same at both orders
        outer = self.positional, self.tracking  # an integral inside another's integrand has its own estimate
        self.positional, self.tracking = 0.0, True
        try:
            fine = self.integrate(expr.function, variables, env, self.order, panels)
        finally:
            positional = self.positional
            self.positional, self.tracking = outer
        coarse = self.integrate(expr.function, variables, env, self.order // 2 + 2, panels)
        self.error += float(np.max(np.abs(fine - coarse))) + positional
        return fine

    def log_integral(self, expr: sp.Integral, env):
        """log ∫ (a product of densities), summed in the log domain: finite where the integral underflows.
        The two orders' difference is the error of the log (the integral's relative error)."""
        _require_real_line(expr)
        variables = list(integral_variables(expr))
        panels = self.panels(expr.function, variables[-1], env)  # the outermost variable's: the same at both orders
        fine = self.log_integrate(expr.function, variables, env, self.order, panels)
        coarse = self.log_integrate(expr.function, variables, env, self.order // 2 + 2, panels)
        with np.errstate(invalid="ignore"):
            difference = np.abs(fine - coarse)
        self.error += float(np.max(np.where(np.isnan(difference), 0.0, difference)))
        return fine

    def log_integrate(self, body, variables: list, env, order: int, panels: tuple | None = None):
        """log ∫ body d(variables) at ``order`` (``panels``: the outermost variable's, if known already)."""
        variable, inner = variables[-1], variables[:-1]
        edges, by_density = panels or self.panels(body, variable, env)
        grid, weights = self.grid(variable, env, edges, order)
        logs = (self.log_integrate(body, inner, {**env, variable: grid}, order) if inner else
                self.log_value(body, {**env, variable: grid}))
        logs = np.broadcast_to(np.asarray(logs, dtype=float), np.broadcast_shapes(np.shape(logs), grid.shape))
        total = log_weighted_sum(logs, weights.reshape(weights.shape + (1,) * (logs.ndim - 1)), axis=0)
        edge = logs[[0, -1]] + math.log(edges[-1] - edges[0])
        if np.any(edge > math.log(1e-6) + total):
            raise Divergent(f"the integrand of ∫ ... d{variable} does not vanish outside the mass of its densities: "
                            "the integral may diverge")
        return total

    def grid(self, variable, env, edges: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
        """The Gauss–Legendre nodes on the panels between ``edges`` (shaped to broadcast against the
        grids already in ``env``) and their weights; one array per panel layout, shared by every integrand."""
        nodes, weights = _legendre(order)
        left, right = edges[:-1], edges[1:]
        half = (right - left) / 2
        depth = max((np.ndim(v) for v in env.values()), default=0)
        key = (variable, edges.tobytes(), order, depth)
        if key not in self.grids:
            grid = (np.outer(half, nodes) + ((left + right) / 2)[:, None]).ravel()
            self.grids[key] = grid.reshape(grid.shape + (1,) * depth)
            self.grid_ids.add(id(self.grids[key]))
        return self.grids[key], np.outer(half, weights).ravel()

    def integrate(self, body, variables: list, env, order: int, panels: tuple | None = None):
        """∫ body d(variables): the last variable outermost, each on its own panels (``panels``: the outermost
        variable's, if known already: they do not depend on the order; an inner variable's depend on the grid of
        the outer ones, which does)."""
        variable, inner = variables[-1], variables[:-1]
        integrand = (lambda grid_env: self.integrate(body, inner, grid_env, order)) if inner else (
            lambda grid_env: self.value(body, grid_env))
        edges, by_density = panels or self.panels(body, variable, env)
        return self.gauss_legendre(integrand, variable, env, edges, order, by_density)

    def panels(self, body, variable, env) -> tuple[np.ndarray, bool]:
        """The panel edges for ∫ body d(variable), and whether a density placed them (otherwise only the
        features of the integrand did: then a tail that does not vanish is not evidence of divergence)."""
        if variable in self.world.fixed:  # its densities are those at one value of it (the observed X)
            raise Unsupported(f"the {self.world.family} world holds {variable} at one value: it cannot integrate "
                              f"over {variable}")
        points = [self.world.breakpoints.get(variable, np.empty(0))]
        for normal in _placing_normals(body, variable):
            m, s = float(self.placement(normal.mean, env)), float(self.placement(normal.std, env))
            points.append(_resolved(m, s, variable) + s * _OFFSETS)
        by_density = sum(p.size for p in points) > 0
        points.extend(self.feature_points(body, variable, env))
        points = sorted_unique(np.concatenate(points))
        if points.size < 2:
            raise Unsupported(f"no density of {variable} to place the quadrature: ∫ d{variable} over the real line")
        if not np.all(np.isfinite(points)):
            raise FloatRange(f"the quadrature panels of ∫ d{variable} overflow floating point")
        if self.split > 1:
            cuts = np.linspace(0, 1, self.split + 1)[1:-1]
            points = sorted_unique(np.concatenate([points, (points[:-1, None] + np.outer(np.diff(points), cuts)).ravel()]))
        return points, by_density

    def feature_points(self, body, variable, env) -> list[np.ndarray]:
        """Panel edges at the features of the integrand's non-density factors (see ``integrand_features``)."""
        found = []
        for kind, coefficients in integrand_features(body, variable):
            try:
                values = np.array([self.placement(c, env) for c in coefficients], dtype=float)
            except (Unsupported, TypeError, ValueError):
                continue
            if values.ndim == 1 and np.all(np.isfinite(values)):
                found.extend(feature_breakpoints(kind, values, variable))
        return found

    def gauss_legendre(self, integrand, variable, env, edges, order, by_density: bool = True):
        grid, scaled_weights = self.grid(variable, env, edges, order)
        values = np.asarray(integrand({**env, variable: grid}), dtype=float)
        values = np.broadcast_to(values, np.broadcast_shapes(values.shape, grid.shape))
        total = np.tensordot(scaled_weights, values, axes=(0, 0))
        if values.ndim == 1 and self.tracking:
            self.positional += _positional_error(values, (edges[1:] - edges[:-1]) / 2, order, scaled_weights, grid)
        edge = np.abs(values[[0, -1]]) * (edges[-1] - edges[0])
        if np.any(edge > 1e-6 * (1 + np.abs(total))):
            if not by_density:
                raise Unsupported(f"∫ ... d{variable} has no density and its integrand does not vanish where the "
                                  "panels around its features end: heavy tails are not integrated numerically")
            raise Divergent(f"the integrand of ∫ ... d{variable} does not vanish outside the mass of its densities: "
                            "the integral may diverge")
        return total


class PerturbedEvaluator(Evaluator):
    """The rounding pass: every intermediate result (and every log, which its exponential amplifies)
    times 1 ± ``jitter``; the values that place panels are not perturbed, so the grids are shared."""

    def value(self, expr, env):
        result = super().value(expr, env)
        return result if (expr.is_Symbol or expr.is_Integer) else self.perturb(result)

    def log_value(self, expr, env):
        return self.perturb(super().log_value(expr, env))

    def integral(self, expr, env):
        return self._nudged(super().integral, expr, env)

    def log_integral(self, expr, env):
        return self._nudged(super().log_integral, expr, env)

    def derivative(self, expr, env):
        return self._nudged(super().derivative, expr, env)

    def _nudged(self, method, expr, env):
        """``method``'s result moved by its own error estimate, in a random direction: the pass then shows
        how the expression around it amplifies that error (1/σ² times an integral of size σ², say)."""
        before = self.error
        result = method(expr, env)
        own = self.error - before
        if own > 0:
            result = result + (own if self.rng.random() < 0.5 else -own)
        return result

    def log_density(self, density, env):
        """The log-density, shifted by the world's error estimate of it where the world computed it
        numerically (its evidence): the pass then also shows how far that error moves the value."""
        logged = super().log_density(density, env)
        if not isinstance(density, Density) or not (self.world.density_errors or self.world.log_magnitudes):
            return logged
        key = _key(density)
        shift = self.world.density_errors.get(key, 0.0)
        logged = logged + shift if math.isfinite(shift) else logged + math.nan
        if key in self.world.log_magnitudes:  # its terms' rounding, which the result's own size does not show
            size = np.broadcast_to(self.world.log_magnitudes[key](lambda symbol: self.symbol(symbol, env)),
                                   np.shape(logged))
            logged = logged + (self.perturb(size) - size)
        return logged

    def placement(self, expr, env) -> float:
        plain = self.__dict__.get("_plain")
        if plain is None:
            plain = self.__dict__["_plain"] = Evaluator(self.world, self.order, self.split, grids=self.grids,
                                                        grid_ids=self.grid_ids, log_densities=self.log_densities)
        return plain.value(expr, env)


@lru_cache(maxsize=8)
def _differentiation_matrix(order: int) -> np.ndarray:
    """D with (D f)(x_i) = p'(x_i) for the interpolating polynomial p of f at the Gauss–Legendre nodes."""
    nodes, _ = _legendre(order)
    differences = nodes[:, None] - nodes[None, :]
    np.fill_diagonal(differences, 1.0)
    barycentric = 1 / np.prod(differences, axis=1)
    matrix = (barycentric[None, :] / barycentric[:, None]) / differences
    np.fill_diagonal(matrix, 0.0)
    np.fill_diagonal(matrix, -matrix.sum(axis=1))
    return matrix


def _positional_error(values: np.ndarray, half: np.ndarray, order: int, weights: np.ndarray, grid) -> float:
    """The error from the nodes' own rounding (each is off by up to eps |z|): Σ |w f'(z)| 2 eps |z|, with f'
    from the interpolating polynomial on each panel. It matters for a narrow density far from 0."""
    if not np.all(np.isfinite(values)):
        return 0.0
    slopes = (values.reshape(half.size, order) @ _differentiation_matrix(order).T) / half[:, None]
    return float(np.sum(np.abs(weights * slopes.ravel()) * 2 * EPS * np.abs(np.ravel(grid))))


def _require_real_line(expr: sp.Integral) -> None:
    if not over_real_line(expr):
        raise Unsupported(f"only integrals over the whole real line are evaluated numerically: {expr}")


def integral_bound_variables(expr) -> set:
    return {v for node in expr.atoms(sp.Integral) for v in integral_variables(node)}


@lru_cache(maxsize=4096)
def _placing_normals(body: sp.Expr, variable: sp.Symbol) -> tuple:
    """The Gaussians of ``variable`` in ``body`` whose mean and scale are known outside the integral: they
    say where its mass is (cached: the same integrands recur in every world)."""
    bound = integral_bound_variables(body)
    return tuple(normal for normal in body.atoms(Normal) if normal.variable == variable
                 and not (normal.mean.free_symbols | normal.std.free_symbols) & bound)


def _resolved(mean: float, std: float, variable) -> float:
    """``mean``, if panels of width ~``std`` around it can be told apart in floating point."""
    if not (np.isfinite(mean) and np.isfinite(std)) or std <= 0:
        raise FloatRange(f"a Gaussian of {variable} with mean {mean:.3g} and scale {std:.3g}")
    if std < 1e-9 * abs(mean):
        raise FloatRange(f"a Gaussian of {variable} of scale {std:.3g} at {mean:.3g}: narrower than floating point "
                         "resolves there")
    return mean


FEATURE_OFFSETS = np.array([-30, -10, -5, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 5, 10, 30], dtype=float)


@lru_cache(maxsize=4096)
def integrand_features(body: sp.Expr, variable: sp.Symbol) -> tuple:
    """Where the non-density factors of ``body`` change fast in ``variable``, as (kind, coefficients of a
    polynomial in ``variable``, highest first): ``bump`` for exp(polynomial) (its critical points),
    ``roots`` for the polynomial denominators of rational factors (their complex roots: centre and width)
    and the arguments of |·|, sign, max, min, √ and log (their real roots: kinks). Cached: integrands recur."""
    bound = integral_bound_variables(body)

    def polynomial(expr):
        if not expr.has(variable) or expr.free_symbols & bound or expr.has(Density, Normal, sp.Integral):
            return None
        try:
            poly = sp.Poly(expr, variable)
        except (sp.PolynomialError, sp.GeneratorsNeeded):
            return None
        return tuple(poly.all_coeffs()) if poly.degree() >= 1 else None

    found = []
    for node in sp.preorder_traversal(body):
        candidates = []
        if isinstance(node, sp.exp):
            coefficients = polynomial(node.args[0])
            if coefficients and len(coefficients) >= 3:
                found.append(("bump", coefficients))
            continue
        if isinstance(node, sp.Pow) and node.exp.is_number and not node.exp.is_nonnegative:
            candidates.append(node.base)  # a pole of a rational factor
        elif isinstance(node, sp.Pow) and node.exp.is_number and not node.exp.is_integer:
            candidates.append(node.base)  # √, a fractional power: a kink at its roots
        elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside, sp.log)):
            candidates.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            candidates.extend(a - b for i, a in enumerate(node.args) for b in node.args[i + 1:])
        for candidate in candidates:
            coefficients = polynomial(candidate)
            if coefficients:
                found.append(("roots", coefficients))
    return tuple(dict.fromkeys(found))


def feature_breakpoints(kind: str, coefficients: np.ndarray, variable) -> list[np.ndarray]:
    poly = np.poly1d(coefficients)
    if poly.order < 1:
        return []
    points = []
    if kind == "bump":
        for root in np.roots(poly.deriv().coeffs):
            if abs(root.imag) > 1e-9 * (1 + abs(root.real)):
                continue
            centre = root.real
            width = _local_width(poly, centre)
            if width is not None:
                points.append(_resolved(centre, width, variable) + width * FEATURE_OFFSETS)
        return points
    for root in np.roots(poly.coeffs):
        if not np.isfinite(root):
            continue
        width = abs(root.imag)
        if width > 0:
            points.append(_resolved(root.real, width, variable) + width * FEATURE_OFFSETS)
        else:
            points.append(np.array([root.real]))
    return points


def _local_width(poly: np.poly1d, centre: float) -> float | None:
    """The distance over which exp(poly) changes by a factor e near its critical point ``centre``."""
    for k in range(2, poly.order + 1):
        derivative = poly.deriv(k)(centre)
        if derivative != 0 and np.isfinite(derivative):
            return float((math.factorial(k) / abs(derivative)) ** (1 / k))
    return None


def evaluate(expr: sp.Expr, world: World) -> tuple[float, float]:
    """(value, quadrature error estimate) of ``expr`` in ``world``."""
    evaluator = world.__dict__.setdefault("_evaluator", Evaluator(world))
    return _run(evaluator, expr)


def _run(evaluator: Evaluator, expr: sp.Expr) -> tuple[float, float]:
    """(value, error estimate); ``evaluator.overflowed`` says whether some intermediate result overflowed."""
    evaluator.error = 0.0
    flags: list[str] = []
    with np.errstate(all="ignore", over="call", call=lambda kind, flag: flags.append(kind)):
        try:
            value = float(np.asarray(evaluator(expr)).reshape(()))
        except OverflowError as error:  # Python's float arithmetic (t**3 at t = 1e103) raises where numpy gives inf
            raise FloatRange(f"an intermediate value overflows floating point ({error})") from error
    evaluator.overflowed = bool(flags)
    return value, evaluator.error


def overflowed(world: World, refined: bool = False) -> bool:
    """Whether the last evaluation in ``world`` overflowed floating point somewhere (a NaN it returns is then
    inf − inf or 0 · inf: beyond floating point, not undefined)."""
    evaluator = world.__dict__.get("_refined_evaluator" if refined else "_evaluator")
    return bool(getattr(evaluator, "overflowed", False))


def rounding_estimate(expr: sp.Expr, world: World, reference: float, refined: bool = False) -> float:
    """How far ``expr``'s value ``reference`` moves when every intermediate result is perturbed by
    ±``JITTER`` relative (a floating-point error estimate in the manner of stochastic arithmetic). Run it
    after ``evaluate`` (``evaluate_refined``) of ``expr`` in ``world``: it reuses their grids and densities."""
    base = world.__dict__.get("_refined_evaluator" if refined else "_evaluator")
    if base is None:
        raise ValueError("rounding_estimate: evaluate the expression in this world first")
    moves = []
    for seed in ROUNDING_SEEDS:  # two passes: one pass's perturbations may cancel where errors add up
        moved, _ = _run(base.perturbed(seed), expr)
        if np.isnan(moved) or np.isnan(reference):
            return math.inf
        moves.append(0.0 if moved == reference else abs(moved - reference))
    return max(moves)


ROUNDING_SEEDS = (20240611, 20240612)


def evaluate_refined(expr: sp.Expr, world: World) -> tuple[float, float]:
    """(value, error estimate) at twice the order on panels cut in two: the second look at a near-tie."""
    evaluator = world.__dict__.setdefault("_refined_evaluator", Evaluator(world).refined())
    return _run(evaluator, expr)


# ---------------------------------------------------------------- interval arithmetic


MAX_EXP_ARGUMENT = 1e8  # e^(1e8) has a 43-million-digit exponent: far past any float, still fast to bound
INTERVAL_SECONDS = 2.0  # one enclosure at one precision; past it the world cannot judge the step
INTERVAL_PRECISIONS = (120, 400, 1400, 5000)  # bits: enough for the cancellations of values near 1e±300
_CONDITION_NODES = (ExprCondPair, Relational, sp.And, sp.Or, sp.Not, BooleanAtom)  # the pieces' conditions
_INTERVAL_NODES = (sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.sin, sp.cos, sp.tanh, sp.sinh, sp.cosh, sp.Abs,
                   sp.Max, sp.Min, sp.Heaviside, sp.Piecewise) + _CONDITION_NODES


class Unresolved(Exception):
    """The enclosure at this precision is too wide to say (a log or a root of an interval around 0)."""


@lru_cache(maxsize=4096)
@lru_cache(maxsize=4096)
def _unfolded(expr: sp.Expr) -> sp.Expr:
    """``vocab.unfold(expr)``, once per expression (every world of every step evaluates it again)."""
    return unfold(sp.sympify(expr))


@lru_cache(maxsize=4096)
def _node_unfolded(node: sp.Expr) -> sp.Expr:
    """``node.unfold()`` of an expectation, KL or named quantity, once per node (an Integral built anew
    in each evaluation costs more than the evaluation of a small integrand)."""
    return node.unfold()


@lru_cache(maxsize=4096)
def interval_evaluable(expr: sp.Expr) -> bool:
    """Whether ``expr`` is a function of the parameters alone, built from what ``interval_value`` knows."""
    expr = _unfolded(expr)
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Symbol) or node in (sp.pi, sp.E):
            continue
        if node.is_Number:
            if not node.is_finite:
                return False
            continue
        if not isinstance(node, _INTERVAL_NODES):
            return False
    return True


@contextmanager
def precision(bits: int):
    saved = iv.prec
    iv.prec = bits
    try:
        yield
    finally:
        iv.prec = saved


def bounds(enclosure) -> tuple[mpmath.mpf, mpmath.mpf]:
    low, high = enclosure._mpi_
    return mpmath.mp.make_mpf(low), mpmath.mp.make_mpf(high)  # exact: mpf(low) rounds to the working 53 bits


def interval_value(expr: sp.Expr, world: World, bits: int):
    """A rigorous enclosure (``mpmath.iv``) of ``expr`` at the world's values, at ``bits`` of precision.
    Raises :class:`Unresolved` where a higher precision may decide, :class:`Unsupported` where the value
    is undefined (a NaN: a log or an even root of a negative number)."""
    cache = world.__dict__.setdefault("_intervals", {})
    key = (expr, bits)
    if key not in cache:
        with precision(bits):
            try:
                with time_limit(INTERVAL_SECONDS):
                    cache[key] = _enclose(_unfolded(expr), world)
            except Unresolved as error:
                cache[key] = error
            except SymbolicTimeout:
                cache[key] = Unsupported(f"interval arithmetic at {bits} bits took more than {INTERVAL_SECONDS:g}s")
    found = cache[key]
    if isinstance(found, Exception):
        raise found
    return found


def _enclose(expr, world: World):
    try:
        result = _interval(expr, world)
    except (ZeroDivisionError, ValueError, ArithmeticError) as error:
        raise Unresolved(f"{type(error).__name__}: {error}") from None
    if not isinstance(result, type(iv.mpf(0))):
        imaginary = iv.mpf(result.imag)
        low, high = bounds(imaginary)
        if low > 0 or high < 0:
            raise NotReal(f"NaN in world {world.describe()}: {expr} is not real there")
        raise Unresolved("a complex enclosure around the real line")
    low, high = bounds(result)
    if mpmath.isnan(low) or mpmath.isnan(high) or (mpmath.isinf(low) and mpmath.isinf(high) and low != high):
        raise Unresolved("an unbounded enclosure")
    return result


def _interval(expr, world: World):
    if isinstance(expr, sp.Symbol):
        value = world.symbols.get(expr)
        if value is None:
            raise Unsupported(f"the world gives no value for {expr}")
        if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
            raise Unsupported(f"{expr} is not a number in this world")
        return iv.mpf(int(value)) if isinstance(value, (int, np.integer)) else iv.mpf(float(value))
    if expr.is_Integer:
        return iv.mpf(int(expr))
    if expr.is_Rational:
        return iv.mpf(int(expr.p)) / iv.mpf(int(expr.q))
    if expr.is_Float:
        return iv.mpf(mpmath.mpf(expr._mpf_))
    if expr is sp.pi:
        return iv.pi
    if expr is sp.E:
        return iv.e
    if isinstance(expr, sp.Add):
        total = iv.mpf(0)
        for term in expr.args:
            total = total + _interval(term, world)
        return total
    if isinstance(expr, sp.Mul):
        product = iv.mpf(1)
        for factor in expr.args:
            product = product * _interval(factor, world)
        return product
    if isinstance(expr, sp.Pow):
        return _interval_power(expr, world)
    if isinstance(expr, sp.Piecewise):
        return _interval_piecewise(expr, world)
    inner = [_interval(a, world) for a in expr.args]
    if isinstance(expr, sp.exp):
        return _exp(inner[0])
    if isinstance(expr, sp.log):
        low, high = bounds(inner[0])
        if high < 0:
            raise NotReal(f"NaN in world {world.describe()}: log of a negative number in {expr}")
        if low < 0:
            raise Unresolved("log of an interval around 0")
        return iv.log(inner[0])
    if isinstance(expr, sp.sin):
        return iv.sin(inner[0])
    if isinstance(expr, sp.cos):
        return iv.cos(inner[0])
    if isinstance(expr, sp.Abs):
        return abs(inner[0])
    if isinstance(expr, (sp.tanh, sp.sinh, sp.cosh)):
        return _hyperbolic(type(expr), inner[0])
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = max if isinstance(expr, sp.Max) else min
        ends = [bounds(a) for a in inner]
        return iv.mpf([pick(e[0] for e in ends), pick(e[1] for e in ends)])
    if isinstance(expr, sp.Heaviside):
        return _heaviside(*inner)
    raise Unsupported(f"no interval evaluation of {type(expr).__name__}")


def _interval_piecewise(expr: sp.Piecewise, world: World):
    """The enclosure of the first piece whose condition holds at the world's values, each condition decided
    in interval arithmetic (Unresolved where an enclosure straddles its boundary)."""
    for piece, condition in expr.args:
        if _condition_holds(condition, world):
            return _interval(piece, world)
    raise Unsupported(f"no piece of {expr} applies in world {world.describe()}")


_RELATION_TESTS = {sp.StrictLessThan: (lambda lo, hi: hi < 0, lambda lo, hi: lo >= 0),
                 sp.LessThan: (lambda lo, hi: hi <= 0, lambda lo, hi: lo > 0),
                 sp.StrictGreaterThan: (lambda lo, hi: lo > 0, lambda lo, hi: hi <= 0),
                 sp.GreaterThan: (lambda lo, hi: lo >= 0, lambda lo, hi: hi < 0),
                 sp.Equality: (lambda lo, hi: lo == hi == 0, lambda lo, hi: lo > 0 or hi < 0),
                 sp.Unequality: (lambda lo, hi: lo > 0 or hi < 0, lambda lo, hi: lo == hi == 0)}


def _condition_holds(condition, world: World) -> bool:
    """Whether a piece's condition holds at the world's values: a relation by the enclosure of lhs − rhs (true
    or false only where the enclosure says so), And, Or and Not of such relations, True and False."""
    if isinstance(condition, BooleanAtom):
        return bool(condition)
    if isinstance(condition, sp.And):
        return all(_condition_holds(part, world) for part in condition.args)
    if isinstance(condition, sp.Or):
        return any(_condition_holds(part, world) for part in condition.args)
    if isinstance(condition, sp.Not):
        return not _condition_holds(condition.args[0], world)
    tests = _RELATION_TESTS.get(type(condition))
    if tests is None:
        raise Unsupported(f"no interval evaluation of the condition {condition}")
    low, high = bounds(_interval(condition.lhs - condition.rhs, world))
    if tests[0](low, high):
        return True
    if tests[1](low, high):
        return False
    raise Unresolved(f"the condition {condition} at an enclosure around its boundary")


def _heaviside(argument, at_zero=None):
    """H(t): 1 for t > 0, 0 for t < 0, its second argument (sympy's default 1/2) at t = 0 exactly."""
    low, high = bounds(argument)
    if low > 0:
        return iv.mpf(1)
    if high < 0:
        return iv.mpf(0)
    if low == high == 0:
        return at_zero if at_zero is not None else iv.mpf(1) / 2
    raise Unresolved("a step function of an interval around 0")


def _interval_power(expr: sp.Pow, world: World):
    base, exponent = _interval(expr.base, world), expr.exp
    if exponent.is_Integer:
        return base ** int(exponent)
    power = _interval(exponent, world)
    integer = _integer_exponent(exponent, power)
    if integer is not None:
        return base ** integer
    low, high = bounds(base)
    if high < 0:
        raise NotReal(f"NaN in world {world.describe()}: a fractional power of a negative number in {expr}")
    if low < 0:
        raise Unresolved("a fractional power of an interval around 0")
    if high == 0:
        return iv.mpf(0) if bounds(power)[0] > 0 else iv.mpf([mpmath.inf, mpmath.inf])
    if low == 0:
        return base ** power
    return _exp(power * iv.log(base))


def _integer_exponent(exponent: sp.Expr, power) -> int | None:
    """The exponent's value where the exponent is an integer by its symbols' assumptions (n, 2n, n + 1 for an
    integer n) and the world gives it one exact integer value: then x^n is defined for a negative x too."""
    if exponent.is_integer is not True:
        return None
    low, high = bounds(power)
    if low != high or not mpmath.isint(low):
        return None
    if abs(low) > MAX_INTEGER_EXPONENT:  # 2^(2^(2^N)): an exact integer of millions of digits, never needed
        raise Unresolved(f"an integer power whose exponent {mpmath.nstr(low, 5)} is too large to evaluate")
    return int(low)


MAX_INTEGER_EXPONENT = 10**6


def _exp(argument):
    """iv.exp, refused where the result's exponent alone would take unbounded time and memory to compute."""
    low, high = bounds(argument)
    if max(abs(low), abs(high)) > MAX_EXP_ARGUMENT:
        raise Unsupported(f"exp of a number beyond ±{MAX_EXP_ARGUMENT:g}: beyond what interval arithmetic evaluates")
    return iv.exp(argument)


def _hyperbolic(kind, argument):
    up, down = _exp(argument), _exp(-argument)
    if kind is sp.sinh:
        return (up - down) / 2
    if kind is sp.cosh:
        return (up + down) / 2
    low, high = bounds(argument)  # tanh from the side where exp does not overflow the enclosure's width
    if low >= 0:
        return 1 - 2 / (_exp(2 * argument) + 1)
    if high <= 0:
        return 2 / (_exp(-2 * argument) + 1) - 1
    return (up - down) / (up + down)


# ---------------------------------------------------------------- where a switching argument switches


SWITCH_GRID = np.logspace(-8, 8, 257)  # |values| scanned for a sign change: 1e-8 .. 1e8, sixteen per decade
SWITCH_BRACKETS = 6  # sign changes refined at most, per expression (those nearest 0 first)
SWITCH_DIGITS = 30
SWITCH_BISECTIONS = 120  # halvings of a bracket: from a ratio of 10^(1/16) to far below the 30 digits


def switch_points(expression: sp.Expr, symbol: sp.Symbol, values: dict) -> list[float]:
    """The values of ``symbol`` (the other symbols at ``values``) where ``expression``, an argument of a max,
    min, |·| or step function, changes sign, and where it comes closest to changing sign (where its derivative
    does: the top of a narrow bump such as 1 − (e^x − 10⁶)², positive only for |e^x − 10⁶| < 1, where a
    max(0, ·) of it is not 0). Found by a scan for sign changes on ±``SWITCH_GRID`` and 0, each refined by
    bisection at ``SWITCH_DIGITS`` digits; within the symbol's declared sign; [] where it cannot be evaluated."""
    try:
        fixed = sp.sympify(expression).xreplace({s: sp.Float(float(v), SWITCH_DIGITS) for s, v in values.items()})
    except (TypeError, ValueError):
        return []
    if fixed.free_symbols != {symbol}:
        return []
    grid = _switch_grid(symbol)
    points: list[float] = []
    for target in (fixed, _derivative(fixed, symbol)):
        if target is not None:
            points += [p for p in _sign_changes(target, symbol, grid) if all(p != q for q in points)]
    return points


def _switch_grid(symbol: sp.Symbol) -> np.ndarray:
    if symbol.is_positive:
        return SWITCH_GRID
    if symbol.is_nonnegative:
        return np.concatenate([[0.0], SWITCH_GRID])
    if symbol.is_negative:
        return -SWITCH_GRID[::-1]
    if symbol.is_nonpositive:
        return np.concatenate([-SWITCH_GRID[::-1], [0.0]])
    return np.concatenate([-SWITCH_GRID[::-1], [0.0], SWITCH_GRID])


def _derivative(expression: sp.Expr, symbol: sp.Symbol) -> sp.Expr | None:
    try:
        derivative = sp.diff(expression, symbol)
    except (TypeError, ValueError, NotImplementedError):
        return None
    return derivative if derivative.has(symbol) else None


def _sign_changes(expression: sp.Expr, symbol: sp.Symbol, grid: np.ndarray) -> list[float]:
    """The zeros of ``expression`` on ``grid`` and one root in each interval of it whose ends differ in sign:
    the signs in floats, those that over- or underflow (or are 0) again in mpmath, whose exponent range is
    unbounded; each root refined by bisection in mpmath (a bracket whose ends agree there is dropped)."""
    try:
        precise = sp.lambdify([symbol], expression, modules="mpmath")
        signs = _float_signs(sp.lambdify([symbol], expression, modules="numpy"), grid)
        with mpmath.workdps(SWITCH_DIGITS):
            for k in np.flatnonzero(~np.isfinite(signs) | (signs == 0)):
                signs[k] = _sign_at(precise, grid[k])
    except (TypeError, ValueError, NameError, SyntaxError, ArithmeticError):
        return []
    found = [float(v) for v, sign in zip(grid, signs) if sign == 0]
    changes = np.flatnonzero(signs[:-1] * signs[1:] < 0)
    for k in sorted(changes, key=lambda k: min(abs(grid[k]), abs(grid[k + 1])))[:SWITCH_BRACKETS]:
        root = _bisected(precise, grid[k], grid[k + 1])
        if root is not None:
            found.append(root)
    return found


def _float_signs(function: Callable, grid: np.ndarray) -> np.ndarray:
    """The signs of ``function`` on ``grid`` in floats: NaN where a value is not a finite real number, and where
    it is 0 or tiny (an underflow may hide the sign), for mpmath to say."""
    with np.errstate(all="ignore"):
        values = np.asarray(function(grid))
    if values.dtype.kind == "c" or values.dtype.kind not in "fiu":
        return np.full(grid.shape, np.nan)
    values = np.broadcast_to(values.astype(float), grid.shape)
    return np.where(np.isfinite(values) & (np.abs(values) > 1e-250), np.sign(values), np.nan)


def _sign_at(function: Callable, value) -> float:
    """The sign of a real value of ``function`` at ``value`` (NaN where it is not a finite real number)."""
    try:
        result = function(mpmath.mpf(value))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return math.nan
    if not isinstance(result, (mpmath.mpf, int)) or not mpmath.isfinite(result):
        return math.nan
    return float(mpmath.sign(result))


def _bisected(function: Callable, low: float, high: float) -> float | None:
    """A root of ``function`` between ``low`` and ``high``, where its sign differs, by bisection in mpmath
    (None where the ends' signs agree there, or a value on the way is no real number)."""
    with mpmath.workdps(SWITCH_DIGITS):
        a, b = mpmath.mpf(low), mpmath.mpf(high)
        sign_a, sign_b = _sign_at(function, a), _sign_at(function, b)
        if sign_a == 0:
            return float(a)
        if not sign_a * sign_b < 0:
            return None
        for _ in range(SWITCH_BISECTIONS):
            middle = (a + b) / 2
            sign_m = _sign_at(function, middle)
            if sign_m == 0:
                return float(middle)
            if math.isnan(sign_m):
                return None
            a, b, sign_a = (middle, b, sign_m) if sign_m == sign_a else (a, middle, sign_a)
        return float((a + b) / 2)


# ---------------------------------------------------------------- higher precision


PRECISE_DIGITS = 40  # the second look at a disagreement: every value in mpmath at this many digits
PRECISE_SECONDS = 20.0
PRECISE_CONVERGED = 1e-25  # an integral whose mpmath error estimate exceeds this (relative) did not converge


def _precise_normal_log(v, m, s):
    return normal_log(v, m, s, PRECISE)


def _precise_density_log(density) -> Callable:
    """The log-density of a catalogue density in mpmath: the same formula as its float one (``mathcheck.laws``)."""
    if isinstance(density, LawDensity):
        return partial(density.dist.logpdf, arithmetic=PRECISE)
    if isinstance(density, MixtureDensity):
        parts = [(mpmath.log(mpmath.mpf(w)), c) for w, c in zip(density.weights, density.components)]
        return lambda v: _precise_log_sum([w + c.logpdf(v, PRECISE) for w, c in parts])
    raise Unsupported(f"no precise form of the density {getattr(density, 'description', density)}")


def _precise_log_sum(logs: list):
    peak = max(logs)
    if peak == -mpmath.inf:
        return peak
    return peak + mpmath.log(mpmath.fsum(mpmath.exp(v - peak) for v in logs))


def precise_log_densities(world: World, evaluator: "PreciseEvaluator") -> dict[tuple, Callable]:
    """The world's log-densities in mpmath (key -> f(lookup)), rebuilt from its family's parameters (its
    ``spec``): the linear-Gaussian world's evidence and posterior from their closed forms, the mixture's
    evidence by mpmath quadrature; {} for a world without densities."""
    if not world.spec:
        return {}
    family, parameters, densities = world.spec
    names = parameters.get("names") or ARTICLE_NAMES
    z = names.latent
    if family == "densities-of-x":
        x = parameters.get("variable") or sp.Symbol("x", real=True)
        logs = {name: _precise_density_log(d) for name, d in densities.items() if not isinstance(d, str)}
        logs.update({name: logs[d] for name, d in densities.items() if isinstance(d, str)})
        return {(name, (str(x),), ()): (lambda lookup, f=f: f(lookup(x))) for name, f in logs.items()}
    if family == "linear-gaussian":
        m0, s0, a, b, s, x_obs = (mpmath.mpf(parameters[k]) for k in ("m0", "s0", "a", "b", "s", "x_obs"))
        marginal = _precise_marginals(parameters, names, (m0, s0, a, b, s), x_obs) if "k" in parameters else {}
        if marginal:  # the model at the world's condition c
            value = mpmath.mpf(names.condition_value)
            m0, b = m0 + mpmath.mpf(parameters["k"]) * value, b + mpmath.mpf(parameters["g"]) * value
        prior = lambda v: _precise_normal_log(v, m0, s0)  # noqa: E731
        likelihood = lambda v: _precise_normal_log(x_obs, a * v + b, s)  # noqa: E731
        evidence = _precise_normal_log(x_obs, a * m0 + b, mpmath.sqrt(s**2 + a**2 * s0**2))
        variance = 1 / (1 / s0**2 + a**2 / s**2)
        mean = variance * (m0 / s0**2 + a * (x_obs - b) / s**2)
        posterior = lambda v: _precise_normal_log(v, mean, mpmath.sqrt(variance))  # noqa: E731
    elif family == "mixture-bernoulli":
        marginal = {}
        bits = parameters["bits"]
        pixels = [(bit, mpmath.mpf(parameters[f"slope{k}"]), mpmath.mpf(parameters[f"offset{k}"]))
                  for k, bit in enumerate(bits, 1)]
        weight = mpmath.mpf(parameters["weight"])
        components = [(mpmath.log(weight), mpmath.mpf(parameters["mean1"]), mpmath.mpf(parameters["std1"])),
                      (mpmath.log(1 - weight), mpmath.mpf(parameters["mean2"]), mpmath.mpf(parameters["std2"]))]
        prior = lambda v: _precise_log_sum([w + _precise_normal_log(v, m, sd) for w, m, sd in components])  # noqa
        likelihood = lambda v: mpmath.fsum(  # noqa: E731
            log_sigmoid(w * v + c, PRECISE) if bit else log_sigmoid(-(w * v + c), PRECISE) for bit, w, c in pixels)
        evidence = mpmath.log(evaluator.quadrature(lambda v: mpmath.exp(likelihood(v) + prior(v)),
                                                   world.breakpoints[z]))
        posterior = lambda v: likelihood(v) + prior(v) - evidence  # noqa: E731
    else:
        raise Unsupported(f"no precise form of the {family} world")
    def precise(tie):
        return {"prior": prior, "posterior": posterior}[tie] if isinstance(tie, str) else _precise_density_log(tie)

    variational = precise(densities["q"])
    keys = names.keys()
    others = {key: precise(tie) for key, tie in parameters.get("extras", ())}
    return {**{key: (lambda lookup, f=f: f(lookup(z))) for key, f in others.items()}, **marginal,
            keys["prior"]: lambda lookup: prior(lookup(z)),
            keys["likelihood"]: lambda lookup: likelihood(lookup(z)),
            keys["evidence"]: lambda lookup: evidence,
            keys["joint"]: lambda lookup: likelihood(lookup(z)) + prior(lookup(z)),
            keys["posterior"]: lambda lookup: posterior(lookup(z)),
            keys["encoder"]: lambda lookup: variational(lookup(z))}


def _precise_marginals(parameters: dict, names: ModelNames, model: tuple, x_obs) -> dict:
    """The linear-Gaussian world's densities with its condition integrated out, in mpmath."""
    law = tuple(mpmath.mpf(parameters[k]) for k in CONDITION_LAW)
    mean, cov = chain_moments(*model, *law)
    return _marginal_log_densities(mean, cov, names, x_obs, PRECISE)


def _marginal_log_densities(mean: dict, cov: dict, names: ModelNames, x_obs, arithmetic) -> dict:
    """key -> log-density (of a lookup) of each density of a conditioned linear-Gaussian model with the
    condition integrated out (``_marginal_roles``): the Gaussian conditionals of (c, z, X) with these moments
    (``chain_moments``), in floats (``laws.FLOAT``, z elementwise) or in mpmath (``laws.PRECISE``)."""
    z, keys = names.latent, names.keys()

    def normal(target, given=None, at=None, point=None):
        m, v = conditional_moments(mean, cov, target, given, at)
        return normal_log(point, m, arithmetic.sqrt(v), arithmetic)

    likelihood = lambda v: normal("x", "z", v, x_obs)  # noqa: E731
    return {keys["marginal evidence"]: lambda lookup: normal("x", point=x_obs),
            keys["marginal prior"]: lambda lookup: normal("z", point=lookup(z)),
            keys["condition law"]: lambda lookup: normal("c", point=arithmetic.number(names.condition_value)),
            keys["marginal likelihood"]: lambda lookup: likelihood(lookup(z)),
            keys["marginal posterior"]: lambda lookup: normal("z", "x", x_obs, lookup(z)),
            keys["marginal joint"]: lambda lookup: likelihood(lookup(z)) + normal("z", point=lookup(z))}


_PRECISE_FUNCTIONS = {sp.exp: mpmath.exp, sp.log: mpmath.log, sp.sin: mpmath.sin, sp.cos: mpmath.cos,
                      sp.tanh: mpmath.tanh, sp.Abs: abs, sp.sqrt: mpmath.sqrt, sp.erf: mpmath.erf,
                      sp.erfc: mpmath.erfc}


def _real(value):
    """``value`` as a real mpf; raises Unsupported where it is not real (a log or root of a negative)."""
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise Unsupported("a value is not real at higher precision (a log or a root of a negative number)")
        return value.real
    return value


class PreciseEvaluator:
    """An expression in one world at ``PRECISE_DIGITS`` digits: every operation in mpmath, the densities
    and functions from their definitions (``precise_log_densities``, the worlds' ``precise_functions``),
    each integral by mpmath's Gauss–Legendre quadrature (its degree raised until it converges) over the
    float evaluation's panels and the two tails, derivatives by central differences of step 1e-12 at that
    precision. ``error`` accumulates the integrals' error estimates. Raises Unsupported for what it has
    no precise form of."""

    def __init__(self, world: World):
        self.world = world
        self.placer = Evaluator(world)  # places the quadrature panels, in floating point
        self.error = mpmath.mpf(0)
        self.log_densities = precise_log_densities(world, self)

    def quadrature(self, integrand: Callable, points) -> Any:
        edges = [mpmath.mpf(float(p)) for p in np.unique(np.asarray(points, dtype=float))]
        value, error = mpmath.quad(integrand, [-mpmath.inf, *edges, mpmath.inf], error=True,
                                   method="gauss-legendre")
        value = _real(value)
        if not mpmath.isfinite(value) or abs(error) > PRECISE_CONVERGED * (1 + abs(value)):
            raise Unsupported(f"an integral does not converge at {PRECISE_DIGITS} digits (error estimate "
                              f"{mpmath.nstr(error, 3)})")
        self.error += abs(error)
        return value

    def value(self, expr, env):
        return _real(self._value(expr, env))

    def _value(self, expr, env):
        if isinstance(expr, (Density, Normal)):
            return mpmath.exp(self.log_value(expr, env))
        if isinstance(expr, (Defined, Expectation, KL)):
            return self.value(_node_unfolded(expr), env)
        if isinstance(expr, sp.Integral):
            return self.integral(expr, env)
        if isinstance(expr, sp.Symbol):
            return self.symbol(expr, env)
        if expr is sp.pi:
            return +mpmath.pi
        if expr is sp.E:
            return +mpmath.e
        if expr.is_Integer:
            return mpmath.mpf(int(expr))
        if expr.is_Rational:
            return mpmath.mpf(int(expr.p)) / int(expr.q)
        if expr.is_Float:
            return mpmath.mpf(expr._mpf_)
        if isinstance(expr, sp.Add):
            return mpmath.fsum(self.value(a, env) for a in expr.args)
        if isinstance(expr, sp.Mul):
            logs = [self.log_value(a, env) for a in expr.args if _is_density_power(a)]
            product = mpmath.exp(mpmath.fsum(logs)) if logs else mpmath.mpf(1)
            for factor in (a for a in expr.args if not _is_density_power(a)):
                product *= self.value(factor, env)
            return product
        if isinstance(expr, sp.Pow):
            if _is_density_power(expr):
                return mpmath.exp(self.log_value(expr, env))
            return mpmath.power(self.value(expr.base, env), self.value(expr.exp, env))
        if isinstance(expr, sp.log):
            return self.log_value(expr.args[0], env)
        if expr.func in _PRECISE_FUNCTIONS:
            return _PRECISE_FUNCTIONS[expr.func](self.value(expr.args[0], env))
        if isinstance(expr, sp.Sum):
            *inner, (index, low, high) = expr.limits  # Σ_j Σ_i f: the limits of i, then those of j
            body = sp.Sum(expr.function, *inner) if inner else expr.function
            low, high = int(self.value(low, env)), int(self.value(high, env))
            if high - low >= MAX_SUM_TERMS:
                raise Unsupported(f"a sum of {high - low + 1} terms: {expr}")
            return mpmath.fsum(self.value(body, {**env, index: mpmath.mpf(i)}) for i in range(low, high + 1))
        if isinstance(expr, sp.Derivative):
            (variable, count), = expr.variable_count
            if count != 1:
                raise Unsupported(f"only first derivatives are evaluated at higher precision: {expr}")
            return self.derivative(expr.expr, variable, env)
        if isinstance(expr, sp.Subs):
            inner = {**env, **{v: self.value(p, env) for v, p in zip(expr.variables, expr.point)}}
            return self.value(expr.expr, inner)
        if isinstance(expr, (sp.core.function.AppliedUndef, Concave, Convex)):
            name = expr.func.__name__
            if name not in self.world.precise_functions:
                raise Unsupported(f"no precise form of the function {name}")
            return self.world.precise_functions[name](*[self.value(a, env) for a in expr.args])
        raise Unsupported(f"cannot evaluate {type(expr).__name__} at higher precision: {expr}")

    def derivative(self, body, variable, env):
        """d body / d variable: exactly where sympy differentiates ``body`` into an expression without
        derivatives; otherwise by central differences at h, 2h, 4h with Richardson extrapolation, whose two
        extrapolations' difference, and the integrals' errors over h, go into ``error``. The step is
        relative to 1 + |at|, and below |at|/8 for a variable declared positive or nonnegative (a stencil
        across 0 leaves its domain: log σ² at σ = 1e-300 is no even function of a positive σ)."""
        exact = self._exact_derivative(body, variable)
        if exact is not None:
            with contextlib.suppress(Unsupported):  # sign(x) of |x|' and the like: differences below
                return self.value(exact, env)
        at = self.symbol(variable, env)
        step = mpmath.mpf("1e-10") * (1 + abs(at))
        if (variable.is_positive or variable.is_nonnegative) and at > 0:
            step = min(step, at / 8)
        outer, self.error = self.error, mpmath.mpf(0)

        def central(h):
            return (self.value(body, {**env, variable: at + h}) - self.value(body, {**env, variable: at - h})) / (2 * h)

        try:
            d1, d2, d4 = central(step), central(2 * step), central(4 * step)
            inner = self.error
        finally:
            self.error = outer
        fine, coarse = (4 * d1 - d2) / 3, (4 * d2 - d4) / 3
        self.error += abs(fine - coarse) + inner / step
        return fine

    @staticmethod
    def _exact_derivative(body, variable):
        """sympy's derivative of an elementary ``body`` (no densities, integrals or abstract functions)."""
        elementary = (sp.Symbol, sp.Number, sp.NumberSymbol, sp.Add, sp.Mul, sp.Pow)
        if not all(isinstance(node, elementary) or node.func in _PRECISE_FUNCTIONS
                   for node in sp.preorder_traversal(body)):
            return None
        try:
            derivative = sp.diff(body, variable)
        except (TypeError, ValueError, AttributeError, NotImplementedError, RecursionError):
            return None
        return None if derivative.has(sp.Derivative, sp.Subs) else derivative

    def log_value(self, expr, env):
        if isinstance(expr, Normal):
            v, m, s = (self.value(a, env) for a in expr.args)
            return _precise_normal_log(v, m, s)
        if isinstance(expr, Density):
            key = _key(expr)
            if key not in self.log_densities:
                raise Unsupported(f"no precise form of the density {expr}")
            return _real(self.log_densities[key](lambda symbol: self.symbol(symbol, env)))
        if isinstance(expr, sp.Mul) and any(_is_density_power(a) for a in expr.args):
            return mpmath.fsum(self.log_value(a, env) for a in expr.args)
        if isinstance(expr, sp.Pow) and _is_density_power(expr):
            return self.value(expr.exp, env) * self.log_value(expr.base, env)
        logged = self._log_of_world_function(expr, env)
        return logged if logged is not None else _real(mpmath.log(self.value(expr, env)))

    def _log_of_world_function(self, expr, env):
        complement = False
        if isinstance(expr, sp.Add) and len(expr.args) == 2 and sp.S.One in expr.args:
            negated = -(expr.args[1] if expr.args[0] == 1 else expr.args[0])
            if isinstance(negated, sp.core.function.AppliedUndef):
                expr, complement = negated, True
        if isinstance(expr, sp.core.function.AppliedUndef) and expr.func.__name__ in self.world.precise_log_functions:
            log_f, log_one_minus_f = self.world.precise_log_functions[expr.func.__name__]
            return (log_one_minus_f if complement else log_f)(*[self.value(a, env) for a in expr.args])
        return None

    def symbol(self, symbol, env):
        if symbol in env:
            return env[symbol]
        value = self.world.symbols.get(symbol)
        if value is None or isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
            raise Unsupported(f"the world gives no number for {symbol}")
        return mpmath.mpf(int(value)) if isinstance(value, (int, np.integer)) else mpmath.mpf(float(value))

    def integral(self, expr: sp.Integral, env):
        _require_real_line(expr)
        return self._integrate(expr.function, list(integral_variables(expr)), env)

    def _integrate(self, body, variables: list, env):
        variable, inner = variables[-1], variables[:-1]
        placing = {k: float(v) for k, v in env.items() if isinstance(v, (mpmath.mpf, int, float))}
        edges, _ = self.placer.panels(body, variable, placing)
        integrand = (lambda t: self._integrate(body, inner, {**env, variable: t})) if inner else (
            lambda t: self.value(body, {**env, variable: t}))
        return self.quadrature(integrand, edges)


def precise_sides(lhs: sp.Expr, rhs: sp.Expr, world: World) -> tuple[Any, Any, Any]:
    """(lhs, rhs, error estimate) in ``world`` at ``PRECISE_DIGITS`` digits, within ``PRECISE_SECONDS``;
    raises Unsupported where the world has no precise form of something, SymbolicTimeout past the time."""
    with mpmath.workdps(PRECISE_DIGITS), time_limit(PRECISE_SECONDS):
        evaluator = PreciseEvaluator(world)
        left, right = (evaluator.value(sp.sympify(e), {}) for e in (lhs, rhs))
        return left, right, evaluator.error
