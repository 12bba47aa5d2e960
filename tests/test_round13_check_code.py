"""Round 13 of check-code (attack36): the ranges a trained encoder meets are probed (|μ| up to 8 for a KL's
value, 3..6 for its gradient, σ down to 0.05 for a sampler), a loss whose KL lost its ½ and names no weight
is a bug, decorated functions of a file are found, one function's torch grad mode does not leak into the
next one's check, and free bits (Kingma et al. 2016) is recognized, with its λ, but left undecided: under the
floor the KL's weight, gradients and extreme values are not checked (attack38: a floored KL hid a KL averaged
over the latent dims, a detached logvar, a clamp).

Reference: the report of the same function written the textbook way (the KL summed over latent dims, the std
exp(logvar / 2), no clamp)."""
from __future__ import annotations

import textwrap

import pytest

torch = pytest.importorskip("torch")

from mathcheck.code import check  # noqa: E402
from mathcheck.code.targets import load_targets  # noqa: E402

HEADER = "import functools\nimport torch\nimport torch.nn.functional as F\n\n"


@pytest.fixture(autouse=True)
def _torch_state_kept():
    """A test's user code that changes torch's global state (grad mode, default dtype) does not reach the next
    test, whatever the code under test restores."""
    grad, dtype = torch.is_grad_enabled(), torch.get_default_dtype()
    yield
    torch.set_grad_enabled(grad)
    torch.set_default_dtype(dtype)


def _report(tmp_path, *parts: str):
    """The parts (each indented as written in the test) as one file, checked in file mode."""
    path = tmp_path / "model.py"
    path.write_text(HEADER + "\n".join(textwrap.dedent(part) for part in parts))
    targets = load_targets([str(path)])
    return check(*[(target.name, target.function) for target in targets])


def _only(report):
    (function,) = report.functions
    return function


def _by_name(report, name: str):
    (function,) = [f for f in report.functions if f.target.endswith("::" + name)]
    return function


def _codes(function) -> set[str]:
    return {f.code for f in function.findings if f.severity == "bug"}


TEXTBOOK_KL = """
    def kl_divergence(mu, logvar):
        return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    """

TEXTBOOK_SAMPLER = """
    def reparameterize(mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + std * torch.randn_like(std)
    """

TEXTBOOK_LOSS = """
    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld
    """


# --- 1. the μ and σ ranges a trained encoder meets ------------------------------------------------------------

def test_a_kl_whose_mu_is_clamped_at_six_differs_from_the_kl_at_mu_eight(tmp_path):
    function = _only(_report(tmp_path, """
        def kl_divergence(mu, logvar):
            mu = mu.clamp(-6.0, 6.0)
            return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """))
    assert function.verdict == "bug" and "kl-form" in _codes(function), function.findings


def test_a_loss_whose_kl_clamps_mu_at_five_is_a_bug(tmp_path):
    function = _only(_report(tmp_path, """
        def loss_function(recon_x, x, mu, logvar):
            bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
            m = torch.clamp(mu, -5.0, 5.0)
            return bce - 0.5 * torch.sum(1 + logvar - m.pow(2) - logvar.exp())
        """))
    assert function.verdict == "bug" and "kl-form" in _codes(function), function.findings


def test_a_kl_whose_mu_gradient_is_cut_past_three_and_a_half_is_a_bug(tmp_path):
    function = _only(_report(tmp_path, """
        def kl_divergence(mu, logvar):
            kept = torch.where(mu.abs() < 3.5, mu, mu.detach())
            return -0.5 * torch.sum(1 + logvar - kept.pow(2) - logvar.exp())
        """))
    assert function.verdict == "bug" and "kl-form" in _codes(function), function.findings
    assert any("gradient" in f.message for f in function.findings)


def test_the_textbook_kl_stays_correct_over_the_wider_ranges(tmp_path):
    assert _only(_report(tmp_path, TEXTBOOK_KL)).verdict == "correct"


def test_the_textbook_loss_stays_correct_over_the_wider_ranges(tmp_path):
    assert _only(_report(tmp_path, TEXTBOOK_LOSS)).verdict == "correct"


def test_a_sampler_that_clamps_mu_at_four_has_the_wrong_mean_at_large_mu(tmp_path):
    function = _only(_report(tmp_path, """
        def reparameterize(mu, logvar):
            std = torch.exp(0.5 * logvar)
            return mu.clamp(-4.0, 4.0) + std * torch.randn_like(std)
        """))
    assert function.verdict == "bug" and "sampler-std" in _codes(function), function.findings


