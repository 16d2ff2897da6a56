import { describe, expect, it } from 'vitest';
import { allRoutes, catalogue, compilePath } from '../../../../lib/catalogue';
import { matchesAny, matchesPattern } from '../../../../lib/local/event-filter';
import { LocalQueue } from '../../../../lib/local/queue';
import type { FunctionSpec } from '../../../../lib/catalogue';
import { decodeKeyCursor, encodeKeyCursor } from '../../../../shared/adapters/dynamodb/cursor';
import { InvalidCursorError } from '../../../../shared/ports/store';
import { redactingReplacer, REDACTED } from '../../../../shared/logger';
import { parseConfig } from '../../../../shared/config';

describe('catalogue', () => {
  it('has unique names and entries, and routes that do not collide', () => {
    expect(new Set(catalogue.map((f) => f.name)).size).toBe(catalogue.length);
    const keys = allRoutes().map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('compiles API Gateway path templates', () => {
    expect(compilePath('/connections/{id}')('/connections/abc')).toEqual({ id: 'abc' });
    expect(compilePath('/connections/{id}')('/connections/abc/sync')).toBeNull();
    expect(compilePath('/mock-banks/bank_a/{proxy+}')('/mock-banks/bank_a/oauth/token')).toEqual({
      proxy: 'oauth/token',
    });
    expect(compilePath('/a.b')('/aXb')).toBeNull();
  });
});

describe('event filter patterns (Lambda syntax)', () => {
  const record = {
    eventName: 'INSERT',
    dynamodb: { NewImage: { entity: { S: 'txn' }, amount: { N: '5' } } },
  };
  it('matches exact values, alternatives, prefixes and existence', () => {
    expect(matchesPattern({ eventName: ['INSERT', 'MODIFY'] }, record)).toBe(true);
    expect(matchesPattern({ eventName: ['REMOVE'] }, record)).toBe(false);
    expect(matchesPattern({ dynamodb: { NewImage: { entity: { S: [{ prefix: 'tx' }] } } } }, record)).toBe(
      true,
    );
    expect(matchesPattern({ dynamodb: { OldImage: [{ exists: false }] } }, record)).toBe(true);
    expect(matchesPattern({ dynamodb: { NewImage: [{ exists: true }] } }, record)).toBe(true);
    expect(matchesPattern({ dynamodb: { NewImage: { entity: { S: ['acct'] } } } }, record)).toBe(false);
    expect(matchesAny([{ eventName: ['REMOVE'] }, { eventName: ['INSERT'] }], record)).toBe(true);
    expect(matchesAny([], record)).toBe(true);
  });
});

describe('cursors', () => {
  it('round-trip and are bound to their list and partition (test/unit/cursor.test.ts has the rest)', () => {
    const query = {
      list: 'connections',
      pkAttr: 'pk',
      pk: 'USER#a',
      skAttr: 'sk',
      skWithin: (sk: string) => sk.startsWith('CONN#'),
    };
    const c = encodeKeyCursor(query, { pk: 'USER#a', sk: 'CONN#1' })!;
    expect(decodeKeyCursor(query, c)).toEqual({ pk: 'USER#a', sk: 'CONN#1' });
    expect(() => decodeKeyCursor({ ...query, pk: 'USER#b' }, c)).toThrow(InvalidCursorError);
    expect(() => decodeKeyCursor(query, '%%%')).toThrow(InvalidCursorError);
    expect(encodeKeyCursor(query, undefined)).toBeNull();
  });
});

describe('log redaction', () => {
  it('drops secrets by key and scrubs bearer tokens and JWTs from strings', () => {
    const line = JSON.stringify(
      {
        accessToken: 'abc',
        refresh_token: 'def',
        headers: { authorization: 'Bearer xyz.abc.def' },
        message: 'got Bearer abcdef123 and eyJhbGciOi.eyJzdWIiOi.sig',
        count: 3,
      },
      redactingReplacer,
    );
    expect(line).not.toMatch(/abc"|def"|xyz|abcdef123|eyJhbGciOi/);
    expect(line).toContain(REDACTED);
    expect(line).toContain('"count":3');
  });
});

describe('config', () => {
  it('validates the environment and names what is wrong', () => {
    expect(parseConfig({}).TABLE_NAME).toBe('finagg-local');
    expect(() => parseConfig({ TOKEN_ENCRYPTION_KEY: 'short' })).toThrow(/TOKEN_ENCRYPTION_KEY/);
    expect(() => parseConfig({ LINK_STATE_TTL_SECONDS: '0' })).toThrow(/LINK_STATE_TTL_SECONDS/);
  });
});

describe('the in-process queue', () => {
  const fn = (over: Partial<NonNullable<FunctionSpec['queue']>> = {}): FunctionSpec => ({
    name: 'Worker',
    entry: 'n/a',
    description: 'test',
    grants: [],
    timeoutSeconds: 5,
    queue: { name: 'sync', batchSize: 5, maxConcurrency: 2, maxReceiveCount: 3, ...over },
  });

  it('delivers SQS-shaped batches, retries reported failures and dead-letters after maxReceiveCount', async () => {
    const q = new LocalQueue('sync', 'us-east-1');
    const receives = new Map<string, number>();
    let concurrent = 0;
    let maxConcurrent = 0;
    q.setConsumer(fn(), async (event) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 10));
      concurrent--;
      const failures = [];
      for (const r of event.Records) {
        expect(r.eventSource).toBe('aws:sqs');
        const body = JSON.parse(r.body) as { n: number };
        receives.set(String(body.n), Number(r.attributes.ApproximateReceiveCount));
        if (body.n === 3 || (body.n === 7 && r.attributes.ApproximateReceiveCount === '1')) {
          failures.push({ itemIdentifier: r.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
    for (let n = 0; n < 12; n++) await q.send(JSON.stringify({ n }));
    await q.drain(10_000);
    await q.stop();
    expect(receives.size).toBe(12);
    expect(receives.get('7')).toBe(2);
    expect(receives.get('3')).toBe(3);
    expect(q.deadLetters.map((d) => JSON.parse(d.message.body) as { n: number })).toEqual([{ n: 3 }]);
    expect(maxConcurrent).toBeLessThanOrEqual(2);
  });
});
