"""FALSE steps, by kind. Each must not come out proved, holds or definition, and its document must not be ok.

Kinds f01-f22 are those of issue 10 (in its order); kinds x-* are further members found by attacking the audit.
Every claim is false as LaTeX displays it (checked by hand and, where a number decides it, with mpmath);
the comment after a case says why when it is not obvious.
"""
from __future__ import annotations

from tests.soundness.model import Case, aligned, display, prose

GAUSS = r"Let $p(x)\sim N(\mu,\sigma^2)$ and $q(x)\sim N(0,1)$."
GAUSS_CAL = r"Let $p(x)\sim\mathcal{N}(\mu,\sigma^2)$ and $q(x)\sim\mathcal{N}(0,1)$."
TWO_GAUSS = r"Let $p(x)\sim N(\mu_1,\sigma_1^2)$ and $q(x)\sim N(\mu_2,\sigma_2^2)$."
REPARAM = r"With $\epsilon\sim N(0,1)$ and $z\sim N(\mu,\sigma^2)$, the reparameterization is"
ELBO = r"\int q(z\mid X)\log\frac{p(X,z)}{q(z\mid X)}dz"
ELBO_DEF = r"L(X,z) := " + ELBO
JENSEN = r"f\left(\int p(x)g(x)dx\right)\geq\int p(x)f(g(x))dx"

CASES: list[Case] = []


def case(kind: str, name: str, text: str, at: str | None = None, mixed: bool = False) -> None:
    CASES.append(Case(f"{kind}:{name}", kind, text, at, mixed))


# -------------------------------- f01: a "density" whose mean or scale depends on its variable

K = "f01-self-dependent-density"
case(K, "gibbs-mean-3z", display(r"D_{KL}(N(z; 3z, 1) \| N(z; 0, 1)) \geq 0"))  # mass 1/2, KL = -3/16
case(K, "mass-mean-3z", display(r"\int N(z; 3z, 1)\,dz = 1"))  # 1/2
case(K, "mass-mean-half-z", display(r"\int N(z; z/2, 1)\,dz = 1"))  # exp(-z^2/8)/sqrt(2 pi): mass 2
case(K, "mass-mean-x-plus-1", display(r"\int N(x; x+1, 1)\,dx = 1"))  # a constant integrand: divergent
case(K, "mass-variance-z2-plus-1", display(r"\int N(z; 0, z^2+1)\,dz = 1"))  # tail ~ 1/|z|: divergent
case(K, "gibbs-second-argument", display(r"D_{KL}(N(z; 0, 1) \| N(z; z/2, 1)) \geq 0"))  # = -3/8
case(K, "jensen-weight-mean-3z", display(r"\log\int N(z; 3z, 1)e^{z}dz \geq \int N(z; 3z, 1)\,z\,dz"))
# lhs = 1/8 - log 2 < 0 = rhs
case(K, "expectation-of-one", display(r"E_{N(z; 3z, 1)}[1] = 1"))
case(K, "calligraphic-mean-3z", display(r"\int \mathcal{N}(z; 3z, 1)\,\mathrm{d}z = 1"))
case(K, "gibbs-mean-minus-z", display(r"D_{KL}(N(z; -z, 1) \| N(z; 0, 1)) \geq 0"))  # mass 1/2, KL = -3/16

# -------------------------------- f02: the calculus lemma at points without a derivative

K = "f02-kink"
case(K, "abs-minus-one", display(r"|x| - 1 \geq -\frac{1}{2}"))  # -1 at x = 0
case(K, "sqrt-of-square", display(r"\sqrt{x^2} \geq \frac{1}{2}"))  # 0 at x = 0
case(K, "two-kinks", display(r"|x - 1| + |x + 1| \geq 3"))  # 2 on [-1, 1]
case(K, "square-minus-abs", display(r"x^2 - |x| \geq 0"))  # -1/4 at x = 1/2; the kink at 0 is a local maximum
case(K, "sqrt-abs", display(r"\sqrt{|x|} \geq \frac{1}{10}"))  # 0 at x = 0
case(K, "abs-of-parabola", display(r"|x^2 - 1| \geq \frac{1}{2}"))  # 0 at x = 1
case(K, "shifted-sqrt-square", display(r"\sqrt{(x-3)^2} + 1 \geq 2"))  # 1 at x = 3
case(K, "abs-sigma", display(r"|\sigma - 1| \geq \frac{1}{10}"))  # 0 at sigma = 1
case(K, "max", display(r"\max(x, -x) \geq 1"))  # 0 at x = 0
case(K, "abs-times-abs", display(r"|x|\cdot|x - 2| \geq \frac{1}{2}"))  # 0 at x = 0 and x = 2

# -------------------------------- f03: candidate minima compared in floating point

K = "f03-near-tie"
case(K, "double-well-tilted", display(r"(x^2-1)^2 + 10^{-20}x \geq 0"))  # about -1e-20 near x = -1
case(K, "double-well-shifted", display(r"(x^2-1)^2 \geq 10^{-30}"))  # 0 at x = 1
case(K, "tiny-linear-term", display(r"x^2 - 2\cdot 10^{-15}x \geq 0"))  # -1e-30 at x = 1e-15
case(K, "well-minus-tiny", display(r"(x-1)^2(x+1)^2 - 10^{-25} \geq -10^{-26}"))  # min -1e-25
case(K, "quartic-minus-tiny", display(r"x^4 - 2x^2 + 1 - 10^{-18} \geq 0"))  # min -1e-18
case(K, "irrational-root", display(r"(x^2-2)^2 \geq 10^{-40}"))  # 0 at sqrt 2
case(K, "sigma-well", display(r"(\sigma-1)^2 - 10^{-20} \geq 0"))  # -1e-20 at sigma = 1
case(K, "kl-core-tiny", display(r"-\log\sigma^2+\sigma^2-1 \geq 10^{-20}"))  # 0 at sigma = 1
case(K, "two-minima-unequal", display(r"(x^2-1)^2 - 10^{-20}x^3 \geq 0"))  # about -1e-20 near x = 1

# -------------------------------- f04: capture when a definition is applied

K = "f04-capture"
case(K, "outer-z-into-integral", display(r"F(y) := \int q(z\mid X)\,y\,z\,dz", r"F(z) = \int q(z\mid X) z^2 dz"),
     at="F(z) =")  # F(z) = z E[z], not E[z^2]
case(K, "squared-distance", display(r"G(y) := \int p(x)(x-y)^2dx", r"G(x) = 0"), at="G(x) = 0")  # G(x) > 0
case(K, "exp-tilt", display(r"H(t) := \log\int q(z\mid X)e^{t - z}dz", r"H(z) = 0"), at="H(z) = 0")
# H(z) = z + log E[e^{-z}], not identically 0
case(K, "sum-with-argument", display(r"M(y) := \int q(z\mid X)(z+y)dz", r"M(z) = 2\int q(z\mid X)\,z\,dz"),
     at="M(z) =")  # M(z) = E[z] + z
