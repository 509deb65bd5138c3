import { Duration, Validations } from 'aws-cdk-lib'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'
import type { AlarmTopic } from './alarm-topic'

export interface DeadLetterQueueProps {
  /** What gives up into this queue, for the cdk-nag acknowledgements ("the expiry schedule"). */
  deadLetterQueueOf: string
  /**
   * Another queue's redrive policy names this one. cdk-nag then sees that it is a dead-letter queue
   * (no AwsSolutions-SQS3 finding); schedules, destinations and subscriptions it cannot see.
   */
  redriveTarget?: boolean
  alarms: AlarmTopic
  /** The alarm's id on the alarm topic, for example `ExpiryDeadLetterMessages`. */
  alarmId: string
  alarmDescription: string
}

/**
 * Where failed work waits, the same way everywhere: SSE-SQS, TLS only, kept for the 14 days SQS
 * allows, and an alarm as soon as one message is there (a dead-letter queue nobody watches is a
 * place where failures disappear).
 */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    const reason = `This queue is itself the dead-letter queue of ${props.deadLetterQueueOf}; the ${props.alarmId} alarm watches it.`
    Validations.of(this).acknowledge(...(props.redriveTarget ? [] : [{ id: 'AwsSolutions-SQS3', reason }]), {
      id: 'Serverless-SQSRedrivePolicy',
      reason,
    })
    props.alarms.alarm(
      props.alarmId,
      this.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      { description: props.alarmDescription },
    )
  }
}
