"""A loopback HTTP receiver for alert webhooks: it keeps every POSTed JSON body, answering 200
like a Slack incoming webhook does (`ok`), or the status tests set.

Not a Slack fake beyond that: no signature or rate limit.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        self.server.posts.append({"content_type": self.headers.get("Content-Type"),
                                  "raw": raw.decode("utf-8"), "body": json.loads(raw)})
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class WebhookReceiver(ThreadingHTTPServer):
    """`with WebhookReceiver() as hook:` ... `hook.url`, `hook.posts`."""

    def __init__(self, status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[dict[str, Any]] = []
        self.status = status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/alerts"

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
