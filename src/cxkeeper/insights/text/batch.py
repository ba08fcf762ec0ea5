"""The text work of an import chunk — redact, route, score sentiment — as one pure function,
and worker processes that do it for the next chunks while the importing process stores the
current one.

No Django here: a worker is a fresh Python process that receives the redactor,
router and sentiment model once, then only lists of texts. The importing process keeps every
database write, in file order, so a chunk is still stored atomically with its watermark and
a killed import resumes exactly as without workers (see ``insights/pipeline.py``).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PreparedText", "TextWorkers", "WorkerError", "prepare_texts", "serve"]


@dataclass(frozen=True, slots=True)
class PreparedText:
    """One row's text after redaction, with its route and sentiment (``None`` when the text
    is empty or was not routed). ``label`` is ``None`` when the router left it unrouted."""

    text: str
    redactions: dict[str, int] | None
    routed: bool
    label: Any
    confidence: float | None
    sentiment: float | None


def prepare_texts(texts: Sequence[str], *, redactor, router, sentiment,
                  route_mask: Sequence[bool] | None = None, memo: dict | None = None) -> list[PreparedText]:
    """Redact every text, then route (where ``route_mask`` allows; all by default) and score
    the non-empty ones. Identical texts are routed and scored once: both models are
    deterministic, so the results are the same as one by one. ``memo`` (a dict the caller
    keeps between batches of one import, without ``route_mask``) extends that to repeats of
    earlier batches; it is emptied when it holds MEMO_MAX texts."""
    redacted = [redactor.redact(text or "") for text in texts]
    clean = [r.text for r in redacted]
    if memo is not None and route_mask is None:
        return _prepare_memoized(redacted, clean, router, sentiment, memo)
    want_route = [bool(t) and (route_mask is None or route_mask[i]) for i, t in enumerate(clean)]
    unique_routed = list(dict.fromkeys(t for t, want in zip(clean, want_route, strict=True) if want))
    routes = dict(zip(unique_routed, router.route(unique_routed), strict=True)) if router and unique_routed else {}
    unique_scored = list(dict.fromkeys(t for t in clean if t))
    scores = dict(zip(unique_scored, sentiment.score(unique_scored), strict=True)) if unique_scored else {}
    out = []
    for result, text, want in zip(redacted, clean, want_route, strict=True):
        route = routes.get(text) if want else None
        score = scores.get(text)
        out.append(PreparedText(
            text, result.counts or None, route is not None, route.label if route is not None else None,
            route.confidence if route is not None else None, score.score if score is not None else None))
    return out


MEMO_MAX = 50_000


def _prepare_memoized(redacted, clean: list[str], router, sentiment, memo: dict) -> list[PreparedText]:
    if len(memo) > MEMO_MAX:
        memo.clear()
    new = list(dict.fromkeys(t for t in clean if t and t not in memo))
    if new:
        routes = router.route(new) if router else [None] * len(new)
        for text, route, score in zip(new, routes, sentiment.score(new), strict=True):
            memo[text] = (route is not None, route.label if route is not None else None,
                          route.confidence if route is not None else None, score.score)
    out = []
    for result, text in zip(redacted, clean, strict=True):
        routed, label, confidence, score = memo[text] if text else (False, None, None, None)
        out.append(PreparedText(text, result.counts or None, routed, label, confidence, score))
    return out


# ---------------------------------------------------------------- worker processes
#
# Plain subprocesses speaking length-prefixed pickles over stdin/stdout, not multiprocessing:
# a spawned multiprocessing child re-imports the parent's main script (any script calling
# the import without a `__main__` guard would run again), and a pool's children outlive a
# parent killed with SIGKILL. Here a worker only ever imports this module, and when the
# importing process dies its stdin closes and the worker exits.

_HEADER = struct.Struct("<Q")


def _send(stream, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - frames from our own parent or child process


def serve() -> None:
    """A worker's main loop: the models first, then lists of texts until stdin closes."""
    # The worker processes and the importing one already share the cores: no thread pools.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    try:
        state = _receive(stdin)
        memo: dict = {}  # this import's texts seen so far (a worker serves one import)
        if state["router"] is not None:
            state["router"].route(["warm up"])  # embedding weights and fast vectorizers now
        while True:
            texts = _receive(stdin)
            try:
                reply = ("ok", prepare_texts(texts, redactor=state["redactor"], router=state["router"],
                                             sentiment=state["sentiment"], memo=memo))
            except Exception as exc:  # reported to the importing process (see pipeline._store_with_workers)
                reply = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            _send(stdout, reply)
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass
    # Nothing to clean up: skip the interpreter's teardown of the models (~1 s).
    sys.stderr.flush()
    os._exit(0)


class WorkerError(RuntimeError):
    """A text worker failed or stopped; the chunk it held is not stored."""


class TextWorkers:
    """``submit(texts)`` returns a future of ``prepare_texts(texts)``, computed by one of
    ``processes`` worker processes (whichever is free). Use as a context manager; leaving it
    stops the workers."""

    def __init__(self, processes: int, *, redactor, router, sentiment) -> None:
        state = {"redactor": redactor, "router": router, "sentiment": sentiment}
        package_root = str(Path(__file__).resolve().parents[3])  # the folder holding cxkeeper/
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root,
                                                                         os.environ.get("PYTHONPATH")]))}
        self._requests: queue.Queue = queue.Queue()
        self._processes = []
        self._threads = []
        for _ in range(processes):
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-c", "from cxkeeper.insights.text.batch import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            self._processes.append(process)
            thread = threading.Thread(target=self._feed, args=(process, state), daemon=True,
                                      name=f"text-worker-{process.pid}")
            thread.start()
            self._threads.append(thread)

    def _feed(self, process: subprocess.Popen, state: dict) -> None:
        """One thread per worker: hand it the next request, wait for the answer, repeat."""
        alive = True
        try:
            _send(process.stdin, state)
        except (BrokenPipeError, OSError):
            alive = False
        while True:
            item = self._requests.get()
            if item is None:
                return
            texts, future = item
            if not future.set_running_or_notify_cancel():
                continue
            if not alive:
                future.set_exception(WorkerError(f"text worker {process.pid} stopped (exit code {process.poll()})"))
                continue
            try:
                _send(process.stdin, texts)
                status, value = _receive(process.stdout)
            except (EOFError, BrokenPipeError, OSError):
                alive = False
                future.set_exception(WorkerError(f"text worker {process.pid} stopped (exit code {process.poll()})"))
                continue
            if status == "ok":
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))

    def submit(self, texts: list[str]) -> Future:
        future: Future = Future()
        self._requests.put((list(texts), future))
        return future

    def close(self) -> None:
        while True:  # requests nobody will wait for
            try:
                item = self._requests.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[1].cancel()
        for _ in self._threads:
            self._requests.put(None)
        for thread in self._threads:
            thread.join(timeout=60)
        for process in self._processes:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(OSError):
                process.stdout.close()

    def __enter__(self) -> TextWorkers:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
