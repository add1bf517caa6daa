"""The sign-in, kept in the add-on profile folder and nowhere else.

One record for both flows: a V1 sign-in holds only an access token; a V2 (device flow) one
also its refresh token, expiry and granted scope. Saved atomically with mode 0600, so a
refreshed token is on disk before it is used. `repr` never shows secrets.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta

from ..files import read_json, write_json_atomic
from ..redact import remember_secret
from ..timeutil import format_instant, parse_instant, utc_now
from .signin import Grant

LOG = logging.getLogger(__name__)

CREDENTIALS_FILE = "credentials.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Credentials:
    access_token: str = field(repr=False)
    client_id: str = ""
    auth_version: int = 1
    account_id: int | None = None
    account_name: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: str | None = None
    scope: str | None = None
    created_at: str = field(default_factory=lambda: format_instant(utc_now()))

    @property
    def expiry(self) -> datetime | None:
        return parse_instant(self.expires_at)

    @property
    def lifetime(self) -> float | None:
        """Seconds the access token was issued for (from `created_at` to `expires_at`)."""
        start, end = parse_instant(self.created_at), self.expiry
        return (end - start).total_seconds() if start and end else None

    def with_grant(self, grant: Grant, now: datetime) -> Credentials:
        """This sign-in after a refresh: new tokens, expiry and scope, same account."""
        return replace(
            self,
            access_token=grant.access_token,
            refresh_token=grant.refresh_token or self.refresh_token,
            expires_at=_expiry(grant, now),
            scope=grant.scope if grant.scope is not None else self.scope,
            created_at=format_instant(now),
        )


def _expiry(grant: Grant, now: datetime) -> str | None:
    if not grant.expires_in:
        return None
    return format_instant(now + timedelta(seconds=grant.expires_in))


def credentials_from_grant(
    grant: Grant,
    client_id: str,
    *,
    scope_asked: str | None = None,
    account_id: int | None = None,
    account_name: str | None = None,
    now: datetime | None = None,
) -> Credentials:
    """The record for a fresh sign-in; a V2 reply without `scope` is taken as what was asked."""
    moment = now or utc_now()
    return Credentials(
        access_token=grant.access_token,
        client_id=client_id,
        auth_version=grant.version,
        account_id=account_id,
        account_name=account_name,
        refresh_token=grant.refresh_token,
        expires_at=_expiry(grant, moment),
        scope=grant.scope if grant.scope is not None or grant.version < 2 else scope_asked,
        created_at=format_instant(moment),
    )


class CredentialStore:
    """Loads and saves `credentials.json` (mode 0600) in the profile folder."""

    def __init__(self, profile_dir: str) -> None:
        self.path = os.path.join(profile_dir, CREDENTIALS_FILE)

    def load(self) -> Credentials | None:
        data = read_json(self.path)
        if data is None:
            return None
        known = {f.name for f in fields(Credentials)}
        try:
            values = {k: v for k, v in data.items() if k in known}
            creds = Credentials(**values)
        except (AttributeError, TypeError):
            LOG.warning("stored sign-in is unreadable; sign in again")
            return None
        if not isinstance(creds.access_token, str) or not creds.access_token:
            return None
        remember_secret(creds.access_token)  # masked by value, whatever its shape
        remember_secret(creds.refresh_token)
        return creds

    def save(self, creds: Credentials) -> None:
        data = asdict(creds)
        data["schema_version"] = SCHEMA_VERSION
        write_json_atomic(self.path, data, private=True)

    def clear(self) -> bool:
        """Forget the token; True when there was one."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            return False
        return True
