"""Intacct items → Magento products (SKU = ITEMID), upserted in the admin (`all`) scope.

Existing products are read with one `sku in (...)` search per hundred items so that unchanged
products cost no write; the rest go through `PUT /V1/products/{sku}` on the worker pool, or, for
large batches, through the asynchronous bulk endpoint whose failed operations become rejects.
Deleted items (`_sdc_deleted_at`) are logged and left alone; inactive ones are disabled.
An item whose product line has no category yet waits in the pending catalog file; at the end of
the input it is written without a category and stays there until a later run can link it.
"""

from __future__ import annotations

import logging
import typing as t

from magento_api import sku_path

from target_magento import bulk, categories
from target_magento.records import (
    Rejection,
    chunks,
    custom_attribute,
    decimal,
    is_active,
    is_deleted,
    required,
    same_number,
    text,
    url_key,
    within_places,
)
from target_magento.run import Run

LOGGER = logging.getLogger("target-magento")
KEY = ("ITEMID", "RECORDNO")  # a record's key in logs and rejects
ROLE = "items"  # the loader's role, naming this module's bulks in the pending bulk file
ROLE_WAITING = "items"

MAX_SKU_LENGTH = 64
# price and weight are decimal attributes (backend type `decimal`): Magento stores them in
# catalog_product_entity_decimal, whose value column is decimal(20,6).
EAV_DECIMAL_PLACES = 6
VIRTUAL_ITEM_TYPES = frozenset(
    {"non-inventory", "non-inventory (sales only)", "non-inventory (purchase only)"}
)
MAGENTO_FIELDS = {
    "sku": "ITEMID",
    "name": "NAME",
    "price": "BASEPRICE",
    "weight": "SHIP_WEIGHT",
    "url_key": "NAME",  # slug(NAME)-slug(ITEMID)
}


def load(run: Run, stream: str, records: list[dict], *, final: bool) -> None:
    """Write the items; those whose product line has no category yet wait.

    With `final` (end of input) they are written without one and wait for a later run to link it.
    An item whose write still waits in an open bulk waits for it, so that it lands after it.
    """
    queued = bulk.Queued(run, stream)
    accepted: list[tuple[str, dict, dict]] = []
    for key, record in run.latest(stream, records, *KEY):
        run.waiting.pop(ROLE_WAITING, key)  # this version replaces any waiting one
        if queued.hold(key, record):
            continue
        if is_deleted(record):
            run.skip(stream, key, "deleted in Intacct; the Magento product is kept")
            continue
        line_id = text(record, "PRODUCTLINEID")
        category_id = categories.category_id(run, line_id) if line_id else None
        if line_id and category_id is None:
            reason = f"product line {line_id} has no Magento category yet"
            run.wait(ROLE_WAITING, stream, key, record, reason)
            if not final:
                continue
            LOGGER.warning("Item %s: %s; written without one, linked by a later run", key, reason)
        try:
            accepted.append((key, record, build_product(run, record, category_id)))
        except Rejection as rejection:
            run.waiting.pop(ROLE_WAITING, key)
            run.reject(stream, key, record, rejection)
    run.waiting.save()
    existing = _existing(run, [product["sku"] for _, _, product in accepted])
    to_write: list[tuple[str, dict, dict, str]] = []
    for key, record, product in accepted:
        current = existing.get(product["sku"].lower())
        if current is not None and _unchanged(current, product):
            run.count(stream, "unchanged", key)
        else:
            to_write.append((key, record, product, "created" if current is None else "updated"))
    if run.settings.use_bulk_api and len(to_write) >= run.settings.bulk_threshold:
        _write_bulk(run, stream, to_write)
    else:
        run.client.map(
            lambda item: run.guarded(
                stream,
                item[0],
                item[1],
                lambda: _put(run, item[2], item[3]),
                MAGENTO_FIELDS,
            ),
            to_write,
        )


