"""The registry: its schema, tables, migrations, store and backups — the only package that opens database connections."""
