"""Models of the pairs app."""
