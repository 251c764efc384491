"""HTTPS for the emulators in tests: a throwaway self-signed certificate for 127.0.0.1.

The emulators speak plain HTTP; a test that checks certificate handling wraps a server's
listening socket with this certificate.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from http.server import HTTPServer
from pathlib import Path


def self_signed_certificate(folder: Path) -> tuple[Path, Path] | None:
    """`cert.pem` and `key.pem` for 127.0.0.1, valid one day; None when openssl is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def serve_https(server: HTTPServer, certificate: tuple[Path, Path]) -> None:
    """From now on the server's listening socket speaks HTTPS only."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    server.socket = context.wrap_socket(server.socket, server_side=True)
