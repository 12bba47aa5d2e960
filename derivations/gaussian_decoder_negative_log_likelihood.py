"""The Gaussian decoder: −log N(x; f(z), σ²I) = Σ_{i=1}^D (x_i − f_i(z))²/(2σ²) + (D/2) log(2πσ²).

Not derived in the article (its lines 166-168 use a Bernoulli decoder); the standard squared-error loss of a
Gaussian decoder with fixed variance σ² (e.g. Kingma & Welling 2014, appendix C.2). N(x; f(z), σ²I) is the
product of its D one-dimensional factors N(x_i; f_i(z), σ²); f_i(z) is the i-th output of the decoder at z.
The steps hold for symbolic D.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import Normal

i = sp.Symbol("i", integer=True, positive=True)
D = sp.Symbol("D", integer=True, positive=True)  # data dimension
sigma = sp.Symbol("sigma", positive=True)
x = sp.IndexedBase("x", real=True)  # the data point's components
f = sp.IndexedBase("f", real=True)  # f_i(z): the decoder's mean, component i
half = sp.Rational(1, 2)

CHAIN = calc(
    -sp.log(sp.Product(Normal(x[i], f[i], sigma), (i, 1, D))),
    ("=", -sp.Sum(sp.log(Normal(x[i], f[i], sigma)), (i, 1, D)), "log of a product of positive factors"),
    ("=", sp.Sum((x[i] - f[i]) ** 2 / (2 * sigma**2) + half * sp.log(2 * sp.pi * sigma**2), (i, 1, D)),
     "the Gaussian log-density written out"),
    ("=", sp.Sum((x[i] - f[i]) ** 2, (i, 1, D)) / (2 * sigma**2) + D / 2 * sp.log(2 * sp.pi * sigma**2),
     "linearity of Σ: 1/(2σ²) is free of i, and Σ_{i=1}^D c = D c"),
    name="gaussian_decoder_negative_log_likelihood",
    title="−log N(x; f(z), σ²I) = ‖x − f(z)‖²/(2σ²) + (D/2) log(2πσ²)",
    source="Kingma & Welling 2014 (appendix C.2); the Gaussian counterpart of article lines 166-168",
)
