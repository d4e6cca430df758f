import { Duration, Stack } from 'aws-cdk-lib';
import type { CfnEventBus } from 'aws-cdk-lib/aws-events';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** `Source` of every Tenggat domain event (the functions' publisher uses the same value). */
export const EVENT_SOURCE = 'tenggat.orders';

export interface DomainEventsProps {
  /**
   * Name of the bus that carries `takedown.*` and `platform.*` events.
   * @default 'tenggat-events'
   */
  readonly busName?: string;
  /**
   * How long the archive keeps every event for replay.
   * @default Duration.days(365)
   */
  readonly archiveRetention?: Duration;
}

/** The EventBridge bus for domain events, with an archive so enforcement systems can replay what they missed. */
export class DomainEvents extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: DomainEventsProps = {}) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName ?? 'tenggat-events' });
    (this.bus.node.defaultChild as CfnEventBus).overrideLogicalId('TenggatEventBus');
    this.bus.archive('Archive', {
      description: 'Every Tenggat domain event, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(365),
    });
  }
}
