"""A strict reader for the LaTeX of derivations: source text -> mathcheck.vocab sympy objects.

It reads the notation of the article and its common variants (``p(z\\mid X)``, ``q_{\\phi}(z|X)``,
``\\log``, ``\\log_2``, ``\\int ... dz``, ``\\frac``, ``E_{q}[...]``, ``D_{KL}[a||b]``, Greek letters with
subscripts and powers). A formula is read exactly as LaTeX displays it, or it raises :class:`Unparsed`
with the fragment quoted: the reader never guesses and never skips. In particular:

- Two numbers side by side are never multiplied (``1 2`` displays 12, ``2\\,500`` displays 2 500), nor is a
  number written after a factor (``x 2``, ``2^2 3``) or a mixed number (``2\\frac12``); ``1e-3`` and ``1.2.3``
  are refused.
- A function application followed by ``^`` is a power of the value: ``\\exp(x)^2`` is (eˣ)²,
  ``\\sin^2 x`` is (sin x)²; ``\\sin^{-1}`` and ``f^2(x)`` are refused as ambiguous.
- ``name(...)``: a call when the name is used as a function (f, g, h, applied to plain variables as in
  ``\\mu(X)``, or declared by the document), a product when the name is used as a number
  (``\\lambda(1-\\lambda)``); both uses at once are refused.
- Symbols are real; a symbol carries more (σ > 0) only when the document declares it (:class:`Context`):
  ``\\sigma`` is positive only as the standard deviation of a declared ``N(\\mu, \\sigma^2)``.
- ``\\quad``, ``\\qquad``, ``\\hspace{..}`` and prose in ``\\text{..}`` are tokens of kind ``sep`` (two
  formulas on one row); inside an expression they are refused, never read as a product.
- Annotated relations (``\\overset{(a)}{=}``, ``\\stackrel{..}{\\leq}``) keep their relation; the annotation
  is the token's ``note``; only a definition mark (``\\overset{\\text{def}}{=}``, Δ) makes ``:=``.

The vocabulary is open (issue 11):

- Variables are real symbols named as written: ``x``, ``h``, ``x_i``, ``z_{1:T}``, ``x^{(i)}``, ``\\mathcal{D}``; a bold
  letter (``\\mathbf{x}``, ``\\boldsymbol{x}``, ``\\bm{x}``, ``{\\bf x}``) is its plain letter's variable (unless the
  matrix reader, audit/matrix_reader.py, reads it as a vector).
- A letter applied to variables is a density when it is p, q, r, P, Q or π by convention, when the prose declares
  it (Context.density_letters), or when the formula uses it as one: a bar in its parentheses (``g(x|z)``), a
  semicolon (``f(x; \\mu, \\sigma)``, the parameters are its label, as ``p_\\theta``), the subscript of E or an
  argument of KL. Otherwise it is a function (``f(x)``), and π not applied to variables is the number.
- ``E_{q(z|x)}[..]``, ``E_{z \\sim q}[..]``, ``\\underset{q}{\\mathbb{E}}[..]``, nested ``E_p E_q[..]`` and the
  bracket-less ``E_q \\log p(x|z)`` (the argument runs to the next top-level + or −); a bare ``E_q`` names the one q
  the formula (else the document before it) writes. ``H[q]``, ``\\mathcal{H}(q)`` read as −E_q[log q], ``H(p, q)``
  as −E_p[log q]. KL in every common spelling, with ``\\|``, ``\\parallel``, ``\\Vert``, ``||`` or ``;``.
- ``\\nabla_\\phi F``, ``\\partial_\\phi F``, ``\\frac{\\partial}{\\partial \\phi} F``, ``\\frac{d F}{d\\phi}``: sympy Derivative,
  refused when F depends on φ in a way it does not write (a density's label, a named quantity, μ without φ).
- ``log``, ``ln``, ``exp`` without a backslash, ``{\\rm log}``, ``\\operatorname{log}``: the functions.

For the document layer: :func:`formula_scales` (the σ a formula's own ``N(\\mu, \\sigma^2)`` makes positive) and
:func:`function_names` (the names a formula applies to variables) give what to declare in a formula's
:class:`Context`; :func:`blank_comments` blanks ``%`` comments (not ``\\%``) with offsets kept.

Names the reader cannot resolve alone are left as placeholders for the document layer:
:class:`NameRef` (a user name such as ``L(X, z)``, ``BCELoss`` or a bare ``D_{KL}``) and
:class:`BareDensity` (``p`` without arguments, as in ``D_{KL}(p||q)``).
"""
from __future__ import annotations

import copy
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

import sympy as sp
from sympy.core.symbol import Str

from mathcheck.lazy import LazyPattern
from mathcheck.vocab import KL, Density, Expectation, Normal, X, integral, ratio, times, x, z

VARIABLES = {"X": X, "z": z, "x": x}
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma", "tau", "upsilon", "phi", "varphi", "chi",
    "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
    "ell",  # ℓ, the log-likelihood's letter: a letter like the Greek ones
}
SPACING = {",", ";", ":", "!", " ", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits",
           "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
           "Biggl", "Biggr", "middle", "thinspace", "medspace", "thickspace", "negthinspace", "negmedspace",
           "negthickspace", "nobreak", "allowbreak"}
SEPARATORS = {"quad", "qquad", "hspace", "enspace", "enskip", "hfill"}  # wide spaces: two formulas
SIZED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
         "Biggr", "middle"}
RELATIONS = {
    "geq": ">=", "ge": ">=", "geqq": ">=", "geqslant": ">=", "leq": "<=", "le": "<=", "leqq": "<=",
    "leqslant": "<=", "lt": "<", "gt": ">", "coloneqq": ":=", "coloneq": ":=", "triangleq": ":=",
    "defeq": ":=", "eqdef": ":=", "equiv": "=", "eqqcolon": "=:", "eqcolon": "=:", "neq": "≠", "ne": "≠",
    "approx": "≈", "simeq": "≃", "propto": "∝", "cong": "≅", "sim": "~",
    # relations between statements or sets: never checked, never dropped
    "Rightarrow": "⇒", "implies": "⇒", "Longrightarrow": "⇒", "Leftarrow": "⇐", "impliedby": "⇐",
    "Longleftarrow": "⇐", "iff": "⇔", "Leftrightarrow": "⇔", "Longleftrightarrow": "⇔", "to": "→",
    "rightarrow": "→", "longrightarrow": "→", "mapsto": "↦", "in": "∈", "notin": "∉", "subset": "⊂",
    "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇", "ll": "≪", "gg": "≫", "perp": "⊥", "doteq": "≐",
}
UNICODE = {"≥": ">=", "≤": "<=", "≠": "≠", "≈": "≈", "∼": "~", "−": "-", "·": "\\cdot", "⋅": "\\cdot",
           "×": "\\times", "÷": "\\div", "≔": ":=", "≜": ":=", "≡": "=", "⇒": "⇒", "⇔": "⇔", "→": "→", "∈": "∈",
           "∫": "\\int", "∞": "\\infty", "π": "\\pi", "∑": "\\sum", "∏": "\\prod", "∣": "|", "∥": "||",
           "‖": "||", "′": "'"}
UNICODE_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
                 "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
                 "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
                 "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi",
                 "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega"}
UPRIGHT = {"mathrm", "operatorname", "mathit", "rm", "mathop"}  # the same letter or name, upright
STYLED = {"mathbf", "mathsf", "mathbb", "mathcal", "boldsymbol", "bm", "mathfrak", "mathscr", "pmb",
          "mathtt"}  # another symbol: bold x is not x
TEXT = {"text", "textrm", "textit", "textbf", "textsf", "texttt", "textnormal", "mbox", "hbox"}
NAMED_WORDS = {"KL", "ELBO", "BCE", "MSE", "NLL", "KLD", "Var", "Cov"}  # plain words read as one name, not a product
_CAPITALISED = LazyPattern(r"[A-Z]+[a-z]{3,}")  # Loss, BCELoss: a capitalised word names one quantity
STYLED_OPERATORS = {"E", "KL", "N"}  # \mathbb{E}, \mathrm{KL}, \mathcal{N} name the operators themselves
CONNECTIVES = {"and", "or", "if", "for", "where", "with", "since", "then", "so", "hence", "thus", "otherwise",
               "when", "because", "as", "by", "iff", "using", "let", "all", "any", "some", "else", "i.e.",
               "e.g.", "s.t.", "st", "ie", "eg", "whence", "therefore", "but", "while", "each", "every"}
FONT = UPRIGHT | STYLED | TEXT
DENSITY_FAMILIES = {"p", "q"}  # always densities: p(...) must have variables as arguments, a bare p is a density
# Density letters (the rule, see Parser._is_density_letter): a letter applied to variables, ``L(x)``, ``L(x | z)``,
# ``L(x; \theta)``, ``L_\theta(x)``, is a density when it is one of CONVENTIONAL_DENSITIES, when the prose declares it
# ("$g(x|z)$ is Gaussian", "let $f$ be a density": Context.density_letters), or when the formula uses it as one:
# with a bar inside its parentheses, as the subscript of E, or as an argument of KL. Otherwise it is a function.
CONVENTIONAL_DENSITIES = {"p", "q", "r", "P", "Q", "pi"}
BOLD = {"mathbf", "boldsymbol", "bm", "pmb"}  # a bold letter is the plain letter's variable in the scalar reader
LOG_WORDS = {"log", "ln", "exp"}  # MathJax and KaTeX users write them without a backslash: read as the functions
FONT_SWITCHES = {"rm": "", "bf": "mathbf", "cal": "mathcal"}  # {\rm log}, {\bf x}: the style of the word that follows
IDENTITY_WORDS = {"I", "\\mathbf{I}", "\\mathbb{I}", "\\boldsymbol{I}", "\\bm{I}", "\\mathrm{I}"}
ENTROPY_WORDS = {"H", "\\mathcal{H}", "\\mathbb{H}"}  # H[q], H(p, q): entropy, cross-entropy of densities
FUNCTION_LETTERS = {"f", "g", "h"}  # letters that name functions unless the document uses them as numbers
CHECKED = {"=", "<=", ">=", "<", ">"}
CASES_ENVIRONMENTS = ("cases", "dcases", "rcases", "cases*", "dcases*")
CASE_COLUMN, CASE_ROW = "\x01", "\x02"  # a cases environment's & and \\\\ as the document layer marks them
_CASE_RELATIONS = {"<": sp.StrictLessThan, ">": sp.StrictGreaterThan, "<=": sp.LessThan, ">=": sp.GreaterThan,
                   "=": sp.Eq, "≠": sp.Ne}
_OTHERWISE = LazyPattern(r"\s*(?:otherwise|else|elsewhere|o\.\s?w\.|その他|それ以外)\s*[.,;]?\s*", re.I)
_CASE_LEAD = LazyPattern(r"\s*(?:if|for|when|where|whenever|の(?:とき|場合))\s*", re.I)
MAX_NESTING = 100  # groups, fractions, functions inside one another: deeper is refused, not a RecursionError
MAX_DIGITS = 10_000  # an exact number with more digits is refused (10^{10^{10}} would take hours to compute)
FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
FUNCTIONS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
             "cot": sp.cot, "sec": sp.sec, "csc": sp.csc, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
             "coth": sp.coth, "arctan": sp.atan}
SPECIAL_FUNCTIONS = {"Gamma": sp.gamma}  # \Gamma(x) right before its argument: the gamma function (a name otherwise)
ACCENTS = {"hat": "hat", "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "bar": "bar",
           "overline": "bar", "dot": "dot", "ddot": "ddot", "vec": "vec", "check": "check", "breve": "breve",
           "acute": "acute", "grave": "grave", "mathring": "mathring"}
UNSUPPORTED = {
    "sum": "\\sum is not supported by this reader", "prod": "\\prod is not supported by this reader",
    "lim": "a limit \\lim is not supported", "sup": "\\sup is not supported", "inf": "\\inf is not supported",
    "arg": "\\arg is not supported", "argmax": "\\argmax is not supported", "argmin": "\\argmin is not supported",
    "partial": "a partial derivative ∂ written this way is not supported: write \\partial_\\phi F or "
               "\\frac{\\partial}{\\partial \\phi} F",
    "nabla": "a gradient ∇ without its variable is not supported: write \\nabla_\\phi F",
    "prime": "a prime (a derivative or another variable) is not supported",
    "top": "a transpose ^\\top is not supported", "intercal": "a transpose is not supported",
    "cdots": "an ellipsis is not a formula", "ldots": "an ellipsis is not a formula",
    "dots": "an ellipsis is not a formula", "vdots": "an ellipsis is not a formula",
    "pm": "± stands for two formulas: write each", "mp": "∓ stands for two formulas: write each",
    "%": "`\\%` (percent) is not supported: write the fraction",
    "over": "`\\over` outside braces applies to the whole formula: write \\frac{..}{..} or {a \\over b}",
    "left.": "an invisible delimiter `\\left.` (as in an evaluation bar) is not supported",
    "right.": "an invisible delimiter `\\right.` (as in an evaluation bar) is not supported",
    "text$": "math inside \\text{...} is not read: write it outside the text",
    "det": "\\det is not supported", "tr": "a trace is not supported", "binom": "\\binom is not supported",
    "choose": "\\choose is not supported", "atop": "\\atop is not supported",
    "underbrace": "\\underbrace is not supported", "overbrace": "\\overbrace is not supported",
    "iint": "\\iint is not supported: write \\int\\int", "oint": "a contour integral is not supported",
    "arcsin": "\\arcsin is not supported (its domain is [-1, 1])",
    "arccos": "\\arccos is not supported (its domain is [-1, 1])",
    "langle": "an angle bracket ⟨...⟩ is not supported", "rangle": "an angle bracket ⟨...⟩ is not supported",
    "lfloor": "a floor ⌊x⌋ is not supported", "lceil": "a ceiling ⌈x⌉ is not supported",
}


class Unparsed(Exception):
    """A fragment that cannot be read exactly: ``reason`` names the problem, ``fragment`` quotes it."""

    def __init__(self, reason: str, fragment: str = "", start: int = -1, end: int = -1):
        super().__init__(reason)
        self.reason, self.fragment, self.start, self.end = reason, fragment, start, end

    def __str__(self) -> str:
        return f"{self.reason}: `{self.fragment}`" if self.fragment else self.reason


@dataclass(frozen=True)
class Token:
    """``kind``: num, word, cmd, sym, rel, par (the KL separator ||), mid (a bar |), sep (a wide space or prose
    between two formulas: ``\\quad``, ``\\qquad``, ``\\hspace{..}``, ``\\text{ and }``).

    ``note``: for a rel, the annotation written over or under it (``\\overset{(a)}{=}`` has note ``(a)``),
    the justification of the step; "" when there is none."""

    kind: str
    text: str
    start: int
    end: int
    note: str = ""


# ---------------------------------------------------------------- placeholders


class NameRef(sp.Expr):
    """A user name as written: ``L(X, z)``, ``BCELoss``, a bare ``D_{KL}``; resolved by the document."""

    is_commutative = True

    def __new__(cls, name: str, arguments=()):  # sympy rebuilds nodes from their args: Str and Tuple
        return super().__new__(cls, _str(name), sp.Tuple(*arguments))

    name = property(lambda self: self.args[0].name)
    arguments = property(lambda self: tuple(self.args[1]))

    def _sympystr(self, printer) -> str:
        inner = ", ".join(printer.doprint(a) for a in self.arguments)
        return f"{self.name}({inner})" if self.arguments else self.name


def _str(name) -> Str:
    return name if isinstance(name, Str) else Str(name)


class BareDensity(sp.Expr):
    """A density name without arguments (``p`` in ``D_{KL}(p||q)``): its variables come from context."""

    is_commutative = True
    is_positive = True

    def __new__(cls, family: str, label: str = ""):
        return super().__new__(cls, _str(family), _str(label))

    family = property(lambda self: self.args[0].name)
    label = property(lambda self: self.args[1].name)

    def _sympystr(self, printer) -> str:
        return self.family + (f"_{self.label}" if self.label else "")


# ---------------------------------------------------------------- declarations


@dataclass
class Context:
    """What the document declared before a formula.

    ``symbols``: names whose assumptions the document declares (the prose says σ > 0): name -> sympy Symbol.
    ``functions``: names the document uses as functions (``f(x)``, ``\\mu(X)``), so that ``\\mu(X + 1)`` is a call.
    A symbol that appears in a declared density keeps that density's assumptions (:meth:`declared_symbols`):
    σ of ``p(x) \\sim N(\\mu, \\sigma^2)`` is a nonzero real, its standard deviation
    |σ| (:func:`normal_from_variance`).
    """

    densities: dict = field(default_factory=dict)  # (family, label) -> (Density as written, Normal)
    curvature: dict = field(default_factory=dict)  # function name -> "concave" / "convex"
    laws: dict = field(default_factory=dict)  # symbol -> (mean, variance): z ~ N(mu, sigma^2), eps ~ N(0, 1)
    notes: dict = field(default_factory=dict)  # what each entry came from: key -> "line N: source"
    symbols: dict = field(default_factory=dict)  # name -> sp.Symbol with the declared assumptions
    functions: set = field(default_factory=set)  # names used as functions in the document
    prose_functions: set = field(default_factory=set)  # names the prose applies to a variable: σ of “outputs $\sigma(x)$”
    shapes: dict = field(default_factory=dict)  # vector / matrix name -> (rows, cols) (audit/matrix_reader.py)
    definite: set = field(default_factory=set)  # matrices declared positive definite (Σ ≻ 0, a covariance)
    components: set = field(default_factory=set)  # vectors whose components x_j the document uses
    sizes: set = field(default_factory=set)  # names of sizes: the upper limits of sums (N in \sum_{i=1}^N)
    density_letters: set = field(default_factory=set)  # letters declared (or used) as densities: g of g(x|z)
    written_densities: dict = field(default_factory=dict)  # (family, label) -> the densities of that name written
    bounded: dict = field(default_factory=dict)  # name -> bound + δ (δ ≥ 0 or > 0): the prose says β ≥ 1
    weights: dict = field(default_factory=dict)  # letter w of w_k := p(x, z_k)/q(z_k|x) -> (data name, latent name)
    renamed: dict = field(default_factory=dict)  # variable name -> the engine's symbol (x -> X, see weights)
    own_constants: set = field(default_factory=set)  # "e", "pi" the document gives its own meaning (redefined.py)
    normal_scale: str = ""  # where the prose calls the second parameter of N(...) a standard deviation
    formula_densities: set = field(default_factory=set)  # the densities the formula itself writes (all its sides)
    vector_densities: dict = field(default_factory=dict)  # (family, label) -> a Gaussian law of vectors (matrix_reader)
    symmetric: set = field(default_factory=set)  # matrices declared symmetric (Σ = Σᵀ), maybe not definite
    points: dict = field(default_factory=dict)  # a density at a point p(x, μ + σε) -> (p(x, z), {z: μ + σε})
    reparametrizations: dict = field(default_factory=dict)  # z -> (g(ε), ε's law, z's law or None): z = g(ε)
    datasets: dict = field(default_factory=dict)  # D of "D = {x^(i)}_{i=1}^N i.i.d." -> (N, x): p(D) = Π_i p(x^(i))
    data_points: dict = field(default_factory=dict)  # x of "x_1, ..., x_N i.i.d." -> N: x_i under Σ_i is x^(i)
    index_ranges: dict = field(default_factory=dict)  # a_i -> the indices its declared sign covers (i = 1, 2); all if absent
    font_twins: dict = field(default_factory=dict)  # x written plain and bold -> the forms declared (font_twins)
    formula_font_twins: set = field(default_factory=set)  # the names the display being read writes in both forms
    naturals_from_zero: bool = False  # the document says ℕ holds 0 (ℕ = {0, 1, 2, …}): ℕ, "natural number" may be 0
    # what the formula's roots, logarithms, Γs and inverses need, as written, by where they are written: (start,
    # end, what) -> the radicand, argument or matrix; sympy simplifies (√x)² to x, exp(log x) to x and A⁻¹A to I
    # before any check sees them
    written_conditions: dict = field(default_factory=dict)

    def copy(self) -> "Context":
        return Context(**{f.name: copy.copy(getattr(self, f.name)) for f in fields(self)})

    def declare_symbol(self, name: str, note: str = "", **assumptions) -> sp.Symbol:
        """``name`` reads as a real symbol with ``assumptions`` (e.g. positive=True) from here on."""
        symbol = sp.Symbol(name, real=True, **assumptions)
        self.symbols[name] = symbol
        self.bounded.pop(name, None)
        if note:
            self.notes[("symbol", name)] = note
        self._rename_in_declarations(name, symbol)
        return symbol

    def declare_bound(self, name: str, bound: sp.Expr, strict: bool, note: str = "", integer: bool = False) -> sp.Expr:
        """``name`` ≥ ``bound`` (> when ``strict``) from here on, for a positive number ``bound``: sympy has no such
        assumption, so the name reads as bound + δ_name with δ_name ≥ 0 (> 0), exactly that set of values; an
        ``integer`` name (a count) with an integer bound b as b − 1 + δ_name, δ_name a positive integer (a size,
        which the size check decides exactly)."""
        if integer and bound.is_integer:
            bound, strict = bound - (0 if strict else 1), True
        excess = sp.Symbol(f"delta_{name}", **({"positive": True} if strict else {"nonnegative": True}),
                           **({"integer": True} if integer and bound.is_integer else {}))
        value = bound + excess
        self.symbols.pop(name, None)
        self.bounded[name] = value
        if note:
            self.notes[("symbol", name)] = note + f" (read as {sp.sstr(value)}, {excess} {'>' if strict else '≥'} 0)"
        return value

    def _rename_in_declarations(self, name: str, symbol: sp.Symbol) -> None:
        """The densities and laws declared before keep one σ with the formulas: the declared one."""
        def renamed(expr):
            expr = sp.sympify(expr)
            mapping = {s: symbol for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name == name}
            return expr.xreplace(mapping) if mapping else expr

        self.densities = {key: (renamed(written), renamed(normal)) for key, (written, normal) in self.densities.items()}
        self.laws = {renamed(variable): (renamed(mean), renamed(variance))
                     for variable, (mean, variance) in self.laws.items()}
        self.bounded = {key: renamed(value) for key, value in self.bounded.items()}  # b = a + δ: the new a

    def declared_symbols(self) -> dict[str, sp.Symbol]:
        """name -> Symbol for every symbol the declarations fix: explicit ones first, then the parameters of
        declared densities and laws (so that a formula's σ is the σ of ``p(x) \\sim N(\\mu, \\sigma^2)``)."""
        found: dict[str, sp.Symbol] = {}
        for law_mean, law_variance in self.laws.values():
            for s in (sp.sympify(law_mean).free_symbols | sp.sympify(law_variance).free_symbols):
                found.setdefault(s.name, s)
        for _, normal in self.densities.values():
            for s in sp.sympify(normal).free_symbols - set(getattr(normal, "variables", ())):
                if isinstance(s, sp.Symbol):
                    found[s.name] = s
        found.update(self.symbols)
        return {name: s for name, s in found.items() if name not in VARIABLES and isinstance(s, sp.Symbol)}


