"""Vectors and matrices as sympy matrix expressions: shapes, the scalar a 1×1 expression stands for, and a
decision procedure for equalities of (scalar-valued or matrix-valued) matrix expressions.

Representation: ``MatrixSymbol(name, d, 1)`` vectors and ``(d, d)`` matrices with ``d`` the symbolic dimension,
``Transpose``, ``Inverse``, ``Trace``, ``Determinant``, ``Identity``, ``MatMul``, ``MatAdd``; a number made of a
1×1 expression is ``scalar(M)`` (= ``Trace(M)``, the trace of a 1×1 matrix being its entry). Declarations
live in the symbol's class: :class:`SymmetricMatrix` (Σ = Σᵀ) and :class:`Covariance` (Σ = Σᵀ ≻ 0, hence
invertible with det Σ > 0). :class:`Diagonal` is diag(e_1, …, e_n) for an entry written in an index,
:class:`Components` the vector (v_1, …, v_n) of an ``IndexedBase``; :class:`MvNormal` is the density
N(x; μ, Σ), used inside ``vocab.Expectation`` and ``vocab.KL``.

The normal form (``Normalizer``), each rewrite valid under the side condition it checks:

- transpose: (AB)ᵀ = BᵀAᵀ, (A + B)ᵀ = Aᵀ + Bᵀ, (Aᵀ)ᵀ = A, Σᵀ = Σ for declared symmetric Σ, diagonals, I;
- inverse: (AB)⁻¹ = B⁻¹A⁻¹ only when every factor is square; (cA)⁻¹ = c⁻¹A⁻¹; (Aᵀ)⁻¹ = (A⁻¹)ᵀ;
  A A⁻¹ = A⁻¹ A = I; the inverse of a sum stays whole;
- trace: linear; tr(M) = tr(Mᵀ); cyclic rotation to a canonical word, and ONLY cyclic (A A⁻¹ cancels across
  the wrap-around); tr(I_n) = n; a word with two 1×1 bottlenecks is the product of two numbers
  (tr(a aᵀ m mᵀ) = (aᵀm)²); tr of a diagonal / of components is a ``Sum`` over the index;
- determinant: det(cA) = cⁿ det A, det(AB) = det A det B for square factors (sums too), det Aᵀ = det A,
  det A⁻¹ = 1/det A, det I = 1, det of a diagonal is a ``Product``; det of a sum is never split;
  log det splits over products only where the factors are positive (declared positive definite);
- Gaussian (x ~ N(μ, Σ), Σ declared positive definite): log N(x; μ, Σ) = −½[(x−μ)ᵀΣ⁻¹(x−μ) + log det Σ
  + d log 2π]; E is linear with E[1] = 1, E[x] = μ, E[x xᵀ] = Σ + μμᵀ (so E[(x−μ)(x−μ)ᵀ] = Σ and
  E[xᵀAx] = tr(AΣ) + μᵀAμ, and (xᵀr₁)(xᵀr₂) = xᵀr₁r₂ᵀx); bodies of degree > 2 in x are refused;
- KL(N₁ ‖ N₂) = E_{N₁}[log N₁ − log N₂] (definition);
- sums over an index: linear, Σ_j c = n c, log ∏_j f_j = Σ_j log f_j for positive factors.

Two sides are equal when their normal forms agree; a shape error is a disproof (the expression is ill-formed).
"""
from __future__ import annotations

import dataclasses
import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixExpr

d = sp.Symbol("d", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)


class ShapeError(ValueError):
    """An ill-formed matrix expression: a matrix added to a scalar, a product of incompatible shapes."""


class Unsupported(ValueError):
    """A matrix expression outside what the normal form decides (the message says what)."""


def scalar(matrix: sp.MatrixExpr) -> sp.Expr:
    """The number a 1×1 matrix expression stands for (xᵀAx, ‖x‖² = xᵀx): tr of a 1×1 matrix is its entry."""
    if tuple(matrix.shape) != (1, 1):
        raise ShapeError(f"a {matrix.shape[0]}×{matrix.shape[1]} matrix is not a number")
    return sp.Trace(matrix)


# ---------------------------------------------------------------- declarations and building blocks


class SymmetricMatrix(sp.MatrixSymbol):
    """A square matrix declared symmetric: Σ = Σᵀ."""

    symmetric = True
    positive_definite = False


class Covariance(SymmetricMatrix):
    """A matrix declared symmetric positive definite (Σ = Σᵀ ≻ 0): invertible, det Σ > 0."""

    positive_definite = True


class OrthogonalMatrix(sp.MatrixSymbol):
    """A matrix declared orthogonal (unitary, real): QᵀQ = I; a square one also QQᵀ = I, so det Q = ±1."""

    orthogonal = True


class ConstrainedMatrix(sp.MatrixSymbol):
    """A matrix declared with a property the engine does not model (idempotent, skew-symmetric, a permutation): a
    normal form proves what holds for every matrix; no random world stands for it (none is a counterexample)."""


class TriangularMatrix(sp.MatrixSymbol):
    """A square matrix declared lower triangular (upper: :class:`UpperTriangular`): det L = ∏_j L_jj; with a
    positive diagonal (:class:`PositiveDiagonal` mixed in) every L_jj > 0, so det L > 0 (a Cholesky factor)."""

    lower = True
    positive_diagonal = False


class UpperTriangular(TriangularMatrix):
    lower = False


class LowerTriangularPositive(TriangularMatrix):
    positive_diagonal = True


class UpperTriangularPositive(UpperTriangular):
    positive_diagonal = True


def triangular(name: str, size=d, lower: bool = True, positive_diagonal: bool = False) -> TriangularMatrix:
    kind = {(True, False): TriangularMatrix, (False, False): UpperTriangular,
            (True, True): LowerTriangularPositive, (False, True): UpperTriangularPositive}[(lower, positive_diagonal)]
    return kind(name, size, size)


def vector(name: str, size=d) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, size, 1)


def matrix(name: str, rows=d, cols=None) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, rows, rows if cols is None else cols)


def symmetric(name: str, size=d) -> SymmetricMatrix:
    return SymmetricMatrix(name, size, size)


def covariance(name: str, size=d) -> Covariance:
    return Covariance(name, size, size)


class Diagonal(MatrixExpr):
    """diag(e_1, …, e_n): the entry ``entry`` written in ``index`` (1-based), e.g. ``Diagonal(sigma[j]**2)``."""

    def __new__(cls, entry, index=j, size=d):
        return sp.Basic.__new__(cls, sp.sympify(entry), index, sp.sympify(size))

    entry = property(lambda self: self.args[0])
    index = property(lambda self: self.args[1])
    size = property(lambda self: self.args[2])
    shape = property(lambda self: (self.args[2], self.args[2]))

    def at(self, k) -> sp.Expr:
        return self.entry.subs(self.index, k)

    @property
    def free_symbols(self):
        return (self.entry.free_symbols - {self.index}) | self.size.free_symbols

    def _entry(self, i, k, **kwargs):
        return sp.KroneckerDelta(i, k) * self.at(i + 1)

    def _sympystr(self, printer) -> str:
        return f"diag({printer.doprint(self.entry)})"

    def _latex(self, printer) -> str:
        return f"\\mathrm{{diag}}({printer.doprint(self.entry)})"


class BinaryBase(sp.IndexedBase):
    """The components x_j of a binary vector x ∈ {0, 1}^D: each 0 or 1, so x_j^n = x_j for n ≥ 1."""


class UnitBase(sp.IndexedBase):
    """The components of a vector in (0, 1)^D (a Bernoulli decoder's means): each positive and below 1."""


def binary_powers(expr):
    """``expr`` with every power x_j^n (n ≥ 1) of a binary component read as x_j."""
    if not isinstance(expr, sp.Basic):
        return expr
    return expr.replace(lambda n: n.is_Pow and isinstance(n.base, sp.Indexed) and isinstance(n.base.base, BinaryBase)
                        and n.exp.is_Integer and n.exp > 0, lambda n: n.base)


class Components(MatrixExpr):
    """The vector (v_1, …, v_n) of an ``IndexedBase`` v."""

    def __new__(cls, base, size=d):
        return sp.Basic.__new__(cls, base, sp.sympify(size))

    base = property(lambda self: self.args[0])
    size = property(lambda self: self.args[1])
    shape = property(lambda self: (self.args[1], sp.Integer(1)))

    def at(self, k) -> sp.Expr:
        return self.base[k]

    @property
    def free_symbols(self):
        return {self.base.label} | self.size.free_symbols

    def _entry(self, i, k, **kwargs):
        return self.base[i + 1]

    def _sympystr(self, printer) -> str:
        return printer.doprint(self.base.label)

    def _latex(self, printer) -> str:
        return f"\\mathbf{{{printer.doprint(self.base.label)}}}"


class MvNormal(sp.Expr):
    """The density N(variable; mean, cov) of a d-variate Gaussian (cov declared positive definite)."""

    is_positive = True
    is_real = True
    is_finite = True
    is_commutative = True

    def __new__(cls, variable, mean, cov, name=None):
        variable, mean, cov = map(sp.sympify, (variable, mean, cov))
        if variable.shape[1] != 1 or mean.shape != variable.shape or cov.shape != (variable.shape[0],) * 2:
            raise ShapeError(f"N(x; μ, Σ) needs x, μ of shape n×1 and Σ n×n; got x {_shape(variable)}, "
                             f"μ {_shape(mean)}, Σ {_shape(cov)}")
        if name is None:
            return super().__new__(cls, variable, mean, cov)
        return super().__new__(cls, variable, mean, cov, name)

    variable = property(lambda self: self.args[0])
    mean = property(lambda self: self.args[1])
    cov = property(lambda self: self.args[2])
    variables = property(lambda self: (self.args[0],))
    name = property(lambda self: self.args[3] if len(self.args) > 3 else None)  # p(z) of a declared p(z) = N(..)
    parameters = property(lambda self: self.args[:3])

    def log_density(self) -> sp.Expr:
        """log N(x; μ, Σ) = −½[(x−μ)ᵀΣ⁻¹(x−μ) + log det Σ + n log 2π]."""
        x, m, s = self.parameters
        n = x.shape[0]
        return -sp.Rational(1, 2) * (scalar((x - m).T * s.I * (x - m)) + sp.log(sp.Determinant(s))
                                     + n * sp.log(2 * sp.pi))

    def _sympystr(self, printer) -> str:
        return "N({}; {}, {})".format(*(printer.doprint(a) for a in self.args))

    def _latex(self, printer) -> str:
        return "\\mathcal{{N}}({}; {}, {})".format(*(printer.doprint(a) for a in self.args))


class VectorFunction(MatrixExpr):
    """f(z): the value of a vector-valued function the document names (a decoder's mean f(z) ∈ ℝⁿ), opaque but
    for its arguments (E over z sees that it depends on z)."""

    def __new__(cls, name, arguments, size=d):
        return sp.Basic.__new__(cls, sp.Symbol(str(name)), sp.Tuple(*arguments), sp.sympify(size))

    name = property(lambda self: self.args[0].name)
    arguments = property(lambda self: tuple(self.args[1]))
    size = property(lambda self: self.args[2])
    shape = property(lambda self: (self.args[2], sp.Integer(1)))

    @property
    def free_symbols(self):
        return self.args[1].free_symbols | self.size.free_symbols

    def _sympystr(self, printer) -> str:
        return f"{self.name}({', '.join(printer.doprint(a) for a in self.arguments)})"

    def _latex(self, printer) -> str:
        return f"{self.name}({', '.join(printer.doprint(a) for a in self.arguments)})"


class ConditionalInverse(MatrixExpr):
    """M⁻¹ of a matrix the document does not make invertible and that is not invertible for almost every value
    of its declared entries (WᵀW of a d×k W needs rank W = k; x xᵀ, of rank 1): kept apart from ``Inverse`` so
    that sympy never cancels M⁻¹M = I by itself; the normal form reads it as M⁻¹ kept whole, and a proof that
    needs it invertible is withheld (:func:`unassured_inverses`)."""

    def __new__(cls, arg):
        return sp.Basic.__new__(cls, arg)

    arg = property(lambda self: self.args[0])
    shape = property(lambda self: self.args[0].shape)

    def _sympystr(self, printer) -> str:
        return f"({printer.doprint(self.arg)})**(-1)"

    def _latex(self, printer) -> str:
        return f"\\left({printer.doprint(self.arg)}\\right)^{{-1}}"


