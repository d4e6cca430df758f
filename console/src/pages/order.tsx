import { useState } from 'preact/hooks';
import { type Api, encode } from '../api';
import type { Viewer } from '../auth';
import { Countdown, ProblemBox, Time, useLoad } from '../common';
import { t } from '../i18n';
import type { ItemPage, ItemView, OrderView } from '../types';
import { OrderActions } from './order-actions';
import { AuditTrail } from './order-audit';

/** Where this viewer reads an order: platform staff through their platform's routes. */
export function orderPath(viewer: Viewer, id: string): string {
  const platform = viewer.platforms[0];
  if (!viewer.operator && viewer.agencies.length === 0 && platform)
    return `/v1/platforms/${encode(platform)}/orders/${encode(id)}`;
  return `/v1/takedown-requests/${encode(id)}`;
}

/**
 * The platform's view of an order leaves out what only the agency sees: its platform is the path's, and its `fine`
 * holds the policy's terms, not an accrued amount.
 */
async function loadOrder(api: Api, viewer: Viewer, id: string): Promise<OrderView> {
  const view = await api.get<OrderView>(orderPath(viewer, id));
  if (!orderPath(viewer, id).startsWith('/v1/platforms/')) return view;
  const fine = view.fine && typeof view.fine.accrued === 'number' ? view.fine : undefined;
  return { ...view, platformId: view.platformId ?? viewer.platforms[0] ?? '', fine } as OrderView;
}

export function OrderPage({ api, viewer, id }: { api: Api; viewer: Viewer; id: string }) {
  const order = useLoad(() => loadOrder(api, viewer, id), [id]);
  if (order.error) return <ProblemBox error={order.error} />;
  if (!order.data) return <p role="status">{t('loading')}</p>;
  const view = order.data;
  return (
    <article>
      <h1>{t('orderTitle', { reference: view.reference })}</h1>
      <p class="summary">
        <span class={`badge status-${view.status}`}>{view.status}</span> {view.stage} · {view.platformId} ·{' '}
        {view.agencyId} ·{' '}
        <Countdown deadlineAt={view.deadlineAt} pausedSince={view.clockPausedSince} status={view.status} />
        {viewer.operator ? (
          <>
            {' · '}
            <a href={`/orders/${encode(view.id)}/execution`}>{t('execution')}</a>
          </>
        ) : null}
      </p>
      <Facts view={view} />
      <OrderActions api={api} viewer={viewer} view={view} onChange={order.reload} />
      <Items api={api} viewer={viewer} view={view} />
      <StageHistory view={view} />
      <Deliveries view={view} />
      {viewer.operator || viewer.agencies.includes(view.agencyId) ? (
        <AuditTrail api={api} id={view.id} />
      ) : null}
    </article>
  );
}

