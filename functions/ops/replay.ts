import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../../shared/logger';
import { getRuntime } from '../../shared/runtime';
import { replayUsers } from '../../shared/services/replay';

const Payload = z.strictObject({
  /** The users to replay; absent or empty: every user who has or had a connection. */
  user_ids: z.array(z.string().min(1).max(128)).max(10_000).optional(),
});

/**
 * Operator-invoked (no trigger): `aws lambda invoke --function-name <Replay> --payload '{"user_ids":["u1"]}'`, or
 * `POST /dev/invoke/Replay` on the local twin. Replays the users' transactions through the table stream, so the
 * stream processors rebuild the projections, anomalies and categories (shared/services/replay.ts).
 */
export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const payload = Payload.safeParse(event ?? {});
  if (!payload.success) {
    throw new Error(
      `invalid payload: ${payload.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`,
    );
  }
  const result = await replayUsers(getRuntime(), payload.data.user_ids);
  logger.info('replayed transactions through the stream', result);
  return result;
};
