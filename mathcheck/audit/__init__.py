"""``mathcheck audit FILE.md``: check every step of every display formula of a Markdown document.

The document's LaTeX is read by :mod:`mathcheck.audit.latex` into the objects of :mod:`mathcheck.vocab`
and each step is checked by :func:`mathcheck.checker.check_step`, the engine of ``verify-all``.
Exit code: 0 when every step is proved, holds or is a definition; 1 when a step is refuted, unparsed or
undecided (not verified); 2 when the file cannot be read.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mathcheck.cli import positive_int

if TYPE_CHECKING:
    from mathcheck.audit.check import AuditReport

FORMAT_NAMES = ("json", "markdown", "text")  # mathcheck.audit.output.FORMATS; imported only to run an audit

HELP = "check every step of the display formulas of a Markdown/LaTeX document"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a Markdown file with $$...$$ display formulas")
    parser.add_argument("--format", choices=FORMAT_NAMES, default="text", help="report format")
    parser.add_argument("--seed", type=int, default=0, help="seed for the numeric worlds (default 0)")
    parser.add_argument("--examples", type=positive_int, default=None,
                        help="numeric worlds per step (default: the audit's default)")


def audit_file(path: str, seed: int = 0, examples: int | None = None) -> "AuditReport":
    """Read and check ``path``; raises :class:`DocumentError` when it cannot be read."""
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.document import parse_document, read_text

    text = read_text(path)
    return audit_document(parse_document(path, text), seed=seed, examples=examples)


def run(args: argparse.Namespace) -> int:
    from mathcheck.audit.document import DocumentError
    from mathcheck.audit.output import FORMATS

    try:
        report = audit_file(args.file, seed=args.seed, examples=args.examples)
    except DocumentError as error:
        print(f"mathcheck: error: {error}", file=sys.stderr)
        return 2
    print(FORMATS[args.format](report))
    return 0 if report.ok else 1


__all__ = ["HELP", "configure_parser", "run", "audit_file"]
