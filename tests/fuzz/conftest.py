"""The service fixtures (a record on a temporary SQLite file, fast stand-in runs, API keys)
for the fuzz tests."""

from service.conftest import db_url, fake_runs, keyring, store  # noqa: F401
