"""Customers and their addresses (`/V1/customers...`).

Create follows `AccountManagement::createAccount` (customer checks, then the unique email per
website, then each address; a failing address leaves no customer behind). Update follows the REST
`UpdateCustomer` plugin: the body is merged over the stored customer; when `addresses` is sent,
addresses with an id are updated, without one created, and stored ones left out are deleted.
"""

from __future__ import annotations

import re
from typing import Any

from . import directory, search
from .common import DEFAULT_STORE_ID, DEFAULT_WEBSITE_ID, Call, get_entity, now
from .errors import (
    DUPLICATE_EMAIL,
    MagentoError,
    aggregate,
    input_error,
    invalid_value,
    no_such_entity,
    required,
)
from .store import Store

SEARCH_FIELDS = search.Fields(
    numeric=frozenset({"id", "group_id", "store_id", "website_id", "gender"}),
    aliases={"entity_id": "id"},
)
CUSTOMER_KEYS = (
    "id", "group_id", "default_billing", "default_shipping", "confirmation", "created_at",
    "updated_at", "created_in", "dob", "email", "firstname", "lastname", "middlename", "prefix",
    "suffix", "gender", "store_id", "taxvat", "website_id",
)  # fmt: skip
ADDRESS_KEYS = (
    "id", "customer_id", "region", "region_id", "country_id", "street", "company", "telephone",
    "fax", "postcode", "city", "firstname", "lastname", "middlename", "prefix", "suffix", "vat_id",
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[A-Za-z]{2,}$")
# Magento\Customer\Model\Validator\Name: letters, marks, digits, spaces and , - _ . ' ` and
# the right single quotation mark.
_NAME = re.compile(r"^[\w\s,\-.'\u2019`]{1,255}$")
_NAME_LABELS = {"firstname": "First Name", "lastname": "Last Name", "middlename": "Middle Name"}
PASSWORD_MIN_LENGTH = 8
PASSWORD_MIN_CLASSES = 3


def create(call: Call) -> dict[str, Any]:
    """`POST /V1/customers {customer, password?}`."""
    data = call.body_param("customer", "customer")
    password = call.body.get("password") if isinstance(call.body, dict) else None
    if password is not None:
        _check_password(str(password))
    data.pop("id", None)
    addresses = data.pop("addresses", None) or []
    customer = {k: v for k, v in data.items() if v is not None}
    customer.setdefault("website_id", DEFAULT_WEBSITE_ID)
    customer.setdefault("group_id", 1)
    customer.setdefault("store_id", DEFAULT_STORE_ID)
    customer["created_in"] = "Default Store View"
    customer["created_at"] = customer["updated_at"] = now()
    customer.setdefault("disable_auto_group_change", 0)
    extension = customer.pop("extension_attributes", None) or {}
    customer["is_subscribed"] = bool(extension.get("is_subscribed", False))
    validate_customer(customer)
    _check_unique_email(call.store, customer)
    call.store.insert("customers", customer)
    _save_addresses(call.store, customer, addresses, replace=False)
    call.store.update("customers", customer)
    return render(call.store, customer)


def update(call: Call) -> dict[str, Any]:
    """`PUT /V1/customers/{id} {customer}`: merged over the stored customer."""
    customer_id = _path_id(call.path["customerId"])
    stored = get_entity(call.store, "customers", customer_id, "customerId")
    data = call.body_param("customer", "customer")
    data.pop("id", None)
    addresses = data.pop("addresses", None)
    extension = data.pop("extension_attributes", None) or {}
    for key, value in data.items():
        if value is not None:
            stored[key] = value
    if "is_subscribed" in extension:
        stored["is_subscribed"] = bool(extension["is_subscribed"])
    stored["updated_at"] = now()
    validate_customer(stored)
    _check_unique_email(call.store, stored)
    if addresses is not None:
        _save_addresses(call.store, stored, addresses, replace=True)
    _check_default_addresses(call.store, stored)
    call.store.update("customers", stored)
    return render(call.store, stored)


def get(call: Call) -> dict[str, Any]:
    """`GET /V1/customers/{id}`."""
    customer_id = _path_id(call.path["customerId"])
    customer = get_entity(call.store, "customers", customer_id, "customerId")
    return render(call.store, customer)


def delete(call: Call) -> bool:
    """`DELETE /V1/customers/{id}`."""
    customer_id = _path_id(call.path["customerId"])
    get_entity(call.store, "customers", customer_id, "customerId")
    for address in call.store.find("customer_addresses", customer_id=customer_id):
        call.store.delete("customer_addresses", address["id"])
    call.store.delete("customers", customer_id)
    return True


def search_customers(call: Call) -> dict[str, Any]:
    """`GET /V1/customers/search?searchCriteria...` (searchCriteria is required)."""
    return call.search("customers", SEARCH_FIELDS, lambda row: render(call.store, row))


def render(store: Store, customer: dict[str, Any]) -> dict[str, Any]:
    """The customer as `customer-data-customer-interface`."""
    out = {k: customer[k] for k in CUSTOMER_KEYS if customer.get(k) is not None}
    out["addresses"] = [
        render_address(address, customer)
        for address in store.find("customer_addresses", customer_id=customer["id"])
    ]
    out["disable_auto_group_change"] = customer.get("disable_auto_group_change", 0)
    out["extension_attributes"] = {"is_subscribed": bool(customer.get("is_subscribed"))}
    if customer.get("custom_attributes"):
        out["custom_attributes"] = customer["custom_attributes"]
    return out


def render_address(address: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any]:
    """An address as `customer-data-address-interface`, with its default flags."""
    out = {k: address[k] for k in ADDRESS_KEYS if address.get(k) not in (None, "")}
    out["region"] = address.get("region") or {"region_code": None, "region": None, "region_id": 0}
    out.setdefault("region_id", 0)
    if str(customer.get("default_shipping")) == str(address["id"]):
        out["default_shipping"] = True
    if str(customer.get("default_billing")) == str(address["id"]):
        out["default_billing"] = True
    if address.get("custom_attributes"):
        out["custom_attributes"] = address["custom_attributes"]
    return out


def _path_id(raw: str) -> int:
    """Magento casts the path id to int (`abc` becomes 0, which matches nothing)."""
    try:
        return int(raw)
    except ValueError:
        return 0


def validate_customer(customer: dict[str, Any]) -> None:
    """The rules a customer is saved under: names, then the e-mail address."""
    errors = [
        required(name)
        for name in ("firstname", "lastname")
        if not str(customer.get(name) or "").strip()
    ]
    if errors:
        raise aggregate(errors)
    for name, label in _NAME_LABELS.items():
        value = customer.get(name)
        if value and not _NAME.match(str(value)):
            raise input_error(f"{label} is not valid!")
    email = str(customer.get("email") or "").strip()
    if not email:
        raise input_error("The customer email is missing. Enter and try again.")
    if not _EMAIL.match(email):
        raise input_error('"Email" is not a valid email address.')


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise input_error(
            "The password needs at least %1 characters. Create a new password and try again.",
            [PASSWORD_MIN_LENGTH],
        )
    classes = sum(
        bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^\w]|_")
    )
    if classes < PASSWORD_MIN_CLASSES:
        raise input_error(
            "Minimum of different classes of characters in password is %1. Classes of characters:"
            " Lower Case, Upper Case, Digits, Special Characters.",
            [PASSWORD_MIN_CLASSES],
        )


