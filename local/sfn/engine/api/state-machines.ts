import { SfnApiError } from '../../errors';
import { validateDefinition } from '../jsonpath-bridge';
import type { StateMachineRow } from '../store';
import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import { readTags } from './tags';
import {
  checkVersionDescription,
  describeVersion,
  isVersionQualifier,
  publishVersion,
  splitMachineArn,
} from './versions';
import {
  NAME_PATTERN,
  offsetPage,
  optionalString,
  requireArn,
  requiredString,
  revisionOf,
  type WireInput,
  type WireOutput,
} from './wire';

const DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/local-step-functions';

/** Refuses a definition that is not JSON or that the validator rejects, with AWS's InvalidDefinition. */
export function checkDefinition(text: string): void {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SfnApiError(
      'InvalidDefinition',
      `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${detail}'`,
    );
  }
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new SfnApiError(
      'InvalidDefinition',
      "Invalid State Machine Definition: 'the definition must be an object'",
    );
  }
  const problems = validateDefinition(definition, { queryLanguageDefault: 'JSONPath' });
  if (problems.length > 0) {
    throw new SfnApiError(
      'InvalidDefinition',
      `Invalid State Machine Definition: '${problems.map((problem) => String(problem)).join(', ')}'`,
    );
  }
}

export function createStateMachine(core: EngineCore, input: WireInput): WireOutput {
  const name = requiredString(input, 'name');
  const definitionText = requiredString(input, 'definition');
  const roleArn = optionalString(input, 'roleArn') ?? DEFAULT_ROLE;
  const type = optionalString(input, 'type') ?? 'STANDARD';
  if (!NAME_PATTERN.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
  if (type !== 'STANDARD' && type !== 'EXPRESS') {
    throw new SfnApiError('ValidationException', `Value '${type}' at 'type' failed to satisfy constraint`);
  }
  checkDefinition(definitionText);
  const versionDescription = optionalString(input, 'versionDescription');
  checkVersionDescription(versionDescription);
  const publish = input.publish === true;
  if (versionDescription !== undefined && !publish) {
    throw new SfnApiError('ValidationException', 'Version description can only be set when publish is true');
  }
  const tags = readTags(input.tags);
  const arn = `arn:aws:states:${core.region}:${core.accountId}:stateMachine:${name}`;
  const existing = core.store.getMachine(arn);
  if (existing) {
    if (existing.definition === definitionText && existing.roleArn === roleArn && existing.type === type) {
      return { stateMachineArn: arn, creationDate: toEpochSeconds(existing.createdMs) };
    }
    throw new SfnApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
  const row = {
    arn,
    name,
    definition: definitionText,
    roleArn,
    type,
    createdMs: Date.now(),
    updatedMs: null,
    revisionId: revisionOf(definitionText),
  };
  const version = core.store.transaction(() => {
    core.store.insertMachine(row);
    core.store.catalog.putTags(arn, tags);
    return publish ? publishVersion(core, row, versionDescription) : undefined;
  });
  const output: WireOutput = { stateMachineArn: arn, creationDate: toEpochSeconds(row.createdMs) };
  if (version) output.stateMachineVersionArn = version.arn;
  return output;
}

export function updateStateMachine(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'stateMachineArn');
  const existing = core.requireMachine(arn);
  const definition = optionalString(input, 'definition') ?? existing.definition;
  const roleArn = optionalString(input, 'roleArn') ?? existing.roleArn;
  if (
    input.definition === undefined &&
    input.roleArn === undefined &&
    input.loggingConfiguration === undefined
  ) {
    throw new SfnApiError('MissingRequiredParameter', 'Either the definition or the roleArn must be given');
  }
  checkDefinition(definition);
  const versionDescription = optionalString(input, 'versionDescription');
  checkVersionDescription(versionDescription);
  const updatedMs = Date.now();
  const changed = definition !== existing.definition || roleArn !== existing.roleArn;
  // An update that changes nothing keeps the revision, so publishing it again finds the same version.
  const revisionId = changed ? revisionOf(`${definition}${roleArn}${updatedMs}`) : existing.revisionId;
  const version = core.store.transaction(() => {
    core.store.updateMachine({ arn, definition, roleArn, updatedMs, revisionId });
    if (input.publish !== true) return undefined;
    return publishVersion(core, { ...existing, definition, roleArn, revisionId }, versionDescription);
  });
  const output: WireOutput = { updateDate: toEpochSeconds(updatedMs), revisionId };
  if (version) output.stateMachineVersionArn = version.arn;
  return output;
}

function describeMachine(row: StateMachineRow): WireOutput {
  return {
    stateMachineArn: row.arn,
    name: row.name,
    status: 'ACTIVE',
    definition: row.definition,
    roleArn: row.roleArn,
    type: row.type,
    creationDate: toEpochSeconds(row.createdMs),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
    revisionId: row.revisionId,
  };
}

export function describeStateMachine(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'stateMachineArn');
  requireArn(arn);
  const { qualifier } = splitMachineArn(arn);
  if (isVersionQualifier(qualifier)) return describeVersion(core, arn);
  return describeMachine(core.requireMachine(arn));
}

export function listStateMachines(core: EngineCore, input: WireInput): WireOutput {
  return offsetPage(input, core.store.listMachines(), 'stateMachines', (row) => ({
    stateMachineArn: row.arn,
    name: row.name,
    type: row.type,
    creationDate: toEpochSeconds(row.createdMs),
  }));
}

export function deleteStateMachine(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'stateMachineArn');
  requireArn(arn);
  core.store.transaction(() => {
    for (const alias of core.store.catalog.aliasesOf(arn)) core.store.catalog.dropTags(alias.arn);
    core.store.deleteMachine(arn);
    core.store.catalog.forgetMachine(arn);
    core.store.catalog.dropTags(arn);
  });
  return {};
}
