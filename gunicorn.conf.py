"""gunicorn settings, read from the working directory by `make run` and the benchmarks.

preload_app stays off (gunicorn's default): a worker imports the app on its own in under a second,
since heavy libraries are imported only where used (tests/test_startup.py), and each worker opens
its database connections, Redis clients and files after the fork. Preloading would share the
imported code's pages between workers (lower PSS, same RSS); bench/startup.py prints RSS, PSS and
USS of a worker.
"""


def post_worker_init(worker):
    """Warm each worker before it takes requests (opengen/warmup.py)."""
    from opengen.warmup import warm

    warm(worker.wsgi)
