"""Assignment and Grade Services: a student's assignment score goes to the LMS's line item through a
durable outbox in the gradebook (tables.outbox), sent by a worker thread with retries.

enqueue() runs in the Submit's callback: one upsert per (link, student) holding the latest score, and
only when the score changed, so a re-launch or a repeated answer sends nothing new, and a platform that
is down costs the student nothing (feedback never waits for the LMS). The worker claims due rows
(claimed_until, so two app processes never send the same row at once), sends the latest score with
pylti1p3 (an access token from the platform's token endpoint, then POST .../scores), and marks it sent
only if no newer score arrived meanwhile. A failure is retried after 1, 2, 4 ... 30 seconds; while the
LMS cannot be reached, one try per link and round stands for all its due rows.

The line item: the one the launch names (deep linking creates it with the content item); else one
found by its tag (the assignment id) or created once, and remembered in tables.links, so re-launches and
re-syncs never make a second line item for the same assignment. Never imports streamlit.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from exercises.lti import config, tables
from exercises.lti.storage import Connector

log = logging.getLogger(__name__)

CLAIM_S = 60.0
MAX_BACKOFF_S = 30.0  # after a long outage, scores follow within 30 s of the LMS's return
TAG = "attention-lab"


def enqueue(engine: Engine, link_id: int, student_id: str, lms_user_id: str, score: float, completed: bool, *,
            wake: bool = True) -> bool:
    """Queue `score` (0..1 of the assignment) for the LMS; True when it is new (differs from the row's).
    wake: start or wake this process's worker (False: the caller sends with run_once)."""
    t = tables.outbox
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    values = {"link_id": link_id, "student_id": student_id, "lms_user_id": lms_user_id, "score": float(score),
              "progress": "Completed" if completed else "InProgress", "scored_at": now, "sent": False, "tries": 0,
              "next_try_at": 0.0, "claimed_until": 0.0, "last_error": None, "sent_score": None}
    changed = {k: values[k] for k in ("score", "progress", "scored_at", "sent", "tries", "next_try_at", "lms_user_id")}
    stmt = tables.insert(engine)(t).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=["link_id", "student_id"], set_=changed,
                                      where=(t.c.score != stmt.excluded.score) | (t.c.progress != stmt.excluded.progress))
    with tables.ensure(engine).begin() as conn:
        new = conn.execute(stmt.returning(t.c.id)).first() is not None  # a row inserted or changed
    if new and wake:
        Worker.wake(engine)
    return new


def _registration(platforms: list[config.Platform], issuer: str, client_id: str) -> Registration:
    p = next((p for p in platforms if p.issuer == issuer and p.client_id == client_id), None)
    if p is None:
        raise LookupError(f"the platform {issuer} (client {client_id}) is no longer registered")
    return (Registration().set_issuer(p.issuer).set_client_id(p.client_id).set_auth_token_url(p.auth_token_url)
            .set_auth_audience(p.auth_audience).set_key_set_url(p.key_set_url)
            .set_tool_private_key(config.private_key()).set_tool_public_key(config.public_pem()))


def _lineitem(engine: Engine, link, ags: AssignmentsGradesService) -> str:
    """The line item's URL for `link`: known, else found by its tag or created, once. The look-up and the
    creation hold the link's row locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE), so
    two workers, in two app processes, never both create one."""
    if link.lineitem_url:
        return link.lineitem_url
    t = tables.links
    with engine.connect().execution_options(attention_lab_write=True) as conn, conn.begin():
        query = select(t.c.lineitem_url).where(t.c.id == link.id)
        known = conn.execute(query.with_for_update() if engine.dialect.name == "postgresql" else query).scalar()
        if known:
            return known
        item = ags.find_or_create_lineitem(
            LineItem().set_tag(f"{TAG}:{link.assignment_id}").set_resource_id(link.assignment_id)
            .set_label(link.assignment_id).set_score_maximum(link.score_maximum), find_by="tag")
        conn.execute(update(t).where(t.c.id == link.id).values(lineitem_url=item.get_id()))
        return item.get_id()


