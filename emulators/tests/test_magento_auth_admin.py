"""Authentication, OAuth signatures, routing, faults, statistics and the CLI, over real HTTP."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time

import pytest
import requests
from connector_emulators import demo_data
from connector_emulators.magento.server import serve_in_thread
from emulator_magento_support import ADMIN, DEMO_ORDER_COUNT, criteria
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

SIGN_IN_FAILED = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
SEARCH_ALL = {"searchCriteria": ""}
REQUIRED = '"%fieldName" is required. Enter and try again.'
UNKNOWN_32 = "0" * 32  # right length (Oauth helper LENGTH_TOKEN / LENGTH_CONSUMER_KEY), unknown


@pytest.fixture
def base(shop):
    """The base URL of a freshly reset shop (faults and statistics cleared too)."""
    shop.admin("POST", "/_emulator/reset", {"seed": "demo"})
    shop.admin("DELETE", "/_emulator/faults")
    shop.admin("POST", "/_emulator/stats/reset")
    return shop.base_url


def oauth(shop, method=SIGNATURE_HMAC_SHA256, **overrides) -> OAuth1:
    credentials = shop.integration
    keys = {
        "client_key": credentials.consumer_key,
        "client_secret": credentials.consumer_secret,
        "resource_owner_key": credentials.access_token,
        "resource_owner_secret": credentials.access_token_secret,
    } | overrides
    return OAuth1(**keys, signature_method=method, signature_type="auth_header")


def admin_token(base: str) -> str:
    response = requests.post(f"{base}/rest/V1/integration/admin/token", json=ADMIN)
    assert response.status_code == 200
    return response.json()


# ---------------------------------------------------------------- admin tokens


def test_admin_token_is_a_json_string_used_as_bearer(base):
    raw = requests.post(f"{base}/rest/V1/integration/admin/token", json=ADMIN)
    assert raw.headers["Content-Type"].startswith("application/json")
    assert raw.text.startswith('"')
    token = raw.json()
    orders = requests.get(
        f"{base}/rest/V1/orders", params=SEARCH_ALL, headers={"Authorization": f"Bearer {token}"}
    )
    assert orders.status_code == 200
    assert orders.json()["total_count"] == DEMO_ORDER_COUNT


def test_wrong_password_and_lockout_after_six_failures(base):
    token_url = f"{base}/rest/V1/integration/admin/token"
    for _ in range(6):
        wrong = requests.post(token_url, json={"username": "admin", "password": "nope"})
        assert wrong.status_code == 401
        assert wrong.json() == {"message": SIGN_IN_FAILED}
    locked = requests.post(token_url, json=ADMIN)
    assert locked.status_code == 401
    assert locked.json() == {"message": SIGN_IN_FAILED}


def test_five_failures_do_not_lock(base):
    token_url = f"{base}/rest/V1/integration/admin/token"
    for _ in range(5):
        requests.post(token_url, json={"username": "admin", "password": "nope"})
    assert requests.post(token_url, json=ADMIN).status_code == 200


def test_token_parameters_are_required_and_two_factor_refuses(shop, base):
    token_url = f"{base}/rest/V1/integration/admin/token"
    missing = requests.post(token_url, json={"username": "admin"})
    assert missing.status_code == 400
    assert missing.json()["parameters"] == {"fieldName": "password"}
    # Two missing parameters are aggregated (ServiceInputProcessor::processInputError) ...
    neither = requests.post(token_url, json={})
    assert neither.status_code == 400
    assert neither.json() == {
        "message": "One or more input exceptions have occurred.",
        "errors": [
            {"message": REQUIRED, "parameters": {"fieldName": "username"}},
            {"message": REQUIRED, "parameters": {"fieldName": "password"}},
        ],
    }
    # ... one alone is answered as itself (AbstractAggregateException::addError).
    empty = requests.post(token_url, json={"username": "", "password": "x"})
    assert empty.status_code == 400
    assert empty.json() == {"message": REQUIRED, "parameters": {"fieldName": "username"}}
    shop.admin("POST", "/_emulator/config", {"two_factor": True})
    refused = requests.post(token_url, json=ADMIN)
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "Please use the 2fa provider-specific endpoints to obtain a token."
    }


# ---------------------------------------------------------------- authorization


def test_protected_routes_need_a_caller_and_name_the_resource(base):
    response = requests.get(f"{base}/rest/V1/customers/search", params=SEARCH_ALL)
    assert response.status_code == 401
    assert response.json() == {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Customer::customer"},
    }
    bad_token = requests.post(
        f"{base}/rest/V1/order/1/invoice", json={}, headers={"Authorization": "Bearer nope"}
    )
    assert bad_token.status_code == 401
    assert bad_token.json()["parameters"] == {"resources": "Magento_Sales::invoice"}


def test_anonymous_routes(base):
    created = requests.post(
        f"{base}/rest/V1/customers",
        json={"customer": {"email": "guest@example.com", "firstname": "G", "lastname": "Uest"}},
    )
    assert created.status_code == 200
    assert requests.get(f"{base}/rest/V1/directory/countries/US").status_code == 200


def test_integration_token_as_bearer_is_refused_unless_enabled(shop, base):
    headers = {"Authorization": f"Bearer {shop.integration.access_token}"}
    refused = requests.get(f"{base}/rest/V1/orders", params=SEARCH_ALL, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["message"] == "The consumer isn't authorized to access %resources."
    shop.admin("POST", "/_emulator/config", {"integration_bearer": True})
    allowed = requests.get(f"{base}/rest/V1/orders", params=SEARCH_ALL, headers=headers)
    assert allowed.status_code == 200


# ---------------------------------------------------------------- OAuth 1.0a


def test_oauth_hmac_sha256_signed_requests_pass(shop, base):
    signer = oauth(shop)
    search = requests.get(
        f"{base}/rest/default/V1/orders",
        params=criteria([("increment_id", "000000101", "eq")]),
        auth=signer,
    )
    assert search.status_code == 200, search.text
    assert search.json()["items"][0]["increment_id"] == "000000101"
    created = requests.post(
        f"{base}/rest/all/V1/categories", json={"category": {"name": "Signed"}}, auth=signer
    )
    assert created.status_code == 200, created.text
    updated = requests.put(
        f"{base}/index.php/rest/all/V1/products/SKU%20WITH%20SPACE",
        json={"product": {"name": "Spaced", "price": 1}},
        auth=signer,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["sku"] == "SKU WITH SPACE"


def test_oauth_hmac_sha1_is_refused(shop, base):
    response = requests.get(
        f"{base}/rest/V1/orders", params=SEARCH_ALL, auth=oauth(shop, SIGNATURE_HMAC_SHA1)
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Signature method %1 is not supported",
        "parameters": ["HMAC-SHA1"],
    }


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"client_secret": "wrong"}, "The signature is invalid. Verify and try again."),
        ({"resource_owner_secret": "wrong"}, "The signature is invalid. Verify and try again."),
        ({"client_key": UNKNOWN_32}, "A consumer having the specified key does not exist"),
        ({"client_key": "short"}, "Consumer key is not the correct length"),
        ({"resource_owner_key": UNKNOWN_32}, "Specified token does not exist"),
    ],
)
def test_oauth_bad_credentials_are_refused(shop, base, override, message):
    response = requests.get(
        f"{base}/rest/V1/orders", params=SEARCH_ALL, auth=oauth(shop, **override)
    )
    assert response.status_code == 401
    assert response.json()["message"] == message


def test_oauth_protocol_errors_are_input_errors(shop, base):
    """`Oauth::_validateProtocolParams` throws OauthInputException (400) before any lookup."""
    short_token = requests.get(
        f"{base}/rest/V1/orders", params=SEARCH_ALL, auth=oauth(shop, resource_owner_key="short")
    )
    assert short_token.status_code == 400
    assert short_token.json() == {
        "message": "The token length is invalid. Check the length and try again."
    }
    bare = requests.get(
        f"{base}/rest/V1/orders",
        params=SEARCH_ALL,
        headers={"Authorization": 'OAuth oauth_consumer_key="x", oauth_signature="y"'},
    )
    assert bare.status_code == 400
    assert bare.json()["message"] == "One or more input exceptions have occurred."
    assert [e["parameters"]["fieldName"] for e in bare.json()["errors"]] == [
        "oauth_signature_method",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_token",
    ]


def test_oauth_nonce_is_spent_before_the_signature_is_checked(shop, base):
    """Magento stores the nonce while validating the protocol parameters, before the token and
    the signature are checked: a failed request's nonce cannot be used again."""
    session = requests.Session()
    bad = session.prepare_request(
        requests.Request(
            "GET", f"{base}/rest/V1/orders", params=SEARCH_ALL,
            auth=oauth(shop, client_secret="wrong"),
        )
    )  # fmt: skip
    assert session.send(bad).json()["message"] == "The signature is invalid. Verify and try again."
    again = session.send(bad)
    assert again.status_code == 401
    assert again.json()["message"] == "The nonce is already being used by the consumer with ID %1."