ASSURED, PRESUMED = "assured", "presumed"


def inverse_condition(m, columns: frozenset = frozenset(), rows: frozenset = frozenset()) -> str | None:
    """Why ``m``⁻¹ may fail to exist as the document declares ``m`` (None when it exists: ``m`` is invertible as
    declared, or a square matrix of free entries whose inverse the notation presumes, as 1/x presumes x ≠ 0).
    ``columns``, ``rows``: the names declared of full column (row) rank."""
    status = _invertibility(m, columns, rows)
    return None if status in (ASSURED, PRESUMED) else status


def _invertibility(m, columns: frozenset, rows: frozenset) -> str:
    """ASSURED (invertible as declared), PRESUMED (square of free entries) or the condition it needs."""
    if isinstance(m, (sp.Identity, Covariance)) or is_positive_definite(m):
        return ASSURED
    if isinstance(m, OrthogonalMatrix) or (isinstance(m, TriangularMatrix) and m.positive_diagonal):
        return ASSURED if _same(*m.shape) else PRESUMED
    if isinstance(m, (sp.Transpose, sp.Inverse, ConditionalInverse)):
        return _invertibility(m.args[0], columns, rows)
    if isinstance(m, sp.MatPow):
        return _invertibility(m.args[0], columns, rows)
    if isinstance(m, ConstrainedMatrix):  # idempotent, singular, low rank, …: no inverse presumed
        return (f"{m.name} is declared with a property (a projection, singular, of low rank, …) under which it may "
                f"have no inverse")
    if isinstance(m, sp.MatrixSymbol):
        return ASSURED if m.name in columns and m.name in rows else PRESUMED
    if isinstance(m, sp.MatMul):
        return _product_invertibility(m, columns, rows)
    if isinstance(m, sp.MatAdd):
        return _sum_invertibility(m, columns, rows)
    return PRESUMED


def _product_invertibility(m: sp.MatMul, columns: frozenset, rows: frozenset) -> str:
    factors = [a for a in m.args if isinstance(a, MatrixExpr)]
    if all(_same(*f.shape) for f in factors):
        statuses = [_invertibility(f, columns, rows) for f in factors]
        conditional = [s for s in statuses if s not in (ASSURED, PRESUMED)]
        return conditional[0] if conditional else ASSURED if all(s == ASSURED for s in statuses) else PRESUMED
    if _full_rank_gram(factors, columns, rows):
        return ASSURED
    size = m.shape[0]
    thin = [f for f in factors if not _same(*f.shape)]
    names = ", ".join(dict.fromkeys(sp.sstr(_untransposed(f)) for f in thin))
    outer = _untransposed(factors[0])
    side = "row" if isinstance(factors[-1], sp.Transpose) and factors[-1].args[0] == outer else "column"
    return (f"{sp.sstr(m)} ({size}×{size}) has non-square factors ({names}): it is invertible only when its rank is "
            f"{size}, as when {sp.sstr(outer)} has full {side} rank (which needs at least {size} "
            f"{'columns' if side == 'row' else 'rows'}), and the document does not declare it")


def _untransposed(m):
    return m.args[0] if isinstance(m, sp.Transpose) else m


def _full_rank_gram(factors: list, columns: frozenset, rows: frozenset) -> bool:
    """Xᵀ M X with X of declared full column rank (orthonormal columns), or X M Xᵀ with X of full row rank, and M
    positive definite (or absent): positive definite, so invertible."""
    if len(factors) < 2:
        return False
    first, last, middle = factors[0], factors[-1], factors[1:-1]
    if not all(_definite(f) for f in middle) or len(middle) > 1:
        return False
    if isinstance(first, sp.Transpose) and first.args[0] == last and isinstance(last, sp.MatrixSymbol):
        return last.name in columns or isinstance(last, OrthogonalMatrix)
    if isinstance(last, sp.Transpose) and last.args[0] == first and isinstance(first, sp.MatrixSymbol):
        return first.name in rows
    return False


def _definite(m) -> bool:
    """Positive definite as declared, or the inverse or transpose of such a matrix (Σ⁻¹ of a covariance Σ)."""
    if isinstance(m, (sp.Inverse, sp.Transpose)):
        return _definite(m.args[0])
    return is_positive_definite(m)


def _sum_invertibility(m: sp.MatAdd, columns: frozenset, rows: frozenset) -> str:
    """A sum of positive semidefinite terms with a positive definite one (Σ + λI, λ > 0; WWᵀ + σ²I) is
    invertible; a sum with a term of free square factors is presumed so; a sum of low-rank terms is not."""
    kinds = [_definiteness(t, columns, rows) for t in m.args]
    if all(k in ("definite", "semidefinite") for k in kinds) and "definite" in kinds:
        return ASSURED
    for term in m.args:
        coefficient, factors = _coefficient_and_factors(term)
        if coefficient.is_zero is not True and all(_same(*f.shape) for f in factors) and \
                all(_invertibility(f, columns, rows) in (ASSURED, PRESUMED) for f in factors):
            return PRESUMED
    return (f"{sp.sstr(m)} is a sum of terms of low rank (products with non-square factors): it is not known to be "
            f"invertible, and the document does not declare it")


def _coefficient_and_factors(term) -> tuple:
    if isinstance(term, sp.MatMul):
        scalars = [a for a in term.args if not isinstance(a, MatrixExpr)]
        return sp.Mul(*scalars), [a for a in term.args if isinstance(a, MatrixExpr)]
    return sp.Integer(1), [term]


def _definiteness(term, columns: frozenset, rows: frozenset) -> str:
    """"definite", "semidefinite" or "" for a term of a sum: c·Σ, c·I with c > 0 (≥ 0), Gram XᵀX and XXᵀ."""
    coefficient, factors = _coefficient_and_factors(term)
    if coefficient.is_nonnegative is not True:
        return ""
    if len(factors) == 1 and _definite(factors[0]):
        return "definite" if coefficient.is_positive else "semidefinite"
    if len(factors) >= 2 and all(_definite(f) for f in factors[1:-1]) and len(factors) <= 3:
        first, last = factors[0], factors[-1]
        gram = (isinstance(first, sp.Transpose) and first.args[0] == last) or \
            (isinstance(last, sp.Transpose) and last.args[0] == first)
        if gram:
            full = _full_rank_gram(factors, columns, rows)
            return "definite" if full and coefficient.is_positive else "semidefinite"
    return ""


def unassured_inverses(*expressions) -> list:
    """The matrices M of the inverses M⁻¹ in ``expressions`` that the document does not make invertible."""
    found = []
    for expr in expressions:
        if isinstance(expr, sp.Basic):
            found += [node.arg for node in sp.preorder_traversal(expr) if isinstance(node, ConditionalInverse)]
    return list(dict.fromkeys(found))


class MatrixExpectation(MatrixExpr):
    """E_density[M] of a matrix-valued body M (E_q[(x − μ)(x − μ)ᵀ]): a matrix of M's shape."""

    def __new__(cls, density, body):
        return sp.Basic.__new__(cls, density, body)

    density = property(lambda self: self.args[0])
    body = property(lambda self: self.args[1])
    shape = property(lambda self: tuple(self.args[1].shape))

    def _sympystr(self, printer) -> str:
        return f"E_{printer.doprint(self.density)}[{printer.doprint(self.body)}]"

    def _latex(self, printer) -> str:
        return f"\\mathbb{{E}}_{{{printer.doprint(self.density)}}}\\left[{printer.doprint(self.body)}\\right]"


class Entry(sp.Expr):
    """M_{ij}: the entry in row ``row``, column ``col`` (1-based) of the matrix expression M (x_i of a vector is
    its entry (i, 1)). A diagonal entry of a matrix declared positive definite is positive."""

    is_commutative = True
    is_real = True

    def __new__(cls, matrix, row, col):
        matrix, row, col = sp.sympify(matrix), sp.sympify(row), sp.sympify(col)
        if not isinstance(matrix, MatrixExpr):
            raise ShapeError(f"an entry ({row}, {col}) of {matrix}, which is not a vector or matrix")
        return super().__new__(cls, matrix, row, col)

    matrix = property(lambda self: self.args[0])
    row = property(lambda self: self.args[1])
    col = property(lambda self: self.args[2])

    def _eval_is_positive(self):
        if self.row == self.col and (is_positive_definite(self.matrix) or
                                     getattr(self.matrix, "positive_diagonal", False)):
            return True
        return None

    def _sympystr(self, printer) -> str:
        return f"({printer.doprint(self.matrix)})[{printer.doprint(self.row)}, {printer.doprint(self.col)}]"

    def _latex(self, printer) -> str:
        return f"\\left({printer.doprint(self.matrix)}\\right)_{{{printer.doprint(self.row)}{printer.doprint(self.col)}}}"


def is_positive_definite(m) -> bool:
    """Σ ≻ 0 by declaration: a :class:`Covariance`, the identity, a diagonal with positive entries."""
    if isinstance(m, Covariance) or isinstance(m, sp.Identity):
        return True
    if isinstance(m, Diagonal):
        return bool(m.entry.is_positive)
    if isinstance(m, sp.MatMul) and len(m.args) == 2 and m.args[0].is_positive and not m.args[0].is_Matrix:
        return is_positive_definite(m.args[1])
    return False


def is_symmetric(m) -> bool:
    if isinstance(m, sp.OneMatrix):
        return _same(m.shape[0], m.shape[1])  # the all-ones matrix; the ones vector is not square
    return isinstance(m, (SymmetricMatrix, Diagonal, sp.Identity, sp.ZeroMatrix, sp.DiagMatrix))


def _shape(expr) -> str:
    if isinstance(expr, MatrixExpr):
        return f"{expr.shape[0]}×{expr.shape[1]}"
    return "scalar"


def add(*terms):
    """A sum whose terms are all scalars or all matrices of one shape, else :class:`ShapeError` naming them."""
    shapes = {_shape(sp.sympify(t)) for t in terms}
    if len(shapes) > 1:
        raise ShapeError("cannot add " + " and ".join(sorted(shapes)))
    return sp.Add(*terms) if shapes == {"scalar"} else sp.MatAdd(*terms)


def mul(*factors):
    """A product with matching inner dimensions, else :class:`ShapeError` naming the shapes."""
    product = sp.MatMul(*factors) if any(isinstance(f, MatrixExpr) for f in factors) else sp.Mul(*factors)
    check_shapes(product)
    return product


def _same(a, b) -> bool:
    return sp.expand(sp.sympify(a) - sp.sympify(b)) == 0


def check_shapes(expr) -> None:
    """Raise :class:`ShapeError` where a product, sum, trace, determinant or inverse is ill-formed."""
    for node in sp.postorder_traversal(expr):  # inner products first: the first ill-formed node is named
        if isinstance(node, sp.MatMul):
            matrices = [a for a in node.args if isinstance(a, MatrixExpr)]
            for left, right in zip(matrices, matrices[1:]):
                if not _same(left.shape[1], right.shape[0]):
                    raise ShapeError(f"cannot multiply {left} ({_shape(left)}) by {right} ({_shape(right)})")
        elif isinstance(node, sp.MatAdd):
            first = node.args[0]
            for other in node.args[1:]:
                if not (_same(first.shape[0], other.shape[0]) and _same(first.shape[1], other.shape[1])):
                    raise ShapeError(f"cannot add {first} ({_shape(first)}) and {other} ({_shape(other)})")
        elif isinstance(node, (sp.Trace, sp.Determinant, sp.Inverse)):
            inner = node.args[0]
            if not _same(inner.shape[0], inner.shape[1]) and not (isinstance(node, sp.Trace) and _one_by_one(inner)):
                kind = {sp.Trace: "trace", sp.Determinant: "determinant", sp.Inverse: "inverse"}[type(node)]
                raise ShapeError(f"the {kind} of {inner} needs a square matrix, not {_shape(inner)}")
        elif isinstance(node, ConditionalInverse) and not _same(*node.arg.shape):
            raise ShapeError(f"the inverse of {node.arg} needs a square matrix, not {_shape(node.arg)}")
        elif isinstance(node, sp.MatPow) and not _same(node.args[0].shape[0], node.args[0].shape[1]):
            raise ShapeError(f"a power of {node.args[0]} needs a square matrix, not {_shape(node.args[0])}")


