"""Exact decision of a difference lhs − rhs that depends on the sizes alone (d, K, N: integer symbols).

The numeric worlds draw only a few sizes, so a difference such as (d−1)(d−2)(d−3)(d−5) that vanishes on all of
them would pass there. A difference free of every vector, matrix, component, random or named quantity is decided
here instead. A polynomial in the sizes (after sums over 1..d of polynomials are summed in closed form) is zero
iff all its coefficients are: a nonzero one is nonzero at a size found from its degrees; an inequality in one size
is decided from its real roots. Any other difference (2^d, d^d, a harmonic sum) is evaluated exactly at the sizes
``TRIALS``/``MORE_TRIALS``: a nonzero value is a counterexample, but zero there proves nothing beyond them.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

TRIALS = tuple(range(1, 13))  # the sizes tried first: the smallest counterexample is the one shown
MAX_COMBINATIONS = 2000
FLOAT_SLACK = 1e-10  # a float coefficient's rounding (0.1 + 0.2 − 0.3), relative to the terms' size


def size_symbols(difference: sp.Expr) -> list[sp.Symbol] | None:
    """The integer symbols of ``difference`` when it depends on nothing else (None otherwise, or when constant)."""
    difference = sp.sympify(difference)
    if not isinstance(difference, sp.Expr) or isinstance(difference, MatrixExpr):
        return None
    if any(isinstance(node, (MatrixExpr, sp.Indexed, sp.IndexedBase, sp.Integral, sp.Derivative,
                             sp.core.function.AppliedUndef)) or type(node).__name__ in _OPAQUE
           for node in sp.preorder_traversal(difference)):
        return None
    free = difference.free_symbols
    if not free or not all(isinstance(s, sp.Symbol) and s.is_integer and "(" not in s.name for s in free):
        return None
    if not all(s.is_positive for s in free):
        return None  # every size here runs from 1: a size that may be 0 (or negative) is left to the worlds
    return sorted(free, key=str)


_OPAQUE = ("Expectation", "SampleExpectation", "KL", "Density", "NameRef", "Defined", "BareDensity", "Normal",
           "AtPoint", "FactorizedExpectation", "MvNormal")


def _allowed(symbol: sp.Symbol, value: int) -> bool:
    return not (symbol.is_nonnegative is False or (symbol.is_positive and value < 1))


MORE_TRIALS = 40  # a difference that is no polynomial: sizes 1..40 in one size (fewer per size in several)


def size_counterexample(difference: sp.Expr) -> tuple[dict, sp.Expr] | None:
    """(sizes, value) where the size-only ``difference`` is nonzero, the smallest sizes first; None when it is
    zero (a polynomial), zero at every size tried (any other difference), or depends on more than sizes."""
    symbols = size_symbols(difference)
    if symbols is None:
        return None
    found = _scanned(difference, symbols, TRIALS[-1])
    if found is not None:
        return found
    polynomial = size_polynomial(difference, symbols)
    if polynomial is not None:
        return _polynomial_counterexample(polynomial, symbols)
    return _scanned(difference, symbols, MORE_TRIALS)


def _trial_sizes(symbols: list, largest: int) -> list[dict]:
    """The combinations of sizes 1..``largest`` (fewer per size in several sizes), smallest sum first."""
    trials = range(1, largest + 1)
    if len(symbols) > 1:
        trials = trials[: max(2, int(MAX_COMBINATIONS ** (1 / len(symbols))))]
    return [dict(zip(symbols, values))
            for values in sorted(itertools.product(trials, repeat=len(symbols)), key=lambda c: (sum(c), c))]


def _scanned(difference: sp.Expr, symbols: list, largest: int) -> tuple[dict, sp.Expr] | None:
    """The first combination of sizes 1..``largest`` (smallest sum first) where ``difference`` is nonzero."""
    for sizes in _trial_sizes(symbols, largest)[:MAX_COMBINATIONS]:
        value = value_at(difference, sizes)
        if value is not None and _nonzero(value, difference, sizes):
            return sizes, value
    return None


def value_at(difference: sp.Expr, sizes: dict) -> sp.Expr | None:
    """The exact value of ``difference`` at ``sizes`` (None where it has none there, or where a sum runs
    backwards: sympy's convention for Σ_{k=3}^{1} is not the empty sum a document means)."""
    if not all(_allowed(s, v) for s, v in sizes.items()):
        return None
    try:
        if _too_large(sp.sympify(difference), sizes):
            return None
        substituted = _ranges_settled(sp.sympify(difference).subs(sizes))
        if _runs_backwards(substituted):
            return None
        value = sp.sympify(substituted.doit())
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError):
        return None
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols or not value.is_number:
        return None
    return value


WRITTEN_BITS = 10**6  # an exact power with more bits is not written out (2^{2^N} at N = 40 has 2^40 of them)


def _too_large(expr: sp.Expr, sizes: dict) -> bool:
    """Whether a power of ``expr`` at ``sizes`` is an integer too large to write out: the powers innermost first,
    so that each exponent evaluated is known to be small."""
    import math
    for node in sp.postorder_traversal(expr):
        if not (isinstance(node, sp.Pow) and node.base.is_number and node.exp.free_symbols & set(sizes)):
            continue
        exponent = node.exp.subs(sizes)
        if exponent.is_number and abs(float(sp.N(exponent, 15))) * max(1.0, math.log2(max(2.0, abs(float(sp.N(node.base, 15)))))) \
                > WRITTEN_BITS:
            return True
    return False


def _runs_backwards(expr: sp.Expr) -> bool:
    """Whether a sum or product of ``expr`` may run backwards (a limit that is no number, or hi < lo − 1)."""
    for node in expr.atoms(sp.Sum, sp.Product):
        for _, lo, hi in node.limits:
            if not (hi - lo).is_number or hi - lo < -1:
                return True
    return False


WRITTEN_OUT = 60  # terms of a sum whose inner limits depend on its index, written out one by one


def _ranges_settled(expr: sp.Expr) -> sp.Expr:
    """``expr`` (sizes substituted) with each sum or product over an empty range (hi < lo) the empty one (0, 1),
    as a document means it, not sympy's Σ_{k=a}^{b} = −Σ_{k=b+1}^{a−1}; a sum whose inner limits depend on its
    index is written out term by term, so that each inner range is a number."""
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if not isinstance(expr, (sp.Sum, sp.Product)):
        return expr.func(*[_ranges_settled(a) if isinstance(a, sp.Basic) else a for a in expr.args])
    node = expr.function
    for limit in expr.limits:  # the first limit is the innermost
        node = _range_settled(expr.func, node, limit)
    return node


