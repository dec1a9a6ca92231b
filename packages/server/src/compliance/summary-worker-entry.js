// A worker thread's entry: the site ships as TypeScript, so the worker registers tsx as the CLI does.
import { register } from 'tsx/esm/api';
register();
await import('./summary-worker-count.ts');
