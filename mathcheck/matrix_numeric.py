"""The numeric checker for matrix steps: random worlds in d ∈ {1, 2, 3, 4, 5, 8}, both sides evaluated with numpy.

A world draws every matrix symbol of the step: a declared :class:`~mathcheck.matrices.Covariance` as a random
symmetric positive-definite matrix (well conditioned: spectrum in [0.5, 2]; badly: spectrum over 10⁻²…10²),
a :class:`~mathcheck.matrices.SymmetricMatrix` as a random symmetric (indefinite) one, and every other matrix
as a random NON-symmetric one (so identities true only for symmetric matrices fail); vectors, scalars and
indexed components at random (positive where declared positive).

Sides are compared at ``|lhs − rhs| ≤ RELATIVE · κ · (1 + |lhs| + |rhs|) + MC_SIGMAS · se`` where κ is the
largest condition number among the world's matrices and ``se`` the Monte Carlo standard error of lhs − rhs:
a Gaussian expectation E_{N(μ, Σ)}[f] is the mean of f over ``SAMPLES`` draws (common to both sides, so the
error of a difference is that of the paired per-sample difference); only sides affine in their expectations
are evaluated this way. A failing world is a counterexample (its d, kind and every matrix).
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixExpr

from mathcheck.matrices import (
    BinaryBase, Components, ConditionalInverse, ConstrainedMatrix, Covariance, Diagonal, Entry, MatrixExpectation,
    MvNormal, OrthogonalMatrix, ShapeError, SymmetricMatrix,
    TriangularMatrix, UnitBase, VectorFunction, check_shapes, d, involves_matrices,
)
from mathcheck.size_difference import describe as describe_sizes, size_counterexample
from mathcheck.vocab import KL, Expectation

DIMENSIONS = (1, 2, 3, 4, 5, 8)  # 4 and 8 too: a slip vanishing at 1, 2, 3, 5 (d−5 factors) is seen
KINDS = ("well", "badly")
EXTRA_WORLDS = 4
LARGEST_DRAWN = 256  # the largest concrete size (a written 3×3, an assigned d := 3) a world is drawn at
RELATIVE = 1e-9
MC_SIGMAS = 6.0
SAMPLES = 8000


class NotEvaluable(ValueError):
    """A side the matrix worlds cannot evaluate (the message says why)."""


class NotReal(NotEvaluable):
    """A side with no real value in a world drawn as declared (the log det of a general matrix whose det is
    negative there): the step holds at most under a side condition the document does not state."""


@dataclass
class MatrixWorld:
    sizes: dict  # every dimension symbol of the step (d, m, n, the limit K of a sum) -> its size in this world
    kind: str
    seed: int
    values: dict = field(default_factory=dict)  # MatrixSymbol / Symbol / IndexedBase label -> value
    condition: float = 1.0
    key: tuple = ()  # the symbols drawn and the seed: a side's value is cached per (expression, world)
    note: str = ""  # how the world was changed from the one drawn (a quantity stretched)
    undefined: str = ""  # why no matrix can be drawn as declared in this world (a d×k Q with QᵀQ = I and k > d)

    def __post_init__(self):
        if isinstance(self.sizes, (int, np.integer)):  # one size n: d = n
            self.sizes = {d: int(self.sizes)}

    @property
    def size(self) -> int:
        """The largest dimension of the world (the length of the component vectors drawn)."""
        return max(self.sizes.values(), default=max(DIMENSIONS))

    def sizes_text(self) -> str:
        return ", ".join(f"{s} = {n}" for s, n in sorted(self.sizes.items(), key=lambda i: str(i[0]))) or "no dimension"

    def describe(self) -> str:
        return f"{self.sizes_text()}, {self.kind} conditioned (seed {self.seed}{self.note})"

    def shown(self) -> dict[str, Any]:
        out: dict[str, Any] = {str(s): n for s, n in self.sizes.items()}
        out["kind"] = self.kind
        for key, value in self.values.items():
            out[str(key)] = np.round(np.asarray(value, float), 6).tolist() if np.ndim(value) else round(float(value), 6)
        return out


@dataclass
class MatrixNumeric:
    status: str  # "holds", "refuted", "unsupported"
    worlds: int = 0
    reason: str = ""
    counterexample: dict[str, Any] | None = None


# ---------------------------------------------------------------- worlds


def _spd(rng, n: int, kind: str) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    spectrum = rng.uniform(0.5, 2.0, n) if kind == "well" else np.logspace(-2, 2, n)[rng.permutation(n)]
    if kind != "well" and n == 1:
        spectrum = np.array([rng.choice([1e-2, 1e2])])
    m = (q * spectrum) @ q.T
    return (m + m.T) / 2


def _general(rng, rows: int, cols: int, kind: str) -> np.ndarray:
    m = rng.standard_normal((rows, cols))
    if kind != "well" and rows == cols and rows > 1:
        m = m @ np.diag(np.logspace(-1.5, 1.5, cols))
    if rows == cols:
        m = m + 0.5 * np.triu(rng.standard_normal((rows, cols)), 1)  # not symmetric, even for d = 2 draws
    return m


def _size(expr, sizes: dict) -> int:
    """A dimension (d, n + 1, 3) in a world with the given sizes of the dimension symbols."""
    expr = sp.sympify(expr)
    missing = expr.free_symbols - set(sizes)
    if missing:
        raise NotEvaluable(f"the dimension {expr} has symbols the world does not size: {sorted(map(str, missing))}")
    size = int(expr.subs(sizes))
    if size > LARGEST_DRAWN:  # an assigned n := 10^5: no world of that size is drawn (its normal form still is)
        raise NotEvaluable(f"the size {size} is beyond the largest a matrix world is drawn at ({LARGEST_DRAWN})")
    return size


def dimension_symbols(expressions) -> list[sp.Symbol]:
    """The dimension symbols of a step: those in the shapes of its vectors and matrices and in the limits of its
    sums and products (K of \\sum_{k=1}^K), except the indices the step binds."""
    shaped, limits, bound = set(), set(), set()
    for e in expressions:
        for node in sp.preorder_traversal(sp.sympify(e)):
            if isinstance(node, MatrixExpr):
                shaped |= {s for size in node.shape for s in sp.sympify(size).free_symbols}
            if isinstance(node, (sp.Sum, sp.Product)):
                for limit in node.limits:
                    bound.add(limit[0])
                    limits |= {s for b in limit[1:] for s in sp.sympify(b).free_symbols}
    found = shaped | (limits - bound)
    return sorted((s for s in found if isinstance(s, sp.Symbol) and (s.is_integer or _size_excess(s, shaped))),
                  key=str)


def _size_excess(symbol, shaped: set) -> bool:
    """δ_d of a size d the prose bounds by another (k ≤ d: d = k + δ_d, δ_d ≥ 0): drawn as a whole number."""
    return symbol in shaped and symbol.is_nonnegative is True and symbol.name.startswith("delta_")


def _drawn_size(symbol, n: int) -> int:
    """The size ``n`` of the plan for ``symbol``; an excess δ ≥ 0 that may be 0 takes n − 1 (so 0 is drawn)."""
    excess = not symbol.is_integer and symbol.name.startswith("delta_")
    return n - 1 if excess and symbol.is_positive is not True and symbol.is_nonnegative else n


def size_plans(dimensions: list, seed: int = 0) -> list[tuple[dict, str]]:
    """(sizes, kind) of the worlds of a step: every size in DIMENSIONS for all its dimensions together, well and
    badly conditioned; with two or more dimensions also worlds where they differ (each pair of dimensions
    differs in some world: m ≠ n is seen as well as m = n), then EXTRA_WORLDS with sizes drawn independently."""
    plans = [({s: n for s in dimensions}, kind) for n in DIMENSIONS for kind in KINDS]
    rng = np.random.default_rng([seed, len(dimensions)])
    if len(dimensions) > 1:
        count = len(DIMENSIONS)
        plans += [({s: DIMENSIONS[(i + t + t // count) % count] for t, s in enumerate(dimensions)}, kind)
                  for i in range(count) for kind in KINDS]
        plans += [({s: int(rng.choice(DIMENSIONS)) for s in dimensions}, "well") for _ in range(EXTRA_WORLDS)]
    else:
        plans += [({s: DIMENSIONS[i % len(DIMENSIONS)] for s in dimensions}, "well") for i in range(EXTRA_WORLDS)]
    return [({s: _drawn_size(s, n) for s, n in sizes.items()}, kind) for sizes, kind in plans]


def undistinguished(dimensions: list, worlds: list[MatrixWorld]) -> str:
    """Why ``worlds`` cannot tell the sizes apart ("" when they can): a dimension that took one size only, or two
    dimensions that were equal in every world."""
    for s in dimensions:
        if len({w.sizes[s] for w in worlds}) < 2:
            return f"every world evaluated has {s} = {worlds[0].sizes[s]}" if worlds else "no world"
    for k, s in enumerate(dimensions):
        for t in dimensions[k + 1:]:
            if all(w.sizes[s] == w.sizes[t] for w in worlds):
                return f"no world evaluated has {s} ≠ {t}"
    return ""


def _component_length(expressions, sizes: dict) -> int:
    """How many components a vector of components x_j needs: the largest size or whole-number limit of a sum."""
    longest = max([max(DIMENSIONS)] + list(sizes.values()))
    for e in expressions:
        for node in sp.preorder_traversal(sp.sympify(e)):
            if isinstance(node, (sp.Sum, sp.Product)):
                for limit in node.limits:
                    high = sp.sympify(limit[-1]).subs(sizes)
                    if high.is_Integer and int(high) <= 10**4:
                        longest = max(longest, int(high))
    return longest


def draw_world(expressions, sizes: dict | int, kind: str, seed: int) -> MatrixWorld:
    """A world with the given size of each dimension symbol (an int: every dimension of the step that size)."""
    if isinstance(sizes, int):
        sizes = {s: sizes for s in dimension_symbols(expressions)}
    rng = np.random.default_rng(seed)
    world = MatrixWorld(dict(sizes), kind, seed)
    symbols = sorted(set().union(*[e.atoms(sp.MatrixSymbol) for e in expressions]), key=str)
    for m in symbols:
        rows, cols = _size(m.shape[0], sizes), _size(m.shape[1], sizes)
        if isinstance(m, ConstrainedMatrix):  # P² = P, Sᵀ = −S as declared: no world drawn stands for it
            world.undefined = world.undefined or f"{m.name} is declared with a property the matrix worlds do not draw"
        if isinstance(m, TriangularMatrix):  # as declared: zeros above (below) the diagonal, a positive diagonal
            value = np.tril(_general(rng, rows, cols, kind)) if m.lower else np.triu(_general(rng, rows, cols, kind))
            if m.positive_diagonal:
                value[np.diag_indices(rows)] = np.abs(np.diag(value)) + 0.3
        elif isinstance(m, Covariance):
            value = _spd(rng, rows, kind)
        elif isinstance(m, OrthogonalMatrix):  # as declared: QᵀQ = I (orthonormal columns)
            value = np.linalg.qr(rng.standard_normal((rows, cols)))[0] if rows >= cols else np.zeros((rows, cols))
            world.undefined = world.undefined or ("" if rows >= cols else f"{m.name} has orthonormal columns: "
                                                                           f"no {rows}×{cols} one exists")
        elif isinstance(m, SymmetricMatrix):
            a = rng.standard_normal((rows, rows))
            value = (a + a.T) / 2
        else:
            value = _general(rng, rows, cols, kind)
        world.values[m] = value
    bases = {i.base for e in expressions for i in e.atoms(sp.Indexed)}
    bases |= {c.base for e in expressions for c in e.atoms(Components)}
    length = _component_length(expressions, sizes)
    drawn: dict[str, np.ndarray] = {}  # σ_j read as positive in one place and real in another: one σ, one draw
    for base in sorted(bases, key=lambda b: (str(b), not _positive_base(b))):
        positive = any(_positive_base(b) for b in bases if str(b.label) == str(base.label))
        # position k holds x_k, k = 0 … length (x_0 of a sum from 0 is a component of its own)
        if str(base.label) not in drawn:
            drawn[str(base.label)] = rng.uniform(0.3, 2.5, length + 1) if positive else rng.standard_normal(length + 1)
        world.values[base.label] = drawn[str(base.label)]
        if isinstance(base, BinaryBase):  # x ∈ {0, 1}^D as declared
            world.values[base.label] = rng.integers(0, 2, length + 1).astype(float)
        if isinstance(base, UnitBase):  # \hat x ∈ (0, 1)^D as declared
            world.values[base.label] = rng.uniform(0.05, 0.95, length + 1)
        same = [m for m in symbols if m.name == str(base.label) and np.ndim(world.values[m]) == 2 and
                world.values[m].shape[1] == 1]
        if same:  # μ_j beside the vector μ (a MatrixSymbol): its components are that vector's entries
            entries = np.abs(world.values[same[0]][:, 0]) if positive else world.values[same[0]][:, 0]
            world.values[same[0]] = entries[:, None]
            world.values[base.label][1:len(entries) + 1] = entries
    world.values.update(sizes)
    for index, size in _entry_index_ranges(expressions, sizes).items():  # A_{ij}: i, j within the axes of A
        world.values[index] = int(rng.integers(1, size + 1))
    for index, size in _component_index_ranges(expressions, world).items():  # x_j of x ∈ ℝ^d: j within 1..d
        if index not in world.values:
            world.values[index] = int(rng.integers(1, size + 1))
    scalars = set().union(*[e.free_symbols for e in expressions])
    for s in sorted((s for s in scalars if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy)
                     and s not in world.values and s not in {b.label for b in bases}), key=str):
        if s.is_integer:  # as declared: k ≥ 1, k ≥ 0 (0 drawn too), or any sign
            world.values[s] = int(rng.integers(1 if s.is_positive else 0 if s.is_nonnegative else -3, 4))
        elif s.is_positive or s.is_nonnegative:  # δ ≥ 0 of β = 1 + δ: never drawn negative
            world.values[s] = float(np.exp(rng.normal(0, 0.5)))
        else:
            world.values[s] = float(rng.normal())
    square = [v for k, v in world.values.items() if isinstance(k, sp.MatrixSymbol) and np.ndim(v) == 2
              and v.shape[0] == v.shape[1]]
    world.condition = max([1.0] + [float(np.linalg.cond(v)) for v in square])
    return world


def _entry_index_ranges(expressions, sizes: dict) -> dict:
    """Each free index of an entry A_{ij} (an integer symbol written as a whole row or column index) -> the
    smallest size of the axes it indexes in a world of these sizes."""
    ranges: dict = {}
    for e in expressions:
        for node in sp.sympify(e).atoms(Entry):
            for axis, index in enumerate((node.row, node.col)):
                if isinstance(index, sp.Symbol) and index.is_integer and index not in sizes:
                    try:
                        size = _size(node.matrix.shape[axis], sizes)
                    except (NotEvaluable, TypeError, ValueError):
                        continue
                    ranges[index] = min(ranges.get(index, size), size)
    bound = {limit[0] for e in expressions for node in sp.sympify(e).atoms(sp.Sum, sp.Product) for limit in node.limits}
    return {index: size for index, size in ranges.items() if index not in bound and size >= 1}


def _component_index_ranges(expressions, world: MatrixWorld) -> dict:
    """Each free index j of a component x_j (an integer symbol no sum binds) -> the smallest size of the vectors
    it indexes in ``world``."""
    sizes = _vector_sizes(expressions, world)
    bound = {limit[0] for e in expressions for node in sp.sympify(e).atoms(sp.Sum, sp.Product) for limit in node.limits}
    ranges: dict = {}
    for e in expressions:
        for node in sp.sympify(e).atoms(sp.Indexed):
            index = node.indices[0] if len(node.indices) == 1 else None
            size = sizes.get(node.base.label)
            if isinstance(index, sp.Symbol) and index.is_integer and index not in bound and index not in world.sizes \
                    and size is not None and size >= 1:
                ranges[index] = min(ranges.get(index, size), size)
    return ranges


_WORLDS: dict = {}
_SIDES: dict = {}
CACHE_LIMIT = 512


def _symbol_key(expressions) -> tuple:
    found = set()
    for e in expressions:
        found |= e.atoms(sp.MatrixSymbol, sp.Indexed, Components)
        found |= {s for s in e.free_symbols if isinstance(s, sp.Symbol)}
    return tuple(sorted((sp.srepr(f) for f in found)))


def worlds_for(expressions, seed: int = 0) -> list[MatrixWorld]:
    """The worlds of a step (:func:`size_plans`: its dimensions equal and apart), cached by the step's symbols, so
    consecutive steps of a chain see the same worlds."""
    dimensions = dimension_symbols(expressions)
    key = (_symbol_key(expressions), tuple(dimensions), seed)  # n may size a matrix in one step, not in the next
    if key not in _WORLDS:
        plan = size_plans(dimensions, seed)
        if len(_WORLDS) > CACHE_LIMIT:
            _WORLDS.clear()
        _WORLDS[key] = [draw_world(expressions, sizes, kind, seed * 1000 + 17 * i + 1)
                        for i, (sizes, kind) in enumerate(plan)]
        for world in _WORLDS[key]:
            world.key = key
    return _WORLDS[key]


# ---------------------------------------------------------------- evaluation (batched: matrices (B, r, c), scalars (B,))


def _positive_base(base) -> bool:
    return bool(base.is_positive or sp.Indexed(base, sp.Symbol("k", integer=True)).is_positive)


def _component(values, k: int) -> float:
    """x_k of the components drawn (position k holds x_k)."""
    values = np.asarray(values, float)
    if not 0 <= k < values.shape[-1]:
        raise NotEvaluable(f"the component {k} lies beyond the {values.shape[-1] - 1} drawn")
    return float(values[..., k])


def _components(values, size: int) -> np.ndarray:
    """(x_1, …, x_size) of the components drawn."""
    values = np.asarray(values, float)
    if size + 1 > values.shape[-1]:
        raise NotEvaluable(f"a vector of {size} components, beyond the {values.shape[-1] - 1} drawn")
    return values[1:size + 1]


FUNCTION_WIDTH = 4  # hidden units of the random map that stands for a vector-valued function in a world


def _function_weights(seed: int, name: str, inputs: int, outputs: int) -> tuple:
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), inputs, outputs])
    return (rng.standard_normal((FUNCTION_WIDTH, inputs)), rng.standard_normal(FUNCTION_WIDTH),
            rng.standard_normal((outputs, FUNCTION_WIDTH)), rng.standard_normal(outputs))


def _index(value, size: int) -> int:
    """The 0-based position of a 1-based index value within an axis of ``size`` entries."""
    k = int(round(float(value)))
    if not (1 <= k <= size and abs(float(value) - k) < 1e-9):
        raise NotEvaluable(f"the index {value} lies outside 1..{size}")
    return k - 1


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for batches of matrices (B, r, k) and (B', k, c), one of B, B' 1 or both equal. One side a single
    matrix: one matrix product of the whole batch (numpy's matmul of a stack of small matrices is a loop)."""
    if a.shape[0] == 1 and b.shape[0] > 1:
        batch, k, c = b.shape
        return (b.transpose(0, 2, 1).reshape(batch * c, k) @ a[0].T).reshape(batch, c, -1).transpose(0, 2, 1)
    if b.shape[0] == 1 and a.shape[0] > 1:
        batch, r, k = a.shape
        return (a.reshape(batch * r, k) @ b[0]).reshape(batch, r, -1)
    return a @ b


