"""TeX macros in an audited document: the document's own ``\\newcommand``, ``\\renewcommand``, ``\\def``,
``\\DeclareMathOperator`` and ``\\let``, and a site's MathJax/KaTeX macro file (``--macros``), are expanded
before a step is checked; the report shows the step as written. A macro that does not finish expanding is
an error that names it, never a hang; a definition that cannot be read is reported, never skipped."""
import json
import time

import pytest

from mathcheck.audit.macros import Macro, MacroError, expand, read_definition
from mathcheck.cli import main
from mathcheck.report import PROVED, REFUTED

UNPARSED, DEFINITION = "unparsed", "definition"


def expanded(text: str, macros: dict | None = None) -> str:
    return expand(text, [(0, len(text))], macros or {}, lambda offset: "here").text.strip()


def audit(tmp_path, capsys, text: str, *options: str, name: str = "doc.md") -> tuple[int, list[dict]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), "--format", "json", *options])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and code in (0, 1), captured.err
    return code, json.loads(captured.out)["steps"]


def verdicts(steps: list[dict]) -> list[str]:
    return [step["verdict"] for step in steps]


# ---------------------------------------------------------------- definitions


@pytest.mark.parametrize("definition, name, arity, body, default", [
    ("\\newcommand{\\R}{\\mathbb{R}}", "R", 0, "\\mathbb{R}", None),
    ("\\newcommand\\R{\\mathbb{R}}", "R", 0, "\\mathbb{R}", None),
    ("\\newcommand*{\\KL}[2]{D(#1 \\| #2)}", "KL", 2, "D(#1 \\| #2)", None),
    ("\\renewcommand{\\vec}[1]{\\mathbf{#1}}", "vec", 1, "\\mathbf{#1}", None),
    ("\\newcommand{\\f}[2][x]{#1 + #2}", "f", 2, "#1 + #2", "x"),
    ("\\def\\pair#1#2{(#1, #2)}", "pair", 2, "(#1, #2)", None),
    ("\\gdef\\E{\\mathbb{E}}", "E", 0, "\\mathbb{E}", None),
    ("\\DeclareMathOperator{\\lse}{lse}", "lse", 0, "\\operatorname{lse}", None),
    ("\\DeclareMathOperator*{\\argmax}{arg\\,max}", "argmax", 0, "\\operatorname*{arg\\,max}", None),
    ("\\let\\epsilon\\varepsilon", "epsilon", 0, "\\varepsilon", None),
    ("\\global\\def\\R{\\mathbb{R}}", "R", 0, "\\mathbb{R}", None),
])
def test_a_definition_is_read_with_its_name_arguments_body_and_default(definition, name, arity, body, default):
    macro, end, _ = read_definition(definition, 0, len(definition))
    assert (macro.name, macro.arity, macro.body, macro.default, end) == (name, arity, body, default, len(definition))


@pytest.mark.parametrize("definition, said", [
    ("\\def\\a#1.{#1}", "undelimited"),
    ("\\newcommand{\\a}[x]{#1}", "0-9"),
    ("\\newcommand{\\a}[1]{#2}", "#2"),
    ("\\newcommand{\\a}", "body"),
    ("\\newcommand{\\a}{x", "never closed"),
])
def test_a_definition_that_cannot_be_read_says_why(definition, said):
    with pytest.raises(MacroError, match=said.replace("#", "\\#")):
        read_definition(definition, 0, len(definition))


def test_providecommand_keeps_a_macro_already_defined():
    text = "\\newcommand{\\a}{1}\\providecommand{\\a}{2}\\providecommand{\\b}{3}\\a+\\b"
    assert expanded(text) == "1+3"


# ---------------------------------------------------------------- expansion


