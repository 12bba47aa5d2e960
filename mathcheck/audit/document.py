"""Reading a document: its display formulas, their rows and steps, and the prose's declarations.

- The file is read by its format (:mod:`mathcheck.audit.formats`: Markdown, LaTeX, a notebook's Markdown
  cells) and its macros are expanded (:mod:`mathcheck.audit.macros`); ``Document.text`` is what the checker
  reads, ``Document.written`` what the author wrote, and every step is shown and located as written.
- Display math is ``$$...$$`` (one line or several), ``\\[...\\]``, or a display environment standing in the
  text (``\\begin{align}...\\end{align}``: align, equation, gather, multline, eqnarray, alignat, flalign,
  starred or not). Fenced code blocks, inline code spans and HTML comments are not read. In Markdown a
  ``$$...$$`` with prose beside it on its line is inline math (kramdown), read with the prose; a display
  that only defines macros is no formula; a display that opens with a relation continues the display before.
- LaTeX comments (``%`` to the end of the line, not ``\\%``) are removed first; then a formula is split into
  rows at ``\\\\`` (or ``\\newline``); a row of an align-like environment into its column pairs
  (``a &= b & c &= d``, a comment column after ``&&``); a part of a row into separate equations at
  ``\\quad``, ``\\qquad``, ``\\hspace`` and at prose (``\\text{ and }``).
- A part that starts with a relation continues the chain from the previous expression (of its column); a
  row with no relation at all continues the previous row's expression; any other part starts a new chain.
- Every relation at the top level of a part makes one step: ``= D_{KL}[...] \\geq 0`` is two steps.
- Prose inside a formula (``\\text{...}``, ``\\intertext``, a comment column, a ``\\tag``) is not math, but
  the math written in it is: ``\\text{and $a = b$}`` is checked as a chain of its own; a condition
  (``\\text{for $x > 0$}``, ``\\text{if } x > 0``) is reported as unparsed, since the checker cannot use it.
- Prose before a formula declares densities (``p(x)\\sim N(\\mu,\\sigma^2)``), laws of variables
  (``\\epsilon\\sim N(0,1)``) and the curvature of functions ("$f$ is concave", "上に凸な関数$f(x)$"). A
  curvature is declared only by a plain statement: a sentence that negates it ("not concave", "凸でない"),
  makes it a condition or a question ("if $f$ were concave", "場合") or qualifies it ("log-concave",
  "concave on [0, 1]") declares nothing, and says so in the report. A sentence ends at a heading (and in
  LaTeX at a structure command such as ``\\section{..}``); a list or quote marker, a bold label
  ("**Setup.**") and a discourse phrase ("From now on,", "In what follows,") that open it are not part of
  its statement.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import sympy as sp

from mathcheck.audit.formats import (BOUNDARY, LATEX, MARKDOWN, DocumentError, Source, decoded, latex_prose,
                                    latex_reading_text, markdown_prose, normalized_line_ends, source_from_text)
from mathcheck.audit.formats import _read_bytes
from mathcheck.audit.latex import (CHECKED, CONVENTIONAL_DENSITIES, DENSITY_FAMILIES, GREEK, VARIABLES, Context, NameRef,
                                   Parser, Token, Unparsed, blank_comments, declared_parameters, density_letter_of,
                                   function_names, group_end, normal_from_variance, parse_expression, tokenize,
                                   top_level_parts)
from mathcheck.audit import matrix_reader
from mathcheck.audit.macros import Macro, OffsetMap, expand
from mathcheck.audit.redefined import display_constants, own_constants
from mathcheck.vocab import Density, Normal, X, ratio


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
    declaration: str = ""  # for a ``~`` step that declares a law: what it declares


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
    last_item: ChainItem | None = None  # the last expression of its main chain: a display "= ..." after continues it


@dataclass
class Document:
    """A document read: ``text`` is what the checker reads (macros expanded, comments of a LaTeX file
    blanked), ``written`` the text as the author wrote it; ``origin`` maps offsets of the one to the other, so
    that lines and the steps shown are those written."""

    path: str
    text: str
    formulas: list[Formula] = field(default_factory=list)
    _newlines: list[int] = field(default_factory=list)  # of the written text
    problems: list[Unparsed] = field(default_factory=list)  # prose declarations that cannot be used, macro errors
    written: str = ""
    origin: OffsetMap | None = None
    source: Source | None = None
    macros: dict[str, Macro] = field(default_factory=dict)  # the macros defined at the end of the document
    definition_blocks: list[int] = field(default_factory=list)  # offsets of displays that only define macros
    tentative: dict = field(default_factory=dict)  # the note of a declaration read but refused -> what it declares
    prose: str = ""  # ``text`` with what is not prose blanked: displays, code, comments (inline math kept)

    def __post_init__(self) -> None:
        if not self.written:
            self.written = self.text
        if not self._newlines:
            self._newlines = [i for i, c in enumerate(self.written) if c == "\n"]

    def written_offset(self, offset: int) -> int:
        return self.origin.start(offset) if self.origin is not None else offset

    def line_of(self, offset: int) -> int:
        offset = self.written_offset(offset)
        return bisect.bisect_right(self._newlines, offset - 1) + 1 if offset > 0 else 1

    def written_span(self, start: int, end: int) -> str:
        """The text as written behind ``text[start:end]`` (a macro shown as invoked, not as expanded)."""
        if self.origin is None:
            return self.text[start:end]
        return self.written[self.origin.start(start):self.origin.end(end)] if end > start else ""

    def where(self, line: int) -> str:
        """``line 7``, or in a notebook ``cell 3, line 2``."""
        return self.source.where(line) if self.source is not None else f"line {line}"


def read_text(path: str) -> str:
    """The text of the file at ``path`` (UTF-8, line ends normalized); :class:`DocumentError` if unreadable."""
    return decoded(path, _read_bytes(path))


# ---------------------------------------------------------------- splitting the document


DISPLAY_ENVIRONMENTS = ("align", "align*", "equation", "equation*", "gather", "gather*", "multline", "multline*",
                        "eqnarray", "eqnarray*", "alignat", "alignat*", "flalign", "flalign*")
DISPLAY_ENVIRONMENTS += ("displaymath",)
ENVIRONMENTS_CHAIN = set(DISPLAY_ENVIRONMENTS) | {"aligned", "alignedat", "split", "gathered"}
# math environments a Markdown renderer (MathJax, KaTeX) also renders when they stand in the text; those that
# are not chains of relations are reported as unknown environments
MATH_ENVIRONMENTS = ENVIRONMENTS_CHAIN | {"cases", "dcases", "rcases", "array", "matrix", "pmatrix", "bmatrix",
                                          "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "subarray", "CD"}
# display environments of LaTeX packages that are not read: found, so that each is reported, never skipped
MATH_ENVIRONMENTS |= {"IEEEeqnarray", "IEEEeqnarray*", "dmath", "dmath*", "dgroup", "dgroup*", "dseries", "dseries*",
                      "empheq", "xalignat", "xalignat*", "xxalignat", "mathpar"}
ENVIRONMENTS_SEPARATE = {"gathered", "gather", "gather*"}
ENVIRONMENTS_WITHOUT_COLUMN_PAIRS = {"eqnarray", "eqnarray*"} | ENVIRONMENTS_SEPARATE  # & is not a pair separator
_ENVIRONMENT_NAMES = "|".join(re.escape(e) for e in sorted(MATH_ENVIRONMENTS, key=len, reverse=True))
_OPENERS = re.compile(
    r"(?P<fence>^ {0,3}(?P<mark>`{3,}|~{3,}))"
    r"|(?P<display>\$\$|\\\[)"
    rf"|(?P<environment>\\begin\s*\{{(?P<name>{_ENVIRONMENT_NAMES})\}})"
    r"|(?P<code>`+)"
    r"|(?P<html><!--)", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def parse_document(path: str, text: str, macros: dict[str, Macro] | None = None) -> Document:
    """The document ``text`` read as its extension says (Markdown if none is known), ``macros`` defined first."""
    return parse_source(source_from_text(path, text), macros)


def parse_source(source: Source, macros: dict[str, Macro] | None = None) -> Document:
    """Read a document: its macros expanded (those of a site's macro file first, then its own definitions in
    reading order), its display formulas split into chains, its prose read for declarations."""
    expanded, chunks = _expanded(source, macros or {})
    document = Document(source.path, expanded.text, written=source.text, origin=expanded.origin, source=source,
                        macros=expanded.macros)
    document.problems.extend(expanded.problems)
    text = expanded.text
    masked, regions = _scan_chunks(text, chunks, source.dialect)
    document.prose = _without_regions(masked, regions)
    masked = _prose_view(document.prose, source.dialect)
    persistent = Context()  # the declarations that hold from where they are made on
    current = persistent.copy()  # and the hypotheses stated since the last formula, for the next one only
    cursor = 0
    carry: ChainItem | None = None  # the last expression of the display before: a display "= ..." continues it
    for kind, start, end, inner_start, inner_end in regions:
        if start > cursor:
            persistent, current = _read_prose(document, masked[cursor:start], cursor, persistent, current)
        cursor = end
        if kind == "code":
            carry = None  # a code block ends a derivation
            continue
        if kind == "display" and _only_definitions(text, inner_start, inner_end, expanded.definitions):
            document.definition_blocks.append(start)  # a block of \newcommand's is no formula
            continue
        index = len(document.formulas) + 1
        if kind == "unclosed":
            document.formulas.append(_unclosed(document, index, start, end, current))
            carry = None
        else:
            for target in (persistent, current):  # a display \pi := 3: π is the document's from here on
                target.own_constants |= display_constants(text[inner_start:inner_end])
            formula = _read_formula(document, index, start, end, inner_start, inner_end, current, carry)
            _declared_engine_variables(formula)
            _limit_sizes(document, formula)
            applied = _applied_functions(document, formula)  # σ(t) here: σ(0) is the function at 0 here and after
            formula.context.functions |= applied
            persistent.functions = persistent.functions | applied
            document.formulas.append(formula)
            persistent = _declarations_in_formula(document, formula, persistent)
            persistent = _signs_after_assignments(document, formula, persistent)
            persistent = _importance_weights(document, formula, persistent)
            used = _density_letters_used(document, formula)  # g of g(x|z): a density in what follows too
            formula.context.density_letters |= used
            persistent.density_letters = persistent.density_letters | used
            own = _written_densities(document, formula)  # a later bare E_q names the one q written before
            formula.context.formula_densities = {d for d in own if isinstance(d, Density)}  # p(x, μ + σε): p(x, z)
            families = {density.family for density in own}
            formula.context.written_densities = {key: found for key, found in formula.context.written_densities.items()
                                                 if key[0] not in families}  # this formula's own q comes first
            persistent.written_densities = {key: set(found) for key, found in persistent.written_densities.items()}
            for density in own:
                persistent.written_densities.setdefault((density.family, density.label), set()).add(density)
            persistent = matrix_reader.carry(formula.context, persistent)  # the shapes its use taught
            carry = formula.last_item
        current = persistent.copy()
    if cursor < len(text):
        _read_prose(document, masked[cursor:], cursor, persistent, current)
    return document


def _expanded(source: Source, macros: dict[str, Macro]):
    """The source's text as the checker reads it (LaTeX comments and verbatim blanked; definitions read and
    blanked; macros expanded: in a LaTeX file everywhere, in Markdown inside the math, as MathJax does), and
    the chunks of that text that are read on their own."""
    written = source.text
    newlines = [i for i, c in enumerate(written) if c == "\n"]

    def where(offset: int) -> str:
        return source.where(bisect.bisect_right(newlines, offset - 1) + 1 if offset > 0 else 1)

    if source.dialect == LATEX:
        reading = latex_reading_text(written)
        spans = [(0, len(reading))]
    else:
        reading = written
        spans = _math_spans(reading, source.chunks)
    result = expand(reading, spans, macros, where, grouped=source.dialect == LATEX)  # TeX groups scope \def
    chunks = [(result.origin.expanded(a), result.origin.expanded(b)) for a, b in source.chunks]
    if len(source.chunks) == 1:
        chunks = [(0, len(result.text))]
    return result, chunks


def _math_spans(text: str, chunks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of Markdown text that MathJax reads as math: display formulas and inline ones."""
    masked, regions = _scan_chunks(text, chunks, MARKDOWN)
    spans, cursor = [], 0
    for kind, start, end, inner_start, inner_end in regions + [("end", len(text), len(text), 0, 0)]:
        spans += [(cursor + a, cursor + b) for a, b in _inline_spans(masked[cursor:start])]
        if kind == "display":
            spans.append((inner_start, inner_end))
        cursor = end
    return spans


def _inline_spans(prose: str) -> list[tuple[int, int]]:
    return [(math_start, math_start + len(math)) for _, _, math_start, math in _inline_maths(prose)]


def _only_definitions(text: str, start: int, end: int, definitions: list[tuple[int, int]]) -> bool:
    """Whether a display holds macro definitions and nothing else (``$$\\newcommand{\\R}{\\mathbb{R}}$$``)."""
    return not text[start:end].strip() and any(start <= a < end for a, _ in definitions)


def _scan_chunks(text: str, chunks: list[tuple[int, int]], dialect: str):
    """:func:`_scan` of each chunk on its own (a notebook cell), offsets in ``text``."""
    if len(chunks) == 1 and chunks[0] == (0, len(text)):
        return _scan(text, dialect)
    masked, regions = list(" " * len(text)), []
    for a, b in chunks:
        part, found = _scan(text[a:b], dialect)
        masked[a:b] = part
        regions += [(kind, s + a, e + a, i + a, j + a) for kind, s, e, i, j in found]
    for k, c in enumerate(text):
        if c == "\n":
            masked[k] = "\n"
    return "".join(masked), regions


def _without_regions(masked: str, regions) -> str:
    """The prose alone: formulas and code blocks blanked (their line ends kept)."""
    out = list(masked)
    for _, start, end, _, _ in regions:
        out[start:end] = [c if c == "\n" else " " for c in masked[start:end]]
    return "".join(out)


def _prose_view(masked: str, dialect: str) -> str:
    """The prose as the sentence reader sees it: headings (and in LaTeX structure commands) end sentences."""
    if dialect == LATEX:
        return latex_prose(masked, _inline_spans(masked))
    return markdown_prose(masked)


def _unclosed(document: Document, index: int, start: int, end: int, context: Context) -> Formula:
    text = document.text
    opener = text[start:start + 2]
    if opener in ("$$", "\\["):
        reason = f"unbalanced {opener}: this display formula is never closed"
    elif opener[0] in "`~":
        reason = "this ```math block is never closed: no closing fence follows"
    else:
        name = re.match(r"\\begin\s*\{([^}]*)\}", text[start:]).group(1)
        reason = f"\\begin{{{name}}} is never closed: no \\end{{{name}}} follows"
    problem = Unparsed(reason, _first_line(document.written_span(start, end)), start, end)
    return Formula(index, start, end, document.written_span(start, end), [], context, problem=problem)


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= 80 else line[:77] + "..."


def _scan(text: str, dialect: str = MARKDOWN) -> tuple[str, list[tuple[str, int, int, int, int]]]:
    """The text with inline code spans and HTML comments blanked (they are not prose to read), and the
    ``(kind, start, end, inner_start, inner_end)`` of every code block (kind ``code``) and display formula
    (``display``, or ``unclosed``), in order. The inner span of an environment includes its \\begin, \\end.
    In the LaTeX dialect there are no code spans, fences or HTML comments (a backtick is a quote mark), and
    ``$$`` is always display math; in Markdown a ``$$...$$`` with prose beside it on its line is inline math."""
    masked = list(text)
    regions: list[tuple[str, int, int, int, int]] = []
    indented = _indented_code_blocks(text) if dialect == MARKDOWN else []
    i, n = 0, len(text)
    while i < n:
        m = _OPENERS.search(text, i)
        if m is None:
            break
        block = next(((a, b) for a, b in indented if a <= m.start() < b), None)
        if block is not None:
            i = block[1]
            continue
        if dialect == LATEX and (m.group("fence") or m.group("code") or m.group("html")):
            i = m.end()
            continue
        fence = _fence(text, m)
        if fence is not None:
            regions.append(fence)
            if fence[0] == "unclosed":
                break
            i = fence[2]
        elif m.group("code") or m.group("fence"):
            run = m.group("code") or m.group("mark")
            close = re.compile(r"(?<!`)" + run + r"(?!`)").search(text, m.end())
            if close is None or _BLANK_LINE.search(text, m.end(), close.start()):
                i = m.end()  # a lone backtick run is literal text
                continue
            masked[m.start():close.end()] = " " * (close.end() - m.start())
            i = close.end()
        elif m.group("html"):
            end = _comment_end(text, m.end())
            if end is None:
                i = m.end()  # a comment never closed is literal text: what follows is still read
                continue
            masked[m.start():end] = [c if c == "\n" else " " for c in text[m.start():end]]
            i = end
        elif m.group("display"):
            closer = "$$" if m.group("display") == "$$" else "\\]"
            close = text.find(closer, m.end())
            if close < 0:
                regions.append(("unclosed", m.start(), n, m.end(), n))
                break
            if closer == "$$" and dialect == MARKDOWN and _inline_double_dollars(text, m.start(), close + 2):
                i = close + 2  # kramdown: $$...$$ inside a line of prose is inline math, read with the prose
                continue
            regions.append(("display", m.start(), close + 2, m.end(), close))
            i = close + 2
        else:
            finish = _matching_end(text, m.group("name"), m.end())
            if finish is None:
                regions.append(("unclosed", m.start(), n, m.start(), n))
                break
            regions.append(("display", m.start(), finish.end(), m.start(), finish.end()))
            i = finish.end()
    for a, b in indented:
        if not any(start <= a < end for _, start, end, _, _ in regions):
            regions.append(("code", a, b, a, b))
    return "".join(masked), sorted(regions, key=lambda region: region[1])


