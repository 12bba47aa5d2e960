"""The reader of vectors, matrices, sums and products over an index (issue 12), on top of the scalar reader.

A name is a vector or a matrix, never a commuting number, when the document says so or its use does:

- the prose declares it: ``$x \\in \\mathbb{R}^d$``, ``$A \\in \\mathbb{R}^{n\\times m}$``, "$\\Sigma$ is a
  $d\\times d$ covariance matrix", ``$z \\sim \\mathcal{N}(\\mu, \\Sigma)$`` (z, μ vectors, Σ d×d) (:func:`declare`);
- it is transposed (``^T``, ``^\\top``, ``^\\intercal``, ``^{\\mathsf T}``), an upper-case letter is inverted
  (``A^{-1}``), it stands inside tr / det / ``|.|`` / diag / ``\\|.\\|``, it is added to a vector or multiplied
  with a matrix, it is bold (``\\mathbf``, ``\\boldsymbol``, ``\\bm``) in a formula with matrix operations;
- it is a conventional covariance letter (``\\Sigma``, ``\\Lambda``) or the identity (``I``, ``I_d``, ``\\mathbf{I}``).

What a formula's use tells is learned for the whole formula (:func:`learn_formula`) and for the rest of
the document. Where the kind of a product's factors cannot be told (``AB`` of two undeclared capitals,
``x^T y`` with y undeclared), the reader refuses with the name to declare; an expression whose shapes do
not fit (a matrix plus a number, ``(d×1)(d×1)``) is :class:`IllFormed`, with the shapes named.

Representation (the contract of ``notes/common.md``): ``MatrixSymbol(name, d, 1)`` / ``(d, d)`` with
d = Symbol('d', integer=True, positive=True) unless a size is declared; sp.Transpose, sp.Inverse, sp.Trace,
sp.Determinant, sp.Identity, MatMul, HadamardProduct; a 1×1 product used as a number goes through
:func:`mathcheck.matrices.scalar`; the engine's classes where the document says more: ``Covariance`` for a
matrix declared positive definite, ``Diagonal`` for diag(σ²), ``Components`` for a vector whose components
``x_j`` are used, ``MvNormal`` for N(x; μ, Σ). ``\\sum_{j=1}^{d}`` / ``\\prod_j`` read to sp.Sum / sp.Product
over an integer index, components ``x_j`` to ``IndexedBase('x')[j]``.
"""
from __future__ import annotations

import functools
import operator
import re

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from mathcheck.lazy import LazyPattern
from mathcheck.audit.latex import (CLOSING_BAR, GREEK, OPEN, OPENING_BAR, VARIABLES, Context, NameRef, Parser, Token,
                                   Unparsed, density_letter_of, tokenize, top_level_parts, variable_end)
from mathcheck.audit.latex import APART
from mathcheck.matrices import INVERSE_WRITTEN, ConditionalInverse, ConstrainedMatrix, OrthogonalMatrix, inverse_condition
from mathcheck.matrices import (BinaryBase, Components, Covariance, Diagonal, Entry, MatrixExpectation, MvNormal,
                                ShapeError, SymmetricMatrix, TriangularMatrix, UnitBase, VectorFunction, binary_powers,
                                scalar, triangular)
from mathcheck.matrices import j as ENTRY_INDEX
from mathcheck.vocab import Density, Expectation

DIMENSION = sp.Symbol("d", integer=True, positive=True)
MAX_LEARNED = 16  # names whose shape one expression may teach (each one re-reads the expression)
BOLD = ("mathbf", "boldsymbol", "bm", "pmb")
COVARIANCE_LETTERS = {"Sigma", "Lambda"}  # conventional covariance / precision matrices: square, positive definite
NOT_MATRICES = {"E", "N", "D"}  # the expectation, the normal, D_KL (and sizes: N data points, D pixels)
TRACE_WORDS = {"tr", "Tr", "trace", "Trace"}
DETERMINANT_WORDS = {"det"}
DIAGONAL_WORDS = {"diag", "Diag"}
COVARIANCE_WORDS = {"Cov", "cov", "Var"}  # the covariance matrix of a random vector (Var: its name too)
TRANSPOSES = {"T", "\\mathsf{T}", "\\mathrm{T}", "top", "intercal"}
SIZE_NAMES = {"d", "D", "n", "m", "N", "M", "K", "k", "p", "q", "L"}  # names that may size a vector or bound a sum
FREE_INDEX_LETTERS = {"i", "j", "k", "l"}  # the index letters of an entry A_{ij} outside a sum
DEFAULT_BOUND_INDICES = {"j"}  # \sum_j runs over the components 1..d; other indices need their limits
_BOLD_NAME = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|pmb)\{\\?([A-Za-z]+)\}((?:_.+)?)")


class IllFormed(Unparsed):
    """An expression whose shapes do not fit: a matrix added to a number, a product of incompatible shapes.
    The audit reports the step refuted (``ill_formed``), with the shapes named."""

    ill_formed = True


class _Learned(Exception):
    """The reading taught the shape of a name read before as a number: read the expression again."""

    def __init__(self, name: str, shape: tuple):
        super().__init__(name)
        self.name, self.shape = name, shape


# ---------------------------------------------------------------- names


def plain_name(name: str) -> tuple[str, bool]:
    """(the name without bold markup, whether it was bold): ``\\mathbf{x}_i`` -> ("x_i", True)."""
    m = _BOLD_NAME.fullmatch(name)
    if m:
        return m.group(1) + m.group(2), True
    return name, False


def _base(name: str) -> str:
    return name.split("_", 1)[0]


def matrix_like(name: str) -> bool:
    """A name that conventionally may be a matrix or a vector: bold, an upper-case letter, an upper-case Greek
    letter (``A``, ``\\Sigma_1``, ``\\mathbf{x}``); the data variable X, E, N and D are not."""
    plain, bold = plain_name(name)
    base = _base(plain)
    if bold:
        return True
    if base in GREEK:
        return base[0].isupper()
    return len(base) == 1 and base.isupper() and base not in NOT_MATRICES


def _vector_letter(name: str) -> bool:
    """Lower case (x, μ, bold x): a vector when not a number; upper case: a matrix."""
    return _base(plain_name(name)[0])[0].islower()


_BLACKBOARD_IDENTITY = LazyPattern(r"\\mathbb\{I\}((?:_.+)?)")
IDENTITY_MARK = "<identity>"  # in a formula's shapes: the formula holds matrices, so a bare I is the identity
UNIT = "<unit interval>"  # + a name: \hat x ∈ (0, 1)^D (or \hat x_j ∈ (0, 1)) declared: 0 < x̂_j < 1
BINARY = "<binary>"  # + a name, in the shapes: x ∈ {0, 1}^D declared, its components each 0 or 1
FAMILY = "<family>"  # + a base, in the shapes: x_1, …, x_N ∈ ℝ^D declared: each x_i is a vector of that shape
INDEX_MARK = "<index>"  # + a letter, in a formula's shapes: entries with that free index, so x_j of a vector is one


def _identity_name(name: str) -> str | None:
    """``I`` -> "", ``I_d`` -> "d", ``\\mathbf{I}``, ``\\mathbb{I}`` -> "": the size written after the identity
    (None: not one). (``\\mathbf{1}`` is the ones vector, never the identity.)"""
    plain, _ = plain_name(name)
    blackboard = _BLACKBOARD_IDENTITY.fullmatch(name)
    if blackboard:
        plain = "I" + blackboard.group(1)
    if plain == "I":
        return ""
    if plain.startswith("I_") and re.fullmatch(r"[A-Za-z]|\d+", plain[2:]):
        return plain[2:]
    return None


class _Unsized:
    """A square matrix written without its size, read at token ``position``: its size ``n`` stands in while
    reading until a neighbour in a product or sum gives the size it needs."""

    def __new__(cls, n, position):
        return sp.Basic.__new__(cls, sp.sympify(n), sp.Integer(position))

    @property
    def rows(self):
        return self.args[0]

    @property
    def cols(self):
        return self.args[0]

    @property
    def shape(self):
        return (self.args[0], self.args[0])

    @property
    def position(self) -> int:
        return int(self.args[1])


class _BareIdentity(_Unsized, sp.Identity):
    """An I written without its size where the document's matrices have several sizes (A ∈ ℝ^{n×n}, B ∈ ℝ^{m×m}):
    while reading, the size its neighbour in a product or sum needs (C I with C n×m: I_m); one no neighbour
    sizes is refused as ambiguous (tr(I) + tr(I))."""


class _BareZero(_Unsized, sp.ZeroMatrix):
    """An O (the zero matrix) written without its size: while reading, the shape its neighbour in a sum or product
    needs (A + O with A n×m: O_{n×m}); an equation side ``= O`` takes the other side's shape (matrix_numeric)."""


def _plain_identities(expr):
    """``expr`` with each bare identity the plain identity of its size (each bare zero the zero matrix)."""
    if not isinstance(expr, sp.Basic):
        return expr
    if isinstance(expr, _BareZero):
        return sp.ZeroMatrix(expr.rows, expr.cols)
    found = {node for node in sp.preorder_traversal(expr) if isinstance(node, (_BareIdentity, _BareZero))}
    return expr.xreplace({node: sp.Identity(node.rows) if isinstance(node, _BareIdentity) else
                          sp.ZeroMatrix(node.rows, node.cols) for node in found}) if found else expr


def dimension(name: str) -> sp.Expr:
    """The size named ``name``: d is the default dimension; n, m, D, N, K are positive integers too."""
    if name.isdigit():
        return sp.Integer(name)
    return DIMENSION if name == "d" else sp.Symbol(name, integer=True, positive=True)


def with_bounded_sizes(expr, context: Context):
    """``expr`` with each size the prose bounds by another (k ≤ d: d read as k + δ_d, δ_d ≥ 0) written so in its
    shapes too, so that the matrix worlds draw only sizes the prose allows (d ≥ k)."""
    if not isinstance(expr, sp.Basic) or not context.bounded:
        return expr
    declared = {s.name for name, shape in context.shapes.items() if not name.startswith("<")
                for size in shape if size is not None for s in sp.sympify(size).free_symbols}
    used = {s for node in sp.preorder_traversal(expr) if isinstance(node, sp.MatrixExpr)
            for size in node.shape for s in sp.sympify(size).free_symbols}
    mapping = {}
    for size in used | expr.free_symbols:
        bound = context.bounded.get(getattr(size, "name", ""))
        if bound is None or not size.is_integer or size.name not in declared:
            continue
        excess = [s for s in bound.free_symbols if s.name == f"delta_{size.name}"]
        others = {s: dimension(s.name) for s in bound.free_symbols if s not in excess}
        if excess and all(s.name in declared for s in others):
            mapping[size] = bound.xreplace(others)
    return expr.xreplace(mapping) if mapping else expr


def shape_text(shape) -> str:
    return f"({sp.sstr(shape[0])}×{sp.sstr(shape[1])})"


def _is_matrix(expr) -> bool:
    return isinstance(expr, sp.MatrixExpr)


def _shape(expr) -> tuple:
    return tuple(expr.shape) if _is_matrix(expr) else (sp.Integer(1), sp.Integer(1))


def _equal(a, b) -> bool:
    return a == b or sp.sympify(a - b).is_zero is True


# ---------------------------------------------------------------- when the matrix reader reads


def wanted(parser: Parser) -> bool:
    """Whether ``parser``'s tokens hold anything the scalar reader would read as commuting numbers or refuse:
    a matrix-like name, a transpose, tr / det / diag, ⊙, a norm, a sum or product over an index, or a name
    the context declares a vector or matrix."""
    shapes = {_base(name) for name in parser.context.shapes}
    shapes |= {sp.sstr(size) for shape in parser.context.shapes.values() for size in shape
               if isinstance(size, sp.Symbol)}  # d in tr(I_d) = d is the size of the vectors
    has_divergence = any(t.kind == "word" and t.text in ("D", "KL") for t in parser.tokens)
    if any(_bold_zero_at(parser.tokens, k) or _bold_one_at(parser.tokens, k) or _zero_matrix_at(parser.tokens, k)
           for k in range(len(parser.tokens))):
        return True
    if IDENTITY_MARK in parser.context.shapes and any(t.kind == "word" and _identity_name(t.text) is not None
                                                      for t in parser.tokens):
        return True  # A^{-1}A = \mathbb{I}: the identity of the formula's matrices
    for token in parser.tokens:
        if token.kind == "cmd" and (token.text in ("top", "intercal", "det", "tr", "odot", "sum", "prod") or
                                    (token.text in GREEK and token.text[0].isupper()) or token.text in shapes):
            return True
        if token.kind == "word" and (token.text in TRACE_WORDS | DETERMINANT_WORDS | DIAGONAL_WORDS | TRANSPOSES or
                                     matrix_like(token.text) or _base(plain_name(token.text)[0]) in shapes):
            return True
        if token.kind == "word" and token.text.isalpha() and any(matrix_like(c) or c in shapes for c in token.text):
            return True  # AB: the product A·B
        if token.kind == "par" and not has_divergence:
            return True
    return False


def read(parser: Parser) -> sp.Expr:
    """The expression of ``parser``'s tokens read with vectors and matrices; the shapes its use teaches are
    added to ``parser.context.shapes`` (for the other sides of the formula)."""
    shapes = dict(parser.context.shapes)
    components, sizes = set(parser.context.components), set(parser.context.sizes)
    try:
        for _ in range(MAX_LEARNED + 1):
            reader = MatrixParser(parser.tokens, parser.source, parser.context, parser.base, shapes, components,
                                  sizes)
            try:
                try:
                    expr = _plain_identities(reader.parse())
                except IllFormed as error:
                    reguessed = _reguessed_shapes(reader, (parser.tokens, parser.source, parser.context, parser.base),
                                                  shapes, components, sizes)
                    if not reguessed:
                        raise error from None  # ill-formed whatever shape the guessed names take
                    if len(reguessed) > 1:
                        raise _guessed_shape_problem(error, reader) or error from None
                    name, shape = reguessed[0]
                    shapes[name] = shapes[LEARNED + name] = shape
                    continue
                unsized = reader.bare_identities - reader.sized_identities
                if unsized:
                    token = reader.tokens[min(unsized) - 1] if 0 < min(unsized) <= len(reader.tokens) else None
                    start = token.start if token is not None else parser.base
                    end = token.end if token is not None else parser.base
                    raise Unparsed("ambiguous: the size of this I is not told by the formula (the matrices declared "
                                   "have several sizes): write I_n", parser.text(start, end).strip() or "I",
                                   start, end)
            except (ValueError, TypeError, AttributeError, NotImplementedError) as error:  # sympy refused a node
                start = reader.tokens[0].start if reader.tokens else parser.base
                end = reader.tokens[-1].end if reader.tokens else parser.base
                raise Unparsed(f"cannot read this matrix expression ({type(error).__name__}: {error})"[:200],
                               parser.text(start, end).strip(), start, end) from None
            except _Learned as learned:
                if learned.shape == "size":
                    sizes.add(learned.name)
                elif learned.shape is None:
                    components.add(learned.name)
                else:
                    shapes[learned.name] = learned.shape
                    shapes[LEARNED + learned.name] = learned.shape
                continue
            new = {name for name in reader.component_bases - components if name in shapes and shapes[name][1] == 1}
            if new:  # x_j of a vector x: x is the vector of its components (one object for both)
                components |= new
                continue
            return with_bounded_sizes(_expanded_unit_logs(binary_powers(expr)), parser.context)
    finally:  # what the use taught holds for the other sides, even when this one cannot be read
        parser.context.shapes.update(shapes)
        parser.context.components.update(components)
        parser.context.sizes.update(sizes)
    raise Unparsed(f"more than {MAX_LEARNED} names whose shapes must be told from their use: declare them "
                   "($x \\in \\mathbb{R}^d$)", parser.source.strip()[:40], parser.base, parser.base)


LEARNED = "<learned>"  # + a name, in a formula's shapes: its shape is not declared but guessed from its use here


def _reguessed_shapes(reader: "MatrixParser", arguments: tuple, shapes: dict, components: set,
                      sizes: set) -> list[tuple[str, tuple]]:
    """The (name, shape) pairs that make the expression well formed where the shape of a name guessed from its
    use (B of W B read k×k) is changed in one of its sizes to a size of the document (tr(W B) with W d×k: B k×d);
    one pair: the shape its use tells; none: ill-formed whatever the guess; several: its use does not tell."""
    names = sorted(name for name in reader._names_in_tokens() if LEARNED + name in shapes and name in shapes)
    declared = {size for name, shape in shapes.items() if not name.startswith("<") and shape[0] is not None
                for size in shape if size != 1}
    working = []
    for name in names:
        rows, cols = shapes[name]
        if _equal(cols, 1):
            continue  # a vector guessed: its shape is its size
        candidates = {(rows, size) for size in declared} | {(size, cols) for size in declared}
        working += [(name, shape) for shape in sorted(candidates - {(rows, cols)}, key=str)
                    if _well_formed_with(arguments, {**shapes, name: shape}, components, sizes)]
    return working


def _well_formed_with(arguments: tuple, shapes: dict, components: set, sizes: set) -> bool:
    """Whether the tokens read with ``shapes`` are no ill-formed expression (more to learn counts as well formed)."""
    try:
        MatrixParser(*arguments, dict(shapes), set(components), set(sizes)).parse()
    except _Learned:
        return True
    except (Unparsed, ValueError, TypeError, AttributeError, NotImplementedError, RecursionError):
        return False
    return True


def _guessed_shape_problem(error: "IllFormed", reader: "MatrixParser") -> Unparsed | None:
    """An ill-formed product, sum or trace that holds a name whose shape no declaration gives (B guessed k×k from
    W B): not a refutation of the document, which may mean another shape (B k×d in tr(WB) = tr(BW)); None when
    every name of the formula is declared."""
    names = reader._names_in_tokens()
    guessed = sorted(name for name in names if LEARNED + name in reader.shapes)
    guessed += sorted(name for name in names if DEFAULTED + name in reader.context.shapes and name not in guessed)
    if not guessed:
        return None
    shown = ", ".join(f"{_shown(name)} (read as {shape_text(reader.shapes[name]).strip('()')})" for name in guessed
                      if name in reader.shapes)
    return Unparsed(f"the shape of {shown} is not declared but guessed from its use, and with that guess "
                    f"{error.reason.removeprefix('ill-formed: ')}: declare it "
                    f"(e.g. $B \\in \\mathbb{{R}}^{{m\\times n}}$)",
                    error.fragment, error.start, error.end)


def learn_formula(segments: list[list[Token]], source: str, context: Context) -> None:
    """Add to ``context`` what the use of names in every expression of a formula teaches: ``x^T`` on one side
    makes x a vector on the other side too, ``x_j`` under a sum makes x the vector of its components; where an
    expression holds a matrix, a bare I elsewhere in the formula is the identity (:data:`IDENTITY_MARK`)."""
    probe = context.copy()
    read_last: dict[int, sp.Expr] = {}
    for _ in range(3):  # later rounds read each side with what the others taught
        before = (dict(probe.shapes), set(probe.components), set(probe.sizes))
        read_now = set()
        for k, tokens in enumerate(segments):
            parser = Parser(tokens, source, probe, 0)
            if not parser.tokens or not wanted(parser):
                continue
            try:
                read_last[k] = read(parser)
            except (Unparsed, ValueError, TypeError, AttributeError, RecursionError):
                continue
            read_now.add(k)
        for letter in _free_entry_indices(read_last.values()):
            probe.shapes[INDEX_MARK + letter] = (None, None)  # (μ + σ ⊙ ε)_j = μ_j + σ_j ε_j: μ_j an entry too
        if (probe.shapes, probe.components, probe.sizes) == before:
            break
    if not read_now:
        return  # no side could be read with what the formula taught: its guesses teach nothing (f(z)ᵀ of an unknown f)
    context.shapes.update(probe.shapes)
    context.components.update(probe.components)
    context.sizes.update(probe.sizes)
    sizes = _square_sizes(read_last.values())
    if sizes is not None:
        context.shapes[IDENTITY_MARK] = (sizes.pop() if len(sizes) == 1 else None,) * 2


def _free_entry_indices(expressions) -> set[str]:
    """The free index letters (i, j, k, l) of the entries the expressions hold: A_{ij}, (A x)_i."""
    found = set()
    for expr in expressions:
        for node in expr.atoms(Entry) if isinstance(expr, sp.Basic) else ():
            found |= {s.name for index in (node.row, node.col) for s in index.free_symbols
                      if isinstance(s, sp.Symbol) and s.name in FREE_INDEX_LETTERS}
    return found


def _square_sizes(expressions) -> set | None:
    """The sizes of the square matrices the expressions hold (None when none holds a vector or matrix): a bare I
    on another side (A^{-1}A = I) is the identity of that size."""
    sizes, matrices = set(), False
    for expr in expressions:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.MatrixExpr):
                matrices = True
                if _equal(*node.shape) and node.shape[0] != 1:
                    sizes.add(node.shape[0])
    return sizes if matrices else None


def carry(formula_context: Context, persistent: Context) -> Context:
    """``persistent`` with the shapes a formula's use taught (a copy when there are new ones)."""
    shapes = {name: shape for name, shape in formula_context.shapes.items()
              if (not name.startswith("<") or name.startswith(LEARNED)) and
              (_identity_name(name) is None or name in persistent.shapes)}
    if not (shapes.items() - persistent.shapes.items() or
            formula_context.components - persistent.components or formula_context.sizes - persistent.sizes):
        return persistent
    persistent = persistent.copy()
    persistent.shapes.update(shapes)
    persistent.components.update(formula_context.components)
    persistent.sizes.update(formula_context.sizes)
    return persistent


# ---------------------------------------------------------------- the parser


