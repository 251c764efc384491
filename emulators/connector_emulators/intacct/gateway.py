"""The XML gateway: envelope, sender, login and sessions, dispatch, transactions, uniqueid.

`Gateway.prepare` parses a request and finds its company and function names (fault injection
needs them before anything runs); `Gateway.execute` runs it under the store lock.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from . import (
    describe,
    functions,
    generic_writes,
    legacy,
    legacy_documents,
    legacy_orders,
    legacy_updates,
)
from .balances import BALANCES
from .functions import Call, Cursors, child_text
from .generic_writes import LEGACY_DELETES, delete_by_key
from .objects import OBJECTS_BY_NAME
from .records import Ctx, FunctionError, Writer
from .store import Store
from .users import USER_ID, USER_PASSWORD, USERS
from .values import Formatting, iso_with_offset
from .xmlout import Err, Result, control_block, document, errormessage, esc

log = logging.getLogger(__name__)

SENDER_ID = "demo_sender"
SENDER_PASSWORD = "demo_sender_password"
DEMO_COMPANY = "demo"
ROLLED_BACK = Err(
    "XL03000009",
    "",
    "The entire transaction in this operation has been rolled back due to an error.",
)
Handler = Callable[[Call, etree._Element], str]
GENERIC: dict[str, Handler] = {
    "readByQuery": functions.read_by_query,
    "readMore": functions.read_more,
    "query": functions.query,
    "read": functions.read,
    "readByName": functions.read_by_name,
    "lookup": describe.lookup,
    "inspect": describe.inspect,
    "getDimensions": describe.get_dimensions,
    "create": generic_writes.create,
    "update": generic_writes.update,
    "delete": generic_writes.delete,
}
LEGACY: dict[str, Handler] = {
    "create_invoice": legacy.create_invoice,
    "update_invoice": legacy.update_invoice,
    "delete_invoice": legacy.delete_invoice,
    "create_arpayment": legacy.create_arpayment,
    "apply_arpayment": legacy.apply_arpayment,
    "create_aradjustment": legacy.create_aradjustment,
    "create_sotransaction": legacy_orders.create_sotransaction,
    "update_sotransaction": legacy_orders.update_sotransaction,
    "delete_sotransaction": legacy_orders.delete_sotransaction,
    "record_deposit": legacy_orders.record_deposit,
    **dict.fromkeys(legacy_documents.LEGACY_CREATES, legacy_documents.create_document),
    **dict.fromkeys(legacy_updates.LEGACY_UPDATES, legacy_updates.update_document),
}
KNOWN_FUNCTIONS = {"getAPISession", *GENERIC, *LEGACY, *BALANCES, *USERS, *LEGACY_DELETES}
LIBXML_LEVELS = {1: "Warning", 2: "Error", 3: "Fatal Error"}


WRITES_MANY = {"create", "update"}  # one or more object elements each
DATA_COUNT = re.compile(r'<data[^>]*\scount="(\d+)"')


def _work(fn: etree._Element, result: Result) -> tuple[int, int]:
    """(rows read, records written) by one function that succeeded, for the latency model."""
    element = next(c for c in fn if isinstance(c.tag, str))
    name = str(element.tag)
    if name in WRITES_MANY:
        return 0, sum(1 for c in element if isinstance(c.tag, str))
    if name == "delete":
        return 0, len([k for k in child_text(element, "keys").split(",") if k.strip()])
    if name in LEGACY or name in LEGACY_DELETES:
        return 0, 1
    counted = DATA_COUNT.search(result.body[:500])
    return (int(counted.group(1)) if counted else 0), 0


def _parser(*, recover: bool = False) -> etree.XMLParser:
    """A safe parser; one per request, so each error log holds that request's errors only."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        recover=recover,
    )


