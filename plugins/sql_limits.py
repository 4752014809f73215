"""Bound what one SQL query can cost. Loaded by nkcities/web/serve.py (plugins_dir).

Datasette runs read-only SQL from anyone. Its settings (serve.yml) bound a query's time,
checked every 1,000 SQLite instructions, and the rows it returns. Neither bounds one expensive
instruction: `select zeroblob(500000000)` allocates 500 MB in one step, and some built-in
functions loop inside one step. On every connection to an immutable database file (all this
site serves) this plugin adds:

- SQLite limits: the longest string, blob or row; the longest SQL text and LIKE/GLOB pattern;
  the most result columns; no ATTACHed databases;
- a hard limit on SQLite's heap for the whole process (sorters, temp tables, CTE queues);
- a budget for the Python objects that one query's rows take before Datasette renders them;
- an authorizer: no ATTACH, no PRAGMA that sets anything, no file path from
  pragma_database_list (NULL; Datasette's own `PRAGMA database_list` still works), no
  load_extension, no fts3_tokenizer (compiled into this SQLite; its two-argument form takes
  a raw function pointer); and PRAGMA query_only, so nothing is ever written;
- guards on the built-ins whose cost inside one step grows faster than their output: printf
  (a width or precision loops that many times), trim with a character list, json_patch.

A mutable database (Datasette's own, or a plugin's) keeps Datasette's contract: its write
connection writes, and Datasette opens its readers read-only. `--crossdb` is refused at start.

The numbers are serve.yml's `sql`; why every legitimate query over this dataset fits in them
is in docs/security.md.
"""

import re
import sqlite3
import weakref

import click
from datasette import hookimpl

from nkcities.web.serve import load_config

SQL = load_config()["sql"]  # serve.yml's `sql`: each number with its reason
MAX_VALUE_BYTES = SQL["max_value_bytes"]  # printf's widest too: over the longest value anyway
MAX_TRIM_CHARS, MAX_JSON_PATCH = SQL["max_trim_chars"], SQL["max_json_patch"]

LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: SQL["max_sql_bytes"],
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: SQL["max_like_pattern_bytes"],
    sqlite3.SQLITE_LIMIT_COLUMN: SQL["max_columns"],
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
}
DENIED_FUNCTIONS = {"load_extension", "fts3_tokenizer"}
READ_PRAGMAS = {"database_list", "function_list", "page_count", "max_page_count", "page_size",
                "schema_version", "compile_options", "query_only",
                "data_version"}  # allowed without a value; FTS5 reads data_version
TABLE_PRAGMAS = {"foreign_key_list", "index_info", "index_list", "index_xinfo", "table_info",
                 "table_xinfo"}  # allowed with a table or index name

