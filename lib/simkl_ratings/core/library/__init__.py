"""The Kodi library side: JSON-RPC and the paged reads and batched writes over it."""
