"""The audit's reader reads a formula exactly as LaTeX displays it, or refuses it (Unparsed, the fragment
quoted): juxtaposed numbers, powers of function values, malformed numbers, assumptions taken from names,
calls and products, the variable of an N(mean, variance), valid but unusual LaTeX, annotated relations and
wide spaces between formulas."""
import json

import pytest
import sympy as sp

from mathcheck.audit.latex import (
    Context, NameRef, Token, Unparsed, blank_comments, formula_scales, function_names, normal_from_variance,
    parse_expression, tokenize,
)
from mathcheck.cli import main
from mathcheck.report import HOLDS, PROVED
from mathcheck.symbolic import reevaluate
from mathcheck.vocab import KL, Expectation, Normal, X, integral, p, q, x, z

a, b, c, y = (sp.Symbol(name, real=True) for name in "abcy")
lam, alpha, beta, eps = (sp.Symbol(name, real=True) for name in ("lambda", "alpha", "beta", "epsilon"))
real_mu, real_sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", real=True)
nonzero_sigma = sp.Symbol("sigma", real=True, nonzero=True)
mu_of, sigma_of = sp.Function("mu"), sp.Function("sigma")


def read(source: str, context: Context | None = None) -> sp.Expr:
    return reevaluate(parse_expression(source, context))


def refusal(source: str, context: Context | None = None) -> Unparsed:
    with pytest.raises(Unparsed) as caught:
        parse_expression(source, context)
    error = caught.value
    assert error.reason and error.fragment and error.fragment in source, (error.reason, error.fragment)
    return error


# ---------------------------------------------------------------- exact readings


