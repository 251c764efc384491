"""Request-body conversion the way Magento's ServiceInputProcessor does it.

Each data interface is one row of `INTERFACES`: field name (snake_case) → type. A type is a scalar
name (`int`, `float`, `string`, `bool`, `mixed`), another interface name, or a one-element list for
arrays. Keys may arrive in snake_case or camelCase; an unknown key is refused with the field name in
UpperCamelCase; a scalar of the wrong type is refused with Magento's "Error occurred during ..."
message. The output is a plain dict with snake_case keys.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from .errors import NOT_SUPPORTED, MagentoError, input_error

Type = str | list[str]

ATTRIBUTE: dict[str, Type] = {"attribute_code": "string", "value": "mixed"}

INTERFACES: dict[str, dict[str, Type]] = {
    "attribute": ATTRIBUTE,
    "customer": {
        "id": "int",
        "group_id": "int",
        "default_billing": "string",
        "default_shipping": "string",
        "confirmation": "string",
        "created_at": "string",
        "updated_at": "string",
        "created_in": "string",
        "dob": "string",
        "email": "string",
        "firstname": "string",
        "lastname": "string",
        "middlename": "string",
        "prefix": "string",
        "suffix": "string",
        "gender": "int",
        "store_id": "int",
        "taxvat": "string",
        "website_id": "int",
        "addresses": ["address"],
        "disable_auto_group_change": "int",
        "extension_attributes": "customer_extension",
        "custom_attributes": ["attribute"],
    },
    "customer_extension": {"is_subscribed": "bool", "assistance_allowed": "int"},
    "address": {
        "id": "int",
        "customer_id": "int",
        "region": "region",
        "region_id": "int",
        "country_id": "string",
        "street": ["string"],
        "company": "string",
        "telephone": "string",
        "fax": "string",
        "postcode": "string",
        "city": "string",
        "firstname": "string",
        "lastname": "string",
        "middlename": "string",
        "prefix": "string",
        "suffix": "string",
        "vat_id": "string",
        "default_shipping": "bool",
        "default_billing": "bool",
        "extension_attributes": "empty_extension",
        "custom_attributes": ["attribute"],
    },
    "region": {
        "region_code": "string",
        "region": "string",
        "region_id": "int",
        "extension_attributes": "empty_extension",
    },
    "empty_extension": {},
    "category": {
        "id": "int",
        "parent_id": "int",
        "name": "string",
        "is_active": "bool",
        "position": "int",
        "level": "int",
        "children": "string",
        "created_at": "string",
        "updated_at": "string",
        "path": "string",
        "available_sort_by": ["string"],
        "include_in_menu": "bool",
        "extension_attributes": "empty_extension",
        "custom_attributes": ["attribute"],
    },
    "product": {
        "id": "int",
        "sku": "string",
        "name": "string",
        "attribute_set_id": "int",
        "price": "float",
        "status": "int",
        "visibility": "int",
        "type_id": "string",
        "created_at": "string",
        "updated_at": "string",
        "weight": "float",
        "extension_attributes": "product_extension",
        "product_links": ["mixed"],
        "options": ["mixed"],
        "media_gallery_entries": ["mixed"],
        "tier_prices": ["mixed"],
        "custom_attributes": ["attribute"],
    },
    "product_extension": {
        "website_ids": ["int"],
        "category_links": ["category_link"],
        "stock_item": "stock_item",
        "discounts": ["mixed"],
        "bundle_product_options": ["mixed"],
        "downloadable_product_links": ["mixed"],
        "downloadable_product_samples": ["mixed"],
        "giftcard_amounts": ["mixed"],
        "configurable_product_options": ["mixed"],
        "configurable_product_links": ["int"],
    },
    "category_link": {
        "position": "int",
        "category_id": "string",
        "extension_attributes": "empty_extension",
    },
    "stock_item": {
        "item_id": "int",
        "product_id": "int",
        "stock_id": "int",
        "qty": "float",
        "is_in_stock": "bool",
        "is_qty_decimal": "bool",
        "show_default_notification_message": "bool",
        "use_config_min_qty": "bool",
        "min_qty": "float",
        "use_config_min_sale_qty": "int",
        "min_sale_qty": "float",
        "use_config_max_sale_qty": "bool",
        "max_sale_qty": "float",
        "use_config_backorders": "bool",
        "backorders": "int",
        "use_config_notify_stock_qty": "bool",
        "notify_stock_qty": "float",
        "use_config_qty_increments": "bool",
        "qty_increments": "float",
        "use_config_enable_qty_inc": "bool",
        "enable_qty_increments": "bool",
        "use_config_manage_stock": "bool",
        "manage_stock": "bool",
        "low_stock_date": "string",
        "is_decimal_divided": "bool",
        "stock_status_changed_auto": "int",
        "extension_attributes": "empty_extension",
    },
    "invoice_item": {
        "order_item_id": "int",
        "qty": "float",
        "extension_attributes": "empty_extension",
    },
    "invoice_comment": {
        "comment": "string",
        "is_visible_on_front": "int",
        "extension_attributes": "empty_extension",
    },
    "invoice_arguments": {"extension_attributes": "empty_extension"},
    "shipment_item": {
        "order_item_id": "int",
        "qty": "float",
        "extension_attributes": "empty_extension",
    },
    "shipment_track": {
        "track_number": "string",
        "title": "string",
        "carrier_code": "string",
        "extension_attributes": "empty_extension",
    },
    "shipment_comment": {
        "comment": "string",
        "is_visible_on_front": "int",
        "extension_attributes": "empty_extension",
    },
    "creditmemo_item": {
        "order_item_id": "int",
        "qty": "float",
        "extension_attributes": "empty_extension",
    },
    "creditmemo_arguments": {
        "shipping_amount": "float",
        "adjustment_positive": "float",
        "adjustment_negative": "float",
        "extension_attributes": "empty_extension",
    },
    "status_history": {
        "comment": "string",
        "created_at": "string",
        "entity_id": "int",
        "entity_name": "string",
        "is_customer_notified": "int",
        "is_visible_on_front": "int",
        "parent_id": "int",
        "status": "string",
        "extension_attributes": "empty_extension",
    },
    "search_criteria": {
        "filter_groups": ["filter_group"],
        "sort_orders": ["sort_order"],
        "page_size": "int",
        "current_page": "int",
    },
    "filter_group": {"filters": ["filter"]},
    "filter": {"field": "string", "value": "string", "condition_type": "string"},
    "sort_order": {"field": "string", "direction": "string"},
}


def _load_interfaces(text: str) -> dict[str, dict[str, Type]]:
    """`interfaces.txt`: Adobe's data interfaces by schema name, `name field:type ...` a line."""
    table: dict[str, dict[str, Type]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, *fields = line.split()
        table[name] = {}
        for spec in fields:
            field_name, type_name = spec.split(":", 1)
            is_list = type_name.startswith("[")
            table[name][field_name] = [type_name.strip("[]")] if is_list else type_name
    return table


# The newer endpoints' interfaces, named as in Adobe's schema (scripts/magento_interfaces.py).
INTERFACES |= _load_interfaces((Path(__file__).parent / "interfaces.txt").read_text())

PHP_TYPE_NAMES = {"int": "int", "float": "float", "string": "string", "bool": "bool"}
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def to_snake(name: str) -> str:
    """`defaultShipping` and `default_shipping` name the same property."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def to_upper_camel(name: str) -> str:
    """Magento names unknown fields in UpperCamelCase in its error message."""
    return "".join(part[:1].upper() + part[1:] for part in to_snake(name).split("_"))


def param(body: dict[str, Any], name: str) -> Any:
    """A top-level method parameter, found under its camelCase or snake_case name."""
    if name in body:
        return body[name]
    return body.get(to_snake(name))


def convert(value: Any, type_: Type, key: str = "") -> Any:
    """Convert one value of a request body to `type_`, raising Magento's 400 errors."""
    if value is None:
        return None
    if isinstance(type_, list):
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            raise _type_error(key, value, f"{type_[0]}[]")
        return [convert(item, type_[0], key) for item in value]
    if type_ in INTERFACES:
        if not isinstance(value, dict):
            raise _type_error(key, value, "array")
        return convert_object(value, type_)
    return _scalar(value, type_, key)


def convert_object(data: dict[str, Any], interface: str) -> dict[str, Any]:
    """Convert a JSON object to `interface`, refusing unknown fields."""
    fields = INTERFACES[interface]
    result: dict[str, Any] = {}
    for raw_key, raw_value in data.items():
        key = to_snake(str(raw_key))
        if key not in fields:
            raise input_error(NOT_SUPPORTED, {"fieldName": to_upper_camel(str(raw_key))})
        result[key] = convert(raw_value, fields[key], str(raw_key))
    return result


def _scalar(value: Any, type_: str, key: str) -> Any:
    if type_ == "mixed":
        return value
    if isinstance(value, dict | list):
        raise _type_error(key, value, type_)
    if type_ == "string":
        if isinstance(value, bool):
            return "1" if value else ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if type_ == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        text = str(value).strip().lower()
        if text in {"1", "true"}:
            return True
        if text in {"0", "false", ""}:
            return False
        raise _type_error(key, value, type_)
    number = _number(value)
    if number is None:
        raise _type_error(key, value, type_)
    if type_ == "int":
        if not float(number).is_integer():
            raise _type_error(key, value, type_)
        return int(number)
    return float(number)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _php_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return "Array"
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _type_error(key: str, value: Any, type_: str) -> MagentoError:
    expected = PHP_TYPE_NAMES.get(type_, type_)
    details = (
        f'The "{_php_text(value)}" value\'s type is invalid. The "{expected}" type was expected.'
        " Verify and try again."
    )
    return input_error(
        'Error occurred during "%field_name" processing. %details',
        {"field_name": key, "details": details},
    )
