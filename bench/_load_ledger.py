"""What the load benchmark's server acknowledged, and the check that all of it is there.

The virtual users of :mod:`bench.bench_load` record in one :class:`Ledger` every
answer that acknowledged a write (a 201 or 200 create, a 200 update or status
change, with the version it made); :func:`verify` then reads every incident back
and lists what is missing, duplicated or unexplained.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fetch", "Incident", "Ledger", "Write", "check_incident", "verify"]

#: incident ids -> each incident as the API returns it, or None where there is none
Fetch = Callable[[list[int]], dict[int, dict[str, Any] | None]]


# --------------------------------------------------------------------------- what was acknowledged
@dataclass
class Write:
    """An acknowledged update or status change: the version it made and what it sent."""

    kind: str  # "update" | "transition"
    version: int
    by: str
    body: dict[str, Any]


@dataclass
class Incident:
    """An acknowledged incident: its key, first description and acknowledged writes."""

    incident_id: int
    key: str
    description: str
    writes: list[Write] = field(default_factory=list)
    #: fields (and "status", "description") touched by writes whose answer never came
    unsure: set[str] = field(default_factory=set)


class Ledger:
    """Every write the server acknowledged, shared by the virtual users."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.incidents: dict[int, Incident] = {}
        self.answers: dict[str, list[tuple[int, int]]] = defaultdict(list)  # key -> (status, id)
        self.unsure_keys: set[str] = set()
        self.resubmitted: set[str] = set()
        self.unexpected: list[str] = []
        self.open: list[int] = []  # incidents colleagues may add to
        #: set when the benchmark SIGKILLs the server: failures after it are expected
        self.killed = threading.Event()

    def created(self, key: str, status: int, incident: dict[str, Any], description: str) -> None:
        incident_id = int(incident["incident_id"])
        with self.lock:
            self.answers[key].append((status, incident_id))
            if incident_id not in self.incidents:
                self.incidents[incident_id] = Incident(incident_id, key, description)
                self.open.append(incident_id)

    def wrote(self, incident_id: int, write: Write) -> None:
        with self.lock:
            self.incidents[incident_id].writes.append(write)

    def unsure(self, incident_id: int, what: set[str]) -> None:
        with self.lock:
            if incident_id in self.incidents:
                self.incidents[incident_id].unsure |= what

    def closed(self, incident_id: int) -> None:
        with self.lock:
            if incident_id in self.open:
                self.open.remove(incident_id)

    def pick_open(self, rng: random.Random, not_by: set[int]) -> int | None:
        with self.lock:
            choices = [i for i in self.open[-40:] if i not in not_by]
        return rng.choice(choices) if choices else None

    def note(self, message: str) -> None:
        if self.killed.is_set():  # the server was killed on purpose: not a finding
            return
        with self.lock:
            if len(self.unexpected) < 50:
                self.unexpected.append(message)


def verify(fetch: Fetch, ledger: Ledger) -> tuple[list[str], dict[str, int], int]:
    """Check every acknowledged write: ``(problems, counts, incidents found)``.

    ``fetch`` reads incidents by id. Every id up to the highest acknowledged one is
    read, and on until 50 in a row are missing, so that an incident nobody was told
    about is found too.
    """
    problems: list[str] = []
    highest = max(ledger.incidents, default=0)
    # every id up to the highest acknowledged one and 50 past it (unanswered creates; on
    # PostgreSQL a key that lost a race uses up a sequence number, so gaps are normal)
    found: dict[int, dict[str, Any] | None] = {}
    upper = highest + 50
    lower = 1
    while lower <= upper:
        found.update(fetch(list(range(lower, upper + 1))))
        present = [i for i, inc in found.items() if inc is not None]
        lower, upper = upper + 1, max(present, default=0) + 50

    by_key: dict[str, list[int]] = defaultdict(list)
    for incident_id, incident in found.items():
        if incident is not None:
            by_key[str(incident["idempotency_key"])].append(incident_id)
    for key, ids in by_key.items():
        if len(ids) > 1:
            problems.append(f"key {key}: {len(ids)} incidents {sorted(ids)}")
        if key not in ledger.answers and key not in ledger.unsure_keys:
            problems.append(
                f"incident {ids[0]} (key {key}) exists, but no create with its key was "
                "acknowledged or left without an answer"
            )

    for key, answers in ledger.answers.items():
        answered = {i for _, i in answers}
        created = sum(1 for status, _ in answers if status == 201)
        if len(answered) > 1:
            problems.append(f"key {key}: answered with incidents {sorted(answered)}")
        if created > 1:
            problems.append(f"key {key}: {created} answers were 201 (one creates, others 200)")
        if created == 0 and key not in ledger.unsure_keys:
            problems.append(f"key {key}: only 200s, no 201 for the first submission")

    counts = {"incidents": 0, "updates": 0, "status changes": 0}
    for incident_id, mine in sorted(ledger.incidents.items()):
        counts["incidents"] += 1
        counts["updates"] += sum(1 for w in mine.writes if w.kind == "update")
        counts["status changes"] += sum(1 for w in mine.writes if w.kind == "transition")
        got = found.get(incident_id)
        if got is None:
            problems.append(f"incident {incident_id} (key {mine.key}) acknowledged, not found")
            continue
        problems.extend(f"incident {incident_id}: {p}" for p in check_incident(mine, got))
    return problems, counts, sum(1 for inc in found.values() if inc is not None)


