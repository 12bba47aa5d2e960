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

import sympy as sp

from mathcheck.lazy import LazyPattern
from mathcheck.audit.latex import Context, Unparsed, group_end, parse_expression
from mathcheck.audit.prose_definitions import relation_condition

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
_DEFINING_BEFORE = LazyPattern(r"(?:\b(?:define[sd]?|denote[sd]?)\b(?:\s+[A-Za-z-]+){0,4}|\b(?:let|where|write|call)\b)"
                              r"\s*[,:]?\s*$", re.I)
_DEFINING_AFTER = LazyPattern(r"\s*(?:と|を|で)?\s*(?:定義|おく|置く)")
# "all logarithms are to base 2", "log denotes the base-2 logarithm", "対数の底は 2 とする"
_LOG_BASE = LazyPattern(r"\blog(?:arithm)?s?\b[^.。\n]{0,60}?\bbase[\s-]*\$?\s*(?P<en>2|10)\b|"
                       r"対数の底[はを]?\s*\$?\s*(?P<ja>2|10)", re.I)
_NUMBERS = {"2": "2", "10": "10", "two": "2", "ten": "10", "binary": "2", "dyadic": "2", "decimal": "10",
            "common": "10", "bits": "2", "bit": "2", "二": "2", "十": "10", "ビット": "2",
            "常用対数": "10", "二進対数": "2"}
_LOG_WORD = LazyPattern(r"\blog(?:arithm)?s?\b|\blg\b|\blogs\b|\bentrop|\binformation\b|\bdivergenc|\bKL\b|"
                       r"対数|エントロピー|情報量|ダイバージェンス", re.I)
_CONVENTION = LazyPattern(r"\b(?:measured?|throughout|all|are|is|use[ds]?|express(?:ed)?|reported|unless|denotes?|"
                         r"means?|henceforth|from now on|in this (?:note|post|paper|section|chapter))\b|とする|測る|表す", re.I)
_BASE_CUE = LazyPattern(r"\bbase[\s-]*(?:of\s+)?\$?\s*\{?\s*(?P<n>2|10|two|ten)\b|"
                       r"\b(?P<adj>binary|dyadic|decimal|common)\s+log(?:arithm)?s?\b|"
                       r"\blog(?:arithm)?s?\b(?:\s+\w+){0,3}?\s+(?:are|is)\s+(?:\w+\s+){0,2}?(?P<pred>binary|decimal)\b|"
                       r"\b(?:in|of|as)\s+(?P<unit>bits?)\b|"
                       r"底[はをがも]?\s*\$?\s*(?P<ja>2|10|二|十)|(?P<jabase>2|10|二|十)\s*\$?\s*を底|"
                       r"(?P<jaunit>ビット)|(?P<janame>常用対数|二進対数)", re.I)
_LOG_BASE_MATH = LazyPattern(r"\\(?:log|lg)\b(?!\s*_)|\\ln\b")
_BASED_LOG_MATH = LazyPattern(r"\\log\s*_\s*\{?\s*(?P<n>[0-9]+|[a-zA-Z]|\\[a-zA-Z]+)")
_NEGATED = LazyPattern(r"\b(?:not|never|instead|rather|unlike|would|could|if)\b|ない|ません", re.I)
_DEFINING = LazyPattern(r"\s*(?::=|≔|≜|\\coloneqq?\b|\\triangleq\b|\\defeq\b|\\eqqcolon\b|"
                       r"\\(?:stackrel|overset)\s*\{(?=[^=]*?(?:def|\\triangle|\\Delta|:))"
                       r"(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*=\s*\})")
_EQUALS = LazyPattern(r"\s*=(?!=)")
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


