"""A TCP proxy on 127.0.0.1 between the gradebook and the tests' PostgreSQL, for faults a network and a
hung server make. It forwards bytes both ways; `mode` says what else it does:

    "pass"          nothing else
    "drop_commit"   forwards the client's COMMIT to the server, waits for the server's reply (so the
                    row IS committed), drops that reply and closes the connection: the client never
                    learns the outcome. Then the mode becomes `after_commit` ("pass" unless set).
    "down"          closes every open connection and every new one at once (a server that went away)
    "stall"         forwards nothing more, on open or new connections, and closes nothing (a hung
                    server: the kernel still takes the bytes)
    "stall_insert"  forwards until a client sends an INSERT into attempts, then that connection stalls
"""

from __future__ import annotations

import socket
import threading
import time

from sqlalchemy.engine import make_url


class _Pair:
    def __init__(self, client: socket.socket, server: socket.socket | None):
        self.client, self.server = client, server
        self.stalled = False
        self.drop_reply = False
        self.closed = False

    def close(self) -> None:
        self.closed = True
        for s in (self.client, self.server):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


class Proxy:
    def __init__(self, upstream_url: str):
        up = make_url(upstream_url)
        self.upstream = (up.host, up.port)
        self._url = up
        self.mode = "pass"
        self.after_commit = "pass"
        self.commits_dropped = 0
        self._pairs: list[_Pair] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return self._url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def set(self, mode: str, after_commit: str = "pass") -> None:
        with self._lock:
            self.mode, self.after_commit = mode, after_commit
            if mode == "down":
                for pair in self._pairs:
                    pair.close()
                self._pairs.clear()

    def close(self) -> None:
        self.set("down")
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "down":
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            pair = _Pair(client, server)
            with self._lock:
                self._pairs.append(pair)
            threading.Thread(target=self._pump, args=(pair, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(pair, False), daemon=True).start()

    def _hold(self, pair: _Pair) -> None:
        while not pair.closed and (pair.stalled or self.mode == "stall"):
            time.sleep(0.02)

    def _pump(self, pair: _Pair, upstream: bool) -> None:
        src, dst = (pair.client, pair.server) if upstream else (pair.server, pair.client)
        try:
            while not pair.closed:
                data = src.recv(65536)
                if not data:
                    break
                if upstream and self.mode == "stall_insert" and b"INSERT INTO attempts" in data:
                    pair.stalled = True
                if upstream and self.mode == "drop_commit" and b"COMMIT\x00" in data:
                    with self._lock:
                        self.mode = self.after_commit
                        self.commits_dropped += 1
                    pair.drop_reply = True
                self._hold(pair)
                if not upstream and pair.drop_reply:  # the server answered the COMMIT: it is committed
                    break
                dst.sendall(data)
        except OSError:
            pass
        pair.close()
