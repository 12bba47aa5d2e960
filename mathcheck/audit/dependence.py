"""Dependence the prose declares: "let $A$ be a matrix that depends on $\\mathbf{x}$", "$c$ is a function of
$z$", "$A$ は $x$ に依存する", "it varies with $z$" (a pronoun: the names of the clause before it), "$w$ is the
importance weight of the sample $z$", "$J$ is the Jacobian at $x$", a name written as a function ($A(\\mathbf{x})$),
and through definitions ($c = 2w$ with $w$ depending on $z$: c depends on z). Such a name is no constant inside
an expectation over that variable: a step that would pull it out is not decided (check.py asks
:func:`declared_dependence` and :func:`closed_dependence` for the names, :func:`captured_variables` for a use)."""
from __future__ import annotations

import re

from mathcheck.lazy import LazyPattern

ANY_VARIABLE = "*"  # "it varies with the sample": no constant inside any expectation
_MATH = r"\$([^$]+)\$"
_NAME_MARKUP = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|mathit|mathrm|vec)\b|[{}\s]")
_SAMPLE = (r"(?:(?:the|each|every|a|an|one|another|its|their|our)\s+)*(?:(?:random|latent|noise|input|current|"
           r"drawn|sampled)\s+)?(?:(?:samples?|draws?|variables?|values?|realizations?|points?|vectors?|"
           r"observations?|inputs?|data\s+points?)\s+(?:of\s+)?)?")
_PER_SAMPLE_NOUNS = (r"(?:(?:importance\s+|sample\s+|per-sample\s+|log[- ]?)?(?:weight|score|likelihood|ratio|residual|"
                     r"loss|reward|error|energy|gradient|jacobian|hessian|derivative|output|image|reconstruction|"
                     r"encoding|embedding|activation|feature|logit|norm|square|sign|absolute\s+value)s?"
                     r"|log[- ]?densit(?:y|ies))")
_LOCAL_NOUNS = (r"(?:jacobian|hessian|gradient|derivative|differential|linearization|value|slope|curvature|matrix|"
                r"matrices|metric|tensor|operator|map|field)s?")
_VERBS = (
    r"\b(?:depends?|depending|dependent)\s+(?:up)?on|\bis\s+(?:a|some)\s+(?:\w+\s+){0,2}function\s+of"
    r"|\bfunctions?\s+of|\bvar(?:y|ies|ying)\s+(?:with|across|over)|\bchang(?:e|es|ing)\s+with"
    r"|\b(?:computed|calculated|derived|obtained|determined|estimated|built|formed|made)\s+(?:from|by|with|out\s+of)"
    r"|\bevaluated\s+at|\bdetermined\s+by"
    r"|\b" + _LOCAL_NOUNS + r"(?:\s+matrix)?(?:\s+of\s+\$[^$]+\$)?\s+(?:at|with\s+respect\s+to|w\.r\.t\.?)"
    r"|\b" + _PER_SAMPLE_NOUNS + r"\s+(?:of|for|at)")
_ENGLISH = LazyPattern(r"(?P<verb>" + _VERBS + r")\s+" + _SAMPLE + r"(?P<variables>(?:" + _MATH
                       + r"(?:\s*(?:,|and|or)\s*)*)+)", re.IGNORECASE)
_ENGLISH_ANY = LazyPattern(  # "it varies with the sample", "changes from draw to draw": no variable named
    r"(?:\b(?:var(?:y|ies|ying)\s+(?:with|from|across|between|over)|chang(?:e|es|ing)\s+(?:with|from|across|between)"
    r"|differs?\s+(?:with|from|across|for|between)|(?:depends?|depending)\s+(?:up)?on|is\s+different\s+for)"
    r"\s+(?:(?:the|each|every|a|one|another)\s+)?(?:random\s+|current\s+|drawn\s+)?(?:samples?|draws?|realizations?)"
    r"|\b(?:functions?\s+of|(?:computed|calculated)\s+from|" + _PER_SAMPLE_NOUNS + r"\s+(?:of|for))"
    r"\s+(?:the|each|every)\s+(?:random\s+|current\s+|drawn\s+)?(?:sample|draw|realization))"
    r"\b(?!\s+(?:of\b|\$|means?\b|averages?\b|sizes?\b|spaces?\b|variances?\b))", re.IGNORECASE)
