"""TeX macros: the definitions a document (or a site's MathJax/KaTeX macro file) makes, expanded before reading.

Read definitions: ``\\newcommand{\\name}[n][default]{body}`` (also ``\\renewcommand``, ``\\providecommand``,
starred, and ``\\newcommand\\name...`` without braces), ``\\def\\name#1#2{body}`` (``\\gdef``; delimited
parameters are refused), ``\\DeclareMathOperator{\\op}{text}`` (starred: limits) and ``\\let\\a\\b``.
An invocation is replaced by its body with the arguments put in for ``#1``..``#9`` (an argument is a braced
group, a command or one character, as in TeX; the optional first argument of a ``[default]`` macro is a
``[..]``), and the result is read again (nested macros; a macro may take its arguments from the text after
it). A macro that does not finish expanding (one defined in terms of itself) is an error that names it, after
a bounded number of expansions; the invocation is then left as written.

:func:`expand` returns the expanded text with a map back to the text as written, so that a report shows each
step as the author wrote it while the checker reads it expanded.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from mathcheck.audit.formats import DocumentError, decoded, _read_bytes
from mathcheck.audit.latex import Unparsed, blank_comments, group_end

MAX_EXPANSIONS = 2000  # per invocation written in the text, nested ones included
MAX_GROWTH = 100_000  # characters one invocation may produce
MAX_DEPTH = 200  # expansions open inside one another


@dataclass(frozen=True)
class Macro:
    name: str  # without the backslash
    arity: int
    body: str
    default: str | None = None  # the default of an optional first argument (\newcommand{\f}[2][x]{..})
    origin: str = ""  # where it is defined: "line 3", or the macro file


class MacroError(ValueError):
    """A definition that cannot be read, or an invocation that cannot be expanded."""


DEFINING = {"newcommand", "renewcommand", "providecommand", "def", "gdef", "DeclareMathOperator", "let", "global",
            "long", "require"}
PREFIXES = {"global", "long"}  # \global\def: the definition that follows
_NAME = re.compile(r"\\([A-Za-z]+|[^A-Za-z\s])")
_PARAMETER = re.compile(r"#(#|[1-9])")


# ---------------------------------------------------------------- definitions


def _skip_spaces(text: str, j: int, end: int) -> int:
    while j < end and text[j].isspace():
        j += 1
    return j


def _braced(text: str, j: int, end: int, what: str) -> tuple[str, int]:
    j = _skip_spaces(text, j, end)
    if j >= end or text[j] != "{":
        raise MacroError(f"expected {{...}} for {what}")
    close = group_end(text[:end], j)
    if close is None:
        raise MacroError(f"the {{ of {what} is never closed")
    return text[j + 1:close - 1], close


def _defined_name(text: str, j: int, end: int) -> tuple[str, int]:
    """The name a definition defines: ``{\\name}`` or ``\\name``."""
    j = _skip_spaces(text, j, end)
    if j < end and text[j] == "{":
        inner, after = _braced(text, j, end, "the name")
        m = _NAME.fullmatch(inner.strip())
        if m is None:
            raise MacroError(f"`{inner.strip()}` is not a command name")
        return m.group(1), after
    m = _NAME.match(text, j)
    if m is None or m.end() > end:
        raise MacroError("no command name after the definition")
    return m.group(1), m.end()


def _bracketed(text: str, j: int, end: int) -> tuple[str, int] | None:
    """``[..]`` at ``j`` (after spaces): its content (braces nest) and the offset after it."""
    j = _skip_spaces(text, j, end)
    if j >= end or text[j] != "[":
        return None
    depth, k = 0, j + 1
    while k < end:
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "]" and depth == 0:
            return text[j + 1:k], k + 1
        k += 1
    raise MacroError("a [ is never closed")


def _checked(macro: Macro) -> Macro:
    used = [int(n) for n in _PARAMETER.findall(macro.body) if n != "#"]
    if used and max(used) > macro.arity:
        raise MacroError(f"the body of \\{macro.name} uses #{max(used)} but it takes {macro.arity} argument(s)")
    return macro


def read_definition(text: str, i: int, end: int, origin: str = "",
                    known: dict[str, Macro] | None = None) -> tuple[Macro | None, int, str]:
    """The definition whose command starts at ``text[i] == "\\\\"``: (the macro, the offset after it, how it
    defines: "new", "provide", "let", or "require" for MathJax's ``\\require{..}``, which defines no macro);
    :class:`MacroError` when it cannot be read."""
    m = _NAME.match(text, i)
    command = m.group(1)
    j = m.end()
    if command in PREFIXES:
        following = _NAME.match(text, _skip_spaces(text, j, end))
        if following is None or following.group(1) not in DEFINING - {"require"} or following.end() > end:
            raise MacroError(f"\\{command} must be followed by a definition")
        return read_definition(text, following.start(), end, origin, known)
    if command == "require":  # MathJax loads an extension: it defines nothing the reader knows
        _, after = _braced(text, j, end, "\\require")
        return None, after, "require"
    starred = j < end and text[j] == "*"
    j += starred
    if command in ("newcommand", "renewcommand", "providecommand"):
        name, j = _defined_name(text, j, end)
        arity, default = 0, None
        counted = _bracketed(text, j, end)
        if counted is not None:
            if not re.fullmatch(r"\s*[0-9]\s*", counted[0]):
                raise MacroError(f"the number of arguments of \\{name} must be 0-9, not `{counted[0]}`")
            arity, j = int(counted[0]), counted[1]
            optional = _bracketed(text, j, end)
            if optional is not None:
                if arity == 0:
                    raise MacroError(f"\\{name} has a default argument but takes no arguments")
                default, j = optional
        body, j = _braced(text, j, end, f"the body of \\{name}")
        mode = "provide" if command == "providecommand" else "new"
        return _checked(Macro(name, arity, body, default, origin)), j, mode
    if command in ("def", "gdef"):
        name, j = _defined_name(text, j, end)
        brace = text.find("{", j, end)
        if brace < 0:
            raise MacroError(f"\\{command}\\{name} has no {{body}}")
        parameters = text[j:brace]
        numbers = re.findall(r"#([1-9])", parameters)
        if re.sub(r"#[1-9]|\s", "", parameters) or numbers != [str(k) for k in range(1, len(numbers) + 1)]:
            raise MacroError(f"\\{command}\\{name} with the parameter text `{parameters.strip()}`: only #1#2... "
                             f"(undelimited parameters) is read")
        body, j = _braced(text, brace, end, f"the body of \\{name}")
        return _checked(Macro(name, len(numbers), body, None, origin)), j, "new"
    if command == "DeclareMathOperator":
        name, j = _defined_name(text, j, end)
        operator, j = _braced(text, j, end, f"the text of \\{name}")
        body = f"\\operatorname{'*' if starred else ''}{{{operator}}}"
        return _checked(Macro(name, 0, body, None, origin)), j, "new"
    if command == "let":
        name, j = _defined_name(text, j, end)
        j = _skip_spaces(text, j, end)
        if j < end and text[j] == "=":
            j = _skip_spaces(text, j + 1, end)
        target = _NAME.match(text, j)
        if target is None or target.end() > end:
            raise MacroError(f"\\let\\{name} must name a command to copy")
        copied = (known or {}).get(target.group(1))
        if copied is not None:
            return Macro(name, copied.arity, copied.body, copied.default, origin), target.end(), "let"
        return Macro(name, 0, target.group(), None, origin), target.end(), "let"
    raise MacroError(f"\\{command} is not a definition")


def define(table: dict[str, Macro], macro: Macro | None, mode: str) -> None:
    if macro is None or (mode == "provide" and macro.name in table):
        return
    table[macro.name] = macro


# ---------------------------------------------------------------- the macro file of a site


def read_macro_file(path: str) -> dict[str, Macro]:
    """The macros of a site's MathJax/KaTeX configuration: a JSON map (KaTeX: ``{"\\\\R": "\\\\mathbb{R}"}``,
    arguments counted from the #n in the body; MathJax: ``{"KL": ["\\\\mathrm{KL}(#1 \\\\| #2)", 2]}``, with an
    optional default), possibly under ``"macros"`` or ``"tex": {"macros": ...}``; or a TeX file of definitions.
    :class:`DocumentError` (a one-line message) when it cannot be read."""
    text = decoded(path, _read_bytes(path))
    if os.path.splitext(path)[1].lower() == ".json" or text.lstrip().startswith("{"):
        table = _json_macros(path, text)
    else:
        table = _tex_macros(path, text)
    for macro in table.values():  # a macro that never finishes expanding is an error of the file, named
        trial = "\\" + macro.name + "".join("{x}" for _ in range(macro.arity))
        expanded = expand(trial, [(0, len(trial))], dict(table), lambda offset: path)
        if expanded.problems:
            raise DocumentError(f"{path}: {expanded.problems[0].reason}")
    return table


def _json_macros(path: str, text: str) -> dict[str, Macro]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DocumentError(f"{path}: not a JSON macro map: {str(error).splitlines()[0]}") from None
    if isinstance(data, dict) and isinstance(data.get("tex"), dict):
        data = data["tex"]
    if isinstance(data, dict) and isinstance(data.get("macros"), dict):
        data = data["macros"]
    if not isinstance(data, dict) or not data:
        raise DocumentError(f"{path}: a macro file holds a JSON object of macros, such as "
                            f"{{\"\\\\R\": \"\\\\mathbb{{R}}\"}}")
    table: dict[str, Macro] = {}
    for key, value in data.items():
        name = key[1:] if key.startswith("\\") else key
        if not _NAME.fullmatch("\\" + name):
            raise DocumentError(f"{path}: `{key}` is not a command name")
        table[name] = _json_macro(path, name, value)
    return table


def _json_macro(path: str, name: str, value) -> Macro:
    default = None
    if isinstance(value, str):
        body = value
        used = [int(n) for n in _PARAMETER.findall(body) if n != "#"]
        arity = max(used, default=0)
    elif isinstance(value, list) and 1 <= len(value) <= 3 and isinstance(value[0], str) \
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:2]) \
            and all(isinstance(v, str) for v in value[2:3]):
        body = value[0]
        arity = value[1] if len(value) > 1 else max((int(n) for n in _PARAMETER.findall(body) if n != "#"), default=0)
        default = value[2] if len(value) > 2 else None
        if not 0 <= arity <= 9:
            raise DocumentError(f"{path}: \\{name} takes 0-9 arguments, not {arity}")
    else:
        raise DocumentError(f"{path}: \\{name}: a macro is a string or [body, arguments(, default)], "
                            f"not {json.dumps(value)[:40]}")
    try:
        return _checked(Macro(name, arity, body, default, os.path.basename(path)))
    except MacroError as error:
        raise DocumentError(f"{path}: {error}") from None


def _tex_macros(path: str, text: str) -> dict[str, Macro]:
    text = blank_comments(text)
    table: dict[str, Macro] = {}
    for m in _NAME.finditer(text):
        if m.group(1) not in DEFINING or (m.start() > 0 and _escaped(text, m.start())):
            continue
        line = text.count("\n", 0, m.start()) + 1
        try:
            macro, _, mode = read_definition(text, m.start(), len(text), f"{os.path.basename(path)} line {line}", table)
        except MacroError as error:
            raise DocumentError(f"{path}:{line}: cannot read the definition: {error}") from None
        define(table, macro, mode)
    if not table:
        raise DocumentError(f"{path}: no macro definitions (\\newcommand, \\def, \\DeclareMathOperator) found")
    return table


def _escaped(text: str, i: int) -> bool:
    """Whether the backslash at ``i`` is itself escaped (``\\\\newcommand`` is a row break and a word)."""
    k = i
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (i - k) % 2 == 1


# ---------------------------------------------------------------- expansion


@dataclass
class OffsetMap:
    """From offsets of the expanded text to offsets of the text as written. ``pieces`` are
    (start, end, written_start, written_end, verbatim): a verbatim piece maps one to one, an expansion maps
    all its characters to the invocation it replaces."""

    pieces: list[tuple[int, int, int, int, bool]]
    _starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [piece[0] for piece in self.pieces]

    @classmethod
    def identity(cls, length: int) -> "OffsetMap":
        return cls([(0, length, 0, length, True)])

    def _piece(self, offset: int):
        k = max(0, bisect.bisect_right(self._starts, offset) - 1)
        return self.pieces[k] if self.pieces else (0, 0, 0, 0, True)

    def start(self, offset: int) -> int:
        """The written offset of the expanded character at ``offset``."""
        start, end, written_start, written_end, verbatim = self._piece(offset)
        if verbatim or offset >= end:
            return written_start + (offset - start) if verbatim else written_end
        return written_start

    def end(self, offset: int) -> int:
        """The written offset that ends a span of the expanded text ending (exclusively) at ``offset``."""
        if offset <= 0:
            return self.start(0) if offset == 0 and not self.pieces else 0
        start, end, written_start, written_end, verbatim = self._piece(offset - 1)
        return written_start + (offset - start) if verbatim else written_end

    def expanded(self, written: int) -> int:
        """The expanded offset of a written offset that lies in verbatim text (the nearest one otherwise)."""
        for start, end, written_start, written_end, verbatim in self.pieces:
            if written_start <= written < written_end or (verbatim and written == written_end):
                return start + (written - written_start) if verbatim else start
            if written < written_start:
                return start
        return self.pieces[-1][1] if self.pieces else written


@dataclass
class Expanded:
    text: str
    origin: OffsetMap
    problems: list[Unparsed]  # offsets in the expanded text
    definitions: list[tuple[int, int]]  # the definitions read (blanked in ``text``)
    macros: dict[str, Macro]
    groups: list[tuple[int, bool]] = field(default_factory=list)  # \begin / \end offsets in ``text``, opens?


class _Frame:
    __slots__ = ("text", "pos", "end", "origin", "name")

    def __init__(self, text: str, pos: int, end: int, origin: tuple[int, int] | None, name: str = ""):
        self.text, self.pos, self.end, self.origin, self.name = text, pos, end, origin, name


ENVIRONMENT_GROUPS = {"begin": True, "begingroup": True, "end": False, "endgroup": False}  # opens a group?


class _Rollback(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Expander:
    def __init__(self, text: str, macros: dict[str, Macro], where: Callable[[int], str], grouped: bool = False):
        self.source, self.macros, self.where = text, macros, where
        self.grouped = grouped  # TeX groups: a definition inside {...} holds until the group closes
        self.depth = 0  # the braces of the written text open here
        self.scopes: list[tuple[int, dict[str, Macro]]] = []  # (depth, the macros before the group's first definition)
        self.chunks: list[str] = []
        self.pieces: list[tuple[int, int, int, int, bool]] = []
        self.length = 0
        self.problems: list[Unparsed] = []
        self.definitions: list[tuple[int, int]] = []
        self.groups: list[tuple[int, bool]] = []  # where each environment group opens (True) or closes

    # -- output
    def emit(self, text: str, origin: tuple[int, int], verbatim: bool) -> None:
        if not text:
            return
        start = self.length
        self.length += len(text)
        self.chunks.append(text)
        if self.pieces:
            last = self.pieces[-1]
            if verbatim and last[4] and last[1] == start and last[3] == origin[0]:
                self.pieces[-1] = (last[0], self.length, last[2], origin[0] + len(text), True)
                return
            if not verbatim and not last[4] and last[1] == start and (last[2], last[3]) == origin:
                self.pieces[-1] = (last[0], self.length, last[2], last[3], False)
                return
        end = origin[0] + len(text) if verbatim else origin[1]
        self.pieces.append((start, self.length, origin[0], end, verbatim))

    def copy(self, i: int, j: int) -> None:
        self.emit(self.source[i:j], (i, j), True)

    def _track_groups(self, text: str) -> None:
        """The braces of written text (no command's): a group that closes takes back its local definitions."""
        if not self.grouped:
            return
        for character in text:
            if character == "{":
                self.depth += 1
            elif character == "}":
                self._close_group()

    def _close_group(self) -> None:
        self.depth -= 1
        while self.scopes and self.scopes[-1][0] > self.depth:
            self.macros = self.scopes.pop()[1]

    def _open_scope(self, text: str, k: int) -> bool:
        """Before a definition inside a group: keep the macros to go back to when the group closes; False for
        \\gdef, \\global (global: the scopes that are open get it too)."""
        if text.startswith(("\\gdef", "\\global"), k):
            return False
        if self.grouped and self.depth > 0 and (not self.scopes or self.scopes[-1][0] != self.depth):
            self.scopes.append((self.depth, dict(self.macros)))
        return True

    # -- a span of the written text
    def span(self, start: int, end: int) -> None:
        """Read the written text ``source[start:end]``: its definitions, and its invocations expanded whole."""
        frames = [_Frame(self.source, start, end, None)]
        frame = frames[0]
        while frame.pos < frame.end:
            k = frame.text.find("\\", frame.pos, frame.end)
            k = frame.end if k < 0 else k
            self.copy(frame.pos, k)
            self._track_groups(self.source[frame.pos:k])
            frame.pos = k
            if k >= frame.end:
                continue
            m = _NAME.match(frame.text, k, frame.end)
            if m is None:  # a lone backslash at the end
                self.copy(k, k + 1)
                frame.pos = k + 1
                continue
            name = m.group(1)
            if name in DEFINING and not _escaped(frame.text, k):
                self._definition(frame, k)
            elif self.grouped and name in ENVIRONMENT_GROUPS and not _escaped(frame.text, k):
                self.groups.append((self.length, ENVIRONMENT_GROUPS[name]))
                self.copy(k, m.end())  # every environment is a TeX group, as \begingroup ... \endgroup is
                frame.pos = m.end()
                if ENVIRONMENT_GROUPS[name]:
                    self.depth += 1
                else:
                    self._close_group()
            elif name in self.macros:
                self._top_level(frames, frame, k, m.end(), name)
            else:
                self.copy(k, m.end())
                frame.pos = m.end()

    def _emit_from(self, frame: _Frame, i: int, j: int) -> None:
        if frame.origin is None:
            self.copy(i, j)
        else:
            self.emit(frame.text[i:j], frame.origin, False)

    def _definition(self, frame: _Frame, k: int) -> None:
        try:
            macro, after, mode = read_definition(frame.text, k, frame.end, self.where(k), self.macros)
        except MacroError as error:
            line_end = frame.text.find("\n", k, frame.end)
            shown = frame.text[k:line_end if line_end >= 0 else frame.end].strip()[:80]
            self.problems.append(Unparsed(f"a macro definition that cannot be read: {error}", shown,
                                          self.length, self.length + 1))
            m = _NAME.match(frame.text, k)
            self.copy(k, m.end())
            frame.pos = m.end()
            return
        local = self._open_scope(frame.text, k)
        define(self.macros, macro, mode)
        if not local:  # \gdef in a group: the macros restored when the open groups close have it too
            for _, saved in self.scopes:
                define(saved, macro, mode)
        start = self.length
        self.emit("".join(c if c == "\n" else " " for c in frame.text[k:after]), (k, after), True)
        self.definitions.append((start, self.length))
        frame.pos = after

    def _top_level(self, frames: list[_Frame], frame: _Frame, k: int, name_end: int, name: str) -> None:
        """An invocation written in the text: expanded with everything it expands to, or left as written with
        a problem that names the macro when it does not finish."""
        mark = (len(self.chunks), len(self.pieces), self.length)
        self.count: Counter = Counter()
        self.grown = 0
        try:
            self._invoke(frames, k, name_end, name)
            while len(frames) > 1:
                self._step(frames)
        except _Rollback as error:
            del self.chunks[mark[0]:]
            del self.pieces[mark[1]:]
            self.length = mark[2]
            del frames[1:]
            shown = frame.text[k:name_end]
            self.problems.append(Unparsed(error.reason, shown, self.length, self.length + len(shown)))
            self.copy(k, name_end)
            frame.pos = name_end

    def _step(self, frames: list[_Frame]) -> None:
        """Read on in the innermost expansion (nested macros, and text that needs no expansion)."""
        frame = frames[-1]
        if frame.pos >= frame.end:
            frames.pop()
            return
        k = frame.text.find("\\", frame.pos, frame.end)
        k = frame.end if k < 0 else k
        self._emit_from(frame, frame.pos, k)
        frame.pos = k
        if k >= frame.end:
            return
        m = _NAME.match(frame.text, k, frame.end)
        if m is None:
            self._emit_from(frame, k, k + 1)
            frame.pos = k + 1
        elif m.group(1) in self.macros:
            self._invoke(frames, k, m.end(), m.group(1))
        else:
            self._emit_from(frame, k, m.end())
            frame.pos = m.end()

    def _invoke(self, frames: list[_Frame], k: int, name_end: int, name: str) -> None:
        macro = self.macros[name]
        self.count[name] += 1
        if self.count[name] > MAX_EXPANSIONS or len(frames) > MAX_DEPTH:
            raise _Rollback(f"the macro \\{name} does not finish expanding (expanded {self.count[name] - 1} times, "
                            f"{len(frames) - 1} deep): it is defined in terms of itself ({macro.origin})")
        frame = frames[-1]
        low, high = self._origin(frame, k, name_end)
        frame.pos = name_end
        reader = _ArgumentReader(frames, self)
        arguments = []
        if macro.default is not None:
            optional = reader.optional()
            arguments.append(macro.default if optional is None else optional)
        while len(arguments) < macro.arity:
            argument = reader.argument()
            if argument is None:
                raise _Rollback(f"the macro \\{name} takes {macro.arity} argument(s), but the formula ends after "
                                f"{len(arguments)} ({macro.origin})")
            arguments.append(argument)
        low, high = min(low, reader.low), max(high, reader.high)
        body = _PARAMETER.sub(lambda m: _parameter(m.group(1), arguments), macro.body)
        if re.search(r"\\[A-Za-z]+$", body):
            body += " "  # \newcommand{\lg}{\log}: \lg{x}y must not become \logy
        self.grown += len(body)
        if self.grown > MAX_GROWTH:
            raise _Rollback(f"the macro \\{name} does not finish expanding (more than {MAX_GROWTH} characters): "
                            f"it is defined in terms of itself ({macro.origin})")
        # the invocation's written span, as seen from the outermost written text
        frames.append(_Frame(body, 0, len(body), (low, high), name))

    def _origin(self, frame: _Frame, i: int, j: int) -> tuple[int, int]:
        return (i, j) if frame.origin is None else frame.origin


def _parameter(which: str, arguments: list[str]) -> str:
    """What ``#which`` in a body stands for: ``##`` is ``#``; ``#n`` the n-th argument (a body that uses more
    than its arguments is refused when it is defined; a copy made by ``\\let`` keeps the ``#``)."""
    if which == "#":
        return "#"
    number = int(which)
    return arguments[number - 1] if number <= len(arguments) else "#" + which


class _ArgumentReader:
    """Reads the arguments of an invocation from the text after it, across the expansions it sits in."""

    def __init__(self, frames: list[_Frame], expander: _Expander):
        self.frames, self.expander = frames, expander
        self.low, self.high = 1 << 62, -1

    def _frame(self) -> _Frame | None:
        while len(self.frames) > 1 and self.frames[-1].pos >= self.frames[-1].end:
            self.frames.pop()
        frame = self.frames[-1]
        return frame if frame.pos < frame.end else None

    def _take(self, frame: _Frame, count: int) -> str:
        text = frame.text[frame.pos:frame.pos + count]
        low, high = (frame.pos, frame.pos + count) if frame.origin is None else frame.origin
        self.low, self.high = min(self.low, low), max(self.high, high)
        frame.pos += count
        return text

    def _skip_spaces(self) -> _Frame | None:
        while True:
            frame = self._frame()
            if frame is None or not frame.text[frame.pos].isspace():
                return frame
            self._take(frame, 1)

    def argument(self) -> str | None:
        frame = self._skip_spaces()
        if frame is None:
            return None
        c = frame.text[frame.pos]
        if c == "{":
            return self._group("{", "}")
        if c == "\\":
            m = _NAME.match(frame.text, frame.pos, frame.end)
            return self._take(frame, m.end() - frame.pos if m else 1)
        if c == "}":
            return None  # the group the invocation stands in ends: no argument
        return self._take(frame, 1)

    def optional(self) -> str | None:
        frame = self._skip_spaces()
        if frame is None or frame.text[frame.pos] != "[":
            return None
        return self._group("[", "]")

    def _group(self, opening: str, closing: str) -> str | None:
        """The content of a ``{..}`` (or ``[..]``, braces nesting inside) group, across frames."""
        parts, depth = [], 0
        frame = self._frame()
        self._take(frame, 1)
        while True:
            frame = self._frame()
            if frame is None:
                return None
            c = frame.text[frame.pos]
            if c == "\\":
                parts.append(self._take(frame, min(2, frame.end - frame.pos)))
                continue
            if c == "{":
                depth += 1
            elif c == "}" and (depth > 0 or closing == "}"):
                if depth == 0:
                    self._take(frame, 1)
                    return "".join(parts)
                depth -= 1
            elif c == closing and depth == 0:
                self._take(frame, 1)
                return "".join(parts)
            parts.append(self._take(frame, 1))


def expand(text: str, spans: list[tuple[int, int]], macros: dict[str, Macro],
           where: Callable[[int], str], grouped: bool = False) -> Expanded:
    """``text`` with the definitions in ``spans`` read (and blanked) and the macros in ``spans`` expanded, in
    reading order (a definition holds from where it is made). ``macros`` (copied) are defined before the text;
    ``where(offset)`` names the place of a definition for the report."""
    expander = _Expander(text, dict(macros), where, grouped)
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        expander.copy(cursor, start)
        expander.span(start, end)
        cursor = end
    expander.copy(cursor, len(text))
    expanded = "".join(expander.chunks)
    origin = OffsetMap(expander.pieces or [(0, 0, 0, 0, True)])
    return Expanded(expanded, origin, expander.problems, expander.definitions, expander.macros, expander.groups)


__all__ = ["Macro", "MacroError", "OffsetMap", "Expanded", "expand", "read_definition", "read_macro_file",
           "DEFINING"]
