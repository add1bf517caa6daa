"""Fake `xbmcplugin` (kodi_six re-exports it; this add-on does not use it)."""
