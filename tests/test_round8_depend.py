"""Round 8, depend (issue 11): a name the prose makes depend on the variable of an expectation is no constant
inside it, however the prose says so: a pronoun ("it changes with $z$", "これは $z$ によって変わる"), a definition
chain ($c = 2w$, "$w$ depends on $z$"), a per-sample noun ("the importance weight of the sample $z$", "$z$ の重み
$w$"), a matrix written as a function ($A(\\mathbf{x})$) or at a point (J_x, "the Jacobian at $x$"). A genuinely
constant name is still pulled out.

The reference is independent of the audit: sympy integrates E_{N(m, s²)}[c z] with c a constant (the sides of
c m agree) and with c = z, a weight that varies with z as the prose allows (they differ): pulling such a c out
of the expectation is no valid rewrite, so the audit must not prove it."""
from __future__ import annotations

from functools import lru_cache

import pytest
import sympy as sp

from tests.audit_steps import document, verdict, verdicts

NOT_A_PASS = ("undecided", "unparsed", "refuted")
POSTERIOR = r"Let $q(z) = \mathcal{N}(z; m, s^2)$ with $s > 0$"
POSTERIOR_JA = r"$q(z) = \mathcal{N}(z; m, s^2)$、$s > 0$ とする。"
PULLED_OUT = r"\mathbb{E}_{q(z)}[c\,z] = c\,m"
MEAN = (r"Let $\mathbf{x} \sim \mathcal{N}(\boldsymbol\mu, \Sigma)$ with $\mathbf{x}\in\mathbb{R}^d$ and $\Sigma$ a "
        r"$d\times d$ covariance matrix")
MEAN_JA = (r"$\mathbf{x} \sim \mathcal{N}(\boldsymbol\mu, \Sigma)$、$\mathbf{x}\in\mathbb{R}^d$、$\Sigma$ は $d\times d$ "
           r"の共分散行列とする。")


@lru_cache(maxsize=None)
def _pulled_out_is_valid(weight: str) -> bool:
    """Whether E_{N(m, s²)}[c z] = c m for the weight c = ``weight`` (in z, or k for a constant), by sympy's
    integral (the reference)."""
    z, m, constant = sp.Symbol("z", real=True), sp.Symbol("m", real=True), sp.Symbol("k", real=True)
    s = sp.Symbol("s", positive=True)
    density = sp.exp(-(z - m) ** 2 / (2 * s ** 2)) / sp.sqrt(2 * sp.pi * s ** 2)
    c = sp.sympify(weight, locals={"z": z, "k": constant})
    lhs = sp.integrate(c * z * density, (z, -sp.oo, sp.oo))
    return sp.simplify(lhs - c * m) == 0


def _matters(weight: str) -> None:
    """The step of the test is invalid for a weight the prose allows (so a proof of it would be false)."""
    assert not _pulled_out_is_valid(weight)


def _not_a_pass(found: tuple[str, str]) -> None:
    assert found[0] in NOT_A_PASS, found
    assert "depends on" in found[1], found


# ---------------------------------------------------------------- 1. dependence stated through a pronoun


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Here $c$ is random: it changes with $z$.", id="it-changes-with-z"),
    pytest.param(POSTERIOR + r". Here $c$ is not fixed; it varies with the sample.", id="it-varies-with-the-sample"),
    pytest.param(POSTERIOR_JA + r"$c$ は定数ではない。これは $z$ によって変わる。", id="japanese-kore-wa"),
    pytest.param(POSTERIOR + r". The coefficient $c$ is not a constant. Its value depends on $z$.",
                 id="its-value-depends-on"),
    pytest.param(POSTERIOR + r". Take a weight $c$. This weight changes from draw to draw.",
                 id="this-weight-from-draw-to-draw"),
    pytest.param(POSTERIOR_JA + r"$c$ は固定された値ではない。この値はサンプルごとに変わる。", id="japanese-sample-wise"),
    pytest.param(POSTERIOR + r". Consider $c$, and it is a function of the latent variable $z$.",
                 id="it-is-a-function-of"),
    pytest.param(POSTERIOR + r". Let $c$ be a scalar. It is not fixed. It varies with $z$.", id="antecedent-two-back"),
    pytest.param(POSTERIOR_JA + r"$c$ は実数である。これは固定されていない。これは $z$ に依存する。",
                 id="japanese-antecedent-two-back"),
])
def test_pronoun_dependence_keeps_the_weight_inside_the_expectation(prose):  # proved before the fix
    _matters("z")
    _not_a_pass(verdict(prose, PULLED_OUT))


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Here $c$ is random: it changes with $z$.", id="it-changes-with-z"),
    pytest.param(POSTERIOR + r". Here $c$ is not fixed; it varies with the sample.", id="it-varies-with-the-sample"),
    pytest.param(POSTERIOR_JA + r"$c$ は定数ではない。これは $z$ によって変わる。", id="japanese-kore-wa"),
])
def test_pronoun_dependence_blocks_linearity_over_an_unknown_function(prose):  # proved before the fix
    _matters("z")  # with f(z) = z the step is the one above
    _not_a_pass(verdict(prose, r"\mathbb{E}_{q(z)}[c\,f(z)] = c\,\mathbb{E}_{q(z)}[f(z)]"))


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Here $c$ is fixed: it does not depend on $z$.", id="it-does-not-depend"),
    pytest.param(POSTERIOR + r". Here $c$ is a constant; it does not vary with the sample.", id="it-does-not-vary"),
    pytest.param(POSTERIOR_JA + r"$c$ は定数である。これは $z$ に依存しない。", id="japanese-izon-shinai"),
    pytest.param(POSTERIOR_JA + r"$c$ は定数である。この値はサンプルによって変わらない。", id="japanese-kawaranai"),
    pytest.param(POSTERIOR + r". Let $c$ be a constant. It is clear that this loss depends on $z$.",
                 id="demonstrative-of-another-noun"),
])
def test_pronoun_that_denies_dependence_keeps_the_constant_pulled_out(prose):
    assert _pulled_out_is_valid("k")
    assert verdict(prose, PULLED_OUT)[0] == "proved"


