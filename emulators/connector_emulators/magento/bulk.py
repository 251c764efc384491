"""The asynchronous and bulk web API (`/async/V1/...`, `/async/bulk/V1/...`) and bulk status.

A request is checked structurally only (every item converted like the synchronous route would;
any error refuses the whole request and queues nothing), then each item becomes an operation with
status 4 (open). A consumer thread runs open operations shortly afterwards through the synchronous
handlers; the status endpoints also run whatever is still open for their bulk before answering,
so a status read always sees finished operations. A handler's error becomes status 3 (failed,
must change) with the rendered message, as `async.operations.all` does.

The consumer can be paused (`bulk_consumer` = `paused` in the emulator config), as in a shop whose
cron or queue worker is not running: operations then stay open, durably, and the status endpoints
answer without running them, until it is `running` again.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from . import search
from .common import Call, now
from .errors import MagentoError, input_error
from .fields import param
from .store import Store

STATUS_COMPLETE = 1
STATUS_RETRIABLY_FAILED = 2
STATUS_FAILED = 3
STATUS_OPEN = 4
STATUS_REJECTED = 5
NOT_PROCESSABLE = "Specified request cannot be processed."
CONSUMER_SETTING = "bulk_consumer"
CONSUMER_STATES = ("running", "paused")


@dataclass(frozen=True)
class AsyncRoute:
    """A synchronous route reachable asynchronously; `by` names the path value's body location."""

    method: str
    path: str
    sync_template: str
    body_params: tuple[tuple[str, Any], ...]
    topic: str
    service: str
    by: tuple[str, str] | None = None


ASYNC_ROUTES: tuple[AsyncRoute, ...] = (
    AsyncRoute(
        "POST", "/V1/customers", "/V1/customers", (("customer", "customer"),),
        "async.magento.customer.api.accountmanagementinterface.createaccount.post",
        "Magento\\Customer\\Model\\AccountManagement\\Interceptor::createAccount",
    ),
    AsyncRoute(
        "PUT", "/V1/customers/byCustomerId", "/V1/customers/:customerId",
        (("customer", "customer"),),
        "async.magento.customer.api.customerrepositoryinterface.save.put",
        "Magento\\Customer\\Model\\ResourceModel\\CustomerRepository\\Interceptor::save",
        ("customer", "id"),
    ),
    AsyncRoute(
        "POST", "/V1/products", "/V1/products", (("product", "product"),),
        "async.magento.catalog.api.productrepositoryinterface.save.post",
        "Magento\\Catalog\\Model\\ProductRepository\\Interceptor::save",
    ),
    AsyncRoute(
        "PUT", "/V1/products/bySku", "/V1/products/:sku", (("product", "product"),),
        "async.magento.catalog.api.productrepositoryinterface.save.put",
        "Magento\\Catalog\\Model\\ProductRepository\\Interceptor::save",
        ("product", "sku"),
    ),
    AsyncRoute(
        "POST", "/V1/categories", "/V1/categories", (("category", "category"),),
        "async.magento.catalog.api.categoryrepositoryinterface.save.post",
        "Magento\\Catalog\\Model\\CategoryRepository\\Interceptor::save",
    ),
    AsyncRoute(
        "PUT", "/V1/categories/byCategoryId", "/V1/categories/:categoryId",
        (("category", "category"),),
        "async.magento.catalog.api.categoryrepositoryinterface.save.put",
        "Magento\\Catalog\\Model\\CategoryRepository\\Interceptor::save",
        ("category", "id"),
    ),
)  # fmt: skip


def find_async(method: str, path: str) -> AsyncRoute | None:
    """The async route for `path` (no method check: any other method is refused later)."""
    for route in ASYNC_ROUTES:
        if route.path == path and route.method == method:
            return route
    return None


def schedule(call: Call, route: AsyncRoute, *, bulk: bool, user_type: int) -> dict[str, Any]:
    """Validate every item, then store the bulk with one open operation per item."""
    items = call.body if bulk else [call.body]
    if not isinstance(items, list) or not items:
        raise input_error(NOT_PROCESSABLE)
    for item in items:
        if not isinstance(item, dict):
            raise input_error(NOT_PROCESSABLE)
        probe = Call(call.store, body=item, store_id=call.store_id)
        for name, interface in route.body_params:
            probe.body_param(name, interface)
    bulk_uuid = str(uuid.uuid4())
    operations, request_items = [], []
    for index, item in enumerate(items):
        meta = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
        serialized = json.dumps(
            {"entity_id": None, "entity_link": "", "meta_information": meta},
            separators=(",", ":"),
        )
        operations.append(
            {
                "id": index,
                "bulk_uuid": bulk_uuid,
                "topic_name": route.topic,
                "serialized_data": serialized,
                "result_serialized_data": None,
                "status": STATUS_OPEN,
                "result_message": None,
                "error_code": None,
            }
        )
        data_hash = hashlib.sha256(serialized.encode()).hexdigest()
        request_items.append({"id": index, "data_hash": data_hash, "status": "accepted"})
    call.store.insert(
        "bulks",
        {
            "bulk_uuid": bulk_uuid,
            "description": f"Topic {route.topic}",
            "start_time": now(),
            "user_type": user_type,
            "user_id": 1,
            "store_id": call.store_id,
            "route": [route.method, route.path],
            "operations": operations,
        },
    )
    return {"bulk_uuid": bulk_uuid, "request_items": request_items, "errors": False}


