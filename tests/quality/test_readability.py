"""Readability works offline: textstat's syllable counts use a local CMU dictionary and no
socket is ever opened (NLTK's downloader would open one)."""

from __future__ import annotations

import socket

import pytest

from fbopt.quality.readability import readability, readability_score


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **k: refuse(None, a[0] if a else None))
    import nltk

    def no_download(*args: object, **kwargs: object) -> bool:
        attempts.append(("nltk.download", args))
        return False

    monkeypatch.setattr(nltk, "download", no_download)
    return attempts


def test_syllable_metrics_work_with_sockets_blocked(no_network: list[object]) -> None:
    from fbopt.quality.readability import offline_textstat

    ts = offline_textstat()
    assert ts.syllable_count("every") == 3  # CMU: EH1 V ER0 IY0 (a hyphenator says 2)
    result = readability("The cat sat on the mat. It was a sunny day!")
    assert result["flesch_reading_ease"] > 90
    assert result["longest_sentence"] == 6
    assert no_network == []


def test_links_and_tags_are_not_prose_and_long_sentences_cost() -> None:
    short = readability("Come in. Coffee is on us! https://example.com/a-very-long-path #cafe")
    assert short["longest_sentence"] == 4
    long_text = " ".join(["we stayed and talked"] * 15) + "."
    assert readability(long_text)["longest_sentence"] == 60
    assert readability_score(90, 10) == 1.0
    assert readability_score(90, 60) == pytest.approx(0.6)
    assert readability_score(0, 0) == 0.0
