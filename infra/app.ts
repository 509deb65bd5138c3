import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag'
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
    description: `fundfinder (${config.stage}): funding catalogue API, expiry job, identity, alarms`,
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app))
  return { app, stack }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth()
}
