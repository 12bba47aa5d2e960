"""The files ``mathcheck audit`` reads, and the text it reads from each.

A file is read by its extension, as Markdown tools and TeX editors do:

- Markdown (``.md``, ``.markdown``, ``.mdown``, ``.mkd``, ``.mkdn``, and R Markdown / Quarto ``.rmd``,
  ``.qmd``): the file's text.
- LaTeX (``.tex``, ``.ltx``, ``.latex``): the file's text, read in the LaTeX dialect: ``%`` comments and
  verbatim environments are not read, backticks are quote marks (not code spans), and in the prose the
  structure commands (``\\section{..}``, ``\\begin{theorem}``, ``\\item``, ``\\noindent``) end a sentence.
- Jupyter notebooks (``.ipynb``): the Markdown cells, in order, each read on its own (a ``$$`` never spans
  two cells) and each at its line of the JSON file, so that a step's line is a line of the file; the report
  names the cell (its number among all cells, code cells included, counted from 1) and the line in it.

A file with another extension (or none) is read as Markdown only when it plainly is Markdown (it has
front matter, a heading, a fence or a ``$$`` display, and nothing of a LaTeX document or a JSON file);
otherwise it is refused with a one-line error naming the formats, since guessing would misread it.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass, field
from json.decoder import scanstring


class DocumentError(Exception):
    """The file cannot be read as a document."""


MARKDOWN, LATEX, NOTEBOOK = "markdown", "latex", "notebook"
SUFFIXES = {".md": MARKDOWN, ".markdown": MARKDOWN, ".mdown": MARKDOWN, ".mkd": MARKDOWN, ".mkdn": MARKDOWN,
            ".rmd": MARKDOWN, ".qmd": MARKDOWN, ".tex": LATEX, ".ltx": LATEX, ".latex": LATEX, ".ipynb": NOTEBOOK}
KNOWN = "Markdown (.md, .markdown), LaTeX (.tex) and Jupyter notebooks (.ipynb)"


@dataclass(frozen=True)
class CellLine:
    """Where a line of a notebook's text is: its cell (numbered from 1 among all cells), its line in that
    cell (from 1), and the line of the JSON file that holds it."""

    cell: int
    line: int
    file_line: int


@dataclass
class Source:
    """A document as the audit reads it: ``text`` (what the author wrote: the file, or a notebook's Markdown
    cells laid out at their lines), the dialect it is written in, and for a notebook where each line is."""

    path: str
    text: str
    kind: str = MARKDOWN
    chunks: list[tuple[int, int]] = field(default_factory=list)  # spans read on their own (notebook cells)
    cells: dict[int, CellLine] = field(default_factory=dict)  # notebook: line of ``text`` -> where it is

    def __post_init__(self) -> None:
        if not self.chunks:
            self.chunks = [(0, len(self.text))]

    @property
    def dialect(self) -> str:
        return LATEX if self.kind == LATEX else MARKDOWN

    def cell_of(self, line: int) -> CellLine | None:
        return self.cells.get(line)

    def where(self, line: int) -> str:
        """``line 7``, or in a notebook ``cell 3, line 2``."""
        place = self.cells.get(line)
        return f"cell {place.cell}, line {place.line}" if place else f"line {line}"


def kind_of(path: str) -> str | None:
    return SUFFIXES.get(os.path.splitext(path)[1].lower())


def read_source(path: str) -> Source:
    """The document at ``path``; :class:`DocumentError` when it cannot be read or is of no known kind."""
    text = decoded(path, _read_bytes(path))
    kind = kind_of(path)
    if kind is None:
        if not plainly_markdown(text):
            suffix = os.path.splitext(path)[1]
            what = f"extension {suffix}" if suffix else "no extension"
            raise DocumentError(f"{path}: unknown file type ({what}): mathcheck audit reads {KNOWN}; "
                                f"rename the file with the extension of its format")
        kind = MARKDOWN
    return source_from_text(path, text, kind)


def source_from_text(path: str, text: str, kind: str | None = None) -> Source:
    """The document ``text`` read as ``kind`` (by default: by the extension of ``path``, Markdown if unknown)."""
    kind = kind or kind_of(path) or MARKDOWN
    text = normalized_line_ends(text)
    if kind == NOTEBOOK:
        return notebook_source(path, text)
    return Source(path, text, kind)


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}: is a directory, not a document") from None
    except OSError as error:
        raise DocumentError(f"{path}: cannot read: {error.strerror or error}") from None


def decoded(path: str, data: bytes) -> str:
    if b"\0" in data:
        raise DocumentError(f"{path}: a binary file, not a text document")
    try:
        return normalized_line_ends(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path}: not UTF-8 text (byte {error.start}): a binary file?") from None


def normalized_line_ends(text: str) -> str:
    """``\\r\\n`` and a lone ``\\r`` as ``\\n``: one line end each, so the line numbers stay those of the file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_MARKDOWN_SIGNS = re.compile(r"\A---[ \t]*\n|^ {0,3}#{1,6}[ \t]|^ {0,3}(?:```|~~~)|\$\$", re.M)
