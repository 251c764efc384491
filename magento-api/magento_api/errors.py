"""Magento's error answers as exceptions, with the `%name` / `%1` templates rendered."""

from __future__ import annotations

import re
import ssl

_TAG = re.compile(r"<[^>]*>")
MAX_TEXT_CHARS = 300


def render_message(body: object) -> str:
    """Render Magento's error JSON: a `%name` / `%1` template plus its parameters."""
    if not isinstance(body, dict):  # an HTML page of a proxy, say: its words, on one line
        words = " ".join(_TAG.sub(" ", str(body)).split())
        return words if len(words) <= MAX_TEXT_CHARS else words[:MAX_TEXT_CHARS] + "…"
    message = str(body.get("message", ""))
    parameters = body.get("parameters")
    if isinstance(parameters, dict):
        for name, value in sorted(parameters.items(), key=lambda kv: -len(str(kv[0]))):
            message = message.replace(f"%{name}", str(value))
    elif isinstance(parameters, list):
        for index in range(len(parameters), 0, -1):
            message = message.replace(f"%{index}", str(parameters[index - 1]))
    details = [render_message(error) for error in body.get("errors") or []]
    return "; ".join([message, *details]) if details else message


class MagentoError(Exception):
    """A Magento answer other than 2xx; `message` is rendered, `status` is the HTTP code."""

    def __init__(self, status: int, message: str, method: str, path: str) -> None:
        answered = f"HTTP {status}: " if status else ""  # 0: no answer, or none read whole
        super().__init__(f"{method} {path}: {answered}{message}")
        self.status = status
        self.message = message


class TransientError(MagentoError):
    """A failure worth retrying: 429, 5xx, or status 0: a broken connection, an answer late."""


class TLSError(MagentoError):
    """The TLS handshake failed (status 0): retrying cannot help, so the run stops at once."""


def tls_reason(error: BaseException) -> str:
    """The `ssl` module's own words (`certificate verify failed: ...`) under requests' layers."""
    pending: list[object] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return re.sub(r"\s*\(_ssl\.c:\d+\)$", "", str(current))
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(current.args)
    return type(error).__name__
