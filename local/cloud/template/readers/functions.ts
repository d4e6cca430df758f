import { join } from 'node:path';
import type { TemplateResolver } from '../resolver';
import type { FunctionSpec } from '../types';
import { asString, isObject } from '../values';

/** Where each function's bundle lives: the CDK asset path metadata, else the asset manifest entry of its S3 key. */
function assetDirectory(
  resolver: TemplateResolver,
  logicalId: string,
  cdkOutDir: string,
  assetManifest: unknown,
): string | undefined {
  const metadataPath = resolver.resources[logicalId]?.Metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string') return join(cdkOutDir, metadataPath);
  const code = resolver.resolvedProperties(logicalId).Code;
  if (!isObject(code) || typeof code.S3Key !== 'string') return undefined;
  const files = isObject(assetManifest) && isObject(assetManifest.files) ? assetManifest.files : {};
  const asset = files[code.S3Key.replace(/\.zip$/, '')];
  if (isObject(asset) && isObject(asset.source) && typeof asset.source.path === 'string') {
    return join(cdkOutDir, asset.source.path);
  }
  return undefined;
}

export function readFunctions(
  resolver: TemplateResolver,
  cdkOutDir: string,
  assetManifest: unknown,
): FunctionSpec[] {
  const invokeConfigs = resolver
    .logicalIdsOf('AWS::Lambda::EventInvokeConfig')
    .map((id) => ({ raw: resolver.propertiesOf(id), properties: resolver.resolvedProperties(id) }));
  return resolver.logicalIdsOf('AWS::Lambda::Function').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const functionName = resolver.physicalName(logicalId);
    const invokeConfig = invokeConfigs.find(
      (config) =>
        resolver.logicalIdOfRef(config.raw.FunctionName) === logicalId ||
        config.properties.FunctionName === functionName,
    );
    const environment = isObject(properties.Environment) ? properties.Environment.Variables : undefined;
    return {
      logicalId,
      functionName,
      arn: asString(resolver.getAtt(logicalId, 'Arn'), 'function arn'),
      assetDir: assetDirectory(resolver, logicalId, cdkOutDir, assetManifest),
      handler: typeof properties.Handler === 'string' ? properties.Handler : 'index.handler',
      runtime: typeof properties.Runtime === 'string' ? properties.Runtime : 'nodejs20.x',
      environment: Object.fromEntries(
        Object.entries(isObject(environment) ? environment : {}).map(([key, v]) => [key, asString(v, key)]),
      ),
      memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
      timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
      maximumRetryAttempts:
        typeof invokeConfig?.properties.MaximumRetryAttempts === 'number'
          ? invokeConfig.properties.MaximumRetryAttempts
          : 2,
    };
  });
}
