import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
}

/**
 * A page that throws while rendering shows what went wrong instead of a blank screen. The shell
 * keys it by path, so moving to another page starts clean.
 */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('console page failed', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const chunkMissing = /dynamically imported module|Importing a module script failed/i.test(error.message);
    return (
      <section className="error-page" role="alert">
        <h1>This page could not be shown</h1>
        <p>{chunkMissing ? 'The site was updated since this page was loaded: reload to get the new console.' : error.message}</p>
        <p>
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </section>
    );
  }
}
