"""What the figures of mathcheck.plots contain, checked against references computed here independently
(scipy quadrature of the defining integrals, the article's formula re-derived), never against the
functions the figures are drawn with. Resolutions are small to keep the suite fast."""
from __future__ import annotations

import functools
import math
import re

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure
from matplotlib.path import Path
from numpy.testing import assert_allclose
from scipy import integrate, stats

from mathcheck import plots

FEW = settings(max_examples=8, deadline=None)  # each example runs scipy quadrature on a figure made once


def tagged(container, gid: str) -> list:
    """The artists (lines, collections) or axes that the plotting code tagged with this gid."""
    if isinstance(container, Figure):
        return [axes for axes in container.axes if axes.get_gid() == gid]
    return [artist for artist in [*container.lines, *container.collections] if artist.get_gid() == gid]


def kl_by_quadrature(mu: float, sigma: float, mu2: float = 0.0, sigma2: float = 1.0) -> float:
    """KL(N(mu, sigma^2) || N(mu2, sigma2^2)) = integral of q log(q / p), numerically."""
    q, p = stats.norm(mu, sigma), stats.norm(mu2, sigma2)
    value, _ = integrate.quad(lambda z: q.pdf(z) * (q.logpdf(z) - p.logpdf(z)),
                              mu - 12 * sigma, mu + 12 * sigma, epsabs=1e-13, epsrel=1e-11, limit=200)
    return value


# ---------------------------------------------------------------- kl-surface

SURFACE = {"mu_range": (-3.0, 3.0), "sigma_range": (0.2, 3.0), "resolution": 21}


@pytest.fixture(scope="module")
def surface_figure():
    return plots.kl_surface(**SURFACE)


def surface_axes(figure):
    surface, contour = figure.axes[:2]
    return surface, contour


def line_contours(axes) -> QuadContourSet:
    return next(c for c in axes.collections if isinstance(c, QuadContourSet) and not c.filled)


def contour_points(contours: QuadContourSet):
    """(level, vertex) for every drawn vertex of every contour line."""
    for level, path in zip(contours.levels, contours.get_paths()):
        codes = path.codes if path.codes is not None else np.full(len(path.vertices), Path.LINETO)
        for vertex in path.vertices[codes != Path.CLOSEPOLY]:
            yield float(level), vertex


def surface_faces(figure) -> np.ndarray:
    """The 3-D faces of the surface, shape (faces, corners, 3) in data coordinates (mu, sigma axis, KL).
    matplotlib keeps them as Poly3DCollection._faces; there is no public getter."""
    return np.asarray(surface_collection(figure)._faces)


def surface_collection(figure):
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    surface, _ = surface_axes(figure)
    (collection,) = [c for c in surface.collections if isinstance(c, Poly3DCollection)]
    return collection


def assert_surface_vertices_are_the_kl(figure, faces: list[int]) -> None:
    """Each corner of the drawn faces lies on KL(N(mu, sigma^2) || N(0, 1)) (quadrature reference), and each
    face is coloured by the mean height of its corners."""
    drawn, colours = surface_faces(figure), surface_collection(figure).get_array()
    for face in faces:
        for mu, sigma, kl in drawn[face]:
            assert_allclose(kl, kl_by_quadrature(mu, sigma), rtol=1e-8, atol=1e-12)
        assert_allclose(colours[face], drawn[face][:, 2].mean(), rtol=1e-12)


@FEW
@given(st.data())
def test_surface_vertices_equal_kl_by_quadrature(surface_figure, data):
    count = len(surface_faces(surface_figure))
    assert_surface_vertices_are_the_kl(surface_figure, [data.draw(st.integers(0, count - 1))])


def test_surface_check_rejects_a_kl_without_its_half(monkeypatch):
    import mathcheck.plots.kl

    true_kl = mathcheck.plots.kl.kl_normal_std
    monkeypatch.setattr(mathcheck.plots.kl, "kl_normal_std", lambda mu, sigma: 2 * true_kl(mu, sigma))
    figure = plots.kl_surface(resolution=5)
    with pytest.raises(AssertionError):
        assert_surface_vertices_are_the_kl(figure, [3, 9])


