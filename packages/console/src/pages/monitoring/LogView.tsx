import type { ReactNode } from 'react';
import { formatNumber } from '../../components/format.ts';
import { logLimits } from './log-filters.ts';

/** The end of a log's filter form: how many of the newest entries to show, Apply, and Clear while something is filtered. */
export function LogFilterEnd({ limit, onLimit, filtered, onClear }: { limit: string; onLimit(limit: string): void; filtered: boolean; onClear(): void }) {
  return (
    <>
      <label>
        Show
        <select value={limit || '200'} onChange={(e) => onLimit(e.target.value === '200' ? '' : e.target.value)}>
          {logLimits.map((n) => (
            <option key={n} value={n}>
              the newest {n}
            </option>
          ))}
        </select>
      </label>
      <span className="filter-buttons">
        <button type="submit">Apply</button>
        {filtered && (
          <button type="button" onClick={onClear}>
            Clear
          </button>
        )}
      </span>
    </>
  );
}

export interface LogColumn<T> {
  header: string;
  cell(row: T): ReactNode;
  className?: string;
}

/** A log's entries, newest first: how many, then the table. */
export function LogTable<T extends { id: number | string }>({ caption, noun, rows, columns }: { caption: string; noun: string; rows: readonly T[]; columns: ReadonlyArray<LogColumn<T>> }) {
  if (rows.length === 0) return null;
  return (
    <>
      <p className="muted small">
        {formatNumber(rows.length)} {noun}, newest first.
      </p>
      <div className="table-scroll">
        <table className="compact log-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c.header}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                {columns.map((c) => (
                  <td key={c.header} className={c.className}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
