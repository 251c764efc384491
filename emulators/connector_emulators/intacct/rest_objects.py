"""How the REST API (v1) shows the emulator's objects: one row per object, REST name per field.

The store keeps records under their XML names; the REST routes show the same records under
Sage's REST names (`accounts-receivable/customer`, `contacts.default.email1`), so a record written
through one API is read through the other. Rows follow the objects' examples in Sage's OpenAPI
definitions (Accounts Receivable, Accounts Payable, Company, General Ledger, Inventory, Projects).
Fields every object shares are added by rule: `key` (RECORDNO), `id` (the ID field), the `audit`
group, the `entity` group, and custom fields as `nsp::<NAME>`. A field without a REST name here is
not shown over REST.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .objects import OBJECTS, OBJECTS_BY_NAME, FieldDef, ObjectDef

CUSTOM_PREFIX = "nsp::"
COMMON = (
    ("key", "RECORDNO"),
    ("audit.createdDateTime", "WHENCREATED"),
    ("audit.createdDateTime", "AUWHENCREATED"),
    ("audit.modifiedDateTime", "WHENMODIFIED"),
    ("audit.createdBy", "CREATEDBY"),
    ("audit.modifiedBy", "MODIFIEDBY"),
    ("entity.key", "MEGAENTITYKEY"),
    ("entity.id", "MEGAENTITYID"),
    ("entity.name", "MEGAENTITYNAME"),
    ("status", "STATUS"),
)


def contact(prefix: str, xml_prefix: str) -> tuple[tuple[str, str], ...]:
    """A contact's fields as the customer example in Sage's OpenAPI shows `contacts.default`."""
    pairs = {
        "id": "CONTACTNAME", "printAs": "PRINTAS", "companyName": "COMPANYNAME",
        "tax.isTaxable": "TAXABLE", "tax.group.id": "TAXGROUP", "prefix": "PREFIX",
        "firstName": "FIRSTNAME", "lastName": "LASTNAME", "middleName": "INITIAL",
        "phone1": "PHONE1", "phone2": "PHONE2", "mobile": "CELLPHONE", "pager": "PAGER",
        "fax": "FAX", "email1": "EMAIL1", "email2": "EMAIL2", "URL1": "URL1", "URL2": "URL2",
        "mailingAddress.addressLine1": "MAILADDRESS.ADDRESS1",
        "mailingAddress.addressLine2": "MAILADDRESS.ADDRESS2",
        "mailingAddress.city": "MAILADDRESS.CITY", "mailingAddress.state": "MAILADDRESS.STATE",
        "mailingAddress.postCode": "MAILADDRESS.ZIP",
        "mailingAddress.country": "MAILADDRESS.COUNTRY",
        "mailingAddress.isoCountryCode": "MAILADDRESS.COUNTRYCODE",
    }  # fmt: skip
    return tuple((prefix + rest, xml_prefix + xml) for rest, xml in pairs.items())


@dataclass(frozen=True)
class RestObject:
    """One object over REST: its path and its fields' REST names (dotted for groups)."""

    xml: str
    path: str
    pairs: tuple[tuple[str, str], ...]
    # XML value → REST value of enum fields whose spellings differ
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    numbers: frozenset[str] = field(default_factory=frozenset)  # money shown as JSON numbers

    @property
    def obj(self) -> ObjectDef:
        return OBJECTS_BY_NAME[self.xml]

    @cached_property
    def to_rest(self) -> dict[str, str]:
        """XML field → REST field, shared rules first, then the row's own names."""
        fields = self.obj.field_map
        names = {xml: rest for rest, xml in COMMON if xml in fields}
        if self.obj.id_field:
            names[self.obj.id_field] = "id"
        names.update({xml: rest for rest, xml in self.pairs})
        return names

    @cached_property
    def to_xml(self) -> dict[str, str]:
        return {rest: xml for xml, rest in self.to_rest.items()}

    @cached_property
    def value_maps(self) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
        """XML field → (XML→REST values, REST→XML values)."""
        return {name: (dict(pairs), {r: x for x, r in pairs}) for name, pairs in self.values}

    def rest_name(self, fdef: FieldDef) -> str | None:
        if fdef.custom:
            return CUSTOM_PREFIX + fdef.name
        return self.to_rest.get(fdef.name)

    def xml_name(self, rest: str, fields: dict[str, FieldDef]) -> str | None:
        """The XML field of a REST name, custom fields included (None when unknown)."""
        if rest.startswith(CUSTOM_PREFIX):
            name = rest[len(CUSTOM_PREFIX) :]
            return name if name in fields and fields[name].custom else None
        return self.to_xml.get(rest)