# (sigma range, log sigma): the -log sigma wall as sigma -> 0 (steep on a linear axis), sigma^2 / 2 (steep on a
# log axis), and a grid whose minimum lies near an edge
LEVEL_RIM_RANGES = [((0.1, 3.0), False), ((1e-6, 3.0), False), ((0.01, 10.0), True), ((1e-10, 3.0), True)]
SURFACE_RANGES = [*LEVEL_RIM_RANGES, ((0.9, 3.0), False)]


def surface_for(sigma_range, log_sigma):
    return plots.kl_surface(sigma_range=sigma_range, resolution=21, log_sigma=log_sigma)


@pytest.mark.parametrize("sigma_range, log_sigma", SURFACE_RANGES)
def test_surface_stays_within_its_z_limit_below_the_walls(sigma_range, log_sigma):
    figure = surface_for(sigma_range, log_sigma)
    surface, contour = surface_axes(figure)
    heights = surface_faces(figure)[..., 2]
    bottom, top = surface.get_zlim()
    assert heights.max() <= top * (1 + 1e-12) and heights.min() >= bottom - 1e-12
    assert top < line_contours(contour).zmax  # the walls are cut, not drawn as the panel's tallest feature


@pytest.mark.parametrize("sigma_range, log_sigma", LEVEL_RIM_RANGES)
def test_no_grid_edge_cuts_across_the_bowl(sigma_range, log_sigma):
    """Where the bowl's floor lies well inside the grid, the surface is drawn up to a level of the KL all round:
    a vertex on an edge of the grid (the sigma -> 0 wall's in particular) lies on the rim, at the top."""
    figure = surface_for(sigma_range, log_sigma)
    vertices = surface_faces(figure).reshape(-1, 3)
    sigma_edges = np.log10(sigma_range) if log_sigma else np.asarray(sigma_range)
    on_edge = np.zeros(len(vertices), dtype=bool)
    for column, edge in ((0, -3.0), (0, 3.0), (1, sigma_edges[0]), (1, sigma_edges[1])):
        on_edge |= np.isclose(vertices[:, column], edge, rtol=1e-12, atol=1e-12)
    _, top = surface_axes(figure)[0].get_zlim()
    assert on_edge.any()  # the rim touches the grid where the level is the edge's lowest KL
    assert_allclose(vertices[on_edge, 2], top, rtol=1e-9)


def near_sigma_edge(surface) -> str:
    """Which end of the sigma axis faces the viewer: mplot3d looks from (cos azim, sin azim) in the (x, y) plane."""
    return "high" if np.sin(np.radians(surface.azim)) > 0 else "low"


@pytest.mark.parametrize("sigma_range, log_sigma", SURFACE_RANGES)
def test_lower_sigma_edge_of_the_surface_is_at_the_back(sigma_range, log_sigma):
    """The sigma edge with the lower KL (at mu = 0, by quadrature) is the one that may stand inside the drawn
    surface: it is at the back, so that it never shows as a ridge in front of the bowl."""
    figure = surface_for(sigma_range, log_sigma)
    low, high = (kl_by_quadrature(0.0, edge) for edge in sigma_range)
    assert near_sigma_edge(surface_axes(figure)[0]) == ("high" if high > low else "low")


def colour_bar(figure):
    (axes,) = [axes for axes in figure.axes if axes.get_label() == "<colorbar>"]
    return axes


def test_colour_bar_ticks_are_the_contour_levels(surface_figure):
    contours = line_contours(surface_axes(surface_figure)[1])
    bar = colour_bar(surface_figure)
    assert_allclose(bar.get_yticks(), contours.levels, rtol=1e-12)
    tick_texts = [tick.get_text() for tick in bar.get_yticklabels()]
    assert contours.labelTexts
    for text in contours.labelTexts:  # a label sits on its line: the KL there names the level it labels
        mu, sigma = text.get_position()
        level = int(np.argmin(np.abs(np.log(contours.levels) - np.log(kl_by_quadrature(mu, sigma)))))
        assert text.get_text() == tick_texts[level]


def test_colour_bar_of_a_narrow_range_names_its_levels_apart():
    figure = plots.kl_surface(mu_range=(1.0, 1.0001), sigma_range=(1.0, 1.0001), resolution=9)
    texts = [tick.get_text() for tick in colour_bar(figure).get_yticklabels()]
    assert len(texts) >= 2 and len(set(texts)) == len(texts)
    assert_allclose([float(text) for text in texts], line_contours(surface_axes(figure)[1]).levels, rtol=1e-5)


