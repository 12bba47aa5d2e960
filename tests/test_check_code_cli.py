"""``mathcheck check-code`` and ``mathcheck.code.check``: exit codes, formats, options, the cross-check.

Most tests replace ``mathcheck.code.analysis`` by :class:`FakeAnalysis`, which returns the reports a test
asks for, so that the plumbing is tested apart from the analysis; the tests marked ``needs_analysis`` run
the real analysis on real code.
"""
import importlib
import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from mathcheck.cli import main
from mathcheck.code import UsageError, check
from mathcheck.code.report import Finding, FunctionReport, verdict_of


class FakeAnalysis:
    """``analyse`` that records its calls and returns, per function name, the report a test set up."""

    def __init__(self):
        self.calls = []
        self.results = {}

    def set(self, name, *, role=None, parameterization=None, findings=(), verdict=None, reason="", call=False):
        self.results[name] = dict(role=role, parameterization=parameterization, findings=list(findings),
                                  verdict=verdict, reason=reason, call=call)

    def analyse(self, function, *, target, role, arg_roles, seed=0, examples=None, shape=None):
        self.calls.append(dict(function=function, target=target, role=role, arg_roles=arg_roles, seed=seed,
                               examples=examples, shape=shape))
        result = self.results.get(getattr(function, "__name__", ""), {})
        if result.get("call"):
            function(**{name: np.zeros((2, 3)) for name in arg_roles})
        findings = list(result.get("findings", []))
        return FunctionReport(target=target, role=result.get("role") or role or "loss", framework="numpy",
                              parameterization=result.get("parameterization"),
                              verdict=result.get("verdict") or verdict_of(findings), findings=findings,
                              reason=result.get("reason", ""))


@pytest.fixture
def fake(monkeypatch):
    analysis = FakeAnalysis()
    module = types.ModuleType("mathcheck.code.analysis")
    module.analyse = analysis.analyse
    monkeypatch.setitem(sys.modules, "mathcheck.code.analysis", module)
    return analysis


def _analysis_importable() -> bool:
    try:
        importlib.import_module("mathcheck.code.analysis")
    except ImportError:
        return False
    return True


needs_analysis = pytest.mark.skipif(not _analysis_importable(), reason="mathcheck.code.analysis not written yet")

BUG = Finding("kl-mean-over-latent", "bug", "the KL is averaged over the 8 latent dims instead of summed",
              {"mu": [0.5], "expected": 1.0, "got": 0.125})
CONVENTION = Finding("beta", "convention", "the KL is weighted beta = 4", {"beta": 4.0})
NOTE = Finding("nonfinite-at-extremes", "note", "inf at logvar = 30", {"logvar": 30.0})

MODEL = """
import math

def kl(mu, logvar):
    return mu

def reparameterize(mu, logvar):
    return mu + math.exp(logvar)

def loss(recon_x, x, mu, logvar):
    return recon_x
"""


def write(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, "model.py", MODEL)


