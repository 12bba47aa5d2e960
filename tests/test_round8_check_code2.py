"""check-code, round 8 (second wave): a KL weight must weight the whole KL, noise must not repeat across any
two of several calls, and user code that ends the process or raises KeyboardInterrupt is reported.

- a ``beta``/``kl_weight`` keyword weighting one term of the KL only (μ², the log-variance, exp(logvar)) is a
  ``beta`` bug: the loss's change under a move of μ alone, the scale alone, or both, from several points,
  must scale with the weight; another weight keyword (``lam``, ``alpha``) on the reconstruction is a note;
- a sampler whose noise repeats every 2nd, 3rd or 5th call (a cached pool, a PRNG re-seeded from step % k)
  is ``sampler-deterministic``;
- ``os._exit`` and ``raise KeyboardInterrupt`` in the user's function make it undecided (exit 1), a real
  Ctrl-C is still "interrupted" (130), and a forked child still exits for real.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
D = torch.distributions

from mathcheck.code import check  # noqa: E402
from mathcheck.code.guard import ProcessExit, user_code_guarded  # noqa: E402
from tests.check_code_reports import described, one_report  # noqa: E402


def _kl(mu, logvar):
    """The reference KL against N(0, 1), summed: torch.distributions, not a closed form typed here."""
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    return D.kl_divergence(q, D.Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum()


def _kl_sigma(mu, sigma):
    q = D.Normal(mu, sigma)
    return D.kl_divergence(q, D.Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum()


def _bce(recon_x, x):
    return F.binary_cross_entropy(recon_x, x, reduction="sum")


def _codes(report, severity: str) -> list[str]:
    return [finding.code for finding in report.findings if finding.severity == severity]


# --- B14: the KL weight must weight the whole KL ---------------------------------------------------------

def beta_on_mu_only(recon_x, x, mu, logvar, beta=1.0):
    return _bce(recon_x, x) - 0.5 * torch.sum(1 + logvar - beta * mu.pow(2) - logvar.exp())


def beta_on_logvar_only(recon_x, x, mu, logvar, beta=1.0):
    return _bce(recon_x, x) - 0.5 * torch.sum(1 + beta * logvar - mu.pow(2) - logvar.exp())


def beta_on_exp_logvar_only(recon_x, x, mu, logvar, beta=1.0):
    return _bce(recon_x, x) - 0.5 * torch.sum(1 + logvar - mu.pow(2) - beta * logvar.exp()) \
        + 0.5 * (beta - 1) * mu.numel()


def kl_weight_on_mean_term_sigma(recon_x, x, mu, sigma, kl_weight=1.0):
    kl = 0.5 * torch.sum(kl_weight * mu.pow(2) + sigma.pow(2) - 1 - 2 * torch.log(sigma))
    return _bce(recon_x, x) + kl


def kl_only_beta_on_mu(mu, logvar, beta=1.0):
    return 0.5 * torch.sum(beta * mu.pow(2) + logvar.exp() - 1 - logvar)


@pytest.mark.parametrize("function", [beta_on_mu_only, beta_on_logvar_only, beta_on_exp_logvar_only,
                                      kl_weight_on_mean_term_sigma, kl_only_beta_on_mu],
                         ids=["mu-only", "logvar-only", "exp-logvar-only", "kl-weight-mean-term-sigma",
                              "kl-function-mu-only"])
def test_weight_on_one_kl_term_is_a_beta_bug(function):
    report = one_report(function)
    assert "beta" in _codes(report, "bug"), described(report)


def beta_whole(recon_x, x, mu, logvar, beta=1.0):
    return _bce(recon_x, x) + beta * _kl(mu, logvar)


def beta_whole_batch_mean(recon_x, x, mu, logvar, beta=1.0):
    return (_bce(recon_x, x) + beta * _kl(mu, logvar)) / x.shape[0]


def kl_weight_whole_sigma(recon_x, x, mu, sigma, kl_weight=1.0):
    return _bce(recon_x, x) + kl_weight * _kl_sigma(mu, sigma)


def kl_only_beta_whole(mu, logvar, beta=1.0):
    return beta * _kl(mu, logvar)


@pytest.mark.parametrize("function", [beta_whole, beta_whole_batch_mean, kl_weight_whole_sigma, kl_only_beta_whole],
                         ids=["sum", "batch-mean", "kl-weight-sigma", "kl-function"])
def test_weight_on_whole_kl_is_no_beta_bug(function):
    report = one_report(function)
    assert "beta" not in _codes(report, "bug") and report.verdict in ("correct", "convention"), described(report)


def lam_on_reconstruction(recon_x, x, mu, logvar, lam=1.0):
    return lam * _bce(recon_x, x) + _kl(mu, logvar)


def alpha_on_reconstruction(recon_x, x, mu, logvar, alpha=1.0):
    return alpha * _bce(recon_x, x) + _kl(mu, logvar)


def recon_weight_on_reconstruction(recon_x, x, mu, logvar, recon_weight=1.0):
    return _kl(mu, logvar) + recon_weight * _bce(recon_x, x)


@pytest.mark.parametrize("function", [lam_on_reconstruction, alpha_on_reconstruction, recon_weight_on_reconstruction],
                         ids=["lam", "alpha", "recon_weight"])
def test_reconstruction_weight_gets_an_inverse_kl_weight_note(function):
    report = one_report(function)
    assert "beta" in _codes(report, "note") and report.verdict == "correct", described(report)


def gamma_on_whole_loss(recon_x, x, mu, logvar, gamma=1.0):
    return gamma * (_bce(recon_x, x) + _kl(mu, logvar))


def lam_unused(recon_x, x, mu, logvar, lam=1.0):
    return _bce(recon_x, x) + _kl(mu, logvar)


@pytest.mark.parametrize("function", [gamma_on_whole_loss, lam_unused], ids=["gamma-whole-loss", "lam-unused"])
def test_weight_not_on_reconstruction_alone_gets_no_note(function):
    report = one_report(function)
    assert "beta" not in _codes(report, "note"), described(report)


# --- B2: noise repeating across non-consecutive calls ----------------------------------------------------

def _cycling_sampler(period: int):
    state = {"calls": 0}

    def reparameterize(mu, logvar):
        state["calls"] += 1
        generator = torch.Generator().manual_seed(state["calls"] % period)
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps
    return reparameterize


def _pool_sampler(size: int):
    pool: dict = {}

    def reparameterize(mu, logvar):
        key = tuple(mu.shape)
        if key not in pool:
            pool[key] = ([torch.randn_like(mu) for _ in range(size)], [0])
        noises, index = pool[key]
        index[0] = (index[0] + 1) % size
        return mu + torch.exp(0.5 * logvar) * noises[index[0]]
    return reparameterize


def _numpy_reseeded_sampler(period: int):
    state = {"step": 0}

    def reparameterize(mu, logvar):
        state["step"] += 1
        eps = np.random.default_rng(state["step"] % period).standard_normal(tuple(mu.shape))
        return mu + torch.exp(0.5 * logvar) * torch.as_tensor(eps, dtype=mu.dtype)
    return reparameterize


@pytest.mark.parametrize("factory, k", [(_cycling_sampler, 2), (_pool_sampler, 3), (_pool_sampler, 5),
                                        (_numpy_reseeded_sampler, 4)],
                         ids=["reseeded-period-2", "pool-of-3", "pool-of-5", "numpy-reseeded-period-4"])
def test_noise_repeating_every_k_calls_is_deterministic(factory, k):
    report = one_report(factory(k), roles="reparameterize")
    assert "sampler-deterministic" in _codes(report, "bug"), described(report)


def counter_seeded(mu, logvar, _state={"calls": 0}):
    _state["calls"] += 1
    generator = torch.Generator().manual_seed(1000 + _state["calls"])
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=generator, dtype=mu.dtype)


def fresh_noise(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


@pytest.mark.parametrize("function", [counter_seeded, fresh_noise], ids=["counter-seeded", "randn-like"])
def test_fresh_noise_on_every_call_is_correct(function):
    report = one_report(function, roles="reparameterize")
    assert report.verdict == "correct", described(report)


# --- B9: user code ending the process or raising KeyboardInterrupt ---------------------------------------

def _run_check_code(tmp_path, source: str, target: str = "kl") -> subprocess.CompletedProcess:
    path = tmp_path / "user_code.py"
    path.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, "-m", "mathcheck", "check-code", f"{path}::{target}"],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("body, shown", [
    ("import os; os._exit(0)", "os._exit(0)"),
    ("import os; os._exit(3)", "os._exit(3)"),
    ("import posix; posix._exit(0)", "os._exit(0)"),
    ("raise KeyboardInterrupt", "KeyboardInterrupt"),
    ("raise KeyboardInterrupt('stop')", "KeyboardInterrupt"),
], ids=["os-exit-0", "os-exit-3", "posix-exit", "keyboard-interrupt", "keyboard-interrupt-message"])
def test_function_ending_the_run_is_undecided_with_exit_1(tmp_path, body, shown):
    result = _run_check_code(tmp_path, f"def kl(mu, logvar):\n    {body}\n")
    assert result.returncode == 1 and "undecided" in result.stdout and shown in result.stdout, (result.stdout,
                                                                                                 result.stderr)


def test_module_calling_os_exit_on_import_is_a_usage_error(tmp_path):
    result = _run_check_code(tmp_path, "import os\nos._exit(0)\ndef kl(mu, logvar):\n    return mu\n")
    assert result.returncode == 2 and "os._exit(0)" in result.stderr, (result.stdout, result.stderr)


def exits_process(mu, logvar):
    os._exit(0)


def raises_keyboard_interrupt(mu, logvar):
    raise KeyboardInterrupt


@pytest.mark.parametrize("function", [exits_process, raises_keyboard_interrupt], ids=["os-exit", "keyboard-interrupt"])
def test_api_reports_ending_function_undecided_and_restores_os_exit(function):
    real_exit = os._exit
    (report,) = check(function, roles="kl").functions
    assert report.verdict == "undecided" and os._exit is real_exit, report.reason


def test_forked_child_still_exits_for_real():
    with user_code_guarded():
        child = os.fork()
        if child == 0:
            os._exit(7)
        _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7


def test_os_exit_in_parent_raises_process_exit():
    with user_code_guarded(), pytest.raises(ProcessExit):
        os._exit(0)


def test_real_ctrl_c_is_still_interrupted(tmp_path):
    path = tmp_path / "slow.py"
    path.write_text("import time\ndef kl(mu, logvar):\n    time.sleep(60)\n    return mu\n")
    process = subprocess.Popen([sys.executable, "-m", "mathcheck", "check-code", f"{path}::kl"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in err, err


def test_module_raising_keyboard_interrupt_on_import_is_a_usage_error(tmp_path):
    result = _run_check_code(tmp_path, "raise KeyboardInterrupt\ndef kl(mu, logvar):\n    return mu\n")
    assert result.returncode == 2 and "KeyboardInterrupt" in result.stderr, (result.stdout, result.stderr)


def test_keyboard_interrupt_under_a_custom_ctrl_c_handler_still_interrupts():
    """Where the caller installed its own SIGINT handler, a KeyboardInterrupt cannot be told from Ctrl-C: it
    propagates (the run is interrupted), it is not turned into an undecided function."""
    saved = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        with pytest.raises(KeyboardInterrupt):
            check(raises_keyboard_interrupt, roles="kl")
    finally:
        signal.signal(signal.SIGINT, saved)
