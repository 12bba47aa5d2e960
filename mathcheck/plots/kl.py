"""KL(N(mu, sigma^2) || N(0, 1)) as a surface, and the article's non-negativity curve (lines 33-34)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from mathcheck.gaussian import half_excess, kl_normal_std
from mathcheck.plots._common import (PlotError, checked_range, checked_resolution, new_figure, require_drawable,
                                     require_axis_grid, require_log_drawable)

# Contour levels spaced for a bowl whose floor is flat near (0, 1) and whose walls grow like mu^2 and -log sigma.
KL_LEVELS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200, 300, 500, 800)


def kl_grid(mu_range=(-3.0, 3.0), sigma_range=(0.1, 3.0), resolution: int = 81, log_sigma: bool = False):
    """(mu, sigma, KL) on a resolution x resolution grid; KL[i, j] belongs to (mu[j], sigma[i])."""
    mu_lo, mu_hi = checked_range("mu range", mu_range)
    sigma_lo, sigma_hi = checked_range("sigma range", sigma_range, lowest=0.0)
    n = checked_resolution(resolution)
    require_axis_grid("mu range", mu_lo, mu_hi, n)
    require_axis_grid("sigma range", sigma_lo, sigma_hi, n, log=log_sigma, hint="; use --log-sigma")
    mu = np.linspace(mu_lo, mu_hi, n)
    sigma = np.geomspace(sigma_lo, sigma_hi, n) if log_sigma else np.linspace(sigma_lo, sigma_hi, n)
    try:
        kl = np.asarray(kl_normal_std(mu[None, :], sigma[:, None]), dtype=float)
    except ValueError as error:  # the KL itself exceeds float64 somewhere in the range
        raise PlotError(f"{error}; choose a smaller range") from None
    require_drawable("KL(N(mu, sigma^2) || N(0, 1))", kl)
    if log_sigma:
        require_log_drawable("sigma", sigma)
    return mu, sigma, kl


def kl_minimum(mu_range, sigma_range):
    """Minimise the KL numerically inside the ranges (no answer assumed): returns (mu, sigma, KL)."""
    def objective(point):  # optimise over log sigma: the bowl is far better conditioned there
        return float(kl_normal_std(point[0], np.exp(point[1])))

    bounds = [tuple(mu_range), tuple(np.log(sigma_range))]
    start = [float(np.clip(0.5 * sum(b), *b)) for b in bounds]
    best = minimize(objective, start, bounds=bounds, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12})
    return float(best.x[0]), float(np.exp(best.x[1])), float(best.fun)


def kl_surface(mu_range=(-3.0, 3.0), sigma_range=(0.1, 3.0), resolution: int = 81, log_sigma: bool = False):
    """3-D surface and labelled contour map of KL(N(mu, sigma^2) || N(0, 1)), its minimum marked.

    One array of levels serves the filled bands, the contour lines, their labels and the colour-bar ticks. The
    3-D panel is the bowl up to the highest level of the KL that closes inside the grid (``surface_mesh``): no
    edge of the grid, least of all the wall as sigma -> 0, cuts across it.
    """
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm

    mu, sigma, kl = kl_grid(mu_range, sigma_range, resolution, log_sigma)
    resolved = minimum_resolved(kl)
    if resolved:
        best_mu, best_sigma, best_kl = kl_minimum((mu[0], mu[-1]), (sigma[0], sigma[-1]))
    levels = contour_levels(kl)
    texts = level_labels(levels)
    cmap = colormaps["viridis"]
    figure = new_figure(13, 5.4)
    title = r"$D_{KL}\left[\mathcal{N}(\mu,\sigma^2)\,\|\,\mathcal{N}(0,1)\right]"
    figure.suptitle(title + r" = \frac{1}{2}\left[\mu^2 + \sigma^2 - \log\sigma^2 - 1\right]$ (nats)")
    if resolved:
        # the KL is 0 exactly at (0, 1): where the grid holds that point, the minimiser's residue is not a value
        holds_zero = mu[0] <= 0.0 <= mu[-1] and sigma[0] <= 1.0 <= sigma[-1]
        best_label = (f"minimum found: KL = {'0' if holds_zero else _fixed(best_kl, np.ptp(kl))} at "
                      f"μ = {_fixed(best_mu, np.ptp(mu))}, σ = {_fixed(best_sigma, sigma[-1])}")
    else:  # marking a point would claim a location that float64 cannot tell
        best_label = (f"minimum not marked: near its lowest value {kl.min():.4g} the KL changes by less than "
                      "its float64 rounding over several grid cells")

    surface_axes = figure.add_subplot(1, 2, 1, projection="3d")
    mesh = surface_mesh(mu, sigma, kl, log_sigma)
    surface_axes.plot_surface(*mesh.grids, rstride=1, cstride=1, cmap=cmap, vmin=mesh.bottom, vmax=mesh.top,
                              linewidth=0, antialiased=False, alpha=0.9, gid="surface")
    if resolved:
        best_sigma_axis = np.log10(best_sigma) if log_sigma else best_sigma
        surface_axes.plot([best_mu], [best_sigma_axis], [best_kl], marker="*", color="red", markersize=14,
                          linestyle="none", zorder=10, gid="minimum")
    surface_axes.set_xlabel("mean μ")
    surface_axes.set_ylabel("log₁₀ σ" if log_sigma else "standard deviation σ")
    surface_axes.set_zlabel("KL (nats)")
    mu_mesh, sigma_mesh, _ = mesh.grids
    surface_axes.set_xlim(mu_mesh.min(), mu_mesh.max())
    surface_axes.set_ylim(sigma_mesh.min(), sigma_mesh.max())
    surface_axes.set_zlim(min(mesh.bottom, best_kl) if resolved else mesh.bottom, mesh.top)
    if mesh.cut:
        surface_axes.set_title(f"surface up to KL = {mesh.top:.3g}, {mesh.cut}\n(the map: the whole grid, "
                               f"up to {kl.max():.3g})", fontsize="small")
    surface_axes.view_init(elev=30, azim=mesh.azimuth)

    contour_axes = figure.add_subplot(1, 2, 2)
    # the bands: between the levels, and from the lowest and to the highest KL drawn (matplotlib's extend=
    # "both" cannot take levels beyond 1e250), one colour step each; the colour bar's ticks are the levels alone
    bands = [float(kl.min()), *levels, float(kl.max())]
    filled = contour_axes.contourf(mu, sigma, kl, levels=bands, cmap=cmap, norm=BoundaryNorm(bands, cmap.N))
    lines = contour_axes.contour(mu, sigma, kl, levels=levels, colors="white", linewidths=0.8)
    contour_axes.clabel(lines, fmt=dict(zip(lines.levels, texts)), fontsize=8)
    if resolved:
        contour_axes.plot([best_mu], [best_sigma], marker="*", color="red", markersize=14, linestyle="none",
                          label=best_label, gid="minimum")
    else:
        contour_axes.plot([], [], linestyle="none", label=best_label, gid="minimum-not-resolved")
    if log_sigma:
        contour_axes.set_yscale("log")
    contour_axes.set_xlabel("mean μ")
    contour_axes.set_ylabel("standard deviation σ" + (" (log scale)" if log_sigma else ""))
    figure.legend(loc="outside lower center", fontsize="small")
    colorbar = figure.colorbar(filled, ax=contour_axes, label="KL (nats)")
    colorbar.set_ticks(levels, labels=texts)
    return figure


class SurfaceMesh(NamedTuple):
    """What the 3-D panel draws: grids (mu, sigma axis, KL), the z-limits, where it is seen from, and, where
    the surface is cut, what the cut is (else "")."""

    grids: tuple
    bottom: float
    top: float
    azimuth: float
    cut: str


VIEW_FROM_LOW_SIGMA, VIEW_FROM_HIGH_SIGMA = -130.0, 130.0  # azimuths: the near edge at sigma's low / high end
SHALLOWEST_CUT = 1 / 20  # of the KL's range on the grid: a cut nearer the floor would leave a speck


def surface_mesh(mu, sigma, kl, log_sigma: bool) -> SurfaceMesh:
    """The 3-D panel's mesh: the part of the grid's rectangle where the KL is at most a level `top`, the lowest
    KL on the rectangle's edges, so that the bowl's rim is that level curve all round and no edge of the grid
    (the steep -log sigma wall as sigma -> 0 in particular) cuts across it as a ridge. Where the minimum lies
    near an edge that level would leave a speck, and it is raised to SHALLOWEST_CUT of the KL's range; the
    sigma edge that then stands inside the rim is put at the back, by viewing from the other sigma edge (the
    one whose lowest KL is higher). For each mu, sigma runs between the two crossings of the level (the KL is
    convex in mu and in sigma), found by root-finding on the KL itself, so the rim is smooth, not the jagged
    edge of masked cells, and the mesh's KL never exceeds the z-limit."""
    lowest_sigma = float(np.clip(1.0, sigma[0], sigma[-1]))  # along any line of constant mu, the lowest KL
    lowest_mu = float(np.clip(0.0, mu[0], mu[-1]))  # along any line of constant sigma
    sigma_edges = [float(kl_normal_std(lowest_mu, edge)) for edge in (sigma[0], sigma[-1])]
    mu_edges = [float(kl_normal_std(edge, lowest_sigma)) for edge in (mu[0], mu[-1])]
    near_high = sigma_edges[1] >= sigma_edges[0]  # the lower sigma edge (one a raised cut may leave) at the back
    azimuth = VIEW_FROM_HIGH_SIGMA if near_high else VIEW_FROM_LOW_SIGMA
    to_axis = np.log10 if log_sigma else (lambda values: values)
    bottom, highest = float(kl.min()), float(kl.max())
    edges = min(*sigma_edges, *mu_edges)
    top = max(edges, bottom + SHALLOWEST_CUT * (highest - bottom))
    if not top < highest:
        mu_grid, sigma_grid = np.meshgrid(mu, to_axis(sigma))
        return SurfaceMesh((mu_grid, sigma_grid, kl), bottom, highest, azimuth, "")
    n = len(sigma)
    mu_cut = np.linspace(*_sublevel_interval(lambda m: kl_normal_std(m, lowest_sigma), top, mu[0], lowest_mu,
                                             mu[-1], log=False), n)
    spaced = np.geomspace if log_sigma else np.linspace
    sigma_cut = np.stack([spaced(*_sublevel_interval(lambda s, m=m: kl_normal_std(m, s), top, sigma[0],
                                                     lowest_sigma, sigma[-1], log=True), n) for m in mu_cut], axis=1)
    mu_grid = np.broadcast_to(mu_cut, sigma_cut.shape)
    kl_cut = np.minimum(np.asarray(kl_normal_std(mu_grid, sigma_cut), dtype=float), top)  # the root's rounding
    cut = ("the highest level inside the grid" if top == edges else
           f"{SHALLOWEST_CUT:.0%} of its range (a grid edge stands inside)")
    return SurfaceMesh((mu_grid, to_axis(sigma_cut), kl_cut), bottom, top, azimuth, cut)