def _one_by_one(m) -> bool:
    return m.shape[0] == 1 and m.shape[1] == 1


def involves_matrices(expr) -> bool:
    """Does ``expr`` contain a matrix expression or a multivariate density (this module's domain)?"""
    if isinstance(expr, (MatrixExpr, MvNormal)):
        return True
    return isinstance(expr, sp.Basic) and any(isinstance(n, (MatrixExpr, MvNormal)) for n in sp.preorder_traversal(expr))


# ---------------------------------------------------------------- words: products of atoms


@dataclass(frozen=True)
class Atom:
    """A factor of a product: a base matrix, possibly transposed and/or inverted (canonical: (B⁻¹)ᵀ)."""

    base: sp.Basic
    transposed: bool = False
    inverted: bool = False

    @property
    def shape(self) -> tuple:
        rows, cols = self.base.shape
        return (cols, rows) if self.transposed else (rows, cols)

    def transpose(self) -> "Atom":
        return make_atom(self.base, not self.transposed, self.inverted)

    def invert(self) -> "Atom":
        return make_atom(self.base, self.transposed, not self.inverted)

    def expr(self) -> sp.MatrixExpr:
        out = sp.Inverse(self.base) if self.inverted else self.base
        return sp.Transpose(out) if self.transposed else out

    def key(self) -> str:
        return sp.sstr(self.base) + ("⁻¹" if self.inverted else "") + ("ᵀ" if self.transposed else "")


def make_atom(base, transposed: bool = False, inverted: bool = False) -> Atom:
    """An atom; an inverted diagonal becomes diag(1/e) at once (writing diag(e)⁻¹ presumes every e_j ≠ 0;
    the normalizer records that side condition where it inverts), so no diagonal atom carries ``inverted``."""
    if is_symmetric(base):
        transposed = False
    if inverted and isinstance(base, Diagonal):
        if base.entry.is_zero:
            raise Unsupported(f"{base} has no inverse (its entries are 0)")
        return Atom(Diagonal(1 / base.entry, base.index, base.size))
    return Atom(base, transposed, inverted)


def vector_entry(v, index) -> sp.Expr | None:
    """The entry ``index`` of a vector known entry by entry (components v_j, the ones vector, diag(e) times one
    of them, their sums, scalar multiples and elementwise products and powers); None for an opaque vector."""
    if isinstance(v, Components):
        return v.base[index]
    if isinstance(v, sp.OneMatrix) and _same(v.shape[1], 1):
        return sp.Integer(1)
    if isinstance(v, sp.ZeroMatrix):
        return sp.Integer(0)
    if isinstance(v, sp.MatAdd):
        parts = [vector_entry(a, index) for a in v.args]
        return None if any(p is None for p in parts) else sp.Add(*parts)
    if isinstance(v, HadamardProduct):
        parts = [vector_entry(a, index) for a in v.args]
        return None if any(p is None for p in parts) else sp.Mul(*parts)
    if isinstance(v, HadamardPower) and v.args[1].is_Integer and v.args[1] >= 1:
        part = vector_entry(v.args[0], index)
        return None if part is None else part ** v.args[1]
    if isinstance(v, sp.MatMul):
        matrices = [a for a in v.args if isinstance(a, MatrixExpr)]
        scalars = [a for a in v.args if not isinstance(a, MatrixExpr)]
        if any(involves_matrices(a) for a in scalars):
            return None
        if len(matrices) == 1:
            part = vector_entry(matrices[0], index)
            return None if part is None else sp.Mul(*scalars) * part
        if len(matrices) == 2 and isinstance(matrices[0], Diagonal):
            part = vector_entry(matrices[1], index)
            return None if part is None else sp.Mul(*scalars) * matrices[0].at(index) * part
    return None


def _diagonal_entry(atom: Atom, index) -> sp.Expr:
    """The j-th entry of a diagonal atom, written in ``index``, honouring an inverted flag."""
    entry = atom.base.entry.subs(atom.base.index, index)
    return 1 / entry if atom.inverted else entry


def reduce_word(atoms: tuple) -> tuple:
    """Adjacent diagonals multiplied, A A⁻¹ = A⁻¹ A = I cancelled, until nothing changes."""
    out: list[Atom] = []
    for atom in _sorted_diagonals(tuple(atoms)):
        if out and isinstance(atom.base, Diagonal) and isinstance(out[-1].base, Diagonal):
            previous = out.pop()
            last = previous.base
            entry = _diagonal_entry(previous, last.index) * _diagonal_entry(atom, last.index)
            out.append(Atom(Diagonal(entry, last.index, last.size)))
        elif out and out[-1].base == atom.base and out[-1].transposed == atom.transposed \
                and out[-1].inverted != atom.inverted:
            out.pop()
        elif out and _orthonormal_pair(out[-1], atom):
            out.pop()
        else:
            out.append(atom)
    return tuple(out)


def _orthonormal_pair(left: Atom, right: Atom) -> bool:
    """QᵀQ = I of a matrix declared with orthonormal columns (:class:`OrthogonalMatrix`); QQᵀ = I if square."""
    base = left.base
    if not (isinstance(base, OrthogonalMatrix) and base == right.base and not left.inverted and not right.inverted):
        return False
    if left.transposed and not right.transposed:
        return True
    return not left.transposed and right.transposed and _same(*base.shape)


def diag_of(v) -> sp.MatrixExpr:
    """diag(v) of a vector: diag(v_j) where v is known entry by entry, else the opaque diag(v)."""
    index = _entry_index([v])
    entry = vector_entry(v, index)
    return Diagonal(entry, index, v.shape[0]) if entry is not None else sp.DiagMatrix(v)


def _entry_index(expressions) -> sp.Symbol:
    """The index in which to write entries: the engine's j, or a fresh one where j is free in the expressions (a
    free index j of the step must not be captured)."""
    if any(j in sp.sympify(e).free_symbols for e in expressions):
        return sp.Dummy("k", integer=True, positive=True)
    return j


def _in_diagonal(atom: "Atom", x) -> bool:
    return isinstance(atom.base, sp.DiagMatrix) and atom.base.args[0] == x


def _indexed_only_by(entry: "Entry", index) -> bool:
    """An entry whose matrix is free of ``index`` and whose row and column are ``index`` itself or free of it."""
    return index not in entry.matrix.free_symbols and all(i == index or index not in i.free_symbols
                                                          for i in (entry.row, entry.col))


def _diagonal_in(weight, index, size) -> "Diagonal":
    """diag(w_1, …, w_n) of a weight written in the running ``index`` (in the engine's index j where free)."""
    if index != j and j not in weight.free_symbols:
        weight, index = weight.xreplace({index: j}), j
    return Diagonal(weight, index, size)


def _ones_vector(m) -> bool:
    return isinstance(m, sp.OneMatrix) and _same(m.shape[1], 1)


def _diagonal_like(atom: Atom) -> bool:
    return isinstance(atom.base, (Diagonal, sp.DiagMatrix)) and not atom.inverted


def _sorted_diagonals(atoms: tuple) -> tuple:
    """Diagonal matrices commute: each run of adjacent diagonals diag(e), diag(v) in a fixed order."""
    out, run = [], []
    for atom in atoms + (None,):
        if atom is not None and _diagonal_like(atom):
            run.append(atom)
            continue
        out += sorted(run, key=lambda a: (not isinstance(a.base, Diagonal), a.key()))
        run = []
        if atom is not None:
            out.append(atom)
    return tuple(out)


def absorbed(atoms: tuple, keep=frozenset()) -> tuple:
    """The word with the components of a vector taken into the diagonal before it: diag(e) v = diag(e v_j) 1
    (vᵀ diag(e) = 1ᵀ diag(e v_j)), and diag(v_j) 1 = v; so that diag(σ) ε, σ ⊙ ε and ε ⊙ σ (components) are
    one word. The vectors in ``keep`` (the variable of an expectation being taken) stay whole."""
    atoms = reduce_word(atoms)
    out = list(atoms)
    changed = True
    while changed:
        changed = False
        for k in range(len(out) - 1):
            left, right = out[k], out[k + 1]
            if isinstance(left.base, Diagonal) and isinstance(right.base, Components) and not right.transposed \
                    and right.base not in keep:
                entry = left.base.entry * right.base.base[left.base.index]
                out[k:k + 2] = [Atom(Diagonal(entry, left.base.index, left.base.size)),
                                Atom(sp.OneMatrix(right.base.size, 1))]
                changed = True
                break
            if isinstance(right.base, Diagonal) and isinstance(left.base, Components) and left.transposed \
                    and left.base not in keep:
                entry = right.base.entry * left.base.base[right.base.index]
                out[k:k + 2] = [Atom(sp.OneMatrix(left.base.size, 1), transposed=True),
                                Atom(Diagonal(entry, right.base.index, right.base.size))]
                changed = True
                break
        if changed:
            out = list(reduce_word(tuple(out)))
    for k in range(len(out) - 1):  # diag(v_j) 1 = v, 1ᵀ diag(v_j) = vᵀ
        left, right = out[k], out[k + 1]
        pair = (left, right) if isinstance(left.base, Diagonal) else (right, left)
        diagonal, ones = pair
        if isinstance(diagonal.base, Diagonal) and isinstance(ones.base, sp.OneMatrix) and \
                ones.transposed == (ones is left) and isinstance(diagonal.base.entry, sp.Indexed) and \
                diagonal.base.entry.indices == (diagonal.base.index,):
            vector = Atom(Components(diagonal.base.entry.base, diagonal.base.size), transposed=ones.transposed)
            out[k:k + 2] = [vector]
            break
    return tuple(out)


def _emptied_size(atoms: tuple, size):
    """The size of the identity a cyclic word cancels to: tr(U Uᵀ) of a d×k U with UᵀU = I is tr(I_k) = k, the
    rows of the rotation (Uᵀ U) that cancels; ``size`` where no one rotation cancels whole."""
    for rotated in rotations(atoms):
        if rotated and not reduce_word(rotated):
            return rotated[0].shape[0]
    return size


def _cyclically_reduced(atoms: tuple) -> tuple:
    """Under a trace the word is cyclic: A A⁻¹ cancels across the wrap-around too."""
    changed = True
    while changed and atoms:
        changed = False
        for rotated in rotations(atoms):
            reduced = reduce_word(rotated)
            if len(reduced) < len(atoms):
                atoms, changed = reduced, True
                break
    return atoms


def word_expr(atoms: tuple, size=None) -> sp.MatrixExpr:
    if not atoms:
        return sp.Identity(size if size is not None else d)
    if len(atoms) == 1:
        return atoms[0].expr()
    return sp.MatMul(*[a.expr() for a in atoms], evaluate=False)


def word_key(atoms: tuple) -> tuple:
    return tuple(a.key() for a in atoms)


def transpose_word(atoms: tuple) -> tuple:
    return tuple(a.transpose() for a in reversed(atoms))


def rotations(atoms: tuple):
    for k in range(len(atoms)):
        yield atoms[k:] + atoms[:k]


# ---------------------------------------------------------------- the normalizer


