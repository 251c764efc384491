"""The resilience suite's shared machinery: pipelines run with the real `meltano run` on
emulators of their own, faults armed at seeded random points, destination-versus-source
comparisons, and the tables of figures `conftest.py` prints at the end of the session.

Knobs (environment): `RESILIENCE_RUNS` runs per fault and per crash scenario (default 2),
`RESILIENCE_SEED` the seed of every random choice (default 20261122), `RESILIENCE_WORKERS`
cases run at once (default 3: most of a case's time is spent waiting on retries and slow
answers; each case has its own emulators and Meltano database).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402
import local_stack  # noqa: E402

RUNS = int(os.environ.get("RESILIENCE_RUNS", "2"))
SEED = int(os.environ.get("RESILIENCE_SEED", "20261122"))
WORKERS = int(os.environ.get("RESILIENCE_WORKERS", "3"))
COPY = "copy"  # the company tap-intacct → target-intacct writes into
PARALLEL = "4"  # requests at once, tap and target


# Streams copied from company `demo` into `copy`: stream, object, natural key, and for lines the
# header stream whose key they carry (through the header's RECORDNO in `link`).
@dataclass(frozen=True)
class Copied:
    stream: str
    object: str
    key: tuple[str, ...]
    header: str | None = None
    link: str | None = None


COPIED = (
    Copied("gl_accounts", "GLACCOUNT", ("ACCOUNTNO",)),
    Copied("locations", "LOCATION", ("LOCATIONID",)),
    Copied("departments", "DEPARTMENT", ("DEPARTMENTID",)),
    Copied("product_lines", "PRODUCTLINE", ("PRODUCTLINEID",)),
    Copied("customers", "CUSTOMER", ("CUSTOMERID",)),
    Copied("items", "ITEM", ("ITEMID",)),
    Copied("journal_entries", "GLBATCH", ("BATCH_TITLE",)),
    Copied("journal_entry_lines", "GLENTRY", ("LINE_NO",), "journal_entries", "BATCHNO"),
    Copied("ar_invoices", "ARINVOICE", ("RECORDID",)),
    Copied("ar_invoice_lines", "ARINVOICEITEM", ("LINE_NO",), "ar_invoices", "RECORDKEY"),
)
SELECTION = json.dumps([f"{c.stream}.*" for c in COPIED])
CUSTOM_FIELDS = load.COPY_CUSTOM_FIELDS


# --- tables of figures, printed after the test summary -------------------------------------

TABLES: dict[str, tuple[Sequence[str], list[Sequence[Any]]]] = {}
_TABLES_LOCK = threading.Lock()


def report(title: str, columns: Sequence[str], row: Sequence[Any]) -> None:
    """Add a row to a table printed at the end of the session."""
    with _TABLES_LOCK:
        TABLES.setdefault(title, (columns, []))[1].append(row)


# --- cases run concurrently, each on its own stack ------------------------------------------

T = TypeVar("T")
K = TypeVar("K")


def run_all(
    cases: Sequence[Any], work: Callable[[Any, Stack | None], T], workdir: Path, stacks: bool = True
) -> list[T]:
    """Run `work(case, stack)` for every case on `RESILIENCE_WORKERS` threads, in case order.

    With `stacks`, each thread starts one pair of emulators and reuses it, reset, for each of its
    cases; every case gets its own folder (Meltano database, files).
    """
    local = threading.local()
    opened: list[contextlib.ExitStack] = []

    def one(indexed: tuple[int, Any]) -> T:
        index, case = indexed
        if not stacks:
            return work(case, None)
        if not hasattr(local, "stack"):
            exits = contextlib.ExitStack()
            opened.append(exits)
            local.stack = exits.enter_context(stack(workdir / f"worker-{len(opened)}"))
        running = dataclasses.replace(local.stack, workdir=workdir / f"case-{index}")
        running.workdir.mkdir(parents=True)
        running.reset()
        return work(case, running)

    try:
        with ThreadPoolExecutor(max_workers=max(1, WORKERS)) as pool:
            return list(pool.map(one, enumerate(cases)))
    finally:
        for exits in opened:
            exits.close()


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """The items by key, each list in the items' order."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def rng(*parts: Any) -> random.Random:
    """A random generator seeded by `RESILIENCE_SEED` and the case: reruns pick the same points."""
    return random.Random(":".join(map(str, (SEED, *parts))))