def test_minimum_label_reads_kl_0_where_the_grid_holds_mu_0_sigma_1(surface_figure):
    (marker,) = tagged(surface_axes(surface_figure)[1], "minimum")
    assert marker.get_label().startswith("minimum found: KL = 0 at ")


@FEW
@given(st.data())
def test_contour_lines_lie_on_their_kl_level(surface_figure, data):
    points = list(contour_points(line_contours(surface_axes(surface_figure)[1])))
    level, (mu, sigma) = points[data.draw(st.integers(0, len(points) - 1))]
    # Contour vertices are linear interpolation along grid edges: error <= h^2 max|second derivative| / 8,
    # with d2KL/dmu2 = 1 and d2KL/dsigma2 = 1 + 1/sigma^2 (largest at the lower end of the cell).
    n = SURFACE["resolution"]
    h_mu = np.ptp(SURFACE["mu_range"]) / (n - 1)
    h_sigma = np.ptp(SURFACE["sigma_range"]) / (n - 1)
    bound = (h_mu**2 + h_sigma**2 * (1 + 1 / max(sigma - h_sigma, SURFACE["sigma_range"][0]) ** 2)) / 8
    assert abs(kl_by_quadrature(mu, sigma) - level) <= bound + 1e-9


def test_contour_levels_are_labelled_with_their_values(surface_figure):
    contours = line_contours(surface_axes(surface_figure)[1])
    labels = {text.get_text() for text in contours.labelTexts}
    assert labels and labels <= {f"{level:g}" for level in contours.levels}
    assert len(labels) >= len(contours.levels) - 2  # only the tiniest rings may be too small for a label


def test_marked_minimum_is_at_mu_0_sigma_1(surface_figure):
    surface, contour = surface_axes(surface_figure)
    (mu,), (sigma,), (kl,) = tagged(surface, "minimum")[0].get_data_3d()
    assert_allclose([mu, sigma, kl], [0.0, 1.0, 0.0], atol=1e-6)
    (marker,) = tagged(contour, "minimum")
    assert_allclose(np.ravel(marker.get_data()), [0.0, 1.0], atol=1e-6)


def test_minimum_check_rejects_a_shifted_kl(monkeypatch):
    import mathcheck.plots.kl

    true_kl = mathcheck.plots.kl.kl_normal_std
    monkeypatch.setattr(mathcheck.plots.kl, "kl_normal_std", lambda mu, sigma: true_kl(mu - 0.3, sigma))
    with pytest.raises(AssertionError):
        test_marked_minimum_is_at_mu_0_sigma_1(plots.kl_surface(resolution=5))


def test_minimum_is_not_marked_where_float64_cannot_locate_it():
    mu_range, n = (1e153, 1.3e153), 9
    figure = plots.kl_surface(mu_range=mu_range, resolution=n)
    sigma = np.linspace(0.1, 3.0, n)
    with mpmath.workdps(60):  # at mu = 1e153 the KL rounds to the same double for every sigma of the grid
        column = {float(mpmath.mpf(mu_range[0]) ** 2 / 2 + (mpmath.mpf(s) ** 2 - 1 - 2 * mpmath.log(s)) / 2)
                  for s in sigma}
    assert len(column) == 1
    surface, contour = surface_axes(figure)
    assert not tagged(surface, "minimum") and not tagged(contour, "minimum")
    (note,) = tagged(contour, "minimum-not-resolved")
    assert "not marked" in note.get_label()


def test_log_sigma_surface_marks_log10_sigma_0_and_uses_a_log_axis():
    figure = plots.kl_surface(sigma_range=(0.01, 10.0), resolution=9, log_sigma=True)
    surface, contour = surface_axes(figure)
    assert contour.get_yscale() == "log"
    (mu,), (log_sigma,), _ = tagged(surface, "minimum")[0].get_data_3d()
    assert_allclose([mu, log_sigma], [0.0, 0.0], atol=1e-6)
    assert "log" in surface.get_ylabel()


# ---------------------------------------------------------------- kl-nonneg

@pytest.fixture(scope="module")
def nonneg_figure():
    return plots.kl_nonneg(resolution=201)


def nonneg_curve_points(figure):
    curves = tagged(figure.axes[0], "curve")
    assert len(curves) == 2  # the branches x < 0 and x > 0
    return np.concatenate([line.get_xdata() for line in curves]), np.concatenate([line.get_ydata() for line in curves])


