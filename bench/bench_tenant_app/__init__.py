"""A bench-only tenant app: its one migration is the "real work" of the migrate benchmark.

Installed only by ``bench_migrate_settings``; the platform never sees it."""
