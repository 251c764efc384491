"""Per-stream settings: which sink row, how records match, what a delete does, and defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from singer_rejects.settings import InvalidSettingsError

from target_intacct.objects import (
    LINE_STREAMS,
    STREAM_ALIASES,
    WRITE_SPECS,
    LineStream,
    Style,
    WriteSpec,
)

SYNC_MODES = ("insert", "update", "upsert")
DELETE_BEHAVIORS = ("do_nothing", "clear", "delete")
PAYMENT_FUNCTIONS = ("ARPYMT", "create_arpayment")
DEFAULT_NAMES = (
    "location",
    "department",
    "item_gl_account",
    "undeposited_funds_account",
    "journal",
    "payment_method",
)


class SettingsError(InvalidSettingsError, ValueError):
    """A stream's settings cannot work; raised before any record is written (one line)."""


@dataclass(frozen=True)
class StreamSettings:
    """The resolved settings of one stream (global defaults merged with the stream's own)."""

    stream: str
    sink: str
    sync_mode: str
    match_field: str | None
    delete_behavior: str
    payment_function: str
    batch_size: int
    records_per_batch: int
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def line_defaults(self, spec: WriteSpec) -> dict[str, str]:
        return {s: f for s, f in spec.line_defaults.items() if self.defaults.get(s) is not None}


def resolve(stream: str, config: Mapping[str, Any]) -> StreamSettings:
    """Settings for `stream`; the sink defaults to the row named like the stream."""
    own: Mapping[str, Any] = (config.get("streams") or {}).get(stream) or {}
    sink = own.get("sink") or STREAM_ALIASES.get(stream, stream)
    spec = WRITE_SPECS.get(sink)
    if spec is None:
        raise SettingsError(
            f"stream {stream!r} has no Intacct sink; set streams.{stream}.sink to one of "
            f"{', '.join(sorted(WRITE_SPECS))}"
        )
    default_mode = "upsert" if spec.can_update and spec.id_field else "insert"
    sync_mode = own.get("sync_mode") or default_mode
    match_field = own.get("match_field") or spec.id_field
    delete_behavior = own.get("delete_behavior") or "do_nothing"
    payment_function = own.get("payment_function") or "ARPYMT"
    defaults = {**(config.get("defaults") or {}), **(own.get("defaults") or {})}
    where = f"streams.{stream}"
    if sync_mode not in SYNC_MODES:
        raise SettingsError(f"{where}.sync_mode must be one of {SYNC_MODES}, got {sync_mode!r}")
    if delete_behavior not in DELETE_BEHAVIORS:
        raise SettingsError(
            f"{where}.delete_behavior must be one of {DELETE_BEHAVIORS}, got {delete_behavior!r}"
        )
    if payment_function not in PAYMENT_FUNCTIONS:
        raise SettingsError(
            f"{where}.payment_function must be one of {PAYMENT_FUNCTIONS}, got {payment_function!r}"
        )
    if sync_mode != "insert" and not spec.can_update:
        raise SettingsError(f"{where}.sync_mode: {spec.object} can only be inserted")
    needs_match = sync_mode != "insert" or delete_behavior != "do_nothing"
    if needs_match and not match_field:
        raise SettingsError(
            f"{where}.match_field is required for sync_mode {sync_mode!r} / delete_behavior "
            f"{delete_behavior!r} ({spec.object} has no natural key)"
        )
    if delete_behavior == "clear" and spec.style is not Style.GENERIC:
        raise SettingsError(f"{where}.delete_behavior 'clear' only applies to master data")
    unknown = sorted(set(defaults) - set(DEFAULT_NAMES))
    if unknown:
        raise SettingsError(f"unknown defaults {unknown}; known: {', '.join(DEFAULT_NAMES)}")
    # over REST, one request takes up to 500 records (Sage's batch limit)
    batch_size = int(
        config.get("batch_size") or (500 if config.get("transport") == "rest" else 100)
    )
    return StreamSettings(
        stream=stream,
        sink=sink,
        sync_mode=sync_mode,
        match_field=match_field,
        delete_behavior=delete_behavior,
        payment_function=payment_function,
        batch_size=batch_size,
        records_per_batch=int(config.get("records_per_lookup") or 1000),
        defaults=defaults,
    )


def line_stream(stream: str, config: Mapping[str, Any]) -> LineStream | None:
    """How a stream of lines joins its headers: the defaults, or `lines_of` + `link_field`."""
    own: Mapping[str, Any] = (config.get("streams") or {}).get(stream) or {}
    if own.get("lines_of"):
        sink = resolve(own["lines_of"], config).sink
        if WRITE_SPECS[sink].lines is None:
            raise SettingsError(f"streams.{stream}.lines_of: {sink} has no lines")
        return LineStream(sink, own.get("link_field") or "RECORDKEY")
    return None if own.get("sink") else LINE_STREAMS.get(stream)