def test_nonneg_curve_is_the_article_formula(nonneg_figure):
    x, y = nonneg_curve_points(nonneg_figure)
    assert x.size == 200 and np.all(x != 0)  # x = 0 itself is left out: the curve diverges there
    assert_allclose(y, -np.log(x**2) + x**2 - 1, rtol=1e-12, atol=1e-12)


@FEW
@given(st.data())
def test_nonneg_curve_is_twice_the_kl_at_mu_0(nonneg_figure, data):
    x, y = nonneg_curve_points(nonneg_figure)
    i = data.draw(st.integers(0, x.size - 1))
    assert_allclose(y[i], 2 * kl_by_quadrature(0.0, abs(x[i])), rtol=1e-7, atol=1e-10)


def test_nonneg_curve_is_never_negative(nonneg_figure):
    _, y = nonneg_curve_points(nonneg_figure)
    assert y.min() >= 0.0


def test_nonneg_curve_near_its_zero_equals_the_formula_in_60_digits():
    figure = plots.kl_nonneg(x_range=(1 - 1e-7, 1 + 1e-7), resolution=41)
    (curve,) = tagged(figure.axes[0], "curve")
    x, y = curve.get_xdata(), curve.get_ydata()
    with mpmath.workdps(60):  # -log x^2 + x^2 - 1 ~ 2 (x - 1)^2 ~ 1e-14: float64 cancels all but 2 digits of it
        expected = [float(-mpmath.log(mpmath.mpf(v) ** 2) + mpmath.mpf(v) ** 2 - 1) for v in x]
    assert_allclose(y, expected, rtol=1e-12, atol=0)


def test_nonneg_curve_zeros_are_marked_at_plus_minus_1(nonneg_figure):
    markers = tagged(nonneg_figure.axes[0], "minimum")
    points = sorted((float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in markers)
    assert_allclose(points, [(-1.0, 0.0), (1.0, 0.0)], atol=1e-6)


def minimum_labels(figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].texts if text.get_gid() == "minimum-label"]


@pytest.mark.parametrize("x_range", [(-3.0, 3.0), (0.5, 2.0), (-2.0, -0.25), (-1.0, 1.0), (1.0, 4.0), (-7.0, 0.9)])
def test_nonneg_zeros_are_labelled_0_not_rounding_noise(x_range):
    """Where the range holds x = 1 or x = -1, the curve is 0 there exactly: the label says y = 0, and no text of
    the figure is a number in e-notation."""
    figure = plots.kl_nonneg(x_range=x_range, resolution=101)
    zeros = [x for x in (-1.0, 1.0) if x_range[0] <= x <= x_range[1]]
    labels = minimum_labels(figure)
    assert sum(label.endswith("y = 0") for label in labels) == len(zeros)
    texts = [text.get_text() for axes in figure.axes for text in axes.texts] + [figure.axes[0].get_title()]
    assert not any("e-" in text for text in texts), texts


@pytest.mark.parametrize("x_range, nearest", [((1.5, 3.0), 1.5), ((0.1, 0.5), 0.5), ((-4.0, -2.0), -2.0)])
def test_nonneg_lowest_value_away_from_the_zeros_is_the_curve_at_the_nearest_end(x_range, nearest):
    (label,) = minimum_labels(plots.kl_nonneg(x_range=x_range, resolution=101))
    expected = -math.log(nearest**2) + nearest**2 - 1
    assert_allclose(float(label.rsplit("y = ", 1)[1]), expected, rtol=5e-3)


# ---------------------------------------------------------------- jensen-gap

def jensen_lines(figure):
    (upper,), (lower,) = tagged(figure.axes[0], "log-of-mean"), tagged(figure.axes[0], "mean-of-log")
    return upper.get_xdata(), upper.get_ydata(), lower.get_ydata()


def test_jensen_exp_curves_are_the_lognormal_moments():
    # drawn relative to log g(mu) = mu: log E[e^z] - mu = sigma^2/2 and E[log e^z] - mu = 0
    sigma, log_of_mean, mean_of_log = jensen_lines(plots.jensen_gap("exp", mu=0.5, resolution=21))
    assert_allclose(log_of_mean, sigma**2 / 2, rtol=1e-12, atol=1e-12)
    assert_allclose(mean_of_log, 0.0, atol=1e-12)


