"""The simulated students of benchmarks/class_load.py: a locust User that is one student on page 6,
speaking Streamlit's websocket protocol (st_session.Tab), and the two traffic shapes.

A student opens /exercises, signs in (a roster id and personal code, or any id and the class code),
picks the assignment in the page's "Assignment" box, and for each exercise: thinks (arrival shape) or
waits for the burst's instant (burst shape), types the answer into the exercise's form (the widget in
the form of the "Submit" button: a text box, a text area or a radio) and presses Submit. The clock runs
from sending that press to the arrival of the alert that shows the expected feedback ("Correct." or the
mistake's explanation); the run's end is recorded too. Then "Next exercise" (a real button of the page).

Each submit is reported to locust's stats as a request ("WS submit"), the opening and signing in as
"WS open+sign in". What the student meant to store is kept in `Class.submitted` for the read-back.
"""

from __future__ import annotations

import random
import time

import gevent
import websocket
from gevent.event import Event
from locust import LoadTestShape, User, constant, task

from benchmarks.st_session import DISCONNECTED, ProtocolError, Tab
from exercises import practice
from exercises.base import CORRECT

MISTAKE_EVERY = 2  # every second answer is one of the family's known mistakes
RETRY_S = 30.0  # how long a student whose process died keeps trying to reconnect


def plan(student: str, assignment, pos: int, wrong: bool) -> dict:
    """The answer to type and the feedback text expected: the right one, or a known mistake of the family."""
    ex = practice.exercise(student, assignment, pos)
    fam = ex.family
    if not wrong:
        answer = fam.solve(ex.params)
        fb = fam.grade(ex.params, answer)
        assert fb.correct and fb.message.startswith(CORRECT), (student, pos, fb)
        return {"answer": answer, "needle": fb.message[:40], "mistake": None, "kind": ex.form()["kind"]}
    names = list(fam.MISTAKES)
    for name in names[pos % len(names):] + names[:pos % len(names)]:
        answer = fam.MISTAKES[name](ex.params)
        fb = fam.grade(ex.params, answer) if answer is not None else None
        if fb is not None and fb.valid and fb.mistake == name:  # the page shows fb.message (app/gradebook.py)
            return {"answer": answer, "needle": fb.message[:40], "mistake": name, "kind": ex.form()["kind"]}
    return plan(student, assignment, pos, False)


def unescaped(text: str) -> str:
    """An alert's markdown as shown: app/plain.py escapes punctuation with backslashes."""
    return text.replace("\\", "").replace("  \n", "\n")


class Class:
    """What the students of one run share: the server, who they are, and what they did."""

    def __init__(self, url: str, assignment, students: list[tuple[str, str | None]], signin: str, shape: str,
                 exercises: int, think: tuple[float, float], window: float):
        self.url, self.assignment, self.signin, self.shape = url, assignment, signin, shape
        self.students = students  # (id, personal code or the class code)
        self.exercises, self.think, self.window = exercises, think, window
        self.next = 0
        self.ready = 0  # signed in (burst: waiting for the instant)
        self.done = 0  # finished (all exercises, or failed)
        self.fire = Event()
        self.fire_at = 0.0
        self.submitted: list[dict] = []  # one per press of Submit, acknowledged or not
        self.errors: list[str] = []
        self.reconnects: list[str] = []
        self.reconnected: set[str] = set()
        self.first_submit = self.last_feedback = None

    def claim(self) -> tuple[int, str, str | None]:
        i = self.next
        self.next += 1
        return (i, *self.students[i])

    def signed_in(self) -> None:
        self.ready += 1
        if self.shape == "burst" and self.ready + self.done >= len(self.students):
            self.fire_at = time.time() + 1.0
            self.fire.set()

    def finished(self) -> None:
        self.done += 1
        if self.shape == "burst" and self.ready + self.done >= len(self.students) and not self.fire.is_set():
            self.fire_at = time.time()
            self.fire.set()


