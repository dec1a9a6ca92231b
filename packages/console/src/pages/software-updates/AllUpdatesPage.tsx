import type { UpdateCountsRow, UpdatePage, UpdateQuery, UpdateSummary } from '@patchday/core';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type RowSelectionState, type Updater } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatDate, formatNumber, formatPercent } from '../../components/format.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Pagination } from '../../components/Pagination.tsx';
import { StateCountsBar } from '../../components/StateCountsBar.tsx';
import { useResource } from '../../hooks/useResource.ts';
import { CreateGroupFromUpdates } from './CreateGroupFromUpdates.tsx';
import { UpdateFilters } from './UpdateFilters.tsx';
import { apiPathOf, readQuery, searchOf, type UpdateListQuery } from './update-list-query.ts';
import { clearUpdateSelection, setUpdatesSelected, useUpdateSelection } from './update-selection.ts';

type Row = UpdateSummary & { overview?: UpdateCountsRow };

/** Columns the server sorts by, with the directions it offers. */
const sortable: Record<string, { asc: UpdateQuery['sort']; desc?: UpdateQuery['sort'] }> = {
  title: { asc: 'title', desc: '-title' },
  product: { asc: 'product' },
  classification: { asc: 'classification' },
  releaseDate: { asc: 'releaseDate', desc: '-releaseDate' },
};

const column = createColumnHelper<Row>();
const count = (state: 'Required' | 'Installed' | 'Not Required' | 'Unknown') =>
  column.display({
    id: state,
    header: state,
    meta: { numeric: true },
    cell: ({ row }) => (row.original.overview ? formatNumber(row.original.overview.counts[state]) : '—'),
  });

const columns = [
  column.display({
    id: 'select',
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="Select every update on this page"
        checked={table.getIsAllPageRowsSelected()}
        ref={(el) => {
          if (el) el.indeterminate = table.getIsSomePageRowsSelected();
        }}
        onChange={table.getToggleAllPageRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => <input type="checkbox" aria-label={`Select ${row.original.title}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
  }),
  column.accessor('title', {
    header: 'Title',
    cell: ({ row }) => (
      <>
        <Link to={paths.update(row.original.updateId)}>{row.original.title}</Link>
        {row.original.superseded && <span className="tag">superseded</span>}
        {row.original.expired && <span className="tag tag-warn">expired</span>}
        {row.original.overview?.withoutContent && (
          <span className="tag tag-red" title="No deployment package holds this update's files">
            no content
          </span>
        )}
      </>
    ),
  }),
  column.accessor('product', { header: 'Product' }),
  column.accessor('classification', { header: 'Classification' }),
  column.accessor('severity', { header: 'Severity' }),
  column.accessor('releaseDate', { header: 'Released', cell: ({ getValue }) => formatDate(getValue()) }),
  count('Required'),
  count('Installed'),
  count('Not Required'),
  count('Unknown'),
  column.display({
    id: 'compliance',
    header: 'Compliant',
    meta: { numeric: true },
    cell: ({ row }) =>
      row.original.overview ? (
        <span className="compliance-cell">
          <StateCountsBar counts={row.original.overview.counts} /> {formatPercent(row.original.overview.percentCompliant)}
        </span>
      ) : (
        '—'
      ),
  }),
];

/**
 * The whole catalogue (§6.2 step 1): the server filters, sorts and pages, and counts the page's
 * updates in the same call. Ticked updates stay selected across pages.
 */
export default function AllUpdatesPage() {
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => readQuery(params), [params]);
  // The page comes with its counts in one call; they follow what clients report, reloaded at most every 10 s.
  const list = useResource<UpdatePage>(apiPathOf(query, { withCounts: true }), { keepPrevious: true, refreshOn: ['sync', 'clients'], refreshAtMostEveryMs: 10_000 });
  const selection = useUpdateSelection();

  const rows = useMemo<Row[]>(() => {
    const byId = new Map(list.data?.counts?.updates.map((o) => [o.updateId, o]));
    return (list.data?.updates ?? []).map((u) => ({ ...u, overview: byId.get(u.updateId) }));
  }, [list.data]);

  const rowSelection = useMemo<RowSelectionState>(() => Object.fromEntries(rows.filter((r) => selection.has(r.updateId)).map((r) => [r.updateId, true])), [rows, selection]);
  const onRowSelectionChange = (updater: Updater<RowSelectionState>) => {
    const next = typeof updater === 'function' ? updater(rowSelection) : updater;
    setUpdatesSelected(rows.filter((r) => next[r.updateId]).map((r) => r.updateId), true);
    setUpdatesSelected(rows.filter((r) => !next[r.updateId]).map((r) => r.updateId), false);
  };

  const table = useReactTable({
    data: rows,
    columns,
    getRowId: (r) => r.updateId,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    enableRowSelection: true,
    state: { rowSelection },
    onRowSelectionChange,
  });

  const go = (next: Partial<UpdateListQuery>) => setParams(new URLSearchParams(searchOf({ ...query, ...next })));
  const sortBy = (id: string) => {
    const options = sortable[id];
    const descending = query.sort === options.asc && options.desc;
    go({ sort: descending ? options.desc : options.asc, page: 1 });
  };
  const ariaSort = (id: string): 'ascending' | 'descending' | undefined => {
    const options = sortable[id];
    if (!options) return undefined;
    if (query.sort === options.asc) return 'ascending';
    if (query.sort === options.desc) return 'descending';
    return undefined;
  };

  return (
    <>
      <PageHeader title="All updates" description="Every update of the catalogue, with how many active clients require it." actions={<CreateGroupFromUpdates query={query} />} />
      <UpdateFilters query={query} onChange={(filters) => go({ ...filters, page: 1 })} />
      {selection.size > 0 && (
        <div className="selection-bar" role="status">
          <span data-testid="selection-count">{formatNumber(selection.size)} selected</span>
          <button type="button" className="link-button" onClick={clearUpdateSelection}>
            Clear selection
          </button>
        </div>
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.data && (
        <Pagination label="updates" page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(page) => go({ page })} onPageSize={(pageSize) => go({ pageSize, page: 1 })} />
      )}
      <div className="table-scroll">
        <table className="data-table" aria-busy={list.loading}>
          <caption className="visually-hidden">Updates</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const id = header.column.id;
                  const numeric = (header.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
                  return (
                    <th key={header.id} scope="col" aria-sort={ariaSort(id)} className={numeric ? 'num' : undefined}>
                      {sortable[id] ? (
                        <button type="button" className="sort-button" onClick={() => sortBy(id)}>
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <span aria-hidden="true">{ariaSort(id) === 'ascending' ? ' ▲' : ariaSort(id) === 'descending' ? ' ▼' : ''}</span>
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className={row.getIsSelected() ? 'selected' : undefined}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={(cell.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric ? 'num' : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.loading && !list.data && <Loading what="Loading updates" />}
      {list.data && list.data.total === 0 && <p className="muted">No update matches these criteria.</p>}
    </>
  );
}
