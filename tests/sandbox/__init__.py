"""Local Simkl API sandbox for unit and end-to-end tests (stdlib only)."""
