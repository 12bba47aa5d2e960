"""The symbolic checker: each rewrite rule, each lemma and its side conditions, and the time bound."""
import pytest
import sympy as sp

from mathcheck.symbolic import RULES, normal_form, prove, time_limit, SymbolicTimeout
from mathcheck.vocab import (KL, Expectation, Normal, X, concave_function, convex_function, define, integral, mu,
                             p, positive_function, q, ratio, sigma, times, x, z)

q_z = q(z, given=X)
log = sp.log
ALL_BUT = lambda *names: tuple(r for r in RULES if r not in names)  # noqa: E731


def test_normalization_integral_of_a_density_is_one():
    assert normal_form(integral(q_z, z)) == 1


def test_normalization_needs_the_density_to_be_over_the_integrated_variable():
    assert normal_form(integral(p(X, given=z), z)) != 1


def test_marginalization_integrates_the_joint_to_the_evidence():
    assert prove(integral(p(X, z), z), "=", p(X)).proved


def test_linearity_moves_constants_out_of_the_integral():
    assert prove(integral(q_z * log(p(X)), z), "=", log(p(X))).proved


def test_linearity_can_be_switched_off():
    assert not prove(integral(q_z * log(p(X)), z), "=", log(p(X)), rules=ALL_BUT("linearity")).proved


def test_bayes_rule_relates_posterior_likelihood_prior_and_evidence():
    assert prove(p(z, given=X), "=", p(X, given=z) * p(z) / p(X)).proved


def test_bayes_rule_can_be_switched_off():
    assert not prove(p(z, given=X), "=", p(X, given=z) * p(z) / p(X), rules=ALL_BUT("bayes")).proved


def test_wrong_bayes_rule_is_not_proved():
    assert not prove(p(z, given=X), "=", p(X, given=z) * p(X) / p(z)).proved


def test_log_of_a_quotient_of_densities_splits():
    assert prove(log(ratio(p(X, z), q_z)), "=", log(p(X, z)) - log(q_z)).proved


def test_log_algebra_does_not_split_a_sum():
    assert not prove(log(p(X) + q_z), "=", log(p(X)) + log(q_z)).proved


def test_products_written_unevaluated_are_evaluated():
    assert prove(integral(times(q_z, ratio(p(X, z), q_z)), z), "=", p(X)).proved


def test_parameter_labels_denote_the_same_density():
    assert prove(q(z, given=X, label="phi"), "=", q_z).proved
    assert not prove(q(z, given=X, label="phi"), "=", q_z, rules=ALL_BUT("labels")).proved


def test_kl_and_expectation_unfold_to_integrals():
    assert prove(KL(q_z, p(z)), "=", Expectation(q_z, log(q_z) - log(p(z)))).proved


def test_kl_arguments_do_not_commute():
    assert not prove(KL(q_z, p(z)), "=", KL(p(z), q_z)).proved


def test_named_definitions_unfold():
    elbo = define("L", (X, z), integral(q_z * log(p(X, z) / q_z), z))
    assert prove(log(p(X)) - elbo, "=", KL(q_z, p(z, given=X))).proved


def test_gaussian_moments_are_integrated_by_sympy():
    assert prove(Expectation(Normal(z, mu, sigma), z**2), "=", mu**2 + sigma**2).proved


def test_wrong_gaussian_moment_is_not_proved():
    assert not prove(Expectation(Normal(z, mu, sigma), z**2), "=", mu**2 + sigma).proved


def test_jensen_for_log_checks_concavity_from_the_second_derivative():
    g = positive_function("g")
    proof = prove(log(integral(p(x) * g(x), x)), ">=", integral(p(x) * log(g(x)), x))
    assert proof.proved and "-1/t**2" in proof.reason


def test_jensen_in_the_wrong_direction_is_not_proved():
    g = positive_function("g")
    assert not prove(log(integral(p(x) * g(x), x)), "<=", integral(p(x) * log(g(x)), x)).proved


def test_jensen_for_a_convex_function_gives_the_reverse_inequality():
    f, g = convex_function("f"), positive_function("g")
    assert prove(f(integral(p(x) * g(x), x)), "<=", integral(p(x) * f(g(x)), x)).proved
    assert not prove(f(integral(p(x) * g(x), x)), ">=", integral(p(x) * f(g(x)), x)).proved


def test_jensen_needs_a_density_as_the_weight():
    f, g, w = concave_function("f"), positive_function("g"), positive_function("w")
    assert not prove(f(integral(w(x) * g(x), x)), ">=", integral(w(x) * f(g(x)), x)).proved


def test_gibbs_inequality_proves_kl_is_nonnegative():
    assert prove(KL(q_z, p(z, given=X)), ">=", 0).proved


def test_gibbs_inequality_does_not_prove_kl_is_nonpositive():
    assert not prove(KL(q_z, p(z, given=X)), "<=", 0).proved


