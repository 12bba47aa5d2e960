"""The check-code catalogue (tests/code_catalogue): its ground truth against the reference math, then what
``mathcheck check-code`` says about every variant, through ``mathcheck.code.check`` and the CLI.

The ground truth runs without the checker; the checker's tests skip while ``mathcheck.code.analysis`` does
not import. JAX and TensorFlow variants skip where the framework is not installed.
"""
from __future__ import annotations

import contextlib
import io
import json
from functools import lru_cache
from pathlib import Path

import pytest

from tests.code_catalogue import reference
from tests.code_catalogue.expected import EXPECTED, GROUPS, MISMATCH, Expected

ROOT = Path(__file__).resolve().parent.parent

# the JSON contract of issue 14, written out here so that a drift of mathcheck.code.report shows
FINDING_CODES = {"kl-sign", "kl-constant", "kl-mean-over-latent", "kl-form", "reconstruction-sign",
                 "reconstruction-form", "reduction-mismatch", "beta", "scale", "parameterization-mismatch",
                 "sampler-std", "sampler-deterministic", "sampler-no-gradient", "nonfinite-at-extremes"}
VERDICTS = {"correct", "convention", "bug", "undecided"}
SEVERITIES = {"bug", "convention", "note"}
ROLES = {"loss", "kl", "reparameterize"}
PARAMETERIZATIONS = {"logvar", "log_sigma", "sigma", "var"}

ALL = sorted(EXPECTED)
NOT_BUGS = [target for target in ALL if EXPECTED[target].verdict != "bug"]
BUGS = [target for target in ALL if EXPECTED[target].verdict == "bug"]
WITH_ONE_OF = [target for target in ALL if EXPECTED[target].one_of]


def _framework_available(expected: Expected) -> None:
    if expected.framework in ("jax", "tensorflow"):
        pytest.importorskip(expected.framework, reason=f"{expected.framework} is not installed (an optional extra)")


# --- the catalogue itself -----------------------------------------------------------------------------------

def test_catalogue_has_forty_torch_and_numpy_variants():
    assert sum(expected.framework in ("torch", "numpy") for expected in EXPECTED.values()) >= 40


@pytest.mark.parametrize("kind", ["kl", "loss", "reparameterize"])
def test_catalogue_has_right_and_wrong_variants_of_each_role(kind):
    verdicts = {expected.verdict for expected in EXPECTED.values() if expected.role == kind}
    assert {"correct", "bug"} <= verdicts


def test_catalogue_names_every_finding_code():
    named = set().union(*(e.present | e.one_of for e in EXPECTED.values()), *(g.present for g in GROUPS.values()))
    assert named == FINDING_CODES


@pytest.mark.parametrize("target", ALL)
def test_catalogue_ground_truth(target):
    """The variant computes what its truth says, by the reference math (no checker involved)."""
    _framework_available(EXPECTED[target])
    reference.check_truth(target)


# --- the checker, through mathcheck.code.check ----------------------------------------------------------------

@pytest.fixture(scope="module")
def code():
    pytest.importorskip("mathcheck.code.analysis",
                        reason="the check-code checker (mathcheck.code.analysis, issue 14) does not import yet")
    import mathcheck.code

    return mathcheck.code


@lru_cache(maxsize=None)
def _report(target: str):
    import mathcheck.code

    expected = EXPECTED[target]
    return mathcheck.code.check((target, reference.load(target)), inputs=expected.inputs or None, seed=0)


def _function_report(code, target: str):
    _framework_available(EXPECTED[target])
    (report,) = _report(target).functions
    return report


def _codes(report) -> set[str]:
    return {finding.code for finding in report.findings}


def _describe(report) -> str:
    findings = "; ".join(f"{f.code} ({f.severity}): {f.message}" for f in report.findings)
    return f"{report.verdict} [{findings}] {report.reason}"


@pytest.mark.parametrize("target", ALL)
def test_checker_verdict(code, target):
    report = _function_report(code, target)
    assert report.verdict == EXPECTED[target].verdict, _describe(report)


@pytest.mark.parametrize("target", ALL)
def test_checker_names_the_required_codes(code, target):
    report = _function_report(code, target)
    assert EXPECTED[target].present <= _codes(report), _describe(report)


@pytest.mark.parametrize("target", WITH_ONE_OF)
def test_checker_names_one_of_the_admissible_codes(code, target):
    report = _function_report(code, target)
    assert EXPECTED[target].one_of & _codes(report), _describe(report)


@pytest.mark.parametrize("target", ALL)
def test_checker_raises_no_forbidden_code(code, target):
    report = _function_report(code, target)
    assert not EXPECTED[target].forbidden & _codes(report), _describe(report)


@pytest.mark.parametrize("target", ALL)
def test_checker_infers_the_role(code, target):
    report = _function_report(code, target)
    assert report.role == EXPECTED[target].role, _describe(report)


