"""A document's own definition of a name the engine knows: the entropy ``\\mathcal{H}(p) := -\\int p \\log_2 p``
(in bits), a divergence ``D_{KL}(p \\| q) := ...``, an expectation. The reader reads those names with their
built-in meaning; where the document defines them (``:=``, ``\\coloneqq``, ``\\triangleq``,
``\\stackrel{\\text{def}}{=}``, in a display or in the prose), the definition is checked against the built-in
meaning, and when it is not shown to agree, no step that uses the name is checked with the built-in meaning
(audit/check.py: ``Auditor``). The same for the Gaussian density ``\\mathcal{N}(x; \\mu, \\sigma)`` written with
another parametrization (the standard deviation for the variance).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from mathcheck.audit.latex import group_end

_OPENING = r"\s*(?:\\left\s*|\\[bB]igg?l?\s*)?[(\[]"
_SPELLINGS = {
    "entropy": r"(?:\\mathcal\s*\{\s*H\s*\}|\\mathcal\s+H\b|\\mathbb\s*\{\s*H\s*\}|"
               r"\\(?:mathrm|operatorname|rm|text|textrm)\s*\{\s*H\s*\}|(?<![\\A-Za-z{])H)",
    "KL divergence": r"(?:(?<![A-Za-z])KL\s*\}?\s*\}?)",
    "expectation": r"(?:\\mathbb\s*\{\s*E\s*\}|\\mathbb\s+E\b|\\(?:operatorname|mathrm)\s*\{\s*E\s*\}|(?<![\\A-Za-z{])E)"
                   r"(?=\s*[_\[])(?:\s*_\s*(?:\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}|\\?[A-Za-z]+))?",
    "Gaussian density": r"(?:\\mathcal\s*\{\s*N\s*\}|\\mathcal\s+N\b|\\mathscr\s*\{\s*N\s*\}|"
                        r"\\(?:mathrm|operatorname)\s*\{\s*N\s*\}|(?<![\\A-Za-z{])N)",
}
SHOWN = {"entropy": "H", "KL divergence": "KL", "expectation": "E", "Gaussian density": "N", "logarithm": "log"}
APPLIED = {kind: re.compile(spelling + _OPENING) for kind, spelling in _SPELLINGS.items()}
APPLIED["logarithm"] = re.compile(r"(?:\\log|(?<![\\A-Za-z])log|\\(?:mathrm|operatorname|rm)\s*\{\s*log\s*\})"
                                  r"(?![A-Za-z])(?!\s*_)")  # \log without a base written: the document's log
# "where $H(p) = ...$", "define the entropy $\mathcal{H}(p) = ...$", "$H(p) = ...$ と定義する": an = that defines
_DEFINING_BEFORE = re.compile(r"(?:\b(?:define[sd]?|denote[sd]?)\b(?:\s+[A-Za-z-]+){0,4}|\b(?:let|where|write|call)\b)"
                              r"\s*[,:]?\s*$", re.I)
_DEFINING_AFTER = re.compile(r"\s*(?:と|を|で)?\s*(?:定義|おく|置く)")
# "all logarithms are to base 2", "log denotes the base-2 logarithm", "対数の底は 2 とする"
_LOG_BASE = re.compile(r"\blog(?:arithm)?s?\b[^.。\n]{0,60}?\bbase[\s-]*\$?\s*(?P<en>2|10)\b|"
                       r"対数の底[はを]?\s*\$?\s*(?P<ja>2|10)", re.I)
_NEGATED = re.compile(r"\b(?:not|never|instead|rather|unlike|would|could|if)\b|ない|ません", re.I)
_DEFINING = re.compile(r"\s*(?::=|≔|≜|\\coloneqq?\b|\\triangleq\b|\\defeq\b|\\eqqcolon\b|"
                       r"\\(?:stackrel|overset)\s*\{(?=[^=]*?(?:def|\\triangle|\\Delta|:))"
                       r"(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*=\s*\})")
_EQUALS = re.compile(r"\s*=(?!=)")
_CLOSING = {"(": ")", "[": "]"}
_KL_HEAD = (r"(?:(?:D|\\(?:operatorname|mathrm)\s*\{\s*D\s*\})\s*_\s*\{?\s*(?:\\[A-Za-z]+\s*\{\s*)?"
            r"|\\[A-Za-z]+\s*\{\s*)?")  # D_{ \mathrm{ before KL


@dataclass
class Redefinition:
    kind: str  # "entropy", "KL divergence", "expectation"
    line: int
    lhs: str  # the name applied, as written: \mathcal{H}(p)
    rhs: str  # the document's definition
    verdict: str = ""  # of the check against the built-in meaning
    reason: str = ""

    @property
    def agrees(self) -> bool:
        from mathcheck.report import HOLDS, PROVED
        return self.verdict in (PROVED, HOLDS)

    def note(self) -> str:
        return (f"the document defines {SHOWN[self.kind]} itself at line {self.line} (`{self.lhs} := "
                f"{_short(self.rhs)}`)")


def applied_kinds(text: str) -> set[str]:
    """The built-in names ``text`` applies to an argument: H(p), KL(q || p), E_q[f]."""
    return {kind for kind, pattern in APPLIED.items() if pattern.search(text)}


def defined_kind(lhs: str) -> str | None:
    """The built-in name ``lhs`` is (all of it): ``\\mathcal{H}(p)``, ``D_{KL}(q \\| p)``, ``\\mathbb{E}_p[f]``."""
    for kind, pattern in APPLIED.items():
        if kind == "logarithm":
            continue
        text = lhs.strip()
        found = pattern.search(text)
        if found is None or (found.start() > 0 and kind != "KL divergence"):
            continue
        if kind == "KL divergence" and not re.match(_KL_HEAD + "KL", text):
            continue
        end = _bracket_end(text, found.end() - 1)
        if end is not None and not text[end:].strip():
            return kind
    return None


def defines(before: str, after: str) -> bool:
    """Whether the words right before an inline formula (or, in Japanese, right after it) make its ``=`` a
    definition: "define the entropy $...$", "where $...$", "$...$ と定義する"."""
    return _DEFINING_BEFORE.search(before) is not None or _DEFINING_AFTER.match(after) is not None


_INTRODUCES = re.compile(r"(?:\b(?:(?:we|let\s+us|let's)\s+)?(?:define|denote)\b[^.。!?$]{0,80}|"
                         r"\bis\s+defined\s+(?:as|by)\b[^.。!?$]{0,40}|定義(?:する|します)[^。$]{0,4})"
                         r"[:：]?\s*$", re.I)


def defines_display(before: str) -> bool:
    """Whether the prose right before a display introduces it as a definition ("We define the entropy in bits
    as", "is defined by:", "を次のように定義する："): its ``NAME(args) = body`` defines NAME."""
    return _INTRODUCES.search(before) is not None


def log_bases(prose: str) -> list[tuple[int, str]]:
    """(offset, base) of each sentence of ``prose`` (its math blanked) saying that its logarithms are to a base
    other than e; not one that negates or only considers it ("instead of", "would")."""
    found = []
    for m in _LOG_BASE.finditer(prose):
        start = max(prose.rfind(".", 0, m.start()), prose.rfind("。", 0, m.start())) + 1
        ends = [end for end in (prose.find(". ", m.end()), prose.find("。", m.end())) if end >= 0]
        if not _NEGATED.search(prose[start:min(ends, default=len(prose))]):
            found.append((m.start(), m.group("en") or m.group("ja")))
    return found


def prose_definitions(math: str, equals: bool = False) -> list[tuple[str, str, str]]:
    """(kind, lhs, rhs) of each ``NAME(args) := body`` in an inline formula of the prose (also ``NAME(args) =
    body`` where ``equals``: the sentence says it defines)."""
    found = []
    for kind, pattern in APPLIED.items():
        if kind == "logarithm":
            continue
        for m in pattern.finditer(math):
            end = _bracket_end(math, m.end() - 1)
            defining = _DEFINING.match(math, end) if end is not None else None
            if defining is None and equals and end is not None:
                defining = _EQUALS.match(math, end)
            if defining is None or defined_kind(math[m.start():end]) != kind:
                continue
            lhs = math[_name_start(math, m.start(), kind):end].strip()
            found.append((kind, lhs, _body(math[defining.end():])))
    return found


def _name_start(math: str, start: int, kind: str) -> int:
    if kind != "KL divergence":
        return start
    head = re.search(_KL_HEAD + "$", math[:start])
    return head.start() if head else start


def _body(rest: str) -> str:
    """The definition's body: up to a top-level comma, semicolon or relation that ends it."""
    depth, i = 0, 0
    while i < len(rest):
        c = rest[i]
        if c == "\\" and not rest.startswith("\\quad", i):
            i += 2
            continue
        i += 1
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and (c in ",;=<>" or rest.startswith("\\quad", i - 1)):
            return rest[:i - 1].strip()
    return rest.strip().rstrip(".")


def _bracket_end(text: str, opening: int) -> int | None:
    """The index after the bracket group opening at ``text[opening]`` (``(`` or ``[``)."""
    if opening >= len(text) or text[opening] not in _CLOSING:
        return None
    return group_end(text, opening, "([{", ")]}")


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
