"""The probability vocabulary, as sympy expressions.

Every front end (the Python derivations, the CLI, the LaTeX audit, the notebooks) builds these objects:

- :class:`Density`: ``p(X, z)``, ``p(z | X)``, ``q_φ(z | X)``: a positive function of its variables,
  normalized over them (``∫ q(z|X) dz = 1``).
- :class:`Normal`: the explicit Gaussian density N(v; μ, σ²), which sympy can rewrite to ``exp`` form.
- :class:`Expectation` ``E_q[f]`` and :class:`KL` ``KL[p ‖ q]``: unfolded to integrals by the checker.
- :class:`Defined`: a name with a body, ``L(X, z) := ∫ q log(p/q) dz``; printed by name, unfolded by the checker.
- ``Integral(f, z)`` (sympy's, with no limits) is the integral over the whole real line.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from functools import lru_cache, wraps
from typing import Callable

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.core.symbol import Str
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

X = sp.Symbol("X", real=True)
z = sp.Symbol("z", real=True)
x = sp.Symbol("x", real=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)

# the article's p_θ (decoder, model) and q_φ (encoder): the labels ``Density.canonical`` drops. Which variables
# are latent, and which labels a document's densities carry, is notation: ``mathcheck.notation.Scope``.
MODEL_LABELS = {("p", "theta"), ("q", "phi")}
# inside ``labels_resolved``: a notation scope (mathcheck.notation.canonical_labels) has already said which labels
# name the bare letter's density, and ``Density.canonical`` drops no other (the audit's path)
_LABELS_RESOLVED = contextvars.ContextVar("labels_resolved", default=False)


@contextmanager
def labels_resolved():
    """Within: the densities' labels are resolved by a scope; ``Density.canonical`` keeps every label left."""
    token = _LABELS_RESOLVED.set(True)
    try:
        yield
    finally:
        _LABELS_RESOLVED.reset(token)

_GREEK = {"phi": "φ", "theta": "θ"}


def _str(name) -> Str:
    return name if isinstance(name, Str) else Str(name)


def cached_on_expressions(maxsize: int) -> Callable[[Callable], Callable]:
    """``functools.lru_cache(typed=True)`` for a pure function of sympy expressions (the same expressions
    recur step after step of a chain); arguments that cannot be hashed (a mutable matrix) are computed each
    time. A call answered from the cache gives the very object the first call gave (sympy's are immutable)."""
    def decorate(function: Callable) -> Callable:
        cached = lru_cache(maxsize=maxsize, typed=True)(function)

        @wraps(function)
        def call(*args, **keywords):
            if _hashable((*args, *keywords.values())):
                return cached(*args, **keywords)
            return function(*args, **keywords)

        call.cache_clear = cached.cache_clear
        return call
    return decorate


def _hashable(values) -> bool:
    try:
        hash(tuple(values))
    except TypeError:
        return False
    return True


class Density(sp.Expr):
    """``family_label(variables | given)``; arguments are kept in a canonical order."""

    is_positive = True
    is_real = True
    is_finite = True
    is_commutative = True

    @cached_on_expressions(4096)  # a document's few densities are built again and again
    def __new__(cls, family: str, variables, given=(), label: str = ""):
        variables = sp.Tuple(*sorted(sp.sympify(tuple(variables)), key=sp.default_sort_key))
        given = sp.Tuple(*sorted(sp.sympify(tuple(given)), key=sp.default_sort_key))
        return super().__new__(cls, _str(family), variables, given, _str(label))

    family = property(lambda self: self.args[0].name)
    variables = property(lambda self: tuple(self.args[1]))
    given = property(lambda self: tuple(self.args[2]))
    label = property(lambda self: self.args[3].name)

    def unlabelled(self) -> "Density":
        return Density(self.family, self.variables, self.given) if self.label else self

    def canonical(self) -> "Density":
        """The density this one names: p_θ is the model's p and q_φ the encoder's q (the labels say which
        network computes them); any other label names another density and is kept. Where a scope has resolved
        the labels (``labels_resolved``), every label left names another density."""
        if _LABELS_RESOLVED.get():
            return self
        return self.unlabelled() if (self.family, self.label) in MODEL_LABELS else self

    def _sympystr(self, printer) -> str:
        name = self.family + (f"_{_GREEK.get(self.label, self.label)}" if self.label else "")
        inner = ", ".join(printer.doprint(v) for v in self.variables)
        if self.given:
            inner += "|" + ", ".join(printer.doprint(v) for v in self.given)
        return f"{name}({inner})"

    def _latex(self, printer) -> str:
        name = self.family + (f"_{{\\{self.label}}}" if self.label in _GREEK else
                              (f"_{{{self.label}}}" if self.label else ""))
        inner = ", ".join(printer.doprint(v) for v in self.variables)
        if self.given:
            inner += " \\mid " + ", ".join(printer.doprint(v) for v in self.given)
        return f"{name}({inner})"


