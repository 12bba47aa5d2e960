"""What every figure needs: a headless Agg figure, checked ranges, and saving by extension."""
from __future__ import annotations

import math
from pathlib import Path

FORMATS = ("png", "svg", "pdf")
# Largest |value| an axis can take: matplotlib's tick and margin arithmetic overflows float64 near 1e307.
DRAWABLE = 1e306
AXIS_TINY = 1e-280  # matplotlib's nonsingular() takes |values| below 1e21 * 2.2e-308 for zero
GRID_ULPS = 16  # grid steps at least this many float64 spacings: points distinct, rounded by < 1/32 step
LOG_DECADES = 305  # a log axis spanning decades [lo, hi] may tick down to lo - (hi - lo) and up to hi + (hi - lo)


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
    """(lo, hi) as floats with lo < hi, both finite, hi - lo finite; lo > lowest (or >= lowest when strict is False)."""
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
    if not math.isfinite(hi - lo):
        raise PlotError(f"{name} [{lo:g}, {hi:g}] is too wide: its width overflows float64")
    return lo, hi


def checked_resolution(resolution: int, minimum: int = 3, maximum: int = 2001) -> int:
    if isinstance(resolution, bool) or int(resolution) != resolution or not minimum <= resolution <= maximum:
        raise PlotError(f"resolution must be an integer from {minimum} to {maximum}, got {resolution!r}")
    return int(resolution)


def require_drawable(what: str, *arrays) -> None:
    """Refuse to draw a curve that has overflowed, or that no axis can hold, instead of leaving holes in it."""
    import numpy as np

    for array in arrays:
        if not np.all(np.isfinite(array)):
            raise PlotError(f"{what}: not finite over this range (overflow); choose a smaller range")
        largest = float(np.max(np.abs(array), initial=0.0))
        if largest > DRAWABLE:
            raise PlotError(f"{what} reaches {largest:.3g} over this range, beyond the {DRAWABLE:g} an axis can "
                            "draw; choose a smaller range")


def require_axis_grid(name: str, lo: float, hi: float, points: int, log: bool = False, hint: str = "") -> None:
    """[lo, hi] must carry a grid of `points` values (evenly or, with log, geometrically spaced) that float64
    tells apart; a linear axis must also not lie so close to 0 that matplotlib collapses it to [-0.05, 0.05]."""
    import numpy as np

    size = max(abs(lo), abs(hi))
    if not log and size < AXIS_TINY:
        raise PlotError(f"{name} [{lo:g}, {hi:g}] is too close to 0 for a linear axis (matplotlib draws every "
                        f"|value| below {AXIS_TINY:g} as 0){hint}")
    relative_step = (math.log(hi) - math.log(lo) if log else (hi - lo) / size) / (points - 1)
    if relative_step < GRID_ULPS * np.finfo(np.float64).eps:
        raise PlotError(f"{name} [{lo:.17g}, {hi:.17g}] is too narrow for {points} grid points that float64 "
                        "tells apart; widen it or lower --resolution")


def require_log_drawable(what: str, *arrays) -> None:
    """Refuse values that a log axis cannot tick: matplotlib may place ticks as many decades beyond the data as
    the data span, and those ticks must stay inside float64 (checked empirically up to 10^+-305)."""
    import numpy as np

    values = np.concatenate([np.ravel(array) for array in arrays])
    values = values[values > 0]
    if values.size == 0:
        raise PlotError(f"{what}: nothing positive to draw on a log axis")
    low, high = float(np.log10(values.min())), float(np.log10(values.max()))
    span = high - low
    if high + span > LOG_DECADES or low - span < -LOG_DECADES:
        raise PlotError(f"{what} runs from {values.min():.3g} to {values.max():.3g}: a log axis there would need "
                        f"ticks beyond 1e±{LOG_DECADES} (matplotlib ticks as many decades beyond the data as it "
                        "spans); choose a narrower range nearer 1")


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
