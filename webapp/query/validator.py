"""Judge a user's SQL with a real parser (sqlglot, ClickHouse dialect) and confine it to one project.

Accepted: one SELECT (WITH, UNION/INTERSECT/EXCEPT, subqueries, joins) over allow-listed tables.
Refused with a `QueryRejected` that says why: other statements, several statements, table
functions, other databases (system, information_schema), SETTINGS, FORMAT, INTO OUTFILE, query
parameters, functions that read tables or the server (dictGet, joinGet, in(x, t), file, ...).
Valid ClickHouse spellings the rewrite would otherwise break are first put in a shape it keeps
(`FROM (t)`, `FINAL SAMPLE k`, PREWHERE; see webapp.query.dialect for functions and lambdas).
Then every allow-listed table reference becomes `(SELECT * FROM t WHERE project = '<slug>') AS t`,
CTEs are renamed to private names so no name can escape to a real table, a row cap is applied,
and the SQL is regenerated from the tree and re-checked. Pure: no Django, no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from webapp.query.dialect import DIALECT

MAX_SQL_CHARS = 100_000
CTE_PREFIX = "_pf_cte_"
_WITH = "with_" if "with_" in exp.Select.arg_types else "with"
_ALLOWED_TABLE_ARGS = {"this", "db", "catalog", "alias", "sample"}

# Scalar functions that read tables, dictionaries, files or server state.
DENIED_FUNCTIONS = frozenset(
    {
        "in",
        "notin",
        "globalin",
        "globalnotin",
        "nullin",
        "notnullin",
        "globalnullin",
        "globalnotnullin",
        "inignoreset",
        "joinget",
        "joingetornull",
        "hascolumnintable",
        "file",
        "getmacro",
        "getserversetting",
        "getmergetreesetting",
        "getmaxtablenamelengthfordatabase",
        "pgtableisvisible",
        "pg_table_is_visible",
        "catboostevaluate",
        "filesystemavailable",
        "filesystemcapacity",
        "filesystemunreserved",
        "currentprofiles",
        "enabledprofiles",
        "defaultprofiles",
        "currentroles",
        "enabledroles",
        "defaultroles",
        "getclienthttpheader",
        "sleep",
        "sleepeachrow",
    }
)
DENIED_FUNCTION_PREFIXES = ("dict",)  # dictGet*, dictHas, dictIsIn: dictionaries hold other data

_STATEMENT_NODES = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "TruncateTable",
        "Command",
        "Into",
        "Set",
        "Use",
        "Describe",
        "Copy",
        "Kill",
        "Pragma",
        "Grant",
        "Revoke",
        "Transaction",
        "Commit",
        "Rollback",
        "Cache",
        "Uncache",
        "Refresh",
        "Analyze",
        "Show",
        "LoadData",
    )
    if hasattr(exp, name)
)


class QueryRejected(ValueError):
    """The SQL is not allowed; the message says what was wrong and what is accepted."""


@dataclass(frozen=True)
class QueryPolicy:
    tables: frozenset[str]
    project_column: str = "project"
    database: str | None = "pyflare"  # `<database>.<table>` is accepted for this database only
    max_rows: int = 10_000

    def describe_tables(self) -> str:
        return ", ".join(sorted(self.tables))


def rewrite_for_project(sql: str, *, project: str, policy: QueryPolicy, limit: int | None = None) -> str:
    """The user's SELECT confined to `project` with at most `limit` (≤ policy.max_rows) rows."""
    cap = min(limit or policy.max_rows, policy.max_rows)
    root = _parse_single(sql)
    _check_statement(root)
    try:
        root = _normalise(root)
        for node in root.walk():
            _check_node(node)
        root = _ProjectScoper(policy, project).rewrite(root)
        root = _reads_from_a_source(_apply_cap(root, cap))
        out = root.sql(dialect=DIALECT, comments=False)
        _verify(out, policy, project)
    except (SqlglotError, RecursionError) as exc:
        # e.g. a construct sqlglot cannot write back faithfully: refuse rather than run a guess
        raise QueryRejected(f"the query uses a construct PyFlare cannot check: {_first_line(str(exc))}") from None
    return out


