"""target_intacct."""
