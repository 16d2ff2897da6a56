import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { EventBridgePublisher, EventPublishError } from '../../../shared/adapters/eventbridge/publisher';
import { MemoryEventPublisher } from '../../../shared/adapters/memory/events';
import { BUDGET_THRESHOLD_REACHED, type DomainEvent } from '../../../shared/ports/events';

/** EventBridge cannot run here: a fake client at the SDK boundary records the commands and answers as told. */
function fakeClient(answers: ((input: PutEventsCommand['input']) => Partial<PutEventsCommandOutput>)[]) {
  const sent: PutEventsCommand['input'][] = [];
  return {
    sent,
    client: {
      send: async (command: unknown) => {
        if (!(command instanceof PutEventsCommand)) throw new Error('only PutEvents is expected');
        sent.push(command.input);
        const answer = answers.shift() ?? (() => ({ FailedEntryCount: 0 }));
        return answer(command.input) as PutEventsCommandOutput;
      },
    },
  };
}

const event = (id: string): DomainEvent => ({
  ...BUDGET_THRESHOLD_REACHED,
  time: '2026-11-20T12:00:00.000Z',
  detail: { id, budget_id: 'bud_1', threshold: 0.8 },
});

describe('EventBridge publisher', () => {
  it('puts events on the configured bus with source, detail type, JSON detail and time', async () => {
    const { client, sent } = fakeClient([]);
    await new EventBridgePublisher(client, 'finagg-bus').publish([event('a1')]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Entries).toEqual([
      {
        EventBusName: 'finagg-bus',
        Source: 'finagg.budgets',
        DetailType: 'BudgetThresholdReached',
        Detail: JSON.stringify({ id: 'a1', budget_id: 'bud_1', threshold: 0.8 }),
        Time: new Date('2026-11-20T12:00:00.000Z'),
      },
    ]);
  });

  it('sends at most 10 entries per call', async () => {
    const { client, sent } = fakeClient([]);
    await new EventBridgePublisher(client, 'b').publish(Array.from({ length: 23 }, (_, i) => event(`e${i}`)));
    expect(sent.map((s) => s.Entries!.length)).toEqual([10, 10, 3]);
  });

  it('retries only the entries EventBridge refused, then throws naming the error codes', async () => {
    const refuseSecond = (input: PutEventsCommand['input']) => ({
      FailedEntryCount: 1,
      Entries: input.Entries!.map((e, i) =>
        i === input.Entries!.length - 1
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }
          : { EventId: `ok-${e.Detail}` },
      ),
    });
    const ok = fakeClient([refuseSecond]);
    await new EventBridgePublisher(ok.client, 'b').publish([event('a'), event('b')]);
    expect(ok.sent.map((s) => s.Entries!.map((e) => JSON.parse(e.Detail!).id))).toEqual([['a', 'b'], ['b']]);

    const failing = fakeClient([refuseSecond, refuseSecond]);
    await expect(
      new EventBridgePublisher(failing.client, 'b').publish([event('a'), event('b')]),
    ).rejects.toThrow(EventPublishError);
    await expect(
      new EventBridgePublisher(fakeClient([refuseSecond, refuseSecond]).client, 'b').publish([
        event('a'),
        event('b'),
      ]),
    ).rejects.toThrow(/ThrottlingException/);
  });

  it('refuses an event without a detail id before calling AWS', async () => {
    const { client, sent } = fakeClient([]);
    await expect(
      new EventBridgePublisher(client, 'b').publish([{ ...BUDGET_THRESHOLD_REACHED, detail: { x: 1 } }]),
    ).rejects.toThrow(/detail.id/);
    expect(sent).toEqual([]);
  });
});

describe('the local bus', () => {
  it('keeps what is published, bounded, for tests and GET /dev/events', async () => {
    const bus = new MemoryEventPublisher(3);
    for (const id of ['a', 'b', 'c', 'd']) await bus.publish([event(id)]);
    expect(bus.events.map((e) => e.detail.id)).toEqual(['b', 'c', 'd']);
    expect(bus.events[0]).toMatchObject({ source: 'finagg.budgets', detailType: 'BudgetThresholdReached' });
    expect(bus.events[0]!.publishedAt).toMatch(/^\d{4}-/);
  });
});
