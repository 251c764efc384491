"""Intacct product lines → Magento categories under the root category, parents first.

A line is found again through the ID map, or else by its url_key (`slug(description)-slug(id)`)
in one listing of the catalogue's categories. A line whose parent is neither in the batch nor
known yet waits in the pending catalog file: for the end of the input, then for later runs.
"""

from __future__ import annotations

import logging
import typing as t

from magento_api import MagentoError

from target_magento.records import (
    Rejection,
    custom_attribute,
    is_active,
    is_deleted,
    required,
    slug,
    text,
    url_key,
)
from target_magento.run import Run

ROLE = "categories"
ROLE_WAITING = "product_lines"
KEY = ("PRODUCTLINEID", "RECORDNO")  # a record's key in logs, rejects and the ID map
LOGGER = logging.getLogger("target-magento")


def load(run: Run, stream: str, records: list[dict], *, final: bool) -> None:
    """Write the lines whose parent is known; the others wait (`final`: until a later run)."""
    lines: dict[str, dict] = {}
    for key, record in run.latest(stream, records, *KEY):
        run.waiting.pop(ROLE_WAITING, key)  # this version replaces any waiting one
        if is_deleted(record):
            run.skip(stream, key, "deleted in Intacct; the Magento category is kept")
            continue
        try:
            required(record, "PRODUCTLINEID", "A product line id")
        except Rejection as rejection:
            run.reject(stream, key, record, rejection)
            continue
        lines[key] = record
    pending = dict(lines)
    while pending:
        blocked = {
            key: record
            for key, record in pending.items()
            if _parent_key(record) is not None
            and _parent_key(record) not in pending
            and category_id(run, t.cast("str", _parent_key(record))) is None
        }
        for key, record in blocked.items():
            del pending[key]
            reason = f"parent product line {_parent_key(record)} is not in Magento yet"
            run.wait(ROLE_WAITING, stream, key, record, reason)
            if final:
                run.skip(stream, key, f"{reason}; kept pending for the next run")
        ready = {
            key: record
            for key, record in pending.items()
            if _parent_key(record) is None
            or (
                _parent_key(record) not in pending
                and category_id(run, t.cast("str", _parent_key(record))) is not None
            )
        }
        if not ready and not blocked:
            break
        run.client.map(
            lambda item: run.guarded(
                stream, item[0], item[1], lambda: _write(run, item[0], item[1])
            ),
            list(ready.items()),
        )
        for key in ready:
            del pending[key]
    for key, record in pending.items():
        cycle = Rejection(
            f"Product line {key} is its own ancestor through PARENTLINE", "PARENTLINE"
        )
        run.reject(stream, key, record, cycle)
    run.id_map.save()
    run.waiting.save()


def _parent_key(record: t.Mapping[str, t.Any]) -> str | None:
    return text(record, "PARENTLINE")


def category_id(run: Run, line_id: str) -> int | None:
    """The Magento category of a product line: ID map first, then the catalogue listing."""
    mapped = _mapped(run, line_id)
    if mapped is not None:
        return int(mapped["id"])
    match = _find_by_line(run, line_id)
    if match is not None:
        run.id_map.put(ROLE, line_id, int(match["id"]))
        return int(match["id"])
    return None


def _mapped(run: Run, line_id: str) -> dict | None:
    """The line's category through the ID map, if the catalogue agrees.

    The mapped category must exist and carry the line's url_key (`...-slug(line id)`); in a
    reset shop the id may be missing or another category's, and the entry is dropped.
    """
    mapped = run.id_map.get(ROLE, line_id)
    if mapped is None:
        return None
    with run.cache_lock:
        category = _catalogue(run).get(int(mapped))
    if category is None:
        run.id_map.forget(ROLE, line_id, f"is category {mapped}, which does not exist")
        return None
    key = str(custom_attribute(category, "url_key") or "")
    if not _is_key_of(key, line_id):
        why = f"is category {mapped}, whose url_key {key!r} is not this line's"
        run.id_map.forget(ROLE, line_id, why)
        return None
    return category