def _set_variable(env: dict, variable, value: np.ndarray) -> None:
    """The variable of an expectation at ``value`` ((n, 1), or (B, n, 1) for B samples); a vector of components x_j
    also sets its components, so that x_j in the body is the sampled x_j."""
    env[variable] = value
    if isinstance(variable, Components):
        drawn = np.asarray(env[variable.base.label], float)
        rows = np.asarray(value, float).reshape(-1, value.shape[-2])
        table = np.repeat(drawn.reshape(-1, drawn.shape[-1])[:1], rows.shape[0], axis=0)
        if rows.shape[1] + 1 > table.shape[1]:
            raise NotEvaluable(f"a vector of {rows.shape[1]} components, beyond the {table.shape[1] - 1} drawn")
        table[:, 1:rows.shape[1] + 1] = rows
        env[variable.base.label] = table


SINGULAR = 1e12  # a condition number beyond it: the matrix is singular in this world, its inverse undefined


def _inverse(value: np.ndarray, written) -> np.ndarray:
    """The inverse of each matrix of a batch; a (numerically) singular one makes the world undefined for the step
    (W(WᵀW)⁻¹Wᵀ with k > d: no counterexample), never garbage."""
    condition = np.linalg.cond(value)
    if not np.all(np.isfinite(condition)) or np.any(condition > SINGULAR):
        raise NotEvaluable(f"{sp.sstr(written)}: the matrix is singular in this world, its inverse is not defined")
    return np.linalg.inv(value)


