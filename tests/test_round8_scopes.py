"""Round 8, scopes: a matrix said to be general from now on loses the properties declared before (diagonal,
orthogonal, symmetric), in English and Japanese; what a lemma or proof declares (matrix properties too) and
assigns ends with it, whether it ends with \\end{lemma}, ∎, □, the next heading or a Japanese （証明終）/以上; a value
restriction x ∈ {0,1}^D read from a counterfactual or an "i.e." aside declares nothing.

The reference of each check is the step's truth for a general matrix / a real x: DᵀD = DDᵀ, Dᵀ = D, QᵀQ = I,
xᵀx = Σ x_j, |x| = x and √(t²) = t are false for some values, so no verdict after the scope ends may pass."""
from __future__ import annotations

import pytest

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import HOLDS, PROVED

PASSING = (PROVED, HOLDS)
SQUARE = r"\in \mathbb{R}^{d\times d}"
BINARY_STEP = r"x^\top x = \sum_{j=1}^D x_j"


def steps(text: str, path: str = "doc.md") -> list[str]:
    return [step.verdict for step in audit_document(parse_document(path, text)).steps if step.relation]


def markdown(prose: str, *formulas: str) -> str:
    return prose + "\n\n" + "\n".join(f"$$\n{formula}\n$$\n" for formula in formulas)


# ---------------------------------------------------------------- 1. "from now on D is an arbitrary matrix"

