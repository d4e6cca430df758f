import { useEffect, useState } from 'preact/hooks';

/** History-based routing in a few lines: plain links, intercepted so the page does not reload. */
export type Route =
  | { page: 'orders' }
  | { page: 'order'; id: string }
  | { page: 'execution'; id: string }
  | { page: 'platforms' }
  | { page: 'submit' }
  | { page: 'callback' }
  | { page: 'not-found' };

export function routeOf(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'orders' };
  if (first === 'orders' && second && parts.length === 2) return { page: 'order', id: second };
  if (first === 'orders' && second && third === 'execution' && parts.length === 3)
    return { page: 'execution', id: second };
  if (first === 'platforms' && parts.length === 1) return { page: 'platforms' };
  if (first === 'submit' && parts.length === 1) return { page: 'submit' };
  if (first === 'callback' && parts.length === 1) return { page: 'callback' };
  return { page: 'not-found' };
}

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** Same-origin link clicks (no modifier key) become `navigate`. */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.origin !== location.origin || anchor.hasAttribute('download'))
      return;
    event.preventDefault();
    navigate(`${anchor.pathname}${anchor.search}`);
  });
  window.addEventListener('popstate', () => {
    for (const listener of listeners) listener();
  });
}

export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href));
  useEffect(() => {
    const listener = () => setUrl(new URL(location.href));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return url;
}
