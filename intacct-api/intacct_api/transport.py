"""What tap-intacct and target-intacct need of a connection, whichever API carries it.

`IntacctClient` (the XML gateway) and `rest.transport.RestTransport` (the REST API) both have
this shape, so a plugin chooses its transport once and the rest of its code is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from intacct_api.envelope import Result
from intacct_api.functions import Function


class Identity(Protocol):
    """Who a connection acts for."""

    @property
    def company_id(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def entity_id(self) -> str | None: ...


class Transport(Protocol):
    """One company's (and entity's) connection, XML or REST."""

    max_page_size: int

    @property
    def credentials(self) -> Identity: ...

    @property
    def request_count(self) -> int: ...

    @property
    def endpoint(self) -> str | None: ...

    def execute(
        self, functions: Sequence[Function], transaction: bool = False, unique_id: bool = False
    ) -> list[Result]: ...

    def call(self, function: Function) -> Result: ...

    def login(self) -> None: ...

    def close(self) -> None: ...
