"""matrix_numeric's product of batched matrices: numpy's broadcasting matmul, computed as one product where one
side is a single matrix."""
import numpy as np
import pytest

from mathcheck.matrix_numeric import _matmul

LAYOUTS = [((1, 3, 4), (7, 4, 2)), ((7, 3, 4), (1, 4, 2)), ((7, 3, 4), (7, 4, 1)), ((1, 3, 4), (1, 4, 5)),
           ((9, 1, 3), (1, 3, 1)), ((1, 2, 2), (9, 2, 1)), ((8000, 5, 5), (1, 5, 1))]


@pytest.mark.parametrize("left, right", LAYOUTS)
def test_the_batched_product_equals_numpys_matmul(left, right):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(left), rng.standard_normal(right)
    np.testing.assert_allclose(_matmul(a, b), a @ b, rtol=1e-13, atol=1e-13)
