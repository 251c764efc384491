"""The customer routes around the account itself: addresses, default addresses, checks.

`isEmailAvailable` and `validate` run the same rules `POST /V1/customers` runs, answering instead
of refusing; `confirm` answers `account_confirmation_not_required` (e-mail confirmation is off
in a fresh install); no customer is read-only to the admin.
"""

from __future__ import annotations

from typing import Any

from . import customers
from .common import DEFAULT_WEBSITE_ID, Call, get_entity
from .errors import MagentoError, required


def _customer(call: Call) -> dict[str, Any]:
    raw = call.path["customerId"]
    return get_entity(call.store, "customers", int(raw) if raw.isdigit() else 0, "customerId")


def address(call: Call) -> dict[str, Any]:
    """`GET /V1/customers/addresses/{addressId}`."""
    raw = call.path["addressId"]
    found = get_entity(
        call.store, "customer_addresses", int(raw) if raw.isdigit() else 0, "addressId"
    )
    owner = call.store.get("customers", found["customer_id"]) or {}
    return customers.render_address(found, owner)


def default_address(kind: str) -> Any:
    """`GET /V1/customers/{customerId}/billingAddress` (or `shippingAddress`); null when none."""

    def answer(call: Call) -> dict[str, Any] | None:
        customer = _customer(call)
        found = call.store.get("customer_addresses", customer.get(f"default_{kind}"))
        return customers.render_address(found, customer) if found else None

    return answer


def is_email_available(call: Call) -> bool:
    """`POST /V1/customers/isEmailAvailable {customerEmail, websiteId}`."""
    body = call.body if isinstance(call.body, dict) else {}
    email = body.get("customerEmail", body.get("customer_email"))
    if email is None:
        raise required("customerEmail")
    website = body.get("websiteId", body.get("website_id")) or DEFAULT_WEBSITE_ID
    return not call.store.find("customers", email=str(email).strip(), website_id=int(website))


def validate(call: Call) -> dict[str, Any]:
    """`PUT /V1/customers/validate {customer}`: whether the customer would save, and why not."""
    data = call.body_param("customer", "customer")
    try:
        customers.validate_customer(data)
    except MagentoError as error:
        messages = [e.text for e in error.errors] or [error.text]
        return {"valid": False, "messages": messages}
    return {"valid": True, "messages": []}


def confirmation_status(call: Call) -> str:
    """`GET /V1/customers/{customerId}/confirm`."""
    customer = _customer(call)
    return (
        "account_confirmation_required"
        if customer.get("confirmation")
        else ("account_confirmation_not_required")
    )


def is_readonly(call: Call) -> bool:
    """`GET /V1/customers/{customerId}/permissions/readonly`."""
    _customer(call)
    return False
