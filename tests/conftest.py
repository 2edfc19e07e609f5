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


# The delivery side: tests that send mail, keep the run history or talk to a Google server.
# They reach the readers, the rules and the period only as any audit does, through paths
# the readers' own tests cover, and they are the slowest (SMTP and HTTP servers).
_DELIVERY_TESTS = ("test_cron", "test_deliver", "test_history", "test_google")


def pytest_collection_modifyitems(config, items):
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
    if os.environ.get("MUTATION_FOCUS") and stem not in ("cron", "deliver", "history", "google"):
        # benchmarks/mutation.sh with FOCUS=1: a mutant upstream of delivery is tested
        # without the delivery tests, which halves what a survivor costs. A verdict can
        # only move from killed to survived (never the other way), so the score is a lower
        # bound, and each survivor is then judged by hand.
        left_out = [item for item in items if item.path.name.startswith(_DELIVERY_TESTS)]
        if left_out and len(left_out) < len(items):
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if not item.path.name.startswith(_DELIVERY_TESTS)]
