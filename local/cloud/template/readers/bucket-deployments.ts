import { join } from 'node:path';
import type { TemplateResolver } from '../resolver';
import type { BucketDeploymentSpec } from '../types';
import { isObject } from '../values';

/** Each source object key (`<asset hash>.zip`) → its folder in the cloud assembly, through the asset manifest. */
export function readBucketDeployments(
  resolver: TemplateResolver,
  cdkOutDir: string,
  assetManifest: unknown,
): BucketDeploymentSpec[] {
  const files = isObject(assetManifest) && isObject(assetManifest.files) ? assetManifest.files : {};
  return resolver.logicalIdsOf('Custom::CDKBucketDeployment').map((logicalId) => {
    const properties = resolver.propertiesOf(logicalId);
    const keys = Array.isArray(properties.SourceObjectKeys) ? properties.SourceObjectKeys : [];
    const sourceDirectories = keys.flatMap((key) => {
      if (typeof key !== 'string') return [];
      const asset = files[key.replace(/\.zip$/, '')];
      return isObject(asset) && isObject(asset.source) && typeof asset.source.path === 'string'
        ? [join(cdkOutDir, asset.source.path)]
        : [];
    });
    return {
      logicalId,
      destinationBucketLogicalId: resolver.logicalIdOfRef(properties.DestinationBucketName),
      sourceDirectories,
      exclude: strings(properties.Exclude),
      include: strings(properties.Include),
      cacheControl: isObject(properties.SystemMetadata)
        ? strings([properties.SystemMetadata['cache-control']])[0]
        : undefined,
    };
  });
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
