"""``python -m bench.server``: the benchmark's app under the same gunicorn set-up as ``assess serve``."""

from __future__ import annotations

import click

from assess.commands.serve import GunicornServer, default_workers, gunicorn_options
from bench.app import create_bench_app


@click.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", type=int, default=None)
@click.option("--worker-class", type=click.Choice(["sync", "gthread"]), default="sync", show_default=True)
@click.option("--threads", type=int, default=4, show_default=True)
def main(bind: str, workers: int | None, worker_class: str, threads: int) -> None:
    options = gunicorn_options(bind, workers or default_workers(), worker_class, threads, timeout=30)
    GunicornServer(create_bench_app, options).run()


if __name__ == "__main__":
    main()
