"""Finishing a sign-in: learn which account the new token belongs to, and keep both."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from ..errors import SignedOut, SimklError
from .client import SimklClient
from .credentials import Credentials

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


def complete_sign_in(client: SimklClient, token: str) -> Credentials:
    """Credentials for a fresh token, with the account when Simkl tells us.

    A failure to read the account (network, 5xx) does not lose the sign-in; a 401 does, since
    the token is then useless.
    """
    client.token = token
    account_id, name = None, None
    try:
        account_id, name = account_of(client.user_settings())
    except SignedOut:
        raise
    except SimklError as exc:
        LOG.warning("signed in, but the account could not be read yet (%s)", exc)
    return Credentials(
        access_token=token, client_id=client.client_id, account_id=account_id, account_name=name
    )