def _range_settled(kind, body: sp.Expr, limit: tuple) -> sp.Expr:
    index, lo, hi = limit
    lo, hi = _ranges_settled(lo), _ranges_settled(hi)
    if not (hi - lo).is_number:
        return kind(_ranges_settled(body), (index, lo, hi))
    if hi < lo:
        return sp.S.Zero if kind is sp.Sum else sp.S.One
    inner = [n for n in sp.sympify(body).atoms(sp.Sum, sp.Product)
             if any(index in sp.sympify(l[1]).free_symbols | sp.sympify(l[2]).free_symbols for l in n.limits)]
    if inner and hi - lo < WRITTEN_OUT:
        terms = [_ranges_settled(body.subs(index, lo + k)) for k in range(int(hi - lo) + 1)]
        return sp.Add(*terms) if kind is sp.Sum else sp.Mul(*terms)
    return kind(_ranges_settled(body), (index, lo, hi))


def size_polynomial(difference: sp.Expr, symbols: list | None = None) -> sp.Expr | None:
    """``difference`` as a polynomial in its sizes (sums over k = 1..d of polynomials in k written in closed
    form), or None when it is none."""
    symbols = size_symbols(difference) if symbols is None else symbols
    if not symbols or any(s.is_nonnegative is False for s in symbols):
        return None
    try:
        summed = sp.expand(_summed(sp.sympify(difference)))
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError):
        return None
    if summed.has(sp.Sum, sp.Product) or not summed.is_polynomial(*symbols):
        return None
    return summed


def _summed(expr: sp.Expr) -> sp.Expr:
    """Sums and products of ``expr`` in closed form where that form holds at every size (the innermost first)."""
    if not expr.args or not isinstance(expr, sp.Basic):
        return expr
    rebuilt = expr.func(*[_summed(a) if isinstance(a, sp.Expr) else a for a in expr.args]) \
        if not isinstance(expr, (sp.Sum, sp.Product)) else expr.func(_summed(expr.function), *expr.limits)
    if isinstance(rebuilt, (sp.Sum, sp.Product)) and all(_never_backwards(lo, hi) for _, lo, hi in rebuilt.limits):
        if isinstance(rebuilt, sp.Product) and not all((hi - lo).is_number for _, lo, hi in rebuilt.limits):
            return rebuilt  # Π_{k=1}^{d} k is d!, no polynomial
        done = rebuilt.doit()
        return rebuilt if done.has(sp.Sum, sp.Product) else done
    return rebuilt


def _never_backwards(lo: sp.Expr, hi: sp.Expr) -> bool:
    """Whether hi ≥ lo − 1 at every size (so sympy's closed form is the document's sum, the empty one
    included): hi − lo + 1 a polynomial in the sizes with nonnegative coefficients once each size s is 1 + t."""
    span = sp.expand(hi - lo + 1)
    symbols = [s for s in span.free_symbols]
    if not all(isinstance(s, sp.Symbol) and s.is_integer and s.is_nonnegative is not False for s in symbols):
        return False
    shifted = sp.expand(span.subs({s: s + 1 for s in symbols}))
    if not shifted.is_polynomial(*symbols):
        return False
    coefficients = sp.Poly(shifted, *symbols).coeffs() if symbols else [shifted]
    return all(c.is_number and c >= 0 for c in coefficients)


def _polynomial_counterexample(polynomial: sp.Expr, symbols: list) -> tuple[dict, sp.Expr] | None:
    """Sizes where the polynomial is nonzero, None when it is zero: sizes for the others where its leading
    coefficient in the first size is nonzero, then the first size among 1..degree + 1 (a nonzero polynomial
    of that degree has at most ``degree`` roots)."""
    if polynomial == 0:
        return None
    if not symbols:
        return ({}, polynomial) if _nonzero(polynomial, polynomial, {}) else None
    first, rest = symbols[0], symbols[1:]
    poly = sp.Poly(polynomial, first)
    found = _polynomial_counterexample(sp.expand(poly.LC()), rest)
    if found is None:
        return None
    fixed = found[0]
    for size in range(1, poly.degree() + 2):
        sizes = {**fixed, first: size}
        value = sp.expand(polynomial.subs(sizes))
        if _nonzero(value, polynomial, sizes):
            return {s: sizes[s] for s in sorted(sizes, key=str)}, value
    return None


def _nonzero(value: sp.Expr, difference: sp.Expr, sizes: dict) -> bool:
    if not value.has(sp.Float):
        return value.is_zero is False
    return abs(complex(sp.N(value))) > FLOAT_SLACK * _scale(difference, sizes)


def _scale(difference: sp.Expr, sizes: dict) -> float:
    terms = sp.Add.make_args(sp.expand(sp.sympify(difference)))
    return 1 + sum(abs(complex(sp.N(t.subs(sizes)))) for t in terms)


@dataclass(frozen=True)
class SizeVerdict:
    """How a size-only difference was decided: ``proved`` (exactly, at every size), ``refuted`` (at
    ``sizes``, where lhs − rhs is ``value``), ``undefined`` (no value at ``sizes``: a division by zero) or ``checked``
    (no failure at the sizes 1..``largest`` only)."""
    status: str
    reason: str
    sizes: dict = field(default_factory=dict)
    value: sp.Expr | None = None


def decide_sizes(difference: sp.Expr, relation: str) -> SizeVerdict | None:
    """The verdict on lhs − rhs = ``difference`` against 0 under ``relation`` where it depends on the sizes
    alone; None where it depends on more (or nothing)."""
    symbols = size_symbols(difference)
    if symbols is None:
        return None
    polynomial = size_polynomial(difference, symbols)
    if relation == "=":
        return _decided_equality(difference, polynomial, symbols)
    return _decided_inequality(difference, polynomial, symbols, relation)


def _decided_equality(difference: sp.Expr, polynomial: sp.Expr | None, symbols: list) -> SizeVerdict:
    found = size_counterexample(difference)
    if found is not None:
        return _refuted(*found)
    if polynomial is None:  # past the scan: where −(lhs − rhs)² < 0, as an inequality is searched (|N − 40| + N = 40)
        square = -sp.sympify(difference) ** 2
        found = _violated_far(square, symbols) or _violated_on_grid(square, symbols, False) or \
            _violated_near_stationary(square, symbols, False)
        if found is not None:
            return _refuted(found[0], value_at(difference, found[0]) or found[1])
        far = _violated_at_infinity(square, symbols[0]) if len(symbols) == 1 else None
        if far is not None:  # |N − 10⁷| + N = 10⁷: apart past 2^24
            return far
    names = ", ".join(map(str, symbols))
    if polynomial is not None and not polynomial.has(sp.Float):
        return SizeVerdict("proved", f"lhs − rhs is a polynomial in the sizes {names} with every coefficient 0")
    if polynomial is not None:
        return SizeVerdict("checked", f"lhs − rhs is a polynomial in the sizes {names} with float coefficients, "
                           "nonzero at no size beyond their rounding")
    return _checked(symbols, "lhs − rhs", MORE_TRIALS, "no polynomial in them")


