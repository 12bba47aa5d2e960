"""The numeric checker: both sides of a step evaluated on concrete probability models ("worlds").

A world gives every density of a chain a computable log-density (from ``scipy.stats``, never from a
closed form under test), every abstract function a concrete one, and every free symbol a value.
Integrals are computed by composite Gauss–Legendre quadrature over panels placed around the mass of
every density of the integrated variable (a plain ``quad`` over (-inf, inf) returns 0 for N(5, 0.001²));
each integral is computed at two orders and their difference is its error estimate.

World families:

- ``linear-gaussian``: p(z) = N(m0, s0²), p(X|z) = N(a z + b, s²): p(X) and p(z|X) in closed form;
- ``mixture-bernoulli``: p(z) a two-component Gaussian mixture, X binary pixels, p(X|z) Bernoulli with
  logits w_i z + c_i; p(X) by adaptive quadrature;
- ``densities-of-x``: densities p(x) and q(x) of one variable;
- abstract functions from catalogues by their declared kind: concave, convex, positive (with a random
  scale), smooth (with random shape and shift); the Bernoulli world's own pixels x(i) and means yhat(i, z);
- free symbols (μ, σ, ...) drawn by their assumptions (positive → log-uniform on [0.05, 20]).

In every model world q(z|X) is an arbitrary density (normal, logistic, skew-normal or a mixture).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from scipy import special, stats

from mathcheck.linear_gaussian import LinearGaussian
from mathcheck.vocab import Concave, Convex, Defined, Density, Expectation, KL, Normal, integral_variables, unfold


class Unsupported(Exception):
    """The world cannot evaluate this expression (no value for a symbol, a density, a function...)."""


class Divergent(Exception):
    """An integral whose integrand does not vanish at the edge of every density's mass."""


# ---------------------------------------------------------------- worlds


@dataclass(frozen=True)
class Law:
    """A scipy.stats distribution with its parameters, called unfrozen (freezing one costs ~0.5 ms)."""

    family: Any  # e.g. scipy.stats.norm
    args: tuple

    def logpdf(self, value):
        return self.family.logpdf(value, *self.args)

    def median(self) -> float:
        return float(self.family.median(*self.args))

    def mean(self) -> float:
        return float(self.family.mean(*self.args))

    def std(self) -> float:
        return float(self.family.std(*self.args))


@dataclass(frozen=True)
class ScipyDensity:
    """A one-dimensional density given by a scipy.stats distribution of one variable."""

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
        logs = [math.log(w) + c.logpdf(value) for w, c in zip(self.weights, self.components)]
        return special.logsumexp(np.stack(np.broadcast_arrays(*logs)), axis=0)

    def breakpoints(self) -> np.ndarray:
        return np.concatenate([c.mean() + c.std() * _OFFSETS for c in self.components])


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

    def describe(self) -> dict[str, Any]:
        shown = {"family": self.family, **self.params}
        shown.update({str(s): _plain(v) for s, v in self.symbols.items()})
        return shown


def _plain(value):
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.6g}")
    return value


def _key(density: Density) -> tuple:
    """(name, variables, given) of a density as the worlds name it; a label other than the model's
    (see ``Density.canonical``) is part of the name, so it is another density."""
    density = density.canonical()
    name = density.family + (f"_{density.label}" if density.label else "")
    return name, tuple(map(str, density.variables)), tuple(map(str, density.given))