def _sublevel_interval(function, level: float, lo: float, inner: float, hi: float, log: bool) -> tuple[float, float]:
    """[a, b] within [lo, hi] where a convex function, at most `level` at `inner`, stays at most `level`: each
    end is lo (or hi) where the function is within the level there, else the crossing between it and inner
    (by brentq, in log coordinates for a positive variable)."""
    from scipy.optimize import brentq

    forward, back = (np.log, np.exp) if log else ((lambda x: x), (lambda x: x))

    def excess(t):
        return float(function(back(t))) - level

    if excess(forward(inner)) > 0:  # the rounding of a crossing found before: the interval is the point inner
        return inner, inner
    ends = []
    for end in (lo, hi):
        if excess(forward(end)) <= 0 or end == inner:
            ends.append(end)
        else:
            tolerance = 1e-13 if log else 1e-13 * abs(end - inner)
            root = back(brentq(excess, forward(inner), forward(end), xtol=tolerance, rtol=4 * np.finfo(float).eps))
            ends.append(float(np.clip(root, lo, hi)))
    return ends[0], ends[1]


def contour_levels(kl) -> list[float]:
    """The levels of the contour map: the fixed KL_LEVELS inside the range of kl, or, where fewer than three
    fall inside it (a grid far from the minimum, or one spanning a narrow range of KL), evenly spaced round
    numbers inside it, so that the colours spread over the values drawn. The filled bands reach from the grid's
    lowest KL to the first level, and from the last level to its highest."""
    from matplotlib.ticker import MaxNLocator

    low, high = float(kl.min()), float(kl.max())
    if not low < high:
        raise PlotError(f"the KL is {low:g} all over this grid, to float64 precision; choose wider ranges")
    levels = [level for level in KL_LEVELS if low < level < high]
    if len(levels) >= 3:
        return levels
    levels = [float(level) for level in MaxNLocator(8).tick_values(low, high) if low < level < high]
    if len(levels) < 2:  # a range too narrow for round numbers: split it evenly
        levels = sorted({float(level) for level in np.linspace(low, high, 6)[1:-1]})
    if len(levels) < 2:
        raise PlotError(f"the KL spans only [{low:.17g}, {high:.17g}] over this grid, too little for contour "
                        "levels that float64 tells apart; choose wider ranges")
    return levels


