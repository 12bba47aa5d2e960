"""A case of the adversarial suite: a small Markdown document, its kind and, for a false case, where the false
step is."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    text: str
    at: str | None = None  # false cases: a substring of the line(s) holding the false step; None: the last display
    mixed: bool = False  # false cases: the target line also holds true steps (only one step there must be flagged)

    def target_lines(self) -> set[int]:
        """The 1-based lines on which the false step is written."""
        lines = self.text.splitlines()
        if self.at is not None:
            found = {n for n, line in enumerate(lines, 1) if self.at in line}
            if not found:
                raise ValueError(f"case {self.id}: {self.at!r} is not in the document")
            return found
        dollars = [n for n, line in enumerate(lines, 1) for _ in range(line.count("$$"))]
        if len(dollars) < 2:
            return set(range(1, len(lines) + 1))
        return set(range(dollars[-2], dollars[-1] + 1))


def display(*sources: str) -> str:
    """Each source as its own ``$$...$$`` display, one per line, separated by blank lines."""
    return "\n\n".join(f"$${source}$$" for source in sources) + "\n"


def prose(sentence: str, *sources: str) -> str:
    """A prose paragraph (declarations), then the displays."""
    return sentence + "\n\n" + display(*sources)


def aligned(*rows: str, environment: str = "aligned") -> str:
    """One display with an environment whose rows are each on their own line."""
    body = " \\\\\n".join(rows)
    return f"$$\n\\begin{{{environment}}}\n{body}\n\\end{{{environment}}}\n$$\n"
