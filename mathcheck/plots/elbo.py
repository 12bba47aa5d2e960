"""log p(X) = ELBO(q) + KL(q || p(z|X)) (article lines 75-105) in a model where all three are exact.

Model (``mathcheck.linear_gaussian.LinearGaussian``): p(z) = N(0, 1), p(X | z) = N(w z + b, s^2), one
observed X; then p(X) = N(b, w^2 + s^2) and the posterior p(z | X) is Gaussian. The ELBO of q = N(m, t^2)
is computed by Gauss-Hermite quadrature of E_q[log p(X, z) - log q(z)] (exact here: the integrand is
quadratic in z), the KL by its closed form, so the figure compares two independent computations of the gap.
"""
from __future__ import annotations

import numpy as np

from mathcheck.linear_gaussian import LinearGaussian
from mathcheck.plots._common import (PlotError, checked_range, checked_resolution, new_figure, require_drawable,
                                     require_axis_grid, require_log_drawable)

GAP_RESOLUTION = 2.0**-40  # relative to the size of the ELBO: about 4000 ulps, above its rounding
MAX_LOG_EVIDENCE = 1e9  # |log p(X)| beyond this: float64 spacing (> 1e-7 nats) blurs the gap


def elbo_grid(model: LinearGaussian, mean_range=None, scale_range=None, resolution: int = 61):
    """(m, t, ELBO, KL) over a grid of q = N(m, t^2); t is log-spaced. ELBO[i, j] is at (m[j], t[i])."""
    post_mean, post_scale = model.posterior()
    with np.errstate(over="ignore"):
        log_px = model.log_evidence()
    if not abs(log_px) <= MAX_LOG_EVIDENCE:
        raise PlotError(f"log p(X) = {log_px:g} for X = {model.observed:g}: too far out to resolve a gap of a few "
                        f"nats in float64; choose X nearer {model.weight * model.prior_mean + model.bias:g}")
    if mean_range is None:
        mean_range = (post_mean - 5 * post_scale, post_mean + 5 * post_scale)
        if not mean_range[0] < mean_range[1]:
            raise PlotError(f"the posterior mean {post_mean:g} is too large to put a default range around it; "
                            "give q's mean range (--mu-range)")
    if scale_range is None:
        scale_range = (post_scale / 8, post_scale * 4)
    m_lo, m_hi = checked_range("mu range", mean_range)
    t_lo, t_hi = checked_range("sigma range", scale_range, lowest=0.0)
    n = checked_resolution(resolution)
    require_axis_grid("mu range", m_lo, m_hi, n)
    require_axis_grid("sigma range", t_lo, t_hi, n, log=True)
    m = np.linspace(m_lo, m_hi, n)
    t = np.geomspace(t_lo, t_hi, n)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, as one line
        elbo = model.elbo(m[None, :], t[:, None])
    try:
        kl = np.asarray(model.kl_to_posterior(m[None, :], t[:, None]), dtype=float)
    except ValueError as error:
        raise PlotError(f"{error}; choose a smaller range") from None
    require_drawable("ELBO(q)", elbo)
    require_log_drawable("q's standard deviation t", t)
    return m, t, elbo, kl


