"""Serving the built database: the server, its checks and the middleware around Datasette."""
