"""Profile one page in-process: `python -m bench.profile PATH [REQUESTS]`.

Uses the database named by DATABASE_URL (e.g. one kept by `python -m bench --keep`), the
production settings, and pyinstrument; prints where the time of REQUESTS requests went.
"""

from __future__ import annotations

import sys


def main() -> None:
    from pyinstrument import Profiler

    from app import create_app

    path = sys.argv[1]
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    app = create_app({"SCHEDULER_ENABLED": False})
    client = app.test_client()
    for _ in range(20):  # warm-up: template compilation, pools
        assert client.get(path).status_code == 200, path
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