def _q_densities() -> st.SearchStrategy:
    loc = st.floats(-4, 4)
    scale = st.floats(0.05, 3)
    normal = st.builds(lambda m, s: ScipyDensity(Law(stats.norm, (m, s)), f"normal({m:.4g}, {s:.4g})"), loc, scale)
    logistic = st.builds(lambda m, s: ScipyDensity(Law(stats.logistic, (m, s)), f"logistic({m:.4g}, {s:.4g})"),
                         loc, scale)
    skew = st.builds(lambda a, m, s: ScipyDensity(Law(stats.skewnorm, (a, m, s)),
                                                  f"skewnorm({a:.3g}, {m:.4g}, {s:.4g})"),
                     st.floats(-6, 6), loc, scale)
    mixture = st.builds(
        lambda w, m1, s1, m2, s2: MixtureDensity(
            (w, 1 - w), (Law(stats.norm, (m1, s1)), Law(stats.norm, (m2, s2))),
            f"{w:.3g}·normal({m1:.4g}, {s1:.4g}) + {1 - w:.3g}·normal({m2:.4g}, {s2:.4g})"),
        st.floats(0.1, 0.9), loc, scale, loc, scale)
    return st.one_of(normal, logistic, skew, mixture)


def _model_world(family: str, params: dict, prior, log_likelihood, log_evidence, log_posterior, variational,
                 observed) -> World:
    X, z = sp.Symbol("X", real=True), sp.Symbol("z", real=True)
    env_z = lambda lookup: lookup(z)
    world = World(family, params)
    world.densities = {
        ("p", ("z",), ()): lambda env: prior.logpdf(env_z(env)),
        ("p", ("X",), ("z",)): lambda env: log_likelihood(env_z(env)),
        ("p", ("X",), ()): lambda env: log_evidence,
        ("p", ("X", "z"), ()): lambda env: log_likelihood(env_z(env)) + prior.logpdf(env_z(env)),
        ("p", ("z",), ("X",)): lambda env: log_posterior(env_z(env)),
        ("q", ("z",), ("X",)): lambda env: variational.logpdf(env_z(env)),
    }
    world.breakpoints = {z: np.concatenate([prior.breakpoints(), variational.breakpoints(), _posterior_points(
        log_posterior, prior, variational)])}
    world.symbols = {X: observed} if np.ndim(observed) == 0 else {}
    return world


def _log_integral_over_panels(log_integrand, breakpoints: np.ndarray, order: int = 48) -> float:
    """log ∫ exp(log_integrand) over panels between the breakpoints (Gauss–Legendre, log-sum-exp)."""
    edges = np.unique(breakpoints)
    nodes, weights = _legendre(order)
    half, middle = (edges[1:] - edges[:-1]) / 2, (edges[1:] + edges[:-1]) / 2
    grid = (np.outer(half, nodes) + middle[:, None]).ravel()
    return float(special.logsumexp(log_integrand(grid), b=np.outer(half, weights).ravel()))


def _posterior_points(log_posterior, prior, variational) -> np.ndarray:
    grid = np.sort(np.concatenate([prior.breakpoints(), variational.breakpoints(), np.linspace(-30, 30, 601)]))
    values = log_posterior(grid)
    peak = grid[np.nanargmax(values)]
    mass = grid[values > np.nanmax(values) - 40]
    return np.concatenate([[peak], np.linspace(mass.min(), mass.max(), 25)])


@st.composite
def linear_gaussian_worlds(draw) -> World:
    m0, s0 = draw(st.floats(-2, 2)), draw(st.floats(0.3, 3))
    a, b, s = draw(st.floats(-3, 3)), draw(st.floats(-2, 2)), draw(st.floats(0.2, 3))
    x_obs = draw(st.floats(-5, 5))
    q = draw(_q_densities())
    model = LinearGaussian(observed=x_obs, weight=a, bias=b, noise=s, prior_mean=m0, prior_std=s0)
    posterior = Law(stats.norm, model.posterior())
    params = {"prior": f"normal({m0:.4g}, {s0:.4g})", "likelihood": f"X|z ~ normal({a:.4g} z + {b:.4g}, {s:.4g})",
              "X": float(f"{x_obs:.6g}"), "q": q.description}
    return _model_world("linear-gaussian", params, ScipyDensity(Law(stats.norm, (m0, s0)), params["prior"]),
                        model.log_likelihood, model.log_evidence(), posterior.logpdf, q, x_obs)


