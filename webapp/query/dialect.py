"""sqlglot's ClickHouse dialect, adjusted so valid ClickHouse SQL survives a parse and a rewrite.

- A function whose arguments do not fit sqlglot's signature for it (ClickHouse's `arrayMax(x ->
  ..., arr)`, `arrayMin`, ...) is kept as the call it is, for ClickHouse to judge, instead of failing.
- A lambda body may use the `cond ? a : b` operator, as everywhere else in ClickHouse.
- `t FINAL` with a sample on `t` is written `t FINAL SAMPLE k`, the order ClickHouse requires.
- `Variant(T1, T2)` keeps its (case-sensitive) spelling and its member types.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.dialects.clickhouse import ClickHouse
from sqlglot.tokens import TokenType


class PyFlareClickHouse(ClickHouse):
    class Parser(ClickHouse.Parser):
        NESTED_TYPE_TOKENS = {*ClickHouse.Parser.NESTED_TYPE_TOKENS, TokenType.VARIANT}
        LAMBDAS = {
            **ClickHouse.Parser.LAMBDAS,
            TokenType.ARROW: lambda self, expressions: self.expression(
                exp.Lambda(this=self._replace_lambda(self._parse_assignment(), expressions), expressions=expressions)
            ),
        }

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._function_names: list[str] = []

        def _parse_function_call(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
            self._function_names.append(self._curr.text if self._curr else "")
            try:
                return super()._parse_function_call(*args, **kwargs)
            finally:
                self._function_names.pop()

        def validate_expression(self, expression: Any, args: list | None = None) -> Any:
            if (
                args is not None
                and isinstance(expression, exp.Func)
                and self._function_names
                and any("number of provided arguments" in m for m in expression.error_messages(args))
            ):
                name = self._function_names[-1]
                return super().validate_expression(exp.Anonymous(this=name, expressions=args))
            return super().validate_expression(expression, args)

    class Generator(ClickHouse.Generator):
        TYPE_MAPPING = {**ClickHouse.Generator.TYPE_MAPPING, exp.DataType.Type.VARIANT: "Variant"}
        TRANSFORMS = {
            **ClickHouse.Generator.TRANSFORMS,
            exp.Final: lambda self, e: self.final_with_sample(e),
        }

        def final_with_sample(self, final: exp.Final) -> str:
            table = final.this
            sample = table.args.get("sample") if isinstance(table, exp.Table) else None
            if sample is None:
                return f"{self.sql(final, 'this')} FINAL"
            bare = table.copy()
            bare.set("sample", None)
            return f"{self.sql(bare)} FINAL {self.sql(sample).strip()}"


DIALECT = PyFlareClickHouse