def consumer_running(store: Store) -> bool:
    """Whether `async.operations.all` runs (a shop setting, `running` unless paused)."""
    return bool(store.setting(CONSUMER_SETTING, "running") == "running")


def run_bulk(call: Call, bulk_uuid: str) -> None:
    """Run every open operation of the bulk, in order (the consumer's work)."""
    found = call.store.find("bulks", bulk_uuid=bulk_uuid)
    if not found:
        return
    bulk = found[0]
    route = find_async(*bulk["route"])
    if route is None:
        return
    from .routes import ROUTES

    sync = next(r for r in ROUTES if r.template == route.sync_template and r.method == route.method)
    for operation in bulk["operations"]:
        if operation["status"] != STATUS_OPEN:
            continue
        item = json.loads(json.loads(operation["serialized_data"])["meta_information"])
        path: dict[str, str] = {}
        if route.by:
            holder = param(item, route.by[0]) or {}
            path[route.sync_template.rsplit(":", 1)[1]] = str(holder.get(route.by[1], ""))
        try:
            with call.store.savepoint():
                result = sync.handler(
                    Call(call.store, path=path, body=item, store_id=bulk["store_id"])
                )
        except MagentoError as error:
            operation |= {"status": STATUS_FAILED, "result_message": error.text, "error_code": 0}
        else:
            operation |= {
                "status": STATUS_COMPLETE,
                "result_message": f"Service execution success {route.service}",
                "result_serialized_data": json.dumps(result, ensure_ascii=False),
            }
    call.store.update("bulks", bulk)


def _bulk(call: Call) -> dict[str, Any]:
    bulk_uuid = call.path["bulkUuid"]
    if consumer_running(call.store):
        run_bulk(call, bulk_uuid)
    found = call.store.find("bulks", bulk_uuid=bulk_uuid)
    if not found:
        raise MagentoError(404, "Bulk uuid %bulkUuid not exist", {"bulkUuid": bulk_uuid})
    return found[0]


def _summary(bulk: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operations_list": operations,
        "extension_attributes": {},
        "user_type": bulk["user_type"],
        "bulk_id": bulk["bulk_uuid"],
        "description": bulk["description"],
        "start_time": bulk["start_time"],
        "user_id": bulk["user_id"],
        "operation_count": len(bulk["operations"]),
    }


OPERATIONS_VIEW = "bulk_operations"
OPERATIONS_SQL = (
    "SELECT NULL, operation.value FROM bulks, json_each(bulks.doc, '$.operations') AS operation "
    "ORDER BY bulks.id, operation.key"
)
OPERATION_FIELDS = search.Fields(numeric=frozenset({"id", "status", "error_code"}))


def list_operations(call: Call) -> dict[str, Any]:
    """`GET /V1/bulk?searchCriteria...`: the operations of every bulk."""
    call.store.fill_view(OPERATIONS_VIEW, (OPERATIONS_SQL, ()))
    return call.search(OPERATIONS_VIEW, OPERATION_FIELDS, dict)


def status(call: Call) -> dict[str, Any]:
    """`GET /V1/bulk/{uuid}/status`: the bulk with each operation's short status."""
    bulk = _bulk(call)
    short = [
        {k: op[k] for k in ("id", "status", "result_message", "error_code")}
        for op in bulk["operations"]
    ]
    return _summary(bulk, short)


def detailed_status(call: Call) -> dict[str, Any]:
    """`GET /V1/bulk/{uuid}/detailed-status`: the bulk with full operation data."""
    bulk = _bulk(call)
    return _summary(bulk, bulk["operations"])


def operation_count(call: Call) -> int:
    """`GET /V1/bulk/{uuid}/operation-status/{status}`: how many operations have it."""
    bulk = _bulk(call)
    wanted = int(call.path["status"]) if call.path["status"].isdigit() else -1
    return sum(op["status"] == wanted for op in bulk["operations"])
