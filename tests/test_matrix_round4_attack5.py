"""The matrix reader and engine against the round-4 matrix attack (attack5): an expectation's variable is never a
constant of the inequality normal form (F10), I declared a number is that number (F1), a failed reading teaches
nothing and a prose law makes its mean f(z) a vector (F2), a bare I takes the size its neighbours need and is
refused where nothing tells it (F3), x · A y (F4), digit entries Σ_{12} (F5), prose matrix definitions (F7), a
limitless sum over the axis it indexes (F8), the identity never learned as a matrix (F11)."""
import pytest

from tests.audit_steps import PROVED, REFUTED, assert_proved, document, verdict, verdicts

UNPARSED, UNDECIDED = "unparsed", "undecided"
NOT_PROVED = ("refuted", "undecided", "unparsed")


# ---------------------------------------------------------------- F10: E[‖z‖²] is no constant of an inequality

VAE = (r"Data $\mathbf{x}$, latent $\mathbf{z} \in \mathbb{R}^J$, prior $p(\mathbf{z}) = \mathcal{N}(\mathbf{0}, I)$, "
       r"decoder $p_\theta(\mathbf{x} \mid \mathbf{z})$. The encoder is $q_\phi(\mathbf{z} \mid \mathbf{x}) = "
       r"\mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$ with $\sigma_j > 0$.")
EQ = r"\mathbb{E}_{q_\phi(\mathbf{z} \mid \mathbf{x})}"
ELBO_RATIO = EQ + r"\left[\log \frac{p_\theta(\mathbf{x} \mid \mathbf{z}) p(\mathbf{z})}{q_\phi(\mathbf{z} \mid \mathbf{x})}\right]"
RECONSTRUCTION = EQ + r"\left[\log p_\theta(\mathbf{x} \mid \mathbf{z})\right]"
KL_PRIOR = r"D_{KL}\left(q_\phi(\mathbf{z} \mid \mathbf{x}) \,\|\, p(\mathbf{z})\right)"
GAUSSIANS = r"Let $\mathbf{z} \in \mathbb{R}^J$, $\boldsymbol{\mu}, \boldsymbol{\sigma} \in \mathbb{R}^J$ with $\sigma_j > 0$."
E_ENCODER = r"\mathbb{E}_{\mathbf{z} \sim \mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))}"
E_PRIOR = r"\mathbb{E}_{\mathbf{z} \sim \mathcal{N}(\mathbf{0}, I)}"

FALSE_BOUNDS = [
    (VAE, RECONSTRUCTION + " - " + KL_PRIOR + " + " + EQ + r"\left[\|\mathbf{z}\|^2\right] \leq \log p_\theta(\mathbf{x})"
     r" + \mathbb{E}_{p(\mathbf{z})}\left[\|\mathbf{z}\|^2\right]"),
    (VAE, RECONSTRUCTION + " - " + KL_PRIOR + " + " + EQ + r"\left[\|\mathbf{z}\|^2\right] \leq \log p_\theta(\mathbf{x}) + J"),
    (VAE, ELBO_RATIO + r" \leq " + RECONSTRUCTION + r" + \frac{J}{2} + \sum_{j=1}^J \log\sigma_j - \frac{1}{2}\|\mathbf{z}\|^2"),
    (GAUSSIANS, E_ENCODER + r"[\|\mathbf{z}\|^2] \leq " + E_PRIOR + r"[\|\mathbf{z}\|^2]"),
    (GAUSSIANS, E_ENCODER + r"[\|\mathbf{z}\|^2] \geq " + E_PRIOR + r"[\|\mathbf{z}\|^2]"),
    (GAUSSIANS, E_PRIOR + r"[\|\mathbf{z}\|^2] \leq \|\mathbf{z}\|^2"),
    (GAUSSIANS, E_PRIOR + r"[\|\mathbf{z}\|^2] \geq \|\mathbf{z}\|^2"),
]


@pytest.mark.parametrize("prose, formula", FALSE_BOUNDS)
def test_an_expectation_of_a_gram_form_is_never_a_constant_of_a_bound(prose, formula):
    assert verdict(prose, formula)[0] in NOT_PROVED