WITHDRAWALS = [
    pytest.param(f"Let $D {SQUARE}$ be diagonal.", "From now on $D$ is an arbitrary matrix.", r"D^\top D = D D^\top",
                 id="from-now-on-arbitrary-diagonal"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal.", "Henceforth $D$ is a general matrix.", r"D^\top D = D D^\top",
                 id="henceforth-general-diagonal"),
    pytest.param(f"Let $Q {SQUARE}$ be orthogonal.", "From now on $Q$ is an arbitrary matrix.", r"Q^\top Q = I",
                 id="from-now-on-arbitrary-orthogonal"),
    pytest.param(f"Let $S {SQUARE}$ be symmetric.", "From here on $S$ is no longer symmetric.", r"S^\top = S",
                 id="no-longer-symmetric"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal.", "We now drop the assumption that $D$ is diagonal.", r"D^\top = D",
                 id="drop-the-assumption"),
    pytest.param(f"$Q {SQUARE}$ は直交行列とする。", "以降 $Q$ は一般の行列とする。", r"Q^\top Q = I", id="ja-ikou-ippan"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。", "以降、$D$ はもはや対角行列ではない。", r"D^\top = D", id="ja-mohaya"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。", "ここからは $D$ が対角であるという仮定を外す。", r"D^\top = D",
                 id="ja-katei-wo-hazusu"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。", "これ以降 $D$ を任意の $d\\times d$ 行列とする。", r"D^\top = D",
                 id="ja-nin-i"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal.", "From now on let $D$ be any matrix.", r"D^\top = D", id="any-matrix"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。", "以降 $D$ は必ずしも対角ではない。", r"D^\top = D",
                 id="ja-kanarazushimo"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal.", "Let $D$ now be a general matrix.", r"D^\top = D", id="now-be-general"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal.", "Now $D$ is not diagonal.", r"D^\top = D", id="now-not-diagonal"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。", "以降 $D$ は対角行列ではない。", r"D^\top = D", id="ja-dewa-nai"),
]


@pytest.mark.parametrize("declaration, withdrawal, step", WITHDRAWALS)
def test_a_property_withdrawn_does_not_pass_a_step_false_for_general_matrices(declaration, withdrawal, step):
    assert steps(markdown(f"{declaration}\n\n{withdrawal}", step))[0] not in PASSING


@pytest.mark.parametrize("declaration, withdrawal, step", WITHDRAWALS)
def test_a_withdrawn_matrix_is_judged_as_a_general_one(declaration, withdrawal, step):
    general = f"Let ${step[0]} {SQUARE}$."  # the reference: the matrix with its shape alone
    assert steps(markdown(f"{declaration}\n\n{withdrawal}", step)) == steps(markdown(general, step))


@pytest.mark.parametrize("declaration, withdrawal, step", WITHDRAWALS)
def test_the_property_passes_the_step_before_it_is_withdrawn(declaration, withdrawal, step):
    assert steps(markdown(declaration, step))[0] in PASSING


@pytest.mark.parametrize("prose", [
    pytest.param(f"Let $D {SQUARE}$ be diagonal. From now on $D$ is an arbitrary matrix. Later, let $D$ be diagonal "
                 "again.", id="declared-again-in-the-same-paragraph"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal.\n\nFrom now on $D$ is an arbitrary matrix.\n\nLet $D$ be diagonal.",
                 id="declared-again-in-the-next-paragraph"),
    pytest.param(f"Let $D, E {SQUARE}$ be diagonal. From now on $E$ is an arbitrary matrix.", id="another-matrix"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal. Is $D$ an arbitrary matrix?", id="a-question"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal. $D$ is not a general matrix.", id="a-negation"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。$D$ は一般の行列ではない。", id="ja-negation"),
    pytest.param(r"Let $D$ be an arbitrary diagonal $d\times d$ matrix.", id="arbitrary-diagonal"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal. $D$ need not be invertible.", id="need-not-be-invertible"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。$D$ は必ずしも可逆ではない。", id="ja-not-necessarily-invertible"),
    pytest.param(f"Let $D {SQUARE}$ be diagonal. $D$ is not invertible.", id="not-invertible"),
    pytest.param(f"$D {SQUARE}$ は対角行列とする。$D$ は可逆ではない。", id="ja-not-invertible"),
])
def test_a_property_not_withdrawn_still_proves(prose):
    assert steps(markdown(prose, r"D^\top = D")) == [PROVED]


# ---------------------------------------------------------------- 2, 3. a lemma or proof ends its declarations

DIAGONAL_STEP = r"D^\top D = D D^\top"
LET_DIAGONAL = f"Let $D {SQUARE}$ be diagonal."


@pytest.mark.parametrize("text, path", [
    pytest.param(f"\\begin{{lemma}}\n{LET_DIAGONAL}\n\\[ {DIAGONAL_STEP} \\]\n\\end{{lemma}}\nNow\n\\[ {DIAGONAL_STEP} \\]\n",
                 "doc.tex", id="latex-lemma"),
    pytest.param(f"\\begin{{proof}}\n{LET_DIAGONAL}\n\\[ {DIAGONAL_STEP} \\]\n\\end{{proof}}\nNow\n\\[ {DIAGONAL_STEP} \\]\n",
                 "doc.tex", id="latex-proof"),
    pytest.param(markdown(f"**Lemma 1.** {LET_DIAGONAL}", DIAGONAL_STEP) + "\n∎\n\nNow\n\n" + markdown("", DIAGONAL_STEP),
                 "doc.md", id="markdown-lemma-qed"),
    pytest.param(markdown(f"Proof. {LET_DIAGONAL}", DIAGONAL_STEP) + "\n□\n\n" + markdown("", DIAGONAL_STEP),
                 "doc.md", id="markdown-proof-box"),
    pytest.param(markdown(f"\\begin{{lemma}}\n\n{LET_DIAGONAL}", DIAGONAL_STEP) + "\n\\end{lemma}\n\n" +
                 markdown("", DIAGONAL_STEP), "doc.md", id="environment-in-markdown"),
    pytest.param(markdown(f"**Lemma 2.** Let $Q {SQUARE}$ be orthogonal.", r"Q^\top Q = I") + "\n∎\n\n" +
                 markdown("", r"Q^\top Q = I"), "doc.md", id="orthogonal-in-a-lemma"),
    pytest.param(markdown(r"**Lemma 3.** Let $x \in \{0,1\}^D$.", BINARY_STEP) + "\n∎\n\n" + markdown("", BINARY_STEP),
                 "doc.md", id="binary-in-a-lemma"),
])
def test_a_matrix_property_declared_in_a_statement_ends_with_it(text, path):
    found = steps(text, path)
    assert found[0] in PASSING and found[-1] not in PASSING, found


@pytest.mark.parametrize("label, ending", [
    pytest.param(r"\textbf{Lemma 1.}", r"$\blacksquare$", id="textbf-lemma-blacksquare"),
    pytest.param("Lemma 1.", "∎", id="plain-lemma-qed"),
    pytest.param(r"\noindent\textit{Proof.}", r"\qed", id="noindent-proof-qed"),
    pytest.param("Proof.", r"\section{Next}", id="proof-ended-by-a-section"),
])
def test_a_latex_paragraph_statement_ends_its_declarations(label, ending):
    text = f"{label} {LET_DIAGONAL}\n\\[ {DIAGONAL_STEP} \\]\n{ending}\n\nNow\n\\[ {DIAGONAL_STEP} \\]\n"
    found = steps(text, "doc.tex")
    assert found[0] in PASSING and found[-1] not in PASSING, found


def test_a_latex_paragraph_statement_stays_open_across_an_environment_inside_it():
    text = (r"\textbf{Lemma 1.} Let $t > 0$." + "\n\\begin{itemize}\n\\item note\n\\end{itemize}\n"
            r"\[ \sqrt{t^2} = t \]" + "\n\\qed\n\nNow\n" + r"\[ \sqrt{t^2} = t \]" + "\n")
    assert steps(text, "doc.tex") == [PROVED, steps(markdown("Let $t$ be real.", r"\sqrt{t^2} = t"))[0]]


SIGN_STEP = r"\sqrt{t^2} = t"


@pytest.mark.parametrize("sentence, step", [
    pytest.param("In this lemma, $t > 0$.", SIGN_STEP, id="in-this-lemma-sign"),
    pytest.param(f"In this lemma, $D {SQUARE}$ is diagonal.", DIAGONAL_STEP, id="in-this-lemma-diagonal"),
    pytest.param("Within this proof, $t > 0$.", SIGN_STEP, id="within-this-proof"),
    pytest.param("この補題では $t > 0$ とする。", SIGN_STEP, id="ja-kono-hodai-dewa"),
    pytest.param(f"この定理では $D {SQUARE}$ は対角行列とする。", DIAGONAL_STEP, id="ja-kono-teiri-dewa"),
    pytest.param(f"この例では $D {SQUARE}$ を対角行列とする。", DIAGONAL_STEP, id="ja-kono-rei-dewa"),
])
def test_a_declaration_said_to_be_a_statements_own_ends_with_it(sentence, step):
    found = steps(markdown(f"Let $u > 0$. {sentence}", step, r"\sqrt{u^2} = u") + "\n∎\n\n" +
                  markdown("Afterwards", step, r"\sqrt{u^2} = u"))
    assert steps(markdown(sentence, step))[0] in PASSING  # the sentence declares, on its own
    assert found[1] == PROVED and found[0] in PASSING and found[2] not in PASSING and found[3] == PROVED, found


@pytest.mark.parametrize("text", [
    pytest.param("\\textbf{Lemma 1.} Let $t > 0$.\n\n\\begin{proof}\n\\[ \\sqrt{t^2} = t \\]\n\\end{proof}\n\nNow\n"
                 "\\[ \\sqrt{t^2} = t \\]\n", id="paragraph-lemma-and-proof-environment"),
    pytest.param("\\begin{theorem} Let $t > 0$. \\end{theorem}\n\nProof.\n\\[ \\sqrt{t^2} = t \\]\n\\qed\n\nNow\n"
                 "\\[ \\sqrt{t^2} = t \\]\n", id="theorem-environment-and-paragraph-proof"),
])
def test_a_latex_proof_keeps_its_statement_assumptions_until_it_ends(text):
    assert steps(text, "doc.tex") == [PROVED, steps(markdown("Let $t$ be real.", SIGN_STEP))[0]]


@pytest.mark.parametrize("mark", [r"\qquad \blacksquare", r"\tag*{$\blacksquare$}", r"\quad \square"],
                         ids=["qquad-blacksquare", "tag-blacksquare", "quad-square"])
@pytest.mark.parametrize("path", ["doc.md", "doc.tex"])
def test_a_display_that_ends_with_a_proof_mark_ends_the_statement(mark, path):
    if path == "doc.md":
        text = markdown("**Lemma 1.** Let $t > 0$.", f"{SIGN_STEP} {mark}") + "\n" + markdown("Now", SIGN_STEP)
    else:
        text = f"\\textbf{{Lemma 1.}} Let $t > 0$.\n\\[ {SIGN_STEP} {mark} \\]\nNow\n\\[ {SIGN_STEP} \\]\n"
    found = steps(text, path)
    assert found[0] == PROVED and found[-1] not in PASSING, found


@pytest.mark.parametrize("opening, ending", [
    pytest.param(f"**補題 1.** $D {SQUARE}$ は対角行列とする。", "（証明終）", id="hodai-shoumei-owari"),
    pytest.param(f"補題 1. $D {SQUARE}$ は対角行列とする。", "（証明終）", id="hodai-plain-label"),
    pytest.param(f"証明. $D {SQUARE}$ は対角行列とする。", "∎", id="shoumei-qed"),
    pytest.param("証明. $t > 0$ とする。", "以上", id="shoumei-ijou"),
    pytest.param("補題1　$t > 0$ とする。", "## 次の節", id="hodai-ideographic-space-heading"),
    pytest.param("補題：$t > 0$ とする。", "（証明終わり）", id="hodai-colon-owari"),
    pytest.param("【定理 2】 $t > 0$ とする。", "証明終了", id="bracketed-teiri"),
])
def test_a_japanese_statement_ends_its_declarations(opening, ending):
    step = SIGN_STEP if "$t" in opening else DIAGONAL_STEP
    found = steps(markdown(opening, step) + f"\n{ending}\n\n" + markdown("", step))
    assert found[0] in PASSING and found[-1] not in PASSING, found


@pytest.mark.parametrize("label", [
    pytest.param("*Proof of Lemma 1.*", id="proof-of-lemma"),
    pytest.param("Proof of the lemma.", id="proof-of-the-lemma"),
    pytest.param("**Proof of Theorem 2.**", id="proof-of-theorem"),
    pytest.param("補題 1 の証明.", id="ja-hodai-no-shoumei"),
])
def test_a_proof_of_a_named_statement_is_a_statement_that_ends(label):
    found = steps(markdown(f"{label} Let $t > 0$.", SIGN_STEP) + "\n∎\n\n" + markdown("", SIGN_STEP))
    assert found[0] in PASSING and found[-1] not in PASSING, found


@pytest.mark.parametrize("label", ["*Proof of Lemma 1.*", "補題 1 の証明."], ids=["proof-of-lemma", "ja-hodai-no-shoumei"])
def test_a_proof_after_its_lemma_keeps_the_lemma_assumptions_until_it_ends(label):
    text = (markdown("**Lemma 1.** Let $t > 0$.", SIGN_STEP) + "\n" + markdown(f"{label} Then", SIGN_STEP) + "\n∎\n\n" +
            markdown("", SIGN_STEP))
    assert steps(text)[1:] == [PROVED, steps(markdown("Let $t$ be real.", SIGN_STEP))[0]]


@pytest.mark.parametrize("prose", [
    pytest.param("補題1より $t > 0$ である。", id="citing-a-lemma"),
    pytest.param("$t > 0$ である。以上の結果を用いる。", id="ijou-no-kekka"),
    pytest.param("$t > 0$ とする。以上より次が成り立つ。", id="ijou-yori"),
])
def test_japanese_words_that_open_or_end_no_statement_keep_a_declaration(prose):
    assert steps(markdown(prose, SIGN_STEP) + "\n## 次\n\n" + markdown("", SIGN_STEP)) == [PROVED, PROVED]


# ---------------------------------------------------------------- 4. an assignment inside a lemma does not leak

ABS_STEP = r"|x| = x"


@pytest.mark.parametrize("text, path", [
    pytest.param("Let $y > 0$.\n\\begin{lemma}\nPut\n\\[ x := 2y \\]\n\\[ |x| = x \\]\n\\end{lemma}\nNow\n\\[ |x| = x \\]\n",
                 "doc.tex", id="latex-lemma-display"),
    pytest.param(markdown("Let $y > 0$.\n\nLemma 1. Put", "x := 2y", ABS_STEP) + "\n∎\n\n" + markdown("", ABS_STEP),
                 "doc.md", id="markdown-lemma-display"),
    pytest.param(markdown("$y > 0$ とする。\n\n**補題 1.** 次のようにおく。", "x := 2y", ABS_STEP) + "\n（証明終）\n\n" +
                 markdown("", ABS_STEP), "doc.md", id="ja-hodai-display"),
    pytest.param("Let $y > 0$.\n\\begin{lemma}\nPut\n\\[ x := 2y \\]\n\\end{lemma}\n\\begin{proof}\n\\[ |x| = x \\]\n"
                 "\\end{proof}\nNow\n\\[ |x| = x \\]\n", "doc.tex", id="latex-lemma-and-its-proof"),
])
def test_an_assignment_inside_a_statement_does_not_hold_after_it(text, path):
    found = steps(text, path)
    assert found[-2] in PASSING and found[-1] not in PASSING, found


@pytest.mark.parametrize("text", [
    pytest.param(markdown("**Lemma 1.** Let $c := 3$.", "c + 1 = 4") + "\n∎\n\n" + markdown("", "c + 1 = 4"),
                 id="prose-value-in-a-lemma"),
    pytest.param(markdown("**補題 1.** $c := 3$ とおく。", "c + 1 = 4") + "\n（証明終）\n\n" + markdown("", "c + 1 = 4"),
                 id="ja-prose-value-in-a-lemma"),
])
def test_a_prose_value_inside_a_statement_does_not_hold_after_it(text):
    found = steps(text)
    assert found[0] == PROVED and found[-1] not in PASSING, found


def test_an_assignment_before_a_statement_still_holds_after_it():
    text = (markdown("Let $y > 0$.", "x := 2y") + "\n" + markdown("**Lemma 1.** Let $t > 0$.", SIGN_STEP) + "\n∎\n\n" +
            markdown("", ABS_STEP))
    assert steps(text)[-1] == PROVED


# ---------------------------------------------------------------- 5. x ∈ {0,1}^D from a counterfactual or an aside

REAL_X = r"Let $x \in \mathbb{R}^D$."


@pytest.mark.parametrize("sentence", [
    pytest.param(r"If $x$ were binary, i.e. $x \in \{0,1\}^D$, the loss would be a cross entropy.", id="were-ie"),
    pytest.param(r"If $x$ were in $\{0,1\}^D$, the loss would simplify.", id="were-in"),
    pytest.param(r"For binary data (i.e. $x \in \{0,1\}^D$) the loss is a cross entropy.", id="ie-in-parentheses"),
    pytest.param(r"Had we $x \in \{0,1\}^D$, the loss would be a cross entropy.", id="had-we"),
    pytest.param(r"Suppose for a moment that $x \in \{0,1\}^D$; then the loss would be a cross entropy.",
                 id="suppose-for-a-moment"),
    pytest.param(r"もし $x$ が二値、すなわち $x \in \{0,1\}^D$ であれば、損失は交差エントロピーになる。", id="ja-moshi-sunawachi"),
    pytest.param(r"仮に $x$ が二値（つまり $x \in \{0,1\}^D$）だったとすると、損失は交差エントロピーになる。",
                 id="ja-kari-ni-tsumari"),
    pytest.param(r"The loss is a cross entropy for binary data (that is, $x \in \{0,1\}^D$).", id="that-is-aside"),
    pytest.param(r"二値データ（すなわち $x \in \{0,1\}^D$）では損失は交差エントロピーである。", id="ja-aside-dearu"),
])
def test_a_counterfactual_or_aside_does_not_declare_binary_values(sentence):
    assert steps(markdown(f"{REAL_X} {sentence}", BINARY_STEP))[0] not in PASSING


@pytest.mark.parametrize("sentence", [
    pytest.param(r"If $x$ were binary, i.e. $x \in \{0,1\}^D$, the loss would be a cross entropy.", id="were-ie"),
    pytest.param(r"For binary data (i.e. $x \in \{0,1\}^D$) the loss is a cross entropy.", id="ie-in-parentheses"),
    pytest.param(r"もし $x$ が二値、すなわち $x \in \{0,1\}^D$ であれば、損失は交差エントロピーになる。", id="ja-moshi-sunawachi"),
])
def test_a_counterfactual_leaves_the_vector_as_declared_before(sentence):
    assert steps(markdown(f"{REAL_X} {sentence}", BINARY_STEP)) == steps(markdown(REAL_X, BINARY_STEP))


def test_a_counterfactual_does_not_declare_unit_interval_values():
    step = r"\sum_{j=1}^D \log(1-x_j) = \sum_{j=1}^D \log(1-x_j)"
    found = steps(markdown(f"{REAL_X} If $x$ were an image, i.e. $x \\in (0,1)^D$, we could use a sigmoid.", step))
    assert found[0] not in PASSING, found


@pytest.mark.parametrize("prose", [
    pytest.param(r"Let $x \in \{0,1\}^D$.", id="let"),
    pytest.param(r"Let $x$ be binary, i.e. $x \in \{0,1\}^D$.", id="let-ie"),
    pytest.param(r"Let $x \in \{0,1\}^D$ be a binary image.", id="let-binary-image"),
    pytest.param(r"$x \in \{0,1\}^D$ を二値画像とする。", id="ja-to-suru"),
    pytest.param(r"Let $x$ be binary (i.e. $x \in \{0,1\}^D$).", id="let-ie-in-parentheses"),
    pytest.param(r"$x$ を二値、すなわち $x \in \{0,1\}^D$ とする。", id="ja-sunawachi-to-suru"),
])
def test_a_plain_binary_declaration_still_proves(prose):
    assert steps(markdown(prose, BINARY_STEP)) == [PROVED]


def test_a_binary_hypothesis_holds_for_the_next_formula_only():
    assert steps(markdown(r"If $x \in \{0,1\}^D$, then", BINARY_STEP, BINARY_STEP))[1] not in PASSING