def level_labels(levels) -> list[str]:
    """The levels as text: the fewest significant digits (3 at least) that tell every level apart."""
    for digits in range(3, 18):
        texts = [f"{level:.{digits}g}" for level in levels]
        if len(set(texts)) == len(texts):
            return texts
    return [repr(float(level)) for level in levels]


def minimum_resolved(kl) -> bool:
    """Whether float64 tells where the KL is lowest on the grid: every grid value within its rounding (a few
    ulps) of the lowest one lies within one cell of it. Far out (|mu| ~ 1e153) the KL is mu^2 / 2 to the last
    bit, and its variation with sigma, or near its floor with either coordinate, drowns in that rounding."""
    lowest = float(kl.min())
    near = np.argwhere(kl <= lowest + 8 * np.finfo(np.float64).eps * lowest)
    where = np.array(np.unravel_index(np.argmin(kl), kl.shape))
    return bool(np.all(np.abs(near - where) <= 1))


def _fixed(value: float, scale: float) -> str:
    """Three decimals (4 significant digits far from 1), with a minimiser's noise, below 1e-6 of the scale of the
    plotted values, printed as 0 rather than as "-0.000" or "1e-09"."""
    if abs(value) < 1e-6 * scale:
        value = 0.0
    if value != 0 and not 1e-3 <= abs(value) < 1e6:
        return f"{value:.4g}"
    text = f"{value:.3f}"
    return text[1:] if text == "-0.000" else text


