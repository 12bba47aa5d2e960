"""The scope of an operator in the audit's reader: a derivative (∂/∂μ, d/dμ, ∇_μ, ∂_μ) or an expectation
E_q followed by a parenthesized group with a power applies to the powered group, as typeset
(∂/∂μ (μ − x)² = 2(μ − x), E (z − μ)² the variance), not to the group before the power is applied. A factor
juxtaposed after an operator's operand, E_q(z)^2, \\mathbb{E}(...) without a distribution, and Var[...] are
refused. A function's own call parentheses keep their convention (exp(x)² = e²ˣ)."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.audit import audit_file
from mathcheck.audit.check import UNPARSED
from mathcheck.audit.latex import Unparsed, parse_expression
from mathcheck.report import HOLDS, PROVED, REFUTED
from mathcheck.vocab import Expectation

VERIFIED = (PROVED, HOLDS)
PROSE = r"Let $\sigma > 0$."
mu, x = sp.Symbol("mu", real=True), sp.Symbol("x", real=True)

DERIVATIVES = [r"\frac{\partial}{\partial \mu}", r"\frac{d}{d\mu}", r"\nabla_\mu", r"\partial_\mu", r"\nabla_{\mu}",
               r"\frac{d}{d \mu}", r"\frac{\partial}{\partial\mu}"]
GROUPS = [r"(\mu - x)", r"\left(\mu - x\right)", r"{(\mu - x)}", r"\left[\mu - x\right]"]
GAUSSIAN_EXPECTATIONS = [r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}", r"E_{z \sim \mathcal{N}(\mu, \sigma^2)}",
                         r"\underset{z \sim \mathcal{N}(\mu, \sigma^2)}{\mathbb{E}}"]
VARIANCE_BODIES = [r"(z - \mu)^2", r"\left(z - \mu\right)^2", r" (z - \mu)^{2}"]


def verdict(tmp_path, formula: str) -> tuple[str, str]:
    path = tmp_path / "doc.md"
    path.write_text(f"{PROSE}\n\n$$\n{formula}\n$$\n", encoding="utf-8")
    (step,) = audit_file(str(path)).steps
    return step.verdict, step.reason


def refusal(source: str) -> str:
    with pytest.raises(Unparsed) as caught:
        parse_expression(source)
    return caught.value.reason


# ---------------------------------------------------------------- a derivative of a powered group


@pytest.mark.parametrize("operator", DERIVATIVES)
@pytest.mark.parametrize("group", GROUPS)
def test_a_derivative_applies_to_the_powered_group(operator, group):
    assert parse_expression(f"{operator} {group}^2") == sp.Derivative((mu - x) ** 2, mu)


@pytest.mark.parametrize("operator", DERIVATIVES)
def test_a_derivative_applies_to_a_cube_of_a_group(operator):
    assert parse_expression(f"{operator} (\\mu - x)^3") == sp.Derivative((mu - x) ** 3, mu)


@pytest.mark.parametrize("operator", DERIVATIVES[:4])
@pytest.mark.parametrize("false_step", [r"(\mu - x)^2 = 1", r"(\mu - x)^3 = 1", r"(\mu + \mu^2)^2 = (1 + 2\mu)^2"])
def test_the_derivative_of_the_group_raised_to_the_power_is_refuted(tmp_path, operator, false_step):
    assert verdict(tmp_path, f"{operator} {false_step}")[0] == REFUTED


@pytest.mark.parametrize("operator", DERIVATIVES[:4])
@pytest.mark.parametrize("true_step", [r"(\mu - x)^2 = 2(\mu - x)", r"\left(\mu - x\right)^3 = 3(\mu - x)^2",
                                       r"\frac{1}{2}(\mu - x)^2 = \mu - x",
                                       r"-\frac{(x - \mu)^2}{2\sigma^2} = \frac{x - \mu}{\sigma^2}"])
def test_the_chain_rule_on_a_powered_group_is_verified(tmp_path, operator, true_step):
    assert verdict(tmp_path, f"{operator} {true_step}")[0] in VERIFIED


@pytest.mark.parametrize("operator", DERIVATIVES[:4])
def test_a_number_before_the_operand_is_a_factor_of_it(operator):
    assert parse_expression(f"{operator} \\frac{{1}}{{2}}(\\mu - x)^2") == sp.Derivative((mu - x) ** 2 / 2, mu)


@pytest.mark.parametrize("operator", DERIVATIVES[:4])
@pytest.mark.parametrize("operand", [r"(\mu) \mu", r"(\mu - x)^2 (\mu + x)", r"\mu \log \mu", r"(\mu) \log \mu",
                                     r"f(\mu) g(\mu)", r"\mu^2 \mu", r"2 \mu x"])
def test_a_factor_after_the_operand_of_a_derivative_is_refused_as_ambiguous(operator, operand):
    assert "ambiguous" in refusal(f"{operator} {operand}")


# ---------------------------------------------------------------- an expectation of a powered group


@pytest.mark.parametrize("expectation", GAUSSIAN_EXPECTATIONS)
@pytest.mark.parametrize("body", VARIANCE_BODIES)
def test_the_expectation_of_a_powered_group_is_the_variance(tmp_path, expectation, body):
    assert verdict(tmp_path, f"{expectation}{body} = \\sigma^2")[0] in VERIFIED


@pytest.mark.parametrize("expectation", GAUSSIAN_EXPECTATIONS)
@pytest.mark.parametrize("false_step", [r"(z - \mu)^2 = 0", r"(z - \mu)^2 + 1 = 1", r"(z - \mu)^3 = \sigma^2"])
def test_the_square_of_the_expectation_of_the_group_is_refuted(tmp_path, expectation, false_step):
    assert verdict(tmp_path, f"{expectation}{false_step}")[0] == REFUTED


@pytest.mark.parametrize("expectation", [r"\mathbb{E}_{q(z)}", r"\mathbb{E}_{z \sim q(z)}", r"\mathbb{E}_q"])
def test_the_expectation_of_a_square_is_not_the_square_of_the_expectation(tmp_path, expectation):
    assert verdict(tmp_path, f"{expectation}(z - \\mu)^2 = ({expectation}[z] - \\mu)^2")[0] not in VERIFIED


@pytest.mark.parametrize("source", [r"\mathbb{E}_{q(z)}(z - \mu)^2", r"\mathbb{E}_{q(z)} (z - \mu)^2",
                                    r"\mathbb{E}_{q(z)}[(z - \mu)^2]"])
def test_an_expectation_reads_the_powered_group_as_its_body(source):
    expr = parse_expression(source)
    assert isinstance(expr, Expectation) and expr.body.is_Pow


@pytest.mark.parametrize("source", [r"\mathbb{E}_{q(z)}[z]^2", r"\mathbb{E}_q[z - \mu]^2", r"\mathbb{E}_{q(z)}\{z\}^2"])
def test_a_power_after_the_brackets_of_an_expectation_squares_the_expectation(source):
    expr = parse_expression(source)
    assert isinstance(expr, sp.Pow) and isinstance(expr.base, Expectation)


@pytest.mark.parametrize("source", [r"\mathbb{E}_{q(z)}(z)^2", r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}(z)^2",
                                    r"\mathbb{E}_q(2)^2"])
def test_a_power_after_one_variable_in_parentheses_of_an_expectation_is_refused(source):
    assert "ambiguous" in refusal(source)


@pytest.mark.parametrize("source", [r"\mathbb{E}(z - \mu)^2", r"\mathbb{E}(z)", r"\mathrm{E}(z - \mu)"])
def test_an_expectation_in_parentheses_without_a_distribution_is_refused(source):
    assert "without a subscript" in refusal(source)


@pytest.mark.parametrize("source", [r"\mathrm{Var}[2z]", r"\mathbb{V}_q[z]", r"\mathrm{Var}_q(z)", r"\mathrm{Cov}[x, y]",
                                    r"\mathrm{Var}[z]^2"])
def test_a_variance_operator_with_its_brackets_is_refused_not_multiplied(source):
    assert "operator" in refusal(source)


def test_the_variance_of_twice_a_variable_is_not_twice_the_variance(tmp_path):
    assert verdict(tmp_path, r"\mathrm{Var}[2z] = 2\mathrm{Var}[z]")[0] not in VERIFIED


def weights_document(formula: str) -> str:
    return f"$$\nw_k := \\frac{{p(x, z_k)}}{{q(z_k|x)}}\n$$\n\n$$\n{formula}\n$$\n"


SAMPLES = r"\mathbb{E}_{z_1, \dots, z_K \sim q(z|x)}"


def test_an_expectation_over_samples_of_a_powered_group_is_not_the_square_of_the_expectation(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(weights_document(f"{SAMPLES}(w_1 - 1)^2 = ({SAMPLES}[w_1] - 1)^2"), encoding="utf-8")
    assert audit_file(str(path)).steps[-1].verdict == REFUTED


def test_an_expectation_over_samples_of_a_square_is_nonnegative(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(weights_document(f"{SAMPLES}(w_1 - 1)^2 \\geq 0"), encoding="utf-8")
    assert audit_file(str(path)).steps[-1].verdict in VERIFIED


def test_an_expectation_over_samples_of_one_powered_weight_in_parentheses_is_refused(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(weights_document(f"{SAMPLES}(w_1)^2 = 1"), encoding="utf-8")
    step = audit_file(str(path)).steps[-1]
    assert step.verdict == UNPARSED and "ambiguous" in step.reason


# ---------------------------------------------------------------- functions keep their call parentheses


def test_a_power_after_the_parentheses_of_exp_is_a_power_of_its_value():
    assert parse_expression(r"\exp(x)^2") == sp.exp(2 * x)


def test_a_power_after_a_call_inside_a_log_is_refused_as_ambiguous():
    assert "ambiguous" in refusal(r"\nabla_\phi \log q(z)^2")


def test_a_powered_group_under_a_sum_is_the_summand():
    j, d = sp.Symbol("j", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)
    expr = parse_expression(r"\sum_{j=1}^{d} (x_j)^2")
    assert isinstance(expr, sp.Sum) and expr.function.is_Pow and expr.limits[0][0].name == j.name
