import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '../../local/cloud/aws-endpoint';
import type { RunningServer } from '../../local/cloud/http-util';
import { createLocalS3, type LocalS3 } from '../../local/cloud/s3';

const bucket = 'fixturestack-letters1a2b3c';
const text = async (body: unknown) =>
  Buffer.from(
    await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  ).toString();

describe('local S3 through the real SDK v3 client', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 's3-'));
  let s3: LocalS3;
  let endpoint: RunningServer;
  let client: S3Client;

  beforeAll(async () => {
    s3 = createLocalS3({
      buckets: [{ logicalId: 'Letters', name: bucket, arn: `arn:aws:s3:::${bucket}` }],
      dataDir,
    });
    endpoint = await startAwsEndpoint({ s3 });
    client = new S3Client({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    s3?.close();
  });

  it('puts, heads, gets (ranges too) and deletes an object, path-style', async () => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'letters/o 1/st1.pdf',
        Body: 'hello letter',
        ContentType: 'application/pdf',
        ContentDisposition: 'attachment; filename="st1.pdf"',
        Metadata: { stage: 'st1' },
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('hello letter').digest('hex')}"`);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf' }));
    expect(head).toMatchObject({
      ContentLength: 12,
      ContentType: 'application/pdf',
      Metadata: { stage: 'st1' },
    });
    expect(head.ContentDisposition).toBe('attachment; filename="st1.pdf"');
    const whole = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf' }));
    expect(await text(whole.Body)).toBe('hello letter');
    const first = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf', Range: 'bytes=0-4' }),
    );
    expect(first.ContentRange).toBe('bytes 0-4/12');
    expect(await text(first.Body)).toBe('hello');
    const last = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf', Range: 'bytes=-6' }),
    );
    expect(await text(last.Body)).toBe('letter');
    await expect(
      client.send(new GetObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf', Range: 'bytes=50-60' })),
    ).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
    await expect(
      client.send(
        new GetObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf', IfNoneMatch: head.ETag }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf' }));
    await expect(
      client.send(new GetObjectCommand({ Bucket: bucket, Key: 'letters/o 1/st1.pdf' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'gone' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });

  it('accepts a streamed (aws-chunked) upload with its trailing checksum and serves the checksum back', async () => {
    const body = Buffer.alloc(300_000, 'a');
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'intake/body.json',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    const got = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'intake/body.json', ChecksumMode: 'ENABLED' }),
    );
    expect(got.ChecksumCRC32).toBeTruthy();
    expect((await text(got.Body)).length).toBe(body.length);
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    for (const key of ['a/1', 'a/2', 'a/3', 'b/sub/1', 'b/sub/2', 'c']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `list/${key}`, Body: key }));
    }
    const top = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/', Delimiter: '/' }),
    );
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/a/', 'list/b/']);
    expect(top.Contents?.map((o) => o.Key)).toEqual(['list/c']);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(['list/a/1', 'list/a/2', 'list/a/3', 'list/b/sub/1', 'list/b/sub/2', 'list/c']);
  });

  it("completes a multipart upload with S3's ETag, and refuses a too-small part", async () => {
    const key = 'big/annex.pdf';
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/pdf' }),
    );
    const partOne = Buffer.alloc(5 * 1024 * 1024, 1);
    const one = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: partOne }),
    );
    const two = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: 'tail' }),
    );
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: one.ETag },
            { PartNumber: 2, ETag: two.ETag },
          ],
        },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head).toMatchObject({ ContentLength: partOne.length + 4, ContentType: 'application/pdf' });

    const small = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'small' }));
    const a = await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'small',
        UploadId: small.UploadId,
        PartNumber: 1,
        Body: 'a',
      }),
    );
    const b = await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'small',
        UploadId: small.UploadId,
        PartNumber: 2,
        Body: 'b',
      }),
    );
    await expect(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'small',
          UploadId: small.UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: a.ETag },
              { PartNumber: 2, ETag: b.ETag },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
  });

  it('serves presigned GET URLs until they expire, and checks their signature', async () => {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'letters/st2.pdf',
        Body: '%PDF st2',
        ContentType: 'application/pdf',
      }),
    );
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key: 'letters/st2.pdf',
      ResponseContentDisposition: 'attachment; filename="st2.pdf"',
    });
    const url = await getSignedUrl(client, command, { expiresIn: 60 });
    expect(url.startsWith(`${endpoint.url}/${bucket}/letters/st2.pdf?`)).toBe(true);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe('attachment; filename="st2.pdf"');
    expect(await ok.text()).toBe('%PDF st2');

    const expired = await getSignedUrl(client, command, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const late = await fetch(expired);
    expect(late.status).toBe(403);
    expect(await late.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);

    const tampered = await fetch(url.replace('st2.pdf?', 'st1.pdf?'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const tooLong = await fetch(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=700000'));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('AuthorizationQueryParametersError');

    const unsigned = await fetch(`${endpoint.url}/${bucket}/letters/st2.pdf`);
    expect(unsigned.status).toBe(403);
    const stranger = new S3Client({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    expect((await fetch(await getSignedUrl(stranger, command, { expiresIn: 60 }))).status).toBe(200);
  });

  it('keeps objects in the data dir across a restart', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'still here' }));
    const reopened = createLocalS3({ buckets: [{ logicalId: 'Letters', name: bucket, arn: '' }], dataDir });
    const stored = reopened.store.get(bucket, 'kept');
    reopened.close();
    expect(stored?.size).toBe(10);
  });
});