def nonneg_curve(x_range=(-3.0, 3.0), resolution: int = 601):
    """The article's y = -log x^2 + x^2 - 1 on the two branches x < 0 and x > 0 (it diverges at x = 0)."""
    lo, hi = checked_range("x range", x_range)
    n = checked_resolution(resolution)
    require_axis_grid("x range", lo, hi, n)
    x = np.linspace(lo, hi, n)
    branches = [x[x < 0], x[x > 0]]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, as one line
        # y = 2 half_excess(log|x|): x^2 - 1 - log x^2 summed without cancellation near |x| = 1 (a series there)
        curves = [(branch, _article_curve(branch)) for branch in branches if branch.size]
    require_drawable("y = -log x^2 + x^2 - 1", *[y for _, y in curves])
    return curves


def _article_curve(x):
    """y = -log x^2 + x^2 - 1 = 2 half_excess(log|x|, |x|), accurate near its zeros and for tiny |x|."""
    magnitude = np.abs(x)
    return 2 * half_excess(np.log(magnitude), magnitude)


def nonneg_minima(x_range):
    """The lowest point of the curve on each branch that the range covers, found numerically.

    On a branch, with u = log|x|, the curve is -2u + e^(2u) - 1: convex in u, so a bounded scalar
    minimisation over u finds the lowest point reliably for any range, tiny or huge.
    """
    def curve_in_u(u):
        return float(2 * half_excess(u, np.exp(u)))

    lo, hi = x_range
    log_tiny = np.log(np.nextafter(0, 1))  # -745: the branches reach down to the smallest positive double
    found = []
    for sign, near, far in ((-1.0, max(-hi, 0.0), -lo), (1.0, max(lo, 0.0), hi)):
        if far > 0 and near < far:
            bounds = (np.log(near) if near > 0 else log_tiny, np.log(far))
            with np.errstate(over="ignore", invalid="ignore"):
                best = minimize_scalar(curve_in_u, bounds=bounds, method="bounded", options={"xatol": 1e-12})
            found.append((float(sign * np.exp(best.x)), float(best.fun)))
    return found