# ---------------------------------------------------------------- tokens


_WORD = re.compile(r"[A-Za-z]+(?:\\_[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"(?:\d+(?:\.\d+)*|\.\d+(?:\.\d+)*)(?:[eE][+\-−]?\d+)?")
_PLAIN_NUMBER = LazyPattern(r"(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+")
_COMMAND = LazyPattern(r"\\([A-Za-z]+)\*?")
_DELIMITER = LazyPattern(r"\s*(\\\{|\\\}|\\\||\\lbrace\b|\\rbrace\b|\\[lr]?[vV]ert\b|\\langle\b|\\rangle\b|"
                        r"\\lfloor\b|\\rfloor\b|\\lceil\b|\\rceil\b|[()\[\]|./])")
_SIMPLE_NAME = LazyPattern(r"[A-Za-z]+(?:\\?_[A-Za-z0-9]+)*")
_DEFINITION_NOTE = LazyPattern(r"(?:def|defn|definition|def\.|\\triangle|\\Delta|Δ|△|:)")


def tokenize(text: str, base: int = 0) -> list[Token]:
    """Tokens of ``text``; offsets are ``base`` + position in ``text``. Never raises: what cannot be read
    becomes a token the parser refuses with a reason."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c in "&~":
            i += 1
            continue
        if c == "%":  # a comment (an escaped \% is a command, read by _command)
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        start = base + i
        if c == "\\":
            i = _command(text, i, base, tokens)
            continue
        m = _WORD.match(text, i)
        if m:
            tokens.append(Token("word", m.group().replace("\\_", "_"), start, base + m.end()))
            i = m.end()
            continue
        m = _NUMBER.match(text, i)
        if m:
            tokens.append(Token("num", m.group(), start, base + m.end()))
            i = m.end()
            continue
        for pair, kind, shown in (("||", "par", "||"), (":=", "rel", ":="), ("=:", "rel", "=:")):
            if text.startswith(pair, i):
                tokens.append(Token(kind, shown, start, start + 2))
                i += 2
                break
        else:
            tokens.append(_character(c, start))
            i += 1
    return tokens


def _character(c: str, start: int) -> Token:
    if c in "=<>":
        return Token("rel", c, start, start + 1)
    if c == "|":
        return Token("mid", "|", start, start + 1)
    if c in UNICODE_GREEK:
        return Token("cmd", UNICODE_GREEK[c], start, start + 1)
    if c in UNICODE:
        mapped = UNICODE[c]
        if mapped in RELATIONS.values() or mapped in (">=", "<=", ":="):
            return Token("rel", mapped, start, start + 1)
        if mapped == "|":
            return Token("mid", "|", start, start + 1)
        if mapped == "||":
            return Token("par", "||", start, start + 1)
        if mapped.startswith("\\"):
            return Token("cmd", mapped[1:], start, start + 1)
        return Token("sym", mapped, start, start + 1)
    return Token("sym", c, start, start + 1)


def blank_comments(text: str) -> str:
    """``text`` with every ``%`` comment (to the end of its line) replaced by spaces; ``\\%`` is kept.
    Offsets are unchanged, so a comment's ``\\\\`` or ``$$`` is never read as part of the formula."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "%":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
            continue
        i += 1
    return "".join(out)


def _braced(text: str, i: int) -> tuple[str, int] | None:
    """The content of the balanced ``{...}`` that starts at ``i`` (after spaces), and the index after it."""
    j = i
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text) or text[j] != "{":
        return None
    end = group_end(text, j)
    return None if end is None else (text[j + 1:end - 1], end)


def top_level_parts(math: str):
    """(offset, text) of each comma-separated part of ``math`` outside (), [] and {}."""
    depth, last = 0, 0
    for i, c in enumerate(math):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            yield last, math[last:i]
            last = i + 1
    yield last, math[last:]


def group_end(text: str, opening: int, opens: str = "{", closes: str = "}") -> int | None:
    """The index just after the brace group that opens at ``text[opening] == "{"`` (or the group of any brackets
    ``opens`` ... ``closes``, all kinds nested together); None if it is never closed (an escaped ``\\{`` or ``\\}``
    does not count)."""
    depth, k = 0, opening
    while k < len(text):
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c in opens:
            depth += 1
        elif c in closes:
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return None


def _tex_argument(text: str, i: int) -> tuple[str, int] | None:
    """One TeX argument at ``i``: a braced group's content, a command, or one character."""
    braced = _braced(text, i)
    if braced is not None:
        return braced
    j = i
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text):
        return None
    m = _COMMAND.match(text, j)
    if m:
        return m.group(), m.end()
    return text[j], j + 1


def _command(text: str, i: int, base: int, tokens: list[Token]) -> int:
    start = base + i
    if i + 1 >= len(text):
        tokens.append(Token("sym", "\\", start, start + 1))
        return i + 1
    nxt = text[i + 1]
    if not nxt.isalpha():
        if nxt == "\\":
            tokens.append(Token("sym", "\\\\", start, start + 2))
        elif nxt == "|":
            tokens.append(Token("par", "||", start, start + 2))
        elif nxt in "{}":
            tokens.append(Token("sym", "\\" + nxt, start, start + 2))
        elif not (nxt in ",;:!> " or nxt.isspace()):
            tokens.append(Token("cmd", nxt, start, start + 2))
        return i + 2
    m = _COMMAND.match(text, i)
    name, end = m.group(1), m.end()
    if name in ("iint", "iiint") and not re.match(r"\s*[_^]", text[end:]):  # \iint f dx dz: \int\int f dx dz
        tokens.extend(Token("cmd", "int", start, base + end) for _ in range(len(name) - 2))
        return end
    if name in SIZED:
        delimiter = _DELIMITER.match(text, end)
        if delimiter:  # \left( is the token ( starting at \left
            tokens.append(_delimiter_token(name, delimiter.group(1), start, base + delimiter.end()))
            return delimiter.end()
    if name in SPACING:
        return end
    if name in SEPARATORS:
        stop = end
        if name == "hspace":
            argument = _braced(text, end)
            stop = argument[1] if argument else end
        tokens.append(Token("sep", "\\" + name, start, base + stop))
        return stop
    if name in FONT or name in FONT_SWITCHES:
        return _font(text, name, end, start, base, tokens)
    if name in ("stackrel", "overset", "underset"):
        annotated = _annotated_relation(text, end, start, base)
        if annotated is not None:
            tokens.append(annotated)
            return annotated.end - base
        if name == "underset":
            stop = _expectation_under(text, end, start, base, tokens)
            if stop is not None:
                return stop
    if name == "xlongequal":  # extarrows: = with its note written over it
        note = _braced(text, end)
        if note is not None:
            tokens.append(Token("rel", _noted_relation("=", note[0].strip()), start, base + note[1], note[0].strip()))
            return note[1]
    if name == "mathrel":
        inner = _braced(text, end)
        relation = _single_relation(inner[0]) if inner else None
        if relation is not None:
            tokens.append(Token("rel", relation[0], start, base + inner[1], relation[1]))
            return inner[1]
    if name in RELATIONS:
        tokens.append(Token("rel", RELATIONS[name], start, base + end, "\\equiv" if name == "equiv" else ""))
    elif name in ("vert", "lvert", "rvert"):
        tokens.append(Token("mid", {"vert": "|", "lvert": OPENING_BAR, "rvert": CLOSING_BAR}[name], start, base + end))
    elif name == "mid":
        tokens.append(Token("mid", "\\mid", start, base + end))
    elif name in ("parallel", "Vert", "lVert", "rVert"):
        tokens.append(Token("par", "||", start, base + end))
    else:
        tokens.append(Token("cmd", name, start, base + end))
    return end


def _delimiter_token(sizer: str, delimiter: str, start: int, end: int) -> Token:
    if delimiter in ("|", "\\vert", "\\lvert", "\\rvert"):
        direction = "|"
        if sizer == "left" or sizer.endswith("l") or delimiter == "\\lvert":
            direction = OPENING_BAR
        elif sizer == "right" or sizer.endswith("r") or delimiter == "\\rvert":
            direction = CLOSING_BAR
        return Token("mid", direction, start, end)
    if delimiter in ("\\|", "\\Vert", "\\lVert", "\\rVert"):
        return Token("par", "||", start, end)
    if delimiter == ".":
        return Token("cmd", ("right." if sizer == "right" else "left."), start, end)
    if delimiter in ("\\lbrace", "\\rbrace"):
        return Token("sym", "\\{" if delimiter == "\\lbrace" else "\\}", start, end)
    if delimiter.startswith("\\") and delimiter not in ("\\{", "\\}"):
        return Token("cmd", delimiter[1:], start, end)
    return Token("sym", delimiter, start, end)


_OPERATOR_FOLLOWS = LazyPattern(r"\s*(?:\\[,;:! ]\s*|\\(?:big|Big|bigg|Bigg)[lr]?\s*|\\(?:no)?limits\b\s*)*"
                                r"(?:[(\[_^{|]|\\left\b|\\lbrack\b|\\\{|\\langle\b)")
# \mathbb{E}[, \mathcal{N}(, \mathbb{E}_q: the operator itself; a bare \mathcal{N} (a set, a size) is a name of its own


def _styled_operator(word: str) -> str:
    """The operator a styled word alone in its group names (``\\mathop{\\mathbb{E}}``, ``\\underset{q}{\\mathbb{E}}``:
    E); other words as they are."""
    found = re.fullmatch(r"\\([a-z]+)\{([A-Za-z]+)\}", word)
    return found.group(2) if found and found.group(1) in STYLED and found.group(2) in STYLED_OPERATORS else word


def _font(text: str, name: str, end: int, start: int, base: int, tokens: list[Token]) -> int:
    """``\\mathrm{d}``, ``\\mathbb{E}``, ``\\mathcal{L}``, ``\\text{KL}``: a word; ``\\text{ and }``: a sep."""
    inner = _braced(text, end)
    if inner is None and name in FONT_SWITCHES:  # {\rm log}: a switch styles the whole word that follows
        word = re.match(r"\s*([A-Za-z]+)", text[end:])
        if word:
            stop = end + word.end()
            styled = FONT_SWITCHES[name]
            shown = f"\\{styled}{{{word.group(1)}}}" if styled and word.group(1) not in STYLED_OPERATORS else word.group(1)
            closing = re.match(r"\s*\}", text[stop:])
            if closing and tokens and tokens[-1].kind == "sym" and tokens[-1].text == "{" and \
                    not text[tokens[-1].end - base:start - base].strip():  # {\rm log}: the group is the word
                start = tokens.pop().start
                stop += closing.end()
            tokens.append(Token("word", shown, start, base + stop))
            return stop
    if inner is None:
        if name == "mathop":
            return end
        letter = re.match(r"\s*([A-Za-z])", text[end:])
        if letter and name in UPRIGHT:  # \mathrm dz: the argument is the one letter that follows
            stop = end + letter.end()
            tokens.append(Token("word", letter.group(1), start, base + stop))
            return stop
        argument = re.match(r"\s*(?:([A-Za-z])|\\([A-Za-z]+)(?![A-Za-z]))", text[end:])  # \boldsymbol\mu_1 too
        if argument and name in STYLED and (argument.group(1) or argument.group(2) in GREEK):
            stop = end + argument.end()  # \boldsymbol\phi, \mathbf x: TeX's one-token argument
            shown = argument.group(1) or f"\\{argument.group(2)}"
            plain = argument.group(1) if shown in STYLED_OPERATORS and _OPERATOR_FOLLOWS.match(text, stop) else None
            tokens.append(Token("word", plain or f"\\{name}{{{shown}}}", start, base + stop))
            return stop
        tokens.append(Token("cmd", name, start, base + end))
        return end
    content, stop = inner
    if name in TEXT:
        return _text(content, name, end, stop, start, base, tokens)
    word = content.strip()
    if name in UPRIGHT and constant_word(word):  # \mathrm{const.}: the additive constant, one name
        tokens.append(Token("word", "const", start, base + stop))
        return stop
    if _SIMPLE_NAME.fullmatch(word):
        word = word.replace("\\_", "_")
        if name in STYLED and not (word in STYLED_OPERATORS and _OPERATOR_FOLLOWS.match(text, stop)):
            word = f"\\{name}{{{word}}}"  # a bold or calligraphic name is not its plain letter
        tokens.append(Token("word", word, start, base + stop))
        return stop
    greek = re.fullmatch(r"\\([A-Za-z]+)", word)
    if name in STYLED and greek and greek.group(1) in GREEK:
        tokens.append(Token("word", f"\\{name}{{{word}}}", start, base + stop))
        return stop
    if name == "mathop":
        if not word:
            return stop
        inside = tokenize(content)
        if name in UPRIGHT and len(inside) == 1 and inside[0].kind == "word":  # \mathop{\mathbb{E}}: that word
            tokens.append(Token("word", _styled_operator(inside[0].text), start, base + stop))
            return stop
        return end
    tokens.append(Token("cmd", name, start, base + end))
    return end


def _expectation_under(text: str, end: int, start: int, base: int, tokens: list[Token]) -> int | None:
    """``\\underset{q(z|x)}{\\mathbb{E}}``: the expectation E with its density written under it, read as
    ``E_{q(z|x)}``; None when the base is not E."""
    under = _braced(text, end)
    if under is None:
        return None
    over = _tex_argument(text, under[1])
    if over is None or [(t.kind, _styled_operator(t.text)) for t in tokenize(over[0])] != [("word", "E")]:
        return None
    opening = under[1] - len(under[0]) - 1  # the { of the subscript
    tokens += [Token("word", "E", start, base + end), Token("sym", "_", base + end, base + end),
               Token("sym", "{", base + opening - 1, base + opening)]
    tokens += tokenize(under[0], base + opening)
    tokens.append(Token("sym", "}", base + under[1] - 1, base + over[1]))
    return over[1]


_CONSTANT_WORD = LazyPattern(r"(?:const\.?|cst\.?|constant|Const\.?|Constant|定数項?)")


def constant_word(word: str) -> bool:
    """Whether ``word`` (written in \\text{} or \\mathrm{}) names an unspecified additive constant: const,
    const., cst, constant, 定数; read as the one name ``const`` (audit/check.py decides what it may absorb)."""
    return bool(_CONSTANT_WORD.fullmatch(word.strip()))


def joint_order(law: sp.Expr) -> list | None:
    """The factors of a joint law written as a product of densities (``p(x) q(z|x)``), the outer first: each
    factor's condition is among the variables of the factors before it or of none; None where ``law`` is no such
    product (one density, a number factor, a variable twice, conditions in a cycle: p(x|z) q(z|x))."""
    factors = list(sp.Mul.make_args(law))
    if len(factors) < 2 or not all(isinstance(f, (Density, Normal)) for f in factors):
        return None
    drawn = [_law_variables(f) for f in factors]
    if any(not d for d in drawn) or len(set().union(*drawn)) != sum(map(len, drawn)):
        return None
    order, left = [], list(range(len(factors)))
    while left:
        free = [i for i in left if not _law_condition(factors[i]) & set().union(*(drawn[j] for j in left if j != i))]
        if not free:
            return None
        order.append(free[0])
        left.remove(free[0])
    return [factors[i] for i in order]


def _law_variables(law: sp.Expr) -> set:
    return set(law.variables) if isinstance(law, Density) else {law.variable}


def _law_condition(law: sp.Expr) -> set:
    return set(law.given) if isinstance(law, Density) else (law.mean.free_symbols | law.std.free_symbols)


def nested_expectation(law: sp.Expr, body: sp.Expr) -> sp.Expr:
    """E_law[body]; under a joint law p(x) q(z|x), E_{p(x)}[E_{q(z|x)}[body]]: the inner law's condition x is
    the outer expectation's variable (the tower rule, read as written)."""
    order = joint_order(law)
    if order is None:
        return Expectation(law, body)
    for factor in reversed(order):
        body = Expectation(factor, body)
    return body


def _text(content: str, name: str, end: int, stop: int, start: int, base: int, tokens: list[Token]) -> int:
    if "$" in content or "\\(" in content:
        tokens.append(Token("cmd", "text$", start, base + stop))
        return stop
    word = content.strip()
    if not word:
        return stop
    if constant_word(word):  # \text{const.}, \text{定数}: the additive constant, one name
        tokens.append(Token("word", "const", start, base + stop))
        return stop
    if _SIMPLE_NAME.fullmatch(word) and word.lower() not in CONNECTIVES:
        tokens.append(Token("word", word.replace("\\_", "_"), start, base + stop))
        return stop
    tokens.append(Token("sep", f"\\{name}{{{word}}}", start, base + stop))
    return stop


def _single_relation(source: str) -> tuple[str, str] | None:
    inner = tokenize(source)
    if len(inner) == 1 and inner[0].kind == "rel":
        return inner[0].text, inner[0].note
    return None


def _annotated_relation(text: str, end: int, start: int, base: int) -> Token | None:
    """``\\overset{note}{=}``, ``\\stackrel{note}{\\leq}``, ``\\underset{note}{=}``: the relation, with its note."""
    over = _braced(text, end)
    if over is None:
        return None
    relation = _tex_argument(text, over[1])
    if relation is None:
        return None
    found = _single_relation(relation[0])
    if found is None:
        return None
    note = over[0].strip()
    return Token("rel", _noted_relation(found[0], note), start, base + relation[1], note)


def _noted_relation(relation: str, note: str) -> str:
    """``=`` under a definition mark (def, Δ, :) is ``:=``; any other note is a justification."""
    plain = re.sub(r"\\(?:text|textrm|mathrm|rm|mbox|operatorname|mathit|textit)\b|[{}()\s]", "", note)
    return ":=" if relation in ("=", ":=") and _DEFINITION_NOTE.fullmatch(plain.rstrip(".")) else relation


# ---------------------------------------------------------------- parser


OPEN = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}
OPENING_BAR, CLOSING_BAR = "\\left|", "\\right|"  # bars whose side is written: \left| \lvert, \right| \rvert
BIG_OPERATORS = {"int", "sum", "prod", "iint"}
_PUNCTUATION = {",", ".", ";"}
SUBSCRIPT_MARKS = {",", ":", "-", "+"}  # inside a subscript name after its first part
_DISTRIBUTION_END = {")", "]", "}", "\\}", ";"}


def bold_letter(text: str) -> str | None:
    """The plain letter of a bold one (``\\mathbf{x}`` -> x, ``\\boldsymbol{\\mu}`` -> mu): in the scalar reader a
    bold letter is the variable of its plain letter."""
    m = re.fullmatch(r"\\(?:" + "|".join(sorted(BOLD)) + r")\{(?:([A-Za-z])|\\([A-Za-z]+))\}", text)
    if m is None:
        return None
    if m.group(1):
        return m.group(1)
    return m.group(2) if m.group(2) in GREEK else None


_FONT_SUBSCRIPT = r"(?:\s*_\s*(\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9]))?"
_BOLD_WRITTEN_NAME = LazyPattern(r"\\(?:mathbf|boldsymbol|bm|pmb|bf)(?![A-Za-z])\s*(?:\{\s*(\\?[A-Za-z]+)\s*\}|(\\[A-Za-z]+|[A-Za-z]))"
                                 + _FONT_SUBSCRIPT)
_PLAIN_WRITTEN_NAME = LazyPattern(r"(?<![A-Za-z\\])(\\[A-Za-z]+|[A-Za-z])(?![A-Za-z])" + _FONT_SUBSCRIPT)
_OTHER_FONT_GROUPS = LazyPattern(r"\\(?:math[a-z]+|text[a-z]*|operatorname|mbox|begin|end|label|tag)\s*\{[^{}]*\}")
_TOLD_APART = LazyPattern(r"\b(?:distinct|different|differs?|not the same|unrelated|separate|another)\b|異な|別|違", re.I)
_DECLARING = LazyPattern(r"[<>=]|\\(?:[lg]eq?|in|sim|succ|succeq|neq?|leqslant|geqslant|coloneqq)(?![A-Za-z])")
_NAMING = LazyPattern(r"\b(?:let|be|denotes?|is an?|are|we write|stands? for)\b|とする|を表", re.I)
_SAID_SAME = LazyPattern(r"\b(?:same|also|too|as well|interchangeabl[a-z]*|likewise|either)\b|同じ|同一|とも", re.I)
_INLINE_MATH = LazyPattern(r"\$+([^$]+)\$+|\\\((.+?)\\\)", re.S)
BOLD_FORM, PLAIN_FORM, APART = "bold", "plain", "apart"  # the forms of a twin name the prose declares


def _font_name(base: str | None, subscript: str | None) -> str | None:
    """The name of a letter (x, mu) with its subscript as written (x_1), or None for a word or a command."""
    if base is None:
        return None
    letter = base.lstrip("\\")
    if not (len(letter) == 1 and not base.startswith("\\")) and letter not in GREEK:
        return None
    index = re.sub(r"[{}\s\\]", "", subscript or "")
    return f"{letter}_{index}" if index else letter


def written_font_names(math: str) -> tuple[set, set]:
    """(the names written bold, the names written plain) in ``math``: ``\\mathbf{x}_1 - x_1`` -> ({x_1}, {x_1})."""
    bold = {_font_name(m.group(1) or m.group(2), m.group(3)) for m in _BOLD_WRITTEN_NAME.finditer(math)}
    rest = _OTHER_FONT_GROUPS.sub(" ", _BOLD_WRITTEN_NAME.sub(" ", math))
    plain = {_font_name(m.group(1), m.group(2)) for m in _PLAIN_WRITTEN_NAME.finditer(rest)}
    return bold - {None}, plain - {None}


def font_twins(maths: list[str], prose: str) -> dict:
    """The names the document writes both plain and bold (x and \\mathbf{x}, bold and plain μ_1) -> the forms its
    prose declares apart from the other (a formula with a relation that writes one form only), with APART when
    both forms are so declared or a sentence calls them distinct: then they are two things, never one name."""
    bold, plain = set(), set()
    for math in maths:
        written = written_font_names(math)
        bold, plain = bold | written[0], plain | written[1]
    twins = {name: set() for name in bold & plain}
    for sentence in re.split(r"(?<=[.!?;])\s+|(?<=[。！？])", prose) if twins else ():
        _read_font_forms(sentence, twins)
    for forms in twins.values():
        if {BOLD_FORM, PLAIN_FORM} <= forms:
            forms.add(APART)
    return twins


def _twin_shown(name: str) -> tuple[str, str]:
    """How the plain and the bold form of ``name`` are written: mu_1 -> (\\mu_1, \\boldsymbol{\\mu}_1)."""
    letter, _, index = name.partition("_")
    plain = ("\\" if letter in GREEK else "") + letter
    index = f"_{index}" if index else ""
    return plain + index, f"\\{'boldsymbol' if letter in GREEK else 'mathbf'}{{{plain}}}" + index


