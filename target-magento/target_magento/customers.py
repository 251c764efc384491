"""Intacct customers → Magento customers, matched by email per website, owned through the ID map.

Inactive customers are synced like active ones: Magento customers have no status, and the shop
account stays usable for orders already placed. Deleted customers (`_sdc_deleted_at`) are logged
and left alone: removing a shop account also removes its order history links.
"""

from __future__ import annotations

import logging
import re
import typing as t

from magento_api import MagentoError

from target_magento import bulk
from target_magento.records import Rejection, chunks, is_deleted, required, text
from target_magento.run import Run

if t.TYPE_CHECKING:
    from collections.abc import Mapping

LOGGER = logging.getLogger("target-magento")
ROLE = "customers"
KEY = ("CUSTOMERID", "RECORDNO")  # a record's key in logs, rejects and the ID map
CONTACT = "DISPLAYCONTACT."
ADDRESS = "DISPLAYCONTACT.MAILADDRESS."
EMAIL = f"{CONTACT}EMAIL1"
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Magento's `fieldName` in an error → the Intacct field it came from.
MAGENTO_FIELDS = {
    "email": EMAIL,
    "firstname": f"{CONTACT}FIRSTNAME",
    "lastname": f"{CONTACT}LASTNAME",
    "telephone": f"{CONTACT}PHONE1",
    "postcode": f"{ADDRESS}ZIP",
    "city": f"{ADDRESS}CITY",
    "street": f"{ADDRESS}ADDRESS1",
    "countryId": f"{ADDRESS}COUNTRYCODE",
    "regionId": f"{ADDRESS}STATE",
    "region": f"{ADDRESS}STATE",
}

# The address fields this target writes; a stored address is rewritten when one differs.
ADDRESS_FIELDS = (
    "firstname",
    "lastname",
    "company",
    "street",
    "city",
    "postcode",
    "country_id",
    "telephone",
)
# What an address sent back to Magento may hold (the OpenAPI address interface).
ADDRESS_SCHEMA_FIELDS = frozenset(
    {
        "id",
        "customer_id",
        "region",
        "region_id",
        "country_id",
        "street",
        "company",
        "telephone",
        "fax",
        "postcode",
        "city",
        "firstname",
        "lastname",
        "middlename",
        "prefix",
        "suffix",
        "vat_id",
        "default_shipping",
        "default_billing",
        "custom_attributes",
    }
)


def load(run: Run, stream: str, records: list[dict]) -> None:
    """Validate, look up existing customers in a few searches, then write concurrently.

    A customer whose create still waits in an open bulk waits for it: sent again, it would be
    created twice (or refused as a duplicate email).
    """
    owners = _Owners(run)
    queued = bulk.Queued(run, stream)
    accepted: list[tuple[str, dict, dict]] = []
    for key, record in run.latest(stream, records, *KEY):
        if queued.hold(key, record):
            continue
        if is_deleted(record):
            run.skip(stream, key, "deleted in Intacct; the Magento customer is kept")
            continue
        try:
            customer = build_customer(run, record)
            owners.claim(key, customer["email"])
        except Rejection as rejection:
            run.reject(stream, key, record, rejection)
            continue
        accepted.append((key, record, customer))
    existing = _find_existing(run, [(key, customer) for key, _, customer in accepted])
    new = [item for item in accepted if item[0] not in existing]
    if run.settings.use_bulk_api and len(new) >= run.settings.bulk_threshold:
        operations = [
            bulk.Operation(key, record, {"customer": customer}, "created")
            for key, record, customer in new
        ]
        bulk.submit(
            run,
            stream,
            ROLE,
            ("POST", "V1/customers"),
            operations,
            store=run.client.store_code,
            finish=finish_bulk,
        )
        accepted = [item for item in accepted if item[0] in existing]
    owned_ids = {entry["id"]: owner for owner, entry in run.id_map.section(ROLE).items()}

    def write(item: tuple[str, dict, dict]) -> None:
        key, record, customer = item
        run.guarded(
            stream,
            key,
            record,
            lambda: _write(run, key, customer, existing.get(key), owned_ids),
            MAGENTO_FIELDS,
        )

    run.client.map(write, accepted)
    run.id_map.save()


