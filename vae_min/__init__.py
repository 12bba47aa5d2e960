"""vae_min: a minimal torch VAE that confirms the article's loss empirically.

Read it like the pytorch/examples VAE, one small file per concern:

- ``config``: every size and knob in one dataclass (``VAEConfig``);
- ``data``: scikit-learn's bundled 8x8 digits, binarized, with a fixed train/test split (or MNIST);
- ``model``: MLP encoder -> (mu, log sigma^2), reparameterized z, MLP decoder -> Bernoulli logits, and
  the one loss, BCE + closed-form KL;
- ``train``: one loop over in-memory tensors, checkpoints written atomically;
- ``estimators``: ELBO, importance-sampled log p(x) (IWAE), all with standard errors;
- ``linear_gaussian``: a VAE whose marginal and posterior are closed form;
- ``precision``: torch's float32 elementwise functions against float64 references;
- ``confirmations``: the empirical confirmations, each returning its numbers, tolerances and verdicts;
- ``confirm``: the ``vae-*`` entries of ``verify-all`` (a short training shared by all of them);
- ``cli``: ``python -m mathcheck vae``.

Nothing here runs at import, and importing this package does not import torch.
"""

if __name__ != "mathcheck.vae_min":  # imported by the bare folder name, every module would load twice
    raise ImportError(f"{__name__} installs as mathcheck.vae_min: import mathcheck.vae_min instead")
