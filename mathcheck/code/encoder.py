"""An encoder output passed whole and cut into μ and the scale inside the function:
``mu, logvar = h.chunk(2, dim=-1)``, ``torch.split(h, d, dim=1)``, ``h.unbind(1)``, ``h.narrow(1, 0, d)``,
``h[:, :d]`` / ``h[:, d:]``, ``h[:, 0]`` / ``h[:, 1]``, ``mu, logvar = h``.

The argument ``h`` says nothing by its name; its pieces do. The cut is read from the code (the call, the axis,
which piece comes first) and the names the pieces are assigned to give their roles (``mu``, ``logvar``,
``log_std``, ...). The function is then checked through an adapter that takes the pieces as arguments and
joins them back the way the code cuts them (a concatenation for chunk/split/narrow/slices, a stack for
unbind, indices and unpacking), in the function's framework, so that gradients flow to each piece. A cut the
code does not make this way (three pieces, pieces of unequal sizes) is not read: the argument stays without a
role, and the usage error says how to give one.
"""
from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from mathcheck.code.roles import SCALE_ROLES, parameters, role_from_name, roles_from_names
from mathcheck.code.source import plain_function, syntax_tree

_JOIN_CALLS = {"chunk": "concatenated", "split": "concatenated", "tensor_split": "concatenated",
               "array_split": "concatenated", "unbind": "stacked", "unstack": "stacked"}
_CUT_WORDS = {"concatenated": "concatenated along", "stacked": "stacked along"}
_COUNT_WORDS = ("chunks", "split_size_or_sections", "split_size", "indices_or_sections", "sections",
                "num_or_size_splits")
_COUNTING_MODULES = ("np", "numpy", "jnp", "tf")  # np.split(h, 2, axis=1): the count of pieces, not their size
_HALF = "half"


@dataclass(frozen=True)
class EncoderCut:
    """How the code cuts one argument into two named pieces."""

    argument: str  # the argument holding the encoder output (``h``)
    names: tuple[str, str]  # the pieces, in the order they lie along the axis
    join: str  # "concatenated" or "stacked": how the pieces make up the argument
    axis: int  # the axis they lie along
    how: str  # the code's cut, for the report (``h.chunk(2, dim=-1)``)
    size: int | None = None  # a piece size the code fixes (``torch.split(h, 8, 1)``): the latent size

    def words(self) -> str:
        return (f"{self.argument} cut by {self.how} into {' and '.join(self.names)} "
                f"({_CUT_WORDS[self.join]} axis {self.axis})")


def encoder_output_cut(function: Callable, overrides: Mapping[str, str] | None = None) -> EncoderCut | None:
    """The cut of a required argument into one mean and one scale, as the code makes it; None when there is
    none. The argument is one whose role ``overrides`` (``--inputs``) does not give and whose name says no mean
    or scale: no role at all (``h``, ``stats``), or a data role its name suggests but its code contradicts
    (``encoder_output``, ``inputs`` cut into ``z_mean, z_log_var``)."""
    overrides = overrides or {}
    named = roles_from_names(function)
    unnamed = [p.name for p in parameters(function) if p.name not in overrides and p.default is inspect.Parameter.empty
               and named.get(p.name) not in ("mu", *SCALE_ROLES)]
    tree = syntax_tree(function) if unnamed else None
    if tree is None:
        return None
    reader = _Reader(set(unnamed), dict(getattr(plain_function(function), "__globals__", {})),
                     getattr(function, "__self__", None))
    reader.read_locals(tree)
    taken = {p.name for p in parameters(function)}
    found = [cut for cut in reader.cuts(tree) if _names_a_mean_and_a_scale(cut, taken)
             and not (cut.join == "concatenated" and cut.axis not in (1, -1))  # μ, s are (B, d): along d
             and cut.argument not in reader.rebound]  # h = self.fc(h) before the cut: not the argument's pieces
    if not found or len({(cut.argument, cut.join, _axis_of(cut), cut.size, _piece_roles(cut)) for cut in found}) > 1:
        return None  # none, or cuts that disagree (one per branch): which one runs is not read here
    return found[0]


def _names_a_mean_and_a_scale(cut: EncoderCut, taken: set[str]) -> bool:
    return sorted(map(str, _piece_roles(cut))) == ["mu", "scale"] and not (taken - {cut.argument}) & set(cut.names)


def _piece_roles(cut: EncoderCut) -> tuple[str | None, ...]:
    return tuple("mu" if role == "mu" else "scale" if role in SCALE_ROLES else role
                 for role in (role_from_name(name) for name in cut.names))