def _decided_inequality(difference: sp.Expr, polynomial: sp.Expr | None, symbols: list,
                        relation: str) -> SizeVerdict:
    margin = difference if relation in (">=", ">") else -difference  # ≥ 0 (> 0) is the claim
    strict = relation in ("<", ">")
    if polynomial is not None and len(symbols) == 1 and not polynomial.has(sp.Float):
        return _decided_in_one_size(sp.expand(margin), symbols[0], strict)
    if polynomial is None and len(symbols) == 1:
        decided = _decided_ratio_in_one_size(margin, symbols[0], strict)
        if decided is not None:
            return decided
    largest, kind = (TRIALS[-1], "a polynomial") if polynomial is not None else (MORE_TRIALS, "no polynomial")
    found = _violated(margin, symbols, largest, strict) or _violated_far(margin, symbols) or \
        _violated_on_grid(margin, symbols, strict) or _violated_near_stationary(margin, symbols, strict)
    if found is not None:
        return _refuted(*found, inequality=True)
    undefined = _undefined_size(margin, symbols, largest)
    if undefined is not None:
        shown = _shown_sizes(undefined)
        return SizeVerdict("undefined", f"the margin has no real finite value at {shown} (a division by zero, a "
                           "logarithm of 0 or a root of a negative number), so the inequality does not hold there",
                           undefined)
    if polynomial is None and len(symbols) == 1:
        far = _violated_at_infinity(margin, symbols[0])
        if far is not None:
            return far
    if _signed_at_every_size(margin, symbols, strict):
        names = ", ".join(map(str, symbols))
        return SizeVerdict("proved", f"with each size of {names} written 1 + t (t ≥ 0 an integer) the margin is "
                           f"{'positive' if strict else 'nonnegative'} by sympy's sign rules")
    periodic = sp.sympify(margin).has(*PERIODIC)
    return _checked(symbols, "the margin", largest, f"{kind} in them", inequality=True, periodic=periodic)


def _decided_ratio_in_one_size(margin: sp.Expr, size: sp.Symbol, strict: bool) -> SizeVerdict | None:
    """margin = P/Q with P, Q polynomials in one size and Q nonzero at every size: its sign is that of P·Q,
    a polynomial decided by :func:`_decided_in_one_size`. None for any other margin."""
    try:
        ratio = sp.together(sp.expand(_summed(sp.sympify(margin))))
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError):
        return None
    numerator, denominator = sp.fraction(ratio)
    if ratio.has(sp.Float, sp.Sum, sp.Product) or not (numerator.is_polynomial(size)
                                                        and denominator.is_polynomial(size)):
        return None
    vanishing = _vanishing_size(sp.Poly(denominator, size))
    if vanishing is not None:
        return SizeVerdict("undefined", f"the margin divides by zero at {size} = {vanishing}, so the inequality "
                           f"does not hold there", {size: vanishing})
    decided = _decided_in_one_size(sp.expand(numerator * denominator), size, strict)
    if decided.status == "refuted":
        at = {size: decided.sizes[size]}
        return _refuted(at, sp.sympify(margin).subs(at), inequality=True)
    return SizeVerdict("proved", f"the margin is a ratio P/Q of polynomials in {size}, Q nonzero at every size, "
                       f"with P·Q of no failing size: its sign was evaluated exactly at {size} = 1 and next to each "
                       "real root of P·Q")


def _root_intervals(poly: sp.Poly) -> list[tuple]:
    """Intervals of width ≤ 1/2 around each real root of a polynomial in one size: sympy's exact isolation over
    the rationals; over other coefficients (N − π, N² − √2, where sympy has none) mpmath's roots at 50 digits,
    each real one (imaginary part below 10⁻²⁰ of its size) padded by 1/4."""
    try:
        return [interval for interval, _ in poly.intervals(eps=sp.Rational(1, 4))]
    except (sp.polys.polyerrors.DomainError, sp.polys.polyerrors.PolynomialError, NotImplementedError):
        pass
    import mpmath
    with mpmath.workdps(50):
        coefficients = [mpmath.mpf(sp.N(c, 50)) for c in poly.all_coeffs()]
        roots = mpmath.polyroots(coefficients, maxsteps=200, extraprec=100) if len(coefficients) > 1 else []
        return [(sp.Float(mpmath.re(r), 30) - sp.Rational(1, 4), sp.Float(mpmath.re(r), 30) + sp.Rational(1, 4))
                for r in (roots if isinstance(roots, list) else [roots])
                if abs(mpmath.im(r)) <= mpmath.mpf(10) ** -20 * (1 + abs(r))]


def _vanishing_size(poly: sp.Poly) -> int | None:
    """The smallest size where the polynomial is 0 (None if none; 1 for the zero polynomial)."""
    if poly.degree() <= 0:
        return 1 if poly.is_zero else None
    for low, high in _root_intervals(poly):
        for k in range(max(1, int(sp.floor(low))), int(sp.ceiling(high)) + 1):
            if poly.eval(k) == 0:
                return k
    return None


def _signed_at_every_size(margin: sp.Expr, symbols: list, strict: bool) -> bool:
    """Whether sympy's sign rules show margin ≥ 0 (> 0) once each size s is 1 + t, t a nonnegative integer."""
    if sp.sympify(margin).has(sp.Float):
        return False  # 0.1 + 0.2 − 0.3 is no positive number to the author
    shifts = {s: sp.Dummy(f"{s.name}_less_one", integer=True, nonnegative=True) + 1 for s in symbols}
    try:
        numerator, denominator = map(sp.expand, sp.fraction(sp.together(sp.sympify(margin).subs(shifts))))
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError):
        return False
    signed = numerator if denominator.is_positive else -numerator if denominator.is_negative else None
    return signed is not None and (signed.is_positive if strict else signed.is_nonnegative) is True


def _decided_in_one_size(margin: sp.Expr, size: sp.Symbol, strict: bool) -> SizeVerdict:
    """margin(size) ≥ 0 (> 0) at every size: the sign of a polynomial changes only at its real roots, so
    the sizes next to each root (and the smallest size) are all that need to be evaluated."""
    poly = sp.Poly(margin, size)
    lowest = 1
    candidates = {lowest}
    if poly.degree() > 0:
        for low, high in _root_intervals(poly):
            candidates |= set(range(int(sp.floor(low)) - 1, int(sp.ceiling(high)) + 2))
    for value in sorted(c for c in candidates if c >= lowest):
        at = poly.eval(value)
        if at < 0 or (strict and at == 0):
            return _refuted({size: value}, at, inequality=True)
    return SizeVerdict("proved", f"the margin is a polynomial in {size} with no failing size: its sign was "
                       f"evaluated exactly at {size} = 1 and next to each of its real roots")


