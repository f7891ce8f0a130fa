"""Staff accounts: argon2 password hashes, throttled sign-in, sessions that can be revoked.

With ``store.py`` the only module that reads or writes the database (its tables are the
staff ones). Sign-in gives the same answer, in the same time, for an unknown e-mail and a
wrong password; failures are counted per e-mail address (known or not) *and* client, and
lock that pair with a growing back-off — so that someone elsewhere cannot lock a staff
member out — while a client failing on many addresses is locked as a whole; every attempt
is logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from atlas_app.errors import AtlasError, UsageError
from atlas_app.i18n import N_
from atlas_app.registry.store import Store, utcnow
from atlas_app.registry.tables import auth_log, staff_accounts, staff_sessions

FREE_ATTEMPTS = 5
FIRST_LOCK = dt.timedelta(seconds=30)
LONGEST_LOCK = dt.timedelta(hours=1)
MIN_PASSWORD = 10
# A staff session ends this long after sign-in, whatever happens in between.
SESSION_LIFETIME = dt.timedelta(hours=12)
WRONG = N_("Wrong e-mail address or password.")
LOCKED = N_("Too many attempts for this address: try again in {wait}.")
# A client (see client_tag) failing this often on any addresses is locked for the window.
CLIENT_FAILURES = 20
CLIENT_WINDOW = dt.timedelta(minutes=15)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, used to spend the same time")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SignInError(AtlasError, PermissionError):
    """Sign-in refused; the message is safe to show (``template`` and ``values`` let the
    UI translate it)."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values))
        self.template, self.values = template, values


@dataclass(frozen=True)
class Account:
    id: int
    email: str


def _token_digest(token: str) -> str:
    """Sessions are stored by the SHA-256 of their token: a copy of the database opens
    no session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_session(store: Store, account_id: int) -> str:
    token = secrets.token_urlsafe(32)
    with store.engine.execution_options(atlas_write=True).begin() as conn:
        conn.execute(staff_sessions.insert().values(token=_token_digest(token),
                                                    account_id=account_id,
                                                    created_at=utcnow()))
    return token


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def add_account(store: Store, email: str, password: str) -> Account:
    """Create a staff account (the password is stored as an argon2 hash only)."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise UsageError(f"not an e-mail address: {email!r}")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    try:
        with store.write() as conn:
            new_id = conn.execute(staff_accounts.insert().values(
                email=email, password_hash=_hasher.hash(password), created_at=utcnow())
            ).inserted_primary_key[0]
    except AtlasError as exc:
        if "unique" in str(exc).lower() or "duplicate" in str(exc).lower():
            raise UsageError(f"a staff account {email} already exists") from exc
        raise
    return Account(new_id, email)


def list_accounts(store: Store) -> list[Account]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(staff_accounts.c.id, staff_accounts.c.email)
                            .order_by(staff_accounts.c.email)).all()
    return [Account(i, e) for i, e in rows]


def remove_account(store: Store, email: str) -> None:
    """Remove an account and end its sessions."""
    email = normalise_email(email)
    with store.write() as conn:
        account_id = conn.execute(sa.select(staff_accounts.c.id)
                                  .where(staff_accounts.c.email == email)).scalar()
        if account_id is None:
            raise UsageError(f"no staff account {email}")
        conn.execute(staff_sessions.delete().where(staff_sessions.c.account_id == account_id))
        conn.execute(staff_accounts.delete().where(staff_accounts.c.id == account_id))


def client_tag(address: str | None) -> str | None:
    """A pseudonym for the address a request came from: what throttles count by, stored
    instead of the address itself (a truncated SHA-256; it links attempts, it does not
    name anybody)."""
    if not address:
        return None
    return hashlib.sha256(f"atlas-client:{address}".encode()).hexdigest()[:16]


