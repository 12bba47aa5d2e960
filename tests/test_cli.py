"""The command line, in-process through ``main(argv) -> int``."""
import json
import math
import subprocess
import sys
import types
import xml.etree.ElementTree as ElementTree

import pytest
import sympy as sp

from mathcheck import registry
from mathcheck.calc import calc
from mathcheck.cli import main
from mathcheck.vocab import KL, X, p, q, z


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_derivation(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert all(name in out for name in registry.derivation_modules())


def test_show_prints_the_chain_and_its_justifications(capsys):
    code, out, _ = run(capsys, "show", "elbo_le_log_evidence")
    assert code == 0 and "Jensen: log is concave" in out and "conclusion: log(p(X)) ≥ L(X, z)" in out


def test_show_latex_prints_an_aligned_block(capsys):
    code, out, _ = run(capsys, "show", "gaussian_kl_std", "--latex")
    assert code == 0 and "\\begin{aligned}" in out and "\\end{aligned}" in out


def test_verify_json_follows_the_contract(capsys):
    code, out, _ = run(capsys, "verify", "bayes_rule", "gaussian_kl_std", "--format", "json", "--examples", "5")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"ok", "seconds", "derivations"} and report["ok"] is True
    entry = report["derivations"][0]
    assert {"name", "title", "source", "conclusion", "verdict", "steps"} <= set(entry)
    assert set(entry["steps"][0]) == {"index", "relation", "lhs", "rhs", "why", "verdict", "detail"}
    assert all(step["verdict"] == "proved" for e in report["derivations"] for step in e["steps"])


def test_verify_junit_is_valid_xml(capsys):
    code, out, _ = run(capsys, "verify", "jensen_log", "--format", "junit", "--examples", "5")
    suite = ElementTree.fromstring(out)
    assert code == 0 and suite.get("tests") == "1" and suite.get("failures") == "0"


def test_verify_markdown_has_a_table_row_per_step(capsys):
    code, out, _ = run(capsys, "verify", "kl_decomposition", "--format", "markdown", "--examples", "5")
    assert code == 0 and out.count("✔ proved") >= 6


@pytest.mark.parametrize("argv, message", [
    ([], "missing command"),
    (["verify", "no_such_derivation"], "unknown name 'no_such_derivation'"),
    (["show", "nope"], "unknown name"),
    (["verify-all", "--examples", "0"], "positive integer"),
    (["verify-all", "--examples", "many"], "positive integer"),
    (["verify-all", "--format", "yaml"], "invalid choice"),
    (["frobnicate"], "unknown command 'frobnicate'"),
])
def test_usage_errors_give_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mathcheck: error:") and message in err


@pytest.fixture
def wrong_derivation(monkeypatch):
    q_z = q(z, given=X)
    chain = calc(sp.log(p(X)) - sp.Symbol("c", real=True) * 0 - KL(q_z, p(z, given=X)),
                 ("=", KL(p(z, given=X), q_z), "swapped on purpose"), name="swapped_kl", title="t", source="test")
    modules = {**registry.derivation_modules(), "swapped_kl": types.SimpleNamespace(CHAIN=chain)}
    monkeypatch.setattr(registry, "derivation_modules", lambda: modules)


def test_a_refuted_step_exits_1_and_shows_its_counterexample(capsys, wrong_derivation):
    code, out, _ = run(capsys, "verify", "swapped_kl", "--examples", "10")
    assert code == 1
    assert out.startswith("FAILED") and "counterexample" in out and "swapped on purpose" in out


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "mathcheck", "show", "bayes_rule"], capture_output=True, text=True)
    assert done.returncode == 0 and "Bayes" in done.stdout


def test_json_report_prints_a_non_finite_number_as_null_not_infinity():
    from mathcheck.report import EntryReport, Report, StepReport, format_json

    step = StepReport(1, "<=", "a", "b", "why", "holds", {"worst": math.inf, "error": float("nan"), "n": 3})
    text = format_json(Report([EntryReport("e", "t", "s", "c", [step], 0.0)], 0.0))
    report = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-JSON constant {name}"))
    assert report["derivations"][0]["steps"][0]["detail"] == {"worst": None, "error": None, "n": 3}


def test_a_closed_output_pipe_ends_quietly_without_an_internal_error(monkeypatch, capsys):
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert main(["list"]) == 141
    assert "internal error" not in capsys.readouterr().err
