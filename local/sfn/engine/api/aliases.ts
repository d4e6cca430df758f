import { SfnApiError } from '../../errors';
import type { AliasRow, RoutingEntry } from '../catalog-store';
import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import { isVersionQualifier, splitMachineArn } from './versions';
import {
  offsetPage,
  optionalString,
  requireArn,
  requiredString,
  type WireInput,
  type WireOutput,
} from './wire';

const ALIAS_NAME = /^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$/;

function validation(message: string): SfnApiError {
  return new SfnApiError('ValidationException', message);
}

/** One or two versions of one machine, weights 0–100 adding up to 100; every version must exist. */
function readRouting(core: EngineCore, value: unknown): { machineArn: string; routing: RoutingEntry[] } {
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
    throw validation('Routing configuration must contain one or two versions');
  }
  const routing = value.map((entry): RoutingEntry => {
    const item = (entry ?? {}) as Record<string, unknown>;
    const { stateMachineVersionArn, weight } = item;
    if (typeof stateMachineVersionArn !== 'string' || typeof weight !== 'number') {
      throw validation('Each routing configuration needs a stateMachineVersionArn and a weight');
    }
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw validation('Routing weight must be an integer between 0 and 100');
    }
    return { stateMachineVersionArn, weight };
  });
  const arns = routing.map((entry) => entry.stateMachineVersionArn);
  if (new Set(arns).size !== arns.length) throw validation('Routing configuration must not repeat a version');
  if (routing.reduce((sum, entry) => sum + entry.weight, 0) !== 100) {
    throw validation('Sum of routing configuration weights must be equal to 100');
  }
  const bases = new Set<string>();
  for (const arn of arns) {
    requireArn(arn);
    const { baseArn, qualifier } = splitMachineArn(arn);
    if (!isVersionQualifier(qualifier)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    if (!core.store.catalog.getVersion(arn)) {
      throw new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`);
    }
    bases.add(baseArn);
  }
  if (bases.size !== 1)
    throw validation('Routing configuration versions must belong to the same state machine');
  return { machineArn: [...bases][0] ?? '', routing };
}

function requireAlias(core: EngineCore, arn: string): AliasRow {
  requireArn(arn);
  const row = core.store.catalog.getAlias(arn);
  if (!row) throw new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`);
  return row;
}

function sameRouting(a: RoutingEntry[], b: RoutingEntry[]): boolean {
  const key = (routing: RoutingEntry[]) =>
    JSON.stringify(
      [...routing].sort((x, y) => x.stateMachineVersionArn.localeCompare(y.stateMachineVersionArn)),
    );
  return key(a) === key(b);
}

export function createStateMachineAlias(core: EngineCore, input: WireInput): WireOutput {
  const name = requiredString(input, 'name');
  const description = optionalString(input, 'description') ?? null;
  if (!ALIAS_NAME.test(name)) throw validation(`Invalid alias name: '${name}'`);
  const { machineArn, routing } = readRouting(core, input.routingConfiguration);
  core.requireMachine(machineArn);
  const arn = `${machineArn}:${name}`;
  const existing = core.store.catalog.getAlias(arn);
  if (existing) {
    // Idempotent on name, description and routing, as on AWS.
    if (existing.description === description && sameRouting(existing.routing, routing)) {
      return { stateMachineAliasArn: arn, creationDate: toEpochSeconds(existing.createdMs) };
    }
    throw new SfnApiError(
      'ConflictException',
      `Alias already exists with a different configuration: '${arn}'`,
    );
  }
  const createdMs = Date.now();
  core.store.catalog.putAlias({ arn, machineArn, name, description, routing, createdMs, updatedMs: null });
  return { stateMachineAliasArn: arn, creationDate: toEpochSeconds(createdMs) };
}

export function describeStateMachineAlias(core: EngineCore, input: WireInput): WireOutput {
  const row = requireAlias(core, requiredString(input, 'stateMachineAliasArn'));
  const output: WireOutput = {
    stateMachineAliasArn: row.arn,
    name: row.name,
    routingConfiguration: row.routing,
    creationDate: toEpochSeconds(row.createdMs),
  };
  if (row.description !== null) output.description = row.description;
  if (row.updatedMs !== null) output.updateDate = toEpochSeconds(row.updatedMs);
  return output;
}

export function updateStateMachineAlias(core: EngineCore, input: WireInput): WireOutput {
  const row = requireAlias(core, requiredString(input, 'stateMachineAliasArn'));
  if (input.description === undefined && input.routingConfiguration === undefined) {
    throw validation('Either the description or the routingConfiguration must be given');
  }
  const description = optionalString(input, 'description') ?? row.description;
  let routing = row.routing;
  if (input.routingConfiguration !== undefined) {
    const read = readRouting(core, input.routingConfiguration);
    if (read.machineArn !== row.machineArn) {
      throw validation('Routing configuration versions must belong to the aliased state machine');
    }
    routing = read.routing;
  }
  const updatedMs = Date.now();
  core.store.catalog.putAlias({ ...row, description, routing, updatedMs });
  return { updateDate: toEpochSeconds(updatedMs) };
}

export function deleteStateMachineAlias(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'stateMachineAliasArn');
  requireArn(arn);
  core.store.catalog.deleteAlias(arn);
  return {};
}

export function listStateMachineAliases(core: EngineCore, input: WireInput): WireOutput {
  const machine = core.requireMachine(requiredString(input, 'stateMachineArn'));
  return offsetPage(input, core.store.catalog.aliasesOf(machine.arn), 'stateMachineAliases', (row) => ({
    stateMachineAliasArn: row.arn,
    creationDate: toEpochSeconds(row.createdMs),
  }));
}

/** The version an execution started through the alias runs: drawn by the routing weights. */
export function pickAliasVersion(alias: AliasRow, draw: number = Math.random()): string {
  let threshold = 0;
  for (const entry of alias.routing) {
    threshold += entry.weight / 100;
    if (draw < threshold) return entry.stateMachineVersionArn;
  }
  // Weights add up to 100; only a zero-weight tail or rounding gets here.
  const weighted = alias.routing.filter((entry) => entry.weight > 0);
  return (weighted[weighted.length - 1] ?? alias.routing[0])?.stateMachineVersionArn ?? '';
}

export function requireAliasRow(core: EngineCore, arn: string): AliasRow {
  return requireAlias(core, arn);
}
