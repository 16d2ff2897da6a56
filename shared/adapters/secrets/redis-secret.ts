import * as z from 'zod';

const RedisSecret = z.object({ url: z.url(), token: z.string().min(1) });

/** The Upstash REST credentials the stack keeps in Secrets Manager: `{"url": "...", "token": "..."}`. */
export async function readRedisSecret(arn: string): Promise<z.infer<typeof RedisSecret>> {
  // Loaded here, once, rather than at every cold start.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  const parsed = RedisSecret.safeParse(JSON.parse(out.SecretString ?? '{}'));
  if (!parsed.success) throw new Error(`The Redis secret ${arn} must be JSON {"url", "token"}`);
  return parsed.data;
}