_NAMED_NOUN = LazyPattern(  # "the importance weight $w$ of the sample $z$", "the Jacobian $J$ at $x$"
    r"\b(?:the|a|an|its)\s+(?:" + _PER_SAMPLE_NOUNS + "|" + _LOCAL_NOUNS + r")(?:\s+matrix)?\s+\$(?P<subject>[^$]+)\$"
    r"\s+(?:of|for|at|with\s+respect\s+to)\s+" + _SAMPLE + r"(?P<variables>(?:" + _MATH
    + r"(?:\s*(?:,|and|or)\s*)*)+)", re.IGNORECASE)
_NEGATED = LazyPattern(r"\b(?:not|n't|never|no\s+longer|nor|neither)\s*(?:\w+\s+){0,1}$", re.IGNORECASE)
_CLAUSE_END = LazyPattern(r"[.;:!?](?:\s|$)|,\s*(?:and|but|while|whereas)\b|\bwhere\b|\bwith\b(?!\s+\$)",
                          re.IGNORECASE)
_PRONOUN = LazyPattern(  # "it", "its value", "this quantity"; "this weight" only after "a weight $c$"
    r"(?:^|[\s(])(?:(?:this|these)\s+(?P<noun>(?!(?:is|are|may|can|also|does|do|will|might|must|should|changes?|"
    r"var(?:y|ies)|depends?|quantity|quantities|value|values|term|terms|number|name|symbol)\b)\w+)|it|its\s+\w+|they"
    r"|their\s+\w+|this|these|the\s+latter|the\s+former)(?:\s+\w+){0,3}\s*$", re.IGNORECASE)
_JOINED = LazyPattern(r"^\s*(?:,|and|,\s*and)\s*$")
_JA_SAMPLES = r"(?:サンプル|標本|試行|実現値)"
_JA_VARIABLES = r"(?P<variables>(?:\$[^$]+\$\s*(?:と|,|、)?\s*)+)"
_JA_CHANGES = r"(?:(?:変わ|決ま|異な)(?!らな|らず|りませ)|変化(?!しな|せず|しませ))"
_JA_DEPENDS = (r"(?:に依存(?!しな|せず|しませ)|の関数|(?:によって|に応じて|ごとに|毎に)" + _JA_CHANGES + r"|とともに"
               + _JA_CHANGES + ")")
_JA_PER_SAMPLE = (r"(?:重要度)?(?:重み|ウェイト|スコア|尤度|対数尤度|勾配|ヤコビアン|ヤコビ行列|ヘッセ行列|ヘシアン|損失|誤差|残差|"
                  r"出力|密度比|関数値)")
_JAPANESE_AFTER = LazyPattern(r"\$(?P<subject>[^$]+)\$\s*(?:は|が|も)[^。$]*?" + _JA_VARIABLES + _JA_DEPENDS)
_JAPANESE_BEFORE = LazyPattern(_JA_VARIABLES + r"(?:に依存(?:する|した)|の関数である)"
                               r"[^。$]{0,12}?\$(?P<subject>[^$]+)\$")
_JAPANESE_NOUN_BEFORE = LazyPattern(  # "$z$ の重み $w$", "$x$ におけるヤコビ行列 $J$"
    _JA_VARIABLES + r"(?:の|における|での)\s*" + _JA_PER_SAMPLE + r"\s*(?:を|は|が|と)?\s*\$(?P<subject>[^$]+)\$")
_JAPANESE_NOUN_AFTER = LazyPattern(  # "$w$ は $z$ の重み"
    r"\$(?P<subject>[^$]+)\$\s*(?:は|が|を)[^。$]{0,8}?" + _JA_VARIABLES + r"(?:の|における|での)\s*" + _JA_PER_SAMPLE)
