"""Attribute sets and their groups (`/V1/eav/attribute-sets`, `/V1/products/attribute-sets`).

A fresh install has one "Default" set per entity type (customer 1, address 2, category 3,
product 4). A set's attributes are kept in its row (`members`: attribute code → group id); a new
set copies the members of its skeleton. The default set of an entity cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from . import attributes, search
from .common import Call
from .errors import MagentoError, input_error, invalid_value, no_such_entity
from .records import Kind
from .store import Store

ENTITY_TYPE_CODES = {"customer": 1, "customer_address": 2, "catalog_category": 3}
ENTITY_TYPE_CODES["catalog_product"] = 4
DEFAULT_SETS = frozenset(ENTITY_TYPE_CODES.values())
PRODUCT_DETAILS_GROUP = 7
GENERAL_INFORMATION_GROUP = 3


def _render_set(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: row[k]
        for k in ("attribute_set_id", "attribute_set_name", "sort_order", "entity_type_id")
    }


def _no_set(kind: Kind, key: Any) -> MagentoError:
    return no_such_entity("id", int(key) if str(key).isdigit() else key)


SETS = Kind(
    table="attribute_sets",
    interface="eav-data-attribute-set-interface",
    body="attributeSet",
    key="attribute_set_id",
    path="attributeSetId",
    fields=search.Fields(numeric=frozenset({"attribute_set_id", "entity_type_id", "sort_order"})),
    required=("attribute_set_name",),
    defaults={"sort_order": 0},
    seed=tuple(
        {
            "attribute_set_id": n,
            "attribute_set_name": "Default",
            "sort_order": 2 if n > 2 else 1,
            "entity_type_id": n,
        }
        for n in (1, 2, 3, 4)
    ),
    render=_render_set,
    readonly=DEFAULT_SETS,
    readonly_message="The default attribute set can't be deleted.",
    not_found=_no_set,
)


def _render_group(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "attribute_group_id": str(row["id"]),
        "attribute_group_name": row["attribute_group_name"],
        "attribute_set_id": row["attribute_set_id"],
        "extension_attributes": {
            "attribute_group_code": row.get("attribute_group_code") or "",
            "sort_order": str(row.get("sort_order", 0)),
        },
    }


GROUPS = Kind(
    table="attribute_groups",
    interface="eav-data-attribute-group-interface",
    body="group",
    key="attribute_group_id",
    path="groupId",
    fields=search.Fields(numeric=frozenset({"attribute_set_id", "attribute_group_id"})),
    seed=(
        {
            "attribute_group_id": GENERAL_INFORMATION_GROUP,
            "attribute_group_name": "General Information",
            "attribute_group_code": "general-information",
            "attribute_set_id": 3,
            "sort_order": 1,
        },
        {
            "attribute_group_id": PRODUCT_DETAILS_GROUP,
            "attribute_group_name": "Product Details",
            "attribute_group_code": "product-details",
            "attribute_set_id": 4,
            "sort_order": 10,
        },
        {
            "attribute_group_id": 8,
            "attribute_group_name": "Content",
            "attribute_group_code": "content",
            "attribute_set_id": 4,
            "sort_order": 20,
        },
        {
            "attribute_group_id": 9,
            "attribute_group_name": "Images",
            "attribute_group_code": "image-management",
            "attribute_set_id": 4,
            "sort_order": 30,
        },
    ),
    render=_render_group,
)


def seed_members(store: Store) -> None:
    """The default sets hold every attribute of their entity (in the first group)."""
    for set_id, group_id in ((3, GENERAL_INFORMATION_GROUP), (4, PRODUCT_DETAILS_GROUP)):
        row = SETS.load(store, set_id)
        docs = store.find("attributes", entity_type_id=str(set_id))
        row["members"] = {d["attribute_code"]: group_id for d in docs}
        store.update(SETS.table, row)


def _scope(call: Call) -> str | None:
    return None if "/eav/" in call.template else "catalog_product"


def create_set(call: Call) -> dict[str, Any]:
    """`POST /V1/eav/attribute-sets` and `POST /V1/products/attribute-sets` (from a skeleton)."""
    body = call.body if isinstance(call.body, dict) else {}
    entity_code = _scope(call) or body.get("entityTypeCode") or body.get("entity_type_code")
    if entity_code not in ENTITY_TYPE_CODES:
        raise invalid_value("entityTypeCode", entity_code)
    skeleton = SETS.load(call.store, body.get("skeletonId") or body.get("skeleton_id") or 0)
    data = SETS.body_of(call) | {"entity_type_id": ENTITY_TYPE_CODES[entity_code]}
    if skeleton["entity_type_id"] != data["entity_type_id"]:
        raise invalid_value("skeletonId", skeleton["attribute_set_id"])
    _check_name(call.store, data)
    row = SETS.save(
        call.store, data | {"members": dict(skeleton.get("members") or {})}, existing=None
    )
    return _render_set(call.store, row)


def _check_name(store: Store, data: dict[str, Any]) -> None:
    for other in store.find(SETS.table, attribute_set_name=data.get("attribute_set_name") or ""):
        same_entity = other["entity_type_id"] == data.get("entity_type_id")
        if same_entity and other["attribute_set_id"] != data.get("attribute_set_id"):
            raise input_error(
                'An attribute set named "%1" already exists.', [other["attribute_set_name"]]
            )


def update_set(call: Call) -> dict[str, Any]:
    """`PUT .../attribute-sets/{attributeSetId}`: a new name or sort order."""
    existing = SETS.load(call.store, call.path["attributeSetId"])
    data = SETS.body_of(call)
    data |= {
        "attribute_set_id": existing["attribute_set_id"],
        "entity_type_id": existing["entity_type_id"],
    }
    _check_name(call.store, data)
    return _render_set(call.store, SETS.save(call.store, data, existing=existing))


def list_sets(call: Call) -> dict[str, Any]:
    """`GET .../sets/list` (products only) and `GET /V1/eav/attribute-sets/list`."""
    scope = {"entity_type_id": 4} if _scope(call) else None
    return call.search(SETS.table, SETS.fields, lambda r: _render_set(call.store, r), scope=scope)


def set_attributes(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/attribute-sets/{attributeSetId}/attributes`."""
    row = SETS.load(call.store, call.path["attributeSetId"])
    members = row.get("members") or {}
    docs = call.store.find("attributes", entity_type_id=str(row["entity_type_id"]))
    return [attributes.render(d) for d in docs if d["attribute_code"] in members]


