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
  const response = await fetch(`/${CONSOLE_CONFIG_FILE}`, { cache: 'no-store' });
  if (!response.ok) {
    root.textContent = `config.json: HTTP ${response.status}`;
    return;
  }
  const config = (await response.json()) as ConsoleRuntimeConfig;
  render(<App config={config} />, root);
}

void start();
