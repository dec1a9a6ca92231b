import { formatNumber } from './format.ts';

export const pageSizes = [25, 50, 100, 200] as const;

/** "Showing 51–100 of 414", previous / next, and the page size: paging happens on the server. */
export function Pagination({
  page,
  pageSize,
  total,
  onPage,
  onPageSize,
  label,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage(page: number): void;
  onPageSize?(size: number): void;
  label: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <span className="pagination-range" aria-live="polite">
        {total === 0 ? `No ${label}` : `Showing ${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(total)} ${label}`}
      </span>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        ‹ Previous
      </button>
      <span>
        Page {formatNumber(page)} of {formatNumber(pages)}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        Next ›
      </button>
      {onPageSize && (
        <label className="inline">
          Per page
          <select value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))}>
            {pageSizes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}
    </nav>
  );
}
