"""``mathcheck plot``: files of each format are valid, bad requests are one error line and exit code 2."""
from __future__ import annotations

import subprocess
import sys
import warnings
import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mathcheck.cli import main

SMALL = {  # the cheapest options that still draw the whole figure
    "kl-surface": ["--resolution", "5"],
    "kl-nonneg": ["--resolution", "21"],
    "jensen-gap": ["--resolution", "5"],
    "elbo-gap": ["--resolution", "5"],
    "reparam-variance": ["--resolution", "2", "--samples", "200"],
}
HEADERS = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


def plot(*argv: str) -> int:
    return main(["plot", *argv])


def plot_strictly(*argv: str) -> int:
    """plot(...) with every warning an error: a numpy RuntimeWarning turns into exit 3 instead of a stray line."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return plot(*argv)


def assert_one_error_line(capsys, *fragments: str) -> None:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mathcheck: error: "), captured.err
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_plot_writes_a_png(tmp_path, capsys, name):
    out = tmp_path / f"{name}.png"
    assert plot(name, "--out", str(out), *SMALL[name]) == 0
    assert out.read_bytes().startswith(HEADERS["png"])
    assert capsys.readouterr().out.strip() == f"wrote {out}"


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_format_follows_the_extension(tmp_path, fmt):
    out = tmp_path / f"curve.{fmt.upper() if fmt == 'pdf' else fmt}"  # the extension's case does not matter
    assert plot("kl-nonneg", "--out", str(out), *SMALL["kl-nonneg"]) == 0
    data = out.read_bytes()
    if fmt == "svg":
        root = ElementTree.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    else:
        assert data.startswith(HEADERS[fmt])
        if fmt == "pdf":
            assert b"%%EOF" in data[-32:]


BAD_REQUESTS = [
    (["reparam-variance", "--seed", "-1"], ["seed must be an integer from 0"]),
    (["reparam-variance", "--seed", str(2**64)], ["seed must be an integer from 0"]),
    (["kl-surface", "--sigma-range", "0", "2"], ["sigma range", "> 0"]),
    (["kl-surface", "--sigma-range", "-1", "2"], ["sigma range"]),
    (["elbo-gap", "--sigma-range", "0", "1"], ["sigma range"]),
    (["reparam-variance", "--sigma-range", "-0.5", "1"], ["sigma range"]),
    (["jensen-gap", "--sigma-range", "-0.1", "1"], ["sigma range", ">= 0"]),
    (["jensen-gap", "--sigma-range", "0", "1e6"], ["sigma range"]),
    (["kl-surface", "--mu-range", "1", "1"], ["empty"]),
    (["kl-nonneg", "--x-range", "2", "-2"], ["empty"]),
    (["kl-nonneg", "--x-range", "nan", "1"], ["finite"]),
    (["kl-surface", "--mu-range", "1e160", "2e160"], ["float64"]),
    (["kl-surface", "--resolution", "1"], ["resolution"]),
    (["jensen-gap", "--function", "cosh"], ["cosh", "exp"]),
    (["reparam-variance", "--function", "exp"], ["exp", "square"]),
    (["reparam-variance", "--samples", "5"], ["samples"]),
    (["kl-nonneg", "--log-sigma"], ["--log-sigma", "kl-nonneg"]),
    (["no-such-plot"], ["no-such-plot", "kl-surface"]),
    # numerical extremes: finite inputs whose figure float64 or matplotlib cannot draw correctly
    (["kl-surface", "--mu-range", "-1e308", "1e308"], ["mu range", "too wide", "overflows"]),
    (["elbo-gap", "--mu-range", "-1e308", "1e308"], ["mu range", "too wide", "overflows"]),
    (["kl-nonneg", "--x-range", "-1e308", "1e308"], ["x range", "too wide", "overflows"]),
    (["kl-nonneg", "--x-range", "1e153", "1.3e154"], ["1.69e+308", "axis"]),
    (["kl-nonneg", "--x-range", "1e-300", "1e-299"], ["too close to 0"]),
    (["kl-nonneg", "--x-range", "1", "1.0000000000001"], ["too narrow", "--resolution"]),
    (["kl-surface", "--sigma-range", "1e-300", "1e-299"], ["too close to 0", "--log-sigma"]),
    (["kl-surface", "--log-sigma", "--sigma-range", "1e-300", "1e150"], ["log axis"]),
    (["elbo-gap", "--sigma-range", "1e100", "1e153"], ["ELBO", "axis"]),
    (["elbo-gap", "--sigma-range", "1e-100", "1e100"], ["KL", "log axis"]),
    (["jensen-gap", "--sigma-range", "0", "1e-290"], ["too close to 0"]),
    (["reparam-variance", "--function", "sin", "--mu", "1e17"], ["too small for mu = 1e+17", "3.36e+07"]),
    (["reparam-variance", "--function", "sin", "--mu", "1e300"], ["mu = 1e+300", "too large"]),
    (["reparam-variance", "--sigma-range", "1e80", "1e81"], ["sigma range", "1e-75", "1e+75"]),
    (["reparam-variance", "--function", "sin", "--mu", "0", "--sigma-range", "1e-9", "1e-8"],
     ["pathwise", "float64", "variance"]),
]


@pytest.mark.parametrize("argv, fragments", BAD_REQUESTS, ids=[" ".join(a) for a, _ in BAD_REQUESTS])
def test_bad_request_is_one_line_and_exit_2(tmp_path, capsys, argv, fragments):
    out = tmp_path / "figure.png"
    assert plot_strictly(argv[0], "--out", str(out), *argv[1:]) == 2
    assert_one_error_line(capsys, *fragments)
    assert not out.exists()


EXTREMES_THAT_DRAW = [
    ["jensen-gap", "--mu", "1e308"],
    ["jensen-gap", "--function", "1+z^2", "--mu", "-1e308"],
    ["jensen-gap", "--function", "1+z^2", "--mu", "1e17"],
    ["elbo-gap", "--sigma-range", "1e-300", "1e-299"],
    ["kl-surface", "--log-sigma", "--sigma-range", "1e-300", "1e-299"],
    ["kl-surface", "--mu-range", "1e153", "1.3e153"],
    ["reparam-variance", "--mu", "0", "--sigma-range", "1e-75", "1e-74"],
    ["reparam-variance", "--function", "sin", "--mu", "1e17", "--sigma-range", "4e7", "1e8"],
]


@pytest.mark.parametrize("argv", EXTREMES_THAT_DRAW, ids=[" ".join(a) for a in EXTREMES_THAT_DRAW])
def test_extreme_request_that_float64_resolves_draws_without_warnings(tmp_path, capsys, argv):
    out = tmp_path / "figure.png"
    assert plot_strictly(argv[0], "--out", str(out), *argv[1:], *SMALL[argv[0]]) == 0
    assert out.read_bytes().startswith(HEADERS["png"])
    assert capsys.readouterr().err == ""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lo=st.floats(-1e6, 0.0), width=st.floats(1e-3, 1e3))
def test_sigma_range_touching_zero_or_below_is_refused(tmp_path, capsys, lo, width):
    assert plot("kl-surface", "--out", str(tmp_path / "kl.png"), "--sigma-range", repr(lo), repr(lo + width)) == 2
    assert_one_error_line(capsys, "sigma range")


def test_unwritable_path_is_one_line_and_exit_2(tmp_path, capsys):
    out = tmp_path / "missing-folder" / "curve.png"
    assert plot("kl-nonneg", "--out", str(out), *SMALL["kl-nonneg"]) == 2
    assert_one_error_line(capsys, "cannot write", "missing-folder")


@pytest.mark.parametrize("name", ["curve.jpg", "curve", "curve.png.txt"])
def test_unknown_extension_is_one_line_and_exit_2(tmp_path, capsys, name):
    assert plot("kl-nonneg", "--out", str(tmp_path / name)) == 2
    assert_one_error_line(capsys, "extension", ".png")


def test_missing_out_is_one_line_and_exit_2(capsys):
    assert plot("kl-nonneg") == 2
    assert_one_error_line(capsys, "--out")


def test_import_is_cheap_and_drawing_leaves_no_pyplot_state(tmp_path):
    script = (
        "import sys\n"
        "heavy = ('matplotlib', 'numpy', 'scipy', 'torch')\n"
        "before = {m for m in heavy if m in sys.modules}\n"
        "import mathcheck.plots\n"
        "added = {m for m in heavy if m in sys.modules} - before\n"
        "assert not added, added\n"
        "import mathcheck.cli\n"
        f"assert mathcheck.cli.main(['plot', 'kl-nonneg', '--out', {str(tmp_path / 'c.png')!r}]) == 0\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
