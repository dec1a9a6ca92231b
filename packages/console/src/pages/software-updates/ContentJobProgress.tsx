import type { ContentJob } from '@patchday/core';
import { formatBytes, formatNumber, formatTime } from '../../components/format.ts';

const stateWords: Record<ContentJob['state'], string> = { running: 'Downloading', succeeded: 'Done', failed: 'Failed' };

/** The package's last download, live while it runs: bytes, files, and each failed file with its error. */
export function ContentJobProgress({ job }: { job: ContentJob }) {
  const percent = job.bytes.total ? Math.floor((100 * job.bytes.done) / job.bytes.total) : job.state === 'running' ? 0 : 100;
  return (
    <div data-testid="content-job">
      <div className="progress-line">
        <span className={`lib-state lib-state-${job.state}`} data-testid="job-state">
          {stateWords[job.state]}
        </span>
        <progress max={100} value={percent} aria-label="Download progress">
          {percent} %
        </progress>
        <span data-testid="job-bytes">
          {formatBytes(job.bytes.done)} of {formatBytes(job.bytes.total)}
        </span>
        <span data-testid="job-files">
          {formatNumber(job.files.stored)} of {formatNumber(job.files.total)} files stored
          {job.files.failed > 0 && <span className="count-red">, {formatNumber(job.files.failed)} failed</span>}
        </span>
      </div>
      <p className="hint">
        From {job.from === 'upstream' ? "each update's upstream" : job.from}, started by {job.startedBy} {formatTime(job.startedAt)}
        {job.finishedAt && `, finished ${formatTime(job.finishedAt)}`}.
      </p>
      {job.error && <p className="error-text">{job.error}</p>}
      {job.failures.length > 0 && (
        <table className="compact" aria-label="Failed files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {job.failures.map((f) => (
              <tr key={`${f.updateId}/${f.sha256}`} className="row-error">
                <td className="mono">{f.fileName}</td>
                <td>{f.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
