import type { StepFunctionsEngine } from '../sfn/service-api';
import type { LocalTemplate } from './template';

/**
 * Creates the template's activities, publishes its state machine versions and points its aliases at them,
 * after the state machines themselves are registered. A restart on the same data publishes only what
 * changed (the engine answers an unchanged revision with its newest version) and updates the aliases.
 */
export async function registerStepFunctionsCatalog(
  engine: StepFunctionsEngine,
  template: Pick<LocalTemplate, 'activities' | 'stateMachineVersions' | 'stateMachineAliases'>,
  log: (line: string) => void,
): Promise<void> {
  for (const activity of template.activities) {
    await engine.dispatch('CreateActivity', { name: activity.name });
  }
  const published = new Map<string, string>();
  for (const version of template.stateMachineVersions) {
    const answer = await engine.dispatch('PublishStateMachineVersion', {
      stateMachineArn: version.stateMachineArn,
      ...(version.description === undefined ? {} : { description: version.description }),
    });
    const arn = String(answer.stateMachineVersionArn);
    published.set(version.logicalId, arn);
    if (arn !== version.expectedArn) {
      log(
        `[stepfunctions] ${version.logicalId} is ${arn} here; the template's Ref to it says ${version.expectedArn}`,
      );
    }
  }
  for (const alias of template.stateMachineAliases) {
    const routingConfiguration = alias.routing.map((entry) => ({
      stateMachineVersionArn:
        (entry.versionLogicalId && published.get(entry.versionLogicalId)) || entry.versionArn,
      weight: entry.weight,
    }));
    const description = alias.description === undefined ? {} : { description: alias.description };
    try {
      await engine.dispatch('CreateStateMachineAlias', {
        name: alias.name,
        routingConfiguration,
        ...description,
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ConflictException') throw error;
      await engine.dispatch('UpdateStateMachineAlias', {
        stateMachineAliasArn: alias.arn,
        routingConfiguration,
        ...description,
      });
    }
  }
}
