"""``mathcheck audit`` reads a file by its format: Markdown, a LaTeX document, a Jupyter notebook (its
Markdown cells, located by cell and line); a file of no known format is refused unless it plainly is
Markdown. Each test document has correct steps and planted errors, and the verdict of every step is checked."""
import json

import nbformat
import pytest

from mathcheck.audit.formats import kind_of, plainly_markdown, read_source
from mathcheck.cli import main
from mathcheck.report import PROVED, REFUTED

UNPARSED = "unparsed"


def run_audit(capsys, path, *options: str) -> tuple[int, str, str]:
    code = main(["audit", str(path), *options])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def json_steps(capsys, path, *options: str) -> tuple[int, list[dict]]:
    code, out, err = run_audit(capsys, path, "--format", "json", *options)
    assert code in (0, 1), err
    return code, json.loads(out)["steps"]


def line_verdicts(steps: list[dict]) -> list[tuple[int, str]]:
    return [(step["line"], step["verdict"]) for step in steps]


# ---------------------------------------------------------------- which format


@pytest.mark.parametrize("name, kind", [
    ("post.md", "markdown"), ("post.markdown", "markdown"), ("POST.MD", "markdown"), ("report.qmd", "markdown"),
    ("analysis.Rmd", "markdown"), ("paper.tex", "latex"), ("notes.ipynb", "notebook"), ("notes.txt", None),
    ("README", None),
])
def test_the_format_of_a_file_is_its_extension(name, kind):
    assert kind_of(name) == kind


@pytest.mark.parametrize("text", [
    "---\ntitle: x\n---\n\n$$1 = 1$$\n",
    "# Notes\n\nSome text.\n",
    "Text.\n\n$$1 = 1$$\n",
    "```math\n1 = 1\n```\n",
])
def test_a_file_of_unknown_extension_that_is_plainly_markdown_is_read_as_markdown(tmp_path, capsys, text):
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_audit(capsys, path)
    assert code == 0 and not err, out + err


@pytest.mark.parametrize("text", [
    "just some words, no math\n",
    "\\documentclass{article}\n\\begin{document}\n$$1 = 2$$\n\\end{document}\n",
    '{"cells": []}\n',
    "\\section{Setup}\n$$1 = 2$$\n",
])
def test_a_file_of_unknown_extension_that_is_not_plainly_markdown_is_refused_in_one_line(tmp_path, capsys, text):
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_audit(capsys, path)
    assert code == 2 and not out and err.count("\n") == 1 and "unknown file type" in err and ".tex" in err, err


def test_plainly_markdown_needs_a_sign_of_markdown_with_math():
    assert plainly_markdown("# Title\n") and not plainly_markdown("plain words\n")