# ---------------------------------------------------------------- 2. dependence through a definition chain


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Let $c = 2w$, where $w$ depends on $z$.", id="equals-where"),
    pytest.param(POSTERIOR + r". Let $c := 2w$. The weight $w$ depends on $z$.", id="coloneq-then-sentence"),
    pytest.param(POSTERIOR + r". Let $c := 3u$ and $u := 2w$, where $w$ is a function of $z$.", id="two-links"),
    pytest.param(POSTERIOR_JA + r"$c = 2w$ とおく。$w$ は $z$ に依存する。", id="japanese-to-oku"),
    pytest.param(POSTERIOR + r". Let $c \coloneqq \frac{w}{2}$ with $w$ the importance weight of $z$.",
                 id="coloneqq-frac-weight-noun"),
    pytest.param(POSTERIOR + r". Let $c \propto w$, where $w$ varies with the sample.", id="propto-sample-wide"),
    pytest.param(POSTERIOR + r". Let $c$ equal $2w$, where $w$ depends on $z$.", id="worded-equal"),
    pytest.param(POSTERIOR + r". Here $c$ is proportional to $w$, and $w$ varies with $z$.", id="worded-proportional"),
    pytest.param(POSTERIOR_JA + r"$c$ は $2w$ に等しい。$w$ は $z$ に依存する。", id="japanese-ni-hitoshii"),
])
def test_definition_chain_passes_dependence_on(prose):  # proved before the fix
    _matters("2*z")
    _not_a_pass(verdict(prose, PULLED_OUT))


def test_display_definition_passes_the_prose_dependence_on():  # proved before the fix
    found = verdicts(document(POSTERIOR + r". The weight $w$ depends on $z$. Set", "c = 2w", PULLED_OUT))
    _not_a_pass(found[-1])


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Let $c = 2w$, where $w$ is a fixed number.", id="defined-from-a-constant"),
    pytest.param(POSTERIOR + r". Let $w$ be a weight that depends on $z$, and let $c := 2$.",
                 id="another-name-depends"),
])
def test_definition_from_constants_keeps_the_name_pulled_out(prose):
    assert _pulled_out_is_valid("2*k")
    assert verdict(prose, PULLED_OUT)[0] == "proved"


def test_defined_moment_is_not_made_dependent_on_its_bound_variable():
    z, m, s = sp.Symbol("z", real=True), sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    density = sp.exp(-(z - m) ** 2 / (2 * s ** 2)) / sp.sqrt(2 * sp.pi * s ** 2)
    assert sp.simplify(sp.integrate((z - m) ** 2 * density, (z, -sp.oo, sp.oo)) - s ** 2) == 0  # n = m: it holds
    found = verdicts(document(POSTERIOR + r". Write $n := \mathbb{E}_{q(z)}[z]$.",
                              r"\mathbb{E}_{q(z)}[(z - n)^2] = s^2"))
    assert found[-1][0] == "proved", found


# ---------------------------------------------------------------- 3. a per-sample noun: the weight of z


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Let $c$ be the importance weight of the sample $z$.",
                 id="importance-weight-of-sample"),
    pytest.param(POSTERIOR + r". Here $c$ is the weight of $z$.", id="is-the-weight-of"),
    pytest.param(POSTERIOR_JA + r"$z$ の重み $c$ を用いる。", id="japanese-z-no-omomi"),
    pytest.param(POSTERIOR + r". We use the importance weight $c$ of the sample $z$.", id="noun-name-of"),
    pytest.param(POSTERIOR + r". Let $c$ be the likelihood ratio at $z$.", id="likelihood-ratio-at"),
    pytest.param(POSTERIOR_JA + r"$c$ は $z$ の重要度重みとする。", id="japanese-wa-z-no-juuyoudo"),
    pytest.param(POSTERIOR + r". Let $c$ be the importance weight of each sample.", id="weight-of-each-sample"),
    pytest.param(POSTERIOR_JA + r"各サンプルの重み $c$ を用いる。", id="japanese-kaku-sample-no-omomi"),
    pytest.param(POSTERIOR + r". Let $c$ be the log-density of the sample $z$.", id="log-density-of-the-sample"),
])
def test_weight_of_the_sample_stays_inside_the_expectation(prose):  # proved before the fix
    _matters("exp(z)")
    _not_a_pass(verdict(prose, PULLED_OUT))


