"""A reparameterization sampler z = f(mu, scale[, eps][, rng]) checked by its behaviour.

The sampler is called on batches whose rows all repeat known settings (μ_c, s_c), one setting per latent
coordinate c, so that column c holds many draws that must follow N(μ_c, σ(s_c)²). Every statistical check is
a family of tests, Bonferroni-corrected over its members, with a family-wise false-alarm rate ALPHA = 1e-6:

- mean: Student t of each column mean against μ_c, two-sided at ALPHA / (2·columns);
- variance: chi-square of each column's centred sum of squares over σ_p(s_c)² with n − 1 degrees of
  freedom, two-sided, scipy.stats.chi2 quantiles at ALPHA / (2·columns). The parameterization p reported is
  the one whose implied variance fits every column (logvar: σ² = e^s; log_sigma: σ² = e^{2s}; sigma:
  σ² = s²; var: σ² = s); none fitting is ``sampler-std``. A correct sampler fails its own p with
  probability ≤ ALPHA; the settings are far enough apart that the other three never fit;
- normality: Kolmogorov–Smirnov of the standardized draws (z − μ)/σ_p against N(0, 1) at ALPHA;
- independence: Fisher z of the correlation of every pair of latent coordinates (ALPHA / (2·pairs) each);
  one family of row tests: the correlation of rows at lag 1, at half a call (antithetic halves cat([h, -h])),
  at a call's length when the draws span several calls, between two consecutive calls, and a chi-square of
  each call's noise summed over its rows, lower tail (noise built to cancel: antithetic pairs in any order,
  eps − eps.mean(0)); rows, or any two of six calls with the same inputs (not only consecutive ones: a pool of
  cached noise, a PRNG re-seeded from step % k), that repeat the same noise values exactly, or a call whose
  noise is another's negated (z₁ + z₂ = 2μ), have no fresh noise. All are ``sampler-deterministic``.
A sampler runs at most seven such checks (mean, variance, coordinates, rows and normality on the fitting
settings; mean and variance again on settings in the fitted parameterization's own range: negative log-scales,
σ near 0), so a correct one is flagged with probability ≤ 7e-6. Repeated values (≥ 5 % of rows or of the
values of two calls) cannot happen by chance in continuous noise.

A function that takes ``eps`` is first checked pathwise and exactly: z = μ + σ_p(s)·eps for the eps given.
Gradients of sum(w·z) must be w for μ and w·eps·dσ_p/ds for the scale; numpy cannot carry gradients by
design, so only autodiff frameworks are checked. At extreme scale arguments (log-variance ±30, σ near 0)
z must stay finite where μ + σ·eps is, else a ``nonfinite-at-extremes`` note.

A sampler that changes μ or the scale argument in place (``mu.add_(eps * std)``) is a bug whatever its draws:
the usual forward hands the same tensors to the loss. One whose code cuts sizes (``if eps.size(1) > 8``) is
checked again at a latent size past them (then at most fourteen statistical checks, ≤ 1.4e-5).
"""
from __future__ import annotations

import functools
import inspect
import math
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import numpy as np
from scipy import stats

from .cutoffs import beyond_shapes
from .frameworks import Backend, FrameworkUnavailable, detect, to_numpy
from .report import PARAMETERIZATIONS, Finding, FunctionReport, Shape, verdict_of

ALPHA = 1e-6  # the false-alarm rate of each statistical check (a Bonferroni family)
ROLE = "reparameterize"
SAMPLES = 10_000  # draws per latent coordinate when the function takes any batch size
MIN_SAMPLES = 2_000
MAX_ELEMENTS = 2_000_000
CALL_BUDGET_S = 0.35  # repeated calls of a function that only takes its own batch size
KS_SAMPLES = 20_000
SHAPE_ATTEMPTS = 12
REPEATED_FRACTION = 0.05  # independent continuous noise repeats a value with probability ~1e-7
FRESH_CALLS = 6  # calls with the same inputs compared pairwise: noise cycled through a pool of up to 5 repeats
DEFAULT_SHAPE = (9, 6)  # batch, latent

# (μ, s) settings where all four parameterizations are defined (s > 0) and imply clearly different σ².
_FIT_MEANS = (-1.5, 0.8, 2.0, -0.6, 1.2, -2.2)
_FIT_SCALES = (0.3, 0.55, 0.8, 1.6, 2.3, 3.0)
# Settings in the fitted parameterization's own domain: negative log-scales, σ and σ² near 0 and large.
# σ goes down to 0.05 (log σ² = −6) or below under every parameterization, the range a trained encoder meets
# (``kl.DOMAIN_LOGVAR``), so that a floor on the std (std.clamp(min=0.2), logvar.clamp(min=-3)) shows.
_CONFIRM_SCALES = {"logvar": (-6.0, -3.0, -1.5, -0.5, 0.1), "log_sigma": (-3.0, -2.0, -1.0, -0.3, 0.1),
                   "sigma": (0.02, 0.1, 0.9, 5.0), "var": (0.001, 0.05, 0.9, 8.0)}
# and means up to |μ| = 7.5, as a trained encoder gives the latent dims it uses: a mu.clamp(-3, 3) or a detach
# of large means shows
_CONFIRM_MEANS = (0.4, -5.5, 1.7, 7.5, -0.2)
_EXTREME_SCALES = {"logvar": (-30.0, 30.0), "log_sigma": (-30.0, 30.0),
                   "sigma": (1e-30, 1e10), "var": (1e-60, 1e20)}
_SAMPLER_ROLES = {"mu", "eps", "rng", *PARAMETERIZATIONS}
_SAMPLE_NAMES = {"z", "sample", "samples", "z_sample", "latent", "code", "z_t"}