@pytest.mark.parametrize("prose, formula", [
    (GAUSSIANS, E_ENCODER + r"[\|\mathbf{z}\|^2] \leq " + E_PRIOR + r"[\|\mathbf{z}\|^2]"),
    (GAUSSIANS, E_PRIOR + r"[\|\mathbf{z}\|^2] \leq \|\mathbf{z}\|^2"),
    (VAE, ELBO_RATIO + r" \leq " + RECONSTRUCTION + r" + \frac{J}{2} + \sum_{j=1}^J \log\sigma_j - \frac{1}{2}\|\mathbf{z}\|^2"),
])
def test_a_false_bound_with_a_free_or_integrated_vector_is_refuted_in_a_world(prose, formula):
    assert verdict(prose, formula)[0] == REFUTED


TRUE_BOUNDS = [
    (VAE, ELBO_RATIO + r" \leq " + RECONSTRUCTION + r" + \frac{J}{2} + \sum_{j=1}^J \log\sigma_j"),
    (GAUSSIANS, E_ENCODER + r"[\|\mathbf{z}\|^2] \geq \|\boldsymbol{\mu}\|^2"),
    (GAUSSIANS, E_ENCODER + r"[\|\mathbf{z}\|^2] \geq \sum_{j=1}^J \sigma_j^2"),
    (GAUSSIANS, E_PRIOR + r"[\|\mathbf{z}\|^2] \geq 0"),
    (GAUSSIANS, r"\|\mathbf{z}\|^2 + " + E_PRIOR + r"[\|\mathbf{z}\|^2] \geq J"),
    (VAE, r"\log p_\theta(\mathbf{x}) \geq " + RECONSTRUCTION + " - " + KL_PRIOR),
]


@pytest.mark.parametrize("prose, formula", TRUE_BOUNDS)
def test_a_true_bound_is_still_proved(prose, formula):
    assert_proved(prose, formula)


# ---------------------------------------------------------------- F1: I declared a number

SCALAR_I = [
    r"Let $A \in \mathbb{R}^{d\times d}$ be invertible, $x \in \mathbb{R}^d$ and $I \in \mathbb{R}$ a scalar with $I > 0$.",
    r"Let $A \in \mathbb{R}^{d\times d}$ be invertible and $x \in \mathbb{R}^d$. Let $I > 0$.",
    r"Let $A \in \mathbb{R}^{d\times d}$ be invertible, $x \in \mathbb{R}^d$, and let $I$ be a positive number.",
    r"Let $A \in \mathbb{R}^{d\times d}$ be invertible, $x \in \mathbb{R}^d$. Let $c \in \mathbb{R}$ and $I = 2c$.",
]


@pytest.mark.parametrize("prose", SCALAR_I)
@pytest.mark.parametrize("formula", [r"A I = A", r"\det(I A) = \det(A)", r"x^\top (I A) x = x^\top A x"])
def test_a_step_true_only_for_the_identity_is_refuted_when_i_is_a_number(prose, formula):
    assert verdict(prose, formula)[0] == REFUTED


@pytest.mark.parametrize("prose", SCALAR_I)
@pytest.mark.parametrize("formula", [r"\mathrm{tr}(A^{-1} A) + I = d + I", r"x^\top (I A) x = I x^\top A x",
                                     r"A I = I A"])
def test_a_step_true_for_a_number_i_is_proved(prose, formula):
    assert_proved(prose, formula)


@pytest.mark.parametrize("formula", [r"A I = A", r"\mathrm{tr}(A^{-1} A) = \mathrm{tr}(I)"])
def test_an_undeclared_i_is_still_the_identity(formula):
    assert_proved(r"Let $A \in \mathbb{R}^{d\times d}$ be invertible and $c > 0$.", formula)


# ---------------------------------------------------------------- F2: a failed reading teaches nothing; f(z) of a law

DECODER = (r"The decoder is $p_\theta(\mathbf{x} \mid \mathbf{z}) = \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I)$ "
           r"with $\mathbf{x} \in \mathbb{R}^D$, $\mathbf{z} \in \mathbb{R}^J$ and $\sigma > 0$.")
