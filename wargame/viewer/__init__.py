"""The browser viewer and the drawings it shows."""