@dataclass
class Normalizer:
    """Scalar normal forms: traces of canonical words and determinants become named symbols."""

    traces: dict = field(default_factory=dict)  # Symbol -> canonical word
    determinants: dict = field(default_factory=dict)  # Symbol det(A) -> the matrix A
    used: set = field(default_factory=set)
    conditions: set = field(default_factory=set)
    random: frozenset = frozenset()  # the variables of the expectations being taken (kept whole in words)
    bound: tuple = ()  # the variables of every expectation being taken, Gaussian or opaque

    # ---- matrices as sums of coefficient × word

    def terms(self, m) -> list[tuple[sp.Expr, tuple]]:
        if isinstance(m, sp.ZeroMatrix):
            return []
        if isinstance(m, sp.Identity):
            return [(sp.Integer(1), ())]
        if isinstance(m, (sp.MatrixSymbol, Diagonal, Components, VectorFunction, sp.DiagMatrix)):
            return [(sp.Integer(1), (make_atom(m),))]
        if isinstance(m, sp.OneMatrix):  # the ones vector 1; a row is 1ᵀ, the all-ones matrix 1 1ᵀ, a 1×1 one 1
            rows, cols = m.shape
            word = () if _same(rows, 1) else (make_atom(sp.OneMatrix(rows, 1)),)
            word += () if _same(cols, 1) else (make_atom(sp.OneMatrix(cols, 1), transposed=True),)
            return [(sp.Integer(1), word)]
        if isinstance(m, HadamardProduct):
            return self._hadamard_terms(m.args)
        if isinstance(m, HadamardPower):
            base, power = m.args
            if not (power.is_Integer and power >= 1):
                raise Unsupported(f"the elementwise power {m} is not a positive integer power")
            return self._hadamard_terms([base] * int(power))
        if isinstance(m, sp.MatAdd):
            return [t for arg in m.args for t in self.terms(arg)]
        if isinstance(m, sp.MatMul):
            return self._product_terms(m.args)
        if isinstance(m, sp.MatPow):
            base, power = m.args
            if not (power.is_Integer):
                raise Unsupported(f"the power {m} is not an integer power")
            if power == 0:
                return [(sp.Integer(1), ())]
            once = self.terms(base) if power > 0 else self._inverse_terms(base)
            result = [(sp.Integer(1), ())]
            for _ in range(abs(int(power))):
                result = [(c1 * c2, reduce_word(w1 + w2)) for c1, w1 in result for c2, w2 in once]
            return result
        if isinstance(m, sp.Transpose):
            self.used.add("transpose")
            return [(c, transpose_word(w)) for c, w in self.terms(m.args[0])]
        if isinstance(m, (sp.Inverse, ConditionalInverse)):
            return self._inverse_terms(m.args[0])
        if isinstance(m, MatrixExpectation):
            return self._expectation_terms(m)
        raise Unsupported(f"the matrix expression {m} ({type(m).__name__}) is outside the matrix normal form")

    def _expectation_terms(self, m: "MatrixExpectation") -> list[tuple[sp.Expr, tuple]]:
        """E_{N(μ, Σ)}[M] of a matrix M, word by word: E[x] = μ, E[x xᵀ] = Σ + μμᵀ, E[xᵀAx] = tr(AΣ) + μᵀAμ
        (a 1×1 factor moves out of the word); any other word in x is refused."""
        density = m.density
        if not isinstance(density, MvNormal):
            raise Unsupported(f"E over {density} of a matrix: only a multivariate normal density here")
        self._require_covariance(density)
        x, mean, cov = density.parameters
        self.used.add("linearity of E, E[1] = 1")
        out = []
        with self._taking(x):
            body_terms = [(c, self._variable_out_of_diagonals(w, x)) for c, w in self.terms(m.body)]
        for coefficient, word in body_terms:
            if _mentions(coefficient, x, self.traces):
                raise Unsupported(f"E of a matrix whose coefficient {coefficient} depends on {x}")
            if any(_depends(a.base, x) for a in word):
                raise Unsupported(f"E[{word_expr(word)}]: a factor depends on {x} other than as {x} itself")
            places = [i for i, a in enumerate(word) if a.base == x]
            if not places:
                out.append((coefficient, word))
                continue
            before, after = [a.expr() for a in word[:places[0]]], [a.expr() for a in word[places[-1] + 1:]]
            if len(places) == 1:
                self.used.add("E[x] = μ")
                middle = [mean.T if word[places[0]].transposed else mean]
                out += [(coefficient * c, w) for c, w in self.terms(_product(before + middle + after, x.shape[0]))]
                continue
            first, last = word[places[0]], word[places[-1]]
            inner = [a.expr() for a in word[places[0] + 1:places[-1]]]
            if len(places) == 2 and not first.transposed and last.transposed and not inner:
                self.used.add("E[x xᵀ] = Σ + μμᵀ")
                out += [(coefficient * c, w) for c, w in
                        self.terms(_product(before + [cov + mean * mean.T] + after, x.shape[0]))]
            elif len(places) == 2 and first.transposed and not last.transposed and \
                    not any(a.base == x for a in word[places[0] + 1:places[-1]]):
                self.used.add("E[xᵀAx] = tr(AΣ) + μᵀAμ (E[x xᵀ] = Σ + μμᵀ)")
                size = x.shape[0]
                form = self.trace(_product(inner + [cov], size)) + self.trace(_product([mean.T] + inner + [mean], size))
                out += [(coefficient * form * c, w) for c, w in self.terms(_product(before + after, size))] \
                    if before or after else [(coefficient * form, ())]
            else:
                raise Unsupported(f"E[{word_expr(word)}]: a word in x other than x, x xᵀ or xᵀAx")
        return out

    def _hadamard_terms(self, operands) -> list[tuple[sp.Expr, tuple]]:
        """a ⊙ b ⊙ … of vectors as a word: diag(a) b (a ⊙ b = diag(a) b = diag(b) a). Operands known entry by
        entry (components σ_j, 1, their sums and products) multiply into one diagonal diag(∏ e_j); the others
        (opaque vectors) stay vectors, all but the last (in a fixed order) as diag(v)."""
        shape = operands[0].shape
        if _same(shape[0], 1) and not _same(shape[1], 1):  # rows: (a ⊙ b)ᵀ = aᵀ ⊙ bᵀ
            return [(c, transpose_word(w)) for c, w in self._hadamard_terms([o.T for o in operands])]
        if not _same(shape[1], 1):
            raise Unsupported(f"an elementwise product of {_shape(operands[0])} matrices is outside the normal form")
        self.used.add("a ⊙ b = diag(a) b")
        index = _entry_index(operands)
        entrywise, opaque = [], []
        for operand in operands:  # the variable of an expectation being taken stays a vector
            entry = vector_entry(operand, index) if operand not in self.random else None
            (entrywise if entry is not None else opaque).append(entry if entry is not None else operand)
        opaque.sort(key=sp.default_sort_key)
        factors = []
        if entrywise:
            factors.append(Diagonal(sp.Mul(*entrywise), index, shape[0]))
        factors += [diag_of(v) for v in opaque[:-1]]
        factors.append(opaque[-1] if opaque else sp.OneMatrix(shape[0], 1))
        return self._product_terms(factors)

    @contextmanager
    def _taking(self, x):
        """While the expectation over x is taken: x stays a whole vector in words (not absorbed)."""
        saved, saved_bound = self.random, self.bound
        self.random = saved | {x}
        self.bound = saved_bound + (x,)
        try:
            yield
        finally:
            self.random, self.bound = saved, saved_bound

    @contextmanager
    def _binding(self, variables):
        """While an expectation over an opaque density of ``variables`` is taken."""
        saved = self.bound
        self.bound = saved + tuple(variables)
        try:
            yield
        finally:
            self.bound = saved

    def _bound_in(self, expr) -> bool:
        """Whether ``expr`` involves a variable of an expectation being taken (then it is no constant there)."""
        free = getattr(sp.sympify(expr), "free_symbols", set())
        return any(_mentions(expr, x, self.traces) or _named_in(free, x) for x in self.bound)

    def _variable_out_of_diagonals(self, atoms: tuple, x) -> tuple:
        """diag(x) R = diag(R) x for a column R (x ⊙ R = R ⊙ x) and Lᵀ diag(x) = xᵀ diag(L): the variable of an
        expectation taken out of the diagonals it stands in (where R, L do not hold it)."""
        atoms = list(atoms)
        for _ in range(2 * len(atoms)):
            place = next((i for i, a in enumerate(atoms) if _in_diagonal(a, x)), None)
            if place is None:
                break
            right = next((m for m in range(place + 1, len(atoms)) if _same(atoms[m].shape[1], 1)), None)
            left = next((m for m in range(place - 1, -1, -1) if _same(atoms[m].shape[0], 1)), None)
            if right is not None and not any(_depends(a.base, x) or a.base == x for a in atoms[place + 1:right + 1]):
                column = word_expr(tuple(atoms[place + 1:right + 1]))
                atoms[place:right + 1] = [make_atom(diag_of(column)), make_atom(x)]
            elif left is not None and not any(_depends(a.base, x) or a.base == x for a in atoms[left:place]):
                row = word_expr(tuple(atoms[left:place]))
                atoms[left:place + 1] = [make_atom(x, transposed=True), make_atom(diag_of(row.T))]
            else:
                break
            self.used.add("a ⊙ b = diag(a) b")
        return reduce_word(tuple(atoms))

    def _product_terms(self, factors) -> list[tuple[sp.Expr, tuple]]:
        result = [(sp.Integer(1), ())]
        for factor in factors:
            if isinstance(factor, MatrixExpr):
                parts = self.terms(factor)
            else:
                parts = [(self.scalar(factor), ())]
            result = [(c1 * c2, reduce_word(w1 + w2)) for c1, w1 in result for c2, w2 in parts]
        return result

    def _inverse_terms(self, inner) -> list[tuple[sp.Expr, tuple]]:
        parts = self.terms(inner)
        if len(parts) == 1:
            coefficient, atoms = parts[0]
            if coefficient == 1 and len(atoms) == 1 and isinstance(atoms[0].base, sp.Inverse) and not atoms[0].inverted:
                whole = atoms[0].base.args[0]  # ((S + T)⁻¹)⁻¹ = S + T
                return self.terms(whole.T if atoms[0].transposed else whole)
            if all(_same(a.shape[0], a.shape[1]) for a in atoms) and coefficient != 0:
                if len(atoms) > 1:
                    self.used.add("inverse of a product of square factors")
                for a in atoms:
                    if isinstance(a.base, Diagonal) and not a.base.entry.is_nonzero:
                        self.conditions.add(f"{a.base}⁻¹ exists, so every entry {a.base.entry} ≠ 0")
                return [(1 / coefficient, tuple(a.invert() for a in reversed(atoms)))]
        self.used.add("inverse of a sum kept whole")
        return [(sp.Integer(1), (make_atom(sp.Inverse(self.canonical_matrix(inner))),))]

    def canonical_matrix(self, m) -> sp.MatrixExpr:
        """A matrix expression rebuilt from its sorted terms (so equal matrices print alike)."""
        collected = self.collect(m)
        if not collected:
            return sp.ZeroMatrix(*m.shape)
        pieces = [c * word_expr(w, m.shape[0]) for w, c in sorted(collected.items(), key=lambda i: word_key(i[0]))]
        return sp.MatAdd(*pieces) if len(pieces) > 1 else pieces[0]

    def collect(self, m) -> dict:
        """word -> coefficient, zero coefficients dropped."""
        out: dict = {}
        for c, w in self.terms(m):
            w = absorbed(w, self.random)
            out[w] = out.get(w, 0) + c
        return {w: c for w, c in ((w, self.finish(c)) for w, c in out.items()) if c != 0}

    # ---- traces and determinants

    def trace_of_word(self, atoms: tuple, size) -> sp.Expr:
        written = absorbed(atoms, self.random)
        atoms = _cyclically_reduced(written)
        if not atoms:
            return _emptied_size(written, size)
        selected = self._selected_trace(atoms)
        if selected is not None:
            return selected
        cuts = [i for i, a in enumerate(atoms) if a.shape[1] == 1]  # 1×1 bottlenecks of the cyclic product
        if len(cuts) > 1:  # tr(P Q) with P, Q both 1×1 once rotated: the product of two numbers
            self.used.add("a 1×1 product is a number (tr splits at 1×1 bottlenecks)")
            start = cuts[-1] + 1
            rotated = atoms[start:] + atoms[:start]
            segments, current = [], []
            for atom in rotated:
                current.append(atom)
                if atom.shape[1] == 1:
                    segments.append(tuple(current))
                    current = []
            return sp.Mul(*[self.trace_of_word(segment, 1) for segment in segments])
        candidates = list(rotations(atoms)) + list(rotations(transpose_word(atoms)))
        canonical = min(candidates, key=word_key)
        if canonical != atoms:
            self.used.add("cyclic trace")
        explicit = None if any(a.base in self.random for a in canonical) else self._indexed_trace(canonical)
        if explicit is not None:
            return explicit
        arguments = _index_arguments(canonical)
        if arguments:
            return self._indexed_word_trace(canonical, arguments)
        name = "tr(" + "*".join(word_key(canonical)) + ")"
        while self.traces.get(sp.Symbol(name, real=True), canonical) != canonical:
            name += "'"  # two different words that print alike (e.g. a covariance and a matrix both named S)
        symbol = sp.Symbol(name, real=True)
        self.traces[symbol] = canonical
        return symbol

    def _selected_trace(self, atoms: tuple) -> sp.Expr | None:
        """tr of a word with selectors diag(δ_{k·}) = e_k e_kᵀ (the k-th component x_k taken out of x): the product
        of the entries (W)_{kl} of the pieces between them, tr(W e_k e_kᵀ V e_l e_lᵀ) = W_{lk} V_{kl}."""
        places = [k for k, atom in enumerate(atoms) if _selected_index(atom) is not None]
        if not places or any(atom.base == x or _depends(atom.base, x) for atom in atoms for x in self.random):
            return None  # (a word of an expectation's variable stays whole until it is taken)
        rotated = atoms[places[0]:] + atoms[:places[0]]
        places = [k - places[0] for k in places] + [len(atoms)]
        self.used.add("a component as a selector (x_k = e_kᵀx)")
        value = sp.Integer(1)
        for start, end in zip(places, places[1:]):
            row = _selected_index(rotated[start])
            col = _selected_index(rotated[end % len(atoms)])
            value *= self._word_entry(rotated[start + 1:end], row, col, None)
        return value

    def _indexed_word_trace(self, canonical: tuple, arguments: tuple) -> sp.Expr:
        """tr of a word with data points x_i in it: a function of their indices, tr(x(·)ᵀx(·))(i), so that a sum
        over i sees the term change with i (and x_1 is the same function at 1)."""
        name = "tr(" + "*".join(word_key(tuple(_templated(a) for a in canonical))) + ")"
        while self.traces.get(sp.Function(name, real=True)(*arguments), canonical) != canonical:
            name += "'"
        value = sp.Function(name, real=True)(*arguments)
        self.traces[value] = canonical
        return value

    def _indexed_trace(self, atoms: tuple) -> sp.Expr | None:
        """tr of diagonals and component vectors only: a Sum over the index."""
        if not all(isinstance(a.base, (Diagonal, Components)) or _ones_vector(a.base) for a in atoms):
            return None
        if sum(not isinstance(a.base, Diagonal) for a in atoms) not in (0, 2):
            return None  # (vᵀw)(uᵀt) is a product of two sums, not one
        k = sp.Dummy("k", integer=True, positive=True)
        size = atoms[0].base.size if not _ones_vector(atoms[0].base) else atoms[0].base.shape[0]
        entry = sp.Integer(1)
        for a in atoms:
            if _ones_vector(a.base):
                continue
            if a.inverted:  # only a diagonal can be inverted; a component vector is never square
                if not isinstance(a.base, Diagonal):
                    return None
                entry *= 1 / a.base.at(k)
            else:
                entry *= a.base.at(k)
        self.used.add("trace of a diagonal / of components as a sum")
        selected = [f.args[0] if f.args[1] == k else f.args[1] for f in sp.Mul.make_args(entry)
                    if isinstance(f, sp.KroneckerDelta) and k in f.args]
        if selected and k not in selected[0].free_symbols:  # Σ_k δ_{kc} w_k = w_c: c is the index of a component x_c
            return entry.subs(k, selected[0])
        running = j if j not in entry.free_symbols else sp.Dummy("j", integer=True, positive=True)  # a free j stays free
        return sp.Sum(entry.subs(k, running), (running, 1, size))

    def trace(self, m) -> sp.Expr:
        if not (_same(m.shape[0], m.shape[1])):
            raise ShapeError(f"the trace of {m} needs a square matrix, not {_shape(m)}")
        return sp.Add(*[self.scalar_coefficient(c) * self.trace_of_word(w, m.shape[0]) for c, w in self.terms(m)])

    def scalar_coefficient(self, c) -> sp.Expr:
        return c

    def det(self, m) -> sp.Expr:
        if not _same(m.shape[0], m.shape[1]):
            raise ShapeError(f"the determinant of {m} needs a square matrix, not {_shape(m)}")
        n = m.shape[0]
        structural = self._structural_det(m)
        if structural is not None:
            return structural
        parts = self.terms(m)
        if len(parts) == 1 and all(_same(a.shape[0], a.shape[1]) for a in parts[0][1]):
            coefficient, atoms = parts[0]
            value = coefficient**n
            if len(atoms) > 1:
                self.used.add("det of a product of square factors")
            for atom in atoms:
                value *= self._det_atom(atom)
            return value
        if len(parts) == 0:
            return sp.Integer(0)
        if self._bound_in(m):
            raise Unsupported(f"det({m}) of a sum depends on the variable of an expectation being taken")
        self.used.add("det of a sum kept whole")
        return sp.Symbol("det(" + sp.sstr(self.canonical_matrix(m)) + ")", real=True)

    def _structural_det(self, m) -> sp.Expr | None:
        """det(M₁⋯M_k) = ∏ det Mᵢ for square factors (sums included), det Mᵀ = det M, det M⁻¹ = 1/det M."""
        if isinstance(m, sp.Transpose):
            return self.det(m.args[0])
        if isinstance(m, sp.Inverse):
            return 1 / self.det(m.args[0])
        if isinstance(m, sp.MatPow) and m.args[1].is_Integer:
            return self.det(m.args[0]) ** m.args[1]
        if isinstance(m, sp.MatMul):
            factors = [a for a in m.args if isinstance(a, MatrixExpr)]
            if len(factors) > 1 and all(_same(f.shape[0], f.shape[1]) for f in factors):
                coefficient = sp.Mul(*[self.scalar(a) for a in m.args if not isinstance(a, MatrixExpr)])
                self.used.add("det of a product of square factors")
                return coefficient ** m.shape[0] * sp.Mul(*[self.det(f) for f in factors])
        return None

    def _det_atom(self, atom: Atom) -> sp.Expr:
        base = atom.base
        if isinstance(base, Diagonal):
            value = sp.Product(base.entry, (base.index, 1, base.size))
            self.used.add("det of a diagonal as a product")
        elif isinstance(base, TriangularMatrix):
            value = sp.Product(Entry(base, j, j), (j, 1, base.shape[0]))
            self.used.add("det of a triangular matrix as the product of its diagonal")
            if base.positive_diagonal:
                self.conditions.add(f"{base} triangular with a positive diagonal (declared), so det {base} > 0")
        elif isinstance(base, sp.Inverse):  # the inverse of a sum: det A⁻¹ = 1/det A
            value = 1 / self.det(base.args[0])
        else:
            positive = is_positive_definite(base)
            if positive:
                self.conditions.add(f"{base} ≻ 0 (declared), so det {base} > 0")
            value = sp.Symbol(f"det({sp.sstr(base)})", positive=True) if positive else \
                sp.Symbol(f"det({sp.sstr(base)})", real=True)
            self.determinants[value] = base
        return 1 / value if atom.inverted else value

    # ---- scalar expressions

    def scalar(self, expr) -> sp.Expr:
        from mathcheck.vocab import KL, Defined, Density, Expectation

        expr = sp.sympify(expr)
        if isinstance(expr, MatrixExpr):
            if _one_by_one(expr):
                return self.trace(expr)
            raise ShapeError(f"the {_shape(expr)} matrix {expr} stands where a number is expected")
        if isinstance(expr, sp.Trace):
            return self.trace(expr.args[0])
        if isinstance(expr, sp.Determinant):
            return self.det(expr.args[0])
        if isinstance(expr, KL):
            return self.kl(expr)
        if isinstance(expr, Expectation):
            return self.expectation(expr.density, expr.body)
        if isinstance(expr, MvNormal):  # the density written out: exp of its log
            return sp.exp(self.log_normal(expr))
        if isinstance(expr, Defined):
            return self.scalar(expr.body)  # a named quantity the document defined: its definition
        if isinstance(expr, Density):
            return expr  # a density of vectors that is not Gaussian: an opaque positive number
        if isinstance(expr, sp.Tuple):
            return expr  # the arguments of a named quantity L(x) of a vector x: kept as written
        if isinstance(expr, AppliedUndef):  # f(x) of a vector x: a number
            return expr.func(*[a if isinstance(a, MatrixExpr) else self.scalar(a) for a in expr.args])
        if isinstance(expr, sp.log) and isinstance(expr.args[0], MvNormal):
            return self.log_normal(expr.args[0])
        if isinstance(expr, Entry):
            return self.entry(expr)
        if isinstance(expr, sp.Sum) and expr.atoms(Entry):  # Σ_i Σ_j: the inner limit first
            value = self.scalar(expr.args[0])
            for limit in expr.limits:
                value = self._contracted_sum(value, limit)
            return value
        if isinstance(expr, (sp.Sum, sp.Product)):
            return expr.func(self.scalar(expr.args[0]), *expr.args[1:])
        if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
            return expr
        return expr.func(*[self.scalar(a) for a in expr.args])

    # ---- entries M_ij and sums over an index that are matrix products

    def entry(self, node: Entry) -> sp.Expr:
        """(M)_{rc} term by term of M: (A + B)_{rc} = A_{rc} + B_{rc}, I_{rc} = δ_{rc}, diag(e)_{rc} = δ_{rc} e_r,
        (Aᵀ)_{rc} = A_{cr}, Σ_{rc} = Σ_{cr} for symmetric Σ, (P q)_{rc} = P_{r1} q_{1c} at a 1×1 bottleneck,
        a 1×1 word its trace; any other entry of a word is one number (of the word or its transpose)."""
        m, row, col = node.args
        check_shapes(m)
        self.used.add("entries of a matrix expression")
        return sp.Add(*[self.scalar_coefficient(c) * self._word_entry(absorbed(w, self.random), row, col, m.shape)
                        for c, w in self.terms(m)])

    def _word_entry(self, atoms: tuple, row, col, shape) -> sp.Expr:
        if not atoms:
            return sp.KroneckerDelta(row, col)
        if _same(atoms[0].shape[0], 1) and _same(atoms[-1].shape[1], 1):
            return self.trace_of_word(atoms, 1)  # a 1×1 word: its one entry
        cuts = [i for i, a in enumerate(atoms[:-1]) if _same(a.shape[1], 1)]
        if cuts:  # P q ⋯ at 1×1 bottlenecks: the product of the entries of the pieces
            pieces = [self._word_entry(atoms[:cuts[0] + 1], row, 1, None)]
            for start, end in zip(cuts, cuts[1:]):
                pieces.append(self.trace_of_word(atoms[start + 1:end + 1], 1))
            pieces.append(self._word_entry(atoms[cuts[-1] + 1:], 1, col, None))
            return sp.Mul(*pieces)
        if len(atoms) == 1:
            return self._atom_entry(atoms[0], row, col)
        if isinstance(atoms[0].base, Diagonal):  # (diag(e) W)_{rc} = e_r W_{rc}
            return atoms[0].base.at(row) * self._word_entry(atoms[1:], row, col, None)
        if isinstance(atoms[-1].base, Diagonal):  # (W diag(e))_{rc} = W_{rc} e_c
            return self._word_entry(atoms[:-1], row, col, None) * atoms[-1].base.at(col)
        transposed = transpose_word(atoms)
        if word_key(transposed) < word_key(atoms):
            atoms, row, col = transposed, col, row
        return Entry(word_expr(atoms), row, col)

    def _atom_entry(self, atom: Atom, row, col) -> sp.Expr:
        base = atom.base
        if atom.transposed:
            row, col = col, row
        if isinstance(base, Diagonal):
            return sp.KroneckerDelta(row, col) * base.at(row)
        if isinstance(base, Components):
            return base.at(row) if col == 1 else Entry(base, row, col)
        if _ones_vector(base):
            return sp.Integer(1)
        if isinstance(base, sp.DiagMatrix):
            return sp.KroneckerDelta(row, col) * self.entry(Entry(base.args[0], row, 1))
        if is_symmetric(base) and sp.default_sort_key(col) < sp.default_sort_key(row):
            row, col = col, row  # Σ_{ij} = Σ_{ji} (and so for Σ⁻¹)
        if isinstance(base, TriangularMatrix) and not atom.inverted and row.is_Integer and col.is_Integer and \
                (row < col if base.lower else row > col):
            return sp.Integer(0)  # above the diagonal of a lower triangular matrix
        return Entry(sp.Inverse(base) if atom.inverted else base, row, col)

    def _contracted_sum(self, body, limit) -> sp.Expr:
        """Σ_j of a body with entries: each term in which j is one row or column index of two entries (or both
        indices of one) is a matrix product: Σ_j A_{aj} B_{jb} = (AB)_{ab}, Σ_j M_{jj} = tr M, x_j an entry of
        the vector x (j running over the whole range 1..n of that index); any other term stays a sum."""
        if not body.atoms(Entry):
            return sp.Sum(body, limit)
        index, low, high = limit
        if low.is_Integer and 1 < low <= EXPLICIT_TERMS + 1 and not sp.sympify(high).is_number and \
                sp.sympify(high - low + 1).is_nonnegative:  # Σ_{j=2}^d M_jj = Σ_{j=1}^d M_jj − M_11 (d ≥ 1)
            head = sp.Add(*[body.xreplace({index: sp.Integer(t)}) for t in range(1, int(low))])
            return self._contracted_sum(body, (index, sp.Integer(1), high)) - self.scalar(head)
        out = []
        for term in sp.Add.make_args(sp.expand(body)):
            contracted = self._contract(term, *limit)
            out.append(contracted if contracted is not None else sp.Sum(term, limit))
        return sp.Add(*out)

    def _contract(self, term, index, low, high) -> sp.Expr | None:
        """One term of Σ_{j=1}^n as a matrix product, where j is the bare row or column index of at most two
        entries (x_j of a vector being its entry (j, 1)) over axes of size n; every other factor in j is a weight
        w_j, a diagonal between them: Σ_j A_aj w_j B_jb = (A diag(w) B)_ab, Σ_j w_j M_jj = tr(M diag(w)),
        Σ_j A_aj w_j = (A diag(w) 1)_a. None where j enters otherwise (a sum of components stays a sum)."""
        if low != 1:
            return None
        rest, entries, components, weights = [], [], [], []
        for factor in sp.Mul.make_args(term):
            base, power = factor.as_base_exp()
            if index not in factor.free_symbols:
                rest.append(factor)
            elif isinstance(base, Entry) and power == 1 and _indexed_only_by(base, index):
                entries.append(base)
            elif isinstance(base, sp.Indexed) and base.indices == (index,) and power == 1:
                components.append(base)
            else:
                weights.append(factor)
        slots = sum((e.row == index) + (e.col == index) for e in entries)
        if slots == 0 or slots > 2:
            return None
        if slots == 1 and components:  # Σ_j A_ij x_j: x_j the entry (j, 1) of the vector x
            entries.append(Entry(Components(components.pop(0).base, high), index, 1))
        weights += components
        places = [(k, axis) for k, e in enumerate(entries) for axis, i in enumerate((e.row, e.col)) if i == index]
        if not all(_same(entries[k].matrix.shape[axis], high) for k, axis in places):
            return None
        weight = _diagonal_in(sp.Mul(*weights), index, high) if weights else None
        middle = [weight] if weight is not None else []
        self.used.add("a sum over an index as a matrix product (Σ_j A_ij B_jk = (AB)_ik, Σ_j M_jj = tr M)")
        if len(entries) == 1 and len(places) == 2:
            return sp.Mul(*rest) * self.trace(_product([entries[0].matrix] + middle, high))
        first, first_axis = places[0]
        left = entries[first]
        left_matrix, outer_row = (left.matrix, left.row) if first_axis == 1 else (left.matrix.T, left.col)
        if len(places) == 1:  # Σ_j A_aj w_j = (A diag(w) 1)_a
            ones = sp.OneMatrix(high, 1)
            return sp.Mul(*rest) * self.entry(Entry(sp.MatMul(left_matrix, *middle, ones), outer_row, 1))
        second, second_axis = places[1]
        right = entries[second]
        right_matrix, outer_col = (right.matrix, right.col) if second_axis == 0 else (right.matrix.T, right.row)
        return sp.Mul(*rest) * self.entry(Entry(sp.MatMul(left_matrix, *middle, right_matrix), outer_row, outer_col))

    def log_normal(self, density: MvNormal) -> sp.Expr:
        self._require_covariance(density)
        self.used.add("log N(x; μ, Σ) written out")
        return self.scalar(density.log_density())

    def _require_covariance(self, density: MvNormal) -> None:
        if not is_positive_definite(density.cov):
            raise Unsupported(f"N(x; μ, Σ) needs Σ declared positive definite; {density.cov} is not")
        self.conditions.add(f"{density.cov} ≻ 0 (declared)")

    def kl(self, node) -> sp.Expr:
        from mathcheck.vocab import Density

        first, second = node.args
        if isinstance(first, (Density, MvNormal)) and isinstance(second, (Density, MvNormal)) and \
                not (isinstance(first, MvNormal) and isinstance(second, MvNormal)):
            return node  # KL of a density that is not Gaussian: an opaque number (the same KL, the same number)
        if not (isinstance(first, MvNormal) and isinstance(second, MvNormal)):
            raise Unsupported(f"KL of {first} and {second}: only multivariate normal densities here")
        if second.variable != first.variable:
            second = MvNormal(first.variable, second.mean, second.cov)
        self.used.add("KL as E_q[log q − log p]")
        return self.expectation(first, sp.log(first) - sp.log(second))

    def expectation(self, density, body) -> sp.Expr:
        from mathcheck.vocab import Density

        if isinstance(density, Density):
            return self._opaque_expectation(density, body)
        if not isinstance(density, MvNormal):
            raise Unsupported(f"E over {density}: only a multivariate normal density here")
        self._require_covariance(density)
        x, mean, cov = density.parameters
        with self._taking(x):
            inner = sp.expand(self.finish(self.scalar(body)))
            if isinstance(x, Components):
                inner = sp.expand(self._component_forms(inner, x))
            hidden = {symbol: self.trace_of_word(self._variable_out_of_diagonals(word, x), 1)
                      for symbol, word in list(self.traces.items())
                      if symbol in inner.free_symbols and any(_in_diagonal(a, x) for a in word)}
            inner = sp.expand(inner.xreplace(hidden)) if hidden else inner
        self.used.add("linearity of E, E[1] = 1")
        return sp.Add(*[self._expect_term(term, x, mean, cov) if self._polynomial_in(term, x) else
                        self._opaque_term(density, term, x) for term in sp.Add.make_args(inner)])

    def _component_forms(self, inner, x: "Components") -> sp.Expr:
        """Σ_{j=1}^n c_j x_j = 1ᵀ diag(c) x and Σ_{j=1}^n c_j x_j² = xᵀ diag(c) x over all n components of the
        variable x (c free of x): forms the identities of E take."""
        def form(node: sp.Sum):
            if len(node.limits) != 1:
                return node
            index, low, high = node.limits[0]
            if low != 1 or not _same(high, x.size):
                return node
            powers, weights = [], []
            for factor in sp.Mul.make_args(node.function):
                base, power = factor.as_base_exp()
                if isinstance(base, sp.Indexed) and base.base == x.base and base.indices == (index,):
                    powers.append(power)
                elif _mentions(factor, x, self.traces):
                    return node
                else:
                    weights.append(factor)
            if len(powers) != 1 or powers[0] not in (1, 2):
                return node
            weight = _diagonal_in(sp.Mul(*weights), index, high) if weights else sp.Identity(high)
            first = x.T if powers[0] == 2 else sp.OneMatrix(1, high)
            self.used.add("a sum over the components of x as a form in x (Σ_j c_j x_j² = xᵀ diag(c) x)")
            return self.trace(sp.MatMul(first, weight, x))
        return self._fixed_components(inner.replace(lambda n: isinstance(n, sp.Sum) and n.has(x.base), form), x)

    def _fixed_components(self, inner, x: "Components") -> sp.Expr:
        """A component x_k at a whole number k as the form e_kᵀ x = 1ᵀ diag(δ_jk) x (its E, E[x_k²] follow)."""
        fixed = [node for node in inner.atoms(sp.Indexed) if node.base == x.base and len(node.indices) == 1 and
                 (node.indices[0].is_Integer or node.indices[0] == x.size or
                  (isinstance(node.indices[0], sp.Symbol) and node.indices[0].is_integer))]  # x_1, x_d, x_j
        if not fixed:
            return inner
        self.used.add("a component x_k as the form e_kᵀ x")
        unit = {node: Diagonal(sp.KroneckerDelta(SELECTOR_INDEX, node.indices[0]), SELECTOR_INDEX, x.size)
                for node in fixed}
        return sp.expand(inner.xreplace({node: self.trace(sp.MatMul(sp.OneMatrix(1, x.size), unit[node], x))
                                         for node in fixed}))

    def _polynomial_in(self, term, x) -> bool:
        """Whether x enters ``term`` only through powers of forms in x (the identities of E apply)."""
        for factor in sp.Mul.make_args(term):
            base, power = factor.as_base_exp()
            if base in self.traces and any(_depends(a.base, x) for a in self.traces[base]):
                return False  # f(x) inside a form: no identity of E applies
            if base in self.traces and any(a.base == x for a in self.traces[base]) and power.is_Integer and power > 0:
                continue
            if _mentions(factor, x, self.traces):
                return False
        return True

    def _opaque_term(self, density, term, x) -> sp.Expr:
        """c · E[f(x)] for a term whose f is no polynomial of forms in x (log p(x|z) of an undeclared density)."""
        from mathcheck.vocab import Expectation

        constant = [f for f in sp.Mul.make_args(term) if not _mentions(f, x, self.traces)]
        random = [f for f in sp.Mul.make_args(term) if _mentions(f, x, self.traces)]
        return sp.Mul(*constant) * Expectation(density, sp.Mul(*random))

    def _opaque_expectation(self, density, body) -> sp.Expr:
        """E over a density that is not Gaussian: linear (factors free of its variables move out, E[1] = 1);
        what depends on its variables stays E_density[term], one opaque number per term."""
        from mathcheck.vocab import Expectation

        variables = set(density.variables)
        with self._binding(sorted(variables, key=sp.default_sort_key)):
            inner = sp.expand(self.finish(self.scalar(body)))
        self.used.add("linearity of E, E[1] = 1")
        out = []
        for term in sp.Add.make_args(inner):
            constant, random = [], []
            for factor in sp.Mul.make_args(term):
                (random if any(_mentions(factor, v, self.traces) for v in variables) else constant).append(factor)
            out.append(sp.Mul(*constant) * (Expectation(density, sp.Mul(*random)) if random else 1))
        return sp.Add(*out)

    def _expect_term(self, term, x, mean, cov) -> sp.Expr:
        constant, random = sp.Integer(1), []
        for factor in sp.Mul.make_args(term):
            base, power = factor.as_base_exp()
            if base in self.traces and any(a.base == x for a in self.traces[base]) and power.is_Integer and power > 0:
                random.extend([base] * int(power))
            elif _mentions(factor, x, self.traces):
                raise Unsupported(f"E[{term}]: x enters other than through a polynomial of degree ≤ 2")
            else:
                constant *= factor
        if not random:
            return term
        size = x.shape[0]
        if len(random) == 2 and all(sum(a.base == x for a in self.traces[f]) == 1 for f in random):
            # (xᵀr₁)(xᵀr₂) = xᵀ r₁r₂ᵀ x
            first, second = (self._linear_column(self.traces[f], x) for f in random)
            middle = [first, second.T]
            self.used.add("E[xᵀAx] = tr(AΣ) + μᵀAμ (E[x xᵀ] = Σ + μμᵀ)")
            return constant * (self.trace(_product(middle + [cov], size))
                               + self.trace(_product([mean.T] + middle + [mean], size)))
        if len(random) > 1:
            raise Unsupported(f"E[{term}]: a product of forms in x of degree > 2 is not handled")
        atoms = self.traces[random[0]]
        occurrences = [i for i, a in enumerate(atoms) if a.base == x]
        size = x.shape[0]
        if len(occurrences) == 1:
            self.used.add("E[x] = μ")
            replaced = [(mean.T if a.transposed else mean) if a.base == x else a.expr() for a in atoms]
            return constant * self.trace(_product(replaced, size))
        if len(occurrences) == 2:
            for rotated in rotations(atoms):
                if rotated[0].base == x and rotated[0].transposed and rotated[-1].base == x and not rotated[-1].transposed:
                    middle = [a.expr() for a in rotated[1:-1]]
                    self.used.add("E[xᵀAx] = tr(AΣ) + μᵀAμ (E[x xᵀ] = Σ + μμᵀ)")
                    return constant * (self.trace(_product(middle + [cov], size))
                                       + self.trace(_product([mean.T] + middle + [mean], size)))
            raise Unsupported(f"E[{term}]: the form in x is not xᵀAx")
        raise Unsupported(f"E[{term}]: degree {len(occurrences)} in x (only ≤ 2 is handled)")

    @staticmethod
    def _linear_column(atoms: tuple, x) -> sp.MatrixExpr:
        """The column r with tr(word) = xᵀr, for a word with one x (rotated: [xᵀ, Q] gives Q, [P, x] gives Pᵀ)."""
        i = next(k for k, a in enumerate(atoms) if a.base == x)
        if atoms[i].transposed:
            rest = atoms[i + 1:] + atoms[:i]
            return _product([a.expr() for a in rest], None)
        rest = atoms[i + 1:] + atoms[:i]
        return _product([a.expr() for a in rest], None).T

    # ---- the final commutative form

    def finish(self, expr) -> sp.Expr:
        expr = sp.expand(sp.expand_log(sp.sympify(expr)))
        expr = _split_log_products(expr)
        expr = _delta_sums(_expand_sums(expr))
        expr = _logs_of_squares(sp.expand(sp.expand_log(expr)))
        return _canonical_indices(binary_powers(sp.expand(binary_powers(sp.expand(expr)))))

    def normal_form(self, expr) -> sp.Expr:
        check_shapes(expr)
        return self.finish(self.scalar(expr))