READINGS = [
    # explicit products and groups of numbers
    (r"2 \cdot 3", sp.Integer(6)), (r"2 \times 3", sp.Integer(6)), ("2(3)", sp.Integer(6)), ("2x", 2 * x),
    (r"\frac{1}{2}x", x / 2), ("12", sp.Integer(12)), ("0.25", sp.Rational(1, 4)), (".5", sp.Rational(1, 2)),
    ("--1", sp.Integer(1)), ("-2^2", sp.Integer(-4)), ("x^2y", x**2 * y), ("10^3", sp.Integer(1000)),
    (r"\frac12\frac12", sp.Rational(1, 4)), (r"6 \div 2", sp.Integer(3)), ("2{x}", 2 * x), ("(-1)^{2}", sp.Integer(1)),
    (r"\frac a bc", a / b * c), (r"\frac12x", x / 2), (r"\sqrt ab", sp.sqrt(a) * b),
    # a power after a function application is a power of the value
    (r"\exp(x)^2", sp.exp(x) ** 2), (r"\exp\left(x\right)^2", sp.exp(x) ** 2), (r"\sin(x)^2", sp.sin(x) ** 2),
    (r"\sin^2 x", sp.sin(x) ** 2), (r"\cos^2(x)", sp.cos(x) ** 2), (r"\log(2)^2", sp.log(2) ** 2),
    (r"\log^2 2", sp.log(2) ** 2), (r"\ln^2 3", sp.log(3) ** 2), (r"\exp^2 x", sp.exp(x) ** 2),
    (r"\log_2(8)^2", (sp.log(8) / sp.log(2)) ** 2), ("f(x)^2", sp.Function("f")(x) ** 2),
    (r"\mu(X)^2", mu_of(X) ** 2), (r"\sqrt{x}^2", x), (r"\sqrt x^2", x), ("|x|^2", x**2),
    (r"\max(1, 2)^2", sp.Integer(4)), (r"\log x^2", sp.log(x**2)), (r"\exp x^2", sp.exp(x**2)),
    (r"\log \frac{(2)^2}{3}", sp.log(sp.Rational(4, 3))), (r"\exp \sqrt{(x)^2}", sp.exp(sp.Abs(x))),
    # calls and products
    (r"\lambda(1-\lambda)", lam * (1 - lam)), (r"\alpha(1-\alpha)", alpha * (1 - alpha)),
    ("a(b+c)", a * (b + c)), (r"\beta(x+y)", beta * (x + y)), ("x(1-x)", x * (1 - x)),
    (r"\lambda^2(1-\lambda)", lam**2 * (1 - lam)), (r"\mu(X)+\epsilon\cdot\sigma(X)", mu_of(X) + eps * sigma_of(X)),
    (r"\mu(X+1)+\mu(X)", mu_of(X + 1) + mu_of(X)), ("f(x+1)", sp.Function("f")(x + 1)),
    ("g(2)", sp.Function("g")(2)), ("a(1, 2)", sp.Function("a")(1, 2)),
    # valid LaTeX in its less common spellings
    (r"\frac 1 2", sp.Rational(1, 2)), (r"\frac12", sp.Rational(1, 2)), (r"\frac a b", a / b),
    (r"\frac ab", a / b), (r"\frac\alpha\beta", alpha / beta), (r"\frac{1}2", sp.Rational(1, 2)),
    (r"\frac1{2}", sp.Rational(1, 2)), (r"\dfrac{1}{2}", sp.Rational(1, 2)), (r"\tfrac12", sp.Rational(1, 2)),
    (r"\cfrac{1}{2}", sp.Rational(1, 2)), (r"{a \over b}", a / b), (r"{1 \over 2}", sp.Rational(1, 2)),
    (r"\sqrt 4", sp.Integer(2)), (r"\sqrt{4}", sp.Integer(2)), (r"\sqrt x", sp.sqrt(x)),
    (r"\cos x", sp.cos(x)), (r"\sin x \cos x", sp.sin(x) * sp.cos(x)), (r"\tan x", sp.tan(x)),
    (r"\tanh(x)", sp.tanh(x)), (r"\ln 2", sp.log(2)), (r"\arctan(1)", sp.pi / 4),
    ("|x|", sp.Abs(x)), (r"\left| x \right|", sp.Abs(x)), (r"\lvert x \rvert", sp.Abs(x)), ("2|x|", 2 * sp.Abs(x)),
    ("|x| |y|", sp.Abs(x) * sp.Abs(y)), (r"\left| |x| - 1 \right|", sp.Abs(sp.Abs(x) - 1)),
    (r"\left|a\right| b \left|c\right|", sp.Abs(a) * b * sp.Abs(c)), (r"\log |x|", sp.log(sp.Abs(x))),
    (r"\max(a, b)", sp.Max(a, b)), (r"\min\{1, 2\}", sp.Integer(1)),
    (r"\int p(\sigma) d\sigma", integral(p(real_sigma), real_sigma)),
    (r"\int p(x)\,\mathrm{d}x", integral(p(x), x)), (r"\int p(x) \quad dx", integral(p(x), x)),
    (r"\int_{\mathbb{R}} p(x) dx", integral(p(x), x)), (r"\int e^{-x^2} d\mu", integral(sp.exp(-x**2), real_mu)),
    (r"e^{-\int p(x) dx}", sp.exp(-integral(p(x), x))), (r"\int\int p(x, z) dx dz", integral(p(x, z), x, z)),
    (r"\sigma^2_1", sp.Symbol("sigma_1", real=True) ** 2), (r"\sigma_1^2", sp.Symbol("sigma_1", real=True) ** 2),
    ("σ^2 + μ", real_sigma**2 + real_mu), ("∫ p(x) dx", integral(p(x), x)), ("1 − 2", sp.Integer(-1)),
    (r"\hat{x} - x", sp.Symbol(r"\hat{x}", real=True) - x), (r"\bar x", sp.Symbol(r"\bar{x}", real=True)),
    (r"\mathbf{x} - y", x - y),  # issue 11: a bold letter is its plain letter's variable (scalar reader), where
    # the formula does not write both forms (tests/test_audit_round6_fonts.py)
    (r"\text{KL}(p(x) \| q(x))", KL(p(x), q(x))),
    # the variable of N(mean, variance) next to another density
    (r"D_{KL}(q(z|X) \| N(0, 1))", KL(q(z, given=X), Normal(z, 0, 1))),
    (r"D_{KL}(N(0, 1) \| p(z))", KL(Normal(z, 0, 1), p(z))),
    (r"D_{KL}(N(0,1) \| N(1, 2))", KL(Normal(x, 0, 1), Normal(x, 1, sp.sqrt(2)))),
    (r"E_{\epsilon \sim N(0, 1)}[\epsilon^2]", Expectation(Normal(eps, 0, 1), eps**2)),
    (r"E_{z \sim q(z|X)}[z]", Expectation(q(z, given=X), z)),
    (r"N(z; \mu, \sigma^2)", Normal(z, real_mu, sp.Abs(real_sigma))),
    # a wide space at either end, a comma before it: nothing on the other side
    (r"\quad x + 1", x + 1), (r"x + 1, \quad", x + 1),
]


