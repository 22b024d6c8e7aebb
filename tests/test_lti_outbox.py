"""exercises/lti/outbox.py against a real LTI 1.3 platform (tests/lti_platform.py, lti1p3platform) and the
gradebook on SQLite and on a real PostgreSQL: with the platform down, 30 students' scores wait in the
outbox; once it is back each is sent once, to one line item; an unchanged score is not queued again."""

from __future__ import annotations

import json
import threading
import time

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from app.lti_routes import jwks_route
from exercises.lti import outbox, tables
from exercises.store import Store
from tests.browser.harness import free_port
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, LTI_SCOPES, lti_platform
from tests.postgres import new_postgres_database


@pytest.fixture(scope="module")
def tool_url():
    """The tool's JWKS on 127.0.0.1 (the platform checks the tool's signed token requests against it)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/lti/jwks", jwks_route)]), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_LTI_KEY", str(tmp_path / "tool_key.pem"))
    url = (f"sqlite:///{tmp_path / 'gradebook.sqlite3'}" if request.param == "sqlite"
           else new_postgres_database(request.getfixturevalue("postgres_url")))
    s = Store(url)
    tables.ensure(s.engine)
    yield s
    s.close()


def platforms(lms, tmp_path):
    path = tmp_path / "platforms.toml"
    path.write_text(lms.config_toml())
    from exercises.lti.config import load_platforms
    return load_platforms(path)


def add_link(store, lms) -> int:
    with store.engine.begin() as conn:
        return conn.execute(tables.links.insert().values(
            issuer=lms.url, client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID, context_id="course-101",
            assignment_id="practice", resource_link_id="link-practice", lineitems_url=f"{lms.url}/lineitems",
            lineitem_url=None, scopes=json.dumps(LTI_SCOPES), score_maximum=2.0)).inserted_primary_key[0]


def test_with_the_platform_down_scores_wait_and_are_sent_once_when_it_is_back(store, tool_url, tmp_path):
    with lti_platform(tool_url) as lms:
        found = platforms(lms, tmp_path)
        link = add_link(store, lms)
        lms.down()
        students = [f"s{i:02d}" for i in range(30)]
        for i, sid in enumerate(students):
            assert outbox.enqueue(store.engine, link, sid, f"sub-{sid}", (i % 3) / 2, False, wake=False)
        assert not outbox.enqueue(store.engine, link, "s00", "sub-s00", 0.0, False, wake=False)  # unchanged: not queued again
        assert outbox.run_once(store.engine, found) == 0
        waiting = outbox.pending(store.engine)
        assert len(waiting) == 30 and all(r.tries == 1 and r.last_error for r in waiting)  # one try, for all 30

        lms.up()
        time.sleep(1.1)  # the first retry waits 1 s
        assert outbox.run_once(store.engine, found) == 30
        assert outbox.pending(store.engine) == []
        assert outbox.run_once(store.engine, found) == 0  # none twice
        assert sorted(s["userId"] for s in lms.scores) == sorted(f"sub-{s}" for s in students)
        assert len(lms.lineitems) == 1 and {s["lineitem"] for s in lms.scores} == set(lms.lineitems)
        given = {s["userId"]: s["scoreGiven"] for s in lms.scores}
        assert given["sub-s01"] == 1.0 and given["sub-s02"] == 2.0 and given["sub-s00"] == 0.0
        assert {(s["scoreMaximum"], s["gradingProgress"]) for s in lms.scores} == {(2.0, "FullyGraded")}

        # a new score of one student: one more call, to the same line item (no second line item on re-sync)
        assert outbox.enqueue(store.engine, link, "s00", "sub-s00", 1.0, True, wake=False)
        assert outbox.run_once(store.engine, found) == 1
        assert (lms.scores[-1]["scoreGiven"], lms.scores[-1]["activityProgress"]) == (2.0, "Completed")
        assert len(lms.scores) == 31 and len(lms.lineitems) == 1


def test_a_row_claimed_by_another_worker_is_not_sent_twice(store, tool_url, tmp_path):
    with lti_platform(tool_url) as lms:
        found = platforms(lms, tmp_path)
        link = add_link(store, lms)
        outbox.enqueue(store.engine, link, "alice", "sub-alice", 0.5, False, wake=False)
        results = []
        threads = [threading.Thread(target=lambda: results.append(outbox.run_once(store.engine, found)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(results) == 1 and len(lms.scores) == 1 and len(lms.lineitems) == 1
