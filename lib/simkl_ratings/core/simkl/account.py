"""Finishing a sign-in: learn which account the new token belongs to, and keep both."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from ..errors import SignedOut, SimklError
from .client import SimklClient
from .credentials import Credentials, credentials_from_grant
from .signin import Grant

LOG = logging.getLogger(__name__)


def account_of(body: Any) -> tuple[int | None, str | None]:
    """(account id, user name) from a /users/settings reply; None for what is missing."""
    if not isinstance(body, Mapping):
        return None, None
    account = body.get("account") if isinstance(body.get("account"), Mapping) else {}
    user = body.get("user") if isinstance(body.get("user"), Mapping) else {}
    account_id = account.get("id")
    name = user.get("name")
    return (
        account_id if isinstance(account_id, int) and not isinstance(account_id, bool) else None,
        name[:100] if isinstance(name, str) else None,
    )


def complete_sign_in(
    client: SimklClient, grant: Grant | str, scope_asked: str | None = None
) -> Credentials:
    """Credentials for a fresh grant (or a bare V1 token), with the account when Simkl tells us.

    A failure to read the account (network, 5xx) does not lose the sign-in; a 401 does, since
    the token is then useless.
    """
    if isinstance(grant, str):
        grant = Grant(access_token=grant, version=1)
    client.token = grant.access_token
    account_id, name = None, None
    try:
        account_id, name = account_of(client.user_settings())
    except SignedOut:
        raise
    except SimklError as exc:
        LOG.warning("signed in, but the account could not be read yet (%s)", exc)
    return credentials_from_grant(
        grant, client.client_id, scope_asked=scope_asked, account_id=account_id, account_name=name
    )
