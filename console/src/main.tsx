import { render } from 'preact';
import { CONSOLE_CONFIG_FILE, type ConsoleRuntimeConfig } from '../runtime-config';
import { App } from './app';
import { loadLanguage } from './i18n';
import { interceptLinks } from './router';

async function start(): Promise<void> {
  loadLanguage();
  interceptLinks();
  const root = document.getElementById('app');
  if (!root) return;
  // index.html preloads it; both the file and this request use the default cache mode, and it is served with
  // `Cache-Control: no-cache`, so it is never stale.
  const response = await fetch(`/${CONSOLE_CONFIG_FILE}`, { credentials: 'same-origin' });
  if (!response.ok) {
    root.textContent = `config.json: HTTP ${response.status}`;
    return;
  }
  const config = (await response.json()) as ConsoleRuntimeConfig;
  render(<App config={config} />, root);
}

void start();