DECLARED = r"Let $\mathbf{x} \in \mathbb{R}^D$, $\mathbf{z} \in \mathbb{R}^J$ and $\sigma > 0$."
GAUSSIAN_LOSS = (r"-\log \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I) = \frac{\|\mathbf{x} - f(\mathbf{z})\|^2}"
                 r"{2\sigma^2} + \frac{D}{2}\log(2\pi\sigma^2)")
DECODER_LOSS = (r"-\log p_\theta(\mathbf{x} \mid \mathbf{z}) = \frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{2\sigma^2} + "
                r"\frac{D}{2}\log(2\pi\sigma^2)")
FIRST = [r"c = 1", r"f(\mathbf{z})^\top f(\mathbf{z}) = \|f(\mathbf{z})\|^2", r"f(2\mathbf{z}) = 2 f(\mathbf{z})",
         r"\|f(\mathbf{z})\| = 1"]


@pytest.mark.parametrize("first", FIRST)
@pytest.mark.parametrize("prose, step", [(DECODER, GAUSSIAN_LOSS), (DECODER, DECODER_LOSS), (DECLARED, GAUSSIAN_LOSS)])
def test_a_true_decoder_step_is_proved_whatever_formula_comes_first(first, prose, step):
    found = verdicts(document(prose, first, step))
    assert found[-1][0] == PROVED, found


@pytest.mark.parametrize("formula", [r"f(\mathbf{z})^\top f(\mathbf{z}) = \|f(\mathbf{z})\|^2",
                                     r"f(\mathbf{z})^\top \mathbf{x} = \mathbf{x}^\top f(\mathbf{z})"])
def test_the_mean_of_a_prose_law_is_a_vector(formula):
    assert_proved(DECODER, formula)


@pytest.mark.parametrize("formula", [r"f(\mathbf{z})^\top \mathbf{x} = \mathbf{z}^\top f(\mathbf{z})",
                                     r"\|f(\mathbf{z})\|^2 = \|f(\mathbf{z})\|",
                                     DECODER_LOSS.replace(r"\frac{D}{2}", r"\frac{J}{2}")])
def test_a_wrong_step_about_the_mean_of_a_prose_law_is_not_proved(formula):
    assert verdict(DECODER, formula)[0] in NOT_PROVED


# ---------------------------------------------------------------- F3: the size of a bare I by its neighbours

SIZES = (r"Let $A \in \mathbb{R}^{n\times n}$, $B \in \mathbb{R}^{m\times m}$, $C \in \mathbb{R}^{n \times m}$ and "
         r"$x \in \mathbb{R}^n$.")


@pytest.mark.parametrize("formula", [r"C I = C", r"I C = C", r"C^\top I C = C^\top C", r"(A + I) C = A C + C",
                                     r"C (B + I) = C B + C", r"A^{-1} A = I", r"\mathrm{tr}(B + I) = \mathrm{tr}(B) + m",
                                     r"x^\top I x = x^\top x"])
def test_a_bare_identity_takes_the_size_its_neighbour_needs(formula):
    assert_proved(SIZES, formula)


@pytest.mark.parametrize("formula", [
    r"\mathrm{tr}(A A^{-1}) + \mathrm{tr}(B B^{-1}) = \mathrm{tr}(I) + \mathrm{tr}(I)",
    r"\mathrm{tr}(I) = n", r"\mathrm{tr}(I) = m"])
def test_a_bare_identity_no_neighbour_sizes_is_refused_not_refuted(formula):
    assert verdict(SIZES, formula)[0] == UNPARSED


@pytest.mark.parametrize("formula", [r"\mathrm{tr}(B + I) = \mathrm{tr}(B) + n", r"C I = 2 C", r"I C = C^\top"])
def test_a_wrong_step_with_a_sized_identity_is_not_proved(formula):
    assert verdict(SIZES, formula)[0] in NOT_PROVED


# ---------------------------------------------------------------- F11: the identity is never learned as a matrix

@pytest.mark.parametrize("first", [r"I^{-1} = I", r"I^\top = I", r"I^{-1} = 2 I"])
@pytest.mark.parametrize("later", [r"A I^{-1} = A", r"(A I)^\top = A^\top", r"I^\top I = I"])
def test_a_formula_about_i_alone_leaves_i_the_identity(first, later):
    found = verdicts(document(r"Let $A$ be a $d\times d$ matrix.", first, later))
    assert found[-1][0] == PROVED, found


