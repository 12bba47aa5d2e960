"""Sums and products over an integer index: normal forms, lemmas and a numeric check at concrete sizes.

Representation (the contract of ``notes``): ``sp.Sum`` / ``sp.Product`` with an integer index symbol and
(possibly symbolic) bounds, components as ``sp.Indexed`` (``sp.IndexedBase('mu', real=True)[j]``; positive
components from ``positive=True``, components in (0, 1) from :class:`UnitInterval`). Two nodes of this
module:

- :class:`SampleExpectation` ``E_{z_1..z_n ~ q(z|X)}[body]``: the expectation over n i.i.d. samples of
  q(z|X), the body written in the importance weights ``w[k] = p(X, z_k) / q(z_k|X)`` (``WEIGHTS``);
- :class:`AtPoint` ``expr|_{X = x^(i)}``: a model expression in X at the data point x^(i).

The normal form (``normalize``, applied by ``symbolic.normal_form``) rewrites, each only where valid:

- linearity of Σ: Σ (a + b) = Σ a + Σ b, factors free of the index move out, Σ_{k=lo}^{hi} c = (hi − lo + 1) c;
- a sum with concrete bounds (at most ``EXPLICIT_TERMS`` terms) written out; the last terms peeled off an
  upper bound h + c (c a positive integer, h ≥ lo − 1 provable): Σ_{k=1}^{K+1} f = Σ_{k=1}^{K} f + f(K + 1);
- the index renamed canonically (by nesting height), so that Σ_j f(j) and Σ_i f(i) are the same sum;
- Π of factors free of the index: c^(hi − lo + 1); Π exp(f) = exp(Σ f); log Π f = Σ log f, log(ab) = log a + log b,
  log a^b = b log a, each only for factors proved positive (:func:`positive`);
- E over samples: linear (finite sums too), E[w_k] = p(X) for 1 ≤ k ≤ n (importance sampling is unbiased:
  q(z|X) > 0 wherever p(X, z) > 0), exchangeability (E[T(i)] = E[T(n)] when T depends on i only through
  w_i and sums over all n samples: swapping samples i and n preserves their joint law), samples the body does
  not use integrate out (E_n[T] = E_m[T] when T uses w_1..w_m, m ≤ n), and one sample is ∫ q(z|X) T dz;
- ``AtPoint``: the model expression in normal form, linear, and log / constants through it.

Lemmas for inequalities (:func:`lemmas`): Jensen for E over samples (E log Y ≤ log E Y, Y > 0), Jensen for a
uniform average (1/n Σ log a_i ≤ log(1/n Σ a_i), a_i > 0), monotonicity of E, of Σ (termwise) and of the
evaluation at a data point (a claim proved for every X holds at each x^(i)), and c·KL ≥ 0 for c ≥ 0.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import sympy as sp

from mathcheck.vocab import KL, Density, DensityLike, Normal, X, integral, p, q, to_text, unfold, z

EXPLICIT_TERMS = 12  # a sum or product with concrete bounds and at most this many terms is written out
WEIGHTS = sp.IndexedBase("w", positive=True)  # the importance weights w_k = p(X, z_k) / q(z_k|X)


class UnitInterval(sp.IndexedBase):
    """Components in the open interval (0, 1): probabilities (a Bernoulli decoder's means)."""


def unit_interval(name: str) -> UnitInterval:
    return UnitInterval(name, positive=True)


class SampleExpectation(sp.Expr):
    """E over z_1..z_n drawn i.i.d. from q(z|X) of ``body``, written in the weights ``WEIGHTS[k]``."""

    is_commutative = True

    def __new__(cls, body, n):
        return super().__new__(cls, sp.sympify(body), sp.sympify(n))

    body = property(lambda self: self.args[0])
    samples = property(lambda self: self.args[1])

    def _eval_is_positive(self):
        return self.body.is_positive

    def _eval_is_real(self):
        return self.body.is_real

    def _sympystr(self, printer) -> str:
        return f"E_{{z_1..z_{printer.doprint(self.samples)} ~ q(z|X)}}[{printer.doprint(self.body)}]"

    def _latex(self, printer) -> str:
        n = printer.doprint(self.samples)
        return f"\\mathbb{{E}}_{{z_1, \\dots, z_{{{n}}} \\sim q(z \\mid X)}}\\left[{printer.doprint(self.body)}\\right]"


class AtPoint(sp.Expr):
    """A model expression in X evaluated at the data point x^(i): ``expr|_{X = x^(i)}``."""

    is_commutative = True

    def __new__(cls, expr, index):
        return super().__new__(cls, sp.sympify(expr), sp.sympify(index))

    expr = property(lambda self: self.args[0])
    index = property(lambda self: self.args[1])

    def _eval_is_positive(self):
        return unfold(self.expr).is_positive

    def _eval_is_real(self):
        return unfold(self.expr).is_real

    def _sympystr(self, printer) -> str:
        return f"[{printer.doprint(self.expr)}]_(X = x^({printer.doprint(self.index)}))"

    def _latex(self, printer) -> str:
        return f"\\left.{printer.doprint(self.expr)}\\right|_{{X = x^{{({printer.doprint(self.index)})}}}}"


class FactorizedExpectation(sp.Expr):
    """E over z ~ Π_{j=lo}^{hi} N(z_j; m(j), s(j)²) of ``body`` (an expression in the components z[j]):
    ``FactorizedExpectation(body, z, m(j), s(j), (j, lo, hi))``. The density is kept as its parameters (a
    rewrite of Normal to its formula elsewhere leaves it intact)."""

    is_commutative = True

    def __new__(cls, body, base, mean, std, limits):
        return super().__new__(cls, sp.sympify(body), base, sp.sympify(mean), sp.sympify(std), sp.Tuple(*limits))

    body = property(lambda self: self.args[0])
    base = property(lambda self: self.args[1])
    mean = property(lambda self: self.args[2])
    std = property(lambda self: self.args[3])
    limits = property(lambda self: tuple(self.args[4]))

    @property
    def free_symbols(self):
        index, lo, hi = self.limits
        inner = self.body.free_symbols | self.mean.free_symbols | self.std.free_symbols
        return (inner - {index}) | lo.free_symbols | hi.free_symbols

    def density(self) -> sp.Product:
        index, lo, hi = self.limits
        return sp.Product(Normal(self.base[index], self.mean, self.std), (index, lo, hi))

    def _sympystr(self, printer) -> str:
        return f"E_{{{printer.doprint(self.density())}}}[{printer.doprint(self.body)}]"

    def _latex(self, printer) -> str:
        return f"\\mathbb{{E}}_{{{printer.doprint(self.density())}}}\\left[{printer.doprint(self.body)}\\right]"


def importance_weight() -> sp.Expr:
    """w = p(X, z) / q(z|X), the weight of one sample z."""
    return p(X, z) / q(z, given=X)


# ---------------------------------------------------------------- positivity


def _range_of(index: sp.Expr, ranges: dict) -> tuple[sp.Expr, sp.Expr]:
    """The range of an index expression: a ranged index, a ranged index plus a constant, or an expression
    of no ranged index (itself); (nan, nan) where it is unknown (no claim about it is then provable)."""
    if index in ranges:
        return ranges[index]
    constant, rest = sp.sympify(index).as_coeff_Add()
    if rest in ranges:
        lo, hi = ranges[rest]
        return lo + constant, hi + constant
    if sp.sympify(index).free_symbols & set(ranges):
        return sp.nan, sp.nan
    return index, index


def _nonnegative(expr: sp.Expr) -> bool:
    return sp.expand(expr).is_nonnegative is True


def positive(expr: sp.Expr, ranges: dict | None = None) -> bool:
    """Whether ``expr`` is provably > 0 (``ranges``: index -> (lo, hi) of the enclosing sums). Sums need a
    nonempty range; Σ_{k=lo}^{hi} f(k) − f(e) is positive for e within [lo, hi] and hi − lo ≥ 1 (a sum of
    hi − lo positive terms); 1 − y for a component y in (0, 1)."""
    ranges = ranges or {}
    if isinstance(expr, (sp.Sum, sp.Product)):
        if len(expr.limits) != 1:
            return False
        index, lo, hi = expr.limits[0]
        inner = {**ranges, index: (lo, hi)}
        return _nonnegative(hi - lo) and positive(expr.function, inner) if isinstance(expr, sp.Sum) else (
            _nonnegative(hi - lo + 1) and positive(expr.function, inner))
    if isinstance(expr, sp.Add):
        factored = sp.factor_terms(expr)
        if factored != expr and not isinstance(factored, sp.Add):
            return positive(factored, ranges)
        return all(positive(t, ranges) for t in expr.args) or _sum_minus_one_term(expr, ranges) or \
            _one_minus_probability(expr)
    if isinstance(expr, sp.Mul):
        return all(positive(f, ranges) for f in expr.args)
    if isinstance(expr, sp.Pow):
        return positive(expr.base, ranges) and expr.exp.is_real is True
    if isinstance(expr, sp.exp):
        return expr.args[0].is_real is True
    if isinstance(expr, AtPoint):
        return positive(unfold(expr.expr), ranges)
    if isinstance(expr, SampleExpectation):
        return positive(expr.body, ranges)
    return expr.is_positive is True


def _sum_minus_one_term(expr: sp.Add, ranges: dict) -> bool:
    terms = expr.args
    if len(terms) != 2:
        return False
    for total, other in (terms, terms[::-1]):
        if not isinstance(total, sp.Sum) or len(total.limits) != 1:
            continue
        index, lo, hi = total.limits[0]
        removed = -other
        for e in {e for e in removed.free_symbols | set(_indices(removed))}:
            if removed != total.function.xreplace({index: e}):
                continue
            e_lo, e_hi = _range_of(e, ranges)
            if _nonnegative(e_lo - lo) and _nonnegative(hi - e_hi) and _nonnegative(hi - lo - 1) and \
                    positive(total.function, {**ranges, index: (lo, hi)}):
                return True
    return False


def _indices(expr: sp.Expr) -> list:
    return [i for node in sp.preorder_traversal(expr) if isinstance(node, sp.Indexed) for i in node.indices]


def _one_minus_probability(expr: sp.Add) -> bool:
    constant, rest = expr.as_independent(sp.Indexed, as_Add=True)
    return (isinstance(-rest, sp.Indexed) and isinstance((-rest).base, UnitInterval) and constant.is_number
            and bool(constant >= 1))


# ---------------------------------------------------------------- the normal form


@dataclass(frozen=True)
class _Context:
    rules: tuple
    model: tuple
    peel: bool = True


def handles_symbolically(expr: sp.Expr) -> bool:
    return expr.has(sp.Sum, sp.Product, SampleExpectation, AtPoint, FactorizedExpectation)


def normalize(expr: sp.Expr, rules=(), model: tuple = ()) -> sp.Expr:
    """``expr`` with its sums, products, sample expectations and data-point evaluations in normal form."""
    if not handles_symbolically(expr):
        return expr
    context = _Context(tuple(sorted(str(r) for r in rules)), tuple(model))
    for _ in range(6):
        rewritten = sp.expand(_rewrite(expr, {}, context))
        if rewritten == expr:
            break
        expr = rewritten
    return expr


def _rewrite(expr: sp.Expr, ranges: dict, context: _Context) -> sp.Expr:
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase, Density, Normal, sp.Tuple)):
        return expr
    if isinstance(expr, sp.Sum):
        return _sum(expr, ranges, context)
    if isinstance(expr, sp.Product):
        return _product(expr, ranges, context)
    if isinstance(expr, SampleExpectation):
        body = _rewrite(expr.body, ranges, _Context(context.rules, context.model, peel=False))
        return _expect(body, _rewrite(expr.samples, ranges, context), ranges, context)
    if isinstance(expr, AtPoint):
        return _at_point(expr, context)
    if isinstance(expr, FactorizedExpectation):
        return _factorized(expr, ranges, context)
    rebuilt = expr.func(*[_rewrite(a, ranges, context) for a in expr.args])
    if isinstance(rebuilt, sp.log):
        return _log(rebuilt.args[0], ranges, context)
    return rebuilt