def _product(factors: list, size) -> sp.MatrixExpr:
    if not factors:
        return sp.Identity(size)
    return factors[0] if len(factors) == 1 else sp.MatMul(*factors)


def _mentions(expr, x, traces) -> bool:
    free = getattr(expr, "free_symbols", set())
    if _named_in(free, x):
        return True
    free = free | (expr.atoms(AppliedUndef) if isinstance(expr, sp.Basic) else set())  # tr(x(·)ᵀ f(z))(i)
    return any(s in traces and any(a.base == x or _depends(a.base, x) for a in traces[s]) for s in free)


def _selected_index(atom: Atom):
    """k of a selector diag(δ_{kj}) over j (e_k e_kᵀ), k free of j; None for any other atom."""
    base = atom.base
    if not isinstance(base, Diagonal) or not isinstance(base.entry, sp.KroneckerDelta):
        return None
    others = [a for a in base.entry.args if a != base.index]
    if len(others) != 1 or base.index in others[0].free_symbols:
        return None
    return others[0]


SELECTOR_INDEX = sp.Dummy("s", integer=True, positive=True)  # the running index of e_k = diag(δ_{sk}) 1: no user's


INDEX_PLACE = sp.Symbol("·")  # an index of a data point x_i in the name of a trace that is a function of it


