"""Vectors and matrices as sympy matrix expressions: shapes, and the scalar a 1×1 expression stands for."""
from __future__ import annotations

import sympy as sp


class ShapeError(ValueError):
    """An ill-formed matrix expression: a matrix added to a scalar, a product of incompatible shapes."""


def scalar(matrix: sp.MatrixExpr) -> sp.Expr:
    """The number a 1×1 matrix expression stands for (xᵀAx, ‖x‖² = xᵀx): tr of a 1×1 matrix is its entry."""
    if tuple(matrix.shape) != (1, 1):
        raise ShapeError(f"a {matrix.shape[0]}×{matrix.shape[1]} matrix is not a number")
    return sp.Trace(matrix)
