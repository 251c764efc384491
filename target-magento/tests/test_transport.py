"""Authentication paths, retries on faults, and secrets kept out of every log line and file."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from connector_emulators import demo_data
from magento_api import AuthSettings, MagentoError
from singer_rejects.settings import InvalidSettingsError
from target_magento.target import TargetMagento
from target_magento_support import (
    customer_records,
    demo_messages,
    invoice_records,
    item_records,
    stream_messages,
    summary,
)

NO_OAUTH = {"consumer_key": None, "consumer_secret": None, "access_token_secret": None}


def test_oauth_signed_requests(harness):
    target, _ = harness.run(stream_messages("items", item_records()[:2]))
    assert summary(target)["items"]["created"] == 2
    assert target.loader.run.client.auth_mode == "oauth"


def test_integration_token_as_bearer_needs_the_shop_setting(harness):
    bearer = {**NO_OAUTH, "access_token": harness.magento.integration.access_token}
    with pytest.raises(MagentoError) as refused:
        harness.run(stream_messages("items", item_records()[:1]), **bearer)
    assert refused.value.status == 401
    harness.magento.admin("POST", "/_emulator/config", {"integration_bearer": True})
    target, _ = harness.run(stream_messages("items", item_records()[:1]), **bearer)
    assert summary(target)["items"]["created"] == 1
    assert target.loader.run.client.auth_mode == "bearer"


def test_admin_token_is_fetched_and_refreshed(harness):
    admin = {
        **NO_OAUTH,
        "access_token": None,
        "username": demo_data.MAGENTO_ADMIN_USERNAME,
        "password": demo_data.MAGENTO_ADMIN_PASSWORD,
    }
    target, _ = harness.run(stream_messages("items", item_records()[:1]), **admin)
    assert summary(target)["items"]["created"] == 1
    assert target.loader.run.client.auth_mode == "admin"
    assert harness.request_count("POST", r"^/V1/integration/admin/token$") == 1

    def expire_tokens_once(client):
        """After the run's first answer, the shop forgets its tokens (as after 4 hours)."""
        expired = []

        def hook(response, *args, **kwargs):
            if not expired and "admin/token" not in response.url:
                expired.append(True)
                harness.magento.auth.reset()

        client.session.hooks["response"].append(hook)

    harness.reset_stats()
    target, _ = harness.run(
        stream_messages("items", item_records()[1:3]), prepare=expire_tokens_once, **admin
    )
    assert summary(target)["items"]["created"] == 2
    assert harness.request_count("POST", r"^/V1/integration/admin/token$") == 2


def test_wrong_admin_password_fails_clearly(harness):
    admin = {**NO_OAUTH, "access_token": None, "username": "admin", "password": "wrong-pass-123"}
    with pytest.raises(MagentoError) as refused:
        harness.run(stream_messages("items", item_records()[:1]), **admin)
    assert refused.value.status == 401
    assert "wrong-pass-123" not in str(refused.value)


def test_incomplete_credentials_are_a_config_error(harness):
    with pytest.raises(InvalidSettingsError, match="access_token_secret"):
        TargetMagento(config=harness.config(access_token_secret=None))
    with pytest.raises(InvalidSettingsError, match="No Magento credentials"):
        TargetMagento(config={"base_url": harness.magento.base_url})
    with pytest.raises(InvalidSettingsError, match="unknown roles"):
        TargetMagento(config=harness.config(stream_names={"vendors": "vendors"}))


def test_server_errors_and_dropped_connections_are_retried(harness):
    harness.fault("http_503", count=2, path="/V1/customers/search", method="GET")
    harness.fault("drop_connection", count=1, path="/V1/products/", method="PUT")
    harness.fault("http_502", count=1, path="/V1/directory/countries", method="GET")
    messages = [
        *stream_messages("customers", customer_records()[:2]),
        *stream_messages("items", item_records()[:3]),
    ]
    target, _ = harness.run(messages, use_bulk_api=False)
    counts = summary(target)
    assert counts["customers"]["created"] == 2
    assert counts["items"]["created"] == 3
    assert harness.faults_left() == 0


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_dropped_create_is_checked_before_it_is_posted_again(harness, when):
    """`after`: Magento saved the customer but the answer was lost; it must not be created twice."""
    before = len(harness.table("customers"))
    harness.fault("drop_connection", count=1, path="/V1/customers", method="POST", when=when)
    target, _ = harness.run(stream_messages("customers", customer_records()[:1]))
    counts = summary(target)["customers"]
    assert counts["created"] == 1
    emails = [c["email"] for c in harness.table("customers")]
    assert emails.count("ap@acme.example") == 1
    assert len(harness.table("customers")) == before + 1
    assert harness.faults_left() == 0
    assert harness.id_map()["customers"]["C-1001"]["id"] > 0