def implied_variance(parameterization: str, scale: Any) -> np.ndarray:
    """σ² that the scale argument s means under a parameterization."""
    s = np.asarray(scale, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        if parameterization == "logvar":
            return np.exp(s)
        if parameterization == "log_sigma":
            return np.exp(2 * s)
        if parameterization == "sigma":
            return s ** 2
        if parameterization == "var":
            return np.where(s >= 0, s, np.nan)
    raise ValueError(f"unknown parameterization {parameterization!r}")


def implied_std(parameterization: str, scale: Any) -> np.ndarray:
    return np.sqrt(implied_variance(parameterization, scale))


def dlog_std(parameterization: str, scale: Any) -> np.ndarray:
    """d log σ / ds, so that dσ/ds · eps = (z − μ) · d log σ / ds."""
    s = np.asarray(scale, dtype=np.float64)
    return {"logvar": np.full_like(s, 0.5), "log_sigma": np.ones_like(s),
            "sigma": 1 / s, "var": 0.5 / s}[parameterization]


class _Undecided(Exception):
    """Why the sampler cannot be checked."""


class _Unusable(Exception):
    """The call ran but gave nothing a sample of z can be read from."""


@dataclass(frozen=True)
class _Arguments:
    """Which argument is μ, which the scale, and the optional noise and PRNG-key arguments."""

    mu: str
    scale: str
    scale_role: str | None
    eps: str | None = None
    eps_required: bool = False
    rng: tuple[str, ...] = ()
    packed: str | None = None  # one argument holding (μ, scale), as in ``z_mean, z_log_var = inputs``


@dataclass(frozen=True)
class _Column:
    """The draws of one latent coordinate at one setting (μ, s)."""

    mean: float
    scale: float
    draws: np.ndarray

    @property
    def n(self) -> int:
        return len(self.draws)

    @property
    def sample_mean(self) -> float:
        return float(np.mean(self.draws))

    @property
    def sum_of_squares(self) -> float:
        return float(np.sum((self.draws - self.sample_mean) ** 2))

    @property
    def sample_std(self) -> float:
        return math.sqrt(self.sum_of_squares / (self.n - 1))


@dataclass
class _Sampler:
    """The user's function, callable in its framework on rows of repeated settings."""

    call: Callable
    backend: Backend
    args: _Arguments
    batch: int
    latent: int
    path: tuple = ()
    rng: np.random.Generator | None = None
    flexible: bool | None = None
    call_rows: int | None = None  # rows of z one call gave in the last draws (several samples per row: more)

    def inputs(self, means: np.ndarray, scales: np.ndarray, rows: int,
               eps: np.ndarray | None = None) -> dict[str, np.ndarray]:
        mu, scale = np.tile(means, (rows, 1)), np.tile(scales, (rows, 1))
        inputs = {self.args.packed: np.stack([mu, scale])} if self.args.packed else {self.args.mu: mu,
                                                                                     self.args.scale: scale}
        if eps is not None:
            inputs[self.args.eps] = eps
        elif self.args.eps_required:
            inputs[self.args.eps] = self.rng.standard_normal((rows, self.latent))
        return inputs

    def mu_of(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        return inputs[self.args.packed][0] if self.args.packed else inputs[self.args.mu]

    def scale_of(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        return inputs[self.args.packed][1] if self.args.packed else inputs[self.args.scale]

    def output(self, inputs: Mapping[str, np.ndarray]) -> Any:
        return self.backend.call(self.call, inputs, self.args.rng)

    def z(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """The sample, as rows × latent (several samples per row stacked as more rows)."""
        rows = self.mu_of(inputs).shape[0]
        return _as_rows(_pick(self.output(inputs), self.path), rows, self.latent)

    def draws(self, means: np.ndarray, scales: np.ndarray, rows: int) -> np.ndarray:
        """About ``rows`` draws per coordinate: one large batch, or repeated calls if the batch is fixed."""
        if self.flexible is not False and rows > self.batch:
            try:
                z = self.z(self.inputs(means, scales, rows))
                self.flexible, self.call_rows = True, len(z)
                return z
            except Exception:
                if self.flexible:
                    raise
                self.flexible = False
        parts, drawn, started = [], 0, time.perf_counter()
        while drawn < rows and (len(parts) < 2 or time.perf_counter() - started < CALL_BUDGET_S):
            parts.append(self.z(self.inputs(means, scales, self.batch)))
            drawn += len(parts[-1])
        self.call_rows = len(parts[0])
        return np.concatenate(parts)


def check_sampler(function: Callable, *, target: str, arg_roles: dict[str, str], seed: int = 0,
                  examples: int | None = None, shape: Shape | None = None) -> FunctionReport:
    """The verdict on a reparameterization sampler: its parameterization and what it gets wrong.

    ``examples`` is the number of (μ, scale) settings the variance fit uses (default and minimum 6, at most
    24); the draws per setting are fixed by the power the tests need.
    """
    rng = np.random.default_rng(seed)
    try:
        args = _arguments(function, arg_roles)
        sampler = _find_sampler(function, args, shape, seed, rng)
    except _Undecided as why:
        return FunctionReport(target, ROLE, None, None, "undecided", [], str(why))
    try:
        parameterization, findings = _examine(sampler, _fit_settings(rng, examples))
    except _Undecided as why:
        return FunctionReport(target, ROLE, sampler.backend.name, None, "undecided", [], str(why))
    report = FunctionReport(target, ROLE, sampler.backend.name, parameterization, verdict_of(findings), findings)
    _read_against_its_name(report, args, sampler, function)
    _report_modified_inputs(report, sampler, rng)
    if shape is None and report.verdict in ("correct", "convention"):
        _check_beyond_cut_sizes(report, function, sampler, target=target, arg_roles=arg_roles, seed=seed,
                                examples=examples)
    return report


def _check_beyond_cut_sizes(report: FunctionReport, function: Callable, sampler: _Sampler, **options: Any) -> None:
    """The sampler checked again with a latent size (and batch) past those its code cuts at
    (``if eps.size(1) > 8: eps[:, 8] = eps[:, 7]``); its bugs there are the sampler's."""
    shapes = beyond_shapes(Shape(sampler.batch, (1,), sampler.latent), _described(function))
    if not shapes:
        return
    beyond = shapes[0]
    again = check_sampler(function, shape=beyond, **options)
    bugs = [finding for finding in again.findings if finding.severity == "bug"]
    words = f"B={beyond.batch}, d={beyond.latent}"
    for finding in bugs:
        report.findings.append(Finding(finding.code, "bug", f"at {words} (past the sizes the code cuts at): "
                                       f"{finding.message}", {**finding.evidence, "shape": words}))
    if bugs:
        report.verdict = verdict_of(report.findings)


def _report_modified_inputs(report: FunctionReport, sampler: _Sampler, rng: np.random.Generator) -> None:
    """A bug for each argument the sampler changes in place (``mu.add_(eps * std)``, ``logvar.mul_(0.5)``):
    in the usual forward the same μ and scale go on to the KL, which then reads z or σ instead."""
    means = rng.standard_normal((1, sampler.latent))
    scales = rng.uniform(0.5, 1.5, (1, sampler.latent))
    inputs = sampler.inputs(means, scales, sampler.batch)
    for name in sampler.backend.modified_inputs(sampler.call, inputs, sampler.args.rng):
        report.findings.append(Finding(
            "sampler-std", "bug",
            f"the sampler modifies its argument {name} in place: in the usual forward (z = reparameterize(mu, "
            f"logvar); return decode(z), mu, logvar) the loss then reads the changed {name}, not the encoder's; "
            f"compute on new tensors (mu + eps * std, torch.exp(0.5 * logvar))",
            {"argument": name, "in_place": True}))
        report.verdict = verdict_of(report.findings)


_MEANING = {"logvar": "log σ²", "log_sigma": "log σ", "sigma": "σ", "var": "σ²"}
_STD_OF = {"logvar": "exp({s} / 2)", "log_sigma": "exp({s})", "sigma": "{s}", "var": "sqrt({s})"}


def _read_against_its_name(report: FunctionReport, args: _Arguments, sampler: _Sampler, function: Callable) -> None:
    """A sampler whose scale argument's name (or declared role) says one parameterization and whose draws fit
    another (``exp(logvar)``, ``logvar.exp() * eps`` or ``eps * var`` as the std): correct only if the name
    lies, so the verdict holds under the condition "logvar holds log σ", with a note giving the std the name
    asks for; given with a KL that reads the name's way it is a ``parameterization-mismatch``. When the
    code's own variables agree with the name (``var = logvar.exp()`` used as the std, ``std = exp(logvar / 2)``
    then squared), the name does not lie: a ``sampler-std`` bug."""
    named, fitted = args.scale_role, report.parameterization
    if report.verdict not in ("correct", "convention") or named not in _MEANING or fitted not in _MEANING \
            or named == fitted or args.packed:
        return
    name = args.scale
    contradiction = _own_variables_against_behaviour(sampler, function, named, fitted)
    if contradiction is not None:
        report.findings.append(contradiction)
        report.verdict = verdict_of(report.findings)
        return
    condition = f"{name} holds {_MEANING[fitted]}"
    report.identified["scale named"] = {"argument": name, "says": _MEANING[named], "read_as": _MEANING[fitted],
                                        "condition": condition}
    report.identified["condition"] = condition
    used, wanted = _STD_OF[fitted].format(s=name), _STD_OF[named].format(s=name)
    report.findings.append(Finding(
        "sampler-std", "note", f"the std of z is {used}: right if {condition}, but its name says {_MEANING[named]}, "
        f"for which the std is {wanted}; if {name} is {_MEANING[named]} (as a KL reading it so assumes), the noise "
        f"has the wrong scale. Use {wanted}, or state the role with --inputs {name}={fitted}",
        {"argument": name, "name_says": named, "behaviour_fits": fitted, "code_std": used, "std_for_name": wanted}))


def _own_variables_against_behaviour(sampler: _Sampler, function: Callable, named: str,
                                     fitted: str) -> Finding | None:
    """A ``sampler-std`` bug when a local variable of the sampler named as a std holds σ under the
    parameterization the argument's name says while z is spread by another σ, or one named as a variance
    holds that σ² and z is spread by it (the variance used as the std)."""
    means, scales = _row(_FIT_MEANS, sampler.latent), _row(_FIT_SCALES, sampler.latent)
    eps = sampler.rng.standard_normal((sampler.batch, sampler.latent)) if sampler.args.eps_required else None
    inputs = sampler.inputs(means, scales, sampler.batch, eps)
    scale = sampler.scale_of(inputs)
    name = sampler.args.scale
    for local, role, value in _named_locals(sampler, function, inputs):
        if role == "sigma" and _same(value, implied_std(named, scale)):
            what = (f"the code computes {local} = {_STD_OF[named].format(s=name)}, the std if {name} is "
                    f"{_MEANING[named]} as its name says, but z is spread by {_STD_OF[fitted].format(s=name)}")
        elif role == "var" and _same(value, implied_variance(named, scale)) \
                and _same(value, implied_std(fitted, scale)):
            what = (f"z is spread by {local}, the variance if {name} is {_MEANING[named]} as its name says "
                    f"({local} = σ²): the variance used as the standard deviation")
        else:
            continue
        wanted = _STD_OF[named].format(s=name)
        return Finding("sampler-std", "bug", f"{what}; the std is {wanted}", {
            "argument": name, "name_says": named, "behaviour_fits": fitted, "variable": local,
            "input": {sampler.args.mu: means, name: scales}, "derived": {"std": implied_std(named, scales)},
            "code": {"std": implied_std(fitted, scales)}})
    return None


def _named_locals(sampler: _Sampler, function: Callable, inputs: Mapping[str, np.ndarray]) -> list[tuple]:
    """(name, role, value) of the sampler's local variables named as a std or a variance (``std``, ``sigma``,
    ``scale``, ``var``), read at the return of one call; none when they cannot be read."""
    from .roles import role_from_name

    code = getattr(inspect.unwrap(getattr(_described(function), "__func__", _described(function))), "__code__", None)
    if code is None:
        return []
    captured: dict[str, Any] = {}

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None

        def local_tracer(frame, event, arg):
            if event == "return":
                captured.update(frame.f_locals)
            return local_tracer
        return local_tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        sampler.output(inputs)
    except Exception:  # it ran on these inputs before; nothing to read
        return []
    finally:
        sys.settrace(previous)
    found = []
    for local, value in captured.items():
        role = role_from_name(local)
        if role not in ("sigma", "var") or local in inputs:
            continue
        try:
            array = np.asarray(to_numpy(value), dtype=np.float64)
        except Exception:  # not an array
            continue
        found.append((local, role, array))
    return found


def _same(value: np.ndarray, expected: np.ndarray) -> bool:
    try:
        value, expected = np.broadcast_arrays(value, expected)
    except ValueError:
        return False
    return bool(np.all(np.isfinite(value)) and np.allclose(value, expected, rtol=1e-5, atol=1e-8))


# --- arguments and calling ---------------------------------------------------------------------------

def _arguments(function: Callable, arg_roles: Mapping[str, str]) -> _Arguments:
    try:
        parameters = inspect.signature(_described(function)).parameters
    except (TypeError, ValueError) as error:
        raise _Undecided(f"its signature cannot be read ({error})") from None
    takes_keywords = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    roles = {name: role for name, role in arg_roles.items() if name in parameters or takes_keywords}
    foreign = sorted(name for name, role in roles.items() if role not in _SAMPLER_ROLES)
    if foreign:
        raise _Undecided(f"argument(s) {', '.join(foreign)} are not a sampler's (roles "
                         f"{', '.join(roles[name] for name in foreign)})")
    unassigned = [name for name, p in parameters.items() if name not in roles and p.default is p.empty
                  and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    mus = [name for name, role in roles.items() if role == "mu"]
    scales = [name for name, role in roles.items() if role in PARAMETERIZATIONS]
    if not mus and not scales and len(unassigned) == 1:
        packed = unassigned[0]
        return _Arguments(f"{packed}[0]", f"{packed}[1]", None, rng=tuple(
            name for name, role in roles.items() if role == "rng"), packed=packed)
    if not mus and unassigned:
        mus = [unassigned.pop(0)]
    if not scales and unassigned:
        scales = [unassigned.pop(0)]
    if unassigned:
        raise _Undecided(f"argument(s) {', '.join(unassigned)} have no role; name them or give "
                         "--inputs name=role")
    if len(mus) != 1 or len(scales) != 1:
        raise _Undecided("a sampler needs one mean argument and one scale argument; found "
                         f"mean {mus or 'none'}, scale {scales or 'none'}")
    eps = [name for name, role in roles.items() if role == "eps"]
    eps_required = bool(eps) and eps[0] in parameters and parameters[eps[0]].default is inspect.Parameter.empty
    return _Arguments(mus[0], scales[0], roles.get(scales[0]), eps[0] if eps else None, eps_required,
                      tuple(name for name, role in roles.items() if role == "rng"))


def _described(function: Callable) -> Callable:
    """What a callable object's arguments are read from: a torch module's ``forward``, a Keras layer's
    ``call`` (their ``__call__`` takes ``*args, **kwargs``); the function itself otherwise."""
    if inspect.isroutine(function):
        return function
    for name in ("forward", "call"):
        method = getattr(function, name, None)
        if inspect.ismethod(method):
            return method
    return function


def _keyword_callable(function: Callable) -> Callable:
    """``function`` called with keywords only, its positional-only parameters passed by position."""
    parameters = inspect.signature(_described(function)).parameters
    positional = [name for name, p in parameters.items() if p.kind is p.POSITIONAL_ONLY]
    if not positional:
        return function

    def call(**inputs: Any) -> Any:
        leading = [inputs.pop(name) for name in positional if name in inputs]
        return function(*leading, **inputs)

    return call


def _framework_order(function: Callable) -> list[str]:
    return detect(_described(function))


def _find_sampler(function: Callable, args: _Arguments, shape: Shape | None, seed: int,
                  rng: np.random.Generator) -> _Sampler:
    """The first framework (and shape, guided by the errors) in which the function runs and gives a z."""
    plain = _keyword_callable(function)
    first_shape = (shape.batch, shape.latent) if shape is not None else DEFAULT_SHAPE
    errors: list[str] = []
    for name in _framework_order(function):
        try:
            backend = Backend(name, seed)
        except FrameworkUnavailable:
            continue
        calls = [plain] + ([_with_generators(plain, args.rng, name)] if args.rng and name != "jax" else [])
        for call in calls:
            found = _probe_shapes(call, backend, args, first_shape, rng, errors)
            if found is not None:
                return found
    if not errors:
        raise _Undecided("none of its frameworks is installed here")
    raise _Undecided(f"it could not be called as a sampler on mu and {args.scale} of shape "
                     f"{first_shape}: {errors[0]}")


def _probe_shapes(call: Callable, backend: Backend, args: _Arguments, first_shape: tuple[int, int],
                  rng: np.random.Generator, errors: list[str]) -> _Sampler | None:
    """The probe at the first shape, then at the sizes the errors name."""
    queue, tried = [first_shape], []
    while queue and len(tried) < SHAPE_ATTEMPTS:
        batch, latent = queue.pop(0)
        tried.append((batch, latent))
        try:
            return _probe(call, backend, args, batch, latent, rng)
        except _Unusable as why:
            errors.append(f"{backend.name}: {why}")
        except Exception as error:  # the user's code failed on these inputs
            errors.append(f"{backend.name}: {type(error).__name__}: {_first_line(error)}")
            for size in _sizes_named(error):
                for candidate in ((batch, size), (size, latent)):
                    if candidate not in tried and candidate not in queue:
                        queue.append(candidate)
    return None


def _with_generators(call: Callable, rng_names: tuple[str, ...], framework: str) -> Callable:
    """``call`` with its PRNG arguments given as generator objects seeded by the fresh integer seeds
    (``rng.standard_normal(...)``, ``torch.randn(..., generator=g)``) instead of the integers."""
    def generator(seed: Any) -> Any:
        if framework == "torch":
            import torch
            return torch.Generator().manual_seed(int(seed))
        return np.random.default_rng(int(seed))

    def with_generators(**inputs: Any) -> Any:
        return call(**{name: generator(value) if name in rng_names else value for name, value in inputs.items()})

    return with_generators


def _probe(call: Callable, backend: Backend, args: _Arguments, batch: int, latent: int,
           rng: np.random.Generator) -> _Sampler:
    sampler = _Sampler(call, backend, args, batch, latent, rng=rng)
    means, scales = _row(_FIT_MEANS, latent), _row(_FIT_SCALES, latent)
    eps = _known_eps(rng, batch, latent) if args.eps else None
    inputs = sampler.inputs(means, scales, batch, eps)
    first, second = sampler.output(inputs), sampler.output(inputs)
    paths = _z_candidates(first, second, inputs, batch, latent)
    sampler.path = paths[0] if len(paths) == 1 else _closest_to_mu(sampler, paths, means, scales)
    sampler.z(inputs)
    return sampler


def _sizes_named(error: Exception) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r"\d+", str(error)) if 2 <= int(n) <= 4096))


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [""])[0][:200]


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, np.ndarray]]:
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, (tuple, list)) and len(path) < 3:
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))