@pytest.mark.parametrize("source, expected", READINGS)
def test_each_formula_reads_exactly_as_displayed(source, expected):
    assert read(source) == reevaluate(expected)


def test_the_row_indentation_of_a_continued_expression_is_not_a_separator():
    source = "a \\\\\n& \\quad - b"  # two rows joined by the document: their tokens without the \\
    tokens = [token for token in tokenize(source) if token.text != "\\\\"]
    assert reevaluate(parse_expression(source, tokens=tokens)) == a - b


# ---------------------------------------------------------------- refusals


REFUSED = [
    # numbers side by side, or after a factor, are never multiplied
    ("1 2", "two numbers side by side"), (r"2\,500", "two numbers side by side"), ("1~2", "side by side"),
    (r"1\ 2", "side by side"), (r"1\;2", "side by side"), ("12 3", "side by side"), ("1.5 2", "side by side"),
    ("1 & 2", "side by side"), ("{1}{2}", "side by side"), ("{1}2", "side by side"), ("2^{2}{3}", "after a factor"),
    ("x{2}", "after a factor"), (r"1\mathrm{e}{-3}", "scientific notation"), (r"2{\frac12}", "mixed number"),
    ("2^2 3", "a number written after a factor"), ("x 2", "after a factor"),
    ("x2", "after a factor"), ("(1)2", "after a factor"), ("|2| 3", "after a factor"),
    (r"\frac 1 2 3", "after a factor"), (r"\sqrt 23", "after a factor"), (r"\sqrt{2}3", "after a factor"),
    ("x_1 2", "after a factor"), (r"\int p(x) 2 dx", "after a factor"),
    (r"2\frac12", "mixed number"), (r"2\frac{1}{2}", "mixed number"), (r"3\tfrac{1}{4}", "mixed number"),
    ("1/2x", "denominator"), ("a/b c", "denominator"),
    # malformed numbers and scientific notation
    ("1e-3", "scientific notation"), ("1E3", "scientific notation"), ("2.5e+10", "scientific notation"),
    ("1e−3", "scientific notation"), ("1 e-3", "scientific notation"), ("2 e 3", "scientific notation"),
    ("1.2.3", "malformed number"), ("007", "leading zero"), ("00", "leading zero"), ("f(1,000)", "leading zero"),
    ("1,000", "comma"), ("1{,}5", "comma"), ("1..2", "unexpected `.`"),
    # powers whose base is ambiguous
    (r"\sin^{-1} x", "inverse function or a power"), (r"\log^{n} x", "inverse function or a power"),
    (r"\sin^{1/2} x", "inverse function or a power"), ("f^2(x)", "ambiguous"), ("f^{-1}(x)", "ambiguous"),
    (r"\sigma^2(X)", "ambiguous"), (r"\log^2(2)^3", "second exponent"), (r"\exp{x}^2", "ambiguous"),
    (r"\log p(x)^2", "ambiguous"), ("x^2^3", "double superscript"), ("e^{x}^2", "double superscript"),
    ("2^T", "transpose"), (r"(a b)^\top", "transpose"),  # issue 12: x^T x is read (tests/test_audit_matrices.py)
    (r"e^{i\pi}", "complex"), ("(-8)^{1/3}", "negative number"), (r"6 \div 2 x", "denominator"),
    # calls and products that cannot be told apart
    (r"\mu(X) + \mu", "both as a function"), (r"\lambda(x) + \lambda", "both as a function"),
    (r"\phi(0)", "function value or a product"),
    # N(mean, variance) that is no density, or whose variable is not named
    ("N(0, 0)", "variance"), ("N(0, -1)", "variance"), (r"N(0, -\sigma^2)", "variance"),
    ("N(z; 3z, 1)", "depends on z"), ("N(x, 1)", "depends on x"),
    (r"E_{N(0,1)}[x^2]", "does not name its variable"), (r"E_{w \sim q(z|X)}[w]", "not the variable"),
    (r"D_{KL}(p(x, z) \| N(0, 1))", "cannot be told"), ("N(0, 1)(x)", "N(v; mean, variance)"),
    # logarithms and roots outside their domain
    (r"\log 0", "logarithm of 0"), (r"\log(-1)", "negative"), (r"\log \sigma", "not positive"),
    (r"\log(x)^2", "not positive"), (r"\sqrt{-4}", "negative"), (r"\log_1 2", "base"), (r"\log_{-2} 2", "base"),
    # wide spaces and prose between two formulas are not products
    (r"a \quad b", "inside an expression"), (r"a \qquad b", "inside an expression"),
    (r"a \hspace{1em} b", "inside an expression"), (r"a \text{ and } b", "inside an expression"),
    (r"(a \quad b)", "inside an expression"),
    # hostile or unsupported forms
    ("{x", "expected `}`"), ("x}", "unexpected"), (r"\left( x", "expected `)`"), ("(x]", "expected `)`"),
    (r"\left. x \right|", "invisible delimiter"), ("^2", "superscript"), ("_2", "unexpected"), ("2^", "missing"),
    ("x_1_2", "subscript"), (r"\frac{1}{0}", "division by zero"), (r"\cdot\cdot", "without an operand"),
    (r"\cdot x", "without an operand"), (r"x \cdot", "ends"), (r"\sum x", "not supported"),
    (r"\prod x", "not supported"), (r"\|x\|_1", "norm"), ("f'(x)", "prime"), ("x'(t)", "prime"),
    (r"\lim_{x \to 0} x", "limit"), (r"\partial x", "partial"), (r"\nabla f", "gradient"), ("n!", "factorial"),
    (r"\pm 1", "two formulas"), (r"\ldots", "ellipsis"),
    (r"\int_0^1 x dx", "whole real line"), (r"\sqrt[3]{x}", "unknown sign"), (r"\frac{1}", "without its argument"),
    (r"\max_z f(z)", "optimization"), (r"\overline{x+y}", "one letter"), (r"\text{$x$}", "math inside"),
    (r"50\%", "percent"),
    ("|a|b|c|", "ambiguous bars"), (r"\overset{a}{b}", "not a relation"), ("x²", "unexpected"),
    (r"\arcsin(x)", "domain"), (r"\int p(x)", "differential"), (r"\exp x y", "ambiguous"),
]


