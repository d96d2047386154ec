"""Serving the app: gunicorn worker processes in production, waitress in one process.

``sandtable serve --workers N`` (default: the machine's cores) runs gunicorn with
``N`` worker processes of the ``gthread`` class (``--threads`` threads each, so a
long-lived answer such as the ``/api/events`` stream holds one thread, not a whole
worker). The app is built once in the master (``preload_app``: the network of the
current version is built once and shared by the forked workers copy-on-write); each
worker then drops the database connections it inherited (:func:`_post_fork`, as
SQLAlchemy asks for engines crossing a fork) and opens its own.

Nothing a request may need from another request lives in a worker's memory alone:
route data, closures, incidents, users and the current route-data version are read
from the database; the network cached per process is keyed by the version, and a
request that finds the database's version newer than its worker's rebuilds it first
(:mod:`web.state`). Changes are pushed to open pages through the database too
(:mod:`web.events`).

No request pays for a cold network (issue 18): ``sandtable serve`` builds the app with
``WARM_UP`` on, so the network of the current version is warmed (:mod:`rescue.warm`:
what locate and approach derive from it) in the master, before the fork; a worker forked
later (one replacing a dead worker) first follows the version current by then, warming
its network, before it accepts a connection (:func:`_post_worker_init`). What is built
is logged (:func:`configure_logging`: the process id on every line).

A served process hands the GIL over every millisecond (:data:`SWITCH_INTERVAL_S`, not
CPython's 5 ms), can compute a limited number of heavy requests (approaches, reports) at a
time (:class:`HeavyGate`, off unless the setting ``HEAVY_LIMIT`` says how many), and with
the setting ``SERVER_TIMING`` says in a ``Server-Timing``
header where each request's time went (:class:`ServerTiming`; ``bench.bench_load`` prints
it per operation). Issue 18's locate p99 under ``bench_load``, found so: the slowest
locates spent ~10 ms on the CPU and ~40 ms in the database, the rest waiting, mostly before
the app got them (all the worker's threads busy with requests that were themselves
waiting for the GIL behind approach planning, or for the database and then for the GIL
again after every statement).

``sandtable serve --dev`` (or ``--workers 0``) serves from the calling process with
waitress, as earlier releases did: one process, easy to debug, works where gunicorn
does not (Windows).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from geodata.importers.sandbox import warm_up
from rescue.warm import freeze_long_lived
from web.bodies import MAX_REQUEST_BYTES

__all__ = [
    "HEAVY_LIMIT",
    "LOG_FORMAT",
    "SWITCH_INTERVAL_S",
    "HeavyGate",
    "ServerTiming",
    "configure_logging",
    "default_workers",
    "install_middleware",
    "is_heavy",
    "serve_gunicorn",
    "serve_waitress",
    "waitress_limits",
]

log = logging.getLogger(__name__)

#: how often (s) a thread holding the GIL hands it to another that waits for it (CPython's
#: default is 5 ms). A request thread that waits for the database releases the GIL and must
#: win it back for every statement; behind a thread planning an approach (CPU-bound, tens
#: of ms) each win took up to the whole interval: an incident write's ten statements waited
#: ~50 ms more, a locate's queued behind them (issue 18). 1 ms costs a few more switches.
SWITCH_INTERVAL_S = 0.001
#: requests of a heavy kind (:func:`is_heavy`) computed at once per process (0: no limit);
#: the others wait for a turn holding their thread but not the GIL. Off by default: measured
#: under bench_load (2 workers, PostGIS, one run after another on the shared machine, load
#: average 10-13), a limit of 1 left the locates no faster (p50 265 ms vs 188 without) and
#: made the approaches wait their turn (p50 1.34 s vs 0.46 s, p99 3.2 s), the call takers
#: stuck behind them; the setting ``HEAVY_LIMIT`` turns it on for measuring elsewhere
HEAVY_LIMIT = 0
#: paths of requests that compute for tens of milliseconds (planning an approach again)
HEAVY_PREFIXES = ("/api/approach", "/api/reports/")
HEAVY_SUFFIXES = ("/plan.gpx", "/plan.kml", "/field-sheet")

#: as gunicorn's own lines, with the logger's name: which process did what
LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's log (sign-ins, route-data versions, caches built) to stderr.

    Called by ``sandtable serve`` before the app is built; a root logger configured
    already (by an embedding program) is left as it is.
    """
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)


