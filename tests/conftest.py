import os
import ssl

import pytest
import trustme


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path, monkeypatch):
    """Keep the user's real config and cache directories out of every test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("CALAUDIT_SMTP_PASSWORD", raising=False)


@pytest.fixture(scope="module")
def tls():
    """(server, client) SSL contexts for 127.0.0.1: the client trusts a test CA only."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def pytest_collection_modifyitems(items):
    """Under mutmut, run the tests of the mutated module first.

    mutmut runs every test that reaches a mutated function, in collection order, and stops
    at the first failure; a mutant of ics.py killed only by the 400th test costs nearly as
    much as a survivor. Putting tests/test_ics_mutants.py and tests/test_ics*.py first (for
    calaudit.sources.ics), then tests/test_bad_inputs.py, changes only the order, never which tests run, so the verdicts
    are the same and come sooner. Outside mutmut (no MUTANT_UNDER_TEST) nothing moves.
    """
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if not mutant.startswith("calaudit."):
        return
    stem = mutant.rsplit(".", 1)[0].rsplit(".", 1)[-1]

    def rank(item):
        name = item.path.name
        if name == f"test_{stem}_mutants.py":
            return 0
        if name.startswith(f"test_{stem}"):
            return 1
        return 2 if name == "test_bad_inputs.py" else 3

    items.sort(key=rank)
