"""Models of the participants app."""