@pytest.mark.parametrize("source, words", REFUSED)
def test_each_ambiguous_or_unreadable_formula_is_refused_with_its_reason(source, words):
    assert words in refusal(source).reason


# ---------------------------------------------------------------- assumptions come from declarations


@pytest.mark.parametrize("source", [r"\sigma", r"\sigma_{12}", r"\sigma_x", r"\mu", "s"])
def test_a_name_alone_is_a_real_symbol_of_unknown_sign(source):
    symbol = parse_expression(source)
    assert symbol.is_real and symbol.is_positive is None


def test_the_square_root_of_a_square_is_the_absolute_value_without_a_declaration():
    assert read(r"\sqrt{\sigma_{12}^2}") == sp.Abs(sp.Symbol("sigma_12", real=True))


def test_a_declared_normal_of_variance_sigma_squared_has_standard_deviation_abs_sigma():
    declared = normal_from_variance(x, real_mu, real_sigma**2)
    assert declared == Normal(x, real_mu, sp.Abs(nonzero_sigma))


def test_a_declared_variance_symbol_is_positive():
    v = sp.Symbol("v", real=True)
    assert normal_from_variance(x, 0, v) == Normal(x, 0, sp.sqrt(sp.Symbol("v", positive=True)))


def test_formulas_after_a_declared_normal_read_its_sigma_as_that_nonzero_sigma():
    context = Context()
    context.densities[("p", "")] = (p(x), normal_from_variance(x, real_mu, real_sigma**2))
    assert read(r"\sqrt{\sigma^2}", context) == sp.Abs(nonzero_sigma)
    assert read(r"\sqrt{\sigma_2^2}", context) == sp.Abs(sp.Symbol("sigma_2", real=True))


