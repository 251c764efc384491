"""The demo business shared by both emulators.

The Intacct emulator seeds its `demo` company from these rows and the Magento emulator seeds its
shop from the same rows, so that `meltano run tap-intacct target-magento` has orders to invoice.
The data is deliberately nasty: markup characters, unicode, long texts, empty optional fields,
customers without email or postcode, a duplicated email, inactive records, two items sharing a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ProductLine:
    """An Intacct product line; becomes a Magento category."""

    line_id: str
    description: str
    parent_id: str | None = None


@dataclass(frozen=True)
class Item:
    """An Intacct item; becomes a Magento product whose SKU is the item ID."""

    item_id: str
    name: str
    product_line_id: str | None
    price: Decimal
    weight: Decimal | None = None
    active: bool = True
    item_type: str = "Inventory"
    extended_description: str = ""


@dataclass(frozen=True)
class Customer:
    """An Intacct customer with its display contact; becomes a Magento customer."""

    customer_id: str
    name: str
    first_name: str
    last_name: str
    email: str | None
    address1: str
    city: str
    state: str | None
    postcode: str | None
    country: str
    phone: str = ""
    active: bool = True
    credit_limit: Decimal | None = None
    # A custom field defined for the demo company (see the Intacct seed): loyalty tier.
    loyalty_tier: str | None = None


@dataclass(frozen=True)
class OrderLine:
    """One line of a sales order or sales invoice."""

    item_id: str
    quantity: Decimal
    price: Decimal


@dataclass(frozen=True)
class SalesOrder:
    """An Intacct Sales Order; `magento_increment_id` is its PONUMBER.

    `in_magento` tells whether the shop holds the order, so that invoices for orders that Magento
    never saw are skipped with a reason.
    """

    doc_no: str
    customer_id: str
    date: str  # MM/DD/YYYY
    magento_increment_id: str
    lines: tuple[OrderLine, ...]
    in_magento: bool = True


@dataclass(frozen=True)
class SalesInvoice:
    """An Intacct Sales Invoice created from a sales order (CREATEDFROM, PONUMBER copied)."""

    doc_no: str
    created_from: str  # the sales order's doc_no
    date: str
    lines: tuple[OrderLine, ...] = field(default=())  # empty: invoice the whole order


PRODUCT_LINES: tuple[ProductLine, ...] = (
    ProductLine("HW", "Hardware"),
    ProductLine("HW-FAST", "Fasteners & Fixings", "HW"),
    ProductLine("HW-FAST-SS", "Stainless <A4> screws", "HW-FAST"),
    ProductLine("TOOLS", "Tools"),
    ProductLine("TOOLS-PWR", "Power tools", "TOOLS"),
    ProductLine("GARDEN", "Jardinería y Exterior"),
)

ITEMS: tuple[Item, ...] = (
    Item("SCREW-100", "Wood screw 4x40 (box of 100)", "HW-FAST", Decimal("7.49"), Decimal("0.45")),
    Item(
        "SCREW-A4-50",
        "Stainless screw A4 5x50 'marine'",
        "HW-FAST-SS",
        Decimal("12.90"),
        Decimal("0.30"),
    ),
    Item("ANCHOR-8", "Wall anchor 8mm & screw set", "HW-FAST", Decimal("4.25"), Decimal("0.20")),
    Item(
        "DRILL-18V",
        "Cordless drill 18V",
        "TOOLS-PWR",
        Decimal("129.00"),
        Decimal("1.80"),
        extended_description="Brushless motor, two batteries, charger. " * 12,
    ),
    Item("SAW-CIRC", 'Circular saw "Pro" 1400W', "TOOLS-PWR", Decimal("189.99"), Decimal("4.10")),
    Item("HAMMER-1", "Claw hammer", "TOOLS", Decimal("19.95"), Decimal("0.65")),
    Item("HAMMER-2", "Claw hammer", "TOOLS", Decimal("24.95"), Decimal("0.80")),
    Item("HOSE-25", "Manguera de jardín 25 m", "GARDEN", Decimal("34.50"), Decimal("2.30")),
    Item("GNOME-1", "Gartenzwerg „Günther“", "GARDEN", Decimal("15.00"), Decimal("1.20")),
    Item("OLD-LEVEL", "Spirit level (discontinued)", "TOOLS", Decimal("9.99"), None, active=False),
    Item(
        "INSTALL-HR",
        "Installation service, per hour",
        None,
        Decimal("65.00"),
        None,
        item_type="Non-Inventory",
    ),
)

CUSTOMERS: tuple[Customer, ...] = (
    Customer(
        "C-1001",
        "Acme Hardware & Sons",
        "Ada",
        "Acme",
        "ap@acme.example",
        "1 Main Street",
        "Springfield",
        "IL",
        "62701",
        "US",
        "+1 217 555 0101",
        credit_limit=Decimal("5000.00"),
        loyalty_tier="Gold",
    ),
    Customer(
        "C-1002",
        "O'Brien <Builders> Ltd",
        "Seán",
        "O'Brien",
        "accounts@obrien.example",
        "22 Quay Road",
        "Dublin",
        None,
        "D02 X285",
        "IE",
        "+353 1 555 0102",
        loyalty_tier="Silver",
    ),
    Customer(
        "C-1003",
        "Müller Gärten GmbH",
        "Jürgen",
        "Müller",
        "jm@mueller-gaerten.example",
        "Gartenstraße 5",
        "München",
        None,
        "80331",
        "DE",
        "+49 89 5550103",
    ),
    Customer(
        "C-1004",
        "Bay Area Builders",
        "Grace",
        "Hopper",
        "grace@bab.example",
        "500 Market St",
        "San Francisco",
        "CA",
        "94105",
        "US",
        "+1 415 555 0104",
        credit_limit=Decimal("12500.50"),
    ),
    Customer(
        "C-1005",
        "No Email Carpentry",
        "Nils",
        "Noemail",
        None,
        "9 Birch Lane",
        "Albany",
        "NY",
        "12207",
        "US",
        "+1 518 555 0105",
    ),
    Customer(
        "C-1006",
        "Postcode-less Plumbing",
        "Pat",
        "Plumber",
        "pat@plumbing.example",
        "77 Pipe Street",
        "Austin",
        "TX",
        None,
        "US",
        "+1 512 555 0106",
    ),
    Customer(
        "C-1007",
        "Acme Hardware West",
        "Ada",
        "Acme",
        "ap@acme.example",
        "2 West Road",
        "Portland",
        "OR",
        "97201",
        "US",
        "+1 503 555 0107",
    ),
    Customer(
        "C-1008",
        "東京ツール株式会社",
        "Hiro",
        "Tanaka",
        "hiro@tokyo-tools.example",
        "1-1 Chiyoda",
        "Tokyo",
        None,
        "100-0001",
        "JP",
        "+81 3 5550 0108",
    ),
    Customer(
        "C-1009",
        "Dormant Decorators",
        "Dora",
        "Dormant",
        "dora@dormant.example",
        "3 Quiet Close",
        "Boston",
        "MA",
        "02108",
        "US",
        "+1 617 555 0109",
        active=False,
    ),
    Customer(
        "C-1010",
        "Long Name Landscaping " + "and Garden Design " * 3,
        "Lena",
        "Long",
        "lena@longname.example",
        "1000 Very Long Avenue, Building 7, Suite 1200",
        "Seattle",
        "WA",
        "98101",
        "US",
        "+1 206 555 0110",
        loyalty_tier="Bronze",
    ),
)

SALES_ORDERS: tuple[SalesOrder, ...] = (
    SalesOrder(
        "SO-0001",
        "C-1001",
        "10/01/2026",
        "000000101",
        (
            OrderLine("SCREW-100", Decimal("10"), Decimal("7.49")),
            OrderLine("DRILL-18V", Decimal("1"), Decimal("129.00")),
        ),
    ),
    SalesOrder(
        "SO-0002",
        "C-1004",
        "10/03/2026",
        "000000102",
        (OrderLine("SAW-CIRC", Decimal("2"), Decimal("189.99")),),
    ),
    SalesOrder(
        "SO-0003",
        "C-1003",
        "10/05/2026",
        "000000103",
        (
            OrderLine("HOSE-25", Decimal("3"), Decimal("34.50")),
            OrderLine("GNOME-1", Decimal("1"), Decimal("15.00")),
        ),
    ),
    SalesOrder(
        "SO-0004",
        "C-1002",
        "10/07/2026",
        "000000104",
        (OrderLine("ANCHOR-8", Decimal("20"), Decimal("4.25")),),
        in_magento=False,
    ),
    SalesOrder(
        "SO-0005",
        "C-1008",
        "10/09/2026",
        "000000105",
        (
            OrderLine("HAMMER-1", Decimal("4"), Decimal("19.95")),
            OrderLine("HAMMER-2", Decimal("2"), Decimal("24.95")),
        ),
    ),
)

SALES_INVOICES: tuple[SalesInvoice, ...] = (
    SalesInvoice("INV-0001", "SO-0001", "10/02/2026"),
    SalesInvoice(
        "INV-0002",
        "SO-0002",
        "10/04/2026",
        (OrderLine("SAW-CIRC", Decimal("1"), Decimal("189.99")),),
    ),
    SalesInvoice("INV-0003", "SO-0004", "10/08/2026"),
    SalesInvoice("INV-0004", "SO-0005", "10/10/2026"),
)

# Magento's own demo credentials; the Intacct ones live in the Intacct emulator.
MAGENTO_ADMIN_USERNAME = "admin"
MAGENTO_ADMIN_PASSWORD = "admin123"


@dataclass(frozen=True)
class WebOrder:
    """An order placed on the Magento storefront, not yet in Intacct (tap-magento brings it).

    `customer_id` names the demo customer who placed it (None: a guest with `email`); `currency`
    other than USD is the store's display currency at `rate` to the base (USD); `cancelled`
    orders were cancelled in Magento after placement.
    """

    increment_id: str
    customer_id: str | None
    placed: str  # Magento's UTC "YYYY-MM-DD HH:MM:SS"
    lines: tuple[OrderLine, ...]
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    currency: str = "USD"
    rate: Decimal = Decimal(1)
    shipping: Decimal = Decimal("5.00")
    discount_percent: Decimal = Decimal(0)
    coupon_code: str | None = None
    tax_percent: Decimal = Decimal(0)
    cancelled: bool = False
    comment: str | None = None


WEB_ORDERS: tuple[WebOrder, ...] = (
    WebOrder(
        "000000201",
        "C-1004",
        "2026-11-02 09:15:04",
        (
            OrderLine("DRILL-18V", Decimal("1"), Decimal("129.00")),
            OrderLine("SCREW-100", Decimal("3"), Decimal("7.49")),
        ),
        tax_percent=Decimal("8.25"),
        comment="Please deliver to the site office.",
    ),
    WebOrder(
        "000000202",
        "C-1010",
        "2026-11-02 11:40:17",
        (OrderLine("HOSE-25", Decimal("2"), Decimal("34.50")),),
        discount_percent=Decimal("10"),
        coupon_code="GARDEN10",
    ),
    WebOrder(
        "000000203",
        None,
        "2026-11-03 08:05:55",
        (
            OrderLine("HAMMER-1", Decimal("1"), Decimal("19.95")),
            OrderLine("ANCHOR-8", Decimal("5"), Decimal("4.25")),
        ),
        email="walk.in@example.net",
        first_name="Wanda",
        last_name="Walkin",
    ),
    WebOrder(
        "000000204",
        "C-1002",
        "2026-11-03 14:22:31",
        (
            OrderLine("SCREW-A4-50", Decimal("4"), Decimal("11.87")),
            OrderLine("GNOME-1", Decimal("1"), Decimal("13.80")),
        ),
        currency="EUR",
        rate=Decimal("0.92"),
        shipping=Decimal("4.60"),
    ),
    WebOrder(
        "000000205",
        "C-1003",
        "2026-11-04 07:48:09",
        (OrderLine("SAW-CIRC", Decimal("1"), Decimal("189.99")),),
        cancelled=True,
    ),
    WebOrder(
        "000000206",
        "C-1004",
        "2026-11-03 14:22:31",
        (OrderLine("INSTALL-HR", Decimal("2"), Decimal("65.00")),),
        shipping=Decimal(0),
    ),
)
