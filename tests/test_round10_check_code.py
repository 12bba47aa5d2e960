"""Round 10 of check-code: encoder-output cuts not read are named, prior keywords exercised more widely."""
from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("torch")

from mathcheck.code import check  # noqa: E402
from mathcheck.code.targets import load_targets  # noqa: E402

SAMPLER = """
import torch

def reparameterize(h):
    mu, logvar = h.chunk(2, dim=-1)
    std = torch.exp(0.5 * logvar)
    return mu + std * torch.randn_like(std)
"""


def _file_report(tmp_path, body, name="model.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    targets = load_targets([str(path)])
    return check(*[(target.name, target.function) for target in targets])


def _kl_report(tmp_path, body):
    path = tmp_path / "kl.py"
    path.write_text("import math\nimport torch\n" + textwrap.dedent(body))
    targets = load_targets([f"{path}::kl"])
    return check(*[(target.name, target.function) for target in targets]).functions[0]


def test_unreadable_cut_is_named_not_checked_and_file_not_ok(tmp_path):
    report = _file_report(tmp_path, SAMPLER + """
def kl(h):
    mu, logvar = h.flip(-1).chunk(2, dim=-1)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
""")
    kl = next(f for f in report.functions if f.target.endswith("::kl"))
    assert kl.verdict == "undecided" and kl.reason.startswith("not checked")
    assert not report.ok and "1 not checked" in report.to_text().splitlines()[-1]


def test_readable_cut_file_stays_ok(tmp_path):
    report = _file_report(tmp_path, SAMPLER + """
def kl(h):
    mu, logvar = h.chunk(2, dim=-1)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
""")
    assert report.ok and len(report.functions) == 2 and "not checked" not in report.to_text()


def test_function_fed_by_a_model_call_is_not_named_unchecked(tmp_path):
    report = _file_report(tmp_path, SAMPLER + """
model = None

def train_step(batch):
    mu, logvar = model.encode(batch)
    return mu
""")
    assert report.ok and all("not checked" not in f.reason for f in report.functions)


@pytest.mark.parametrize("swapped, correct", [
    ("parts = h.chunk(2, dim=-1)\n    mu = parts[1]\n    logvar = parts[0]",
     "parts = h.chunk(2, dim=-1)\n    mu = parts[0]\n    logvar = parts[1]"),
    ("d = h.shape[-1] // 2\n    mu = h[:, -d:]\n    logvar = h[:, :-d]",
     "d = h.shape[-1] // 2\n    mu = h[:, :-d]\n    logvar = h[:, -d:]"),
    ("a, b = h.chunk(2, dim=-1)\n    mu, logvar = b, a", "a, b = h.chunk(2, dim=-1)\n    mu, logvar = a, b"),
])
def test_cut_idioms_are_read_and_a_swap_is_a_mismatch(tmp_path, swapped, correct):
    kl = "\ndef kl(h):\n    {}\n    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())\n"
    bad = _file_report(tmp_path, SAMPLER + kl.format(swapped), "bad.py")
    assert any(f.code == "encoder-cut-mismatch" for f in bad.findings)
    good = _file_report(tmp_path, SAMPLER + kl.format(correct), "good.py")
    assert good.ok and len(good.functions) == 2


def test_stacked_cut_negative_axis_is_the_same_axis(tmp_path):
    sampler = SAMPLER.replace("h.chunk(2, dim=-1)", "h.unbind(-1)")
    kl = "\ndef kl(h):\n    mu, logvar = h.unbind(dim={})\n    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())\n"
    assert _file_report(tmp_path, sampler + kl.format(2), "same.py").ok
    swapped = kl.format(2).replace("mu, logvar", "logvar, mu")
    assert not _file_report(tmp_path, sampler + swapped, "swapped.py").ok


RIGHT = ("0.5 * torch.sum((logvar - prior_logvar).exp() + (mu - prior_mu).pow(2) / prior_logvar.exp() - 1 "
         "- logvar + prior_logvar)")


def test_int_prior_is_exercised(tmp_path):
    body = """
def kl(mu, logvar, prior_mu=0, prior_logvar=0):
    if isinstance(prior_mu, int):
        prior_mu = 0.0
    prior_mu = torch.as_tensor(prior_mu, dtype=mu.dtype)
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    return {}
"""
    assert _kl_report(tmp_path, body.format(RIGHT)).verdict == "bug"
    correct = body.replace("    if isinstance(prior_mu, int):\n        prior_mu = 0.0\n", "")
    assert _kl_report(tmp_path, correct.format(RIGHT)).verdict == "correct"


@pytest.mark.parametrize("clamp", [".clamp(-1.0, 1.0)", ".clamp(-2.0, 2.0)"])
def test_clamped_prior_mean_is_caught_by_a_wide_prior(tmp_path, clamp):
    body = """
def kl(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    prior_mu = torch.as_tensor(prior_mu, dtype=mu.dtype){}
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    return {}
"""
    assert _kl_report(tmp_path, body.format(clamp, RIGHT)).verdict == "bug"
    assert _kl_report(tmp_path, body.format("", RIGHT)).verdict == "correct"


def test_clamped_prior_logvar_is_caught_by_a_wide_prior(tmp_path):
    body = """
def kl(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    prior_mu = torch.as_tensor(prior_mu, dtype=mu.dtype)
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype){}
    return {}
"""
    assert _kl_report(tmp_path, body.format(".clamp(max=1.0)", RIGHT)).verdict == "bug"
    assert _kl_report(tmp_path, body.format("", RIGHT)).verdict == "correct"


def test_prior_read_along_batch_when_square_is_caught(tmp_path):
    body = """
def kl(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    prior_mu = torch.as_tensor(prior_mu, dtype=mu.dtype)
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    if prior_mu.dim() == 1 and prior_mu.shape[0] == {}:
        prior_mu = prior_mu[:, None]
    return {}
"""
    assert _kl_report(tmp_path, body.format("mu.shape[0]", RIGHT)).verdict == "bug"
    assert _kl_report(tmp_path, body.format("-1", RIGHT)).verdict == "correct"


def test_kl_weight_with_a_non_standard_prior(tmp_path):
    body = """
def kl(mu, logvar, prior_mu=0.0, prior_logvar=0.0, beta=1.0):
    prior_mu = torch.as_tensor(prior_mu, dtype=mu.dtype)
    plv = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    core = (logvar - plv).exp() + (mu - prior_mu).pow(2) / plv.exp() - 1 - logvar
    return {}
"""
    escaped = "0.5 * beta * torch.sum(core) + 0.5 * torch.sum(plv * torch.ones_like(mu))"
    weighted = "0.5 * beta * torch.sum(core + plv * torch.ones_like(mu))"
    assert _kl_report(tmp_path, body.format(escaped)).verdict == "bug"
    assert _kl_report(tmp_path, body.format(weighted)).verdict in ("correct", "convention")


@pytest.mark.parametrize("m, lv", [("mu0", "logvar0"), ("m0", "lv0"), ("ref_mu", "ref_logvar"),
                                   ("mu_2", "logvar_2")])
def test_prior_keywords_under_other_names_are_exercised(tmp_path, m, lv):
    wrong = f"0.5 * torch.sum((logvar - {lv}).exp() + (mu - {m}).pow(2) - 1 - logvar + {lv})"
    right = f"0.5 * torch.sum((logvar - {lv}).exp() + (mu - {m}).pow(2) / {lv}.exp() - 1 - logvar + {lv})"
    body = f"""
def kl(mu, logvar, {m}=0.0, {lv}=0.0):
    {m} = torch.as_tensor({m}, dtype=mu.dtype)
    {lv} = torch.as_tensor({lv}, dtype=mu.dtype)
    return {{}}
"""
    assert _kl_report(tmp_path, body.format(wrong)).verdict == "bug"
    assert _kl_report(tmp_path, body.format(right)).verdict == "correct"
