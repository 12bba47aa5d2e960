"""The infimum of a function of one real variable over its domain, decided exactly.

The domain is split at the points where the function is not smooth (the zeros of the arguments of |·|,
sign and Heaviside, the crossings of the arguments of max and min). On each open piece |·|, max, ... are
resolved to the branch they take there, and the piece's infimum is among its critical points (the zeros of
its derivative, which must be finitely many) and its limits at the ends. The split points themselves are
candidates. Candidates are compared exactly: by sympy's assumptions, else by an evaluation whose precision
sympy guarantees; never by rounding to a float.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cmp_to_key

import sympy as sp
from sympy.calculus.util import continuous_domain

SWITCHING = (sp.Abs, sp.sign, sp.Heaviside)  # not smooth where their argument is 0
CROSSING = (sp.Max, sp.Min)  # not smooth where two arguments cross
REFUSED = (sp.Piecewise, sp.floor, sp.ceiling, sp.frac, sp.Mod, sp.re, sp.im, sp.arg, sp.DiracDelta)
DIGITS = 50


class Undecidable(Exception):
    """The sign or the order of two candidates cannot be decided exactly."""


def exact_sign(expr: sp.Expr) -> int:
    """-1, 0 or 1, decided exactly; raises :class:`Undecidable` where it cannot be."""
    expr = sp.sympify(expr)
    if expr in (sp.oo, -sp.oo):
        return 1 if expr == sp.oo else -1
    if expr.is_zero:
        return 0
    if expr.is_extended_positive:
        return 1
    if expr.is_extended_negative:
        return -1
    if not expr.is_number:
        raise Undecidable(f"the sign of {expr} is unknown")
    try:
        value = expr.evalf(DIGITS, strict=True)
    except (sp.core.evalf.PrecisionExhausted, ValueError, TypeError) as error:
        raise Undecidable(f"the sign of {expr} cannot be computed exactly: {error}") from None
    if not (value.is_Number and value.is_real) or value == 0:
        raise Undecidable(f"the sign of {expr} cannot be computed exactly")
    return 1 if value > 0 else -1


def _compare(a: sp.Expr, b: sp.Expr) -> int:
    if a == b:
        return 0
    if sp.oo in (a, b) or -sp.oo in (a, b):
        order = {-sp.oo: -1, sp.oo: 1}
        return order.get(a, 0) - order.get(b, 0)
    return exact_sign(a - b)


@dataclass(frozen=True)
class Infimum:
    value: sp.Expr
    points: tuple  # where it is attained; empty: only approached


def infimum(expr: sp.Expr, symbol: sp.Symbol, domain: sp.Interval) -> Infimum | None:
    """The infimum of ``expr`` over ``domain``; None where this method does not apply; raises
    :class:`Undecidable` where the candidates cannot be ordered exactly."""
    if expr.has(*REFUSED):
        return None
    splits = _split_points(expr, symbol, domain)
    if splits is None:
        return None
    attained: list[tuple[sp.Expr, sp.Expr]] = []  # (value, point)
    approached: list[sp.Expr] = []
    for point in splits:
        value = sp.simplify(expr.subs(symbol, point))
        if not value.is_extended_real or not value.is_finite:
            return None
        attained.append((value, point))
    for piece in _pieces(domain, splits):
        found = _piece_candidates(expr, symbol, piece)
        if found is None:
            return None
        attained += found[0]
        approached += found[1]
    values = [value for value, _ in attained] + approached
    if not values:
        return None
    lowest = min(values, key=cmp_to_key(_compare))
    points = tuple(point for value, point in attained if _compare(value, lowest) == 0)
    return Infimum(lowest, points)


def _split_points(expr: sp.Expr, symbol: sp.Symbol, domain: sp.Interval) -> list | None:
    """The points of the open domain where ``expr`` may not be smooth, in increasing order."""
    found: set = set()
    for node in expr.atoms(*SWITCHING, *CROSSING):
        if not node.has(symbol):
            continue
        if isinstance(node, CROSSING):
            equations = [a - b for i, a in enumerate(node.args) for b in node.args[i + 1:]]
        else:
            equations = [node.args[0]]
        for equation in equations:
            zeros = sp.solveset(equation, symbol, sp.Interval.open(domain.inf, domain.sup))
            if not _finite(zeros):
                return None
            found |= set(zeros)
    return sorted(found, key=cmp_to_key(_compare))


def _zeros(expr: sp.Expr, symbol: sp.Symbol, interval: sp.Interval) -> list | None:
    """The zeros of ``expr`` in the open ``interval`` (where it is continuous), factor by factor: a
    polynomial factor by its exact real roots, any other by sympy's solveset; None if not finitely many."""
    numerator, _ = sp.fraction(sp.together(expr))
    zeros: list = []
    for factor in sp.Mul.make_args(numerator):
        base = factor.base if factor.is_Pow and factor.exp.is_positive else factor
        if not base.has(symbol) or base.is_positive or base.is_negative:
            continue
        if base.is_polynomial(symbol) and base.free_symbols == {symbol}:
            roots = sp.Poly(base, symbol).real_roots()
            zeros += [r for r in roots if _compare(r, interval.inf) > 0 and _compare(r, interval.sup) < 0]
            continue
        found = sp.solveset(base, symbol, interval)
        if not _finite(found):
            return None
        zeros += list(found)
    return zeros


