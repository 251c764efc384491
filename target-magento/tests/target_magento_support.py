"""Test support: the demo business as tap-intacct emits it, and a harness around the emulator."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import typing as t
from contextlib import redirect_stdout
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from connector_emulators import demo_data
from connector_runtime.progress import read_table
from magento_api import AuthSettings, MagentoClient, decode_json, encode_json
from target_magento.run import EARLIER, TITLE
from target_magento.store import shop_scope
from target_magento.target import TargetMagento

COUNTRY_NAMES = {"US": "United States", "IE": "Ireland", "DE": "Germany", "JP": "Japan"}
WHEN = "2026-10-15T08:30:00+00:00"
ZERO_COUNTS = dict.fromkeys(("created", "updated", "unchanged", "skipped", "queued", "rejected"), 0)


# ---------------------------------------------------------------------------------------------
# The demo business as Intacct records (Intacct field names, money as JSON numbers)


def customer_records() -> list[dict]:
    records = []
    for number, customer in enumerate(demo_data.CUSTOMERS, start=1):
        record: dict[str, t.Any] = {
            "RECORDNO": number,
            "CUSTOMERID": customer.customer_id,
            "NAME": customer.name,
            "STATUS": "active" if customer.active else "inactive",
            "DISPLAYCONTACT.FIRSTNAME": customer.first_name,
            "DISPLAYCONTACT.LASTNAME": customer.last_name,
            "DISPLAYCONTACT.EMAIL1": customer.email,
            "DISPLAYCONTACT.PHONE1": customer.phone or None,
            "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": customer.address1,
            "DISPLAYCONTACT.MAILADDRESS.ADDRESS2": None,
            "DISPLAYCONTACT.MAILADDRESS.CITY": customer.city,
            "DISPLAYCONTACT.MAILADDRESS.STATE": customer.state,
            "DISPLAYCONTACT.MAILADDRESS.ZIP": customer.postcode,
            "DISPLAYCONTACT.MAILADDRESS.COUNTRY": COUNTRY_NAMES[customer.country],
            "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": customer.country,
            "CREDITLIMIT": customer.credit_limit,
            "LOYALTY_TIER": customer.loyalty_tier,
            "WHENMODIFIED": WHEN,
        }
        records.append(record)
    return records


def product_line_records() -> list[dict]:
    return [
        {
            "RECORDNO": number,
            "PRODUCTLINEID": line.line_id,
            "DESCRIPTION": line.description,
            "PARENTLINE": line.parent_id,
            "STATUS": "active",
            "WHENMODIFIED": WHEN,
        }
        for number, line in enumerate(demo_data.PRODUCT_LINES, start=1)
    ]


def item_records() -> list[dict]:
    return [
        {
            "RECORDNO": number,
            "ITEMID": item.item_id,
            "NAME": item.name,
            "STATUS": "active" if item.active else "inactive",
            "ITEMTYPE": item.item_type,
            "PRODUCTLINEID": item.product_line_id,
            "BASEPRICE": item.price,
            "SHIP_WEIGHT": item.weight,
            "EXTENDED_DESCRIPTION": item.extended_description or None,
            "WHENMODIFIED": WHEN,
        }
        for number, item in enumerate(demo_data.ITEMS, start=1)
    ]


def invoice_records() -> tuple[list[dict], list[dict]]:
    """Sales invoice headers and lines; an invoice without lines copies its order's lines."""
    orders = {order.doc_no: order for order in demo_data.SALES_ORDERS}
    headers, lines = [], []
    line_number = 0
    for number, invoice in enumerate(demo_data.SALES_INVOICES, start=1):
        order = orders[invoice.created_from]
        docid = f"Sales Invoice-{invoice.doc_no}"
        invoice_lines = invoice.lines or order.lines
        headers.append(
            {
                "RECORDNO": 100 + number,
                "DOCID": docid,
                "DOCNO": invoice.doc_no,
                "DOCPARID": "Sales Invoice",
                "CREATEDFROM": f"Sales Order-{order.doc_no}",
                "PONUMBER": order.magento_increment_id,
                "CUSTVENDID": order.customer_id,
                "WHENCREATED": WHEN,
                "STATE": "Pending",
                "TOTAL": sum((line.quantity * line.price for line in invoice_lines), Decimal(0)),
            }
        )
        for position, line in enumerate(invoice_lines, start=1):
            line_number += 1
            lines.append(
                {
                    "RECORDNO": 1000 + line_number,
                    "DOCHDRNO": 100 + number,
                    "DOCHDRID": docid,
                    "LINE_NO": position,
                    "ITEMID": line.item_id,
                    "QUANTITY": line.quantity,
                    "PRICE": line.price,
                }
            )
    return headers, lines


