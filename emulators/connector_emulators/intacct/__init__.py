"""intacct."""
