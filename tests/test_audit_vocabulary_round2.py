"""Issue 11, round 2 of the scalar reader: names whose argument is a density (``\\mathcal{L}(q) \\triangleq``),
ℓ as a loss's name, positivity and lower bounds stated in the prose (``$\\sigma > 0$ for all j``, ``$\\beta \\geq 1$``),
Gaussian declarations inside a longer plain sentence, and ≈ / ∝ reported as not checked. Every reading has a
false variant that must not be proved or hold."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.audit import audit_file
from mathcheck.audit.check import DEFINITION, UNPARSED
from mathcheck.audit.latex import Context, NameRef, Unparsed, parse_expression
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

VERIFIED = (PROVED, HOLDS)


def verdicts(tmp_path, text: str) -> dict[int, tuple[str, str]]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    report = audit_file(str(path))
    return {step.line: (step.verdict, step.reason) for step in report.steps}


def display(*formulas: str, prose: str = "") -> str:
    return (prose + "\n\n" if prose else "") + "\n\n".join(f"$$\n{f}\n$$" for f in formulas) + "\n"


# ---------------------------------------------------------------- a name whose argument is a density


@pytest.mark.parametrize("source, name", [
    (r"\mathcal{L}(q)", r"\mathcal{L}(q)"), (r"\mathcal{F}(q_\phi)", r"\mathcal{F}(q_phi)"),
    (r"\mathcal{F}(q_{\phi})", r"\mathcal{F}(q_phi)"), (r"\mathrm{ELBO}(q)", "ELBO(q)"),
])
def test_a_name_applied_to_a_density_letter_is_one_name_with_the_density_in_it(source, name):
    assert parse_expression(source) == NameRef(name)


def test_a_name_applied_to_a_variable_keeps_its_argument():
    assert parse_expression(r"\mathcal{L}(x)").arguments == (sp.Symbol("x", real=True),) or \
        parse_expression(r"\mathcal{L}(x)").arguments


def test_ell_applied_to_arguments_is_a_name_and_alone_a_number():
    assert isinstance(parse_expression(r"\ell_\beta(x)"), NameRef)
    assert parse_expression(r"\ell") == sp.Symbol("ell", real=True)


ELBO_DEFINITION = r"\mathcal{L}(q) \triangleq \mathbb{E}_q[\log p(x, z)] - \mathbb{E}_q[\log q(z)]"


def test_a_definition_of_a_name_of_a_density_is_a_definition(tmp_path):
    assert verdicts(tmp_path, display(ELBO_DEFINITION))[2][0] == DEFINITION


@pytest.mark.parametrize("step", [
    r"\log p(x) - \mathcal{L}(q) = \mathbb{E}_q\left[\log \frac{q(z)}{p(z | x)}\right]",
    r"\mathcal{L}(q) \leq \log p(x)",
])
def test_a_later_use_of_a_name_of_a_density_resolves_to_its_definition(tmp_path, step):
    assert verdicts(tmp_path, display(ELBO_DEFINITION, step))[6][0] in VERIFIED


@pytest.mark.parametrize("step", [
    r"\log p(x) - \mathcal{L}(q) = \mathbb{E}_q\left[\log \frac{p(z | x)}{q(z)}\right]",
    r"\log p(x) \leq \mathcal{L}(q)",
    r"\mathcal{L}(q) = \mathbb{E}_q[\log p(x, z)]",
])
def test_a_false_step_about_a_name_of_a_density_is_not_verified(tmp_path, step):
    assert verdicts(tmp_path, display(ELBO_DEFINITION, step))[6][0] not in VERIFIED + (DEFINITION,)


def test_a_name_of_another_density_is_not_the_defined_one(tmp_path):
    verdict, _ = verdicts(tmp_path, display(ELBO_DEFINITION, r"\mathcal{L}(r) \leq \log p(x)"))[6]
    assert verdict not in VERIFIED + (DEFINITION,)


def test_a_loss_named_ell_is_defined_and_checked_against_its_definition(tmp_path):
    found = verdicts(tmp_path, display(ELBO_DEFINITION, r"\ell_\beta(x) := -\mathcal{L}(q)",
                                       r"\ell_\beta(x) = \mathbb{E}_q[\log q(z)] - \mathbb{E}_q[\log p(x, z)]",
                                       r"\ell_\beta(x) = \mathbb{E}_q[\log q(z)] + \mathbb{E}_q[\log p(x, z)]"))
    assert found[6][0] == DEFINITION
    assert found[10][0] in VERIFIED
    assert found[14][0] not in VERIFIED + (DEFINITION,)


# ---------------------------------------------------------------- positivity and bounds from the prose

LOG_OF_SQUARE = r"\log \sigma_j^2 = 2 \log \sigma_j"


@pytest.mark.parametrize("prose", [
    r"Here $\sigma_j > 0$ for all j.", r"$\sigma_j > 0$ for every $j$.", r"Let $\sigma_j > 0$ for all j.",
])
def test_positivity_stated_for_all_indices_makes_the_log_readable(tmp_path, prose):
    assert verdicts(tmp_path, display(LOG_OF_SQUARE, prose=prose))[4][0] == PROVED


@pytest.mark.parametrize("prose", [
    r"It is not true that $\sigma_j > 0$ for all j.", r"Is $\sigma_j > 0$ for all j?",
    r"Maybe $\sigma_j > 0$ for all j.",
])
def test_positivity_that_is_denied_hedged_or_asked_declares_nothing(tmp_path, prose):
    assert verdicts(tmp_path, display(LOG_OF_SQUARE, prose=prose))[4][0] == UNPARSED


def test_a_lower_bound_reads_the_symbol_as_the_bound_plus_a_nonnegative_excess():
    context = Context()
    context.declare_bound("beta", sp.Integer(1), strict=False)
    beta = parse_expression(r"\beta", context)
    excess = beta - 1
    assert excess.is_nonnegative and beta.is_positive and (beta - 1).is_positive is not True


def test_a_strict_lower_bound_makes_the_excess_positive():
    context = Context()
    context.declare_bound("beta", sp.Integer(2), strict=True)
    assert (parse_expression(r"\beta", context) - 2).is_positive


BETA_PROSE = r"From now on $\beta \geq 1$, and let $a \geq 0$."


def test_a_step_that_needs_the_stated_bound_is_not_refuted(tmp_path):
    assert verdicts(tmp_path, display(r"b - \beta a \leq b - a", prose=BETA_PROSE))[4][0] in VERIFIED


def test_the_reversed_step_is_refuted_inside_the_stated_bound(tmp_path):
    verdict, reason = verdicts(tmp_path, display(r"b - a \leq b - \beta a", prose=BETA_PROSE))[4]
    assert verdict == REFUTED and "delta_beta" in reason


def test_without_the_bound_the_step_is_refuted(tmp_path):
    assert verdicts(tmp_path, display(r"b - \beta a \leq b - a", prose=r"Let $a \geq 0$."))[4][0] == REFUTED


def test_a_hypothetical_bound_holds_for_the_next_formula_only(tmp_path):
    found = verdicts(tmp_path, display(r"b - \beta a \leq b - a", r"b - \beta a \leq b - a",
                                       prose=r"Let $a \geq 0$. If $\beta \geq 1$, then"))
    assert found[4][0] in VERIFIED and found[8][0] == REFUTED


# ---------------------------------------------------------------- a Gaussian declared inside a longer sentence

SETUP = (r"**Setup.** The encoder gives $q(z) = \mathcal{N}(z; \mu, \sigma^2)$ with $\sigma > 0$ for one latent "
         r"dimension, and the prior is $p(z) = \mathcal{N}(z; 0, 1)$.")
LOG_Q = r"\log q(z) = -\frac{1}{2}\log(2\pi\sigma^2) - \frac{(z-\mu)^2}{2\sigma^2}"
CROSS = r"\mathbb{E}_{q}[\log p(z)] = -\frac{1}{2}\log(2\pi) - \frac{\mu^2 + \sigma^2}{2}"


@pytest.mark.parametrize("step", [LOG_Q, CROSS, r"-2\log\sigma = -\log \sigma^2"])
def test_a_gaussian_declared_in_a_clause_of_a_plain_sentence_is_used(tmp_path, step):
    assert verdicts(tmp_path, display(step, prose=SETUP))[4][0] in VERIFIED


@pytest.mark.parametrize("step", [
    r"\log q(z) = -\frac{1}{2}\log(2\pi\sigma^2) - \frac{(z-\mu)^2}{\sigma^2}",
    r"\mathbb{E}_{q}[\log p(z)] = \frac{1}{2}\log(2\pi) + \frac{\mu^2 + \sigma^2}{2}",
])
def test_a_false_step_about_the_declared_gaussian_is_refuted(tmp_path, step):
    assert verdicts(tmp_path, display(step, prose=SETUP))[4][0] == REFUTED


@pytest.mark.parametrize("prose", [
    SETUP.replace("The encoder gives", "It is wrong that the encoder gives"),
    SETUP.replace("The encoder gives", "Perhaps the encoder gives"),
    SETUP.replace("The encoder gives", "A common mistake: the encoder gives"),
    SETUP.replace("**Setup.** The encoder gives", "Erroneously, the encoder gives"),
    SETUP.replace(".", "?").replace("**Setup?**", "**Setup.**"),
])
def test_a_gaussian_in_a_sentence_that_is_not_plain_declares_nothing(tmp_path, prose):
    verdict, reason = verdicts(tmp_path, display(LOG_Q, prose=prose))[4]
    assert verdict != PROVED or "declared" not in reason


# ---------------------------------------------------------------- relations that are not checked


@pytest.mark.parametrize("relation", [r"\approx", r"\simeq", r"\propto"])
def test_an_approximation_or_proportionality_is_reported_not_checked(tmp_path, relation):
    verdict, reason = verdicts(tmp_path, display(rf"\log p(x) {relation} \log p(x, z) - \log q(z|x)"))[2]
    assert verdict == UNDECIDED and reason.startswith("not checked")


# ---------------------------------------------------------------- expectations over several samples (IWAE)

from mathcheck.audit.document import parse_document  # noqa: E402
from mathcheck.sums import WEIGHTS, SampleExpectation  # noqa: E402
from mathcheck.symbolic import reevaluate  # noqa: E402
from mathcheck.vocab import X, p, x, z  # noqa: E402

WEIGHT_DEFINITION = r"w_k := \frac{p(x, z_k)}{q(z_k|x)}"
K = sp.Symbol("K", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
AVERAGE = sp.Sum(WEIGHTS[k], (k, 1, K)) / K


def weights_context(definition: str = WEIGHT_DEFINITION) -> Context:
    document = parse_document("doc.md", display(definition, "a = a"))
    return document.formulas[1].context


@pytest.mark.parametrize("subscript", [
    r"z_1, \dots, z_K \sim q(z|x)", r"z_1, \ldots, z_K \sim q(z|x)", r"z_{1:K} \sim q(z|x)", r"z_{1:K}",
    r"q(z_1|x)\cdots q(z_K|x)", r"q(z_1)\cdots q(z_K)",
])
def test_an_expectation_over_the_samples_reads_as_the_sums_engines_sample_expectation(subscript):
    read = parse_expression(rf"\mathbb{{E}}_{{{subscript}}}\left[\log \frac{{1}}{{K}}\sum_{{k=1}}^K w_k\right]",
                            weights_context())
    assert sp.simplify(read - SampleExpectation(sp.log(AVERAGE), K)) == 0


def test_the_weights_definition_makes_the_data_variable_the_engines_and_the_weights_positive():
    context = weights_context()
    assert parse_expression("p(x)", context) == p(X)
    assert parse_expression(r"\sum_{k=1}^K w_k", context) == sp.Sum(WEIGHTS[k], (k, 1, K))


def test_one_sample_z_k_under_a_sum_is_the_law_of_the_first_sample():
    read = parse_expression(r"\sum_{k=1}^K \mathbb{E}_{z_k \sim q(z|x)}[w_k]", weights_context())
    assert read == sp.Sum(SampleExpectation(WEIGHTS[1], 1), (k, 1, K))


@pytest.mark.parametrize("source", [
    r"\mathbb{E}_{z_1, \dots, z_K \sim p(z)}[w_1]",  # not the encoder of the weights
    r"\mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}[\log p(x, z_1)]",  # a body not in the weights
    r"\mathbb{E}_{z_{1:K}}[w_k]",  # k bound by nothing
    r"\mathbb{E}_{z_{1:K}}[w_0]",  # no sample 0
    r"\mathbb{E}_{z_1, \dots, z_K}[w + w_1]",  # w is not a weight
])
def test_an_expectation_over_samples_that_is_not_in_the_weights_is_refused(source):
    with pytest.raises(Unparsed):
        parse_expression(source, weights_context())


def test_without_a_weights_definition_several_samples_are_refused():
    with pytest.raises(Unparsed):
        parse_expression(r"\mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}\left[\frac{1}{K}\sum_{k=1}^K w_k\right]")


@pytest.mark.parametrize("definition", [
    r"w_k := \frac{p(x, z_k)}{q(z_k)}", r"w_k := \frac{q(z_k|x)}{p(x, z_k)}", r"w_k := \frac{p_\theta(x, z_k)}{q(z_k|x)}",
    r"w_k := \frac{p(x, z_j)}{q(z_j|x)}",
])
def test_other_ratios_define_no_importance_weights(definition):
    assert not weights_context(definition).weights


def test_a_document_that_writes_x_and_x_upper_keeps_them_apart():
    document = parse_document("doc.md", display(WEIGHT_DEFINITION, r"p(X) = p(x)"))
    assert not document.formulas[1].context.renamed


def test_a_constant_fraction_before_a_sum_is_inside_the_log():
    read = parse_expression(r"\log \frac{1}{K}\sum_{k=1}^K w_k - \log K", weights_context())
    summed_logs = [node for node in read.atoms(sp.log) if node.args[0].has(sp.Sum)]
    assert len(summed_logs) == 1 and not any(isinstance(term, sp.Mul) and any(isinstance(f, sp.Sum) for f in term.args)
                                             for term in sp.Add.make_args(read))  # not log(1/K)·Σ w_k


IWAE = [WEIGHT_DEFINITION, r"\mathcal{L}_K := \mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}\left[\log \frac{1}{K}\sum_{k=1}^K w_k\right]"]


@pytest.mark.parametrize("step", [
    r"\mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}\left[\frac{1}{K}\sum_{k=1}^K w_k\right] = p(x)",
    r"\mathcal{L}_K \leq \log p(x)",
    r"\log \frac{1}{K}\sum_{k=1}^K w_k = \log \sum_{k=1}^K \exp(\log w_k) - \log K",
    r"\frac{1}{K}\sum_{k=1}^K \int q(z_k|x) \frac{p(x, z_k)}{q(z_k|x)} \, dz_k = p(x)",
])
def test_a_true_iwae_step_is_verified(tmp_path, step):
    assert verdicts(tmp_path, display(*IWAE, step))[10][0] in VERIFIED


@pytest.mark.parametrize("step", [
    r"\log p(x) \leq \mathcal{L}_K",
    r"\mathcal{L}_K = \mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}\left[\sum_{k=1}^K \log w_k\right] - \log K",
    r"\mathcal{L}_K = \mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}\left[\log \sum_{k=1}^K w_k\right]",
    r"\mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}\left[\sum_{k=1}^K w_k\right] = p(x)",
])
def test_a_false_iwae_step_is_refuted(tmp_path, step):
    assert verdicts(tmp_path, display(*IWAE, step))[10][0] == REFUTED


# ---------------------------------------------------------------- a density at a point (reparameterization)

REPARAMETERIZED = (r"\mathbb{E}_{q(z)}\left[\log p(x, z)\right] = "
                   r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}\left[\log p(x, \mu + \sigma \epsilon)\right]")


def test_a_density_at_an_expression_is_the_written_density_at_that_point():
    document = parse_document("doc.md", display(REPARAMETERIZED))
    context = document.formulas[0].context
    mu, sigma, epsilon = (sp.Symbol(n, real=True) for n in ("mu", "sigma", "epsilon"))
    read = parse_expression(r"p(x, \mu + \sigma \epsilon)", context)
    assert isinstance(read, type(p(x, z))) and {reevaluate(v) for v in read.variables} == {x, mu + sigma * epsilon}


def test_a_density_at_an_expression_without_a_written_density_is_refused():
    with pytest.raises(Unparsed):
        parse_expression(r"p(x, \mu + \sigma \epsilon)")


def test_a_density_at_an_expression_with_two_candidate_places_is_refused():
    document = parse_document("doc.md", display(r"p(x, z) + p(x, h) = p(x, \mu + \epsilon) + p(x, h)"))
    assert document.formulas[0].chains  # read as a document; the step itself is unparsed
    with pytest.raises(Unparsed):
        parse_expression(r"p(x, \mu + \epsilon)", document.formulas[0].context)


@pytest.mark.parametrize("wrong", [r"\mu + \epsilon", r"\sigma \epsilon"])
def test_a_wrong_reparameterization_is_not_verified(tmp_path, wrong):
    step = REPARAMETERIZED.replace(r"\mu + \sigma \epsilon", wrong)
    prose = r"Let $q(z) = \mathcal{N}(z; \mu, \sigma^2)$ with $\sigma > 0$."
    assert verdicts(tmp_path, display(step, prose=prose))[4][0] not in VERIFIED + (DEFINITION,)