def _log(argument: sp.Expr, ranges: dict, context: _Context) -> sp.Expr:
    """log of a product, power or Π as sums of logs, for factors proved positive."""
    if isinstance(argument, sp.Product) and len(argument.limits) == 1:
        index, lo, hi = argument.limits[0]
        if _nonnegative(hi - lo + 1) and positive(argument.function, {**ranges, index: (lo, hi)}):
            return _rewrite(sp.Sum(sp.log(argument.function), argument.limits[0]), ranges, context)
    if isinstance(argument, sp.Mul) and all(positive(f, ranges) for f in argument.args):
        return sp.Add(*[_log(f, ranges, context) for f in argument.args])
    if isinstance(argument, sp.Pow) and positive(argument.base, ranges) and argument.exp.is_real:
        return argument.exp * _log(argument.base, ranges, context)
    if isinstance(argument, sp.exp) and argument.args[0].is_real:
        return argument.args[0]
    if isinstance(argument, AtPoint):
        return _at_point(AtPoint(sp.log(argument.expr), argument.index), context)
    if isinstance(argument, sp.Add) and argument.has(sp.Sum) and sp.count_ops(argument) < 60:
        factored = sp.factor(sp.together(argument))
        if isinstance(factored, (sp.Mul, sp.Pow)) and factored != argument:
            return _log(factored, ranges, context)
    return sp.log(argument)


def _canonical_index(body: sp.Expr, index: sp.Symbol) -> sp.Symbol:
    """_k<h>: h is one more than the height of the sums nested in ``body`` (its own index left out)."""
    height = 1 + max((int(s.name[2:]) for s in body.atoms(sp.Symbol) if s != index and s.name.startswith("_k")
                      and s.name[2:].isdigit()), default=0)
    return sp.Symbol(f"_k{height}", integer=True)


def _sum(expr: sp.Sum, ranges: dict, context: _Context) -> sp.Expr:
    """Σ over its limits, innermost first (see :func:`_over_limits`)."""
    return _over_limits(expr, ranges, context, _single_sum)


def _over_limits(expr: sp.Sum | sp.Product, ranges: dict, context: _Context, single: Callable) -> sp.Expr:
    """``single`` (one Σ or one Π) applied to each of ``expr``'s limits, innermost first: sympy merges a Sum of a
    Sum into one Sum of several limits, so they are taken one at a time here rather than rebuilt as nested
    operators; an inner body sees the outer ranges."""
    body = expr.function
    limits = list(expr.limits)
    for place, (index, lo, hi) in enumerate(limits):
        outer = {i: (a, b) for i, a, b in limits[place + 1:]}
        body = single(body, index, lo, hi, {**ranges, **outer}, context)
    return body


def _single_sum(function: sp.Expr, index: sp.Symbol, lo: sp.Expr, hi: sp.Expr, ranges: dict,
                context: _Context) -> sp.Expr:
    lo, hi = _rewrite(lo, ranges, context), _rewrite(hi, ranges, context)
    body = sp.expand(_rewrite(function, {**ranges, index: (lo, hi)}, context))
    total = sp.S.Zero
    for term in sp.Add.make_args(body):
        constant, dependent = term.as_independent(index, as_Add=False)
        if dependent == 1 and _nonnegative(hi - lo + 1):  # Σ_{k=3}^{K} 1 is K − 2 only for K ≥ 2 (empty: 0)
            total += constant * (hi - lo + 1)
        else:
            total += constant * _canonical_sum(dependent, index, lo, hi, ranges, context)
    return total


