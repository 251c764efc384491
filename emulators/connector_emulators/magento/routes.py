"""The REST routes: one row per `webapi.xml` route, with its ACL resource.

A resource of None means the route is anonymous. Templates use Magento's `:param` syntax. Routes
are tried literal segment first, position by position, so `/V1/products/attributes/:code` is
tried before `/V1/products/:sku/media` and `/V1/products/types` before `/V1/products/:sku`.
Rows of one area stay together; `find` does the ordering, so a row can go anywhere in its block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import attribute_sets as sets
from . import attributes as attrs
from . import (
    bulk,
    catalog,
    customers,
    groups,
    inventory,
    order_lines,
    prices,
    sales,
    sales_documents,
    sales_rules,
    scopes,
)
from . import customer_lookups as accounts
from . import document_actions as actions
from . import document_notes as notes
from . import downloadables as downloads
from . import inventory_notices as notices
from . import inventory_sales as salable
from . import order_saves as saves
from . import product_options as options
from . import product_parts as parts
from .common import Call
from .directory import countries, country
from .groups import GROUPS, TAX_CLASSES
from .inventory import LINKS, SOURCES, STOCKS
from .sales_rules import COUPONS, RULES


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
    def priority(self) -> tuple[bool, ...]:
        """Sort key: at the first segment where two routes differ, a literal comes first."""
        return tuple(s.startswith(":") for s in self.template.strip("/").split("/"))


CUSTOMER_READ = "Magento_Customer::customer"
CUSTOMER_MANAGE = "Magento_Customer::manage"
CATEGORIES = "Magento_Catalog::categories"
PRODUCTS = "Magento_Catalog::products"
ORDERS_VIEW = "Magento_Sales::actions_view"
ORDERS_CREATE = "Magento_Sales::create"
INVOICE = "Magento_Sales::invoice"
INVOICES_VIEW = "Magento_Sales::sales_invoice"
SHIP = "Magento_Sales::ship"
SHIPMENTS_VIEW = "Magento_Sales::shipment"
REFUND = "Magento_Sales::creditmemo"
CREDITMEMOS_VIEW = "Magento_Sales::sales_creditmemo"
BULK = "Magento_Logging::system_magento_logging_bulk_operations"
STORES = "Magento_Backend::store"
CUSTOMER_GROUPS = "Magento_Customer::group"
TAX = "Magento_Tax::manage_tax"
ATTRIBUTES = "Magento_Catalog::attributes_attributes"
SETS = "Magento_Catalog::sets"
INVENTORY = "Magento_CatalogInventory::cataloginventory"
SOURCE = "Magento_InventoryApi::source"
STOCK = "Magento_InventoryApi::stock"
SALES_STOCK = "Magento_InventorySalesApi::stock"
SALES_RULES = "Magento_SalesRule::quote"
TRANSACTIONS = "Magento_Sales::transactions"
EMAILS = "Magento_Sales::emails"


def _countries(call: Call) -> Any:
    return countries()


def _country(call: Call) -> Any:
    return country(call.path["countryId"])


ROUTES: tuple[Route, ...] = (
    Route("GET", "/V1/store/websites", scopes.websites, STORES),
    Route("GET", "/V1/store/storeGroups", scopes.store_groups, STORES),
    Route("GET", "/V1/store/storeViews", scopes.store_views, STORES),
    Route("GET", "/V1/store/storeConfigs", scopes.store_configs, STORES),
    Route("GET", "/V1/directory/countries", _countries, None),
    Route("GET", "/V1/directory/countries/:countryId", _country, None),
    Route("GET", "/V1/directory/currency", scopes.currency, None),
    Route("POST", "/V1/customerGroups", groups.save_group, CUSTOMER_GROUPS),
    Route("GET", "/V1/customerGroups/search", GROUPS.search, CUSTOMER_GROUPS),
    Route("GET", "/V1/customerGroups/default", groups.default_group, CUSTOMER_GROUPS),
    Route("GET", "/V1/customerGroups/default/:storeId", groups.default_group, CUSTOMER_GROUPS),
    Route("GET", "/V1/customerGroups/:id", GROUPS.get, CUSTOMER_GROUPS),
    Route("PUT", "/V1/customerGroups/:id", groups.save_group, CUSTOMER_GROUPS),
    Route("DELETE", "/V1/customerGroups/:id", GROUPS.delete, CUSTOMER_GROUPS),
    Route("GET", "/V1/customerGroups/:id/permissions", groups.group_is_readonly, CUSTOMER_GROUPS),
    Route("POST", "/V1/taxClasses", groups.save_tax_class, TAX),
    Route("GET", "/V1/taxClasses/search", TAX_CLASSES.search, TAX),
    Route("GET", "/V1/taxClasses/:taxClassId", TAX_CLASSES.get, TAX),
    Route("PUT", "/V1/taxClasses/:classId", groups.save_tax_class, TAX),
    Route("DELETE", "/V1/taxClasses/:taxClassId", TAX_CLASSES.delete, TAX),
    Route("POST", "/V1/customers", customers.create, None),
    Route("GET", "/V1/customers/search", customers.search_customers, CUSTOMER_READ),
    Route("GET", "/V1/customers/addresses/:addressId", accounts.address, CUSTOMER_READ),
    Route("POST", "/V1/customers/isEmailAvailable", accounts.is_email_available, None),
    Route("PUT", "/V1/customers/validate", accounts.validate, None),
    Route("GET", "/V1/customers/:customerId", customers.get, CUSTOMER_READ),
    Route(
        "GET",
        "/V1/customers/:customerId/billingAddress",
        accounts.default_address("billing"),
        CUSTOMER_READ,
    ),
    Route(
        "GET",
        "/V1/customers/:customerId/shippingAddress",
        accounts.default_address("shipping"),
        CUSTOMER_READ,
    ),
    Route("GET", "/V1/customers/:customerId/confirm", accounts.confirmation_status, CUSTOMER_READ),
    Route(
        "GET",
        "/V1/customers/:customerId/permissions/readonly",
        accounts.is_readonly,
        CUSTOMER_READ,
    ),
    Route("PUT", "/V1/customers/:customerId", customers.update, CUSTOMER_MANAGE),
    Route("DELETE", "/V1/customers/:customerId", customers.delete, CUSTOMER_MANAGE),
    Route("POST", "/V1/categories", catalog.create_category, CATEGORIES),
    Route("GET", "/V1/categories", catalog.category_tree, CATEGORIES),
    Route("GET", "/V1/categories/list", catalog.list_categories, CATEGORIES),
    Route("GET", "/V1/categories/attributes", attrs.list_attributes, CATEGORIES),
    Route("GET", "/V1/categories/attributes/:attributeCode", attrs.get_attribute, CATEGORIES),
    Route("GET", "/V1/categories/attributes/:attributeCode/options", attrs.options, CATEGORIES),
    Route("GET", "/V1/categories/:categoryId", catalog.get_category, CATEGORIES),
    Route("GET", "/V1/categories/:categoryId/products", parts.category_products, CATEGORIES),
    Route("POST", "/V1/categories/:categoryId/products", parts.assign_product, CATEGORIES),
    Route("PUT", "/V1/categories/:categoryId/products", parts.assign_product, CATEGORIES),
    Route("DELETE", "/V1/categories/:categoryId/products/:sku", parts.unassign_product, CATEGORIES),
    Route("PUT", "/V1/categories/:categoryId", catalog.update_category, CATEGORIES),
    Route("DELETE", "/V1/categories/:categoryId", catalog.delete_category, CATEGORIES),
    Route("PUT", "/V1/categories/:categoryId/move", catalog.move_category, CATEGORIES),
    Route("POST", "/V1/products", catalog.save_product, PRODUCTS),
    Route("GET", "/V1/products", catalog.list_products, PRODUCTS),
    Route("GET", "/V1/products/types", attrs.product_types, PRODUCTS),
    Route("GET", "/V1/products/options/types", options.option_types, PRODUCTS),
    Route("POST", "/V1/products/options", options.save_option, PRODUCTS),
    Route("PUT", "/V1/products/options/:optionId", options.save_option, PRODUCTS),
    Route("GET", "/V1/products/:sku/options", options.list_options, PRODUCTS),
    Route("GET", "/V1/products/:sku/downloadable-links", downloads.list_links, PRODUCTS),
    Route("POST", "/V1/products/:sku/downloadable-links", downloads.save_link, PRODUCTS),
    Route("PUT", "/V1/products/:sku/downloadable-links/:id", downloads.save_link, PRODUCTS),
    Route("DELETE", "/V1/products/downloadable-links/:id", downloads.delete_link, PRODUCTS),
    Route("GET", "/V1/products/:sku/downloadable-links/samples", downloads.list_samples, PRODUCTS),
    Route("POST", "/V1/products/:sku/downloadable-links/samples", downloads.save_sample, PRODUCTS),
    Route(
        "PUT",
        "/V1/products/:sku/downloadable-links/samples/:id",
        downloads.save_sample,
        PRODUCTS,
    ),
    Route(
        "DELETE",
        "/V1/products/downloadable-links/samples/:id",
        downloads.delete_sample,
        PRODUCTS,
    ),
    Route("GET", "/V1/products/:sku/options/:optionId", options.get_option, PRODUCTS),
    Route("DELETE", "/V1/products/:sku/options/:optionId", options.delete_option, PRODUCTS),
    Route("GET", "/V1/products/links/types", attrs.link_types, PRODUCTS),
    Route("GET", "/V1/products/links/:type/attributes", attrs.link_attributes, PRODUCTS),
    Route("GET", "/V1/products/media/types/:attributeSetName", attrs.media_types, PRODUCTS),
    Route("GET", "/V1/products/attributes", attrs.list_attributes, ATTRIBUTES),
    Route("POST", "/V1/products/attributes", attrs.save_attribute, ATTRIBUTES),
    Route("GET", "/V1/products/attributes/types", attrs.input_types, ATTRIBUTES),
    Route("GET", "/V1/products/attributes/:attributeCode", attrs.get_attribute, ATTRIBUTES),
    Route("PUT", "/V1/products/attributes/:attributeCode", attrs.save_attribute, ATTRIBUTES),
    Route("DELETE", "/V1/products/attributes/:attributeCode", attrs.delete_attribute, ATTRIBUTES),
    Route("GET", "/V1/products/attributes/:attributeCode/options", attrs.options, ATTRIBUTES),
    Route("POST", "/V1/products/attributes/:attributeCode/options", attrs.add_option, ATTRIBUTES),
    Route(
        "PUT",
        "/V1/products/attributes/:attributeCode/options/:optionId",
        attrs.update_option,
        ATTRIBUTES,
    ),
    Route(
        "DELETE",
        "/V1/products/attributes/:attributeCode/options/:optionId",
        attrs.delete_option,
        ATTRIBUTES,
    ),
    Route(
        "GET",
        "/V1/products/attributes/:attributeCode/is-filterable",
        attrs.is_filterable,
        ATTRIBUTES,
    ),
    Route(
        "PUT",
        "/V1/products/attributes/:attributeCode/is-filterable/:isFilterable",
        attrs.set_filterable,
        ATTRIBUTES,
    ),
    Route("POST", "/V1/eav/attribute-sets", sets.create_set, SETS),
    Route("GET", "/V1/eav/attribute-sets/list", sets.list_sets, SETS),
    Route("GET", "/V1/eav/attribute-sets/:attributeSetId", sets.SETS.get, SETS),
    Route("PUT", "/V1/eav/attribute-sets/:attributeSetId", sets.update_set, SETS),
    Route("DELETE", "/V1/eav/attribute-sets/:attributeSetId", sets.SETS.delete, SETS),
    Route("POST", "/V1/products/attribute-sets", sets.create_set, SETS),
    Route("GET", "/V1/products/attribute-sets/sets/list", sets.list_sets, SETS),
    Route("GET", "/V1/products/attribute-sets/:attributeSetId", sets.SETS.get, SETS),
    Route("PUT", "/V1/products/attribute-sets/:attributeSetId", sets.update_set, SETS),
    Route("DELETE", "/V1/products/attribute-sets/:attributeSetId", sets.SETS.delete, SETS),
    Route(
        "GET", "/V1/products/attribute-sets/:attributeSetId/attributes", sets.set_attributes, SETS
    ),
    Route("POST", "/V1/products/attribute-sets/attributes", sets.assign_attribute, SETS),
    Route(
        "DELETE",
        "/V1/products/attribute-sets/:attributeSetId/attributes/:attributeCode",
        sets.unassign_attribute,
        SETS,
    ),
    Route("POST", "/V1/products/attribute-sets/groups", sets.save_group, SETS),
    Route("GET", "/V1/products/attribute-sets/groups/list", sets.list_groups, SETS),
    Route("PUT", "/V1/products/attribute-sets/:attributeSetId/groups", sets.save_group, SETS),
    Route("DELETE", "/V1/products/attribute-sets/groups/:groupId", sets.delete_group, SETS),
    Route("GET", "/V1/products/:sku", catalog.get_product, PRODUCTS),
    Route("GET", "/V1/products/:sku/media", parts.list_media, PRODUCTS),
    Route("POST", "/V1/products/:sku/media", parts.add_media, PRODUCTS),
    Route("GET", "/V1/products/:sku/media/:entryId", parts.get_media, PRODUCTS),
    Route("PUT", "/V1/products/:sku/media/:entryId", parts.update_media, PRODUCTS),
    Route("DELETE", "/V1/products/:sku/media/:entryId", parts.delete_media, PRODUCTS),
    Route("POST", "/V1/products/:sku/links", parts.add_links, PRODUCTS),
    Route("PUT", "/V1/products/:sku/links", parts.save_link, PRODUCTS),
    Route("GET", "/V1/products/:sku/links/:type", parts.links_of_type, PRODUCTS),
    Route("DELETE", "/V1/products/:sku/links/:type/:linkedProductSku", parts.delete_link, PRODUCTS),
    Route("POST", "/V1/products/:sku/websites", parts.assign_website, PRODUCTS),
    Route("PUT", "/V1/products/:sku/websites", parts.assign_website, PRODUCTS),
    Route("DELETE", "/V1/products/:sku/websites/:websiteId", parts.remove_website, PRODUCTS),
    Route("POST", "/V1/products/base-prices", prices.base_prices, PRODUCTS),
    Route("POST", "/V1/products/base-prices-information", prices.base_prices_information, PRODUCTS),
    Route("POST", "/V1/products/cost", prices.costs, PRODUCTS),
    Route("POST", "/V1/products/cost-information", prices.costs_information, PRODUCTS),
    Route("POST", "/V1/products/cost-delete", prices.delete_costs, PRODUCTS),
    Route("POST", "/V1/products/special-price", prices.special_prices, PRODUCTS),
    Route("POST", "/V1/products/special-price-delete", prices.delete_special_prices, PRODUCTS),
    Route(
        "POST",
        "/V1/products/special-price-information",
        prices.special_prices_information,
        PRODUCTS,
    ),
    Route("POST", "/V1/products/tier-prices", prices.add_tier_prices, PRODUCTS),
    Route("PUT", "/V1/products/tier-prices", prices.replace_tier_prices, PRODUCTS),
    Route("POST", "/V1/products/tier-prices-delete", prices.delete_tier_prices, PRODUCTS),
    Route("POST", "/V1/products/tier-prices-information", prices.tier_prices_information, PRODUCTS),
    Route(
        "GET", "/V1/products/:sku/group-prices/:customerGroupId/tiers", prices.group_tiers, PRODUCTS
    ),
    Route(
        "POST",
        "/V1/products/:sku/group-prices/:customerGroupId/tiers/:qty/price/:price",
        prices.add_group_tier,
        PRODUCTS,
    ),
    Route(
        "DELETE",
        "/V1/products/:sku/group-prices/:customerGroupId/tiers/:qty",
        prices.remove_group_tier,
        PRODUCTS,
    ),
    Route("GET", "/V1/stockItems/lowStock", parts.low_stock, INVENTORY),
    Route("GET", "/V1/stockItems/:productSku", parts.stock_item, INVENTORY),
    Route("GET", "/V1/stockStatuses/:productSku", parts.stock_status, INVENTORY),
    Route("PUT", "/V1/products/:productSku/stockItems/:itemId", parts.update_stock_item, INVENTORY),
    Route("PUT", "/V1/products/:sku", catalog.save_product, PRODUCTS),
    Route("DELETE", "/V1/products/:sku", catalog.delete_product, PRODUCTS),
    Route("GET", "/V1/orders", sales.list_orders, ORDERS_VIEW),
    Route("GET", "/V1/orders/items", order_lines.list_lines, ORDERS_VIEW),
    Route("GET", "/V1/orders/items/:id", order_lines.get_line, ORDERS_VIEW),
    Route("GET", "/V1/orders/:id", sales.get_order, ORDERS_VIEW),
    Route("POST", "/V1/orders", saves.save_order, ORDERS_CREATE),
    Route("PUT", "/V1/orders/create", saves.save_order, ORDERS_CREATE),
    Route("PUT", "/V1/orders/:parent_id", saves.save_address, ORDERS_CREATE),
    Route("GET", "/V1/orders/:id/statuses", order_lines.order_status, ORDERS_VIEW),
    Route("POST", "/V1/orders/:id/hold", sales.hold_order, "Magento_Sales::hold"),
    Route("POST", "/V1/orders/:id/unhold", sales.unhold_order, "Magento_Sales::unhold"),
    Route("POST", "/V1/orders/:id/cancel", sales.cancel_order, "Magento_Sales::cancel"),
    Route("GET", "/V1/orders/:id/comments", sales.list_comments, ORDERS_VIEW),
    Route("POST", "/V1/orders/:id/comments", sales.add_comment, "Magento_Sales::comment"),
    Route("POST", "/V1/order/:orderId/invoice", sales_documents.create_invoice, INVOICE),
    Route("GET", "/V1/invoices", sales_documents.list_of("invoices"), INVOICES_VIEW),
    Route("GET", "/V1/invoices/:id", sales_documents.one_of("invoices"), INVOICES_VIEW),
    Route("GET", "/V1/invoices/:id/comments", notes.comments_of("invoices"), INVOICES_VIEW),
    Route("POST", "/V1/invoices/comments", notes.add_comment_to("invoices"), INVOICES_VIEW),
    Route("POST", "/V1/invoices/:id/emails", notes.email_of("invoices"), EMAILS),
    Route("POST", "/V1/invoices/:id/capture", actions.capture_invoice, INVOICES_VIEW),
    Route("POST", "/V1/invoices/", saves.save_document("invoices"), INVOICES_VIEW),
    Route("POST", "/V1/shipment/", saves.save_document("shipments"), SHIPMENTS_VIEW),
    Route("POST", "/V1/creditmemo", saves.save_document("creditmemos"), CREDITMEMOS_VIEW),
    Route("POST", "/V1/invoices/:id/void", actions.void_invoice, INVOICES_VIEW),
    Route("POST", "/V1/invoice/:invoiceId/refund", actions.refund_invoice, REFUND),
    Route("POST", "/V1/order/:orderId/ship", sales_documents.create_shipment, SHIP),
    Route("GET", "/V1/shipments", sales_documents.list_of("shipments"), SHIPMENTS_VIEW),
    Route("GET", "/V1/shipment/:id", sales_documents.one_of("shipments"), SHIPMENTS_VIEW),
    Route("GET", "/V1/shipment/:id/comments", notes.comments_of("shipments"), SHIPMENTS_VIEW),
    Route("POST", "/V1/shipment/:id/comments", notes.add_comment_to("shipments"), SHIPMENTS_VIEW),
    Route("POST", "/V1/shipment/:id/emails", notes.email_of("shipments"), EMAILS),
    Route("GET", "/V1/shipment/:id/label", actions.shipment_label, SHIPMENTS_VIEW),
    Route("POST", "/V1/shipment/track", actions.add_track, SHIP),
    Route("DELETE", "/V1/shipment/track/:id", actions.delete_track, SHIP),
    Route("POST", "/V1/order/:orderId/refund", sales_documents.create_creditmemo, REFUND),
    Route("GET", "/V1/creditmemos", sales_documents.list_of("creditmemos"), CREDITMEMOS_VIEW),
    Route("GET", "/V1/creditmemo/:id", sales_documents.one_of("creditmemos"), CREDITMEMOS_VIEW),
    Route("GET", "/V1/creditmemo/:id/comments", notes.comments_of("creditmemos"), CREDITMEMOS_VIEW),
    Route(
        "POST",
        "/V1/creditmemo/:id/comments",
        notes.add_comment_to("creditmemos"),
        CREDITMEMOS_VIEW,
    ),
    Route("POST", "/V1/creditmemo/:id/emails", notes.email_of("creditmemos"), EMAILS),
    Route("PUT", "/V1/creditmemo/:id", actions.cancel_creditmemo, CREDITMEMOS_VIEW),
    Route("POST", "/V1/creditmemo/refund", actions.refund_creditmemo, CREDITMEMOS_VIEW),
    Route("POST", "/V1/orders/:id/emails", notes.email_of(None), EMAILS),
    Route("GET", "/V1/transactions", notes.list_transactions, TRANSACTIONS),
    Route("GET", "/V1/transactions/:id", notes.get_transaction, TRANSACTIONS),
    Route("GET", "/V1/inventory/sources", SOURCES.search, SOURCE),
    Route("POST", "/V1/inventory/sources", inventory.save_source, SOURCE),
    Route("GET", "/V1/inventory/sources/:sourceCode", SOURCES.get, SOURCE),
    Route("PUT", "/V1/inventory/sources/:sourceCode", inventory.save_source, SOURCE),
    Route("GET", "/V1/inventory/stocks", STOCKS.search, STOCK),
    Route("POST", "/V1/inventory/stocks", inventory.save_stock, STOCK),
    Route("GET", "/V1/inventory/stocks/:stockId", STOCKS.get, STOCK),
    Route("PUT", "/V1/inventory/stocks/:stockId", inventory.save_stock, STOCK),
    Route("DELETE", "/V1/inventory/stocks/:stockId", inventory.delete_stock, STOCK),
    Route("GET", "/V1/inventory/stock-source-links", LINKS.search, STOCK),
    Route("POST", "/V1/inventory/stock-source-links", inventory.save_links, STOCK),
    Route("POST", "/V1/inventory/stock-source-links-delete", inventory.delete_links, STOCK),
    Route("GET", "/V1/inventory/source-items", inventory.list_items, SOURCE),
    Route("POST", "/V1/inventory/source-items", inventory.save_items, SOURCE),
    Route("POST", "/V1/inventory/source-items-delete", inventory.delete_items, SOURCE),
    Route(
        "GET",
        "/V1/inventory/get-sources-assigned-to-stock-ordered-by-priority/:stockId",
        salable.sources_by_priority,
        SOURCE,
    ),
    Route(
        "GET",
        "/V1/inventory/get-product-salable-quantity/:sku/:stockId",
        salable.salable_quantity,
        SALES_STOCK,
    ),
    Route("GET", "/V1/inventory/is-product-salable/:sku/:stockId", salable.is_salable, SALES_STOCK),
    Route("GET", "/V1/inventory/are-products-salable", salable.are_salable, SALES_STOCK),
    Route(
        "GET",
        "/V1/inventory/is-product-salable-for-requested-qty/:sku/:stockId/:requestedQty",
        salable.is_salable_for_qty,
        SALES_STOCK,
    ),
    Route(
        "GET",
        "/V1/inventory/are-product-salable-for-requested-qty/",
        salable.are_salable_for_qty,
        SALES_STOCK,
    ),
    Route("GET", "/V1/inventory/stock-resolver/:type/:code", salable.resolve_stock, SALES_STOCK),
    Route(
        "GET",
        "/V1/inventory/export-stock-salable-qty/:salesChannelType/:salesChannelCode",
        salable.export_salable,
        SALES_STOCK,
    ),
    Route(
        "GET",
        "/V1/inventory/dump-stock-index-data/:salesChannelType/:salesChannelCode",
        salable.dump_index,
        SALES_STOCK,
    ),
    Route("POST", "/V1/inventory/bulk-product-source-assign", salable.bulk_assign, PRODUCTS),
    Route("POST", "/V1/inventory/bulk-product-source-unassign", salable.bulk_unassign, PRODUCTS),
    Route("POST", "/V1/inventory/bulk-product-source-transfer", salable.bulk_transfer, PRODUCTS),
    Route("POST", "/V1/inventory/bulk-partial-source-transfer", salable.partial_transfer, PRODUCTS),
    Route("POST", "/V1/inventory/low-quantity-notification", notices.save_notices, SOURCE),
    Route(
        "GET",
        "/V1/inventory/low-quantity-notification/:sourceCode/:sku",
        notices.get_notice,
        SOURCE,
    ),
    Route(
        "POST", "/V1/inventory/low-quantity-notifications-delete", notices.delete_notices, SOURCE
    ),
    Route("GET", "/V1/inventory/source-selection-algorithm-list", notices.algorithms, SOURCE),
    Route(
        "POST", "/V1/inventory/source-selection-algorithm-result", notices.select_sources, SOURCE
    ),
    Route("POST", "/V1/salesRules", sales_rules.save_rule, SALES_RULES),
    Route("GET", "/V1/salesRules/search", RULES.search, SALES_RULES),
    Route("GET", "/V1/salesRules/:ruleId", RULES.get, SALES_RULES),
    Route("PUT", "/V1/salesRules/:ruleId", sales_rules.save_rule, SALES_RULES),
    Route("DELETE", "/V1/salesRules/:ruleId", sales_rules.delete_rule, SALES_RULES),
    Route("POST", "/V1/coupons", sales_rules.save_coupon, SALES_RULES),
    Route("GET", "/V1/coupons/search", COUPONS.search, SALES_RULES),
    Route("GET", "/V1/coupons/:couponId", COUPONS.get, SALES_RULES),
    Route("PUT", "/V1/coupons/:couponId", sales_rules.save_coupon, SALES_RULES),
    Route("DELETE", "/V1/coupons/:couponId", COUPONS.delete, SALES_RULES),
    Route("POST", "/V1/coupons/generate", sales_rules.generate, SALES_RULES),
    Route("POST", "/V1/coupons/deleteByCodes", sales_rules.delete_by_codes, SALES_RULES),
    Route("POST", "/V1/coupons/deleteByIds", sales_rules.delete_by_ids, SALES_RULES),
    Route("GET", "/V1/bulk", bulk.list_operations, BULK),
    Route("GET", "/V1/bulk/:bulkUuid/status", bulk.status, BULK),
    Route("GET", "/V1/bulk/:bulkUuid/detailed-status", bulk.detailed_status, BULK),
    Route("GET", "/V1/bulk/:bulkUuid/operation-status/:status", bulk.operation_count, BULK),
)
_BY_PRIORITY = sorted(ROUTES, key=lambda r: r.priority)


def find(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route serving `method path`, with its path parameters."""
    for route in _BY_PRIORITY:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None