class Student(User):
    """One student with one browser tab on page 6. Runs its exercises once, then keeps the tab open."""

    wait_time = constant(0)
    room: Class  # set by class_load.py before the run

    @task
    def lesson(self) -> None:
        room = self.room
        if room.next >= len(room.students):
            return self.idle_forever()
        i, sid, code = room.claim()
        tab = None
        try:
            t0 = time.perf_counter()
            tab = self.connect(sid, code, 0)
            self.report("open+sign in", time.perf_counter() - t0, tab)
            room.signed_in()
            for pos in range(room.exercises):
                want = plan(sid, room.assignment, pos, wrong=(i + pos) % MISTAKE_EVERY == 1)  # before the clock
                try:
                    self.wait_turn(tab, pos)
                    self.submit(tab, sid, pos, want)
                except DISCONNECTED as err:  # its process died: reconnect, sign in again, submit it again
                    room.reconnects.append(f"{sid}, exercise {pos + 1}: {type(err).__name__}")
                    room.reconnected.add(sid)
                    tab.close()
                    t1 = time.perf_counter()
                    tab = self.connect(sid, code, pos)
                    self.report("reconnect+sign in", time.perf_counter() - t1, tab)
                    if tab.has_widget("button", "Submit"):
                        self.submit(tab, sid, pos, want)  # the same answer again is the same submission
                    else:
                        self.recovered(tab, sid, pos)
                if pos + 1 < room.exercises:
                    tab.click(tab.widget("button", "Next exercise ▶"))
                    tab.until_finished()
        except Exception as err:  # a refused connection, a page that changed: counted, the run goes on
            room.errors.append(f"{sid}: {type(err).__name__}: {str(err)[:300]}")
            self.environment.events.request.fire(request_type="WS", name="failed", response_time=0,
                                                 response_length=0, exception=err, context={})
        finally:
            room.finished()
        self.idle_forever(tab)

    def idle_forever(self, tab: Tab | None = None) -> None:
        while True:  # a student keeps the tab open until the class ends (the runner stops this greenlet)
            if tab is not None:
                try:
                    tab.idle(30)
                except Exception:
                    tab = None
            else:
                gevent.sleep(30)

    def connect(self, sid: str, code: str | None, pos: int) -> Tab:
        """A new tab on page 6: open it, sign in, pick the assignment, and show exercise `pos` (after a
        reconnect the page starts at the first exercise not closed)."""
        tab = self.open_tab(reconnect=pos > 0 or sid in self.room.reconnected)
        self.sign_in(tab, sid, code)
        self.pick_assignment(tab)
        box = tab.widget("selectbox", "Exercise")
        if box.proto.raw_value != box.proto.options[pos]:
            tab.set_value(box, string_value=box.proto.options[pos])
            tab.rerun()
            tab.until_finished()
        return tab

    def recovered(self, tab: Tab, sid: str, pos: int) -> None:
        """After a reconnect the exercise has no Submit: the answer pressed before the process died was stored
        and closed it (solved, or the last try), and the page shows so. It counts as acknowledged, untimed."""
        record = next((r for r in reversed(self.room.submitted) if r["student"] == sid and r["position"] == pos),
                      None)
        shown = [p.body for _, k, p, _ in tab.page_elements() if k == "markdown" and "after" in p.body
                 and ("Solved" in p.body or "No tries left" in p.body)]
        if record is None or not shown:
            raise ProtocolError(f"{sid}, exercise {pos + 1}: no Submit after reconnecting, and no answer of "
                                f"this student closed it: {tab.describe()[:300]}")
        record.update(acknowledged=True, recovered=True)

    def open_tab(self, reconnect: bool) -> Tab:
        """Open page 6. After a lost connection, retry as Streamlit's frontend does (for up to RETRY_S, waiting
        longer each time): until the load balancer's health check has taken the dead process out, a new
        connection may still be sent to it (502)."""
        deadline = time.monotonic() + (RETRY_S if reconnect else 0)
        wait = 0.25
        while True:
            try:
                tab = Tab(self.room.url, "exercises")
                tab.open()
                return tab
            except (websocket.WebSocketBadStatusException, *DISCONNECTED):
                if time.monotonic() > deadline:
                    raise
                gevent.sleep(wait)
                wait = min(wait * 2, 2.0)

    def report(self, name: str, seconds: float, tab: Tab) -> None:
        self.environment.events.request.fire(request_type="WS", name=name, response_time=seconds * 1000,
                                             response_length=tab.messages, exception=None, context={})

    def sign_in(self, tab: Tab, sid: str, code: str | None) -> None:
        room = self.room
        tab.set_value(tab.widget("text_input", "Student id"), string_value=sid)
        label = "Personal code" if room.signin == "roster" else "Class code"
        if code is not None:
            tab.set_value(tab.widget("text_input", label), string_value=code)
        tab.click(tab.widget("button", "Sign in"))
        tab.until_finished()
        if not tab.has_widget("button", "Sign out"):
            raise ProtocolError(f"signing in as {sid} failed: {tab.alerts() or tab.describe()[:300]}")

    def pick_assignment(self, tab: Tab) -> None:
        box = tab.widget("selectbox", "Assignment")
        title = self.room.assignment.title
        if title not in box.proto.options:
            raise ProtocolError(f"the page lists no assignment titled {title!r} (it lists {list(box.proto.options)})")
        if box.proto.raw_value != title:  # a browser sends a new value only when it changes
            tab.set_value(box, string_value=title)
            tab.rerun()
            tab.until_finished()

    def wait_turn(self, tab: Tab, pos: int) -> None:
        room = self.room
        if room.shape == "burst":
            room.fire.wait()
            tab.idle(max(0.0, room.fire_at + random.uniform(0, room.window) - time.time()))
        else:
            tab.idle(random.uniform(*room.think))

    def submit(self, tab: Tab, sid: str, pos: int, want: dict) -> None:
        room = self.room
        button = tab.widget("button", "Submit")
        if not button.proto.is_form_submitter:
            raise ProtocolError("the Submit button is not a form's submit button")
        box = next((w for w in tab.widgets() if w.proto.form_id == button.proto.form_id and w.id != button.id
                    and w.kind in ("text_input", "text_area", "radio")), None)
        if box is None:
            raise ProtocolError(f"no answer box in the form {button.proto.form_id!r}: {tab.describe()[:300]}")
        tab.set_value(box, string_value=want["answer"])
        record = {"student": sid, "position": pos, **want, "acknowledged": False, "feedback_s": None}
        room.submitted.append(record)

        def shows_feedback(t: Tab, msg) -> bool:
            if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
                return False
            el = msg.delta.new_element
            return el.WhichOneof("type") == "alert" and want["needle"] in unescaped(el.alert.body)

        t0 = time.perf_counter()
        record["pressed_at"] = time.time()
        room.first_submit = room.first_submit or record["pressed_at"]
        tab.click(button)
        times = tab.until_finished(shows_feedback)
        tab.forget(box)  # the form is gone with its exercise; its value is not sent again
        if times["seen"] is None:
            raise ProtocolError(f"{sid}, exercise {pos + 1}: no feedback with {want['needle']!r}; "
                                f"alerts: {[unescaped(a)[:80] for a in tab.alerts()]}")
        record.update(acknowledged=True, feedback_s=times["seen"] - t0, run_s=times["finished"] - t0)
        room.last_feedback = time.time()
        self.report("submit", record["feedback_s"], tab)


