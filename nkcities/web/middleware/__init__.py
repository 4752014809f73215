"""The middleware around Datasette's app, one job each; nkcities/web/stack.py puts them in order."""
