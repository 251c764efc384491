"""`python -m tap_intacct`."""

from tap_intacct.tap import TapIntacct

TapIntacct.cli()
