import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** Status message ids, numbered as administrators know them from Configuration Manager. */
export const StatusMessageId = {
  syncStarted: 6701,
  syncCompleted: 6702,
  syncFailed: 6703,
  adrRunFailed: 5800,
} as const;

export type StatusSeverity = 'info' | 'warning' | 'error';

export interface StatusMessageInput {
  messageId: number;
  severity: StatusSeverity;
  component: string;
  text: string;
  details?: Record<string, unknown>;
}

export async function recordStatus(db: Kysely<Database>, message: StatusMessageInput, at: Date): Promise<void> {
  await db
    .insertInto('status_messages')
    .values({
      message_id: message.messageId,
      severity: message.severity,
      component: message.component,
      text: message.text,
      details: JSON.stringify(message.details ?? {}),
      at: at.toISOString(),
    })
    .execute();
}
