"""Rating one item from Kodi: what the `rate` action was asked, which library item a movie,
show, season or episode rates, and whether a finished playback should ask for a rating.

Pure: Kodi is reached only through `JsonRpc`; the dialog and the Player live in the shell.
"""
