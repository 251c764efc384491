"""The API user and `readUserFormatting`, the user's date and time preferences.

Each company has one user, `demo_user`, whose RECORDNO is `records.USER_RECORDNO` (1: the
CREATEDBY/MODIFIEDBY of every record). Its preferences are the company's settings (admin route
`/_emulator/companies/{company}`), which also shape every date the gateway reads and writes.
"""

from __future__ import annotations

from lxml import etree

from .functions import Call, child_text
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


USERS = {"readUserFormatting": read_user_formatting}
