"""Issue 11, round 4: the kinds the styles-attacker found (attack3), each fixed at its mechanism:

- U1: an instance of a defined family (L_1 of L_β := ...) is checked against the family with the instance's
  value put in, also where the prose bounds the parameter (β ≥ 1, read as 1 + δ_β); an instance outside the
  bound the body was read under is not covered; an instance that cannot be matched is never a definition;
- U2: a document's own definition of a built-in name (H, KL, E, N) is checked against the built-in meaning;
  where it is not shown to agree, no step that uses the name is checked with the built-in meaning; a macro
  that does not expand leaves the steps that use it unchecked;
- F1: a prose Gaussian declaration of a conditional density (q(z|x) = N(z; μ, σ²), p(x|z) = N(x; m, s²)) is
  used for that density given its condition; one that cannot be read leaves the step undecided;
- F2: a declaration the reader sees but does not take as one makes a step it would decide undecided, never
  refuted in a world that ignores it; more plain phrasings are read (We choose, parentheses, Japanese
  brackets, とおく, "Let $q(z)$ be the Gaussian $N(...)$");
- F3: ``w_k := ...``, ``g_a := a^2`` are indexed families: w_1, g_2 are their instances.
"""
from __future__ import annotations

import pytest

from mathcheck.audit import audit_file
from mathcheck.audit.check import DEFINITION, UNPARSED
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

VERIFIED = (PROVED, HOLDS)
PASSING = (PROVED, HOLDS, DEFINITION)


