"""The XML gateway's functions carried over the REST API: one client interface, two transports.

`RestTransport` has the XML client's interface (`execute`, `call`, `credentials`, `login`,
`request_count`, `endpoint`, `close`), so tap-intacct and target-intacct run unchanged on either
transport. Per function:

* `query` → the query service (`rest.query`); `lookup` → the model service, as lookup's rows;
  `readUserFormatting` → the REST rendering (ISO dates, UTC), answered here;
* generic `create` / `update` of one object, consecutive functions batched into one request of
  up to 500 records (each function keeps its own result); `delete` → DELETE by keys;
  writes carry an `Idempotency-Key` derived from their control ids, so a write whose answer was
  lost is re-sent and lands once;
* anything else (legacy functions, reports, objects without a REST map such as AUDITHISTORY or
  document types) goes to the XML `fallback` client when one is configured, else fails as
  "not available over the REST API".
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

from intacct_api import dates
from intacct_api.client import IntacctClient
from intacct_api.envelope import Result
from intacct_api.errors import AuthenticationError, GatewayError, describe
from intacct_api.functions import REST_QUERY_MAX_PAGE_SIZE, Function, read_user_formatting
from intacct_api.preferences import UserFormatting
from intacct_api.rest.batches import KeyedBatches, RestResult, failed, failure, spread
from intacct_api.rest.client import RestClient
from intacct_api.rest.mapping import (
    ISO,
    FieldType,
    ObjectMap,
    Rendition,
    model_fields,
    object_map,
    xml_datatype,
)
from intacct_api.rest.oauth import OAuthCredentials
from intacct_api.rest.query import QUERY_PATH, UntranslatableError, translate, xml_rows

logger = logging.getLogger("intacct_api")
MAX_BATCH = 500
MODEL_PATH = "/services/core/model"
# The rendering of every REST value: what readUserFormatting answers over this transport.
REST_FORMATTING = {"dateformat": "-Ymd", "gmtoffset": "+00:00", "clock": "24", "locale": "en_US"}
UNAVAILABLE = "REST-TRANSPORT"
WRITES = ("create", "update", "delete")


@dataclass
class _Model:
    kinds: dict[str, FieldType]  # REST name → type
    custom: frozenset[str]  # XML names of custom fields


class RestTransport:
    """One company (and entity) over REST, with an optional XML client for the rest."""

    max_page_size = REST_QUERY_MAX_PAGE_SIZE

    def __init__(self, rest: RestClient, fallback: IntacctClient | None = None) -> None:
        self.rest = rest
        self.fallback = fallback
        self._models: dict[str, _Model] = {}
        self._rendition: Rendition | None = None
        self._formatting: Result | None = None
        self._entity_open = False
        self.batches = KeyedBatches(rest)

    # --- the XML client's interface -----------------------------------------------------------

    @property
    def credentials(self) -> OAuthCredentials:
        return self.rest.credentials

    @property
    def endpoint(self) -> str | None:
        return self.rest.base_url if self.rest.tokens.grants else None

    @property
    def request_count(self) -> int:
        return self.rest.request_count + (self.fallback.request_count if self.fallback else 0)

    def login(self) -> None:
        """A token; for an entity, one request in it too.

        So a refused entity fails here, as on XML's login (REST tokens are the user's; the
        entity goes in each request's header).
        """
        self.rest.tokens.access_token()
        entity = self.credentials.entity_id
        if entity and not self._entity_open:
            body = {"object": "company-config/location", "fields": ["key"], "size": 1}
            answer = self.rest.send("POST", QUERY_PATH, body=body, read_only=True)
            if answer.status >= 400:
                raise AuthenticationError(
                    f"Intacct refused requests for company {self.credentials.company_id!r} "
                    f"entity {entity!r}: {describe(answer.errors)}",
                    answer.errors,
                )
            self._entity_open = True

    def close(self) -> None:
        self.rest.close()
        if self.fallback is not None:
            self.fallback.close()

    def call(self, function: Function) -> Result:
        results = self.execute([function])
        if not results:
            raise GatewayError(f"Intacct returned no result for {function.name}")
        return results[0].raise_for_status()

    def execute(
        self, functions: Sequence[Function], transaction: bool = False, unique_id: bool = False
    ) -> list[Result]:
        """Results in the functions' order; a failed function is a failed result, as on XML.

        `transaction` (all or nothing) holds over REST for one batch of one object only; a wider
        transaction runs on the XML fallback, else it is refused.
        """
        functions = list(functions)
        groups = self._groups(functions)
        if transaction and len(groups) > 1:
            if self.fallback is None:
                raise GatewayError(
                    "a transaction over several REST requests is not possible; configure the XML "
                    "credentials too, or write fewer objects per transaction"
                )
            return self.fallback.execute(functions, transaction=True, unique_id=unique_id)
        results: list[Result] = []
        for kind, group in groups:
            if kind == "xml":
                results += self._on_xml(group, transaction, unique_id)
            elif kind == "write":
                results += self._write(group, atomic=transaction, unique_id=unique_id)
            else:
                results.append(self._one(group[0]))
        return results

    # --- dispatch -------------------------------------------------------------------------------

    def _groups(self, functions: list[Function]) -> list[tuple[str, list[Function]]]:
        """Consecutive functions sent together: XML runs, write batches, single reads."""
        groups: list[tuple[str, list[Function]]] = []
        for function in functions:
            kind, batch_key = self._kind(function)
            last = groups[-1] if groups else None
            joins = last is not None and last[0] == kind and kind in ("xml", "write")
            if (
                joins
                and last is not None
                and (kind == "xml" or self._fits(last[1], function, batch_key))
            ):
                last[1].append(function)
                continue
            groups.append((kind, [function]))
        return groups

    def _fits(self, batch: list[Function], function: Function, batch_key: str) -> bool:
        """Whether `function` joins the write batch: same action and object, 500 at most."""
        size = sum(_record_count(f) for f in batch) + _record_count(function)
        return self._kind(batch[0])[1] == batch_key and size <= MAX_BATCH

    def _kind(self, function: Function) -> tuple[str, str]:
        name = function.name
        if name == "readUserFormatting":
            return "read", ""
        if name in ("query", "lookup"):
            mapping = object_map(function.element.findtext("object") or "")
            docpar = function.element.findtext("docparid")
            if mapping is not None and not docpar:
                return "read", ""
        if name in WRITES:
            target = _write_object(function)
            mapping = object_map(target) if target else None
            if mapping is not None and (name == "delete" or _record_count(function) >= 1):
                # one record per function batches with its neighbours; several stay together
                return "write", f"{name}:{mapping.xml}:{_record_count(function) == 1}"
        return "xml", ""

    def _on_xml(
        self, functions: list[Function], transaction: bool, unique_id: bool
    ) -> list[Result]:
        """Functions REST does not carry, on the XML fallback (query pages cut to its 2000)."""
        if self.fallback is None:
            return [_unavailable(f) for f in functions]
        functions = [_xml_sized(f, self.fallback.max_page_size) for f in functions]
        return self.fallback.execute(functions, transaction=transaction, unique_id=unique_id)

    def rendition(self) -> Rendition:
        """How dates read in the functions' text: ISO and UTC, or the XML fallback user's way.

        With an XML fallback both transports answer the same functions, so REST values are
        written the way the XML user's answers are (asked once; Intacct's defaults without an
        answer, as `preferences.rendering` assumes).
        """
        if self._rendition is None:
            if self.fallback is None:
                self._rendition = ISO
            else:
                answer = self._user_formatting()
                rows = answer.records() if answer.ok else []
                user = UserFormatting.from_row(rows[0] if rows else {})
                try:
                    style = dates.DateStyle.parse(user.dateformat)
                except ValueError:
                    style = dates.US_STYLE  # preferences.rendering refuses it with a message
                self._rendition = Rendition(dates.zone(user.gmtoffset), style)
        return self._rendition

    def _user_formatting(self) -> Result:
        if self._formatting is None:
            assert self.fallback is not None
            user = self.fallback.credentials.user_id
            self._formatting = self.fallback.execute([read_user_formatting(user)])[0]
        return self._formatting

    def _one(self, function: Function) -> Result:
        if function.name == "readUserFormatting":
            if self.fallback is not None:
                return replace(self._user_formatting(), control_id=function.control_id)
            return RestResult(function.name, function.control_id, "success", rows=[REST_FORMATTING])
        mapping = object_map(function.element.findtext("object") or "")
        assert mapping is not None
        model = self._model(mapping)
        if function.name == "lookup":
            declared = [
                {"ID": mapping.xml_name(rest), "DATATYPE": xml_datatype(rest, kind)}
                for rest, kind in model.kinds.items()
                if mapping.xml_name(rest) is not None
            ]
            row = {"Name": mapping.xml, "Fields": {"Field": declared}}
            return RestResult("lookup", function.control_id, "success", rows=[row])
        try:
            translation = translate(
                function.element, mapping, model.kinds, model.custom, self.rendition()
            )
        except UntranslatableError as exc:
            if self.fallback is not None:
                return self.fallback.execute([function])[0]
            return failure(function, "Query Failed", f"{exc} over the REST API")
        answer = self.rest.send("POST", QUERY_PATH, body=translation.body, read_only=True)
        if answer.status != 200:
            return failed(function, answer)
        body = answer.body if isinstance(answer.body, dict) else {}
        found = body.get("ia::result") or []
        rows = xml_rows(found, translation, mapping, model.kinds, self.rendition())
        meta = body.get("ia::meta") or {}
        start = int(translation.body["start"])
        total = int(meta.get("totalCount") or 0)
        remaining = max(total - (start - 1) - len(rows), 0)
        return RestResult(
            "query", function.control_id, "success", count=len(rows), total_count=total,
            num_remaining=remaining, offset=start - 1, rows=rows,
        )  # fmt: skip

    def _model(self, mapping: ObjectMap) -> _Model:
        """The object's field types from the model service (asked once per object)."""
        model = self._models.get(mapping.xml)
        if model is None:
            answer = self.rest.send("GET", MODEL_PATH, params={"name": mapping.path})
            if answer.status != 200 or not isinstance(answer.body, dict):
                raise GatewayError(f"Intacct's model of {mapping.path}: {answer.errors}")
            found = answer.body.get("ia::result")
            kinds = dict(model_fields(found)) if isinstance(found, dict) else {}
            custom = frozenset(r[5:] for r in kinds if r.startswith("nsp::"))
            model = self._models[mapping.xml] = _Model(kinds, custom)
        return model

    # --- writes ---------------------------------------------------------------------------------

    def _write(
        self, functions: list[Function], *, atomic: bool, unique_id: bool = False
    ) -> list[Result]:
        """One batch: the functions' records in one request, each function its own result.

        A function whose record has a field without a REST name goes to the XML fallback (or
        fails, naming the field, without one); updates keyed by the ID field get their keys
        from one query for the batch.
        """
        name = functions[0].name
        mapping = object_map(_write_object(functions[0]) or "")
        assert mapping is not None
        model = self._model(mapping)
        if name == "delete":
            keys = ",".join(_keys(f) for f in functions)
            answer = self.rest.send("DELETE", f"/objects/{mapping.path}/{keys}", read_only=True)
            batch = [(f, [{"key": k} for k in _keys(f).split(",") if k]) for f in functions]
            return spread(batch, answer, name, mapping)
        built: dict[int, list[tuple[dict[str, Any], str | None]]] = {}
        refused: dict[int, str] = {}
        for index, function in enumerate(functions):
            try:
                built[index] = [
                    self._rest_record(mapping, model, e, name) for e in function.element
                ]
            except ValueError as exc:
                refused[index] = str(exc)
        self._resolve_keys(mapping, built, refused)
        results: dict[int, Result] = {}
        if refused and self.fallback is not None:
            moved = sorted(refused)
            answers = self._on_xml([functions[i] for i in moved], atomic, unique_id)
            results.update(zip(moved, answers, strict=True))
        else:
            results.update({i: failure(functions[i], UNAVAILABLE, refused[i]) for i in refused})
        sent = [i for i in sorted(built) if i not in refused]
        if sent:
            batch = [(functions[i], [record for record, _ in built[i]]) for i in sent]
            answers = self.batches.send(name, mapping, batch, atomic)
            results.update(zip(sent, answers, strict=True))
        return [results[i] for i in range(len(functions))]

    def _rest_record(
        self, mapping: ObjectMap, model: _Model, element: etree._Element, action: str
    ) -> tuple[dict[str, Any], str | None]:
        """One XML object element as a REST record, and the ID whose key it still needs."""
        flat: dict[str, Any] = {}
        rendition = self.rendition()
        for xml_field, text in _leaves(element):
            if action == "update" and xml_field == "RECORDNO":
                flat["key"] = text
                continue
            rest = mapping.rest_name(xml_field, model.custom)
            if rest is None or rest not in model.kinds:
                raise ValueError(
                    f"{mapping.xml} field {xml_field} has no REST name (docs/rest-field-map.md); "
                    "set the XML credentials too to write it"
                )
            kind = model.kinds[rest]
            value = None if text == "" else mapping.to_rest_value(xml_field, text, kind, rendition)
            if value is not None or action != "create":
                flat[rest] = value
        pending = None
        if action == "update" and "key" not in flat:
            pending = flat.get("id")
            if pending is None:
                raise ValueError(f"{mapping.xml}: an update needs RECORDNO or {mapping.id_field}")
        return _nested(flat), None if pending is None else str(pending)

    def _resolve_keys(
        self,
        mapping: ObjectMap,
        built: dict[int, list[tuple[dict[str, Any], str | None]]],
        refused: dict[int, str],
    ) -> None:
        """Keys of updates named by ID, from one query; a missing one refuses its function."""
        wanted = sorted(
            {pending for records in built.values() for _, pending in records if pending}
        )
        if not wanted:
            return
        body = {"object": mapping.path, "fields": ["key", "id"], "size": len(wanted),
                "filters": [{"$in": {"id": wanted}}]}  # fmt: skip
        answer = self.rest.send("POST", QUERY_PATH, body=body, read_only=True)
        found = (answer.body or {}).get("ia::result") or [] if answer.status == 200 else []
        keys = {str(row["id"]): str(row["key"]) for row in found}
        for index, records in built.items():
            for record, pending in records:
                if pending is None:
                    continue
                if pending not in keys:
                    refused.setdefault(
                        index,
                        f"Cannot update non-existing {mapping.xml} with "
                        f"{mapping.id_field}={pending}.",
                    )
                record["key"] = keys.get(pending)


