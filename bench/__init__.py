"""`make bench`: nominations carried through their routes by the services, and page timings.

bench.run and bench.session_scale drive the services; bench.scale_pages times the busiest
pages at 50,000 nominations written in bulk (bench.scale_data).

See docs/benchmarks.md. Run with `.venv/bin/python -m bench.run` (settings from the
environment, like manage.py); it only touches its own campaign, unit and people.
"""
