// The trace list: TanStack Table for the columns, TanStack Virtual so only the visible rows
// exist in the DOM (smooth at 10,000 rows). Rows are links; errors are marked.
import { flexRender, getCoreRowModel, useReactTable, type Cell, type ColumnDef, type Row } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef } from "react";
import { Link } from "react-router";
import type { TraceSummary } from "./api";
import { formatCost, formatDuration, formatTime, formatTokens } from "./format";

const ROW_HEIGHT = 34;

/** Columns whose content has a known longest form: they get that width in pixels, never cut. The
 * others (name, service, model, attribute columns) share what is left and ellipsize with a tooltip. */
const FIXED_WIDTH: Readonly<Record<string, number>> = {
  time: 200, // "2026-12-06 23:45:52.123" in the monospace font
  duration: 100, // "12 min 34 s"
  spans: 72, // "123456"
  tokens: 80, // "123.4k", "9999"
  cost: 110, // "$0.000095", "$1234.56"
};
/** The start column when every row started today: the time only, "23:45:52.123". */
const TIME_ONLY_WIDTH = 116;

/** Local midnight today and tomorrow, in epoch ms. */
function todayBounds(now = new Date()): [number, number] {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  return [start, new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime()];
}

function startedToday(iso: string, [from, to]: [number, number]): boolean {
  const t = Date.parse(iso);
  return t >= from && t < to;
}

/** A start time as the list shows it: the time only when it is today (the full date is in the tooltip). */
export function startLabel(iso: string, today = todayBounds()): string {
  const full = formatTime(iso);
  return startedToday(iso, today) ? full.slice(full.indexOf(" ") + 1) : full;
}

/** Text that ellipsizes in its cell, the full text in a tooltip. */
export function Clipped({ text }: { text: string }) {
  return <span className="clip" title={text}>{text}</span>;
}

export function baseColumns(project: string): ColumnDef<TraceSummary>[] {
  return [
    {
      id: "time", header: "Start", size: 190,
      cell: ({ row }) => <span className="mono" title={formatTime(row.original.start_time)}>{startLabel(row.original.start_time)}</span>,
    },
    {
      id: "name", header: "Trace", size: 200,
      cell: ({ row }) => {
        const name = row.original.name || row.original.trace_id;
        return (
          <Link className="trace-link" title={name} to={`/p/${encodeURIComponent(project)}/traces/${row.original.trace_id}`}>
            {row.original.status === "error" && <span className="err-dot" title="has errors" aria-label="error" />}
            <span className="clip">{name}</span>
          </Link>
        );
      },
    },
    { id: "service", header: "Service", size: 150, cell: ({ row }) => <Clipped text={row.original.service_name} /> },
    { id: "model", header: "Model", size: 150, cell: ({ row }) => <Clipped text={row.original.models.join(", ") || "–"} /> },
    {
      id: "duration", header: "Duration", size: 90,
      cell: ({ row }) => <span className="num">{formatDuration(row.original.duration_ms)}</span>,
    },
    {
      id: "spans", header: "Spans", size: 60,
      cell: ({ row }) => <span className="num">{Number.isFinite(row.original.span_count) ? row.original.span_count : "–"}</span>,
    },
    {
      id: "tokens", header: "Tokens", size: 70,
      cell: ({ row }) => <span className="num">{formatTokens(row.original.total_tokens)}</span>,
    },
    { id: "cost", header: "Cost", size: 100, cell: ({ row }) => <span className="num">{formatCost(row.original.cost_usd)}</span> },
  ];
}

/** The grid template: fixed-content and tiny columns in pixels, the rest as weighted shares of what is left. */
export function gridTemplate(columns: readonly { id: string; getSize: () => number }[], widths: Readonly<Record<string, number>> = {}): string {
  return columns.map((c) => {
    const fixed = widths[c.id] ?? FIXED_WIDTH[c.id];
    if (fixed !== undefined) return `${fixed}px`;
    return c.getSize() <= 40 ? `${c.getSize() + 8}px` : `minmax(0, ${c.getSize()}fr)`;
  }).join(" ");
}

export function TraceTable(props: {
  rows: TraceSummary[];
  columns: ColumnDef<TraceSummary>[];
  onEndReached?: () => void;
  highlight?: (row: TraceSummary) => string | undefined;
  height?: number | string;
}) {
  const { rows, columns, onEndReached, highlight } = props;
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.trace_id });
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 20) onEndReached?.();
  }, [last, rows.length, onEndReached]);
  // the start column narrows to the time only while every row started today
  const allToday = useMemo(() => {
    const today = todayBounds();
    return rows.every((r) => startedToday(r.start_time, today));
  }, [rows]);
  const template = gridTemplate(table.getVisibleLeafColumns(), allToday ? { time: TIME_ONLY_WIDTH } : {});
  const tableRows = table.getRowModel().rows;

  return (
    <div className="grid" role="table" aria-label="Traces" aria-rowcount={rows.length + 1} data-testid="trace-table">
      <div className="grid-head" role="rowgroup">
        {table.getHeaderGroups().map((group) => (
          <div key={group.id} role="row" className="grid-row" style={{ gridTemplateColumns: template }}>
            {group.headers.map((h) => (
              <div key={h.id} role="columnheader" className="grid-cell">
                {flexRender(h.column.columnDef.header, h.getContext())}
              </div>
            ))}
          </div>
        ))}
      </div>
      <div className="grid-body" ref={scrollRef} role="rowgroup" style={{ height: props.height ?? "calc(100vh - 300px)" }}>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = tableRows[item.index];
            if (!row) return null;
            return <TraceRow key={row.id} row={row} cells={row.getVisibleCells()} index={item.index} start={item.start} template={template}
              extra={highlight?.(row.original) ?? ""} />;
          })}
        </div>
      </div>
    </div>
  );
}

// One row; memoised so a scroll frame renders only the rows that came into view, not all visible ones
// (a row's offset never changes while the data does not).
const TraceRow = memo(function TraceRow(props: {
  row: Row<TraceSummary>; cells: Cell<TraceSummary, unknown>[]; index: number; start: number; template: string; extra: string;
}) {
  // `cells` is new whenever the columns change (e.g. a compare checkbox ticked), so the row re-renders then
  const { row, cells, index, start, template, extra } = props;
  return (
    <div role="row" aria-rowindex={index + 2} data-testid="trace-row"
      className={`grid-row ${row.original.status === "error" ? "row-error" : ""} ${extra}`}
      style={{ gridTemplateColumns: template, transform: `translateY(${start}px)`, height: ROW_HEIGHT }}>
      {cells.map((cell) => (
        <div key={cell.id} role="cell" className="grid-cell">
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </div>
      ))}
    </div>
  );
});
