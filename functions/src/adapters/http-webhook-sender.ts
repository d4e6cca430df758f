import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkAddress, type WebhookUrlRules } from '../domain/webhook-url-policy';
import type { WebhookRequest, WebhookResult, WebhookSender } from '../ports';

/** Seconds from a Retry-After header (delta seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** A DNS lookup that refuses addresses we must not call, so that the checked address is the one connected to. */
export function guardedLookup(rules: WebhookUrlRules): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
        for (const entry of addresses) checkAddress(entry.address, rules);
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(new Error(`no address for ${hostname}`), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

/** POSTs one webhook: never follows redirects, gives up after the timeout, reads at most 64 KB of the answer. */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly rules: WebhookUrlRules) {}

  send(webhook: WebhookRequest): Promise<WebhookResult> {
    const started = performance.now();
    const url = new URL(webhook.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const finish = (result: Omit<WebhookResult, 'latencyMs'>) =>
        resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            ...webhook.headers,
            'content-length': Buffer.byteLength(webhook.body),
            'user-agent': 'Tenggat-Webhooks/1',
          },
          timeout: webhook.timeoutMs,
          lookup: guardedLookup(this.rules),
        },
        (response) => {
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > 65_536) response.destroy();
          });
          const done = () =>
            finish({
              httpStatus: response.statusCode ?? null,
              retryAfterSeconds: parseRetryAfter(
                Array.isArray(response.headers['retry-after'])
                  ? response.headers['retry-after'][0]
                  : response.headers['retry-after'],
                new Date(),
              ),
              error: null,
            });
          response.on('end', done);
          response.on('close', done);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${webhook.timeoutMs} ms`)));
      req.on('error', (error) => finish({ httpStatus: null, retryAfterSeconds: null, error: error.message }));
      req.end(webhook.body);
    });
  }
}
