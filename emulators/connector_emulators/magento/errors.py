"""Magento's web API errors: a raw message template plus parameters, rendered by the client.

Magento answers `{"message": template, "parameters": {...} | [...]}` and adds `errors` for
aggregated input exceptions; the HTTP status follows the exception class (see
`framework/Webapi/ErrorProcessor.php`): not found 404, authentication/authorization 401, any other
localized exception 400, anything else 500 with a masked message.
"""

from __future__ import annotations

from typing import Any

REQUIRED = '"%fieldName" is required. Enter and try again.'
NOT_SUPPORTED = '"%fieldName" is not supported. Correct the field name and try again.'
INVALID_VALUE = 'Invalid value of "%value" provided for the %fieldName field.'
NO_SUCH_ENTITY = "No such entity with %fieldName = %fieldValue"
AGGREGATE = "One or more input exceptions have occurred."
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
NO_ROUTE = "Request does not match any route."
ENTITY_NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."
PRODUCT_NOT_FOUND = (
    "The product that was requested doesn't exist. Verify the product and try again."
)
DUPLICATE_EMAIL = "A customer with the same email address already exists in an associated website."
URL_KEY_EXISTS = "URL key for specified store already exists."


class MagentoError(Exception):
    """An error answered as Magento's JSON error body with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        parameters: dict[str, Any] | list[Any] | None = None,
        errors: list[MagentoError] | None = None,
    ) -> None:
        super().__init__(render(message, parameters))
        self.status = status
        self.message = message
        self.parameters = parameters
        self.errors = errors or []

    def body(self) -> dict[str, Any]:
        """The JSON body Magento sends for this error."""
        body: dict[str, Any] = {"message": self.message}
        if self.errors:
            body["errors"] = [
                {"message": e.message, "parameters": e.parameters or []} for e in self.errors
            ]
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    @property
    def text(self) -> str:
        """The message with its parameters substituted, as a client would show it."""
        return render(self.message, self.parameters)


def render(message: str, parameters: dict[str, Any] | list[Any] | None) -> str:
    """Substitute `%name` (dict) or `%1..%n` (list) placeholders like Magento's Phrase renderer."""
    if isinstance(parameters, dict):
        for name in sorted(parameters, key=len, reverse=True):
            message = message.replace(f"%{name}", str(parameters[name]))
    elif isinstance(parameters, list):
        for index in range(len(parameters), 0, -1):
            message = message.replace(f"%{index}", str(parameters[index - 1]))
    return message


def input_error(message: str, parameters: dict[str, Any] | list[Any] | None = None) -> MagentoError:
    """A 400 input/business error."""
    return MagentoError(400, message, parameters)


def required(field_name: str) -> MagentoError:
    """`"%fieldName" is required. Enter and try again.`"""
    return input_error(REQUIRED, {"fieldName": field_name})


def invalid_value(field_name: str, value: Any) -> MagentoError:
    """`Invalid value of "%value" provided for the %fieldName field.`"""
    return input_error(INVALID_VALUE, {"fieldName": field_name, "value": value})


def no_such_entity(field_name: str, field_value: Any) -> MagentoError:
    """404 `No such entity with %fieldName = %fieldValue`."""
    return MagentoError(404, NO_SUCH_ENTITY, {"fieldName": field_name, "fieldValue": field_value})


def not_authorized(resource: str) -> MagentoError:
    """401 for a missing/invalid caller on a route needing `resource`."""
    return MagentoError(401, NOT_AUTHORIZED, {"resources": resource})


def no_route() -> MagentoError:
    """404 `Request does not match any route.`"""
    return MagentoError(404, NO_ROUTE)


def aggregate(errors: list[MagentoError]) -> MagentoError:
    """One error is answered as itself; two or more as Magento's InputException aggregate."""
    if len(errors) == 1:
        return errors[0]
    return MagentoError(400, AGGREGATE, errors=errors)
