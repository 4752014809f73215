"""The real server on a loopback port, and the clients that load it: shared by tests/ and
bench/, which import it and not each other."""