def elbo_gap(observed: float = 2.0, mean_range=None, scale_range=None, resolution: int = 61,
             model: LinearGaussian | None = None):
    """ELBO(q) over q's mean and scale, two slices through the posterior, and gap = log p(X) - ELBO vs KL."""
    model = model or LinearGaussian(observed=float(observed))
    parameters = [model.observed, model.weight, model.bias, model.noise, model.prior_mean, model.prior_std]
    if not (model.noise > 0 and model.prior_std > 0 and np.isfinite(parameters).all()):
        raise PlotError(f"the model needs finite parameters, noise > 0 and prior_std > 0, got {model}")
    m, t, elbo, kl = elbo_grid(model, mean_range, scale_range, resolution)
    log_px = model.log_evidence()
    post_mean, post_scale = model.posterior()
    figure = new_figure(12, 9)
    figure.suptitle(rf"$\log p(X) = \mathrm{{ELBO}}(q) + D_{{KL}}[q\,\|\,p(z|X)]$ for "
                    rf"$p(z)=\mathcal{{N}}({model.prior_mean:g},{model.prior_std:g}^2)$, "
                    rf"$p(X|z)=\mathcal{{N}}({_affine(model.weight, model.bias)}, {model.noise:g}^2)$, "
                    rf"$X={model.observed:g}$, $q=\mathcal{{N}}(m,t^2)$")
    grid = figure.subplots(2, 2)

    axes = grid[0, 0]
    # below log p(X) - 25 only the steep walls: keep the levels where q is sane, and at least one nat deep;
    # a map that lies wholly in the walls (far from the posterior) is coloured over its own range
    if elbo.max() > log_px - 25.0:
        top, floor = log_px, min(max(elbo.min(), log_px - 25.0), log_px - 1.0)
    else:
        top, floor = float(elbo.max()), float(elbo.min())
    levels = np.unique(np.linspace(floor, top, 15))  # far out, fewer than 15 distinct float64 values
    if levels.size < 2:
        raise PlotError(f"ELBO(q) is {top:g} all over this grid, to float64 precision; choose wider ranges")
    filled = axes.contourf(m, t, np.maximum(elbo, levels[0]), levels=levels, cmap="viridis")  # walls: lowest band
    figure.colorbar(filled, ax=axes, label="ELBO (nats)")
    axes.set_gid("elbo-map")
    inside = m[0] <= post_mean <= m[-1] and t[0] <= post_scale <= t[-1]
    axes.plot([post_mean], [post_scale], marker="*", color="red", markersize=14, linestyle="none", gid="posterior",
              label=f"q = p(z|X): m = {post_mean:.3g}, t = {post_scale:.3g}" + ("" if inside else " (off this map)"))
    axes.set_yscale("log")
    axes.set_xlim(m[0], m[-1])  # the map shows the requested ranges, even when the posterior lies outside them
    axes.set_ylim(t[0], t[-1])
    axes.set_xlabel("mean m of q")
    axes.set_ylabel("standard deviation t of q (log scale)")
    axes.set_title(f"ELBO(q); its maximum log p(X) = {log_px:.4g} at the posterior", fontsize="medium")
    axes.legend(loc="lower left", fontsize="small")

    slice_m, slice_t = model.elbo(m, post_scale), model.elbo(post_mean, t)
    require_drawable("ELBO(q) through the posterior", slice_m, slice_t)
    _slice(grid[0, 1], m, slice_m, model.kl_to_posterior(m, post_scale), log_px,
           f"mean m of q (t = {post_scale:.3g}, the posterior's)", log_x=False)
    grid[0, 1].set_title("slice through the posterior along m", fontsize="medium")
    grid[0, 1].set_gid("slice-m")
    _slice(grid[1, 0], t, slice_t, model.kl_to_posterior(post_mean, t), log_px,
           f"standard deviation t of q (m = {post_mean:.3g}, the posterior's; log scale)", log_x=True)
    grid[1, 0].set_title("slice through the posterior along t", fontsize="medium")
    grid[1, 0].set_gid("slice-t")

    axes = grid[1, 1]
    axes.set_gid("gap-vs-kl")
    gap = log_px - elbo
    # a KL within a few thousand ulps of log p(X) is below the rounding of the gap: such points would plot noise
    resolved = kl > GAP_RESOLUTION * np.maximum(1.0, np.maximum(abs(log_px), np.abs(elbo)))
    unresolved = int(resolved.size - resolved.sum())
    if not resolved.any():
        raise PlotError("every KL on this grid is below float64's resolution of the gap; choose wider ranges")
    require_log_drawable("KL(q || p(z|X))", kl[resolved])
    require_log_drawable("log p(X) - ELBO(q)", gap[resolved])
    label = "grid points (m, t)" + (f"; {unresolved} with KL below float64 resolution left out" if unresolved else "")
    axes.loglog(kl[resolved], gap[resolved], ".", markersize=3, color="C0", label=label, gid="gap")
    ends = np.array([kl[resolved].min(), kl.max()])
    axes.loglog(ends, ends, color="black", linewidth=0.8, label="gap = KL")
    worst = np.max(np.abs(gap - kl) / np.maximum(1.0, kl))
    axes.set_xlabel(r"$D_{KL}[q\,\|\,p(z|X)]$, closed form (nats)")
    axes.set_ylabel(r"$\log p(X) - \mathrm{ELBO}(q)$, quadrature (nats)")
    axes.set_title(f"gap vs KL over the whole grid: max relative difference {worst:.1e}", fontsize="medium")
    axes.legend(loc="upper left", fontsize="small")
    axes.grid(alpha=0.3, which="both")
    return figure


def _affine(weight: float, bias: float) -> str:
    """w z + b as it would be written: no "+0" for a zero bias, no "1z" for a unit weight."""
    slope = {1.0: "", -1.0: "-"}.get(float(weight), f"{weight:g}")
    return f"{slope}z" + (f"{bias:+g}" if bias else "")


def _slice(axes, x, elbo, kl, log_px, xlabel: str, log_x: bool) -> None:
    """One slice through the posterior: log p(X) above, ELBO below, the shaded gap, and log p(X) - KL on top."""
    axes.axhline(log_px, color="black", linewidth=1.2, label=r"$\log p(X)$", gid="log-evidence")
    axes.plot(x, elbo, color="C0", linewidth=2, label=r"$\mathrm{ELBO}(q)$ (quadrature)", gid="elbo")
    axes.fill_between(x, elbo, log_px, color="C2", alpha=0.3, label="gap")
    axes.plot(x, log_px - kl, color="C3", linestyle="none", marker=".", markersize=4, markevery=3, gid="kl",
              label=r"$\log p(X) - D_{KL}[q\,\|\,p(z|X)]$ (closed form)")
    if log_x:
        axes.set_xscale("log")
    low = float(elbo.min())
    axes.set_ylim(low - 0.05 * (log_px - low) - 0.1, log_px + 0.15 * (log_px - low) + 0.2)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("nats")
    axes.legend(loc="lower center", fontsize="small")
    axes.grid(alpha=0.3)
