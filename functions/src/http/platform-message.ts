import type { PlatformMessage } from '../use-cases/record-platform-responses';
import type { PlatformResponsesBody } from './schemas';

/** The signed body, validated, as the use case's message: answers for items, or a clarification request. */
export function platformMessageOf(body: PlatformResponsesBody): PlatformMessage {
  return body.clarificationRequest
    ? { takedownRequestId: body.takedownRequestId, clarificationRequest: body.clarificationRequest }
    : { takedownRequestId: body.takedownRequestId, items: body.items ?? [] };
}