@FEW
@given(st.data())
def test_jensen_curves_equal_quadrature_for_one_plus_square(data):
    sigma, log_of_mean, mean_of_log = jensen_lines(jensen_square_figure())
    i = data.draw(st.integers(0, sigma.size - 1))
    z = stats.norm(0.3, sigma[i]) if sigma[i] > 0 else None
    if z is None:
        expected_mean, expected_log = 1 + 0.3**2, np.log1p(0.3**2)
    else:
        expected_mean = z.expect(lambda v: 1 + v**2, epsabs=1e-12)
        expected_log = z.expect(lambda v: np.log1p(v**2), epsabs=1e-12, epsrel=1e-10)
    log_g_mu = np.log1p(0.3**2)  # the curves are drawn relative to log g(mu)
    assert_allclose([log_of_mean[i], mean_of_log[i]], [np.log(expected_mean) - log_g_mu, expected_log - log_g_mu],
                    rtol=1e-7, atol=1e-9)


def assert_jensen_exp_gap_is_half_sigma_squared(mu: float) -> None:
    """For g = exp, log E[e^z] - mu = sigma^2 / 2 and E[log e^z] - mu = 0 at every mu (lognormal moments)."""
    figure = plots.jensen_gap("exp", mu=mu, resolution=5)
    sigma, log_of_mean, mean_of_log = jensen_lines(figure)
    assert_allclose(log_of_mean, sigma**2 / 2, rtol=1e-12, atol=0)
    assert_allclose(mean_of_log, 0.0, atol=0)
    assert_allclose(jensen_gap_value(figure), sigma[-1] ** 2 / 2, rtol=5e-3)


def jensen_gap_value(figure) -> float:
    (text,) = [text for text in figure.axes[0].texts if text.get_gid() == "gap-value"]
    return float(text.get_text().split()[1])


@FEW
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_jensen_exp_gap_is_half_sigma_squared_at_any_mu(mu):
    assert_jensen_exp_gap_is_half_sigma_squared(mu)


def assert_jensen_square_gap_far_out(mu: float) -> None:
    """For g = 1 + z^2 and |mu| >= 1e10: log E[g] - log g(mu) = log1p(sigma^2 / (1 + mu^2)) = sigma^2/mu^2 and
    E[log g] - log g(mu) = -sigma^2/mu^2, so the gap is 2 sigma^2/mu^2, each up to a relative O(sigma^2/mu^2)
    below 1e-19 (expand log1p(r), r = (2 mu t + t^2)/(1 + mu^2), to second order in t = sigma eps)."""
    figure = plots.jensen_gap("1+z^2", mu=mu, resolution=5)
    sigma, log_of_mean, mean_of_log = jensen_lines(figure)
    ratio = (sigma / mu) ** 2
    assert_allclose(log_of_mean, ratio, rtol=1e-12, atol=0)
    assert_allclose(mean_of_log, -ratio, rtol=1e-12, atol=0)
    assert_allclose(jensen_gap_value(figure), 2 * ratio[-1], rtol=5e-3)  # printed to 3 digits, never negative


@FEW
@given(st.floats(1e10, 1e150), st.sampled_from([1.0, -1.0]))
def test_jensen_gap_for_one_plus_square_is_2_sigma2_over_mu2_far_out(size, sign):
    assert_jensen_square_gap_far_out(sign * size)


def test_jensen_far_out_check_rejects_a_gap_taken_as_a_difference(monkeypatch):
    import mathcheck.plots.jensen
    from scipy.special import logsumexp

    def difference(log_weights, rise):  # log E[e^d] - E[d]: two nearly equal numbers subtracted
        return float(logsumexp(rise + log_weights) - np.exp(log_weights) @ rise)

    monkeypatch.setattr(mathcheck.plots.jensen, "_excess", difference)
    with pytest.raises(AssertionError):
        assert_jensen_square_gap_far_out(1e17)


_JENSEN_SQUARE = []


def jensen_square_figure():
    if not _JENSEN_SQUARE:
        _JENSEN_SQUARE.append(plots.jensen_gap("1+z^2", mu=0.3, spread_range=(0.0, 3.0), resolution=31))
    return _JENSEN_SQUARE[0]


