"""A downloadable product's links and samples, as `LinkRepository` and `SampleRepository` keep them.

Rows of their own (`downloadable_links`, `downloadable_samples`, with the product's SKU), each
table numbered on its own as Magento's are. A new one needs a downloadable product; each is
checked as Magento's content validators do, in their order and wording: price, number of
downloads and sort order, then the link and sample resources (a valid http(s) URL, or base64
file content, stored under Magento's dispersion path `/n/a/name.ext`). Saving with an id changes
that row, which must be the product's (a link saved without a sample keeps its sample). The
store's `downloadable_domains` list is not checked, and the product's own `extension_attributes`
do not list them.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from .catalog import load_product
from .common import Call
from .errors import MagentoError, input_error
from .fields import convert

LINK_FIELDS = (
    "id", "title", "sort_order", "sample_type", "sample_file", "sample_url", "price",
    "number_of_downloads", "is_shareable", "link_type", "link_file", "link_url",
)  # fmt: skip
SAMPLE_FIELDS = ("id", "title", "sort_order", "sample_type", "sample_file", "sample_url")
LINK_GETTERS = ("sort_order", "is_shareable", "price", "link_type", "sample_type")
SAMPLE_GETTERS = ("title", "sort_order", "sample_type")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
BAD_CONTENT = "Provided file content must be valid base64 encoded data."
NO_LINK = "No downloadable link with the provided ID was found. Verify the ID and try again."
NO_SAMPLE = "There is no downloadable sample with provided ID."


def _table(kind: str) -> str:
    return f"downloadable_{kind}s"


def _rows(call: Call, kind: str, sku: str) -> list[dict[str, Any]]:
    rows = call.store.find(_table(kind), sku=sku)
    return sorted(rows, key=lambda r: (r.get("sort_order") or 0, r["id"]))


def _shown(row: dict[str, Any], fields: tuple[str, ...], getters: tuple[str, ...]) -> dict:
    """The row as the interface answers it: unset fields left out, unset required ones null."""
    shown = {name: row.get(name) for name in fields if row.get(name) is not None}
    return dict.fromkeys(getters) | shown | {"id": row["id"]}


def _upload(content: dict[str, Any] | None) -> str:
    """The stored file's path for base64 `content`, or the validator's 400."""
    content = content or {}
    try:
        base64.b64decode(str(content.get("file_data") or ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise input_error(BAD_CONTENT) from error
    name = str(content.get("name") or "")
    if not content.get("file_data") or not name or "/" in name:
        raise input_error(BAD_CONTENT)
    lower = name.lower()
    return f"/{lower[0]}/{lower[1] if len(lower) > 1 else '_'}/{lower}"


def _resource(data: dict[str, Any], prefix: str, url_message: str, file_message: str) -> None:
    """One resource (`link_` or `sample_`): a URL, new file content, or an existing file."""
    if data.get(f"{prefix}type") == "url":
        if not URL.match(str(data.get(f"{prefix}url") or "")):
            raise input_error(url_message)
    elif data.get(f"{prefix}file_content"):
        data[f"{prefix}file"] = _upload(data.pop(f"{prefix}file_content"))
    elif not data.get(f"{prefix}file"):
        raise input_error(file_message)


def _counts(data: dict[str, Any], *, price: bool) -> None:
    """The content validator's number checks, in its order."""
    if price and (not isinstance(data.get("price"), int | float) or data["price"] < 0):
        raise input_error("Link price must have numeric positive value.")
    checks = [("sort_order", "Sort order must be a positive integer.")]
    if price:
        checks.insert(0, ("number_of_downloads", "Number of downloads must be a positive integer."))
    for name, message in checks:
        value = data.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise input_error(message)


def _existing(
    call: Call, kind: str, raw_id: Any, sku: str, *, missing: str, other: str
) -> dict[str, Any]:
    row = call.store.get(_table(kind), convert(raw_id, "int", "id"))
    if row is None:
        raise MagentoError(404, missing)
    if row["sku"] != sku:
        raise input_error(other)
    return row


