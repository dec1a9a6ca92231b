import type { ComplianceGroup } from '@patchday/core';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, formatPercent } from '../../components/format.ts';
import { detectionStates } from '../../components/StateCountsBar.tsx';

/** The state colours of styles.css, for the chart's SVG. */
const colours: Record<(typeof detectionStates)[number], string> = {
  Required: '#c62828',
  Installed: '#2e7d32',
  'Not Required': '#9ccc65',
  Unknown: '#9e9e9e',
};

type Row = ComplianceGroup & { name: string };

/** Client × update pairs per state for each group, as shares (the tooltip and the table give the counts). */
export function ComplianceChart({ title, rows }: { title: string; rows: Row[] }) {
  const data = rows.map((r) => ({ name: r.name, ...r.counts }));
  const headingId = `chart-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>Compliance {title.toLowerCase()}</h2>
      {rows.length === 0 ? (
        <p className="muted">The catalogue has no updates yet: synchronise the update point.</p>
      ) : (
        <>
          <div className="chart" style={{ height: 48 + rows.length * 34 }}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data} layout="vertical" stackOffset="expand" margin={{ left: 8, right: 16, top: 4, bottom: 4 }}>
                <CartesianGrid horizontal={false} strokeDasharray="3 3" />
                <XAxis type="number" tickFormatter={(v: number) => `${Math.round(v * 100)} %`} />
                <YAxis type="category" dataKey="name" width={130} />
                <Tooltip formatter={(value) => formatNumber(Number(value))} />
                <Legend />
                {detectionStates.map((state) => (
                  <Bar key={state} dataKey={state} stackId="states" fill={colours[state]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="compact">
            <caption className="visually-hidden">Compliance {title.toLowerCase()}</caption>
            <thead>
              <tr>
                <th scope="col">{title.replace(/^By /, '').replace(/^./, (c) => c.toUpperCase())}</th>
                <th scope="col" className="num">
                  Updates
                </th>
                <th scope="col" className="num">
                  Required by a client
                </th>
                <th scope="col" className="num">
                  Compliant
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name}>
                  <th scope="row">{r.name}</th>
                  <td className="num">{formatNumber(r.updates)}</td>
                  <td className="num">{formatNumber(r.updatesRequired)}</td>
                  <td className="num">{formatPercent(r.percentCompliant)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