def _parse_single(sql: str) -> exp.Expression:
    if len(sql) > MAX_SQL_CHARS:
        raise QueryRejected(f"the query is {len(sql)} characters long; the limit is {MAX_SQL_CHARS}")
    try:
        tokens = sqlglot.Dialect.get_or_raise(DIALECT).tokenize(sql)
    except SqlglotError as exc:
        raise QueryRejected(f"could not read the SQL: {_first_line(str(exc))}") from None
    if any(t.token_type != TokenType.STRING and t.text.upper() == "OUTFILE" for t in tokens):
        raise QueryRejected("INTO OUTFILE is not allowed; results come back in the response")
    _check_sample_offset(tokens)
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except SqlglotError as exc:
        raise QueryRejected(f"could not parse the SQL: {_first_line(str(exc))}") from None
    except RecursionError:
        raise QueryRejected("the query is nested too deeply") from None
    if not statements:
        raise QueryRejected("the query is empty; send one SELECT statement")
    if len(statements) > 1:
        raise QueryRejected(f"send one statement at a time; found {len(statements)}")
    return statements[0]


_RATIO_TOKENS = {TokenType.NUMBER, TokenType.SLASH, TokenType.DOT}


def _check_sample_offset(tokens: list[Token]) -> None:
    # sqlglot reads `SAMPLE k OFFSET m` as a row OFFSET, which would run a different query
    for i, token in enumerate(tokens):
        if token.token_type != TokenType.TABLE_SAMPLE:
            continue
        j = i + 1
        while j < len(tokens) and tokens[j].token_type in _RATIO_TOKENS:
            j += 1
        if j < len(tokens) and tokens[j].token_type == TokenType.OFFSET:
            raise QueryRejected("SAMPLE ... OFFSET is not supported; use SAMPLE k alone")


def _normalise(root: exp.Expression) -> exp.Expression:
    """Put valid spellings the rewrite cannot carry over in an equivalent shape it can."""
    for sub in list(root.find_all(exp.Subquery)):
        inner = sub.this
        while isinstance(inner, exp.Subquery | exp.Paren) and not inner.alias:
            inner = inner.this
        if isinstance(inner, exp.Table) and sub.parent is not None:  # `FROM (t)` is `FROM t`
            table = inner.copy()
            if sub.args.get("alias") is not None:
                table.set("alias", sub.args["alias"].copy())
            sub.replace(table)
    for select in list(root.find_all(exp.Select)):
        _move_sample_to_table(select)
        _prewhere_into_where(select)
    return root


def _move_sample_to_table(select: exp.Select) -> None:
    # sqlglot hangs the SAMPLE of `FROM t FINAL SAMPLE k` on the SELECT; it belongs to `t`
    sample = select.args.get("sample")
    from_ = select.args.get("from_") or select.args.get("from")
    source = from_.this if from_ is not None else None
    if isinstance(source, exp.Final):
        source = source.this
    if sample is not None and isinstance(source, exp.Table) and source.args.get("sample") is None:
        source.set("sample", sample.pop())


def _prewhere_into_where(select: exp.Select) -> None:
    # PREWHERE must name a table's columns, and each table becomes a filtered subquery; as WHERE
    # it selects the same rows
    prewhere = select.args.get("prewhere")
    if prewhere is None:
        return
    where = select.args.get("where")
    condition = prewhere.pop().this
    if where is not None:
        condition = exp.and_(exp.paren(condition, copy=False), exp.paren(where.this, copy=False), copy=False)
    select.set("where", exp.Where(this=condition))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "syntax error"


def _check_statement(root: exp.Expression) -> None:
    if isinstance(root, exp.Command):
        raise QueryRejected(f"only SELECT queries are allowed; got {str(root.this).upper()}")
    if not isinstance(root, exp.Select | exp.SetOperation | exp.Subquery):
        raise QueryRejected(f"only SELECT queries are allowed; got {root.key.upper()}")


def _function_name(node: exp.Func) -> str:
    return node.name if isinstance(node, exp.Anonymous) else node.sql_name()


