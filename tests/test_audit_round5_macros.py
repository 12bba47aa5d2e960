"""In a LaTeX document every environment is a TeX group, as ``\\begingroup ... \\endgroup`` is: a macro
(re)defined inside one holds until it closes, and ``\\gdef`` escapes it. (MathJax in Markdown has one global
table, so there a definition holds from where it is made to the end.)"""
import pytest

from mathcheck.audit.macros import expand

PREAMBLE = "\\newcommand{\\f}[1]{#1^2}\n"


def tex_expanded(body: str) -> str:
    text = PREAMBLE + body
    return " ".join(expand(text, [(0, len(text))], {}, lambda offset: "here", grouped=True).text.split())


@pytest.mark.parametrize("opening, closing", [
    ("\\begin{lemma}", "\\end{lemma}"),
    ("\\begin{proof}", "\\end{proof}"),
    ("\\begin{equation}", "\\end{equation}"),
    ("\\begingroup", "\\endgroup"),
])
def test_a_redefinition_inside_an_environment_ends_with_it(opening, closing):
    found = tex_expanded(f"{opening} \\renewcommand{{\\f}}[1]{{#1^3}} \\f{{a}} {closing} \\f{{b}}")
    assert "a^3" in found and "b^2" in found, found


def test_gdef_inside_an_environment_outlives_it():
    found = tex_expanded("\\begin{lemma} \\gdef\\f#1{#1^3} \\end{lemma} \\f{b}")
    assert "b^3" in found, found


def test_nested_environments_restore_the_definition_of_each_level():
    found = tex_expanded("\\begin{proof} \\renewcommand{\\f}[1]{#1^3} \\begin{equation} "
                         "\\renewcommand{\\f}[1]{#1^4} \\f{a} \\end{equation} \\f{b} \\end{proof} \\f{c}")
    assert "a^4" in found and "b^3" in found and "c^2" in found, found


def test_a_markdown_definition_inside_an_environment_stays_global():
    text = "\\begin{aligned} \\newcommand{\\g}{y} \\end{aligned} \\g"
    found = expand(text, [(0, len(text))], {}, lambda offset: "here").text
    assert found.rstrip().endswith("y"), found
