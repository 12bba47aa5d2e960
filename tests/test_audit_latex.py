"""The audit's LaTeX reader: notation variants read to the same mathcheck.vocab objects; anything it
cannot read exactly raises Unparsed quoting the fragment."""
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcheck.audit.latex import BareDensity, Context, NameRef, Unparsed, normal_from_variance, parse_expression, tokenize
from mathcheck.vocab import KL, Expectation, Normal, X, integral, mu, p, q, sigma, x, z


@pytest.mark.parametrize("source, expected", [
    (r"p(z\mid X)", p(z, given=X)),
    (r"p(z|X)", p(z, given=X)),
    (r"p(z \vert X)", p(z, given=X)),
    (r"p(X, z)", p(X, z)),
    (r"p(z,X)", p(X, z)),
    (r"q_{\phi}(z\mid X)", q(z, given=X, label="phi")),
    (r"p_\theta(X\mid z)", p(X, given=z, label="theta")),
])
def test_density_notations_read_to_the_vocab_density(source, expected):
    assert parse_expression(source) == expected


@pytest.mark.parametrize("source", [r"\int p(x) dx", r"\int p(x)\,\mathrm{d}x", r"\int_{-\infty}^{\infty} p(x) d x",
                                    r"\int p(x)\,\mathrm{d} x"])
def test_integral_notations_read_to_one_integral_over_the_real_line(source):
    assert parse_expression(source) == integral(p(x), x)


@pytest.mark.parametrize("source", [r"D_{KL}[q(z\mid X)||p(z)]", r"D_{KL}(q(z|X)\|p(z))",
                                    r"D_{\mathrm{KL}}\left[q(z\mid X) \parallel p(z)\right]",
                                    r"D_{KL}\left(q(z\mid X)\,\|\,p(z)\right)"])
def test_kl_notations_read_to_kl_with_the_arguments_in_order(source):
    assert parse_expression(source) == KL(q(z, given=X), p(z))


@pytest.mark.parametrize("source", [r"E_{q(z\mid X)}[\log p(X\mid z)]", r"\mathbb{E}_{q(z|X)}\left[\log p(X|z)\right]",
                                    r"E_{z\sim q(z\mid X)}[\log p(X\mid z)]"])
def test_expectation_notations_read_to_an_expectation_over_the_subscript_density(source):
    assert parse_expression(source) == Expectation(q(z, given=X), sp.log(p(X, given=z)))


def test_log_base_two_is_the_natural_log_over_log_two():
    assert parse_expression(r"\log_2 q(x)") == sp.log(q(x)) / sp.log(2)


def test_greek_letters_with_subscripts_and_powers_read_as_real_symbols():
    expr = parse_expression(r"\sigma_2^2 + \mu_1")
    sigma_2 = sp.Symbol("sigma_2", real=True)  # real, not positive: nothing declares it a scale
    assert expr == sigma_2**2 + sp.Symbol("mu_1", real=True)
    assert parse_expression(r"\log\sigma^2") == sp.log(sp.Symbol("sigma", real=True) ** 2)


def test_log_takes_one_factor_and_a_following_integral_is_a_new_factor():
    expr = parse_expression(r"\log p(X)\int q(z\mid X)dz")
    assert sp.Mul(*expr.args) == sp.log(p(X)) * integral(q(z, given=X), z)


def test_names_and_bare_densities_stay_placeholders_for_the_document():
    assert parse_expression("L(X, z)") == NameRef("L", (X, z))
    assert parse_expression(r"Loss\_func") == NameRef("Loss_func")
    assert parse_expression(r"D_{KL}") == NameRef("D_{KL}")
    assert parse_expression(r"D_{KL}(p||q)") == KL(BareDensity("p"), BareDensity("q"))


def test_a_declared_density_reads_as_its_normal():
    context = Context()
    context.densities[("p", "")] = (p(x), normal_from_variance(x, mu, sigma**2))
    assert parse_expression("p(x)", context) == Normal(x, mu, sigma)


@pytest.mark.parametrize("source, fragment, words", [
    (r"\int q(z\mid X)[\log p(X)-\log (z\mid X)]dz", r"\log (z\mid X)", "density name"),
    (r"D_{KL}[q(z\mid X)||p(z\mid X)|]", r"D_{KL}[q(z\mid X)||p(z\mid X)|]", "unexpected `|`"),
    (r"-D_{KL}+E[\log p(X)]", r"E[\log p(X)]", "without a subscript"),
    (r"-\int p(x)\log_2(x)dx", r"\log_2(x)", "logarithm of x"),
    (r"\foo p(x)", r"\foo", "unknown command"),
    (r"\log p(x) q(x)", r"\log p(x) q(x)", "ambiguous"),
    (r"\int p(x)", r"\int p(x)", "differential"),
    (r"p(x+1)", r"p(x+1)", "must be variables"),
    (r"D_{KL}[q(z\mid X), p(z)]", r"D_{KL}[q(z\mid X), p(z)]", "||"),
])
def test_ill_formed_fragments_are_unparsed_with_the_fragment_quoted(source, fragment, words):
    with pytest.raises(Unparsed) as caught:
        parse_expression(source)
    assert caught.value.fragment == fragment
    assert words in caught.value.reason
    assert caught.value.fragment in source


SPACINGS = st.sampled_from(["", " ", r"\,", r"\;", "\n", r"\!", "  "])
TOKENS_OF = r"\int q(z\mid X)\log\frac{p(X,z)}{q(z\mid X)}dz-\log p(X)\int q(z\mid X)dz"


@settings(max_examples=40, deadline=None)
@given(st.lists(SPACINGS, min_size=64, max_size=64))
def test_spacing_between_tokens_does_not_change_the_reading(spaces):
    tokens = tokenize(TOKENS_OF)
    pieces, last = [], 0
    for token, space in zip(tokens, spaces):
        pieces.append(TOKENS_OF[last:token.end])
        last = token.end
        next_is_letter = token.end < len(TOKENS_OF) and TOKENS_OF[token.end].isalpha()
        glued_command = TOKENS_OF[token.start] == "\\" and next_is_letter
        if not glued_command and not (token.kind == "word" and next_is_letter):
            pieces.append(space if space != r"\!" or token.kind != "cmd" else " ")
    pieces.append(TOKENS_OF[last:])
    assert parse_expression("".join(pieces)) == parse_expression(TOKENS_OF)


@pytest.mark.parametrize("written, relation", [(r"\geq", ">="), (r"\ge", ">="), ("≥", ">="), (r"\leq", "<="),
                                              (r"\le", "<="), ("=", "="), (":=", ":="), (r"\coloneqq", ":=")])
def test_relation_spellings_are_one_relation(written, relation):
    (token,) = [t for t in tokenize(f"a {written} b") if t.kind == "rel"]
    assert token.text == relation
