"""A loopback HTTP server that speaks the OpenAI, Anthropic, Cohere v2 and Gemini wire protocols,
for driving the real SDKs in tests and measurement scripts.

Not a model: replies are made from the request text. Tests enqueue actions (an HTTP error with
headers, a hang past the client's timeout, a malformed body) that the next requests consume.

    python -m tests.fakes.llm_server --delay 0.2     # prints "port N", serves until killed
"""

from __future__ import annotations

import argparse
import collections
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests",
           500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Action:
    """What the server does for one request. kind: ok, status, hang, malformed."""

    kind: str = "ok"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = "fake error"
    echo_key: bool = False


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeState:
    """Shared between handler threads: the action queue, what was seen, in-flight counts."""

    def __init__(self, delay: float, usage: tuple[int, int]) -> None:
        self.delay = delay
        self.usage = usage
        self.actions: collections.deque[Action] = collections.deque()
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def begin(self, seen: Seen) -> Action:
        with self.lock:
            self.seen.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.actions.popleft() if self.actions else Action()

    def end(self) -> None:
        with self.lock:
            self.in_flight -= 1


def _user_text(path: str, body: dict[str, Any]) -> tuple[str, str]:
    """(model, last user message) from any of the four request shapes."""
    if "contents" in body:
        model = path.split("/models/")[-1].split(":")[0]
        parts = body["contents"][-1].get("parts", [])
        return model, " ".join(p.get("text", "") for p in parts)
    message = body.get("messages", [{}])[-1]
    content = message.get("content", "")
    if isinstance(content, list):
        content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
    return str(body.get("model", "")), str(content)


def reply_text(model: str, prompt: str) -> str:
    topic = prompt.split("Topic:", 1)[-1].strip().splitlines()[0] if "Topic:" in prompt else prompt
    return f"Here is what {model} thinks about {topic[:80]}. Tell us yours below! #fake"


def _ok_body(path: str, body: dict[str, Any], usage: tuple[int, int]) -> dict[str, Any]:
    model, prompt = _user_text(path, body)
    text = reply_text(model, prompt)
    tin, tout = usage
    if path.endswith("/chat/completions"):
        return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": tin, "completion_tokens": tout,
                          "total_tokens": tin + tout}}
    if path.endswith("/messages"):
        return {"id": "msg_1", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "stop_sequence": None, "usage": {"input_tokens": tin, "output_tokens": tout}}
    if path.endswith("/chat"):
        return {"id": "c1", "finish_reason": "COMPLETE",
                "message": {"role": "assistant", "content": [{"type": "text", "text": text}]},
                "usage": {"billed_units": {"input_tokens": tin, "output_tokens": tout},
                          "tokens": {"input_tokens": tin, "output_tokens": tout}}}
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": tout,
                              "totalTokenCount": tin + tout}, "modelVersion": model}


def _error_body(path: str, status: int, message: str) -> dict[str, Any]:
    if path.endswith("/chat/completions"):
        return {"error": {"message": message, "type": "server_error", "code": None}}
    if path.endswith("/messages"):
        return {"type": "error", "error": {"type": "api_error", "message": message}}
    if path.endswith("/chat"):
        return {"message": message}
    return {"error": {"code": status, "message": message, "status": "UNAVAILABLE"}}


def _key(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    return (auth.removeprefix("Bearer ").strip() or headers.get("x-api-key", "")
            or headers.get("x-goog-api-key", ""))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?", 1)[0]
        state = self.server.state
        action = state.begin(Seen(path, headers, json.loads(raw or b"{}")))
        try:
            self._answer(action, path, headers, state)
        finally:
            state.end()

    def _answer(self, action: Action, path: str, headers: dict[str, str],
                state: FakeState) -> None:
        if state.delay:
            time.sleep(state.delay)
        if action.kind == "hang":
            time.sleep(action.seconds)
            self.close_connection = True
            return
        if action.kind == "malformed":
            self._send(200, b'{"choices": [ this is not json', {})
            return
        if action.kind == "status":
            message = action.message + (f" (key {_key(headers)})" if action.echo_key else "")
            payload = json.dumps(_error_body(path, action.status, message)).encode()
            self._send(action.status, payload, action.headers)
            return
        seen = state.seen[-1]
        self._send(200, json.dumps(_ok_body(path, seen.body, state.usage)).encode(), {})

    def _send(self, status: int, body: bytes, extra: dict[str, str]) -> None:
        """Status line, headers and body in one write: no Nagle delay between them."""
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.wfile.write(head + body)
        self.wfile.flush()


class FakeServer(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, delay: float = 0.0, usage: tuple[int, int] = (120, 60)) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = FakeState(delay, usage)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def enqueue(self, *actions: Action) -> None:
        with self.state.lock:
            self.state.actions.extend(actions)

    @property
    def seen(self) -> list[Seen]:
        return self.state.seen

    def __enter__(self) -> FakeServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    server = FakeServer(delay=args.delay)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