_JAPANESE_PRONOUN = LazyPattern(  # "これは", "この値は"; "この重みは" only after a 重み
    r"(?:これ|それ|この(?:値|量)|その(?:値|量)|この(?P<noun>重み|係数|行列|ベクトル|スカラー|変数))\s*(?:は|が|も)[^。$]*?"
    r"(?:" + _JA_VARIABLES + _JA_DEPENDS + r"|(?P<samples>" + _JA_SAMPLES + r"(?:ごと|毎)?(?:に|で|によって|に応じて)"
    + _JA_CHANGES + "))")
_JAPANESE_ANY = LazyPattern(r"\$(?P<subject>[^$]+)\$\s*(?:は|が|も)[^。$]*?" + _JA_SAMPLES + r"(?:ごと|毎)?"
                            r"(?:に|で|によって|に応じて)" + _JA_CHANGES)
_JAPANESE_SAMPLE_NOUN = LazyPattern(  # "各サンプルの重み $w$", "$w$ はサンプルの重み"
    r"(?:" + _JA_SAMPLES + r"(?:ごと|毎)?の\s*" + _JA_PER_SAMPLE + r"\s*(?:を|は|が|と)?\s*\$(?P<before>[^$]+)\$"
    r"|\$(?P<after>[^$]+)\$\s*(?:は|が|を)[^。$]{0,8}?" + _JA_SAMPLES + r"(?:ごと|毎)?の\s*" + _JA_PER_SAMPLE + ")")
_DEFINITION = LazyPattern(r"^\s*(?P<name>[^=]+?)\s*(?::=|=:|\\coloneqq|\\eqqcolon|\\equiv|\\triangleq|\\doteq"
                          r"|\\propto|\\approx|\\simeq|\\(?:stackrel|overset)\{[^{}]*\}\{=\}|(?<![<>!\\])=(?!=))"
                          r"(?P<value>.+)$", re.DOTALL)
_WORD_DEFINITION = LazyPattern(  # "$c$ equals $2w$", "$c$ is proportional to $w$", "$c$ は $2w$ に等しい"
    r"(?:\b(?:equals?|equal\s+to|is\s+(?:twice|half|thrice|a\s+multiple\s+of|proportional\s+to|the\s+same\s+as)"
    r"|defined\s+(?:as|by)|set\s+to|given\s+by)\s+(?:\w+\s+){0,2}?\$(?P<value>[^$]+)\$)", re.IGNORECASE)
_JAPANESE_WORD_DEFINITION = LazyPattern(
    r"\$(?P<subject>[^$]+)\$\s*(?:は|を)[^。$]{0,6}?\$(?P<value>[^$]+)\$\s*(?:に等し|に比例|の定数倍|で定義|と定義|とおく|とする)")
_FUNCTION_FORM = LazyPattern(r"(?<![\\A-Za-z])(?P<name>(?:\\(?:mathbf|boldsymbol|bm|vec)\s*\{[A-Za-z]\}|[A-Za-z])"
                             r"(?:_\{[^{}]*\}|_\\?[A-Za-z0-9]+)?)\s*\((?P<arguments>[^()]*)\)")
_DENSITY_LETTERS = frozenset({"p", "q", "r", "P", "Q", "N"})
_SUBSCRIPT = r"(?:_(?:\{[^{}]*\}|\\?[A-Za-z0-9]))?"
_EXPRESSION_NAME = LazyPattern(r"(?:\\[A-Za-z]+|[A-Za-z])" + _SUBSCRIPT)
_LETTER_MARKUP = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|mathit|mathrm|vec)\s*"
                             r"(?:\{([^{}]*)\}|(\\[A-Za-z]+|[A-Za-z]))")
_GREEK = LazyPattern(r"(?:var)?(?:alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|pi|rho"
                     r"|sigma|tau|upsilon|phi|chi|psi|omega|ell)|Gamma|Delta|Theta|Lambda|Xi|Pi|Sigma|Upsilon|Phi"
                     r"|Psi|Omega")
_JACOBIAN_NAME = LazyPattern(r"[JH]_(?P<at>[A-Za-z]+)")


def plain(math: str) -> str | None:
    """``x`` for ``\\mathbf{x}``, ``mu`` for ``\\boldsymbol\\mu``, ``A`` for ``A \\in \\mathbb{R}^{d\\times d}``: a lone
    name as the engines spell it; None for anything else (``d\\times d``, ``A(x)``)."""
    name = _NAME_MARKUP.sub("", re.split(r"\\in\b|\\colon|:", math)[0])
    return name.lstrip("\\") if re.fullmatch(r"\\?[A-Za-z]+(?:_[A-Za-z0-9]+)?", name) else None


