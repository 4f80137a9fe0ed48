"""WSGI entry point: `flask --app wsgi ...` and production servers load `app` from here.

`python wsgi.py` serves the app with realtime (Socket.IO) on http://127.0.0.1:$PORT; this is
what `make run` does.
"""

import os

from app import create_app
from app.extensions import socketio

app = create_app()

if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    host = os.environ.get("HOST", "127.0.0.1")
    print(f" * Cercle: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, debug=False)
