"""Round 6 (prose): \\intertext read as prose at its place, prose re-assignments after a display definition,
e and π named in Japanese, piecewise prose definitions whose other piece is in words, T named a number in
Japanese."""
from __future__ import annotations

import pytest

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import PROVED, REFUTED

VERIFIED = ("proved", "holds", "definition")


def steps(text: str, path: str = "doc.md") -> list[tuple[str, str, str]]:
    return [(step.verdict, step.rhs or step.lhs, step.reason)
            for step in audit_document(parse_document(path, text)).steps]


def last(text: str, path: str = "doc.md") -> tuple[str, str, str]:
    return steps(text, path)[-1]


def align(rows: str, markdown: bool = False) -> str:
    body = "\\begin{align}\n" + rows + "\n\\end{align}\n"
    return f"$$\n{body}$$\n" if markdown else body


# -- T1: the prose of an \intertext is read at its place, and the chain is cut there

@pytest.mark.parametrize("markdown", [False, True])
@pytest.mark.parametrize("intertext", [
    r"\intertext{Now let $t < 0$ instead.}",
    r"\shortintertext{From now on $t$ is an arbitrary real number.}",
    r"\intertext{Suppose now that $t < 0$.}",
])
def test_an_intertext_revision_of_a_sign_applies_to_the_rows_after_it(markdown, intertext):
    text = "Let $t > 0$.\n\n" + align(r"\sqrt{t^2} &= t \\" + "\n" + intertext + "\n" + r"\sqrt{t^2} &= t", markdown)
    found = steps(text, "doc.md" if markdown else "doc.tex")
    last_row = [verdict for verdict, shown, _ in found if shown.strip() == "t"]
    assert len(last_row) == 2 and last_row[0] == PROVED, found
    assert last_row[1] not in VERIFIED, found


@pytest.mark.parametrize("markdown", [False, True])
@pytest.mark.parametrize("intertext", [r"\intertext{where $c := 3$}", r"\intertext{where $c = 3$.}",
                                       r"\intertext{ここで $c = 3$ とする。}", r"\shortintertext{let $c \coloneqq 3$}"])
def test_an_intertext_value_is_put_in_the_rows_after_it(markdown, intertext):
    text = align("y &= y \\\\\n" + intertext + "\n" + r"c^2 &= 9 \\" + "\nc^2 &= 10", markdown)
    found = steps(text, "doc.md" if markdown else "doc.tex")
    assert [verdict for verdict, _, _ in found] == [PROVED, PROVED, REFUTED], found


def test_an_intertext_withdrawal_frees_an_assigned_value():
    text = "$$c := 2$$\n\n" + align(r"c^2 &= 4" + "\n" + r"\intertext{From now on $c$ is an arbitrary real number.}"
                                    + "\nc^2 &= 4", markdown=True)
    found = steps(text)
    assert found[1][0] == PROVED and found[-1][0] not in VERIFIED, found


def test_a_row_after_an_intertext_that_opens_with_a_relation_continues_the_row_before():
    text = align(r"(a+b)^2 &= a^2 + 2ab + b^2 \\" + "\n" + r"\intertext{and therefore}" + "\n" + r"&= b^2 + 2ab + a^2")
    found = steps(text, "doc.tex")
    assert [verdict for verdict, _, _ in found] == [PROVED, PROVED], found


def test_a_row_after_an_intertext_without_a_relation_starts_a_new_chain():
    text = align(r"a &= a \\" + "\n" + r"\intertext{and}" + "\n" + r"b + 1 \\ &= 1 + b")
    found = steps(text, "doc.tex")
    assert [verdict for verdict, _, _ in found] == [PROVED, PROVED], found
    assert "a" not in found[-1][2].split("[")[0].split(), found


def test_a_claim_in_an_intertext_is_still_checked():
    text = align(r"1 &= 1" + "\n" + r"\intertext{so $2 = 3$}" + "\n" + "1 &= 1")
    assert REFUTED in [verdict for verdict, _, _ in steps(text, "doc.tex")]


