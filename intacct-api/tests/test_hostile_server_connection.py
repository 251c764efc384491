"""The connection to a hostile server: TLS verified unless disabled, a refused session, an
endpoint downgraded to plain HTTP, and answers dripping slowly cut at the deadline."""

from __future__ import annotations

import time
import warnings

import pytest
from hostile_server_support import LOGIN_OK, Scenario, client_for, serve
from intacct_api import functions as fn
from intacct_api.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    GatewayError,
    ServiceUnavailableError,
)

LOOKUP_OK = b"""<response><control><status>success</status></control><operation><authentication>
<status>success</status></authentication><result><status>success</status><function>lookup</function>
<controlid>c</controlid><data><Type Name="CUSTOMER"/></data></result></operation></response>"""


def test_tls_is_verified_unless_disabled(tls_server, certificate):
    serve("lookup-ok", Scenario(200, "text/xml", LOOKUP_OK))
    url = f"{tls_server}/login-ok/lookup-ok"
    with client_for(url) as client, pytest.raises(GatewayError, match="TLS"):
        client.call(fn.lookup("CUSTOMER"))
    with client_for(url, verify_tls=str(certificate.with_suffix(".crt"))) as client:
        assert client.call(fn.lookup("CUSTOMER", control_id="c")).ok
        assert client.endpoint.startswith("https://")
    with (
        warnings.catch_warnings(),
        client_for(url, verify_tls=False) as client,
    ):
        warnings.simplefilter("ignore")  # urllib3 warns about the unverified request
        assert client.call(fn.lookup("CUSTOMER", control_id="c")).ok


SESSION_REFUSED = b"""<response><control><status>success</status></control><operation>
<authentication><status>success</status><userid>u</userid><companyid>company</companyid>
</authentication><result><status>failure</status><function>getAPISession</function>
<controlid>sessionProvider</controlid><errormessage><error><errorno>XL03000006</errorno>
<description></description><description2>Entity 'MARS' does not exist.</description2>
<correction></correction></error></errormessage></result></operation></response>"""


def test_refused_session_is_an_authentication_error(server):
    serve("session-refused", Scenario(200, "text/xml", SESSION_REFUSED))
    with (
        client_for(f"{server}/session-refused") as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.call(fn.lookup("CUSTOMER"))
    assert "Intacct refused to open an API session for company 'company'" in str(caught.value)
    assert caught.value.errorno == "XL03000006"
    assert client.request_count == 1


def test_endpoint_downgrade_is_refused(server):
    serve(
        "downgrade",
        Scenario(200, "text/xml", LOGIN_OK.replace("ENDPOINT", "http://evil.example/x").encode()),
    )
    with client_for(f"{server}/downgrade") as client, pytest.raises(GatewayError, match="refusing"):
        client.call(fn.lookup("CUSTOMER"))


def drip(total: int, pause: float):
    """A body a byte at a time, `pause` seconds apart: every byte restarts a read time-out."""

    def chunks():
        yield b"<response>"
        for _ in range(total):
            time.sleep(pause)
            yield b" "

    return chunks


@pytest.mark.parametrize(
    ("function", "error_class", "tries"),
    [
        (fn.create("CUSTOMER", {"NAME": "x"}), AmbiguousWriteError, 1),
        (fn.lookup("CUSTOMER"), ServiceUnavailableError, 2),
    ],
)
def test_an_answer_dripping_slowly_is_cut_at_the_deadline(server, function, error_class, tries):
    """Each byte comes within the read time-out, but the whole answer must come by the deadline."""
    serve("drip", Scenario(200, "text/xml", drip(total=400, pause=0.05)))
    started = time.monotonic()
    with client_for(f"{server}/login-ok/drip", timeout=(1.0, 1.0), deadline=1.5) as client:
        with pytest.raises(error_class, match=r"deadline \(request_timeout\) of 1\.5 s"):
            client.call(function)
        assert client.request_count == 1 + tries  # a read is tried again, a write is not
    assert time.monotonic() - started < 1.5 * tries + 2.0  # the drip alone lasts 20 s a try


def test_the_deadline_also_cuts_a_dripping_answer_over_tls(tls_server, certificate):
    serve("drip-tls", Scenario(200, "text/xml", drip(total=400, pause=0.05)))
    started = time.monotonic()
    with (
        client_for(
            f"{tls_server}/login-ok/drip-tls",
            timeout=(1.0, 1.0),
            deadline=1.5,
            verify_tls=str(certificate.with_suffix(".crt")),
        ) as client,
        pytest.raises(AmbiguousWriteError, match=r"deadline \(request_timeout\) of 1\.5 s"),
    ):
        client.call(fn.create("CUSTOMER", {"NAME": "x"}))
    assert time.monotonic() - started < 3.5
