"""intacct_api."""
