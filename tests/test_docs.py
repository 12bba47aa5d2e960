"""The examples of the documentation (``docs/*.md``), executed, so that the pages cannot go stale.

The pages use two kinds of executable blocks (``docs/index.md`` says the same for writers):

- A ```` ```pycon ```` block is a doctest session: ``>>> `` and ``... `` lines, then the expected output.
  All the sessions of one page form one doctest (one namespace, in page order), run with
  ``ELLIPSIS | NORMALIZE_WHITESPACE`` as ``doctest.testfile`` would run the page, except that the fence
  lines are blanked first (doctest would otherwise read a closing fence as expected output).
- A ```` ```console ```` block is a shell session. Each ``$ mathcheck ARGS`` (or ``$ python -m mathcheck
  ARGS``) line is run in-process as ``mathcheck.cli.main(shlex.split(ARGS))``; the lines up to the next
  ``$ `` line are its expected output, compared with what it printed (stdout, then stderr, then any Python
  warning as the interpreter would print it) the way doctest compares: ``...`` matches any text, within a
  line or across lines, and runs of whitespace compare equal. ``$ echo $?`` and a number on the next line
  state the exit code of the command before; a command whose block states none must exit 0. The files a
  command names with ``--out``, ``--plot`` or ``--save`` must exist afterwards, and nothing else may appear
  in its working directory (a command-line tool must not litter, issue 13). Any other command in a
  console block is an error of the page.

Both run in a scratch directory that holds a link ``docs`` to the repository's ``docs/``: the pages' paths
(``docs/examples/elbo.md``) resolve as from the repository root, and what the examples write stays out
of the checkout. A block that follows the line ``<!-- docs-test: not executed: REASON -->`` is not run;
there may be at most one in all the pages, with its reason (``MAX_UNEXECUTED``). No block is marked so at
present: the most expensive example, ``mathcheck vae`` with one epoch, runs in a few seconds.
Blocks of any other language (``text`` for synopses, ``yaml``, ``bash`` for installs) are not run; a
``bash`` block must not call mathcheck, since an example there would never be checked.
"""
from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = ("index.md", "python-api.md", "audit.md", "check-code.md", "plots.md", "vae.md", "ci.md")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
OUTPUT_OPTIONS = ("--out", "--plot", "--save")
NOT_EXECUTED = re.compile(r"^<!-- docs-test: not executed: (?P<reason>.+\S) -->$")
MAX_UNEXECUTED = 1


@dataclass(frozen=True)
class Block:
    page: str
    language: str
    line: int  # of the first line inside the fence, 1-based
    lines: tuple[str, ...]
    executed: bool
    reason: str = ""


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    text: str
    argv: tuple[str, ...]
    expected: str
    exit_code: int
    outputs: tuple[str, ...]  # the files it names with --out, --plot or --save

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def blocks_of(page: str) -> list[Block]:
    """The fenced blocks of a page, with their language and whether the page marks them not executed."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = re.match(r"^```\s*([\w-]*)", lines[index])
        if not opening:
            index += 1
            continue
        end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), None)
        assert end is not None, f"{page}:{index + 1}: a code fence that is never closed"
        marker = NOT_EXECUTED.match(lines[index - 1].strip()) if index else None
        blocks.append(Block(page, opening.group(1), index + 2, tuple(lines[index + 1:end]), marker is None,
                            marker.group("reason") if marker else ""))
        index = end + 1
    return blocks


def all_blocks() -> list[Block]:
    return [block for page in PAGES if (DOCS / page).exists() for block in blocks_of(page)]


def commands_of(block: Block) -> list[Command]:
    """The commands of a console block, each with its expected output and exit code."""
    commands: list[Command] = []
    index = 0
    while index < len(block.lines):
        where = f"{block.page}:{block.line + index}"
        line = block.lines[index]
        assert line.startswith("$ "), f"{where}: a console block must start with a `$ ` command line"
        text = line[2:].strip()
        output_end = next((j for j in range(index + 1, len(block.lines)) if block.lines[j].startswith("$ ")),
                          len(block.lines))
        output = [row.rstrip() for row in block.lines[index + 1:output_end]]
        if text == "echo $?":
            assert commands and len(output) == 1 and output[0].strip().isdigit(), \
                f"{where}: `$ echo $?` needs a command before it and one exit code after it"
            commands[-1] = _with_exit_code(commands[-1], int(output[0]))
        else:
            commands.append(_command(block.page, block.line + index, text, output))
        index = output_end
    return commands


def _with_exit_code(command: Command, code: int) -> Command:
    return Command(command.page, command.line, command.text, command.argv, command.expected, code,
                   command.outputs)


def _command(page: str, line: int, text: str, output: list[str]) -> Command:
    words = shlex.split(text)
    if words[:3] == ["python", "-m", "mathcheck"]:
        argv = words[3:]
    elif words[:1] == ["mathcheck"]:
        argv = words[1:]
    else:
        raise AssertionError(f"{page}:{line}: a console block runs mathcheck only, not {text!r}")
    while output and not output[-1]:
        output.pop()
    expected = "\n".join(output)
    assert not expected or expected.replace("...", "").strip(), \
        f"{page}:{line}: the expected output is nothing but wildcards: it would accept anything"
    outputs = tuple(argv[i + 1] for i, word in enumerate(argv[:-1]) if word in OUTPUT_OPTIONS)
    assert all(not Path(path).is_absolute() for path in outputs), f"{page}:{line}: write to relative paths only"
    return Command(page, line, text, tuple(argv), expected, 0, outputs)


def all_commands() -> list[Command]:
    return [command for block in all_blocks() if block.language == "console" and block.executed
            for command in commands_of(block)]


@contextlib.contextmanager
def scratch_directory(tmp: Path):
    """Work in ``tmp``, which holds a link ``docs`` to the repository's docs/ (so that paths resolve)."""
    (tmp / "docs").symlink_to(DOCS, target_is_directory=True)
    saved = os.getcwd()
    os.chdir(tmp)
    try:
        yield tmp
    finally:
        os.chdir(saved)


