"""A keyset page of orders walks an index, not a sort of the whole table.

tap-magento reads orders sorted on (updated_at, entity_id) from a bookmark. SQLite's progress
handler counts the virtual-machine steps of that request over real HTTP. The answer's
`total_count` costs a walk of the matching index entries (a few steps per order, as Magento's
COUNT does); an `updated_at` index whose collation does not match the comparison's makes every
page decode and sort every order instead (about 18 steps per order).
"""

from __future__ import annotations

from connector_emulators import demo_data
from connector_emulators.magento import sales
from emulator_magento_support import criteria
from test_intacct_scale import vm_steps
from test_magento_schema import check

GROWN = 3000  # orders added between the two measurements
STEPS_PER_ORDER = 5  # at most, for each order added
PAGE = 50
ITEM = next(item for item in demo_data.ITEMS if item.active)
ADDRESS = {
    "firstname": "Sam",
    "lastname": "Buyer",
    "street": ["1 Main St"],
    "city": "Boston",
    "postcode": "02110",
    "country_id": "US",
    "telephone": "+1 617 555 0100",
}


def place_orders(shop, first: int, count: int) -> None:
    with shop.store.transaction():
        for number in range(first, first + count):
            sales.create_order(
                shop.store,
                increment_id=f"9{number:08d}",
                customer_email=f"buyer{number}@scale.example",
                created_at=f"2030-01-01 00:{number // 60 % 60:02d}:{number % 60:02d}",
                guest=True,
                billing_address=ADDRESS,
                items=[{"sku": ITEM.item_id, "name": ITEM.name, "qty": 1, "price": ITEM.price}],
            )


def keyset_page_cost(shop, api) -> int:
    """VM steps of one page after a bookmark, the way tap-magento asks for it."""
    params = criteria(
        [("updated_at", "2000-01-01 00:00:00", "gt")],
        **{
            "sortOrders][0][field": "updated_at",
            "sortOrders][0][direction": "ASC",
            "sortOrders][1][field": "entity_id",
            "sortOrders][1][direction": "ASC",
            "pageSize": PAGE,
        },
    )
    with vm_steps(shop) as steps:
        answer = api.get(api.base + "/V1/orders", params=params)
    assert len(check("GET", "/V1/orders", answer)["items"]) == PAGE
    return steps[0]


def test_a_keyset_page_of_orders_costs_the_same_in_a_busy_shop(shop, api):
    place_orders(shop, 0, PAGE)
    small = keyset_page_cost(shop, api)
    place_orders(shop, PAGE, GROWN)
    large = keyset_page_cost(shop, api)
    assert (large - small) / GROWN < STEPS_PER_ORDER, (small, large)