def finish_bulk(run: Run, stream: str, ended: list[tuple[bulk.Operation, bulk.Outcome]]) -> None:
    """Bulk creates Magento ran: ids found by email (a search per hundred), failures rejected."""
    created: list[bulk.Operation] = []
    for operation, outcome in ended:
        if outcome.ok:
            created.append(operation)
        else:
            bulk.reject(run, stream, operation, outcome, MAGENTO_FIELDS)
    found = _search_emails(run, [operation.body["customer"]["email"] for operation in created])
    for operation in created:
        customer = operation.body["customer"]
        saved = found.get(customer["email"])
        if saved is None:
            LOGGER.warning("Customer %s: created in bulk but not found by email", operation.key)
        else:
            _remember(run, operation.key, customer, saved)
        run.count(stream, operation.outcome, operation.key)
    run.id_map.save()


def build_customer(run: Run, record: Mapping[str, t.Any]) -> dict:
    """The Magento customer body (without id) with one default billing/shipping address."""
    email = required(record, EMAIL, "An email address").lower()
    if not EMAIL_SHAPE.match(email):
        msg = f"{email!r} is not a valid email address"
        raise Rejection(msg, EMAIL)
    firstname = required(record, f"{CONTACT}FIRSTNAME", "A first name")
    lastname = required(record, f"{CONTACT}LASTNAME", "A last name")
    street = [required(record, f"{ADDRESS}ADDRESS1", "A street address")]
    if second_line := text(record, f"{ADDRESS}ADDRESS2"):
        street.append(second_line)
    address: dict[str, t.Any] = {
        "firstname": firstname,
        "lastname": lastname,
        "street": street,
        "city": required(record, f"{ADDRESS}CITY", "A city"),
        "postcode": required(record, f"{ADDRESS}ZIP", "A postcode"),
        "telephone": required(record, f"{CONTACT}PHONE1", "A telephone number"),
        "default_billing": True,
        "default_shipping": True,
    }
    if company := text(record, "NAME"):
        address["company"] = company
    country = _country(run, record)
    address["country_id"] = country["id"]
    state = text(record, f"{ADDRESS}STATE")
    if state:
        region = _region(run, country, state)
        if region is None and country.get("available_regions"):
            msg = f"{state!r} is not a region of {country['id']} in Magento's directory"
            raise Rejection(msg, f"{ADDRESS}STATE")
        region_id = int(region["id"]) if region is not None else 0
        address["region_id"] = region_id
        address["region"] = {
            "region_id": region_id,
            "region_code": str(region.get("code") or state) if region else state,
            "region": str(region.get("name") or state) if region else state,
        }
    return {
        "email": email,
        "firstname": firstname,
        "lastname": lastname,
        "website_id": run.settings.website_id,
        "addresses": [address],
    }


def _country(run: Run, record: Mapping[str, t.Any]) -> dict:
    """Magento's directory entry from COUNTRYCODE, else from the COUNTRY name."""
    code = text(record, f"{ADDRESS}COUNTRYCODE")
    if code:
        country = _directory_country(run, code.upper())
        if country is None:
            msg = f"Country code {code!r} is not in Magento's directory"
            raise Rejection(msg, f"{ADDRESS}COUNTRYCODE")
        return country
    name = required(record, f"{ADDRESS}COUNTRY", "A country")
    by_name = run.cached("directory:names", lambda: _country_names(run))
    country_id = by_name.get(name.casefold())
    if country_id is None:
        msg = f"Country {name!r} is not in Magento's directory"
        raise Rejection(msg, f"{ADDRESS}COUNTRY")
    return t.cast("dict", _directory_country(run, country_id))


