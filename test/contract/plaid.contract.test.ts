import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PlaidApplication,
  PlaidItem,
  PlaidLinkToken,
  PlaidPublicToken,
} from '../../shared/domain/plaid/models';
import { ConflictError } from '../../shared/ports/store';
import { plaidStoreContract } from '../support/plaid-store-contract';
import { freshPglite, freshPostgres, type TestDatabase } from '../support/postgres';
import { PostgresStore } from '../../shared/adapters/postgres/store';
import { BACKENDS, forEachBackend, uid } from './backends';

/**
 * The PlaidStore contract (shared/ports/plaid.ts), written once against the port and run on DynamoDB Local,
 * PostgreSQL and PGlite (backends.ts); and plaid-core's contract (test/support/plaid-store-contract.ts) on the
 * Postgres backends (test/integration/plaid-store.test.ts runs it on DynamoDB).
 */
const T0 = '2030-01-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000);

const app = (clientId = uid('client'), over: Partial<PlaidApplication> = {}): PlaidApplication => ({
  clientId,
  name: 'Budget App',
  secretHash: 'a'.repeat(64),
  secretCreatedAt: T0,
  allowedRedirectUris: ['https://app.test/oauth'],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const linkToken = (clientId: string, over: Partial<PlaidLinkToken> = {}): PlaidLinkToken => ({
  linkToken: uid('link-sandbox'),
  clientId,
  clientUserId: 'user-1',
  userId: uid('plaid-user'),
  clientName: 'Budget App',
  language: 'en',
  countryCodes: ['US'],
  products: ['transactions'],
  webhook: 'https://app.test/hook',
  redirectUri: null,
  itemId: null,
  createdAt: T0,
  expiresAt: at(240).toISOString(),
  oauthState: null,
  publicToken: null,
  resultItemId: null,
  ...over,
});

const publicToken = (clientId: string, over: Partial<PlaidPublicToken> = {}): PlaidPublicToken => ({
  tokenHash: uid('pub'),
  clientId,
  itemId: uid('item'),
  createdAt: T0,
  expiresAt: at(30).toISOString(),
  ...over,
});

const item = (clientId: string, over: Partial<PlaidItem> = {}): PlaidItem => ({
  itemId: uid('item'),
  clientId,
  clientUserId: 'user-1',
  userId: uid('plaid-user'),
  connectionId: uid('conn'),
  institutionId: 'ins_bank_a',
  products: ['transactions'],
  webhook: null,
  status: 'active',
  errorCode: null,
  accessTokenHash: uid('access'),
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

forEachBackend('PlaidStore', (backend) => {
  describe('applications', () => {
    it('are created once, read, listed by client_id and updated (only the fields given)', async () => {
      const { store } = backend();
      const a = app();
      await store.putPlaidApplication(a);
      await expect(store.putPlaidApplication({ ...a, name: 'Other' })).rejects.toThrow(ConflictError);
      expect(await store.getPlaidApplication(a.clientId)).toEqual(a);
      expect(await store.getPlaidApplication(uid('client'))).toBeNull();
      const b = app(`${a.clientId}-b`);
      await store.putPlaidApplication(b);
      const listed = (await store.listPlaidApplications()).map((x) => x.clientId);
      expect(listed.filter((id) => id.startsWith(a.clientId))).toEqual([a.clientId, b.clientId]);
      expect(listed).toEqual([...listed].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));

      const rotated = await store.updatePlaidApplication(a.clientId, {
        secretHash: 'b'.repeat(64),
        secretCreatedAt: at(1).toISOString(),
        name: undefined,
        updatedAt: at(1).toISOString(),
      });
      const expected = {
        ...a,
        secretHash: 'b'.repeat(64),
        secretCreatedAt: at(1).toISOString(),
        updatedAt: at(1).toISOString(),
      };
      expect(rotated).toEqual(expected);
      expect(await store.getPlaidApplication(a.clientId)).toEqual(expected);
      expect(await store.updatePlaidApplication(a.clientId, {})).toEqual(expected);
      await expect(store.updatePlaidApplication(uid('client'), { name: 'x' })).rejects.toThrow(ConflictError);
      await expect(store.updatePlaidApplication(uid('client'), {})).rejects.toThrow(ConflictError);
    });

    it('two creators of one client_id: one wins, the other gets a ConflictError', async () => {
      const { store } = backend();
      const id = uid('client');
      const results = await Promise.allSettled([
        store.putPlaidApplication(app(id, { name: 'one' })),
        store.putPlaidApplication(app(id, { name: 'two' })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    });
  });

  describe('link tokens', () => {
    it('are created once, read until they expire, found by OAuth state once one is set, and updated', async () => {
      const { store } = backend();
      const clientId = uid('client');
      const t = linkToken(clientId);
      await store.putPlaidLinkToken(t);
      await expect(store.putPlaidLinkToken(t)).rejects.toThrow(ConflictError);
      expect(await store.getPlaidLinkToken(t.linkToken, at(1))).toEqual(t);
      expect(await store.getPlaidLinkToken(t.linkToken, new Date(t.expiresAt))).toBeNull();
      expect(await store.getPlaidLinkToken(uid('link'), at(1))).toBeNull();

      const state = uid('state');
      expect(await store.getPlaidLinkTokenByState(state, at(1))).toBeNull();
      const withState = await store.updatePlaidLinkToken(t.linkToken, { oauthState: state });
      expect(withState).toEqual({ ...t, oauthState: state });
      expect(await store.getPlaidLinkTokenByState(state, at(2))).toEqual({ ...t, oauthState: state });
      expect(await store.getPlaidLinkTokenByState(state, new Date(t.expiresAt))).toBeNull();

      const done = await store.updatePlaidLinkToken(t.linkToken, {
        publicToken: 'public-sandbox-x',
        resultItemId: 'item-x',
        oauthState: undefined,
      });
      expect(done).toEqual({
        ...t,
        oauthState: state,
        publicToken: 'public-sandbox-x',
        resultItemId: 'item-x',
      });
      expect(await store.getPlaidLinkToken(t.linkToken, at(3))).toEqual(done);
      await expect(store.updatePlaidLinkToken(uid('link'), { publicToken: 'p' })).rejects.toThrow(
        ConflictError,
      );

      // Created with a state: found by it at once.
      const s2 = uid('state');
      const t2 = linkToken(clientId, { oauthState: s2 });
      await store.putPlaidLinkToken(t2);
      expect(await store.getPlaidLinkTokenByState(s2, at(1))).toEqual(t2);
    });
  });

  describe('public tokens', () => {
    it('are taken once, only by their application, and refused once expired', async () => {
      const { store } = backend();
      const clientId = uid('client');
      const p = publicToken(clientId);
      await store.putPlaidPublicToken(p);
      await expect(store.putPlaidPublicToken(p)).rejects.toThrow(ConflictError);
      // Another application does not take it.
      expect(await store.consumePlaidPublicToken(p.tokenHash, uid('client'), at(1))).toBeNull();
      expect(await store.consumePlaidPublicToken(p.tokenHash, clientId, at(1))).toEqual(p);
      expect(await store.consumePlaidPublicToken(p.tokenHash, clientId, at(1))).toBeNull();
      expect(await store.consumePlaidPublicToken(uid('pub'), clientId, at(1))).toBeNull();

      const expired = publicToken(clientId);
      await store.putPlaidPublicToken(expired);
      expect(await store.consumePlaidPublicToken(expired.tokenHash, clientId, at(31))).toBeNull();
      // Taken anyway: an earlier clock does not get it either.
      expect(await store.consumePlaidPublicToken(expired.tokenHash, clientId, at(1))).toBeNull();
    });

    it('is taken by exactly one of many concurrent exchanges', async () => {
      const { store } = backend();
      const clientId = uid('client');
      const p = publicToken(clientId);
      await store.putPlaidPublicToken(p);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.consumePlaidPublicToken(p.tokenHash, clientId, at(1))),
      );
      expect(results.filter(Boolean)).toEqual([p]);
    });
  });

  describe('items', () => {
    it('are created once, found by id under their application, by access token and by connection, and listed', async () => {
      const { store } = backend();
      const clientId = uid('client');
      const i1 = item(clientId, { itemId: `${uid('item')}-a` });
      const i2 = item(clientId, { itemId: `${i1.itemId}-b`, accessTokenHash: null });
      await store.putPlaidItem(i1);
      await store.putPlaidItem(i2);
      await expect(store.putPlaidItem({ ...i1, webhook: 'x' })).rejects.toThrow(ConflictError);
      // Another item of the same connection, or holding the same access token, is refused whole.
      await expect(store.putPlaidItem(item(clientId, { connectionId: i1.connectionId }))).rejects.toThrow(
        ConflictError,
      );
      await expect(
        store.putPlaidItem(item(clientId, { accessTokenHash: i1.accessTokenHash })),
      ).rejects.toThrow(ConflictError);

      expect(await store.getPlaidItem(clientId, i1.itemId)).toEqual(i1);
      expect(await store.getPlaidItem(uid('client'), i1.itemId)).toBeNull();
      expect(await store.getPlaidItemByAccessToken(i1.accessTokenHash!)).toEqual(i1);
      expect(await store.getPlaidItemByAccessToken(uid('access'))).toBeNull();
      expect(await store.getPlaidItemByConnection(i1.connectionId)).toEqual(i1);
      expect(await store.getPlaidItemByConnection(i2.connectionId)).toEqual(i2);
      expect(await store.getPlaidItemByConnection(uid('conn'))).toBeNull();
      expect(await store.listPlaidItems(clientId)).toEqual([i1, i2]);
      expect(await store.listPlaidItems(uid('client'))).toEqual([]);
    });

    it('updates fields; a new access token finds the item and the old one no longer does', async () => {
      const { store } = backend();
      const clientId = uid('client');
      const i = item(clientId, { accessTokenHash: null });
      await store.putPlaidItem(i);
      const relogin = await store.updatePlaidItem(clientId, i.itemId, {
        status: 'login_required',
        errorCode: 'ITEM_LOGIN_REQUIRED',
        webhook: undefined,
        updatedAt: at(1).toISOString(),
      });
      expect(relogin).toEqual({
        ...i,
        status: 'login_required',
        errorCode: 'ITEM_LOGIN_REQUIRED',
        updatedAt: at(1).toISOString(),
      });
      expect(await store.getPlaidItem(clientId, i.itemId)).toEqual(relogin);

      const first = uid('access');
      expect(await store.updatePlaidItem(clientId, i.itemId, { accessTokenHash: first })).toEqual({
        ...relogin,
        accessTokenHash: first,
      });
      expect((await store.getPlaidItemByAccessToken(first))!.itemId).toBe(i.itemId);
      const second = uid('access');
      await store.updatePlaidItem(clientId, i.itemId, {
        accessTokenHash: second,
        status: 'active',
        errorCode: null,
      });
      expect(await store.getPlaidItemByAccessToken(first)).toBeNull();
      expect(await store.getPlaidItemByAccessToken(second)).toEqual({
        ...relogin,
        accessTokenHash: second,
        status: 'active',
        errorCode: null,
      });
      // Another item's token is refused, and nothing changes.
      const other = item(clientId);
      await store.putPlaidItem(other);
      await expect(
        store.updatePlaidItem(clientId, i.itemId, { accessTokenHash: other.accessTokenHash }),
      ).rejects.toThrow(ConflictError);
      expect((await store.getPlaidItemByAccessToken(other.accessTokenHash!))!.itemId).toBe(other.itemId);
      expect((await store.getPlaidItem(clientId, i.itemId))!.accessTokenHash).toBe(second);
      // Clearing the token: found by it no more.
      await store.updatePlaidItem(clientId, i.itemId, { accessTokenHash: null });
      expect(await store.getPlaidItemByAccessToken(second)).toBeNull();
      expect((await store.getPlaidItem(clientId, i.itemId))!.accessTokenHash).toBeNull();

      await expect(store.updatePlaidItem(clientId, uid('item'), { status: 'revoked' })).rejects.toThrow(
        ConflictError,
      );
      await expect(
        store.updatePlaidItem(clientId, uid('item'), { accessTokenHash: uid('access') }),
      ).rejects.toThrow(ConflictError);
    });

    it('two exchanges setting a token at once: one wins, the other gets a ConflictError', async () => {
      const { store } = backend();
      const clientId = uid('client');
      const i = item(clientId, { accessTokenHash: null });
      await store.putPlaidItem(i);
      const [a, b] = [uid('access'), uid('access')];
      const results = await Promise.allSettled([
        store.updatePlaidItem(clientId, i.itemId, { accessTokenHash: a }),
        store.updatePlaidItem(clientId, i.itemId, { accessTokenHash: b }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length).toBeGreaterThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      // Whatever the order, the item is found by its token and by no other.
      const stored = (await store.getPlaidItem(clientId, i.itemId))!;
      expect([a, b]).toContain(stored.accessTokenHash);
      expect((await store.getPlaidItemByAccessToken(stored.accessTokenHash!))!.itemId).toBe(i.itemId);
      const loser = stored.accessTokenHash === a ? b : a;
      expect(await store.getPlaidItemByAccessToken(loser)).toBeNull();
    });
  });
});

for (const name of BACKENDS.filter((b) => b !== 'dynamodb')) {
  describe(`PlaidStore, plaid-core's contract [${name}]`, () => {
    let db: TestDatabase | undefined;
    let store: PostgresStore | undefined;
    beforeAll(async () => {
      db = name === 'postgres' ? await freshPostgres() : await freshPglite();
      store = new PostgresStore(db.conn);
    });
    afterAll(async () => {
      await db?.drop();
    });
    plaidStoreContract(name, () => {
      if (!store) throw new Error(`the ${name} backend did not open`);
      return store;
    });
  });
}