# ---------------------------------------------------------------------------------------------
# Singer messages


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, Decimal | float):
        return "number"
    return "string"


def schema_for(records: list[dict]) -> dict:
    """A tap-intacct-like schema: every field nullable, dates as date-time strings."""
    properties: dict[str, dict] = {}
    for record in records:
        for name, value in record.items():
            entry = properties.setdefault(name, {"type": ["null"]})
            if value is not None and _json_type(value) not in entry["type"]:
                entry["type"].append(_json_type(value))
            if name.startswith("WHEN") or name == "_sdc_deleted_at":
                entry["format"] = "date-time"
    for entry in properties.values():
        if entry["type"] == ["null"]:
            entry["type"] = ["null", "string"]
    properties.setdefault("_sdc_deleted_at", {"type": ["null", "string"], "format": "date-time"})
    return {"type": "object", "properties": properties}


def stream_messages(stream: str, records: list[dict], key: str = "RECORDNO") -> list[dict]:
    schema = {"type": "SCHEMA", "stream": stream, "schema": schema_for(records)}
    schema["key_properties"] = [key]
    return [schema, *({"type": "RECORD", "stream": stream, "record": r} for r in records)]


def demo_messages() -> list[dict]:
    headers, lines = invoice_records()
    return [
        *stream_messages("customers", customer_records()),
        *stream_messages("product_lines", product_line_records()),
        *stream_messages("items", item_records()),
        *stream_messages("sales_invoices", headers),
        *stream_messages("sales_invoice_lines", lines),
        {"type": "STATE", "value": {"bookmarks": {"customers": {"replication_key_value": WHEN}}}},
    ]


def to_lines(messages: list[dict]) -> str:
    return "".join(encode_json(message).decode() + "\n" for message in messages)


# ---------------------------------------------------------------------------------------------
# The emulator and the target


def oauth_config(handle: t.Any) -> dict:
    integration = handle.integration
    return {
        "consumer_key": integration.consumer_key,
        "consumer_secret": integration.consumer_secret,
        "access_token": integration.access_token,
        "access_token_secret": integration.access_token_secret,
    }


@dataclass
class Harness:
    """Runs the target in-process against the emulator, with its files in a temp folder."""

    magento: t.Any
    folder: Path

    def config(self, **overrides: t.Any) -> dict:
        config = {
            "base_url": self.magento.base_url,
            **oauth_config(self.magento),
            "reject_file": str(self.folder / "rejects.jsonl"),
            "id_map_file": str(self.folder / "id-map.json"),
            "pending_invoices_file": str(self.folder / "pending.json"),
            "pending_catalog_file": str(self.folder / "pending-catalog.json"),
            "max_concurrency": 4,
        }
        config.update(overrides)
        return {key: value for key, value in config.items() if value is not None}

    def run(
        self,
        messages: list[dict],
        prepare: t.Callable[[MagentoClient], None] | None = None,
        **overrides: t.Any,
    ) -> tuple[TargetMagento, str]:
        """One target run; returns the target (for its summary) and what it wrote to stdout."""
        target = TargetMagento(config=self.config(**overrides))
        if prepare is not None:
            prepare(target.loader.run.client)
        output = io.StringIO()
        with redirect_stdout(output):
            target.process_lines(io.StringIO(to_lines(messages)))
            target.process_endofpipe()
        return target, output.getvalue()

    # Files the target keeps

    def rejects(self) -> list[dict]:
        path = self.folder / "rejects.jsonl"
        if not path.exists():
            return []
        return [decode_json(line) for line in path.read_bytes().split(b"\n") if line]

    def id_map(self) -> dict:
        """The ID map's entries for this shop (the file keeps one map per shop and store)."""
        path = self.folder / "id-map.json"
        if not path.exists():
            return {}
        return json.loads(path.read_text())["scopes"].get(
            shop_scope(self.magento.base_url, "default"), {}
        )

    def pending(self) -> dict:
        path = self.folder / "pending.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def pending_catalog(self, name: str = "pending-catalog.json") -> dict:
        path = self.folder / name
        return json.loads(path.read_text()) if path.exists() else {}

    # What the shop holds

    def table(self, name: str) -> list[dict]:
        return self.magento.admin("GET", "/_emulator/dump")[name]

    def client(self) -> MagentoClient:
        return MagentoClient(self.magento.base_url, AuthSettings(**oauth_config(self.magento)))

    def order(self, increment_id: str) -> dict:
        (order,) = [o for o in self.table("orders") if o["increment_id"] == increment_id]
        return order

    def invoice_comments(self, increment_id: str) -> list[str]:
        order = self.order(increment_id)
        invoices = self.client().search("V1/invoices", [[("order_id", order["entity_id"], "eq")]])
        return [c["comment"] for invoice in invoices for c in invoice.get("comments") or []]

    def region_id(self, country: str, code: str) -> int:
        entry = self.magento.admin("GET", f"/rest/V1/directory/countries/{country}")
        return int(next(r["id"] for r in entry["available_regions"] if r["code"] == code))

    @staticmethod
    def url_key(entity: dict) -> str | None:
        for attribute in entity.get("custom_attributes") or []:
            if attribute["attribute_code"] == "url_key":
                return str(attribute["value"])
        return None

    @staticmethod
    def category_ids(product: dict) -> list[int]:
        links = (product.get("extension_attributes") or {}).get("category_links") or []
        return sorted(int(link["category_id"]) for link in links)

    @staticmethod
    def addresses_of(customer: dict) -> list[dict]:
        return customer.get("addresses") or []

    # Shop set-up done by others than the target

    def create_customer(self, email: str, firstname: str, lastname: str) -> dict:
        body = {"customer": {"email": email, "firstname": firstname, "lastname": lastname}}
        return self.magento.admin("POST", "/rest/default/V1/customers", body)

    def create_product(self, sku: str, name: str, key: str) -> dict:
        product = {
            "sku": sku,
            "name": name,
            "price": 1,
            "attribute_set_id": 4,
            "type_id": "simple",
            "custom_attributes": [{"attribute_code": "url_key", "value": key}],
        }
        return self.client().request(
            "PUT", f"V1/products/{sku}", store="all", body={"product": product}
        )

    def add_order(self, increment_id: str, email: str, items: list[dict]) -> dict:
        body = {"increment_id": increment_id, "customer_email": email, "items": items}
        return self.magento.admin("POST", "/_emulator/orders", body)

    # Requests and faults

    def reset_stats(self) -> None:
        self.magento.admin("POST", "/_emulator/stats/reset", {})

    def total_requests(self) -> int:
        return int(self.magento.admin("GET", "/_emulator/stats")["total"])

    def request_count(self, method: str, pattern: str) -> int:
        """Requests whose route template (e.g. `/V1/products/:sku`) matches `pattern`."""
        routes = self.magento.admin("GET", "/_emulator/stats")["routes"]
        total = 0
        for key, count in routes.items():
            route_method, _, template = key.partition(" ")
            if route_method == method and re.search(pattern, template):
                total += count
        return total

    def fault(self, kind: str, **options: t.Any) -> None:
        self.magento.admin("POST", "/_emulator/faults", {"kind": kind, **options})

    def faults_left(self) -> int:
        return len(self.magento.admin("GET", "/_emulator/faults"))


