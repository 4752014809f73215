"""The build and serving code behind build.py: one job per module."""