def _read_font_forms(sentence: str, twins: dict) -> None:
    """Add to ``twins`` the forms ``sentence`` declares on their own (one form in a formula with a relation, or
    named by "let", "denote") and APART where it calls both forms distinct (different, 異なる)."""
    inline = [m.group(1) or m.group(2) for m in _INLINE_MATH.finditer(sentence)]
    written = [written_font_names(math) for math in inline]
    words = _INLINE_MATH.sub(" ", sentence)
    naming = _NAMING.search(words) and not _SAID_SAME.search(words)
    told_apart = _TOLD_APART.search(words)
    for name, forms in twins.items():
        for math, (bold, plain) in zip(inline, written):
            if (naming or _DECLARING.search(math)) and (name in bold) != (name in plain):
                forms.add(BOLD_FORM if name in bold else PLAIN_FORM)
        if told_apart and any(name in bold for bold, _ in written) and any(name in plain for _, plain in written):
            forms.add(APART)


def density_letter_of(token: Token | None) -> str | None:
    """The letter of a density's name: a letter, or \\pi (which elsewhere is the number π)."""
    if token is not None and token.kind == "cmd" and token.text == "pi":
        return "pi"
    return letter_of(token)


def letter_of(token: Token | None) -> str | None:
    """The name of the one letter a token writes (x, \\sigma, \\mathbf{x}), or None."""
    if token is None:
        return None
    if token.kind == "word":
        if len(token.text) == 1:
            return token.text
        return bold_letter(token.text) or (token.text if _CALLIGRAPHIC.fullmatch(token.text) else None)
    if token.kind == "cmd" and token.text in GREEK:
        return token.text
    return None


_CALLIGRAPHIC = LazyPattern(r"\\(?:mathcal|mathscr)\{[A-Z]\}")  # p(\mathcal{D}): the data set, a variable as written


def _sample_pattern(latent: str) -> str:
    """A regular expression of the sample ``z_k``, ``z_{k}``, ``z_1``, ``z_{12}`` of ``latent``, its index a group."""
    return re.escape(latent) + r"_(?:\{([a-z]|\d+)\}|([a-z]|\d))"


def _unbraced(tokens: list[Token]) -> list[Token]:
    """``tokens`` without their grouping braces (a script's ``{k=1}`` as ``k=1``)."""
    return [t for t in tokens if not (t.kind == "sym" and t.text in "{}")]


def _is(tokens: list[Token], j: int, kind: str, text: str | None = None) -> bool:
    return 0 <= j < len(tokens) and tokens[j].kind == kind and (text is None or tokens[j].text == text)


def _sample_of(drawn: sp.Expr, variable: sp.Expr) -> bool:
    """Whether ``drawn`` is written as one draw of ``variable``: z_k, z_1, z^{(k)} of z."""
    return isinstance(drawn, sp.Symbol) and isinstance(variable, sp.Symbol) and drawn != variable and bool(
        re.fullmatch(re.escape(variable.name) + r"(?:_\{?[A-Za-z0-9]+\}?|\^\{\([A-Za-z0-9]+\)\})", drawn.name))


def index_superscript_end(tokens: list[Token], j: int) -> int | None:
    """The index after ``^{(i)}`` (a data-point index, not a power) at token j, or None."""
    if _is(tokens, j, "sym", "^") and _is(tokens, j + 1, "sym", "{") and _is(tokens, j + 2, "sym", "(") and \
            j + 3 < len(tokens) and tokens[j + 3].kind in ("word", "num") and _is(tokens, j + 4, "sym", ")") and \
            _is(tokens, j + 5, "sym", "}"):
        return j + 6
    return None


def mark_end(tokens: list[Token], k: int) -> tuple[str, int] | None:
    """The primes or the star written at token k after a name (``x'``, ``x''``, ``x^\\prime``, ``\\theta^*``,
    ``\\theta^{\\star}``, ``\\theta^\\ast``): another variable or label of its own (x' is not x, θ* not θ), as
    the suffix of its name ("'" per prime, "*"); and the index after it. None when no mark is written there."""
    j = k
    while _is(tokens, j, "sym", "'"):
        j += 1
    if j > k:
        return "'" * (j - k), j
    if not _is(tokens, k, "sym", "^"):
        return None
    end = script_end(tokens, k + 1)
    inner = [t for t in tokens[k + 1:end] if not (t.kind == "sym" and t.text in "{}")]
    if inner and all(t.kind == "cmd" and t.text == "prime" for t in inner):
        return "'" * len(inner), end
    if len(inner) == 1 and ((inner[0].kind, inner[0].text) == ("sym", "*") or
                            (inner[0].kind == "cmd" and inner[0].text in ("ast", "star"))):
        return "*", end
    return None


def script_end(tokens: list[Token], j: int) -> int:
    """The index after the script (one token or a braced group) starting at token j."""
    if _is(tokens, j, "sym", "{"):
        depth = 0
        for k in range(j, len(tokens)):
            if tokens[k].kind == "sym" and tokens[k].text == "{":
                depth += 1
            elif tokens[k].kind == "sym" and tokens[k].text == "}":
                depth -= 1
                if depth == 0:
                    return k + 1
        return len(tokens)
    return min(j + 1, len(tokens))


def variable_end(tokens: list[Token], j: int) -> int | None:
    """The index after the variable name at token j (x, \\mathbf{x}, x_i, z_{1:T}, x^{(i)}), or None."""
    if letter_of(tokens[j] if j < len(tokens) else None) is None:
        return None
    k = j + 1
    if _is(tokens, k, "sym", "_"):
        k = script_end(tokens, k + 1)
    after_index = index_superscript_end(tokens, k)
    k = after_index if after_index is not None else k
    marked = mark_end(tokens, k)
    return marked[1] if marked is not None else k


def density_call_end(tokens: list[Token], j: int) -> int | None:
    """The index after ``(x, z | w; \\theta)`` at token j: variables, a bar and variables, parameters after ``;``
    (names); None when token j does not open such parentheses."""
    if not _is(tokens, j, "sym", "("):
        return None
    k, bar, parameters = j + 1, False, False
    while True:
        end = variable_end(tokens, k)
        if end is None:
            return None
        k = end
        if _is(tokens, k, "sym", ","):
            k += 1
        elif _is(tokens, k, "mid") and tokens[k].text in ("|", "\\mid") and not bar and not parameters:
            bar, k = True, k + 1
        elif _is(tokens, k, "sym", ";") and not parameters:
            parameters, k = True, k + 1
        elif _is(tokens, k, "sym", ")"):
            return k + 1
        else:
            return None


