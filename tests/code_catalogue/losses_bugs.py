"""Losses that are wrong, in PyTorch: reduction mismatches, sign errors, wrong likelihoods, wrong KLs, and
two of them at once. Written for the catalogue (not taken from any project).
"""
import torch
import torch.nn.functional as F


def _kl_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_pixel_mean_bce_summed_kl(recon_x, x, mu, logvar):
    """F.binary_cross_entropy's default mean over batch and pixels, plus a KL summed over everything."""
    return F.binary_cross_entropy(recon_x, x) + _kl_sum(mu, logvar)


def loss_pixel_mean_bce_batch_mean_kl(recon_x, x, mu, logvar):
    """Both averaged over the batch, but the BCE over the pixels too: the KL weighted D times too much."""
    bce = F.binary_cross_entropy(recon_x, x)
    kld = torch.mean(-0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp(), dim=1))
    return bce + kld


def loss_mse_mean_summed_kl(recon, x, mu, logvar):
    return F.mse_loss(recon, x) + _kl_sum(mu, logvar)


def loss_log_likelihood_not_negated(recon_x, x, mu, logvar):
    """The Bernoulli log-likelihood added instead of its negative."""
    log_lik = torch.sum(x * torch.log(recon_x) + (1 - x) * torch.log(1 - recon_x))
    return log_lik + _kl_sum(mu, logvar)


def loss_kl_sign_flipped(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce + 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_bernoulli_typo(recon_x, x, mu, logvar):
    """log(p) where log(1 - p) belongs."""
    bce = -torch.sum(x * torch.log(recon_x) + (1 - x) * torch.log(recon_x))
    return bce + _kl_sum(mu, logvar)


def loss_double_sigmoid(logits, x, mu, logvar):
    """Probabilities fed to the logits version of the BCE: sigmoid applied twice."""
    probs = torch.sigmoid(logits)
    bce = F.binary_cross_entropy_with_logits(probs, x, reduction="sum")
    return bce + _kl_sum(mu, logvar)


def loss_kl_mean_over_latent(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(-1)
    kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)
    return (bce + kl).mean()


def loss_everything_averaged(recon_x, x, mu, logvar):
    """torch.mean on both terms: BCE / (B D) + KL / (B d)."""
    bce = F.binary_cross_entropy(recon_x, x)
    kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


def loss_softplus_logvar(logits, x, mu, logvar):
    """softplus on the log-variance before the KL: sigma^2 >= 1 is what the KL sees."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    logvar = F.softplus(logvar)
    return bce + _kl_sum(mu, logvar)


def loss_exp_logvar_as_std(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    std = torch.exp(logvar)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - std ** 2)
    return bce + kl


def loss_pixel_mean_and_kl_sign(recon_x, x, mu, logvar):
    """Two bugs: a per-pixel-mean BCE and a KL with the wrong sign."""
    bce = F.binary_cross_entropy(recon_x, x)
    kl = 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


def loss_recon_sign_and_kl_mean(recon_x, x, mu, logvar):
    """Two bugs: the log-likelihood not negated and the KL averaged over the latent dims."""
    log_lik = (x * torch.log(recon_x) + (1 - x) * torch.log1p(-recon_x)).sum(-1)
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp())).mean(-1)
    return (log_lik + kl).sum()


def loss_reports_kl_with_wrong_sign(recon_x, x, mu, logvar):
    """The loss is right, but the KL it reports (and a training loop logs) is -KL."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce - kld, bce, kld


def loss_dict_with_mean_kl(recon_x, x, mu, logvar):
    """A dict whose total carries a KL / d."""
    recon = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1).sum()
    return {"loss": recon + kl, "recon": recon, "kl": kl}


def loss_bce_arguments_swapped(recon_x, x, mu, logvar):
    """Keras' (y_true, y_pred) order given to torch's (input, target): the data where the prediction belongs."""
    bce = F.binary_cross_entropy(x, recon_x, reduction="sum")
    return bce + _kl_sum(mu, logvar)


def loss_log_softmax_over_batch(logits, x, mu, logvar):
    """A categorical NLL normalised over dim 0, the batch, instead of the classes."""
    nll = -(x * F.log_softmax(logits, dim=0)).sum()
    return nll + _kl_sum(mu, logvar)


def loss_kl_half_dropped(recon_x, x, mu, logvar):
    """The KL's 1/2 dropped inside a loss: beta = 2 by behaviour, but the code
    names no weight: the KL constant is wrong (kl-constant), as in a KL alone."""
    kld = -torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + kld
