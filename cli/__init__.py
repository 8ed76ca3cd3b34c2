"""The `ledger` command line: parse, call the library, render."""
