"""The project's ASGI wrappers in the order serve.yml's `asgi_order` lists them, outermost
first. Datasette wraps its app with the asgi_wrapper answers in pluggy's order, and for the
files of one plugins directory that is the order glob() lists them in: not the same on every
file system. This hookwrapper sorts the answers once, when Datasette builds its app."""

from datasette import hookimpl

from nkcities.web.serve import load_config

ORDER = load_config()["asgi_order"]  # outermost first


def depth(wrapper):
    """How far out a wrapper goes: 0 is innermost. A wrapper of an installed plugin is not in
    serve.yml and stays innermost, next to Datasette."""
    name = wrapper.__module__.removesuffix(".py")  # Datasette names a plugins/ module file.py
    return len(ORDER) - ORDER.index(name) if name in ORDER else 0


@hookimpl(hookwrapper=True)
def asgi_wrapper(datasette):
    outcome = yield
    # Datasette applies the answers in list order, so the first one ends up innermost.
    outcome.force_result(sorted(outcome.get_result(), key=depth))
