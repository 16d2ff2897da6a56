/** A bundle entry for test/unit/lib/stack-bundling.test.ts: answers the stack of an error made two frames deep. */
function failing(reason: string): Error {
  return new Error(`failed: ${reason}`);
}

export function handler(): { stack: string } {
  return { stack: failing('on purpose').stack ?? '' };
}
