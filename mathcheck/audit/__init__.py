"""``mathcheck audit FILE.md``: check every step of every display formula of a Markdown document.

The document's LaTeX is read by :mod:`mathcheck.audit.latex` into the objects of :mod:`mathcheck.vocab`
and each step is checked by :func:`mathcheck.checker.check_step`, the engine of ``verify-all``.
Several files are checked in turn (as pre-commit passes them). Exit code: 0 when every step of every file
is proved, holds or is a definition; 1 when a step is refuted, unparsed or undecided (not verified); 2 when
a file cannot be read (nothing is checked then: a usage error comes first).
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Iterator

from mathcheck.cli import positive_int

if TYPE_CHECKING:
    from mathcheck.audit.check import AuditReport

FORMAT_NAMES = ("github", "json", "junit", "markdown", "text")  # mathcheck.audit.output.FORMATS; imported only to run an audit

HELP = "check every step of the display formulas of a Markdown/LaTeX document"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="documents with display formulas: Markdown (.md, .markdown), LaTeX (.tex) or Jupyter "
                             "notebooks (.ipynb); several are checked in turn")
    parser.add_argument("--macros", metavar="FILE", default=None,
                        help="a site's MathJax/KaTeX macros, defined before each document: a .tex file of "
                             "\\newcommand's or a JSON map such as {\"\\\\R\": \"\\\\mathbb{R}\"}")
    parser.add_argument("--format", choices=FORMAT_NAMES, default="text", help="report format")
    parser.add_argument("--seed", type=int, default=0, help="seed for the numeric worlds (default 0)")
    parser.add_argument("--examples", type=positive_int, default=None,
                        help="numeric worlds per step (default: the audit's default)")
    parser.add_argument("--no-cache", action="store_true",
                        help="check every step again: neither read nor write the cache of earlier audits "
                             "($MATHCHECK_CACHE_DIR, else audit/ in the user's cache directory)")


def audit_file(path: str, seed: int = 0, examples: int | None = None, macros: str | None = None) -> "AuditReport":
    """Read and check ``path`` (with the macro file ``macros``, if any); raises :class:`DocumentError` when
    either cannot be read."""
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.macros import read_macro_file

    table = read_macro_file(macros) if macros else None
    return audit_document(read_document(path, table), seed=seed, examples=examples)


def read_document(path: str, macros: dict | None = None):
    """The document at ``path``, read by its format and split into formulas and prose, ``macros`` (a table
    from :func:`mathcheck.audit.macros.read_macro_file`) defined first; :class:`DocumentError` if unreadable."""
    from mathcheck.audit.document import parse_source
    from mathcheck.audit.formats import read_source

    return parse_source(read_source(path), macros)


def run(args: argparse.Namespace) -> int:
    """Audit ``args.files``: the report of an earlier identical run from the cache (:mod:`mathcheck.audit.cache`)
    unless ``--no-cache``, else a fresh check, stored there, in which each step checked before (with the same
    expressions, notation and options) takes its verdict from the cache of step verdicts."""
    from mathcheck.audit import cache

    macros = getattr(args, "macros", None)
    key = None if getattr(args, "no_cache", False) else \
        cache.run_key(args.files, macros, args.format, args.seed, args.examples)
    entry = cache.load(key) if key else None
    if entry is not None:
        print(entry.output)
        print(f"mathcheck: the report of an earlier audit of the same input, from {cache.cache_dir()} "
              "(--no-cache checks again)", file=sys.stderr)
        return entry.code
    steps = cache.steps_cached() if key else contextlib.nullcontext()  # the steps of a changed document
    # hypothesis keeps its files in the user's cache, not in .hypothesis/ where the user runs mathcheck: each
    # hypothesis run of the engine says so itself (numeric.hypothesis_run), and a run whose steps all prove
    # imports no hypothesis at all
    with cache.expiries_counted() as expired, steps, _fewer_collections():
        code, output = _checked(args, macros)
    if output is not None:
        print(output)
        if key and not expired:
            cache.store(key, cache.Entry(output, code))
    return code


def _checked(args: argparse.Namespace, macros: str | None) -> tuple[int, str | None]:
    """(exit code, report) of a fresh audit; (2, None) when a file cannot be read (said on stderr)."""
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.document import DocumentError
    from mathcheck.audit.macros import read_macro_file
    from mathcheck.audit.output import format_many

    _prepare_process()
    try:  # every file is read before any is checked: an unreadable one is a usage error, reported at once
        table = read_macro_file(macros) if macros else None
        documents = [read_document(path, table) for path in args.files]
    except DocumentError as error:
        print(f"mathcheck: error: {error}", file=sys.stderr)
        return 2, None
    reports = [audit_document(document, seed=args.seed, examples=args.examples) for document in documents]
    return (0 if all(report.ok for report in reports) else 1), format_many(reports, args.format)


# The time a cold audit spends outside reading and checking; none of it changes what is checked or printed.
COLLECTION_THRESHOLDS = (200_000, 30, 30)  # gc.set_threshold during a fresh audit (as mypy runs): see below
_PREPARED: list[bool] = []  # whether this process ran ``_prepare_process``


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Within: the cyclic garbage collector runs after 200,000 new objects, not 700 (``gc.set_threshold``;
    the thresholds before are put back after). Sympy builds objects by the hundred thousand and frees them by
    reference counting; the collector's passes over them found a few thousand objects to free and cost
    0.07-0.09 s of the cold audit of the seed article (none run now)."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(*COLLECTION_THRESHOLDS)
    try:
        yield
    finally:
        if not gc.get_freeze_count():  # (objects someone froze stay frozen)
            _promoted_uncollected(gc)
        gc.set_threshold(*before)


def _promoted_uncollected(gc) -> None:
    """The objects alive now moved to the oldest generation without a pass over them (frozen, then unfrozen
    into it): with the usual thresholds back, the next young-generation pass would otherwise walk every one
    of the (up to 200,000) objects made since the last, most of them alive (0.05 s of the cold audit of the seed
    article, more on a loaded machine); garbage among them is found by the next full collection."""
    gc.freeze()
    gc.unfreeze()


def _prepare_process() -> None:
    """Once a process, before its first fresh audit (sympy imported): sympy's tensor module (which sympy's
    ``Add`` imports at its first sum, with sympy.combinatorics: a twentieth of a second) stands in until
    something uses it (``lazy.stand_in_until_used``); and at exit the collector leaves alone the objects alive
    then (``gc.freeze``, registered with ``atexit``): the interpreter's teardown would otherwise collect among
    the objects sympy made, which the process is about to drop anyway (a sixth of a second)."""
    if _PREPARED:
        return
    _PREPARED.append(True)
    import atexit
    import gc

    from mathcheck.lazy import stand_in_until_used

    stand_in_until_used("sympy.tensor.tensor", ("TensExpr", "TensAdd"))
    atexit.register(gc.freeze)


MANAGES_HYPOTHESIS_FILES = True  # each hypothesis run of the engine points hypothesis at the user's cache itself

__all__ = ["HELP", "configure_parser", "run", "audit_file", "read_document"]
