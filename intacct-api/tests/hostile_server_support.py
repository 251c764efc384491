"""A hostile HTTP server for the client's tests: each path answers a scenario the test set.

`serve(name, scenario)` arms `/<name>`; `/login-ok/<name>` answers the login itself (pointing the
session endpoint back at the same path) and then the scenario. Its fixtures are in conftest.py.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from intacct_api.client import Credentials, IntacctClient

SESSION = "hostile-session-0123456789"
LOGIN_OK = f"""<?xml version="1.0" encoding="UTF-8"?>
<response><control><status>success</status><senderid>s</senderid><controlid>c</controlid>
<uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication>
<status>success</status><userid>u</userid><companyid>c</companyid>
<sessiontimestamp>2026-01-01T00:00:00+00:00</sessiontimestamp>
<sessiontimeout>2026-01-01T01:00:00+00:00</sessiontimeout></authentication><result>
<status>success</status><function>getAPISession</function><controlid>sessionProvider</controlid>
<data><api><sessionid>{SESSION}</sessionid><endpoint>ENDPOINT</endpoint></api></data></result>
</operation></response>"""
HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


class Scenario:
    """What the server answers: status, headers and body (bytes or chunks)."""

    def __init__(self, status: int, content_type: str | None, body, headers=None):
        self.status = status
        self.content_type = content_type
        self.body = body
        self.headers = headers or {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    scenarios: dict[str, Scenario | list[Scenario]] = {}
    hits: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = self.rfile.read(length)
        _, name, *rest = self.path.split("/")
        Handler.hits.append(name)
        if name == "login-ok" and b"<getAPISession" in request:
            scheme = getattr(self.server, "scheme", "http")
            endpoint = f"{scheme}://127.0.0.1:{self.server.server_address[1]}{self.path}"
            scenario = Scenario(200, "text/xml", LOGIN_OK.replace("ENDPOINT", endpoint).encode())
        else:
            scenario = Handler.scenarios[rest[0] if name == "login-ok" else name]
            if isinstance(scenario, list):  # answered in turn, the last one repeats
                scenario = scenario.pop(0) if len(scenario) > 1 else scenario[0]
        self.send_response(scenario.status)
        if scenario.content_type:
            self.send_header("Content-Type", scenario.content_type)
        for key, value in scenario.headers.items():
            self.send_header(key, value)
        if isinstance(scenario.body, bytes):
            self.send_header("Content-Length", str(len(scenario.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(scenario.body)
        else:
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for chunk in scenario.body():
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        self.close_connection = True


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # refused TLS handshakes are expected here


def run_server(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        httpd.scheme = "https"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def client_for(url: str, **kwargs) -> IntacctClient:
    credentials = Credentials("sender", "sender-pw-123", "company", "user", "user-pw-456")
    options = {"max_tries": 2, "backoff_factor": 0.01, "timeout": 5.0} | kwargs
    return IntacctClient(credentials, url, **options)


def serve(name: str, scenario: Scenario | list[Scenario]) -> None:
    Handler.scenarios[name] = scenario