def _finite(points: sp.Set) -> bool:
    return isinstance(points, sp.FiniteSet) or points is sp.S.EmptySet


def _pieces(domain: sp.Interval, splits: list) -> list[sp.Interval]:
    ends = [domain.inf, *splits, domain.sup]
    pieces = []
    for i, (low, high) in enumerate(zip(ends, ends[1:])):
        left_open = i > 0 or domain.left_open
        right_open = i < len(ends) - 2 or domain.right_open
        pieces.append(sp.Interval(low, high, left_open, right_open))
    return pieces


def _inside(piece: sp.Interval) -> sp.Expr:
    low, high = piece.inf, piece.sup
    if low == -sp.oo and high == sp.oo:
        return sp.S.Zero
    if low == -sp.oo:
        return high - 1
    if high == sp.oo:
        return low + 1
    return (low + high) / 2


def _branch(expr: sp.Expr, symbol: sp.Symbol, point: sp.Expr) -> sp.Expr:
    """``expr`` with |·|, sign, Heaviside, max and min replaced by the branch they take at ``point``
    (the same on the whole open piece around it, which no split point crosses)."""
    if not expr.args:
        return expr
    args = [_branch(arg, symbol, point) for arg in expr.args]
    if not isinstance(expr, SWITCHING + CROSSING) or not expr.has(symbol):
        return expr.func(*args)
    if isinstance(expr, CROSSING):
        ordered = sorted(args, key=cmp_to_key(lambda a, b: _compare(a.subs(symbol, point), b.subs(symbol, point))))
        return ordered[-1] if isinstance(expr, sp.Max) else ordered[0]
    sign = exact_sign(args[0].subs(symbol, point))
    if isinstance(expr, sp.Abs):
        return args[0] * sign
    if isinstance(expr, sp.sign):
        return sp.Integer(sign)
    return sp.Integer(1 if sign > 0 else 0)  # Heaviside


def _piece_candidates(expr: sp.Expr, symbol: sp.Symbol, piece: sp.Interval):
    """(attained (value, point) pairs, approached limits) of ``expr`` on one piece, or None."""
    smooth = _branch(expr, symbol, _inside(piece))
    interior = sp.Interval.open(piece.inf, piece.sup)
    derivative = sp.diff(smooth, symbol)
    if continuous_domain(smooth, symbol, interior) != interior or \
            continuous_domain(derivative, symbol, interior) != interior:
        return None
    if sp.simplify(derivative) == 0:  # constant on the piece
        critical = [_inside(piece)]
    else:
        critical = _zeros(derivative, symbol, interior)
    if critical is None:
        return None
    attained = [(sp.simplify(smooth.subs(symbol, point)), point) for point in critical]
    approached = []
    for end, direction, is_open in ((piece.inf, "+", piece.left_open), (piece.sup, "-", piece.right_open)):
        if not is_open:
            attained.append((sp.simplify(expr.subs(symbol, end)), end))
        else:
            approached.append(sp.limit(smooth, symbol, end, direction))
    if not all(value.is_extended_real for value, _ in attained) or \
            not all(value.is_extended_real for value in approached):
        return None
    return attained, approached
