"""The audit's reports: text (one line per step, like a compiler), JSON, and Markdown for a review."""
from __future__ import annotations

import json

from mathcheck.audit.check import DEFINITION, UNPARSED, VERDICTS, AuditReport, StepResult
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED, count, finite_json, markdown_escaped

SYMBOL = {"=": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">", ":=": ":=", "~": "~", "": ""}
MARK = {PROVED: "✔ proved", HOLDS: "≈ holds", REFUTED: "✘ refuted", UNDECIDED: "? undecided",
        UNPARSED: "⚠ unparsed", DEFINITION: "≔ definition"}


def _step_text(step: StepResult) -> str:
    if not step.relation:
        return step.rhs
    return f"{step.lhs} {SYMBOL.get(step.relation, step.relation)} {step.rhs}"


def _notebook_place(report: AuditReport, line: int):
    """Where a line of a notebook's report is (cell, line in the cell, line of the file); None elsewhere."""
    source = getattr(report.document, "source", None)
    return source.cell_of(line) if source is not None else None


def _place(report: AuditReport, line: int) -> str:
    """A step's location after the file name: ``12``, or in a notebook ``cell 3:2`` (cell 3, its line 2)."""
    place = _notebook_place(report, line)
    return f"cell {place.cell}:{place.line}" if place else str(line)


def _where(report: AuditReport, line: int) -> str:
    """``line 12``, or in a notebook ``cell 3, line 2``."""
    place = _notebook_place(report, line)
    return f"cell {place.cell}, line {place.line}" if place else f"line {line}"


def _lines(report: AuditReport, first: int, last: int) -> str:
    """``lines 3-5``, or in a notebook ``cell 3, lines 1-3``."""
    start, end = _notebook_place(report, first), _notebook_place(report, last)
    if start and end and start.cell == end.cell:
        return f"cell {start.cell}, lines {start.line}-{end.line}"
    return f"lines {first}-{last}" if not start else f"{_where(report, first)} to {_where(report, last)}"


def _file_line(report: AuditReport, line: int) -> int:
    """The line of the file itself (in a notebook: of its JSON)."""
    place = _notebook_place(report, line)
    return place.file_line if place else line


def _summary(report: AuditReport) -> str:
    counts = report.counts()
    shown = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no steps"
    missing = report.not_verified
    verdict = "OK" if report.ok else \
        f"NOT OK ({len(missing)} of {count(len(report.steps), 'step')} not verified: refuted, unparsed or undecided)"
    return f"{report.file}: {count(len(report.steps), 'step')} ({shown}) in {report.seconds:.2f}s: {verdict}"


def format_text(report: AuditReport) -> str:
    if not report.document.formulas and not report.steps:
        return f"{report.file}: no display formulas ($$...$$): nothing to check"
    lines = []
    for step in report.steps:
        lines.append(f"{report.file}:{_place(report, step.line)}: {step.verdict:<10} {_one_line(_step_text(step))}")
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
        place = _notebook_place(report, step.line)
        if place:  # a notebook: the line of the file, and the cell (numbered from 1) and line in it
            entry.update(line=place.file_line, cell=place.cell, cell_line=place.line)
        if step.detail.get("fragment"):
            entry["fragment"] = step.detail["fragment"]
        if step.verdict == REFUTED and "counterexample" in step.detail:
            entry["counterexample"] = step.detail["counterexample"]
        if step.verdict == REFUTED and "difference" in step.detail:
            entry["difference"] = step.detail["difference"]  # rhs − lhs, as sympy reads it
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
            lines.append(f"| {_place(report, step.line)} | {_cell('$' + _one_line(step.rhs) + '$')} | "
                         f"{MARK[step.verdict]} | {_prose_cell(step.reason)} |")
        lines.append("")
    for formula in report.document.formulas:
        first = report.document.line_of(formula.start)
        last = report.document.line_of(formula.end - 1)
        where = _where(report, first) if first == last else _lines(report, first, last)
        lines += [f"## Formula {formula.index} ({where})", "", formula.source.strip(), "",
                  "| line | step | verdict | reason |", "|---|---|---|---|"]
        for step in by_block.get(formula.index, []):
            lines.append(f"| {_place(report, step.line)} | {_cell('$' + _one_line(_step_text(step)) + '$')} | "
                         f"{MARK[step.verdict]} | {_prose_cell(step.reason)} |")
        lines.append("")
    lines.append(f"**{'OK' if report.ok else 'NOT OK'}**: {_summary(report)}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _prose_cell(text: str) -> str:
    """A reason in a table cell: ``sigma**2`` and ``mu_1`` shown as written, not as emphasis."""
    return _cell(markdown_escaped(text))


NOT_DECIDED = (UNDECIDED, UNPARSED)


def format_github(report: AuditReport) -> str:
    """GitHub Actions annotations: ``::error`` on each refuted step's line, ``::warning`` on each step that
    is unparsed or undecided (not verified, so the exit code is 1 too), then a ``::notice`` summary."""
    from mathcheck.annotations import github_line

    lines = []
    for step in report.steps:
        if step.verdict == REFUTED or step.verdict in NOT_DECIDED:
            level = "error" if step.verdict == REFUTED else "warning"
            message = f"{step.verdict}: {_one_line(_step_text(step))}" + (f" -- {step.reason}" if step.reason else "")
            if _notebook_place(report, step.line):
                message = f"{_where(report, step.line)}: {message}"
            lines.append(github_line(level, message, file=report.file, line=_file_line(report, step.line),
                                     title=f"mathcheck audit: {step.verdict}"))
    lines.append(github_line("notice", _summary(report), file=report.file, title="mathcheck audit"))
    return "\n".join(lines)


def junit_cases(report: AuditReport) -> list:
    """One JUnit test case per step: a refuted step fails, an unparsed or undecided one is an error."""
    from mathcheck.annotations import Case

    cases = []
    for step in report.steps:
        outcome = "failure" if step.verdict == REFUTED else "error" if step.verdict in NOT_DECIDED else "passed"
        text = _one_line(_step_text(step))
        detail = f"{text}\n{step.reason}" if step.reason else text
        cases.append(Case(name=f"{_where(report, step.line)}: {text}", outcome=outcome, message=step.verdict,
                          text=detail if outcome != "passed" else f"{step.verdict}: {step.reason}".rstrip(": "),
                          classname=report.file))
    return cases


def format_junit(report: AuditReport) -> str:
    from mathcheck.annotations import junit_document, junit_suite

    return junit_document([junit_suite(report.file, junit_cases(report), report.seconds)])


def format_many(reports: list[AuditReport], format_name: str) -> str:
    """Several documents in one report: text, markdown and github concatenated; JSON as
    ``{"ok", "files": [...]}``; JUnit as one test suite per document."""
    if len(reports) == 1:
        return FORMATS[format_name](reports[0])
    if format_name == "json":
        files = [json.loads(format_json(report)) for report in reports]
        return json.dumps({"ok": all(report.ok for report in reports), "files": files}, indent=2, ensure_ascii=False)
    if format_name == "junit":
        from mathcheck.annotations import junit_document, junit_suite

        return junit_document([junit_suite(r.file, junit_cases(r), r.seconds) for r in reports])
    separator = "\n\n" if format_name in ("text", "markdown") else "\n"
    return separator.join(FORMATS[format_name](report) for report in reports)


FORMATS = {"text": format_text, "json": format_json, "markdown": format_markdown, "github": format_github,
           "junit": format_junit}
assert set(MARK) == set(VERDICTS)
