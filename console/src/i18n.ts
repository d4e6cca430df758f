import { initialLanguage, type Language } from './language';
import { en } from './messages-en';
import { id } from './messages-id';

/** Two dictionaries; Indonesian is the default. The choice is kept in localStorage, else the browser's. */
export type MessageKey = keyof typeof id;
const dictionaries: Record<Language, Record<MessageKey, string>> = { id, en };
const STORAGE_KEY = 'tenggat.language';

let current: Language = 'id';

export function loadLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled: the browser's languages still decide.
  }
  current = initialLanguage(stored, navigator.languages);
  document.documentElement.lang = current;
  return current;
}

export function setLanguage(language: Language): void {
  current = language;
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not kept across visits; still applies now.
  }
}

export const language = () => current;
export type { Language };

/** The message in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name: string) =>
    values[name] !== undefined ? String(values[name]) : match,
  );
}