class Parser:
    """Recursive descent over the tokens of one expression (no relations)."""

    def __init__(self, tokens: list[Token], source: str, context: Context | None = None, base: int = 0):
        self.source, self.base = source, base
        self.tokens = self._without_indentation(_trimmed(tokens))
        self.context = context or Context()
        self.declared = self.context.declared_symbols()
        self.i = 0
        self.sample = None  # (z_k, z) while reading E_{z_k \sim q(z|x)}: the draw named before \sim
        self.in_samples = False  # reading the body of an expectation over the samples of the importance weights
        self.integral_depth = 0
        self.depth = 0  # atoms and signs being read inside one another
        self.absolute_depth = 0  # inside |...|, a bar closes: |a|b|c| is not read as |a|·b·|c|
        self.last_name: tuple[str, int] | None = None  # (name, index after it) of the last bare symbol read
        self.uses: dict[str, tuple[bool, bool]] = {}  # name -> (used as a function, used as a number)
        self._density_usage: set[str] | None = None  # letters this formula uses as densities (see density_usage)

    def _without_indentation(self, tokens: list[Token]) -> list[Token]:
        """A wide space that opens a row (``& \\quad - D_{KL}`` continuing the row above) is indentation."""
        kept = []
        for previous, token in zip([None] + tokens, tokens):
            if token.kind == "sep" and previous is not None and "\\\\" in self.text(previous.end, token.start):
                continue
            kept.append(token)
        return kept

    # -- helpers
    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.tokens[j] if 0 <= j < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            self.fail("unexpected end of the formula")
        self.i += 1
        return token

    def at(self, kind: str, text: str | None = None, k: int = 0) -> bool:
        token = self.peek(k)
        return token is not None and token.kind == kind and (text is None or token.text == text)

    def expect(self, kind: str, text: str, what: str, start: int | None = None) -> Token:
        if not self.at(kind, text):
            found = self.peek()
            if found is not None and found.kind == "sep":
                self.fail(_separator_reason(self.text(found.start, found.end)), found.start, found.end)
            shown = f"found `{self.text(found.start, found.end)}`" if found else "the formula ends"
            self.fail(f"expected `{text}` {what}, {shown}", start)
        return self.take()

    def text(self, start: int, end: int) -> str:
        return self.source[start - self.base:end - self.base]

    def fail(self, reason: str, start: int | None = None, end: int | None = None):
        token = self.peek()
        if start is None:  # at the end of the formula, quote its last token
            start = token.start if token else (self.tokens[-1].start if self.tokens else self.base)
        if end is None:
            end = token.end if token else (self.tokens[-1].end if self.tokens else self.base)
        raise Unparsed(reason, self.text(start, end).strip(), start, end)

    def here(self) -> int:
        token = self.peek()
        return token.start if token else (self.tokens[-1].end if self.tokens else self.base)

    def last_end(self) -> int:
        return self.tokens[self.i - 1].end if self.i else self.base

    # -- grammar
    def parse(self) -> sp.Expr:
        if not self.tokens:
            raise Unparsed("empty expression", "", self.base, self.base)
        from mathcheck.audit import matrix_reader  # vectors, matrices, sums: never commuting numbers
        if matrix_reader.wanted(self):
            return self._at_data_points(matrix_reader.read(self))
        expr = self.expression()
        if self.peek() is not None:
            token = self.peek()
            self.fail(self._unexpected(token), token.start, self.tokens[-1].end)
        return expr

    # how terms and factors combine; the matrix reader (audit/matrix_reader.py) checks shapes here
    def _sum(self, terms: list) -> sp.Expr:
        return sp.Add(*terms)

    def _product(self, factors: list) -> sp.Expr:
        return _product(factors)

    def _ratio(self, numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
        return ratio(numerator, denominator)

    def _distributions(self) -> tuple:
        """The kinds of density E_{...} and D_KL(...) take (the matrix reader adds N(x; μ, Σ) of vectors)."""
        return (Density, Normal, BareDensity)

    def _unexpected(self, token: Token) -> str:
        shown = self.text(token.start, token.end)
        if token.kind == "sep":
            return _separator_reason(shown)
        if token.kind == "sym" and token.text == "^":
            return "a double superscript (x^2^3) or a superscript without a base: use braces"
        if token.kind == "sym" and token.text == "'":
            return "a prime (f'(x), x') is not supported: name the derivative or the variable"
        if token.kind == "sym" and token.text == "!":
            return "a factorial `!` is not supported"
        if token.kind == "sym" and token.text in _PUNCTUATION:
            return f"unexpected `{token.text}`: a list or a decimal/thousands comma is not one expression"
        if token.kind == "mid":
            return "a bar `|` that neither closes an absolute value nor belongs to a density"
        if token.kind == "rel":
            return f"relation `{shown}` where an expression is expected"
        return f"unexpected `{token.text}`"

    def expression(self) -> sp.Expr:
        terms = []
        sign = 1
        if self.at("sym", "+") or self.at("sym", "-"):
            sign = -1 if self.take().text == "-" else 1
        terms.append(sign * self.term() if sign < 0 else self.term())
        while self.at("sym", "+") or self.at("sym", "-"):
            op = self.take().text
            term = self.term()
            terms.append(-term if op == "-" else term)
        return self._sum(terms)

    def term(self) -> sp.Expr:
        start = self.here()
        first = self.i
        factors = [self.factor()]
        previous = (first, self.i)  # the tokens of the last factor
        divided = False  # after a/b, a juxtaposed c is ambiguous: (a/b)c or a/(bc)
        while True:
            token = self.peek()
            if token is None:
                break
            if token.kind in ("cmd", "sym") and token.text in ("cdot", "times", "ast", "*") and self.rebinds_open_index(1):
                break  # \prod_i a_i \cdot \prod_i b_i: the body of the first \prod ends here
            if token.kind == "cmd" and token.text in ("cdot", "times", "ast"):
                self.take()
                begin = self.i
                factors.append(self.factor())
                previous = (begin, self.i)
            elif token.kind == "sym" and token.text == "*":
                self.take()
                begin = self.i
                factors.append(self.factor())
                previous = (begin, self.i)
            elif (token.kind == "sym" and token.text == "/") or (token.kind == "cmd" and token.text == "div"):
                self.take()
                begin = self.i
                denominator = self.factor()
                if denominator.is_zero:
                    self.fail("division by zero", start, self.last_end())
                self._divisor_written(denominator, begin)
                factors = [self._ratio(self._product(factors), denominator)]
                previous = (begin, self.i)
                divided = True
            elif token.kind == "sep" and self.integral_depth and self.at_differential(1):
                self.take()  # \quad dx: a space before the differential
            elif self.starts_factor():
                if divided:
                    self.fail("ambiguous: a factor after a/b may be in the denominator or not (1/2x): write "
                              "\\frac{..}{..} or parentheses", start, self._factor_end())
                self._check_juxtaposition(previous)
                begin = self.i
                factors.append(self.factor())
                self._check_mixed_number(previous, begin)
                previous = (begin, self.i)
            else:
                break
        if not factors:
            self.fail("expected a term", start)
        return self._product(factors)

    def _visible(self, j: int) -> int:
        """The index of the first token from j that LaTeX displays (braces ``{}`` show nothing)."""
        while j < len(self.tokens) and self.tokens[j].kind == "sym" and self.tokens[j].text == "{":
            j += 1
        return j

    def _check_juxtaposition(self, previous: tuple[int, int]) -> None:
        """A number written after a factor is never multiplied: ``1 2`` displays 12, ``2\\,500`` 2 500, and
        ``{1}{2}`` 12 (braces display nothing)."""
        first = self._visible(self.i)
        if first >= len(self.tokens):
            return
        shown = first
        while shown < len(self.tokens) and (self.tokens[shown].kind == "cmd" and self.tokens[shown].text in
                                            ("underbrace", "overbrace") or self.tokens[shown].text == "{"):
            shown += 1
        if shown > self.i and shown < len(self.tokens) and self.tokens[shown].kind == "sym" and \
                self.tokens[shown].text in ("+", "-"):
            self.fail(f"`{{{self.tokens[shown].text} …}}` after a term displays as a sum (`1 {{+ 1}}` shows 1 + 1) but "
                      "would read as a product: write the sign outside the braces", self.tokens[self.i].start,
                      self._factor_end())
        token = self.tokens[first]
        before = [t for t in self.tokens[previous[0]:previous[1]] if not (t.kind == "sym" and t.text in "{}")]
        start = self.tokens[previous[0]].start
        if token.kind == "num":
            end = max(token.end, self._factor_end())  # only on failure: re-reading every factor costs
            if len(before) == 1 and before[0].kind == "num":
                self.fail(f"two numbers side by side (LaTeX shows `{before[0].text}{token.text}` or a digit group "
                          f"`{before[0].text} {token.text}`): write one number, or \\cdot for a product",
                          start, end)
            self.fail("a number written after a factor without an operator (`x 2`, `2^2 3`): write the "
                      "number first or use \\cdot", start, end)
        if token.kind == "word" and token.text in ("e", "E") and len(before) == 1 and before[0].kind == "num":
            j = self._visible(first + 1)
            following = self.tokens[j] if j < len(self.tokens) else None
            k = self._visible(j + 1)
            after = self.tokens[k] if k < len(self.tokens) else None
            signed = following is not None and following.kind == "sym" and following.text in "+-" and \
                after is not None and after.kind == "num"
            if (following is not None and following.kind == "num") or signed:
                last = (after if signed else following).end
                self.fail("scientific notation (`1e-3`) is not math notation (it displays 1e − 3): "
                          "write 10^{-3}, or e with \\cdot", start, last)

    def _check_mixed_number(self, previous: tuple[int, int], begin: int) -> None:
        """``2\\frac{1}{2}`` displays the mixed number 2½: neither 2·½ nor 2 + ½ is taken."""
        before = [t for t in self.tokens[previous[0]:previous[1]] if not (t.kind == "sym" and t.text in "{}")]
        opened = self.tokens[self._visible(begin)] if self._visible(begin) < len(self.tokens) else None
        if len(before) == 1 and before[0].kind == "num" and opened is not None and opened.kind == "cmd" and \
                opened.text in FRACTIONS:
            if not self._factor_value(begin).free_symbols:
                self.fail("a number before a fraction of numbers reads as a mixed number (2½ = 2 + ½) or as a "
                          "product: write 2 + \\frac12 or 2\\cdot\\frac12", self.tokens[previous[0]].start,
                          self.last_end())

    def _factor_value(self, begin: int) -> sp.Expr:
        saved = self.i
        self.i = begin
        try:
            return self.factor()
        finally:
            self.i = saved

    def starts_factor(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind == "num":
            return True
        if token.kind == "word":
            return not self.at_differential()
        if token.kind == "cmd":
            return token.text not in ("cdot", "times", "ast", "div", "end", "right", "over")
        if token.kind == "sym":
            return token.text in OPEN
        if token.kind == "mid":
            following = self.peek(1)
            opens = following is not None and following.kind not in ("rel", "par", "sep") and not (
                following.kind == "sym" and following.text in (")", "]", "}", "\\}"))
            return opens and (token.text == OPENING_BAR or (token.text == "|" and self.absolute_depth == 0))
        return False

    def at_differential(self, k: int = 0) -> bool:
        """``dz``, ``d z``, ``\\mathrm{d}z``, ``d\\sigma`` inside an integral."""
        if self.integral_depth == 0:
            return False
        token = self.peek(k)
        if token is None or token.kind != "word":
            return False
        if token.text == "d":
            return letter_of(self.peek(k + 1)) is not None
        return len(token.text) == 2 and token.text[0] == "d"

    def factor(self) -> sp.Expr:
        if self.at("sym", "-") or self.at("sym", "+"):
            negative = self.take().text == "-"
            with self.nested():
                inner = self.factor()
            return -inner if negative else inner
        return self.power()

    @contextmanager
    def nested(self):
        """One level deeper; past MAX_NESTING the expression is refused with a clear reason."""
        self.depth += 1
        try:
            if self.depth > MAX_NESTING + 1:  # the innermost atom is not a level of nesting
                start = self.tokens[0].start
                raise Unparsed(f"nesting deeper than {MAX_NESTING} levels",
                               self.text(start, self.here())[:40].strip(), start, self.here())
            yield
        finally:
            self.depth -= 1

    def power(self) -> sp.Expr:
        start = self.here()
        signed_group = self.at("sym", "{") and (self.at("sym", "-", 1) or self.at("sym", "+", 1))
        self.last_name = None
        base = self.atom()
        bare = self.last_name if self.last_name and self.last_name[1] == self.i else None
        indexed = index_superscript_end(self.tokens, self.i) if bare is not None else None
        if indexed is not None:  # x^{(i)}: the i-th data point, a variable of its own
            bare = (bare[0] + self._index_superscript(indexed), indexed)
            self.i = indexed
            base = self.symbol(bare[0])
            self.last_name = bare
        if self.at("sym", "^"):
            if signed_group:  # braces do not show: {-1}^2 displays as -1^2
                self.fail("ambiguous: `{-…}^…` displays like -…^…: write (-1)^2 or -(1^2)", start,
                          self.peek().end)
            self.take()
            exponent = self.script("exponent")
            problem = power_problem(base, exponent)
            if problem:
                self.fail(problem, start, self.last_end())
            if base.is_negative and exponent.is_rational and exponent.is_integer is False:
                self.fail("a fractional power of a negative number is not real (nor is its real root meant "
                          "unambiguously)", start, self.last_end())
            if base == sp.E and exponent.has(sp.Symbol("i", real=True)):
                self.fail("e^{i...}: complex numbers are not supported (i would be read as a real number)", start,
                          self.last_end())
            if self.at("sym", "_") and bare is not None and "_" not in bare[0]:  # \sigma^2_1 is σ₁²
                bare = (f"{bare[0]}_{self.subscript_name()}", self.i)
                base = self.symbol(bare[0])
            if exponent.is_number and exponent.is_negative:
                self._divisor_written(base, start)  # (N − 2)^{-1}: a division as written
            base = sp.Pow(base, exponent)
            if self.at("sym", "^"):
                self.fail("a double superscript (x^2^3): write x^{2^3} or (x^2)^3", start, self.peek().end)
            if bare is not None and bare[0] not in VARIABLES and bare[0] != "e" and self._opens("("):
                self._check_power_before_parenthesis(bare[0], start)
        if self.at("sym", "_"):
            self.fail("a subscript here is not part of the notation this reader knows", start)
        return base

    def _index_superscript(self, end: int) -> str:
        """``^{(i)}``: the i-th data point; under a sum over i it depends on the index (``_at_data_points``)."""
        return f"^{{({self.tokens[end - 3].text})}}"

    def _at_data_points(self, expr: sp.Expr) -> sp.Expr:
        """Each Σ_i (Π_i) over data points x^{(i)}: Σ_i [body in X]|_{X = x^{(i)}} (mathcheck.sums.AtPoint), the
        model expression at each data point; a body that uses the index otherwise, or two kinds of data points,
        is not read."""
        if not expr.has(sp.Sum, sp.Product):
            return expr
        from mathcheck.sums import AtPoint

        def points(node: sp.Expr) -> dict:
            if not (isinstance(node, (sp.Sum, sp.Product)) and len(node.limits) == 1):
                return {}
            pattern = re.compile(r"(.+)\^\{\(" + re.escape(node.limits[0][0].name) + r"\)\}")
            return {s: m.group(1) for s in node.function.atoms(sp.Symbol) if (m := pattern.fullmatch(s.name))}

        def at_points(node: sp.Expr) -> sp.Expr:
            found = points(node)
            index = node.limits[0][0]
            where = self.tokens[0].start, self.tokens[-1].end
            if len(set(found.values())) > 1:
                self.fail(f"a sum over {index} of the data points of {' and '.join(sorted(set(found.values())))}: "
                          "one kind of data point per sum is read", *where)
            base = next(iter(found.values()))
            if base not in data_bases(self.context):  # z^{(k)}: a sample of a latent, not a data point of X
                self.fail(f"a sum over {base}^({index}): only the data points of the observed variable (x^{{(i)}}, or "
                          "the points the prose declares) are read under a sum", *where)
            if index in node.function.free_symbols or node.function.has(X):
                self.fail(f"a sum over the data points x^({index}) whose terms use {index} otherwise (or X): not read",
                          *where)
            return node.func(AtPoint(node.function.xreplace({s: X for s in found}), index), *node.limits)

        return expr.replace(lambda node: bool(points(node)), at_points)

    def _check_power_before_parenthesis(self, name: str, start: int) -> None:
        """``f^2(x)``, ``\\sigma^2(X)``: a power of f applied to x, or f(x)²? Refused; ``\\lambda^2(1-\\lambda)``
        with λ a number is a product."""
        content = self._call_content(self.i)
        function, _ = self._uses(name)
        if content in ("variables", "number", "list") or function:
            self.fail(f"ambiguous: a power of `{_shown_name(name)}` before parentheses may be a power of a "
                      f"function value or a product: write ({_shown_name(name)}(…))^2 or use \\cdot", start,
                      self._group_end(")"))

    def script(self, what: str) -> sp.Expr:
        """The argument of ``^`` or ``_``: a braced group or a single character."""
        with self.nested():
            return self._script(what)

    def _script(self, what: str) -> sp.Expr:
        if self.peek() is None:
            self.fail(f"the {what} is missing", self.tokens[self.i - 1].start if self.i else None)
        start = self.here()
        infinity = self._infinity()
        if infinity is not None:
            return infinity
        if self.at("sym", "{"):
            closing = self._matching(self.i + 1)
            if closing is not None and self.at("sym", "}", closing + 1 - self.i):
                self.fail("a superscript in parentheses (x^{(i)}) is an index, not a power", start,
                          self.tokens[closing + 1].end)
            if self._transpose(1) and self.at("sym", "}", 2):
                self.fail(f"ambiguous {what}: ^T may be a transpose", start, self.peek(2).end)
            self.take()
            inner = self.expression()
            self.expect("sym", "}", f"to close the {what}", start)
            return inner
        if self._transpose(0):
            self.fail(f"ambiguous {what}: ^T may be a transpose", start, self.peek().end)
        token = self.take()
        if token.kind == "num":
            if len(token.text) > 1:
                self.fail(f"ambiguous {what} `{token.text}`: write it in braces", start, token.end)
            return sp.Integer(token.text)
        if token.kind == "word" and len(token.text) == 1:
            return self.symbol(token.text)
        if token.kind == "cmd" and token.text in GREEK:
            return self.symbol(token.text)
        if token.kind == "cmd" and token.text in ("infty",):
            return sp.oo
        if token.kind == "cmd" and token.text in UNSUPPORTED:
            self.fail(UNSUPPORTED[token.text], start, token.end)
        self.fail(f"cannot read this {what}", start, token.end)

    def _transpose(self, k: int) -> bool:
        token = self.peek(k)
        return token is not None and ((token.kind == "word" and token.text in ("T", "\\mathsf{T}")) or
                                      (token.kind == "cmd" and token.text in ("top", "intercal", "dagger")))

    def _matching(self, j: int) -> int | None:
        """The index of the parenthesis or bracket that closes the one at token j (None if j opens none)."""
        if not (j < len(self.tokens) and self.tokens[j].kind == "sym" and self.tokens[j].text in ("(", "[")):
            return None
        closer = None
        for k, _ in self._inside(j):
            closer = k
        return closer if closer is not None and self._closes(self.tokens[closer]) else None

    def _inside(self, j: int):
        """The tokens at the top level inside the bracket that opens at token j, as (index, token) pairs, and
        last the bracket that closes it (if the formula has one)."""
        depth = 0
        for k in range(j, len(self.tokens)):
            token = self.tokens[k]
            depth += self._opens_group(token) - self._closes(token)
            if depth == 0:
                yield k, token
                return
            if depth == 1 and k > j and not self._closes(token):
                yield k, token

    @staticmethod
    def _opens_group(token) -> bool:
        return token.kind == "sym" and token.text in ("(", "[", "{", "\\{")

    @staticmethod
    def _closes(token) -> bool:
        return token.kind == "sym" and token.text in (")", "]", "}", "\\}")

    def _infinity(self):
        """``{-\\infty}``, ``{\\infty}``, ``\\infty``: the limits of an integral over the real line."""
        texts = [(t.kind, t.text) for t in self.tokens[self.i:self.i + 4]]
        for pattern, value in (([("sym", "{"), ("sym", "-"), ("cmd", "infty"), ("sym", "}")], -sp.oo),
                               ([("sym", "{"), ("sym", "+"), ("cmd", "infty"), ("sym", "}")], sp.oo),
                               ([("sym", "{"), ("cmd", "infty"), ("sym", "}")], sp.oo),
                               ([("cmd", "infty")], sp.oo)):
            if texts[:len(pattern)] == pattern:
                self.i += len(pattern)
                return value
        return None

    def subscript_name(self) -> str:
        """The text of a subscript used as part of a name: ``_1``, ``_{2}``, ``_{\\theta}``."""
        start = self.here()
        self.take()  # _
        if self.at("sym", "{"):
            self.take()
            parts = []
            while not self.at("sym", "}"):
                marked = mark_end(self.tokens, self.i) if parts else None
                if marked is not None:  # p_{\theta'}, q_{\phi^*}: another label
                    parts.append(marked[0])
                    self.i = marked[1]
                    continue
                token = self.take()
                if token.kind in ("word", "num") or (token.kind == "cmd" and token.text in GREEK) or \
                        (token.kind == "sym" and token.text in SUBSCRIPT_MARKS and parts) or \
                        (token.kind == "sym" and token.text == "*" and not parts):  # q_{*}: the optimal q
                    parts.append(bold_letter(token.text) or token.text)  # z_{1:T}, q_{\phi,\psi}, p_{\bm\theta}
                else:
                    self.fail("cannot read this subscript", start, token.end)
            self.take()
            if not parts:
                self.fail("empty subscript", start, self.last_end())
            return "".join(parts)
        token = self.take()
        if token.kind == "num":
            return token.text[0] if len(token.text) == 1 else self.fail(
                f"ambiguous subscript `{token.text}`: write it in braces", start, token.end)
        if token.kind == "word":
            if len(token.text) > 1 and not self.text(token.start, token.end).startswith(("\\", "{\\")):
                self.fail(f"ambiguous subscript `{token.text}`: write it in braces", start, token.end)
            return token.text  # D_\text{KL}: a font command takes the whole word
        if token.kind == "cmd" and token.text in GREEK:
            return token.text
        if (token.kind, token.text) == ("sym", "*") or (token.kind == "cmd" and token.text in ("ast", "star")):
            return "*"  # q_*: the optimal q, another density
        self.fail("cannot read this subscript", start, token.end)

    def atom(self) -> sp.Expr:
        with self.nested():
            return self._atom()

    def _atom(self) -> sp.Expr:
        token = self.peek()
        if token is None:
            self.fail("the formula ends where an expression is expected")
        if token.kind == "num":
            self.take()
            return self.number(token)
        if token.kind == "sym" and token.text in OPEN:
            return self.group()
        if token.kind == "cmd":
            return self.command()
        if token.kind == "word":
            return self.word()
        if token.kind == "mid":
            return self.absolute()
        if token.kind == "par":
            self.fail("`||` outside D_{KL}[...]: a norm ‖x‖ is not supported")
        if token.kind == "rel":
            self.fail(f"relation `{self.text(token.start, token.end)}` where an expression is expected")
        if token.kind == "sep":
            self.fail(_separator_reason(self.text(token.start, token.end)))
        self.fail(self._unexpected(token))

    def number(self, token: Token) -> sp.Expr:
        text = token.text
        if _PLAIN_NUMBER.fullmatch(text):
            return sp.Rational(text)
        if re.search(r"[eE]", text):
            reason = "scientific notation (`1e-3`) is not math notation (it displays 1e − 3): write 10^{-3}"
        elif text.count(".") > 1:
            reason = "a malformed number (more than one decimal point)"
        else:
            reason = "a number with a leading zero (a digit group after a thousands comma?)"
        self.fail(reason, token.start, token.end)

    def group(self) -> sp.Expr:
        start = self.here()
        opening = self.take().text
        inner = self.expression()
        closing = OPEN[opening]
        if opening == "{" and self.at("cmd", "over"):
            self.take()
            denominator = self.expression()
            self.expect("sym", "}", "to close {... \\over ...}", start)
            if denominator.is_zero:
                self.fail("division by zero", start, self.last_end())
            return _fraction(inner, denominator)
        if self.at("mid"):
            self.fail("`\\mid` inside parentheses without a density name before them", start,
                      self._group_end(closing))
        self.expect("sym", closing, f"to close `{opening}`", start)
        return inner

    def absolute(self) -> sp.Expr:
        """``|x|``, ``\\left| x \\right|``, ``\\lvert x \\rvert``: the absolute value (\\mid is not a delimiter)."""
        opening = self.take()
        start = opening.start
        if opening.text == "\\mid":
            self.fail("a conditional bar `\\mid` outside the arguments of a density", start, opening.end)
        if opening.text == CLOSING_BAR:
            self.fail("a closing bar `\\right|` that closes nothing", start, opening.end)
        self.absolute_depth += 1
        try:
            inner = self.expression()
        finally:
            self.absolute_depth -= 1
        if not self.at("mid") or self.at("mid", OPENING_BAR):
            found = self.peek()
            shown = f"found `{self.text(found.start, found.end)}`" if found else "the formula ends"
            self.fail(f"an absolute value |...| that is not closed ({shown})", start,
                      found.end if found else None)
        closing = self.take()
        if closing.text == "\\mid":
            self.fail("a conditional bar `\\mid` outside the arguments of a density", start, closing.end)
        if closing.text == OPENING_BAR:
            self.fail("an absolute value closed by an opening bar `\\left|`", start, closing.end)
        if opening.text != "|" and closing.text != "|":
            return sp.Abs(inner)  # \left| ... \right|: the pairing is written
        later = self._bar_in_same_term()
        if later is not None:
            self.fail("ambiguous bars: |a|b|c| may be |a|·b·|c| or |a·|b|·c|: use \\left| ... \\right| or "
                      "parentheses", start, later)
        return sp.Abs(inner)

    def _bar_in_same_term(self) -> int | None:
        """The end of a bar after a factor juxtaposed to the absolute value just closed, before any + or -:
        there the bars pair up two ways."""
        following = self.peek()
        if following is None or following.kind == "mid" or not self.starts_factor():
            return None
        depth = 0
        for token in self.tokens[self.i:]:
            if token.kind == "sym" and token.text in ("(", "[", "{", "\\{"):
                depth += 1
            elif token.kind == "sym" and token.text in (")", "]", "}", "\\}"):
                depth -= 1
                if depth < 0:
                    return None
            elif depth == 0 and (token.kind == "rel" or (token.kind == "sym" and token.text in "+-")):
                return None
            elif depth == 0 and token.kind == "mid" and token.text != "\\mid":
                return token.end
        return None

    def _group_end(self, closing: str) -> int:
        for token in self.tokens[self.i:]:
            if token.kind == "sym" and token.text == closing:
                return token.end
        return self.tokens[-1].end

    # -- commands
    def _named(self, name: str) -> bool:
        """Whether the document makes ``name`` a number or a matrix of its own (Γ a covariance)."""
        return name in self.declared or name in self.context.symbols or name in self.context.shapes

    def command(self) -> sp.Expr:
        token = self.peek()
        name = token.text
        if name in FRACTIONS:
            return self.fraction()
        if name in FUNCTIONS or (name in SPECIAL_FUNCTIONS and self.at("sym", "(", 1) and not self._named(name)):
            return self.function()
        if name == "sqrt":
            return self.square_root()
        if name == "int":
            return self.integral()
        if name == "pi":
            self.take()
            if self._density_call_here("pi"):  # \pi(z), \pi_\theta(a | s): a density by convention
                return self.density(token)
            return self.symbol("pi") if "pi" in self.context.own_constants else sp.pi
        if name in ("nabla", "partial") and (self.at("sym", "_", 1) or (
                self.at("sym", "^", 1) and _is(self.tokens, script_end(self.tokens, self.i + 2), "sym", "_"))):
            return self.gradient()
        if name in GREEK:
            return self.identifier(self.take())
        if name in ("underbrace", "overbrace"):
            return self.braced_part()
        if name in ACCENTS:
            return self.accented()
        if name in ("max", "min"):
            return self.extremum()
        if name == "infty":
            self.fail("∞ outside the limits of an integral")
        if name in ("cdot", "times", "ast", "div"):
            self.fail(f"`\\{name}` without an operand before it")
        if name in UNSUPPORTED:
            self.fail(UNSUPPORTED[name], token.start, token.end)
        if name == "begin":
            if _is(self.tokens, self.i + 2, "word") and self.tokens[self.i + 2].text in CASES_ENVIRONMENTS:
                self.take()
                return self.cases(token)
            self.fail("a nested environment is not supported", token.start, self._env_end(token))
        if name in ("stackrel", "overset", "underset", "mathrel"):
            self.fail(f"\\{name} over something that is not a relation is not supported", token.start, token.end)
        self.fail(f"unknown command `\\{name}`", token.start, token.end)

    def braced_part(self) -> sp.Expr:
        """``\\underbrace{A}_{\\text{ELBO}}``, ``\\overbrace{A}^{...}``: A, as displayed; the name written under
        or over the brace annotates it (it is not checked)."""
        token = self.take()
        value = self.braced(f"\\{token.text}", token.start)
        script = "_" if token.text == "underbrace" else "^"
        if self.at("sym", script):
            self.i = script_end(self.tokens, self.i + 1)
        return value

    def _environment_here(self) -> str | None:
        """The name of the environment whose ``\\begin`` was just taken: ``{cases}``."""
        if not (self.at("sym", "{") and self.at("sym", "}", 2) and self.peek(1) is not None):
            return None
        return self.peek(1).text

    def cases(self, token: Token) -> sp.Expr:
        """``\\begin{cases} z & z > 0 \\\\ 0 & \\text{otherwise} \\end{cases}``: the Piecewise of its rows, each a
        value and a condition in one variable; the conditions must cover every value (or end with otherwise) and
        rows whose conditions overlap must agree there."""
        environment, start = self._environment_here(), token.start
        if getattr(self, "indices", None):  # the rows would not see the sum's index as the same k
            self.fail("cases inside a sum or product are not read", start, self._env_end(token))
        self.i += 3
        rows, depth = [[]], 0
        while self.peek() is not None:
            here = self.peek()
            if here.kind == "cmd" and here.text == "end" and depth == 0:
                break
            depth += (here.kind == "cmd" and here.text == "begin") - (here.kind == "cmd" and here.text == "end")
            if here.kind == "sym" and here.text == CASE_ROW and depth == 0:
                if rows[-1]:
                    rows.append([])
            else:
                rows[-1].append(here)
            self.i += 1
        if self.peek() is None:
            self.fail(f"\\begin{{{environment}}} without its \\end", start)
        self.take()
        if self._environment_here() != environment:
            self.fail(f"\\begin{{{environment}}} closed by another \\end", start, self.last_end())
        self.i += 3
        pieces = [self._case(row, start) for row in rows if row]
        if not pieces:
            self.fail("an empty cases environment", start, self.last_end())
        self._cases_consistent(pieces, start)
        return sp.Piecewise(*pieces)

    def _case(self, row: list[Token], start: int) -> tuple[sp.Expr, Any]:
        column = next((k for k, t in enumerate(row) if t.kind == "sym" and t.text == CASE_COLUMN), None)
        if column is None or column == 0:
            self.fail("a row of cases is read as `value & condition`", row[0].start, row[-1].end)
        value = Parser(row[:column], self.source, self.context, self.base).parse()
        return value, self._case_condition(row[column + 1:], row[0].start)

    def _case_condition(self, tokens: list[Token], start: int):
        """``z > 0``, ``\\text{if } 0 \\le z < 1``, ``\\text{otherwise}``: a condition in one variable."""
        while tokens and tokens[-1].kind == "sym" and tokens[-1].text in ",.;":
            tokens = tokens[:-1]
        words = [t for t in tokens if t.kind == "sep"]
        rest = [t for t in tokens if t.kind != "sep"]
        said = " ".join(re.sub(r"^\\[A-Za-z]+\s*\{(.*)\}$", r"\1", t.text) for t in words).strip()
        if not rest and _OTHERWISE.fullmatch(said) or [t.text for t in rest] == ["otherwise"]:
            return sp.true
        if words and not _CASE_LEAD.fullmatch(said) or not rest:
            self.fail(f"a condition of cases is read only as a relation (`z > 0`, `\\text{{if }} 0 \\le z < 1`) or "
                      "`\\text{otherwise}`", start, (tokens or [Token("sym", "", start, start + 1)])[-1].end)
        sides, relations = [[]], []
        for t in rest:
            if t.kind == "rel":
                relations.append(t.text)
                sides.append([])
            else:
                sides[-1].append(t)
        if not relations or any(r not in _CASE_RELATIONS for r in relations) or not all(sides):
            self.fail("a condition of cases is read only as a chain of <, >, ≤, ≥, =, ≠", rest[0].start, rest[-1].end)
        values = [Parser(side, self.source, self.context, self.base).parse() for side in sides]
        return sp.And(*[_CASE_RELATIONS[r](a, b) for r, a, b in zip(relations, values, values[1:])])

    def _cases_consistent(self, pieces: list, start: int) -> None:
        """The conditions, in one real variable, cover the real line, and two rows agree where both hold."""
        conditions = [condition for _, condition in pieces]
        variables = set().union(*[getattr(c, "free_symbols", set()) for c in conditions])
        if len(variables) > 1:
            self.fail("cases are read only with conditions in one variable", start, self.last_end())
        if not variables:
            if sp.true not in conditions:
                self.fail("cases with no condition that holds", start, self.last_end())
            return
        (variable,) = variables
        sets = []
        try:
            for condition in conditions:  # otherwise: every value no row before takes
                sets.append(sp.Complement(sp.S.Reals, sp.Union(*sets)) if condition is sp.true
                            else condition.as_set().intersect(sp.S.Reals))
        except (NotImplementedError, TypeError, ValueError):
            self.fail("a condition of cases that is no set of reals sympy can read", start, self.last_end())
        if sp.Union(*sets) != sp.S.Reals:
            self.fail("the conditions of these cases do not cover every real value (write an otherwise row)", start,
                      self.last_end())
        for i, (value, _) in enumerate(pieces):
            for j in range(i + 1, len(pieces)):
                common = sets[i].intersect(sets[j])
                if common is sp.S.EmptySet:
                    continue
                gap = sp.simplify(value - pieces[j][0])
                points = list(common) if isinstance(common, sp.FiniteSet) else None
                agree = gap == 0 if points is None else all(sp.simplify(gap.subs(variable, p)) == 0 for p in points)
                if not agree:
                    self.fail("two rows of these cases overlap and differ there: which one holds is not decided",
                              start, self.last_end())

    def _env_end(self, token: Token) -> int:
        m = re.match(r"\\begin\s*\{[^}]*\}", self.source[token.start - self.base:])
        return token.start + (m.end() if m else len(token.text) + 1)

    def braced(self, what: str, start: int) -> sp.Expr:
        if not self.at("sym", "{"):
            self.fail(f"expected `{{` after {what}", start)
        self.take()
        inner = self.expression()
        self.expect("sym", "}", f"to close the argument of {what}", start)
        return inner

    def tex_argument(self, what: str, start: int) -> sp.Expr:
        """One argument as TeX takes it: ``{...}``, or a single digit, letter or Greek letter
        (``\\frac12`` is 1/2, ``\\frac ab`` is a/b, ``\\sqrt 4`` is √4)."""
        token = self.peek()
        if token is None:
            self.fail(f"{what} without its argument", start)
        written = self.text(token.start, token.end)
        if token.kind in ("num", "word") and written.isalnum() and written.isascii():
            first = token.text[0]
            if len(token.text) > 1:  # \frac12: the 1 is this argument, the 2 the next one
                self.tokens[self.i:self.i + 1] = [Token(token.kind, first, token.start, token.start + 1),
                                                  Token(token.kind, token.text[1:], token.start + 1, token.end)]
                self.uses.clear()  # new letters stand alone now
            self.i += 1
            return sp.Integer(first) if first.isdigit() else self.symbol(first)
        if token.kind == "cmd" and (token.text in GREEK or token.text == "pi"):
            self.take()
            return sp.pi if token.text == "pi" and "pi" not in self.context.own_constants else self.symbol(token.text)
        self.fail(f"cannot read the argument of {what}: write it in braces", start, token.end)

    def fraction(self) -> sp.Expr:
        token = self.take()
        start = token.start
        derivative = self._derivative_fraction(start)
        if derivative is not None:
            return derivative
        weight = self._weight_written_out() if self.in_samples else None
        if weight is not None:
            return weight
        what = f"\\{token.text}"
        # braced arguments directly, without a frame more: nesting is bounded by MAX_NESTING, not the stack
        numerator = self.braced(what, start) if self.at("sym", "{") else self.tex_argument(what, start)
        denominator = self.braced(what, start) if self.at("sym", "{") else self.tex_argument(what, start)
        if denominator.is_zero:
            self.fail("division by zero", start, self.last_end())
        self._divisor_written(denominator, self.tokens[self.i - 1].start if self.i else start)
        return _fraction(numerator, denominator)

    def _divisor_written(self, denominator: sp.Expr, start: int) -> None:
        """A divisor as written, before sympy cancels it (1/(N − 1) − 1/(N − 1) is 0 to sympy, and has no value at
        N = 1): recorded, as a root's radicand is, for the size check (Context.written_conditions)."""
        if isinstance(denominator, sp.Expr) and denominator.is_zero:  # csc(πN) of a count N: 1/sin(πN) = 1/0
            self.fail(f"division by zero: the divisor {sp.sstr(denominator)} as written is 0", start, self.last_end())
        if isinstance(denominator, sp.Expr) and not denominator.is_number and not denominator.is_nonzero:
            from mathcheck.size_difference import DIVISOR  # (a condition of the size check, as Γ's poles are)
            self.context.written_conditions[(start, self.last_end(), DIVISOR)] = denominator

    def _weight_written_out(self) -> sp.Expr | None:
        """``\\frac{p(x, z_k)}{q(z_k|x)}`` inside an expectation over the samples (the tokens after ``\\frac``): the
        importance weight w_k of the weights declared for (x, z), whose definition the ratio is, read as ``w_k``
        is (the tokens taken); None (nothing taken) for another ratio."""
        if not self.at("sym", "{"):
            return None
        numerator_end = script_end(self.tokens, self.i)
        if not _is(self.tokens, numerator_end, "sym", "{"):
            return None
        denominator_end = script_end(self.tokens, numerator_end)
        numerator = re.sub(r"\s+", "", self.text(self.tokens[self.i].end, self.tokens[numerator_end - 1].start))
        denominator = re.sub(r"\s+", "", self.text(self.tokens[numerator_end].end,
                                                     self.tokens[denominator_end - 1].start))
        for letter, (data, latent) in self.context.weights.items():
            sample, given = _sample_pattern(latent), re.escape(data)
            joint = re.fullmatch(rf"p\((?:{given},{sample}|{sample},{given})\)", numerator)
            encoder = re.fullmatch(rf"q\({sample}(?:\||\\mid|\\vert){given}\)", denominator)
            indices = {i for found in (joint, encoder) if found is not None for i in found.groups() if i is not None}
            if joint is not None and encoder is not None and len(indices) == 1:
                self.i = denominator_end
                return self.symbol(f"{letter}_{indices.pop()}")
        return None

    def _derivative_fraction(self, start: int) -> sp.Expr | None:
        """``\\frac{\\partial}{\\partial \\phi} F``, ``\\frac{d}{d\\phi} F``, ``\\frac{\\partial F}{\\partial \\phi}``, and of
        higher order ``\\frac{\\partial^2}{\\partial \\mu^2} F``, ``\\frac{d^2 f}{dx^2}``, ``\\frac{\\partial^2 F}{\\partial \\mu
        \\partial \\sigma}``: the derivative of F in the variables of the denominator, each to its power; the
        numerator's order must be their sum. None when the fraction is not written as a derivative."""
        tokens, j = self.tokens, self.i
        if not (_is(tokens, j, "sym", "{") and j + 1 < len(tokens)):
            return None
        operator, one_letter = _derivative_operator(tokens[j + 1]), None
        if operator is None and tokens[j + 1].kind == "word" and re.fullmatch(r"d[A-Za-z]", tokens[j + 1].text) \
                and self.text(tokens[j + 1].start, tokens[j + 1].end) == tokens[j + 1].text:
            operator, one_letter = "d", tokens[j + 1].text[1]  # \frac{df}{dx}: d applied to f
        if operator is None:
            return None
        numerator_end = script_end(tokens, j)
        if not _is(tokens, numerator_end, "sym", "{"):
            return None
        denominator_end = script_end(tokens, numerator_end)
        order, operand_at = (1, j + 2) if one_letter else _derivative_order(tokens, j + 2)
        variables = self._derivative_denominator(operator, numerator_end + 1, denominator_end - 1)
        if variables is None and operator == "d":
            return None  # \frac{d^{100}}{2^d}: the letter d to a power over no differential
        if order is None:
            self.fail(f"a derivative of an order that is not a whole number from 1 to {MAX_DERIVATIVE_ORDER} is "
                      "not read", start, tokens[denominator_end - 1].end)
        if variables is None:
            return None
        if order == 1 and len(variables) == 1 and variables[0][1] > 1:
            return self._in_power(variables, variables[0], numerator_end, denominator_end, operand_at, start)
        powered = [(v, k) for v, k in variables if k > 1]
        if order == len(variables) > 1 and order != sum(k for _, k in variables) and len(powered) == 1 \
                and len({v for v, _ in variables}) == len(variables) and not one_letter:
            # ∂²/∂σ²∂μ: once in σ² and once in μ (σ twice and μ once would be of order 3)
            return self._in_power(variables, powered[0], numerator_end, denominator_end, operand_at, start)
        if order != sum(count for _, count in variables):
            self.fail(f"the order of the derivative ({order} in the numerator) is not the sum of the powers of its "
                      f"denominator ({'·'.join(f'{v}^{k}' for v, k in variables)})", start, tokens[denominator_end - 1].end)
        if one_letter:
            self.tokens[j + 1:j + 2] = [Token("word", "d", tokens[j + 1].start, tokens[j + 1].start + 1),
                                        Token("word", one_letter, tokens[j + 1].start + 1, tokens[j + 1].end)]
            self.uses.clear()
            numerator_end, denominator_end = numerator_end + 1, denominator_end + 1
        operand = self._fraction_operand(numerator_end, denominator_end, operand_at, start)
        return self._derivative(operand, variables, start)

    def _fraction_operand(self, numerator_end: int, denominator_end: int, operand_at: int, start: int) -> sp.Expr:
        """What a derivative written as a fraction applies to: the rest of its numerator (``\\frac{d^2 f}{dx^2}``), or
        what follows the fraction where the numerator is the operator alone (``{\\partial^2}`` over
        ``{\\partial \\phi^2}``), with the parser left after it."""
        if operand_at == numerator_end - 1:
            self.i = denominator_end
            return self.operator_argument(start, self.text(start, self.last_end()))
        self.i = operand_at
        operand = self.expression()
        self.expect("sym", "}", "to close the numerator of the derivative", start)
        self.i = denominator_end
        return operand

    def _in_power(self, variables: list, powered: tuple, numerator_end: int, denominator_end: int, operand_at: int,
                  start: int) -> sp.Expr:
        """``\\frac{\\partial}{\\partial \\sigma^2} F``: the derivative in u = σ², read as (∂F/∂σ) / (2σ), which
        is exact where u ↦ σ is a bijection: for a σ declared positive.
        ``\\frac{\\partial^2}{\\partial \\sigma^2 \\partial \\mu} F``: once in u = σ² and once in each other
        variable, read as (∂/∂σ ∂/∂μ F) / (2σ) where u determines σ (``_power_variable_determined``)."""
        symbol, power = powered
        operand = self._fraction_operand(numerator_end, denominator_end, operand_at, start)
        self._power_variable_determined(symbol, power, operand, start, denominator_end)
        counts = [(v, 1) for v, _ in variables]
        return self._derivative(operand, counts, start) / (power * symbol ** (power - 1))

    def _power_variable_determined(self, symbol: sp.Symbol, power: int, operand: sp.Expr, start: int,
                                   end: int) -> None:
        """A derivative in u = σ^k is (∂F/∂σ) / (k σ^(k-1)) where F is a function of u: where u determines σ (an odd
        k; σ declared positive or negative: then dσ/du = 1/(k σ^(k-1)) on that branch), or where F is even in σ
        (log σ², |σ|: the same function of u on both branches). Refused otherwise."""
        if power % 2 == 1 or symbol.is_positive or symbol.is_negative:
            return
        if operand.xreplace({symbol: -symbol}) == operand:
            return
        self.fail(f"a derivative in {symbol}^{power}: read only for a {symbol} declared positive or negative (then "
                  f"{symbol}^{power} determines {symbol}) or an expression even in {symbol}; declare it "
                  f"(${_shown_name(symbol.name)} > 0$)", start, self.tokens[end - 1].end)

    def _derivative_denominator(self, operator: str, first: int, end: int) -> list | None:
        """The variables of a derivative's denominator between tokens ``first`` and ``end``: ``\\partial \\phi``,
        ``dx``, ``d x^2``, ``\\mathrm{d}x^2``, ``\\partial \\mu \\, \\partial \\sigma``: [(variable, power)], None when
        it is not written so."""
        tokens, k, found = self.tokens, first, []
        while k < end:
            if tokens[k].kind == "sep":
                k += 1
                continue
            token = tokens[k]
            if operator == "d" and token.kind == "word" and len(token.text) == 2 and token.text[0] == "d" \
                    and self.text(token.start, token.end) == token.text:  # dx
                name, k = token.text[1], k + 1
            elif _derivative_operator(token) == operator and variable_end(tokens, k + 1) is not None \
                    and variable_end(tokens, k + 1) <= end:
                saved, self.i = self.i, k + 1
                name, k = self.variable_name(), self.i
                self.i = saved
            else:
                return None
            power, k = _derivative_order(tokens, k)
            if power is None or k > end:
                return None
            found.append((self.symbol(name), power))
        return found or None

    def gradient(self) -> sp.Expr:
        """``\\nabla_\\phi F``, ``\\partial_\\phi F``, ``\\nabla_{\\phi} F``: the derivative of F in the parameter φ; of
        order two ``\\nabla^2_\\mu F``, ``\\partial_\\mu^2 F`` (for a scalar μ, the Hessian and the Laplacian are the
        second derivative)."""
        token = self.take()
        start = token.start
        order, self.i = _derivative_order(self.tokens, self.i)
        self.take()  # _
        braced = self.at("sym", "{")
        if braced:
            self.take()
        if variable_end(self.tokens, self.i) is None:
            self.fail("the subscript of a gradient must be one variable or parameter", start, self._factor_end())
        written = self.peek()
        variable = self.symbol(self.variable_name())
        if braced:
            self.expect("sym", "}", "to close the subscript of the gradient", start)
        if order == 1:
            order, self.i = _derivative_order(self.tokens, self.i)
        if order is None:
            self.fail("a derivative of an order that is not a whole number is not read", start, self.last_end())
        if order > 1 and written.kind == "word" and bold_letter(written.text):
            self.fail(f"\\{token.text}^{order} of a vector: the Hessian matrix or the Laplacian (its trace)? Not read "
                      "in a scalar formula", start, self.last_end())
        operand = self.operator_argument(start, self.text(start, self.last_end()))
        return self._derivative(operand, [(variable, order)], start)

    def operator_argument(self, start: int, written: str) -> sp.Expr:
        """The operand of a derivative operator: the whole following factor with its scripts, as typeset
        (``\\nabla_\\mu (\\mu - x)^2`` is the derivative of (μ − x)², not (∂(μ − x))²); a factor juxtaposed
        after it (``\\frac{d}{dx} f(x) g(x)``, ``\\frac{d}{dx}(x) x``) may or may not be operated on: refused."""
        if self.at("sym", "-"):  # \frac{\partial}{\partial \mu} -\frac{(\mu - x)^2}{2}: the derivative of the negative
            self.take()
            with self.nested():
                return -self.operator_argument(start, written)
        if self.peek() is None or not self.starts_factor():
            self.fail(f"{written} without an argument", start)
        argument_start = self.here()
        try:
            with self.nested():
                argument = self.power()
        except Unparsed as error:
            if error.start == argument_start:
                raise Unparsed(error.reason, self.text(start, error.end).strip(), start, error.end) from None
            raise
        if self._starts_sum() and \
                re.match(r"\s*(?:\\[dt]?frac\s*(?:\{\s*1\s*\}|1)|\d)", self.text(argument_start, self.last_end())):
            argument = self._product([argument, self.term()])  # \nabla \frac{1}{K}\sum_k ...: a constant factor
        elif not argument.free_symbols and self.starts_factor():  # \nabla_\mu \frac{1}{2}(\mu - x)^2: c·(what follows)
            with self.nested():
                argument = self._product([argument, self.operator_argument(start, written)])
        if self.starts_factor():
            self.fail(f"ambiguous: does {written} apply to `{self.text(argument_start, self.last_end())}` only "
                      "or to the product that follows? Use parentheses", start, self._factor_end())
        return argument

    def _function_of(self, operand: sp.Expr, counts: list) -> sp.Expr:
        """``\\frac{d^2 f}{dx^2}``: a bare letter that names a function (f, g, h, or one the document applies), in a
        derivative in one variable x, is that function of x, f(x); any other operand as read."""
        variables = {v for v, _ in counts}
        if not isinstance(operand, sp.Symbol) or len(variables) != 1 or operand in variables \
                or not re.fullmatch(r"[A-Za-z]", operand.name):
            return operand
        name = operand.name
        function = name in FUNCTION_LETTERS or name in self.context.functions
        if not function or name in self.context.symbols or self._bare_uses(name) != 1:
            return operand  # f declared a number, or written alone elsewhere in the formula (df/dx = 2f): as read
        return sp.Function(name)(*variables)

    def _bare_uses(self, name: str) -> int:
        """How often the formula writes ``name`` not applied to anything (subscripts not counted)."""
        count, j = 0, 0
        while j < len(self.tokens):
            if self.tokens[j].kind == "sym" and self.tokens[j].text == "_":
                j = self._script_end(j + 1)
                continue
            found = self._name_at(j)
            if found is None:
                j += 1
                continue
            count += found[0] == name and self._call_content(found[1]) is None
            j = found[1]
        return count

    def _derivative(self, operand: sp.Expr, variables, start: int) -> sp.Expr:
        """d operand / d variable (``variables``: one symbol, or [(symbol, order)]), kept unevaluated; refused when
        the operand depends on a variable in a way it does not write (a density p_φ, a named quantity): read as
        a formula its derivative would be 0."""
        counts = [(variables, 1)] if isinstance(variables, sp.Basic) else list(variables)
        operand = self._function_of(operand, counts)
        noises = {noise for _, noise, _ in self.context.reparametrizations.values() if isinstance(noise, Density)}
        for variable, _ in counts:
            # q_φ under ∂/∂φ writes how it depends on φ (its label); a declared noise p(ε) of z = g_φ(ε) does not
            implicit = {d for d in operand.atoms(Density, BareDensity, NameRef) if not (
                isinstance(d, Density) and (variable.name in d.label.split(",") or d in noises))}
            if implicit:
                shown = sp.sstr(sorted(implicit, key=sp.default_sort_key)[0])
                self.fail(f"a derivative in {variable} of {shown}: how a density or a named quantity depends on "
                          f"{variable} is not written out, so the derivative is not read (write the formula)", start,
                          self.last_end())
            labelled = any(variable.name in d.label.split(",") for d in operand.atoms(Density))
            if variable not in operand.free_symbols and not labelled_calls(operand, variable) and not labelled:
                # ∇_φ μ²: μ = μ_φ(x) may depend on φ without saying so (g_φ(ε) says so: its label is φ)
                self.fail(f"a derivative in {variable} of an expression that does not write {variable}: whether it "
                          f"depends on {variable} (through μ, σ, ...) is not written out", start, self.last_end())
        return sp.Derivative(operand, *counts)

    def entropy(self) -> sp.Expr | None:
        """``H[q]``, ``H(q(z|x))``, ``\\mathcal{H}(q)``, ``\\mathbb{H}[q]``: the entropy −E_q[log q]; ``H(p, q)``: the
        cross-entropy −E_p[log q]. None (nothing read) when the arguments are not densities: ``H(x)`` is a name."""
        saved = self.i
        self.take()
        closing = OPEN[self.take().text]
        densities = [self._entropy_argument()]
        if densities[0] is not None and self.at("sym", ","):
            self.take()
            densities.append(self._entropy_argument())
        if None in densities or not self.at("sym", closing):
            self.i = saved
            return None
        self.take()
        first, second = densities[0], densities[-1]
        return -Expectation(first, sp.log(second))

    def _entropy_argument(self) -> sp.Expr | None:
        token = self.peek()
        family = density_letter_of(token)
        if family is None or not (family in DENSITY_FAMILIES or self._is_density_letter(family)):
            return None
        after = script_end(self.tokens, self.i + 2) if self.at("sym", "_", 1) else self.i + 1
        end = density_call_end(self.tokens, after)
        end = after if end is None else end
        if not (_is(self.tokens, end, "sym", ",") or _is(self.tokens, end, "sym", ")") or
                _is(self.tokens, end, "sym", "]")):
            return None
        return self.density(self.take())

    def square_root(self) -> sp.Expr:
        """``\\sqrt x``, ``\\sqrt{x}``, and the real n-th root ``\\sqrt[n]{x}`` for a whole n ≥ 2."""
        token = self.take()
        degree = self.root_degree(token.start) if self.at("sym", "[") else 2
        radicand = self.braced("\\sqrt", token.start) if self.at("sym", "{") else \
            self.tex_argument("\\sqrt", token.start)
        if degree % 2 == 0:
            if radicand.is_negative:
                self.fail("an even root of a negative number is not real", token.start, self.last_end())
            self.context.written_conditions[(token.start, self.last_end(), "the radicand of an even root: ≥ 0")] = radicand
            return sp.sqrt(radicand) if degree == 2 else radicand ** sp.Rational(1, degree)
        if radicand.is_nonnegative:
            return radicand ** sp.Rational(1, degree)
        if radicand.is_negative:
            return -((-radicand) ** sp.Rational(1, degree))
        self.fail(f"the real root of degree {degree} of a number of unknown sign: state its sign", token.start,
                  self.last_end())

    def root_degree(self, start: int) -> int:
        self.take()  # [
        degree = self.expression()
        self.expect("sym", "]", "to close the degree of \\sqrt[n]", start)
        if not (degree.is_Integer and degree >= 2):
            self.fail("the degree n of \\sqrt[n]{...} must be a whole number of at least 2", start, self.last_end())
        return int(degree)

    def function(self) -> sp.Expr:
        """``\\log x``, ``\\log_2 x``, ``\\exp(x)``, ``\\sin^2 x``: a power after the argument or after the name
        is a power of the value ((eˣ)² for ``\\exp(x)^2``)."""
        token = self.take()
        start, name = token.start, token.text
        base = exponent = None
        for _ in range(2):
            if self.at("sym", "_") and name in ("log",) and base is None:
                self.take()
                base = self.script("base of the logarithm")
            elif self.at("sym", "^") and exponent is None:
                self.take()
                exponent = self.script(f"exponent of \\{name}")
                if not (exponent.is_Integer and exponent.is_positive):
                    self.fail(f"ambiguous: \\{name}^{{{sp.sstr(exponent)}}} may be an inverse function or a power: "
                              f"write (\\{name} x)^{{{sp.sstr(exponent)}}}", start, self.last_end())
        written = self.text(start, self.last_end())
        argument = self.function_argument(start, written)
        if name in ("log", "ln"):
            from mathcheck.size_difference import LOG_ARGUMENT
            self.context.written_conditions[(start, self.last_end(), LOG_ARGUMENT)] = argument
            _require_positive(argument, self, start)
            value = _log_of_square(argument)
            if base is not None:
                if base.is_positive is False or base == 1:
                    self.fail("the base of a logarithm must be a positive number other than 1", start,
                              self.last_end())
                self.context.written_conditions[(start, self.last_end(), LOG_ARGUMENT)] = base
                self._divisor_written(sp.log(base), start)  # log_N x = log x / log N: no value at N = 1
                value = value / sp.log(base)
        else:
            value = (FUNCTIONS.get(name) or SPECIAL_FUNCTIONS[name])(argument)
            if name in ("tan", "sec"):  # tan x = sin x / cos x: no value where cos x = 0, as written
                self._divisor_written(sp.cos(argument), start)
            elif name in ("cot", "csc"):
                self._divisor_written(sp.sin(argument), start)
            if name == "Gamma":
                from mathcheck.size_difference import GAMMA_ARGUMENT  # Γ's poles: a condition of the size check
                self.context.written_conditions[(start, self.last_end(), GAMMA_ARGUMENT)] = argument
        if exponent is not None:
            if self.at("sym", "^"):
                self.fail(f"a second exponent after \\{name}^{{...}}: write the power once", start, self.peek().end)
            value = sp.Pow(value, exponent)
        return value

    def function_argument(self, start: int, written: str) -> sp.Expr:
        """The argument of ``\\log`` / ``\\exp`` / ``\\sin``: a parenthesized group (then a power applies to the
        value), or one factor; a second juxtaposed factor after an unparenthesized argument is ambiguous."""
        if self.peek() is None or not self.starts_factor():
            self.fail(f"{written} without an argument", start)
        argument_start = self.here()
        delimited = self.at("sym", "(") or self.at("sym", "[") or self.at("sym", "\\{")
        try:
            if delimited:
                with self.nested():
                    argument = self.group()
            elif self.at("sym", "{"):
                with self.nested():
                    argument = self.group()
                if self.at("sym", "^"):
                    self.fail(f"ambiguous: is the power after {written}{{...}} on the argument or on the value? "
                              "Use parentheses", start, self.peek().end)
            else:
                begin = self.i
                argument = self.power()
                self._check_power_after_call(begin, start, written)
        except Unparsed as error:
            if error.start == argument_start:
                raise Unparsed(error.reason, self.text(start, error.end).strip(), start, error.end) from None
            raise
        if not delimited and self._starts_sum() and \
                re.match(r"\s*(?:\\[dt]?frac\s*(?:\{\s*1\s*\}|1)|\d)", self.text(argument_start, self.last_end())):
            # \log \frac{1}{K}\sum_k w_k: the log of the average (a constant factor before a sum is part of it)
            argument = self._product([argument, self.term()])
        if not delimited and self.starts_factor() and not self._starts_big_operator():
            self.fail(f"ambiguous: does {written} apply to `{self.text(argument_start, self.last_end())}` only "
                      "or to the product that follows? Use parentheses", start, self._factor_end())
        return argument

    def _starts_sum(self) -> bool:
        token = self.peek()
        return token is not None and token.kind == "cmd" and token.text in ("sum", "prod")

    def _check_power_after_call(self, begin: int, start: int, written: str) -> None:
        """``\\log p(x)^2``: log(p(x)²) or (log p(x))²? A power right after parentheses is refused."""
        depth = 0
        for j in range(begin, self.i):
            token, before = self.tokens[j], self.tokens[j - 1]
            if token.kind == "sym" and token.text in ("(", "[", "{", "\\{"):
                depth += 1
            elif token.kind == "sym" and token.text in (")", "]", "}", "\\}"):
                depth -= 1
            elif depth == 0 and j > begin and token.kind == "sym" and token.text == "^" and before.kind == "sym" \
                    and before.text in (")", "]"):
                self.fail(f"ambiguous: is the power on the argument of {written} or on its value? Use parentheses: "
                          f"{written}(p(x)^2) or ({written} p(x))^2", start, self.last_end())

    def _starts_big_operator(self) -> bool:
        token = self.peek()
        if token.kind == "cmd" and (token.text in BIG_OPERATORS or token.text in FUNCTIONS):
            return True
        return token.kind == "word" and token.text in ("E", "D", "KL") and self._looks_like_operator()

    def _looks_like_operator(self) -> bool:
        token = self.peek()
        following = self.peek(1)
        if token.text == "E":
            return following is not None and (following.text in ("_", "["))
        if token.text == "D":
            return following is not None and following.text == "_"
        return True

    def _factor_end(self) -> int:
        saved = self.i
        try:
            self.power()
            return self.last_end()
        except Unparsed as error:
            return error.end
        finally:
            self.i = saved

    def extremum(self) -> sp.Expr:
        """``\\max(a, b)``, ``\\min\\{a, b\\}``; ``\\max_z`` (an optimization) is refused."""
        token = self.take()
        if self.at("sym", "_") or self.at("sym", "^"):
            self.fail(f"\\{token.text} over a variable (an optimization) is not supported", token.start,
                      self.peek().end)
        if not (self.at("sym", "(") or self.at("sym", "\\{") or self.at("sym", "[")):
            self.fail(f"\\{token.text} needs its arguments in parentheses: \\{token.text}(a, b)", token.start)
        closing = OPEN[self.take().text]
        arguments = [self.expression()]
        while self.at("sym", ","):
            self.take()
            arguments.append(self.expression())
        self.expect("sym", closing, f"to close \\{token.text}(...)", token.start)
        return (sp.Max if token.text == "max" else sp.Min)(*arguments)

    def accented(self) -> sp.Expr:
        """``\\hat{x}``, ``\\bar x``, ``\\tilde{\\mu}``: another symbol than x (named as written)."""
        token = self.take()
        accent = ACCENTS[token.text]
        braced = self.at("sym", "{")
        if braced:
            self.take()
        letter = self.peek()
        if letter is None or not ((letter.kind == "word" and len(letter.text) == 1) or
                                  (letter.kind == "cmd" and letter.text in GREEK)):
            self.fail(f"\\{token.text} over something other than one letter is not supported", token.start,
                      self._group_end("}") if braced else (letter.end if letter else None))
        self.take()
        if braced and not self.at("sym", "}"):
            self.fail(f"\\{token.text} over something other than one letter is not supported", token.start,
                      self._group_end("}"))
        if braced:
            self.take()
        inner = letter.text if letter.kind == "word" else f"\\{letter.text}"
        return self.identifier(Token("cmd", f"\\{accent}{{{inner}}}", token.start, self.last_end()))

    def integral(self) -> sp.Expr:
        token = self.take()
        start = token.start
        if self.at("sym", "_"):
            self.take()
            if self._real_line():
                pass
            else:
                low = self.script("lower limit")
                if not self.at("sym", "^"):
                    self.fail("an integral with a lower limit needs an upper limit", start)
                self.take()
                high = self.script("upper limit")
                if (low, high) != (-sp.oo, sp.oo):
                    self.fail("only integrals over the whole real line are supported", start, self.last_end())
        self._rename_sample_differential()
        self.integral_depth += 1
        try:
            if self.at_differential():
                self.fail("an integral with nothing to integrate", start)
            body = self.expression()
        finally:
            self.integral_depth -= 1
        variable = self.differential(start)
        body, variable = self._sample_variable_renamed(body, variable)
        return integral(body, variable)

    def _rename_sample_differential(self) -> None:
        """``\\int q(z_k|x) \\frac{p(x, z_k)}{q(z_k|x)} dz_k`` under a sum over k, z the latent of the declared
        importance weights: the bound variable z_k is renamed z in the integral's tokens (when z does not occur
        there), so that it is an integral over one scalar variable."""
        latents = {latent for _, latent in self.context.weights.values()}
        indices = getattr(self, "indices", {})
        if not latents or not indices:
            return
        tokens = self.tokens
        for j in range(self.i, len(tokens)):
            token = tokens[j]
            if token.kind == "cmd" and token.text == "int":
                return  # an inner integral comes first: its own differential
            if token.kind != "word":
                continue
            if len(token.text) == 2 and token.text[0] == "d" and token.text[1] in latents:
                letter, at = token.text[1], j
            elif token.text == "d" and j + 1 < len(tokens) and tokens[j + 1].kind == "word" and \
                    tokens[j + 1].text in latents:
                letter, at = tokens[j + 1].text, j + 1
            else:
                continue
            if not (_is(tokens, at + 1, "sym", "_") and _is(tokens, at + 2, "word") and tokens[at + 2].text in indices):
                return
            index = tokens[at + 2].text
            body = range(self.i, at + 3)
            named = [m for m in body if tokens[m].kind == "word" and tokens[m].text == letter]
            if any(not (_is(tokens, m + 1, "sym", "_") and _is(tokens, m + 2, "word", index)) for m in named):
                return  # z itself, or z_j, occurs in the integral: no renaming
            drop = {m + offset for m in named for offset in (1, 2)}
            if tokens[at].text != letter:  # dz_k: the differential token keeps its letters
                drop |= {at + 1, at + 2}
            self.tokens = [t for m, t in enumerate(tokens) if m not in drop]
            return

    def _sample_variable_renamed(self, body: sp.Expr, variable: sp.Symbol) -> tuple[sp.Expr, sp.Symbol]:
        """``\\int q(z_k|x) ... dz_k`` under a sum over k: the bound z_k is renamed z (the latent the importance
        weights declare) when z is not free in the body, so that the integral is one of a scalar variable."""
        letter, _, index = variable.name.partition("_")
        latents = {latent for _, latent in self.context.weights.values()}
        if letter not in latents or index not in getattr(self, "indices", {}):
            return body, variable
        plain = self.symbol(letter)
        if plain in body.free_symbols:
            return body, variable
        return body.xreplace({variable: plain}), plain

    def _real_line(self) -> bool:
        """``\\int_{\\mathbb{R}}`` (or ``\\int_\\mathbb{R}``): the whole real line."""
        for pattern in ([("sym", "{"), ("word", "\\mathbb{R}"), ("sym", "}")], [("word", "\\mathbb{R}")]):
            if [(t.kind, t.text) for t in self.tokens[self.i:self.i + len(pattern)]] == pattern:
                self.i += len(pattern)
                return True
        return False

    def differential(self, start: int) -> sp.Symbol:
        token = self.peek()
        if token is None or token.kind != "word":
            shown = self.text(token.start, token.end) if token else "the end of the formula"
            self.fail(f"\\int without its differential (d<variable>): found {shown}", start,
                      token.end if token else None)
        self.take()
        if token.text == "d":
            if letter_of(self.peek()) is None:
                self.fail("\\int without its differential (d<variable>)", start, self.peek().end if self.peek() else None)
            name = self.variable_name()  # dz, d\mathbf{z}, dx_i, dx^{(i)}
        elif len(token.text) == 2 and token.text[0] == "d":
            name = token.text[1]
            if self.at("sym", "_"):
                name = f"{name}_{self.subscript_name()}"
            indexed = index_superscript_end(self.tokens, self.i)
            if indexed is not None:  # dx^{(i)}
                name += self._index_superscript(indexed)
                self.i = indexed
            marked = mark_end(self.tokens, self.i)
            if marked is not None:  # dx'
                name += marked[0]
                self.i = marked[1]
        else:
            self.fail("\\int without its differential (d<variable>)", start, token.end)
        if name in self.context.renamed:
            return self.context.renamed[name]
        if name in VARIABLES:
            return VARIABLES[name]
        declared = self.declared.get(name)
        if declared is not None and declared != sp.Symbol(name, real=True):
            self.fail(f"the variable of integration `{name}` is a declared parameter ({_assumptions(declared)}): "
                      "use another letter", start, self.last_end())
        return sp.Symbol(name, real=True)

    # -- words: variables, densities, functions, E, D_KL, names
    def word(self) -> sp.Expr:
        token = self.peek()
        text = token.text
        following = self.peek(1)
        if text in DENSITY_FAMILIES:
            return self.density()
        plain = bold_letter(text)
        if plain is not None:  # \mathbf{x}: the variable x (one symbol for the bold and the plain letter)
            self.take()
            return self.identifier(Token("cmd" if plain in GREEK else "word", plain, token.start, token.end))
        if text in LOG_WORDS:  # log, ln, exp, \operatorname{log}, {\rm log}: the functions
            return self.function()
        if text in ENTROPY_WORDS and following is not None and following.kind == "sym" and following.text in ("(", "["):
            entropy = self.entropy()
            if entropy is not None:
                return entropy
        if text == "E" and following is not None and following.kind == "sym" and following.text == "(" and \
                re.match(r"\\(?:mathbb|mathds|mathbf|mathrm|operatorname)\b", self.text(token.start, token.end)):
            self.fail("E(...) without a subscript: the distribution of the expectation is not named (and "
                      "\\mathbb{E} is not a function): write E_{q(z\\mid X)}[...]", token.start,
                      self._group_end(")"))
        if text in ("Var", "Cov", "\\mathbb{V}") and self._operator_bracket_after(token):  # Var[2z] is no product Var·2z
            self.fail(f"the {'covariance' if text == 'Cov' else 'variance'} operator `{self.text(token.start, token.end)}` "
                      "is not read: write it out as an expectation, E_q[(z - E_q[z])^2]", token.start, token.end)
        if text == "E" and following is not None and following.kind == "sym" and following.text in ("_", "["):
            samples = self.expectation_over_samples()
            return samples if samples is not None else self.expectation()
        if text == "D" and following is not None and following.kind == "sym" and following.text == "_":
            return self.divergence()
        if text == "KL" and following is not None and following.kind == "sym" and following.text in ("(", "["):
            self.take()
            return self.divergence_arguments(token.start)
        if text in ("N",) and following is not None and following.kind == "sym" and following.text == "(" and \
                self._gaussian_arguments(self.i + 1):
            return self.normal()
        if text in FUNCTIONS or text in ("max", "min"):
            self.fail(f"`{text}` without a backslash: write \\{text}", token.start, token.end)
        if self.integral_depth == 0 and self._differential_outside(token):
            self.fail(f"differential `{self.text(token.start, self._differential_end(token))}` outside an integral "
                      "(a derivative d/dx is not supported)", token.start, self._differential_end(token))
        if self._juxtaposed_letters(token):
            return self.word()
        return self.identifier(self.take())

    def _operator_bracket_after(self, token: Token) -> bool:
        """``\\mathrm{Var}[z]``, ``\\mathbb{V}_q[z]``, ``\\operatorname{Cov}_q(x, y)``: an operator spelled as a name, with
        its bracket (after a subscript, if any)."""
        after = script_end(self.tokens, self.i + 2) if self.at("sym", "_", 1) else self.i + 1
        return _is(self.tokens, after, "sym", "[") or (after != self.i + 1 and _is(self.tokens, after, "sym", "("))

    def _juxtaposed_letters(self, token: Token) -> bool:
        """``ab`` in math mode displays the product a·b: split a plain two-letter word into its letters (True);
        a longer word that is neither a known name nor a capitalised name (``Loss``) is refused as ambiguous.
        Names written in \\mathrm{}, \\text{}, \\operatorname{} stay names."""
        text = token.text
        if len(text) < 2 or "_" in text or self.text(token.start, token.end).startswith("\\"):
            return False
        if text in NAMED_WORDS or _CAPITALISED.fullmatch(text):
            return False
        if len(text) == 2 and text[0] == "d":
            return False  # a differential: read (or refused) as one
        if len(text) > 2:
            self.fail(f"ambiguous: `{text}` is the product {'·'.join(text)} in LaTeX: write "
                      f"{' '.join(text)} or \\cdot for a product, \\mathrm{{{text}}} for a name",
                      token.start, token.end)
        letters = [Token("word", c, token.start + k, token.start + k + 1) for k, c in enumerate(text)]
        self.tokens[self.i:self.i + 1] = letters
        self.uses.clear()
        return True

    def _differential_outside(self, token: Token) -> bool:
        if len(token.text) == 2 and token.text[0] == "d" and token.text[1].isalpha():
            return True
        return token.text == "d" and letter_of(self.peek(1)) is not None

    def _differential_end(self, token: Token) -> int:
        return token.end if token.text != "d" else self.peek(1).end

    def identifier(self, token: Token) -> sp.Expr:
        """A symbol, a function call ``f(...)``, a product ``\\lambda(1-\\lambda)``, a density ``g(x|z)``, or a
        user name."""
        if self._density_call_here(token.text):
            return self.density(token)
        name = token.text
        if self.at("sym", "_"):
            name = f"{name}_{self.subscript_name()}"
        self._font_twin_check(token, name)
        marked = mark_end(self.tokens, self.i)
        if marked is not None:
            if _is(self.tokens, marked[1], "sym", "("):
                self.fail(f"a prime or star before parentheses, `{self.text(token.start, self.tokens[marked[1] - 1].end)}"
                          f"(…)`: a derivative (f'(x)), another function, or a variable times (…)? Not read: name it",
                          token.start, self._group_end(")"))
            self.i = marked[1]
            name += marked[0]
            symbol = self.symbol(name)
            self.last_name = (name, self.i)
            return symbol
        user_name = token.kind == "word" and (len(token.text) > 1 or token.text.isupper())
        user_name = user_name or (token.kind == "cmd" and token.text == "ell" and self._opens("("))  # ℓ(x): a loss
        if user_name and name not in VARIABLES and not self._opens("("):
            return NameRef(name)
        if self._opens("("):
            if name in VARIABLES or name == "e":
                return self.symbol(name)
            of_density = self._density_argument() if user_name else None
            if of_density is not None:  # \mathcal{L}(q), \mathcal{F}(q_\phi): one name, the density is part of it
                return NameRef(f"{name}({of_density})")
            if user_name and name in self.context.sizes | self._limit_names() and \
                    self._call_content(self.i) in ("compound", "number"):
                return self.symbol(name)  # N(N - 1) with N a size (a sum's limit): a product
            if user_name:
                return NameRef(name, self.call_arguments(token.start, named=True))
            if self._is_call(name, token.start):
                return sp.Function(name)(*self.call_arguments(token.start))
            return self.symbol(name)  # a number: the parentheses that follow are a factor
        symbol = self.symbol(name)
        self.last_name = (name, self.i)
        return symbol

    def _density_argument(self) -> str | None:
        """``(q)``, ``(q_\\phi)`` after a name: the density letter (with its label) that is the name's only argument,
        as written without braces; the parentheses are taken. None (nothing taken) for any other argument."""
        j = self.i + 1
        family = density_letter_of(self.tokens[j]) if j < len(self.tokens) else None
        if family is None or not (family in DENSITY_FAMILIES or self._is_density_letter(family)):
            return None
        end = script_end(self.tokens, j + 2) if _is(self.tokens, j + 1, "sym", "_") else j + 1
        if not _is(self.tokens, end, "sym", ")"):
            return None
        written = "".join(t.text for t in self.tokens[j:end] if not (t.kind == "sym" and t.text in "{}"))
        self.i = end + 1
        return written

    def _is_call(self, name: str, start: int) -> bool:
        """Whether ``name(...)`` applies a function (True) or multiplies (False); refused when it is ambiguous."""
        content = self._call_content(self.i)
        function, number = self._uses(name)
        shown = _shown_name(name)
        if function and number:
            self.fail(f"ambiguous: `{shown}` is used both as a function ({shown}(…)) and as a number here",
                      start, self._group_end(")"))
        if number and name in self.context.prose_functions:  # the prose applies σ to x, this formula writes σ alone
            self.fail(f"ambiguous: the prose applies `{shown}` as a function and this formula also writes it alone "
                      f"as a number: write {shown}\\cdot(…) for a product or {shown}(x) everywhere", start,
                      self._group_end(")"))
        if function or content == "list" or name in self.context.prose_functions:
            return True
        if number and content == "number":  # σ(0) with σ > 0 declared: the sigmoid at 0, or σ·0?
            self.fail(f"ambiguous: `{shown}(…)` of a number may be a function value (the sigmoid σ(0)) or a product "
                      f"with the number {shown}: write {shown}\\cdot(…) for a product", start, self._group_end(")"))
        if number or content == "compound":
            return False
        self.fail(f"ambiguous: `{shown}(…)` may be a function value or a product: write {shown}\\cdot(…) for a "
                  "product, or apply it to a variable elsewhere", start, self._group_end(")"))

    def _uses(self, name: str) -> tuple[bool, bool]:
        """(used as a function, used as a number): from the declarations and from this expression (applied to
        plain variables as in ``\\mu(X)``; written alone, as λ in ``1-\\lambda``)."""
        if name not in self.uses:
            self.uses[name] = self._scan_uses(name)
        return self.uses[name]

    def _scan_uses(self, name: str) -> tuple[bool, bool]:
        base = name.split("_")[0]
        function = base in FUNCTION_LETTERS or name in self.context.functions or name in self.context.curvature
        number = name in self.context.symbols
        j = 0
        while j < len(self.tokens):
            if self.tokens[j].kind == "sym" and self.tokens[j].text == "_":
                j = self._script_end(j + 1)  # a subscript is a label, not a use
                continue
            found = self._name_at(j)
            if found is None:
                j += 1
                continue
            found_name, after = found
            if found_name == name:
                content = self._call_content(after)
                if content is None:
                    number = True
                elif content in ("variables", "list"):
                    function = True
            j = after
        return function, number

    def _name_at(self, j: int) -> tuple[str, int] | None:
        """The simple name (a letter or Greek letter with a simple subscript) at token j, and the index after."""
        token = self.tokens[j]
        letter = letter_of(token)
        if letter is None:
            return None
        if j > 0 and self.tokens[j - 1].kind == "cmd" and self.tokens[j - 1].text in ACCENTS:
            return None
        after = j + 1
        if after < len(self.tokens) and self.tokens[after].kind == "sym" and self.tokens[after].text == "_":
            end = self._script_end(after + 1)
            parts = [t.text for t in self.tokens[after + 1:end] if not (t.kind == "sym" and t.text in "{}")]
            return f"{letter}_{''.join(parts)}", end
        return letter, after

    def _script_end(self, j: int) -> int:
        """The index after the script (one token or a braced group) starting at token j."""
        return script_end(self.tokens, j)

    def _call_content(self, j: int) -> str | None:
        """What the parentheses at token j hold: "variables" (one plain variable), "list" (several arguments),
        "number" (one number), "compound"; None when token j does not open parentheses."""
        if not (j < len(self.tokens) and self.tokens[j].kind == "sym" and self.tokens[j].text == "("):
            return None
        depth, parts, current = 0, [], []
        for k in range(j, len(self.tokens)):
            token = self.tokens[k]
            if token.kind == "sym" and token.text in ("(", "[", "{", "\\{"):
                depth += 1
                if depth == 1:
                    continue
            elif token.kind == "sym" and token.text in (")", "]", "}", "\\}"):
                depth -= 1
                if depth == 0:
                    break
            if depth == 1 and token.kind == "sym" and token.text == ",":
                parts.append(current)
                current = []
                continue
            current.append(token)
        parts.append(current)
        if len(parts) > 1:
            return "list"
        (only,) = parts
        if only and variable_end(only, 0) == len(only):  # x, \mathbf{x}, x_i, x^{(i)}
            return "variables"
        if len(only) == 1 and only[0].kind == "num" or (len(only) == 2 and only[0].text == "-" and
                                                        only[1].kind == "num"):
            return "number"
        return "compound"

    def _opens(self, which: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token.kind == "sym" and token.text in ((which,) if which else ("(", "["))

    def call_arguments(self, start: int, named: bool = False) -> list[sp.Expr]:
        """The arguments of ``f(a, b)``; a named quantity's may be split by ``;`` too, ``\\mathcal{L}(\\theta,
        \\phi; x)`` (parameters; data): the same arguments, in order."""
        self.take()  # (
        arguments = [self.expression()]
        while self.at("sym", ",") or (named and self.at("sym", ";")):
            self.take()
            arguments.append(self.expression())
        if self.at("mid"):
            self.fail("`\\mid` in the arguments of a function that is not a density (p or q)", start,
                      self._group_end(")"))
        self.expect("sym", ")", "to close the arguments", start)
        return arguments

    def symbol(self, name: str) -> sp.Expr:
        """A real symbol, with more assumptions only where the document declares them."""
        if name in self.context.renamed:
            return self.context.renamed[name]
        if name in VARIABLES:
            return VARIABLES[name]
        if name == "e" and "e" not in self.context.own_constants:
            return sp.E
        if name in self.context.bounded:
            return self.context.bounded[name]
        declared = self.declared.get(name)
        if declared is None:
            declared = self._instance_sign(name)
        return declared if declared is not None else sp.Symbol(name, real=True)

    def _instance_sign(self, name: str) -> sp.Symbol | None:
        """``w_1`` where the document declares the sign of ``w_k`` (each weight w_k > 0, for every k): the sign of
        the letter indexed by a one-letter index holds for each of its numbered instances; None otherwise."""
        numbered = re.fullmatch(r"(.+)_\{?(\d+)\}?", name)
        if numbered is None:
            return None
        keys = [key for key in self.declared if re.fullmatch(re.escape(numbered.group(1)) + r"_\{?[a-z]\}?", key)]
        if len(keys) != 1:
            return None
        covered = self.context.index_ranges.get(keys[0], sp.S.Integers)  # a_i > 0 for i = 1, 2: not a_3
        if covered.contains(int(numbered.group(2))) is not sp.true:
            return None
        signs = [self.declared[keys[0]]]
        assumptions = {k: v for k, v in signs[0].assumptions0.items() if k in ("positive", "negative", "nonnegative",
                                                                               "nonpositive", "nonzero")}
        return sp.Symbol(name, real=True, **assumptions) if assumptions else None

    # -- densities by letter: the rule of CONVENTIONAL_DENSITIES
    def _density_call_here(self, family: str) -> bool:
        """Whether the letter just read (``family``) starts a density: applied to variables (a label
        ``_\\theta`` first), and a density letter by convention, declaration or this formula's usage."""
        if not (len(family) == 1 or family in GREEK or family == "pi") or family in self.context.curvature:
            return False
        after = self.i
        if self.at("sym", "_"):
            after = script_end(self.tokens, self.i + 1)
        marked = mark_end(self.tokens, after)
        if marked is not None and marked[0] == "*":  # q^*(z), q_j^*(z_j)
            after = marked[1]
        return density_call_end(self.tokens, after) is not None and self._is_density_letter(family)

    def _is_density_letter(self, family: str) -> bool:
        return family in CONVENTIONAL_DENSITIES or family in self.context.density_letters or \
            family in self.density_usage()

    def density_usage(self) -> set[str]:
        """The letters this formula uses as densities: with a bar in their parentheses (``g(x|z)``), as the
        subscript of E (``E_g``, ``E_{g(z)}``, ``E_{z \\sim g}``), after ``\\sim``, or as an argument of KL."""
        if self._density_usage is None:
            self._density_usage = {letter for j, letter in enumerate(map(density_letter_of, self.tokens))
                                   if letter is not None and self._used_as_density(j)}
        return self._density_usage

    def _used_as_density(self, j: int) -> bool:
        tokens = self.tokens
        after = script_end(tokens, j + 2) if _is(tokens, j + 1, "sym", "_") else j + 1
        if _is(tokens, after, "rel", "~"):
            return False  # x of x \sim g, E_{x \sim g}: the sampled variable, not a density
        end = density_call_end(tokens, after)
        if end is not None and any(t.kind == "mid" or (t.kind, t.text) == ("sym", ";") for t in tokens[after:end]):
            return True  # g(x | z), f(x; \mu, \sigma)
        before = [(t.kind, t.text) for t in tokens[max(0, j - 3):j]]
        if before[-1:] == [("par", "||")] or before[-1:] == [("rel", "~")]:
            return True
        if before[-2:] == [("word", "E"), ("sym", "_")] or before == [("word", "E"), ("sym", "_"), ("sym", "{")]:
            return True
        opens_kl = before[-1:] in ([("sym", "(")], [("sym", "[")]) and (
            before[-2:-1] == [("word", "KL")] or before[-3:-1] == [("word", "KL"), ("sym", "}")])
        return opens_kl

    def density(self, token: Token | None = None) -> sp.Expr:
        """``p(x)``, ``q_\\phi(z | x)``, ``p(x; \\theta)`` (θ after the semicolon is the label, as p_θ(x)), a bare
        ``p``; ``token`` is the letter when the caller has read it."""
        token = token or self.take()
        start, family = token.start, (density_letter_of(token) or token.text)
        label = ""
        if self.at("sym", "_"):
            label = self.subscript_name()
        marked = mark_end(self.tokens, self.i)
        if marked is not None and marked[0] == "*":  # q^*(z): the optimal q, another density than q
            label, self.i = label + "*", marked[1]
        elif marked is not None:
            self.fail(f"a prime on the density letter {family} (`{self.text(start, self.tokens[marked[1] - 1].end)}`): "
                      "its derivative, or another density? Not read: name it", start, self.tokens[marked[1] - 1].end)
        if not self._opens("("):
            return self.bare_density(family, label)
        opened = self.i
        try:
            return self._density_of_variables(family, label, start)
        except Unparsed as error:
            if error.reason != "the arguments of a density must be variables":
                raise
            at_point = self._density_at_point(family, label, opened)
            if at_point is None:
                raise
            return at_point

    def _density_at_point(self, family: str, label: str, opened: int) -> sp.Expr | None:
        """``p(x, \\mu + \\sigma\\epsilon)``, ``p_\\theta(x | g_\\phi(\\epsilon, x))``: the density p(x, z) (p_θ(x|z)) the document
        (or this formula) writes, at z = μ + σε; None unless exactly one density of that name and shape, with the
        variables written here in their places, is written (its variables name the places: at most one point
        before the bar and one after it)."""
        end = self._matching(opened)
        if end is None or any((t.kind, t.text) == ("sym", ";") for t in self.tokens[opened:end]):
            return None
        saved = self.i
        pieces, depth = [[[]]], 0  # the arguments' tokens, split at the top-level commas and the bar
        for token in self.tokens[opened + 1:end]:
            if token.kind == "sym" and token.text in OPEN:
                depth += 1
            elif token.kind == "sym" and token.text in OPEN.values():
                depth -= 1
            if depth == 0 and token.kind == "mid" and token.text in ("|", "\\mid") and len(pieces) == 1:
                pieces.append([[]])
            elif depth == 0 and (token.kind, token.text) == ("sym", ","):
                pieces[-1].append([])
            else:
                pieces[-1][-1].append(token)
        try:
            parts = [[Parser(tokens, self.source, self.context, self.base).parse() for tokens in part]
                     for part in pieces]
        except (Unparsed, IndexError):
            return None
        variables, given = parts[0], (parts[1] if len(parts) > 1 else [])
        written = set(self.context.written_densities.get((family, label), set()))
        written |= {d for d in set(self.written_densities()) | self.context.formula_densities
                    if (d.family, d.label) == (family, label)}

        def places(arguments: list, of: tuple) -> dict | None:
            named = [a for a in arguments if isinstance(a, sp.Symbol)]
            points = [a for a in arguments if not isinstance(a, sp.Symbol)]
            left = set(of) - set(named)
            if len(of) != len(arguments) or len(set(named)) != len(named) or not set(named) <= set(of) \
                    or len(points) > 1 or len(left) != len(points):
                return None
            return {next(iter(left)): points[0]} if points else {}

        fits = [(d, places(variables, d.variables), places(given, d.given)) for d in written]
        fits = [(d, {**v, **g}) for d, v, g in fits if v is not None and g is not None and (v or g)]
        if len(fits) != 1:
            self.i = saved
            return None
        (template, points), = fits
        self.i = end + 1
        if any(point.has(Density, Normal, BareDensity, NameRef, sp.Integral, KL, Expectation) for point in points.values()):
            self.fail("a density at a point that is not a formula of numbers and variables", self.tokens[opened].start,
                      self.last_end())
        at_point = template.subs(points, simultaneous=True)
        self.context.points[at_point] = (template, points)
        return at_point

    def _density_of_variables(self, family: str, label: str, start: int) -> sp.Expr:
        self.take()
        variables, given = [self.density_variable(start)], []
        while self.at("sym", ","):
            self.take()
            variables.append(self.density_variable(start))
        if self.at("mid"):
            self.take()
            given.append(self.density_variable(start))
            while self.at("sym", ","):
                self.take()
                given.append(self.density_variable(start))
        if self.at("sym", ";"):
            if label:
                self.fail("a density with a label and parameters after `;`: write one of them", start,
                          self._group_end(")"))
            label = self.density_parameters(start)
        if self.peek() is not None and not self.at("sym", ")"):
            self.fail("the arguments of a density must be variables", start, self._group_end(")"))
        self.expect("sym", ")", "to close the density", start)
        if len(set(variables) | set(given)) != len(variables) + len(given):
            self.fail("a variable appears twice in a density", start, self.last_end())
        declared = self.context.densities.get((family, label))
        if declared is not None and not given and tuple(variables) == declared[0].variables:
            return declared[1]
        return Density(family, variables, given, label)

    def bare_density(self, family: str, label: str) -> sp.Expr:
        """``q`` without arguments (``E_q``, ``KL(q \\| p)``): the one density of that name the document wrote
        before, when this formula writes none and no declaration names it; otherwise a BareDensity, which the
        checker resolves from the formula (or refuses)."""
        written = self.context.written_densities.get((family, label), set())
        if len(written) != 1 or (family, label) in self.context.densities or self._writes_density_of(family):
            return BareDensity(family, label)
        return next(iter(written))

    def _writes_density_of(self, family: str) -> bool:
        for j, token in enumerate(self.tokens):
            if density_letter_of(token) == family:
                after = script_end(self.tokens, j + 2) if _is(self.tokens, j + 1, "sym", "_") else j + 1
                if density_call_end(self.tokens, after) is not None:
                    return True
        return False

    def written_densities(self) -> list[sp.Expr]:
        """The densities this formula writes with their arguments (``q(z|x)``, ``g_\\psi(x)``)."""
        found = []
        for j, token in enumerate(self.tokens):
            family = density_letter_of(token)
            if family is None or not (family in DENSITY_FAMILIES or self._is_density_letter(family)):
                continue
            after = script_end(self.tokens, j + 2) if _is(self.tokens, j + 1, "sym", "_") else j + 1
            end = density_call_end(self.tokens, after)
            if end is None:
                continue
            reader = Parser(self.tokens[j:end], self.source, self.context, self.base)
            reader.i = 1  # after the letter
            try:
                density = reader.density(self.tokens[j])
            except Unparsed:
                continue
            if isinstance(density, Density):
                found.append(density)
        return found

    def density_variable(self, start: int) -> sp.Symbol:
        if variable_end(self.tokens, self.i) is None:
            self.fail("the arguments of a density must be variables", start, self._group_end(")"))
        return self.symbol(self.variable_name())

    def variable_name(self) -> str:
        """A variable as written: ``x``, ``\\mathbf{x}`` (x), ``x_i``, ``z_{1:T}``, ``x^{(i)}``."""
        token = self.take()
        name = letter_of(token)
        if self.at("sym", "_"):
            subscript = self.subscript_name()
            if name in self.context.data_points and subscript in getattr(self, "indices", {}):
                return f"{name}^{{({subscript})}}"  # x_i under Σ_i of the declared data points x_1, ..., x_N
            name = f"{name}_{subscript}"
        if re.sub(r"[{}\s\\]", "", name) in self._formula_font_twins():
            self._font_twin_check(token, name)  # E_{\mathbf{x}}[x]: the formula writes both forms
        indexed = index_superscript_end(self.tokens, self.i)
        if indexed is not None:
            name += self._index_superscript(indexed)
            self.i = indexed
        marked = mark_end(self.tokens, self.i)
        if marked is not None:
            name += marked[0]
            self.i = marked[1]
        return name

    def density_parameters(self, start: int) -> str:
        """The names after the semicolon of ``p(x; \\theta)``, ``f(x; \\mu, \\sigma)``: the density's label."""
        self.take()  # ;
        names = []
        while True:
            if variable_end(self.tokens, self.i) is None:
                self.fail("the parameters after `;` in a density must be names", start, self._group_end(")"))
            names.append(self.variable_name())
            if not self.at("sym", ","):
                return ",".join(names)
            self.take()

    def expectation(self) -> sp.Expr:
        token = self.take()
        start = token.start
        if self.at("sym", "["):
            end = self._group_end("]")
            self.fail("E[...] without a subscript: the distribution of the expectation is not named "
                      "(write E_{q(z\\mid X)}[...])", start, end)
        self.take()  # _
        self.sample = None
        density = self.subscript_density(start)
        sample, self.sample = self.sample, None
        if sample is not None:
            return self._over_sample(density, sample, start)
        powered = self._powered_parentheses()
        if powered == "ambiguous":
            self.fail("ambiguous: E_q(z)^2 may be (E_q[z])^2 or E_q[z^2]: write E_q[z]^2 or E_q[z^2]", start,
                      self._factor_end())
        if powered is None and (self.at("sym", "[") or self.at("sym", "(") or self.at("sym", "\\{")):
            opening = self.take().text
            body = self.expression()
            self.expect("sym", OPEN[opening], "to close E[...]", start)
            return nested_expectation(density, body)
        if self.peek() is None or not self.starts_factor():
            self.fail("E_{...} without its argument: write E_{q}[...]", start)
        with self.nested():  # E_q \log p(x|z), E_{p(x)} E_{q(z|x)}[...]: the argument runs to the next + or −
            body = self.term()
        return nested_expectation(density, body)

    def _over_sample(self, density: sp.Expr, sample: tuple, start: int) -> sp.Expr:
        """``E_{z_k \\sim q(z|x)}[f(z_k)]``: z_k is one draw from q(z|x), so this is E_{q(z|x)}[f(z)]; refused where
        the body also writes z itself (is it another draw, or the same?)."""
        drawn, variable = sample
        if not (self.at("sym", "[") or self.at("sym", "(")):
            self.fail(f"E_{{{drawn} \\sim ...}} without brackets: write E_{{{drawn} \\sim q}}[...]", start)
        opening = self.take().text
        body = self.expression()
        self.expect("sym", OPEN[opening], "to close E[...]", start)
        if variable in body.free_symbols:
            self.fail(f"the expectation over the draw {drawn} of {variable} also writes {variable} itself: is it "
                      f"the same draw or another?", start, self.last_end())
        index = drawn.name[len(variable.name):]
        others = sorted(s.name for s in body.free_symbols if s != drawn and s.name.endswith(index))
        if others or body.atoms(NameRef):  # w_k := p(x, z_k)/q(z_k|x): it depends on the draw without writing it
            self.fail(f"the expectation over the draw {drawn} uses {', '.join(others) or 'a named quantity'}, which "
                      f"may depend on {drawn} without writing it", start, self.last_end())
        return Expectation(density, body.xreplace({drawn: variable}))

    def _powered_parentheses(self) -> str | None:
        """After ``E_q``: "factor" when parentheses around a compound expression carry a power (``E_q(z - \\mu)^2``
        is E_q[(z − μ)²], the variance as textbooks write it), "ambiguous" when they hold one variable or
        number (``E_q(z)^2``: (E_q z)² or E_q[z²]), None otherwise (the parentheses are the operator's own)."""
        closing = self._matching(self.i) if self.at("sym", "(") else None
        if closing is None or not _is(self.tokens, closing + 1, "sym", "^"):
            return None
        return "ambiguous" if self._call_content(self.i) in ("variables", "number") else "factor"

    def expectation_over_samples(self) -> sp.Expr | None:
        """``E_{z_1, \\dots, z_K \\sim q(z|x)}[...]`` (see sample_subscript), or None with nothing taken."""
        saved = self.i
        start = self.take().start
        if not self.at("sym", "_"):
            self.i = saved
            return None
        self.take()
        number = self.sample_subscript(start)
        if number is None:
            self.i = saved
            return None
        return self.sample_expectation(number, start)

    def sample_subscript(self, start: int) -> sp.Expr | None:
        """``_{z_1, \\dots, z_K \\sim q(z|x)}``, ``_{z_{1:K} \\sim q(z|x)}``, ``_{z_{1:K}}``, ``_{z_k \\sim q(z|x)}``: the
        expectation over the i.i.d. samples z_1..z_K (or z_1..z_k) of the encoder of the importance weights the
        document defines (Context.weights); their number K (k), the tokens taken. None (nothing taken) otherwise."""
        if not self.context.weights or not self.at("sym", "{"):
            return None
        latents = {latent: data for data, latent in self.context.weights.values()}
        saved = self.i
        self.take()
        count = self._sample_list(latents)
        if count is None:
            self.i = saved
            return None
        latent, number = count
        if self.at("rel", "~"):
            self.take()
            encoder = self.distribution()[0]
            expected = Density("q", [self.symbol(latent)], [self.symbol(latents[latent])], "")
            if encoder != expected:
                self.fail(f"the samples are drawn from {sp.sstr(encoder)}, not from the encoder {sp.sstr(expected)} "
                          "of the importance weights", start, self.last_end())
        self.expect("sym", "}", "to close the subscript of E", start)
        return number

    def _sample_list(self, latents: dict) -> tuple[str, sp.Expr] | None:
        """``z_1, \\dots, z_K``, ``z_{1:K}``, ``\\{z_k\\}_{k=1}^K``, ``z_k`` (k an index of an enclosing sum):
        (latent, number of samples)."""
        product = self._sample_product(latents) or self._sample_set(latents)
        if product is not None:
            return product
        letter = letter_of(self.peek())
        if letter not in latents or not self.at("sym", "_", 1):
            return None
        first_end = script_end(self.tokens, self.i + 2)
        first = [t for t in self.tokens[self.i + 2:first_end] if not (t.kind == "sym" and t.text in "{}")]
        if [(t.kind, t.text) for t in first[:2]] == [("num", "1"), ("sym", ":")] and len(first) > 2:
            number = self._sample_count(first[2:])  # z_{1:K}
            self.i = first_end
            return (letter, number) if number is not None else None
        if [(t.kind, t.text) for t in first] == [("num", "1")] and _is(self.tokens, first_end, "sym", ","):
            j = first_end + 1  # z_1, \dots, z_K
            if not (j < len(self.tokens) and self.tokens[j].kind == "cmd" and self.tokens[j].text in
                    ("dots", "ldots", "cdots") and _is(self.tokens, j + 1, "sym", ",")):
                return None
            j += 2
            if letter_of(self.tokens[j] if j < len(self.tokens) else None) != letter or not _is(self.tokens, j + 1, "sym", "_"):
                return None
            last_end = script_end(self.tokens, j + 2)
            number = self._sample_count([t for t in self.tokens[j + 2:last_end] if not (t.kind == "sym" and t.text in "{}")])
            self.i = last_end
            return (letter, number) if number is not None else None
        indices = getattr(self, "indices", {})
        if len(first) == 1 and first[0].kind == "word" and first[0].text in indices:  # z_k under a sum over k
            self.i = first_end
            return letter, indices[first[0].text]
        return None

    def _sample_set(self, latents: dict) -> tuple[str, sp.Expr] | None:
        """``\\{z_k\\}_{k=1}^K``: the samples z_1..z_K written as a set; (latent, number of samples) or None."""
        if not self.at("sym", "\\{") or letter_of(self.peek(1)) not in latents or not self.at("sym", "_", 2):
            return None
        letter = letter_of(self.peek(1))
        index_end = script_end(self.tokens, self.i + 3)
        index = _unbraced(self.tokens[self.i + 3:index_end])
        if len(index) != 1 or index[0].kind != "word" or not (_is(self.tokens, index_end, "sym", "\\}")
                                                             and _is(self.tokens, index_end + 1, "sym", "_")):
            return None
        lower_end = script_end(self.tokens, index_end + 2)
        lower = [(t.kind, t.text) for t in _unbraced(self.tokens[index_end + 2:lower_end])]
        if lower != [("word", index[0].text), ("rel", "="), ("num", "1")] or not _is(self.tokens, lower_end, "sym", "^"):
            return None
        upper_end = script_end(self.tokens, lower_end + 1)
        number = self._sample_count(_unbraced(self.tokens[lower_end + 1:upper_end]))
        if number is None:
            return None
        self.i = upper_end
        return letter, number

    def _sample_product(self, latents: dict) -> tuple[str, sp.Expr] | None:
        """``q(z_1|x) \\cdots q(z_K|x)`` (or ``q(z_1) \\cdots q(z_K)``): the joint density of the samples; the
        latent and the number of samples, the tokens taken (up to the closing brace), or None."""
        first = self._sample_factor(self.i, latents)
        if first is None or first[1] != [("num", "1")]:
            return None
        letter, _, after = first
        if not (after < len(self.tokens) and self.tokens[after].kind == "cmd" and
                self.tokens[after].text in ("cdots", "dots", "ldots")):
            return None
        last = self._sample_factor(after + 1, latents)
        if last is None or last[0] != letter or not _is(self.tokens, last[2], "sym", "}"):
            return None
        number = self._sample_count([Token(kind, text, 0, 0) for kind, text in last[1]])
        if number is None:
            return None
        self.i = last[2]
        return letter, number

    def _sample_factor(self, j: int, latents: dict):
        """``q(z_n | x)`` at token j, with x the data of the weights: (latent, the index tokens, index after)."""
        if not (_is(self.tokens, j, "word", "q") and _is(self.tokens, j + 1, "sym", "(")):
            return None
        letter = letter_of(self.tokens[j + 2] if j + 2 < len(self.tokens) else None)
        if letter not in latents or not _is(self.tokens, j + 3, "sym", "_"):
            return None
        end = script_end(self.tokens, j + 4)
        index = [(t.kind, t.text) for t in self.tokens[j + 4:end] if not (t.kind == "sym" and t.text in "{}")]
        if _is(self.tokens, end, "mid"):
            data_end = variable_end(self.tokens, end + 1)
            if data_end is None or self.text(self.tokens[end + 1].start, self.tokens[data_end - 1].end).strip() != \
                    latents[letter]:
                return None
            end = data_end
        if not _is(self.tokens, end, "sym", ")"):
            return None
        return letter, index, end + 1

    def _sample_count(self, tokens: list[Token]) -> sp.Expr | None:
        """The number of samples: a whole number, a size K, K + 1 (sizes are positive integers)."""
        from mathcheck.audit.matrix_reader import dimension
        try:
            number = Parser(tokens, self.source, Context(), self.base).expression()
        except (Unparsed, IndexError):
            return None
        sizes = {s: dimension(s.name) for s in number.free_symbols}
        sizes.update({ref: dimension(ref.name) for ref in number.atoms(NameRef) if not ref.arguments})  # K
        number = number.xreplace(sizes)
        return number if number.is_integer and number.is_positive else None

    def sample_expectation(self, number: sp.Expr, start: int) -> sp.Expr:
        """E over the samples z_1..z_n of a body written in the importance weights w_k: the sums engine's
        SampleExpectation (mathcheck/sums.py), the weights as its WEIGHTS[k]."""
        from mathcheck.sums import SampleExpectation
        if not (self.at("sym", "[") or self.at("sym", "(")):
            self.fail("an expectation over samples needs its argument in brackets: E_{z_1, \\dots, z_K}[...]", start)
        powered = self._powered_parentheses()
        if powered == "ambiguous":
            self.fail("ambiguous: E_q(w_1)^2 may be (E_q[w_1])^2 or E_q[w_1^2]: write E_q[w_1]^2 or E_q[w_1^2]",
                      start, self._factor_end())
        if powered == "factor":  # E(w_1 - w_2)^2 is E[(w_1 - w_2)^2]
            with self.nested():
                body = self.term()
        else:
            opening = self.take().text
            self.in_samples, outer = True, self.in_samples
            try:
                body = self.expression()
            finally:
                self.in_samples = outer
            self.expect("sym", OPEN[opening], "to close E[...]", start)
        body = self.in_weights(self._sizes_named(body, number))
        latents = {latent for _, latent in self.context.weights.values()}
        from mathcheck.sums import WEIGHTS
        stray = sorted(sp.sstr(v) for v in body.free_symbols if isinstance(v, sp.Symbol) and v != WEIGHTS.label and
                       v.name.partition("_")[0] in latents | set(self.context.weights))
        if stray or body.has(Density, Normal, BareDensity, NameRef, sp.Integral, KL, Expectation):
            self.fail("an expectation over samples is read only for a body written in the importance weights "
                      "(w_k) and constants" + (f", not in {', '.join(stray)}" if stray else ""), start, self.last_end())
        if number in getattr(self, "indices", {}).values():  # E_{z_k ~ q}[f(w_k)]: one sample, the law of z_1
            from mathcheck.sums import WEIGHTS
            others = {node for node in body.atoms(sp.Indexed) if node.base == WEIGHTS} - {WEIGHTS[number]}
            if others or number in body.xreplace({WEIGHTS[number]: WEIGHTS[1]}).free_symbols:
                self.fail(f"an expectation over the one sample z_{number} of a body that uses other samples or "
                          f"{number} itself is not read", start, self.last_end())
            return SampleExpectation(body.xreplace({WEIGHTS[number]: WEIGHTS[1]}), 1)
        return SampleExpectation(body, number)

    @staticmethod
    def _sizes_named(body: sp.Expr, number: sp.Expr) -> sp.Expr:
        """The sizes (K of the number of samples, of the limits of the sums) where the body writes them as names."""
        from mathcheck.audit.matrix_reader import dimension
        sizes = {s.name for s in number.free_symbols}
        for node in body.atoms(sp.Sum, sp.Product):
            sizes |= {s.name for limit in node.limits for s in limit[1:] for s in sp.sympify(s).free_symbols}
        mapping = {ref: dimension(ref.name) for ref in body.atoms(NameRef) if not ref.arguments and ref.name in sizes}
        return body.xreplace(mapping) if mapping else body

    def in_weights(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with the components w[k] of the declared importance weights as the sums engine's WEIGHTS[k]."""
        from mathcheck.audit.matrix_reader import dimension
        from mathcheck.sums import WEIGHTS
        mapping = {node: WEIGHTS[node.indices[0]] for node in expr.atoms(sp.Indexed)
                   if node.base.label.name in self.context.weights and len(node.indices) == 1}
        for symbol in expr.atoms(sp.Symbol):  # w_1, w_K written outside a sum
            letter, _, index = symbol.name.partition("_")
            if letter in self.context.weights and (index.isdigit() and index != "0" or index.isupper()):
                mapping[symbol] = WEIGHTS[dimension(index)]
        return expr.xreplace(mapping) if mapping else expr

    def subscript_density(self, start: int) -> sp.Expr:
        """``E_{q(z|X)}``, ``E_q``, ``E_{z \\sim q(z|X)}``, ``E_{\\epsilon \\sim N(0, 1)}``: the density, with the
        variable named before ``\\sim`` checked against it (or given to an N(mean, variance))."""
        bound = None
        if self.at("sym", "{"):
            self.take()
            end = variable_end(self.tokens, self.i)
            if end is not None and _is(self.tokens, end, "rel", "~"):
                bound = self.symbol(self.variable_name())
                self.take()
            inner, implicit = self.distribution()
            self.expect("sym", "}", "to close the subscript of E", start)
        elif density_letter_of(self.peek()) is not None and not self.at("sym", "_", 1):
            letter = self.take()  # E_q, E_\pi: the density named by its letter
            inner, implicit = self.bare_density(density_letter_of(letter), ""), None
        else:
            inner, implicit = self.atom(), None
        if implicit is not None:
            if bound is None:
                self.fail("E_{N(mean, variance)} does not name its variable: write E_{z \\sim N(mean, variance)}",
                          start, self.last_end())
            inner = self._normal(bound, *implicit)
        elif bound is not None:
            variables = getattr(inner, "variables", None)
            if isinstance(inner, BareDensity):
                declared = self.context.densities.get((inner.family, inner.label))
                variables = declared[0].variables if declared else (bound,)
            if variables is not None and len(variables) == 1 and _sample_of(bound, variables[0]):
                self.sample = (bound, variables[0])  # E_{z_k \sim q(z|x)}[f(z_k)]: one draw z_k of z, E_q[f(z)]
            elif variables is not None and tuple(variables) != (bound,):
                self.fail(f"the variable before \\sim ({sp.sstr(bound)}) is not the variable of the density",
                          start, self.last_end())
        if bound is None and joint_order(inner) is not None:
            return inner  # E_{p(x) q(z|x)}: the joint law, read as nested expectations (expectation())
        factors = sp.Mul.make_args(inner)
        if len(factors) > 1 and all(isinstance(f, (Density, Normal)) for f in factors):
            self.fail("a joint law written as a product of densities is read where each one's condition is the "
                      "variable of one before it (p(x) q(z|x)), each variable drawn once: not so here",
                      start, self.last_end())
        if not isinstance(inner, self._distributions()):
            self.fail("the subscript of E must be a density such as q(z\\mid X)", start, self.last_end())
        return inner

    def _at_simple_variable(self) -> bool:
        token = self.peek()
        return token is not None and ((token.kind == "word" and len(token.text) == 1) or
                                      (token.kind == "cmd" and token.text in GREEK))

    def divergence(self) -> sp.Expr:
        token = self.take()
        name = f"D_{self.subscript_name()}"
        if name != "D_KL":
            return self.identifier_tail(token, name)
        if self._opens():
            return self.divergence_arguments(token.start)
        return NameRef("D_{KL}")

    def _font_twin_check(self, token: Token, name: str) -> None:
        """Refuse to read x and \\mathbf{x} as one name where a step's truth could hang on it (issue 11: they are
        one name only where the document never tells them apart): when this formula writes both, when the
        document tells them apart (each declared on its own, or called distinct), or when the declaration of the
        name is written in the other form (a sign stated for z says nothing of \\mathbf{z})."""
        key = re.sub(r"[{}\s\\]", "", name)
        forms = self.context.font_twins.get(key)
        here = key in self._formula_font_twins()
        if forms is None and not here:
            return
        bold = _BOLD_WRITTEN_NAME.search(self.text(token.start, token.end)) is not None
        plain_shown, bold_shown = _twin_shown(name)
        one_name = f"{plain_shown} and {bold_shown} are read as one name"
        if bold and here:
            self.fail(f"{one_name}, and this formula writes both: name them apart or write one form",
                      token.start, token.end)
        if bold and APART in forms:
            self.fail(f"{one_name}, but the document tells them apart: write another letter for one of them",
                      token.start, token.end)
        if name in self.declared or name in self.context.symbols or name in self.context.bounded:
            note = self.context.notes.get(("symbol", name), "")
            written_bold, written_plain = written_font_names(note)
            other = key in (written_plain if bold else written_bold) and key not in (written_bold if bold else
                                                                                   written_plain)
            if other or (bold and not note):
                self.fail(f"{one_name}, but the document declares {plain_shown if bold else bold_shown} "
                          f"({note or 'in its prose'}), not {bold_shown if bold else plain_shown}: declare the "
                          "form the formula writes", token.start, token.end)

    def _formula_font_twins(self) -> set:
        """The names this formula writes both plain and bold."""
        if not hasattr(self, "_font_twins_here"):
            bold, plain = written_font_names(self.text(self.tokens[0].start, self.tokens[-1].end) if self.tokens else "")
            self._font_twins_here = (bold & plain) | self.context.formula_font_twins
        return self._font_twins_here

    def identifier_tail(self, token: Token, name: str) -> sp.Expr:
        if self._opens("("):
            return NameRef(name, self.call_arguments(token.start, named=True))
        return NameRef(name)

    def divergence_arguments(self, start: int) -> sp.Expr:
        opening = self.take().text
        closing = OPEN[opening]
        first, first_implicit = self.distribution()
        if not (self.at("par") or self.at("sym", ";")):  # (a \| b), (a \parallel b), (a ; b)
            self.fail("expected `||` between the two distributions of D_{KL}", start, self._group_end(closing))
        self.take()
        second, second_implicit = self.distribution()
        if not self.at("sym", closing):
            found = self.peek()
            shown = f"unexpected `{self.text(found.start, found.end)}` before `{closing}`" if found else \
                f"`{closing}` missing"
            self.fail(f"cannot read D_{{KL}}{opening}...{closing}: {shown}", start, self._group_end(closing))
        self.take()
        first, second = self._bind_normals(first, first_implicit, second, second_implicit, start)
        for argument in (first, second):
            if not isinstance(argument, self._distributions()):
                self.fail("the arguments of D_{KL} must be densities or N(mean, variance)", start, self.last_end())
        return KL(first, second)

    def _bind_normals(self, first, first_implicit, second, second_implicit, start: int):
        """An N(mean, variance) without its variable, next to a density of z, is a density of z too."""
        if first_implicit is None and second_implicit is None:
            return first, second
        if first_implicit is not None and second_implicit is not None:
            used = set().union(*(sp.sympify(e).free_symbols for e in first_implicit[:2] + second_implicit[:2]))
            variable = next((v for v in (x, z) if v not in used), None)
            if variable is None:
                self.fail("cannot name the variable of these N(mean, variance): write N(v; mean, variance)",
                          start, self.last_end())
            return self._normal(variable, *first_implicit), self._normal(variable, *second_implicit)
        partner = second if first_implicit is not None else first
        variables = getattr(partner, "variables", None)
        if isinstance(partner, BareDensity):
            declared = self.context.densities.get((partner.family, partner.label))
            variables = declared[0].variables if declared else None
        if variables is None or len(variables) != 1:
            self.fail("the variable of N(mean, variance) cannot be told from the other distribution: write "
                      "N(v; mean, variance)", start, self.last_end())
        (variable,) = variables
        if first_implicit is not None:
            return self._normal(variable, *first_implicit), second
        return first, self._normal(variable, *second_implicit)

    def distribution(self) -> tuple[sp.Expr | None, tuple | None]:
        """An argument of D_{KL} or the subscript of E: (expression, None), or (None, (mean, variance, start,
        end)) for an N(mean, variance) whose variable the caller names."""
        placed = self._density_in_place()
        if placed is not None:
            return placed, None
        if self.at("word", "N") and self.at("sym", "(", 1):
            saved = self.i
            variable, mean, variance, start, end = self.normal_parts()
            if self.peek() is None or self.at("par") or (self.peek().kind == "sym" and self.peek().text in
                                                         (")", "]", "}", "\\}")):
                if variable is None:
                    return None, (mean, variance, start, end)
                return self._normal(variable, mean, variance, start, end), None
            self.i = saved
        return self.expression(), None

    def _density_in_place(self) -> sp.Expr | None:
        """In the place of a density (an argument of KL, the subscript of E) a letter is a density: ``f``,
        ``g_\\psi``, ``r(z)``, ``\\pi_\\theta(a|s)`` written alone up to the next ``\\|``, ``;`` or closing bracket."""
        token = self.peek()
        if density_letter_of(token) is None or (token.kind == "word" and token.text in ("N", "E")):
            return None
        after = script_end(self.tokens, self.i + 2) if self.at("sym", "_", 1) else self.i + 1
        call = density_call_end(self.tokens, after)
        end = call if call is not None else after
        if end < len(self.tokens) and not (self.tokens[end].kind == "par" or (
                self.tokens[end].kind == "sym" and self.tokens[end].text in _DISTRIBUTION_END)):
            return None
        if call is None and _is(self.tokens, after, "sym", "("):
            return None  # p(x + 1): not a density of variables, refused by the density reading
        return self.density(self.take())

    def _limit_names(self) -> set[str]:
        """The names written as the upper limit of a \\sum or \\prod of these tokens (N of \\sum_{i=1}^{N}): sizes."""
        tokens, names = self.tokens, set()
        for j, token in enumerate(tokens):
            if token.kind != "cmd" or token.text not in ("sum", "prod"):
                continue
            k = script_end(tokens, j + 2) if _is(tokens, j + 1, "sym", "_") else j + 1
            if _is(tokens, k, "sym", "^"):
                braced = _is(tokens, k + 1, "sym", "{") and _is(tokens, k + 3, "sym", "}")
                limit = tokens[k + 2] if braced else (tokens[k + 1] if k + 1 < len(tokens) else None)
                if limit is not None and limit.kind == "word":
                    names.add(limit.text)
        return names

    def rebinds_open_index(self, offset: int = 0) -> bool:
        """Whether the token at ``offset`` opens a sum over the index of the sum whose body is being read (the
        matrix reader reads sums: audit/matrix_reader.py)."""
        return False

    def _gaussian_arguments(self, opening: int) -> bool:
        """Whether the parentheses opening at token ``opening`` hold a Gaussian's arguments: a comma, ``;`` or a
        bar at their top level (``N(0, 1)``, ``N(z; μ, σ²)``, ``N(z | μ, σ²)``), not ``N(N - 1)``."""
        return any(token.kind == "mid" or (token.kind == "sym" and token.text in (",", ";"))
                   for _, token in self._inside(opening))

    def normal(self) -> sp.Expr:
        """``N(mean, variance)`` (a density of x) or ``N(v; mean, variance)`` (a density of v)."""
        variable, mean, variance, start, end = self.normal_parts()
        if self._opens("("):
            self.fail("N(mean, variance)(v): the density at v is written N(v; mean, variance)", start,
                      self._group_end(")"))
        return self._normal(variable if variable is not None else x, mean, variance, start, end)

    def normal_parts(self):
        start = self.take().start
        self.take()  # (
        end = variable_end(self.tokens, self.i)
        if end is not None and _is(self.tokens, end, "mid"):  # N(z | \mu, \sigma^2): the bar before the mean
            variable = self.symbol(self.variable_name())
            self.take()
            first = self.expression()
            self.expect("sym", ",", "between the mean and the variance of N(...)", start)
            variance = self.expression()
            self.expect("sym", ")", "to close N(...)", start)
            return variable, first, variance, start, self.last_end()
        first = self.expression()
        variable = None
        if self.at("sym", ";") or self.at("mid"):
            self.take()
            variable, first = first, self.expression()
            if not isinstance(variable, sp.Symbol):
                self.fail("the variable of N(v; mean, variance) must be a variable", start, self._group_end(")"))
        self.expect("sym", ",", "between the mean and the variance of N(...)", start)
        variance = self.identity_variance(start)
        if variance is None:
            variance = self.expression()
        self.expect("sym", ")", "to close N(...)", start)
        return variable, first, variance, start, self.last_end()

    def identity_variance(self, start: int) -> sp.Expr | None:
        """``N(0, I)``: the identity is the variance 1 in a scalar formula; with bold letters, a transpose or a
        dimension (``I_d``) it is a covariance matrix, which this reader refuses."""
        token = self.peek()
        if token is None or token.kind != "word" or token.text not in IDENTITY_WORDS:
            return None
        dimension = self.at("sym", "_", 1)
        end = script_end(self.tokens, self.i + 2) if dimension else self.i + 1
        if not _is(self.tokens, end, "sym", ")"):
            return None
        vectors = dimension or token.text != "I" or any(
            (t.kind == "word" and t.text.startswith(tuple(f"\\{b}{{" for b in BOLD))) or self._transpose(k - self.i)
            for k, t in enumerate(self.tokens))
        if vectors:
            self.fail("N(mean, I) with vectors: the identity is a covariance matrix, not read by the scalar reader",
                      start, self.tokens[end].end)
        self.i = end
        return sp.Integer(1)

    def _normal(self, variable, mean, variance, start: int, end: int) -> Normal:
        problem = _normal_problem(variable, mean, variance)
        if problem:
            self.fail(problem, start, end)
        if self.context.normal_scale and variance not in (sp.Integer(0), sp.Integer(1)):
            self.fail(f"{self.context.normal_scale}: is the second parameter of this N(...) a variance or a "
                      "standard deviation? (mathcheck reads N(mean, variance))", start, end)
        return Normal(variable, mean, sp.sqrt(variance))


def data_bases(context: Context) -> set[str]:
    """The names whose x^{(i)} are data points of the observed variable: x, and the points the prose declares."""
    return {"x"} | set(context.data_points) | {base for _, base in context.datasets.values()}


def labelled_calls(expr: sp.Expr, variable: sp.Symbol) -> set:
    """The calls of functions labelled by ``variable`` in ``expr`` (g_φ(ε), μ_φ(x) for φ) that do not take it as
    an argument: they depend on it through their label."""
    return {call for call in expr.atoms(sp.core.function.AppliedUndef)
            if call.func.__name__.endswith(f"_{variable.name}") and variable not in call.args}


def _derivative_operator(token: Token) -> str | None:
    if token.kind == "cmd" and token.text == "partial":
        return "partial"
    return "d" if token.kind == "word" and token.text == "d" else None


MAX_DERIVATIVE_ORDER = 8  # \\partial^{100}: refused, not differentiated a hundred times


def _derivative_order(tokens: list[Token], k: int) -> tuple[int | None, int]:
    """The order written at token k after a derivative operator or its variable (``^2``, ``^{3}``; 1 when
    nothing is written), None when it is not a small whole number; and the index after it."""
    if not _is(tokens, k, "sym", "^"):
        return 1, k
    end = script_end(tokens, k + 1)
    inner = [t for t in tokens[k + 1:end] if not (t.kind == "sym" and t.text in "{}")]
    if len(inner) == 1 and inner[0].kind == "num" and inner[0].text.isdigit() and \
            1 <= int(inner[0].text) <= MAX_DERIVATIVE_ORDER:
        return int(inner[0].text), end
    return None, end


def _trimmed(tokens: list[Token]) -> list[Token]:
    """The tokens without wide spaces at either end, nor punctuation at the end (``a = 1, \\quad b = 2``): with
    nothing on one side they separate nothing."""
    tokens = list(tokens)
    while tokens and tokens[0].kind == "sep":
        tokens.pop(0)
    while tokens and (tokens[-1].kind == "sep" or (tokens[-1].kind == "sym" and tokens[-1].text in _PUNCTUATION)):
        tokens.pop()
    return tokens


def _separator_reason(shown: str) -> str:
    return (f"`{shown}` inside an expression: a wide space or prose between two formulas is not a product "
            "(write each formula on its own row)")


def _shown_name(name: str) -> str:
    base, _, label = name.partition("_")
    mark = base[len(base.rstrip("'*")):]
    base = base[:len(base) - len(mark)]
    base = (f"\\{base}" if base in GREEK else base) + mark
    return f"{base}_{{{label}}}" if label else base


def _assumptions(symbol: sp.Symbol) -> str:
    return "positive" if symbol.is_positive else ("nonzero" if symbol.is_nonzero else "declared")


def _fraction(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    if numerator == 1:
        return sp.Pow(denominator, -1) if denominator.is_Number else ratio(1, denominator)
    return ratio(numerator, denominator)


def _infinite(expr: sp.Expr) -> bool:
    """∞ in ``expr`` outside the limits of an integral over the real line."""
    if expr in (sp.oo, -sp.oo, sp.zoo):
        return True
    if isinstance(expr, sp.Integral):
        return _infinite(expr.function)
    return any(_infinite(arg) for arg in expr.args if isinstance(arg, sp.Basic))


def power_problem(base: sp.Expr, exponent: sp.Expr) -> str:
    """Why ``base^exponent`` cannot be taken as written ("" when it can): 0 to a negative power, an infinite
    exponent, or an exact number of more than MAX_DIGITS digits (sympy would compute every digit)."""
    if base.is_zero and exponent.is_negative:
        return "division by zero (0 to a negative power)"
    if _infinite(exponent):
        return "∞ as an exponent"
    if not (base.is_Rational and exponent.is_Rational) or abs(base) in (0, 1):
        return ""
    digits_per_unit = abs(math.log10(abs(base.p)) - math.log10(base.q))
    if abs(exponent) > MAX_DIGITS ** 2 or float(abs(exponent)) * digits_per_unit > MAX_DIGITS:
        return f"number too large to compute exactly: more than {MAX_DIGITS} digits"
    return ""


def _normal_problem(variable, mean, variance) -> str:
    """Why N(variable; mean, variance) is not a density ("" when it may be one)."""
    variance = sp.sympify(variance)
    if variance.is_positive is False or variance.is_extended_real is False:
        return f"the variance of N(mean, variance) must be positive, not {sp.sstr(variance)}"
    if variable in sp.sympify(mean).free_symbols | variance.free_symbols:
        return (f"N({sp.sstr(variable)}; {sp.sstr(mean)}, {sp.sstr(variance)}): a mean or variance that depends on "
                f"{sp.sstr(variable)} does not make a density of {sp.sstr(variable)}")
    return ""


def scale_twins(variance: sp.Expr) -> dict:
    """For a declared N(mean, variance): ``v`` names v the variance, so v is positive; ``\\sigma^2`` only says
    σ² > 0, i.e. σ is a nonzero real (its standard deviation is sqrt(σ²) = |σ|, and √(σ²) = σ is not implied):
    {real symbol: the same name with those assumptions}."""
    variance = sp.sympify(variance)
    squared = variance.is_Pow and variance.exp == 2
    target = variance.base if squared else variance
    if isinstance(target, sp.Symbol) and target.is_positive is not True and target.is_real and \
            target.name not in VARIABLES:
        if squared:
            return {} if target.is_nonzero else {target: sp.Symbol(target.name, real=True, nonzero=True)}
        return {target: sp.Symbol(target.name, positive=True)}
    return {}


def declared_parameters(mean: sp.Expr, variance: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(mean, variance) of a declared N(mean, variance), with σ of σ² nonzero (:func:`scale_twins`)."""
    twins = scale_twins(variance)
    return sp.sympify(mean).xreplace(twins), sp.sympify(variance).xreplace(twins)


def formula_scales(tokens: list[Token], source: str, base: int = 0, context: Context | None = None) -> dict:
    """The names a formula uses as the scale of an N(mean, s^2) it writes (``D_{KL}(N(\\mu, \\sigma^2) \\| ...)``):
    {name: positive Symbol}. Declared in the context of that formula only (every side of every step), the σ of
    the formula is the positive standard deviation its N(...) presupposes."""
    found = {}
    for j, token in enumerate(tokens):
        if token.kind == "word" and token.text == "N" and j + 1 < len(tokens) and tokens[j + 1].text == "(":
            try:
                _, _, variance, _, _ = Parser(tokens[j:], source, context, base).normal_parts()
            except Unparsed:
                continue
            found.update({s.name: twin for s, twin in scale_twins(variance).items()})
    return found


SMOOTH = re.compile(r"C\^\{?\s*(?:2|\\infty|\d+)\s*\}?|twice\s+(?:continuously\s+)?differentiable|smooth|"
                     r"continuous\s+second", re.IGNORECASE)


def function_names(tokens: list[Token], source: str, base: int = 0) -> set[str]:
    """The simple names a formula applies to plain variables (``\\mu(X)``, ``f(x, y)``): added to
    ``Context.functions`` for the whole formula, ``\\mu(X + 1)`` on another side of the step is a call too (and
    ``\\mu(1 - \\mu)`` is refused as ambiguous instead of read as a product)."""
    parser = Parser(tokens, source, None, base)
    found = set()
    for j in range(len(parser.tokens)):
        named = parser._name_at(j)
        if named is not None and named[0] not in VARIABLES and parser._call_content(named[1]) in ("variables", "list"):
            found.add(named[0])
    return found - DENSITY_FAMILIES - CONVENTIONAL_DENSITIES - {"e", "N", "E"}


def normal_from_variance(variable, mean, variance) -> Normal:
    """The declared density ``N(mean, variance)`` of ``variable`` as :class:`Normal` (which takes the standard
    deviation). σ in ``N(\\mu, \\sigma^2)`` is a nonzero real by the declaration, the standard deviation is |σ|
    (:func:`scale_twins`). Raises ValueError, as :class:`Normal` does, when it cannot be a density (variance ≤ 0,
    a mean that depends on the variable)."""
    mean, variance = declared_parameters(mean, variance)
    problem = _normal_problem(variable, mean, variance)
    if problem:
        raise ValueError(problem)
    return Normal(variable, mean, sp.sqrt(variance))


def _log_of_square(argument: sp.Expr) -> sp.Expr:
    """log a² = 2 log|a| for a real a ≠ 0 (σ of a declared N(μ, σ²)); other arguments: log as written."""
    if argument.is_Pow and argument.exp == 2 and argument.base.is_extended_real and argument.base.is_nonzero \
            and argument.base.is_positive is not True:
        return 2 * sp.log(sp.Abs(argument.base))
    return sp.log(argument)


def _product(factors: list[sp.Expr]) -> sp.Expr:
    return factors[0] if len(factors) == 1 else times(*factors)


def _require_positive(argument: sp.Expr, parser: Parser, start: int) -> None:
    """``\\log x`` of a real variable is not defined for x ≤ 0: flag it (a density name is often missing).
    An argument that is never negative (σ², |x|) is read: it is 0 only where the formula itself is undefined."""
    problem = _log_problem(argument)
    if problem:
        written = parser.text(start, parser.last_end()).strip()
        raise Unparsed(problem, written, start, parser.last_end())


def _log_problem(expr: sp.Expr) -> str:
    if expr.has(Density, Normal, BareDensity, NameRef, sp.Integral, KL, Expectation):
        return ""
    if expr.atoms(sp.core.function.AppliedUndef):
        return ""  # an unknown function: positivity is a property of the function, not decidable here
    shown = sp.sstr(expr)
    if expr.is_zero:
        return "logarithm of 0"
    if expr.is_negative:
        return f"logarithm of a negative number ({shown})"
    if expr.is_positive or expr.is_nonnegative or _nonnegative_rewritten(expr):
        return ""
    if expr.free_symbols:
        return f"logarithm of {shown}, which is not positive for every value of {shown} (is a density name missing?)"
    return ""


LOG_SIGN_OPERATIONS = 200  # arguments larger than this are not rewritten for their sign


def _nonnegative_rewritten(expr: sp.Expr) -> bool:
    """Whether ``expr`` is nonnegative by its symbols' signs once expanded or over one denominator: a declared
    order 0 < a < b reads b as a + δ_b (δ_b > 0), and b² − a² = 2aδ_b + δ_b², 1 − a/b = δ_b/(a + δ_b),
    2b − 2a = 2δ_b show their signs only so."""
    if sp.count_ops(expr) > LOG_SIGN_OPERATIONS:
        return False
    for rewrite in (sp.expand, sp.together, lambda e: sp.factor_terms(sp.expand(e))):
        try:
            form = rewrite(expr)
        except (TypeError, ValueError, AttributeError, NotImplementedError, RecursionError):
            continue
        if form.is_positive or form.is_nonnegative:
            return True
    return False


def parse_expression(source: str, context: Context | None = None, base: int = 0,
                     tokens: list[Token] | None = None) -> sp.Expr:
    """Parse one expression (no relation); ``base`` is the offset of ``source`` in its file."""
    tokens = tokenize(source, base) if tokens is None else tokens
    return Parser(tokens, source, context, base).parse()
