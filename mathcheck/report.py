"""Verdicts and reports: the one result format every front end prints.

A *step* gets one of four verdicts:

- ``proved``: the symbolic checker decided it (normal forms agree, or a lemma applies).
- ``holds``: only the numeric checker decided it (it held on every world tried).
- ``refuted``: a world (a counterexample) where it fails.
- ``undecided``: neither checker could decide (the reason says why).

An *entry* (a derivation, or a numeric/empirical check family) is ``proved`` only if every step is,
``refuted`` if any step is, ``undecided`` if any step is undecided, and ``holds`` otherwise.
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass, field
from typing import Any

PROVED, HOLDS, REFUTED, UNDECIDED = "proved", "holds", "refuted", "undecided"
VERDICTS = (PROVED, HOLDS, REFUTED, UNDECIDED)


@dataclass
class StepReport:
    index: int
    relation: str
    lhs: str
    rhs: str
    why: str
    verdict: str
    detail: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        from mathcheck.display import step_html

        return step_html(self)


@dataclass
class EntryReport:
    name: str
    title: str
    source: str
    conclusion: str
    steps: list[StepReport]
    seconds: float = 0.0
    chain: Any = field(default=None, repr=False, compare=False)  # the checked Chain, for display

    @property
    def verdict(self) -> str:
        return combine_verdicts(step.verdict for step in self.steps)

    @property
    def passed(self) -> bool:
        return self.verdict in (PROVED, HOLDS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "conclusion": self.conclusion,
            "verdict": self.verdict,
            "seconds": round(self.seconds, 4),
            "steps": [asdict(step) for step in self.steps],
        }

    def _repr_html_(self) -> str:
        from mathcheck.display import entry_html

        return entry_html(self)


def combine_verdicts(verdicts) -> str:
    seen = set(verdicts)
    for worst in (REFUTED, UNDECIDED, HOLDS):
        if worst in seen:
            return worst
    return PROVED


@dataclass
class Report:
    entries: list[EntryReport]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(entry.passed for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 4),
            "derivations": [entry.to_dict() for entry in self.entries],
        }

    def _repr_html_(self) -> str:
        from mathcheck.display import report_html

        return report_html(self)


STATUS = {PROVED: "PASSED", HOLDS: "PASSED", REFUTED: "FAILED", UNDECIDED: "UNDECIDED"}


def format_text(report: Report, verbose: bool = False) -> str:
    width = max((len(entry.name) for entry in report.entries), default=10)
    lines = []
    for entry in report.entries:
        counts = _verdict_counts(entry)
        lines.append(
            f"{STATUS[entry.verdict]:<9} {entry.name:<{width}}  {entry.seconds:6.2f}s  "
            f"{entry.verdict:<9} ({counts})"
        )
    for entry in report.entries:
        shown = [s for s in entry.steps if verbose or s.verdict in (REFUTED, UNDECIDED)]
        if not shown:
            continue
        lines.append("")
        lines.append(f"{entry.name}: {entry.title}  [{entry.source}]")
        for step in shown:
            lines.append(f"  step {step.index}: {step.relation} {step.rhs}")
            lines.append(f"    why: {step.why or '(no justification given)'}")
            lines.append(f"    verdict: {step.verdict}: {_describe(step.detail)}")
    total = _total_counts(report)
    lines.append("")
    lines.append(
        f"{sum(e.passed for e in report.entries)}/{len(report.entries)} passed; steps: {total}; "
        f"{report.seconds:.2f}s"
    )
    return "\n".join(lines)


def count(n: int, noun: str) -> str:
    """``1 step``, ``2 steps``, ``0 steps``: a number with its noun in the right number (regular plurals)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _verdict_counts(entry: EntryReport) -> str:
    parts = []
    for verdict in VERDICTS:
        n = sum(step.verdict == verdict for step in entry.steps)
        if n:
            parts.append(f"{n} {verdict}")
    return ", ".join(parts) or "no steps"


def _total_counts(report: Report) -> str:
    steps = [step for entry in report.entries for step in entry.steps]
    return ", ".join(f"{sum(s.verdict == v for s in steps)} {v}" for v in VERDICTS)


def _describe(detail: dict[str, Any]) -> str:
    if "reason" in detail:
        return str(detail["reason"])
    return json.dumps(detail, default=str, ensure_ascii=False) if detail else ""


def finite_json(value: Any) -> Any:
    """``value`` with every non-integer number a float, and a non-finite one None: JSON has no inf or NaN, and
    ``json.dumps`` would print ``Infinity``, which strict parsers reject."""
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return float(value) if math.isfinite(value) else None
    return value


def format_json(report: Report) -> str:
    return json.dumps(finite_json(report.to_dict()), indent=2, default=str, ensure_ascii=False)


