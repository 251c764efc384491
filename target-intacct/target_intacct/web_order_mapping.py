"""Magento orders (as tap-magento emits them) → Intacct sales orders: the mapping, no I/O.

`increment_id` becomes the reference number (PONUMBER, which target-magento's invoice flow
matches on), `created_at` (UTC) the date, the buyer's email the customer (found, or created
from the order's names and billing address), `order_currency_code` the currency (one of the
company's: the `currencies` setting), each item without `parent_item_id` a line (`sku`,
`qty_ordered`, `price` before tax, `name`). Shipping, discount and tax become the transaction
definition's subtotals (Shipping, Discount, Tax), as Order Entry keeps them, or, with
`charges: lines`, lines of non-inventory charge items.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)
CHARGES = ("subtotals", "lines")
UNKNOWN_SKU = ("wait", "reject")
CHARGE_NAMES = {"shipping": "Shipping", "discount": "Discount", "tax": "Tax"}
DEFAULT_CHARGE_ITEMS = {"shipping": "SHIPPING", "discount": "DISCOUNT", "tax": "SALES-TAX"}
CANCELED_STATES = frozenset({"canceled"})


class OrderError(ValueError):
    """An order that cannot become a sales order; `field` names the Magento field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class OrderSettings:
    """The `web_orders` setting, resolved."""

    stream: str = "orders"
    transaction_definition: str = "Sales Order"
    customer_id_template: str = "MAG-{customer_id}"
    guest_customer_id_template: str = "MAG-G-{email_hash}"
    currencies: tuple[str, ...] = ("USD",)
    charges: str = "subtotals"
    charge_items: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CHARGE_ITEMS))
    unknown_sku: str = "wait"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OrderSettings:
        own = dict(config.get("web_orders") or {})
        defaults = cls()
        settings = cls(
            stream=own.get("stream") or defaults.stream,
            transaction_definition=own.get("transaction_definition")
            or defaults.transaction_definition,
            customer_id_template=own.get("customer_id_template") or defaults.customer_id_template,
            guest_customer_id_template=own.get("guest_customer_id_template")
            or defaults.guest_customer_id_template,
            currencies=tuple(c.upper() for c in own.get("currencies") or defaults.currencies),
            charges=own.get("charges") or defaults.charges,
            charge_items={**DEFAULT_CHARGE_ITEMS, **(own.get("charge_items") or {})},
            unknown_sku=own.get("unknown_sku") or defaults.unknown_sku,
        )
        if settings.charges not in CHARGES:
            raise ValueError(f"web_orders.charges must be one of {CHARGES}")
        if settings.unknown_sku not in UNKNOWN_SKU:
            raise ValueError(f"web_orders.unknown_sku must be one of {UNKNOWN_SKU}")
        for name in ("customer_id_template", "guest_customer_id_template"):
            try:
                getattr(settings, name).format(customer_id=1, email_hash="h", increment_id="1")
            except (KeyError, IndexError, ValueError) as exc:
                msg = f"web_orders.{name} may use {{customer_id}}, {{email_hash}}, {{increment_id}}"
                raise ValueError(msg) from exc
        return settings


@dataclass
class OrderLine:
    """One `sotransitem`; `source` is the Magento field it came from (named in errors)."""

    item_id: str
    quantity: Decimal
    price: Decimal
    description: str | None
    source: str