def build_product(run: Run, record: t.Mapping[str, t.Any], category_id: int | None) -> dict:
    """The Magento product body for one item."""
    sku = required(record, "ITEMID", "An item id (the SKU)")
    if len(sku) > MAX_SKU_LENGTH:
        msg = f"SKU {sku!r} is longer than Magento's {MAX_SKU_LENGTH} characters"
        raise Rejection(msg, "ITEMID")
    name = required(record, "NAME", "A name")
    price = decimal(record, "BASEPRICE")
    if price is None:
        msg = "A price is required (BASEPRICE is empty)"
        raise Rejection(msg, "BASEPRICE")
    within_places(price, EAV_DECIMAL_PLACES, "BASEPRICE", "a price")
    virtual = (text(record, "ITEMTYPE") or "").lower() in VIRTUAL_ITEM_TYPES
    product: dict[str, t.Any] = {
        "sku": sku,
        "name": name,
        "attribute_set_id": 4,
        "type_id": "virtual" if virtual else "simple",
        "price": price,
        "status": 1 if is_active(record) else 2,
        "visibility": 4,
        "extension_attributes": {"website_ids": [run.settings.website_id]},
        "custom_attributes": [{"attribute_code": "url_key", "value": url_key(name, sku)}],
    }
    weight = decimal(record, "SHIP_WEIGHT")
    if weight is not None and not virtual:
        product["weight"] = within_places(weight, EAV_DECIMAL_PLACES, "SHIP_WEIGHT", "a weight")
    if description := text(record, "EXTENDED_DESCRIPTION"):
        product["custom_attributes"].append({"attribute_code": "description", "value": description})
    if category_id is not None:
        product["extension_attributes"]["category_links"] = [
            {"category_id": str(category_id), "position": 0}
        ]
    return product


def _existing(run: Run, skus: list[str]) -> dict[str, dict]:
    """Products already in Magento, by lower-cased SKU (Magento compares SKUs without case)."""
    found: dict[str, dict] = {}
    listable = sorted({sku for sku in skus if "," not in sku})
    for batch in chunks(listable):
        for item in run.client.search(
            "V1/products",
            [[("sku", ",".join(batch), "in")]],
            store=run.settings.catalog_store_code,
        ):
            found[str(item["sku"]).lower()] = item
    for sku in sorted({sku for sku in skus if "," in sku}):
        matches = run.client.search(
            "V1/products", [[("sku", sku, "eq")]], store=run.settings.catalog_store_code
        )
        if matches:
            found[sku.lower()] = matches[0]
    return found


def _unchanged(current: t.Mapping[str, t.Any], product: t.Mapping[str, t.Any]) -> bool:
    extension = current.get("extension_attributes") or {}
    wanted_extension = product["extension_attributes"]
    return (
        current.get("name") == product["name"]
        and same_number(current.get("price"), product["price"])
        and int(current.get("status") or 0) == product["status"]
        and int(current.get("visibility") or 0) == product["visibility"]
        and current.get("type_id") == product["type_id"]
        and (("weight" not in product) or same_number(current.get("weight"), product["weight"]))
        and all(
            custom_attribute(current, attribute["attribute_code"]) == attribute["value"]
            for attribute in product["custom_attributes"]
        )
        and (
            "category_links" not in wanted_extension
            or sorted(
                str(link.get("category_id")) for link in extension.get("category_links") or []
            )
            == [link["category_id"] for link in wanted_extension["category_links"]]
        )
        and set(wanted_extension["website_ids"]) <= set(extension.get("website_ids") or [])
    )


def _put(run: Run, product: dict, outcome: str) -> str:
    run.client.request(
        "PUT",
        sku_path(product["sku"]),
        store=run.settings.catalog_store_code,
        body={"product": product, "saveOptions": True},
    )
    return outcome


def _write_bulk(run: Run, stream: str, items: list[tuple[str, dict, dict, str]]) -> None:
    """Products through `PUT /async/bulk/V1/products/bySku`."""
    operations = [
        bulk.Operation(key, record, {"product": product, "saveOptions": True}, outcome)
        for key, record, product, outcome in items
    ]
    bulk.submit(
        run,
        stream,
        ROLE,
        ("PUT", "V1/products/bySku"),
        operations,
        store=run.settings.catalog_store_code,
        finish=finish_bulk,
    )


def finish_bulk(run: Run, stream: str, ended: list[tuple[bulk.Operation, bulk.Outcome]]) -> None:
    """Bulk writes Magento ran are counted; failed ones are rejected with Magento's message."""
    for operation, outcome in ended:
        if outcome.ok:
            run.count(stream, operation.outcome, operation.key)
        else:
            bulk.reject(run, stream, operation, outcome, MAGENTO_FIELDS)