function Facts({ view }: { view: OrderView }) {
  const fact = (label: string, value: preact.ComponentChildren) => (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
  return (
    <section>
      <h2>{t('facts')}</h2>
      <dl class="facts">
        {fact(t('colId'), <code>{view.id}</code>)}
        {fact(t('reference'), view.reference)}
        {fact(t('category'), view.category)}
        {fact(t('legalBasis'), (view.legalBasis ?? []).join('; '))}
        {fact(t('reason'), view.reason ?? t('none'))}
        {fact(t('officer'), view.officer ?? t('none'))}
        {fact(t('scope'), (view.territorialScope ?? []).join(', '))}
        {fact(
          t('evidence'),
          view.evidence?.length ? (
            <ul>
              {view.evidence.map((entry) => (
                <li key={entry.sha256}>
                  {entry.uri} <code class="muted">{entry.sha256.slice(0, 12)}…</code>
                </li>
              ))}
            </ul>
          ) : (
            t('none')
          ),
        )}
        {fact(t('createdAt'), <Time at={view.createdAt} />)}
        {fact(t('servedAt'), <Time at={view.servedAt} />)}
        {view.fine ? fact(t('colFine'), `${view.fine.accrued.toLocaleString()} ${view.fine.currency}`) : null}
      </dl>
    </section>
  );
}

/** The first page comes with the order; further pages of 1,000 on demand (10,000 items stay quick). */
function Items({ api, viewer, view }: { api: Api; viewer: Viewer; view: OrderView }) {
  const [more, setMore] = useState<{ items: ItemView[]; cursor: string | null; error?: unknown }>({
    items: [],
    cursor: view.nextItemsCursor ?? null,
  });
  const items = [...(view.items ?? []), ...more.items];
  const loadMore = async () => {
    if (!more.cursor) return;
    try {
      const page = await api.get<ItemPage>(`${orderPath(viewer, view.id)}/items`, {
        limit: 1000,
        cursor: more.cursor,
      });
      setMore({ items: [...more.items, ...page.items], cursor: page.nextCursor });
    } catch (error) {
      setMore({ ...more, error });
    }
  };
  return (
    <section>
      <h2>{t('items')}</h2>
      <p class="muted">{t('itemsOf', { shown: items.length, total: view.itemCounts.total })}</p>
      <div class="table-scroll">
        <table class="items">
          <thead>
            <tr>
              <th scope="col">{t('colLocator')}</th>
              <th scope="col">{t('colKind')}</th>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">{t('colOutcome')}</th>
              <th scope="col">{t('colOnTime')}</th>
              <th scope="col">{t('colDeadline')}</th>
              <th scope="col">{t('colFine')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-item={item.id}>
                <td class="locator">{item.locator ?? t('none')}</td>
                <td>{item.kind}</td>
                <td>{item.status}</td>
                <td>
                  {item.outcome ?? t('none')}
                  {item.reason ? (
                    <div class="muted">{`${item.reason.code}: ${item.reason.explanation}`}</div>
                  ) : null}
                </td>
                <td>{item.onTime === null ? t('none') : item.onTime ? t('yes') : t('no')}</td>
                <td>
                  <Time at={item.deadlineAt} />
                </td>
                <td>{item.fineAccrued ? item.fineAccrued.toLocaleString() : t('none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ProblemBox error={more.error} />
      {more.cursor ? (
        <button type="button" onClick={loadMore}>
          {t('more')}
        </button>
      ) : null}
    </section>
  );
}

function StageHistory({ view }: { view: OrderView }) {
  return (
    <section>
      <h2>{t('stageHistory')}</h2>
      <ol class="timeline">
        {(view.stageHistory ?? []).map((entry) => (
          <li key={`${entry.stage}-${entry.at}`}>
            <strong>{entry.stage}</strong> <Time at={entry.at} />
            {entry.deadlineAt ? (
              <span class="muted">
                {' → '}
                {t('colDeadline')} <Time at={entry.deadlineAt} />
              </span>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Deliveries({ view }: { view: OrderView }) {
  const deliveries = view.deliveries ?? [];
  return (
    <section>
      <h2>{t('deliveries')}</h2>
      {deliveries.length === 0 ? (
        <p>{t('noDeliveries')}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('colTime')}</th>
                <th scope="col">{t('colChannel')}</th>
                <th scope="col">{t('colType')}</th>
                <th scope="col">{t('colStage')}</th>
                <th scope="col">{t('colHttp')}</th>
                <th scope="col">{t('colMessage')}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((attempt) => (
                <tr key={`${attempt.webhookId}-${attempt.attempt}-${attempt.part}-${attempt.at}`}>
                  <td>
                    <Time at={attempt.at} />
                  </td>
                  <td>{attempt.channel}</td>
                  <td>{`${attempt.event} #${attempt.attempt} (${attempt.part}/${attempt.parts})`}</td>
                  <td>{attempt.stage}</td>
                  <td>{attempt.httpStatus ?? t('none')}</td>
                  <td>{attempt.error ?? `${Math.round(attempt.latencyMs)} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
