"""KL(N(mu, sigma^2) || N(0, 1)) as a surface, and the article's non-negativity curve (lines 33-34)."""
from __future__ import annotations

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
    """3-D surface and labelled contour map of KL(N(mu, sigma^2) || N(0, 1)), its minimum marked."""
    mu, sigma, kl = kl_grid(mu_range, sigma_range, resolution, log_sigma)
    resolved = minimum_resolved(kl)
    if resolved:
        best_mu, best_sigma, best_kl = kl_minimum((mu[0], mu[-1]), (sigma[0], sigma[-1]))
    lowest, levels = contour_levels(kl)
    figure = new_figure(13, 5.4)
    title = r"$D_{KL}\left[\mathcal{N}(\mu,\sigma^2)\,\|\,\mathcal{N}(0,1)\right]"
    figure.suptitle(title + r" = \frac{1}{2}\left[\mu^2 + \sigma^2 - \log\sigma^2 - 1\right]$ (nats)")
    if resolved:
        best_label = (f"minimum found: KL = {_fixed(best_kl, np.ptp(kl))} at μ = {_fixed(best_mu, np.ptp(mu))}, "
                      f"σ = {_fixed(best_sigma, sigma[-1])}")
    else:  # marking a point would claim a location that float64 cannot tell
        best_label = (f"minimum not marked: near its lowest value {kl.min():.4g} the KL changes by less than "
                      "its float64 rounding over several grid cells")

    surface_axes = figure.add_subplot(1, 2, 1, projection="3d")
    sigma_axis = np.log10(sigma) if log_sigma else sigma  # mplot3d draws log axes poorly: plot log10 sigma
    mu_grid, sigma_grid = np.meshgrid(mu, sigma_axis)
    surface_axes.plot_surface(mu_grid, sigma_grid, kl, rstride=1, cstride=1, cmap="viridis",
                              linewidth=0, antialiased=False, alpha=0.9)
    if resolved:
        best_sigma_axis = np.log10(best_sigma) if log_sigma else best_sigma
        surface_axes.plot([best_mu], [best_sigma_axis], [best_kl], marker="*", color="red", markersize=14,
                          linestyle="none", zorder=10, gid="minimum")
    surface_axes.set_xlabel("mean μ")
    surface_axes.set_ylabel("log₁₀ σ" if log_sigma else "standard deviation σ")
    surface_axes.set_zlabel("KL (nats)")
    surface_axes.view_init(elev=28, azim=-130)

    contour_axes = figure.add_subplot(1, 2, 2)
    filled = contour_axes.contourf(mu, sigma, kl, levels=[lowest, *levels, kl.max()], cmap="viridis")
    lines = contour_axes.contour(mu, sigma, kl, levels=levels, colors="white", linewidths=0.8)
    contour_axes.clabel(lines, fmt="%g", fontsize=8)
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
    figure.colorbar(filled, ax=contour_axes, label="KL (nats)", format="%.3g")
    return figure


def contour_levels(kl) -> tuple[float, list[float]]:
    """(lowest filled level, contour levels): the fixed KL_LEVELS inside the range of kl above 0, or evenly
    spaced levels above kl's minimum where fewer than three fall inside it (a grid far from the minimum, or
    one spanning a narrow range of KL), so that the colours spread over the values drawn."""
    from matplotlib.ticker import MaxNLocator

    low, high = float(kl.min()), float(kl.max())
    if not low < high:
        raise PlotError(f"the KL is {low:g} all over this grid, to float64 precision; choose wider ranges")
    levels = [level for level in KL_LEVELS if low < level < high]
    if len(levels) >= 3:
        return 0.0, levels
    return low, [float(level) for level in MaxNLocator(8).tick_values(low, high) if low < level < high]


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
        axes.annotate(f"x = {_short(x)}, y = {y:.1e}", (x, y), textcoords="offset points", xytext=(4 * side, -9),
                      ha="left" if side > 0 else "right", va="top", fontsize=9, color="red")
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