@st.composite
def mixture_bernoulli_worlds(draw) -> World:
    weight = draw(st.floats(0.15, 0.85))
    means = draw(st.floats(-3, 0)), draw(st.floats(0, 3))
    scales = draw(st.floats(0.3, 1.5)), draw(st.floats(0.3, 1.5))
    pixels = draw(st.integers(1, 4))
    bits = np.array(draw(st.lists(st.integers(0, 1), min_size=pixels, max_size=pixels)), dtype=float)
    slopes = np.array(draw(st.lists(st.floats(-3, 3), min_size=pixels, max_size=pixels)))
    offsets = np.array(draw(st.lists(st.floats(-2, 2), min_size=pixels, max_size=pixels)))
    q = draw(_q_densities())
    prior = MixtureDensity((weight, 1 - weight), tuple(Law(stats.norm, (m, s)) for m, s in zip(means, scales)),
                           f"{weight:.3g}·normal({means[0]:.4g}, {scales[0]:.4g}) + "
                           f"{1 - weight:.3g}·normal({means[1]:.4g}, {scales[1]:.4g})")

    def log_likelihood(zz):
        logits = np.multiply.outer(np.asarray(zz), slopes) + offsets  # log Bernoulli pmf, stable in the tails
        return np.sum(bits * special.log_expit(logits) + (1 - bits) * special.log_expit(-logits), axis=-1)

    log_evidence = _log_integral_over_panels(lambda t: log_likelihood(t) + prior.logpdf(t), prior.breakpoints())
    params = {"prior": prior.description, "X": bits.astype(int).tolist(),
              "decoder": f"sigmoid({np.round(slopes, 4).tolist()} z + {np.round(offsets, 4).tolist()})",
              "q": q.description}
    world = _model_world("mixture-bernoulli", params, prior, log_likelihood, log_evidence,
                         lambda zz: log_likelihood(zz) + prior.logpdf(zz) - log_evidence, q, bits)
    world.symbols.update({sp.Symbol("D", integer=True, positive=True): pixels})
    world.functions["x"] = lambda i: bits[int(i) - 1]
    world.functions["yhat"] = lambda i, zz: special.expit(slopes[int(i) - 1] * zz + offsets[int(i) - 1])
    world.log_functions["yhat"] = (  # log ŷ and log(1 − ŷ) from the logit: exact in the tails
        lambda i, zz: special.log_expit(slopes[int(i) - 1] * zz + offsets[int(i) - 1]),
        lambda i, zz: special.log_expit(-(slopes[int(i) - 1] * zz + offsets[int(i) - 1])))
    return world


CONCAVE = {"log": np.log, "sqrt": np.sqrt, "-t^2": lambda t: -t**2, "1-exp(-t)": lambda t: -np.expm1(-t)}
CONVEX = {"exp": np.exp, "t^2": np.square, "t*log(t)": lambda t: t * np.log(t), "1/t": np.reciprocal}
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


@st.composite
def pair_worlds(draw, variables: tuple[str, ...]) -> World:
    """Densities p(x) and q(x) of one variable, each from the catalogue of densities."""
    x = sp.Symbol("x", real=True)
    world = World("densities-of-x", {})
    points = []
    for family in variables:
        density = draw(_q_densities())
        world.densities[(family, ("x",), ())] = lambda lookup, d=density: d.logpdf(lookup(x))
        world.params[f"{family}(x)"] = density.description
        points.append(density.breakpoints())
    world.breakpoints[x] = np.concatenate(points)
    return world


def _scaled(function, scale: float):
    return lambda t: scale * function(t)


