"""Rich display in Jupyter: chains, step reports, audit and check-code reports show themselves.

Each report class has a ``_repr_html_`` that calls one of the functions here: a table with the steps
written as math (``\\(...\\)``, which Jupyter typesets with MathJax), each step's verdict and reason, and a
refuted step's counterexample beside it. A :class:`mathcheck.calc.Chain` has a ``_repr_latex_`` instead.
"""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from mathcheck.audit.check import AuditReport
    from mathcheck.code.report import CodeReport
    from mathcheck.report import EntryReport, Report

COLOURS = {"proved": "#1a7f37", "holds": "#1f6feb", "definition": "#6e7781", "correct": "#1a7f37",
           "convention": "#9a6700", "refuted": "#cf222e", "bug": "#cf222e", "undecided": "#9a6700",
           "unparsed": "#9a6700"}
_LATEX_RELATION = {"=": "=", "<=": "\\leq", ">=": "\\geq", "<": "<", ">": ">", ":=": ":=", "~": "\\sim"}


def badge(verdict: str) -> str:
    colour = COLOURS.get(verdict, "#57606a")
    return f'<span style="color:{colour};font-weight:bold">{escape(verdict)}</span>'


def math(latex: str) -> str:
    """Inline math for MathJax; the HTML is escaped, the TeX is not changed."""
    return f"\\({escape(latex, quote=False)}\\)" if latex.strip() else ""


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = "".join(f'<th style="text-align:left">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="text-align:left">{cell}</td>' for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def counterexample_html(detail: dict[str, Any]) -> str:
    """A refuted step's witness: the values of its world and both sides there (and the symbolic
    difference of the sides when the checker found one)."""
    found = detail.get("counterexample")
    if not found:
        return ""
    if not isinstance(found, dict):
        return f"<b>counterexample</b>: {escape(str(found))}"
    world = found.get("world", {})
    values = [f"{escape(str(k))} = {escape(_short(v))}" for k, v in (world.items() if isinstance(world, dict) else [])
              if k not in ("family", "boundary case")]
    sides = [f"{side} = {escape(_short(found[side]))}" for side in ("lhs", "rhs") if side in found]
    shown = f"<b>counterexample</b>: {', '.join(values) or escape(str(world))}; {', '.join(sides)}"
    difference = detail.get("difference") or found.get("difference")
    return shown + (f"<br>the sides differ by <code>{escape(str(difference))}</code>" if difference else "")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _reason(detail: dict[str, Any]) -> str:
    """The detail shown beside a step: its counterexample when refuted, otherwise its reason."""
    if detail.get("counterexample"):
        return counterexample_html(detail)
    for key in ("reason", "rule", "summary", "method"):
        if detail.get(key):
            return escape(str(detail[key]))
    return ""


def step_html(step: Any) -> str:
    """One step report on its own (its expressions as text: the chain that typesets them is not at hand)."""
    return table(["#", "step", "why", "verdict", "detail"],
                 [[str(step.index), f"<code>{escape(step.lhs)} {escape(step.relation)} {escape(step.rhs)}</code>",
                   escape(step.why), badge(step.verdict), _reason(step.detail)]])


def entry_html(entry: "EntryReport") -> str:
    """One derivation: its conclusion, then each step with its verdict, reason and counterexample."""
    from mathcheck.vocab import to_latex

    chain = getattr(entry, "chain", None)
    expressions = chain.expressions if chain is not None else None
    rows = []
    for step in entry.steps:
        if expressions is not None and step.index < len(expressions):
            shown = math(f"{_LATEX_RELATION.get(step.relation, step.relation)} {to_latex(expressions[step.index])}")
        else:
            shown = f"<code>{escape(step.relation)} {escape(step.rhs)}</code>"
        rows.append([str(step.index), shown, escape(step.why), badge(step.verdict),
                     _reason(step.detail)])
    start = math(to_latex(expressions[0])) if expressions is not None else f"<code>{escape(entry.conclusion)}</code>"
    title = f": {escape(entry.title)}" if entry.title else ""
    where = ", ".join(part for part in (escape(entry.source), f"{entry.seconds:.2f} s") if part)
    return (f"<p><b>{escape(entry.name)}</b>{title} {badge(entry.verdict)} "
            f"<small>({where})</small></p><p>{start}</p>"
            + table(["#", "step", "why", "verdict", "detail"], rows))


def report_html(report: "Report") -> str:
    """verify / verify-all: one row per entry, then the steps of every entry that did not pass."""
    rows = [[f"<code>{escape(e.name)}</code>", badge(e.verdict), escape(_counts(e.steps)), f"{e.seconds:.2f}"]
            for e in report.entries]
    failing = "".join(entry_html(e) for e in report.entries if not e.passed)
    return (table(["entry", "verdict", "steps", "seconds"], rows)
            + f"<p><b>{'OK' if report.ok else 'NOT OK'}</b> in {report.seconds:.2f} s</p>" + failing)


def _counts(steps) -> str:
    counts: dict[str, int] = {}
    for step in steps:
        counts[step.verdict] = counts.get(step.verdict, 0) + 1
    return ", ".join(f"{n} {verdict}" for verdict, n in counts.items())


def audit_html(report: "AuditReport") -> str:
    """An audit: each step as written in the document, with its line, verdict and reason."""
    rows = []
    for step in report.steps:
        written = f"{step.lhs} {_LATEX_RELATION.get(step.relation, step.relation)} {step.rhs}" if step.relation \
            else step.rhs
        rows.append([str(step.line), math(written), badge(step.verdict),
                     counterexample_html(step.detail) or escape(step.reason)])
    status = "OK" if report.ok else "NOT OK"
    return (f"<p><b>{escape(report.file)}</b>: {len(report.steps)} step{'s' if len(report.steps) != 1 else ''}, "
            f"{escape(_counts(report.steps))}: <b>{status}</b></p>"
            + table(["line", "step", "verdict", "reason"], rows))


def code_html(report: "CodeReport") -> str:
    """check-code: one row per function, with its findings and their evidence."""
    rows = []
    for function in report.functions:
        findings = "<br>".join(f"{badge(f.severity)} <code>{escape(f.code)}</code>: {escape(f.message)}"
                               for f in function.findings) or escape(function.reason)
        rows.append([f"<code>{escape(function.target)}</code>", escape(function.role or ""),
                     escape(function.framework or ""), escape(function.parameterization or ""),
                     badge(function.verdict), findings])
    return (table(["function", "role", "framework", "parameterization", "verdict", "findings"], rows)
            + f"<p><b>{'OK' if report.ok else 'NOT OK'}</b> in {report.seconds:.2f} s</p>")


def chain_latex(chain: Any) -> str:
    """A chain as one aligned display: the start, then relation, expression and justification per step."""
    body = chain.render(latex=True).splitlines()[1:]  # without the leading % comment
    return "$$" + "\n".join(body) + "$$"


__all__ = ["audit_html", "badge", "chain_latex", "code_html", "entry_html", "math", "report_html", "step_html", "table"]
