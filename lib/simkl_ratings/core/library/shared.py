"""Is this Kodi's video library shared with other devices? Kodi keeps it in MySQL/MariaDB when
`advancedsettings.xml` has a `<videodatabase>` of type `mysql`; every device pointed at the same
server and database name sees one library.

Only where the library lives is kept (host, port, database name): the user name and the
password in the same block are never read into memory.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable
from xml.etree import ElementTree

LOG = logging.getLogger(__name__)

DEFAULT_PORT = 3306
DEFAULT_NAME = "MyVideos"  # Kodi's prefix; it appends the schema version (MyVideos121)


@dataclass(frozen=True)
class SharedLibrary:
    host: str
    port: int
    name: str

    @property
    def where(self) -> str:
        """For messages and the report: `host:port/name`, nothing secret."""
        return f"{self.host}:{self.port}/{self.name}"


def parse_advanced_settings(text: str) -> SharedLibrary | None:
    """The shared library an advancedsettings.xml points the video database at, or None (no
    block, another type, or a file Kodi itself could not read)."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        LOG.warning("advancedsettings.xml is not valid XML (%s): taken as not shared", exc)
        return None
    block = root.find("videodatabase")
    if block is None or _text(block, "type").lower() != "mysql":
        return None
    host = _text(block, "host")
    if not host:
        LOG.warning("advancedsettings.xml: a mysql videodatabase without a host")
        return None
    try:
        port = int(_text(block, "port") or DEFAULT_PORT)
    except ValueError:
        port = DEFAULT_PORT
    return SharedLibrary(host=host, port=port, name=_text(block, "name") or DEFAULT_NAME)


def shared_library(texts: Iterable[str | None]) -> SharedLibrary | None:
    """Kodi reads the system advancedsettings.xml, then the user's; the last one that sets the
    video database decides. `None` stands for a file that does not exist."""
    found: SharedLibrary | None = None
    for text in texts:
        if text is None:
            continue
        found = parse_advanced_settings(text) if "videodatabase" in text else found
    return found


def _text(block: ElementTree.Element, tag: str) -> str:
    node = block.find(tag)
    return (node.text or "").strip() if node is not None else ""
