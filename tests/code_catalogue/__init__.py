"""Small user modules for ``mathcheck check-code``: VAE losses, KLs and samplers, right and wrong.

``expected.EXPECTED`` says what each computes and what the checker must report; ``reference`` checks the
first claim against the reference math, ``tests/test_check_code_catalogue.py`` the second against the checker.
The variant modules are user code, written for this catalogue: they are imported only by those two.
"""
from tests.code_catalogue.expected import EXPECTED, GROUPS

__all__ = ["EXPECTED", "GROUPS"]