case(K, "joint-times-argument", display(r"A(y) := \int p(X,z)\,y\,dz", r"A(z) = \int p(X,z)\,z\,dz"),
     at="A(z) =")  # A(z) = z p(X)
case(K, "argument-shadowed", display(r"B(z) := \int q(z\mid X)\,z\,dz", r"B(1) = \int q(z\mid X)dz"),
     at="B(1) =")  # B is the constant E[z], not 1
case(K, "free-and-bound-x", display(r"C(x) := x + \int p(x)\,x\,dx", r"C(0) = 0"), at="C(0) = 0")
# C(0) = E_p[x], not 0
case(K, "two-arguments", display(r"D(a, b) := \int q(z\mid X)(z - a)b\,dz", r"D(z, 1) = 0"), at="D(z, 1) = 0")
# D(z, 1) = E[z] - z
case(K, "applied-at-zero", display(ELBO_DEF, r"L(X, 0) = \log p(X) + 1"), at="L(X, 0)")
# z is bound in the body: L(X, 0) is the ELBO, which is at most log p(X)

# -------------------------------- f05: prose that does not declare f concave

K = "f05-prose-curvature"
case(K, "not-concave", prose(r"Here $f$ is not concave.", JENSEN))
case(K, "convex-not-concave", prose(r"The function $f$ is convex, not concave.", JENSEN))
case(K, "concave-up", prose(r"The function $f$ is concave up.", JENSEN))  # concave up = convex
case(K, "not-assumed", prose(r"We do not assume that $f$ is concave.", JENSEN))
case(K, "neither", prose(r"The function $f$ is neither convex nor concave.", JENSEN))
case(K, "other-function", prose(r"Let $g$ be concave and let $f$ be any function.", JENSEN))
case(K, "quasi-concave", prose(r"The function $f$ is quasi-concave.", JENSEN))  # e.g. exp
case(K, "non-concave", prose(r"Let $f$ be a non-concave function.", JENSEN))
case(K, "log-concave", prose(r"The function $f$ is log-concave.", JENSEN))  # exp is log-concave and convex
case(K, "japanese-not-concave", prose(r"$f$ は上に凸ではない。", JENSEN))  # "f is not concave"
case(K, "minus-f-concave", prose(r"The function $f$ is such that $-f$ is concave.", JENSEN))  # f is convex
case(K, "unlike", prose(r"Unlike $f$, the function $g$ is concave.", JENSEN))

# -------------------------------- f06: divergent integrals and Leibniz where it fails

K = "f06-divergent"
case(K, "cos-sigma-z", display(r"\int \cos(\sigma z)\,dz = 0"))
case(K, "sin", display(r"\int \sin(z)\,dz = 0"))
case(K, "identity", display(r"\int z\,dz = 0"))
case(K, "odd-cauchy", display(r"\int \frac{z}{1+z^2}dz = 0"))  # principal value 0, not integrable
case(K, "exp", display(r"\int e^{z}dz = 0"))
case(K, "cubic-after-cancel", display(r"\int z^3e^{-z^2}e^{z^2}dz = 0"))
case(K, "two-divergent-equal", display(r"\int \cos(z)\,dz = \int \cos(2z)\,dz"))
case(K, "inverse-square", display(r"\int \frac{1}{z^2}dz = 2"))
case(K, "lorentzian-sign", display(r"\int \frac{a}{a^2+z^2}dz = \pi"))  # = pi sign(a): false for a < 0
case(K, "expectation-diverges", display(r"\int q(z\mid X)\,e^{z^2}dz = \int q(z\mid X)\,e^{z^2}dz + 1"))
case(K, "sign-of-z", display(r"\int \frac{z}{|z|}e^{-z^2}dz = 1"))  # = 0 (odd)

# -------------------------------- f07: the Jacobian of z = s u is |s|, not s

K = "f07-jacobian"
case(K, "gauss-scale-s", display(r"\int e^{-z^2/2}dz = \int s\,e^{-s^2u^2/2}du"))  # rhs = sqrt(2 pi) sign(s)
case(K, "normal-scale-a", display(r"\int N(z; 0, 1)dz = \int a\,N(au; 0, 1)du"))  # rhs = sign(a)
case(K, "gauss-scale-b", display(r"\int e^{-x^2}dx = b\int e^{-b^2t^2}dt"))  # rhs = sqrt(pi) sign(b)
case(K, "second-moment", display(r"\int z^2N(z; 0, 1)dz = \int c^3u^2N(cu; 0, 1)du"))  # rhs = sign(c)

# -------------------------------- f08: digits side by side are one number in LaTeX

K = "f08-juxtaposed-digits"
case(K, "one-two", display(r"1 2 = 2"))  # LaTeX shows 12
case(K, "thin-space-thousands", display(r"2\,500 = 1000"))  # shows 2 500
case(K, "three-four", display(r"3 4 = 12"))
case(K, "times-then-digits", display(r"2 \cdot 3 4 = 24"))  # 2 * 34
case(K, "empty-group", display(r"1{}0 = 0"))  # shows 10
case(K, "tilde", display(r"2~3 = 6"))  # shows "2 3"
case(K, "thick-space", display(r"10\;000 = 0"))
case(K, "control-space", display(r"1\ 5 = 5"))
case(K, "decimal-then-digit", display(r"0.5 2 = 1"))  # shows 0.52
case(K, "mixed-number", display(r"2\frac{1}{2} = 1"))  # typeset 2½ (two and a half)
case(K, "thousands-zero", display(r"1\,000 = 0"))

# -------------------------------- f09: equations separated by \quad are separate claims

K = "f09-quad-separated"
case(K, "quad", display(r"0 = 0 \quad 1 = 0"), mixed=True)
case(K, "qquad", display(r"x = x \qquad 2 = 3"), mixed=True)
case(K, "comma-quad", display(r"a = a, \quad b = b + 1"), mixed=True)
case(K, "quad-text-and", display(r"1 = 1 \quad\text{and}\quad 2 = 1"), mixed=True)
case(K, "inequalities", display(r"1 \leq 2 \quad 3 \leq 2"), mixed=True)
case(K, "logs", display(r"\log 1 = 0 \quad \log e = 2"), mixed=True)
case(K, "in-aligned", aligned(r"0 &= 0 \quad 1 = 0"), at=r"\quad", mixed=True)
case(K, "comma-qquad", display(r"1 = 1, \qquad 0 = 1"), mixed=True)

# -------------------------------- f10: powers of function values

