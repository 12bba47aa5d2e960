"""The sizes a function's code cuts its inputs at: integer literals (or module constants, attributes of
``self`` or of a config object, constant-keyed entries of a config dict, and locals assigned one) in slices and
indices (``mu[:, :8]``, ``logvar[:32]``, ``eps[:, 8]``), in ``view``/``reshape`` sizes, in the sizes of
``narrow``/``split``/``topk`` (``torch.split(mu, 8, dim=1)[0]``, ``kl.topk(8, dim=1)``), and in
comparisons with ``.size()``/``.shape``/``len()``. A bug hidden behind such a size (a KL over the first 8
latent dims) shows only at shapes beyond it, so the checks are repeated there (:func:`beyond_shapes`).
"""
from __future__ import annotations

import ast
import inspect
from typing import Any, Callable

from mathcheck.code.report import Shape
from mathcheck.code.source import plain_function, syntax_tree

_CUT_CALLS = {"narrow", "split", "tensor_split", "topk", "kthvalue"}  # the sizes they name are cut sizes
_PINNING_CALLS = {"view", "reshape", "unflatten", "expand"}  # a size they name is pinned, not cut
LARGEST_LATENT = 512  # a cut above this is a data size, not a latent or batch size
LARGEST_BATCH = 256


def cut_sizes(function: Callable) -> tuple[int, int, set[int]]:
    """(the largest size cut on the batch axis, the largest cut on any other axis, the sizes a ``view`` or
    ``reshape`` pins); 0 where none."""
    tree = syntax_tree(function)
    if tree is None:
        return 0, 0, set()
    names = _sizes_named(function, tree)
    batch, other, pinned = [0], [0], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            _read_subscript(node, names, batch, other)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _CUT_CALLS:
            other += [value for arg in node.args for value in _ints(arg, names)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PINNING_CALLS:
            pinned.update(value for arg in node.args for value in _ints(arg, names))
        elif isinstance(node, ast.Compare):
            _read_comparison(node, names, batch, other)
    return max(batch), max(other), pinned


def beyond_shapes(shape: Shape, function: Callable) -> list[Shape]:
    """Shapes with the sizes past the cuts that could apply to them (all of them first, then each alone);
    [] when the code cuts nothing the shape reaches. A size a ``view(-1, K)`` pins is not met by a multiple
    of K (the view then refuses it, rather than silently regrouping the rows)."""
    batch_cut, other_cut, pinned = cut_sizes(function)
    batch = _past(batch_cut) if shape.batch <= batch_cut < LARGEST_BATCH else shape.batch
    latent = shape.latent
    if shape.latent <= other_cut < LARGEST_LATENT:
        latent = _not_regrouped(_past(other_cut), batch, pinned)
    data = shape.data
    if len(data) == 1 and data[0] <= other_cut:
        data = (_not_regrouped(_past(other_cut), batch, pinned),)
    found = []
    for candidate in (Shape(batch, data, latent), Shape(batch, shape.data, latent), Shape(shape.batch, data, shape.latent),
                      Shape(batch, shape.data, shape.latent), Shape(shape.batch, shape.data, latent)):
        if candidate != shape and candidate not in found:
            found.append(candidate)
    return found


def _not_regrouped(size: int, batch: int, pinned: set[int]) -> int:
    while any(size % k == 0 or (batch * size) % k == 0 for k in pinned if k > 1):
        size += 1
    return size


def _past(cut: int) -> int:
    """A size well past ``cut``: a cut of one entry in 785 reads as a weight 0.9987, not as a lost term."""
    return cut + max(1, cut // 2)


def _read_subscript(node: ast.Subscript, names: dict[str, Any], batch: list[int], other: list[int]) -> None:
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for axis, part in enumerate(parts):
        found = [v for piece in _slice_pieces(part) for v in _ints(piece, names)]
        (batch if axis == 0 and len(parts) > 1 or axis == 0 and _is_sliced_tensor(node) else other).extend(found)


def _is_sliced_tensor(node: ast.Subscript) -> bool:
    """``logvar[:32]``: a one-axis slice of a tensor cuts the batch; ``x.shape[1]`` reads a size, cuts nothing."""
    return isinstance(node.slice, ast.Slice) and not (isinstance(node.value, ast.Attribute)
                                                      and node.value.attr in ("shape",))


def _slice_pieces(part: ast.AST) -> list[ast.AST]:
    if isinstance(part, ast.Slice):
        return [piece for piece in (part.lower, part.upper, part.step) if piece is not None]
    return [part]


def _read_comparison(node: ast.Compare, names: dict[str, Any], batch: list[int], other: list[int]) -> None:
    sides = [node.left, *node.comparators]
    if not any(_reads_a_size(side) for side in sides):
        return
    axis_zero = any(_size_axis(side) == 0 for side in sides)
    for side in sides:
        if not _reads_a_size(side):
            (batch if axis_zero else other).extend(_ints(side, names))


def _reads_a_size(node: ast.AST) -> bool:
    return _size_axis(node) is not None


def _size_axis(node: ast.AST) -> int | None:
    """0 for ``len(t)``, ``t.size(0)``, ``t.shape[0]``; the axis read, or -1 when unknown; None for no size."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return 0
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size":
        return _literal(node.args[0]) if node.args and _literal(node.args[0]) is not None else -1
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        index = _literal(node.slice)
        return index if index is not None else -1
    return None


def _literal(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


_MISSING = object()


def _sizes_named(function: Callable, tree: ast.AST) -> dict[str, Any]:
    """What the names of the code hold: its module's globals, ``self``/``cls`` (the bound instance or class,
    so that ``self.kl_dims`` set in ``__init__`` and class variables are read), and its own locals assigned a
    size once (``n = self.max_batch``, ``k = cfg.kl_dims``)."""
    plain = plain_function(function)
    names = dict(getattr(plain, "__globals__", {}))
    owner = getattr(function, "__self__", None)
    code = getattr(plain, "__code__", None)
    if owner is not None and code is not None and code.co_argcount:
        names[code.co_varnames[0]] = owner
    assigned: dict[str, list[Any]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
    for name, values in assigned.items():
        if len(values) == 1:
            value = _value_of(values[0], names)
            if _is_size(value):
                names[name] = value
    return names


def _value_of(node: ast.AST, names: dict[str, Any]) -> Any:
    """A name, an attribute chain (``self.kl_dims``, ``cfg.model.kl_dims``, ``args.kl_dims``) or a subscript
    by a constant key (``CONFIG["kl_dims"]``) resolved against ``names``, without calling anything;
    ``_MISSING`` otherwise."""
    if isinstance(node, ast.Name):
        return names.get(node.id, _MISSING)
    if isinstance(node, ast.Attribute):
        owner = _value_of(node.value, names)
        if owner is _MISSING:
            return _MISSING
        try:
            return inspect.getattr_static(owner, node.attr)
        except AttributeError:
            pass
        try:  # an attribute a torch module keeps in its own dicts, or a namespace's
            held = vars(owner)
        except TypeError:
            return _MISSING
        return held.get(node.attr, _MISSING)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        owner = _value_of(node.value, names)
        if isinstance(owner, dict):
            return owner.get(node.slice.value, _MISSING)
    return _MISSING


def _names_the_latent_size(node: ast.AST) -> bool:
    """``self.latent_dim``, ``cfg.z_dim``, ``CONFIG["latent_size"]``: the model's own latent size, by which a slice
    cuts nothing (it is the size of μ by construction), not a cut."""
    from mathcheck.code.loss import _dimension_of_name
    if isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        name = node.slice.value
    else:
        return False
    return _dimension_of_name(name) == "d"


def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(node: ast.AST, names: dict[str, Any]) -> list[int]:
    """The integer sizes ≥ 2 in an expression: literals, negated literals, module constants, and sizes held
    in attributes, config objects and dicts (``self.kl_dims``, ``cfg.kl_dims``, ``CONFIG["kl_dims"]``)."""
    found = []
    for piece in ast.walk(node):
        value = _literal(piece)
        if value is None and isinstance(piece, (ast.Name, ast.Attribute, ast.Subscript)):
            named = _value_of(piece, names)
            value = named if _is_size(named) and not _names_the_latent_size(piece) else None
        if value is not None and abs(value) >= 2:
            found.append(abs(value))
    return found


__all__ = ["cut_sizes", "beyond_shapes"]
