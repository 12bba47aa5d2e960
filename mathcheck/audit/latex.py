"""A strict reader for the LaTeX of derivations: source text -> mathcheck.vocab sympy objects.

It reads the notation of the article and its common variants (``p(z\\mid X)``, ``q_{\\phi}(z|X)``,
``\\log``, ``\\log_2``, ``\\int ... dz``, ``\\frac``, ``E_{q}[...]``, ``D_{KL}[a||b]``, Greek letters with
subscripts and powers). Anything it cannot read exactly raises :class:`Unparsed` with the fragment
quoted: it never guesses and never skips.

Names the reader cannot resolve alone are left as placeholders for the document layer:
:class:`NameRef` (a user name such as ``L(X, z)``, ``BCELoss`` or a bare ``D_{KL}``) and
:class:`BareDensity` (``p`` without arguments, as in ``D_{KL}(p||q)``).
"""
from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.symbol import Str

from mathcheck.vocab import KL, Density, Expectation, Normal, X, integral, mu, ratio, sigma, times, x, z

VARIABLES = {"X": X, "z": z, "x": x}
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma", "tau", "upsilon", "phi", "varphi", "chi",
    "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
}
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits",
           "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
           "Biggl", "Biggr", "middle"}
SIZED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
         "Biggr"}
RELATIONS = {
    "geq": ">=", "ge": ">=", "geqq": ">=", "geqslant": ">=", "leq": "<=", "le": "<=", "leqq": "<=",
    "leqslant": "<=", "lt": "<", "gt": ">", "coloneqq": ":=", "coloneq": ":=", "triangleq": ":=",
    "equiv": ":=", "eqqcolon": "=:", "neq": "≠", "ne": "≠", "approx": "≈", "simeq": "≃", "propto": "∝",
    "cong": "≅", "sim": "~",
}
UNICODE = {"≥": ">=", "≤": "<=", "≠": "≠", "≈": "≈", "∼": "~", "−": "-", "·": "\\cdot", "×": "\\times"}
FONT = {"mathrm", "operatorname", "text", "textrm", "mathit", "mathbf", "mathsf", "textit", "mathbb", "mathcal",
        "rm", "mathop"}
DENSITY_FAMILIES = {"p", "q"}
CHECKED = {"=", "<=", ">=", "<", ">"}
MAX_NESTING = 100  # groups, fractions, functions inside one another: deeper is refused, not a RecursionError
MAX_DIGITS = 10_000  # an exact number with more digits is refused (10^{10^{10}} would take hours to compute)


class Unparsed(Exception):
    """A fragment that cannot be read exactly: ``reason`` names the problem, ``fragment`` quotes it."""

    def __init__(self, reason: str, fragment: str = "", start: int = -1, end: int = -1):
        super().__init__(reason)
        self.reason, self.fragment, self.start, self.end = reason, fragment, start, end

    def __str__(self) -> str:
        return f"{self.reason}: `{self.fragment}`" if self.fragment else self.reason


@dataclass(frozen=True)
class Token:
    kind: str  # num, word, cmd, sym, rel, par (the KL separator ||), mid (the conditional bar)
    text: str
    start: int
    end: int


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
    """What the prose declared before a formula."""

    densities: dict = field(default_factory=dict)  # (family, label) -> (Density as written, Normal)
    curvature: dict = field(default_factory=dict)  # function name -> "concave" / "convex"
    laws: dict = field(default_factory=dict)  # symbol -> (mean, std): z ~ N(mu, sigma^2), eps ~ N(0, 1)
    notes: dict = field(default_factory=dict)  # what each entry came from: key -> "line N: source"

    def copy(self) -> "Context":
        return Context(dict(self.densities), dict(self.curvature), dict(self.laws), dict(self.notes))


# ---------------------------------------------------------------- tokens


_WORD = re.compile(r"[A-Za-z]+(?:\\_[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")