# --- helpers -----------------------------------------------------------------------------------


def _xml_sized(function: Function, largest: int) -> Function:
    """A query asking for more rows a page than the XML gateway gives, asking for its most."""
    size = function.element.find("pagesize")
    if function.name != "query" or size is None or int(size.text or 0) <= largest:
        return function
    element = copy.deepcopy(function.element)
    element.find("pagesize").text = str(largest)  # type: ignore[union-attr]
    return Function(function.name, element, function.control_id)


def _write_object(function: Function) -> str | None:
    if function.name == "delete":
        return function.element.findtext("object")
    children = [c for c in function.element if isinstance(c.tag, str)]
    tags = {str(c.tag) for c in children}
    return tags.pop() if len(tags) == 1 else None


def _keys(function: Function) -> str:
    """A delete's keys, comma-joined without blanks."""
    return ",".join(
        k.strip() for k in (function.element.findtext("keys") or "").split(",") if k.strip()
    )


def _record_count(function: Function) -> int:
    if function.name == "delete":
        return len(_keys(function).split(",")) if _keys(function) else 0
    return len([c for c in function.element if isinstance(c.tag, str)])


def _leaves(element: etree._Element, prefix: str = "") -> Iterable[tuple[str, str]]:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = prefix + str(child.tag)
        if len(child):
            yield from _leaves(child, name + ".")
        else:
            yield name, child.text or ""


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in flat.items():
        *path, leaf = name.split(".") if not name.startswith("nsp::") else [name]
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def _unavailable(function: Function) -> RestResult:
    what = function.element.findtext("object") or function.name
    return failure(
        function,
        UNAVAILABLE,
        f"Object definition {what} not found over the REST API ({function.name}); configure the "
        "XML credentials too to reach it",
    )
