"""Exact decision of a difference lhs − rhs that depends on the sizes alone (d, K, N: integer symbols).

The numeric worlds draw only a few sizes, so a difference such as (d−1)(d−2)(d−3)(d−5) that vanishes on all of
them would pass there. A difference free of every vector, matrix, component, random or named quantity is instead
evaluated exactly at every size combination in ``TRIALS``: a nonzero value anywhere is a counterexample.
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

TRIALS = tuple(range(1, 13))  # a nonzero polynomial of degree < 12 in one size is nonzero at one of these
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
    return sorted(free, key=str)


_OPAQUE = ("Expectation", "SampleExpectation", "KL", "Density", "NameRef", "Defined", "BareDensity", "Normal",
           "AtPoint", "FactorizedExpectation", "MvNormal")


def _allowed(symbol: sp.Symbol, value: int) -> bool:
    return not (symbol.is_nonnegative is False or (symbol.is_positive and value < 1))


def size_counterexample(difference: sp.Expr) -> tuple[dict, sp.Expr] | None:
    """(sizes, value) where the size-only ``difference`` is nonzero, the smallest sizes first; None when it is
    zero at every combination tried (or depends on more than sizes)."""
    symbols = size_symbols(difference)
    if symbols is None:
        return None
    trials = TRIALS if len(symbols) == 1 else TRIALS[: max(2, int(MAX_COMBINATIONS ** (1 / len(symbols))))]
    combinations = sorted(itertools.product(trials, repeat=len(symbols)), key=lambda c: (sum(c), c))
    for values in combinations[:MAX_COMBINATIONS]:
        sizes = dict(zip(symbols, values))
        if not all(_allowed(s, v) for s, v in sizes.items()):
            continue
        try:
            value = sp.sympify(sp.sympify(difference).subs(sizes).doit())
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            continue
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols or not value.is_number:
            continue
        if _nonzero(value, difference, sizes):
            return sizes, value
    return None


def _nonzero(value: sp.Expr, difference: sp.Expr, sizes: dict) -> bool:
    if not value.has(sp.Float):
        return value.is_zero is False
    terms = sp.Add.make_args(sp.expand(sp.sympify(difference)))
    scale = 1 + sum(abs(complex(sp.N(t.subs(sizes)))) for t in terms)
    return abs(complex(sp.N(value))) > FLOAT_SLACK * scale


def describe(sizes: dict, value: sp.Expr) -> str:
    shown = ", ".join(f"{s} = {v}" for s, v in sizes.items())
    return f"at {shown} the exact difference lhs − rhs is {sp.sstr(value)} ≠ 0"