def _is_key_of(key: str, line_id: str) -> bool:
    """Whether a url_key is one `url_key(description, line_id)` makes."""
    return key == slug(line_id) or key.endswith(f"-{slug(line_id)}")


def _catalogue(run: Run) -> dict[int, dict]:
    """Every category, listed once per run and kept current as this run writes."""

    def fetch() -> dict[int, dict]:
        items = run.client.search("V1/categories/list", [], store=run.settings.catalog_store_code)
        return {int(item["id"]): item for item in items}

    return t.cast("dict[int, dict]", run.cached("categories", fetch))


def _find_by_line(run: Run, line_id: str, wanted_key: str | None = None) -> dict | None:
    """The category whose url_key is `wanted_key`, else the one ending `-slug(line id)`.

    Without a wanted key (a parent known only by its id) a unique suffix match is accepted.
    """
    with run.cache_lock:
        keys = [
            (str(custom_attribute(item, "url_key") or ""), item)
            for item in _catalogue(run).values()
        ]
    if wanted_key is not None:
        return next((item for key, item in keys if key == wanted_key), None)
    candidates = [item for key, item in keys if _is_key_of(key, line_id)]
    return candidates[0] if len(candidates) == 1 else None


def _body(run: Run, record: t.Mapping[str, t.Any], parent_id: int) -> dict:
    line_id = t.cast("str", text(record, "PRODUCTLINEID"))
    name = text(record, "DESCRIPTION") or line_id
    return {
        "parent_id": parent_id,
        "name": name,
        "is_active": is_active(record),
        "include_in_menu": True,
        "custom_attributes": [
            {"attribute_code": "url_key", "value": url_key(text(record, "DESCRIPTION"), line_id)}
        ],
    }


def _write(run: Run, line_id: str, record: dict) -> str:
    parent_line = _parent_key(record)
    parent_id = (
        run.settings.root_category_id
        if parent_line is None
        else t.cast("int", category_id(run, parent_line))
    )
    body = _body(run, record, parent_id)
    wanted_key = body["custom_attributes"][0]["value"]
    store = run.settings.catalog_store_code
    existing = _mapped(run, line_id)
    if existing is None:
        existing = _find_by_line(run, line_id, wanted_key)
    if existing is None:
        response, found = run.client.create_safely(
            "V1/categories",
            {"category": body},
            lambda: _refetch_by_key(run, wanted_key),
            store=store,
        )
        _remember(run, line_id, response if found is None else found)
        return "created"
    magento_id = int(existing["id"])
    outcome = "unchanged"
    if int(existing.get("parent_id") or 0) != parent_id:
        run.client.request(
            "PUT", f"V1/categories/{magento_id}/move", store=store, body={"parentId": parent_id}
        )
        existing = {**existing, "parent_id": parent_id}
        outcome = "updated"
    if (
        existing.get("name") != body["name"]
        or bool(existing.get("is_active")) != body["is_active"]
        or custom_attribute(existing, "url_key") != wanted_key
    ):
        update = {key: value for key, value in body.items() if key != "parent_id"}
        update["id"] = magento_id
        existing = run.client.request(
            "PUT", f"V1/categories/{magento_id}", store=store, body={"category": update}
        )
        outcome = "updated"
    _remember(run, line_id, {**existing, "id": magento_id, "parent_id": parent_id})
    return outcome


def _refetch_by_key(run: Run, wanted_key: str) -> dict | None:
    try:
        items = run.client.search(
            "V1/categories/list",
            [[("url_key", wanted_key, "eq")]],
            store=run.settings.catalog_store_code,
        )
    except MagentoError:
        return None
    return items[0] if items else None


def _remember(run: Run, line_id: str, category: dict) -> None:
    run.id_map.put(ROLE, line_id, int(category["id"]))
    with run.cache_lock:
        _catalogue(run)[int(category["id"])] = category