MARK = {PROVED: "✔ proved", HOLDS: "≈ holds", REFUTED: "✘ refuted", UNDECIDED: "? undecided"}


def format_markdown(report: Report) -> str:
    lines = ["# mathcheck report", "", "| entry | verdict | steps | seconds |", "|---|---|---|---|"]
    for entry in report.entries:
        lines.append(
            f"| `{entry.name}` | {MARK[entry.verdict]} | {_verdict_counts(entry)} | {entry.seconds:.2f} |"
        )
    for entry in report.entries:
        lines += ["", f"## {entry.name}: {entry.title}", "", f"Source: {entry.source}", "",
                  "| # | relation | expression | why | verdict |", "|---|---|---|---|---|"]
        for step in entry.steps:
            rhs = step.rhs.replace("|", "\\|")
            why = step.why.replace("|", "\\|")
            lines.append(f"| {step.index} | {step.relation} | `{rhs}` | {why} | {MARK[step.verdict]} |")
        lines += _refutations_markdown(entry)
    lines += ["", f"**{'OK' if report.ok else 'NOT OK'}** in {report.seconds:.2f}s"]
    return "\n".join(lines)


def _refutations_markdown(entry: EntryReport) -> list[str]:
    """Below an entry's table: each refuted step's reason (its counterexample, the sides' difference)."""
    refuted = [step for step in entry.steps if step.verdict == REFUTED and step.detail.get("reason")]
    return [""] + [f"- step {step.index}: {markdown_escaped(step.detail['reason'])}" for step in refuted] \
        if refuted else []


def markdown_escaped(text: str) -> str:
    """Prose for Markdown with its emphasis characters escaped (``sigma**2`` is no bold text)."""
    for character in "\\`*_":
        text = text.replace(character, "\\" + character)
    return text


def format_junit(report: Report) -> str:
    from xml.sax.saxutils import escape  # imported here: xml.sax and urllib cost every other run ~25 ms

    from mathcheck.annotations import printable

    failures = sum(entry.verdict == REFUTED for entry in report.entries)
    errors = sum(entry.verdict == UNDECIDED for entry in report.entries)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<testsuite name="mathcheck" tests="{len(report.entries)}" failures="{failures}" '
        f'errors="{errors}" time="{report.seconds:.3f}">',
    ]
    for entry in report.entries:
        out.append(f'  <testcase classname="mathcheck" name="{escape(entry.name)}" time="{entry.seconds:.3f}">')
        bad = [s for s in entry.steps if s.verdict in (REFUTED, UNDECIDED)]
        if bad:
            tag = "failure" if entry.verdict == REFUTED else "error"
            text = "\n".join(f"step {s.index} ({s.verdict}): {s.rhs} -- {_describe(s.detail)}" for s in bad)
            out.append(f'    <{tag} message="{escape(entry.verdict, {chr(34): "&quot;"})}">{escape(printable(text))}</{tag}>')
        else:
            out.append(f"    <system-out>{escape(_verdict_counts(entry))}</system-out>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out)


def format_github(report: Report) -> str:
    """GitHub Actions annotations: an ``::error`` on the source line of each refuted step of a derivation,
    a ``::warning`` on each undecided one, and a ``::notice`` summary line."""
    from mathcheck.annotations import github_line

    lines = []
    for entry in report.entries:
        file, step_lines, first_line = _entry_location(entry.name)
        for step in entry.steps:
            if step.verdict not in (REFUTED, UNDECIDED):
                continue
            line = step_lines[step.index - 1] if step.index - 1 < len(step_lines) else first_line
            level = "error" if step.verdict == REFUTED else "warning"
            lines.append(github_line(level, f"step {step.index} {step.verdict}: {step.relation} {step.rhs} -- "
                                     f"{_describe(step.detail)}", file=file, line=line,
                                     title=f"mathcheck verify {entry.name}"))
    passed = sum(entry.passed for entry in report.entries)
    lines.append(github_line("notice", f"{passed}/{len(report.entries)} passed; steps: {_total_counts(report)}",
                             title="mathcheck verify"))
    return "\n".join(lines)


def _entry_location(name: str) -> tuple[str | None, list[int], int | None]:
    """The file that defines an entry, the line of each step (a derivation's calc call), and a line for
    steps that have none of their own (a check family's function)."""
    import inspect

    from mathcheck import registry
    from mathcheck.annotations import chain_step_lines

    module = registry.derivation_modules().get(name)
    if module is not None:
        return getattr(module, "__file__", None), chain_step_lines(module), None
    check = registry.provider_checks().get(name)
    try:
        run = inspect.unwrap(check.run)
        return inspect.getsourcefile(run), [], inspect.getsourcelines(run)[1]
    except (AttributeError, OSError, TypeError):
        return None, [], None


FORMATTERS = {"text": format_text, "json": format_json, "markdown": format_markdown, "junit": format_junit,
              "github": format_github}
