import { Match, type Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { FEEDBACK_METRICS } from '../../functions/mail-feedback/metrics'
import { DIGEST_METRICS } from '../../functions/send-digests/metrics'
import { BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM } from '../../infra/constructs/digests'
import { stageConfigFromContext } from '../../infra/stage-config'
import { parseConfig } from '../../shared/platform/config'
import { cdkContext, stageSettings, synthStage } from './synth'

let dev: Template
let customDomain: Template
beforeAll(() => {
  dev = synthStage('dev').template
  customDomain = synthStage('prod', {
    mail: {
      identity: 'news@grants.example',
      from: 'news@grants.example',
      fromName: 'Grants desk',
      replyTo: 'help@grants.example',
      publicBaseUrl: 'https://grants.example',
    },
  }).template
}, 180_000)

type Resource = { Type: string; Properties: Record<string, any> }

function one(template: Template, type: string, props: Record<string, unknown> = {}): [string, Resource] {
  const found = Object.entries(template.findResources(type, { Properties: Match.objectLike(props) }))
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1)
  return found[0] as [string, Resource]
}

const digestFunction = (template: Template) =>
  one(template, 'AWS::Lambda::Function', { Description: Match.stringLikeRegexp('due email digests') })
const feedbackFunction = (template: Template) =>
  one(template, 'AWS::Lambda::Function', { Description: Match.stringLikeRegexp('bounced and complaining') })
const digestQueue = (template: Template) => {
  const found = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([id]) =>
    id.startsWith('Digests'),
  )
  expect(found).toHaveLength(1)
  return found[0] as [string, Resource]
}
/** The API function that sends confirmation emails: the write surface (a subscription request is a write). */
const apiFunction = (template: Template) =>
  one(template, 'AWS::Lambda::Function', { Description: Match.stringLikeRegexp('write surface') })

function statementsOf(template: Template, fn: Resource): any[] {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0]
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy: any) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
}

