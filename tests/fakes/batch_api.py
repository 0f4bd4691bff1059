"""The OpenAI Batch API on the loopback server (tests.fakes.llm_server): `POST /v1/files`
(multipart, purpose batch), `POST /v1/batches`, `GET /v1/batches/{id}`,
`GET /v1/files/{id}/content`; and Anthropic's Message Batches (`POST /v1/messages/batches`,
`GET /v1/messages/batches/{id}`, `GET /v1/messages/batches/{id}/results`).

Not a scheduler: a batch reads `in_progress` for `polls_before_done` polls, then ends with
`final_status`; its answers are made like the online ones (reply_text), written in reverse order
so a client that trusts the order is caught. `submissions` counts batches created per input
file content, so a test can prove a batch was submitted exactly once.
"""

from __future__ import annotations

import collections
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeBatch:
    id: str
    input_file_id: str
    endpoint: str
    lines: list[dict[str, Any]]
    polls: int = 0
    status: str = "validating"
    output_file_id: str | None = None
    error_file_id: str | None = None


@dataclass
class BatchState:
    """What the batch endpoints share; tests set the knobs before the run."""

    polls_before_done: int = 1
    final_status: str = "completed"  # or expired, cancelled, failed
    fail_ids: set[str] = field(default_factory=set)  # custom_ids answered with an error line
    usage: tuple[int, int] = (120, 60)
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, FakeBatch] = field(default_factory=dict)
    submissions: collections.Counter[str] = field(default_factory=collections.Counter)
    polls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def upload(self, content_type: str, raw: bytes) -> dict[str, Any]:
        fields = parse_multipart(content_type, raw)
        if fields.get("purpose") != b"batch":
            raise ValueError("purpose must be batch")
        with self.lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = fields["file"]
        return _file_object(file_id, len(fields["file"]), "batch")

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            data = self.files[body["input_file_id"]]
            lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
            batch = FakeBatch(f"batch_{len(self.batches) + 1}", body["input_file_id"],
                              body["endpoint"], lines)
            self.batches[batch.id] = batch
            self.submissions[hashlib.sha256(data).hexdigest()[:16]] += 1
        return _batch_object(batch)

    def retrieve(self, batch_id: str) -> dict[str, Any] | None:
        with self.lock:
            self.polls += 1
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            batch.polls += 1
            if batch.polls <= self.polls_before_done:
                batch.status = "in_progress"
            elif batch.output_file_id is None and batch.error_file_id is None:
                self._finish(batch)
            return _batch_object(batch)

    def _finish(self, batch: FakeBatch) -> None:
        from tests.fakes.llm_server import _ok_body

        batch.status = self.final_status
        if self.final_status == "failed":
            return
        # An expired or cancelled batch answers the first half; the rest never ran.
        whole = self.final_status == "completed"
        done = batch.lines if whole else batch.lines[:len(batch.lines) // 2]
        out, err = [], []
        for n, line in enumerate(reversed(done)):
            cid = line["custom_id"]
            if cid in self.fail_ids:
                body = {"error": {"message": f"fake batch error for {cid}", "type": "server_error"}}
                err.append({"id": f"batch_req_e{n}", "custom_id": cid, "error": None,
                            "response": {"status_code": 500, "request_id": f"r{n}", "body": body}})
                continue
            answer = _ok_body("/chat/completions", line["body"], self.usage)
            out.append({"id": f"batch_req_{n}", "custom_id": cid, "error": None,
                        "response": {"status_code": 200, "request_id": f"r{n}", "body": answer}})
        if self.final_status != "completed":
            err += [{"id": f"batch_req_x{n}", "custom_id": line["custom_id"], "response": None,
                     "error": {"code": f"batch_{self.final_status}",
                               "message": f"This request could not be executed before the "
                                          f"batch was {self.final_status}."}}
                    for n, line in enumerate(batch.lines[len(done):])]
        if out:
            batch.output_file_id = self._store(out)
        if err:
            batch.error_file_id = self._store(err)

    def _store(self, records: list[dict[str, Any]]) -> str:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = "".join(json.dumps(r) + "\n" for r in records).encode()
        return file_id

    def create_anthropic(self, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /v1/messages/batches`: the requests come inline, each with its params."""
        with self.lock:
            lines = [{"custom_id": r["custom_id"], "body": r["params"]} for r in body["requests"]]
            batch = FakeBatch(f"msgbatch_{len(self.batches) + 1}", "", "/v1/messages", lines)
            self.batches[batch.id] = batch
            raw = json.dumps(body["requests"], sort_keys=True).encode()
            self.submissions[hashlib.sha256(raw).hexdigest()[:16]] += 1
        return _message_batch(batch, "")

    def retrieve_anthropic(self, batch_id: str, base_url: str) -> dict[str, Any] | None:
        with self.lock:
            self.polls += 1
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            batch.polls += 1
            if batch.polls > self.polls_before_done and batch.output_file_id is None:
                batch.output_file_id = self._store(self._anthropic_results(batch))
            return _message_batch(batch, base_url)

    def _anthropic_results(self, batch: FakeBatch) -> list[dict[str, Any]]:
        from tests.fakes.llm_server import _ok_body

        whole = self.final_status == "completed"
        done = batch.lines if whole else batch.lines[:len(batch.lines) // 2]
        kind = {"cancelled": "canceled"}.get(self.final_status, self.final_status)
        out = []
        for line in batch.lines[len(done):]:
            out.append({"custom_id": line["custom_id"], "result": {"type": kind}})
        for line in reversed(done):
            cid = line["custom_id"]
            if cid in self.fail_ids:
                error = {"type": "error", "error": {"type": "api_error",
                                                    "message": f"fake batch error for {cid}"}}
                out.append({"custom_id": cid, "result": {"type": "errored", "error": error}})
            else:
                message = _ok_body("/messages", line["body"], self.usage)
                out.append({"custom_id": cid, "result": {"type": "succeeded",
                                                         "message": message}})
        return out

    def results_anthropic(self, batch_id: str) -> bytes | None:
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None or batch.output_file_id is None:
                return None
            return self.files[batch.output_file_id]

    def content(self, file_id: str) -> bytes | None:
        with self.lock:
            return self.files.get(file_id)


def parse_multipart(content_type: str, raw: bytes) -> dict[str, bytes]:
    """name -> value of a multipart/form-data body (what the SDK's files.create sends)."""
    boundary = content_type.split("boundary=", 1)[1].strip().strip('"').encode()
    fields: dict[str, bytes] = {}
    for part in raw.split(b"--" + boundary):
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep or b'name="' not in head:
            continue
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        fields[name] = value.removesuffix(b"\r\n")
    return fields


def _file_object(file_id: str, size: int, purpose: str) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "bytes": size, "created_at": 1,
            "filename": "input.jsonl", "purpose": purpose, "status": "processed"}


def _message_batch(batch: FakeBatch, base_url: str) -> dict[str, Any]:
    ended = batch.output_file_id is not None
    url = f"{base_url}/v1/messages/batches/{batch.id}/results" if ended else None
    n = len(batch.lines)
    return {"id": batch.id, "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {"processing": 0 if ended else n, "succeeded": n if ended else 0,
                               "errored": 0, "canceled": 0, "expired": 0},
            "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T01:00:00Z" if ended else None, "archived_at": None,
            "cancel_initiated_at": None, "results_url": url}


def _batch_object(batch: FakeBatch) -> dict[str, Any]:
    total = len(batch.lines)
    return {"id": batch.id, "object": "batch", "endpoint": batch.endpoint,
            "input_file_id": batch.input_file_id, "completion_window": "24h",
            "status": batch.status, "created_at": 1, "output_file_id": batch.output_file_id,
            "error_file_id": batch.error_file_id, "errors": None,
            "request_counts": {"total": total, "completed": 0, "failed": 0}}
