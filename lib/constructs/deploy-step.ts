import type { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Trigger } from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';

export interface DeployStepProps {
  /** The catalogue function to invoke (synchronously: its failure fails the deployment). */
  handler: LambdaFunction;
  /** Invoked once these exist (the database). */
  after: Construct[];
  /** ...and before these are created or updated (every other function). */
  before: Construct[];
  timeout: Duration;
}

/**
 * A catalogue function run by the deployment itself (aws-cdk-lib `triggers.Trigger`): at the first deployment and
 * at every deployment that changes the function (a new migration file changes its package), after `after` and
 * before `before`. CloudFormation rolls the deployment back when it throws.
 */
export class DeployStep extends Construct {
  readonly trigger: Trigger;

  constructor(scope: Construct, id: string, props: DeployStepProps) {
    super(scope, id);
    this.trigger = new Trigger(this, 'Trigger', {
      handler: props.handler,
      executeAfter: props.after,
      executeBefore: props.before,
      executeOnHandlerChange: true,
      timeout: props.timeout,
    });
  }
}
