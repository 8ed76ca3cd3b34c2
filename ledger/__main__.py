"""`python -m ledger`: the command line."""

from ledger.cli.entry import main

main()