def _canonical_sum(term: sp.Expr, index: sp.Symbol, lo: sp.Expr, hi: sp.Expr, ranges: dict,
                   context: _Context) -> sp.Expr:
    count = hi - lo + 1
    if count.is_Integer and 0 <= count <= EXPLICIT_TERMS:
        return sp.Add(*[_rewrite(term.xreplace({index: lo + t}), ranges, context) for t in range(int(count))])
    peeled, base = _peel(hi, lo) if context.peel else (0, hi)
    head = sp.S.Zero
    if peeled:
        head = sp.Add(*[_rewrite(term.xreplace({index: base + t}), ranges, context) for t in range(1, peeled + 1)])
    raised = _raisable(base, lo) if context.peel else 0
    if raised:  # Σ_{j=1}^{d-1} x_j = Σ_{j=1}^{d} x_j − x_d (d ≥ 1)
        base -= raised
        head -= sp.Add(*[_rewrite(term.xreplace({index: base - t}), ranges, context) for t in range(-raised)])
    if context.peel and _lowerable(lo, base):  # Σ_{j=2}^{d} x_j = Σ_{j=1}^{d} x_j − x_1 (d ≥ 1)
        head -= sp.Add(*[_rewrite(term.xreplace({index: sp.Integer(t)}), ranges, context) for t in range(1, int(lo))])
        lo = sp.S.One
    canonical = _canonical_index(term, index)
    return head + sp.Sum(term.xreplace({index: canonical}), (canonical, lo, base))


def _lowerable(lo: sp.Expr, hi: sp.Expr) -> bool:
    """Whether Σ_{lo}^{hi} may start at 1 with its first lo − 1 terms taken off: a whole-number lower limit
    2 … EXPLICIT_TERMS + 1, and hi ≥ lo − 1 provable (the sum from 1 then holds those terms)."""
    return lo.is_Integer and 1 < lo <= EXPLICIT_TERMS + 1 and not hi.is_number and _nonnegative(hi - lo + 1)


def _raisable(hi: sp.Expr, lo: sp.Expr) -> int:
    """hi = base − c with c a whole number 1 … EXPLICIT_TERMS and hi ≥ lo − 1 provable: −c (the sum to base less
    its last c terms); else 0."""
    constant, base = hi.as_coeff_Add()
    if constant.is_Integer and -EXPLICIT_TERMS <= constant < 0 and not base.is_number and _nonnegative(hi - lo + 1):
        return int(constant)
    return 0


def _peel(hi: sp.Expr, lo: sp.Expr) -> tuple[int, sp.Expr]:
    """hi = base + c with c a positive integer and base ≥ lo − 1 provable: (c, base); else (0, hi)."""
    constant, base = hi.as_coeff_Add()
    if constant.is_Integer and constant > 0 and not base.is_number and _nonnegative(base - lo + 1):
        return int(constant), base
    return 0, hi


def _product(expr: sp.Product, ranges: dict, context: _Context) -> sp.Expr:
    """Π over its limits, innermost first (see :func:`_over_limits`)."""
    return _over_limits(expr, ranges, context, _single_product)


def _single_product(function: sp.Expr, index: sp.Symbol, lo: sp.Expr, hi: sp.Expr, ranges: dict,
                    context: _Context) -> sp.Expr:
    lo, hi = _rewrite(lo, ranges, context), _rewrite(hi, ranges, context)
    count = hi - lo + 1
    body = _rewrite(function, {**ranges, index: (lo, hi)}, context)
    if not _nonnegative(count):
        return sp.Product(body, (index, lo, hi))
    result, dependent = sp.S.One, []
    for factor in sp.Mul.make_args(body):
        if not factor.has(index):
            result *= factor**count
        elif isinstance(factor, sp.exp):
            result *= sp.exp(_sum(sp.Sum(factor.args[0], (index, lo, hi)), ranges, context))
        else:
            dependent.append(factor)
    if dependent:
        term = sp.Mul(*dependent)
        if count.is_Integer and count <= EXPLICIT_TERMS:
            result *= sp.Mul(*[term.xreplace({index: lo + t}) for t in range(int(count))])
        else:
            canonical = _canonical_index(term, index)
            result *= sp.Product(term.xreplace({index: canonical}), (canonical, lo, hi))
    return result


# ---------------------------------------------------------------- expectations over samples


def _uses_samples(expr: sp.Expr) -> bool:
    return any(isinstance(node, sp.Indexed) and node.base == WEIGHTS for node in sp.preorder_traversal(expr))


def _expect(body: sp.Expr, n: sp.Expr, ranges: dict, context: _Context) -> sp.Expr:
    body = sp.expand(body)
    if isinstance(body, sp.Add):
        return sp.Add(*[_expect(term, n, ranges, context) for term in body.args])
    constant, dependent = sp.S.One, []
    for factor in sp.Mul.make_args(body):
        if _uses_samples(factor):
            dependent.append(factor)
        else:
            constant *= factor
    dependent = sp.Mul(*dependent)
    if dependent == 1:
        return constant
    if constant != 1:
        return constant * _expect(dependent, n, ranges, context)
    if isinstance(dependent, sp.Sum) and len(dependent.limits) == 1:  # a finite sum of expectations
        index, lo, hi = dependent.limits[0]
        return sp.Sum(_expect(dependent.function, n, {**ranges, index: (lo, hi)}, context), (index, lo, hi))
    if isinstance(dependent, sp.Indexed) and dependent.base == WEIGHTS:
        e_lo, e_hi = _range_of(dependent.indices[0], ranges)
        if _nonnegative(e_lo - 1) and _nonnegative(n - e_hi):
            return p(X)  # E_q[p(X, z)/q(z|X)] = ∫ p(X, z) dz = p(X)
    exchanged = _exchanged(dependent, n, ranges)
    if exchanged is not None:
        peeled = _rewrite(exchanged, ranges, _Context(context.rules, context.model, peel=True))
        return _expect(peeled, n, ranges, context)
    peeled = _rewrite(dependent, ranges, _Context(context.rules, context.model, peel=True))
    used = _samples_used(peeled, ranges)
    if used is None:
        return SampleExpectation(peeled, n)
    if used != n and _nonnegative(n - used):
        return _expect(peeled, used, ranges, context)
    if n == 1:
        return _one_sample(peeled, context)
    return SampleExpectation(peeled, n)


def _sample_references(expr: sp.Expr, bound: frozenset = frozenset()):
    """(loose indices, sums over samples as (lo, hi)) of the weights in ``expr``."""
    loose, sums = [], []
    if isinstance(expr, sp.Indexed) and expr.base == WEIGHTS:
        return [expr.indices[0]], []
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        index, lo, hi = expr.limits[0]
        inner_loose, inner_sums = _sample_references(expr.function, bound | {index})
        for e in inner_loose:
            if e == index:
                sums.append((lo, hi))
            else:
                loose.append(e)
        return loose, sums + inner_sums
    for arg in expr.args:
        inner_loose, inner_sums = _sample_references(arg, bound)
        loose += inner_loose
        sums += inner_sums
    return loose, sums


def _exchanged(term: sp.Expr, n: sp.Expr, ranges: dict) -> sp.Expr | None:
    """T(i) → T(n): T depends on the index i (of an enclosing sum, within [1, n]) only through w_i, and
    its other weights appear only in sums over all n samples."""
    loose, sums = _sample_references(term)
    if len(set(loose)) != 1 or any((lo, hi) != (1, n) for lo, hi in sums):
        return None
    (index,) = set(loose)
    if index not in ranges or index == n:
        return None
    lo, hi = ranges[index]
    if not (_nonnegative(lo - 1) and _nonnegative(n - hi)):
        return None
    if term.xreplace({WEIGHTS[index]: sp.Dummy()}).has(index):
        return None
    return term.xreplace({index: n})


def _samples_used(term: sp.Expr, ranges: dict) -> sp.Expr | None:
    """The largest sample index m that ``term`` uses (all of them ≥ 1), or None when unknown."""
    loose, sums = _sample_references(term)
    uppers, lowers = [], []
    for e in loose:
        e_lo, e_hi = _range_of(e, ranges)
        lowers.append(e_lo)
        uppers.append(e_hi)
    for lo, hi in sums:
        lowers.append(lo)
        uppers.append(hi)
    if not uppers or not all(_nonnegative(lo - 1) for lo in lowers):
        return None
    for candidate in uppers:
        if all(_nonnegative(candidate - other) for other in uppers):
            return candidate
    return None


