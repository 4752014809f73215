"""Tests against the real server (nkcities/web/serve.py in a subprocess), most of them in
Chromium."""