class MatrixParser(Parser):
    """The scalar reader with names that are vectors and matrices, and with sums over an index."""

    def __init__(self, tokens, source, context, base, shapes: dict, components: set = frozenset(),
                 sizes: set = frozenset()):
        super().__init__(tokens, source, context, base)
        self.shapes = shapes
        self.sizes = sizes  # names that are sizes (the upper limit N of a sum): positive integers
        self.read_names: set[str] = set()  # capital names read as user names (NameRef)
        self.new_sizes: set[str] = set()  # capital names first met as the upper limit of a sum
        self.components = components  # vectors read as the vector of their components (matrices.Components)
        self.component_bases: set[str] = set()  # the bases of the components x_j read
        self.numbered: dict[sp.Indexed, str] = {}  # x_1 read as the component 1 of the vector x -> the name x_1
        self.indices: dict[str, sp.Symbol] = {}  # the bound indices of the sums being read
        self.index_limits: dict[str, tuple] = {}  # their limits (low, high): a component sign holds within its range
        self.open_bodies: list[tuple[str, int]] = []  # (index, first token) of the bodies of the sums being read
        self.used_indices: set[str] = set()
        self.matrix_argument = 0  # inside tr(...), det(...), |...|, diag(...), \|...\|
        self.norm_depth = 0  # inside \|...\|: a \| closes
        self.divergence_depth = 0  # inside D_KL(...): a \| separates the two distributions
        self.elementwise = 0  # inside diag(...): σ^2 of a vector σ is its elementwise square
        self.limits = 0  # inside the limits of a sum: names are sizes
        self.range_defaulted = False  # the last \sum_j read without limits (1..the size of its vectors)
        self.defaulted: set[str] = set()  # names read as numbers only because nothing said otherwise
        self.bare: tuple[str, int] | None = None  # (name, index after it) of the last bare name read
        self.matrix_content = self._has_matrix_content()
        self.conditioned_laws: list[str] = []  # the given variables of the declared Gaussian densities read
        self.bare_identities: set[int] = set()  # the positions of the bare I of ambiguous size read
        self.sized_identities: set[int] = set()  # those a neighbour sized
        self.ones_defaulted = False  # a \mathbf{1} read without its size: a neighbour in a product or sum sizes it

    def _has_matrix_content(self) -> bool:
        """Matrix operations or matrices (other than a bare I or a bold letter): then I is the identity and a
        bold letter a vector or a matrix."""
        for k, (previous, token) in enumerate(zip([None] + self.tokens, self.tokens)):
            if token.kind == "cmd" and token.text in ("top", "intercal", "det", "tr", "odot"):
                return True
            if _bold_zero_at(self.tokens, k) or _bold_one_at(self.tokens, k):
                return True
            if token.kind == "word" and token.text in TRACE_WORDS | DETERMINANT_WORDS | DIAGONAL_WORDS and \
                    self.text(token.start, token.end).startswith("\\"):
                return True
            if token.kind == "word" and token.text in TRANSPOSES and previous is not None and previous.text == "^":
                return True
            name = token.text
            if token.kind in ("word", "cmd") and _identity_name(name) is None and (
                    plain_name(name)[0] in self.shapes or name in COVARIANCE_LETTERS):
                return True
            if token.kind == "par" and not any(t.kind == "word" and t.text in ("D", "KL") for t in self.tokens):
                return True
        return any(name in self.shapes for name in self._names_in_tokens())

    def _names_in_tokens(self) -> set[str]:
        found = set()
        for j in range(len(self.tokens)):
            named = self._name_at(j)
            if named is not None:
                found.add(named[0])
        return found

    # -- the whole expression
    def parse(self) -> sp.Expr:
        if not self.tokens:
            raise Unparsed("empty expression", "", self.base, self.base)
        expr = self.expression()
        if self.peek() is not None:
            token = self.peek()
            self.fail(self._unexpected(token), token.start, self.tokens[-1].end)
        self._check_free_components(expr, self.tokens[0].start)
        problem = _scalar_node_with_matrix(expr)
        if problem:
            self.fail(problem, self.tokens[0].start, self.tokens[-1].end)
        return expr

    def _check_free_components(self, expr: sp.Expr, start: int) -> None:
        """``\\sum_j a_j - b_j``: b_j outside the sum over j is ambiguous (the sum's term or another b_j?)."""
        for symbol in expr.atoms(sp.Symbol):
            _, _, label = symbol.name.partition("_")
            if label and label in self.used_indices:
                self.fail(f"ambiguous: `{_shown(symbol.name)}` outside the sum or product over {label}: use "
                          "parentheses around the summed term", start, self.tokens[-1].end)

    # -- names
    def symbol(self, name: str) -> sp.Expr:
        if (self.limits and name in SIZE_NAMES) or name in self.sizes:
            return self.size_symbol(name)
        if name in self.indices:
            return self.indices[name]
        component = self._component(name)
        if component is not None:
            return component
        known = self._matrix(name)
        if known is not None:
            return known
        if name in {sp.sstr(s) for s in self._sizes()} and name not in self.declared:
            return self.size_symbol(name)
        if name not in self.declared and name not in self.context.symbols:
            self.defaulted.add(name)
        return super().symbol(name)

    def size_symbol(self, name: str) -> sp.Expr:
        """The size ``name`` (a limit of a sum, a dimension): the integer the prose declares it (K ∈ ℕ, "n is a
        nonnegative integer"), else a positive integer."""
        declared = self.context.symbols.get(name)
        if declared is not None and (declared.is_integer or declared.is_positive is not True):
            return declared  # (M < 0 declared: no size; the sum's limits are checked, _index_and_limits)
        return dimension(name)

    def _sizes(self) -> set:
        sizes = set()
        for rows, cols in self.shapes.values():
            sizes |= {s for s in (rows, cols) if isinstance(s, sp.Symbol)}
        if self.shapes or self.matrix_content:
            sizes.add(DIMENSION)
        return sizes

    def _component(self, name: str) -> sp.Expr | None:
        """``x_j``, ``\\sigma_j`` under a sum over j: the component ``IndexedBase('x')[j]``; ``\\Sigma_{ij}`` of a
        matrix: its entry (matrices.Entry)."""
        member = self._family_member(name)
        if member is not None:
            return member
        base, _, label = plain_name(name)[0].partition("_")
        entry = self._matrix_entry(base, label)
        if entry is not None:
            return entry
        shifted = self._index_expression(label) if label and label not in self.indices else None
        if shifted is not None:  # x_{d+1-j}: the component at an index expression
            self.component_bases.add(base)
            return self._indexed_base(base)[shifted]
        numbered = self._numbered_component(name, base, label)
        if numbered is not None:
            return numbered
        if label in FREE_INDEX_LETTERS and INDEX_MARK + label in self.shapes and label not in self.indices and \
                base in self.shapes and self.shapes[base][1] == 1 and self._index_letter(label):
            self.component_bases.add(base)  # μ_j beside (μ + σ ⊙ ε)_j: the j-th entry of the vector μ
            return self._indexed_base(base)[self._index_value(label)]
        if not label or label not in self.indices:
            if label and len(label) > 1 and set(label) <= set(self.indices):
                raise self._failure(f"an entry `{_shown(name)}` of a matrix is not read: write the sum with "
                                    "vectors or traces")
            return None
        self.used_indices.add(label)
        self.component_bases.add(base)
        low, high = self.index_limits.get(label, (None, None))
        return self._indexed_base(base, low, high)[self.indices[label]]

    def _family_member(self, name: str) -> sp.Expr | None:
        """x_i of data points declared x_1, …, x_N ∈ ℝ^D: the i-th vector of the family (a vector-valued function of
        its index, so that Σ_i x_i^T x_i sums N different vectors); None where x_i is no such member."""
        plain = plain_name(name)[0]
        base, _, label = plain.partition("_")
        shape = self.shapes.get(FAMILY + base)
        if shape is None or not label or plain in self.shapes or base in self.shapes:
            return None
        if label.isdigit() and not label.startswith("0"):
            index = sp.Integer(int(label))
        elif label in self.indices or label in FREE_INDEX_LETTERS:
            index = self._index_value(label)
        elif re.fullmatch(r"[A-Za-z]", label):
            index = self.size_symbol(label)  # x_N: the last data point
        else:
            return None
        return VectorFunction(base, (index,), shape[0])

    def _numbered_component(self, name: str, base: str, label: str) -> sp.Expr | None:
        """``x_1``, ``x_{2}``, ``x_d`` of a vector x declared (or learned) here, outside any sum: the component
        ``IndexedBase('x')[1]``, the same object as x_j at j = 1 (None: x_1 is a name of its own, declared, or
        bold: a bold x_1 is the first of several vectors)."""
        plain, bold = plain_name(name)
        if bold or not label or plain in self.shapes or plain in self.context.symbols or base in self.indices or \
                base not in self.shapes or self.shapes[base][1] != 1 or self.shapes[base][0] == 1:
            return None
        size = sp.sympify(self.shapes[base][0])
        index = self._fixed_index(label, size)
        if index is None:
            return None
        if index.is_Integer and size.is_Integer and index > size:
            raise IllFormed(f"ill-formed: the component {_shown(name)} of a vector of size {size} does not exist",
                            _shown(name), self.tokens[0].start, self.tokens[-1].end)
        self.component_bases.add(base)
        component = self._indexed_base(base, index, index)[index]
        self.numbered[component] = plain
        return component

    def _fixed_index(self, label: str, size: sp.Expr) -> sp.Expr | None:
        """The index a subscript names outside a sum: a whole number (1, 12), or the size of its vector or
        matrix (x_d, Σ_{dd}); None for anything else."""
        if label.isdigit() and not label.startswith("0"):
            return sp.Integer(int(label))
        if re.fullmatch(r"[A-Za-z]", label) and label not in self.indices and size.is_Symbol and \
                self.size_symbol(label) == size:
            return size
        return None

    def _matrix_entry(self, base: str, label: str) -> sp.Expr | None:
        """``\\Sigma_{jj}``, ``A_{ij}``, ``A_{i,j}`` of a known matrix, each index a running index or one of the
        letters i, j, k, l: the entry (None for anything else: Σ_{12} and Σ_{xz} stay names)."""
        if not label or base in self.indices:
            return None
        letters = [part.strip() for part in label.split(",")] if "," in label else list(label)
        if len(letters) != 2 or not all(self._index_letter(letter) or (letter.isdigit() and letter != "0") or
                                        self._size_letter(letter) for letter in letters):
            return None  # Σ_{12}, Σ_{1,2}: the entry (1, 2); Σ_{123}, Σ_1 and Σ_{xz} stay names
        matrix = self._matrix(base)
        if matrix is None or not _is_matrix(matrix) or matrix.shape[1] == 1 or matrix.shape[0] == 1:
            return None
        indices = [self._axis_index(letter, size) for letter, size in zip(letters, matrix.shape)]
        return Entry(matrix, *indices) if None not in indices else None  # Σ_{dd} of a d×d Σ; Σ_{nd}: a name

    def _size_letter(self, text: str) -> bool:
        """A letter that names a size (d, n, K) here, not a running index, vector or matrix: Σ_{dd}, x_d."""
        return len(text) == 1 and text.isalpha() and text not in self.indices and text not in self.shapes and \
            not self._index_letter(text) and (text in SIZE_NAMES or text in self.sizes)

    def _axis_index(self, text: str, size) -> sp.Expr | None:
        """The index ``text`` names along an axis of ``size``: a size letter only as that axis' size (None else)."""
        if self._size_letter(text):
            return self._fixed_index(text, sp.sympify(size))
        return self._index_value(text)

    def _index_letter(self, text: str) -> bool:
        """A running index, or i, j, k, l where no vector, matrix or non-integer number has that name."""
        if text in self.indices:
            return True
        declared = self.context.symbols.get(text)
        return text in FREE_INDEX_LETTERS and text not in self.shapes and (declared is None or declared.is_integer)

    def _index_value(self, text: str) -> sp.Expr:
        if text.isdigit():
            return sp.Integer(int(text))
        if text in self.indices:
            self.used_indices.add(text)
            return self.indices[text]
        declared = self.context.symbols.get(text)
        return declared if declared is not None else sp.Symbol(text, integer=True, positive=True)

    def _entry_subscript(self, value: sp.MatrixExpr, start: int) -> sp.Expr:
        """``(\\Sigma)_{jj}``, ``(\\Sigma^{-1})_{ij}``, ``(A\\mathbf{x})_i``: an entry of a vector or matrix
        expression (indices: running indices, i, j, k, l, or whole numbers)."""
        self.take()  # _
        if self.at("sym", "{"):
            self.take()
            texts = []
            while not self.at("sym", "}"):
                token = self.take()
                if token is None:
                    self.fail("an index subscript that is not closed", start)
                if not (token.kind == "sym" and token.text == ","):
                    texts.append(token.text)
            self.take()
        else:
            token = self.take()
            texts = [token.text] if token is not None else []
        letters = [c for text in texts for c in (list(text) if text.isalpha() else [text])]
        if value.shape[1] != 1 and len(letters) == 1 and re.fullmatch(r"[1-9]{2}", letters[0]):
            letters = list(letters[0])  # (A^T)_{12}: the entry (1, 2) of a matrix
        if value.shape[1] != 1 and len(letters) == 1 and re.fullmatch(r"[1-9][A-Za-z]|[A-Za-z][1-9]", letters[0]):
            letters = list(letters[0])  # (x x^T)_{1d}
        indices = [self._axis_index(t, size) if t.isdigit() or self._index_letter(t) or self._size_letter(t) else None
                   for t, size in zip(letters, value.shape)]
        if not letters or None in indices:
            self.fail("an entry of a vector or matrix needs indices that are running indices, i, j, k, l, whole "
                      "numbers or the size of its axis", start, self.last_end())
        vector = value.shape[1] == 1
        if len(letters) != (1 if vector else 2):
            what = "a vector takes one index" if vector else "a matrix takes two indices (write (A)_{ij})"
            self.fail(f"an entry of a {shape_text(value.shape)} {'vector' if vector else 'matrix'}: {what}", start,
                      self.last_end())
        for index, size in zip(indices, value.shape):
            if index.is_Integer and (index < 1 or (sp.sympify(size).is_Integer and index > size)):
                raise IllFormed(f"ill-formed: the index {index} lies outside 1..{sp.sstr(size)}",
                                self.text(start, self.last_end()).strip(), start, self.last_end())
        return Entry(value, indices[0], sp.Integer(1) if vector else indices[1])

    def _index_expression(self, label: str) -> sp.Expr | None:
        """``d+1-j``, ``j+1``, ``K-k``: a sum of ± integers, sizes and exactly one running index (coefficient ±1),
        as an integer expression; None for anything else."""
        terms = re.findall(r"([+-]?)([A-Za-z]|\d+)", label)
        if not terms or "".join(sign + term for sign, term in terms) != label:
            return None
        value, running = sp.S.Zero, 0
        for sign, term in terms:
            if term.isdigit():
                part = sp.Integer(int(term))
            elif term in self.indices:
                part, running = self.indices[term], running + 1
                self.used_indices.add(term)
            elif term.isalpha():
                part = self.size_symbol(term)  # d in x_{d+1-j}: an integer, the same symbol as the limit d
            else:
                return None
            value += -part if sign == "-" else part
        return value if running == 1 else None

    def _indexed_base(self, base: str, low: sp.Expr | None = None, high: sp.Expr | None = None) -> sp.IndexedBase:
        """The components of ``base``: real, positive when the document declares base (or its components) > 0 and
        the indices used (``low`` … ``high``) lie within the vector's declared size (σ_j > 0 for j = 1, …, d says
        nothing of σ_0 or σ_{d+1})."""
        if BINARY + base in self.shapes:
            return BinaryBase(base, integer=True, nonnegative=True)
        if UNIT + base in self.shapes:
            return UnitBase(base, positive=True)
        twin = BOLD_DECLARED + base in self.shapes and base in self.context.symbols  # a number μ beside the bold μ
        declared = [symbol for name, symbol in self.context.symbols.items()  # σ > 0 (but the number σ's), σ_j > 0
                    if (name == base and not twin) or re.fullmatch(re.escape(base) + r"_[a-z]", name)
                    and _covers_components(self.context.index_ranges.get(name), self.shapes.get(base))]
        within = self._within_size(base, low, high)
        sign = {"positive": True} if within and any(symbol.is_positive for symbol in declared) else \
            {"real": True, "nonzero": True} if within and any(symbol.is_nonzero for symbol in declared) else {"real": True}
        label = f"\\boldsymbol{{{base}}}" if twin else base  # the bold vector's components, not the number's
        return sp.IndexedBase(label, **sign)

    def _within_size(self, base: str, low: sp.Expr | None, high: sp.Expr | None) -> bool:
        """Whether the indices low … high of ``base``'s components provably lie in 1 … its size (True when no
        range is known: a component at an index of unknown range)."""
        if low is None and high is None:
            return True
        shape = self.shapes.get(base)
        last = [name.partition("_")[2] for name, symbol in self.context.symbols.items()
                if name.startswith(base + "_") and symbol.is_positive and re.fullmatch(r"[A-Za-z]", name.partition("_")[2])
                and name.partition("_")[2] not in FREE_INDEX_LETTERS]
        if shape is not None and shape[1] != 1:
            return False
        if shape is None and not last:
            return True  # σ_j > 0 of no vector declared: no size to hold the indices to
        size = sp.sympify(shape[0]) if shape is not None else dimension(last[0])  # σ_1, …, σ_d > 0: up to d
        return all(sp.simplify(difference).is_nonnegative is True
                   for difference in (sp.sympify(low) - 1, size - sp.sympify(high)))

    def _failure(self, reason: str) -> Unparsed:
        token = self.peek() or self.tokens[-1]
        return Unparsed(reason, self.text(token.start, token.end).strip(), token.start, token.end)

    def _matrix(self, name: str) -> sp.Expr | None:
        """The matrix expression ``name`` stands for, or None when it is (so far) a number."""
        plain, bold = plain_name(name)
        if plain in self.shapes or (bold and self.matrix_content):
            self._matrix_font_twin_check(plain, bold)
        definition = self.shapes.get(DEFINED + plain)
        if definition is not None and plain in self.shapes:
            value = _definition_value(definition[0], self.context, plain)
            if value is not None and tuple(value.shape) == tuple(self.shapes[plain]):
                return value  # Σ = diag(σ²) in the prose: Σ is diag(σ²)
        if not bold and BOLD_DECLARED + plain in self.shapes and plain in self.context.symbols:
            return None  # μ declared a number beside the bold vector μ: the number
        if plain in self.shapes:
            rows, cols = self.shapes[plain]
            if cols == 1 and plain in self.components:
                return Components(self._indexed_base(plain), rows)
            if UNREAD_PROPERTY + plain in self.shapes:
                return ConstrainedMatrix(plain, rows, cols)
            if _equal(rows, cols) and plain in self.context.definite:
                return Covariance(plain, rows, cols)
            if _equal(rows, cols) and DIAGONAL_MATRIX + plain in self.shapes:
                return self._declared_diagonal(plain, rows)
            triangle = next((side for side in ("lower", "upper") if TRIANGULAR[side] + plain in self.shapes), None)
            if _equal(rows, cols) and triangle is not None:
                return triangular(plain, rows, lower=triangle == "lower",
                                  positive_diagonal=POSITIVE_DIAGONAL + plain in self.shapes)
            if _equal(rows, cols) and plain in self.context.symmetric:
                return SymmetricMatrix(plain, rows, cols)
            if ORTHOGONAL_MATRIX + plain in self.shapes:
                return OrthogonalMatrix(plain, rows, cols)
            return sp.MatrixSymbol(plain, rows, cols)
        if name in self.declared or plain in self.context.symbols:
            if _identity_name(name) == "" and not bold and plain in self.context.symbols:
                return self.context.symbols[plain]  # I declared a number: that number, never the identity
            return None  # declared a number (σ > 0)
        size = _identity_name(name)
        if size is not None and (size or bold or self.matrix_content or IDENTITY_MARK in self.shapes):
            if size:
                return sp.Identity(dimension(size))
            if self._one_declared_size():
                return sp.Identity(self.identity_size())
            if not self._identity_size_known():
                self.bare_identities.add(self.i)
            return _BareIdentity(self.identity_size(), self.i)
        if _base(plain) in COVARIANCE_LETTERS:
            n = self.default_dimension()
            return sp.MatrixSymbol(plain, n, n)
        if bold and self.matrix_content:
            n = self.default_dimension()
            if _vector_letter(name) and plain in self.components:
                return Components(self._indexed_base(plain), n)  # σ of diag(σ²) with its σ_j
            return sp.MatrixSymbol(plain, n, 1 if _vector_letter(name) else n)
        return None

    def _matrix_font_twin_check(self, plain: str, bold: bool) -> None:
        """Σ and bold Σ (A and bold A) are one matrix only where the document never tells them apart: refuse a
        formula that writes both, or a name the document writes in both forms and declares apart (a bold vector
        μ beside a plain number μ is two things already: BOLD_DECLARED)."""
        key = re.sub(r"[{}\s\\]", "", plain)
        if BOLD_DECLARED + _base(plain) in self.shapes and _base(plain) in self.context.symbols:
            return
        forms = self.context.font_twins.get(key)
        here = key in self._formula_font_twins()
        if here or (forms is not None and APART in forms):
            shown = f"\\{plain}" if _base(plain) in GREEK else plain
            self.fail(f"{shown} and its bold form are read as one name, but "
                      f"{'this formula writes both' if here else 'the document tells them apart'}: write another "
                      "letter for one of them", self.tokens[0].start, self.tokens[-1].end)

    def _declared_diagonal(self, plain: str, size) -> Diagonal:
        """A matrix declared diagonal: diag(D_11, …, D_nn), its diagonal entries the components of an indexed D
        (positive where D ≻ 0 is declared too)."""
        positive = plain in self.context.definite
        base = sp.IndexedBase(plain, **({"positive": True} if positive else {"real": True}))
        return Diagonal(base[ENTRY_INDEX], ENTRY_INDEX, size)

    def default_dimension(self) -> sp.Expr:
        """The size of an undeclared vector: the one size of the declared vectors, else d."""
        sizes = {rows for name, (rows, cols) in self.shapes.items() if cols == 1 and name != IDENTITY_MARK and
                 not _scalar_function(name, (rows, cols))}
        return sizes.pop() if len(sizes) == 1 else DIMENSION

    def _identity_size_known(self) -> bool:
        """Whether a bare I has one sensible size here: that of the formula's square matrices, or the one size of
        every vector and matrix declared (else its neighbours must tell it, :class:`_BareIdentity`)."""
        mark = self.shapes.get(IDENTITY_MARK)
        if mark is not None and mark[0] is not None:
            return True
        sizes = {self.shapes[name][0] for name in self._names_in_tokens()
                 if name in self.shapes and _equal(*self.shapes[name]) and self.shapes[name][0] is not None}
        return len(sizes) == 1 or self._one_declared_size()

    def _one_declared_size(self) -> bool:
        """Whether every vector and matrix declared or learned has one size (all d): a bare I is then I_d."""
        declared = {size for name, shape in self.shapes.items() if not name.startswith("<") and shape[0] is not None
                    for size in shape if size != 1}
        return len(declared) <= 1

    def identity_size(self) -> sp.Expr:
        """The size of an identity written without one: that of the square matrices of its formula where they
        have one size (A ∈ ℝ^{n×n} in A^{-1}A = I), else the default dimension."""
        mark = self.shapes.get(IDENTITY_MARK)
        if mark is not None and mark[0] is not None:
            return mark[0]
        sizes = {self.shapes[name][0] for name in self._names_in_tokens()
                 if name in self.shapes and _equal(*self.shapes[name]) and self.shapes[name][0] is not None}
        return sizes.pop() if len(sizes) == 1 else self._the_declared_size() or self.default_dimension()

    def _the_declared_size(self) -> sp.Expr | None:
        """The one size (other than 1) of every vector and matrix declared, if there is one (A ∈ ℝ^{3×3} only: 3)."""
        declared = {size for name, shape in self.shapes.items() if not name.startswith("<") and shape[0] is not None
                    for size in shape if size != 1}
        return declared.pop() if len(declared) == 1 else None

    def divergence(self) -> sp.Expr:
        """D_{jj} of a matrix D the document declares: its entry, not a divergence D_{...}."""
        if "D" in self.shapes and not self._divergence_subscript():
            return self.identifier(self.take())
        return super().divergence()

    def _divergence_subscript(self) -> bool:
        saved = self.i
        try:
            self.take()
            return self.subscript_name() == "KL"
        except Unparsed:
            return True
        finally:
            self.i = saved

    def identifier(self, token: Token) -> sp.Expr:
        saved = self.i
        name = token.text
        declared_sizes = {sp.sstr(s) for rows, cols in self.context.shapes.values() for s in (rows, cols)
                          if isinstance(s, sp.Symbol)}  # D of x ∈ ℝ^D
        if ((self.limits and (name in SIZE_NAMES or name in {sp.sstr(s) for s in self._sizes()})) or
                name in self.sizes or (name in declared_sizes and name not in self.declared)) and \
                not self.at("sym", "_") and not self._opens("("):
            if self.limits and name not in self.sizes and name in self.read_names:
                raise _Learned(name, "size")  # N read before as a name: it is the size of the sum
            if self.limits and name not in self.sizes and token.kind == "word" and name.isupper():
                self.new_sizes.add(name)
            return self.size_symbol(name)
        if self.at("sym", "_"):
            try:
                name = f"{name}_{self.subscript_name()}"
            except Unparsed:
                self.i = saved
                return super().identifier(token)
        if name in self.indices:
            return self.indices[name]
        value = self._component(name)
        if value is None:
            value = self._matrix(name)
        if value is not None:
            self.bare = (plain_name(name)[0], self.i)
            return value
        self.i = saved
        value = super().identifier(token)
        if isinstance(value, NameRef) and not value.arguments:
            self.read_names.add(value.name)
        if isinstance(value, NameRef) and not value.arguments and value.name in self.new_sizes:
            raise _Learned(value.name, "size")
        if isinstance(value, NameRef) and not value.arguments and matrix_like(value.name) and \
                plain_name(value.name)[0] not in self.context.symbols:  # a declared count K is a number
            self.defaulted.add(plain_name(value.name)[0])
            self.bare = (plain_name(value.name)[0], self.i)
        elif isinstance(value, sp.Symbol):
            self.bare = (name, self.i)
        return value

    def _bold_matrix(self) -> sp.Expr | None:
        """The vector or matrix a bold name (with its subscript) stands for here; None (nothing read) when it is
        none: the scalar reader reads it then."""
        saved = self.i
        token = self.take()
        name = token.text
        if self.at("sym", "_"):
            try:
                name = f"{name}_{self.subscript_name()}"
            except Unparsed:
                self.i = saved
                return None
        value = self._component(name)
        if value is None:
            value = self._matrix(name)
        if value is None:
            self.i = saved
            return None
        self.bare = (plain_name(name)[0], self.i)
        return value

    def _juxtaposed_letters(self, token: Token) -> bool:
        """``ABC`` inside tr(...) or det(...), or of letters that are matrices: the product A·B·C."""
        text = token.text
        if len(text) > 2 and text.isalpha() and text.isupper() and not self.text(token.start, token.end).startswith(
                "\\") and (self.matrix_argument or all(c in self.shapes for c in text)):
            self.tokens[self.i:self.i + 1] = [Token("word", c, token.start + k, token.start + k + 1)
                                              for k, c in enumerate(text)]
            self.uses.clear()
            return True
        return super()._juxtaposed_letters(token)

    def _learn(self, name: str, shape: tuple):
        if _identity_name(name) is not None and plain_name(name)[0] not in self.context.symbols:
            name, shape = IDENTITY_MARK, (None, None)  # I^{-1}, I^T: the identity, never a matrix named I
        if name in self.shapes or len(self.shapes) > MAX_LEARNED + len(self.context.shapes):
            return
        raise _Learned(name, shape)

    def _learn_numbered(self, term, shape) -> None:
        """``μ_1 − μ_2`` or ``μ_1^T`` beside a vector μ ∈ ℝ^d: μ_1, read as a component of μ, is used as a vector
        (of ``shape``): it is then a vector of its own (the first of several μ's)."""
        coefficient, rest = term.as_coeff_Mul() if isinstance(term, sp.Mul) else (sp.Integer(1), term)
        if coefficient.is_Number and rest in self.numbered and shape is not None and shape[1] == 1:
            self._learn(self.numbered[rest], tuple(shape))

    def _learnable(self, expr) -> str | None:
        """The name of ``expr`` when it is a bare name read as a number by default (times a number)."""
        if isinstance(expr, sp.Mul):
            coefficient, rest = expr.as_coeff_Mul()
            if coefficient.is_Number:
                expr = rest
        if isinstance(expr, sp.Symbol) and expr.name in self.defaulted:
            return expr.name
        if isinstance(expr, NameRef) and not expr.arguments and plain_name(expr.name)[0] in self.defaulted:
            return plain_name(expr.name)[0]
        return None

    def _unknown_names(self, expr) -> set[str]:
        """The names in ``expr`` read as numbers only by default (undeclared letters, capitals, bold letters)."""
        found = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in self.defaulted}
        found |= {plain_name(ref.name)[0] for ref in expr.atoms(NameRef)
                  if not ref.arguments and plain_name(ref.name)[0] in self.defaulted}
        return found

    def _unknown_capitals(self, expr) -> set[str]:
        return {name for name in self._unknown_names(expr) if matrix_like(name)}

    # -- superscripts: transpose, inverse
    def atom(self) -> sp.Expr:
        if self.at("par"):
            return self.norm()
        zero = self._zero_matrix()
        if zero is not None:
            return zero
        start = self.here()
        self.bare = None
        value = self._vector_valued(super().atom())
        bare = self.bare if self.bare is not None and self.bare[1] == self.i else None
        if _is_matrix(value) and self.at("sym", "_") and bare is None:
            value = self._entry_subscript(value, start)  # (\Sigma)_{jj}, (A x)_i
        while self.at("sym", "^"):
            mark = self._matrix_superscript()
            if mark is not None and isinstance(value, Entry) and bare is not None:
                self.fail(f"ambiguous: `{self.text(start, self._superscript_end())}` may be an entry of the "
                          f"{'inverse' if mark[0] == '-1' else 'transpose'} or that of the entry: write "
                          "(\\Sigma^{-1})_{ij} or (\\Sigma_{ij})^{-1}", start, self._superscript_end())
            if mark is None:
                if _is_matrix(value):
                    value = self._matrix_power(value, start)
                    continue
                return value
            if not _is_matrix(value):
                if mark[0] == "-1" and not self._unknown_capitals(value):
                    return value  # x^{-1}, (1 + x)^{-1}: a power of a number
                if mark[0] == "T" and "Trace" in {type(a).__name__ for a in sp.preorder_traversal(value)} and \
                        _definitely_scalar(value, self):
                    self.i += mark[1]  # (x^T y)^T: the transpose of a 1×1 matrix is itself
                    continue
                if bare is not None and bare[0] in self.defaulted:
                    self._learn_from_superscript(bare[0], mark)
                for term in sp.Add.make_args(value) if mark[0] == "T" else ():
                    name = self._learnable(term)
                    if name is not None:
                        self._learn_from_superscript(name, mark)
                for term in sp.Add.make_args(value) if mark[0] == "T" else ():
                    self._learn_numbered(term, self.shapes.get(str(getattr(getattr(term, "base", None), "label", ""))))
                what = "a transpose" if mark[0] in ("T", "-T") else "an inverse"
                self.fail(f"{what} of `{self.text(start, self.last_end())}`, which is not known to be a vector or "
                          "a matrix: declare it ($x \\in \\mathbb{R}^d$, $A \\in \\mathbb{R}^{n\\times n}$)", start,
                          self._superscript_end())
            self.i += mark[1]
            value = self._apply_superscript(value, mark[0], start)
            bare = None
            if self.at("sym", "_"):
                self.fail("ambiguous: a subscript after a transpose or an inverse (\\Sigma^{-1}_{jj} displays as "
                          "\\Sigma_{jj}^{-1}): write (\\Sigma^{-1})_{jj} or (\\Sigma_{jj})^{-1}", start,
                          self.peek().end)
        return value

    def _zero_matrix(self) -> sp.Expr | None:
        """``O``, ``\\mathbf{O}``, ``O_n``, ``0_{m\\times n}``, ``\\mathbf{0}_{m\\times n}`` in a formula of matrices:
        the zero matrix of the size written (a bare one: square, sized by its neighbours like a bare I); None (nothing
        read) where the tokens are no such zero (O a declared name, O(n) a function)."""
        saved = self.i
        written = self._zero_mark()
        if written is None:
            return None
        subscript = self._zero_size() if self.at("sym", "_") else None
        if subscript is None and (written == "digit" or self.at("sym", "_")):
            self.i = saved
            return None
        if subscript is not None:
            rows, cols = subscript
            if written == "O" and _equal(cols, 1) and not _equal(rows, 1):
                cols = rows  # O_n: the n×n zero matrix
            return sp.ZeroMatrix(rows, cols)
        if written == "bold 0":
            return sp.ZeroMatrix(self.default_dimension(), 1)  # \mathbf{0}: the zero vector
        n = self.identity_size()
        return _BareZero(n, self.i)

    def _zero_mark(self) -> str | None:
        """"O", "bold 0" or "digit" for a zero matrix's letter at the current token (taken), else None."""
        token = self.peek()
        if token is None:
            return None
        if _bold_zero_at(self.tokens, self.i) or _bold_letter_at(self.tokens, self.i, "O"):
            digit = _bold_zero_at(self.tokens, self.i)
            if not digit and not self._zero_letter_free():
                return None
            self.i += 4 if self.at("sym", "{", 1) else 2
            return "bold 0" if digit else "O"
        if token.kind == "num" and token.text == "0" and self.at("sym", "_", 1):
            self.i += 1
            return "digit"
        if token.kind == "word" and plain_name(token.text)[0] == "O" and self._zero_letter_free() and \
                not self._opens_at("(", 1):
            self.i += 1
            return "O"
        return None

    def _zero_letter_free(self) -> bool:
        """Whether O is no name of the document here (declared, a number, a function) and the formula holds
        matrices, so that O is the zero matrix."""
        if "O" in self.shapes or "O" in self.context.symbols or "O" in self.declared or "O" in self.context.functions:
            return False
        return bool(self.matrix_content or IDENTITY_MARK in self.shapes)

    def _opens_at(self, symbol: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind in ("sym", "par") and token.text == symbol

    def _zero_size(self) -> tuple | None:
        """The size after ``_`` of a zero matrix: ``_n`` -> (n, 1), ``_{m\\times n}`` -> (m, n); None (none taken)."""
        saved = self.i
        self.i += 1  # _
        token = self.peek()
        if token is None:
            self.i = saved
            return None
        if token.text == "{":
            closing = next((k for k in range(self.i, len(self.tokens)) if self.tokens[k].text == "}"), None)
            if closing is None:
                self.i = saved
                return None
            inside = closing > self.i + 1
            text = self.text(self.tokens[self.i + 1].start, self.tokens[closing - 1].end) if inside else ""
            size = _size(text)
            if size is not None:
                self.i = closing + 1
                return size
        elif token.kind in ("word", "num"):
            size = _size(token.text)
            if size is not None:
                self.i += 1
                return size
        self.i = saved
        return None

    def _vector_valued(self, value):
        """f(z) of a function f that this formula (or the document) uses as vector-valued: matrices.VectorFunction."""
        if isinstance(value, AppliedUndef) and f"{value.func.__name__}()" in self.shapes:
            return VectorFunction(value.func.__name__, value.args, self.shapes[f"{value.func.__name__}()"][0])
        if isinstance(value, Density) and f"{value.family}()" in self.shapes and not value.given and \
                not value.label:  # f(z) read as a density f of z: the vector-valued f of this document
            arguments = [self._matrix(v.name) if isinstance(v, sp.Symbol) else None for v in value.variables]
            arguments = [a if a is not None else v for a, v in zip(arguments, value.variables)]
            return VectorFunction(value.family, arguments, self.shapes[f"{value.family}()"][0])
        return value

    def _learn_vector_function(self, term, shape: tuple) -> None:
        """``x - f(z)``, ``N(x; f(z), σ²I)``: f(z) added to a vector (or the mean of one) is a vector of its shape."""
        coefficient, rest = term.as_coeff_Mul() if isinstance(term, sp.Mul) else (sp.Integer(1), term)
        if isinstance(rest, AppliedUndef) and coefficient.is_Number and shape[1] == 1:
            self._learn(f"{rest.func.__name__}()", tuple(shape))
        if isinstance(rest, Density) and not rest.given and not rest.label and coefficient.is_Number and \
                shape[1] == 1 and all(plain_name(getattr(v, "name", ""))[0] in self.shapes for v in rest.variables):
            self._learn(f"{rest.family}()", tuple(shape))  # f(z) of a letter read as a density: a vector here

    def _learn_from_superscript(self, name: str, mark: tuple) -> None:
        n = self.default_dimension()
        if mark[0] == "T":
            self._learn(name, (n, 1) if _vector_letter(name) else (n, n))
        elif matrix_like(name):  # an inverse of an upper-case letter: a matrix
            self._learn(name, (n, n))

    def _matrix_superscript(self) -> tuple[str, int] | None:
        """("T" | "-1" | "-T", tokens taken with the ^) when a transpose or an inverse is written at ``^``."""
        texts = []
        for k in range(1, 7):
            token = self.peek(k)
            texts.append(None if token is None else (token.kind, token.text))
        single = texts[0]
        if single is not None and single[1] in TRANSPOSES and single[0] in ("word", "cmd"):
            self._refuse_numeric_t(single)
            return "T", 2
        if texts[:2] == [("cmd", "mathsf"), ("word", "T")]:
            return "T", 3
        if single != ("sym", "{"):
            return None
        closing = next((k for k, t in enumerate(texts) if t == ("sym", "}")), None)
        if closing is None:
            return None
        inner = texts[1:closing]
        if len(inner) == 1 and inner[0][1] in TRANSPOSES:
            self._refuse_numeric_t(inner[0])
            return "T", closing + 2
        if inner == [("cmd", "mathsf"), ("word", "T")]:
            return "T", closing + 2
        if inner == [("sym", "-"), ("num", "1")]:
            return "-1", closing + 2
        if len(inner) == 2 and inner[0] == ("sym", "-") and inner[1][1] in TRANSPOSES:
            return "-T", closing + 2
        return None

    def _refuse_numeric_t(self, mark: tuple) -> None:
        """``A^T`` where the prose makes T a number (T ≥ 2 steps, an integer T): a power or a transpose, ambiguous."""
        if mark != ("word", "T") or not number_t(self.context):
            return
        token = self.peek(1)
        start, end = (token.start, token.end) if token is not None else (self.base, self.base)
        raise Unparsed("ambiguous: T is a number in this document, so ^T may be a power or a transpose: write "
                       "A^\\top for the transpose or (A)^{T} for the power", "^T", start, end)

    def _superscript_end(self) -> int:
        mark = self._matrix_superscript()
        token = self.peek((mark[1] if mark else 2) - 1)
        return token.end if token else self.last_end()

    def _apply_superscript(self, value: sp.MatrixExpr, mark: str, start: int) -> sp.Expr:
        if mark == "T":
            return sp.Transpose(value)
        rows, cols = value.shape
        if not _equal(rows, cols):
            raise IllFormed(f"ill-formed: the inverse of a non-square {shape_text(value.shape)} matrix",
                            self.text(start, self.last_end()).strip(), start, self.last_end())
        inverse = self._inverse(value, start)
        return sp.Transpose(inverse) if mark == "-T" else inverse

    def _inverse(self, value: sp.MatrixExpr, start: int) -> sp.MatrixExpr:
        """value⁻¹; kept apart (:class:`ConditionalInverse`) where the document does not make value invertible
        and its free entries do not either (WᵀW of a d×k W, x xᵀ): sympy then never cancels value⁻¹ value. An
        inverse it may cancel (A⁻¹A reads as I) is noted where it is written (INVERSE_WRITTEN): a proof presumes
        it."""
        if isinstance(value, sp.ZeroMatrix) or value == 0:
            self.fail("the inverse of the zero matrix does not exist", start, self.last_end())
        singular = [m.name for m in value.atoms(sp.MatrixSymbol) if SINGULAR + m.name in self.shapes]
        if singular and _singular_with(value, singular):
            where = self.context.notes.get(("shape", SINGULAR + singular[0]), "")
            self.fail(f"the prose calls {singular[0]} singular{f' ({where})' if where else ''}: "
                      f"{sp.sstr(value)} has no inverse", start, self.last_end())
        columns, rows = full_rank_names(self.shapes)
        if inverse_condition(value, columns, rows) is not None:
            return ConditionalInverse(value)
        self.context.written_conditions[(start, self.last_end(), INVERSE_WRITTEN)] = value
        return sp.Inverse(value)

    def _matrix_power(self, value: sp.MatrixExpr, start: int) -> sp.Expr:
        self.take()  # ^
        exponent = self.script("exponent")
        end = self.last_end()
        if self.elementwise and value.shape[1] == 1 and exponent.is_Integer:
            return HadamardPower(value, exponent)
        rows, cols = value.shape
        if not _equal(rows, cols):
            self.fail(f"a power of a {shape_text(value.shape)} vector or matrix is not defined: write x^T x, "
                      "\\|x\\|^2 or x \\odot x", start, end)
        if not exponent.is_Integer:
            self.fail("a non-integer power of a matrix is not read", start, end)
        if exponent < 0:
            inverse = self._inverse(value, start)
            if isinstance(inverse, ConditionalInverse):
                return inverse if exponent == -1 else sp.MatPow(inverse, -exponent)
        return sp.MatPow(value, exponent)

    # -- sums and products of terms
    def _sum(self, terms: list) -> sp.Expr:
        matrices = [t for t in terms if _is_matrix(t)]
        if not matrices:
            return super()._sum(terms)
        sized = [t for t in matrices if not isinstance(t, (_BareIdentity, _BareZero))]
        if sized and any(isinstance(t, _BareZero) for t in matrices):  # A + O with A n×m: O_{n×m}
            terms = [sp.ZeroMatrix(*sized[0].shape) if isinstance(t, _BareZero) else t for t in terms]
            matrices = [t for t in terms if _is_matrix(t)]
        if sized and _equal(*sized[0].shape):  # A + I with A n×n: I_n
            for term in matrices:
                if isinstance(term, _BareIdentity):
                    self.sized_identities.add(term.position)
            terms = [sp.Identity(sized[0].shape[0]) if isinstance(t, _BareIdentity) else t for t in terms]
            matrices = [t for t in terms if _is_matrix(t)]
        vectors = [t for t in matrices if _ones_vector_of(t) is None and 1 in t.shape]
        if self.ones_defaulted and vectors:  # y + c1 with y ∈ ℝ^n: the ones of y's size
            terms = [_resized_ones(t, vectors[0].shape) if _is_matrix(t) else t for t in terms]
            matrices = [t for t in terms if _is_matrix(t)]
        shape = matrices[0].shape
        for term in terms:
            if _is_matrix(term):
                if not (_equal(term.shape[0], shape[0]) and _equal(term.shape[1], shape[1])):
                    self._ill_formed(f"a sum of shapes {shape_text(shape)} + {shape_text(term.shape)}")
                continue
            name = self._learnable(term)
            if name is not None:
                self._learn(name, tuple(shape))
            self._learn_vector_function(term, shape)
            self._learn_numbered(term, shape)
            if _definitely_scalar(term, self):
                self._ill_formed(f"a {shape_text(shape)} matrix added to a number: shapes {shape_text(shape)} + (1×1)")
            self.fail(f"cannot tell whether `{sp.sstr(term)}` is a number or a {shape_text(shape)} vector or matrix "
                      "(it is added to one): declare it", self.tokens[0].start, self.tokens[-1].end)
        return sp.MatAdd(*terms).doit(deep=False) if len(terms) > 1 else terms[0]

    def _ill_formed(self, what: str):
        start, end = self.tokens[0].start, self.tokens[-1].end
        raise IllFormed(f"ill-formed: {what}", self.text(start, end).strip(), start, end)

    def _product(self, factors: list) -> sp.Expr:
        matrices = [f for f in factors if _is_matrix(f)]
        unknown = [self._learnable(f) for f in factors]
        capitals = [name for name in unknown if name is not None and matrix_like(name)]
        if not matrices:
            if capitals and self.matrix_argument:
                n = self.default_dimension()
                self._learn(capitals[0], (n, n))
            if len(capitals) >= 2:
                shown = ", ".join(_shown(name) for name in capitals)
                self.fail(f"cannot tell whether the product of {shown} is of matrices or of numbers: declare them "
                          "($A \\in \\mathbb{R}^{d\\times d}$, or $A > 0$ for a number)", self.tokens[0].start,
                          self.tokens[-1].end)
            return super()._product(factors)
        seen_matrix = False
        for position, (factor, name) in enumerate(zip(factors, unknown)):
            if _is_matrix(factor):
                seen_matrix = True
                continue
            unknown_inside = self._unknown_names(factor) if name is None else set()
            if unknown_inside and (seen_matrix or any(matrix_like(n) for n in unknown_inside)):
                shown = ", ".join(sorted(_shown(n) for n in unknown_inside))
                self.fail(f"cannot tell whether `{sp.sstr(factor)}` is a number or a vector or matrix in this product "
                          f"(it has {shown}): declare them", self.tokens[0].start, self.tokens[-1].end)
            if name is not None and matrix_like(name):
                shape = self._neighbour_square(factors, position)
                if shape[0] != 1:
                    self._learn(name, shape)
                self.fail(f"cannot tell whether `{_shown(name)}` is a number or a matrix in this product: declare it "
                          f"(${_shown(name)} \\in \\mathbb{{R}}^{{d\\times d}}$, or ${_shown(name)} > 0$ for a number)",
                          self.tokens[0].start, self.tokens[-1].end)
            if name is not None and seen_matrix:
                self.fail(f"cannot tell whether `{_shown(name)}` is a number or a vector (it stands after a vector "
                          f"or matrix in a product): declare it ($y \\in \\mathbb{{R}}^d$) or write the number first",
                          self.tokens[0].start, self.tokens[-1].end)
        return self._matrix_product(factors)

    def _neighbour_square(self, factors: list, position: int) -> tuple:
        for step in (-1, 1):
            k = position + step
            while 0 <= k < len(factors):
                if _is_matrix(factors[k]):
                    n = factors[k].shape[1] if step < 0 else factors[k].shape[0]
                    return (n, n)
                k += step
        n = self.default_dimension()
        return (n, n)

    def _ones_sized_by_neighbours(self, factors: list) -> list:
        """Each vector of ones written without its size (1ᵀy, yᵀ1, A1) of the size its neighbour needs, where the
        default size does not fit: 1ᵀy = Σ_i y_i for y ∈ ℝ^n beside z ∈ ℝ^d."""
        matrices = [k for k, f in enumerate(factors) if _is_matrix(f)]
        out = list(factors)
        for place, k in enumerate(matrices):
            transposed = _ones_vector_of(out[k]) == "row"
            if _ones_vector_of(out[k]) is None:
                continue
            before = out[matrices[place - 1]] if place > 0 else None
            after = out[matrices[place + 1]] if place + 1 < len(matrices) else None
            fits_before = before is None or _equal(before.shape[1], out[k].shape[0])
            fits_after = after is None or _equal(out[k].shape[1], after.shape[0])
            if fits_before and fits_after:
                continue
            if transposed and fits_before and after is not None and after.shape[0] != 1:
                out[k] = sp.OneMatrix(1, after.shape[0])
            elif not transposed and fits_after and before is not None and before.shape[1] != 1:
                out[k] = sp.OneMatrix(before.shape[1], 1)
        return out

    def _sized_by_neighbours(self, factors: list) -> list:
        """Each bare identity of a product as the identity its neighbour needs: C I = I_m for C n×m, I C = I_n."""
        matrices = [k for k, f in enumerate(factors) if _is_matrix(f)]
        out = list(factors)
        for place, k in enumerate(matrices):
            if isinstance(factors[k], _BareZero):
                before = out[matrices[place - 1]] if place > 0 else None
                after = factors[matrices[place + 1]] if place + 1 < len(matrices) else None
                rows = before.shape[1] if before is not None else after.shape[0] if after is not None else None
                cols = after.shape[0] if after is not None else rows
                if rows is not None:
                    out[k] = sp.ZeroMatrix(rows, cols)
                continue
            if not isinstance(factors[k], _BareIdentity):
                continue
            before = next((out[j] for j in reversed(matrices[:place]) if not isinstance(out[j], _BareIdentity)), None)
            after = next((out[j] for j in matrices[place + 1:] if not isinstance(out[j], _BareIdentity)), None)
            size = before.shape[1] if before is not None else after.shape[0] if after is not None else None
            if size is not None:
                out[k] = sp.Identity(size)
                self.sized_identities.add(factors[k].position)
        return out

    def _matrix_product(self, factors: list) -> sp.Expr:
        factors = self._sized_by_neighbours(factors)
        if self.ones_defaulted:
            factors = self._ones_sized_by_neighbours(factors)
        scalars, matrices = [], []
        for factor in factors:
            if _is_matrix(factor):
                if matrices and not _equal(matrices[-1].shape[1], factor.shape[0]):
                    shapes = "".join(shape_text(m.shape) for m in matrices + [factor])
                    if tuple(functools.reduce(operator.mul, matrices).shape) == (1, 1):
                        self.fail(f"ambiguous: a 1×1 product followed by {shape_text(factor.shape)} ({shapes}): write "
                                  "the number in parentheses, (x^T A x) B", self.tokens[0].start, self.tokens[-1].end)
                    self._ill_formed(f"a product of incompatible shapes {shapes}")
                matrices.append(factor)
            else:
                scalars.append(factor)
        product = functools.reduce(operator.mul, matrices)
        if tuple(product.shape) == (1, 1):
            return _times(scalars + [scalar(product)])
        if not scalars:
            return product
        return sp.MatMul(_times(scalars), product).doit(deep=False) if scalars else product

    def _ratio(self, numerator, denominator) -> sp.Expr:
        if _is_matrix(denominator):
            self.fail(f"a division by a {shape_text(denominator.shape)} vector or matrix: write the inverse "
                      "(\\Sigma^{-1}) or the number", self.tokens[0].start, self.tokens[-1].end)
        if _is_matrix(numerator):
            return sp.MatMul(sp.Pow(denominator, -1), numerator).doit(deep=False)
        return super()._ratio(numerator, denominator)

    def fraction(self) -> sp.Expr:
        token = self.peek()
        saved = self.i
        value = super().fraction()
        if _has_matrix(value):
            self.i = saved
            self.take()
            what = f"\\{token.text}"
            numerator = self.braced(what, token.start) if self.at("sym", "{") else self.tex_argument(what, token.start)
            denominator = self.braced(what, token.start) if self.at("sym", "{") else \
                self.tex_argument(what, token.start)
            return self._ratio(numerator, denominator)
        return value

    def starts_factor(self) -> bool:
        if self.at("par"):  # 2\|x\|^2: a norm opens (not inside one, nor between the arguments of D_KL)
            return self.norm_depth == 0 and self.divergence_depth == 0
        return not self.at("cmd", "odot") and not self.at("cmd", "rangle") and not self.rebinds_open_index() and \
            super().starts_factor()

    def rebinds_open_index(self, offset: int = 0) -> bool:
        """``\\prod_{i=1}^N a_i \\prod_{i=1}^N b_i``: a \\sum or \\prod over the index of the one whose body is
        being read, at the top level of that body, ends the body: two factors (nested, the inner one would bind i
        again and leave the outer i unused in it)."""
        if not self.open_bodies or not (self.at("cmd", "sum", offset) or self.at("cmd", "prod", offset)):
            return False
        name, begin = self.open_bodies[-1]
        if self.i <= begin or _bracket_depth(self.tokens, begin, self.i) != 0:
            return False
        braced = self.at("sym", "{", offset + 2)
        letter = self.peek(offset + (3 if braced else 2))
        return self.at("sym", "_", offset + 1) and letter is not None and letter.kind == "word" and letter.text == name

    def divergence_arguments(self, start: int) -> sp.Expr:
        self.divergence_depth += 1
        try:
            value = super().divergence_arguments(start)
        finally:
            self.divergence_depth -= 1
        kinds = {isinstance(argument, MvNormal) for argument in value.args}
        if len(kinds) > 1:
            self.fail("D_KL between a normal of vectors and a density of a number", start, self.last_end())
        if kinds == {True} and value.args[0].variable.shape != value.args[1].variable.shape:
            self.fail("D_KL between normals of vectors of different sizes", start, self.last_end())
        return value

    def term(self) -> sp.Expr:
        value = super().term()
        return self._hadamard_tail(value) if self.at("cmd", "odot") else value

    def _hadamard_tail(self, value) -> sp.Expr:
        """``a \\odot b``: the elementwise product of two vectors or matrices of one shape."""
        operands = [value]
        while self.at("cmd", "odot"):
            self.take()
            operands.append(super().term())
        for operand in operands:
            if not _is_matrix(operand):
                name = self._learnable(operand)
                reference = next((o for o in operands if _is_matrix(o)), None)
                if name is not None and reference is not None:
                    self._learn(name, tuple(reference.shape))
                self.fail("\\odot of something that is not known to be a vector or matrix: declare it",
                          self.tokens[0].start, self.tokens[-1].end)
        shape = operands[0].shape
        for operand in operands[1:]:
            if not (_equal(operand.shape[0], shape[0]) and _equal(operand.shape[1], shape[1])):
                self._ill_formed(f"an elementwise product of shapes {shape_text(shape)} ⊙ {shape_text(operand.shape)}")
        return HadamardProduct(*operands)

    # -- tr, det, diag, |A|, \|x\|
    def word(self) -> sp.Expr:
        token = self.peek()
        written = self.text(token.start, token.end)
        if plain_name(token.text)[1] and _BOLD_NAME.fullmatch(token.text):
            value = self._bold_matrix()
            if value is not None:
                return value  # \mathbf{x}: a vector where the formula has matrix operations
        if token.text in TRACE_WORDS and written.startswith("\\"):
            return self.trace()
        if token.text in DETERMINANT_WORDS and written.startswith("\\"):
            return self.determinant()
        if token.text in DIAGONAL_WORDS and written.startswith("\\"):
            return self.diagonal()
        if token.text in COVARIANCE_WORDS and written.startswith("\\") and \
                (self.at("sym", "(", 1) or self.at("sym", "[", 1)) and self._law_inside(self.i + 1):
            return self.covariance_of()
        return super().word()

    def covariance_of(self) -> sp.Expr:
        """``\\mathrm{Cov}(\\mathbf{z})``, ``\\mathrm{Cov}[\\mu + L\\epsilon]``: E[(v − E v)(v − E v)ᵀ] over the
        law the prose states for the one random vector in v (z ~ N(μ, Σ), ε ~ N(0, I))."""
        start = self.take().start
        closing = self._matching(self.i)
        names = self._law_names(self.i, closing)
        if len(names) != 1:
            self.fail("Cov(…) of an expression without exactly one vector whose law the prose states "
                      "(z \\sim N(\\mu, \\Sigma)): not read", start, self.tokens[closing].end)
        density = self._declared_normal(self.context.vector_densities[(LAW, names.pop())], start)
        self.matrix_argument += 1
        try:
            argument = self.group()
        finally:
            self.matrix_argument -= 1
        if not _is_column(argument):
            self.fail("Cov(…) of something that is not a vector", start, self.last_end())
        centred = argument - MatrixExpectation(density, argument)
        return MatrixExpectation(density, centred * sp.Transpose(centred))

    def command(self) -> sp.Expr:
        token = self.peek()
        if _bold_zero_at(self.tokens, self.i):
            self.i += 4 if self.at("sym", "{", 1) else 2
            return sp.ZeroMatrix(self.default_dimension(), 1)  # \mathbf{0}: the zero vector
        if _bold_one_at(self.tokens, self.i):
            self.i += 4 if self.at("sym", "{", 1) else 2
            return sp.OneMatrix(self._ones_size(), 1)  # \mathbf{1}, \mathbf{1}_n: the vector of ones
        if token.text == "det":
            return self.determinant()
        if token.text == "tr":
            return self.trace()
        if token.text in ("sum", "prod"):
            return self.big_operator()
        if token.text == "odot":
            self.fail("`\\odot` without an operand before it")
        if token.text == "langle":
            return self.inner_product()
        return super().command()

    def inner_product(self) -> sp.Expr:
        """``\\langle \\mathbf{x}, \\mathbf{y} \\rangle``: xᵀy of two vectors of one size."""
        start = self.take().start
        self.matrix_argument += 1
        try:
            left = self.expression()
            self.expect("sym", ",", "between the vectors of ⟨x, y⟩", start)
            right = self.expression()
        finally:
            self.matrix_argument -= 1
        self.expect("cmd", "rangle", "to close ⟨x, y⟩", start)
        for side in (left, right):
            name = self._learnable(side)
            if name is not None and not _is_matrix(side):
                self._learn(name, (self.default_dimension(), sp.Integer(1)))
        if not all(_is_matrix(v) and v.shape[1] == 1 for v in (left, right)):
            self.fail("an inner product ⟨a, b⟩ of something that is not known to be a vector: declare it "
                      "($x \\in \\mathbb{R}^d$)", start, self.last_end())
        if not _equal(left.shape[0], right.shape[0]):
            self._ill_formed(f"an inner product of shapes {shape_text(left.shape)} and {shape_text(right.shape)}")
        return scalar(sp.Transpose(left) * right)

    def factor(self) -> sp.Expr:
        """A factor; ``\\mathbf{x} \\cdot \\mathbf{y}`` of two vectors of one size is the dot product xᵀy (and a
        vector \\times a vector, a cross product, is refused)."""
        value = super().factor()
        while _is_column(value) and (self.at("cmd", "cdot") or self.at("cmd", "times")):
            saved = self.i
            operator_token = self.take()
            other = super().factor()
            if _is_matrix(other) and not _is_column(other):  # x · A y: the dot's right operand is the product A y
                factors = [other]
                while self.peek() is not None and self.starts_factor() and not self.at("cmd", "cdot"):
                    factors.append(super().factor())
                other = self._product(factors) if len(factors) > 1 else other
            if not _is_column(other):
                self.i = saved
                break
            if operator_token.text == "times":
                self.fail("a cross product of vectors (\\times) is not read", self.tokens[0].start, self.last_end())
            if not _equal(other.shape[0], value.shape[0]):
                self._ill_formed(f"a dot product of shapes {shape_text(value.shape)} · {shape_text(other.shape)}")
            value = scalar(sp.Transpose(value) * other)
        return value

    def _ones_size(self) -> sp.Expr:
        """The size written after \\mathbf{1} (``\\mathbf{1}_n``), else the default dimension."""
        if self.at("sym", "_"):
            start = self.take().start
            label = self.take()
            if label.kind == "sym" and label.text == "{":
                label = self.take()
                self.expect("sym", "}", "to close the size of the vector of ones", start)
            if not (label.kind in ("word", "num") and re.fullmatch(r"[A-Za-z]|\d+", label.text)):
                self.fail("the size of a vector of ones must be a letter or a number", start, self.last_end())
            return dimension(label.text)
        self.ones_defaulted = True
        return self.default_dimension()

    def matrix_argument_of(self, what: str) -> tuple[sp.Expr, int]:
        token = self.take()
        start = token.start
        self.matrix_argument += 1
        try:
            if self.at("sym", "(") or self.at("sym", "[") or self.at("sym", "\\{"):
                argument = self.group()
            else:
                if self.peek() is None or not self.starts_factor():
                    self.fail(f"{what} without its argument", start)
                argument = self.power()
                if self.starts_factor():
                    self.fail(f"ambiguous: does {what} apply to `{self.text(token.end, self.last_end()).strip()}` only "
                              "or to the product that follows? Use parentheses", start, self._factor_end())
        finally:
            self.matrix_argument -= 1
        return argument, start

    def trace(self) -> sp.Expr:
        argument, start = self.matrix_argument_of("the trace")
        return self._trace_of(argument, start)

    def _trace_of(self, argument, start: int) -> sp.Expr:
        if not _is_matrix(argument):
            name = self._learnable(argument)
            if name is not None:
                n = self.default_dimension()
                self._learn(name, (n, n))
            if _definitely_scalar(argument, self):
                return argument  # the trace of a 1×1 matrix (x^T A x) is its entry
            self.fail("the trace of something that is not known to be a matrix: declare it "
                      "($A \\in \\mathbb{R}^{d\\times d}$)", start, self.last_end())
        rows, cols = argument.shape
        if not _equal(rows, cols):
            raise IllFormed(f"ill-formed: the trace of a non-square {shape_text(argument.shape)} matrix",
                            self.text(start, self.last_end()).strip(), start, self.last_end())
        return sp.Trace(argument)

    def determinant(self) -> sp.Expr:
        argument, start = self.matrix_argument_of("the determinant")
        return self._determinant_of(argument, start)

    def _determinant_of(self, argument, start: int) -> sp.Expr:
        if not _is_matrix(argument):
            name = self._learnable(argument)
            if name is not None:
                n = self.default_dimension()
                self._learn(name, (n, n))
            self.fail("the determinant of something that is not known to be a matrix: declare it "
                      "($A \\in \\mathbb{R}^{d\\times d}$)", start, self.last_end())
        rows, cols = argument.shape
        if not _equal(rows, cols):
            raise IllFormed(f"ill-formed: the determinant of a non-square {shape_text(argument.shape)} matrix",
                            self.text(start, self.last_end()).strip(), start, self.last_end())
        if isinstance(argument, sp.MatrixSymbol) and SINGULAR + argument.name in self.shapes:
            return sp.Integer(0)  # det A of a matrix the prose calls singular: 0 (1/det A has no value)
        return sp.Determinant(argument)

    def diagonal(self) -> sp.Expr:
        token = self.take()
        start = token.start
        if not (self.at("sym", "(") or self.at("sym", "[") or self.at("sym", "\\{")):
            self.fail("diag needs its argument in parentheses: \\mathrm{diag}(\\sigma^2)", start)
        if self._top_level_comma():
            return self._diagonal_list(start)
        self.matrix_argument += 1
        self.elementwise += 1
        try:
            argument = self.group()
        finally:
            self.matrix_argument -= 1
            self.elementwise -= 1
        if not _is_matrix(argument):
            name = self._learnable(argument)
            if name is not None:
                self._learn(name, (self.default_dimension(), 1))
            base = argument.base if isinstance(argument, sp.Pow) else None
            if isinstance(base, sp.Symbol) and base.name in self.defaulted:
                self._learn(base.name, (self.default_dimension(), 1))
            self.fail("diag of something that is not known to be a vector: declare it ($\\sigma \\in \\mathbb{R}^d$)",
                      start, self.last_end())
        if argument.shape[1] != 1 and _equal(*argument.shape) and self.at("sym", "_"):
            return self._diagonal_entry(argument, start)  # diag(Σ)_j = Σ_jj
        if argument.shape[1] != 1 and _equal(*argument.shape):
            self.fail("diag of a square matrix: the vector of its diagonal entries or the diagonal matrix of them? "
                      "Write its entries (\\mathrm{diag}(\\Sigma)_j, \\Sigma_{jj})", start, self.last_end())
        if argument.shape[1] != 1:
            raise IllFormed(f"ill-formed: diag of a {shape_text(argument.shape)} matrix (diag takes a vector or a "
                            "square matrix)", self.text(start, self.last_end()).strip(), start, self.last_end())
        for vector in argument.atoms(sp.MatrixSymbol):
            if vector.shape[1] == 1 and vector.name not in self.components:
                raise _Learned(vector.name, None)  # diag(σ²): the diagonal of the components σ_j²
        entry = _entry(argument, ENTRY_INDEX)
        if entry is None:
            self.fail("cannot read this diag(...) entry by entry", start, self.last_end())
        return Diagonal(entry, ENTRY_INDEX, argument.shape[0])

    def _top_level_comma(self) -> bool:
        closing = self._matching(self.i)
        if closing is None:
            return False
        depth = 0
        for token in self.tokens[self.i + 1:closing]:
            if token.kind == "sym" and token.text in ("(", "[", "{", "\\{"):
                depth += 1
            elif token.kind == "sym" and token.text in (")", "]", "}", "\\}"):
                depth -= 1
            elif depth == 0 and token.kind == "sym" and token.text == ",":
                return True
        return False

    def _diagonal_list(self, start: int) -> sp.Expr:
        """``\\mathrm{diag}(\\sigma_1^2, \\dots, \\sigma_d^2)``: the first and the last entry, written in the
        components x_1 and x_n of one pattern, make diag(x_j²) of size n; any other list is refused."""
        closing = OPEN[self.take().text]
        first = self.expression()
        self.expect("sym", ",", "after the first entry of diag(…)", start)
        if not (self.at("cmd", "dots") or self.at("cmd", "ldots") or self.at("cmd", "cdots")):
            self.fail("diag(a, b, …) of listed entries is read only as diag(x_1, \\dots, x_n)", start, self.last_end())
        self.take()
        self.expect("sym", ",", "after \\dots in diag(…)", start)
        last = self.expression()
        self.expect("sym", closing, "to close diag(…)", start)
        firsts = {s.name.rsplit("_", 1)[0]: s for s in first.free_symbols if isinstance(s, sp.Symbol)
                  and s.name.endswith("_1")}
        firsts.update({str(c.base.label): c for c in first.atoms(sp.Indexed) if c.indices == (1,)})  # σ_1 of a vector σ
        lasts = {s.name.rsplit("_", 1)[0]: s for s in last.free_symbols if isinstance(s, sp.Symbol)
                 and "_" in s.name and s.name.rsplit("_", 1)[1].isalpha()}
        lasts.update({str(c.base.label): c for c in last.atoms(sp.Indexed) if c.indices[0].is_Symbol})
        sizes = {str(lasts[b].indices[0]) if isinstance(lasts[b], sp.Indexed) else lasts[b].name.rsplit("_", 1)[1]
                 for b in lasts}
        if not firsts or set(firsts) != set(lasts) or len(sizes) != 1:
            self.fail("diag(…) of a list whose first and last entries are not x_1 and x_n of one pattern", start,
                      self.last_end())
        size = self.size_symbol(sizes.pop())
        bases = {b: self._indexed_base(_plain_symbol_name(b)) for b in firsts}
        entry = first.xreplace({firsts[b]: bases[b][ENTRY_INDEX] for b in firsts})
        if entry.xreplace({ENTRY_INDEX: size}) != last.xreplace({lasts[b]: bases[b][size] for b in lasts}):
            self.fail("diag(…) of a list whose first and last entries do not follow one pattern", start,
                      self.last_end())
        self.component_bases.update(_plain_symbol_name(b) for b in firsts)
        return Diagonal(entry, ENTRY_INDEX, size)

    def _diagonal_entry(self, matrix: sp.MatrixExpr, start: int) -> sp.Expr:
        """``\\mathrm{diag}(\\Sigma)_j``: the j-th diagonal entry Σ_jj (one index: the vector of diagonal entries
        and the diagonal matrix agree there only as Σ_jj)."""
        entry = self._entry_subscript(sp.MatrixSymbol("_", matrix.shape[0], 1), start)
        index = entry.row
        return Entry(matrix, index, index)

    def absolute(self) -> sp.Expr:
        """``|\\Sigma|``: the determinant when its argument is a matrix; a number's absolute value otherwise."""
        opening = self.peek()
        saved = self.i
        if opening.text in ("|", OPENING_BAR):
            self.take()
            self.matrix_argument += 1
            self.absolute_depth += 1  # inside, a bar closes
            try:
                inner = self.expression()
            except Unparsed:
                inner = None
            finally:
                self.matrix_argument -= 1
                self.absolute_depth -= 1
            closing = self.peek()
            if _is_matrix(inner) and closing is not None and closing.kind == "mid" and \
                    closing.text in ("|", CLOSING_BAR):
                self.take()
                if inner.shape[1] == 1 or inner.shape[0] == 1:
                    self.fail("|x| of a vector: write the norm \\|x\\|", opening.start, self.last_end())
                return self._determinant_of(inner, opening.start)
            self.i = saved
        return super().absolute()

    def norm(self) -> sp.Expr:
        """``\\|x\\|``, ``\\|x\\|^2``, ``\\|x\\|_2^2`` (= xᵀx): the Euclidean norm of a vector."""
        opening = self.take()
        start = opening.start
        self.matrix_argument += 1
        self.norm_depth += 1
        outer_divergence, self.divergence_depth = self.divergence_depth, 0
        try:
            inner = self.expression()
        finally:
            self.matrix_argument -= 1
            self.norm_depth -= 1
            self.divergence_depth = outer_divergence
        if not self.at("par"):
            self.fail("a norm \\|...\\| that is not closed", start)
        self.take()
        if self.at("sym", "_"):
            self.take()
            label = self.take()
            if label.kind == "sym" and label.text == "{":
                label = self.take()
                self.expect("sym", "}", "to close the subscript of the norm", start)
            if label.text != "2":
                self.fail(f"only the Euclidean norm \\|x\\|_2 is read, not the {label.text}-norm", start, self.last_end())
        if not _is_matrix(inner):
            name = self._learnable(inner)
            if name is not None:
                self._learn(name, (self.default_dimension(), 1))
            self.fail("the norm of something that is not known to be a vector: declare it ($x \\in \\mathbb{R}^d$)",
                      start, self.last_end())
        if inner.shape[1] != 1:
            self.fail(f"the norm of a {shape_text(inner.shape)} matrix is not read (only vectors)", start,
                      self.last_end())
        squared = scalar(sp.Transpose(inner) * inner)
        if self.at("sym", "^") and self._exponent_two():
            self.i += 2 if self.at("num", "2", 1) else 4
            return squared
        return sp.sqrt(squared)

    def _exponent_two(self) -> bool:
        return self.at("num", "2", 1) or (self.at("sym", "{", 1) and self.at("num", "2", 2) and self.at("sym", "}", 3))

    # -- functions of matrices, log det
    def function(self) -> sp.Expr:
        token = self.peek()
        if token.text in ("log", "ln") and self._determinant_follows():
            start = self.take().start
            value = self.power()
            if not isinstance(value, sp.Determinant):
                self.fail("cannot read this log-determinant", start, self.last_end())
            if not self._positive_determinant(value.args[0]):
                self.fail(f"log det of `{sp.sstr(value.args[0])}`, which is not declared positive definite: declare it "
                          "(\"$A$ is a positive definite matrix\", $A \\succ 0$)", start, self.last_end())
            return sp.log(value)
        saved = self.i
        try:
            return super().function()
        except Unparsed as error:
            if token.text not in ("log", "ln") or "logarithm" not in error.reason:
                raise
            self.i = saved
            value = self._log_of_determinants()
            if value is None:
                raise
            return value

    def _log_of_determinants(self) -> sp.Expr | None:
        """``\\log\\frac{\\det\\Sigma_2}{\\det\\Sigma_1}``, ``\\log(1 - \\hat x_j)``: a log whose argument is
        positive because its determinants are those of positive definite matrices and its components x̂_j of a
        vector in (0, 1)^D are 1/(1 + w) for some w > 0 (None when it is not)."""
        token = self.take()
        if self.at("sym", "_") or self.at("sym", "^"):
            return None
        argument = self.function_argument(token.start, self.text(token.start, token.end))
        determinants = {det: sp.Dummy(positive=True) for det in argument.atoms(sp.Determinant)
                        if self._positive_determinant(det.args[0])}
        units = {u: 1 / (1 + sp.Dummy(positive=True)) for u in argument.atoms(sp.Indexed, sp.Symbol)
                 if isinstance(getattr(u, "base", None), UnitBase) or
                 (isinstance(u, sp.Symbol) and UNIT + u.name.partition("_")[0] in self.shapes and "_" in u.name)}
        if not (determinants or units) or \
                sp.factor(argument.xreplace(determinants).xreplace(units)).is_positive is not True:
            return None
        return sp.log(argument)

    def _determinant_follows(self) -> bool:
        following = self.peek(1)
        if following is None:
            return False
        if following.kind == "cmd" and following.text == "det":
            return True
        if following.kind == "word" and following.text in DETERMINANT_WORDS:
            return self.text(following.start, following.end).startswith("\\")
        if following.kind == "mid":
            j = self.i + 2
            name = self._name_at(j) if j < len(self.tokens) else None
            return name is not None and self._matrix(name[0]) is not None
        return False

    def _positive_determinant(self, matrix) -> bool:
        """det M > 0: M positive definite (:meth:`_definite`), triangular with a positive diagonal (or its
        transpose or inverse), or a product of such factors."""
        if isinstance(matrix, (sp.Transpose, sp.Inverse)) and isinstance(matrix.args[0], TriangularMatrix):
            matrix = matrix.args[0]
        if isinstance(matrix, TriangularMatrix) and matrix.positive_diagonal:
            return True
        if isinstance(matrix, sp.MatMul):
            coefficient, factors = matrix.as_coeff_matrices()
            if coefficient.is_positive is True and all(self._positive_determinant(f) for f in factors):
                return True
        return self._definite(matrix)

    def _definite(self, matrix) -> bool:
        """M positive definite: declared (or a covariance letter), the identity, a diagonal of positive entries,
        the inverse or transpose of one, a positive multiple of one, a sum of them."""
        if isinstance(matrix, sp.Identity):
            return True
        if isinstance(matrix, sp.MatrixSymbol):
            return matrix.name in self.context.definite or _base(matrix.name) in COVARIANCE_LETTERS
        if isinstance(matrix, (sp.Inverse, sp.Transpose)):
            return self._definite(matrix.args[0])
        if isinstance(matrix, Diagonal):
            return matrix.entry.is_positive is True
        if isinstance(matrix, sp.MatMul):
            coefficient, factors = matrix.as_coeff_matrices()
            if coefficient.is_positive is True and len(factors) == 3 and isinstance(factors[0], OrthogonalMatrix) and \
                    _equal(*factors[0].shape) and factors[2] == sp.Transpose(factors[0]):
                return self._definite(factors[1])  # Q A Qᵀ of an orthogonal Q: congruent to A
            return coefficient.is_positive is True and len(factors) == 1 and self._definite(factors[0])
        if isinstance(matrix, sp.MatAdd):
            return all(self._definite(term) for term in matrix.args)
        return False

    def function_argument(self, start: int, written: str) -> sp.Expr:
        argument = super().function_argument(start, written)
        if _is_matrix(argument):
            self.fail(f"{written} of a {shape_text(argument.shape)} vector or matrix is not defined (a function of "
                      "a matrix is not read)", start, self.last_end())
        return argument

    def density_variable(self, start: int) -> sp.Symbol:
        value = super().density_variable(start)
        if _is_matrix(value) or isinstance(value, sp.Indexed):
            self.fail("a density of a vector or of a component x_i is not read yet (only of a scalar variable)", start,
                      self._group_end(")"))
        return value

    def call_arguments(self, start: int, named: bool = False) -> list[sp.Expr]:
        """The arguments of ``\\mathcal{L}(\\mathbf{x})``: a bold name that is a vector only by default (not
        declared) is the symbol x there, as in the densities p(x | z) the named quantity's definition holds."""
        arguments = super().call_arguments(start, named)
        if not named:
            return arguments
        return [Parser.symbol(self, a.name) if isinstance(a, sp.MatrixSymbol) and a.name not in self.shapes else a
                for a in arguments]

    def subscript_density(self, start: int) -> sp.Expr:
        """``E_{\\boldsymbol\\epsilon}``, ``E_\\epsilon`` of a vector whose law the prose states (ε ~ N(0, I)): that
        Gaussian; anything else as the scalar reader reads it."""
        braced = self.at("sym", "{")
        k = self.i + (1 if braced else 0)
        named = self._name_at(k) if k < len(self.tokens) else None
        if named is not None:
            name, after = plain_name(named[0])[0], named[1]
            closed = not braced or (after < len(self.tokens) and self.tokens[after].kind == "sym" and
                                    self.tokens[after].text == "}")
            law = self.context.vector_densities.get((LAW, name)) if closed else None
            if law is not None:
                self.i = after + (1 if braced else 0)
                return self._declared_normal(law, start)
            if closed and (LAW, name) in self.context.vector_densities:
                self.fail(f"E over {_shown(name)}: the prose states two laws of {_shown(name)}; name the density "
                          "(E_{q(z\\mid x)})", start, self.tokens[min(after, len(self.tokens) - 1)].end)
        return super().subscript_density(start)

    def expectation(self) -> sp.Expr:
        """``\\mathbb{E}_q[(x - \\mu)(x - \\mu)^\\top]``: the expectation of a matrix is a matrix
        (matrices.MatrixExpectation), over a Gaussian of vectors only."""
        start = self.here()
        used = len(self.conditioned_laws)
        value = self._expectation_over_the_law() if self.at("sym", "[", 1) else None
        if value is None:
            value = super().expectation()
        if not isinstance(value, Expectation):
            return value  # E over samples z_1, …, z_K (the sums engine's)
        inside = set(self.conditioned_laws[used:])
        over = {getattr(v, "name", sp.sstr(v)) for v in getattr(value.density, "variables", ())}
        if inside & over:
            self.fail(f"an expectation over {', '.join(sorted(inside & over))} of a density declared N(...) given it: "
                      "its mean and covariance depend on it, which the declaration does not say", start,
                      self.last_end())
        if not _is_matrix(value.body) or tuple(value.body.shape) == (1, 1):
            return value
        if not isinstance(value.density, MvNormal):
            self.fail("the expectation of a vector or matrix over a density that is not a declared Gaussian of "
                      "vectors is not read", start, self.last_end())
        return MatrixExpectation(value.density, value.body)

    def _law_names(self, opening: int, closing: int | None) -> set[str]:
        """The vectors between the brackets at ``opening`` and ``closing`` whose law the prose states."""
        names = set()
        for k in range(opening + 1, closing if closing is not None else opening):
            named = self._name_at(k)
            name = plain_name(named[0])[0] if named is not None else ""
            if named is not None and self.context.vector_densities.get((LAW, name)) is None and \
                    (LAW, name) not in self.context.vector_densities:
                name = name.partition("_")[0]  # z_j, z_1 of a vector z: its law
            if named is not None and self.context.vector_densities.get((LAW, name)) is not None:
                names.add(name)
        return names

    def _law_inside(self, opening: int) -> bool:
        return bool(self._law_names(opening, self._matching(opening)))

    def _expectation_over_the_law(self) -> Expectation | None:
        """``\\mathbb{E}[\\mathbf{x}^\\top A \\mathbf{x}]`` without a subscript: over the law the prose states for
        the one vector in the brackets that has one (x ~ N(μ, Σ)); None (nothing taken) when none has one."""
        closing = self._matching(self.i + 1)
        if closing is None:
            return None
        names = self._law_names(self.i + 1, closing)
        if not names:
            return None
        start = self.take().start
        if len(names) > 1:
            self.fail(f"E[...] without a subscript over {', '.join(sorted(_shown(n) for n in names))}, each with a law "
                      "of its own: name the distribution (E_{x \\sim N(\\mu, \\Sigma)})", start,
                      self.tokens[closing].end)
        law = self.context.vector_densities[(LAW, names.pop())]
        density = self._declared_normal(law, start)
        self.take()  # [
        body = self.expression()
        self.expect("sym", "]", "to close E[...]", start)
        return Expectation(density, body)

    # -- densities of vectors
    def density(self, token: Token | None = None) -> sp.Expr:
        """``q(\\mathbf{x})``, ``q_\\phi(\\mathbf{z} \\mid \\mathbf{x})``: a density of a vector. Declared Gaussian
        (``context.vector_densities``) with these variables, it is the engine's MvNormal; any other density of a
        vector is a vocab.Density of the vector (opaque: the engine uses only linearity of E over it)."""
        token = token or self.take()
        saved = self.i
        try:
            return super().density(token)
        except Unparsed as error:
            if "density of a vector" not in error.reason:
                raise
        self.i = saved
        start, family = token.start, (density_letter_of(token) or token.text)
        label = self.subscript_name() if self.at("sym", "_") else ""
        if not self._opens("("):
            return self.bare_density(family, label)
        self.take()
        variables, given = [self._density_vector(start)], []
        while self.at("sym", ","):
            self.take()
            variables.append(self._density_vector(start))
        if self.at("mid"):
            self.take()
            given.append(self._density_vector(start))
            while self.at("sym", ","):
                self.take()
                given.append(self._density_vector(start))
        self.expect("sym", ")", "to close the density", start)
        if len(set(variables) | set(given)) != len(variables) + len(given):
            self.fail("a variable appears twice in a density", start, self.last_end())
        law = self.context.vector_densities.get((family, label, tuple(_written_name(v) for v in given)),
                                                self.context.vector_densities.get((family, label)))
        if law is not None and [_written_name(v) for v in variables] == [law[0]] and \
                [_written_name(v) for v in given] == list(law[1]):
            return self._declared_normal(law, start, Density(family, variables, given, label))
        if law is not None and [_written_name(v) for v in variables] == [law[0]]:  # p(z) beside p(z|c) = N(..)
            self.fail(f"{family}{'_' + label if label else ''} is declared N(...) of {law[0]}"
                      f"{' given ' + ', '.join(law[1]) if law[1] else ''}: here it is written with other variables",
                      start, self.last_end())
        return Density(family, variables, given, label)

    def _density_vector(self, start: int) -> sp.Symbol:
        """A variable of a density of vectors: named by a symbol (the density is opaque, a vocab.Density of
        symbols; the engine tells the vector z from the symbol's name, matrices._mentions)."""
        if variable_end(self.tokens, self.i) is None:
            self.fail("the arguments of a density must be variables", start, self._group_end(")"))
        name = plain_name(self.variable_name())[0]
        if self._component_name(name):
            self.fail("a density of a component x_i is not read yet (only of a scalar variable or a vector)", start,
                      self._group_end(")"))
        if name in self.shapes and self.shapes[name][1] != 1:
            self.fail(f"a density of the matrix {_shown(name)} is not read", start, self._group_end(")"))
        return Parser.symbol(self, name)

    def _component_name(self, name: str) -> bool:
        _, _, label = name.partition("_")
        return bool(label) and label in self.indices

    def bare_density(self, family: str, label: str) -> sp.Expr:
        law = self.context.vector_densities.get((family, label))
        if law is not None:
            name = Density(family, [Parser.symbol(self, law[0])], [Parser.symbol(self, g) for g in law[1]], label)
            return self._declared_normal(law, self.tokens[max(self.i - 1, 0)].start, name)
        return super().bare_density(family, label)

    def _declared_normal(self, law: tuple, start: int, written: Density | None = None) -> sp.Expr:
        """The MvNormal of a density declared ``q(\\mathbf{z}) = \\mathcal{N}(\\mu, \\Sigma)``, read with the
        context of this formula; ``written``: the density it is (p(z): the prior of the model p, for Bayes' rule)."""
        name, given, mean_text, covariance_text, _ = law
        self.conditioned_laws.extend(given)  # q(z|x) = N(μ, Σ) at one x: no expectation over x of it
        variable = self._matrix(name)
        if variable is None or variable.shape[1] != 1:
            self.fail(f"the variable {_shown(name)} of a Gaussian density is not known to be a vector", start)
        n = variable.shape[0]
        mean_text = re.split(r";|\\mid\b|(?<!\\)\|", mean_text)[-1]
        mean = self._law_part(mean_text, start, (n, sp.Integer(1)))
        covariance = self._law_part(covariance_text, start, (n, n))
        end = self.last_end()
        normal = self._normal(variable, mean, covariance, start, end)
        if written is not None and isinstance(normal, MvNormal):
            return MvNormal(normal.variable, normal.mean, normal.cov, written)
        return normal

    def _law_part(self, text: str, start: int, shape: tuple) -> sp.Expr:
        stripped = text.strip()
        if re.fullmatch(r"0|\\(?:mathbf|boldsymbol|bm)\s*\{\s*0\s*\}", stripped):
            return sp.ZeroMatrix(*shape)
        named = _name_of(stripped)
        if shape[1] != 1 and ((named is not None and _identity_name(named) is not None) or
                              re.fullmatch(r"\\(?:mathbf|boldsymbol|bm|mathbb)\s*\{\s*I\s*\}", stripped)):
            size = _identity_name(named) if named else ""
            if size and not _equal(dimension(size), shape[0]):
                self.fail(f"N(...) of a vector of size {sp.sstr(shape[0])} with the identity I_{size}", start)
            return sp.Identity(shape[0])
        context = self.context.copy()  # with what this formula's use taught (μ_j: μ is its components)
        context.shapes.update(self.shapes)
        context.components |= set(self.components)
        context.sizes |= set(self.sizes)
        if shape[1] != 1:
            context.shapes[IDENTITY_MARK] = (shape[0], shape[0])  # σ² I of the law of an n-vector: I_n
        reader = Parser(tokenize(stripped), stripped, context, 0)
        try:
            return read(reader) if wanted(reader) else reader.parse()
        except Unparsed as error:
            self.fail(f"cannot read the declared law's `{stripped}`: {error.reason}", start)

    def normal_parts(self):
        """``\\mathcal{N}(x; \\mu, \\Sigma)`` with vectors: (variable, mean, covariance, start, end), read here;
        a scalar N(mean, variance) is read by the scalar reader."""
        if not self._multivariate_ahead():
            return super().normal_parts()
        start = self.take().start
        self.take()  # (
        first = self.expression()
        variable = None
        if self.at("sym", ";") or self.at("mid"):
            self.take()
            variable, first = first, self.expression()
        self.expect("sym", ",", "between the mean and the covariance of N(...)", start)
        covariance = self.expression()
        self.expect("sym", ")", "to close N(...)", start)
        return variable, first, covariance, start, self.last_end()

    def _multivariate_ahead(self) -> bool:
        if not (self.at("sym", "(", 1)):
            return False
        end = self._matching(self.i + 1)
        if end is None:
            return False
        for k in range(self.i + 2, end):
            token, following = self.tokens[k], self.tokens[k + 1]
            name, bold = plain_name(token.text)
            if token.kind in ("word", "cmd") and (name in self.shapes or _base(name) in COVARIANCE_LETTERS or
                                                  (name == "I" and (bold or following.text == "_" or
                                                                    self.matrix_content))):
                return True
            if token.kind == "cmd" and token.text in ("top", "intercal"):
                return True
            if _bold_zero_at(self.tokens, k):
                return True
        return False

    def _distributions(self) -> tuple:
        return super()._distributions() + (MvNormal,)

    def _normal(self, variable, mean, variance, start: int, end: int):
        if not any(_has_matrix(e) for e in (variable, mean, variance)):
            return super()._normal(variable, mean, variance, start, end)
        sized = next((e.shape[0] for e in (variable, mean) if _is_matrix(e) and not isinstance(e, _BareIdentity)), None)
        bare = {n for n in sp.preorder_traversal(variance) if isinstance(n, _BareIdentity)} if sized is not None else ()
        if bare:  # N(x; μ, σ² I): the identity of the variable's size
            self.sized_identities.update(n.position for n in bare)
            variance = variance.xreplace({n: sp.Identity(sized) for n in bare})
        if not (_is_matrix(variance) and _equal(*variance.shape)):
            self.fail(f"N(mean, covariance) with vectors needs a square covariance matrix, not "
                      f"{shape_text(_shape(variance))}", start, end)
        if _is_matrix(variable) and not _equal(variable.shape[0], variance.shape[0]):
            variance = _resized_identity(variance, variable.shape[0])  # σ²I: the identity of the variable's size
        n = variance.shape[0]
        self._learn_vector_function(mean, (n, sp.Integer(1)))
        for name in (self._learnable(variable), self._learnable(mean)):
            if name is not None:
                self._learn(name, (n, sp.Integer(1)))  # the variable and the mean of N(x; μ, Σ) are vectors
        if isinstance(variable, sp.Symbol) and variable in VARIABLES.values():
            variable = sp.MatrixSymbol(variable.name, n, 1)  # the variable D_KL(N(..) || N(..)) names: a vector
        if not _is_matrix(variable):
            self.fail("the variable of N(v; mean, covariance) must be a vector", start, end)
        if mean == 0 or isinstance(mean, sp.ZeroMatrix):
            mean = sp.ZeroMatrix(n, 1)  # N(\mathbf{0}, I_n): the zero vector of the variable's size
        if not _is_matrix(mean):
            self.fail(f"the mean `{sp.sstr(mean)}` of N(x; μ, Σ) is not known to be a vector: declare it", start, end)
        if not self._definite(variance):
            self.fail(f"N(x; μ, Σ) with a covariance `{sp.sstr(variance)}` not declared positive definite: declare it "
                      "(\"$\\Sigma$ is a covariance matrix\", $\\Sigma \\succ 0$)", start, end)
        if variable in mean.free_symbols | variance.free_symbols:
            self.fail("a mean or covariance that depends on the variable does not make a density of it", start, end)
        try:
            return MvNormal(variable, mean, variance)
        except ShapeError as error:
            raise IllFormed(f"ill-formed: {error}", self.text(start, end).strip(), start, end) from None

    def integral(self) -> sp.Expr:
        start = self.here()
        value = super().integral()
        if _has_matrix(value):
            self.fail("an integral with vectors or matrices is not read (only of scalar variables)", start,
                      self.last_end())
        return value

    # -- \sum, \prod over an index
    def big_operator(self) -> sp.Expr:
        token = self.take()
        start = token.start
        index, low, high = self._index_and_limits(token)
        defaulted = self.range_defaulted
        name = index.name
        outer = self.indices.get(name)
        outer_limits = self.index_limits.get(name)
        self.indices[name] = index
        self.index_limits[name] = (low, high)
        self.open_bodies.append((name, self.i))
        try:
            if self.peek() is None or not self.starts_factor():
                self.fail(f"\\{token.text} without a term", start)
            body_start = self.i
            body = self.term()
            if token.text == "prod":
                self._refuse_juxtaposed_constant(body, index, body_start, start)
        finally:
            self.open_bodies.pop()
            if outer is None:
                del self.indices[name]
            else:
                self.indices[name] = outer
            if outer_limits is None:
                self.index_limits.pop(name, None)
            else:
                self.index_limits[name] = outer_limits
        self.used_indices.add(name)
        if _is_matrix(body):
            self.fail(f"a \\{token.text} of {shape_text(body.shape)} vectors or matrices is not read yet", start,
                      self.last_end())
        for symbol in body.atoms(sp.Symbol):
            if symbol.name.partition("_")[2] == name:
                self.fail(f"`{_shown(symbol.name)}` under the \\{token.text} over {name} is not read as a component",
                          start, self.last_end())
        if defaulted:
            high = self._components_size(body, index, high, token, start)
        operator_class = sp.Sum if token.text == "sum" else sp.Product
        return operator_class(body, (index, low, high))

    def _refuse_juxtaposed_constant(self, body: sp.Expr, index: sp.Symbol, body_start: int, start: int) -> None:
        """``\\prod_i a_i \\prod_j b_j``: Π_i (a_i Π_j b_j) = (Π a)(Π b)^N or (Π a)(Π b)? A \\sum or \\prod written
        after the first factor of a product's body, at its top level and free of the product's index, is refused."""
        juxtaposed = any(t.kind == "cmd" and t.text in ("sum", "prod") and k > body_start
                         and _bracket_depth(self.tokens, body_start, k) == 0
                         for k, t in enumerate(self.tokens[body_start:self.i], body_start))
        if juxtaposed and any(isinstance(f, (sp.Sum, sp.Product)) and not f.has(index) for f in sp.Mul.make_args(body)):
            self.fail(f"ambiguous: is the \\sum or \\prod after the first factor inside the \\prod over {index} (a "
                      f"factor of each term) or beside it? Use parentheses or \\cdot", start, self.last_end())

    def _components_size(self, body: sp.Expr, index: sp.Symbol, default: sp.Expr, token: Token, start: int) -> sp.Expr:
        """The range of ``\\sum_j`` written without limits: the size of the vectors whose components x_j it sums
        (x ∈ ℝ^n: 1..n), ``default`` where none is declared; vectors of different sizes leave it ambiguous."""
        sizes = {self.shapes[str(i.base.label)][0] for i in body.atoms(sp.Indexed)
                 if index in i.indices and str(i.base.label) in self.shapes}
        sizes |= {node.matrix.shape[axis] for node in body.atoms(Entry)
                  for axis, at in enumerate((node.row, node.col)) if at == index}  # Σ_j C_jj of C n×n: 1..n
        if len(sizes) > 1:
            self.fail(f"\\{token.text}_{index} over components of vectors of different sizes "
                      f"({', '.join(sorted(map(sp.sstr, sizes)))}): write its limits", start, self.last_end())
        return sizes.pop() if sizes else default

    def _index_and_limits(self, token: Token):
        start = token.start
        if not self.at("sym", "_"):
            self.fail(f"\\{token.text} without its index is not supported: write \\{token.text}_{{j=1}}^{{d}}", start)
        self.take()
        braced = self.at("sym", "{")
        if braced:
            self.take()
        letter = self.take()
        if not (letter.kind == "word" and len(letter.text) == 1 and letter.text.islower()):
            self.fail(f"the index of \\{token.text} must be one lower-case letter", start, letter.end)
        low = None
        if braced and self.at("rel", "="):
            self.take()
            self.limits += 1
            try:
                low = self.expression()
            finally:
                self.limits -= 1
        if braced:
            self.expect("sym", "}", f"to close the index of \\{token.text}", start)
        high = None
        if self.at("sym", "^"):
            self.take()
            self.limits += 1
            try:
                high = self.script(f"upper limit of \\{token.text}")
            finally:
                self.limits -= 1
        self.range_defaulted = low is None and high is None and letter.text in DEFAULT_BOUND_INDICES
        if self.range_defaulted:
            low, high = sp.Integer(1), self.default_dimension()
        if low is None or high is None:
            self.fail(f"\\{token.text} over {letter.text} without both limits: write "
                      f"\\{token.text}_{{{letter.text}=1}}^{{N}}", start, self.last_end())
        if not (low.is_Integer and low >= 0):
            self.fail(f"the lower limit of \\{token.text} must be a whole number", start, self.last_end())
        if high.free_symbols and not all(s.is_integer for s in high.free_symbols):
            self.fail(f"the upper limit of \\{token.text} must be a whole number or a size (d, N, K)", start,
                      self.last_end())
        if any(not s.is_positive for s in high.free_symbols) and (high - low + 1).is_nonnegative is not True:
            # M < 0 declared (no size): Σ_{k=1}^{M} is empty, sympy's sum (Karr's
            self.fail(f"the upper limit {sp.sstr(high)} of \\{token.text} may lie below its lower limit "  # convention) -M
                      f"{sp.sstr(low)} - 1, where the written sum is empty: declare it a size (at least "
                      f"{sp.sstr(low - 1)})", start, self.last_end())
        index = sp.Symbol(letter.text, integer=True, positive=True) if low >= 1 else \
            sp.Symbol(letter.text, integer=True, nonnegative=True)
        return index, low, high


def _bracket_depth(tokens: list, begin: int, end: int) -> int:
    """How many brackets opened in tokens[begin:end] are still open at ``end``."""
    depth = 0
    for token in tokens[begin:end]:
        if token.kind == "sym" and token.text in ("(", "[", "{", "\\{"):
            depth += 1
        elif token.kind == "sym" and token.text in (")", "]", "}", "\\}"):
            depth -= 1
    return depth


def _resized_identity(variance, size):
    """c·I of the default size d, as the identity of ``size`` (an I written without its size); else unchanged."""
    coefficient, factors = (variance.as_coeff_matrices() if isinstance(variance, sp.MatMul) else (1, [variance]))
    if len(factors) == 1 and isinstance(factors[0], sp.Identity) and factors[0].shape[0] == DIMENSION:
        return sp.Identity(size) if coefficient == 1 else sp.MatMul(coefficient, sp.Identity(size))
    return variance


def _ones_vector_of(expr) -> str | None:
    """"column" for the vector of ones 1 (n×1), "row" for 1ᵀ (1×n), else None."""
    if isinstance(expr, sp.Transpose) and isinstance(expr.args[0], sp.OneMatrix) and expr.args[0].shape[1] == 1:
        return "row"
    if isinstance(expr, sp.OneMatrix) and 1 in (expr.shape[0], expr.shape[1]) and expr.shape != (1, 1):
        return "column" if expr.shape[1] == 1 else "row"
    return None


def _expanded_unit_logs(expr):
    """``expr`` with each log of a product of powers of positive factors in components x̂_j ∈ (0, 1) written as
    the sum of their logs: log(x̂^x (1 − x̂)^{1−x}) = x log x̂ + (1 − x) log(1 − x̂), log(1/(1 − x̂)) = −log(1 − x̂)."""
    if not isinstance(expr, sp.Basic) or not any(isinstance(i.base, UnitBase) for i in expr.atoms(sp.Indexed)):
        return expr

    def positive(factor) -> bool:
        units = {u: 1 / (1 + sp.Dummy(positive=True)) for u in factor.atoms(sp.Indexed) if isinstance(u.base, UnitBase)}
        return sp.factor(factor.xreplace(units)).is_positive is True

    def expanded(node):
        factors = sp.Mul.make_args(node.args[0])
        if not all(positive(f.as_base_exp()[0]) and f.as_base_exp()[1].is_extended_real for f in factors):
            return node
        return sp.Add(*[f.as_base_exp()[1] * sp.log(f.as_base_exp()[0]) for f in factors])
    return expr.replace(lambda n: isinstance(n, sp.log) and n.args[0].atoms(sp.Indexed), expanded)


def _resized_ones(term, shape) -> sp.Expr:
    """``term`` (1, 1ᵀ or a multiple c·1) as the ones vector of ``shape`` where it is one of the other size and
    orientation; any other term as it is."""
    coefficient, factors = term.as_coeff_mmul() if isinstance(term, sp.MatMul) else (sp.Integer(1), [term])
    factors = list(factors.args) if isinstance(factors, sp.MatMul) else list(factors)
    ones = factors[0] if len(factors) == 1 else None
    if ones is None or _ones_vector_of(ones) is None or tuple(ones.shape) == tuple(shape):
        return term
    if _ones_vector_of(ones) != ("column" if shape[1] == 1 else "row"):
        return term
    return coefficient * sp.OneMatrix(*shape) if coefficient != 1 else sp.OneMatrix(*shape)


def _bold_zero_at(tokens: list, k: int) -> bool:
    """``\\mathbf{0}``, ``\\boldsymbol{0}``, ``\\mathbf 0`` at token k: the zero vector."""
    return _bold_digit_at(tokens, k, "0")


def _bold_one_at(tokens: list, k: int) -> bool:
    """``\\mathbf{1}``, ``\\boldsymbol{1}``, ``\\mathbf 1`` at token k: the vector of ones (never the identity)."""
    return _bold_digit_at(tokens, k, "1")


def _bold_digit_at(tokens: list, k: int, digit: str) -> bool:
    """A bold ``digit`` at token k, braced (``\\mathbf{0}``) or not (``\\mathbf 0``)."""
    def at(offset, kind, text):
        return k + offset < len(tokens) and tokens[k + offset].kind == kind and tokens[k + offset].text == text
    if not (k < len(tokens) and tokens[k].kind == "cmd" and tokens[k].text in BOLD):
        return False
    return (at(1, "sym", "{") and at(2, "num", digit) and at(3, "sym", "}")) or at(1, "num", digit)


def _bold_letter_at(tokens: list, k: int, letter: str) -> bool:
    """A bold ``letter`` at token k, braced (``\\mathbf{O}``) or not (``\\mathbf O``)."""
    def at(offset, text):
        return k + offset < len(tokens) and tokens[k + offset].text == text
    if not (k < len(tokens) and tokens[k].kind == "cmd" and tokens[k].text in BOLD):
        return False
    return (at(1, "{") and at(2, letter) and at(3, "}")) or at(1, letter)


def _zero_matrix_at(tokens: list, k: int) -> bool:
    """``\\mathbf{O}`` or ``0_{…}`` at token k: a zero matrix the matrix reader reads."""
    return _bold_letter_at(tokens, k, "O") or (tokens[k].kind == "num" and tokens[k].text == "0" and
                                               k + 1 < len(tokens) and tokens[k + 1].text == "_")


def _entry(expr, index: sp.Symbol) -> sp.Expr | None:
    """The entry ``index`` of an elementwise vector expression (σ ⊙ σ, σ², a σ + b): None if it is not one."""
    if isinstance(expr, Components):
        return expr.base[index]
    if not _is_matrix(expr):
        return expr
    parts = [_entry(arg, index) for arg in expr.args if isinstance(arg, sp.Basic)]
    if any(part is None for part in parts):
        return None
    if isinstance(expr, HadamardPower):
        return parts[0] ** parts[1]
    if isinstance(expr, HadamardProduct):
        return sp.Mul(*parts)
    if isinstance(expr, sp.MatAdd):
        return sp.Add(*parts)
    if isinstance(expr, sp.MatMul) and sum(_is_matrix(arg) for arg in expr.args) == 1:
        return sp.Mul(*parts)
    return None


def _plain_symbol_name(name: str) -> str:
    return plain_name(name)[0]


def _is_column(expr) -> bool:
    """A column vector of more than one entry (x ∈ ℝ^d, not a 1×1 matrix)."""
    return _is_matrix(expr) and expr.shape[1] == 1 and not _equal(expr.shape[0], 1)


def _times(factors: list) -> sp.Expr:
    factors = [f for f in factors if f != 1] or [sp.Integer(1)]
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _has_matrix(expr) -> bool:
    return isinstance(expr, sp.Basic) and (_is_matrix(expr) or any(_has_matrix(a) for a in expr.args))


def _singular_with(value, singular: list[str]) -> bool:
    """Whether ``value`` is singular because a square factor of it is (A, Aᵀ, A², AᵀA, BAC of square B, C)."""
    if isinstance(value, sp.MatrixSymbol):
        return value.name in singular
    if isinstance(value, (sp.Transpose, sp.MatPow)):
        return _singular_with(value.args[0], singular)
    if isinstance(value, sp.MatMul):
        factors = [f for f in value.args if _is_matrix(f)]
        return all(_equal(*f.shape) for f in factors) and any(_singular_with(f, singular) for f in factors)
    return False


def _definitely_scalar(expr, parser: MatrixParser) -> bool:
    """A number that cannot be a vector: no name read as a number by default, no function or user name."""
    if _is_matrix(expr):
        return False
    if expr.atoms(sp.core.function.AppliedUndef) or expr.atoms(NameRef):
        return False
    return not any(isinstance(s, sp.Symbol) and s.name in parser.defaulted for s in expr.free_symbols)


def _scalar_node_with_matrix(expr) -> str:
    """Why ``expr`` puts a vector or matrix where a number is expected ("" when it does not): a safety net for
    paths of the scalar reader (an unevaluated product, a power, an integral, an expectation of a matrix)."""
    if not isinstance(expr, sp.Basic) or isinstance(expr, (sp.Trace, sp.Determinant, MvNormal, Density, Entry,
                                                           VectorFunction)):
        return ""  # (f(z) of a vector z: a vector, its arguments are no numbers)
    if isinstance(expr, NameRef) and all(_is_matrix(a) and a.shape[1] == 1 for a in expr.arguments):
        return ""  # L(x) of a vector x: a number named by the document
    for arg in expr.args:
        if not _is_matrix(expr) and _is_matrix(arg) and tuple(arg.shape) != (1, 1):
            return f"a {shape_text(arg.shape)} vector or matrix where a number is expected ({type(expr).__name__})"
        found = _scalar_node_with_matrix(arg)
        if found:
            return found
    return ""


def _written_name(variable) -> str:
    return variable.name if isinstance(variable, (sp.Symbol, sp.MatrixSymbol)) else sp.sstr(variable)


def _shown(name: str) -> str:
    plain, _ = plain_name(name)
    base, _, label = plain.partition("_")
    base = f"\\{base}" if base in GREEK else base
    return f"{base}_{{{label}}}" if label else base


# ---------------------------------------------------------------- declarations in the prose

_REALS = r"(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s+R|\\R\b|ℝ)"
_MEMBERSHIP = LazyPattern(r"^\s*(?P<names>[^∈]+?)\s*(?:\\in|∈)\s*" + _REALS +
                         r"\s*\^\s*(?:\{(?P<dims>[^{}]*)\}|(?P<dim>[A-Za-z0-9]))\s*[.,;]?\s*$")
_ACCENTED = r"\\(?:hat|tilde|bar)\s*(?:\{\s*\\?[A-Za-z]+\s*\}|\s\\?[A-Za-z]+|\\[A-Za-z]+)"
_UNIT_NAME = r"(?P<name>" + _ACCENTED + r"|\\?[A-Za-z]+)\s*(?:_\s*\{?\s*(?P<index>[a-z])\s*\}?)?"
_UNIT_INTERVAL = r"(?:\\left\s*)?\(\s*0\s*,\s*1\s*(?:\\right\s*)?\)"
_UNIT_MEMBERSHIP = LazyPattern(r"^\s*" + _UNIT_NAME + r"\s*(?:\\in|∈)\s*" + _UNIT_INTERVAL +
                              r"\s*(?:\^\s*(?:\{(?P<dims>[^{}]*)\}|(?P<dim>[A-Za-z0-9])))?\s*[.,;]?\s*$")
_UNIT_BOUNDS = LazyPattern(r"^\s*0\s*<\s*" + _UNIT_NAME + r"\s*<\s*1\s*[.,;]?\s*$")


def _accented_name(written: str) -> str | None:
    """The reader's name of ``\\hat x``, ``\\hat{x}``, ``y``: ``\\hat{x}``, ``y`` (None: no such name)."""
    found = re.fullmatch(r"\\(hat|tilde|bar)\s*\{?\s*(\\?[A-Za-z]+)\s*\}?", written.strip())
    if found:
        letter = found.group(2)
        return f"\\{found.group(1)}{{{letter}}}" if len(letter.lstrip("\\")) == 1 else None
    return _name_of(written)


def declare_unit_interval(math: str, context: Context, note: str = "") -> bool:
    """``\\hat x \\in (0,1)^D``, ``\\hat x_j \\in (0, 1)``, ``0 < \\hat x_j < 1``: the components of \\hat x lie in
    (0, 1) (a vector of size D where the power is written)."""
    found = _UNIT_MEMBERSHIP.match(math) or _UNIT_BOUNDS.match(math)
    if not found:
        return False
    name = _accented_name(found.group("name"))
    dims = found.groupdict().get("dims") or found.groupdict().get("dim")
    size = _size(dims) if dims else None
    if name is None or (dims and (size is None or size[1] != 1)) or (not dims and not found.group("index")):
        return False
    if size is not None:
        _set_shape(context, name, size, note)
        context.components.add(name)
    context.shapes[UNIT + name] = (None, None)
    return True


_SCALAR_MEMBERSHIP = LazyPattern(r"^\s*(?P<names>[^∈]+?)\s*(?:\\in|∈)\s*" + _REALS + r"\s*[.,;]?\s*$")
_BINARY_MEMBERSHIP = LazyPattern(r"^\s*(?P<names>[^∈]+?)\s*(?:\\in|∈)\s*(?:\\left\s*)?(?:\\\{|\\lbrace)\s*0\s*,\s*1\s*"
                                r"(?:\\right\s*)?(?:\\\}|\\rbrace)\s*\^\s*(?:\{(?P<dims>[^{}]*)\}|(?P<dim>[A-Za-z0-9]))\s*[.,;]?\s*$")
_DEFINITE = LazyPattern(r"^\s*(?P<names>[^≻]+?)\s*(?:\\succ|≻)\s*0\s*[.,;]?\s*$")
_SEMIDEFINITE = re.compile(r"^\s*(?P<names>[^⪰]+?)\s*(?:\\succeq|⪰)\s*0\s*[.,;]?\s*$")
_SENTENCE = re.compile(
    r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:(?:is|are|be|denotes?)\s+(?:an?\s+)?|an?\s+)"
    r"(?:\$(?P<size>[^$]+)\$\s*(?:-\s*)?(?:dimensional\s+)?)?(?P<adjectives>(?:[A-Za-z-]+,?\s+){0,4}?)"
    r"(?:\$(?P<late_size>[^$]+)\$\s*)?(?P<kind>matri(?:x|ces)|vectors?)\b", re.I)
