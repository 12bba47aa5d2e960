"""The time a cold ``mathcheck audit`` spends outside reading and checking (issue 11, Performance): sympy's
tensor module stands in until used, library versions come without importing importlib.metadata, the
collector's thresholds are raised during the audit only. None of it may change a verdict."""
from __future__ import annotations

import gc
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mathcheck.audit.cache import ENGINE_LIBRARIES
from mathcheck.cli import main
from mathcheck.lazy import installed_version

DOCUMENT = """Let $q(z|x)$ be any density of $z$.

$$
\\log p(x) = \\log \\int p(x, z)\\, dz
$$

$$
(a + b)^2 = a^2 + 2ab + b^2
$$

$$
(a + b)^2 = a^2 + b^2
$$
"""


def fresh_python(code: str, *arguments: str, cache: Path | None = None) -> dict:
    """The JSON the last line of ``code`` prints, run in a fresh interpreter."""
    env = {**os.environ, **({"MATHCHECK_CACHE_DIR": str(cache)} if cache else {})}
    done = subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True, check=True,
                          env=env, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


STAND_IN = """
import json, sys
import sympy
from mathcheck.lazy import stand_in_until_used
placed = stand_in_until_used("sympy.tensor.tensor", ("TensExpr", "TensAdd"))
x, y = sympy.symbols("x y")
total = sympy.expand((x + y) ** 2 + x)
"""


def test_a_sum_with_the_tensor_stand_in_imports_no_combinatorics():
    result = fresh_python(STAND_IN + """
print(json.dumps({"placed": placed, "sum": str(total), "combinatorics": "sympy.combinatorics" in sys.modules}))
""")
    assert result == {"placed": True, "sum": "x**2 + 2*x*y + x + y**2", "combinatorics": False}


def test_the_tensor_stand_in_gives_way_to_the_real_module_on_first_use():
    result = fresh_python(STAND_IN + """
import sympy.tensor.tensor as held
from sympy.tensor.tensor import TensorIndexType, tensor_indices, TensorHead, TensExpr, TensAdd
L = TensorIndexType("L")
i = tensor_indices("i", L)
A, B = TensorHead("A", [L]), TensorHead("B", [L])
tensors = A(i) + B(i)
print(json.dumps({"real": "combinatorics" in repr(sys.modules["sympy.tensor.tensor"].Permutation),
                  "sum": isinstance(tensors, TensAdd) and isinstance(tensors, TensExpr),
                  "held": held.TensExpr is TensExpr, "package": sympy.tensor.tensor.TensAdd is TensAdd}))
""")
    assert result == {"real": True, "sum": True, "held": True, "package": True}


def test_the_stand_in_is_not_put_over_a_module_imported_already():
    import sympy.tensor.tensor  # noqa: F401  (imported: the stand-in must leave it be)
    from mathcheck.lazy import stand_in_until_used

    assert stand_in_until_used("sympy.tensor.tensor", ("TensExpr",)) is False
    assert sys.modules["sympy.tensor.tensor"] is sympy.tensor.tensor


@pytest.mark.parametrize("distribution", [*ENGINE_LIBRARIES, "mathcheck"])
def test_installed_version_is_importlib_metadatas(distribution):
    assert installed_version(distribution) == importlib.metadata.version(distribution)


def test_installed_version_of_a_distribution_not_installed_is_none():
    assert installed_version("no-such-distribution-of-mathcheck") is None


PROBE = """
import json, sys
from mathcheck.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": sorted(sys.modules)}))
"""


def test_a_cold_audit_imports_neither_combinatorics_nor_importlib_metadata(tmp_path):
    document = tmp_path / "notes.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    result = fresh_python(PROBE, "audit", str(document), "--format", "json", cache=tmp_path / "cache")
    assert result["code"] == 1  # the third display is false
    assert "sympy" in result["loaded"]
    assert not {"sympy.combinatorics", "importlib.metadata"} & set(result["loaded"])


def test_an_audit_puts_the_collectors_thresholds_back(tmp_path, capsys):
    document = tmp_path / "notes.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    before = gc.get_threshold()
    main(["audit", str(document), "--no-cache", "--format", "json"])
    assert gc.get_threshold() == before


def test_the_false_step_is_still_refuted_with_the_stand_in(tmp_path, capsys):
    document = tmp_path / "notes.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    code = main(["audit", str(document), "--no-cache", "--format", "json"])
    verdicts = [step["verdict"] for step in json.loads(capsys.readouterr().out)["steps"]]
    assert code == 1 and verdicts == ["proved", "proved", "refuted"]
