"""Fresh-install data and the demo shop.

Every store starts with the category tree root (1) and "Default Category" (2). The `demo` seed adds
the storefront orders of the demo business (`demo_data.SALES_ORDERS` marked `in_magento`), placed
by guests with the demo customers' emails, so that Intacct sales invoices have orders to invoice.
Customers, categories and products are left for the connector to create.
"""

from __future__ import annotations

from .. import demo_data
from . import catalog, directory, sales
from .store import Store

SEEDS = ("demo",)


def seed(store: Store, name: str | None) -> None:
    """Fresh-install rows, plus the named seed's data."""
    catalog.seed_categories(store)
    if name == "demo":
        _demo_orders(store)
    elif name is not None:
        raise ValueError(f"unknown seed {name!r}; known: {', '.join(SEEDS)}")


def _demo_orders(store: Store) -> None:
    customers = {c.customer_id: c for c in demo_data.CUSTOMERS}
    items = {i.item_id: i for i in demo_data.ITEMS}
    for order in demo_data.SALES_ORDERS:
        if not order.in_magento:
            continue
        customer = customers[order.customer_id]
        month, day, year = order.date.split("/")
        placed = f"{year}-{month}-{day} 10:00:00"
        address = {
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
        sales.create_order(
            store,
            increment_id=order.magento_increment_id,
            customer_email=customer.email or "",
            customer_firstname=customer.first_name,
            customer_lastname=customer.last_name,
            billing_address=address,
            created_at=placed,
            items=[
                {
                    "sku": line.item_id,
                    "name": items[line.item_id].name,
                    "qty": float(line.quantity),
                    "price": float(line.price),
                    "product_type": "virtual"
                    if items[line.item_id].item_type != "Inventory"
                    else "simple",
                }
                for line in order.lines
            ],
        )
