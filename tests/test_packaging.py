"""The package as a user installs it: the wheel's layout and metadata, ``--version``, a light ``import mathcheck``.

The repository keeps ``derivations/`` and ``vae_min/`` at its top; the build maps them to
``mathcheck.derivations`` and ``mathcheck.vae_min``, so that nothing generic lands at the top of site-packages.
The wheel is built once per module, offline (``--no-build-isolation``: setuptools comes with the ``test``
extra), from a copy of the sources, so that a stale ``build/`` folder cannot leak into it.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    tomllib = pytest.importorskip("tomli")

import mathcheck
from mathcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAPPED = {"derivations": "mathcheck/derivations", "vae_min": "mathcheck/vae_min"}  # repository folder -> wheel
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "mathcheck", *MAPPED,
           "docs", "tests", "notebooks", "benchmarks")  # MANIFEST.in grafts the last four (into the sdist only)
BUILD_TIMEOUT_S = 120  # the build takes a few seconds; this only stops a hung one
HEAVY = ("sympy", "numpy", "scipy", "torch")
# an import line of code, of a notebook's JSON (") or of a doctest (>>> , ...)
BARE_IMPORT = re.compile(r'^\s*(?:"|>>> |\.\.\. )?(from|import) (derivations|vae_min)\b', re.M)


def package_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> dict:
    """The built wheel: its file names, its METADATA and entry points, and the build's output."""
    source = tmp_path_factory.mktemp("source")
    litter = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".ipynb_checkpoints")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=litter)
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-v", "-w", str(out)],
        cwd=source, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    [path] = out.glob("mathcheck-*.whl")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        return {
            "names": set(names),
            "dist_info": dist_info,
            "metadata": archive.read(f"{dist_info}/METADATA").decode(),
            "entry_points": archive.read(f"{dist_info}/entry_points.txt").decode(),
            "log": build.stdout + build.stderr,
        }


def metadata_headers(metadata: str, field: str) -> list[str]:
    header = metadata.split("\n\n", 1)[0]
    return [line.split(": ", 1)[1] for line in header.splitlines() if line.startswith(f"{field}: ")]


def test_wheel_holds_every_package_file_at_its_mapped_place(wheel):
    expected = {p.relative_to(ROOT).as_posix() for p in package_files(ROOT / "mathcheck")}
    for folder, target in MAPPED.items():
        expected |= {f"{target}/{p.relative_to(ROOT / folder).as_posix()}" for p in package_files(ROOT / folder)}
    assert expected - wheel["names"] == set()


def test_wheel_has_nothing_at_the_top_but_mathcheck(wheel):
    assert {name.split("/")[0] for name in wheel["names"]} == {"mathcheck", wheel["dist_info"]}


def test_wheel_ships_the_license_text(wheel):
    assert f"{wheel['dist_info']}/licenses/LICENSE" in wheel["names"]


def test_wheel_metadata_declares_mit_as_an_spdx_expression(wheel):
    assert metadata_headers(wheel["metadata"], "License-Expression") == ["MIT"]
    assert metadata_headers(wheel["metadata"], "License") == []  # the deprecated free-text field


def test_wheel_metadata_lists_the_declared_classifiers(wheel):
    assert metadata_headers(wheel["metadata"], "Classifier") == PYPROJECT["project"]["classifiers"]


@pytest.mark.parametrize("extra", ["test", "notebooks", "jax", "tensorflow"])
def test_wheel_metadata_offers_the_extra(wheel, extra):
    assert extra in metadata_headers(wheel["metadata"], "Provides-Extra")


def test_wheel_declares_the_console_script(wheel):
    assert "mathcheck = mathcheck.cli:main" in wheel["entry_points"]


def test_wheel_build_prints_no_deprecation_warning(wheel):
    assert re.search("deprecat", wheel["log"], re.I) is None, wheel["log"][-3000:]


def test_version_is_the_installed_distribution_version():
    assert mathcheck.__version__ == importlib.metadata.version("mathcheck") == PYPROJECT["project"]["version"]


def test_version_option_prints_the_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"mathcheck {mathcheck.__version__}\n"


@pytest.mark.parametrize("module", ["mathcheck", "mathcheck.derivations", "mathcheck.vae_min"])
def test_importing_the_package_loads_no_heavy_library(module, tmp_path):
    probe = f"import sys, json, {module}; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


@pytest.mark.parametrize("folder", sorted(MAPPED))
def test_bare_folder_name_refuses_to_load_a_second_copy(folder, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    with pytest.raises(ImportError, match=f"import mathcheck.{folder} instead"):
        importlib.import_module(folder)
    assert folder not in sys.modules


def test_registry_loads_the_derivations_under_the_mapped_name():
    from mathcheck.registry import derivation_modules

    modules = derivation_modules().values()
    assert modules and all(module.__name__.startswith("mathcheck.derivations.") for module in modules)


@pytest.mark.parametrize("path", [
    *(p for folder in ("mathcheck", "tests", "benchmarks", *MAPPED) for p in package_files(ROOT / folder)),
    *sorted((ROOT / "notebooks").glob("*.ipynb")),
    ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "docs").rglob("*.py")),
], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_repository_code_imports_only_the_mapped_names(path):
    assert BARE_IMPORT.findall(path.read_text(encoding="utf-8")) == []