def parse_errors(parser: etree.XMLParser, exc: etree.XMLSyntaxError) -> list[str]:
    """The gateway's texts for libxml2 errors (fixtures err_14, doc_05), one per error.

    The parser's own log: the exception's also holds earlier errors of the same thread.
    """
    texts = [
        f"XML Parse schema error: {LIBXML_LEVELS[e.level]} {e.type}: {e.message}. "
        f"Line: {e.line}, column: {e.column}."
        for e in parser.error_log
        if e.level in LIBXML_LEVELS and e.level > 1
    ]
    return texts or [f"XML Parse schema error: {exc}"]


class Clock:
    """The emulator's clock: real time, optionally shifted or frozen (admin `/clock`)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen: datetime | None = None
        self.lock = threading.Lock()

    def now(self) -> datetime:
        with self.lock:
            if self.frozen is not None:
                return self.frozen
            return datetime.now(UTC).replace(microsecond=0) + self.offset

    def set(
        self, now: datetime | None = None, frozen: bool | None = None, advance_seconds: float = 0
    ) -> None:
        current = self.now()
        target = (now or current) + timedelta(seconds=advance_seconds)
        with self.lock:
            freeze = (self.frozen is not None) if frozen is None else frozen
            self.frozen = target if freeze else None
            self.offset = target - datetime.now(UTC).replace(microsecond=0)


@dataclass
class Session:
    """An API session: company, user, entity and last use."""

    sessionid: str
    company: str
    userid: str
    location: str | None
    last_used: datetime


@dataclass
class Prepared:
    """A parsed request, before it runs."""

    body: bytes
    root: etree._Element | None = None
    control: etree._Element | None = None
    parse_errors: list[str] = field(default_factory=list)
    senderid: str = ""
    controlid: str = ""
    uniqueid: str = "true"  # Sage's default: a function's controlid runs once
    dtdversion: str = "3.0"
    whitespace: bool = True  # includewhitespace, default true: pretty-printed responses
    company: str | None = None
    functions: list[str] = field(default_factory=list)
    sessionid: str | None = None
    rows_read: int = 0  # rows the request's reads answered (the latency model's per-row cost)
    records_written: int = 0  # records its writes created, updated or deleted


@dataclass
class Latency:
    """How long the gateway takes to answer: per request, per row read, per record written.

    Sage publishes no timing of its gateway, so these are settings (default: no delay); an
    answer leaves no earlier than `base + per_row * rows + per_record * records` seconds after
    the request arrived, the emulator's own work included.
    """

    base: float = 0.0
    per_row: float = 0.0
    per_record: float = 0.0

    def seconds(self, prepared: Prepared) -> float:
        return (
            self.base
            + self.per_row * prepared.rows_read
            + self.per_record * prepared.records_written
        )


@dataclass
class Config:
    """Timeouts the admin API can change."""

    session_timeout: float = 3600.0
    resultid_ttl: float = 1800.0
    latency: Latency = field(default_factory=Latency)


class Gateway:
    """Runs XML requests against the store."""

    def __init__(self, store: Store, clock: Clock, config: Config) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.cursors = Cursors(config.resultid_ttl)
        self.sessions: dict[str, Session] = {}
        self.sessions_lock = threading.Lock()
        self.endpoint = ""

    # -- sessions ------------------------------------------------------------------------------
    def new_session(self, company: str, userid: str, location: str | None) -> Session:
        session = Session(
            secrets.token_urlsafe(24) + "..", company, userid, location, self.clock.now()
        )
        with self.sessions_lock:
            self.sessions[session.sessionid] = session
        return session

    def live_session(self, sessionid: str) -> Session | None:
        now = self.clock.now()
        with self.sessions_lock:
            session = self.sessions.get(sessionid)
            if session is None:
                return None
            if now - session.last_used > timedelta(seconds=self.config.session_timeout):
                del self.sessions[sessionid]
                return None
            session.last_used = now
            return session

    def expire_sessions(self, company: str | None = None, sessionid: str | None = None) -> None:
        with self.sessions_lock:
            for key in list(self.sessions):
                session = self.sessions[key]
                if sessionid is not None and key != sessionid:
                    continue
                if company is not None and session.company != company:
                    continue
                del self.sessions[key]

    def clear(self) -> None:
        self.expire_sessions()
        self.cursors.expire()

    # -- parsing ------------------------------------------------------------------------------
    def prepare(self, body: bytes) -> Prepared:
        prepared = Prepared(body)
        parser = _parser()
        try:
            root = etree.fromstring(body, parser)
        except etree.XMLSyntaxError as exc:
            prepared.parse_errors = parse_errors(parser, exc)
            self._read_control(prepared, self._recovered_control(body))
            return prepared
        control = root.find("control")
        if root.tag != "request" or control is None:
            prepared.parse_errors = [
                "XML Parse schema error: the document is not a <request> with a <control>."
            ]
            return prepared
        prepared.root, prepared.control = root, control
        self._read_control(prepared, control)
        operation = root.find("operation")
        if operation is None:
            return prepared
        login = operation.find("authentication/login")
        sessionid = operation.find("authentication/sessionid")
        if login is not None:
            prepared.company = child_text(login, "companyid") or None
        elif sessionid is not None:
            prepared.sessionid = (sessionid.text or "").strip()
            with self.sessions_lock:
                known = self.sessions.get(prepared.sessionid)
            prepared.company = known.company if known else None
        for fn in operation.findall("content/function"):
            inner = [c for c in fn if isinstance(c.tag, str)]
            if inner:
                prepared.functions.append(str(inner[0].tag))
        return prepared

    @staticmethod
    def _recovered_control(body: bytes) -> etree._Element | None:
        """`<control>` of a malformed request, as far as it can be read (echoed in the answer)."""
        try:
            root = etree.fromstring(body, _parser(recover=True))
        except etree.XMLSyntaxError:
            return None
        return root.find("control") if root is not None else None

    @staticmethod
    def _read_control(prepared: Prepared, control: etree._Element | None) -> None:
        if control is None:
            return
        prepared.senderid = child_text(control, "senderid")
        prepared.controlid = child_text(control, "controlid")
        prepared.uniqueid = child_text(control, "uniqueid") or "true"
        prepared.dtdversion = child_text(control, "dtdversion") or "3.0"
        whitespace = child_text(control, "includewhitespace") or "true"
        prepared.whitespace = whitespace.lower() == "true"

    def finish(self, prepared: Prepared, response: bytes) -> bytes:
        """The response as sent: pretty-printed unless the request set includewhitespace false."""
        if not prepared.whitespace:
            return response
        root = etree.fromstring(response, _parser())
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
            root, pretty_print=True, encoding="UTF-8", xml_declaration=False
        )

    # -- running ------------------------------------------------------------------------------
    def execute(self, prepared: Prepared) -> bytes:
        root, control = prepared.root, prepared.control
        if root is None or control is None:
            errors = prepared.parse_errors or ["XML Parse schema error"]
            return self.control_failure(prepared, [Err("XL03000003", "", e) for e in errors])
        if child_text(control, "senderid") != SENDER_ID or (
            child_text(control, "password") != SENDER_PASSWORD
        ):
            return self.control_failure(
                prepared, [Err("XL03000006", "", "Incorrect Intacct XML Partner ID or password.")]
            )
        policy = child_text(control, "policyid")
        if policy:
            return self.control_failure(
                prepared, [Err("XL03000006", "", f"{policy} is not a valid transport policy.")]
            )
        operation = root.find("operation")
        authentication = operation.find("authentication") if operation is not None else None
        if operation is None or authentication is None:
            problem = "XML Parse schema error: <request> needs <operation> with <authentication>."
            return self.control_failure(prepared, [Err("XL03000003", "", problem)])
        functions = operation.findall("content/function")
        bad = self._schema_problem(functions)
        if bad:
            return self.control_failure(prepared, [Err("XL03000003", "", bad)])
        control_xml = control_block(
            "success", prepared.senderid, prepared.controlid, prepared.uniqueid, prepared.dtdversion
        )
        auth = self._authenticate(authentication)
        if isinstance(auth, str):
            return document(control_xml, auth)
        userid, company, location, session = auth
        with self.store.lock:
            fmt, unsubscribed = self._company_settings(company)
            now = self.clock.now()
            ctx = Ctx(self.store, company, fmt, userid, location, now)
            results, session = self._run(
                ctx,
                functions,
                transaction=operation.get("transaction", "false") == "true",
                unique=prepared.uniqueid.lower() == "true",
                unsubscribed=frozenset(unsubscribed),
                session=session,
            )
        for fn, result in zip(functions, results, strict=True):
            if result.status == "success":
                rows, records = _work(fn, result)
                prepared.rows_read += rows
                prepared.records_written += records
        auth_xml = self._auth_block(
            userid, company, session.location if session else location, fmt.tz
        )
        return document(
            control_xml, "<operation>", auth_xml, *(r.xml() for r in results), "</operation>"
        )

    @staticmethod
    def _schema_problem(functions: list[etree._Element]) -> str:
        for fn in functions:
            inner = [c for c in fn if isinstance(c.tag, str)]
            if not fn.get("controlid"):
                return "XML Parse schema error: attribute controlid of <function> is required."
            if len(inner) != 1:
                return "XML Parse schema error: <function> must hold exactly one function element."
            tag = str(inner[0].tag)
            if tag not in KNOWN_FUNCTIONS:
                return f"XML Parse schema error: Element '{tag}' is not a known function."
        if any(c[0].tag == "getAPISession" for c in functions if len(c)) and len(functions) > 1:
            return "XML Parse schema error: getAPISession must be alone in its request."
        return ""

    def _company_settings(self, company: str) -> tuple[Formatting, list[str]]:
        settings = self.store.company(company)
        if settings is None:
            return Formatting(), []
        return Formatting.of(settings), settings["unsubscribed"]

    def _authenticate(
        self, auth: etree._Element
    ) -> str | tuple[str, str, str | None, Session | None]:
        login = auth.find("login")
        if login is not None:
            userid = child_text(login, "userid")
            company = child_text(login, "companyid")
            location = child_text(login, "locationid") or None
            if userid != USER_ID or child_text(login, "password") != USER_PASSWORD or not company:
                return self._auth_failure(userid, company, "Sign-in information is incorrect")
            with self.store.lock:
                self.store.ensure_company(company)
                if location and not self._entity_exists(company, location):
                    return self._auth_failure(
                        userid,
                        company,
                        f"Sign-in information is incorrect: entity "
                        f"'{location}' does not exist in company '{company}'",
                    )
            return userid, company, location, None
        sessionid = child_text(auth, "sessionid")
        session = self.live_session(sessionid) if sessionid else None
        if session is None:
            return self._auth_failure("", "", f"Invalid session {sessionid[:4]}....")
        return session.userid, session.company, session.location, session

    def _entity_exists(self, company: str, location: str) -> bool:
        return self.store.get_by_id(company, OBJECTS_BY_NAME["LOCATION"], location) is not None

    @staticmethod
    def _auth_failure(userid: str, company: str, message: str) -> str:
        """Failed sign-in: no `<locationid>` and no session stamps (err_13, err_16, doc_01)."""
        return (
            f"<operation><authentication><status>failure</status><userid>{esc(userid)}</userid>"
            f"<companyid>{esc(company)}</companyid></authentication>"
            f"{errormessage([Err('XL03000006', '', message)])}</operation>"
        )

    def _auth_block(self, userid: str, company: str, location: str | None, tz: str) -> str:
        now = self.clock.now()
        timeout = now + timedelta(seconds=self.config.session_timeout)
        return (
            f"<authentication><status>success</status><userid>{esc(userid)}</userid>"
            f"<companyid>{esc(company)}</companyid><locationid>{esc(location or '')}</locationid>"
            f"<sessiontimestamp>{iso_with_offset(now, tz)}</sessiontimestamp>"
            f"<sessiontimeout>{iso_with_offset(timeout, tz)}</sessiontimeout></authentication>"
        )

    def control_failure(self, prepared: Prepared, errors: list[Err]) -> bytes:
        """A control-level failure: nothing in the request ran."""
        control = control_block(
            "failure", prepared.senderid, prepared.controlid, prepared.uniqueid, prepared.dtdversion
        )
        return document(control, errormessage(errors))

    def _run(
        self,
        ctx: Ctx,
        functions: list[etree._Element],
        *,
        transaction: bool,
        unique: bool,
        unsubscribed: frozenset[str],
        session: Session | None,
    ) -> tuple[list[Result], Session | None]:
        conn = self.store.conn
        results: list[Result] = []
        failed = False
        conn.execute("BEGIN")
        try:
            for fn in functions:
                element = next(c for c in fn if isinstance(c.tag, str))
                name, controlid = str(element.tag), fn.get("controlid", "")
                result = Result(name, controlid)
                results.append(result)
                if transaction and failed:
                    result.status, result.errors = "aborted", [ROLLED_BACK]
                    continue
                if name == "getAPISession":
                    session = self._get_api_session(ctx, element, session, result)
                    continue
                conn.execute("SAVEPOINT fn")
                try:
                    if unique and ctx.store.controlid_seen(ctx.company, controlid):
                        raise FunctionError(
                            [
                                Err(
                                    "XL03000011",
                                    "",
                                    f"A request's function with the control ID "
                                    f"'{controlid}' has already been executed.",
                                    "Use a new control ID for a new function.",
                                )
                            ]
                        )
                    result.body = self._dispatch(ctx, name, element, unsubscribed)
                    if unique:
                        ctx.store.remember_controlid(ctx.company, controlid)
                    conn.execute("RELEASE fn")
                except FunctionError as exc:
                    if exc.kept:  # the records that succeeded stay, and the control id is used
                        if unique:
                            ctx.store.remember_controlid(ctx.company, controlid)
                    else:
                        conn.execute("ROLLBACK TO fn")
                        ctx.store.counter.drop()
                    conn.execute("RELEASE fn")
                    result.status, result.body, result.errors = "failure", exc.data, exc.errors
                    failed = True
            if transaction and failed:
                conn.execute("ROLLBACK")
                ctx.store.counter.drop()
                for result in results:
                    if result.status == "success":
                        result.status, result.body, result.errors = "aborted", "", [ROLLED_BACK]
                    elif result.status == "failure":
                        result.errors = [*result.errors, ROLLED_BACK]
            else:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            ctx.store.counter.drop()
            raise
        return results, session

    def _dispatch(
        self, ctx: Ctx, name: str, element: etree._Element, unsubscribed: frozenset[str]
    ) -> str:
        call = Call(ctx, Writer(ctx), self.cursors, name, unsubscribed)
        handler: Any = (
            GENERIC.get(name) or LEGACY.get(name) or BALANCES.get(name) or USERS.get(name)
        )
        if handler is None and name in LEGACY_DELETES:
            handler = delete_by_key
        try:
            return str(handler(call, element))
        except FunctionError:
            raise
        except Exception as exc:
            log.exception("function %s failed unexpectedly", name)
            raise FunctionError(
                [Err("XL03000000", "Internal error", f"{name} failed: {exc}", "")]
            ) from exc

    def _get_api_session(
        self, ctx: Ctx, element: etree._Element, session: Session | None, result: Result
    ) -> Session:
        location_el = element.find("locationid")
        location = ctx.location
        if location_el is not None:
            location = (location_el.text or "").strip() or None
            if location and not self._entity_exists(ctx.company, location):
                result.status = "failure"
                result.errors = [
                    Err(
                        "XL03000006",
                        "",
                        f"Entity '{location}' does not exist in company '{ctx.company}'.",
                    )
                ]
                return session  # type: ignore[return-value]
        if session is None or location != session.location:
            session = self.new_session(ctx.company, ctx.userid, location)
        result.body = (
            f"<data><api><sessionid>{esc(session.sessionid)}</sessionid>"
            f"<endpoint>{esc(self.endpoint)}</endpoint>"
            f"<locationid>{esc(session.location or '')}</locationid></api></data>"
        )
        return session
