"""No client can take the server from the others: bounded concurrency and a fair turn for
expensive requests. The numbers and their reasons are in serve.yml, `requests`.

- At most max_in_flight requests run at once, and max_in_flight_per_client from one client
  address (behind a proxy, the address uvicorn takes from X-Forwarded-For, which it believes
  only from uvicorn.forwarded_allow_ips). The excess gets a fast 503 (all) or 429 (one
  client), with Retry-After, instead of queueing without bound.
- A request carrying the client's own SQL (?sql=, ?_where=) can keep a SQL thread busy for the
  whole time limit. At most expensive_slots of them run at once; each client gets one turn at
  a time, taken in order of arrival, so the other SQL threads stay free for everyone's cheap
  requests. A turn ends when the response starts: a client that does not read its result
  keeps no slot. One that waits over expensive_wait_s gets 503 with Retry-After.
- SQL threads run at a lower OS priority (sql_thread_niceness) than the event loop.

Only compression sits inside it (serve.yml's asgi_order): the response cache around it answers
hits without taking a turn.
"""

import asyncio
import collections
import contextlib
import os
import threading
from urllib.parse import parse_qsl

from datasette import hookimpl

from nkcities.http_errors import send_error
from nkcities.serve import load_config

LIMITS = load_config()["requests"]
CLIENT_SQL = {"sql", "_where"}


def client_of(scope):
    return (scope.get("client") or ("unknown",))[0]


def carries_sql(scope):
    query = scope.get("query_string", b"").decode("latin-1")
    return any(name in CLIENT_SQL for name, _ in parse_qsl(query, keep_blank_values=True))


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Turns:
    """The counters and queues of one server (one per Datasette instance)."""

    def __init__(self, limits):
        self.limits = limits
        self.in_flight = 0
        self.per_client = collections.Counter()
        self.expensive = asyncio.Semaphore(limits["expensive_slots"])
        self.client_turn = {}  # client: a Lock, while the client has SQL requests here
        self.asking = collections.Counter()  # client: its SQL requests waiting or running

    @contextlib.contextmanager
    def running(self, client):
        if self.in_flight >= self.limits["max_in_flight"]:
            raise Refused(503, "the server is busy: try again shortly")
        if self.per_client[client] >= self.limits["max_in_flight_per_client"]:
            raise Refused(429, "too many requests at once from your address")
        self.in_flight += 1
        self.per_client[client] += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self.per_client[client] -= 1
            if not self.per_client[client]:
                del self.per_client[client]

    async def take_turn(self, lock):
        """The client's turn, then a slot; TimeoutError after expensive_wait_s."""
        async with asyncio.timeout(self.limits["expensive_wait_s"]):
            await lock.acquire()
            try:
                await self.expensive.acquire()
            except BaseException:
                lock.release()
                raise

    @contextlib.asynccontextmanager
    async def expensive_turn(self, client):
        """Yields a release(): the turn ends when the response starts (the query is done) or
        at the end of the request, whichever comes first."""
        self.asking[client] += 1
        lock = self.client_turn.setdefault(client, asyncio.Lock())
        released = False

        def release():
            nonlocal released
            if not released:
                released = True
                self.expensive.release()
                lock.release()

        try:
            try:
                await self.take_turn(lock)
            except TimeoutError:
                raise Refused(503, "too many SQL queries waiting: try again shortly") from None
            try:
                yield release
            finally:
                release()
        finally:
            self.asking[client] -= 1
            if not self.asking[client]:
                del self.asking[client], self.client_turn[client]


def ending_turn_at_start(send, release):
    async def send_and_release(message):
        if message["type"] == "http.response.start":
            release()
        await send(message)
    return send_and_release


@hookimpl
def prepare_connection(conn):
    """Datasette opens a connection per SQL thread, in that thread: lower the thread's OS
    priority, so the event loop, which renders every page, wins the core from slow SQL."""
    if threading.current_thread() is not threading.main_thread():
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LIMITS["sql_thread_niceness"])


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        turns = Turns(LIMITS)

        async def fair(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            client = client_of(scope)
            try:
                with turns.running(client):
                    if not carries_sql(scope):
                        return await app(scope, receive, send)
                    async with turns.expensive_turn(client) as release:
                        return await app(scope, receive, ending_turn_at_start(send, release))
            except Refused as refused:
                await send_error(scope, send, refused.status, str(refused),
                                 [("retry-after", LIMITS["retry_after_s"])])
        return fair
    return wrap
