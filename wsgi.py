"""WSGI entry point: `flask --app wsgi ...` and gunicorn load `app` from here.

`python wsgi.py` serves the app with realtime (Socket.IO) on http://127.0.0.1:$PORT through
gunicorn (gunicorn.conf.py: one process, threaded worker), as `make run` does: the same
server as production, never Werkzeug's development server.
"""

import os
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "5000")
    print(f" * Cercle: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    os.chdir(here)
    os.execv(gunicorn, [gunicorn, "--config", "gunicorn.conf.py", "wsgi:app"])

from app import create_app

app = create_app()