def test_jensen_shading_fills_exactly_the_gap():
    figure = jensen_square_figure()
    sigma, log_of_mean, mean_of_log = jensen_lines(figure)
    assert np.all(log_of_mean >= mean_of_log - 1e-12)  # equal at sigma = 0, up to rounding
    (shade,) = tagged(figure.axes[0], "gap")
    vertices = shade.get_paths()[0].vertices
    top = np.interp(vertices[:, 0], sigma, log_of_mean)
    bottom = np.interp(vertices[:, 0], sigma, mean_of_log)
    assert np.all((vertices[:, 1] <= top + 1e-12) & (vertices[:, 1] >= bottom - 1e-12))
    assert_allclose([vertices[:, 1].min(), vertices[:, 1].max()], [mean_of_log.min(), log_of_mean.max()])


DISTRIBUTION = re.compile(r"\\mathcal\{N\}\(([^()]*)\)")


@pytest.mark.parametrize("g, mu", [("exp", 0.0), ("exp", 1.0), ("1+z^2", -2.5), ("1+z^2", 1e17)])
def test_jensen_title_and_axis_name_the_same_distribution(g, mu):
    axes = plots.jensen_gap(g, mu=mu, resolution=5).axes[0]
    in_title, on_axis = DISTRIBUTION.findall(axes.get_title()), DISTRIBUTION.findall(axes.get_xlabel())
    assert in_title and in_title == on_axis
    assert f"\\mu = {mu:g}" in axes.get_title()  # the mean the curves were computed for


# ---------------------------------------------------------------- elbo-gap

W, B, S, X = 1.5, 0.0, 0.5, 2.0  # the default model of mathcheck.plots.elbo


def log_joint(z):
    return stats.norm.logpdf(X, W * z + B, S) + stats.norm.logpdf(z)


def joint(z):
    return np.exp(log_joint(z))


@functools.cache
def evidence_by_quadrature() -> float:
    return integrate.quad(joint, -30, 30, epsabs=0, epsrel=1e-13, limit=200)[0]


@functools.cache
def posterior_by_quadrature() -> tuple[float, float]:
    evidence = evidence_by_quadrature()
    mean = integrate.quad(lambda z: z * joint(z), -30, 30, epsabs=0, epsrel=1e-13, limit=200)[0] / evidence
    second = integrate.quad(lambda z: z * z * joint(z), -30, 30, epsabs=0, epsrel=1e-13, limit=200)[0] / evidence
    return mean, np.sqrt(second - mean**2)


def elbo_by_quadrature(m: float, t: float) -> float:
    q = stats.norm(m, t)
    integrand = lambda z: q.pdf(z) * (log_joint(z) - q.logpdf(z))  # noqa: E731; log domain: joint underflows
    return integrate.quad(integrand, m - 12 * t, m + 12 * t, epsabs=1e-12, epsrel=1e-11, limit=200)[0]


@pytest.fixture(scope="module")
def elbo_figure():
    return plots.elbo_gap(observed=X, resolution=15)


def test_elbo_star_is_the_posterior(elbo_figure):
    (star,) = tagged(tagged(elbo_figure, "elbo-map")[0], "posterior")
    assert_allclose(np.ravel(star.get_data()), posterior_by_quadrature(), rtol=1e-7)


def test_posterior_check_rejects_a_prior_forgotten_in_the_update(monkeypatch):
    from mathcheck.plots.elbo import LinearGaussian

    def likelihood_only(model):  # precision w^2/s^2 without the prior's 1
        precision = model.weight**2 / model.noise**2
        return model.weight * (model.observed - model.bias) / model.noise**2 / precision, precision**-0.5

    monkeypatch.setattr(LinearGaussian, "posterior", likelihood_only)
    with pytest.raises(AssertionError):
        test_elbo_star_is_the_posterior(plots.elbo_gap(observed=X, resolution=5))


@FEW
@given(st.data())
def test_elbo_slice_curves_equal_quadrature(elbo_figure, data):
    along = data.draw(st.sampled_from(["m", "t"]))
    (axes,) = tagged(elbo_figure, f"slice-{along}")
    (log_px_line,), (elbo_line,), (kl_points,) = (tagged(axes, gid) for gid in ("log-evidence", "elbo", "kl"))
    mean, scale = posterior_by_quadrature()
    x = elbo_line.get_xdata()
    i = data.draw(st.integers(0, x.size - 1))
    m, t = (x[i], scale) if along == "m" else (mean, x[i])
    log_px = np.log(evidence_by_quadrature())
    assert_allclose(log_px_line.get_ydata()[0], log_px, rtol=1e-9)
    assert_allclose(elbo_line.get_ydata()[i], elbo_by_quadrature(m, t), rtol=1e-7, atol=1e-9)
    kl = kl_by_quadrature(m, t, mean, scale)
    assert_allclose(log_px - kl_points.get_ydata()[i], kl, rtol=1e-6, atol=1e-9)


