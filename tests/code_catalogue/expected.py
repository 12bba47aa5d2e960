"""What each catalogue variant computes (its truth) and what ``mathcheck check-code`` must say about it.

``EXPECTED`` maps a target (``path/to/file.py::name``, relative to the repository root, as the CLI takes it) to
an ``Expected``: the verdict, the finding codes that must be present, those of which one at least must be, and
those that must not. ``truth`` says what the code computes, in terms the reference math can check directly
(``tests/test_check_code_catalogue.py::test_catalogue_ground_truth`` does, without the checker).
``GROUPS`` are functions checked together, for the cross-check ``parameterization-mismatch``.

Decisions the contract (issue 14) leaves to us, made once here:
- batch reductions are not findings: a sum, a mean over the batch and a per-example vector are all correct
  (vae_min's loss averages over the batch and must come out correct);
- a KL off by a constant, additive (the -1 dropped) or a factor (the 1/2 dropped), is ``kl-constant``: the
  issue's "a wrong KL constant", reported as "what it does equal (sign, constant, a factor)"; ``kl-form`` is
  for KLs that no parameterization, sign, constant and reduction explain;
- inside a loss the same factor 2 on the KL behaves as beta = 2: ``beta`` (a convention) where the code names a
  weight (an argument, attribute, global or constant named beta, kl_weight, ...), ``kl-constant`` (the 1/2
  missing, a bug) where it names none (round 13, attack36 F16);
- a Gaussian reconstruction is right with any fixed variance: summed squared error is the NLL with
  sigma^2 = 1/2 up to a constant, so MSE(sum) + KL is ``correct`` (the variance is reported, not a finding),
  while a per-pixel or per-batch mean beside a summed KL changes the weight with D or B (``reduction-mismatch``);
- one factor on both terms (0.5, or 1/(B D)) is ``scale``; a factor on the KL alone is ``beta``;
- notes (``nonfinite-at-extremes``) do not change a verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KL_CODES = frozenset({"kl-sign", "kl-constant", "kl-mean-over-latent", "kl-form"})
RECONSTRUCTION_CODES = frozenset({"reconstruction-sign", "reconstruction-form"})
WEIGHT_CODES = frozenset({"reduction-mismatch", "beta", "scale"})
SAMPLER_CODES = frozenset({"sampler-std", "sampler-deterministic", "sampler-no-gradient"})
MISMATCH = "parameterization-mismatch"
NOTE = "nonfinite-at-extremes"


@dataclass(frozen=True)
class KLTruth:
    """A KL term: KL(N(mu, sigma^2) || N(0, 1)) per latent dim, with sigma^2 read from the scale argument s."""

    parameterization: str | None  # logvar: s = log sigma^2, log_sigma, sigma, var; None: no formula known
    latent: str = "sum"  # reduction over the latent dims: sum | mean
    batch: str = "sum"  # over the batch: sum | mean | none (a vector of per-example values)
    factor: float = 1.0  # multiplies the KL: -1 is the sign error, 2 the 1/2 dropped
    offset: float = 0.0  # added per latent dim before the reductions: 1/2 is the -1 dropped
    transform: str | None = None  # applied to s before the parameterization's formula: "softplus"

    @property
    def fits(self) -> str | None:
        """The parameterization under which this is an affine function of the KL; None: none (kl-form)."""
        return None if self.transform else self.parameterization


@dataclass(frozen=True)
class LossTruth:
    """A loss: scale * (recon_sign * reconstruction NLL + beta * KL), up to an additive constant."""

    recon: str  # bernoulli-probs | bernoulli-logits | gaussian | laplace | categorical-onehot | categorical-ids | form
    kl: KLTruth
    recon_data: str = "sum"  # reduction of the NLL over the data dims: sum | mean
    recon_batch: str = "sum"  # and over the batch: sum | mean | none
    recon_sign: float = 1.0
    beta: float = 1.0
    scale: float | str = 1.0  # a number, or "per-element": divided by B * D
    variance: float = 1.0  # the Gaussian's sigma^2, the Laplace's scale b
    data_shape: tuple[int, ...] | None = None  # one example's shape where the code hard-codes it
    data: str | None = None  # the data drawn when the family does not say: binary | unit (in (0, 1)) | onehot
    select: int | str | None = None  # which output is the loss: a tuple index, a dict key, "terms": their sum
    reported_kl: tuple[int | str, KLTruth] | None = None  # another output that reports the KL term


@dataclass(frozen=True)
class SamplerTruth:
    """A sampler z = mu + sqrt(var(s)) * noise_std * eps."""

    parameterization: str  # how the code turns s into the variance, before noise_std and transform
    noise_std: float = 1.0  # 0.01: too little noise; 0: none
    noise: str = "gaussian"  # or "uniform" on [0, 1)
    transform: str | None = None  # "softplus": var = exp(softplus(s)) for a logvar formula
    fresh: bool = True  # new noise on every call
    independent_batch: bool = True  # independent noise across the batch rows
    gradient: bool = True  # pathwise gradients reach mu and the scale (where the framework has autograd)
    shape: tuple[int, int] | None = None  # (B, d) where the code hard-codes it

    @property
    def fits(self) -> str | None:
        """The parameterization the sample variance fits; None: none does."""
        right = self.noise_std == 1.0 and self.transform is None and self.noise == "gaussian"
        return self.parameterization if right else None


@dataclass(frozen=True)
class Expected:
    verdict: str
    role: str
    truth: KLTruth | LossTruth | SamplerTruth
    present: frozenset[str] = frozenset()
    one_of: frozenset[str] = frozenset()  # at least one of these
    absent: frozenset[str] = frozenset()
    framework: str = "torch"
    inputs: dict[str, str] = field(default_factory=dict)  # argument roles the names do not give (--inputs)
    precision: str = "float64"  # the arithmetic the code does (float32: it casts its inputs down)
    why: str = ""

    @property
    def parameterization(self) -> str | None:
        """The parameterization the report must name: the one the behaviour fits (checked for non-bugs)."""
        truth = self.truth.kl if isinstance(self.truth, LossTruth) else self.truth
        return truth.fits

    @property
    def forbidden(self) -> frozenset[str]:
        """Codes that must not appear: those named, and those of other roles."""
        unrelated = {"kl": RECONSTRUCTION_CODES | WEIGHT_CODES | SAMPLER_CODES,
                     "reparameterize": KL_CODES | RECONSTRUCTION_CODES | WEIGHT_CODES,
                     "loss": SAMPLER_CODES}[self.role]
        return (self.absent | unrelated | {MISMATCH}) - self.present - self.one_of


@dataclass(frozen=True)
class Group:
    """Functions checked together: ``ok`` of the whole report, codes over all of its functions."""

    targets: tuple[str, ...]
    ok: bool
    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    why: str = ""


def _target(module: str, name: str) -> str:
    return f"tests/code_catalogue/{module}.py::{name}"


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def _kl(module: str, name: str, verdict: str, truth: KLTruth, **details) -> tuple[str, Expected]:
    return _target(module, name), Expected(verdict, "kl", truth, **details)


def _loss(module: str, name: str, verdict: str, truth: LossTruth, **details) -> tuple[str, Expected]:
    return _target(module, name), Expected(verdict, "loss", truth, **details)


def _sampler(module: str, name: str, verdict: str, truth: SamplerTruth, **details) -> tuple[str, Expected]:
    return _target(module, name), Expected(verdict, "reparameterize", truth, **details)


OTHER_KL = {  # for a KL bug of one kind, the KL codes of the other kinds, which must not appear
    "kl-sign": _codes("kl-mean-over-latent", "kl-form", "kl-constant"),
    "kl-mean-over-latent": _codes("kl-sign", "kl-form", "kl-constant"),
    "kl-constant": _codes("kl-sign", "kl-mean-over-latent"),
    "kl-form": _codes("kl-sign", "kl-mean-over-latent"),
}

KL_CORRECT = dict([
    _kl("kl_correct", "kl_logvar_sum", "correct", KLTruth("logvar")),
    _kl("kl_correct", "kl_logvar_batch_mean", "correct", KLTruth("logvar", batch="mean")),
    _kl("kl_correct", "kl_logvar_per_example", "correct", KLTruth("logvar", batch="none")),
    _kl("kl_correct", "kl_log_sigma_sum", "correct", KLTruth("log_sigma")),
    _kl("kl_correct", "kl_log_std_per_example", "correct", KLTruth("log_sigma", batch="none")),
    _kl("kl_correct", "kl_sigma_batch_mean", "correct", KLTruth("sigma", batch="mean")),
    _kl("kl_correct", "kl_std_sum", "correct", KLTruth("sigma")),
    _kl("kl_correct", "kl_var_sum", "correct", KLTruth("var")),
    _kl("kl_correct", "kl_var_per_example", "correct", KLTruth("var", batch="none")),
    _kl("kl_correct", "kl_named_z_var_holds_logvar", "correct", KLTruth("logvar", batch="mean"),
        why="named a variance, read as log sigma^2: the behaviour decides"),
    _kl("kl_correct", "kl_named_logvar_holds_log_sigma", "correct", KLTruth("log_sigma"),
        why="named logvar, read as log sigma (exp(logvar) is the std) consistently: right on its own"),
    _kl("kl_correct", "kl_torch_distributions", "correct", KLTruth("logvar", batch="none")),
    _kl("kl_correct", "kl_torch_distributions_scale", "correct", KLTruth("sigma", batch="mean")),
    _kl("kl_correct", "kl_independent_normal", "correct", KLTruth("logvar")),
    _kl("kl_correct", "kl_term", "correct", KLTruth("logvar"), inputs={"m": "mu", "s": "logvar"},
        why="names that give no role: --inputs (inputs=) gives them"),
    _kl("kl_correct", "kl_mean_over_batch_first", "correct", KLTruth("logvar", batch="mean"),
        why="the mean is over dim 0, the batch: no KL / d"),
    _kl("kl_correct", "kl_normal_scale_given_logvar", "correct", KLTruth("sigma"),
        why="Normal(mu, logvar): `logvar` is the std; it raises on negative values, so only positive ones tell"),
    _kl("kl_correct", "kl_keepdim", "correct", KLTruth("logvar", batch="none")),
    _kl("kl_correct", "kl_clamped_logvar", "correct", KLTruth("logvar"),
        why="clamp(-10, 10): a guard, exact on every log-variance a model meets"),
    _kl("kl_correct", "kl_mean_times_latent_dim", "correct", KLTruth("logvar", batch="mean"),
        why="a mean over B d times d: the KL / d undone"),
])

KL_BUGS = dict([
    _kl("kl_bugs", "kl_mean_over_everything", "bug", KLTruth("logvar", latent="mean", batch="mean"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"]),
    _kl("kl_bugs", "kl_mean_last_axis", "bug", KLTruth("logvar", latent="mean", batch="none"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"]),
    _kl("kl_bugs", "kl_mean_latent_then_sum_batch", "bug", KLTruth("logvar", latent="mean"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"]),
    _kl("kl_bugs", "kl_sign_flipped", "bug", KLTruth("logvar", factor=-1.0),
        present=_codes("kl-sign"), absent=OTHER_KL["kl-sign"]),
    _kl("kl_bugs", "kl_minus_one_dropped", "bug", KLTruth("logvar", offset=0.5),
        present=_codes("kl-constant"), absent=OTHER_KL["kl-constant"]),
    _kl("kl_bugs", "kl_half_missing", "bug", KLTruth("logvar", batch="mean", factor=2.0),
        present=_codes("kl-constant"), absent=OTHER_KL["kl-constant"],
        why="a constant factor 2 alone, not a reduction: the 1/2 dropped"),
    _kl("kl_bugs", "kl_softplus_on_logvar", "bug", KLTruth("logvar", transform="softplus"),
        present=_codes("kl-form"), absent=OTHER_KL["kl-form"],
        why="sigma^2 = exp(softplus(s)) fits none of the four parameterizations"),
    _kl("kl_bugs", "kl_exp_logvar_as_std", "bug", KLTruth(None),
        present=_codes("kl-form"), absent=OTHER_KL["kl-form"]),
    _kl("kl_bugs", "kl_mu_not_squared", "bug", KLTruth(None, batch="none"),
        present=_codes("kl-form"), absent=OTHER_KL["kl-form"]),
    _kl("kl_bugs", "kl_squares_only", "bug", KLTruth(None),
        present=_codes("kl-form"), absent=OTHER_KL["kl-form"]),
    _kl("kl_bugs", "kl_wrong_axis_then_mean", "bug", KLTruth("logvar", latent="mean"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"],
        why="sum(dim=0) then mean(): the batch summed, the latent dims averaged"),
    _kl("kl_bugs", "kl_sign_and_mean", "bug", KLTruth("logvar", latent="mean", batch="mean", factor=-1.0),
        present=_codes("kl-sign", "kl-mean-over-latent"), absent=_codes("kl-form")),
])

_LOGVAR_SUM = KLTruth("logvar")
_LOGVAR_MEAN = KLTruth("logvar", batch="mean")

LOSSES_CORRECT = dict([
    _loss("losses_correct", "loss_bce_probs_flat784", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, data_shape=(784,)), why="x.view(-1, 784) needs D = 784"),
    _loss("losses_correct", "loss_bce_logits_sum", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM)),
    _loss("losses_correct", "loss_batch_mean", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean")),
    _loss("losses_correct", "loss_conv_images", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean", data_shape=(1, 28, 28)),
          why="sum(dim=(1, 2, 3)) needs image-shaped data"),
    _loss("losses_correct", "loss_images_1x28x28", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, data_shape=(1, 28, 28))),
    _loss("losses_correct", "loss_gaussian_mse_sum", "correct", LossTruth("gaussian", _LOGVAR_SUM, variance=0.5),
          absent=_codes("beta", "scale"), why="summed squared error = Gaussian NLL with sigma^2 = 1/2 + const"),
    _loss("losses_correct", "loss_gaussian_nll_fixed_std", "correct",
          LossTruth("gaussian", _LOGVAR_MEAN, recon_batch="mean", variance=0.01), absent=_codes("beta", "scale")),
    _loss("losses_correct", "loss_laplace_l1", "correct", LossTruth("laplace", _LOGVAR_SUM, variance=1.0)),
    _loss("losses_correct", "loss_categorical_onehot", "correct", LossTruth("categorical-onehot", _LOGVAR_SUM)),
    _loss("losses_correct", "loss_sequence_token_ids", "correct", LossTruth("categorical-ids", _LOGVAR_SUM),
          why="token ids x (B, L), logits (B, L, K)"),
    _loss("losses_correct", "loss_returns_tuple", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, select=0, reported_kl=(2, _LOGVAR_SUM))),
    _loss("losses_correct", "loss_returns_terms", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM, select="terms"),
          absent=_codes(NOTE), why="(reconstruction, KL) for the caller to add; finite at every extreme"),
    _loss("losses_correct", "loss_returns_dict", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean", select="loss",
                    reported_kl=("kl", _LOGVAR_MEAN))),
    _loss("losses_correct", "loss_keras_style_rescaled_mean", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean"),
          why="mean over pixels times x.shape[-1] is a sum for every D"),
    _loss("losses_correct", "loss_bce_eps_guard", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM),
          why="log(p + 1e-10): a guard, not a different likelihood"),
    _loss("losses_correct", "loss_logsigmoid", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM)),
    _loss("losses_correct", "loss_distributions", "correct",
          LossTruth("bernoulli-logits", _LOGVAR_MEAN, recon_batch="mean")),
    _loss("losses_correct", "loss_clamped_probs", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM)),
    _loss("losses_correct", "loss_sigma_parameterized", "correct", LossTruth("bernoulli-probs", KLTruth("sigma"))),
    _loss("losses_correct", "loss_named_logvar_holds_log_sigma", "correct",
          LossTruth("bernoulli-probs", KLTruth("log_sigma"))),
    _loss("losses_correct", "loss_divided_by_batch_size", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean"), absent=_codes("scale")),
    _loss("losses_correct", "loss_gaussian_nll_loss", "correct", LossTruth("gaussian", _LOGVAR_SUM, variance=1.0),
          absent=_codes("beta", "scale")),
    _loss("losses_correct", "loss_legacy_size_average", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM)),
    _loss("losses_correct", "loss_logits_named_recon_x", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM),
          why="named like probabilities, used as logits: the behaviour decides"),
    _loss("losses_correct", "loss_probs_named_logits", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM),
          why="named logits, used as probabilities (it raises on values outside [0, 1])"),
    _loss("losses_correct", "loss_sigmoid_then_bce", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM),
          why="finite at logits +-50 (torch clamps log at -100), so no note is required either"),
    _loss("losses_correct", "loss_where_binary", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM),
          why="right for binary data only, which is what it is written for"),
    _loss("losses_correct", "elbo", "correct", LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean",
                                                         scale=-1.0),
          absent=_codes("reconstruction-sign", "kl-sign", "scale"),
          why="a function named elbo returns the ELBO: minus the loss, no sign error"),
])

LOSSES_CONVENTIONS = dict([
    _loss("losses_conventions", "loss_beta_vae", "convention", LossTruth("bernoulli-probs", _LOGVAR_SUM, beta=4.0),
          present=_codes("beta"), absent=_codes("scale")),
    _loss("losses_conventions", "loss_kl_weight_half", "convention",
          LossTruth("bernoulli-logits", _LOGVAR_MEAN, recon_batch="mean", beta=0.5),
          present=_codes("beta"), absent=_codes("scale")),
    _loss("losses_conventions", "loss_halved", "convention", LossTruth("bernoulli-probs", _LOGVAR_SUM, scale=0.5),
          present=_codes("scale"), absent=_codes("beta")),
    _loss("losses_conventions", "loss_per_element", "convention",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, scale="per-element"),
          present=_codes("scale"), absent=_codes("beta", "reduction-mismatch"),
          why="(BCE + KL) / (B D): both terms share the factor"),
])

_NOT_KL = KL_CODES
_NOT_RECON = RECONSTRUCTION_CODES

LOSSES_BUGS = dict([
    _loss("losses_bugs", "loss_kl_half_dropped", "bug", LossTruth("bernoulli-probs", KLTruth("logvar", factor=2.0)),
          present=_codes("kl-constant"), absent=_codes("scale"),
          why="2 KL beside the reconstruction behaves as beta = 2, but no weight is named in the code: the 1/2 is missing"),
    _loss("losses_bugs", "loss_pixel_mean_bce_summed_kl", "bug",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, recon_data="mean", recon_batch="mean"),
          present=_codes("reduction-mismatch"), absent=_NOT_KL | _NOT_RECON),
    _loss("losses_bugs", "loss_pixel_mean_bce_batch_mean_kl", "bug",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_data="mean", recon_batch="mean"),
          present=_codes("reduction-mismatch"), absent=_NOT_KL | _NOT_RECON,
          why="KL weighted D times too much"),
    _loss("losses_bugs", "loss_mse_mean_summed_kl", "bug",
          LossTruth("gaussian", _LOGVAR_SUM, recon_data="mean", recon_batch="mean", variance=0.5),
          present=_codes("reduction-mismatch"), absent=_NOT_KL | _NOT_RECON),
    _loss("losses_bugs", "loss_log_likelihood_not_negated", "bug",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, recon_sign=-1.0),
          present=_codes("reconstruction-sign"), absent=_NOT_KL | _codes("reconstruction-form")),
    _loss("losses_bugs", "loss_kl_sign_flipped", "bug", LossTruth("bernoulli-probs", KLTruth("logvar", factor=-1.0)),
          present=_codes("kl-sign"), absent=_NOT_RECON | _codes("kl-mean-over-latent", "kl-form")),
    _loss("losses_bugs", "loss_bernoulli_typo", "bug", LossTruth("form", _LOGVAR_SUM),
          present=_codes("reconstruction-form"), absent=_NOT_KL | _codes("reconstruction-sign")),
    _loss("losses_bugs", "loss_double_sigmoid", "bug", LossTruth("form", _LOGVAR_SUM),
          present=_codes("reconstruction-form"), absent=_NOT_KL | _codes("reconstruction-sign")),
    _loss("losses_bugs", "loss_bce_arguments_swapped", "bug", LossTruth("form", _LOGVAR_SUM, data="unit"),
          present=_codes("reconstruction-form"), absent=_NOT_KL | _codes("reconstruction-sign"),
          why="on binary data torch's log clamp at -100 makes it 100 x an L1 loss; on data in (0, 1) no NLL"),
    _loss("losses_bugs", "loss_log_softmax_over_batch", "bug", LossTruth("form", _LOGVAR_SUM, data="onehot"),
          present=_codes("reconstruction-form"), absent=_NOT_KL | _codes("reconstruction-sign")),
    _loss("losses_bugs", "loss_kl_mean_over_latent", "bug",
          LossTruth("bernoulli-probs", KLTruth("logvar", latent="mean", batch="mean"), recon_batch="mean"),
          present=_codes("kl-mean-over-latent"), absent=_NOT_RECON | _codes("kl-sign", "kl-form")),
    _loss("losses_bugs", "loss_everything_averaged", "bug",
          LossTruth("bernoulli-probs", KLTruth("logvar", latent="mean", batch="mean"), recon_data="mean",
                    recon_batch="mean"),
          present=_codes("kl-mean-over-latent"), absent=_NOT_RECON | _codes("kl-sign", "kl-form")),
    _loss("losses_bugs", "loss_softplus_logvar", "bug",
          LossTruth("bernoulli-logits", KLTruth("logvar", transform="softplus")),
          present=_codes("kl-form"), absent=_NOT_RECON | _codes("kl-sign", "kl-mean-over-latent")),
    _loss("losses_bugs", "loss_exp_logvar_as_std", "bug", LossTruth("bernoulli-probs", KLTruth(None)),
          present=_codes("kl-form"), absent=_NOT_RECON | _codes("kl-sign", "kl-mean-over-latent")),
    _loss("losses_bugs", "loss_pixel_mean_and_kl_sign", "bug",
          LossTruth("bernoulli-probs", KLTruth("logvar", factor=-1.0), recon_data="mean", recon_batch="mean"),
          present=_codes("reduction-mismatch", "kl-sign"), absent=_NOT_RECON | _codes("kl-form")),
    _loss("losses_bugs", "loss_recon_sign_and_kl_mean", "bug",
          LossTruth("bernoulli-probs", KLTruth("logvar", latent="mean"), recon_sign=-1.0),
          present=_codes("reconstruction-sign", "kl-mean-over-latent"), absent=_codes("kl-sign", "kl-form")),
    _loss("losses_bugs", "loss_reports_kl_with_wrong_sign", "bug",
          LossTruth("bernoulli-probs", _LOGVAR_SUM, select=0, reported_kl=(2, KLTruth("logvar", factor=-1.0))),
          present=_codes("kl-sign"), absent=_NOT_RECON | _codes("kl-mean-over-latent", "kl-form"),
          why="the loss is right; the KL it reports is -KL (issue 14: 'or in a reported KL')"),
    _loss("losses_bugs", "loss_dict_with_mean_kl", "bug",
          LossTruth("bernoulli-probs", KLTruth("logvar", latent="mean"), select="loss",
                    reported_kl=("kl", KLTruth("logvar", latent="mean"))),
          present=_codes("kl-mean-over-latent"), absent=_NOT_RECON | _codes("kl-sign", "kl-form")),
])

SAMPLERS = dict([
    _sampler("samplers", "reparameterize", "correct", SamplerTruth("logvar")),
    _sampler("samplers", "reparameterize_inplace", "correct", SamplerTruth("logvar")),
    _sampler("samplers", "sample_log_sigma", "correct", SamplerTruth("log_sigma")),
    _sampler("samplers", "sample_scale", "correct", SamplerTruth("sigma")),
    _sampler("samplers", "sample_variance", "correct", SamplerTruth("var")),
    _sampler("samplers", "sample_rsample", "correct", SamplerTruth("logvar")),
    _sampler("samplers", "reparameterize_given_noise", "correct", SamplerTruth("logvar"),
             why="the noise is an argument (role eps)"),
    _sampler("samplers", "reparameterize_float32_noise", "correct", SamplerTruth("logvar")),
    _sampler("samplers", "sample_exp_logvar_as_std", "correct", SamplerTruth("log_sigma"),
             why="exp(logvar) as the std fits log sigma; wrong only beside a logvar KL (GROUPS)"),
    _sampler("samplers", "sample_small_noise", "bug", SamplerTruth("logvar", noise_std=0.01),
             present=_codes("sampler-std"), absent=_codes("sampler-deterministic", "sampler-no-gradient")),
    _sampler("samplers", "sample_no_noise", "bug", SamplerTruth("logvar", noise_std=0.0, gradient=False),
             present=_codes("sampler-deterministic")),
    _sampler("samplers", "sample_eval_mode_default", "bug", SamplerTruth("logvar", noise_std=0.0, gradient=False),
             present=_codes("sampler-deterministic")),
    _sampler("samplers", "sample_seeded_inside", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient")),
    _sampler("samplers", "sample_fixed_generator", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient")),
    _sampler("samplers", "sample_reused_noise", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient")),
    _sampler("samplers", "sample_noise_from_import", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient")),
    _sampler("samplers", "sample_noise_shared_across_batch", "bug",
             SamplerTruth("logvar", independent_batch=False),
             one_of=_codes("sampler-deterministic", "sampler-std"), absent=_codes("sampler-no-gradient"),
             why="fresh per call, but one noise vector for the whole batch"),
    _sampler("samplers", "sample_detached_std", "bug", SamplerTruth("logvar", gradient=False),
             present=_codes("sampler-no-gradient"), absent=_codes("sampler-std", "sampler-deterministic")),
    _sampler("samplers", "sample_numpy_roundtrip", "bug", SamplerTruth("logvar", gradient=False),
             present=_codes("sampler-no-gradient"), absent=_codes("sampler-std", "sampler-deterministic")),
    _sampler("samplers", "sample_torch_normal", "bug", SamplerTruth("logvar", gradient=False),
             present=_codes("sampler-no-gradient"), absent=_codes("sampler-std", "sampler-deterministic"),
             why="torch.normal(mu, std) has zero gradients: not reparameterized"),
    _sampler("samplers", "sample_distribution_sample", "bug", SamplerTruth("logvar", gradient=False),
             present=_codes("sampler-no-gradient"), absent=_codes("sampler-std", "sampler-deterministic")),
    _sampler("samplers", "sample_hard_coded_shape", "correct", SamplerTruth("logvar", shape=(32, 8)),
             why="the error on other shapes names 32 and 8: the retry can find them"),
    _sampler("samplers", "sample_clamped_logvar", "correct", SamplerTruth("logvar")),
    _sampler("samplers", "sample_under_no_grad", "bug", SamplerTruth("logvar", gradient=False),
             present=_codes("sampler-no-gradient"), absent=_codes("sampler-std", "sampler-deterministic")),
    _sampler("samplers", "sample_uniform_noise", "bug", SamplerTruth("logvar", noise="uniform"),
             one_of=_codes("sampler-std"), absent=_codes("sampler-deterministic", "sampler-no-gradient"),
             why="the mean is mu + sigma / 2 and the variance sigma^2 / 12: sampler-std is the code that fits"),
    _sampler("samplers", "sample_softplus_logvar", "bug", SamplerTruth("logvar", transform="softplus"),
             present=_codes("sampler-std"), absent=_codes("sampler-deterministic", "sampler-no-gradient"),
             why="variance exp(softplus(s)) >= 1 fits no parameterization"),
])

NUMPY = dict([
    _kl("numpy_variants", "kl_np_per_example", "correct", KLTruth("logvar", batch="none"), framework="numpy"),
    _kl("numpy_variants", "kl_np_sigma_batch_mean", "correct", KLTruth("sigma", batch="mean"), framework="numpy"),
    _kl("numpy_variants", "kl_np_var_total", "correct", KLTruth("var"), framework="numpy"),
    _kl("numpy_variants", "kl_np_keras_mean", "bug", KLTruth("logvar", latent="mean", batch="none"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"], framework="numpy"),
    _kl("numpy_variants", "kl_np_sign", "bug", KLTruth("logvar", factor=-1.0),
        present=_codes("kl-sign"), absent=OTHER_KL["kl-sign"], framework="numpy"),
    _loss("numpy_variants", "loss_np_bce", "correct",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean"), framework="numpy"),
    _loss("numpy_variants", "loss_np_gaussian", "correct", LossTruth("gaussian", KLTruth("log_sigma"), variance=1.0),
          absent=_codes("beta", "scale"), framework="numpy"),
    _loss("numpy_variants", "loss_np_pixel_mean", "bug",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_data="mean", recon_batch="mean"),
          present=_codes("reduction-mismatch"), absent=_NOT_KL | _NOT_RECON, framework="numpy"),
    _loss("numpy_variants", "loss_np_xlogy", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM),
          absent=_codes(NOTE), framework="numpy"),
    _sampler("numpy_variants", "sample_np", "correct", SamplerTruth("logvar"), framework="numpy",
             why="numpy has no autograd: no gradient finding may be raised"),
    _sampler("numpy_variants", "sample_np_generator", "correct", SamplerTruth("log_sigma"), framework="numpy"),
    _sampler("numpy_variants", "sample_np_seeded_inside", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient"), framework="numpy"),
    _sampler("numpy_variants", "sample_np_exp_logvar_as_std", "correct", SamplerTruth("log_sigma"),
             framework="numpy"),
])

METHODS = dict([
    _sampler("methods", "VAE.reparameterize", "correct", SamplerTruth("logvar"),
             why="an nn.Module built without arguments is in training mode: it samples"),
    _loss("methods", "VAE.loss_function", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM, data_shape=(784,))),
    _loss("methods", "BetaVAE.loss_function", "convention",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean", beta=4.0, select="loss"),
          present=_codes("beta"), absent=_codes("scale")),
    _kl("methods", "KerasLikeModel.kl_loss", "bug", KLTruth("logvar", latent="mean", batch="mean"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"]),
    _sampler("methods", "KerasLikeModel.sampling", "correct", SamplerTruth("logvar")),
    _sampler("methods", "CachedNoiseSampler.forward", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient")),
])

NUMERICS = dict([
    _loss("numerics", "loss_sigmoid_then_log", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM),
          present=_codes(NOTE), why="sigmoid(50) == 1.0: log(1 - p) = -inf where the NLL is 50"),
    _loss("numerics", "loss_stable_logits", "correct", LossTruth("bernoulli-logits", _LOGVAR_SUM),
          absent=_codes(NOTE)),
    _loss("numerics", "loss_handwritten_bce_probs", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM),
          present=_codes(NOTE), why="0 * log 0 = nan at p = x in {0, 1}, where the NLL is 0"),
    _kl("numerics", "kl_sigma_log_of_square", "correct", KLTruth("sigma"),
        why="inf only below sigma = 2.2e-162 (sigma ** 2 underflows): no note required at sigma = exp(-15)"),
    _kl("numerics", "kl_sigma_two_log", "correct", KLTruth("sigma"), absent=_codes(NOTE)),
    _kl("numerics", "kl_distributions_sigma", "correct", KLTruth("sigma"),
        why="torch squares the scale ratio before its log: inf only below sigma = 2.2e-162"),
    _kl("numerics", "kl_float32_inside", "correct", KLTruth("logvar"), precision="float32",
        why="float32 rounding is no finding"),
    _loss("numerics", "loss_float32_inside", "correct", LossTruth("bernoulli-probs", _LOGVAR_SUM), precision="float32",
          why="float32 rounding is no kl-constant"),
    _sampler("numerics", "sample_float32", "correct", SamplerTruth("logvar")),
    _kl("numerics", "kl_log_of_exp", "correct", KLTruth("logvar"),
        why="finite over logvar in [-30, 30]; a note would be fair only past -745, so none is required"),
])

VAE_MIN = {
    "vae_min/model.py::loss_function": Expected(
        "correct", "loss", LossTruth("bernoulli-logits", _LOGVAR_MEAN, recon_batch="mean"),
        why="issue 14: vae_min's own loss must come out correct"),
    "vae_min/model.py::reparameterize": Expected("correct", "reparameterize", SamplerTruth("logvar")),
    "vae_min/model.py::loss_terms": Expected(
        "correct", "loss", LossTruth("bernoulli-logits", KLTruth("logvar", batch="none"), recon_batch="none",
                                     select="terms"),
        absent=_codes(NOTE), why="per-example (BCE, KL); checked with the whole file; finite at every extreme"),
}

JAX = dict([
    _kl("jax_variants", "kl_jax_sum", "correct", KLTruth("logvar"), framework="jax"),
    _kl("jax_variants", "kl_jax_vmapped", "correct", KLTruth("logvar", batch="none"), framework="jax"),
    _kl("jax_variants", "kl_jax_mean", "bug", KLTruth("logvar", latent="mean", batch="mean"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"], framework="jax"),
    _sampler("jax_variants", "reparameterize", "correct", SamplerTruth("logvar"), framework="jax"),
    _sampler("jax_variants", "reparameterize_split", "correct", SamplerTruth("log_sigma"), framework="jax"),
    _sampler("jax_variants", "reparameterize_fixed_key", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient"), framework="jax"),
    _sampler("jax_variants", "reparameterize_stop_gradient", "bug", SamplerTruth("logvar", gradient=False),
             present=_codes("sampler-no-gradient"), absent=_codes("sampler-std", "sampler-deterministic"),
             framework="jax"),
    _loss("jax_variants", "loss_jax", "correct", LossTruth("bernoulli-logits", _LOGVAR_MEAN, recon_batch="mean"),
          framework="jax"),
    _loss("jax_variants", "loss_jax_pixel_mean", "bug",
          LossTruth("bernoulli-logits", _LOGVAR_SUM, recon_data="mean", recon_batch="mean"),
          present=_codes("reduction-mismatch"), absent=_NOT_KL | _NOT_RECON, framework="jax"),
])

TENSORFLOW = dict([
    _kl("tf_variants", "kl_keras_per_example", "correct", KLTruth("logvar", batch="none"), framework="tensorflow"),
    _kl("tf_variants", "kl_keras_mean", "bug", KLTruth("logvar", latent="mean", batch="none"),
        present=_codes("kl-mean-over-latent"), absent=OTHER_KL["kl-mean-over-latent"], framework="tensorflow"),
    _sampler("tf_variants", "sampling", "correct", SamplerTruth("logvar"), framework="tensorflow"),
    _sampler("tf_variants", "sampling_stateless", "bug", SamplerTruth("logvar", fresh=False),
             present=_codes("sampler-deterministic"), absent=_codes("sampler-no-gradient"), framework="tensorflow"),
    _loss("tf_variants", "vae_loss", "correct", LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_batch="mean"),
          framework="tensorflow", why="Keras adds 1e-7 inside its logs: a guard"),
    _loss("tf_variants", "vae_loss_unscaled", "bug",
          LossTruth("bernoulli-probs", _LOGVAR_MEAN, recon_data="mean", recon_batch="mean"),
          present=_codes("reduction-mismatch"), absent=_NOT_KL | _NOT_RECON, framework="tensorflow"),
])

EXPECTED: dict[str, Expected] = {
    **KL_CORRECT, **KL_BUGS, **LOSSES_CORRECT, **LOSSES_CONVENTIONS, **LOSSES_BUGS, **SAMPLERS, **NUMPY,
    **METHODS, **NUMERICS, **VAE_MIN, **JAX, **TENSORFLOW,
}


def _group(*targets: str, ok: bool, present=(), absent=(), why: str = "") -> Group:
    return Group(tuple(targets), ok, frozenset(present), frozenset(absent), why)


_KL = "tests/code_catalogue/kl_correct.py::"
_SAMPLE = "tests/code_catalogue/samplers.py::"
_NP = "tests/code_catalogue/numpy_variants.py::"

GROUPS: dict[str, Group] = {
    "logvar KL, logvar sampler": _group(_KL + "kl_logvar_sum", _SAMPLE + "reparameterize", ok=True,
                                        absent=[MISMATCH]),
    "logvar KL, exp(logvar) as std": _group(_KL + "kl_logvar_sum", _SAMPLE + "sample_exp_logvar_as_std", ok=False,
                                            present=[MISMATCH], why="issue 14: 5 of 42 implementations"),
    "log sigma KL named logvar, exp(logvar) as std": _group(
        _KL + "kl_named_logvar_holds_log_sigma", _SAMPLE + "sample_exp_logvar_as_std", ok=True, absent=[MISMATCH],
        why="both read logvar as log sigma: consistent, whatever the name"),
    "log sigma KL named logvar, logvar sampler": _group(
        _KL + "kl_named_logvar_holds_log_sigma", _SAMPLE + "reparameterize", ok=False, present=[MISMATCH]),
    "z_var KL, logvar sampler": _group(_KL + "kl_named_z_var_holds_logvar", _SAMPLE + "reparameterize", ok=True,
                                       absent=[MISMATCH]),
    "sigma KL, sigma sampler": _group(_KL + "kl_std_sum", _SAMPLE + "sample_scale", ok=True, absent=[MISMATCH]),
    "var KL, var sampler": _group(_KL + "kl_var_sum", _SAMPLE + "sample_variance", ok=True, absent=[MISMATCH]),
    "logvar loss, exp(logvar) as std": _group(
        "tests/code_catalogue/losses_correct.py::loss_bce_logits_sum", _SAMPLE + "sample_exp_logvar_as_std",
        ok=False, present=[MISMATCH]),
    "log sigma loss, exp(logvar) as std": _group(
        "tests/code_catalogue/losses_correct.py::loss_named_logvar_holds_log_sigma",
        _SAMPLE + "sample_exp_logvar_as_std", ok=True, absent=[MISMATCH]),
    "numpy logvar KL, numpy exp(logvar) as std": _group(
        _NP + "kl_np_per_example", _NP + "sample_np_exp_logvar_as_std", ok=False, present=[MISMATCH]),
    "numpy logvar KL, numpy sampler": _group(_NP + "kl_np_per_example", _NP + "sample_np", ok=True,
                                             absent=[MISMATCH]),
    "methods of one module": _group("tests/code_catalogue/methods.py::VAE.loss_function",
                                    "tests/code_catalogue/methods.py::VAE.reparameterize", ok=True,
                                    absent=[MISMATCH]),
    "Normal(mu, logvar) KL, logvar sampler": _group(
        _KL + "kl_normal_scale_given_logvar", _SAMPLE + "reparameterize", ok=False, present=[MISMATCH],
        why="the KL reads logvar as the std, the sampler as log sigma^2"),
    "vae_min": _group("vae_min/model.py::loss_function", "vae_min/model.py::reparameterize", ok=True,
                      absent=[MISMATCH]),
}
