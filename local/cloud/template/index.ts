/**
 * Reads a synthesized CloudFormation template (plus its asset manifest) and lists what the local cloud must run,
 * with every intrinsic that points at the stack's own resources resolved to local names and ARNs.
 * Nothing here knows about Tenggat: it reads whatever the template declares, one reader per resource kind.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBucketDeployments } from './readers/bucket-deployments';
import { readBuckets, readLambdaPermissions } from './readers/buckets';
import { readUserPoolClients, readUserPoolGroups, readUserPools } from './readers/cognito';
import { readEventBuses } from './readers/event-buses';
import { readEventRules } from './readers/event-rules';
import { readFunctions } from './readers/functions';
import { readRestApis } from './readers/rest-apis';
import { readSchedules } from './readers/schedules';
import { readConfigurationSets, readEmailIdentities } from './readers/ses';
import { readSubscriptions, readTopics } from './readers/sns';
import {
  readActivities,
  readStateMachineAliases,
  readStateMachineVersions,
} from './readers/state-machine-versions';
import { readStateMachines } from './readers/state-machines';
import { readTables } from './readers/tables';
import { TemplateResolver } from './resolver';
import type { CfnResource, LocalTemplate } from './types';
import { isObject, TemplateError } from './values';

export { LOCAL_ACCOUNT_ID, LOCAL_REGION, localArn, stableId, stableUuid } from './ids';
export { targetInputOf } from './readers/event-rules';
export { TemplateResolver } from './resolver';
export type * from './types';
export { TemplateError } from './values';

export interface ParseOptions {
  stackName: string;
  cdkOutDir: string;
  assetManifest?: unknown;
}

/** Reads `<cdkOut>/<stackName>.template.json` and `<stackName>.assets.json`. */
export function readLocalTemplate(cdkOutDir: string, stackName: string): LocalTemplate {
  const templatePath = join(cdkOutDir, `${stackName}.template.json`);
  const assetsPath = join(cdkOutDir, `${stackName}.assets.json`);
  let template: unknown;
  try {
    template = JSON.parse(readFileSync(templatePath, 'utf8'));
  } catch (error) {
    throw new TemplateError(`cannot read ${templatePath}`, { cause: error });
  }
  const assetManifest = existsSync(assetsPath) ? JSON.parse(readFileSync(assetsPath, 'utf8')) : undefined;
  return parseTemplate(template, { stackName, cdkOutDir, assetManifest });
}

export function parseTemplate(template: unknown, options: ParseOptions): LocalTemplate {
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new TemplateError('template has no Resources');
  }
  const resolver = new TemplateResolver(
    template.Resources as unknown as Record<string, CfnResource>,
    isObject(template.Parameters) ? template.Parameters : {},
    options.stackName,
  );
  const functions = readFunctions(resolver, options.cdkOutDir, options.assetManifest);
  return {
    stackName: options.stackName,
    tables: readTables(resolver),
    functions,
    stateMachines: readStateMachines(resolver),
    stateMachineVersions: readStateMachineVersions(resolver),
    stateMachineAliases: readStateMachineAliases(resolver),
    activities: readActivities(resolver),
    restApis: readRestApis(resolver, functions),
    userPools: readUserPools(resolver),
    userPoolClients: readUserPoolClients(resolver),
    userPoolGroups: readUserPoolGroups(resolver),
    eventBuses: readEventBuses(resolver),
    emailIdentities: readEmailIdentities(resolver),
    configurationSets: readConfigurationSets(resolver),
    topics: readTopics(resolver),
    subscriptions: readSubscriptions(resolver),
    eventRules: readEventRules(resolver),
    schedules: readSchedules(resolver),
    buckets: readBuckets(resolver),
    lambdaPermissions: readLambdaPermissions(resolver),
    bucketDeployments: readBucketDeployments(resolver, options.cdkOutDir, options.assetManifest),
    resolve: resolver.resolve,
  };
}