def _directory_country(run: Run, country_id: str) -> dict | None:
    def fetch() -> dict | None:
        try:
            return run.client.request("GET", f"V1/directory/countries/{country_id}")
        except MagentoError as error:
            if error.status in {400, 404}:
                return None
            raise

    return t.cast("dict | None", run.cached(f"directory:{country_id}", fetch))


def _country_names(run: Run) -> dict[str, str]:
    names: dict[str, str] = {}
    for country in run.client.request("GET", "V1/directory/countries") or []:
        for name_field in ("full_name_english", "full_name_locale", "three_letter_abbreviation"):
            if country.get(name_field):
                names[str(country[name_field]).casefold()] = str(country["id"])
    return names


def _region(run: Run, country: Mapping[str, t.Any], state: str) -> dict | None:
    """The directory region whose code or name is `state` (case-insensitive)."""

    def index() -> dict[str, dict]:
        regions: dict[str, dict] = {}
        for region in country.get("available_regions") or []:
            for name in (region.get("code"), region.get("name")):
                if name:
                    regions.setdefault(str(name).casefold(), region)
        return regions

    regions = run.cached(f"regions:{country['id']}", index)
    return t.cast("dict | None", regions.get(state.casefold()))


class _Owners:
    """Email ↔ Intacct customer, both ways, from the ID map and then this batch's claims."""

    def __init__(self, run: Run) -> None:
        self.email_of = {
            owner: str(entry["email"]).lower()
            for owner, entry in run.id_map.section(ROLE).items()
            if entry.get("email")
        }
        self.owner_of = {email: owner for owner, email in self.email_of.items()}

    def claim(self, key: str, email: str) -> None:
        """Give `email` to `key` (releasing its previous one) unless another customer owns it."""
        owner = self.owner_of.get(email)
        if owner is not None and owner != key:
            msg = (
                f"Email {email} already belongs to Intacct customer {owner}; {key} cannot share it"
            )
            raise Rejection(msg, EMAIL)
        previous = self.email_of.get(key)
        if previous is not None and previous != email:
            del self.owner_of[previous]
        self.email_of[key] = email
        self.owner_of[email] = key


def _find_existing(run: Run, accepted: list[tuple[str, dict]]) -> dict[str, dict]:
    """Existing Magento customers for the batch: by mapped id, then by email and website.

    A mapped id is trusted only when that Magento customer has the email the map recorded or
    the record's: otherwise the map is stale (a reset shop) and the customer is found by email.
    """
    found: dict[str, dict] = {}
    emails = dict(accepted)
    mapped = {key: entry for key, _ in accepted if (entry := run.id_map.get(ROLE, key))}
    by_id: dict[int, dict] = {}
    for ids in chunks(sorted({int(entry["id"]) for entry in mapped.values()})):
        for item in run.client.search(
            "V1/customers/search", [[("entity_id", ",".join(map(str, ids)), "in")]]
        ):
            by_id[int(item["id"])] = item
    for key, entry in mapped.items():
        magento_id = int(entry["id"])
        customer = by_id.get(magento_id)
        if customer is None:
            run.id_map.forget(ROLE, key, f"is Magento customer {magento_id}, which does not exist")
            continue
        email = str(customer.get("email") or "").lower()
        if email not in {str(entry.get("email") or "").lower(), emails[key]["email"]}:
            why = f"is Magento customer {magento_id}, whose email is another customer's"
            run.id_map.forget(ROLE, key, why)
            continue
        found[key] = customer
    by_email = _search_emails(
        run, [customer["email"] for key, customer in accepted if key not in found]
    )
    for key, customer in accepted:
        if key not in found and customer["email"] in by_email:
            found[key] = by_email[customer["email"]]
    return found