def _one_sample(term: sp.Expr, context: _Context) -> sp.Expr:
    """E over one sample z ~ q(z|X): ∫ q(z|X) T(p(X, z)/q(z|X)) dz, in the normal form of ``symbolic``."""
    from mathcheck.symbolic import normal_form

    loose, sums = _sample_references(term)
    if sums or set(loose) != {1}:
        return SampleExpectation(term, 1)
    body = term.xreplace({WEIGHTS[1]: importance_weight()})
    return normal_form(integral(q(z, given=X) * body, z), context.rules, context.model)


# ---------------------------------------------------------------- factorized Gaussian expectations


def _factorized(node: FactorizedExpectation, ranges: dict, context: _Context) -> sp.Expr:
    """Linearity of E, then Fubini: a term in one component z_e (e within the product's range) is the
    one-dimensional Gaussian expectation E_{N(z_e; m(e), s(e)²)} (every other factor integrates to 1)."""
    index, lo, hi = node.limits
    body = sp.expand(_rewrite(node.body, ranges, context))
    total = sp.S.Zero
    for term in sp.Add.make_args(body):
        constant, dependent = sp.S.One, sp.S.One
        for factor in sp.Mul.make_args(term):
            if _uses_components(factor, node.base):
                dependent *= factor
            else:
                constant *= factor
        total += constant * _factorized_term(node, dependent, ranges, context)
    return total


def _uses_components(expr: sp.Expr, base) -> bool:
    return any(isinstance(n, sp.Indexed) and n.base == base for n in sp.preorder_traversal(expr))


def _factorized_term(node: FactorizedExpectation, term: sp.Expr, ranges: dict, context: _Context) -> sp.Expr:
    from mathcheck.symbolic import fresh_symbol, normal_form

    index, lo, hi = node.limits
    if term == 1:
        return sp.S.One
    if isinstance(term, sp.Sum) and len(term.limits) == 1:
        inner_index, inner_lo, inner_hi = term.limits[0]
        inner = {**ranges, inner_index: (inner_lo, inner_hi)}
        return sp.Sum(_factorized_term(node, term.function, inner, context), term.limits[0])
    components = {n for n in sp.preorder_traversal(term) if isinstance(n, sp.Indexed) and n.base == node.base}
    if len(components) == 1 and not term.has(sp.Sum, sp.Product):
        (component,) = components
        e_lo, e_hi = _range_of(component.indices[0], ranges)
        if _nonnegative(e_lo - lo) and _nonnegative(hi - e_hi):
            at = component.indices[0]
            t = fresh_symbol(f"t_{node.base}", term)
            one_dimensional = Normal(t, node.mean.xreplace({index: at}), node.std.xreplace({index: at}))
            return normal_form(integral(one_dimensional * term.xreplace({component: t}), t), context.rules,
                               context.model)
    return FactorizedExpectation(term, node.base, node.mean, node.std, node.limits)


# ---------------------------------------------------------------- data points


def _at_point(node: AtPoint, context: _Context) -> sp.Expr:
    """The expression in normal form, linear through the evaluation; constants (free of X and of
    densities) come out."""
    from mathcheck.symbolic import normal_form

    inner = sp.expand(normal_form(node.expr, context.rules, context.model))
    total = sp.S.Zero
    for term in sp.Add.make_args(inner):
        constant, dependent = sp.S.One, sp.S.One
        for factor in sp.Mul.make_args(term):
            if factor.has(X, Density, sp.Integral):
                dependent *= factor
            else:
                constant *= factor
        total += constant * (AtPoint(dependent, node.index) if dependent != 1 else 1)
    return total


# ---------------------------------------------------------------- lemmas


def lemmas(big: sp.Expr, small: sp.Expr, rules):
    """A proof of big ≥ small by one of this module's lemmas, or None (a ``symbolic.Proof``)."""
    for lemma in (_scaled_divergence, _jensen_expectation, _monotone, _uniform_jensen):
        try:
            found = lemma(sp.sympify(big), sp.sympify(small), rules)
        except (TypeError, ValueError, AttributeError):
            found = None
        if found is not None:
            return found
    return None


def _proof(reason: str):
    from mathcheck.symbolic import Proof

    return Proof(True, reason)


def _same(a: sp.Expr, b: sp.Expr, rules) -> bool:
    from mathcheck.symbolic import _difference_is_zero

    return _difference_is_zero(a, b, tuple(rules))


def _scaled_divergence(big, small, rules):
    """big − small = c · KL[a ‖ b] with c ≥ 0 and densities a, b of the same variables."""
    from mathcheck.symbolic import is_density

    gap = sp.expand(big - small)
    for divergence in gap.atoms(KL):
        a, b = divergence.args
        coefficient = gap.coeff(divergence)
        if coefficient == 0 or coefficient.has(KL) or coefficient.is_nonnegative is not True:
            continue
        if not (is_density(a) and is_density(b)) or tuple(a.variables) != tuple(b.variables):
            continue
        if _same(gap, coefficient * divergence, rules):
            return _proof(f"{to_text(coefficient)} ≥ 0 and Gibbs' inequality {to_text(divergence)} ≥ 0")
    return None


def _jensen_expectation(big, small, rules):
    """log E[Y] ≥ E[log Y] for Y > 0: log is concave (f'' = −1/t² < 0) and E is over samples of q."""
    for term in sp.Add.make_args(big):  # a term c · log E[Y] of big with c > 0: big only grows with it
        coefficient, node = term.as_coeff_Mul()
        if coefficient <= 0 or not isinstance(node, sp.log) or not isinstance(node.args[0], SampleExpectation):
            continue
        inner = node.args[0]
        if not positive(inner.body):
            continue
        candidate = big - term + coefficient * SampleExpectation(sp.log(inner.body), inner.samples)
        if _same(small, candidate, rules):
            return _jensen_proof(inner)
    for term in sp.Add.make_args(small):  # a term c · E[log Y] of small, c > 0: log E[Y] in its place is big
        coefficient, node = term.as_coeff_Mul()
        if coefficient <= 0 or not isinstance(node, SampleExpectation) or not isinstance(node.body, sp.log):
            continue
        inner = SampleExpectation(node.body.args[0], node.samples)
        if not positive(inner.body):
            continue
        if _same(big, small - term + coefficient * sp.log(inner), rules):  # E[Y] in closed form (p(X)) there
            return _jensen_proof(inner)
    return None


def _jensen_proof(inner: SampleExpectation):
    return _proof(f"Jensen: log is concave and {to_text(inner.body)} > 0, under the expectation over "
                  f"z_1..z_{to_text(inner.samples)}")


def _monotone(big, small, rules):
    """E[A] ≥ E[B], Σ A ≥ Σ B (same range), A|_{x^(i)} ≥ B|_{x^(i)}, from A ≥ B everywhere."""
    from mathcheck.symbolic import prove

    pair = _matching_bodies(big, small)
    if pair is None:
        return None
    (a, b), what = pair
    inner = prove(a, ">=", b, rules)
    if inner.proved:
        return _proof(f"{what}, and {to_text(a)} ≥ {to_text(b)}: {inner.reason}")
    return None


def _matching_bodies(big, small):
    if isinstance(big, SampleExpectation) and isinstance(small, SampleExpectation) and big.samples == small.samples:
        return (big.body, small.body), "monotonicity of the expectation over the samples"
    if isinstance(big, AtPoint) and isinstance(small, AtPoint) and big.index == small.index:
        return (big.expr, small.expr), "a claim for every X holds at the data point x^(i)"
    if isinstance(big, sp.Sum) and isinstance(small, sp.Sum) and len(big.limits) == len(small.limits) == 1:
        (i, lo, hi), (k, lo2, hi2) = big.limits[0], small.limits[0]
        if (lo, hi) == (lo2, hi2):
            return (big.function, small.function.xreplace({k: i})), "a sum is monotone termwise"
    return None


