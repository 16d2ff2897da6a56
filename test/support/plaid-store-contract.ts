import { describe, expect, it } from 'vitest';
import { hashSecret, newAccessToken, newLinkToken, newPublicToken } from '../../shared/domain/plaid/ids';
import type { PlaidApplication, PlaidItem, PlaidLinkToken } from '../../shared/domain/plaid/models';
import type { PlaidStore } from '../../shared/ports/plaid';
import { ConflictError } from '../../shared/ports/store';

/**
 * The PlaidStore contract, for every adapter (DynamoDB: test/integration/plaid-store.test.ts; a PostgreSQL adapter
 * runs the same): `store()` gives the adapter under test, on a store of its own for the file.
 */
export function plaidStoreContract(name: string, store: () => PlaidStore): void {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  const uniq = () => Math.random().toString(36).slice(2, 10);

  const app = (clientId: string): PlaidApplication => ({
    clientId,
    name: `app ${clientId}`,
    secretHash: hashSecret(`secret-${clientId}`),
    secretCreatedAt: now.toISOString(),
    allowedRedirectUris: ['https://app.example.com/return'],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });

  const item = (clientId: string, over: Partial<PlaidItem> = {}): PlaidItem => ({
    itemId: `item_${uniq()}`,
    clientId,
    clientUserId: 'user-1',
    userId: `plaid.${clientId}.abc`,
    connectionId: `conn-${uniq()}`,
    institutionId: 'ins_bank_a',
    products: ['transactions'],
    webhook: null,
    status: 'active',
    errorCode: null,
    accessTokenHash: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...over,
  });

  describe(`PlaidStore contract: ${name}`, () => {
    it('creates applications once, reads, lists and rotates them', async () => {
      const id = `client${uniq()}`;
      await store().putPlaidApplication(app(id));
      await expect(store().putPlaidApplication(app(id))).rejects.toBeInstanceOf(ConflictError);
      expect(await store().getPlaidApplication(id)).toEqual(app(id));
      expect(await store().getPlaidApplication(`${id}x`)).toBeNull();
      expect((await store().listPlaidApplications()).map((a) => a.clientId)).toContain(id);
      const rotated = await store().updatePlaidApplication(id, {
        secretHash: hashSecret('new'),
        updatedAt: later(1).toISOString(),
      });
      expect(rotated.secretHash).toBe(hashSecret('new'));
      expect((await store().getPlaidApplication(id))!.secretHash).toBe(hashSecret('new'));
      await expect(store().updatePlaidApplication(`${id}x`, { name: 'y' })).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('keeps link tokens until they expire, finds them by OAuth state, records their result', async () => {
      const token: PlaidLinkToken = {
        linkToken: newLinkToken(),
        clientId: 'c1',
        clientUserId: 'u1',
        userId: 'plaid.c1.u1',
        clientName: 'App',
        language: 'en',
        countryCodes: ['US'],
        products: ['transactions'],
        webhook: null,
        redirectUri: null,
        itemId: null,
        createdAt: now.toISOString(),
        expiresAt: later(3600).toISOString(),
        oauthState: null,
        publicToken: null,
        resultItemId: null,
      };
      await store().putPlaidLinkToken(token);
      await expect(store().putPlaidLinkToken(token)).rejects.toBeInstanceOf(ConflictError);
      expect(await store().getPlaidLinkToken(token.linkToken, now)).toEqual(token);
      expect(await store().getPlaidLinkToken(token.linkToken, later(3600))).toBeNull();
      const state = `state-${uniq()}`;
      await store().updatePlaidLinkToken(token.linkToken, { oauthState: state });
      expect((await store().getPlaidLinkTokenByState(state, now))!.linkToken).toBe(token.linkToken);
      expect(await store().getPlaidLinkTokenByState(state, later(7200))).toBeNull();
      expect(await store().getPlaidLinkTokenByState('other', now)).toBeNull();
      const done = await store().updatePlaidLinkToken(token.linkToken, {
        publicToken: 'public-sandbox-x',
        resultItemId: 'item-1',
      });
      expect(done).toMatchObject({
        oauthState: state,
        publicToken: 'public-sandbox-x',
        resultItemId: 'item-1',
      });
      await expect(store().updatePlaidLinkToken(newLinkToken(), { oauthState: 's' })).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('takes a public token once, only for its application, only before it expires', async () => {
      const make = async (expires: Date) => {
        const hash = hashSecret(newPublicToken());
        await store().putPlaidPublicToken({
          tokenHash: hash,
          clientId: 'c1',
          itemId: 'item-1',
          createdAt: now.toISOString(),
          expiresAt: expires.toISOString(),
        });
        return hash;
      };
      const hash = await make(later(1800));
      expect(await store().consumePlaidPublicToken(hash, 'c2', now)).toBeNull();
      expect((await store().consumePlaidPublicToken(hash, 'c1', now))!.itemId).toBe('item-1');
      expect(await store().consumePlaidPublicToken(hash, 'c1', now)).toBeNull();
      const expired = await make(later(10));
      expect(await store().consumePlaidPublicToken(expired, 'c1', later(10))).toBeNull();
      const concurrent = await make(later(1800));
      const takes = await Promise.all(
        Array.from({ length: 5 }, () => store().consumePlaidPublicToken(concurrent, 'c1', now)),
      );
      expect(takes.filter(Boolean)).toHaveLength(1);
    });

    it('finds items by id within their application, by access token and by connection', async () => {
      const i = item('c1');
      await store().putPlaidItem(i);
      await expect(store().putPlaidItem(i)).rejects.toBeInstanceOf(ConflictError);
      expect(await store().getPlaidItem('c1', i.itemId)).toEqual(i);
      expect(await store().getPlaidItem('c2', i.itemId)).toBeNull();
      expect(await store().getPlaidItemByConnection(i.connectionId)).toEqual(i);
      expect(await store().getPlaidItemByConnection('nope')).toBeNull();
      expect((await store().listPlaidItems('c1')).map((x) => x.itemId)).toContain(i.itemId);

      const first = hashSecret(newAccessToken());
      await store().updatePlaidItem('c1', i.itemId, { accessTokenHash: first });
      expect((await store().getPlaidItemByAccessToken(first))!.itemId).toBe(i.itemId);
      const second = hashSecret(newAccessToken());
      await store().updatePlaidItem('c1', i.itemId, { accessTokenHash: second });
      expect(await store().getPlaidItemByAccessToken(first)).toBeNull();
      expect((await store().getPlaidItemByAccessToken(second))!.itemId).toBe(i.itemId);
      expect(await store().getPlaidItemByAccessToken(hashSecret('unknown'))).toBeNull();

      const updated = await store().updatePlaidItem('c1', i.itemId, {
        status: 'login_required',
        errorCode: 'ITEM_LOGIN_REQUIRED',
        webhook: 'https://x.test/h',
      });
      expect(updated).toMatchObject({ status: 'login_required', errorCode: 'ITEM_LOGIN_REQUIRED' });
      expect((await store().getPlaidItemByAccessToken(second))!.webhook).toBe('https://x.test/h');
      await expect(store().updatePlaidItem('c2', i.itemId, { webhook: null })).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('refuses a second item for the same connection, and an item created with a token is found by it', async () => {
      const hash = hashSecret(newAccessToken());
      const i = item('c3', { accessTokenHash: hash });
      await store().putPlaidItem(i);
      expect((await store().getPlaidItemByAccessToken(hash))!.itemId).toBe(i.itemId);
      await expect(store().putPlaidItem(item('c3', { connectionId: i.connectionId }))).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('racing token changes of one item leave exactly one token that finds it', async () => {
      const i = item('c4');
      await store().putPlaidItem(i);
      const hashes = Array.from({ length: 4 }, () => hashSecret(newAccessToken()));
      const results = await Promise.allSettled(
        hashes.map((h) => store().updatePlaidItem('c4', i.itemId, { accessTokenHash: h })),
      );
      // A change is a compare-and-set on the token it read: a writer that read before another's commit loses
      // (ConflictError), one that read after it replaces it. How many win depends on timing; what must hold is that
      // one does, every other fails as a conflict, and exactly the stored token finds the item (no stale pointer).
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length).toBeGreaterThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      const stored = (await store().getPlaidItem('c4', i.itemId))!;
      const found = await Promise.all(hashes.map((h) => store().getPlaidItemByAccessToken(h)));
      expect(found.filter(Boolean).map((x) => x!.accessTokenHash)).toEqual([stored.accessTokenHash]);
    });
  });
}
