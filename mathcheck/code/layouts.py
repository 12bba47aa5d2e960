"""A loss found on one data layout, read again on the other layouts its code allows.

``.sum(dim=1)`` is the sum over the data dims only when the data is flat: on (B, 1, 28, 28) batches, the
layout MNIST loaders give, it sums the channel alone and a later ``.mean()`` averages the pixels, a per-pixel
mean beside a summed KL. ``.sum(dim=(2, 3))`` is right on one-channel images (B, 1, H, W) and forgets the
channel of RGB ones (B, 3, H, W). So a loss is analysed on every layout among flat (B, D), (B, H, W),
(B, 1, H, W) and (B, 3, H, W) that its code is consistent with and that it accepts (unless ``--shape`` said
the layout). A reduction over several fixed dims says how many data axes the code is written for:
``dim=(1, 2)`` or ``(-2, -1)`` → (B, H, W), ``dim=(1, 2, 3)`` or ``(2, 3)`` → (B, C, H, W) with the channel
count free (1 and 3 are tried); a code with no such reduction is read on flat data and on both image layouts.

The verdict is that of the layouts the code implies: a bug only when it is wrong on every one of them;
when it is right on some and wrong on others (or on a layout it accepts without implying it), it is the right
one's verdict under the condition "the data is ..." that names where it holds, with a note per finding that
names the shapes, says what the code computes on the other layout, and how to state the layout.
"""
from __future__ import annotations

import ast
import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from mathcheck.code.calls import Caller, first_line
from mathcheck.code.loss import Outcome, add_condition, analyse_loss_or_kl, shape_text, variant_shapes
from mathcheck.code.report import Finding, Shape
from mathcheck.code.source import plain_function, syntax_tree

# H, W of the image batch when the flat size is no square: larger than every batch and latent size tried
# (B ≤ 8, d ≤ 7), so that no image axis broadcasts against the batch or the latent dims by accident
IMAGE_SIDES = (9, 10)
FLAT_CONDITION = "the data is flat (B, D)"
RGB = 3  # the channel count of colour images; batch and latent sizes avoid it on (B, 3, H, W)
_REDUCTIONS = {"sum", "mean", "nansum", "nanmean", "logsumexp", "amax", "amin", "max", "min", "prod", "std", "var",
               "norm", "reduce_sum", "reduce_mean", "count_nonzero"}
_MODULES = {"torch", "np", "numpy", "jnp", "tf", "F"}


@dataclass(frozen=True)
class Layout:
    name: str  # the key in identified["layouts checked"]
    pattern: str  # how the condition and the notes write it
    shape: Shape


def image_shape(flat: Shape) -> Shape | None:
    """(B, 1, H, W) holding as many pixels as the flat shape when that is a square of side ≥ 9 (784 → 28×28),
    else (B, 1, 9, 10); None for data that is not flat."""
    if len(flat.data) != 1:
        return None
    return Shape(flat.batch, (1, *_sides(flat)), flat.latent)


def _sides(shape: Shape) -> tuple[int, int]:
    """The image sides a shape's data implies: its last two axes, or the square of its pixels (side ≥ 9)."""
    if len(shape.data) >= 2 and min(shape.data[-2:]) >= IMAGE_SIDES[0]:
        return shape.data[-2], shape.data[-1]
    side = math.isqrt(shape.pixels)
    return (side, side) if side * side == shape.pixels and side >= IMAGE_SIDES[0] else IMAGE_SIDES


def implied_data_axes(function: Callable) -> set[int]:
    """How many data axes per example the code's reductions over several fixed dims imply (see the module
    docstring): {2} for ``.sum(dim=(1, 2))``, {3} for ``.sum(dim=(1, 2, 3))``; empty when none says."""
    axes: set[int] = set()
    for tree in _syntax_trees(function):
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            dims = _reduced_dims(call)
            if dims is None or len(dims) < 2:
                continue
            if all(dim >= 1 for dim in dims):
                axes.add(max(dims))
            elif all(dim < 0 for dim in dims):
                axes.add(-min(dims))
    return axes


def _syntax_trees(function: Callable) -> Iterator[ast.AST]:
    """The function's syntax tree and those of the plain functions of its module it calls by name."""
    seen: set[int] = set()
    pending = [plain_function(function)]
    while pending:
        current = pending.pop()
        if id(current) in seen or len(seen) > 8:
            continue
        seen.add(id(current))
        tree = syntax_tree(current)
        if tree is None:
            continue
        yield tree
        names = getattr(current, "__globals__", {})
        pending += [names[node.func.id] for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) and inspect.isfunction(names.get(node.func.id))]


