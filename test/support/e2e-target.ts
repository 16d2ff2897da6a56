import { execFileSync } from 'node:child_process';
import twinOnly from '../e2e/twin-only.json' with { type: 'json' };
import { devToken, startTwinProcess } from './twin-process';

/**
 * Where the e2e tests run: a twin each file starts (the default), or any deployment at `E2E_BASE_URL` (`npm run
 * test:deployed`: a `cdklocal` or AWS stack, or a twin someone started), where the files below that need the twin
 * itself are left out, each with its reason (vitest.config.ts, test/support/global-e2e.ts).
 */
export const DEPLOYED_URL = process.env.E2E_BASE_URL?.replace(/\/+$/, '') || undefined;

/** The e2e files that need the twin itself (its /dev routes, process, table or clock), each with its reason. */
export const TWIN_ONLY: Readonly<Record<string, string>> = twinOnly;

export interface Target {
  url: string;
  deployed: boolean;
  stop(): Promise<unknown>;
}

/** The deployment at E2E_BASE_URL, or a twin started for this file. */
export async function startTarget(): Promise<Target> {
  if (DEPLOYED_URL) return { url: DEPLOYED_URL, deployed: true, stop: async () => undefined };
  const twin = await startTwinProcess();
  return { url: twin.url, deployed: false, stop: () => twin.stop() };
}

const envName = (userId: string) => userId.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * A bearer token for a test user at the target, the first that applies:
 * - `E2E_TOKEN_<USER>` (the user id upper-cased, other characters `_`): that token;
 * - `E2E_TOKEN_COMMAND`: run with the user id as its argument, prints the token;
 * - `E2E_COGNITO_CLIENT_ID` + `E2E_COGNITO_REGION` + `E2E_COGNITO_PASSWORD` (+ `E2E_COGNITO_USERNAME`, where
 *   `{user}` stands for the user id; default `{user}`): the Cognito user signs in (USER_PASSWORD_AUTH) and its
 *   access token is used (the users must exist; the stack's JWT authorizer accepts the pool's tokens);
 * - otherwise `POST /dev/token` (the twin).
 */
export async function tokenFor(baseUrl: string, userId: string): Promise<string> {
  const given = process.env[`E2E_TOKEN_${envName(userId)}`];
  if (given) return given;
  if (process.env.E2E_TOKEN_COMMAND)
    return execFileSync('sh', ['-c', `${process.env.E2E_TOKEN_COMMAND} "$1"`, 'sh', userId], {
      encoding: 'utf8',
    }).trim();
  const {
    E2E_COGNITO_CLIENT_ID: clientId,
    E2E_COGNITO_REGION: region,
    E2E_COGNITO_PASSWORD: password,
  } = process.env;
  if (clientId && region && password) {
    const username = (process.env.E2E_COGNITO_USERNAME ?? '{user}').replaceAll('{user}', userId);
    const res = await fetch(`https://cognito-idp.${region}.amazonaws.com/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    });
    const body = (await res.json()) as { AuthenticationResult?: { AccessToken?: string }; message?: string };
    const token = body.AuthenticationResult?.AccessToken;
    if (!token)
      throw new Error(`Cognito sign-in of ${username} failed (${res.status}): ${body.message ?? ''}`);
    return token;
  }
  return devToken(baseUrl, userId);
}

const RUN = Date.now().toString(36);

/**
 * A test user's id. Against a deployment whose tokens come from /dev/token (a long-running twin) each run has users
 * of its own (`carol-<run>`), so that runs do not see each other's data; tokens given from outside name their users.
 */
export function testUser(name: string): string {
  const external = Object.keys(process.env).some(
    (k) => k.startsWith('E2E_TOKEN_') || k === 'E2E_COGNITO_CLIENT_ID',
  );
  return DEPLOYED_URL && !external ? `${name}-${RUN}` : name;
}
