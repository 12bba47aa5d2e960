"""Jupyter display: chains typeset as aligned math, reports as HTML tables with a verdict per step."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sympy as sp

from mathcheck.calc import calc
from mathcheck.checker import check_chain
from mathcheck.code.report import CodeReport, Finding, FunctionReport
from mathcheck.registry import derivation_modules
from mathcheck.report import Report

x = sp.Symbol("x", real=True)
WRONG = calc((x + 1) ** 2, ("=", x**2 + 1, "the cross term forgotten"), name="wrong_square", title="t", source="s")
VOID = {"br", "hr", "img", "input", "meta", "link"}


class _Balance(HTMLParser):
    """Fails on a closing tag that does not close the innermost open one."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def well_formed(html: str) -> bool:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    return not parser.open


@pytest.fixture(scope="module")
def proved_entry():
    return check_chain(derivation_modules()["gaussian_kl_std"].CHAIN)


@pytest.fixture(scope="module")
def refuted_entry():
    return check_chain(WRONG)


def test_chain_latex_is_one_aligned_display():
    latex = derivation_modules()["gaussian_kl_std"].CHAIN._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("\\end{aligned}$$")


def test_chain_latex_has_one_row_per_expression():
    chain = derivation_modules()["gaussian_kl_std"].CHAIN
    assert chain._repr_latex_().count("\\\\") == len(chain.steps) + 1


def test_entry_html_is_well_formed(proved_entry):
    assert well_formed(proved_entry._repr_html_())


def test_entry_html_shows_every_step_as_math_with_its_verdict(proved_entry):
    html = proved_entry._repr_html_()
    assert html.count("<tr>") == len(proved_entry.steps) + 1  # the header row and one per step
    assert html.count("\\(") == len(proved_entry.steps) + 1  # the start and one per step
    assert html.count(">proved<") == len(proved_entry.steps) + 1  # each step and the entry


def test_refuted_step_shows_its_counterexample_beside_it(refuted_entry):
    html = refuted_entry._repr_html_()
    row = html[html.index("<tbody>"):]
    assert ">refuted<" in row and "counterexample" in row and "x = 1" in row


def test_report_html_lists_each_entry_and_expands_the_failing_one(proved_entry, refuted_entry):
    html = Report([proved_entry, refuted_entry], 1.0)._repr_html_()
    assert well_formed(html) and "NOT OK" in html
    assert html.count("the cross term forgotten") == 1 and "definition of KL" not in html


def test_step_report_html_is_well_formed(refuted_entry):
    assert well_formed(refuted_entry.steps[0]._repr_html_())


def test_audit_report_html_shows_each_step_as_written(tmp_path):
    from mathcheck.audit import audit_file

    path = tmp_path / "notes.md"
    path.write_text("$$\n(a+b)^2 = a^2 + 2ab + b^2\n$$\n\n$$\n(a+b)^2 = a^2 + b^2\n$$\n", encoding="utf-8")
    html = audit_file(str(path))._repr_html_()
    assert well_formed(html)
    assert "\\((a+b)^2 = a^2 + b^2\\)" in html and ">refuted<" in html and ">proved<" in html


def test_html_escapes_markup_in_reasons():
    report = CodeReport([FunctionReport("m.py::f", "kl", "torch", "logvar", "bug",
                                        [Finding("kl-form", "bug", "<script>alert(1)</script>")])])
    html = report._repr_html_()
    assert "<script>" not in html and well_formed(html)


def test_code_report_html_has_a_row_per_function():
    functions = [FunctionReport(f"m.py::f{i}", "kl", "torch", "logvar", "correct") for i in range(3)]
    assert CodeReport(functions)._repr_html_().count("<tr>") == 4
