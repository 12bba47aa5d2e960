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

import itertools
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef
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

    def __new__(cls, variable, mean, cov):
        variable, mean, cov = map(sp.sympify, (variable, mean, cov))
        if variable.shape[1] != 1 or mean.shape != variable.shape or cov.shape != (variable.shape[0],) * 2:
            raise ShapeError(f"N(x; μ, Σ) needs x, μ of shape n×1 and Σ n×n; got x {_shape(variable)}, "
                             f"μ {_shape(mean)}, Σ {_shape(cov)}")
        return super().__new__(cls, variable, mean, cov)

    variable = property(lambda self: self.args[0])
    mean = property(lambda self: self.args[1])
    cov = property(lambda self: self.args[2])
    variables = property(lambda self: (self.args[0],))

    def log_density(self) -> sp.Expr:
        """log N(x; μ, Σ) = −½[(x−μ)ᵀΣ⁻¹(x−μ) + log det Σ + n log 2π]."""
        x, m, s = self.args
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
    return isinstance(m, (SymmetricMatrix, Diagonal, sp.Identity, sp.ZeroMatrix))


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


def _diagonal_entry(atom: Atom, index) -> sp.Expr:
    """The j-th entry of a diagonal atom, written in ``index``, honouring an inverted flag."""
    entry = atom.base.entry.subs(atom.base.index, index)
    return 1 / entry if atom.inverted else entry


def reduce_word(atoms: tuple) -> tuple:
    """Adjacent diagonals multiplied, A A⁻¹ = A⁻¹ A = I cancelled, until nothing changes."""
    out: list[Atom] = []
    for atom in atoms:
        if out and isinstance(atom.base, Diagonal) and isinstance(out[-1].base, Diagonal):
            previous = out.pop()
            last = previous.base
            entry = _diagonal_entry(previous, last.index) * _diagonal_entry(atom, last.index)
            out.append(Atom(Diagonal(entry, last.index, last.size)))
        elif out and out[-1].base == atom.base and out[-1].transposed == atom.transposed \
                and out[-1].inverted != atom.inverted:
            out.pop()
        else:
            out.append(atom)
    return tuple(out)


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
    used: set = field(default_factory=set)
    conditions: set = field(default_factory=set)

    # ---- matrices as sums of coefficient × word

    def terms(self, m) -> list[tuple[sp.Expr, tuple]]:
        if isinstance(m, sp.ZeroMatrix):
            return []
        if isinstance(m, sp.Identity):
            return [(sp.Integer(1), ())]
        if isinstance(m, (sp.MatrixSymbol, Diagonal, Components, VectorFunction)):
            return [(sp.Integer(1), (make_atom(m),))]
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
        if isinstance(m, sp.Inverse):
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
        x, mean, cov = density.args
        self.used.add("linearity of E, E[1] = 1")
        out = []
        for coefficient, word in self.terms(m.body):
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
            out[w] = out.get(w, 0) + c
        return {w: c for w, c in ((w, self.finish(c)) for w, c in out.items()) if c != 0}

    # ---- traces and determinants

    def trace_of_word(self, atoms: tuple, size) -> sp.Expr:
        atoms = _cyclically_reduced(atoms)
        if not atoms:
            return size
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
        explicit = self._indexed_trace(canonical)
        if explicit is not None:
            return explicit
        name = "tr(" + "*".join(word_key(canonical)) + ")"
        while self.traces.get(sp.Symbol(name, real=True), canonical) != canonical:
            name += "'"  # two different words that print alike (e.g. a covariance and a matrix both named S)
        symbol = sp.Symbol(name, real=True)
        self.traces[symbol] = canonical
        return symbol

    def _indexed_trace(self, atoms: tuple) -> sp.Expr | None:
        """tr of diagonals and component vectors only: a Sum over the index."""
        if not all(isinstance(a.base, (Diagonal, Components)) for a in atoms):
            return None
        if sum(isinstance(a.base, Components) for a in atoms) not in (0, 2):
            return None  # (vᵀw)(uᵀt) is a product of two sums, not one
        k = sp.Dummy("k", integer=True, positive=True)
        size = atoms[0].base.size
        entry = sp.Integer(1)
        for a in atoms:
            if a.inverted:  # only a diagonal can be inverted; a component vector is never square
                if not isinstance(a.base, Diagonal):
                    return None
                entry *= 1 / a.base.at(k)
            else:
                entry *= a.base.at(k)
        self.used.add("trace of a diagonal / of components as a sum")
        return sp.Sum(entry.subs(k, j), (j, 1, size))

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
        elif isinstance(base, sp.Inverse):  # the inverse of a sum: det A⁻¹ = 1/det A
            value = 1 / self.det(base.args[0])
        else:
            positive = is_positive_definite(base)
            if positive:
                self.conditions.add(f"{base} ≻ 0 (declared), so det {base} > 0")
            value = sp.Symbol(f"det({sp.sstr(base)})", positive=True) if positive else \
                sp.Symbol(f"det({sp.sstr(base)})", real=True)
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
        if isinstance(expr, MvNormal):
            raise Unsupported(f"the density {expr} outside a log, an expectation or a KL")
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
        if isinstance(expr, (sp.Sum, sp.Product)):
            return expr.func(self.scalar(expr.args[0]), *expr.args[1:])
        if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
            return expr
        return expr.func(*[self.scalar(a) for a in expr.args])

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
        x, mean, cov = density.args
        inner = sp.expand(self.finish(self.scalar(body)))
        self.used.add("linearity of E, E[1] = 1")
        return sp.Add(*[self._expect_term(term, x, mean, cov) if self._polynomial_in(term, x) else
                        self._opaque_term(density, term, x) for term in sp.Add.make_args(inner)])

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
        expr = _expand_sums(expr)
        return sp.expand(sp.expand_log(expr))

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
    return any(s in traces and any(a.base == x or _depends(a.base, x) for a in traces[s]) for s in free)


