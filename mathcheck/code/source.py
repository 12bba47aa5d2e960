"""The source of a user's function as a syntax tree, for the readers that look at how its code is written
(:mod:`.cutoffs`: the sizes it cuts at; :mod:`.layouts`: the dims it reduces over; :mod:`.encoder`: how it
cuts an encoder output into μ and the scale)."""
from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any, Callable


def plain_function(function: Callable) -> Any:
    """The function under a bound method (``__func__``) and its decorators (``functools.wraps``)."""
    return inspect.unwrap(getattr(function, "__func__", function))


def syntax_tree(function: Callable) -> ast.AST | None:
    """The parsed source of ``function`` (a method's, a decorated function's underlying one); None when its
    source cannot be read (a builtin, a lambda typed at a prompt, a C extension)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(plain_function(function))))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    return ast.fix_missing_locations(_PlainAssignments().visit(tree))


class _PlainAssignments(ast.NodeTransformer):
    """``mu: torch.Tensor = h[..., :d]`` read as ``mu = h[..., :d]``: an annotation does not change the value."""

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is None or not isinstance(node.target, ast.Name):
            return node
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)


__all__ = ["plain_function", "syntax_tree"]
