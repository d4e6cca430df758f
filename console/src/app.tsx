import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleRuntimeConfig } from '../runtime-config';
import { createApi } from './api';
import { accessToken, completeSignIn, signOut, startSignIn, type Viewer, viewerOf } from './auth';
import { ProblemBox } from './common';
import { type Language, language, setLanguage, t } from './i18n';
import { ExecutionPage } from './pages/execution';
import { OrderPage } from './pages/order';
import { OrdersPage } from './pages/orders';
import { PlatformsPage } from './pages/platforms';
import { SubmitPage } from './pages/submit';
import { navigate, routeOf, useLocation } from './router';

type Session =
  | { state: 'checking' }
  | { state: 'signed-out'; error?: unknown }
  | { state: 'signed-in'; viewer: Viewer };

export function App({ config }: { config: ConsoleRuntimeConfig }) {
  const url = useLocation();
  const route = routeOf(url.pathname);
  const [, setLanguageVersion] = useState(language());
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const api = useMemo(() => createApi(config, () => setSession({ state: 'signed-out' })), [config]);

  useEffect(() => {
    if (route.page === 'callback') {
      completeSignIn(config, url).then(
        (returnTo) => {
          setSession({ state: 'checking' });
          navigate(returnTo, true);
        },
        (error: unknown) => setSession({ state: 'signed-out', error }),
      );
      return;
    }
    if (session.state !== 'checking') return;
    accessToken(config).then((token) =>
      setSession(token ? { state: 'signed-in', viewer: viewerOf(token) } : { state: 'signed-out' }),
    );
  }, [route.page, session.state]);

  const chooseLanguage = (next: Language) => {
    setLanguage(next);
    setLanguageVersion(next);
  };

  return (
    <>
      <a class="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header class="top">
        <a class="brand" href="/">
          {t('appName')}
        </a>
        {session.state === 'signed-in' ? <Navigation viewer={session.viewer} /> : null}
        <label class="language">
          <span>{t('language')}</span>
          <select
            value={language()}
            onChange={(event) => chooseLanguage(event.currentTarget.value as Language)}
          >
            <option value="id">Bahasa Indonesia</option>
            <option value="en">English</option>
          </select>
        </label>
        {session.state === 'signed-in' ? (
          <span class="who">
            {session.viewer.username}{' '}
            <button type="button" onClick={() => signOut(config)}>
              {t('signOut')}
            </button>
          </span>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {session.state === 'checking' || route.page === 'callback' ? (
          <p role="status">{route.page === 'callback' ? t('signingIn') : t('loading')}</p>
        ) : session.state === 'signed-out' ? (
          <section class="signin">
            <p>{t('signInNeeded')}</p>
            {session.error ? (
              <ProblemBox error={new Error(t('signInFailed', { detail: String(session.error) }))} />
            ) : null}
            {config.signIn.clientId ? (
              <button type="button" onClick={() => startSignIn(config, `${url.pathname}${url.search}`)}>
                {t('signIn')}
              </button>
            ) : (
              <p role="alert">{t('signInNotConfigured')}</p>
            )}
          </section>
        ) : (
          <Page route={route} search={url.search} api={api} viewer={session.viewer} />
        )}
      </main>
    </>
  );
}

function Navigation({ viewer }: { viewer: Viewer }) {
  return (
    <nav aria-label="main">
      <a href="/">{t('navOrders')}</a>
      {viewer.agencies.length > 0 ? <a href="/submit">{t('navSubmit')}</a> : null}
      {viewer.operator ? <a href="/platforms">{t('navPlatforms')}</a> : null}
    </nav>
  );
}

function Page(props: {
  route: ReturnType<typeof routeOf>;
  search: string;
  api: ReturnType<typeof createApi>;
  viewer: Viewer;
}) {
  const { route, search, api, viewer } = props;
  switch (route.page) {
    case 'orders':
      return <OrdersPage key={search} api={api} viewer={viewer} />;
    case 'order':
      return <OrderPage key={route.id} api={api} viewer={viewer} id={route.id} />;
    case 'execution':
      return viewer.operator ? <ExecutionPage api={api} id={route.id} /> : <NotFound />;
    case 'platforms':
      return viewer.operator ? <PlatformsPage api={api} /> : <NotFound />;
    case 'submit':
      return viewer.agencies.length > 0 ? <SubmitPage api={api} /> : <NotFound />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <div class="problem" role="alert">
      <strong>{t('notFound')}</strong>
      <p>{t('notFoundDetail')}</p>
    </div>
  );
}
