"""A product's custom options: the option types, and options read, saved and removed one at a time.

The options live in the product's `options` list, so `GET /V1/products/{sku}` shows what these
routes write and a product saved with `options` is read here. An option gets its `option_id`,
and each of its values an `option_type_id`, when first saved; saving an option with an
`option_id` replaces it (values left out are removed, as `markRemovedValues` does). An option
without `product_sku` is 400 `The ProductSku is empty. Set the ProductSku and try again.`; an
unknown option is 404 `No such entity with optionId = ...`.
"""

from __future__ import annotations

from typing import Any

from .catalog import load_product
from .common import Call, now
from .errors import input_error, no_such_entity
from .fields import convert

OPTION = "catalog-data-product-custom-option-interface"
# ProductCustomOptionTypeList: (code, label, group) of a fresh install's `product_options.xml`.
TYPES = (
    ("field", "Field", "text"),
    ("area", "Area", "text"),
    ("file", "File", "file"),
    ("drop_down", "Drop-down", "select"),
    ("radio", "Radio Buttons", "select"),
    ("checkbox", "Checkbox", "select"),
    ("multiple", "Multiple Select", "select"),
    ("date", "Date", "date"),
    ("date_time", "Date & Time", "date"),
    ("time", "Time", "date"),
)


def option_types(call: Call) -> list[dict[str, str]]:
    """`GET /V1/products/options/types`."""
    return [{"label": label, "code": code, "group": group} for code, label, group in TYPES]


def _option_id(call: Call) -> int:
    option_id: int = convert(call.path["optionId"], "int", "optionId")
    return option_id


def _find(product: dict[str, Any], option_id: int) -> dict[str, Any]:
    for option in product.get("options") or []:
        if option.get("option_id") == option_id:
            return option
    raise no_such_entity("optionId", option_id)


def list_options(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/options`."""
    return list(load_product(call.store, call.path["sku"]).get("options") or [])


def get_option(call: Call) -> dict[str, Any]:
    """`GET /V1/products/{sku}/options/{optionId}`."""
    return _find(load_product(call.store, call.path["sku"]), _option_id(call))


def save_option(call: Call) -> dict[str, Any]:
    """`POST /V1/products/options`, `PUT /V1/products/options/{optionId}` `{option}`."""
    option = {k: v for k, v in call.body_param("option", OPTION).items() if v is not None}
    if "optionId" in call.path:
        option["option_id"] = _option_id(call)
    if not option.get("product_sku"):
        raise input_error("The ProductSku is empty. Set the ProductSku and try again.")
    product = load_product(call.store, option["product_sku"])
    options = product.setdefault("options", [])
    if option.get("option_id"):
        _find(product, option["option_id"])  # an unknown id is not created
    else:
        option["option_id"] = call.store.next_id("product_options")
    for value in option.get("values") or []:
        if not value.get("option_type_id"):
            value["option_type_id"] = call.store.next_id("product_option_values")
    option.setdefault("sort_order", 0)
    option.setdefault("is_require", True)
    product["options"] = [o for o in options if o.get("option_id") != option["option_id"]]
    product["options"].append(option)
    product["options"].sort(key=lambda o: (o.get("sort_order") or 0, o.get("title") or ""))
    product["updated_at"] = now()
    call.store.update("products", product)
    return option


def delete_option(call: Call) -> bool:
    """`DELETE /V1/products/{sku}/options/{optionId}`."""
    product = load_product(call.store, call.path["sku"])
    option_id = _option_id(call)
    _find(product, option_id)
    product["options"] = [o for o in product["options"] if o.get("option_id") != option_id]
    product["updated_at"] = now()
    call.store.update("products", product)
    return True