def tokenize(text: str, base: int = 0) -> list[Token]:
    """Tokens of ``text``; offsets are ``base`` + position in ``text``."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c in "&~":
            i += 1
            continue
        if c == "%":
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
        if text.startswith("||", i):
            tokens.append(Token("par", "||", start, start + 2))
            i += 2
            continue
        if text.startswith(":=", i):
            tokens.append(Token("rel", ":=", start, start + 2))
            i += 2
            continue
        if c in "=<>":
            tokens.append(Token("rel", {"=": "=", "<": "<", ">": ">"}[c], start, start + 1))
        elif c == "|":
            tokens.append(Token("mid", "|", start, start + 1))
        elif c in UNICODE:
            mapped = UNICODE[c]
            kind = "rel" if mapped in RELATIONS.values() else ("sym" if len(mapped) == 1 else "cmd")
            tokens.append(Token(kind, mapped.lstrip("\\") if kind == "cmd" else mapped, start, start + 1))
        else:
            tokens.append(Token("sym", c, start, start + 1))
        i += 1
    return tokens


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
        elif nxt not in ",;:! ":
            tokens.append(Token("cmd", nxt, start, start + 2))
        return i + 2
    m = _COMMAND.match(text, i)
    name, end = m.group(1), m.end()
    if name in SIZED:
        delimiter = re.match(r"\s*(\\\{|\\\}|[()\[\]])", text[end:])
        if delimiter:  # \left( is the token ( starting at \left
            token_end = end + delimiter.end()
            tokens.append(Token("sym", delimiter.group(1), start, base + token_end))
            return token_end
    if name in SPACING:
        return end
    if name in FONT:
        inner = re.match(r"\s*\{([^{}]*)\}", text[end:])
        if inner and re.fullmatch(r"\s*[A-Za-z]+(?:\\?_[A-Za-z0-9]+)*\s*", inner.group(1)):
            word = inner.group(1).strip().replace("\\_", "_")
            if name == "mathcal" and word != "N":
                word = f"\\mathcal{{{word}}}"  # a calligraphic name is not its plain letter
            token_end = end + inner.end()
            tokens.append(Token("word", word, start, base + token_end))
            return token_end
        if name == "mathop":
            return end
    if name in RELATIONS:
        tokens.append(Token("rel", RELATIONS[name], start, base + end))
    elif name in ("mid", "vert"):
        tokens.append(Token("mid", "|", start, base + end))
    elif name in ("parallel", "Vert"):
        tokens.append(Token("par", "||", start, base + end))
    elif name in ("stackrel", "overset"):
        over = re.match(r"\s*\{([^{}]*)\}\s*\{?\s*=\s*\}?", text[end:])
        if over:
            tokens.append(Token("rel", ":=", start, base + end + over.end()))
            return end + over.end()
        tokens.append(Token("cmd", name, start, base + end))
    else:
        tokens.append(Token("cmd", name, start, base + end))
    return end


# ---------------------------------------------------------------- parser


OPEN = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}
BIG_OPERATORS = {"int", "sum", "prod", "iint"}


class Parser:
    """Recursive descent over the tokens of one expression (no relations)."""

    def __init__(self, tokens: list[Token], source: str, context: Context | None = None, base: int = 0):
        self.tokens, self.source, self.base = tokens, source, base
        self.context = context or Context()
        self.i = 0
        self.integral_depth = 0
        self.depth = 0  # atoms and signs being read inside one another

    # -- helpers
    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

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
            shown = f"found `{self.text(found.start, found.end)}`" if found else "the formula ends"
            self.fail(f"expected `{text}` {what}, {shown}", start)
        return self.take()

    def text(self, start: int, end: int) -> str:
        return self.source[start - self.base:end - self.base]

    def fail(self, reason: str, start: int | None = None, end: int | None = None):
        token = self.peek()
        if start is None:
            start = token.start if token else (self.tokens[-1].end if self.tokens else self.base)
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
        expr = self.expression()
        if self.peek() is not None:
            token = self.peek()
            self.fail(_unexpected(token), token.start, self.tokens[-1].end)
        return expr

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
        return sp.Add(*terms)

    def term(self) -> sp.Expr:
        start = self.here()
        factors = [self.factor()]
        while True:
            token = self.peek()
            if token is None:
                break
            if token.kind == "cmd" and token.text in ("cdot", "times", "ast"):
                self.take()
                factors.append(self.factor())
            elif token.kind == "sym" and token.text == "*":
                self.take()
                factors.append(self.factor())
            elif token.kind == "sym" and token.text == "/":
                self.take()
                denominator = self.factor()
                if denominator.is_zero:
                    self.fail("division by zero", start, self.last_end())
                factors = [ratio(_product(factors), denominator)]
            elif self.starts_factor():
                factors.append(self.factor())
            else:
                break
        if not factors:
            self.fail("expected a term", start)
        return _product(factors)

    def starts_factor(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind == "num":
            return True
        if token.kind == "word":
            return not self.at_differential()
        if token.kind == "cmd":
            return token.text not in ("cdot", "times", "ast", "end", "right")
        if token.kind == "sym":
            return token.text in OPEN
        return False

    def at_differential(self) -> bool:
        """``dz``, ``d z``, ``\\mathrm{d}z`` inside an integral."""
        if self.integral_depth == 0:
            return False
        token = self.peek()
        if token is None or token.kind != "word":
            return False
        if token.text == "d":
            following = self.peek(1)
            return following is not None and following.kind == "word" and len(following.text) == 1
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
        base = self.atom()
        if self.at("sym", "^"):
            self.take()
            exponent = self.script("exponent")
            problem = power_problem(base, exponent)
            if problem:
                self.fail(problem, start, self.last_end())
            base = sp.Pow(base, exponent)
        if self.at("sym", "_"):
            self.fail("a subscript here is not part of the notation this reader knows", start)
        return base

    def script(self, what: str) -> sp.Expr:
        """The argument of ``^`` or ``_``: a braced group or a single character."""
        with self.nested():
            return self._script(what)

    def _script(self, what: str) -> sp.Expr:
        start = self.here()
        infinity = self._infinity()
        if infinity is not None:
            return infinity
        if self.at("sym", "{"):
            self.take()
            inner = self.expression()
            self.expect("sym", "}", f"to close the {what}", start)
            return inner
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
        self.fail(f"cannot read this {what}", start, token.end)

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
                token = self.take()
                if token.kind in ("word", "num") or (token.kind == "cmd" and token.text in GREEK):
                    parts.append(token.text)
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
            if len(token.text) > 1:
                self.fail(f"ambiguous subscript `{token.text}`: write it in braces", start, token.end)
            return token.text
        if token.kind == "cmd" and token.text in GREEK:
            return token.text
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
            return sp.Rational(token.text)
        if token.kind == "sym" and token.text in OPEN:
            return self.group()
        if token.kind == "cmd":
            return self.command()
        if token.kind == "word":
            return self.word()
        if token.kind == "mid":
            self.fail("a conditional bar `|` outside the arguments of a density")
        if token.kind == "par":
            self.fail("`||` outside D_{KL}[...]")
        if token.kind == "rel":
            self.fail(f"relation `{self.text(token.start, token.end)}` where an expression is expected")
        self.fail(_unexpected(token))

    def group(self) -> sp.Expr:
        start = self.here()
        opening = self.take().text
        inner = self.expression()
        closing = OPEN[opening]
        if self.at("mid"):
            self.fail("`\\mid` inside parentheses without a density name before them", start,
                      self._group_end(closing))
        self.expect("sym", closing, f"to close `{opening}`", start)
        return inner

    def _group_end(self, closing: str) -> int:
        for token in self.tokens[self.i:]:
            if token.kind == "sym" and token.text == closing:
                return token.end
        return self.tokens[-1].end

    # -- commands
    def command(self) -> sp.Expr:
        token = self.peek()
        name = token.text
        if name in ("frac", "dfrac", "tfrac"):
            return self.fraction()
        if name in ("log", "ln"):
            return self.logarithm()
        if name == "exp":
            self.take()
            return sp.exp(self.function_argument(token.start, "\\exp"))
        if name == "sqrt":
            self.take()
            if self.at("sym", "["):
                self.fail("\\sqrt[n]{...} is not supported", token.start)
            return sp.sqrt(self.braced("\\sqrt", token.start))
        if name in ("int", "iint"):
            return self.integral()
        if name == "pi":
            self.take()
            return sp.pi
        if name in GREEK:
            return self.identifier(self.take())
        if name == "infty":
            self.fail("∞ outside the limits of an integral")
        if name in ("sum", "prod"):
            self.fail(f"\\{name} is not supported by this reader")
        if name == "begin":
            self.fail("a nested environment is not supported", token.start, self._env_end(token))
        self.fail(f"unknown command `\\{name}`", token.start, token.end)

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

    def fraction(self) -> sp.Expr:
        start = self.take().start
        if self.at("num") and not self.at("sym", "{"):  # \frac12
            token = self.peek()
            if len(token.text) == 2 and token.text.isdigit():
                self.take()
                return ratio(sp.Integer(token.text[0]), sp.Integer(token.text[1]))
            self.fail("cannot read the arguments of \\frac", start, token.end)
        numerator = self.braced("\\frac", start)
        denominator = self.braced("\\frac", start)
        if denominator.is_zero:
            self.fail("division by zero", start, self.last_end())
        if numerator == 1:
            return sp.Pow(denominator, -1) if denominator.is_Number else ratio(1, denominator)
        return ratio(numerator, denominator)

    def logarithm(self) -> sp.Expr:
        token = self.take()
        start = token.start
        base = None
        if self.at("sym", "_"):
            self.take()
            base = self.script("base of the logarithm")
        written = self.text(start, self.last_end())
        argument = self.function_argument(start, written)
        _require_positive(argument, self, start)
        value = sp.log(argument)
        return value / sp.log(base) if base is not None else value

    def function_argument(self, start: int, written: str) -> sp.Expr:
        """The argument of ``\\log`` / ``\\exp``: one factor; a second juxtaposed factor is ambiguous."""
        if self.peek() is None or not self.starts_factor():
            self.fail(f"{written} without an argument", start)
        argument_start = self.here()
        try:
            argument = self.power()
        except Unparsed as error:
            if error.start == argument_start:
                raise Unparsed(error.reason, self.text(start, error.end).strip(), start, error.end) from None
            raise
        if self.starts_factor() and not self._starts_big_operator():
            self.fail(f"ambiguous: does {written} apply to `{self.text(argument_start, self.last_end())}` only "
                      "or to the product that follows? Use parentheses", start, self._factor_end())
        return argument

    def _starts_big_operator(self) -> bool:
        token = self.peek()
        if token.kind == "cmd" and token.text in BIG_OPERATORS:
            return True
        return token.kind == "word" and token.text in ("E", "D", "KL") and self._looks_like_operator()

    def _looks_like_operator(self) -> bool:
        token = self.peek()
        following = self.peek(1)
        if token.text == "E":
            return following is not None and (following.text in ("_", "[") )
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

    def integral(self) -> sp.Expr:
        token = self.take()
        start = token.start
        if self.at("sym", "_"):
            self.take()
            low = self.script("lower limit")
            if not self.at("sym", "^"):
                self.fail("an integral with a lower limit needs an upper limit", start)
            self.take()
            high = self.script("upper limit")
            if (low, high) != (-sp.oo, sp.oo):
                self.fail("only integrals over the whole real line are supported", start, self.last_end())
        self.integral_depth += 1
        try:
            if self.at_differential():
                self.fail("an integral with nothing to integrate", start)
            body = self.expression()
        finally:
            self.integral_depth -= 1
        variable = self.differential(start)
        if token.text == "iint":
            self.fail("\\iint is not supported: write \\int\\int", start)
        return integral(body, variable)

    def differential(self, start: int) -> sp.Symbol:
        token = self.peek()
        if token is None or token.kind != "word":
            shown = self.text(token.start, token.end) if token else "the end of the formula"
            self.fail(f"\\int without its differential (d<variable>): found {shown}", start,
                      token.end if token else None)
        self.take()
        if token.text == "d":
            name = self.take().text
        elif len(token.text) == 2 and token.text[0] == "d":
            name = token.text[1]
        else:
            self.fail("\\int without its differential (d<variable>)", start, token.end)
        if name not in VARIABLES:
            return sp.Symbol(name, real=True)
        return VARIABLES[name]

    # -- words: variables, densities, functions, E, D_KL, names
    def word(self) -> sp.Expr:
        token = self.peek()
        text = token.text
        following = self.peek(1)
        if text in DENSITY_FAMILIES:
            return self.density()
        if text == "E" and following is not None and following.kind == "sym" and following.text in ("_", "["):
            return self.expectation()
        if text == "D" and following is not None and following.kind == "sym" and following.text == "_":
            return self.divergence()
        if text == "KL" and following is not None and following.kind == "sym" and following.text in ("(", "["):
            self.take()
            return self.divergence_arguments(token.start)
        if text in ("N",) and following is not None and following.kind == "sym" and following.text == "(":
            return self.normal()
        if text in ("log", "ln"):
            self.fail(f"`{text}` without a backslash: write \\{text}", token.start, token.end)
        if len(text) >= 2 and text[0] == "d" and len(text) == 2 and self.integral_depth == 0 and text[1] in VARIABLES:
            self.fail(f"differential `{text}` outside an integral", token.start, token.end)
        return self.identifier(self.take())

    def identifier(self, token: Token) -> sp.Expr:
        """A symbol, a function call ``f(...)``, or a user name (several letters)."""
        name = token.text
        if self.at("sym", "_"):
            name = f"{name}_{self.subscript_name()}"
        user_name = token.kind == "word" and (len(token.text) > 1 or token.text.isupper())
        if user_name and name not in VARIABLES and not self._opens("("):
            return NameRef(name)
        if self._opens("("):
            if name in VARIABLES or name == "e":
                return self.symbol(name)
            arguments = self.call_arguments(token.start)
            return NameRef(name, arguments) if user_name else sp.Function(name)(*arguments)
        return self.symbol(name)

    def _opens(self, which: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token.kind == "sym" and token.text in ((which,) if which else ("(", "["))

    def call_arguments(self, start: int) -> list[sp.Expr]:
        self.take()  # (
        arguments = [self.expression()]
        while self.at("sym", ","):
            self.take()
            arguments.append(self.expression())
        if self.at("mid"):
            self.fail("`\\mid` in the arguments of a function that is not a density (p or q)", start,
                      self._group_end(")"))
        self.expect("sym", ")", "to close the arguments", start)
        return arguments

    def symbol(self, name: str) -> sp.Expr:
        if name in VARIABLES:
            return VARIABLES[name]
        if name == "mu":
            return mu
        if name == "sigma":
            return sigma
        if name == "e":
            return sp.E
        if name.startswith("sigma"):
            return sp.Symbol(name, positive=True)
        return sp.Symbol(name, real=True)

    def density(self) -> sp.Expr:
        token = self.take()
        start, family = token.start, token.text
        label = ""
        if self.at("sym", "_"):
            label = self.subscript_name()
        if not self._opens("("):
            return BareDensity(family, label)
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
        if self.peek() is not None and not self.at("sym", ")"):
            self.fail("the arguments of a density must be variables", start, self._group_end(")"))
        self.expect("sym", ")", "to close the density", start)
        if len(set(variables) | set(given)) != len(variables) + len(given):
            self.fail("a variable appears twice in a density", start, self.last_end())
        declared = self.context.densities.get((family, label))
        if declared is not None and not given and tuple(variables) == declared[0].variables:
            return declared[1]
        return Density(family, variables, given, label)

    def density_variable(self, start: int) -> sp.Symbol:
        token = self.peek()
        if token is None or token.kind != "word" or len(token.text) != 1:
            end = self._group_end(")")
            self.fail("the arguments of a density must be variables", start, end)
        self.take()
        return self.symbol(token.text)

    def expectation(self) -> sp.Expr:
        token = self.take()
        start = token.start
        if self.at("sym", "["):
            end = self._group_end("]")
            self.fail("E[...] without a subscript: the distribution of the expectation is not named "
                      "(write E_{q(z\\mid X)}[...])", start, end)
        self.take()  # _
        density = self.subscript_density(start)
        if not (self.at("sym", "[") or self.at("sym", "(")):
            self.fail("expected `[` after E_{...}", start)
        opening = self.take().text
        body = self.expression()
        self.expect("sym", OPEN[opening], "to close E[...]", start)
        return Expectation(density, body)

    def subscript_density(self, start: int) -> sp.Expr:
        if self.at("sym", "{"):
            self.take()
            if self.at("word") and self.at("rel", "~", 1):  # E_{z \sim q(z|X)}
                self.take()
                self.take()
            inner = self.expression()
            self.expect("sym", "}", "to close the subscript of E", start)
        else:
            inner = self.atom()
        if not isinstance(inner, (Density, Normal, BareDensity)):
            self.fail("the subscript of E must be a density such as q(z\\mid X)", start, self.last_end())
        return inner

    def divergence(self) -> sp.Expr:
        token = self.take()
        name = f"D_{self.subscript_name()}"
        if name != "D_KL":
            return self.identifier_tail(token, name)
        if self._opens():
            return self.divergence_arguments(token.start)
        return NameRef("D_{KL}")

    def identifier_tail(self, token: Token, name: str) -> sp.Expr:
        if self._opens("("):
            return NameRef(name, self.call_arguments(token.start))
        return NameRef(name)

    def divergence_arguments(self, start: int) -> sp.Expr:
        opening = self.take().text
        closing = OPEN[opening]
        first = self.expression()
        if not self.at("par"):
            self.fail("expected `||` between the two distributions of D_{KL}", start, self._group_end(closing))
        self.take()
        second = self.expression()
        if not self.at("sym", closing):
            found = self.peek()
            shown = f"unexpected `{self.text(found.start, found.end)}` before `{closing}`" if found else \
                f"`{closing}` missing"
            self.fail(f"cannot read D_{{KL}}{opening}...{closing}: {shown}", start, self._group_end(closing))
        self.take()
        for argument in (first, second):
            if not isinstance(argument, (Density, Normal, BareDensity)):
                self.fail("the arguments of D_{KL} must be densities or N(mean, variance)", start, self.last_end())
        return KL(first, second)

    def normal(self) -> sp.Expr:
        """``N(mean, variance)`` (a distribution, its variable x) or ``N(v; mean, variance)`` (a density value)."""
        start = self.take().start
        self.take()  # (
        first = self.expression()
        variable = None
        if self.at("sym", ";") or self.at("mid"):
            self.take()
            variable, first = first, self.expression()
        self.expect("sym", ",", "between the mean and the variance of N(...)", start)
        variance = self.expression()
        self.expect("sym", ")", "to close N(...)", start)
        return normal_from_variance(variable if variable is not None else x, first, variance)


def power_problem(base: sp.Expr, exponent: sp.Expr) -> str:
    """Why ``base^exponent`` cannot be taken as written ("" when it can): 0 to a negative power, an infinite
    exponent, or an exact number of more than MAX_DIGITS digits (sympy would compute every digit)."""
    if base.is_zero and exponent.is_negative:
        return "division by zero (0 to a negative power)"
    if exponent.has(sp.oo, -sp.oo, sp.zoo):
        return "∞ as an exponent"
    if not (base.is_Rational and exponent.is_Rational) or abs(base) in (0, 1):
        return ""
    digits_per_unit = abs(math.log10(abs(base.p)) - math.log10(base.q))
    if abs(exponent) > MAX_DIGITS ** 2 or float(abs(exponent)) * digits_per_unit > MAX_DIGITS:
        return f"number too large to compute exactly: more than {MAX_DIGITS} digits"
    return ""


def normal_from_variance(variable, mean, variance) -> Normal:
    """N(mean, variance) as :class:`Normal` (which takes the standard deviation)."""
    return Normal(variable, mean, sp.sqrt(variance))


def _product(factors: list[sp.Expr]) -> sp.Expr:
    return factors[0] if len(factors) == 1 else times(*factors)


def _unexpected(token: Token) -> str:
    return f"unexpected `{token.text}`"


def _require_positive(argument: sp.Expr, parser: Parser, start: int) -> None:
    """``\\log x`` of a real variable is not defined for x ≤ 0: flag it (a density name is often missing)."""
    if _may_be_nonpositive(argument):
        written = parser.text(start, parser.last_end()).strip()
        shown = sp.sstr(argument)
        raise Unparsed(f"logarithm of {shown}, which is not positive for every value of {shown} "
                       "(is a density name missing?)", written, start, parser.last_end())


def _may_be_nonpositive(expr: sp.Expr) -> bool:
    if expr.is_positive or expr.has(Density, Normal, BareDensity, NameRef, sp.Integral, KL, Expectation):
        return False
    if expr.atoms(sp.core.function.AppliedUndef):
        return False  # an unknown function: positivity is a property of the function, not decidable here
    return expr.is_positive is not True and bool(expr.free_symbols or expr.is_nonpositive)


def parse_expression(source: str, context: Context | None = None, base: int = 0,
                     tokens: list[Token] | None = None) -> sp.Expr:
    """Parse one expression (no relation); ``base`` is the offset of ``source`` in its file."""
    tokens = tokenize(source, base) if tokens is None else tokens
    return Parser(tokens, source, context, base).parse()
