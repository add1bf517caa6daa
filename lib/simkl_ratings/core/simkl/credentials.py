"""The access token, kept in the add-on profile folder and nowhere else.

The record already has room for what Simkl's device-code sign-in (AUTH V2) will need (refresh
token, expiry, scope), so switching flows later needs no migration. `repr` never shows secrets.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field, fields

from ..files import read_json, write_json_atomic
from ..timeutil import format_instant, utc_now

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
