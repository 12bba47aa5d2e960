"""Round 6, depends: a name the document says depends on the variable of an expectation ("depends on $z$",
"is a function of", "に依存する", a display b = z − m) is no constant inside it; a vector defined from x
(b = x − μ, y := W x) is not a fixed vector inside E over x; a prose definition z = μ + σε is never broken by
the worlds that would refute a step."""
from __future__ import annotations

import pytest

from tests.audit_steps import assert_proved, assert_refuted, document, verdict, verdicts

NOT_A_PASS = ("undecided", "unparsed", "refuted")
GAUSS = r"Let $\mathbf{x} \sim \mathcal{N}(\mathbf{0}, I)$ with $\mathbf{x}\in\mathbb{R}^d$"
MEAN = (r"Let $\mathbf{x} \sim \mathcal{N}(\boldsymbol\mu, \Sigma)$ with $\mathbf{x}\in\mathbb{R}^d$ and $\Sigma$ a "
        r"$d\times d$ covariance matrix")
POSTERIOR = r"Let $q(z|x) = \mathcal{N}(z; m, s^2)$ with $s > 0$"
QUADRATIC = r"\mathbb{E}[\mathbf{x}^\top A\mathbf{x}] = \mathrm{tr}(A)"
WEIGHTED = r"\mathbb{E}_{q(z|x)}[c\,z] = c\,m"
REPARAMETRIZED = r"Let $\sigma > 0$, $p(\epsilon) = \mathcal{N}(0, 1)$ and $q(z) = \mathcal{N}(\mu, \sigma^2)$"


# ---------------------------------------------------------------- declared dependence (A13)


@pytest.mark.parametrize("prose", [
    GAUSS + r", and let $A$ be a $d\times d$ matrix that depends on $\mathbf{x}$ (the Hessian at $\mathbf{x}$).",
    GAUSS + r", and let $A$ be a $d\times d$ matrix which is a function of $\mathbf{x}$.",
    GAUSS + r". Here $A \in \mathbb{R}^{d\times d}$ may depend on $\mathbf{x}$.",
    r"$\mathbf{x} \sim \mathcal{N}(\mathbf{0}, I)$, $\mathbf{x}\in\mathbb{R}^d$ とする。$A$ は $\mathbf{x}$ に依存する "
    r"$d\times d$ 行列とする。",
])
def test_quadratic_form_of_a_matrix_depending_on_x_is_undecided(prose):  # proved before the fix
    found = verdict(prose, QUADRATIC)
    assert found[0] == "undecided", found
    assert "depends on x" in found[1], found


def test_quadratic_form_of_a_fixed_matrix_stays_proved():
    assert_proved(GAUSS + r", and let $A$ be a fixed $d\times d$ matrix.", QUADRATIC)


def test_quadratic_form_of_a_matrix_depending_on_another_variable_stays_proved():
    assert_proved(MEAN + r", and let $A$ be a $d\times d$ matrix that depends on $\mathbf{z}$.",
                  r"\mathbb{E}[\mathbf{x}^\top A\mathbf{x}] = \mathrm{tr}(A\Sigma) + \boldsymbol\mu^\top A\boldsymbol\mu")


@pytest.mark.parametrize("prose", [
    POSTERIOR + r", and let $c$ be a weight that depends on $z$.",
    POSTERIOR + r". The weight $c$ varies with $z$.",
    r"$q(z|x) = \mathcal{N}(z; m, s^2)$、$s > 0$ とし、$z$ に依存する重み $c$ を考える。",
])
def test_scalar_weight_depending_on_z_is_not_pulled_out_of_the_expectation(prose):  # proved before the fix
    found = verdict(prose, WEIGHTED)
    assert found[0] == "undecided", found
    assert "depends on z" in found[1], found


def test_weight_that_does_not_depend_on_z_is_not_read_as_dependent():
    from mathcheck.audit.dependence import declared_dependence
    assert declared_dependence(r"Let $c$ be a number that does not depend on $z$, and $c$ is independent of $z$.") \
        == {}


def test_latex_dependence_sentence_is_read():  # proved before the fix
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.document import parse_document
    text = (r"\documentclass{article}\begin{document}" + "\n" + POSTERIOR + r", and let $c$ depend on $z$." + "\n"
            + r"\begin{equation}" + WEIGHTED + r"\end{equation}" + "\n" + r"\end{document}" + "\n")
    steps = audit_document(parse_document("doc.tex", text)).steps
    assert [step.verdict for step in steps] == ["undecided"], steps
    assert "depends on z" in steps[0].reason, steps


def test_display_relation_makes_the_name_depend_on_z():  # proved before the fix
    found = verdicts(document(POSTERIOR + ". Set", "b = z - m", r"\mathbb{E}_{q(z|x)}[b\,z] = b\,m"))
    assert found[-1][0] == "undecided", found


