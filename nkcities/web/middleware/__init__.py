"""The middleware around Datasette's app, one job each; nkcities/web/stack.py puts them in order."""


class Middleware:
    """An ASGI app around `app` (its __call__ is the job), for the Datasette it serves."""

    def __init__(self, app, datasette):
        self.app, self.datasette = app, datasette
