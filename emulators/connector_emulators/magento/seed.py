"""Fresh-install data, the demo shop and the full storefront shop.

Every store starts with the category tree root (1) and "Default Category" (2).

* `demo`: the storefront orders of the demo business that Intacct already holds
  (`demo_data.SALES_ORDERS` marked `in_magento`), placed by guests with the demo customers'
  emails so that Intacct sales invoices have orders to invoice, and the web orders Intacct does
  not hold yet (`demo_data.WEB_ORDERS`: several customers, a guest, a discount, a second
  currency, a cancelled order). Customers, categories and products are left for the connector
  to create.
* `shop`: a storefront that has run for a while: the demo catalog (categories and products),
  the demo customers who have an email and a postcode as registered customers, the same orders
  placed by them (with `product_id` on every line), and their documents: invoices, a shipment
  with tracking, and a credit memo.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import demo_data
from . import (
    attribute_sets,
    attributes,
    catalog,
    customers,
    directory,
    groups,
    inventory,
    sales,
    sales_documents,
)
from .common import ADMIN_STORE_ID, Call
from .store import Store

SEEDS = ("demo", "shop")
FRESH_INSTALL = (
    groups.TAX_CLASSES, groups.GROUPS, attribute_sets.SETS, attribute_sets.GROUPS,
    inventory.SOURCES, inventory.STOCKS, inventory.LINKS,
)  # fmt: skip
CANCELLED_AT = "2026-11-04 10:30:00"


def seed(store: Store, name: str | None) -> None:
    """Fresh-install rows, plus the named seed's data."""
    catalog.seed_categories(store)
    attributes.seed_attributes(store)
    for kind in FRESH_INSTALL:
        kind.plant(store)
    attribute_sets.seed_members(store)
    if name == "demo":
        _demo_orders(store)
        _web_orders(store)
    elif name == "shop":
        _catalog(store)
        _customers(store)
        _demo_orders(store)
        _web_orders(store)
        _documents(store)
    elif name is not None:
        raise ValueError(f"unknown seed {name!r}; known: {', '.join(SEEDS)}")


def _address(customer: demo_data.Customer) -> dict[str, Any]:
    address: dict[str, Any] = {
        "firstname": customer.first_name,
        "lastname": customer.last_name,
        "company": customer.name,
        "street": [customer.address1],
        "city": customer.city,
        "postcode": customer.postcode or "",
        "country_id": customer.country,
        "telephone": customer.phone,
    }
    region = directory.find_region(customer.country, customer.state or "")
    if region:
        address |= {"region": region["name"], "region_code": region["code"]}
        address["region_id"] = region["id"]
    return address


def _line(item_id: str, quantity: Decimal, price: Decimal) -> dict[str, Any]:
    item = next(i for i in demo_data.ITEMS if i.item_id == item_id)
    return {
        "sku": item_id,
        "name": item.name,
        "qty": quantity,
        "price": price,
        "product_type": "simple" if item.item_type == "Inventory" else "virtual",
    }


def _demo_orders(store: Store) -> None:
    customers_by_id = {c.customer_id: c for c in demo_data.CUSTOMERS}
    for order in demo_data.SALES_ORDERS:
        if not order.in_magento:
            continue
        customer = customers_by_id[order.customer_id]
        month, day, year = order.date.split("/")
        sales.create_order(
            store,
            increment_id=order.magento_increment_id,
            customer_email=customer.email or "",
            customer_firstname=customer.first_name,
            customer_lastname=customer.last_name,
            billing_address=_address(customer),
            created_at=f"{year}-{month}-{day} 10:00:00",
            shipping_amount=0,
            items=[_line(line.item_id, line.quantity, line.price) for line in order.lines],
        )


