"""Another system at its HTTP edge: a real HTTP server on 127.0.0.1 that records what it is sent
and answers as told (a DMS, a group CRM). What our forwarding code posts goes over a real socket."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class ReceivingSystem:
    def __init__(self) -> None:
        self.received: list[dict] = []
        # Answers to give, in order, before answering 200: (status, body).
        self.answers: list[tuple[int, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.received.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status, text = owner.answers.pop(0) if owner.answers else (200, "ok")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/leads"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiving_system():
    system = ReceivingSystem()
    yield system
    system.close()