_LATEX_DOCUMENT = re.compile(r"\\documentclass\b|\\begin\s*\{document\}|\\(?:sub)*section\*?\s*\{")


def plainly_markdown(text: str) -> bool:
    """Whether a file of unknown extension is plainly Markdown with math: Markdown's front matter, a heading,
    a fence or a ``$$`` display, and no sign of a LaTeX document or a JSON file."""
    if text.lstrip().startswith(("{", "[")) or _LATEX_DOCUMENT.search(text):
        return False
    return bool(_MARKDOWN_SIGNS.search(text))


# ---------------------------------------------------------------- notebooks


class _At(str):
    """A JSON string with the offset of its opening quote in the file."""

    offset: int


def notebook_source(path: str, text: str) -> Source:
    """The Markdown cells of a notebook, each line placed at the line of the JSON file that holds it (so a
    step's line is a line of the file) and at least one blank line after the cell before."""
    try:
        json.loads(text)
        notebook, _ = _located(text, 0)
    except (ValueError, RecursionError) as error:
        raise DocumentError(f"{path}: not a Jupyter notebook: the JSON cannot be read ({_short(error)})") from None
    cells = _cells(path, notebook)
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    pieces: list[str] = []
    places: dict[int, CellLine] = {}
    chunks: list[tuple[int, int]] = []
    line, offset = 1, 0  # the next line of the layout, and its offset
    for number, cell in cells:
        if cell.get("cell_type") not in ("markdown", "heading"):
            continue
        lines = _cell_lines(path, number, cell, newlines)
        if not lines:
            continue
        if cell.get("cell_type") == "heading":  # nbformat 3: a heading cell is a heading of its level
            level = cell.get("level") if isinstance(cell.get("level"), int) else 1
            lines[0] = ("#" * max(1, min(level, 6)) + " " + lines[0][0], lines[0][1])
        # the cell's first line at its line of the file (after a blank line that ends the cell before); the
        # others follow it, one a line, so that nothing inside a cell is cut by padding
        first = max(lines[0][1], line + 1 if pieces else line)
        pieces.append("\n" * (first - line))
        offset += first - line
        line, start = first, offset
        for index, (content, file_line) in enumerate(lines):
            places[line] = CellLine(number, index + 1, file_line)
            pieces.append(content + "\n")
            offset += len(content) + 1
            line += 1
        chunks.append((start, offset))
    joined = "".join(pieces)
    return Source(path, joined, NOTEBOOK, chunks or [(0, len(joined))], places)


def _short(error: Exception) -> str:
    return str(error).split("\n", 1)[0][:100]


def _cells(path: str, notebook) -> list[tuple[int, dict]]:
    """(number from 1, cell) of every cell: nbformat 4 ``cells``, or nbformat 3 ``worksheets[].cells``."""
    if not isinstance(notebook, dict):
        raise DocumentError(f"{path}: not a Jupyter notebook: no \"cells\" list")
    if isinstance(notebook.get("cells"), list):
        cells = notebook["cells"]
    elif isinstance(notebook.get("worksheets"), list):
        cells = [cell for sheet in notebook["worksheets"] if isinstance(sheet, dict)
                 for cell in (sheet.get("cells") or [])]
    else:
        raise DocumentError(f"{path}: not a Jupyter notebook: no \"cells\" list")
    if not all(isinstance(cell, dict) for cell in cells):
        raise DocumentError(f"{path}: not a Jupyter notebook: a cell is not a JSON object")
    return list(enumerate(cells, 1))


