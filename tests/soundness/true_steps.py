"""TRUE steps in unusual but valid forms, by kind. Each must be proved, hold or be a definition (never refuted,
unparsed or undecided), and its document must pass.

Every step is true as LaTeX displays it, with the article's conventions: \\log is the natural logarithm, σ is a
standard deviation (> 0), p/q are densities, \\int without limits is over the real line.
"""
from __future__ import annotations

from tests.soundness.model import Case, aligned, display, prose

SIGMA_POSITIVE = r"Here $\sigma > 0$."  # a scale: its sign is declared, never taken from its name

GAUSS = r"Let $p(x)\sim N(\mu,\sigma^2)$ and $q(x)\sim N(0,1)$."
GAUSS_CAL = r"Let $p(x)\sim\mathcal{N}(\mu,\sigma^2)$ and $q(x)\sim\mathcal{N}(0,1)$."
TWO_GAUSS = r"Let $p(x)\sim N(\mu_1,\sigma_1^2)$ and $q(x)\sim N(\mu_2,\sigma_2^2)$."
REPARAM = r"With $\epsilon\sim N(0,1)$ and $z\sim N(\mu,\sigma^2)$, the reparameterization is"
ELBO = r"\int q(z\mid X)\log\frac{p(X,z)}{q(z\mid X)}dz"
JENSEN = r"f\left(\int p(x)g(x)dx\right)\geq\int p(x)f(g(x))dx"

CASES: list[Case] = []


def case(kind: str, name: str, text: str) -> None:
    CASES.append(Case(f"{kind}:{name}", kind, text))


# -------------------------------- fractions written every valid way

K = "t-fraction"
case(K, "frac12", display(r"\frac12 + \frac12 = 1"))
case(K, "frac-spaced", display(r"\frac 1 2 + \frac 1 2 = 1"))
case(K, "frac-one-brace", display(r"\frac1{2} = \frac{1}2"))
case(K, "tfrac-dfrac", display(r"\tfrac{1}{2} = \dfrac{2}{4}"))
case(K, "over", display(r"{1 \over 2} = 0.5"))
case(K, "over-symbol", display(r"{x \over 2} = \frac{x}{2}"))
case(K, "cdot-four", display(r"\frac{1}{2}\cdot 4 = 2"))
case(K, "halves", display(r"\frac{x}{2} + \frac{x}{2} = x"))
case(K, "dfrac-sigma", display(r"\dfrac{\sigma^2}{\sigma} = \sigma"))
case(K, "nested", display(r"\frac{1}{\frac{1}{2}} = 2"))
case(K, "leading-point", display(r".5 = \frac 12"))
case(K, "frac-x-squared", display(r"\frac{1}{2}x^2 = \frac{x^2}{2}"))
case(K, "slash", display(r"1/2 + 1/4 = 3/4"))

# -------------------------------- spacing, delimiters, products, powers

K = "t-notation"
case(K, "cdot", display(r"2 \cdot 3 = 6"))
case(K, "times", display(r"2 \times 3 = 6"))
case(K, "thin-spaces", display(r"x\,y = y\,x"))
case(K, "left-right", display(r"\left(1 + x\right)^2 = 1 + 2x + x^2"))
case(K, "bigl-bigr", display(r"\Bigl(x + 1\Bigr) - 1 = x"))
case(K, "big-parentheses", display(r"\big(x - 1\big)\big(x + 1\big) = x^2 - 1"))
case(K, "exp-squared", display(r"\exp(x)^2 = e^{2x}"))
case(K, "exp-left-right-squared", display(r"\exp\left(\frac{x}{2}\right)^2 = e^{x}"))
case(K, "exp-product", display(r"e^{x}e^{y} = e^{x+y}"))
case(K, "exp-is-e", display(r"\exp(x) = e^{x}"))
case(K, "power-ten", display(r"2^{10} = 1024"))
case(K, "negative-power", display(r"10^{-3} = 0.001"))
case(K, "decimals", display(r"0.1 + 0.2 = 0.3"))
case(K, "one-point-zero", display(r"1.0 = 1"))
case(K, "minus-one-squared", display(r"-1^2 = -1"))
case(K, "sigma-inverse", display(r"\sigma^{-1}\sigma = 1"))
case(K, "abs-delimiters", display(r"|x| = \left| x \right|"))
case(K, "displaystyle", display(r"\displaystyle\frac{1}{2} = 0.5"))
case(K, "unicode-relation", display(r"\sigma^2 + 1 ≥ 1"))
case(K, "geqslant", display(r"x^2 \geqslant 0"))

