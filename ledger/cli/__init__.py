"""The `ledger` command line: parse, call the library, render. The only place that knows flags and exit
codes (`errors.py` maps the library's errors to them)."""
