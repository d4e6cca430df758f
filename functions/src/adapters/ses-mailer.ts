import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../ports';

/** Notice emails through Amazon SES v2 `SendEmail`: simple content with attachments, sent with the configuration set. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet: string | null,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const sent = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: email.to },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
            Attachments: email.attachments.map((attachment) => ({
              FileName: attachment.filename,
              ContentType: attachment.contentType,
              RawContent: attachment.content,
              ContentDisposition: 'ATTACHMENT',
            })),
          },
        },
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      }),
    );
    if (!sent.MessageId) throw new Error('SES accepted the message without a MessageId');
    return { messageId: sent.MessageId };
  }
}