# "a $d\times d$ symmetric positive-definite covariance matrix $\Sigma$": the name after the kind
_APPOSITION = LazyPattern(
    r"\b(?:an?|the|some)\s+(?:\$(?P<size>[^$]+)\$\s*(?:-\s*)?(?:dimensional\s+)?)?"
    r"(?P<adjectives>(?:[A-Za-z-]+,?\s+){0,4}?)(?P<kind>matri(?:x|ces)|vectors?)\s+(?P<subjects>\$[^$]+\$)", re.I)
_NORMAL_LAW = re.compile(r"^\s*(?P<subject>.+?)\s*\\sim\s*(?:N|\\mathcal\s*\{\s*N\s*\}|\\mathcal\s+N|"
                         r"\\mathrm\s*\{\s*N\s*\})\s*(?:\\left\s*)?\((?P<arguments>.*)\)\s*\.?\s*$", re.S)


def _name_of(math: str) -> str | None:
    """The plain name of a formula that is one name: ``\\mathbf{x}``, ``\\Sigma_1``, ``x_i``."""
    tokens = tokenize(math.strip())
    if not tokens:
        return None
    head = tokens[0]
    if not ((head.kind == "word" and (len(head.text) == 1 or plain_name(head.text)[1])) or
            (head.kind == "cmd" and head.text in GREEK)):
        return None
    name, rest = head.text, tokens[1:]
    if rest and rest[0].kind == "sym" and rest[0].text == "_":
        label = [t for t in rest[1:] if not (t.kind == "sym" and t.text in "{}")]
        if not label or len(label) != len([t for t in rest[1:] if t.kind != "sym" or t.text not in "{}"]) or \
                not all(t.kind in ("word", "num") or (t.kind == "cmd" and t.text in GREEK) for t in label):
            return None
        name = f"{name}_{''.join(t.text for t in label)}"
    elif rest:
        return None
    return plain_name(name)[0]


