import { expect, it } from 'vitest';
import type { LinkSession } from '../../shared/domain/models';
import { ConflictError } from '../../shared/ports/store';
import { forEachBackend, uid } from './backends';

const session = (over: Partial<LinkSession> = {}): LinkSession => ({
  state: uid('state'),
  userId: 'alice',
  provider: 'bank_a',
  redirectUri: 'http://127.0.0.1/cb',
  codeVerifier: 'enc',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T00:10:00.000Z',
  ...over,
});
const AT = new Date('2026-01-01T00:05:00Z');

forEachBackend('LinkSessionStore', (b) => {
  it('puts a session once: a second put of the state is a ConflictError', async () => {
    const s = session();
    await b().store.putLinkSession(s);
    await expect(b().store.putLinkSession({ ...s, userId: 'mallory' })).rejects.toBeInstanceOf(ConflictError);
    expect(await b().store.getLinkSession(s.state, AT)).toEqual(s);
  });

  it('reads without taking; unknown and expired states are null', async () => {
    const s = session();
    await b().store.putLinkSession(s);
    expect(await b().store.getLinkSession(s.state, AT)).toEqual(s);
    expect(await b().store.getLinkSession(s.state, AT)).toEqual(s);
    expect(await b().store.getLinkSession(s.state, new Date(s.expiresAt))).toBeNull();
    expect(await b().store.getLinkSession(uid('nope'), AT)).toBeNull();
  });

  it('is consumed exactly once under a race of many takers', async () => {
    const s = session();
    await b().store.putLinkSession(s);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => b().store.consumeLinkSession(s.state, AT)),
    );
    expect(results.filter(Boolean)).toEqual([s]);
    expect(await b().store.getLinkSession(s.state, AT)).toBeNull();
    expect(await b().store.consumeLinkSession(s.state, AT)).toBeNull();
  });

  it('an expired session is used up and refused', async () => {
    const s = session();
    await b().store.putLinkSession(s);
    expect(await b().store.consumeLinkSession(s.state, new Date(s.expiresAt))).toBeNull();
    // Taken anyway: a later (clock-skewed) caller does not get it either.
    expect(await b().store.consumeLinkSession(s.state, new Date('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('another user cannot use up a session: it stays for its owner, who takes it once, even racing', async () => {
    const s = session();
    await b().store.putLinkSession(s);
    expect(await b().store.consumeLinkSession(s.state, AT, 'mallory')).toBeNull();
    expect(await b().store.getLinkSession(s.state, AT)).toEqual(s);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        b().store.consumeLinkSession(s.state, AT, i % 2 ? 'mallory' : 'alice'),
      ),
    );
    expect(results.filter(Boolean)).toEqual([s]);
    expect(await b().store.consumeLinkSession(s.state, AT, 'alice')).toBeNull();
  });
});
