"""tap_intacct."""