def cut_layout(cut: EncoderCut) -> tuple:
    """Where μ and the scale lie in the encoder output: how it is made up, along which axis, in which order."""
    return cut.join, _axis_of(cut), _piece_roles(cut)


def _axis_of(cut: EncoderCut) -> int:
    """The axis, non-negative: a concatenation's of (B, 2d) (1 and −1 are one axis), a stack's of the (B, d, 2)
    or (2, B, d) output its two (B, d) pieces make (−1 is 2)."""
    rank = 2 if cut.join == "concatenated" else 3
    return cut.axis + rank if -rank <= cut.axis < 0 else cut.axis


def with_encoder_output_cut(function: Callable, overrides: Mapping[str, str] | None = None) -> Callable:
    """``function``, or an adapter taking the pieces of its encoder-output argument in its place (see the module
    docstring); the adapter's ``mathcheck_encoder_cut`` is the :class:`EncoderCut`."""
    cut = encoder_output_cut(function, overrides)
    if cut is None:
        return function
    signature = inspect.signature(function)

    def adapted(**inputs: Any) -> Any:
        pieces = [inputs.pop(name) for name in cut.names]
        if cut.size is not None and _last_size(pieces[0]) != cut.size:
            raise ValueError(f"the code cuts {cut.argument} into pieces of {cut.size}: the latent size is {cut.size}")
        return function(**{cut.argument: join_pieces(pieces, cut.join, cut.axis)}, **inputs)

    replaced = []
    for parameter in signature.parameters.values():
        if parameter.name == cut.argument:
            replaced += [parameter.replace(name=name) for name in cut.names]
        else:
            replaced.append(parameter)
    adapted.__signature__ = signature.replace(parameters=replaced)
    adapted.__wrapped__ = function  # the code read by the other readers (cut sizes, layouts, frameworks)
    adapted.__name__ = getattr(function, "__name__", "adapted")
    adapted.__qualname__ = getattr(function, "__qualname__", adapted.__name__)
    adapted.__module__ = getattr(function, "__module__", None)
    adapted.mathcheck_encoder_cut = cut
    return adapted


def join_pieces(pieces: list[Any], join: str, axis: int) -> Any:
    """The pieces concatenated or stacked along ``axis``, in their own framework (torch, JAX, TensorFlow,
    numpy), so that a gradient with respect to each piece flows through the join."""
    root = (type(pieces[0]).__module__ or "").split(".")[0]
    if root == "torch":
        import torch

        return (torch.cat if join == "concatenated" else torch.stack)(pieces, dim=axis)
    if root in ("jax", "jaxlib"):
        import jax.numpy as jnp

        return (jnp.concatenate if join == "concatenated" else jnp.stack)(pieces, axis=axis)
    if root in ("tensorflow", "keras"):
        import tensorflow as tf

        return (tf.concat if join == "concatenated" else tf.stack)(pieces, axis=axis)
    import numpy as np

    return (np.concatenate if join == "concatenated" else np.stack)(pieces, axis=axis)


def _last_size(array: Any) -> int:
    return int(tuple(array.shape)[-1])


