"""The reader of vectors, matrices, sums and products over an index (issue 12): notation -> sympy matrix
expressions, the shapes the prose declares and the use teaches, and soundness: a matrix is never read as a
commuting number, an ill-formed expression is refuted with its shapes, and true steps are read."""
import pytest
import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardProduct

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.audit.latex import Context, Unparsed, parse_expression
from mathcheck.audit.matrix_reader import IllFormed
from mathcheck.matrices import Components, Covariance, Diagonal, scalar
from mathcheck.matrices import j as entry_index

d = sp.Symbol("d", integer=True, positive=True)
n, m, N = (sp.Symbol(name, integer=True, positive=True) for name in "nmN")
j = sp.Symbol("j", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
x, y, mu = (sp.MatrixSymbol(name, d, 1) for name in ("x", "y", "mu"))
Sigma, Sigma_1, Sigma_2, A, B = (sp.MatrixSymbol(name, d, d) for name in ("Sigma", "Sigma_1", "Sigma_2", "A", "B"))
ID = sp.Identity(d)


def declared(**shapes) -> Context:
    context = Context()
    context.shapes.update(shapes)
    return context


def vectors(*names: str) -> Context:
    return declared(**{name: (d, 1) for name in names})


def components(name: str, size=d) -> Components:
    return Components(sp.IndexedBase(name, real=True), size)


# ---------------------------------------------------------------- notation -> matrix expressions

READINGS = [
    # transposes: every notation, and the transposed name is a vector without a declaration
    ("x^T x", None, scalar(x.T * x)), (r"x^\top x", None, scalar(x.T * x)), (r"x^\intercal x", None, scalar(x.T * x)),
    (r"x^{\mathsf T} x", None, scalar(x.T * x)), (r"x^{\mathsf{T}} x", None, scalar(x.T * x)),
    (r"x^{\top} x", None, scalar(x.T * x)), (r"x^{T} x", None, scalar(x.T * x)),
    # bold vectors with matrix operations
    (r"\mathbf{x}^T\mathbf{x}", None, scalar(x.T * x)), (r"\boldsymbol{\mu}^\top\boldsymbol{\mu}", None, scalar(mu.T * mu)),
    (r"\bm{x}^T \bm{y}", None, scalar(x.T * y)),
    # a quadratic form, the inverse of a covariance letter
    (r"(x-\mu)^T\Sigma^{-1}(x-\mu)", None, scalar((x - mu).T * sp.Inverse(Sigma) * (x - mu))),
    (r"\Sigma^{-1}", None, sp.Inverse(Sigma)), (r"\Sigma_1^{-1}\Sigma_2", None, sp.Inverse(Sigma_1) * Sigma_2),
    (r"A^{-T}", declared(A=(d, d)), sp.Transpose(sp.Inverse(A))),
    # traces
    (r"\mathrm{tr}(\Sigma)", None, sp.Trace(Sigma)), (r"\operatorname{tr}(\Sigma)", None, sp.Trace(Sigma)),
    (r"\text{trace}(\Sigma)", None, sp.Trace(Sigma)), (r"\mathrm{Tr}(\Sigma)", None, sp.Trace(Sigma)),
    (r"\mathrm{tr}\left(\Sigma_2^{-1}\Sigma_1\right)", None, sp.Trace(sp.Inverse(Sigma_2) * Sigma_1)),
    (r"\mathrm{tr}(A B)", None, sp.Trace(A * B)), (r"\mathrm{tr}(AB)", None, sp.Trace(A * B)),
    (r"\mathrm{tr}(x^T A x)", declared(A=(d, d)), scalar(x.T * A * x)),
    # determinants
    (r"\det\Sigma", None, sp.Determinant(Sigma)), (r"\det(\Sigma)", None, sp.Determinant(Sigma)),
    (r"|\Sigma|", None, sp.Determinant(Sigma)), (r"\left|\Sigma\right|", None, sp.Determinant(Sigma)),
    (r"\log\det\Sigma", None, sp.log(sp.Determinant(Sigma))), (r"\log|\Sigma|", None, sp.log(sp.Determinant(Sigma))),
    (r"\log\left|\Sigma_1\Sigma_2\right|", None, sp.log(sp.Determinant(Sigma_1 * Sigma_2))),
    # norms
    (r"\|x\|^2", None, scalar(x.T * x)), (r"\|x\|_2^2", None, scalar(x.T * x)),
    (r"\left\| x - \mu \right\|^2", vectors("x"), scalar((x - mu).T * (x - mu))),
    (r"\lVert x \rVert", None, sp.sqrt(scalar(x.T * x))),
    # elementwise products, identities
    (r"x \odot y", vectors("x", "y"), HadamardProduct(x, y)),
    (r"\Sigma + I", None, Sigma + ID), (r"\Sigma + I_d", None, Sigma + ID), (r"\mathbf{I}", None, ID),
    (r"I_n", None, sp.Identity(n)), (r"\sigma^2 I + \Sigma", None, sp.Symbol("sigma", real=True) ** 2 * ID + Sigma),
    # sums and products over an index
    (r"\sum_{j=1}^{d} \mu_j^2", None, sp.Sum(sp.IndexedBase("mu", real=True)[j] ** 2, (j, 1, d))),
    (r"\sum_j \log \sigma_j^2", None, sp.Sum(sp.log(sp.IndexedBase("sigma", real=True)[j] ** 2), (j, 1, d))),
    (r"\prod_{j=1}^d \sigma_j", None, sp.Product(sp.IndexedBase("sigma", real=True)[j], (j, 1, d))),
    (r"\prod_{j} \sigma_j", None, sp.Product(sp.IndexedBase("sigma", real=True)[j], (j, 1, d))),
    (r"\sum_{i=1}^N a_i", None, sp.Sum(sp.IndexedBase("a", real=True)[i], (i, 1, N))),
    (r"\sum_{i=1}^{N} \sum_{j=1}^{d} a_i b_j", None,
     sp.Sum(sp.IndexedBase("a", real=True)[i] * sp.IndexedBase("b", real=True)[j], (j, 1, d), (i, 1, N))),
    # a vector whose components are used is the vector of its components
    (r"\|x\|^2 - \sum_{j=1}^{d} x_j^2", vectors("x"),
     scalar(components("x").T * components("x")) - sp.Sum(sp.IndexedBase("x", real=True)[j] ** 2, (j, 1, d))),
    (r"\mathrm{diag}(\sigma^2)", None, Diagonal(sp.IndexedBase("sigma", real=True)[entry_index] ** 2, entry_index, d)),
    # declared sizes
    ("A^T A", declared(A=(n, m)), sp.MatrixSymbol("A", n, m).T * sp.MatrixSymbol("A", n, m)),
]


@pytest.mark.parametrize("source, context, expected", READINGS)
def test_each_matrix_notation_reads_to_its_matrix_expression(source, context, expected):
    assert parse_expression(source, context) == expected


def test_a_declared_positive_definite_matrix_is_a_covariance():
    context = declared(Sigma=(d, d))
    context.definite.add("Sigma")
    assert parse_expression(r"\Sigma^{-1}", context) == sp.Inverse(Covariance("Sigma", d, d))


@pytest.mark.parametrize("source", [r"\frac{1}{N}\sum_{i=1}^N a_i", r"N + \sum_{i=1}^{N} a_i"])
def test_the_upper_limit_of_a_sum_is_one_size_everywhere_in_the_expression(source):
    assert {s for s in parse_expression(source).free_symbols if s.name == "N"} == {N}


def test_the_size_of_a_trace_of_the_identity_is_the_vector_dimension():
    context = vectors("x")
    assert parse_expression("d", context) == d


# ---------------------------------------------------------------- refusals: what cannot be told

REFUSED = [
    ("A B", "matrices or of numbers"), (r"\mathbf{A}\mathbf{B}", "matrices or of numbers"),
    ("(AB)^{-1}", "matrices or of numbers"), ("x^T y", "number or a vector"), (r"\log\det A", "positive definite"),
    (r"\sum_j a_j - b_j", "outside the sum"), (r"\sum_{i} a_i", "limits"), (r"\sum_{i=1}^N \log p(x_i)", "density"),
    (r"\log \Sigma", "matrix"), (r"\exp(\Sigma)", "matrix"), (r"\|x\|_1", "Euclidean"), ("2^T", "transpose"),
    (r"\mathrm{tr}(x - f(z))^2", "non-square (d×1)"),  # f(z) added to a vector is one: tr of a vector (r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \mathrm{diag}(\sigma^2))}[z]", "positive definite"),
]


@pytest.mark.parametrize("source, reason", REFUSED)
def test_a_product_or_construct_whose_kind_cannot_be_told_is_refused_with_its_reason(source, reason):
    with pytest.raises(Unparsed) as caught:
        parse_expression(source, vectors("x") if "x" in source and "^T y" not in source else None)
    assert reason in caught.value.reason


ILL_FORMED = [
    (r"\Sigma + 1", None, "(d×d) + (1×1)"), (r"x + 1", vectors("x"), "(d×1) + (1×1)"),
    (r"x x", vectors("x"), "(d×1)(d×1)"), (r"\Sigma x^T", vectors("x"), "(d×d)(1×d)"),
    (r"\Sigma + x", vectors("x"), "(d×d) + (d×1)"), (r"A^{-1}", declared(A=(n, m)), "non-square (n×m)"),
    (r"\mathrm{tr}(A)", declared(A=(n, m)), "non-square (n×m)"), (r"x \odot \Sigma", vectors("x"), "(d×1) ⊙ (d×d)"),
]


@pytest.mark.parametrize("source, context, shapes", ILL_FORMED)
def test_an_ill_formed_expression_names_its_shapes(source, context, shapes):
    with pytest.raises(IllFormed) as caught:
        parse_expression(source, context)
    assert caught.value.reason.startswith("ill-formed") and shapes in caught.value.reason


# ---------------------------------------------------------------- prose declarations


def contexts(text: str) -> list[Context]:
    return [formula.context for formula in parse_document("doc.md", text).formulas]


DECLARATIONS = [
    ("Let $x \\in \\mathbb{R}^d$.", {"x": (d, 1)}),
    ("Let $x, \\mu \\in \\mathbb{R}^{d}$.", {"x": (d, 1), "mu": (d, 1)}),
    ("Here $A \\in \\mathbb{R}^{n\\times m}$.", {"A": (n, m)}),
    ("Here $\\mathbf{x} \\in \\mathbb{R}^D$.", {"x": (sp.Symbol("D", integer=True, positive=True), 1)}),
    ("$\\Sigma$ is a $d\\times d$ covariance matrix.", {"Sigma": (d, d)}),
    ("$A$ and $B$ are $n \\times n$ matrices.", {"A": (n, n), "B": (n, n)}),
    ("$\\mu$ is a $d$-dimensional vector.", {"mu": (d, 1)}),
    ("Let $z \\sim \\mathcal{N}(\\mu, \\Sigma)$.", {"z": (d, 1), "mu": (d, 1), "Sigma": (d, d)}),
    ("Let $z \\sim \\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2))$.", {"z": (d, 1), "mu": (d, 1), "sigma": (d, 1)}),
    ("Let $z \\sim \\mathcal{N}(0, I_d)$.", {"z": (d, 1)}),
]


@pytest.mark.parametrize("prose, shapes", DECLARATIONS)
def test_each_prose_declaration_gives_its_names_their_shapes(prose, shapes):
    (context,) = contexts(prose + "\n\n$$a = a$$\n")
    assert {name: context.shapes.get(name) for name in shapes} == shapes


@pytest.mark.parametrize("prose", ["$\\Sigma$ is a $d\\times d$ covariance matrix.",
                                   "Let $z \\sim \\mathcal{N}(\\mu, \\Sigma)$.", "We assume $\\Sigma \\succ 0$."])
def test_a_covariance_declaration_makes_its_matrix_positive_definite(prose):
    (context,) = contexts(prose + "\n\n$$a = a$$\n")
    assert "Sigma" in context.definite


@pytest.mark.parametrize("prose", ["$\\Sigma$ is not a matrix.", "Is $\\Sigma \\succ 0$?"])
def test_a_negated_or_questioned_statement_declares_no_matrix(prose):
    (context,) = contexts(prose + "\n\n$$a = a$$\n")
    assert "Sigma" not in context.definite and (prose.startswith("Is") or "Sigma" not in context.shapes)


def test_a_scalar_law_stays_a_scalar_law():
    (context,) = contexts("Let $\\epsilon \\sim N(0, 1)$.\n\n$$a = a$$\n")
    assert not context.shapes and context.laws


def test_what_a_transpose_teaches_holds_on_the_other_side_and_later():
    first, second = contexts("$$y^T x = x^T y$$\n\n$$x - \\mu = x - \\mu$$\n")
    assert first.shapes["x"] == (d, 1) and first.shapes["y"] == (d, 1) and second.shapes["mu"] == (d, 1)


# ---------------------------------------------------------------- soundness of the audit


def verdicts(text: str) -> list:
    return [(step.verdict, step.reason) for step in audit_document(parse_document("doc.md", text)).steps]


FALSE_STEPS = [
    r"(\Sigma_1\Sigma_2)^{-1} = \Sigma_1^{-1}\Sigma_2^{-1}",  # proved before issue 12: commuting scalars
    r"\mathrm{tr}(ABC) = \mathrm{tr}(BAC)", r"\mathrm{tr}(A B C) = \mathrm{tr}(B A C)",
    r"\operatorname{tr}(\Sigma_1\Sigma_2\Sigma) = \operatorname{tr}(\Sigma_2\Sigma_1\Sigma)",
    r"(AB)^{-1} = A^{-1}B^{-1}", r"(A B)^{-1} = A^{-1} B^{-1}", r"(AB)^T = A^T B^T", r"(A B)^\top = A^\top B^\top",
    r"\det(A+B) = \det A + \det B", r"\det(A + B) = \det(A) + \det(B)", r"|A + B| = |A| + |B|",
    r"x^T A x = A x^T x", r"x^T \Sigma^{-1} x = \Sigma^{-1} x^T x",
    r"\mathbf{x}^T\Sigma^{-1}\mathbf{x} = \Sigma^{-1}\mathbf{x}^T\mathbf{x}", r"AB = BA", r"A B = B A",
    r"\Sigma_1\Sigma_2 = \Sigma_2\Sigma_1", r"\mathbf{A}\mathbf{B} = \mathbf{B}\mathbf{A}",
    r"\mathrm{tr}(\Sigma_1\Sigma_2) = \mathrm{tr}(\Sigma_1)\mathrm{tr}(\Sigma_2)", r"\det(2\Sigma) = 2\det\Sigma",
    r"A^{-1} A = 1", r"(\Sigma_1 + \Sigma_2)^{-1} = \Sigma_1^{-1} + \Sigma_2^{-1}",
    r"\mathrm{tr}(\Sigma_2^{-1}\Sigma_1) = \mathrm{tr}(\Sigma_1)", r"x^T x = x x^T", r"(A^T)^{-1} = A",
    r"\|x + y\|^2 = \|x\|^2 + \|y\|^2",
]


@pytest.mark.parametrize("step", FALSE_STEPS)
def test_a_false_matrix_identity_is_never_proved(step):
    ((verdict, reason),) = verdicts(f"$${step}$$\n")
    assert verdict not in ("proved", "holds"), reason


@pytest.mark.parametrize("step", [r"\Sigma + 1 = \Sigma", r"x^T x + \Sigma = \Sigma", r"\Sigma x^T = x"])
def test_an_ill_formed_step_is_refuted_with_its_shapes(step):
    ((verdict, reason),) = verdicts(f"Let $x \\in \\mathbb{{R}}^d$.\n\n$${step}$$\n")
    assert verdict == "refuted" and "ill-formed" in reason and "×" in reason


DECLARED = ("Let $x, y, \\mu \\in \\mathbb{R}^d$, $A, B, C \\in \\mathbb{R}^{d\\times d}$, and let $\\Sigma$, "
            "$\\Sigma_1$, $\\Sigma_2$ be $d\\times d$ covariance matrices.\n\n")
TRUE_STEPS = [
    r"(AB)^{-1} = B^{-1}A^{-1}", r"(AB)^T = B^T A^T", r"\mathrm{tr}(ABC) = \mathrm{tr}(CAB)",
    r"x^T A x = \mathrm{tr}(A x x^T)", r"\|x\|^2 = x^T x", r"\|x\|_2^2 = \sum_{j=1}^{d} x_j^2",
    r"\log|\Sigma| = \log\det\Sigma", r"\mathrm{tr}(I_d) = d",
    r"(x-\mu)^T(x-\mu) = x^T x - 2\mu^T x + \mu^T\mu",
    r"(x-\mu)^\top \Sigma^{-1} (x - \mu) = \mathrm{tr}\left(\Sigma^{-1}(x-\mu)(x-\mu)^\top\right)",
    r"\log|\Sigma_1 \Sigma_2| = \log|\Sigma_1| + \log|\Sigma_2|", r"(\Sigma^{-1})^T = \Sigma^{-1}",
    r"\mathrm{tr}(\Sigma_1 + \Sigma_2) = \mathrm{tr}(\Sigma_1) + \mathrm{tr}(\Sigma_2)",
    r"\mathrm{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2-\mu_1)^T\Sigma_2^{-1}(\mu_2-\mu_1) - d + \log\det\Sigma_2 - "
    r"\log\det\Sigma_1 = \mathrm{tr}(\Sigma_1\Sigma_2^{-1}) + (\mu_1-\mu_2)^T\Sigma_2^{-1}(\mu_1-\mu_2) - d + "
    r"\log\frac{\det\Sigma_2}{\det\Sigma_1}",
    r"\frac{1}{2}\sum_{j=1}^{d}\left(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\right) = \frac{1}{2}\sum_{j=1}^{d}"
    r"\mu_j^2 + \frac{1}{2}\sum_{j=1}^{d}\left(\sigma_j^2 - 1 - \log\sigma_j^2\right)",
    r"\mathrm{tr}(\mathrm{diag}(\sigma^2)) = \sum_j \sigma_j^2",
]


@pytest.mark.parametrize("step", TRUE_STEPS)
def test_a_true_matrix_step_is_read_and_not_refuted(step):
    ((verdict, reason),) = verdicts(DECLARED + f"$${step}$$\n")
    assert verdict not in ("unparsed", "refuted"), reason


def test_a_scalar_document_reads_as_before():
    steps = verdicts("$$2C + K = K + 2C$$\n\n$$\\frac{1}{K}\\sum_{k=1}^{K} 1 = 1$$\n\n$$\\mathbf{x} - y = 0$$\n")
    assert [verdict for verdict, _ in steps][:1] == ["proved"] and steps[2][0] != "unparsed"


KL_DOCUMENT = r"""We assume $\sigma_j > 0$. Let $\mu, \sigma \in \mathbb{R}^d$, and let $\Sigma_1, \Sigma_2$ be $d \times d$
covariance matrices and $\mu_1, \mu_2 \in \mathbb{R}^d$.

$$
\begin{aligned}
\frac{1}{2}\left[\mathrm{tr}(\mathrm{diag}(\sigma^2)) + \mu^\top\mu - d - \log\det\mathrm{diag}(\sigma^2)\right]
&= \frac{1}{2}\left[\sum_{j=1}^{d}\sigma_j^2 + \sum_{j=1}^{d}\mu_j^2 - d - \sum_{j=1}^{d}\log\sigma_j^2\right] \\
&= \frac{1}{2}\sum_{j=1}^{d}\left(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\right)
\end{aligned}
$$

$$
\begin{aligned}
\mathrm{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2-\mu_1)^\top\Sigma_2^{-1}(\mu_2-\mu_1)
&= \mathrm{tr}(\Sigma_2^{-1}\Sigma_1) + \mathrm{tr}\left(\Sigma_2^{-1}(\mu_2-\mu_1)(\mu_2-\mu_1)^\top\right) \\
&= \mathrm{tr}\left(\Sigma_2^{-1}\left(\Sigma_1 + (\mu_2-\mu_1)(\mu_2-\mu_1)^\top\right)\right) \\
&= \mathrm{tr}(\Sigma_1\Sigma_2^{-1}) + (\mu_2-\mu_1)^\top\Sigma_2^{-1}(\mu_2-\mu_1)
\end{aligned}
$$

$$\mathrm{tr}(\Sigma_2^{-1}\Sigma_1) = \mathrm{tr}(\Sigma_1)$$

$$\frac{1}{2}\sum_{j=1}^{d}\left(\mu_j^2 + \sigma_j^2 - \log\sigma_j^2\right) = \frac{1}{2}\sum_{j=1}^{d}\left(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\right)$$

$$(\mu_2-\mu_1)^\top\Sigma_2^{-1}(\mu_2-\mu_1) = (\mu_2-\mu_1)^\top\Sigma_2(\mu_2-\mu_1)$$

$$\log\det(\Sigma_1 + \Sigma_2) = \log\det\Sigma_1 + \log\det\Sigma_2$$
"""


def test_the_diagonal_and_full_gaussian_kl_chains_are_read_and_verified_and_planted_errors_are_not():
    steps = verdicts(KL_DOCUMENT)
    chains, planted = steps[:5], steps[5:]
    assert all(verdict in ("proved", "holds") for verdict, _ in chains) and len(chains) == 5, chains
    assert len(planted) == 4 and all(verdict not in ("proved", "holds", "unparsed") for verdict, _ in planted), planted


GAUSSIAN_DOCUMENT = r"""We assume $\sigma > 0$. Let $\Sigma$ be a $d\times d$ covariance matrix and $x, \mu \in \mathbb{R}^d$.

$$\log \mathcal{N}(x; \mu, \Sigma) = -\frac{1}{2}(x-\mu)^T\Sigma^{-1}(x-\mu) - \frac12\log\det\Sigma - \frac{d}{2}\log(2\pi)$$

$$-\log \mathcal{N}(x; \mu, \sigma^2 I) = \frac{\|x - \mu\|^2}{2\sigma^2} + \frac{d}{2}\log(2\pi\sigma^2)$$

$$\log \mathcal{N}(x; \mu, \Sigma) = -(x-\mu)^T\Sigma^{-1}(x-\mu) - \frac12\log\det\Sigma - \frac{d}{2}\log(2\pi)$$
"""


def test_the_multivariate_normal_log_density_is_read_as_written_and_a_dropped_half_is_not_verified():
    (full, decoder, wrong) = verdicts(GAUSSIAN_DOCUMENT)
    assert full[0] in ("proved", "holds") and decoder[0] in ("proved", "holds"), (full, decoder)
    assert wrong[0] not in ("proved", "holds", "unparsed"), wrong


def test_a_multivariate_normal_reads_to_the_engines_density():
    context = declared(Sigma=(d, d))
    context.definite.add("Sigma")
    assert parse_expression(r"\mathcal{N}(x; \mu, \Sigma)", context).args == (x, mu, Covariance("Sigma", d, d))


@pytest.mark.parametrize("source", [r"\mathcal{N}(x; \mu, A)", r"\mathcal{N}(x; \mu, \mathrm{diag}(\sigma^2))"])
def test_a_multivariate_normal_needs_a_covariance_declared_positive_definite(source):
    context = declared(A=(d, d))
    with pytest.raises(Unparsed) as caught:
        parse_expression(source, context)
    assert "positive definite" in caught.value.reason


MULTIVARIATE_KL = r"""Let $\Sigma_1, \Sigma_2$ be $d \times d$ covariance matrices and $\mu_1, \mu_2 \in \mathbb{R}^d$. Let
$\Sigma$ be a $d\times d$ covariance matrix and $\mu \in \mathbb{R}^d$.

$$D_{KL}(\mathcal{N}(\mu_1, \Sigma_1) \| \mathcal{N}(\mu_2, \Sigma_2)) = \frac{1}{2}\left[\mathrm{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2-\mu_1)^T\Sigma_2^{-1}(\mu_2-\mu_1) - d + \log\det\Sigma_2 - \log\det\Sigma_1\right]$$

$$D_{KL}(\mathcal{N}(\mu, \Sigma) \| \mathcal{N}(0, I)) = \frac{1}{2}\left[\mathrm{tr}(\Sigma) + \mu^T\mu - d - \log\det\Sigma\right]$$

$$\mathbb{E}_{z \sim \mathcal{N}(\mu, \Sigma)}[z^T z] = \mathrm{tr}(\Sigma) + \mu^T\mu$$

$$D_{KL}(\mathcal{N}(\mu, \Sigma) \| \mathcal{N}(0, I)) = \frac{1}{2}\left[\mathrm{tr}(\Sigma) + \mu^T\mu - \log\det\Sigma\right]$$

$$\mathbb{E}_{z \sim \mathcal{N}(\mu, \Sigma)}[z^T z] = \mathrm{tr}(\Sigma)$$
"""


def test_the_multivariate_gaussian_kl_and_expectation_are_read_and_their_planted_errors_are_not_verified():
    steps = verdicts(MULTIVARIATE_KL)
    assert all(verdict in ("proved", "holds") for verdict, _ in steps[:3]), steps[:3]
    assert all(verdict not in ("proved", "holds", "unparsed") for verdict, _ in steps[3:]) and len(steps) == 5


@pytest.mark.parametrize("source", [r"D_{KL}(\mathcal{N}(\mu, \Sigma) \| \mathcal{N}(0, 1))",
                                    r"D_{KL}(\mathcal{N}(\mu, \Sigma) \| N(0, \sigma^2))"])
def test_a_kl_between_a_normal_of_vectors_and_one_of_a_number_is_refused(source):
    with pytest.raises(Unparsed) as caught:
        parse_expression(source)
    assert "vectors" in caught.value.reason
