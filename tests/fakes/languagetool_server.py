"""A loopback HTTP server that speaks LanguageTool's v2 API (GET /v2/languages, POST /v2/check),
for driving the real language-tool-python client in tests.

Not a grammar checker: it knows a handful of regex rules (alot, teh, a repeated word, a lone
lowercase i) and answers in LanguageTool's JSON, offsets in UTF-16 code units as the Java server
counts them.

    python -m tests.fakes.languagetool_server      # prints "port N", serves until killed
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

LANGUAGES = [
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "German (Germany)", "code": "de", "longCode": "de-DE"},
]
# (rule id, category, issue type, pattern, replacement template, message)
RULES = [
    ("EN_A_LOT", "TYPOS", "misspelling", r"\balot\b", "a lot", "Did you mean 'a lot'?"),
    ("MORFOLOGIK_RULE_EN_US", "TYPOS", "misspelling", r"\bteh\b", "the",
     "Possible spelling mistake found."),
    ("ENGLISH_WORD_REPEAT_RULE", "MISC", "duplication", r"\b(\w+) \1\b", r"\1",
     "Possible typo: you repeated a word."),
    ("I_LOWERCASE", "CASING", "typographical", r"(?<![\w'])i(?![\w'])", "I",
     "The personal pronoun 'I' should be uppercase."),
]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check(text: str) -> list[dict[str, Any]]:
    matches = []
    for rule_id, category, issue, pattern, template, message in RULES:
        for m in re.finditer(pattern, text):
            offset, length = utf16_len(text[: m.start()]), utf16_len(m.group(0))
            matches.append({
                "message": message, "shortMessage": "",
                "replacements": [{"value": m.expand(template)}],
                "offset": offset, "length": length,
                "context": {"text": text, "offset": offset, "length": length},
                "sentence": text, "type": {"typeName": "Other"},
                "rule": {"id": rule_id, "description": message, "issueType": issue,
                         "category": {"id": category, "name": category.title()}},
            })
    return sorted(matches, key=lambda match: match["offset"])


class Handler(BaseHTTPRequestHandler):
    server: FakeLanguageTool

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if urlparse(self.path).path.rstrip("/") == "/v2/languages":
            self._send(200, LANGUAGES)
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        if urlparse(self.path).path.rstrip("/") != "/v2/check":
            self._send(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
        text = form.get("text", [""])[0]
        language = form.get("language", [""])[0]
        self.server.checked.append({"text": text, "language": language})
        self._send(200, {"software": {"name": "LanguageTool", "version": "6.4-fake"},
                         "language": {"name": "English (US)", "code": language},
                         "matches": check(text)})

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return None


class FakeLanguageTool(ThreadingHTTPServer):
    """`with FakeLanguageTool() as lt:` serves on a free loopback port; `lt.url` is its root."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.checked: list[dict[str, str]] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FakeLanguageTool:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


if __name__ == "__main__":
    with FakeLanguageTool() as server:
        print(f"port {server.server_address[1]}", flush=True)
        threading.Event().wait()
