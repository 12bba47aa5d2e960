"""Indexed families written with a lowercase letter: ``w_k := \\frac{p(x, z_k)}{q(z_k \\mid x)}`` (the importance
weights of IWAE), ``g_a := a^2``. The reader reads ``w_k`` as one variable named ``w_k``; when its body uses the
index (as a number ``a``, or as the subscript of other names, ``z_k``), the definition is a family and ``w_1``,
``g_2`` are its instances: the body with the index put in (``p(x, z_1)/q(z_1|x)``, ``2^2``), never fresh numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

_FAMILY_NAME = re.compile(r"(?P<base>[A-Za-z]+)_(?P<index>[A-Za-z])")  # w_k, g_a, omega_k (names as read)


@dataclass
class IndexedFamily:
    symbol: sp.Symbol  # w_k as read
    base: str  # w
    index: str  # k
    body: sp.Expr
    line: int
    formula: object  # the document.Formula of the definition

    def instance_index(self, name: str) -> int | None:
        """n when ``name`` is the family's letter with the number n for its index (w_1, w_12)."""
        found = re.fullmatch(rf"{re.escape(self.base)}_(\d+)", name)
        return int(found.group(1)) if found else None

    def instance_subscript(self, name: str) -> str | None:
        """The subscript written when ``name`` is the family's letter with a subscript other than its own index and
        other than a number: ``w_j``, ``w_{k+1}``, ``w_{2k}`` (read as the names w_j, w_k+1, w_2k)."""
        found = re.fullmatch(rf"{re.escape(self.base)}_(.+)", name)
        if found is None or found.group(1) == self.index or found.group(1).isdigit():
            return None
        return found.group(1)

    def renamed(self, subscript: str, value: sp.Expr, taken: dict[str, sp.Symbol]) -> dict:
        """The symbols of the body to replace for the instance with ``subscript`` (read as ``value``): the index by
        the value, every name subscripted by the index (z_k) by the same name with that subscript (z_k+1)."""
        mapping = {}
        for symbol in self.body.free_symbols:
            if not isinstance(symbol, sp.Symbol):
                continue
            if symbol.name == self.index:
                mapping[symbol] = value
            elif self._subscripted(symbol):
                name = f"{symbol.name[:-len(self.index)]}{subscript}"
                mapping[symbol] = taken.get(name, sp.Symbol(name, **symbol.assumptions0))
        return mapping

    def summed(self, index: sp.Expr) -> dict | None:
        """The symbols of the body to replace for the term w[j] of a sum over j (``\\sum_j w_j``): the index by j,
        a name subscripted by the index (a_k) by the sum's term a[j]; None for a body with densities (a density
        of z_k under a sum is not read) or other indexed terms."""
        from mathcheck.vocab import Density
        if self.body.atoms(Density) or self.body.atoms(sp.Indexed):
            return None
        mapping = {}
        for symbol in self.body.free_symbols:
            if isinstance(symbol, sp.Symbol) and symbol.name == self.index:
                mapping[symbol] = index
            elif isinstance(symbol, sp.Symbol) and self._subscripted(symbol):
                mapping[symbol] = sp.IndexedBase(sp.Symbol(symbol.name[:-len(self.index) - 1], real=True))[index]
        return mapping

    def _subscripted(self, symbol: sp.Symbol) -> bool:
        return symbol.name.endswith(f"_{self.index}") and len(symbol.name) > len(self.index) + 1

    def mapping(self, value: int, taken: dict[str, sp.Symbol]) -> dict:
        """The symbols of the body to replace for the instance ``value`` of the index: the index itself (a) by
        the number, and every name subscripted by it (z_k) by the same name subscripted by the number (z_1),
        the symbol the step itself writes when it writes one (``taken``: name -> symbol)."""
        mapping = {}
        for symbol in self.body.free_symbols:
            if not isinstance(symbol, sp.Symbol):
                continue
            if symbol.name == self.index:
                mapping[symbol] = sp.Integer(value)
            elif symbol.name.endswith(f"_{self.index}") and len(symbol.name) > len(self.index) + 1:
                name = f"{symbol.name[:-len(self.index)]}{value}"
                mapping[symbol] = taken.get(name, sp.Symbol(name, **symbol.assumptions0))
        return mapping


def family_of(symbol: sp.Expr, body: sp.Expr) -> tuple[str, str] | None:
    """(base, index) when ``symbol := body`` defines a family: a name ``base_index`` with a one-letter index that
    the body uses as a number or as the subscript of other names, and not as its own name."""
    if not isinstance(symbol, sp.Symbol):
        return None
    found = _FAMILY_NAME.fullmatch(symbol.name)
    if found is None or symbol in body.free_symbols:
        return None
    index = found.group("index")
    names = {s.name for s in body.free_symbols if isinstance(s, sp.Symbol)}
    if index in names or any(name.endswith(f"_{index}") and name != f"_{index}" for name in names):
        return found.group("base"), index
    return None


def symbols_by_name(expr: sp.Expr) -> dict[str, sp.Symbol]:
    return {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
