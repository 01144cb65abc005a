"""`make bench`: nominations carried through their routes by the services, and page timings.

See docs/benchmarks.md. Run with `.venv/bin/python -m bench.run` (settings from the
environment, like manage.py); it only touches its own campaign, unit and people.
"""
