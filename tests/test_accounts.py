"""Staff accounts: hashing, throttling, lock-out, sessions (HOSTILE 32-35)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from atlas_app.errors import UsageError
from atlas_app.registry.tables import auth_log, staff_accounts
from atlas_app.staff import accounts
from atlas_app.staff.accounts import (
    SignInError,
    add_account,
    list_accounts,
    lock_remaining,
    remove_account,
    session_account,
    sign_in,
    sign_out,
)

PASSWORD = "Passwörd-très-sûr"


def test_passwords_are_stored_as_argon2_hashes_and_non_ascii_works(store):
    add_account(store, "Ana@Example.org", PASSWORD)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(staff_accounts.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    account, token = sign_in(store, " ana@EXAMPLE.org ", PASSWORD)
    assert account.email == "ana@example.org" and session_account(store, token) == account


def test_accounts_are_listed_and_removed_with_their_sessions(store):
    add_account(store, "a@example.org", PASSWORD)
    add_account(store, "b@example.org", PASSWORD)
    with pytest.raises(UsageError, match="already exists"):
        add_account(store, "A@example.org", PASSWORD)
    with pytest.raises(UsageError, match="at least 10"):
        add_account(store, "c@example.org", "short")
    _, token = sign_in(store, "a@example.org", PASSWORD)
    remove_account(store, "a@example.org")
    assert [a.email for a in list_accounts(store)] == ["b@example.org"]
    assert session_account(store, token) is None


def test_unknown_account_gets_the_same_answer_and_the_same_work(store, monkeypatch):
    add_account(store, "ana@example.org", PASSWORD)
    verified = []
    real = accounts._hasher

    class Counting:
        def verify(self, hashed, password):
            verified.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    answers = []
    for email in ("ana@example.org", "nobody@example.org"):
        with pytest.raises(SignInError) as exc:
            sign_in(store, email, "wrong password!")
        answers.append(str(exc.value))
    assert answers[0] == answers[1] == accounts.WRONG
    assert len(verified) == 2 and verified[1] == accounts._DUMMY_HASH


def test_repeated_failures_lock_with_back_off_and_every_attempt_is_logged(store):
    add_account(store, "ana@example.org", PASSWORD)
    for _ in range(accounts.FREE_ATTEMPTS):
        with pytest.raises(SignInError, match="Wrong"):
            sign_in(store, "ana@example.org", "guess")
    with pytest.raises(SignInError, match="Too many attempts"):
        sign_in(store, "ana@example.org", PASSWORD)  # even the right password waits
    assert lock_remaining(store, "ana@example.org") > dt.timedelta(seconds=20)
    # An unknown address is locked the same way: no hint that an account exists.
    for _ in range(accounts.FREE_ATTEMPTS):
        with pytest.raises(SignInError):
            sign_in(store, "ghost@example.org", "guess")
    with pytest.raises(SignInError, match="Too many attempts"):
        sign_in(store, "ghost@example.org", "guess")
    later = accounts.utcnow() + dt.timedelta(hours=2)
    assert lock_remaining(store, "ana@example.org", now=later) == dt.timedelta(0)
    with store.engine.connect() as conn:
        outcomes = [r[0] for r in conn.execute(sa.select(auth_log.c.outcome)
                                               .where(auth_log.c.email == "ana@example.org"))]
    assert outcomes == ["wrong"] * 5 + ["locked"]


def test_back_off_grows_with_more_failures(store, monkeypatch):
    add_account(store, "ana@example.org", PASSWORD)
    with store.engine.begin() as conn:
        now = accounts.utcnow()
        conn.execute(auth_log.insert(), [{"email": "ana@example.org", "at": now,
                                          "outcome": "wrong"}] * 8)
    wait = lock_remaining(store, "ana@example.org", now=now)
    assert dt.timedelta(minutes=3) < wait <= dt.timedelta(minutes=4)  # 30 s × 2³


def test_signing_out_ends_every_session_of_the_account(store):
    add_account(store, "ana@example.org", PASSWORD)
    _, tab_one = sign_in(store, "ana@example.org", PASSWORD)
    _, tab_two = sign_in(store, "ana@example.org", PASSWORD)
    sign_out(store, tab_one)
    assert session_account(store, tab_one) is None and session_account(store, tab_two) is None


def test_sessions_are_stored_hashed_and_expire(store, monkeypatch):
    """Issue 18, finding 8: a copy of the database opens no session; sessions end."""
    import datetime as dt

    import sqlalchemy as sa

    from atlas_app.registry.tables import staff_sessions
    from atlas_app.staff import accounts

    add_account(store, "ana@example.org", "correct horse battery")
    account, token = sign_in(store, "ana@example.org", "correct horse battery")
    with store.engine.connect() as conn:
        [stored] = conn.execute(sa.select(staff_sessions.c.token)).scalars().all()
    assert stored != token and token not in stored
    assert session_account(store, stored) is None, "the stored value is not a token"
    assert session_account(store, token) == account
    later = accounts.utcnow() + accounts.SESSION_LIFETIME + dt.timedelta(minutes=1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    assert session_account(store, token) is None, "a session ends after its lifetime"


def test_nobody_elsewhere_can_lock_a_staff_member_out(store):
    """Issue 18, finding 3: failures lock the address for the client that made them."""
    add_account(store, "ana@example.org", PASSWORD)
    mallory, ana_laptop = accounts.client_tag("203.0.113.9"), accounts.client_tag("198.51.100.7")
    assert mallory != ana_laptop and "203.0.113.9" not in mallory
    for _ in range(accounts.FREE_ATTEMPTS + 3):
        with pytest.raises(SignInError):
            sign_in(store, "ana@example.org", "guess", mallory)
    with pytest.raises(SignInError, match="Too many attempts"):
        sign_in(store, "ana@example.org", PASSWORD, mallory)
    account, _token = sign_in(store, "ana@example.org", PASSWORD, ana_laptop)
    assert account.email == "ana@example.org"


def test_a_client_guessing_across_many_addresses_is_locked_as_a_whole(store):
    add_account(store, "ana@example.org", PASSWORD)
    sprayer, other = accounts.client_tag("203.0.113.9"), accounts.client_tag("198.51.100.7")
    for i in range(accounts.CLIENT_FAILURES):
        with pytest.raises(SignInError, match="Wrong"):
            sign_in(store, f"user{i}@example.org", "guess", sprayer)
    with pytest.raises(SignInError, match="Too many attempts"):
        sign_in(store, "ana@example.org", PASSWORD, sprayer)
    assert sign_in(store, "ana@example.org", PASSWORD, other)[0].email == "ana@example.org"
    later = accounts.utcnow() + accounts.CLIENT_WINDOW + dt.timedelta(seconds=1)
    assert lock_remaining(store, "ana@example.org", now=later, client=sprayer) == \
        dt.timedelta(0)


def test_one_visitor_cannot_use_up_the_sites_suggestion_quota(store):
    """Issue 18, finding 4: each client has its own hourly quota within the site's."""
    from atlas_app.staff import edits
    from tests.support.factories import record

    spammer, visitor = accounts.client_tag("203.0.113.9"), accounts.client_tag("192.0.2.1")
    for i in range(edits.SUGGESTIONS_PER_CLIENT):
        assert edits.suggestions_open(store, spammer)
        edits.add_suggestion(store, record(name=f"Spam {i}"), spammer)
    assert not edits.suggestions_open(store, spammer)
    assert edits.suggestions_open(store, visitor)
    assert edits.suggestions_last_hour(store) == edits.SUGGESTIONS_PER_CLIENT
    actors = {c["actor"] for c in edits.recent_changes(store)}
    assert actors == {f"public suggestion form · {spammer}"}


def test_an_idle_session_ends_and_a_used_one_lives_on(store, monkeypatch):
    """Issue 15: a session survives reloads until it is idle too long or too old."""
    import datetime as dt

    from atlas_app.staff import accounts

    add_account(store, "ana@example.org", "correct horse battery")
    account, token = sign_in(store, "ana@example.org", "correct horse battery")
    start = accounts.utcnow()
    idle = dt.timedelta(minutes=30)
    for minutes in (20, 40, 60):  # used every 20 minutes: never idle for 30
        monkeypatch.setattr(accounts, "utcnow", lambda m=minutes: start + dt.timedelta(minutes=m))
        assert session_account(store, token, idle=idle) == account
    monkeypatch.setattr(accounts, "utcnow", lambda: start + dt.timedelta(minutes=95))
    assert session_account(store, token, idle=idle) is None, "35 minutes without use"
    assert session_account(store, token, idle=dt.timedelta(hours=1)) == account
    assert session_account(store, token, lifetime=dt.timedelta(hours=1)) is None, \
        "the absolute limit holds whatever the use"
