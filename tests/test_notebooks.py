"""The notebooks in notebooks/: stored without outputs, and each one runs from top to bottom without an error.

Each notebook is executed once per test session with nbclient (kernel ``python3``, a per-cell timeout) in a
temporary working directory; the executed copy is kept in memory only, never written back. The notebooks
assert their own findings (a refuted step is refuted, a chain passes), so an error anywhere fails the run.
"""
from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
PARTS = {  # one notebook per part of the article
    "01_elbo_and_jensen.ipynb",
    "02_the_gap.ipynb",
    "03_kl_decomposition.ipynb",
    "04_gaussian_kl.ipynb",
    "05_reparameterization_trick.ipynb",
    "06_vae.ipynb",
}
CELL_TIMEOUT_S = 120  # per cell; each notebook takes seconds, this only stops a hung kernel
KERNEL = "python3"

by_name = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def read(path: Path):
    return nbformat.read(str(path), as_version=nbformat.NO_CONVERT)


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def outputs(notebook) -> list:
    return [output for cell in code_cells(notebook) for output in cell.outputs]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``executed(path)``: the notebook after running it (once per module; a failure is re-raised each time)."""
    results: dict[Path, object] = {}

    def run(path: Path):
        if path not in results:
            notebook = read(path)
            client = nbclient.NotebookClient(
                notebook, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL,
                resources={"metadata": {"path": str(tmp_path_factory.mktemp(path.stem))}},
            )
            try:
                client.execute()
                results[path] = notebook
            except Exception as error:  # CellExecutionError, a dead kernel, a timeout
                results[path] = error
        if isinstance(results[path], Exception):
            raise results[path]
        return results[path]

    return run


def test_every_part_of_the_article_has_a_notebook():
    assert {path.name for path in NOTEBOOKS} == PARTS


@by_name
def test_notebook_is_valid_nbformat_for_the_python3_kernel(path):
    notebook = read(path)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == KERNEL


@by_name
def test_notebook_is_stored_without_outputs(path):
    for index, cell in enumerate(code_cells(read(path))):
        assert cell.outputs == [], f"code cell {index} has stored outputs"
        assert cell.execution_count is None, f"code cell {index} has an execution count"


@by_name
def test_notebook_executes_without_error(executed, path):
    notebook = executed(path)
    errors = [output for output in outputs(notebook) if output.output_type == "error"]
    assert errors == []
    assert all(cell.execution_count is not None for cell in code_cells(notebook))


@by_name
def test_notebook_renders_a_chain_in_latex(executed, path):
    latex = [output.data["text/latex"] for output in outputs(executed(path))
             if "data" in output and "text/latex" in output.data]
    assert any("\\begin{aligned}" in text for text in latex)


@by_name
def test_notebook_shows_a_figure_inline(executed, path):
    assert any("data" in output and "image/png" in output.data for output in outputs(executed(path)))
