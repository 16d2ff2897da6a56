import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { logger } from '../../logger';
import type { ChangeNudge } from '../../ports/change-feed';

/**
 * The outbox relay's nudge in the cloud: an asynchronous invoke (InvocationType Event: queued by Lambda, answered
 * 202 at once) of the relay function. Never throws: a lost nudge costs at most the relay's one-minute sweep.
 */
export class LambdaRelayNudge implements ChangeNudge {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async nudge(): Promise<void> {
    try {
      await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ source: 'finagg.nudge' })),
        }),
      );
    } catch (err) {
      logger.warn('could not nudge the outbox relay (the schedule sweeps)', {
        error: (err as Error).message,
      });
    }
  }
}