def _index_arguments(atoms: tuple) -> tuple:
    """The scalar arguments of the vector functions of a word, in order: the index i of the data point x_i."""
    return tuple(a for atom in atoms if isinstance(atom.base, VectorFunction)
                 for a in atom.base.arguments if not isinstance(a, MatrixExpr))


def _templated(atom: Atom) -> Atom:
    base = atom.base
    if not isinstance(base, VectorFunction):
        return atom
    arguments = [a if isinstance(a, MatrixExpr) else INDEX_PLACE for a in base.arguments]
    return dataclasses.replace(atom, base=VectorFunction(base.name, arguments, base.size))


def _named_in(free: set, x) -> bool:
    """x among ``free``, or a symbol of x's name (p(x | z) of an opaque density names the vector z by a symbol; the
    components x_j of a vector of components name it by their base)."""
    name = x.base.label.name if isinstance(x, Components) else getattr(x, "name", None)
    return x in free or (name is not None and any(getattr(s, "name", None) == name for s in free))


def _depends(base, x) -> bool:
    """A factor other than x whose value depends on x: f(x) of a vector-valued function, E over another variable."""
    return base != x and _named_in(getattr(base, "free_symbols", set()), x)


def _canonical_indices(expr) -> sp.Expr:
    """Σ_i x_i y_i as Σ_j x_j y_j: the index of a one-index sum (from 1) renamed j where j appears nowhere in it
    (a bound name is no part of the value)."""
    def rename(node: sp.Sum):
        (index, low, high), = node.limits
        if index == j or node.has(j) or not (index.is_integer and sp.sympify(low).is_positive):
            return node
        return sp.Sum(node.function.xreplace({index: j}), (j, low, high))
    return expr.replace(lambda n: isinstance(n, sp.Sum) and len(n.limits) == 1 and isinstance(n.limits[0][0], sp.Symbol),
                        rename)