@st.composite
def functions_for(draw, world: World, needed: frozenset) -> World:
    """``world`` with a concrete function for every abstract one, chosen from a catalogue by its kind."""
    functions, params = dict(world.functions), dict(world.params)
    for name, kind in sorted(needed):
        if name in functions or kind == "several-arguments":  # evaluating it raises Unsupported
            continue
        if kind == "positive":
            choice, c = draw(st.sampled_from(sorted(POSITIVE_G))), draw(st.floats(-1.5, 1.5))
            scale = math.exp(draw(st.floats(math.log(0.01), math.log(100))))
            functions[name] = _scaled(POSITIVE_G[choice](c), scale)
            params[f"{name}(x)"] = f"{scale:.4g}·({choice.replace('c', f'{c:.4g}')})"
        elif kind == "plain":
            choice, c, d = draw(st.sampled_from(sorted(SMOOTH))), draw(st.floats(0.3, 1.5)), draw(st.floats(-1, 1))
            functions[name] = SMOOTH[choice](c, d)
            params[f"{name}(t)"] = choice.replace("c", f"{c:.4g}").replace("d", f"{d:.4g}")
        else:
            choice = draw(st.sampled_from(sorted(_CATALOGUES[kind])))
            functions[name] = _CATALOGUES[kind][choice]
            params[f"{name}(t)"] = choice
    return World(world.family, params, world.densities, world.breakpoints, world.symbols, functions,
                 world.log_functions)


def symbol_values(symbol: sp.Symbol) -> st.SearchStrategy:
    if symbol.is_integer:
        return st.integers(1, 6)
    if symbol.is_positive:
        return st.floats(math.log(0.05), math.log(20)).map(math.exp)
    if symbol.is_real:
        return st.floats(-8, 8)
    raise Unsupported(f"no numeric domain for {symbol} (declare it real or positive)")


# ---------------------------------------------------------------- what a chain needs


@dataclass(frozen=True)
class Needs:
    densities: frozenset
    functions: frozenset  # (name, kind) with kind in concave / convex / positive / plain / several-arguments
    symbols: frozenset

    @classmethod
    def of(cls, expressions) -> "Needs":
        densities, functions, symbols = set(), set(), set()
        for expr in expressions:
            expr = unfold(sp.sympify(expr))
            densities |= {_key(d) for d in expr.atoms(Density)}
            for call in expr.atoms(sp.core.function.AppliedUndef, Concave, Convex):
                functions.add((call.func.__name__, _kind(call)))
            symbols |= {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
        return cls(frozenset(densities), frozenset(functions), frozenset(symbols))


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


def shared_needs(needs: Needs) -> Needs:
    """What decides the worlds: any subset of the model's densities gets the same model worlds."""
    if needs.densities and needs.densities <= MODEL_DENSITIES:
        return Needs(frozenset(MODEL_DENSITIES), needs.functions, needs.symbols)
    return needs


@lru_cache(maxsize=64)
def sample_worlds(needs: Needs, seed: int, examples: int) -> tuple[World, ...]:
    """``examples`` worlds drawn by hypothesis for ``needs``, shared by every chain with the same needs
    (so also their quadrature grids and density values)."""
    drawn: list[World] = []

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, print_blob=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, phases=(Phase.generate,))
    @hypothesis_seed(seed)
    @given(world_strategy(shared_needs(needs)))
    def collect(world: World) -> None:
        drawn.append(world)

    collect()
    return tuple(drawn)


def world_strategy(needs: Needs) -> st.SearchStrategy:
    """Worlds that can evaluate everything ``needs`` lists; raises :class:`Unsupported` if none can."""
    if needs.densities and needs.densities <= MODEL_DENSITIES:
        families = [mixture_bernoulli_worlds()] if needs.functions & BERNOULLI_FUNCTIONS else [
            linear_gaussian_worlds(), mixture_bernoulli_worlds()]
    elif needs.densities and needs.densities <= PAIR_DENSITIES:
        families = [pair_worlds(tuple(sorted(f for f, _, _ in needs.densities)))]
    elif needs.densities:
        shown = sorted(f"{f}({','.join(v)}{'|' + ','.join(g) if g else ''})" for f, v, g in needs.densities)
        raise Unsupported(f"no world family gives the densities {', '.join(shown)}")
    else:
        families = [st.just(World("parameters", {}))]
    return _completed_worlds(st.one_of(families), needs.functions, needs.symbols)


