"""The request envelope Intacct's SDKs write, and the parsed response.

A request is `<request><control/><operation transaction=…><authentication/><content>` with one
`<function controlid=…>` per call. A response has three status levels: control, authentication
and one per result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from lxml import etree

from intacct_api.errors import (
    AuthenticationError,
    ConcurrencyLimitError,
    ControlError,
    ErrorDetail,
    FunctionError,
    GatewayError,
    IntacctError,
    InvalidSessionError,
    RateLimitError,
    ResultMismatchError,
    ServiceUnavailableError,
    TransientError,
    describe,
)
from intacct_api.functions import Function, new_control_id
from intacct_api.xml import MAX_BODY_BYTES, UnsafeXMLError, element_value, parse_xml

_TAG, _TEXT = attrgetter("tag"), attrgetter("text")

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Control:
    """The `<control>` block: Web Services sender credentials and request options."""

    sender_id: str
    sender_password: str = field(repr=False)
    control_id: str = field(default_factory=new_control_id)
    policy_id: str | None = None
    dtd_version: str = "3.0"
    include_whitespace: bool = False


@dataclass(frozen=True)
class LoginAuth:
    """User login; `location_id` logs into an entity ("" writes an empty `<locationid/>`)."""

    user_id: str
    company_id: str
    password: str = field(repr=False)
    location_id: str | None = None


@dataclass(frozen=True)
class SessionAuth:
    """Authentication by the session id `getAPISession` returned."""

    session_id: str = field(repr=False)


def _text(parent: etree._Element, tag: str, value: str | None) -> None:
    etree.SubElement(parent, tag).text = value or None


def build_request(
    control: Control,
    auth: LoginAuth | SessionAuth,
    functions: Sequence[Function],
    transaction: bool = False,
    unique_id: bool = False,
) -> bytes:
    """Serialize a request as UTF-8 bytes, elements in the order Intacct's SDKs write them."""
    if not functions:
        raise ValueError("a request needs at least one function")
    control_ids = [f.control_id for f in functions]
    if len(set(control_ids)) != len(control_ids):
        raise ValueError("function control ids must be unique within a request")
    request = etree.Element("request")
    block = etree.SubElement(request, "control")
    _text(block, "senderid", control.sender_id)
    _text(block, "password", control.sender_password)
    _text(block, "controlid", control.control_id)
    _text(block, "uniqueid", "true" if unique_id else "false")
    _text(block, "dtdversion", control.dtd_version)
    if control.policy_id is not None:
        _text(block, "policyid", control.policy_id)
    _text(block, "includewhitespace", "true" if control.include_whitespace else "false")
    operation = etree.SubElement(
        request, "operation", transaction="true" if transaction else "false"
    )
    authentication = etree.SubElement(operation, "authentication")
    if isinstance(auth, SessionAuth):
        _text(authentication, "sessionid", auth.session_id)
    else:
        login = etree.SubElement(authentication, "login")
        _text(login, "userid", auth.user_id)
        _text(login, "companyid", auth.company_id)
        _text(login, "password", auth.password)
        if auth.location_id is not None:
            _text(login, "locationid", auth.location_id)
    content = etree.SubElement(operation, "content")
    for function in functions:
        content.append(function.to_xml())
    return XML_DECLARATION + etree.tostring(request, encoding="UTF-8", xml_declaration=False)


# --- responses -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthInfo:
    """The response's `<authentication>` block (session times are ISO 8601 text)."""

    status: str
    user_id: str | None = None
    company_id: str | None = None
    location_id: str | None = None
    session_timestamp: str | None = None
    session_timeout: str | None = None


@dataclass
class Result:
    """One `<result>`: status, errors and the `<data>` element (or the legacy `<key>`)."""

    function: str
    control_id: str
    status: str
    errors: tuple[ErrorDetail, ...] = ()
    listtype: str | None = None
    count: int | None = None
    total_count: int | None = None
    num_remaining: int | None = None
    result_id: str | None = None
    offset: int | None = None
    key: str | None = None
    data: etree._Element | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    def records(self) -> list[dict[str, Any]]:
        """Rows of `<data>` as dicts: text values (None when empty), nested dicts, lists."""
        if self.data is None:
            return []
        # One XPath tells whether any row nests elements or has attributes; `query` pages never
        # do, and their rows are read with C-level loops (tags, texts, dict), the tap's hottest
        # code. Rows of the same fields in the same order share the first one's name strings
        # (a third of a page's memory).
        if self.data.xpath("boolean(*/*/* or */@*)"):
            return [_row(element) for element in self.data]
        rows = []
        names: list[str] = []
        for element in self.data:
            children = element[:]  # type: ignore[index]  # a slice: lxml-stubs type ints only
            tags = list(map(_TAG, children))
            if tags != names:
                names = tags
            row = dict(zip(names, map(_TEXT, children), strict=True))
            if len(row) != len(children):  # a repeated name: a list, as `element_value` reads it
                row = _row(element)
            elif "" in row.values():  # an empty CDATA section
                row = {name: text or None for name, text in row.items()}
            rows.append(row)
        return rows

    def raise_for_status(self) -> Result:
        """Raise `FunctionError` unless the function succeeded; returns the result otherwise."""
        if not self.ok:
            verb = "was rolled back" if self.status == "aborted" else "failed"
            raise FunctionError(
                f"Intacct function {self.function} (control id {self.control_id}) {verb}: "
                f"{describe(self.errors)}",
                self,
            )
        return self


