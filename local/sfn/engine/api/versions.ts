import { SfnApiError } from '../../errors';
import type { VersionRow } from '../catalog-store';
import type { StateMachineRow } from '../store';
import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import {
  offsetPage,
  optionalString,
  requireArn,
  requiredString,
  type WireInput,
  type WireOutput,
} from './wire';

/** `arn:…:stateMachine:<name>` and, after one more colon, a version number or an alias name. */
export function splitMachineArn(arn: string): { baseArn: string; qualifier?: string } {
  const parts = arn.split(':');
  if (parts.length === 8 && parts[5] === 'stateMachine') {
    return { baseArn: parts.slice(0, 7).join(':'), qualifier: parts[7] };
  }
  return { baseArn: arn };
}

export function isVersionQualifier(qualifier: string | undefined): qualifier is string {
  return qualifier !== undefined && /^\d+$/.test(qualifier);
}

export function requireVersion(core: EngineCore, arn: string): VersionRow {
  requireArn(arn);
  const row = core.store.catalog.getVersion(arn);
  if (!row) throw new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`);
  return row;
}

/**
 * Publishes the machine's current revision as a new version, or answers with the newest version when that
 * revision is already published (AWS does the same). Runs inside the caller's transaction, if any.
 */
export function publishVersion(
  core: EngineCore,
  machine: StateMachineRow,
  description: string | undefined,
): VersionRow {
  const catalog = core.store.catalog;
  const newest = catalog.versionsOf(machine.arn)[0];
  if (newest && newest.revisionId === machine.revisionId) return newest;
  const version = catalog.nextVersionNumber(machine.arn);
  const row: VersionRow = {
    arn: `${machine.arn}:${version}`,
    machineArn: machine.arn,
    version,
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    revisionId: machine.revisionId,
    description: description ?? null,
    createdMs: Date.now(),
  };
  catalog.insertVersion(row);
  return row;
}

export function checkVersionDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 256) {
    throw new SfnApiError(
      'ValidationException',
      "1 validation error detected: Value at 'versionDescription' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  }
}

export function publishStateMachineVersion(core: EngineCore, input: WireInput): WireOutput {
  const machine = core.requireMachine(requiredString(input, 'stateMachineArn'));
  const revisionId = optionalString(input, 'revisionId');
  const description = optionalString(input, 'description');
  checkVersionDescription(description);
  if (revisionId !== undefined && revisionId !== machine.revisionId) {
    throw new SfnApiError(
      'ConflictException',
      `Failed to publish the State Machine version for revision ${revisionId}. The current State Machine revision is ${machine.revisionId}.`,
    );
  }
  const row = core.store.transaction(() => publishVersion(core, machine, description));
  return { stateMachineVersionArn: row.arn, creationDate: toEpochSeconds(row.createdMs) };
}

export function listStateMachineVersions(core: EngineCore, input: WireInput): WireOutput {
  const machine = core.requireMachine(requiredString(input, 'stateMachineArn'));
  return offsetPage(input, core.store.catalog.versionsOf(machine.arn), 'stateMachineVersions', (row) => ({
    stateMachineVersionArn: row.arn,
    creationDate: toEpochSeconds(row.createdMs),
  }));
}

export function deleteStateMachineVersion(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'stateMachineVersionArn');
  requireArn(arn);
  const { baseArn, qualifier } = splitMachineArn(arn);
  if (!isVersionQualifier(qualifier)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  const referring = core.store.catalog
    .aliasesOf(baseArn)
    .find((alias) => alias.routing.some((entry) => entry.stateMachineVersionArn === arn));
  if (referring) {
    throw new SfnApiError(
      'ConflictException',
      `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${referring.arn}]`,
    );
  }
  core.store.catalog.deleteVersion(arn);
  return {};
}

/** DescribeStateMachine of a version ARN: the version's definition under its own ARN. */
export function describeVersion(core: EngineCore, arn: string): WireOutput {
  const row = core.store.catalog.getVersion(arn);
  if (!row) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  const output: WireOutput = {
    stateMachineArn: row.arn,
    name: row.machineArn.split(':').pop() ?? '',
    status: 'ACTIVE',
    definition: row.definition,
    roleArn: row.roleArn,
    type: row.type,
    creationDate: toEpochSeconds(row.createdMs),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
    revisionId: row.revisionId,
  };
  if (row.description !== null) output.description = row.description;
  return output;
}
