"""The document layer of ``mathcheck audit``: what is a display and what is inline, how a display's rows and
annotations are read, how a display that opens with a relation continues the one before, and which prose
sentences declare. Each full document below has correct steps and planted errors; the verdict of every
step is checked by line."""
import json

import pytest

from mathcheck.cli import main
from mathcheck.report import PROVED, REFUTED, UNDECIDED

UNPARSED = "unparsed"
SQRT = "$$\\sqrt{\\sigma^2} = \\sigma$$"


def audit(tmp_path, capsys, text: str, name: str = "doc.md") -> tuple[int, list[dict]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and code in (0, 1), captured.err
    return code, json.loads(captured.out)["steps"]


def by_line(steps: list[dict]) -> list[tuple[int, str]]:
    return [(step["line"], step["verdict"]) for step in steps]


def verdicts(steps: list[dict]) -> list[str]:
    return [step["verdict"] for step in steps]


# ---------------------------------------------------------------- a kramdown blog post

KRAMDOWN_POST = r"""---
layout: post
title: "Two identities and two slips"
---

## Setup
Let $$\sigma > 0$$. The claim $$x = 2$$ in this sentence is inline math, not a step, and so is $$x$$.

$$
\log \sigma^2 = 2 \log \sigma \tag{1}\label{eq:log}
$$

$$
\begin{aligned}
(a + b)^2 &= a^2 + 2ab + b^2 \\
          &= a^2 + b^2 % planted: the cross term is dropped
\end{aligned}
$$

From now on, let $$\tau > 0$$.

$$\sqrt{\tau^2} = \tau$$

$$(a - b)^2 = a^2 - 2ab + b^2$$

which we rewrite as

$$= (b - a)^2$$

$$= b^2 - a^2$$
"""
KRAMDOWN_VERDICTS = [(10, PROVED), (15, PROVED), (16, REFUTED), (22, PROVED), (24, PROVED), (28, PROVED),
                     (30, REFUTED)]


def test_every_line_of_a_kramdown_post_gets_its_verdict(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, KRAMDOWN_POST)
    assert code == 1 and by_line(steps) == KRAMDOWN_VERDICTS, steps


def test_a_display_that_opens_with_a_relation_shows_the_expression_it_continues(tmp_path, capsys):
    _, steps = audit(tmp_path, capsys, KRAMDOWN_POST)
    continued = [step for step in steps if step["line"] == 28][0]
    assert (continued["lhs"], continued["rhs"]) == ("a^2 - 2ab + b^2", "(b - a)^2"), continued


# ---------------------------------------------------------------- display rules


@pytest.mark.parametrize("display, expected", [
    ("\\begin{align}\nx &= x \\tag{a}\\label{eq:x} \\\\\n&= 2x - x \\nonumber \\\\\n&= 3x - 2x \\notag\n\\end{align}",
     [PROVED, PROVED, PROVED]),
    ("$$\\begin{aligned} x &= x + 0 \\newline &= 2x - x \\newline &= 3x \\end{aligned}$$", [PROVED, PROVED, REFUTED]),
    ("$$1 = 1 % = 2\n$$", [PROVED]),
    ("$$ 1 = 1 \\% 2 $$", [UNPARSED]),  # an escaped percent is no comment: it stays and is refused
    ("\\begin{equation}\\begin{split}\na &= a + 0 \\\\\n&= 2a - a\n\\end{split}\\end{equation}", [PROVED, PROVED]),
    ("\\[ 2 = 1 + 1 \\tag*{(by counting)} \\]", [PROVED]),
])
def test_display_annotations_rows_and_comments_are_read_as_written(tmp_path, capsys, display, expected):
    _, steps = audit(tmp_path, capsys, display + "\n")
    assert verdicts(steps) == expected, steps


@pytest.mark.parametrize("document, expected", [
    ("$$a + a = 2a$$\n$$= a \\cdot 2$$\n", [PROVED, PROVED]),
    ("$$a + a = 2a$$\n$$= 3a$$\n", [PROVED, REFUTED]),
    ("$$a + a = 2a$$\n\nSo by the rule above we get\n\n$$= a + a$$\n", [PROVED, PROVED]),
    ("\\[ a + a = 2a \\]\n\\begin{equation}\n= 2a + 1\n\\end{equation}\n", [PROVED, REFUTED]),
    ("$$\\begin{aligned} a &= a + 0 \\\\ &= 2a - a \\end{aligned}$$\n$$\\leq 2a - a + 1$$\n", [PROVED, PROVED, PROVED]),
    ("$$= 1$$\n", [UNPARSED]),  # nothing before it to continue
    ("$$a + a = 2a$$\n\n```\ncode\n```\n\n$$= 2a$$\n", [PROVED, UNPARSED]),  # a code block ends the derivation
])
def test_a_display_that_opens_with_a_relation_continues_the_chain_of_the_display_before(tmp_path, capsys,
                                                                                       document, expected):
    _, steps = audit(tmp_path, capsys, document)
    assert verdicts(steps) == expected, steps


# ---------------------------------------------------------------- $$ inside a line of prose (kramdown)


@pytest.mark.parametrize("line", [
    "The value $$a = b$$ is written inline.",
    "We take $$x$$ as given.",
    "See $$\\log p(x) \\geq 0$$, which holds here.",
    "Inline at the end: $$y$$",
])
def test_double_dollars_inside_a_line_of_prose_are_inline_math_not_a_step(tmp_path, capsys, line):
    code, steps = audit(tmp_path, capsys, f"{line}\n")
    assert steps == [] and code == 0, steps


@pytest.mark.parametrize("document, expected", [
    ("$$a = a$$ $$1 = 2$$\n", [PROVED, REFUTED]),  # two displays on one line: no prose beside them
    ("1. $$1 = 2$$\n", [REFUTED]),  # a display in a list item
    ("> $$1 = 2$$\n", [REFUTED]),  # and in a quote
    ("$$1 = 2$$.\n", [REFUTED]),  # punctuation after a display
    ("Text before\n$$1 = 2$$\ntext after\n", [REFUTED]),  # on a line of its own inside a paragraph
    ("We get $$\n1 = 2\n$$\n", [REFUTED]),  # a $$ block over several lines is a display wherever it opens
    ("$$1 = 2$$ (3)\n", [REFUTED]),  # an equation number written after it
])
def test_double_dollars_without_prose_beside_them_are_a_display(tmp_path, capsys, document, expected):
    code, steps = audit(tmp_path, capsys, document)
    assert code == 1 and verdicts(steps) == expected, steps


def test_inline_double_dollars_declare_like_single_dollars(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, f"Let $$\\sigma > 0$$.\n\n{SQRT}\n")
    assert code == 0 and verdicts(steps) == [PROVED], steps


# ---------------------------------------------------------------- declarations


@pytest.mark.parametrize("prose", [
    "## Setup\nLet $\\sigma > 0$.",
    "# Notes on scales\nLet $\\sigma > 0$.",
    "Setup\n=====\nLet $\\sigma > 0$.",
    "From here on let $\\sigma > 0$.",
    "From now on, let $\\sigma > 0$.",
    "Henceforth, let $\\sigma > 0$.",
    "In what follows, assume that $\\sigma > 0$.",
    "Throughout this post, let $\\sigma > 0$.",
    "For simplicity, let $\\sigma > 0$.",
    "We study a scale. Now let $\\sigma > 0$.",
    "- Let $\\sigma > 0$.",
    "1) Let $\\sigma > 0$.",
    "**Setup.** Let $\\sigma > 0$.",
    "*Assumption:* let $\\sigma > 0$.",
    "Setup: let $\\sigma > 0$.",
    "(i) Let $\\sigma > 0$.",
    "From this point on, let $\\sigma > 0$.",
    "## Setup\nFrom here on, let $\\sigma > 0$.",
    "where $a > 0$ and $\\sigma > 0$.",
])
def test_a_plain_declaration_after_a_heading_label_or_discourse_phrase_declares(tmp_path, capsys, prose):
    code, steps = audit(tmp_path, capsys, f"{prose}\n\n{SQRT}\n")
    assert code == 0 and verdicts(steps) == [PROVED], steps


@pytest.mark.parametrize("prose", [
    "**Wrong:** let $\\sigma > 0$.",
    "**Exercise.** Let $\\sigma > 0$.",
    "*Not assumed:* let $\\sigma > 0$.",
    "Wrong: let $\\sigma > 0$.",
    "Claim: let $\\sigma > 0$.",
    "From now on, we do not assume $\\sigma > 0$.",
    "From here on, is $\\sigma > 0$?",
    "In this case, let $\\sigma > 0$.",
    "Henceforth $\\sigma > 0$ is not assumed.",
    "## Setup\nIf $\\sigma > 0$ were true, we could go on.",
    "- Suppose, for contradiction, that $\\sigma > 0$.",
    "For simplicity, we might let $\\sigma > 0$.",
    "From now on, let $\\sigma > 0$ or $\\sigma < 0$.",
])
def test_a_negated_hedged_or_labelled_sentence_after_such_an_opening_declares_nothing(tmp_path, capsys, prose):
    """Never proved. Refuted, or undecided where the sentence states the condition but is not read as a
    declaration (the reason names the sentence: with it the step would be proved, without it it is refuted)."""
    code, steps = audit(tmp_path, capsys, f"{prose}\n\n{SQRT}\n")
    assert code == 1 and verdicts(steps) in ([REFUTED], [UNDECIDED]), steps
    if verdicts(steps) == [UNDECIDED]:
        assert "not read as a declaration" in steps[0]["reason"] and "without it: counterexample" in steps[0]["reason"]


def test_a_heading_ends_the_sentence_above_it(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, f"We never assume\n## Let $\\sigma > 0$.\n\n{SQRT}\n")
    assert code == 1 and verdicts(steps) == [REFUTED], steps


def test_an_undecided_lone_formula_in_a_display_is_still_reported(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$x$$\n")
    assert code == 1 and verdicts(steps) == [UNDECIDED], steps
