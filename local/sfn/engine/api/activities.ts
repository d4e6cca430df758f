import { SfnApiError } from '../../errors';
import type { ActivityRow } from '../catalog-store';
import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import { readTags } from './tags';
import {
  NAME_PATTERN,
  offsetPage,
  optionalString,
  requireArn,
  requiredString,
  type WireInput,
  type WireOutput,
} from './wire';

/** AWS holds a GetActivityTask poll open for up to 60 seconds before answering with no task. */
export const ACTIVITY_POLL_MS = 60_000;

function requireActivity(core: EngineCore, arn: string): ActivityRow {
  requireArn(arn);
  const row = core.store.catalog.getActivity(arn);
  if (!row) throw new SfnApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
  return row;
}

export function createActivity(core: EngineCore, input: WireInput): WireOutput {
  const name = requiredString(input, 'name');
  if (!NAME_PATTERN.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
  const tags = readTags(input.tags);
  const arn = `arn:aws:states:${core.region}:${core.accountId}:activity:${name}`;
  const existing = core.store.catalog.getActivity(arn);
  // CreateActivity is idempotent on the name (AWS ignores differing tags of an existing activity).
  if (existing) return { activityArn: arn, creationDate: toEpochSeconds(existing.createdMs) };
  const createdMs = Date.now();
  core.store.transaction(() => {
    core.store.catalog.insertActivity({ arn, name, createdMs });
    core.store.catalog.putTags(arn, tags);
  });
  return { activityArn: arn, creationDate: toEpochSeconds(createdMs) };
}

export function describeActivity(core: EngineCore, input: WireInput): WireOutput {
  const row = requireActivity(core, requiredString(input, 'activityArn'));
  return { activityArn: row.arn, name: row.name, creationDate: toEpochSeconds(row.createdMs) };
}

export function listActivities(core: EngineCore, input: WireInput): WireOutput {
  return offsetPage(input, core.store.catalog.listActivities(), 'activities', (row) => ({
    activityArn: row.arn,
    name: row.name,
    creationDate: toEpochSeconds(row.createdMs),
  }));
}

export function deleteActivity(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'activityArn');
  requireArn(arn);
  core.store.transaction(() => {
    core.store.catalog.deleteActivity(arn);
    core.store.catalog.dropTags(arn);
  });
  return {};
}

/**
 * GetActivityTask: the oldest task an execution scheduled on the activity, or, after a long poll with none,
 * an answer with no `taskToken` (AWS's empty answer). The worker answers with SendTask* and the token.
 */
export async function getActivityTask(core: EngineCore, input: WireInput): Promise<WireOutput> {
  const activity = requireActivity(core, requiredString(input, 'activityArn'));
  const workerName = optionalString(input, 'workerName') ?? null;
  if (workerName !== null && workerName.length > 80) {
    throw new SfnApiError('ValidationException', 'workerName must be at most 80 characters');
  }
  const task = await core.activities.poll(activity.arn, workerName, core.activityPollMs);
  if (!task) return {};
  return { taskToken: task.token, input: task.input };
}
