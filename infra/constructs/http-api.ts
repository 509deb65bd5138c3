import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib'
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway'
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { Metric } from 'aws-cdk-lib/aws-cloudwatch'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import type { WriteRoute } from '../../functions/api/lib/surfaces'

export interface FundfinderHttpApiProps {
  stage: string
  corsOrigins: readonly string[]
  throttle: { rateLimit: number; burstLimit: number }
  logRetention: RetentionDays
  logRemovalPolicy: RemovalPolicy
}

/** Where the access-log metric filters publish (per account and region: one stage per account). */
export const API_LOG_METRICS = { namespace: 'fundfinder', throttled: 'ApiResponses429' } as const

/**
 * The HTTP API (API Gateway v2) in front of the functions: an explicit `$default` stage with
 * throttling and JSON access logs keyed by `$context.requestId` (the request id the app logs and
 * puts in problems), a count of 429 responses taken from those logs (HTTP APIs publish no metric
 * for them), and routes added one call each: `serveByDefault` for everything no route claims,
 * `serve` for one write route of functions/api/lib/surfaces.ts.
 */
export class FundfinderHttpApi extends Construct {
  readonly httpApi: HttpApi
  readonly stage: HttpStage
  readonly accessLogs: LogGroup
  /** Base URL (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  readonly url: string
  /** 429 responses (stage throttling and the app's rate limits), summed. */
  readonly throttledResponses: Metric
  private readonly integrations = new Map<IFunction, HttpLambdaIntegration>()

  constructor(scope: Construct, id: string, props: FundfinderHttpApiProps) {
    super(scope, id)
    this.httpApi = new HttpApi(this, 'Api', {
      apiName: `fundfinder-${props.stage}`,
      description: 'fundfinder public API and web pages',
      createDefaultStage: false,
      ...(props.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.DELETE,
                CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['authorization', 'content-type', 'if-match', 'x-catalogue-min-version'],
              exposeHeaders: ['etag', 'location', 'x-request-id', 'x-catalogue-version'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    })
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    })
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
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
          }),
        ),
      },
    })
    this.url = this.stage.url

    new MetricFilter(this, 'Throttled', {
      logGroup: this.accessLogs,
      metricNamespace: API_LOG_METRICS.namespace,
      metricName: API_LOG_METRICS.throttled,
      // The access log writes every value as a string.
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricValue: '1',
      defaultValue: 0,
    })
    this.throttledResponses = new Metric({
      namespace: API_LOG_METRICS.namespace,
      metricName: API_LOG_METRICS.throttled,
      statistic: 'Sum',
      period: Duration.minutes(5),
    })
  }

  /** Every request no other route claims goes to `fn`: the public surface. */
  serveByDefault(fn: IFunction, publicBecause: string): HttpRoute {
    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: this.integrationFor(fn),
    })
    Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicBecause })
    return route
  }

  /**
   * One write route (the path and everything below it, for its methods) to `fn`, behind the
   * gateway `authorizer` when the route asks for one (`gatewayAuth: 'jwt'`); a route without says
   * why, and that reason is the acknowledgement of the missing authorizer.
   */
  serve(
    route: WriteRoute,
    fn: IFunction,
    access: { authorizer: IHttpRouteAuthorizer } | { unauthenticatedBecause: string },
  ): HttpRoute[] {
    const authorizer = 'authorizer' in access ? access.authorizer : undefined
    if ((route.gatewayAuth === 'jwt') !== (authorizer !== undefined)) {
      throw new Error(
        `${route.path}: gatewayAuth '${route.gatewayAuth}' needs ${authorizer ? 'no' : 'an'} authorizer`,
      )
    }
    const methods =
      route.methods === 'ANY' ? [HttpMethod.ANY] : route.methods.map((method) => HttpMethod[method])
    return methods.flatMap((method) =>
      [route.path, `${route.path}/{proxy+}`].map((path) => {
        const httpRoute = new HttpRoute(this, `Route ${method} ${path}`.replace(/[^A-Za-z0-9]+/g, '-'), {
          httpApi: this.httpApi,
          routeKey: HttpRouteKey.with(path, method),
          integration: this.integrationFor(fn),
          ...(authorizer ? { authorizer } : {}),
        })
        if ('unauthenticatedBecause' in access) {
          Validations.of(httpRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: access.unauthenticatedBecause,
          })
        }
        return httpRoute
      }),
    )
  }

  /** One integration per function, shared by its routes (each route still gets its own invoke permission). */
  private integrationFor(fn: IFunction): HttpLambdaIntegration {
    let integration = this.integrations.get(fn)
    if (!integration) {
      integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn)
      this.integrations.set(fn, integration)
    }
    return integration
  }
}
