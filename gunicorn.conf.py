"""gunicorn settings, read from the working directory by `make run` and the benchmarks."""


def post_worker_init(worker):
    """Warm each worker before it takes requests (opengen/warmup.py)."""
    from opengen.warmup import warm

    warm(worker.wsgi)