def test_oauth_signature_covers_the_query_and_nonces_are_single_use(shop, base):
    session = requests.Session()
    signed = session.prepare_request(
        requests.Request(
            "GET", f"{base}/rest/V1/orders", params={"searchCriteria[pageSize]": "1"},
            auth=oauth(shop),
        )
    )  # fmt: skip
    tampered = signed.copy()
    tampered.url = signed.url.replace("pageSize%5D=1", "pageSize%5D=2")
    assert session.send(tampered).status_code == 401
    signed = session.prepare_request(
        requests.Request("GET", f"{base}/rest/V1/orders", params=SEARCH_ALL, auth=oauth(shop))
    )
    assert session.send(signed).status_code == 200
    replay = session.send(signed)
    assert replay.status_code == 401
    assert replay.json()["message"] == "The nonce is already being used by the consumer with ID %1."


# ---------------------------------------------------------------- routing


def test_store_codes_and_unknown_routes(base):
    headers = {"Authorization": f"Bearer {admin_token(base)}"}
    for prefix in ("/rest/V1", "/rest/default/V1", "/rest/all/V1", "/index.php/rest/V1"):
        response = requests.get(f"{base}{prefix}/orders", params=SEARCH_ALL, headers=headers)
        assert response.status_code == 200, prefix
    for path in ("/rest/nostore/V1/orders", "/rest/V1/nothing", "/rest/V2/orders", "/other"):
        response = requests.get(f"{base}{path}", params=SEARCH_ALL, headers=headers)
        assert response.status_code == 404, path
        assert response.json() == {"message": "Request does not match any route."}
    for method in ("PATCH", "OPTIONS"):  # Webapi\Rest\Request::getHttpMethod's InputException
        wrong_method = requests.request(method, f"{base}/rest/V1/orders/1", headers=headers)
        assert wrong_method.status_code == 400, method
        assert wrong_method.json() == {"message": "Request method is invalid."}


