"""Who runs at once (nkcities/web/middleware/fair_share.py), seen from requests to an app that
holds every request until the test lets it go: one place for pages, and one spare place that only
a client with nothing else running or waiting gets."""

import asyncio

from nkcities.web.middleware.fair_share import FairShare


class HeldApp:
    """An ASGI app that starts each request, then answers it when the test releases it."""

    def __init__(self):
        self.started, self.gates = [], {}

    async def __call__(self, scope, receive, send):
        name = scope["path"]
        self.started.append(name)
        self.gates[name] = asyncio.Event()
        await self.gates[name].wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def request(app, address, name):
    scope = {"type": "http", "method": "GET", "path": name, "query_string": b"",
             "headers": [], "client": (address, 50000)}

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        pass
    return asyncio.create_task(app(scope, receive, send))


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_client_with_nothing_here_runs_beside_the_page_being_rendered():
    async def scenario():
        held = HeldApp()
        app = FairShare(held)
        tasks = [request(app, "127.0.0.2", "/noisy-1"), request(app, "127.0.0.2", "/noisy-2")]
        await settle()
        assert held.started == ["/noisy-1"]  # one place: the noisy client's second one waits
        tasks.append(request(app, "127.0.0.9", "/quiet-1"))
        await settle()
        assert held.started == ["/noisy-1", "/quiet-1"]  # nothing else here: the spare place
        tasks += [request(app, "127.0.0.9", "/quiet-2"), request(app, "127.0.0.3", "/other")]
        await settle()
        # the spare place is taken; and a client with a request running does not get it
        assert held.started == ["/noisy-1", "/quiet-1"]
        held.gates["/quiet-1"].set()
        await settle()
        # the freed spare place waits for a new arrival; the queue goes on in the one place
        assert held.started == ["/noisy-1", "/quiet-1"]
        held.gates["/noisy-1"].set()
        await settle()
        # round robin: of the clients with none running, the one never given a place first
        assert held.started == ["/noisy-1", "/quiet-1", "/quiet-2"]
        for name in ["/quiet-2", "/other", "/noisy-2"]:
            await settle()
            held.gates[name].set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
        return held.started
    assert asyncio.run(scenario()) == ["/noisy-1", "/quiet-1", "/quiet-2", "/other", "/noisy-2"]