STATE_WORDS = (
    ("Draft", "draft"), ("Posted", "posted"), ("Partially Paid", "partiallyPaid"),
    ("Paid", "paid"), ("Reversed", "reversed"),
)  # fmt: skip
ROWS: tuple[RestObject, ...] = (  # the objects whose field names are mapped
    RestObject(
        "CUSTOMER", "accounts-receivable/customer",
        (
            ("name", "NAME"), *contact("contacts.default.", "DISPLAYCONTACT."),
            ("isOneTimeUse", "ONETIME"), ("customerType.id", "CUSTTYPE"),
            ("parent.id", "PARENTID"), ("accountGroup.id", "GLGROUP"),
            ("territory.id", "TERRITORYID"), ("term.id", "TERMNAME"),
            ("overrideOffsetGLAccount.id", "OFFSETGLACCOUNTNO"),
            ("shippingMethod.id", "SHIPPINGMETHOD"), ("customerResaleNumber", "RESALENO"),
            ("taxId", "TAXID"), ("creditLimit", "CREDITLIMIT"), ("totalDue", "TOTALDUE"),
            ("isOnHold", "ONHOLD"), ("deliveryOptions", "DELIVERYOPTIONS"),
            ("customerMessage.id", "CUSTMESSAGEID"), ("notes", "COMMENTS"),
            ("currency", "CURRENCY"), ("contacts.primary.id", "CONTACTINFO.CONTACTNAME"),
            ("contacts.billTo.id", "BILLTO.CONTACTNAME"),
            ("contacts.shipTo.id", "SHIPTO.CONTACTNAME"),
        ),
        values=(("DELIVERYOPTIONS", (("Print", "print"), ("E-Mail", "email"),
                                     ("Print#~#E-Mail", "both"))),),
        numbers=frozenset({"CREDITLIMIT"}),
    ),
    RestObject(
        "VENDOR", "accounts-payable/vendor",
        (
            ("name", "NAME"), *contact("contacts.default.", "DISPLAYCONTACT."), ("taxId", "TAXID"),
            ("term.id", "TERMNAME"), ("totalDue", "TOTALDUE"), ("currency", "CURRENCY"),
            ("isACHEnabled", "ACHENABLED"),
        ),
    ),
    RestObject("CONTACT", "company-config/contact", contact("", "")),
    RestObject(
        "LOCATION", "company-config/location",
        (("name", "NAME"), ("parent.id", "PARENTID"), ("currency", "CURRENCY")),
    ),
    RestObject(
        "DEPARTMENT", "company-config/department", (("name", "TITLE"), ("parent.id", "PARENTID"))
    ),
    RestObject(
        "CLASS", "company-config/class",
        (("name", "NAME"), ("description", "DESCRIPTION"), ("parent.id", "PARENTID")),
    ),
    RestObject(
        "GLACCOUNT", "general-ledger/account",
        (("name", "TITLE"), ("accountType", "ACCOUNTTYPE"), ("normalBalance", "NORMALBALANCE"),
         ("closingType", "CLOSINGTYPE")),
        values=(("ACCOUNTTYPE", (("balancesheet", "balanceSheet"),
                                 ("incomestatement", "incomeStatement"))),),
    ),
    RestObject(
        "ITEM", "inventory-control/item",
        (
            ("name", "NAME"), ("itemType", "ITEMTYPE"), ("productLine.id", "PRODUCTLINEID"),
            ("basePrice", "BASEPRICE"), ("standardCost", "STANDARD_COST"),
            ("shippingWeight", "SHIP_WEIGHT"), ("unitOfMeasureGroup.id", "UOMGRP"),
            ("extendedDescription", "EXTENDED_DESCRIPTION"), ("isTaxable", "TAXABLE"),
        ),
        values=(("ITEMTYPE", (
            ("Inventory", "inventory"), ("Non-Inventory", "nonInventory"),
            ("Non-Inventory (Purchase only)", "nonInventoryPurchase"),
            ("Non-Inventory (Sales only)", "nonInventorySales"), ("Kit", "kit"),
            ("Stockable Kit", "stockableKit"),
        )),),
    ),
    RestObject(
        "PRODUCTLINE", "inventory-control/product-line",
        (("description", "DESCRIPTION"), ("parent.id", "PARENTLINE")),
    ),
    RestObject(
        "PROJECT", "projects/project",
        (("name", "NAME"), ("customer.id", "CUSTOMERID"), ("startDate", "BEGINDATE"),
         ("endDate", "ENDDATE"), ("budgetAmount", "BUDGETAMOUNT")),
    ),
    RestObject(
        "TASK", "projects/task",
        (("name", "NAME"), ("project.id", "PROJECTID"), ("plannedStartDate", "PBEGINDATE"),
         ("plannedEndDate", "PENDDATE"), ("plannedDuration", "BUDGETQTY")),
    ),
    RestObject(
        "EMPLOYEE", "company-config/employee",
        (("primaryContact.id", "PERSONALINFO.CONTACTNAME"), ("jobTitle", "TITLE"),
         ("department.id", "DEPARTMENTID"), ("location.id", "LOCATIONID"),
         ("startDate", "STARTDATE")),
    ),
    RestObject(
        "WAREHOUSE", "inventory-control/warehouse",
        (("name", "NAME"), ("location.id", "LOCATIONID")),
    ),
    RestObject(
        "ARINVOICE", "accounts-receivable/invoice",
        (
            ("invoiceNumber", "RECORDID"), ("customer.id", "CUSTOMERID"),
            ("customer.name", "CUSTOMERNAME"), ("invoiceDate", "WHENCREATED"),
            ("glPostingDate", "WHENPOSTED"), ("dueDate", "WHENDUE"), ("paidDate", "WHENPAID"),
            ("term.id", "TERMNAME"), ("referenceNumber", "DOCNUMBER"),
            ("description", "DESCRIPTION"), ("txnCurrency.currency", "CURRENCY"),
            ("baseCurrency.currency", "BASECURR"), ("txnCurrency.totalEntered", "TOTALENTERED"),
            ("txnCurrency.totalPaid", "TOTALPAID"), ("txnCurrency.totalDue", "TOTALDUE"),
            ("state", "STATE"), ("moduleKey", "MODULEKEY"),
        ),
        values=(("STATE", STATE_WORDS),),
    ),
    RestObject(
        "ARINVOICEITEM", "accounts-receivable/invoice-line",
        (
            ("invoice.key", "RECORDKEY"), ("lineNumber", "LINE_NO"), ("glAccount.id", "ACCOUNTNO"),
            ("txnAmount", "AMOUNT"), ("memo", "ENTRYDESCRIPTION"),
            ("dimensions.location.id", "LOCATIONID"), ("dimensions.department.id", "DEPARTMENTID"),
            ("dimensions.item.id", "ITEMID"),
        ),
    ),
)  # fmt: skip
# Every other object Sage's REST API maps (`rest_path` in objects.json) is served with the fields
# every REST object shares (key, id, audit, status, entity) until its own names are mapped here.
SERVED = ROWS + tuple(
    RestObject(o.name, o.rest_path, ())
    for o in OBJECTS
    if o.rest_path and o.name not in {row.xml for row in ROWS}
)
BY_XML: dict[str, RestObject] = {row.xml: row for row in SERVED}
BY_PATH: dict[str, RestObject] = {row.path: row for row in SERVED}
