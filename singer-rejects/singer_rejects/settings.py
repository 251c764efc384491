"""Settings checked before a plugin starts: one line naming every setting at fault, exit 1.

The SDK logs each jsonschema message (values quoted, a secret's too) and then a second line,
checks no date format, and skips the check altogether for a tap's `--discover`. A plugin built
on `SettingsChecked` says `Settings: page_size must be integer, got 'abc'; user_id is required`
instead (a secret's value never shown), adds its own checks (credentials the chosen way in
needs), and its command exits 1 with that line alone.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar

import click
import jsonschema
from singer_sdk.plugin_base import PluginBase
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR, extend_validator_with_defaults

from singer_rejects import field_path, json_type

__all__ = [
    "InvalidSettingsError",
    "SettingsChecked",
    "missing_settings",
    "numbers_from_text",
    "settings_problems",
]

_WITH_DEFAULTS = extend_validator_with_defaults(DEFAULT_JSONSCHEMA_VALIDATOR)
_DATE_FORMATS: dict[str, Callable[[str], object]] = {
    "date-time": datetime.fromisoformat,
    "date": date.fromisoformat,
}


class InvalidSettingsError(Exception):
    """Settings that cannot work; the message names each setting at fault."""


def missing_settings(schema: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """The schema's required settings that `config` leaves out or empty."""
    return [f"{name} is required" for name in schema.get("required", ()) if not config.get(name)]


def settings_problems(schema: Mapping[str, Any], config: dict[str, Any]) -> list[str]:
    """What is wrong with the values `config` gives, one item per problem (not what it lacks).

    Fills in the schema's defaults for settings `config` leaves out, as the SDK's check does.
    """
    given = {key: value for key, value in schema.items() if key != "required"}
    errors = _WITH_DEFAULTS(given).iter_errors(config)
    problems = [
        problem
        for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])
        for problem in _describe(error, schema)
    ]
    for name, prop in (schema.get("properties") or {}).items():
        parse = _DATE_FORMATS.get(prop.get("format", ""))
        value = config.get(name)
        if parse is None or not isinstance(value, str) or not value:
            continue
        try:
            parse(value)
        except ValueError:
            example = "2024-01-31T00:00:00Z" if prop["format"] == "date-time" else "2024-01-31"
            problems.append(
                f"{name} must be an ISO 8601 {prop['format']} such as {example}, got {value!r}"
            )
    return problems


def numbers_from_text(schema: Mapping[str, Any], config: dict[str, Any]) -> None:
    """Number settings given as text made numbers, as `--config ENV` gives them.

    The SDK turns `TAP_X_PAGE_SIZE=300` into an integer but leaves `TAP_X_REQUEST_TIMEOUT=60`
    text, which its own check then refuses; Meltano's `meltano test` passes settings this way.
    """
    for name, prop in (schema.get("properties") or {}).items():
        types = prop.get("type")
        value = config.get(name)
        if isinstance(value, str) and "number" in (
            [types] if isinstance(types, str) else types or []
        ):
            try:
                config[name] = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                continue


def _describe(error: jsonschema.ValidationError, schema: Mapping[str, Any]) -> list[str]:
    path = list(error.absolute_path)
    name = field_path(path) or "the settings"
    top = (schema.get("properties") or {}).get(path[0], {}) if path else {}
    got = "" if top.get("secret") else f", got {_shown(error.instance)}"
    rule, value = error.validator, error.validator_value
    if rule == "required" and isinstance(error.instance, Mapping):
        return [
            f"{field_path([*path, missing])} is required"
            for missing in value
            if missing not in error.instance
        ]
    if rule == "type":
        expected = [value] if isinstance(value, str) else [t for t in value if t != "null"]
        return [f"{name} must be {' or '.join(expected)}{got}"]
    if rule == "enum":
        allowed = ", ".join(str(option) for option in value if option is not None)
        return [f"{name} must be one of {allowed}{got}"]
    bounds = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than"}
    if rule in bounds:
        return [f"{name} must be {bounds[rule]} {value}{got}"]
    return [f"{name} breaks the settings schema's {rule!r} rule{got}"]


def _shown(value: Any) -> str:
    """A setting's value as an error quotes it: scalars as written, containers by type."""
    if isinstance(value, str | int | float | bool) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"an {json_type(value)}" if json_type(value) in ("array", "object") else "a value"


class SettingsChecked(PluginBase):
    """Mix in before `Tap` or `Target`: settings checked as above, the failure one line.

    A subclass adds its own checks in `check_settings`; they run once the values' types are
    right, and with missing required settings too, so one run names everything missing.
    """

    #: The SDK's built-in settings the plugin takes no notice of, left out of `--about`.
    ignored_builtin_settings: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict) -> None:
        super().append_builtin_config(config_jsonschema)
        for name in cls.ignored_builtin_settings:
            config_jsonschema["properties"].pop(name, None)

    def check_settings(self, config: Mapping[str, Any]) -> list[str]:
        """The plugin's own problems with well-typed settings (credentials, combinations)."""
        return []

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        schema = self.config_jsonschema
        self.append_builtin_config(schema)
        numbers_from_text(schema, self._config)
        problems = settings_problems(schema, self._config)
        # The plugin's checks need values of the right types; they name what else is missing.
        problems = missing_settings(schema, self._config) + (
            problems or self.check_settings(self._config)
        )
        if problems:
            message = "Settings: " + "; ".join(problems)
            if raise_errors:
                raise InvalidSettingsError(message)
            self.logger.warning("%s", message)
        return problems

    @classmethod
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """A config file that is not there is a usage error naming it, not a traceback."""
        try:
            return super().cb_config(ctx, param, value)
        except FileNotFoundError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None

    @classmethod
    def get_singer_command(cls) -> click.Command:
        command = super().get_singer_command()
        main = command.main

        @functools.wraps(main)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return main(*args, **kwargs)
            except InvalidSettingsError as exc:
                cls.logger.error("%s", exc)
                sys.exit(1)

        command.main = run  # type: ignore[method-assign]
        return command
