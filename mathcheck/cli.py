"""Command line: ``python -m mathcheck`` / ``mathcheck``.

Exit codes: 0 everything passed, 1 a step was refuted or undecided, 2 a usage error, 3 an internal error,
130 interrupted (Ctrl-C), 141 the reader of the output left (``mathcheck ... | head``).

Streams: results on stdout; errors, warnings and progress on stderr (a library's warning is one line there).
A run keeps hypothesis' files in the user's cache directory (:mod:`mathcheck.storage`), never in the current
one; ``HYPOTHESIS_STORAGE_DIRECTORY`` chooses another place.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import Sequence

from mathcheck import __version__
from mathcheck.report import FORMATTERS


class UsageError(Exception):
    """A user mistake: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the whole usage; one line is enough
        raise UsageError(message)

    def _check_value(self, action: argparse.Action, value) -> None:  # an invalid choice: suggest the close ones
        choices = action.choices
        if choices is None or value in choices or not isinstance(value, str):
            return super()._check_value(action, value)
        options = [choice for choice in choices if isinstance(choice, str)]
        if isinstance(action, argparse._SubParsersAction):
            raise UsageError(f"unknown command {value!r}; " + _suggestion(value, options, "commands"))
        name = "/".join(action.option_strings) or action.metavar or action.dest
        message = f"argument {name}: invalid choice {value!r}; " + _suggestion(value, options, "choices")
        if message.endswith("?") and len(options) <= 8:
            message += f" (choices: {', '.join(options)})"
        raise UsageError(message)


def _suggestion(value: str, options: list[str], what: str) -> str:
    """"did you mean 'a' or 'b'?" for the options close to ``value``, or the list of options when none is."""
    from mathcheck.registry import close_names

    close = close_names(value, known=options)
    if close:
        return f"did you mean {_either(close)}?"
    return f"{what}: {', '.join(options)}"