def _cell_lines(path: str, number: int, cell: dict, newlines: list[int]) -> list[tuple[str, int]]:
    """The lines of a cell's source, each with the line of the JSON file on which it is written."""
    source = cell.get("source", cell.get("input", ""))
    parts = [source] if isinstance(source, str) else source
    if not isinstance(parts, list) or not all(isinstance(part, str) for part in parts):
        raise DocumentError(f"{path}: not a Jupyter notebook: the source of cell {number} is not text")
    lines: list[tuple[str, int]] = []
    pending = ""  # the start of a line that continues in the next part
    pending_line = 0
    for part in parts:
        file_line = bisect.bisect_left(newlines, getattr(part, "offset", 0)) + 1
        pieces = normalized_line_ends(part).split("\n")
        for k, piece in enumerate(pieces):
            if k == 0 and pending:
                piece, line_of_piece = pending + piece, pending_line
            else:
                line_of_piece = file_line
            if k < len(pieces) - 1:
                lines.append((piece, line_of_piece))
                pending = ""
            else:
                pending, pending_line = piece, line_of_piece
    if pending:
        lines.append((pending, pending_line))
    return lines


_SPACE = re.compile(r"[ \t\n\r]*")


def _located(text: str, i: int):
    """The JSON value at ``text[i:]`` (already known to be valid JSON) and the offset after it; every string
    is an :class:`_At` that knows its offset."""
    i = _SPACE.match(text, i).end()
    c = text[i]
    if c == "{":
        value, i = {}, _SPACE.match(text, i + 1).end()
        if text[i] == "}":
            return value, i + 1
        while True:
            key, i = scanstring(text, _SPACE.match(text, i).end() + 1)
            i = _SPACE.match(text, i).end() + 1  # the colon
            value[key], i = _located(text, i)
            i = _SPACE.match(text, i).end()
            if text[i] == "}":
                return value, i + 1
            i += 1  # the comma
    if c == "[":
        items, i = [], _SPACE.match(text, i + 1).end()
        if text[i] == "]":
            return items, i + 1
        while True:
            item, i = _located(text, i)
            items.append(item)
            i = _SPACE.match(text, i).end()
            if text[i] == "]":
                return items, i + 1
            i += 1
    if c == '"':
        string, end = scanstring(text, i + 1)
        located = _At(string)
        located.offset = i
        return located, end
    value, end = json.JSONDecoder().raw_decode(text, i)
    return value, end


# ---------------------------------------------------------------- LaTeX prose

_VERBATIM = re.compile(r"\\begin\s*\{(verbatim\*?|Verbatim|lstlisting|minted|comment|filecontents\*?)\}")
_VERB = re.compile(r"\\verb\*?([^A-Za-z\s*])")


def latex_reading_text(text: str) -> str:
    """A LaTeX text with what LaTeX does not typeset as math or prose blanked (offsets and lines unchanged):
    ``%`` comments, verbatim environments and ``\\verb|..|``."""
    from mathcheck.audit.latex import blank_comments

    out = list(blank_comments(text))
    for pattern in (_VERBATIM, _VERB):
        for m in pattern.finditer(text):
            if pattern is _VERB:
                close = text.find(m.group(1), m.end())
                stop = len(text) if close < 0 else close + 1
            else:
                finish = re.compile(r"\\end\s*\{" + re.escape(m.group(1)) + r"\}").search(text, m.end())
                stop = len(text) if finish is None else finish.end()
            out[m.start():stop] = [c if c == "\n" else " " for c in text[m.start():stop]]
    for start, stop in _false_conditionals("".join(out)):
        out[start:stop] = [c if c == "\n" else " " for c in text[start:stop]]
    return "".join(out)


_CONDITIONAL = re.compile(r"\\(?:(?P<false>iffalse|if\s*0)(?![A-Za-z])|(?P<fi>fi)(?![A-Za-z])|(?P<else>else)(?![A-Za-z])|"
                          r"(?P<if>if[A-Za-z]*)(?![A-Za-z]))")


