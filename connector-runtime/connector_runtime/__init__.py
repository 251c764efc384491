"""What both protocol packages (`intacct_api`, `magento_api`) need alike and is neither's own."""
