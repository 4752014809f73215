"""The project's one ASGI wrapper: Datasette's app inside the serving stack that
nkcities/web/stack.py composes, in the order it states."""

from datasette import hookimpl

from nkcities.web.stack import composed


@hookimpl(trylast=True)  # the last answer wraps the others: the stack stays outermost
def asgi_wrapper(datasette):
    return lambda app: composed(app, datasette)