@pytest.mark.parametrize("prose", [
    pytest.param(POSTERIOR + r". Let $c$ be the weight of the encoder.", id="weight-of-the-encoder"),
    pytest.param(POSTERIOR + r". Here $c$ is the mean of $z$.", id="mean-of-z"),
    pytest.param(POSTERIOR_JA + r"$c$ は $z$ の平均とする。", id="japanese-heikin"),
    pytest.param(POSTERIOR + r". Let $c$ be a constant.", id="declared-constant"),
    pytest.param(POSTERIOR + r". The constant $c$ is estimated from the data.", id="estimated-from-the-data"),
    pytest.param(POSTERIOR + r". The weight $c$ is the same for each sample.", id="same-for-each-sample"),
])
def test_moment_or_fixed_weight_stays_pulled_out(prose):
    assert _pulled_out_is_valid("k")
    assert verdict(prose, PULLED_OUT)[0] == "proved"


# ---------------------------------------------------------------- 4. matrices written at a point


@pytest.mark.parametrize("prose,formula", [
    pytest.param(MEAN + r", and $A(\mathbf{x})$ a $d\times d$ matrix.", r"\mathbb{E}[A\mathbf{x}] = A\boldsymbol\mu",
                 id="function-form-a-of-x"),
    pytest.param(MEAN + r", and $J_{\mathbf{x}}$ the $d\times d$ Jacobian of $g$ at $\mathbf{x}$.",
                 r"\mathbb{E}[J_{\mathbf{x}}\mathbf{x}] = J_{\mathbf{x}}\boldsymbol\mu", id="jacobian-of-g-at-x"),
    pytest.param(MEAN + r", and $J_{\mathbf{x}} \in \mathbb{R}^{d\times d}$.",
                 r"\mathbb{E}[J_{\mathbf{x}}\mathbf{x}] = J_{\mathbf{x}}\boldsymbol\mu", id="jacobian-subscript"),
    pytest.param(MEAN + r", and $H_{\mathbf{x}}$ the $d\times d$ Hessian of $f$ at $\mathbf{x}$.",
                 r"\mathbb{E}[\mathbf{x}^\top H_{\mathbf{x}}\mathbf{x}] = \mathrm{tr}(H_{\mathbf{x}}\Sigma) + "
                 r"\boldsymbol\mu^\top H_{\mathbf{x}}\boldsymbol\mu", id="hessian-quadratic-form"),
    pytest.param(MEAN_JA + r"$\mathbf{x}$ におけるヤコビ行列 $B$ は $d\times d$ 行列である。",
                 r"\mathbb{E}[B\mathbf{x}] = B\boldsymbol\mu", id="japanese-ni-okeru-jacobi"),
    pytest.param(MEAN + r", and $M$ the $d\times d$ metric tensor at $\mathbf{x}$.",
                 r"\mathbb{E}[M\mathbf{x}] = M\boldsymbol\mu", id="metric-tensor-at-x"),
    pytest.param(POSTERIOR + r". Let $J_z$ be the Jacobian at $z$.", r"\mathbb{E}_{q(z)}[J_z\,z] = J_z\,m",
                 id="scalar-jacobian-at-z"),
])
def test_matrix_at_the_point_is_no_constant_in_its_expectation(prose, formula):  # proved before the fix
    _matters("z")  # d = 1: A(x) = x
    _not_a_pass(verdict(prose, formula))


@pytest.mark.parametrize("prose,formula", [
    pytest.param(MEAN + r", and let $B$ be a fixed $d\times d$ matrix.", r"\mathbb{E}[B\mathbf{x}] = B\boldsymbol\mu",
                 id="fixed-matrix"),
    pytest.param(MEAN + r", and let $B_{\mathbf{x}} \in \mathbb{R}^{d\times d}$ be fixed.",
                 r"\mathbb{E}[B_{\mathbf{x}}\mathbf{x}] = B_{\mathbf{x}}\boldsymbol\mu", id="fixed-subscripted-matrix"),
    pytest.param(MEAN + r", and $A(\mathbf{y})$ a $d\times d$ matrix.", r"\mathbb{E}[A\mathbf{x}] = A\boldsymbol\mu",
                 id="function-of-another-variable"),
])
def test_constant_matrix_stays_pulled_out(prose, formula):
    assert _pulled_out_is_valid("k")
    assert verdict(prose, formula)[0] == "proved"