def _with_bound(evaluator, e, bound: dict):
    """``evaluator.number(e)`` with the bound variables' values added to its environment for the call."""
    saved = dict(evaluator.env)
    evaluator.env.update(bound)
    try:
        return evaluator.number(e)
    finally:
        evaluator.env = saved


class Evaluator:
    def __init__(self, world: MatrixWorld, expectations: dict | None = None):
        self.world = world
        self.env: dict = {**world.sizes, **world.values}
        self.expectations = expectations or {}

    def matrix(self, m) -> np.ndarray:
        n = self.world.sizes
        if m in self.env:
            value = np.asarray(self.env[m], float)
            return value if value.ndim == 3 else value[None]
        if isinstance(m, sp.Identity):
            return np.eye(_size(m.shape[0], n))[None]
        if isinstance(m, sp.ZeroMatrix):
            return np.zeros((1, _size(m.shape[0], n), _size(m.shape[1], n)))
        if isinstance(m, sp.MatAdd):
            return sum(self.matrix(a) for a in m.args)
        if isinstance(m, sp.MatMul):
            out = None
            coefficient = np.ones(1)
            for a in m.args:
                if isinstance(a, MatrixExpr):
                    value = self.matrix(a)
                    out = value if out is None else _matmul(out, value)
                else:
                    coefficient = coefficient * self.number(a)
            return coefficient[:, None, None] * out
        if isinstance(m, sp.MatPow):
            base, power = m.args
            value = self.matrix(base)
            return np.linalg.matrix_power(value if power > 0 else _inverse(value, m), abs(int(power)))
        if isinstance(m, sp.Transpose):
            return np.swapaxes(self.matrix(m.args[0]), 1, 2)
        if isinstance(m, (sp.Inverse, ConditionalInverse)):
            return _inverse(self.matrix(m.args[0]), m)
        if isinstance(m, Diagonal):
            entries = [self.number(m.entry, {m.index: k}) for k in range(1, _size(m.size, n) + 1)]
            batch = max(e.shape[0] for e in entries)
            out = np.zeros((batch, len(entries), len(entries)))
            for k, e in enumerate(entries):
                out[:, k, k] = e
            return out
        if isinstance(m, HadamardProduct):
            out = self.matrix(m.args[0])
            for a in m.args[1:]:
                out = out * self.matrix(a)
            return out
        if isinstance(m, HadamardPower):
            return np.power(self.matrix(m.args[0]), self.number(m.args[1])[:, None, None])
        if isinstance(m, Components):
            values = np.asarray(self.env[m.base.label], float)
            if values.ndim == 2:  # the components of a sampled variable
                return np.stack([_components(row, _size(m.size, n)) for row in values])[:, :, None]
            return _components(values, _size(m.size, n))[None, :, None]
        if isinstance(m, sp.OneMatrix):
            return np.ones((1, _size(m.shape[0], n), _size(m.shape[1], n)))
        if isinstance(m, sp.DiagMatrix):
            vector = self.matrix(m.args[0])
            return vector[:, :, 0][:, :, None] * np.eye(vector.shape[1])[None]
        if isinstance(m, VectorFunction):
            return self.vector_function(m)
        if isinstance(m, MatrixExpectation):
            return self.gaussian_matrix_expectation(m)
        raise NotEvaluable(f"cannot evaluate the matrix expression {m} ({type(m).__name__})")

    def gaussian_matrix_expectation(self, m: MatrixExpectation) -> np.ndarray:
        """E_{N(μ, Σ)}[M(x)] exactly, for M a polynomial of degree ≤ 2 in x: the 2n sigma points μ ± √n L eᵢ
        (Σ = L Lᵀ) with weights 1/(2n) have the Gaussian's moments up to order 3."""
        from mathcheck.matrices import Normalizer, Unsupported

        density = m.density
        if not isinstance(density, MvNormal):
            raise NotEvaluable(f"E over {density} of a matrix: only multivariate normals in matrix worlds")
        try:
            Normalizer().terms(m)  # admits only words of degree ≤ 2 in x, with no x in a coefficient
        except (Unsupported, ShapeError) as error:
            raise NotEvaluable(f"E[{m.body}]: {error}") from error
        mean, cov = self.matrix(density.mean)[0], self.matrix(density.cov)[0]
        try:
            factor = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError as error:
            raise NotEvaluable(f"the covariance {density.cov} drawn is not positive definite") from error
        size = mean.shape[0]
        total = None
        for column in range(size):
            for sign in (1.0, -1.0):
                inner = Evaluator(self.world, self.expectations)
                inner.env.update(self.env)
                _set_variable(inner.env, density.variable, mean + sign * math.sqrt(size) * factor[:, column:column + 1])
                value = inner.matrix(m.body)
                total = value if total is None else total + value
        return total / (2 * size)

    def vector_function(self, m: VectorFunction) -> np.ndarray:
        """f(z) of a vector-valued function the document names: in each world one random smooth bounded map
        (a one-hidden-layer tanh network drawn from the world's seed and f's name), the same on every side."""
        parts = []
        for argument in m.arguments:
            value = self.matrix(argument) if isinstance(argument, MatrixExpr) else np.asarray(self.number(argument), float)
            parts.append(value.reshape(value.shape[0], -1))
        batch = max([p.shape[0] for p in parts] + [1])
        inputs = np.concatenate([np.broadcast_to(p, (batch, p.shape[1])) for p in parts], axis=1) if parts else \
            np.zeros((batch, 0))
        size = _size(m.size, self.world.sizes)
        first, shift, second, offset = _function_weights(self.world.seed, m.name, inputs.shape[1], size)
        return (np.tanh(inputs @ first.T + shift) @ second.T + offset)[:, :, None]

    def number(self, e, bound: dict | None = None) -> np.ndarray:
        if bound:
            return _with_bound(self, e, bound)
        e = sp.sympify(e)
        if e in self.expectations:
            return self.expectations[e]
        if e in self.env:
            return np.atleast_1d(np.asarray(self.env[e], float))
        if isinstance(e, MatrixExpr):
            value = self.matrix(e)
            if value.shape[1:] != (1, 1):
                raise NotEvaluable(f"the matrix {e} stands where a number is expected")
            return value[:, 0, 0]
        if e.is_Number or e in (sp.pi, sp.E):
            return np.array([float(e)])
        if isinstance(e, sp.Trace):
            return np.trace(self.matrix(e.args[0]), axis1=1, axis2=2)
        if isinstance(e, sp.Determinant):
            return np.linalg.det(self.matrix(e.args[0]))
        if isinstance(e, sp.Indexed):
            k = int(self.number(e.indices[0])[0])
            values = np.asarray(self.env[e.base.label], float)
            if values.ndim == 2:  # the components of a sampled variable: one row per sample
                return values[:, k] if 0 <= k < values.shape[1] else np.array([_component(values[0], k)])
            return np.array([_component(values, k)])
        if isinstance(e, Entry):
            value = self.matrix(e.matrix)
            row, col = (_index(self.number(i)[0], value.shape[axis + 1]) for axis, i in enumerate((e.row, e.col)))
            return value[:, row, col]
        if isinstance(e, sp.KroneckerDelta):
            return np.array([float(self.number(e.args[0])[0] == self.number(e.args[1])[0])])
        if isinstance(e, sp.Add):
            return sum(self.number(a) for a in e.args)
        if isinstance(e, sp.Mul):
            out = np.ones(1)
            for a in e.args:
                out = out * self.number(a)
            return out
        if isinstance(e, sp.Pow):
            return np.power(self.number(e.args[0]), self.number(e.args[1]))
        if isinstance(e, sp.log):
            if isinstance(e.args[0], MvNormal):
                return self.log_normal(e.args[0])
            return np.log(self.number(e.args[0]))
        if isinstance(e, sp.exp):
            return np.exp(self.number(e.args[0]))
        if isinstance(e, sp.Abs):
            return np.abs(self.number(e.args[0]))
        if isinstance(e, MvNormal):
            return np.exp(self.log_normal(e))
        if isinstance(e, (sp.Sum, sp.Product)):  # Σ_i Σ_j (one Sum, limits inner first): the last limit outermost
            body, (index, low, high) = e.args[0], e.limits[-1]
            if len(e.limits) > 1:
                body = e.func(e.function, *e.limits[:-1])
            lo, hi = int(self.number(low)[0]), int(self.number(high)[0])
            values = [self.number(body, {index: k}) for k in range(lo, hi + 1)]
            if isinstance(e, sp.Sum):
                return sum(values, np.zeros(1))
            out = np.ones(1)
            for v in values:
                out = out * v
            return out
        raise NotEvaluable(f"cannot evaluate {e} ({type(e).__name__})")

    def log_normal(self, density: MvNormal) -> np.ndarray:
        x, m, s = (self.matrix(a) for a in density.parameters)
        cov = s[0] if s.shape[0] == 1 else None
        if cov is None:
            raise NotEvaluable("a covariance that depends on the integration variable")
        sign, logdet = np.linalg.slogdet(cov)
        if sign <= 0:
            raise NotEvaluable(f"the covariance {density.cov} drawn is not positive definite")
        diff = x - m
        quad = np.einsum("bi,bi->b", diff[:, :, 0], np.linalg.solve(cov, diff[:, :, 0].T).T)
        return -0.5 * (quad + logdet + cov.shape[0] * math.log(2 * math.pi))