# One printf conversion as SQLite 3.40 reads it: flags, width, .precision, l or ll, conversion.
PRINTF_SPEC = re.compile(r"%[-+ #!0,]*(\*|[1-9][0-9]*)?(?:\.(\*|[0-9]*))?(?:ll?)?(.?)", re.S)
CONVERSIONS = set("dsgzqQwcouxXfeEGinpr%")  # any other character ends SQLite's printf
NO_ARGUMENT = {"%", "n"}  # conversions that take no argument


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def read_only(action, arg1, arg2, database, source):
    """SQLite authorizer: deny ATTACH, PRAGMAs that set, and the dangerous functions."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and arg2.lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_READ and (arg1, arg2) == ("pragma_database_list", "file"):
        return sqlite3.SQLITE_IGNORE  # NULL: no answer shows where the file lives
    if action == sqlite3.SQLITE_PRAGMA:
        name = arg1.lower()
        if not (name in TABLE_PRAGMAS or (name in READ_PRAGMAS and arg2 is None)):
            return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def result_budget(row_factory, limit=SQL["max_result_bytes"]):
    """Wrap a row factory so that the rows of one cursor stay under `limit` bytes.

    Every row of every query passes through here, Datasette's own too (about 90 rows for a
    table JSON request). A value's __sizeof__() is its sys.getsizeof() for every type SQLite
    returns (int, float, str, bytes, None: none is tracked by the garbage collector), and a
    list comprehension calling it costs under half of sum(map(sys.getsizeof, row)).
    """
    state = {"cursor": lambda: None, "used": 0}

    def budgeted(cursor, row):
        if state["cursor"]() is not cursor:  # a new query: Datasette uses a cursor per query
            state["cursor"], state["used"] = weakref.ref(cursor), 0
        state["used"] += sum([value.__sizeof__() for value in row])
        if state["used"] > limit:
            raise sqlite3.OperationalError(
                f"query result is larger than {limit:,} bytes: add a LIMIT or select less")
        return row_factory(cursor, row)

    return budgeted


def printf_sizes(fmt, args, as_integer):
    """Every width and precision printf(fmt, *args) uses; a '*' takes the next argument."""
    args, sizes = iter(args), []
    for width, precision, conversion in PRINTF_SPEC.findall(text(fmt)):
        for size in (width, precision):
            if size == "*":
                sizes.append(abs(as_integer(next(args, 0))))
            elif size:
                sizes.append(int(size))
        if conversion not in CONVERSIONS:
            break
        if conversion not in NO_ARGUMENT:
            next(args, None)
    return sizes


def check_printf(private, fmt=None, *args):
    def as_integer(value):  # as SQLite reads a '*' argument: NULL is 0, '12 apples' is 12
        return private.execute("SELECT CAST(? AS INTEGER)", [value]).fetchone()[0] or 0

    if fmt is not None and max(printf_sizes(fmt, args, as_integer), default=0) > MAX_VALUE_BYTES:
        raise ValueError(f"printf width or precision over {MAX_VALUE_BYTES:,}")


def check_trim(private, string, characters):
    if characters is not None and len(text(characters)) > MAX_TRIM_CHARS:
        raise ValueError(f"trim characters over {MAX_TRIM_CHARS}")


def check_json_patch(private, target, patch):
    if len(text(target)) * len(text(patch)) > MAX_JSON_PATCH:
        raise ValueError(f"json_patch arguments' lengths multiply to over {MAX_JSON_PATCH:,}")


GUARDS = [("printf", -1, check_printf), ("format", -1, check_printf), ("trim", 2, check_trim),
          ("ltrim", 2, check_trim), ("rtrim", 2, check_trim), ("json_patch", 2, check_json_patch)]


def guard_builtins(conn, limits):
    """Replace each guarded built-in by a check, then the real built-in on a private connection."""
    private = sqlite3.connect(":memory:", check_same_thread=False)
    private.text_factory = conn.text_factory
    for limit, value in limits.items():
        private.setlimit(limit, value)

    def guarded(name, check):
        def call(*args):
            check(private, *args)
            sql = f"SELECT {name}({', '.join('?' * len(args))})"
            return private.execute(sql, args).fetchone()[0]
        return call

    for name, arity, check in GUARDS:
        conn.create_function(name, arity, guarded(name, check), deterministic=True)


LARGEST = {}  # database file: its largest value in bytes, measured once per process


def largest_value(conn):
    """The longest value, in bytes, of any column of any table (FTS's own included) and of the
    schema's text, in the connection's main database."""
    path = conn.execute("select file from pragma_database_list where name = 'main'").fetchone()[0]
    if path not in LARGEST:
        tables = [name for (name,) in conn.execute(
            "select name from sqlite_master where type = 'table'")]
        lengths = [conn.execute("select max(length(cast(sql as blob))) from sqlite_master")]
        for table in tables:
            columns = [row[1] for row in conn.execute("select * from pragma_table_info(?)",
                                                      [table])]
            lengths += [conn.execute(f'select max(length(cast("{column}" as blob))) from "{table}"')
                        for column in columns]
        LARGEST[path] = max((cursor.fetchone()[0] or 0 for cursor in lengths), default=0)
    return LARGEST[path]


def harden(conn, limits=LIMITS):
    """Everything above, on a connection that only reads."""
    for limit, value in limits.items():
        conn.setlimit(limit, value)
    conn.execute(f"PRAGMA hard_heap_limit = {SQL['heap_bytes']:d}")
    conn.row_factory = result_budget(conn.row_factory or (lambda cursor, row: row))
    guard_builtins(conn, limits)
    conn.execute("PRAGMA query_only = 1")
    conn.set_authorizer(read_only)


@hookimpl
def prepare_connection(conn, database, datasette):
    # Datasette opens a write connection only to a mutable database (its own, or a plugin's),
    # and opens that database's readers read-only itself: those are left as Datasette has them.
    # Every connection to an immutable file, what this site serves, only reads.
    db = datasette.databases.get(database)
    if db is not None and not db.is_mutable:
        longest = max(SQL["min_value_bytes"], SQL["value_margin"] * largest_value(conn))
        harden(conn, {**LIMITS, sqlite3.SQLITE_LIMIT_LENGTH: longest})


@hookimpl
def startup(datasette):
    # --crossdb would run SQL across every database through _memory, which is not hardened.
    if datasette.crossdb:
        raise click.ClickException("--crossdb is refused: this site runs SQL on one database "
                                   "at a time, each bounded by plugins/sql_limits.py")
