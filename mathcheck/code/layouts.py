"""A loss found on flat data (B, D), read again on one-channel image batches (B, 1, H, W).

``.sum(dim=1)`` is the sum over the data dims only when the data is flat: on (B, 1, 28, 28) batches, the
layout MNIST loaders give, it sums the channel alone and a later ``.mean()`` averages the pixels, a per-pixel
mean beside a summed KL. So a loss that is right on flat data and also accepts image batches is analysed on
them too (unless ``--shape`` said the layout). When the images show a bug or a convention that flat data
does not, the verdict stays the flat one under the condition "the data is flat (B, D)", with a note per
finding that names the shapes, says what the code computes on images, and how to state the layout.
"""
from __future__ import annotations

import math
from typing import Any

from mathcheck.code.calls import Caller, first_line
from mathcheck.code.loss import Outcome, add_condition, analyse_loss_or_kl, shape_text, variant_shapes
from mathcheck.code.report import Finding, Shape

# H, W of the image batch when the flat size is no square: larger than every batch and latent size tried
# (B ≤ 8, d ≤ 7), so that no image axis broadcasts against the batch or the latent dims by accident
IMAGE_SIDES = (9, 10)
FLAT_CONDITION = "the data is flat (B, D)"


def image_shape(flat: Shape) -> Shape | None:
    """(B, 1, H, W) holding as many pixels as the flat shape when that is a square of side ≥ 9 (784 → 28×28),
    else (B, 1, 9, 10); None for data that is not flat."""
    if len(flat.data) != 1:
        return None
    side = math.isqrt(flat.pixels)
    sides = (side, side) if side * side == flat.pixels and side >= IMAGE_SIDES[0] else IMAGE_SIDES
    return Shape(flat.batch, (1, *sides), flat.latent)


def with_image_layout(flat_outcome: Outcome, caller: Caller, flat: Shape, **analysis: Any) -> Outcome:
    """``flat_outcome`` with what the image layout adds (see the module docstring); unchanged when the
    function does not take image batches or reads the same on them. ``analysis``: the keyword arguments of
    :func:`analyse_loss_or_kl` other than the shapes."""
    images = image_shape(flat)
    if images is None or flat_outcome.reason or any(f.severity == "bug" for f in flat_outcome.findings):
        return flat_outcome
    layouts = flat_outcome.identified["layouts checked"] = {"flat": shape_text(flat)}
    try:
        on_images = analyse_loss_or_kl(caller, shapes=variant_shapes(images, with_data=True), **analysis)
    except Exception as error:  # the user's code does not take image batches: flat data is what it is written for
        layouts["images"] = f"{shape_text(images)}: not accepted, {first_line(error)}"
        return flat_outcome
    layouts["images"] = shape_text(images)
    if on_images.reason:
        return flat_outcome
    known = {(finding.code, finding.severity) for finding in flat_outcome.findings}
    changed = [finding for finding in on_images.findings
               if finding.severity != "note" and (finding.code, finding.severity) not in known]
    if changed:
        add_condition(flat_outcome.identified, FLAT_CONDITION)
        flat_outcome.identified["on image batches"] = on_images.identified
        flat_outcome.findings.extend(_on_images(finding, flat, images) for finding in changed)
    return flat_outcome


def _on_images(finding: Finding, flat: Shape, images: Shape) -> Finding:
    layout = "×".join(str(size) for size in (images.batch, *images.data))
    message = (f"on image batches (B, C, H, W) = ({layout}) it is a {finding.severity}: {finding.message}. On flat "
               f"data ({flat.batch}×{flat.pixels}) it is not: the reduction depends on the layout (a reduction over dim 1 "
               f"or the last axis covers every data dim only when the data is flat). Flatten the data in the loss "
               f"(x.view(x.size(0), -1)) or sum over every data dim; if the data is always flat, say so with "
               f"--shape B,D,d (shape=(B, D, d))")
    evidence = {**finding.evidence, "severity_on_images": finding.severity, "image_shape": shape_text(images),
                "flat_shape": shape_text(flat)}
    return Finding(finding.code, "note", message, evidence)


__all__ = ["image_shape", "with_image_layout", "FLAT_CONDITION"]