K = "f10-function-power"
case(K, "exp-squared", display(r"\exp(x)^2 = e^{x^2}"))  # (e^x)^2 = e^{2x}
case(K, "log-squared", display(r"\log(\sigma)^2 = 2\log\sigma"))
case(K, "log-power-notation", display(r"\log^2\sigma = 2\log\sigma"))
case(K, "sin-squared", display(r"\sin^2 x = \sin(x^2)"))
case(K, "cos-of-x-squared", display(r"\cos(x)^2 = \cos(x^2)"))
case(K, "exp-cubed", display(r"\exp(x)^{3} = e^{x^3}"))
case(K, "log-of-square", display(r"\log\sigma^2 = (\log\sigma)^2"))
case(K, "double-superscript", display(r"e^{x}^{2} = e^{2x}"))  # a LaTeX error: must not be read
case(K, "exp-without-parentheses", display(r"\exp x^2 = e^{2x}"))  # exp(x^2)
case(K, "arcsin-notation", display(r"\sin^{-1} x = \frac{1}{\sin x}"))  # sin^{-1} is arcsin

# -------------------------------- f11: number literals

K = "f11-number-literal"
case(K, "scientific-e-minus", display(r"1e-3 = e - 3"))
case(K, "scientific-plus-three", display(r"1e-3 + 3 = e"))
case(K, "scientific-2e-1", display(r"2e-1 = 2e - 1"))
case(K, "scientific-product", display(r"1.5e2 = 3e"))
case(K, "two-points", display(r"1.2.3 = 1.2 \cdot 0.3"))
case(K, "two-points-value", display(r"1.2.3 = 0.36"))
case(K, "decimal-comma", display(r"1,5 = 1.5"))
case(K, "capital-e", display(r"1E-3 = E - 3"))

# -------------------------------- f12: positivity assumed from a name

K = "f12-name-positivity"
case(K, "sigma-12", display(r"\sqrt{\sigma_{12}^2} = \sigma_{12}"))  # a covariance can be negative
case(K, "sigma-xy", display(r"\sqrt{\sigma_{xy}^2} = \sigma_{xy}"))
case(K, "sigma-ij-abs", display(r"|\sigma_{ij}| = \sigma_{ij}"))
case(K, "sigma-12-ratio", display(r"\frac{\sigma_{12}}{\sqrt{\sigma_{12}^2}} = 1"))
case(K, "mu", display(r"\sqrt{\mu^2} = \mu"))
case(K, "lambda", display(r"\sqrt{\lambda^2} = \lambda"))
case(K, "x", display(r"\sqrt{x^2} = x"))
case(K, "sigma-12-log", display(r"\log\sigma_{12}^2 = 2\log\sigma_{12}"))
case(K, "rho", display(r"\sqrt{\rho^2} = \rho"))
case(K, "bare-sigma", display(r"\sqrt{\sigma^2} = \sigma"))  # a bare sigma is a real number until declared
case(K, "sigma-inverse", display(r"\sigma + \frac{1}{\sigma} \geq 2"))
case(K, "sign-negated", prose(r"We do not assume $\sigma > 0$.", r"\sqrt{\sigma^2} = \sigma"))
case(K, "sign-for-next-only", prose(r"If $\sigma > 0$, then", r"\sqrt{\sigma^2} = \sigma", r"\sigma + \frac{1}{\sigma} \geq 2"))
case(K, "other-name-declared", prose(r"Let $\tau > 0$.", r"\sqrt{\sigma^2} = \sigma"))

# -------------------------------- f13: an assumption of one row leaks into another

K = "f13-scope-leak"
case(K, "log-g-then-sqrt", display(r"\log g(1) = \log g(1)", r"\sqrt{g(2)^2} = g(2)"), at=r"\sqrt{g(2)^2}")
case(K, "log-h-rows", aligned(r"\log h(1) &= \log h(1)", r"\sqrt{h(2)^2} &= h(2)"), at=r"\sqrt{h(2)^2}")
case(K, "log-a-then-sqrt", display(r"\log a + \log a = 2\log a", r"\sqrt{a^2} = a"), at=r"\sqrt{a^2}")
case(K, "sqrt-c-then-square", display(r"\sqrt{c}\sqrt{c} = c", r"\sqrt{c^2} = c"), at=r"\sqrt{c^2}")
case(K, "sqrt-before-log", display(r"\sqrt{g(0)^2} = g(0)", r"\log g(1) = \log g(1)"), at=r"\sqrt{g(0)^2}")
case(K, "definition-then-sqrt", display(r"F := \log b", r"\sqrt{b^2} = b"), at=r"\sqrt{b^2}")
case(K, "same-line-quad", display(r"\log k(1) = \log k(1) \quad \sqrt{k(2)^2} = k(2)"), mixed=True)
case(K, "log-of-ratio-then-sqrt", display(r"\log\frac{u}{v} = \log u - \log v", r"\sqrt{u^2} = u"),
     at=r"\sqrt{u^2}")

# -------------------------------- f14: content dropped from a display

K = "f14-dropped-content"
case(K, "double-ampersand", aligned(r"1 &= 1 && = 2"), at="&&", mixed=True)
case(K, "text-dollar", display(r"0 = 0 \qquad \text{and $1 = 2$}"), mixed=True)
case(K, "text-hence", display(r"x = x \text{, hence $x = x + 1$}"), mixed=True)
case(K, "text-only", display(r"\text{$1 = 2$}"))
case(K, "mbox", display(r"\mbox{$1 = 2$}"))
case(K, "two-columns", aligned(r"a &= a & b &= b + 1"), at="b + 1", mixed=True)
case(K, "double-ampersand-row", aligned(r"1 &= 1", r"&= 1 && = 0"), at="&& = 0", mixed=True)
case(K, "comment-splits-equation", "$$\n1 = % the right side follows\n2\n$$\n")  # LaTeX shows 1 = 2
case(K, "comment-hides-row-break", "$$\n\\begin{aligned}\n1 &= 1 % \\\\\n&= 2\n\\end{aligned}\n$$\n", mixed=True)
# LaTeX shows the chain 1 = 1 = 2 on one row
case(K, "row-skip-argument", aligned(r"1 &= 1", r"[2pt] &= 2"), at="[2pt]")  # \\[2pt] then = 2
case(K, "underbrace-annotation", display(r"\underbrace{1 + 1}_{=3} = 2"), mixed=True)  # the brace claims 1+1 = 3
case(K, "overbrace-annotation", display(r"\overbrace{2 \cdot 2}^{=5} = 4"), mixed=True)

# -------------------------------- f15: a \sim line is not a definition