_INTRODUCES = LazyPattern(r"(?:\b(?:(?:we|let\s+us|let's)\s+)?(?:define|denote)\b[^.。!?$]{0,80}|"
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


def log_base_cues(prose: str, masked: str) -> list[tuple[int, str]]:
    """(offset, base) of each sentence that speaks of the base of its logarithms in words the definite reading
    of :func:`log_bases` does not take ("base-2 logarithms", "all logs are binary", "in bits", a math
    ``\\log \\equiv \\log_2`` or "$\\log x$ means $\\log_2 x$"), negated or not: the steps that use ``\\log``
    are then undecided, never checked with the natural logarithm. ``masked`` is ``prose`` with its math
    blanked (the same offsets)."""
    found = []
    for start, end in _sentences(masked):
        words, written = masked[start:end], prose[start:end]
        cue = _BASE_CUE.search(words)
        if cue is not None and cue.group("unit") is not None and not _CONVENTION.search(words):
            cue = None  # "cross-entropy in bits against a divergence in nats:" names a unit, sets none
        if cue is not None and _LOG_WORD.search(words + " " + written):
            found.append((start + cue.start(), _NUMBERS.get((cue.group(cue.lastgroup) or "").lower(), "b")))
            continue
        based = _BASED_LOG_MATH.search(written)
        if based is not None and (_LOG_BASE_MATH.search(written) or _LOG_WORD.search(words)):
            found.append((start + based.start(), based.group("n")))
    return found


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"[.!?](?=\s)|[。！？]|\n\s*\n", text):
        spans.append((start, m.end()))
        start = m.end()
    return spans + [(start, len(text))]


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


# -- built-in constants the document gives its own meaning: "Let $\pi = \frac12$ be the mixing weight",
# "Let $e$ denote the reconstruction error", "$\pi \in (0, 1)$", a display `e := 2`. The reader maps e and \pi to
# sympy's E and pi; from such a sentence on they read as real symbols of the document (latex.Context.own_constants).

_CONSTANT = r"(?:(?<![\\A-Za-z])e(?![A-Za-z])|\\pi(?![A-Za-z]))"
_RELATION_SIGN = (r"(?::=|≔|≜|=:|\\eqqcolon|\\coloneqq?|\\triangleq|\\equiv|\\defeq|\\doteq|"
                  r"\\(?:stackrel|overset)\s*\{(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*=\s*\}|=|\\in|\\notin|<|>|≥|≤|≠|"
                  r"\\(?:geqslant|leqslant|geq|leq|neq|ge|le|ne|gt|lt)(?![A-Za-z]))")
_GIVEN = LazyPattern(r"^\s*(?P<names>(?:[^,=<>]+,\s*)*[^,=<>]+?)\s*(?P<sign>" + _RELATION_SIGN + r")(?P<rest>.*)$", re.S)
_ALONE = LazyPattern(r"^\s*(?P<name>" + _CONSTANT + r")\s*$")
_SUBSCRIPTED_PI = LazyPattern(r"\\pi\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+)")  # \pi_k named: \pi is no built-in here
_NAME = LazyPattern(r"\\?[A-Za-z]+(?:_\{?\\?[A-Za-z0-9]+\}?)?")
# what the built-in is called: such a sentence is about the built-in, not a new meaning
_BUILTIN_WORDS = LazyPattern(r"euler|napier|natural\s+log|exponential|\bbase\b|ratio|circle|circumference|archimedes|"
                            r"mathematical\s+constant|transcendental|irrational|2\.71|3\.14|\bthe\s+(?:usual|familiar|"
                            r"well-known|number|constant)\b|自然対数|ネイピア|オイラー|円周率|定数|底", re.I)
_DENSITY_WORDS = LazyPattern(r"\b(?:densit(?:y|ies)|distributions?|polic(?:y|ies)|prior|posterior|measures?|pdf|law|"
                            r"kernel|likelihood)\b(?!\s+probabilit)|(?:分布|密度|方策|尤度)(?!確率)", re.I)
_ROLE_AFTER = LazyPattern(r"^\s*,?\s*(?:denotes?|denoting|(?:is|are)\s+(?:the|a|an|our|some|any)|be|represents?|"
                         r"stands?\s+for|for\s+the|as\s+the|the|will\s+be|refers?\s+to|:)\b|"
                         r"^\s*(?:を|は|が)[^。．$]{0,30}?(?:と(?:す|し|お|置|書|表|呼|見な|定め)|で(?:表|あ|す)|です|を(?:表|示|意味)|のこと)",
                         re.I)  # "$\pi$ を混合比とする", "$e$ は誤差である"
_ROLE_BEFORE = LazyPattern(r"(?:\b(?:let|denote\s+by|write|call|where|with)|\b(?:error|weight|probability|proportion|"
                          r"fraction|rate|coefficient|parameter|residual|noise|variable|scalar|threshold|margin|"
                          r"temperature|entry|element|offset|bias)s?|(?:重み|誤差|比|率|係数|パラメータ|変数|残差|ノイズ|温度|閾値)"
                          r"(?:の)?)\s*$", re.I)
