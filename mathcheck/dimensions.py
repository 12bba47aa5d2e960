"""One symbol per name within a step: a size and the same letter written as a number are one quantity.

The readers make a size (the upper limit d of ``\\sum_{j=1}^{d}``, the n of an n×n matrix) the positive integer
``Symbol(name, integer=True, positive=True)`` and a free letter ``Symbol(name, real=True)``; sympy would take the
two for unrelated symbols (``\\sum_{j=1}^{d} 1 = d`` would compare the number of terms with an unrelated real d,
and a lambdified side would have two arguments named d). :func:`one_symbol_per_name` makes every free symbol
of a step named like one of its sizes that size, on both sides; :func:`duplicate_names` says which names
still stand for two symbols (the numeric worlds refuse such a step).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

_BINDERS = (sp.Sum, sp.Product, sp.Integral)


def size_symbols(expressions) -> dict[str, sp.Symbol]:
    """name -> the integer symbol a step uses as a size: in the shape of a vector or matrix, or in a limit of a
    sum or product (not the indices the step binds). Of two integer symbols with one name, the positive one."""
    found: dict[str, sp.Symbol] = {}
    bound = bound_symbols(expressions)
    for e in expressions:
        for node in sp.preorder_traversal(sp.sympify(e)):
            sizes: set = set()
            if isinstance(node, MatrixExpr):
                sizes = {s for size in node.shape for s in sp.sympify(size).free_symbols}
            elif isinstance(node, (sp.Sum, sp.Product)):
                sizes = {s for limit in node.limits for b in limit[1:] for s in sp.sympify(b).free_symbols} - bound
            for s in sizes:
                if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy) and s.is_integer:
                    if s.name not in found or (s.is_positive and not found[s.name].is_positive):
                        found[s.name] = s
    return found


def bound_symbols(expressions) -> set:
    """The variables the step binds: the indices of its sums and products, the variables of its integrals."""
    bound = set()
    for e in expressions:
        for node in sp.preorder_traversal(sp.sympify(e)):
            if isinstance(node, _BINDERS):
                bound |= {limit[0] for limit in node.limits}
    return bound


def one_symbol_per_name(*expressions: sp.Expr) -> tuple[sp.Expr, ...]:
    """The expressions with each symbol named like a size of the step (:func:`size_symbols`) replaced by that
    size: ``\\sum_{j=1}^{d} 1 = d`` reads d as the positive integer of the sum's limit on both sides. A bound
    variable (an index, an integration variable) keeps its own symbol."""
    expressions = tuple(sp.sympify(e) for e in expressions)
    sizes = size_symbols(expressions)
    if not sizes:
        return expressions
    bound = bound_symbols(expressions)
    replacements = {}
    for e in expressions:
        for s in e.atoms(sp.Symbol):
            size = sizes.get(s.name)
            if size is not None and s != size and s not in bound and not isinstance(s, sp.Dummy):
                replacements[s] = size
    if not replacements:
        return expressions
    return tuple(e.xreplace(replacements) for e in expressions)


def duplicate_names(symbols) -> list[str]:
    """The names that stand for more than one symbol among ``symbols`` (x real and x positive, say)."""
    seen: dict[str, set] = {}
    for s in symbols:
        seen.setdefault(str(s), set()).add(s)
    return sorted(name for name, group in seen.items() if len(group) > 1)


def two_symbols_one_name(*expressions: sp.Expr) -> str:
    """Why a step cannot be checked as it stands ("" when it can): two different free symbols with one name (a
    positive integer d and a real d), which no world can tell apart in a counterexample. The components'
    base (x of x_j) is not counted."""
    free, labels = set(), set()
    for e in expressions:
        e = sp.sympify(e)
        free |= {s for s in e.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy)}
        free |= set(size_symbols([e]).values())
        labels |= {i.base.label for i in e.atoms(sp.Indexed)}
    names = duplicate_names(free - labels)
    if not names:
        return ""
    shown = "; ".join(f"{name}: " + " and ".join(sorted(_assumptions(s) for s in free if str(s) == name))
                      for name in names)
    return (f"not checked: two different symbols with one name ({shown}): the step must use one symbol per name "
            "(please report this if mathcheck read the step)")


def _assumptions(symbol: sp.Symbol) -> str:
    sign = "positive " if symbol.is_positive else "nonnegative " if symbol.is_nonnegative else \
        "negative " if symbol.is_negative else ""
    kind = "integer" if symbol.is_integer else "real" if symbol.is_real else "complex" if not sign else ""
    return f"{sign}{kind}".strip() or "with no assumption"