def test_keep_alive_serves_several_requests_on_one_connection(shop, base):
    connection = http.client.HTTPConnection("127.0.0.1", shop.port)
    try:
        for _ in range(3):
            connection.request("GET", "/rest/V1/directory/countries/DE")
            response = connection.getresponse()
            assert response.status == 200
            assert b'"DEU"' in response.read()
    finally:
        connection.close()


# ---------------------------------------------------------------- faults and statistics


def test_http_faults_with_count_and_after(shop, base):
    shop.admin(
        "POST",
        "/_emulator/faults",
        {"kind": "http_503", "count": 2, "after": 1, "path": "/directory/", "method": "GET"},
    )
    countries = f"{base}/rest/V1/directory/countries"
    assert requests.get(countries).status_code == 200  # let through by "after"
    assert requests.get(f"{base}/rest/V1/customers/search").status_code == 401  # other path
    first = requests.get(countries)
    assert first.status_code == 503
    assert first.headers["Content-Type"].startswith("text/html")
    assert requests.get(countries).status_code == 503
    assert requests.get(countries).status_code == 200  # count used up
    shop.admin("POST", "/_emulator/faults", {"kind": "http_500"})
    masked = requests.get(countries)
    assert masked.status_code == 500
    assert masked.json()["message"].startswith(
        "Internal Error. Details are available in Magento log file. Report ID: webapi-"
    )
    shop.admin("POST", "/_emulator/faults", {"kind": "http_502", "count": 5})
    assert requests.get(countries).status_code == 502
    assert shop.admin("DELETE", "/_emulator/faults") == {"faults": []}
    assert requests.get(countries).status_code == 200