def _names(listed: str) -> list[str] | None:
    parts = [part for part in re.split(r",|\\text\s*\{\s*and\s*\}|\band\b", listed) if part.strip()]
    names = [_name_of(part) for part in parts]
    return names if names and all(names) else None


_FAMILY = LazyPattern(r"^\s*(?P<first>\S+?)\s*,\s*(?:(?P<second>\S+?)\s*,\s*)?\\[lc]?dots\s*,\s*(?P<last>\S+?)\s*$")


def _family(listed: str) -> str | None:
    """The base x of ``x_1, \\dots, x_N`` (``x_1, x_2, \\ldots, x_n``): data points, each a vector (None: no such list)."""
    found = _FAMILY.match(listed)
    if not found:
        return None
    names = [_name_of(found.group(part)) for part in ("first", "second", "last") if found.group(part)]
    if not all(names):
        return None
    parts = [name.partition("_") for name in names]
    if len({base for base, _, _ in parts}) != 1 or not all(label for _, _, label in parts) or parts[0][2] != "1":
        return None
    return parts[0][0]


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}
_WORD_SIZE = LazyPattern(r"(?P<n>one|two|three|four|five|six|seven|eight|nine|ten|\d+)-?(?:dimensional|"
                         r"by-(?P<m>one|two|three|four|five|six|seven|eight|nine|ten|\d+))", re.I)


def size_in_words(adjectives: list) -> str | None:
    """"three-dimensional" -> ``3``, "two-by-two" -> ``2\\times 2``: a size the prose writes in words (None if none)."""
    sizes = [found for found in map(_WORD_SIZE.fullmatch, adjectives) if found]
    if len(sizes) != 1:
        return None
    n, m = (str(_NUMBER_WORDS.get(g.lower(), g)) if g else None for g in sizes[0].group("n", "m"))
    return f"{n}\\times {m}" if m else n


def _size(text: str) -> tuple | None:
    """``d`` -> (d, 1); ``n \\times m`` -> (n, m); ``d\\times d`` -> (d, d)."""
    parts = [p.strip().strip("{}").strip() for p in re.split(r"\\times|×|\\cdot", text)]
    if not all(re.fullmatch(r"[A-Za-z]|\d+", p) for p in parts) or len(parts) not in (1, 2):
        return None
    return (dimension(parts[0]), dimension(parts[1]) if len(parts) == 2 else sp.Integer(1))


BOLD_DECLARED = "<bold>"  # + a name: declared a vector or matrix written bold only (bold μ ∈ ℝ^d); a plain μ
# declared a number (μ ∈ ℝ, σ > 0) is then that number, the bold one the vector
_BOLD_WRITTEN = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|pmb)\s*\{\s*\\?([A-Za-z]+)\s*\}")


def declare(math: str, context: Context, note: str = "", definite: bool = True) -> bool:
    """:func:`declare_shapes`, with the names written bold only marked (:data:`BOLD_DECLARED`): a number of the
    same plain name declared before stays declared."""
    bold = set(_BOLD_WRITTEN.findall(math))
    numbers = {name: context.symbols[name] for name in bold if name in context.symbols and name not in context.shapes}
    declared = declare_shapes(math, context, note, definite)
    mark_bold(math, bold, numbers, context)
    found = _SCALAR_MEMBERSHIP.match(math)
    names = _names(found.group("names")) if found and not bold else None
    for name in names or ():  # μ ∈ ℝ beside the bold vector μ: the plain μ is this number
        if BOLD_DECLARED + name in context.shapes:
            context.declare_symbol(name, note)
    return declared


