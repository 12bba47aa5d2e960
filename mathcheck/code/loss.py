"""What a loss or a KL function computes, identified from its values on inputs chosen here.

The experiment. For each of a few shapes (a base (B, D, d) and one variant each of B, D and d) the function
is called at a base input, at inputs where only (μ, s) change ("kl" probes: μ redrawn, s all low, s all
high, both redrawn) and at inputs where only the decoder output and the data change ("recon" probes). On
each shape the output is fitted by least squares:

- the KL probes against w_k · Σ KL(μ, s; parameterization) + c, for each of log σ², log σ, σ, σ² (the
  closed form of ``derivations/gaussian_kl_std.py``, via ``mathcheck.gaussian.kl_normal_std_logvar``);
- the recon probes against w_r · Σ NLL(r, x; family) + c, for the families of :mod:`.reconstruction`;
- all probes together against w_r · Σ NLL + w_k · Σ KL + c (the terms add up).

The first probes draw the raw scale argument in (0.2, 2), where all four parameterizations are defined; for
log σ² and log σ that is σ > 1 only. So a KL identified there is confirmed on probes over its own
parameterization's range (``kl.DOMAIN_LOGVAR``: σ from 0.05 to 3, μ of both signs), and a Bernoulli family on
probabilities near 0 and 1 (0.01, 0.99) or on logits up to ±8. Then the gradient: the code's gradient of
Σ w·output with respect to μ, the scale and the decoder output must be that of the fitted terms
(:mod:`.gradients`, references by torch autograd), since a detached term keeps the value and loses the training.

The sums follow the output's layout (one number, one per example, one per latent or data entry). A fit is
exact when no output is further from it than ``fit.TOLERANCE`` (1e-3) of its fitted terms, beyond the
rounding of the precision the function's results come in (``fit.ROUNDING``: 64 ulp of the output). The
recon probes set the decoder output to agree with the data (0.9 where x = 1, 0.1 where x = 0), to disagree,
and to 0.5: sums of random outputs over many entries hardly tell one likelihood from another. A Gaussian or
L1 found on binary data is fitted again on data in (0, 1), a family that reads logits again on logits in
(−4, 4), where formulas that only agree with it on the first inputs part. How the fitted weights change
with B, D and d (``fit.weight_law``) is the reduction: w_k ∝ 1/d is a KL averaged over the latent dims, w_r ∝ 1/D a per-pixel mean, a common 1/B a
batch mean. The constants c over the shapes split into a per-latent-entry part (a wrong KL constant: the
−1 missing is +½ per entry) and the rest (a Gaussian's log 2πσ², an offset: harmless in a loss).

What is a finding (severity):
- a KL fitted with a negative weight: ``kl-sign``; a negative weight on the NLL: ``reconstruction-sign``
  (bug). A function whose name says ELBO (and not a negative one) is expected to be −(loss).
- the KL averaged over the latent dims: ``kl-mean-over-latent`` (bug);
- a bare KL function (role kl) off by a factor (e.g. 2: the ½ missing) or by a constant: ``kl-constant``
  (bug). In a loss a factor on the KL alone is a β (``beta``, convention): a loss-internal weight on one
  term is how β-VAEs are written, while a function that claims to return the KL must return it; but a β of
  2 in code that names no weight (``names_a_weight``) is the KL's ½ missing: ``kl-constant`` (bug);
- a KL with a per-entry constant offset inside a loss: ``kl-constant`` (bug: the reported ELBO is wrong);
- the terms reduced differently over the data dims, the latent dims (other than the KL mean) or the batch:
  ``reduction-mismatch`` (bug), with the weight this puts on the KL relative to the ELBO;
- the same factor on both terms other than the batch mean (a loss divided by B·D, or halved): ``scale``
  (convention). A mean over the batch is a reduction of the ELBO's sum: no finding.
- a size the code writes as a constant (``IMAGE_PIXELS = 784``, ``BATCH_SIZE = 128``, ``LATENT = 20``, found by
  ``size_constants``) is read as the reduction over the dimension it stands for and judged at that size: a BCE
  summed and divided by 784 beside a summed KL is a ``reduction-mismatch``, a per-pixel mean × ``original_dim``
  is the sum; a weight-named number (β = 4, ``kl_weight``) stays a β;
- a Gaussian (Laplace) NLL's weight is its variance σ² (scale b), so it is no β: the weight reads as β only
  when the NLL is a plain Σ(x − r)² or ½Σ(x − r)² (|x − r|), and otherwise as a common scale;
- no parameterization fits: ``kl-form``; no family fits: ``reconstruction-form``; each with the wrong form
  named when it is one of the known ones, and a counterexample at readable inputs;
- a KL right on the first probes and wrong over its range (``logvar.abs()``, ``clamp(min=0)``): ``kl-form``;
  a reconstruction right on the first probes and wrong near 0 and 1 or for large logits:
  ``reconstruction-form``; a gradient that is not that of the value (a term, μ, the scale or the decoder output
  detached): ``kl-form`` or ``reconstruction-form``, naming the input (bug);
- a decoder output named as probabilities (recon_x, x_hat, probs) that the code reads as logits, or named
  logits and read as probabilities: a ``reconstruction-form`` note "correct if recon_x holds logits" (a double
  sigmoid when the decoder ends in one), and the verdict line says so. A scale argument named as one
  parameterization and read as another (``logvar`` used as log σ) is no finding: the behaviour decides, and
  ``identified["scale named"]`` keeps what the name said (``assert_vae_loss(allow_conventions=False)`` fails on it);
- inf or nan where the math is finite (log-variance ±30 or its equivalent, logits ±50, probabilities at
  exactly 0 or 1 where the data agree): ``nonfinite-at-extremes`` (note); a finite value there that differs
  from the KL (a clamp of the scale argument): a ``kl-form`` note.
"""
from __future__ import annotations

import ast
import functools
import inspect
import itertools
import re
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterator, Sequence

import numpy as np

from mathcheck.code import kl as kl_math
from mathcheck.code import reconstruction as recon_math
from mathcheck.code.calls import (BATCH_REDUCED, IDS_CATEGORIES, SCALE_RANGE, Caller, draw_mu, draw_recon, draw_scale,
                                  draw_x, entries_per_row, first_line, leaf_kind, leaves, rows, small)
from mathcheck.code.fit import ROUNDING, TOLERANCE, Law, LinearFit, is_close, linear_fit, weight_law
from mathcheck.code.gradients import GradientCheck, Term
from mathcheck.code.report import PARAMETERIZATIONS, Finding, Shape
from mathcheck.code.roles import name_says_probabilities, role_from_name

DIMENSION_WORDS = {"B": "the batch", "D": "the data dims", "d": "the latent dims"}
SUM = " + "  # the label of a total made of returned terms
KEPT = "kept"  # a reduction that keeps the dims: one value per latent (data) dim
MODES = {"binary": 0, "onehot": 1, "ids": 2, "continuous": 3, "wide-binary": 4, "wide-onehot": 5, "wide-ids": 6}
TOTAL_NAMES = ("loss", "total", "neg_elbo", "nelbo", "negative_elbo", "objective", "elbo")
KL_NAMES = ("kl", "kld", "div")
SCALE_MEANING = {"logvar": "log σ²", "log_sigma": "log σ", "sigma": "σ", "var": "σ²"}


@dataclass
class Probe:
    shape: Shape
    group: str  # "base", "kl" (only μ, s changed) or "recon" (only the decoder output and the data changed)
    values: dict[str, np.ndarray]
    output: Any
    _leaves: dict[str, np.ndarray] | None = None
    _cache: dict = field(default_factory=dict)

    def leaf(self, label: str) -> np.ndarray:
        """One output by its place; ``"a + b"`` is the sum of two (a loss returned as its terms only)."""
        if self._leaves is None:
            self._leaves = dict(leaves(self.output))
        if label not in self._leaves and SUM in label:
            self._leaves[label] = sum(self._leaves[part] for part in label.split(SUM))
        return self._leaves[label]

    def feature(self, key: tuple, compute: Callable[[], np.ndarray]) -> np.ndarray:
        if key not in self._cache:
            with np.errstate(all="ignore"):
                self._cache[key] = np.asarray(compute(), dtype=np.float64)
        return self._cache[key]


def dims_of(shape: Shape, positions: bool = False) -> dict[str, int]:
    """B, D and d of a shape; with ``positions`` D counts the positions of one-hot rows (the last data axis
    holds the categories), which is what a per-position mean divides by."""
    data = int(np.prod(shape.data[:-1])) if positions else shape.pixels
    return {"B": shape.batch, "D": data, "d": shape.latent}


def variant_shapes(base: Shape, with_data: bool, avoid: Collection[int] = ()) -> list[Shape]:
    """The base shape and one variant each of the latent dim, the batch and (for a loss) the data shape;
    the varied batch and latent sizes are none of ``avoid`` (a channel count they must not broadcast against)."""
    latent = next(d for d in (base.latent + 1, base.latent + 2, base.latent - 1, base.latent + 3, base.latent + 4)
                  if d >= 1 and d != base.batch and d not in avoid)
    batch = next(b for b in (base.batch + 1, base.batch + 2, base.batch + 3, base.batch - 1, base.batch + 4)
                 if b >= 1 and b not in (base.latent, latent) and b not in avoid)
    shapes = [base, Shape(base.batch, base.data, latent), Shape(batch, base.data, base.latent)]
    if with_data:
        data = _data_variant(base.data, {base.batch, batch, base.latent, latent, *avoid})
        if data is not None:
            shapes.append(Shape(base.batch, data, base.latent))
    return shapes


