/**
 * The e2e suite against a deployment.
 *   npm run test:deployed     E2E_BASE_URL=<API base URL> (+ tokens, see test/support/e2e-target.ts): the e2e
 *                             tests that need no twin-only route, against that deployment
 *   npm run test:localstack   LocalStack in Docker (`docker run`), `cdklocal deploy`, then the same suite against
 *                             its API; says so and exits 2 where there is no Docker engine
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from '../lib/local/dynamodb-local';

const mode = process.argv[2];

function vitestE2e(baseUrl: string, env: NodeJS.ProcessEnv = {}): number {
  const res = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', ...process.argv.slice(3)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env, E2E_BASE_URL: baseUrl },
  });
  return res.status ?? 1;
}

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

if (mode === 'deployed') {
  const url = process.env.E2E_BASE_URL;
  if (!url)
    fail(
      'test:deployed needs E2E_BASE_URL, the API base URL of a deployment (the stack output ApiUrl, or a twin: ' +
        'E2E_BASE_URL=http://127.0.0.1:3000). Tokens: E2E_TOKEN_<USER>, E2E_TOKEN_COMMAND or E2E_COGNITO_* ' +
        '(test/support/e2e-target.ts); without them, POST /dev/token (the twin).',
    );
  process.exit(vitestE2e(url));
}

if (mode === 'localstack') {
  const docker = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  if (docker.error || docker.status !== 0)
    fail(
      'test:localstack needs a Docker engine (it runs LocalStack in a container), and there is none here (' +
        `${docker.error ? `docker: ${docker.error.message}` : (docker.stderr || docker.stdout).trim()}). ` +
        'Nothing was run. Start Docker and run it again, or deploy somewhere and use `npm run test:deployed`.',
      2,
    );
  const image = process.env.LOCALSTACK_IMAGE ?? 'localstack/localstack:4';
  console.log(`Docker ${docker.stdout.trim()}: starting ${image}`);
  const run = spawnSync('docker', ['run', '-d', '--rm', '-p', '127.0.0.1::4566', image], {
    encoding: 'utf8',
  });
  if (run.status !== 0) fail(`docker run ${image} failed: ${run.stderr.trim()}`);
  const container = run.stdout.trim();
  const port = spawnSync('docker', ['port', container, '4566/tcp'], { encoding: 'utf8' })
    .stdout.trim()
    .split(':')
    .pop();
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (
    !(await fetch(`${endpoint}/_localstack/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) {
      spawnSync('docker', ['stop', container]);
      fail(`LocalStack did not answer at ${endpoint} within 180 s`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  };
  let code = 1;
  try {
    const deploy = spawnSync(
      'npx',
      [
        '--yes',
        'aws-cdk-local@3.0.4',
        'deploy',
        '--require-approval',
        'never',
        '--outputs-file',
        'cdk.out/localstack-outputs.json',
      ],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } },
    );
    if (deploy.status !== 0) fail('cdklocal deploy failed');
    const outputs = JSON.parse(readFileSync(`${ROOT}/cdk.out/localstack-outputs.json`, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const api = Object.values(outputs).find((o) => o.ApiUrl)?.ApiUrl;
    if (!api) fail('the deployed stack has no ApiUrl output');
    code = vitestE2e(api.replace(/\/+$/, ''), env);
  } finally {
    spawnSync('docker', ['stop', container], { stdio: 'inherit' });
  }
  process.exit(code);
}

fail('usage: tsx bin/e2e.ts deployed|localstack');
