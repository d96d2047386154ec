"""Pushed updates: ``GET /api/events``, a server-sent event stream of what changed.

Writes announce themselves in their own transaction (:mod:`geodata.store.changes_feed`).
Each worker process has one :class:`EventHub`, started by the first stream it serves:

* on PostgreSQL a thread holds one connection that ``LISTEN``\\ s on the feed's channel,
  so a change committed through any worker of any server sharing the database reaches
  every hub at once;
* on SQLite a thread reads the ``change_counters`` table every ``EVENTS_POLL_S``
  (0.5 s) and announces every topic whose counter moved.

The hub hands each event to every open stream of its process. A stream sends::

    retry: 2000                       (reconnect after 2 s)
    event: closures                   (the topic: closures, incidents, route_data)
    data: {"topic": "closures", "action": "closure.create", "target_id": "c-12"}

(on SQLite ``action`` and ``target_id`` are null: the counter tells only that the
topic changed), a comment line every ``EVENTS_HEARTBEAT_S`` (15 s) so that proxies and
the browser know the link is alive, and ends after ``EVENTS_LIFETIME_S`` (300 s): the
browser's ``EventSource`` reconnects by itself, and a signed-out or deactivated user is
refused then. A page refetches what it shows when an event of its topic arrives; no
event carries data beyond the topic and an id, so nothing a role may not see leaks.

Each stream holds one of a worker's threads (gunicorn's ``gthread`` workers: the
other threads go on serving), so a process serves at most ``EVENTS_MAX_STREAMS``
(default 4 of its 8 threads) streams at once; one more is refused with 429 and the page
falls back to polling. ``?topics=closures,incidents`` narrows a stream to some topics.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from flask import Blueprint, Response, current_app
from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from geodata.errors import TooManyRequests
from geodata.i18n import msg
from geodata.store.changes_feed import CHANNEL, TOPICS, counters
from web.config import ConfigError
from web.contract import READERS, api_operation, problem
from web.state import SandtableState, get_state

__all__ = ["DEFAULTS", "EventHub", "bp", "check_settings", "hub_for"]

log = logging.getLogger(__name__)

bp = Blueprint("events", __name__, url_prefix="/api")

#: settings (app config / SANDTABLE_EVENTS_* / sandtable.toml) and their defaults
DEFAULTS: dict[str, float] = {
    "EVENTS_MAX_STREAMS": 4,
    "EVENTS_LIFETIME_S": 300,
    "EVENTS_HEARTBEAT_S": 15,
    "EVENTS_POLL_S": 0.5,
}
#: a subscriber's queue; a page that cannot keep up loses events, not the server memory
_QUEUE_SIZE = 100


@dataclass(eq=False)
class _Subscriber:
    topics: frozenset[str]
    events: queue.Queue[dict[str, Any]] = field(default_factory=lambda: queue.Queue(_QUEUE_SIZE))


class EventHub:
    """One process's listener on the change feed, fanning events out to its streams."""

    def __init__(self, state: SandtableState, *, max_streams: int, poll_s: float) -> None:
        self.pid = os.getpid()
        self._state = state
        self._max_streams = max_streams
        self._poll_s = poll_s
        self._lock = threading.Lock()
        self._subscribers: set[_Subscriber] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        #: set once the listener is listening (tests wait for it before writing)
        self.ready = threading.Event()

    # -- subscriptions
    def subscribe(self, topics: frozenset[str]) -> _Subscriber:
        """A new subscriber (the listener starts with the first).

        Raises
        ------
        TooManyRequests
            If the process already serves ``max_streams`` streams.
        """
        with self._lock:
            if len(self._subscribers) >= self._max_streams:
                raise TooManyRequests(
                    msg("events.too_many", limit=self._max_streams),
                    retry_after_s=30,
                )
            sub = _Subscriber(topics)
            self._subscribers.add(sub)
            if self._thread is None:
                self._stop.clear()
                self.ready.clear()
                self._thread = threading.Thread(
                    target=self._run, name="sandtable-events", daemon=True
                )
                self._thread.start()
        return sub

    def unsubscribe(self, sub: _Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    @property
    def streams(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def stop(self) -> None:
        """Stop the listener (tests; a process at exit just ends)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(10)

    def publish(self, event: dict[str, Any]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            if event["topic"] in sub.topics:
                try:
                    sub.events.put_nowait(event)
                except queue.Full:
                    log.warning("an event stream fell %d events behind; one dropped", _QUEUE_SIZE)

    # -- the listener
    def _idle(self) -> bool:
        """True when this listener should end: no stream left (it is then forgotten), or
        it was stopped or replaced.

        Decided under the subscribers' lock, so a new subscriber either is seen here or
        finds no listener and starts one.
        """
        with self._lock:
            if self._thread is not threading.current_thread():
                return True
            if self._subscribers and not self._stop.is_set():
                return False
            self._thread = None
            self.ready.clear()
            return True

    def _run(self) -> None:
        backoff_s = 0.5
        while not self._idle():
            try:
                if self._state.store.dialect == "postgresql":
                    self._listen_postgres()
                else:
                    self._poll_counters()
                backoff_s = 0.5
            except Exception:  # the database went away: try again, do not kill the worker
                log.exception("the change feed listener failed; retrying in %.1f s", backoff_s)
                self.ready.clear()
                self._stop.wait(backoff_s)
                backoff_s = min(backoff_s * 2, 10.0)

    def _listen_postgres(self) -> None:
        import psycopg

        url = self._state.store.writer.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.ready.set()
            while not self._idle():
                for note in conn.notifies(timeout=1.0):
                    try:
                        payload = json.loads(note.payload)
                    except ValueError:
                        continue
                    if isinstance(payload, dict) and payload.get("topic") in TOPICS:
                        self.publish(payload)

    def _poll_counters(self) -> None:
        engine = self._state.store.reader
        seen = counters(engine)
        self.ready.set()
        while not self._idle():
            self._stop.wait(self._poll_s)
            now = counters(engine)
            for topic, seq in sorted(now.items()):
                if seq != seen.get(topic):
                    self.publish({"topic": topic, "action": None, "target_id": None, "seq": seq})
            seen = now


_hubs_lock = threading.Lock()


def hub_for(state: SandtableState, config: Any) -> EventHub:
    """The hub of ``state`` in this process (a forked worker makes its own)."""
    with _hubs_lock:
        hub: EventHub | None = getattr(state, "_event_hub", None)
        if hub is None or hub.pid != os.getpid():
            hub = EventHub(
                state,
                max_streams=int(_setting(config, "EVENTS_MAX_STREAMS")),
                poll_s=_setting(config, "EVENTS_POLL_S"),
            )
            state._event_hub = hub  # type: ignore[attr-defined]
        return hub


def _setting(config: Any, key: str) -> float:
    value = config.get(key, DEFAULTS[key])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"SANDTABLE_{key}={value!r} must be a positive number")
    return float(value)


def check_settings(config: Any) -> None:
    """Refuse bad ``EVENTS_*`` settings at start-up.

    Raises
    ------
    ConfigError
        If one is not a positive number.
    """
    for key in DEFAULTS:
        _setting(config, key)


def _topics(raw: Any) -> frozenset[str]:
    if raw is None:
        return frozenset(TOPICS)
    names = str(raw).split(",")
    unknown = [name for name in names if name not in TOPICS]
    if unknown or not names:
        raise problem(
            msg(
                "events.unknown_topics",
                topics=", ".join(map(repr, unknown)),
                accepted=", ".join(map(repr, TOPICS)),
            )
        )
    return frozenset(names)


_ONE = "(" + "|".join(TOPICS) + ")"


class EventsQuery(BaseModel):
    """``?topics=closures,incidents``: what to hear about (default: everything)."""

    model_config = ConfigDict(extra="forbid")

    topics: Annotated[
        frozenset[str],
        BeforeValidator(_topics),
        WithJsonSchema(
            {
                "type": "string",
                "pattern": f"^{_ONE}(,{_ONE})*$",
                "description": "comma-separated topics (default all)",
            }
        ),
    ] = frozenset(TOPICS)


@api_operation(
    bp,
    "GET",
    "/events",
    summary="pushed updates: a server-sent event stream (text/event-stream) naming what "
    "changed, from any worker of any server on the database: events closures, incidents "
    "(created, edited, dispatched, every status change) and route_data (a new version), "
    "each with data {topic, action, target_id} (action and target_id null on SQLite); "
    "'event: ready' first, a comment line as heartbeat every 15 s, the stream ends after "
    "5 min (EventSource reconnects); 429 when the process already serves its streams",
    roles=READERS,
    query=EventsQuery,
    # one schema per event (as schemathesis reads a stream): data is JSON text
    ok={
        200: {
            "text/event-stream": {
                "type": "object",
                "properties": {
                    "event": {"enum": ["ready", *TOPICS]},
                    "data": {"type": "string"},
                    "retry": {"type": "integer"},
                    "id": {"type": "string"},
                },
                "required": ["event", "data"],
            }
        }
    },
    errors=(429,),
)
def events(query: EventsQuery) -> Response:
    topics = query.topics
    config = current_app.config
    heartbeat_s = _setting(config, "EVENTS_HEARTBEAT_S")
    lifetime_s = _setting(config, "EVENTS_LIFETIME_S")
    hub = hub_for(get_state(), config)
    sub = hub.subscribe(topics)

    def stream() -> Iterator[str]:
        try:
            hub.ready.wait(5)
            yield f"retry: 2000\nevent: ready\ndata: {json.dumps({'topics': sorted(topics)})}\n\n"
            end = time.monotonic() + lifetime_s
            while (left := end - time.monotonic()) > 0:
                try:
                    event = sub.events.get(timeout=min(heartbeat_s, left))
                except queue.Empty:
                    yield ": heartbeat\n\n"
                    continue
                yield f"event: {event['topic']}\ndata: {json.dumps(event)}\n\n"
        finally:
            hub.unsubscribe(sub)

    response = Response(stream(), mimetype="text/event-stream")
    response.call_on_close(lambda: hub.unsubscribe(sub))  # also when never iterated
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx in front: do not buffer
    return response
