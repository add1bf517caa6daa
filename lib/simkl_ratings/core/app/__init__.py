"""The application layer both shells use: where the add-on keeps its files, what a sync is
asked to do, signing in and out, and a sync run under the one-at-a-time lock.

The Kodi add-on (`kodi/`) and the command-line runner (`cli/`) build a `Workspace` each, with
their own folders, session, JSON-RPC transport and way of waiting; everything else they do
with it lives here once. The shells keep only their UI: dialogs, notifications, terminal
output and exit codes.
"""
