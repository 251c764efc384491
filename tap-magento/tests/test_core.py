"""The Singer SDK's built-in tap tests, against the emulator's `shop` seed over HTTP.

The built-in primary-key test cannot catch a duplicate (it compares generator objects);
`test_streams.test_every_key_is_unique_within_a_run` checks uniqueness for real.
"""

from __future__ import annotations

from connector_emulators.magento.server import serve_in_thread
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from tap_magento.tap import TapMagento

EMULATOR = serve_in_thread(port=0, seed="shop")
CONFIG = {
    "base_url": EMULATOR.base_url,
    "username": "admin",
    "password": "admin123",
    "page_size": 3,
}

TestTapMagento = get_tap_test_class(
    tap_class=TapMagento, config=CONFIG, suite_config=SuiteConfig(max_records_limit=20)
)
