"""The REST routes: one row per `webapi.xml` route, with its ACL resource.

A resource of None means the route is anonymous. Templates use Magento's `:param` syntax; a route
with more literal segments wins over one with parameters (`/V1/customers/search` before
`/V1/customers/:customerId`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import bulk, catalog, customers, sales, sales_documents
from .common import Call
from .directory import countries, country


@dataclass(frozen=True)
class Route:
    """A REST route: method, `:param` template, handler and ACL resource."""

    method: str
    template: str
    handler: Callable[[Call], Any]
    resource: str | None

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        parts = path.strip("/").split("/")
        pattern = self.template.strip("/").split("/")
        if len(parts) != len(pattern):
            return None
        params: dict[str, str] = {}
        for actual, expected in zip(parts, pattern, strict=True):
            if expected.startswith(":"):
                if not actual:
                    return None
                params[expected[1:]] = unquote(actual)
            elif actual != expected:
                return None
        return params

    @property
    def literal_segments(self) -> int:
        return sum(not s.startswith(":") for s in self.template.split("/"))


CUSTOMER_READ = "Magento_Customer::customer"
CUSTOMER_MANAGE = "Magento_Customer::manage"
CATEGORIES = "Magento_Catalog::categories"
PRODUCTS = "Magento_Catalog::products"
ORDERS_VIEW = "Magento_Sales::actions_view"
INVOICE = "Magento_Sales::invoice"
INVOICES_VIEW = "Magento_Sales::sales_invoice"
SHIP = "Magento_Sales::ship"
SHIPMENTS_VIEW = "Magento_Sales::shipment"
REFUND = "Magento_Sales::creditmemo"
CREDITMEMOS_VIEW = "Magento_Sales::sales_creditmemo"
BULK = "Magento_Logging::system_magento_logging_bulk_operations"


def _countries(call: Call) -> Any:
    return countries()


def _country(call: Call) -> Any:
    return country(call.path["countryId"])


ROUTES: tuple[Route, ...] = (
    Route("GET", "/V1/directory/countries", _countries, None),
    Route("GET", "/V1/directory/countries/:countryId", _country, None),
    Route("POST", "/V1/customers", customers.create, None),
    Route("GET", "/V1/customers/search", customers.search_customers, CUSTOMER_READ),
    Route("GET", "/V1/customers/:customerId", customers.get, CUSTOMER_READ),
    Route("PUT", "/V1/customers/:customerId", customers.update, CUSTOMER_MANAGE),
    Route("DELETE", "/V1/customers/:customerId", customers.delete, CUSTOMER_MANAGE),
    Route("POST", "/V1/categories", catalog.create_category, CATEGORIES),
    Route("GET", "/V1/categories", catalog.category_tree, CATEGORIES),
    Route("GET", "/V1/categories/list", catalog.list_categories, CATEGORIES),
    Route("GET", "/V1/categories/:categoryId", catalog.get_category, CATEGORIES),
    Route("PUT", "/V1/categories/:categoryId", catalog.update_category, CATEGORIES),
    Route("DELETE", "/V1/categories/:categoryId", catalog.delete_category, CATEGORIES),
    Route("PUT", "/V1/categories/:categoryId/move", catalog.move_category, CATEGORIES),
    Route("POST", "/V1/products", catalog.save_product, PRODUCTS),
    Route("GET", "/V1/products", catalog.list_products, PRODUCTS),
    Route("GET", "/V1/products/:sku", catalog.get_product, PRODUCTS),
    Route("PUT", "/V1/products/:sku", catalog.save_product, PRODUCTS),
    Route("DELETE", "/V1/products/:sku", catalog.delete_product, PRODUCTS),
    Route("GET", "/V1/orders", sales.list_orders, ORDERS_VIEW),
    Route("GET", "/V1/orders/:id", sales.get_order, ORDERS_VIEW),
    Route("POST", "/V1/orders/:id/hold", sales.hold_order, "Magento_Sales::hold"),
    Route("POST", "/V1/orders/:id/unhold", sales.unhold_order, "Magento_Sales::unhold"),
    Route("POST", "/V1/orders/:id/cancel", sales.cancel_order, "Magento_Sales::cancel"),
    Route("GET", "/V1/orders/:id/comments", sales.list_comments, ORDERS_VIEW),
    Route("POST", "/V1/orders/:id/comments", sales.add_comment, "Magento_Sales::comment"),
    Route("POST", "/V1/order/:orderId/invoice", sales_documents.create_invoice, INVOICE),
    Route("GET", "/V1/invoices", sales_documents.list_of("invoices"), INVOICES_VIEW),
    Route("GET", "/V1/invoices/:id", sales_documents.one_of("invoices"), INVOICES_VIEW),
    Route("POST", "/V1/order/:orderId/ship", sales_documents.create_shipment, SHIP),
    Route("GET", "/V1/shipments", sales_documents.list_of("shipments"), SHIPMENTS_VIEW),
    Route("GET", "/V1/shipment/:id", sales_documents.one_of("shipments"), SHIPMENTS_VIEW),
    Route("POST", "/V1/order/:orderId/refund", sales_documents.create_creditmemo, REFUND),
    Route("GET", "/V1/creditmemos", sales_documents.list_of("creditmemos"), CREDITMEMOS_VIEW),
    Route("GET", "/V1/creditmemo/:id", sales_documents.one_of("creditmemos"), CREDITMEMOS_VIEW),
    Route("GET", "/V1/bulk/:bulkUuid/status", bulk.status, BULK),
    Route("GET", "/V1/bulk/:bulkUuid/detailed-status", bulk.detailed_status, BULK),
    Route("GET", "/V1/bulk/:bulkUuid/operation-status/:status", bulk.operation_count, BULK),
)
_BY_PRIORITY = sorted(ROUTES, key=lambda r: -r.literal_segments)


def find(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route serving `method path`, with its path parameters."""
    for route in _BY_PRIORITY:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None