def _logs_of_squares(expr) -> sp.Expr:
    """log a^{2k} = 2k log|a| for a real a ≠ 0 of unknown sign (σ_j of a declared N(μ, diag(σ²))), as the reader
    writes log σ² (audit/latex.py: _log_of_square): one form for both."""
    def rewrite(node: sp.log):
        power = node.args[0]
        return power.exp * sp.log(sp.Abs(power.base))
    return expr.replace(lambda n: isinstance(n, sp.log) and n.args[0].is_Pow and n.args[0].exp.is_even is True
                        and n.args[0].base.is_extended_real is True and n.args[0].base.is_nonzero is True
                        and n.args[0].base.is_positive is not True, rewrite)


def _split_log_products(expr) -> sp.Expr:
    """log ∏_j f_j = Σ_j log f_j where every factor is positive."""
    def split(node):
        inner = node.args[0]
        if isinstance(inner, sp.Product) and inner.args[0].is_positive:
            return sp.Sum(sp.expand_log(sp.log(inner.args[0])), *inner.args[1:])
        return node
    return expr.replace(lambda n: isinstance(n, sp.log) and isinstance(n.args[0], sp.Product), split)


EXPLICIT_TERMS = 12  # a sum with whole-number limits and at most this many terms is written out


def _expand_sums(expr) -> sp.Expr:
    """Σ_j (a + b) = Σ_j a + Σ_j b; factors free of j move out; Σ_{j=1}^n c = n c; summands expanded."""
    def split(node: sp.Sum):
        summand, limits = node.args[0], node.args[1:]
        if len(limits) != 1:
            return node
        index, low, high = limits[0]
        summand = sp.expand(sp.expand_log(summand))
        count = sp.sympify(high - low + 1)
        if count.is_Integer and 0 <= count <= EXPLICIT_TERMS:  # Σ_{j=1}^{2} y_j² = y_1² + y_2²
            return sp.Add(*[summand.xreplace({index: low + t}) for t in range(int(count))])
        pieces = []
        for term in sp.Add.make_args(summand):
            free = [f for f in sp.Mul.make_args(term) if index not in f.free_symbols]
            bound = [f for f in sp.Mul.make_args(term) if index in f.free_symbols]
            outside = sp.Mul(*free)
            pieces.append(outside * (sp.Sum(sp.Mul(*bound), limits[0]) if bound else (high - low + 1)))
        return sp.Add(*pieces)
    return expr.replace(lambda n: isinstance(n, sp.Sum), split)


def _delta_sums(expr) -> sp.Expr:
    """Σ_{j=1}^n δ_jk f_j = f_k for a whole number k ≥ 1 (the component k that the document writes exists)."""
    def pick(node: sp.Sum):
        if len(node.limits) != 1 or node.limits[0][1] != 1:
            return node
        index, high = node.limits[0][0], sp.sympify(node.limits[0][2])
        for factor in sp.Mul.make_args(node.function):
            delta, power = factor.as_base_exp()
            if not (isinstance(delta, sp.KroneckerDelta) and index in delta.args and power.is_Integer and power > 0):
                continue
            other = delta.args[1] if delta.args[0] == index else delta.args[0]
            if not ((other.is_Integer and other >= 1) or other == high):
                continue  # δ_jk at a k that is no whole number or the size: kept
            if high.is_Integer and other > high:
                return sp.Integer(0)
            rest = sp.Mul(*[f for f in sp.Mul.make_args(node.function) if f is not factor])
            return rest.xreplace({index: other})  # (δ_2j of another factor: δ_21 = 0)
        return node
    return expr.replace(lambda n: isinstance(n, sp.Sum) and n.has(sp.KroneckerDelta), pick)


# ---------------------------------------------------------------- proving


MATRIX_RULES = ("transpose", "inverse", "trace", "determinant", "gaussian", "definition", "sums")


SMALL_DETERMINANT = 3  # det of an n×n matrix with n ≤ this is written in its entries where they are used


def _in_entries(difference: sp.Expr, normalizer: Normalizer) -> sp.Expr:
    """``difference`` with det A and tr A of a matrix A of whole-number size whose entries it holds written in
    those entries (det Σ = Σ₁₁Σ₂₂ − Σ₁₂² of a symmetric 2×2 Σ); unchanged where it holds no such entry."""
    used = {node.args[0] for node in difference.atoms(Entry)}
    written = {}
    for symbol, base in normalizer.determinants.items():
        n = base.shape[0]
        if base in used and n.is_Integer and int(n) <= SMALL_DETERMINANT:
            entries = sp.Matrix(int(n), int(n), lambda i, k: normalizer._atom_entry(make_atom(base), i + 1, k + 1))
            written[symbol] = entries.det(method="berkowitz")
    for symbol, word in normalizer.traces.items():
        n = word[0].base.shape[0] if len(word) == 1 else None
        if n is not None and word[0].base in used and not word[0].inverted and n.is_Integer and \
                int(n) <= EXPLICIT_TERMS:
            written[symbol] = sp.Add(*[normalizer._atom_entry(make_atom(word[0].base), k, k) for k in range(1, int(n) + 1)])
    if not written:
        return difference
    normalizer.used.add("det and tr of a small matrix written in its entries")
    return sp.expand(difference.xreplace(written))


def matrix_difference(lhs, rhs) -> tuple[sp.Expr | dict, Normalizer]:
    """(normal form of lhs − rhs, the normalizer used); for matrix-valued sides a dict word -> coefficient."""
    normalizer = Normalizer()
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    check_shapes(lhs)
    check_shapes(rhs)
    left_matrix, right_matrix = isinstance(lhs, MatrixExpr), isinstance(rhs, MatrixExpr)
    if left_matrix or right_matrix:
        if not (left_matrix and right_matrix):
            raise ShapeError(f"a {_shape(lhs)} side is compared with a {_shape(rhs)} side")
        if not (_same(lhs.shape[0], rhs.shape[0]) and _same(lhs.shape[1], rhs.shape[1])):
            raise ShapeError(f"a {_shape(lhs)} matrix is compared with a {_shape(rhs)} matrix")
        left, right = normalizer.collect(lhs), normalizer.collect(rhs)
        diff = {}
        for w in set(left) | set(right):
            c = normalizer.finish(left.get(w, 0) - right.get(w, 0))
            if c != 0:
                diff[w] = c
        return diff, normalizer
    left, right = normalizer.normal_form(lhs), normalizer.normal_form(rhs)
    difference = _in_entries(sp.expand(left - right), normalizer)
    if difference != 0 and (left.has(sp.exp) or right.has(sp.exp)) and left.is_positive and right.is_positive:
        logs = sp.expand(normalizer.finish(sp.log(left)) - normalizer.finish(sp.log(right)))
        if logs == 0:  # two positive sides with equal logarithms: N(x; μ, Σ) = (2π)^{-d/2}|Σ|^{-1/2} exp(…)
            normalizer.used.add("positive sides compared by their logarithms")
            return sp.Integer(0), normalizer
    return difference, normalizer


