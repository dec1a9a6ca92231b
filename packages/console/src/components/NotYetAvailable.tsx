import { PageHeader } from './PageHeader.tsx';

/** What a page of the navigation shows until it is built. */
export function NotYetAvailable({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <p className="placeholder">This page is not yet available in the console. The command line (`patchday --help`) and the API (/api/v1) can already do it.</p>
    </>
  );
}