def p(*variables, given=(), label: str = "") -> Density:
    return Density("p", variables, _as_tuple(given), label)


def q(*variables, given=(), label: str = "") -> Density:
    return Density("q", variables, _as_tuple(given), label)


def _as_tuple(value):
    return value if isinstance(value, (tuple, list)) else (value,)


class Normal(sp.Expr):
    """The density of N(mean, std²) at ``variable``; ``.rewrite(sp.exp)`` gives the formula."""

    is_positive = True
    is_real = True
    is_finite = True
    is_commutative = True

    def __new__(cls, variable, mean, std):
        variable, mean, std = map(sp.sympify, (variable, mean, std))
        if std.is_positive is False:
            raise ValueError(f"N(mean, std²) needs std > 0, got std = {std}")
        return super().__new__(cls, variable, mean, std)

    variable = property(lambda self: self.args[0])
    mean = property(lambda self: self.args[1])
    std = property(lambda self: self.args[2])
    variables = property(lambda self: (self.args[0],))

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        v, m, s = self.args
        return sp.exp(-(v - m) ** 2 / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * sp.Abs(s))

    def _sympystr(self, printer) -> str:
        v, m = (printer.doprint(a) for a in self.args[:2])
        return f"N({v}; {m}, {printer.doprint(self.std**2)})"

    def _latex(self, printer) -> str:
        v, m = (printer.doprint(a) for a in self.args[:2])
        return f"\\mathcal{{N}}({v}; {m}, {printer.doprint(self.std**2)})"


DensityLike = (Density, Normal)


def density_variables(density: sp.Expr) -> tuple:
    return tuple(density.variables)


class Expectation(sp.Expr):
    """``E_{density}[body]`` = ∫ density · body d(variables of the density)."""

    is_commutative = True

    def __new__(cls, density, body):
        return super().__new__(cls, density, sp.sympify(body))

    density = property(lambda self: self.args[0])
    body = property(lambda self: self.args[1])

    def unfold(self) -> sp.Expr:
        return integral(self.density * self.body, *density_variables(self.density))

    def _sympystr(self, printer) -> str:
        return f"E_{printer.doprint(self.density)}[{printer.doprint(self.body)}]"

    def _latex(self, printer) -> str:
        return f"E_{{{printer.doprint(self.density)}}}\\left[{printer.doprint(self.body)}\\right]"


class KL(sp.Expr):
    """``KL[first ‖ second]`` = ∫ first · (log first − log second)."""

    is_real = True
    is_commutative = True

    def __new__(cls, first, second):
        return super().__new__(cls, first, second)

    first = property(lambda self: self.args[0])
    second = property(lambda self: self.args[1])

    def unfold(self) -> sp.Expr:
        a, b = self.args
        return integral(a * sp.log(a / b), *density_variables(a))

    def _sympystr(self, printer) -> str:
        return f"KL[{printer.doprint(self.first)} || {printer.doprint(self.second)}]"

    def _latex(self, printer) -> str:
        return f"D_{{KL}}\\left[{printer.doprint(self.first)} \\| {printer.doprint(self.second)}\\right]"