def mark_bold(math: str, bold: set, numbers: dict, context: Context) -> None:
    """Mark the names of ``math`` written bold (and not plain there) that are now vectors or matrices; restore the
    numbers of their plain names (``numbers``) that declaring the vector removed."""
    plain_written = {name for name in bold if re.search(r"(?<![{\\A-Za-z])\\?" + re.escape(name) + r"(?![A-Za-z])",
                                                        _BOLD_WRITTEN.sub(" ", math))}
    for name in bold - plain_written:
        if name in context.shapes:
            context.shapes[BOLD_DECLARED + name] = (None, None)
            if name in numbers:
                context.symbols[name] = numbers[name]


def declare_shapes(math: str, context: Context, note: str = "", definite: bool = True) -> bool:
    """Declare the shapes an inline formula of the prose states: ``x, \\mu \\in \\mathbb{R}^d``,
    ``A \\in \\mathbb{R}^{n\\times m}``, ``\\Sigma \\succ 0``, ``z \\sim \\mathcal{N}(\\mu, \\Sigma)``; True when it
    is such a declaration. ``definite``: whether a positive definite matrix may be declared (not in a question)."""
    if declare_scalar_identity_letter(math, context, note):
        return True
    found = _POSITIVE_COMPONENTS.match(math)
    if found and found.group("first") == found.group("last") and definite:
        base = plain_name(found.group("first"))[0].lstrip("\\")
        context.declare_symbol(f"{base}_{found.group('index')}", note, positive=True)  # σ_1, …, σ_d > 0
        return True
    densities = [declare_density(part, context, note, definite) for part in _top_level(math)]
    if any(densities):
        return True
    if "\\sim" in math:
        laws = [declare_law(part, context, note, definite, remember=True) for part in _top_level(math)
                if "\\sim" in part]
        return any(laws)
    if declare_integers(math, context, note):
        return True
    if declare_symmetric_equation(math, context, note, definite):
        return True
    if declare_orthogonal_equation(math, context, note, definite):
        return True
    unread = _UNREAD_EQUATION.match(math)
    if unread and definite and matrix_like(unread.group("a") or unread.group("b")):
        context.shapes[UNREAD_PROPERTY + (unread.group("a") or unread.group("b")).lstrip("\\")] = (None, None)
        return True
    if declare_signature(math, context, note):
        return True
    if declare_matrix_definition(math, context, note, definite):
        return True
    if declare_unit_interval(math, context, note):
        return True
    found = _BINARY_MEMBERSHIP.match(math)
    if found:
        names, size = _names(found.group("names")), _size(found.group("dims") or found.group("dim"))
        if names is None or size is None or size[1] != 1:
            return False
        for name in names:
            _set_shape(context, name, size, note)
            context.shapes[BINARY + name] = (None, None)
            context.components.add(name)
        return True
    found = _MEMBERSHIP.match(math)
    if found:
        names = _names(found.group("names"))
        size = _size(found.group("dims") if found.group("dims") is not None else found.group("dim"))
        family = _family(found.group("names"))
        if family is not None and size is not None and size[1] == 1:
            context.shapes[FAMILY + family] = size
            return True
        if names is None or size is None:
            return False
        for name in names:
            _set_shape(context, name, size, note)
        return True
    found = _DEFINITE.match(math) or _SEMIDEFINITE.match(math)
    if found and definite:
        names = _names(found.group("names"))
        if names is None:
            return False
        _declare_properties(context, names, "symmetric" if found.re is _SEMIDEFINITE else "definite", note)
        return True
    return False


def _declare_properties(context: Context, names: list[str], kind: str, note: str) -> None:
    """``names`` are positive definite (``kind`` "definite") or symmetric matrices; a name of no shape yet is a
    square matrix of the default size."""
    for name in names:
        if name in context.symbols and name not in context.shapes:
            continue  # a number declared before (σ > 0): no matrix
        (context.definite if kind == "definite" else context.symmetric).add(name)
        if name not in context.shapes:
            _set_shape(context, name, (_default(context), _default(context)), note, defaulted=True)


_SPACE = _REALS + r"\s*(?:\^\s*(?:\{(?P<%s>[^{}]*)\}|(?P<%s_letter>[A-Za-z0-9])))?"
_SIGNATURE = LazyPattern(r"^\s*(?P<name>[^:]+?)\s*(?::|\\colon)\s*" + _SPACE % ("domain", "domain") +
                        r"\s*(?:\\to|\\rightarrow|\\longrightarrow|→)\s*" + _SPACE % ("codomain", "codomain") +
                        r"\s*[.,;]?\s*$")


def declare_signature(math: str, context: Context, note: str = "") -> bool:
    """``f : \\mathbb{R}^d \\to \\mathbb{R}`` (``\\rightarrow``, ``\\mathbb{R}^{k}``): f of a vector is a number, or
    a vector of the codomain's size (shapes["f()"]). True when it is such a signature of a function of a vector."""
    found = _SIGNATURE.match(math)
    if found is None:
        return False
    domain = found.group("domain") or found.group("domain_letter")
    codomain = found.group("codomain") or found.group("codomain_letter")
    inputs = _size(domain) if domain else None
    outputs = _size(codomain) if codomain else (sp.Integer(1), sp.Integer(1))
    if inputs is None or outputs is None or inputs[1] != 1 or outputs[1] != 1 or inputs[0] == 1:
        return False  # f: ℝ → ℝ, a matrix domain or codomain: nothing about vectors to declare
    name = _name_of(found.group("name"))
    if name is None or not _base(name)[0].islower():
        return False
    _set_shape(context, f"{name.lstrip(chr(92))}()", outputs, note)
    return True


_TRANSPOSED = LazyPattern(r"\^\s*(?:\{\s*)?(?:T|\\top|\\intercal|\\(?:mathsf|mathrm)\s*\{\s*T\s*\}|\\(?:mathsf|mathrm)\s+T)"
                         r"(?:\s*\})?\s*$")


def declare_symmetric_equation(math: str, context: Context, note: str = "", definite: bool = True) -> bool:
    """``\\Sigma = \\Sigma^\\top``, ``A^T = A`` in the prose: the matrix is symmetric. True when it is such an equation."""
    text = re.sub(r"[.,;]\s*$", "", math)
    bound = re.search(r"\s*(?:\\succ(?!eq)|≻)\s*0\s*$", text)  # Σ = Σ^T ≻ 0: positive definite too
    sides = [side.strip() for side in (text[:bound.start()] if bound else text).split("=")]
    if len(sides) != 2 or not definite:
        return False
    for plain_side, transposed in (sides, sides[::-1]):
        stripped = _TRANSPOSED.sub("", transposed)
        name = _name_of(plain_side)
        if stripped != transposed and name is not None and _name_of(stripped) == name and \
                (name in context.shapes or matrix_like(plain_side.strip())):
            _declare_properties(context, [name], "definite" if bound else "symmetric", note)
            return True
    return False


_INVERSE = re.compile(r"\^\s*\{\s*-\s*1\s*\}\s*$|\^\s*-1\s*$")
_IDENTITY_TEXT = re.compile(r"\s*(?:I|\\(?:mathbf|mathbb|boldsymbol|bm|mathrm)\s*\{\s*I\s*\})\s*(?:_\s*\{?\s*[A-Za-z0-9]\s*\}?)?\s*")


def orthogonal_equation(math: str) -> str | None:
    """``Q^\\top Q = I``, ``QQ^\\top = I_d``, ``Q^{-1} = Q^\\top``: the name of the matrix the formula calls orthogonal."""
    sides = [side.strip() for side in re.sub(r"[.,;]\s*$", "", math).split("=")]
    if len(sides) != 2:
        return None
    for left, right in (sides, sides[::-1]):
        if _IDENTITY_TEXT.fullmatch(right):  # QᵀQ = I: Qᵀ and Q, in either order
            found = re.fullmatch(r"(?P<a>[^\s^]+?)\s*(?P<b>\^\s*(?:\{\s*)?(?:T|\\top|\\intercal)(?:\s*\})?)?\s*"
                                 r"(?P<c>[^\s^]+?)\s*(?P<d>\^\s*(?:\{\s*)?(?:T|\\top|\\intercal)(?:\s*\})?)?", left)
            if found and found.group("a") == found.group("c") and bool(found.group("b")) != bool(found.group("d")) and \
                    _name_of(found.group("a")) is not None and matrix_like(found.group("a")):
                return _name_of(found.group("a"))
        inverse, transposed = _INVERSE.sub("", left), _TRANSPOSED.sub("", right)
        if inverse != left and transposed != right and _name_of(inverse) is not None and \
                _name_of(inverse) == _name_of(transposed) and matrix_like(inverse.strip()):
            return _name_of(inverse)  # Q^{-1} = Q^T
    return None


def declare_orthogonal_equation(math: str, context: Context, note: str = "", definite: bool = True) -> bool:
    """``Q^\\top Q = I`` in the prose (a plain statement): Q has orthonormal columns (a square Q is orthogonal);
    ``QQ^\\top = I`` declares only a square Q. True when it is such a statement."""
    name = orthogonal_equation(math)
    if name is None or not definite:
        return False
    columns = re.match(r"\s*[^\s^]+?\s*\^\s*(?:\{\s*)?(?:T|\\top|\\intercal)", math)  # QᵀQ = I: the columns
    declare_orthogonal(context, [name], note, square=not columns)
    return True


def full_rank_names(shapes: dict) -> tuple[frozenset, frozenset]:
    """The names declared of full column rank and of full row rank (an invertible matrix: both)."""
    columns = frozenset(name[len(FULL_COLUMN_RANK):] for name in shapes if name.startswith(FULL_COLUMN_RANK))
    rows = frozenset(name[len(FULL_ROW_RANK):] for name in shapes if name.startswith(FULL_ROW_RANK))
    return columns, rows


def declare_full_rank(context: Context, names, kind: str) -> None:
    """``names`` are invertible (``kind`` "both") or of full column / row rank ("column", "row"); "full" (full
    rank, unsaid which): the rank of the smaller side, so the Gram matrix the formula inverts is invertible."""
    for name in names:
        if name in context.symbols and name not in context.shapes:
            continue  # a number declared before
        if kind in ("both", "full", "column"):
            context.shapes[FULL_COLUMN_RANK + name] = (None, None)
        if kind in ("both", "full", "row"):
            context.shapes[FULL_ROW_RANK + name] = (None, None)


def declare_orthogonal(context: Context, names, note: str = "", square: bool = True) -> None:
    """``names`` are orthogonal matrices (orthonormal columns: QᵀQ = I); ``square``: only square ones (QQᵀ = I of a
    d×k matrix says its rows are orthonormal: not read)."""
    for name in names:
        if name in context.symbols and name not in context.shapes:
            continue
        if name not in context.shapes:
            _set_shape(context, name, (_default(context), _default(context)), note, defaulted=True)
        if context.shapes[name][1] != 1 and (not square or _equal(*context.shapes[name])):
            context.shapes[ORTHOGONAL_MATRIX + name] = (None, None)


NUMBER_T = "<number T>"  # in the shapes: the prose uses T as a number (T ≥ 2, "$T$ steps", a sum up to T)
_T_AS_NUMBER = LazyPattern(
    r"\$\s*T\s*(?:\\geq?|\\leq?|\\ge|\\le|[<>≥≤]|\\in\s*\\mathbb\s*\{?\s*[NZ])[^$]*\$|"  # $T \geq 2$, $T \in \mathbb{N}$
    r"\$\s*T\s*\$\s*(?:(?:time\s+)?steps?|iterations?|rounds?|epochs?|samples?|draws?|layers?|is\s+an?\s+"
    r"(?:positive\s+)?(?:integer|number))\b|"
    r"\$\s*T\s*\$\s*(?:be|is|denotes?|for)\s+(?:the\s+)?(?:total\s+)?(?:number|count|horizon|length)\b|"
    r"\b(?:number|count)\s+of\s+\w+(?:\s+\w+)?\s+\$\s*T\s*\$|"  # the number of steps $T$
    r"\$\s*T\s*\$\s*(?:を|は|が|で)[^。$]{0,20}?(?:数|ステップ|時刻|時間|長さ|反復|サンプル|エポック|層)|"  # $T$ をステップ数とする
    r"\\(?:sum|prod)\s*_\s*(?:\{[^{}$]*\}|\S)\s*\^\s*(?:\{\s*T\s*\}|T)(?![A-Za-z])", re.I)


def declare_number_t(prose: str, context: Context) -> None:
    """"$T \\geq 2$", "for $T$ steps", "\\sum_{t=1}^T": T is a number here, so ``A^T`` is ambiguous."""
    if _T_AS_NUMBER.search(prose):
        context.shapes[NUMBER_T] = (None, None)


def number_t(context: Context) -> bool:
    """Whether the prose declared T a number (T ≥ 2, an integer T, T > 0): then ``A^T`` is no sure transpose."""
    return NUMBER_T in context.shapes or "T" in context.symbols or "T" in getattr(context, "bounded", {})


_POSITIVE_COMPONENTS = LazyPattern(
    r"^\s*(?P<first>\\?[A-Za-z]+)_\{?\s*1\s*\}?\s*,\s*\\[lc]?dots\s*,\s*(?P<last>\\?[A-Za-z]+)_\{?\s*"
    r"(?P<index>[A-Za-z])\s*\}?\s*>\s*0\s*[.,;]?\s*$")
_HEDGES = LazyPattern(r"\b(?:whether|might|may|perhaps|maybe|possibly|could|would|unless|not|never|no)\b", re.I)


def questioned(prose: str, position: int, hypothesis: bool = False) -> bool:
    """Whether the sentence of ``prose`` around ``position`` is a question, a hedge or a negation: a matrix it
    mentions is then not declared positive definite."""
    starts = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n\s*\n", prose[:position])]
    start = starts[-1] if starts else 0
    end = re.search(r"[.!?](?=\s|$)|\n\s*\n", prose[position:])
    sentence = prose[start:position + (end.end() if end else len(prose) - position)]
    outside_math = re.sub(r"\$[^$]*\$", " ", sentence)
    return "?" in outside_math or bool(_HEDGES.search(outside_math)) or \
        mentioned_case(prose, position, hypothesis=hypothesis) or \
        (_property_formula(_math_at(prose, position)) and not asserted(prose, position, hypothesis))


# the words a matrix property statement adds to the scalar reader's declarative vocabulary ("Let $M$ be a
# symmetric $d\times d$ matrix"): taken out of the sentence before its mood and shape are read
_PROPERTY_VOCABULARY = re.compile(r"(?<![\w-])(?:matri(?:x|ces)|symmetric|(?:positive[-\s]+)?(?:semi-?)?definite|"
                           r"s\.?p\.?d\.?|covariances?|precision|square|orthogonal|orthonormal|unitary|invertible|"
                           r"non-?singular|(?:lower|upper)[-\s]+triangular|triangular|diagonal|entries|"
                           r"(?:full(?:\s+column|\s+row)?\s*-?\s*)?rank|linearly\s+independent|columns|rows|"
                           r"satisf(?:ies|y|ying)|obeys?|size|sized|shape|trainable|learnable|rotation|"
                           r"note|recall|since|because|observe|arbitrary|any|some|generic|certain)(?![\w-])",
                           re.I)  # (their moods still count)


def _math_at(prose: str, position: int) -> str:
    from mathcheck.audit import document as reading  # (document imports this module)
    return next((math for _, _, start, math in reading._inline_maths(prose) if start == position), "")


def _property_formula(math: str) -> bool:
    """``\\Sigma \\succ 0``, ``A^\\top = A``, ``Q^\\top Q = I``: a formula that states a property of a matrix."""
    probe = Context()
    return bool(_DEFINITE.match(math) or _SEMIDEFINITE.match(math) or declare_symmetric_equation(math, probe) or
                orthogonal_equation(math) is not None or _UNREAD_EQUATION.match(math))


def asserted(prose: str, position: int, hypothesis: bool = False) -> bool:
    """Whether the inline formula of ``prose`` at ``position`` (where its TeX starts) stands in a declarative clause
    that asserts what it says, as the scalar sign reader decides (document._mood, _declarative_markers): not a
    question ("Is $M$ symmetric?"), a hedge, a condition ("only when", "if and only if"), a definition of a word
    ("Recall that a matrix is symmetric when $M^\\top = M$"), a claim or what others assume. ``hypothesis``: a
    condition ("if $A = A^\\top$,") counts, for the next display only."""
    from mathcheck.audit import document as reading  # (document imports this module)
    pieces, number, last = [], None, 0
    for k, (start, end, math_start, _) in enumerate(reading._inline_maths(prose)):
        pieces += [prose[last:start], f"⟦{k}⟧"]
        last = end
        if math_start == position:
            number = k
    if number is None:
        return False
    marker = f"⟦{number}⟧"
    marked = "".join(pieces) + prose[last:]
    sentence = next((piece for piece in reading._SENTENCE_BREAK.split(marked) if piece and marker in piece), "")
    sentence = _UNREAD_VOCABULARY.sub(" ", _PROPERTY_VOCABULARY.sub(" ", _PLAIN_CASE.sub(" ", sentence)))
    clauses = reading._clauses(sentence)
    index = next((k for k, clause in enumerate(clauses) if marker in clause), None)
    if index is None:
        return False
    mood = reading._mood(sentence, clauses, index, marker)
    if mood and not (hypothesis and mood == reading.HYPOTHESIS):
        return False
    return str(number) in reading._declarative_markers(sentence)


# "the symmetric case $A = A^\top$", "for a symmetric matrix ($A = A^\top$)", "only when", "in contrast to", "left aside":
# a case the prose mentions, no declaration (one rule for the properties, the laws and the definitions of matrices)
_CASE_BEFORE = LazyPattern(r"\b(?:cases?|unless|whether|example|instance|such\s+as|say|unlike|contrast|compared|"
                          r"versus|vs|would|could|might|only\s+(?:if|when))\b|\be\.g\.", re.I)
# "if $A = A^\top$, then": a hypothesis, for the display right after the sentence only (``hypothesis``)
_HYPOTHESIS_BEFORE = LazyPattern(r"\b(?:if|iff|when|whenever|for\s+an?)\b", re.I)
_CASE_AFTER = LazyPattern(r"^[^.;!?]*?\b(?:is|are)\s+(?:left\s+aside|treated|discussed|covered|handled|excluded|omitted|"
                         r"deferred|postponed|not\s+considered)\b|^[^.;!?]*?\b(?:appendix|elsewhere|would|could|might|example)\b",
                         re.I)
_PLAIN_CASE = LazyPattern(r"\bin\s+(?:this|that|our|the\s+present|the\s+general|either|each|both)\s+cases?\b|"
                         r"\bfor\s+an?\s+(?:given|fixed)\b", re.I)


def mentioned_case(prose: str, position: int, named: bool = False, hypothesis: bool = False) -> bool:
    """Whether the formula at ``position`` is only mentioned in its clause: a case, an example, a condition, a
    contrast ("The symmetric case $A = A^\\top$ is treated in the appendix", "Only when $A = A^\\top$ …").
    ``named``: the formula is the name a noun phrase introduces ("for a covariance matrix $S$, …" quantifies
    over S, a declaration; "for a symmetric matrix ($A = A^\\top$)" only mentions a case of A). ``hypothesis``:
    read for the next display only, where "if $A = A^\\top$, [display]" is the display's hypothesis."""
    clause_start = max([m.end() for m in re.finditer(r"(?<![eE]\.g)(?<![iI]\.e)[.!?;](?=\s)|\n\s*\n", prose[:position])],
                       default=0)
    before = re.sub(r"\$[^$]*\$", " ", prose[clause_start:position])
    before = _PLAIN_CASE.sub(" ", before)
    after = prose[position:]
    closing = re.match(r"[^$]*\$", after)
    after = re.sub(r"\$[^$]*\$", " ", after[closing.end():] if closing else after)
    supposed = _HYPOTHESIS_BEFORE.search(before)
    if supposed and (named and supposed.group(0).lower().startswith("for") or
                     hypothesis and not re.search(r"[.!?;](?=\s|$)\s*\S", after)):
        supposed = None  # "for a covariance matrix $S$", "if $A = A^\top$, one has" before the display
    return bool(_CASE_BEFORE.search(before) or _CASE_AFTER.search(after) or supposed)


_INTEGER_SET = LazyPattern(
    r"^\s*(?P<names>[^∈]+?)\s*(?:\\in|∈)\s*(?:\\mathbb\s*\{\s*(?P<set>[NZ])\s*\}|\\mathbb\s+(?P<bare>[NZ])|ℕ|ℤ)"
    r"\s*(?P<restriction>(?:_|\^)\s*\{?\s*(?:\+|>\s*0|\\geq?\s*1|\\geq?\s*0|≥\s*[01]|0|\*)\s*\}?)?\s*[.,;]?\s*$")
_INTEGER_WORDS = r"(?P<sign>positive|non-?negative)?\s*(?:integers?|whole\s+numbers?|natural\s+numbers?)\b"
_INTEGER_SENTENCE = LazyPattern(r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:is|are|be|denotes?)\s+"
                               r"(?:(?:an?|any|some|an\s+arbitrary|arbitrary)\s+)?" + _INTEGER_WORDS, re.I)
_INTEGER_APPOSITION = LazyPattern(r"\b(?:an?|the|some|any)\s+" + _INTEGER_WORDS + r"\s+(?P<subjects>\$[^$]+\$)", re.I)
# "$d$ is the latent dimension", "$N$ the number of data points", "$K$ はサンプル数": a count, a positive integer
# the phrase ends its clause: "the number of data points divided by two" or "the latent dimension scaling factor"
# is no count
# the sentence ends (a colon only before what it introduces: a display, a new line), or "and $N$ ..." another subject
# or a comma, semicolon or parenthesis opens a clause of its own kind ("…, and $d$ the latent dimension", "…, where",
# "…, which we assume is large", "… (see [3])"), not one that goes on about the number ("…; more precisely, its log")
_CONTINUATION = (r"(?:and|let|where|which|with|so\s+that|as\s+(?:in|usual|before)|following|see|"
                 r"for\s+example|respectively|we|then|while|whereas|each|all|both|be|is|are)\b|cf\.|e\.g\.|\$|⟦")
_PHRASE_END = (r"(?=\s*(?:[.)]|:\s*(?:\n|$)|$|\band\s+(?:\$|⟦|let\b|we\b)|[,;]\s*(?:" + _CONTINUATION + r")|"
               r"\(\s*(?:see\b|cf\.|e\.g\.|i\.e\.|as\s+in\b|following\b)))")
_NOT_A_COUNT_WORD = (r"(?!(?:divided|times|plus|minus|over|scaled|multiplied|squared|halved|doubled|ratio|fraction|"
                     r"per|between|relative|less|which|that|who|and|or)\b)")
_SET_SIZE = (r"(?P<set_size>(?:training|test|validation|data|batch|minibatch|mini-batch|sample)[\s-]*(?:set|data)?[\s-]*size|"
             r"dataset[\s-]*size|size\s+of\s+(?:the\s+)?(?:training\s+|test\s+|validation\s+)?(?:data\s*set|dataset|set|"
             r"batch|minibatch|mini-batch|sample))")
_COUNT_PHRASE = (r"(?:" + _SET_SIZE + _PHRASE_END + r"|"
                 r"(?:total\s+)?(?:(?P<count>number|count)\s+of(?P<counted>(?:\s+" + _NOT_A_COUNT_WORD +
                 r"[A-Za-z-]+){1,6}?)" + _PHRASE_END + r"|(?:(?:latent|data|input|output|hidden|"
                 r"observation|code|embedding)\s+)?(?:space\s+)?(?P<dimension>dimension(?:ality)?)(?![-\w])" +
                 _PHRASE_END + "))")
# "データ数", "潜在変数の次元数", "サンプル数": what a Japanese text counts, the whole phrase ("半分のデータ数", half the
# data count, is none); then the sentence ends or another "$x$ は" clause follows ("…とする、というのは誤り" is none)
_JA_COUNT = (r"(?:(?:潜在変数|潜在空間|潜在|データ点?|訓練データ|学習データ|サンプル|観測|入力|出力|画像|隠れ層|"
             r"ミニバッチ|バッチ|クラス)\s*の\s*(?:次元数|次元|個数|数)|潜在次元数?|データ数|サンプル数|データ点数|次元数|"
             r"クラス数|層数|画素数|ピクセル数|特徴数|成分数|ステップ数|反復数|エポック数|粒子数|バッチ数|"
             r"(?:データセット|訓練データ|学習データ|データ|ミニバッチ|バッチ)\s*の\s*(?:サイズ|大きさ)|データサイズ|バッチサイズ)")
_JA_COUNT_END = (r"(?=\s*(?:(?:とする|とおく|と置く|とします|である|です|を表す|を表わす|とし)\s*)?"
                 r"(?:。|\.|$|、\s*\$|,\s*\$))")