def assign_attribute(call: Call) -> int:
    """`POST /V1/products/attribute-sets/attributes`: the attribute's entity-attribute id."""
    body = call.body if isinstance(call.body, dict) else {}
    row = SETS.load(call.store, body.get("attributeSetId") or body.get("attribute_set_id"))
    group = GROUPS.load(call.store, body.get("attributeGroupId") or body.get("attribute_group_id"))
    if group["attribute_set_id"] != row["attribute_set_id"]:
        raise input_error("The attribute group doesn't belong to the attribute set.")
    code = str(body.get("attributeCode") or body.get("attribute_code") or "")
    doc = attributes.find(call.store, attributes.PRODUCT_ENTITY_TYPE, code)
    row.setdefault("members", {})[code] = group["id"]
    call.store.update(SETS.table, row)
    return int(doc["attribute_id"])


def unassign_attribute(call: Call) -> bool:
    """`DELETE /V1/products/attribute-sets/{attributeSetId}/attributes/{attributeCode}`."""
    row = SETS.load(call.store, call.path["attributeSetId"])
    code = call.path["attributeCode"]
    doc = attributes.find(call.store, attributes.PRODUCT_ENTITY_TYPE, code)
    if not doc.get("is_user_defined"):
        raise input_error("The system attribute can't be deleted.")
    if code not in (row.get("members") or {}):
        raise input_error(
            'The "%1" attribute wasn\'t found in the "%2" attribute set.',
            [code, row["attribute_set_id"]],
        )
    del row["members"][code]
    call.store.update(SETS.table, row)
    return True


def save_group(call: Call) -> dict[str, Any]:
    """`POST /V1/products/attribute-sets/groups` and `PUT .../{attributeSetId}/groups`."""
    data = GROUPS.body_of(call)
    set_id = call.path.get("attributeSetId") or data.get("attribute_set_id")
    row = SETS.load(call.store, set_id)
    if row["entity_type_id"] != 4:
        raise input_error("The attribute group can't be saved.")
    data["attribute_set_id"] = row["attribute_set_id"]
    extension = data.pop("extension_attributes", None) or {}
    existing = (
        GROUPS.load(call.store, data["attribute_group_id"])
        if data.get("attribute_group_id")
        else None
    )
    if extension.get("attribute_group_code"):
        data["attribute_group_code"] = extension["attribute_group_code"]
    if not data.get("attribute_group_name") and existing is None:
        raise input_error("The attribute group can't be saved.")
    data.pop("attribute_group_id", None)
    saved = GROUPS.save(call.store, data, existing=existing)
    return _render_group(call.store, saved)


def list_groups(call: Call) -> dict[str, Any]:
    """`GET /V1/products/attribute-sets/groups/list` (an `attribute_set_id` filter is needed)."""
    return GROUPS.search(call)


def delete_group(call: Call) -> bool:
    """`DELETE /V1/products/attribute-sets/groups/{groupId}`: not while it holds attributes."""
    group = GROUPS.load(call.store, call.path["groupId"])
    row = SETS.load(call.store, group["attribute_set_id"])
    if group["id"] in (row.get("members") or {}).values():
        raise input_error(
            "The attribute group can't be deleted because it contains system attributes."
        )
    call.store.delete(GROUPS.table, group["id"])
    return True