def test_a_symbol_declared_by_the_prose_keeps_its_assumptions():
    context = Context()
    context.declare_symbol("s", "line 3: s > 0", positive=True)
    assert read(r"\sqrt{s^2}", context) == sp.Symbol("s", positive=True)
    assert context.notes[("symbol", "s")] == "line 3: s > 0"


def test_the_scales_of_the_normals_a_formula_writes_are_nonzero_in_that_formula():
    source = r"D_{KL}(N(\mu, \sigma^2) \| N(0, 1)) = \frac12(-\log\sigma^2 + \sigma^2 - 1 + \mu^2)"
    assert formula_scales(tokenize(source), source) == {"sigma": nonzero_sigma}


def test_a_declared_parameter_cannot_be_a_variable_of_integration():
    context = Context()
    context.declare_symbol("s", positive=True)
    assert "variable of integration" in refusal(r"\int e^{-s^2} ds", context).reason


@pytest.mark.parametrize("variance", [sp.Integer(0), sp.Integer(-1), -real_sigma**2])
def test_a_declaration_with_a_variance_that_is_not_positive_is_a_value_error(variance):
    with pytest.raises(ValueError, match="variance"):
        normal_from_variance(x, 0, variance)


def test_a_declaration_whose_mean_depends_on_its_variable_is_a_value_error():
    with pytest.raises(ValueError, match="depends on x"):
        normal_from_variance(x, 3 * x, 1)


def test_a_copied_context_copies_every_field():
    context = Context()
    context.declare_symbol("s", positive=True)
    context.functions.add("f")
    copied = context.copy()
    copied.symbols.clear()
    copied.functions.clear()
    assert "s" in context.symbols and "f" in context.functions


def test_the_names_a_formula_applies_to_variables_are_its_functions():
    source = r"\mu(X+1) = \mu(X) + \sigma_1(z) + f(x, y) + p(x) + x(1) + \lambda(1-\lambda)"
    assert function_names(tokenize(source), source) == {"mu", "sigma_1", "f"}


def test_a_name_used_as_a_function_and_as_a_number_in_one_formula_is_refused():
    context = Context()
    context.functions.update(function_names(tokenize(r"\mu(X) = 1"), r"\mu(X) = 1"))
    assert "both as a function" in refusal(r"\mu(1-\mu)", context).reason


def test_a_function_declared_by_the_document_is_called_with_any_argument():
    context = Context()
    context.functions.add("phi")
    assert read(r"\phi(x+1)", context) == sp.Function("phi")(x + 1)


# ---------------------------------------------------------------- relations, separators, comments


@pytest.mark.parametrize("written, relation, note", [
    (r"\overset{(a)}{=}", "=", "(a)"), (r"\stackrel{(1)}{=}", "=", "(1)"), (r"\stackrel{(1)}=", "=", "(1)"),
    (r"\overset{\text{Jensen}}{\geq}", ">=", r"\text{Jensen}"), (r"\underset{x}{\leq}", "<=", "x"),
    (r"\overset{!}{=}", "=", "!"), (r"\mathrel{\overset{(i)}{=}}", "=", "(i)"),
    (r"\stackrel{\text{def}}{=}", ":=", r"\text{def}"), (r"\overset{\mathrm{def}}{=}", ":=", r"\mathrm{def}"),
    (r"\overset{\Delta}{=}", ":=", r"\Delta"), (r"\overset{\text{(def.)}}{=}", ":=", r"\text{(def.)}"),
    (r"\equiv", "=", r"\equiv"), (r"\eqqcolon", "=:", ""), ("=:", "=:", ""), (r"\triangleq", ":=", ""),
    (r"\coloneqq", ":=", ""), (r"\xlongequal{(a)}", "=", "(a)"), (r"\xlongequal{\text{def}}", ":=", r"\text{def}"),
    (r"\Rightarrow", "⇒", ""), (r"\iff", "⇔", ""), (r"\in", "∈", ""),
])
def test_an_annotated_relation_keeps_its_relation_and_its_note(written, relation, note):
    (token,) = [t for t in tokenize(f"a {written} b") if t.kind == "rel"]
    assert (token.text, token.note) == (relation, note)