@dataclass(frozen=True)
class Session:
    printed: str
    exit_code: int
    new_files: frozenset[str]  # what appeared in the working directory, relative paths


_SESSIONS: dict[str, Session] = {}


def session_of(command: Command, tmp_path_factory) -> Session:
    """Run the command once (the tests below share the run): what it printed, its exit code, its files."""
    if command.id not in _SESSIONS:
        _SESSIONS[command.id] = _run(command, tmp_path_factory.mktemp("docs-command"))
    return _SESSIONS[command.id]


def _run(command: Command, tmp: Path) -> Session:
    from mathcheck.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with scratch_directory(tmp), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # what a user's interpreter shows, deprecations of other code aside
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(command.argv))
            except SystemExit as exit_:  # --version and --help leave through argparse
                code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
        new_files = frozenset(str(path.relative_to(tmp)) for path in tmp.rglob("*")
                              if path.relative_to(tmp).parts[0] != "docs" and not path.is_dir())
    shown_warnings = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line)
                             for w in caught)
    return Session(stdout.getvalue() + stderr.getvalue() + shown_warnings, code, new_files)


def _output_difference(expected: str, printed: str) -> str:
    example = doctest.Example("command", expected + "\n")
    return doctest.OutputChecker().output_difference(example, printed, FLAGS)


COMMANDS = all_commands()


# ---------------------------------------------------------------- the commands


@pytest.mark.parametrize("command", COMMANDS, ids=[command.id for command in COMMANDS])
def test_command_prints_what_the_page_shows(command: Command, tmp_path_factory):
    printed = session_of(command, tmp_path_factory).printed
    if not doctest.OutputChecker().check_output(command.expected + "\n", printed, FLAGS):
        pytest.fail(f"{command.id}: `{command.text}`\n" + _output_difference(command.expected, printed), pytrace=False)


@pytest.mark.parametrize("command", COMMANDS, ids=[command.id for command in COMMANDS])
def test_command_exits_with_the_code_the_page_shows(command: Command, tmp_path_factory):
    session = session_of(command, tmp_path_factory)
    if session.exit_code != command.exit_code:
        pytest.fail(f"{command.id}: `{command.text}` exited {session.exit_code}, the page says {command.exit_code}:\n"
                    f"{session.printed}", pytrace=False)


@pytest.mark.parametrize("command", COMMANDS, ids=[command.id for command in COMMANDS])
def test_command_writes_only_the_files_it_names(command: Command, tmp_path_factory):
    session = session_of(command, tmp_path_factory)
    expected = {str(Path(path)) for path in command.outputs} if command.exit_code == 0 else set()
    assert session.new_files == expected, f"{command.id}: `{command.text}` wrote {sorted(session.new_files)}"


# ---------------------------------------------------------------- the Python sessions


def doctest_of(page: str) -> doctest.DocTest:
    """The page's pycon blocks as one doctest; every other line blanked, so line numbers stay the page's."""
    text = (DOCS / page).read_text(encoding="utf-8").splitlines()
    kept = [""] * len(text)
    for block in blocks_of(page):
        if block.language == "pycon" and block.executed:
            kept[block.line - 1:block.line - 1 + len(block.lines)] = block.lines
    return doctest.DocTestParser().get_doctest("\n".join(kept) + "\n", {"__name__": "docs"}, page,
                                               str(DOCS / page), 0)


PYTHON_PAGES = [page for page in PAGES if (DOCS / page).exists() and doctest_of(page).examples]


@pytest.mark.parametrize("page", PYTHON_PAGES)
def test_python_examples_print_what_the_page_shows(page: str, tmp_path):
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with scratch_directory(tmp_path):
        result = runner.run(doctest_of(page), out=report.append, clear_globs=True)
    if result.failed:
        pytest.fail("".join(report), pytrace=False)


