"""No client can take the server from the others: bounded concurrency and a fair turn for
expensive requests. The numbers and their reasons are in serve.yml, `requests`.

- At most max_in_flight requests are taken in at once, and max_in_flight_per_client from one
  client address (behind a proxy, the address nkcities/web/serve.py takes from X-Forwarded-For,
  which it believes only from serve.yml's forwarded.trusted). The excess gets a fast 503 (all)
  or 429 (one client), with Retry-After, instead of queueing without bound. A handful of
  clients at their own limit stay well below the one for all.
- Of those without the client's own SQL, at most max_running run at once; a freed place goes to
  the client with the fewest running and, among those, to the one served longest ago, so a
  client with one request is not queued behind other clients' dozens. spare_running more places
  are only for a client with nothing else running or waiting, which then runs at once instead of
  waiting for the page being rendered. A place is given back when
  the response starts (its body is paced_send.py's business), and a request that waits over
  max_wait_s gets 503 with Retry-After.
- A request carrying the client's own SQL (?sql=, ?_where=) can keep a SQL thread busy for the
  whole time limit. At most expensive_slots of them run at once, in place of a place to run;
  each client gets one turn at a time, taken in order of arrival, so the other SQL threads stay
  free for everyone's cheap requests. A turn ends when the response starts: a client that does
  not read its result keeps no slot. One that waits over expensive_wait_s gets 503 with Retry-After.
The SQL threads also run at a lower OS priority than the event loop (plugins/sql_threads.py).
"""

import asyncio
import collections
import contextlib
import itertools

from nkcities.web.asgi import query
from nkcities.web.http_errors import send_error
from nkcities.web.serve import load_config

LIMITS = load_config()["requests"]
CLIENT_SQL = {"sql", "_where"}


def client_of(scope):
    return (scope.get("client") or ("unknown",))[0]


def carries_sql(scope):
    return any(name in CLIENT_SQL for name, _ in query(scope))


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class FairSlots:
    """`slots` places to run; a freed one goes to the client with the fewest running, among
    those to the one given a place longest ago (round robin: a client that asks now and then
    is not queued behind every request of the clients that always ask), and among its waiting
    requests to the first that came. `spare` more places go only to a request whose client has
    nothing else running or waiting, when the others are taken: clients that keep requests
    queued never hold them."""

    def __init__(self, slots, spare=0):
        self.free, self.running, self.waiting = slots, collections.Counter(), []
        self.turns, self.last_turn = itertools.count(), {}  # client: when it last got a place
        self.spare, self.on_spare = spare, set()  # places for clients with nothing else here

    async def acquire(self, client):
        """True when the place taken is a spare one."""
        if self.free and not self.waiting:
            self.take(client)
            return False
        if self.spare and self.idle(client):
            self.spare -= 1  # a client with nothing running or waiting runs at once
            self.on_spare.add(client)
            return True
        entry = (client, asyncio.get_running_loop().create_future())
        self.waiting.append(entry)
        try:
            await entry[1]
            return False
        except BaseException:
            if entry[1].done() and not entry[1].cancelled():
                self.release(client)  # given a place just as the wait ended
            else:
                self.waiting.remove(entry)
                self.forget_if_idle(client)
            raise

    def take(self, client):
        self.free -= 1
        self.running[client] += 1
        self.last_turn[client] = next(self.turns)

    def priority(self, entry):
        return self.running[entry[0]], self.last_turn.get(entry[0], -1)

    def busy(self, client):
        """Whether the client has a request in a place to run, or waiting for one."""
        return client in self.running or any(entry[0] == client for entry in self.waiting)

    def idle(self, client):
        return not self.busy(client) and client not in self.on_spare

    def release_spare(self, client):
        self.spare += 1
        self.on_spare.discard(client)

    def release(self, client):
        self.free += 1
        self.running[client] -= 1
        if not self.running[client]:
            del self.running[client]
        while self.free and self.waiting:
            entry = min(self.waiting, key=self.priority)
            self.waiting.remove(entry)
            self.take(entry[0])
            entry[1].set_result(None)
        self.forget_if_idle(client)

    def forget_if_idle(self, client):
        """A client with nothing running or waiting is remembered no longer: it comes back
        first in line, and the table stays as small as the clients being served."""
        if not self.busy(client):
            self.last_turn.pop(client, None)


def once(*actions):
    """A release() that runs the actions the first time it is called, and nothing after."""
    done = False

    def release():
        nonlocal done
        if not done:
            done = True
            for action in actions:
                action()
    return release


class Turns:
    """The counters and queues of one server (one per Datasette instance)."""

    def __init__(self, limits):
        self.limits = limits
        self.slots = FairSlots(limits["max_running"], limits["spare_running"])
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

    @contextlib.asynccontextmanager
    async def place(self, client):
        """Yields a release(): the place is given back when the response starts, or at the
        end of the request, whichever comes first."""
        try:
            async with asyncio.timeout(self.limits["max_wait_s"]):
                spare = await self.slots.acquire(client)
        except TimeoutError:
            raise Refused(503, "the server is busy: try again shortly") from None
        release = once(lambda: (self.slots.release_spare if spare else self.slots.release)(client))
        try:
            yield release
        finally:
            release()

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
        release = once(self.expensive.release, lock.release)
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


def ending_turn_at_start(send, *releases):
    async def send_and_release(message):
        if message["type"] == "http.response.start":
            for release in releases:
                release()
        await send(message)
    return send_and_release


class FairShare:
    """Requests of one server taken in, run and given SQL turns fairly between clients."""

    def __init__(self, app):
        self.app, self.turns = app, Turns(LIMITS)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        client, turns = client_of(scope), self.turns
        try:
            with turns.running(client):
                if not carries_sql(scope):
                    async with turns.place(client) as release:
                        return await self.app(scope, receive, ending_turn_at_start(send, release))
                # a SQL turn instead of a place: the places stay for pages, which a client's
                # slow query would otherwise hold for its whole time limit
                async with turns.expensive_turn(client) as release_turn:
                    return await self.app(scope, receive, ending_turn_at_start(send, release_turn))
        except Refused as refused:
            await send_error(scope, send, refused.status, str(refused),
                             [("retry-after", LIMITS["retry_after_s"])])