def test_elbo_gap_equals_kl_over_the_grid(elbo_figure):
    (points,) = tagged(tagged(elbo_figure, "gap-vs-kl")[0], "gap")
    kl, gap = points.get_data()
    assert kl.size == 15 * 15
    assert_allclose(gap, kl, rtol=1e-9, atol=1e-11)
    assert np.all(kl >= 0)


LIKELIHOOD_MEAN = re.compile(r"p\(X\|z\)=\\mathcal\{N\}\(([^,]*),")


@pytest.mark.parametrize("weight, bias, written", [(1.5, 0.0, "1.5z"), (1.5, -2.0, "1.5z-2"), (1.0, 0.5, "z+0.5")])
def test_elbo_title_writes_the_likelihood_mean_as_the_model_has_it(weight, bias, written):
    from mathcheck.linear_gaussian import LinearGaussian

    figure = plots.elbo_gap(model=LinearGaussian(observed=X, weight=weight, bias=bias), resolution=5)
    assert LIKELIHOOD_MEAN.findall(figure.get_suptitle()) == [written]


TINY_SCALES = (1e-300, 1e-299)


@pytest.fixture(scope="module")
def tiny_scale_figure():
    return plots.elbo_gap(observed=X, scale_range=TINY_SCALES, resolution=5)


def assert_elbo_at_tiny_scale_is_log_joint_plus_entropy(figure) -> None:
    """For q = N(m, t^2): E_q[log p(X, z)] = log p(X, m) - t^2 (W^2/S^2 + 1)/2 (the integrand is quadratic in z)
    and -E_q[log q] = log t + log(2 pi e)/2; at t = 1e-300 the t^2 term is far below float64 resolution."""
    (line,) = tagged(tagged(figure, "slice-t")[0], "elbo")
    t = line.get_xdata()
    mean, _ = posterior_by_quadrature()  # the slice's m; log p(X, m) is stationary there
    assert_allclose(line.get_ydata(), log_joint(mean) + np.log(t) + 0.5 * np.log(2 * np.pi * np.e), rtol=1e-12)


def test_elbo_at_tiny_scale_is_log_joint_plus_entropy(tiny_scale_figure):
    assert_elbo_at_tiny_scale_is_log_joint_plus_entropy(tiny_scale_figure)


def test_elbo_gap_equals_kl_at_tiny_scale(tiny_scale_figure):
    (points,) = tagged(tagged(tiny_scale_figure, "gap-vs-kl")[0], "gap")
    kl, gap = points.get_data()
    assert kl.size == 5 * 5
    assert_allclose(gap, kl, rtol=1e-12)


def test_elbo_map_at_tiny_scale_shows_the_requested_ranges(tiny_scale_figure):
    (axes,) = tagged(tiny_scale_figure, "elbo-map")
    assert_allclose(axes.get_ylim(), TINY_SCALES, rtol=1e-12)  # not stretched to reach the posterior star
    filled = next(c for c in axes.collections if isinstance(c, QuadContourSet) and c.filled)
    assert sum(len(path.vertices) for path in filled.get_paths()) > 0


def test_tiny_scale_check_rejects_log_q_taken_from_recovered_nodes(monkeypatch):
    from mathcheck.linear_gaussian import LinearGaussian

    def recovered_nodes(model, mean, scale):  # log q at (z - m)/t: rounds t * node away when t << |m|
        nodes, weights = np.polynomial.hermite_e.hermegauss(8)
        mean, scale = np.broadcast_arrays(np.asarray(mean, float), np.asarray(scale, float))
        z = mean[..., None] + scale[..., None] * nodes
        log_q = stats.norm.logpdf(z, mean[..., None], scale[..., None])
        return (model.log_joint(z) - log_q) @ (weights / weights.sum())

    monkeypatch.setattr(LinearGaussian, "elbo", recovered_nodes)
    with pytest.raises(AssertionError):
        assert_elbo_at_tiny_scale_is_log_joint_plus_entropy(plots.elbo_gap(observed=X, scale_range=TINY_SCALES,
                                                                            resolution=5))


