"""Fake kodi_six: on Python 3 the real one only re-exports Kodi's modules."""

import xbmc  # noqa: F401
import xbmcaddon  # noqa: F401
import xbmcgui  # noqa: F401
import xbmcplugin  # noqa: F401
import xbmcvfs  # noqa: F401
