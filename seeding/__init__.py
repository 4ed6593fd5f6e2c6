"""Seeding: the data of the demo, the benchmarks and generated schools.

A layer above the apps: it builds everything through the apps' ``api.py`` modules (never their
models or services), so that seeded data obeys the same rules as data entered in the pages, and
``tenants`` (the lowest layer) imports nothing from the domain apps."""
