"""Why a model call gave no usable answer, in words an operator can act on.

Each failure has a short `kind` (counted in the run summary and the eval figures), a message and
whether trying again can help. HTTP rejections of a structured-output mode (400/422/5xx) let the
negotiation move on to the next mode instead of retrying the same request.
"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_triage.agent.redact import redact


@dataclass
class LlmFailure(Exception):
    kind: str
    message: str
    retryable: bool = False
    mode_rejected: bool = False  # the server refused this structured-output mode: try the next one
    retry_after_s: float | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def _clip(text: object, n: int = 160) -> str:
    return redact(" ".join(str(text).split()))[:n]


def _retry_after(exc: Exception) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                return None
    return None


def classify(exc: BaseException, *, url: str, model: str, max_tokens: int) -> LlmFailure:
    """An exception from the openai client or langchain-openai as an `LlmFailure`."""
    import openai

    if isinstance(exc, LlmFailure):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LlmFailure("timeout", f"no answer from {url} within the timeout", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return LlmFailure("connection", f"cannot reach {url}: {_clip(exc.__cause__ or exc)}", retryable=True)
    if isinstance(exc, openai.RateLimitError):
        return LlmFailure("rate_limited", f"HTTP 429 from {url}", retryable=True, retry_after_s=_retry_after(exc))
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LlmFailure("auth", f"HTTP {exc.status_code} from {url}: the API key is refused")
    if isinstance(exc, openai.NotFoundError):
        return LlmFailure("not_openai_compatible", f"HTTP 404 at {url}/chat/completions: not an OpenAI-compatible "
                                                   f"endpoint, or it has no model {model!r} ({_clip(exc.message)})")
    if isinstance(exc, openai.APIStatusError):
        body = _clip(getattr(exc, "message", exc))
        if "context" in body.lower() and ("length" in body.lower() or "exceed" in body.lower()):
            return LlmFailure("prompt_too_large", f"HTTP {exc.status_code}: the prompt does not fit the server's "
                                                  f"context (set TRIAGE_LLM_CONTEXT_TOKENS): {body}")
        if exc.status_code >= 500:
            return LlmFailure("server_error", f"HTTP {exc.status_code} from {url}: {body}", retryable=True,
                              mode_rejected=True, retry_after_s=_retry_after(exc))
        return LlmFailure("rejected", f"HTTP {exc.status_code} from {url}: {body}", mode_rejected=True)
    text = str(exc)
    if "Unexpected response type" in text or "'str' object has no attribute" in text:
        return LlmFailure("not_openai_compatible", f"{url} answered with something that is not an OpenAI chat "
                                                   f"completion (HTML or plain text?): {_clip(text, 120)}")
    return LlmFailure("error", f"{type(exc).__name__}: {_clip(text)}")
