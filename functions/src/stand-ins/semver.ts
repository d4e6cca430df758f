/**
 * Stands in for `semver` in the bundles (`BUNDLE_ALIASES` in lib/function-specs.ts): the X-Ray SDK (its AWS SDK v2
 * patcher) and cls-hooked call only `semver.gte`, with release versions (of Node, of the SDK v2), and `semver` is one
 * CommonJS file that brings all of itself (31 KB). `test/infra/function-bundles.test.ts` fails when a bundled
 * library calls anything else of it.
 */
const RELEASE = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): { numbers: [number, number, number]; prerelease: boolean } {
  const match = RELEASE.exec(version.trim());
  if (!match) throw new TypeError(`Invalid Version: ${version}`);
  return {
    numbers: [Number(match[1]), Number(match[2]), Number(match[3])],
    prerelease: match[4] !== undefined,
  };
}

/** Whether `version` is at least `minimum`; a prerelease ranks below its release (prereleases are not compared). */
export function gte(version: string, minimum: string): boolean {
  const left = parse(version);
  const right = parse(minimum);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left.numbers[index] ?? 0) - (right.numbers[index] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return !left.prerelease || right.prerelease;
}