def _expectation_nodes(expr) -> list:
    return [n for n in sp.preorder_traversal(expr) if isinstance(n, (Expectation, KL))]


def _sample_expectation(node, world: MatrixWorld, seed: int) -> np.ndarray:
    if isinstance(node, KL):
        first, second = node.args
        if not (isinstance(first, MvNormal) and isinstance(second, MvNormal)):
            raise NotEvaluable(f"KL of {first} and {second}: only multivariate normals in matrix worlds")
        second = MvNormal(first.variable, second.mean, second.cov)
        density, body = first, sp.log(first) - sp.log(second)
    else:
        density, body = node.density, node.body
        if not isinstance(density, MvNormal):
            raise NotEvaluable(f"E over {density}: only multivariate normals in matrix worlds")
    if any(_expectation_nodes(a) for a in (body,)):
        raise NotEvaluable("nested expectations")
    outer = Evaluator(world)
    mean, cov = outer.matrix(density.mean)[0], outer.matrix(density.cov)[0]
    try:
        factor = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as error:
        raise NotEvaluable(f"the covariance {density.cov} drawn is not positive definite") from error
    rng = np.random.default_rng([seed, zlib.crc32(sp.srepr(density).encode())])
    z = rng.standard_normal((SAMPLES // 2, mean.shape[0], 1))
    z = np.concatenate([z, -z])  # antithetic pairs: odd moments cancel exactly
    inner = Evaluator(world)
    _set_variable(inner.env, density.variable, mean[None] + _matmul(factor[None], z))
    values = inner.number(body)
    return np.broadcast_to(values, (SAMPLES,)).astype(float)


def _without_error_bound(node) -> str:
    """Why a Monte Carlo estimate of ``node`` would have no trustworthy error bound ('' when it has one): only
    bodies of degree ≤ 2 in the Gaussian variable (log densities included) have the finite variance that the
    stated standard error needs; E[exp(xᵀx)] may not even exist."""
    from mathcheck.matrices import Normalizer, Unsupported

    density, body = (node.args[0], sp.log(node.args[0]) - sp.log(node.args[1])) if isinstance(node, KL) else node.args
    if not isinstance(density, MvNormal):
        return f"E over {density}: only multivariate normals in matrix worlds"
    if isinstance(node, KL) and not isinstance(node.args[1], MvNormal):
        return f"KL against {node.args[1]}: only multivariate normals in matrix worlds"
    functions = sorted(sp.sympify(body).atoms(VectorFunction), key=sp.default_sort_key)
    body = sp.sympify(body).xreplace({f: sp.MatrixSymbol(f"bounded_{k}", *f.shape) for k, f in enumerate(functions)})
    try:  # a vector function is a bounded map in every world (Evaluator.vector_function): a bounded factor
        moments = Normalizer().expectation(density, body)
        kept = [n for n in sp.preorder_traversal(moments) if isinstance(n, Expectation)]
        if kept:  # a term the identities of E do not take (kept whole by the normal form)
            return f"no Monte Carlo error bound: E[{kept[0].body}] is no polynomial of degree ≤ 2 in {density.variable}"
    except Unsupported as error:
        return f"no Monte Carlo error bound: {error}"
    except ShapeError as error:
        return f"ill-formed: {error}"
    return ""


def _affine_in(expr, nodes) -> bool:
    dummies = [sp.Dummy() for _ in nodes]
    replaced = expr.xreplace(dict(zip(nodes, dummies)))
    try:
        return sp.Poly(replaced, *dummies).total_degree() <= 1
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return not dummies


def _sampled(node, world: MatrixWorld, seed: int) -> np.ndarray:
    key = ("E", node, world.key, world.seed, seed)
    if key not in _SIDES:
        _SIDES[key] = _sample_expectation(node, world, seed)
    return _SIDES[key]


def _side(expr, world: MatrixWorld, seed: int) -> np.ndarray:
    """A scalar side in ``world``: one value, or one per Monte Carlo sample where it holds expectations (the
    samples of one density are common to every side, so differences are paired)."""
    key = (expr, world.key, world.seed, seed)
    if key not in _SIDES:
        nodes = list(dict.fromkeys(_expectation_nodes(expr)))
        samples = {node: _sampled(node, world, seed) for node in nodes}
        value = Evaluator(world, samples).number(expr)
        if len(_SIDES) > CACHE_LIMIT:
            _SIDES.clear()
        _SIDES[key] = np.broadcast_to(value, (SAMPLES,) if nodes else (1,)).astype(float)
    return _SIDES[key]


PRECISE_DIGITS = 50
PRECISE_SLACK = 1e-30  # at 50 digits: a difference below this × κ⁴ × (1 + |lhs| + |rhs|) is rounding


class PreciseEvaluator:
    """Closed-form sides (no expectation) in ``world`` at ``PRECISE_DIGITS`` digits with mpmath, from the same
    float64 draws: a float failure stands only if it fails here too (rounding in products of badly
    conditioned matrices is not a counterexample)."""

    def __init__(self, world: MatrixWorld):
        self.world = world
        self.env: dict = {**world.sizes, **world.values}

    def matrix(self, m):
        import mpmath

        n = self.world.sizes
        if m in self.env and np.ndim(self.env[m]) == 2:
            return mpmath.matrix(np.asarray(self.env[m], float).tolist())
        if isinstance(m, sp.Identity):
            return mpmath.eye(_size(m.shape[0], n))
        if isinstance(m, sp.ZeroMatrix):
            return mpmath.zeros(_size(m.shape[0], n), _size(m.shape[1], n))
        if isinstance(m, sp.MatAdd):
            out = self.matrix(m.args[0])
            for a in m.args[1:]:
                out = out + self.matrix(a)
            return out
        if isinstance(m, sp.MatMul):
            out, coefficient = None, mpmath.mpf(1)
            for a in m.args:
                if isinstance(a, MatrixExpr):
                    value = self.matrix(a)
                    out = value if out is None else out * value
                else:
                    coefficient *= self.number(a)
            return out * coefficient
        if isinstance(m, sp.MatPow):
            base, power = m.args
            value = self.matrix(base)
            value = value if power > 0 else mpmath.inverse(value)
            out = mpmath.eye(value.rows)
            for _ in range(abs(int(power))):
                out = out * value
            return out
        if isinstance(m, sp.Transpose):
            return self.matrix(m.args[0]).T
        if isinstance(m, (sp.Inverse, ConditionalInverse)):
            return mpmath.inverse(self.matrix(m.args[0]))
        if isinstance(m, Diagonal):
            size = _size(m.size, n)
            return mpmath.diag([self.number(m.entry, {m.index: k}) for k in range(1, size + 1)])
        if isinstance(m, Components):
            return mpmath.matrix([[float(v)] for v in _components(self.env[m.base.label], _size(m.size, n))])
        if isinstance(m, sp.OneMatrix):
            return mpmath.ones(_size(m.shape[0], n), _size(m.shape[1], n))
        if isinstance(m, sp.DiagMatrix):
            vector = self.matrix(m.args[0])
            return mpmath.diag([vector[k, 0] for k in range(vector.rows)])
        if isinstance(m, VectorFunction):  # the world's map, in floats: the same value on both sides
            floats = Evaluator(self.world)
            floats.env.update({k: float(v) for k, v in self.env.items() if np.ndim(v) == 0})  # with a bound i of x_i
            return mpmath.matrix(floats.matrix(m)[0].tolist())
        raise NotEvaluable(f"no precise form for {type(m).__name__}")

    def number(self, e, bound: dict | None = None):
        import mpmath

        if bound:
            return _with_bound(self, e, bound)
        e = sp.sympify(e)
        if e in self.env and np.ndim(self.env[e]) == 0:
            return mpmath.mpf(float(self.env[e]))
        if isinstance(e, MatrixExpr):
            return self.matrix(e)[0, 0]
        if e.is_Number or e in (sp.pi, sp.E):
            return mpmath.mpf(sp.N(e, PRECISE_DIGITS + 5))
        if isinstance(e, sp.Trace):
            value = self.matrix(e.args[0])
            return sum((value[k, k] for k in range(value.rows)), mpmath.mpf(0))
        if isinstance(e, sp.Determinant):
            return mpmath.det(self.matrix(e.args[0]))
        if isinstance(e, sp.Indexed):
            k = int(self.number(e.indices[0]))
            return mpmath.mpf(_component(self.env[e.base.label], k))
        if isinstance(e, Entry):
            value = self.matrix(e.matrix)
            return value[_index(self.number(e.row), value.rows), _index(self.number(e.col), value.cols)]
        if isinstance(e, sp.KroneckerDelta):
            return mpmath.mpf(1 if self.number(e.args[0]) == self.number(e.args[1]) else 0)
        if isinstance(e, sp.Add):
            return sum((self.number(a) for a in e.args), mpmath.mpf(0))
        if isinstance(e, sp.Mul):
            out = mpmath.mpf(1)
            for a in e.args:
                out *= self.number(a)
            return out
        if isinstance(e, sp.Pow):
            return mpmath.power(self.number(e.args[0]), self.number(e.args[1]))
        if isinstance(e, sp.log):
            return mpmath.log(self.number(e.args[0]))
        if isinstance(e, sp.exp):
            return mpmath.exp(self.number(e.args[0]))
        if isinstance(e, (sp.Sum, sp.Product)):
            body, (index, low, high) = e.args[0], e.limits[-1]
            if len(e.limits) > 1:
                body = e.func(e.function, *e.limits[:-1])
            values = [self.number(body, {index: k}) for k in range(int(self.number(low)), int(self.number(high)) + 1)]
            if isinstance(e, sp.Sum):
                return sum(values, mpmath.mpf(0))
            return mpmath.fprod(values)
        raise NotEvaluable(f"no precise form for {type(e).__name__}")


def _precisely_equal(lhs, rhs, world: MatrixWorld) -> bool | None:
    """Do the sides agree at PRECISE_DIGITS digits in ``world``? None where there is no precise form."""
    import mpmath

    if _expectation_nodes(lhs) or _expectation_nodes(rhs):
        return None
    with mpmath.workdps(PRECISE_DIGITS):
        try:
            evaluator = PreciseEvaluator(world)
            if isinstance(lhs, MatrixExpr):
                left, right = evaluator.matrix(lhs), evaluator.matrix(rhs)
                gap = max(abs(v) for v in (left - right))
                scale = 1 + max(abs(v) for v in left) + max(abs(v) for v in right)
            else:
                left, right = evaluator.number(lhs), evaluator.number(rhs)
                gap, scale = abs(left - right), 1 + abs(left) + abs(right)
            if not (mpmath.isfinite(gap) and mpmath.isfinite(scale)) or mpmath.im(gap) != 0:
                return None
            return bool(gap <= PRECISE_SLACK * world.condition**4 * scale)
        except (NotEvaluable, ZeroDivisionError, ValueError, TypeError, KeyError, IndexError):
            return None


def _vector_sizes(expressions, world: MatrixWorld) -> dict:
    """Each component base -> the size its vector has in ``world``: that of the vector of its components, or
    the symbolic upper limit of a sum over its components (x_j, j = 1..d)."""
    sizes: dict = {}
    for e in expressions:
        e = sp.sympify(e)
        found = [(c.base.label, c.size) for c in e.atoms(Components)]
        for node in e.atoms(sp.Sum):
            index, _, high = node.limits[0]
            found += [(i.base.label, high) for i in node.function.atoms(sp.Indexed)
                      if i.indices == (index,) and isinstance(high, sp.Symbol)]
        for label, size in found:
            try:
                sizes[label] = max(sizes.get(label, 0), _size(size, world.sizes))
            except (NotEvaluable, TypeError, ValueError):
                continue
    return sizes


def component_beyond_size(expressions, world: MatrixWorld) -> str:
    """Why ``world`` has no meaning for the expressions: a numbered component x_2 of a vector x that has fewer
    components there (d = 1); "" when none."""
    sizes = _vector_sizes(expressions, world)
    for e in expressions:
        for node in sp.sympify(e).atoms(sp.Indexed):
            size = sizes.get(node.base.label)
            index = node.indices[0] if len(node.indices) == 1 else None
            if size is not None and index is not None and index.is_Integer and int(index) > size:
                return f"the component {node} lies beyond the {size} of its vector in {world.describe()}"
    return ""


def judge_world(lhs, rhs, world: MatrixWorld, seed: int) -> tuple[bool, dict[str, Any]]:
    """(holds, details) for lhs = rhs in ``world``; raises :class:`NotEvaluable`. A float failure of closed-form
    sides is examined again at PRECISE_DIGITS digits: where the sides agree there it was rounding (the world is
    skipped, not held), and where there is no precise form it stands only if it is far beyond the tolerance."""
    beyond = component_beyond_size([lhs, rhs], world) or world.undefined
    if beyond:
        raise NotEvaluable(beyond)
    holds, detail = _judge_float(lhs, rhs, world, seed)
    if holds or "monte_carlo" in detail:
        return holds, detail
    precise = _precisely_equal(lhs, rhs, world)
    if precise:
        raise NotEvaluable(f"rounding: the sides agree at {PRECISE_DIGITS} digits in {world.describe()}")
    if precise is None and abs(detail["gap"]) <= 1e3 * detail["tolerance"]:
        raise NotEvaluable(f"a float failure near the tolerance with no precise form in {world.describe()}")
    if precise is False:
        detail["precise"] = f"confirmed at {PRECISE_DIGITS} digits"
    return False, detail


def _judge_float(lhs, rhs, world: MatrixWorld, seed: int) -> tuple[bool, dict[str, Any]]:
    if isinstance(lhs, MatrixExpr) or isinstance(rhs, MatrixExpr):
        evaluator = Evaluator(world)
        left, right = evaluator.matrix(lhs), evaluator.matrix(rhs)
        gap = float(np.max(np.abs(left - right)))
        tolerance = RELATIVE * world.condition * (1 + float(np.max(np.abs(left))) + float(np.max(np.abs(right))))
        return gap <= tolerance, {"gap": gap, "tolerance": tolerance}
    left_values, right_values = _side(lhs, world, seed), _side(rhs, world, seed)
    difference = left_values - right_values
    sampled = difference.size > 1
    left, right = float(np.mean(left_values)), float(np.mean(right_values))
    gap = float(np.mean(difference))
    error = float(np.std(difference) / math.sqrt(difference.size)) if sampled else 0.0
    if not all(math.isfinite(v) for v in (gap, left, right, error)):
        raise NotReal(_undefined_part([lhs, rhs], world) or
                      "a side is not finite in this world (e.g. the log of a negative determinant)")
    tolerance = RELATIVE * world.condition * (1 + abs(left) + abs(right)) + MC_SIGMAS * error
    detail = {"lhs": left, "rhs": right, "gap": gap, "tolerance": tolerance}
    if sampled:
        detail["monte_carlo"] = f"{SAMPLES} antithetic samples, standard error {error:.2g}"
    return abs(gap) <= tolerance, detail


def _undefined_part(sides, world: MatrixWorld) -> str:
    """The first log (of a determinant, trace or number) with an argument ≤ 0, or fractional power of a negative
    number, in ``world``, with the side condition it needs ("" when none is found)."""
    evaluator = Evaluator(world)
    for side in sides:
        for node in sp.preorder_traversal(sp.sympify(side)):
            if isinstance(node, sp.log) and not isinstance(node.args[0], MvNormal):
                argument, wanted = node.args[0], "> 0"
            elif isinstance(node, sp.Pow) and not node.exp.is_integer:
                argument, wanted = node.base, "≥ 0"
            else:
                continue
            try:
                with np.errstate(all="ignore"):
                    value = np.asarray(evaluator.number(argument), float)
            except (NotEvaluable, np.linalg.LinAlgError, KeyError, TypeError, ValueError, IndexError, AttributeError,
                    ZeroDivisionError, OverflowError):
                continue
            if np.any(value < 0) or (wanted == "> 0" and np.any(value == 0)):
                return (f"{_written(argument)} = {float(np.min(value)):.3g} in the world {world.describe()}, "
                        f"so {_written(node)} is not real: it needs {_side_condition(argument, wanted)}")
    return ""


def _side_condition(argument, wanted: str) -> str:
    """The condition that makes a log or root real, in the document's terms: det Σ > 0 (Σ ≻ 0) for a det."""
    if isinstance(argument, (sp.Determinant, sp.Trace)):
        names = ", ".join(f"${sp.latex(m)} \\succ 0$" for m in sorted(argument.atoms(sp.MatrixSymbol), key=str))
        return f"{_written(argument)} > 0 (declare it: {names or 'a positive definite matrix'})"
    return f"{_written(argument)} {wanted}"


def _written(expr) -> str:
    return sp.sstr(expr).replace("Determinant(", "det(").replace("Trace(", "tr(")


def check_matrix_step(lhs, relation: str, rhs, seed: int = 0, of_difference: bool = False) -> MatrixNumeric:
    """Evaluate ``lhs = rhs`` in every world; the first failing world is the counterexample. First the exact
    normal form of lhs − rhs where it decides (``_exact_difference``; not again for that difference itself)."""
    if relation in ("<=", ">=", "<", ">"):
        return _inequality_check(lhs, relation, rhs, seed)
    if relation != "=":
        return MatrixNumeric("unsupported", reason="matrix steps: only equalities are checked numerically")
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    try:
        check_shapes(lhs)
        check_shapes(rhs)
    except ShapeError as error:
        return MatrixNumeric("unsupported", reason=f"ill-formed: {error}")
    nodes = list(dict.fromkeys(_expectation_nodes(lhs) + _expectation_nodes(rhs)))
    exact = None if of_difference else _exact_difference(lhs, rhs, seed, nodes)
    if exact is not None:
        return exact
    if nodes and not _affine_in(lhs - rhs, nodes):
        return _difference_check(lhs, rhs, seed, "an expectation enters a side non-linearly")
    for node in nodes:
        heavy = _without_error_bound(node)
        if heavy:
            return _difference_check(lhs, rhs, seed, heavy)
    worlds, skipped, evaluated, missable, unreal = 0, [], [], 0.0, []
    try:
        drawn = worlds_for([lhs, rhs], seed) + _size_root_worlds(lhs, rhs, seed) + _degree_worlds(lhs, rhs, seed)
    except _SizesBeyond as error:
        return MatrixNumeric("unsupported", reason=str(error))
    except (TypeError, ValueError, AttributeError, NotEvaluable) as error:  # e.g. a size that is not d or a number
        return MatrixNumeric("unsupported", reason=f"no matrix world can be drawn: {error}"[:300])
    for world in drawn:
        try:
            with np.errstate(all="ignore"):
                holds, detail = judge_world(lhs, rhs, world, seed)
        except (NotEvaluable, np.linalg.LinAlgError, KeyError, TypeError, ValueError, IndexError,
                AttributeError, ZeroDivisionError, OverflowError) as error:
            skipped.append(f"{type(error).__name__}: {error}" if not isinstance(error, NotEvaluable) else str(error))
            if isinstance(error, NotReal):
                unreal.append(str(error))
            continue
        worlds += 1
        evaluated.append(world)
        if "monte_carlo" in detail:  # the share of the sides' size that a Monte Carlo comparison cannot see
            missable = max(missable, detail["tolerance"] / (1 + abs(detail["lhs"]) + abs(detail["rhs"])))
        if not holds:
            found = world.shown()
            found.update(detail)
            return MatrixNumeric("refuted", worlds, f"fails in the world {world.describe()}: lhs − rhs = "
                                 f"{detail['gap']:.4g} beyond the tolerance {detail['tolerance']:.2g}", found)
    if unreal:  # the worlds left are those where a side condition happens to hold: no evidence for the step
        return MatrixNumeric("unsupported", worlds, f"a side is not real in {len(unreal)} of {len(drawn)} worlds "
                             f"drawn as declared: {unreal[0]}")
    if worlds == 0:
        return MatrixNumeric("unsupported", reason="no matrix world could evaluate it: " + (skipped[0] if skipped else ""))
    dimensions = dimension_symbols([lhs, rhs])
    blind = undistinguished(dimensions, evaluated)
    if blind:
        return MatrixNumeric("unsupported", worlds, f"held in {worlds} matrix worlds, which cannot tell its sizes "
                             f"apart: {blind}" + (f" (the others: {skipped[0]})" if skipped else ""))
    return MatrixNumeric("holds", worlds, f"held in {worlds} random matrix worlds ({_sizes_seen(dimensions, evaluated)}; "
                         "well and badly conditioned)" + (f"; {len(skipped)} skipped" if skipped else "")
                         + (f"; its expectations by Monte Carlo ({SAMPLES} samples, {MC_SIGMAS:g} standard errors): "
                            f"an error up to {missable:.2g} × (1 + |lhs| + |rhs|) can be missed" if missable else ""))


def _exact_difference(lhs, rhs, seed: int, nodes: list) -> MatrixNumeric | None:
    """The exact normal form of lhs − rhs, decided where the worlds' own comparison is blind: a function of the
    sizes alone is evaluated at every size 1..12 (the worlds' few sizes could all be roots of it); with
    expectations in the sides, an expectation-free normal form is evaluated in closed form in the worlds (no
    Monte Carlo slack). None: the sides themselves are evaluated."""
    if isinstance(lhs, MatrixExpr) or isinstance(rhs, MatrixExpr):
        return None
    restored = _cached_difference(lhs, rhs)
    if restored is None:
        return None
    found = size_counterexample(restored)
    if found is not None:
        sizes, value = found
        shown = {str(s): v for s, v in sizes.items()}
        return MatrixNumeric("refuted", 1, f"{describe_sizes(sizes, value)} (the normal form of lhs − rhs, "
                             f"{sp.sstr(restored)}, depends on the sizes alone)", {**shown, "lhs - rhs": str(value)})
    if not nodes:
        return None
    result = check_matrix_step(restored, "=", sp.Integer(0), seed, of_difference=True)
    if result.status not in ("refuted", "holds"):
        return None
    result.reason = (f"{result.reason} (of the normal form of lhs − rhs, {sp.sstr(restored)}: no expectation is "
                     f"left in it, so it is evaluated in closed form, tolerance {RELATIVE:g}·κ·(1 + |lhs − rhs|))")
    return result


ROOT_SIZES_LARGEST = 16  # the largest size a world is drawn at off the roots of a size factor of lhs − rhs


class _SizesBeyond(Exception):
    """lhs − rhs has a size factor nonzero only at sizes beyond ``ROOT_SIZES_LARGEST``: no world judges it."""


def _size_root_worlds(lhs, rhs, seed: int) -> list[MatrixWorld]:
    """Worlds (well and badly conditioned) at sizes where a size factor of lhs − rhs = Σ_t G_t·H_t(sizes) is
    nonzero (``sums.sizes_off_roots``): ‖x‖²·(d−1)(d−2)(d−3)(d−4)(d−5)(d−8) vanishes at every size in
    DIMENSIONS, not at d = 6. [] where lhs − rhs has no such factor."""
    from mathcheck.sums import sizes_off_roots

    dimensions = dimension_symbols([lhs, rhs])
    if not dimensions:
        return []
    restored = _difference_for_roots(lhs, rhs)
    restored = None if isinstance(restored, MatrixExpr) else restored
    try:
        found = (sizes_off_roots(_written_out(restored), tuple(dimensions)) if restored is not None else None) \
            or _off_constant_parts([lhs, rhs] + ([restored] if restored is not None else []), dimensions)
    except (TypeError, ValueError, AttributeError, RecursionError, sp.PolynomialError):
        return []
    if found is None or not set(found[0]) <= set(dimensions):
        return []
    if max(found[0].values()) > ROOT_SIZES_LARGEST:
        shown = sp.sstr(restored) if restored is not None else f"{sp.sstr(lhs)} − ({sp.sstr(rhs)})"
        raise _SizesBeyond(f"lhs − rhs, {shown}, has a factor in the sizes that vanishes at every size "
                           f"the matrix worlds draw (up to {ROOT_SIZES_LARGEST}), nonzero only at a size beyond them: "
                           + ", ".join(f"{s} = {v}" for s, v in found[0].items()))
    sizes = {s: found[0].get(s, 3) for s in dimensions}
    return [draw_world([lhs, rhs], sizes, kind, seed * 1000 + 7919 + i) for i, kind in enumerate(KINDS)]


DEGREE_SIZES_LARGEST = 32  # the largest size a world is drawn at for the degree of a polynomial step


def _degree_worlds(lhs, rhs, seed: int) -> list[MatrixWorld]:
    """Worlds at d = k + 3 for a step polynomial of degree k > max(DIMENSIONS) in the entries of its matrices: the
    trace identities of d×d matrices all have degree above d (Razmyslov, Procesi), so a polynomial identity of
    degree k in traces and products that holds for every matrix of size k holds at every size, while one true
    only for small sizes (tr(A¹⁰) through the lower traces, exact up to d = 9) fails there. [] otherwise."""
    dimensions = dimension_symbols([lhs, rhs])
    degrees = (_entry_degree(lhs), _entry_degree(rhs))
    if not dimensions or None in degrees or max(degrees) <= max(DIMENSIONS):
        return []
    size = min(max(degrees) + 3, DEGREE_SIZES_LARGEST)  # a few sizes past k: a slip shows far above the rounding there
    return [draw_world([lhs, rhs], {s: size for s in dimensions}, kind, seed * 1000 + 104729 + i)
            for i, kind in enumerate(KINDS)]


def _entry_degree(expr) -> int | None:
    """The degree of ``expr`` as a polynomial in its matrices' entries; None where it is no polynomial in them
    (an inverse, a determinant of a symbolic size, a function of a matrix)."""
    if not expr.has(sp.MatrixSymbol):
        return 0
    if isinstance(expr, sp.MatrixSymbol):
        return 1
    if isinstance(expr, (sp.Transpose, sp.Trace)):
        return _entry_degree(expr.args[0])
    if isinstance(expr, (sp.MatMul, sp.Mul, sp.HadamardProduct)):
        degrees = [_entry_degree(a) for a in expr.args]
        return None if None in degrees else sum(degrees)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        degrees = [_entry_degree(a) for a in expr.args]
        return None if None in degrees else max(degrees)
    if isinstance(expr, (sp.MatPow, sp.Pow)) and expr.args[1].is_Integer and expr.args[1] >= 0:
        base = _entry_degree(expr.args[0])
        return None if base is None else base * int(expr.args[1])
    return None


def _difference_for_roots(lhs, rhs):
    """The normal form of lhs − rhs; of matrix sides Σ_w c_w·u_w, a placeholder u_w for each word w (A, AᵀB) and its
    coefficient c_w (the difference is zero iff every c_w is); None where there is none."""
    if not (isinstance(lhs, MatrixExpr) or isinstance(rhs, MatrixExpr)):
        return _cached_difference(lhs, rhs)
    from mathcheck.matrices import Unsupported, matrix_difference
    try:
        difference, _ = matrix_difference(lhs, rhs)
    except (ShapeError, Unsupported, NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return None
    if not isinstance(difference, dict):
        return None
    return sp.Add(*[coefficient * sp.Dummy("word") for coefficient in difference.values()])


def _off_constant_parts(expressions, dimensions: list) -> tuple[dict, sp.Expr] | None:
    """Sizes where a part of ``expressions`` in the sizes alone (p(d) of det(A + p(d)·I), not a shape) differs from
    a constant or another such part that it equals at every size in DIMENSIONS; None where there is none."""
    from mathcheck.size_difference import size_counterexample, value_at

    parts = list(dict.fromkeys(p for e in expressions for p in _size_parts(sp.sympify(e))))
    seen = lambda h: tuple(value_at(h, {s: n for s in h.free_symbols}) for n in DIMENSIONS)
    values = [seen(h) for h in parts]
    candidates = [h - v[0] for h, v in zip(parts, values) if len(set(v)) == 1 and v[0] is not None]
    candidates += [parts[i] - parts[j] for i in range(len(parts)) for j in range(i)
                   if values[i] == values[j]]
    found = [size_counterexample(sp.expand(c)) for c in candidates if sp.expand(c) != 0]
    found = [f for f in found if f is not None and set(f[0]) <= set(dimensions)]
    return min(found, key=lambda f: (max(f[0].values()), sum(f[0].values()))) if found else None


def _size_parts(expr, bound: frozenset = frozenset()) -> list:
    """The largest parts of ``expr`` that depend on the sizes alone and are more than a size (no shape inside, no
    index of an enclosing sum); of a product Π_j (d − j)·xᵀx, the product of its factors in the sizes, Π_j (d − j)."""
    from mathcheck.size_difference import size_symbols

    if isinstance(expr, (sp.MatrixSymbol, sp.Identity, sp.ZeroMatrix)) or not isinstance(expr, sp.Basic):
        return []
    if isinstance(expr, sp.Expr) and not isinstance(expr, MatrixExpr) and not expr.is_Symbol \
            and size_symbols(expr) is not None:
        return [] if expr.free_symbols & bound else [expr]
    if isinstance(expr, (sp.Sum, sp.Product)):
        inner = bound | {limit[0] for limit in expr.limits}
        parts = _size_parts(expr.function, inner)
        if isinstance(expr, sp.Product):
            in_sizes = [f for f in sp.Mul.make_args(expr.function) if size_symbols(f) is not None]
            parts += [sp.Product(sp.Mul(*in_sizes), *expr.limits)] if in_sizes else []
        return [p for p in parts if not p.free_symbols & bound]
    return [p for a in expr.args for p in _size_parts(a, bound)]


WRITTEN_OUT = 64  # terms of a sum or product with concrete bounds written out before a size factor is sought


def _written_out(expr):
    """``expr`` with each sum and product of at most ``WRITTEN_OUT`` terms between concrete bounds written out
    (Π_{j=1}^{20} (d − j)·tr(xxᵀ) is a polynomial in d times tr(xxᵀ)^20)."""
    short = lambda node: isinstance(node, (sp.Sum, sp.Product)) and all(
        (hi - lo).is_number and 0 <= hi - lo < WRITTEN_OUT for _, lo, hi in node.limits)
    return expr.replace(short, lambda node: node.doit())


_DIFFERENCES: dict = {}


def _cached_difference(lhs, rhs):
    """``_evaluable_difference``, asked twice per step (the size-only check, the worlds off a size factor's roots)."""
    key = (lhs, rhs)
    if key not in _DIFFERENCES:
        if len(_DIFFERENCES) > CACHE_LIMIT:
            _DIFFERENCES.clear()
        _DIFFERENCES[key] = _evaluable_difference(lhs, rhs)
    return _DIFFERENCES[key]


def _evaluable_difference(lhs, rhs):
    """The exact normal form of lhs − rhs as an expression the worlds evaluate (traces written back as traces),
    or None where it is a matrix, zero, or keeps anything opaque (an E over an undeclared density, a named
    determinant or other named number, which a world would draw as a free number)."""
    from mathcheck.matrices import Unsupported, matrix_difference, word_expr

    try:
        difference, normalizer = matrix_difference(lhs, rhs)
    except (ShapeError, Unsupported, NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return None
    if isinstance(difference, dict) or difference == 0:
        return None
    restored = difference.xreplace({symbol: sp.Trace(word_expr(word)) for symbol, word in normalizer.traces.items()})
    matrices = {m for side in (lhs, rhs) for m in sp.sympify(side).atoms(sp.MatrixSymbol) if m.shape[0] == m.shape[1]}
    names = [f"det({sp.sstr(m)})" for m in matrices]
    determinants = {s: sp.Determinant(m) for m in matrices for s in restored.free_symbols
                    if isinstance(s, sp.Symbol) and s.name == f"det({sp.sstr(m)})" and names.count(s.name) == 1}
    restored = restored.xreplace(determinants)  # det Σ of a declared matrix, as the normal form named it
    opaque = [n for n in sp.preorder_traversal(restored) if isinstance(n, (Expectation, KL, sp.core.function.AppliedUndef))
              or type(n).__name__ in ("Density", "NameRef", "Defined", "BareDensity")
              or (isinstance(n, sp.Symbol) and "(" in n.name)]
    return None if opaque else restored


def _inequality_check(lhs, relation: str, rhs, seed: int) -> MatrixNumeric:
    """``lhs ≤ rhs`` (≥, <, >) of scalar sides: the normal form of big − small evaluated in the worlds; a world where
    it is negative far beyond the rounding tolerance is a counterexample. Never "holds" (a sign is not sampled)."""
    big, small = (lhs, rhs) if relation in (">=", ">") else (rhs, lhs)
    why = "matrix steps: an inequality is only refuted numerically, never held"
    gap = _evaluable_difference(sp.sympify(big), sp.sympify(small))
    if gap is None:
        return MatrixNumeric("unsupported", reason=why)
    try:
        drawn = worlds_for([gap], seed)
    except (TypeError, ValueError, AttributeError, NotEvaluable):
        return MatrixNumeric("unsupported", reason=why)
    for world in [w for world in drawn if not world.undefined for w in (world, *_stretched(world, gap))]:
        if component_beyond_size([gap], world):
            continue
        try:
            with np.errstate(all="ignore"):
                values = np.asarray(Evaluator(world).number(gap)).reshape(-1)
                if values.size != 1:
                    continue
                value = complex(values[0])
        except (NotEvaluable, np.linalg.LinAlgError, KeyError, TypeError, ValueError, IndexError, AttributeError,
                ZeroDivisionError, OverflowError):
            continue
        tolerance = 1e3 * RELATIVE * world.condition * (1 + abs(value))
        if not math.isfinite(value.real) or abs(value.imag) > tolerance:
            continue
        if value.real < -tolerance:
            found = world.shown()
            found.update({"big - small": value.real})
            return MatrixNumeric("refuted", 1, f"fails in the world {world.describe()}: the side that should be the "
                                 f"larger is smaller by {-value.real:.4g}", found)
    return MatrixNumeric("unsupported", reason=why)


STRETCH = (10.0, 0.1)


def _stretched(world: MatrixWorld, gap) -> list[MatrixWorld]:
    """Copies of ``world`` with one free quantity of ``gap`` (a vector, matrix, component vector or real number; no
    size, integer or index) scaled by a positive factor: still a world as declared (a covariance stays positive
    definite, a positive number positive), where a sign that holds only for moderate draws (‖μ‖² + Σσ² ≥ ‖z‖²)
    is seen to fail."""
    free = sp.sympify(gap).free_symbols
    labels = {i.base.label for i in sp.sympify(gap).atoms(sp.Indexed)}
    out = []
    for key, value in world.values.items():
        if key in world.sizes or not (isinstance(key, sp.MatrixSymbol) or key in labels or
                                      (key in free and isinstance(key, sp.Symbol) and not key.is_integer)):
            continue
        if isinstance(key, (OrthogonalMatrix, ConstrainedMatrix)):
            continue  # QᵀQ = I (P² = P) as declared: a scaled copy is no such matrix
        for factor in STRETCH:
            copy = MatrixWorld(dict(world.sizes), world.kind, world.seed,
                               {**world.values, key: np.asarray(value, float) * factor}, world.condition,
                               world.key + (("stretched", str(key), factor),), f", {key} scaled by {factor:g}")
            out.append(copy)
    return out


def _difference_check(lhs, rhs, seed: int, why: str) -> MatrixNumeric:
    """Sides the worlds cannot evaluate (an opaque E_q[log p(x|z)] on both): the exact normal form of lhs − rhs,
    where those terms cancel, evaluated instead; only when nothing opaque is left in it (traces written back as
    traces; a determinant or any other named number left as a symbol is not drawn: unsupported)."""
    restored = _evaluable_difference(lhs, rhs)
    if restored is None:
        return MatrixNumeric("unsupported", reason=why)
    found = check_matrix_step(restored, "=", sp.Integer(0), seed)
    if found.status == "refuted":
        found.reason = f"{found.reason} (of the normal form of lhs − rhs, {why})"
        return found
    return MatrixNumeric("unsupported", reason=why)


def _sizes_seen(dimensions: list, worlds: list[MatrixWorld]) -> str:
    if not dimensions:
        return "no symbolic dimension"
    if len(dimensions) == 1:
        return ", ".join(f"{dimensions[0]} = {n}" for n in sorted({w.sizes[dimensions[0]] for w in worlds}))
    shown = ", ".join(str(s) for s in dimensions)
    drawn = sorted({n for w in worlds for n in w.sizes.values()})
    excess = [str(s) for s in dimensions if _drawn_size(s, 1) == 0]
    note = f" ({', '.join(excess)} ≥ 0: an excess of one size over another the prose bounds)" if excess else ""
    listed = ", ".join(map(str, drawn if excess and drawn else DIMENSIONS))
    return f"({shown}) each in {{{listed}}}, equal and apart{note}"


# ---------------------------------------------------------------- the verdict of a matrix step


def is_matrix_step(lhs, rhs) -> bool:
    return involves_matrices(sp.sympify(lhs)) or involves_matrices(sp.sympify(rhs))


TINY = 1e-6  # a literal this small (a jitter 10^{-14} I) can hide below float64 comparisons


def _tiny_literal(*sides) -> bool:
    """Whether a side holds a nonzero number literal below TINY in size (10^{-14}, 1e-12)."""
    return any(isinstance(atom, sp.Number) and atom != 0 and abs(float(atom)) < TINY
               for side in sides for atom in sp.sympify(side).atoms(sp.Number))


def _precise_recheck(lhs, rhs, seed: int) -> MatrixNumeric | None:
    """Sides that held in float64 while holding a tiny literal, compared again at PRECISE_DIGITS digits in each
    world: the first world where they differ there is the counterexample (None: none found)."""
    for world in worlds_for([lhs, rhs], seed):
        if not world.undefined and _precisely_equal(lhs, rhs, world) is False:
            return MatrixNumeric("refuted", 1, f"fails in the world {world.describe()} at {PRECISE_DIGITS} digits (a "
                                 f"tiny literal of a side is below float64 comparisons)", world.shown())
    return None


def _zero_as_matrix(lhs, step):
    """(lhs, step) with a literal 0 side of a matrix equation the zero matrix of the other side's shape
    (A − A = 0, A² − tr(A)A + det(A)I = 0); a nonzero number against a matrix stays ill-formed."""
    rhs = sp.sympify(step.expr)
    lhs = sp.sympify(lhs)
    if step.relation not in ("=", "≠", "!=", "\\neq", "\\ne"):
        return lhs, step
    if isinstance(lhs, MatrixExpr) and _literal_zero(rhs):
        return lhs, replace(step, expr=sp.ZeroMatrix(*lhs.shape))
    if isinstance(rhs, MatrixExpr) and _literal_zero(lhs):
        return sp.ZeroMatrix(*rhs.shape), step
    return lhs, step


def _literal_zero(expr) -> bool:
    """A written 0: the number, or a bold 0 (its size, read as the default one, is the other side's)."""
    if isinstance(expr, sp.ZeroMatrix):
        return True
    return not isinstance(expr, MatrixExpr) and isinstance(expr, sp.Basic) and expr.is_zero is True and \
        not expr.free_symbols


def decide_matrix(lhs, step, seed: int = 0) -> tuple[str, dict[str, Any]]:
    """The verdict of a calc step on matrix expressions: the matrix normal form, then the matrix worlds."""
    from mathcheck.checker import unrefuted_verdict
    from mathcheck.report import REFUTED, UNDECIDED
    from mathcheck.symbolic import prove

    lhs, step = _zero_as_matrix(lhs, step)
    proof = prove(lhs, step.relation, step.expr, step.rules)
    detail: dict[str, Any] = {"symbolic": proof.reason}
    numeric = check_matrix_step(lhs, step.relation, step.expr, seed)
    if numeric.status == "holds" and not proof.proved and step.relation == "=" and _tiny_literal(lhs, step.expr):
        numeric = _precise_recheck(lhs, sp.sympify(step.expr), seed) or numeric
    detail["numeric"] = numeric.reason
    if proof.disproved:
        detail["reason"] = f"refuted by the matrix normal form: {proof.reason}"
        if numeric.counterexample:
            detail["counterexample"] = numeric.counterexample
        return REFUTED, detail
    if numeric.status == "refuted":
        detail["counterexample"] = numeric.counterexample
        if proof.proved:
            detail["reason"] = (f"not decided: the normal form proves it ({proof.reason}) but {numeric.reason} "
                                "(please report this mathcheck bug)")
            return UNDECIDED, detail
        detail["reason"] = f"counterexample: {numeric.reason}"
        return REFUTED, detail
    held = numeric.reason if numeric.status == "holds" else None
    return unrefuted_verdict(step, proof, held, numeric.reason, detail)