def _violated(margin: sp.Expr, symbols: list, largest: int, strict: bool) -> tuple[dict, sp.Expr] | None:
    for sizes in _trial_sizes(symbols, largest):
        found = _failing(margin, sizes, strict)
        if found is not None:
            return found
    return None


def _failing(margin: sp.Expr, sizes: dict, strict: bool) -> tuple[dict, sp.Expr] | None:
    """(sizes, value) when the margin is negative there (or zero, for a strict inequality), beyond float rounding."""
    value = value_at(margin, sizes)
    if value is None or value.is_real is not True:
        return None
    if not value.has(sp.Float):  # exact: its sign from 60 correct digits (log(1 + e^{-22}) is 2.8·10⁻¹⁰, not 0)
        if value.is_zero:
            return (sizes, value) if strict else None
        shown = sp.N(value, 60)
        return (sizes, value) if shown.is_number and shown != 0 and shown < 0 else None
    slack = FLOAT_SLACK * _scale(margin, sizes)
    return (sizes, value) if value < -slack or (strict and abs(value) <= slack) else None


# past the scan, where 2^d, √d, log d outgrow a bound: the sizes 41..60 and each of these with its two neighbours,
# odd and even ((−1)^d d ≥ −41 fails at d = 43 only)
FAR_SIZES = tuple(range(MORE_TRIALS + 1, 61)) + tuple(
    size + step for size in (64, 100, 128, 256, 500, 1000, 10**4, 10**5, 10**6) for step in (-1, 0, 1))
CRITICAL_SECONDS = 1.0  # sympy's solve of the margin's stationary points
PERIODIC = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc)  # a margin with these is searched near their periods


def _convergent_numerators(value, largest: int) -> list[int]:
    """The numerators p of the continued-fraction convergents p/q of ``value`` up to ``largest``: the integers
    nearest a multiple of 1/value (|p − q·value| is least there; mpmath at 60 digits)."""
    import mpmath
    with mpmath.workdps(60):
        found, (p0, p1), (q0, q1), rest = [], (0, 1), (1, 0), mpmath.mpf(value)
        while p1 <= largest:
            term = int(mpmath.floor(rest))
            p0, p1, q0, q1 = p1, term * p1 + p0, q1, term * q1 + q0
            if 0 < p1 <= largest:
                found.append(p1)
            if rest == term:
                break
            rest = 1 / (rest - term)
        return found


def _near_periods(margin: sp.Expr, size: sp.Symbol) -> tuple[int, ...]:
    """The sizes where the margin's sines, cosines and tangents of a·N + b come nearest their zeros and poles: for
    a = 1 the integers nearest multiples of π/2, for another number a the convergents of π/(2a), π/a, 2π/a (tan 2N at N = 286602,
    sin(√2 N) at 2664739)."""
    found: set[int] = set()
    for node in margin.atoms(*PERIODIC):
        argument = sp.expand(node.args[0])
        slope = argument.coeff(size, 1)
        if not (slope.is_number and slope.is_real and slope != 0 and (argument - slope * size).is_number):
            continue
        found |= set(_near_multiples_of_pi() if slope == 1 else _near_multiples(sp.N(abs(slope), 60)))
    return tuple(sorted(found))


@functools.lru_cache(maxsize=32)
def _near_multiples(slope) -> tuple[int, ...]:
    """The integers N past the scan where slope·N is nearest a multiple of π/2, π or 2π, and their neighbours."""
    return tuple(sorted({n + step for value in (sp.pi / 2, sp.pi, 2 * sp.pi)
                         for n in _convergent_numerators(sp.N(value / slope, 60), 10**15)
                         for step in (-1, 0, 1) if n + step > MORE_TRIALS}))


def _near_multiples_of_pi() -> tuple[int, ...]:
    """The integers where sin N, cos N, tan N come nearest their zeros and extremes: those nearest multiples of π/2
    (the numerators of the convergents of π/2, π and 2π: sin 355 ≈ −3·10⁻⁵, 1 − cos 312689 ≈ 4·10⁻¹²), and next
    to them."""
    return _near_multiples(sp.Integer(1))


def _violated_far(margin: sp.Expr, symbols: list) -> tuple[dict, sp.Expr] | None:
    """A failing size among ``FAR_SIZES`` of a margin in one size with no sum or product, evaluated in
    ``FAR_DIGITS``-digit arithmetic (exact powers such as (1 − 1/N)^N at N = 10^6 have millions of digits); a value
    too close to 0 for those digits to settle its sign fails nowhere here."""
    if len(symbols) != 1 or sp.sympify(margin).has(sp.Sum, sp.Product):
        return None
    (size,) = symbols
    margin = sp.sympify(margin)
    evaluate = _far_evaluator(margin, size)
    arguments = [sp.lambdify(size, node.args[0], "mpmath") for node in margin.atoms(*PERIODIC) if node.args[0].has(size)]
    for far in FAR_SIZES + _near_periods(margin, size):
        if _argument_too_large(arguments, far):
            continue  # sin(2^N) at N = 10^6: its argument is known to far fewer digits than its size
        value = _far_value(evaluate, far)
        if value is not None and value < 0:  # (never 0: a value the digits cannot tell from 0 is None)
            return {size: far}, value
    return None


def _violated_near_stationary(margin: sp.Expr, symbols: list, strict: bool) -> tuple[dict, sp.Expr] | None:
    """A failing size next to a real stationary point of the margin (where its gradient in the sizes, taken as
    reals, vanishes): e^{(d − 101)²} ≥ 2 fails at d = 101, (N − 13)² + (d − 1)² ≥ 1 at N = 13, d = 1. sympy's
    solve within ``CRITICAL_SECONDS``; a margin with a sum or product, or whose stationary points it cannot
    list, fails nowhere here."""
    closed = _summed(sp.sympify(margin))
    if closed.has(sp.Sum, sp.Product) or sp.count_ops(closed) > 60:
        return None
    near = [{symbols[0]: k} for k in _near_roots(closed, symbols[0])] if len(symbols) == 1 else \
        _lowest_first(closed, symbols, _near_root_sizes(closed, symbols))  # next to its zeros (|d − 77| ≥ 1)
    for sizes in near:
        found = _failing(margin, {s: sizes[s] for s in sorted(sizes, key=str)}, strict)
        if found is not None:
            return found
    for sizes in _near_stationary_sizes(closed, symbols):
        found = _failing(margin, sizes, strict)
        if found is not None:
            return found
    return None


