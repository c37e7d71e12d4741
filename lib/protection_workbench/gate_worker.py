"""Great Expectations in a process of its own, started before the cleaning.

Importing GX takes seconds of pure Python, more than reading and cleaning a million-row
export. In a thread it would hold the GIL against the cleaning (measured: no gain at all);
in a separate process it imports on the other core while this one cleans, and then
validates the gate's batches while this one runs the rules.

:class:`GateWorker` starts ``python -m protection_workbench.gate_worker``, which imports GX
at once and then answers requests on its stdin/stdout: a request is a list of
:class:`~protection_workbench.gx_validate.Batch` es, the answer the list of
:class:`~protection_workbench.gx_validate.Validated` results (pickled, length-prefixed).
Batches hold the gate's reduced frames (distinct values, placeholders for personal text:
see ``gate.py``), and results hold counts only. If the worker cannot start or dies,
:meth:`GateWorker.validate` raises :class:`WorkerFailed` and the gate validates in this
process instead.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .gx_validate import Batch, Validated

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">Q")  # payload length


class WorkerFailed(RuntimeError):
    """The worker process could not start, died, or could not run a request."""


def _send(stream: IO[bytes], obj: Any) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the channel")
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("the message was cut short")
    return pickle.loads(payload)


class GateWorker:
    """A worker process that imports GX now and validates later. Use as a context manager,
    or call :meth:`close`; one request at a time. Importing this module is cheap (no pandas),
    so a command can start the worker before its own imports."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "protection_workbench.gate_worker"]
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._failed: str | None = None
        self.fallback_reported = False  # the gate says once that it validates in-process
        try:
            env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
            self._proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
            )
        except OSError as exc:
            self._failed = f"could not start {self.command[0]}: {exc}"

    def validate(self, batches: list[Batch]) -> list[Validated]:
        """Validate ``batches`` in the worker (waiting for its GX import to end)."""
        with self._lock:
            if self._failed:
                raise WorkerFailed(self._failed)
            proc = self._proc
            assert proc is not None and proc.stdin is not None and proc.stdout is not None
            try:
                _send(proc.stdin, ("validate", batches))
                status, answer = _receive(proc.stdout)
            except (OSError, EOFError, pickle.PickleError) as exc:
                self._failed = f"the worker stopped ({exc}; exit code {proc.poll()})"
                raise WorkerFailed(self._failed) from None
            if status != "ok":
                self._failed = f"the worker could not validate:\n{answer}"
                raise WorkerFailed(self._failed)
            return answer

    def close(self, timeout: float = 10.0) -> None:
        """Let the worker end (closing its input), killing it if it does not."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        self._failed = self._failed or "the worker was closed"

    def __enter__(self) -> GateWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(timeout=10.0 if exc == (None, None, None) else 0.5)


def serve(requests: IO[bytes], answers: IO[bytes]) -> int:
    """The worker's loop: import GX, then validate each request until the input closes."""
    from . import gx_validate

    gx_validate.quiet_gx()
    while True:
        try:
            kind, batches = _receive(requests)
        except EOFError:
            return 0
        try:
            if kind != "validate":
                raise ValueError(f"unknown request {kind!r}")
            _send(answers, ("ok", gx_validate.validate(batches)))
        except Exception:  # reported to the client, which validates in its own process
            _send(answers, ("error", traceback.format_exc(limit=20)))


def main() -> int:
    # The answers go on the real stdout; anything GX prints goes to stderr instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    with answers:
        code = serve(sys.stdin.buffer, answers)
    # The client waits for this process to end: skip the garbage collections of shutdown,
    # which walk every object GX made (over a second) and free nothing the exit does not.
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(main())