def _false_conditionals(text: str) -> list[tuple[int, int]]:
    """The spans of ``\\iffalse ... \\fi`` (and ``\\if0``; up to an ``\\else``): TeX never reads them. The conditionals nested
    inside count, so the span ends at the ``\\fi`` that closes it (or at the end of the text)."""
    spans, opened, depth = [], None, 0
    for m in _CONDITIONAL.finditer(text):
        if opened is None:
            if m.group("false"):
                opened, depth = m.start(), 1
        elif m.group("fi") or (m.group("else") and depth == 1):  # the \\else branch is read
            depth -= 1 if m.group("fi") else 0
            if depth == 0 or m.group("else"):
                spans.append((opened, m.end()))
                opened = None
        elif m.group("if"):
            depth += 1
    return spans + ([(opened, len(text))] if opened is not None else [])


BOUNDARY = "\u2029"  # a paragraph separator in a prose view: a sentence ends there

_STRUCTURE = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph", "title",
              "author", "date", "caption", "label", "begin", "end", "item", "maketitle", "tableofcontents", "noindent",
              "indent", "par", "medskip", "bigskip", "smallskip", "newpage", "clearpage", "centering", "vspace",
              "vskip", "footnote", "appendix", "bibliography", "bibliographystyle", "input", "include",
              "documentclass", "usepackage", "thanks", "abstract", "newline", "linebreak", "pagebreak")
_STRUCTURE_COMMAND = re.compile(r"\\(?:" + "|".join(_STRUCTURE) + r")\b\*?")
_FORMATTING = re.compile(r"\\(?:emph|textbf|textit|textsl|textsc|textup|textrm|textsf|texttt|underline|textnormal)"
                         r"\s*\{")


def latex_prose(prose: str, math: list[tuple[int, int]] = ()) -> str:
    """The prose of a LaTeX text as the sentence reader sees it (same length): a structure command with its
    arguments (``\\section{Setup}``, ``\\begin{lemma}[Bound]``, ``\\item``, ``\\noindent``) ends a sentence
    (and the math in its arguments is no declaration); outside the inline ``math`` spans, ``\\emph{concave}``
    is the word concave, ``~`` a space, and ``..'' quote marks."""
    from mathcheck.audit.latex import group_end

    out = list(prose)
    for m in _STRUCTURE_COMMAND.finditer(prose):
        stop = _arguments_end(prose, m.end(), group_end)
        out[m.start():stop] = [c if c == "\n" else " " for c in prose[m.start():stop]]
        out[m.start()] = BOUNDARY
    inside = [False] * len(prose)
    for a, b in math:
        inside[a:b] = [True] * (b - a)
    for m in _FORMATTING.finditer(prose):
        close = group_end(prose, m.end() - 1)
        if close is not None and not inside[m.start()]:
            out[m.start():m.end()] = " " * (m.end() - m.start())
            out[close - 1] = " "
    for m in re.finditer(r"``|''|(?<!\\)~|\\[ ,;:!@/]|\\\\(?:\[[^\]\n]*\])?", prose):
        if not inside[m.start()] and out[m.start()] == prose[m.start()]:
            shown = {"``": "“ ", "''": "” "}.get(m.group(), " " * len(m.group()))
            out[m.start():m.end()] = shown
    return "".join(out)


def _arguments_end(text: str, i: int, group_end) -> int:
    """The offset after the ``[..]`` and ``{..}`` arguments that follow a command at ``text[i:]``."""
    while True:
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "{":
            end = group_end(text, j)
            if end is None:
                return i
            i = end
        elif j < len(text) and text[j] == "[":
            close = text.find("]", j)
            if close < 0 or "\n\n" in text[j:close]:
                return i
            i = close + 1
        else:
            return i


_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t][^\n]*)?$|^ {0,3}(?:=+|-+)[ \t]*$", re.M)


def markdown_prose(prose: str) -> str:
    """The prose of a Markdown text as the sentence reader sees it (same length): a heading line (ATX, or a
    setext underline) is a sentence of its own, never part of the sentence under it."""
    out = list(prose)
    for m in _HEADING.finditer(prose):
        out[m.start():m.end()] = " " * (m.end() - m.start())
        if m.end() < len(prose):
            out[m.end()] = BOUNDARY  # the line end after the heading
        if m.start() > 0:
            out[m.start() - 1] = BOUNDARY
    return "".join(out)


__all__ = ["DocumentError", "Source", "CellLine", "read_source", "source_from_text", "kind_of", "plainly_markdown",
           "latex_reading_text", "latex_prose", "markdown_prose", "BOUNDARY", "MARKDOWN", "LATEX", "NOTEBOOK"]