def _check_node(node: exp.Expression) -> None:
    if isinstance(node, _STATEMENT_NODES):
        if isinstance(node, exp.Into):
            raise QueryRejected("SELECT ... INTO is not allowed; queries only read")
        raise QueryRejected(f"only SELECT queries are allowed; found {node.key.upper()}")
    if node.args.get("settings"):
        raise QueryRejected("SETTINGS clauses are not allowed; the server sets the query limits")
    if node.args.get("format") and isinstance(node, exp.Query):
        raise QueryRejected("FORMAT clauses are not allowed; choose json or csv with the request's format field")
    if isinstance(node, exp.Placeholder | exp.Parameter):
        raise QueryRejected("query parameters are not supported; write the values into the SQL")
    if isinstance(node, exp.Aliases):
        raise QueryRejected("multiple aliases (AS (a, b)) are not supported")
    if isinstance(node, exp.Func):
        name = _function_name(node)
        if name.lower() in DENIED_FUNCTIONS or name.lower().startswith(DENIED_FUNCTION_PREFIXES):
            raise QueryRejected(f"the function {name}() is not allowed: it reads data outside the query's tables")
    if isinstance(node, exp.In):
        _check_in(node)
    if isinstance(node, exp.Join) and str(node.args.get("kind") or "").upper() == "ARRAY":
        return  # ARRAY JOIN unfolds array expressions of the rows already read, not a table
    if isinstance(node, exp.From | exp.Join):
        _check_source(node.this)


def _check_in(node: exp.In) -> None:
    field = node.args.get("field")
    listed: Iterable[exp.Expression] = node.expressions or []
    if field is not None and not isinstance(field, exp.Subquery | exp.Query):
        listed = [field]
    for item in listed:
        inner = item.unnest() if isinstance(item, exp.Paren) else item
        if isinstance(inner, exp.Column):
            raise QueryRejected(
                f"'IN {inner.sql(dialect=DIALECT)}' is not allowed: the right side of IN must be values or a subquery"
            )


def _check_source(source: exp.Expression) -> None:
    if isinstance(source, exp.Final):
        source = source.this
    if isinstance(source, exp.Table):
        if not isinstance(source.this, exp.Identifier):
            name = source.this.name if isinstance(source.this, exp.Func) else source.this.sql(dialect=DIALECT)
            raise QueryRejected(f"table functions such as {name}() are not allowed; read the PyFlare tables")
        extra = {k for k, v in source.args.items() if v and k not in _ALLOWED_TABLE_ARGS}
        if extra:
            raise QueryRejected(f"unsupported table modifier(s) on {source.name}: {', '.join(sorted(extra))}")
        return
    if isinstance(source, exp.Subquery):
        return
    raise QueryRejected(f"FROM and JOIN take a table, a CTE or a subquery; got {source.key.upper()}")