def _uniform_jensen(big, small, rules):
    """log((1/n) Σ_{i} a_i) ≥ (1/n) Σ_i log a_i over n = hi − lo + 1 terms, each a_i > 0."""
    if not isinstance(big, sp.log):
        return None
    factors = sp.Mul.make_args(big.args[0])
    sums = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1]
    if len(sums) != 1:
        return None
    (total,) = sums
    weight = sp.Mul(*[f for f in factors if f is not total])
    index, lo, hi = total.limits[0]
    if sp.simplify(weight * (hi - lo + 1) - 1) != 0 or not positive(total.function, {index: (lo, hi)}):
        return None
    candidate = weight * sp.Sum(sp.log(total.function), (index, lo, hi))
    if _same(small, candidate, rules):
        return _proof(f"Jensen for the uniform average over {index} = {to_text(lo)}..{to_text(hi)}: log is "
                      f"concave and {to_text(total.function)} > 0")
    return None


# ---------------------------------------------------------------- numeric check at concrete sizes

SIZES = (1, 2, 3, 4, 5, 8)  # the concrete values of the symbolic sizes d, N, K, D
HOLD_TOLERANCE = 1e-9  # relative to 1 + |lhs| + |rhs|: float64 sums of a few hundred terms
VIOLATION = 1e-6  # a margin beyond this (relative) is a counterexample; between the two, the world abstains
MAX_CONFIGURATIONS = 20_000  # latent values ** samples enumerated exactly for an expectation over samples
COMPONENTS = 10  # components drawn per indexed base (indices 1..COMPONENTS)
METHOD = "sums"  # its guarantee is stated in checker.GUARANTEES


class Unevaluable(Exception):
    """The world cannot give the expression a value."""


class IllFormed(Unevaluable):
    """The expression has no meaning in any world: a weight of a sample the expectation does not draw."""


def handles(expressions: Iterable[sp.Expr]) -> bool:
    """Whether the numeric check of this module judges a step with these sides (components, products,
    expectations over samples, data points)."""
    return any(sp.sympify(e).has(sp.Product, sp.Indexed, SampleExpectation, AtPoint, FactorizedExpectation)
               for e in expressions)


@dataclass
class SumWorld:
    sizes: dict  # size symbol -> int
    components: dict  # IndexedBase -> array (index 1..COMPONENTS at positions 1..)
    scalars: dict  # symbol -> float
    prior: np.ndarray  # p(z) over the latent's values
    likelihood: np.ndarray  # p(X = x^(i) | z), rows: data points 0 (X itself), 1, 2, ...
    encoder: np.ndarray  # q(z | X = x^(i)), rows as above
    seed: int = 0
    case: str = ""
    calls: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict, repr=False)  # expression -> its value here (steps share sides)

    def describe(self) -> dict[str, Any]:
        shown = {"family": "sums", **{str(s): v for s, v in self.sizes.items()},
                 **{str(s): round(v, 6) for s, v in self.scalars.items()}}
        for base, values in self.components.items():
            shown[str(base)] = [round(float(v), 6) for v in values[1:1 + max(self.sizes.values(), default=1) + 1]]
        shown["latent values"] = len(self.prior)
        if self.case:
            shown["case"] = self.case
        return shown


def _domain_values(base, rng: np.random.Generator, count: int) -> np.ndarray:
    if isinstance(base, UnitInterval):
        return rng.uniform(0.02, 0.98, count)
    if base.is_positive:
        return np.exp(rng.uniform(-1.5, 1.5, count))
    if base.is_integer and base.is_nonnegative:
        return rng.integers(0, 2, count).astype(float)
    return rng.normal(0.0, 1.5, count)


def _scalar_value(symbol: sp.Symbol, rng: np.random.Generator) -> float:
    if symbol.is_positive:
        return float(np.exp(rng.uniform(-1.5, 1.5)))
    if symbol.is_nonnegative:
        return float(rng.choice([0.0, float(np.exp(rng.uniform(-1.5, 1.5)))]))
    return float(rng.normal(0.0, 1.5))


@dataclass(frozen=True)
class _Spec:
    sizes: tuple
    bases: tuple
    scalars: tuple


def _spec(expressions) -> _Spec:
    sizes, bases, scalars = set(), set(), set()
    for expr in expressions:
        expr = unfold(sp.sympify(expr))
        bases |= {node.base for node in sp.preorder_traversal(expr) if isinstance(node, sp.Indexed)}
        labels = {b.label for b in bases}
        for symbol in expr.free_symbols:
            if not isinstance(symbol, sp.Symbol) or symbol in labels or symbol in (X, z):
                continue
            (sizes if symbol.is_integer else scalars).add(symbol)
    key = lambda s: str(s)
    return _Spec(tuple(sorted(sizes, key=key)), tuple(sorted(bases - {WEIGHTS}, key=key)),
                 tuple(sorted(scalars, key=key)))


def _world(spec: _Spec, sizes: tuple, seed: int, latent: int, case: str) -> SumWorld:
    rng = np.random.default_rng(seed)
    components = {base: np.concatenate([[np.nan], _domain_values(base, rng, COMPONENTS)]) for base in spec.bases}
    scalars = {s: _scalar_value(s, rng) for s in spec.scalars}
    prior = rng.dirichlet(np.ones(latent))
    likelihood = rng.uniform(0.05, 1.0, (COMPONENTS + 1, latent)) * np.exp(rng.uniform(-3, 3))  # a density of X
    if case == FAR_WEIGHTS:  # q uniform, p(X, z) from 1e-10 to 0.5: importance weights 10 orders apart
        prior = np.full(latent, 1.0 / latent)
        likelihood = np.tile(np.geomspace(1e-10, 0.5, latent) / prior, (COMPONENTS + 1, 1))
    if case in FAR_ENCODERS:
        prior, likelihood, encoder = _far_encoder(latent, *FAR_ENCODERS[case])
    elif case in ("q = the posterior",):
        encoder = likelihood * prior / (likelihood * prior).sum(axis=1, keepdims=True)
    elif case == FAR_WEIGHTS:
        encoder = np.full((COMPONENTS + 1, latent), 1.0 / latent)
    elif case == "q = the prior":
        encoder = np.tile(prior, (COMPONENTS + 1, 1))
    else:
        encoder = rng.dirichlet(np.ones(latent), COMPONENTS + 1)
    return SumWorld(dict(zip(spec.sizes, sizes)), components, scalars, prior, likelihood, encoder, seed, case)


def _size_root_worlds(spec: _Spec, lhs: sp.Expr, rhs: sp.Expr) -> list[SumWorld]:
    """A world at sizes where lhs − rhs, when it depends on the sizes alone, is exactly nonzero (the drawn sizes
    ``SIZES`` could all be roots of a polynomial in d such as (d−1)(d−2)(d−3)(d−5)); [] otherwise."""
    from mathcheck.size_difference import size_counterexample

    try:
        difference = sp.expand(unfold(lhs) - unfold(rhs))
        found = size_counterexample(difference) or sizes_off_roots(difference, spec.sizes)
    except (TypeError, ValueError, AttributeError, RecursionError, sp.PolynomialError):
        return []
    if found is None or not set(found[0]) <= set(spec.sizes):
        return []
    if max(found[0].values()) > COMPONENTS:
        raise _SizesBeyond(f"lhs − rhs is a polynomial in the sizes that vanishes at the sizes the worlds have "
                           f"({COMPONENTS} components at most), not at {describe_sizes(found[0])}")
    return [_world(spec, tuple(found[0].get(s, 1) for s in spec.sizes), 3, 2, "")]


class _SizesBeyond(Exception):
    """lhs − rhs is nonzero only at sizes beyond the worlds' components: no world can judge the step."""


