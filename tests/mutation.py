"""Corruptions of a step's expression: what a careless derivation gets wrong."""
from __future__ import annotations

import sympy as sp

from mathcheck.vocab import KL, Density, Normal, integral, integral_variables


def flip_sign(expr: sp.Expr):
    if expr != 0:
        yield "flip the sign", -expr
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add):
            first = node.args[0]
            yield "flip the sign of a term", expr.xreplace({node: node - 2 * first})
            return


def drop_term(expr: sp.Expr):
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add):
            for term in node.args:
                yield f"drop the term {term}", expr.xreplace({node: node - term})
            return


def swap_kl(expr: sp.Expr):
    for node in expr.atoms(KL):
        yield "swap the KL arguments", expr.xreplace({node: KL(node.second, node.first)})


SWAPPABLE = {(("z",), ("X",)), (("x",), ())}  # signatures with both a model p and a variational q


def swap_p_and_q(expr: sp.Expr):
    densities = [d for d in expr.atoms(Density) if d.family in "pq" and
                 (tuple(map(str, d.variables)), tuple(map(str, d.given))) in SWAPPABLE]
    for density in densities:
        other = Density("q" if density.family == "p" else "p", density.variables, density.given)
        yield f"{other.family} for {density.family}", expr.xreplace({density: other})


def exchange_log_and_integral(expr: sp.Expr):
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.log) and isinstance(node.args[0], sp.Integral):
            inner = node.args[0]
            yield "∫ log for log ∫", expr.xreplace({node: integral(sp.log(inner.function), *integral_variables(inner))})
        elif isinstance(node, sp.Integral) and any(isinstance(f, sp.log) for f in sp.Mul.make_args(node.function)):
            weight = [f for f in sp.Mul.make_args(node.function) if not isinstance(f, sp.log)]
            logged = [f.args[0] for f in sp.Mul.make_args(node.function) if isinstance(f, sp.log)]
            moved = sp.log(integral(sp.Mul(*weight, *logged), *integral_variables(node)))
            yield "log ∫ for ∫ log", expr.xreplace({node: moved})


def sigma_for_sigma_squared(expr: sp.Expr):
    for power in expr.atoms(sp.Pow):
        if power.exp == 2 and isinstance(power.base, sp.Symbol) and power.base.is_positive:
            yield f"{power.base} for {power.base}**2", expr.xreplace({power: power.base})
    for normal in expr.atoms(Normal):
        if normal.std != 1:
            yield "variance for standard deviation", expr.xreplace(
                {normal: Normal(normal.variable, normal.mean, normal.std**2)})


OPERATORS = (flip_sign, drop_term, swap_kl, swap_p_and_q, exchange_log_and_integral, sigma_for_sigma_squared)


def mutants(expr: sp.Expr):
    """(description, mutant) pairs, each different from ``expr`` as written."""
    seen = {expr}
    for operator in OPERATORS:
        for description, mutant in operator(expr):
            if mutant not in seen:
                seen.add(mutant)
                yield description, mutant
