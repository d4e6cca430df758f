import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReportFiles } from '../ports';

/** Large letters and exports: written to the reports bucket (objects expire after a day), read by presigned GET. */
export class S3ReportFiles implements ReportFiles {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async publish(key: string, body: Buffer, contentType: string, expiresInSeconds: number): Promise<string> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }
}