def _reduced_dims(call: ast.Call) -> tuple[int, ...] | None:
    """The fixed dims a reduction call names (``dim=(1, 2)``, ``x.sum((1, 2))``, ``torch.sum(x, [1, 2])``)."""
    for keyword in call.keywords:
        if keyword.arg in ("dim", "axis"):
            return _int_tuple(keyword.value)
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _REDUCTIONS):
        return None
    on_module = isinstance(func.value, ast.Name) and func.value.id in _MODULES
    position = 1 if on_module else 0
    return _int_tuple(call.args[position]) if len(call.args) > position else None


def _int_tuple(node: ast.AST) -> tuple[int, ...] | None:
    if not isinstance(node, (ast.Tuple, ast.List)):
        return None
    values = [_int_of(item) for item in node.elts]
    return None if any(value is None for value in values) else tuple(values)


def _int_of(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_of(node.operand)
        return None if inner is None else -inner
    return None


def candidate_layouts(found: Shape, implied: set[int]) -> list[Layout]:
    """The layouts to read the loss on: the one it was found on first, then the others its code allows."""
    height, width = _sides(found)
    batch, latent = _avoiding_channels(found)
    layouts = [Layout("flat", "flat (B, D)", Shape(found.batch, (found.pixels,), found.latent)),
               Layout("2-D images", "(B, H, W)", Shape(found.batch, (height, width), found.latent)),
               Layout("images", "(B, 1, H, W)", Shape(found.batch, (1, height, width), found.latent)),
               Layout("3-channel images", "(B, 3, H, W)", Shape(batch, (RGB, height, width), latent))]
    own = next((layout for layout in layouts if len(layout.shape.data) == len(found.data)
                and (len(found.data) < 3 or layout.shape.data[0] == found.data[0])), None)
    own = Layout(own.name, own.pattern, found) if own else Layout("found", _pattern(found), found)
    wanted = implied or {1, 3}
    others = [layout for layout in layouts if layout.name != own.name and len(layout.shape.data) in wanted]
    return [own, *others]


def _pattern(shape: Shape) -> str:
    return "(B, " + ", ".join(str(size) for size in shape.data) + ")"


def _avoiding_channels(shape: Shape) -> tuple[int, int]:
    """Batch and latent sizes other than the channel count, so that no axis broadcasts against it."""
    batch = next(b for b in (shape.batch, 4, 5, 6) if b != RGB)
    latent = next(d for d in (shape.latent, 2, 4, 5) if d not in (RGB, batch, RGB + 1, batch - 1))
    return batch, latent


def with_layouts(found_outcome: Outcome, caller: Caller, found: Shape, **analysis: Any) -> Outcome:
    """The verdict over the layouts the code allows (see the module docstring); ``found_outcome`` unchanged
    when there is only one or they all read alike. ``analysis``: the keyword arguments of
    :func:`analyse_loss_or_kl` other than the shapes."""
    if found_outcome.reason:
        return found_outcome
    implied = implied_data_axes(caller.function)
    consistent_found = not implied or len(found.data) in implied
    if consistent_found and _has_bug(found_outcome):
        return found_outcome  # wrong where it was written for: the other layouts add nothing
    layouts = candidate_layouts(found, implied)
    checked = {layouts[0].name: shape_text(found)}
    read = [(layouts[0], found_outcome)]
    for layout in layouts[1:]:
        outcome = _read_on(layout, caller, analysis, checked)
        if outcome is not None:
            read.append((layout, outcome))
    if len(read) == 1:
        if len(checked) > 1:
            found_outcome.identified["layouts checked"] = checked
        return found_outcome
    return _verdict_over_layouts(read, implied, checked)


def _read_on(layout: Layout, caller: Caller, analysis: dict, checked: dict) -> Outcome | None:
    shape = layout.shape
    try:
        outcome = analyse_loss_or_kl(caller, shapes=_shapes_of(layout), **analysis)
    except Exception as error:  # the user's code does not take this layout
        checked[layout.name] = f"{shape_text(shape)}: not accepted, {first_line(error)}"
        return None
    if outcome.reason:
        checked[layout.name] = f"{shape_text(shape)}: not read, {outcome.reason}"
        return None
    checked[layout.name] = shape_text(shape)
    return outcome


def _shapes_of(layout: Layout) -> list[Shape]:
    """The probe shapes of a layout; on colour images one more changes the channel count, so that a channel
    axis left out of a sum or averaged shows as a weight that depends on the data size."""
    shape = layout.shape
    if layout.name != "3-channel images":
        return variant_shapes(shape, with_data=True)
    shapes = variant_shapes(shape, with_data=True, avoid={RGB})
    sizes = {size for probe in shapes for size in (probe.batch, probe.latent)}
    channels = next(c for c in (5, 7, 9, 11) if c not in sizes)
    return [*shapes, Shape(shape.batch, (channels, *shape.data[1:]), shape.latent)]


def _verdict_over_layouts(read: list[tuple[Layout, Outcome]], implied: set[int], checked: dict) -> Outcome:
    consistent = [(layout, outcome) for layout, outcome in read if not implied or len(layout.shape.data) in implied]
    primary = consistent or read[:1]
    right = [(layout, outcome) for layout, outcome in primary if not _has_bug(outcome)]
    reference_layout, reference = (right or primary)[0]
    reference.identified["layouts checked"] = checked
    if not right:
        return reference  # wrong on every layout the code is written for
    known = {(finding.code, finding.severity) for finding in reference.findings}
    holds = [layout for layout, _ in right]
    others: dict[str, dict] = {}
    notes = []
    for layout, outcome in read:
        if layout in holds:
            continue
        shown = ("bug",) if _has_bug(outcome) else ("bug", "convention")  # a bug's conventions are noise
        changed = [finding for finding in outcome.findings
                   if finding.severity in shown and (finding.code, finding.severity) not in known]
        if changed:
            others[layout.name] = outcome.identified
            notes += [_on_layout(finding, reference_layout, layout) for finding in changed]
            known |= {(finding.code, finding.severity) for finding in changed}
    if notes:
        add_condition(reference.identified, _condition(holds))
        reference.identified["on other layouts"] = others
        if "images" in others:
            reference.identified["on image batches"] = others["images"]
        reference.findings.extend(notes)
    return reference


def _has_bug(outcome: Outcome) -> bool:
    return any(finding.severity == "bug" for finding in outcome.findings)


def _condition(holds: list[Layout]) -> str:
    if [layout.name for layout in holds] == ["flat"]:
        return FLAT_CONDITION
    return "the data is " + " or ".join(layout.pattern for layout in holds)


def _on_layout(finding: Finding, right: Layout, wrong: Layout) -> Finding:
    shown = "×".join(str(size) for size in (wrong.shape.batch, *wrong.shape.data))
    right_shown = "×".join(str(size) for size in (right.shape.batch, *right.shape.data))
    where = (f"on image batches (B, C, H, W) = ({shown})" if len(wrong.shape.data) == 3
             else f"on {wrong.pattern} batches ({shown})")
    option = _shape_option(right.shape)
    channel = (" and the channel axis is not reduced like the pixels" if wrong.name == "3-channel images"
               and right.name == "images" else "")
    message = (f"{where} it is a {finding.severity}: {finding.message}. On {right.pattern} data ({right_shown}) it "
               f"is not: the reduction depends on the layout (a reduction over fixed dims covers every data dim "
               f"only for the layout it was written for){channel}. Flatten the data in the loss "
               f"(x.view(x.size(0), -1)) or sum over every data dim; if the data is always {right.pattern}, say so "
               f"with --shape {option} (shape=({option.replace(',', ', ')}))")
    evidence = {**finding.evidence, "severity_on_layout": finding.severity, "layout": wrong.pattern,
                "layout_shape": shape_text(wrong.shape), "correct_on": right.pattern,
                "correct_shape": shape_text(right.shape)}
    if len(wrong.shape.data) == 3:
        evidence.update(severity_on_images=finding.severity, image_shape=shape_text(wrong.shape))
    if right.name == "flat":
        evidence["flat_shape"] = shape_text(right.shape)
    return Finding(finding.code, "note", message, evidence)


def _shape_option(shape: Shape) -> str:
    return ",".join(str(size) for size in (shape.batch, *shape.data, shape.latent))


def with_image_layout(flat_outcome: Outcome, caller: Caller, flat: Shape, **analysis: Any) -> Outcome:
    """The former name of :func:`with_layouts`."""
    return with_layouts(flat_outcome, caller, flat, **analysis)


__all__ = ["image_shape", "implied_data_axes", "candidate_layouts", "with_layouts", "with_image_layout",
           "FLAT_CONDITION"]