def test_an_intertext_condition_is_a_hypothesis_of_the_rows_after_it_not_of_the_row_before():
    text = "Let $x$ be real.\n" + align(r"\sqrt{x^2} &= x" + "\n" + r"\intertext{and for $x > 0$ we have}" + "\n"
                                        + r"\sqrt{x^2} &= x")
    found = steps(text, "doc.tex")
    assert found[0][0] not in VERIFIED and found[-1][0] == PROVED, found


def test_an_align_opening_with_an_intertext_reads_no_empty_formula():
    text = align(r"\intertext{Let $c := 3$.}" + "\n" + "c^2 &= 9", markdown=True)
    assert [verdict for verdict, _, _ in steps(text)] == [PROVED]


# -- K8: a prose value given after a display definition applies from its place

@pytest.mark.parametrize("prose", ["Next we take $c := 3$.", "Now set $c = 3$.", "From now on $c$ is now $3$.",
                                   "以下では $c = 3$ とする。", "以下では $c$ を $3$ とする。", "We now let $c = 3$.",
                                   "Let $c = 3$."])
def test_a_later_prose_value_replaces_the_display_value(prose):
    text = f"$$c := 2$$\n\n{prose}\n\n$$c^2 = 4$$\n\n$$c^2 = 9$$\n"
    found = steps(text)
    assert found[-2][0] not in VERIFIED and found[-1][0] == PROVED, found


def test_an_announced_change_of_value_is_no_alarm():
    found = steps("$$c := 2$$\n\nNext we take $c := 3$.\n\n$$c^2 = 9$$\n")
    assert all(verdict in VERIFIED for verdict, _, _ in found), found


def test_an_example_value_still_leaves_the_assignment():
    found = steps("$$c := 2$$\n\nFor example, take $c = 3$: then it is odd.\n\n$$c^2 = 4$$\n")
    assert found[-1][0] == PROVED, found


# -- K1: e and π named in Japanese (and more English wordings) are the document's own

@pytest.mark.parametrize("prose, formula", [
    (r"$\pi$ を混合比とする。", r"\sin(\pi) = 0"),
    (r"ここで $\pi$ は混合重みである。", r"\cos(\pi) = -1"),
    (r"$e$ を誤差とする。", r"\log e = 1"),
    (r"$e$ は再構成誤差を表す。", r"\log e = 1"),
    (r"混合比 $\pi$ を固定する。", r"\sin(\pi) = 0"),
    (r"where $\pi$ denotes the prior probability of a class.", r"\sin(\pi) = 0"),
    (r"Here $\pi_k$ are the mixing proportions.", r"\sin(\pi) = 0"),
    (r"The weights $\pi_k$ sum to one, and the weight $\pi$ is fixed.", r"\sin(\pi) = 0"),
    (r"We fix the weight $\pi$.", r"\cos(\pi) = -1"),
])
def test_a_named_role_of_a_builtin_constant_is_never_the_builtin(prose, formula):
    verdict, _, reason = last(f"{prose}\n\n$${formula}$$\n")
    assert verdict not in VERIFIED, (verdict, reason)


@pytest.mark.parametrize("prose, formula", [
    (r"$e$ は自然対数の底とする。", r"\log e = 1"),
    (r"$\pi$ は円周率である。", r"\sin(\pi) = 0"),
    (r"$e$ を誤差とする値と比べる。ここで $\log$ は自然対数。", r"\log 1 = 0"),
])
def test_the_builtin_named_in_japanese_stays_the_builtin(prose, formula):
    verdict, _, reason = last(f"{prose}\n\n$${formula}$$\n")
    assert verdict == PROVED, (verdict, reason)


# -- K2: every piece of a piecewise prose definition is read, or the definition refused

