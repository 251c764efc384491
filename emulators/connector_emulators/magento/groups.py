"""Customer groups and tax classes, with the rows of a fresh install.

Groups 0-3 (NOT LOGGED IN, General, Wholesale, Retailer) use tax class 3, Retail Customer;
product tax class 2 is Taxable Goods. Group 0 and the default group (General, config
`customer/create_account/default_group`) are read-only: they cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from . import search
from .common import Call
from .errors import MagentoError, invalid_value
from .records import Kind
from .store import Store

DEFAULT_GROUP_ID = 1
NOT_LOGGED_IN_ID = 0
TAX_CLASS_TYPES = ("PRODUCT", "CUSTOMER")
STORE_NOT_FOUND = "The store that was requested wasn't found. Verify the store and try again."

TAX_CLASSES = Kind(
    table="tax_classes",
    interface="tax-data-tax-class-interface",
    body="taxClass",
    key="class_id",
    path="taxClassId",
    fields=search.Fields(numeric=frozenset({"class_id"})),
    required=("class_name", "class_type"),
    unique=(
        "class_name",
        "A class with the same name already exists. Enter a different class name and try again.",
    ),
    seed=(
        {"class_id": 2, "class_name": "Taxable Goods", "class_type": "PRODUCT"},
        {"class_id": 3, "class_name": "Retail Customer", "class_type": "CUSTOMER"},
    ),
)


def _render_group(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    tax_class = store.get(TAX_CLASSES.table, row.get("tax_class_id"))
    return {
        "id": row["id"],
        "code": row["code"],
        "tax_class_id": row["tax_class_id"],
        "tax_class_name": tax_class["class_name"] if tax_class else None,
    }


GROUPS = Kind(
    table="customer_groups",
    interface="customer-data-group-interface",
    body="group",
    key="id",
    path="id",
    fields=search.Fields(numeric=frozenset({"id", "tax_class_id"})),
    required=("code",),
    unique=("code", "Customer Group already exists."),
    defaults={"tax_class_id": 3},
    seed=tuple(
        {"id": n, "code": code, "tax_class_id": 3}
        for n, code in enumerate(("NOT LOGGED IN", "General", "Wholesale", "Retailer"))
    ),
    render=_render_group,
    readonly=frozenset({NOT_LOGGED_IN_ID, DEFAULT_GROUP_ID}),
    readonly_message="Cannot delete group.",
)


def save_tax_class(call: Call) -> str:
    """`POST /V1/taxClasses` and `PUT /V1/taxClasses/{classId}`: the class id, as text."""
    data = TAX_CLASSES.body_of(call)
    kind = data.get("class_type")
    if kind is not None and kind not in TAX_CLASS_TYPES:
        raise invalid_value("class_type", kind)
    if "classId" in call.path:
        existing = TAX_CLASSES.load(call.store, call.path["classId"])
        if kind is not None and kind != existing["class_type"]:
            raise invalid_value("class_type", kind)  # a class's type cannot change
        data["class_id"] = existing["class_id"]
        return str(TAX_CLASSES.save(call.store, data, existing=existing)["class_id"])
    return str(TAX_CLASSES.save(call.store, data, existing=None)["class_id"])


def save_group(call: Call) -> dict[str, Any]:
    """`POST /V1/customerGroups`, `PUT /V1/customerGroups/{id}`: the tax class must exist."""
    data = GROUPS.body_of(call)
    if data.get("tax_class_id") is not None:
        tax_class = call.store.get(TAX_CLASSES.table, data["tax_class_id"])
        if tax_class is None or tax_class["class_type"] != "CUSTOMER":
            raise invalid_value("taxClassId", data["tax_class_id"])
    existing = GROUPS.load(call.store, call.path["id"]) if "id" in call.path else None
    if existing is None and data.get("id") not in (None, 0):
        existing = GROUPS.load(call.store, data["id"])
    if existing is not None:
        data["id"] = existing["id"]
    return _render_group(call.store, GROUPS.save(call.store, data, existing=existing))


def default_group(call: Call) -> dict[str, Any]:
    """`GET /V1/customerGroups/default[/{storeId}]`: the store's group for new accounts."""
    store_id = call.path.get("storeId", call.query.get("storeId"))
    if store_id not in (None, "", "0", "1"):
        raise MagentoError(404, STORE_NOT_FOUND)
    return _render_group(call.store, GROUPS.load(call.store, DEFAULT_GROUP_ID))


def group_is_readonly(call: Call) -> bool:
    """`GET /V1/customerGroups/{id}/permissions`: whether the group cannot be deleted."""
    row = GROUPS.load(call.store, call.path["id"])
    return row["id"] in GROUPS.readonly