class _Reader:
    """The cuts of one function's code: its arguments without a role, its module constants and, for a bound
    method, its instance (``self.latent_dim``)."""

    def __init__(self, arguments: set[str], names: dict[str, Any], owner: Any) -> None:
        self.arguments, self.names, self.owner = arguments, names, owner
        self.assigned: dict[str, ast.AST] = {}  # local names assigned once (``d = h.size(1) // 2``)

    def read_locals(self, tree: ast.AST) -> None:
        counts: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                        counts[name] = counts.get(name, 0) + 1
                        if isinstance(node, ast.Assign) and isinstance(target, ast.Name) and node.value is not None:
                            self.assigned[name] = node.value
        self.assigned = {name: value for name, value in self.assigned.items() if counts[name] == 1}
        stored = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
        self.rebound = stored & self.arguments  # an argument assigned again (h = self.fc(h)) is not the input
        self.unpacked: dict[str, tuple[int, _Whole]] = {}  # a, b = h.chunk(2, -1): a is piece 0, b piece 1
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple) \
                    and len(node.targets[0].elts) == 2 and all(isinstance(t, ast.Name) for t in node.targets[0].elts):
                whole = self.whole(node.value)
                if whole is not None:
                    for index, element in enumerate(node.targets[0].elts):
                        if counts.get(element.id) == 1:
                            self.unpacked[element.id] = (index, whole)

    def cuts(self, tree: ast.AST) -> Iterator[EncoderCut]:
        """The two-piece cuts of an argument the code makes: a tuple assignment of one cut, or two assignments
        of one piece each (in one tuple assignment or two)."""
        singles: dict[str, list[_Piece]] = {}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Tuple) and len(target.elts) == 2 and all(isinstance(t, ast.Name)
                                                                                for t in target.elts):
                names = (target.elts[0].id, target.elts[1].id)
                whole = self.whole(value)
                if whole is not None:
                    yield EncoderCut(whole.argument, names, whole.join, whole.axis, whole.text, whole.size)
                elif isinstance(value, ast.Tuple) and len(value.elts) == 2:
                    for name, element in zip(names, value.elts):
                        self._add(singles, name, element)
            elif isinstance(target, ast.Name):
                self._add(singles, target.id, value)
        for pieces in singles.values():
            yield from _paired(pieces)

    def _add(self, singles: dict[str, list[_Piece]], name: str, value: ast.AST) -> None:
        piece = self.piece(value, name)
        if piece is not None:
            singles.setdefault(piece.argument, []).append(piece)

    def whole(self, value: ast.AST) -> _Whole | None:
        """``h.chunk(2, -1)``, ``torch.split(h, d, 1)``, ``h.unbind(1)``, or ``h`` itself (unpacked along axis
        0); None for anything else, and for a split whose piece size cannot be read."""
        if isinstance(value, ast.Name) and value.id in self.arguments:
            return _Whole(value.id, "stacked", 0, f"unpacking {value.id}", None)
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr in _JOIN_CALLS):
            return None
        args, owner = list(value.args), value.func.value
        if isinstance(owner, ast.Name) and owner.id in self.arguments:
            argument = owner.id
        elif args and isinstance(args[0], ast.Name) and args[0].id in self.arguments:
            argument, args = args[0].id, args[1:]
        else:
            return None
        join = _JOIN_CALLS[value.func.attr]
        positional_axis = 1 if join == "concatenated" else 0
        axis_node = _keyword(value, ("dim", "axis")) or (args[positional_axis] if len(args) > positional_axis
                                                         else None)
        axis = 0 if axis_node is None else self.integer(axis_node)
        if axis is None:
            return None
        if join == "stacked":
            return _Whole(argument, join, axis, ast.unparse(value), None)
        count = args[0] if args else _keyword(value, _COUNT_WORDS)
        if count is None:
            return None
        counts_pieces = value.func.attr != "split" or (isinstance(owner, ast.Name) and owner.id in _COUNTING_MODULES)
        if counts_pieces:
            return _Whole(argument, join, axis, ast.unparse(value), None) if self.integer(count) == 2 else None
        listed = isinstance(count, (ast.List, ast.Tuple))
        size = self.sizes(count, argument) if listed else self.size(count, argument)
        return None if size is None else _Whole(argument, join, axis, ast.unparse(value),
                                                None if size == _HALF else size)

    def piece(self, value: ast.AST, name: str) -> _Piece | None:
        """One piece: ``h[:, :d]`` / ``h[:, d:]``, ``h[:, 0]`` / ``h[:, 1]``, ``h[0]``, ``h.narrow(1, 0, d)`` /
        ``h.narrow(1, d, d)``, ``h.chunk(2, 1)[0]``."""
        text = ast.unparse(value)
        if isinstance(value, ast.Name) and value.id in self.unpacked:  # a, b = h.chunk(2, -1); mu, logvar = b, a
            index, whole = self.unpacked[value.id]
            return _Piece(index, name, whole.argument, whole.axis, whole.join, f"{whole.text} unpacked as {value.id}",
                          whole.size)
        if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) \
                and value.value.id not in self.arguments and value.value.id in self.assigned:
            whole, index = self.whole(self.assigned[value.value.id]), self.integer(value.slice)  # parts[1]
            if whole is None or index not in (0, 1):
                return None
            return _Piece(index, name, whole.argument, whole.axis, whole.join,
                          f"{value.value.id} = {whole.text}; {text}", whole.size)
        if isinstance(value, ast.Subscript) and not isinstance(value.value, ast.Name):
            whole, index = self.whole(value.value), self.integer(value.slice)
            if whole is None or index not in (0, 1):
                return None
            return _Piece(index, name, whole.argument, whole.axis, whole.join, text, whole.size)
        if isinstance(value, ast.Subscript) and value.value.id in self.arguments:
            return self._subscript_piece(value, value.value.id, name)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "narrow" \
                and isinstance(value.func.value, ast.Name) and value.func.value.id in self.arguments \
                and len(value.args) == 3:
            argument = value.func.value.id
            axis, start = self.integer(value.args[0]), self.size(value.args[1], argument, zero=True)
            length = self.size(value.args[2], argument)
            if axis is None or start is None or length is None or start not in (0, length):
                return None
            return _Piece(0 if start == 0 else 1, name, argument, axis, "concatenated", text,
                          None if length == _HALF else length)
        return None

    def _subscript_piece(self, node: ast.Subscript, argument: str, name: str) -> _Piece | None:
        parts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        cut = [(axis, part) for axis, part in enumerate(parts) if not _whole_axis(part)]
        if len(cut) != 1:
            return None
        axis, part = cut[0]
        if any(isinstance(p, ast.Constant) and p.value is Ellipsis for p in parts[:axis]):
            if axis != len(parts) - 1:
                return None
            axis = -1
        text = ast.unparse(node)
        if isinstance(part, ast.Slice) and part.step is None and (part.lower is None) != (part.upper is None):
            bound = part.upper if part.lower is None else part.lower
            if isinstance(bound, ast.UnaryOp) and isinstance(bound.op, ast.USub):
                bound = bound.operand  # h[:, :-d] / h[:, -d:] of a (B, 2d) output: the first / the last d
            size = self.size(bound, argument)
            if size is None:
                return None
            return _Piece(0 if part.lower is None else 1, name, argument, axis, "concatenated", text,
                          None if size == _HALF else size)
        index = self.integer(part)
        return _Piece(index, name, argument, axis, "stacked", text, None) if index in (0, 1) else None

    def size(self, node: ast.AST, argument: str, zero: bool = False, depth: int = 0) -> int | str | None:
        """A piece size: ``_HALF`` for half the argument's axis (``h.size(1) // 2``, ``h.shape[-1] // 2``), a
        number (a literal, a module constant, ``self.latent_dim`` of the instance), either through a local
        name assigned once (``d = h.size(1) // 2``), or None when unknown."""
        if isinstance(node, ast.Name) and node.id in self.assigned and node.id not in self.names and depth < 4:
            return self.size(self.assigned[node.id], argument, zero, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv) and self.integer(node.right) == 2 \
                and _reads_size_of(node.left, argument):
            return _HALF
        number = self.integer(node)
        if number is None and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "self" and self.owner is not None:
            found = getattr(self.owner, node.attr, None)
            number = found if type(found) is int else None
        return number if number is not None and (number > 0 or zero and number == 0) else None

    def sizes(self, node: ast.List | ast.Tuple, argument: str) -> int | str | None:
        """The size of two equal pieces a list of sizes names (``h.split([d, d], dim=1)``), or None."""
        if len(node.elts) != 2:
            return None
        first, second = (self.size(element, argument) for element in node.elts)
        return first if first is not None and first == second else None

    def integer(self, node: ast.AST) -> int | None:
        """An integer literal, a negated one, or a module constant; None for anything else."""
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.integer(node.operand)
            return None if inner is None else -inner
        if isinstance(node, ast.Name) and type(self.names.get(node.id)) is int:
            return self.names[node.id]
        return None


