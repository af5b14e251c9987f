"""Run a provider over many incidents without letting a bad server hold the run hostage.

- Concurrency is the provider's (1 for a loopback server: a single-slot llama.cpp would otherwise
  time out the queued calls while still computing the abandoned ones).
- A run budget (`LLMSettings.run_budget_s`) and a circuit breaker: after `breaker_failures`
  consecutive failed incidents, the remaining ones go straight to the offline report, labeled so.
- Ctrl-C and SIGTERM stop the run within a second: no new call starts, retries stop waiting, the
  incidents not answered yet get the offline report (reason `interrupted`) and are handed to
  `on_result` like the others, so the caller can store them, and KeyboardInterrupt is re-raised.
  Workers are daemon threads: an in-flight HTTP call never keeps the process alive.
- `on_result(index, result)` runs in the calling thread, as each incident finishes.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from odoo_triage.agent.incidents import AssembledIncident
from odoo_triage.agent.llm.failures import LlmFailure, classify
from odoo_triage.agent.llm.openai_provider import fallback_result
from odoo_triage.agent.llm.report import ProviderResult

#: Fallbacks the dispatcher itself decided: they say nothing about the server's health.
NOT_SERVER_FAILURES = {"circuit_open", "run_budget", "interrupted"}


@dataclass
class CircuitBreaker:
    threshold: int
    consecutive: int = 0
    opened_after: int = 0  # incidents finished when it opened; 0 while closed
    last_failure: str = ""
    finished: int = 0

    @property
    def open(self) -> bool:
        return self.opened_after > 0

    def record(self, result: ProviderResult) -> None:
        self.finished += 1
        if result.fallback_kind in NOT_SERVER_FAILURES:
            return
        if result.fallback_reason:
            self.consecutive += 1
            self.last_failure = result.fallback_reason
            if self.consecutive >= self.threshold and not self.open:
                self.opened_after = self.finished
        else:
            self.consecutive = 0


@dataclass
class DispatchReport:
    breaker: CircuitBreaker | None = None
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)


def _sigterm_as_interrupt() -> Callable[[], None]:
    """In the main thread, SIGTERM raises KeyboardInterrupt like Ctrl-C; returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def dispatch(provider: Any, items: Sequence[AssembledIncident],
             on_result: Callable[[int, ProviderResult], None]) -> DispatchReport:
    """Triage every item with `provider`; see the module docstring."""
    settings = getattr(provider, "settings", None)
    if settings is None:  # offline: no network, nothing to bound
        for i, item in enumerate(items):
            on_result(i, provider.triage(item))
        return DispatchReport()

    breaker = CircuitBreaker(settings.breaker_failures)
    report = DispatchReport(breaker=breaker)
    run_deadline = time.monotonic() + settings.run_budget_s
    base = {"requested_provider": provider.name, "model": provider.model, "prompt_name": provider.prompt.name,
            "prompt_version": provider.prompt.version}
    jobs: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(items)):
        jobs.put(i)
    results: queue.SimpleQueue[tuple[int, ProviderResult]] = queue.SimpleQueue()
    lock = threading.Lock()

    def skip() -> LlmFailure | None:
        if provider.stop.is_set():
            return LlmFailure("interrupted", "the run was interrupted before this incident was sent")
        if breaker.open:
            return LlmFailure("circuit_open", f"circuit breaker open after {breaker.threshold} consecutive failed "
                                              f"incidents (last: {breaker.last_failure[:120]})")
        if time.monotonic() >= run_deadline:
            return LlmFailure("run_budget", f"the run's LLM time budget ({settings.run_budget_s:g} s) is spent")
        return None

    def work() -> None:
        while True:
            try:
                i = jobs.get_nowait()
            except queue.Empty:
                return
            reason = skip()
            if reason is not None:
                results.put((i, fallback_result(items[i], base, reason)))
                continue
            try:
                result = provider.triage(items[i], deadline=run_deadline)
            except Exception as exc:  # noqa: BLE001 - a provider bug must not lose the incident
                result = fallback_result(items[i], base, classify(exc, url=provider.url, model=provider.model,
                                                                  max_tokens=settings.max_tokens))
            with lock:  # before the next job is taken, so the breaker opens on time
                breaker.record(result)
            results.put((i, result))

    workers = [threading.Thread(target=work, name=f"llm-{n}", daemon=True)
               for n in range(max(1, min(provider.concurrency, len(items))))]
    undo = _sigterm_as_interrupt()
    done: set[int] = set()
    try:
        for w in workers:
            w.start()
        while len(done) < len(items):
            try:
                i, result = results.get(timeout=0.2)
            except queue.Empty:
                continue
            on_result(i, result)
            done.add(i)
    except KeyboardInterrupt:
        provider.stop.set()
        report.interrupted = True
        stopped = LlmFailure("interrupted", "the run was interrupted (Ctrl-C or SIGTERM) before the model answered")
        for i in range(len(items)):
            if i not in done:
                on_result(i, fallback_result(items[i], base, stopped))
                done.add(i)
        raise
    finally:
        undo()
    if breaker.open:
        report.notes.append(f"circuit breaker opened after {breaker.opened_after} incidents "
                            f"({breaker.threshold} consecutive failures; last: {breaker.last_failure[:160]}); "
                            f"the remaining incidents went to the offline report")
    return report
