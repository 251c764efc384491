"""Singer tap reading a Magento 2 / Adobe Commerce shop through its admin REST API."""
