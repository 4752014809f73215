"""Tests against the real server (scripts/serve.sh in a subprocess), most of them in Chromium."""
