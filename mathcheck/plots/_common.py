"""What every figure needs: a headless Agg figure, checked ranges, and saving by extension."""
from __future__ import annotations

import math
from pathlib import Path

FORMATS = ("png", "svg", "pdf")


class PlotError(ValueError):
    """A bad request (range, resolution, name, path): reported as one line by the CLI."""


def new_figure(width: float, height: float):
    """A Figure on its own Agg canvas: no pyplot, so no global state shared between figures."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def checked_range(name: str, bounds, *, lowest: float = -math.inf, strict: bool = True) -> tuple[float, float]:
    """(lo, hi) as floats with lo < hi, both finite; lo > lowest (or >= lowest when strict is False)."""
    try:
        lo, hi = (float(value) for value in bounds)
    except (TypeError, ValueError):
        raise PlotError(f"{name} must be two numbers, got {bounds!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise PlotError(f"{name} must be finite, got [{lo:g}, {hi:g}]")
    if not lo < hi:
        raise PlotError(f"{name} [{lo:g}, {hi:g}] is empty: the first bound must be below the second")
    if lo < lowest or (strict and lo == lowest):
        relation = ">" if strict else ">="
        raise PlotError(f"{name} [{lo:g}, {hi:g}] must lie where {name.split()[0]} {relation} {lowest:g}")
    return lo, hi


def checked_resolution(resolution: int, minimum: int = 3, maximum: int = 2001) -> int:
    if isinstance(resolution, bool) or int(resolution) != resolution or not minimum <= resolution <= maximum:
        raise PlotError(f"resolution must be an integer from {minimum} to {maximum}, got {resolution!r}")
    return int(resolution)


def require_finite(what: str, *arrays) -> None:
    """Refuse to draw a curve that has overflowed instead of silently leaving holes in it."""
    import numpy as np

    for array in arrays:
        if not np.all(np.isfinite(array)):
            raise PlotError(f"{what}: not finite over this range (overflow); choose a smaller range")


def output_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise PlotError(f"cannot tell the format of {str(path)!r}: the extension must be one of "
                        + ", ".join("." + name for name in FORMATS))
    return suffix


def save(figure, path: str | Path, dpi: int = 150) -> Path:
    """Write figure to path in the format its extension names (png, svg, pdf)."""
    path = Path(path)
    fmt = output_format(path)
    try:
        figure.savefig(path, format=fmt, dpi=dpi)
    except OSError as error:
        reason = error.strerror or str(error)
        raise PlotError(f"cannot write {str(path)!r}: {reason}") from None
    return path