@st.composite
def _completed_worlds(draw, base: st.SearchStrategy, functions: frozenset, symbols: frozenset) -> World:
    """A world of ``base`` with its abstract functions chosen and its missing symbols drawn."""
    world = draw(base)
    if functions:
        world = draw(functions_for(world, functions))
    missing = sorted((s for s in symbols if s not in world.symbols), key=str)
    return _extend(world, {s: draw(symbol_values(s)) for s in missing}) if missing else world


def _extend(world: World, values: dict) -> World:
    return World(world.family, dict(world.params), world.densities, world.breakpoints,
                 {**world.symbols, **values}, world.functions, world.log_functions)


# ---------------------------------------------------------------- evaluation


_FUNCTIONS = {sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tanh: np.tanh,
              sp.Abs: np.abs, sp.sqrt: np.sqrt}


def _is_density_power(expr) -> bool:
    """A product of powers of densities: positive, so best multiplied in the log domain."""
    if isinstance(expr, sp.Pow):
        return _is_density_power(expr.base)
    if isinstance(expr, sp.Mul):
        return all(_is_density_power(a) for a in expr.args)
    return isinstance(expr, (Density, Normal))


@lru_cache(maxsize=4)
def _legendre(order: int):
    return special.roots_legendre(order)


@dataclass
class Evaluator:
    world: World
    order: int = 20
    error: float = 0.0  # accumulated |fine − coarse| over the integrals evaluated
    # one world's expressions share quadrature grids, so each density is evaluated once per grid
    grids: dict = field(default_factory=dict, repr=False)
    grid_ids: set = field(default_factory=set, repr=False)  # held grids: their ids are never reused
    log_densities: dict = field(default_factory=dict, repr=False)

    def __call__(self, expr: sp.Expr, env: dict | None = None):
        return self.value(sp.sympify(expr), env or {})

    def value(self, expr, env):
        if isinstance(expr, (Density, Normal)):
            return np.exp(self.log_density(expr, env))
        if isinstance(expr, (Defined, Expectation, KL)):
            return self.value(expr.unfold(), env)
        if isinstance(expr, sp.Integral):
            return self.integral(expr, env)
        if isinstance(expr, sp.Symbol):
            return self.symbol(expr, env)
        if expr.is_Number or expr in (sp.pi, sp.E):
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
        if any(isinstance(v, np.ndarray) and id(v) not in self.grid_ids for v in env.values()):
            return self._log_density(density, env)  # a temporary array: its id may be reused, do not cache
        key = (density, tuple((s, id(v) if isinstance(v, np.ndarray) else v) for s, v in env.items()))
        if key not in self.log_densities:
            self.log_densities[key] = self._log_density(density, env)
        return self.log_densities[key]

    def _log_density(self, density, env):
        if isinstance(density, Normal):
            v, m, s = (self.value(a, env) for a in density.args)
            return stats.norm.logpdf(v, m, s)
        key = _key(density)
        if key not in self.world.densities:
            raise Unsupported(f"the world has no density {density}")
        return self.world.densities[key](lambda symbol: self.symbol(symbol, env))

    def derivative(self, expr: sp.Derivative, env):
        """Central differences at h, 2h, 4h with Richardson extrapolation; the two extrapolations'
        difference estimates the error of the value returned."""
        (variable, count), = expr.variable_count
        if count != 1:
            raise Unsupported(f"only first derivatives are evaluated numerically: {expr}")
        at = self.symbol(variable, env)
        h = 1e-3 * (1 + np.abs(at))

        def central(step):
            up = self.value(expr.expr, {**env, variable: at + step})
            down = self.value(expr.expr, {**env, variable: at - step})
            return (up - down) / (2 * step)

        d1, d2, d4 = central(h), central(2 * h), central(4 * h)
        fine, coarse = (4 * d1 - d2) / 3, (4 * d2 - d4) / 3
        self.error += float(np.max(np.abs(fine - coarse))) / 15
        return fine

    def sum(self, expr: sp.Sum, env):
        (index, low, high), = expr.limits
        low, high = int(self.value(low, env)), int(self.value(high, env))
        return sum(self.value(expr.function, {**env, index: i}) for i in range(low, high + 1))

    def integral(self, expr: sp.Integral, env):
        """The integral at two orders (all variables at once); their difference is its error estimate."""
        variables = list(integral_variables(expr))
        fine = self.integrate(expr.function, variables, env, self.order)
        coarse = self.integrate(expr.function, variables, env, self.order // 2 + 2)
        self.error += float(np.max(np.abs(fine - coarse)))
        return fine

    def integrate(self, body, variables: list, env, order: int):
        """∫ body d(variables): the last variable outermost, each on its own panels."""
        variable, inner = variables[-1], variables[:-1]
        integrand = (lambda grid_env: self.integrate(body, inner, grid_env, order)) if inner else (
            lambda grid_env: self.value(body, grid_env))
        return self.gauss_legendre(integrand, variable, env, self.panels(body, variable, env), order)

    def panels(self, body, variable, env) -> np.ndarray:
        points = [self.world.breakpoints.get(variable, np.empty(0))]
        for normal in _placing_normals(body, variable):
            m, s = float(self.value(normal.mean, env)), float(self.value(normal.std, env))
            points.append(m + s * _OFFSETS)
        points = np.unique(np.concatenate(points))
        if points.size < 2:
            raise Unsupported(f"no density of {variable} to place the quadrature: ∫ d{variable} over the real line")
        return points

    def gauss_legendre(self, integrand, variable, env, edges, order):
        nodes, weights = _legendre(order)
        left, right = edges[:-1], edges[1:]
        half = (right - left) / 2
        depth = max((np.ndim(v) for v in env.values()), default=0)
        key = (variable, edges.tobytes(), order, depth)
        if key not in self.grids:
            grid = (np.outer(half, nodes) + ((left + right) / 2)[:, None]).ravel()
            self.grids[key] = grid.reshape(grid.shape + (1,) * depth)
            self.grid_ids.add(id(self.grids[key]))
        grid = self.grids[key]
        values = np.asarray(integrand({**env, variable: grid}), dtype=float)
        values = np.broadcast_to(values, np.broadcast_shapes(values.shape, grid.shape))
        total = np.tensordot(np.outer(half, weights).ravel(), values, axes=(0, 0))
        edge = np.abs(values[[0, -1]]) * (edges[-1] - edges[0])
        if np.any(edge > 1e-6 * (1 + np.abs(total))):
            raise Divergent(f"the integrand of ∫ ... d{variable} does not vanish outside the mass of its densities: "
                            "the integral may diverge")
        return total


def integral_bound_variables(expr) -> set:
    return {v for node in expr.atoms(sp.Integral) for v in integral_variables(node)}


@lru_cache(maxsize=4096)
def _placing_normals(body: sp.Expr, variable: sp.Symbol) -> tuple:
    """The Gaussians of ``variable`` in ``body`` whose mean and scale are known outside the integral: they
    say where its mass is (cached: the same integrands recur in every world)."""
    bound = integral_bound_variables(body)
    return tuple(normal for normal in body.atoms(Normal) if normal.variable == variable
                 and not (normal.mean.free_symbols | normal.std.free_symbols) & bound)


def evaluate(expr: sp.Expr, world: World) -> tuple[float, float]:
    """(value, quadrature error estimate) of ``expr`` in ``world``."""
    evaluator = world.__dict__.setdefault("_evaluator", Evaluator(world))
    evaluator.error = 0.0
    with np.errstate(all="ignore"):
        value = float(np.asarray(evaluator(expr)).reshape(()))
    return value, evaluator.error