# -------------------------------- roots

K = "t-root"
case(K, "sqrt-4", display(r"\sqrt 4 = 2"))
case(K, "sqrt-9-braced", display(r"\sqrt{9} = 3"))
case(K, "cube-root", display(r"\sqrt[3]{8} = 2"))
case(K, "sqrt-square-abs", display(r"\sqrt{x^2} = |x|"))
case(K, "sqrt-sigma-squared", prose(SIGMA_POSITIVE, r"\sqrt{\sigma^2} = \sigma"))
case(K, "sqrt-at-least-one", display(r"\sqrt{x^2 + 1} \geq 1"))

# -------------------------------- inequalities the calculus lemma can do

K = "t-calculus"
case(K, "lambda-quarter", display(r"\lambda(1-\lambda) \leq \frac14"))
case(K, "lambda-tfrac", display(r"\lambda (1 - \lambda) \le \tfrac{1}{4}"))
case(K, "x-quarter", display(r"x(1-x) \leq \frac{1}{4}"))
case(K, "am-gm", display(r"\mu^2 + \sigma^2 \geq 2\mu\sigma"))
case(K, "sigma-plus-inverse", prose(SIGMA_POSITIVE, r"\sigma + \frac{1}{\sigma} \geq 2"))
case(K, "square-plus-inverse-square", prose(SIGMA_POSITIVE, r"\sigma^2 + \frac{1}{\sigma^2} \geq 2"))
case(K, "perfect-square", display(r"x^2 - 2x + 1 \geq 0"))
case(K, "exp-tangent", display(r"e^{x} \geq 1 + x"))
case(K, "log-tangent", prose(SIGMA_POSITIVE, r"\log\sigma \leq \sigma - 1"))
case(K, "log-tangent-e", prose(SIGMA_POSITIVE, r"\log\sigma \leq \frac{\sigma}{e}"))
case(K, "kl-core", display(r"-\log\sigma^2+\sigma^2-1 \geq 0"))
case(K, "kl-formula", display(r"\frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right] \geq 0"))
case(K, "double-well", display(r"x^4 - 2x^2 + 1 \geq 0"))
case(K, "abs-nonnegative", display(r"|x| \geq 0"))
case(K, "two-kinks", display(r"|x - 1| + |x + 1| \geq 2"))
case(K, "strict-shifted", display(r"(x-1)^2 + 1 > 0"))
case(K, "log-sqrt", prose(SIGMA_POSITIVE, r"\log\sigma \leq \sqrt{\sigma}"))

# -------------------------------- log algebra

K = "t-log"
case(K, "log-product", prose(SIGMA_POSITIVE, r"\log(2\sigma) = \log 2 + \log\sigma"))
case(K, "ln-square", prose(SIGMA_POSITIVE, r"\ln\sigma^2 = 2\ln\sigma"))
case(K, "log-reciprocal", prose(SIGMA_POSITIVE, r"\log\frac{1}{\sigma} = -\log\sigma"))
case(K, "log-e", display(r"\log e = 1"))
case(K, "ln-exp", display(r"\ln e^{3} = 3"))
case(K, "log-base-2", display(r"\log_2 8 = 3"))
case(K, "log-base-10", display(r"\log_{10} 1000 = 3"))
case(K, "log-sqrt", prose(SIGMA_POSITIVE, r"\log\sqrt{\sigma} = \frac{1}{2}\log\sigma"))
case(K, "log-factor", prose(SIGMA_POSITIVE, r"\log(\sigma\mu^2 + \sigma) = \log\sigma + \log(\mu^2+1)"))
case(K, "log-of-density-ratio", display(r"\log\frac{p(X,z)}{q(z\mid X)} = \log p(X,z) - \log q(z\mid X)"))
case(K, "log-joint", display(r"\log p(X, z) = \log p(X\mid z) + \log p(z)"))
case(K, "log-bayes", display(r"\log p(z\mid X) = \log p(X\mid z) + \log p(z) - \log p(X)"))
case(K, "log-power", display(r"\log 2^{10} = 10\log 2"))
case(K, "exp-log", prose(SIGMA_POSITIVE, r"e^{\log\sigma} = \sigma"))
case(K, "exp-minus-log", prose(SIGMA_POSITIVE, r"\exp(-\log\sigma^2) = \frac{1}{\sigma^2}"))
case(K, "log-left-right", prose(SIGMA_POSITIVE, r"\log\left(\frac{\sigma}{2}\right) = \log\sigma - \log 2"))

