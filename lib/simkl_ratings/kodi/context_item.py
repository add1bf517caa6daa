"""The context menu's "Rate on Simkl…" (addon.xml, kodi.context.item; entry context_menu.py).

Kodi runs the item's script with the chosen list item in `sys.listitem`. Its library type and
id become the rate action's own arguments, and the script's entry runs them: the same checks,
the same words for a failure and the same last line of defence as every action.
"""

from __future__ import annotations

import sys
from typing import Any

from kodi_six import xbmc

from . import script


def item_arguments(listitem: Any) -> list[str]:
    """dbtype=… and dbid=… of the list item (Kodi's info labels of the focused item when Kodi
    gave none); a value that is not usable is left for the rate action to name."""
    tag = listitem.getVideoInfoTag() if listitem is not None else None
    if tag is None:
        dbtype, dbid = xbmc.getInfoLabel("ListItem.DBTYPE"), xbmc.getInfoLabel("ListItem.DBID")
    else:
        dbtype, dbid = tag.getMediaType(), tag.getDbId()
    return [f"dbtype={dbtype}", f"dbid={dbid}"]


def main() -> None:
    """Entry point of context_menu.py. The rate action reads sys.argv, as for RunScript."""
    sys.argv = ["context_menu.py", "rate", *item_arguments(getattr(sys, "listitem", None))]
    script.main(sys.argv)
