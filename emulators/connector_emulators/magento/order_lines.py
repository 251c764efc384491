"""Order lines on their own (`/V1/orders/items`) and an order's status, read from the orders.

Magento keeps order lines in their own table (`sales_order_item`); the emulator keeps them inside
their order, so a search over lines runs over a temporary table filled from the orders.
"""

from __future__ import annotations

from typing import Any

from . import search
from .common import Call
from .errors import ENTITY_NOT_FOUND, MagentoError
from .sales import entity_id, find_order

LINE_FIELDS = search.Fields(
    numeric=frozenset(
        {
            "item_id",
            "order_id",
            "product_id",
            "store_id",
            "qty_ordered",
            "qty_invoiced",
            "qty_shipped",
            "qty_refunded",
            "qty_canceled",
            "price",
            "base_price",
            "row_total",
        }
    )
)
LINES_TABLE = "order_lines"


LINES_SQL = (
    "SELECT json_extract(line.value, '$.item_id'), line.value "
    "FROM orders, json_each(orders.doc, '$.items') AS line"
)


def _fill_lines(call: Call) -> None:
    call.store.fill_view(LINES_TABLE, (LINES_SQL, ()))


def list_lines(call: Call) -> dict[str, Any]:
    """`GET /V1/orders/items`: order lines matching searchCriteria."""
    _fill_lines(call)
    return call.search(LINES_TABLE, LINE_FIELDS, dict)


def get_line(call: Call) -> dict[str, Any]:
    """`GET /V1/orders/items/{id}` (OrderItemRepository::get)."""
    wanted = entity_id(call.path["id"])
    _fill_lines(call)
    line = call.store.get(LINES_TABLE, wanted)
    if line is None:
        raise MagentoError(404, ENTITY_NOT_FOUND)
    return line


def order_status(call: Call) -> str:
    """`GET /V1/orders/{id}/statuses`: the order's status code."""
    return str(find_order(call.store, call.path["id"])["status"])
