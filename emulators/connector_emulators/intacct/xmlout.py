"""Response XML, built as strings: the envelope, errors and record rows.

String building with escaping keeps a 2,000-row page cheap; the shapes follow the gateway's
fixtures (element order, empty elements as `<X></X>`, `&#039;` for quotes in error texts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .objects import FieldDef
from .values import Formatting, date_renderer, timestamp_renderer


def esc(text: str) -> str:
    """Escape element text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_quoted(text: str) -> str:
    """Escaping of error texts: the gateway writes quotes as numeric references."""
    return esc(text).replace("'", "&#039;").replace('"', "&quot;")


@dataclass(frozen=True)
class Err:
    """One `<error>`."""

    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""

    def xml(self) -> str:
        return (
            f"<error><errorno>{esc_quoted(self.errorno)}</errorno>"
            f"<description>{esc_quoted(self.description)}</description>"
            f"<description2>{esc_quoted(self.description2)}</description2>"
            f"<correction>{esc_quoted(self.correction)}</correction></error>"
        )


def errormessage(errors: Iterable[Err]) -> str:
    """An `<errormessage>` block."""
    return "<errormessage>" + "".join(e.xml() for e in errors) + "</errormessage>"


@dataclass
class Result:
    """One `<result>` of an operation."""

    function: str
    controlid: str
    status: str = "success"
    body: str = ""  # <data>/<key> for a success, or the <data> preceding errors of a failure
    errors: list[Err] = field(default_factory=list)

    def xml(self) -> str:
        errors = errormessage(self.errors) if self.errors else ""
        return (
            f"<result><status>{self.status}</status><function>{esc(self.function)}</function>"
            f"<controlid>{esc(self.controlid)}</controlid>{self.body}{errors}</result>"
        )


def control_block(status: str, senderid: str, controlid: str, uniqueid: str, dtdversion: str):
    """The response's `<control>` block."""
    return (
        f"<control><status>{status}</status><senderid>{esc(senderid)}</senderid>"
        f"<controlid>{esc(controlid)}</controlid><uniqueid>{esc(uniqueid)}</uniqueid>"
        f"<dtdversion>{esc(dtdversion)}</dtdversion></control>"
    )


def document(*parts: str) -> bytes:
    """A whole response document as bytes (parts joined once: pages can be megabytes)."""
    return "".join(
        ('<?xml version="1.0" encoding="UTF-8"?>\n<response>', *parts, "</response>")
    ).encode()


def gateway_error(errorno: str, description: str) -> bytes:
    """Pre-XML gateway errors (HTTP 4xx): control has only a status, error only two fields."""
    return document(
        "<control><status>failure</status></control><errormessage><error>"
        f"<errorno>{esc(errorno)}</errorno><description>{esc(description)}</description>"
        "</error></errormessage>"
    )


def data_attrs(**attrs: Any) -> str:
    """Attributes of a `<data>` element."""
    return "".join(f' {k}="{esc_quoted(str(v))}"' for k, v in attrs.items())


# -- rows -------------------------------------------------------------------------------------
def text_converter(fdef: FieldDef, fmt: Formatting, legacy: bool = False) -> Callable[[Any], str]:
    """Stored value → the text Intacct shows for one field (unescaped)."""
    if fdef.datatype == "TIMESTAMP":
        return timestamp_renderer(fmt)
    if fdef.datatype == "DATE":
        return date_renderer(fmt.dateformat)
    if legacy and fdef.legacy_words:
        words = dict(fdef.legacy_words)
        return lambda v: words.get(v, v)
    return str


def value_converter(fdef: FieldDef, fmt: Formatting, legacy: bool) -> Callable[[Any], str]:
    """Stored value → element text (escaped where text can hold markup)."""
    if fdef.datatype == "TEXT" and not (legacy and fdef.legacy_words):
        return esc
    return text_converter(fdef, fmt, legacy)


class RowRenderer:
    """Renders records with a fixed list of fields, flat (`<A.B>`) or nested (`<A><B>`)."""

    def __init__(self, fields: list[FieldDef], fmt: Formatting, *, legacy: bool = False) -> None:
        self.fields = fields
        self.specs = [
            (
                f.name,
                f"<{f.name}>",
                f"</{f.name}>",
                f"<{f.name}></{f.name}>",
                value_converter(f, fmt, legacy),
            )
            for f in fields
        ]

    def flat(self, tag: str, records: Iterable[dict[str, Any]], *, escaped: bool = False) -> str:
        """Rows as `<tag><F>..</F>...</tag>`, every selected field, empty ones as `<F></F>`.

        Starts from the all-empty row and fills in only the fields a record holds (most records
        leave most fields empty). `escaped` records hold XML-escaped texts already.
        """
        template = [f"<{tag}>", *(spec[3] for spec in self.specs), f"</{tag}>"]
        plain: dict[str, tuple[int, str, str]] = {}  # texts inserted as they are
        converted: dict[str, tuple[int, str, str, Callable[[Any], str]]] = {}
        for i, (name, start, end, _empty, conv) in enumerate(self.specs, start=1):
            if escaped and conv is esc:
                plain[name] = (i, start, end)
            else:
                converted[name] = (i, start, end, conv)
        out: list[str] = []
        extend = out.extend
        get_plain, get_converted = plain.get, converted.get
        for rec in records:
            row = template.copy()
            for name, value in rec.items():
                slot = get_plain(name)
                if slot is not None:
                    row[slot[0]] = slot[1] + value + slot[2]
                    continue
                conv_slot = get_converted(name)
                if conv_slot is not None:
                    row[conv_slot[0]] = conv_slot[1] + conv_slot[3](value) + conv_slot[2]
            extend(row)
        return "".join(out)

    def nested(self, tag: str, rec: dict[str, Any], extra: str = "") -> str:
        """One record with dotted fields as nested elements (the `read` shape)."""
        out = [f"<{tag}>"]
        open_path: list[str] = []
        for name, _start, _end, _empty, conv in self.specs:
            *path, leaf = name.split(".")
            common = 0
            while common < min(len(path), len(open_path)) and path[common] == open_path[common]:
                common += 1
            out.extend(f"</{closing}>" for closing in reversed(open_path[common:]))
            out.extend(f"<{opening}>" for opening in path[common:])
            open_path = path
            value = rec.get(name)
            out.append(f"<{leaf}></{leaf}>" if value is None else f"<{leaf}>{conv(value)}</{leaf}>")
        out.extend(f"</{closing}>" for closing in reversed(open_path))
        out.append(extra)
        out.append(f"</{tag}>")
        return "".join(out)