# -------------------------------- the ELBO in the article's notation

K = "t-elbo"
case(K, "marginal", display(r"\log p(X) = \log\int p(X, z)\,dz"))
case(K, "importance", display(r"\log p(X) = \log\int q(z\mid X)\frac{p(X,z)}{q(z\mid X)}\,\mathrm{d}z"))
case(K, "jensen-bound", display(r"\log p(X) \geq " + ELBO))
case(K, "gap", display(r"\log p(X) - " + ELBO + r" = D_{KL}[q(z\mid X)\|p(z\mid X)]"))
case(K, "decomposition", display(ELBO + r" = E_{q(z\mid X)}[\log p(X\mid z)] - D_{KL}[q(z\mid X)\|p(z)]"))
case(K, "labels", display(r"D_{KL}[q_{\phi}(z\mid X)\|p_{\theta}(z\mid X)] = "
                          r"E_{q_{\phi}(z\mid X)}[\log q_{\phi}(z\mid X)-\log p_{\theta}(z\mid X)]"))
case(K, "constant-expectation", display(r"\mathbb{E}_{q(z\mid X)}[\log p(X)] = \log p(X)"))
case(K, "normalization", display(r"\int q(z\mid X)\,dz = 1"))
case(K, "marginalization", display(r"\int p(X\mid z)p(z)\,dz = p(X)"))
case(K, "bayes-product", display(r"p(z\mid X)p(X) = p(X\mid z)p(z)"))
case(K, "posterior-kl-nonnegative", display(r"D_{KL}[q(z\mid X)\|p(z\mid X)] \geq 0"))
case(K, "middle-bar", display(r"D_{KL}\left(q(z\mid X) \,\middle\|\, p(z)\right) \geq 0"))
case(K, "named-bound", display(r"L(X,z) := " + ELBO, r"\log p(X) \geq L(X,z)",
                               r"\log p(X) - L(X,z) = D_{KL}[q(z\mid X)\|p(z\mid X)]"))
case(K, "mathbb-left-right", display(r"\mathbb{E}_{q(z\mid X)}\left[\log p(X\mid z)\right] = "
                                     r"\int q(z\mid X)\log p(X\mid z)\,dz"))
case(K, "upright-d", display(r"\int q(z\mid X)\,\mathrm dz = 1"))
case(K, "evidence-above-gap", display(r"\log p(X) \geq \log p(X) - D_{KL}[q(z\mid X)\|p(z\mid X)]"))

# -------------------------------- annotated relations

K = "t-annotated"
case(K, "overset-geq", display(r"\log p(X) \overset{(a)}{\geq} " + ELBO))
case(K, "stackrel-jensen", display(r"\log p(X) \stackrel{\text{Jensen}}{\geq} " + ELBO))
case(K, "overset-equal-chain", aligned(r"\log p(X) &\overset{(a)}{=} \log\int p(X,z)dz",
                                       r"&\overset{(b)}{=} \log\int q(z\mid X)\frac{p(X,z)}{q(z\mid X)}dz",
                                       r"&\overset{(c)}{\geq} " + ELBO))
case(K, "overset-numbers", display(r"1 + 1 \overset{(a)}{=} 2"))
case(K, "underset", display(r"x + x \underset{(b)}{=} 2x"))

# -------------------------------- environments and rows

K = "t-environment"
case(K, "aligned-t", "$$\n\\begin{aligned}[t]\n\\log p(X) &= \\log\\int p(X,z)dz \\\\\n"
     "&\\geq " + ELBO + "\n\\end{aligned}\n$$\n")
case(K, "comment-with-row-break", "$$\n\\begin{aligned}\n1 &= 1 % a comment with \\\\ in it\n"
     "&= \\frac{2}{2}\n\\end{aligned}\n$$\n")
case(K, "full-line-comment", "$$\n\\begin{aligned}\nx &= x \\\\\n% x = x + 1 is commented out\n"
     "&= 2x - x\n\\end{aligned}\n$$\n")
