"""The one table of what tap-magento reads: stream → admin REST list route, key, scope.

Every stream is the same class driven by a row of `OBJECTS`; adding an entity that Magento
lists with `searchCriteria` and stamps with `updated_at` is one more row (and its schema file
under `schemas/`, the fields of Adobe's published definition).
"""

from __future__ import annotations

from dataclasses import dataclass

REPLICATION_KEY = "updated_at"
# Magento's collections filter and sort EAV and flat entities alike by their `entity_id` column.
FILTER_KEY = "entity_id"


@dataclass(frozen=True)
class MagentoObject:
    """A stream: its `GET` list route, the record's id field and whether it has a store id.

    `by_store` streams are filtered by the `store_ids` setting (orders and their documents
    carry the store view they were placed in); the others are read in the scope of the
    `store_code` setting, which gives products and categories that store view's values.
    """

    stream: str
    path: str
    id_field: str
    by_store: bool = False


OBJECTS: tuple[MagentoObject, ...] = (
    MagentoObject("orders", "V1/orders", "entity_id", by_store=True),
    MagentoObject("invoices", "V1/invoices", "entity_id", by_store=True),
    MagentoObject("creditmemos", "V1/creditmemos", "entity_id", by_store=True),
    MagentoObject("shipments", "V1/shipments", "entity_id", by_store=True),
    MagentoObject("customers", "V1/customers/search", "id"),
    MagentoObject("products", "V1/products", "id"),
    MagentoObject("categories", "V1/categories/list", "id"),
)
