"""check-code on the shapes of code a reviewer found mishandled: unrelated samplers and KLs in one file, a loss
checked as a KL, two arguments for one input, code that exits, names from other frameworks."""
from __future__ import annotations

import json
import textwrap

import pytest

from mathcheck.cli import main
from mathcheck.code.roles import role_from_name

HELPERS = '''
import torch

def sample_from_logvar(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)

def sample_from_std(mu, std):
    return mu + std * torch.randn_like(mu)

def kl_from_logvar(mu, logvar):
    return 0.5 * torch.sum(mu**2 + logvar.exp() - 1 - logvar, dim=-1)

def kl_from_std(mu, std):
    return 0.5 * torch.sum(mu**2 + std**2 - 1 - torch.log(std**2), dim=-1)
'''

TWO_MODELS = '''
import torch

class LogVarModel:
    def reparameterize(self, mu, logvar):
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)

    def kl(self, mu, logvar):
        return 0.5 * torch.sum(mu**2 + logvar.exp() - 1 - logvar, dim=-1)

class LogSigmaModel:
    def reparameterize(self, mu, logvar):  # this model's encoder gives log sigma under the same name
        return mu + torch.exp(logvar) * torch.randn_like(mu)

    def kl(self, mu, logvar):
        return 0.5 * torch.sum(mu**2 + torch.exp(2 * logvar) - 1 - 2 * logvar, dim=-1)
'''

MISMATCHED = '''
import torch

def reparameterize(mu, logvar):
    return mu + torch.exp(logvar) * torch.randn_like(mu)   # exp(logvar) used as the standard deviation

def kl(mu, logvar):
    return 0.5 * torch.sum(mu**2 + logvar.exp() - 1 - logvar, dim=-1)

def sample_other(mu, std):
    return mu + std * torch.randn_like(mu)
'''

LOSSES = '''
import sys
import torch
import torch.nn.functional as F

def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce + 0.5 * torch.sum(mu**2 + logvar.exp() - 1 - logvar)

def kl_two_gaussians(q_mu, q_logvar, mu, logvar):
    return 0.5 * torch.sum(logvar - q_logvar + (q_logvar.exp() + (q_mu - mu) ** 2) / logvar.exp() - 1)

def kl_that_exits(mu, logvar):
    sys.exit("stopping")
'''


def write(tmp_path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return str(path)


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["check-code", *argv, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}


def codes(report: dict) -> set[str]:
    return {finding["code"] for function in report["functions"] for finding in function["findings"]}


def test_unrelated_helpers_in_one_file_are_not_cross_checked(tmp_path, capsys):
    code, report = run_json(capsys, write(tmp_path, "helpers.py", HELPERS))
    assert code == 0 and "parameterization-mismatch" not in codes(report)


def test_two_models_in_one_file_are_checked_each_on_its_own(tmp_path, capsys):
    code, report = run_json(capsys, write(tmp_path, "models.py", TWO_MODELS))
    assert code == 0 and "parameterization-mismatch" not in codes(report)


def test_a_sampler_and_a_kl_sharing_the_scale_argument_are_cross_checked(tmp_path, capsys):
    code, report = run_json(capsys, write(tmp_path, "vae.py", MISMATCHED))
    flagged = {f["target"].rsplit("::", 1)[1] for f in report["functions"]
               if any(x["code"] == "parameterization-mismatch" for x in f["findings"])}
    assert code == 1 and flagged == {"reparameterize", "kl"}


def test_the_only_sampler_and_kl_given_are_cross_checked_whatever_their_names(tmp_path, capsys):
    path = write(tmp_path, "vae.py", MISMATCHED.replace("def kl(mu, logvar)", "def kl(mu, log_var)")
                 .replace("logvar.exp() - 1 - logvar", "log_var.exp() - 1 - log_var"))
    code, report = run_json(capsys, f"{path}::reparameterize", f"{path}::kl")
    assert code == 1 and "parameterization-mismatch" in codes(report)


def test_a_loss_cannot_be_checked_as_a_kl(tmp_path, capsys):
    path = write(tmp_path, "losses.py", LOSSES)
    assert main(["check-code", f"{path}::loss_function", "--role", "kl"]) == 2
    assert "it is a loss" in capsys.readouterr().err


def test_two_arguments_for_one_input_are_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, "losses.py", LOSSES)
    assert main(["check-code", f"{path}::kl_two_gaussians"]) == 2
    err = capsys.readouterr().err
    assert "'q_mu' and 'mu'" in err and len(err.strip().splitlines()) == 1


def test_a_function_that_exits_is_undecided_and_the_report_is_still_written(tmp_path, capsys):
    path = write(tmp_path, "losses.py", LOSSES)
    code, report = run_json(capsys, f"{path}::kl_that_exits")
    assert code == 1 and report["functions"][0]["verdict"] == "undecided"
    assert "sys.exit" in report["functions"][0]["reason"]


@pytest.mark.parametrize("name, role", [
    ("logvars", "logvar"), ("ln_var", "logvar"), ("stds", "sigma"), ("variances", "var"),
    ("x_decoded_mean", "recon_probs"), ("y_hat", "recon_probs"), ("x_bar", "recon_probs"),
    ("token_ids", "x"), ("input_ids", "x"),
])
def test_names_from_other_frameworks_have_their_role(name, role):
    assert role_from_name(name) == role