case(K, "align-star-nonumber", "$$\n\\begin{align*}\n(x+1)^2 &= x^2 + 2x + 1 \\nonumber \\\\\n"
     "&\\geq 2x + 1\n\\end{align*}\n$$\n")
case(K, "tag-label", "$$\nx + x = 2x \\tag{1}\\label{eq:one}\n$$\n")
case(K, "bracket-display", "\\[\n\\frac{1}{2} + \\frac{1}{2} = 1\n\\]\n")
case(K, "gathered", "$$\n\\begin{gathered}\n1 + 1 = 2 \\\\\nx - x = 0\n\\end{gathered}\n$$\n")
case(K, "row-skip", aligned(r"1 &= 1", r"[2pt] &= \frac{2}{2}"))
case(K, "continued-row", "$$\n\\begin{aligned}\nx + y &= y \\\\\n&\\quad + x\n\\end{aligned}\n$$\n")
case(K, "text-reason", aligned(r"x + x &= 2x && \text{by adding}"))
case(K, "split", "$$\n\\begin{split}\n(a+b)^2 &= a^2 + 2a\\,b + b^2\n\\end{split}\n$$\n")

# -------------------------------- divergences against N(0, 1) and other Gaussians

K = "t-gaussian-kl"
case(K, "q-against-standard-normal", display(r"D_{KL}(q(z\mid X) \| N(0, 1)) \geq 0"))
case(K, "q-against-calligraphic", display(r"D_{KL}(q(z \mid X) \| \mathcal{N}(z; 0, 1)) \geq 0"))
case(K, "normals-nonnegative", display(r"D_{KL}(N(z;\mu,\sigma^2)\|N(z;0,1)) \geq 0"))
case(K, "normals-closed-form", display(
    r"D_{KL}(N(z;\mu,\sigma^2)\|N(z;0,1)) = \frac{1}{2}\left[-\log\sigma^2+\sigma^2-1+\mu^2\right]"))