def _web_orders(store: Store) -> None:
    customers_by_id = {c.customer_id: c for c in demo_data.CUSTOMERS}
    for web in demo_data.WEB_ORDERS:
        customer = customers_by_id.get(web.customer_id or "")
        if customer is not None:
            email, first, last = customer.email or "", customer.first_name, customer.last_name
            address = _address(customer)
        else:
            email, first, last = web.email or "", web.first_name, web.last_name
            guest = demo_data.Customer(
                "",
                "",
                first,
                last,
                email,
                "12 Harbour Walk",
                "Boston",
                "MA",
                "02110",
                "US",
                "+1 617 555 0199",
            )
            address = _address(guest)
            address.pop("company")
        order = sales.create_order(
            store,
            increment_id=web.increment_id,
            customer_email=email,
            customer_firstname=first,
            customer_lastname=last,
            billing_address=address,
            created_at=web.placed,
            currency=web.currency,
            base_to_order_rate=web.rate,
            shipping_amount=web.shipping,
            discount_percent=web.discount_percent,
            coupon_code=web.coupon_code,
            tax_percent=web.tax_percent,
            guest=customer is None,
            comments=[web.comment] if web.comment else None,
            items=[_line(line.item_id, line.quantity, line.price) for line in web.lines],
        )
        if web.cancelled:
            sales.cancel(store, order, CANCELLED_AT)


def _catalog(store: Store) -> None:
    category_ids: dict[str, int] = {}
    for line in demo_data.PRODUCT_LINES:
        parent = category_ids.get(line.parent_id or "", catalog.DEFAULT_ROOT_ID)
        body = {"category": {"name": line.description, "parent_id": parent}}
        created = catalog.create_category(Call(store, body=body, store_id=ADMIN_STORE_ID))
        category_ids[line.line_id] = created["id"]
    for item in demo_data.ITEMS:
        product: dict[str, Any] = {
            "sku": item.item_id,
            "name": item.name,
            "price": float(item.price),
            "status": 1 if item.active else 2,
            "visibility": 4,
            "type_id": "simple" if item.item_type == "Inventory" else "virtual",
            "attribute_set_id": 4,
            "custom_attributes": [
                {"attribute_code": "url_key", "value": f"{item.item_id.lower()}"}
            ],
        }
        if item.weight is not None:
            product["weight"] = float(item.weight)
        if item.product_line_id:
            link = {"category_id": str(category_ids[item.product_line_id]), "position": 0}
            product["extension_attributes"] = {"website_ids": [1], "category_links": [link]}
        catalog.save_product(Call(store, body={"product": product}, store_id=ADMIN_STORE_ID))


def _customers(store: Store) -> None:
    seen: set[str] = set()
    for customer in demo_data.CUSTOMERS:
        if not customer.email or not customer.postcode or customer.email in seen:
            continue
        seen.add(customer.email)
        address = _address(customer) | {"default_billing": True, "default_shipping": True}
        address.pop("region", None)
        address.pop("region_code", None)
        body = {
            "customer": {
                "email": customer.email,
                "firstname": customer.first_name,
                "lastname": customer.last_name,
                "addresses": [address],
            }
        }
        customers.create(Call(store, body=body))


def _documents(store: Store) -> None:
    """Invoices for two web orders, a shipment with tracking, a credit memo for one box."""
    first = store.find("orders", increment_id="000000201")[0]
    sales_documents.register_invoice(
        store, first, [(line, line["qty_ordered"]) for line in first["items"]],
        stamp="2026-11-02 12:00:00",
    )  # fmt: skip
    sales_documents.register_shipment(
        store, first, [(line, line["qty_ordered"]) for line in first["items"]],
        tracks=[{"track_number": "1Z999AA10123456784", "title": "UPS Ground",
                 "carrier_code": "ups"}],
        stamp="2026-11-02 16:30:00",
    )  # fmt: skip
    screws = next(line for line in first["items"] if line["sku"] == "SCREW-100")
    sales_documents.register_creditmemo(store, first, [(screws, 1.0)], stamp="2026-11-05 09:00:00")
    euro = store.find("orders", increment_id="000000204")[0]
    sales_documents.register_invoice(
        store, euro, [(line, line["qty_ordered"]) for line in euro["items"]],
        stamp="2026-11-03 18:00:00",
    )  # fmt: skip
