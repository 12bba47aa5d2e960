"""Dependence the prose declares: "let $A$ be a matrix that depends on $\\mathbf{x}$", "$c$ is a function of
$z$", "$A$ は $x$ に依存する". Such a name is no constant inside an expectation over that variable: a step that
would pull it out is not decided (check.py asks :func:`declared_dependence` for the names)."""
from __future__ import annotations

import re

from mathcheck.lazy import LazyPattern

_MATH = r"\$([^$]+)\$"
_NAME_MARKUP = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|mathit|mathrm|vec)\b|[{}\s]")
_ENGLISH = LazyPattern(
    r"(?P<verb>\b(?:depends?|depending|dependent)\s+(?:up)?on|\bis\s+(?:a|some)\s+(?:\w+\s+){0,2}function\s+of"
    r"|\bfunctions?\s+of|\bvar(?:y|ies|ying)\s+with|\bchang(?:e|es|ing)\s+with(?:\s+(?:each|every|the))*"
    r"(?:\s+(?:sample|draw|value)s?\s+of)?"
    r"|\b(?:computed|calculated|derived|obtained|determined|estimated|built|formed|made)\s+(?:from|by|with|out\s+of)"
    r"|\bevaluated\s+at|\bdetermined\s+by)\s*(?P<variables>(?:" + _MATH
    + r"(?:\s*(?:,|and|or)\s*)*)+)", re.IGNORECASE)
_NEGATED = LazyPattern(r"\b(?:not|n't|never|no\s+longer|nor|neither)\s*(?:\w+\s+){0,1}$", re.IGNORECASE)
_CLAUSE_END = LazyPattern(r"[.;:!?](?:\s|$)|,\s*(?:and|but|while|whereas)\b|\bwhere\b|\bwith\b(?!\s+\$)",
                          re.IGNORECASE)
_JOINED = LazyPattern(r"^\s*(?:,|and|,\s*and)\s*$")
_JAPANESE_AFTER = LazyPattern(r"\$(?P<subject>[^$]+)\$\s*(?:は|が|も)[^。$]*?(?P<variables>(?:\$[^$]+\$\s*(?:と|,|、)?\s*)+)"
                              r"(?:に依存(?!しない|せず)|の関数|によって(?:変わ|決ま))")
_JAPANESE_BEFORE = LazyPattern(r"(?P<variables>(?:\$[^$]+\$\s*(?:と|,|、)?\s*)+)(?:に依存(?:する|した)|の関数である)"
                               r"[^。$]{0,12}?\$(?P<subject>[^$]+)\$")


def plain(math: str) -> str | None:
    """``x`` for ``\\mathbf{x}``, ``mu`` for ``\\boldsymbol\\mu``, ``A`` for ``A \\in \\mathbb{R}^{d\\times d}``: a lone
    name as the engines spell it; None for anything else (``d\\times d``, ``A(x)``)."""
    name = _NAME_MARKUP.sub("", re.split(r"\\in\b|\\colon|:", math)[0])
    return name.lstrip("\\") if re.fullmatch(r"\\?[A-Za-z]+(?:_[A-Za-z0-9]+)?", name) else None


def _names(maths: str) -> set[str]:
    return {name for name in map(plain, re.findall(_MATH, maths)) if name is not None}


def _english(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for match in _ENGLISH.finditer(text):
        before = text[:match.start()]
        if _NEGATED.search(before):  # "does not depend on", "independent of" (ind-ependent: "in" before it)
            continue
        ends = list(_CLAUSE_END.finditer(before))
        clause = before[ends[-1].end():] if ends else before
        variables = _names(match.group("variables"))
        for subject in set(_subjects(clause)) - variables:
            found.setdefault(subject, set()).update(variables)
    return found


def _subjects(clause: str) -> list[str]:
    """The names a clause ending in "depends on" is about: its last lone name ("$A$ be a $d\\times d$ matrix
    that", not the $d$ of "a $d$-dimensional vector that") and the names joined to it ("$A$ and $b$")."""
    spans = [m for m in re.finditer(_MATH, clause) if not clause[m.end():].startswith("-")]
    names: list[str] = []
    for span in reversed(spans):
        name = plain(span.group(1))
        if names and not _JOINED.match(clause[span.end():previous]):
            break
        if name is None:
            if names:
                break
            continue
        names.append(name)
        previous = span.start()
    return names


def _japanese(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for pattern in (_JAPANESE_AFTER, _JAPANESE_BEFORE):
        for match in pattern.finditer(text):
            subject, variables = plain(match.group("subject")), _names(match.group("variables"))
            if subject is not None and subject not in variables:
                found.setdefault(subject, set()).update(variables)
    return found


def declared_dependence(text: str) -> dict[str, frozenset[str]]:
    """name -> the variables the prose says it depends on (plain names, as :func:`plain` spells them)."""
    found = _english(text)
    for name, variables in _japanese(text).items():
        found.setdefault(name, set()).update(variables)
    return {name: frozenset(variables) for name, variables in found.items() if variables}
