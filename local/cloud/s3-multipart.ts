/** S3 multipart uploads: CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload, Abort. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { S3Error } from './s3-auth';
import { newObjectFrom, sendXml, type Target, xmlBody } from './s3-http';
import type { S3Store } from './s3-store';

const MIN_PART_BYTES = 5 * 1024 * 1024;

export async function serveMultipart(
  request: IncomingMessage,
  response: ServerResponse,
  target: Target,
  store: S3Store,
  body: (request: IncomingMessage) => Promise<{ data: Buffer; checksums: Record<string, string> }>,
): Promise<boolean> {
  const { bucket, key, query } = target;
  if (request.method === 'POST' && query.has('uploads')) {
    request.resume();
    const described = newObjectFrom(request, bucket, key, {});
    const upload = store.createUpload(described);
    sendXml(response, 200, 'InitiateMultipartUploadResult', {
      Bucket: bucket,
      Key: key,
      UploadId: upload.uploadId,
    });
    return true;
  }
  const uploadId = query.get('uploadId');
  if (uploadId === null) return false;
  const upload = store.upload(uploadId);
  if (!upload || upload.bucket !== bucket || upload.key !== key) {
    request.resume();
    throw new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: uploadId },
    );
  }
  if (request.method === 'PUT') {
    const partNumber = Number(query.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
    }
    const { data } = await body(request);
    response.writeHead(200, { etag: store.putPart(uploadId, partNumber, data) });
    response.end();
  } else if (request.method === 'DELETE') {
    store.abortUpload(uploadId);
    response.writeHead(204).end();
  } else if (request.method === 'GET') {
    sendXml(response, 200, 'ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      IsTruncated: false,
      Part: store.parts(uploadId).map((p) => ({ PartNumber: p.part_number, ETag: p.etag, Size: p.size })),
    });
  } else {
    const { data } = await body(request);
    let parsed: { CompleteMultipartUpload?: { Part?: { PartNumber?: string; ETag?: string }[] } };
    try {
      parsed = xmlBody.parse(data.toString('utf8'));
    } catch {
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    const chosen = parsed.CompleteMultipartUpload?.Part ?? [];
    if (chosen.length === 0)
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    const known = new Map(store.parts(uploadId).map((p) => [p.part_number, p]));
    const numbers = chosen.map((part) => Number(part.PartNumber));
    numbers.forEach((number, index) => {
      if (index > 0 && number <= (numbers[index - 1] ?? 0))
        throw new S3Error(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      const part = known.get(number);
      const etag = String(chosen[index]?.ETag ?? '').replaceAll('&quot;', '"');
      if (!part || (etag !== part.etag && `"${etag}"` !== part.etag))
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      if (index < numbers.length - 1 && part.size < MIN_PART_BYTES)
        throw new S3Error(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
        );
    });
    const stored = store.completeUpload(upload, numbers);
    sendXml(response, 200, 'CompleteMultipartUploadResult', {
      Location: `http://${request.headers.host}/${bucket}/${encodeURIComponent(key)}`,
      Bucket: bucket,
      Key: key,
      ETag: stored.etag,
    });
  }
  return true;
}
