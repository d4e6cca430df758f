import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { NewOrder } from '../domain/new-order';
import type { IntakeBodies } from '../ports';

/** The validated bodies of large orders, as JSON objects under `intake/` of the reports bucket. */
export class S3IntakeBodies implements IntakeBodies {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, order: NewOrder): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(order),
        ContentType: 'application/json',
      }),
    );
  }

  async get(key: string): Promise<NewOrder | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await object.Body?.transformToString('utf8');
      // Written by the submit after validation: what comes back is the same NewOrder.
      return text === undefined ? null : (JSON.parse(text) as NewOrder);
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) return null;
      throw error;
    }
  }
}