# ---------------------------------------------------------------- vectors defined from x (A14)


@pytest.mark.parametrize("text", [
    document(MEAN + r", and $\mathbf{b} = \mathbf{x} - \boldsymbol\mu$.",
             r"\mathbb{E}[\mathbf{b}^\top\mathbf{x}] = \mathbf{b}^\top\boldsymbol\mu"),
    document(MEAN + ". Write", r"\mathbf{b} := \mathbf{x} - \boldsymbol\mu",
             r"\mathbb{E}[\mathbf{b}^\top\mathbf{x}] = \mathbf{b}^\top\boldsymbol\mu"),
    document(MEAN + ". Write", r"\mathbf{b} = \mathbf{x} - \boldsymbol\mu",
             r"\mathbb{E}[\mathbf{b}^\top\mathbf{x}] = \mathbf{b}^\top\boldsymbol\mu"),
    document(MEAN + r", $A$ a $d\times d$ matrix, and let $\mathbf{y} = A\mathbf{x}$.",
             r"\mathbb{E}[\mathbf{y}^\top\mathbf{x}] = \mathbf{y}^\top\boldsymbol\mu"),
    document(MEAN + r", where $\mathbf{v} = 2\mathbf{x}$.",
             r"\mathbb{E}[\mathbf{v}^\top\mathbf{x}] = \mathbf{v}^\top\boldsymbol\mu"),
    document(r"$\mathbf{x} \sim \mathcal{N}(\boldsymbol\mu, \Sigma)$、$\mathbf{x}\in\mathbb{R}^d$、$\Sigma$ は $d\times d$ "
             r"の共分散行列とし、$\mathbf{b} = \mathbf{x} - \boldsymbol\mu$ とおく。",
             r"\mathbb{E}[\mathbf{b}^\top\mathbf{x}] = \mathbf{b}^\top\boldsymbol\mu"),
])
def test_vector_defined_from_x_is_no_constant_inside_e_over_x(text):  # proved before the fix
    assert verdicts(text)[-1][0] in ("undecided", "unparsed"), verdicts(text)


def test_vector_defined_from_x_makes_no_false_alarm_on_the_trace():  # refuted before the fix
    found = verdicts(document(MEAN + r", and $\mathbf{b} = \mathbf{x} - \boldsymbol\mu$.",
                              r"\mathbb{E}[\mathbf{b}^\top\mathbf{x}] = \mathrm{tr}(\Sigma)"))
    assert found[-1][0] != "refuted", found


def test_fixed_vector_inside_e_over_x_stays_proved():
    assert_proved(MEAN + r". Let $\mathbf{b}$ be a fixed vector in $\mathbb{R}^d$.",
                  r"\mathbb{E}[\mathbf{b}^\top\mathbf{x}] = \mathbf{b}^\top\boldsymbol\mu")


# ---------------------------------------------------------------- z = μ + σε in the prose (attack11 F2)


@pytest.mark.parametrize("prose", [
    REPARAMETRIZED + r". Define $z = \mu + \sigma\epsilon$.",
    REPARAMETRIZED + r", where $z = \mu + \sigma\epsilon$.",
    REPARAMETRIZED + r". Set $z = \mu + \sigma\epsilon$.",
    r"$\sigma > 0$、$p(\epsilon) = \mathcal{N}(0, 1)$、$q(z) = \mathcal{N}(\mu, \sigma^2)$ とし、"
    r"$z = \mu + \sigma\epsilon$ とおく。",
])
def test_change_of_variables_under_a_prose_definition_is_not_refuted(prose):  # refuted before the fix
    found = verdict(prose, r"\log q(z) = \log p(\epsilon) - \log \sigma")
    assert found[0] != "refuted", found


def test_wrong_change_of_variables_under_a_prose_definition_stays_refuted():
    assert_refuted(REPARAMETRIZED + r". Define $z = \mu + \sigma\epsilon$.",
                   r"\log q(z) = \log p(\epsilon) + \log \sigma")


def test_display_value_with_z_bound_keeps_the_name_constant():
    found = verdicts(document(POSTERIOR + ". Write", r"m = \mathbb{E}_{q(z|x)}[z]",
                              r"\mathbb{E}_{q(z|x)}[(z - m)^2] = s^2"))
    assert found[-1][0] == "proved", found


@pytest.mark.parametrize("wording", [
    "The weight $c$ is computed from $z$.",
    "The weight $c$ is calculated from $z$.",
    "The weight $c$ is determined by $z$.",
    "The weight $c$ changes with each sample of $z$.",
])
def test_a_weight_computed_from_the_variable_stays_inside_its_expectation(wording):  # proved before the fix
    assert verdict(f"{POSTERIOR}. {wording}", WEIGHTED)[0] in NOT_A_PASS
