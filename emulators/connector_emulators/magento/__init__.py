"""A local emulator of the Magento 2.4.8 / Adobe Commerce admin REST API."""
