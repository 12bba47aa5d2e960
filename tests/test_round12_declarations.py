"""Round 12, counts written as authors write them are read, and a heading's signs end with its section.

Each ordinary declaration below made 1/N ≤ 1 undecided before (a correct step lost); each variant beside it that
is no count declaration, or withdraws the count, must keep the step from passing.

Reference: the same step after "Let $N$ be the number of data points." (proved) and with no declaration."""
from __future__ import annotations

import pytest

from mathcheck.report import HOLDS, PROVED, REFUTED
from tests.audit_steps import step_verdicts, verdict

PASSING = (PROVED, HOLDS)
ONE_OVER_N = r"\frac{1}{N} \le 1"
COUNT = "Let $N$ be the number of data points."
DISPLAY = "$$\n\\frac{1}{N} \\le 1\n$$\n"


@pytest.mark.parametrize("declaration", [
    "We have $N$ training examples.",
    "Suppose we have a dataset of $N$ i.i.d. samples.",
    "Let $N$ be the number of data points (see [3]).",
    "Let $N$ be the number of data points (cf. Bishop, 2006).",
    "Let $N$ be the number of data points, cf. [3].",
    "Let $N$ be the number of data points (e.g. 60000 for MNIST).",
    "Let $N$ (the number of data points) be given.",
    "Let $N$, the number of data points, be fixed.",
    "データ数を $N$、潜在次元を $d$ とする。",
    "データ数 $N$ の VAE を考える。",
    "データセットのサイズを $N$ とする。",
    "$N$ 個のデータ点がある。",
    "$N$ 次元の潜在変数を考える。",
])
def test_an_ordinary_count_declaration_makes_a_count(declaration):
    assert verdict(declaration, ONE_OVER_N)[0] == PROVED


@pytest.mark.parametrize("not_a_count", [
    "Let $N$ be the number of data points (e.g. 0.5 for a half).",
    "Let $N$ (the number of data points divided by two) be given.",
    "温度を $N$、潜在次元を $d$ とする。",
    "半分のデータ数を $N$、潜在次元を $d$ とする。",
    "データ数 $N$ を温度とする。",
    "データ数 $N$ は実数とする。",
    "We have $N$ examples, but $N$ is a real number.",
])
def test_a_phrase_that_is_no_count_or_withdraws_it_makes_none(not_a_count):
    assert verdict(not_a_count, ONE_OVER_N)[0] not in PASSING


@pytest.mark.parametrize("heading", [
    "## Relaxation ($N \\in (0,1)$)",
    "## Case $N = 1/2$",
])
def test_a_heading_that_withdraws_a_count_does_so_in_its_section_only(heading):
    text = f"{COUNT}\n\n{heading}\n\nText.\n\n{DISPLAY}\n## Back\n\nThen\n\n{DISPLAY}"
    inside, after = step_verdicts(text)
    assert inside not in PASSING and after == PROVED


def test_a_heading_withdrawal_reaches_its_subsections():
    text = f"{COUNT}\n\n## Relaxation ($N \\in (0,1)$)\n\n### Detail\n\n{DISPLAY}\n## Back\n\n{DISPLAY}"
    assert step_verdicts(text) == [step_verdicts(text)[0], PROVED] and step_verdicts(text)[0] not in PASSING


def test_a_heading_withdrawal_with_no_later_section_lasts():
    text = f"{COUNT}\n\n## Relaxation ($N \\in (0,1)$)\n\n{DISPLAY}\nMore.\n\n{DISPLAY}"
    assert all(v not in PASSING for v in step_verdicts(text))


def test_a_case_headings_sign_holds_in_its_section_and_the_old_sign_after():
    root = "$$\n\\sqrt{a^2} = a\n$$\n"
    text = f"Assume $a > 0$.\n\n## The case $a < 0$\n\n{root}\n## Back\n\n{root}"
    assert step_verdicts(text) == [REFUTED, PROVED]