def _either(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with ``only`` (a plugin's command) the other plugins are neither loaded
    nor offered: a run of one need not pay for the others' imports (check-code's load numpy)."""
    parser = _Parser(prog="mathcheck", description="Verify the mathematics of VAEs step by step.")
    parser.add_argument("--version", action="version", version=f"mathcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add_check_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="report format")
        p.add_argument("--seed", type=seed_int, default=0, help="seed for the numeric worlds (default 0)")
        p.add_argument("--examples", type=positive_int, default=None,
                       help="numeric worlds per step the symbolic checker does not prove (default: the checker's "
                            "own number; a proved step is cross-checked on the boundary worlds and 3 drawn ones)")
        p.add_argument("--verbose", "-v", action="store_true", help="text format: show every step")
        p.add_argument("--jobs", "-j", type=positive_int, default=None, metavar="N",
                       help="worker processes (default: 2, or 1 on a single core; 1 checks in this process)")

    p = sub.add_parser("verify-all", help="check every derivation of the article and every numeric check")
    add_check_options(p)
    p.add_argument("--quick", action="store_true", help="skip the empirical VAE entries")
    p = sub.add_parser("verify", help="check the named derivations")
    p.add_argument("names", nargs="+", metavar="NAME")
    add_check_options(p)
    sub.add_parser("list", help="list the derivations and checks")
    p = sub.add_parser("show", help="print a derivation as a calc chain")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of text")

    for name, module in _PLUGINS.items():
        if only is not None and name != only:
            continue
        plugin = _load_plugin(module)
        if plugin is not None:
            plugin.configure_parser(sub.add_parser(name, help=plugin.HELP))
    return parser


# Sub-commands that live beside the core: module -> configure_parser(parser), run(args) -> int, HELP.
_PLUGINS = {"audit": "mathcheck.audit", "plot": "mathcheck.plots", "vae": "mathcheck.vae_min.cli",
            "check-code": "mathcheck.code.cli"}


def _load_plugin(module_name: str):
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            return None
        raise
    return module if hasattr(module, "configure_parser") else None


def positive_int(text: str) -> int:
    """argparse type for counts (``--examples``, ``--epochs``): a clear message instead of a traceback."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


MAX_SEED = 2**32 - 1  # what numpy, torch and hypothesis all accept as a seed


def seed_int(text: str) -> int:
    """argparse type for ``--seed``: an integer from 0 to 2**32 - 1, or a clear message."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed must be an integer from 0 to {MAX_SEED}, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warnings()
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        if _first_word(argv) in SINGLE_THREADED_COMMANDS:
            _single_threaded_libraries()
        parser = build_parser(only=_plugin_command(argv))
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(f"missing command: {', '.join(_commands(parser))} (see --help)")
        if args.command in _PLUGINS and getattr(_load_plugin(_PLUGINS[args.command]), "MANAGES_HYPOTHESIS_FILES", False):
            return _dispatch(args)  # the plugin points hypothesis at the cache itself, when it needs hypothesis
        from mathcheck.storage import hypothesis_files_in_cache

        with hypothesis_files_in_cache():  # not .hypothesis/ in the directory the user runs mathcheck from
            return _dispatch(args)
    except UsageError as error:
        print(f"mathcheck: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mathcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output left (`mathcheck audit F | head`): stop quietly
        _silence_stdout()
        return 141
    except Exception as error:  # a bug in mathcheck, not the user's input: one line, and how to see more
        if os.environ.get("MATHCHECK_DEBUG"):
            raise
        print(f"mathcheck: internal error: {type(error).__name__}: {error} "
              "(rerun with MATHCHECK_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
        return 3


def _plugin_command(argv: Sequence[str]) -> str | None:
    """The plugin command that ``argv`` runs (its first word, after the top-level options), else None."""
    word = _first_word(argv)
    return word if word in _PLUGINS else None


def _first_word(argv: Sequence[str]) -> str | None:
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SINGLE_THREADED_COMMANDS = ("verify", "verify-all", "audit")


def _single_threaded_libraries() -> None:
    """verify / verify-all / audit: numpy's BLAS and torch on one thread each, unless the user set their thread
    counts (read when the libraries load, so before any import of them). Their matrices are small and the entries
    run in parallel worker processes: a second thread per process would only wait (and spin) for a core. An audit's
    matrices are a few entries wide: starting OpenBLAS's pool of threads costs it a tenth of a second of CPU."""
    loaded = any(module in sys.modules for module in ("numpy", "torch"))  # a call in a process that uses them
    if not loaded and not any(name in os.environ for name in THREAD_VARIABLES):
        for name in THREAD_VARIABLES:
            os.environ[name] = "1"


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    return [name for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name in action.choices]


def _one_line_warnings():
    """A ``warnings.showwarning`` for a run: a library's warning (matplotlib, scipy...) is one line on stderr,
    each text once, instead of Python's file:line report with its source line."""
    shown: set[tuple[str, str]] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = str(message).strip().splitlines()[0] if str(message).strip() else category.__name__
        if (category.__name__, text) not in shown:
            shown.add((category.__name__, text))
            print(f"mathcheck: warning: {text} ({category.__name__})", file=sys.stderr if file is None else file)

    return show


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a file descriptor (captured in a test)
        pass


def _dispatch(args: argparse.Namespace) -> int:
    from mathcheck import registry

    if args.command in _PLUGINS:
        return _load_plugin(_PLUGINS[args.command]).run(args)
    if args.command == "list":
        for name, title in registry.catalogue():
            print(f"{name:<32} {title}")
        return 0
    if args.command == "show":
        print(registry.show(_known(args.name), latex=args.latex))
        return 0
    if args.command == "verify":
        names = _known_names(args.names)
    else:
        names = registry.names(include_empirical=not args.quick)
    jobs = registry.default_jobs() if args.jobs is None else args.jobs
    report = registry.run(names, seed=args.seed, examples=args.examples, jobs=jobs)
    print(FORMATTERS[args.format](report, **({"verbose": args.verbose} if args.format == "text" else {})))
    return 0 if report.ok else 1


def _known(name: str) -> str:
    return _known_names([name])[0]


def _known_names(names: Sequence[str]) -> list[str]:
    """``names``, if every one is a derivation or check; else a UsageError naming each unknown one with the
    close names it likely misspells (not the whole catalogue: ``mathcheck list`` prints that)."""
    from mathcheck import registry

    known = registry.names(include_empirical=True)
    unknown = [name for name in dict.fromkeys(names) if name not in known]
    if unknown:
        raise UsageError("; ".join(_unknown_name(name, known) for name in unknown))
    return list(names)


def _unknown_name(name: str, known: list[str]) -> str:
    from mathcheck.registry import close_names

    close = close_names(name, known=known)
    if close:
        return f"unknown name {name!r}; did you mean {_either(close)}?"
    return f"unknown name {name!r}, and no known name is close to it (`mathcheck list` lists all {len(known)})"
