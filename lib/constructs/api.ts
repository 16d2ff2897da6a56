import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
  type HttpStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../catalogue';
import { transparent } from './logical-ids';

export interface ApiProps {
  stage: string;
  corsAllowOrigins: string[];
  /** Cognito Plus feature plan with threat protection enforced. */
  cognitoPlus: boolean;
  /** Keep the user pool and the access logs when the stack is deleted. */
  retainData: boolean;
}

/**
 * Who calls and how: the Cognito user pool and its app client, the HTTP API with its JWT authorizer, CORS,
 * throttling and JSON access logs. Catalogue functions add their routes with `addRoutes`.
 */
export class Api extends Construct {
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  private readonly authorizer: IHttpRouteAuthorizer;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    transparent(this);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // --- Identity ---------------------------------------------------------------------------------------------
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Bank data behind it: a second factor for everyone, by authenticator app (no SMS, no SNS role).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      featurePlan: props.cognitoPlus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(props.cognitoPlus
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: props.retainData,
      removalPolicy,
    });
    if (!props.cognitoPlus) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per monthly active user; deployments opt in with ' +
          '`-c cognitoPlus=true`. MFA is required for every user and passwords are strong in both plans.',
      });
    }
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    const { region, urlSuffix } = Stack.of(this);
    const issuer = `https://cognito-idp.${region}.${urlSuffix}/${this.userPool.userPoolId}`;
    this.authorizer = new HttpJwtAuthorizer('CognitoJwt', issuer, {
      jwtAudience: [this.userPoolClient.userPoolClientId],
    });

    // --- HTTP API ---------------------------------------------------------------------------------------------
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `finagg-${props.stage}`,
      description: 'finagg HTTP API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsAllowOrigins,
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['allow', 'location'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            userId: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });
  }

  /**
   * The entry's routes, all through one Lambda integration: behind the JWT authorizer unless `auth: false`
   * (acknowledged for cdk-nag, with the reason, on exactly those routes).
   */
  addRoutes(spec: FunctionSpec, fn: IFunction): void {
    if (!spec.routes?.length) return;
    const integration = new HttpLambdaIntegration(`${spec.name}Integration`, fn);
    for (const route of spec.routes) {
      const auth = route.auth ?? true;
      const authorizer = auth ? this.authorizer : new HttpNoneAuthorizer();
      const routes =
        route.path === '$default'
          ? [
              new HttpRoute(this.httpApi, 'DefaultRoute', {
                httpApi: this.httpApi,
                routeKey: HttpRouteKey.DEFAULT,
                integration,
                authorizer,
              }),
            ]
          : this.httpApi.addRoutes({
              path: route.path,
              methods: [HttpMethod[route.method]],
              integration,
              authorizer,
            });
      if (auth) continue;
      for (const r of routes) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.path === '$default'
              ? 'The $default catch-all only answers problem+json 404/405 for unmatched requests (no data); it ' +
                'must answer unauthenticated callers too, as ../shared/API.md specifies for unknown routes.'
              : `${route.method} ${route.path} is public by design (catalogue entry ${spec.name}, auth: false; ` +
                '../shared/API.md lists the routes that need no token).',
        });
      }
    }
  }
}
