import type { TemplateResolver } from '../resolver';
import type { ActivitySpec, StateMachineAliasSpec, StateMachineVersionSpec } from '../types';
import { asString, isObject, TemplateError } from '../values';

const VERSION = 'AWS::StepFunctions::StateMachineVersion';
const ALIAS = 'AWS::StepFunctions::StateMachineAlias';

function machineArnOf(resolver: TemplateResolver, versionLogicalId: string): string {
  const properties = resolver.resolvedProperties(versionLogicalId);
  return asString(properties.StateMachineArn, `${versionLogicalId} StateMachineArn`);
}

/**
 * The ARN a version resource's `Ref` stands for. Versions are published at start in template order, so on
 * a fresh data directory the n-th version resource of a machine is its version n; the local cloud checks
 * this when it publishes (a data directory with older versions gives higher numbers, reported at start).
 */
export function versionArnOf(resolver: TemplateResolver, logicalId: string): string {
  const machineArn = machineArnOf(resolver, logicalId);
  const siblings = resolver
    .logicalIdsOf(VERSION)
    .filter((other) => machineArnOf(resolver, other) === machineArn);
  return `${machineArn}:${siblings.indexOf(logicalId) + 1}`;
}

/** A routing entry's version: by the version resource it `Ref`s when it does, else by its ARN. */
function versionOf(
  resolver: TemplateResolver,
  value: unknown,
): { versionLogicalId?: string; versionArn: string } {
  if (isObject(value) && typeof value.Ref === 'string') {
    return { versionLogicalId: value.Ref, versionArn: asString(resolver.resolve(value), 'version arn') };
  }
  return { versionArn: asString(resolver.resolve(value), 'StateMachineVersionArn') };
}

function routingOf(resolver: TemplateResolver, logicalId: string): StateMachineAliasSpec['routing'] {
  const raw = resolver.propertiesOf(logicalId);
  if (Array.isArray(raw.RoutingConfiguration)) {
    return raw.RoutingConfiguration.map((entry) => {
      const item = isObject(entry) ? entry : {};
      return {
        ...versionOf(resolver, item.StateMachineVersionArn),
        weight: Number(resolver.resolve(item.Weight)),
      };
    });
  }
  // A DeploymentPreference shifts traffic over minutes on AWS; locally the deployment is over at once.
  if (isObject(raw.DeploymentPreference)) {
    return [{ ...versionOf(resolver, raw.DeploymentPreference.StateMachineVersionArn), weight: 100 }];
  }
  throw new TemplateError(
    `state machine alias ${logicalId} has neither RoutingConfiguration nor DeploymentPreference`,
  );
}

export function aliasArnOf(resolver: TemplateResolver, logicalId: string): string {
  const first = routingOf(resolver, logicalId)[0];
  const machineArn = first?.versionArn.split(':').slice(0, 7).join(':') ?? '';
  const name = asString(resolver.resolve(resolver.propertiesOf(logicalId).Name), `${logicalId} Name`);
  return `${machineArn}:${name}`;
}

export function readStateMachineVersions(resolver: TemplateResolver): StateMachineVersionSpec[] {
  return resolver.logicalIdsOf(VERSION).map((logicalId) => {
    const description = resolver.resolvedProperties(logicalId).Description;
    return {
      logicalId,
      stateMachineArn: machineArnOf(resolver, logicalId),
      expectedArn: versionArnOf(resolver, logicalId),
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

export function readStateMachineAliases(resolver: TemplateResolver): StateMachineAliasSpec[] {
  return resolver.logicalIdsOf(ALIAS).map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    return {
      logicalId,
      name: asString(properties.Name, `${logicalId} Name`),
      arn: aliasArnOf(resolver, logicalId),
      ...(typeof properties.Description === 'string' ? { description: properties.Description } : {}),
      routing: routingOf(resolver, logicalId),
    };
  });
}

export function readActivities(resolver: TemplateResolver): ActivitySpec[] {
  return resolver.logicalIdsOf('AWS::StepFunctions::Activity').map((logicalId) => ({
    logicalId,
    name: resolver.physicalName(logicalId),
    arn: asString(resolver.getAtt(logicalId, 'Arn'), 'activity arn'),
  }));
}