def test_calculus_lemma_finds_the_minimum_and_where_it_is_attained():
    proof = prove(sigma**2 - 1 - log(sigma**2) + mu**2, ">=", 0)
    assert proof.proved and "mu = 0" in proof.reason and "sigma = 1" in proof.reason


def test_calculus_lemma_rejects_a_false_bound():
    assert not prove(sigma**2 - 1 - log(sigma**2), ">=", sp.Rational(1, 10)).proved


def test_strict_inequality_fails_where_the_minimum_is_attained():
    assert not prove(sigma**2 - 1 - log(sigma**2), ">", 0).proved
    assert prove(sigma**2 - log(sigma**2), ">", 0).proved


def test_equal_sides_do_not_prove_a_strict_inequality():
    assert not prove(log(p(X)), ">", log(p(X))).proved


def test_time_limit_interrupts_a_long_computation():
    with pytest.raises(SymbolicTimeout):
        with time_limit(0.2):
            while True:
                pass


def test_prove_is_bounded_and_reports_undecided_instead_of_hanging():
    hard = sp.Integral(sp.exp(-z**4 + sp.sin(z) ** 3 * z) * sp.cos(z**3), (z, -sp.oo, sp.oo))
    proof = prove(hard, "=", 1, seconds=0.5)
    assert not proof.proved


def test_strict_inequality_at_its_equality_point_is_disproved_with_the_point():
    proof = prove(sp.Rational(1, 2) * (-log(sigma**2) + sigma**2 - 1 + mu**2), ">", 0)
    assert proof.disproved and not proof.proved and "mu = 0, sigma = 1" in proof.reason


def test_a_negative_minimum_disproves_a_lower_bound():
    assert prove(sigma**2 - 1 - log(sigma**2), ">=", sp.Rational(1, 10)).disproved


def test_an_unknown_step_is_neither_proved_nor_disproved():
    proof = prove(KL(q_z, p(z)), "=", KL(p(z), q_z))
    assert not proof.proved and not proof.disproved


def test_a_label_other_than_the_models_names_another_density():
    q_psi = q(z, given=X, label="psi")
    assert not prove(KL(q(z, given=X, label="phi"), q_psi), "=", 0).proved
    assert not prove(integral(p(X, given=z, label="theta") * p(z, label="psi"), z), "=", p(X),
                     rules=("marginalization",)).proved


def test_standardizing_a_gaussian_integral_does_not_capture_a_users_symbol():
    u_z = sp.Symbol("u_z", real=True)
    assert not prove(integral(Normal(z, mu, 2) * u_z, z), "=", 0).proved
    assert prove(integral(Normal(z, mu, 2) * u_z, z), "=", u_z).proved


def test_the_integration_cache_does_not_capture_a_users_symbol():
    t = sp.Symbol("t_integration", real=True)
    assert normal_form(integral(Normal(z, 0, 1) * sp.cos(t * z), z)) == sp.exp(-t**2 / 2)


def test_the_calculus_lemma_does_not_judge_integer_symbols_by_their_real_minimum():
    d = sp.Symbol("D", integer=True, positive=True)
    proof = prove(d**2 - 3 * d + 2, ">=", 0)
    assert not proof.disproved


def test_a_normal_with_a_std_of_unknown_sign_is_not_taken_as_normalized():
    assert not prove(integral(Normal(z, 0, mu), z), "=", 1).proved


def test_a_normal_with_a_negative_std_is_rejected():
    with pytest.raises(ValueError, match="std > 0"):
        Normal(z, 0, -sigma)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_time_limit_that_expires_inside_a_weakref_callback_is_still_honoured():
    """Python swallows an exception raised in a weakref callback; the bound must fire again after it."""
    import time
    import weakref

    class Cached:
        pass

    def slow_callback(_reference):  # the alarm lands here, where a raise is only "unraisable"
        finish = time.monotonic() + 0.4
        while time.monotonic() < finish:
            pass

    start = time.monotonic()
    with pytest.raises(SymbolicTimeout):
        with time_limit(0.1):
            obj = Cached()
            reference = weakref.ref(obj, slow_callback)
            del obj  # runs slow_callback now, across the deadline
            while time.monotonic() - start < 10:  # unbounded without the repeated alarm
                time.sleep(0.001)
    assert reference() is None
    assert time.monotonic() - start < 2


def test_nested_time_limits_keep_the_outer_bound():
    import time

    start = time.monotonic()
    with pytest.raises(SymbolicTimeout):
        with time_limit(0.3):
            with time_limit(0.05):
                pass  # the inner bound ends early: the outer one must be re-armed
            while time.monotonic() - start < 10:
                time.sleep(0.001)
    assert time.monotonic() - start < 2


def test_a_time_limit_left_in_time_never_fires_afterwards():
    import time

    with time_limit(0.05):
        pass
    time.sleep(0.2)  # a stray alarm would raise (or kill the process) here
