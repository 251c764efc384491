"""The web-orders sink: Magento orders become Intacct sales orders, each written once.

A batch is written in four steps. The orders are checked and mapped (`web_order_mapping`);
queries find what Intacct already has: sales orders of the transaction definition by PONUMBER
(= `increment_id`) with their lines, the items by ITEMID (= SKU), the customers by email (or by
the id this sink gives new ones); buyers Intacct does not know become customers; then each
order is created, updated, closed or left alone (the README's table). A canceled order closes
its sales order while anything is left to convert; Intacct does not let a converted transaction
be edited or closed, so such a change goes to the reject file with the reason, for an
accountant. Creates carry a control id made of the order and the transaction definition and go
out with `uniqueid`, so an order sent again (a replayed input, a lost answer) is created once.
An order naming a SKU Intacct lacks waits in the pending file (`unknown_sku: wait`), tried
again every run until `pending_max_runs`, or is rejected at once (`reject`); the reason names
the order's field (`items[0].sku`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from intacct_api import functions

from target_intacct.base import IntacctBaseSink
from target_intacct.exchange import (
    execute_resending,
    is_already_executed,
    is_invalid_reference,
    made_by_another_run,
    query_rows,
)
from target_intacct.records import content_hash
from target_intacct.web_order_mapping import (
    OrderError,
    OrderSettings,
    WebOrder,
    new_customer,
    same_lines,
    web_order,
)

if TYPE_CHECKING:
    from intacct_api.envelope import Result
    from intacct_api.transport import Transport

    from target_intacct.pending import PendingStream
    from target_intacct.reports import RunReport
    from target_intacct.target import TargetIntacct

RANK = 2  # after master data (customers, items) written in the same run
IN_CHUNK = 500
OPEN_STATES = frozenset({"Pending", "Draft"})
CLOSABLE_STATES = frozenset({"Pending", "Draft", "Partially Converted"})


class WebOrderSink(IntacctBaseSink):
    """Writes Magento orders (tap-magento's `orders`) as Intacct sales orders."""

    rank = RANK

    def __init__(self, target: TargetIntacct, *args: Any, **kwargs: Any) -> None:
        self._target_intacct = target
        self.order_settings: OrderSettings = target.web_orders
        self.deferred: list[dict[str, Any]] = []  # (no line streams: nothing waits for lines)
        # orders waiting for an item Intacct does not have yet, with the reason
        self.retry_later: list[tuple[dict[str, Any], str]] = []
        self.runs_waited: dict[str, int] = {}
        super().__init__(target, *args, **kwargs)

    @property
    def max_size(self) -> int:
        return int(self._target_intacct.config.get("records_per_lookup") or 1000)

    @property
    def report(self) -> RunReport:
        return self._target_intacct.report

    @property
    def client(self) -> Transport:
        return self._target_intacct.client

    def process_batch(self, context: dict) -> None:
        self._write(context.get("records", []))

    def reject_invalid(self, record: dict, field: str | None, message: str) -> None:
        self.report.reject(self.stream_name, self._key(record), record, message, field=field)

    # --- the pending file (the target drives these at the end of the input) ----------------

    def restore_pending(self, entry: PendingStream) -> None:
        for kept in entry.refused:
            self.runs_waited[self._key_text(kept["record"])] = int(kept.get("runs", 1))
            self.retry_later.append((kept["record"], kept["reason"]))

    def write_deferred(self) -> None:
        """Nothing is deferred: an order carries its lines."""

    def settle_waiting(self, max_runs: int, hint: str) -> list[dict[str, Any]]:
        return []

    def retry_refused(self) -> int:
        records, self.retry_later = [record for record, _ in self.retry_later], []
        if records:
            self._write(records)
        return len(records) - len(self.retry_later)

    def settle_refused(self, max_runs: int) -> list[dict[str, Any]]:
        kept = []
        for record, reason in self.retry_later:
            runs = self.runs_waited.get(self._key_text(record), 0) + 1
            if runs > max_runs:
                waited = f" (still unknown after {runs - 1} runs)" if runs > 1 else ""
                self._reject(record, reason + waited, field=reason.split(":", 1)[0])
                continue
            self.logger.warning(
                "Order %s waits: %s (%d of %d)", record.get("increment_id"), reason, runs, max_runs
            )
            kept.append({"record": record, "reason": reason, "runs": runs})
        self.retry_later = []
        return kept

    # --- writing ---------------------------------------------------------------------------

    def _key(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {"increment_id": record.get("increment_id"), "entity_id": record.get("entity_id")}

    def _key_text(self, record: Mapping[str, Any]) -> str:
        return json.dumps(self._key(record), sort_keys=True, default=str)

    def _reject(self, record: Mapping[str, Any], message: str, **kw: Any) -> None:
        self.report.reject(self.stream_name, self._key(record), record, message, **kw)

    def _write(self, records: list[dict[str, Any]]) -> None:
        latest: dict[str, dict[str, Any]] = {}
        for record in records:  # an order sent twice in one batch: its last version wins
            latest.pop(str(record.get("increment_id")), None)
            latest[str(record.get("increment_id"))] = record
        orders: list[WebOrder] = []
        for record in latest.values():
            try:
                orders.append(web_order(record, self.order_settings))
            except OrderError as exc:
                self._reject(record, str(exc), field=exc.field)
        for start in range(0, len(orders), IN_CHUNK):
            self._write_chunk(orders[start : start + IN_CHUNK])

    def _write_chunk(self, orders: list[WebOrder]) -> None:
        existing = self._sales_orders([o.increment_id for o in orders])
        creates: list[WebOrder] = []
        changes: list[tuple[WebOrder, dict[str, Any]]] = []
        for order in orders:
            row = existing.get(order.increment_id)
            if self._settled(order, row):
                continue
            if row is None:
                creates.append(order)
            elif order.canceled or not same_lines(order, row["_lines"]):
                changes.append((order, row))
            else:
                self._unchanged(order, row)
        needing_items = [*creates, *(o for o, _ in changes if not o.canceled)]
        known = self._items({line.item_id for o in needing_items for line in o.lines})
        writes = [
            write
            for order, row in changes
            if (order.canceled or self._items_known(order, known))
            and (write := self._change(order, row)) is not None
        ]
        creates = [order for order in creates if self._items_known(order, known)]
        definition = self.order_settings.transaction_definition
        customers = self._customers(creates)
        for order in creates:
            customer_id = customers.get(order.email.lower())
            if customer_id is None:
                continue  # its creation was refused and reported
            fields = self._payload(order, definition, customer_id)
            control = self._control_id("created", order.increment_id, definition)
            writes.append(
                (order, "created", functions.create_sotransaction(fields, control_id=control))
            )
        self._send(writes)

    def _items_known(self, order: WebOrder, known: set[str]) -> bool:
        """True when Intacct has every item; else the order waits or is rejected."""
        missing = next((ln for ln in order.lines if ln.item_id.upper() not in known), None)
        if missing is None:
            return True
        reason = f"{missing.source}: Intacct has no item {missing.item_id!r}"
        if self.order_settings.unknown_sku == "wait":
            self.retry_later.append((order.record, reason))
        else:
            self._reject(order.record, reason, field=missing.source)
        return False

    def _settled(self, order: WebOrder, row: Mapping[str, Any] | None) -> bool:
        """Orders needing no write (or that Intacct does not let change), counted here."""
        if row is None:
            if order.canceled:
                self.report.count(self.stream_name, "skipped")
                self.logger.info(
                    "Order %s was canceled in Magento before it reached Intacct; not written",
                    order.increment_id,
                )
                return True
            return False
        state = str(row.get("STATE") or "")
        if order.canceled:
            if state == "Closed":
                self._unchanged(order, row)
                return True
            if state not in CLOSABLE_STATES:
                self._refuse(
                    order,
                    row,
                    "status",
                    "canceled in Magento, but Intacct cannot "
                    "close a Converted sales order; reverse its invoice in Intacct",
                )
                return True
            return False
        return False

    def _change(
        self, order: WebOrder, row: Mapping[str, Any]
    ) -> tuple[WebOrder, str, functions.Function] | None:
        state, docid = str(row.get("STATE") or ""), str(row["DOCID"])
        if order.canceled:
            control = self._control_id("closed", order.increment_id, docid)
            return (
                order,
                "updated",
                functions.update_sotransaction(docid, {"state": "Closed"}, control_id=control),
            )
        if state not in OPEN_STATES:
            self._refuse(
                order,
                row,
                "items",
                "changed in Magento, but Intacct does not let a "
                f"{state} sales order be edited; change it in Intacct by hand",
            )
            return None
        items, stored = order.sotransitems(self._defaults), len(row["_lines"])
        changed = [dict(item, line_num=number) for number, item in enumerate(items[:stored], 1)]
        lists = (("updatesotransitem", changed), ("sotransitem", items[stored:]))
        fields = {"updatesotransitems": {tag: listed for tag, listed in lists if listed}}
        control = self._control_id("updated", order.increment_id, docid, order.record)
        return order, "updated", functions.update_sotransaction(docid, fields, control_id=control)

    def _unchanged(self, order: WebOrder, row: Mapping[str, Any]) -> None:
        self.report.count(self.stream_name, "unchanged")
        self.report.map_id(
            self.stream_name, self._key(order.record), row.get("RECORDNO"), row.get("DOCID")
        )

    def _refuse(self, order: WebOrder, row: Mapping[str, Any], field: str, why: str) -> None:
        self._reject(
            order.record,
            f"{field}: order {order.increment_id} was {why} "
            f"({row.get('DOCID')} is {row.get('STATE')})",
            field=field,
        )

    @property
    def _defaults(self) -> Mapping[str, Any]:
        return self._target_intacct.config.get("defaults") or {}

    def _payload(self, order: WebOrder, definition: str, customer_id: str) -> dict[str, Any]:
        fields = order.header(definition, customer_id)
        fields["sotransitems"] = {"sotransitem": order.sotransitems(self._defaults)}
        if order.subtotals:
            fields["subtotals"] = {"subtotal": order.subtotal_elements()}
        return fields

    def _control_id(self, action: str, *parts: Any) -> str:
        """A create's id is the same in every run (an order is created once); others are not."""
        run = "" if action == "created" else self._target_intacct.run_id
        digest = content_hash([self.stream_name, action, *parts, run])
        return f"web-order-{action[0]}-{digest[:40]}"

    # --- looking up ------------------------------------------------------------------------

    def _query(
        self, obj: str, select: Sequence[str], filter_: functions.Filter, **options: Any
    ) -> list[dict[str, Any]]:
        return query_rows(self.client, obj, select, filter_, **options)

    def _sales_orders(self, references: Iterable[str]) -> dict[str, dict[str, Any]]:
        """This definition's sales orders by PONUMBER, each with its lines (`_lines`)."""
        wanted = sorted(set(references))
        if not wanted:
            return {}
        definition = self.order_settings.transaction_definition
        rows = self._query(
            "SODOCUMENT",
            ["RECORDNO", "DOCID", "PONUMBER", "STATE", "CUSTVENDID"],
            functions.in_("PONUMBER", wanted),
            docparid=definition,
        )
        found: dict[str, dict[str, Any]] = {}
        for row in rows:
            found.setdefault(str(row["PONUMBER"]), row)
        if found:
            lines = self._query(
                "SODOCUMENTENTRY",
                ["DOCHDRID", "ITEMID", "QUANTITY", "PRICE"],
                functions.in_("DOCHDRID", sorted(r["DOCID"] for r in found.values())),
                docparid=definition,
            )
            by_doc: dict[str, list[dict[str, Any]]] = {}
            for line in lines:
                by_doc.setdefault(str(line["DOCHDRID"]), []).append(line)
            for row in found.values():
                row["_lines"] = by_doc.get(str(row["DOCID"]), [])
        return found

    def _items(self, item_ids: set[str]) -> set[str]:
        """The ITEMIDs (upper case) Intacct has among these."""
        if not item_ids:
            return set()
        rows = self._query("ITEM", ["ITEMID"], functions.in_("ITEMID", sorted(item_ids)))
        return {str(row["ITEMID"]).upper() for row in rows}

    def _customers(self, orders: list[WebOrder]) -> dict[str, str]:
        """Email (lower case) → CUSTOMERID: an existing customer, else one created now.

        Several customers sharing an email: the one this sink created for it, else the first
        active by CUSTOMERID (logged, so the choice is visible).
        """
        if not orders:
            return {}
        emails = sorted({o.email.lower() for o in orders})
        wanted_ids = sorted({o.customer_id_wanted for o in orders})
        rows = self._query(
            "CUSTOMER",
            ["CUSTOMERID", "STATUS", "DISPLAYCONTACT.EMAIL1"],
            functions.or_(
                functions.in_("DISPLAYCONTACT.EMAIL1", emails),
                functions.in_("CUSTOMERID", wanted_ids),
            ),
            case_insensitive=True,
        )
        by_email: dict[str, list[dict[str, Any]]] = {}
        ids = {str(row["CUSTOMERID"]) for row in rows}
        for row in rows:
            email = str(row.get("DISPLAYCONTACT.EMAIL1") or "").lower()
            by_email.setdefault(email, []).append(row)
        found: dict[str, str] = {}
        to_create: dict[str, WebOrder] = {}
        for order in orders:
            email = order.email.lower()
            if email in found or email in to_create:
                continue
            matches = sorted(by_email.get(email, []), key=lambda r: str(r["CUSTOMERID"]))
            own = [r for r in matches if r["CUSTOMERID"] == order.customer_id_wanted]
            active = [r for r in matches if str(r.get("STATUS")).lower() in ("active", "t")]
            candidates = own or active or matches
            if candidates:
                chosen = candidates[0]
                if len(matches) > 1 and not own:
                    self.logger.info(
                        "%d Intacct customers have the email of order %s; using %s",
                        len(matches),
                        order.increment_id,
                        chosen["CUSTOMERID"],
                    )
                found[email] = str(chosen["CUSTOMERID"])
            elif order.customer_id_wanted in ids:
                self._reject(
                    order.record,
                    f"customer_email: Intacct customer "
                    f"{order.customer_id_wanted} exists with another email; set "
                    "web_orders customer id templates",
                    field="customer_email",
                )
            else:
                to_create[email] = order
        if to_create:
            found |= self._create_customers(list(to_create.values()))
        return found

    def _create_customers(self, orders: list[WebOrder]) -> dict[str, str]:
        calls = [
            functions.create(
                "CUSTOMER",
                new_customer(order),
                control_id=self._control_id(
                    "created", "customer", order.customer_id_wanted, order.email.lower()
                ),
            )
            for order in orders
        ]
        created: dict[str, str] = {}
        for order, (result, resent) in zip(orders, self._execute(calls), strict=True):
            if result.status == "success" or is_already_executed(result):
                created[order.email.lower()] = order.customer_id_wanted
                another = made_by_another_run(result, resent=resent)  # a run at the same time
                outcome = "unchanged" if another else "created"
                self.report.count("customers (from web orders)", outcome)
            else:
                self._reject(
                    order.record,
                    "customer_email: Intacct refused the new customer "
                    f"{order.customer_id_wanted}: {_errors(result)}",
                    field="customer_email",
                )
        return created

    # --- sending ---------------------------------------------------------------------------

    def _execute(self, calls: list[functions.Function]) -> list[tuple[Result, bool]]:
        """One request per `batch_size` functions, each re-sent when its answer is lost.

        Answers each function's result, and whether its request was re-sent.
        """
        size = int(self._target_intacct.config.get("batch_size") or 100)
        results: list[tuple[Result, bool]] = []
        for start in range(0, len(calls), size):
            chunk = calls[start : start + size]
            sent = execute_resending(self.client, chunk, self.stream_name, self.logger)
            results += [(result, sent.resent) for result in sent.results]
        return results

    def _send(self, writes: list[tuple[WebOrder, str, functions.Function]]) -> None:
        results = self._execute([function for _, _, function in writes])
        confirm: list[tuple[WebOrder, str]] = []
        for (order, action, _), (result, resent) in zip(writes, results, strict=True):
            if result.status == "success":
                self.report.count(self.stream_name, action)
                self.report.map_id(self.stream_name, self._key(order.record), None, result.key)
            elif is_already_executed(result):
                # written by an earlier try of this run's (counted as its action), or by another
                # run (unchanged here): read back below
                another = made_by_another_run(result, resent=resent)
                confirm.append((order, "unchanged" if another else action))
            elif is_invalid_reference(result):
                self.retry_later.append((order.record, f"items: {_errors(result)}"))
            else:
                errorno = result.errors[0].errorno if result.errors else None
                self._reject(
                    order.record,
                    f"Intacct refused the sales order: {_errors(result)}",
                    errorno=errorno,
                )
        if confirm:
            existing = self._sales_orders([order.increment_id for order, _ in confirm])
            for order, outcome in confirm:
                row = existing.get(order.increment_id)
                self.report.count(self.stream_name, outcome if row else "rejected")
                if row:
                    self.report.map_id(
                        self.stream_name, self._key(order.record), row["RECORDNO"], row["DOCID"]
                    )


def _errors(result: Result) -> str:
    return "; ".join(str(e) for e in result.errors) or result.status
