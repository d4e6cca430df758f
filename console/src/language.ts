/** Which dictionary to use (pure: no DOM, so Node tests import it). */
export type Language = 'id' | 'en';

/** The person's stored choice, else the first of the browser's languages we speak, else Indonesian. */
export function initialLanguage(
  stored: string | null,
  browserLanguages: readonly string[] | undefined,
): Language {
  if (stored === 'id' || stored === 'en') return stored;
  for (const tag of browserLanguages ?? []) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'id' || primary === 'en') return primary;
  }
  return 'id';
}
