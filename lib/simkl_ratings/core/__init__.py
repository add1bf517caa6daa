"""The engine: Simkl client, library gateway, matching, planning and reports. No Kodi imports."""
