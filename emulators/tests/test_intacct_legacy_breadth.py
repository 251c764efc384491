"""Legacy (DTD 3.0) functions an integration's own code calls, as Sage's XSD and docs key them."""

from __future__ import annotations


def find(records, **match):
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


def test_legacy_deletes_use_the_attribute_sage_documents(gw):
    gw.ok(
        "<create><CLASS><CLASSID>CL-9</CLASSID><NAME>Spare</NAME></CLASS>"
        "<GLACCOUNT><ACCOUNTNO>9990</ACCOUNTNO><TITLE>Spare</TITLE></GLACCOUNT>"
        "<PROJECT><PROJECTID>P-9</PROJECTID><NAME>Spare</NAME></PROJECT></create>"
    )
    gw.ok("<create><TASK><TASKID>T-9</TASKID><NAME>Plan</NAME><PROJECTID>P-9</PROJECTID></TASK></create>")
    (task,) = find(gw.records("TASK"), TASKID="T-9")
    gw.ok('<delete_class key="CL-9"/>')
    gw.ok('<delete_glaccount glaccountno="9990"/>')
    gw.ok(f'<delete_task key="{task["RECORDNO"]}"/>')
    gw.ok('<delete_project key="P-9"/>')
    assert not find(gw.records("CLASS"), CLASSID="CL-9")
    assert not find(gw.records("GLACCOUNT"), ACCOUNTNO="9990")
    assert not find(gw.records("TASK"), TASKID="T-9")
    assert not find(gw.records("PROJECT"), PROJECTID="P-9")
    again = gw.fail('<delete_class key="CL-9"/>')
    assert gw.errors(again) == [("BL01001973", "Cannot find class with key 'CL-9' to delete.")]
    # The attribute an ID field would suggest is not Sage's: the key is missing.
    wrong = gw.fail('<delete_glaccount accountno="1000"/>')
    assert gw.errors(wrong)[0][0] == "BL03000018"
    assert "needs the glaccountno attribute" in (gw.errors(wrong)[0][1] or "")
