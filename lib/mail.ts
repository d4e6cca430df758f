import { EventBus } from 'aws-cdk-lib/aws-events';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** The configuration set every notice email is sent with (its events come back on the default bus). */
export const NOTICE_CONFIGURATION_SET = 'tenggat-notices';

export interface NoticeMailProps {
  /**
   * The sender of every notice email; its domain becomes the verified SES identity (DKIM records to publish in DNS:
   * see `docs/deploy.md`).
   */
  readonly mailFrom: string;
  /**
   * Name of the configuration set.
   * @default NOTICE_CONFIGURATION_SET
   */
  readonly configurationSetName?: string;
}

/**
 * Amazon SES for the fallback notices: a verified domain identity and a configuration set whose sending events
 * (sent, delivered, bounced, complained, rejected) go to the account's default event bus, where a rule hands them to
 * the email function to record on the delivery.
 */
export class NoticeMail extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly mailFrom: string;

  constructor(scope: Construct, id: string, props: NoticeMailProps) {
    super(scope, id);
    this.mailFrom = props.mailFrom;
    const domain = props.mailFrom.split('@')[1] ?? props.mailFrom;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName ?? NOTICE_CONFIGURATION_SET,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(domain),
      configurationSet: this.configurationSet,
    });
    // SES publishes sending events to the default bus only.
    new ConfigurationSetEventDestination(this, 'Events', {
      configurationSet: this.configurationSet,
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
      ],
    });
  }
}