def summary(target: TargetMagento) -> dict[str, dict[str, int]]:
    """The run's counts of its input records."""
    return target.loader.run.summary.as_dict()


def carried(target: TargetMagento) -> dict[str, dict[str, int]]:
    """The run's counts of the records earlier runs left (open bulks, waiting, pending)."""
    return target.loader.run.carried.as_dict()


# ---------------------------------------------------------------------------------------------
# The real command

COMMAND = str(Path(sys.executable).with_name("target-magento"))


@dataclass
class CommandRun:
    """What one `target-magento` process reported: its counts (input, carried over) and log."""

    summary: dict[str, dict[str, int]]
    carried: dict[str, dict[str, int]]
    log: str


def run_command(shop: t.Any, folder: Path, messages: list[dict], **overrides: t.Any) -> CommandRun:
    """`target-magento --config FILE` with `messages` on stdin, its files in `folder`.

    The reject file is emptied first, so it holds this run's rejects only.
    """
    config = {
        "base_url": shop.base_url,
        **oauth_config(shop),
        "reject_file": str(folder / "rejects.jsonl"),
        "id_map_file": str(folder / "id-map.json"),
        "pending_invoices_file": str(folder / "pending.json"),
        "pending_catalog_file": str(folder / "pending-catalog.json"),
        **overrides,
    }
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    (folder / "rejects.jsonl").unlink(missing_ok=True)
    completed = subprocess.run(
        [COMMAND, "--config", str(config_file)],
        input=to_lines(messages),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    summary, carried = summary_table(completed.stderr)
    return CommandRun(summary, carried, completed.stderr)


def summary_table(log: str) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """The end-of-run table: this run's counts by stream, and what earlier runs left."""
    assert log.count(f"| {TITLE}: ") == 1
    rows = read_table(log.splitlines(), f"{TITLE}:")
    counts = {name: {k: int(v) for k, v in row.items()} for name, row in rows.items()}
    total = counts.pop("total", None)
    summary = {name: row for name, row in counts.items() if not name.startswith(EARLIER)}
    if total is not None:
        assert total == {o: sum(row[o] for row in summary.values()) for o in total}
    carried = {n.removeprefix(EARLIER): row for n, row in counts.items() if n.startswith(EARLIER)}
    return summary, carried
