"""Simkl Ratings Sync for Kodi.

`core` holds the engine and never imports Kodi; `kodi` is the thin shell that talks to
Kodi's Python API through kodi_six.
"""

ADDON_ID = "script.simkl.ratings"