@dataclass(frozen=True)
class _Whole:
    argument: str
    join: str
    axis: int
    text: str
    size: int | None


@dataclass(frozen=True)
class _Piece:
    position: int  # 0: the first piece along the axis, 1: the second
    name: str
    argument: str
    axis: int
    join: str
    text: str
    size: int | None


def _paired(pieces: list[_Piece]) -> Iterator[EncoderCut]:
    """Two single pieces of one argument along one axis: the first (position 0) and the second (1)."""
    for first in (p for p in pieces if p.position == 0):
        for second in (p for p in pieces if p.position == 1 and p.name != first.name):
            if (second.axis, second.join, second.size) == (first.axis, first.join, first.size):
                yield EncoderCut(first.argument, (first.name, second.name), first.join, first.axis,
                                 f"{first.text} and {second.text}", first.size)


def _reads_size_of(node: ast.AST, argument: str) -> bool:
    """``h.size(1)``, ``h.size(-1)``, ``h.shape[1]``, ``h.shape[-1]``: the latent axis of a (B, 2d) argument."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size" \
            and len(node.args) == 1:
        owner, axis = node.func.value, node.args[0]
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        owner, axis = node.value.value, node.slice
    else:
        return False
    latent_axis = isinstance(axis, ast.Constant) and axis.value == 1 or (
        isinstance(axis, ast.UnaryOp) and isinstance(axis.op, ast.USub) and isinstance(axis.operand, ast.Constant)
        and axis.operand.value == 1)
    return isinstance(owner, ast.Name) and owner.id == argument and latent_axis


def _whole_axis(part: ast.AST) -> bool:
    """``:`` or ``...``: an axis the subscript keeps whole."""
    if isinstance(part, ast.Slice):
        return part.lower is None and part.upper is None and part.step is None
    return isinstance(part, ast.Constant) and part.value is Ellipsis


def _keyword(call: ast.Call, words: tuple[str, ...]) -> ast.AST | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg in words), None)


_TENSOR_MODULES = ("torch", "np", "numpy", "jnp", "jax", "tf", "F")
# an argument that is the model (``model.encode(x)``): what it returns is the network's output, not a cut of it
_MODEL_NAME = re.compile(r"^(?:model|net|network|encoder|decoder|vae|module|enc|dec|\w+_(?:model|net|encoder))$")


def unread_cut(function: Callable, overrides: Mapping[str, str] | None = None) -> str | None:
    """Why a function that cuts an argument into a mean and a scale is not checked, when its cut is not one
    :func:`encoder_output_cut` reads (``h.flip(-1).chunk(2, -1)``, ``h[:, ::2]``, ``torch.split(h, d, 1)[::-1]``,
    ``h`` rebuilt before the cut); None when it reads the cut or the function cuts no argument so. A name with
    a mean's role and one with a scale's role (``mu``, ``logvar``, ``std``) are assigned from expressions built
    from the argument by indexing, its methods and the tensor modules' functions only (not ``model.encode(x)``)."""
    if encoder_output_cut(function, overrides) is not None:
        return None
    overrides = overrides or {}
    named = roles_from_names(function)
    candidates = {p.name for p in parameters(function) if p.name not in overrides and not _MODEL_NAME.match(p.name)
                  and p.default is inspect.Parameter.empty and named.get(p.name) not in ("mu", *SCALE_ROLES)}
    tree = syntax_tree(function) if candidates else None
    if tree is None:
        return None
    taken = {p.name for p in parameters(function)}
    helpers = _local_helpers(function, tree)
    for argument in sorted(candidates):
        derived = {argument}
        found: dict[str, str] = {}
        for _ in range(3):  # a name assigned from another derived one later in the walk
            for value, target in _bindings(tree):
                if not _derived_from(value, derived, helpers):
                    continue
                for name in _bound_names(target):
                    derived.add(name)
                    role = role_from_name(name)
                    if name not in taken and (role == "mu" or role in SCALE_ROLES):
                        found.setdefault("mu" if role == "mu" else "scale", name)
        if set(found) == {"mu", "scale"}:
            return (f"it cuts its argument {argument!r} into {found['mu']} and {found['scale']} in a way mathcheck "
                    f"does not read (only h.chunk(2, dim), torch.split(h, d, dim), h.unbind(dim), h[:, :d] / "
                    f"h[:, d:] and the like, with no reordering, are read), so it was not checked; name it as a "
                    f"target and pass its pieces, or rewrite the cut as mu, logvar = {argument}.chunk(2, dim=-1)")
    return None