def run(capsys, *argv):
    code = main(["check-code", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mathcheck: error: ")
    return err.strip()


# exit codes

def test_correct_functions_exit_0(fake, model, capsys):
    assert run(capsys, "model.py::kl")[0] == 0


def test_a_bug_finding_exits_1(fake, model, capsys):
    fake.set("kl", findings=[BUG])
    assert run(capsys, "model.py::kl")[0] == 1


def test_an_undecided_function_exits_1(fake, model, capsys):
    fake.set("kl", verdict="undecided", reason="it raised TypeError on every shape tried")
    assert run(capsys, "model.py::kl")[0] == 1


def test_conventions_and_notes_alone_exit_0(fake, model, capsys):
    fake.set("kl", findings=[CONVENTION, NOTE])
    assert run(capsys, "model.py::kl")[0] == 0


def test_missing_file_exits_2_with_one_line(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert one_line_error(capsys, "nonexist.py") == "mathcheck: error: no such file: nonexist.py"


def test_unknown_name_exits_2_with_a_suggestion(fake, model, capsys):
    assert "did you mean 'reparameterize'?" in one_line_error(capsys, "model.py::reparametrize")


def test_import_error_exits_2_with_its_first_line(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "broken.py", "import no_such_package_mc\n")
    assert one_line_error(capsys, "broken.py") == (
        "mathcheck: error: error importing broken.py: ModuleNotFoundError: No module named 'no_such_package_mc'")


def test_syntax_error_exits_2_with_the_line(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "bad.py", "def kl(mu, logvar):\n    return (mu\n")
    assert "line 2" in one_line_error(capsys, "bad.py::kl")


def test_unknown_role_in_inputs_exits_2(fake, model, capsys):
    assert "unknown role 'log_var'" in one_line_error(capsys, "model.py::kl", "--inputs", "logvar=log_var")


def test_inputs_naming_a_missing_argument_exits_2(fake, model, capsys):
    assert "has no argument 'sigma'" in one_line_error(capsys, "model.py::kl", "--inputs", "sigma=sigma")


def test_bad_shape_exits_2(fake, model, capsys):
    assert "--shape" in one_line_error(capsys, "model.py::kl", "--shape", "64,784")


def test_unknown_role_option_exits_2(fake, model, capsys):
    assert "--role" in one_line_error(capsys, "model.py::kl", "--role", "encoder")


def test_an_argument_without_a_role_exits_2_and_names_it(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "tf_style.py", "def compute_loss(model, x):\n    return x\n")
    assert "'model'" in one_line_error(capsys, "tf_style.py::compute_loss")


def test_the_module_entry_point_answers_help():
    result = subprocess.run([sys.executable, "-m", "mathcheck", "check-code", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "TARGET" in result.stdout and "--inputs" in result.stdout


def test_the_module_entry_point_gives_one_line_for_a_missing_file(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mathcheck", "check-code", "nonexist.py"], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "mathcheck: error: no such file: nonexist.py\n"


# what reaches the analysis

def test_argument_roles_from_names_and_inputs_reach_the_analysis(fake, model, capsys):
    run(capsys, "model.py::loss", "--inputs", "recon_x=recon_logits")
    assert fake.calls[0]["arg_roles"] == {"recon_x": "recon_logits", "x": "x", "mu": "mu", "logvar": "logvar"}


def test_seed_examples_shape_and_role_reach_the_analysis(fake, model, capsys):
    run(capsys, "model.py::kl", "--seed", "7", "--examples", "5", "--shape", "4,1,28,28,3", "--role", "kl")
    call = fake.calls[0]
    assert (call["seed"], call["examples"], call["role"]) == (7, 5, "kl")
    assert (call["shape"].batch, call["shape"].data, call["shape"].latent) == (4, (1, 28, 28), 3)


def test_role_auto_reaches_the_analysis_as_none(fake, model, capsys):
    run(capsys, "model.py::kl", "--role", "auto")
    assert fake.calls[0]["role"] is None


def test_a_whole_file_checks_its_functions_together(fake, model, capsys):
    run(capsys, "model.py")
    assert [call["target"] for call in fake.calls] == ["model.py::kl", "model.py::reparameterize", "model.py::loss"]


def test_a_function_named_twice_is_checked_once(fake, model, capsys):
    run(capsys, "model.py", "model.py::kl")
    assert [call["target"] for call in fake.calls].count("model.py::kl") == 1


# formats

def test_json_follows_the_contract(fake, model, capsys):
    fake.set("kl", findings=[BUG])
    code, out, _ = run(capsys, "model.py::kl", "--format", "json")
    data = json.loads(out)
    assert set(data) == {"ok", "seconds", "functions"} and data["ok"] is False
    [function] = data["functions"]
    assert {"target", "role", "framework", "parameterization", "verdict", "findings"} <= set(function)
    assert function["findings"][0] == {"code": "kl-mean-over-latent", "severity": "bug", "message": BUG.message,
                                       "evidence": BUG.evidence}


def test_json_stays_valid_when_the_users_code_prints(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "chatty.py", "print('loading model')\ndef kl(mu, logvar):\n    print('kl called')\n"
                                 "    return mu\n")
    fake.set("kl", call=True)
    code, out, err = run(capsys, "chatty.py::kl", "--format", "json")
    assert json.loads(out)["ok"] is True and "loading model" in err and "kl called" in err


def test_text_names_the_verdict_and_the_finding(fake, model, capsys):
    fake.set("kl", findings=[BUG])
    _, out, _ = run(capsys, "model.py::kl")
    assert "model.py::kl: bug" in out and "kl-mean-over-latent" in out


def test_github_writes_an_error_at_the_functions_definition_for_a_bug(fake, model, capsys):
    fake.set("loss", findings=[BUG])
    _, out, _ = run(capsys, "model.py::loss", "--format", "github")
    line = MODEL.splitlines().index("def loss(recon_x, x, mu, logvar):") + 1
    assert out.splitlines()[0].startswith(f"::error file=model.py,line={line},title=mathcheck check-code::"
                                          "model.py::loss: kl-mean-over-latent: ")


@pytest.mark.parametrize("finding, level", [(CONVENTION, "notice"), (NOTE, "warning")])
def test_github_level_follows_the_severity(fake, model, capsys, finding, level):
    fake.set("kl", findings=[finding])
    _, out, _ = run(capsys, "model.py::kl", "--format", "github")
    assert out.splitlines()[0].startswith(f"::{level} file=model.py,")


def test_github_reports_an_undecided_function_as_an_error_with_its_reason(fake, model, capsys):
    fake.set("kl", verdict="undecided", reason="it raised on every shape")
    _, out, _ = run(capsys, "model.py::kl", "--format", "github")
    assert out.splitlines()[0].startswith("::error ") and out.splitlines()[0].endswith("it raised on every shape")


def test_github_escapes_percent_and_newlines_in_messages(fake, model, capsys):
    fake.set("kl", findings=[Finding("kl-form", "bug", "off by 50%\nsecond line")])
    _, out, _ = run(capsys, "model.py::kl", "--format", "github")
    assert "off by 50%25%0Asecond line" in out.splitlines()[0]


def test_github_ends_with_the_summary_line(fake, model, capsys):
    _, out, _ = run(capsys, "model.py::kl", "--format", "github")
    assert out.splitlines() == [out.splitlines()[-1]] and "1 function checked" in out


# the cross-check

def reports_of(fake, **settings):
    for name, (role, parameterization) in settings.items():
        fake.set(name, role=role, parameterization=parameterization)
    return check(*[(f"model.py::{name}", function) for name, function in FUNCTIONS.items() if name in settings])


def kl(mu, logvar):
    return mu


def reparameterize(mu, logvar):
    return mu


def loss(recon_x, x, mu, logvar):
    return x


FUNCTIONS = {"kl": kl, "reparameterize": reparameterize, "loss": loss}


def test_sampler_and_kl_reading_the_scale_differently_are_both_bugs(fake):
    report = reports_of(fake, kl=("kl", "logvar"), reparameterize=("reparameterize", "log_sigma"))
    assert [f.verdict for f in report.functions] == ["bug", "bug"]
    assert all([f.code for f in r.findings] == ["parameterization-mismatch"] for r in report.functions)


def test_mismatch_message_says_what_each_function_takes_the_scale_to_be(fake):
    report = reports_of(fake, kl=("kl", "logvar"), reparameterize=("reparameterize", "log_sigma"))
    message = report.functions[0].findings[0].message
    assert "uses exp(logvar) as the standard deviation" in message and "treats logvar as log σ²" in message


def test_mismatch_evidence_names_both_parameterizations(fake):
    report = reports_of(fake, kl=("kl", "logvar"), reparameterize=("reparameterize", "sigma"))
    evidence = report.functions[1].findings[0].evidence
    assert (evidence["sampler_parameterization"], evidence["kl_parameterization"]) == ("sigma", "logvar")


def test_a_loss_holding_the_kl_is_cross_checked_with_the_sampler(fake):
    report = reports_of(fake, reparameterize=("reparameterize", "var"), loss=("loss", "logvar"))
    assert report.functions[1].findings[0].code == "parameterization-mismatch" and not report.ok


def test_sampler_and_kl_agreeing_have_no_mismatch(fake):
    report = reports_of(fake, kl=("kl", "log_sigma"), reparameterize=("reparameterize", "log_sigma"))
    assert report.ok and report.findings == []


def test_an_unidentified_parameterization_is_not_a_mismatch(fake):
    report = reports_of(fake, kl=("kl", None), reparameterize=("reparameterize", "logvar"))
    assert report.findings == []


def test_two_kls_are_not_cross_checked_with_each_other(fake):
    fake.set("kl", role="kl", parameterization="logvar")
    fake.set("loss", role="loss", parameterization="sigma")
    assert check(kl, loss).ok


def test_the_mismatch_keeps_a_convention_of_the_kl_and_makes_it_a_bug(fake):
    fake.set("kl", role="kl", parameterization="logvar", findings=[CONVENTION])
    fake.set("reparameterize", role="reparameterize", parameterization="log_sigma")
    report = check(kl, reparameterize)
    assert report.functions[0].verdict == "bug" and [f.code for f in report.functions[0].findings] == [
        "beta", "parameterization-mismatch"]


def test_the_cross_check_reaches_the_command_line_exit_code(fake, model, capsys):
    fake.set("kl", role="kl", parameterization="logvar")
    fake.set("reparameterize", role="reparameterize", parameterization="log_sigma")
    code, out, _ = run(capsys, "model.py::kl", "model.py::reparameterize", "--format", "json")
    assert code == 1 and [f["verdict"] for f in json.loads(out)["functions"]] == ["bug", "bug"]


# the Python API

def test_check_names_a_bare_function_by_module_and_qualname(fake):
    assert check(kl).functions[0].target == f"{__name__}:kl"


def test_check_takes_one_role_per_function(fake):
    check(kl, reparameterize, roles=["kl", "reparameterize"])
    assert [call["role"] for call in fake.calls] == ["kl", "reparameterize"]


def test_check_rejects_a_wrong_number_of_roles(fake):
    with pytest.raises(UsageError, match="2 roles given for 1 functions"):
        check(kl, roles=["kl", "kl"])


def test_check_rejects_an_unknown_role(fake):
    with pytest.raises(UsageError, match="unknown role"):
        check(kl, roles="encoder")


def test_check_takes_inputs_as_a_mapping(fake):
    def kl_named_badly(m, s):
        return m
    check(kl_named_badly, inputs={"m": "mu", "s": "logvar"})
    assert fake.calls[0]["arg_roles"] == {"m": "mu", "s": "logvar"}


def test_check_times_itself(fake):
    assert check(kl).seconds >= 0.0


# the real analysis (these need mathcheck.code.analysis)

def vae_min_model():
    for name in ("mathcheck.vae_min.model", "vae_min.model"):  # where issue 13's packaging puts it, or before
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    pytest.skip("vae_min's model is not importable")


def vae_min_model_path() -> Path:
    return Path(vae_min_model().__file__)


@needs_analysis
def test_vae_min_loss_and_sampler_are_correct_through_the_api():
    module = vae_min_model()
    report = check(module.loss_function, module.reparameterize)
    assert report.ok, report.to_text()


@needs_analysis
def test_vae_min_model_file_is_correct_on_the_command_line(capsys):
    code, out, err = run(capsys, str(vae_min_model_path()), "--format", "json")
    assert code == 0, out + err
    assert {f["verdict"] for f in json.loads(out)["functions"]} <= {"correct", "convention"}


@needs_analysis
def test_real_sampler_using_exp_logvar_as_std_mismatches_the_closed_form_kl(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "swapped.py", """
        import torch

        def kl(mu, logvar):
            return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)

        def reparameterize(mu, logvar):
            return mu + torch.exp(logvar) * torch.randn_like(mu)
    """)
    code, out, err = run(capsys, "swapped.py", "--format", "json")
    functions = json.loads(out)["functions"]
    assert code == 1 and all("parameterization-mismatch" in [f["code"] for f in function["findings"]]
                             for function in functions), out + err