# ---------------------------------------------------------------- the pages themselves


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_an_executed_example(page: str):
    assert (DOCS / page).exists(), f"docs/{page} is missing"
    console = [c for c in COMMANDS if c.page == page]
    assert console or page in PYTHON_PAGES, f"docs/{page} has no example that this test runs"


def test_at_most_one_block_is_not_executed_and_each_says_why():
    unexecuted = [block for block in all_blocks() if not block.executed]
    assert len(unexecuted) <= MAX_UNEXECUTED, [f"{b.page}:{b.line}" for b in unexecuted]
    assert all(block.reason for block in unexecuted)


def mathcheck_calls(block: Block) -> list[str]:
    return [line for line in block.lines if re.search(r"(^|[;&|]\s*)(python -m )?mathcheck\b", line.strip())]


def test_bash_blocks_call_no_mathcheck_command():
    shell = [block for block in all_blocks() if block.language in ("bash", "sh", "shell")]
    calls = {f"{block.page}:{block.line}": mathcheck_calls(block) for block in shell if mathcheck_calls(block)}
    assert not calls, f"put runnable examples in a console block: {calls}"


# ---------------------------------------------------------------- the reader of the pages, on made-up blocks


def _console(*lines: str) -> Block:
    return Block("made-up.md", "console", 10, lines, True)


def test_console_block_gives_each_command_its_output_and_exit_code():
    first, second = commands_of(_console("$ mathcheck plot kl-nonneg --out a.svg", "wrote a.svg",
                                         "$ python -m mathcheck audit x.md", "x.md: ...", "$ echo $?", "1"))
    assert (first.argv, first.expected, first.exit_code, first.outputs) == \
        (("plot", "kl-nonneg", "--out", "a.svg"), "wrote a.svg", 0, ("a.svg",))
    assert (second.argv, second.expected, second.exit_code, second.line) == (("audit", "x.md"), "x.md: ...", 1, 12)


@pytest.mark.parametrize("lines", [("$ pip install mathcheck",), ("output before a command",),
                                   ("$ mathcheck list", "..."), ("$ echo $?", "1"),
                                   ("$ mathcheck plot kl-nonneg --out /tmp/a.svg", "wrote /tmp/a.svg")])
def test_console_block_refuses_what_it_cannot_check(lines: tuple[str, ...]):
    with pytest.raises(AssertionError):
        commands_of(_console(*lines))


@pytest.mark.parametrize("expected, printed, same", [
    ("wrote a.svg", "wrote a.svg\n", True),
    ("x.md: 5 steps in ...s: OK", "x.md: 5 steps in 1.23s: OK\n", True),
    ("first\n...\nlast", "first\nmiddle 1\nmiddle 2\nlast\n", True),
    ("x.md: 5 steps in ...s: OK", "x.md: 5 steps in 1.23s: NOT OK\n", False),
    ("wrote a.svg", "wrote a.svg\nwrote b.svg\n", False),
    ("proved", "refuted\n", False),
])
def test_output_comparison_wildcards_only_where_the_page_writes_them(expected: str, printed: str, same: bool):
    assert doctest.OutputChecker().check_output(expected + "\n", printed, FLAGS) == same


def _links(text: str) -> list[str]:
    return [target for target in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in target
            and not target.startswith("#")]


def test_readme_links_every_page():
    linked = {Path(target.split("#")[0]).as_posix() for target in _links((REPO / "README.md").read_text("utf-8"))}
    assert {f"docs/{page}" for page in PAGES} <= linked


def test_index_links_every_other_page():
    linked = {target.split("#")[0] for target in _links((DOCS / "index.md").read_text("utf-8"))}
    assert set(PAGES) - {"index.md"} <= linked


def _anchors(path: Path) -> set[str]:
    """The heading anchors GitHub makes for a Markdown file: lower case, punctuation dropped, spaces as -."""
    anchors, fenced = set(), False
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"^#{1,6} ", line):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page: str):
    broken = []
    for target in _links((DOCS / page).read_text("utf-8")):
        path, _, anchor = target.partition("#")
        resolved = (DOCS / path).resolve()
        if not resolved.exists() or (anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved)):
            broken.append(target)
    assert not broken, f"docs/{page} links to missing files or headings: {broken}"


def test_pre_commit_hook_ids_in_the_pages_exist():
    defined = set(re.findall(r"^- id: (\S+)", (REPO / ".pre-commit-hooks.yaml").read_text("utf-8"), re.M))
    used = {hook for block in all_blocks() if block.language == "yaml" and "repos:" in "\n".join(block.lines)
            for hook in re.findall(r"\bid: ([\w-]+)", "\n".join(block.lines))}
    assert used and used <= defined, f"hook ids {sorted(used - defined)} are not in .pre-commit-hooks.yaml"
