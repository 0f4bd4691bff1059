"""Text edits that strategies propose, and applying them safely: no two edits overlap and no edit
touches a protected span (URL, e-mail, @mention, #hashtag, number, price, quoted text).

Not for deciding what to change (the strategies) or whether a change helps (the enhancer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fbopt.quality.spans import overlaps, protected_spans


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `replacement` (start == end inserts)."""

    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end:]


def safe_edits(text: str, edits: Iterable[Edit]) -> list[Edit]:
    """The edits that can be applied together: in order of position, an edit that overlaps an
    earlier kept one or a protected span, that changes nothing, or that inserts what the edit
    just before it already ends with, is dropped."""
    spans = protected_spans(text)
    kept: list[Edit] = []
    end = -1
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if text[edit.start:edit.end] == edit.replacement:
            continue
        if edit.start < end or (edit.start == end and kept and kept[-1].start == end):
            continue
        if edit.start == edit.end == end and kept and kept[-1].replacement.endswith(
                edit.replacement):
            continue  # "For example" -> "For example," already put the comma this adds
        if overlaps(edit.start, edit.end, spans):
            continue
        kept.append(edit)
        end = edit.end
    return kept


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with every safe edit applied (right to left, so offsets stay valid)."""
    for edit in reversed(safe_edits(text, edits)):
        text = edit.apply(text)
    return text
