import { brotliDecompressSync } from 'node:zlib';

/**
 * Stands in for `brotli/decompress.js` in the bundles (`BUNDLE_ALIASES` in lib/function-specs.ts): fontkit inflates
 * WOFF2 font tables with it, and Node's zlib does the same without the pure-JavaScript decoder's 490 KB dictionary.
 * The size argument of the original (the inflated size, to preallocate) is not needed: zlib grows its output.
 */
export default function decompress(buffer: Uint8Array, _outputSize?: number): Uint8Array {
  return brotliDecompressSync(buffer);
}
