import { readFileSync } from 'node:fs'
import { App, Validations } from 'aws-cdk-lib'
import { Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda'
import { Queue } from 'aws-cdk-lib/aws-sqs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildApp } from '../../infra/app'
import { LAMBDA_RUNTIME } from '../../infra/bundling'
import { STAGE_NAMES } from '../../infra/stage-config'
import { cdkContext } from './synth'

interface ValidationReport {
  pluginReports: {
    pluginName: string
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[]
  }[]
}

/** A synth takes seconds, much longer on a busy machine. */
const SYNTH_TIMEOUT_MS = 120_000

/** Synthesises; returns the cdk-nag findings (empty when the synth passed). */
function synthFindings(app: App): { rule: string; path: string }[] {
  try {
    app.synth()
    return []
  } catch (error) {
    expect((error as Error).message).toMatch(/Validation failed|ERROR/)
    const report = JSON.parse(
      readFileSync(`${app.outdir}/validation-report.json`, 'utf8'),
    ) as ValidationReport
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((c) => ({ rule: violation.ruleName, path: c.constructPath })),
      ),
    )
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('cdk-nag (AWS Solutions and Serverless packs)', () => {
  it.each(STAGE_NAMES)(
    'passes a full synth of the %s stage',
    (stage) => {
      const { app } = buildApp(new App({ context: cdkContext(stage) }))
      expect(synthFindings(app)).toEqual([])
    },
    SYNTH_TIMEOUT_MS,
  )

  it(
    'fails the synth on an unacknowledged finding of either pack',
    () => {
      const { app, stack } = buildApp(new App({ context: cdkContext('dev') }))
      new Queue(stack, 'PlainQueue')
      new LambdaFunction(stack, 'BareFunction', {
        runtime: LAMBDA_RUNTIME,
        handler: 'index.handler',
        code: Code.fromInline('export const handler = async () => 1'),
      })
      const rules = synthFindings(app).map((finding) => finding.rule)
      expect(rules).toContain('AwsSolutions-SQS4')
      expect(rules).toContain('Serverless-LambdaDefaultMemorySize')
    },
    SYNTH_TIMEOUT_MS,
  )

  it(
    'acknowledges each finding exactly where it arises, with a reason, and no acknowledgement is stale',
    () => {
      // The acknowledgements as recorded on the constructs...
      const { stack } = buildApp(new App({ context: cdkContext('prod', { alarmEmail: 'ops@example.org' }) }))
      const acknowledged = stack.node.findAll().flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) =>
            Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
              rule: id.replace(/^Annotation::/, ''),
              path: construct.node.path,
              reason,
            })),
          ),
      )
      for (const { rule, reason } of acknowledged) expect(reason.length, rule).toBeGreaterThan(60)

      // ...against what cdk-nag finds when nothing is acknowledged.
      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {})
      const { app } = buildApp(new App({ context: cdkContext('prod', { alarmEmail: 'ops@example.org' }) }))
      const findings = synthFindings(app)
      expect(findings.length).toBeGreaterThan(0)
      const covers = (ack: { rule: string; path: string }, finding: { rule: string; path: string }) =>
        ack.rule === finding.rule && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`))
      for (const finding of findings) {
        expect(
          acknowledged.filter((ack) => covers(ack, finding)),
          `${finding.rule} at ${finding.path}`,
        ).toHaveLength(1)
      }
      for (const ack of acknowledged) {
        expect(
          findings.some((finding) => covers(ack, finding)),
          `stale acknowledgement ${ack.rule} at ${ack.path}`,
        ).toBe(true)
      }
    },
    SYNTH_TIMEOUT_MS,
  )
})