@pytest.mark.parametrize("target", ALL)
def test_checker_names_the_framework(code, target):
    assert _function_report(code, target).framework == EXPECTED[target].framework


@pytest.mark.parametrize("target", NOT_BUGS)
def test_checker_reports_the_parameterization_the_behaviour_fits(code, target):
    report = _function_report(code, target)
    assert report.parameterization == EXPECTED[target].parameterization, _describe(report)


@pytest.mark.parametrize("target", BUGS)
def test_checker_findings_carry_evidence(code, target):
    report = _function_report(code, target)
    bugs = [finding for finding in report.findings if finding.severity == "bug"]
    assert bugs and all(finding.evidence for finding in bugs), _describe(report)


@lru_cache(maxsize=None)
def _group_report(name: str):
    import mathcheck.code

    return mathcheck.code.check(*[(target, reference.load(target)) for target in GROUPS[name].targets], seed=0)


def _group_codes(name: str) -> set[str]:
    return {finding.code for report in _group_report(name).functions for finding in report.findings}


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_group_ok(code, name):
    report = _group_report(name)
    assert report.ok == GROUPS[name].ok, report.to_text()


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_group_names_the_required_codes(code, name):
    assert GROUPS[name].present <= _group_codes(name), _group_report(name).to_text()


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_group_raises_no_forbidden_code(code, name):
    assert not GROUPS[name].absent & _group_codes(name), _group_report(name).to_text()


# --- the checker, through the CLI ---------------------------------------------------------------------------

