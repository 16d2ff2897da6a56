import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { DynamoMockBankState } from '../../adapters/dynamodb/mock-bank-state';
import type { PgConnection } from '../../adapters/postgres/db';
import { storageMode } from '../../runtime';
import { getConfig } from '../../config';
import { httpRoute, type HttpEvent } from '../../http/handler';
import { bankEnv } from './config';
import { defaultDataSource } from './data-source';
import type { BankDialect } from './dialect';
import type { BankRequest } from './http';
import { BankServer } from './server';
import type { MockBankState } from './state';

const LOCAL_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** An API Gateway HTTP API (v2) event for `/…/<bank>/{proxy+}` as a BankRequest. */
export function toBankRequest(event: HttpEvent, bank: string): BankRequest {
  const raw = event.rawPath;
  const marker = `/${bank}`;
  const at = raw.indexOf(`${marker}/`);
  const root = at >= 0 ? raw.slice(0, at + marker.length) : raw.replace(/\/+$/, '');
  const path = at >= 0 ? raw.slice(at + marker.length + 1) : '';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const host = headers['x-forwarded-host'] ?? headers.host ?? event.requestContext.domainName;
  const proto =
    headers['x-forwarded-proto']?.split(',')[0]?.trim() ?? (LOCAL_HOST.test(host) ? 'http' : 'https');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) query[k] ??= v;
  const body = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  return {
    method: event.requestContext.http.method,
    path,
    query,
    headers,
    body,
    rootUrl: `${proto}://${host}${root}`,
  };
}

/**
 * The Lambda handler of one mock bank (functions/banks/<bank>.ts): the bank's server over the table's state and
 * the default data source. Built at the first request, once per container (again if the table changes, as
 * when tests start several twins in one process).
 */
export function bankLambda(dialect: BankDialect) {
  let built: { key: unknown; server: BankServer; doc?: DynamoDBDocumentClient } | undefined;
  const server = async () => {
    const table = getConfig().TABLE_NAME;
    // With Postgres storage the banks keep their state in the same database as everything else. (A DynamoDB
    // bundle drops this branch at build time, and the Postgres adapter with it: shared/runtime.ts storeFromEnv.)
    let pg: PgConnection | undefined;
    if (process.env.FINAGG_BUNDLE_STORAGE !== 'dynamodb' && storageMode() !== 'dynamodb') {
      pg = await (await import('../../runtime-postgres')).pgConnection();
    }
    const key = pg ?? [table, process.env.AWS_ENDPOINT_URL_DYNAMODB, process.env.AWS_ENDPOINT_URL].join('|');
    if (built?.key !== key) {
      let state: MockBankState;
      let doc: DynamoDBDocumentClient | undefined;
      if (pg && process.env.FINAGG_BUNDLE_STORAGE !== 'dynamodb') {
        const { PgMockBankState } = await import('../../adapters/postgres/mock-bank-state');
        state = new PgMockBankState(pg, dialect.protocol.id);
      } else {
        doc = createDocumentClient();
        state = new DynamoMockBankState(doc, table, dialect.protocol.id);
      }
      built?.doc?.destroy();
      built = {
        key,
        doc,
        server: new BankServer({ dialect, state, data: defaultDataSource(), env: bankEnv() }),
      };
    }
    return built.server;
  };
  return httpRoute({ auth: false }, async ({ event }) => {
    const res = await (await server()).handle(toBankRequest(event, dialect.protocol.id));
    return { statusCode: res.status, headers: res.headers, body: res.body };
  });
}
