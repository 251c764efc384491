"""The settings check on its own: what each problem says, defaults filled in, secrets hidden."""

from __future__ import annotations

from singer_rejects.settings import missing_settings, numbers_from_text, settings_problems
from singer_sdk import typing as th

SCHEMA = th.PropertiesList(
    th.Property("base_url", th.StringType, required=True),
    th.Property("password", th.StringType, secret=True),
    th.Property("page_size", th.IntegerType(minimum=1, maximum=300), default=300),
    th.Property("timeout", th.NumberType(exclusive_minimum=0)),
    th.Property("mode", th.StringType(allowed_values=["fast", "safe"])),
    th.Property("start_date", th.DateTimeType),
    th.Property("streams", th.ObjectType(additional_properties=th.ObjectType(
        th.Property("sync_mode", th.StringType(allowed_values=["insert", "upsert"])),
    ))),
).to_dict()  # fmt: skip


def test_a_good_config_has_no_problems_and_gets_the_defaults() -> None:
    config = {"base_url": "https://x", "start_date": "2024-01-31T00:00:00Z"}
    assert settings_problems(SCHEMA, config) == []
    assert config["page_size"] == 300


def test_each_problem_names_its_setting() -> None:
    config = {
        "page_size": 0,
        "timeout": 0,
        "mode": "turbo",
        "start_date": "last week",
        "streams": {"customers": {"sync_mode": "merge"}},
    }
    assert settings_problems(SCHEMA, config) == [
        "mode must be one of fast, safe, got 'turbo'",
        "page_size must be at least 1, got 0",
        "streams.customers.sync_mode must be one of insert, upsert, got 'merge'",
        "timeout must be more than 0, got 0",
        "start_date must be an ISO 8601 date-time such as 2024-01-31T00:00:00Z, got 'last week'",
    ]
    assert missing_settings(SCHEMA, config) == ["base_url is required"]
    assert missing_settings(SCHEMA, {"base_url": ""}) == ["base_url is required"]


def test_a_secret_of_the_wrong_type_is_named_without_its_value() -> None:
    assert settings_problems(SCHEMA, {"base_url": "https://x", "password": 12345678}) == [
        "password must be string"
    ]


def test_number_settings_given_as_text_become_numbers() -> None:
    """`--config ENV` leaves TAP_X_TIMEOUT=60 text; numbers it is, other text stays to be named."""
    config = {"base_url": "https://x", "timeout": "2.5", "mode": "60"}
    numbers_from_text(SCHEMA, config)
    assert config == {"base_url": "https://x", "timeout": 2.5, "mode": "60"}
    config = {"base_url": "https://x", "timeout": "slow"}
    numbers_from_text(SCHEMA, config)
    assert settings_problems(SCHEMA, config) == ["timeout must be number, got 'slow'"]
