import { Validations } from 'aws-cdk-lib'
import {
  Alarm,
  ComparisonOperator,
  type CreateAlarmOptions,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Construct } from 'constructs'

export interface AlarmTopicProps {
  /** Subscribed to every alarm when given. */
  email?: string | undefined
}

/** One SNS topic that every alarm notifies, and a helper that creates alarms wired to it. */
export class AlarmTopic extends Construct {
  readonly topic: Topic

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id)
    this.topic = new Topic(this, 'Topic', { displayName: 'fundfinder alarms', enforceSSL: true })
    if (props.email) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.email))
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An email delivery that fails is retried by SNS, and the alarm stays visible in CloudWatch; a dead-letter queue of undelivered alarm emails would be one more thing nobody watches.',
      })
    }
  }

  /**
   * An alarm that fires when `metric` reaches `threshold` (default: any occurrence), notifying the
   * topic on alarm and on recovery. Missing data means nothing happened, which is not a breach.
   */
  alarm(
    id: string,
    metric: IMetric,
    { description, ...options }: Partial<CreateAlarmOptions> & { description: string },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
      ...options,
    })
    const action = new SnsAction(this.topic)
    alarm.addAlarmAction(action)
    alarm.addOkAction(action)
    return alarm
  }
}
