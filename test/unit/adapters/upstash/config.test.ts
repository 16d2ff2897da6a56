import { describe, expect, it } from 'vitest';
import { readUpstashConfig } from '../../../../shared/adapters/upstash/config';

describe('readUpstashConfig', () => {
  it('is null when Upstash is not configured (the twin then uses the in-memory adapters)', () => {
    expect(readUpstashConfig({})).toBeNull();
  });

  it('reads the URL, the token and the stream bound', () => {
    expect(
      readUpstashConfig({
        UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 'tok',
        ALERT_STREAM_MAXLEN: '250',
      }),
    ).toEqual({ url: 'https://eu1-example.upstash.io', token: 'tok', alertStreamMaxLen: 250 });
    expect(
      readUpstashConfig({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:4000', UPSTASH_REDIS_REST_TOKEN: 't' })
        ?.alertStreamMaxLen,
    ).toBe(1000);
  });

  it('names what is missing or malformed, never the token', () => {
    expect(() => readUpstashConfig({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' })).toThrow(
      /UPSTASH_REDIS_REST_TOKEN: required/,
    );
    expect(() => readUpstashConfig({ UPSTASH_REDIS_REST_TOKEN: 'secret-token' })).toThrow(
      /UPSTASH_REDIS_REST_URL: required/,
    );
    expect(() =>
      readUpstashConfig({ UPSTASH_REDIS_REST_URL: 'not a url', UPSTASH_REDIS_REST_TOKEN: 't' }),
    ).toThrow(/UPSTASH_REDIS_REST_URL/);
    expect(() =>
      readUpstashConfig({
        UPSTASH_REDIS_REST_URL: 'https://x.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 'secret-token',
        ALERT_STREAM_MAXLEN: '0',
      }),
    ).toThrow(/ALERT_STREAM_MAXLEN/);
    try {
      readUpstashConfig({ UPSTASH_REDIS_REST_TOKEN: 'secret-token' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-token');
    }
  });
});