def _cli(capsys, *arguments: str) -> tuple[int, str, str]:
    from mathcheck.cli import main

    status = main(["check-code", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _absolute(target: str) -> str:
    path, _, name = target.partition("::")
    return f"{ROOT / path}::{name}" if name else str(ROOT / path)


def _json(capsys, *arguments: str) -> tuple[int, dict]:
    status, out, err = _cli(capsys, *arguments, "--format", "json")
    assert status in (0, 1), err
    return status, json.loads(out)


def assert_contract(data: dict) -> None:
    """The fields and vocabularies of issue 14's JSON contract."""
    assert isinstance(data["ok"], bool) and isinstance(data["seconds"], (int, float))
    assert data["functions"]
    for function in data["functions"]:
        assert {"target", "role", "framework", "parameterization", "verdict", "findings"} <= set(function)
        assert isinstance(function["target"], str)
        assert function["role"] in ROLES | {None}
        assert function["parameterization"] in PARAMETERIZATIONS | {None}
        assert function["verdict"] in VERDICTS
        for finding in function["findings"]:
            assert set(finding) == {"code", "severity", "message", "evidence"}
            assert finding["code"] in FINDING_CODES and finding["severity"] in SEVERITIES
            assert isinstance(finding["message"], str) and isinstance(finding["evidence"], dict)


CLI_CASES = [
    "tests/code_catalogue/kl_correct.py::kl_logvar_sum",
    "tests/code_catalogue/kl_bugs.py::kl_mean_over_everything",
    "tests/code_catalogue/losses_correct.py::loss_bce_probs_flat784",
    "tests/code_catalogue/losses_conventions.py::loss_beta_vae",
    "tests/code_catalogue/losses_bugs.py::loss_pixel_mean_bce_batch_mean_kl",
    "tests/code_catalogue/samplers.py::sample_small_noise",
    "tests/code_catalogue/methods.py::VAE.loss_function",
    "tests/code_catalogue/methods.py::CachedNoiseSampler.forward",
    "tests/code_catalogue/numpy_variants.py::sample_np",
    "vae_min/model.py::loss_function",
]


@pytest.mark.parametrize("target", CLI_CASES)
def test_cli_exit_code_says_whether_a_bug_was_found(code, capsys, target):
    status, data = _json(capsys, _absolute(target))
    assert status == (1 if EXPECTED[target].verdict == "bug" else 0), json.dumps(data, indent=1)


@pytest.mark.parametrize("target", CLI_CASES)
def test_cli_json_follows_the_contract(code, capsys, target):
    _, data = _json(capsys, _absolute(target))
    assert_contract(data)


@pytest.mark.parametrize("target", CLI_CASES)
def test_cli_verdict_matches_the_catalogue(code, capsys, target):
    _, data = _json(capsys, _absolute(target))
    assert [function["verdict"] for function in data["functions"]] == [EXPECTED[target].verdict]


def test_cli_inputs_give_roles_the_names_do_not(code, capsys):
    target = "tests/code_catalogue/kl_correct.py::kl_term"
    status, data = _json(capsys, _absolute(target), "--inputs", "m=mu,s=logvar")
    assert (status, data["functions"][0]["parameterization"]) == (0, "logvar")


def test_cli_module_target(code, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    status, data = _json(capsys, "tests.code_catalogue.kl_correct:kl_log_sigma_sum")
    assert (status, data["functions"][0]["parameterization"]) == (0, "log_sigma")


def test_cli_cross_checks_targets_given_together(code, capsys):
    group = GROUPS["logvar KL, exp(logvar) as std"]
    status, data = _json(capsys, *map(_absolute, group.targets))
    codes = {finding["code"] for function in data["functions"] for finding in function["findings"]}
    assert (status, MISMATCH in codes) == (1, True)


def test_cli_whole_vae_min_model_file_is_correct(code, capsys):
    """Issue 14: `mathcheck check-code vae_min/model.py` reports vae_min correct."""
    status, data = _json(capsys, str(ROOT / "vae_min" / "model.py"))
    assert status == 0 and data["ok"], json.dumps(data, indent=1)


def test_cli_whole_vae_min_model_file_finds_the_loss_and_the_sampler(code, capsys):
    _, data = _json(capsys, str(ROOT / "vae_min" / "model.py"))
    assert {"loss", "reparameterize"} <= {function["role"] for function in data["functions"]}


WHOLE_FILES = ["kl_correct", "kl_bugs", "samplers", "losses_correct", "losses_conventions", "losses_bugs"]


@lru_cache(maxsize=None)
def _whole_file_report(module: str) -> tuple[int, dict[str, dict]]:
    """Exit status and the reports by function name (files holding no sampler beside a KL: no cross-check)."""
    from mathcheck.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check-code", str(ROOT / "tests" / "code_catalogue" / f"{module}.py"), "--format", "json"])
    assert status in (0, 1)
    functions = json.loads(out.getvalue())["functions"]
    return status, {function["target"].rpartition("::")[2]: function for function in functions}


def _catalogued(module: str) -> dict[str, Expected]:
    prefix = f"tests/code_catalogue/{module}.py::"
    return {target[len(prefix):]: expected for target, expected in EXPECTED.items()
            if target.startswith(prefix) and not expected.inputs}


@pytest.mark.parametrize("module", WHOLE_FILES)
def test_cli_whole_file_checks_every_catalogued_function(code, module):
    _, reports = _whole_file_report(module)
    assert set(_catalogued(module)) <= set(reports)


@pytest.mark.parametrize("module", WHOLE_FILES)
def test_cli_whole_file_verdicts_match_the_catalogue(code, module):
    _, reports = _whole_file_report(module)
    got = {name: reports[name]["verdict"] for name in _catalogued(module) if name in reports}
    assert got == {name: expected.verdict for name, expected in _catalogued(module).items() if name in reports}


def test_cli_whole_file_of_right_kls_exits_0(code):
    status, _ = _whole_file_report("kl_correct")
    assert status == 0


def test_cli_shape_option_sets_the_data_shape(code, capsys):
    target = "tests/code_catalogue/losses_correct.py::loss_bce_probs_flat784"
    status, _ = _json(capsys, _absolute(target), "--shape", "3,784,5")
    assert status == 0


def test_cli_shape_option_sets_the_batch_and_latent_dim(code, capsys):
    target = "tests/code_catalogue/samplers.py::sample_hard_coded_shape"
    status, data = _json(capsys, _absolute(target), "--shape", "32,11,8")
    assert (status, data["functions"][0]["parameterization"]) == (0, "logvar")


def test_cli_seed_and_examples_are_taken(code, capsys):
    target = "tests/code_catalogue/samplers.py::reparameterize"
    status, data = _json(capsys, _absolute(target), "--seed", "7", "--examples", "5")
    assert (status, data["functions"][0]["verdict"]) == (0, "correct")


def test_cli_role_option_is_taken(code, capsys):
    _, data = _json(capsys, _absolute("tests/code_catalogue/kl_correct.py::kl_std_sum"), "--role", "kl")
    assert data["functions"][0]["role"] == "kl"


def test_cli_text_format_names_the_target_and_verdict(code, capsys):
    status, out, _ = _cli(capsys, _absolute("tests/code_catalogue/kl_bugs.py::kl_sign_flipped"))
    assert status == 1 and "kl_sign_flipped" in out and "kl-sign" in out


@pytest.mark.parametrize("target, needle", [
    ("tests/code_catalogue/methods.py::NeedsConfig.loss", "NeedsConfig"),
    ("tests/code_catalogue/no_such_file.py::loss", "no_such_file"),
    ("tests/code_catalogue/kl_correct.py::no_such_function", "no_such_function"),
])
def test_cli_usage_error_is_one_line_with_exit_2(code, capsys, target, needle):
    status, _, err = _cli(capsys, _absolute(target))
    assert (status, len(err.strip().splitlines()), needle in err) == (2, 1, True), err