def _pick(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def _sample_axis(shape: tuple[int, ...], batch: int, latent: int) -> int | None:
    """None when z is batch × latent; 1 or 0 for an axis of several samples after or before the batch."""
    if shape == (batch, latent):
        return None
    if len(shape) == 3 and shape[2] == latent:
        if shape[0] == batch:
            return 1
        if shape[1] == batch:
            return 0
    raise _Unusable(f"it returned shape {shape}, not the shape of mu {(batch, latent)}")


def _as_rows(value: Any, batch: int, latent: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    _sample_axis(array.shape, batch, latent)
    return array.reshape(-1, latent)


def _to_batch(array: np.ndarray, batch: int, latent: int) -> np.ndarray:
    """An array shaped like z summed over its sample axis, if it has one: the shape of mu."""
    axis = _sample_axis(array.shape, batch, latent)
    return array if axis is None else array.sum(axis=axis)


def _z_candidates(first: Any, second: Any, inputs: Mapping[str, np.ndarray], batch: int,
                  latent: int) -> list[tuple]:
    """Where z may sit in the output: arrays shaped like mu that are computed (not an input handed back),
    those that change from call to call if any; one named like a sample if there is one."""
    candidates = []
    for path, array in _leaves(first):
        try:
            _sample_axis(array.shape, batch, latent)
        except _Unusable:
            continue
        candidates.append((path, array))
    if not candidates:
        shapes = [array.shape for _, array in _leaves(first)]
        raise _Unusable(f"it returned nothing shaped like mu {(batch, latent)}"
                        + (f" (arrays of shape {', '.join(map(str, shapes))})" if shapes else ""))

    def handed_back(array: np.ndarray) -> bool:
        return any(array.shape == value.shape and np.array_equal(array, value) for value in inputs.values())

    computed = [(path, array) for path, array in candidates if not handed_back(array)]
    fresh = [path for path, array in computed if not np.array_equal(array, _pick(second, path))]
    paths = fresh or [path for path, _ in computed] or [path for path, _ in candidates][:1]
    named = [path for path in paths if path and str(path[-1]).lower() in _SAMPLE_NAMES]
    return named[:1] or paths


def _closest_to_mu(sampler: _Sampler, paths: list[tuple], means: np.ndarray, scales: np.ndarray) -> tuple:
    """Of several random outputs shaped like mu (z and eps, say), the one whose draws centre on μ."""
    rows = max(sampler.batch, 1000)
    inputs = sampler.inputs(means, scales, rows)
    try:
        output = sampler.output(inputs)
    except Exception:  # a fixed batch size: the probe's own rows
        rows, inputs = sampler.batch, sampler.inputs(means, scales, sampler.batch)
        output = sampler.output(inputs)

    def distance(path: tuple) -> float:
        z = _as_rows(_pick(output, path), rows, sampler.latent)
        spread = z.std(axis=0) + 1e-12
        return float(np.sum(np.abs(z.mean(axis=0) - means) / spread))

    return min(paths, key=distance)


def _row(values: tuple[float, ...] | list[float], latent: int, offset: int = 0) -> np.ndarray:
    return np.array([values[(offset + c) % len(values)] for c in range(latent)], dtype=np.float64)


def _known_eps(rng: np.random.Generator, rows: int, latent: int) -> np.ndarray:
    """Noise values bounded away from 0, so that σ = (z − μ)/eps is well determined."""
    return rng.choice([-1.0, 1.0], size=(rows, latent)) * rng.uniform(0.5, 2.0, size=(rows, latent))


def _fit_settings(rng: np.random.Generator, examples: int | None) -> list[tuple[float, float]]:
    jitter = rng.uniform(-0.2, 0.2, len(_FIT_MEANS)), rng.uniform(0.95, 1.05, len(_FIT_SCALES))
    settings = [(m + dm, s * ds) for m, s, dm, ds in zip(_FIT_MEANS, _FIT_SCALES, *jitter)]
    extra = min(max((examples or 0) - len(settings), 0), 24 - len(settings))
    settings += [(float(rng.uniform(-2, 2)), float(rng.uniform(0.3, 3.0))) for _ in range(extra)]
    return settings


# --- the checks --------------------------------------------------------------------------------------

def _examine(sampler: _Sampler, settings: list[tuple[float, float]]) -> tuple[str | None, list[Finding]]:
    findings: list[Finding] = []
    parameterization, statistical, no_noise, outcome = None, True, False, None
    try:
        if sampler.args.eps:
            outcome, parameterization, found = _pathwise(sampler, settings)
            findings += found
            no_noise = outcome == "ignores eps"
            statistical = outcome == "random" or not sampler.args.eps_required
        if statistical:
            parameterization, found, default_no_noise = _statistical(
                sampler, settings, eps_supplied=sampler.args.eps_required)
            findings += found
            no_noise = no_noise or default_no_noise
        if not no_noise:
            findings += _gradient_findings(sampler, parameterization, eps_is_the_noise=outcome == "fits")
        findings += _extreme_findings(sampler, parameterization or sampler.args.scale_role)
    except _Undecided:
        raise
    except Exception as error:  # the user's code failed on inputs like those it already ran on
        raise _Undecided(f"it failed while being checked: {type(error).__name__}: {_first_line(error)}") from None
    return parameterization, _unique(findings)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, kept = set(), []
    for finding in findings:
        if (finding.code, finding.message) not in seen:
            seen.add((finding.code, finding.message))
            kept.append(finding)
    return kept


def _finding(kind: str, text: str, /, **evidence: Any) -> Finding:
    """A finding of a fixed code; the evidence's "code" entry is what the user's code gave."""
    return Finding(kind, "note" if kind == "nonfinite-at-extremes" else "bug", text, evidence)


def _rounds(settings: list[tuple[float, float]], latent: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rows of (μ, s) per latent coordinate covering every setting (several rows when latent < settings)."""
    means, scales = [m for m, _ in settings], [s for _, s in settings]
    count = max(1, math.ceil(len(settings) / latent))
    return [(_row(means, latent, r * latent), _row(scales, latent, r * latent)) for r in range(count)]


# Pathwise, with eps given: z = μ + σ_p(s)·eps exactly.

def _pathwise(sampler: _Sampler, settings: list[tuple[float, float]]) -> tuple[str, str | None, list[Finding]]:
    """("fits" | "random" | "ignores eps" | "misfit", the parameterization, findings)."""
    outcome, fits, evidence = _pathwise_fit(sampler, settings)
    if outcome == "random":
        return outcome, None, []
    name = sampler.args.scale
    if outcome == "ignores eps":
        mu_only = evidence.pop("mu_only")
        message = ("z = μ whatever eps is: the sampler adds no noise" if mu_only
                   else "z does not depend on eps: the noise passed in is not used")
        return outcome, None, [_finding("sampler-deterministic", message, **evidence)]
    if outcome == "shared":
        return outcome, None, [_finding("sampler-deterministic", evidence.pop("message"), **evidence)]
    if outcome == "misfit":
        return outcome, None, [_finding("sampler-std", _std_message(evidence["code"]["std"],
                                        evidence["input"][name], name, exact=True)
                                        + " (pathwise: z − μ ≠ σ·eps for the eps passed in)", **evidence)]
    parameterization = fits[0]
    confirm = _confirm_settings(parameterization, len(settings))
    outcome, fits, evidence = _pathwise_fit(sampler, confirm)
    if outcome == "fits" and parameterization in fits:
        return "fits", parameterization, []
    std = evidence.get("code", {}).get("std")
    message = (f"z = μ + σ·eps under the {parameterization} parameterization of '{name}' for {name} in "
               f"{_span(settings)}, but not at {name} in {sorted({s for _, s in confirm})}")
    if std is not None:
        message += ": " + _std_message(std, evidence["input"][name], name, exact=True)
    return "misfit", None, [_finding("sampler-std", message, **evidence)]


def _pathwise_fit(sampler: _Sampler, settings: list[tuple[float, float]]) -> tuple[str, list[str], dict]:
    batch, latent, rng = sampler.batch, sampler.latent, sampler.rng
    fits = set(PARAMETERIZATIONS)
    evidence: dict = {}
    for means, scales in _rounds(settings, latent):
        eps = _known_eps(rng, batch, latent)
        inputs = sampler.inputs(means, scales, batch, eps)
        z = sampler.z(inputs)
        if z.shape != eps.shape:  # several samples per row: not the noise passed in
            return "random", [], {}
        if not np.array_equal(z, sampler.z(inputs)):
            return "random", [], {}
        mu = sampler.mu_of(inputs)
        if np.array_equal(z, sampler.z(sampler.inputs(means, scales, batch, _known_eps(rng, batch, latent)))):
            return "ignores eps", [], {"input": {sampler.args.mu: means, sampler.args.scale: scales},
                                       "mu_only": bool(np.allclose(z, mu, rtol=1e-6, atol=1e-9))}
        for parameterization in list(fits):
            expected = mu + implied_std(parameterization, sampler.scale_of(inputs)) * eps
            tolerance = 1e-5 * (np.abs(mu) + np.abs(expected - mu)) + 1e-12
            if not np.all(np.abs(z - expected) <= tolerance):
                fits.discard(parameterization)
        if not fits:
            shared = _shared_supplied_noise(z, mu, sampler.scale_of(inputs), eps)
            if shared is not None:
                return "shared", [], {"message": shared, "input": {sampler.args.mu: means, sampler.args.scale: scales,
                                                                    "eps": eps[:2]}, "code": {"z": z[:2]}}
            with np.errstate(divide="ignore", invalid="ignore"):
                observed = np.median(np.abs((z - mu) / eps), axis=0)
            return "misfit", [], {"input": {sampler.args.mu: means, sampler.args.scale: scales,
                                            "eps": eps[0]},
                                  "derived": {p: implied_std(p, scales) for p in PARAMETERIZATIONS},
                                  "code": {"z": z[0], "std": observed}}
    return "fits", sorted(fits, key=PARAMETERIZATIONS.index), {}


def _shared_supplied_noise(z: np.ndarray, mu: np.ndarray, scale: np.ndarray, eps: np.ndarray) -> str | None:
    """Why z shares the noise passed in across rows or latent dims (``eps[0]``, ``eps[:1]``, ``eps[:, :1]``:
    every row has the same μ and scale, the rows and columns of eps differ), or None. Only asked once z has
    fitted z = μ + σ·eps under no parameterization."""
    rows, latent = z.shape
    if rows > 1:
        repeated = 1 - len(np.unique(np.round(z, 12), axis=0)) / rows
        if repeated >= REPEATED_FRACTION:
            what = "every row" if np.all(z == z[0]) else f"{repeated:.0%} of the rows"
            return (f"the same noise for {what}: the rows of the eps passed in differ, but z repeats one row's "
                    "noise over the batch (eps[0] or eps[:1] broadcast), so the examples of a batch are not "
                    "sampled independently")
    for parameterization in PARAMETERIZATIONS:
        with np.errstate(all="ignore"):
            noise = (z - mu) / implied_std(parameterization, scale)
        if latent > 1 and np.all(np.isfinite(noise)) and np.allclose(noise, noise[:, :1], rtol=1e-6, atol=1e-9) \
                and np.any(noise[:, 0] != 0):
            return (f"the same noise for every latent dim: under the {parameterization} parameterization z − μ is "
                    "σ times one noise value per row (eps[:, :1] broadcast over the latent dims), while the "
                    "eps passed in has independent columns")
    return None


def _confirm_settings(parameterization: str, count: int) -> list[tuple[float, float]]:
    scales = _CONFIRM_SCALES[parameterization]
    return [(_CONFIRM_MEANS[i % len(_CONFIRM_MEANS)], scales[i % len(scales)])
            for i in range(max(count, len(scales)))][:max(len(scales), 4)]


# Statistical, with the sampler's own noise.

def _statistical(sampler: _Sampler, settings: list[tuple[float, float]],
                 eps_supplied: bool) -> tuple[str | None, list[Finding], bool]:
    """(the fitted parameterization, findings, whether z = μ with no noise at all)."""
    if not eps_supplied:
        found, no_noise = _fresh_noise_findings(sampler)
        if found:
            return None, found, no_noise
    rows = max(MIN_SAMPLES, min(SAMPLES, MAX_ELEMENTS // sampler.latent))
    rounds = _drawn_rounds(sampler, settings, rows)
    findings = _noise_sharing_findings(sampler, rounds)
    if findings:
        return None, findings, False
    columns = _columns(rounds)
    findings = _moderate_findings(sampler, columns)
    if findings:
        return None, findings, False
    fits = _fitted(columns)
    if not fits:
        return None, [_variance_finding(sampler, columns)], False
    parameterization = fits[0]
    findings = _normality_findings(sampler, columns, parameterization)
    if findings:
        return None, findings, False
    confirm = _confirm_settings(parameterization, len(settings))
    columns = _columns(_drawn_rounds(sampler, confirm, rows))
    findings = _moderate_findings(sampler, columns)
    if not findings and not _variance_fits(columns, parameterization):
        finding = _variance_finding(sampler, columns)
        name = sampler.args.scale
        findings = [_finding("sampler-std", f"the variance fits the {parameterization} parameterization of "
                             f"'{name}' for {name} in {_span(settings)} but not at {name} in "
                             f"{sorted({s for _, s in confirm})}: {finding.message}", **finding.evidence)]
    if not findings and not eps_supplied:
        findings = _repeated_across_calls(sampler)
    return (None if findings else parameterization), findings, False


def _drawn_rounds(sampler: _Sampler, settings: list[tuple[float, float]],
                  rows: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return [(means, scales, sampler.draws(means, scales, rows)) for means, scales in _rounds(settings, sampler.latent)]


def _span(settings: list[tuple[float, float]]) -> str:
    scales = [s for _, s in settings]
    return f"[{min(scales):.2g}, {max(scales):.2g}]"


def _columns(rounds: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[_Column]:
    return [_Column(float(means[c]), float(scales[c]), z[:, c]) for means, scales, z in rounds
            for c in range(z.shape[1])]


def _fresh_noise_findings(sampler: _Sampler) -> tuple[list[Finding], bool]:
    """Two calls with the same inputs must give different z; rows with the same inputs too. The flag:
    z = μ, no noise at all."""
    means, scales = _row(_FIT_MEANS, sampler.latent), _row(_FIT_SCALES, sampler.latent)
    inputs = sampler.inputs(means, scales, sampler.batch)
    first, second = sampler.z(inputs), sampler.z(inputs)
    mu = np.tile(means, (len(first), 1))
    evidence = {"input": {sampler.args.mu: means, sampler.args.scale: scales}, "code": {"z": first[:2]},
                "calls": 2, "rows": first.shape[0]}
    keyed = f" although a fresh key was passed in '{sampler.args.rng[0]}'" if sampler.args.rng else ""
    if np.array_equal(first, second):
        if np.allclose(first, mu, rtol=1e-6, atol=1e-9):
            return [_finding("sampler-deterministic", "z = μ: the sampler adds no noise (no eps term, or an "
                             "eval-mode branch returning mu)", **evidence)], True
        if first.shape[0] > 1 and np.all(first == first[0]):
            return [_finding("sampler-deterministic", "the same noise for every row and on every call: the "
                             "noise is drawn once and reused" + keyed, **evidence)], False
        return [_finding("sampler-deterministic", "two calls with the same inputs return the same z: no fresh "
                         "noise (noise drawn once and reused, or the PRNG seeded or keyed inside the call)"
                         + keyed, **evidence)], False
    repeated = float(np.mean(first == second))
    if repeated >= REPEATED_FRACTION:
        return [_finding("sampler-deterministic", f"{repeated:.0%} of the noise values repeat from one call to "
                         "the next: the noise is partly reused", repeated_fraction=repeated, **evidence)], False
    if first.shape[0] > 1 and np.all(first == first[0]):
        return [_finding("sampler-deterministic", "the same noise for every row: one eps is broadcast over "
                         "the batch", **evidence)], False
    third = sampler.z(inputs)
    negated = max(_negated_fraction(first, second, mu), _negated_fraction(second, third, mu))
    if negated >= REPEATED_FRACTION:
        return [_finding("sampler-deterministic", f"{negated:.0%} of the noise values of a call are those of the "
                         "previous call negated (z₁ + z₂ = 2μ): the noise is reused with its sign flipped, not drawn "
                         "afresh", negated_fraction=negated, **{**evidence, "calls": 3})], False
    return [], False


def _repeated_across_calls(sampler: _Sampler) -> list[Finding]:
    """Every pair of FRESH_CALLS calls with the same inputs, not only consecutive ones: noise cached and
    cycled through a pool, or a PRNG re-seeded from a step counter modulo k, repeats a call k calls later.
    Run after the statistical checks, so that their draws are those of a sampler called as before."""
    means, scales = _row(_FIT_MEANS, sampler.latent), _row(_FIT_SCALES, sampler.latent)
    inputs = sampler.inputs(means, scales, sampler.batch)
    calls = [sampler.z(inputs) for _ in range(FRESH_CALLS)]
    mu = np.tile(means, (len(calls[0]), 1))
    evidence = {"input": {sampler.args.mu: means, sampler.args.scale: scales}, "code": {"z": calls[0][:2]},
                "calls": len(calls), "rows": calls[0].shape[0]}
    pairs = [(i, j) for i in range(len(calls)) for j in range(i + 1, len(calls)) if calls[i].shape == calls[j].shape]
    for i, j in pairs:
        repeated = float(np.mean(calls[i] == calls[j]))
        if repeated >= REPEATED_FRACTION:
            whole = "the same z" if repeated == 1.0 else f"{repeated:.0%} of the same noise values"
            return [_finding("sampler-deterministic", f"calls {i + 1} and {j + 1} of {len(calls)} with the same "
                             f"inputs return {whole}: the noise repeats every {j - i} calls (a pool of cached noise, "
                             "or a PRNG re-seeded from a counter), not drawn afresh", repeated_fraction=repeated,
                             repeated_calls=[i + 1, j + 1], **evidence)]
    for i, j in pairs:
        negated = _negated_fraction(calls[i], calls[j], mu)
        if negated >= REPEATED_FRACTION:
            return [_finding("sampler-deterministic", f"{negated:.0%} of the noise values of call {j + 1} are those "
                             f"of call {i + 1} negated (z₁ + z₂ = 2μ): the noise is reused with its sign flipped, not "
                             "drawn afresh", negated_fraction=negated, repeated_calls=[i + 1, j + 1], **evidence)]
    return []


def _negated_fraction(first: np.ndarray, second: np.ndarray, mu: np.ndarray) -> float:
    """The share of values where the second call's noise is the first's negated, up to rounding."""
    if first.shape != second.shape or first.shape != mu.shape:
        return 0.0
    tolerance = 1e-5 * (np.abs(first) + np.abs(second) + np.abs(mu)) + 1e-300
    return float(np.mean(np.abs((first - mu) + (second - mu)) <= tolerance))


def _noise_sharing_findings(sampler: _Sampler, rounds: list) -> list[Finding]:
    """Independence across rows and latent dims: no repeated rows, no correlated coordinates."""
    name = sampler.args.scale
    evidence_input = {sampler.args.mu: rounds[0][0], name: rounds[0][1]}
    for _, _, z in rounds:
        if len(z) > 1 and np.all(z == z[0]):
            return [_finding("sampler-deterministic", "the same noise for every row: one eps is broadcast over "
                             "the batch", input=evidence_input, code={"z": z[:2]})]
        constant = [int(j) for j in np.flatnonzero(np.all(z == z[:1], axis=0))] if len(z) > 1 else []
        if constant:
            return [_finding("sampler-deterministic", f"latent dim{'s' if len(constant) > 1 else ''} "
                             f"{', '.join(map(str, constant))} of z {'are' if len(constant) > 1 else 'is'} the same in "
                             f"every one of {len(z)} rows with the same inputs: its noise is one value shared across "
                             "the batch (or there is none), while σ > 0 there", input=evidence_input,
                             code={"z": z[:2]}, constant_dims=constant)]
        repeated = 1 - len(np.unique(z @ sampler.rng.standard_normal(z.shape[1]))) / len(z)  # rows as numbers
        if repeated >= REPEATED_FRACTION:
            return [_finding("sampler-deterministic", f"the same noise for several rows: {repeated:.0%} of "
                             f"{len(z)} rows with the same inputs repeat another row exactly",
                             input=evidence_input, repeated_fraction=repeated)]
    standardized = []
    for _, _, z in rounds:
        spread = z.std(axis=0)
        live = spread > 0
        standardized.append((z[:, live] - z[:, live].mean(axis=0)) / spread[live])
    pairs = sum(e.shape[1] * (e.shape[1] - 1) // 2 for e in standardized)
    if pairs:
        critical = stats.norm.isf(ALPHA / (2 * pairs))
        for e in standardized:
            if e.shape[1] < 2:
                continue
            r = np.corrcoef(e, rowvar=False)
            np.fill_diagonal(r, 0)
            j, k = np.unravel_index(np.argmax(np.abs(r)), r.shape)
            score = abs(math.atanh(min(abs(r[j, k]), 1 - 1e-15))) * math.sqrt(len(e) - 3)
            if score > critical:
                return [_finding("sampler-deterministic", f"latent coordinates {j} and {k} share their noise: "
                                 f"correlation {r[j, k]:.3f} over {len(e)} draws (Fisher z {score:.1f} > "
                                 f"{critical:.2f}, false-alarm rate {ALPHA:g} over {pairs} pairs)",
                                 input=evidence_input, correlation=float(r[j, k]), test="Fisher z, Bonferroni")]
    return _dependent_rows_findings(sampler, rounds, standardized, evidence_input)


def _dependent_rows_findings(sampler: _Sampler, rounds: list, standardized: list[np.ndarray],
                             evidence_input: dict) -> list[Finding]:
    """Rows whose noise depends on other rows': neighbours (lag 1), the two halves of a call (antithetic
    noise, cat([h, -h])), the same row of consecutive calls, and a call's noise summing to zero over its rows
    (antithetic or centred noise, whatever the pairing). One Bonferroni family at ALPHA."""
    call = sampler.call_rows or sampler.batch
    lagged = [(e, lag) for e in standardized if e.shape[1] for lag in _row_lags(call, len(e))]
    consecutive = _consecutive_calls(sampler, rounds, standardized)
    family = len(lagged) + len(consecutive) + len(rounds)
    critical = stats.norm.isf(ALPHA / (2 * family))
    for e, lag in lagged:
        score = float(np.sum(e[lag:] * e[:-lag]) / math.sqrt((len(e) - lag) * e.shape[1]))
        if abs(score) > critical:
            r = score / math.sqrt((len(e) - lag) * e.shape[1])
            return [_finding("sampler-deterministic", f"{_lag_words(lag, call)} share their noise: correlation "
                             f"{r:.3f} (|z| {abs(score):.1f} > {critical:.2f}, false-alarm rate {ALPHA:g})"
                             + (": antithetic noise (rows paired with their negation), not independent draws"
                                if r < -0.5 else ""),
                             input=evidence_input, correlation=r, lag=lag, rows_per_call=call,
                             test=f"lag-{lag} correlation, normal")]
    for first, second in consecutive:
        rows = min(len(first), len(second))
        score = float(np.sum(first[:rows] * second[:rows]) / math.sqrt(rows * first.shape[1]))
        if abs(score) > critical:
            r = score / math.sqrt(rows * first.shape[1])
            return [_finding("sampler-deterministic", f"two consecutive calls share their noise: correlation {r:.3f} "
                             f"between the rows of one call and the next (|z| {abs(score):.1f} > {critical:.2f}, "
                             f"false-alarm rate {ALPHA:g})", input=evidence_input, correlation=r,
                             test="correlation between calls, normal")]
    for means, _, z in rounds:
        finding = _zero_sum_finding(z - means, call, ALPHA / family, evidence_input)
        if finding is not None:
            return [finding]
    return []


def _row_lags(call: int, rows: int) -> list[int]:
    """1, the half of a call (both roundings) and, when the draws span several calls, a call's length."""
    lags = {1, call // 2, (call + 1) // 2} | ({call} if call < rows else set())
    return sorted(lag for lag in lags if 1 <= lag <= rows - 3)


def _lag_words(lag: int, call: int) -> str:
    if lag == 1:
        return "neighbouring rows"
    if lag == call:
        return f"row i of one call and row i of the next (calls of {call} rows)"
    return f"rows i and i + {lag} of one call of {call} rows"


def _consecutive_calls(sampler: _Sampler, rounds: list, standardized: list[np.ndarray]) -> list[tuple]:
    """Pairs of standardized draws of two consecutive calls (one call per round when the batch is free; a
    second call at the first settings when there is one round only)."""
    if not sampler.flexible:
        return []
    draws = list(standardized)
    if len(draws) == 1:
        means, scales, z = rounds[0]
        again = sampler.draws(means, scales, len(z))
        spread = again.std(axis=0)
        live = spread > 0
        if again.shape[1] != z.shape[1] or not np.array_equal(live, z.std(axis=0) > 0):
            return []
        draws.append((again[:, live] - again[:, live].mean(axis=0)) / spread[live])
    return [(a, b) for a, b in zip(draws, draws[1:]) if a.shape[1] == b.shape[1] and a.shape[1]]


def _zero_sum_finding(deviations: np.ndarray, call: int, alpha: float, evidence_input: dict) -> Finding | None:
    """The noise of each call summed over its rows, against the chi-square law of independent noise: a sum
    far nearer zero than chance allows is noise built to cancel (antithetic halves, eps − eps.mean(0))."""
    calls = len(deviations) // call
    if calls == 0 or call < 2:
        return None
    variance = np.mean(deviations ** 2, axis=0)
    live = variance > 0
    if not np.any(live):
        return None
    chunks = deviations[:calls * call, live].reshape(calls, call, -1)
    statistic = float(np.sum(call * chunks.mean(axis=1) ** 2 / variance[live]))
    degrees = chunks.shape[0] * chunks.shape[2]
    if stats.chi2.cdf(statistic, degrees) >= alpha:
        return None
    return _finding("sampler-deterministic", f"the noise of a call sums to (nearly) zero over its {call} rows: "
                    f"chi-square {statistic:.3g} on {degrees} degrees of freedom, where independent noise gives "
                    f"about {degrees} (below {stats.chi2.ppf(alpha, degrees):.3g} with probability {alpha:.2g}): "
                    "antithetic or centred noise, not independent draws", input=evidence_input,
                    chi_square=statistic, degrees_of_freedom=degrees, test="chi-square, lower tail")


def _moderate_findings(sampler: _Sampler, columns: list[_Column]) -> list[Finding]:
    """Finite draws whose mean is μ (a t test per column, Bonferroni, ALPHA in all)."""
    mu_name, name = sampler.args.mu, sampler.args.scale
    for column in columns:
        if not np.all(np.isfinite(column.draws)):
            return [_finding("sampler-std", f"z is not finite at {mu_name}={column.mean:.3g}, "
                             f"{name}={column.scale:.3g}, where μ + σ·eps is", input={mu_name: column.mean,
                             name: column.scale}, nonfinite=int(np.sum(~np.isfinite(column.draws))))]
    family = len(columns)
    for column in columns:
        n, mean, std = column.n, column.sample_mean, column.sample_std
        if std == 0:
            wrong = abs(mean - column.mean) > 1e-6 * (1 + abs(column.mean))
            score, critical = (math.inf if wrong else 0.0), 0.0
        else:
            score = (mean - column.mean) / (std / math.sqrt(n))
            critical = _t_critical(family, n)
        if abs(score) > critical:
            return [_finding("sampler-std", f"the mean of z is not μ: at {mu_name}={column.mean:.3g}, "
                             f"{name}={column.scale:.3g} the mean of {n} draws is {mean:.4g} (t = {score:.3g}; "
                             f"a correct sampler gives |t| < {critical:.2f}, false-alarm rate {ALPHA:g})",
                             input={mu_name: column.mean, name: column.scale},
                             derived={"mean": column.mean}, code={"mean": mean, "std": std}, draws=n,
                             test="Student t, Bonferroni over coordinates")]
    return []


@functools.lru_cache(maxsize=256)
def _t_critical(family: int, n: int) -> float:
    return float(stats.t.isf(ALPHA / (2 * family), n - 1))


@functools.lru_cache(maxsize=256)
def _chi2_interval(family: int, degrees: int) -> tuple[float, float]:
    return float(stats.chi2.ppf(ALPHA / (2 * family), degrees)), float(stats.chi2.isf(ALPHA / (2 * family), degrees))


def _variance_fits(columns: list[_Column], parameterization: str) -> bool:
    """Chi-square, two-sided, Bonferroni over columns: every column's variance is σ_p(s)²."""
    family = len(columns)
    for column in columns:
        variance = float(implied_variance(parameterization, column.scale))
        if not (math.isfinite(variance) and variance > 0):
            return False
        low, high = _chi2_interval(family, column.n - 1)
        if not low <= column.sum_of_squares / variance <= high:
            return False
    return True


def _fitted(columns: list[_Column]) -> list[str]:
    """The parameterizations whose variance fits every column, the closest first."""
    def distance(parameterization: str) -> float:
        return sum(abs(math.log(c.sum_of_squares / (c.n - 1) / float(implied_variance(parameterization, c.scale))))
                   for c in columns)

    return sorted((p for p in PARAMETERIZATIONS if _variance_fits(columns, p)), key=distance)


def _variance_finding(sampler: _Sampler, columns: list[_Column]) -> Finding:
    name = sampler.args.scale
    observed = np.array([c.sample_std for c in columns])
    scales = np.array([c.scale for c in columns])
    return _finding("sampler-std", _std_message(observed, scales, name, exact=False),
                    input={sampler.args.mu: [c.mean for c in columns], name: scales},
                    derived={p: implied_std(p, scales) for p in PARAMETERIZATIONS},
                    code={"std": observed}, draws=columns[0].n,
                    test=f"chi-square on the centred sum of squares, two-sided, false-alarm rate {ALPHA:g} "
                         "per parameterization, Bonferroni over coordinates")


def _std_message(observed: Any, scales: Any, name: str, exact: bool) -> str:
    """What the measured std is, against σ under each parameterization: a constant factor if there is one."""
    observed, scales = np.asarray(observed, dtype=float), np.asarray(scales, dtype=float)
    spread = 1e-4 if exact else 0.15
    best = None
    for parameterization in PARAMETERIZATIONS:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = observed / implied_std(parameterization, scales)
        if np.all(np.isfinite(ratio)) and np.all(ratio > 0):
            width = float(np.max(ratio) / np.min(ratio) - 1)
            factor = float(np.exp(np.mean(np.log(ratio))))
            if width <= spread and abs(factor - 1) > spread and (best is None or width < best[0]):
                best = (width, parameterization, factor)
    if best is not None:
        _, parameterization, factor = best
        return (f"std {factor:.3g}·σ: the noise is scaled by {factor:.3g} (σ under the {parameterization} "
                f"parameterization of '{name}')")
    if np.all(observed == 0):
        return "std 0: z = μ, no noise"
    with np.errstate(divide="ignore", invalid="ignore"):
        misfit = np.nanmin([np.abs(np.log(observed / implied_std(p, scales))) for p in PARAMETERIZATIONS], axis=0)
    i = int(np.nanargmax(np.where(np.isfinite(misfit), misfit, np.inf))) if np.any(~np.isnan(misfit)) else 0
    implied = ", ".join(f"{p} {float(implied_std(p, scales[i])):.3g}" for p in PARAMETERIZATIONS)
    return (f"the std of z fits no parameterization of '{name}': at {name}={scales[i]:.3g} it is "
            f"{observed[i]:.3g}, while σ is {implied}")


def _normality_findings(sampler: _Sampler, columns: list[_Column], parameterization: str) -> list[Finding]:
    """Kolmogorov–Smirnov of (z − μ)/σ_p against N(0, 1), false-alarm rate ALPHA."""
    per_column = max(1, KS_SAMPLES // len(columns))
    standardized = np.concatenate([(c.draws[:per_column] - c.mean) / float(implied_std(parameterization, c.scale))
                                   for c in columns])
    result = stats.kstest(standardized, "norm")
    if result.pvalue >= ALPHA:
        return []
    return [_finding("sampler-std", f"the noise is not Gaussian: Kolmogorov–Smirnov D = {result.statistic:.3g} "
                     f"over {len(standardized)} standardized draws (p = {result.pvalue:.2g} < {ALPHA:g})",
                     input={sampler.args.mu: [c.mean for c in columns], sampler.args.scale: [c.scale for c in columns]},
                     statistic=float(result.statistic), draws=len(standardized),
                     test="Kolmogorov-Smirnov against N(0, 1)")]


# Gradients and numerics.

def _gradient_findings(sampler: _Sampler, parameterization: str | None, eps_is_the_noise: bool) -> list[Finding]:
    """Pathwise gradients of sum(w·z): w for μ, w·eps·dσ/ds for the scale (autodiff frameworks only), on the
    fitting settings and again on the fitted parameterization's own range (negative log-scales, σ near 0),
    where a gradient cut only there (a detach under a condition on s) shows.

    eps is read back as (z − μ)/σ from the z of the same call, or is the eps passed in where z = μ + σ·eps
    was shown pathwise.
    """
    if sampler.backend.name == "numpy":
        return []
    latent = sampler.latent
    found = _gradient_at(sampler, parameterization, eps_is_the_noise, _row(_FIT_MEANS, latent),
                         _row(_FIT_SCALES, latent))
    if found or parameterization not in _CONFIRM_SCALES:
        return found
    for means, scales in _rounds(_confirm_settings(parameterization, 0), latent):  # every setting, any latent
        found = _gradient_at(sampler, parameterization, eps_is_the_noise, means, scales)
        if found:
            return found
    return []


def _gradient_at(sampler: _Sampler, parameterization: str | None, eps_is_the_noise: bool, means: np.ndarray,
                 scales: np.ndarray) -> list[Finding]:
    args, batch, latent, rng = sampler.args, sampler.batch, sampler.latent, sampler.rng
    eps = _known_eps(rng, batch, latent) if args.eps_required else None
    inputs = sampler.inputs(means, scales, batch, eps)
    shape = np.shape(_pick(sampler.output(inputs), sampler.path))
    weights = rng.standard_normal(shape)
    captured: dict[str, Any] = {}

    def select(output: Any) -> Any:
        captured["z"] = _pick(output, sampler.path)
        return captured["z"]

    names = (args.mu, args.scale)
    evidence = {"input": {args.mu: means, args.scale: scales}, "weights": "w ~ N(0, 1)"}
    try:
        if args.packed:
            packed = sampler.backend.gradient(sampler.call, inputs, [args.packed], select, weights, args.rng)
            both = packed[args.packed]
            grads = dict(zip(names, (None, None) if both is None else (both[0], both[1])))
        else:
            grads = sampler.backend.gradient(sampler.call, inputs, list(names), select, weights, args.rng)
    except Exception as error:
        return [_finding("sampler-no-gradient", f"no gradient flows through the sampler: differentiating "
                         f"sum(w·z) raised {type(error).__name__}: {_first_line(error)}", **evidence)]
    missing = [name for name in names if grads.get(name) is None or not np.any(grads[name])]
    if missing:
        zero = " and ".join(f"d sum(w·z)/d{name}" for name in missing)
        return [_finding("sampler-no-gradient", f"no gradient flows to {' or '.join(repr(n) for n in missing)}: "
                         f"{zero} {'is' if len(missing) == 1 else 'are'} zero (detach, .data, stop_gradient, a "
                         "numpy round trip, a non-reparameterized sample or no_grad inside the sampler)", **evidence)]
    expected_mu = _to_batch(weights, batch, latent)
    if not _close(grads[args.mu], expected_mu):
        return [_finding("sampler-no-gradient", f"d sum(w·z)/d{args.mu} is not w: z is not μ + noise along "
                         "the pathwise gradient", derived=expected_mu[0], code=grads[args.mu][0], **evidence)]
    if parameterization is None:
        return []
    mu, s = sampler.mu_of(inputs), sampler.scale_of(inputs)
    try:
        z = np.asarray(to_numpy(captured["z"]), dtype=np.float64)
    except Exception:  # a traced value (JAX): its noise cannot be read back
        z = None
    if z is not None and z.shape == weights.shape:
        mu_like = mu if z.shape == mu.shape else (mu[:, None, :] if _sample_axis(z.shape, batch, latent) == 1
                                                 else mu[None, :, :])
        pathwise = weights * (z - mu_like)
    elif eps is not None and eps_is_the_noise:
        pathwise = weights * eps * implied_std(parameterization, s)
    else:
        return []
    expected_s = _to_batch(pathwise, batch, latent) * dlog_std(parameterization, s)
    if not _close(grads[args.scale], expected_s):
        return [_finding("sampler-no-gradient", f"d sum(w·z)/d{args.scale} is not the pathwise w·eps·dσ/d"
                         f"{args.scale} of the {parameterization} parameterization", derived=expected_s[0],
                         code=grads[args.scale][0], **evidence)]
    return []


def _close(actual: Any, expected: np.ndarray) -> bool:
    actual = np.asarray(actual, dtype=np.float64)
    if actual.shape != expected.shape:
        return False
    return bool(np.allclose(actual, expected, rtol=1e-4, atol=1e-6 * max(1.0, float(np.max(np.abs(expected))))))


def _extreme_findings(sampler: _Sampler, parameterization: str | None) -> list[Finding]:
    """z finite at extreme scale arguments where μ + σ·eps is finite (a note)."""
    if parameterization not in _EXTREME_SCALES:
        return []
    args, batch, latent = sampler.args, sampler.batch, sampler.latent
    means = _row(_FIT_MEANS, latent)
    findings = []
    for value in _EXTREME_SCALES[parameterization]:
        scales = np.full(latent, value)
        eps = _known_eps(sampler.rng, batch, latent) if args.eps_required else None
        sigma = float(implied_std(parameterization, value))
        evidence = {"input": {args.mu: means, args.scale: value}, "derived": f"finite (σ = {sigma:.3g})"}
        try:
            z = sampler.z(sampler.inputs(means, scales, batch, eps))
        except Exception as error:
            findings.append(_finding("nonfinite-at-extremes", f"at {args.scale}={value:g} the sampler raised "
                                     f"{type(error).__name__}: {_first_line(error)}", **evidence))
            continue
        bad = ~np.isfinite(z)
        if np.any(bad):
            findings.append(_finding("nonfinite-at-extremes", f"z is not finite at {args.scale}={value:g}, where "
                                     f"μ + σ·eps is (σ = {sigma:.3g})", code={"z": z[bad][:3]},
                                     nonfinite=int(bad.sum()), **evidence))
    return findings


__all__ = ["ALPHA", "check_sampler", "implied_variance", "implied_std", "dlog_std"]
