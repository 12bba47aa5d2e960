"""Round 12 of check-code: a KL kept per latent dimension says so (it is not "summed over latent dims"), and a
KL that reads its scale argument against the argument's name (``Normal(mu, torch.exp(logvar))``) is correct
only under the condition that the name lies, with a note, as a sampler is.

Reference: the report of the same function written the textbook way (the KL summed over latent dims, the std
exp(logvar / 2))."""
from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("torch")

from mathcheck.code import check  # noqa: E402
from mathcheck.code.targets import load_targets  # noqa: E402


def _report(tmp_path, body: str):
    path = tmp_path / "model.py"
    path.write_text("import torch\nfrom torch.distributions import Normal, kl_divergence\n\n" + textwrap.dedent(body))
    targets = load_targets([str(path)])
    return check(*[(target.name, target.function) for target in targets])


def _only(report):
    (function,) = report.functions
    return function


def _text(tmp_path, body: str) -> str:
    return _report(tmp_path, body).to_text()


@pytest.mark.parametrize("reduction", ['torch.einsum("bi->i", terms)', "terms.sum(0)"])
def test_a_kl_kept_per_latent_dim_is_reported_so(tmp_path, reduction):
    body = f"""
        def kl(mu, logvar):
            terms = mu ** 2 + logvar.exp() - 1 - logvar
            return 0.5 * {reduction}
        """
    text = _text(tmp_path, body)
    assert "one value per latent dim" in text and "sum over latent dims" not in text
    assert any(f.code == "reduction-mismatch" for f in _only(_report(tmp_path, body)).findings)


def test_a_kl_summed_over_latent_dims_says_so(tmp_path):
    body = """
        def kl(mu, logvar):
            return 0.5 * torch.einsum("bi->b", mu ** 2 + logvar.exp() - 1 - logvar)
        """
    assert "sum over latent dims" in _text(tmp_path, body) and not _only(_report(tmp_path, body)).findings


@pytest.mark.parametrize("body", [
    """
    def kl_term(mu, logvar):
        q = Normal(mu, torch.exp(logvar))
        return kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)
    """,
    """
    def kl_term(mu, logvar):
        return 0.5 * torch.sum(mu ** 2 + torch.exp(2 * logvar) - 2 * logvar - 1, dim=-1)
    """,
])
def test_a_kl_that_reads_logvar_as_log_sigma_holds_only_if_the_name_lies(tmp_path, body):
    function = _only(_report(tmp_path, body))
    assert function.identified.get("condition") == "logvar holds log σ"
    assert any(f.code == "kl-form" and f.severity == "note" for f in function.findings)


def test_a_kl_that_reads_logvar_as_its_name_says_has_no_condition(tmp_path):
    function = _only(_report(tmp_path, """
        def kl_term(mu, logvar):
            q = Normal(mu, torch.exp(0.5 * logvar))
            return kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)
        """))
    assert "condition" not in function.identified and not function.findings


def test_a_kl_that_runs_at_one_latent_dim_only_is_correct_only_there(tmp_path):
    """logvar[..., :2] before the KL: at d = 2 the slice is the whole vector, at d = 3 the code raises (attack33)."""
    function = _only(_report(tmp_path, """
        def vae_loss(x, x_hat, mu, logvar):
            logvar = logvar[..., :2]
            recon = ((x_hat - x) ** 2).sum()
            return recon - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """))
    assert function.identified.get("condition", "").endswith("the latent dim is 2"), function.identified
    assert any(f.code == "kl-form" and f.severity == "note" for f in function.findings)


def test_a_kl_that_runs_at_every_latent_dim_has_no_such_condition(tmp_path):
    function = _only(_report(tmp_path, """
        def vae_loss(x, x_hat, mu, logvar):
            recon = ((x_hat - x) ** 2).sum()
            return recon - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """))
    assert "latent dim is" not in function.identified.get("condition", "")
