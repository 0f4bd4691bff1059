"""Protected spans: what no checker may flag and no strategy may change."""

from __future__ import annotations

import pytest

from fbopt.quality.spans import protected_spans, spans_preserved


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s:e], kind) for s, e, kind in protected_spans(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # links as news pages write them, without a scheme
    ("Read it at usat.ly/2sLU5BM now.", [("usat.ly/2sLU5BM", "url")]),
    ("More at nytimes.com.", [("nytimes.com", "url")]),
    ("https://x.io/a?b=1, then", [("https://x.io/a?b=1", "url")]),
    # amounts with a unit, and decades
    ("an extra $45bn and 3tn more", [("$45bn", "number"), ("3tn", "number")]),
    ("the 1990s were", [("1990s", "number")]),
    # British news quotes in single quotes, curly or straight
    ("the 'clash of civilisations' speech", [("'clash of civilisations'", "quote")]),
    ("he said ‘not today’ twice", [("‘not today’", "quote")]),
])
def test_spans_news_posts_need(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "don't stop: the dogs' bowls and the cats' toys",  # apostrophes are no quotes
    "Trump Jr. kept his word.",                        # an abbreviation is no domain
    "It ended.Then it began.",                         # a missing space is no link
    "e-mail me at ana@example.com",
])
def test_ordinary_text_is_not_protected(text: str) -> None:
    assert [kind for _, kind in found(text)] in ([], ["email"])


def test_a_rewrite_must_keep_every_span_in_order() -> None:
    before = "Costs $45bn, see usat.ly/2sLU5BM"
    assert spans_preserved(before, before.replace("Costs", "It costs"))
    assert not spans_preserved(before, before.replace("$45bn", "$45be"))
    assert not spans_preserved(before, before.replace("usat.ly", "us at.ly"))