def _bindings(tree: ast.AST):
    """(value, target) for each way the function binds names: ``=``, an annotated ``x: T = ...``, a walrus, a
    ``for`` loop or a comprehension over values (the iterable, its elements bound), ``with ... as``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            yield from ((node.value, target) for target in node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            yield node.value, node.target
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            yield node.iter, node.target
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            yield node.context_expr, node.optional_vars
        elif isinstance(node, ast.Match):
            yield from ((node.subject, case.pattern) for case in node.cases)


def _bound_names(target: ast.AST) -> list[str]:
    """The names a binding target binds: ``mu, logvar``, ``case (mu, logvar)``, ``case [mu, *rest]``."""
    return [n.id if isinstance(n, ast.Name) else n.name for n in ast.walk(target)
            if isinstance(n, ast.Name) or isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name]


# the builtins that pass their argument's pieces on: reversed(h.chunk(2, -1)), list(...), map(f, ...), zip(...)
_PASSING_BUILTINS = frozenset("reversed list tuple iter next sorted map zip enumerate filter getattr".split())
_PASSING_MODULES = ("functools", "operator", "itertools")  # partial(torch.chunk, h, 2), itemgetter(1, 0)(...)


def _local_helpers(function: Callable, tree: ast.AST) -> dict[str, ast.AST | None]:
    """The functions the file itself writes, by name (a module-level def; a def or lambda inside ``function``,
    with its node): a call of one on the argument, or of a local one that uses the argument (a default, a
    closure), builds from the argument, as its body is the file's own."""
    local: dict[str, ast.AST | None] = {}
    module = inspect.getmodule(plain_function(function))  # (a method's stand-in: the method's own module)
    for name, value in vars(module).items() if module is not None else ():
        if inspect.isfunction(value) and value.__module__ == getattr(module, "__name__", None):
            local[name] = None
    local.update(_cutting_methods(function))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local[node.name] = node
            positional = [*node.args.posonlyargs, *node.args.args]
            defaults = zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults)
            local.update({arg.arg: default for arg, default in defaults if isinstance(default, ast.Lambda)})
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            local.update({target.id: node.value for target in node.targets if isinstance(target, ast.Name)})
    return local


