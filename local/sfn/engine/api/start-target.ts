import { SfnApiError } from '../../errors';
import type { StateMachineRow } from '../store';
import { pickAliasVersion, requireAliasRow } from './aliases';
import type { EngineCore } from './engine-core';
import { isVersionQualifier, splitMachineArn } from './versions';

/** What StartExecution runs: the machine (by its unqualified ARN) with the definition of the version picked. */
export interface StartTarget {
  machine: Pick<StateMachineRow, 'arn' | 'name' | 'definition' | 'roleArn' | 'type'>;
  versionArn: string | null;
  aliasArn: string | null;
}

function versionTarget(core: EngineCore, versionArn: string, aliasArn: string | null): StartTarget {
  const version = core.store.catalog.getVersion(versionArn);
  if (!version) {
    throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${versionArn}'`);
  }
  const base = core.requireMachine(version.machineArn);
  return {
    machine: { ...base, definition: version.definition, roleArn: version.roleArn, type: version.type },
    versionArn,
    aliasArn,
  };
}

/** A state machine, version or alias ARN, as StartExecution and StartSyncExecution take it. */
export function resolveStartTarget(core: EngineCore, arn: string): StartTarget {
  const { qualifier } = splitMachineArn(arn);
  if (qualifier === undefined) return { machine: core.requireMachine(arn), versionArn: null, aliasArn: null };
  if (isVersionQualifier(qualifier)) return versionTarget(core, arn, null);
  const alias = requireAliasRow(core, arn);
  return versionTarget(core, pickAliasVersion(alias), arn);
}

/** ListExecutions of a version or alias ARN lists only the executions started through it. */
export function listScope(
  core: EngineCore,
  arn: string,
): { column: 'machine' | 'version' | 'alias'; arn: string } {
  const { qualifier } = splitMachineArn(arn);
  if (qualifier === undefined) {
    core.requireMachine(arn);
    return { column: 'machine', arn };
  }
  if (isVersionQualifier(qualifier)) {
    if (!core.store.catalog.getVersion(arn)) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    }
    return { column: 'version', arn };
  }
  requireAliasRow(core, arn);
  return { column: 'alias', arn };
}
