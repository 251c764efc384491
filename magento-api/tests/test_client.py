"""The client over real HTTP against the Magento emulator: the three ways in, errors, retries."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from magento_api import (
    AuthSettings,
    MagentoError,
    TransientError,
    decode_json,
    encode_json,
    search_params,
)


def order_count(client) -> int:
    result = client.request("GET", "V1/orders", params=search_params([], page_size=1))
    return int(result["total_count"])


@pytest.mark.parametrize("mode", ["oauth", "bearer", "admin"])
def test_each_way_in_reads_the_shop(shop, make_client, mode):
    if mode == "bearer":
        shop.admin("POST", "/_emulator/config", {"integration_bearer": True})
    client = make_client(mode)
    assert client.auth_mode == mode
    assert order_count(client) > 0


def test_integration_token_alone_is_refused_by_default_with_the_rendered_message(make_client):
    client = make_client("bearer")
    with pytest.raises(MagentoError) as caught:
        order_count(client)
    assert caught.value.status == 401
    assert caught.value.message.startswith("The consumer isn't authorized to access Magento_")
    assert "%resources" not in caught.value.message


def test_an_expired_admin_token_is_replaced_once(shop, make_client):
    client = make_client("admin")
    order_count(client)
    shop.admin("POST", "/_emulator/reset", {"seed": "demo"})  # forgets every issued token
    shop.admin("POST", "/_emulator/stats/reset", {})
    assert order_count(client) > 0
    routes = shop.admin("GET", "/_emulator/stats")["routes"]
    assert routes["POST /V1/integration/admin/token"] == 1
    assert routes["GET /V1/orders"] == 2


def test_wrong_admin_password_fails_without_retrying_or_leaking(shop, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(AuthSettings(username="admin", password="not-the-password-7Q"))
    with pytest.raises(MagentoError) as caught:
        order_count(client)
    assert caught.value.status == 401
    assert "sign-in was incorrect" in caught.value.message
    assert "not-the-password-7Q" not in str(caught.value) + caplog.text


def test_incomplete_oauth_credentials_name_what_is_missing():
    with pytest.raises(ValueError, match=r"missing: \['access_token_secret'\]"):
        _ = AuthSettings(consumer_key="k", consumer_secret="s", access_token="t").mode


def test_secrets_stay_out_of_repr_and_logs(shop, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client("oauth")
    order_count(client)
    integration = shop.integration
    secrets = [
        integration.consumer_secret,
        integration.access_token,
        integration.access_token_secret,
    ]
    logged = caplog.text + repr(AuthSettings.from_config(vars(integration)))
    assert not [secret for secret in secrets if secret in logged]


def test_a_not_found_answer_renders_its_template(make_client):
    client = make_client()
    with pytest.raises(MagentoError) as caught:
        client.request("GET", "V1/orders/987654")
    assert caught.value.status == 404
    assert caught.value.message == (
        "The entity that was requested doesn't exist. Verify the entity and try again."
    )


def test_reads_are_retried_through_server_errors_but_posts_are_not(shop, make_client):
    client = make_client()
    shop.admin("POST", "/_emulator/faults", {"kind": "http_503", "count": 2, "method": "GET"})
    assert order_count(client) > 0
    shop.admin("POST", "/_emulator/faults", {"kind": "http_503", "count": 1, "method": "POST"})
    with pytest.raises(TransientError) as caught:
        client.request("POST", "V1/customers", body={"customer": {"email": "x@example.com"}})
    assert caught.value.status == 503
    assert client.request_count == 4


def test_retries_give_up_after_max_tries(shop, make_client):
    client = make_client(max_tries=2)
    shop.admin("POST", "/_emulator/faults", {"kind": "http_500", "count": 5})
    with pytest.raises(TransientError):
        order_count(client)
    assert client.request_count == 2


def test_search_params_sort_and_filter_as_magento_reads_them(make_client):
    client = make_client()
    params = search_params(
        [[("status", "canceled", "neq")]],
        sort_orders=[("entity_id", "DESC")],
        page_size=2,
    )
    result = client.request("GET", "V1/orders", params=params)
    ids = [order["entity_id"] for order in result["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 2
    assert all(order["status"] != "canceled" for order in result["items"])
    assert result["search_criteria"]["sort_orders"][0] == {
        "field": "entity_id",
        "direction": "DESC",
    }


def test_search_reads_every_page(make_client):
    client = make_client()
    everything = client.search("V1/orders", [], page_size=1)
    assert len(everything) == order_count(client)
    assert len({order["entity_id"] for order in everything}) == len(everything)


def test_money_travels_exactly_both_ways():
    assert decode_json(b'{"price": 0.10, "qty": 3}') == {"price": Decimal("0.10"), "qty": 3}
    assert encode_json({"price": Decimal("19.999")}) == b'{"price":19.999}'
