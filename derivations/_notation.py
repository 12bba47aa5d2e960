"""The article's objects, declared once for every derivation."""
import sympy as sp

from mathcheck.vocab import X, define, integral, p, q, ratio, times, z

q_phi = q(z, given=X, label="phi")  # the encoder q_φ(z|X)
q_zX = q(z, given=X)
p_X = p(X)
p_Xz = p(X, z)
p_z = p(z)
p_z_given_X = p(z, given=X)
p_X_given_z = p(X, given=z)

# L(X, z) := ∫ q(z|X) log(p(X, z) / q(z|X)) dz   (article line 71)
ELBO = define("L", (X, z), integral(times(q_zX, sp.log(ratio(p_Xz, q_zX))), z))
