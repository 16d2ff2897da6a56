/**
 * `npm run openapi`: writes shared/http/openapi.json from the handlers' zod schemas.
 *   --check   exit 1 (and say so) when the committed file differs from what the schemas give
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeOrCheckGenerated } from '../lib/generated-file';
import { OPENAPI_FILE, generateOpenApi, serialize } from '../lib/openapi';
import { ROOT } from '../lib/local/dynamodb-local';

const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
writeOrCheckGenerated(OPENAPI_FILE, serialize(await generateOpenApi(version)), 'npm run openapi');