@pytest.mark.parametrize("written", [r"\quad", r"\qquad", r"\hspace{1em}", r"\hspace*{2cm}", r"\text{ and }",
                                     r"\text{if}", r"\text{for all}", r"\,\quad"])
def test_a_wide_space_or_prose_between_two_equations_is_one_separator_token(written):
    kinds = [t.kind for t in tokenize(f"0 = 0 {written} 1 = 0")]
    assert kinds == ["num", "rel", "num", "sep", "num", "rel", "num"]


@pytest.mark.parametrize("written", [r"\,", r"\;", r"\!", r"\:", "~", r"\ "])
def test_a_thin_space_is_no_token(written):
    assert [t.kind for t in tokenize(f"x {written} y")] == ["word", "word"]


def test_an_escaped_percent_is_not_a_comment():
    tokens = tokenize(r"50\% = x % a comment \\ y")
    assert [t.text for t in tokens] == ["50", "%", "=", "x"]


def test_blank_comments_keeps_offsets_and_escaped_percents():
    text = "a = b % c \\\\ d\n\\% e"
    blanked = blank_comments(text)
    assert len(blanked) == len(text) and "\\\\" not in blanked and blanked.endswith("\\% e")


def test_tokens_keep_their_four_positional_fields():
    token = Token("rel", "=", 0, 1)
    assert token.note == ""


# ---------------------------------------------------------------- the whole pipeline