def test_a_sampler_that_detaches_large_means_has_no_gradient_there(tmp_path):
    function = _only(_report(tmp_path, """
        def reparameterize(mu, logvar):
            m = torch.where(mu.abs() < 3.0, mu, mu.detach())
            std = torch.exp(0.5 * logvar)
            return m + std * torch.randn_like(std)
        """))
    assert function.verdict == "bug" and "sampler-no-gradient" in _codes(function), function.findings


@pytest.mark.parametrize("floor", ["torch.exp(0.5 * logvar).clamp(min=0.15)",
                                   "torch.exp(0.5 * logvar.clamp(min=-4.0))"])
def test_a_sampler_whose_std_is_floored_has_the_wrong_std_at_sigma_five_hundredths(tmp_path, floor):
    function = _only(_report(tmp_path, f"""
        def reparameterize(mu, logvar):
            std = {floor}
            return mu + std * torch.randn_like(std)
        """))
    assert function.verdict == "bug" and "sampler-std" in _codes(function), function.findings


def test_a_log_sigma_sampler_floored_at_sigma_eight_hundredths_is_a_bug(tmp_path):
    function = _only(_report(tmp_path, """
        def sample(mu, log_sigma):
            std = log_sigma.clamp(min=-2.5).exp()
            return mu + std * torch.randn_like(std)
        """))
    assert function.verdict == "bug" and "sampler-std" in _codes(function), function.findings


@pytest.mark.parametrize("body", [TEXTBOOK_SAMPLER, """
    def sample(mu, log_sigma):
        std = log_sigma.exp()
        return mu + std * torch.randn_like(std)
    """])
def test_the_textbook_sampler_stays_correct_at_large_means_and_small_stds(tmp_path, body):
    assert _only(_report(tmp_path, body)).verdict == "correct"


# --- 2. a KL missing its ½ in a loss that names no weight -------------------------------------------------------

def test_a_loss_whose_kl_lost_its_half_and_names_no_weight_is_a_bug(tmp_path):
    function = _only(_report(tmp_path, """
        def loss_function(recon_x, x, mu, logvar):
            bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
            kld = -torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            return bce + kld
        """))
    assert function.verdict == "bug" and "kl-constant" in _codes(function), function.findings
    assert "beta" not in {f.code for f in function.findings}


@pytest.mark.parametrize("body", ["""
    KL_WEIGHT = 2.0

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        return bce + KL_WEIGHT * -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    """, """
    import types

    cfg = types.SimpleNamespace(beta=2.0)

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        return bce + cfg.beta * -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    """, """
    def loss_function(recon_x, x, mu, logvar, beta=2.0):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        return bce + beta * -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    """])
def test_a_loss_that_names_a_beta_of_two_stays_a_convention(tmp_path, body):
    function = _only(_report(tmp_path, body))
    assert function.verdict == "convention" and {f.code for f in function.findings} == {"beta"}, function.findings


def test_a_halved_reconstruction_beside_the_kl_is_no_missing_half(tmp_path):
    """0.5·BCE + KL: the relative weight is 2 but the KL keeps its ½; it stays a β (convention)."""
    function = _only(_report(tmp_path, """
        def loss_function(recon_x, x, mu, logvar):
            bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
            return 0.5 * bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """))
    assert function.verdict == "convention" and "kl-constant" not in _codes(function), function.findings


# --- 3. decorated functions of a whole file ---------------------------------------------------------------------

MEAN_KL = """
    def kl_divergence(mu, logvar):
        return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
    """


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_a_torch_jit_scripted_kl_of_a_file_is_checked(tmp_path):
    report = _report(tmp_path, TEXTBOOK_SAMPLER, "@torch.jit.script", MEAN_KL)
    assert _by_name(report, "kl_divergence").verdict == "bug"
    assert "kl-mean-over-latent" in _codes(_by_name(report, "kl_divergence"))


def test_a_kl_behind_a_decorator_without_wraps_is_checked(tmp_path):
    decorator = """
        def timed(fn):
            def wrapper(*args, **kwargs):
                return fn(*args, **kwargs)
            return wrapper
        """
    report = _report(tmp_path, decorator, TEXTBOOK_SAMPLER, "@timed", MEAN_KL)
    assert "kl-mean-over-latent" in _codes(_by_name(report, "kl_divergence"))


@pytest.mark.parametrize("keeps", ["", "functools.update_wrapper(self, fn)"])
def test_a_kl_behind_a_callable_object_decorator_is_checked(tmp_path, keeps):
    """A jit-like wrapper object, not a function (as ``jax.jit`` returns), with or without ``__wrapped__``:
    its def is read through ``inspect.unwrap`` or from the file."""
    decorator = f"""
        class compiled:
            def __init__(self, fn):
                self._fn = fn
                {keeps}

            def __call__(self, *args, **kwargs):
                return self._fn(*args, **kwargs)
        """
    report = _report(tmp_path, decorator, "@compiled", MEAN_KL)
    assert "kl-mean-over-latent" in _codes(_by_name(report, "kl_divergence"))