# ---------------------------------------------------------------- reparam-variance

MU, SAMPLES = 1.0, 4000


def moments_of_estimator(estimator, sigma: float) -> tuple[float, float, float]:
    """Mean, variance and fourth central moment of a one-sample estimator g(eps), eps ~ N(0, 1)."""
    eps = stats.norm()
    mean = eps.expect(estimator, epsabs=1e-12)
    variance = eps.expect(lambda e: (estimator(e) - mean) ** 2, epsabs=1e-12)
    fourth = eps.expect(lambda e: (estimator(e) - mean) ** 4, epsabs=1e-12)
    return mean, variance, fourth


# one-sample estimates for f(z) = z^2, z = mu + sigma eps, written out from their definitions
ESTIMATORS = {
    ("pathwise", 0): lambda s: lambda e: 2 * (MU + s * e),                                  # f'(z) dz/dmu
    ("pathwise", 1): lambda s: lambda e: 2 * (MU + s * e) * e,                              # f'(z) dz/dsigma
    ("score", 0): lambda s: lambda e: (MU + s * e) ** 2 * e / s,                             # f(z) (z-mu)/sigma^2
    ("score", 1): lambda s: lambda e: (MU + s * e) ** 2 * (e**2 - 1) / s,                    # f(z) ((z-mu)^2/sigma^3 - 1/sigma)
}


@pytest.fixture(scope="module")
def reparam_figure():
    return plots.reparam_variance("square", mu=MU, sigma_range=(0.1, 3.0), resolution=4, samples=SAMPLES)


def test_reparam_variances_match_their_integrals(reparam_figure):
    for column, parameter in enumerate(("mu", "sigma")):
        (axes,) = tagged(reparam_figure, f"d-{parameter}")
        for estimator in ("pathwise", "score"):
            (line,) = tagged(axes, estimator)
            for sigma, measured in zip(line.get_xdata(), line.get_ydata()):
                _, variance, fourth = moments_of_estimator(ESTIMATORS[estimator, column](sigma), sigma)
                standard_error = np.sqrt((fourth - variance**2) / SAMPLES)
                assert abs(measured - variance) < 6 * standard_error, (estimator, column, sigma)


def test_reparam_pathwise_beats_score_function(reparam_figure):
    for parameter in ("mu", "sigma"):
        (axes,) = tagged(reparam_figure, f"d-{parameter}")
        (pathwise,), (score,) = tagged(axes, "pathwise"), tagged(axes, "score")
        assert np.all(pathwise.get_ydata() < score.get_ydata())


def test_reparam_estimators_are_unbiased():
    from mathcheck.plots.reparam import variance_curves

    sigma, curves = variance_curves("square", mu=MU, sigma_range=(0.1, 3.0), resolution=3,
                                                  samples=SAMPLES)
    for (estimator, parameter), curve in curves.items():
        truth = 2 * MU if parameter == "mu" else 2 * sigma  # d/dmu, d/dsigma of E[z^2] = mu^2 + sigma^2
        assert np.all(np.abs(curve["mean"] - truth) < 6 * np.sqrt(curve["variance"] / SAMPLES))


def test_reparam_variance_just_above_the_float64_bound_matches_its_integral():
    from mathcheck.plots.reparam import variance_curves

    mu = 1e8  # float64 steps of 1.5e-8 near mu: sigma from 0.031 is allowed
    sigma, curves = variance_curves("sin", mu=mu, sigma_range=(0.04, 1.0), resolution=3, samples=SAMPLES)
    cos_mu, sin_mu = math.cos(mu), math.sin(mu)
    for s, measured in zip(sigma, curves["pathwise", "mu"]["variance"]):
        # d/dmu sin(mu + s e) = cos(mu + s e) = cos mu cos(s e) - sin mu sin(s e): no z = mu + s e is rounded
        _, variance, fourth = moments_of_estimator(lambda e: cos_mu * np.cos(s * e) - sin_mu * np.sin(s * e), s)
        assert abs(measured - variance) < 6 * np.sqrt((fourth - variance**2) / SAMPLES), s