@dataclass
class Stack:
    """Both emulators of one case and the case's working directory."""

    intacct: local_stack.Emulator
    magento: local_stack.Emulator
    workdir: Path

    @property
    def gateway(self) -> str:
        return f"{self.intacct.url}/ia/xml/xmlgw.phtml"

    def env(self, run: str = "run") -> dict[str, str]:
        """The variables `tests/conftest.py`'s `project` sets, writing into the copy company.

        Requests run in parallel (four at once): every guarantee must hold with them.
        """
        return local_stack.project_env(self.intacct, self.magento, self.workdir, run) | {
            "TARGET_INTACCT_COMPANY_ID": COPY,
            "TAP_INTACCT_MAX_CONCURRENCY": PARALLEL,
            "TARGET_INTACCT_MAX_CONCURRENCY": PARALLEL,
        }

    def reset(self) -> None:
        """Both shops back to the demo seed; the copy company exists with demo's custom fields."""
        self.intacct.post_json("/_emulator/reset", {"seed": "demo"})
        self.intacct.post_json(f"/_emulator/companies/{COPY}", {"custom_fields": CUSTOM_FIELDS})
        self.magento.post_json("/_emulator/reset", {"seed": "demo"})
        self.magento.post_json("/_emulator/stats/reset")
        clear_faults(self.magento)

    def intacct_rows(self, company: str, object_name: str) -> list[dict[str, str]]:
        return list(self.intacct.get_json(f"/_emulator/records/{company}/{object_name}")["records"])


@contextlib.contextmanager
def stack(workdir: Path) -> Iterator[Stack]:
    workdir.mkdir(parents=True, exist_ok=True)
    with local_stack.emulators() as (intacct, magento):
        running = Stack(intacct, magento, workdir)
        running.reset()
        yield running


