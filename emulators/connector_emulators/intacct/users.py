"""The API user: `readUserFormatting` (date and time preferences) and `getUserPermissions`.

Each company has one user, `demo_user`, whose RECORDNO is `records.USER_RECORDNO` (1: the
CREATEDBY/MODIFIEDBY of every record). Its preferences are the company's settings (admin route
`/_emulator/companies/{company}`), which also shape every date the gateway reads and writes.
"""

from __future__ import annotations

from lxml import etree

from .functions import Call, child_text
from .objects import OBJECTS
from .records import USER_RECORDNO, FunctionError
from .store import COMPANY_SETTINGS
from .values import CLOCK, gmt_offset
from .xmlout import Err, data_attrs, esc

USER_ID = "demo_user"
USER_PASSWORD = "demo_user_password"


def not_found(what: str, value: str) -> FunctionError:
    """A user key or login ID that names no user.

    Reads by key skip unknown keys, so there is no read error to copy: this is the gateway's
    answer for a key that names no record (fixture err_09, a delete), `BL01001973` "Cannot find
    <object> with key '<key>' ...".
    """
    return FunctionError([Err("BL01001973", "", f"Cannot find user with {what} '{value}'.", "")])


def read_user_formatting(call: Call, el: etree._Element) -> str:
    """`readUserFormatting` by `key` (RECORDNO) or `userId` (login ID)."""
    key, userid = el.find("key"), el.find("userId")
    if (key is None) == (userid is None):
        raise FunctionError(
            [
                Err(
                    "BL03000018",
                    "",
                    "readUserFormatting takes one of <key> (the user's RECORDNO) "
                    "or <userId> (the user's login ID).",
                    "",
                )
            ]
        )
    if key is not None and child_text(el, "key") != str(USER_RECORDNO):
        raise not_found("key", child_text(el, "key"))
    if userid is not None and child_text(el, "userId") != USER_ID:
        raise not_found("userId", child_text(el, "userId"))
    settings = call.ctx.store.company(call.ctx.company) or COMPANY_SETTINGS
    fmt = call.ctx.fmt
    return (
        f"<data{data_attrs(listtype='userformatting', count=1)}><userformatting>"
        f"<recordno>{USER_RECORDNO}</recordno>"
        f"<locale>{esc(settings['locale'])}</locale>"
        f"<dateformat>{esc(fmt.dateformat)}</dateformat>"
        f"<gmtoffset>{gmt_offset(call.ctx.now, fmt.tz)}</gmtoffset>"
        f"<clock>{CLOCK}</clock></userformatting></data>"
    )


# Sage's application names for the modules of the object table.
APPLICATIONS = {
    "CO": "Company",
    "GL": "General Ledger",
    "AR": "Accounts Receivable",
    "AP": "Accounts Payable",
    "CM": "Cash Management",
    "SO": "Order Entry",
    "PO": "Purchasing",
    "INV": "Inventory Control",
    "PA": "Projects",
    "CN": "Contracts",
    "EE": "Time & Expenses",
    "FA": "Fixed Assets",
    "TX": "Taxes",
    "PT": "Platform Services",
}


def get_user_permissions(call: Call, el: etree._Element) -> str:
    """`getUserPermissions userId`: the demo user is an admin with every right it can have.

    One policy per object (its label) in each subscribed application; lines go with their
    owner, and objects Intacct only lets you read (audit trail, GL detail) are List|View.
    """
    userid = child_text(el, "userId")
    if not userid:
        raise FunctionError([Err("BL03000018", "", "getUserPermissions needs <userId>.", "")])
    if userid != USER_ID:
        raise not_found("userId", userid)
    apps: dict[str, list[str]] = {}
    for obj in OBJECTS:
        if obj.parent or obj.name in call.unsubscribed:
            continue
        rights = "List|View|Add|Edit|Delete" if obj.deletable else "List|View"
        apps.setdefault(obj.module, []).append(
            f"<policy><policyName>{esc(obj.label)}</policyName><rights>{rights}</rights></policy>"
        )
    subscriptions = "".join(
        f"<appSubscription><applicationName>{esc(APPLICATIONS[module])}</applicationName>"
        f"<policies>{''.join(policies)}</policies></appSubscription>"
        for module, policies in apps.items()
    )
    return f"<data><permissions>{subscriptions}</permissions></data>"


USERS = {"readUserFormatting": read_user_formatting, "getUserPermissions": get_user_permissions}