def _short(value: float) -> str:
    return f"{value:+.4f}" if abs(value) < 1e4 else f"{value:+.3e}"


def _lowest_value(x: float, y: float, lo: float, hi: float) -> str:
    """The curve's lowest value on x's branch as text: 0 where the range holds the branch's zero x = +-1 (the
    curve is 0 exactly there, and what the minimiser returns beyond that is its tolerance, not a value), else
    the value at the point found (the end of the range nearest +-1), to 3 significant digits."""
    if lo <= np.copysign(1.0, x) <= hi:
        return "0"
    return f"{y:.3g}"


def kl_nonneg(x_range=(-3.0, 3.0), resolution: int = 601):
    """The article's curve y = -log x^2 + x^2 - 1 = 2 KL(N(0, x^2) || N(0, 1)) with its zeros at x = +-1."""
    curves = nonneg_curve(x_range, resolution)
    lo, hi = checked_range("x range", x_range)
    figure = new_figure(8, 5)
    axes = figure.add_subplot()
    for index, (x, y) in enumerate(curves):
        axes.plot(x, y, color="C0", linewidth=2, gid="curve",
                  label=r"$y = -\log x^2 + x^2 - 1 = 2\,D_{KL}[\mathcal{N}(0,x^2)\,\|\,\mathcal{N}(0,1)]$"
                  if index == 0 else None)
    axes.axhline(0, color="black", linewidth=0.8)
    if lo < 0 < hi:
        axes.axvline(0, color="grey", linestyle=":", linewidth=1, label="x = 0: y → +∞")
    minima = nonneg_minima((lo, hi))
    for index, (x, y) in enumerate(minima):
        axes.plot([x], [y], marker="o", color="red", markersize=9, linestyle="none", gid="minimum",
                  label="lowest points, found numerically" if index == 0 else None)
        side = -1 if x < 0 else 1  # each label below the axis on its own side: no overlap at any range
        axes.annotate(f"x = {_short(x)}, y = {_lowest_value(x, y, lo, hi)}", (x, y), textcoords="offset points",
                      xytext=(4 * side, -9), ha="left" if side > 0 else "right", va="top", fontsize=9, color="red",
                      gid="minimum-label")
    edge_heights = [curves[0][1][0], curves[-1][1][-1]]  # at the ends of the range, not beside x = 0
    low = min(min(y.min() for _, y in curves), 0.0)
    top = max(max(edge_heights), low + 1.0)
    axes.set_ylim(low - 0.1 * (top - low), top + 0.15 * (top - low))
    axes.set_xlim(lo, hi)
    axes.set_xlabel("x (plays the role of σ)")
    axes.set_ylabel("y")
    axes.set_title("Non-negativity of the Gaussian KL (article lines 33-34): y ≥ 0, zero only at x = ±1")
    figure.legend(loc="outside lower center", ncols=3, fontsize="small")
    axes.grid(alpha=0.3)
    return figure