def test_a_lost_invoice_answer_does_not_invoice_twice(harness):
    harness.fault("http_503", count=1, path="/invoice", method="POST", when="after")
    headers, lines = invoice_records()
    messages = [
        *stream_messages("sales_invoices", headers[:1]),
        *stream_messages(
            "sales_invoice_lines", [x for x in lines if x["DOCHDRNO"] == headers[0]["RECORDNO"]]
        ),
    ]
    before = len(harness.table("invoices"))
    target, _ = harness.run(messages)
    assert summary(target)["sales_invoices"]["created"] == 1
    assert len(harness.table("invoices")) == before + 1
    assert harness.faults_left() == 0


def test_secrets_never_reach_logs_or_files(harness, caplog):
    integration = harness.magento.integration
    secrets = [
        integration.consumer_secret,
        integration.access_token,
        integration.access_token_secret,
        demo_data.MAGENTO_ADMIN_PASSWORD,
    ]
    caplog.set_level(logging.DEBUG)
    target, _ = harness.run(demo_messages())
    assert summary(target)["customers"]["created"] == 7  # the run did real work
    admin = {
        **NO_OAUTH,
        "access_token": None,
        "username": demo_data.MAGENTO_ADMIN_USERNAME,
        "password": demo_data.MAGENTO_ADMIN_PASSWORD,
    }
    harness.run(stream_messages("items", item_records()), **admin)
    debug_lines = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("/rest/" in r.getMessage() for r in debug_lines)  # requests are logged
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    files = "".join(p.read_text() for p in harness.folder.iterdir() if p.is_file())
    described = repr(AuthSettings.from_config(harness.config())) + repr(
        AuthSettings.from_config(admin)
    )
    for secret in secrets:
        assert secret not in logged
        assert secret not in files
        assert secret not in described
    assert "oauth_signature" not in logged


def test_a_slow_answer_times_out_and_is_retried(harness):
    harness.fault("slow", count=1, delay=2.0, path="/V1/products", method="GET")
    target, _ = harness.run(stream_messages("items", item_records()[:2]), request_timeout=0.5)
    assert summary(target)["items"]["created"] == 2
    assert harness.faults_left() == 0
    assert harness.request_count("GET", r"^/V1/products$") >= 1


def test_about_marks_every_secret():
    command = [str(Path(sys.executable).with_name("target-magento")), "--about", "--format=json"]
    about = json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
    assert "batch" in about["capabilities"]
    settings = about["settings"]["properties"]
    secret = {name for name, spec in settings.items() if spec.get("secret")}
    assert secret == {
        "access_token",
        "consumer_key",
        "consumer_secret",
        "access_token_secret",
        "password",
    }
    assert all(settings[name].get("writeOnly") for name in secret)
    assert settings["store_code"]["default"] == "default"
    assert settings["root_category_id"]["default"] == 2
    assert "id_map_file" in settings["pending_catalog_file"]["description"]
    assert settings["bulk_poll_timeout"]["default"] == 300


def test_admin_token_refused_under_two_factor_auth(harness):
    harness.magento.admin("POST", "/_emulator/config", {"two_factor": True})
    admin = {**NO_OAUTH, "access_token": None, "username": "admin", "password": "admin123"}
    with pytest.raises(MagentoError, match="2fa") as refused:
        harness.run(stream_messages("items", item_records()[:1]), **admin)
    assert refused.value.status == 400
    assert harness.table("products") == []


def test_a_lost_category_answer_does_not_create_it_twice(harness):
    harness.fault("drop_connection", count=1, path="/V1/categories", method="POST", when="after")
    before = len(harness.table("categories"))
    lines = [{"RECORDNO": 1, "PRODUCTLINEID": "HW", "DESCRIPTION": "Hardware"}]
    target, _ = harness.run(stream_messages("product_lines", lines))
    assert summary(target)["product_lines"]["created"] == 1
    assert len(harness.table("categories")) == before + 1
    assert harness.faults_left() == 0