K = "f15-sim-definition"
case(K, "numbers", display(r"1 \sim 2"))
case(K, "x-plus-one", display(r"x \sim x + 1"))
case(K, "reversed", display(r"N(0,1) \sim z"))
case(K, "not-a-law", display(r"\epsilon \sim 3"))
case(K, "negative-variance", display(r"z \sim N(0, -1)"))
case(K, "zero-variance", display(r"p(x) \sim N(0, 0)"))
case(K, "symbols", display(r"\mu \sim \sigma"))
case(K, "constant-subject", display(r"2 \sim N(0, 1)"))
case(K, "prose-zero-variance", prose(r"Let $p(x)\sim N(0, 0)$.", r"D_{KL}(p\|p) = 1"))  # 0 for any density
case(K, "prose-negative-variance", prose(r"Let $p(x)\sim N(0, -1)$.", r"\int p(x)dx = 2"))

# -------------------------------- f16: a reparameterization against the declared noise

K = "f16-reparam-noise"
case(K, "noise-identity-variance-for-std", prose(r"With $\epsilon\sim N(0,I)$ and $z\sim N(\mu,\sigma^2)$,",
                                                 r"z = \mu + \sigma^2\epsilon"))
case(K, "noise-variance-two", prose(r"With $\epsilon\sim N(0,2)$ and $z\sim N(\mu,\sigma^2)$,",
                                    r"z = \mu + \sigma\epsilon"))  # variance 2 sigma^2
case(K, "two-noises", prose(r"With $\epsilon\sim N(0,1)$, $\eta\sim N(0,1)$ and $z\sim N(\mu,\sigma^2)$,",
                            r"z = \mu + \sigma\epsilon + \eta"))
case(K, "noise-squared", prose(REPARAM, r"z = \mu + \sigma\epsilon^2"))
case(K, "sigma-dropped", prose(REPARAM, r"z = \mu + \epsilon"))
case(K, "swapped", prose(REPARAM, r"z = \sigma + \mu\epsilon"))
case(K, "noise-mean-one", prose(r"With $\epsilon\sim N(1,1)$ and $z\sim N(\mu,\sigma^2)$,",
                                r"z = \mu + \sigma\epsilon"))
case(K, "declared-variance-sigma", prose(r"With $\epsilon\sim N(0,1)$ and $z\sim N(\mu,\sigma)$,",
                                         r"z = \mu + \sigma\epsilon"))  # variance sigma, not sigma^2
case(K, "functions-of-x", prose(r"With $\epsilon\sim N(0,1)$ and $z\sim N(\mu(X),\sigma(X)^2)$,",
                                r"z = \mu(X) + \epsilon\cdot\sigma(X)^2"))
case(K, "uniform-noise", prose(r"With $\epsilon\sim U(0,1)$ and $z\sim N(\mu,\sigma^2)$,",
                               r"z = \mu + \sigma\epsilon"))
case(K, "bold-identity", prose(r"With $\epsilon\sim \mathcal{N}(0,\mathbf{I})$ and $z\sim\mathcal{N}(\mu,\sigma^2)$,",
                               r"z = \mu + \sigma^2\epsilon"))
case(K, "product-of-noise", prose(REPARAM, r"z = \mu + \sigma\cdot\epsilon\cdot\epsilon"))

# -------------------------------- f17: annotated relations keep their relation

K = "f17-annotated-relation"
case(K, "overset-name-left", display(ELBO_DEF, r"L(X,z) \overset{(a)}{=} \log p(X)"), at=r"\overset")
case(K, "stackrel-jensen-equality", display(r"\log p(X) \stackrel{\text{Jensen}}{=} " + ELBO))  # it is >=
case(K, "overset-numbers", display(r"1 + 1 \overset{(a)}{=} 3"))
case(K, "overset-after-definition", display(r"Z := 2", r"Z \overset{(a)}{=} 3"), at=r"\overset")
case(K, "overset-leq", display(ELBO_DEF, r"\log p(X) \overset{(a)}{\leq} L(X,z)"), at=r"\overset")
case(K, "chain-second-row", aligned(r"\log p(X) &\overset{(a)}{=} \log\int p(X,z)dz",
                                    r"&\overset{(b)}{=} \int \log p(X,z)dz"), at="(b)")
case(K, "underset", display(r"x \underset{(c)}{=} x + 1"))
case(K, "stackrel-geq-reversed", display(ELBO + r" \stackrel{(c)}{\geq} \log p(X)"))
case(K, "overset-bang", display(r"y \overset{!}{=} y + 1"))
case(K, "mathrel-overset", display(r"W \mathrel{\overset{(a)}{=}} W + 1"))

# -------------------------------- f18: displays outside $$

K = "f18-environment-outside"
case(K, "align", "Some text.\n\n\\begin{align}\n1 &= 2\n\\end{align}\n")
case(K, "align-star", "\\begin{align*}\nx &= x + 1\n\\end{align*}\n")
case(K, "equation", "\\begin{equation}\n1 = 2\n\\end{equation}\n")
case(K, "equation-star", "\\begin{equation*}\n2 = 3\n\\end{equation*}\n")
case(K, "gather", "\\begin{gather}\nx = x + 1\n\\end{gather}\n")
case(K, "eqnarray", "\\begin{eqnarray}\n1 &=& 2\n\\end{eqnarray}\n")
case(K, "bracket-display", "\\[\n1 = 2\n\\]\n")
case(K, "blockquote", "> $$1 = 2$$\n")
case(K, "multline-in-dollars", "$$\n\\begin{multline}\n1 = 2\n\\end{multline}\n$$\n")
case(K, "array-in-dollars", "$$\n\\begin{array}{rcl}\n1 &=& 2\n\\end{array}\n$$\n")
case(K, "list-item", "- a step:\n\n  $$1 = 2$$\n")

# -------------------------------- f19: a flat relative tolerance

K = "f19-flat-tolerance"
case(K, "x-times", display(r"x = (1+10^{-12})x"))
case(K, "sigma-squared", display(r"\sigma^2 = (1+10^{-10})\sigma^2"))
case(K, "evidence-plus", display(r"\log p(X) = \log p(X) + 10^{-12}"))
case(K, "cubic-term", display(r"\mu + 10^{-11}\mu^3 = \mu"))
case(K, "exp-shift", display(r"e^{x} = e^{x + 10^{-13}}"))
case(K, "kl-scaled", prose(GAUSS, r"D_{KL}(p\|q) = (1+10^{-12})D_{KL}(p\|q)"))  # KL > 0 unless mu = 0, sigma = 1
case(K, "quartic-term", display(r"x^2 = x^2 + 10^{-20}x^4"))
case(K, "mean-scaled", display(r"\int q(z\mid X)\,z\,dz = (1+10^{-12})\int q(z\mid X)\,z\,dz"))
case(K, "sin-shift", display(r"\sin(x) = \sin(x + 10^{-12})"))
case(K, "log-shift", display(r"\log(1+x^2) = \log(1+x^2+10^{-14})"))
case(K, "gaussian-narrow-width", display(r"\int e^{-10^{12}z^2}dz = 0"))  # sqrt(pi) 1e-6

