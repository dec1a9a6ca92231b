/** The details a status message or an audit entry carries, one `key: value` a line. */
export function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return null;
  return (
    <ul className="details">
      {entries.map(([key, value]) => (
        <li key={key}>
          {key}: <span className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</span>
        </li>
      ))}
    </ul>
  );
}