def test_a_method_behind_a_decorator_without_wraps_is_checked(tmp_path):
    report = _report(tmp_path, """
        def logged(fn):
            def wrapper(*args, **kwargs):
                return fn(*args, **kwargs)
            return wrapper

        class VAE:
            @logged
            def kl(self, mu, logvar):
                return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
        """)
    assert "kl-mean-over-latent" in _codes(_by_name(report, "VAE.kl"))


def test_a_kl_whose_decorator_leaves_no_callable_is_listed_undecided(tmp_path):
    report = _report(tmp_path, """
        REGISTRY = {}

        def register(fn):
            REGISTRY[fn.__name__] = fn
            return None
        """, TEXTBOOK_SAMPLER, "@register", MEAN_KL)
    function = _by_name(report, "kl_divergence")
    assert function.verdict == "undecided" and "not checked" in (function.reason or ""), function


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_a_jit_scripted_textbook_kl_is_correct(tmp_path):
    report = _report(tmp_path, "@torch.jit.script", TEXTBOOK_KL)
    assert _by_name(report, "kl_divergence").verdict == "correct"


# --- 4. global torch state between targets ----------------------------------------------------------------------

def test_a_kl_that_turns_grad_mode_off_does_not_fail_the_next_sampler(tmp_path):
    report = _report(tmp_path, """
        def kl_divergence(mu, logvar):
            torch.set_grad_enabled(False)
            return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """, TEXTBOOK_SAMPLER)
    assert _by_name(report, "reparameterize").verdict == "correct"
    assert torch.is_grad_enabled()


def test_a_kl_that_changes_the_default_dtype_leaves_it_as_it_was(tmp_path):
    before = torch.get_default_dtype()
    _report(tmp_path, """
        def kl_divergence(mu, logvar):
            torch.set_default_dtype(torch.float64 if torch.get_default_dtype() == torch.float32 else torch.float32)
            return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """)
    assert torch.get_default_dtype() == before


# --- 5. free bits --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("floor", ["torch.clamp(kl.mean(0), min=free_bits).sum()",
                                   "torch.clamp(kl, min=free_bits).sum(1).mean()"])
def test_free_bits_per_latent_dim_is_recognized_with_its_lambda_and_not_passed(tmp_path, floor):
    function = _only(_report(tmp_path, f"""
        def kl_loss(mu, logvar, free_bits=0.3):
            kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
            return {floor}
        """))
    assert function.verdict == "undecided", function.findings
    (finding,) = function.findings
    assert "free bits" in finding.message and finding.evidence["free_bits"] == pytest.approx(0.3, rel=1e-4)


def test_free_bits_inside_a_loss_with_a_beta_is_recognized_and_not_passed(tmp_path):
    function = _only(_report(tmp_path, """
        def loss_function(recon_x, x, mu, logvar, beta=1.0, free_bits=0.5):
            bce = F.binary_cross_entropy(recon_x, x, reduction="sum") / x.size(0)
            kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
            return bce + beta * torch.clamp(kl.mean(0), min=free_bits).sum()
        """))
    assert function.verdict == "undecided", function.findings
    assert any("free bits" in f.message for f in function.findings)


@pytest.mark.parametrize("bug", ["-0.5 * (1 + logvar - mu.pow(2) - logvar.exp().detach())",
                                 "-0.5 * (1 + logvar.clamp(-2, 2) - mu.pow(2) - logvar.clamp(-2, 2).exp())"])
def test_a_bug_under_a_free_bits_floor_is_never_passed(tmp_path, bug):
    function = _only(_report(tmp_path, f"""
        def kl_loss(mu, logvar, free_bits=0.25):
            kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
            kl = {bug}
            return torch.clamp(kl.mean(0), min=free_bits).sum()
        """))
    assert function.verdict in ("bug", "undecided"), function.findings


@pytest.mark.parametrize("body", ["""
    def kl_divergence(mu, logvar, floor=0.5):
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
        return torch.clamp(kl, min=floor).mean()
    """, """
    def kl_divergence(mu, logvar, min_kl=1.0):
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
        return torch.clamp(kl.sum(-1), min=min_kl).sum()
    """])
def test_a_floor_on_the_total_kl_is_no_free_bits(tmp_path, body):
    function = _only(_report(tmp_path, body))
    assert function.verdict == "bug" and "kl-form" in _codes(function), function.findings


# --- 6. cut sizes held in attributes and config objects -------------------------------------------------------

