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
- An ``\\intertext{..}`` (``\\shortintertext``) at the top of a display is prose at its place: the display is
  cut there into parts read one after the other, its text read as the prose between them (signs, definitions,
  values, withdrawals), a claim in it (``so $a = b$``) still checked; a part that opens with a relation
  continues the row before the intertext.
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
import functools
import re
from dataclasses import dataclass, field

import sympy as sp

from mathcheck.lazy import LazyPattern
from mathcheck.audit.formats import (BOUNDARY, LATEX, MARKDOWN, DocumentError, Source, decoded, latex_prose,
                                    latex_reading_text, markdown_prose, normalized_line_ends, source_from_text)
from mathcheck.audit.formats import _read_bytes
from mathcheck.audit.latex import (CHECKED, CONVENTIONAL_DENSITIES, DENSITY_FAMILIES, GREEK, VARIABLES, Context, NameRef,
                                   Parser, Token, Unparsed, blank_comments, declared_parameters, density_letter_of,
                                   function_names, group_end, normal_from_variance, parse_expression, tokenize,
                                   top_level_parts)
from mathcheck.audit.latex import constant_word, font_twins, written_font_names
from mathcheck.audit import matrix_reader
from mathcheck.audit.macros import Macro, OffsetMap, expand
from mathcheck.audit.redefined import display_constants, own_constants
from mathcheck.audit.prose_definitions import named_sigmoids, names_builtin_as_quantity
from mathcheck.audit.latex import CASE_COLUMN, CASE_ROW, CASES_ENVIRONMENTS
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
    note: str = ""  # the annotation over the relation: ``\\overset{+c}{=}`` has ``+c`` (audit/check.py reads it)


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
    # (family, label) -> the densities of that name the whole document writes (prose and displays): a bare E_q
    # names a declared conditional q(z|x) only where no q of another conditioning is written (audit/check.py)
    document_densities: dict = field(default_factory=dict)


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
    supposed: dict = field(default_factory=dict)  # name -> its sign entry before the last "Suppose ..." changed it
    prose: str = ""  # ``text`` with what is not prose blanked: displays, code, comments (inline math kept)
    written_densities: dict = field(default_factory=dict)  # (family, label) -> the densities written anywhere
    statements: list = field(default_factory=list)  # (opening, end) of each lemma, proof, example ... that ended

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
_OPENERS = LazyPattern(
    r"(?P<fence>^ {0,3}(?P<mark>`{3,}|~{3,}))"
    r"|(?P<display>\$\$|\\\[)"
    rf"|(?P<environment>\\begin\s*\{{(?P<name>{_ENVIRONMENT_NAMES})\}})"
    r"|(?P<code>`+)"
    r"|(?P<html><!--)", re.M)
_BLANK_LINE = LazyPattern(r"\n[ \t]*\n")


# "\mathbb{N} = \{0, 1, 2, \dots\}", "$0 \in \mathbb{N}$", "the natural numbers include zero": ℕ holds 0 here
_NATURALS = r"(?:\\mathbb\s*\{\s*N\s*\}|\\mathbb\s+N|ℕ|\\N\b)"
_NATURALS_FROM_ZERO = LazyPattern(
    _NATURALS + r"\s*(?:=|:=|\\coloneqq)\s*\\?\{\s*0\s*,|\b0\s*(?:\\in|∈)\s*" + _NATURALS +
    r"|(?:" + _NATURALS + r"\$?|natural\s+numbers?)\s+(?:includes?|contains?|starts?\s+(?:at|from|with))\s+(?:\$\s*)?"
    r"(?:0|zero)\b|\bzero\s+is\s+a\s+natural\s+number", re.I)


_ZERO_WORDS = LazyPattern(r"\b0\b|\bzero\b|\borigin\b|non-?negative|\\geq?\s*0|≥\s*0|_\s*\{?\s*0|ゼロ|零|非負", re.I)


def naturals_from_zero(text: str) -> bool:
    """Whether ``text`` lets ℕ hold 0: a statement of _NATURALS_FROM_ZERO, or any sentence that names ℕ beside 0,
    zero or a nonnegative set ("$\\mathbb{N} = \\mathbb{Z}_{\\ge 0}$", "$\\mathbb{N}_0 = \\mathbb{N}$", "ℕ denotes the
    nonnegative integers"): a size of ℕ is then nonnegative, which can only leave a step undecided."""
    if _NATURALS_FROM_ZERO.search(text):
        return True
    return any(re.search(_NATURALS, clause) and _ZERO_WORDS.search(_NONZERO.sub(" ", clause)) and
               not _ZERO_EXCLUDED.search(clause)
               for clause in re.split(r"(?<=[.!?。;,])\s+|\n\s*\n|\s+and\s+(?=\$)", text))


_ZERO_EXCLUDED = LazyPattern(r"\b(?:exclud\w*|not\s+(?:contain|include)\w*|does\s+not|without|positive)\b|除", re.I)


_NONZERO = LazyPattern(r"(?:\\neq?|≠|>|\\gt\b)\s*0\b")  # "assume $K \neq 0$": no zero let in


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
    masked, regions, pieces = _split_at_intertext(text, masked, regions)
    document.prose = _without_regions(masked, regions)
    masked = _prose_view(document.prose, source.dialect)
    persistent = Context()  # the declarations that hold from where they are made on
    persistent.font_twins = font_twins([m for *_, m in _inline_maths(document.prose)] +
                                       [text[i:j] for kind, _, _, i, j in regions if kind == "display"], document.prose)
    persistent.naturals_from_zero = naturals_from_zero(text)
    current = persistent.copy()  # and the hypotheses stated since the last formula, for the next one only
    proof_ends = _display_proof_ends(text, regions)  # "$$ ... \qquad \blacksquare $$" ends a proof too
    events = sorted(_latex_statements(text, expanded.groups) +
                    _latex_paragraph_statements(document.prose, masked, proof_ends)) \
        if source.dialect == LATEX else _markdown_statements(document.prose, proof_ends, _quote_marks(text, regions))
    events = scoped_declaration_events(document.prose, source.dialect, regions, events)  # "In this section, ..."
    scopes = _StatementScopes(text, events, document.statements)
    cursor = 0
    carry: ChainItem | None = None  # the last expression of the display before: a display "= ..." continues it
    qualified: Formula | None = None  # the display just read: prose that continues its sentence may qualify it
    for kind, start, end, inner_start, inner_end in regions:
        if start > cursor:
            reading = _trailing_conditions(document, masked, cursor, start, qualified)
            persistent, current = scopes.read(document, reading, cursor, start, persistent, current)
        cursor, qualified = end, None
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
            piece = pieces.get(start)
            current.formula_font_twins = set.intersection(*written_font_names(_without_small_justifications(
                text[inner_start:inner_end])))
            persistent, current = (_implicit_weights(document, text[inner_start:inner_end], target)
                                   for target in (persistent, current))
            formula = _read_formula(document, index, start, end, inner_start, inner_end, current, carry, piece)
            if piece is not None and not formula.chains and formula.problem is None:
                current = persistent.copy()
                continue  # the rows before an \intertext at the top of an align: nothing
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
            ends_at_intertext = piece is not None and piece.trailing is not None  # its prose leads into the rows after
            qualified = formula if kind == "display" and not ends_at_intertext else None
        current = persistent.copy()
    if cursor < len(text):
        scopes.read(document, _trailing_conditions(document, masked, cursor, len(text), qualified), cursor,
                    len(text), persistent, current)
    _share_written_densities(document, persistent)
    return document


def _share_written_densities(document: Document, last: Context) -> None:
    """Every formula learns the densities the whole document writes (in its prose's inline formulas and in its
    displays, ``last.written_densities``)."""
    for _, _, _, math in _inline_maths(document.prose):  # footnotes and remarks too: the reader sees them
        _note_prose_densities(document, math, last)
    for key, found in last.written_densities.items():
        document.written_densities.setdefault(key, set()).update(found)
    for formula in document.formulas:
        formula.document_densities = document.written_densities
        before = formula.context.written_densities
        others = {key: {d for d in document.written_densities.get(key, set()) if d.given != next(iter(found)).given}
                  for key, found in before.items() if len(found) == 1}
        if any(others.values()):  # q(z|x) written before, q(z) elsewhere: a later bare E_q names neither
            formula.context.written_densities = {key: found | others.get(key, set()) for key, found in before.items()}


def _note_prose_densities(document: Document, math: str, context: Context) -> None:
    """The densities an inline formula writes with their arguments (``the marginal $q(z)$``)."""
    if "(" not in math:
        return
    try:
        found = Parser(tokenize(math), math, context, 0).written_densities()
    except (Unparsed, ValueError, TypeError, IndexError, RecursionError):
        return
    for density in found:
        document.written_densities.setdefault((density.family, density.label), set()).add(density)


# environments whose assumptions end with them ("\begin{lemma} Let $t > 0$ ... \end{lemma}"), short names included
STATEMENT_ENVIRONMENTS = {"theorem", "thm", "lemma", "lem", "proposition", "prop", "corollary", "cor", "claim",
                          "conjecture", "example", "examples", "ex", "exa", "exmp", "remark", "rem", "remarks",
                          "exercise", "problem", "question", "proof", "sketch", "case", "observation", "fact",
                          "quote", "quotation", "displayquote"}  # a quotation: another text's words
# what such an environment's end gives back: the assumptions, not the names the text has used so far
SCOPED_FIELDS = ("symbols", "bounded", "index_ranges", "laws", "densities", "curvature", "definite", "symmetric",
                 "notes", "normal_scale", "reparametrizations", "datasets", "data_points", "vector_densities", "points")
# the keys of the shapes that record a property assumed, not a shape used (see _assumptions_from)
_PROPERTY_MARKERS = (matrix_reader.DIAGONAL_MATRIX, matrix_reader.ORTHOGONAL_MATRIX, matrix_reader.UNREAD_PROPERTY,
                     matrix_reader.POSITIVE_DIAGONAL, matrix_reader.BINARY, matrix_reader.UNIT, matrix_reader.DEFINED,
                     *matrix_reader.TRIANGULAR.values())
_GROUP_NAME = LazyPattern(r"\\(?:begin|end)\s*\{\s*([A-Za-z]+)\*?\s*\}")
_STATEMENT_WORDS = (r"(?P<name>theorem|lemma|proposition|corollary|claim|conjecture|example|remark|exercise|problem|"
                    r"question|proof|observation|fact|例題?|補題|定理|命題|系|注意|証明|問題?)")
_MARKDOWN_STATEMENT = LazyPattern(  # "**Example 2.** Let ...", "*Lemma.*", "Proof:", "**補題 1**": a statement opens
    r"(?:^|(?<=\n))[ \t]*(?:>[ \t]*)?(?P<mark>\*\*|__|\*|_)?" + _STATEMENT_WORDS +
    r"(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:theorem|lemma|proposition|corollary|claim)(?=[ \t.:*_]))?"  # "Proof of Lemma 1."
    r"(?:[ \t]+[\w.-]{1,8})?[ \t]*(?:\([^()\n]{0,60}\))?[ \t]*"
    r"(?:[.:．：][ \t]*(?P=mark)?|(?P=mark)[ \t]*[.:．：]?)", re.I)
# "補題1　$t>0$ とする", "【定理 2】", "証明" alone on its line: a Japanese label needs no period, only no word after
# it ("補題1より" cites a lemma)
_JAPANESE_STATEMENT = LazyPattern(
    r"(?:^|(?<=\n))[ \t]*(?:>[ \t]*)?(?P<bold>\*\*|__)?(?P<open>【\s*)?"
    r"(?:(?:補題|定理|命題|系)\s*[0-9０-９]*(?:[.．-][0-9０-９]+)*\s*の\s*(?=証明))?"  # "補題 1 の証明"
    r"(?P<name>補題|定理|命題|証明|例題|系(?=\s*[0-9０-９]))"
    r"\s*[0-9０-９]*(?:[.．-][0-9０-９]+)*\s*(?:[（(][^（）()\n]{0,60}[）)])?"
    r"(?:(?(bold)[.．]?(?:\*\*|__)[ \t]*[.:．：]?|(?!))|(?(open)\s*】|(?!))|[ \t]*[.:．：、]|[ \t]*　|[ \t]*$|[ \t]+(?=\$))", re.M)
# a statement environment written in Markdown prose (MathJax leaves \begin{lemma} as text)
_MARKDOWN_ENVIRONMENT = LazyPattern(r"\\(?P<which>begin|end)\s*\{\s*(?P<name>[A-Za-z]+)\*?\s*\}")
_PARAGRAPH_START = LazyPattern(r"(?:\A|\n[ \t>]*\n)[ \t>]*\Z")
_END_OF_PROOF = LazyPattern(r"[∎□■]|\$\s*\\(?:blacksquare|square|Box|qed)\s*\$|\bQ\.?E\.?D\b\.?|"
                            r"(?i:\b(?:this|which|that)\s+(?:concludes|completes|ends|finishes|closes)\s+the\s+"
                            r"(?:proof|example|exercise|lemma|theorem|claim|remark|corollary|proposition)\b[^\n.]*\.?)|"
                            r"(?i:\bend\s+of\s+(?:the\s+)?(?:proof|example|exercise|remark)\b\.?)|"
                            r"(?i:\bthe\s+proof\s+is\s+(?:now\s+)?(?:complete|finished|done)\b\.?)|"
                            r"(?i:\b(?:this|which)\s+proves\s+the\s+(?:lemma|theorem|claim|proposition|corollary)\b\.?)|"
                            r"(?i:\bthe\s+(?:lemma|theorem|claim|proposition|corollary)\s+follows\b\.?)|"
                            r"[（(]\s*(?:証明)?(?:終|終わり|終了|おわり)\s*[）)]|証明(?:終わり|終了|終)|"
                            r"^[ \t>]*以上(?:で(?:証明)?(?:を)?(?:終わる|終わり|終了|示された))?[ \t]*[。．.]?[ \t]*$", re.M)
_MARKDOWN_HEADING = LazyPattern(r"^ {0,3}#{1,6}(?:[ \t][^\n]*)?$", re.M)
# "### Lemma 1", "## Proof of Theorem 2", "#### **Claim** (KL)": a heading that is a statement's label opens it
_STATEMENT_HEADING = LazyPattern(
    r"^ {0,3}#{1,6}[ \t]+(?:\*\*|\*|__|_)?" + _STATEMENT_WORDS +
    r"\b(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:theorem|lemma|proposition|corollary|claim)\b)?"
    r"(?:[ \t]+(?:\d[\w.-]{0,7}|[IVX]+\b|[A-Z]\b(?:\.\d+)?))?"  # "Lemma 1", "Theorem 2.3", "Claim A", "Lemma II"
    r"(?:[ \t]+(?:\d[\w.-]{0,7}|[A-Z]\b(?:\.\d+)?))?"  # "Proof of Lemma 1"
    r"(?:\*\*|\*|__|_)?[ \t]*(?:\([^()\n]{0,60}\))?[ \t]*(?:(?:[.:．：—–]|[ \t]-[ \t])[^\n]*)?[ \t]*#*[ \t]*$",
    re.M | re.I)


def _latex_statements(text: str, groups: list[tuple[int, bool]]) -> list[tuple[int, bool, int, bool, str]]:
    """(offset, opens, end of the command, a statement environment?, its name) for each \\begin / \\end the
    macro expander met as a TeX group."""
    events, statements = [], STATEMENT_ENVIRONMENTS | _new_theorems(text)
    for at, opens in groups:
        found = _GROUP_NAME.match(text, at)
        if found is not None:
            name = found.group(1).lower()
            events.append((at, opens, found.end(), name in statements, name))
    return events


_NEW_THEOREM = LazyPattern(r"\\newtheorem\*?\s*\{\s*(?P<name>[A-Za-z]+)\s*\}\s*(?:\[[^\]]*\]\s*)?\{\s*(?P<title>[^{}]*)\}")


def _new_theorems(text: str) -> set[str]:
    """The environments ``\\newtheorem{mylem}{Lemma}`` defines whose title names a statement."""
    return {m.group("name").lower() for m in _NEW_THEOREM.finditer(text)
            if re.match(_STATEMENT_WORDS + r"\b", m.group("title").strip(), re.I)}


def _markdown_statements(prose: str, proof_ends: list[int] = (),
                         quotes: list[tuple[int, bool, int, str]] = ()) -> list[tuple[int, bool, int, bool, str]]:
    """The statements of Markdown prose as _latex_statements gives them: one opens at a paragraph that starts
    with a statement label (``**Lemma 1.**``, ``Example:``) and ends at the next such label or heading, at ∎
    (or （証明終）, 以上 alone), or at the end of a display that ends with ∎ (``proof_ends``); a block quote
    (``quotes``, see _quote_marks) is one too."""
    marks = _label_marks(prose) + [(at, False, at, "") for at in proof_ends] + list(quotes)
    marks += [(m.start(), m.group("which") == "begin", m.end(), m.group("name").lower())
              for m in _MARKDOWN_ENVIRONMENT.finditer(prose) if m.group("name").lower() in STATEMENT_ENVIRONMENTS]
    labelled = {m.start(): m for m in _STATEMENT_HEADING.finditer(prose)}
    marks += [(m.start(), True, m.end(), labelled[m.start()].group("name").lower()) if m.start() in labelled
              else (m.start(), False, m.end(), "") for m in _MARKDOWN_HEADING.finditer(prose)]
    marks += [(m.end(), False, m.end(), "") for m in _END_OF_PROOF.finditer(prose)]
    marks += [(m.start(), True, m.end(), m.group("name").lower()) for m in _DETAILS_STATEMENT.finditer(prose)]
    marks += [(m.start(), False, m.end(), "") for m in _DETAILS_END.finditer(prose)]
    marks += [(m.start(), False, m.end(), "") for m in _THEMATIC_BREAK.finditer(prose)]  # "---": a statement ends
    marks += [(m.start(), False, m.start(), "") for m in _RETURN_TO_GENERAL.finditer(prose)]  # "We now return to"
    return _statement_events(marks, "")


_QUOTE_LINE = LazyPattern(r" {0,3}>")
_QUOTE_INTERRUPTION = LazyPattern(r" {0,3}(?:#{1,6}(?:[ \t]|$)|```|~~~|(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$)")
_HTML_QUOTE = LazyPattern(r"<(?P<close>/)?blockquote\b[^>]*>", re.I)


def _quote_marks(text: str, regions: list) -> list[tuple[int, bool, int, str]]:
    """The marks of _markdown_statements for the block quotes of Markdown ``text`` (``> ...`` lines, lazy
    continuation lines, ``<blockquote>``): a quote is another text's words, or set apart from the author's own,
    so what it declares holds inside it only (a statement that opens inside it ends with it)."""
    code = [(start, end) for kind, start, end, _, _ in regions if kind == "code"]
    marks, opened, offset = [], None, 0
    for line in text.splitlines(keepends=True):
        in_code = any(start <= offset < end for start, end in code)
        if _QUOTE_LINE.match(line) and not (in_code and opened is None):
            if opened is None:
                opened = offset
                marks.append((offset, True, offset, "quote"))
        elif opened is not None and (not line.strip() or _QUOTE_INTERRUPTION.match(line)) and not in_code:
            marks.append((offset, False, offset, ""))
            opened = None
        offset += len(line)
    if opened is not None:
        marks.append((offset, False, offset, ""))
    for m in _HTML_QUOTE.finditer(text):
        marks.append((m.start(), False, m.end(), "") if m.group("close") else (m.start(), True, m.end(), "quote"))
    return marks


# "We now return to the general case", "**Back to all $N$.**", "In general,": the case or statement before ends
_RETURN_TO_GENERAL = LazyPattern(r"(?:^|(?<=\n))[ \t>]*(?:\*\*|__|\*|_)?[ \t]*(?:we\s+(?:now\s+)?return\s+to|returning\s+to|"
                                 r"back\s+to|in\s+general\b|in\s+the\s+general\s+case|for\s+general\b|"
                                 r"一般の場合|一般に(?:は|戻)|元の)", re.I)


def _labels_set_apart(marked: str) -> str:
    """``marked`` with each statement label (``**Claim.**``, ``\\begin{lemma}``) a sentence of its own: "**Claim.**
    Let ⟦0⟧ be ..." declares as "Let ⟦0⟧ be ..." does (the label opens a scope, see _markdown_statements)."""
    def apart(found: re.Match) -> str:
        if found.group("name").lower() in _POSED_STATEMENTS:
            return found.group()  # "**Exercise.** Let ...", "Claim: let ...": what is posed, not assumed
        return found.group()[:len(found.group()) - len(found.group().lstrip())] + "§.\n\n"
    return _MARKDOWN_ENVIRONMENT.sub(apart, _TITLED_STATEMENT.sub(apart, marked))


_POSED_STATEMENTS = {"claim", "conjecture", "exercise", "problem", "question", "問", "問題"}
_TITLED_STATEMENT = LazyPattern(_MARKDOWN_STATEMENT.pattern + r"(?:[ \t]*\([^()\n⟦]{0,60}\)[ \t]*[.:]?)?",
                                _MARKDOWN_STATEMENT.flags)  # "**Lemma 1** (KL) Let ...": the title goes too


