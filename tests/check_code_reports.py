"""Shared helpers for the check-code tests: the report of one function, and its verdict and findings in one line."""
from __future__ import annotations

from mathcheck.code import check


def one_report(function, **options):
    """The report of ``function`` checked alone with seed 0."""
    (report,) = check(function, seed=0, **options).functions
    return report


def described(report) -> str:
    """``verdict if condition: [severity] code: message; ...`` (for assertion messages and substring checks)."""
    return (f"{report.verdict} if {report.identified.get('condition')}: "
            + "; ".join(f"[{f.severity}] {f.code}: {f.message}" for f in report.findings))