@pytest.mark.parametrize("text, result", [
    ("\\newcommand{\\KL}[2]{D(#1 \\| #2)} \\KL{q}{p}", "D(q \\| p)"),
    ("\\newcommand{\\KL}[2]{D(#1 \\| #2)} \\KL qp", "D(q \\| p)"),  # one-token arguments, as in TeX
    ("\\newcommand{\\sq}[1]{#1^{2}} \\newcommand{\\norm}[1]{\\sq{|#1|}} \\norm{x}", "|x|^{2}"),  # nested
    ("\\newcommand{\\f}[2][x]{#1 + #2} \\f{y} = \\f[z]{y}", "x + y = z + y"),  # optional argument
    ("\\newcommand{\\q}{\\KL{q}} \\newcommand{\\KL}[2]{D(#1, #2)} \\q{p}", "D(q, p)"),  # argument after the body
    ("\\def\\h{##} \\h", "#"),
    ("\\newcommand{\\lg}{\\log} \\lg{x}y", "\\log {x}y"),  # a control word is not glued to the next letter
    ("\\newcommand{\\R}{\\mathbb{R}} \\Rn + \\R", "\\Rn + \\mathbb{R}"),  # \Rn is another name
    ("\\newcommand{\\a}{1} \\\\a", "\\\\a"),  # a row break and a letter, not \a
])
def test_an_invocation_is_replaced_by_its_body_with_its_arguments(text, result):
    assert " ".join(expanded(text).split()) == " ".join(result.split())


def test_a_definition_holds_from_where_it_is_made():
    assert " ".join(expanded("\\a \\newcommand{\\a}{1} \\a \\renewcommand{\\a}{2} \\a").split()) == "\\a 1 2"


@pytest.mark.parametrize("definitions, macro", [
    ("\\newcommand{\\loop}{\\loop + 1}", "loop"),
    ("\\newcommand{\\same}{\\same}", "same"),
    ("\\newcommand{\\a}{\\b}\\newcommand{\\b}{\\a}", "a"),
    ("\\def\\grow{\\grow\\grow}", "grow"),
])
def test_a_self_referential_macro_is_an_error_that_names_it_and_does_not_hang(definitions, macro):
    text = definitions + f" \\{macro} = 1"
    start = time.perf_counter()
    result = expand(text, [(0, len(text))], {}, lambda offset: "line 1")
    assert time.perf_counter() - start < 5
    assert result.problems and f"\\{macro}" in result.problems[0].reason and "itself" in result.problems[0].reason
    assert f"\\{macro}" in result.text  # left as written: the step that uses it is unparsed


def test_a_macro_without_its_arguments_is_an_error_that_says_how_many_it_takes():
    result = expand("\\KL{q}", [(0, 6)], {"KL": Macro("KL", 2, "D(#1, #2)")}, lambda offset: "")
    assert result.problems and "takes 2 argument" in result.problems[0].reason


def test_the_expanded_text_maps_back_to_the_text_as_written():
    text = "\\newcommand{\\sq}[1]{#1^{2}}$\\sq{a} + b$"
    result = expand(text, [(0, len(text))], {}, lambda offset: "")
    plus = result.text.index("+")
    invocation = text.rindex("\\sq")
    assert text[result.origin.start(plus)] == "+" and result.origin.start(result.text.index("a")) == invocation
    assert text[result.origin.start(result.text.index("a")):result.origin.end(plus)] == "\\sq{a} "


# ---------------------------------------------------------------- documents


def test_a_markdown_block_that_only_defines_macros_is_no_step(tmp_path, capsys):
    document = ("$$\n\\newcommand{\\sq}[1]{#1^{2}}\n\\def\\pair#1#2{(#1 + #2)}\n$$\n\n"
                "$$\\sq{\\pair{a}{b}} = a^2 + 2ab + b^2$$\n\n$$\\sq{\\pair{a}{b}} = a^2 + b^2$$\n")
    code, steps = audit(tmp_path, capsys, document)
    assert code == 1 and [(s["line"], s["verdict"]) for s in steps] == [(6, PROVED), (8, REFUTED)], steps


