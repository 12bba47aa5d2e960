"""Definitions written in the prose: ``Let $f(x) = x^2$``, ``Let $c := 3$``, ``where $\\beta \\coloneqq 1$``, and
the domain conditions that restrict them (``Let $f(x) = x$ for $x > 0$ and $f(x) = -x$ otherwise``).

The text layer only: where a definition sign is, which side names what, which condition (if any) a piece is
stated under. audit/check.py turns what is read here into the document's definitions (a piecewise body, a
domain, or a refusal with its reason).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from mathcheck.lazy import LazyPattern
from mathcheck.audit.latex import Context, Unparsed, parse_expression

# every sign that defines: =, :=, ≔, \coloneqq, \triangleq, \equiv, \defeq, \stackrel{def}{=}, =: (reversed)
_SIGNS = LazyPattern(r"\\(?:stackrel|overset)\s*\{(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*=\s*\}|:=|≔|≜|=:|\\eqqcolon(?![A-Za-z])"
                    r"|\\(?:coloneqq?|triangleq|equiv|defeq|doteq)(?![A-Za-z])|(?<![<>!:=\\])=(?![=:])")
REVERSED = ("=:", "\\eqqcolon")
_RELATION = LazyPattern(r"(?<![<>!:=])[<>]=?|≥|≤|≠|\\(?:geqslant|leqslant|geq|leq|neq|ge|le|ne|gt|lt|approx|sim|propto|in)"
                       r"(?![A-Za-z])")


def split_definition(math: str) -> tuple[str, str, str] | None:
    """(the side that is named, the sign, the body) of an inline formula with exactly one definition sign at its
    top level and no other relation (``c := 3``, ``f(x) = x^2``; ``3 =: c`` gives ``c``, ``=:``, ``3``)."""
    found = [m for m in _SIGNS.finditer(math) if _depth(math, m.start()) == 0]
    if len(found) != 1 or _RELATION.search(math):
        return None
    sign = found[0]
    lhs, rhs = math[:sign.start()].strip(), math[sign.end():].strip().rstrip(".,;").strip()
    if not lhs or not rhs:
        return None
    written = "".join(sign.group().split())
    if written in REVERSED:
        return rhs, written, lhs
    return lhs, written, rhs


def _depth(text: str, at: int) -> int:
    depth = 0
    for c in text[:at]:
        depth += (c in "([{") - (c in ")]}")
    return depth


# a value given anew: "Reassign $c = 3$", "we now switch to $c = 3$", "redefine $c = 3$", "change it to $c = 3$"
_REASSIGN = (r"(?:re-?assign|re-?define|re-?set|update|(?:switch|change)(?:\s+(?:it|this|the\s+value))?\s+to|"
             r"replace\s+(?:it|this|the\s+value)\s+(?:by|with))")
# the words that make a plain ``=`` of a constant a definition: "Let $c = 3$", "we set $c = 3$", "where $c = 3$"
_DEFINING_START = LazyPattern(r"^\W*(?:(?:now|then|first|finally|also|here|throughout|henceforth|below|again|next)\W+)*"
                             r"(?:let|set|fix|take|choose|define|put|suppose|assume|" + _REASSIGN + r"|we\s+(?:now\s+)?"
                             r"(?:let|set|fix|take|choose|define|put|write|assume|suppose|" + _REASSIGN + r"))\b", re.I)
_DEFINING_BEFORE = LazyPattern(r"\b(?:let|set|setting|where|define|defining|put|fix|take|choose|assume|suppose|denote|"
                              + _REASSIGN + r")\s*(?:that\s+)?$", re.I)
_STANDING_LEAD = LazyPattern(r"^\W*(?:throughout|henceforth|here|below|from\s+now\s+on|in\s+what\s+follows|in\s+this\s+"
                             r"(?:section|paper|note|chapter))\W*$", re.I)  # "Throughout, $d = 3$."
_STANDING_AFTER = LazyPattern(r"^\s*,?\s*(?:from\s+(?:now|here|this\s+point)\s+on(?:wards?)?|henceforth|hereafter|"
                              r"onwards?)\b", re.I)
_HEDGE_BEFORE = LazyPattern(r"\b(?:if|when|whenever|unless|whether|once|until|at|for|with|given|then|so|hence|thus|"
                           r"obtain|get|find|gives?|yields?|shows?|implies|since|because)\b[^$⟦]*$", re.I)
NEGATION = LazyPattern(r"\b(?:not|never|no|nor|whether|instead|rather)\b|n't\b|\?", re.I)


_DEFINING_AFTER_JA = LazyPattern(r"^\s*(?:と(?:する|し|おく|置く|おき|置き|定める|定義)|に(?:する|設定|固定|変更|変え|"
                                 r"切り替え|切替|置き換え|改め))")
_HEDGE_JA = LazyPattern(r"場合|なら|とき|時に|れば|たら|仮に|もし")


_EXAMPLE_VALUE = LazyPattern(r"\b(?:case|cases|example|examples|instance|toy|e\.g\.|such\s+as|say|like|typically|"
                             r"usually|often|mnist|cifar|imagenet|experiments?)\b", re.I)


def defines_constant(before: str, sign: str, after: str = "") -> bool:
    """Whether the sentence's words before an inline ``NAME SIGN value`` (in Japanese, after it) make it a
    definition: a definition sign other than ``=`` always does; a plain ``=`` only after "let", "set", "where",
    "we define", ... or before "とする" (``we find $c = 3$`` and ``if $c = 3$`` are claims or hypotheses)."""
    if sign != "=":
        return True
    if _DEFINING_AFTER_JA.match(after):
        return not _HEDGE_JA.search(before + after)
    clause = re.split(r"[,;:]", before)[-1]
    if _EXAMPLE_VALUE.search(clause) or before.count("(") > before.count(")") and not _DEFINING_BEFORE.search(
            before[before.rfind("("):]):
        return False  # "(for MNIST, $N = 60000$)", "the case $K = 1$ is ...": an example value, no definition
    if _STANDING_AFTER.match(after):  # "$c = 3$ from now on"
        return not _HEDGE_BEFORE.search(clause) and not NEGATION.search(before + " " + after[:40])
    if _DEFINING_BEFORE.search(before) or _DEFINING_BEFORE.search(clause):
        return not _HEDGE_BEFORE.search(clause)
    return bool(_DEFINING_START.search(before) or _STANDING_LEAD.search(before)) and not _HEDGE_BEFORE.search(clause)


# -- the domain of a piece: "for $x > 0$", "when $x \ge 0$", "for negative $x$", "otherwise"

@dataclass
class Condition:
    kind: str  # "whole" (no restriction), "when" (a condition read), "otherwise", "unread" (a condition not read)
    relation: sp.Basic | None = None
    written: str = ""


_OTHERWISE = LazyPattern(r"\b(?:otherwise|elsewhere|else)\b|\bfor\s+(?:all\s+|every\s+|any\s+)?other\b|"
                        r"\bin\s+(?:all\s+)?(?:the\s+)?other\s+cases?\b|\bfor\s+the\s+rest\b|それ以外|その他の(?:場合|とき)",
                        re.I)
_LEAD = r"\b(?:for|when|whenever|if|where|provided(?:\s+that)?|on|in\s+case|whereas|while)\s+"
_QUANTIFIER = r"(?:(?:all|every|each|any)\s+)?"
_SIGN_WORD = r"(?P<word>(?:strictly\s+)?(?:positive|negative)|non-?negative|non-?positive|non-?zero)"
_WORD_BEFORE = LazyPattern(_LEAD + _QUANTIFIER + _SIGN_WORD + r"\s+(?:real\s+)?(?:values?\s+of\s+|numbers?\s+)?⟦(?P<k>\d+)⟧",
                          re.I)
_WORD_AFTER = LazyPattern(_LEAD + _QUANTIFIER + r"(?:real\s+)?⟦(?P<k>\d+)⟧\s+(?:is\s+|are\s+)?" + _SIGN_WORD, re.I)
_WHOLE = LazyPattern(_LEAD + r"(?:(?:all|every|each|any)\s+)(?:real\s+)?(?:numbers?\s+)?⟦(?P<k>\d+)⟧|"
                    r"\b(?:where|with|for)\s+(?:(?:all|every|each|any)\s+)?⟦(?P<r>\d+)⟧\s+(?:is\s+|are\s+)?"
                    r"(?:a\s+)?real\b|\bfor\s+real\s+⟦(?P<f>\d+)⟧", re.I)
_MATH_AFTER_LEAD = LazyPattern(_LEAD + _QUANTIFIER + r"(?:real\s+)?⟦(?P<k>\d+)⟧", re.I)
_MATH_BEFORE_JA = LazyPattern(r"⟦(?P<k>\d+)⟧\s*(?:のとき|の時|の場合|ならば|なら|では|において|で)")  # $x \geq 0$ のとき
_CONDITION_WORDS = LazyPattern(r"\b(?:for|when|whenever|if|unless|except|provided|outside|only|whereas|while|"
                              r"otherwise|elsewhere|positive|negative|non-?negative|non-?positive|domain|interval)\b|"
                              r"のとき|の時|場合|ならば|以外|において", re.I)
_SIGN_RELATIONS = {"positive": ">", "strictly positive": ">", "negative": "<", "strictly negative": "<",
                   "nonnegative": ">=", "non-negative": ">=", "nonpositive": "<=", "non-positive": "<=",
                   "nonzero": "!=", "non-zero": "!="}
_REALS = LazyPattern(r"\s*(?:\\mathbb\s*\{\s*R\s*\}|ℝ|\\R)\s*")


def piece_condition(words: str, maths: list[str], variables: tuple, context: Context) -> Condition:
    """The condition the words around a definition put on it. ``words`` is that text with each inline formula
    written ⟦k⟧ (its index in ``maths``); ``variables`` are the definition's arguments. A condition that is
    stated but not read exactly is "unread", never dropped."""
    if len(_condition_targets(words)) > 1:  # "for $x \ge 0$, and it vanishes for negative $x$": two conditions
        return Condition("unread", written=_shown(words, maths))
    if _OTHERWISE.search(words):
        return Condition("otherwise", written="otherwise")
    if _WHOLE.search(words):
        return Condition("whole")
    for pattern in (_WORD_BEFORE, _WORD_AFTER):
        found = pattern.search(words)
        if found is not None:
            return _sign_condition(found.group("word").lower(), maths[int(found.group("k"))], variables, context)
    found = _MATH_AFTER_LEAD.search(words) or _MATH_BEFORE_JA.search(words)
    if found is not None:
        return relation_condition(maths[int(found.group("k"))], variables, context)
    if _CONDITION_WORDS.search(words) and any(_mentions(maths[int(k)], variables)
                                              for k in re.findall(r"⟦(\d+)⟧", words)):
        return Condition("unread", written=_shown(words, maths))
    if re.search(r"\b(?:unless|except|outside)\b", words, re.I):
        return Condition("unread", written=_shown(words, maths))
    return Condition("whole")


def _condition_targets(words: str) -> set[str]:
    """What each condition the words state is about: "otherwise", or the inline formula ⟦k⟧ it names."""
    targets = {"otherwise"} if _OTHERWISE.search(words) else set()
    for pattern in (_WORD_BEFORE, _WORD_AFTER, _MATH_AFTER_LEAD, _MATH_BEFORE_JA):
        targets |= {m.group("k") for m in pattern.finditer(words)}
    return targets


# -- another piece given in words after a definition: "..., and zero otherwise", "and $-x$ elsewhere",
# "、それ以外では $0$ とする", "and $-x$ for $x < 0$"

_PIECE_BREAK = LazyPattern(r"[,;、，]|\b(?:and|or|but|while|whereas)\b", re.I)
_NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "minus one": "-1", "ゼロ": "0", "零": "0"}
_VALUE = r"(?:⟦(?P<k>\d+)⟧|(?P<word>zero|one|two|minus\s+one|ゼロ|零)(?![A-Za-z]))"
_IS = r"(?:(?:it\s+)?(?:is|equals?|takes(?:\s+the\s+value)?|(?:is\s+)?(?:set\s+|equal\s+)?to|to\s+be|be)\s+)?"
_CONJUNCTION = r"^\W*(?:(?:and|or|but|while|whereas)\s+)?(?:it\s+)?"
_VALUE_FIRST = LazyPattern(_CONJUNCTION + _IS + _VALUE + r"\s*,?\s*(?P<cond>(?:otherwise|elsewhere|else|everywhere\s+else|"
                          r"for|when|whenever|if|on|outside|except)\b.*)$", re.I | re.S)
_CONDITION_FIRST = LazyPattern(_CONJUNCTION + r"(?P<cond>(?:otherwise|elsewhere|else)\b|(?:それ以外|その他|他)"
                              r"(?:の(?:場合|とき|点|範囲))?(?:では|は|で|には|に対して(?:は)?)?|⟦\d+⟧\s*(?:のとき|の時|の場合|"
                              r"ならば|なら|では|で)[はに]?)\s*[、,]?\s*" + _IS + _VALUE + r"(?P<rest>.*)$", re.I | re.S)


# "otherwise $f(x)$ is $0$", "それ以外では $f(x)$ は $0$": the function written again, then its value
_RESTATED_FIRST = LazyPattern(_CONJUNCTION + r"(?P<cond>(?:otherwise|elsewhere|else)\b|(?:それ以外|その他)(?:の(?:場合|とき))?"
                             r"(?:では|は|で|には)?)\s*[、,]?\s*⟦(?P<name>\d+)⟧\s*(?:(?:is|equals|is\s+equal\s+to)\s+|は\s*)"
                             + _VALUE + r"(?P<rest>.*)$", re.I | re.S)


_STATED_OF = LazyPattern(r"\s*(?:(?:is|equals)\b|は)", re.I)


def restates(math: str, name: str, arguments: tuple[str, ...]) -> bool:
    """Whether ``math`` writes the function ``name`` at exactly its own ``arguments`` (``f(x)`` for f(x))."""
    written = [re.escape(argument) if len(argument) == 1 else r"\\" + re.escape(argument) for argument in arguments]
    head = re.escape(name) if len(name) == 1 else r"\\" + re.escape(name)
    return bool(arguments) and re.fullmatch(rf"\s*{head}\s*(?:\\left)?\(\s*" + r"\s*,\s*".join(written)
                                            + r"\s*(?:\\right)?\)\s*", math) is not None


def other_piece(after: str, maths: list[str] | None = None,
                defined: tuple[str, tuple[str, ...]] | None = None) -> tuple[int, str | int, str] | None:
    """Another piece of a definition given in the words ``after`` it (inline formulas written ⟦k⟧): (where it
    begins in ``after``, its value: a number written in words ("0") or the index k of its formula, the words
    that state its condition); None when there is none. With the inline ``maths`` and the ``defined`` function
    (its name, its arguments' names), the function written again before its value counts too ("otherwise
    $f(x)$ is $0$"), never another function ("otherwise $g(x)$ is $0$")."""
    for m in _PIECE_BREAK.finditer(after):
        rest = after[m.start():]
        for pattern in (_VALUE_FIRST, _RESTATED_FIRST, _CONDITION_FIRST):
            found = pattern.match(rest)
            if found is None:
                continue
            if pattern is _RESTATED_FIRST and (maths is None or defined is None or not restates(
                    maths[int(found.group("name"))], *defined)):
                continue
            if pattern is _CONDITION_FIRST and _STATED_OF.match(found.group("rest")):
                return None  # "otherwise $g(x)$ is $0$": a formula of which a value is stated, not the value
            word = found.group("word")
            value = _NUMBER_WORDS[" ".join(word.lower().split())] if word else int(found.group("k"))
            return m.start(), value, found.group("cond") + " " + (found.groupdict().get("rest") or "")
    return None


def stated_under_condition(words: str) -> bool:
    """Whether the words around a value (``Let $a = 1$ if $x > 0$ and $a = -1$ otherwise``) state it under a
    condition: then it is no value of the variable for what follows."""
    if _WHOLE.search(words):
        return False
    return bool(_OTHERWISE.search(words) or _MATH_AFTER_LEAD.search(words) or _WORD_BEFORE.search(words)
                or _MATH_BEFORE_JA.search(words)
                or re.search(r"\b(?:unless|except|outside)\b", words, re.I))


def _shown(words: str, maths: list[str]) -> str:
    text = re.sub(r"⟦(\d+)⟧", lambda m: f"${maths[int(m.group(1))]}$", words)
    return " ".join(text.split())


def _mentions(math: str, variables: tuple) -> bool:
    names = {getattr(v, "name", "") for v in variables}
    return any(re.search(rf"(?<![A-Za-z\\]){re.escape(name)}(?![A-Za-z])", math) for name in names if name)


def _sign_condition(word: str, math: str, variables: tuple, context: Context) -> Condition:
    relation = _SIGN_RELATIONS.get(word.replace("strictly ", "") if word.startswith("strictly") else word)
    variable = _read(math, context)
    if relation is None or variable is None or variable not in variables:
        return Condition("unread", written=f"{word} ${math}$")
    return Condition("when", sp.Rel(variable, 0, relation), f"{word} {math}")


_SPLIT = LazyPattern(r"(?<![<>!:=\\])(<=|>=|<|>)|≥|≤|\\(?:geqslant|leqslant|geq|leq|ge|le|gt|lt|neq|ne)(?![A-Za-z])")
_NORMALIZED = {"\\geqslant": ">=", "\\geq": ">=", "\\ge": ">=", "≥": ">=", "\\leqslant": "<=", "\\leq": "<=",
               "\\le": "<=", "≤": "<=", "\\gt": ">", "\\lt": "<", "\\neq": "!=", "\\ne": "!="}
_INTERVAL = LazyPattern(r"\s*(?:\\left\s*)?(?P<open>[(\[])(?P<lo>[^,]+),(?P<hi>[^,]+?)(?:\\right\s*)?(?P<close>[)\]])\s*")


def relation_condition(math: str, variables: tuple, context: Context) -> Condition:
    """``x > 0``, ``x \\geq 0``, ``0 < x < 1``, ``x \\in (0, 1)``, ``x \\in \\mathbb{R}`` as a condition on the
    arguments (a bound that is a number or uses only the arguments); "unread" for anything else."""
    unread = Condition("unread", written=f"${math}$")
    text = math.strip().rstrip(".,;")
    if "\\in" in text:
        left, _, right = text.partition("\\in")
        variable = _read(left, context)
        if variable is None or variable not in variables:
            return unread
        if _REALS.fullmatch(right):
            return Condition("whole")
        interval = _INTERVAL.fullmatch(right)
        if interval is None:
            return unread
        low, high = _read(interval.group("lo"), context, bound=True), _read(interval.group("hi"), context, bound=True)
        if low is None or high is None:
            return unread
        lower = sp.Rel(variable, low, ">" if interval.group("open") == "(" else ">=")
        upper = sp.Rel(variable, high, "<" if interval.group("close") == ")" else "<=")
        return _checked(sp.And(lower, upper), variables, text) or unread
    pieces = [p for p in _SPLIT.split(text) if p is not None]
    signs = [s for s in (m.group() for m in _SPLIT.finditer(text))]
    sides = [p for p in pieces if p not in signs]
    if len(signs) not in (1, 2) or len(sides) != len(signs) + 1:
        return unread
    read = [_read(side, context, bound=True) for side in sides]
    if any(side is None for side in read):
        return unread
    relations = [sp.Rel(read[i], read[i + 1], _NORMALIZED.get(sign, sign)) for i, sign in enumerate(signs)]
    return _checked(sp.And(*relations), variables, text) or unread


def _checked(relation: sp.Basic, variables: tuple, written: str) -> Condition | None:
    if relation in (sp.true, sp.false) or not relation.free_symbols or not relation.free_symbols <= set(variables):
        return None
    return Condition("when", relation, written)


def _read(text: str, context: Context, bound: bool = False) -> sp.Expr | None:
    """A name (or, for ``bound``, any expression read exactly; ``\\infty`` too); None when unreadable."""
    text = text.strip()
    if bound and re.fullmatch(r"\+?\s*\\infty", text):
        return sp.oo
    if bound and re.fullmatch(r"-\s*\\infty", text):
        return -sp.oo
    try:
        value = parse_expression(text, context)
    except (Unparsed, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(value, sp.Expr) or (not bound and not isinstance(value, sp.Symbol)):
        return None
    return value


def covers_the_line(conditions: list[sp.Basic], variables: tuple) -> bool:
    """Whether the conditions together hold for every real value of the (one) argument."""
    if len(variables) != 1:
        return False
    try:
        union = sp.Union(*(c.as_set() for c in conditions))
    except (NotImplementedError, TypeError, ValueError):
        return False
    return union == sp.S.Reals


def overlap_problem(pieces: list[tuple[sp.Expr, sp.Basic]], variables: tuple) -> str:
    """Why two pieces that are both stated on a common interval disagree there ("" when they do not): pieces
    that meet only at points must agree at those points."""
    if len(variables) != 1:
        return "a piecewise definition of a function of several arguments is not read"
    variable = variables[0]
    for i, (first, first_condition) in enumerate(pieces):
        for second, second_condition in pieces[i + 1:]:
            try:
                common = first_condition.as_set().intersect(second_condition.as_set())
            except (NotImplementedError, TypeError, ValueError):
                return "its pieces' conditions cannot be compared"
            if common == sp.S.EmptySet:
                continue
            if not isinstance(common, sp.FiniteSet):
                return f"two pieces are both stated where {common} ({first} and {second})"
            for point in common:
                if sp.simplify(first.subs(variable, point) - second.subs(variable, point)) != 0:
                    return f"two pieces disagree at {variable} = {point} ({first} and {second})"
    return ""


# -- a built-in constant the words name as a quantity, the name written after its role: "混合比を $\pi$ とし",
# "Let the mixing weight be $\pi$", "denote the error by $e$", "call the proportion $\pi$"

_BUILTIN_ALONE = LazyPattern(r"\s*(?:\\pi|e)\s*")
_ROLE_OBJECT_JA = LazyPattern(r"(?P<role>[\u3040-\u30ff\u4e00-\u9fffA-Za-z0-9ー・]{1,20})\s*を\s*$")
_NAMED_AS_JA = LazyPattern(r"^\s*(?:と(?:し|する|します|おく|おき|置く|置き|書く|書き|表す|表し|記す|記し|呼ぶ|呼び|定め|"
                          r"定義)|で(?:表す|表し|表わす|表記))")
_ROLE_SUBJECT_EN = LazyPattern(r"\b(?:let|denote|call|write|name)\s+(?:the|a|an|our|its)\s+(?P<role>[a-z][a-z -]{0,40}?)"
                              r"\s*(?:be|by|as)?\s*$", re.I)


def names_builtin_as_quantity(math: str, before: str, after: str) -> set[str]:
    """The built-in constant ("pi" or "e") an inline formula that is that name alone stands for, where the words
    name it as a quantity before it: Japanese "ROLE を $\\pi$ とする" or English "let the ROLE be $\\pi$", "denote the
    ROLE by $e$"; never a role that is the built-in's own (円周率, "the ratio of a circle") or a density's."""
    from mathcheck.audit.redefined import _BUILTIN_WORDS, _DENSITY_WORDS
    if not _BUILTIN_ALONE.fullmatch(math):
        return set()
    found = _ROLE_OBJECT_JA.search(before) if _NAMED_AS_JA.match(after) else _ROLE_SUBJECT_EN.search(before)
    if found is None or _BUILTIN_WORDS.search(found.group("role")) or _DENSITY_WORDS.search(found.group("role")):
        return set()
    if _NEGATION_WORDS.search(found.group("role")):
        return set()
    return {"pi" if "pi" in math else "e"}


_NEGATION_WORDS = LazyPattern(r"\b(?:not|no|never)\b", re.I)


# "$\sigma$ is the logistic sigmoid." with the sentence ending there: "the sigmoid derivative", "the sigmoid of 2t" or
# "the sigmoid $g$" (unlike it, replaced by it, its derivative) names another function
_SIGMOID = r"(?:the\s+|a\s+)?(?:logistic\s+)?sigmoid(?:\s+function)?(?=\s*(?:[.)]|$))"
_NAMED_SIGMOID = LazyPattern(
    r"⟦(?P<after>\d+)⟧\s*,?\s*(?:is|be|denotes?|stands\s+for|represents?|means?)\s+" + _SIGMOID +
    r"|⟦(?P<ja>\d+)⟧\s*(?:は|を)\s*(?:ロジスティック)?シグモイド(?:関数)?(?:と(?:する|おく)|である|です)?(?:。|$)",
    re.IGNORECASE)
_NOT_THIS_TEXT = LazyPattern(r"\b(?:earlier|previous|prior\s+work|instead|unlike|replace[sd]?|could|would|original|"
                             r"such\s+as|approximat\w*)\b|以前|代わり|ではなく", re.I)
_SIGMOID_NAME = LazyPattern(r"\s*(?P<name>\\?[A-Za-z]+)\s*(?:\(\s*(?:\\cdot|[A-Za-z])?\s*\))?\s*")


def named_sigmoids(sentence: str, maths: list[str]) -> list[tuple[int, str]]:
    """(k, the name) of each lone name ``maths[k]`` (marked ⟦k⟧ in ``sentence``) a plain sentence calls the logistic sigmoid
    ("$\\sigma$ is the logistic sigmoid", "the sigmoid function $s(\\cdot)$", "$\\sigma$ はシグモイド関数"); a
    condition or a question declares nothing."""
    if re.search(r"\b(?:if|were|whether|suppose|not|never|no)\b|n't\b|\?|ならば|なら|場合|ではない|でない",
                 re.sub(r"⟦\d+⟧", " ", sentence), re.I) or _NOT_THIS_TEXT.search(sentence):
        return []
    found = []
    for m in _NAMED_SIGMOID.finditer(sentence):
        k = int(next(group for group in m.groups() if group is not None))
        name = _SIGMOID_NAME.fullmatch(maths[k])
        if name is not None and name.group("name") not in ("e", "x", "z", "t"):
            found.append((k, name.group("name")))
    return found
