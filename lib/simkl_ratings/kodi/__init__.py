"""The Kodi shell: the only package that imports Kodi's modules (through kodi_six)."""
