"""The `/_emulator/` admin API: its operations on a running emulator and their routes.

Tests and scripts reset the seed, arm faults, set the clock and the settings, read and touch
records and change a company through these; `handler` sends the admin requests here.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfoNotFoundError

from . import conversion
from .faults import Faults, Stats, parse_fault
from .gateway import Clock, Config, Gateway, Latency
from .objects import OBJECTS_BY_NAME, CustomField, ObjectDef
from .records import Ctx, FunctionError, Writer
from .rest_api import RestApi
from .rest_auth import TOKEN_LIFETIME
from .rules import sync_gl_detail
from .seed import seed
from .store import Store
from .values import CLOCK, Formatting, check_dateformat, zone
from .xmlout import text_converter

LOCALE_RE = re.compile(r"[a-z]{2,3}_[A-Z]{2}")


# admin `/config` names of the latency model's settings → `Latency` attributes
LATENCY_SETTINGS = {
    "latency_base": "base",
    "latency_per_row": "per_row",
    "latency_per_record": "per_record",
}


def latency_settings(latency: Latency) -> dict[str, float]:
    """The latency model as the admin `/config` route names its settings."""
    values = asdict(latency)
    return {name: values[attribute] for name, attribute in LATENCY_SETTINGS.items()}


class AdminError(Exception):
    """A bad admin request (HTTP 400/404 with a JSON error)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class EmulatorAdmin:
    """The admin operations of an emulator, on the parts `IntacctEmulator` builds."""

    store: Store
    clock: Clock
    defaults: Config
    config: Config
    gateway: Gateway
    faults: Faults
    stats: Stats
    rest: RestApi

    def reset(self, seed_kind: str | None, records: int, journal_lines: int = 0) -> None:
        with self.store.lock:
            seed(self.store, seed_kind, records, journal_lines)
        self.gateway.clear()
        self.rest.clear()
        self.faults.clear()
        self.stats.reset()
        self.clock.set(datetime.now(UTC), frozen=False)
        self.configure(
            {
                "session_timeout": self.defaults.session_timeout,
                "resultid_ttl": self.defaults.resultid_ttl,
                "token_lifetime": TOKEN_LIFETIME,
                **latency_settings(self.defaults.latency),
            }
        )

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Apply the admin `/config` settings given (all checked first), answer all of them."""
        known = {"session_timeout", "resultid_ttl", "token_lifetime", *LATENCY_SETTINGS}
        unknown = sorted(set(body) - known)
        if unknown:
            names = ", ".join(sorted(known))
            raise AdminError(f"unknown config setting {unknown[0]!r}; use {names}")
        values: dict[str, float] = {}
        for name, value in body.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise AdminError(f"config {name} must be a number of seconds, 0 or more")
            values[name] = float(value)
        if "session_timeout" in values:
            self.config.session_timeout = values["session_timeout"]
        if "resultid_ttl" in values:
            self.config.resultid_ttl = values["resultid_ttl"]
            self.gateway.cursors.ttl_seconds = values["resultid_ttl"]
        if "token_lifetime" in values:
            self.rest.tokens.lifetime = values["token_lifetime"]
        for name, attribute in LATENCY_SETTINGS.items():
            if name in values:
                setattr(self.config.latency, attribute, values[name])
        return {
            "session_timeout": self.config.session_timeout,
            "resultid_ttl": self.config.resultid_ttl,
            "token_lifetime": self.rest.tokens.lifetime,
            **latency_settings(self.config.latency),
        }

    def records(self, company: str, object_name: str) -> list[dict[str, str]]:
        obj = _object(object_name)
        with self.store.lock:
            settings = self.store.company(company)
            if settings is None:
                raise AdminError(f"unknown company {company}", 404)
            fields = self.store.fields(company, obj)
            rows = self.store.find(company, obj, "1", [])
        fmt = Formatting.of(settings)
        converters = [(f.name, text_converter(f, fmt)) for f in fields]
        return [
            {name: ("" if rec.get(name) is None else conv(rec[name])) for name, conv in converters}
            for rec in rows
        ]

    def touch(self, company: str, object_name: str, keys: list[Any]) -> list[int]:
        obj = _object(object_name)
        touched = []
        with self.store.transaction():
            settings = self.store.company(company)
            if settings is None:
                raise AdminError(f"unknown company {company}", 404)
            writer = Writer(
                Ctx(self.store, company, Formatting.of(settings), "admin", None, self.clock.now())
            )
            for key in keys:
                rec = self.store.get(company, obj, int(key))
                if rec is None:
                    raise AdminError(f"{obj.name} {key} not found in company {company}", 404)
                stored = writer.touch(obj, rec)
                if obj.name == "GLBATCH":  # its posted lines show the new stamp in GLDETAIL
                    sync_gl_detail(writer, obj, stored)
                touched.append(stored["RECORDNO"])
        return touched

    def convert(self, company: str, body: dict[str, Any]) -> dict[str, Any]:
        """Convert a sales document as Order Entry's Convert action does (`conversion`)."""
        with self.store.transaction():
            settings = self.store.company(company)
            if settings is None:
                raise AdminError(f"unknown company {company}", 404)
            now = self.clock.now()
            writer = Writer(Ctx(self.store, company, Formatting.of(settings), "admin", None, now))
            try:
                created = conversion.convert(
                    writer,
                    str(body.get("docid") or ""),
                    str(body.get("transactiontype") or "Sales Invoice"),
                    str(body.get("date") or now.date().isoformat()),
                )
            except (ValueError, FunctionError) as exc:
                raise AdminError(f"cannot convert: {exc}") from exc
        return {"DOCID": created["DOCID"], "CREATEDFROM": created["CREATEDFROM"]}

    def company(self, company: str) -> dict[str, Any]:
        """A company's settings (404 when it does not exist)."""
        with self.store.lock:
            found = self.store.company(company)
        if found is None:
            raise AdminError(f"unknown company {company}", 404)
        return {**found, "clock": CLOCK}

    def update_company(self, company: str, body: dict[str, Any]) -> dict[str, Any]:
        settings = _user_settings(body)
        unsubscribed = body.get("unsubscribed")
        if unsubscribed is not None:
            unsubscribed = [_object(name).name for name in unsubscribed]
        with self.store.transaction():
            self.store.update_company(company, settings, unsubscribed)
            for spec in body.get("custom_fields", []):
                obj = _object(spec.get("object", ""))
                datatype = spec.get("datatype", "TEXT")
                name = str(spec.get("name", "")).upper()
                if not name or name in obj.field_map:
                    raise AdminError(f"custom field name {name!r} is empty or taken on {obj.name}")
                self.store.add_custom_field(
                    company,
                    CustomField(
                        obj.name,
                        name,
                        datatype,
                        spec.get("label", ""),
                        tuple(spec.get("valid", ())),
                    ),
                )
        return self.company(company)

    def route(self, method: str, path: str, raw: bytes) -> Any:
        """Answer an admin request (`raw` its JSON body); AdminError for a bad or unknown one."""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise AdminError(f"body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise AdminError("body must be a JSON object")
        segments = [unquote(s) for s in path.split("/")[2:] if s]
        route = (method, *segments[:1])
        if route == ("POST", "reset"):
            self.reset(
                body.get("seed", "demo"),
                int(body.get("records", 0)),
                int(body.get("journal_lines", 0)),
            )
            return {"status": "ok"}
        if route == ("POST", "faults"):
            try:
                fault = parse_fault(body)
            except (ValueError, TypeError) as exc:
                raise AdminError(str(exc)) from exc
            self.faults.add(fault)
            return {"status": "ok", "faults": self.faults.listing()}
        if route == ("DELETE", "faults"):
            self.faults.clear()
            return {"status": "ok", "faults": []}
        if route == ("GET", "faults"):
            return {"faults": self.faults.listing()}
        if route == ("POST", "rest") and segments[1:] == ["revoke"]:
            return {"revoked": self.rest.tokens.revoke(body.get("company"))}
        if route == ("GET", "stats"):
            return self.stats.snapshot()
        if route == ("POST", "stats") and segments[1:] == ["reset"]:
            self.stats.reset()
            return {"status": "ok"}
        if route[1:] == ("clock",):
            if method == "POST":
                now = _parse_time(body["now"]) if body.get("now") else None
                self.clock.set(now, body.get("frozen"), float(body.get("advance_seconds", 0)))
            return {
                "now": self.clock.now().isoformat(),
                "frozen": self.clock.frozen is not None,
            }
        if route[1:] == ("config",):
            return self.configure(body if method == "POST" else {})
        if route[1:] == ("companies",) and len(segments) == 2:
            if method == "POST":
                return self.update_company(segments[1], body)
            return self.company(segments[1])
        if route == ("GET", "records") and len(segments) == 3:
            rows = self.records(segments[1], segments[2])
            return {
                "company": segments[1],
                "object": segments[2].upper(),
                "count": len(rows),
                "records": rows,
            }
        if route == ("POST", "convert") and len(segments) == 2:
            return self.convert(segments[1], body)
        if route == ("POST", "records") and len(segments) == 4 and segments[3] == "touch":
            keys = body.get("keys")
            if not isinstance(keys, list):
                raise AdminError('touch needs {"keys": [RECORDNO, ...]}')
            return {"touched": self.touch(segments[1], segments[2], keys)}
        raise AdminError(f"no admin route {method} {path}", 404)


def _object(name: str) -> ObjectDef:
    obj = OBJECTS_BY_NAME.get(name.upper())
    if obj is None:
        raise AdminError(f"unknown object {name}", 404)
    return obj


def _user_settings(body: dict[str, Any]) -> dict[str, str]:
    """The API user's preferences in an admin body, checked (400 for a bad one)."""
    settings: dict[str, str] = {}
    timezone, dateformat, locale = (body.get(k) for k in ("timezone", "dateformat", "locale"))
    if timezone is not None:
        try:
            zone(str(timezone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise AdminError(
                f"unknown time zone {timezone!r}: give an IANA name (Europe/Berlin) or a fixed "
                "GMT offset (+hh:mm / -hh:mm)"
            ) from exc
        settings["timezone"] = str(timezone)
    if dateformat is not None:
        try:
            settings["dateformat"] = check_dateformat(str(dateformat))
        except ValueError as exc:
            raise AdminError(str(exc)) from exc
    if locale is not None:
        if not LOCALE_RE.fullmatch(str(locale)):
            raise AdminError(f"invalid locale {locale!r}: use language_COUNTRYCODE, e.g. en_US")
        settings["locale"] = str(locale)
    clock = body.get("clock")
    if clock is not None and str(clock) != str(CLOCK):
        raise AdminError(
            f"clock {clock!r} is not supported: the emulator renders 24-hour times only "
            "(HH:MM:SS), since Sage does not document its 12-hour rendering"
        )
    return settings


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AdminError(f"'now' must be an ISO-8601 time, not {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
