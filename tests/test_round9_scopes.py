"""Round 9, scopes of definitions: a function or quantity defined inside a lemma, a proof or a section scope ("In
this section", この節では) is not used after that scope ends, so a step after it that is true only by that
definition does not pass; the same definition made outside any scope is still used.

The reference of each check: with f unknown, f(3) = 9 is false for some f; with L unknown, L + 1 = log p(x) is false
for some L. Only the definition could make them true."""
from __future__ import annotations

import pytest

from tests.audit_steps import step_verdicts as verdicts
from mathcheck.report import HOLDS, PROVED

PASSING = (PROVED, HOLDS)




FUNCTION_IN_LEMMA = [
    pytest.param("**Lemma 1.** Let $$f(t) := t^2.$$ Then\n$$f(2) = 4.$$\n*Proof.* Direct. $\\square$\n\n"
                 "Next we look at the loss.\n$$f(3) = 9.$$\n", id="bold-lemma-square"),
    pytest.param("**Lemma 2.** Define $$g(u) := 2u + 1.$$\n*Proof.* Obvious. ∎\n\nNow the main part.\n"
                 "$$g(3) = 7.$$\n", id="lemma-qed-symbol"),
    pytest.param("\\begin{lemma}\nLet\n\\[ h(s) := s^3 \\]\nThen\n\\begin{equation}h(2) = 8\\end{equation}\n\\end{lemma}\n\n"
                 "Then\n\\begin{equation}h(3) = 27\\end{equation}\n", id="latex-lemma-environment"),
    pytest.param("**補題 1.** $$f(t) := t^2$$ とおく。\n$$f(2) = 4$$\n（証明終）\n\n次に損失を見る。\n$$f(3) = 9$$\n",
                 id="ja-hodai-shoumei-owari"),
]


@pytest.mark.parametrize("text", FUNCTION_IN_LEMMA)
def test_a_function_defined_in_a_lemma_does_not_pass_a_step_after_the_lemma(text):
    path = "doc.tex" if "\\begin{lemma}" in text else "doc.md"
    assert verdicts(text, path)[-1] not in PASSING


SECTION_SCOPES = [
    pytest.param("## Section two\n\nIn this section let $$\\mathcal{L} := \\log p(x) - 1.$$\n"
                 "$$\\mathcal{L} + 1 = \\log p(x).$$\n\n## Section three\n\n$$\\mathcal{L} + 1 = \\log p(x).$$\n",
                 id="in-this-section"),
    pytest.param("## Part A\n\nFor this section only, let $$F := \\log p(x) - 1.$$\n$$F + 1 = \\log p(x).$$\n\n"
                 "## Part B\n\n$$F + 1 = \\log p(x).$$\n", id="for-this-section-only"),
    pytest.param("## 第2節\n\nこの節では $$\\mathcal{L} := \\log p(x) - 1$$ とする。\n$$\\mathcal{L} + 1 = \\log p(x)$$\n\n"
                 "## 第3節\n\n$$\\mathcal{L} + 1 = \\log p(x)$$\n", id="ja-kono-setsu-dewa"),
]


@pytest.mark.parametrize("text", SECTION_SCOPES)
def test_a_quantity_defined_for_a_section_does_not_pass_a_step_in_a_later_section(text):
    assert verdicts(text)[-1] not in PASSING


IN_SCOPE = [
    pytest.param("**Lemma 1.** Let $$f(t) := t^2.$$ Then\n$$f(2) = 4.$$\n*Proof.* Direct. $\\square$\n",
                 id="inside-the-lemma"),
    pytest.param("Let $$f(t) := t^2.$$\n\n**Lemma 1.** The square of two.\n$$f(2) = 4.$$\n*Proof.* Direct. ∎\n\n"
                 "Then\n$$f(3) = 9.$$\n", id="defined-before-the-lemma"),
    pytest.param("## Section two\n\nLet $$\\mathcal{L} := \\log p(x) - 1.$$\n$$\\mathcal{L} + 1 = \\log p(x).$$\n\n"
                 "## Section three\n\n$$\\mathcal{L} + 1 = \\log p(x).$$\n", id="no-section-scope"),
]


@pytest.mark.parametrize("text", IN_SCOPE)
def test_a_definition_is_used_while_its_scope_lasts(text):
    assert verdicts(text)[-1] in PASSING