# ---------------------------------------------------------------- LaTeX documents

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\newcommand{\sq}[1]{#1^{2}}
\newcommand{\half}[1][x]{\frac{#1}{2}}
% a comment is not read: $$1 = 2$$
\begin{document}
\section{Setup}
Let $\sigma > 0$.
\begin{equation}
\log \sq{\sigma} = 2 \log \sigma \label{eq:log}
\end{equation}
\begin{align}
\sq{(a + b)} &= a^2 + 2ab + b^2 \nonumber \\
&= a^2 + b^2 \\
\half[4] &= 2
\end{align}
We say ``the $\tau$ of the paper'' here.
\[ \half + \half = x \]
\begin{verbatim}
$$1 = 2$$
\end{verbatim}
\begin{equation*}
\sqrt{\sq{\rho}} = \rho
\end{equation*}
\end{document}
"""
PAPER_VERDICTS = [(10, PROVED), (13, PROVED), (14, REFUTED), (15, PROVED), (18, PROVED), (23, REFUTED)]


def test_a_latex_paper_is_read_with_its_preamble_macros_and_math_environments(tmp_path, capsys):
    path = tmp_path / "paper.tex"
    path.write_text(PAPER, encoding="utf-8")
    code, steps = json_steps(capsys, path)
    assert code == 1 and line_verdicts(steps) == PAPER_VERDICTS, steps


def test_a_step_of_a_latex_paper_is_shown_as_written_with_its_macros(tmp_path, capsys):
    path = tmp_path / "paper.tex"
    path.write_text(PAPER, encoding="utf-8")
    _, steps = json_steps(capsys, path)
    assert (steps[0]["lhs"], steps[0]["rhs"]) == ("\\log \\sq{\\sigma}", "2 \\log \\sigma"), steps[0]


@pytest.mark.parametrize("opening", [
    "\\section{Setup}\n", "\\subsection*{Setup}\n", "\\begin{document}\n", "\\noindent ", "\\paragraph{Setup.} ",
    "\\begin{lemma}[Scale]\n", "\\item ", "\\medskip\n\\noindent\n",
])
def test_a_latex_structure_command_before_let_does_not_block_the_declaration(tmp_path, capsys, opening):
    path = tmp_path / "paper.tex"
    path.write_text(f"{opening}Let $\\sigma > 0$.\n\\[ \\sqrt{{\\sigma^2}} = \\sigma \\]\n", encoding="utf-8")
    code, steps = json_steps(capsys, path)
    assert code == 0 and [step["verdict"] for step in steps] == [PROVED], steps


@pytest.mark.parametrize("prose", [
    "We say ``let $\\sigma > 0$'' here.\n",  # TeX quote marks
    "% Let $\\sigma > 0$.\n",  # a comment
    "\\footnote{Let $\\sigma > 0$.}\n",
])
def test_latex_prose_that_is_not_a_plain_statement_declares_nothing(tmp_path, capsys, prose):
    """Never proved: refuted, or undecided where the sentence states the condition without declaring it."""
    path = tmp_path / "paper.tex"
    path.write_text(f"{prose}\\[ \\sqrt{{\\sigma^2}} = \\sigma \\]\n", encoding="utf-8")
    code, steps = json_steps(capsys, path)
    assert code == 1 and [step["verdict"] for step in steps] in ([REFUTED], ["undecided"]), steps


def test_backticks_in_latex_are_quote_marks_not_code_that_hides_math(tmp_path, capsys):
    path = tmp_path / "paper.tex"
    path.write_text("A ``quoted'' word.\n\n\\[ 1 = 2 \\]\n\nAnd ``another''.\n", encoding="utf-8")
    code, steps = json_steps(capsys, path)
    assert code == 1 and line_verdicts(steps) == [(3, REFUTED)], steps


def test_a_display_environment_of_a_package_in_latex_is_reported_by_name(tmp_path, capsys):
    path = tmp_path / "paper.tex"
    path.write_text("\\begin{IEEEeqnarray}{rCl}\n1 & = & 2\n\\end{IEEEeqnarray}\n", encoding="utf-8")
    code, steps = json_steps(capsys, path)
    assert code == 1 and [s["verdict"] for s in steps] == [UNPARSED] and "IEEEeqnarray" in steps[0]["reason"], steps


# ---------------------------------------------------------------- notebooks


def write_notebook(path, cells) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
                      for kind, text in cells]
    nbformat.write(notebook, str(path))


NOTEBOOK = [
    ("md", "# Gaussian scales\n\nLet $\\sigma > 0$."),
    ("code", "import torch\n# $$1 = 2$$ in a code cell is code"),
    ("md", "$$\\log \\sigma^2 = 2 \\log \\sigma$$\n\nA planted error:\n\n$$(a + b)^2 = a^2 + b^2$$"),
    ("md", "$$\n(a - b)^2 = a^2 - 2ab + b^2\n$$\n\n$$\n= b^2 - 2ab + a^2\n$$"),
]
NOTEBOOK_PLACES = [(3, 1, PROVED), (3, 5, REFUTED), (4, 2, PROVED), (4, 6, PROVED)]


def test_a_notebook_reads_its_markdown_cells_in_order_with_cell_numbers(tmp_path, capsys):
    path = tmp_path / "notes.ipynb"
    write_notebook(path, NOTEBOOK)
    code, steps = json_steps(capsys, path)
    assert code == 1 and [(s["cell"], s["cell_line"], s["verdict"]) for s in steps] == NOTEBOOK_PLACES, steps


def test_a_notebook_step_line_is_the_line_of_the_json_file_that_holds_it(tmp_path, capsys):
    path = tmp_path / "notes.ipynb"
    write_notebook(path, NOTEBOOK)
    _, steps = json_steps(capsys, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert steps and all(json.dumps(step["rhs"])[1:-1] in lines[step["line"] - 1] for step in steps), steps


def test_the_text_report_of_a_notebook_names_the_cell_and_the_line_in_it(tmp_path, capsys):
    path = tmp_path / "notes.ipynb"
    write_notebook(path, NOTEBOOK)
    _, out, _ = run_audit(capsys, path)
    assert f"{path}:cell 3:5: refuted" in out and f"{path}:cell 3:1: proved" in out, out


def test_the_github_annotation_of_a_notebook_points_at_the_json_line(tmp_path, capsys):
    path = tmp_path / "notes.ipynb"
    write_notebook(path, NOTEBOOK)
    _, steps = json_steps(capsys, path)
    _, out, _ = run_audit(capsys, path, "--format", "github")
    refuted = next(step for step in steps if step["verdict"] == REFUTED)
    assert f"line={refuted['line']}," in out and "cell 3, line 5" in out, out


def test_an_unclosed_display_in_one_cell_does_not_swallow_the_next_cell(tmp_path, capsys):
    path = tmp_path / "notes.ipynb"
    write_notebook(path, [("md", "$$1 = 1"), ("md", "$$1 = 2$$")])
    code, steps = json_steps(capsys, path)
    assert code == 1 and [(s["cell"], s["verdict"]) for s in steps] == [(1, UNPARSED), (2, REFUTED)], steps


def test_a_notebook_whose_sources_are_single_strings_is_located_by_cell(tmp_path, capsys):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "Intro.\n\n$$1 = 2$$"},
             {"cell_type": "markdown", "metadata": {}, "source": "$$2 = 2$$"}]
    path = tmp_path / "notes.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1),
                    encoding="utf-8")
    code, steps = json_steps(capsys, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert code == 1 and [(s["cell"], s["cell_line"], s["verdict"]) for s in steps] == [(1, 3, REFUTED),
                                                                                        (2, 1, PROVED)], steps
    assert "$$1 = 2$$" in lines[steps[0]["line"] - 1] and "$$2 = 2$$" in lines[steps[1]["line"] - 1]


def test_a_notebook_of_nbformat_3_reads_its_worksheet_cells(tmp_path):
    notebook = {"worksheets": [{"cells": [{"cell_type": "heading", "level": 2, "source": ["Setup"]},
                                          {"cell_type": "markdown", "source": ["$$1 = 1$$\n"]}]}], "nbformat": 3}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    source = read_source(str(path))
    assert "## Setup" in source.text and "$$1 = 1$$" in source.text
    assert sorted(place.cell for place in source.cells.values()) == [1, 2]


@pytest.mark.parametrize("content, said", [
    ("{not json", "not a Jupyter notebook"),
    ('{"metadata": {}}', "no \"cells\""),
    ('{"cells": [{"cell_type": "markdown", "source": 5}]}', "not text"),
    ('[1, 2]', "no \"cells\""),
])
def test_a_broken_notebook_is_refused_in_one_line(tmp_path, capsys, content, said):
    path = tmp_path / "notes.ipynb"
    path.write_text(content, encoding="utf-8")
    code, out, err = run_audit(capsys, path)
    assert code == 2 and not out and err.count("\n") == 1 and said in err, err