EXACTLY_CHECKED = 40  # the candidate sizes next to a zero curve checked exactly, those of lowest margin first


def _lowest_first(margin: sp.Expr, symbols: list, candidates: list[dict]) -> list[dict]:
    """The ``EXACTLY_CHECKED`` candidates where the margin is lowest in 30-digit mpmath (all, in order, where it
    does not evaluate there): an exact check of each of hundreds would take seconds."""
    if len(candidates) <= EXACTLY_CHECKED:
        return candidates
    import mpmath
    try:
        evaluate = sp.lambdify(symbols, margin, "mpmath")
        with mpmath.workdps(30):
            values = [mpmath.re(evaluate(*(sizes[s] for s in symbols))) for sizes in candidates]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError, AttributeError):
        return candidates
    order = sorted(range(len(candidates)), key=lambda i: values[i])
    return [candidates[i] for i in order[:EXACTLY_CHECKED]]


def _near_stationary_sizes(expr: sp.Expr, symbols: list, largest: int = 10**4):
    """The sizes next to each real stationary point of ``expr`` (its gradient in the sizes, taken as reals, zero;
    sympy's solve, its first 20 solutions, each coordinate below ``largest``): where a sum of squares vanishes."""
    for point in _solved([sp.diff(expr, s) for s in symbols], symbols)[:20]:
        if set(point) != set(symbols) or not all(v.is_number and v.is_real and abs(v) < largest for v in point.values()):
            continue
        near = [sorted({int(sp.floor(point[s])), int(sp.ceiling(point[s]))}) for s in symbols]
        for values in itertools.product(*near):
            if all(_allowed(s, v) for s, v in zip(symbols, values)):
                yield dict(zip(symbols, values))


GRID = {1: 10**6, 2: 100, 3: 20}  # the sizes 1..n per size where a margin is evaluated in floats first
# (one size to 10⁶: cos(N²) ≤ 1 − 10⁻⁸ fails at N = 36115, cos N + cos √2N ≥ −1.9999 at N = 75238)


def _grid_values(expr: sp.Expr, symbols: list):
    """(the size combinations of ``GRID``, the float values of ``expr`` there), or None where numpy cannot
    evaluate it (a sum, a function it lacks)."""
    import mpmath
    import numpy as np
    closed = _summed(sp.sympify(expr))
    if len(symbols) not in GRID or closed.has(sp.Sum, sp.Product):
        return None
    closed = sp.powsimp(closed, combine="exp")  # exp(6006)·exp(−155d)·exp(d²) overflows where exp((d − 77.5)²) does not
    axes = np.meshgrid(*[np.arange(1, GRID[len(symbols)] + 1, dtype=float)] * len(symbols), indexing="ij")
    try:
        with np.errstate(all="ignore"):
            values = np.array(np.broadcast_to(np.asarray(sp.lambdify(symbols, closed, "numpy")(*axes), dtype=complex),
                                              axes[0].shape)).ravel()
    except (TypeError, ValueError, NameError, AttributeError, ZeroDivisionError, OverflowError, KeyError):
        return None
    axes = [axis.ravel() for axis in axes]
    overflowed = np.flatnonzero(~np.isfinite(values))  # 2^2500 · 2^{N²} / 2^{100N}: where floats overflow, mpmath
    if overflowed.size:
        import time
        evaluate, began = sp.lambdify(symbols, closed, "mpmath"), time.monotonic()
        for index in overflowed[np.linspace(0, overflowed.size - 1, min(overflowed.size, 2000)).astype(int)]:
            if time.monotonic() - began > CRITICAL_SECONDS:
                break  # 2^{2^{2^N}}: each value a power too large to take quickly (those left stay not finite)
            with mpmath.workdps(30):
                try:
                    value = evaluate(*[mpmath.mpf(int(axis[index])) for axis in axes])
                    values[index] = complex(mpmath.mpf(1) if mpmath.isinf(value) and value > 0 else
                                            value / (1 + abs(value)) * 1e300 if abs(value) > 1e300 else value)
                except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError):
                    continue
    return axes, values


def _lowest(values, count: int):
    """The indices of the ``count`` lowest ``values``, lowest first (a partition: the grid holds 10⁶)."""
    import numpy as np
    if values.size <= count:
        return np.argsort(values)
    lowest = np.argpartition(values, count)[:count]
    return lowest[np.argsort(values[lowest])]


def _violated_on_grid(margin: sp.Expr, symbols: list, strict: bool) -> tuple[dict, sp.Expr] | None:
    """A failing size among the float evaluations of the margin on ``GRID`` (|d − 77| ≥ 1 at d = 77, sin(d)² ≥ 10⁻⁶
    at d = 355), each candidate confirmed exactly (or, past the scan in one size, in ``FAR_DIGITS`` digits)."""
    import numpy as np
    found = _grid_values(margin, symbols)
    if found is None:
        return None
    axes, values = found
    with np.errstate(all="ignore"):
        finite = np.isfinite(values) & (np.abs(values.imag) < 1e-9 * (1 + np.abs(values.real)))
        real = np.where(finite, values.real, np.inf)
        order = _lowest(np.where(finite, real / (1 + np.abs(real)), np.inf), 12)
    for index in order:
        if real[index] > 1e-6 * (1 + abs(real[index])):
            break
        sizes = {s: int(axis[index]) for s, axis in zip(symbols, axes)}
        if len(symbols) == 1 and sizes[symbols[0]] > 60:
            value = _far_value(_far_evaluator(_summed(sp.sympify(margin)), symbols[0]), sizes[symbols[0]])
            if value is not None and (value < 0 or strict and value == 0):
                return sizes, value
            continue
        failing = _failing(margin, sizes, strict)
        if failing is not None:
            return failing
    return None


