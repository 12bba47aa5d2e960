"""Calc chains, as in Lean's ``calc``: a start expression, then ``relation, expression, justification``.

Relations compose: ``=`` keeps the other relation, ``>=`` then ``>`` gives ``>``, and ``<=`` mixed with
``>=`` is an error. The chain's conclusion is ``start <relation> last expression``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import sympy as sp

from mathcheck.vocab import to_latex, to_text

RELATIONS = ("=", "<=", ">=", "<", ">")
_DIRECTION = {"=": 0, "<=": -1, "<": -1, ">=": 1, ">": 1}
_LATEX = {"=": "=", "<=": "\\leq", ">=": "\\geq", "<": "<", ">": ">"}
_TEXT = {"=": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}


class ChainError(ValueError):
    """A malformed chain (unknown relation, mixed directions)."""


def compose(first: str, second: str) -> str:
    for relation in (first, second):
        if relation not in RELATIONS:
            raise ChainError(f"unknown relation {relation!r}; expected one of {', '.join(RELATIONS)}")
    if first == "=":
        return second
    if second == "=":
        return first
    if _DIRECTION[first] != _DIRECTION[second]:
        raise ChainError(f"cannot compose {first!r} with {second!r}: the inequalities point in opposite directions")
    strict = first in ("<", ">") or second in ("<", ">")
    return (">" if strict else ">=") if _DIRECTION[first] > 0 else ("<" if strict else "<=")


@dataclass(frozen=True)
class Step:
    relation: str
    expr: sp.Expr
    why: str = ""
    rules: tuple[str, ...] | None = None  # None: every rule the symbolic checker knows


@dataclass
class Chain:
    name: str
    title: str
    source: str
    start: sp.Expr
    steps: list[Step] = field(default_factory=list)
    hypotheses: tuple[str, ...] = ()  # stated assumptions, e.g. "f is concave"
    model: tuple[tuple[sp.Expr, sp.Expr], ...] = ()  # equations that define the model, e.g. the decoder

    def __post_init__(self) -> None:
        self.conclusion_relation()  # validates the relations

    @property
    def expressions(self) -> list[sp.Expr]:
        return [self.start] + [step.expr for step in self.steps]

    def pairs(self) -> Iterable[tuple[sp.Expr, Step]]:
        """Each step with the expression it starts from."""
        return zip(self.expressions, self.steps)

    def conclusion_relation(self) -> str:
        relation = "="
        for step in self.steps:
            relation = compose(relation, step.relation)
        return relation

    def conclusion(self, latex: bool = False) -> str:
        show = to_latex if latex else to_text
        symbol = (_LATEX if latex else _TEXT)[self.conclusion_relation()]
        return f"{show(self.start)} {symbol} {show(self.steps[-1].expr)}" if self.steps else show(self.start)

    def _repr_latex_(self) -> str:
        from mathcheck.display import chain_latex

        return chain_latex(self)

    def render(self, latex: bool = False) -> str:
        if latex:
            lines = [f"% {self.name}: {self.title} ({self.source})", "\\begin{aligned}", f"& {to_latex(self.start)} \\\\"]
            for step in self.steps:
                lines.append(f"&{_LATEX[step.relation]} {to_latex(step.expr)} && \\text{{{_latex_text(step.why)}}} \\\\")
            lines.append("\\end{aligned}")
            return "\n".join(lines)
        lines = [f"{self.name}: {self.title}", f"  source: {self.source}"]
        lines += [f"  assuming: {h}" for h in self.hypotheses]
        lines += [f"  model: {to_text(a)} := {to_text(b)}" for a, b in self.model]
        lines.append(f"    {to_text(self.start)}")
        for step in self.steps:
            lines.append(f"  {_TEXT[step.relation]:<2}{to_text(step.expr)}")
            lines.append(f"        -- {step.why or '(no justification)'}")
        lines.append(f"  conclusion: {self.conclusion()}")
        return "\n".join(lines)


def _latex_text(text: str) -> str:
    return text.replace("\\", "\\textbackslash{}").replace("_", "\\_").replace("%", "\\%").replace("&", "\\&")


def calc(start: sp.Expr, *steps, name: str, title: str, source: str, hypotheses: tuple[str, ...] = (),
         model: tuple = ()) -> Chain:
    """Build a chain: ``calc(start, (rel, expr, why), (rel, expr, why, rules), ..., name=..., title=..., source=...)``."""
    built = []
    for entry in steps:
        relation, expr, why, *rest = entry
        rules = tuple(rest[0]) if rest else None
        built.append(Step(relation, sp.sympify(expr), why, rules))
    return Chain(name, title, source, sp.sympify(start), built, tuple(hypotheses), tuple(model))
