"""A local OpenAI-compatible server for tests: the real openai client and langchain-openai talk
to it over loopback, so no test reaches the internet.

`FakeOpenAI(script)` serves POST /v1/chat/completions. Each request takes the next `Reply` from
the script (the last one repeats). A reply answers in kind: when the request asked for
structured output through `response_format` (json_schema / json_object) the answer is the
message content; when it sent `tools`, the answer is a tool call with the same JSON as
arguments. Every request body is kept in `.requests` for assertions.

Hostile servers: `Reply(html=...)` answers 200 with an HTML page; `finish_reason="length"` with a
cut `content` string is a truncated answer; `FakeOpenAI(script, reject_modes={"json_schema"})`
answers HTTP 500 to every request in that structured-output mode (like llama-cpp-python's server).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: Any = None  # dict/list -> JSON-encoded; str -> sent verbatim (e.g. malformed JSON)
    status: int = 200  # non-200: an OpenAI-style error body is sent with this status
    delay_s: float = 0.0  # sleep before answering (a timeout test sets this above the client's timeout)
    headers: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 812
    completion_tokens: int = 164
    html: str | None = None  # answer 200 text/html with this body: not an OpenAI-compatible endpoint
    finish_reason: str | None = None  # e.g. "length": the answer was cut at max_tokens


def request_mode(body: dict[str, Any]) -> str:
    """The structured-output mode a request asks for: json_schema, json_object, tools or text."""
    if body.get("response_format"):
        return str(body["response_format"].get("type"))
    return "tools" if body.get("tools") else "text"


class FakeOpenAI:
    def __init__(self, script: list[Reply], reject_modes: set[str] | frozenset[str] = frozenset()) -> None:
        self.script = list(script)
        self.reject_modes = set(reject_modes)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:  # keep test output clean
                return

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    n = len(fake.requests) - 1
                    reply = fake.script[min(n, len(fake.script) - 1)]
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": f"unknown path {self.path}", "type": "invalid_request_error"}})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if request_mode(body) in fake.reject_modes:
                    return self._send(500, {"error": {"message": f"{request_mode(body)} is not supported",
                                                      "type": "server_error", "code": None}})
                if reply.html is not None:
                    return self._send_raw(200, reply.html.encode(), "text/html; charset=utf-8")
                if reply.status != 200:
                    return self._send(reply.status, {"error": {"message": f"scripted {reply.status}",
                                                               "type": "rate_limit_error" if reply.status == 429 else "server_error",
                                                               "code": None}}, reply.headers)
                return self._send(200, fake.completion(body, reply, n), reply.headers)

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send_raw(status, json.dumps(payload).encode(), "application/json", headers)

            def _send_raw(self, status: int, data: bytes, content_type: str,
                          headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- answers
    @staticmethod
    def completion(request: dict[str, Any], reply: Reply, n: int) -> dict[str, Any]:
        text = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
        message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
        finish = "stop"
        if request.get("tools") and not request.get("response_format"):
            name = request["tools"][0]["function"]["name"]
            message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
                {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": text}}]}
            finish = "tool_calls"
        finish = reply.finish_reason or finish
        return {
            "id": f"chatcmpl-fake-{n}",
            "object": "chat.completion",
            "created": 1_790_000_000,
            "model": request.get("model", "fake-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
                      "total_tokens": reply.prompt_tokens + reply.completion_tokens},
        }
