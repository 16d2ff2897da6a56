import { createServer, type Server } from 'node:http';
import { catalogue } from '../../lib/catalogue';
import { LocalGateway, type HttpLambda } from '../../lib/local/gateway';
import { LocalIssuer } from '../../lib/local/jwt';
import { resetConfig } from '../../shared/config';
import { freshTable } from './dynamodb';

export interface BankHttp {
  /** The DynamoDB Local table the banks keep their state in. */
  table: Awaited<ReturnType<typeof freshTable>>;
  /** The base URL of the local API Gateway serving the banks. */
  url: string;
  close(): Promise<void>;
}

/**
 * The real bank Lambda handlers (functions/banks/*.ts, the catalogue's entries) behind the local API Gateway
 * (lib/local/gateway.ts) over real HTTP on a random port, their state in a fresh DynamoDB Local table. Sets the
 * process environment the handlers read (TABLE_NAME, the DynamoDB endpoint, STAGE=local).
 */
export async function startBankHttp(tableLabel: string): Promise<BankHttp> {
  const table = await freshTable(tableLabel);
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    STAGE: 'local',
  });
  resetConfig();
  const issuer = await LocalIssuer.create({ issuer: 'https://test.local', audience: 'test' });
  const gateway = new LocalGateway(issuer, 'us-east-1');
  for (const fn of catalogue.filter((f) => f.entry.startsWith('functions/banks/'))) {
    const mod = (await import(`../../${fn.entry}`)) as { handler: HttpLambda };
    gateway.addFunction(fn, mod.handler);
  }
  const server: Server = createServer((req, res) => void gateway.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    table,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await table.drop();
    },
  };
}