def test_drop_connection_after_the_write_loses_only_the_answer(shop, base):
    shop.admin(
        "POST", "/_emulator/faults", {"kind": "drop_connection", "when": "after", "method": "POST"}
    )
    customer = {"customer": {"email": "lost@example.com", "firstname": "L", "lastname": "Ost"}}
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{base}/rest/V1/customers", json=customer)
    again = requests.post(f"{base}/rest/V1/customers", json=customer)
    assert again.status_code == 400  # the first write did happen
    shop.admin("POST", "/_emulator/faults", {"kind": "drop_connection", "method": "POST"})
    other = {"customer": {"email": "never@example.com", "firstname": "N", "lastname": "Ever"}}
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{base}/rest/V1/customers", json=other)
    assert requests.post(f"{base}/rest/V1/customers", json=other).status_code == 200


def test_slow_fault_delays_the_answer(shop, base):
    shop.admin("POST", "/_emulator/faults", {"kind": "slow", "delay": 0.3})
    started = time.monotonic()
    assert requests.get(f"{base}/rest/V1/directory/countries/US").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_bad_fault_definitions_are_refused(shop, base):
    response = requests.post(f"{base}/_emulator/faults", json={"kind": "explode"})
    assert response.status_code == 400


def test_stats_count_requests_per_route_template(shop, base):
    token = admin_token(base)
    headers = {"Authorization": f"Bearer {token}"}
    for order_id in (1, 2, 3):
        requests.get(f"{base}/rest/V1/orders/{order_id}", headers=headers)
    requests.get(f"{base}/rest/V1/nowhere")
    stats = shop.admin("GET", "/_emulator/stats")
    assert stats["total"] == 5
    assert stats["routes"]["GET /V1/orders/:id"] == 3
    assert stats["routes"]["POST /V1/integration/admin/token"] == 1
    assert stats["routes"]["GET (no route)"] == 1
    assert shop.admin("POST", "/_emulator/stats/reset") == {"total": 0, "routes": {}}


def test_dump_and_reset(shop, base):
    requests.post(
        f"{base}/rest/V1/customers",
        json={"customer": {"email": "d@example.com", "firstname": "D", "lastname": "Ump"}},
    )
    dump = shop.admin("GET", "/_emulator/dump")
    assert [c["email"] for c in dump["customers"]] == ["d@example.com"]
    assert [c["id"] for c in dump["categories"]] == [1, 2]
    assert sorted(o["increment_id"] for o in dump["orders"]) == [
        "000000101", "000000102", "000000103", "000000105",
        *(web.increment_id for web in demo_data.WEB_ORDERS),
    ]  # fmt: skip
    assert dump["products"] == dump["invoices"] == []
    assert dump["config"] == {
        "integration_bearer": False,
        "two_factor": False,
        "input_limits": False,
    }
    shop.admin("POST", "/_emulator/reset", {"seed": None})
    empty = shop.admin("GET", "/_emulator/dump")
    assert empty["customers"] == empty["orders"] == []


# ---------------------------------------------------------------- CLI


def test_cli_serves_and_prints_credentials():
    process = subprocess.Popen(
        [sys.executable, "-m", "connector_emulators.magento.cli", "serve", "--port", "0",
         "--integration-bearer"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("Magento emulator listening on http://127.0.0.1:")
        base = first.rsplit(" ", 1)[1]
        lines = [process.stdout.readline().strip() for _ in range(5)]
        token = next(line for line in lines if line.startswith("access token:")).split(": ")[1]
        assert any(line.startswith("consumer secret: ") for line in lines)
        response = requests.get(
            f"{base}/rest/V1/orders",
            params=SEARCH_ALL,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        assert response.json()["total_count"] == DEMO_ORDER_COUNT
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_db_file_keeps_the_shop_across_restarts(tmp_path):
    db_path = str(tmp_path / "shop.sqlite")
    customer = {"customer": {"email": "kept@example.com", "firstname": "K", "lastname": "Ept"}}
    with serve_in_thread(port=0, seed="demo", db_path=db_path) as first:
        assert (
            requests.post(f"{first.base_url}/rest/V1/customers", json=customer).status_code == 200
        )
    with serve_in_thread(port=0, seed="demo", db_path=db_path) as second:
        dump = second.admin("GET", "/_emulator/dump")
        assert [c["email"] for c in dump["customers"]] == ["kept@example.com"]
        assert len(dump["orders"]) == DEMO_ORDER_COUNT
