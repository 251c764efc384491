"""Every function of the XML gateway over real HTTP: each function the emulator declares answers
in the shapes of Sage's fixtures (`../shared/intacct/fixtures`), with Sage's own request where one
exists; every other function of Sage's DTD 3.0 XSD is refused as the gateway refuses an unknown
function. Counts of what is served and what is not are printed (`pytest -s` shows them)."""

from __future__ import annotations

from connector_emulators.intacct.gateway import GENERIC, KNOWN_FUNCTIONS, LEGACY
from connector_emulators.intacct.generic_writes import LEGACY_DELETES
from connector_emulators.intacct.legacy_documents import LEGACY_CREATES
from connector_emulators.intacct.legacy_updates import LEGACY_UPDATES
from intacct_shapes import SHARED, fixture_result, shape
from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
# Functions whose request Sage's fixtures do not show: the smallest request Sage documents.
MINIMAL = {
    "getAPISession": "<getAPISession/>",
    "update_invoice": '<update_invoice key="NO-SUCH-INVOICE"><datedue><year>2026</year>'
    "<month>1</month><day>31</day></datedue></update_invoice>",
    "update_sotransaction": '<update_sotransaction key="Sales Order-NO-SUCH"/>',
    "get_trialbalance": "<get_trialbalance><startdate><year>2026</year><month>1</month>"
    "<day>1</day></startdate><enddate><year>2026</year><month>1</month><day>31</day>"
    "</enddate></get_trialbalance>",
    "get_accountbalances": "<get_accountbalances><reportingperiodname>Month Ended January 2026"
    "</reportingperiodname></get_accountbalances>",
    "readUserFormatting": "<readUserFormatting/>",
    "getDimensions": "<getDimensions/>",
    "getUserPermissions": "<getUserPermissions><userId>demo_user</userId></getUserPermissions>",
}


def sages_requests() -> dict[str, str]:
    """Function name → the first function Sage's request fixtures send under that name."""
    out: dict[str, str] = {}
    for path in sorted((SHARED / "fixtures").glob("req_*.xml")):
        for function in etree.parse(str(path)).iter("function"):
            body = next((c for c in function if isinstance(c.tag, str)), None)
            if body is not None:
                out.setdefault(str(body.tag), etree.tostring(body).decode())
    return out


def xsd_functions() -> set[str]:
    """The functions of Sage's DTD 3.0 request XSD (the choice under `<function>`)."""
    schema = etree.parse(str(SHARED / "schemas" / "intacct_dtd_v3.0_api.xsd"))
    function = schema.find(f"{XS}element[@name='function']")
    assert function is not None
    return {str(ref.get("ref")) for ref in function.iter(f"{XS}element") if ref.get("ref")}


def check_result_shape(name: str, result: etree._Element) -> None:
    """A function's `<result>` in one of Sage's shapes: failure, key, data or nothing."""
    assert result.findtext("function") == name
    if result.findtext("status") == "failure":
        expected = shape(fixture_result("err_09_delete_not_found_BL01001973.xml"))
        # A multi-record write also lists the records it kept (none here) before its errors.
        assert shape(result) - {"./data"} == expected, etree.tostring(result).decode()
        return
    assert result.findtext("status") == "success", etree.tostring(result).decode()
    if result.find("key") is not None:
        assert shape(result) == shape(fixture_result("resp_07_legacy_create_key.xml"))
    elif result.find("data") is None:
        assert shape(result) == shape(fixture_result("resp_11_delete_generic_success.xml"))
    else:
        heads = [c.tag for c in result][:3]
        assert heads == ["status", "function", "controlid"], heads


def request_for(name: str, sages: dict[str, str], gw) -> str:
    if name in sages:
        return sages[name]
    if name in MINIMAL:
        return MINIMAL[name]
    if name in LEGACY_CREATES:  # refused for its missing elements, in Sage's error shape
        return f"<{name}/>"
    if name in LEGACY_UPDATES:  # a key Intacct does not hold
        key = LEGACY_UPDATES[name].key
        if key.startswith("@"):
            return f'<{name} {key[1:]}="NO-SUCH-KEY"/>'
        return f"<{name}><{key}>NO-SUCH-KEY</{key}></{name}>"
    assert name in LEGACY_DELETES, f"{name} has no request to walk"
    _, attribute, _ = LEGACY_DELETES[name].legacy_delete or ("", "", "")
    return f'<{name} {attribute}="NO-SUCH-KEY"/>'


def xsd_required_attributes(name: str) -> list[str]:
    """The attributes Sage's DTD 3.0 XSD requires on a function's element."""
    schema = etree.parse(str(SHARED / "schemas" / "intacct_dtd_v3.0_api.xsd"))
    element = schema.find(f"{XS}element[@name='{name}']")
    assert element is not None, name
    attributes = element.iter(f"{XS}attribute")
    return [str(a.get("name")) for a in attributes if a.get("use") == "required"]


def test_every_declared_function_answers_in_sages_shapes(gw, capsys):
    sages = sages_requests()
    from_fixture = succeeded = 0
    for name in sorted(KNOWN_FUNCTIONS):
        result = gw.call(request_for(name, sages, gw))
        check_result_shape(name, result)
        from_fixture += name in sages
        succeeded += result.findtext("status") == "success"
        if name in LEGACY_DELETES and name not in sages:
            # Sage's text for a legacy delete of a key it does not hold (err_09's form).
            errors = gw.errors(result)
            assert errors and errors[0][0] == "BL01001973", errors
            assert "Cannot find" in (errors[0][1] or ""), errors
    readers = {
        "readByQuery": "resp_03_readbyquery_customer.xml",
        "read": "resp_06_read_customer.xml",
    }
    for name, fixture in readers.items():
        result = gw.ok(sages[name])
        assert set(result.find("data").attrib) == set(fixture_result(fixture).find("data").attrib)
    xsd = xsd_functions()
    not_served = sorted(xsd - KNOWN_FUNCTIONS)
    for name in not_served:
        root = gw.send(f'<function controlid="f1"><{name}/></function>')
        assert root.findtext("operation/result/status") is None
        errors = gw.errors(root)
        assert errors and errors[0][0] == "XL03000003", (name, errors)
        assert f"Element '{name}' is not a known function" in (errors[0][1] or ""), errors
    with capsys.disabled():
        print(
            f"\nIntacct XML functions: {len(KNOWN_FUNCTIONS)} served ({len(GENERIC)} generic,"
            f" {len(LEGACY)} legacy, {len(LEGACY_DELETES)} legacy deletes, the rest session,"
            f" reports and formatting; {from_fixture} walked with Sage's own request,"
            f" {succeeded} succeeded, the others failed in Sage's error shape);"
            f" of the {len(xsd)} functions of Sage's DTD 3.0 XSD, {len(xsd & KNOWN_FUNCTIONS)}"
            f" served and {len(not_served)} not served (refused as unknown: XL03000003)"
        )
    assert set(LEGACY) <= xsd  # the legacy functions are Sage's, by their XSD names
    assert set(LEGACY_DELETES) <= xsd
    for name, update in LEGACY_UPDATES.items():  # an attribute key is the one Sage's XSD requires
        required = xsd_required_attributes(name)
        assert required == ([update.key[1:]] if update.key.startswith("@") else []), name
    for name, obj in LEGACY_DELETES.items():  # keyed by the attribute Sage's XSD requires
        assert [obj.legacy_delete[1] if obj.legacy_delete else ""] == xsd_required_attributes(name)
