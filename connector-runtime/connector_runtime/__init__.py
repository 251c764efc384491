"""Shared below the protocols and the plugins: what neither protocol owns, written once.

`deadline`: one bound on a whole HTTP exchange (`intacct_api`, `magento_api`).
`progress`: the taps' progress lines and run summary table.
"""
