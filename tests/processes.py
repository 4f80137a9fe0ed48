"""Run test workers in real processes at once, and collect what went wrong."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable


def run_together(targets: list[tuple[Callable, tuple]], timeout: float = 180) -> list[str]:
    """Start every `(target, (first, *rest))` in its own spawned process, all at once.

    Each target is called as `target(first, index, barrier, errors, *rest)`: it waits on
    the barrier so the processes really overlap, and puts a traceback on `errors` if it
    fails. Returns the errors, plus a line per process that hung or exited non-zero.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(targets))
    errors = ctx.Queue()
    processes = [
        ctx.Process(target=target, args=(args[0], index, barrier, errors, *args[1:]))
        for index, (target, args) in enumerate(targets)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=timeout)
    found = []
    while not errors.empty():
        found.append(errors.get())
    for process in processes:
        if process.is_alive():
            process.kill()
            found.append(f"{process.name} did not finish")
        elif process.exitcode != 0:
            found.append(f"{process.name} exited with {process.exitcode}")
    return found


def write_scene(target: Callable, url: str, timeout: float = 120) -> dict:
    """Run `target(url, ids)` in a spawned process (the scene a race starts from, written
    with the app of that process) and return the ids it put in `ids`."""
    ctx = multiprocessing.get_context("spawn")
    ids = ctx.Manager().dict()
    process = ctx.Process(target=target, args=(url, ids))
    process.start()
    process.join(timeout=timeout)
    assert process.exitcode == 0, "the scene could not be written"
    return dict(ids)