# "<details><summary>Proof of Lemma 2</summary> ... </details>": a folded statement, closed with its block
_DETAILS_STATEMENT = LazyPattern(r"<summary\b[^>]*>\s*(?:<[^>]+>\s*)*" + _STATEMENT_WORDS + r"\b", re.I)
_DETAILS_END = LazyPattern(r"</details\s*>", re.I)
_THEMATIC_BREAK = LazyPattern(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", re.M)


_LATEX_END_OF_PROOF = LazyPattern(r"\\(?:qed|qedhere|QED|blacksquare|square|Box)(?![A-Za-z])|\\end\s*\{\s*proof\*?\s*\}")
_LATEX_HEADING = LazyPattern(r"\\(?:part|chapter|(?:sub)*section|paragraph)\*?\s*[{\[]")
PARAGRAPH = "¶"  # the name of a statement a LaTeX paragraph opens with a label, not an environment


def _latex_paragraph_statements(prose: str, view: str,
                                proof_ends: list[int] = ()) -> list[tuple[int, bool, int, bool, str]]:
    """The statements a LaTeX text writes without an environment (``\\textbf{Lemma 1.} Let ...``, ``Proof.``):
    each ends at ∎ or \\qed, the next such label or a sectioning command; their names start with PARAGRAPH, so
    that only such an end closes them."""
    marks = _label_marks(view.replace(BOUNDARY, " ")) + [(at, False, at, "") for at in proof_ends]
    marks += [(m.start(), False, m.start(), "") for m in _LATEX_HEADING.finditer(prose)]
    marks += [(m.end(), False, m.end(), "") for pattern in (_END_OF_PROOF, _LATEX_END_OF_PROOF)
              for m in pattern.finditer(prose)]
    return _statement_events(marks, PARAGRAPH)


_DISPLAY_PROOF_END = LazyPattern(r"(?:[∎□■]|\\(?:qed|qedhere|blacksquare|square|Box)(?![A-Za-z]))[\s}$]*\Z")


def _display_proof_ends(text: str, regions: list) -> list[int]:
    """The ends of the displays whose last sign is a proof's end (``\\qquad \\blacksquare``, ``\\tag*{$\\square$}``)."""
    return [end for kind, _, end, inner_start, inner_end in regions
            if kind == "display" and _DISPLAY_PROOF_END.search(text[inner_start:inner_end])]


_IN_THIS_STATEMENT = LazyPattern(r"\b(?:in|within|for|throughout)\s+this\s+(?P<name>lemma|proof|theorem|proposition|"
                                 r"corollary|claim|example|remark)\b|この\s*(?P<ja>補題|証明|定理|命題|例)(?:の中)?\s*(?:で|において|に限)",
                                 re.I)
_JAPANESE_STATEMENT_NAMES = {"補題": "lemma", "証明": "proof", "定理": "theorem", "命題": "proposition", "例": "example"}
_SENTENCE_START = LazyPattern(r"[.!?](?=\s)|[。．！？]|\n[ \t>]*\n")
ONLY_OUTSIDE = "~"  # a name's mark: this opens a statement only where none is open ("In this lemma, $t > 0$.")


def _label_marks(prose: str) -> list[tuple[int, bool, int, str]]:
    """(offset, True, end, name) for each statement label that opens a paragraph of ``prose``, and for each
    sentence that says its declarations are a statement's ("In this lemma, ...", "この補題では"): it opens one
    where none is open."""
    labels = [*_MARKDOWN_STATEMENT.finditer(prose), *_JAPANESE_STATEMENT.finditer(prose)]
    opening = {m.start(): (m.start(), True, m.end(), m.group("name").lower()) for m in labels
               if _PARAGRAPH_START.search(prose[:m.start()])}  # one statement per label, however matched
    for m in _IN_THIS_STATEMENT.finditer(prose):
        at = max((end.end() for end in _SENTENCE_START.finditer(prose, 0, m.start())), default=0)
        name = m.group("name").lower() if m.group("name") else _JAPANESE_STATEMENT_NAMES[m.group("ja")]
        opening.setdefault(at, (at, True, at, ONLY_OUTSIDE + name))
    return list(opening.values())


def _statement_events(marks: list[tuple[int, bool, int, str]], prefix: str) -> list[tuple[int, bool, int, bool, str]]:
    """The events of _StatementScopes for label marks: a label opens a statement (closing the one open), an end
    closes it; the names carry ``prefix`` (a proof is "proof")."""
    events, open_ = [], False
    for at, opens, after, name in sorted(marks):
        if name.startswith(ONLY_OUTSIDE):
            if open_:
                continue  # "in this lemma" inside the lemma: that statement
            name = name[len(ONLY_OUTSIDE):]
        if open_:
            events.append((at, False, at, True, prefix))
        if opens:
            events.append((at, True, after, True, prefix + ("proof" if name in ("proof", "証明") else name)))
        open_ = opens
    return events


def _property_marker(key: str) -> bool:
    """Whether a key of the shapes records an assumption (D diagonal, Q orthogonal, x ∈ {0, 1}^D, Σ = diag(σ²)),
    not a shape the text has used."""
    return key.startswith(_PROPERTY_MARKERS)


def _assumptions_from(inside: Context, assumed: Context) -> Context:
    """``inside`` with the assumptions (SCOPED_FIELDS, and the matrix properties among the shapes) of
    ``assumed``."""
    result, source = inside.copy(), assumed.copy()
    for name in SCOPED_FIELDS:
        setattr(result, name, getattr(source, name))
    result.shapes = {key: shape for key, shape in result.shapes.items() if not _property_marker(key)}
    result.shapes.update({key: shape for key, shape in source.shapes.items() if _property_marker(key)})
    return result


class _StatementScopes:
    """The statement environments of a LaTeX text (lemma, proof, example, ..., found where the macro expander
    opens and closes its TeX groups): what the prose assumes inside one ends with it; a proof that follows a
    statement starts from what the statement assumed."""

    def __init__(self, text: str, events: list[tuple[int, bool, int, bool, str]], spans: list[tuple[int, int]]):
        self.text = text
        self.events = events  # (offset, opens, end of the command, a statement environment?, its name)
        self.next = 0
        self.open: list[tuple[str, bool, Context | None, int]] = []  # name, statement?, to restore, where it opened
        self.spans = spans  # (opening, end) of each statement ended (a proof with the statement it proves)
        self.closed: tuple[int, Context, Context] | None = None  # the last statement's end, its assumptions, before

    def read(self, document: "Document", masked: str, start: int, end: int, persistent: Context,
             current: Context) -> tuple[Context, Context]:
        """_read_prose of ``masked[start:end]``, the assumptions of each statement environment ending with it."""
        while self.next < len(self.events) and self.events[self.next][0] < end:
            at, opens, after, statement, name = self.events[self.next]
            self.next += 1
            at = max(at, start)
            if at > start:
                persistent, current = _read_prose(document, masked[start:at], start, persistent, current)
                start = at
            if opens:
                persistent, current = self._enter(statement, name, at, persistent, current)
            elif self.open:
                persistent, current = self._leave(name, after, persistent, current)
        if end > start:
            persistent, current = _read_prose(document, masked[start:end], start, persistent, current)
        return persistent, current

    def _enter(self, statement: bool, name: str, at: int, persistent: Context,
               current: Context) -> tuple[Context, Context]:
        if not statement:
            self.open.append((name, False, None, at))
            return persistent, current
        before, opened = persistent.copy(), at
        if name in ("proof", PARAGRAPH + "proof") and self.closed is not None and \
                not self.text[self.closed[0]:at].strip():
            before = self.closed[2]  # the proof of the statement just closed: under its assumptions
            persistent = _assumptions_from(persistent, self.closed[1])
            current = persistent.copy()
            opened = self.spans.pop()[0]  # and what the statement assigned holds until the proof ends
        self.open.append((name, True, before, opened))
        self.closed = None
        return persistent, current

    def _leave(self, name: str, after: int, persistent: Context, current: Context) -> tuple[Context, Context]:
        """The environment ``name`` closes (those opened inside it and never closed with it; "": the last one)."""
        names = [entry[0] for entry in self.open]
        if name == PARAGRAPH:  # the last statement a LaTeX paragraph opened (and what opened inside it)
            names = [PARAGRAPH if entry.startswith(PARAGRAPH) else "" for entry in names]
        if name and name not in names:
            return persistent, current  # an \\end that closes nothing open
        depth = len(names) - 1 - names[::-1].index(name) if name else len(names) - 1
        closed, self.open = self.open[depth:], self.open[:depth]
        statements = [(before, opened) for _, statement, before, opened in closed if statement]
        if not statements:
            return persistent, current
        before = statements[0][0]
        self.spans.append((statements[0][1], after))
        inside = persistent
        persistent = _assumptions_from(persistent, before)
        self.closed = (after, inside, before)
        if any(entry[0] == "quote" for entry in closed):  # a quote's "from now on $N$ is real" may be the author's:
            matrix_reader.redeclare_reals(self.text[statements[0][1]:after], persistent)  # a count it withdraws stays so
        return persistent, persistent.copy()


def ended_statement(document: Document, offset: int, at: int) -> bool:
    """Whether ``offset`` lies in a statement environment (a lemma, its proof, an example) that ended before
    ``at``: what was assigned there (x := 2y inside a lemma) no longer holds at ``at``."""
    return any(opening <= offset < end <= at for opening, end in document.statements)


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


_FRONT_MATTER = re.compile(r"(---|\+\+\+)[ \t]*\n.*?\n(?:\1|\.\.\.)[ \t]*(?:\n|$)", re.S)


def _front_matter_end(text: str) -> int:
    """Where a Markdown file's YAML (``---``) or TOML (``+++``) front matter ends (0 without one): its fields are
    the page's metadata, not the document's prose, so a title such as "Let $\\sigma > 0$" declares nothing."""
    m = _FRONT_MATTER.match(text)
    return m.end() if m else 0


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
    if dialect == MARKDOWN:
        i = _front_matter_end(text)
        masked[:i] = [c if c == "\n" else " " for c in text[:i]]
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


_LIST_ITEM = LazyPattern(r"^( {0,3}(?:[-*+]|\d{1,9}[.)]))([ \t]+|$)")
_FOOTNOTE_DEFINITION = LazyPattern(r"^ {0,3}\[\^[^\]\s]+\]:")


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
                elif _FOOTNOTE_DEFINITION.match(line.expandtabs(4)):
                    column = 4  # "[^1]: ...": its paragraphs after a blank line are indented four spaces (pandoc, GFM)
                elif after_blank and _indent(line) < column:
                    column = 0  # a paragraph at the margin ends the list
        if start is not None and not blank:
            last_code_end = offset + len(line.rstrip("\n"))
        after_blank = blank
        offset += len(line)
    if start is not None:
        blocks.append((start, last_code_end))
    return blocks


_LINE_MARKERS = LazyPattern(r"^[ \t]*(?:(?:>[ \t]?)+|(?:[-*+]|\d+[.)])[ \t]+)*[ \t]*$")
_AFTER_DISPLAY = LazyPattern(r"^[ \t.,;:!?)\]]*(?:\(\s*[\w.*'†‡-]{1,8}\s*\)[ \t.,;:]*)?$")  # "$$...$$ (1)": a number
_OTHER_DISPLAYS = LazyPattern(r"\$\$[^$]*\$\$")


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


_INLINE = LazyPattern(r"(?<![\\$])\$\$(?P<double>[^$\n]+?)\$\$"
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
    first = next(_HEADING_LINE.finditer(document.text, base, base + len(prose)), None)
    if first is not None and first.start() > base and prose[:first.start() - base].strip():
        persistent, current = _read_prose(document, prose[:first.start() - base], base, persistent, current)
        return _read_prose(document, prose[first.start() - base:], first.start(), persistent, persistent.copy())
    if first is not None:  # "If $x > 0$ then" before "## Appendix": a hypothesis is the next formula's, not a section's
        current = persistent.copy()
    heading = _signed_heading(document, base, len(prose))
    if heading is not None:  # the prose before it, the signs it revokes, then the prose after it
        begin, cut, signs, note = heading  # (the prose before it is read without the heading: no recursion)
        persistent, current = _read_prose(document, prose[:begin - base], base, persistent, current)
        for names, assumptions in signs:
            if assumptions == CASE:
                stated = "Hence " + " and ".join(f"${math}$" + _parity_written(document.text[begin:cut], math)
                                                 for math in names) + "."  # within the signs above
                persistent, current = _read_declarations(document, stated, begin, persistent, current)
                continue
            if assumptions == WITHDRAWN_COUNTS:
                for target in (persistent, current):
                    matrix_reader.redeclare_reals(document.text[begin:cut], target, note)
                continue
            if assumptions == ORDER:  # ## The case $b < a$: the declared orders of a and b no longer hold
                for target in (persistent, current):
                    _drop_orders(target, set(names), note)
                continue
            _apply_sign(names, assumptions, note, NOT_DECLARED, persistent, current)
        return _read_prose(document, prose[cut - base:], cut, persistent, current)
    withdrawal = _matrix_withdrawal(prose)
    if withdrawal is not None and withdrawal[0] < len(prose.rstrip()):  # up to its sentence, then the rest
        cut = withdrawal[0]
        persistent, current = _read_prose(document, prose[:cut], base, persistent, current)
        return _read_prose(document, prose[cut:], base + cut, persistent, current)
    persistent, current = persistent.copy(), current.copy()
    if withdrawal is not None:  # what the prose says before it is read first (and then withdrawn)
        persistent, current = _read_declarations(document, prose, base, persistent, current)
        for target in (persistent, current):
            _withdraw_matrix_properties(target, withdrawal[1])
        return persistent, current
    return _read_declarations(document, prose, base, persistent, current)


_SUPPOSITION = LazyPattern(r"^\s*(?:(?:[-*+]|\d+[.)])\s+)?(?:now\s+)?(?:suppose|assume|let\s+us\s+(?:suppose|assume)|we\s+"
                           r"(?:now\s+)?(?:suppose|assume))\b|^\s*(?:[-*+]\s+)?(?:仮に)?[^。]*と仮定", re.I)
_OTHERWISE = LazyPattern(r"^\s*(?:(?:[-*+]|\d+[.)])\s+)?(?:\*\*|\*|_)?\s*(?:otherwise|else|if\s+not|in\s+the\s+other\s+case|"
                         r"conversely)\b|^\s*(?:[-*+]\s+)?(?:そうでなければ|そうでない場合|それ以外)", re.I)


def _undo_supposition(document: Document, persistent: Context, current: Context) -> None:
    """"- Otherwise:" after "- Suppose $x > 0$.": the signs the supposition gave are not those of the other case;
    each name reads as it did before it."""
    for name, (symbol, bounded) in document.supposed.items():
        for target in (persistent, current):
            target.symbols.pop(name, None)
            target.bounded.pop(name, None)
            if symbol is not None:
                target.symbols[name] = symbol
            if bounded is not None:
                target.bounded[name] = bounded
    document.supposed = {}


def _read_declarations(document: Document, prose: str, base: int, persistent: Context,
                       current: Context) -> tuple[Context, Context]:
    """_read_prose of a stretch with no heading and no withdrawal of matrix properties before its end."""
    if document.supposed and _OTHERWISE.match(prose):
        persistent, current = persistent.copy(), current.copy()
        _undo_supposition(document, persistent, current)
    marked, functions = _marked(document, prose, base)
    marked = _labels_set_apart(marked)
    moods = _moods(marked)
    maths = [math for _, _, _, math in _inline_maths(prose)]
    sigmoids = {name.lstrip("\\") for sentence in re.split(r"(?<=[.!?。])\s+|\n\s*\n", marked)
                for _, name in named_sigmoids(sentence, maths)}  # "$\sigma$ is the sigmoid": σ(0) a value
    for target in (persistent, current):
        target.prose_functions |= sigmoids
    signed_here: dict[str, set[str]] = {}  # sentence -> the names whose sign its formulas declared
    laws_here: dict[tuple, tuple] = {}  # (sentence, the key of a law declared) -> the law it declares
    for number, (_, _, math_start, math) in enumerate(_inline_maths(prose)):
        offset = base + math_start
        line = document.where(document.line_of(offset))  # "line 7" (in a notebook "cell 3, line 2")
        mood = moods.get(number, "")
        _declare_own_constants(prose, math_start, math, mood, persistent, current)  # e, \pi (audit/redefined.py)
        if mood != NEGATION:  # "the decoder outputs $\sigma(x)$": σ(x + 1) later is not σ·(x + 1)
            for target in (persistent, current):
                target.prose_functions |= function_names(tokenize(math), math) - target.density_letters
        _read_sign_statement(document, marked, number, maths, offset, line, mood, signed_here, persistent, current)
        if not mood:  # "Let $$w_k := p(x, z_k)/q(z_k|x)$$ be the importance weights"
            persistent, current = (_weights_in_prose(document, math, offset, target) for target in (persistent, current))
        if mood != NEGATION:  # x \in \mathbb{R}^d, \Sigma \succ 0, z \sim N(\mu, \Sigma): vectors and matrices
            assumed = _restrictions_assumed(marked, number, mood)  # (x ∈ {0,1}^D, Σ ≻ 0 not from a counterfactual)
            for target in (persistent, current):  # (Σ ≻ 0 not from a question or a hedge)
                known = {key for key in target.shapes if key.startswith(_VALUE_MARKERS)}
                matrix_reader.declare(math, target, f"{line}: {math.strip()}", definite=mood not in (QUESTION, HEDGE) and
                                      not matrix_reader.questioned(prose, math_start, hypothesis=target is current) and
                                      assumed[target is current])
                if not assumed[target is current]:
                    _drop_new_restrictions(target, known)
        if mood not in (NEGATION, QUESTION, HEDGE) and _DIMENSION_PHRASE.search(_sentence_of(marked, number)) and \
                re.fullmatch(r"\s*\\?[A-Za-z]\s*", math) and _states_dimension(marked, number):
            for target in ((current,) if mood == HYPOTHESIS else (persistent, current)):
                matrix_reader.declare_dimension(math.strip().lstrip("\\"), target, f"{line}: the vectors have "
                                                f"{math.strip()} dimensions")
        scale = _normal_scale_stated(prose, math_start, math)
        if scale and mood != NEGATION:
            for target in (persistent, current):
                target.normal_scale = f"{line}: the prose calls a parameter of N(...) a standard deviation"
        mood = _law_mood(marked, number, mood)  # "typically $p(z) = N(0, 1)$": a custom, not this text's law
        for part_start, part in top_level_parts(math):
            part = _equation_as_law(part)  # "let $q(z) = N(m, s^2)$": the density declared Gaussian
            if "\\sim" not in part:
                continue
            letter = _law_subject_letter(part)  # h(z) = Cauchy(z; 0, 1): h is a density, of a law stated
            for target in (persistent, current):
                target.density_letters |= {letter} - {None}
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
            if status == "declared" and _second_law(targets[0], _sentence_of(marked, number), laws_here):
                status, what = "refused", "the sentence gives the same density or variable two different laws"
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
    _declare_changes(document, marked, functions, maths, persistent, current)
    _declare_density_letters(marked, [math for _, _, _, math in _inline_maths(prose)], moods, persistent, current)
    parities: list[tuple] = []  # "$N$ is even": read once the counts of this prose are (a parity is a count's)
    _declare_sign_words(marked, maths, functions, moods, persistent, current, signed_here, document, parities)
    _declare_reparametrizations(marked, [math for _, _, _, math in _inline_maths(prose)], functions, moods,
                                persistent, current)
    _declare_datasets(marked, [math for _, _, _, math in _inline_maths(prose)], functions, moods, persistent, current)
    starts = [math_start for _, _, math_start, _ in _inline_maths(prose)]
    plain = {start for number, start in enumerate(starts) if moods.get(number, "") not in (NEGATION, QUESTION, HEDGE)}
    count_moods = _moods(matrix_reader.neutral_counts(marked))  # "Let ⟦0⟧ be the number of data points": plain
    for target in (persistent, current):  # "$\Sigma$ is a $d\times d$ covariance matrix"
        moods_allowed = ("",) if target is persistent else ("", HYPOTHESIS)  # "If $K$ is the number of ...": next only
        counted = {start for number, start in enumerate(starts) if count_moods.get(number, "") in moods_allowed}
        matrix_reader.declare_sentences(prose, target, document.where(document.line_of(base)), plain, counted)
    for names, parity, note, mood, supposed in parities:
        before = {name: (persistent.symbols.get(name), persistent.bounded.get(name)) for name in names}
        _declare_parity(names, parity, note, mood, persistent, current)
        if supposed:  # "- Assume $N$ is even. Then ... - Otherwise:": undone in the other case
            document.supposed = {name: entry for name, entry in before.items()
                                 if entry != (persistent.symbols.get(name), persistent.bounded.get(name))}
    return persistent, current


_VALUE_MARKERS = (matrix_reader.BINARY, matrix_reader.UNIT)  # x ∈ {0,1}^D, x̂ ∈ (0,1)^D: the values restricted
# a counterfactual in any sentence; a condition in one the sentence reader does not call plain
_COUNTERFACTUAL = LazyPattern(r"\b(?:were|would|could|might|had\s+we|imagine|hypothetical(?:ly)?|pretend|suppose\s+for\s+a\s+"
                              r"moment)\b|もし|仮に|だったら|としたら|とすれば|とすると|だろう|であろう", re.I)
_CONDITIONAL_EN = LazyPattern(r"\b(?:if|unless|whether|in\s+case)\b", re.I)
_CONDITIONAL_JA = LazyPattern(r"であれば|ならば|なら|場合")
_ASIDE_LEAD = LazyPattern(r"(?:\bi\.\s?e\.|\be\.\s?g\.|\bthat\s+is|\bnamely|\bin\s+other\s+words|\bsay|"
                          r"\bfor\s+(?:example|instance)|\bsuch\s+as|すなわち|つまり|即ち|例えば|たとえば)[\s,、]*$", re.I)
_DECLARATION_LEAD = LazyPattern(r"^\s*(?:let|assume|we\s+assume|throughout|here|take|fix)\b", re.I)
_DECLARATION_END_JA = LazyPattern(r"(?:とする|とします|とおく|と置く|と仮定する|を仮定する)\s*[。．.]?\s*$")


def _restrictions_assumed(marked: str, number: int, mood: str) -> tuple[bool, bool]:
    """Whether the values an inline formula restricts (x ∈ {0,1}^D, Σ ≻ 0) are assumed (from here on, for the
    next formula): a hypothesis the next formula only; any other sentence both, unless it is counterfactual
    ("if $x$ were binary") or the formula is an aside (i.e., that is, すなわち, in parentheses) of a sentence
    that is no declaration ("for binary data (i.e. $x$ binary) the loss is ...")."""
    if mood in (QUESTION, HEDGE):
        return False, False
    if mood == HYPOTHESIS:
        return False, True
    if mood not in ("", NOT_DECLARED):
        return True, True
    sentence = _sentence_of(marked, number)
    before = sentence[:sentence.find(_MARK.format(number))]
    declares_ja = _DECLARATION_END_JA.search(sentence)
    conditional = _CONDITIONAL_EN.search(before) or (_CONDITIONAL_JA.search(sentence) and not declares_ja)
    if _COUNTERFACTUAL.search(_MARKER.sub(" ", sentence)) or (mood == NOT_DECLARED and conditional):
        return False, False
    aside = _ASIDE_LEAD.search(before) or before.count("(") > before.count(")") or before.count("（") > before.count("）")
    plain = not aside or _DECLARATION_LEAD.match(sentence) or declares_ja
    return bool(plain), bool(plain)


def _drop_new_restrictions(target: Context, known: set[str]) -> None:
    """Undo the value restrictions (x ∈ {0,1}^D) an inline formula just declared in ``target``: not assumed."""
    for key in [key for key in target.shapes if key.startswith(_VALUE_MARKERS) and key not in known]:
        del target.shapes[key]


def _declare_own_constants(prose: str, math_start: int, math: str, mood: str, persistent: Context,
                           current: Context) -> None:
    """``e`` and ``\\pi`` that the prose gives the document's own meaning (audit/redefined.own_constants) read as
    real symbols from here on; a negation or a question gives them none."""
    if mood in (NEGATION, QUESTION):
        return
    before = re.split(r"[.!?](?=\s)|\n\s*\n", prose[:math_start])[-1]
    after = prose[math_start + len(math):].lstrip("$\\)")
    names = own_constants(math, before, after) | names_builtin_as_quantity(math, re.sub(r"(?:\$\$?|\\\()\s*$", "", before),
                                                                            after)  # "混合比を $\pi$ とし"
    for target in (persistent, current):
        target.own_constants |= names


# "$g(x|z)$ is Gaussian", "let $f$ be a density", "the density $r(z)$", "$\pi$ は分布": the letter names a density
_DENSITY_MATH = LazyPattern(r"\s*([A-Za-z]|\\[A-Za-z]+)\s*(?:_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?\s*"
                           r"(?:(?:\\left\s*)?\([^()]*(?:\\right\s*)?\))?\s*")
_DENSITY_KIND_EN = (r"(?:(?:conditional|joint|marginal|probability|prior|posterior|approximate|variational|"
                    r"gaussian|normal|true|unknown)\s+)*(?:density|densities|distribution|distributions|pdf|gaussian|normal)\b")
_DENSITY_AFTER_EN = LazyPattern(r"⟦(\d+)⟧\s+(?:is|are|be|denotes?)\s+(?:also\s+)?(?:(?:a|an|the|some)\s+)?"
                               + _DENSITY_KIND_EN, re.I)
_DENSITY_BEFORE_EN = LazyPattern(r"\b(?:density|distribution|pdf)\s+⟦(\d+)⟧", re.I)
_DENSITY_AFTER_JA = LazyPattern(r"⟦(\d+)⟧\s*(?:は|が|を)[^。⟦]*?(?:確率密度|密度|分布|ガウス|正規)")
_DENSITY_BEFORE_JA = LazyPattern(r"(?:確率密度|密度|分布)(?:関数)?\s*⟦(\d+)⟧")


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


_IID = LazyPattern(r"\bi\.\s?i\.\s?d\b|\biid\b|independent(?:ly)?\s+and\s+identically\s+distributed|"
                  r"independent(?:ly)?\s+(?:drawn|sampled|samples?|observations?|data\s+points?)|独立同分布|独立に同一", re.I)
_POINT_BASE = r"(?:[a-zA-Z]|\\(?:mathbf|boldsymbol|bm)\{[a-zA-Z]\})"
_DATASET_NAME = r"(?P<name>\\mathcal\{[A-Z]\}|\\mathbf\{[A-Z]\}|[A-Z])\s*=\s*"
_DATA_SET = LazyPattern(
    rf"(?:{_DATASET_NAME})?\\\{{\s*(?P<base>{_POINT_BASE})\^\{{\((?P<i>[a-z])\)\}}\s*\\\}}"
    r"_\{?\s*(?P=i)\s*=\s*1\s*\}?\^\{?\s*(?P<N>[A-Za-z]|\d+)\s*\}?\s*")
_DATA_LIST = LazyPattern(
    rf"(?:{_DATASET_NAME}\\\{{)?\s*(?P<base>{_POINT_BASE})\^\{{\(1\)\}}\s*,\s*\\[lc]?dots\s*,\s*(?P=base)"
    r"\^\{\((?P<N>[A-Za-z]|\d+)\)\}\s*(?:\\\})?\s*")
_DATA_SET_SUBSCRIPTS = LazyPattern(  # {x_i}_{i=1}^N, x_1, ..., x_N: data points written with a subscript
    rf"(?:{_DATASET_NAME})?\\\{{\s*(?P<base>{_POINT_BASE})_\{{?(?P<i>[a-z])\}}?\s*\\\}}"
    r"_\{?\s*(?P=i)\s*=\s*1\s*\}?\^\{?\s*(?P<N>[A-Za-z]|\d+)\s*\}?\s*")
_DATA_LIST_SUBSCRIPTS = LazyPattern(
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
_SIGN = LazyPattern(_NAME_LIST + r"(?P<relation>>|\\gt\b|\\geq?\b|\\geqslant\b|≥|>=)\s*(?P<bound>\d+(?:\.\d+)?)\s*\.?\s*$")
_POSITIVE_SET = LazyPattern(_NAME_LIST + r"\\in\s*(?:\(\s*0\s*,\s*\\infty\s*\)|\\mathbb\s*\{\s*R\s*\}\s*"
                           r"(?:_\s*\{?\s*(?:>\s*0|\+)\s*\}?|\^\s*\{?\s*\+\s*\}?))\s*\.?\s*$")


def _declare_sign(document: Document, math: str, offset: int, line: str, mood: str, persistent: Context,
                  current: Context) -> None:
    """``$\\sigma > 0$``, ``$\\sigma, \\tau > 0$``, ``$s \\geq 0$``, ``$\\sigma \\in (0, \\infty)$`` declare the sign of
    names for what follows (only for the next formula when a hypothesis; a negation declares nothing)."""
    found = _SIGN.match(math) or _POSITIVE_SET.match(math)
    if found is not None and mood in (NOT_DECLARED, HEDGE, QUESTION):  # a case set aside, a question: not assumed
        _tentative_sign(document, found, math, line, persistent, current)
    if found is None or mood in (NEGATION, NOT_DECLARED, HEDGE, QUESTION):
        return
    signed = _signed_names(found)
    if signed is None:
        return
    names, bound, strict = signed
    note = f"{line}: {math.strip()}" + (f" ({mood}: for the next formula only)" if mood else "")
    for target in ((current,) if mood else (persistent, current)):
        for name in _component_names(names, math, target):
            if _names_a_matrix(target, name):
                continue
            if bound == 0:
                target.declare_symbol(name, note, **({"positive": True} if strict else {"nonnegative": True}))
            else:  # β ≥ 1: β reads as 1 + δ with δ ≥ 0 (sympy has no assumption β ≥ 1)
                target.declare_bound(name, bound, strict, note)


_RELATIONS = {">": ">", "\\gt": ">", "\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=", "≥": ">=", ">=": ">=",
              "<": "<", "\\lt": "<", "\\leq": "<=", "\\le": "<=", "\\leqslant": "<=", "≤": "<=", "<=": "<=",
              "\\neq": "!=", "\\ne": "!=", "≠": "!="}
_RELATION_SPLIT = LazyPattern(r"(>=|<=|>|<|≥|≤|≠|\\(?:geqslant|leqslant|geq|leq|neq|gt|lt|ge|le|ne)(?![A-Za-z]))")
_NUMBER = LazyPattern(r"\s*(-?\s*\d+(?:\.\d+)?)\s*")
_IN_SET = LazyPattern(r"(?P<names>[^<>=≥≤]+?)\\in(?![A-Za-z])(?P<set>.*)")
_INTERVAL = LazyPattern(r"\s*(?:\\left\s*)?(?P<open>[(\[])\s*(?P<lo>-?\s*\d+(?:\.\d+)?|-\s*\\infty)\s*,\s*"
                       r"(?P<hi>-?\s*\d+(?:\.\d+)?|\+?\s*\\infty)\s*(?:\\right\s*)?(?P<close>[)\]])\s*")
_REAL_HALF = LazyPattern(r"\s*\\mathbb\s*\{\s*R\s*\}\s*_\s*\{?\s*(?P<sub>-|<\s*0|\\leq?\s*0|≤\s*0|\\geq?\s*0|≥\s*0)\s*\}?\s*")
_REALS = LazyPattern(r"\s*\\mathbb\s*\{\s*R\s*\}\s*|\s*ℝ\s*")
_SIGN_WORDS = LazyPattern(r"⟦(?P<k>\d+)⟧\s+(?:(?:may|can|could|might|will|must|now|again|henceforth|also|still|instead|"
                         r"simply|just)\s+)*(?:be|is|are|denotes?)\s+(?:(?:now|again|henceforth|instead|simply|just|merely|only)\s+)?"
                         r"(?:(?:a|an|any|some|arbitrary|every|all)\s+)*"
                         r"(?P<kind>(?:strictly\s+)?(?:positive|negative)|non-?negative|non-?positive|non-?zero|real|number|"
                         r"numbers|scalar|scalars|even|odd)(?:\s+(?:real\s+)?(?:numbers?|scalars?|constants?|parameters?|"
                         r"integers?|counts?|sizes?))?"
                         r"(?=\s*(?:[.,;:]|$|and\b|for\b|here\b|throughout\b|from\b))"
                         r"|⟦(?P<zero>\d+)⟧\s+(?:(?:may|can|could|might|will)\s+(?:also\s+|now\s+)?(?:vanish|be\s+(?:zero|0)|"
                         r"equal\s+(?:zero|0)|take\s+the\s+value\s+(?:zero|0))|(?:is|are)\s+(?:allowed|permitted)\s+to\s+"
                         r"(?:vanish|be\s+(?:zero|0)))\b"
                         r"|⟦(?P<std>\d+)⟧\s+(?:(?:is|be|are|denotes?)\s+)?(?:(?:the|a|its|their)\s+)?"
                         r"(?:(?:posterior|prior|encoder|component-?wise|per-dimension)\s+)?(?:standard\s+deviations?|std\.?\s+devs?)\b"
                         r"|\b(?:for|let)\s+(?:(?:any|all|every|each|arbitrary|some|a|an|general)\s+)*real\s+"
                         r"(?:numbers?\s+|values?\s+(?:of\s+)?)?⟦(?P<any>\d+)⟧"
                         r"|⟦(?P<free>\d+)⟧[^⟦.;]*?\b(?:can|may|could|might|will)\s+(?:also\s+|now\s+)?(?:take|assume|have)\s+"
                         r"(?:on\s+)?(?:(?:any|all|arbitrary|every|either|both)\s+(?:real\s+)?(?:values?|numbers?|signs?)|"
                         r"negative\s+(?:values?|numbers?)|(?:any|either)\s+sign)\b"
                         r"|⟦(?P<unsigned>\d+)⟧\s+(?:(?:is|are|be)\s+(?:now\s+|henceforth\s+)?(?:an?\s+)?(?:unconstrained|unrestricted|"
                         r"unbounded|signed(?:\s+(?:quantity|number|value|variable))?|of\s+(?:any|either)\s+sign|sign-?free)|"
                         r"(?:can|may|could|might)\s+(?:also\s+|now\s+)?be\s+(?:negative|of\s+either\s+sign)|"
                         r"(?:can|may|could|might)\s+(?:also\s+|now\s+)?have\s+(?:negative|non-?positive|zero)\s+"
                         r"(?:entries|components|values|coordinates)|"
                         r"(?:now\s+)?(?:ranges?|varies|vary)\s+over\s+(?:the\s+)?(?:whole\s+|entire\s+)?(?:real\s+line|reals|real\s+"
                         r"numbers|ℝ)|(?:now\s+)?takes?\s+(?:on\s+)?(?:any|all|arbitrary)\s+(?:real\s+)?values?)\b"
                         r"|\b(?:flip|flips|flipped|flipping|reverse|reverses|negate|negates|negated)\s+(?:the\s+sign\s+of\s+)?"
                         r"⟦(?P<flipped>\d+)⟧|\breplace[sd]?\s+⟦(?P<replaced>\d+)⟧\s+(?:by|with)\b"
                         r"|⟦(?P<which>\d+)⟧[^⟦.;]*?,\s*which\s+(?:may|can|could|might)\s+(?:also\s+|now\s+)?be\s+"
                         r"(?:negative|zero|of\s+either\s+sign|any\s+real(?:\s+number)?)\b"
                         r"|⟦(?P<ja>\d+)⟧\s*(?:は|が)[^⟦。]*?(?:(?:負の値|任意の実数値?|任意の値|あらゆる実数値?)\s*(?:も|を)?\s*"
                         r"(?:とり|取り|とる|取る|とり得|取り得)|負でも(?:よい|良い|かまわない|構わない)|負になり(?:うる|得る)|"
                         r"符号は任意)",
                         re.I)
_SIGN_ADJECTIVE = LazyPattern(r"\b(?P<kind>(?:strictly\s+)?(?:positive|negative)|non-?negative|non-?positive|"
                             r"non-?zero|even|odd)\s+(?:(?:real|values?\s+of|choices?\s+of)\s+)?⟦(?P<k>\d+)⟧", re.I)
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
        if isinstance(symbol, NameRef) and not symbol.arguments:
            symbol = sp.Symbol(symbol.name)  # "$N \in (0, 1)$": a capital is a name too
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


_HEADING_LINE = LazyPattern(r"^ {0,3}#{1,6}[ \t][^\n]*$|\\(?:sub)*section\*?\s*\{[^\n]*\}|\\paragraph\*?\s*\{[^\n]*\}", re.M)


WITHDRAWN_COUNTS = "withdrawn counts"  # a heading that speaks of a count as no count (see matrix_reader)


def _signed_heading(document: Document, base: int, length: int) -> tuple[int, int, list, str] | None:
    """The first heading of the prose at ``base`` that writes signs (``## The case $a < 0$``): (its offset, the
    offset after it, the (names, assumptions) it writes, the note). A heading declares nothing, yet a sign it contradicts (or
    "any real") no longer holds after it (see _apply_sign)."""
    for heading in _HEADING_LINE.finditer(document.text, base, base + length):
        signs = _heading_signs(heading.group())
        if signs:
            line = document.where(document.line_of(heading.start()))
            return heading.start(), heading.end(), signs, f"{line}: {heading.group().strip()} (a heading)"
    return None


@functools.lru_cache(maxsize=256)
def _heading_signs(heading: str) -> tuple:
    """The (names, assumptions) a heading writes: the signs and orders of its formulas, WITHDRAWN_COUNTS where it
    speaks of a count as no count ("### Case $N = 1/2$"). They hold until its section ends (see
    scoped_declaration_events)."""
    maths = [math for _, _, _, math in _inline_maths(heading)]
    signs = [found for math in maths if (found := _sign_of_declaration(math) or _order_names_of(math)) is not None]
    if any(counts_only for *_, counts_only in matrix_reader.withdrawals(heading)):
        signs.append(([], WITHDRAWN_COUNTS))
    if maths and _CASE_HEADING.match(heading) and not _NOT_A_CASE.search(re.sub(r"\$[^$]*\$", " ", heading)):
        signs.append((maths, CASE))
    return tuple(signs)  # (read once per heading text: the scopes and the prose reader both ask)


CASE = "a case"  # "### Case $N \ge 2$": what the heading's formulas state is assumed in its section
_NOT_A_CASE = LazyPattern(r"\b(?:not|no|never|fails?|failing|wrong|false|impossible|cannot|can't|excluded|"
                          r"contradiction|counterexample)\b|\?|ない|誤り", re.I)
_CASE_HEADING = LazyPattern(r"^\s*(?:#{1,6}[ \t]+|\\(?:sub)*section\*?\s*\{|\\paragraph\*?\s*\{)\s*(?:\*\*|\*|__|_)?\s*"
                            r"(?:(?:\d+(?:\.\d+)*|[IVX]+|[A-Z])[.):]?\s+)?"
                            r"(?:(?:the\s+)?cases?(?:\s+\d+|\s+[A-Z]\b|\s+[IVX]+\b)?\s*[:.(—–-]?\s*(?:where|when|of|with)?|"
                            r"when|whenever|if|for|assume|assuming|suppose|under)\b"
                            r"|^[^\n]*\$[^$]+\$\s*の\s*(?:場合|とき)", re.I)


_GENERAL_MATRIX_EN = r"(?:arbitrary|general|generic|unstructured|unconstrained|unrestricted|any)"
_MATRIX_PROPERTY_EN = (r"(?:assumed\s+(?:to\s+be\s+)?)?(?:an?\s+)?(?:(?:strictly\s+)?positive\s+(?:semi-?)?definite|diagonal|"
                       r"orthogonal|orthonormal|unitary|symmetric|(?:lower\s+|upper\s+)?triangular|binary)")
_NO_LONGER_EN = (r"(?:(?:is|are)\s+(?:no\s+longer|not\s+necessarily|not\s+(?:any\s+more|anymore)|not)|needs?\s+not\s+be)\s+"
                 + _MATRIX_PROPERTY_EN)
_MATRIX_WITHDRAWAL_EN = LazyPattern(  # "From now on $D$ is an arbitrary matrix", "$Q$ is no longer orthogonal"
    r"(?P<subjects>(?:\$[^$]+\$\s*(?:,\s*|\s+and\s+)?)+?)\s*(?:(?:now|henceforth|here|again)\s+)?"
    r"(?:(?:is|are|be|denotes?|stands?\s+for)\s+"
    r"(?:(?:now|here|henceforth|again|instead|only|from\s+now\s+on|from\s+here\s+on)\s+)*(?:(?:an?|some)\s+)?"
    r"(?:(?:square|real|\$[^$]+\$)\s*,?\s*)*" + _GENERAL_MATRIX_EN + r"\s*(?:(?:square|real|\$[^$]+\$)\s*)*"
    r"(?:matri(?:x|ces)|vectors?|(?=[.,;:!)]|$|\s(?:and|from|henceforth|again|now|here|instead)\b))|" + _NO_LONGER_EN + r"\b)"
    r"|\b(?:drop|remove|lift|relax|forget|discard|abandon|withdraw)(?:s|ing)?\s+the\s+assumptions?\s+(?:that|on|about|of)\s+"
    r"(?P<assumed>\$[^$]+\$)"
    r"|\b" + _GENERAL_MATRIX_EN + r"\s+(?:(?:square|real)\s+)?matri(?:x|ces)\s+(?P<named>\$[^$]+\$)", re.I)
_MATRIX_WITHDRAWAL_JA = LazyPattern(  # "以降 $Q$ は一般の行列とする", "$D$ はもはや対角ではない", "$D$ が対角という仮定を外す"
    r"(?P<subjects>(?:\$[^$]+\$\s*(?:、|,|と)?\s*)+?)\s*(?:は|を|が|も)\s*(?:以降|以後|今後|これ以降|ここから)?\s*は?\s*"
    r"(?:もはや\s*)?(?:一般の|任意の|一般的な|勝手な)\s*(?:(?:\$[^$]+\$\s*の?|正方|実数?)\s*)*(?:行列|ベクトル)"
    r"(?!\s*(?:では|じゃ)(?:ない|なく|ありません))"
    r"|(?P<assumed>\$[^$]+\$)\s*(?:は|が)\s*(?:(?:もはや|必ずしも)[^。$]*?)?(?:対角|直交|対称|正定値|三角|ユニタリ|二値)"
    r"[^。$]*?(?:では|じゃ)?(?:ない|なく)"
    r"|(?P<named>\$[^$]+\$)\s*(?:が|は|の)[^。$]{0,24}?(?:仮定|前提)[^。$]{0,6}?"
    r"(?:外|除|落と|捨て|撤回|取り除|取り下げ|置かない|しない|せず|なくす)")
_SENTENCE_END = LazyPattern(r"[.!?。．！？](?=\s|$)|\n[ \t]*\n")


def _matrix_withdrawal(prose: str) -> tuple[int, list[str]] | None:
    """The first sentence of ``prose`` that withdraws the properties declared of a matrix (it is now general,
    no longer orthogonal; a question withdraws nothing): (the offset after that sentence, the names)."""
    found = sorted((m for pattern in (_MATRIX_WITHDRAWAL_EN, _MATRIX_WITHDRAWAL_JA) for m in pattern.finditer(prose)),
                   key=lambda m: m.start())
    for m in found:
        end = _SENTENCE_END.search(prose, m.end())
        cut = end.end() if end else len(prose)
        if end and end.group().strip() in ("?", "？"):
            continue
        subjects = m.group("subjects") or m.group("assumed") or m.group("named")
        names = matrix_reader._subject_names(subjects)
        if names:
            return cut, names
    return None


def _withdraw_matrix_properties(target: Context, names: list[str]) -> None:
    """``names`` are general matrices from here on: not symmetric, definite, diagonal, orthogonal, triangular."""
    for name in names:
        for written in {name, name.lstrip("\\")}:
            target.definite.discard(written)
            target.symmetric.discard(written)
            for marker in _PROPERTY_MARKERS:
                target.shapes.pop(marker + written, None)


_ANEW = LazyPattern(r"\b(?:let|assume|assuming|suppose|take|fix|consider|now|set|henceforth|throughout)\b|from\s+now\s+on",
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


def _signed_after(maths: list[str], number: int, moods: dict[int, str]) -> set[str]:
    """The names whose sign a plain declaration after ⟦number⟧ of the same prose states (``Assume $\\sigma > 0$``)."""
    names: set[str] = set()
    for later in range(number + 1, len(maths)):
        if moods.get(later, ""):
            continue
        found = _SIGN.match(maths[later]) or _POSITIVE_SET.match(maths[later])
        names |= set(_declared_names(found.group("names"))) if found else set()
        signed = _sign_of_declaration(maths[later]) if found is None else None  # "Assume $a < 0$" too
        names |= set(signed[0]) if signed is not None and signed[1] is not None else set()
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
            if _names_a_matrix(target, name):
                continue
            before = target.symbols.get(name)
            declared = before is not None or name in target.bounded
            if not declared and not (plain and assumptions):
                continue  # nothing to replace, nothing to declare
            contradicts = declared and not _compatible(before, assumptions)
            if declared and name in conjoined and not contradicts:
                continue  # $a > 0$ and $a < 1$ in one sentence: both hold, the sign stays
            if declared and not contradicts and assumptions != {} and not (plain and anew) and mood != HYPOTHESIS:
                continue  # a consequence or a passing remark that the declared sign allows (not "If $x > 0$ then")
            new = assumptions if plain and assumptions and not (declared and name in conjoined) else {}
            if new and before is not None and before.is_integer and not contradicts:
                new = _with_integrality(before, new)  # "Let $K \in \mathbb{N}$, and assume $K \neq 0$": still a count
            replaced = " (replaces the earlier sign declaration)" if declared else ""
            target.declare_symbol(name, note + replaced + (f" ({mood}: for the next formula only)" if mood else ""),
                                  **new)


_BOLD_NAME = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|bf)\s*\{?\s*\\?([A-Za-z]+)")


_DIMENSION_PHRASE = LazyPattern(r"dimension|次元", re.I)


def _states_dimension(marked: str, k: int) -> bool:
    """"in $J$ dimensions", "of dimension $J$", "has dimensionality $J$", "a $J$-dimensional latent", "$J$ 次元":
    the formula k names the vectors' size."""
    return bool(re.search(rf"\b(?:in|with|of)\s+⟦{k}⟧\s+(?:latent\s+)?dimensions\b|⟦{k}⟧\s*-?\s*dimensional\b|"
                          rf"\bdimension(?:s|ality)?\s+(?:(?:is|equal\s+to|of)\s+)?⟦{k}⟧(?!\s*[×x])|⟦{k}⟧\s*次元", marked, re.I))


def _component_names(names: list[str], math: str, context: Context) -> list[str]:
    """``names`` with each vector the formula writes bold (``\\boldsymbol{\\sigma} > 0``, a declared vector) as its
    components σ_j: a sign of the vector is elementwise, a sign of each component at every index."""
    bold = {found.group(1) for found in _BOLD_NAME.finditer(math)}
    return [f"{name}_j" if name in bold and (context.shapes.get(matrix_reader.BOLD_DECLARED + name) is not None
                                             or (context.shapes.get(name) or (0, 0))[1] == 1) else name
            for name in names]


PARITIES = ("even", "odd")


def _parity_written(heading: str, math: str) -> str:
    """" is even" where a case heading writes "$N$ even", "$N$ is odd", "even $N$" ("### Case $N$ even")."""
    written = re.escape(f"${math}$")
    found = re.search(rf"{written}\s+(?:is\s+)?(even|odd)\b|\b(even|odd)\s+{written}", heading, re.I)
    return f" is {(found.group(1) or found.group(2)).lower()}" if found else ""


def _declare_parity(names: list[str], parity: str, note: str, mood: str, persistent: Context,
                    current: Context) -> None:
    """"$N$ is even", "for odd $N$", "### Case $N$ even": a count N reads as 2δ (even) or 2δ − 1 (odd), δ_N a
    positive integer, which the size check decides exactly. A name that is no count keeps what it was: a parity
    says nothing of a real number."""
    for target in ((current,) if mood == HYPOTHESIS else (persistent, current)):
        for name in names:
            lowest = _lowest_count(target, name)
            if lowest is None:
                continue
            first = lowest + (lowest % 2 != (0 if parity == "even" else 1))  # the least count of that parity
            excess = sp.Symbol(f"delta_{name}", integer=True, positive=True)
            _set_value(target, name, first - 2 + 2 * excess, note + (f" ({mood}: for the next formula only)" if mood else ""))


def _lowest_count(target: Context, name: str) -> int | None:
    """The least value of a count (1; b of a count bounded N ≥ b; the least of a parity read before); None for a
    name that is no count."""
    symbol, value = target.symbols.get(name), target.bounded.get(name)
    if symbol is not None:
        return 1 if symbol.is_integer and symbol.is_positive else None
    if value is None or len(value.free_symbols) != 1 or not all(s.is_integer and s.is_positive for s in value.free_symbols):
        return None
    (excess,) = value.free_symbols
    least, poly = sp.sympify(value).subs(excess, 1), sp.Poly(value, excess)
    if not least.is_Integer or least < 1 or poly.degree() != 1 or poly.LC() not in (1, 2):
        return None
    return int(least) if poly.LC() == 1 else 1  # b − 1 + δ: from b; a parity read before (2δ + c): a count again


def _names_a_matrix(context: Context, name: str) -> bool:
    """Whether a capital ``name`` is a matrix of the context ("$A > 0$" of a matrix A gives no sign of a number; a
    plain σ beside a bold σ vector, both "sigma", still takes one)."""
    return name[:1].isupper() and name in context.shapes


def _with_integrality(before: sp.Symbol, assumptions: dict) -> dict:
    """``assumptions`` with what an integer ``before`` also was (an integer; positive, nonnegative) where the two
    agree: both were stated, so the name is in both sets."""
    kept = {"integer": True, **{key: True for key in ("positive", "nonnegative") if getattr(before, f"is_{key}")}}
    merged = {**kept, **assumptions}
    try:
        sp.Symbol("_check", **merged).is_integer
    except (ValueError, sp.core.facts.InconsistentAssumptions):
        return assumptions
    return merged


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
_WITHDRAWAL = LazyPattern(
    r"\b(?:no\s+longer|any\s*more|any\s+longer|drop(?:s|ped|ping)?|remov(?:e|es|ed|ing)|lift(?:s|ed|ing)?|"
    r"relax(?:es|ed|ing)?|discard(?:s|ed|ing)?|abandon(?:s|ed|ing)?|withdraw(?:s|n|ing)?|forget(?:ting)?|"
    r"revok(?:e|es|ed|ing)|retract(?:s|ed|ing)?|waiv(?:e|es|ed|ing)|without(?!\s+loss))\b", re.I)
_CONSEQUENCE = LazyPattern(r"\b(?:hence|so|thus|therefore|since|because|as(?!\s+well\b)|then|particular|implies|implied|follows?|"
                          r"recall|note|clearly|obviously|i\.e|ensures?|guarantees?|gives)\b", re.I)
_ALTERNATIVE = LazyPattern(r"\b(?:instead\s+of|rather\s+than)\s+[^⟦.;:,]*?(?:,|(?=[.;:]|$))|\binstead\b(?!\s+of)|"
                          r"\brather\b(?!\s+than)|\bwithout\s+loss\s+of\s+generality\b|\bw\.?\s?l\.?\s?o\.?\s?g\b\.?",
                          re.I)  # "rather than a negative value," names no formula
_HYPHENATED_SIGN = LazyPattern(r"\bnon-(?=(?:negative|positive|zero)\b)", re.I)
_SIGN_TALK = LazyPattern(r"\b(?:positive|negative|nonnegative|nonpositive|nonzero|zero|sign|signs|real|arbitrary)\b",
                        re.I)
_VALUE_STATEMENT = LazyPattern(r"(?P<name>[^=<>:]+?)\s*(?::=|\\coloneqq(?![A-Za-z])|(?<![<>!\\])=(?![=:]))"
                              r"\s*(?P<value>[^=<>]+)")
_STATED_RELATIONS = {">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le}
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "!=": "!="}
_MAY_STATE = LazyPattern(r"[<>=≤≥≠]|\\(?:geq?|leq?|gt|lt|neq?|geqslant|leqslant|in|coloneqq)(?![A-Za-z])")


def _read_sign_statement(document: Document, marked: str, number: int, maths: list[str], offset: int, line: str,
                         mood: str, signed_here: dict[str, set[str]], persistent: Context, current: Context) -> None:
    """What inline formula ⟦number⟧ says about signs: a declaration (_declare_sign, _replace_sign), and for a
    name already signed, whether that sign still holds after it (_revise_signs). ``signed_here`` collects, per
    sentence, the names whose sign its formulas declared."""
    math, sentence = maths[number], _sentence_of(marked, number)
    mood = _sign_mood(marked, number, mood)
    stated = _stated_set(math, current) if _any_sign(persistent, current) else None
    before = _sign_snapshot(stated[0], persistent, current) if stated else {}
    entries = (dict(persistent.symbols), dict(persistent.bounded), dict(current.symbols), dict(current.bounded))
    _declare_sign(document, math, offset, line, mood, persistent, current)
    _replace_sign(math, _sentence_signs(marked, number, maths), bool(_ANEW.search(sentence)), line, mood,
                  persistent, current)
    _declare_order(math, sentence, line, mood, persistent, current)  # a < b, -1 < r < 1
    for target in (persistent, current):  # b = a - 1 after a < b: the order may no longer hold
        if set(_assigned_names(math)) & _ordered_names(target):
            _drop_orders(target, set(_assigned_names(math)), f"{line}: {math.strip()} (a value: the declared order "
                                                             f"no longer holds)")
    if stated:
        _revise_signs(stated[0], stated[1], sentence, mood, f"{line}: {math.strip()}", before,
                      signed_here.get(sentence, set()), persistent, current, document)
    elif _any_sign(persistent, current):
        _revise_withdrawn_names(math, sentence, mood, f"{line}: {math.strip()}", persistent, current)
    changed = {name for name in set(persistent.symbols) | set(persistent.bounded) | set(entries[0]) | set(entries[1])
               if _sign_entry(persistent, name) != (entries[0].get(name), entries[1].get(name))}
    signed_here.setdefault(sentence, set()).update(changed)
    if changed and _SUPPOSITION.match(_MARKER.sub(" ", sentence)):  # "- Suppose $x > 0$.": an "Otherwise" undoes it
        document.supposed = {name: (entries[0].get(name), entries[1].get(name)) for name in changed}
    hypothetical = {name for name in set(current.symbols) | set(current.bounded)
                    if _sign_entry(current, name) != (entries[2].get(name), entries[3].get(name))}
    _scope_indexed_signs(changed | hypothetical, sentence, number, maths, persistent, current)


_INDEXED_NAME = LazyPattern(r"(?P<letter>.+)_\{?(?P<index>[a-z])\}?")
_INDEX_RANGE_LIST = LazyPattern(r"(?P<index>[a-z])\s*=\s*(?P<items>[^=<>]+)")
_INDEX_RANGE_SET = LazyPattern(r"(?P<index>[a-z])\s*\\in\s*(?:\\left\s*)?\\\{(?P<items>[^{}]+?)(?:\\right\s*)?\\\}")
_INDEX_BRACKET_N = LazyPattern(r"(?P<index>[a-z])\s*\\in\s*\[\s*(?P<size>[A-Za-z0-9]+)\s*\]")
_INDEX_DOTS = LazyPattern(r"\\[lc]?dots\b|\\dotsc\b|\.\.\.|…")
_EVERY_INDEX = LazyPattern(r"\b(?:for|over)\s+(?:all|each|every|any)\s+(?:indices\s+|index\s+)?⟦(?P<k>\d+)⟧|"
                          r"(?:全て|すべて|任意|各)の?\s*⟦(?P<ja>\d+)⟧", re.I)


def _scope_indexed_signs(names: set[str], sentence: str, number: int, maths: list[str], persistent: Context,
                         current: Context) -> None:
    """A sign declared for an indexed family (``a_i > 0``) holds for a numbered instance a_3 only inside the
    index range the sentence states (``for $i = 1, 2$``, ``$1 \\le i \\le n$ について``): all integers where the
    sentence says nothing more of i, none where it says something of i that is not read."""
    for name in names:
        indexed = _INDEXED_NAME.fullmatch(name)
        if indexed is None:
            continue
        covered = _index_range(sentence, number, maths, indexed.group("index"))
        for target in (persistent, current):
            target.index_ranges = dict(target.index_ranges)
            if covered is sp.S.Integers or (name not in target.symbols and name not in target.bounded):
                target.index_ranges.pop(name, None)
            else:
                target.index_ranges[name] = covered


def _index_range(sentence: str, number: int, maths: list[str], index: str) -> sp.Set:
    """The values of ``index`` the other formulas of the sentence of ⟦number⟧ allow (the integers where none
    names it; the empty set where one names it in a way not read)."""
    every = {int(m.group("k") or m.group("ja")) for m in _EVERY_INDEX.finditer(sentence)}
    covered = sp.S.Integers
    for k in map(int, _MARKER.findall(sentence)):
        if k == number or k >= len(maths) or k in every and maths[k].strip() == index:
            continue
        alone = re.sub(r"_\s*\{?\s*" + index + r"\s*\}?", " ", maths[k])  # b_i names no index value
        if not re.search(r"(?<![A-Za-z\\])" + index + r"(?![A-Za-z])", alone):
            continue
        covered = sp.Intersection(covered, _index_values(maths[k].strip().rstrip(".,;:").strip(), index))
    return covered


def _index_values(written: str, index: str) -> sp.Set:
    """The index values ``i = 1, 2``, ``i = 1, \\dots, n``, ``i \\in \\{1, 2\\}``, ``i \\in [n]``, ``1 \\le i \\le 2``
    allow; the empty set for anything else."""
    listed = _INDEX_RANGE_LIST.fullmatch(written) or _INDEX_RANGE_SET.fullmatch(written)
    if listed is not None and listed.group("index") == index:
        return _listed_indices(listed.group("items"))
    size = _INDEX_BRACKET_N.fullmatch(written)
    if size is not None and size.group("index") == index:
        return _listed_indices(f"1, \\dots, {size.group('size')}")
    stated = _relation_set_of_index(written, index)
    return stated if stated is not None else sp.S.EmptySet


def _listed_indices(items: str) -> sp.Set:
    """The indices a list writes: ``1, 2, 3`` (those), ``1, \\dots, 5`` (1 to 5), ``1, \\ldots, n`` (with n
    unknown: only those written before the dots)."""
    parts = [part.strip() for part in items.split(",") if part.strip()]
    dots = [k for k, part in enumerate(parts) if _INDEX_DOTS.fullmatch(part)]
    values = [_index_item(part) for k, part in enumerate(parts) if k not in dots]
    if not values or any(value is None or not value.is_integer and value.free_symbols == set() for value in values):
        return sp.S.EmptySet
    if not dots:
        return sp.FiniteSet(*values) if all(not v.free_symbols for v in values) else sp.S.EmptySet
    if len(dots) != 1 or dots[0] in (0, len(parts) - 1) or values[0].free_symbols:
        return sp.S.EmptySet
    last = values[-1]
    if last.free_symbols:  # 1, 2, \dots, n: those written before the dots, and 1 … n for a component's size
        if not all(not v.free_symbols for v in values[:-1]):
            return sp.S.EmptySet
        return sp.Union(sp.FiniteSet(*values[:-1]), sp.Range(values[0], last + 1), evaluate=False)
    return sp.Range(values[0], last + 1) if last >= values[0] else sp.S.EmptySet


def _index_item(written: str) -> sp.Expr | None:
    """An index bound: a size ``J``, ``d`` (an integer name, whatever else the letter may name), ``d - 1``, ``3``."""
    if re.fullmatch(r"\s*[A-Za-z]\s*", written):
        return sp.Symbol(written.strip(), integer=True)
    return _expression_in(written)


def _relation_set_of_index(written: str, index: str) -> sp.Set | None:
    """``1 \\le i \\le 2``, ``i \\geq 1``: the integers the bounds allow (numeric bounds only); else None."""
    found = _stated_set(written, Context())
    if found is None or found[0] != [index] or found[1] is None:
        return _symbolic_index_bounds(written, index)
    return sp.Intersection(found[1], sp.S.Integers)


_INDEX_RELATION = LazyPattern(r"(\\leqslant|\\geqslant|\\leq|\\geq|\\le|\\ge|\\neq|\\ne|<=|>=|<|>|≤|≥|≠)(?![A-Za-z])")
_INDEX_RELATION_KIND = {"\\leqslant": "<=", "\\leq": "<=", "\\le": "<=", "<=": "<=", "≤": "<=", "<": "<",
                        "\\geqslant": ">=", "\\geq": ">=", "\\ge": ">=", ">=": ">=", "≥": ">=", ">": ">",
                        "\\neq": "!=", "\\ne": "!=", "≠": "!="}


def _symbolic_index_bounds(written: str, index: str) -> sp.Set | None:
    """``j < d``, ``1 \\le j \\le d - 1``, ``j \\neq d``: the integers a chain with bounds in a size allows
    (Integers ∩ [low, high], or the integers but one); None for anything else."""
    parts = _INDEX_RELATION.split(written)
    terms, kinds = [part.strip() for part in parts[0::2]], [_INDEX_RELATION_KIND[k] for k in parts[1::2]]
    if not kinds or terms.count(index) != 1 or ("!=" in kinds and len(kinds) > 1):
        return None
    values = [None if term == index else _index_item(term) for term in terms]
    if any(value is None for k, value in enumerate(values) if terms[k] != index):
        return None
    if kinds == ["!="]:
        return sp.Complement(sp.S.Integers, sp.FiniteSet(values[1 - terms.index(index)]), evaluate=False)
    low, high = -sp.oo, sp.oo
    for k, kind in enumerate(kinds):
        left, right = values[k], values[k + 1]
        if kind in (">", ">="):
            left, right, kind = right, left, "<" if kind == ">" else "<="
        step = 1 if kind == "<" else 0
        if right is None:  # bound < index
            low = left + step if low == -sp.oo else None
        elif left is None:  # index < bound
            high = right - step if high == sp.oo else None
        if low is None or high is None:
            return None
    return sp.Intersection(sp.S.Integers, sp.Interval(low, high), evaluate=False)


# "Let $a < b$", "$0 < a < b$", "$-1 < r < 1$": a declared order read exactly, as the values its names take: the
# greater name reads as the smaller plus δ > 0 (b = a + δ_b), a name between two numbers as lo + (hi − lo)·δ/(1 + δ);
# the numeric worlds then sample only values in the order, and sympy proves with δ's sign.
_LESS = {"<": True, "<=": False}
_GREATER = {">": True, ">=": False}


def _order_chain(math: str, owned: frozenset | set = frozenset()) -> tuple[list[tuple[str, object]], list[bool]] | None:
    """The terms (("name", name) or ("number", value)) of a chain ``t_0 < t_1 \\le t_2 ...`` written in one
    direction, smallest first, and whether each step is strict (``r \\in (-1, 1)`` too); None for anything else.
    A built-in constant in ``owned`` (``\\pi`` named the mixing weight) is a name, not its number."""
    member = _IN_SET.fullmatch(math.strip().rstrip(".,;:").strip())
    if member is not None:
        return _interval_chain(member.group("names"), member.group("set"))
    pieces = _RELATION_SPLIT.split(math.strip().rstrip(".,;:").strip())
    if len(pieces) not in (3, 5, 7):
        return None
    relations = [_RELATIONS.get(r) for r in pieces[1::2]]
    if all(r in _LESS for r in relations):
        terms, strict = pieces[0::2], [_LESS[r] for r in relations]
    elif all(r in _GREATER for r in relations):
        terms, strict = pieces[0::2][::-1], [_GREATER[r] for r in relations][::-1]
    else:
        return None
    difference = _difference_order(terms, strict)
    if difference is not None:
        return difference
    read = []
    for term in terms:
        number = None if _owned_constant(term, owned) else _number_in(term)
        names = _declared_names(term) if number is None else []
        if number is None and len(names) != 1:
            return None
        read.append(("number", number) if number is not None else ("name", names[0]))
    return read, strict


def _difference_order(terms: list[str], strict: list[bool]) -> tuple[list[tuple[str, object]], list[bool]] | None:
    """``b - a > 0``, ``0 < b - a``, ``a - b < 0`` (terms smallest first) as the order a < b of the difference's
    two names: a declared positive difference is a declared order; None for anything else."""
    if len(terms) != 2:
        return None
    zero_at = [k for k, term in enumerate(terms) if _number_in(term) == 0]
    if len(zero_at) != 1:
        return None
    names = _difference_names(terms[1 - zero_at[0]])
    if names is None:
        return None
    greater, smaller = names if zero_at[0] == 0 else names[::-1]
    return [("name", smaller), ("name", greater)], strict


def _difference_names(term: str) -> tuple[str, str] | None:
    """(b, a) for a term that is the difference ``b - a`` of two distinct plain names; None for anything else."""
    try:
        expr = parse_expression(term, Context(own_constants={"e", "pi"}))
    except (Unparsed, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(expr, sp.Add) or len(expr.args) != 2:
        return None
    plus = [a for a in expr.args if isinstance(a, sp.Symbol)]
    minus = [a for a in expr.args if isinstance(-a, sp.Symbol) and not isinstance(a, sp.Symbol)]
    if len(plus) != 1 or len(minus) != 1:
        return None
    return plus[0].name, (-minus[0]).name


ORDER = "order"


def _owned_constant(term: str, owned: frozenset | set) -> bool:
    """Whether ``term`` is ``\\pi`` or ``e`` alone, a name the document owns (Context.own_constants)."""
    written = term.strip()
    return (written == "e" and "e" in owned) or (re.fullmatch(r"\\pi(?![A-Za-z])\s*", written) is not None
                                                  and "pi" in owned)


def _order_names_of(math: str) -> tuple[list[str], str] | None:
    """(the names, ORDER) of an order between names (``a < b``); None for anything else."""
    chain = _order_chain(math)
    names = [value for kind, value in chain[0] if kind == "name"] if chain is not None else []
    return (names, ORDER) if len(names) >= 2 else None


def _interval_chain(names: str, written: str) -> tuple[list[tuple[str, object]], list[bool]] | None:
    """``r \\in (-1, 1]`` as the chain -1 < r ≤ 1; None unless one name and an interval with two numeric ends."""
    interval, declared = _INTERVAL.fullmatch(written.rstrip(".").strip()), _declared_names(names)
    if interval is None or len(declared) != 1 or "infty" in interval.group("lo") + interval.group("hi"):
        return None
    ends = [sp.Rational(interval.group(end).replace(" ", "")) for end in ("lo", "hi")]
    return ([("number", ends[0]), ("name", declared[0]), ("number", ends[1])],
            [interval.group("open") == "(", interval.group("close") == ")"])


def _declare_order(math: str, sentence: str, line: str, mood: str, persistent: Context, current: Context) -> None:
    """Read a declared order (see above): from here on where plain, for the next formula where a hypothesis;
    a negation or a withdrawal of it ends the orders of its names; any other mood leaves all as it is."""
    chain = _order_chain(math, current.own_constants)
    if chain is None:
        return
    names = [value for kind, value in chain[0] if kind == "name"]
    numbers = len(chain[0]) - len(names)
    if not (len(names) >= 2 or (len(chain[0]) == 3 and numbers == 2)):
        return  # a > 0, a < 1: a sign (_declare_sign, _replace_sign)
    if mood == NEGATION or _WITHDRAWAL.search(_MARKER.sub(" ", sentence)):
        for target in (persistent, current):
            _drop_orders(target, set(names), f"{line}: {math.strip()} (the declared order no longer holds)")
        return
    if mood not in ("", HYPOTHESIS):
        return
    note = f"{line}: {math.strip()}" + (f" ({mood}: for the next formula only)" if mood else "")
    for target in ((current,) if mood or current is persistent else (persistent, current)):
        values = _order_values(chain[0], chain[1], target)
        changed = {name: value for name, value in (values or {}).items() if value != _value_now(target, name)}
        if set(changed) & _law_parameters(target) and not _order_put_in_laws(target, changed):
            continue  # σ of a declared N(0, σ²) keeps its one symbol (the sign reading declares what it can)
        _drop_orders(target, set(changed), note)
        for name, value in changed.items():
            _set_value(target, name, value, note)


def _order_put_in_laws(target: Context, values: dict[str, sp.Expr]) -> bool:
    """``z \\sim N(0, \\sigma^2)`` with ``0 < \\sigma < 1``: the bounded parameter read as its value (see
    _order_values) in the declared laws of variables too, so that it stays one quantity everywhere; False (nothing
    changed) where a name is itself a declared variable, a parameter of a declared density, or of a law that
    cannot be rewritten."""
    if {getattr(variable, "name", str(variable)) for variable in target.laws} & set(values):
        return False
    bounded = {name: sp.sympify(value) for name, value in values.items()}

    def put(expr):
        expr = sp.sympify(expr)
        return expr.xreplace({s: bounded[s.name] for s in expr.free_symbols
                              if isinstance(s, sp.Symbol) and s.name in bounded})
    if any(s.name in bounded for _, normal in target.densities.values() for s in sp.sympify(normal).free_symbols):
        return False  # q(z) = N(z; 0, σ²): its integrals keep σ one symbol (E_q[z²] = σ² is proved so)
    try:
        laws = {variable: tuple(put(part) for part in law) for variable, law in target.laws.items()}
    except (TypeError, ValueError, AttributeError, sp.SympifyError):
        return False
    if any(bounded_name in str(parts) for parts in target.reparametrizations.values() for bounded_name in bounded):
        return False  # z = μ + σ ε declared with σ: not rewritten, the order is not read
    target.laws = laws
    return True


def _law_parameters(target: Context) -> set[str]:
    """The names in the declared laws and densities."""
    return set(target.declared_symbols()) - set(target.symbols) | {
        name for name, symbol in target.symbols.items() if any(
            symbol in sp.sympify(part).free_symbols for law in target.laws.values() for part in law) or any(
            symbol in sp.sympify(normal).free_symbols for _, normal in target.densities.values())}


def _value_now(target: Context, name: str) -> sp.Expr:
    return target.bounded.get(name, target.symbols.get(name, sp.Symbol(name, real=True)))


def _order_values(terms: list, strict: list[bool], target: Context) -> dict[str, sp.Expr] | None:
    """name -> the value it reads as for the chain ``terms`` (smallest first): each name after an anchor (a
    number, or a name already declared) is the one before it plus δ, each before it the one after it minus δ;
    a name between two numbers lo + (hi − lo)·δ/(1 + δ). None for a chain not read (two numbers and more names)."""
    kinds = [kind for kind, _ in terms]
    if kinds.count("number") == 2:
        if kinds != ["number", "name", "number"] or not (strict[0] or strict[1]) or terms[0][1] >= terms[2][1]:
            return None
        return {terms[1][1]: _interval_value(terms[1][1], terms[0][1], terms[2][1], strict)}
    if kinds.count("number") > 2 or len({value for kind, value in terms if kind == "name"}) < kinds.count("name"):
        return None
    anchor = kinds.index("number") if "number" in kinds else next(
        (k for k, (_, name) in enumerate(terms) if name in target.symbols or name in target.bounded), 0)
    values: dict[str, sp.Expr] = {}
    substituted = {name for k, (kind, name) in enumerate(terms) if kind == "name" and k != anchor}

    def value_of(k: int) -> sp.Expr:
        kind, value = terms[k]
        if kind == "number" or value in values:
            return value if kind == "number" else values[value]
        current_value = _value_now(target, value)
        stale = {s.name for s in sp.sympify(current_value).free_symbols} & substituted
        return sp.Symbol(value, real=True) if stale else current_value

    if kinds[anchor] == "name":
        values[terms[anchor][1]] = value_of(anchor)
    for k in range(anchor + 1, len(terms)):
        values[terms[k][1]] = _signed_symbol(terms[k][1], value_of(k - 1) + _excess(terms[k][1], strict[k - 1]))
    for k in range(anchor - 1, -1, -1):
        values[terms[k][1]] = _signed_symbol(terms[k][1], value_of(k + 1) - _excess(terms[k][1], strict[k]))
    return values


def _signed_symbol(name: str, value: sp.Expr) -> sp.Expr:
    """0 + δ_a (0 < a) as the name a itself, positive (nonnegative, negative, nonpositive where so)."""
    excess = _excess(name, True), _excess(name, False)
    for sign, (kind, strict) in {excess[0]: ("positive", True), excess[1]: ("nonnegative", True),
                                 -excess[0]: ("negative", True), -excess[1]: ("nonpositive", True)}.items():
        if value == sign:
            return sp.Symbol(name, real=True, **{kind: strict})
    return value


def _excess(name: str, strict: bool) -> sp.Symbol:
    return sp.Symbol(f"delta_{name}", **({"positive": True} if strict else {"nonnegative": True}))


def _interval_value(name: str, low: sp.Expr, high: sp.Expr, strict: list[bool]) -> sp.Expr:
    """The values of an interval with numeric ends, open at one end at least, as one of a δ ≥ 0 (> 0)."""
    if strict[1]:  # [lo, hi) or (lo, hi): from lo (δ = 0) towards hi
        excess = _excess(name, strict[0])
        return low + (high - low) * excess / (1 + excess)
    excess = _excess(name, False)  # (lo, hi]: from hi (δ = 0) towards lo
    return high - (high - low) * excess / (1 + excess)


def _set_value(target: Context, name: str, value: sp.Expr, note: str) -> None:
    """``name`` reads as ``value`` from here on (Context.bounded): a plain symbol of its own where that is all it is."""
    value = sp.sympify(value)
    if isinstance(value, sp.Symbol) and value.name == name:  # a plain real (an anchor whose order the new one
        signs = {sign: True for sign in _SIGN_SETS if value.assumptions0.get(sign)}  # replaces), or 0 < a: positive
        target.declare_symbol(name, note, **signs)
        return
    target.symbols.pop(name, None)
    target.bounded = {**target.bounded, name: value}
    excess = sorted((s for s in value.free_symbols if s.name.startswith("delta_")), key=str)
    shown = ", ".join(f"{s} {'>' if s.is_positive else '≥'} 0" for s in excess)
    target.notes[("symbol", name)] = f"{note} (read as {sp.sstr(value)}, {shown})"


def _ordered_names(target: Context) -> set[str]:
    """The names a declared order relates (b and a of b = a + δ_b)."""
    names = set()
    for name, value in target.bounded.items():
        others = {s.name for s in sp.sympify(value).free_symbols if not s.name.startswith("delta_")}
        names |= others | ({name} if others else set())
    return names


def _assigned_names(math: str) -> list[str]:
    """The name a value statement ``b = a - 1``, ``b := 3`` gives a value to ([] for any other formula)."""
    value = _VALUE_STATEMENT.fullmatch(math.strip().rstrip(".,;:").strip())
    names = _declared_names(value.group("name")) if value is not None else []
    return names if len(names) == 1 else []


def _drop_orders(target: Context, names: set[str], note: str) -> None:
    """The declared orders of ``names`` and those that read another name through one of them end: those names
    read as plain reals (a name bounded by a number alone, β ≥ 1, keeps it where the order is not its own)."""
    for name, value in list(target.bounded.items()):
        others = {s.name for s in sp.sympify(value).free_symbols if not s.name.startswith("delta_")}
        if others & names or (name in names and others):
            target.declare_symbol(name, note)


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
        if len(names) == 1 and names[0] in _ordered_names(context):
            revised = revised or context.copy()
            _drop_orders(revised, set(names), f"{document.where(document.line_of(chain[0].segment.start))}: "
                                              f"{chain[0].segment.source} := ... (the declared order no longer holds)")
            continue
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
        return _value_set(sp.sympify(target.bounded[name]))
    symbol = target.symbols.get(name)
    if symbol is None:
        return None
    allowed = sp.S.Reals
    for sign, values in _SIGN_SETS.items():
        if getattr(symbol, f"is_{sign}") is True:
            allowed = sp.Intersection(allowed, values)
    return None if allowed == sp.S.Reals else allowed


def _value_set(value: sp.Expr) -> sp.Set | None:
    """The values a name read as ``value`` takes: bound + δ (β ≥ 1) and lo + (hi − lo)·δ/(1 + δ) are monotone in
    their one δ (from δ = 0, attained where δ ≥ 0, to δ → ∞, never attained); None where it has other names (an
    order: b = a + δ)."""
    if len(value.free_symbols) != 1:
        return None
    excess = next(iter(value.free_symbols))
    try:
        start, end = value.subs(excess, 0), sp.limit(value, excess, sp.oo)
    except (TypeError, ValueError, NotImplementedError):
        return None
    if not (start.is_real and (end.is_real or end.is_infinite)) or start == end:
        return None
    low, high = (start, end) if bool(start < end) else (end, start)
    closed_start = not excess.is_positive
    return sp.Interval(low, high, left_open=not closed_start if low == start else True,
                       right_open=not closed_start if high == start else True)


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
            if names and (expr is None or not expr.free_symbols):
                expr = sp.Symbol(names[0], real=True)  # a capital N: a name (NameRef) to the formula reader
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
            kept = _count_kept(entry, assumptions)  # "drop the assumption $N \ge 5$": still a count, of any size
            target.declare_symbol(name, f"{note} (the earlier sign declaration no longer holds){suffix}", **kept)
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


def _count_kept(entry: tuple, assumptions: dict) -> dict:
    """``assumptions`` with the integrality of a count whose bound is withdrawn (N ≥ 5 read as 4 + δ, δ a positive
    integer; or an integer symbol): the bound goes, the count stays."""
    symbol, bounded = entry
    value = sp.sympify(bounded) if bounded is not None else None
    integer = (symbol is not None and symbol.is_integer and symbol.is_positive) or (
        value is not None and bool(value.free_symbols) and all(s.is_integer for s in value.free_symbols) and
        value.subs({s: 1 for s in value.free_symbols}).is_positive)
    if not integer:
        return assumptions
    return _with_integrality(sp.Symbol("count", integer=True, positive=True), assumptions)


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
                        document: Document | None = None, parities: list | None = None) -> None:
    """``$a$ is negative``, ``let $a$ be any real number``, ``for any real $a$``: the sign (or none) of the names
    for what follows, replacing an earlier sign declaration (see _replace_sign, _revise_signs); ``for negative
    $a$``, ``consider positive $a$``: a sign stated before the name, which revises an earlier sign only."""
    words = [(m, int(next(m.group(g) for g in ("k", "std", "zero", "unsigned", "flipped", "replaced", "any", "free",
                                                "which", "ja") if m.group(g))), True)
             for m in _SIGN_WORDS.finditer(marked)]
    words += [(m, int(m.group("k")), False) for m in _SIGN_ADJECTIVE.finditer(marked)]
    for m, k, declares in sorted(words, key=lambda found: found[0].start()):
        names = _component_names(_declared_names(maths[k]), maths[k], current) if k < len(maths) else []
        std = bool(m.groupdict().get("std"))  # "$\sigma$ is the standard deviation": positive
        member = _IN_SET.fullmatch(maths[k]) if k < len(maths) and std and not names else None
        if member is not None:  # "Let $\boldsymbol{\sigma} \in \mathbb{R}^d$ be the standard deviations"
            names = _component_names(_declared_names(member.group("names")), maths[k], current)
        mood = _sign_mood(marked, k, moods.get(k, ""))
        if not names or (mood == NEGATION and declares):
            continue
        kind = "positive" if std else re.sub(r"strictly\s+|-", "", (m.group("kind") or "real").lower())
        note = f"{functions[k][1]}: {functions[k][2]} is {kind}"
        if kind in PARITIES:
            if mood in ("", HYPOTHESIS) and parities is not None:
                supposed = bool(_SUPPOSITION.match(_MARKER.sub(" ", _sentence_of(marked, k))))
                parities.append((names, kind, note, mood if declares else HYPOTHESIS, supposed))  # "For even $N$,":
                # a case, the next formula's
            continue
        sentence = _sentence_of(marked, k)
        before = _sign_snapshot(names, persistent, current)
        if declares and not _WORD_SIGNS.get(kind):  # "Let $\sigma$ be a real number. Assume $\sigma > 0$.": the
            names = [n for n in names if n not in _signed_after(maths, k, moods)]  # later sign stands (read first)
        if declares and names:
            _apply_sign(names, _WORD_SIGNS.get(kind), note, mood, persistent, current,
                        _sentence_signs(marked, k, maths), bool(_ANEW.search(sentence)))
        _revise_signs(names, _assumption_set(_WORD_SIGNS.get(kind, {})), sentence, mood, note, before,
                      (signed_here or {}).get(sentence, set()), persistent, current, document)
        _scope_indexed_signs(set(names), sentence, k, maths, persistent, current)  # a_i is positive for i = 1, 2


# "Let $q(z)$ be the Gaussian $\mathcal{N}(z; \mu, \sigma^2)$", "$\epsilon$ follows $N(0, 1)$", "$q(z|x)$ は正規分布
# $\mathcal{N}(z; \mu, \sigma^2)$ とする": the subject and its Gaussian in two formulas of one statement
_GAUSSIAN_EN = r"(?:gaussian|normal)(?:\s+(?:distribution|density|law|pdf))?\s+"
_SPLIT_LAW_EN = LazyPattern(r"⟦(\d+)⟧\s+(?:(?:is|be|are|denotes?|follows|is\s+distributed\s+as|is\s+given\s+by)\s+"
                           rf"(?:also\s+)?(?:(?:a|an|the)\s+)?(?:{_GAUSSIAN_EN})?|(?:(?:a|an|the)\s+)?{_GAUSSIAN_EN})"
                           r"⟦(\d+)⟧", re.I)  # "$p(z)$ the Gaussian $N(0, 1)$" after "Let $q(z)$ be ... and"
_SPLIT_LAW_JA = LazyPattern(r"⟦(\d+)⟧\s*(?:は|を|が)\s*(?:(?:正規|ガウス)(?:分布|密度)(?:関数)?\s*)?⟦(\d+)⟧")


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
                        _law_mood(marked, i, moods.get(i, "")))
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


def _second_law(context: Context, sentence: str, laws_here: dict[tuple, tuple]) -> bool:
    """Whether the declaration just made in ``context`` gives its density or variable another law than one made
    before in the same sentence ("Let $p(z) = N(0, 1)$ and $p(z) = N(0, 4)$": which one is meant?)."""
    key = next(reversed(context.notes))
    subject = key[1] if key[0] == "law" else key[1:]
    law = context.laws.get(subject) if key[0] == "law" else context.densities.get(subject)
    before = laws_here.setdefault((sentence, key), law)
    return before != law


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
    names = _declared_names(found.group("names"))
    return (names, bound, strict) if names else None


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


_NAMED_LAW = LazyPattern(r"^\s*(?:\\(?:mathcal|mathscr)\s*\{\s*[A-Z]\s*\}|\\mathcal\s+[A-Z]|"
                        r"\\(?:mathrm|operatorname|text|textrm|mathsf|mathbf)\s*\{\s*(?:U|Unif|Uniform|Beta|Gamma|Exp|"
                        r"Expon|Exponential|Laplace|Lap|Bern|Bernoulli|Cat|Categorical|Dir|Dirichlet|Poisson|Pois|"
                        r"Logistic|Cauchy|Student|StudentT|Lognormal|LogNormal|Weibull|Binomial|Bin|Mult|"
                        r"Multinomial|Geom|Geometric)\s*\}|(?:Unif|Uniform|Beta|Gamma|Exp|Laplace|Bernoulli|"
                        r"Categorical|Dirichlet|Poisson|Cauchy|U|Ber|Bern|Lap|Cat|Dir|Pois|Geom|Bin)\b|\\Gamma\b)"
                        r"\s*(?:\\left\s*|\\[bB]igg?[lr]?\s*)?[(\[].*[)\]]\s*$|"
                        r"^\s*(?:\\chi\s*\^\s*(?:2|\{\s*2\s*\})|t)\s*_\s*(?:\{[^{}]*\}|\\?\w+)\s*$", re.S)


def _equation_as_law(part: str) -> str:
    """``q(z) = N(m, s^2)`` in the prose declares like ``q(z) \\sim N(m, s^2)`` (a density on the left, one ``=``,
    a Gaussian on the right); any other part is returned as written."""
    sides = re.split(r"(?<![<>!:\\])=(?!=)", part)
    if len(sides) != 2 or "\\sim" in part or not (_NORMAL.match(sides[1]) or _NAMED_LAW.match(sides[1])):
        return part  # q(z) = U(z; 0, φ): a law stated, declared as one (refused there, so no other law is assumed)
    try:
        subject = _written_density(sides[0], {_law_subject_letter(f"{sides[0]}\\sim{sides[1]}")} - {None})
    except (ValueError, TypeError, RecursionError):
        return part
    if not isinstance(subject, Density) or len(subject.variables) != 1:
        return part  # q(z|x) = N(μ(x), σ²(x)): the encoder's law given x (_declare_conditional)
    return f"{sides[0]}\\sim{sides[1]}"


def _mark_hypothesis(context: Context, mood: str) -> None:
    """The note of the declaration just made says it is a hypothesis for the next formula only."""
    key = next(reversed(context.notes))
    context.notes[key] += f" ({mood}: for the next formula only)"


# what makes a law stated a custom rather than this text's own: "typically", "a common choice", 通常, 一般に
_LAW_HEDGE = LazyPattern(r"\b(?:typically|typical|usually|usual|often|commonly|common|frequently|customarily|"
                        r"conventionally|conventional|popular|in\s+practice|standard\s+choice|by\s+default|"
                        r"mostly|generally|in\s+general|such\s+as|for\s+(?:example|instance))\b|\be\.g\.|通常|普通|一般に|一般的|よく|多くの場合|典型|しばしば|"
                        r"ことが多い|場合が多い|ふつう", re.I)


def _law_mood(marked: str, number: int, mood: str) -> str:
    """The mood of a law stated by formula ``number``: not plainly declared where its sentence says it is only
    the usual choice ("typically $p(z) = N(0, 1)$"), else ``mood``."""
    if mood in (NEGATION, NOT_DECLARED) or not _LAW_HEDGE.search(_MARKER.sub(" ", _sentence_of(marked, number))):
        return mood
    return NOT_DECLARED


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
        written = _written_density(part.split("\\sim", 1)[0], context.density_letters)
        if isinstance(written, Density):
            key = conditional_key(written) if written.given else (written.family, written.label)
            context.densities.pop(key, None)
            context.notes.pop(("density",) + key, None)
            context.notes[("density-refused", written.family, written.label)] = note




_NORMAL = LazyPattern(r"^\s*(?:N|\\mathcal\s*\{\s*N\s*\}|\\mathcal\s+N|\\mathscr\s*\{\s*N\s*\}|\\mathrm\s*\{\s*N\s*\}"
                     r"|\\operatorname\s*\{\s*N\s*\})\s*(?:\\left\s*|\\[bB]igg?[lr]?\s*)?\((.*)\)\s*$", re.S)
_IDENTITY = LazyPattern(r"\s*(?:I|\\(?:mathbf|mathbb|mathrm|boldsymbol|bm)\s*\{\s*I\s*\}|I_\{?\s*[a-zA-Z0-9]\s*\}?)\s*")
_POINT = LazyPattern(r";|\\mid\b|(?<!\\)\|")


_SCALE_WORDS = LazyPattern(r"standard[\s-]+deviation|\bstd\b|\bscale\b|標準偏差|スケール", re.I)
_SQUARED = LazyPattern(r"\^\s*\{?\s*2\s*\}?\s*$")


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


def _written_density(left: str, letters: set[str] | frozenset = frozenset()):
    """``left`` read on its own (``letters`` read as densities: g of ``g(z) = \\mathrm{Cauchy}(z; 0, 1)``)."""
    try:
        return parse_expression(left, Context(density_letters=set(letters)))
    except Unparsed:
        return None


def _law_subject_letter(part: str) -> str | None:
    """The letter of ``g(z) \\sim law`` (a letter applied to variables, a Gaussian or a named law on the right):
    the law makes it a density, whatever its letter (None for any other part)."""
    if "\\sim" not in part:
        return None
    left, right = part.split("\\sim", 1)
    named = _DENSITY_MATH.fullmatch(left)
    if named is None or "(" not in left or not (_NORMAL.match(right) or _NAMED_LAW.match(right)):
        return None
    letter = named.group(1).lstrip("\\")
    return None if named.group(1).startswith("\\") and letter not in GREEK else letter


# ---------------------------------------------------------------- prose: curvature

# A curvature is declared by a plain statement about named functions, in one of two shapes:
# "<adjective> [function] $f$" and "$f$ [is|are|be|a|strictly ...] <adjective>" (and the Japanese
# "上に凸な関数$f$", "$f$が上に凸"). Anything that negates, conditions, questions or qualifies the statement
# makes it declare nothing; such a refusal is noted for the report.

_MARK = "⟦{}⟧"
_MARKER = LazyPattern(r"⟦(\d+)⟧")
_FUNCTION_MATH = LazyPattern(r"\s*([a-zA-Z]|\\[a-zA-Z]+)\s*(?:\(\s*(?:[a-zA-Z]|\\cdot)\s*\))?\s*")
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
_BEFORE_EN = LazyPattern(r"\b" + _ADJECTIVE_EN + r"\s+(?:(?:functions?|maps?|mappings?)\s+)?" + _LIST_EN, re.I)
_QUALIFIERS_EN = {"log", "quasi", "pseudo", "semi", "locally", "geodesically", "piecewise", "non", "operator",
                  "matrix", "midpoint", "jointly", "logarithmically", "essentially", "almost", "nearly",
                  "approximately", "roughly", "partly", "somewhat", "sometimes"}
_RESTRICTIONS_EN = {"on", "over", "in", "for", "when", "whenever", "where", "if", "except", "near", "around", "at",
                    "along", "within", "between", "provided", "unless", "only", "outside", "inside", "away"}
_NEGATION_EN = LazyPattern(
    r"\b(?:not|no|never|neither|nor|none|nowhere|cannot|hardly|barely|scarcely|without|fails?|failed|failing|"
    r"lacks?|rather|instead|unlike|false|falsely|wrong|wrongly|incorrect|incorrectly|mistaken|mistakenly|"
    r"mistake|misconception|myth|erroneous|erroneously|non)\b|n't\b|n’t\b|\bnon-", re.I)
_HYPOTHESIS_EN = LazyPattern(r"\b(?:if|iff|when|whenever|provided|once)\b|\bin case\b|\bcase that\b|"
                             r"^\s*(?:\*\*|__|\*|_)?\s*case\b(?:\s+(?:\d+|[A-Z]|[IVX]+)\b)?\s*[:.)]?\s*(?:\*\*|__)?\s*(?:[:.]\s*)?(?:⟦|$)",
                             re.I)  # "**Case $N \ge 5$.** Then", "Case 1: $N \ge 5$.": the case, for the next formula
_HEDGE_EN = LazyPattern(
    r"\b(?:whether|unless|were|would|could|might|may|should|perhaps|maybe|possibly|probably|likely|seems?|seemed|"
    r"appears?|appeared|supposedly|allegedly|claims?|claimed|hypothetically|imagine|pretend|wish|hope|"
    r"whichever|believes?|believed|thinks?|thought|says?|said|guess|conjectured?|expects?|expected|unclear|"
    r"unknown|doubt|doubtful|typically|usually|often|commonly|frequently|customarily|conventionally|mostly|"
    r"in\s+practice|common|customary|conventional|authors?|literature|papers|textbooks|practitioners|people|"
    r"implementations|references|others)\b", re.I)  # "typically $0 < r < 1$": what is common, not what is declared
_LIST_JA = r"(?P<list>⟦\d+⟧(?:\s*(?:と|、|,|及び|および|や)\s*⟦\d+⟧)*)"
_ADJECTIVE_JA = r"(?P<adjective>(?:狭義に?|真に|強)?(?P<word>上に凸|下に凸|凹|凸))"
_BEFORE_JA = LazyPattern(_ADJECTIVE_JA + r"\s*(?:な|の)?\s*(?:関数)?\s*" + _LIST_JA)
_AFTER_JA = LazyPattern(_LIST_JA + r"\s*(?:は|が|も|を)\s*(?:共に|ともに|どちらも|いずれも|常に|つねに|いつも|必ず|確かに)?\s*" + _ADJECTIVE_JA)
_QUALIFIERS_JA = ("非", "準", "擬", "対数", "弱", "局所", "ほぼ", "概")
_NEGATION_JA = LazyPattern(r"ない|なく|ません|ず(?:に|、|。|$)|非|違う|誤(?!差)|なし|無し|抜き|外(?:す|し|せ|さ)|除(?:い|く|け|外)")
_HYPOTHESIS_JA = LazyPattern(r"場合|なら|とき|時に|時は|れば|たら|仮に|もし")
_HEDGE_JA = LazyPattern(r"としても|かも|だろう|でしょう|らしい|疑問|はず|通常|普通|ふつう|しばしば|多くの場合|ことが多い|場合が多い|"
                        r"文献|(?<!本)(?<!この)論文|教科書|著者|一般的|慣例|慣習|(?:論文|文献|本|人|例)(?:も|が)ある|"
                        r"ことがある|こともある")  # "多くの文献では σ > 0 とする": what others take, not this text
_QUESTION_JA = LazyPattern(r"かどうか|か[。？?]?\s*$|でしょうか|だろうか")
_KIND_JA = {"上に凸": "concave", "凹": "concave", "下に凸": "convex", "凸": "convex"}
_SENTENCE_BREAK = LazyPattern(r"(?<=[。．！？!?])|(?<=\.)(?<!e\.g\.)(?<!i\.e\.)(?<!\bcf\.)(?<!viz\.)(?<!resp\.)(?=\s)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+\.|#+)[ \t])|"
                             + BOUNDARY)  # a heading or (LaTeX) a structure command ends a sentence
_CLAUSE_WORDS = LazyPattern(r"\b(?:but|whereas|while|although|though|however|yet)\b", re.I)


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


# ---------------------------------------------------------------- prose: a law or a curvature changed

# A later sentence that changes what the prose declared ("We now switch to ...", "From now on $f$ is an arbitrary
# function", "以降 ... を用いる") and is not itself read as a new declaration leaves the old one unusable: the
# steps that use it are undecided, with the sentence as the reason, never checked with the old law.
_CHANGE_EN = LazyPattern(
    r"\b(?:becomes?|became|becoming|instead|replace[sd]?|replacing|change[sd]?|changing|switch(?:es|ed|ing)?|"
    r"henceforth|hereafter|from\s+(?:now|here|this\s+point)\s+on(?:wards?)?|modif(?:y|ies|ied|ying)|"
    r"updat(?:e|es|ed|ing)|redefin(?:e|es|ed|ing)|re-?declar(?:e|es|ed|ing)|no\s+longer|any\s*more|"
    r"drop(?:s|ped|ping)?|relax(?:es|ed|ing)?|remov(?:e|es|ed|ing)|abandon(?:s|ed|ing)?|lift(?:s|ed|ing)?|"
    r"alternatively|in\s+place\s+of|suppose\s+instead)\b", re.I)
_CHANGE_JA = LazyPattern(r"以降|以後|これから|ここから|今後|今度|新た|変更|変え|置き換|置換|切り替|切替|代わり|代え|"
                        r"替え|改め|取り替|外す|外し|やめ|緩め|仮定しな")
_NOW_EN = LazyPattern(r"\b(?:now|new|next)\b", re.I)
_PARAMETER_GIVEN_EN = LazyPattern(r"\b(?:have|has|having|with|of|to)\s+(?:a\s+|the\s+)?(?:variance|mean|std|"
                                 r"standard\s+deviation|scale|location)\s+⟦", re.I)
_ANY_FUNCTION = LazyPattern(r"\b(?:arbitrary|any|general|generic|whatever|unrestricted)\s+(?:[a-z-]+\s+){0,3}"
                           r"(?:functions?|maps?|mappings?)\b|任意の[^。]*関数|一般の[^。]*関数", re.I)
_CURVATURE_NOUN = LazyPattern(r"\b(?:convexity|concavity|curvature)\b|凸性|凹性", re.I)


def _declare_changes(document: Document, marked: str, functions, maths: list[str], persistent: Context,
                     current: Context) -> None:
    """The sentences that change a law or a curvature declared before them and are not read as its new
    declaration: the old one is withdrawn (see above); one that a later sentence declares again stands."""
    sentences = [sentence for sentence in _SENTENCE_BREAK.split(marked) if sentence and "⟦" in sentence]
    declared = [_laws_stated(sentence, maths) for sentence in sentences]
    curved = [_curvatures_stated(sentence, functions) for sentence in sentences]
    for index, sentence in enumerate(sentences):
        later_laws = set().union(*declared[index + 1:])
        later_curves = set().union(*curved[index + 1:])
        shown = " ".join(_MARKER.sub(lambda m: functions[int(m.group(1))][2], sentence).split())
        note = (f"{_sentence_line(sentence, functions)}: “{shown if len(shown) <= 90 else shown[:87] + '...'}” "
                "changes what the prose declared before, and is not read as the new declaration")
        for key, written in _changed_laws(sentence, maths, persistent, declared[index]):
            if key not in later_laws:
                _withdraw_law(document, written, note, persistent, current)
        for name in _changed_curvatures(sentence, functions, curved[index]):
            if name not in later_curves:
                _withdraw_curvature(name, note, persistent, current)


def _curvatures_stated(sentence: str, functions) -> set[str]:
    """The functions a sentence plainly declares a curvature of (see _declare_curvatures)."""
    clauses, allowed = _clauses(sentence), _declarative_markers(sentence)
    return {name for number, clause in enumerate(clauses) if _mood(sentence, clauses, number) == ""
            for names, _, why, markers in _statements(clause, functions) if not why and set(markers) <= allowed
            for name in names}


def _law_key(written: str) -> tuple | None:
    """The key of the declaration a written density or variable would have (None for anything else)."""
    subject = _written_density(written)
    if isinstance(subject, Density):
        return conditional_key(subject) if subject.given else (subject.family, subject.label)
    if isinstance(subject, sp.Symbol):
        return ("law", subject.name)
    return None


def _laws_stated(sentence: str, maths: list[str]) -> set[tuple]:
    """The keys of the laws a sentence states (``subject \\sim law``, ``subject = N(...)``, "$p(z)$ is $N(0, 1)$"),
    read as declarations or not: the reading of those is the declaration's own."""
    found = set()
    for k in map(int, _MARKER.findall(sentence)):
        for _, part in top_level_parts(maths[k]):
            part = _equation_as_law(part)
            if "\\sim" in part or re.search(r"(?<![<>!:\\])=(?!=)", part):
                key = _law_key(re.split(r"\\sim|(?<![<>!:\\])=(?!=)", part, maxsplit=1)[0])
                if key is not None:
                    found.add(key)
    for pattern in (_SPLIT_LAW_EN, _SPLIT_LAW_JA):
        for m in pattern.finditer(sentence):
            key = _law_key(maths[int(m.group(1))]) if int(m.group(2)) < len(maths) and \
                _NORMAL.match(maths[int(m.group(2))]) else None
            if key is not None:
                found.add(key)
    return found


def _changes(sentence: str, maths: list[str]) -> bool:
    """Whether a sentence says that something changes (a strong word, or "now"/"new" with a law or a parameter
    value given)."""
    plain = _MARKER.sub(" ", sentence)
    if _CHANGE_EN.search(plain) or _CHANGE_JA.search(plain):
        return True
    return bool(_NOW_EN.search(plain) and (_PARAMETER_GIVEN_EN.search(sentence) or _writes_law(sentence, maths)))


def _writes_law(sentence: str, maths: list[str]) -> bool:
    """Whether a sentence writes a law alone (``$N(0, 4)$``, ``$\\mathrm{Laplace}(0, 1)$``)."""
    return any(_NORMAL.match(maths[k]) or _NAMED_LAW.match(maths[k]) for k in map(int, _MARKER.findall(sentence)))


def _changed_laws(sentence: str, maths: list[str], context: Context, stated: set[tuple]) -> list[tuple[tuple, str]]:
    """(key, the density or variable as written) of each declared law a changing sentence is about and does not
    state: the densities and variables it writes alone ("the prior $p(z)$ becomes ..."), or, where it writes
    none but a law ("We change the prior to $N(0, 4)$"), every declared one."""
    if not _changes(sentence, maths):
        return []
    mentioned, laws_written = [], False
    for k in map(int, _MARKER.findall(sentence)):
        key = _law_key(maths[k])
        if key is not None:
            mentioned.append((key, maths[k]))
        laws_written |= bool(_NORMAL.match(maths[k]) or _NAMED_LAW.match(maths[k]))
    found = [(key, written) for key, written in mentioned if key not in stated and _is_declared(context, key)]
    if mentioned or not laws_written:
        return found
    return [(key, written) for key, written in _declared_laws(context) if key not in stated]


def _is_declared(context: Context, key: tuple) -> bool:
    if key[0] == "law":
        return any(symbol.name == key[1] for symbol in context.laws)
    return key in context.densities


def _declared_laws(context: Context) -> list[tuple[tuple, str]]:
    """(key, the subject as written) of every law the context declares."""
    found = [(("law", symbol.name), symbol.name) for symbol in context.laws if isinstance(symbol, sp.Symbol)]
    for key, (density, _) in context.densities.items():
        if isinstance(density, Density):
            found.append((key, _density_latex(density)))
    return found


def _density_latex(density: Density) -> str:
    """``q_{\\phi}(z|x)`` for a density, as the reader parses it back."""
    label = f"_{{\\{density.label}}}" if density.label else ""
    given = f"|{','.join(sp.latex(g) for g in density.given)}" if density.given else ""
    return f"{density.family}{label}({','.join(sp.latex(v) for v in density.variables)}{given})"


def _withdraw_law(document: Document, written: str, note: str, persistent: Context, current: Context) -> None:
    """The law declared for ``written`` no longer holds and none other is known (audit/check.py leaves the steps
    that use it undecided with ``note``)."""
    _unreadable_law(document, (persistent, current), f"{written} \\sim", note)


def _changed_curvatures(sentence: str, functions, stated: set[str]) -> list[str]:
    """The functions with a declared curvature that a sentence makes general or whose curvature it changes
    ("From now on $f$ is an arbitrary smooth function", "We drop the convexity of $f$"), not stating a new one."""
    plain = _MARKER.sub(" ", sentence)
    if not (_ANY_FUNCTION.search(plain) or _CHANGE_EN.search(plain) or _CHANGE_JA.search(plain) or
            _NOW_EN.search(plain) and _CURVATURE_NOUN.search(plain)):
        return []
    names = [functions[int(k)][0] for k in _MARKER.findall(sentence)]
    return [name for name in dict.fromkeys(names) if name is not None and name not in stated]


def _withdraw_curvature(name: str, note: str, persistent: Context, current: Context) -> None:
    """``name`` has no declared curvature from here on; a step refuted without the old one, and proved with it,
    is undecided (the tentative curvature, audit/check.py)."""
    for target in (persistent, current):
        if name in target.curvature:
            target.notes[("curvature-tentative", name)] = target.curvature.pop(name)
            target.notes.pop(("curvature", name), None)
            target.notes[("curvature-refused", name)] = note


NEGATION, QUESTION, HEDGE, HYPOTHESIS = "a negation", "a question", "a hedge, not a statement", "a hypothesis"


_EXCLUDING = LazyPattern(r"\b(?:except|excepting|excluding|other\s+than|apart\s+from|aside\s+from|save\s+for|"
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
        allowed = _declarative_markers(sentence) - _claim_conditions(sentence)
        for number, clause in enumerate(clauses):
            for k in _MARKER.findall(clause):
                mood = _mood(sentence, clauses, number, f"⟦{k}⟧")
                if mood == "" and k not in allowed and _CONDITION_CLAUSE.fullmatch(clause) and \
                        _plain_around(sentence, clauses):
                    mood = HYPOTHESIS  # "..., with $s > 0$, gives": a condition of the next formula
                if mood == "" and not closed and _CASE_LEAD.fullmatch(sentence):
                    mood = HYPOTHESIS  # "For $u > 0$, $$...$$": the case of the display it leads into, no more
                if mood == HYPOTHESIS and (closed or _case_set_aside(sentence, clauses, number)):
                    mood = HEDGE  # a case another sentence or clause follows may close: it is not assumed
                moods[int(k)] = mood if mood in (NEGATION, HYPOTHESIS) or k in allowed else NOT_DECLARED
    return moods


# "We have ⟦0⟧ where ⟦1⟧.", "Note that ⟦0⟧ for ⟦1⟧", "⟦0⟧ for ⟦1⟧.": the condition under which the claim ⟦0⟧ holds, as after a
# display (_trailing_conditions), no declaration for what follows
_CLAIM_CONDITION_EN = LazyPattern(
    r"(?:^\s*|\b(?:we\s+(?:have|get|obtain|find|see|know)|one\s+(?:has|gets)|note\s+that|recall\s+that|"
    r"it\s+holds\s+that|(?:it\s+)?follows\s+that|so|thus|hence|therefore|then)\s+)⟦\d+⟧\s*,?\s*(?:(?:which\s+)?(?:holds?|is\s+true)\s+)?"
    r"(?:for|where|when|whenever|provided|if|assuming|given)(?:\s+(?:that|all|every|each|any))?\s+⟦(?P<k>\d+)⟧", re.I)


def _claim_conditions(sentence: str) -> set[str]:
    """The formulas ⟦k⟧ of ``sentence`` that state the condition of a claim written just before them."""
    return {found.group("k") for found in _CLAIM_CONDITION_EN.finditer(sentence)}


_CASE_LEAD = LazyPattern(r"\s*(?:(?:but|however|yet)\s*,?\s*)?(?:for|when|whenever|in\s+the\s+case)\s+(?:(?:all|every|each|any)\s+)?⟦\d+⟧\s*"
                         r"(?:,\s*(?:we\s+(?:have|get|obtain|find)|one\s+(?:has|gets)|it\s+holds\s+that)\s*)?[,:]?\s*",
                         re.I)
_CONTRAST = LazyPattern(r"\b(?:but|whereas|while|although|though|however|yet|otherwise|in\s+general)\b|"
                       r"だが|けれど|けど|しかし|一般に|省略|扱う|扱い|示せれば|誘惑|が、", re.I)
_RUNS_INTO_JA = LazyPattern(r"次|以下|成り立つ|成立|[:：]\s*$")


def _case_set_aside(sentence: str, clauses: list[str], number: int) -> bool:
    """Whether a case the sentence states is set aside rather than assumed for what follows: a contrasting
    clause after it ("If $t > 0$ this is easy, but in general ..."), or a Japanese 場合/なら sentence that does
    not run into the formula ("$t > 0$ の場合は省略する"). A contrast that opens the sentence ("But when $x > 0$,",
    "しかし $x > 0$ のとき") sets the case against what came before, and a Japanese case left open ("また $x > 0$
    のとき") runs into the formula after it: neither sets the case aside."""
    rest = _OPENING_CONTRAST.sub("", sentence, count=1)
    if any(_CONTRAST.search(clause) for clause in clauses[number + 1:]) or _CONTRAST.search(_MARKER.sub(" ", rest)):
        return True
    return bool(_CJK.search(sentence)) and not _RUNS_INTO_JA.search(sentence) \
        and not _OPEN_CASE_JA.search(sentence)


_OPENING_CONTRAST = LazyPattern(r"^\s*(?:but|however|yet|しかし|だが|一方(?:で)?|ただ)\s*[,、]?\s*", re.I)
_OPEN_CASE_JA = LazyPattern(r"⟦\d+⟧\s*(?:のとき|の時|の場合|ならば|なら)(?:は|には|では)?\s*[、,]?\s*$")


def _plain_around(sentence: str, clauses: list[str]) -> bool:
    """No clause of the sentence negates, hedges, poses a problem or calls something false."""
    return not (_NOT_A_STATEMENT_EN.search(_MARKER.sub(" ", sentence)) or
                any(_NEGATION_EN.search(c) or _HEDGE_EN.search(c) or _NEGATION_JA.search(c) for c in clauses))


NOT_DECLARED = "not read as a declaration: not a plain declarative sentence"
_CONDITION_CLAUSE = LazyPattern(r"\s*(?:with|where|assuming)\s+⟦\d+⟧\s*[.:]?\s*", re.I)
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
    "objective", "bound", "lower", "evidence", "integrates", "to", "respectively", "observe", "observes", "collect",
    "collects"}
_OPENING_EN = LazyPattern(r"^\s*(?:if|when|whenever|provided(?:\s+that)?|with|given|for)\b", re.I)
_DECLARATIVE_SIGNS_EN = LazyPattern(r"[\s,()]|⟦\d+⟧|[.:]\s*$")  # a remark in parentheses: its words count too
# the verbs with which a text sets up its objects ("We choose ...", "We pick ...", "Consider ...")
_DECLARATIVE_WORDS_EN |= {"replace", "replaces", "replaced", "switch", "switches", "switched", "by",  # a new law
                          "choose", "chose", "chosen", "pick", "picked", "set", "taken", "assumed", "assumes",
                          "supposed", "define", "defines", "defined", "consider", "considered", "modeled",
                          "modelled", "models", "again", "still", "even", "odd",  # a parity (_declare_parity)
                          # the objects a VAE text sets up
                          "value", "values", "pixel", "pixels", "image", "images", "data", "datum", "point", "points",
                          "vector", "vectors", "input", "inputs", "code", "codes", "layer", "layers", "neural",
                          "single", "two", "per", "dataset", "term", "terms", "loss", "reconstruction", "scale",
                          "location", "width", "diagonal", "isotropic", "factorized", "factorised", "amortized",
                          "amortised", "inference", "simple", "usual", "usually", "typically", "common", "convention"}
_LISTED_EN = LazyPattern(r"^(?P<head>[^:⟦]*):\s*(?P<list>⟦\d+⟧(?:\s*(?:,|and|,\s*and)\s*⟦\d+⟧)*)\s*\.?\s*$", re.I)
_NOT_A_STATEMENT_EN = LazyPattern(r"\b(?:or|either|nor|except|show|prove|want|exercise|question|problem|claim|"
                                 r"conjecture|case|only|suppose|contradiction|goal|wrong|false|misconception|mistakes?|mistaken|errors?|"
                                 r"erroneous(?:ly)?|incorrect(?:ly)?|typos?|pitfalls?|fallac(?:y|ies)|bogus|flawed|"
                                 r"naive(?:ly)?|confuse[sd]?|confusion)\b|[“”\"?/]",
                                 re.I)
_CJK = matrix_reader.CJK
_NOT_DECLARATIVE_JA = LazyPattern(r"嘘|誤(?!差)|偽|示|証明|思|限ら|または|又は|あるいは|もしくは|か[、。]|か$|か\s*⟦|"
                                 r"[「」『』“”\"/?？()（）]|問|演習|背理|矛盾|たい|べき|ほしい|欲しい|予想|期待|例題|課題|"
                                 r"除|以外|のみ|だけ|限り|範囲|節|章|後述|前述|参照|例えば|たとえば|例として|一例")
_DECLARATIVE_END_JA = LazyPattern(r"(?:とする|とします|である|です|ます|する|ある|だ|る|とおく|と置く|で表す|と表す|と書く)\s*[。．.:：]?\s*$")


# -- declarations a sentence scopes to its section, paragraph or example ("In this section let $\sigma > 0$.",
# "Until the end of this section, ...", "この節では $\sigma > 0$ とする。"): the sentence reader takes the phrase off
# (the rest declares as a plain sentence does) and the scope's end gives back what held before the sentence
SECTION_SCOPE, PARAGRAPH_SCOPE, EXAMPLE_SCOPE = "§section", "§paragraph", "§example"
_SCOPE_NOUNS = {"section": SECTION_SCOPE, "subsection": SECTION_SCOPE, "subsubsection": SECTION_SCOPE,
                "chapter": SECTION_SCOPE, "appendix": SECTION_SCOPE, "part": SECTION_SCOPE,
                "paragraph": PARAGRAPH_SCOPE, "example": EXAMPLE_SCOPE, "節": SECTION_SCOPE, "章": SECTION_SCOPE,
                "項": SECTION_SCOPE, "段落": PARAGRAPH_SCOPE, "例": EXAMPLE_SCOPE,
                # "Temporarily, let ...": for a while the text does not say, taken as its paragraph
                "temporarily": PARAGRAPH_SCOPE, "for now": PARAGRAPH_SCOPE, "for the moment": PARAGRAPH_SCOPE,
                "一時的に": PARAGRAPH_SCOPE, "当面": PARAGRAPH_SCOPE, "差し当たり": PARAGRAPH_SCOPE}
_SCOPE_PHRASE_EN = LazyPattern(
    r"(?:(?:only\s+)?(?:in|within|throughout|for|during)\s+this|throughout\s+the|(?:(?:until|till|up\s+to|to)\s+the\s+end|"
    r"(?:in|for|throughout)\s+the\s+(?:rest|remainder)|for\s+the\s+(?:duration|length))\s+of\s+(?:this|the))\s+"
    r"(?P<noun>(?:sub)*section|chapter|appendix|part|paragraph|example)\b(?:\s+(?:only|alone))?\s*,?\s*", re.I)
_SCOPE_PHRASE_JA = LazyPattern(
    r"(?:この|本)\s*(?P<noun>節|章|項|段落|例)\s*(?:(?:の\s*(?:中|内|残り))?\s*(?:では|で|において(?:は)?|に限り|"
    r"に限って(?:は)?|に限定して|だけで(?:は)?|のみで(?:は)?|内では)|の\s*(?:終わり|終り|最後)\s*まで(?:は)?)\s*[、,]?\s*")
_SCOPE_PHRASE_TEMPORARY = LazyPattern(r"(?P<noun>\btemporarily\b|\bfor\s+now\b|\bfor\s+the\s+moment\b|一時的に|当面|"
                                      r"差し当たり)\s*(?:は)?\s*[,、]?\s*", re.I)
_SETEXT_HEADING = LazyPattern(r"^ {0,3}[^\s#>|-][^\n]*\n {0,3}(?P<rule>=+|-+)[ \t]*$", re.M)  # "Setup\n-----"
_LATEX_HEADING_LEVELS = {"part": 0, "chapter": 1, "section": 2, "subsection": 3, "subsubsection": 4, "paragraph": 5}
_PROSE_AFTER_BLANK = LazyPattern(r"\n[ \t>]*\n\s*(?=\S)")


def _scope_phrases(text: str):
    """The phrases of ``text`` that scope a declaration (an example's only where a statement scope opens for
    it, see _IN_THIS_STATEMENT), with the scope each names."""
    for pattern in (_SCOPE_PHRASE_EN, _SCOPE_PHRASE_JA, _SCOPE_PHRASE_TEMPORARY):
        for found in pattern.finditer(text):
            scope = _SCOPE_NOUNS[" ".join(found.group("noun").lower().split())]
            if scope != EXAMPLE_SCOPE or _IN_THIS_STATEMENT.search(found.group()):
                yield found, scope


def _scope_phrase_at_start(sentence: str) -> re.Match | None:
    """The scoping phrase ``sentence`` opens with, if any."""
    return next((found for found, _ in _scope_phrases(sentence) if found.start() == len(sentence) -
                 len(sentence.lstrip())), None)


def _without_closing_scope_phrase(sentence: str) -> str:
    """``sentence`` without the scoping phrase it ends with ("Let $\\sigma > 0$ in this section."), if any."""
    for found, _ in _scope_phrases(sentence):
        if found.start() > 0 and not sentence[found.end():].strip(" \t\n.。．"):
            return sentence[:found.start()].rstrip(" ,") + sentence[found.end():]
    return sentence


def _headings(prose: str, dialect: str) -> list[tuple[int, int]]:
    """(offset, level) of each heading of ``prose``: a Markdown ``#`` line or a LaTeX sectioning command."""
    if dialect == LATEX:
        return [(m.start(), _LATEX_HEADING_LEVELS.get(re.match(r"\\([a-z]+)", m.group()).group(1), 5))
                for m in _LATEX_HEADING.finditer(prose)]
    found = [(m.start(), len(re.match(r" *(#+)", m.group()).group(1))) for m in _MARKDOWN_HEADING.finditer(prose)]
    found += [(m.start(), 1 if m.group("rule").startswith("=") else 2) for m in _SETEXT_HEADING.finditer(prose)]
    return sorted(found)


def _section_end(headings: list[tuple[int, int]], at: int) -> int | None:
    """Where the section around ``at`` ends: at the next heading of its level or a higher one (of any level where
    no heading comes before ``at``)."""
    enclosing = [level for offset, level in headings if offset < at]
    level = enclosing[-1] if enclosing else None
    return next((offset for offset, heading in headings if offset > at and (level is None or heading <= level)), None)


def _paragraph_end(prose: str, headings: list[tuple[int, int]], regions: list, at: int) -> int | None:
    """Where the paragraph around ``at`` ends: at the next prose after a blank line (a display set off by blank
    lines stays in it), or at a heading."""
    displays = [(start, end) for _, start, end, _, _ in regions]
    ends = [offset for offset, _ in headings if offset > at]
    for blank in _PROSE_AFTER_BLANK.finditer(prose, at):
        if not any(start <= blank.end() < end for start, end in displays):
            ends.append(blank.end())
            break
    return min(ends, default=None)


def _statement_open_at(events: list[tuple[int, bool, int, bool, str]], at: int) -> bool:
    """Whether a statement scope (_StatementScopes) is open at ``at``: it bounds what is declared inside it (a
    label that opens there, "**Example 1.** In this example ...", counts; a sentence's own "in this example" not)."""
    stack: list[tuple[str, bool]] = []
    for offset, opens, after, statement, name in events:
        if offset > at:
            break
        if offset == at and opens and after <= at:
            continue
        if opens:
            stack.append((name, statement))
            continue
        names = [PARAGRAPH if entry.startswith(PARAGRAPH) else "" for entry, _ in stack] if name == PARAGRAPH \
            else [entry for entry, _ in stack]
        if stack and (not name or name in names):
            del stack[len(names) - 1 - names[::-1].index(name) if name else len(names) - 1:]
    return any(statement for _, statement in stack)


def scoped_declaration_events(prose: str, dialect: str, regions: list,
                              events: list[tuple[int, bool, int, bool, str]]) -> list[tuple[int, bool, int, bool, str]]:
    """The events of _StatementScopes for the sentences that scope their declarations to their section or
    paragraph: a scope opens where the sentence starts and closes where the section (the paragraph) ends; none
    where a statement is open (its end comes first) or the scope runs to the end of the text. "In this example"
    outside a statement opens one (_label_marks) that may run on to the next heading: its declarations end with
    the paragraph too, where no label says how far the example goes."""
    headings, added = _headings(prose, dialect), []
    for found, scope in _scope_phrases(prose):
        at = max([end.end() for end in _SENTENCE_START.finditer(prose, 0, found.start())] +
                 [offset + 1 for offset, _ in headings if offset < found.start()], default=0)  # a heading ends one
        if _statement_open_at(events, at):
            continue
        end = _section_end(headings, at) if scope == SECTION_SCOPE else _paragraph_end(prose, headings, regions,
                                                                                         found.end())
        if end is not None:  # (the close is no statement: at a heading it comes before the statements' closes;
            # the opening comes before the example statement _label_marks opens at the same place)
            added += [(at, True, -1, True, scope), (end, False, end, False, scope)]
    for heading in _HEADING_LINE.finditer(prose):  # "## The case $a < 0$": the signs it writes, in its section only
        if "$" not in heading.group() and "\\(" not in heading.group() or not _heading_signs(heading.group()):
            continue
        end = _section_end(headings, heading.start() + 1)
        back = _RETURN_TO_GENERAL.search(prose, heading.end())
        if back is not None and (end is None or back.start() < end):
            end = back.start()  # "**Back to all $N$.**" inside the section: the case ends there
        if end is not None and not _statement_open_at(events, heading.start()):
            added += [(heading.start(), True, -1, True, SECTION_SCOPE), (end, False, end, False, SECTION_SCOPE)]
    return sorted(events + added)


# What may open a sentence without being part of its statement: a list or quote marker, a label set in bold
# or italics ("**Setup.**", "*Assumption 1:*"), and discourse phrases that say where the statement holds
# ("From here on", "In what follows", "For simplicity", "Now"). They are taken off before the sentence's
# shape is read; a label that negates, hedges or poses a problem ("**Wrong:**", "*Exercise.*") makes the
# sentence declare nothing.
_LEADING_MARKER = LazyPattern(r"^\s*(?:(?:>\s*)+|(?:[-*+]|\d+[.)]|\(?(?:[ivx]{1,4}|[a-h])\))\s+)")
_LABEL = LazyPattern(r"^\s*(?P<mark>\*\*|__|\*|_)(?P<label>[^*_⟦\n]{1,60}?)(?P<inside>[.:]?)(?P=mark)"
                    r"(?P<after>\s*(?:\([^()⟦\n]{0,60}\))?\s*[.:]?)\s+")
_BARE_STATEMENT_LABEL = LazyPattern(r"\s*" + _STATEMENT_WORDS + r"(?:\s+[\w.-]{1,8})?\s*(?:\([^()]{0,60}\))?\s*", re.I)
_SAYING_EN = LazyPattern(r"\b(?:says?|said|writes?|wrote|argues?|argued|proposes?|proposed|notes?|noted|asks?|asked|"
                         r"objects?|objected|states?|stated|insists?|insisted|recommends?|recommended|thinks?|thought|"
                         r"believes?|believed|reviewers?|authors?|paper|papers|book|\[\d)\b", re.I)
_PLAIN_LABEL = LazyPattern(r"^\s*(?P<label>[A-Z][A-Za-z0-9-]*(?:\s+[A-Za-z0-9-]+){0,2}):\s+(?=\S)")
_DOCUMENT_PART = (r"(?:section|subsection|chapter|note|notes|post|article|paper|part|derivation|document|notebook|"
                  r"tutorial|page|appendix|lecture|text|blog|write-?up)")
_DISCOURSE_EN = LazyPattern(
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
        if not (label and (label.group("inside") or label.group("after").strip() or
                           _BARE_STATEMENT_LABEL.fullmatch(label.group("label")))):
            label = _PLAIN_LABEL.match(sentence)  # "Setup: let $\sigma > 0$."
        if label:
            if any(pattern.search(label.group("label")) for pattern in (_NEGATION_EN, _HEDGE_EN, _HYPOTHESIS_EN,
                                                                        _NOT_A_STATEMENT_EN, _REPORT_EN, _SAYING_EN)):
                return None  # "The reviewer suggested: let ...", "Kingma writes: ..."
            sentence = sentence[label.end():]
        scoped = _scope_phrase_at_start(sentence)  # "In this section only, ...": its scope ends its hold
        if scoped is not None:
            sentence = sentence[scoped.end():]
        sentence = _without_closing_scope_phrase(sentence)
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
    if _reported(_clauses(part)):
        return set()  # "According to the reviewer, ⟦0⟧ is ...", "In [3], ...", "In an earlier version, ...": a report
    # "The encoder gives ⟦0⟧ with ⟦1⟧, and the prior is ⟦2⟧": each clause in a plain shape declares its formulas
    return {k for clause in _clauses(part) if _declarative(clause) and not _CONDITION_CLAUSE.fullmatch(clause)
            for k in _MARKER.findall(clause)}  # ", with ⟦k⟧, gives": a condition of the next formula (see _moods)


# the lead-ins of a plain declaration, a clause of their own ("For simplicity, let ...", "As usual, ⟦0⟧ is ...")
_PLAIN_LEAD_EN = LazyPattern(
    r"\s*(?:for\s+(?:simplicity|convenience|brevity|clarity|concreteness|notational\s+convenience)|as\s+usual|"
    r"as\s+before|similarly|likewise|finally|first(?:ly)?|second(?:ly)?|next|moreover|furthermore|in\s+addition|"
    r"additionally|concretely|formally|to\s+be\s+(?:concrete|precise)|in\s+particular|namely|i\.e\.|that\s+is|"
    r"in\s+short|on\s+the\s+other\s+hand|by\s+contrast|conversely|instead|in\s+turn|later|now|then|again|"
    r"henceforth|hereafter|from\s+now\s+on|from\s+here\s+on|below|here|in\s+what\s+follows|in\s+the\s+following|"
    r"throughout|also|further|(?:in|within|throughout|for|during)\s+(?:this|the\s+(?:rest|remainder)\s+of\s+(?:this|the))"
    r"\s+[A-Za-z-]+|(?:following|as\s+in|as\s+is\s+(?:usual|customary|standard)\s+in|like)\s+[^,⟦]{1,60}|"
    r"as\s+[^,⟦]{1,40}\s+(?:do|does|did))\s*\.?\s*", re.I)
# what makes a clause a report of someone else's text, after the formulas too ("..., according to the reviewer");
# a citation after them ("..., as in [3]", "(see [3])") follows a convention, it reports nothing
_REPORT_EN = LazyPattern(r"\baccording\b|\breport(?:s|ed)?\b|\bclaim(?:s|ed)?\b|\bsuggest(?:s|ed)?\b|"
                         r"\b(?:earlier|previous|old|first|later)\s+(?:version|draft|edition)|"
                         r"\bretract|\breviewers?\b|\[\^", re.I)


def _reported(clauses: list[str]) -> bool:
    """Whether a sentence reports rather than declares: a clause before its first formula that is neither
    declarative nor a plain lead-in ("According to the reviewer", "In [3]", "In the original paper"), or any
    clause without a formula that says it reports (``_REPORT_EN``)."""
    first = next((i for i, clause in enumerate(clauses) if _MARKER.search(clause)), len(clauses))
    for index, clause in enumerate(clauses):
        if _MARKER.search(clause) or not clause.strip(" ."):
            continue
        if _REPORT_EN.search(clause) or index < first and not (_declarative(clause) or _PLAIN_LEAD_EN.fullmatch(clause)):
            return True
    return False


_FOR_ALL_EN = LazyPattern(r"\bfor\s+(?:all|every|each|any)\s+(?:[A-Za-z]|⟦\d+⟧)(?=[\s,.;:]|$)", re.I)


_REMARK_JA = LazyPattern(r"（([^（）]*)）|\(([^()]*)\)")
_QUOTE_JA = LazyPattern(r"「([^「」]*)」|『([^『』]*)』")


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


# "Let $t > 0$ be the step size", "$\beta > 0$ denotes the noise level", "$t > 0$ (the step size)": a role the
# words give the quantity named right after its formula; its own words do not make the sentence any less plain
_ROLE_NAMING_EN = LazyPattern(r"(?<=⟧)(?P<lead>\s*,?\s*(?:(?:be|is|are|denotes?|as)\s+|\(\s*))(?:the|a|an|our|its|some)\s+"
                              r"(?P<noun>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,5}?)(?P<end>\s*\)|(?=\s*(?:[,.;:]|$)))", re.I)
_NOT_A_ROLE_EN = {"than", "that", "which", "who", "whose", "but", "and", "or", "then", "so", "example", "instance",
                  "counterexample", "candidate", "guess", "hypothesis", "assumption", "test", "trial", "same", "other",
                  "conclusion", "result", "consequence", "aim", "target", "statement", "answer", "condition",
                  "requirement", "constraint", "assertion", "inequality", "thing", "one", "reason", "point"}


def _without_roles(part: str) -> str:
    """``part`` with the roles _ROLE_NAMING_EN reads taken out; a role none of whose words negates, hedges,
    restricts or poses a problem ("be the case", "be a counterexample", "be false" stay)."""
    def plain(m: re.Match) -> str:
        noun = m.group("noun")
        words = noun.lower().split()
        if any(word in _NOT_A_ROLE_EN or word in _RESTRICTIONS_EN for word in words) or any(
                pattern.search(noun) for pattern in (_NEGATION_EN, _HEDGE_EN, _HYPOTHESIS_EN, _NOT_A_STATEMENT_EN)):
            return m.group(0)
        return " be " if "(" not in m.group("lead") else " "
    return _ROLE_NAMING_EN.sub(plain, part)


# "(see [3])", "(cf. Bishop, 2006)", "(following [3])", "(e.g. 60000 for MNIST)": a pointer or an example to where the convention comes from, no clause of
# the sentence ("In [3], let ..." reports, see _reported)
_POINTER_EN = LazyPattern(r"\(\s*(?:see(?:\s+also)?|cf\.?|e\.g\.,?(?![^()]*\d\s*[./]\s*\d)|following|as\s+in)\s+"
                          r"[^()⟦]{1,80}\)", re.I)  # (an example of a value no count takes is not put aside)


def _declarative(part: str) -> bool:
    """Whether ``part`` is made of declarative words alone (and formulas, commas, a final period) and does not
    open as a question."""
    part = _without_roles(_FOR_ALL_EN.sub(" ", _POINTER_EN.sub(" ", part)))  # "$\sigma_j > 0$ for all j"
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
    lead = clause[:m.start("list")]
    if m.re is _AFTER_EN and subject and subject[-1].lower() in _OBJECT_WORDS_EN \
            and re.search(r"[A-Za-z]+\s*$", lead) and (_statement_part(lead) or "").strip():  # "From now on $f$"
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


_BEGIN = LazyPattern(r"^\s*\\begin\s*\{([a-zA-Z*]+)\}")
_PLACEMENT = LazyPattern(r"\s*\[\s*[tbc]\s*\]")
_COLUMN_COUNT = LazyPattern(r"\s*\{\s*\d+\s*\}")
_ANNOTATION = LazyPattern(r"\\(?:label|tag\*?|eqref|ref)\s*\{|\\nonumber\b|\\notag\b")
_NESTED_BEGIN = LazyPattern(r"\\begin\s*\{([a-zA-Z*]+)\}")
_ROW_BREAK = LazyPattern(r"\\\\\*?(?:\s*\[[^\]]*\])?|\\newline\b")
# the math of a text group that goes on with the formula: an operator first (``\text{$+ 1$}``, ``\mbox{$\cdot 2$}``)
_CONTINUING_MATH = LazyPattern(r"\s*(?:\\[,;:! ]|\\q?quad\b|~)*\s*\$(?P<math>\s*(?:\\[,;:! ]\s*)*(?:[-+−=<>]|\\(?:cdot|times|pm|mp|div|"
                               r"leq?|geq?|neq?|ne)\b)[^$]*)\$\s*")
_TEXT_COMMAND = LazyPattern(r"\\(intertext|shortintertext|text|mbox|hbox|textrm|textit|textbf|textsf|texttt|textup|textnormal)"
                           r"\s*(?=\{)")
PROSE_WORDS = {"and", "or", "where", "for", "if", "iff", "hence", "thus", "so", "since", "because", "by", "with",
               "when", "then", "otherwise", "as", "therefore", "also", "all", "any", "each", "every", "some", "while",
               "given", "unless", "provided", "assuming", "whenever", "i.e.", "e.g.", "ie", "eg", "wlog", "resp"}
CONDITION_WORDS = LazyPattern(r"(?:\b(?:for|if|iff|when|whenever|where|with|provided|assuming|given|unless|as long as|"
                             r"such that|s\.t\.|all|every|each|any)|∀|ただし|但し|のとき|の時|ならば|場合)\W*$", re.I)


CONDITION = "condition"  # the math after these words is a condition of the step before it, maybe assumed
_ASSUMED_CONDITION_WORDS = {"for", "all", "every", "each", "any", "real", "if", "iff", "when", "whenever", "where",
                            "with", "provided", "that", "given", "assuming", "as", "long", "so", "such", "s.t", "st",
                            "and",
                            "valid", "holds", "hold", "true", "on", "in", "the", "case"}


_QUALIFIED_LEAD = LazyPattern(r"\b(?:except|excluding|other\s+than|apart\s+from|(?:if|when|for|where)\s+not)\W*$", re.I)
# what follows a condition and takes it back: "$a < 0$ excluded", "$w<0$ を除く", "$a<0$ is not assumed"
_EXCLUDED_AFTER = LazyPattern(
    r"^[\s,;(\[]*(?:(?:is|are|being|be|been|case|cases|values?)\s+)*(?:(?:also|always|hereby)\s+)?"
    r"(?:excluded|excepted|omitted|removed|ruled\s+out|left\s+out|set\s+aside|disregarded|ignored|dropped|"
    r"not\b|never\b|false\b|fails?\b|aside\b|apart\b|impossible\b|isn't\b|aren't\b)"
    r"|^[\s,、(（]*(?:の場合|のとき|の時|の範囲|の値)?\s*(?:を|は|が|も|について(?:は)?|に関して(?:は)?)?\s*"
    r"(?:除|省|扱わ|考えな|考慮しな|含まな|含めな|仮定しな|以外|でな|ではな|じゃな|満たさな|成り立たな|不|無視)", re.I)


# "$$\sqrt{u^2} = u$$ holds whenever $u > 0$.", "$$...,$$ where $s > 0$.", "\end{equation} provided $u > 0$.",
# "$$...$$ は $u > 0$ のとき成り立つ。": the rest of the display's sentence states the condition under which the display
# holds; it is the display's side condition (checked under it) and no declaration for what comes after.
# (a blank line may stand between them: a Markdown display is a paragraph of its own, and the prose after it that
# opens in lower case or with ただし continues its sentence)
_CONTINUES_SENTENCE = LazyPattern(r"\s*(?=\(?[a-z]|[はがをでにとただし但])")
_TRAILING_LEAD = LazyPattern(r"\(?\s*(?:(?:(?:it|this|which|the\s+identity|the\s+equation|the\s+equality|these|they)\s+)?"
                             r"(?:(?:is|are|only|holds?|true|valid|correct|exactly|then|also|here)\s+)*)?"
                             r"(?:whenever|when|where|provided(?:\s+that)?|if|as\s+long\s+as|assuming(?:\s+that)?|"
                             r"given(?:\s+that)?|for(?:\s+(?:all|every|each|any))?|with)\s*"
                             r"(?:(?P<sign>(?:strictly\s+)?(?:positive|negative)|non-?negative|non-?positive|non-?zero)\s+"
                             r"(?:(?:real\s+)?values?\s+of\s+)?)?", re.I)
_TRAILING_LEAD_JA = LazyPattern(r"(?:(?:は|が)\s*)?(?:(?:ただし|但し)\s*[、,]?)?\s*")
_TRAILING_AFTER_JA = LazyPattern(r"\s*(?:のとき|の時|ならば|なら|の場合|において|とする|では)")
_TRAILING_TAIL = LazyPattern(r"\s*\)?\s*(?:(?:only|here|throughout|also)\s*)?(?:[.;]|,\s*(?:and|as|so|by|which|this)\b|$)",
                             re.I)  # "(assuming $u > 0$)."


def _trailing_conditions(document: Document, masked: str, start: int, end: int, qualified: Formula | None) -> str:
    """``masked`` with the sign conditions that the prose ``masked[start:end]`` right after the display
    ``qualified`` writes in the rest of its sentence blanked: declared for that display alone where the words
    say it holds under them ("holds whenever", "where", "provided"), never for what comes after."""
    if qualified is None or not qualified.chains:
        return masked
    lead = _CONTINUES_SENTENCE.match(masked, start, end)
    if lead is None:
        return masked
    cursor, blanked, only_ranges, naming = lead.end(), masked, True, None
    new_paragraph = _BLANK_LINE.search(masked, start, lead.end()) is not None  # then only a whole clause qualifies
    signed: set[str] = set()  # the names the conditions declared, and the index ranges stated beside them
    ranges: list[tuple[str, sp.Set]] = []
    for math_begin, math_end, _, math in _inline_maths(masked[lead.end():end]):
        at, stop = lead.end() + math_begin, lead.end() + math_end
        before, after, written = masked[cursor:at], masked[stop:end], math.strip().rstrip(".,;:").strip()
        stated_range = _trailing_index_range(before, written, only_ranges)
        if stated_range is not None:  # "where $\sigma_i > 0$ for $i = 1, \dots, N$", "for $i = 1, \dots, N$, where"
            ranges.append(stated_range)
            blanked = blanked[:at] + " " * (stop - at) + blanked[stop:]
            cursor = stop
            continue
        first = only_ranges
        only_ranges = False
        before = before.lstrip(" ,") if ranges and first else before
        led = (_TRAILING_LEAD.fullmatch(before) or _TRAILING_LEAD_JA.fullmatch(before)) if first else \
            _TRAILING_AND.fullmatch(before)
        ends = _TRAILING_TAIL.match(after) or _TRAILING_AFTER_JA.match(after) or _TRAILING_AND_AHEAD.match(after) \
            or _TRAILING_RANGE_AHEAD.match(after)
        naming = _TRAILING_NAMING.match(after)  # "where $\sigma > 0$ is the scale": a declaration as well
        word = led.groupdict().get("sign") if first and led is not None else None
        if word:  # "is true for positive $u$": the condition u > 0
            if len(_declared_names(written)) != 1:
                break
            written = f"{written} {_SIGN_WORD_RELATIONS[_sign_word_key(word)]} 0"
        if not _is_sign_condition(written) or not (led and (ends or naming) or first and CONDITION_WORDS.search(before)):
            break
        if new_paragraph and not (led and (ends or naming)):
            break  # "but when $x > 0$," in a paragraph of its own: a case for what follows
        if led and (ends or naming):  # "holds whenever $u > 0$": the display is checked under it
            line = document.where(document.line_of(at))
            entries = dict(qualified.context.symbols), dict(qualified.context.bounded)
            _declare_condition(document, qualified.context, written, f"{line} (a condition of the display before it)")
            signed |= {name for name in set(qualified.context.symbols) | set(qualified.context.bounded)
                       if _sign_entry(qualified.context, name) != (entries[0].get(name), entries[1].get(name))}
        if naming:
            break
        blanked = blanked[:at] + " " * (stop - at) + blanked[stop:]  # "fails when $u > 0$": no declaration either
        cursor = stop
    _scope_trailing_signs(qualified.context, signed, ranges)
    return blanked if naming else _without_unread_conditions(blanked, lead.end(), cursor, end)


_CONDITION_OPENING = LazyPattern(r"\(?\s*(?:(?:for|where|when|whenever|provided|if|assuming|given|with|as\s+long\s+as)\b|"
                                 r"ただし|但し)", re.I)
_CONDITION_SENTENCE_END = LazyPattern(r"[.!?](?=\s|$)|[。．！？]|\n[ \t>]*\n")
_NAMING_WORDS = LazyPattern(r"\b(?:is|are|be|denotes?|stands?\s+for|called|named)\b", re.I)


def _without_unread_conditions(masked: str, begin: int, cursor: int, end: int) -> str:
    """``masked`` with the sign conditions left blanked that a whole sentence continuing a display's writes after
    ``cursor`` ("for $\\sigma > 0$ and every $\\mu$."): a condition of the display above that the words did not let
    _trailing_conditions read, so the display is checked without it, and no declaration for what comes after. A
    sentence that names its symbols ("where $\\sigma$ is the scale") or runs into the next display is read as
    prose."""
    found = _CONDITION_SENTENCE_END.search(masked, begin, end)
    if not _CONDITION_OPENING.match(masked, begin) or found is None or not found.group().strip():
        return masked
    sentence = masked[begin:found.start()]
    if _NAMING_WORDS.search(_INLINE.sub(" ", sentence)):
        return masked
    for math_begin, math_end, _, math in _inline_maths(masked[cursor:found.start()]):
        if _is_sign_condition(math.strip().rstrip(".,;:").strip()):
            at, stop = cursor + math_begin, cursor + math_end
            masked = masked[:at] + " " * (stop - at) + masked[stop:]
    return masked


_TRAILING_RANGE_LEAD = LazyPattern(r"\s*,?\s*(?:for|over)\s+(?:(?:all|each|every)\s+)?", re.I)
_TRAILING_RANGE_AHEAD = LazyPattern(r"\s*,?\s*(?:for|over)\s+(?:(?:all|each|every)\s+)?(?=\$|\\\()", re.I)
_RANGE_INDEX = LazyPattern(r"^\s*(?:[^=<>]*?(?:<|\\le|\\leq)\s*)?(?P<index>[a-z])\s*(?:=|\\in|<|\\le|\\leq)")


def _trailing_index_range(before: str, written: str, leading: bool) -> tuple[str, sp.Set] | None:
    """(the index, the values it takes) of an index range the rest of a display's sentence states ("for $i = 1,
    \\dots, N$"), right after the display's words or a condition; None for any other formula."""
    if not _TRAILING_RANGE_LEAD.fullmatch(before) and not (leading and _TRAILING_LEAD.fullmatch(before)):
        return None
    found = _RANGE_INDEX.match(written)
    listed = _INDEX_RANGE_LIST.fullmatch(written) or _INDEX_BRACKET_N.fullmatch(written)
    if found is None or (listed is None and _is_sign_condition(written)):
        return None
    values = _index_values(written, found.group("index"))
    return (found.group("index"), values) if values != sp.S.EmptySet else None


def _scope_trailing_signs(context: Context, signed: set[str], ranges: list[tuple[str, sp.Set]]) -> None:
    """A condition on an indexed family (``\\sigma_i > 0``) beside an index range holds for the numbered instances
    in that range only (Context.index_ranges)."""
    for name in signed:
        indexed = _INDEXED_NAME.fullmatch(name)
        if indexed is None:
            continue
        covered = sp.S.Integers
        for index, values in ranges:
            if index == indexed.group("index"):
                covered = sp.Intersection(covered, values)
        context.index_ranges = dict(context.index_ranges)
        if covered is not sp.S.Integers:
            context.index_ranges[name] = covered


def _sign_word_key(word: str) -> str:
    """"strictly positive", "non-negative" as the keys of _SIGN_WORD_RELATIONS."""
    return re.sub(r"strictly|[\s-]", "", word.lower())


_SIGN_WORD_RELATIONS = {"positive": ">", "negative": "<", "nonnegative": "\\geq", "nonpositive": "\\leq",
                        "nonzero": "\\neq"}
_TRAILING_NAMING = LazyPattern(r"\s*(?:is|are|denotes?|stands?\s+for)\b", re.I)
_TRAILING_AND = LazyPattern(r"\s*(?:,\s*)?(?:and|かつ|,)\s*", re.I)
_TRAILING_AND_AHEAD = LazyPattern(r"\s*(?:,\s*)?(?:and|かつ)\s*(?=\$|\\\()", re.I)


def _is_sign_condition(written: str) -> bool:
    """``u > 0``, ``s \\geq 1``, ``a \\neq 0``, ``0 < r < 1``, ``a < b``: a sign or an order a condition states."""
    if _SIGN.match(written) or _POSITIVE_SET.match(written) or _sign_of_declaration(written) is not None:
        return True
    return _order_chain(written) is not None


def _excluded_after(text: str) -> bool:
    """Whether the prose right after some math takes it back as a condition (``excluded``, ``を除く``)."""
    return bool(_EXCLUDED_AFTER.search(text))


_REAL_LEAD = LazyPattern(r"\b(?:real|reals|real-valued|fractional|non-?integers?|non-?integral|half-?integers?|"
                         r"continuous)\b|実数|分数|非整数", re.I)


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
                  context: Context, carry: ChainItem | None = None, piece: "_Piece | None" = None) -> Formula:
    text = document.text
    formula = Formula(index, start, end, document.written_span(start, end), [], context.copy())
    masked = list(_without_quote_marks(blank_comments(text[inner_start:inner_end]), text, start))
    if piece is not None:  # a part of a display cut at an \intertext: its environment is the display's
        environment, problem = piece.environment, None
        _blank_piece_environment(masked, piece.environment)
    else:
        environment, problem = _outer_environment(masked, inner_start, text)
    while piece is None and problem is None and environment and _alone("".join(masked)):
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
    if piece is not None and piece.trailing is not None:  # the claims in the \intertext after it: "so $a = b$"
        builder.text_math(*piece.trailing, prose=True)
        builder.chains += builder.pending
        builder.pending = []
    formula.chains = builder.chains
    _apply_side_conditions(document, formula, builder.side_conditions)
    for written in builder.unsized:
        matrix_reader.redeclare_reals(written, formula.context,
                                      f"{document.where(document.line_of(formula.start))}: a condition of the step, {written}")
    formula.last_item = builder.last[-1] if builder.last else None
    segments = [item.segment.tokens for chain in formula.chains for item in chain if item.segment is not None]
    matrix_reader.learn_formula(segments, text, formula.context)  # x^T: x is a vector on every side
    return formula


# -- \intertext{...} and \shortintertext{...}: prose between the rows of an align, read as the prose at its place
# (signs, definitions, values), so the display is cut there into parts, each read as a display of its own; a part
# that opens with a relation continues the row before the prose, as a display after prose does

_INTERTEXT = LazyPattern(r"\\(?:short)?intertext\s*\{")


@dataclass
class _Piece:
    environment: str  # the display's environment ("" for none)
    trailing: tuple[str, int] | None  # the \intertext right after this part: its text and offset


def _split_at_intertext(text: str, masked: str, regions: list) -> tuple[str, list, dict[int, _Piece]]:
    """The regions with each display cut at its top-level \\intertext's, whose text (its command and braces
    blanked) is prose; the parts (by their start) with the environment they are written in."""
    out, split, pieces = list(masked), [], {}
    for region in regions:
        kind, start, end, inner_start, inner_end = region
        written = text[inner_start:inner_end] if kind == "display" else ""
        inner = blank_comments(written) if "intertext" in written else ""
        found = [m for m in _INTERTEXT.finditer(inner) if _at_top(inner, m.start())]
        if not found:
            split.append(region)
            continue
        begin = _BEGIN.match(inner)
        environment = begin.group(1) if begin and begin.group(1) in ENVIRONMENTS_CHAIN else ""
        cursor, outer = inner_start, start
        for m in found:
            close = inner_start + _group_end(inner, m.end() - 1)
            content = (text[inner_start + m.end():close - 1], inner_start + m.end())
            split.append(("display", outer, inner_start + m.start(), cursor, inner_start + m.start()))
            pieces[outer] = _Piece(environment, content)
            for a, b in ((inner_start + m.start(), inner_start + m.end()), (close - 1, close)):
                out[a:b] = " " * (b - a)
            cursor = outer = close
        split.append(("display", outer, end, cursor, inner_end))
        pieces[outer] = _Piece(environment, None)
    return "".join(out), split, pieces


def _at_top(source: str, at: int) -> bool:
    """Whether ``source[at]`` lies outside every brace group and nested environment (the outer one aside)."""
    before = blank_comments(source[:at])
    depth = before.count("{") - before.count("\\{") - (before.count("}") - before.count("\\}"))
    nested = len(re.findall(r"\\begin\s*\{", before)) - len(re.findall(r"\\end\s*\{", before))
    return depth == 0 and nested <= (1 if _BEGIN.match(source) else 0)


def _blank_piece_environment(masked: list[str], name: str) -> None:
    """Blank the display environment's \\begin (with its arguments) in the part that has it, and turn its \\end
    into a row break."""
    if not name:
        return
    source = "".join(masked)
    begin = _BEGIN.match(source)
    if begin is not None and begin.group(1) == name:
        stop = begin.end()
        for pattern in (_PLACEMENT, _COLUMN_COUNT):
            m = pattern.match(source, stop)
            if m and (pattern is _PLACEMENT or name.startswith("alignat")):
                stop = m.end()
        masked[begin.start():stop] = " " * (stop - begin.start())
    ends = list(re.finditer(r"\\end\s*\{" + re.escape(name) + r"\}", source))
    if ends:
        finish = ends[-1]
        masked[finish.start():finish.end()] = "\\\\" + " " * (finish.end() - finish.start() - 2)


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
    if name in CASES_ENVIRONMENTS:
        return "", None  # \begin{cases} ... \end{cases} = ...: a term of the formula, read by the parser
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


_SMALL_GROUP = LazyPattern(r"\\(?:scriptstyle|scriptsize|footnotesize|small|tiny)\s*\{|"
                           r"\{\s*\\(?:scriptstyle|scriptsize|footnotesize|small|tiny)(?![A-Za-z])")
_JUSTIFYING = LazyPattern(r"^\s*[;:(]|\b(?:because|since|by|using|use|from|as|via|apply|applying|definition|def)\b", re.I)


def _without_small_justifications(source: str) -> str:
    for start, end in small_justifications(source):
        source = source[:start] + " " * (end - start) + source[end:]
    return source


def small_justifications(source: str) -> list[tuple[int, int]]:
    r"""The (start, end) of each justification written in small type beside a step (``\scriptstyle{\text{;
    Because }p(z|x) = p(z, x)/p(x)}``, ``{\scriptsize \text{by Bayes}}``): a group that opens with prose holding
    a word that justifies. The author's note, not the step: its math (often in plain letters where the rows
    write bold ones) is not read."""
    found = []
    for m in _SMALL_GROUP.finditer(source):
        end = _group_end(source, m.end() - 1 if m.group().endswith("{") else m.start())
        texts = [(t.start(), _group_end(source, t.end())) for t in _TEXT_COMMAND.finditer(source, m.end(), end)]
        words = re.sub(r"\\[A-Za-z]+\s*\{", " ", " ".join(source[a:b] for a, b in texts))
        if texts and not source[m.end():texts[0][0]].strip() and _JUSTIFYING.search(words):
            found.append((m.start(), end))
    return found


def _blank_annotations(masked: list[str], base: int, builder: "_ChainBuilder") -> None:
    """Blank ``\\label{..}``, ``\\nonumber``, ``\\notag`` and ``\\tag{..}`` (a tag is a name: the math in it,
    if any, is read like the math in a text)."""
    source = "".join(masked)
    for m in _ANNOTATION.finditer(source):
        end = _group_end(source, m.end() - 1) if m.group().endswith("{") else m.end()
        if m.group().startswith("\\tag"):
            tagged = source[m.end():end - 1]  # \tag{$x \ge 0$}: a sign alone in a tag is the step's condition
            alone = re.fullmatch(r"\s*\$([^$]+)\$\s*", tagged)
            signed = alone is not None and _states_a_sign(alone.group(1).strip())
            builder.text_math("for " + tagged if signed else tagged, base + m.end() - (4 if signed else 0))
        masked[m.start():end] = " " * (end - m.start())
    for group_start, group_end in small_justifications("".join(masked)):  # the reason beside a step, in small
        masked[group_start:group_end] = " " * (group_end - group_start)  # type: "\scriptstyle{\text{; Because }...}"
    closing = _CLOSING_PROOF_MARK.search("".join(masked))  # "... = 2 \log \sigma. \quad \square": the proof's end
    if closing:
        masked[closing.start():closing.end()] = " " * (closing.end() - closing.start())


_CLOSING_PROOF_MARK = LazyPattern(r"(?:\\q?quad|\\[,;: ]|~|\s)*(?:[∎□■]|\\(?:qed|qedhere|blacksquare|square|Box)(?![A-Za-z]))"
                                  r"\s*\Z")


def _blank_nested_breaks(masked: list[str]) -> None:
    """A nested environment (``\\begin{cases}``) stays in one row and one column: it is reported whole, and a
    ``cases`` keeps its columns and rows as the marks the reader splits it at (CASE_COLUMN, CASE_ROW)."""
    source = "".join(masked)
    for m in _NESTED_BEGIN.finditer(source):
        finish = _matching_end(source, m.group(1), m.end())
        stop = finish.end() if finish else len(source)
        cases = m.group(1) in CASES_ENVIRONMENTS
        for i in range(m.end(), stop):
            if masked[i] == "&":
                masked[i] = CASE_COLUMN if cases else " "
        for row_break in _ROW_BREAK.finditer(source, m.end(), stop):
            masked[row_break.start():row_break.end()] = (CASE_ROW if cases else " ") * (row_break.end() -
                                                                                         row_break.start())


def _inside_cases(part: str, at: int) -> bool:
    """Whether offset ``at`` lies inside a ``cases`` environment of ``part`` (its conditions are the reader's)."""
    for m in _NESTED_BEGIN.finditer(part, 0, at):
        finish = _matching_end(part, m.group(1), m.end())
        if m.group(1) in CASES_ENVIRONMENTS and (finish is None or at < finish.start()):
            return True
    return False


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
        self.unsized: list[str] = []  # the conditions that make a count no count (``\text{for } N = 1/2``)
        self.row_conditions = 0  # how many side conditions the rows before this one gave

    def row(self, row: str, base: int) -> None:
        first_in_row = True
        self.row_conditions = len(self.side_conditions)
        for column, part_start, part_end in _column_spans(row, self.column_pairs):
            comment_column = column > 0 and (re.search(r"&\s*&\s*$", row[:part_start]) is not None or
                                             row[part_start:part_end].lstrip().startswith("&"))  # a &= b && c
            for piece_tokens, condition in self._pieces(row[part_start:part_end], base + part_start):
                tokens = _without_trailing_punctuation(piece_tokens)
                if all(token.kind == "sym" and token.text in "()[],.;:" for token in tokens):
                    continue  # nothing but the brackets of a comment: ``&& (\text{Jensen})``
                if comment_column and not condition and _sign_condition(self.document, tokens, bracketed=True):
                    condition = CONDITION  # ``|x| = x && x \ge 0``: the comment column states the step's condition
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
        taken_back: list[bool] = []  # whether each text group takes back the condition before it (excluded)
        lead_texts: dict[int, str] = {0: ""}  # the prose of the text group at each cut
        for m in _TEXT_COMMAND.finditer(part):
            if "".join(chars[m.start():m.end()]).strip() == "":
                continue  # inside a text group already blanked
            end = _group_end(part, m.end())
            content = part[m.end() + 1:end - 1]
            continued = _CONTINUING_MATH.fullmatch(content)
            if continued is not None:  # x = x \text{$+ 1$}: it displays x = x + 1, and reads so
                inner = m.end() + 1 + continued.start("math")
                chars[m.start():inner] = " " * (inner - m.start())
                closing = inner + len(continued.group("math"))
                chars[closing:end] = " " * (end - closing)
                continue
            if m.group(1) not in ("intertext", "shortintertext") and not _is_prose(content) \
                    and (constant_word(content) or not _is_comment(part[:m.start()], part[end:])):
                continue  # \text{KL}: a name, read by the parser
            if _inside_group(part, m.start()) or _inside_cases(part, m.start()):
                continue  # \underbrace{...}_{\text{evidence lower bound}}: read with its command; a case's condition
            chars[m.start():end] = " " * (end - m.start())
            self.text_math(content, base + m.end() + 1)
            plain = _INLINE.sub(" ", content)
            if cuts and cuts[-1][1] == CONDITION and _excluded_after(plain):
                cuts[-1] = (cuts[-1][0], plain.strip())  # \text{for } a < 0 \text{ excluded}: never assumed
            taken_back.append(_excluded_after(plain))
            cuts.append((m.start(), _condition_kind(plain, bool(cuts) and cuts[-1][1] == CONDITION)))
            lead_texts[m.start()] = plain
        cleaned = "".join(chars)
        bounds = [0] + [at for at, _ in cuts] + [len(cleaned)]
        conditions = [""] + [condition for _, condition in cuts]
        for (a, b), condition, excluded in zip(zip(bounds, bounds[1:]), conditions, taken_back + [False]):
            tokens = tokenize(cleaned[a:b], base + a)
            pieces = _split_at_separators(tokens)
            for number, piece in enumerate(pieces):
                after_comma = number > 0 and pieces[number - 1][-1].kind == "sym" and pieces[number - 1][-1].text == ","
                side = number > 0 and _sign_condition(self.document, piece, bracketed=not after_comma) is not None
                if (number > 0 or a > 0) and piece:  # "\quad (N = \tfrac{1}{2})", "\text{ at } N = 0.5": beside the step
                    written = self.document.written_span(piece[0].start, piece[-1].end).strip().strip("(),.;")
                    written = re.sub(r"^\\forall\b\s*", "", written)
                    written = written.strip("[]")
                    if number == 0 and _REAL_LEAD.search(lead_texts[a]) or \
                            number == len(pieces) - 1 and _REAL_LEAD.search(lead_texts.get(b, "")):
                        written = f"{written}$ is real$"  # "\text{for all real } N > 0", "N \text{ is half-integer}"
                    self._unsized(written)
                last = number == len(pieces) - 1  # "\quad a < 0 \text{ excluded}": the text takes it back
                yield piece, condition if number == 0 else ("excluded" if side and last and excluded else
                                                            CONDITION if side else "")

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
        unsized = self._unsized(written)
        if condition != CONDITION:  # except for, unless, but not for: never assumed
            self._drop_alternatives(condition)
            self.pending.append([ChainItem(None, None, Unparsed(
                f"a condition (`{written}`) after `{condition}` is not read as one (only a condition after for, if, "
                f"when, where, with, provided, given, assuming is): the step before it is checked without it",
                written, start, end))])
            return
        how = "with the counts it names read as reals" if unsized else "without it"
        self.pending.append([ChainItem(None, None, Unparsed(
            f"a condition (`{written}`) is not used by the checker: the step before it is checked {how}",
            written, start, end))])
        if sign is not None:
            self.side_conditions.append((self.pending[-1], sign, start))

    def _unsized(self, written: str) -> bool:
        """Whether math beside the step (``N = 1/2``, ``N \\in (0, 1)``) speaks of a count as no count: then the
        step is about values no count takes, and its counts are reals for it (noted once in ``unsized``)."""
        if not any(counts_only for *_, counts_only in matrix_reader.withdrawals(f"${written}$")):
            return False
        if f"${written}$" not in self.unsized:
            self.unsized.append(f"${written}$")
        return True

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

    def text_math(self, content: str, base: int, prose: bool = False) -> None:
        """The math inside a text (``\\text{and $a = b$}``, a ``\\tag``): a claim is checked as a chain of its
        own, a condition (after "for", "if", "where", ...) reported; a name (``for all $x$``) says nothing. In
        the ``prose`` of an \\intertext (read as prose at its place) a declaration or definition is no claim."""
        before = (0, "")  # where the math before ends, and what it was (CONDITION after a condition word)
        for start, end, math_start, math in _inline_maths(content):
            tokens = tokenize(math, base + math_start)
            if not any(token.kind == "rel" for token in tokens):
                continue
            if prose and _declared_in_prose(_INLINE.sub(" ", content[:start]), math, content[end:]):
                before = (end, "")
                continue
            joined = _condition_kind(content[before[0]:start], True) if before[1] == CONDITION else ""
            condition = joined or _condition_kind(_INLINE.sub(" ", content[:start]))  # for $a > 0$ and $b > 0$
            if not condition and _CONDITION_AFTER_JA.match(content, end):
                condition = CONDITION  # "また $x > 0$ のとき": the words of the condition come after it
            following = _INLINE.split(content[end:], maxsplit=1)[0] if _INLINE.search(content[end:]) else content[end:]
            if condition == CONDITION and _excluded_after(following):
                condition = following.strip()  # \text{with $a < 0$ excluded}: never assumed
            before = (end, condition)
            if condition and prose:
                continue  # "\intertext{for $x > 0$ we have}": a hypothesis of the prose, for the rows after it
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


_CONDITION_AFTER_JA = LazyPattern(r"\s*(?:のとき|の時|の場合|ならば|なら(?![べさ])|において|に対して)")
_DECLARING_LEAD = LazyPattern(r"\b(?:let|set|take|fix|choose|assume|suppose|define|denote|write|put|where|with|given|"
                             r"assuming|henceforth|now)\b(?:\s+(?:that|instead|again|now|also))*\s*[,:]?\s*$", re.I)


def _declared_in_prose(before: str, math: str, after: str) -> bool:
    """Whether the prose reads an inline formula of an \\intertext as a declaration or definition ("where $c
    := 3$", "now let $t < 0$", "$c = 3$ とする"), not as a claim to check."""
    from mathcheck.audit.prose_definitions import defines_constant, split_definition
    clause = re.split(r"[.;!?。]", before)[-1]
    split = split_definition(math)
    if split is not None and defines_constant(clause, split[1], _INLINE.sub(" ", after)):
        return True
    if _law_changed(clause, math, after):
        return True
    return bool(_DECLARING_LEAD.search(clause)) or bool(re.match(r"\s*(?:と(?:する|し|おく|仮定)|を仮定)", after))


def _law_changed(clause: str, math: str, after: str) -> bool:
    """Whether the words of the sentence around a law (``p(z) = N(z; 0, 4)``, ``\\epsilon \\sim N(0, 4)``) say
    that it replaces the one stated before ("Replace the prior by ...", "Switch to ...", "... に変更する"): a
    declaration, not a claim against the old law."""
    if "\\sim" not in math and _equation_as_law(math) == math:
        return False
    rest = re.split(r"[.;!?。]", _INLINE.sub(" ", after))[0]
    words = f"{clause} {rest}"
    if _NEGATION_EN.search(words.replace("instead", " ")) or _HEDGE_EN.search(words) or _HYPOTHESIS_EN.search(words):
        return False
    return bool(_CHANGE_EN.search(words) or _CHANGE_JA.search(words))


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
    if constant_word(stripped):  # \text{const.}, \text{定数}: the additive constant (audit/check.py)
        return False
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
    elif bracketed and text.endswith(")") and _depth_change_of(text) == -1:
        text = text[:-1].strip()  # "(\text{assuming } u > 0)": the bracket opened before the words
    return text if _states_a_sign(text) else None


def _states_a_sign(text: str) -> bool:
    """``t > 0``, ``0 < s < 1``, ``a \neq 0``, ``a < b``: a sign or an order of names, as written."""
    if _SIGN.match(text) or _POSITIVE_SET.match(text) or _sign_of_declaration(text) is not None:
        return True
    chain = _order_chain(text)  # a < b, 0 < a < b: an order condition
    return chain is not None and sum(kind == "name" for kind, _ in chain[0]) >= 2


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
            _declare_order(written, "", f"{line} (a condition of the step)", "", context, context)
            return (dict(context.symbols), dict(context.bounded)) != before  # a < b, -1 < r < 1
        for name in found[0]:
            context.declare_symbol(name, f"{line} (a condition of the step): {written}", **found[1])
    return (dict(context.symbols), dict(context.bounded)) != before


def _split_at_separators(tokens: list[Token]) -> list[list[Token]]:
    """The tokens split at top-level separators (``\\quad``, ``\\qquad``, ``\\hspace``: kind ``sep``)."""
    pieces: list[list[Token]] = [[]]
    depth, cases = 0, []  # the depths at which a cases environment opened: its \text{otherwise} is its reader's
    for k, token in enumerate(tokens):
        depth += _depth_change(token)
        if token.kind == "cmd" and token.text == "begin" and k + 2 < len(tokens) and \
                tokens[k + 2].text in CASES_ENVIRONMENTS:
            cases.append(depth)
        elif token.kind == "cmd" and token.text == "end" and cases and depth < cases[-1]:
            cases.pop()
        if token.kind == "sep" and not cases:
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
    "≐": "not checked: ≐ (equal up to what?) is read as equal up to an additive constant only where the prose says "
         "constants are dropped",
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
        items.append(ChainItem(relation, _segment(body, relation_token, document),
                               note=relation_token.note if relation_token is not None else ""))
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


_WEIGHT_NAME = LazyPattern(r"\s*(?P<letter>[A-Za-z]|\\[A-Za-z]+)\s*_\s*(?:\{\s*(?P<braced>[a-z])\s*\}|(?P<index>[a-z]))\s*")
_ENGINE_DATA = LazyPattern(r"(?<![\\A-Za-z])X(?![A-Za-z])")


def _importance_weights(document: Document, formula: Formula, context: Context) -> Context:
    """``w_k := \\frac{p(x, z_k)}{q(z_k|x)}`` (or ``=``) defines the importance weights of the samples z_k of the
    encoder q(z|x): for what follows, w_k is positive, ``E_{z_1, \\dots, z_K \\sim q(z|x)}[...]`` is the sums
    engine's expectation over the samples (latex.Parser.sample_expectation), and the data variable x is the
    engine's X (when the document never writes X itself: a renaming of a name that is not otherwise used)."""
    for chain in formula.chains:
        if len(chain) != 2 or chain[1].relation not in (":=", "=") or any(item.segment is None for item in chain):
            continue
        declared = _declared_weights(document, chain[0].segment.source, chain[1].segment.source,
                                     chain[0].segment.start, context)
        if declared is not None:
            return declared
    return context


_INLINE_DEFINITION = LazyPattern(r"\s*(?P<name>[^=:]+?)\s*(?::=|\\coloneqq|\\triangleq|=)\s*(?P<value>.+?)\s*[.,;]?\s*")


def _weights_in_prose(document: Document, math: str, offset: int, context: Context) -> Context:
    """"Let $$w_k := \\frac{p(x, z_k)}{q(z_k|x)}$$ be the importance weights": declared as a display declares them."""
    found = _INLINE_DEFINITION.fullmatch(math)
    if found is None:
        return context
    declared = _declared_weights(document, found.group("name"), found.group("value"), offset, context)
    return declared if declared is not None else context


def _declared_weights(document: Document, name: str, value: str, offset: int, context: Context) -> Context | None:
    """A copy of ``context`` with the importance weights ``name := value`` declared, or None when they are no
    such weights (see :func:`_importance_weights`)."""
    named = _WEIGHT_NAME.fullmatch(name)
    if named is None:
        return None
    letter = named.group("letter").lstrip("\\")
    index = named.group("braced") or named.group("index")
    weight = _weight_parts(value, index)
    if weight is None:
        return None
    data, latent = weight
    declared = context.copy()
    declared.weights[letter] = (data, latent)
    if data != "X" and not _ENGINE_DATA.search(document.text):
        declared.renamed[data] = X
    line = document.where(document.line_of(offset))
    declared.declare_symbol(f"{letter}_{index}", f"{line}: importance weights {name.strip()}", positive=True)
    for number in _weight_instances(document.text, named.group("letter")):  # w_1, w_2: weights too
        declared.declare_symbol(f"{letter}_{number}", f"{line}: importance weights {name.strip()} (the instance "
                                f"{letter}_{number})", positive=True)
    return declared


_WRITTEN_WEIGHT = LazyPattern(r"\\[dt]?frac\s*\{\s*(?P<joint>p\s*\([^{}()]*(?:\{[^{}()]*\}[^{}()]*)*\))\s*\}\s*"
                              r"\{\s*(?P<encoder>q\s*\([^{}()]*(?:\{[^{}()]*\}[^{}()]*)*\))\s*\}")
_SAMPLES_FROM_ENCODER = LazyPattern(r"\\sim\s*q\s*\(")
_WEIGHT_INDEX = LazyPattern(r"_\s*\{?\s*([a-z]|\d+)")
IMPLICIT_WEIGHT = "w"  # the letter of importance weights the document writes out as p(x, z_k)/q(z_k|x)


def _implicit_weights(document: Document, source: str, context: Context) -> Context:
    """An expectation over samples of the encoder written with the ratio itself
    (``E_{z_1, \\dots, z_K \\sim q(z|x)}[\\log \\frac{1}{K} \\sum_k \\frac{p(x, z_k)}{q(z_k|x)}]``) and no weights
    declared: the ratio declares them, as ``w_k := ...`` would, from this display on (the letter w stands for them,
    only where the document never writes a w of its own)."""
    if context.weights or not _SAMPLES_FROM_ENCODER.search(source) or \
            re.search(r"(?<![\\A-Za-z])w(?![A-Za-z])", document.text):
        return context
    for found in _WRITTEN_WEIGHT.finditer(source):
        index = _WEIGHT_INDEX.search(found.group("encoder"))
        weight = None if index is None else \
            _weight_parts(f"\\frac{{{found.group('joint')}}}{{{found.group('encoder')}}}", index.group(1))
        if weight is None:
            continue
        data, latent = weight
        declared = context.copy()
        declared.weights[IMPLICIT_WEIGHT] = (data, latent)
        if data != "X" and not _ENGINE_DATA.search(document.text):
            declared.renamed[data] = X
        declared.declare_symbol(f"{IMPLICIT_WEIGHT}_{index.group(1)}", f"the importance weights "
                                f"{found.group(0).strip()} written out", positive=True)
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
