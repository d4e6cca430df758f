import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The fonts letters embed: DejaVu Sans (regular, bold, oblique) from the `dejavu-fonts-ttf` package, never the
 * machine's fonts. It covers Latin with every diacritic Bahasa Indonesia and English need, plus the symbols the
 * letters print (—, ×, …). pdfkit embeds only the glyphs used (subset), so a letter stays small.
 *
 * In a Lambda bundle there is no node_modules: the three files are copied to `fonts/` beside the bundle
 * (`LETTER_FONTS_DIR` overrides; or pass the fonts explicitly to `renderLetterPdf`).
 */
export interface LetterFonts {
  regular: Buffer;
  bold: Buffer;
  oblique: Buffer;
}

export const LETTER_FONT_FILES = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  oblique: 'DejaVuSans-Oblique.ttf',
} as const;

function packageFontsDir(): string {
  // A Lambda bundle carries the files in `fonts/` beside index.js (lib/functions.ts copies them there).
  if (typeof __filename === 'string') {
    const bundled = join(dirname(__filename), 'fonts');
    if (existsSync(join(bundled, LETTER_FONT_FILES.regular))) return bundled;
  }
  // CommonJS bundles have __filename; ES modules (tsx, vitest) have import.meta.url.
  const from = typeof __filename === 'string' ? __filename : import.meta.url;
  return join(dirname(createRequire(from).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

let cached: { dir: string; fonts: LetterFonts } | undefined;

export function loadLetterFonts(
  dir: string = process.env.LETTER_FONTS_DIR ?? packageFontsDir(),
): LetterFonts {
  if (cached?.dir === dir) return cached.fonts;
  const fonts = {
    regular: readFileSync(join(dir, LETTER_FONT_FILES.regular)),
    bold: readFileSync(join(dir, LETTER_FONT_FILES.bold)),
    oblique: readFileSync(join(dir, LETTER_FONT_FILES.oblique)),
  };
  cached = { dir, fonts };
  return fonts;
}
