import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag'
import { z } from 'zod'
import { INDEXES_ADDED_LATER } from '../shared/platform/table'
import { FundfinderStack } from './fundfinder-stack'
import { stageConfigFromContext } from './stage-config'

/**
 * Builds the CDK app for the stage chosen by context (`-c stage=dev|prod`, default dev), with the
 * cdk-nag AWS Solutions and Serverless packs: any unacknowledged finding fails the synth.
 * Tests call this with their own App to check exactly what `cdk synth` produces.
 */
export function buildApp(app: App = new App()): { app: App; stack: FundfinderStack } {
  const config = stageConfigFromContext({
    stage: app.node.tryGetContext('stage'),
    stages: app.node.tryGetContext('stages'),
  })
  const stack = new FundfinderStack(app, `fundfinder-${config.stage}`, {
    config,
    maxNewIndexes: maxNewIndexesFromContext(app.node.tryGetContext('maxNewIndexes')),
    description: `fundfinder (${config.stage}): funding catalogue API, expiry job, identity, alarms`,
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app))
  return { app, stack }
}

/** `-c maxNewIndexes=N`: a whole number from 0 to the number of indexes added later, or absent. */
function maxNewIndexesFromContext(value: unknown): number | undefined {
  if (value === undefined) return undefined
  const parsed = z.coerce.number().int().min(0).max(INDEXES_ADDED_LATER.length).safeParse(value)
  if (!parsed.success) {
    throw new Error(`Invalid context maxNewIndexes: ${String(value)} (0 to ${INDEXES_ADDED_LATER.length})`)
  }
  return parsed.data
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth()
}
