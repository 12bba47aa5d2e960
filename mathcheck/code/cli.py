"""``mathcheck check-code TARGET...``: a VAE's loss, KL and sampler code checked against the derived math.

    mathcheck check-code TARGET... [--role auto|loss|kl|reparameterize] [--inputs name=role,...]
                                   [--format text|json|github] [--seed S] [--examples N] [--shape B,D,d]

Exit code: 0 when no finding is a bug and no function is undecided, 1 otherwise, 2 on a usage error (one
line on stderr). The report goes to stdout; warnings, and anything the user's code prints, to stderr.
``--format github`` writes one workflow command per finding at the function's definition: ``::error`` for
a bug or an undecided function, ``::warning`` for a note (e.g. non-finite at extremes), ``::notice`` for a
convention (β, a common scale), then the summary line.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Callable, Sequence

from mathcheck.cli import positive_int, seed_int
from mathcheck.code.report import ROLES

if TYPE_CHECKING:
    from mathcheck.code.report import CodeReport
    from mathcheck.code.targets import Target

HELP = "check a VAE's loss, KL and sampler code against the derived math"
FORMAT_NAMES = ("text", "json", "github")
TITLE = "mathcheck check-code"
_LEVELS = {"bug": "error", "note": "warning", "convention": "notice"}


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="TARGET",
                        help="FILE.py::NAME, FILE.py::Class.method, package.module:NAME, or FILE.py (every "
                             "function whose argument names show a loss, KL or sampler); checked together")
    parser.add_argument("--role", choices=("auto", *ROLES), default="auto",
                        help="what the functions are (default: inferred from their behaviour)")
    parser.add_argument("--inputs", metavar="NAME=ROLE,...", default=None,
                        help="argument roles the names do not show: mu, logvar, log_sigma, sigma, var, "
                             "recon_probs, recon_logits, x, eps, rng")
    parser.add_argument("--format", choices=FORMAT_NAMES, default="text", help="report format")
    parser.add_argument("--seed", type=seed_int, default=0, help="seed for the inputs drawn (default 0)")
    parser.add_argument("--examples", type=positive_int, default=None,
                        help="inputs drawn per check (default: the analysis's default)")
    parser.add_argument("--shape", metavar="B,D,d", default=None,
                        help="batch, data shape and latent dim, e.g. 64,784,20 or 64,1,28,28,20 "
                             "(default: drawn, retried with the shapes the code's errors imply)")


def run(args: argparse.Namespace) -> int:
    from mathcheck.code import check
    from mathcheck.code.guard import user_code_guarded
    from mathcheck.code.roles import UsageError, parse_inputs, parse_shape
    from mathcheck.code.targets import load_targets

    try:
        overrides = parse_inputs(args.inputs)
        shape = parse_shape(args.shape)
        with contextlib.redirect_stdout(sys.stderr):  # the user's prints must not corrupt the report
            with user_code_guarded():  # a module calling os._exit on import is reported, not obeyed
                targets = _distinct(load_targets(args.targets, overrides, warn=_warn))
            if sys.stderr.isatty():
                print(f"mathcheck: checking {', '.join(target.name for target in targets)}", file=sys.stderr)
            report = check(*[(target.name, target.function) for target in targets], roles=args.role,
                           seed=args.seed, examples=args.examples, shape=shape, inputs=overrides)
    except UsageError as error:
        print(f"mathcheck: error: {error}", file=sys.stderr)
        return 2
    print(FORMATS[args.format](report, targets))
    return 0 if report.ok else 1


def _warn(message: str) -> None:
    print(f"mathcheck: warning: {message}", file=sys.stderr)


def _distinct(targets: list["Target"]) -> list["Target"]:
    """Each function once, even when a whole file and one of its functions are both named."""
    seen: set[int] = set()
    kept = []
    for target in targets:
        key = id(getattr(target.function, "__func__", target.function))
        if key not in seen:
            seen.add(key)
            kept.append(target)
    return kept


def format_text(report: "CodeReport", targets: Sequence["Target"] = ()) -> str:
    return report.to_text()


def format_json(report: "CodeReport", targets: Sequence["Target"] = ()) -> str:
    return report.to_json()


def format_github(report: "CodeReport", targets: Sequence["Target"] = ()) -> str:
    """One GitHub workflow command per finding (and per undecided function), then the summary line."""
    from mathcheck.annotations import github_line
    from mathcheck.code import describe_finding
    from mathcheck.code.targets import source_location

    functions = {target.name: target.function for target in targets}
    lines = []
    for function_report in report.functions:
        function = functions.get(function_report.target)
        file, line = (source_location(function) if function is not None else None) or (None, None)
        if function_report.verdict == "undecided":
            reason = function_report.reason or "it could not be called or identified"
            lines.append(github_line("error", f"{function_report.target}: undecided: {reason}",
                                     file=file, line=line, title=TITLE))
        for finding in function_report.findings:
            lines.append(github_line(_LEVELS[finding.severity],
                                     f"{function_report.target}: {describe_finding(finding)}",
                                     file=file, line=line, title=TITLE))
    lines.append(report.to_text().splitlines()[-1])
    return "\n".join(lines)


FORMATS: dict[str, Callable[..., str]] = {"text": format_text, "json": format_json, "github": format_github}

__all__ = ["HELP", "configure_parser", "run", "FORMATS", "format_github"]