def test_a_mathjax_require_in_a_definitions_block_is_no_step(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$\\require{cancel}\\gdef\\two{2}$$\n\n$$\\two = 1 + 1$$\n")
    assert code == 0 and [(s["line"], s["verdict"]) for s in steps] == [(3, PROVED)], steps


def test_a_step_is_shown_as_written_and_checked_expanded(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$\\newcommand{\\sq}[1]{#1^{2}}\\sq{(a+b)} = a^2 + b^2$$\n")
    assert code == 1 and steps[0]["lhs"] == "\\sq{(a+b)}" and steps[0]["verdict"] == REFUTED, steps


def test_a_macro_in_inline_math_declares_like_its_expansion(tmp_path, capsys):
    document = "$$\\newcommand{\\s}{\\sigma}$$\n\nLet $\\s > 0$.\n\n$$\\sqrt{\\s^2} = \\s$$\n"
    code, steps = audit(tmp_path, capsys, document)
    assert code == 0 and verdicts(steps) == [PROVED], steps


def test_a_self_referential_macro_in_a_document_is_unparsed_with_its_name(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$\\newcommand{\\x}{\\x+1}$$\n\n$$\\x = 1$$\n\n$$1 = 1$$\n")
    assert code == 1 and verdicts(steps)[-1] == PROVED
    assert any(s["verdict"] == UNPARSED and "\\x does not finish expanding" in s["reason"] for s in steps), steps


def test_a_definition_that_cannot_be_read_is_reported_not_skipped(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$\\def\\half#1.{#1/2}$$\n\n$$1 = 1$$\n")
    assert code == 1 and any(s["verdict"] == UNPARSED and "parameter text" in s["reason"] for s in steps), steps


def test_a_macro_used_before_its_definition_is_not_expanded(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$\\one = 1$$\n\n$$\\newcommand{\\one}{1}$$\n")
    assert code == 1 and verdicts(steps) == [UNPARSED], steps


# ---------------------------------------------------------------- a site's macro file

SITE_JSON = {"\\R": "\\mathbb{R}", "\\sq": "{#1}^{2}", "half": ["\\frac{#1}{2}", 1, "1"],
             "pair": ["(#1 + #2)", 2]}
POST = ("$$\\sq{\\pair{a}{b}} = a^2 + 2ab + b^2$$\n\n"
        "$$\\half + \\half = 1$$\n\n"
        "$$\\half[x] + \\half[x] = 2x$$\n")


@pytest.mark.parametrize("wrapped", [lambda m: m, lambda m: {"macros": m}, lambda m: {"tex": {"macros": m}}])
def test_a_json_macro_file_of_katex_or_mathjax_shape_defines_macros(tmp_path, capsys, wrapped):
    site = tmp_path / "macros.json"
    site.write_text(json.dumps(wrapped(SITE_JSON)), encoding="utf-8")
    code, steps = audit(tmp_path, capsys, POST, "--macros", str(site))
    assert code == 1 and verdicts(steps) == [PROVED, PROVED, REFUTED], steps


def test_a_tex_macro_file_defines_macros(tmp_path, capsys):
    site = tmp_path / "macros.tex"
    site.write_text("% site macros\n\\newcommand{\\sq}[1]{{#1}^{2}}\n\\newcommand{\\half}[1][1]{\\frac{#1}{2}}\n"
                    "\\def\\pair#1#2{(#1 + #2)}\n", encoding="utf-8")
    code, steps = audit(tmp_path, capsys, POST, "--macros", str(site))
    assert code == 1 and verdicts(steps) == [PROVED, PROVED, REFUTED], steps


def test_a_paper_section_reads_a_site_macro_file_and_its_own_renewcommand(tmp_path, capsys):
    site = tmp_path / "macros.json"
    site.write_text(json.dumps({"c": "3"}), encoding="utf-8")
    section = "\\section{Constants}\n\\[ \\c = 3 \\]\n\\renewcommand{\\c}{4}\n\\[ \\c = 3 \\]\n"
    code, steps = audit(tmp_path, capsys, section, "--macros", str(site), name="section.tex")
    assert code == 1 and verdicts(steps) == [PROVED, REFUTED], steps


@pytest.mark.parametrize("name, content, said", [
    ("macros.json", "{not json", "not a JSON macro map"),
    ("macros.json", '{"\\\\R": 5}', "a macro is a string"),
    ("macros.json", '{"\\\\a": ["#1", 12]}', "0-9"),
    ("macros.json", '{"\\\\a": "\\\\b", "b": "\\\\a"}', "does not finish expanding"),
    ("macros.json", '[]', "JSON object"),
    ("macros.tex", "just text\n", "no macro definitions"),
    ("macros.tex", "\\newcommand{\\a}[1]{#3}\n", "cannot read the definition"),
    ("missing.json", None, "no such file"),
])
def test_a_macro_file_that_cannot_be_used_is_a_one_line_error(tmp_path, capsys, name, content, said):
    site = tmp_path / name
    if content is not None:
        site.write_text(content, encoding="utf-8")
    document = tmp_path / "doc.md"
    document.write_text("$$1 = 1$$\n", encoding="utf-8")
    code = main(["audit", str(document), "--macros", str(site)])
    captured = capsys.readouterr()
    assert code == 2 and not captured.out and captured.err.count("\n") == 1 and said in captured.err, captured.err
