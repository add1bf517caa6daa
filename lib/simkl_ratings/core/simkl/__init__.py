"""The Simkl side: HTTP client, sign-in, credentials and reading Simkl's replies."""
