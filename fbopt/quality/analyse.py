"""The per-text half of scoring: grammar issues, readability and sentiment for one text, run in
this process or in a pool worker (one grammar backend, so one Harper Linter, per process).

Not for scores that need the whole batch or run (signals, engagement, creativity) or for
combining them: fbopt.quality.score does that in the parent process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fbopt.quality.grammar import GrammarBackend, GrammarIssue, make_backend
from fbopt.quality.house_rules import check_text
from fbopt.quality.readability import readability
from fbopt.quality.sentiment import analyser, sentiment
from fbopt.quality.spelling import syllable_table


@dataclass(frozen=True)
class AnalyserSettings:
    """What a worker needs to build its grammar backend. Picklable."""

    backend: str = "harper"
    harper_rules: str = "fast"
    dialect: str = "american"
    languagetool_url: str = ""
    language: str = "en-US"
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextAnalysis:
    """What one text's analysis found: grammar issues, its word count, readability and sentiment
    measurements (see fbopt.quality.readability and .sentiment for the keys)."""

    issues: tuple[GrammarIssue, ...] = ()
    words: int = 0
    readability: dict[str, float] = field(default_factory=dict)
    sentiment: dict[str, float] = field(default_factory=dict)


class TextAnalyser:
    def __init__(self, settings: AnalyserSettings) -> None:
        self.settings = settings
        self.backend: GrammarBackend = make_backend(
            settings.backend, harper_rules=settings.harper_rules, dialect=settings.dialect,
            languagetool_url=settings.languagetool_url, language=settings.language,
            enable=settings.enable, disable=settings.disable)
        syllable_table()  # read once per process, before the first text
        analyser()

    def analyse(self, text: str) -> TextAnalysis:
        if not text.strip():
            return TextAnalysis(readability=readability(""), sentiment=sentiment(""))
        return TextAnalysis(issues=tuple(check_text(self.backend, text)), words=len(text.split()),
                            readability=readability(text), sentiment=sentiment(text))

    def analyse_many(self, texts: Sequence[str]) -> list[TextAnalysis]:
        return [self.analyse(text) for text in texts]

    def close(self) -> None:
        self.backend.close()


# Harper analysers are kept for the process's life, one per settings: building one costs about
# a second and a process may score several runs (the Python API, tests). A Linter is not
# thread-safe: scoring in one process happens on one thread at a time.
_SHARED: dict[AnalyserSettings, TextAnalyser] = {}


def shared_analyser(settings: AnalyserSettings) -> TextAnalyser:
    """This process's analyser for `settings` (LanguageTool clients are not shared)."""
    if settings.backend != "harper":
        return TextAnalyser(settings)
    if settings not in _SHARED:
        _SHARED[settings] = TextAnalyser(settings)
    return _SHARED[settings]


def warm_up(_: Any = None) -> tuple[int, float]:
    """A no-op task that returns once the worker's initializer has finished: the worker's pid
    and the CPU seconds it has used so far (for measurement scripts)."""
    import os
    import time

    return os.getpid(), time.process_time()