_DECLARING = LazyPattern(r"\b(?:let|suppose|assume|assuming|where|with|denote|denotes|given|for\s+some|fix|take|choose|"
                        r"set)\b", re.I)


def own_constants(math: str, before: str, after: str) -> set[str]:
    """The built-in constants (``e``, ``\\pi``: "e", "pi") that an inline formula of the prose gives the
    document's own meaning: a value other than the built-in's (``\\pi = \\frac12``, ``e := 2``), a set or a bound
    (``\\pi \\in (0, 1)``, ``e \\ge 0`` in a declaring sentence, or one false of the built-in), or a role the words
    name ("Let $e$ denote the reconstruction error", "the mixing weight $\\pi$"), not the built-in's own
    ("$e$ is Euler's number") nor a density's ("$\\pi$ is the prior": then \\pi(z) is read as a density)."""
    listed = [name.strip() for name in math.split(",")]
    before = re.sub(r"(?:\$\$?|\\\()\s*$", "", before)  # the delimiter that opens the formula
    if all(_NAME.fullmatch(name) for name in listed):  # $e$, $e, \pi$, $a, e$: names the words give a role
        role = after[:80]
        if _BUILTIN_WORDS.search(role) or _BUILTIN_WORDS.search(before[-40:]) or _DENSITY_WORDS.search(role[:40]):
            return set()
        if _ROLE_AFTER.match(after) or _ROLE_BEFORE.search(before):
            return {_constant_name(name) for name in listed if _ALONE.match(name) or _SUBSCRIPTED_PI.fullmatch(name)}
        return set()
    given = _GIVEN.match(math)
    if given is None:
        return set()
    names = {_constant_name(name.strip()) for name in given.group("names").split(",") if _ALONE.match(name)}
    if not names:
        return set()
    sign = "".join(given.group("sign").split())
    if _BUILTIN_WORDS.search(after[:60]):
        return set()
    if sign in ("<", ">", "≥", "≤", "≠", "\\in", "\\notin") or sign.startswith(("\\ge", "\\le", "\\ne", "\\gt", "\\lt")):
        return names if _DECLARING.search(before) or _false_of_builtin(math) else set()
    return set() if _value_of_builtin(given.group("rest"), names) else names


def display_constants(source: str) -> set[str]:
    """The built-in constants a display defines (``\\pi := 3``, ``e \\coloneqq 2``): ``:=`` and the other
    definition signs (a plain ``=`` in a display is a claim about the built-in)."""
    given = _GIVEN.match(source.strip().rstrip(".,;"))
    if given is None or "".join(given.group("sign").split()) in ("=", "\\in", "\\notin", "<", ">", "≥", "≤", "≠") \
            or given.group("sign").startswith(("\\ge", "\\le", "\\ne", "\\gt", "\\lt")):
        return set()
    return {_constant_name(name.strip()) for name in given.group("names").split(",") if _ALONE.match(name)}


def _constant_name(written: str) -> str:
    return "pi" if written.strip().startswith("\\pi") else "e"  # \pi, \pi_k


def _value_of_builtin(value: str, names: set[str]) -> bool:
    """Whether ``value`` is (numerically, to 3 digits) the built-in's own: ``e = \\exp(1)``, ``\\pi = 3.14159``."""
    try:
        read = parse_expression(value.strip().rstrip(".,;"), Context())
        number = complex(sp.N(read))
    except (Unparsed, ValueError, TypeError, RecursionError, AttributeError):
        return False
    builtin = {"e": 2.718281828, "pi": 3.141592654}
    return len(names) == 1 and abs(number - builtin[next(iter(names))]) < 1e-3


def _false_of_builtin(math: str) -> bool:
    """Whether a bound or set written of e or π is false of the built-in (``\\pi \\in (0, 1)``, ``e \\le 0``)."""
    value = sp.Symbol("c", real=True)
    condition = relation_condition(re.sub(_CONSTANT, "c", math), (value,), Context())
    if condition.kind != "when":
        return False
    builtin = sp.E if re.search(r"(?<![\\A-Za-z])e(?![A-Za-z])", math) else sp.pi
    try:
        return condition.relation.subs(value, builtin) is sp.false
    except (TypeError, ValueError, Unparsed):
        return False