def describe_sizes(sizes: dict) -> str:
    return ", ".join(f"{s} = {v}" for s, v in sizes.items())


def sizes_off_roots(difference: sp.Expr, sizes: tuple) -> tuple[dict, sp.Expr] | None:
    """Sizes where lhs − rhs = Σ_t G_t·H_t(sizes), polynomials H_t in the sizes (G_t: the rest of each term,
    as a whole), has some H_t nonzero: (d−1)(d−2)(d−3)(d−4)(d−5)(d−8)·x_1² vanishes at every drawn size d, not
    at d = 6. None where lhs − rhs is no such sum, or every H_t is zero at every size."""
    from mathcheck.size_difference import size_counterexample, size_symbols

    if not sizes:
        return None
    written_out = lambda node: isinstance(node, (sp.Sum, sp.Product)) and all(
        (hi - lo).is_number and 0 <= hi - lo < EXPLICIT_TERMS for _, lo, hi in node.limits)
    difference = sp.expand(difference.replace(written_out, lambda node: node.doit()))
    groups: dict = {}
    for term in sp.Add.make_args(difference):
        factors = sp.Mul.make_args(term)
        in_sizes = [f for f in factors if f.is_number or size_symbols(f) is not None]
        rest = sp.Mul(*[f for f in factors if not (f.is_number or size_symbols(f) is not None)])
        groups[rest] = groups.get(rest, 0) + sp.Mul(*in_sizes)
    found = [size_counterexample(sp.expand(h)) for h in groups.values() if h != 0 and h.free_symbols]
    found = [f for f in found if f is not None]
    return min(found, key=lambda f: (max(f[0].values()), sum(f[0].values()))) if found else None


FAR_WEIGHTS = "q uniform, far from the posterior (p(X, z) from 1e-10 to 0.5)"
# q missing the posterior's mass: (p(X, z) off that mass, q on it). Every sample of a few (K ≪ 1e12) lands off it
# w.p. ≈ 1, so log p(X) − L_K ≈ log(0.5 / p(X, z) off it), 68 and 229, for every K written: no constant bounds it.
FAR_ENCODERS = {"q far from the posterior (q = 1e-12 where p(z|X) ≈ 1, p(X, z) = 1e-30 elsewhere)": (1e-30, 1e-12),
                "q far from the posterior (q = 1e-12 where p(z|X) ≈ 1, p(X, z) = 1e-100 elsewhere)": (1e-100, 1e-12)}


