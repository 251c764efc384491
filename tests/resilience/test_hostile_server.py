"""The real `tap-intacct` and `target-intacct` commands against a hostile gateway (a small stdlib
server answering every request with one hostile body): external entities, entity expansion,
endless bodies, HTML and JSON where XML belongs, truncated XML. Each run must stop with a clear
error, read no local file, and keep its memory bounded (RSS sampled every 50 ms).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import local_stack
import pytest
from load import RssSampler
from resilience_support import intacct_command_config, report, run_all

PASSWD_LINE = "root:x:0:0:"
MEMORY_CEILING_MIB = 320  # the client caps a body at 64 MiB; the server offers 1 GiB
TABLE = "hostile gateway (tap and target refuse safely)"
COLUMNS = ("answer", "command", "exit", "seconds", "peak RSS MiB", "message")

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<response><control><status>success</status></control><operation><authentication>
<status>success</status></authentication><result><status>success</status>
<function>getAPISession</function><data><api><sessionid>&xxe;</sessionid>
<endpoint>&xxe;</endpoint></api></data></result></operation></response>"""
BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]><response><control><status>&lol9;</status></control></response>"
)
TRUNCATED = b'<?xml version="1.0"?><response><control><status>success</status></control><opera'


@dataclass(frozen=True)
class Answer:
    name: str
    status: int
    content_type: str
    body: bytes = b""
    endless: bool = False  # stream filler without a length until the client hangs up
    words: tuple[str, ...] = ()  # one of them must be in the error message


ANSWERS = (
    Answer("external entity (file:///etc/passwd)", 200, "text/xml", XXE, words=("DOCTYPE",)),
    Answer("entity expansion bomb", 200, "text/xml", BOMB, words=("DOCTYPE", "entity")),
    Answer("endless body (1 GiB offered)", 200, "text/xml", endless=True, words=("limit",)),
    Answer(
        "HTML error page (HTTP 200)",
        200,
        "text/html",
        b"<html><body><h1>Maintenance</h1><p>Back soon</p></body></html>",
        words=("text/html", "HTML", "html"),
    ),
    Answer(
        "wrong content type (JSON)",
        200,
        "application/json",
        b'{"error": "not xml"}',
        words=("application/json", "xml"),
    ),
    Answer("truncated XML", 200, "text/xml", TRUNCATED, words=("XML", "xml", "truncated")),
)


def handler_for(answer: Answer) -> type[BaseHTTPRequestHandler]:
    class Hostile(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if not answer.endless:
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                return
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            filler = b"<response><x>" + b"A" * (1 << 20)
            with contextlib.suppress(OSError):
                for _ in range(1024):
                    self.wfile.write(filler)

    return Hostile


@contextlib.contextmanager
def hostile_server(answer: Answer) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(answer))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ia/xml/xmlgw.phtml"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Ending:
    answer: Answer
    command: str
    returncode: int
    seconds: float
    peak_mib: float
    output: str

    @property
    def message(self) -> str:
        lines = [line for line in self.output.splitlines() if "ERROR" in line or "Error" in line]
        return (lines or self.output.splitlines() or [""])[-1].strip()


def run_against(answer: Answer, command: str, workdir: Path) -> Ending:
    stdin = (
        json.dumps({"type": "SCHEMA", "stream": "customers", "key_properties": ["CUSTOMERID"],
                    "schema": {"properties": {"CUSTOMERID": {"type": "string"},
                                              "NAME": {"type": "string"}}}}) + "\n"
        + json.dumps({"type": "RECORD", "stream": "customers",
                      "record": {"CUSTOMERID": "H-1", "NAME": "Hostile test"}}) + "\n"
    )  # fmt: skip
    with hostile_server(answer) as url:
        config = intacct_command_config(command, url, "demo", 2, workdir)
        path = workdir / f"{command}.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        started = time.monotonic()
        process = subprocess.Popen(
            [str(local_stack.VENV_BIN / command), "--config", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        with RssSampler(process.pid, interval=0.05) as sampler:
            output, _ = process.communicate(stdin if command != "tap-intacct" else "", timeout=120)
        seconds = time.monotonic() - started
    peak = max((rss for s in sampler.samples.values() for _, rss in s.points), default=0)
    return Ending(answer, command, process.returncode, seconds, peak / 2**20, output)


CASES = [(answer, command) for answer in ANSWERS for command in ("tap-intacct", "target-intacct")]


@pytest.fixture(scope="module")
def endings(tmp_path_factory: pytest.TempPathFactory) -> list[Ending]:
    workdir = tmp_path_factory.mktemp("hostile")

    def work(case: tuple[Answer, str], _stack: object) -> Ending:
        answer, command = case
        folder = workdir / f"{command}-{ANSWERS.index(answer)}"
        folder.mkdir()
        return run_against(answer, command, folder)

    results = run_all(CASES, work, workdir, stacks=False)
    for ending in results:
        report(
            TABLE,
            COLUMNS,
            (
                ending.answer.name,
                ending.command,
                ending.returncode,
                f"{ending.seconds:.1f}",
                f"{ending.peak_mib:.0f}",
                ending.message[-140:],
            ),
        )
    return results


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c}-{a.name}" for a, c in CASES])
def test_hostile_answer_is_refused_safely(endings: list[Ending], index: int) -> None:
    ending = endings[index]
    assert Path("/etc/passwd").read_text(encoding="utf-8").startswith(PASSWD_LINE)
    assert ending.returncode != 0, ending.output[-2000:]
    assert PASSWD_LINE not in ending.output, "a local file was read into the output"
    assert '"type": "RECORD"' not in ending.output and '"type":"RECORD"' not in ending.output
    assert any(word in ending.message for word in ending.answer.words), ending.output[-3000:]
    assert 0 < ending.peak_mib < MEMORY_CEILING_MIB, ending.peak_mib