INVERSE_WRITTEN = "an inverse written"  # what a reader's Context.written_conditions entry records: a matrix inverted


def inverted_matrices(*sides) -> list[str]:
    """The matrices whose inverses ``sides`` hold, as text, in order."""
    inverted = []
    for side in sides:
        if isinstance(side, sp.Basic):
            for node in sp.preorder_traversal(side):
                if isinstance(node, sp.Inverse) or (isinstance(node, sp.MatPow) and node.exp.is_negative):
                    inverted.append(sp.sstr(node.arg if isinstance(node, sp.Inverse) else node.base))
    return list(dict.fromkeys(inverted))


def presumed_invertible(inverted: list[str]) -> str:
    """A note naming the matrices whose inverses the step writes: a proof of A⁻¹A = I holds for invertible A,
    which writing A⁻¹ presumes (the matrix worlds draw invertible ones)."""
    inverted = list(dict.fromkeys(inverted))
    if not inverted:
        return ""
    return f" (presuming {', '.join(inverted)} invertible, as the step writes {'their inverses' if len(inverted) > 1 else 'its inverse'})"


def prove_matrix(lhs, relation: str, rhs, seconds: float = 5.0):
    """The symbolic verdict (a ``symbolic.Proof``) on a step whose sides hold matrix expressions."""
    from mathcheck.deadline import SymbolicTimeout, time_limit
    from mathcheck.symbolic import Proof

    unassured = unassured_inverses(lhs, rhs)
    if unassured:
        return _with_opaque_inverses(lhs, relation, rhs, unassured, seconds)
    try:
        with time_limit(seconds):
            difference, normalizer = matrix_difference(lhs, rhs)
    except ShapeError as error:
        return Proof(False, f"ill-formed: {error}", disproved=True)
    except Unsupported as error:
        return Proof(False, f"matrix normal form: {error}")
    except SymbolicTimeout as error:
        return Proof(False, str(error))
    except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError) as error:
        return Proof(False, f"matrix normal form could not decide: {type(error).__name__}: {error}"[:300])
    if relation != "=":
        return _prove_matrix_inequality(lhs, relation, rhs, seconds)
    note = _used_note(normalizer) + presumed_invertible(inverted_matrices(lhs, rhs))
    if isinstance(difference, dict):
        if not difference:
            return Proof(True, "matrix normal forms agree" + note)
        shown = " + ".join(f"({sp.sstr(c)})·{'*'.join(word_key(w)) or 'I'}" for w, c in difference.items())
        return Proof(False, f"matrix normal forms differ by {shown}")
    if difference == 0:
        return Proof(True, "matrix normal forms agree" + note)
    if difference.is_number and difference.is_zero is False:
        return Proof(False, f"the normal forms differ by the nonzero number {difference}", disproved=True)
    return Proof(False, f"normal forms differ: {sp.sstr(difference)} ≠ 0")


def _with_opaque_inverses(lhs, relation: str, rhs, unassured: list, seconds: float):
    """The verdict on a step with inverses M⁻¹ that may not exist (:class:`ConditionalInverse`): proved only where
    it holds with each M⁻¹ an opaque matrix (no M⁻¹M = I used), the presumption that M⁻¹ exists named; else not
    proved, with the condition M⁻¹ needs."""
    from mathcheck.symbolic import Proof

    opaque = {}
    for k, node in enumerate(sorted({n for side in (lhs, rhs) if isinstance(side, sp.Basic)
                                     for n in sp.preorder_traversal(side) if isinstance(n, ConditionalInverse)},
                                    key=sp.default_sort_key)):
        kind = SymmetricMatrix if sp.Transpose(node.arg).doit() == node.arg else sp.MatrixSymbol
        opaque[node] = kind(f"({sp.sstr(node.arg)})^-1#{k}", *node.shape)
    proof = prove_matrix(sp.sympify(lhs).xreplace(opaque), relation, sp.sympify(rhs).xreplace(opaque), seconds)
    conditions = "; ".join(inverse_condition(m) or f"{sp.sstr(m)} is not declared invertible" for m in unassured)
    if proof.proved:
        return Proof(True, f"{proof.reason} (with each inverse kept whole; the formula presumes it exists: "
                           f"{conditions})")
    if proof.disproved:
        return proof
    return Proof(False, f"the step needs an inverse the document does not establish: {conditions} (declare it, "
                        f"e.g. \"$W$ has full column rank\" or \"$A$ is invertible\")")


class _KLKept(Normalizer):
    """The normal form with each KL kept whole as a nonnegative number (KL ≥ 0, Gibbs' inequality): for the
    sign of a difference that holds for every nonnegative value of the KL, hence for its value."""

    def normal_form(self, expr) -> sp.Expr:
        """The normal form with each Gram trace tr(U Uᵀ) left once every expectation is taken a nonnegative number
        (a squared Frobenius norm, μᵀμ = ‖μ‖²); never inside an opaque E[...] nor while an expectation over U's
        variable is pending, where it is no constant."""
        from mathcheck.vocab import Expectation

        value = super().normal_form(expr)
        grams = {s: sp.Symbol(s.name, nonnegative=True) for s in value.free_symbols
                 if s in self.traces and _gram(self.traces[s])}
        opaque = {e: sp.Dummy("E") for e in value.atoms(Expectation)}
        free_grams = {s: g for s, g in grams.items() if s in value.xreplace(opaque).free_symbols}
        if not free_grams:
            return value
        self.used.add("tr(U Uᵀ) ≥ 0")
        back = {dummy: e for e, dummy in opaque.items()}
        return value.xreplace(opaque).xreplace(free_grams).xreplace(back)

    def kl(self, node) -> sp.Expr:
        if self._bound_in(node):  # KL[q(z|x) ‖ p] inside E over x is a function of x, no constant
            return super().kl(node)
        self.used.add("KL ≥ 0")
        name = "KL[" + sp.sstr(node.args[0]) + " || " + sp.sstr(node.args[1]) + "]"
        return sp.Symbol(name, nonnegative=True)


def _gram(atoms: tuple) -> bool:
    """A cyclic word that is U Uᵀ once rotated: its trace is ‖U‖²_F ≥ 0."""
    half = len(atoms) // 2
    return len(atoms) % 2 == 0 and any(
        word_key(rotated[half:]) == word_key(transpose_word(rotated[:half])) for rotated in rotations(atoms))


def _prove_matrix_inequality(lhs, relation: str, rhs, seconds: float):
    """``lhs ≤ rhs`` (or ≥, <, >) of scalar sides: proved where the normal form of the difference, with each KL
    a nonnegative number, has the sign the relation needs by sympy's assumptions; never disproved here."""
    from mathcheck.deadline import SymbolicTimeout, time_limit
    from mathcheck.symbolic import Proof

    if relation not in ("<=", ">=", "<", ">"):
        return Proof(False, f"matrix steps: the relation {relation} is not decided symbolically")
    big, small = (lhs, rhs) if relation in (">=", ">") else (rhs, lhs)
    normalizer = _KLKept()
    try:
        with time_limit(seconds):
            if isinstance(sp.sympify(big), MatrixExpr) or isinstance(sp.sympify(small), MatrixExpr):
                return Proof(False, "an inequality between vectors or matrices is not decided")
            gap = sp.expand(normalizer.normal_form(sp.sympify(big)) - normalizer.normal_form(sp.sympify(small)))
    except (ShapeError, Unsupported, SymbolicTimeout, NotImplementedError, ValueError, TypeError, AttributeError,
            RecursionError) as error:
        return Proof(False, f"matrix inequality not decided: {type(error).__name__}: {error}"[:300])
    sign = gap.is_positive if relation in ("<", ">") else gap.is_nonnegative
    if sign is True:
        return Proof(True, "the difference is " + ("positive" if relation in ("<", ">") else "nonnegative") +
                     _used_note(normalizer))
    if relation in ("<=", ">="):
        try:
            with time_limit(seconds):
                posterior = _posterior_gap(sp.sympify(big), sp.sympify(small))
        except (ShapeError, Unsupported, SymbolicTimeout, NotImplementedError, ValueError, TypeError, AttributeError,
                RecursionError):
            posterior = None
        if posterior is not None:
            return posterior
    return Proof(False, f"matrix inequality not proved: the sign of {sp.sstr(gap)[:200]} is not known")


MODEL_FAMILY = "p"  # the letter of the model's joint: its prior, likelihood and evidence are one joint's


def _posterior_gap(big, small):
    """big ≥ small by Bayes' rule and Gibbs' inequality: for q a Gaussian of z and the model's prior p(z | C) (a
    density declared N(...)), likelihood p(x | z, C) and evidence p(x | C), all of the one joint p,
    log p(x|C) − E_q[log p(x|z,C)] + KL[q ‖ p(z|C)] = KL[q ‖ p(z|x,C)] ≥ 0 with p(z|x,C) = p(x|z,C) p(z|C)/p(x|C)
    the posterior (a normalized density of z). Proved where big − small = c·(that) + r with c > 0 and r ≥ 0 by the
    normal form (each KL a nonnegative number); None otherwise."""
    from mathcheck.symbolic import Proof
    from mathcheck.vocab import KL, Density, Expectation

    difference = big - small
    densities = {n.canonical() for n in sp.preorder_traversal(difference) if isinstance(n, Density)}
    for node in sorted({n for n in sp.preorder_traversal(difference) if isinstance(n, KL)}, key=sp.default_sort_key):
        q, prior = node.args
        if not (isinstance(q, MvNormal) and isinstance(prior, MvNormal) and isinstance(prior.name, Density)):
            continue
        named = prior.name.canonical()
        latent = getattr(q.variable, "name", None)
        if named.family != MODEL_FAMILY or [v.name for v in named.variables] != [latent] or \
                prior.variable != q.variable:
            continue
        conditions = {v.name for v in named.given}
        for likelihood in sorted(densities, key=sp.default_sort_key):
            given = {v.name for v in likelihood.given}
            if (likelihood.family, likelihood.label) != (named.family, named.label) or given != conditions | {latent} \
                    or {v.name for v in likelihood.variables} & (given | {latent}):
                continue
            evidence = Density(named.family, likelihood.variables, named.given, named.label)
            if evidence not in densities:
                continue
            bound = KL(q, prior) - Expectation(q, sp.log(likelihood)) + sp.log(evidence)
            proof = _gap_as_posterior_divergence(difference, bound, evidence, q, likelihood, named)
            if proof is not None:
                return proof
    return None


def _gap_as_posterior_divergence(difference, bound, evidence, q, likelihood, prior) -> "Proof | None":
    from mathcheck.symbolic import Proof

    normalizer = _KLKept()
    gap = sp.expand(normalizer.normal_form(difference))
    posterior_gap = sp.expand(normalizer.normal_form(bound))
    c = gap.coeff(sp.log(evidence))
    if c.is_positive is not True:
        return None
    rest = sp.expand(gap - c * posterior_gap)
    if rest.is_nonnegative is not True:
        return None
    shown_rest = "" if rest == 0 else f" + {sp.sstr(rest)}"
    given = ", ".join([sp.sstr(v) for v in likelihood.variables] + [sp.sstr(v) for v in prior.given])
    posterior = f"p({sp.sstr(q.variable)}|{given})"
    return Proof(True, f"Bayes' rule and Gibbs' inequality: the larger side minus the smaller is "
                       f"{sp.sstr(c)}·KL[{sp.sstr(q)} ‖ {posterior}]{shown_rest}, the posterior {posterior} = "
                       f"{sp.sstr(likelihood)}·{sp.sstr(prior)}/{sp.sstr(evidence)} of the model's joint "
                       f"{MODEL_FAMILY} (its prior {sp.sstr(prior)} as declared), a normalized density, so the KL "
                       f"is ≥ 0; the coefficient is positive and the rest ≥ 0" + _used_note(normalizer))


def _used_note(normalizer: Normalizer) -> str:
    parts = []
    if normalizer.used:
        parts.append("rules: " + ", ".join(sorted(normalizer.used)))
    if normalizer.conditions:
        parts.append("side conditions: " + "; ".join(sorted(normalizer.conditions)))
    return f" ({'; '.join(parts)})" if parts else ""