def _check_unique_email(store: Store, customer: dict[str, Any]) -> None:
    for other in store.find(
        "customers", email=customer["email"].strip(), website_id=customer["website_id"]
    ):
        if other["id"] != customer.get("id"):
            raise input_error(DUPLICATE_EMAIL)


def _save_addresses(
    store: Store, customer: dict[str, Any], addresses: list[dict[str, Any]], *, replace: bool
) -> None:
    existing = {a["id"]: a for a in store.find("customer_addresses", customer_id=customer["id"])}
    kept: set[int] = set()
    for data in addresses:
        is_billing = data.pop("default_billing", None)
        is_shipping = data.pop("default_shipping", None)
        data.pop("customer_id", None)
        address_id = data.get("id")
        if address_id and address_id in existing:
            address = existing[address_id] | {k: v for k, v in data.items() if v is not None}
        elif address_id:
            raise no_such_entity("addressId", address_id)
        else:
            address = {k: v for k, v in data.items() if v is not None}
            address["id"] = None
        address["customer_id"] = customer["id"]
        _validate_address(address)
        if address["id"] is None:
            store.insert("customer_addresses", address)
        else:
            store.update("customer_addresses", address)
        kept.add(address["id"])
        if is_billing:
            customer["default_billing"] = str(address["id"])
        if is_shipping:
            customer["default_shipping"] = str(address["id"])
    if replace:
        for address_id in set(existing) - kept:
            store.delete("customer_addresses", address_id)