def _search_emails(run: Run, emails: list[str]) -> dict[str, dict]:
    """Customers of the website by lower-cased email, one `in` search per hundred emails."""
    found: dict[str, dict] = {}
    for batch in chunks(sorted(set(emails))):
        for item in run.client.search(
            "V1/customers/search",
            [
                [("email", ",".join(batch), "in")],
                [("website_id", run.settings.website_id, "eq")],
            ],
        ):
            found[str(item["email"]).lower()] = item
    return found


def _write(
    run: Run, key: str, customer: dict, existing: dict | None, owned_ids: dict[int, str]
) -> str:
    address = customer["addresses"][0]
    if existing is None:
        response, found = run.client.create_safely(
            "V1/customers",
            {"customer": customer},
            lambda: _search_emails(run, [customer["email"]]).get(customer["email"]),
        )
        _remember(run, key, customer, response if found is None else found)
        return "created"
    owner = owned_ids.get(int(existing["id"]))
    if owner is not None and owner != key:
        msg = (
            f"Email {customer['email']} belongs to Magento customer {existing['id']}, "
            f"owned by Intacct customer {owner} in the ID map {run.id_map.path}"
        )
        raise Rejection(msg, EMAIL)
    managed_id = (run.id_map.get(ROLE, key) or {}).get("address_id")
    addresses, changed = _merge_addresses(existing.get("addresses") or [], address, managed_id)
    changed = changed or any(
        existing.get(name) != customer[name] for name in ("email", "firstname", "lastname")
    )
    if not changed:
        _remember(run, key, customer, existing)
        return "unchanged"
    body = {
        "customer": {
            "id": int(existing["id"]),
            "email": customer["email"],
            "firstname": customer["firstname"],
            "lastname": customer["lastname"],
            "website_id": int(existing.get("website_id") or run.settings.website_id),
            "addresses": addresses,
        }
    }
    response = run.client.request("PUT", f"V1/customers/{int(existing['id'])}", body=body)
    _remember(run, key, customer, response or existing)
    return "updated"


def _merge_addresses(
    stored: list[dict], wanted: dict, managed_id: int | None
) -> tuple[list[dict], bool]:
    """Keep the shop's other addresses; replace the one this target manages, or add it."""
    target_index = next(
        (index for index, item in enumerate(stored) if managed_id and item.get("id") == managed_id),
        next((index for index, item in enumerate(stored) if item.get("default_billing")), None),
    )
    merged = [_sendable(item) for item in stored]
    if target_index is None:
        return [*merged, wanted], True
    current = merged[target_index]
    changed = _signature(current) != _signature(wanted)
    merged[target_index] = {**wanted, "id": current["id"]}
    if current.get("customer_id") is not None:
        merged[target_index]["customer_id"] = current["customer_id"]
    return merged, changed


def _signature(address: Mapping[str, t.Any]) -> tuple:
    """What this target controls in an address, normalised (no region is region 0)."""
    region = address.get("region") or {}
    return (
        *(address.get(name) or None for name in ADDRESS_FIELDS),
        int(address.get("region_id") or region.get("region_id") or 0),
        region.get("region") or None,
    )


def _sendable(address: Mapping[str, t.Any]) -> dict:
    """A stored address as it may be sent back: schema fields only, empty regions left out."""
    clean = {
        name: value
        for name, value in address.items()
        if name in ADDRESS_SCHEMA_FIELDS and value is not None
    }
    region = clean.get("region")
    if isinstance(region, dict) and not all(
        region.get(name) is not None for name in ("region_code", "region", "region_id")
    ):
        del clean["region"]
    return clean


def _remember(run: Run, key: str, customer: dict, response: Mapping[str, t.Any]) -> None:
    """Record ownership: the Magento id, the email and the address this target manages."""
    wanted = customer["addresses"][0]
    address_id = None
    for item in response.get("addresses") or []:
        if all(item.get(name) == wanted.get(name) for name in ("street", "postcode", "city")):
            address_id = item.get("id")
    run.id_map.put(
        ROLE, key, {"id": int(response["id"]), "email": customer["email"], "address_id": address_id}
    )
