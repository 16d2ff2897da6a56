#!/usr/bin/env node
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FinaggStack, type FinaggStackProps } from '../lib/stack';

/**
 * The CDK app: one FinaggStack per stage (`-c stage=prod`, default `dev`), environment-agnostic (no account or
 * region is looked up, so `cdk synth` works offline without credentials), checked by cdk-nag's AwsSolutions pack.
 * cdk-nag 3 is a policy-validation plugin: its findings are reported at the end of synthesis and an unacknowledged
 * error fails it. Every acknowledgment sits next to the resource it concerns, in lib/constructs/, with its reason.
 */
export function createApp(
  app: App = new App(),
  props: FinaggStackProps = {},
): { app: App; stack: FinaggStack } {
  const stage = (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
  const stack = new FinaggStack(app, `Finagg-${stage}`, { stage, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

// Run as a program (cdk.json: `npx tsx bin/app.ts`), not when a test imports createApp.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  createApp().app.synth();
}