@pytest.mark.parametrize("prose", [
    r"Let $f(x) = x$ for $x \geq 0$, and zero otherwise.",
    r"Let $f(x) = x$ for $x \geq 0$ and $0$ otherwise.",
    r"Let $f(x) = x$ for $x \geq 0$, and zero for negative $x$.",
    r"Let $f(x) = x$ for $x \geq 0$ and $-x$ elsewhere.",
    r"Let $f(x) = x$ for $x \geq 0$, and it vanishes for negative $x$.",
    r"$x \geq 0$ のとき $f(x) = x$、それ以外では $0$ とする。",
    r"$x \geq 0$ のとき $f(x) = x$ とする。",
])
def test_a_piece_given_in_words_is_never_dropped(prose):
    verdict, _, reason = last(f"{prose}\n\n$$f(-1) = -1$$\n")
    assert verdict not in VERIFIED, (verdict, reason)


@pytest.mark.parametrize("prose, formula", [
    (r"Let $f(x) = x$ for $x \geq 0$, and zero otherwise.", "f(-1) = 0"),
    (r"Let $f(x) = x$ for $x \geq 0$ and $-x$ elsewhere.", "f(-2) = 2"),
    (r"$x \geq 0$ のとき $f(x) = x$、それ以外では $0$ とする。", "f(-1) = 0"),
    (r"Let $f(x) = x$ for $x \geq 0$ and $0$ otherwise.", "f(3) = 3"),
    (r"Define $f(x) = x$ if $x \ge 0$, and $0$ if $x < 0$.", "f(-2) = 0"),
    (r"Let $f(x) = x^2$ when $x > 0$, and otherwise it is zero.", "f(-2) = 0"),
])
def test_a_piece_given_in_words_is_read(prose, formula):
    verdict, _, reason = last(f"{prose}\n\n$${formula}$$\n")
    assert verdict == PROVED, (verdict, reason)


# -- K9: T named a number in Japanese (or in more English words) makes A^T ambiguous

@pytest.mark.parametrize("prose", [r"$T$ をステップ数とし、$A$ を行列とする。", r"$T$ は時刻の総数、$A$ は行列である。",
                                   r"Let $T$ be the number of steps and $A$ a matrix.",
                                   r"The number of time steps $T$ is fixed; $A$ is a matrix."])
def test_a_number_t_makes_a_transpose_ambiguous(prose):
    verdict, _, reason = last(f"{prose}\n\n$$(A B)^T = B^T A^T$$\n")
    assert verdict not in VERIFIED, (verdict, reason)


def test_a_transpose_without_a_number_t_still_reads():
    verdict, _, reason = last("$T$ は転置を表し、$A$, $B$ は行列とする。\n\n$$(A B)^T = B^T A^T$$\n")
    assert verdict in VERIFIED, (verdict, reason)


def test_a_piece_of_the_function_itself_in_words_is_refused_not_read_as_recursion():
    verdict, _, reason = last("Let $f(x) = x^2$ when $x > 0$; otherwise $f(x)$ is $0$.\n\n$$f(-1) = 1$$\n")
    assert verdict not in VERIFIED, (verdict, reason)


def test_a_later_prose_value_in_latex_replaces_the_display_value():
    text = "\\[ c := 2 \\]\nNext we take $c := 3$.\n\\[ c^2 = 4 \\]\n"
    assert last(text, "doc.tex")[0] not in VERIFIED


@pytest.mark.parametrize("markdown", [False, True])
@pytest.mark.parametrize("first, command, lead", [
    (r"\sqrt{x^2} &= |x|", "intertext", "and for"),
    (r"|x| &= x", "shortintertext", "for"),
    (r"\sqrt{x^2} &= x", "intertext", "and if"),
])
def test_a_condition_in_an_intertext_after_a_row_is_not_taken_as_that_row_s(markdown, first, command, lead):
    text = "Let $x$ be real.\n" + align(first + "\n" + f"\\{command}{{{lead} $x > 0$ we have}}" + "\n"
                                        + r"\sqrt{x^2} &= x", markdown)
    assert steps(text, "doc.md" if markdown else "doc.tex")[-1][0] == PROVED