_COUNT_SENTENCE = LazyPattern(
    r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*,?\s*(?:(?:is|are|be|denotes?|stands?\s+for|for)\s+|"
    r"\(\s*(?:i\.e\.,?\s*)?)?the\s+" + _COUNT_PHRASE +  # "$N$ (the number of data points)"
    r"|(?P<ja>(?P<ja_subjects>\$[^$]+\$)\s*[はを]\s*" + r"(?:" + _JA_COUNT + r")" + _JA_COUNT_END + ")", re.I)
# "Let $N > 0$ be the number of ...", "$N \ge 1$ the number of ...": the subject with the sign it is given
_SIGNED_SUBJECT = LazyPattern(r"\s*(?:>|\\gt\b|\\geq?\b|≥)\s*[01]\s*$")
# "Let the number of data points be $N$", "the latent dimension is $d$": the phrase before its name
_COUNT_SENTENCE_AFTER = LazyPattern(
    r"\b(?:let\s+)?the\s+" + _COUNT_PHRASE.replace(_PHRASE_END, r"(?=\s+(?:be|is|equals?|is\s+denoted\s+by)\s+\$)") +
    r"\s+(?:be|is|equals?|is\s+denoted\s+by)\s+(?P<subjects>\$[^$]+\$)(?=\s*(?:[.;,)]|$|\band\b))", re.I)
# "データ数を $N$ とする", "データ数を $N$ で表す": the Japanese count written before its name
_COUNT_SENTENCE_JA_AFTER = LazyPattern(
    r"(?:^|(?<=[。．\n、]))\s*(?P<ja>" + _JA_COUNT + r"\s*(?:を|は)\s*(?P<ja_subjects>\$[^$]+\$)\s*"
    r"(?:とする|とおく|と置く|とします|で表す|と書く|である|です)\s*(?=。|\.|$|、\s*\$))")
# "データ数 $N$ の VAE", "潜在次元 $d$ を": the count with its name after it; "$N$ 個のデータ点", "$d$ 次元の潜在変数":
# the name as the numeral of what a Japanese text counts
_COUNT_APPOSITION_JA = LazyPattern(r"(?P<ja>" + _JA_COUNT + r"\s*(?P<ja_subjects>\$[^$]+\$)\s*(?=[のをがはと、。]))")
_COUNT_NUMERAL_JA = LazyPattern(
    r"(?P<ja>(?P<ja_subjects>\$[^$]+\$)\s*(?:(?:個|件|枚|点|つ)\s*の\s*(?:訓練|学習|観測|入力)?\s*"
    r"(?:データ点?|サンプル|画像|観測|点|成分|クラス|層)|次元\s*の))")
# "データ数を $N$、潜在次元を $d$ とする": a list of counts, each written before its name
_COUNT_LIST_JA = LazyPattern(
    r"(?:^|(?<=[。．\n]))\s*(?P<ja_list>(?:[^。、$]+?\s*を\s*\$[^$]+\$\s*、\s*)+[^。、$]+?\s*を\s*\$[^$]+\$)\s*"
    r"(?:とする|とおく|と置く|とします|で表す|と書く)\s*(?=。|$)", re.M)
# what a text counts: a count of these is a positive integer when nothing else qualifies them ("the number of
# latent dimensions"), a nonnegative one when something does ("the number of mislabelled data points", which may be
# none); a count of anything else ("the number of standard deviations", "of negative entries") is not read
_COUNTED_NOUNS = frozenset(
    "points datapoints data-points samples examples observations dimensions pixels features components classes "
    "categories clusters layers units neurons channels particles draws steps iterations epochs images items tokens "
    "words latents variables inputs outputs sequences documents experts heads batches minibatches trials timesteps "
    "time-steps modes parameters coordinates datasets users nodes".split())
_COUNT_MODIFIERS = frozenset(
    "latent data training test validation input output hidden importance monte carlo observed visible mixture "
    "gaussian time the our a in each batch minibatch mini-batch dataset set model network encoder decoder".split())
# "Suppose we have $N$ data points", "Given a dataset of $N$ samples", "We observe $N$ images": a name used as the
# numeral of what a text counts
_NUMERAL_LEAD = (r"\b(?:have|has|had|observe|observes|observed|draw|draws|drew|collect|collects|collected|sample|"
                 r"samples|take|takes|with|of|given|consider|considers|contains?|containing|comprises?|uses?|using)\s+")
_NUMERAL_NOUN = (r"(?:(?:i\.i\.d\.|iid|independent|training|test|observed|data|input|latent|monte\s+carlo|importance)\s+)*"
                 r"(?P<noun>" + "|".join(sorted(_COUNTED_NOUNS)) + r")\b")
_COUNT_NUMERAL = LazyPattern(_NUMERAL_LEAD + r"(?P<subjects>\$[^$]+\$)\s+" + _NUMERAL_NOUN, re.I)
_COUNT_NUMERAL_MARKED = LazyPattern(r"(?P<lead>" + _NUMERAL_LEAD + r"⟦\d+⟧\s+)" + _NUMERAL_NOUN, re.I)
# "let $n$ be an integer", "a positive integer", "natural number": what a withdrawal and the mood check put aside
COUNT_WORDS = LazyPattern(r"\b(?:" + _COUNT_PHRASE + r"|" + r"(?:(?:positive|non-?negative)\s+)?(?:integers?|whole\s+numbers?|"
                          r"natural\s+numbers?)\b)", re.I)


# the words that pick some of what a text counts, of which there may be none ("the number of mislabelled data
# points"); any other qualifier ("effective", "expected", "average") may make the number no integer at all
_COUNT_QUALIFIERS = frozenset(
    "mislabelled mislabeled labelled labeled unlabelled unlabeled missing corrupted noisy active inactive dead "
    "nonzero non-zero zero positive negative distinct unique selected rejected accepted remaining discarded dropped "
    "masked unmasked correct incorrect misclassified outlying new additional extra failed successful valid invalid "
    "duplicate duplicated empty unused".split())
_TRAILING_PREPOSITIONS = frozenset("in of per from for".split())


def count_sign(found: re.Match) -> str | None:
    """"positive" for a count of what a text counts (see _COUNTED_NOUNS), "nonnegative" for such a count
    qualified by a word that picks some of them (_COUNT_QUALIFIERS), None for any other "number of ..." (no count
    read: "the number of effective samples", "the number of data points being large"); a dimension is positive."""
    if found.group("count") is None:
        return "positive"
    words = found.group("counted").lower().split()
    nouns = [i for i, word in enumerate(words) if word in _COUNTED_NOUNS]
    if not nouns:
        return None
    before, after = words[:nouns[0]], words[nouns[-1] + 1:]
    if after and not (after[0] in _TRAILING_PREPOSITIONS and all(w in _COUNT_MODIFIERS for w in after[1:])):
        return None  # "the number of data points being large": the phrase goes on as a clause of its own
    qualifiers = [w for w in before + words[nouns[0]:nouns[-1] + 1] if w not in _COUNTED_NOUNS and w not in _COUNT_MODIFIERS]
    if not qualifiers:
        return "positive"
    return "nonnegative" if all(w in _COUNT_QUALIFIERS for w in qualifiers) else None


# the noun phrases of a "respectively" list, before or after its names ("⟦0⟧ and ⟦1⟧ are the latent dimension and the
# KL weight, respectively", "The KL weight and the latent dimension are ⟦0⟧ and ⟦1⟧, respectively")
_LISTED_PHRASE = r"(?:the|a|an|our|its)\s+[^,.;:⟦⟧]+?"
_LISTED_PHRASES = LazyPattern(
    r"(?:(?<=\bbe\s)|(?<=\bare\s))" + _LISTED_PHRASE + r"(?:(?:,\s*and\s+|\s+and\s+|,\s*)" + _LISTED_PHRASE + r")+"
    r"(?=,?\s*respectively\b)"
    r"|(?:(?<=^)|(?<=[.;]\s)|(?<=\n))\s*" + _LISTED_PHRASE + r"(?:(?:,\s*and\s+|\s+and\s+|,\s*)" + _LISTED_PHRASE + r")+"
    r"(?=\s+(?:are|be)\s+⟦\d+⟧(?:\s*(?:,\s*|\s+and\s+|,\s*and\s+)⟦\d+⟧)+\s*,?\s*respectively\b)", re.I)


def neutral_counts(marked: str) -> str:
    """``marked`` prose with each count or integer phrase written "number" ("let ⟦0⟧ be the number"), and each
    phrase of a "respectively" list too: the words a sentence uses to name what it counts, or what each of its
    names is, do not make it less of a declaration."""
    def numbers(found: re.Match) -> str:
        pieces = re.split(r"(,\s*and\s+|\s+and\s+|,\s*)", found.group())
        return "".join(piece if index % 2 else " number " for index, piece in enumerate(pieces))
    counted = _COUNT_NUMERAL_MARKED.sub(lambda found: found.group("lead") + "number", marked)  # "have ⟦0⟧ examples"
    return _NAMED_PHRASE.sub("number", COUNT_WORDS.sub("number", _LISTED_PHRASES.sub(numbers, counted)))


# "and ⟦1⟧ the temperature", "⟦1⟧ for the noise variance": what another name of the declaration is (a phrase right
# after a name, or after "be", "for" that follows one), whatever its words
_NAMED_PHRASE = LazyPattern(r"(?:(?<=⟧\s)|(?<=⟧\sfor\s)|(?<=⟧\sbe\s)|(?<=⟧\sis\s))(?:the|a|an|our|its)\s+"
                            r"[^,.;:⟦⟧()]+?(?=\s*(?:[,.;:)]|\band\b|$))", re.I)


def _integer_assumptions(sign: str, kind: str = "", from_zero: bool = False) -> dict:
    """ℕ, ℕ⁺, ℤ_{>0}, "positive integer", "natural number": a positive integer (as the readers make every size);
    ℕ_0, ℤ_{≥0}, "nonnegative integer", and ℕ in a document that says ℕ holds 0 (``from_zero``): a nonnegative
    one; ℤ, "integer": an integer."""
    sign = sign.lower().replace("-", "")
    if not sign and kind in ("N", "natural") and from_zero:
        return {"integer": True, "nonnegative": True}
    if sign == "positive" or (not sign and kind in ("N", "natural")):
        return {"integer": True, "positive": True}
    if sign == "nonnegative":
        return {"integer": True, "nonnegative": True}
    return {"integer": True}


def _bound_an_integer(context: Context, name: str, note: str) -> None:
    """A count the text bounds after declaring it (the bound was read: b + δ): the integers from b on, if b is
    an integer; the reals from b on otherwise (more values than the text allows, none fewer)."""
    value = context.bounded[name]
    excess = next((s for s in value.free_symbols if s.name == f"delta_{name}"), None)
    bound = value - excess if excess is not None else None
    if bound is None or not bound.is_integer or excess.is_integer:
        return  # a bound no integer has, or one already read as integers
    context.declare_bound(name, bound, bool(excess.is_positive), note or context.notes.get(("symbol", name), ""),
                          integer=True)


def _declare_integer_names(names, context: Context, note: str, assumptions: dict) -> None:
    for name in names:
        if name not in context.shapes:
            context.declare_symbol(name, note, **assumptions)


def declare_integers(math: str, context: Context, note: str = "") -> bool:
    """``K \\in \\mathbb{N}``, ``n, m \\in \\mathbb{Z}_{>0}``: names declared integers (True when ``math`` is such a
    declaration): they read as integer symbols, the same symbol as the size of a sum or a matrix with that name."""
    found = _INTEGER_SET.match(math)
    if found is None:
        return False
    names = _names(found.group("names"))
    if names is None:
        return False
    kind = found.group("set") or found.group("bare") or ("N" if "ℕ" in math else "Z")
    restriction = re.sub(r"[\s{}_^]", "", found.group("restriction") or "")
    if restriction in ("+", ">0", "\\geq1", "\\ge1", "≥1", "*"):
        sign = "positive"
    elif restriction in ("0", "\\geq0", "\\ge0", "≥0") or (kind == "N" and restriction == ""):
        sign = "nonnegative" if restriction else ""
    else:
        sign = ""
    _declare_integer_names(names, context, note, _integer_assumptions(sign, kind, context.naturals_from_zero))
    return True


def declare_integer_sentences(prose: str, context: Context, note: str = "", plain: set | None = None,
                              counted: set | None = None) -> None:
    """"$d$ is a positive integer", "let $K$ be a natural number", "for a positive integer $K$", "$N$ is the number
    of data points": integer names. ``plain``: the formulas (their offsets) whose clause is no negation, question
    or hedge; ``counted``: those whose English sentence is a plain declaration once its count words are put aside
    (not "Perhaps $N$ is ...", "Many papers let $N$ be ...", a struck-out or quoted sentence)."""
    found_all = [*_INTEGER_SENTENCE.finditer(prose), *_INTEGER_APPOSITION.finditer(prose), *_count_phrases(prose)]
    withdrawn = real_redeclarations(prose)
    inline = [(m.start(), m.group(1)) for m in re.finditer(r"\$([^$]+)\$", prose)]
    for found in found_all:
        japanese = "ja" in found.re.groupindex and bool(found.group("ja"))
        subjects = "ja_subjects" if japanese else "subjects"
        if plain is not None and found.start(subjects) + 1 not in plain:
            continue  # a negation, a question, a hedge
        if re.search(r"\b(?:not|no|never)\s*$", prose[max(0, found.start() - 12):found.start()]) or \
                re.match(r"[^。.]{0,12}?(?:ではない|でない|じゃない)", prose[found.end():]):
            continue
        starts = [found.start(subjects) + m.start() + 1 for m in re.finditer(r"\$[^$]+\$", found.group(subjects))]
        if counted is not None and not all(start in counted for start in starts):
            continue
        listed = [_names(_SIGNED_SUBJECT.sub("", m)) for m in re.findall(r"\$([^$]+)\$", found.group(subjects))]
        if not listed or not all(listed):
            continue
        if "count" in found.re.groupindex and not japanese:
            sign = count_sign(found)
            if sign is None:
                continue
        else:
            sign = "positive" if "sign" not in found.re.groupindex else found.group("sign") or ""
        natural = "natural" in found.group(0).lower()
        assumptions = _integer_assumptions(sign, "natural" if natural else "", context.naturals_from_zero)
        names = [name for names in listed for name in names
                 if not any(at > found.start() for at in [*withdrawn.get(name, ()), *withdrawn.get("*", ())])]
        bounded = [name for name in names if name in context.bounded and _signed_later(name, inline, found.end())]
        for name in bounded:  # "Let $N$ be the number of data points. Assume $N > 2$.": an integer above 2
            _bound_an_integer(context, name, note)
        _declare_integer_names([name for name in names if name not in bounded], context, note, assumptions)
    _declare_respective_counts(prose, context, note, counted, withdrawn)


def _count_phrases(prose: str) -> list[re.Match]:
    """Each phrase of ``prose`` that makes a name a count, in every form read (English and Japanese)."""
    return [*_COUNT_SENTENCE.finditer(prose), *_COUNT_SENTENCE_JA_AFTER.finditer(prose),
            *_COUNT_SENTENCE_AFTER.finditer(prose), *_COUNT_NUMERAL.finditer(prose), *_japanese_counts(prose)]


_JA_LISTED_COUNT = LazyPattern(r"(?P<ja>" + _JA_COUNT + r"\s*を\s*(?P<ja_subjects>\$[^$]+\$))")


@functools.lru_cache(maxsize=64)
def _japanese_counts(prose: str) -> tuple[re.Match, ...]:
    """The Japanese count phrases of ``prose`` besides "$N$ はデータ数" and "データ数を $N$ とする": the count before its
    name ("データ数 $N$ の"), the name as a numeral ("$N$ 個のデータ点", "$d$ 次元の"), each count of a list
    ("データ数を $N$、潜在次元を $d$ とする"; a phrase of it that is no count declares nothing)."""
    if not CJK.search(prose) or not _JA_COUNT_ANYWHERE.search(prose):
        return ()
    found = [*_COUNT_APPOSITION_JA.finditer(prose), *_COUNT_NUMERAL_JA.finditer(prose)]
    for listed in (_COUNT_LIST_JA.finditer(prose) if _JA_LISTED_COUNT.search(prose) else ()):
        for pair in re.finditer(r"(?:^|(?<=、))\s*([^、]+?)\s*を\s*\$[^$]+\$", listed.group("ja_list")):
            count = _JA_LISTED_COUNT.fullmatch(listed.group("ja_list"), pair.start(1), pair.end())
            if count is not None:
                found.append(_JA_LISTED_COUNT.match(prose, listed.start("ja_list") + pair.start(1)))
    return tuple(found)


CJK = LazyPattern(r"[\u3040-\u30ff\u4e00-\u9fff]")  # Japanese script (the document layer's test too)
_JA_COUNT_ANYWHERE = LazyPattern(_JA_COUNT + r"|次元|個|件|枚|点")


# "Let $d$ and $N$ be the latent dimension and the number of data points, respectively": name k, phrase k; so in
# "The KL weight and the latent dimension are $\beta$ and $d$, respectively" and "$\beta$ と $N$ はそれぞれKL重みと
# データ数とする"
_RESPECTIVE = LazyPattern(
    r"(?P<subjects>\$[^$]+\$(?:\s*(?:,\s*|\s+and\s+|,\s*and\s+)\$[^$]+\$)+)\s*,?\s*(?:is|are|be|denote)\s+"
    r"(?P<phrases>[^.;$]+?)(?P<end>,?\s*respectively)?\s*(?=[.;]|$)", re.I)
# the lists written phrases first, and the Japanese ones: read only where "respectively" or それぞれ is written (a
# pattern that starts at every position of a long Japanese text is slow)
_RESPECTIVE_WRITTEN = LazyPattern(
    r"(?:^|(?<=[.;]\s)|(?<=\n))\s*(?P<phrases_first>[^.;$]+?)\s+(?:are|be)\s+"
    r"(?P<subjects_after>\$[^$]+\$(?:\s*(?:,\s*|\s+and\s+|,\s*and\s+)\$[^$]+\$)+)\s*,?\s*respectively\s*(?=[.;]|$)"
    r"|(?P<ja_subjects>\$[^$]+\$(?:\s*(?:と|、)\s*\$[^$]+\$)+)\s*[はを]\s*それぞれ\s*(?P<ja_phrases>[^。$]+?)\s*"
    r"(?:とする|とおく|とします|である|です|を表す)\s*(?=。|$)"
    r"|(?:^|(?<=[。．\n]))\s*(?P<ja_phrases_first>[^。$]+?)\s*[をは]\s*それぞれ\s*"
    r"(?P<ja_subjects_after>\$[^$]+\$(?:\s*(?:と|、)\s*\$[^$]+\$)+)\s*(?:とする|とおく|とします|で表す|と書く)\s*(?=。|$)",
    re.I | re.M)


def _declare_respective_counts(prose: str, context: Context, note: str, counted: set | None,
                               withdrawn: dict) -> None:
    """Names listed with as many phrases: each name is what its own phrase says (a count only when its phrase is
    a count, so "$d$ and $\\beta$ are the latent dimension and the KL weight" makes d, not β, a count)."""
    written = [*_RESPECTIVE_WRITTEN.finditer(prose)] if re.search(r"respectively|それぞれ", prose, re.I) else []
    for found in [*_RESPECTIVE.finditer(prose), *written]:
        groups = found.groupdict()
        group = next(g for g in ("subjects", "subjects_after", "ja_subjects", "ja_subjects_after") if groups.get(g))
        japanese = group.startswith("ja_")
        subjects = list(re.finditer(r"\$([^$]+)\$", found.group(group)))
        listed = found.group({"subjects": "phrases", "subjects_after": "phrases_first",
                              "ja_subjects": "ja_phrases"}.get(group, "ja_phrases_first"))
        split = r"と|、" if japanese else r",\s*and\s+|\s+and\s+|,\s*"
        phrases = [p.strip() for p in re.split(split, listed) if p.strip()]
        if len(phrases) != len(subjects) or len(subjects) < 2:
            continue
        starts = [found.start(group) + m.start() + 1 for m in subjects]
        if counted is not None and not all(start in counted for start in starts):
            continue
        for subject, phrase in zip(subjects, phrases):
            names = _names(subject.group(1))
            if japanese:
                sign = "positive" if re.fullmatch(_JA_COUNT, phrase) else None
            else:
                count = re.fullmatch(r"the\s+" + _COUNT_PHRASE, phrase, re.I)
                sign = count_sign(count) if count is not None else None
            if not names or len(names) != 1 or sign is None:
                continue
            if any(at > found.start() for at in withdrawn.get(names[0], ())):
                continue
            _declare_integer_names(names, context, note, _integer_assumptions(sign))


# "From now on $N$ is an arbitrary real number", "Now let $N > 0$ be a real number", "We now relax $N$ to a positive
# real", "From now on $\sigma$ is arbitrary", "以降 $N$ は一般の実数とする": the name is a real of that sign from here
# on, no longer an integer (a count) or of the sign declared before
_REAL_REDECLARATION = LazyPattern(
    r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:(?:now|henceforth|here|again|instead)\s+)*"
    r"(?:is|are|be|denotes?)\s+(?:(?:now|henceforth|here|again|instead|from\s+now\s+on|from\s+here\s+on)\s+)*"
    r"(?:(?:an?|any|some)\s+)?(?:(?P<arbitrary>arbitrary|general|unrestricted)\s*,?\s*)?"
    r"(?:(?P<sign>(?:strictly\s+)?positive|non-?negative)\s+)?(?:(?P<real>real(?:\s+numbers?|s)?|numbers?)\b|"
    r"(?(arbitrary)(?=\s*[.;,]|\s*$)|(?!)))"
    r"|\brelax(?:es|ed)?\s+(?P<relaxed>\$[^$]+\$)\s+to\s+(?:an?\s+)?(?P<relaxed_sign>positive|non-?negative)?\s*"
    r"(?:real|number)"
    r"|(?P<ja>\$[^$]+\$)\s*は\s*(?:以降|以後|今後|ここから)?\s*は?\s*(?:一般の|任意の)?\s*(?P<ja_sign>正の|非負の)?\s*実数"
    r"(?=\s*(?:とする|とします|とおく|である|です|。))", re.I)


def real_redeclarations(prose: str) -> dict[str, list[int]]:
    """The names each real redeclaration or count withdrawal of ``prose`` is about, with the offsets of those
    sentences."""
    found: dict[str, list[int]] = {}
    for start, name, _, _ in withdrawals(prose):
        found.setdefault(name, []).append(start)
    return found


@functools.lru_cache(maxsize=64)
def withdrawals(prose: str) -> tuple:
    """(offset, name, assumptions, counts only) for each real redeclaration (_REAL_REDECLARATION, which also takes
    back a sign) and each clause that speaks of a name as no count (_count_withdrawals, for integers only); read
    once per stretch of prose (each context and each reader asks, and the document layer for a heading)."""
    found = [(m.start(), name, assumptions, False) for m in _REAL_REDECLARATION.finditer(prose)
             for name, assumptions in _redeclared(m)]
    return tuple(found + [(start, name, assumptions, True) for start, name, assumptions in _count_withdrawals(prose)])


# a clause that speaks of a name as a real: "From now on, $N$ may be any real number", "we regard $N$ as
# continuous", "$N$ ranges over the positive reals", "Henceforth $N \in \mathbb{R}$", "(Retracted: $N$ is a
# temperature.)", "以降 $N$ は連続変数とする": a count declared before is withdrawn (dropping it can only leave a step
# undecided, so any such clause does, however it is phrased or hedged)
_REAL_WORDS = LazyPattern(r"\b(?:real|reals|real-valued|continuous(?:ly)?|continuum|non-?integers?|fractional|"
                          r"arbitrary|values?|"
                          r"fractions?|(?:ir)?rationals?|float(?:s|ing)?|floating-point|decimals?|complex|"
                          r"retract(?:ed|ion)?|withdrawn)\b|実数|連続|有理数|小数|分数|任意|値をと|値もと|非整数|"
                          r"とは限らない", re.I)
# what follows a name the clause speaks of: "$N$ is", "may be", "ranges over", "as" (treat $N$ as), "to be", "は"
_PREDICATE = LazyPattern(
    r"\s*(?:(?:now|henceforth|instead|again|from\s+now\s+on|here|below|later|also|then|itself)\s+)*"
    r"(?:is|are|be|been|becomes?|as|to\s+be|may|can|could|might|will|shall|must|should|ranges?|varies|vary|takes?|"
    r"lies|lie|belongs?|over|in|between|denotes?|means?|stands|represents?|equals?|ranging|varying|taking|"
    r"need|needs|does|do|is\s+not|are\s+not)\b|\s*(?:は|を|が|=)", re.I)
_NOT_REAL = LazyPattern(r"\b(?:not|no|never|nor)\b[^⟦]*$", re.I)  # "$N$ is not a real-valued temperature"
_NOT_A_COUNT = LazyPattern(r"\b(?:not|no\s+longer|never)\s+(?:an?\s+|the\s+)?(?:integer|whole\s+number|count|natural)", re.I)
# a name given a new meaning: "$N$ is a temperature", "$N$ becomes the inverse temperature", "we write $N$ for the
# noise scale", "we overload $N$", "replace $N$ by its square root", "$N$ denotes $\sqrt{N}$"
_REDESCRIBED = LazyPattern(
    r"\b(?:substitut(?:e|es|ed|ing)|plug(?:s|ged|ging)?\s+in)\s+⟦\d+⟧\s+(?:for|in\s+place\s+of)\s+⟦(?P<substituted>\d+)⟧"
    r"|⟦(?P<k>\d+)⟧\s*(?:(?:now|henceforth|instead|again|also)\s+)*(?:(?:is|be)\s+(?:(?:now|instead|also)\s+)?"
    r"(?:a|an|the|any|some|one|half|twice|double|triple)\s+|"
    r"denotes?|stands?\s+for|represents?|becomes|means|refers\s+to|to\s+denote|is\s+(?:also\s+)?used\s+(?:for|to\s+denote))"
    r"|\b(?:write|writes|use|uses|reuse|reuses|take|takes)\s+⟦(?P<for>\d+)⟧\s+(?:for|as|to\s+denote|to\s+mean)\b"
    r"|\b(?:overload|overloads|redefine|redefines|rename|renames|repurpose|repurposes|recycle|recycles|replace|"
    r"replaces|substitute|substitutes)\b[^⟦]*⟦(?P<renamed>\d+)⟧"
    r"|⟦(?P<used>\d+)⟧\s*(?:(?:now|henceforth|instead|again|also)\s+)*(?:(?:is|be)\s+(?:now\s+|also\s+)?(?:re-?used|used|"
    r"measured|expressed|counted|reported|recorded|taken)\s+(?:for|as|in)\b|plays?\s+the\s+role\s+of|serves?\s+as|acts?\s+as|"
    r"counts|measures|records)"
    r"|\b(?:think\s+of|re-?interpret\w*|interpret\w*|regard\w*|treat\w*|view\w*|see|sees)\s+⟦(?P<thought>\d+)⟧\s+as\b"
    r"|\b(?:normali[sz](?:e|es|ed|ing)|rescal(?:e|es|ed|ing)|divid(?:e|es|ed|ing)|scal(?:e|es|ed|ing)|"
    r"multipl(?:y|ies|ied|ying))\s+⟦(?P<scaled>\d+)⟧\s+by\b"
    r"|\b(?:halv(?:e|es|ed|ing)|average[sd]?|averaging|negat(?:e|es|ed|ing)|subtract\w*\s+[^⟦.;]*?\s+from|"
    r"add\w*\s+[^⟦.;]*?\s+to|shift(?:s|ed|ing)?|decreas\w*|increas\w*|increment\w*|decrement\w*|multipl\w*|"
    r"overwrit\w*|redefin\w*|doubl\w*|tripl\w*)\s+⟦(?P<halved>\d+)⟧"
    r"|⟦(?P<redefined>\d+)⟧\s+is\s+(?:now\s+)?(?:redefined|reset|overwritten|updated|shifted|changed)\b"
    r"|\b(?:set|sets|setting|put|puts|putting|change|changes|changing)\s+⟦(?P<set>\d+)⟧\s+(?:to|equal\s+to)\s+"
    r"(?P<set_value>⟦\d+⟧|[^.;,⟦]+)"
    r"|⟦(?P<ja_replaced>\d+)⟧\s*を[^。]*?(?:置き換え|置換|で割)"
    r"|⟦(?P<ja_also>\d+)⟧\s*[はを][^。⟦]*?にも\s*(?:用いる|使う|用いられる|使われる)"
    r"|⟦(?P<ja>\d+)⟧\s*[をは]\s*(?:改めて|新たに|今度は)?\s*(?P<ja_rest>[^。、⟦]+?)\s*(?P<ja_verb>とする|とおく|と置く|とします|と書く|"
    r"を表す|と考える|とみなす|を意味する|である|です|を指す|として(?:再利用|再び用い|用い|使|扱)|で(?:測|数え|表)|にする|ではない|でない)",
    re.I)
# what makes a redescription of a count no count, though it speaks of numbers: "the average number of tokens",
# "a half-integer", "the number of examples divided by three", "the square root of the number of examples"
_NOT_COUNT_MODIFIER = LazyPattern(r"\b(?:average[ds]?|mean|expected|effective|approximate|half|halved|halves|divided|"
                                  r"fraction(?:al|s)?|ratio|proportion|rate|share|percent(?:age)?|root|logarithm|log|"
                                  r"squared?|cube|thousands?|millions?|billions?|scaled|normali[sz]ed|rescaled|density|"
                                  r"frequency|bandwidth|temperature|weight|weighted|multiple|reciprocal|inverse|constant|"
                                  r"units?|interval|continuous|real|over|times|thirds?|quarters?|variance|entropy|deviation|"
                                  r"fractional|fractionally|smoothed|estimated|estimate|expectation)\b|"
                                  r"半|平均|期待|平方根|対数|割|率|比|単位|千|万|定数|帯域|温度|重み|倍|逆数|正の数|負の数|実数|数値|"
                                  r"整数ではない|整数でない", re.I)
_STILL_A_COUNT = LazyPattern(r"\b(?:same|before|above|unchanged|previously|number|count|integer|natural|whole|size|"
                             r"dimension|dimensionality|length|depth|"
                             r"index|order|budget|hyper-?parameter|cardinality)\b", re.I)
_CLAUSE_BREAK = LazyPattern(r"[,;:()（）、。！？]|[.!?](?=\s|$)|\n\s*\n|\band\b(?=\s*⟦)|\bbut\b|\bwhereas\b", re.I)

_COUNT_MEMBERSHIP = LazyPattern(r"^\s*(?P<names>[^∈∉]+?)\s*(?P<op>\\notin|\\not\s*\\in|∉|\\in|∈)(?![A-Za-z])\s*(?P<set>.+?)\s*$")
_INTEGER_SET_WRITTEN = LazyPattern(  # ℕ, ℤ_{>0}, \mathbb{N}^+, {1, 2, …}: the sets of counts (not ℤ, ℤ_{≥0}, ℕ_0)
    r"\s*(?:\\mathbb\s*\{?\s*N\s*\}?|\\mathbf\s*\{\s*N\s*\}|\\Bbb\s*\{?\s*N\s*\}?|ℕ|\\N\b)"
    r"\s*(?:[_^]\s*\{?\s*(?:\+|>\s*0|\\geq?\s*1|≥\s*1|\*|1)\s*\}?)?\s*"
    r"|\s*(?:\\mathbb\s*\{?\s*Z\s*\}?|\\mathbf\s*\{\s*Z\s*\}|\\Bbb\s*\{?\s*Z\s*\}?|ℤ|\\Z\b)"
    r"\s*[_^]\s*\{?\s*(?:\+|>\s*0|\\geq?\s*1|≥\s*1|\*)\s*\}?\s*"
    r"|\s*\\\{\s*(?:0\s*,\s*)?1\s*,\s*(?:2\s*,\s*)?(?:\\[lc]?dots\s*,)?.*\\\}\s*")
_INTEGER_VALUE = LazyPattern(r"\s*\d+\s*|\s*(?:one|two|three|four|five|six|seven|eight|nine|ten|a\s+hundred|a\s+thousand)\s*",
                             re.I)
_RELATION_WRITTEN = LazyPattern(r"[<>=≤≥≠]|\\(?:geq?|leq?|gt|lt|neq?|ne|mapsto|to|coloneqq|gets|leftarrow)(?![A-Za-z])")


# a clause that modifies what the one before said of a count: "..., averaged over the 3 GPUs", "..., divided by K"
_MODIFIED_AFTER = LazyPattern(r"\s*(?:then\s+|and\s+|but\s+)?(?:averaged|divided|halved|scaled|normali[sz]ed|rescaled|measured|"
                              r"expressed|rounded|smoothed|interpolated|weighted|in\s+units\b|in\s+thousands\b|"
                              r"(?:now\s+)?(?:allowed|permitted)\s+to\s+be|possibly\s+(?:fractional|non-?integer|real))", re.I)


MEANING = "_new_meaning"  # in a withdrawal's assumptions: a new meaning or value, which ends a sign as well as a count
# the words of a clause that announce a change of what a name is ("Below, $x$ denotes ...", "Now negate $x$")
_CHANGE_ANNOUNCED = LazyPattern(r"\b(?:from\s+now\s+on|from\s+here\s+on|below|hereafter|henceforth|next|now|in\s+section|"
                                r"in\s+the\s+rest|later|instead|re-?use[sd]?|plays?\s+the\s+role|reinterpret\w*|think\s+of|"
                                r"update|subtract\w*|negat\w*|flip\w*|write)\b|以降|以下|今後", re.I)


_SIGNED_NOUNS = LazyPattern(r"\b(?:standard\s+deviations?|variances?|scales?|std|norms?|lengths?|distances?|magnitudes?|"
                            r"precisions?|probabilit(?:y|ies)|densit(?:y|ies)|counts?|number\s+of|sizes?|radius|radii|"
                            r"widths?|bandwidths?|rates?|positive)\b|標準偏差|分散", re.I)
_SIGN_LOSING = LazyPattern(r"\b(?:minus|plus|log|logarithm|logit|change|derivative|difference|centered|centred|relative|"
                           r"shift(?:ed)?|offset|error|residual|drift|mean|average|gradient|slope|correlation|signed|"
                           r"increment|perturb\w*|noise|z-?score|below|instead|now|later|also)\b", re.I)


def _keeps_a_sign(predicate: str) -> bool:
    """Whether a restatement keeps a declared sign: it names a quantity of that sign ("the standard deviation of
    $q$") with nothing that takes it away ("the log of", "minus one", "the drift")."""
    own = re.split(r"[.;]|⟦\d+⟧\s*(?:is|are)\b", predicate, maxsplit=1)[0]
    return bool(_SIGNED_NOUNS.search(own)) and not _SIGN_LOSING.search(own)


def _math_or_words(value: str, maths: list) -> str:
    """The formula a ``⟦k⟧`` marker stands for, or the words as written."""
    marker = re.fullmatch(r"\s*⟦(\d+)⟧\s*", value)
    return maths[int(marker.group(1))].group(1) if marker else value


def _letters_in(math: str) -> list[str]:
    """The one-letter names a formula writes (N of ``2N``, of ``N - 1/2``; not the letters of a command)."""
    return sorted(set(re.findall(r"(?<![\\A-Za-z])([A-Za-z])(?![A-Za-z])", math)))


_INTEGRAL_WORDS = LazyPattern(r"\b(?:odd|even|integers?|natural|whole|integral)\b", re.I)


def _still_a_count(predicate: str) -> bool:
    """Whether what a redescription says of a count keeps it one: "the number of samples", "the same", "an
    integer"; not "the average number of tokens", "a half-integer", "the number of examples divided by three"
    (the words up to the next formula or the next "and let": what is said of this name)."""
    if re.match(r"\s*(?:(?:the|a)\s+)?number\s*⟦", predicate):
        return False  # "the number $\pi$": a value, no count
    own = re.split(r"⟦\d+⟧|\b(?:and|or)\s+(?:let|set|write|define|denote|call|take)\b", predicate, maxsplit=1)[0]
    return bool(_STILL_A_COUNT.search(own)) and not _NOT_COUNT_MODIFIER.search(own)


def _count_withdrawals(prose: str):
    """(offset, name, assumptions) for each clause of ``prose`` that makes a name no count: it calls the name a
    real (or rational, a float; see _REAL_WORDS, after the name), puts it in ℝ, ℚ or an interval, denies it is
    an integer, or gives it a new meaning that is no count (_REDESCRIBED)."""
    maths = list(re.finditer(r"\$([^$]+)\$", prose))
    numbers = iter(range(len(maths)))
    marked = re.sub(r"\$[^$]+\$", lambda m: f"⟦{next(numbers)}⟧", prose)
    starts = [m.start() for m in maths]
    recent, since, before_words = [], 0, ""  # the formulas of the last clause that has some, and the clauses since
    for clause, at in _clauses_at(marked, maths):
        numbers = [int(k) for k in re.findall(r"⟦(\d+)⟧", clause)]
        words = re.sub(r"⟦\d+⟧", " ", clause)
        lead, before_words = before_words, words  # ("Below, $x$ denotes ...": the clause before announces a change)
        recent, since = (numbers, 0) if numbers else (recent, since + 1)
        if not numbers and since <= 2 and _MODIFIED_AFTER.match(words):
            for k in recent:  # "$N$ is the number of examples per GPU, averaged over the 3 GPUs"
                for name in _mentioned_names(maths[k].group(1)):
                    yield at, name, {}
        if not numbers and since <= 3 and _refers_back_as_real(words):
            for k in recent:  # "…, which we treat as a real parameter", "We treat it as a real parameter."
                for name in _mentioned_names(maths[k].group(1)):
                    yield at, name, {}
        for found in _TREATED_AS_REAL.finditer(clause):  # "We interpolate $N$ continuously"
            k = int(found.group("k") or found.group("ja_k"))
            for name in _mentioned_names(maths[k].group(1)):
                yield starts[k], name, {}
        for found in _REAL_BEFORE.finditer(clause):  # "We allow fractional $N$", "positive real $N$"
            for name in _mentioned_names(maths[int(found.group("k"))].group(1)):
                yield starts[int(found.group("k"))], name, _withdrawn_sign(found.group())
        if not numbers and not _ALL_SIZES_REAL.search(words):
            continue
        sign = _withdrawn_sign(words)
        renamed, predicates = set(), {}
        for found in _REDESCRIBED.finditer(clause):
            if found.group("ja"):
                rest = found.group("ja_rest").strip()
                if not re.fullmatch(_JA_COUNT + r"|[^。]*(?:数|整数|自然数|同じ|前と)", rest) or \
                        found.group("ja_verb") in ("ではない", "でない") or \
                        ("それぞれ" not in rest and _NOT_COUNT_MODIFIER.search(rest)):  # (a respective list: each its own)
                    renamed.add(int(found.group("ja")))  # "以下、$N$ を温度とする", "以降、$N$ は半整数とする"
            elif found.group("set"):
                if not _INTEGER_VALUE.fullmatch(_math_or_words(found.group("set_value"), maths)):
                    renamed.add(int(found.group("set")))  # "Now set $N$ to $\tfrac12$": a value, maybe no integer
            elif found.group("halved") or found.group("substituted") or found.group("redefined"):
                changed = int(found.group("halved") or found.group("substituted") or found.group("redefined"))
                renamed.add(changed)  # "Now halve $N$", "substitute $N/2$ for $N$": a new value, of no known sign
                predicates[changed] = ""
            elif found.group("scaled") or not _still_a_count(
                    clause[found.end():] if found.group("k") or found.group("used") or found.group("thought") else words):
                named_here = {int(found.group(g)) for g in ("k", "for", "renamed", "scaled", "ja_replaced", "ja_also",
                                                            "used", "thought") if found.group(g)}
                renamed |= named_here
                for k in named_here:  # what is said of it, for a sign: "the standard deviation" keeps σ > 0
                    predicates[k] = "" if found.group("scaled") else clause[found.end():]
        valued = any(_NON_INTEGER_VALUE.match(maths[k].group(1)) for k in numbers)  # "$N$ varies in $[0.5, 2]$"
        unbound = _INTEGRALITY_DROPPED.match(words) is not None  # "we relax the integrality of $N$"
        for k in numbers:
            math = maths[k].group(1)
            member = _COUNT_MEMBERSHIP.match(math)
            after = re.sub(r"⟦\d+⟧", " ", clause[clause.index(f"⟦{k}⟧"):])
            predicated = _PREDICATE.match(after) is not None  # "$N$ is / may be / ranges over ...": said of N
            real = _REAL_WORDS.search(after) if predicated else None
            if member is not None and not (_INTEGER_SET_WRITTEN.fullmatch(member.group("set")) and
                                           member.group("op") in ("\\in", "∈") and _names(member.group("names"))):
                sign = _withdrawn_sign(member.group("set")) if member.group("op") in ("\\in", "∈") else {}
                for name in _names(member.group("names")) or _letters_in(member.group("names")):
                    yield starts[k], name, sign  # N ∈ ℝ, N ∉ ℕ, N ∈ ½ℤ, N − 1/2 ∈ ℕ: no count (a count: N ∈ ℕ)
            elif member is not None:
                continue
            elif predicated and not _names(math) and not _RELATION_WRITTEN.search(math) and _INTEGRAL_WORDS.search(after):
                for name in _letters_in(math):
                    yield starts[k], name, {}  # "$2N$ is odd": N a half-integer, no count (1/N is real: N still one)
            elif _non_integer_bound(math):
                yield starts[k], _non_integer_bound(math), {}
            elif _ASSIGNED.match(math) and not re.fullmatch(r"\s*\d+\s*", _ASSIGNED.match(math).group("value")):
                for name in _names(_ASSIGNED.match(math).group("name")) or ():
                    yield starts[k], name, ({MEANING: True} if re.search(r"\\mapsto|↦|\\leftarrow|\\gets|←", math) else {})
                    # "put $N := \sigma^2$": a value that need not be an integer; "$x \mapsto x - 10$": any sign
            elif real and not _NOT_REAL.search(after[:real.start()]) or predicated and _NOT_A_COUNT.search(after) or \
                    k in renamed or unbound or predicated and valued and not _NON_INTEGER_VALUE.match(math):
                meaning = k in renamed and not _RELATION_WRITTEN.search(math) and bool(  # ("Let $x > 0$ be the
                    _CHANGE_ANNOUNCED.search(words) or _CHANGE_ANNOUNCED.search(lead) or  # input" declares the sign)
                    not _keeps_a_sign(predicates.get(k, "")))
                for name in _mentioned_names(math):
                    yield starts[k], name, ({**(sign if real else {}), MEANING: True} if meaning else sign if real else {})
        if not numbers and _ALL_SIZES_REAL.search(words):
            yield at, "*", sign  # "From now on, all sizes are real": every count


# a clause with no formula that speaks of the last one named as a real: "which we treat as a real parameter",
# "We treat it as a real parameter.", "Below, this count may be fractional" (the formulas of a clause at most three
# clauses before it)
_REFERRING = LazyPattern(r"^\s*(?:which|that)\b|\b(?:it|this|they|them|its|the\s+latter|this\s+count|that\s+count|"
                         r"this\s+number|that\s+number)\b|^\s*(?:ただし|但し|なお|ここで)?\s*(?:これ|それ|この数|この値)|"
                         r"^\s*(?=(?:整数|自然数)(?:とは限らない|でなくて|に限らない|でなくともよい))", re.I)