@pytest.mark.parametrize("formula", [r"I^{-1} = I", r"I^\top I = I"])
def test_a_formula_about_i_alone_is_proved(formula):
    assert verdict(r"Let $A$ be a $d\times d$ matrix.", formula)[0] == PROVED


# ---------------------------------------------------------------- F4: x · A y

DOT = r"Let $\mathbf{x}, \mathbf{y} \in \mathbb{R}^d$, $A$ a $d\times d$ matrix."


@pytest.mark.parametrize("formula", [r"\mathbf{x} \cdot A \mathbf{y} = \mathbf{x}^\top A \mathbf{y}",
                                     r"\mathbf{x} \cdot A \mathbf{y} + \mathbf{x} \cdot \mathbf{y} = \mathbf{x}^\top (A + I) \mathbf{y}",
                                     r"\mathbf{x} \cdot A^\top \mathbf{y} = \mathbf{y}^\top A \mathbf{x}",
                                     r"A \cdot \mathbf{x} = A \mathbf{x}"])
def test_the_dot_takes_the_whole_product_on_its_right(formula):
    assert_proved(DOT, formula)


@pytest.mark.parametrize("formula", [r"\mathbf{x} \cdot A \mathbf{y} = \mathbf{y}^\top A \mathbf{x}",
                                     r"\mathbf{x} \cdot A \mathbf{y} = \mathbf{x}^\top \mathbf{y}"])
def test_a_wrong_dot_product_step_is_refuted(formula):
    assert verdict(DOT, formula)[0] == REFUTED


# ---------------------------------------------------------------- F5: digit entries

ENTRIES = (r"Let $\Sigma$ be a $d\times d$ covariance matrix, $S$ a $3 \times 3$ symmetric matrix, and "
           r"$A \in \mathbb{R}^{3\times 3}$.")


@pytest.mark.parametrize("formula", [r"\Sigma_{1,2} = \Sigma_{2,1}", r"\Sigma_{12} = \Sigma_{21}", r"S_{12} = S_{21}",
                                     r"S_{1,3} = S_{31}", r"(A^\top)_{12} = A_{21}", r"(A^\top)_{1,2} = A_{2,1}"])
def test_a_digit_entry_of_a_declared_matrix_is_an_entry(formula):
    assert_proved(ENTRIES, formula)


@pytest.mark.parametrize("formula", [r"A_{12} = A_{21}", r"(A^\top)_{12} = A_{12}", r"A_{1,2} = A_{2,1}",
                                     r"\mathrm{tr}(A) = A_{11} + A_{22}"])
def test_a_wrong_digit_entry_step_is_refuted(formula):
    assert verdict(ENTRIES, formula)[0] == REFUTED


@pytest.mark.parametrize("formula", [r"\mathrm{tr}(A) = A_{11} + A_{22} + A_{33}", r"\mathrm{tr}(S) = S_{11} + S_{22} + S_{33}"])
def test_the_trace_of_a_three_by_three_matrix_is_the_sum_of_its_digit_entries(formula):
    assert verdict(ENTRIES, formula)[0] in ("proved", "holds")


# ---------------------------------------------------------------- F7: matrices defined in the prose

DEFINED = (r"Let $\sigma \in \mathbb{R}^d$ with $\sigma_j > 0$ and $\Sigma = \mathrm{diag}(\sigma^2)$, and let $A = 2 I$ be "
           r"a $d\times d$ matrix.")


@pytest.mark.parametrize("formula", [r"\mathrm{tr}(\Sigma) = \sum_{j=1}^d \sigma_j^2", r"\det\Sigma = \prod_{j=1}^d \sigma_j^2",
                                     r"\mathrm{tr}(A) = 2d", r"A \Sigma = 2 \Sigma", r"\log\det\Sigma = 2\sum_{j=1}^d \log\sigma_j"])
def test_a_matrix_defined_in_the_prose_is_its_definition(formula):
    assert_proved(DEFINED, formula)


@pytest.mark.parametrize("formula", [r"\mathrm{tr}(\Sigma) = \sum_{j=1}^d \sigma_j", r"\mathrm{tr}(A) = d",
                                     r"\det\Sigma = \prod_{j=1}^d \sigma_j"])
