"""tap-intacct → target-magento through `meltano run`: what lands in Magento is the demo business
mapped by the rules (valid customers, the product-line tree, items, invoices for orders the shop
holds), the rest is rejected or kept pending with a reason, and a second run moves nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import local_stack
from connector_emulators import demo_data

JOB = "intacct-to-magento"
STATE_ID = "demo:tap-intacct-magento-to-target-magento"


def expected_customers() -> dict[str, demo_data.Customer]:
    """By email: customers with an email and a postcode; a repeated email keeps the first."""
    kept: dict[str, demo_data.Customer] = {}
    for customer in demo_data.CUSTOMERS:
        if customer.email and customer.postcode and customer.email not in kept:
            kept[customer.email] = customer
    return kept


def invoiced_quantities(invoice: demo_data.SalesInvoice) -> dict[str, Decimal]:
    """SKU → quantity an Intacct sales invoice bills (no lines: the whole order)."""
    order = next(o for o in demo_data.SALES_ORDERS if o.doc_no == invoice.created_from)
    lines = invoice.lines or order.lines
    return {line.item_id: line.quantity for line in lines}


def test_intacct_to_magento_lands_the_demo_business_and_second_run_moves_nothing(
    project: local_stack.MeltanoProject, magento: local_stack.Emulator
) -> None:
    first = project.run(JOB)
    assert first.record_counts() == {
        "customers": len(demo_data.CUSTOMERS),
        "product_lines": len(demo_data.PRODUCT_LINES),
        "items": len(demo_data.ITEMS),
        "sales_invoices": len(demo_data.SALES_INVOICES),
        "sales_invoice_lines": sum(
            len(invoice.lines or next(
                o for o in demo_data.SALES_ORDERS if o.doc_no == invoice.created_from
            ).lines)
            for invoice in demo_data.SALES_INVOICES
        ),
    }  # fmt: skip
    dump = magento.get_json("/_emulator/dump")

    customers = {c["email"]: c for c in dump["customers"]}
    expected = expected_customers()
    assert set(customers) == set(expected)
    for email, source in expected.items():
        landed = customers[email]
        assert (landed["firstname"], landed["lastname"]) == (source.first_name, source.last_name)
        address = landed["addresses"][0]
        assert (address["postcode"], address["city"], address["country_id"]) == (
            source.postcode,
            source.city,
            source.country,
        )

    categories = {c["id"]: c for c in dump["categories"]}
    by_name = {c["name"]: c for c in categories.values()}
    for line in demo_data.PRODUCT_LINES:
        category = by_name[line.description]
        parent = categories[category["parent_id"]]
        if line.parent_id is None:
            assert parent["name"] == "Default Category"
        else:
            parent_line = next(p for p in demo_data.PRODUCT_LINES if p.line_id == line.parent_id)
            assert parent["name"] == parent_line.description
    assert len(categories) == 2 + len(demo_data.PRODUCT_LINES)  # root + Default Category

    products = {p["sku"]: p for p in dump["products"]}
    assert set(products) == {item.item_id for item in demo_data.ITEMS}
    lines_by_id = {line.line_id: line for line in demo_data.PRODUCT_LINES}
    for item in demo_data.ITEMS:
        product = products[item.item_id]
        assert product["name"] == item.name
        assert Decimal(str(product["price"])) == item.price
        assert product["status"] == (1 if item.active else 2), item.item_id
        linked = {
            categories[int(link["category_id"])]["name"]
            for link in product["extension_attributes"].get("category_links", [])
        }
        wanted = {lines_by_id[item.product_line_id].description} if item.product_line_id else set()
        assert linked == wanted, item.item_id

    orders = {o["entity_id"]: o["increment_id"] for o in dump["orders"]}
    invoiced = {
        orders[invoice["order_id"]]: {
            item["sku"]: Decimal(str(item["qty"])) for item in invoice["items"] if item["qty"]
        }
        for invoice in dump["invoices"]
    }
    in_shop = {o.doc_no: o for o in demo_data.SALES_ORDERS if o.in_magento}
    assert invoiced == {
        in_shop[invoice.created_from].magento_increment_id: invoiced_quantities(invoice)
        for invoice in demo_data.SALES_INVOICES
        if invoice.created_from in in_shop
    }

    rejects = local_stack.read_jsonl(Path(project.env["TARGET_MAGENTO_REJECT_FILE"]))
    rejected = {(r["stream"], r["key"]): r for r in rejects}
    kept_ids = {c.customer_id for c in expected.values()}
    assert set(rejected) == {
        ("customers", c.customer_id) for c in demo_data.CUSTOMERS if c.customer_id not in kept_ids
    }
    for (_, key), reject in rejected.items():
        source = next(c for c in demo_data.CUSTOMERS if c.customer_id == key)
        wrong_field = "DISPLAYCONTACT.MAILADDRESS.ZIP" if not source.postcode else None
        assert reject["field"] == (wrong_field or "DISPLAYCONTACT.EMAIL1"), reject
        assert reject["reason"]

    pending = local_stack.read_json(Path(project.env["TARGET_MAGENTO_PENDING_INVOICES_FILE"]))
    not_in_shop = {o.magento_increment_id for o in demo_data.SALES_ORDERS if not o.in_magento}
    reasons = [entry["reason"] for entry in pending["invoices"].values()]
    assert len(reasons) == len(not_in_shop)
    assert all(any(ref in reason for ref in not_in_shop) for reason in reasons)

    state = project.state(STATE_ID)
    assert set(state["singer_state"]["bookmarks"]) == set(first.record_counts())

    second = project.run(JOB)
    assert second.record_counts() == dict.fromkeys(first.record_counts(), 0)
    after = magento.get_json("/_emulator/dump")
    for kind in ("customers", "categories", "products", "invoices"):
        assert after[kind] == dump[kind], kind


def test_plain_tap_intacct_into_target_magento_lands_the_same_shop(
    project: local_stack.MeltanoProject, magento: local_stack.Emulator
) -> None:
    """`meltano run tap-intacct target-magento`: every stream is read, the target writes the five
    it knows and passes over the others, and the shop ends up as the job leaves it."""
    run = project.run("tap-intacct", "target-magento")
    assert len(run.record_counts()) > 5
    dump = magento.get_json("/_emulator/dump")
    assert {c["email"] for c in dump["customers"]} == set(expected_customers())
    assert {p["sku"] for p in dump["products"]} == {item.item_id for item in demo_data.ITEMS}
    assert {c["name"] for c in dump["categories"]} >= {
        line.description for line in demo_data.PRODUCT_LINES
    }
    in_shop = {o.doc_no for o in demo_data.SALES_ORDERS if o.in_magento}
    assert len(dump["invoices"]) == sum(
        1 for invoice in demo_data.SALES_INVOICES if invoice.created_from in in_shop
    )
