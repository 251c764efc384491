"""Fault injection and request statistics (admin routes `/_emulator/faults` and `/stats`)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

KINDS = (
    "http_429",
    "http_502",
    "http_503",
    "http_524",
    "drop_connection",
    "slow",
    "session_expiry",
    "resultid_expiry",
    "concurrency",
    "token_expiry",
)


@dataclass
class Fault:
    """One armed fault: fires on matching requests after skipping `after` of them, `count` times.

    For `concurrency`, `count` is the number of requests per company allowed to run at once.
    """

    kind: str
    count: int = 1
    after: int = 0
    function: str | None = None
    company: str | None = None
    delay: float = 0.0
    when: str = "before"
    fired: int = 0

    def matches(self, functions: list[str], company: str | None) -> bool:
        if self.function is not None and self.function not in functions:
            return False
        return self.company is None or self.company == company


def parse_fault(spec: dict[str, Any]) -> Fault:
    """A `Fault` from the admin JSON, refusing unknown kinds and bad values."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
    when = spec.get("when", "before")
    if when not in ("before", "after"):
        raise ValueError("when must be 'before' or 'after'")
    count = int(spec.get("count", 1))
    if count < 0 or int(spec.get("after", 0)) < 0:
        raise ValueError("count and after must be 0 or more")
    return Fault(
        kind,
        count,
        int(spec.get("after", 0)),
        spec.get("function"),
        spec.get("company"),
        float(spec.get("delay", 0.0)),
        when,
    )


class Faults:
    """The armed faults; `take` decides which fire for a request."""

    def __init__(self) -> None:
        self.items: list[Fault] = []
        self.lock = threading.Lock()
        self.running: Counter[str] = Counter()

    def add(self, fault: Fault) -> None:
        with self.lock:
            self.items.append(fault)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(f) for f in self.items]

    def take(self, functions: list[str], company: str | None) -> list[Fault]:
        """Faults (other than concurrency) that fire for this request, consuming them."""
        fired = []
        with self.lock:
            for fault in self.items:
                if fault.kind == "concurrency" or not fault.matches(functions, company):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                if fault.count > 0:
                    fault.count -= 1
                    fault.fired += 1
                    fired.append(fault)
            self.items = [f for f in self.items if f.count > 0 or f.kind == "concurrency"]
        return fired

    def enter(self, functions: list[str], company: str | None) -> Fault | None:
        """Count a running request; the concurrency fault refusing it, if over the limit."""
        key = company or ""
        with self.lock:
            limits = [
                f for f in self.items if f.kind == "concurrency" and f.matches(functions, company)
            ]
            self.running[key] += 1
            refusing = min(limits, key=lambda f: f.count) if limits else None
            if refusing is not None and self.running[key] > refusing.count:
                refusing.fired += 1
                return refusing
            return None

    def leave(self, company: str | None) -> None:
        with self.lock:
            self.running[company or ""] -= 1


class Stats:
    """Gateway request counts: total, per function name, per company, per endpoint."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.functions: Counter[str] = Counter()
        self.companies: Counter[str] = Counter()
        self.endpoints: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def count(self, functions: list[str], company: str | None, endpoint: str) -> None:
        with self.lock:
            self.total += 1
            self.functions.update(functions)
            if company:
                self.companies[company] += 1
            self.endpoints[endpoint] += 1

    def fault(self, kind: str) -> None:
        with self.lock:
            self.faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.total,
                "functions": dict(self.functions),
                "companies": dict(self.companies),
                "endpoints": dict(self.endpoints),
                "faults": dict(self.faults),
            }
