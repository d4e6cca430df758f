import { useState } from 'preact/hooks';
import type { Api } from '../api';
import type { Viewer } from '../auth';
import { Countdown, Field, ProblemBox, Time, useLoad } from '../common';
import { t } from '../i18n';
import { navigate } from '../router';
import { findOrders } from '../search';
import { ORDER_STATUSES, type OrderList, type OrderSummary, STAGES } from '../types';

interface Filters {
  status: string;
  stage: string;
  platformId: string;
  agencyId: string;
}

const filtersOf = (query: URLSearchParams): Filters => ({
  status: query.get('status') ?? '',
  stage: query.get('stage') ?? '',
  platformId: query.get('platformId') ?? '',
  agencyId: query.get('agencyId') ?? '',
});

const open = (order: OrderSummary) => order.itemCounts.pending + order.itemCounts.disputed;

/** Platform staff list their platform's orders; everyone else the takedown-requests list. */
const listPath = (viewer: Viewer) =>
  !viewer.operator && viewer.agencies.length === 0 && viewer.platforms[0]
    ? `/v1/platforms/${encodeURIComponent(viewer.platforms[0])}/orders`
    : '/v1/takedown-requests';

export function OrdersPage({ api, viewer }: { api: Api; viewer: Viewer }) {
  // Filters may come in the link (the platforms page links to `/?platformId=...`).
  const [filters, setFilters] = useState<Filters>(() => filtersOf(new URLSearchParams(location.search)));
  const [draft, setDraft] = useState<Filters>(filters);
  const [pages, setPages] = useState<OrderSummary[]>([]);
  const [search, setSearch] = useState({
    query: '',
    results: null as OrderSummary[] | null,
    error: null as unknown,
  });
  const first = useLoad(async () => {
    const list = await api.get<OrderList>(listPath(viewer), { ...filters, limit: 25 });
    setPages([]);
    return list;
  }, [filters.status, filters.stage, filters.platformId, filters.agencyId]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const nextCursor = cursor === undefined ? first.data?.nextCursor : cursor;

  const loadMore = async () => {
    if (!nextCursor) return;
    const list = await api.get<OrderList>(listPath(viewer), { ...filters, limit: 25, cursor: nextCursor });
    setPages((previous) => [...previous, ...list.items]);
    setCursor(list.nextCursor);
  };

  const onSearch = async (event: Event) => {
    event.preventDefault();
    try {
      const results = await findOrders(api, search.query);
      const only = results.length === 1 ? results[0] : undefined;
      if (only) navigate(`/orders/${encodeURIComponent(only.id)}`);
      else setSearch({ ...search, results, error: null });
    } catch (error) {
      setSearch({ ...search, results: null, error });
    }
  };

  const rows = search.results ?? [...(first.data?.items ?? []), ...pages];
  const select = (name: keyof Filters, values: readonly string[]) => (
    <Field label={t(name === 'status' ? 'filterStatus' : 'filterStage')}>
      <select
        value={draft[name]}
        onChange={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
      >
        <option value="">{t('any')}</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <section>
      <h1>{t('ordersTitle')}</h1>
      <form class="search" onSubmit={onSearch}>
        <Field label={t('search')}>
          <input
            type="search"
            name="q"
            value={search.query}
            onInput={(event) => setSearch({ ...search, query: event.currentTarget.value })}
          />
        </Field>
        <button type="submit">{t('searchButton')}</button>
      </form>
      {search.error ? <ProblemBox error={search.error} /> : null}
      {search.results?.length === 0 ? (
        <p role="status">{t('searchNoMatch', { query: search.query })}</p>
      ) : null}
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setCursor(undefined);
          setSearch({ query: search.query, results: null, error: null });
          setFilters(draft);
        }}
      >
        {select('status', ORDER_STATUSES)}
        {select('stage', STAGES)}
        <Field label={t('filterPlatform')}>
          <input
            value={draft.platformId}
            onInput={(event) => setDraft({ ...draft, platformId: event.currentTarget.value })}
          />
        </Field>
        {viewer.operator ? (
          <Field label={t('filterAgency')}>
            <input
              value={draft.agencyId}
              onInput={(event) => setDraft({ ...draft, agencyId: event.currentTarget.value })}
            />
          </Field>
        ) : null}
        <button type="submit">{t('apply')}</button>
      </form>
      <ProblemBox error={first.error} />
      {first.loading && !first.data ? <p role="status">{t('loading')}</p> : null}
      {!first.loading && rows.length === 0 && !search.results ? <p>{t('noOrders')}</p> : null}
      {rows.length > 0 ? <OrdersTable orders={rows} /> : null}
      {nextCursor && !search.results ? (
        <button type="button" onClick={loadMore}>
          {t('more')}
        </button>
      ) : null}
    </section>
  );
}

function OrdersTable({ orders }: { orders: OrderSummary[] }) {
  return (
    <div class="table-scroll">
      <table class="orders">
        <thead>
          <tr>
            <th scope="col">{t('colReference')}</th>
            <th scope="col">{t('colStatus')}</th>
            <th scope="col">{t('colStage')}</th>
            <th scope="col">{t('colPlatform')}</th>
            <th scope="col">{t('colAgency')}</th>
            <th scope="col">{t('colItems')}</th>
            <th scope="col">{t('colDeadline')}</th>
            <th scope="col">{t('colFine')}</th>
            <th scope="col">{t('createdAt')}</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.id}>
              <td>
                <a href={`/orders/${encodeURIComponent(order.id)}`}>{order.reference}</a>
                <div class="muted">{order.id}</div>
              </td>
              <td>
                <span class={`badge status-${order.status}`}>{order.status}</span>
              </td>
              <td>{order.stage}</td>
              <td>{order.platformId}</td>
              <td>{order.agencyId}</td>
              <td>
                {open(order)}/{order.itemCounts.total}
              </td>
              <td>
                <Countdown
                  deadlineAt={order.deadlineAt}
                  pausedSince={order.clockPausedSince}
                  status={order.status}
                />
              </td>
              <td>{fineText(order)}</td>
              <td>
                <Time at={order.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The fine accrued so far; the list leaves it out (null) for a large order past stage 2, whose page shows it. */
function fineText(order: OrderSummary): string {
  const fine = order.fine;
  if (!fine || fine.accrued === null || fine.accrued === undefined) return t('none');
  return `${fine.accrued.toLocaleString()} ${fine.currency}`;
}