_LIST_ITEM = re.compile(r"^( {0,3}(?:[-*+]|\d{1,9}[.)]))([ \t]+|$)")


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def _indented_code_blocks(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each CommonMark indented code block: lines indented by four spaces or a tab more than
    the content of the list item they are in (none: the margin) after a blank line. MathJax does not render
    them: their math and prose are not read."""
    blocks, start, offset, after_blank, column, last_code_end = [], None, 0, True, 0, None
    for line in text.splitlines(keepends=True):
        blank = not line.strip()
        code = not blank and _indent(line) >= column + 4
        if start is not None and not blank and not code:
            blocks.append((start, last_code_end))
            start = None
        if start is None and not blank:
            if code and after_blank:
                start = offset
            elif not code:
                item = _LIST_ITEM.match(line.expandtabs(4))
                if item is not None:
                    column = len(item.group(1)) + max(1, min(len(item.group(2)), 4))
                elif after_blank and _indent(line) < column:
                    column = 0  # a paragraph at the margin ends the list
        if start is not None and not blank:
            last_code_end = offset + len(line.rstrip("\n"))
        after_blank = blank
        offset += len(line)
    if start is not None:
        blocks.append((start, last_code_end))
    return blocks


_LINE_MARKERS = re.compile(r"^[ \t]*(?:(?:>[ \t]?)+|(?:[-*+]|\d+[.)])[ \t]+)*[ \t]*$")
_AFTER_DISPLAY = re.compile(r"^[ \t.,;:!?)\]]*(?:\(\s*[\w.*'†‡-]{1,8}\s*\)[ \t.,;:]*)?$")  # "$$...$$ (1)": a number
_OTHER_DISPLAYS = re.compile(r"\$\$[^$]*\$\$")


def _inline_double_dollars(text: str, start: int, end: int) -> bool:
    """Whether the ``$$...$$`` at ``text[start:end]`` stands inside a line of prose: on one line, with text
    before it (other than list and quote markers) or after it (other than punctuation or an equation number
    such as ``(1)``). A ``$$`` block over several lines is a display wherever it opens."""
    if "\n" in text[start:end]:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = _OTHER_DISPLAYS.sub(" ", text[line_start:start])  # "$$a = b$$ $$c = d$$": two displays, no prose
    after = _OTHER_DISPLAYS.sub(" ", text[end:line_end])
    return not _LINE_MARKERS.match(before) or not _AFTER_DISPLAY.match(after)


def _fence(text: str, m: re.Match) -> tuple[str, int, int, int, int] | None:
    """The region of the fenced block opened by ``m`` (CommonMark): None when it is no fence (a backtick
    fence's info string has no backtick, so "```code``` ..." is an inline code span); a ```` ```math ````
    block is a display formula (GitHub renders it), any other one code. The closing fence is a line of at
    least as many of the same marks and nothing else; a block never closed runs to the end of the text."""
    if not m.group("fence"):
        return None
    mark = m.group("mark")
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    info = text[m.end():line_end].strip()
    if mark[0] == "`" and "`" in info:
        return None
    closing = re.compile(r"^ {0,3}" + re.escape(mark[0]) + "{%d,}[ \t]*$" % len(mark), re.M).search(text, line_end)
    is_math = info.split(" ", 1)[0].lower() == "math" if info else False
    if closing is None:
        return ("unclosed" if is_math else "code", m.start(), len(text), line_end, len(text))
    return ("display" if is_math else "code", m.start(), closing.end(), min(line_end + 1, closing.start()),
            closing.start())


def _comment_end(text: str, start: int) -> int | None:
    """Where the HTML comment whose ``<!--`` ends at ``start`` ends: ``<!-->`` and ``<!--->`` are empty
    comments; None when no ``-->`` closes it."""
    for empty in (">", "->"):
        if text.startswith(empty, start):
            return start + len(empty)
    close = text.find("-->", start)
    return None if close < 0 else close + 3


def _matching_end(text: str, name: str, start: int):
    """The ``\\end{name}`` that closes a ``\\begin{name}`` opened before ``start`` (nested ones counted)."""
    pattern = re.compile(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}")
    depth = 1
    for m in pattern.finditer(text, start):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return m
    return None


# ---------------------------------------------------------------- prose: declarations


_INLINE = re.compile(r"(?<![\\$])\$\$(?P<double>[^$\n]+?)\$\$"
                     r"|(?<![\\$])\$(?P<dollar>[^$\n]+?)\$(?!\$)|\\\((?P<paren>.+?)\\\)", re.S)


def _inline_maths(prose: str):
    """(start, end, math_start, math) of every inline formula ``$...$``, ``\\(...\\)`` or (kramdown, inside a
    line of prose) ``$$...$$`` of ``prose``."""
    for m in _INLINE.finditer(prose):
        group = next(name for name in ("double", "dollar", "paren") if m.group(name) is not None)
        yield m.start(), m.end(), m.start(group), m.group(group)


def _read_prose(document: Document, prose: str, base: int, persistent: Context,
                current: Context) -> tuple[Context, Context]:
    """The declarations of a stretch of prose: ``\\sim`` laws and densities, curvatures. A plain statement
    holds from here on (``persistent``); a hypothesis ("if $\\epsilon \\sim N(0, 1)$", "when $f$ is concave")
    only for the next formula (``current``); a negated, hedged or questioned one declares nothing, and the
    report says so where it matters."""
    heading = _signed_heading(document, base, len(prose))
    if heading is not None:  # the prose before it, the signs it revokes, then the prose after it
        begin, cut, signs, note = heading  # (the prose before it is read without the heading: no recursion)
        persistent, current = _read_prose(document, prose[:begin - base], base, persistent, current)
        for names, assumptions in signs:
            _apply_sign(names, assumptions, note, NOT_DECLARED, persistent, current)
        return _read_prose(document, prose[cut - base:], cut, persistent, current)
    persistent, current = persistent.copy(), current.copy()
    marked, functions = _marked(document, prose, base)
    moods = _moods(marked)
    maths = [math for _, _, _, math in _inline_maths(prose)]
    signed_here: dict[str, set[str]] = {}  # sentence -> the names whose sign its formulas declared
    for number, (_, _, math_start, math) in enumerate(_inline_maths(prose)):
        offset = base + math_start
        line = document.where(document.line_of(offset))  # "line 7" (in a notebook "cell 3, line 2")
        mood = moods.get(number, "")
        _declare_own_constants(prose, math_start, math, mood, persistent, current)  # e, \pi (audit/redefined.py)
        _read_sign_statement(document, marked, number, maths, offset, line, mood, signed_here, persistent, current)
        if mood != NEGATION:  # x \in \mathbb{R}^d, \Sigma \succ 0, z \sim N(\mu, \Sigma): vectors and matrices
            for target in (persistent, current):  # (Σ ≻ 0 not from a question or a hedge)
                matrix_reader.declare(math, target, f"{line}: {math.strip()}", definite=mood not in (QUESTION, HEDGE) and
                                      not matrix_reader.questioned(prose, math_start, hypothesis=target is current))
        scale = _normal_scale_stated(prose, math_start, math)
        if scale and mood != NEGATION:
            for target in (persistent, current):
                target.normal_scale = f"{line}: the prose calls a parameter of N(...) a standard deviation"
        for part_start, part in top_level_parts(math):
            part = _equation_as_law(part)  # "let $q(z) = N(m, s^2)$": the density declared Gaussian
            if "\\sim" not in part:
                continue
            if mood in (NEGATION, NOT_DECLARED):
                why = "a negation" if mood == NEGATION else "not a plain declarative sentence"
                note = f"{line}: `{part.strip()}` is not read as a declaration ({why})"
                _refuse_declaration(persistent, part, note)
                _refuse_declaration(current, part, note)
                if mood == NOT_DECLARED:
                    _tentative_law(document, current, part, offset + part_start, line, note)
                continue
            targets = (current,) if mood else (persistent, current)
            if matrix_reader.multivariate_law(part, current):
                continue  # z \sim N(\mu, \Sigma): vectors and a covariance matrix (declared above), no scalar law
            for target in targets:
                status, what = _declare(target, part, offset + part_start, line)
                if status == "declared" and mood:
                    _mark_hypothesis(target, mood)
            if status == "other" and _NAMED_LAW.match(part.split("\\sim", 1)[1]):
                for target in targets:  # z ~ U(0, φ): a law is stated, not read; no Gaussian or arbitrary law either
                    _refuse_declaration(target, part, f"{line}: `{part.strip()}` states a law mathcheck does not "
                                                      f"read (only N(mean, variance))")
            if status == "refused":
                document.problems.append(Unparsed(f"a declaration in the prose cannot be used: {what}", part.strip(),
                                                  offset + part_start, offset + part_start + len(part)))
                _unreadable_law(document, targets, part, f"{line}: `{part.strip()}` cannot be used ({what})")
    _declare_split_laws(document, prose, base, marked, moods, persistent, current)
    _declare_curvatures(marked, functions, persistent, current)
    _declare_density_letters(marked, [math for _, _, _, math in _inline_maths(prose)], moods, persistent, current)
    _declare_sign_words(marked, maths, functions, moods, persistent, current, signed_here, document)
    _declare_reparametrizations(marked, [math for _, _, _, math in _inline_maths(prose)], functions, moods,
                                persistent, current)
    _declare_datasets(marked, [math for _, _, _, math in _inline_maths(prose)], functions, moods, persistent, current)
    starts = [math_start for _, _, math_start, _ in _inline_maths(prose)]
    plain = {start for number, start in enumerate(starts) if moods.get(number, "") not in (NEGATION, QUESTION, HEDGE)}
    for target in (persistent, current):  # "$\Sigma$ is a $d\times d$ covariance matrix"
        matrix_reader.declare_sentences(prose, target, document.where(document.line_of(base)), plain)
    return persistent, current


def _declare_own_constants(prose: str, math_start: int, math: str, mood: str, persistent: Context,
                           current: Context) -> None:
    """``e`` and ``\\pi`` that the prose gives the document's own meaning (audit/redefined.own_constants) read as
    real symbols from here on; a negation or a question gives them none."""
    if mood in (NEGATION, QUESTION):
        return
    before = re.split(r"[.!?](?=\s)|\n\s*\n", prose[:math_start])[-1]
    names = own_constants(math, before, prose[math_start + len(math):].lstrip("$\\)"))
    for target in (persistent, current):
        target.own_constants |= names


# "$g(x|z)$ is Gaussian", "let $f$ be a density", "the density $r(z)$", "$\pi$ は分布": the letter names a density
_DENSITY_MATH = re.compile(r"\s*([A-Za-z]|\\[A-Za-z]+)\s*(?:_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?\s*"
                           r"(?:(?:\\left\s*)?\([^()]*(?:\\right\s*)?\))?\s*")
_DENSITY_KIND_EN = (r"(?:(?:conditional|joint|marginal|probability|prior|posterior|approximate|variational|"
                    r"gaussian|normal|true|unknown)\s+)*(?:density|densities|distribution|distributions|pdf|gaussian|normal)\b")
_DENSITY_AFTER_EN = re.compile(r"⟦(\d+)⟧\s+(?:is|are|be|denotes?)\s+(?:also\s+)?(?:(?:a|an|the|some)\s+)?"
                               + _DENSITY_KIND_EN, re.I)
_DENSITY_BEFORE_EN = re.compile(r"\b(?:density|distribution|pdf)\s+⟦(\d+)⟧", re.I)
_DENSITY_AFTER_JA = re.compile(r"⟦(\d+)⟧\s*(?:は|が|を)[^。⟦]*?(?:確率密度|密度|分布|ガウス|正規)")
_DENSITY_BEFORE_JA = re.compile(r"(?:確率密度|密度|分布)(?:関数)?\s*⟦(\d+)⟧")


def _declare_density_letters(marked: str, maths: list[str], moods: dict[int, str], persistent: Context,
                             current: Context) -> None:
    """The letters the prose declares as densities (Context.density_letters): a plain statement for what
    follows, a hypothesis for the next formula only; a negated, hedged or questioned one declares nothing."""
    for pattern in (_DENSITY_AFTER_EN, _DENSITY_BEFORE_EN, _DENSITY_AFTER_JA, _DENSITY_BEFORE_JA):
        for m in pattern.finditer(marked):
            k = int(m.group(1))
            named = _DENSITY_MATH.fullmatch(maths[k]) if k < len(maths) else None
            letter = named.group(1).lstrip("\\") if named else None
            if letter is None or (named.group(1).startswith("\\") and letter not in GREEK and letter != "pi"):
                continue
            mood = moods.get(k, "")
            if mood in (NEGATION, NOT_DECLARED, QUESTION, HEDGE):
                continue
            for target in ((current,) if mood == HYPOTHESIS else (persistent, current)):
                target.density_letters.add(letter)


def _declare_reparametrizations(marked: str, maths: list[str], functions, moods: dict[int, str],
                                persistent: Context, current: Context) -> None:
    """``z = g_\\phi(\\epsilon, x)`` with ``\\epsilon \\sim p(\\epsilon)`` (or ``N(0, 1)``) in one sentence: z is
    reparametrized (Context.reparametrizations: the law of the unconscious statistician and the pathwise
    gradient use it). The law of z is the density of z the sentence names (``z \\sim q_\\phi(z|x)``, or a
    density of z alone), else the one a declaration gave z's density (checked then). A negated, hedged or
    questioned sentence declares nothing; a hypothesis only for the next formula."""
    sentences = []  # (sentence, its laws, its assignments, the densities it writes alone): plain ones only
    for sentence in _SENTENCE_BREAK.split(marked):
        numbers = [int(k) for k in _MARKER.findall(sentence)]
        if not numbers or not _plain_statement(sentence):
            continue
        if any(moods.get(k, "") in (NEGATION, QUESTION, HEDGE) for k in numbers):
            continue
        written = [maths[k] for k in numbers if k < len(maths)]
        if not any("\\sim" in math for math in written):
            continue  # no law here: an assignment needs its noise's law in its sentence (prose math is plentiful)
        laws, assignments, alone = {}, [], []
        for k in numbers:
            for _, part in top_level_parts(maths[k] if k < len(maths) else ""):
                _reparametrization_part(part, current, laws, assignments, alone)
        sentences.append((sentence, numbers, laws, assignments, alone))
    stated = {}  # "z ~ q(z|x)" anywhere in the plain prose of this stretch: z's law
    for _, _, laws, _, _ in sentences:
        for variable, law in laws.items():
            stated.setdefault(variable, law)
    for sentence, numbers, laws, assignments, alone in sentences:
        line = _sentence_line(sentence, functions)
        hypothesis = any(moods.get(k, "") == HYPOTHESIS for k in numbers) or bool(
            _HYPOTHESIS_EN.search(_MARKER.sub(" ", sentence)) or _HYPOTHESIS_JA.search(_MARKER.sub(" ", sentence)))
        for variable, transform in assignments:
            used = [e for e in laws if e != variable and transform.has(e)]
            if len(used) != 1:
                continue
            (noise_variable,) = used
            noise = laws[noise_variable]
            labels = {call.func.__name__.partition("_")[2] for call in transform.atoms(sp.core.function.AppliedUndef)}
            written = [d for d in alone if tuple(d.variables) == (variable,) and (  # "the encoder q_φ(z|x) ... z = g_φ(ε)"
                (d.label and d.label in labels) or (d.given and all(transform.has(v) for v in d.given)))]
            law = laws.get(variable) or stated.get(variable) or (written[0] if len(set(written)) == 1 else None)
            for target in ((current,) if hypothesis else (persistent, current)):
                target.reparametrizations[variable] = (transform, noise, law)
                target.notes[("reparametrization", variable)] = (
                    f"{line}: {variable} = {sp.sstr(transform)}, {noise_variable} ~ {sp.sstr(noise)}"
                    + (f", {variable} ~ {sp.sstr(law)}" if law is not None else "")
                    + (f" ({HYPOTHESIS}: for the next formula only)" if hypothesis else ""))


_IID = re.compile(r"\bi\.\s?i\.\s?d\b|\biid\b|independent(?:ly)?\s+and\s+identically\s+distributed|"
                  r"independent(?:ly)?\s+(?:drawn|sampled|samples?|observations?|data\s+points?)|独立同分布|独立に同一", re.I)
_POINT_BASE = r"(?:[a-zA-Z]|\\(?:mathbf|boldsymbol|bm)\{[a-zA-Z]\})"
_DATASET_NAME = r"(?P<name>\\mathcal\{[A-Z]\}|\\mathbf\{[A-Z]\}|[A-Z])\s*=\s*"
_DATA_SET = re.compile(
    rf"(?:{_DATASET_NAME})?\\\{{\s*(?P<base>{_POINT_BASE})\^\{{\((?P<i>[a-z])\)\}}\s*\\\}}"
    r"_\{?\s*(?P=i)\s*=\s*1\s*\}?\^\{?\s*(?P<N>[A-Za-z]|\d+)\s*\}?\s*")
_DATA_LIST = re.compile(
    rf"(?:{_DATASET_NAME}\\\{{)?\s*(?P<base>{_POINT_BASE})\^\{{\(1\)\}}\s*,\s*\\[lc]?dots\s*,\s*(?P=base)"
    r"\^\{\((?P<N>[A-Za-z]|\d+)\)\}\s*(?:\\\})?\s*")
_DATA_SET_SUBSCRIPTS = re.compile(  # {x_i}_{i=1}^N, x_1, ..., x_N: data points written with a subscript
    rf"(?:{_DATASET_NAME})?\\\{{\s*(?P<base>{_POINT_BASE})_\{{?(?P<i>[a-z])\}}?\s*\\\}}"
    r"_\{?\s*(?P=i)\s*=\s*1\s*\}?\^\{?\s*(?P<N>[A-Za-z]|\d+)\s*\}?\s*")
_DATA_LIST_SUBSCRIPTS = re.compile(
    rf"(?:{_DATASET_NAME}\\\{{)?\s*(?P<base>{_POINT_BASE})_\{{?1\}}?\s*,\s*\\[lc]?dots\s*,\s*(?P=base)"
    r"_\{?(?P<N>[A-Za-z]|\d+)\}?\s*(?:\\\})?\s*")


def _declare_datasets(marked: str, maths: list[str], functions, moods: dict[int, str], persistent: Context,
                      current: Context) -> None:
    """``$\\mathcal{D} = \\{x^{(i)}\\}_{i=1}^N$ i.i.d.``, ``$x^{(1)}, \\dots, x^{(N)}$ are i.i.d.``: the data set D of N
    i.i.d. points (Context.datasets: p(D) = Π_i p(x^{(i)})). A negated, hedged or questioned sentence declares
    nothing."""
    from mathcheck.audit.matrix_reader import dimension
    for sentence in _SENTENCE_BREAK.split(marked):
        numbers = [int(k) for k in _MARKER.findall(sentence)]
        plain = _MARKER.sub(" ", sentence)
        if not numbers or not _IID.search(plain) or not _plain_statement(sentence) or \
                _HYPOTHESIS_EN.search(plain) or _HYPOTHESIS_JA.search(plain):
            continue
        if any(moods.get(k, "") in (NEGATION, QUESTION, HEDGE) for k in numbers):
            continue
        for k in numbers:
            math = re.sub(r"\\(?:left|right|big|Big)(?=[\\{}.])|\\[,;! ]", "", maths[k] if k < len(maths) else "")
            found = _DATA_SET.fullmatch(math.strip()) or _DATA_LIST.fullmatch(math.strip())
            subscripts = None if found else (_DATA_SET_SUBSCRIPTS.fullmatch(math.strip()) or
                                             _DATA_LIST_SUBSCRIPTS.fullmatch(math.strip()))
            if subscripts is not None:  # x_i under a sum over i is the i-th data point, not a component
                found = subscripts
                point = parse_expression(found.group("base"), Context())
                for target in (persistent, current):
                    target.data_points[getattr(point, "name", found.group("base"))] = dimension(found.group("N"))
            if found is None:
                continue
            name = found.group("name") or ""
            symbol = parse_expression(name, Context()) if name else None
            key = symbol.name if isinstance(symbol, (sp.Symbol, NameRef)) else name
            base = parse_expression(found.group("base"), Context())
            for target in (persistent, current):
                target.datasets[key] = (dimension(found.group("N")), getattr(base, "name", found.group("base")))
                target.notes[("dataset", key)] = (f"{_sentence_line(sentence, functions)}: {name or 'the data'} = "
                                                  f"x^(1..{found.group('N')}), i.i.d.")


def _plain_statement(sentence: str) -> bool:
    """Whether a sentence (its formulas marked) states something plainly: no negation, hedge or question, and
    nothing that calls it a problem, a mistake or a claim (see _NOT_A_STATEMENT_EN)."""
    plain = _MARKER.sub(" ", sentence)
    return not any(pattern.search(plain) for pattern in (_NOT_A_STATEMENT_EN, _NEGATION_EN, _HEDGE_EN, _NEGATION_JA,
                                                         _HEDGE_JA, _QUESTION_JA))


def _reparametrization_part(part: str, context: Context, laws: dict, assignments: list, alone: list) -> None:
    """One comma-separated part of a formula of the prose: ``ε \\sim N(0, 1)``, ``ε \\sim p(ε)``, ``z \\sim
    q(z|x)`` (a variable's law, a density of it), ``z = μ + σ ε`` (an assignment) or a density alone
    (``q_\\phi(z|x)``); anything else is left."""
    if "\\sim" not in part and "=" not in part:
        try:
            density = parse_expression(part, context)
        except (Unparsed, ValueError, TypeError, RecursionError):
            return
        if isinstance(density, Density):
            alone.append(density)
        return
    if "\\sim" in part:
        left, right = part.split("\\sim", 1)
        try:
            subject, law = parse_expression(left, context), parse_expression(right, context)
        except (Unparsed, ValueError, TypeError, RecursionError):
            return
        if not isinstance(subject, sp.Symbol):
            return
        if isinstance(law, Normal) and law.variable != subject and not law.has(subject):
            law = Normal(subject, law.mean, law.std)  # ε ~ N(0, 1): the Gaussian density of ε
        if isinstance(law, Normal) and law.variable == subject or \
                isinstance(law, Density) and tuple(law.variables) == (subject,):
            laws.setdefault(subject, law)
        return
    sides = re.split(r"(?<![<>!:\\])=(?!=)", part)
    if len(sides) != 2:
        return
    try:
        variable, transform = parse_expression(sides[0], context), parse_expression(sides[1], context)
    except (Unparsed, ValueError, TypeError, RecursionError):
        return
    if isinstance(variable, sp.Symbol) and not transform.has(variable) and transform.free_symbols:
        assignments.append((variable, transform))


_NAME_LIST = r"\s*(?P<names>[^<>=≥≤]+?)\s*"
_SIGN = re.compile(_NAME_LIST + r"(?P<relation>>|\\gt\b|\\geq?\b|\\geqslant\b|≥|>=)\s*(?P<bound>\d+(?:\.\d+)?)\s*\.?\s*$")
_POSITIVE_SET = re.compile(_NAME_LIST + r"\\in\s*(?:\(\s*0\s*,\s*\\infty\s*\)|\\mathbb\s*\{\s*R\s*\}\s*"
                           r"(?:_\s*\{?\s*(?:>\s*0|\+)\s*\}?|\^\s*\{?\s*\+\s*\}?))\s*\.?\s*$")


def _declare_sign(document: Document, math: str, offset: int, line: str, mood: str, persistent: Context,
                  current: Context) -> None:
    """``$\\sigma > 0$``, ``$\\sigma, \\tau > 0$``, ``$s \\geq 0$``, ``$\\sigma \\in (0, \\infty)$`` declare the sign of
    names for what follows (only for the next formula when a hypothesis; a negation declares nothing)."""
    found = _SIGN.match(math) or _POSITIVE_SET.match(math)
    if found is not None and mood == NOT_DECLARED:
        _tentative_sign(document, found, math, line, persistent, current)
    if found is None or mood in (NEGATION, NOT_DECLARED):
        return
    signed = _signed_names(found)
    if signed is None:
        return
    names, bound, strict = signed
    note = f"{line}: {math.strip()}" + (f" ({mood}: for the next formula only)" if mood else "")
    for target in ((current,) if mood else (persistent, current)):
        for name in names:
            if bound == 0:
                target.declare_symbol(name, note, **({"positive": True} if strict else {"nonnegative": True}))
            else:  # β ≥ 1: β reads as 1 + δ with δ ≥ 0 (sympy has no assumption β ≥ 1)
                target.declare_bound(name, bound, strict, note)


_RELATIONS = {">": ">", "\\gt": ">", "\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=", "≥": ">=", ">=": ">=",
              "<": "<", "\\lt": "<", "\\leq": "<=", "\\le": "<=", "\\leqslant": "<=", "≤": "<=", "<=": "<=",
              "\\neq": "!=", "\\ne": "!=", "≠": "!="}
_RELATION_SPLIT = re.compile(r"(>=|<=|>|<|≥|≤|≠|\\(?:geqslant|leqslant|geq|leq|neq|gt|lt|ge|le|ne)(?![A-Za-z]))")
_NUMBER = re.compile(r"\s*(-?\s*\d+(?:\.\d+)?)\s*")
_IN_SET = re.compile(r"(?P<names>[^<>=≥≤]+?)\\in(?![A-Za-z])(?P<set>.*)")
_INTERVAL = re.compile(r"\s*(?:\\left\s*)?(?P<open>[(\[])\s*(?P<lo>-?\s*\d+(?:\.\d+)?|-\s*\\infty)\s*,\s*"
                       r"(?P<hi>-?\s*\d+(?:\.\d+)?|\+?\s*\\infty)\s*(?:\\right\s*)?(?P<close>[)\]])\s*")
_REAL_HALF = re.compile(r"\s*\\mathbb\s*\{\s*R\s*\}\s*_\s*\{?\s*(?P<sub>-|<\s*0|\\leq?\s*0|≤\s*0|\\geq?\s*0|≥\s*0)\s*\}?\s*")
_REALS = re.compile(r"\s*\\mathbb\s*\{\s*R\s*\}\s*|\s*ℝ\s*")
_SIGN_WORDS = re.compile(r"⟦(?P<k>\d+)⟧\s+(?:(?:may|can|could|might|will|must|now|again|henceforth|also|still|instead|"
                         r"simply|just)\s+)*(?:be|is|are|denotes?)\s+(?:(?:now|again|henceforth|instead|simply|just)\s+)?"
                         r"(?:(?:a|an|any|some|arbitrary|every|all)\s+)*"
                         r"(?P<kind>(?:strictly\s+)?(?:positive|negative)|non-?negative|non-?positive|non-?zero|real|number|"
                         r"numbers|scalar|scalars)(?:\s+(?:real\s+)?(?:numbers?|scalars?|constants?|parameters?))?"
                         r"(?=\s*(?:[.,;:]|$|and\b|for\b|here\b|throughout\b|from\b))"
                         r"|\b(?:for|let)\s+(?:any|all|every|each|arbitrary|some)\s+real\s+(?:numbers?\s+)?⟦(?P<any>\d+)⟧", re.I)
_SIGN_ADJECTIVE = re.compile(r"\b(?P<kind>(?:strictly\s+)?(?:positive|negative)|non-?negative|non-?positive|"
                             r"non-?zero)\s+(?:(?:real|values?\s+of|choices?\s+of)\s+)?⟦(?P<k>\d+)⟧", re.I)
_WORD_SIGNS = {"real": {}, "number": {}, "numbers": {}, "scalar": {}, "scalars": {}, "positive": {"positive": True},
               "negative": {"negative": True}, "nonnegative": {"nonnegative": True}, "nonpositive": {"nonpositive": True},
               "nonzero": {"nonzero": True}}


def _sign_of_declaration(math: str) -> tuple[list[str], dict | None] | None:
    """The names a sign declaration that ``_SIGN`` and ``_POSITIVE_SET`` do not read is about, and the
    assumptions it gives them: ``a < 0`` negative, ``a \\le 0`` nonpositive, ``a \\neq 0`` nonzero, ``0 < a < 1``
    positive, ``a \\in (-\\infty, 0)`` negative; {} (any real) for ``a \\in \\mathbb{R}``; None for a bound no sympy
    assumption holds (``a < 1``, ``a \\in [-1, 1]``). None when ``math`` is no such declaration."""
    math = math.strip().rstrip(".").strip()
    member = _IN_SET.fullmatch(math)
    if member is not None:
        names = _declared_names(member.group("names"))
        return (names, _set_sign(member.group("set"))) if names else None
    pieces = _RELATION_SPLIT.split(math)
    if len(pieces) not in (3, 5):
        return None
    relations = [_RELATIONS[r] for r in pieces[1::2]]
    lower, upper, nonzero = None, None, False
    if len(pieces) == 5:  # 0 < a < 1
        names, low, high = _declared_names(pieces[2]), _NUMBER.fullmatch(pieces[0]), _NUMBER.fullmatch(pieces[4])
        if not names or low is None or high is None or any(r not in ("<", "<=") for r in relations):
            return None
        lower, upper = (_number(low), relations[0] == "<"), (_number(high), relations[1] == "<")
    else:
        flipped = _NUMBER.fullmatch(pieces[0]) is not None  # 0 < a reads a > 0
        names = _declared_names(pieces[2] if flipped else pieces[0])
        bound = _NUMBER.fullmatch(pieces[0] if flipped else pieces[2])
        if not names or bound is None:
            return None
        relation = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "!=": "!="}[relations[0]] if flipped else relations[0]
        value = _number(bound)
        if relation == "!=":
            nonzero = value == 0
        elif relation in (">", ">="):
            lower = (value, relation == ">")
        else:
            upper = (value, relation == "<")
    return names, _bounds_sign(lower, upper, nonzero)


def _number(found: re.Match) -> sp.Rational:
    return sp.Rational(found.group(1).replace(" ", ""))


def _declared_names(text: str) -> list[str]:
    """The names of a comma-separated list of plain names (``a``, ``\\sigma, \\tau``); [] for anything else."""
    names = []
    for part in text.split(","):
        try:
            symbol = parse_expression(part, Context(own_constants={"e", "pi"}))  # e, \pi: names where owned
        except (Unparsed, ValueError, TypeError, RecursionError):
            return []
        if not isinstance(symbol, sp.Symbol):
            return []
        names.append(symbol.name)
    return names


def _bounds_sign(lower, upper, nonzero: bool) -> dict | None:
    """The sympy assumptions that a lower / upper bound (value, strict) and ``≠ 0`` give a real name."""
    if lower is not None and (lower[0] > 0 or lower[0] == 0 and lower[1]):
        return {"positive": True}
    if lower is not None and lower[0] == 0:
        return {"nonnegative": True}
    if upper is not None and (upper[0] < 0 or upper[0] == 0 and upper[1]):
        return {"negative": True}
    if upper is not None and upper[0] == 0:
        return {"nonpositive": True}
    return {"nonzero": True} if nonzero else None


def _set_sign(written: str) -> dict | None:
    """The sign of the members of a set as written after ``\\in``: an interval with numeric ends, a half line of
    the reals; None (plain reals) for any other set."""
    interval = _INTERVAL.fullmatch(written.rstrip(".").strip())
    if interval is not None:
        ends = [None if "infty" in interval.group(end) else sp.Rational(interval.group(end).replace(" ", ""))
                for end in ("lo", "hi")]
        lower = (ends[0], interval.group("open") == "(") if ends[0] is not None else None
        upper = (ends[1], interval.group("close") == ")") if ends[1] is not None else None
        return _bounds_sign(lower, upper, False)
    half = _REAL_HALF.fullmatch(written.rstrip(".").strip())
    if half is None:
        return {} if _REALS.fullmatch(written.rstrip(".").strip()) else None
    sub = half.group("sub").replace(" ", "")
    if sub == "-" or sub.startswith("<"):
        return {"negative": True}
    return {"nonpositive": True} if "le" in sub or "≤" in sub else {"nonnegative": True}


_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t][^\n]*$|\\(?:sub)*section\*?\s*\{[^\n]*\}|\\paragraph\*?\s*\{[^\n]*\}", re.M)


def _signed_heading(document: Document, base: int, length: int) -> tuple[int, int, list, str] | None:
    """The first heading of the prose at ``base`` that writes signs (``## The case $a < 0$``): (its offset, the
    offset after it, the (names, assumptions) it writes, the note). A heading declares nothing, yet a sign it contradicts (or
    "any real") no longer holds after it (see _apply_sign)."""
    for heading in _HEADING_LINE.finditer(document.text, base, base + length):
        signs = [found for _, _, _, math in _inline_maths(heading.group())
                 if (found := _sign_of_declaration(math)) is not None]
        if signs:
            line = document.where(document.line_of(heading.start()))
            return heading.start(), heading.end(), signs, f"{line}: {heading.group().strip()} (a heading)"
    return None


_ANEW = re.compile(r"\b(?:let|assume|assuming|suppose|take|fix|consider|now|set|henceforth|throughout)\b|from\s+now\s+on",
                   re.I)


def _sentence_of(marked: str, number: int) -> str:
    return next((s for s in _SENTENCE_BREAK.split(marked) if _MARK.format(number) in s), "")


def _sentence_signs(marked: str, number: int, maths: list[str]) -> set[str]:
    """The names whose sign another formula of the sentence of formula ⟦number⟧ declares (``Let $a > 0$ and
    $a < 1$``: one statement, both hold)."""
    sentence = _sentence_of(marked, number)
    names: set[str] = set()
    for k in map(int, _MARKER.findall(sentence)):
        found = (_SIGN.match(maths[k]) or _POSITIVE_SET.match(maths[k])) if k != number and k < len(maths) else None
        names |= set(_declared_names(found.group("names"))) if found else set()
    return names


def _replace_sign(math: str, conjoined: set[str], anew: bool, line: str, mood: str, persistent: Context,
                  current: Context) -> None:
    """A later sign declaration about a name replaces the earlier one from here on (``Let $a > 0$`` ... ``Let
    $a < 0$``): the name reads with the new assumptions (a < 0: negative), or as a plain real where sympy has
    none for it (a ∈ ℝ, a < 1). A negation declares nothing; a hypothesis only for the next formula; a sentence
    that is no plain declaration gives no new sign, yet an earlier sign it contradicts no longer holds."""
    if _SIGN.match(math) or _POSITIVE_SET.match(math) or mood == NEGATION:
        return
    found = _sign_of_declaration(math)
    if found is not None:
        _apply_sign(found[0], found[1], f"{line}: {math.strip()}", mood, persistent, current, conjoined, anew)


def _apply_sign(names: list[str], assumptions: dict | None, note: str, mood: str, persistent: Context,
                current: Context, conjoined: set[str] = frozenset(), anew: bool = True) -> None:
    """Declare (or replace) the sign of ``names``; {} assumptions: any real. A later statement about a declared
    name replaces its sign when it contradicts it, says "any real", or declares anew (``Let``, ``Assume``, ``Now``)
    in a plain sentence; in the sentence that declared the sign, or as a consequence (``hence $a \\neq 0$``), a
    statement it implies or allows leaves the sign as it is."""
    plain = mood in ("", HYPOTHESIS)
    for target in ((current,) if mood == HYPOTHESIS else (persistent, current)):
        for name in names:
            before = target.symbols.get(name)
            declared = before is not None or name in target.bounded
            if not declared and not (plain and assumptions):
                continue  # nothing to replace, nothing to declare
            contradicts = declared and not _compatible(before, assumptions)
            if declared and name in conjoined and not contradicts:
                continue  # $a > 0$ and $a < 1$ in one sentence: both hold, the sign stays
            if declared and not contradicts and assumptions != {} and not (plain and anew):
                continue  # a consequence or a passing remark that the declared sign allows
            new = assumptions if plain and assumptions and not (declared and name in conjoined) else {}
            replaced = " (replaces the earlier sign declaration)" if declared else ""
            target.declare_symbol(name, note + replaced + (f" ({mood}: for the next formula only)" if mood else ""),
                                  **new)


def _compatible(before: sp.Symbol | None, assumptions: dict | None) -> bool:
    """Whether a declared name (``before``; None for a bound β ≥ 1) can also satisfy ``assumptions`` (None: any
    real, some upper bound): a positive name is nonzero, any real; not negative."""
    if not assumptions:
        return True
    positive = before is None or before.is_positive
    nonnegative = before is None or before.is_nonnegative
    if "negative" in assumptions or "nonpositive" in assumptions:
        return not (positive or (nonnegative and "negative" in assumptions))
    return True


# What a later sentence says about a name whose sign is declared: the sign holds only while nothing later says
# anything else about the name's sign or value (_revise_signs); a clean new declaration replaces it (above).
_SIGN_SETS = {"positive": sp.Interval.open(0, sp.oo), "negative": sp.Interval.open(-sp.oo, 0),
              "nonnegative": sp.Interval(0, sp.oo), "nonpositive": sp.Interval(-sp.oo, 0),
              "nonzero": sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo))}
_WITHDRAWAL = re.compile(
    r"\b(?:no\s+longer|any\s*more|any\s+longer|drop(?:s|ped|ping)?|remov(?:e|es|ed|ing)|lift(?:s|ed|ing)?|"
    r"relax(?:es|ed|ing)?|discard(?:s|ed|ing)?|abandon(?:s|ed|ing)?|withdraw(?:s|n|ing)?|forget(?:ting)?|"
    r"revok(?:e|es|ed|ing)|retract(?:s|ed|ing)?|waiv(?:e|es|ed|ing)|without(?!\s+loss))\b", re.I)
_CONSEQUENCE = re.compile(r"\b(?:hence|so|thus|therefore|since|because|as|then|particular|implies|implied|follows?|"
                          r"recall|note|clearly|obviously|i\.e|ensures?|guarantees?|gives)\b", re.I)
_ALTERNATIVE = re.compile(r"\b(?:instead\s+of|rather\s+than)\s+[^⟦.;:,]*?(?:,|(?=[.;:]|$))|\binstead\b(?!\s+of)|"
                          r"\brather\b(?!\s+than)|\bwithout\s+loss\s+of\s+generality\b|\bw\.?\s?l\.?\s?o\.?\s?g\b\.?",
                          re.I)  # "rather than a negative value," names no formula
_HYPHENATED_SIGN = re.compile(r"\bnon-(?=(?:negative|positive|zero)\b)", re.I)
_SIGN_TALK = re.compile(r"\b(?:positive|negative|nonnegative|nonpositive|nonzero|zero|sign|signs|real|arbitrary)\b",
                        re.I)
_VALUE_STATEMENT = re.compile(r"(?P<name>[^=<>:]+?)\s*(?::=|\\coloneqq(?![A-Za-z])|(?<![<>!\\])=(?![=:]))"
                              r"\s*(?P<value>[^=<>]+)")
_STATED_RELATIONS = {">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le}
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "!=": "!="}
_MAY_STATE = re.compile(r"[<>=≤≥≠]|\\(?:geq?|leq?|gt|lt|neq?|geqslant|leqslant|in|coloneqq)(?![A-Za-z])")


def _read_sign_statement(document: Document, marked: str, number: int, maths: list[str], offset: int, line: str,
                         mood: str, signed_here: dict[str, set[str]], persistent: Context, current: Context) -> None:
    """What inline formula ⟦number⟧ says about signs: a declaration (_declare_sign, _replace_sign), and for a
    name already signed, whether that sign still holds after it (_revise_signs). ``signed_here`` collects, per
    sentence, the names whose sign its formulas declared."""
    math, sentence = maths[number], _sentence_of(marked, number)
    mood = _sign_mood(marked, number, mood)
    stated = _stated_set(math, current) if _any_sign(persistent, current) else None
    before = _sign_snapshot(stated[0], persistent, current) if stated else {}
    entries = (dict(persistent.symbols), dict(persistent.bounded))
    _declare_sign(document, math, offset, line, mood, persistent, current)
    _replace_sign(math, _sentence_signs(marked, number, maths), bool(_ANEW.search(sentence)), line, mood,
                  persistent, current)
    if stated:
        _revise_signs(stated[0], stated[1], sentence, mood, f"{line}: {math.strip()}", before,
                      signed_here.get(sentence, set()), persistent, current, document)
    elif _any_sign(persistent, current):
        _revise_withdrawn_names(math, sentence, mood, f"{line}: {math.strip()}", persistent, current)
    changed = {name for name in set(persistent.symbols) | set(persistent.bounded) | set(entries[0]) | set(entries[1])
               if _sign_entry(persistent, name) != (entries[0].get(name), entries[1].get(name))}
    signed_here.setdefault(sentence, set()).update(changed)


def _signs_after_assignments(document: Document, formula: Formula, context: Context) -> Context:
    """A display assignment ``t := -1`` whose value the declared sign of t does not allow (the step itself is
    refuted against the declaration): from the next formula on, t is a plain real taking the assigned value,
    so that no sign of t simplifies a step before the value is put in (|t| = t after t > 0, t := -1)."""
    revised = None
    for chain in formula.chains:
        if len(chain) != 2 or chain[1].relation != ":=" or chain[0].segment is None or chain[1].segment is None \
                or chain[0].problem is not None or chain[1].problem is not None:
            continue
        names = _declared_names(chain[0].segment.source)
        declared = _declared_set(context, names[0]) if len(names) == 1 else None
        values = _values_of(chain[1].segment.source, context) if declared is not None else None
        if declared is None or (values is not None and _subset(values, declared)):
            continue
        revised = revised or context.copy()
        line = document.where(document.line_of(chain[0].segment.start))
        revised.declare_symbol(names[0], f"{line}: {chain[0].segment.source} := {chain[1].segment.source} (an "
                                         f"assignment the declared sign does not allow: the sign no longer holds)")
    return revised or context


def _sign_mood(marked: str, number: int, mood: str) -> str:
    """The mood of formula ⟦number⟧ as a sign statement: "Let $t \\ge 0$ instead.", "Rather than a negative
    value, take $\\sigma > 0$." and "Let $t$ be non-negative." declare plainly (the alternative they set aside
    is no formula, the hyphen no negation); otherwise the mood _moods reads."""
    if mood not in (NEGATION, NOT_DECLARED):
        return mood
    sentence = _sentence_of(marked, number)
    cleaned = _HYPHENATED_SIGN.sub("non", _ALTERNATIVE.sub(" ", sentence))
    return _moods(cleaned).get(number, mood) if cleaned != sentence else mood


def _any_sign(*targets: Context) -> bool:
    """Whether a name of ``targets`` has a declared sign (or bound)."""
    return any(target.bounded or any(_declared_set(target, name) is not None for name in target.symbols)
               for target in targets)


def _declared_set(target: Context, name: str) -> sp.Set | None:
    """The values the declared sign of ``name`` allows (β ≥ 1: [1, ∞)); None where it has no declared sign."""
    if name in target.bounded:
        value = target.bounded[name]
        excess = next(iter(value.free_symbols))
        return sp.Interval(value.subs(excess, 0), sp.oo, left_open=bool(excess.is_positive))
    symbol = target.symbols.get(name)
    if symbol is None:
        return None
    allowed = sp.S.Reals
    for sign, values in _SIGN_SETS.items():
        if getattr(symbol, f"is_{sign}") is True:
            allowed = sp.Intersection(allowed, values)
    return None if allowed == sp.S.Reals else allowed


def _assumption_set(assumptions: dict) -> sp.Set:
    """The values sympy assumptions ({"positive": True}, {} any real) allow a real name."""
    allowed = sp.S.Reals
    for sign in assumptions:
        allowed = sp.Intersection(allowed, _SIGN_SETS.get(sign, sp.S.Reals))
    return allowed


def _set_assumptions(values: sp.Set) -> dict:
    """The strongest sympy sign assumption that holds on all of ``values``; {} where none does."""
    if values is sp.S.EmptySet:
        return {}
    return next(({sign: True} for sign, allowed in _SIGN_SETS.items() if _subset(values, allowed)), {})


def _subset(inner: sp.Set, outer: sp.Set) -> bool:
    try:
        return inner.is_subset(outer) is True
    except (TypeError, ValueError, NotImplementedError):
        return False


def _stated_set(math: str, context: Context) -> tuple[list[str], sp.Set | None] | None:
    """The plain names a prose formula states something about and the values it allows them: ``t > 0``,
    ``-t \\ge 1``, ``0 < t < 1``, ``t \\neq 0``, ``t \\in (0, \\infty)``, ``t = -1``; for ``t = x^2`` the values
    the known sign of x² allows (None where no sign is known). None when it is no such statement."""
    written = math.strip().rstrip(".,;:").strip()
    if not _MAY_STATE.search(written):
        return None
    member = _IN_SET.fullmatch(written)
    if member is not None:
        names = _declared_names(member.group("names"))
        return (names, _members_of(member.group("set"))) if names else None
    value = _VALUE_STATEMENT.fullmatch(written)
    if value is not None:
        names = _declared_names(value.group("name"))
        return (names, _values_of(value.group("value"), context)) if len(names) == 1 else None
    pieces = _RELATION_SPLIT.split(written)
    if len(pieces) not in (3, 5):
        return None
    found = None
    for left, relation, right in zip(pieces[0::2], pieces[1::2], pieces[2::2]):
        part = _relation_set(left, _RELATIONS[relation], right)
        if part is None or (found is not None and found[0] != part[0]):
            return None
        found = part if found is None else (found[0], sp.Intersection(found[1], part[1]))
    return found


def _relation_set(left: str, relation: str, right: str) -> tuple[list[str], sp.Set] | None:
    """(names, the values they may take) for ``left relation right`` with a number on one side and, on the other,
    a list of plain names or a polynomial of degree ≤ 2 in one name (``-t``, ``t^2``, ``2t - 1``); else None."""
    for subject, other, flipped in ((left, right, False), (right, left, True)):
        bound = _number_in(other)
        if bound is None:
            continue
        relation = _FLIPPED[relation] if flipped else relation
        names = _declared_names(subject)
        if len(names) > 1:
            expr = variable = sp.Symbol("value_", real=True)
        else:
            expr = _expression_in(subject)
            symbols = list(expr.free_symbols) if expr is not None else []
            if len(symbols) != 1 or not expr.is_polynomial(symbols[0]) or sp.degree(expr, symbols[0]) > 2:
                return None
            variable, names = symbols[0], [symbols[0].name]
        try:
            if relation == "!=":
                return names, sp.Complement(sp.S.Reals, sp.solveset(sp.Eq(expr, bound), variable, sp.S.Reals))
            return names, sp.solveset(_STATED_RELATIONS[relation](expr, bound), variable, sp.S.Reals)
        except (TypeError, ValueError, NotImplementedError):
            return None
    return None


def _expression_in(text: str, context: Context | None = None) -> sp.Expr | None:
    try:
        expr = parse_expression(text, context or Context())
    except (Unparsed, ValueError, TypeError, RecursionError):
        return None
    return expr if isinstance(expr, sp.Expr) else None


def _number_in(text: str) -> sp.Expr | None:
    """The real number ``text`` writes (``-1``, ``\\frac{1}{2}``, ``\\pi``); None for anything else."""
    if not text.strip():
        return None
    expr = _expression_in(text)
    return expr if expr is not None and not expr.free_symbols and expr.is_real else None


def _values_of(written: str, context: Context) -> sp.Set | None:
    """The values ``name = written`` allows the name: the number, or those of the sign ``written`` is known to
    have; None where nothing is known."""
    number = _number_in(written)
    if number is not None:
        return sp.FiniteSet(number)
    expr = _expression_in(written, context)
    if expr is None:
        return None
    known = [values for sign, values in _SIGN_SETS.items() if getattr(expr, f"is_{sign}") is True]
    return sp.Intersection(*known) if known else None


def _members_of(written: str) -> sp.Set | None:
    """The members of a set written after ``\\in``: an interval with numeric (or infinite) ends, a half line,
    the reals; None for any other set."""
    text = written.rstrip(".").strip()
    interval = _INTERVAL.fullmatch(text)
    if interval is not None:
        ends = [(-sp.oo if "-" in interval.group(end) else sp.oo) if "infty" in interval.group(end)
                else sp.Rational(interval.group(end).replace(" ", "")) for end in ("lo", "hi")]
        return sp.Interval(ends[0], ends[1], left_open=interval.group("open") == "(",
                           right_open=interval.group("close") == ")")
    sign = _set_sign(text)
    return None if sign is None else _assumption_set(sign)


def _sign_survives(declared: sp.Set, stated: sp.Set | None, sentence: str, mood: str) -> bool:
    """Whether a declared sign (the values ``declared``) still holds after a statement that allows the name
    ``stated``: a refinement or restatement (σ ≥ 1 or σ > 0 after σ > 0) keeps it, so does a consequence the
    sign allows (hence σ ≠ 0, so σ < 10) outside a hypothesis, and the denial of what the sign excludes (we do
    not assume σ < 0); a withdrawal in words, any other negation, a statement that contradicts the sign or only
    overlaps it (t ≤ 0 after t ≥ 0) without a word of consequence, or one that cannot be read, ends it."""
    if stated is None or stated is sp.S.EmptySet or _WITHDRAWAL.search(_MARKER.sub(" ", sentence)):
        return False
    disjoint = sp.Intersection(stated, declared) is sp.S.EmptySet
    if mood == NEGATION:
        return disjoint
    if _subset(stated, declared):
        return True
    return mood != HYPOTHESIS and not disjoint and bool(_CONSEQUENCE.search(_MARKER.sub(" ", sentence)))


def _sign_entry(target: Context, name: str) -> tuple:
    return target.symbols.get(name), target.bounded.get(name)


def _sign_snapshot(names: list[str], persistent: Context, current: Context) -> dict:
    """For each target and name: (its sign entry, the values its sign allows, its refused-sign note)."""
    return {(is_current, name): (_sign_entry(target, name), _declared_set(target, name),
                                 target.notes.get(("sign-refused", name)))
            for is_current, target in ((False, persistent), (True, current)) for name in names}


def _revise_signs(names: list[str], stated: sp.Set | None, sentence: str, mood: str, note: str, before: dict,
                  conjoined: set[str], persistent: Context, current: Context, document: Document | None = None,
                  certain: bool = False) -> None:
    """After a statement about ``names`` (allowing the values ``stated``; None: not read) that the declarations
    above did not take up: a declared sign that does not survive it (_sign_survives) no longer holds. A plain
    statement then gives the names the sign it states, a hypothesis for the next formula only; any other
    sentence leaves them plain reals. Where the sentence neither reads plainly nor withdraws the sign in words
    (nor is ``certain`` to), the reader cannot tell whether the old sign still holds: a step refuted without it
    is checked again with it (Document.tentative), as with a sign the sentence states but does not declare.
    A sign declared by another formula of the same sentence (``Let $a > 0$ and $a < 1$``) stays."""
    withdrawn = bool(_WITHDRAWAL.search(_MARKER.sub(" ", sentence)))
    for name in names:
        for is_current, target in ((False, persistent), (True, current)):
            entry, declared, refused = before.get((is_current, name), (None, None, None))
            if declared is None or _sign_entry(target, name) != entry or (mood == HYPOTHESIS and not is_current):
                continue  # no sign to revise, the statement already replaced it, or a hypothesis: the next formula's
            if not withdrawn and mood != NEGATION and name in conjoined and \
                    (stated is None or sp.Intersection(stated, declared) is not sp.S.EmptySet):
                continue
            if _sign_survives(declared, stated, sentence, mood):
                continue
            states = stated is not None and not withdrawn and (mood == "" or (mood == HYPOTHESIS and is_current))
            assumptions = _set_assumptions(stated) if states else {}
            suffix = f" ({mood}: for the next formula only)" if states and mood else ""
            target.declare_symbol(name, f"{note} (the earlier sign declaration no longer holds){suffix}", **assumptions)
            if assumptions:
                continue
            if withdrawn and refused is None:
                target.notes.pop(("sign-refused", name), None)  # the sign it names is withdrawn, not stated
            elif withdrawn:
                target.notes[("sign-refused", name)] = refused
            if target.notes.get(("sign-refused", name)) in (None, refused) and document is not None and \
                    not (withdrawn or certain or mood in ("", HYPOTHESIS)):
                _tentative_old_sign(document, target, name, declared, note)
            if target.notes.get(("sign-refused", name)) not in (None, refused):
                target.symbols.pop(name)  # a step refuted without a sign is checked again (Document.tentative)


def _tentative_old_sign(document: Document, target: Context, name: str, declared: sp.Set, note: str) -> None:
    """The earlier sign of ``name`` (σ > 0, σ ≥ 0, β ≥ 1) as a declaration the sentence ``note`` may have left
    standing (Document.tentative, ``("sign-refused", name)``); nothing for a sign that has no such form."""
    if not isinstance(declared, sp.Interval) or declared.end != sp.oo or declared.start < 0:
        return
    relation = ">" if declared.left_open else "≥"
    why = f"{note}: whether the earlier sign {name} {relation} {declared.start} still holds after it is not clear"
    document.tentative[why] = ("sign", (name,), declared.start, bool(declared.left_open))
    target.notes[("sign-refused", name)] = why


def _revise_withdrawn_names(math: str, sentence: str, mood: str, note: str, persistent: Context,
                            current: Context) -> None:
    """``We no longer assume that $t$ is positive``, ``$t$ is not negative``: a declared sign of a name the
    sentence withdraws, or negates while talking of signs, no longer holds."""
    plain = _MARKER.sub(" ", sentence)
    if not (_WITHDRAWAL.search(plain) or (mood == NEGATION and _SIGN_TALK.search(plain))):
        return
    names = _declared_names(math) if re.fullmatch(r"[\\A-Za-z_{}0-9\s,]+", math) else []
    if names:
        _revise_signs(names, None, sentence, NEGATION, note, _sign_snapshot(names, persistent, current), set(),
                      persistent, current, certain=True)


def _declare_sign_words(marked: str, maths: list[str], functions, moods: dict[int, str], persistent: Context,
                        current: Context, signed_here: dict[str, set[str]] | None = None,
                        document: Document | None = None) -> None:
    """``$a$ is negative``, ``let $a$ be any real number``, ``for any real $a$``: the sign (or none) of the names
    for what follows, replacing an earlier sign declaration (see _replace_sign, _revise_signs); ``for negative
    $a$``, ``consider positive $a$``: a sign stated before the name, which revises an earlier sign only."""
    words = [(m, int(m.group("k") or m.group("any")), True) for m in _SIGN_WORDS.finditer(marked)]
    words += [(m, int(m.group("k")), False) for m in _SIGN_ADJECTIVE.finditer(marked)]
    for m, k, declares in sorted(words, key=lambda found: found[0].start()):
        names = _declared_names(maths[k]) if k < len(maths) else []
        mood = _sign_mood(marked, k, moods.get(k, ""))
        if not names or (mood == NEGATION and declares):
            continue
        kind = re.sub(r"strictly\s+|-", "", (m.group("kind") or "real").lower())
        note = f"{functions[k][1]}: {functions[k][2]} is {kind}"
        sentence = _sentence_of(marked, k)
        before = _sign_snapshot(names, persistent, current)
        if declares:
            _apply_sign(names, _WORD_SIGNS.get(kind), note, mood, persistent, current,
                        _sentence_signs(marked, k, maths), bool(_ANEW.search(sentence)))
        _revise_signs(names, _assumption_set(_WORD_SIGNS.get(kind, {})), sentence, mood, note, before,
                      (signed_here or {}).get(sentence, set()), persistent, current, document)


# "Let $q(z)$ be the Gaussian $\mathcal{N}(z; \mu, \sigma^2)$", "$\epsilon$ follows $N(0, 1)$", "$q(z|x)$ は正規分布
# $\mathcal{N}(z; \mu, \sigma^2)$ とする": the subject and its Gaussian in two formulas of one statement
_GAUSSIAN_EN = r"(?:gaussian|normal)(?:\s+(?:distribution|density|law|pdf))?\s+"
_SPLIT_LAW_EN = re.compile(r"⟦(\d+)⟧\s+(?:(?:is|be|are|denotes?|follows|is\s+distributed\s+as|is\s+given\s+by)\s+"
                           rf"(?:also\s+)?(?:(?:a|an|the)\s+)?(?:{_GAUSSIAN_EN})?|(?:(?:a|an|the)\s+)?{_GAUSSIAN_EN})"
                           r"⟦(\d+)⟧", re.I)  # "$p(z)$ the Gaussian $N(0, 1)$" after "Let $q(z)$ be ... and"
_SPLIT_LAW_JA = re.compile(r"⟦(\d+)⟧\s*(?:は|を|が)\s*(?:(?:正規|ガウス)(?:分布|密度)(?:関数)?\s*)?⟦(\d+)⟧")


def _declare_split_laws(document: Document, prose: str, base: int, marked: str, moods: dict[int, str],
                        persistent: Context, current: Context) -> None:
    """Declarations whose subject and Gaussian are two formulas of one statement, read as ``subject \\sim N(...)``
    with the mood of the statement (a negated or not plainly declarative one declares nothing)."""
    found = list(_inline_maths(prose))
    for pattern in (_SPLIT_LAW_EN, _SPLIT_LAW_JA):
        for m in pattern.finditer(marked):
            i, j = int(m.group(1)), int(m.group(2))
            if j >= len(found) or not _NORMAL.match(found[j][3]) or re.search(r"\\sim|=|\\in\b", found[i][3]):
                continue
            part = f"{found[i][3]} \\sim {found[j][3]}"
            offset = base + found[i][2]
            line = document.where(document.line_of(offset))
            mood = next((moods.get(k, "") for k in (i, j) if moods.get(k, "") in (NEGATION, NOT_DECLARED)),
                        moods.get(i, ""))
            if mood in (NEGATION, NOT_DECLARED):
                why = "a negation" if mood == NEGATION else "not a plain declarative sentence"
                note = f"{line}: `{part}` is not read as a declaration ({why})"
                for target in (persistent, current):
                    _refuse_declaration(target, part, note)
                if mood == NOT_DECLARED:
                    _tentative_law(document, current, part, offset, line, note)
                continue
            for target in ((current,) if mood else (persistent, current)):
                status, what = _declare(target, part, offset, line)
                if status == "declared" and mood:
                    _mark_hypothesis(target, mood)
            if status == "refused":
                document.problems.append(Unparsed(f"a declaration in the prose cannot be used: {what}", part,
                                                  offset, offset + len(found[i][3])))
                _unreadable_law(document, (persistent, current), part, f"{line}: `{part}` cannot be used ({what})")


def _unreadable_law(document: Document, targets, part: str, note: str) -> None:
    """A Gaussian declaration that cannot be read: the law the prose gives its subject is unknown, not an
    arbitrary one either (an earlier declaration of it no longer holds; audit/check.py leaves a step that
    would be refuted with another law undecided)."""
    for target in targets:
        _refuse_declaration(target, part, note)
    document.tentative[note] = ("unreadable",)


def _tentative_law(document: Document, context: Context, part: str, offset: int, line: str, note: str) -> None:
    """What a Gaussian declaration the reader refuses as not plainly declarative would declare, were it one
    (Document.tentative): a step refuted without it is checked again with it (audit/check.py)."""
    scratch = context.copy()
    try:
        status, _ = _declare(scratch, part, offset, line)
    except (Unparsed, ValueError, TypeError, RecursionError):
        return
    if status != "declared":
        return
    added = {key: value for key, value in scratch.densities.items() if context.densities.get(key) != value}
    if added:
        document.tentative[note] = ("densities", added)


def _signed_names(found: re.Match) -> tuple[list[str], sp.Expr, bool] | None:
    """The names a sign declaration (``_SIGN``, ``_POSITIVE_SET``) is about, its bound and whether it is strict;
    None where one of the names is no plain name."""
    strict = "relation" not in found.groupdict() or found.group("relation") in (">", "\\gt")
    bound = sp.Rational(found.group("bound")) if "bound" in found.groupdict() else sp.Integer(0)
    names = []
    for part in found.group("names").split(","):
        try:
            symbol = parse_expression(part, Context(own_constants={"e", "pi"}))  # e, \pi: names where owned
        except Unparsed:
            return None
        if not isinstance(symbol, sp.Symbol):
            return None
        names.append(symbol.name)
    return names, bound, strict


def _tentative_sign(document: Document, found: re.Match, math: str, line: str, persistent: Context,
                    current: Context) -> None:
    """``(where $\\sigma > 0$)`` in a sentence the reader does not take as a declaration: the sign it would
    declare (Document.tentative), noted for the names (``("sign-refused", name)``)."""
    signed = _signed_names(found)
    if signed is None:
        return
    names, bound, strict = signed
    note = f"{line}: `{math.strip()}` is not read as a declaration (not a plain declarative sentence)"
    document.tentative[note] = ("sign", tuple(names), bound, strict)
    for target in (persistent, current):
        for name in names:
            target.notes[("sign-refused", name)] = note


_NAMED_LAW = re.compile(r"^\s*(?:\\(?:mathcal|mathscr)\s*\{\s*[A-Z]\s*\}|\\mathcal\s+[A-Z]|"
                        r"\\(?:mathrm|operatorname|text|textrm|mathsf|mathbf)\s*\{\s*(?:U|Unif|Uniform|Beta|Gamma|Exp|"
                        r"Expon|Exponential|Laplace|Lap|Bern|Bernoulli|Cat|Categorical|Dir|Dirichlet|Poisson|Pois|"
                        r"Logistic|Cauchy|Student|StudentT|Lognormal|LogNormal|Weibull|Binomial|Bin|Mult|"
                        r"Multinomial|Geom|Geometric)\s*\}|(?:Unif|Uniform|Beta|Gamma|Exp|Laplace|Bernoulli|"
                        r"Categorical|Dirichlet|Poisson|Cauchy)\b)\s*(?:\\left\s*|\\[bB]igg?[lr]?\s*)?\(.*\)\s*$", re.S)


def _equation_as_law(part: str) -> str:
    """``q(z) = N(m, s^2)`` in the prose declares like ``q(z) \\sim N(m, s^2)`` (a density on the left, one ``=``,
    a Gaussian on the right); any other part is returned as written."""
    sides = re.split(r"(?<![<>!:\\])=(?!=)", part)
    if len(sides) != 2 or "\\sim" in part or not (_NORMAL.match(sides[1]) or _NAMED_LAW.match(sides[1])):
        return part  # q(z) = U(z; 0, φ): a law stated, declared as one (refused there, so no other law is assumed)
    try:
        subject = _written_density(sides[0])
    except (ValueError, TypeError, RecursionError):
        return part
    if not isinstance(subject, Density) or len(subject.variables) != 1:
        return part  # q(z|x) = N(μ(x), σ²(x)): the encoder's law given x (_declare_conditional)
    return f"{sides[0]}\\sim{sides[1]}"


def _mark_hypothesis(context: Context, mood: str) -> None:
    """The note of the declaration just made says it is a hypothesis for the next formula only."""
    key = next(reversed(context.notes))
    context.notes[key] += f" ({mood}: for the next formula only)"


def _refuse_declaration(context: Context, part: str, note: str) -> None:
    """A law or density the prose denies: an earlier declaration of it is taken back, and the note says why
    it is not used."""
    try:
        subject = parse_expression(part.split("\\sim", 1)[0], context)
    except (Unparsed, ValueError, TypeError):
        return
    if isinstance(subject, sp.Symbol):
        context.laws.pop(subject, None)
        context.notes.pop(("law", subject), None)
        context.notes[("law-refused", subject)] = note
    elif isinstance(subject, (Density, Normal)):
        written = _written_density(part.split("\\sim", 1)[0])
        if isinstance(written, Density):
            key = conditional_key(written) if written.given else (written.family, written.label)
            context.densities.pop(key, None)
            context.notes.pop(("density",) + key, None)
            context.notes[("density-refused", written.family, written.label)] = note




_NORMAL = re.compile(r"^\s*(?:N|\\mathcal\s*\{\s*N\s*\}|\\mathcal\s+N|\\mathscr\s*\{\s*N\s*\}|\\mathrm\s*\{\s*N\s*\}"
                     r"|\\operatorname\s*\{\s*N\s*\})\s*(?:\\left\s*|\\[bB]igg?[lr]?\s*)?\((.*)\)\s*$", re.S)
_IDENTITY = re.compile(r"\s*(?:I|\\(?:mathbf|mathbb|mathrm|boldsymbol|bm)\s*\{\s*I\s*\}|I_\{?\s*[a-zA-Z0-9]\s*\}?)\s*")
_POINT = re.compile(r";|\\mid\b|(?<!\\)\|")


_SCALE_WORDS = re.compile(r"standard[\s-]+deviation|\bstd\b|\bscale\b|標準偏差|スケール", re.I)
_SQUARED = re.compile(r"\^\s*\{?\s*2\s*\}?\s*$")


def _normal_scale_stated(prose: str, math_start: int, math: str) -> bool:
    """Whether the sentence of an inline formula that writes ``N(mean, s)``, s not written as a square, calls
    a parameter a standard deviation or a scale ("where $s$ is the standard deviation", torch's
    Normal(loc, scale)): then N's second parameter may be the standard deviation, not the variance."""
    normal = re.search(r"(?:\\mathcal\s*\{\s*N\s*\}|\\mathcal\s+N|(?<![A-Za-z\\])N)\s*(?:\\left\s*)?\(", math)
    if normal is None:
        return False
    end = group_end(math, normal.end() - 1, "([{", ")]}")
    close = end - 1 if end is not None else len(math)
    arguments = [argument.strip() for _, argument in top_level_parts(math[normal.end():close])]
    second = arguments[-1] if len(arguments) >= 2 else ""
    if not second or _SQUARED.search(second) or second in ("0", "1", "I") or _IDENTITY.fullmatch(second):
        return False
    begin = max(prose.rfind(". ", 0, math_start), prose.rfind("。", 0, math_start), prose.rfind("\n\n", 0, math_start))
    ends = [end for end in (prose.find(". ", math_start + len(math)), prose.find("。", math_start + len(math)),
                            prose.find("\n\n", math_start + len(math))) if end >= 0]
    if _SCALE_WORDS.search(prose[begin + 1:min(ends, default=len(prose))]):
        return True
    named = re.compile(r"\$\s*" + re.escape(second) + r"\s*(?:[$<>=,]|\\[a-z])")  # "$s > 0$ は標準偏差"
    return any(_SCALE_WORDS.search(sentence) and named.search(sentence)
               for sentence in re.split(r"(?<=[.!?])\s|。|\n\s*\n", prose))


def _declare(context: Context, part: str, offset: int, line: str) -> tuple[str, str]:
    """Read ``subject \\sim N(mean, variance)``: ``p(x) \\sim N(...)`` binds the density p, ``\\epsilon \\sim
    N(0, 1)`` gives a variable its law. Returns ("declared", what it declares), ("refused", why not) for a
    Gaussian declaration that cannot be used, or ("other", why) when the right side is not N(...)."""
    left, right = part.split("\\sim", 1)
    normal = _NORMAL.match(right)
    if not normal:
        return "other", f"`{right.strip()}` is not a distribution mathcheck reads (only N(mean, variance))"
    arguments = [argument for _, argument in top_level_parts(normal.group(1))]
    point = _POINT.split(arguments[0], maxsplit=1)
    if len(point) == 2:  # N(x; mean, variance): the point is the subject's variable
        arguments[0] = point[1]
    if len(arguments) != 2:
        return "refused", f"N(...) takes a mean and a variance, found {len(arguments)} argument(s) in `{part.strip()}`"
    identity = bool(_IDENTITY.fullmatch(arguments[1]))
    if context.normal_scale and not identity and arguments[1].strip() not in ("0", "1"):
        return "refused", (f"{context.normal_scale}: is the second parameter of `{part.strip()}` a variance or a "
                           "standard deviation? (mathcheck reads N(mean, variance))")
    try:
        mean = parse_expression(arguments[0], context)
        variance = sp.Integer(1) if identity else parse_expression(arguments[1], context)
        subject = parse_expression(left, context)
    except Unparsed as error:
        return "refused", f"cannot read `{part.strip()}`: {error}"
    except (ValueError, TypeError) as error:
        return "refused", f"cannot read `{part.strip()}`: {error}"
    if variance.is_positive is False:
        return "refused", f"the variance of N(mean, variance) must be positive, it is {variance} in `{part.strip()}`"
    if variance.is_real is False or mean.is_real is False:
        return "refused", f"the mean and the variance of N(mean, variance) must be real in `{part.strip()}`"
    shown = part.strip() + (" (the identity I read as 1: one dimension)" if identity else "")
    if isinstance(subject, Normal):  # already declared: redeclare from the density as written
        subject = _written_density(left)
    other = _other_point(point[0], subject, context) if len(point) == 2 else None
    if other is not None:  # q(z|x) = N(x; 0, 1): a function of x alone, no density of z
        return "refused", (f"`{part.strip()}` is a Gaussian in {other}, not in {subject.variables[0]}, the variable "
                           f"of the density: it is not a normalized density of {subject.variables[0]}")
    if isinstance(subject, Density) and subject.given and len(subject.variables) == 1:
        return _declare_conditional(context, subject, mean, variance, part, f"{line}: {shown}")
    if isinstance(subject, Density):
        if subject.given or len(subject.variables) != 1:
            return "refused", (f"only a density of one variable (given others or not) can be declared Gaussian, "
                               f"not `{left.strip()}`")
        declared, refusal = _normal_of_density(subject, mean, variance, part)
        if declared is None:
            return "refused", refusal
        context.densities[(subject.family, subject.label)] = (subject, declared)
        _note_latest(context, ("density", subject.family, subject.label), f"{line}: {shown}")
        return "declared", f"declares the density {left.strip()} as N({mean}, {variance})"
    if isinstance(subject, sp.Symbol):
        if mean.has(subject) or variance.has(subject):
            return "refused", f"the law of {subject} cannot depend on {subject} itself: `{part.strip()}`"
        context.laws[subject] = declared_parameters(mean, variance)  # σ of N(μ, σ²) is a positive scale
        _note_latest(context, ("law", subject), f"{line}: {shown}")
        return "declared", f"declares the law of {subject}: N({mean}, {variance})"
    return "refused", f"the left of \\sim must be a variable or a density such as p(x), not `{left.strip()}`"


def _other_point(written: str, subject, context: Context) -> sp.Symbol | None:
    """The point of N(point; mean, variance) where it is a variable other than the one variable of the density
    ``subject`` it declares (None where it is that variable, or no plain variable)."""
    if not isinstance(subject, Density) or len(subject.variables) != 1:
        return None
    try:
        point = parse_expression(written, context)
    except (Unparsed, ValueError, TypeError):
        return None
    (variable,) = subject.variables
    if isinstance(point, sp.Symbol) and isinstance(variable, sp.Symbol) and point.name != variable.name:
        return point
    return None


def conditional_key(density: Density) -> tuple:
    """The key of a declared conditional density in ``Context.densities``: (family, label, the names it is given).
    Three parts, so that the reader's lookups by (family, label), which put the declared Gaussian for a density
    written without a condition, never take it for q(z) or p(z)."""
    return density.family, density.label, tuple(sp.sstr(g) for g in density.given)


def _declare_conditional(context: Context, subject: Density, mean: sp.Expr, variance: sp.Expr, part: str,
                         note: str) -> tuple[str, str]:
    """``q(z|x) \\sim N(\\mu, \\sigma^2)`` (or ``= N(z; μ(x), σ²(x))``): for every value of what it is given, the
    density of its one variable is that Gaussian (the mean and the variance may depend on the condition, not on
    the variable itself). audit/check.py puts the Gaussian for the density where a step writes it."""
    declared, refusal = _normal_of_density(subject, mean, variance, part)
    if declared is None:
        return "refused", refusal
    key = conditional_key(subject)
    context.densities[key] = (subject, declared)
    _note_latest(context, ("density",) + key, note)
    return "declared", f"declares the density {sp.sstr(subject)} as N({mean}, {variance}) given {', '.join(key[2])}"


def _normal_of_density(subject: Density, mean: sp.Expr, variance: sp.Expr, part: str) -> tuple[Normal | None, str]:
    """The Gaussian N(mean, variance) of the one variable of ``subject``, or None and why not (``part`` is the
    declaration as written)."""
    (variable,) = subject.variables
    if mean.has(variable) or variance.has(variable):
        return None, (f"the mean or the variance depends on {variable}, the variable of the density itself: "
                      f"`{part.strip()}` is not a normalized density")
    try:
        return normal_from_variance(variable, mean, variance), ""
    except (ValueError, TypeError) as error:
        return None, f"`{part.strip()}`: {error}"


def _note_latest(context: Context, key: tuple, note: str) -> None:
    """``note`` under ``key``, as the latest note: the notes keep the order in which they were first written."""
    context.notes.pop(key, None)
    context.notes[key] = note


def _written_density(left: str):
    try:
        return parse_expression(left, Context())
    except Unparsed:
        return None


# ---------------------------------------------------------------- prose: curvature

# A curvature is declared by a plain statement about named functions, in one of two shapes:
# "<adjective> [function] $f$" and "$f$ [is|are|be|a|strictly ...] <adjective>" (and the Japanese
# "上に凸な関数$f$", "$f$が上に凸"). Anything that negates, conditions, questions or qualifies the statement
# makes it declare nothing; such a refusal is noted for the report.

_MARK = "⟦{}⟧"
_MARKER = re.compile(r"⟦(\d+)⟧")
_FUNCTION_MATH = re.compile(r"\s*([a-zA-Z]|\\[a-zA-Z]+)\s*(?:\(\s*(?:[a-zA-Z]|\\cdot)\s*\))?\s*")
_LIST_EN = r"(?P<list>⟦\d+⟧(?:(?:\s*,\s*⟦\d+⟧)*\s*,?\s*and\s+⟦\d+⟧)?)"
_ADJECTIVE_EN = (r"(?P<adjective>(?:(?:strictly|strongly|uniformly)\s+)?(?P<word>concave|convex)\b)"
                 r"(?P<direction>\s*-?\s*(?:upwards?|downwards?|up|down)\b)?")
# the words that may stand between the functions and the adjective; negations and hedges among them make
# the statement match, and then declare nothing (and take back an earlier declaration it negates)
_BETWEEN_EN = (r"is|are|be|being|been|also|assumed|known|proved|shown|to|a|an|the|both|everywhere|not|never|no|longer|"
               r"necessarily|neither|hardly|barely|isn't|aren't|wasn't|weren't|isn’t|aren’t|can't|cannot|need|needs|"
               r"were|would|could|might|may|should|must|will|seem|seems|seemed|appear|appears|surely|certainly|"
               r"clearly|obviously|always|actually|indeed|then|hence|thus|therefore")
_AFTER_EN = re.compile(_LIST_EN + rf"\s+(?:(?:{_BETWEEN_EN})\s+)*" + _ADJECTIVE_EN, re.I)
_OBJECT_WORDS_EN = {"with", "of", "by", "to", "from", "than", "on", "in", "for", "at", "composed", "applied", "times",
                    "plus", "minus", "over", "under", "into", "onto", "after", "before", "like", "as", "via", "through",
                    "between", "whose", "where", "sum", "product", "composition", "difference", "ratio"}
_BEFORE_EN = re.compile(r"\b" + _ADJECTIVE_EN + r"\s+(?:(?:functions?|maps?|mappings?)\s+)?" + _LIST_EN, re.I)
_QUALIFIERS_EN = {"log", "quasi", "pseudo", "semi", "locally", "geodesically", "piecewise", "non", "operator",
                  "matrix", "midpoint", "jointly", "logarithmically", "essentially", "almost", "nearly",
                  "approximately", "roughly", "partly", "somewhat", "sometimes"}
_RESTRICTIONS_EN = {"on", "over", "in", "for", "when", "whenever", "where", "if", "except", "near", "around", "at",
                    "along", "within", "between", "provided", "unless", "only", "outside", "inside", "away"}
_NEGATION_EN = re.compile(
    r"\b(?:not|no|never|neither|nor|none|nowhere|cannot|hardly|barely|scarcely|without|fails?|failed|failing|"
    r"lacks?|rather|instead|unlike|false|falsely|wrong|wrongly|incorrect|incorrectly|mistaken|mistakenly|"
    r"mistake|misconception|myth|erroneous|erroneously|non)\b|n't\b|n’t\b|\bnon-", re.I)
_HYPOTHESIS_EN = re.compile(r"\b(?:if|iff|when|whenever|provided|once)\b|\bin case\b|\bcase that\b", re.I)
_HEDGE_EN = re.compile(
    r"\b(?:whether|unless|were|would|could|might|may|should|perhaps|maybe|possibly|probably|likely|seems?|seemed|"
    r"appears?|appeared|supposedly|allegedly|claims?|claimed|hypothetically|imagine|pretend|wish|hope|"
    r"whichever|believes?|believed|thinks?|thought|says?|said|guess|conjectured?|expects?|expected|unclear|"
    r"unknown|doubt|doubtful)\b", re.I)
_LIST_JA = r"(?P<list>⟦\d+⟧(?:\s*(?:と|、|,|及び|および|や)\s*⟦\d+⟧)*)"
_ADJECTIVE_JA = r"(?P<adjective>(?:狭義に?|真に|強)?(?P<word>上に凸|下に凸|凹|凸))"
_BEFORE_JA = re.compile(_ADJECTIVE_JA + r"\s*(?:な|の)?\s*(?:関数)?\s*" + _LIST_JA)
_AFTER_JA = re.compile(_LIST_JA + r"\s*(?:は|が|も|を)\s*(?:共に|ともに|どちらも|いずれも|常に|つねに|いつも|必ず|確かに)?\s*" + _ADJECTIVE_JA)
_QUALIFIERS_JA = ("非", "準", "擬", "対数", "弱", "局所", "ほぼ", "概")
_NEGATION_JA = re.compile(r"ない|なく|ません|ず(?:に|、|。|$)|非|違う|誤")
_HYPOTHESIS_JA = re.compile(r"場合|なら|とき|時に|時は|れば|たら|仮に|もし")
_HEDGE_JA = re.compile(r"としても|かも|だろう|でしょう|らしい|疑問|はず")
_QUESTION_JA = re.compile(r"かどうか|か[。？?]?\s*$|でしょうか|だろうか")
_KIND_JA = {"上に凸": "concave", "凹": "concave", "下に凸": "convex", "凸": "convex"}
_SENTENCE_BREAK = re.compile(r"(?<=[。．！？!?])|(?<=\.)(?=\s)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+\.|#+)[ \t])|"
                             + BOUNDARY)  # a heading or (LaTeX) a structure command ends a sentence
_CLAUSE_WORDS = re.compile(r"\b(?:but|whereas|while|although|though|however|yet)\b", re.I)


def _declare_curvatures(marked: str, functions, persistent: Context, current: Context) -> None:
    for sentence in _SENTENCE_BREAK.split(marked):
        if "⟦" not in sentence:
            continue
        found: dict[str, set] = {}  # name -> kinds a plain statement gives it
        hypotheses: dict[str, set] = {}  # name -> kinds a hypothesis gives it, for the next formula
        refused: dict[str, tuple[str, set]] = {}  # name -> (why, the kinds it negates)
        tentative: dict[str, str] = {}  # name -> the kind a statement not plainly declarative gives it
        clauses = _clauses(sentence)
        allowed = _declarative_markers(sentence)
        for number, clause in enumerate(clauses):
            mood = _mood(sentence, clauses, number)
            for names, kind, why, markers in _statements(clause, functions):
                if not why and mood != NEGATION and not set(markers) <= allowed:
                    why = NOT_DECLARED
                if not why and mood in (QUESTION, HEDGE):
                    why = mood
                negated_kinds = {kind} | ({"concave", "convex"} if re.search(r"\bneither\b|\bnor\b", clause, re.I) else set())
                for name in names:
                    if why == NOT_DECLARED:
                        tentative[name] = kind
                    if why:
                        refused[name] = (why, negated_kinds if why == NEGATION else set())
                    else:
                        (hypotheses if mood == HYPOTHESIS else found).setdefault(name, set()).add(kind)
        shown = " ".join(_MARKER.sub(lambda m: functions[int(m.group(1))][2], sentence).split())
        shown = shown if len(shown) <= 90 else shown[:87] + "..."
        line = _sentence_line(sentence, functions)
        for statements, targets, suffix in ((found, (persistent, current), ""),
                                            (hypotheses, (current,), f" ({HYPOTHESIS}: for the next formula only)")):
            for name, kinds in statements.items():
                if name in refused:
                    continue
                if len(kinds) > 1:
                    refused[name] = ("it says both concave and convex", set())
                    continue
                for target in targets:
                    target.curvature[name] = next(iter(kinds))
                    target.notes[("curvature", name)] = f"{line}: “{shown}”{suffix}"
                    target.notes.pop(("curvature-refused", name), None)
        for name, (why, negated) in refused.items():
            for target in (persistent, current):
                if target.curvature.get(name) in negated:
                    del target.curvature[name]  # the prose takes back what it declared
                    target.notes.pop(("curvature", name), None)
                target.notes[("curvature-refused", name)] = f"{line}: “{shown}” declares nothing ({why})"
                if why == NOT_DECLARED and name in tentative:  # what it would declare (audit/check.py re-checks)
                    target.notes[("curvature-tentative", name)] = tentative[name]


NEGATION, QUESTION, HEDGE, HYPOTHESIS = "a negation", "a question", "a hedge, not a statement", "a hypothesis"


_EXCLUDING = re.compile(r"\b(?:except|excepting|excluding|other\s+than|apart\s+from|aside\s+from|save\s+for|"
                        r"outside\s+of)\b|以外|除", re.I)


def _mood(sentence: str, clauses: list[str], number: int, marker: str = "") -> str:
    """What kind of statement clause ``number`` of ``sentence`` makes: "" for a plain one; a negation (in the
    clause, or an excluding lead-in: "except when"), a question, a hedge or a hypothesis (in the clause or one
    before it in the sentence); a hedge too for the consequent of a condition stated after it ("$x > 0$
    whenever $y > 0$", "$a > 0$, provided ...")."""
    clause, before = clauses[number], clauses[:number + 1]
    if _NEGATION_EN.search(clause) or _NEGATION_JA.search(clause) or any(_EXCLUDING.search(c) for c in before):
        return NEGATION
    at = clause.find(marker) if marker else -1
    ahead = clause[:at] if at >= 0 else clause
    after = [clause[at + len(marker):]] + clauses[number + 1:] if at >= 0 else clauses[number + 1:]
    if not any(_HYPOTHESIS_EN.search(c) for c in clauses[:number] + [ahead]) and \
            any(_HYPOTHESIS_EN.search(c) or re.search(r"\bas\s+long\s+as\b", c, re.I) for c in after):
        return HEDGE
    if "?" in sentence or "？" in sentence or _QUESTION_JA.search(sentence):
        return QUESTION
    if any(_HEDGE_EN.search(c) or _HEDGE_JA.search(c) for c in before):
        return HEDGE
    if any(_HYPOTHESIS_EN.search(c) or _HYPOTHESIS_JA.search(c) for c in before):
        return HYPOTHESIS
    return ""


def _moods(marked: str) -> dict[int, str]:
    """The mood (see _mood) of the clause of each inline formula ⟦k⟧ of the marked prose; a formula outside
    the declarative part of its sentence (see _declarative_markers) is NOT_DECLARED."""
    moods: dict[int, str] = {}
    sentences = _SENTENCE_BREAK.split(marked)
    for index, sentence in enumerate(sentences):
        clauses = _clauses(sentence)
        closed = any(piece.strip() for piece in sentences[index + 1:])  # "If $t > 0$ we are done. Otherwise,"
        allowed = _declarative_markers(sentence)
        for number, clause in enumerate(clauses):
            for k in _MARKER.findall(clause):
                mood = _mood(sentence, clauses, number, f"⟦{k}⟧")
                if mood == "" and k not in allowed and _CONDITION_CLAUSE.fullmatch(clause) and \
                        _plain_around(sentence, clauses):
                    mood = HYPOTHESIS  # "..., with $s > 0$, gives": a condition of the next formula
                if mood == HYPOTHESIS and (closed or _case_set_aside(sentence, clauses, number)):
                    mood = HEDGE  # a case another sentence or clause follows may close: it is not assumed
                moods[int(k)] = mood if mood in (NEGATION, HYPOTHESIS) or k in allowed else NOT_DECLARED
    return moods


_CONTRAST = re.compile(r"\b(?:but|whereas|while|although|though|however|yet|otherwise|in\s+general)\b|"
                       r"だが|けれど|けど|しかし|一般に|省略|扱う|扱い|示せれば|誘惑|が、", re.I)
_RUNS_INTO_JA = re.compile(r"次|以下|成り立つ|成立|[:：]\s*$")


def _case_set_aside(sentence: str, clauses: list[str], number: int) -> bool:
    """Whether a case the sentence states is set aside rather than assumed for what follows: a contrasting
    clause after it ("If $t > 0$ this is easy, but in general ..."), or a Japanese 場合/なら sentence that does
    not run into the formula ("$t > 0$ の場合は省略する")."""
    if any(_CONTRAST.search(clause) for clause in clauses[number + 1:]) or _CONTRAST.search(
            _MARKER.sub(" ", sentence)):
        return True
    return bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", sentence)) and not _RUNS_INTO_JA.search(sentence)


def _plain_around(sentence: str, clauses: list[str]) -> bool:
    """No clause of the sentence negates, hedges, poses a problem or calls something false."""
    return not (_NOT_A_STATEMENT_EN.search(_MARKER.sub(" ", sentence)) or
                any(_NEGATION_EN.search(c) or _HEDGE_EN.search(c) or _NEGATION_JA.search(c) for c in clauses))


NOT_DECLARED = "not read as a declaration: not a plain declarative sentence"
_CONDITION_CLAUSE = re.compile(r"\s*(?:with|where|assuming)\s+⟦\d+⟧\s*[.:]?\s*", re.I)
# A sentence declares only in a plain shape: English made of these words alone (and the formulas, commas, a
# final period or colon), not opening as a question; a hypothesis "If <declaration>, ..." declares its
# condition for the next formula. Any other word (or, either, except, show, want, case, only, false, ...)
# or sign (quotes, slashes, brackets) makes the sentence declare nothing.
_DECLARATIVE_WORDS_EN = {
    "let", "assume", "suppose", "that", "we", "here", "throughout", "where", "with", "and", "is", "be", "are",
    "a", "an", "the", "function", "functions", "strictly", "strongly", "concave", "convex", "both", "also",
    "everywhere", "density", "densities", "variable", "variables", "random", "latent", "noise", "prior",
    "distribution", "now", "then", "so", "thus", "hence", "given", "take", "fix", "real", "map", "maps",
    "up", "down", "upward", "upwards", "downward", "downwards", "gaussian", "normal", "pdf", "probability",
    "conditional", "joint", "marginal", "posterior", "likelihood", "denote", "denotes", "approximate",
    "variational", "encoder", "decoder", "gives", "give", "outputs", "output", "model", "family", "member", "of",
    "observation", "observations", "observed", "parameter", "parameters", "dimension", "dimensions", "one", "for",
    "all", "each", "every", "weight", "weights", "importance", "positive", "negative", "nonnegative", "non-negative",
    "nonpositive", "non-positive", "nonzero", "non-zero", "unit", "units", "hidden", "visible",
    "on", "over", "from", "its", "our", "their", "this", "these", "it", "they", "recognition", "generative",
    "network", "standard", "deviation", "variance", "mean", "scalar", "number", "numbers", "constant", "fixed",
    "learned", "independent", "independently", "draw", "drawn", "samples", "sample", "i.i.d.", "iid", "which",
    "such", "as", "in", "has", "have", "write", "writes", "written", "use", "uses", "used", "call", "called",
    "objective", "bound", "lower", "evidence", "integrates", "to"}
_OPENING_EN = re.compile(r"^\s*(?:if|when|whenever|provided(?:\s+that)?|with|given|for)\b", re.I)
_DECLARATIVE_SIGNS_EN = re.compile(r"[\s,()]|⟦\d+⟧|[.:]\s*$")  # a remark in parentheses: its words count too
# the verbs with which a text sets up its objects ("We choose ...", "We pick ...", "Consider ...")
_DECLARATIVE_WORDS_EN |= {"choose", "chose", "chosen", "pick", "picked", "set", "taken", "assumed", "assumes",
                          "supposed", "define", "defines", "defined", "consider", "considered", "modeled",
                          "modelled", "models", "again", "still",
                          # the objects a VAE text sets up
                          "value", "values", "pixel", "pixels", "image", "images", "data", "datum", "point", "points",
                          "vector", "vectors", "input", "inputs", "code", "codes", "layer", "layers", "neural",
                          "single", "two", "per", "dataset", "term", "terms", "loss", "reconstruction", "scale",
                          "location", "width", "diagonal", "isotropic", "factorized", "factorised", "amortized",
                          "amortised", "inference", "simple", "usual", "usually", "typically", "common", "convention"}
_LISTED_EN = re.compile(r"^(?P<head>[^:⟦]*):\s*(?P<list>⟦\d+⟧(?:\s*(?:,|and|,\s*and)\s*⟦\d+⟧)*)\s*\.?\s*$", re.I)
_NOT_A_STATEMENT_EN = re.compile(r"\b(?:or|either|nor|except|show|prove|want|exercise|question|problem|claim|"
                                 r"conjecture|case|only|suppose|contradiction|goal|wrong|false|misconception|mistakes?|mistaken|errors?|"
                                 r"erroneous(?:ly)?|incorrect(?:ly)?|typos?|pitfalls?|fallac(?:y|ies)|bogus|flawed|"
                                 r"naive(?:ly)?|confuse[sd]?|confusion)\b|[“”\"?/]",
                                 re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_NOT_DECLARATIVE_JA = re.compile(r"嘘|誤|偽|示|証明|思|限ら|または|又は|あるいは|もしくは|か[、。]|か$|か\s*⟦|"
                                 r"[「」『』“”\"/?？()（）]|問|演習|背理|矛盾|たい|べき|ほしい|欲しい|予想|期待|例題|課題|"
                                 r"除|以外|のみ|だけ|限り|範囲|節|章|後述|前述|参照")
_DECLARATIVE_END_JA = re.compile(r"(?:とする|とします|である|です|ます|する|ある|だ|る|とおく|と置く)\s*[。．.:：]?\s*$")


# What may open a sentence without being part of its statement: a list or quote marker, a label set in bold
# or italics ("**Setup.**", "*Assumption 1:*"), and discourse phrases that say where the statement holds
# ("From here on", "In what follows", "For simplicity", "Now"). They are taken off before the sentence's
# shape is read; a label that negates, hedges or poses a problem ("**Wrong:**", "*Exercise.*") makes the
# sentence declare nothing.
_LEADING_MARKER = re.compile(r"^\s*(?:(?:>\s*)+|(?:[-*+]|\d+[.)]|\(?(?:[ivx]{1,4}|[a-h])\))\s+)")
_LABEL = re.compile(r"^\s*(?P<mark>\*\*|__|\*|_)(?P<label>[^*_⟦\n]{1,60}?)(?P<inside>[.:]?)(?P=mark)"
                    r"(?P<after>\s*[.:]?)\s+")
_PLAIN_LABEL = re.compile(r"^\s*(?P<label>[A-Z][A-Za-z0-9-]*(?:\s+[A-Za-z0-9-]+){0,2}):\s+(?=\S)")
_DOCUMENT_PART = (r"(?:section|subsection|chapter|note|notes|post|article|paper|part|derivation|document|notebook|"
                  r"tutorial|page|appendix|lecture|text|blog|write-?up)")
_DISCOURSE_EN = re.compile(
    r"^\s*(?:(?:from|for)\s+(?:here|now|this\s+point)\s+on(?:wards?)?|henceforth|henceforward|hereafter|"
    r"hereinafter|in\s+(?:what\s+follows|the\s+following|the\s+sequel|"
    rf"the\s+(?:rest|remainder)\s+of\s+(?:this|the)\s+{_DOCUMENT_PART}|this\s+{_DOCUMENT_PART})|"
    rf"throughout(?:\s+(?:this|the)\s+{_DOCUMENT_PART})?|"
    rf"for\s+the\s+(?:rest|remainder)\s+of\s+(?:this|the)\s+{_DOCUMENT_PART}|"
    r"for\s+(?:simplicity|convenience|brevity|concreteness|now|the\s+moment)|as\s+(?:before|usual|above)|"
    r"first(?:ly)?|second(?:ly)?|next|now|finally|here|below|again|also|moreover|further(?:more)?|in\s+addition)"
    r"(?=[\s,])\s*,?", re.I)


def _statement_part(sentence: str) -> str | None:
    """``sentence`` without what opens it (see above); None when a label says it is no statement."""
    while True:
        before = sentence
        sentence = _LEADING_MARKER.sub("", sentence, count=1)
        label = _LABEL.match(sentence)
        if not (label and (label.group("inside") or label.group("after").strip())):
            label = _PLAIN_LABEL.match(sentence)  # "Setup: let $\sigma > 0$."
        if label:
            if any(pattern.search(label.group("label")) for pattern in (_NEGATION_EN, _HEDGE_EN, _HYPOTHESIS_EN,
                                                                        _NOT_A_STATEMENT_EN)):
                return None
            sentence = sentence[label.end():]
        if not _CJK.search(_MARKER.sub("", sentence)):
            sentence = _DISCOURSE_EN.sub("", sentence, count=1)
        if sentence == before:
            return sentence


def _declarative_markers(sentence: str) -> set[str]:
    """The formulas ⟦k⟧ of ``sentence`` that stand in a plain declarative shape (their numbers k)."""
    sentence = _statement_part(sentence)
    if sentence is None:
        return set()
    if _CJK.search(_MARKER.sub("", sentence)):
        sentence = _japanese_brackets(sentence)
        if sentence is None:
            return set()
        text = _MARKER.sub("", sentence).strip()
        ended = re.search(r"[。．]\s*$", text)
        if _NOT_DECLARATIVE_JA.search(_MARKER.sub(" ", sentence)) or (ended and not _DECLARATIVE_END_JA.search(text)):
            return set()
        return set(_MARKER.findall(sentence))
    listed = _LISTED_EN.match(sentence)
    if listed and not any(pattern.search(listed.group("head")) for pattern in (_NEGATION_EN, _HEDGE_EN, _HYPOTHESIS_EN,
                                                                              _NOT_A_STATEMENT_EN)):
        return set(_MARKER.findall(listed.group("list")))  # "Gaussians: $p(x) \sim N(0, 1)$, $q(x) \sim N(0, 1)$."
    part = sentence
    if _OPENING_EN.match(sentence):  # "If/With <declaration>, <main clause>": the opening clause declares
        cut = re.search(r"(?<!⟧),|,(?!\s*⟦)|\bthen\b", sentence)
        part = sentence[:cut.start()] if cut else sentence
        if cut and (_NEGATION_EN.search(sentence[cut.start():]) or _HEDGE_EN.search(sentence[cut.start():])):
            return set()
        opening = _OPENING_EN.match(sentence).group(0).strip().lower()
        part = _OPENING_EN.sub("", part)
        rest = sentence[cut.end():] if cut else ""
        if opening == "with" and _MARKER.search(rest) and _declarative(part) and _declarative(rest) \
                and _plain_around(sentence, _clauses(sentence)):  # "With ⟦0⟧, the encoder ⟦1⟧ has": both declare
            return set(_MARKER.findall(part)) | set(_MARKER.findall(rest))
    if _declarative(part):
        return set(_MARKER.findall(part))
    if not _plain_around(sentence, _clauses(sentence)):
        return set()
    # "The encoder gives ⟦0⟧ with ⟦1⟧, and the prior is ⟦2⟧": each clause in a plain shape declares its formulas
    return {k for clause in _clauses(part) if _declarative(clause) and not _CONDITION_CLAUSE.fullmatch(clause)
            for k in _MARKER.findall(clause)}  # ", with ⟦k⟧, gives": a condition of the next formula (see _moods)


_FOR_ALL_EN = re.compile(r"\bfor\s+(?:all|every|each|any)\s+(?:[A-Za-z]|⟦\d+⟧)(?=[\s,.;:]|$)", re.I)


_REMARK_JA = re.compile(r"（([^（）]*)）|\(([^()]*)\)")
_QUOTE_JA = re.compile(r"「([^「」]*)」|『([^『』]*)』")


def _japanese_brackets(sentence: str) -> str | None:
    """A Japanese sentence with its brackets read: a remark in （…） (``（ただし ⟦1⟧）``) is set aside, its formulas
    kept; a term in 「…」 is the term; a quoted statement 「⟦0⟧ は … とする」 is the sentence's statement when
    nothing but remarks and punctuation stands around it. None when a bracket makes it no plain statement (a
    remark that negates, hedges or poses a problem, a quoted statement inside a longer sentence)."""
    remarks: list[str] = []

    def aside(m: re.Match) -> str:
        content = m.group(1) if m.group(1) is not None else m.group(2)
        remarks.append(content)
        return " "

    rest = _REMARK_JA.sub(aside, sentence)
    if any(pattern.search(_MARKER.sub(" ", content)) for content in remarks
           for pattern in (_NOT_DECLARATIVE_JA, _NEGATION_JA, _HEDGE_JA, _HYPOTHESIS_JA)):
        return None
    kept = " ".join(m for content in remarks for m in _MARKER.findall(content) for m in [f"⟦{m}⟧"])
    quotes = [m for m in _QUOTE_JA.finditer(rest) if _MARKER.search(m.group(0))]
    if quotes:
        around = _QUOTE_JA.sub(" ", rest)
        if len(quotes) != 1 or re.sub(r"[\s。．、,.]", "", _MARKER.sub("", around)):
            return None  # 「⟦0⟧ は凸」と言われる: a statement someone makes, not the text's own
        content = quotes[0].group(1) if quotes[0].group(1) is not None else quotes[0].group(2)
        rest = content.rstrip("。．") + "。"
    rest = _QUOTE_JA.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), rest)
    return f"{kept} {rest}" if kept else rest


def _declarative(part: str) -> bool:
    """Whether ``part`` is made of declarative words alone (and formulas, commas, a final period) and does not
    open as a question."""
    part = _FOR_ALL_EN.sub(" ", part)  # "$\sigma_j > 0$ for all j"
    words = re.findall(r"[^\s,⟦⟧]+", _MARKER.sub(" ", _DECLARATIVE_SIGNS_EN.sub(" ", part)))
    if any(word.lower() not in _DECLARATIVE_WORDS_EN for word in words):
        return False
    return not re.match(r"\s*(?:is|are|be)\b", part, re.I)  # a question


def _marked(document: Document, prose: str, base: int) -> tuple[str, list[tuple[str | None, int, str]]]:
    """``prose`` with every inline formula replaced by a marker ⟦k⟧, and for each k: the function it names
    (``$f$``, ``$f(x)$``) or None, its line, and the formula as written."""
    functions: list[tuple[str | None, int, str]] = []
    pieces, last = [], 0
    for start, end, _, math in _inline_maths(prose):
        named = _FUNCTION_MATH.fullmatch(math)
        name = named.group(1).lstrip("\\") if named else None
        if name is not None and named.group(1).startswith("\\") and name not in GREEK:
            name = None
        functions.append((name, document.where(document.line_of(base + start)), prose[start:end]))
        pieces += [prose[last:start], _MARK.format(len(functions) - 1)]
        last = end
    pieces.append(prose[last:])
    return "".join(pieces), functions


def _sentence_line(sentence: str, functions) -> str:
    m = _MARKER.search(sentence)
    return functions[int(m.group(1))][1]


def _clauses(sentence: str) -> list[str]:
    """The clauses of a sentence: split at punctuation (a comma between two formulas joins a list) and at
    but / whereas / while / although."""
    clauses, last = [], 0
    for m in re.finditer(r"[,;:、，；：]", sentence):
        before, after = sentence[:m.start()].rstrip(), sentence[m.end():].lstrip()
        if before.endswith("⟧") and after.startswith("⟦"):
            continue
        clauses.append(sentence[last:m.start()])
        last = m.end()
    clauses.append(sentence[last:])
    return [piece for clause in clauses for piece in _CLAUSE_WORDS.split(clause)]


def _statements(clause: str, functions) -> list[tuple[list[str], str, str, list[str]]]:
    """(function names, kind, why it declares nothing or "", the markers ⟦k⟧ of the names) for each curvature
    statement in ``clause``."""
    statements = []
    negated = bool(_NEGATION_EN.search(clause) or _NEGATION_JA.search(clause))
    for pattern, japanese in ((_AFTER_EN, False), (_BEFORE_EN, False), (_AFTER_JA, True), (_BEFORE_JA, True)):
        for m in pattern.finditer(clause):
            markers = _MARKER.findall(m.group("list"))
            names = [functions[int(k)][0] for k in markers]
            names = [name for name in names if name is not None]
            if not names:
                continue
            kind, why = (_japanese_kind if japanese else _english_kind)(clause, m)
            if not why and negated:
                why = "a negation"
            statements.append((names, kind, why, markers))
    return statements


def _english_kind(clause: str, m: re.Match) -> tuple[str, str]:
    word, direction = m.group("word").lower(), (m.group("direction") or "").strip(" -").lower()
    kind = word
    if direction:
        if word == "convex":
            return kind, f"“convex {direction}” is ambiguous"
        kind = "convex" if direction.startswith("up") else "concave"  # concave up is convex
    before = clause[:m.start("adjective")]
    previous = re.findall(r"[A-Za-z]+", before[-20:])
    if before.endswith(("-", "‐")) or (previous and previous[-1].lower() in _QUALIFIERS_EN and
                                       re.search(r"[A-Za-z]+[\s-]*$", before)):
        return kind, f"“{(previous[-1] if previous else '')}-{word}” is not {word}"
    after = clause[m.end():]
    subject = re.findall(r"[A-Za-z]+", clause[:m.start("list")][-24:])
    if m.re is _AFTER_EN and subject and subject[-1].lower() in _OBJECT_WORDS_EN \
            and re.search(r"[A-Za-z]+\s*$", clause[:m.start("list")]):
        return kind, f"the subject is more than the function (“{subject[-1]} …”)"
    if re.match(r"-", clause[m.end("word"):]) and not direction:
        return kind, f"“{word}-…” qualifies the curvature"
    following = re.match(r"\s*([A-Za-z]+)", after)
    everywhere = re.match(r"\s*(?:(?:for|on|over) (?:all|every|each|any)\b|everywhere\b|(?:on|over) ⟦)", after, re.I)
    if everywhere and "⟦" in everywhere.group():  # on $\mathbb{R}$: fine; on $[0, 1]$: a restriction
        everywhere = None
    if following and following.group(1).lower() in _RESTRICTIONS_EN and not everywhere:
        return kind, f"restricted (“{word} {following.group(1)} …”): mathcheck's curvature holds everywhere"
    return kind, ""


def _japanese_kind(clause: str, m: re.Match) -> tuple[str, str]:
    word = m.group("word")
    kind = _KIND_JA[word]
    before = clause[:m.start("adjective")]
    if before.endswith(_QUALIFIERS_JA) or (word in ("凸", "凹") and before.endswith(("上に", "下に"))):
        return kind, f"「{before[-2:]}{word}」 is not {kind}"
    return kind, ""


# ---------------------------------------------------------------- formulas


_BEGIN = re.compile(r"^\s*\\begin\s*\{([a-zA-Z*]+)\}")
_PLACEMENT = re.compile(r"\s*\[\s*[tbc]\s*\]")
_COLUMN_COUNT = re.compile(r"\s*\{\s*\d+\s*\}")
_ANNOTATION = re.compile(r"\\(?:label|tag\*?|eqref|ref)\s*\{|\\nonumber\b|\\notag\b")
_NESTED_BEGIN = re.compile(r"\\begin\s*\{([a-zA-Z*]+)\}")
_ROW_BREAK = re.compile(r"\\\\\*?(?:\s*\[[^\]]*\])?|\\newline\b")
_TEXT_COMMAND = re.compile(r"\\(intertext|shortintertext|text|mbox|hbox|textrm|textit|textbf|textsf|texttt|textup|textnormal)"
                           r"\s*(?=\{)")
PROSE_WORDS = {"and", "or", "where", "for", "if", "iff", "hence", "thus", "so", "since", "because", "by", "with",
               "when", "then", "otherwise", "as", "therefore", "also", "all", "any", "each", "every", "some", "while",
               "given", "unless", "provided", "assuming", "whenever", "i.e.", "e.g.", "ie", "eg", "wlog", "resp"}
CONDITION_WORDS = re.compile(r"(?:\b(?:for|if|iff|when|whenever|where|with|provided|assuming|given|unless|as long as|"
                             r"such that|s\.t\.|all|every|each|any)|∀|ただし|但し|のとき|の時|ならば|場合)\W*$", re.I)


CONDITION = "condition"  # the math after these words is a condition of the step before it, maybe assumed
_ASSUMED_CONDITION_WORDS = {"for", "all", "every", "each", "any", "real", "if", "iff", "when", "whenever", "where",
                            "with", "provided", "that", "given", "assuming", "as", "long", "so", "such", "s.t", "st",
                            "and",
                            "valid", "holds", "hold", "true", "on", "in", "the", "case"}


_QUALIFIED_LEAD = re.compile(r"\b(?:except|excluding|other\s+than|apart\s+from|(?:if|when|for|where)\s+not)\W*$", re.I)


def _condition_kind(text: str, after_condition: bool = False) -> str:
    """How the prose ``text`` before some math leads into it: "" when it ends with no condition word; CONDITION
    when all its words are those of a condition (for, if, when, where, with, provided, given, assuming, for all,
    as long as, such that), or (``after_condition``: right after one) an "and"; otherwise the lead-in itself
    ("except for", "unless", "but not for", "fails for", "only if", "if not", or after a condition an "or"): a
    condition it negates, qualifies or joins to another as an alternative, which is never assumed."""
    text = " ".join(text.split())
    words = [word.rstrip(".") for word in re.findall(r"[A-Za-z]+(?:\.[A-Za-z]+)*\.?", text.lower())]
    if after_condition and words and set(words) <= {"and", "or", "nor"}:
        return CONDITION if set(words) == {"and"} else text
    if not CONDITION_WORDS.search(text):
        return text if _QUALIFIED_LEAD.search(text) else ""
    negated = _NEGATION_JA.search(text) or re.search(r"以外|除", text)
    return CONDITION if not negated and all(word in _ASSUMED_CONDITION_WORDS for word in words) else text


def _read_formula(document: Document, index: int, start: int, end: int, inner_start: int, inner_end: int,
                  context: Context, carry: ChainItem | None = None) -> Formula:
    text = document.text
    formula = Formula(index, start, end, document.written_span(start, end), [], context.copy())
    masked = list(_without_quote_marks(blank_comments(text[inner_start:inner_end]), text, start))
    environment, problem = _outer_environment(masked, inner_start, text)
    while problem is None and environment and _alone("".join(masked)):
        environment, problem = _outer_environment(masked, inner_start, text)  # \begin{equation}\begin{split}
    if problem is not None:
        formula.problem = problem
        return formula
    formula.environment = environment
    builder = _ChainBuilder(environment, document, carry)
    _blank_annotations(masked, inner_start, builder)
    _blank_nested_breaks(masked)
    masked_text = "".join(masked)
    for row_start, row_end in _rows(masked_text):
        builder.row(masked_text[row_start:row_end], inner_start + row_start)
    formula.chains = builder.chains
    _apply_side_conditions(document, formula, builder.side_conditions)
    formula.last_item = builder.last[-1] if builder.last else None
    segments = [item.segment.tokens for chain in formula.chains for item in chain if item.segment is not None]
    matrix_reader.learn_formula(segments, text, formula.context)  # x^T: x is a vector on every side
    return formula


def _without_quote_marks(inner: str, text: str, start: int) -> str:
    """A formula in a Markdown block quote has the quote's ``>`` at the start of each of its lines: blank them."""
    line_start = text.rfind("\n", 0, start) + 1
    if not re.match(r"[ \t]*>", text[line_start:start]):
        return inner
    return re.sub(r"(?m)(?<=\n)[ \t]*(?:>[ \t]?)+", lambda m: " " * len(m.group()), inner)


def _outer_environment(masked: list[str], base: int, text: str) -> tuple[str, Unparsed | None]:
    """The environment the formula is written in ("" for none), its \\begin and \\end blanked (the \\end
    becomes a row break, so that anything written after it is read too)."""
    source = "".join(masked)
    begin = _BEGIN.match(source)
    if not begin:
        return "", None
    name = begin.group(1)
    shown = text[base + begin.start():base + begin.end()].strip()
    if name not in ENVIRONMENTS_CHAIN:
        return name, Unparsed(f"unknown environment {name}", shown, base + begin.start(), base + begin.end())
    arguments_end = begin.end()
    for pattern in (_PLACEMENT,) + ((_COLUMN_COUNT,) if name.startswith("alignat") or name == "alignedat" else ()):
        m = pattern.match(source, arguments_end)
        if m:
            arguments_end = m.end()
    finish = _matching_end(source, name, arguments_end)
    if finish is None:
        return name, Unparsed(f"\\begin{{{name}}} without its \\end{{{name}}}", shown, base + begin.start(),
                              base + begin.end())
    masked[begin.start():arguments_end] = " " * (arguments_end - begin.start())
    masked[finish.start():finish.end()] = "\\\\" + " " * (finish.end() - finish.start() - 2)
    return name, None


def _alone(source: str) -> bool:
    """Whether ``source`` is one environment and nothing else (a split inside an equation)."""
    begin = _BEGIN.match(source)
    if begin is None or begin.group(1) not in ENVIRONMENTS_CHAIN:
        return False
    finish = _matching_end(source, begin.group(1), begin.end())
    return finish is not None and not re.sub(r"\\\\|[\s.,;]", "", source[finish.end():])


def _group_end(text: str, opening: int) -> int:
    """The offset just after the brace group that opens at ``text[opening] == "{"`` (the text's end if unclosed)."""
    end = group_end(text, opening)
    return len(text) if end is None else end


def _blank_annotations(masked: list[str], base: int, builder: "_ChainBuilder") -> None:
    """Blank ``\\label{..}``, ``\\nonumber``, ``\\notag`` and ``\\tag{..}`` (a tag is a name: the math in it,
    if any, is read like the math in a text)."""
    source = "".join(masked)
    for m in _ANNOTATION.finditer(source):
        end = _group_end(source, m.end() - 1) if m.group().endswith("{") else m.end()
        if m.group().startswith("\\tag"):
            builder.text_math(source[m.end():end - 1], base + m.end())
        masked[m.start():end] = " " * (end - m.start())


def _blank_nested_breaks(masked: list[str]) -> None:
    """A nested environment (``\\begin{cases}``) stays in one row and one column: it is reported whole."""
    source = "".join(masked)
    for m in _NESTED_BEGIN.finditer(source):
        finish = _matching_end(source, m.group(1), m.end())
        stop = finish.end() if finish else len(source)
        for i in range(m.end(), stop):
            if masked[i] == "&":
                masked[i] = " "
        for row_break in _ROW_BREAK.finditer(source, m.end(), stop):
            masked[row_break.start():row_break.end()] = " " * (row_break.end() - row_break.start())


def _rows(masked: str) -> list[tuple[int, int]]:
    rows, last = [], 0
    for m in _ROW_BREAK.finditer(masked):
        rows.append((last, m.start()))
        last = m.end()
    rows.append((last, len(masked)))
    return rows


class _ChainBuilder:
    """Assembles the chains of one formula from its rows, in reading order."""

    def __init__(self, environment: str, document: Document, carry: ChainItem | None = None):
        self.document = document
        self.carry = carry  # the last expression of the display before, for a formula that opens with a relation
        self.separate = environment in ENVIRONMENTS_SEPARATE
        self.column_pairs = environment not in ENVIRONMENTS_WITHOUT_COLUMN_PAIRS
        self.chains: list[list[ChainItem]] = []
        self.open: dict[int, list[ChainItem]] = {}  # column -> the chain a leading relation in it continues
        self.last: list[ChainItem] | None = None
        self.pending: list[list[ChainItem]] = []  # chains read from the math in a text, placed after its row
        self.side_conditions: list[tuple[list[ChainItem], str, int]] = []  # (its report, a sign condition, start)
        self.row_conditions = 0  # how many side conditions the rows before this one gave

    def row(self, row: str, base: int) -> None:
        first_in_row = True
        self.row_conditions = len(self.side_conditions)
        for column, part_start, part_end in _column_spans(row, self.column_pairs):
            for piece_tokens, condition in self._pieces(row[part_start:part_end], base + part_start):
                tokens = _without_trailing_punctuation(piece_tokens)
                if all(token.kind == "sym" and token.text in "()[],.;:" for token in tokens):
                    continue  # nothing but the brackets of a comment: ``&& (\text{Jensen})``
                items = _implication_unchecked(_row_items(tokens, self.document), self.document)
                if tokens[0].kind == "cmd" and tokens[0].text == "forall":
                    condition = CONDITION
                if condition:
                    self._condition(items, condition)
                    continue
                self._place(items, column, first_in_row)
                first_in_row = False
        self.chains += self.pending
        self.pending = []

    def _pieces(self, part: str, base: int):
        """The token lists of ``part`` between separators: prose text groups (whose math is read on its own),
        ``\\quad``-like separators; each with the condition word that precedes it, if any."""
        chars = list(part)
        cuts: list[tuple[int, str]] = []  # (offset of a prose text group, the condition it ends with)
        for m in _TEXT_COMMAND.finditer(part):
            if "".join(chars[m.start():m.end()]).strip() == "":
                continue  # inside a text group already blanked
            end = _group_end(part, m.end())
            content = part[m.end() + 1:end - 1]
            if m.group(1) not in ("intertext", "shortintertext") and not _is_prose(content) \
                    and not _is_comment(part[:m.start()], part[end:]):
                continue  # \text{KL}: a name, read by the parser
            if _inside_group(part, m.start()):
                continue  # \underbrace{...}_{\text{evidence lower bound}}: read with its command
            chars[m.start():end] = " " * (end - m.start())
            self.text_math(content, base + m.end() + 1)
            plain = _INLINE.sub(" ", content)
            cuts.append((m.start(), _condition_kind(plain, bool(cuts) and cuts[-1][1] == CONDITION)))
        cleaned = "".join(chars)
        bounds = [0] + [at for at, _ in cuts] + [len(cleaned)]
        conditions = [""] + [condition for _, condition in cuts]
        for (a, b), condition in zip(zip(bounds, bounds[1:]), conditions):
            tokens = tokenize(cleaned[a:b], base + a)
            pieces = _split_at_separators(tokens)
            for number, piece in enumerate(pieces):
                after_comma = number > 0 and pieces[number - 1][-1].kind == "sym" and pieces[number - 1][-1].text == ","
                side = number > 0 and _sign_condition(self.document, piece, bracketed=not after_comma) is not None
                yield piece, condition if number == 0 else (CONDITION if side else "")

    def _place(self, items: list[ChainItem], column: int, first_in_row: bool) -> None:
        first = items[0]
        target = self.open.get(column) or self.last
        leading_relation = first.relation is not None and first.problem is None
        if self.separate or target is None:
            if leading_relation and self.carry is not None and not self.separate and not self.chains:
                # the display opens with "= ...": it continues the chain of the display before
                items.insert(0, ChainItem(None, self.carry.segment, self.carry.problem))
            elif leading_relation:
                at = first.segment.start if first.segment else 0
                items.insert(0, ChainItem(None, None, Unparsed(
                    f"a step `{first.relation} ...` with no expression before it", _source(first, self.document),
                    at, at)))
            self._start(items, column)
        elif first.problem is not None:
            self._start(items, column)
        elif leading_relation:
            target.extend(items)
            self.open[column], self.last = target, target
        elif len(items) == 1 and first_in_row:
            _continue_expression(target[-1], first, self.document)
        elif len(items) == 1 and column > 0 and column in self.open and _starts_with_operator(first):
            _continue_expression(self.open[column][-1], first, self.document)
        elif len(items) == 1 and column > 0:
            return  # an expression without a relation in a comment column (``&& (\text{Jensen})``) claims nothing
        else:
            self._start(items, column)

    def _start(self, items: list[ChainItem], column: int) -> None:
        self.chains.append(items)
        self.open[column], self.last = items, items

    def _condition(self, items: list[ChainItem], condition: str) -> None:
        """Math after a condition word (``\\text{if } x > 0``): a bound variable (``for all x``) says nothing;
        a relation is a condition the checker cannot use, reported; a sign condition after the words of a
        condition (``condition`` is CONDITION) may be assumed (_apply_side_conditions), one after any other lead-in
        (``condition`` is that lead-in: "except for", "unless") never is."""
        tokens = [token for item in items if item.segment for token in item.segment.tokens]
        sign = _sign_condition(self.document, tokens, bracketed=True) if tokens else None
        if len(items) == 1 and items[0].problem is None and sign is None:
            return
        start = next((i.segment.start for i in items if i.segment), 0)
        end = max((i.segment.end for i in items if i.segment), default=start)
        written = self.document.written_span(start, end).strip()
        if condition != CONDITION:  # except for, unless, but not for: never assumed
            self._drop_alternatives(condition)
            self.pending.append([ChainItem(None, None, Unparsed(
                f"a condition (`{written}`) after `{condition}` is not read as one (only a condition after for, if, "
                f"when, where, with, provided, given, assuming is): the step before it is checked without it",
                written, start, end))])
            return
        self.pending.append([ChainItem(None, None, Unparsed(
            f"a condition (`{written}`) is not used by the checker: the step before it is checked without it",
            written, start, end))])
        if sign is not None:
            self.side_conditions.append((self.pending[-1], sign, start))

    def _drop_alternatives(self, lead: str) -> None:
        """A condition joined by "or" to the sign conditions read before it in the row (``for x > 0 or x < 0``):
        none of them is assumed, each reported as not used."""
        if not re.search(r"\b(?:or|nor)\b", lead, re.I):
            return
        while len(self.side_conditions) > self.row_conditions:
            report, _, _ = self.side_conditions.pop()
            problem = report[0].problem
            report[0] = ChainItem(None, None, Unparsed(
                f"a condition (`{problem.fragment}`) is one of alternatives (`{lead}`), not used by the checker: "
                "the step before it is checked without it", problem.fragment, problem.start, problem.end))

    def text_math(self, content: str, base: int) -> None:
        """The math inside a text (``\\text{and $a = b$}``, a ``\\tag``): a claim is checked as a chain of its
        own, a condition (after "for", "if", "where", ...) reported; a name (``for all $x$``) says nothing."""
        before = (0, "")  # where the math before ends, and what it was (CONDITION after a condition word)
        for start, end, math_start, math in _inline_maths(content):
            tokens = tokenize(math, base + math_start)
            if not any(token.kind == "rel" for token in tokens):
                continue
            joined = _condition_kind(content[before[0]:start], True) if before[1] == CONDITION else ""
            condition = joined or _condition_kind(_INLINE.sub(" ", content[:start]))  # for $a > 0$ and $b > 0$
            before = (end, condition)
            if condition:
                items = _row_items(tokens, self.document)
                self._condition(items, condition)
                continue
            for piece in _split_at_separators(tokens):
                piece = _without_trailing_punctuation(piece)
                if piece:
                    items = _row_items(piece, self.document)
                    if items[0].relation is not None and items[0].problem is None:
                        items.insert(0, ChainItem(None, None, Unparsed(
                            f"a step `{items[0].relation} ...` with no expression before it",
                            _source(items[0], self.document), piece[0].start, piece[0].start)))
                    self.pending.append(items)


def _starts_with_operator(item: ChainItem) -> bool:
    tokens = item.segment.tokens if item.segment else []
    return bool(tokens) and ((tokens[0].kind == "sym" and tokens[0].text in "+-*/") or
                             (tokens[0].kind == "cmd" and tokens[0].text in ("cdot", "times", "pm", "mp")))


def _source(item: ChainItem, document: Document) -> str:
    return item.segment.source if item.segment else ""


def _inside_group(part: str, at: int) -> bool:
    """Whether offset ``at`` lies inside a ``{...}`` group of ``part``: an argument or a script, such as the name
    of ``\\underbrace{...}_{\\text{evidence lower bound}}`` or the note of ``\\overset{\\text{by Jensen}}{\\geq}``,
    which the reader takes with its command; never prose that separates two formulas of the row."""
    depth, i = 0, 0
    while i < at:
        if part[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(part[i], 0)
        i += 1
    return depth > 0


def _is_comment(before: str, after: str) -> bool:
    """Whether a one-word ``\\text{...}`` stands where a comment does: last in its part, after nothing or after
    a complete expression (``a = b \\text{Bayes}``, not ``a = \\text{const}``)."""
    if re.sub(r"\\[,;:! ]|\\q?quad\b|[\s.,;]", "", after):
        return False
    before = re.sub(r"(?:\\[,;:! ]|\\q?quad\b|\\hspace\s*\{[^}]*\}|\s)+$", "", before)
    return not before or before[-1].isalnum() or before[-1] in ")]}|&"


def _is_prose(content: str) -> bool:
    """Whether a ``\\text{...}`` holds prose, not a name such as ``\\text{KL}`` that the parser reads."""
    stripped = content.strip()
    if not stripped or "$" in content or "\\(" in content or content != stripped or " " in stripped:
        return True
    if stripped.lower() in PROSE_WORDS:
        return True
    return not re.fullmatch(r"[A-Za-z]+(?:\\?_[A-Za-z0-9]+)*", stripped)


def _column_spans(row: str, column_pairs: bool) -> list[tuple[int, int, int]]:
    """(column, start, end): the row split at its 2nd, 4th, ... top-level ``&`` (align's column pairs; the
    comment column after ``&&``)."""
    if not column_pairs:
        return [(0, 0, len(row))]
    spans, last, depth, ampersands = [], 0, 0, 0
    i = 0
    while i < len(row):
        c = row[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "&" and depth == 0:
            ampersands += 1
            if ampersands % 2 == 0:
                spans.append((len(spans), last, i))
                last = i + 1
        i += 1
    spans.append((len(spans), last, len(row)))
    return spans


def _depth_change(token: Token) -> int:
    """+1 for a token that opens a group (a bracket, a nested \\begin), -1 for one that closes it."""
    if (token.kind == "sym" and token.text in ("(", "[", "{", "\\{")) or (token.kind == "cmd" and token.text == "begin"):
        return 1
    if (token.kind == "sym" and token.text in (")", "]", "}", "\\}")) or (token.kind == "cmd" and token.text == "end"):
        return -1
    return 0


def _sign_condition(document: Document, tokens: list[Token], bracketed: bool) -> str | None:
    """The sign condition a piece of a row writes (``t > 0``, ``0 < s < 1``, ``a \\neq 0``; ``(t \\ge -1)`` in
    parentheses when ``bracketed``) as written, or None: a side condition of the step it follows, not a claim."""
    tokens = _without_trailing_punctuation(tokens)
    if not tokens:
        return None
    text = document.written_span(tokens[0].start, tokens[-1].end).strip()
    if bracketed and re.fullmatch(r"\(.*\)", text, re.S) and _depth_change_of(text[1:-1]) == 0:
        text = text[1:-1].strip()
    if _SIGN.match(text) or _POSITIVE_SET.match(text) or _sign_of_declaration(text) is not None:
        return text
    return None


def _depth_change_of(text: str) -> int:
    return text.count("(") - text.count(")")


def _apply_side_conditions(document: Document, formula: Formula, conditions: list) -> None:
    """A formula of one step with sign conditions beside it (``\\sqrt{t^2} = t, \\quad t > 0``): the step is
    checked under them (they hold for the formula's own names), and the report says they are assumed; one a
    sign cannot hold (t ≥ -1), or a formula of several steps, keeps the report that the condition is not used."""
    claims = [chain for chain in formula.chains if not any(chain is report for report, _, _ in conditions)]
    if len(claims) != 1:
        return
    for report, written, start in conditions:
        if _declare_condition(document, formula.context, written, document.where(document.line_of(start))):
            problem = report[0].problem
            report[0] = ChainItem(None, None, Unparsed(
                f"a condition (`{problem.fragment}`): the step before it is checked under it, the condition itself is "
                "assumed, not checked", problem.fragment, problem.start, problem.end))


def _declare_condition(document: Document, context: Context, written: str, line: str) -> bool:
    """Declare the sign condition ``written`` for the formula (``context``); whether it could be."""
    before = (dict(context.symbols), dict(context.bounded))
    if _SIGN.match(written) or _POSITIVE_SET.match(written):
        _declare_sign(document, written, 0, f"{line} (a condition of the step)", "", context, context)
    else:
        found = _sign_of_declaration(written)
        if found is None or not found[1]:
            return False
        for name in found[0]:
            context.declare_symbol(name, f"{line} (a condition of the step): {written}", **found[1])
    return (dict(context.symbols), dict(context.bounded)) != before


def _split_at_separators(tokens: list[Token]) -> list[list[Token]]:
    """The tokens split at top-level separators (``\\quad``, ``\\qquad``, ``\\hspace``: kind ``sep``)."""
    pieces: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        depth += _depth_change(token)
        if token.kind == "sep":
            if depth == 0:
                pieces.append([])
            continue  # a separator inside a group is space
        pieces[-1].append(token)
    return [piece for piece in pieces if piece]


def _without_trailing_punctuation(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[-1].kind == "sym" and tokens[-1].text in (",", ".", ";"):
        tokens = tokens[:-1]
    return tokens


NOT_CHECKED = {  # relations that state something mathcheck does not check: reported as not checked
    "≈": "not checked: ≈ states an approximation (how close is not said), not one mathcheck checks (=, <, >, ≤, ≥)",
    "≃": "not checked: ≃ states an approximation (how close is not said), not one mathcheck checks (=, <, >, ≤, ≥)",
    "∝": "not checked: ∝ (proportional in which variable? between logs, equal up to an additive constant?) is "
         "ambiguous here; write the constant, or = with it",
}


IMPLICATIONS = ("⇒", "⇐", "⇔")


def _implication_unchecked(items: list[ChainItem], document: Document) -> list[ChainItem]:
    """``t = 1 \\implies t^2 = 1``: a statement implied by another is no chain of claims (the premise is not
    claimed): the whole row is one item, not checked, with why."""
    if not any(item.relation in IMPLICATIONS for item in items):
        return items
    spans = [item.segment for item in items if item.segment is not None]
    start, end = (spans[0].start, spans[-1].end) if spans else (0, 0)
    written = document.written_span(start, end).strip()
    arrow = next(item.relation for item in items if item.relation in IMPLICATIONS)
    return [ChainItem(None, None, Unparsed(f"an implication (A {arrow} B) is not checked: its premise A is not a claim, "
                                           "and B is claimed only under it", written, start, end))]


def _row_items(tokens: list[Token], document: Document) -> list[ChainItem]:
    pieces: list[tuple[str | None, list[Token]]] = [(None, [])]
    depth = 0
    for token in tokens:
        depth += _depth_change(token)
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
            end = body[-1].end if body else relation_token.end
            problem = Unparsed(NOT_CHECKED.get(relation, f"relation {shown} ({relation}) is not one mathcheck checks "
                                                         "(=, <, >, ≤, ≥)"),
                               document.written_span(relation_token.start, end).strip(), relation_token.start, end)
            problem.not_checked = relation in NOT_CHECKED  # a claim read but not checked: undecided, not unparsed
            items.append(ChainItem(relation, _segment(body, relation_token, document), problem))
            continue
        if not body:
            at = relation_token.start if relation_token else tokens[0].start
            problem = Unparsed(f"nothing after the relation {relation}", document.text[at:at + 8].strip(), at, at + 1)
            items.append(ChainItem(relation, None, problem))
            continue
        items.append(ChainItem(relation, _segment(body, relation_token, document)))
    return items


def _segment(body: list[Token], relation_token: Token | None, document: Document) -> Segment:
    if not body:
        at = relation_token.end if relation_token else 0
        return Segment([], at, at, "")
    start, end = body[0].start, body[-1].end
    return Segment(body, start, end, document.written_span(start, end).strip())


def _continue_expression(previous: ChainItem, continuation: ChainItem, document: Document) -> None:
    """A row without relation continues the previous row's expression (a long expression broken in two)."""
    if previous.segment is None or continuation.segment is None:
        previous.problem = previous.problem or continuation.problem
        return
    tokens = previous.segment.tokens + continuation.segment.tokens
    start, end = previous.segment.start, continuation.segment.end
    source = " ".join(f"{previous.segment.source} {continuation.segment.source}".split())
    previous.segment = Segment(tokens, start, end, source)


_RANDOM_WORDS = {("cmd", "int"), ("cmd", "iint"), ("word", "E"), ("rel", "~"), ("word", "KL"), ("word", "N")}


def _declared_engine_variables(formula: Formula) -> None:
    """x, z, X are the engine's random variables; a sign the prose declares for one (``Let $x > 0$``) holds in a
    formula that uses it as a number only: no density, expectation, integral, law or KL written in it."""
    context = formula.context
    declared = {name: context.symbols.get(name) for name in VARIABLES if name not in context.renamed}
    declared = {name: symbol for name, symbol in declared.items() if symbol is not None}
    if declared and not any(_uses_random_variables(item.segment.tokens, context)
                            for chain in formula.chains for item in chain if item.segment is not None):
        context.renamed.update(declared)


def _applied_functions(document: Document, formula: Formula) -> set[str]:
    """The names the formula applies to plain variables (``\\sigma(t)``, latex.function_names), densities aside."""
    found: set[str] = set()
    for chain in formula.chains:
        for item in chain:
            if item.segment is not None:
                found |= function_names(item.segment.tokens, document.text)
    return found - formula.context.density_letters


def _limit_sizes(document: Document, formula: Formula) -> None:
    """The upper limits of the formula's sums and products (N of \\sum_{i=1}^{N}) are sizes on all its sides, so
    that ``\\frac{N(N-1)}{2}`` is a product there, not a function N or a Gaussian."""
    for chain in formula.chains:
        for item in chain:
            if item.segment is not None:
                formula.context.sizes |= Parser(item.segment.tokens, document.text, None, 0)._limit_names()


def _uses_random_variables(tokens: list[Token], context: Context) -> bool:
    """Whether the tokens write a density (a density letter applied), an expectation, an integral, a law or KL."""
    letters = DENSITY_FAMILIES | CONVENTIONAL_DENSITIES | context.density_letters
    for j, token in enumerate(tokens):
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        if (token.kind, token.text) in _RANDOM_WORDS or (density_letter_of(token) in letters and following is not None
                                                        and (following.kind, following.text) in (("sym", "("), ("sym", "_"))):
            return True
    return False


def _density_letters_used(document: Document, formula: Formula) -> set[str]:
    """The letters a formula uses as densities (``g(x|z)``, ``E_g``, ``KL(f \\| g)``: latex.Parser.density_usage)."""
    used: set[str] = set()
    for chain in formula.chains:
        for item in chain:
            if item.segment is not None:
                used |= Parser(item.segment.tokens, document.text, None, 0).density_usage()
    return used


def _written_densities(document: Document, formula: Formula) -> list:
    """The densities the formula writes with their arguments (``q(z|x)``), on every side of every chain."""
    return [density for chain in formula.chains for item in chain if item.segment is not None
            for density in Parser(item.segment.tokens, document.text, formula.context, 0).written_densities()]


_WEIGHT_NAME = re.compile(r"\s*(?P<letter>[A-Za-z]|\\[A-Za-z]+)\s*_\s*(?:\{\s*(?P<braced>[a-z])\s*\}|(?P<index>[a-z]))\s*")
_ENGINE_DATA = re.compile(r"(?<![\\A-Za-z])X(?![A-Za-z])")


def _importance_weights(document: Document, formula: Formula, context: Context) -> Context:
    """``w_k := \\frac{p(x, z_k)}{q(z_k|x)}`` (or ``=``) defines the importance weights of the samples z_k of the
    encoder q(z|x): for what follows, w_k is positive, ``E_{z_1, \\dots, z_K \\sim q(z|x)}[...]`` is the sums
    engine's expectation over the samples (latex.Parser.sample_expectation), and the data variable x is the
    engine's X (when the document never writes X itself: a renaming of a name that is not otherwise used)."""
    for chain in formula.chains:
        if len(chain) != 2 or chain[1].relation not in (":=", "=") or any(item.segment is None for item in chain):
            continue
        named = _WEIGHT_NAME.fullmatch(chain[0].segment.source)
        if named is None:
            continue
        letter = named.group("letter").lstrip("\\")
        index = named.group("braced") or named.group("index")
        weight = _weight_parts(chain[1].segment.source, index)
        if weight is None:
            continue
        data, latent = weight
        declared = context.copy()
        declared.weights[letter] = (data, latent)
        if data != "X" and not _ENGINE_DATA.search(document.text):
            declared.renamed[data] = X
        line = document.where(document.line_of(chain[0].segment.start))
        declared.declare_symbol(f"{letter}_{index}", f"{line}: importance weights {chain[0].segment.source.strip()}",
                                positive=True)
        for number in _weight_instances(document.text, named.group("letter")):  # w_1, w_2: weights too
            declared.declare_symbol(f"{letter}_{number}", f"{line}: importance weights "
                                    f"{chain[0].segment.source.strip()} (the instance {letter}_{number})", positive=True)
        return declared
    return context


def _weight_instances(text: str, letter: str) -> list[str]:
    """The numbers n of the instances ``w_n`` / ``w_{n}`` of the weights' letter that the document writes."""
    written = re.finditer(rf"(?<![\\A-Za-z]){re.escape(letter)}(?![A-Za-z])\s*_\s*(?:\{{\s*(\d+)\s*\}}|(\d))", text)
    return sorted({m.group(1) or m.group(2) for m in written}, key=int)


def _weight_parts(source: str, index: str) -> tuple[str, str] | None:
    """(data, latent) when ``source`` is p(data, latent_index)/q(latent_index | data) (p and q without labels)."""
    try:
        value = parse_expression(source, Context())
    except (Unparsed, ValueError, TypeError):
        return None
    densities = sorted(value.atoms(Density), key=lambda d: d.family)
    if len(densities) != 2 or [d.family for d in densities] != ["p", "q"]:
        return None
    joint, encoder = densities
    if joint.label or encoder.label or joint.given or len(encoder.variables) != 1 or len(encoder.given) != 1:
        return None
    (sample,), (data,) = encoder.variables, encoder.given
    latent, _, written_index = sample.name.partition("_")
    if written_index != index or set(joint.variables) != {data, sample} or len(joint.variables) != 2:
        return None
    for order in ((data, sample), (sample, data)):
        if value == ratio(Density("p", list(order), [], ""), encoder):
            return data.name, latent
    return None


def _declarations_in_formula(document: Document, formula: Formula, context: Context) -> Context:
    """A display formula ``p(x) \\sim N(\\mu, \\sigma^2)`` declares like the prose does (into a copy of
    ``context``, for what follows); a ``\\sim`` that is not such a declaration is marked unparsed with the
    reason."""
    declared = None
    for chain in formula.chains:
        for position, item in enumerate(chain):
            if item.relation == ":=" and len(chain) == 2 and item.problem is None and chain[0].segment is not None \
                    and item.segment is not None:  # Σ := diag(σ²): a matrix defined for what follows (matrix_reader)
                defined = matrix_reader.display_definition(chain[0].segment.source, item, declared or context,
                                                           formula.context,
                                                           document.where(document.line_of(chain[0].segment.start)))
                declared = defined or declared
                if defined is not None:
                    continue
            if item.relation != "~" or item.problem is not None:
                continue
            first = chain[0]
            if len(chain) != 2 or position != 1 or first.segment is None or first.problem is not None \
                    or item.segment is None:
                at = item.segment.start if item.segment else formula.start
                item.problem = Unparsed("`\\sim` declares a law only as a formula of its own: x \\sim N(mean, variance)",
                                        _source(item, document), at, at)
                continue
            declared = declared or context.copy()
            part = f"{first.segment.source} \\sim {item.segment.source}"
            line = document.where(document.line_of(first.segment.start))
            status, what = _declare(declared, part, first.segment.start, line)
            if status == "declared":  # for the formula's own rows too
                _declare(formula.context, part, first.segment.start, line)
            if status == "declared":
                item.declaration = what
            else:
                item.problem = Unparsed(f"not a declaration mathcheck can use: {what}", part,
                                        first.segment.start, item.segment.end)
    return declared or context
