"""The LTI scores' outbox (exercises/lti/outbox.py) when the LMS is down for a while under a class: a
real LTI 1.3 platform (tests/lti_platform.py) goes down, `--students` students each submit `--answers`
times at random moments over `--down` seconds (every answer changes the score, so each is queued), the
process's real worker tries and backs off, the platform comes back. Measured: what queueing costs the
Submit (ms), how long after the platform's return the last score lands, score POSTs per student (only
the latest score of each should go, once), line items made (1), token requests.

    .venv/bin/python benchmarks/lti_outbox.py                 # 30 students, 3 answers, down 60 s, SQLite
    .venv/bin/python benchmarks/lti_outbox.py --down 10       # a shorter outage
    .venv/bin/python benchmarks/lti_outbox.py --url postgresql+psycopg://USER@HOST/EMPTY_DB
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from common import save
from starlette.applications import Starlette
from starlette.routing import Route

from tests.browser.harness import free_port
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, LTI_SCOPES, lti_platform


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--down", type=float, default=60.0, help="seconds the platform is down")
    parser.add_argument("--url", help="the gradebook (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lti-outbox-"))
    os.environ["ATTENTION_LAB_LTI_KEY"] = str(folder / "tool_key.pem")

    from app.lti_routes import jwks_route
    from exercises.lti import outbox, tables
    from exercises.store import Store

    port = free_port()
    tool = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/lti/jwks", jwks_route)]), host="127.0.0.1",
                                         port=port, log_level="warning", lifespan="off"))
    threading.Thread(target=tool.run, daemon=True).start()
    while not tool.started:
        time.sleep(0.02)
    store = Store(args.url or f"sqlite:///{folder / 'gradebook.sqlite3'}")
    engine = tables.ensure(store.engine)
    with lti_platform(f"http://127.0.0.1:{port}") as lms:
        (folder / "platforms.toml").write_text(lms.config_toml())
        os.environ["ATTENTION_LAB_LTI_PLATFORMS"] = str(folder / "platforms.toml")
        with engine.begin() as conn:
            link = conn.execute(tables.links.insert().values(
                issuer=lms.url, client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID, context_id="course-101",
                assignment_id="practice", lineitems_url=f"{lms.url}/lineitems", lineitem_url=None,
                scopes=json.dumps(LTI_SCOPES), score_maximum=float(args.answers))).inserted_primary_key[0]
        rng = random.Random(0)
        moments = sorted((rng.uniform(0, args.down), f"s{i:02d}") for i in range(args.students)
                         for _ in range(args.answers))
        lms.down()
        started, done, costs = time.monotonic(), {}, []
        for at, sid in moments:
            time.sleep(max(0.0, started + at - time.monotonic()))
            done[sid] = done.get(sid, 0) + 1
            t0 = time.perf_counter()
            outbox.enqueue(engine, link, sid, f"sub-{sid}", done[sid] / args.answers, done[sid] == args.answers)
            costs.append(time.perf_counter() - t0)
        time.sleep(max(0.0, started + args.down - time.monotonic()))
        waiting = len(outbox.pending(engine))
        lms.up()
        back = time.monotonic()
        while outbox.pending(engine) and time.monotonic() - back < 300:
            time.sleep(0.05)
        drained = time.monotonic() - back
        time.sleep(5)  # anything sent twice would show now
        per_student = [len(lms.scores_for(f"sub-s{i:02d}")) for i in range(args.students)]
        result = {
            "students": args.students, "answers_each": args.answers, "down_s": args.down,
            "queued_at_return": waiting,
            "enqueue_ms": {"median": round(1000 * statistics.median(costs), 2), "max": round(1000 * max(costs), 2)},
            "last_score_after_return_s": round(drained, 2),
            "score_posts_per_student": sorted(set(per_student)), "score_posts": len(lms.scores),
            "last_score_of_each_is_the_latest": all(lms.scores_for(f"sub-s{i:02d}")[-1]["scoreGiven"] == args.answers
                                                    for i in range(args.students)),
            "line_items": len(lms.lineitems), "token_requests": lms.token_requests,
            "load_average": os.getloadavg(),
        }
    print(json.dumps(result, indent=2))
    print(f"saved {save('lti_outbox', result)}")


if __name__ == "__main__":
    main()