def _argument_too_large(arguments: list, size: int) -> bool:
    """Whether a trigonometric argument at ``size`` is past 10^(FAR_DIGITS / 2): a 60-digit value of it leaves too
    few digits after the multiples of 2π are taken off (and writing it out takes long)."""
    import mpmath
    with mpmath.workdps(15):
        for argument in arguments:
            try:
                value = argument(mpmath.mpf(size))
            except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError):
                return True
            if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value) or \
                    abs(value) > mpmath.mpf(10) ** (FAR_DIGITS // 2):
                return True
    return False


def _far_evaluator(closed: sp.Expr, size: sp.Symbol):
    """(an mpmath function of the size, the smallest |value| whose sign it settles): a float coefficient written
    in the document (2.7) is known to its rounding only."""
    return sp.lambdify(size, closed, "mpmath"), FLOAT_SLACK if closed.has(sp.Float) else 0.0


def _far_value(evaluator, size: int) -> sp.Float | None:
    """The value at ``size`` where ``FAR_DIGITS`` digits settle its sign (never 0), None where it has no real
    finite value or the digits do not settle it."""
    import mpmath
    evaluate, slack = evaluator
    with mpmath.workdps(FAR_DIGITS):
        try:
            value = evaluate(mpmath.mpf(size))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError):
            return None  # (MemoryError: mpmath writes out an exponent such as 2^(2^41) as an integer, and cannot)
        if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
            return None
        tiny = max(mpmath.mpf(10) ** (-FAR_DIGITS // 2), mpmath.mpf(slack) * (1 + abs(value)))
        if abs(value) < tiny:
            return None
        return sp.Float(mpmath.nstr(value, 20), 20)


def _undefined_size(margin: sp.Expr, symbols: list, largest: int) -> dict | None:
    """The first sizes (1..``largest`` in one size, fewer in several) where the margin has no real finite value:
    ``1/(d − 2)`` at d = 2, ``log(N − 1)`` at N = 1, ``√(N − 2)`` at N = 1."""
    for sizes in _trial_sizes(symbols, largest):
        try:
            substituted = _ranges_settled(sp.sympify(margin).subs(sizes))
            if _runs_backwards(substituted):
                continue
            value = sp.sympify(substituted.doit())
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            return sizes
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or (not value.free_symbols and value.is_real is False):
            return sizes
    return None


def undefined_as_written(sides: tuple, symbols: list) -> tuple[dict, str] | None:
    """(sizes, what) for the first sizes where a side as written has no real value: a divisor that vanishes, a
    logarithm of a number ≤ 0, an even root of a negative one. Normal forms cancel (d² − 4)/(d − 2) to d + 2, so
    the sides are read before that (see :func:`undefined_conditions`)."""
    return undefined_conditions([(c, what) for c, what in written_conditions(*sides)
                                 if c.free_symbols and c.free_symbols <= set(symbols)])


def no_value_reason(sizes: dict, why: str) -> str:
    """The reason a step that :func:`undefined_as_written` (or :func:`undefined_conditions`) caught gives."""
    if not sizes:  # (see _sign_change)
        return f"as written, a side may have no value at some size ({why}), so the step is not shown at every size"
    return f"as written, a side has no value at {_shown_sizes(sizes)} ({why}), so the step does not hold at every size"


def written_conditions(*sides) -> list[tuple[sp.Expr, str]]:
    """(g, what g must be) for each divisor, logarithm's argument and even root's radicand of the sides."""
    found = []
    for side in sides:
        found += [c for c in _conditions(sp.sympify(side)) if c not in found]
    return found


def undefined_conditions(conditions: list) -> tuple[dict, str] | None:
    """The first sizes where a condition (g, what) in the sizes alone fails: a polynomial in one size at the
    integers next to each of its real roots (any size); any other at the sizes 1..``MORE_TRIALS``, next to the
    roots sympy's solve finds and where its float values on ``GRID`` come near failing (each confirmed exactly)."""
    for condition, what in conditions:
        condition = sp.sympify(condition)
        symbols = sorted(condition.free_symbols, key=str)
        if not symbols and condition.is_number and condition.is_real and _fails(condition, what):
            return {}, f"{what.split(':')[0]} is {sp.sstr(condition)} at every size"  # csc(πN): sin(πN) = 0
        if not symbols or not all(isinstance(s, sp.Symbol) and s.is_integer and s.is_nonnegative for s in symbols):
            continue
        zero = {s: 0 for s in symbols if not s.is_positive}  # a count the text lets be 0 (K/K at K = 0)
        for sizes in itertools.chain([{**dict.fromkeys(symbols, 1), **zero}] if zero else [],
                                     _condition_sizes(condition, symbols)):
            value = value_at(condition, sizes)
            if value is not None and value.is_real and _fails(value, what):
                return sizes, f"{what.split(':')[0]} {sp.sstr(condition)} is {sp.sstr(value)} there"
        if what.endswith("≠ 0") and len(symbols) > 1 and condition.is_polynomial(*symbols):
            change = _sign_change(condition, symbols)
            if change is not None:  # N² − 13d² − 1: zero at N = 649, d = 180, off every point looked at
                return {}, (f"{what.split(':')[0]} {sp.sstr(condition)} changes sign between {_shown_sizes(change[0])} and "
                            f"{_shown_sizes(change[1])}, so it vanishes on a curve through the sizes, and whether at a "
                            f"size is not decided")
    return None


def _shown_sizes(sizes: dict) -> str:
    return ", ".join(f"{s} = {v}" for s, v in sizes.items())


def _sign_change(condition: sp.Expr, symbols: list) -> tuple[dict, dict] | None:
    """Two neighbouring sizes of ``GRID`` where a polynomial in several sizes takes opposite signs (its float
    values, confirmed exactly), or None."""
    import numpy as np
    found = _grid_values(condition, symbols)
    if found is None:
        return None
    axes, values = found
    shape = (GRID[len(symbols)],) * len(symbols)
    signs = np.sign(np.where(np.isfinite(values), values.real, 0.0)).reshape(shape)
    for axis in range(len(symbols)):
        ahead = np.take(signs, range(1, shape[axis]), axis=axis) * np.take(signs, range(shape[axis] - 1), axis=axis)
        for index in np.argwhere(ahead < 0)[:4]:
            first = {s: int(i) + 1 for s, i in zip(symbols, index)}
            second = {**first, symbols[axis]: first[symbols[axis]] + 1}
            low, high = value_at(condition, first), value_at(condition, second)
            if low is not None and high is not None and (low * high).is_negative:
                return first, second
    return None


def _conditions(expr: sp.Expr):
    """(g, kind) for each g of ``expr`` that must be nonzero (a divisor), positive (a logarithm's argument, a
    base with a negative fractional power) or nonnegative (an even root's radicand)."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_number and node.exp.is_negative:
            fractional = node.exp.is_Rational and not node.exp.is_integer
            yield node.base, "the base of a negative fractional power: > 0" if fractional else DIVISOR
        elif isinstance(node, sp.Pow) and node.exp.is_Rational and not node.exp.is_integer and node.exp.q % 2 == 0:
            yield node.base, "the radicand of an even root: ≥ 0"
        elif isinstance(node, sp.log):
            yield node.args[0], LOG_ARGUMENT
        elif isinstance(node, sp.gamma):
            yield node.args[0], GAMMA_ARGUMENT


GAMMA_ARGUMENT = "the argument of Γ: not 0, −1, −2, …"  # Γ's poles (audit/latex.py records them as written)
DIVISOR = "the divisor: ≠ 0"  # what a divisor must be (audit/latex.py records divisors as written too)
LOG_ARGUMENT = "the argument of a logarithm: > 0"


def _fails(value: sp.Expr, what: str) -> bool:
    if what == GAMMA_ARGUMENT:
        return bool(value.is_integer and value <= 0)
    if what.endswith("≠ 0"):
        return value == 0
    return value <= 0 if what.endswith("> 0") else value < 0


def _condition_sizes(condition: sp.Expr, symbols: list):
    """The sizes where a condition is evaluated: next to each real root of a polynomial in one size; else the
    sizes 1..``MORE_TRIALS`` and, in one size, those next to the real roots sympy's solve finds (2^d − 2^77 at
    d = 77, sin(πd/77)² at d = 77)."""
    used = sorted(condition.free_symbols, key=str)
    if len(used) == 1 and condition.is_polynomial(used[0]):
        poly = sp.Poly(condition, used[0])
        near = {1}
        if poly.degree() > 0:
            for low, high in _root_intervals(poly):
                near |= set(range(int(sp.floor(low)) - 1, int(sp.ceiling(high)) + 2))
        yield from ({used[0]: k} for k in sorted(near) if _allowed(used[0], k))
        return
    if len(used) > 1 and condition.is_polynomial(*used):
        yield from _near_root_sizes(condition, used)  # (N − d − 50)² at N = d + 50
        yield from _near_stationary_sizes(condition, used, 10**6)  # (N − 2d)² + (d − 300)² at N = 600, d = 300
    yield from _trial_sizes(used, MORE_TRIALS)
    if len(used) == 1:
        yield from ({used[0]: k} for k in _near_roots(condition, used[0]) if k > MORE_TRIALS)
    found = _grid_values(condition, used)
    if found is not None:  # tan(πd/77) at d = 77, (N − d − 50)² at N = d + 50: near 0 in floats, then exactly
        import numpy as np
        axes, values = found
        with np.errstate(all="ignore"):
            order = _lowest(np.where(np.isfinite(values), values.real, np.inf), 8)
            close = _lowest(np.where(np.isfinite(values), np.abs(values), np.inf), 8)
        for index in [*close, *order]:
            yield {s: int(axis[index]) for s, axis in zip(used, axes)}


def _near_roots(expr: sp.Expr, size: sp.Symbol) -> list[int]:
    """The integers next to each real root of ``expr`` in one size (see :func:`_near_root_sizes`), in order."""
    return sorted({sizes[size] for sizes in _near_root_sizes(expr, [size], solutions=40)})


def _near_root_sizes(expr: sp.Expr, symbols: list, solutions: int = 8) -> list[dict]:
    """Sizes next to the real zeros of ``expr`` (where a continuous expression changes sign, or vanishes): each
    size solved for in terms of the others (sympy's solve within ``CRITICAL_SECONDS``, its first ``solutions``),
    the others set to 1..3 (N − 3d − 400 = 0 at d = 1, N = 403); [] when solve lists none."""
    found: list[dict] = []
    largest = 10**15 if sp.sympify(expr).is_polynomial(*symbols) else 10**6  # a polynomial is cheap anywhere
    for size in symbols:
        others = [s for s in symbols if s is not size]
        for solution in _solved([expr], [size])[:solutions]:
            value = solution.get(size)
            if value is None:
                continue
            for fixed in _other_sizes(sp.sympify(value), others):
                at = sp.N(sp.sympify(value).subs(fixed), 30)
                if not (at.is_number and at.is_real and at.is_finite) or abs(at) > largest:
                    continue
                for k in range(int(at) - 2, int(at) + 3):
                    if _allowed(size, k) and {**fixed, size: k} not in found:
                        found.append({**fixed, size: k})
    return found


def _other_sizes(root: sp.Expr, others: list):
    """The other sizes tried in a root N = r(d, ...): each 1..3; and where r = a·d + b in one other size with a
    irrational, d at the denominators of a's convergents, where a·d comes nearest an integer
    ((N − √2 d)² ≥ 10⁻⁶ fails at the Pell point N = 577, d = 408)."""
    yield from (dict(zip(others, small)) for small in itertools.product(range(1, 4), repeat=len(others)))
    if len(others) != 1:
        return
    (other,) = others
    yield from ({other: int(d)} for d in _nearest_integer_roots(root, other))
    if not root.is_polynomial(other) or sp.degree(root, other) != 1:
        return
    slope = root.coeff(other, 1)
    if slope.is_number and slope.is_real and slope != 0 and not slope.is_rational:
        for q in _convergent_numerators(sp.N(1 / abs(slope), 60), 10**12):
            if q > 3:
                yield {other: q}


ROOT_SCAN = 10**6  # the other size's values 1..n where a root N = r(d) is evaluated in floats


def _nearest_integer_roots(root: sp.Expr, other: sp.Symbol, kept: int = 12) -> list[int]:
    """The values d in 1..``ROOT_SCAN`` where r(d) comes nearest an integer ((3N − √5 d − 1)² ≥ 10⁻¹² fails where
    (√5 d + 1)/3 is within 3·10⁻⁷ of one), in floats; [] where r does not evaluate in numpy."""
    import numpy as np
    try:
        with np.errstate(all="ignore"):
            values = np.asarray(sp.lambdify(other, root, "numpy")(np.arange(1, ROOT_SCAN + 1, dtype=float)))
            if np.iscomplexobj(values):  # a root real at some sizes only: the others are no candidates
                values = np.where(np.abs(values.imag) <= 1e-12 * (1 + np.abs(values.real)), values.real, np.nan)
            values = values.astype(float)
    except (TypeError, ValueError, NameError, AttributeError, ZeroDivisionError, OverflowError):
        return []
    if values.shape != (ROOT_SCAN,):
        return []
    distance = np.where(np.isfinite(values) & (np.abs(values) < 2**52), np.abs(values - np.round(values)), np.inf)
    return [int(i) + 1 for i in _lowest(distance, kept) if np.isfinite(distance[i])]


def _solved(equations: list, symbols: list) -> list[dict]:
    """sympy's solutions of ``equations`` in ``symbols`` (taken as reals), within ``CRITICAL_SECONDS``."""
    from mathcheck.deadline import SymbolicTimeout, time_limit
    reals = {s: sp.Symbol(s.name, real=True) for s in symbols}
    try:
        with time_limit(CRITICAL_SECONDS):
            found = sp.solve([sp.sympify(e).xreplace(reals) for e in equations], list(reals.values()), dict=True)
    except (SymbolicTimeout, NotImplementedError, ValueError, TypeError, ArithmeticError, RecursionError,
            AttributeError, sp.PolynomialError):
        return []
    back = {r: s for s, r in reals.items()}
    return [{back[k]: v for k, v in solution.items() if k in back} for solution in found]


FAR_EXPONENTS = range(6, 81)  # sizes 2^6 .. 2^80, where a margin that tends below 0 is evaluated
FAR_DIGITS = 60


def _violated_at_infinity(margin: sp.Expr, size: sp.Symbol) -> SizeVerdict | None:
    """A margin in one size (its sums in closed form) whose limit as the size grows is negative fails at some
    large size: the first power of two where its value, in ``FAR_DIGITS``-digit arithmetic, is clearly negative
    (Σ_{k≤d} 1/k ≤ 10 fails from d = 12367; (1 + 1/d)^d ≤ 2.7 from d = 74). None where the limit is not negative."""
    closed = _summed(sp.sympify(margin))
    if closed.has(sp.Sum, sp.Product):
        return _violated_written_out(closed, size)
    if sp.count_ops(closed) > 80:
        return None
    try:
        limit = sp.limit(closed, size, sp.oo)
    except (NotImplementedError, ValueError, TypeError, ArithmeticError, RecursionError):
        return None
    if not (limit.is_extended_real and limit.is_extended_negative):
        return None
    evaluate = _far_evaluator(closed, size)
    for exponent in FAR_EXPONENTS:
        value = _far_value(evaluate, 2 ** exponent)
        if value is not None and value < 0:
            return SizeVerdict("refuted", f"as {size} grows the margin tends to {sp.sstr(limit)} < 0; at "
                               f"{size} = 2^{exponent} it is {sp.sstr(sp.Float(value, 8))} ({FAR_DIGITS}-digit "
                               "arithmetic), where it must be nonnegative", {size: 2 ** exponent}, value)
    return SizeVerdict("undefined", f"as {size} grows the margin tends to {sp.sstr(limit)} < 0, so the inequality "
                       f"fails at large sizes (none found up to 2^{FAR_EXPONENTS[-1]})")


PARTIAL_EXPONENTS = range(6, 15)  # sizes 2^6 .. 2^14, where sums sympy cannot close are written out
PARTIAL_DIGITS = 30


def _violated_written_out(closed: sp.Expr, size: sp.Symbol) -> SizeVerdict | None:
    """A margin with sums Σ_{k=a}^{size} f(k) (products Π) sympy cannot close, f free of the size: the sums
    written out term by term in ``PARTIAL_DIGITS``-digit mpmath, their running values taken at the powers of two
    up to 2^14; the first clearly negative margin refutes (Σ 1/(k² + 1) ≤ 1.07 at N = 2^8). No series
    acceleration: a tail estimate can be wrong for a slowly converging sum, a written-out sum cannot."""
    import mpmath
    nodes = sorted(closed.atoms(sp.Sum, sp.Product), key=sp.default_sort_key)
    if not nodes or any(len(n.limits) != 1 or n.limits[0][2] != size or not n.limits[0][1].is_integer or
                        not n.limits[0][1].is_number or size in n.function.free_symbols for n in nodes):
        return None
    placeholders = [sp.Dummy(f"part{i}") for i in range(len(nodes))]
    rest = sp.lambdify([size, *placeholders], closed.xreplace(dict(zip(nodes, placeholders))), "mpmath")
    terms = [(isinstance(n, sp.Product), sp.lambdify(n.limits[0][0], n.function, "mpmath"), int(n.limits[0][1]))
             for n in nodes]
    with mpmath.workdps(PARTIAL_DIGITS):
        try:
            parts = [mpmath.mpf(1) if product else mpmath.mpf(0) for product, _, _ in terms]
            done = [low - 1 for _, _, low in terms]
            for exponent in PARTIAL_EXPONENTS:
                n = 2 ** exponent
                for i, (product, f, _) in enumerate(terms):
                    for k in range(done[i] + 1, n + 1):
                        parts[i] = parts[i] * f(mpmath.mpf(k)) if product else parts[i] + f(mpmath.mpf(k))
                    done[i] = n
                value = rest(mpmath.mpf(n), *parts)
                if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) and \
                        value < -mpmath.mpf(10) ** -12 * (1 + abs(value)):
                    shown = sp.Float(mpmath.nstr(value, 12), 12)
                    return SizeVerdict("refuted", f"at {size} = 2^{exponent} the margin is {sp.sstr(sp.Float(shown, 8))} "
                                       f"(its sums written out term by term, {PARTIAL_DIGITS}-digit arithmetic), where "
                                       "it must be nonnegative", {size: n}, shown)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError):
            return None
    return None