def lock_remaining(store: Store, email: str, now: dt.datetime | None = None,
                   client: str | None = None) -> dt.timedelta:
    """How long ``email`` must wait before its next attempt from ``client`` (a
    :func:`client_tag`; None for the command line) — zero when it may try."""
    now = now or utcnow()
    c = auth_log.c
    same_client = c.client.is_(None) if client is None else c.client == client
    with store.engine.connect() as conn:
        last_ok = conn.execute(sa.select(sa.func.max(c.at)).where(
            c.email == email, c.outcome == "ok")).scalar()
        query = sa.select(sa.func.count(), sa.func.max(c.at)).where(
            c.email == email, c.outcome == "wrong", same_client)
        if last_ok is not None:
            query = query.where(c.at > last_ok)
        failures, last = conn.execute(query).one()
        spraying, last_spray = (0, None) if client is None else conn.execute(
            sa.select(sa.func.count(), sa.func.max(c.at)).where(
                c.client == client, c.outcome == "wrong", c.at > now - CLIENT_WINDOW)).one()
    waits = [dt.timedelta(0)]
    if failures >= FREE_ATTEMPTS and last is not None:
        lock = min(FIRST_LOCK * 2 ** (failures - FREE_ATTEMPTS), LONGEST_LOCK)
        waits.append(_as_utc(last) + lock - now)
    if spraying >= CLIENT_FAILURES and last_spray is not None:
        waits.append(_as_utc(last_spray) + CLIENT_WINDOW - now)
    return max(waits)


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _log(store: Store, email: str, outcome: str, client: str | None = None) -> None:
    with store.engine.execution_options(atlas_write=True).begin() as conn:
        conn.execute(auth_log.insert().values(email=email[:254], at=utcnow(), outcome=outcome,
                                              client=client))


def sign_in(store: Store, email: str, password: str,
            client: str | None = None) -> tuple[Account, str]:
    """Check a password; return the account and a new session token, or raise.
    ``client`` (a :func:`client_tag`) is who is trying: failures lock that client only."""
    email = normalise_email(email)
    wait = lock_remaining(store, email, client=client)
    if wait:
        _log(store, email, "locked", client)
        # Whole seconds (the translator words it: "30 seconds", « 2 minutes »).
        raise SignInError(LOCKED, wait=dt.timedelta(seconds=max(1, round(wait.total_seconds()))))
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(staff_accounts.c.id, staff_accounts.c.password_hash)
                           .where(staff_accounts.c.email == email)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        verified = row is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        _log(store, email, "wrong", client)
        raise SignInError(WRONG)
    _log(store, email, "ok", client)
    return Account(row.id, email), _new_session(store, row.id)


def session_account(store: Store, token: str | None, *,
                    lifetime: dt.timedelta = SESSION_LIFETIME,
                    idle: dt.timedelta | None = None) -> Account | None:
    """The account behind a live session token — not revoked, not older than
    ``lifetime`` after sign-in, and (with ``idle``) used within ``idle`` — checked in the
    database every time. A live session is marked as used (at most once a minute)."""
    if not token:
        return None
    s, now = staff_sessions.c, utcnow()
    last_use = sa.func.coalesce(s.last_seen_at, s.created_at)
    query = (sa.select(staff_accounts.c.id, staff_accounts.c.email, last_use.label("seen"))
             .join(staff_sessions, s.account_id == staff_accounts.c.id)
             .where(s.token == _token_digest(token), s.revoked_at.is_(None),
                    s.created_at > now - lifetime))
    if idle is not None:
        query = query.where(last_use > now - idle)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.seen is None or _aware(row.seen) < now - SEEN_EVERY:
        with store.engine.execution_options(atlas_write=True).begin() as conn:
            conn.execute(staff_sessions.update().where(s.token == _token_digest(token))
                         .values(last_seen_at=now))
    return Account(row.id, row.email)


# A session's use is written down at most this often (not on every page run).
SEEN_EVERY = dt.timedelta(minutes=1)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def sign_out(store: Store, token: str | None) -> None:
    """End every session of the token's account: other tabs must sign in again."""
    account = session_account(store, token)
    if account is None:
        return
    with store.engine.execution_options(atlas_write=True).begin() as conn:
        conn.execute(staff_sessions.update()
                     .where(staff_sessions.c.account_id == account.id,
                            staff_sessions.c.revoked_at.is_(None))
                     .values(revoked_at=utcnow()))


def single_sign_on(store: Store, email: str | None) -> tuple[Account, str] | None:
    """A session for an identity confirmed by the OIDC provider (``st.login``), if that
    e-mail address is a staff account — the staff list is the allow-list."""
    if not email:
        return None
    email = normalise_email(email)
    with store.engine.connect() as conn:
        account_id = conn.execute(sa.select(staff_accounts.c.id)
                                  .where(staff_accounts.c.email == email)).scalar()
    if account_id is None:
        _log(store, email, "sso-refused")
        return None
    _log(store, email, "sso")
    return Account(account_id, email), _new_session(store, account_id)
