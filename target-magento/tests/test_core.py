"""The Singer SDK's built-in target tests, each with a `validate()` that looks at Magento.

The SDK fixtures' streams (`test_array_data`, `TestCamelcase`, ...) have no Magento counterpart:
their validation asserts the target ignored them without a crash and sent Magento nothing at all.
Two fixtures are mapped onto roles through `stream_names` to show that records of the wrong shape
are rejected with reasons, and one extra test loads the whole demo business.
"""

from __future__ import annotations

import io

import pytest
from singer_sdk.testing import SuiteConfig, get_target_test_class
from singer_sdk.testing import target_tests as builtin
from singer_sdk.testing.runners import TargetTestRunner
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.templates import TargetTestTemplate
from target_magento.target import TargetMagento
from target_magento_support import demo_messages, to_lines


class NothingLanded:
    """Validation for fixtures that map to no role: no HTTP request, no reject, no file."""

    def validate(self) -> None:
        harness = self.resource
        assert harness.total_requests() == 0
        assert harness.rejects() == []
        assert harness.id_map() == {}


class RejectedAsCustomers:
    """`pk_updates` (id, name, email) mapped onto customers: rejected, nothing created."""

    def test(self) -> None:
        self.runner.config = {**self.runner.config, "stream_names": {"customers": "example_stream"}}
        self.resource.customers_before = len(self.resource.table("customers"))
        super().test()

    def validate(self) -> None:
        harness = self.resource
        rejects = harness.rejects()
        assert [r["key"] for r in rejects] == ["?", "?"]  # the fixture declares no key
        assert all(r["field"] == "DISPLAYCONTACT.EMAIL1" for r in rejects)
        assert {r["record"]["email"] for r in rejects} == {"alice@example.com", "bob@example.com"}
        assert len(harness.table("customers")) == harness.customers_before


class RejectedAsItems:
    """`duplicate_records` (id, metric) mapped onto items: the last version of each id is
    rejected for its missing SKU, and nothing is written."""

    def test(self) -> None:
        self.runner.config = {
            **self.runner.config,
            "stream_names": {"items": "test_duplicate_records"},
        }
        super().test()

    def validate(self) -> None:
        harness = self.resource
        rejects = harness.rejects()
        assert {r["key"]: r["record"]["metric"] for r in rejects} == {"1": 100, "2": 20}
        assert {r["field"] for r in rejects} == {"ITEMID"}
        assert harness.request_count("PUT", r"^/V1/products/") == 0


class DemoBusiness(TargetTestTemplate):
    """The demo business as tap-intacct emits it; the state comes back once, at the end."""

    name = "demo_business"

    def test(self) -> None:
        self.runner.input_io = io.StringIO(to_lines(demo_messages()))
        self.runner.sync_all()

    def validate(self) -> None:
        harness = self.resource
        assert len(self.runner.state_messages) == 1
        assert self.runner.state_messages[0] == demo_messages()[-1]["value"]
        products = {p["sku"] for p in harness.table("products")}
        assert {"HAMMER-1", "HAMMER-2", "INSTALL-HR"} <= products
        assert len([r for r in harness.rejects() if r["stream"] == "customers"]) == 3
        assert len(harness.pending()["invoices"]) == 1


def _validated(base: type, mixin: type) -> type:
    return type(base.__name__, (mixin, base), {})


TESTS = [
    _validated(builtin.TargetArrayData, NothingLanded),
    _validated(builtin.TargetCamelcaseComplexSchema, NothingLanded),
    _validated(builtin.TargetCamelcaseTest, NothingLanded),
    builtin.TargetCliPrintsTest,
    _validated(builtin.TargetDuplicateRecords, RejectedAsItems),
    _validated(builtin.TargetEncodedStringData, NothingLanded),
    builtin.TargetInvalidSchemaTest,
    _validated(builtin.TargetNoPrimaryKeys, NothingLanded),
    _validated(builtin.TargetOptionalAttributes, NothingLanded),
    _validated(builtin.TargetPrimaryKeyUpdates, RejectedAsCustomers),
    builtin.TargetRecordBeforeSchemaTest,
    builtin.TargetRecordMissingKeyProperty,
    _validated(builtin.TargetRecordMissingOptionalFields, NothingLanded),
    _validated(builtin.TargetSchemaNoProperties, NothingLanded),
    _validated(builtin.TargetSchemaUpdates, NothingLanded),
    _validated(builtin.TargetSpecialCharsInAttributes, NothingLanded),
    DemoBusiness,
]

BuiltInTests = get_target_test_class(
    TargetMagento,
    custom_suites=[SingerTestSuite(kind="target", tests=TESTS)],
    include_target_tests=False,
    suite_config=SuiteConfig(),
    parse_env_config=False,
)


class TestTargetMagento(BuiltInTests):  # type: ignore[misc, valid-type]
    """Runs each SDK test against a freshly reset emulator with its own files."""

    @pytest.fixture
    def resource(self, harness):
        harness.reset_stats()
        return harness

    @pytest.fixture
    def runner(self, harness):
        return TargetTestRunner(
            target_class=TargetMagento, config=harness.config(), parse_env_config=False
        )
