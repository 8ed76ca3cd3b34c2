"""The event store: the only package that speaks SQL.

`connection` opens the database and hands out transactions; a `Transaction` has the log's tables
(`log`) and the projection tables (`projections`), each a small class over `sql`. `schema` is the one
MetaData the Alembic migrations are checked against, `migrations` runs them, `urls` reads database URLs
and `errors` turns driver errors into the ledger's own.

Import from the modules themselves: this package's face stays empty, so that reading a URL does not
load the driver or the vocabulary.
"""
