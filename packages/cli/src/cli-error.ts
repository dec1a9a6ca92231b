/** Exit codes scripts can rely on (documented in the README and docs/cli.md). */
export const ExitCode = {
  ok: 0,
  /** The operation ran and failed (e.g. a sync refused an upstream). */
  failed: 1,
  /** Bad command line or a request the site refused as invalid (4xx other than below). */
  usage: 2,
  /** Not logged in, bad credentials, or the role may not do this. */
  auth: 3,
  notFound: 4,
  /** The site could not be reached. */
  unreachable: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