def _store(call: Call, kind: str, sku: str, data: dict[str, Any], row: dict | None) -> int:
    if row is None:
        fresh = {k: v for k, v in data.items() if k != "id"} | {"id": None, "sku": sku}
        return int(call.store.insert(_table(kind), fresh))
    call.store.update(_table(kind), row | {k: v for k, v in data.items() if k != "id"})
    return int(row["id"])


def _delete(call: Call, kind: str, missing: str) -> bool:
    row = call.store.get(_table(kind), convert(call.path["id"], "int", "id"))
    if row is None:
        raise MagentoError(404, missing)
    call.store.delete(_table(kind), row["id"])
    return True


def list_links(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/downloadable-links`."""
    product = load_product(call.store, call.path["sku"])
    return [_shown(row, LINK_FIELDS, LINK_GETTERS) for row in _rows(call, "link", product["sku"])]


def save_link(call: Call) -> int:
    """`POST /V1/products/{sku}/downloadable-links`, `PUT .../downloadable-links/{id}`."""
    product = load_product(call.store, call.path["sku"])
    data = call.body_param("link", "downloadable-data-link-interface")
    call.body_param("isGlobalScopeContent", "bool", mandatory=False)
    data = {k: v for k, v in data.items() if v is not None}
    row = None
    if "id" in call.path or data.get("id") is not None:
        raw_id = call.path.get("id", data.get("id"))
        other = "The downloadable link isn't related to the product. Verify the link and try again."
        row = _existing(call, "link", raw_id, product["sku"], missing=NO_LINK, other=other)
    elif product.get("type_id") != "downloadable":
        raise input_error(
            "The product needs to be the downloadable type. Verify the product and try again."
        )
    if data.get("link_type") not in ("url", "file"):
        raise input_error("The link type is invalid. Verify and try again.")
    has_sample = "sample_type" in data
    if has_sample and data["sample_type"] not in ("url", "file"):
        raise input_error("The link sample type is invalid. Verify and try again.")
    _counts(data, price=True)
    _resource(
        data, "link_", "Link URL must have valid format.", "Link file not found. Please try again."
    )
    if has_sample:
        _resource(
            data,
            "sample_",
            "Sample URL must have valid format.",
            "Link sample file not found. Please try again.",
        )
    if not data.get("title"):
        raise input_error("The link title is empty. Enter the link title and try again.")
    return _store(call, "link", product["sku"], data, row)


def delete_link(call: Call) -> bool:
    """`DELETE /V1/products/downloadable-links/{id}`."""
    return _delete(call, "link", NO_LINK)


def list_samples(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/downloadable-links/samples`."""
    product = load_product(call.store, call.path["sku"])
    return [
        _shown(row, SAMPLE_FIELDS, SAMPLE_GETTERS) for row in _rows(call, "sample", product["sku"])
    ]


def save_sample(call: Call) -> int:
    """`POST /V1/products/{sku}/downloadable-links/samples`, `PUT .../samples/{id}`."""
    product = load_product(call.store, call.path["sku"])
    data = call.body_param("sample", "downloadable-data-sample-interface")
    call.body_param("isGlobalScopeContent", "bool", mandatory=False)
    data = {k: v for k, v in data.items() if v is not None}
    row = None
    if "id" in call.path or data.get("id") is not None:
        raw_id = call.path.get("id", data.get("id"))
        other = "Provided downloadable sample is not related to given product."
        row = _existing(call, "sample", raw_id, product["sku"], missing=NO_SAMPLE, other=other)
    elif product.get("type_id") != "downloadable":
        raise input_error("Product type of the product must be 'downloadable'.")
    _counts(data, price=False)
    if row is None or data.get("sample_file_content") or data.get("sample_type") == "url":
        _resource(
            data,
            "sample_",
            "Sample URL must have valid format.",
            "Sample file not found. Please try again.",
        )
    if data.get("sample_type") not in ("url", "file"):
        raise input_error("Invalid sample type.")
    if not data.get("title"):
        raise input_error("Sample title cannot be empty.")
    return _store(call, "sample", product["sku"], data, row)


def delete_sample(call: Call) -> bool:
    """`DELETE /V1/products/downloadable-links/samples/{id}`."""
    return _delete(call, "sample", NO_SAMPLE)
