"""Reading, checking and previewing an upload in a child process with a time and memory budget.

:func:`preview_upload_bounded` runs :func:`~geodata.importers.read_upload` and
:func:`~geodata.importers.preview.preview` (:func:`read_upload_bounded` only the
former) in a child process started from a ``forkserver`` (which has the importers
already imported, so a child starts in tens of milliseconds and no lock held by the
server's threads is copied into it). The child's address space is capped with
``RLIMIT_AS``; the caller waits at most ``timeout_s`` and then kills the child. At
most :data:`MAX_CHECKERS` children run at once (per server process); an upload that
finds every slot taken for :data:`SLOT_WAIT_S` is told to come back (429). So no
file, however hostile, can hold a request thread, a core or the server's memory for
long, a crash of GEOS or SQLite on a hostile file ends only the child, and
``/api/health`` and every other request keep being answered.

Everything the child sends back is plain data: an :class:`ImportResult` or the
parts of an :class:`ImportRejected`.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from geodata.importers._model import ImportRejected, ImportResult

if TYPE_CHECKING:
    from geodata.importers.preview import ImportPreview
    from geodata.store import Snapshot
from geodata.errors import InvalidInput, TooManyRequests
from geodata.i18n import msg

__all__ = [
    "CHECK_MEMORY_BYTES",
    "CHECK_TIMEOUT_S",
    "MAX_CHECKERS",
    "SLOT_WAIT_S",
    "preload_modules",
    "preview_upload_bounded",
    "read_upload_bounded",
    "run_bounded",
    "warm_up",
]

#: Longest time one upload may take to be read and checked.
CHECK_TIMEOUT_S = 9.0
#: Address space of a checking process (a 30 MB file with 2,000,000 points needs about 1 GB).
CHECK_MEMORY_BYTES = 3 * 1024**3
#: Checking processes running at once in one server process.
MAX_CHECKERS = 2
#: How long an upload waits for a free checker before it is told to retry.
SLOT_WAIT_S = 10.0

_slots = threading.BoundedSemaphore(MAX_CHECKERS)
_context_lock = threading.Lock()
_context: Any = None
_preload = ["geodata.importers", "geodata.importers.preview"]


def preload_modules(*names: str) -> None:
    """Have the fork server import ``names`` too (modules whose functions are sent to it).

    Only effective before the first upload starts the fork server.
    """
    with _context_lock:
        _preload.extend(n for n in names if n not in _preload)


def _main_modules() -> list[str]:
    """The main module, so that the fork server imports it once, not each child.

    multiprocessing re-imports the parent's main module in every child it starts
    (``sandtable.cli`` for ``python -m sandtable.cli serve``, the script for a script);
    imported in the fork server first, that costs each child nothing.
    """
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if isinstance(name, str) and name != "__main__" and not name.endswith(".__main__"):
        return [name]
    return ["__main__"] if getattr(main, "__file__", None) else []


def _get_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([*_main_modules(), *_preload])
            _context = ctx
        return _context


def _child(
    conn: Connection,
    memory_bytes: int,
    cpu_s: int,
    target: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        # a backstop should the server die and leave the child alone: SIGXCPU ends it
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
        value = target(*args)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send(("ok", value, peak_kb))
    except ImportRejected as exc:
        # the catalog messages (Msg values pickle), rendered in the user's language by the web
        conn.send(("rejected", (exc.text, exc.texts, exc.filename, exc.line), None))
    except InvalidInput as exc:
        conn.send(("invalid", (exc.text, exc.texts), None))
    except MemoryError:
        conn.send(("memory", None, None))
    except RecursionError:
        conn.send(("error", "the file is nested too deeply to read", None))
    except Exception as exc:  # reported to the parent, which decides  # noqa: BLE001
        conn.send(("error", f"{type(exc).__name__}: {exc}", None))
    finally:
        conn.close()


def run_bounded(
    target: Callable[..., Any],
    *args: Any,
    name: str,
    timeout_s: float = CHECK_TIMEOUT_S,
    memory_bytes: int = CHECK_MEMORY_BYTES,
    slot_wait_s: float = SLOT_WAIT_S,
) -> tuple[Any, int | None]:
    """``target(*args)`` in a child process; its value and the child's peak RSS in kB.

    ``target`` and ``args`` must be picklable (a module-level function).

    Raises
    ------
    ImportRejected
        Raised by ``target``, or the child ran out of time (killed), memory, or died;
        the message names ``name``.
    TooManyRequests
        Every checking slot stayed busy for ``slot_wait_s``.
    RuntimeError
        ``target`` raised another exception (its type and message are kept).
    """
    if not _slots.acquire(timeout=slot_wait_s):
        raise TooManyRequests(
            msg("import.busy"),
            retry_after_s=max(1, int(timeout_s // 2)),
        )
    try:
        ctx = _get_context()
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=_child,
            args=(send, memory_bytes, int(timeout_s) * 2 + 5, target, args),
            name="sandtable-check",
        )
        process.start()
        send.close()
        deadline = time.monotonic() + timeout_s
        try:
            ready = receive.poll(max(0.0, deadline - time.monotonic()))
            message = receive.recv() if ready else None
        except (EOFError, OSError):
            message = ("died", None, None)
        finally:
            receive.close()
            if process.is_alive() and message is None:
                process.kill()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
    finally:
        _slots.release()
    if message is None:
        raise ImportRejected(
            msg("import.too_slow", name=name, seconds=f"{timeout_s:.0f}"),
            filename=name,
        )
    kind, value, peak_kb = message
    if kind == "ok":
        return value, peak_kb
    if kind == "rejected":
        text, details, filename, line = value
        raise ImportRejected(text, details=details, filename=filename, line=line)
    if kind == "invalid":
        text, details = value
        raise InvalidInput(text, details=details)
    if kind == "died":
        raise ImportRejected(
            msg("import.crashed", name=name),
            filename=name,
        )
    if kind == "memory":
        raise ImportRejected(
            msg("import.memory", name=name, gb=f"{memory_bytes / 1024**3:.1f}"),
            filename=name,
        )
    if kind == "error" and "nested too deeply" in str(value):
        raise ImportRejected(msg("import.nested", name=name), filename=name)
    raise RuntimeError(f"checking {name} failed: {value}")


def warm_up() -> None:
    """Start the fork server now, in the background, so the first upload does not wait for it."""

    def run() -> None:
        try:
            run_bounded(len, b"", name="warm-up", timeout_s=60)
        except Exception:  # the first upload will say what is wrong  # noqa: BLE001, S110
            pass

    threading.Thread(target=run, name="sandtable-check-warm-up", daemon=True).start()


def _read(filename: str, data: bytes) -> ImportResult:
    from geodata.importers import read_upload

    return read_upload(filename, data)


def read_upload_bounded(
    filename: str,
    data: bytes,
    *,
    timeout_s: float = CHECK_TIMEOUT_S,
    memory_bytes: int = CHECK_MEMORY_BYTES,
) -> ImportResult:
    """:func:`~geodata.importers.read_upload` in a bounded child process (see the module).

    Raises
    ------
    ImportRejected
        As ``read_upload``, or the file took longer than ``timeout_s`` or needed more
        than ``memory_bytes`` to read and check.
    TooManyRequests
        Every checker stayed busy for :data:`SLOT_WAIT_S`.
    """
    value, _ = run_bounded(
        _read, filename, data, name=filename, timeout_s=timeout_s, memory_bytes=memory_bytes
    )
    result: ImportResult = value
    return result


def _read_and_preview(
    filename: str,
    data: bytes,
    snapshot: Snapshot,
    options: dict[str, Any],
    check: Callable[[Any], object] | None,
) -> tuple[ImportResult, ImportPreview]:
    from geodata.importers import read_upload
    from geodata.importers.preview import preview

    result = read_upload(filename, data)
    return result, preview(result, snapshot, check=check, **options)


def preview_upload_bounded(
    filename: str,
    data: bytes,
    snapshot: Snapshot,
    *,
    check: Callable[[Any], object] | None = None,
    timeout_s: float = CHECK_TIMEOUT_S,
    memory_bytes: int = CHECK_MEMORY_BYTES,
    **options: Any,
) -> tuple[ImportResult, ImportPreview]:
    """Read, check and preview an upload against ``snapshot`` in one bounded child process.

    ``options`` go to :func:`~geodata.importers.preview.preview`; ``check`` (the
    network check of the dry run) must be a module-level function, since it is
    pickled by reference.

    Raises
    ------
    ImportRejected
        As ``read_upload``, or the file took longer than ``timeout_s`` or needed more
        than ``memory_bytes``.
    InvalidInput
        A preview option is out of range.
    TooManyRequests
        Every checker stayed busy for :data:`SLOT_WAIT_S`.
    """
    value, _ = run_bounded(
        _read_and_preview,
        filename,
        data,
        snapshot,
        options,
        check,
        name=filename,
        timeout_s=timeout_s,
        memory_bytes=memory_bytes,
    )
    pair: tuple[ImportResult, ImportPreview] = value
    return pair
