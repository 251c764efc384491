"""Directory, customers and searchCriteria, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_magento_support import criteria, url


def address(**overrides: Any) -> dict[str, Any]:
    base = {
        "firstname": "Ada",
        "lastname": "Acme",
        "street": ["1 Main Street"],
        "city": "Springfield",
        "postcode": "62701",
        "country_id": "US",
        "region_id": 23,
        "telephone": "+1 217 555 0101",
    }
    return {k: v for k, v in (base | overrides).items() if v is not None}


def new_customer(api, email: str = "ap@acme.example", **fields: Any) -> requests.Response:
    customer = {"email": email, "firstname": "Ada", "lastname": "Acme"} | fields
    return api.post(url(api, "/V1/customers"), json={"customer": customer})


# ---------------------------------------------------------------- directory


def test_directory_regions_carry_magento_ids(api):
    us = api.get(url(api, "/V1/directory/countries/US")).json()
    regions = {r["code"]: int(r["id"]) for r in us["available_regions"]}
    assert regions["CA"] == 12
    assert regions["NY"] == 43
    assert regions["TX"] == 57
    assert regions["IL"] == 23
    assert regions["WA"] == 62
    assert regions["OR"] == 49
    assert regions["MA"] == 32
    assert len(regions) >= 50
    countries = {c["id"] for c in api.get(url(api, "/V1/directory/countries")).json()}
    assert {"US", "CA", "DE", "IE", "GB", "JP", "FR", "ES"} <= countries
    missing = api.get(url(api, "/V1/directory/countries/XX"))
    assert missing.status_code == 404


# ---------------------------------------------------------------- customers


def test_create_customer_answers_ids_and_default_addresses(api):
    response = new_customer(
        api,
        addresses=[address(default_billing=True, default_shipping=True)],
        website_id=1,
    )
    assert response.status_code == 200, response.text
    customer = response.json()
    assert customer["id"] > 0
    assert customer["website_id"] == 1
    assert customer["store_id"] == 1
    assert customer["group_id"] == 1
    assert customer["created_in"] == "Default Store View"
    [stored] = customer["addresses"]
    assert stored["id"] > 0
    assert stored["region"] == {"region_code": "IL", "region": "Illinois", "region_id": 23}
    assert stored["default_billing"] is True
    assert customer["default_billing"] == str(stored["id"])
    fetched = api.get(url(api, f"/V1/customers/{customer['id']}")).json()
    assert fetched == customer


def test_camel_case_keys_are_accepted(api):
    response = api.post(
        url(api, "/V1/customers"),
        json={
            "customer": {
                "email": "camel@example.com",
                "firstname": "C",
                "lastname": "Case",
                "websiteId": 1,
                "addresses": [
                    {
                        "firstname": "C",
                        "lastname": "Case",
                        "street": ["1 Road"],
                        "city": "Albany",
                        "postcode": "12207",
                        "countryId": "US",
                        "regionId": 43,
                        "telephone": "1",
                        "defaultShipping": True,
                    }
                ],
            }
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["addresses"][0]["region"]["region_code"] == "NY"
    assert body["default_shipping"] == str(body["addresses"][0]["id"])


def test_duplicate_email_in_the_same_website_is_refused(api):
    assert new_customer(api).status_code == 200
    again = new_customer(api, email="AP@Acme.example")
    assert again.status_code == 400
    assert again.json() == {
        "message": "A customer with the same email address already exists in an associated website."
    }


def test_invalid_email_and_missing_names(api):
    bad = new_customer(api, email="not-an-email")
    assert bad.status_code == 400
    assert bad.json()["message"] == '"Email" is not a valid email address.'
    nameless = api.post(
        url(api, "/V1/customers"), json={"customer": {"email": "x@example.com"}}
    ).json()
    assert nameless["message"] == "One or more input exceptions have occurred."
    assert [e["parameters"]["fieldName"] for e in nameless["errors"]] == ["firstname", "lastname"]


def test_missing_customer_parameter_and_unknown_field(api):
    missing = api.post(url(api, "/V1/customers"), json={})
    assert missing.status_code == 400
    assert missing.json() == {
        "message": '"%fieldName" is required. Enter and try again.',
        "parameters": {"fieldName": "customer"},
    }
    unknown = new_customer(api, loyalty_tier="Gold")
    assert unknown.status_code == 400
    assert unknown.json() == {
        "message": '"%fieldName" is not supported. Correct the field name and try again.',
        "parameters": {"fieldName": "LoyaltyTier"},
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"postcode": None}, "postcode"),
        ({"city": None}, "city"),
        ({"street": []}, "street"),
        ({"telephone": None}, "telephone"),
        ({"firstname": None}, "firstname"),
        ({"region_id": None}, "regionId"),
        ({"country_id": None}, "countryId"),
    ],
)
def test_address_single_missing_field_error(api, overrides, field):
    response = new_customer(api, addresses=[address(**overrides)])
    assert response.status_code == 400
    assert response.json() == {
        "message": '"%fieldName" is required. Enter and try again.',
        "parameters": {"fieldName": field},
    }
    # The customer is not left behind when its address fails.
    found = api.get(
        url(api, "/V1/customers/search"), params=criteria([("email", "ap@acme.example", "eq")])
    )
    assert found.json()["total_count"] == 0


def test_address_several_errors_are_aggregated(api):
    response = new_customer(api, addresses=[address(postcode=None, city=None)])
    body = response.json()
    assert response.status_code == 400
    assert body["message"] == "One or more input exceptions have occurred."
    assert [e["parameters"] for e in body["errors"]] == [
        {"fieldName": "city"},
        {"fieldName": "postcode"},
    ]


def test_postcode_optional_countries_and_regions(api):
    irish = new_customer(
        api,
        email="accounts@obrien.example",
        addresses=[address(country_id="IE", postcode=None, region_id=None, city="Dublin")],
    )
    assert irish.status_code == 200, irish.text
    german = new_customer(
        api,
        email="jm@mueller.example",
        addresses=[address(country_id="DE", region_id=None, postcode="80331", city="München")],
    )
    assert german.status_code == 200, german.text
    french_without = new_customer(
        api,
        email="fr@example.com",
        addresses=[address(country_id="FR", region_id=None, postcode=None)],
    )
    assert french_without.json()["parameters"] == {"fieldName": "postcode"}
    wrong_region = new_customer(api, email="w@example.com", addresses=[address(region_id=81)])
    assert wrong_region.json() == {
        "message": 'Invalid value of "%value" provided for the %fieldName field.',
        "parameters": {"fieldName": "regionId", "value": "81"},
    }
    by_code = new_customer(
        api,
        email="code@example.com",
        addresses=[address(region_id=None, region={"region_code": "TX"})],
    )
    assert by_code.json()["addresses"][0]["region_id"] == 57


def test_country_ids_compare_exactly_and_echo_escaped(api):
    """Validator\\Country: `in_array($countryId, $allowed, true)`, value through escapeHtml."""
    lower = new_customer(api, addresses=[address(country_id="us")])
    assert lower.status_code == 400
    assert lower.json() == {
        "message": 'Invalid value of "%value" provided for the %fieldName field.',
        "parameters": {"fieldName": "countryId", "value": "us"},
    }
    odd = new_customer(api, addresses=[address(country_id="<b>")])
    assert odd.json()["parameters"] == {"fieldName": "countryId", "value": "&lt;b&gt;"}


def test_region_text_resolves_by_code_only(api):
    """AbstractAddress::getRegionId loads the region by code; a `region` text stands in for the
    code (getRegionCode), so a name alone leaves regionId empty."""
    by_name = new_customer(
        api, email="n@example.com", addresses=[address(region_id=None, region={"region": "Texas"})]
    )
    assert by_name.status_code == 400
    assert by_name.json()["parameters"] == {"fieldName": "regionId"}
    text_code = new_customer(
        api, email="t@example.com", addresses=[address(region_id=None, region={"region": "tx"})]
    )
    assert text_code.status_code == 200, text_code.text
    assert text_code.json()["addresses"][0]["region"] == {
        "region_code": "TX",
        "region": "Texas",
        "region_id": 57,
    }


def test_update_merges_and_replaces_addresses(api):
    first = address(default_billing=True)
    second = address(street=["2 West Road"], city="Portland", region_id=49, postcode="97201")
    created = new_customer(api, addresses=[first, second]).json()
    keep, drop = created["addresses"]
    customer_url = url(api, f"/V1/customers/{created['id']}")

    renamed = api.put(customer_url, json={"customer": {"lastname": "Acme-West"}})
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert body["firstname"] == "Ada"
    assert body["email"] == "ap@acme.example"
    assert len(body["addresses"]) == 2  # omitted addresses are kept

    replaced = api.put(
        customer_url,
        json={
            "customer": {
                "addresses": [
                    {**keep, "city": "Chicago"},
                    address(street=["3 New Street"], default_shipping=True),
                ]
            }
        },
    ).json()
    ids = [a["id"] for a in replaced["addresses"]]
    assert keep["id"] in ids
    assert drop["id"] not in ids
    assert len(ids) == 2
    assert next(a for a in replaced["addresses"] if a["id"] == keep["id"])["city"] == "Chicago"
    assert replaced["default_billing"] == str(keep["id"])
    assert replaced["default_shipping"] == str(max(ids))


def test_update_unknown_customer_and_email_clash(api):
    missing = api.put(url(api, "/V1/customers/-1"), json={"customer": {"firstname": "X"}})
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "customerId", "fieldValue": -1},
    }
    new_customer(api)
    other = new_customer(api, email="other@example.com").json()
    clash = api.put(
        url(api, f"/V1/customers/{other['id']}"), json={"customer": {"email": "ap@acme.example"}}
    )
    assert clash.status_code == 400
    assert "same email address" in clash.json()["message"]


def test_customer_search_requires_criteria_and_filters(api):
    missing = api.get(url(api, "/V1/customers/search"))
    assert missing.status_code == 400
    assert missing.json()["parameters"] == {"fieldName": "searchCriteria"}
    for index in range(5):
        new_customer(api, email=f"user{index}@example.com", lastname=f"L{index}")
    by_email = api.get(
        url(api, "/V1/customers/search"),
        params=criteria([("email", "USER3@example.com", "eq")]),
    ).json()
    assert by_email["total_count"] == 1
    assert by_email["items"][0]["email"] == "user3@example.com"
    assert by_email["search_criteria"]["filter_groups"][0]["filters"][0]["condition_type"] == "eq"
    # OR within a group, AND across groups.
    either = criteria(
        [("email", "user1@example.com", "eq"), ("email", "user2@example.com", "eq")],
        [("lastname", "L2", "eq")],
    )
    both = api.get(url(api, "/V1/customers/search"), params=either).json()
    assert [c["email"] for c in both["items"]] == ["user2@example.com"]


def test_search_conditions_sorting_and_paging(api):
    for index in range(7):
        new_customer(api, email=f"p{index}@example.com", lastname=f"Name{index}")
    search = url(api, "/V1/customers/search")

    def emails(*groups, **extra):
        body = api.get(search, params=criteria(*groups, **extra)).json()
        return [c["email"] for c in body["items"]], body["total_count"]

    assert emails([("email", "p1@%", "like")])[1] == 1
    assert emails([("email", "p1@%", "nlike")])[1] == 6
    assert emails([("email", "p1@example.com,p2@example.com", "in")])[1] == 2
    assert emails([("email", "p1@example.com,p2@example.com", "nin")])[1] == 5
    assert emails([("email", "p1@example.com", "neq")])[1] == 6
    assert emails([("id", 3, "gt")])[1] == 4
    assert emails([("id", 3, "gteq")])[1] == 5
    assert emails([("id", 3, "lt")])[1] == 2
    assert emails([("id", 3, "lteq")])[1] == 3
    assert emails([("id", 2, "from")], [("id", 4, "to")])[1] == 3
    assert emails([("taxvat", "", "null")])[1] == 7
    assert emails([("email", "", "notnull")])[1] == 7
    assert emails([("lastname", "x,Name4,y", "finset")])[1] == 0
    page, total = emails(
        [("email", "%@example.com", "like")],
        **{"sortOrders][0][field": "lastname", "sortOrders][0][direction": "DESC"},
        pageSize=3,
        currentPage=2,
    )
    assert total == 7
    assert page == ["p3@example.com", "p2@example.com", "p1@example.com"]
    past_end, total = emails([("email", "%", "like")], pageSize=5, currentPage=9)
    assert (past_end, total) == ([], 7)
    camel = api.get(
        search,
        params={
            "searchCriteria[filterGroups][0][filters][0][field]": "email",
            "searchCriteria[filterGroups][0][filters][0][value]": "p5@example.com",
            "searchCriteria[filterGroups][0][filters][0][conditionType]": "eq",
        },
    ).json()
    assert camel["total_count"] == 1


def test_input_limits_when_enabled(shop, api):
    for index in range(25):
        new_customer(api, email=f"limit{index}@example.com")
    search = url(api, "/V1/customers/search")
    unlimited = api.get(search, params={"searchCriteria": ""}).json()
    assert len(unlimited["items"]) == 25  # no default page size while limits are off
    shop.admin("POST", "/_emulator/config", {"input_limits": True})
    limited = api.get(search, params={"searchCriteria": ""}).json()
    assert len(limited["items"]) == 20
    assert limited["search_criteria"]["page_size"] == 20
    too_big = api.get(search, params={"searchCriteria[pageSize]": "301"})
    assert too_big.status_code == 400
    assert too_big.json() == {
        "message": "Maximum SearchCriteria pageSize is %max",
        "parameters": {"max": 300},
    }


def test_password_rules_on_create(api):
    customer = {"email": "pw@example.com", "firstname": "P", "lastname": "W"}
    short = api.post(url(api, "/V1/customers"), json={"customer": customer, "password": "Ab1!"})
    assert short.json()["message"] == (
        "The password needs at least %1 characters. Create a new password and try again."
    )
    assert short.json()["parameters"] == [8]
    simple = api.post(
        url(api, "/V1/customers"), json={"customer": customer, "password": "abcdefgh"}
    )
    assert simple.status_code == 400
    assert simple.json()["parameters"] == [3]
    good = api.post(url(api, "/V1/customers"), json={"customer": customer, "password": "Abcdefg1"})
    assert good.status_code == 200
