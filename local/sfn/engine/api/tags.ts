import { SfnApiError } from '../../errors';
import type { EngineCore } from './engine-core';
import { requireArn, requiredString, type WireInput, type WireOutput } from './wire';

const MAX_TAGS = 50;

function validation(message: string): SfnApiError {
  return new SfnApiError('ValidationException', message);
}

/** `[{ key, value }]` as TagResource and CreateStateMachine / CreateActivity take it. */
export function readTags(value: unknown): { key: string; value: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw validation('tags must be a list');
  const tags = value.map((entry) => {
    const { key, value: tagValue } = (entry ?? {}) as Record<string, unknown>;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) {
      throw validation('Tag keys must be between 1 and 128 characters');
    }
    const text = tagValue ?? '';
    if (typeof text !== 'string' || text.length > 256)
      throw validation('Tag values must be at most 256 characters');
    return { key, value: text };
  });
  if (tags.length > MAX_TAGS) throw tooManyTags('');
  return tags;
}

function tooManyTags(resourceArn: string): SfnApiError {
  return new SfnApiError('TooManyTags', `Too many tags on resource '${resourceArn}' (at most ${MAX_TAGS})`);
}

/** Tags belong to state machines and activities; any other ARN is ResourceNotFound, as on AWS. */
function requireTaggable(core: EngineCore, input: WireInput): string {
  const arn = requiredString(input, 'resourceArn');
  requireArn(arn);
  if (!core.store.getMachine(arn) && !core.store.catalog.getActivity(arn)) {
    throw new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`);
  }
  return arn;
}

export function tagResource(core: EngineCore, input: WireInput): WireOutput {
  const arn = requireTaggable(core, input);
  const tags = readTags(input.tags);
  const keys = new Set([
    ...core.store.catalog.tagsOf(arn).map((tag) => tag.key),
    ...tags.map((tag) => tag.key),
  ]);
  if (keys.size > MAX_TAGS) throw tooManyTags(arn);
  core.store.catalog.putTags(arn, tags);
  return {};
}

export function untagResource(core: EngineCore, input: WireInput): WireOutput {
  const arn = requireTaggable(core, input);
  const keys = input.tagKeys;
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) {
    throw validation('tagKeys must be a list of strings');
  }
  core.store.catalog.removeTags(arn, keys as string[]);
  return {};
}

export function listTagsForResource(core: EngineCore, input: WireInput): WireOutput {
  return { tags: core.store.catalog.tagsOf(requireTaggable(core, input)) };
}
