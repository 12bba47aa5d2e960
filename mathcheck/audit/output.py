"""The audit's reports: text (one line per step, like a compiler), JSON, and Markdown for a review."""
from __future__ import annotations

import json

from mathcheck.audit.check import DEFINITION, UNPARSED, VERDICTS, AuditReport, StepResult
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED, finite_json

SYMBOL = {"=": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">", ":=": ":=", "~": "~", "": ""}
MARK = {PROVED: "✔ proved", HOLDS: "≈ holds", REFUTED: "✘ refuted", UNDECIDED: "? undecided",
        UNPARSED: "⚠ unparsed", DEFINITION: "≔ definition"}


def _step_text(step: StepResult) -> str:
    if not step.relation:
        return step.rhs
    return f"{step.lhs} {SYMBOL.get(step.relation, step.relation)} {step.rhs}"


def _summary(report: AuditReport) -> str:
    counts = report.counts()
    shown = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no steps"
    missing = report.not_verified
    verdict = "OK" if report.ok else \
        f"NOT OK ({len(missing)} of {len(report.steps)} steps not verified: refuted, unparsed or undecided)"
    return f"{report.file}: {len(report.steps)} steps ({shown}) in {report.seconds:.2f}s: {verdict}"


def format_text(report: AuditReport) -> str:
    if not report.document.formulas and not report.steps:
        return f"{report.file}: no display formulas ($$...$$): nothing to check"
    lines = []
    for step in report.steps:
        lines.append(f"{report.file}:{step.line}: {step.verdict:<10} {_one_line(_step_text(step))}")
        if step.reason:
            lines.append(f"    {step.reason}")
        if step.detail.get("fragment"):
            lines.append(f"    fragment: {step.detail['fragment']}")
    lines.append(_summary(report))
    return "\n".join(lines)


def format_json(report: AuditReport) -> str:
    payload = {"file": report.file, "ok": report.ok, "steps": [step.to_dict() for step in report.steps],
               "counts": report.counts(), "seconds": round(report.seconds, 3)}
    for entry, step in zip(payload["steps"], report.steps):
        if step.detail.get("fragment"):
            entry["fragment"] = step.detail["fragment"]
        if step.verdict == REFUTED and "counterexample" in step.detail:
            entry["counterexample"] = step.detail["counterexample"]
    return json.dumps(finite_json(payload), indent=2, ensure_ascii=False, default=str)


def format_markdown(report: AuditReport) -> str:
    lines = [f"# mathcheck audit of `{report.file}`", ""]
    if not report.document.formulas and not report.steps:
        lines.append("No display formulas: nothing to check.")
        return "\n".join(lines)
    by_block: dict[int, list[StepResult]] = {}
    for step in report.steps:
        by_block.setdefault(step.block, []).append(step)
    if by_block.get(0):  # declarations in the prose that cannot be used
        lines += ["## Declarations in the prose", "", "| line | declaration | verdict | reason |", "|---|---|---|---|"]
        for step in by_block[0]:
            lines.append(f"| {step.line} | {_cell('$' + _one_line(step.rhs) + '$')} | {MARK[step.verdict]} | "
                         f"{_cell(step.reason)} |")
        lines.append("")
    for formula in report.document.formulas:
        first = report.document.line_of(formula.start)
        last = report.document.line_of(formula.end - 1)
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        lines += [f"## Formula {formula.index} ({where})", "", formula.source.strip(), "",
                  "| line | step | verdict | reason |", "|---|---|---|---|"]
        for step in by_block.get(formula.index, []):
            lines.append(f"| {step.line} | {_cell('$' + _one_line(_step_text(step)) + '$')} | {MARK[step.verdict]} | "
                         f"{_cell(step.reason)} |")
        lines.append("")
    lines.append(f"**{'OK' if report.ok else 'NOT OK'}**: {_summary(report)}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


FORMATS = {"text": format_text, "json": format_json, "markdown": format_markdown}
assert set(MARK) == set(VERDICTS)
