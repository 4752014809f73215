"""The SQL threads run at a lower OS priority than the event loop (serve.yml,
requests.sql_thread_niceness, with its reason): the loop, which renders every page, then wins a
core from a slow query."""

import os
import threading

from datasette import hookimpl

from nkcities.web.serve import load_config

NICENESS = load_config()["requests"]["sql_thread_niceness"]


@hookimpl
def prepare_connection(conn):
    """Datasette opens a connection per SQL thread, in that thread."""
    if threading.current_thread() is not threading.main_thread():
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