def _row(element: etree._Element) -> dict[str, Any]:
    value = element_value(element)
    return value if isinstance(value, dict) else {element.tag: value}


def flatten_record(record: Mapping[str, Any], separator: str = ".") -> dict[str, Any]:
    """Flatten nested dicts to dotted names (`DISPLAYCONTACT.EMAIL1`); lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):  # records hold plain dicts; the ABC check costs more
            for sub_key, sub_value in flatten_record(value, separator).items():
                flat[key + separator + sub_key] = sub_value
        else:
            flat[key] = value
    return flat


@dataclass
class Response:
    """A parsed response; `errors` are the control- or authentication-level errors."""

    control_status: str
    auth: AuthInfo | None
    results: list[Result]
    errors: tuple[ErrorDetail, ...] = ()
    control_id: str | None = None
    acknowledgement: str | None = None
    status_code: int | None = None

    def raise_for_status(self) -> Response:
        """Raise the typed error of a failed control or authentication block."""
        if self.control_status != "success":
            raise control_error(self.errors, self.status_code, self.control_id)
        if self.auth is not None and self.auth.status != "success":
            raise authentication_error(self.errors, self.auth, self.control_id)
        return self

    def result(self, control_id: str) -> Result:
        for result in self.results:
            if result.control_id == control_id:
                return result
        raise KeyError(control_id)


def _child_text(element: etree._Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None:
        return None
    return child.text.strip() if child.text else ""


def _errors(parent: etree._Element | None, secrets: Sequence[str]) -> tuple[ErrorDetail, ...]:
    if parent is None:
        return ()
    message = parent.find("errormessage")
    if message is None:
        return ()
    details = (
        ErrorDetail.create(
            _child_text(error, "errorno") or "",
            _child_text(error, "description") or "",
            _child_text(error, "description2") or "",
            _child_text(error, "correction") or "",
        )
        for error in message.iterfind("error")
    )
    return tuple(d.masked(secrets) for d in details)


def _int(attributes: Mapping[str, str], name: str) -> int | None:
    """A `<data>` attribute that counts rows; anything but a number is a broken answer."""
    value = attributes.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise GatewayError(f"Intacct's result has a {name} that is not a number") from None


def _result(element: etree._Element, secrets: Sequence[str]) -> Result:
    data = element.find("data")
    attributes: Mapping[str, str] = (
        {str(k): str(v) for k, v in data.items()} if data is not None else {}
    )
    listtype = attributes.get("listtype")
    legacy_listtype = element.find("listtype")
    if legacy_listtype is not None:
        listtype = (legacy_listtype.text or "").strip() or None
    return Result(
        function=_child_text(element, "function") or "",
        control_id=_child_text(element, "controlid") or "",
        status=_child_text(element, "status") or "",
        errors=_errors(element, secrets),
        listtype=listtype,
        count=_int(attributes, "count"),
        total_count=_int(attributes, "totalcount"),
        num_remaining=_int(attributes, "numremaining"),
        result_id=attributes.get("resultId") or None,
        offset=_int(attributes, "offset"),
        key=_child_text(element, "key"),
        data=data,
    )


def parse_response(
    body: bytes,
    *,
    status_code: int | None = None,
    secrets: Sequence[str] = (),
    max_bytes: int = MAX_BODY_BYTES,
) -> Response:
    """Parse a gateway response safely; anything that is not an Intacct response raises.

    `secrets` (passwords, session ids) are masked in every error text taken from the body.
    """
    where = f"HTTP {status_code}" if status_code is not None else "the response"
    try:
        root = parse_xml(body, max_bytes)
    except UnsafeXMLError as exc:
        raise GatewayError(
            f"Intacct response refused ({where}): {exc}", status_code=status_code
        ) from None
    except etree.XMLSyntaxError as exc:
        raise GatewayError(
            f"Intacct returned a body that is not well-formed XML ({where}, "
            f"{len(body)} bytes): {exc}",
            status_code=status_code,
        ) from None
    if root.tag != "response":
        raise GatewayError(
            f"Intacct returned XML that is not a gateway response ({where}, root <{root.tag}>)",
            status_code=status_code,
        )
    control = root.find("control")
    if control is None:
        raise GatewayError(
            f"Intacct response has no <control> block ({where})", status_code=status_code
        )
    acknowledgement = root.find("acknowledgement")
    operation = root.find("operation")
    auth_element = operation.find("authentication") if operation is not None else None
    auth = None
    if auth_element is not None:
        auth = AuthInfo(
            status=_child_text(auth_element, "status") or "",
            user_id=_child_text(auth_element, "userid"),
            company_id=_child_text(auth_element, "companyid"),
            location_id=_child_text(auth_element, "locationid"),
            session_timestamp=_child_text(auth_element, "sessiontimestamp"),
            session_timeout=_child_text(auth_element, "sessiontimeout"),
        )
    results = (
        [_result(r, secrets) for r in operation.iterfind("result")] if operation is not None else []
    )
    return Response(
        control_status=_child_text(control, "status") or "",
        auth=auth,
        results=results,
        errors=_errors(root, secrets) or _errors(operation, secrets),
        control_id=_child_text(control, "controlid") or None,
        acknowledgement=(
            _child_text(acknowledgement, "status") if acknowledgement is not None else None
        ),
        status_code=status_code,
    )


def match_results(
    control_ids: Sequence[str], results: Sequence[Result], *, read_only: bool = False
) -> list[Result]:
    """The results in the order of the functions sent, paired by control id, not by position.

    Raises `ResultMismatchError` when a function has no result, a control id comes back twice,
    or a result names a control id that was not sent.
    """
    by_id: dict[str, Result] = {}
    repeated: list[str] = []
    for result in results:
        if result.control_id in by_id:
            repeated.append(result.control_id)
        by_id[result.control_id] = result
    sent = set(control_ids)
    missing = [c for c in control_ids if c not in by_id]
    unknown = [c for c in by_id if c not in sent]
    if not (missing or unknown or repeated):
        return [by_id[c] for c in control_ids]
    raise ResultMismatchError.listing(
        f"{len(control_ids)} functions sent, {len(results)} results",
        [
            ("no result for control id(s)", missing),
            ("results for control id(s) not sent", unknown),
            ("more than one result for", repeated),
        ],
        read_only=read_only,
        control_ids=control_ids,
    )


# --- classification ------------------------------------------------------------------------

_TRANSIENT_TEXT: tuple[tuple[str, type[TransientError]], ...] = (
    ("too many operations running", ConcurrencyLimitError),
    ("api rate limit", RateLimitError),
    ("gw-0010", RateLimitError),
    ("temporarily off-line", ServiceUnavailableError),
    ("temporarily offline", ServiceUnavailableError),
    ("please try again later", ServiceUnavailableError),
)


def transient_class(errors: Sequence[ErrorDetail]) -> type[TransientError] | None:
    """The retryable error class these details describe, if any."""
    for error in errors:
        text = str(error).lower()
        for needle, cls in _TRANSIENT_TEXT:
            if needle in text:
                return cls
    return None


def control_error(
    errors: Sequence[ErrorDetail], status_code: int | None, control_id: str | None = None
) -> IntacctError:
    """The typed error of a failed `<control>` block (nothing ran)."""
    details = describe(errors)
    http = f"HTTP {status_code}, " if status_code is not None else ""
    errorno = errors[0].errorno if errors else ""
    transient = transient_class(errors)
    kwargs: dict[str, Any] = {"status_code": status_code, "control_id": control_id}
    if transient is not None:
        return transient(f"Intacct asked to retry later ({http}{details})", errors, **kwargs)
    if errorno == "GW-0011":
        return GatewayError(
            f"Intacct's gateway rejected the request ({http}{details}); one or more "
            "authentication values are likely wrong: check sender_id, company_id and user_id",
            errors,
            **kwargs,
        )
    if errorno == "XMLGW_JPP0002":
        return GatewayError(
            f"Intacct's gateway rejected the sign-in ({http}{details}); fix "
            "sender_id/sender_password and user_id/user_password/company_id",
            errors,
            **kwargs,
        )
    if errorno.startswith(("GW-", "XMLGW")):
        return GatewayError(
            f"Intacct's gateway rejected the request ({http}{details})", errors, **kwargs
        )
    if errorno == "XL03000003":
        return ControlError(f"Intacct could not parse the request XML: {details}", errors, **kwargs)
    if errorno == "XL03000006" and "policy" not in details.lower():
        return ControlError(
            f"Intacct rejected the sender ID/password: {details}; fix sender_id/sender_password",
            errors,
            **kwargs,
        )
    return ControlError(f"Intacct rejected the request: {details}", errors, **kwargs)


def authentication_error(
    errors: Sequence[ErrorDetail], auth: AuthInfo, control_id: str | None = None
) -> AuthenticationError:
    """The typed error of a failed `<authentication>` block (no function ran)."""
    details = describe(errors)
    lowered = details.lower()
    if "invalid session" in lowered:
        return InvalidSessionError(
            f"Intacct reports the API session as invalid or expired: {details}",
            errors,
            control_id=control_id,
        )
    if "not authorized" in lowered or "web services authorization" in lowered:
        return AuthenticationError(
            f"Intacct refused Web Services access to company {auth.company_id!r}: {details}; "
            "authorize the sender ID in the company's Web Services authorizations",
            errors,
            control_id=control_id,
        )
    return AuthenticationError(
        f"Intacct rejected the user login (user {auth.user_id!r}, company {auth.company_id!r}): "
        f"{details}; fix user_id/user_password/company_id"
        + (f", or the entity {auth.location_id!r} it logs in to" if auth.location_id else ""),
        errors,
        control_id=control_id,
    )