def _cutting_methods(function: Callable) -> dict[str, None]:
    """``self.<name>`` for each method of ``function``'s own class that returns something built from its
    arguments alone (``def _split(self, t): return t.flip(-1).chunk(2, -1)``): a call of it on the argument cuts
    it. A method that runs layers (``self.fc(h)``) builds from the model, not the argument alone, and is not one."""
    qualified = getattr(plain_function(function), "__qualname__", "").split(".")
    module = inspect.getmodule(plain_function(function))
    owner = getattr(module, qualified[0], None) if len(qualified) == 2 else None
    found: dict[str, None] = {}
    for name, method in vars(owner).items() if inspect.isclass(owner) else ():
        if not inspect.isfunction(method) or method is plain_function(function):
            continue
        tree = syntax_tree(method)
        arguments = {p.name for p in parameters(method)} - {"self", "cls"}
        if tree is not None and arguments and any(isinstance(n, ast.Return) and n.value is not None and
                                                  _derived_from(n.value, arguments) for n in ast.walk(tree)):
            found[f"self.{name}"] = None
    return found


def _uses(node: ast.AST | None, derived: set[str]) -> bool:
    """Whether a local function's node mentions a derived name (in a default or its body)."""
    return node is not None and any(isinstance(n, ast.Name) and n.id in derived for n in ast.walk(node))


def _derived_from(node: ast.AST, derived: set[str], helpers: Mapping | None = None) -> bool:
    """An expression made from a derived name by indexing, its attributes and methods, arithmetic, tuples/lists,
    comprehensions, the tensor modules' functions, the builtins and functools/operator helpers that pass values
    on, a lambda called at once and the file's own helper functions."""
    helpers = helpers or {}

    def from_(child: ast.AST) -> bool:
        return _derived_from(child, derived, helpers)
    if isinstance(node, ast.Name):
        return node.id in derived
    if isinstance(node, (ast.Subscript, ast.Starred, ast.Attribute)):
        return from_(node.value)
    if isinstance(node, ast.UnaryOp):
        return from_(node.operand)
    if isinstance(node, ast.BinOp):
        return from_(node.left) or from_(node.right)
    if isinstance(node, ast.Lambda):
        return from_(node.body) or any(from_(default) for default in node.args.defaults)
    if isinstance(node, ast.Call) and not isinstance(node.func, (ast.Name, ast.Attribute)):
        return from_(node.func) or any(from_(arg) for arg in [*node.args, *(k.value for k in node.keywords)])
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and any(from_(element) for element in node.elts)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        return from_(node.elt) or any(from_(generator.iter) for generator in node.generators)
    if isinstance(node, ast.IfExp):
        return from_(node.body) or from_(node.orelse)
    arguments = [*node.args, *(k.value for k in node.keywords)] if isinstance(node, ast.Call) else []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in helpers and _uses(helpers[name], derived):
            return True  # split = lambda t=h.flip(-1): ...; split()
        return (name in _PASSING_BUILTINS or name in helpers) and any(from_(arg) for arg in arguments)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if from_(node.func.value):
            return True
        if isinstance(node.func.value, ast.Name) and f"{node.func.value.id}.{node.func.attr}" in helpers:
            return any(from_(arg) for arg in arguments)  # self._split(h), a method that cuts its argument
        root = node.func.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in (*_TENSOR_MODULES, *_PASSING_MODULES):
            return any(from_(arg) for arg in arguments)
    return False


__all__ = ["EncoderCut", "cut_layout", "encoder_output_cut", "unread_cut", "with_encoder_output_cut",
           "join_pieces"]