def check_incident(mine: Incident, got: dict[str, Any]) -> list[str]:
    """What of the acknowledged writes ``mine`` the incident ``got`` lacks."""
    out: list[str] = []
    if got["idempotency_key"] != mine.key:
        out.append(f"key {got['idempotency_key']!r}, acknowledged under {mine.key!r}")
    if got["description"] != mine.description:
        out.append("first description differs from the one sent")
    writes = sorted(mine.writes, key=lambda w: w.version)
    out += _version_problems(mine, got, writes)
    out += _field_problems(mine, got, writes)
    out += _timeline_problems(mine, got, [w for w in writes if w.kind == "transition"])
    return out


def _version_problems(mine: Incident, got: dict[str, Any], writes: list[Write]) -> list[str]:
    """The version: at least the newest acknowledged, one per write when all were answered."""
    out: list[str] = []
    last = max((w.version for w in writes), default=1)
    if got["version"] < last:
        out.append(f"version {got['version']}, an acknowledged write made version {last}")
    if not mine.unsure and got["version"] != 1 + len(writes):
        out.append(f"version {got['version']} after {len(writes)} acknowledged writes")
    if len({w.version for w in writes}) != len(writes):
        out.append("two acknowledged writes made the same version")
    return out


def _field_problems(mine: Incident, got: dict[str, Any], writes: list[Write]) -> list[str]:
    """Fields, added descriptions and the audit of edits against the acknowledged updates."""
    out: list[str] = []
    # fields: the newest acknowledged value of each, unless a write without an answer touched it
    newest: dict[str, Any] = {}
    for w in writes:
        if w.kind == "update":
            newest.update({k: v for k, v in w.body.items() if k != "add_description"})
    for name, value in newest.items():
        if name not in mine.unsure and got[name] != value:
            out.append(f"{name} is {str(got[name])[:80]!r}, acknowledged {str(value)[:80]!r}")
    texts = [d["text"] for d in got["descriptions"]]
    added = [w.body["add_description"] for w in writes if "add_description" in w.body]
    for text in added:
        if texts.count(text) != 1:
            out.append(f"description {text!r} appears {texts.count(text)} times")
    if "description" not in mine.unsure and len(texts) != 1 + len(added):
        out.append(f"{len(texts)} descriptions, {1 + len(added)} acknowledged")
    edited = {e["version"] for e in got["edits"]}
    for w in writes:
        if w.kind == "update" and set(w.body) - {"add_description"} and w.version not in edited:
            out.append(f"no audit entry for the edit that made version {w.version}")
    return out


def _timeline_problems(mine: Incident, got: dict[str, Any], moves: list[Write]) -> list[str]:
    """The timeline: one chain from "received", with each acknowledged status change once."""
    out: list[str] = []
    timeline = got["timeline"]
    if not timeline or timeline[0]["to"] != "received" or timeline[0]["from"] is not None:
        out.append("the timeline does not start with received")
    for before, after in itertools.pairwise(timeline):
        if after["from"] != before["to"]:
            out.append(f"timeline jumps from {before['to']} to {after['from']}→{after['to']}")
    if timeline and timeline[-1]["to"] != got["status"]:
        out.append(f"status {got['status']}, the timeline ends at {timeline[-1]['to']}")
    for w in moves:
        same = [e for e in timeline if e["note"] == w.body["note"]]
        if len(same) != 1 or same[0]["to"] != w.body["to"]:
            out.append(
                f"status change to {w.body['to']} (version {w.version}) not once in timeline"
            )
        elif same[0]["outcome"] != w.body.get("outcome"):
            out.append(f"outcome {same[0]['outcome']!r}, acknowledged {w.body.get('outcome')!r}")
    if "status" not in mine.unsure:
        if len(timeline) != 1 + len(moves):
            out.append(f"{len(timeline)} timeline entries, {1 + len(moves)} acknowledged")
        expected = moves[-1].body["to"] if moves else "received"
        if got["status"] != expected:
            out.append(f"status {got['status']}, acknowledged {expected}")
    return out
