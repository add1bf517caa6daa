"""The command-line runner: the same engine against any Kodi's JSON-RPC over HTTP.

For a NAS, a server or cron. It is installed with `pip install .` (the `simkl-ratings-sync`
command) and never ships in the add-on zip (NEVER_SHIPPED in tools/build_zip.py), so nothing
it needs reaches Kodi. It uses the core like the Kodi shell does and never imports Kodi.
"""