def _refuted(sizes: dict, value: sp.Expr, inequality: bool = False) -> SizeVerdict:
    if not inequality:
        return SizeVerdict("refuted", describe(sizes, value), sizes, value)
    shown = _shown_sizes(sizes)
    written = sp.sstr(value)
    exact = "exact " if not value.has(sp.Float) else ""
    if len(written) > 60:
        written = f"{sp.sstr(sp.N(value, 8))} (to 8 digits)"
    elif not value.is_Rational and not value.has(sp.Float):
        written += f" = {sp.sstr(sp.N(value, 8))} (to 8 digits)"
    return SizeVerdict("refuted", f"at {shown} the {exact}margin of the inequality is {written}, where it "
                       "must be " + ("positive" if value == 0 else "nonnegative"), sizes, value)


def _checked(symbols: list, what: str, largest: int, kind: str, inequality: bool = False,
             periodic: bool = False) -> SizeVerdict:
    names = ", ".join(map(str, symbols))
    searched = ""
    if inequality and len(symbols) in GRID:
        far = f", at some sizes up to {FAR_SIZES[-1]} in {FAR_DIGITS}-digit arithmetic" if len(symbols) == 1 else ""
        if far and periodic:
            far += f" (and at the integers nearest multiples of π/2 up to {_near_multiples_of_pi()[-1]})"
        searched = (f"; searched in floats at the sizes 1..{GRID[len(symbols)]} per size (low values confirmed exactly)"
                    f"{far} and next to the stationary points and roots sympy finds")
    return SizeVerdict("checked", f"{what} depends on the sizes {names} alone ({kind}): evaluated exactly at "
                       f"the sizes 1..{largest}{searched}, where it does not fail; other sizes can")


def describe(sizes: dict, value: sp.Expr) -> str:
    return f"at {_shown_sizes(sizes)} the exact difference lhs − rhs is {sp.sstr(value)} ≠ 0"
