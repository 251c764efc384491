"""target_magento."""