case(K, "log-sigma-form", prose(GAUSS + " " + SIGMA_POSITIVE, r"D_{KL}(p\|q) = -\log\sigma + \frac{\sigma^2+\mu^2-1}{2}"))
case(K, "round-brackets", prose(GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left(\mu^2+\sigma^2-\log\sigma^2-1\right)"))
case(K, "split-fraction", prose(GAUSS + " " + SIGMA_POSITIVE, r"D_{KL}(p\|q) = \frac{\mu^2+\sigma^2}{2} - \log\sigma - \frac{1}{2}"))
case(K, "vae-paper-form", prose(GAUSS, r"D_{KL}(p\|q) = -\frac{1}{2}\left(1+\log\sigma^2-\mu^2-\sigma^2\right)"))
case(K, "ln-form", prose(GAUSS_CAL, r"D_{KL}(p\|q) = \frac12\left[\sigma^2+\mu^2-1-\ln\sigma^2\right]"))
case(K, "two-gaussians-squared-ratio", prose(TWO_GAUSS, r"D_{KL}(p\|q) = \frac{1}{2}\left[\log\frac{\sigma_2^2}"
                                             r"{\sigma_1^2}+\frac{\sigma_1^2+(\mu_1-\mu_2)^2}{\sigma_2^2}-1\right]"))
case(K, "two-gaussians-article", prose(TWO_GAUSS + r" Here $\sigma_1, \sigma_2 > 0$.", r"D_{KL}(p\|q) = \log\frac{\sigma_2}{\sigma_1}"
                                       r"+\frac{\sigma_1^2+(\mu_1-\mu_2)^2}{2\sigma_2^2}-\frac{1}{2}"))
case(K, "parallel", prose(GAUSS, r"D_{KL}(p \parallel q) \geq 0"))
case(K, "entropy", prose(GAUSS, r"-\int p(x)\log p(x)\,dx = \frac{1}{2}\log(2\pi e\sigma^2)"))
case(K, "cross-entropy", prose(GAUSS, r"-\int p(x)\log q(x)\,dx = \frac{1}{2}\log(2\pi) + \frac{\mu^2+\sigma^2}{2}"))
case(K, "mean", prose(GAUSS, r"\int p(x)\,x\,dx = \mu"))
case(K, "second-moment", prose(GAUSS, r"\int p(x)x^2dx = \mu^2+\sigma^2"))
case(K, "variance", prose(GAUSS, r"\int p(x)(x-\mu)^2\,dx = \sigma^2"))
case(K, "kl-as-cross-entropy-minus-entropy", prose(GAUSS, r"D_{KL}(p\|q) = -\int p(x)\log q(x)dx"
                                                   r" + \int p(x)\log p(x)dx"))
case(K, "same-normals", prose(r"Let $p(x)\sim N(0,1)$ and $q(x)\sim N(0,1)$.", r"D_{KL}(p\|q) = 0"))

# -------------------------------- integrals of explicit densities and functions

K = "t-integral"
case(K, "exp-of-minus-mass", display(r"e^{-\int N(z;0,1)dz} = e^{-1}"))
case(K, "standard-normal-mass", display(r"\int N(z;0,1)\,dz = 1"))
case(K, "calligraphic-mass", display(r"\int \mathcal{N}(z; \mu, \sigma^2)\, \mathrm{d}z = 1"))
case(K, "normal-mass-dx", display(r"\int N(x;\mu,\sigma^2) d x = 1"))
case(K, "gaussian-integral-limits", display(r"\int_{-\infty}^{\infty} e^{-x^2}dx = \sqrt{\pi}"))
case(K, "gaussian-kernel", display(r"\int e^{-\frac{z^2}{2}}\,dz = \sqrt{2\pi}"))
case(K, "cauchy", display(r"\int \frac{1}{1+z^2}dz = \pi"))
case(K, "d-sigma", display(r"\int e^{-\frac{\sigma^2}{2}}\,d\sigma = \sqrt{2\pi}"))
case(K, "d-mu", display(r"\int N(\mu; 0, 1)\,d\mu = 1"))
case(K, "density-formula", display(
    r"N(x;\mu,\sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}}\exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)"))
case(K, "density-formula-standardized", prose(SIGMA_POSITIVE, 
    r"N(x;\mu,\sigma^2) = \frac{1}{\sigma\sqrt{2\pi}}\exp\left(-\frac{1}{2}\left(\frac{x-\mu}{\sigma}\right)^2\right)"))
case(K, "scaled-substitution", prose(SIGMA_POSITIVE, r"\int e^{-z^2/2}dz = \int \sigma e^{-\sigma^2u^2/2}du"))  # sigma > 0

# -------------------------------- the reparameterization, in law

K = "t-reparam"
case(K, "mu-plus-sigma-eps", prose(REPARAM, r"z = \mu + \sigma\epsilon"))
case(K, "mu-minus-sigma-eps", prose(REPARAM, r"z = \mu - \sigma\epsilon"))
case(K, "reordered", prose(REPARAM, r"z = \sigma\cdot\epsilon + \mu"))
case(K, "functions-of-x", prose(r"With $\epsilon\sim N(0,1)$ and $z\sim N(\mu(X),\sigma(X)^2)$,",
                                r"z=\mu(X)+\epsilon\cdot\sigma(X)"))
case(K, "calligraphic", prose(r"With $\epsilon\sim\mathcal{N}(0,1)$ and $z\sim\mathcal{N}(\mu,\sigma^2)$,",
                              r"z = \mu + \sigma\,\epsilon"))

# -------------------------------- Jensen with declared curvature

K = "t-jensen"
case(K, "let-concave", prose(r"Let $f$ be concave.", JENSEN))
case(K, "concave-function", prose(r"Here $f(x)$ is a concave function.", JENSEN))
case(K, "strictly-concave", prose(r"The function $f$ is strictly concave.", JENSEN))
case(K, "concave-down", prose(r"The function $f$ is concave down.", JENSEN))
case(K, "convex-reversed", prose(r"Let $f$ be convex.", r"f\left(\int p(x)g(x)dx\right)\leq\int p(x)f(g(x))dx"))
case(K, "japanese-concave", prose(r"$f$ は上に凸な関数なので", JENSEN))
case(K, "log", display(r"\log\int p(x)g(x)\,dx\geq\int p(x)\log g(x)\,dx"))
case(K, "log-of-exp", display(r"\log\int p(x)e^{g(x)}dx \geq \int p(x)g(x)dx"))
case(K, "square", display(r"\left(\int p(x)g(x)\,dx\right)^2 \leq \int p(x)g(x)^2\,dx"))
case(K, "expectation-notation", prose(r"Let $f$ be concave.", r"f(E_{p(x)}[g(x)]) \geq E_{p(x)}[f(g(x))]"))
