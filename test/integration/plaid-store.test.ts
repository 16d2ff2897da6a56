import { afterAll, beforeAll } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamodb/store';
import { freshTable } from '../support/dynamodb';
import { plaidStoreContract } from '../support/plaid-store-contract';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoStore;

beforeAll(async () => {
  table = await freshTable('plaid');
  store = new DynamoStore(table.doc, table.tableName);
});
afterAll(async () => table?.drop());

plaidStoreContract('DynamoDB', () => store);
