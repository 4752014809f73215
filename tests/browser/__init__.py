"""Tests against the real server (nkcities/serve.py in a subprocess), most of them in Chromium."""
