"""The one table of Intacct objects the emulator serves.

Every object is a row of `OBJECTS`: its fields (data type, required, read-only, valid values,
referenced object), its ID field, its owner object and link field for line objects, the element
names of its lines inside a create/update, and whether it carries WHENMODIFIED and belongs to an
entity. Adding an object is adding a row; behaviour beyond plain storage lives in `rules.py`.
Nested elements of a create (DISPLAYCONTACT/MAILADDRESS/CITY) are fields with dotted names
(`DISPLAYCONTACT.MAILADDRESS.CITY`), which is also how `query` and `lookup` expose them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DATATYPES = ("TEXT", "INTEGER", "DECIMAL", "CURRENCY", "PERCENT", "BOOLEAN", "DATE", "TIMESTAMP")
NUMERIC_TYPES = frozenset({"INTEGER", "DECIMAL", "CURRENCY", "PERCENT"})


@dataclass(frozen=True)
class FieldDef:
    """One field of an object as `lookup` describes it."""

    name: str
    datatype: str = "TEXT"
    required: bool = False
    readonly: bool = False
    valid: tuple[str, ...] = ()
    ref: str | None = None  # object whose ID field this field holds
    label: str = ""
    custom: bool = False
    # readByQuery renders some enums with words instead of the codes `query` shows.
    legacy_words: tuple[tuple[str, str], ...] = ()
    # readByQuery filters compare the stored code (`STATUS = 'T'`), not the value rows show.
    query_codes: tuple[tuple[str, str], ...] = ()

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace(".", " ").replace("_", " ").title()


@dataclass(frozen=True)
class ObjectDef:
    """One Intacct object (a row of the table)."""

    name: str
    label: str
    module: str
    fields: tuple[FieldDef, ...]
    id_field: str | None = None
    parent: str | None = None  # owner object of a line object
    parent_field: str | None = None  # field of a line holding the owner's RECORDNO
    lines: tuple[str, str, str] | None = None  # (container element, line element, line object)
    whenmodified: bool = True
    scoped: bool = True  # belongs to an entity (LOCATION) when created in one
    shared: bool = False  # master data: entity sessions also see top-level records
    created_stamp: str | None = "WHENCREATED"  # audit timestamp field set on create
    generic_write: bool = True  # generic create/update allowed (others use legacy functions)
    deletable: bool = True  # generic delete allowed (lines go with their owner)
    id_prefix: str | None = None  # auto-numbering when a create leaves the ID field empty
    docpar: bool = False  # has document types (docparid)

    @property
    def field_map(self) -> dict[str, FieldDef]:
        return {f.name: f for f in self.fields}

    @property
    def stamp_field(self) -> str:
        """The timestamp kept in the indexed `whenmodified` column."""
        return "WHENMODIFIED" if self.whenmodified else "ACCESSTIME"


def f(
    name: str,
    datatype: str = "TEXT",
    *,
    req: bool = False,
    ro: bool = False,
    valid: tuple[str, ...] = (),
    ref: str | None = None,
    label: str = "",
    legacy_words: tuple[tuple[str, str], ...] = (),
    query_codes: tuple[tuple[str, str], ...] = (),
) -> FieldDef:
    """Shorthand for a `FieldDef` row."""
    return FieldDef(name, datatype, req, ro, valid, ref, label, False, legacy_words, query_codes)


STATUS = f("STATUS", valid=("active", "inactive"), query_codes=(("T", "active"), ("F", "inactive")))
ADDRESS_PARTS = ("ADDRESS1", "ADDRESS2", "CITY", "STATE", "ZIP", "COUNTRY", "COUNTRYCODE")
CONTACT_PARTS = (
    "CONTACTNAME",
    "PRINTAS",
    "COMPANYNAME",
    "TAXABLE",
    "TAXGROUP",
    "PREFIX",
    "FIRSTNAME",
    "LASTNAME",
    "INITIAL",
    "PHONE1",
    "PHONE2",
    "CELLPHONE",
    "PAGER",
    "FAX",
    "EMAIL1",
    "EMAIL2",
    "URL1",
    "URL2",
)


def contact_fields(prefix: str = "", *, required_printas: bool = False) -> tuple[FieldDef, ...]:
    """The fields of a contact, optionally nested under DISPLAYCONTACT."""
    out = []
    for part in CONTACT_PARTS:
        datatype = "BOOLEAN" if part == "TAXABLE" else "TEXT"
        out.append(f(prefix + part, datatype, req=required_printas and part == "PRINTAS"))
    out.extend(f(f"{prefix}MAILADDRESS.{part}") for part in ADDRESS_PARTS)
    return tuple(out)


def entity_fields() -> tuple[FieldDef, ...]:
    """MEGAENTITY* fields every entity-owned record shows."""
    return (
        f("MEGAENTITYKEY", "INTEGER", ro=True),
        f("MEGAENTITYID", ro=True),
        f("MEGAENTITYNAME", ro=True),
    )


def audit_fields(created: str | None = "WHENCREATED") -> tuple[FieldDef, ...]:
    """WHENCREATED/WHENMODIFIED/CREATEDBY/MODIFIEDBY fields."""
    out = [f("WHENMODIFIED", "TIMESTAMP", ro=True, label="When modified")]
    if created:
        out.insert(0, f(created, "TIMESTAMP", ro=True, label="When created"))
    out += [f("CREATEDBY", "INTEGER", ro=True), f("MODIFIEDBY", "INTEGER", ro=True)]
    return tuple(out)


RECORDNO = f("RECORDNO", "INTEGER", ro=True, label="Record number")
GL_DIMENSIONS = (
    f("LOCATION", ref="LOCATION"),
    f("DEPARTMENT", ref="DEPARTMENT"),
    f("PROJECTID"),
    f("TASKID"),
    f("CUSTOMERID"),
    f("VENDORID"),
    f("EMPLOYEEID"),
    f("ITEMID"),
    f("CLASSID"),
    f("CONTRACTID"),
    f("WAREHOUSEID"),
)
DOC_STATES = ("Draft", "Pending", "Partially Converted", "Converted", "Closed", "In Progress")
AR_STATES = ("Draft", "Posted", "Partially Paid", "Paid", "Reversed")
GL_STATES = (
    "Draft",
    "Submitted",
    "Partially Approved",
    "Approved",
    "Posted",
    "Declined",
    "Reversal pending",
    "Reversed",
)

# fmt: off
OBJECTS: tuple[ObjectDef, ...] = (
    ObjectDef(
        "CUSTOMER", "Customer", "AR", id_field="CUSTOMERID", id_prefix="CUST-", shared=True,
        fields=(
            RECORDNO, f("CUSTOMERID", req=True), f("NAME", req=True), STATUS,
            *contact_fields("DISPLAYCONTACT."), f("ONETIME", "BOOLEAN"),
            f("HIDEDISPLAYCONTACT", "BOOLEAN"), f("CUSTTYPE"), f("PARENTID", ref="CUSTOMER"),
            f("GLGROUP"), f("TERRITORYID"), f("SUPDOCID"), f("TERMNAME"), f("OFFSETGLACCOUNTNO"),
            f("ARACCOUNT"), f("SHIPPINGMETHOD"), f("RESALENO"), f("TAXID"),
            f("CREDITLIMIT", "CURRENCY"), f("TOTALDUE", "CURRENCY", ro=True),
            f("ONHOLD", "BOOLEAN"), f("DELIVERYOPTIONS"), f("CUSTMESSAGEID"), f("COMMENTS"),
            f("CURRENCY"), f("ARINVOICEPRINTTEMPLATEID"), f("OEQUOTEPRINTTEMPLATEID"),
            f("OEORDERPRINTTEMPLATEID"), f("OELISTPRINTTEMPLATEID"), f("OEINVOICEPRINTTEMPLATEID"),
            f("OEADJPRINTTEMPLATEID"), f("OEOTHERPRINTTEMPLATEID"), f("CONTACTINFO.CONTACTNAME"),
            f("BILLTO.CONTACTNAME"), f("SHIPTO.CONTACTNAME"), f("OBJECTRESTRICTION"),
            f("RESTRICTEDLOCATIONS"), f("RESTRICTEDDEPARTMENTS"), *audit_fields(),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "CONTACT", "Contact", "CO", id_field="CONTACTNAME", shared=True,
        fields=(
            RECORDNO, *contact_fields(required_printas=True), STATUS, *audit_fields(),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "PRODUCTLINE", "Product Line", "INV", id_field="PRODUCTLINEID", scoped=False,
        fields=(
            RECORDNO, f("PRODUCTLINEID", req=True), f("DESCRIPTION"),
            f("PARENTLINE", ref="PRODUCTLINE"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "ITEM", "Item", "INV", id_field="ITEMID", scoped=False,
        fields=(
            RECORDNO, f("ITEMID", req=True), f("NAME", req=True), STATUS,
            f(
                "ITEMTYPE", req=True,
                valid=(
                    "Inventory", "Non-Inventory", "Non-Inventory (Purchase only)",
                    "Non-Inventory (Sales only)", "Kit", "Stockable Kit",
                ),
            ),
            f("PRODUCTLINEID", ref="PRODUCTLINE"), f("BASEPRICE", "CURRENCY"),
            f("STANDARD_COST", "CURRENCY"), f("SHIP_WEIGHT", "DECIMAL"), f("UOMGRP"),
            f("EXTENDED_DESCRIPTION"), f("TAXABLE", "BOOLEAN"), *audit_fields(),
        ),
    ),
    ObjectDef(
        "GLACCOUNT", "GL Account", "GL", id_field="ACCOUNTNO", scoped=False,
        fields=(
            RECORDNO, f("ACCOUNTNO", req=True), f("TITLE", req=True),
            f("ACCOUNTTYPE", valid=("balancesheet", "incomestatement")),
            f("NORMALBALANCE", valid=("debit", "credit")), f("CLOSINGTYPE"), STATUS,
            *audit_fields(),
        ),
    ),
    ObjectDef(
        "GLBATCH", "Journal Entry", "GL", lines=("ENTRIES", "GLENTRY", "GLENTRY"),
        fields=(
            RECORDNO, f("BATCHNO", "INTEGER", ro=True), f("JOURNAL", req=True),
            f("BATCH_DATE", "DATE", req=True), f("REVERSEDATE", "DATE"),
            f("BATCH_TITLE", req=True), f("HISTORY_COMMENT"), f("REFERENCENO"),
            f("BASELOCATION_NO"), f("SUPDOCID"), f("STATE", valid=GL_STATES), *audit_fields(),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "GLENTRY", "Journal Entry Line", "GL", parent="GLBATCH", parent_field="BATCHNO",
        fields=(
            RECORDNO, f("BATCHNO", "INTEGER", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("DOCUMENT"), f("ACCOUNTNO", req=True, ref="GLACCOUNT"),
            f("TR_TYPE", "INTEGER", req=True, valid=("1", "-1")), f("TRX_AMOUNT", "CURRENCY"),
            f("AMOUNT", "CURRENCY"), f("CURRENCY"), f("EXCH_RATE_DATE", "DATE"),
            f("EXCH_RATE_TYPE_ID"), f("ENTRY_DATE", "DATE", ro=True), *GL_DIMENSIONS,
            f("DESCRIPTION"), *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "LOCATION", "Location", "CO", id_field="LOCATIONID", scoped=False,
        fields=(
            RECORDNO, f("LOCATIONID", req=True), f("NAME", req=True),
            f("PARENTID", ref="LOCATION"), f("CURRENCY"), f("ENTITY", "BOOLEAN"), STATUS,
            *audit_fields(),
        ),
    ),
    ObjectDef(
        "DEPARTMENT", "Department", "CO", id_field="DEPARTMENTID", scoped=False,
        fields=(
            RECORDNO, f("DEPARTMENTID", req=True), f("TITLE", req=True),
            f("PARENTID", ref="DEPARTMENT"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "VENDOR", "Vendor", "AP", id_field="VENDORID", id_prefix="VEND-", shared=True,
        fields=(
            RECORDNO, f("VENDORID", req=True), f("NAME", req=True), STATUS,
            *contact_fields("DISPLAYCONTACT."), f("TAXID"), f("TERMNAME"),
            f("ACHENABLED", "BOOLEAN"), f("TOTALDUE", "CURRENCY", ro=True), f("CURRENCY"),
            *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "ARINVOICE", "AR Invoice", "AR", created_stamp="AUWHENCREATED",
        lines=("ARINVOICEITEMS", "ARINVOICEITEM", "ARINVOICEITEM"), generic_write=False,
        fields=(
            RECORDNO, f("RECORDID", label="Invoice number"),
            f("CUSTOMERID", req=True, ref="CUSTOMER"), f("CUSTOMERNAME", ro=True),
            f("WHENCREATED", "DATE", req=True, label="Date"), f("WHENPOSTED", "DATE"),
            f("WHENDUE", "DATE"), f("WHENPAID", "DATE", ro=True), f("TERMNAME"),
            f("DOCNUMBER", label="Reference number"), f("DESCRIPTION"), f("CURRENCY"),
            f("BASECURR"), f("TOTALENTERED", "CURRENCY", ro=True),
            f("TOTALPAID", "CURRENCY", ro=True), f("TOTALDUE", "CURRENCY", ro=True),
            f("STATE", ro=True, valid=AR_STATES), f("MODULEKEY", ro=True), f("PRBATCHKEY"),
            *audit_fields("AUWHENCREATED"), *entity_fields(),
        ),
    ),
    ObjectDef(
        "ARINVOICEITEM", "AR Invoice Detail", "AR", parent="ARINVOICE", parent_field="RECORDKEY",
        created_stamp=None, generic_write=False,
        fields=(
            RECORDNO, f("RECORDKEY", "INTEGER", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("ACCOUNTNO", ref="GLACCOUNT"), f("AMOUNT", "CURRENCY", req=True),
            f("ENTRYDESCRIPTION"), f("LOCATIONID"), f("DEPARTMENTID"), f("ITEMID"),
            *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "ARPYMT", "AR Payment", "AR", created_stamp="AUWHENCREATED",
        lines=("ARPYMTDETAILS", "ARPYMTDETAIL", "ARPYMTDETAIL"),
        fields=(
            RECORDNO, f("CUSTOMERID", req=True, ref="CUSTOMER"), f("CUSTOMERNAME", ro=True),
            f(
                "PAYMENTMETHOD", req=True,
                valid=(
                    "Printed Check", "Cash", "EFT", "Credit Card", "Online", "Online Charge Card",
                    "Online ACH Debit",
                ),
            ),
            f("RECEIPTDATE", "DATE", req=True), f("PAYMENTDATE", "DATE"), f("DOCNUMBER"),
            f("FINANCIALENTITY"), f("UNDEPOSITEDACCOUNTNO"), f("PRBATCHKEY"), f("CURRENCY"),
            f("TOTALENTERED", "CURRENCY", ro=True), f("TOTALPAID", "CURRENCY", ro=True),
            f("TOTALDUE", "CURRENCY", ro=True), f("DEPOSITKEY", "INTEGER", ro=True),
            f("STATE", ro=True, valid=("Draft", "Posted", "Reversed")),
            f("ACTION", valid=("Draft", "Submit")), *audit_fields("AUWHENCREATED"),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "ARPYMTDETAIL", "AR Payment Detail", "AR", parent="ARPYMT", parent_field="PAYMENTKEY",
        created_stamp=None,
        fields=(
            RECORDNO, f("PAYMENTKEY", "INTEGER", ro=True),
            f("RECORDKEY", "INTEGER", req=True, label="Invoice record number"),
            f("ENTRYKEY", "INTEGER"), f("TRX_PAYMENTAMOUNT", "CURRENCY", req=True),
            f("PAYMENTAMOUNT", "CURRENCY", ro=True), *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "ARADJUSTMENT", "AR Adjustment", "AR", created_stamp="AUWHENCREATED", generic_write=False,
        lines=("ARADJUSTMENTITEMS", "ARADJUSTMENTITEM", "ARADJUSTMENTITEM"),
        fields=(
            RECORDNO, f("RECORDID", label="Adjustment number"),
            f("CUSTOMERID", req=True, ref="CUSTOMER"), f("CUSTOMERNAME", ro=True),
            f("WHENCREATED", "DATE", req=True), f("WHENPOSTED", "DATE"), f("DOCNUMBER"),
            f("DESCRIPTION"), f("CURRENCY"), f("TOTALENTERED", "CURRENCY", ro=True),
            f("STATE", ro=True, valid=AR_STATES), *audit_fields("AUWHENCREATED"), *entity_fields(),
        ),
    ),
    ObjectDef(
        "ARADJUSTMENTITEM", "AR Adjustment Detail", "AR", parent="ARADJUSTMENT",
        parent_field="RECORDKEY", created_stamp=None, generic_write=False,
        fields=(
            RECORDNO, f("RECORDKEY", "INTEGER", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("ACCOUNTNO", ref="GLACCOUNT"), f("AMOUNT", "CURRENCY", req=True),
            f("ENTRYDESCRIPTION"), *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "DEPOSIT", "Deposit", "CM", created_stamp="AUWHENCREATED", generic_write=False,
        fields=(
            RECORDNO, f("DEPOSITID", req=True), f("BANKACCOUNTID", req=True),
            f("DEPOSITDATE", "DATE", req=True), f("DESCRIPTION"),
            f("TOTALENTERED", "CURRENCY", ro=True), f("RECEIPTKEYS", ro=True),
            f("STATE", ro=True, valid=("Posted", "Reversed")), *audit_fields("AUWHENCREATED"),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "SODOCUMENT", "Order Entry Transaction", "SO", id_field="DOCID", docpar=True,
        created_stamp="AUWHENCREATED", generic_write=False,
        lines=("SODOCUMENTENTRIES", "SODOCUMENTENTRY", "SODOCUMENTENTRY"),
        fields=(
            RECORDNO, f("DOCID", ro=True), f("DOCNO"), f("DOCPARID", req=True), f("CREATEDFROM"),
            f("PONUMBER", label="Reference number"), f("CUSTVENDID", req=True, ref="CUSTOMER"),
            f("CUSTVENDNAME", ro=True), f("WHENCREATED", "DATE", req=True, label="Date"),
            f("WHENDUE", "DATE"), f("TERMNAME"), f("MESSAGE"), f("SHIPVIA"), f("CURRENCY"),
            f("STATE", valid=DOC_STATES), f("TOTAL", "CURRENCY", ro=True),
            f("PRRECORDKEY", "INTEGER", ro=True), *audit_fields("AUWHENCREATED"), *entity_fields(),
        ),
    ),
    ObjectDef(
        "SODOCUMENTENTRY", "Order Entry Transaction Detail", "SO", parent="SODOCUMENT",
        parent_field="DOCHDRNO", created_stamp=None, docpar=True, generic_write=False,
        fields=(
            RECORDNO, f("DOCHDRNO", "INTEGER", ro=True), f("DOCHDRID", ro=True),
            f("DOCPARID", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("ITEMID", req=True, ref="ITEM"), f("ITEMNAME", ro=True), f("ITEMDESC"),
            f("QUANTITY", "DECIMAL", req=True), f("UNIT"), f("PRICE", "CURRENCY"),
            f("TOTAL", "CURRENCY", ro=True), f("LOCATIONID"), f("DEPARTMENTID"), f("MEMO"),
            *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "APBILL", "AP Bill", "AP", created_stamp="AUWHENCREATED",
        lines=("APBILLITEMS", "APBILLITEM", "APBILLITEM"),
        fields=(
            RECORDNO, f("RECORDID", label="Bill number"), f("VENDORID", req=True, ref="VENDOR"),
            f("VENDORNAME", ro=True), f("WHENCREATED", "DATE", req=True), f("WHENPOSTED", "DATE"),
            f("WHENDUE", "DATE"), f("DOCNUMBER"), f("DESCRIPTION"), f("CURRENCY"),
            f("TOTALENTERED", "CURRENCY", ro=True), f("TOTALPAID", "CURRENCY", ro=True),
            f("TOTALDUE", "CURRENCY", ro=True), f("STATE", ro=True, valid=AR_STATES),
            f("ACTION", valid=("Draft", "Submit")), *audit_fields("AUWHENCREATED"),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "APBILLITEM", "AP Bill Detail", "AP", parent="APBILL", parent_field="RECORDKEY",
        created_stamp=None,
        fields=(
            RECORDNO, f("RECORDKEY", "INTEGER", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("ACCOUNTNO", req=True, ref="GLACCOUNT"), f("TRX_AMOUNT", "CURRENCY", req=True),
            f("ENTRYDESCRIPTION"), f("LOCATIONID"), f("DEPARTMENTID"), *audit_fields(),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "APPYMT", "AP Payment", "AP", created_stamp="AUWHENCREATED",
        lines=("APPYMTDETAILS", "APPYMTDETAIL", "APPYMTDETAIL"),
        fields=(
            RECORDNO, f("VENDORID", req=True, ref="VENDOR"), f("FINANCIALENTITY", req=True),
            f("PAYMENTMETHOD", req=True), f("PAYMENTDATE", "DATE", req=True), f("DOCNUMBER"),
            f("CURRENCY"), f("TOTALENTERED", "CURRENCY", ro=True), f("STATE", ro=True),
            *audit_fields("AUWHENCREATED"), *entity_fields(),
        ),
    ),
    ObjectDef(
        "APPYMTDETAIL", "AP Payment Detail", "AP", parent="APPYMT", parent_field="PAYMENTKEY",
        created_stamp=None,
        fields=(
            RECORDNO, f("PAYMENTKEY", "INTEGER", ro=True), f("RECORDKEY", "INTEGER", req=True),
            f("TRX_PAYMENTAMOUNT", "CURRENCY", req=True), *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "APADJUSTMENT", "AP Adjustment", "AP", created_stamp="AUWHENCREATED",
        lines=("APADJUSTMENTITEMS", "APADJUSTMENTITEM", "APADJUSTMENTITEM"),
        fields=(
            RECORDNO, f("RECORDID"), f("VENDORID", req=True, ref="VENDOR"),
            f("WHENCREATED", "DATE", req=True), f("DESCRIPTION"),
            f("TOTALENTERED", "CURRENCY", ro=True), f("STATE", ro=True),
            *audit_fields("AUWHENCREATED"), *entity_fields(),
        ),
    ),
    ObjectDef(
        "APADJUSTMENTITEM", "AP Adjustment Detail", "AP", parent="APADJUSTMENT",
        parent_field="RECORDKEY", created_stamp=None,
        fields=(
            RECORDNO, f("RECORDKEY", "INTEGER", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("ACCOUNTNO", req=True, ref="GLACCOUNT"), f("TRX_AMOUNT", "CURRENCY", req=True),
            f("ENTRYDESCRIPTION"), *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "CLASS", "Class", "CO", id_field="CLASSID", scoped=False,
        fields=(
            RECORDNO, f("CLASSID", req=True), f("NAME", req=True), f("DESCRIPTION"), STATUS,
            f("PARENTID", ref="CLASS"), *audit_fields(),
        ),
    ),
    ObjectDef(
        "PROJECT", "Project", "PA", id_field="PROJECTID", shared=True,
        fields=(
            RECORDNO, f("PROJECTID", req=True), f("NAME", req=True),
            f("CUSTOMERID", ref="CUSTOMER"), f("BEGINDATE", "DATE"), f("ENDDATE", "DATE"),
            f("BUDGETAMOUNT", "CURRENCY"), STATUS, *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "TASK", "Task", "PA", id_field="TASKID", shared=True,
        fields=(
            RECORDNO, f("TASKID", req=True), f("NAME", req=True),
            f("PROJECTID", req=True, ref="PROJECT"), f("PBEGINDATE", "DATE"),
            f("PENDDATE", "DATE"), f("BUDGETQTY", "DECIMAL"), *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "EMPLOYEE", "Employee", "CO", id_field="EMPLOYEEID", shared=True,
        fields=(
            RECORDNO, f("EMPLOYEEID", req=True), f("PERSONALINFO.CONTACTNAME", req=True),
            f("TITLE"), f("DEPARTMENTID", ref="DEPARTMENT"), f("LOCATIONID", ref="LOCATION"),
            f("STARTDATE", "DATE"), STATUS, *audit_fields(), *entity_fields(),
        ),
    ),
    ObjectDef(
        "WAREHOUSE", "Warehouse", "INV", id_field="WAREHOUSEID", scoped=False,
        fields=(
            RECORDNO, f("WAREHOUSEID", req=True), f("NAME", req=True),
            f("LOCATIONID", ref="LOCATION"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "CHECKINGACCOUNT", "Checking Account", "CM", id_field="BANKACCOUNTID", scoped=False,
        fields=(
            RECORDNO, f("BANKACCOUNTID", req=True), f("BANKACCOUNTNO"), f("BANKNAME", req=True),
            f("GLACCOUNTNO", ref="GLACCOUNT"), f("CURRENCY"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "SAVINGSACCOUNT", "Savings Account", "CM", id_field="BANKACCOUNTID", scoped=False,
        fields=(
            RECORDNO, f("BANKACCOUNTID", req=True), f("BANKACCOUNTNO"), f("BANKNAME", req=True),
            f("GLACCOUNTNO", ref="GLACCOUNT"), f("CURRENCY"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "PROVIDERBANKACCOUNT", "Provider Bank Account", "CM", id_field="BANKACCOUNTID",
        scoped=False,
        fields=(
            RECORDNO, f("BANKACCOUNTID", req=True), f("BANKACCOUNTNO"), f("BANKNAME", req=True),
            f("PROVIDERID"), f("GLACCOUNTNO", ref="GLACCOUNT"), f("CURRENCY"), STATUS,
            *audit_fields(),
        ),
    ),
    ObjectDef(
        "CREDITCARD", "Credit Card Account", "CM", id_field="CARDID", scoped=False,
        fields=(
            RECORDNO, f("CARDID", req=True), f("DESCRIPTION"),
            f("CARDTYPE", valid=("Visa", "MasterCard", "American Express", "Discover", "Other")),
            f("EXP_MONTH", "INTEGER"), f("EXP_YEAR", "INTEGER"), f("VENDORID", ref="VENDOR"),
            f("LIABILITYTYPE", valid=("Credit", "Debit")), f("GLACCOUNTNO", ref="GLACCOUNT"),
            f("CURRENCY"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        # A read-only view of the lines of posted journal entries (see rules.sync_gl_detail):
        # RECORDNO is the GLENTRY's, BATCHNO the GLBATCH's RECORDNO.
        "GLDETAIL", "General Ledger Detail", "GL", generic_write=False, deletable=False,
        created_stamp=None,
        fields=(
            RECORDNO, f("BATCHNO", "INTEGER"), f("BATCH_DATE", "DATE"), f("BATCH_TITLE"),
            f("JOURNAL"), f("ENTRY_DATE", "DATE"), f("LINE_NO", "INTEGER"), f("ACCOUNTNO"),
            f("ACCOUNTTITLE"), f("TR_TYPE", "INTEGER"), f("AMOUNT", "CURRENCY"),
            f("DEBITAMOUNT", "CURRENCY"), f("CREDITAMOUNT", "CURRENCY"), f("LOCATION"),
            f("DEPARTMENT"), f("DESCRIPTION"), f("MODULEKEY"), *audit_fields(None),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "GLBUDGETHEADER", "Budget", "GL", id_field="BUDGETID", scoped=False,
        fields=(
            RECORDNO, f("BUDGETID", req=True), f("DESCRIPTION"), f("DEFAULT_BUDGET", "BOOLEAN"),
            STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "GLBUDGETITEM", "Budget Detail", "GL", scoped=False,
        fields=(
            RECORDNO, f("BUDGETKEY", "INTEGER", ref=None), f("BUDGETID", ref="GLBUDGETHEADER"),
            f("ACCOUNTNO", req=True, ref="GLACCOUNT"), f("PERIODNAME", req=True),
            f("AMOUNT", "CURRENCY", req=True), f("DEPARTMENTID"), f("LOCATIONID"), *audit_fields(),
        ),
    ),
    ObjectDef(
        "PODOCUMENT", "Purchasing Transaction", "PO", id_field="DOCID", docpar=True,
        created_stamp="AUWHENCREATED",
        lines=("PODOCUMENTENTRIES", "PODOCUMENTENTRY", "PODOCUMENTENTRY"),
        fields=(
            RECORDNO, f("DOCID", ro=True), f("DOCNO"), f("DOCPARID", req=True),
            f("CUSTVENDID", req=True, ref="VENDOR"), f("WHENCREATED", "DATE", req=True),
            f("STATE", valid=DOC_STATES), f("TOTAL", "CURRENCY", ro=True),
            *audit_fields("AUWHENCREATED"), *entity_fields(),
        ),
    ),
    ObjectDef(
        "PODOCUMENTENTRY", "Purchasing Transaction Detail", "PO", parent="PODOCUMENT",
        parent_field="DOCHDRNO", created_stamp=None, docpar=True,
        fields=(
            RECORDNO, f("DOCHDRNO", "INTEGER", ro=True), f("DOCHDRID", ro=True),
            f("DOCPARID", ro=True), f("LINE_NO", "INTEGER", ro=True),
            f("ITEMID", req=True, ref="ITEM"), f("QUANTITY", "DECIMAL", req=True),
            f("PRICE", "CURRENCY"), f("TOTAL", "CURRENCY", ro=True), *audit_fields(),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "LOCATIONENTITY", "Entity", "CO", id_field="LOCATIONID", scoped=False,
        fields=(
            RECORDNO, f("LOCATIONID", req=True), f("NAME", req=True), f("CURRENCY"),
            f("OPCOUNTRY"), STATUS, *audit_fields(),
        ),
    ),
    ObjectDef(
        "AFFILIATEENTITY", "Affiliate Entity", "CO", id_field="AFFILIATEENTITYID", scoped=False,
        fields=(
            RECORDNO, f("AFFILIATEENTITYID", req=True), f("NAME", req=True), STATUS,
            *audit_fields(),
        ),
    ),
    ObjectDef(
        "FIXEDASSET", "Fixed Asset", "FA", id_field="ASSETID", shared=True,
        fields=(
            RECORDNO, f("ASSETID", req=True), f("NAME", req=True), f("ACQUISITIONDATE", "DATE"),
            f("COST", "CURRENCY"), f("STATE", valid=("Active", "Disposed")), *audit_fields(),
            *entity_fields(),
        ),
    ),
    ObjectDef(
        "CHANNEL", "Sales Channel (user-defined dimension)", "PT", id_field="ID", scoped=False,
        fields=(RECORDNO, f("ID", req=True), f("NAME", req=True), STATUS, *audit_fields()),
    ),
    ObjectDef(
        "AUDITHISTORY", "Audit History", "CO", id_field="ID", generic_write=False, deletable=False,
        created_stamp=None, whenmodified=False, shared=True,
        fields=(
            f("ID", ro=True), RECORDNO, f("OBJECTTYPE", ro=True), f("OBJECTKEY", ro=True),
            f("OBJECTDESC", ro=True),
            f(
                "ACCESSMODE", ro=True, valid=("A", "M", "C", "D", "W", "T", "U"),
                legacy_words=(("C", "Create"), ("M", "Modify"), ("D", "Delete"), ("A", "Access")),
            ),
            f("ACCESSTIME", "TIMESTAMP", ro=True), f("SOURCE", ro=True), f("USERID", ro=True),
            f("WORKFLOWACTION", ro=True), *entity_fields(),
        ),
    ),
)

# fmt: on
OBJECTS_BY_NAME: dict[str, ObjectDef] = {o.name: o for o in OBJECTS}
LINE_OBJECTS: dict[str, ObjectDef] = {o.parent: o for o in OBJECTS if o.parent}


@dataclass
class CustomField:
    """A custom field a company defined on an object (lookup shows ISCUSTOM true)."""

    object: str
    name: str
    datatype: str = "TEXT"
    label: str = ""
    valid: tuple[str, ...] = field(default_factory=tuple)

    def as_field(self) -> FieldDef:
        return FieldDef(self.name, self.datatype, False, False, self.valid, None, self.label, True)
