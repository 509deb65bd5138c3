import { readFileSync } from 'node:fs'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { buildApp } from '../../infra/app'
import type { StageName, StageSettings } from '../../infra/stage-config'

const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown> & { stages: Record<StageName, Partial<StageSettings>> }
}

/**
 * The CDK context `cdk synth -c stage=<stage>` would see (cdk.json), with optional per-stage
 * overrides. Asset bundling is skipped (`aws:cdk:bundling-stacks: []`): esbuild runs in
 * bundles.test.ts, which checks the bundles themselves.
 */
export function cdkContext(stage: StageName, overrides: Partial<StageSettings> = {}, bundle = false) {
  const { stages, ...rest } = CDK_JSON.context
  return {
    ...rest,
    stage,
    stages: { ...stages, [stage]: { ...stages[stage], ...overrides } },
    ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
  }
}

/** The app exactly as infra/app.ts builds it (cdk-nag included), for one stage. */
export function synthStage(stage: StageName, overrides: Partial<StageSettings> = {}) {
  const { app, stack } = buildApp(new App({ context: cdkContext(stage, overrides) }))
  return { app, stack, template: Template.fromStack(stack) }
}

/** Per-stage settings from cdk.json, to compare the template with. */
export const stageSettings = (stage: StageName) => CDK_JSON.context.stages[stage]