def audit_verdicts(tmp_path, capsys, text: str) -> list[str]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    main(["audit", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return [step["verdict"] for step in json.loads(captured.out)["steps"]]


FALSE_STEPS = [
    "1 2 = 2", r"2\,500 = 1000", r"\exp(x)^2 = e^{x^2}", "1e-3 = e - 3", "1.2.3 = 1.2",
    r"\sqrt{\sigma_{12}^2} = \sigma_{12}", r"\sqrt{\sigma^2} = \sigma", r"\log p(X) \overset{(a)}{=} \log p(X) + 1",
    r"2^2 3 = 12", r"x^{(i)} = x", r"\frac{d}{dx} x^2 = x", r"\nabla_x x^2 = 2", r"2\frac12 = 1",
]


@pytest.mark.parametrize("step", FALSE_STEPS)
def test_a_false_or_misread_step_does_not_pass_the_audit(tmp_path, capsys, step):
    verdicts = audit_verdicts(tmp_path, capsys, f"$${step}$$\n")
    assert verdicts and not any(v in (PROVED, HOLDS, "definition") for v in verdicts), verdicts


TRUE_STEPS = [
    r"\lambda(1-\lambda) \leq \frac14", r"D_{KL}(q(z|X) \| N(0, 1)) \geq 0", r"\frac 1 2 + \frac12 = 1",
    r"\sqrt 4 = 2", r"\int N(\sigma; 0, 1) d\sigma = 1", r"e^{-\int p(x) dx} = e^{-1}", r"|x| \geq 0",
    r"\max(1, 2) = 2", r"{1 \over 2} = \frac12", r"\exp(x)^2 = e^{2x}", r"2(3) = 6",
]


@pytest.mark.parametrize("step", TRUE_STEPS)
def test_a_true_step_in_unusual_latex_passes_the_audit(tmp_path, capsys, step):
    assert audit_verdicts(tmp_path, capsys, f"$${step}$$\n") in ([PROVED], [HOLDS])


@pytest.mark.parametrize("declaration, step", [
    ("p(x)\\sim N(\\mu,\\sigma^2)", "\\sqrt{\\sigma^2} = \\sigma"), ("p(x)\\sim N(0, s^2)", "\\sqrt{s^2} = s"),
    ("z\\sim N(0,a^2)", "\\sqrt{a^2}=a"),
])
def test_a_declared_variance_written_as_a_square_does_not_make_its_root_positive(tmp_path, capsys, declaration,
                                                                                   step):
    text = f"Let ${declaration}$.\n\n$${step}$$\n"
    assert audit_verdicts(tmp_path, capsys, text)[0] not in (PROVED, HOLDS)


@pytest.mark.parametrize("source, expected", [
    (r"\sqrt[3]{8}", sp.Integer(2)), (r"\sqrt[3]{-8}", sp.Integer(-2)), (r"\sqrt[4]{16}", sp.Integer(2)),
    (r"\sqrt[2]{9}", sp.Integer(3)),
])
def test_an_nth_root_reads_as_the_real_root(source, expected):
    assert parse_expression(source) == expected


@pytest.mark.parametrize("source, words", [
    (r"\sqrt[x]{8}", "whole number"), (r"\sqrt[1]{2}", "whole number"), (r"\sqrt[4]{-16}", "not real"),
    (r"\sqrt[3]{y}", "unknown sign"),
])
def test_an_nth_root_that_is_not_a_real_number_is_refused(source, words):
    with pytest.raises(Unparsed, match=words):
        parse_expression(source)


def test_an_upright_d_without_braces_is_the_differential():
    assert parse_expression(r"\int q(z\mid X)\,\mathrm dz") == parse_expression(r"\int q(z\mid X)\,dz")


@pytest.mark.parametrize("source, expected", [
    ("ab", a * b), ("ba + 1", a * b + 1), ("2ab", 2 * a * b), ("xy", x * y), ("ab^2", a * b**2),
])
def test_juxtaposed_letters_read_as_their_product(source, expected):
    assert read(source) == expected


@pytest.mark.parametrize("step", ["ab = ba + 1", "zX = Xz + 1", "xy = x y + 1", "as = sa + 1", "tr = rt + 1"])
def test_juxtaposed_letters_are_not_a_definition_of_a_name(tmp_path, capsys, step):
    assert audit_verdicts(tmp_path, capsys, f"$${step}$$\n") == ["refuted"]


def test_the_square_of_a_sum_expands_with_juxtaposed_letters(tmp_path, capsys):
    assert audit_verdicts(tmp_path, capsys, "$$(a+b)^2 = a^2 + 2ab + b^2$$\n") == [PROVED]


@pytest.mark.parametrize("source", ["abc", "xyz + 1", "2abc"])
def test_a_longer_run_of_letters_is_refused_as_ambiguous(source):
    assert "ambiguous" in refusal(source).reason


@pytest.mark.parametrize("source, name", [
    (r"\mathrm{ab}", "ab"), (r"\operatorname{ab}", "ab"), (r"\text{Loss}", "Loss"), ("Loss", "Loss"),
    ("BCELoss", "BCELoss"),
])
def test_an_upright_or_capitalised_word_stays_one_name(source, name):
    assert parse_expression(source) == NameRef(name)


@pytest.mark.parametrize("source", ["{-1}^2", "{-x}^2", "{+2}^2"])
def test_a_signed_braced_group_under_a_power_is_refused_as_ambiguous(source):
    assert "(-1)^2" in refusal(source).reason


def test_the_log_of_a_declared_sigma_squared_is_twice_the_log_of_its_absolute_value():
    context = Context()
    context.densities[("p", "")] = (p(x), normal_from_variance(x, real_mu, real_sigma**2))
    assert read(r"\log\sigma^2", context) == 2 * sp.log(sp.Abs(nonzero_sigma))


def test_the_seed_gaussian_kl_with_log_sigma_squared_is_proved(tmp_path, capsys):
    text = ("Let $p(x)\\sim N(\\mu,\\sigma^2)$ and $q(x)\\sim N(0,1)$.\n\n"
            "$$D_{KL}(p||q) = \\frac{1}{2}\\left[-\\log\\sigma^2+\\sigma^2-1+\\mu^2\\right]$$\n")
    assert audit_verdicts(tmp_path, capsys, text) == [PROVED]
