import { localArn } from '../ids';
import type { TemplateResolver } from '../resolver';
import type { StateMachineSpec } from '../types';
import { asString, isObject, TemplateError } from '../values';

/** The definition as JSON text, with `DefinitionSubstitutions` applied as CloudFormation does. */
function definitionOf(resolver: TemplateResolver, logicalId: string): string {
  const raw = resolver.propertiesOf(logicalId);
  const properties = resolver.resolvedProperties(logicalId);
  let definition: string;
  if (raw.DefinitionString !== undefined) {
    definition = asString(properties.DefinitionString, 'DefinitionString');
  } else if (raw.Definition !== undefined) {
    definition = JSON.stringify(properties.Definition);
  } else {
    throw new TemplateError(`state machine ${logicalId} has no inline definition`);
  }
  const substitutions = properties.DefinitionSubstitutions;
  if (!isObject(substitutions)) return definition;
  return definition.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
    key in substitutions ? asString(substitutions[key], key) : match,
  );
}

export function readStateMachines(resolver: TemplateResolver): StateMachineSpec[] {
  return resolver.logicalIdsOf('AWS::StepFunctions::StateMachine').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      arn: asString(resolver.getAtt(logicalId, 'Arn'), 'state machine arn'),
      type: properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      roleArn:
        typeof properties.RoleArn === 'string'
          ? properties.RoleArn
          : localArn('iam', 'role/local-stepfunctions', false),
      definition: definitionOf(resolver, logicalId),
    };
  });
}