@dataclass
class WebOrder:
    """A Magento order ready to be written, or compared with its Intacct sales order."""

    increment_id: str
    email: str
    customer_id_wanted: str
    customer_name: str
    first_name: str
    last_name: str
    address: dict[str, Any]
    created: date
    currency: str
    canceled: bool
    lines: list[OrderLine]
    subtotals: list[tuple[str, Decimal]]
    record: dict[str, Any]

    def header(self, transaction_definition: str, customer_id: str) -> dict[str, Any]:
        """The `create_sotransaction` fields other than the lines."""
        fields: dict[str, Any] = {
            "transactiontype": transaction_definition,
            "datecreated": self.created,
            "customerid": customer_id,
            "referenceno": self.increment_id,
            "currency": self.currency,
        }
        return fields

    def sotransitems(self, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
        items = []
        for line in self.lines:
            item: dict[str, Any] = {"itemid": line.item_id, "itemdesc": line.description}
            item |= {"quantity": line.quantity, "price": line.price}
            for setting, name in (("location", "locationid"), ("department", "departmentid")):
                if defaults.get(setting):
                    item[name] = defaults[setting]
            items.append({k: v for k, v in item.items() if v is not None})
        return items

    def subtotal_elements(self) -> list[dict[str, Any]]:
        return [{"description": name, "total": total} for name, total in self.subtotals]


def money(record: Mapping[str, Any], name: str, where: str | None = None) -> Decimal:
    """A Magento amount, exact (JSON numbers arrive as Decimal, kept ones as text)."""
    value = record.get(name)
    if value is None or value == "":
        return ZERO
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise OrderError(where or name, f"{value!r} is not a number") from None


def email_hash(email: str) -> str:
    """A short, stable id part for a guest's email (the email itself may not fit an ID)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10].upper()


def _created(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value.replace(" ", "T"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
    raise OrderError("created_at", "is missing")


def _address(record: Mapping[str, Any]) -> dict[str, Any]:
    billing = record.get("billing_address") or {}
    street = billing.get("street") or []
    return {
        "ADDRESS1": street[0] if street else None,
        "ADDRESS2": street[1] if len(street) > 1 else None,
        "CITY": billing.get("city"),
        "STATE": billing.get("region_code") or billing.get("region"),
        "ZIP": billing.get("postcode"),
        "COUNTRYCODE": billing.get("country_id"),
    }


def web_order(record: dict[str, Any], settings: OrderSettings) -> WebOrder:
    """Check and map one order; `OrderError` names the field that stops it."""
    increment_id = str(record.get("increment_id") or "").strip()
    if not increment_id:
        raise OrderError("increment_id", "is missing")
    email = str(record.get("customer_email") or "").strip()
    if not email or "@" not in email:
        raise OrderError("customer_email", "is missing; Intacct customers are matched by email")
    currency = str(record.get("order_currency_code") or "").upper()
    if currency not in settings.currencies:
        raise OrderError(
            "order_currency_code",
            f"{currency or 'none'} is not a currency of the Intacct company "
            f"(web_orders.currencies: {', '.join(settings.currencies)})",
        )
    lines = []
    for index, item in enumerate(record.get("items") or []):
        if item.get("parent_item_id"):  # a configurable's child: its parent carries the price
            continue
        where = f"items[{index}]"
        sku = str(item.get("sku") or "").strip()
        if not sku:
            raise OrderError(f"{where}.sku", "is missing")
        quantity = money(item, "qty_ordered", f"{where}.qty_ordered")
        if quantity <= ZERO:
            raise OrderError(f"{where}.qty_ordered", "must be positive")
        price = money(item, "price", f"{where}.price")
        lines.append(OrderLine(sku, quantity, price, item.get("name"), f"{where}.sku"))
    if not lines:
        raise OrderError("items", "the order has no lines")
    charges = {
        "shipping": money(record, "shipping_amount"),
        "discount": money(record, "discount_amount"),  # Magento stores it negative
        "tax": money(record, "tax_amount"),
    }
    subtotals: list[tuple[str, Decimal]] = []
    for kind, amount in charges.items():
        if amount == ZERO:
            continue
        if settings.charges == "subtotals":
            subtotals.append((CHARGE_NAMES[kind], amount))
        else:
            quantity, price = Decimal(1), amount
            item_id = settings.charge_items[kind]
            source = f"web_orders.charge_items.{kind}"
            lines.append(OrderLine(item_id, quantity, price, CHARGE_NAMES[kind], source))
    customer_id = record.get("customer_id")
    guest = bool(record.get("customer_is_guest")) or not customer_id
    template = settings.guest_customer_id_template if guest else settings.customer_id_template
    wanted = template.format(
        customer_id=customer_id or "", email_hash=email_hash(email), increment_id=increment_id
    )
    first = str(record.get("customer_firstname") or "").strip()
    last = str(record.get("customer_lastname") or "").strip()
    company = (record.get("billing_address") or {}).get("company")
    return WebOrder(
        increment_id=increment_id,
        email=email,
        customer_id_wanted=wanted[:20],
        customer_name=str(company or f"{first} {last}".strip() or email),
        first_name=first,
        last_name=last,
        address=_address(record),
        created=_created(record.get("created_at")),
        currency=currency,
        canceled=str(record.get("state") or "") in CANCELED_STATES,
        lines=lines,
        subtotals=subtotals,
        record=record,
    )


def new_customer(order: WebOrder) -> dict[str, Any]:
    """The generic `create` fields of the Intacct customer an order's buyer becomes."""
    fields: dict[str, Any] = {
        "CUSTOMERID": order.customer_id_wanted,
        "NAME": order.customer_name[:100],
        "DISPLAYCONTACT.PRINTAS": order.customer_name[:200],
        "DISPLAYCONTACT.FIRSTNAME": order.first_name or None,
        "DISPLAYCONTACT.LASTNAME": order.last_name or None,
        "DISPLAYCONTACT.EMAIL1": order.email,
        **{f"DISPLAYCONTACT.MAILADDRESS.{k}": v for k, v in order.address.items()},
    }
    return {k: v for k, v in fields.items() if v not in (None, "")}


def same_lines(order: WebOrder, stored: list[Mapping[str, Any]]) -> bool:
    """Whether the Intacct order's lines already hold the Magento order's items."""

    def key(item_id: Any, quantity: Any, price: Any) -> tuple[str, Decimal, Decimal]:
        return (str(item_id).upper(), Decimal(str(quantity or 0)), Decimal(str(price or 0)))

    wanted = sorted(key(line.item_id, line.quantity, line.price) for line in order.lines)
    have = sorted(key(row.get("ITEMID"), row.get("QUANTITY"), row.get("PRICE")) for row in stored)
    return wanted == have