def _names(maths: str) -> set[str]:
    return {name for name in map(plain, re.findall(_MATH, maths)) if name is not None}


def _add(found: dict[str, set[str]], subjects: set[str], variables: set[str]) -> None:
    for subject in subjects - variables:
        found.setdefault(subject, set()).update(variables)


def _clause_before(text: str, end: int) -> tuple[str, str]:
    """The clause that ends at ``end`` and its antecedent: the nearest of the three clauses before it that
    names something (clauses end at . ; : and at ", and", "where"; "$c$ is real. It is not fixed. It ...")."""
    before = text[:end]
    starts = [0] + [m.end() for m in _CLAUSE_END.finditer(before)]
    stops = [m.start() for m in _CLAUSE_END.finditer(before)] + [len(before)]
    clauses = [before[start:stop] for start, stop in zip(starts, stops)]
    return clauses[-1], _antecedent(clauses[:-1])


def _antecedent(pieces: list[str]) -> str:
    """The last of (at most three of) ``pieces`` that writes a lone name; "" when none does."""
    return next((piece for piece in reversed(pieces[-3:]) if _names(piece)), "")


def _english_subjects(text: str, start: int) -> set[str]:
    """The names a dependence phrase starting at ``start`` is about: the clause's subject ("$A$ be a matrix
    that"), or, for a pronoun ("it", "this weight"), every lone name of its antecedent (:func:`_clause_before`)."""
    clause, previous = _clause_before(text, start)
    subjects = set(_subjects(clause))
    pronoun = _PRONOUN.search(clause)
    if not subjects and pronoun and _agrees(pronoun.group("noun"), previous):
        subjects = _names(previous)
    return subjects


def _agrees(noun: str | None, previous: str) -> bool:
    """A demonstrative's noun ("this weight") names what the clause before it introduced ("a weight $c$")."""
    return noun is None or noun.rstrip("s").lower() in previous.lower()