def steps_of(tmp_path, text: str, name: str = "doc.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return audit_file(str(path)).steps


def display(*formulas: str, prose: str = "") -> str:
    return (prose + "\n\n" if prose else "") + "\n\n".join(f"$${f}$$" for f in formulas) + "\n"


def verdict_at(steps, line: int) -> str:
    return next(step.verdict for step in steps if step.line == line and step.block)


# ---------------------------------------------------------------- U1: instances of a family, with a bounded parameter

BETA_FAMILIES = [  # (the family's definition, an instance's left side with β = 1, the same with β = 2)
    (r"\mathcal{L}_\beta(x; \theta, \phi) := \mathbb{E}_{q_\phi(z \vert x)}\left[\log p_\theta(x \vert z)\right] - "
     r"\beta\, D_{KL}\left(q_\phi(z \vert x) \Vert p(z)\right)",
     r"\mathcal{L}_1(x; \theta, \phi)", r"\mathcal{L}_2(x; \theta, \phi)",
     r"\mathbb{E}_{q_\phi(z \vert x)}\left[\log p_\theta(x \vert z)\right]", r"D_{KL}\left(q_\phi(z \vert x) \Vert p(z)\right)"),
    (r"\mathcal{L}_\beta(x) := \mathbb{E}_{q(z|x)}[\log p(x|z)] - \beta D_{KL}(q(z|x) \| p(z))",
     r"\mathcal{L}_1(x)", r"\mathcal{L}_2(x)", r"\mathbb{E}_{q(z|x)}[\log p(x|z)]", r"D_{KL}(q(z|x) \| p(z))"),
    (r"L_\beta := a - \beta b", "L_1", "L_2", "a", "b"),
]
BOUNDS = ["We take $\\beta \\geq 1$ throughout.", "Let $\\sigma > 0$ and $\\beta \\geq 1$.", "Let $\\beta \\ge 1$.",
          "Assume that $\\beta \\geqslant 1$."]


@pytest.mark.parametrize("bound", BOUNDS)
@pytest.mark.parametrize("family, one, two, first, second", BETA_FAMILIES)
def test_a_wrong_instance_of_a_bounded_family_is_refuted_not_a_definition(tmp_path, bound, family, one, two, first,
                                                                          second):
    steps = steps_of(tmp_path, display(family, f"{one} = {first} + {second}", f"{two} = {first} - 3 {second}",
                                       prose=bound))
    assert [s.verdict for s in steps] == [DEFINITION, REFUTED, REFUTED], [(s.verdict, s.reason) for s in steps]


@pytest.mark.parametrize("bound", BOUNDS)
@pytest.mark.parametrize("family, one, two, first, second", BETA_FAMILIES)
def test_a_true_instance_of_a_bounded_family_is_proved_by_its_value(tmp_path, bound, family, one, two, first, second):
    steps = steps_of(tmp_path, display(family, f"{one} = {first} - {second}", f"{two} = {first} - 2 {second}",
                                       prose=bound))
    assert [s.verdict for s in steps[1:]] == [PROVED, PROVED], [(s.verdict, s.reason) for s in steps]


@pytest.mark.parametrize("family, one, two, first, second", BETA_FAMILIES)
def test_an_instance_written_with_a_definition_sign_is_checked_against_its_family(tmp_path, family, one, two, first,
                                                                                  second):
    steps = steps_of(tmp_path, display(family, f"{one} := {first} + {second}", prose=BOUNDS[0]))
    assert steps[1].verdict == REFUTED and "instance of" in steps[1].reason, steps[1]


@pytest.mark.parametrize("instance, value", [(r"\mathcal{L}_0", "-1"), (r"\mathcal{L}_{0}", "-1")])
def test_an_instance_outside_the_bound_the_family_was_read_under_is_not_covered(tmp_path, instance, value):
    # √((β−1)²) reads as δ_β for β = 1 + δ_β, δ_β ≥ 0; at β = 0 it is 1, not −1
    steps = steps_of(tmp_path, display(r"\mathcal{L}_\beta := \sqrt{(\beta - 1)^2}", f"{instance} = {value}",
                                       prose="Let $\\beta \\geq 1$."))
    assert steps[1].verdict not in PASSING, steps[1]


def test_an_instance_outside_a_declared_sign_of_an_indexed_family_is_not_covered(tmp_path):
    steps = steps_of(tmp_path, display("g_a := a^2 + 1", "g_0 = 1", prose="Let $a > 0$."))
    assert steps[1].verdict not in PASSING, steps[1]


def test_an_instance_that_cannot_be_matched_to_its_family_is_never_a_definition(tmp_path):
    steps = steps_of(tmp_path, display(r"\mathcal{L}_\theta := \mathbb{E}_{q(z|x)}[\log p_\theta(x|z)]",
                                       r"\mathcal{L}_\phi = \mathbb{E}_{q(z|x)}[\log p_\phi(x|z)] + 1"))
    assert steps[1].verdict not in PASSING, steps[1]


# ---------------------------------------------------------------- U2: a built-in name the document defines itself

BITS = r"-\int p(x)\log_2 p(x)\,dx"
NATS_USE = r"\mathcal{H}(p) = -\int p(x)\ln p(x)\,dx"
DEFINING_SIGNS = [":=", r"\coloneqq", r"\triangleq", r"\stackrel{\text{def}}{=}"]


@pytest.mark.parametrize("sign", DEFINING_SIGNS)
@pytest.mark.parametrize("where", ["display", "prose"])
def test_a_use_of_a_builtin_the_document_defines_otherwise_is_not_verified(tmp_path, sign, where):
    definition = rf"\mathcal{{H}}(p) {sign} {BITS}"
    text = display(definition, NATS_USE) if where == "display" else display(
        NATS_USE, prose=f"In this post the entropy is measured in bits: ${definition}$.")
    steps = [s for s in steps_of(tmp_path, text) if s.block]
    assert steps[-1].verdict not in PASSING and "defines H itself" in steps[-1].reason, steps[-1]


@pytest.mark.parametrize("definition, use", [
    (r"D_{KL}(p \| q) := \int q(x) \log \frac{q(x)}{p(x)} \, dx",
     r"D_{KL}(p(x) \| q(x)) = \int p(x) \log \frac{p(x)}{q(x)} \, dx"),
    (r"\mathrm{KL}[p \| q] := \int q(x) \log \frac{q(x)}{p(x)} \, dx",
     r"\mathrm{KL}[p(x) \| q(x)] = \int p(x) \log \frac{p(x)}{q(x)} \, dx"),
    (r"\mathcal{N}(x; \mu, \sigma) := \frac{1}{\sqrt{2\pi}\sigma} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)",
     r"\log \mathcal{N}(x; \mu, \sigma) = -\log\sigma - \frac{1}{2}\log(2\pi) - \frac{(x-\mu)^2}{2\sigma^2}"),
    (r"H[q] := -\int q(z) \log_2 q(z) \, dz", r"H[q] = -\mathbb{E}_{q(z)}[\log q(z)]"),
])
def test_every_builtin_defined_with_another_convention_leaves_its_uses_unverified(tmp_path, definition, use):
    steps = steps_of(tmp_path, display(definition, use, prose="Let $\\sigma > 0$."))
    assert steps[0].verdict == DEFINITION and steps[1].verdict not in PASSING, [(s.verdict, s.reason) for s in steps]


@pytest.mark.parametrize("definition, use", [
    (r"D_{KL}(q \| p) := \int q(z) \log \frac{q(z)}{p(z)} \, dz", r"D_{KL}(q(z) \| p(z)) \geq 0"),
    (r"H(q) := -\int q(z) \log q(z) \, dz", r"H(q) = -\mathbb{E}_{q(z)}[\log q(z)]"),
    (r"\mathcal{N}(x; \mu, \sigma^2) := \frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)",
     r"\log \mathcal{N}(x; \mu, \sigma^2) = -\log\sigma - \frac{1}{2}\log(2\pi) - \frac{(x-\mu)^2}{2\sigma^2}"),
])
def test_a_definition_that_agrees_with_the_builtin_keeps_its_uses_checked(tmp_path, definition, use):
    steps = steps_of(tmp_path, display(definition, use, prose="Let $\\sigma > 0$."))
    assert [s.verdict for s in steps] == [DEFINITION, PROVED], [(s.verdict, s.reason) for s in steps]


@pytest.mark.parametrize("document, name", [
    ("$$\\renewcommand{\\log}{\\log_2}$$\n\n$$\\log 4 = 2 \\ln 2$$\n", "doc.md"),
    ("\\documentclass{article}\n\\renewcommand{\\log}{\\log_2}\n\\begin{document}\n\\begin{equation}\n"
     "\\log 4 = 2 \\ln 2\n\\end{equation}\n\\end{document}\n", "doc.tex"),
])
def test_a_step_using_a_macro_that_does_not_expand_is_not_verified(tmp_path, document, name):
    steps = [s for s in steps_of(tmp_path, document, name) if s.block]
    assert steps and all(s.verdict not in PASSING for s in steps), steps


@pytest.mark.parametrize("text", [
    "For densities of a real $x$, define the entropy $\\mathcal{H}(p) = " + BITS + "$ in bits.\n\n$$" + NATS_USE + "$$\n",
    "$\\mathcal{H}(p) = " + BITS + "$ と定義する。\n\n$$" + NATS_USE + "$$\n",
    "We define the entropy in bits as\n\n$$\\mathcal{H}(p) = " + BITS + "$$\n\nThen\n\n$$" + NATS_USE + "$$\n",
    "All logarithms in this note are to base 2.\n\n$$\\log 4 = 2 \\ln 2$$\n",
    "対数の底は $2$ とする。\n\n$$\\log 4 = 2 \\ln 2$$\n",
])
def test_a_builtin_the_prose_defines_otherwise_leaves_its_uses_unverified(tmp_path, text):
    steps = [s for s in steps_of(tmp_path, text) if s.block]
    assert steps[-1].verdict not in PASSING and "itself" in steps[-1].reason, steps[-1]


@pytest.mark.parametrize("prose", ["By the definition of KL,", "As defined above,", "Let us check that"])
def test_a_justification_or_a_passing_remark_is_no_redefinition(tmp_path, prose):
    steps = steps_of(tmp_path, display(r"D_{KL}(q(z) \| p(z)) = \mathbb{E}_{q(z)}[\log p(z) - \log q(z)]",
                                       r"\log 4 = 2 \ln 2", prose=prose))
    assert [s.verdict for s in steps if s.block] == [REFUTED, PROVED], steps


@pytest.mark.parametrize("kept", [r"\log_2 4 = 2", r"\ln 4 = 2 \ln 2"])
def test_a_log_with_its_base_written_is_checked_under_a_base_convention(tmp_path, kept):
    steps = steps_of(tmp_path, display(kept, prose="All logarithms are to base 2."))
    assert [s.verdict for s in steps if s.block] == [PROVED], steps


# ---------------------------------------------------------------- F1: a declared conditional density

ENCODERS = [  # (prose, the density as the display writes it)
    ("Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$.", "q(z|x)"),
    ("The encoder is $q_\\phi(z \\mid x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$.", "q_\\phi(z \\mid x)"),
    ("Let $q(z \\vert x) \\sim \\mathcal{N}(\\mu, \\sigma^2)$ with $\\sigma > 0$.", "q(z \\vert x)"),
    ("「$q(z|x)$ は正規分布 $\\mathcal{N}(z; \\mu, \\sigma^2)$ とする」（ただし $\\sigma > 0$）。", "q(z|x)"),
    ("エンコーダを $q(z \\mid x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ とおく（$\\sigma > 0$）。", "q(z \\mid x)"),
]


@pytest.mark.parametrize("prose, encoder", ENCODERS)
def test_a_declared_conditional_gaussian_gives_its_mean(tmp_path, prose, encoder):
    steps = steps_of(tmp_path, display(rf"\mathbb{{E}}_{{{encoder}}}[z] = \mu", prose=prose))
    assert [s.verdict for s in steps if s.block] == [PROVED], steps


@pytest.mark.parametrize("prose, encoder", ENCODERS)
def test_a_wrong_moment_of_a_declared_conditional_gaussian_is_refuted(tmp_path, prose, encoder):
    steps = steps_of(tmp_path, display(rf"\mathbb{{E}}_{{{encoder}}}[z^2] = \mu^2", prose=prose))
    assert [s.verdict for s in steps if s.block] == [REFUTED], steps


DECODERS = [
    ("We use $p(x \\mid z) = \\mathcal{N}(x; m, s^2)$ with $s > 0$.", "p(x \\mid z)", "m", "s"),
    ("We use $p_\\theta(x \\mid z) = \\mathcal{N}(x; \\hat{x}, \\sigma^2)$ with $\\sigma > 0$.", "p_\\theta(x \\mid z)",
     "\\hat{x}", "\\sigma"),
    ("The decoder is $p(x|z) = \\mathcal{N}(x; m, s^2)$ (here $s > 0$).", "p(x|z)", "m", "s"),
]


@pytest.mark.parametrize("prose, decoder, mean, scale", DECODERS)
@pytest.mark.parametrize("factor, verdict", [("2", PROVED), ("", REFUTED)])
def test_the_negative_log_of_a_declared_gaussian_decoder_is_a_scaled_square(tmp_path, prose, decoder, mean, scale,
                                                                            factor, verdict):
    step = rf"-\log {decoder} = \frac{{(x-{mean})^2}}{{{factor}{scale}^2}} + \frac{{1}}{{2}}\log(2\pi {scale}^2)"
    steps = steps_of(tmp_path, display(step, prose=prose))
    assert [s.verdict for s in steps if s.block] == [verdict], steps


def test_a_declared_conditional_is_not_the_marginal_of_its_letter(tmp_path):
    # q(z|x) = N(μ, σ²) says nothing of a q(z) the step writes besides: no verdict from a world that ignores it
    steps = steps_of(tmp_path, display(r"\mathbb{E}_{q(z)}[z] = \mu",
                                       prose="Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$."))
    assert steps[-1].verdict != PROVED, steps


def test_a_conditional_declaration_that_cannot_be_read_leaves_the_step_undecided(tmp_path):
    steps = steps_of(tmp_path, display(r"\mathbb{E}_{q_\phi(z \mid x)}[z] = \mu",
                                       prose="The encoder is $q_\\phi(z \\mid x) = \\mathcal{N}(z; \\mu, "
                                             "\\sigma_\\phi^2(x))$."))
    step = next(s for s in steps if s.block)
    assert step.verdict == UNDECIDED and "cannot be read" in step.reason, step


# ---------------------------------------------------------------- F2: declarations read, and those refused

KL_CLOSED = r"\mathrm{KL}[q(z) \| p(z)] = -\frac{1}{2}\left(1 + \ln\sigma^2 - \mu^2 - \sigma^2\right)"
KL_WRONG = r"\mathrm{KL}[q(z) \| p(z)] = -\frac{1}{2}\left(1 + \ln\sigma^2 - \mu^2 - 2\sigma^2\right)"
PLAIN = [
    "We choose $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$ and $p(z) = \\mathcal{N}(z; 0, 1)$.",
    "We take $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$ and $p(z) = \\mathcal{N}(z; 0, 1)$.",
    "Here $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and $p(z) = \\mathcal{N}(z; 0, 1)$ (where $\\sigma > 0$).",
    "The approximate posterior is $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and the prior is $p(z) = "
    "\\mathcal{N}(z; 0, 1)$ (here $\\sigma>0$).",
    "Suppose $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and $p(z) = \\mathcal{N}(z; 0, 1)$, where $\\sigma > 0$.",
    "Let $q(z)$ be the Gaussian $\\mathcal{N}(z; \\mu, \\sigma^2)$ and $p(z)$ the Gaussian $\\mathcal{N}(z; 0, 1)$, "
    "with $\\sigma > 0$.",
    "近似事後分布を $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$、事前分布を $p(z) = \\mathcal{N}(z; 0, 1)$ "
    "とします（$\\sigma > 0$）。",
    "「近似事後分布」を $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$、事前分布を $p(z) = \\mathcal{N}(z; 0, 1)$ "
    "とおく（$\\sigma > 0$）。",
]


@pytest.mark.parametrize("prose", PLAIN)
def test_a_plain_declaration_in_a_common_phrasing_is_read(tmp_path, prose):
    steps = steps_of(tmp_path, display(KL_CLOSED, prose=prose))
    assert [s.verdict for s in steps if s.block] == [PROVED], steps


@pytest.mark.parametrize("prose", PLAIN)
def test_a_planted_error_under_a_plain_declaration_is_refuted(tmp_path, prose):
    steps = steps_of(tmp_path, display(KL_WRONG, prose=prose))
    assert [s.verdict for s in steps if s.block] == [REFUTED], steps


REFUSED = [  # declarations the reader sees and does not take as plain statements
    "Our pixel model says $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and $p(z) = \\mathcal{N}(z; 0, 1)$, maybe.",
    "Some authors write $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and $p(z) = \\mathcal{N}(z; 0, 1)$ here.",
    "「$q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$、$p(z) = \\mathcal{N}(z; 0, 1)$ とする」と書く本もある。",
]


@pytest.mark.parametrize("prose", REFUSED)
def test_a_step_decided_only_by_a_refused_declaration_is_undecided_naming_it(tmp_path, prose):
    steps = steps_of(tmp_path, display(KL_CLOSED, prose=prose + " Let $\\sigma > 0$."))
    step = next(s for s in steps if s.block)
    assert step.verdict == UNDECIDED and "not read as a declaration" in step.reason, step


@pytest.mark.parametrize("prose", REFUSED)
def test_a_step_refuted_also_under_a_refused_declaration_stays_refuted(tmp_path, prose):
    steps = steps_of(tmp_path, display(KL_WRONG, prose=prose + " Let $\\sigma > 0$."))
    assert next(s for s in steps if s.block).verdict == REFUTED, steps


@pytest.mark.parametrize("prose", ["Oddly, we have $\\sigma > 0$ here somehow.",
                                   "The width $\\sigma > 0$ is set by hand, they say."])
@pytest.mark.parametrize("claim, verdict", [(r"\sqrt{\sigma^2} = \sigma", UNDECIDED),
                                            (r"\sqrt{\sigma^2} = 2\sigma", REFUTED)])
def test_a_refused_sign_declaration_leaves_only_the_steps_it_decides_undecided(tmp_path, prose, claim, verdict):
    steps = steps_of(tmp_path, display(claim, prose=prose))
    assert [s.verdict for s in steps if s.block] == [verdict], steps


@pytest.mark.parametrize("prose", [
    "「$f$ は上に凸」と言われることがある。",
    "$f$ は上に凸とする（ただし後述）。",
    "$q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ とする（$\\sigma > 0$ ではない）。",
])
def test_japanese_brackets_that_quote_or_qualify_declare_nothing(tmp_path, prose):
    display_ = r"f\left(\frac{a+b}{2}\right) \geq \frac{f(a)+f(b)}{2}" if "凸" in prose else r"\sqrt{\sigma^2} = \sigma"
    steps = steps_of(tmp_path, display(display_, prose=prose))
    assert any(s.verdict not in PASSING for s in steps if s.block), steps


# ---------------------------------------------------------------- F3: indexed families of a lowercase letter

WEIGHTS = r"w_k := \frac{p(x, z_k)}{q(z_k \mid x)}"


@pytest.mark.parametrize("instance", [r"w_1 = \frac{p(x, z_1)}{q(z_1 \mid x)}", r"w_{2} = \frac{p(x, z_2)}{q(z_2 \mid x)}",
                                      r"\log w_1 = \log p(x, z_1) - \log q(z_1 \mid x)",
                                      r"w_k = \frac{p(x, z_k)}{q(z_k \mid x)}"])
def test_an_instance_of_the_importance_weights_is_the_weight_at_that_sample(tmp_path, instance):
    steps = steps_of(tmp_path, display(WEIGHTS, instance))
    assert [s.verdict for s in steps] == [DEFINITION, PROVED], [(s.verdict, s.reason) for s in steps]


@pytest.mark.parametrize("instance", [r"w_1 = \frac{p(x, z_1)}{q(z_2 \mid x)}", r"w_2 = 2\frac{p(x, z_2)}{q(z_2 \mid x)}",
                                      r"\log w_1 = \log p(x, z_1) + \log q(z_1 \mid x)"])
def test_a_wrong_instance_of_the_importance_weights_is_not_verified(tmp_path, instance):
    steps = steps_of(tmp_path, display(WEIGHTS, instance))
    assert steps[1].verdict not in PASSING, steps[1]


def test_jensen_for_two_instances_of_the_weights_holds(tmp_path):
    steps = steps_of(tmp_path, display(WEIGHTS, r"\log\left(\frac{w_1 + w_2}{2}\right) \geq \frac{\log w_1 + \log w_2}{2}"))
    assert steps[1].verdict in VERIFIED, steps[1]


@pytest.mark.parametrize("definition, claim, verdict", [
    ("g_a := a^2", "g_2 = 4", PROVED), ("g_a := a^2", "g_2 = 5", REFUTED), ("g_a := a^2", "g_3 = g_2 + 5", PROVED),
    ("g_{a} := a^2 + 1", "g_{3} = 10", PROVED), (r"h_i := \mu_i + \sigma_i", r"h_1 = \mu_1 + \sigma_1", PROVED),
    (r"h_i := \mu_i + \sigma_i", r"h_2 = \mu_1 + \sigma_2", REFUTED), ("w_k := k^2", "w_2 := 5", REFUTED),
    (r"f_\sigma(x) := \frac{x^2}{\sigma^2}", r"f_2(x) = \frac{x^2}{4}", PROVED),
    (r"f_\sigma(x) := \frac{x^2}{\sigma^2}", r"f_2(x) = \frac{x^2}{2}", REFUTED),
])
def test_an_instance_of_an_indexed_family_is_its_body_at_the_index(tmp_path, definition, claim, verdict):
    steps = steps_of(tmp_path, display(definition, claim))
    assert [s.verdict for s in steps] == [DEFINITION, verdict], [(s.verdict, s.reason) for s in steps]


# ---------------------------------------------------------------- the reproducers of attack3, with their verdicts

REPRODUCERS = [
    ("u1", "We take $\\beta \\geq 1$ throughout.\n\n$$\\mathcal{L}_\\beta(x; \\theta, \\phi) := \\mathbb{E}_{q_\\phi(z "
     "\\vert x)}\\left[\\log p_\\theta(x \\vert z)\\right] - \\beta\\, D_{KL}\\left(q_\\phi(z \\vert x) \\Vert p(z)\\right)$$\n\n"
     "$$\\mathcal{L}_1(x; \\theta, \\phi) = \\mathbb{E}_{q_\\phi(z \\vert x)}\\left[\\log p_\\theta(x \\vert z)\\right] + "
     "D_{KL}\\left(q_\\phi(z \\vert x) \\Vert p(z)\\right)$$\n\n$$\\mathcal{L}_2(x; \\theta, \\phi) = \\mathbb{E}_{q_\\phi(z "
     "\\vert x)}\\left[\\log p_\\theta(x \\vert z)\\right] - 3 D_{KL}\\left(q_\\phi(z \\vert x) \\Vert p(z)\\right)$$\n",
     [DEFINITION, REFUTED, REFUTED]),
    ("r6", "Let $\\sigma > 0$ and $\\beta \\geq 1$.\n\n$$\\mathcal{L}_\\beta(x) := \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - "
     "\\beta D_{KL}(q(z|x) \\| p(z))$$\n\n$$\\mathcal{L}_1(x) = \\mathbb{E}_{q(z|x)}[\\log p(x|z)] + D_{KL}(q(z|x) \\| "
     "p(z))$$\n", [DEFINITION, REFUTED]),
    ("u7", "Let $\\sigma > 0$.\n\n$$f_\\sigma(x) := \\frac{x^2}{\\sigma^2}$$\n\n$$f_2(x) = \\frac{x^2}{4}$$\n\n"
     "$$f_2(x) = \\frac{x^2}{2}$$\n", [DEFINITION, PROVED, REFUTED]),
    ("p5", "$$\\mathcal{H}(p) := -\\int p(x)\\log_2 p(x)\\,dx$$\n\n$$\\mathcal{H}(p) = -\\int p(x)\\ln p(x)\\,dx$$\n",
     [DEFINITION, UNDECIDED]),
    ("p4", "In this post the entropy is measured in bits: $\\mathcal{H}(p) := -\\int p(x)\\log_2 p(x)\\,dx$.\n\n"
     "$$\\mathcal{H}(p) = -\\int p(x)\\log_2 p(x)\\,dx$$\n\n$$\\mathcal{H}(p) = -\\int p(x)\\ln p(x)\\,dx$$\n",
     [UNDECIDED, UNDECIDED]),
    ("r2", "Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$.\n\n$$\\mathbb{E}_{q(z|x)}[z] = \\mu$$\n",
     [PROVED]),
    ("r1", "The encoder is $q_\\phi(z \\mid x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$.\n\n"
     "$$\\mathbb{E}_{q_\\phi(z \\mid x)}[z] = \\mu$$\n", [PROVED]),
    ("r4", "We use $p_\\theta(x \\mid z) = \\mathcal{N}(x; \\hat{x}, \\sigma^2)$ with $\\sigma > 0$.\n\n"
     "$$-\\log p_\\theta(x \\mid z) = -\\log \\mathcal{N}(x; \\hat{x}, \\sigma^2)$$\n", [PROVED]),
    ("r5", "We use $p(x \\mid z) = \\mathcal{N}(x; m, s^2)$ with $s > 0$.\n\n$$-\\log p(x \\mid z) = "
     "\\frac{(x-m)^2}{2s^2} + \\frac{1}{2}\\log(2\\pi s^2)$$\n", [PROVED]),
    ("r14", "「$q(z|x)$ は正規分布 $\\mathcal{N}(z; \\mu, \\sigma^2)$ とする」（ただし $\\sigma > 0$）。\n\n"
     "$$\\mathbb{E}_{q(z|x)}[z] = \\mu$$\n", [PROVED]),
    ("s4", "We choose $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$ and $p(z) = \\mathcal{N}(z; 0, 1)$."
     f"\n\n$${KL_CLOSED}$$\n", [PROVED]),
    ("s3", "Here $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and $p(z) = \\mathcal{N}(z; 0, 1)$ (where $\\sigma > 0$)."
     f"\n\n$${KL_CLOSED}$$\n", [PROVED]),
    ("r18", "近似事後分布を $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$、事前分布を $p(z) = \\mathcal{N}(z; 0, 1)$ とします"
     f"（$\\sigma > 0$）。\n\n$${KL_CLOSED}$$\n\n$$-\\ln\\sigma - \\frac{{1}}{{2}} + \\frac{{1}}{{2}}(\\mu^2 + \\sigma^2) = "
     "-\\frac{1}{2}\\left(1 + \\ln\\sigma^2 - \\mu^2 - \\sigma^2\\right)$$\n", [PROVED, PROVED]),
    ("r19", "The approximate posterior is $q(z) = \\mathcal{N}(z; \\mu, \\sigma^2)$ and the prior is $p(z) = "
     f"\\mathcal{{N}}(z; 0, 1)$ (here $\\sigma>0$).\n\n$${KL_CLOSED}$$\n", [PROVED]),
    ("u8", f"$${WEIGHTS}$$\n\n$$w_1 = \\frac{{p(x, z_1)}}{{q(z_1 \\mid x)}}$$\n\n$$\\log w_1 = \\log p(x, z_1) - "
     "\\log q(z_1 \\mid x)$$\n", [DEFINITION, PROVED, PROVED]),
    ("u6", "$$g_a := a^2$$\n\n$$g_2 = 4$$\n", [DEFINITION, PROVED]),
    ("u3", "Let $a > 0$.\n\n$$g_a := a^2$$\n\n$$g_2 = 5$$\n", [DEFINITION, REFUTED]),
]


@pytest.mark.parametrize("name, document, verdicts", REPRODUCERS, ids=[r[0] for r in REPRODUCERS])
def test_an_attack3_reproducer_gets_its_verdicts(tmp_path, name, document, verdicts):
    steps = [s for s in steps_of(tmp_path, document) if s.block]
    assert [s.verdict for s in steps] == verdicts, [(s.line, s.verdict, s.reason[:200]) for s in steps]
