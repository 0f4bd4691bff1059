"""A loopback HTTP server that speaks the OpenAI, Anthropic, Cohere v2 and Gemini wire protocols
(and OpenAI's Batch API, tests.fakes.batch_api),
for driving the real SDKs in tests and measurement scripts.

Not a model: replies are made from the request text. Tests enqueue actions (an HTTP error with
headers, a hang past the client's timeout, a malformed, truncated or empty body) that the next
requests consume. With `faults=0.3` the server also fails about 30% of requests on its own, with
one of FAULT_KINDS, decided by a hash of (seed, request, attempt number of that request): the
same rows fail the same way whatever the concurrency. `attempts` and `answered` count each
distinct request body (request_key), so tests can prove no row was asked for twice.

    python -m tests.fakes.llm_server --delay 0.2 --faults 0.3   # prints "port N", serves
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.batch_api import BatchState

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


FAULT_KINDS = ("429", "500", "hang", "truncated", "malformed", "empty")


@dataclass
class Action:
    """What the server does for one request. kind: ok (after `seconds`), status, hang,
    malformed (a body that is not JSON), truncated (the connection closes mid-body), empty
    (a well-formed answer with no text)."""

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

    def __init__(self, delay: float, usage: tuple[int, int], faults: float = 0.0,
                 seed: int = 0, hang: float = 2.0) -> None:
        self.delay = delay
        self.usage = usage
        self.faults, self.seed, self.hang = faults, seed, hang
        self.actions: collections.deque[Action] = collections.deque()
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.attempts: collections.Counter[str] = collections.Counter()
        self.faults_sent: collections.Counter[str] = collections.Counter()
        self.answered: collections.Counter[str] = collections.Counter()

    def begin(self, seen: Seen) -> Action:
        with self.lock:
            self.seen.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            key = request_key(seen.body)
            self.attempts[key] += 1
            if self.actions:
                return self.actions.popleft()
            return self._fault(key, self.attempts[key])

    def _fault(self, key: str, attempt: int) -> Action:
        """The seeded fault for this request's nth attempt, or a plain answer."""
        if self.faults <= 0:
            return Action()
        digest = hashlib.sha256(f"{self.seed}|{attempt}|{key}".encode()).digest()
        if int.from_bytes(digest[:8], "big") / 2**64 >= self.faults:
            return Action()
        kind = FAULT_KINDS[digest[8] % len(FAULT_KINDS)]
        self.faults_sent[kind] += 1
        if kind in ("429", "500"):
            return Action("status", int(kind), {"retry-after-ms": "10"} if kind == "429" else {})
        return Action(kind, seconds=self.hang)

    def end(self) -> None:
        with self.lock:
            self.in_flight -= 1


def request_key(body: dict[str, Any]) -> str:
    """One request's identity: its whole body (model, messages, seed), canonically."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]


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


def _ok_body(path: str, body: dict[str, Any], usage: tuple[int, int],
             empty: bool = False) -> dict[str, Any]:
    model, prompt = _user_text(path, body)
    text = "" if empty else reply_text(model, prompt)
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
        if len(raw) < length:  # the client died mid-request: no provider would answer it
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?", 1)[0]
        if path.endswith("/messages/batches"):  # Anthropic's Message Batches
            self._send(200, json.dumps(self.server.batches.create_anthropic(json.loads(raw)))
                       .encode(), {})
            return
        if path.endswith(("/files", "/batches")):  # the Batch API (tests.fakes.batch_api)
            self._batch_post(path, headers, raw)
            return
        state = self.server.state
        seen = Seen(path, headers, json.loads(raw or b"{}"))
        action = state.begin(seen)
        try:
            self._answer(action, path, headers, state, seen)
        finally:
            state.end()

    def _batch_post(self, path: str, headers: dict[str, str], raw: bytes) -> None:
        batches = self.server.batches
        if path.endswith("/files"):
            answer = batches.upload(headers.get("content-type", ""), raw)
        else:
            answer = batches.create(json.loads(raw))
        self._send(200, json.dumps(answer).encode(), {})

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = self.path.split("?", 1)[0]
        batches = self.server.batches
        if "/messages/batches/" in path:
            batch_id = path.split("/messages/batches/", 1)[1].split("/", 1)[0]
            if path.endswith("/results"):
                body = batches.results_anthropic(batch_id)
            else:
                found = batches.retrieve_anthropic(batch_id, self.server.url)
                body = None if found is None else json.dumps(found).encode()
        elif "/batches/" in path:
            found = batches.retrieve(path.rsplit("/", 1)[1])
            body = None if found is None else json.dumps(found).encode()
        elif path.endswith("/content"):
            body = batches.content(path.split("/files/", 1)[1].split("/", 1)[0])
        else:
            body = None
        if body is None:
            self._send(404, json.dumps(_error_body("/chat/completions", 404, "no such object"))
                       .encode(), {})
            return
        self._send(200, body, {})

    def _answer(self, action: Action, path: str, headers: dict[str, str],
                state: FakeState, seen: Seen) -> None:
        if state.delay:
            time.sleep(state.delay)
        if action.kind in ("hang", "ok") and action.seconds:
            time.sleep(action.seconds)
        if action.kind == "hang":
            self.close_connection = True
            return
        if action.kind == "malformed":
            self._send(200, b'{"choices": [ this is not json', {})
            return
        # This request's own body: under concurrency, seen[-1] may be another one's.
        if action.kind in ("truncated", "empty"):
            body = json.dumps(_ok_body(path, seen.body, state.usage, empty=True)).encode()
            if action.kind == "truncated":  # promise the whole body, send half, hang up
                self._send(200, body[: len(body) // 2], {}, length=len(body))
                self.close_connection = True
                return
            self._send(200, body, {})
            return
        if action.kind == "status":
            message = action.message + (f" (key {_key(headers)})" if action.echo_key else "")
            payload = json.dumps(_error_body(path, action.status, message)).encode()
            self._send(action.status, payload, action.headers)
            return
        self._send(200, json.dumps(_ok_body(path, seen.body, state.usage)).encode(), {})
        with state.lock:
            state.answered[request_key(seen.body)] += 1

    def _send(self, status: int, body: bytes, extra: dict[str, str],
              length: int | None = None) -> None:
        """Status line, headers and body in one write: no Nagle delay between them."""
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
                 "Content-Type: application/json",
                 f"Content-Length: {len(body) if length is None else length}"]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.wfile.write(head + body)
        self.wfile.flush()


class FakeServer(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, delay: float = 0.0, usage: tuple[int, int] = (120, 60),
                 faults: float = 0.0, seed: int = 0, hang: float = 2.0) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = FakeState(delay, usage, faults, seed, hang)
        self.batches = BatchState(usage=usage)
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
    parser.add_argument("--faults", type=float, default=0.0, help="share of requests to fail")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault schedule")
    args = parser.parse_args()
    server = FakeServer(delay=args.delay, faults=args.faults, seed=args.seed)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
