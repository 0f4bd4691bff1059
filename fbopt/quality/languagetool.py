"""The LanguageTool grammar backend, through language-tool-python: a server you name by URL, or
a LanguageTool already installed on this machine.

Not for downloading LanguageTool: fbopt never fetches anything at run time, so a missing server
or install is one ConfigError that says how to get one.
"""

from __future__ import annotations

import shutil
from typing import Any

from fbopt.errors import ConfigError
from fbopt.quality.grammar import GrammarIssue
from fbopt.quality.spans import overlaps, protected_spans

HOW_TO_GET = ("start a LanguageTool server (e.g. `docker run -p 8010:8010 "
              "erikvl87/languagetool`) and pass --languagetool-url http://localhost:8010, or use "
              "the default --grammar-backend harper")


class LanguageToolBackend:
    """Checks text with a LanguageTool server (remote when `url` is given, else a local install)."""

    name = "languagetool"

    def __init__(self, url: str = "", language: str = "en-US") -> None:
        try:
            import language_tool_python as ltp
        except ImportError as exc:
            raise ConfigError("language-tool-python is not installed",
                              hint="pip install language-tool-python") from exc
        self.url = url
        self.tool = self._remote(ltp, url, language) if url else self._local(ltp, language)

    @staticmethod
    def _remote(ltp: Any, url: str, language: str) -> Any:
        try:
            return ltp.LanguageTool(language, remote_server=url)
        except Exception as exc:  # the SDK raises requests, LanguageTool and value errors alike
            raise ConfigError(f"cannot use the LanguageTool server at {url}: {_short(exc)}",
                              hint="check the URL and that the server is running; "
                                   + HOW_TO_GET) from exc

    @staticmethod
    def _local(ltp: Any, language: str) -> Any:
        from language_tool_python.download_lt import LocalLanguageTool

        installed = LocalLanguageTool.get_latest_installed_version()
        if installed is None:
            raise ConfigError("LanguageTool is not installed on this machine and no server URL "
                              "was given", hint=HOW_TO_GET)
        if shutil.which("java") is None:
            raise ConfigError("LanguageTool is installed but Java is not on PATH",
                              hint="install Java 17 or newer, or " + HOW_TO_GET)
        try:
            return ltp.LanguageTool(language,
                                    language_tool_download_version=installed.version_name)
        except Exception as exc:
            raise ConfigError(f"cannot start the local LanguageTool: {_short(exc)}",
                              hint=HOW_TO_GET) from exc

    def check(self, text: str) -> list[GrammarIssue]:
        if not text.strip():
            return []
        try:
            matches = self.tool.check(text)
        except Exception as exc:
            raise ConfigError(f"LanguageTool failed while checking: {_short(exc)}",
                              hint=HOW_TO_GET) from exc
        spans = protected_spans(text)
        issues = []
        for match in matches:
            start, length = int(match.offset), int(match.error_length)
            if overlaps(start, start + length, spans):
                continue
            options = tuple(str(r) for r in match.replacements[:5])
            issues.append(GrammarIssue(
                kind=str(getattr(match, "category", "") or match.rule_issue_type),
                message=str(match.message), offset=start, length=length,
                suggestion=options[0] if options else None, rule=str(match.rule_id),
                suggestions=options))
        return issues

    def close(self) -> None:
        try:
            self.tool.close()
        except Exception:  # closing a remote client must never hide the run's own result
            pass


def _short(exc: BaseException) -> str:
    """The error in a few words: the operating system's reason when one lies underneath the
    SDK's and requests' wrappers ("Connection refused"), else the first line, cut short."""
    seen: set[int] = set()
    inner: BaseException | None = exc
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror
        inner = inner.__cause__ or inner.__context__
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
