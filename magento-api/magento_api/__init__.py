"""Magento 2 admin REST protocol: authentication, retries, errors and exact JSON, written once."""

from magento_api.auth import AuthSettings
from magento_api.client import MagentoClient, search_params, sku_path
from magento_api.codec import decode_json, encode_json
from magento_api.errors import MagentoError, TLSError, TransientError, render_message

__all__ = [
    "AuthSettings",
    "MagentoClient",
    "MagentoError",
    "TLSError",
    "TransientError",
    "decode_json",
    "encode_json",
    "render_message",
    "search_params",
    "sku_path",
]