@pytest.mark.parametrize("held, size", [
    ("class VAE:\n    def __init__(self):\n        self.kl_dims = 16\n", "self.kl_dims"),
    ("class VAE:\n    KL_DIMS = 8\n\n    def __init__(self):\n        pass\n", "self.KL_DIMS"),
])
def test_a_kl_that_ignores_latent_dims_past_an_attribute_is_a_bug_past_that_size(tmp_path, held, size):
    report = _report(tmp_path, held + f"""
    def kl(self, mu, logvar):
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
        return kl[:, :{size}].sum(-1).mean()
""")
    function = _by_name(report, "VAE.kl")
    assert function.verdict == "bug" and "past the sizes the code cuts at" in function.findings[0].message, \
        function.findings


@pytest.mark.parametrize("config, size", [
    ("import types\ncfg = types.SimpleNamespace(kl_dims=8)\n", "cfg.kl_dims"),
    ('CONFIG = {"kl_dims": 8}\n', 'CONFIG["kl_dims"]'),
])
def test_a_kl_cut_at_a_config_size_is_a_bug_past_that_size(tmp_path, config, size):
    function = _only(_report(tmp_path, config, f"""
        def kl_divergence(mu, logvar):
            kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
            return kl[:, :{size}].sum(-1).mean()
        """))
    assert function.verdict == "bug" and "past the sizes the code cuts at" in function.findings[0].message


def test_a_loss_that_drops_examples_past_an_attribute_batch_size_is_a_bug(tmp_path):
    report = _report(tmp_path, """
        class VAE:
            def __init__(self):
                self.max_batch = 16

            def loss_function(self, recon_x, x, mu, logvar):
                n = self.max_batch
                bce = F.binary_cross_entropy(recon_x[:n], x[:n], reduction="sum")
                return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        """)
    function = _by_name(report, "VAE.loss_function")
    assert function.verdict == "bug" and any("past the sizes" in f.message for f in function.findings)


def test_a_sampler_whose_noise_stops_at_an_attribute_size_is_a_bug(tmp_path):
    report = _report(tmp_path, """
        class VAE:
            def __init__(self):
                self.noisy_dims = 8

            def reparameterize(self, mu, logvar):
                std = torch.exp(0.5 * logvar)
                eps = torch.zeros_like(std)
                eps[:, : self.noisy_dims] = torch.randn_like(std[:, : self.noisy_dims])
                return mu + eps * std
        """)
    assert _by_name(report, "VAE.reparameterize").verdict == "bug"


def test_a_kl_method_that_slices_at_the_tensors_own_size_stays_correct(tmp_path):
    report = _report(tmp_path, """
        class VAE:
            def __init__(self):
                self.latent_dim = 16

            def kl(self, mu, logvar):
                kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
                return kl[:, : mu.size(1)].sum(-1).mean()
        """)
    assert _by_name(report, "VAE.kl").verdict == "correct"


# --- attack38 -------------------------------------------------------------------------------------------------

DOUBLED_KL = "-torch.sum(1 + logvar - mu.pow(2) - logvar.exp())"
HALF_KL = "-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())"


@pytest.mark.parametrize("weighted", [
    "    kld_weight = 2.0\n    return bce + kld_weight * kld",
    "    kld_weight = kwargs.get('kld_weight', 2.0)\n    return bce + kld_weight * kld",
])
def test_a_kl_weighted_two_by_a_named_local_weight_is_a_convention(tmp_path, weighted):
    function = _only(_report(tmp_path, f"""
def loss_function(recon_x, x, mu, logvar, **kwargs):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = {HALF_KL}
{weighted}
"""))
    assert function.verdict == "convention" and "kl-constant" not in _codes(function), function.findings


@pytest.mark.parametrize("unrelated", [
    "    losses = {}\n    losses['kl'] = kld\n    return bce + losses['kl']",
    "    history.append(kld.item())\n    return bce + kld",
])
def test_a_doubled_kl_beside_names_that_weigh_nothing_is_its_half_missing(tmp_path, unrelated):
    function = _only(_report(tmp_path, f"""
history = []


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = {DOUBLED_KL}
{unrelated}
"""))
    assert function.verdict == "bug" and "kl-constant" in _codes(function), function.findings


def test_a_doubled_kl_at_a_beta_of_one_by_default_is_its_half_missing(tmp_path):
    function = _only(_report(tmp_path, f"""
def loss_function(recon_x, x, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = {DOUBLED_KL}
    return bce + beta * kld
"""))
    assert function.verdict == "bug" and "kl-constant" in _codes(function), function.findings


def test_a_slice_by_the_models_own_latent_size_cuts_nothing(tmp_path):
    function = _only(_report(tmp_path, """
class VAE(torch.nn.Module):
    def __init__(self, latent_dim=16):
        super().__init__()
        self.latent_dim = latent_dim

    def kl(self, mu, logvar):
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
        return kl[:, : self.latent_dim].sum(1).mean()
"""))
    assert function.verdict == "correct", function.findings