def _english(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for match in _ENGLISH.finditer(text):
        if _NEGATED.search(text[:match.start()]):  # "does not depend on", "independent of" ("in" before it)
            continue
        _add(found, _english_subjects(text, match.start()), _names(match.group("variables")))
    for match in _ENGLISH_ANY.finditer(text):
        if not _NEGATED.search(text[:match.start()]):
            _add(found, _english_subjects(text, match.start()), {ANY_VARIABLE})
    for match in _NAMED_NOUN.finditer(text):
        subject = plain(match.group("subject"))
        if subject is not None:
            _add(found, {subject}, _names(match.group("variables")))
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


def _previous_sentence(text: str, start: int) -> str:
    """The antecedent of a Japanese pronoun at ``start``: the nearest of the three sentences before it that
    names something (sentences end at 。 or a full stop)."""
    return _antecedent(re.split(r"。|\.(?:\s|$)", text[:start])[:-1])


def _japanese(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for pattern in (_JAPANESE_AFTER, _JAPANESE_BEFORE, _JAPANESE_NOUN_BEFORE, _JAPANESE_NOUN_AFTER):
        for match in pattern.finditer(text):
            subject = plain(match.group("subject"))
            if subject is not None:
                _add(found, {subject}, _names(match.group("variables")))
    for match in _JAPANESE_ANY.finditer(text):
        _add(found, {plain(match.group("subject"))} - {None}, {ANY_VARIABLE})
    for match in _JAPANESE_SAMPLE_NOUN.finditer(text):
        _add(found, {plain(match.group("before") or match.group("after"))} - {None}, {ANY_VARIABLE})
    for match in _JAPANESE_PRONOUN.finditer(text):
        variables = {ANY_VARIABLE} if match.group("samples") else _names(match.group("variables"))
        previous = _previous_sentence(text, match.start())
        if _agrees(match.group("noun"), previous):
            _add(found, _names(previous), variables)
    return found


def expression_names(latex: str) -> set[str]:
    """Every name ``latex`` writes (``w`` and ``alpha`` in ``2\\alpha\\mathbf{w}``), as :func:`plain` spells them:
    letters and Greek letters with their subscripts (``\\frac`` and ``\\log`` are no names)."""
    unwrapped = _LETTER_MARKUP.sub(lambda m: " " + (m.group(1) or m.group(2)) + " ", latex)
    names = {re.sub(r"[\\{}\s]", "", m.group(0)) for m in _EXPRESSION_NAME.finditer(unwrapped)}
    return {name for name in names if _GREEK.fullmatch(name.split("_")[0]) or len(name.split("_")[0]) == 1}


def _function_forms(text: str) -> dict[str, set[str]]:
    """``$A(\\mathbf{x}) \\in \\mathbb{R}^{d\\times d}$``: A depends on x (densities' letters p, q, N aside)."""
    found: dict[str, set[str]] = {}
    for math in re.findall(_MATH, text):
        for match in _FUNCTION_FORM.finditer(math):
            name = plain(match.group("name"))
            arguments = {plain(part) for part in re.split(r"[,;|]|\\mid", match.group("arguments"))}
            if name is not None and name not in _DENSITY_LETTERS and arguments and None not in arguments:
                _add(found, {name}, arguments)
    return found


def prose_definitions(text: str) -> dict[str, set[str]]:
    """name -> the names of its value, for each inline ``$c = 2w$``, ``$c := 2w$`` of ``text`` and each worded
    one ("$c$ equals $2w$", "$c$ is proportional to $w$", "$c$ は $2w$ に等しい")."""
    found: dict[str, set[str]] = {}
    for math in re.findall(_MATH, text):
        match = _DEFINITION.match(math)
        name = plain(match.group("name")) if match else None
        if name is not None:
            _add(found, {name}, expression_names(match.group("value")) - {name})
    for match in _WORD_DEFINITION.finditer(text):
        if not _NEGATED.search(text[:match.start()]):
            _add(found, set(_subjects(_clause_before(text, match.start())[0])), expression_names(match.group("value")))
    for match in _JAPANESE_WORD_DEFINITION.finditer(text):
        _add(found, {plain(match.group("subject"))} - {None}, expression_names(match.group("value")))
    return found


def closed_dependence(dependence: dict, text: str) -> dict[str, frozenset[str]]:
    """``dependence`` with what follows from the definitions of ``text``: c = 2w and w depends on z, so c
    depends on z; A depends on z and z = μ + σε, so A depends on ε. A defined name does not depend on its
    value's names themselves (m := E[z] keeps m constant in z); only on what those depend on."""
    definitions = prose_definitions(text)

    def reach(name: str, seen: set[str]) -> set[str]:
        if name in seen:
            return set()
        seen.add(name)
        direct = set(dependence.get(name, ()))
        found = set(direct) | set().union(*(set(definitions.get(v, ())) for v in direct))
        for inner in direct | definitions.get(name, set()):
            found |= reach(inner, seen)
        return found

    names = set(dependence) | set(definitions)
    closed = {name: frozenset(reach(name, set()) - {name}) for name in names}
    return {name: variables for name, variables in closed.items() if variables}


def captured_variables(name: str, variables: frozenset[str], bound: frozenset[str]) -> list[str]:
    """The bound variables a use of ``name`` depends on: those the document says it depends on, every bound
    one for a name that varies with the sample, x for a Jacobian or Hessian J_x, H_x written at x."""
    if name in bound:
        return []
    jacobian = _JACOBIAN_NAME.fullmatch(name)
    at = {jacobian.group("at")} & bound if jacobian else set()
    return sorted(set(bound if ANY_VARIABLE in variables else variables & bound) | at)


def declared_dependence(text: str) -> dict[str, frozenset[str]]:
    """name -> the variables the prose says it depends on (plain names, as :func:`plain` spells them; ANY_VARIABLE
    for one that varies with the sample), closed under the prose's definitions."""
    found = _english(text)
    for reading in (_japanese(text), _function_forms(text)):
        for name, variables in reading.items():
            found.setdefault(name, set()).update(variables)
    return closed_dependence({name: frozenset(v) for name, v in found.items() if v}, text)
