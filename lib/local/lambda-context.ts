import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../catalogue';

/** A Lambda `Context` for one local invocation, with a real deadline. */
export function lambdaContext(fn: FunctionSpec, region: string): Context {
  const timeoutMs = (fn.timeoutSeconds ?? 30) * 1000;
  const deadline = Date.now() + timeoutMs;
  const name = `finagg-local-${fn.name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${name}`,
    memoryLimitInMB: String(fn.memoryMb ?? 512),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Runs a handler with the function's timeout, as Lambda would. */
export async function invokeWithTimeout<T>(fn: FunctionSpec, run: () => Promise<T>): Promise<T> {
  const timeoutMs = (fn.timeoutSeconds ?? 30) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