def default_workers() -> int:
    """The machine's cores available to this process (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def is_heavy(path: str) -> bool:
    """Whether a request to ``path`` plans an approach or builds a report (CPU-bound)."""
    return path.startswith(HEAVY_PREFIXES) or path.endswith(HEAVY_SUFFIXES)


class HeavyGate:
    """WSGI middleware: at most ``limit`` heavy requests (:func:`is_heavy`) computed at once.

    Python runs one thread of a process at a time (the GIL): two approaches planned at once
    take as long as one after the other, but every short request of the process waits its
    turn behind both. Behind the gate a heavy request waits (on a semaphore: no CPU, no
    GIL) until one finishes; light requests never wait for it. The time waited is put in
    the WSGI environ (``sandtable.heavy_wait_s``) for :class:`ServerTiming`.
    """

    WAIT_KEY = "sandtable.heavy_wait_s"

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        limit: int = 1,
        heavy: Callable[[str], bool] = is_heavy,
    ) -> None:
        if limit < 1:
            raise ValueError(f"the heavy limit must be 1 or more, not {limit}")
        self.app = app
        self.limit = limit
        self.heavy = heavy
        self._turns = threading.BoundedSemaphore(limit)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not self.heavy(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        t0 = time.perf_counter()
        with self._turns:
            environ[self.WAIT_KEY] = time.perf_counter() - t0
            # Flask computes the whole answer here; only a streamed one would go on after
            return self.app(environ, start_response)


class ServerTiming:
    """WSGI middleware: a ``Server-Timing`` header saying where a request's time went.

    ``app`` is the wall time from the moment the app got the request to the moment its
    answer was ready (``start_response``), ``cpu`` the CPU time the request's thread used
    meanwhile (``time.thread_time``), ``db`` the wall time spent in the database driver
    (statements executed; the GIL is released while waiting for the database). What is
    left, ``app - cpu - db``, is the time the request's thread was ready but not running:
    waiting for the GIL behind the worker's other threads (or for a core), and ``heavy``
    the part of it a heavy request waited for its turn (:class:`HeavyGate`). The time before
    ``app`` starts (in the kernel's accept queue, in gunicorn's poller, waiting for a free
    thread) is what the client sees beyond ``app``.

    On with the setting ``SERVER_TIMING`` (``SANDTABLE_SERVER_TIMING=true``): browsers'
    developer tools show the header; ``bench.bench_load`` reads it.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], engines: Iterable[Any] = ()) -> None:
        self.app = app
        self._local = threading.local()
        for engine in engines:
            self.watch(engine)

    def watch(self, engine: Any) -> None:
        """Count the time ``engine``'s statements take in the request that runs them."""
        from sqlalchemy import event

        local = self._local

        def before(*_args: Any) -> None:
            local.started = time.perf_counter()

        def after(*_args: Any) -> None:
            started = getattr(local, "started", None)
            if started is not None:
                local.db_s = getattr(local, "db_s", 0.0) + time.perf_counter() - started
                local.started = None

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        local = self._local
        local.db_s = 0.0
        t0, c0 = time.perf_counter(), time.thread_time()

        def timed_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            app_ms = (time.perf_counter() - t0) * 1000
            cpu_ms = (time.thread_time() - c0) * 1000
            db_ms = local.db_s * 1000
            timing = f"app;dur={app_ms:.1f}, cpu;dur={cpu_ms:.1f}, db;dur={db_ms:.1f}"
            waited = environ.get(HeavyGate.WAIT_KEY)
            if waited is not None:
                timing += f", heavy;dur={waited * 1000:.1f}"
            headers = [*headers, ("Server-Timing", timing)]
            return start_response(status, headers, *rest)

        return self.app(environ, timed_start_response)