# -------------------------------- f20: strict inequalities at their equality point

K = "f20-strict-equality-point"
case(K, "evidence-gt-elbo", display(r"\log p(X) > " + ELBO))  # equal when q is the posterior
case(K, "posterior-kl-positive", display(r"D_{KL}[q(z\mid X)\|p(z\mid X)] > 0"))
case(K, "gauss-kl-positive", prose(GAUSS, r"D_{KL}(p\|q) > 0"))  # 0 at mu = 0, sigma = 1
case(K, "kl-formula-positive", display(r"\frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right] > 0"))
case(K, "kl-core-positive", display(r"\sigma^2 - 1 - \log\sigma^2 > 0"))
case(K, "square-positive", display(r"x^2 > 0"))
case(K, "exp-tangent", display(r"e^{x} > 1 + x"))
case(K, "jensen-strict", display(r"\log\int q(z\mid X)\frac{p(X,z)}{q(z\mid X)}dz > " + ELBO))
case(K, "gap-positive", display(ELBO_DEF, r"\log p(X) - L(X,z) > 0"), at="> 0")
case(K, "shifted-square", display(r"(\mu - 1)^2 > 0"))
case(K, "am-gm-strict", display(r"\mu^2 + \sigma^2 > 2\mu\sigma"))
case(K, "pair-kl-positive", display(r"\int p(x)\log\frac{p(x)}{q(x)}dx > 0"))  # 0 when q = p

# -------------------------------- f21: true only inside the worlds' parameter ranges

K = "f21-parameter-range"
case(K, "kl-below-250", prose(GAUSS, r"D_{KL}(p\|q) \leq 250"))
case(K, "mu-squared", display(r"\mu^2 \leq 10^{6}"))
case(K, "sigma-small", display(r"\sigma \leq 1000"))
case(K, "sigma-not-tiny", display(r"\sigma \geq 10^{-6}"))
case(K, "log-variance-bounded", display(r"\log\sigma^2 \geq -100"))
case(K, "exp-mu", display(r"e^{\mu} \leq 10^{30}"))
case(K, "kl-core-bounded", display(r"-\log\sigma^2+\sigma^2-1+\mu^2 \leq 10^{4}"))
case(K, "inverse-sigma", display(r"\frac{1}{\sigma} \leq 10^{8}"))
case(K, "prior-kl-bounded", display(r"D_{KL}[q(z\mid X)\|p(z)] \leq 100"))
case(K, "evidence-bounded", display(r"\log p(X) \geq -1000"))
case(K, "lambda-bounded", display(r"\lambda \leq 100"))
case(K, "abs-x-bounded", display(r"|x| < 10^{10}"))
case(K, "tiny-variance-kl", prose(r"Let $p(x)\sim N(0,10^{-10})$ and $q(x)\sim N(0,1)$.", r"D_{KL}(p\|q) \leq 10"))
# = (23.03 - 1 + 1e-10)/2 = 11.01

# -------------------------------- f22: failure regions too narrow for random draws

K = "f22-narrow-failure"
case(K, "narrow-parabola", display(r"(x - 0.123)^2 + 10^{-6} \geq 2\cdot 10^{-6}"))  # fails for |x-0.123| < 1e-3
case(K, "narrow-bump-density", display(r"\int \left(N(z;0,1) + 10^{-3}N(z; 3.7, 10^{-8})\right)dz = 1"))  # 1.001
case(K, "narrow-bump-exp", display(r"\int \left(e^{-z^2/2} + e^{-10^{8}(z-1.37)^2}\right)dz = \sqrt{2\pi}"))
case(K, "narrow-bump-expectation", display(r"\int q(z\mid X)\left(1 + e^{-10^{6}(z-0.3)^2}\right)dz = 1"))
case(K, "narrow-peak", display(r"e^{-100(x-0.3)^2} \leq 0.99"))  # fails for |x - 0.3| < 0.01
case(K, "lorentz-peak", display(r"\frac{1}{1+10^{4}(x-0.5)^2} \leq 0.999"))
case(K, "small-interval", display(r"x^2 \geq 10^{-4}x"))  # fails on (0, 1e-4)
case(K, "sigma-balance", display(r"\sigma^2 + \frac{10^{-8}}{\sigma^2} \geq 2\cdot 10^{-4} + 10^{-9}"))
# min 2e-4 at sigma^2 = 1e-4
case(K, "log-tangent-2-72", display(r"\log\sigma \leq \frac{\sigma}{2.72}"))  # log 2.72 > 1: fails near 2.72
case(K, "sigma-log-sigma", display(r"\sigma\log\sigma \geq -0.36"))  # min -1/e at 1/e
case(K, "sigma-power-sigma", display(r"\sigma^{\sigma} \geq 0.7"))  # min e^{-1/e} = 0.6922
case(K, "double-cos", display(r"\cos(x) + \cos(\sqrt{2}x) \geq -1.999"))  # inf is -2

# -------------------------------- x-sign: sign errors

K = "x-sign"
case(K, "log-reciprocal", display(r"\log\frac{1}{\sigma} = \log\sigma"))
case(K, "evidence-minus-kl", display(r"\log p(X) = " + ELBO + r" - D_{KL}[q(z\mid X)\|p(z\mid X)]"))
case(K, "kl-inverted-ratio", display(r"D_{KL}[q(z\mid X)\|p(z)] = \int q(z\mid X)\log\frac{p(z)}{q(z\mid X)}dz"))
case(K, "log-ratio-reversed", display(r"\log\frac{p(X,z)}{q(z\mid X)} = \log q(z\mid X) - \log p(X,z)"))
case(K, "pair-kl-negated", display(r"-\int p(x)\log q(x)dx + \int p(x)\log p(x)dx = -D_{KL}(p\|q)"))
case(K, "elbo-plus-gap", display(r"E_{q(z\mid X)}[\log p(X\mid z)] - D_{KL}[q(z\mid X)\|p(z)] = \log p(X)"
                                 r" + D_{KL}[q(z\mid X)\|p(z\mid X)]"))
