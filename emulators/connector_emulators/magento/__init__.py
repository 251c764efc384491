"""magento."""