def install_middleware(app: Flask) -> None:
    """Wrap ``app`` for serving: :class:`HeavyGate`, then :class:`ServerTiming` if its
    setting ``SERVER_TIMING`` is on; and hand the GIL over every ``SWITCH_INTERVAL_S``.

    The settings ``HEAVY_LIMIT`` (0: no gate) and ``SWITCH_INTERVAL_S`` (e.g.
    ``SANDTABLE_HEAVY_LIMIT=2``) replace the defaults here, for measuring them
    (``bench.bench_load --server-env``).
    """
    interval = float(app.config.get("SWITCH_INTERVAL_S", SWITCH_INTERVAL_S))
    limit = int(app.config.get("HEAVY_LIMIT", HEAVY_LIMIT))
    if interval <= 0 or limit < 0:
        raise ValueError(f"SWITCH_INTERVAL_S {interval} must be > 0, HEAVY_LIMIT {limit} >= 0")
    sys.setswitchinterval(interval)
    wsgi: Any = HeavyGate(app.wsgi_app, limit) if limit else app.wsgi_app
    if app.config.get("SERVER_TIMING"):
        from web.state import SandtableState

        engines = [e for s in SandtableState.instances() for e in (s.store.reader, s.store.writer)]
        wsgi = ServerTiming(wsgi, engines)
    app.wsgi_app = wsgi  # type: ignore[method-assign]
    log.info(
        "GIL switch interval %.1f ms; heavy requests at once per process: %s",
        interval * 1000,
        limit or "no limit",
    )


def waitress_limits() -> dict[str, int]:
    """waitress's own request limits, refused before any body byte is read or buffered.

    A body declaring more than ``web.bodies.MAX_REQUEST_BYTES`` (the largest upload) is
    answered 413 as soon as its headers arrive; a chunked body is cut off (413) when it
    passes the limit, so waitress never buffers more than that to its temporary file.
    Headers are limited to 64 KiB (431 beyond).
    """
    return {
        # waitress refuses a length >= this: one more, so that the limit itself is allowed
        "max_request_body_size": MAX_REQUEST_BYTES + 1,
        "max_request_header_size": 64 * 1024,
    }


def serve_waitress(app: Flask, *, host: str, port: int, threads: int) -> None:
    """One process, ``threads`` threads (development, or where gunicorn is missing)."""
    from waitress import serve

    # waitress warns "Task queue depth is N" for every request that waits for a thread:
    # thousands of lines a minute under load (bench_load), telling nothing new
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    warm_up()  # the import checkers' fork server, so the first upload does not wait for it
    install_middleware(app)
    freeze_long_lived()  # what the app holds now, out of the collector's sight
    serve(app, host=host, port=port, threads=threads, ident="sandtable", **waitress_limits())


def _post_fork(_server: Any, _worker: Any) -> None:  # gunicorn's post_fork hook
    """In a new worker: let go of the master's pooled connections without closing them.

    ``dispose(close=False)`` replaces the pool, so the worker opens its own connections
    and never touches a socket the master (or a sibling) owns.
    """
    from web.state import SandtableState

    for state in SandtableState.instances():
        state.store.reader.dispose(close=False)
        state.store.writer.dispose(close=False)
    # each worker starts its own fork server for the import checkers: one started in the
    # master would not be the worker's child, and multiprocessing cannot use it from there
    warm_up()


def _post_worker_init(_worker: Any) -> None:  # gunicorn's post_worker_init hook
    """In a new worker, before it accepts a connection: follow the current version.

    A worker forked long after the master loaded the route data (replacing one that
    died) may hold an older version than the database's; it builds (and warms) the
    current one now rather than on its first request.
    """
    from web.state import SandtableState

    for state in SandtableState.instances():
        state.data.refresh(wait=True)


def serve_gunicorn(app: Flask, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in this process (the master) with ``workers`` forked workers."""
    from gunicorn.app.base import BaseApplication

    install_middleware(app)
    freeze_long_lived()  # before the fork: the collector never walks (nor copies) it again
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "post_fork": _post_fork,
        "post_worker_init": _post_worker_init,
        # a worker silent this long is killed and replaced (gthread: the worker's main
        # loop answers, not the request threads, so a long stream does not count)
        "timeout": 60,
        "graceful_timeout": 20,
        # idle keep-alive connections wait in the worker's poller, not in a thread; a short
        # keepalive (gunicorn's 2-5 s) closes them while a client may be reusing one, and a
        # client must not retry a POST or PATCH that died so (bench_load: "connection reset
        # by peer" on a PATCH); waitress kept them 120 s
        "keepalive": 75,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "sandtable",
    }

    class _Application(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
        # gunicorn's documented "custom application" pattern
        # (https://docs.gunicorn.org/en/stable/custom.html)
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24
                # one control socket per user by default: several servers would share it
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            return app

    _Application().run()