case(K, "binomial", display(r"(a - b)^2 = a^2 + 2a\,b + b^2"))
case(K, "gauss-kl-minus-mu", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left[-\log\sigma^2+\sigma^2-1-\mu^2\right]"))
case(K, "negative-one-squared", display(r"-1^2 = 1"))  # -(1^2) = -1
case(K, "negative-x-squared", display(r"-x^2 = x^2"))

# -------------------------------- x-kl-swap: arguments of a divergence swapped

K = "x-kl-swap"
case(K, "prior-kl-as-p-first", display(r"D_{KL}[q(z\mid X)\|p(z)] = \int p(z)\log\frac{p(z)}{q(z\mid X)}dz"))
case(K, "gap-swapped", display(r"\log p(X) - " + ELBO + r" = D_{KL}[p(z\mid X)\|q(z\mid X)]"))
case(K, "gauss-q-first-calligraphic", prose(GAUSS_CAL,
                                            r"D_{KL}(q\|p) = \frac{1}{2}\left(\mu^2+\sigma^2-\log\sigma^2-1\right)"))
case(K, "symmetric", prose(r"Let $p(x)\sim N(1,4)$ and $q(x)\sim N(0,1)$.", r"D_{KL}(p\|q) = D_{KL}(q\|p)"))
# 1/2(4 + 1 - 1 - log 4) = 1.307 vs 1/2(1/4 + 1/4 - 1 + log 4) = 0.443
case(K, "pair-swapped", display(r"D_{KL}(p\|q) = \int q(x)\log\frac{q(x)}{p(x)}dx"))
case(K, "elbo-with-swapped-prior-kl", display(ELBO + r" = E_{q(z\mid X)}[\log p(X\mid z)] - D_{KL}[p(z)\|q(z\mid X)]"))

# -------------------------------- x-gauss-constant: Gaussian formulas with a wrong constant

K = "x-gauss-constant"
case(K, "minus-one-dropped", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left[-\log\sigma^2+\sigma^2+\mu^2\right]"))
case(K, "extra-half", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right]"
                                   r" + \frac{1}{2}"))
case(K, "minus-half-dropped", prose(GAUSS, r"D_{KL}(p\|q) = -\log\sigma + \frac{\sigma^2+\mu^2}{2}"))
case(K, "mu-for-mu-squared", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu\right]"))
case(K, "in-bits", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2\log 2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right]"))
case(K, "two-gauss-ratio-swapped", prose(TWO_GAUSS, r"D_{KL}(p\|q) = \log\frac{\sigma_1}{\sigma_2}"
                                         r"+\frac{\sigma_1^2+(\mu_1-\mu_2)^2}{2\sigma_2^2}-\frac{1}{2}"))
case(K, "two-gauss-std-denominator", prose(TWO_GAUSS, r"D_{KL}(p\|q) = \log\frac{\sigma_2}{\sigma_1}"
                                           r"+\frac{\sigma_1^2+(\mu_1-\mu_2)^2}{2\sigma_2}-\frac{1}{2}"))
case(K, "two-gauss-minus-one", prose(TWO_GAUSS, r"D_{KL}(p\|q) = \log\frac{\sigma_2}{\sigma_1}"
                                     r"+\frac{\sigma_1^2+(\mu_1-\mu_2)^2}{2\sigma_2^2}-1"))
case(K, "two-gauss-sum-of-means", prose(TWO_GAUSS, r"D_{KL}(p\|q) = \log\frac{\sigma_2}{\sigma_1}"
                                        r"+\frac{\sigma_1^2+(\mu_1+\mu_2)^2}{2\sigma_2^2}-\frac{1}{2}"))
case(K, "entropy-without-e", prose(GAUSS, r"-\int p(x)\log p(x)dx = \frac{1}{2}\log(2\pi\sigma^2)"))
case(K, "cross-entropy-half-dropped", prose(GAUSS, r"-\int p(x)\log q(x)dx = \log(2\pi) + \frac{\mu^2+\sigma^2}{2}"))
case(K, "second-moment-no-mean", prose(GAUSS, r"\int p(x)x^2dx = \sigma^2"))
case(K, "variance-as-std", prose(GAUSS, r"\int p(x)(x-\mu)^2dx = \sigma"))
case(K, "density-variance-in-exponent", display(
    r"N(x;\mu,\sigma^2) = \frac{1}{\sqrt{2\pi}\sigma}e^{-\frac{(x-\mu)^2}{2\sigma}}"))
case(K, "density-std-under-root", display(
    r"N(x;\mu,\sigma^2) = \frac{1}{\sqrt{2\pi\sigma}}e^{-\frac{(x-\mu)^2}{2\sigma^2}}"))