def test_a_wrong_step_about_a_defined_matrix_is_refuted(formula):
    assert verdict(DEFINED, formula)[0] == REFUTED


# ---------------------------------------------------------------- F8: a limitless sum runs over the axis it indexes

AXES = (r"Let $A, B \in \mathbb{R}^{d\times d}$, $C \in \mathbb{R}^{n \times n}$, $x \in \mathbb{R}^d$ and "
        r"$w \in \mathbb{R}^n$.")


@pytest.mark.parametrize("formula", [r"\sum_{j} C_{jj} = \mathrm{tr}(C)", r"\sum_j A_{jj} = \mathrm{tr}(A)",
                                     r"\sum_j w_j C_{jj} = \mathrm{tr}(\mathrm{diag}(w) C)"])
def test_a_limitless_sum_over_a_matrix_axis_runs_over_that_axis(formula):
    assert_proved(AXES, formula)


@pytest.mark.parametrize("formula", [r"\sum_j x_j C_{jj} = \mathrm{tr}(C)", r"\sum_{j=1}^d C_{jj} = \mathrm{tr}(C)"])
def test_a_sum_over_mismatched_axes_is_not_proved(formula):
    assert verdict(AXES, formula)[0] in NOT_PROVED


SPECIAL_CASE = (r"Let $\Sigma_1$, $\Sigma_2$ be $d \times d$ symmetric positive-definite covariance matrices. Against the "
                r"standard normal ($\Sigma_2 = I$) the bound is simpler.")


@pytest.mark.parametrize("formula", [r"(\Sigma_1\Sigma_2)^{-1} = \Sigma_1^{-1}\Sigma_2^{-1}", r"\Sigma_2 = I",
                                     r"\mathrm{tr}(\Sigma_2) = d"])
def test_a_special_case_of_a_declared_matrix_in_the_prose_is_no_definition(formula):
    assert verdict(SPECIAL_CASE, formula)[0] in NOT_PROVED


@pytest.mark.parametrize("prose", [r"Let $\sigma \in \mathbb{R}^d$. For the special case $\Sigma = \mathrm{diag}(\sigma^2)$ see below.",
                                   r"Let $\sigma \in \mathbb{R}^d$ (with $\Sigma = \mathrm{diag}(\sigma^2)$ in the diagonal case).",
                                   r"Let $\sigma \in \mathbb{R}^d$. If $\Sigma = \mathrm{diag}(\sigma^2)$ the bound is tight."])
def test_a_conditional_matrix_equation_in_the_prose_is_no_definition(prose):
    assert verdict(prose, r"\mathrm{tr}(\Sigma) = \sum_{j=1}^d \sigma_j^2")[0] in NOT_PROVED


# ---------------------------------------------------------------- the name of a sum's index is no part of its value

VECTORS = r"Let $x, y \in \mathbb{R}^d$ and $A \in \mathbb{R}^{d\times d}$."


@pytest.mark.parametrize("formula", [r"\sum_{i=1}^d x_i y_i = x^\top y", r"\sum_{k=1}^d x_k^2 = \|x\|^2",
                                     r"\sum_{i=1}^d x_i y_i = \sum_{k=1}^d y_k x_k"])
def test_a_sum_over_any_index_name_is_proved(formula):
    assert_proved(VECTORS, formula)


@pytest.mark.parametrize("formula", [r"\sum_{i=1}^d x_i^2 = x^\top y", r"\sum_{i=2}^d x_i y_i = x^\top y",
                                     r"\sum_{i=1}^d \sum_{j=1}^d x_i A_{ij} y_j = y^\top A x"])
def test_a_wrong_sum_over_another_index_name_is_refuted(formula):
    assert verdict(VECTORS, formula)[0] == REFUTED


@pytest.mark.parametrize("formula", [r"z = \mu + \sigma \epsilon", r"\mathbb{E}[z] = \mu"])
def test_a_bare_identity_law_in_a_scalar_document_stays_scalar(formula):
    found = verdict(r"Let $\epsilon \sim N(0, I)$ and $z \sim N(\mu, \sigma^2)$.", formula)
    assert found[0] != REFUTED, found
