"""``mathcheck audit``: an instance of a defined name substitutes its argument into the body without letting a
bound index (a sum's, a product's) capture it: after ``A_a := \\sum_{j=1}^{d} a j``, ``A_j`` is j·d(d+1)/2, not
Σ_j j²."""
import json

import pytest

from mathcheck.cli import main
from mathcheck.report import HOLDS, PROVED

CAPTURES = {
    "sum index": ("$$A_a := \\sum_{j=1}^{d} a j$$", "$$A_j = \\sum_{j=1}^{d} j^2$$"),
    "sum limit and index": ("$$S_n := \\sum_{k=1}^n n k$$", "$$S_k = \\sum_{k=1}^{k} k^2$$"),
    "product index": ("$$P_a := \\prod_{j=1}^{d} a j$$", "$$P_j = \\prod_{j=1}^{d} j^2$$"),
}


def steps_of(tmp_path, capsys, text: str) -> list[dict]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), "--format", "json", "--no-cache"])
    captured = capsys.readouterr()
    assert code in (0, 1) and "internal error" not in captured.err, captured.err
    return json.loads(captured.out)["steps"]


@pytest.mark.parametrize("definition, claim", CAPTURES.values(), ids=CAPTURES.keys())
def test_a_bound_index_does_not_capture_the_argument_of_an_instance(tmp_path, capsys, definition, claim):
    text = f"Let $d$ be a positive integer.\n\n{definition}\n\n{claim}\n"
    claimed = steps_of(tmp_path, capsys, text)[-1]
    assert claimed["verdict"] not in (PROVED, HOLDS, "definition"), claimed
