"""One browser tab without a browser: Streamlit's own websocket protocol, spoken from Python.

A `Tab` connects to `/_stcore/stream` as Streamlit's frontend does (subprotocol "streamlit"), sends
`BackMsg`s and reads `ForwardMsg`s (the protobufs of `streamlit.proto`). It keeps what the frontend
keeps: the elements of the page by delta path (each tagged with the script run that wrote it; at a
run's end those a run did not write are dropped, like the frontend's stale nodes), the page's script
hash from `newSession`, and the widget values the tab has sent, so every rerun carries them all (the
frontend's WidgetStateManager). Widgets are found by kind and label on the page itself: their ids come
from the elements' `id` fields, never written here.

Works under gevent (locust) and in plain threads: it blocks on websocket-client's socket.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RERUN_EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN


class ProtocolError(RuntimeError):
    """The server said something a tab did not expect (a page not found, an exception, a widget missing)."""


class Disconnected(ProtocolError):
    """The connection to the server is gone (its process died, the load balancer dropped it)."""


DISCONNECTED = (Disconnected, websocket.WebSocketConnectionClosedException, ConnectionError)


@dataclass
class Widget:
    kind: str  # the element's oneof name: text_input, button, selectbox, radio, ...
    id: str
    label: str
    proto: object = field(repr=False)
    fragment_id: str = ""  # the st.fragment it is drawn in: pressing it reruns only that fragment


class Tab:
    def __init__(self, base_url: str, page: str, timeout: float = 120.0, query: str = ""):
        parts = urlsplit(base_url)
        self.http = f"{parts.scheme}://{parts.netloc}"
        self.page_name = page
        self.timeout = timeout
        ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.ws = websocket.create_connection(ws_url, subprotocols=["streamlit"], timeout=timeout)
        self.page_script_hash = ""
        self.query_string = query
        self.auto_reruns: dict[str, float] = {}  # fragment id -> seconds (st.fragment(run_every=...))
        self.elements: dict[tuple, tuple[str, str, object]] = {}  # delta path -> (run id, fragment id, Element)
        self.widget_values: dict[str, WidgetState] = {}  # what the frontend would send with every rerun
        self.run_id = ""
        self.run_fragments: list[str] = []  # the fragments a fragment run reruns (empty: a full run)
        self.messages = 0

    def close(self) -> None:
        try:
            self.ws.close()
        except OSError:
            pass

    # --- sending ----------------------------------------------------------------------------------

    def rerun(self, triggers: tuple[WidgetState, ...] = (), fragment_id: str = "", auto: bool = False) -> None:
        """Send a rerun_script BackMsg: every widget value set so far, plus one-shot triggers (a button)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_script_hash
        cs.page_name = "" if self.page_script_hash else self.page_name
        for state in self.widget_values.values():
            cs.widget_states.widgets.append(state)
        for state in triggers:
            cs.widget_states.widgets.append(state)
        self.ws.send_binary(msg.SerializeToString())

    def set_value(self, widget: Widget, **value) -> None:
        """Remember a widget's new value (e.g. string_value="0.1 0.2"); sent with the next rerun."""
        self.widget_values[widget.id] = WidgetState(id=widget.id, **value)

    def forget(self, widget: Widget) -> None:
        """Stop sending a widget's value (its element left the page, e.g. a form that was submitted)."""
        self.widget_values.pop(widget.id, None)

    def click(self, button: Widget) -> None:
        """Press a button (a form's submit button sends the form's values with it, as here all are)."""
        self.rerun((WidgetState(id=button.id, trigger_value=True),), button.fragment_id)

    # --- receiving --------------------------------------------------------------------------------

    def receive(self) -> ForwardMsg:
        return self.handle(self.ws.recv())

    def handle(self, data: bytes) -> ForwardMsg:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        self.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.run_id = msg.metadata.run.script_run_id
            self.run_fragments = list(msg.metadata.run.fragment_ids)
        elif kind == "navigation":  # st.navigation: the page this run shows (the frontend keeps its hash)
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "delta":
            path = tuple(msg.metadata.delta_path)
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                self.elements[path] = (self.run_id, delta.fragment_id, delta.new_element)
            elif delta.WhichOneof("type") == "add_block":
                self.elements[path] = (self.run_id, delta.fragment_id, None)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "auto_rerun":  # the frontend reruns this fragment on a timer: so does the caller
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "page_not_found":
            raise ProtocolError(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "ref_hash":
            raise ProtocolError("the server sent a cached-message reference; this tab reports no cache")
        return msg

    def until_finished(self, watch=None) -> dict:
        """Read messages until the script run (and any st.rerun it asked for) finishes. `watch(tab, msg)`
        is called on each message; the first time it returns true, that moment is kept as `seen`."""
        seen = None
        while True:
            msg = self.receive()
            if seen is None and watch is not None and watch(self, msg):
                seen = time.perf_counter()
            if msg.WhichOneof("type") == "script_finished":
                if msg.script_finished == RERUN_EARLY:
                    continue
                self.elements = {p: e for p, e in self.elements.items() if e[0] == self.run_id
                                 or (self.run_fragments and e[1] not in self.run_fragments)}  # drop the stale
                if msg.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                               ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    raise ProtocolError(f"the script run ended with status {msg.script_finished}")
                return {"seen": seen, "finished": time.perf_counter()}

    def idle(self, seconds: float) -> None:
        """Wait like an open tab: answer the server's pings and keep any message that comes. (recv() would
        wait on past a ping for a data frame, with its timeout restarted: seconds late.)"""
        deadline = time.monotonic() + seconds
        try:
            while (left := deadline - time.monotonic()) > 0:
                self.ws.settimeout(left)
                try:
                    opcode, frame = self.ws.recv_data_frame(True)  # returns after a ping too (answered)
                except websocket.WebSocketTimeoutException:
                    break
                if opcode == websocket.ABNF.OPCODE_BINARY:
                    self.handle(frame.data)
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    raise Disconnected("the server closed the connection")
        finally:
            self.ws.settimeout(self.timeout)

    def open(self) -> None:
        """The first run of the page, as when a browser opens its URL."""
        self.rerun()
        self.until_finished()

    # --- finding things on the page ----------------------------------------------------------------

    def page_elements(self):
        """(path, kind, proto) of the page's elements in page order."""
        for path in sorted(self.elements):
            _, fragment, el = self.elements[path]
            if el is not None:
                kind = el.WhichOneof("type")
                yield path, kind, getattr(el, kind), fragment

    def widget(self, kind: str, label: str, form: str | None = None) -> Widget:
        """The widget of this kind whose label is `label` (and, if given, inside a form whose id starts
        with `form`); ProtocolError naming what is on the page when there is none."""
        found = [Widget(k, p.id, p.label, p, f) for _, k, p, f in self.page_elements()
                 if k == kind and getattr(p, "label", None) == label
                 and (form is None or getattr(p, "form_id", "").startswith(form))]
        if not found:
            raise ProtocolError(f"no {kind} labelled {label!r} on the page; it shows: {self.describe()[:600]}")
        return found[0]

    def widgets(self) -> list[Widget]:
        """Every element with an id (widgets), in page order."""
        return [Widget(k, p.id, getattr(p, "label", ""), p, f) for _, k, p, f in self.page_elements()
                if getattr(p, "id", "")]

    def has_widget(self, kind: str, label: str) -> bool:
        return any(k == kind and getattr(p, "label", None) == label for _, k, p, _ in self.page_elements())

    def alerts(self) -> list[str]:
        return [p.body for _, k, p, _ in self.page_elements() if k == "alert"]

    def describe(self) -> str:
        out = []
        for _, kind, p, _ in self.page_elements():
            text = getattr(p, "label", None) or getattr(p, "body", None) or getattr(p, "text", None) or ""
            out.append(f"{kind}:{str(text)[:50]}")
        return "; ".join(out)