describe('email digests in AWS', () => {
  it('sends through an SES v2 identity from the stage, with a configuration set that tracks nothing', () => {
    const [configSetId, configSet] = one(dev, 'AWS::SES::ConfigurationSet')
    expect(configSet.Properties).toMatchObject({
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    })
    // No open or click tracking, no engagement metrics.
    expect(configSet.Properties.TrackingOptions).toBeUndefined()
    expect(configSet.Properties.VdmOptions).toBeUndefined()
    expect(
      dev.findResources('AWS::SES::ConfigurationSetEventDestination', {
        Properties: { EventDestination: { MatchingEventTypes: Match.arrayWith(['open']) } },
      }),
    ).toEqual({})
    one(dev, 'AWS::SES::EmailIdentity', {
      EmailIdentity: stageSettings('dev').mail!.identity,
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configSetId } },
    })
    one(customDomain, 'AWS::SES::EmailIdentity', { EmailIdentity: 'news@grants.example' })
  })

  it('reports bounces and complaints to SNS, where a function suppresses the addresses (with a DLQ)', () => {
    const [configSetId] = one(dev, 'AWS::SES::ConfigurationSet')
    const [topicId] = one(dev, 'AWS::SNS::Topic', { DisplayName: 'fundfinder mail bounces and complaints' })
    one(dev, 'AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: topicId } },
      },
    })
    // Only SES, from this configuration set, may publish; only over TLS.
    dev.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: Match.objectLike({ 'AWS:SourceArn': Match.anyValue() }) },
          }),
        ]),
      },
    })
    const [feedbackId, feedback] = feedbackFunction(dev)
    one(dev, 'AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [feedbackId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    })
    expect(feedback.Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: FEEDBACK_METRICS.service,
    })
    const actions = statementsOf(dev, feedback).flatMap((s) => [s.Action].flat())
    expect(actions.filter((action: string) => action.startsWith('ses:'))).toEqual([])
    expect(actions).not.toContain('dynamodb:Scan')
  })

  it('runs the digest function daily at 07:00 and on Mondays at 07:00, Brussels time, with retries and a DLQ', () => {
    const [digestId, digest] = digestFunction(dev)
    expect(digest.Properties).toMatchObject({ Timeout: 900, MemorySize: 1024, Architectures: ['arm64'] })
    const schedules = Object.values(dev.findResources('AWS::Scheduler::Schedule')).filter(
      (schedule: any) => schedule.Properties.Target.Arn['Fn::GetAtt'][0] === digestId,
    ) as Resource[]
    expect(schedules.map((s) => [s.Properties.ScheduleExpression, s.Properties.Target.Input]).sort()).toEqual(
      [
        ['cron(0 7 ? * * *)', '{"frequency":"daily"}'],
        ['cron(0 7 ? * MON *)', '{"frequency":"weekly"}'],
      ],
    )
    const [queueId] = digestQueue(dev)
    for (const schedule of schedules) {
      expect(schedule.Properties).toMatchObject({
        ScheduleExpressionTimezone: 'Europe/Brussels',
        State: 'ENABLED',
        Target: {
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 3 },
        },
      })
    }
    dev.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: digestId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    })
  })

  it('grants the digest function its index, item access and sending as the configured sender only', () => {
    const [, digest] = digestFunction(dev)
    const [tableId] = one(dev, 'AWS::DynamoDB::GlobalTable')
    const [configSetId] = one(dev, 'AWS::SES::ConfigurationSet')
    const [identityId] = one(dev, 'AWS::SES::EmailIdentity')
    const statements = statementsOf(dev, digest)
    const table = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))
    expect(table.Resource).toEqual([
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/subscriptionsDue']] },
    ])
    const ses = statements.find((s) => [s.Action].flat().includes('ses:SendEmail'))
    expect(ses.Action).toEqual(['ses:SendEmail', 'ses:SendRawEmail'])
    expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': stageSettings('dev').mail!.from } })
    const resources = JSON.stringify(ses.Resource)
    expect(resources).toContain(identityId)
    expect(resources).toContain(`:configuration-set/",${JSON.stringify({ Ref: configSetId })}`)
    const actions = statements.flatMap((s) => [s.Action].flat())
    expect(actions.filter((action: string) => action.includes('*'))).toEqual([])
    expect(actions).not.toContain('dynamodb:Scan')
  })

  it("gives the digest function and the API a mail environment that the app's config schema accepts", () => {
    const [configSetId] = one(dev, 'AWS::SES::ConfigurationSet')
    for (const [name, [, fn]] of [
      ['digest', digestFunction(dev)],
      ['api', apiFunction(dev)],
    ] as const) {
      const env = fn.Properties.Environment.Variables
      expect(env, name).toMatchObject({
        MAIL_TRANSPORT: 'ses',
        SES_CONFIGURATION_SET: { Ref: configSetId },
        MAIL_FROM: `fundfinder <${stageSettings('dev').mail!.from}>`,
      })
      expect(env.SMTP_URL, name).toBeUndefined()
      // Deploy-time values replaced by what CloudFormation resolves them to.
      const resolved = Object.fromEntries(
        Object.entries<unknown>(env).map(([key, value]) => [
          key,
          typeof value === 'string'
            ? value
            : (
                {
                  SES_CONFIGURATION_SET: 'DigestsConfigurationSetDD4E5ECE-AbC123',
                  PUBLIC_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
                  TABLE_NAME: 'fundfinder-dev-CatalogueTable-ABC123',
                  AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
                  AUTH_AUDIENCE: 'client',
                  WEB_CLIENT_ID: 'client',
                  COGNITO_DOMAIN: 'https://fundfinder-dev.auth.eu-west-1.amazoncognito.com',
                } as Record<string, string>
              )[key],
        ]),
      )
      const config = parseConfig({ ...resolved, AWS_REGION: 'eu-west-1' })
      expect(config.mail).toMatchObject({
        transport: 'ses',
        from: `fundfinder <${stageSettings('dev').mail!.from}>`,
      })
      expect(config.publicBaseUrl).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com')
    }
    // A stage with its own domain for links, sender name and reply-to.
    const [, custom] = digestFunction(customDomain)
    expect(custom.Properties.Environment.Variables).toMatchObject({
      MAIL_FROM: 'Grants desk <news@grants.example>',
      MAIL_REPLY_TO: 'help@grants.example',
      PUBLIC_BASE_URL: 'https://grants.example',
    })
    // The API sends confirmations: it may send too, as the same sender.
    const [, api] = apiFunction(dev)
    const ses = statementsOf(dev, api).find((s) => [s.Action].flat().includes('ses:SendEmail'))
    expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': stageSettings('dev').mail!.from } })
  })

  it('alarms on digest failures, function errors, the DLQ and the SES bounce and complaint rates', () => {
    const [topicId] = one(dev, 'AWS::SNS::Topic', { DisplayName: 'fundfinder alarms' })
    const [digestId] = digestFunction(dev)
    const [feedbackId] = feedbackFunction(dev)
    const alarm = (props: Record<string, unknown>) =>
      dev.hasResourceProperties('AWS::CloudWatch::Alarm', { ...props, AlarmActions: [{ Ref: topicId }] })
    for (const fnId of [digestId, feedbackId]) {
      alarm({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      })
    }
    alarm({
      Namespace: DIGEST_METRICS.namespace,
      MetricName: 'DigestFailures',
      Dimensions: [{ Name: 'service', Value: DIGEST_METRICS.service }],
      Statistic: 'Sum',
      Threshold: 1,
    })
    alarm({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: BOUNCE_RATE_ALARM })
    alarm({ Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate', Threshold: COMPLAINT_RATE_ALARM })
    expect(BOUNCE_RATE_ALARM).toBeLessThan(0.05)
    expect(COMPLAINT_RATE_ALARM).toBeLessThan(0.001)
    const [queueId] = digestQueue(dev)
    alarm({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    })
  })

  it('validates the mail settings of a stage', () => {
    const context = (mail: unknown) => {
      const base = cdkContext('dev')
      return { stage: 'dev', stages: { dev: { ...base.stages.dev, mail } } }
    }
    expect(() =>
      stageConfigFromContext(context({ identity: 'example.org', from: 'x@elsewhere.org' })),
    ).toThrow(/mail.from: from must be the identity itself or an address on the identity domain/)
    expect(() =>
      stageConfigFromContext(context({ identity: 'Not A Domain', from: 'x@example.org' })),
    ).toThrow(/mail.identity/)
    expect(() =>
      stageConfigFromContext(
        context({ identity: 'example.org', from: 'x@example.org', fromName: 'A\r\nBcc: y' }),
      ),
    ).toThrow(/mail.fromName/)
    expect(() =>
      stageConfigFromContext(
        context({ identity: 'example.org', from: 'x@example.org', publicBaseUrl: 'http://example.org' }),
      ),
    ).toThrow(/mail.publicBaseUrl/)
    expect(() =>
      stageConfigFromContext({
        stage: 'dev',
        stages: { dev: { ...cdkContext('dev').stages.dev, mail: undefined } },
      }),
    ).toThrow(/mail/)
    expect(stageConfigFromContext(context({ identity: 'example.org', from: 'x@example.org' })).mail).toEqual({
      identity: 'example.org',
      from: 'x@example.org',
      fromName: 'fundfinder',
    })
  })
})
