"""Text a reader never sees rendered is not read: a Markdown indented code block (CommonMark: four spaces or
a tab after a blank line, outside a list item) and a LaTeX ``\\iffalse ... \\fi`` (up to its ``\\else``).
Their macros, declarations and formulas do not count; the same text outside them does."""
import pytest

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import PROVED, REFUTED


def verdicts(name: str, text: str) -> list[str]:
    return [step.verdict for step in audit_document(parse_document(name, text)).steps]


MACRO = "\\newcommand{\\f}[1]{#1^2}"


@pytest.mark.parametrize("hidden", [
    "Old draft:\n\n    $\\renewcommand{\\f}[1]{#1^3}$\n",
    "Old draft:\n\n\t$\\renewcommand{\\f}[1]{#1^3}$\n",
])
def test_a_macro_in_an_indented_code_block_is_not_defined(hidden):
    text = f"${MACRO}$\n\n{hidden}\n$$ \\f{{2}} = 8 $$\n"
    assert verdicts("doc.md", text) == [REFUTED]


def test_a_sign_in_an_indented_code_block_is_not_declared():
    text = "The snippet is code:\n\n    Let $t > 0$.\n\n$$ |t| = t $$\n"
    assert verdicts("doc.md", text) == [REFUTED]


def test_an_indented_line_inside_a_list_item_is_still_prose():
    text = "- First item.\n\n    Let $t > 0$.\n\n$$ |t| = t $$\n"
    assert verdicts("doc.md", text) == [PROVED]


def test_a_formula_in_an_indented_code_block_is_no_step():
    assert verdicts("doc.md", "Code:\n\n    $$ 2 + 2 = 5 $$\n\n$$ 2 + 2 = 4 $$\n") == [PROVED]


def tex(body: str) -> str:
    return f"\\documentclass{{article}}\n{MACRO}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"


@pytest.mark.parametrize("hidden", [
    "\\iffalse \\renewcommand{\\f}[1]{#1^3} \\fi",
    "\\if0 \\renewcommand{\\f}[1]{#1^3} \\fi",
    "\\iffalse \\ifx\\a\\b x \\fi \\renewcommand{\\f}[1]{#1^3} \\fi",
])
def test_a_macro_inside_iffalse_is_not_defined(hidden):
    assert verdicts("doc.tex", tex(hidden + "\n\\begin{equation}\n\\f{2} = 8\n\\end{equation}")) == [REFUTED]


def test_the_else_branch_of_iffalse_is_read():
    body = "\\iffalse x \\else \\renewcommand{\\f}[1]{#1^3} \\fi\n\\begin{equation}\n\\f{2} = 8\n\\end{equation}"
    assert verdicts("doc.tex", tex(body)) == [PROVED]


def test_a_formula_inside_iffalse_is_no_step():
    body = "\\iffalse\n\\begin{equation}\n2 + 2 = 5\n\\end{equation}\n\\fi\n\\begin{equation}\n2 + 2 = 4\n\\end{equation}"
    assert verdicts("doc.tex", tex(body)) == [PROVED]


@pytest.mark.parametrize("hidden", [
    "<!-- old: $$ c := 3 $$ -->",
    "<!--\n$$ c := 3 $$\n-->",
    "```\n$$ c := 3 $$\n```",
    "- item one\n\n      $$ c := 3 $$",
])
def test_an_assignment_in_text_never_rendered_is_not_made(hidden):
    assert verdicts("doc.md", f"Define the constant below.\n\n{hidden}\n\n$$ c^2 = 9 $$\n") == [REFUTED]