def _named_in(free: set, x) -> bool:
    """x among ``free``, or a symbol of x's name (p(x | z) of an opaque density names the vector z by a symbol)."""
    name = getattr(x, "name", None)
    return x in free or (name is not None and any(getattr(s, "name", None) == name for s in free))


def _depends(base, x) -> bool:
    """A factor other than x whose value depends on x: f(x) of a vector-valued function, E over another variable."""
    return base != x and _named_in(getattr(base, "free_symbols", set()), x)


def _split_log_products(expr) -> sp.Expr:
    """log ∏_j f_j = Σ_j log f_j where every factor is positive."""
    def split(node):
        inner = node.args[0]
        if isinstance(inner, sp.Product) and inner.args[0].is_positive:
            return sp.Sum(sp.expand_log(sp.log(inner.args[0])), *inner.args[1:])
        return node
    return expr.replace(lambda n: isinstance(n, sp.log) and isinstance(n.args[0], sp.Product), split)


def _expand_sums(expr) -> sp.Expr:
    """Σ_j (a + b) = Σ_j a + Σ_j b; factors free of j move out; Σ_{j=1}^n c = n c; summands expanded."""
    def split(node: sp.Sum):
        summand, limits = node.args[0], node.args[1:]
        if len(limits) != 1:
            return node
        index, low, high = limits[0]
        summand = sp.expand(sp.expand_log(summand))
        pieces = []
        for term in sp.Add.make_args(summand):
            free = [f for f in sp.Mul.make_args(term) if index not in f.free_symbols]
            bound = [f for f in sp.Mul.make_args(term) if index in f.free_symbols]
            outside = sp.Mul(*free)
            pieces.append(outside * (sp.Sum(sp.Mul(*bound), limits[0]) if bound else (high - low + 1)))
        return sp.Add(*pieces)
    return expr.replace(lambda n: isinstance(n, sp.Sum), split)


# ---------------------------------------------------------------- proving


MATRIX_RULES = ("transpose", "inverse", "trace", "determinant", "gaussian", "definition", "sums")


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
    return sp.expand(normalizer.normal_form(lhs) - normalizer.normal_form(rhs)), normalizer


def prove_matrix(lhs, relation: str, rhs, seconds: float = 5.0):
    """The symbolic verdict (a ``symbolic.Proof``) on a step whose sides hold matrix expressions."""
    from mathcheck.deadline import SymbolicTimeout, time_limit
    from mathcheck.symbolic import Proof

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
    note = _used_note(normalizer)
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


class _KLKept(Normalizer):
    """The normal form with each KL kept whole as a nonnegative number (KL ≥ 0, Gibbs' inequality): for the
    sign of a difference that holds for every nonnegative value of the KL, hence for its value."""

    def trace_of_word(self, atoms: tuple, size) -> sp.Expr:
        value = super().trace_of_word(atoms, size)
        if isinstance(value, sp.Symbol) and value in self.traces and _gram(self.traces[value]):
            self.used.add("tr(U Uᵀ) ≥ 0")
            return sp.Symbol(value.name, nonnegative=True)  # a squared Frobenius norm (μᵀμ = ‖μ‖²)
        return value

    def kl(self, node) -> sp.Expr:
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
    return Proof(False, f"matrix inequality not proved: the sign of {sp.sstr(gap)[:200]} is not known")


def _used_note(normalizer: Normalizer) -> str:
    parts = []
    if normalizer.used:
        parts.append("rules: " + ", ".join(sorted(normalizer.used)))
    if normalizer.conditions:
        parts.append("side conditions: " + "; ".join(sorted(normalizer.conditions)))
    return f" ({'; '.join(parts)})" if parts else ""
