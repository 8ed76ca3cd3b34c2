"""`python -m ledger`: the command line."""

from ledger.cli.app import main

main()
