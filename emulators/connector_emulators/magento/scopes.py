"""Websites, store groups, store views and their configuration, as a fresh single-store install.

Client libraries call `GET /V1/store/storeViews` or `storeConfigs` first, to check a token and to
learn the store codes and base currency. A fresh install has the admin scope (website, group and
store 0) and one storefront: website `base`, group `main_website_store` rooted at category 2, store
view `default`. `storeConfigs` lists storefront views only, as `StoreConfigManager` does.
"""

from __future__ import annotations

from typing import Any

from .common import Call

BASE_CURRENCY = "USD"
# Currencies allowed in the storefront, with their symbols and the rate from the base (the demo
# shop sells in euros too: see demo_data.WEB_ORDERS).
CURRENCIES = {"USD": ("$", 1.0), "EUR": ("€", 0.92)}
WEBSITES = (
    {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
)
STORE_GROUPS = (
    {"id": 0, "website_id": 0, "root_category_id": 0, "default_store_id": 0, "name": "Default",
     "code": "default"},
    {"id": 1, "website_id": 1, "root_category_id": 2, "default_store_id": 1,
     "name": "Main Website Store", "code": "main_website_store"},
)  # fmt: skip
STORE_VIEWS = (
    {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0,
     "is_active": 1},
    {"id": 1, "code": "default", "name": "Default Store View", "website_id": 1,
     "store_group_id": 1, "is_active": 1},
)  # fmt: skip
STORE_CONFIG = {  # config.xml defaults of a fresh install
    "locale": "en_US",
    "base_currency_code": BASE_CURRENCY,
    "default_display_currency_code": BASE_CURRENCY,
    "timezone": "America/Los_Angeles",
    "weight_unit": "lbs",
}


def websites(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/store/websites`."""
    return [dict(w) for w in WEBSITES]


def store_groups(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/store/storeGroups`."""
    return [dict(g) for g in STORE_GROUPS]


def store_views(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/store/storeViews`."""
    return [dict(s) for s in STORE_VIEWS]


def store_configs(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/store/storeConfigs[?storeCodes[]=...]`: storefront views, or those named."""
    raw = call.query.get("storeCodes")
    wanted = set(raw.values() if isinstance(raw, dict) else [raw]) if raw else None
    base = call.base_url.rstrip("/") + "/"
    urls = {
        "base_url": base,
        "base_link_url": base,
        "base_static_url": base + "static/",
        "base_media_url": base + "media/",
    }
    secure = {f"secure_{name}": url for name, url in urls.items()}
    return [
        {"id": view["id"], "code": view["code"], "website_id": view["website_id"]}
        | STORE_CONFIG
        | urls
        | secure
        for view in STORE_VIEWS
        if view["id"] != 0 and (wanted is None or view["code"] in wanted)
    ]


def currency(call: Call) -> dict[str, Any]:
    """`GET /V1/directory/currency`: base and display currency, allowed codes and rates."""
    symbol = CURRENCIES[BASE_CURRENCY][0]
    return {
        "base_currency_code": BASE_CURRENCY,
        "base_currency_symbol": symbol,
        "default_display_currency_code": BASE_CURRENCY,
        "default_display_currency_symbol": symbol,
        "available_currency_codes": list(CURRENCIES),
        "exchange_rates": [
            {"currency_to": code, "rate": rate} for code, (_, rate) in CURRENCIES.items()
        ],
    }