class _ProjectScoper:
    """Replaces table references by project-filtered subqueries, honouring CTE scopes."""

    def __init__(self, policy: QueryPolicy, project: str) -> None:
        self.policy = policy
        self.project = project
        self._names = (f"{CTE_PREFIX}{i}" for i in itertools.count(1))

    def rewrite(self, root: exp.Expression) -> exp.Expression:
        holder = exp.Subquery(this=root)  # so a root-level replacement has a parent
        self._visit(root, {})
        return holder.this

    def _visit(self, node: exp.Expression, scope: dict[str, str]) -> None:
        if isinstance(node, exp.Table):
            self._rewrite_table(node, scope)
            return
        with_ = node.args.get(_WITH) if isinstance(node, exp.Query) else None
        if with_ is not None:
            if with_.args.get("recursive"):
                raise QueryRejected("WITH RECURSIVE is not supported")
            scope = dict(scope)
            for cte in with_.expressions:
                self._visit(cte.this, scope)  # a CTE body sees the CTEs before it, not itself
                if cte.args.get("scalar") or not isinstance(cte.this, exp.Query):
                    continue  # ClickHouse `WITH <expression> AS name`: a value, not a table
                private = next(self._names)
                scope[cte.alias] = private
                cte.set("alias", exp.TableAlias(this=exp.to_identifier(private)))
        for key, value in list(node.args.items()):
            if key == _WITH:
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, exp.Expression):
                    self._visit(child, scope)

    def _rewrite_table(self, table: exp.Table, scope: dict[str, str]) -> None:
        if not isinstance(table.this, exp.Identifier):
            raise QueryRejected("table functions are not allowed; read the PyFlare tables")
        name = table.name
        db = table.args.get("db")
        if table.args.get("catalog") is not None:
            raise QueryRejected(f"three-part table names are not allowed: {table.sql(dialect=DIALECT)}")
        if db is not None:
            if self.policy.database is None or db.name != self.policy.database:
                raise QueryRejected(
                    f"the database {db.name!r} is not queryable; tables: {self.policy.describe_tables()}"
                )
        elif name in scope:
            alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
            table.set("this", exp.to_identifier(scope[name]))
            table.set("alias", alias)
            return
        if name not in self.policy.tables:
            raise QueryRejected(f"the table {name!r} is not queryable; tables: {self.policy.describe_tables()}")
        self._replace_with_filtered(table)

    def _replace_with_filtered(self, table: exp.Table) -> None:
        inner_table = exp.Table(this=exp.to_identifier(table.name))
        if table.args.get("db") is not None:
            inner_table.set("db", exp.to_identifier(table.args["db"].name))
        if table.args.get("sample") is not None:
            inner_table.set("sample", table.args["sample"].copy())
        target: exp.Expression = table
        source: exp.Expression = inner_table
        if isinstance(table.parent, exp.Final):
            target, source = table.parent, exp.Final(this=inner_table)
        inner = (
            exp.select("*")
            .from_(source, copy=False)
            .where(exp.EQ(this=exp.column(self.policy.project_column), expression=exp.Literal.string(self.project)))
        )
        alias = table.args.get("alias")
        alias = alias.copy() if alias is not None else exp.TableAlias(this=exp.to_identifier(table.name))
        target.replace(exp.Subquery(this=inner, alias=alias))


def _int_literal(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and str(node.this).isdigit():
        return int(node.this)
    return None


def _apply_cap(root: exp.Expression, cap: int) -> exp.Expression:
    if isinstance(root, exp.Select):
        limit = root.args.get("limit")
        if limit is None:
            root.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
            return root
        if isinstance(limit, exp.Limit) and not limit.expressions:
            n = _int_literal(limit.expression)
            if n is not None:
                limit.set("expression", exp.Literal.number(min(n, cap)))
                return root
    # set operations, LIMIT ... BY, FETCH or computed limits: cap the whole result from outside
    wrapped = exp.select("*").from_(exp.Subquery(this=root), copy=False)
    wrapped.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
    return wrapped


def _reads_from_a_source(root: exp.Expression) -> exp.Expression:
    """`root`, or `SELECT * FROM (root)` when it has no FROM: ClickHouse skips the result-size
    limits (max_result_bytes) on a query without FROM, so `SELECT randomString(1e9)` passed them."""
    if isinstance(root, exp.Select) and (root.args.get("from_") or root.args.get("from")) is not None:
        return root
    return exp.select("*").from_(exp.Subquery(this=root), copy=False)


def _verify(sql: str, policy: QueryPolicy, project: str) -> None:
    """Re-parse the output: every table is a private CTE or sits in a project-filtered subquery."""
    root = sqlglot.parse_one(sql, read=DIALECT)
    ctes = {cte.alias for cte in root.find_all(exp.CTE)}
    for table in root.find_all(exp.Table):
        if table.args.get("db") is None and table.name in ctes and table.name.startswith(CTE_PREFIX):
            continue
        if table.name in policy.tables and _is_filtered(table, policy, project):
            continue
        raise QueryRejected(f"unsupported reference to {table.sql(dialect=DIALECT)}")


def _is_filtered(table: exp.Table, policy: QueryPolicy, project: str) -> bool:
    select = table.find_ancestor(exp.Select)
    if select is None or not isinstance(select.parent, exp.Subquery):
        return False
    where = select.args.get("where")
    expected = exp.EQ(this=exp.column(policy.project_column), expression=exp.Literal.string(project))
    from_ = select.args.get("from_") or select.args.get("from")
    source = from_.this if from_ is not None else None
    if isinstance(source, exp.Final):
        source = source.this
    return (
        source is table
        and where is not None
        and where.this == expected
        and not select.args.get("joins")
        and [e.key for e in select.expressions] == ["star"]
    )