def meltano_run(
    env: Mapping[str, str], *blocks: str, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`meltano run` in the demo environment; the caller checks the exit code."""
    return local_stack.meltano(
        "--environment=demo", "run", *blocks, env=env, check=False, timeout=timeout
    )


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def failure(completed: subprocess.CompletedProcess[str], lines: int = 40) -> str | None:
    """The end of a run's output when it failed; None when it succeeded."""
    if completed.returncode == 0:
        return None
    return tail(completed.stdout + completed.stderr, lines)


# --- settings of a plugin run on its own ------------------------------------------------------


def intacct_config(api_url: str, company: str) -> dict[str, Any]:
    """The emulator's demo sender and user, in `company`."""
    return {
        "sender_id": "demo_sender",
        "sender_password": "demo_sender_password",
        "company_id": company,
        "user_id": "demo_user",
        "user_password": "demo_user_password",
        "api_url": api_url,
    }


def intacct_command_config(
    command: str, api_url: str, company: str, tries: int, folder: Path
) -> dict[str, Any]:
    """`tap-intacct` or `target-intacct` settings making at most `tries` attempts a request.

    The tap counts retries (`max_retries`), the target attempts (`max_tries`); the target's
    reject file goes into `folder`.
    """
    config = intacct_config(api_url, company)
    if command == "tap-intacct":
        return config | {"max_retries": tries - 1}
    return config | {"max_tries": tries, "reject_file": str(folder / "rejects.jsonl")}


def magento_config(base_url: str, folder: Path) -> dict[str, Any]:
    """`target-magento` as the emulator's admin user, its files in `folder`."""
    return {
        "base_url": base_url,
        "username": "admin",
        "password": "admin123",
        "reject_file": str(folder / "rejects.jsonl"),
        "id_map_file": str(folder / "id-map.json"),
        "pending_invoices_file": str(folder / "pending.json"),
    }


# --- faults -----------------------------------------------------------------------------------


def arm(emulator: local_stack.Emulator, **fault: Any) -> None:
    emulator.post_json("/_emulator/faults", fault)


def clear_faults(emulator: local_stack.Emulator) -> None:
    request = urllib.request.Request(emulator.url + "/_emulator/faults", method="DELETE")
    with urllib.request.urlopen(request, timeout=30):
        pass


def intacct_fired(emulator: local_stack.Emulator) -> int:
    """How many faults the Intacct emulator fired since its last reset."""
    return sum(int(n) for n in emulator.get_json("/_emulator/stats")["faults"].values())


def magento_unfired(emulator: local_stack.Emulator) -> int:
    """Faults still armed in the Magento emulator (a fault leaves the list once it fired)."""
    listing = emulator.get_json("/_emulator/faults")
    return len(listing["faults"] if isinstance(listing, dict) else listing)


def intacct_requests(emulator: local_stack.Emulator, company: str) -> int:
    return int(emulator.get_json("/_emulator/stats")["companies"].get(company, 0))


def magento_requests(emulator: local_stack.Emulator) -> int:
    return int(emulator.get_json("/_emulator/stats")["total"])


def when_count_reaches(
    count: Callable[[], int], threshold: int, action: Callable[[], None], stop: threading.Event
) -> threading.Thread:
    """Run `action` once `count()` reaches `threshold` (polled every 20 ms) unless stopped."""

    def watch() -> None:
        while not stop.is_set():
            if count() >= threshold:
                action()
                return
            time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


# --- destination versus source ----------------------------------------------------------------


@dataclass
class Tally:
    """Records compared, and how many of the source's are missing or present more than once."""

    checked: int = 0
    lost: int = 0
    duplicated: int = 0
    details: list[str] = field(default_factory=list)

    def compare(self, label: str, source: Counter[Any], destination: Counter[Any]) -> None:
        missing = source - destination
        extra = destination - source
        self.checked += sum(source.values())
        self.lost += sum(missing.values())
        self.duplicated += sum(extra.values())
        if missing:
            self.details.append(f"{label} lost {sorted(map(str, missing))[:5]}")
        if extra:
            self.details.append(f"{label} duplicated {sorted(map(str, extra))[:5]}")

    def add(self, other: Tally) -> None:
        self.checked += other.checked
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.details += other.details

    @classmethod
    def total(cls, tallies: Iterable[Tally]) -> Tally:
        """One tally over several runs."""
        summed = cls()
        for tally in tallies:
            summed.add(tally)
        return summed


def company_keys(running: Stack, company: str) -> dict[str, Counter[tuple[str, ...]]]:
    """Natural keys of every copied object of a company; lines keyed by their header's key.

    AR invoices posted by Order Entry (MODULEKEY 8.SO) are not copied (their sales document
    posts them), so they and their lines are left out.
    """
    keys: dict[str, Counter[tuple[str, ...]]] = {}
    header_keys: dict[str, dict[str, tuple[str, ...]]] = {}
    for copied in COPIED:
        rows = running.intacct_rows(company, copied.object)
        if copied.object == "ARINVOICE":
            rows = [r for r in rows if r.get("MODULEKEY") != "8.SO"]
        if copied.header is None:
            header_keys[copied.stream] = {
                r["RECORDNO"]: tuple(r[k] for k in copied.key) for r in rows
            }
            keys[copied.stream] = Counter(tuple(r[k] for k in copied.key) for r in rows)
            continue
        assert copied.link is not None
        headers = header_keys[copied.header]
        keys[copied.stream] = Counter(
            (*headers[r[copied.link]], *(r[k] for k in copied.key))
            for r in rows
            if r[copied.link] in headers
        )
    return keys


def compare_copy(running: Stack) -> Tally:
    """Company `copy` against `demo`, object by object."""
    tally = Tally()
    source, destination = company_keys(running, "demo"), company_keys(running, COPY)
    for stream, keys in source.items():
        tally.compare(f"intacct {stream}", keys, destination[stream])
    return tally


def jsonl_rows(folders: Sequence[Path], stream: str) -> list[dict[str, Any]]:
    """Records target-jsonl wrote for a stream, over every run's folder."""
    rows: list[dict[str, Any]] = []
    for folder in folders:
        for path in sorted(folder.glob(f"{stream}-*.jsonl")):
            rows += local_stack.read_jsonl(path)
    return rows


def compare_jsonl(running: Stack, folders: Sequence[Path], allow_repeats: bool = False) -> Tally:
    """Every demo record of the copied streams in the files, by RECORDNO.

    `allow_repeats`: after a crash, re-reading from the last state repeats records by design
    (at least once); then only losses count.
    """
    tally = Tally()
    for copied in COPIED:
        source = Counter(r["RECORDNO"] for r in running.intacct_rows("demo", copied.object))
        written = Counter(str(r["RECORDNO"]) for r in jsonl_rows(folders, copied.stream))
        if allow_repeats:
            written = Counter(dict.fromkeys(written, 1))
        tally.compare(f"jsonl {copied.stream}", source, written)
    return tally


def magento_keys(dump: Mapping[str, Any]) -> dict[str, Counter[Any]]:
    """What identifies each written Magento entity (a duplicate shows as a count above one)."""
    orders = {o["entity_id"]: o["increment_id"] for o in dump["orders"]}
    return {
        "customers": Counter(c["email"] for c in dump["customers"]),
        "categories": Counter(c["name"] for c in dump["categories"]),
        "products": Counter(p["sku"] for p in dump["products"]),
        "invoices": Counter(
            (
                orders.get(i["order_id"]),
                tuple(sorted((item["sku"], str(item["qty"])) for item in i["items"])),
            )
            for i in dump["invoices"]
        ),
    }


def compare_magento(expected: Mapping[str, Counter[Any]], running: Stack) -> Tally:
    tally = Tally()
    landed = magento_keys(running.magento.get_json("/_emulator/dump"))
    for kind, keys in expected.items():
        tally.compare(f"magento {kind}", keys, landed[kind])
    return tally


# --- session baselines --------------------------------------------------------------------------


@dataclass
class Baseline:
    """A clean run of each pipeline: requests it makes, and Magento's resulting content."""

    demo_requests: int
    copy_requests: int
    magento_requests: int
    magento: dict[str, Counter[Any]]
    magento_rejects: int
    magento_demo_requests: int  # what tap-intacct-magento asked of company demo


INTACCT_BLOCKS = ("tap-intacct", "target-jsonl", "tap-intacct", "target-intacct")
MAGENTO_BLOCKS = ("tap-intacct-magento", "target-magento")


# The read time-out is only shortened for the `slow` cases, so that the others run at the default.
SHORT_TIMEOUT = "2"


def intacct_env(running: Stack, run: str, short_timeout: bool = False) -> dict[str, str]:
    """Small pages and batches so that faults land mid-stream (and streams split in ranges)."""
    env = {
        **running.env(run),
        "TAP_INTACCT__SELECT": SELECTION,
        "TAP_INTACCT_PAGE_SIZE": "2",
        "TARGET_INTACCT_BATCH_SIZE": "3",
    }
    if short_timeout:
        env["TAP_INTACCT_REQUEST_TIMEOUT"] = env["TARGET_INTACCT_REQUEST_TIMEOUT"] = SHORT_TIMEOUT
    return env


def magento_env(running: Stack, run: str, short_timeout: bool = False) -> dict[str, str]:
    env = {**running.env(run), "TAP_INTACCT_PAGE_SIZE": "4"}
    if short_timeout:
        env["TARGET_MAGENTO_REQUEST_TIMEOUT"] = SHORT_TIMEOUT
    return env
