import type { z } from 'zod';

/** An error the API answers with its own status and a message that says what is wrong. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} does not exist`);

/** Validates `value` against the message's schema, or answers 400 naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`);
  throw new HttpError(400, `invalid ${what}: ${problems.join('; ')}`, { issues: problems });
}