case(K, "vae-form-sign", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left(1+\log\sigma^2-\mu^2-\sigma^2\right)"))
# the VAE paper's -D_KL, sign flipped
case(K, "declared-variance-sigma", prose(r"Let $p(x)\sim N(\mu,\sigma)$ and $q(x)\sim N(0,1)$.",
                                         r"D_{KL}(p\|q) = \frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right]"))
# the variance is sigma: the KL is (1/2)[-log sigma + sigma - 1 + mu^2]

# -------------------------------- x-log-misuse: logs of sums, products, quotients

K = "x-log-misuse"
case(K, "log-of-sum", display(r"\log(\sigma + 1) = \log\sigma + \log 1"))
case(K, "log-integral-swap", display(r"\log\int p(X,z)dz = \int\log p(X,z)dz"))
case(K, "softplus", display(r"\log(1+e^{x}) = x"))
case(K, "log-of-sum-of-squares", display(r"\log(\sigma^2+\mu^2) = \log\sigma^2 + \log\mu^2"))
case(K, "log-double", display(r"\log(2\sigma) = 2\log\sigma"))
case(K, "log-cube", display(r"\log\sigma^3 = \log 3\sigma"))
case(K, "log-of-ratio-as-ratio", display(r"\log\frac{p(X,z)}{q(z\mid X)} = \frac{\log p(X,z)}{\log q(z\mid X)}"))
case(K, "exp-of-sum", display(r"e^{a+b} = e^{a} + e^{b}"))
case(K, "log-of-product-as-product", display(r"\log(2\sigma) = \log 2\cdot\log\sigma"))
case(K, "log-base-ten", display(r"\log 100 = 2"))  # \log is the natural logarithm
case(K, "log-of-expectation", display(r"\log E_{q(z\mid X)}[p(X\mid z)] = E_{q(z\mid X)}[\log p(X\mid z)]"))
case(K, "base-two-as-natural", display(r"\log_2\sigma = \log\sigma"))

# -------------------------------- x-jensen-direction: Jensen the wrong way round

K = "x-jensen-direction"
case(K, "elbo-above-log", display(r"\log\int q(z\mid X)\frac{p(X,z)}{q(z\mid X)}dz \leq " + ELBO))
case(K, "evidence-below-elbo", display(r"\log p(X) \leq " + ELBO))
case(K, "exp-concave-form", display(r"e^{\int p(x)g(x)dx} \geq \int p(x)e^{g(x)}dx"))
case(K, "square-concave-form", display(r"\left(\int p(x)g(x)dx\right)^2 \geq \int p(x)g(x)^2dx"))
case(K, "concave-expectation-notation", prose(r"Let $f$ be concave.",
                                              r"f(E_{p(x)}[g(x)]) \leq E_{p(x)}[f(g(x))]"))
case(K, "convex-concave-form", prose(r"Let $f$ be convex.", JENSEN))
case(K, "log-below-average-log", display(r"\int p(x)\log g(x)dx \geq \log\int p(x)g(x)dx"))
case(K, "japanese-convex", prose(r"$f$ は下に凸な関数である。", JENSEN))  # 下に凸 = convex

# -------------------------------- x-wrong-density: q for p, prior for posterior, ...

K = "x-wrong-density"
case(K, "posterior-in-elbo", display(ELBO + r" = E_{q(z\mid X)}[\log p(X\mid z)] - D_{KL}[q(z\mid X)\|p(z\mid X)]"))
case(K, "gap-against-prior", display(r"\log p(X) - " + ELBO + r" = D_{KL}[q(z\mid X)\|p(z)]"))
case(K, "bayes-with-q", display(r"p(z\mid X) = \frac{p(X\mid z)q(z\mid X)}{p(X)}"))
case(K, "expectation-under-posterior", display(r"E_{q(z\mid X)}[\log p(X\mid z)] = \int p(z\mid X)\log p(X\mid z)dz"))
case(K, "joint-with-q", display(r"p(X,z) = p(X\mid z)q(z\mid X)"))
case(K, "posterior-missing-evidence", display(r"\log p(X,z) - \log q(z\mid X) = \log p(z\mid X)"))
case(K, "joint-marginal-is-one", display(r"\int p(X,z)dz = 1"))  # = p(X)
case(K, "likelihood-over-z", display(r"\int p(X\mid z)dz = 1"))  # a likelihood, not a density of z
case(K, "over-the-condition", display(r"\int q(z\mid X)dX = 1"))  # a density of z, not of X
case(K, "posterior-over-x", display(r"\int p(z\mid X)dX = 1"))

# -------------------------------- x-tiny-constant: off by a tiny amount

K = "x-tiny-constant"
case(K, "pi-decimals", display(r"\pi = 3.14159265358979"))
case(K, "sqrt2-decimals", display(r"\sqrt{2} = 1.4142135623731"))
case(K, "e-decimals", display(r"e = 2.718281828459045"))
case(K, "log2-decimals", display(r"\log 2 = 0.693147180559945"))
case(K, "third", display(r"\frac{1}{3} = 0.3333333333333333"))
case(K, "half-log-two-pi", display(r"\frac{1}{2}\log(2\pi) = 0.9189385332046727"))
case(K, "float-sum", display(r"0.1 + 0.2 = 0.30000000000000004"))
case(K, "big-plus-one", display(r"2^{53} + 1 = 2^{53}"))
case(K, "ten-sixteen", display(r"10^{16} + 1 = 10^{16}"))
case(K, "kl-positive-margin", display(r"\frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right] \geq 10^{-15}"))
case(K, "exp-tangent-margin", display(r"e^{x} \geq 1 + x + 10^{-12}"))
case(K, "huge-ratio", display(r"\frac{e^{1000}}{e^{1000}+1} = 1"))
case(K, "tiny-log", display(r"\log(1+e^{-800}) = 0"))

# -------------------------------- x-range: false in a narrow range, or only at huge/tiny values

K = "x-range"
case(K, "rational-peak", display(r"\frac{x}{1+x^2} \leq 0.49"))  # max 1/2 at x = 1
case(K, "exp-minus-x", display(r"e^{-x} \leq 1"))
case(K, "sigma-square-above", display(r"\sigma^2 \geq \sigma"))  # false for sigma < 1
case(K, "log-series-huge", display(r"\log(1+\sigma) \geq \sigma - \frac{\sigma^2}{2} + \frac{\sigma^3}{4}"))
# true near 0, false for large sigma
case(K, "power-ten-exp", display(r"\sigma^{10} \leq e^{\sigma}"))  # false on (1.12, 35.77)
case(K, "square-below-power", display(r"x^2 \leq 2^{x}"))  # false on (2, 4)
case(K, "log-third", display(r"\log\sigma \leq \frac{\sigma}{3}"))  # log 3 - 1 > 0
case(K, "huge-sigma-polynomial", display(r"\sigma^{3} \leq 10^{9}\sigma^2 + 1"))  # false for sigma > 1e9
case(K, "tiny-sigma-log", display(r"\log\sigma \geq -50"))  # false for sigma < e^{-50}

# -------------------------------- x-unnormalized: density-like objects that are not densities

K = "x-unnormalized"
case(K, "gauss-kernel", display(r"\int e^{-z^2/2}dz = 1"))  # sqrt(2 pi)
case(K, "wrong-width", display(r"\int \frac{1}{\sqrt{2\pi}}e^{-z^2}dz = 1"))  # 1/sqrt 2
case(K, "std-for-variance", display(r"\int \frac{1}{\sqrt{2\pi}\sigma}e^{-\frac{z^2}{2\sigma}}dz = 1"))
case(K, "square-of-normal", display(r"\int N(z; 0, 1)^2dz = 1"))  # 1/(2 sqrt pi)
case(K, "product-of-normals", display(r"\int N(z; 0, 1)N(z; 1, 1)dz = 1"))
case(K, "twice-normal", display(r"\int 2N(z; 0, 1)dz = 1"))
case(K, "jensen-weight-two", display(r"\log\int 2q(z\mid X)g(z)dz \geq \int 2q(z\mid X)\log g(z)dz"))
case(K, "gibbs-half-mass", display(
    r"\int \frac{1}{2}N(z;0,1)\log\frac{\frac{1}{2}N(z;0,1)}{N(z;0,1)}dz \geq 0"))  # = (1/2) log(1/2)

# -------------------------------- x-prose-scope: declarations that change or do not apply

K = "x-prose-scope"
case(K, "noise-redeclared", "With $\\epsilon\\sim N(0,1)$ and $z\\sim N(\\mu,\\sigma^2)$.\n\n"
     "Now let $\\epsilon\\sim N(0,4)$.\n\n$$z = \\mu + \\sigma\\epsilon$$\n")
case(K, "curvature-redeclared", "Let $f$ be concave.\n\nNow let $f$ be convex.\n\n$$" + JENSEN + "$$\n")
case(K, "density-redeclared", "Let $p(x)\\sim N(0,1)$ and $q(x)\\sim N(0,1)$.\n\n$$D_{KL}(p\\|q) = 0$$\n\n"
     "Now let $p(x)\\sim N(1,1)$.\n\n$$D_{KL}(p\\|q) = 0$$\n")  # the second: 1/2
case(K, "other-function-declared", prose(r"Let $g$ be concave.", JENSEN))

# -------------------------------- x-definition-trap: claims that must not pass as definitions

K = "x-definition-trap"
case(K, "density-on-left", display(r"p(X) = 1"))
case(K, "kl-with-declared-densities", prose(GAUSS, r"D_{KL}(p\|q) = -1"))
case(K, "evidence-zero", display(r"\log p(X) = 0"))
case(K, "expectation-value", display(r"E_{q(z\mid X)}[z] = 5"))
case(K, "pi", display(r"\pi = 3"))
case(K, "infinity", display(r"\infty = 0"))
case(K, "colon-self", display(r"x := x + 1"))
case(K, "colon-function-self", display(r"f(x) := f(x) + 1"))
case(K, "colon-number", display(r"1 := 2"))
case(K, "colon-sum", display(r"x + y := 3"))
case(K, "colon-log", display(r"\log x := 2"))
case(K, "normal-value", display(r"N(x; 0, 1) = 1"))
case(K, "equiv-claim", display(r"\sigma^2 \equiv 2\sigma"))

# -------------------------------- x-derivative: d/dsigma read as a product of d and sigma

K = "x-derivative"
case(K, "d-sigma-square", display(r"\frac{d}{d\sigma}\sigma^2 = \sigma"))  # 2 sigma
case(K, "d-sigma-log", display(r"\frac{d}{d\sigma}\log\sigma^2 = \frac{\log\sigma^2}{\sigma}"))  # 2/sigma
case(K, "d-mu-square", display(r"\frac{d}{d\mu}\mu^2 = \mu"))
case(K, "partial-mu", display(r"\frac{\partial}{\partial\mu}\frac{(x-\mu)^2}{2} = x - \mu"))  # mu - x
case(K, "d-sigma-mass", display(r"\frac{d}{d\sigma}\int N(z;0,\sigma^2)dz = \frac{1}{\sigma}"))  # 0
case(K, "leibniz-sinc", display(r"\frac{d}{d\sigma}\int\frac{\sin(\sigma z)}{z}dz = \int\cos(\sigma z)dz"))

# -------------------------------- x-reader-misc: other ways to misread a formula

K = "x-reader-misc"
case(K, "superscript-one-digit", display(r"2^10 = 1024"))  # LaTeX shows 2^1 0
case(K, "superscript-one-digit-x", display(r"x^10 = x^{10}"))
case(K, "superscript-minus-only", display(r"e^-x = e^{-x}"))
case(K, "sqrt-one-digit", display(r"\sqrt 16 = 4"))  # \sqrt 16 is sqrt(1) 6
case(K, "frac-then-factor", display(r"\frac{1}{2}x = \frac{1}{2x}"))
case(K, "unbalanced-parenthesis", display(r"(1 + 1 = 2"))
case(K, "dangling-operator", display(r"1 + = 1"))
case(K, "subscript-label", display(r"\mu_{12} = \mu_{1}\mu_{2}"))
case(K, "distinct-subscripts", display(r"x_1 = x_2"))
case(K, "accent", display(r"\hat{\mu} = \mu"))
case(K, "bar", display(r"\bar{x} = x"))
case(K, "prime", display(r"x' = x"))
case(K, "not-equal", display(r"1 \neq 1"))
case(K, "not-equal-x", display(r"x \ne x"))
case(K, "chain-first-false", display(r"1 \geq 2 \geq 0"), mixed=True)
case(K, "chain-second-false", display(r"0 \leq 1 = 2"), mixed=True)
case(K, "tower-power", display(r"2^{3^2} = 64"))  # 2^9
case(K, "fraction-then-factor-c", display(r"\frac{a}{b}c = \frac{a}{bc}"))
case(K, "sum-limits", display(r"\sum_{i=1}^{3} i = 5"))
case(K, "definite-integral", display(r"\int_0^1 x\,dx = 1"))  # 1/2
case(K, "norm-bars", display(r"\|x\| = x"))
case(K, "proportional", display(r"x^2 \propto x"))

# -------------------------------- found by the reviewer's attack (stop 15)

K = "x-juxtaposed-letters"
case(K, "ab-ba", display(r"ab = ba + 1"))  # a·b = b·a + 1: 0 = 1
case(K, "zX-Xz", display(r"zX = Xz + 1"))
case(K, "xy-assignment", display(r"xy = 2"))

K = "x-variance-square"
case(K, "s-squared", prose(r"Let $p(x)\sim N(0, s^2)$.", r"\sqrt{s^2} = s"))  # N(0, s²) says s ≠ 0, not s > 0
case(K, "a-squared-law", prose(r"Let $z\sim N(0,a^2)$.", r"\sqrt{a^2}=a"))

K = "x-assignment-as-written"
case(K, "sqrt-squared", display(r"\sqrt{x}^2 = -1"))  # not an assignment of x
case(K, "log-exp", display(r"\log e^{x} = 1"))
case(K, "braced-minus-square", display(r"{-1}^2 = 1"))  # displays like -1^2 = -1

K = "x-pathwise-law"
case(K, "two-noises-dependent", prose(r"Let $\epsilon\sim N(0,1)$, $\eta\sim N(0,1)$ and $x\sim N(0,2)$.",
                                      r"\eta = -\epsilon", r"x = \epsilon + \eta"))  # x = 0
case(K, "law-from-density", prose(r"Let $\epsilon\sim N(0,1)$ and $q(z)\sim N(\mu,\sigma^2)$.",
                                  r"z = \mu + \sigma^2\epsilon"))

K = "x-prose-grammar"
case(K, "disjunction", prose(r"The function $f$ is concave or convex.",
                             r"f\left(\int p(x)g(x)dx\right)\geq\int p(x)f(g(x))dx"))
case(K, "nobody-has-shown", prose(r"Nobody has shown that $f$ is concave.",
                                  r"f\left(\int p(x)g(x)dx\right)\geq\int p(x)f(g(x))dx"))
case(K, "goal-not-fact", prose(r"We want to show that $\sigma > 0$.", r"\sqrt{\sigma^2} = \sigma"))
case(K, "either-sign", prose(r"Either $\sigma > 0$ or $\sigma < 0$.", r"\sqrt{\sigma^2} = \sigma"))

K = "x-markdown-scanner"
case(K, "backtick-in-info-string", "$$1 = 1$$\n\n```x`y\n\n$$1 = 2$$\n")  # inline code, not a fence
case(K, "unclosed-html-comment", "$$1 = 1$$\n\na <!-- b\n\n$$1 = 2$$\n")
case(K, "crlf-code-spans", "$$1 = 1$$\r\n\r\nA ` tick\r\n\r\n$$1 = 2$$\r\n\r\nanother ` tick\r\n", at="1 = 2")