# --- the traffic shapes (locust's LoadTestShape) ---------------------------------------------------

class Arrival(LoadTestShape):
    """N students arriving evenly over T seconds; the test ends when all have finished (or at the deadline)."""

    def __init__(self, room: Class, seconds: float, deadline: float):
        super().__init__()
        self.room, self.seconds, self.deadline = room, seconds, deadline

    def tick(self):
        n = len(self.room.students)
        if self.room.done >= n or self.get_run_time() > self.deadline:
            return None
        return n, n / max(self.seconds, 0.001)


class Burst(Arrival):
    """N students open the page and sign in (untimed, `setup_rate` a second), then all submit within the window."""

    def __init__(self, room: Class, setup_rate: float, deadline: float):
        super().__init__(room, len(room.students) / setup_rate, deadline)


# --- the projector: the live view open through the run (--live) ----------------------------------

def projector(url: str, password: str, assignment_id: str, every: int, out: dict) -> None:
    """The instructor's live view (/live) on the projector: signs in with the dashboard's password, then
    reruns the view's fragment whenever its timer says (the auto_rerun message), as the frontend does,
    until killed. `out` collects how many refreshes ran, how long each took, the messages each brought and
    how many of them the server ran as a whole page instead of the fragment (full_runs: 0 expected)."""
    out.update(refreshes=[], windows=[], messages=[], full_runs=0, error=None)
    try:
        tab = Tab(url, "live", query=f"assignment={assignment_id}&exercise=1&every={every}")
        tab.open()
        tab.set_value(tab.widget("text_input", "Password"), string_value=password)
        tab.click(tab.widget("button", "Open the dashboard"))
        tab.until_finished()
        if not tab.auto_reruns:
            raise ProtocolError(f"the live view set no timer: {tab.describe()[:300]}")
        fragment, interval = next(iter(tab.auto_reruns.items()))
        while True:
            tab.idle(interval)
            t0, before, at = time.perf_counter(), tab.messages, time.time()
            tab.rerun(fragment_id=fragment, auto=True)
            tab.until_finished()
            out["refreshes"].append(time.perf_counter() - t0)
            out["windows"].append((at, at + out["refreshes"][-1]))  # wall clock, as the submits' presses
            out["messages"].append(tab.messages - before)
            out["full_runs"] += not tab.run_fragments  # the server ran the whole page, not the fragment
    except gevent.GreenletExit:
        raise
    except Exception as err:
        out["error"] = f"{type(err).__name__}: {str(err)[:300]}"