def _far_encoder(latent: int, joint_off: float, q_on: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(prior, likelihood, encoder): a uniform prior, p(X, z) = 0.5 at the last latent value and ``joint_off``
    at the others, and q putting ``q_on`` on the last value, the rest spread over the others."""
    prior = np.full(latent, 1.0 / latent)
    joint = np.array([joint_off] * (latent - 1) + [0.5])
    encoder = np.array([(1 - q_on) / (latent - 1)] * (latent - 1) + [q_on])
    rows = (COMPONENTS + 1, 1)
    return prior, np.tile(joint / prior, rows), np.tile(encoder, rows)


def _boundary_worlds(spec: _Spec) -> list[SumWorld]:
    """The posterior and the prior as q, and q far from the posterior (its importance weights spread over ten
    orders of magnitude: a bound on the ELBO gap or on L_K − L_1 that mild worlds never strain fails there;
    q missing the posterior's mass, ``FAR_ENCODERS``: a constant bound on log p(X) − L_K fails there)."""
    count = len(spec.sizes)
    return [_world(spec, (1,) * count, 1, 2, "q = the posterior"), _world(spec, (2,) * count, 2, 3, "q = the prior"),
            _world(spec, (2,) * count, 4, 2, FAR_WEIGHTS), _world(spec, (3,) * count, 5, 3, FAR_WEIGHTS),
            *(_world(spec, (sizes,) * count, 6, 2, case) for case, sizes in zip(FAR_ENCODERS, (3, 1)))]


def _drawn_worlds(spec: _Spec, seed: int, examples: int) -> list[SumWorld]:
    """Worlds drawn by hypothesis: the sizes from ``SIZES``, the components and the discrete model from a
    drawn seed (so that hypothesis chooses every value of the world)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings, strategies as st
    from hypothesis import seed as hypothesis_seed

    from mathcheck.numeric import hypothesis_run

    drawn: list[SumWorld] = []
    strategy = st.tuples(st.tuples(*[st.sampled_from(SIZES) for _ in spec.sizes]), st.integers(0, 2**32 - 1),
                         st.sampled_from((2, 3)), st.sampled_from(("", "", "q = the posterior", "q = the prior")))

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, print_blob=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, phases=(Phase.generate,))
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(values) -> None:
        drawn.append(_world(spec, *values))

    with hypothesis_run():
        collect()
    return drawn


def _complex_if_negative(value):
    """A base or log argument that is negative (or already complex) in complex arithmetic: its principal value."""
    array = np.asarray(value)
    if np.iscomplexobj(array) or np.any(array < 0):
        return array.astype(complex)
    return array.astype(float)


def _real_part(value: complex, scale: float) -> float | None:
    """The value as a real number, None where its imaginary part is more than rounding."""
    value = complex(value)
    return value.real if abs(value.imag) <= HOLD_TOLERANCE * scale else None


class _Evaluator:
    def __init__(self, world: SumWorld):
        self.world = world

    def value(self, expr: sp.Expr, env: dict):
        world = self.world
        if isinstance(expr, (sp.Integer, sp.Rational, sp.Float)) or expr in (sp.pi, sp.E):
            return float(expr)
        if isinstance(expr, sp.Symbol):
            if expr in env:
                return env[expr]
            if expr in world.sizes:
                return world.sizes[expr]
            if expr in world.scalars:
                return world.scalars[expr]
            raise Unevaluable(f"no value for {expr}")
        if isinstance(expr, sp.Indexed):
            index = self.integer(expr.indices[0], env)
            if expr.base == WEIGHTS:
                if ("weights", index) not in env:
                    if "samples" in env:
                        raise IllFormed(f"w[{index}] is none of the samples z_1..z_{env['samples']} drawn")
                    raise Unevaluable(f"the weight {expr} outside an expectation over its sample")
                return env[("weights", index)]
            if ("component", expr.base, index) in env:  # a component integrated over
                return env[("component", expr.base, index)]
            if expr.base not in world.components or not 1 <= index <= COMPONENTS:
                raise Unevaluable(f"no component {expr}")
            return world.components[expr.base][index]
        if isinstance(expr, sp.Add):
            left_out = self.left_out(expr, env)
            return left_out if left_out is not None else sum(self.value(a, env) for a in expr.args)
        if isinstance(expr, sp.Mul):
            result = 1.0
            for a in expr.args:
                result = result * self.value(a, env)
            return result
        if isinstance(expr, sp.Pow):
            return np.power(_complex_if_negative(self.value(expr.base, env)), self.value(expr.exp, env))
        if isinstance(expr, sp.log):
            return np.log(_complex_if_negative(self.value(expr.args[0], env)))
        if isinstance(expr, sp.exp):
            return np.exp(self.value(expr.args[0], env))
        if isinstance(expr, sp.Abs):
            return np.abs(self.value(expr.args[0], env))
        if isinstance(expr, (sp.Sum, sp.Product)):
            return self.finite(expr, env)
        if isinstance(expr, Normal):
            v, m, s = (self.value(a, env) for a in expr.args)
            return np.exp(-(v - m) ** 2 / (2 * s**2)) / (math.sqrt(2 * math.pi) * s)
        if isinstance(expr, Density):
            return self.density(expr, env)
        if isinstance(expr, sp.Integral):
            return self.integral(expr, env)
        if hasattr(expr, "unfold"):
            return self.value(expr.unfold(), env)
        if isinstance(expr, SampleExpectation):
            return self.expectation(expr, env)
        if isinstance(expr, AtPoint):
            return self.value(expr.expr, {**env, "point": self.integer(expr.index, env)})
        if isinstance(expr, FactorizedExpectation):
            return self.factorized(expr, env)
        if isinstance(expr, sp.core.function.AppliedUndef):
            return self.call(expr, env)
        raise Unevaluable(f"cannot evaluate {type(expr).__name__}: {expr}")

    def factorized(self, expr: FactorizedExpectation, env: dict):
        """Gauss–Hermite on the product grid at two orders (exact for polynomial bodies of degree ≤ 15, as
        log-Gaussian bodies are); orders that disagree beyond 1e-11 leave the world unable to judge."""
        index, lo, hi = expr.limits
        lo, hi = self.integer(lo, env), self.integer(hi, env)
        count = hi - lo + 1
        if count < 1 or 12**count > 300_000:
            raise Unevaluable(f"a factorized expectation over {count} components")
        estimates = []
        for order in (8, 12):
            nodes, weights = np.polynomial.hermite_e.hermegauss(order)
            weights = weights / weights.sum()
            grid = np.indices((order,) * count).reshape(count, -1)
            inner, probability = dict(env), np.ones(grid.shape[1])
            for position, component in enumerate(range(lo, hi + 1)):
                m = self.value(expr.mean, {**env, index: component})
                sd = self.value(expr.std, {**env, index: component})
                inner[("component", expr.base, component)] = m + sd * nodes[grid[position]]
                probability = probability * weights[grid[position]]
            estimates.append(np.sum(probability * self.value(expr.body, inner)))
        if abs(estimates[0] - estimates[1]) > 1e-11 * (1 + abs(estimates[1])):
            raise Unevaluable("Gauss–Hermite orders 8 and 12 disagree: the body is not polynomial enough")
        return estimates[1]

    def exchangeable(self, expr: sp.Expr, n: int, env: dict) -> bool:
        """Whether ``expr`` uses the weights only in sums (products) over all n samples of a function of w_k
        alone: then its value is the same at every order of the samples, and each multiset of them is
        evaluated once (``_sample_multisets``)."""
        if isinstance(expr, sp.Indexed) and expr.base == WEIGHTS:
            return False
        if isinstance(expr, (sp.Sum, sp.Product)) and len(expr.limits) == 1 and expr.function.has(WEIGHTS):
            index, lo, hi = expr.limits[0]
            term = expr.function.xreplace({WEIGHTS[index]: sp.Dummy("w", positive=True)})
            try:
                over_all = self.integer(lo, env) == 1 and self.integer(hi, env) == n
            except (Unevaluable, TypeError, ValueError):
                return False
            return over_all and not term.has(index) and self.exchangeable(term, n, env)
        return all(self.exchangeable(a, n, env) for a in expr.args if isinstance(a, sp.Expr))

    def left_out(self, expr: sp.Add, env: dict):
        """Σ_k f(w_k) − f(w_i) (+ the other terms) as the sum over k ≠ i: subtracted, a large w_i would
        cancel the small weights to 0 (where the weights are 1e40 apart); None where no term is left out."""
        for total in (a for a in expr.args if isinstance(a, sp.Sum) and len(a.limits) == 1):
            index, lo, hi = total.limits[0]
            for other in expr.args:
                coefficient, term = other.as_coeff_Mul()
                left = [j.indices[0] for j in term.atoms(sp.Indexed) if j.base == WEIGHTS and j.indices[0] != index]
                left = [i for i in left if coefficient == -1 and total.function.xreplace({index: i}) == term]
                if not left or left[0].has(index):
                    continue
                lo_value, hi_value, skipped = (self.integer(e, env) for e in (lo, hi, left[0]))
                if not lo_value <= skipped <= hi_value:
                    continue
                kept = sum((self.value(total.function, {**env, index: k}) for k in range(lo_value, hi_value + 1)
                            if k != skipped), 0.0)
                return kept + sum((self.value(a, env) for a in expr.args if a is not total and a is not other), 0.0)
        return None

    def integer(self, expr: sp.Expr, env: dict) -> int:
        value = self.value(expr, env)
        if np.ndim(value) or float(value) != int(value):
            raise Unevaluable(f"the index {expr} is not an integer here")
        return int(value)

    def finite(self, expr, env):
        # the outermost limit last in sympy's list; a range with hi < lo is empty (Σ = 0, Π = 1), as in the
        # normal form, which rewrites a count hi − lo + 1 only where it is provably ≥ 0
        index, lo, hi = expr.limits[-1]
        function = expr.func(expr.function, *expr.limits[:-1]) if len(expr.limits) > 1 else expr.function
        lo, hi = self.integer(lo, env), self.integer(hi, env)
        values = [self.value(function, {**env, index: i}) for i in range(lo, hi + 1)]
        if isinstance(expr, sp.Sum):
            return sum(values) if values else 0.0
        result = 1.0
        for v in values:
            result = result * v
        return result

    def call(self, expr, env):
        key = (expr.func.__name__, tuple(np.round(np.asarray(self.value(a, env), dtype=float), 12).tolist()
                                        for a in expr.args))
        if key not in self.world.calls:
            rng = np.random.default_rng(abs(hash((self.world.seed, key))) % 2**32)
            self.world.calls[key] = float(np.exp(rng.normal())) if expr.is_positive else float(rng.normal(0, 1.5))
        return self.world.calls[key]

    def density(self, density: Density, env):
        world, point = self.world, env.get("point", 0)
        density = density.canonical()
        if density.label:
            raise Unevaluable(f"the world has no density {density}")
        key = (density.family, tuple(map(str, density.variables)), tuple(map(str, density.given)))
        joint = world.likelihood[point] * world.prior
        tables = {("p", ("z",), ()): world.prior, ("p", ("X",), ("z",)): world.likelihood[point],
                  ("p", ("X", "z"), ()): joint, ("p", ("z",), ("X",)): joint / joint.sum(),
                  ("q", ("z",), ("X",)): world.encoder[point]}
        if key == ("p", ("X",), ()):
            return float(joint.sum())
        if key not in tables:
            raise Unevaluable(f"the world has no density {density}")
        if z not in env:
            raise Unevaluable(f"{density} at no value of z")
        return tables[key][env[z]]

    def integral(self, expr: sp.Integral, env):
        if [limit[0] for limit in expr.limits] != [z] or tuple(expr.limits[0][1:]) not in ((), (-sp.oo, sp.oo)):
            raise Unevaluable(f"only ∫ dz over the discrete latent is evaluated here: {expr}")
        return sum(self.value(expr.function, {**env, z: m}) for m in range(len(self.world.prior)))

    def expectation(self, expr: SampleExpectation, env):
        n = self.integer(expr.samples, env)
        world, point = self.world, env.get("point", 0)
        latent = len(world.prior)
        if n < 1 and _uses_samples(expr.body):
            raise IllFormed(f"an expectation over {n} samples of an expression in their weights")
        if latent**n <= MAX_CONFIGURATIONS:
            grid = np.indices((latent,) * n).reshape(n, -1)
            probability = np.prod(world.encoder[point][grid], axis=0)
        elif math.comb(n + latent - 1, n) <= MAX_CONFIGURATIONS and self.exchangeable(expr.body, n, env):
            grid, probability = _sample_multisets(world.encoder[point], n)
        else:
            raise Unevaluable(f"{latent}^{n} configurations of the samples")
        weight = world.likelihood[point] * world.prior / world.encoder[point]
        inner = {**env, "samples": n, **{("weights", k + 1): weight[grid[k]] for k in range(n)}}
        return float(np.sum(probability * self.value(expr.body, inner)))


def _sample_multisets(encoder: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(grid, probability): every multiset of n latent values as a sorted configuration of the samples (one
    column of grid each), with the probability that n draws from q give that multiset in any order."""
    grid = np.array(list(itertools.combinations_with_replacement(range(len(encoder)), n))).T
    counts = np.stack([(grid == m).sum(axis=0) for m in range(len(encoder))])
    log_orders = math.lgamma(n + 1) - np.sum([[math.lgamma(c + 1) for c in row] for row in counts], axis=0)
    with np.errstate(divide="ignore"):
        log_probability = log_orders + np.sum(counts * np.log(encoder)[:, None], axis=0)
    return grid, np.exp(log_probability)


def _judge(relation: str, left: float, right: float):
    """(status, margin, scale): holds / violated / near (abstain) / tie."""
    if math.isinf(left) or math.isinf(right):  # the extended reals: −∞ ≤ a finite value, never above it
        if left == right:
            return "near", 0.0, math.inf
        gap = left - right
        margin = -math.inf if relation == "=" else (gap if relation in (">=", ">") else -gap)
        return ("holds" if margin > 0 else "violated"), margin, 1.0
    scale = 1 + abs(left) + abs(right)
    gap = left - right
    margin = -abs(gap) if relation == "=" else (gap if relation in (">=", ">") else -gap)
    if relation in ("<", ">") and abs(margin) <= HOLD_TOLERANCE * scale:
        return "tie", margin, scale
    if margin >= -HOLD_TOLERANCE * scale:
        return "holds", margin, scale
    if margin < -VIOLATION * scale:
        return "violated", margin, scale
    return "near", margin, scale


def check_numeric(lhs: sp.Expr, relation: str, rhs: sp.Expr, seed: int = 0, examples: int = 20):
    """The step on the boundary worlds and ``examples`` hypothesis-drawn worlds (a ``checker.NumericResult``);
    a refutation reports the violating world with the smallest sizes."""
    from mathcheck.checker import NumericResult

    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    spec = _spec([lhs, rhs])
    try:
        roots = _size_root_worlds(spec, lhs, rhs)
    except _SizesBeyond as beyond:
        return NumericResult("unsupported", detail={"reason": str(beyond)})
    worlds = roots + _boundary_worlds(spec) + _cached_worlds(spec, seed, examples)
    held, worst, skipped, violations, tie = 0, 0.0 if relation == "=" else math.inf, {}, [], ""
    for world in worlds:
        beyond = _component_beyond_sums([lhs, rhs], world.sizes)
        if beyond:  # x_2 where the sums run over x_1 … x_d and d = 1: the world has no meaning for the step
            skipped[beyond] = skipped.get(beyond, 0) + 1
            continue
        evaluator = _Evaluator(world)
        try:
            with np.errstate(all="ignore"):
                left, right = _side_value(evaluator, lhs), _side_value(evaluator, rhs)
            if isinstance(left, IllFormed) != isinstance(right, IllFormed):  # one side means nothing
                shown = [str(v) if isinstance(v, IllFormed) else v.real for v in (left, right)]
                violations.append((sum(world.sizes.values()), len(violations), world, *shown, -math.inf, 1.0))
                continue
            if isinstance(left, IllFormed):
                raise left
        except (Unevaluable, ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
            reason = str(error)[:120]
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        scale = 1 + abs(left) + abs(right)
        real_left, real_right = _real_part(left, scale), _real_part(right, scale)
        if relation == "=" and (real_left is None) != (real_right is None) and cmath_finite(left, right):
            violations.append((sum(world.sizes.values()), len(violations), world, left.real, right.real,
                               -math.inf, scale))  # one side a real number, the other none
            continue
        one_finite = math.isfinite(left.real) != math.isfinite(right.real)
        if relation == "=" and one_finite and None not in (real_left, real_right):
            violations.append((sum(world.sizes.values()), len(violations), world, left.real, right.real,
                               -math.inf, scale))  # one side a finite number, the other infinite
            continue
        if real_left is None or real_right is None:
            skipped["a side is not a real number"] = skipped.get("a side is not a real number", 0) + 1
            continue
        left, right = real_left, real_right
        if math.isnan(left) or math.isnan(right):
            skipped["a side is not a finite real number"] = skipped.get("a side is not a finite real number", 0) + 1
            continue
        status, margin, scale = _judge(relation, left, right)
        if status == "violated":
            violations.append((sum(world.sizes.values()), len(violations), world, left, right, margin, scale))
        elif status == "tie":
            tie = tie or f"the two sides agree (lhs = {left:.10g}, rhs = {right:.10g}) in world {world.describe()}"
        elif status == "near":
            skipped["within the margin between tolerance and violation"] = skipped.get(
                "within the margin between tolerance and violation", 0) + 1
        else:
            held += 1
            worst = max(worst, -margin) if relation == "=" else min(worst, margin)
    if violations:  # the smallest world among those that fail clearly (beyond CLEAR), else the widest failure
        from mathcheck.checker import CLEAR

        clear = [v for v in violations if v[5] <= -CLEAR * v[6]]
        return _refutation(min(clear, key=lambda v: v[:2]) if clear else min(violations, key=lambda v: v[5] / v[6]),
                           held)
    if tie:
        return NumericResult("unsupported", held, detail={"reason": tie + ": a strict inequality cannot be "
                                                          "confirmed numerically there"})
    if held == 0:
        reasons = "; ".join(f"{count} skipped: {reason}" for reason, count in skipped.items())
        return NumericResult("unsupported", detail={"reason": "no world could judge it: " + (reasons or "no worlds")})
    return NumericResult("holds", held, worst, tolerance=HOLD_TOLERANCE, methods={METHOD}, skipped=skipped)


def _component_beyond_sums(expressions, sizes: dict) -> str:
    """Why a world of these sizes has no meaning for the expressions: a component x_k at a whole number k beyond
    the size d of the sums over the components x_j (j = 1..d) of the same x; "" when none is."""
    lengths: dict = {}
    for expr in expressions:
        for node in sp.sympify(expr).atoms(sp.Sum, sp.Product):
            index, _, high = node.limits[0]
            if isinstance(high, sp.Symbol) and high in sizes:
                for component in node.function.atoms(sp.Indexed):
                    if component.indices == (index,):
                        lengths[component.base] = max(lengths.get(component.base, 0), sizes[high])
    for expr in expressions:
        for component in sp.sympify(expr).atoms(sp.Indexed):
            k = component.indices[0]
            if component.base in lengths and k.is_Integer and int(k) > lengths[component.base]:
                return f"the component {component} lies beyond the {lengths[component.base]} summed"
    return ""


def _side_value(evaluator: _Evaluator, expr: sp.Expr):
    """The side's value as a complex number, or the IllFormed error that says it has none (remembered in
    the world: the right side of one step is the left side of the next)."""
    known = evaluator.world.values
    if expr not in known:
        try:
            known[expr] = complex(evaluator.value(expr, {}))
        except IllFormed as error:
            known[expr] = error
    return known[expr]


def cmath_finite(*values: complex) -> bool:
    return all(math.isfinite(v.real) and math.isfinite(v.imag) for v in values)


_WORLDS: dict = {}


def _cached_worlds(spec: _Spec, seed: int, examples: int) -> list[SumWorld]:
    key = (spec, seed, examples)
    if key not in _WORLDS:
        _WORLDS[key] = _drawn_worlds(spec, seed, examples)
    return _WORLDS[key]


def _refutation(found, held: int):
    from mathcheck.checker import VIOLATED, Judgement, NumericResult, Outcome, Side
    from mathcheck.numeric import World

    _, _, world, left, right, margin, scale = found
    description = world.describe()
    judgement = Judgement(VIOLATED, margin, HOLD_TOLERANCE * scale, scale, method=METHOD)
    number = lambda value: value if isinstance(value, float) else math.nan  # an ill-formed side has no value
    outcome = Outcome(VIOLATED, judgement, Side(number(left)), Side(number(right)))
    values = {str(s): v for s, v in {**world.sizes, **world.scalars}.items()}
    counterexample = {"world": description, "values": values, "lhs": left, "rhs": right,
                      "tolerance": judgement.tolerance, "method": METHOD}
    return NumericResult("refuted", held, detail={"counterexample": counterexample},
                         witness=(outcome, World("sums", description)))