def _data_variant(data: tuple[int, ...], avoid: set[int]) -> tuple[int, ...] | None:
    channels = len(data) == 3 and data[0] <= 4  # (C, H, W): vary a side, not the channel count
    axis = next((i for i, size in enumerate(data) if size > 1 and not (channels and i == 0)), None)
    if axis is None:
        return None
    size = data[axis]
    options = (size + 3, size + 2, size - 2) if size <= 64 else (size // 2, size + 1)
    new = next((option for option in options if option >= 2 and option not in avoid), None)
    return None if new is None else data[:axis] + (new,) + data[axis + 1:]


def kl_variants(rng: np.random.Generator, shape: Shape, base: dict[str, np.ndarray], count: int) -> list[dict]:
    designed = [
        {"mu": draw_mu(rng, shape, 1.5)},
        {"scale": draw_scale(rng, shape, "low")},
        {"scale": draw_scale(rng, shape, "high")},
        {"mu": draw_mu(rng, shape), "scale": draw_scale(rng, shape)},
    ]
    extra = [{"mu": draw_mu(rng, shape), "scale": draw_scale(rng, shape)} for _ in range(max(0, count - 4))]
    return [{**base, **change} for change in (designed + extra)[:max(count, 2)]]


def kl_domain_variants(rng: np.random.Generator, shape: Shape, parameterization: str, count: int) -> list[dict]:
    """(μ, s) over the range of log σ² a trained encoder meets (``kl.DOMAIN_LOGVAR``: σ from 0.05 to 3), in
    the argument's own units: everywhere, all σ < 1, around σ = 1; μ of both signs, and one probe with every
    |μ| from 3 to 8 (``kl.DOMAIN_FAR_MU``)."""
    low, high = kl_math.DOMAIN_LOGVAR
    size = (shape.batch, shape.latent)

    def scale(lo: float, hi: float) -> np.ndarray:
        return kl_math.scale_of_logvar(rng.uniform(lo, hi, size), parameterization)

    designed = [{"mu": draw_mu(rng, shape, 2.0), "scale": scale(low, high)}, {"scale": scale(low, -1.0)},
                {"mu": draw_mu(rng, shape), "scale": scale(-3.0, 1.0)},
                {"mu": far_mu(rng, shape, *kl_math.DOMAIN_FAR_MU), "scale": scale(-3.0, 1.0)}]
    extra = [{"mu": draw_mu(rng, shape, 1.5), "scale": scale(low, high)} for _ in range(max(0, count - 4))]
    return designed + extra


def far_mu(rng: np.random.Generator, shape: Shape, low: float, high: float, every: int = 1) -> np.ndarray:
    """μ of both signs with |μ| in (low, high) in every ``every``-th entry (the others ~ N(0, 1.5²)): the means
    a trained encoder gives to the latent dims it uses, where a ``mu.clamp(-5, 5)`` or a detach of large μ
    shows."""
    size = (shape.batch, shape.latent)
    far = rng.choice([-1.0, 1.0], size) * rng.uniform(low, high, size)
    if every <= 1:
        return far
    chosen = (np.arange(shape.batch * shape.latent).reshape(size) % every) == 0
    return np.where(chosen, far, draw_mu(rng, shape, 1.5))


# decoder outputs over the range each reading covers: probabilities near 0 and 1, logits of both signs up to
# ±8 (a Gaussian or Laplace mean is not drawn beyond (0, 1): clamping it to the data's range is harmless)
RANGE_OF_READING = {"bernoulli-probs": (0.01, 0.99), "bernoulli-logits": (-8.0, 8.0), "gaussian-sigmoid": (-8.0, 8.0),
                    "laplace-sigmoid": (-8.0, 8.0)}


CONFIRM_SLACK = 10  # the confirmations over each input's range, at this multiple of the fit's tolerance


def recon_range_variants(rng: np.random.Generator, x: np.ndarray, family: str) -> list[dict]:
    """Decoder outputs drawn over the family's range, and with its far end (the one that disagrees with the
    data: 0.01 where x = 1) set in a third of the entries."""
    low, high = RANGE_OF_READING[family]
    ends = rng.random(x.shape) < 1 / 3
    disagree = np.where(x == 1, low, high)
    return [{"recon": rng.uniform(low, high, x.shape)},
            {"recon": np.where(ends, disagree, rng.uniform(low, high, x.shape))}]


def recon_variants(rng: np.random.Generator, shape: Shape, base: dict[str, np.ndarray], count: int,
                   mode: str) -> list[dict]:
    """Decoder outputs that agree with the data, disagree, are undecided (sums over many entries of random
    outputs hardly tell one likelihood from another: these do), and new data."""
    x = base["x"]
    if mode in ("binary", "onehot", "ids"):
        hot = np.eye(IDS_CATEGORIES)[x.astype(np.int64)] if mode == "ids" else x
        if mode == "binary":
            designed = [np.where(hot == 1, 0.9, 0.1), np.where(hot == 1, 0.1, 0.9), np.full(hot.shape, 0.5)]
        else:
            rest = hot.shape[-1] - 1
            designed = [np.where(hot == 1, 0.7, 0.3 / rest), np.where(hot == 1, 0.05, 0.95 / rest),
                        np.full(hot.shape, 1.0 / hot.shape[-1])]
        changes = [{"recon": recon} for recon in designed] + [{"x": draw_x(rng, shape, mode)}]
    else:  # data in (0, 1), or decoder logits in (-4, 4): random outputs, one draw of new data
        changes = [{"recon": draw_recon(rng, shape, mode)} for _ in range(3)] + [{"x": draw_x(rng, shape, mode)}]
    extra = [{"recon": draw_recon(rng, shape, mode), "x": draw_x(rng, shape, mode)}
             for _ in range(max(0, count - 4))]
    return [{**base, **change} for change in (changes + extra)[:max(count, 2)]]


def base_values(rng: np.random.Generator, shape: Shape, caller: Caller, mode: str) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    if caller.has("mu"):
        values["mu"] = draw_mu(rng, shape)
    if caller.has("scale"):
        values["scale"] = draw_scale(rng, shape)
    if caller.has("eps"):
        values["eps"] = rng.standard_normal((shape.batch, shape.latent))
    if caller.has("x"):
        values["x"] = draw_x(rng, shape, mode)
    if caller.has("recon"):
        values["recon"] = draw_recon(rng, shape, mode)
    return values


@dataclass
class Experiment:
    """The probes of one function on every shape that it accepted."""

    caller: Caller
    terms: tuple[str, ...]  # "kl" and/or "recon": which groups of inputs are varied
    mode: str
    probes: list[Probe]
    shapes: list[Shape]
    dropped: dict[Shape, str]
    extra: dict = field(default_factory=dict)  # confirmation probes by (what, reading, shape), shared by analyses

    @classmethod
    def run(cls, caller: Caller, shapes: Sequence[Shape], terms: tuple[str, ...], seed: int, count: int,
            mode: str = "binary") -> "Experiment":
        rng = np.random.default_rng([seed, 14, MODES[mode]])
        probes: list[Probe] = []
        kept: list[Shape] = []
        dropped: dict[Shape, str] = {}
        labels = None
        for shape in shapes:
            base = base_values(rng, shape, caller, mode)
            inputs = [("base", base)]
            if "kl" in terms:
                inputs += [("kl", values) for values in kl_variants(rng, shape, base, count)]
            if "recon" in terms:
                inputs += [("recon", values) for values in recon_variants(rng, shape, base, count, mode)]
            try:
                batch = [Probe(shape, group, values, caller(values)) for group, values in inputs]
            except Exception as error:  # the user's code may raise anything on a shape it does not take
                if not kept:
                    raise
                dropped[shape] = first_line(error)
                continue
            shape_labels = [[label for label, _ in leaves(probe.output)] for probe in batch]
            if labels is None:
                labels = shape_labels[0]
            if any(found != labels for found in shape_labels):
                dropped[shape] = "its result has another structure"
                continue
            probes += batch
            kept.append(shape)
        precompute_features(probes)
        return cls(caller, terms, mode, probes, kept, dropped)

    @property
    def rounding(self) -> float:
        return ROUNDING.get(self.caller.dtype, ROUNDING["float32"])

    def of(self, shape: Shape, groups: Sequence[str] = ("base", "kl", "recon")) -> list[Probe]:
        return [probe for probe in self.probes if probe.shape == shape and probe.group in groups]

    def labels(self) -> list[str]:
        return [label for label, _ in leaves(self.probes[0].output)]


# --- sizes written as constants ----------------------------------------------------------------------------
# Real code often writes a size as a constant (``IMAGE_PIXELS = 784``, ``BATCH_SIZE = 128``, ``latent_dim = 2``)
# instead of reading it from the tensors. A weight law then carries that number in its ρ, where it looks like a
# β or a common scale; a factor N^±1 of ρ equal to such a constant is the reduction over the dimension the
# constant stands for, judged at that dimension = N.

SIZE_NAME_WORDS = (("d", ("latent", "z_dim", "zdim", "code_dim", "code_size", "z_size")),
                   ("B", ("batch",)),
                   ("D", ("original_dim", "input_dim", "in_dim", "data_dim", "x_dim", "pixel", "image", "img",
                          "input_size", "n_input", "num_input", "obs_dim", "feature")))
SIZE_NAME_TOKENS = {"nz": "d", "n_z": "d", "bs": "B", "bsz": "B"}
WEIGHT_NAME_WORDS = ("beta", "weight", "alpha", "gamma", "lambda", "lam", "coef", "anneal", "warm", "kl",
                     "capacity", "temp", "epoch", "step", "scale", "factor", "mult")
COMMON_DATA_SIZES = (784, 1024, 3072, 4096, 12288)  # 28×28, 32×32, 32×32×3, 64×64, 64×64×3


@dataclass(frozen=True)
class SizeConstant:
    """An integer the code can see that stands for a size: ``IMAGE_PIXELS = 784`` is D."""

    name: str  # "" for a literal in the code
    value: int
    dimension: str  # "B", "D" or "d"

    def words(self) -> str:
        return f"{self.name} = {self.value}" if self.name else f"the literal {self.value}"


def _is_weight_name(name: str) -> bool:
    return any(word in name.lower() for word in WEIGHT_NAME_WORDS)


_WEIGHT_TOKENS = {"beta", "weight", "alpha", "gamma", "lambda", "lam", "lmbda", "coef", "coeff", "coefficient",
                  "anneal", "annealing", "warmup", "capacity", "kld_weight", "klweight", "kl_weight"}


def _names_weight(name: str) -> bool:
    """Whether a name says it is a weight, word by word (``kl_weight``, ``betaKL``, ``self.beta``; not ``kl``,
    ``global_step``, ``epochs``, ``init_weights``, ``klterm``): what excuses a KL weighted 2 as a β."""
    words = [w for w in re.split(r"_|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    lowered = [w.lower() for w in words]
    return bool(set(lowered) & _WEIGHT_TOKENS) or any(re.fullmatch(r"(?:beta|kld?w|klw)\d*", w) for w in lowered)


def _dimension_of_name(name: str) -> str | None:
    lowered = name.lower()
    if _is_weight_name(lowered):
        return None
    for token in lowered.split("_"):
        if token in SIZE_NAME_TOKENS:
            return SIZE_NAME_TOKENS[token]
    return next((dimension for dimension, words in SIZE_NAME_WORDS if any(word in lowered for word in words)), None)


def _literals(code: types.CodeType) -> Iterator[int]:
    for value in code.co_consts:
        if isinstance(value, types.CodeType):
            yield from _literals(value)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 2:
            yield value


def visible_numbers(function: Callable, depth: int = 3) -> tuple[list[tuple[str, int]], list[float]]:
    """The integers ≥ 2 a function can see, as (name, value) with name "" for a literal, and the numbers whose
    names say they are weights (β, a KL weight): its globals, closure, default arguments, instance attributes
    and literals, and those of the functions of its own module that it calls."""
    named: list[tuple[str, int]] = []
    weights: list[float] = []
    seen: set[int] = set()

    def number(name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return
        if _is_weight_name(name):
            weights.append(float(value))
        elif isinstance(value, (int, np.integer)) and value >= 2 and (name, int(value)) not in named:
            named.append((name, int(value)))

    def attributes(owner: Any) -> None:
        try:
            items = list(vars(owner).items())
        except TypeError:
            return
        for name, value in items:
            number(name, value)

    def visit(fn: Any, level: int) -> None:
        if isinstance(fn, functools.partial):
            for name, value in fn.keywords.items():
                number(name, value)
            fn = fn.func
        owner = getattr(fn, "__self__", None)
        if owner is not None and not isinstance(owner, types.ModuleType):
            attributes(owner)
        fn = inspect.unwrap(getattr(fn, "__func__", fn))
        if id(fn) in seen:
            return
        seen.add(id(fn))
        if not isinstance(fn, types.FunctionType):
            method = getattr(type(fn), "forward", None) or getattr(type(fn), "__call__", None)
            if isinstance(method, types.FunctionType) and not isinstance(fn, type):
                attributes(fn)
                visit(method, level)
            return
        try:
            closure = inspect.getclosurevars(fn)
            scopes = [closure.nonlocals, closure.globals]
        except Exception:  # a code object getclosurevars cannot read: its literals still count
            scopes = []
        for scope in scopes:
            for name, value in scope.items():
                number(name, value)
                if level > 0 and isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
                    visit(value, level - 1)
        try:
            parameters = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            parameters = []
        for parameter in parameters:
            if parameter.default is not inspect.Parameter.empty:
                number(parameter.name, parameter.default)
        for value in _literals(fn.__code__):
            if ("", value) not in named:
                named.append(("", value))

    try:
        visit(function, depth)
    except Exception:  # reading the code is a help, never a reason to fail
        pass
    return named, weights


def names_a_weight(function: Callable, roles: Sequence[str] = ()) -> bool:
    """Whether the code names a weight anywhere: an argument (other than those given a role), a number seen
    under a weight name (a default, a global, a closure variable, an instance attribute: ``visible_numbers``),
    an attribute or a constant-keyed entry of such a name that its source reads (``self.beta``, ``cfg.kl_weight``,
    ``config["beta"]``, not a call such as ``F.kl_div(...)``), or a global of such a name that is not a function
    (a β held as a tensor). A KL weighted 2 in code that names none is a KL missing its ½, not a β."""
    from mathcheck.code.source import plain_function, syntax_tree

    try:
        if visible_numbers(function)[1]:
            return True
        try:
            parameters = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            parameters = []
        if any(_names_weight(name) for name in parameters if name not in roles):
            return True
        tree = syntax_tree(function)
        if tree is None:
            return False
        plain = plain_function(function)
        code = getattr(plain, "__code__", None)
        local = set(code.co_varnames) if code is not None else set()
        scope = getattr(plain, "__globals__", {})
        called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and id(node) not in called and _names_weight(node.attr):
                return True
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) and _names_weight(node.slice.value):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and \
                    node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) and \
                    _names_weight(node.args[0].value):
                return True  # kwargs.get("kld_weight", 2.0), config.get("beta", 1.0)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and _names_weight(node.id):
                return True  # kld_weight = 2.0, a local the loss multiplies by
            if isinstance(node, ast.Name) and id(node) not in called and node.id not in local \
                    and _names_weight(node.id) and node.id in scope:
                value = scope[node.id]
                if not callable(value) and not isinstance(value, types.ModuleType):
                    return True
    except Exception:  # reading the code is a help, never a reason to fail
        return True
    return False


def size_constants(function: Callable, data_sizes: Sequence[int] = ()) -> tuple[list[SizeConstant], list[float]]:
    """The constants that stand for B, D or d (by their names; D also by a common data size or the data size
    the code takes), and the weight-named numbers (a β equal to a size stays a β)."""
    named, weights = visible_numbers(function)
    found: list[SizeConstant] = []
    for name, value in named:
        dimension = _dimension_of_name(name) if name else None
        if dimension is None and (value in COMMON_DATA_SIZES or value in data_sizes):
            dimension = "D"
        if dimension is not None and not any(c.value == value and c.dimension == dimension for c in found):
            found.append(SizeConstant(name, value, dimension))
    return found, weights


# --- features -----------------------------------------------------------------------------------------------

def kl_feature(probe: Probe, parameterization: str) -> np.ndarray:
    return probe.feature(("kl", parameterization),
                         lambda: kl_math.closed_form(probe.values["mu"], probe.values["scale"], parameterization))


def precompute(probes: Sequence[Probe], key: tuple, keys: tuple[str, str],
               elementwise: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
    """An elementwise reference for many probes in one call (the references are vectorized, calls are not)."""
    todo = [probe for probe in probes if key not in probe._cache and all(k in probe.values for k in keys)
            and probe.values[keys[0]].shape == probe.values[keys[1]].shape]
    if not todo:
        return
    flat = [np.concatenate([probe.values[k].reshape(-1) for probe in todo]) for k in keys]
    with np.errstate(all="ignore"):
        values = np.asarray(elementwise(*flat), dtype=np.float64)
    start = 0
    for probe in todo:
        size = probe.values[keys[0]].size
        probe._cache[key] = values[start:start + size].reshape(probe.values[keys[0]].shape)
        start += size


def precompute_features(probes: Sequence[Probe]) -> None:
    for p in PARAMETERIZATIONS:
        precompute(probes, ("kl", p), ("mu", "scale"), lambda mu, s, p=p: kl_math.closed_form(mu, s, p))
    for family in recon_math.FAMILIES:
        if family.elementwise and family.data == "binary":
            precompute(probes, ("recon", family.name), ("recon", "x"), family.nll)


def wrong_kl_feature(probe: Probe, form: kl_math.WrongForm) -> np.ndarray:
    return probe.feature(("kl-wrong", form.name), lambda: form.elementwise(probe.values["mu"], probe.values["scale"]))


BERNOULLI_FAMILIES = ("bernoulli-probs", "bernoulli-logits")


def recon_feature(probe: Probe, family: recon_math.Family) -> np.ndarray:
    return probe.feature(("recon", family.name), lambda: family.nll(probe.values["recon"], probe.values["x"]))


def wrong_recon_feature(probe: Probe, form: recon_math.WrongForm) -> np.ndarray:
    return probe.feature(("recon-wrong", form.name), lambda: form.elementwise(probe.values["recon"], probe.values["x"]))


Feature = Callable[[Probe], np.ndarray]


@dataclass
class Leaf:
    label: str
    kind: str
    on_kl: bool
    on_recon: bool


def _changes(probes: Sequence[Probe], label: str, group: str) -> bool:
    base = next(probe for probe in probes if probe.group == "base").leaf(label)
    for probe in probes:
        if probe.group == group:
            value = probe.leaf(label)
            if value.shape != base.shape:
                return True
            with np.errstate(all="ignore"):
                scale = max(float(np.nanmax(np.abs(base), initial=0.0)), 1e-300)
                if not np.allclose(value, base, rtol=1e-12, atol=1e-12 * scale, equal_nan=True):
                    return True
    return False


def classify_leaves(experiment: Experiment) -> list[Leaf]:
    shape = experiment.shapes[0]
    probes = experiment.of(shape)
    found = []
    telling = [probe for probe in experiment.probes if min(probe.shape.batch, probe.shape.latent) > 1]
    for label in experiment.labels():  # a batch of one makes a per-example value a single number: not telling
        kinds = {leaf_kind(probe.leaf(label), probe.shape) for probe in telling or experiment.probes}
        if len(kinds) != 1 or None in kinds:
            continue
        found.append(Leaf(label, kinds.pop(), "kl" in experiment.terms and _changes(probes, label, "kl"),
                          "recon" in experiment.terms and _changes(probes, label, "recon")))
    return found


# --- fitting ------------------------------------------------------------------------------------------------

def _rows_of(probes: Sequence[Probe], label: str, kind: str, features: Sequence[Feature | None],
             per_position: bool) -> tuple[np.ndarray, list[np.ndarray]] | None:
    ys, columns = [], [[] for _ in features]
    positions = []
    for probe in probes:
        y = probe.leaf(label).reshape(-1)
        for column, feature in zip(columns, features):
            reduced = rows(feature(probe), kind, probe.shape) if feature is not None else np.ones(len(y))
            if reduced is None or reduced.shape != y.shape:
                return None
            column.append(reduced)
        ys.append(y)
        positions.append(np.arange(len(y)))
    stacked = [np.concatenate(column) for column in columns]
    position = np.concatenate(positions)
    if per_position:
        stacked += [(position == p).astype(np.float64) for p in range(position.max() + 1)]
    else:
        stacked.append(np.ones(len(position)))
    return np.concatenate(ys), stacked


def fit_group(probes: Sequence[Probe], label: str, kind: str, group: str, feature: Feature,
              rounding: float = 0.0) -> LinearFit | None:
    """The probes where only one term's inputs change: y = w · feature + a constant per output position."""
    chosen = [probe for probe in probes if probe.group in ("base", group)]
    built = _rows_of(chosen, label, kind, [feature], per_position=True)
    return None if built is None else linear_fit(*built, terms=1, rounding=rounding)


def fit_joint(probes: Sequence[Probe], label: str, kind: str, features: Sequence[Feature],
              rounding: float = 0.0) -> LinearFit | None:
    built = _rows_of(probes, label, kind, list(features), per_position=False)
    return None if built is None else linear_fit(*built, terms=len(features), rounding=rounding)


@dataclass
class TermFit:
    """One reading of a term (a parameterization, a family, a wrong form) fitted on every shape."""

    name: str
    feature: Feature
    fits: dict[Shape, LinearFit]

    @property
    def residual(self) -> float:
        return max(fit.residual for fit in self.fits.values())

    def weights(self) -> dict[Shape, float]:
        return {shape: float(fit.coefficients[0]) for shape, fit in self.fits.items()}


def best_reading(experiment: Experiment, leaf: Leaf, group: str, readings: Sequence[tuple[str, Feature]]
                 ) -> list[TermFit]:
    """Every reading that can be laid out like the output, best (smallest worst misfit) first."""
    found = []
    for name, feature in readings:
        fits = {}
        for shape in experiment.shapes:
            fitted = fit_group(experiment.of(shape), leaf.label, leaf.kind, group, feature, experiment.rounding)
            if fitted is None:
                break
            fits[shape] = fitted
        else:
            found.append(TermFit(name, feature, fits))
    return sorted(found, key=lambda term: term.residual)


def kl_readings() -> list[tuple[str, Feature]]:
    return [(p, lambda probe, p=p: kl_feature(probe, p)) for p in PARAMETERIZATIONS]


def recon_readings(mode: str) -> list[tuple[str, Feature]]:
    """The families a mode's data can tell apart (one-hot rows are binary data too)."""
    return [(family.name, lambda probe, family=family: recon_feature(probe, family))
            for family in recon_math.FAMILIES if family.data == mode or (mode, family.data) == ("onehot", "binary")]


# --- the analysis -------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What the analysis found: the findings, the KL's parameterization, a summary of what was identified."""

    findings: list[Finding]
    parameterization: str | None
    identified: dict
    reason: str = ""  # set when nothing could be identified (undecided)


@dataclass
class Context:
    caller: Caller
    target: str
    role: str
    arg_roles: dict[str, str]
    seed: int
    count: int
    tolerance: float

    def scale_name(self) -> str:
        return next((name for name, role in self.arg_roles.items() if role in PARAMETERIZATIONS), "s")

    def claimed_parameterization(self) -> str:
        return next((role for role in self.arg_roles.values() if role in PARAMETERIZATIONS), "logvar")

    def claimed_family(self, mode: str = "binary") -> str:
        role = next((role for role in self.arg_roles.values() if role in recon_math.FOR_ROLE), "recon_probs")
        if mode == "ids":
            return "categorical-ids-logits" if role == "recon_logits" else "categorical-ids-probs"
        return recon_math.FOR_ROLE[role]


def analyse_loss_or_kl(caller: Caller, *, target: str, role: str, arg_roles: dict[str, str], shapes: list[Shape],
                       seed: int, count: int, mode: str = "binary") -> Outcome:
    """The KL / reconstruction / weights / numerics analysis of a function of role ``loss`` or ``kl``."""
    has_kl = caller.has("mu") and caller.has("scale")
    has_recon = caller.has("recon") and caller.has("x")
    terms = tuple(term for term, present in (("kl", has_kl), ("recon", has_recon and role != "kl")) if present)
    if not terms:
        return Outcome([], None, {}, "it takes neither a mean and a scale (μ, s) nor a decoder output and data")
    context = Context(caller, target, role, arg_roles, seed, count, TOLERANCE.get(caller.dtype, 1e-5))
    experiment = Experiment.run(caller, shapes, terms, seed, count, mode)
    first = experiment.probes[0]
    again = leaves(caller(first.values))
    if any(a.shape != b.shape or not np.array_equal(a, b, equal_nan=True)
           for (_, a), (_, b) in zip(leaves(first.output), again)):
        return Outcome([], None, {}, "its value changes between two calls on the same inputs (it samples inside): "
                       "a loss or KL is checked as a function of its inputs; pass the sample in, or fix the seed")
    leaves_found = classify_leaves(experiment)
    total, components = _total_and_components(leaves_found, terms, role)
    identified: dict[str, Any] = {"dtype": caller.dtype, "tolerance": context.tolerance,
                                  "shapes": [_shape_text(shape) for shape in experiment.shapes]}
    if experiment.dropped:
        identified["shapes not accepted"] = {_shape_text(s): why for s, why in experiment.dropped.items()}
    missing = []
    if total is None and len(terms) == 2 and not (any(leaf.on_kl for leaf in components)
                                                  and any(leaf.on_recon for leaf in components)):
        total = next((leaf for leaf in components if _named_total(leaf)), components[0] if components else None)
        missing = [term for term in terms if total is not None and not getattr(total, "on_" + term)]
    if total is None:
        return Outcome([], None, identified, _no_total_reason(leaves_found, terms))
    identified["output"] = total.kind if not total.label else f"{total.kind} '{total.label}'"
    analysis = _TermsAnalysis(context, experiment, total, identified)
    findings, parameterization = analysis.run()
    findings += _one_latent_dim(experiment, identified, has_kl)
    findings += [_missing_term(term, experiment, total) for term in missing]
    for component in components:
        findings += [finding for finding in _component_findings(context, experiment, component, identified)
                     if finding.code not in {f.code for f in findings}]
    if components:
        identified["components"] = {leaf.label: _component_role(leaf) for leaf in [total, *components]
                                    if leaf.label}
    identified["calls"] = caller.calls
    return Outcome(findings, parameterization, identified)


def _one_latent_dim(experiment: Experiment, identified: dict, has_kl: bool) -> list[Finding]:
    """A function that runs at one latent dim only (``logvar[..., :2]`` then the KL: broadcast at d = 2, an error
    at d = 3) is checked at that dim alone: correct only if the model's latent dim is that one, with a note."""
    accepted = {shape.latent for shape in experiment.shapes}
    refused = {shape.latent: why for shape, why in experiment.dropped.items() if shape.latent not in accepted}
    if not has_kl or len(accepted) != 1 or not refused:
        return []
    (latent,) = accepted
    other, why = next(iter(sorted(refused.items())))
    add_condition(identified, f"the latent dim is {latent}")
    return [Finding("kl-form", "note", f"checked at latent dim {latent} only: at d = {other} it fails ({why}); a "
                    f"KL over some of the latent dims (a slice such as logvar[..., :{latent}]) agrees with the KL "
                    f"at d = {latent} alone. Correct only if the model's latent dim is {latent}",
                    {"latent_dims_accepted": [latent], "latent_dims_refused": {str(d): w for d, w in refused.items()}})]


_LAYOUT = {"scalar": "one number", "example": "one per example", "latent": "one per latent entry",
           "data": "one per data entry", "latent-dims": "one per latent dim", "data-dims": "one per data dim"}


def _named_total(leaf: Leaf) -> bool:
    return any(name in leaf.label.lower() for name in TOTAL_NAMES)


def _missing_term(term: str, experiment: Experiment, leaf: Leaf) -> Finding:
    """A loss of (decoder output, data, μ, s) that does not change with one pair: its term is missing."""
    probes = [probe for probe in experiment.of(experiment.shapes[0]) if probe.group in ("base", term)][:2]
    evidence = {"inputs": [named_inputs(experiment.caller, probe.values) for probe in probes],
                "code": [small(probe.leaf(leaf.label)) for probe in probes]}
    if term == "recon":
        return Finding("reconstruction-form", "bug", "the loss does not change with the decoder output or the data: "
                       "the reconstruction term is missing", evidence)
    return Finding("kl-form", "bug", "the loss does not change with μ or the scale: the KL term is missing", evidence)


def _shape_text(shape: Shape) -> str:
    return f"B={shape.batch}, data={'x'.join(map(str, shape.data))}, d={shape.latent}"


shape_text = _shape_text


def add_condition(identified: dict, condition: str) -> None:
    """One more condition under which a ``correct`` verdict holds ("recon_x holds logits", "the data is flat
    (B, D)"): the verdict line reads ``correct if A and B``."""
    present = identified.get("condition")
    if present != condition and condition not in (present or "").split(" and "):
        identified["condition"] = f"{present} and {condition}" if present else condition


def _component_role(leaf: Leaf) -> str:
    if leaf.on_kl and leaf.on_recon:
        return "total"
    return "kl" if leaf.on_kl else "reconstruction"


def _no_total_reason(found: list[Leaf], terms: tuple[str, ...]) -> str:
    if not found:
        return "its result has no numeric value laid out per batch, example or entry"
    recon = next((leaf for leaf in found if leaf.on_recon and not leaf.on_kl), None)
    kl = next((leaf for leaf in found if leaf.on_kl and not leaf.on_recon), None)
    if recon is not None and kl is not None:
        return (f"it returns the reconstruction ('{recon.label}', {_LAYOUT[recon.kind]}) and the KL ('{kl.label}', "
                f"{_LAYOUT[kl.kind]}) laid out differently, and no total: check the function that adds them")
    what = " and ".join({"kl": "(μ, s)", "recon": "the decoder output and the data"}[term] for term in terms)
    return f"no part of its result changes with {what}"


def _total_and_components(found: list[Leaf], terms: tuple[str, ...], role: str) -> tuple[Leaf | None, list[Leaf]]:
    needed = [lambda leaf, term=term: getattr(leaf, "on_" + term) for term in terms]
    full = [leaf for leaf in found if all(test(leaf) for test in needed)]
    partial = [leaf for leaf in found if leaf not in full and (leaf.on_kl or leaf.on_recon)]
    if full:
        named = [leaf for leaf in full if _named_total(leaf)]
        total = (named or full)[0]
        return total, partial + [leaf for leaf in full if leaf is not total and not _same_kind(leaf, total)]
    kl_only = [leaf for leaf in partial if leaf.on_kl and not leaf.on_recon]
    recon_only = [leaf for leaf in partial if leaf.on_recon and not leaf.on_kl]
    if len(terms) == 2 and kl_only and recon_only:
        recon, kl = recon_only[0], next((leaf for leaf in kl_only if leaf.kind == recon_only[0].kind), kl_only[0])
        if recon.kind == kl.kind:  # the loss returned as its two terms: their sum is what is trained
            return Leaf(recon.label + SUM + kl.label, recon.kind, True, True), partial
    return None, partial


def _same_kind(a: Leaf, b: Leaf) -> bool:
    return a.on_kl == b.on_kl and a.on_recon == b.on_recon and a.kind == b.kind


class _TermsAnalysis:
    """One output (the total loss, or a KL) analysed: readings, weights, constants, numerics."""

    def __init__(self, context: Context, experiment: Experiment, leaf: Leaf, identified: dict, prefix: str = ""):
        self.context = context
        self.experiment = experiment
        self.leaf = leaf
        self.identified = identified
        self.prefix = prefix  # "component 'kl': " for a part of a result
        self.findings: list[Finding] = []
        self.joint: dict[Shape, LinearFit] | None = None
        self.sizes_at: dict[str, int] = {}  # the dims the code wrote as constants, at their values
        self._constants: tuple[list[SizeConstant], list[float]] | None = None

    @property
    def tolerance(self) -> float:
        return self.context.tolerance

    def add(self, code: str, severity: str, message: str, evidence: dict) -> None:
        self.findings.append(Finding(code, severity, self.prefix + message, evidence))

    def run(self) -> tuple[list[Finding], str | None]:
        has_kl, has_recon = self.leaf.on_kl, self.leaf.on_recon
        kl_term = self._identify_kl() if has_kl else None
        if kl_term is not None and not self._kl_over_domain(kl_term):
            kl_term = None
        recon_term = self._identify_recon() if has_recon else None
        if recon_term is not None and not self._recon_over_range(recon_term):
            recon_term = None
        if getattr(self, "_kl_unfitted", False) is not False:
            closest, self._kl_unfitted = self._kl_unfitted, False
            if (has_recon and recon_term is None) or not self._free_bits(recon_term):
                self._kl_form(None, closest)
        if recon_term is not None and not self.prefix:
            self._naming(recon_term)
        if kl_term is not None and not self.prefix:
            self._scale_naming(kl_term)
        parameterization = kl_term.name if kl_term is not None and kl_term.name in PARAMETERIZATIONS else None
        if kl_term is None and "free bits" in self.identified.get("kl", {}):
            parameterization = self.identified["kl"]["parameterization"]
        if (has_kl and kl_term is None) or (has_recon and recon_term is None):
            self._numerics(kl_term, recon_term, None)
            return self.findings, parameterization
        joint = self.joint = self._joint(kl_term, recon_term)
        if has_recon and has_kl:
            self._loss_weights(kl_term, recon_term, joint)
        elif has_kl:
            self._kl_weights(kl_term, joint)
        else:
            self._recon_only(recon_term, joint)
        self._numerics(kl_term, recon_term, joint)
        if not self.prefix and joint is not None:  # a returned part (a logged KL) need not carry gradients
            self._gradients(kl_term, recon_term, joint)
        return self.findings, parameterization

    # - identification -

    def _identify_kl(self) -> TermFit | None:
        readings = best_reading(self.experiment, self.leaf, "kl", kl_readings())
        if readings and readings[0].residual <= self.tolerance:
            term = readings[0]
            self.identified["kl"] = {"parameterization": term.name,
                                     "formula": kl_math.formula(term.name, self.context.scale_name())}
            return term
        wrong = best_reading(self.experiment, self.leaf, "kl",
                             [(form.name, lambda probe, form=form: wrong_kl_feature(probe, form))
                              for form in kl_math.WRONG_FORMS])
        named = next((kl_math_form(term.name) for term in wrong[:1] if term.residual <= self.tolerance), None)
        closest = readings[0] if readings else None
        if named is None:
            self._kl_unfitted = closest  # free bits (``_free_bits``) or ``kl-form``, once the reconstruction is read
            return None
        self._kl_form(named, closest)
        return None

    # - free bits -

    def _free_bits(self, recon_term: TermFit | None) -> bool:
        """Free bits (Kingma et al. 2016, IAF): the code's value is R + β · Σ_j max(KL_j, λ) for one λ > 0 at
        every probe, KL_j the KL of latent dim j averaged (or summed) over the batch, or the floor taken per
        entry before the batch mean (sum); R the reconstruction (0 for a KL alone, where β must be 1). β and
        R are read from two probes where every entry's KL is far above any floor, λ from the value at q = p
        (d·λ), and the model is then confirmed on probes with the KL of some dims below λ and of others above.
        A convention (the ELBO's KL wherever every dim's KL exceeds λ), not a bug; a floor on the total KL
        or a clamp of the scale is none of these and stays ``kl-form``."""
        if self.leaf.kind != "scalar" or not self.context.caller.has("mu") or not self.context.caller.has("scale"):
            return False
        shape = self.experiment.shapes[0]
        batch, latent = shape.batch, shape.latent
        rng = np.random.default_rng([self.context.seed, 14, 21])
        base = self._point_values(shape)
        size = (batch, latent)

        def value(mu: np.ndarray, scale: np.ndarray) -> float | None:
            try:
                code = leaf_value(self.context.caller({**base, "mu": mu, "scale": scale}), self.leaf.label)
            except Exception:  # the user's code: no free bits read from it
                return None
            code = None if code is None else np.asarray(code, dtype=np.float64).reshape(-1)
            return float(code[0]) if code is not None and code.size == 1 and np.isfinite(code[0]) else None

        def floored(kl: np.ndarray, model: str, floor: float) -> float:
            reduce = np.mean if model.endswith("mean") else np.sum
            if model.startswith("dim"):
                return float(np.sum(np.maximum(reduce(kl, axis=0), floor)))
            return float(reduce(np.sum(np.maximum(kl, floor), axis=1)))

        claimed = self.context.claimed_parameterization()
        order = [claimed] + [p for p in PARAMETERIZATIONS if p != claimed]
        tol = max(1e-4, 10 * self.experiment.rounding)  # of the largest value: float32 sums round far below
        for p in order:
            def scale_of(logvar: np.ndarray, p: str = p) -> np.ndarray:
                return kl_math.scale_of_logvar(logvar, p)

            far = [(rng.choice([-1.0, 1.0], size) * rng.uniform(4.0, 6.0, size), scale_of(rng.uniform(-1, 1, size)))
                   for _ in range(2)]
            half = np.arange(latent) % 2 == 0  # even dims near q = p, odd dims far from it
            mixed = [(np.where(half, rng.uniform(-0.05, 0.05, size), far[0][0]),
                      scale_of(np.where(half, rng.uniform(-0.05, 0.05, size), rng.uniform(-1, 1, size))))]
            spread = [(rng.normal(0.0, 1.0, size), scale_of(rng.uniform(-2.0, 1.0, size))) for _ in range(3)]
            spread.append((rng.normal(0.0, 0.6, size), scale_of(rng.uniform(-0.8, 0.5, size))))
            at = [value(mu, scale) for mu, scale in far + mixed + spread]
            origin = value(np.zeros(size), scale_of(np.zeros(size)))
            if origin is None or any(v is None for v in at):
                continue
            kls = [kl_math.closed_form(mu, scale, p) for mu, scale in far + mixed + spread]
            for model in ("dim-mean", "element-mean", "dim-sum", "element-sum"):
                features = [floored(kl, model, 0.0) for kl in kls[:2]]
                if abs(features[0] - features[1]) < 1e-9 * max(abs(features[0]), 1.0):
                    continue
                beta = (at[0] - at[1]) / (features[0] - features[1])
                rest = at[0] - beta * features[0]
                count = batch * latent if model == "element-sum" else latent
                if beta <= 0:
                    continue
                floor = (origin - rest) / (beta * count)
                scale_of_values = max(1.0, *(abs(v) for v in at), abs(origin))
                if floor * beta * count <= tol * scale_of_values:
                    continue
                if recon_term is None and (abs(rest) > tol * scale_of_values or not is_close(beta, 1.0, tol)):
                    continue
                if all(abs(v - (rest + beta * floored(kl, model, floor))) <= tol * scale_of_values
                       for v, kl in zip(at, kls)):
                    self._report_free_bits(p, model, floor, beta, recon_term, shape)
                    return True
        return False

    def _report_free_bits(self, p: str, model: str, floor: float, beta: float, recon_term: TermFit | None,
                          shape: Shape) -> None:
        name = self.context.scale_name()
        batch = "batch-mean" if model.endswith("mean") else "batch-summed"
        where = (f"each latent dim's {batch} KL floored at λ = {floor:.6g}" if model.startswith("dim") else
                 f"each entry's KL floored at λ = {floor:.6g} before the {batch.split('-')[0]} "
                 f"{'mean' if model.endswith('mean') else 'sum'}")
        self.identified["kl"] = {"parameterization": p, "formula": kl_math.formula(p, name),
                                 "free bits": floor, "floor": where}
        message = (f"free bits (Kingma et al. 2016): {where}, i.e. Σ_j max(KL_j, λ) with KL_j the closed form "
                   f"{kl_math.formula(p, name)}; the ELBO's KL where every dim's KL exceeds λ")
        evidence: dict = {"free_bits": floor, "parameterization": p, "floor_per": model}
        if recon_term is not None:
            recon_weight = recon_term.weights().get(shape)
            if recon_weight:
                relative = beta / (shape.batch if model.endswith("mean") else 1.0) / recon_weight
                evidence["kl_weight_relative_to_reconstruction"] = relative
                if not is_close(relative, 1.0, 10 * self.tolerance):
                    message += f"; the floored KL is weighted {relative:.6g} relative to the reconstruction"
        self.add("kl-form", "convention", message, evidence)

    def _identify_recon(self) -> TermFit | None:
        mode = self.experiment.mode
        readings = best_reading(self.experiment, self.leaf, "recon", recon_readings(mode))
        if readings and readings[0].residual <= self.tolerance:
            if mode == "binary" and readings[0].name in recon_math.CONTINUOUS_CHECKED \
                    and not self._holds_on_continuous_data(readings[0]):
                return None
            term = self._logits_reading(readings[0], mode)
            if term is not None and mode == "binary" and term.name in BERNOULLI_FAMILIES:
                self._bernoulli_on_grey_levels(term)
            return None if term is None else self._recon_identified(term, mode)
        onehot = self._onehot_experiment() if mode == "binary" else None
        if onehot is not None:
            categorical = best_reading(onehot, self.leaf, "recon", recon_readings("onehot"))
            if categorical and categorical[0].residual <= self.tolerance \
                    and categorical[0].name.startswith("categorical") and self._categorical_ok(categorical[0], onehot):
                self.experiment = onehot
                term = self._logits_reading(categorical[0], "onehot")
                return None if term is None else self._recon_identified(term, "onehot")
        wrong = best_reading(self.experiment, self.leaf, "recon",
                             [(form.name, lambda probe, form=form: wrong_recon_feature(probe, form))
                              for form in recon_math.WRONG_FORMS]) if mode == "binary" else []
        named = next((recon_form(term.name) for term in wrong[:1] if term.residual <= self.tolerance), None)
        self._reconstruction_form(named, readings[0] if readings else None)
        return None

    def _logits_reading(self, term: TermFit, mode: str) -> TermFit | None:
        """A family that reads the decoder output as logits, found on outputs in (0, 1) (where logits are
        nearly linear and their families close), must hold on logits in (−4, 4); else the logits family that
        does is the reading, and with none the formula is no likelihood here."""
        if term.name not in recon_math.LOGITS_FAMILIES:
            return term
        try:
            wide = Experiment.run(self.context.caller, self.experiment.shapes[:1], ("recon",), self.context.seed,
                                  self.context.count, "wide-" + mode)
        except Exception:  # refuses values outside (0, 1): the fit on (0, 1) is all there is
            return term
        names = [term.name] + [name for name in recon_math.LOGITS_FAMILIES
                               if name != term.name and recon_math.BY_NAME[name].data == mode]
        shape = wide.shapes[0]
        for name in names:
            family = recon_math.BY_NAME[name]
            fitted = fit_group(wide.of(shape), self.leaf.label, self.leaf.kind, "recon",
                               lambda probe, family=family: recon_feature(probe, family), wide.rounding)
            if fitted is not None and fitted.residual <= self.tolerance:
                if name == term.name:
                    return term
                found = best_reading(self.experiment, self.leaf, "recon", [(name, lambda probe, family=family:
                                                                             recon_feature(probe, family))])
                if found and found[0].residual <= self.tolerance:
                    return found[0]
        family = recon_math.BY_NAME[term.name]
        probe = wide.of(shape, ("recon",))[0]
        self.add("reconstruction-form", "bug", f"equals the {family.description} on decoder outputs in (0, 1) only: "
                 "on logits in (−4, 4) it fits no likelihood family",
                 {"inputs": named_inputs(self.context.caller, probe.values), "code": small(probe.leaf(self.leaf.label)),
                  "derived_nll_summed": float(recon_feature(probe, family).sum())})
        return None

    def _holds_on_continuous_data(self, term: TermFit) -> bool:
        """A Gaussian or L1 NLL found on binary data must hold on data in (0, 1): some formulas that are none
        (a BCE with swapped arguments) equal one on binary data only. Code that refuses such data passes."""
        family = recon_math.BY_NAME[term.name]
        try:
            continuous = Experiment.run(self.context.caller, self.experiment.shapes[:1], ("recon",),
                                        self.context.seed, self.context.count, "continuous")
        except Exception:
            return True
        shape = continuous.shapes[0]
        fitted = fit_group(continuous.of(shape), self.leaf.label, self.leaf.kind, "recon", term.feature,
                           continuous.rounding)
        if fitted is not None and fitted.residual <= self.tolerance:
            return True
        wrong = best_reading(continuous, self.leaf, "recon",
                             [(form.name, lambda probe, form=form: wrong_recon_feature(probe, form))
                              for form in recon_math.CONTINUOUS_WRONG_FORMS])
        named = next((form for form in recon_math.CONTINUOUS_WRONG_FORMS
                      if wrong and wrong[0].name == form.name and wrong[0].residual <= self.tolerance), None)
        base, probe = continuous.of(shape, ("base",))[0], continuous.of(shape, ("recon",))[0]
        weight = term.weights()[self.experiment.shapes[0]]
        feature = [rows(recon_feature(one, family), self.leaf.kind, shape) for one in (base, probe)]
        expected = base.leaf(self.leaf.label).reshape(-1) + weight * (feature[1] - feature[0])  # w · NLL + constant
        what = f"computes {named.description}" if named else "fits no likelihood family"
        moved, evidence = self._decoder_output_moved(family, f"weight {weight:.6g}, fitted on binary data", base,
                                                     probe, expected)
        self.add("reconstruction-form", "bug", f"equals the {family.description} on binary data only; on data in "
                 f"(0, 1) it {what}: changing the decoder output from the first input to the second {moved}",
                 {**evidence, "misfit_on_continuous_data": None if fitted is None else fitted.residual})
        return False

    def _bernoulli_on_grey_levels(self, term: TermFit) -> None:
        """A Bernoulli NLL found on binary pixels, tried on grey levels in (0, 1): the cross-entropy
        F.binary_cross_entropy computes there is what code fed unbinarized images (as the pytorch/examples VAE
        is) trains on. A formula equal to it on binary data only (``torch.where(x > 0.5, log r, log(1 − r))``,
        BCE against ``x.round()``, ``x**2·log r``) is right only if the data is binary: the verdict says so,
        with a note. Code that refuses grey levels is for binary data and passes."""
        try:
            grey = Experiment.run(self.context.caller, self.experiment.shapes[:1], ("recon",), self.context.seed,
                                  self.context.count, "continuous")
        except Exception:  # the user's code: it takes binary data only
            return
        shape = grey.shapes[0]
        fitted = fit_group(grey.of(shape), self.leaf.label, self.leaf.kind, "recon", term.feature, grey.rounding)
        if fitted is not None and fitted.residual <= self.tolerance:
            return
        family = recon_math.BY_NAME[term.name]
        binarized = fit_group(grey.of(shape), self.leaf.label, self.leaf.kind, "recon",
                              lambda probe: family.nll(probe.values["recon"], (probe.values["x"] > 0.5) * 1.0),
                              grey.rounding)
        what = ("the Bernoulli NLL of x binarized at 0.5, not of x" if binarized is not None
                and binarized.residual <= self.tolerance else "no likelihood of x")
        base, probe = grey.of(shape, ("base",))[0], grey.of(shape, ("recon",))[0]
        weight = term.weights()[self.experiment.shapes[0]]
        feature = [rows(recon_feature(one, family), self.leaf.kind, shape) for one in (base, probe)]
        expected = base.leaf(self.leaf.label).reshape(-1) + weight * (feature[1] - feature[0])
        moved, evidence = self._decoder_output_moved(family, f"weight {weight:.6g}, fitted on binary data", base,
                                                     probe, expected)
        add_condition(self.identified, "the data is binary")
        self.add("reconstruction-form", "note", f"equals the {family.description} on binary data only: on grey "
                 f"levels in (0, 1) (unbinarized images, which F.binary_cross_entropy takes) it is {what}; changing "
                 f"the decoder output from the first input to the second {moved}. Right if the data is binary "
                 "(binarized beforehand); on grey-level data use F.binary_cross_entropy(recon_x, x)",
                 {**evidence, "misfit_on_grey_levels": None if fitted is None else fitted.residual})

    def _decoder_output_moved(self, family: recon_math.Family, weight: str, base: Probe, probe: Probe,
                              expected: np.ndarray) -> tuple[str, dict]:
        """How the code's output moves as the decoder output goes from the base input to the probe's, against
        what the family (at that weight) expects: the words that end a reconstruction-form bug, and its evidence."""
        start, got = base.leaf(self.leaf.label).reshape(-1), probe.leaf(self.leaf.label).reshape(-1)
        moved = (f"takes the code from {start[0]:.6g} to {got[0]:.6g}, the {family.description} ({weight}) to "
                 f"{expected[0]:.6g}")
        return moved, {"inputs": [named_inputs(self.context.caller, base.values),
                                  named_inputs(self.context.caller, probe.values)],
                       "code": [small(start), small(got)], "derived": small(expected)}

    def _categorical_ok(self, term: TermFit, onehot: Experiment) -> bool:
        """−Σ x log p on one-hot rows is also a Bernoulli NLL without its (1 − x) term: only categorical
        when the data have a category axis of their own (not flat, not an image)."""
        if term.name != "categorical-probs":
            return True
        data = onehot.shapes[0].data
        return len(data) >= 2 and data not in ((1, 28, 28), (28, 28))

    def _onehot_experiment(self) -> Experiment | None:
        if self.experiment.mode == "onehot":
            return None
        try:
            return Experiment.run(self.context.caller, self.experiment.shapes, self.experiment.terms,
                                  self.context.seed, self.context.count, "onehot")
        except Exception:  # the code does not take one-hot data on these shapes
            return None

    def _recon_identified(self, term: TermFit, mode: str) -> TermFit:
        family = recon_math.BY_NAME[term.name]
        self.identified["reconstruction"] = {"family": family.description, "data": {"binary": "binary pixels",
                                             "onehot": "one-hot rows", "ids": "token ids"}[mode]}
        return term

    # - the range of each reading -

    def _extra_probes(self, key: tuple, shape: Shape, group: str, changes: Callable[[np.random.Generator],
                      list[dict]]) -> list[Probe] | str:
        """Probes at the base input of ``shape`` with ``changes`` applied (cached on the experiment, so that a
        returned part analysed after the total reuses them), or the first line of what the code raised."""
        cache = self.experiment.extra
        if key not in cache:
            rng = np.random.default_rng([self.context.seed, 14, 11, len(cache)])
            base = self.experiment.of(shape, ("base",))[0].values
            try:
                cache[key] = [Probe(shape, group, values, self.context.caller(values))
                              for values in ({**base, **change} for change in changes(rng))]
            except Exception as error:  # the user's code, on inputs of its own parameterization's range
                cache[key] = first_line(error)
        return cache[key]

    def _refit(self, probes: Sequence[Probe], group: str, feature: Feature) -> LinearFit | None:
        try:
            return fit_group(probes, self.leaf.label, self.leaf.kind, group, feature, self.experiment.rounding)
        except KeyError:  # a result of another structure on these inputs
            return None

    def _kl_over_domain(self, term: TermFit) -> bool:
        """A KL found on scale arguments in (0.2, 2) (where all four parameterizations are defined, so that
        log σ² and log σ there only mean σ > 1) must hold over the range of its own parameterization
        (``kl.DOMAIN_LOGVAR``: σ from 0.05 to 3, μ of both signs): a ``logvar.abs()`` or a ``clamp(min=0)``
        is exact on the first probes and wrong for every σ < 1. The confirmation allows CONFIRM_SLACK × the
        fit's tolerance: guards such as log(σ² + 1e-5) move the KL at σ = 0.05 by far less than that, what it
        is for (a sign or a floor on the scale) by far more."""
        shape, p = self.experiment.shapes[0], term.name
        probes = self._extra_probes(("kl-domain", p, shape), shape, "kl",
                                    lambda rng: kl_domain_variants(rng, shape, p, self.context.count))
        fitted = None
        if not isinstance(probes, str):
            fitted = self._refit(self.experiment.of(shape, ("base", "kl")) + probes, "kl", term.feature)
            if fitted is not None and fitted.residual <= CONFIRM_SLACK * self.tolerance:
                return True
        self._kl_domain_form(term, fitted, probes if isinstance(probes, str) else "")
        self.identified.pop("kl", None)
        return False

    def _kl_domain_form(self, term: TermFit, fitted: LinearFit | None, error: str) -> None:
        shape, p, name = self.experiment.shapes[0], term.name, self.context.scale_name()
        low, high = (kl_math.from_logvar(value, p) for value in kl_math.DOMAIN_LOGVAR)
        first = [float(np.exp(kl_math.to_logvar(value, p) / 2)) for value in SCALE_RANGE["all"]]
        formula = kl_math.formula(p, name)
        found = (f"equals the KL under the {p} parameterization ({formula}) for {name} in {SCALE_RANGE['all']} "
                 f"only, where σ is {first[0]:.3g} to {first[1]:.3g}")
        sigmas = [float(np.exp(value / 2)) for value in kl_math.DOMAIN_LOGVAR]
        span = (f"{name} from {low:.3g} to {high:.3g} (σ from {sigmas[0]:.2g} to {sigmas[1]:.2g}, the range a "
                "trained encoder meets)")
        evidence = {"parameterization": p, "range_checked": {name: [low, high]},
                    "misfit": None if fitted is None else fitted.residual}
        if error:
            self.add("kl-form", "bug", f"{found}; it raises at {span}: {error}", evidence)
            return
        identity = kl_math.IDENTITY[p]
        points = [(0.0, identity), (1.0, identity)] + [(mu, kl_math.from_logvar(logvar, p))
                                                       for mu, logvar in kl_math.DOMAIN_POINTS]
        entries = self._row_entries(shape, shape.latent)
        table = self._kl_point_table(shape, points, p, name, entries)
        message = f"{found}; not over {span}" + self._worst_point_text(table, name, "closed form " + formula, entries)
        self.add("kl-form", "bug", message, {**evidence, "points": table, "entries_per_value": entries})

    def _recon_over_range(self, term: TermFit) -> bool:
        """A family found on decoder outputs in (0.02, 0.98) (or logits in (−4, 4)) must hold over its range:
        probabilities near 0 and 1 (0.01, 0.99), logits of both signs up to ±8, at CONFIRM_SLACK × the fit's
        tolerance (a log(p + 1e-4) guard moves the NLL at p = 0.01 by 1 %)."""
        if self.experiment.mode != "binary" or term.name not in RANGE_OF_READING:
            return True
        shape = self.experiment.shapes[0]
        base = self.experiment.of(shape, ("base",))[0]
        probes = self._extra_probes(("recon-range", term.name, shape), shape, "recon",
                                    lambda rng: recon_range_variants(rng, base.values["x"], term.name))
        family = recon_math.BY_NAME[term.name]
        low, high = RANGE_OF_READING[term.name]
        where = f"decoder outputs from {low:g} to {high:g}"
        first_range = "(0.02, 0.98)" if term.name == "bernoulli-probs" else "(−4, 4)"
        if isinstance(probes, str):
            self.add("reconstruction-form", "bug", f"equals the {family.description} on decoder outputs in "
                     f"{first_range} but raises at {where}: {probes}", {"range_checked": [low, high]})
            return False
        chosen = self.experiment.of(shape, ("base", "recon"))
        fitted = self._refit(chosen + probes, "recon", term.feature)
        if fitted is not None and fitted.residual <= CONFIRM_SLACK * self.tolerance:
            return True
        weight = term.weights()[shape]
        start = base.leaf(self.leaf.label).reshape(-1)
        first = rows(recon_feature(base, family), self.leaf.kind, shape)

        def compared(probe: Probe) -> tuple[float, np.ndarray]:
            expected = start + weight * (rows(recon_feature(probe, family), self.leaf.kind, shape) - first)
            got = probe.leaf(self.leaf.label).reshape(-1)
            return float(np.nan_to_num(np.max(np.abs(got - expected)), nan=np.inf)), expected

        _, expected, worst = max(((*compared(probe), probe) for probe in probes), key=lambda item: item[0])
        moved, evidence = self._decoder_output_moved(family, f"weight {weight:.6g}", base, worst, expected)
        self.add("reconstruction-form", "bug", f"equals the {family.description} on decoder outputs in {first_range} "
                 f"but not over {where}: changing the decoder output from the base input to the one in the evidence "
                 f"{moved}", {**evidence, "range_checked": [low, high],
                              "misfit": None if fitted is None else fitted.residual})
        self.identified.pop("reconstruction", None)
        return False

    # - what the decoder output's name says -

    def _naming(self, recon_term: TermFit) -> None:
        """A decoder output named as probabilities (recon_x, x_hat, probs) that the code reads as logits (it
        applies the sigmoid or softmax itself), or named logits and read as probabilities: right only under the
        reading the behaviour shows; a note that says which (the double-sigmoid risk)."""
        found = next(((name, role) for name, role in self.context.arg_roles.items() if role in recon_math.FOR_ROLE),
                     None)
        if found is None:
            return
        name, role = found
        family = recon_math.BY_NAME[recon_term.name]
        reads = ("logits" if family.name in recon_math.LOGITS_FAMILIES else
                 "probabilities" if family.name in PROBABILITY_READINGS else "values in data space")
        # a role the name does not give came from --inputs (``input`` beside ``target`` is torch's prediction)
        given = role_from_name(name) not in ("recon_probs", "x")
        says_probabilities = role == "recon_probs" and (name_says_probabilities(name) or given)
        squash = "softmax" if family.name.startswith("categorical") else "sigmoid"
        by_name = role_from_name(name) == role or (role == "recon_probs" and name_says_probabilities(name))
        claim = f"the name '{name}' says" if by_name else f"its declared role {role} says"
        evidence = {"argument": name, "role": role, "read_as": reads, "family": family.description}
        if says_probabilities and reads == "logits":
            add_condition(self.identified, f"{name} holds logits")
            self.add("reconstruction-form", "note", f"correct if {name} holds logits: the code applies the {squash} "
                     f"to {name} itself ({family.description}), while {claim} probabilities (a "
                     f"decoder output after a {squash}). If the decoder already ends in a {squash}, it is applied "
                     f"twice and the loss is no likelihood of the data; name the argument logits (or pass --inputs "
                     f"{name}=recon_logits) when the decoder returns logits", evidence)
        elif role == "recon_logits" and reads != "logits":
            add_condition(self.identified, f"{name} holds {reads}")
            self.add("reconstruction-form", "note", f"correct if {name} holds {reads}: the code uses {name} with no "
                     f"{squash} ({family.description}), while {claim} logits. If the decoder returns "
                     f"logits, the {squash} is missing; pass --inputs {name}=recon_probs when it returns {reads}",
                     evidence)

    def _scale_naming(self, kl_term: TermFit) -> None:
        """A scale argument whose name (or declared role) says one parameterization that the KL reads as
        another (``logvar`` used as log σ, ``Normal(mu, torch.exp(logvar))``). The behaviour decides the verdict
        (the KL is right for what it computes, and a sampler given with it is compared by the parameterization),
        under the condition that the name lies, with a note (a sampler's rule too); what the name said is kept in
        ``identified["scale named"]``, so that ``assert_vae_loss(allow_conventions=False)`` can require the two
        to agree."""
        found = next(((name, role) for name, role in self.context.arg_roles.items() if role in PARAMETERIZATIONS),
                     None)
        if found is None or kl_term.name not in PARAMETERIZATIONS or kl_term.name == found[1]:
            return
        name, role = found
        condition = f"{name} holds {SCALE_MEANING[kl_term.name]}"
        self.identified["scale named"] = {"argument": name, "says": SCALE_MEANING[role],
                                          "read_as": SCALE_MEANING[kl_term.name], "condition": condition}
        add_condition(self.identified, condition)  # the verdict line says so: "correct if logvar holds log σ"
        self.add("kl-form", "note", f"the KL reads {name} as {SCALE_MEANING[kl_term.name]}: right if {condition}, "
                 f"but its name says {SCALE_MEANING[role]}; if {name} is {SCALE_MEANING[role]} (as an encoder so "
                 f"named outputs), this is the KL of the wrong Gaussian. Read it as {SCALE_MEANING[role]}, or state "
                 f"the role with --inputs {name}={kl_term.name}",
                 {"argument": name, "name_says": role, "behaviour_fits": kl_term.name})

    # - gradients -

    def _gradients(self, kl_term: TermFit | None, recon_term: TermFit | None,
                   joint: dict[Shape, LinearFit]) -> None:
        """The value is −ELBO; its gradient with respect to μ, s and the decoder output must be too
        (:mod:`mathcheck.code.gradients`), at μ of both signs (a third of the entries at |μ| from 3 to 6, where a
        detach of large means shows), log σ² from −4 to 2.5 and moderate outputs."""
        shape = self.experiment.shapes[0]
        base = self.experiment.of(shape, ("base",))[0]
        coefficients = joint[shape].coefficients
        terms, values = [], dict(base.values)
        rng = np.random.default_rng([self.context.seed, 14, 12])
        if recon_term is not None:
            family = recon_math.BY_NAME[recon_term.name]
            terms.append(Term("recon", float(coefficients[0]), family.name, f"the {family.description}"))
            if self.experiment.mode == "binary" and family.name in GRADIENT_RANGE:
                values["recon"] = rng.uniform(*GRADIENT_RANGE[family.name], values["recon"].shape)
        if kl_term is not None:
            terms.append(Term("kl", float(coefficients[len(terms)]), kl_term.name, "the KL"))
            values["mu"] = far_mu(rng, shape, *GRADIENT_FAR_MU, every=3)  # a third of the entries at |μ| in 3..6
            values["scale"] = kl_math.scale_of_logvar(rng.uniform(-4.0, 2.5, values["mu"].shape), kl_term.name)
        check = GradientCheck(self.context.caller, values, self.leaf.label, self.leaf.kind, shape, terms,
                              self.context.role, tuple(np.shape(base.leaf(self.leaf.label))), self.context.seed)
        self.findings += check.findings()

    # - joint fit: the terms add up -

    def _joint(self, kl_term: TermFit | None, recon_term: TermFit | None) -> dict[Shape, LinearFit] | None:
        features = [term.feature for term in (recon_term, kl_term) if term is not None]
        fits = {}
        for shape in self.experiment.shapes:
            fitted = fit_joint(self.experiment.of(shape), self.leaf.label, self.leaf.kind, features,
                               self.experiment.rounding)
            if fitted is None or fitted.residual > self.tolerance:
                self.identified["additive"] = False
                return None
            fits[shape] = fitted
        return fits

    def _term_weights(self, term: TermFit, joint: dict[Shape, LinearFit] | None, index: int) -> dict[Shape, float]:
        if joint is None:
            return term.weights()
        return {shape: float(fit.coefficients[index]) for shape, fit in joint.items()}

    def _constant_threshold(self) -> float:
        """How large a fitted constant must be to be one: 20× the joint fits' worst misfit (rounding, eps
        guards: the intercept carries their noise, amplified), and at least 16× the rounding of the largest
        output (float32 code rounds its constants at 1e-6 of the outputs)."""
        misfit = max((fit.misfit for fit in (self.joint or {}).values()), default=0.0)
        return max(20 * misfit, 16 * self.experiment.rounding * self._scale_of_outputs(), 1e-300)

    def _scale_of_outputs(self) -> float:
        return max(float(np.max(np.abs(probe.leaf(self.leaf.label)))) for probe in self.experiment.probes)

    # - sizes written as constants -

    def constants(self) -> tuple[list[SizeConstant], list[float]]:
        if self._constants is None:
            pixels = self.experiment.shapes[0].pixels
            self._constants = size_constants(self.context.caller.function, (pixels,) if pixels > 12 else ())
        return self._constants

    def _is_weight(self, factor: float) -> bool:
        """A number the code names as a weight (β = 4 beside LATENT = 4) is a β, not a size."""
        return any(is_close(abs(factor), abs(w), 1e-9) or is_close(abs(factor), 1 / abs(w), 1e-9)
                   for w in self.constants()[1] if w)

    def _explained(self, law: Law, plain: Sequence[float], allowed: dict[str, tuple[int, ...]]
                   ) -> tuple[Law, list[SizeConstant]] | None:
        """The law with the constants its ρ carries counted as the dims they stand for: ρ = c · Π N^p with c
        plain read as weight c · Π dim^(e + p) at dim = N; None when ρ is plain or no constants explain it."""
        tol = 10 * self.tolerance
        if any(is_close(abs(law.rho), value, tol) for value in plain) or self._is_weight(law.rho):
            return None
        sizes = [c for c in self.constants()[0] if c.dimension in allowed]
        for count in (1, 2):
            for chosen in itertools.combinations(sizes, count):
                if len({c.dimension for c in chosen}) < count:
                    continue
                for powers in itertools.product((1, -1), repeat=count):
                    exponents = dict(law.exponents)
                    for c, p in zip(chosen, powers):
                        exponents[c.dimension] = exponents.get(c.dimension, 0) + p
                    if any(exponents.get(c.dimension, 0) not in allowed[c.dimension] for c in chosen):
                        continue
                    rho = law.rho / float(np.prod([c.value ** p for c, p in zip(chosen, powers)]))
                    if any(is_close(abs(rho), value, tol) for value in plain):
                        return Law(rho, exponents), list(chosen)
        return None

    def _ratio_explained(self, kl_law: Law, recon_law: Law) -> tuple[Law, Law, list[SizeConstant]] | None:
        """A β that is a size constant N^±1: the KL over d (a KL/LATENT), the NLL over D or B (the other term
        reduced by a constant), the KL over B."""
        tol = 10 * self.tolerance
        ratio = kl_law.rho / recon_law.rho
        if is_close(abs(ratio), 1.0, tol) or self._is_weight(ratio):
            return None
        for c in self.constants()[0]:
            for p in (1, -1):
                if not is_close(abs(ratio), float(c.value) ** p, tol):
                    continue
                on_kl = c.dimension == "d" or (c.dimension == "B" and p == -1)
                law = kl_law if on_kl else recon_law
                shift = p if on_kl else -p
                exponents = {**law.exponents, c.dimension: law.power(c.dimension) + shift}
                if exponents[c.dimension] not in (-1, 0):
                    continue
                moved = Law(law.rho / float(c.value) ** shift, exponents)
                return (moved, recon_law, [c]) if on_kl else (kl_law, moved, [c])
        return None

    def _with_constants(self, kl_law: Law | None, recon_law: Law | None, family: recon_math.Family | None = None
                        ) -> tuple[Law | None, Law | None]:
        """Both laws with the sizes the code hard-codes read as their dims (see :func:`size_constants`)."""
        used: list[SizeConstant] = []
        if kl_law is not None:
            explained = self._explained(kl_law, (1.0,), {"B": (-1, 0), "d": (-1, 0), "D": (-1, 0, 1)})
            if explained is not None:
                kl_law, found = explained
                used += found
        if recon_law is not None:
            explained = self._explained(recon_law, family.canonical_weights, {"B": (-1, 0), "D": (-1, 0)})
            if explained is not None:
                recon_law, found = explained
                used += found
        if not used and kl_law is not None and recon_law is not None:
            explained = self._ratio_explained(kl_law, recon_law)
            if explained is not None:
                kl_law, recon_law, used = explained
        for c in used:
            self.sizes_at[c.dimension] = c.value
        if used:
            self.identified["hard-coded sizes"] = {c.dimension: c.words() for c in used}
        return kl_law, recon_law

    def _dims_at(self, shape: Shape, positions: bool = False) -> dict[str, int]:
        return {**dims_of(shape, positions), **self.sizes_at}

    # - a KL alone (role kl, or a loss of μ and s only) -

    def _kl_weights(self, kl_term: TermFit, joint: dict[Shape, LinearFit] | None) -> None:
        weights = self._term_weights(kl_term, joint, 0)
        shapes = list(weights)
        law = weight_law([weights[s] for s in shapes], [dims_of(s) for s in shapes], ("B", "d"), 10 * self.tolerance)
        evidence = self._weight_evidence({"kl_weight": [weights[s] for s in shapes]}, shapes)
        if law is None:
            self.add("kl-form", "bug", "the KL's weight changes with the batch size and latent dim in a way no "
                     "reduction explains", evidence)
            return
        law = self._with_constants(law, None)[0]
        self.identified["kl"].update(self._reductions("kl", law))
        if self.identified["kl"]["latent dims"] == KEPT:  # einsum("bi->i", ...), .sum(0): a vector of d values
            self.add("reduction-mismatch", "note", "the KL is returned per latent dimension"
                     f"{' (summed over the batch)' if self.leaf.kind == 'latent-dims' else ''}, not summed over "
                     "them: the KL of each example is their sum, so sum it over the latent dims before it is "
                     "added to a loss", evidence)
        self._latent_mean(law, evidence)
        grown = {name: law.power(name) for name in ("B", "d") if law.power(name) > 0}
        if grown:
            self.add("kl-form", "bug", f"the KL is multiplied by {_power_text(grown)}", evidence)
        if law.rho < 0:
            self.add("kl-sign", "bug", f"the function returns −KL: it fits {law.rho:.6g} × the closed form "
                     f"{kl_math.formula(kl_term.name, self.context.scale_name())}", evidence)
        if not is_close(abs(law.rho), 1.0, 10 * self.tolerance):
            note = " (the ½ of the closed form is missing)" if is_close(abs(law.rho), 2.0, 10 * self.tolerance) else ""
            self.add("kl-constant", "bug", f"the KL is weighted {abs(law.rho):.6g}×{note}: it fits "
                     f"{law.rho:.6g} × {kl_math.formula(kl_term.name, self.context.scale_name())}",
                     {**evidence, "weight": law.rho})
        if joint is not None and not (self.context.role == "kl" and self.context.caller.has("recon")):
            self._kl_constant(weights, {s: float(joint[s].coefficients[-1]) for s in shapes}, None)

    def _latent_mean(self, law: Law, evidence: dict) -> None:
        if law.power("d") == -1:
            d = self._dims_at(self.experiment.shapes[0])["d"]
            self.add("kl-mean-over-latent", "bug", f"the KL is averaged over the latent dims instead of summed "
                     f"(KL/d: weighted 1/{d} at d = {d})", evidence)

    def _kl_constant(self, kl_weights: dict[Shape, float], constants: dict[Shape, float],
                     recon_weights: dict[Shape, float] | None) -> None:
        """Split the fitted constants into γ per KL entry, α per data entry (a Gaussian's ½ log 2πσ²: no
        finding) and an offset δ (a finding for a bare KL only); where γ cannot be told from the others (the
        entries' weight does not change over the shapes) a bare KL's whole constant is read as γ."""
        shapes = list(constants)
        kl_entries = np.array([kl_weights[s] * entries_per_row((s.batch, s.latent), self.leaf.kind) for s in shapes])
        columns = [kl_entries]
        if recon_weights is not None:
            columns.append(np.array([recon_weights[s] * entries_per_row((s.batch, *s.data), self.leaf.kind)
                                     for s in shapes]))
        ones = np.ones(len(shapes))
        c = np.array([constants[s] for s in shapes])
        others = np.column_stack(columns[1:] + [ones])
        projection = others @ np.linalg.lstsq(others, kl_entries, rcond=None)[0]
        separable = np.max(np.abs(kl_entries - projection)) > 1e-6 * np.max(np.abs(kl_entries))
        threshold = self._constant_threshold()
        if not separable:
            if recon_weights is not None or np.max(np.abs(c)) <= threshold:
                return
            gamma, delta = float(np.mean(c / kl_entries)), 0.0
        else:
            coefficients = np.linalg.lstsq(np.column_stack(columns + [ones]), c, rcond=None)[0]
            gamma, delta = float(coefficients[0]), float(coefficients[-1])
        kl_part = abs(gamma) * float(np.min(np.abs(kl_entries)))
        offset = 0.0 if recon_weights is not None else delta
        if kl_part <= threshold and abs(offset) <= threshold:
            return
        parts = []
        if kl_part > threshold:
            if is_close(gamma, 0.5, 1e-3):
                parts.append("the −1 of ½(σ² − 1 − log σ² + μ²) is missing: the KL plus ½ per latent entry")
            elif is_close(gamma, -0.5, 1e-3):
                parts.append("an extra −1 inside the KL: the KL minus ½ per latent entry")
            else:
                parts.append(f"the KL plus {gamma:.6g} per latent entry")
        if abs(offset) > threshold:
            parts.append(f"plus a constant {offset:.6g}")
        base = self.experiment.shapes[0]
        evidence = {"constant_per_latent_entry": gamma, "constant": offset, "shapes": [_shape_text(s) for s in shapes],
                    "fitted_constants": c.tolist(), **self._point_evidence(base, mu=0.0,
                                                                           scale=kl_math.IDENTITY[self._param()])}
        self.add("kl-constant", "bug", "; ".join(parts) + " (the KL of q = p must be 0)", evidence)

    def _param(self) -> str:
        return self.identified.get("kl", {}).get("parameterization") or self.context.claimed_parameterization()

    # - a loss: both terms -

    def _loss_weights(self, kl_term: TermFit, recon_term: TermFit, joint: dict[Shape, LinearFit] | None) -> None:
        family = recon_math.BY_NAME[recon_term.name]
        recon_w = self._term_weights(recon_term, joint, 0)
        kl_w = self._term_weights(kl_term, joint, 1)
        shapes = list(kl_w)
        names = ("B", "D", "d")
        tol = 10 * self.tolerance
        dims = [dims_of(s, not family.elementwise) for s in shapes]
        kl_law = weight_law([kl_w[s] for s in shapes], dims, names, tol)
        recon_law = weight_law([recon_w[s] for s in shapes], dims, names, tol,
                               family.canonical_weights)
        evidence = self._weight_evidence({"kl_weight": [kl_w[s] for s in shapes],
                                          "reconstruction_weight": [recon_w[s] for s in shapes]}, shapes)
        if kl_law is None or recon_law is None:
            self.add("reduction-mismatch", "bug", "the weights of the KL and the reconstruction change with "
                     "B, D and d in a way no reduction explains", evidence)
            return
        kl_law, recon_law = self._with_constants(kl_law, recon_law, family)
        self.identified["kl"].update(self._reductions("kl", kl_law))
        self.identified["reconstruction"].update(self._reductions("reconstruction", recon_law))
        elbo = _names_elbo(self.context.target, self.leaf.label)
        what, goal, sign = ("the ELBO", "maximising", "positive") if elbo else ("the loss", "minimising", "negative")
        orientation = -1.0 if elbo else 1.0
        if orientation * kl_law.rho < 0:
            self.add("kl-sign", "bug", f"the KL enters {what} with a {sign} weight ({kl_law.rho:.6g}): {goal} it "
                     "maximises the KL", evidence)
        if orientation * recon_law.rho < 0:
            self.add("reconstruction-sign", "bug", f"the {family.description} enters {what} with a {sign} weight "
                     f"({recon_law.rho:.6g}): {goal} it maximises the NLL", evidence)
        self._latent_mean(kl_law, evidence)
        self._mismatch(kl_law, recon_law, family, evidence)
        self._beta_and_scale(kl_law, recon_law, family, evidence)
        if joint is not None:
            self._kl_constant(kl_w, {s: float(joint[s].coefficients[-1]) for s in shapes}, recon_w)

    def _mismatch(self, kl_law: Law, recon_law: Law, family: recon_math.Family, evidence: dict) -> None:
        delta = {name: kl_law.power(name) - recon_law.power(name) for name in ("B", "D", "d")}
        if kl_law.power("d") == -1 and recon_law.power("d") == 0:
            delta["d"] = 0  # the KL mean over latent dims is named by its own finding
        if not any(delta.values()):
            return
        base = self.experiment.shapes[0]
        dims = self._dims_at(base, not family.elementwise)
        factor = float(np.prod([dims[n] ** p for n, p in delta.items()]))
        expression = _power_text(delta)
        described = "; ".join(part for part in (
            self._reduction_words("reconstruction", recon_law, family), self._reduction_words("kl", kl_law, None))
            if part)
        direction = f"{factor:.6g}×" if factor >= 1 else f"1/{1 / factor:.6g}"
        at = ", ".join(f"{n} = {dims[n]}" for n, p in delta.items() if p)
        overall = ""
        if kl_law.power("d") == -1 and recon_law.power("d") == 0:
            total = factor / dims["d"]
            overall = (f"; with the KL averaged over the latent dims, {_power_text({**delta, 'd': -1})} overall "
                       f"({f'{total:.6g}×' if total >= 1 else f'1/{1 / total:.6g}'})")
        self.add("reduction-mismatch", "bug", f"the KL is weighted {expression} ({direction} at {at}) relative to the "
                 f"{family.description}, against 1 in the ELBO: {described}{overall}",
                 {**evidence, "implied_kl_weight": factor * abs(kl_law.rho / recon_law.rho),
                  "relative_exponents": delta})

    def _beta_and_scale(self, kl_law: Law, recon_law: Law, family: recon_math.Family, evidence: dict) -> None:
        tol = 10 * self.tolerance
        rho_k, rho_r = abs(kl_law.rho), abs(recon_law.rho)
        beta, scale = rho_k / rho_r, rho_r
        if family.scale_parameter is not None:
            if any(is_close(rho_r, value, tol) for value in family.canonical_weights):
                beta, scale, spread = rho_k, 1.0, 1.0 / rho_r
            else:
                beta, scale, spread = 1.0, rho_k, rho_k / rho_r
            self.identified["reconstruction"][family.scale_parameter] = spread
        # the KL itself doubled (not the reconstruction halved: 0.5·BCE + KL) in code that names no weight
        if is_close(beta, 2.0, tol) and is_close(rho_k, 2.0, tol) \
                and not names_a_weight(self.context.caller.function, tuple(self.context.arg_roles)):
            self.add("kl-constant", "bug", f"the KL is weighted 2× relative to the {family.description} (the ½ of "
                     "the closed form is missing): the code names no weight (no beta, kl_weight, ... argument, "
                     "attribute, global or constant), so this is no β = 2", {**evidence, "beta": beta})
        elif not is_close(beta, 1.0, tol):
            half = " (also what a KL missing its ½ gives, if no β = 2 was meant)" if is_close(beta, 2.0, tol) else ""
            self.add("beta", "convention", f"the KL is weighted β = {beta:.6g} relative to the "
                     f"{family.description}{half}", {**evidence, "beta": beta})
        common = {name: kl_law.power(name) for name in ("B", "D", "d")
                  if kl_law.power(name) == recon_law.power(name) and kl_law.power(name) != 0}
        if common.get("B") == -1:
            del common["B"]  # a mean over the batch is a reduction of the ELBO's sum, not a scale
        if common or not is_close(scale, 1.0, tol):
            words = [f"{scale:.6g}"] if not is_close(scale, 1.0, tol) else []
            if common:
                words.append(_power_text(common))
            factor = ' · '.join(words)
            message = (f"both terms are scaled by {factor} (the same factor on the KL and the {family.description}: "
                       "the optimum is the ELBO's)" if is_close(beta, 1.0, tol) else
                       f"the loss is {factor} × ({family.description} + β·KL) with β = {beta:.6g}: the factor "
                       f"{factor} is on the whole loss, the KL weight is not {factor}, and the optimum is that of "
                       f"β = {beta:.6g}, not the ELBO's")
            self.add("scale", "convention", message, {**evidence, "scale": scale, "common_exponents": common})

    def _reductions(self, term: str, law: Law) -> dict[str, str]:
        """How the term is reduced over the batch and over its own dims (KEPT: one value per dim)."""
        words = {-1: "mean", 0: "sum", 1: "times"}
        found = {"weight": law.rho}
        if self.leaf.kind in BATCH_REDUCED:
            found["batch"] = words[law.power("B")]
        own = "latent dims" if term == "kl" else "data dims"
        kept = {"kl": ("latent", "latent-dims"), "reconstruction": ("data", "data-dims")}[term]
        found[own] = KEPT if self.leaf.kind in kept else words[law.power("d" if term == "kl" else "D")]
        return found

    def _reduction_words(self, term: str, law: Law, family: recon_math.Family | None) -> str:
        name = "the KL" if family is None else f"the {family.description}"
        own = "d" if family is None else "D"
        words = [f"{'averaged' if law.power(own) == -1 else 'summed'} over {DIMENSION_WORDS[own]}"]
        if self.leaf.kind in BATCH_REDUCED:
            words.append(f"{'averaged' if law.power('B') == -1 else 'summed'} over the batch")
        return f"{name} {' and '.join(words)}"

    # - a reconstruction alone -

    def _recon_only(self, recon_term: TermFit, joint: dict[Shape, LinearFit] | None) -> None:
        weights = self._term_weights(recon_term, joint, 0)
        shapes = list(weights)
        positions = not recon_math.BY_NAME[recon_term.name].elementwise
        law = weight_law([weights[s] for s in shapes], [dims_of(s, positions) for s in shapes], ("B", "D"),
                         10 * self.tolerance,
                         recon_math.BY_NAME[recon_term.name].canonical_weights)
        if law is not None:
            self.identified["reconstruction"].update(self._reductions("reconstruction", law))
        if law is not None and law.rho < 0 and not _names_elbo(self.context.target, self.leaf.label):
            family = recon_math.BY_NAME[recon_term.name]
            self.add("reconstruction-sign", "bug", f"the function returns the log-likelihood, −({family.description})",
                     self._weight_evidence({"reconstruction_weight": [weights[s] for s in shapes]}, shapes))

    # - evidence -

    def _weight_evidence(self, weights: dict, shapes: Sequence[Shape]) -> dict:
        base = self.experiment.of(shapes[0], ("base",))[0]
        evidence = {"shapes": [_shape_text(s) for s in shapes], **weights,
                    "inputs": named_inputs(self.context.caller, base.values),
                    "code": small(base.leaf(self.leaf.label))}
        derived = {}
        if "mu" in base.values and "scale" in base.values:
            derived["kl_summed"] = float(kl_feature(base, self._param()).sum())
        family_name = self.identified.get("reconstruction", {}).get("family")
        family = next((f for f in recon_math.FAMILIES if f.description == family_name), None)
        if family is not None:
            derived["nll_summed"] = float(recon_feature(base, family).sum())
        if derived:
            evidence["derived"] = derived
        return evidence

    def _point_values(self, shape: Shape, mu: float | None = None, scale: float | None = None,
                      recon: float | None = None, x: float | None = None) -> dict[str, np.ndarray]:
        base = dict(self.experiment.of(shape, ("base",))[0].values)
        if mu is not None:
            base["mu"] = np.full((shape.batch, shape.latent), mu)
            base["scale"] = np.full((shape.batch, shape.latent), scale)
        if recon is not None:
            base["recon"] = np.full(base["recon"].shape, recon)
            base["x"] = np.full(base["x"].shape, x)
        return base

    def _point_evidence(self, shape: Shape, **point: float) -> dict:
        values = self._point_values(shape, **point)
        try:
            code = _first_row(leaf_value(self.context.caller(values), self.leaf.label))
        except Exception as error:
            code = first_line(error)
        return {"point": point, "code_at_point": code}

    def _row_entries(self, shape: Shape, per_example: int) -> int:
        return {"scalar": shape.batch * per_example, "example": per_example, "latent-dims": shape.batch,
                "data-dims": shape.batch}.get(self.leaf.kind, 1)

    def _kl_form(self, named: kl_math.WrongForm | None, closest: TermFit | None) -> None:
        shape = self.experiment.shapes[0]
        p = self.context.claimed_parameterization()
        name = self.context.scale_name()
        identity = kl_math.IDENTITY[p]
        points = [(0.0, identity), (1.0, identity), (2.0, identity), (0.0, kl_math.READABLE[p][0]),
                  (0.0, kl_math.READABLE[p][1]), (0.5, kl_math.READABLE[p][0])]
        entries = self._row_entries(shape, shape.latent)
        table = self._kl_point_table(shape, points, p, name, entries)
        message = "not the KL under any parameterization (log σ², log σ, σ, σ²) or reduction"
        if named is not None:
            message = f"computes {named.description}, not the KL"
        message += self._worst_point_text(table, name, "closed form " + kl_math.formula(p, name), entries)
        evidence = {"points": table, "parameterization_claimed": p, "entries_per_value": entries}
        if closest is not None:
            evidence["closest_parameterization"] = closest.name
            evidence["closest_misfit"] = closest.residual
        self.add("kl-form", "bug", message, evidence)

    def _kl_point_table(self, shape: Shape, points: Sequence[tuple[float, float]], p: str, name: str,
                        entries: int) -> list[dict]:
        """The code and the closed form at readable points (μ, s), each set in every entry."""
        table = []
        for mu, scale in points:
            try:
                output = self.context.caller(self._point_values(shape, mu, scale))
                code = _first_row(leaf_value(output, self.leaf.label))
            except Exception as error:
                table.append({"mu": mu, name: scale, "code": first_line(error)})
                continue
            per_entry = float(kl_math.closed_form(np.array(mu), np.array(scale), p))
            table.append({"mu": mu, name: scale, "code": code, "closed_form_per_entry": per_entry,
                          "closed_form_summed": per_entry * entries})
        return table

    def _reconstruction_form(self, named: recon_math.WrongForm | None, closest: TermFit | None) -> None:
        shape = self.experiment.shapes[0]
        family = recon_math.BY_NAME[self.context.claimed_family(self.experiment.mode)]
        p = self._param()
        entries = self._row_entries(shape, shape.pixels)
        table = []
        for recon, x in family.counterexample_points():
            values = self._point_values(shape, recon=recon, x=x)
            if "mu" in values and "scale" in values:
                values["mu"] = np.zeros_like(values["mu"])
                values["scale"] = np.full_like(values["scale"], kl_math.IDENTITY[p])
            try:
                code = _first_row(leaf_value(self.context.caller(values), self.leaf.label))
            except Exception as error:
                table.append({"recon": recon, "x": x, "code": first_line(error)})
                continue
            per_entry = family.per_entry(recon, x, IDS_CATEGORIES)
            table.append({"recon": recon, "x": x, "code": code, "nll_per_entry": per_entry,
                          "nll_summed": per_entry * entries})
        families = ", ".join(f.description for f in recon_math.FAMILIES[:4])
        message = f"not a {families} or categorical NLL under any reduction"
        if named is not None:
            message = f"computes {named.description}"
        message += self._worst_point_text(table, "recon", f"{family.description}", entries, data=True)
        evidence = {"points": table, "family_claimed": family.name, "entries_per_value": entries,
                    "kl_at": {"mu": 0.0, self.context.scale_name(): kl_math.IDENTITY[p]}}
        if closest is not None:
            evidence["closest_family"] = closest.name
            evidence["closest_misfit"] = closest.residual
        self.add("reconstruction-form", "bug", message, evidence)

    def _worst_point_text(self, table: list[dict], name: str, what: str, entries: int, data: bool = False) -> str:
        """The readable point where the code and the math differ most, after matching their ratio at a first
        point (a mean over the batch or a weight is not the difference being shown). In a loss the KL points
        are compared through the change from the first point (μ = 0, σ = 1), which holds the other term."""
        key_sum = "nll_summed" if data else "closed_form_summed"
        usable = [row for row in table if isinstance(row.get("code"), float) and key_sum in row]
        if len(usable) < 2:
            return ""

        def where(row: dict) -> str:
            if data:
                return f"recon = {row['recon']:g}, x = {row['x']:g}"
            return f"μ = {row['mu']:g}, {name} = {row[name]:g}"

        offset = 0.0
        if not data:
            zero = usable[0]
            if not self.leaf.on_recon and abs(zero["code"]) > 10 * self.tolerance * max(abs(r["code"]) for r in usable):
                return (f": at {where(zero)} (q = p, in each of the {entries} entries) the code gives "
                        f"{zero['code']:.6g} where the KL is 0")
            offset = zero["code"] if self.leaf.on_recon else 0.0
        change = "the change in the code's value from the first point" if offset else "the code"
        reference = usable[0] if data else usable[1]
        ratio = (reference["code"] - offset) / reference[key_sum] if reference[key_sum] else 1.0
        ratio = ratio if ratio else 1.0

        def gap(row: dict) -> float:
            expected, got = ratio * row[key_sum], row["code"] - offset
            return abs(got - expected) / max(abs(got), abs(expected), 1e-12)

        worst = max(usable, key=gap)
        scaled = "" if is_close(ratio, 1.0, 1e-9) else f"{ratio:.6g} × "
        text = (f": at {where(worst)} (in each of the {entries} entries) {change} is "
                f"{worst['code'] - offset + 0.0:.6g}, {scaled}the {what} summed is {ratio * worst[key_sum] + 0.0:.6g}")
        if offset:
            text += f" (first point μ = 0, {name} = {usable[0][name]:g}: code {offset:.6g})"
        if scaled:
            text += (f" (the factor matched at {where(reference)}: code {reference['code'] - offset:.6g}, "
                     f"{what} summed {reference[key_sum]:.6g})")
        return text

    # - numerics -

    def _numerics(self, kl_term: TermFit | None, recon_term: TermFit | None,
                  joint: dict[Shape, LinearFit] | None) -> None:
        shape = self.experiment.shapes[0]
        p = kl_term.name if kl_term is not None and kl_term.name in PARAMETERIZATIONS else \
            self.context.claimed_parameterization()
        name = self.context.scale_name()
        cases = []
        if self.leaf.on_kl:
            scales = [(kl_math.from_logvar(logvar, p), logvar) for logvar in kl_math.EXTREME_LOGVARS]
            if p in kl_math.NEAR_ZERO:
                scales.append((kl_math.NEAR_ZERO[p], float(kl_math.to_logvar(kl_math.NEAR_ZERO[p], p))))
            for scale, logvar in scales:
                values = self._point_values(shape)
                values["scale"] = np.full((shape.batch, shape.latent), scale)
                cases.append((f"{name} = {scale:.6g} (log σ² = {logvar:.6g}) in every entry", values,
                              {name: scale, "log_variance": logvar}, kl_term is not None))
        family_name = recon_term.name if recon_term is not None else None
        if self.leaf.on_recon and family_name in ("bernoulli-logits", "bernoulli-probs") \
                and self.experiment.mode == "binary":
            values = self._point_values(shape)
            x = values["x"]
            if family_name == "bernoulli-logits":
                signs = np.where(np.arange(x.size).reshape(x.shape) % 2 == 0, 1.0, -1.0)
                values["recon"] = 50.0 * signs
                cases.append(("logits ±50", values, named_inputs(self.context.caller, values), False))
            else:
                values["recon"] = x.copy()
                cases.append(("probabilities exactly 0 and 1 where the data agree (NLL 0)", values,
                              named_inputs(self.context.caller, values), False))
        for description, values, shown, compare in cases:
            expected = self._expected(values, kl_term, recon_term, joint, p)
            if expected is not None and not np.all(np.isfinite(expected)):
                continue
            try:
                code = leaf_value(self.context.caller(values), self.leaf.label)
                problem = None if code is not None and np.all(np.isfinite(code)) else "returns " + _nonfinite(code)
            except Exception as error:
                problem = "raises " + first_line(error)
                code = None
            if problem is None:
                if compare and expected is not None and not self._agrees_at_extreme(code, expected):
                    self.add("kl-form", "note", f"at {description} the code gives {_first_row(code):.6g} where the "
                             f"KL it computes elsewhere gives {_first_row(expected):.6g}: the scale argument is "
                             "clamped or guarded there (harmless if no encoder output gets that far)",
                             {"input": shown, "code": small(code), "derived": small(expected)})
                continue
            evidence = {"input": shown, "code": small(code) if code is not None else problem}
            if expected is not None:
                evidence["derived"] = small(expected)
            self.add("nonfinite-at-extremes", "note", f"at {description} the code {problem} where the math is "
                     "finite", evidence)

    def _agrees_at_extreme(self, code: np.ndarray, expected: np.ndarray) -> bool:
        code = np.asarray(code, dtype=np.float64).reshape(-1)
        expected = np.asarray(expected, dtype=np.float64).reshape(-1)
        if code.shape != expected.shape:
            return True  # a layout the fitted model does not share: nothing to compare
        scale = max(float(np.max(np.abs(expected))), self._scale_of_outputs())
        return bool(np.all(np.abs(code - expected) <= 10 * self.tolerance * scale))

    def _expected(self, values: dict, kl_term: TermFit | None, recon_term: TermFit | None,
                  joint: dict[Shape, LinearFit] | None, p: str) -> np.ndarray | None:
        """The fitted model at an extreme input, from the references; None when the terms were not identified."""
        shape = self.experiment.shapes[0]
        if joint is None:
            return None
        probe = Probe(shape, "base", values, None)
        columns = []
        if recon_term is not None:
            columns.append(rows(recon_feature(probe, recon_math.BY_NAME[recon_term.name]), self.leaf.kind, shape))
        if kl_term is not None:
            columns.append(rows(kl_feature(probe, p), self.leaf.kind, shape))
        coefficients = joint[shape].coefficients
        return sum(c * column for c, column in zip(coefficients, columns)) + coefficients[-1]


PROBABILITY_READINGS = ("bernoulli-probs", "categorical-probs", "categorical-ids-probs")
# decoder outputs for the gradient check: away from 0 and 1, where guards (log(p + 1e-5), a clamp) change a
# gradient by far less than gradients.RELATIVE
GRADIENT_FAR_MU = (3.0, 6.0)  # |μ| of a third of the entries in the gradient probe
GRADIENT_RANGE = {"bernoulli-probs": (0.1, 0.9), "bernoulli-logits": (-3.0, 3.0), "gaussian-sigmoid": (-3.0, 3.0),
                  "laplace-sigmoid": (-3.0, 3.0)}


def kl_math_form(name: str) -> kl_math.WrongForm:
    return next(form for form in kl_math.WRONG_FORMS if form.name == name)


def recon_form(name: str) -> recon_math.WrongForm:
    return next(form for form in recon_math.WRONG_FORMS if form.name == name)


def named_inputs(caller: Caller, values: dict[str, np.ndarray]) -> dict[str, Any]:
    """Inputs for evidence under the function's own argument names."""
    return {name: small(values[key]) for name, key in caller.keys.items() if key in values}


def leaves_dict(output: Any) -> dict[str, np.ndarray]:
    return dict(leaves(output))


def leaf_value(output: Any, label: str) -> np.ndarray | None:
    """One output of a result by its place, ``"a + b"`` summed; None when the result has no such place."""
    found = leaves_dict(output)
    parts = [label] if label in found or SUM not in label else label.split(SUM)
    if any(part not in found for part in parts):
        return None
    return sum(found[part] for part in parts)


def _first_row(array: np.ndarray) -> float:
    """The code's value in the first place of its layout (all inputs of a point are equal across entries)."""
    return float(np.asarray(array).reshape(-1)[0])


def _nonfinite(value: Any) -> str:
    if value is None:
        return "nothing numeric"
    array = np.asarray(value, dtype=np.float64)
    return "nan" if np.any(np.isnan(array)) else "inf"


def _names_elbo(target: str, label: str) -> bool:
    text = f"{target} {label}".lower().rsplit(":", 1)[-1].rsplit(".", 1)[-1] + f" {label.lower()}"
    return "elbo" in text and not any(word in text for word in ("neg", "nelbo", "minus", "loss"))


def _power_text(powers: dict[str, int]) -> str:
    up = [name for name, p in powers.items() if p > 0]
    down = [name for name, p in powers.items() if p < 0]
    text = "·".join(up) if up else "1"
    if down:
        text += "/" + ("·".join(down) if len(down) == 1 else f"({'·'.join(down)})")
    return text


def _component_findings(context: Context, experiment: Experiment, leaf: Leaf, identified: dict) -> list[Finding]:
    """A KL returned next to the loss is checked as a KL (its sign, its latent reduction, its form)."""
    if not leaf.on_kl or leaf.on_recon:
        return []
    named_kl = any(name in leaf.label.lower() for name in KL_NAMES)
    sub = _TermsAnalysis(Context(context.caller, context.target, "kl", context.arg_roles, context.seed,
                                 context.count, context.tolerance),
                         experiment, leaf, {}, prefix=f"the returned '{leaf.label}': ")
    sub.run()
    if named_kl:
        identified.setdefault("component kl", sub.identified.get("kl", {}))
        return [finding for finding in sub.findings if finding.code != "nonfinite-at-extremes"]
    return [finding for finding in sub.findings if finding.code in ("kl-sign", "kl-mean-over-latent")]


__all__ = ["Outcome", "analyse_loss_or_kl", "variant_shapes", "Experiment", "Probe", "dims_of"]
