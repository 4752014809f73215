"""The project's one error type for bad input, printed as `PATH:LINE: what is wrong`."""

import contextlib
import sqlite3
import sys

import click
import yaml


class FileError(Exception):
    """Something wrong with a whole file, printed `PATH: what is wrong`."""

    def __init__(self, path, what):
        super().__init__(what)
        self.path, self.what = path, what

    def __str__(self):
        return f"{self.path}: {self.what}"


class InputError(FileError):
    """Bad input at a line of a file, printed `PATH:LINE: what is wrong`. Code that reads one
    file raises it without a path; `in_file(path)` around that code adds the path once."""

    def __init__(self, line, what, path=None):
        super().__init__(path, what)
        self.line = line

    def __str__(self):
        return f"{self.path}:{self.line}: {self.what}"


@contextlib.contextmanager
def in_file(path):
    """Errors raised inside without a path are about `path`."""
    try:
        yield
    except InputError as error:
        if error.path is None:
            error.path = path
        raise


@contextlib.contextmanager
def one_line_errors(path):
    """For a command line: bad input, I/O and SQLite errors print one line and exit 1."""
    try:
        yield
    except FileError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except (OSError, sqlite3.Error, yaml.YAMLError) as error:
        click.echo(f"{path}: {error}", err=True)
        sys.exit(1)