def _refers_back_as_real(words: str) -> bool:
    found = _REFERRING.search(words)
    if found is None:
        return False
    real = _REAL_WORDS.search(words, found.end())
    return real is not None and not _NOT_REAL.search(words[found.end():real.start()])


# a number-set word before the name: "fractional $N$", "positive real $N$", "fractional values of $N$"
_REAL_BEFORE = LazyPattern(r"\b(?:(?:strictly\s+)?(?:positive|non-?negative)\s+)?(?:real(?:-valued)?|fractional|non-?integer|non-?integral|"
                           r"continuous|(?:ir)?rational|decimal|half-?integers?)\s+(?:(?:values?|numbers?)\s+(?:of\s+|for\s+)?)?"
                           r"(?:the\s+)?⟦(?P<k>\d+)⟧", re.I)
# a verb that takes the name, and real words later in the clause: "We interpolate $N$ continuously", "we let $N$
# vary over the reals", "$N$ を正の数とみなす"
_TREATED_AS_REAL = LazyPattern(r"\b(?:interpolat\w*|extend\w*|relax\w*|treat\w*|regard\w*|view\w*|let|lets|allow\w*|"
                               r"vary\w*|varies|continu\w*)\s+(?:\w+\s+)?⟦(?P<k>\d+)⟧(?=[^⟦]*?"
                               r"\b(?:continuous(?:ly)?|real(?:s|ly)?|fractional(?:ly)?|non-?integers?|smoothly)\b)"
                               r"|⟦(?P<ja_k>\d+)⟧\s*を\s*(?:正の|非負の)?\s*(?:数|値|量)\s*(?:と|として)\s*(?:みなす|扱う|考える)", re.I)
# a value no count takes, alone in its formula: an interval, a number that is no integer ("$[0.1, 10]$", "$0.5$")
_NON_INTEGER_VALUE = LazyPattern(r"^\s*(?:(?:\\left\s*)?[(\[]\s*[^,]+,\s*[^,]+?(?:\\right\s*)?[)\]]|-?\d*\.\d*[1-9]\d*|"
                                 r"\\[dt]?frac\s*\{\s*\d+\s*\}\s*\{\s*\d+\s*\}|\d+\s*/\s*\d+)\s*$")
_INTEGRALITY_DROPPED = LazyPattern(
    r"(?=.*\b(?:integer|integers|integral|integrality|whole(?:\s+numbers?)?|discrete|discreteness)\b)"
    r"(?=.*\b(?:relax\w*|drop\w*|need\s+not|needn't|not\s+assume|no\s+longer|not\s+necessarily|remov\w*|lift\w*|"
    r"abandon\w*|does\s+not\s+have\s+to|do\s+not\s+have\s+to|forget\w*|ignor\w*)\b)"
    r"|(?=.*整数性)(?=.*(?:仮定しない|仮定せず|外す|落とす|緩め|緩和|課さない))", re.I | re.S)
_ALL_SIZES_REAL = LazyPattern(r"\b(?:all|every|each|any)\s+(?:the\s+)?(?:sizes?|counts?|dimensions?|integers?|"
                              r"numbers\s+of\s+\w+)\b.*\b(?:real|reals|continuous|non-?integers?|rationals?)\b|"
                              r"\b(?:fractional|non-?integer|real(?:-valued)?|continuous)\s+(?:counts?|sizes?)\b|"
                              r"\b(?:counts?|sizes?)\s+(?:may|can|might|could|are\s+allowed\s+to)\s+be\s+(?:fractional|"
                              r"real|non-?integers?|continuous)\b", re.I)
_BOUND = LazyPattern(r"^\s*(?:(?P<low>[^<>≤≥]+?)\s*(?:<|\\lt\b|\\leq?\b|≤)\s*)?(?P<name>[A-Za-z](?:_\{?\w+\}?)?)\s*"
                     r"(?P<relation><|\\lt\b|\\leq?\b|≤|>|\\gt\b|\\geq?\b|≥)\s*(?P<bound>[^<>≤≥]+?)\s*$")


_ASSIGNED = LazyPattern(r"^\s*(?P<name>[A-Za-z](?:_\{?\w+\}?)?)\s*(?::=|\\coloneqq|\\triangleq|\\equiv|=|\\leftarrow\b|\\gets\b|←|"
                        r"\\mapsto\b|↦)\s*"
                        r"(?P<value>[^=<>]+?)\s*$")


def _clauses_at(marked: str, maths: list[re.Match]):
    """(clause, its offset in the prose) for each clause of the marked prose (formulas written ⟦k⟧)."""
    shift, last, begin = 0, 0, 0
    for cut in [*_CLAUSE_BREAK.finditer(marked), None]:  # (a break is taken whole: "but" leaves no "ut")
        end = cut.start() if cut is not None else len(marked)
        if end > begin:
            shift += sum(len(maths[int(k)].group()) - len(f"⟦{k}⟧") for k in re.findall(r"⟦(\d+)⟧", marked[last:begin]))
            last = begin
            yield marked[begin:end], begin + shift
        begin = cut.end() if cut is not None else end


def _non_integer_bound(math: str) -> str | None:
    """The name a bound formula makes no count: one bound that is no integer ($N \\le 1/2$, $N > 0.5$), or bounds
    no integer size meets ($0 < N < 1$). None for any other formula (N ≥ 1, N ≤ 100)."""
    found = _BOUND.match(math)
    if found is None:
        return None
    numbers = []
    for written in (found.group("low"), found.group("bound")):
        if written is None:
            numbers.append(None)
            continue
        plain = re.sub(r"\\[dt]?frac\s*\{([^{}]+)\}\s*\{([^{}]+)\}", r"(\1)/(\2)", written).replace("\\", "")
        try:
            value = sp.Rational(sp.sympify(plain, rational=True))
        except (sp.SympifyError, TypeError, ValueError, SyntaxError):
            return None
        numbers.append(value)
    low, bound = numbers
    if any(n is not None and not n.is_integer for n in numbers):
        return found.group("name")
    upper = found.group("relation") in ("<", "\\lt", "\\le", "\\leq", "≤")
    if upper and bound is not None and (bound < 1 or bound <= 1 and found.group("relation") in ("<", "\\lt")):
        return found.group("name")  # N ≤ 0, N < 1: no size
    return None


def _mentioned_names(math: str) -> list[str]:
    """The names a formula is (``N``, ``N > 0``); none for a formula that only contains one (``1/N``, ``\\log N``:
    what the clause says of it is not said of N)."""
    signed = re.fullmatch(r"\s*(.+?)\s*(>|\\gt|\\geq?|≥)\s*0\s*", math)
    return _names(signed.group(1) if signed else math) or []


def _withdrawn_sign(words: str) -> dict:
    """The sign a withdrawal states: "positive reals", ℝ_{>0}, (0, ∞): positive; "nonnegative", [0, ∞): nonnegative."""
    if re.search(r"non-?negative|\\geq?\s*0|≥\s*0|^\s*\[\s*0|非負", words, re.I):
        return {"nonnegative": True}
    if re.search(r"(?<!non-)(?<!non)\bpositive|_\s*\{?\s*(?:\+|>\s*0)|\^\s*\{?\s*\+|^\s*\(\s*0\s*,|正の", words, re.I):
        return {"positive": True}
    return {}


def _redeclared(m: re.Match) -> list[tuple[str, dict]]:
    """(name, assumptions) of one real redeclaration: the sign words give the sign, as does a sign formula
    ("$N > 0$ be a real number")."""
    written = m.group("subjects") or m.group("relaxed") or m.group("ja")
    word = (m.group("sign") or m.group("relaxed_sign") or {"正の": "positive", "非負の": "nonnegative"}.get(
        m.group("ja_sign") or "", "") or "").lower().replace("-", "").replace("strictly", "").strip()
    found = []
    for math in re.findall(r"\$([^$]+)\$", written):
        signed = re.fullmatch(r"\s*(.+?)\s*(>|\\gt|\\geq?|≥)\s*0\s*", math)
        names = _names(signed.group(1) if signed else math)
        sign = word or ({">": "positive", "\\gt": "positive"}.get(signed.group(2), "nonnegative") if signed else "")
        for name in names or ():
            found.append((name, {sign: True} if sign else {}))
    return found


def _signed_later(name: str, maths: list[tuple[int, str]], after: int) -> bool:
    """Whether an inline formula after ``after`` relates ``name`` to something ("Assume $\\sigma > 0$"): the
    sign the sentence reader read there is the later statement, and stays."""
    return any(at >= after and name in {plain_name(t.text)[0] for t in tokenize(math) if t.kind in ("word", "cmd")}
               and re.search(r"[<>]|\\[gl]eq?\b|\\[gl]t\b|[≤≥]", math)
               for at, math in maths)


def _expanded(withdrawals, context: Context):
    """The withdrawals with "every count" ("*") written out as each integer the context declares."""
    for start, name, assumptions, counts_only in withdrawals:
        if name != "*":
            yield start, name, assumptions, counts_only
            continue
        for declared in [n for n, symbol in context.symbols.items() if symbol.is_integer]:
            yield start, declared, assumptions, True


def redeclare_reals(prose: str, context: Context, note: str = "") -> None:
    """Each name a real redeclaration is about (see _REAL_REDECLARATION) that the context declared a number before
    (a count, a sign) is that real from here on: dropping what was assumed can only leave a step undecided."""
    counts = {}
    for found in _count_phrases(prose):
        groups = found.groupdict()
        for m in re.findall(r"\$([^$]+)\$", groups.get("ja_subjects") or groups.get("subjects") or ""):
            for name in _names(m) or ():
                counts[name] = max(counts.get(name, -1), found.start())
    maths = [(m.start(), m.group(1)) for m in re.finditer(r"\$([^$]+)\$", prose)]
    for start, name, assumptions, counts_only in _expanded(withdrawals(prose), context):
        declared = context.symbols.get(name)
        if name in context.shapes or counts.get(name, -1) > start or _signed_later(name, maths, start + 1):
            continue
        meaning = assumptions.get(MEANING, False)
        assumptions = {key: value for key, value in assumptions.items() if key != MEANING}
        if counts_only and not meaning and not (declared is not None and declared.is_integer):
            continue  # "$\sigma$ is a real parameter": a sign declared before stays (not "$x$ denotes the residual")
        if declared is not None or name in context.bounded:
            context.declare_symbol(name, note + " (a real from here on: replaces the earlier declaration)",
                                   **assumptions)


# "(we allow $K = 0$)", "when $K = 0$ the sum is empty", "$N \geq 0$", "when $K$ vanishes", "the case where $K$
# equals zero": the prose speaks of the size 0 (unless it excludes it: "We exclude $K = 0$")
_SIZE_ZERO = LazyPattern(r"^\s*(?P<name>[^=<>≥]+?)\s*(?:=|\\geq?|≥)\s*0\s*[.,;]?\s*$")
_NO_ITEMS_ALLOWED = LazyPattern(
    r"(?=.*\b(?:allow\w*|valid|permit\w*|possible|admissible|may|can|fine|acceptable)\b)(?=.*\b(?:zero|no)\s+"
    r"(?:[A-Za-z-]+\s+)?(?:" + "|".join(sorted(_COUNTED_NOUNS)) + r"|components?|samples?|points?)\b)", re.I | re.S)
_ZERO_SIZE_WORDS = LazyPattern(r"\b(?:zero|vanish(?:es|ing)?|empty|none)\b|ゼロ|零", re.I)
_EXCLUDED = LazyPattern(r"\b(?:exclude[sd]?|excluding|rule[sd]?\s+out|not\s+allowed|disallow\w*|forbid\w*|"
                        r"never|cannot|can\s*not|impossible|nonzero|non-zero)\b|除", re.I)


def allow_zero_sizes(prose: str, context: Context, note: str = "") -> None:
    """A positive integer that a sentence of ``prose`` sets to 0 (a formula K = 0 or K ≥ 0, the words zero,
    vanishes, empty next to the name) is a nonnegative integer from here on: 0 is a size the text considers."""
    for sentence in re.split(r"(?<=[.!?。;])\s+|\n\s*\n", prose):
        if _EXCLUDED.search(re.sub(r"\$[^$]*\$", " ", sentence)):
            continue
        if _NO_ITEMS_ALLOWED.match(sentence):  # "We allow no components at all": any count may be 0
            for name, declared in list(context.symbols.items()):
                if declared.is_integer and declared.is_positive:
                    context.declare_symbol(name, note + " (a nonnegative integer: the text allows none)",
                                           integer=True, nonnegative=True)
        maths = re.findall(r"\$([^$]+)\$", sentence)
        named = [(m, _SIZE_ZERO.match(m)) for m in maths]
        words = _ZERO_SIZE_WORDS.search(re.sub(r"\$[^$]*\$", " ", sentence))
        for math, found in named:
            names = _names(found.group("name")) if found else (_names(math) if words else None)
            for name in names or ():
                declared = context.symbols.get(name)
                if declared is not None and declared.is_integer and declared.is_positive:
                    context.declare_symbol(name, note + f" (a nonnegative integer: the text considers {name} = 0)",
                                           integer=True, nonnegative=True)


# "$I \in \mathbb{R}$", "$I > 0$", "$I \geq 1$", "$I = 2c$": the letter of the identity declared a number
_SCALAR_IDENTITY = LazyPattern(
    r"^\s*(?P<name>I|\\mathrm\s*\{\s*I\s*\})\s*(?:(?P<member>(?:\\in|∈)\s*" + _REALS + r"(?:_\s*\{?\s*(?:\+|>\s*0)\s*\}?)?)"
    r"|(?P<relation>>|\\gt\b|\\geq?\b|≥|<|\\lt\b|\\leq?\b|≤|\\neq?\b|≠)\s*(?P<bound>-?\s*\d+(?:\.\d+)?)"
    r"|=\s*(?P<value>[^=<>]+?))\s*[.,;]?\s*$")
_SCALAR_IDENTITY_SENTENCE = LazyPattern(
    r"\$\s*(?P<name>I)\s*\$\s+(?:is|be|denotes?)\s+(?:(?:a|an|any|some|the)\s+)?(?P<sign>(?:strictly\s+)?positive|"
    r"non-?negative|negative|non-?zero|real)?\s*(?:real\s+)?(?:numbers?|scalars?|constants?|parameters?|reals?)\b", re.I)


def declare_scalar_identity_letter(math: str, context: Context, note: str = "") -> bool:
    """A prose statement that ``I`` is a number (``I \\in \\mathbb{R}``, ``I > 0``, ``I = 2c``): I is then that number
    in what follows, never the identity (the declaration beats the identity reading). True when it is one."""
    found = _SCALAR_IDENTITY.match(math)
    if found is None:
        return False
    assumptions: dict = {}
    if found.group("member") is not None:
        assumptions = {"positive": True} if "_" in found.group("member") else {}
    elif found.group("relation") is not None:
        relation, bound = found.group("relation"), sp.Rational(found.group("bound").replace(" ", ""))
        if relation in (">", "\\gt") and bound >= 0 or relation in ("\\geq", "\\ge", "≥") and bound > 0:
            assumptions = {"positive": True}
        elif relation in ("\\geq", "\\ge", "≥") and bound == 0:
            assumptions = {"nonnegative": True}
        elif relation in ("\\neq", "\\ne", "≠") and bound == 0:
            assumptions = {"nonzero": True}
    else:
        value = found.group("value")
        if _matrix_text(value, context):
            return False  # I = A^{-1}A: a statement about the identity, no declaration of a number
    _declare_scalar_identity(context, note, assumptions)
    return True


def _matrix_text(text: str, context: Context) -> bool:
    """Whether an inline formula's text names a matrix or vector operation or a declared vector or matrix."""
    if re.search(r"\\(?:top|intercal|det|operatorname|mathrm\s*\{\s*(?:tr|diag|det)|mathbf|boldsymbol|bm|Sigma|Lambda)"
                 r"|\^\s*\{?\s*(?:T|-1)\b|\b(?:diag|tr)\b", text):
        return True
    return any(t.kind in ("word", "cmd") and plain_name(t.text)[0] in context.shapes for t in tokenize(text))


def _declare_scalar_identity(context: Context, note: str, assumptions: dict) -> None:
    before = context.symbols.get("I")
    if before is not None and not assumptions:
        return  # "$I \in \mathbb{R}$ ... $I > 0$" in either order: the stronger sign stays
    context.shapes.pop("I", None)
    context.declare_symbol("I", note, **assumptions)


_NAMED_QUANTITY_I = LazyPattern(r"\$\s*I\s*\$\s+(?:denotes?|is|be|stands?\s+for|represents?)\s+(?:the|a|an|our)\s", re.I)
_MATRIX_WORDS = LazyPattern(r"identity|unit\s+matrix|matri(?:x|ces)|\\mathbb\s*\{\s*R\s*\}\s*\^|\\times", re.I)


def declare_named_quantity_identity_letter(prose: str, context: Context, note: str = "") -> None:
    """"Let $I$ denote the mutual information between $x$ and $z$": I names a quantity that is no matrix (the
    sentence says nothing of an identity or a matrix), so it is a number of unknown sign, never the identity."""
    for found in _NAMED_QUANTITY_I.finditer(prose):
        rest = prose[found.end():]
        clause = rest[:min([k for k in (rest.find(". "), rest.find(", "), rest.find(";"), rest.find("\n\n"), len(rest))
                            if k >= 0])]  # "the mutual information between $x$ and $z$, and let $\Sigma \in ...$"
        if not _MATRIX_WORDS.search(clause):
            _declare_scalar_identity(context, note, {})


def declare_scalar_identity_sentences(prose: str, context: Context, note: str = "", plain: set | None = None) -> None:
    """"$I$ is a positive number", "let $I$ be a scalar": I declared a number (see
    :func:`declare_scalar_identity_letter`)."""
    declare_named_quantity_identity_letter(prose, context, note)
    for found in _SCALAR_IDENTITY_SENTENCE.finditer(prose):
        if plain is not None and found.start() + 1 not in plain:
            continue
        if re.search(r"\b(?:not|no|never)\s*$", prose[max(0, found.start() - 12):found.start()], re.I):
            continue
        sign = (found.group("sign") or "").lower().replace("-", "").replace("strictly ", "")
        assumptions = {"positive": {"positive": True}, "nonnegative": {"nonnegative": True},
                       "negative": {"negative": True}, "nonzero": {"nonzero": True}}.get(sign, {})
        _declare_scalar_identity(context, note, assumptions)


DEFINED = "<defined>"  # + a name, in the shapes: (the text of its definition, None): Σ = diag(σ²) in the prose
_DEFINITION = LazyPattern(r"^\s*(?P<name>[^=<>]+?)\s*(?::=|=|\\coloneqq|\\equiv)\s*(?P<value>[^=<>]+?)\s*[.,;]?\s*$")


def declare_matrix_definition(math: str, context: Context, note: str = "", definite: bool = True) -> bool:
    """``\\Sigma = \\mathrm{diag}(\\sigma^2)``, ``A = 2I``, ``M := L L^\\top`` in the prose: a capital name defined as a
    matrix expression; later formulas read the name as that expression. True when it is one."""
    found = _DEFINITION.match(math)
    if found is None or "\\sim" in math:
        return False
    name = _name_of(found.group("name"))
    if name is None or not _base(name)[0].isupper() or _identity_name(name) is not None or name in context.symbols \
            or (name in context.shapes and DEFINED + name not in context.shapes) or not definite:
        return False  # Σ₂ = I of a Σ₂ declared before: a special case the prose considers, no definition
    value = _definition_value(found.group("value"), context, name)
    if value is None or not _is_matrix(value) or value.shape[1] == 1:
        return False
    _set_shape(context, name, tuple(value.shape), note)
    context.shapes[DEFINED + name] = (found.group("value").strip(), None)
    return True


def display_definition(name: str, item, context: Context, own: Context, line: str) -> Context | None:
    """A display ``\\Sigma := \\mathrm{diag}(\\sigma^2)``: the matrix definition :func:`declare_matrix_definition`
    reads, for the display's own rows (``own``) and what follows (the copy of ``context`` returned; None when it is
    no such definition). The item becomes a declaration (verdict: definition)."""
    part = f"{name} = {item.segment.source}"
    declared = context.copy()
    if not declare_matrix_definition(part, declared, f"{line}: {part.strip()}"):
        return None
    declare_matrix_definition(part, own, f"{line}: {part.strip()}")
    item.relation = "~"  # (the one kind of step check.py reports as a declaration the document layer read)
    item.declaration = f"{name.strip()} := {item.segment.source.strip()}, a matrix"
    return declared


_CONDITIONAL = LazyPattern(r"(?:\(\s*(?:[A-Za-z.]+\s+){0,3}|\b(?:if|when|whenever|for|case|cases|e\.g\.|say|against|unless|suppose|assume|"
                          r"assuming|such\s+as)\s+(?:that\s+|the\s+)?)$", re.I)


def _drop_conditional_definitions(prose: str, context: Context) -> None:
    """"($\\Sigma_2 = I$)", "if $A = 2I$", "for $\\Sigma = I$": a special case the prose considers, no definition."""
    for found in re.finditer(r"\$([^$]+)\$", prose):
        definition = _DEFINITION.match(found.group(1))
        name = _name_of(definition.group("name")) if definition else None
        if name is not None and DEFINED + name in context.shapes and \
                _CONDITIONAL.search(prose[max(0, found.start() - 40):found.start()]):
            context.shapes.pop(DEFINED + name, None)


def _definition_value(text: str, context: Context, name: str) -> sp.Expr | None:
    """The matrix expression a definition's right-hand side reads as (None: no matrix, or not readable)."""
    probe = context.copy()
    probe.shapes = {k: v for k, v in context.shapes.items() if k not in (name, DEFINED + name)}
    probe.shapes.setdefault(IDENTITY_MARK, (_default(context), _default(context)))  # A = 2I: the identity
    parser = Parser(tokenize(text), text, probe, 0)
    if not parser.tokens or not wanted(parser):
        return None
    try:
        return read(parser)
    except (Unparsed, ValueError, TypeError, AttributeError, RecursionError):
        return None


def _scalar_function(name: str, shape: tuple) -> bool:
    """``f()`` of a declared f: ℝ^d → ℝ: its value is a number, no vector that sizes the others."""
    return name.endswith("()") and tuple(shape) == (1, 1)


def _default(context: Context) -> sp.Expr:
    sizes = {rows for name, (rows, cols) in context.shapes.items() if cols == 1 and not _scalar_function(name, (rows, cols))}
    return sizes.pop() if len(sizes) == 1 else DIMENSION


DEFAULTED = "<defaulted>"  # + a name, in the shapes: its size is the default one, not written
DIMENSION_STATED = "<dimension>"  # the size the prose gives the vectors ("in $J$ dimensions"): (J, 1)


def declare_dimension(name: str, context: Context, note: str) -> None:
    """"in $J$ dimensions", "a $J$-dimensional latent space": the vectors whose size was the default d (not written)
    have size J, and so has a vector declared later without one."""
    size = dimension(name)
    if _equal(size, DIMENSION):
        return
    for key, shape in list(context.shapes.items()):
        if DEFAULTED + key in context.shapes and shape[0] is not None:
            context.shapes[key] = tuple(size if _equal(part, DIMENSION) else part for part in shape)
    context.shapes[DIMENSION_STATED] = (size, sp.Integer(1))
    context.notes[("shape", DIMENSION_STATED)] = note
TRIANGULAR = {"lower": "<lower triangular>", "upper": "<upper triangular>"}  # + a name: declared so
DIAGONAL_MATRIX = "<diagonal>"  # + a name: a square matrix declared diagonal (its entries D_jj, zero elsewhere)
UNREAD_PROPERTY = "<unread property>"  # + a name: declared idempotent, skew-symmetric, …: no world draws it
FULL_COLUMN_RANK = "<full column rank>"  # + a name: of full column rank (rank W = k of a d×k W) or invertible
FULL_ROW_RANK = "<full row rank>"  # + a name: declared of full row rank, or invertible (both marks)
ORTHOGONAL_MATRIX = "<orthogonal>"  # + a name: declared orthogonal (unitary): QᵀQ = I (square: QQᵀ = I too)
POSITIVE_DIAGONAL = "<positive diagonal>"  # + a name: a triangular matrix declared with a positive diagonal
LINKED = "<linked>"  # + "a|b": a and b were declared in one law (x, μ, Σ of x ~ N(μ, Σ)): they have one size


def _set_shape(context: Context, name: str, shape: tuple, note: str, defaulted: bool = False) -> None:
    """``name`` has ``shape``; a size written (x ∈ ℝ^k) also sizes the names declared with ``name`` in a law
    before, where their size was the default (p(x) = N(x; μ, Σ) before x ∈ ℝ^k: μ ∈ ℝ^k, Σ k×k)."""
    previous = context.shapes.get(name)
    was_defaulted = DEFAULTED + name in context.shapes
    context.shapes[name] = shape
    context.shapes.pop(LEARNED + name, None)  # declared now: no longer a guess from its use
    context.symbols.pop(name, None)
    if note:
        context.notes[("shape", name)] = note
    if defaulted:
        context.shapes[DEFAULTED + name] = (None, None)
        return
    context.shapes.pop(DEFAULTED + name, None)
    if previous is None or not was_defaulted or _equal(previous[0], shape[0]):
        return
    old, new = previous[0], shape[0]
    for key in [k for k in context.shapes if k.startswith(f"{LINKED}{name}|")]:
        other = key.split("|", 1)[1]
        if DEFAULTED + other in context.shapes and other in context.shapes:
            context.shapes[other] = tuple(new if _equal(size, old) else size for size in context.shapes[other])


def _link(context: Context, names) -> None:
    names = [n for n in dict.fromkeys(names) if n is not None]
    for a in names:
        for b in names:
            if a != b:
                context.shapes[f"{LINKED}{a}|{b}"] = (None, None)


def _sized(context: Context, name) -> bool:
    """Whether ``name`` has a size the document wrote (not the default one)."""
    return name is not None and name in context.shapes and DEFAULTED + name not in context.shapes


def declare_sentences(prose: str, context: Context, note: str = "", plain: set | None = None,
                      counted: set | None = None) -> None:
    """"$\\Sigma$ is a $d\\times d$ covariance matrix", "$x$ is a $d$-dimensional vector", "$A$ and $B$ are
    matrices": the shapes they state (a negated statement declares nothing); "$d$ is a positive integer" too."""
    declare_integer_sentences(prose, context, note, plain, counted)
    redeclare_reals(prose, context, note)
    allow_zero_sizes(prose, context, note)
    declare_number_t(prose, context)
    declare_scalar_identity_sentences(prose, context, note, plain)
    _drop_conditional_definitions(prose, context)
    revoked = revoke_properties(prose, context)
    _unsettle_restated_laws(prose, context, plain)
    declare_property_sentences(prose, context, note, plain, revoked)
    declare_japanese_sentences(prose, context, note, plain)
    for found in [*_SENTENCE.finditer(prose), *_APPOSITION.finditer(prose)]:
        if any(revoked.get(name, -1) > found.start() for name in _subject_names(found.group("subjects"))):
            continue  # "Let $A$ be symmetric. … here $A$ is general": revoked later in this prose
        if plain is not None and found.start("subjects") + 1 not in plain:
            continue  # a negation, a question, a hedge
        if mentioned_case(prose, found.start("subjects") + 1, named=True):
            continue  # "a positive definite matrix $\Sigma$ would …", "the case of a symmetric matrix $A$": none
        adjectives = found.group("adjectives").lower().replace(",", " ").split()
        if any(word in ("not", "no", "never", "non") for word in adjectives):
            continue
        if found.re is _SENTENCE and re.search(r"\band\s*$", found.group("subjects")) and \
                not re.search(r"\b(?:is|are|be|denotes?)\s", prose[found.end("subjects"):found.end()], re.I):
            continue  # "$x$ and a matrix $A$": no apposition
        before = prose[max(0, found.start() - 12):found.start()].lower()
        if re.search(r"\b(?:not|no)\s*$", before):
            continue
        names = _subject_names(found.group("subjects"))
        if not names:
            continue
        for name in names:  # Σ declared a matrix of its own here: a "Σ = I" beside it was a special case
            context.shapes.pop(DEFINED + name, None)
        vector = found.group("kind").lower().startswith("vector")
        written = found.group("size") or found.groupdict().get("late_size")  # "a positive definite $d\times d$ matrix"
        if found.group("size") and found.groupdict().get("late_size"):
            continue
        written = written or size_in_words(adjectives)
        size = _size(written) if written else None
        if written and size is None:
            continue
        n = _default(context)
        if vector:
            shape = (size[0], sp.Integer(1)) if size else (n, sp.Integer(1))
        else:
            shape = size if size and size[1] != 1 else ((size[0], size[0]) if size else (n, n))
        stated = asserted(prose, found.start("subjects") + 1)  # the shape holds; a property only when asserted
        for name in names:
            if size is not None or not _sized(context, name):  # Σ ∈ ℝ^{2×2} "be a covariance matrix": still 2×2
                _set_shape(context, name, shape, note, defaulted=size is None)
            if not stated:
                continue
            if not vector and _equal(*shape) and any(word in _ORTHOGONAL_WORDS for word in adjectives):
                declare_orthogonal(context, [name], note)
            if not vector and any(_UNREAD_WORDS.fullmatch(word) for word in adjectives):
                context.shapes[UNREAD_PROPERTY + name] = (None, None)
            crossed = any(word in ("cross", "pseudo", "auto") for word in adjectives)  # a cross covariance matrix
            sample = any(word in ("sample", "empirical") for word in adjectives)  # symmetric, maybe singular
            if not vector and not crossed and not sample and any(
                    re.fullmatch(r"(?:covariance|precision|(?:positive-)?definite)", word) for word in adjectives):
                context.definite.add(name)
            elif not vector and sample and "covariance" in adjectives and _equal(*shape):
                context.symmetric.add(name)
            elif not vector and "symmetric" in adjectives and _equal(*shape):
                context.symmetric.add(name)  # symmetric only: Σ = Σᵀ, not known to be definite
            if not vector and "diagonal" in adjectives and _equal(*shape) and not crossed:
                context.shapes[DIAGONAL_MATRIX + name] = (None, None)
            triangle = _triangle(adjectives)
            if not vector and triangle is not None and _equal(*shape):
                context.shapes[TRIANGULAR[triangle] + name] = (None, None)
                if re.match(r"\s*,?\s*with\s+(?:an?\s+)?(?:strictly\s+)?positive\s+diagonal", prose[found.end():], re.I):
                    context.shapes[POSITIVE_DIAGONAL + name] = (None, None)


_GENERAL_WORD = r"(?:general|arbitrary|any|generic|unstructured|not\s+necessarily\s+(?:symmetric|definite|positive)|" \
                r"only\s+assumed\s+square|(?:not|no\s+longer)\s+assumed\s+(?:symmetric|positive|definite))"
# "here $A$ is general", "$\Sigma \in \mathbb{R}^{d\times d}$ is an arbitrary matrix", "our general $A$",
# "$A$ is a general, not necessarily symmetric, matrix", "be an arbitrary matrix instead": no property any more
_GENERAL = LazyPattern(
    r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:here\s+|now\s+)?(?:is|are|be|being)\s+"
    r"(?:now\s+|here\s+|again\s+|only\s+)?(?:(?:an?|some)\s+)?(?:(?:square|real|\$[^$]+\$)\s*,?\s*)*" + _GENERAL_WORD +
    r"\b|\b(?:general|arbitrary|generic)\s+(?:(?:square|real)\s+)?(?:matri(?:x|ces)\s+)?(?P<named>\$[^$]+\$)", re.I)


_ORTHOGONAL_WORDS = {"orthogonal", "orthonormal", "unitary", "rotation"}
# the properties of a matrix the engine does not model: a step with such a matrix is proved or undecided
_UNREAD_WORDS = re.compile(r"(?:projection|projector|idempotent|skew-symmetric|skew|anti-?symmetric|permutation|"
                           r"nilpotent|involutory|(?:doubly-)?stochastic|markov|transition|toeplitz|circulant|hankel|"
                           r"low-rank|rank-(?:one|deficient|\d+)|singular|hermitian|gram|kernel|laplacian|adjacency|"
                           r"sparse|banded|block-diagonal|tridiagonal|householder|"
                           r"reflection|givens|cholesky|hessian)", re.I)
_UNREAD_VOCABULARY = re.compile(r"(?<![\w-])(?:" + _UNREAD_WORDS.pattern + r")(?![\w-])", re.I)
# "$P$ is idempotent", "with $S$ skew-symmetric"
_UNREAD_PROPERTY_SENTENCE = re.compile(r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:(?:is|are|be|being)\s+)?"
                                       r"(?:both\s+)?(?:idempotent|skew-symmetric|anti-?symmetric|nilpotent|involutory|"
                                       r"(?:doubly\s+)?stochastic|a\s+projection|a\s+permutation)(?![A-Za-z-])", re.I)
# "$P^2 = P$", "$S^\top = -S$": a relation of a matrix with itself the engine does not model
_UNREAD_EQUATION = re.compile(r"^\s*(?P<a>\\?[A-Za-z]+)\s*\^\s*\{?\s*2\s*\}?\s*=\s*(?P=a)\s*[.,;]?\s*$|"
                              r"^\s*(?P<b>\\?[A-Za-z]+)\s*\^\s*(?:\{\s*)?(?:T|\\top|\\intercal)(?:\s*\})?\s*=\s*-\s*(?P=b)\s*[.,;]?\s*$")
# "$Q$ is orthogonal", "with $Q$ orthogonal", "$U$ and $V$ are unitary"
_ORTHOGONAL_PROPERTY = re.compile(r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:(?:is|are|be|being)\s+)?"
                                  r"(?:both\s+)?(?:orthogonal|orthonormal|unitary)(?![A-Za-z-])(?!\s+(?:to|complement|projection))",
                                  re.I)