def _check_default_addresses(store: Store, customer: dict[str, Any]) -> None:
    """Defaults must point at the customer's own addresses; deleted ones are cleared."""
    own = {str(a["id"]) for a in store.find("customer_addresses", customer_id=customer["id"])}
    for key in ("default_billing", "default_shipping"):
        if customer.get(key) is not None and str(customer[key]) not in own:
            customer.pop(key)


def _validate_address(address: dict[str, Any]) -> None:
    """Magento's address validators: General (required fields) then Country (country, region)."""
    errors: list[MagentoError] = []
    street = [line for line in address.get("street") or [] if str(line).strip()]
    for name, value in (
        ("firstname", address.get("firstname")),
        ("lastname", address.get("lastname")),
        ("street", street),
        ("city", address.get("city")),
        ("telephone", address.get("telephone")),
    ):
        if not value or (isinstance(value, str) and not value.strip()):
            errors.append(required(name))
    # Country ids compare exactly (`in_array(..., true)` in Validator\Country): "us" is refused.
    country_id = str(address.get("country_id") or "")
    if not str(address.get("postcode") or "").strip() and country_id not in directory.OPTIONAL_ZIP:
        errors.append(required("postcode"))
    if not country_id:
        errors.append(required("countryId"))
    elif country_id not in directory.COUNTRY_IDS:
        errors.append(invalid_value("countryId", _escape_html(country_id)))
    else:
        region_error = _resolve_region(address, country_id)
        if region_error:
            errors.append(region_error)
    if errors:
        raise aggregate(errors)


def _resolve_region(address: dict[str, Any], country_id: str) -> MagentoError | None:
    """Fill region/region_id from whichever the caller sent; check it against the country."""
    region = address.get("region") or {}
    region_id = address.get("region_id") or region.get("region_id")
    known = directory.REGIONS.get(country_id)
    if not region_id and known:
        region_id = _region_id_from_text(region, country_id)
    if known:
        if not region_id:
            if country_id in directory.STATE_REQUIRED:
                return required("regionId")
            address["region"] = {"region_code": None, "region": None, "region_id": 0}
            address["region_id"] = 0
            return None
        entry = directory.REGIONS_BY_ID.get(int(region_id))
        if entry is None or entry[0] != country_id:
            return invalid_value("regionId", _escape_html(str(region_id)))
        data = entry[1]
        address["region_id"] = data["id"]
        address["region"] = {
            "region_code": data["code"],
            "region": data["name"],
            "region_id": data["id"],
        }
        return None
    text = region.get("region") or region.get("region_code")
    address["region_id"] = 0
    address["region"] = {
        "region_code": region.get("region_code") or text,
        "region": text,
        "region_id": 0,
    }
    return None


def _region_id_from_text(region: dict[str, Any], country_id: str) -> int | None:
    """`AbstractAddress::getRegionId` without an id: look the region up by code only.

    A numeric `region` is the id; a `region` text takes the place of `region_code`
    (`getRegionCode`), so a region name alone does not resolve.
    """
    text = region.get("region")
    if isinstance(text, str) and text.strip().isdigit():
        return int(text)
    code = text if isinstance(text, str) and text else region.get("region_code")
    found = directory.find_region_by_code(country_id, str(code)) if code else None
    return int(found["id"]) if found else None


def _escape_html(text: str) -> str:
    """Magento's `Escaper::escapeHtml` (htmlspecialchars, ENT_QUOTES) on echoed input values."""
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(raw, entity)
    return text.replace("'", "&#039;")
