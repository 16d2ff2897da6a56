/**
 * `npm run openapi`: writes shared/http/openapi.json from the handlers' zod schemas.
 *   --check   exit 1 (and say so) when the committed file differs from what the schemas give
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OPENAPI_FILE, generateOpenApi, serialize } from '../lib/openapi';
import { ROOT } from '../lib/local/dynamodb-local';

const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const text = serialize(await generateOpenApi(version));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    // missing: differs
  }
  if (current !== text) {
    console.error(`${path.relative(ROOT, OPENAPI_FILE)} is out of date: run npm run openapi`);
    process.exit(1);
  }
  console.log(`${path.relative(ROOT, OPENAPI_FILE)} is up to date`);
} else {
  writeFileSync(OPENAPI_FILE, text);
  console.log(`wrote ${path.relative(ROOT, OPENAPI_FILE)}`);
}