class Defined(sp.Expr):
    """A named quantity ``name(arguments) := body``."""

    is_commutative = True

    def __new__(cls, name: str, arguments, body):
        return super().__new__(cls, _str(name), sp.Tuple(*arguments), sp.sympify(body))

    name = property(lambda self: self.args[0].name)
    arguments = property(lambda self: tuple(self.args[1]))
    body = property(lambda self: self.args[2])

    def unfold(self) -> sp.Expr:
        return self.body

    @property
    def free_symbols(self):
        return self.body.free_symbols

    def _sympystr(self, printer) -> str:
        inner = ", ".join(printer.doprint(a) for a in self.arguments)
        return f"{self.name}({inner})" if self.arguments else self.name

    def _latex(self, printer) -> str:
        inner = ", ".join(printer.doprint(a) for a in self.arguments)
        return f"{self.name}({inner})" if self.arguments else self.name


@cached_on_expressions(4096)
def unfold(expr: sp.Expr) -> sp.Expr:
    """Named quantities, expectations and KLs replaced by their definitions (nested ones too)."""
    for _ in range(20):
        found = expr.atoms(Defined, Expectation, KL)
        if not found:
            return expr
        expr = expr.xreplace({node: node.unfold() for node in found})
    return expr


def define(name: str, arguments, body) -> Defined:
    return Defined(name, arguments, body)


class Concave(sp.Function):
    """Marker base: an undefined function declared concave (a hypothesis, stated in the chain)."""


class Convex(sp.Function):
    """Marker base: an undefined function declared convex."""


def concave_function(name: str) -> type:
    """An undefined function declared concave. (sympy caches function classes by name and keywords:
    the ``curvature`` keyword keeps a concave f and a convex f apart.)"""
    return UndefinedFunction(name, (AppliedUndef, Concave), real=True, curvature="concave")


def convex_function(name: str) -> type:
    return UndefinedFunction(name, (AppliedUndef, Convex), real=True, curvature="convex")


class Regular(sp.Function):
    """Marker base: an undefined function declared smooth, with it and its derivative bounded by
    polynomials (the hypothesis under which a derivative moves under a Gaussian expectation)."""


def regular_function(name: str) -> type:
    return UndefinedFunction(name, (AppliedUndef, Regular), real=True, growth="polynomial")


def positive_function(name: str) -> type:
    return sp.Function(name, positive=True)


@cached_on_expressions(4096)
def integral(body, *variables) -> sp.Integral:
    """∫ body d(variables) over the whole real line (printed without limits)."""
    return sp.Integral(body, *[(v, -sp.oo, sp.oo) for v in variables])


def integral_variables(expr: sp.Integral) -> tuple:
    return tuple(limit[0] for limit in expr.limits)


def times(*factors) -> sp.Mul:
    """A product kept as written, e.g. ``q · p/q`` before cancelling (the checker re-evaluates it)."""
    return sp.Mul(*factors, evaluate=False)


def ratio(numerator, denominator) -> sp.Mul:
    return sp.Mul(numerator, sp.Pow(denominator, -1, evaluate=False), evaluate=False)


def over_real_line(expr: sp.Integral) -> bool:
    return all(len(l) == 3 and l[1] == -sp.oo and l[2] == sp.oo for l in expr.limits)


class _TextPrinter(StrPrinter):
    def _print_Integral(self, expr):
        if not over_real_line(expr):
            return super()._print_Integral(expr)
        ds = " ".join(f"d{self._print(v)}" for v in integral_variables(expr))
        return f"∫ {self.parenthesize(expr.function, PRECEDENCE['Mul'], strict=True)} {ds}"


class _LatexPrinter(LatexPrinter):
    def _print_Integral(self, expr):
        if not over_real_line(expr):
            return super()._print_Integral(expr)
        ds = " ".join(f"d{self._print(v)}" for v in integral_variables(expr))
        body = self.parenthesize(expr.function, PRECEDENCE["Mul"], strict=True)
        return "\\int " * len(expr.limits) + body + " \\, " + ds


def to_text(expr: sp.Expr) -> str:
    return _TextPrinter().doprint(expr)


def to_latex(expr: sp.Expr) -> str:
    return _LatexPrinter().doprint(expr)