def send(engine: Engine, row, platforms: list[config.Platform]) -> None:
    """POST one outbox row's score to its line item (raises on any failure)."""
    with engine.connect() as conn:
        link = conn.execute(select(tables.links).where(tables.links.c.id == row.link_id)).one()
    ags = AssignmentsGradesService(Connector(_registration(platforms, link.issuer, link.client_id)), {
        "scope": json.loads(link.scopes), "lineitems": link.lineitems_url, "lineitem": link.lineitem_url})
    url = _lineitem(engine, link, ags)
    grade = (Grade().set_score_given(round(row.score * link.score_maximum, 4)).set_score_maximum(link.score_maximum)
             .set_timestamp(row.scored_at).set_activity_progress(row.progress).set_grading_progress("FullyGraded")
             .set_user_id(row.lms_user_id))
    ags.put_grade(grade, LineItem({"id": url, "scoreMaximum": link.score_maximum}))


def run_once(engine: Engine, platforms: list[config.Platform], limit: int = 50) -> int:
    """Send what is due now; the number sent. When the LMS cannot be reached for one row, the other due
    rows of the same link wait as long without a try each (one write, not one per student)."""
    t, now = tables.outbox, time.time()
    with tables.ensure(engine).connect() as conn:
        due = conn.execute(select(t).where(t.c.sent.is_(False), t.c.next_try_at <= now, t.c.claimed_until < now)
                           .order_by(t.c.next_try_at).limit(limit)).all()
    sent, unreachable = 0, set()
    for row in due:
        if row.link_id in unreachable:
            continue
        with engine.begin() as conn:  # claim it: another process may be looking at the same row
            if conn.execute(update(t).where(t.c.id == row.id, t.c.claimed_until < now, t.c.sent.is_(False))
                            .values(claimed_until=now + CLAIM_S)).rowcount != 1:
                continue
            row = conn.execute(select(t).where(t.c.id == row.id)).one()  # the latest score, not the list's
        try:
            send(engine, row, platforms)
        except Exception as err:  # the platform is down, refuses, or is no longer registered: try again later
            wait = min(MAX_BACKOFF_S, 2.0 ** row.tries)
            log.warning("sending a score to the LMS failed (try %d, again in %.0f s): %s", row.tries + 1, wait, err)
            same = (t.c.id == row.id)
            if isinstance(err, requests.ConnectionError | requests.Timeout):
                unreachable.add(row.link_id)
                same = same | ((t.c.link_id == row.link_id) & t.c.sent.is_(False) & (t.c.next_try_at <= now))
            with engine.begin() as conn:
                conn.execute(update(t).where(same).values(
                    tries=t.c.tries + 1, next_try_at=time.time() + wait, claimed_until=0.0, last_error=str(err)[:500]))
            continue
        with engine.begin() as conn:  # sent; unless a newer score came in meanwhile (then that one goes next)
            conn.execute(update(t).where(t.c.id == row.id, t.c.scored_at == row.scored_at).values(
                sent=True, sent_score=row.score, claimed_until=0.0, last_error=None))
            conn.execute(update(t).where(t.c.id == row.id).values(claimed_until=0.0))
        sent += 1
    return sent


def pending(engine: Engine) -> list:
    """Rows not sent yet (for the dashboard and the tests)."""
    with tables.ensure(engine).connect() as conn:
        return conn.execute(select(tables.outbox).where(tables.outbox.c.sent.is_(False))).all()


class Worker:
    """One daemon thread per process and gradebook: sends due rows, waking on enqueue() or every `every` s."""

    _workers: dict[str, Worker] = {}
    _lock = threading.Lock()
    every = 2.0

    def __init__(self, engine: Engine):
        self.engine, self.event = engine, threading.Event()
        threading.Thread(target=self._loop, name="lti-outbox", daemon=True).start()

    @classmethod
    def start(cls, engine: Engine) -> Worker:
        with cls._lock:
            key = str(engine.url)
            if key not in cls._workers:
                cls._workers[key] = Worker(engine)
            return cls._workers[key]

    @classmethod
    def wake(cls, engine: Engine) -> None:
        cls.start(engine).event.set()

    def _loop(self) -> None:
        while True:
            self.event.wait(self.every)
            self.event.clear()
            try:
                run_once(self.engine, config.load_platforms())
            except Exception:  # the gradebook or the platforms file: log, and try again on the next round
                log.exception("the LTI outbox worker failed a round")
