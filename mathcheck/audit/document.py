"""Reading a Markdown document: its display formulas, their rows and steps, and the prose's declarations.

- Display math is ``$$...$$`` (one line or several) or ``\\[...\\]``; fenced code blocks are skipped.
- A formula is split into rows at ``\\\\``; a row that starts with a relation continues the chain from the
  previous expression; a row with no relation at all continues the previous row's expression; any other
  row starts a new chain.
- Every relation at the top level of a row makes one step: ``= D_{KL}[...] \\geq 0`` is two steps.
- Prose before a formula declares densities (``p(x)\\sim N(\\mu,\\sigma^2)``), laws of variables
  (``\\epsilon\\sim N(0,1)``) and the curvature of functions ("concave"/"上に凸" next to ``$f(x)$``).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import sympy as sp

from mathcheck.audit.latex import (
    CHECKED, Context, Token, Unparsed, normal_from_variance, parse_expression, tokenize,
)
from mathcheck.vocab import Density, Normal


class DocumentError(Exception):
    """The file cannot be read as a text document."""


@dataclass
class Segment:
    """An expression as written: its tokens and where it lies in the file."""

    tokens: list[Token]
    start: int
    end: int
    source: str  # the text as written (stripped)


@dataclass
class ChainItem:
    relation: str | None  # None for the chain's first expression
    segment: Segment | None
    problem: Unparsed | None = None  # a row that cannot be split into steps


@dataclass
class Formula:
    index: int  # 1-based block number
    start: int  # offset of the opening delimiter
    end: int
    source: str  # the whole display block as written
    chains: list[list[ChainItem]]
    context: Context
    environment: str = ""
    problem: Unparsed | None = None  # the whole block is unreadable (unbalanced $$, unknown environment)


@dataclass
class Document:
    path: str
    text: str
    formulas: list[Formula] = field(default_factory=list)
    _newlines: list[int] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._newlines, offset - 1) + 1 if offset > 0 else 1


def read_text(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}: is a directory, not a Markdown file") from None
    except OSError as error:
        raise DocumentError(f"{path}: cannot read: {error.strerror or error}") from None
    if b"\0" in data:
        raise DocumentError(f"{path}: a binary file, not a Markdown text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path}: not UTF-8 text (byte {error.start}): a binary file?") from None


# ---------------------------------------------------------------- splitting the document


_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.M)
_DISPLAY_OPEN = re.compile(r"\$\$|\\\[")
_INLINE = re.compile(r"(?<![\\$])\$([^$\n]+?)\$(?!\$)")
ENVIRONMENTS_CHAIN = {"aligned", "align", "align*", "split", "eqnarray", "eqnarray*", "alignat", "alignat*",
                      "equation", "equation*", "gathered", "gather", "gather*", "multline", "multline*"}
ENVIRONMENTS_SEPARATE = {"gathered", "gather", "gather*"}


def parse_document(path: str, text: str) -> Document:
    document = Document(path, text, _newlines=[i for i, c in enumerate(text) if c == "\n"])
    context = Context()
    for kind, start, end in _regions(text):
        if kind == "prose":
            context = _read_prose(document, text[start:end], start, context)
            continue
        if kind == "code":
            continue
        index = len(document.formulas) + 1
        if kind == "unclosed":
            opener = text[start:start + 2]
            problem = Unparsed(f"unbalanced {opener}: this display formula is never closed",
                               _first_line(text[start:]), start, end)
            document.formulas.append(Formula(index, start, end, text[start:end], [], context, problem=problem))
            continue
        formula = _read_formula(document, index, start, end, context)
        document.formulas.append(formula)
        context = _declarations_in_formula(document, formula, context)
    return document


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= 80 else line[:77] + "..."


def _regions(text: str):
    """(kind, start, end) with kind prose / code / display / unclosed, in order."""
    i, n = 0, len(text)
    while i < n:
        fence = _FENCE.search(text, i)
        display = _DISPLAY_OPEN.search(text, i)
        if fence is not None and (display is None or fence.start() <= display.start()):
            if fence.start() > i:
                yield "prose", i, fence.start()
            closing = re.compile(r"^ {0,3}" + re.escape(fence.group(1)), re.M).search(text, fence.end())
            end = n if closing is None else closing.end()
            yield "code", fence.start(), end
            i = end
            continue
        if display is None:
            yield "prose", i, n
            return
        if display.start() > i:
            yield "prose", i, display.start()
        closer = "$$" if display.group() == "$$" else "\\]"
        close = text.find(closer, display.end())
        if close < 0:
            yield "unclosed", display.start(), n
            return
        yield "display", display.start(), close + 2
        i = close + 2


# ---------------------------------------------------------------- prose: declarations


_CONCAVE = ("上に凸", "凹関数", "concave")
_CONVEX = ("下に凸", "凸関数", "convex")
_SENTENCE_END = re.compile(r"[。．.!?！？\n]\s")


def _read_prose(document: Document, prose: str, base: int, context: Context) -> Context:
    context = context.copy()
    for match in _INLINE.finditer(prose):
        math, offset = match.group(1), base + match.start(1)
        line = document.line_of(offset)
        for part_start, part in _top_level_parts(math):
            _declare(context, part, offset + part_start, line)
        function = re.fullmatch(r"\s*([a-zA-Z])\s*(\(\s*[a-zA-Z]\s*\))?\s*", math)
        if function:
            curvature = _curvature_near(prose, match.start(), match.end())
            if curvature:
                context.curvature[function.group(1)] = curvature
                context.notes[("curvature", function.group(1))] = f"line {line}"
    return context


def _curvature_near(prose: str, start: int, end: int) -> str | None:
    """The curvature word nearest to an inline ``$f(x)$`` within its sentence."""
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(prose, 0, start)), default=0)
    following = _SENTENCE_END.search(prose, end)
    sentence_end = following.start() if following else len(prose)
    best = None
    for words, kind in ((_CONCAVE, "concave"), (_CONVEX, "convex")):
        for word in words:
            for m in re.finditer(re.escape(word), prose[sentence_start:sentence_end], re.I):
                at = sentence_start + m.start()
                if kind == "convex" and word == "凸関数" and prose[max(0, at - 2):at] in ("上に", "下に"):
                    continue
                distance = start - (at + len(word)) if at < start else at - end
                if best is None or distance < best[0]:
                    best = (distance, kind)
    return best[1] if best else None


def _top_level_parts(math: str):
    depth, last = 0, 0
    for i, c in enumerate(math):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            yield last, math[last:i]
            last = i + 1
    yield last, math[last:]


_NORMAL = re.compile(r"^\s*(?:N|\\mathcal\s*\{\s*N\s*\}|\\mathcal\s+N)\s*(?:\\left\s*)?\((.*)\)\s*$", re.S)


def _declare(context: Context, part: str, offset: int, line: int) -> None:
    """``p(x) \\sim N(mean, variance)`` binds p; ``\\epsilon \\sim N(0, 1)`` gives a variable its law."""
    if "\\sim" not in part:
        return
    left, right = part.split("\\sim", 1)
    normal = _NORMAL.match(right)
    if not normal:
        return
    arguments = list(_top_level_parts(normal.group(1)))
    if len(arguments) != 2:
        return
    try:
        mean = parse_expression(arguments[0][1], context)
        variance = parse_expression(arguments[1][1], context)
        subject = parse_expression(left, context)
    except Unparsed:
        return
    if isinstance(subject, Normal):  # already declared: redeclare from the density as written
        subject = _written_density(left)
    if isinstance(subject, Density) and len(subject.variables) == 1 and not subject.given:
        (variable,) = subject.variables
        context.densities[(subject.family, subject.label)] = (subject, normal_from_variance(variable, mean, variance))
        context.notes[("density", subject.family, subject.label)] = f"line {line}: {part.strip()}"
    elif isinstance(subject, sp.Symbol):
        context.laws[subject] = (mean, variance)
        context.notes[("law", subject)] = f"line {line}: {part.strip()}"


def _written_density(left: str):
    try:
        return parse_expression(left, Context())
    except Unparsed:
        return None


# ---------------------------------------------------------------- formulas


_BEGIN = re.compile(r"^\s*\\begin\s*\{([a-zA-Z*]+)\}(\{[^}]*\})?")
_END = re.compile(r"\\end\s*\{([a-zA-Z*]+)\}\s*$")
_ANNOTATIONS = re.compile(r"\\(?:tag|label)\*?\s*\{[^{}]*\}|\\nonumber|\\notag")
_TRAILING_TEXT = re.compile(r"(?:\\q?quad\s*)?\\(?:text|mbox|textrm)\s*\{[^{}]*\}\s*$")


def _read_formula(document: Document, index: int, start: int, end: int, context: Context) -> Formula:
    text = document.text
    opener = 2
    inner_start, inner_end = start + opener, end - 2
    inner = text[inner_start:inner_end]
    formula = Formula(index, start, end, text[start:end], [], context.copy())
    masked = list(inner)

    def blank(a: int, b: int) -> None:
        masked[a:b] = " " * (b - a)

    begin = _BEGIN.match(inner)
    environment = ""
    if begin:
        environment = begin.group(1)
        finish = _END.search(inner)
        if environment not in ENVIRONMENTS_CHAIN:
            formula.problem = Unparsed(f"unknown environment {environment}", begin.group(0).strip(),
                                       inner_start + begin.start(), inner_start + begin.end())
            return formula
        if not finish or finish.group(1) != environment:
            formula.problem = Unparsed(f"\\begin{{{environment}}} without its \\end{{{environment}}}",
                                       begin.group(0).strip(), inner_start + begin.start(), inner_start + begin.end())
            return formula
        blank(begin.start(), begin.end())
        blank(finish.start(), finish.end())
    formula.environment = environment
    for m in _ANNOTATIONS.finditer(inner):
        blank(m.start(), m.end())
    masked_text = "".join(masked)
    rows = _rows(masked_text)
    chains: list[list[ChainItem]] = []
    for row_start, row_end in rows:
        row = masked_text[row_start:row_end]
        row = _strip_row(row)
        if not row.strip():
            continue
        items = _row_items(row, inner_start + row_start, document)
        if environment in ENVIRONMENTS_SEPARATE or not chains:
            if items[0].relation is not None and items[0].problem is None:
                at = items[0].segment.start if items[0].segment else inner_start + row_start
                items.insert(0, ChainItem(None, None, Unparsed(
                    f"a step `{items[0].relation} ...` with no expression before it", row.strip(), at, at)))
            chains.append(items)
            continue
        first = items[0]
        if first.problem is not None:
            chains.append(items)
        elif first.relation is not None:
            chains[-1].extend(items)
        elif len(items) == 1:
            _continue_expression(chains[-1][-1], first, document)
        else:
            chains.append(items)
    formula.chains = chains
    return formula


def _rows(masked: str) -> list[tuple[int, int]]:
    rows, last = [], 0
    for m in re.finditer(r"\\\\(\[[^\]]*\])?", masked):
        rows.append((last, m.start()))
        last = m.end()
    rows.append((last, len(masked)))
    return rows


def _strip_row(row: str) -> str:
    """Blank the justification of a row (after ``&&``, a trailing ``\\text{...}``) and trailing punctuation."""
    chars = list(row)
    depth = 0
    for i in range(len(row) - 1):
        if row[i] == "{":
            depth += 1
        elif row[i] == "}":
            depth -= 1
        elif row[i] == "&" and row[i + 1] == "&" and depth == 0:
            chars[i:] = " " * (len(row) - i)
            break
    row = "".join(chars)
    trailing = _TRAILING_TEXT.search(row)
    if trailing:
        row = row[:trailing.start()] + " " * (len(row) - trailing.start())
    stripped = row.rstrip()
    if stripped.endswith((".", ",")) and not stripped.endswith("\\,"):
        row = stripped[:-1] + " " * (len(row) - len(stripped) + 1)
    return row


def _row_items(row: str, base: int, document: Document) -> list[ChainItem]:
    tokens = tokenize(row, base)
    pieces: list[tuple[str | None, list[Token]]] = [(None, [])]
    depth = 0
    for token in tokens:
        if token.kind == "sym" and token.text in ("(", "[", "{", "\\{"):
            depth += 1
        elif token.kind == "sym" and token.text in (")", "]", "}", "\\}"):
            depth -= 1
        if token.kind == "rel" and depth == 0:
            pieces.append((token.text, []))
            pieces[-1][1].append(token)  # keep the relation token for its position
            continue
        pieces[-1][1].append(token)
    items: list[ChainItem] = []
    for number, (relation, piece) in enumerate(pieces):
        relation_token = piece[0] if relation is not None else None
        body = piece[1:] if relation is not None else piece
        if number == 0 and not body:
            continue  # the row starts with a relation
        if relation_token is not None and relation not in CHECKED and relation not in (":=", "~"):
            shown = document.text[relation_token.start:relation_token.end]
            problem = Unparsed(f"relation {shown} ({relation}) is not one mathcheck checks (=, <, >, ≤, ≥)",
                               document.text[relation_token.start:(body[-1].end if body else relation_token.end)].strip(),
                               relation_token.start, body[-1].end if body else relation_token.end)
            items.append(ChainItem(relation, _segment(body, relation_token, document), problem))
            continue
        if not body:
            at = relation_token.start if relation_token else base
            problem = Unparsed(f"nothing after the relation {relation}", document.text[at:at + 8].strip(), at, at + 1)
            items.append(ChainItem(relation, None, problem))
            continue
        items.append(ChainItem(relation, _segment(body, relation_token, document)))
    if not items:
        items.append(ChainItem(None, None, Unparsed("a row with no expression", row.strip(), base, base + len(row))))
    return items


def _segment(body: list[Token], relation_token: Token | None, document: Document) -> Segment:
    if not body:
        at = relation_token.end if relation_token else 0
        return Segment([], at, at, "")
    start, end = body[0].start, body[-1].end
    return Segment(body, start, end, document.text[start:end].strip())


def _continue_expression(previous: ChainItem, continuation: ChainItem, document: Document) -> None:
    """A row without relation continues the previous row's expression (a long expression broken in two)."""
    if previous.segment is None or continuation.segment is None:
        previous.problem = previous.problem or continuation.problem
        return
    tokens = previous.segment.tokens + continuation.segment.tokens
    start, end = previous.segment.start, continuation.segment.end
    source = " ".join(re.sub(r"\\\\|&|\\q?quad\b", " ", document.text[start:end]).split())
    previous.segment = Segment(tokens, start, end, source)


def _declarations_in_formula(document: Document, formula: Formula, context: Context) -> Context:
    """A display formula ``p(x) \\sim N(\\mu, \\sigma^2)`` declares like the prose does."""
    declared = None
    for chain in formula.chains:
        if len(chain) == 2 and chain[1].relation == "~" and chain[0].segment and chain[1].segment:
            declared = declared or context.copy()
            part = document.text[chain[0].segment.start:chain[1].segment.end]
            _declare(declared, part, chain[0].segment.start, document.line_of(chain[0].segment.start))
    return declared or context