def revoke_properties(prose: str, context: Context) -> dict[str, int]:
    """A matrix the prose now calls general (arbitrary, any, not necessarily symmetric) loses the properties
    declared before (symmetric, positive definite, triangular); the names and where in ``prose`` they were
    revoked (a property stated before that in the same prose is revoked too)."""
    revoked: dict[str, int] = {}
    for found in _GENERAL.finditer(prose):
        sentence_end = re.search(r"[.!?](?=\s|$)", prose[found.end():])
        if "?" in (sentence_end.group(0) if sentence_end else ""):
            continue  # a question revokes nothing
        subjects = found.group("subjects") or found.group("named")
        for name in _subject_names(subjects):
            context.definite.discard(name)
            context.symmetric.discard(name)
            for marker in (*TRIANGULAR.values(), POSITIVE_DIAGONAL):
                context.shapes.pop(marker + name, None)
            revoked[name] = found.start()
    return revoked


def _unsettle_restated_laws(prose: str, context: Context, plain: set | None) -> None:
    """"Now let $z \\sim \\mathcal{N}(0, I)$ instead.": a law of a vector stated again in a sentence that is not
    read as a plain declaration (a negation word, a hedge) leaves the earlier law in doubt: a bare E over it is then
    ambiguous, not the earlier law."""
    if plain is None:
        return
    for found in re.finditer(r"\$([^$]+)\$", prose):
        if found.start(1) in plain:
            continue
        for part in _top_level(found.group(1)):
            law = _NORMAL_LAW.match(part) if "\\sim" in part else None
            subject = _name_of(law.group("subject")) if law else None
            known = context.vector_densities.get((LAW, subject)) if subject else None
            if known is not None and _restated(law, known):
                context.vector_densities[(LAW, subject)] = None


def _restated(law: re.Match, known: tuple) -> bool:
    """Whether ``law`` (a match of _NORMAL_LAW) states other arguments than the remembered law ``known``."""
    arguments = _top_level(law.group("arguments"))
    if len(arguments) != 2:
        return True
    mean = re.split(r";|\\mid\b|(?<!\\)\|", arguments[0].strip())[-1].strip()
    return (mean, arguments[1].strip()) != tuple(known[2:4])


def _subject_names(subjects: str) -> list[str]:
    """The names the formulas of a sentence's subject state, from the last one back to the first that is no list of
    names ("$x \\in \\mathbb{R}^d$, $A$ is a symmetric matrix": A); the last one, next to the verb, may be a
    membership ("$\\Sigma \\in \\mathbb{R}^{2\\times 2}$ is a covariance matrix": Σ, sized by it)."""
    maths = re.findall(r"\$([^$]+)\$", subjects)
    listed = [_names(math) for math in maths]
    if listed and listed[-1] is None:
        found = _MEMBERSHIP.match(maths[-1])
        listed[-1] = _names(found.group("names")) if found else None
    while listed and not all(listed):
        listed.pop(0)
    return [name for names in listed for name in names]


# "$D$ は $d\times d$ の対角行列", "$\Sigma$ を正定値対称行列とする", "$x$ は $d$ 次元ベクトル": shapes and properties
_JAPANESE = LazyPattern(r"(?P<subjects>(?:\$[^$]+\$\s*(?:、|,|と)?\s*)+?)\s*(?:は|を|が)\s*(?:(?:\$(?P<size>[^$]+)\$|"
                       r"(?P<size_digits>\d+)(?=\s*次))\s*(?:次元の?|次の?|の)?\s*)?(?P<adjectives>(?:正定値|半正定値|歪対称|交代|対称|対角|直交|ユニタリ|射影|冪等|べき等|置換|実|共分散|精度|正方)*)\s*"
                       r"(?P<kind>行列|ベクトル)")
_JAPANESE_NEGATION = LazyPattern(r"^\s*(?:で(?:は)?(?:な|あるとは限ら)|ではない|じゃない)")


def declare_japanese_sentences(prose: str, context: Context, note: str = "", plain: set | None = None) -> None:
    """The Japanese declarations of matrices and vectors: a size, diagonal, symmetric, positive definite (共分散
    行列, 正定値行列); a negation (対角行列ではない) or a hedge declares nothing."""
    for found in _JAPANESE.finditer(prose):
        if (plain is not None and found.start("subjects") + 1 not in plain) or \
                _JAPANESE_NEGATION.match(prose[found.end():]) or "半正定値" in found.group("adjectives"):
            continue
        names = _subject_names(found.group("subjects"))
        written = found.group("size") or found.group("size_digits")  # "$x$ は 3 次元ベクトル", "3 次の正方行列"
        size = _size(written) if written else None
        if not names or (written and size is None):
            continue
        vector, words = found.group("kind") == "ベクトル", found.group("adjectives")
        n = _default(context)
        shape = (size[0], sp.Integer(1)) if vector and size else (n, sp.Integer(1)) if vector else \
            (size if size and size[1] != 1 else (size[0], size[0]) if size else (n, n))
        stated = asserted(prose, found.start("subjects") + 1)  # the shape holds; a property only when asserted
        for name in names:
            if size is not None or not _sized(context, name):
                _set_shape(context, name, shape, note, defaulted=size is None)
            if vector or not _equal(*shape) or not stated:
                continue
            if "直交" in words or "ユニタリ" in words:
                declare_orthogonal(context, [name], note)
            if re.search(r"歪対称|交代|射影|冪等|べき等|置換", words):  # a property no world draws
                context.shapes[UNREAD_PROPERTY + name] = (None, None)
                continue
            if "正定値" in words or "共分散" in words or "精度" in words:
                context.definite.add(name)
            elif "対称" in words:
                context.symmetric.add(name)
            if "対角" in words:
                context.shapes[DIAGONAL_MATRIX + name] = (None, None)


_DIAGONAL_PROPERTY = LazyPattern(r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:is|are|be|being)\s+(?:both\s+)?"
                                r"diagonal(?![A-Za-z-])(?!\s+(?:entr|element|block|part|of))", re.I)


def declare_diagonal_sentences(prose: str, context: Context, plain: set | None = None) -> None:
    """"$D \\in \\mathbb{R}^{d\\times d}$ is diagonal", "let $D$ be diagonal": a diagonal matrix (its entries D_jj)."""
    for found in _DIAGONAL_PROPERTY.finditer(prose):
        if (plain is not None and found.start("subjects") + 1 not in plain) or \
                _SUPPOSED.search(prose[max(0, found.start() - 30):found.start()]) or \
                mentioned_case(prose, found.start("subjects") + 1) or not asserted(prose, found.start("subjects") + 1):
            continue
        for name in _subject_names(found.group("subjects")):
            if name in context.shapes and _equal(*context.shapes[name]) and context.shapes[name][0] != 1:
                context.shapes[DIAGONAL_MATRIX + name] = (None, None)


_PROPERTY_WORD = r"(?:symmetric|positive[-\s]+(?:semi-?)?definite|s\.?p\.?d\.?)"
# "$\Sigma \in \mathbb{R}^{d\times d}$ is symmetric positive definite", "with $S$ symmetric": no noun after it
_PROPERTY = LazyPattern(r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:(?:is|are|be|being)\s+)?(?:both\s+)?"
                       r"(?P<adjectives>" + _PROPERTY_WORD + r"(?:\s*(?:,|and)?\s*" + _PROPERTY_WORD + r")*)(?![A-Za-z-])",
                       re.I)
# "with mean $\mu$ and covariance $\Sigma$", "precision matrix $\Lambda$": a covariance (positive definite)
_COVARIANCE_NOUN = LazyPattern(r"\b(?:covariance|precision)(?:\s+matri(?:x|ces))?\s+(?P<subjects>\$[^$]+\$)", re.I)
_SUPPOSED = LazyPattern(r"\b(?:if|when|whenever|unless|whether|iff)\b[^.;:$]*$", re.I)


def declare_property_sentences(prose: str, context: Context, note: str = "", plain: set | None = None,
                               revoked: dict | None = None) -> None:
    """"$\\Sigma$ is symmetric", "let $S \\in \\mathbb{R}^{2\\times 2}$ be symmetric positive definite", "and $A$
    positive definite": the matrices are symmetric (positive definite); a hypothesis ("if $S$ is symmetric"),
    a negation, a question or a hedge declares nothing."""
    for found in _PROPERTY.finditer(prose):
        if plain is not None and found.start("subjects") + 1 not in plain:
            continue
        if _SUPPOSED.search(prose[max(0, found.start() - 30):found.start()]) or \
                mentioned_case(prose, found.start("subjects") + 1) or not asserted(prose, found.start("subjects") + 1):
            continue
        words = found.group("adjectives").lower().replace("-", " ")
        kind = "definite" if re.search(r"positive\s+definite|s\.?p\.?d", words) else "symmetric"
        names = [name for name in _subject_names(found.group("subjects")) if (name in context.shapes or matrix_like(name))
                 and (revoked or {}).get(name, -1) <= found.start()]
        _declare_properties(context, names, kind, note)
        if kind == "definite" and "symmetric" in words:
            context.symmetric.update(names)
    for found in _COVARIANCE_NOUN.finditer(prose):
        if (plain is not None and found.start("subjects") + 1 not in plain) or \
                _SUPPOSED.search(prose[max(0, found.start() - 30):found.start()]) or \
                mentioned_case(prose, found.start("subjects") + 1) or \
                re.search(r"[-\w]\s*$", prose[max(0, found.start() - 1):found.start()]) or \
                re.search(r"\b(?:cross|pseudo|auto)\s*$", prose[max(0, found.start() - 8):found.start()], re.I):
            continue  # (a cross-covariance, a pseudo-covariance: no positive definite, no symmetric matrix)
        if not asserted(prose, found.start("subjects") + 1):
            continue
        sample = re.search(r"\b(?:sample|empirical)\s+$", prose[max(0, found.start() - 12):found.start()], re.I)
        names = [name for name in _subject_names(found.group("subjects")) if
                 (name in context.shapes and _equal(*context.shapes[name])) or
                 (name not in context.shapes and matrix_like(name) and not re.search(r"_\d\d", name))]
        _declare_properties(context, names, "symmetric" if sample else "definite", note)  # (Σ_{12}: an entry)
        # (a sample covariance of N < d points is singular: symmetric, not known to be definite)
    declare_diagonal_sentences(prose, context, plain)
    declare_full_rank_sentences(prose, context, plain)
    declare_singular_sentences(prose, context, note)
    declare_orthonormal_sentences(prose, context, note, plain)
    for found in _UNREAD_PROPERTY_SENTENCE.finditer(prose):
        if (plain is None or found.start("subjects") + 1 in plain) and asserted(prose, found.start("subjects") + 1):
            for name in _subject_names(found.group("subjects")):
                if name in context.shapes or matrix_like(name):
                    context.shapes[UNREAD_PROPERTY + name] = (None, None)
    for found in _ORTHOGONAL_PROPERTY.finditer(prose):
        if (plain is None or found.start("subjects") + 1 in plain) and asserted(prose, found.start("subjects") + 1):
            declare_orthogonal(context, [name for name in _subject_names(found.group("subjects"))
                                         if name in context.shapes or matrix_like(name)], note)


_SUBJECTS = r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*"
# "$A$ is invertible", "let $A, B$ be nonsingular", "$W$ has full column rank", "with $X$ of full rank", "$W$ has
# linearly independent columns", "$W$ has rank $k$"
_FULL_RANK_PROPERTY = LazyPattern(
    _SUBJECTS + r"(?:(?:is|are|be|being|has|have|having)\s+)?(?:both\s+)?(?:of\s+)?(?:"
    r"(?P<both>invertible|non-?singular)(?![A-Za-z-])|"
    r"(?:full\s+(?P<side>column|row)?\s*-?\s*rank|(?P<independent>linearly\s+independent\s+(?P<lines>columns|rows)))|"
    r"rank\s+(?P<rank>\$[^$]+\$))", re.I)
# "$\operatorname{rank}(W) = k$", "$\mathrm{rank}\,W = k$"
_RANK_EQUATION = LazyPattern(r"\$\s*\\(?:operatorname|mathrm|text)\s*\{\s*rank\s*\}\s*(?:\\[,;!]\s*)?\(?\s*"
                             r"(?P<name>\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*\)?\s*=\s*(?P<rank>[A-Za-z0-9]+)\s*\$")
# "$A$ は正則（行列）", "$A$ は可逆", "$W$ は列フルランク", "$W$ の列は線形独立", "$W$ の階数は $k$"
_FULL_RANK_JAPANESE = LazyPattern(
    _SUBJECTS + r"(?:は|が|を)\s*(?:(?P<both>正則|可逆|非特異)|(?P<side>列|行)?\s*フルランク)|" +
    _SUBJECTS.replace("subjects", "owner") + r"の\s*(?:(?P<lines>列|行)(?:ベクトル)?\s*(?:は|が)\s*(?:一次|線形|線型)独立|"
    r"(?:階数|ランク)\s*(?:は|が)\s*(?P<rank>\$[^$]+\$))")


# "$U$ has orthonormal columns", "with $U$ having orthonormal columns", "$U$ の列は正規直交", "$U$ は正規直交な列をもつ"
_ORTHONORMAL_COLUMNS = LazyPattern(
    _SUBJECTS + r"(?:(?:has|have|having|with|of)\s+)?orthonormal\s+columns\b|" +
    _SUBJECTS.replace("subjects", "owner") + r"(?:の列(?:ベクトル)?\s*(?:は|が)\s*正規直交|は\s*正規直交な?列)", re.I)
# "$U$ satisfies $U^\top U = I_k$", "$U$ は $U^\top U = I$ を満たす": the equation that makes U orthonormal
_SATISFIES = LazyPattern(_SUBJECTS + r"(?:satisf(?:ies|y|ying)|obeys?|fulfils?|fulfills?)\s+(?P<math>\$[^$]+\$)|" +
                         _SUBJECTS.replace("subjects", "owner") + r"(?:は|が)\s*(?P<japanese>\$[^$]+\$)\s*を満た",
                         re.I)


def _stated_here(prose: str, start: int, position: int, plain: set | None) -> bool:
    """Whether the property sentence at ``start`` (its subject's TeX at ``position``) asserts it: no hypothesis,
    mentioned case, negation, question or hedge."""
    return (plain is None or position in plain) and not _SUPPOSED.search(prose[max(0, start - 30):start]) and \
        not mentioned_case(prose, position) and asserted(prose, position)


def declare_orthonormal_sentences(prose: str, context: Context, note: str = "", plain: set | None = None) -> None:
    """Matrices declared with orthonormal columns in words, or by an equation QᵀQ = I they are said to satisfy."""
    for found in [*_ORTHONORMAL_COLUMNS.finditer(prose), *_SATISFIES.finditer(prose)]:
        group = "subjects" if found.group("subjects") else "owner"
        position = found.start(group) + 1
        stated = prose.replace("を満たす", "とする ")  # (a plain statement, read as 〜とする is; same length)
        if not _stated_here(stated, found.start(), position, plain):
            continue
        equation = found.groupdict().get("math") or found.groupdict().get("japanese")
        names = _subject_names(found.group(group))
        if equation is None:
            declare_orthogonal(context, [n for n in names if n in context.shapes or matrix_like(n)], note, square=False)
        elif orthogonal_equation(equation.strip("$")) in names:
            declare_orthogonal_equation(equation.strip("$"), context, note)


SINGULAR = "<singular>"  # + a name: the prose says it has no inverse (singular, det A = 0, a zero eigenvalue)
# the words of a clause that make a matrix it names singular: "not invertible", "singular", "rank-deficient",
# "has a zero eigenvalue", "a nontrivial null space", "$\det(A) = 0$", "$|A| = 0$", "$\operatorname{rank} A < n$"
_SINGULAR_WORDS = LazyPattern(
    r"\b(?:not\s+(?:necessarily\s+)?invertible|non-?invertible|(?<!non-)(?<!non)singular|degenerate|"
    r"not\s+(?:of\s+)?full[-\s]+rank|(?:a\s+)?(?:zero|vanishing)\s+(?:eigenvalues?|determinant|singular\s+values?)|"
    r"(?:non-?trivial|non-?zero)\s+(?:null\s*space|kernel)|no\s+inverse|nilpotent|zero\s+matrix|rank-?one|rank\s+one|"
    r"low-?rank|rank[-\s]*deficient|linearly\s+dependent|determinant\s+(?:is\s+|equals?\s+|of\s+)?(?:zero|0)|"
    r"determinant\s+vanishes|fails?\s+to\s+be\s+invertible|cannot\s+be\s+inverted|not\s+regular|nullity|rank\s+at\s+most|strictly\s+(?:upper|lower)\s+triangular|all-?ones\s+matrix|"
    r"(?:graph\s+)?laplacian|(?:only|merely)\s+positive\s+semi-?definite|eigenvalue\s+(?:of\s+)?(?:zero|0)|"
    r"(?:zero|0)\s+(?:is\s+)?an\s+eigenvalue)\b|\bof\s+rank\s+\$[^$]*-[^$]*\$|"
    r"\$[^$]*\\mathbf\s*\{\s*1\s*\}\s*=\s*(?:0|\\mathbf\s*\{\s*0\s*\})\s*\$|"
    r"非正則|特異|逆行列を持たない|逆行列をもたない|冪零|零行列|正則でない|正則ではない|行列式が\s*\$?\s*0|階数が[^。]*未満|階数\s*\$?\s*1\b|ランク\s*\$?\s*1\b|"
    r"\$\s*0\s*\$\s*(?:is\s+)?an\s+eigenvalue|eigenvalue\s+\$\s*\\lambda\s*=\s*0\s*\$|"
    r"\$[^$]*\\ker\b[^$]*\\neq[^$]*\$|\$\s*[^$=]*\^\s*\{?\s*2\s*\}?\s*=\s*0\s*\$|"
    r"\$\s*\\(?:operatorname|mathrm)\s*\{\s*(?:det|rank)\s*\}[^$]*=\s*[01]\s*\$|"
    r"\$\s*\\(?:operatorname|mathrm|text)\s*\{\s*rank\s*\}[^$]*(?:\\leq?|≤|<)[^$]*\$|\$\s*\\lambda_\{?\\min\}?[^$]*=\s*0\s*\$|"
    r"\$[^$]*=\s*(?:0|\\mathbf\s*\{\s*0\s*\}|\\boldsymbol\s*\{\s*0\s*\})\s*\$\s*for\s+some\b|"
    r"\$\s*(?:\\det\s*\(?\s*[^$=]+?\)?|\|\s*[^$|=]+\|)\s*=\s*0\s*\$",
    re.I)
_CLAUSE_SPLIT = LazyPattern(r"[;,]|\b(?:but|while|whereas|although)\b|(?<=[.!?])\s", re.I)


def declare_singular_sentences(prose: str, context: Context, note: str = "") -> None:
    """Matrices a clause calls singular: their inverse is refused where a formula writes it. Any such clause counts,
    hedged or not ("$A$ may be singular"): refusing an inverse can only leave a step unread, never pass it."""
    for sentence in re.split(r"(?<=[.!?。])\s+|\n\s*\n", prose):
        clauses = [c for c in _CLAUSE_SPLIT.split(sentence) if c]
        if not any(_SINGULAR_WORDS.search(c) for c in clauses):
            continue
        named = [c for c in clauses if _SINGULAR_WORDS.search(c) and re.search(r"\$[^$]+\$", c)]
        for clause in named or [c for c in clauses if not _INVERTIBLE_WORDS.search(c)]:  # ", with a zero eigenvalue"
            _declare_singular_names(clause, context, note)


_INVERTIBLE_WORDS = LazyPattern(r"\b(?:invertible|non-?singular|full[-\s]+rank)\b|正則", re.I)


def _declare_singular_names(clause: str, context: Context, note: str) -> None:
    """The matrices the formulas of ``clause`` name are singular."""
    for math in re.findall(r"\$([^$]+)\$", clause):
        for name in _letters_and_names(math):
            if (name in context.shapes and context.shapes[name][1] != 1) or (name not in context.shapes and
                                                                              matrix_like(name)):
                context.shapes[SINGULAR + name] = (None, None)
                context.notes[("shape", SINGULAR + name)] = note


def _letters_and_names(math: str) -> list[str]:
    r"""The names a formula writes: the whole formula when it is a list of names, else each name of its matrix
    letters (A of ``\det(A) = 0``, Σ of ``|\Sigma| = 0``)."""
    listed = _names(math)
    if listed:
        return listed
    return [name for name in (_name_of(m) for m in re.findall(r"\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?", math)) if name]


def declare_full_rank_sentences(prose: str, context: Context, plain: set | None = None) -> None:
    """The invertible and full-rank matrices the prose declares (a hypothesis, negation or hedge declares none)."""
    for found in [*_FULL_RANK_PROPERTY.finditer(prose), *_FULL_RANK_JAPANESE.finditer(prose)]:
        group = "subjects" if found.group("subjects") else "owner"
        position = found.start(group) + 1
        if not _stated_here(prose, found.start(), position, plain):
            continue
        if re.match(r"\s*(?:ではない|でない|ではありません)", prose[found.end():]) or \
                re.search(r"\b(?:not|no|never)\s*$", prose[max(0, found.start() - 12):found.start()], re.I):
            continue
        for name in _subject_names(found.group(group)):
            kind = _rank_kind(found, name, context)
            if kind is not None and (name in context.shapes or matrix_like(name)):
                declare_full_rank(context, [name], kind)
    for found in _RANK_EQUATION.finditer(prose):
        name = _name_of(found.group("name"))
        if name is None or not _stated_here(prose, found.start(), found.start() + 1, plain):
            continue
        kind = _rank_side(name, found.group("rank"), context)
        if kind is not None:
            declare_full_rank(context, [name], kind)


def _rank_kind(found: re.Match, name: str, context: Context) -> str | None:
    groups = found.groupdict()
    shape = context.shapes.get(name)
    if groups.get("both"):  # invertible: a square matrix (of a rectangular one, no rank is read)
        return "both" if shape is None or _equal(*shape) else None
    if groups.get("rank"):
        return _rank_side(name, groups["rank"].strip("$ "), context)
    lines = (groups.get("lines") or "").lower()
    if lines:
        return "column" if lines in ("columns", "列") else "row"
    side = (groups.get("side") or "").lower()
    if side:
        return "column" if side in ("column", "列") else "row"
    return "both" if shape is not None and _equal(*shape) else None  # "full rank" of a square matrix: invertible


def _rank_side(name: str, rank: str, context: Context) -> str | None:
    """"column", "row" or "both" for rank W = ``rank`` of a declared W (None when it names neither side)."""
    shape = context.shapes.get(name)
    if shape is None:
        return None
    rows, cols = (sp.sstr(size) for size in shape)
    rank = rank.strip().strip("{}")
    side = {(True, True): "both", (False, True): "column", (True, False): "row"}.get((rank == rows, rank == cols))
    return side


def _triangle(adjectives: list[str]) -> str | None:
    """"lower-triangular", "lower triangular", "upper-triangular": which triangle a matrix is declared (None)."""
    words = " ".join(adjectives).replace("-", " ").split()
    for side in ("lower", "upper"):
        if side in words and "triangular" in words and words.index("triangular") == words.index(side) + 1:
            return side
    return None


def multivariate_law(part: str, context: Context) -> bool:
    """Whether ``part`` is a law ``z \\sim \\mathcal{N}(\\mu, \\Sigma)`` of a vector (see :func:`declare_law`), or a
    density of vectors declared Gaussian (:func:`declare_density`)."""
    return declare_density(part, context.copy()) or declare_law(part, context.copy())


_DENSITY_LAW = LazyPattern(r"^\s*(?P<family>[a-z]|\\pi)\s*(?:_\s*(?P<label>\{[^{}]*\}|\\?[A-Za-z0-9]+))?\s*"
                          r"(?:\\left\s*)?\((?P<variables>[^()]*?)(?:\\right\s*)?\)\s*(?:=|\\sim)\s*(?P<law>.+?)\s*[.,;]?\s*$",
                          re.S)
_GIVEN = LazyPattern(r"\\mid\b|(?<!\\)\||\\vert\b")


def declare_density(part: str, context: Context, note: str = "", definite: bool = True) -> bool:
    """``q(\\mathbf{x}) = \\mathcal{N}(\\mathbf{x}; \\boldsymbol\\mu_1, \\Sigma_1)``, ``q_\\phi(\\mathbf{z} \\mid
    \\mathbf{x}) = \\mathcal{N}(\\boldsymbol\\mu, \\mathrm{diag}(\\boldsymbol\\sigma^2))``, ``p(\\mathbf{z}) =
    \\mathcal{N}(\\mathbf{0}, I)``: a density of one vector declared a multivariate normal (True), kept in
    ``context.vector_densities``; a formula reads the density (with the variables as declared) as the engine's
    MvNormal. The law is read where the density is used, with what the prose declared by then (σ_j > 0)."""
    found = _DENSITY_LAW.match(part)
    if found is None or not _NORMAL_LAW.match("v \\sim " + found.group("law")) or not definite:
        return False  # (a question or a hedge declares no density)
    split = _GIVEN.split(found.group("variables"))
    if len(split) > 2:
        return False
    variables = _names(split[0])
    given = _names(split[1]) if len(split) == 2 else []
    if variables is None or given is None or len(variables) != 1:
        return False
    if not declare_law(f"{split[0].strip()} \\sim {found.group('law')}", context, note, definite):
        if not _mean_is_bold_zero(found.group("law")):
            return False
        _set_shape(context, variables[0], (_default(context), sp.Integer(1)), note, defaulted=True)  # N(0, I)
    label = (found.group("label") or "").strip("{}").strip().lstrip("\\")
    family = found.group("family").lstrip("\\")
    arguments = _top_level(_NORMAL_LAW.match("v \\sim " + found.group("law")).group("arguments"))
    _declare_scales_nonzero(arguments[1], context, note)
    law = (variables[0], tuple(given), arguments[0], arguments[1], note)
    context.vector_densities[(family, label)] = law  # the last one declared (a bare p is it)
    context.vector_densities[(family, label, tuple(given))] = law  # p(z | c) beside p(z): each its own
    return True


_DIAGONAL_OF_SQUARES = LazyPattern(r"\s*\\(?:mathrm|operatorname|text)\s*\{\s*diag\s*\}\s*(?:\\left)?\s*\(\s*"
                                  r"\\(?:mathbf|boldsymbol|bm)\s*\{?\s*(?P<name>\\?[A-Za-z]+)\s*\}?\s*\^\s*\{?\s*2\s*\}?"
                                  r"\s*(?:\\right)?\s*\)\s*")


def _declare_scales_nonzero(covariance: str, context: Context, note: str) -> None:
    """``q(\\mathbf{z}) = \\mathcal{N}(\\boldsymbol\\mu, \\mathrm{diag}(\\boldsymbol\\sigma^2))`` states a density, so
    its covariance is positive definite: each σ_j is a nonzero real (as σ of a declared N(μ, σ²) is), unless the
    prose already gives σ_j a sign."""
    found = _DIAGONAL_OF_SQUARES.fullmatch(covariance)
    if found is None:
        return
    base = plain_name(found.group("name"))[0].lstrip("\\")
    if not any(name == base or re.fullmatch(re.escape(base) + r"_[a-z]", name) for name in context.symbols):
        context.declare_symbol(f"{base}_j", note + " (a Gaussian's diagonal covariance: each component nonzero)",
                               nonzero=True)


def _mean_is_bold_zero(law: str) -> bool:
    arguments = _top_level(_NORMAL_LAW.match("v \\sim " + law).group("arguments"))
    return len(arguments) == 2 and bool(re.fullmatch(r"\s*\\(?:mathbf|boldsymbol|bm)\s*\{\s*0\s*\}\s*", arguments[0]))


LAW = "~"  # context.vector_densities[(LAW, v)]: the law v ~ N(m, S) the prose states, for E_v[...]


def declare_law(part: str, context: Context, note: str = "", definite: bool = True, remember: bool = False) -> bool:
    """``z \\sim \\mathcal{N}(\\mu, \\Sigma)``: a multivariate normal law, when its covariance is a matrix (a
    covariance letter, a declared matrix, diag(σ²), I_d, a bold I) or its variable or mean a vector. z and μ
    are then vectors, Σ a positive definite d×d matrix (σ of diag(σ²) a vector). True when it is one: the
    scalar reading of the law is then skipped."""
    found = _NORMAL_LAW.match(part)
    if found is None:
        return False
    arguments = _top_level(found.group("arguments"))
    if len(arguments) != 2:
        return False
    subject, mean, covariance = _name_of(found.group("subject")), arguments[0].strip(), arguments[1].strip()
    mean = re.split(r";|\\mid\b|(?<!\\)\|", mean)[-1].strip()
    mean_name, covariance_name = _name_of(mean), _name_of(covariance)
    diagonal = re.fullmatch(r"\\(?:mathrm|operatorname)\s*\{\s*diag\s*\}\s*\(\s*(?P<inner>.+?)\s*(?:\^\s*\{?\s*2\s*\}?)?\s*\)",
                            covariance)
    identity = _identity_name(covariance_name) if covariance_name else None
    bold_identity = re.fullmatch(r"\\(?:mathbf|boldsymbol|bm|mathbb)\s*\{\s*I\s*\}", covariance)
    scaled_identity = re.fullmatch(r".*\\(?:mathbf|boldsymbol|bm)\s*\{\s*I\s*\}|.*I_\{?[A-Za-z0-9]\}?", covariance)
    vector_named = any(n is not None and (n in context.shapes and context.shapes[n][1] == 1)
                       for n in (subject, mean_name)) or any(
        _BOLD_NAME.fullmatch(t.strip()) and not t.strip().endswith("{I}") for t in (found.group("subject"), mean))
    matrix_covariance = (covariance_name is not None and (_base(covariance_name) in COVARIANCE_LETTERS or (
        covariance_name in context.shapes and context.shapes[covariance_name][1] != 1)))
    bare_identity = identity == "" and covariance_name not in context.symbols and \
        any(not name.startswith("<") for name in context.shapes)  # N(0, I) beside vectors: I no declared number
    scaled_bare_identity = vector_named and "I" not in context.symbols and \
        re.fullmatch(r"(?:.*[\s}\d])?I\s*", covariance) is not None  # N(x; f(z), σ² I) of a vector x
    if not (matrix_covariance or diagonal or bold_identity or scaled_identity or (identity == "" and vector_named)
            or (identity and identity != "") or bare_identity or scaled_bare_identity):
        return False
    size = dimension(identity) if identity else _default(context)
    known = [context.shapes[n][0] for n in (subject, mean_name) if n in context.shapes and context.shapes[n][1] == 1]
    if not identity and known:
        size = known[0]  # z ∈ ℝ^J declared before: N(0, I) of z is J-dimensional
    if covariance_name in context.shapes:
        size = context.shapes[covariance_name][0]
    inner = _name_of(diagonal.group("inner")) if diagonal else None
    call = _MEAN_CALL.fullmatch(mean) if mean_name is None else None
    function = plain_name(call.group("function"))[0].lstrip("\\") + "()" if call else None  # f() of a mean f(z)
    group = [n for n in (subject, mean_name, covariance_name if matrix_covariance else None, inner, function)
             if n is not None and n != "0"]
    defaulted = not identity and not any(_sized(context, n) for n in group)
    for name in (subject, mean_name):
        if name is not None and name not in ("0",):
            _set_shape(context, name, (size, sp.Integer(1)), note, defaulted=defaulted and not _sized(context, name))
    if matrix_covariance:
        _set_shape(context, covariance_name, (size, size), note,
                   defaulted=defaulted and not _sized(context, covariance_name))
        if definite:
            context.definite.add(covariance_name)
    if inner is not None:
        _set_shape(context, inner, (size, sp.Integer(1)), note, defaulted=defaulted and not _sized(context, inner))
    if function is not None:  # the mean f(z) of a vector's law: f is vector-valued, of the vector's size
        _set_shape(context, function, (size, sp.Integer(1)), note, defaulted=defaulted and not _sized(context, function))
    _link(context, group)
    if remember and subject is not None and definite:  # E_ε[...] of ε ~ N(0, I): over this law
        law = (subject, (), mean, covariance, note)
        known = context.vector_densities.get((LAW, subject), law)
        context.vector_densities[(LAW, subject)] = law if known is not None and known[2:4] == law[2:4] else None
    return True


_MEAN_CALL = LazyPattern(r"\s*(?P<function>[a-z]|\\(?:mu|nu|eta|phi|psi|xi))\s*(?:\\left\s*)?\((?P<arguments>[^()]*)"
                        r"(?:\\right\s*)?\)\s*")


def _top_level(text: str) -> list[str]:
    return [part for _, part in top_level_parts(text)]


def _covers_components(covered: sp.Set | None, shape: tuple | None) -> bool:
    """Whether a component sign stated for the indices ``covered`` (None: every index) holds for every component
    1 … n of a vector of shape (n, 1): σ_j > 0 for j < d leaves σ_d unsigned (document._index_range writes it)."""
    if covered is None or covered is sp.S.Integers:
        return True
    if shape is None or shape[1] != 1:
        return False
    size = sp.sympify(shape[0])
    named = {symbol.name: symbol for symbol in size.free_symbols}
    ranges = covered.args if isinstance(covered, sp.Union) else (covered,)
    for part in ranges:
        others = [arg for arg in part.args if arg is not sp.S.Integers] if isinstance(part, sp.Intersection) else [part]
        bounds = others[0] if len(others) == 1 else None
        if not isinstance(bounds, (sp.Range, sp.Interval)):
            continue
        try:
            low, high = (value.subs({s: named.get(s.name, s) for s in value.free_symbols})
                         for value in (bounds.inf, bounds.sup))
        except ValueError:  # Range(1, d) of an unknown d
            low, high = bounds.args[0], bounds.args[1] - 1
            low, high = (value.subs({s: named.get(s.name, s) for s in value.free_symbols}) for value in (low, high))
        if sp.simplify(1 - low).is_nonnegative is True and sp.simplify(high - size).is_nonnegative is True:
            return True
    return False
