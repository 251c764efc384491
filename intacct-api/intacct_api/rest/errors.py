"""Sage's REST error bodies as the `ErrorDetail`s every caller of `intacct_api` already reads.

Sage puts `ia::error` inside `ia::result` (its OpenAPI schema, and per record in a batch) or at
the top (its error-handling guide); the token layer answers `{"error": ...}`. An error becomes one
detail (`errorno` its errorId or code, `description` its message) and one more per entry of
`details` (`errorno` the detail's errorId, such as `BL34000061`, `description2` its message and
target).
"""

from __future__ import annotations

import re
from typing import Any

from intacct_api.errors import ErrorDetail


def error_object(body: Any) -> dict[str, Any] | None:
    """The `ia::error` of an answer or of one batch entry, wherever Sage put it."""
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("ia::result")):
        if isinstance(holder, dict) and isinstance(holder.get("ia::error"), dict):
            return holder["ia::error"]
    error = body.get("error")
    if isinstance(error, dict):
        return error
    if isinstance(error, str):
        return {"code": error, "message": str(body.get("error_description") or "")}
    return None


def error_details(body: Any) -> tuple[ErrorDetail, ...]:
    """The details of an answer's error (none for a success)."""
    error = error_object(body)
    if error is None:
        return ()
    details = [
        ErrorDetail(
            errorno=str(error.get("errorId") or error.get("code") or ""),
            description=str(error.get("message") or ""),
            description2=f"[Support ID: {error['supportId']}]" if error.get("supportId") else "",
        )
    ]
    for item in error.get("details") or ():
        if isinstance(item, dict):
            target = f" ({item['target']})" if item.get("target") else ""
            details.append(
                ErrorDetail(
                    errorno=str(item.get("errorId") or item.get("code") or ""),
                    description2=f"{item.get('message') or ''}{target}",
                )
            )
    return tuple(details)


def describe_answer(status: int, media: str, raw: bytes, body: Any) -> str:
    """`HTTP 422, <message> (<errorId>); <detail>` or the first words of another page."""
    details = error_details(body)
    if details:
        return f"HTTP {status}, " + "; ".join(str(d) for d in details)
    text = re.sub(r"<[^>]*>", " ", raw[:2000].decode("utf-8", "replace"))
    text = " ".join(text.split())[:200]
    return f"HTTP {status} ({media or 'no content type'})" + (f": {text}" if text else "")
