"""A loopback OpenAI-compatible chat server that answers after a fixed delay, for benchmarks.

Not a test double for error paths (tests/fakes/ has those): it answers every well-formed
`POST /v1/chat/completions` with a plausible post in the OpenAI wire format, so provider
overhead and concurrency efficiency can be measured with no network.

    python -m fbopt.bench.loopback --delay-ms 50    # prints "listening on URL", serves until killed

asyncio, one task per connection, HTTP/1.1 keep-alive, a listen backlog of 128, TCP_NODELAY and
one write per response: the server should never be what limits the client being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import select
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

from fbopt.errors import ConfigError

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
_TOPIC = re.compile(r"(?:topic|about)\s*[:\-]?\s*[\"']?([^\n\"'.?!]{3,80})", re.IGNORECASE)


class LoopbackLLM:
    """The server. `stats` counts requests and the most requests in flight at once."""

    def __init__(self, delay_s: float = 0.05, host: str = "127.0.0.1", port: int = 0,
                 backlog: int = 128) -> None:
        self.delay_s = max(0.0, delay_s)
        self.host, self.port, self.backlog = host, port, backlog
        self.stats = {"requests": 0, "bad_requests": 0, "in_flight": 0, "max_in_flight": 0}
        self._server: asyncio.base_events.Server | None = None
        from fbopt.providers.offline import OfflineComposer

        self._composer = OfflineComposer()

    async def start(self) -> str:
        """Listen and return the base URL (ending in /v1) to give the OpenAI client."""
        self._server = await asyncio.start_server(self._connection, self.host, self.port,
                                                  backlog=self.backlog, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return f"http://{self.host}:{self.port}/v1"

    async def serve_forever(self) -> None:
        assert self._server is not None, "call start() first"
        async with self._server:
            await self._server.serve_forever()

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # Small responses must not wait for Nagle's algorithm: that alone adds ~40 ms.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        method, path, headers = parse_head(head)
        length = int(headers.get("content-length") or 0)
        body = await reader.readexactly(length) if length else b""
        status, payload = await self.respond(method, path, body)
        keep_alive = headers.get("connection", "").lower() != "close"
        writer.write(http_response(status, payload, keep_alive))  # one write per response
        await writer.drain()
        return keep_alive

    async def respond(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        route = path.split("?", 1)[0].rstrip("/")
        if route == "/_stats":
            return 200, dict(self.stats)
        if route in ("/v1/models", "/models"):
            return 200, {"object": "list", "data": [{"id": "loopback", "object": "model",
                                                     "created": 0, "owned_by": "fbopt"}]}
        if route not in CHAT_PATHS:
            return 404, error_body(f"no route for {route}", "not_found")
        if method != "POST":
            return 405, error_body("use POST", "method_not_allowed")
        try:
            request = json.loads(body or b"{}")
            messages = request["messages"]
            if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
                raise TypeError("messages must be a list of objects")
        except (ValueError, KeyError, TypeError):
            self.stats["bad_requests"] += 1
            return 400, error_body("the body must be JSON with a 'messages' list",
                                   "invalid_request_error")
        return 200, await self._chat(request, messages)

    async def _chat(self, request: dict[str, Any], messages: list[Any]) -> dict[str, Any]:
        self.stats["requests"] += 1
        self.stats["in_flight"] += 1
        self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.stats["in_flight"])
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            return self.completion(request, messages)
        finally:
            self.stats["in_flight"] -= 1

    def completion(self, request: dict[str, Any], messages: list[Any]) -> dict[str, Any]:
        """An OpenAI `chat.completion` object whose text is a post about the prompt's topic."""
        from fbopt.providers.base import CompletionRequest
        from fbopt.providers.offline import estimate_tokens

        prompt = " ".join(message_text(m) for m in messages)
        user = message_text(messages[-1]) if messages else ""
        match = _TOPIC.search(user)
        topic = (match.group(1) if match else user[:60]).strip() or "what's new with us"
        model = str(request.get("model", "loopback"))
        text = self._composer.compose(CompletionRequest(model=model, prompt=user, topic=topic,
                                                        seed=len(prompt)))
        tokens_in, tokens_out = estimate_tokens(prompt), estimate_tokens(text)
        return {
            "id": f"chatcmpl-loopback-{self.stats['requests']}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fbopt-loopback",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": text, "refusal": None}}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                      "total_tokens": tokens_in + tokens_out},
        }


def message_text(message: Any) -> str:
    content = message.get("content", "") if isinstance(message, dict) else ""
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return str(content or "")


def error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("GET", "/")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, path, headers


def http_response(status: int, payload: dict[str, Any], keep_alive: bool = True) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n")
    return head.encode() + body


class LoopbackProcess:
    """Runs the server in its own process (so it never competes for this one's GIL):
    `with LoopbackProcess(delay_ms=50) as server: server.base_url ... server.stats()`."""

    def __init__(self, delay_ms: float = 50.0, start_timeout_s: float = 20.0) -> None:
        self.delay_ms = delay_ms
        self.start_timeout_s = start_timeout_s
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> LoopbackProcess:
        cmd = [sys.executable, "-m", "fbopt.bench.loopback", "--delay-ms", str(self.delay_ms)]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], self.start_timeout_s)
        line = self._proc.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            self.close()
            raise ConfigError("the loopback benchmark server did not start",
                              hint="run `python -m fbopt.bench.loopback` to see why")
        self.base_url = line.split("listening on ", 1)[1].strip()
        return self

    def stats(self) -> dict[str, Any]:
        root = self.base_url.rsplit("/v1", 1)[0]
        with urllib.request.urlopen(f"{root}/_stats", timeout=5) as reply:
            data: dict[str, Any] = json.load(reply)
        return data

    def close(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _serve(args: argparse.Namespace) -> None:
    server = LoopbackLLM(args.delay_ms / 1000.0, args.host, args.port, args.backlog)
    url = await server.start()
    print(f"listening on {url}", flush=True)
    await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="answer after this long")
    parser.add_argument("--backlog", type=int, default=128, help="listen queue size")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
