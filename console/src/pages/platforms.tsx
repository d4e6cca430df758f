import { useState } from 'preact/hooks';
import { type Api, encode } from '../api';
import { Field, ProblemBox, Time, useAction, useLoad } from '../common';
import { t } from '../i18n';
import type { OrderList, PlatformSecrets, PlatformView } from '../types';

/** Operators: the registry, registering a platform, rotating its secrets (shown once), its open orders. */
export function PlatformsPage({ api }: { api: Api }) {
  const platforms = useLoad(() => api.get<{ items: PlatformView[] }>('/v1/platforms'), []);
  const [secrets, setSecrets] = useState<PlatformSecrets | null>(null);
  return (
    <section>
      <h1>{t('platformsTitle')}</h1>
      {secrets ? <SecretsOnce secrets={secrets} /> : null}
      <ProblemBox error={platforms.error} />
      {platforms.data ? (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('colId')}</th>
                <th scope="col">{t('colName')}</th>
                <th scope="col">{t('colWebhook')}</th>
                <th scope="col">{t('colContact')}</th>
                <th scope="col">{t('colStatus')}</th>
                <th scope="col">{t('openOrders')}</th>
                <th scope="col">{t('health')}</th>
                <th scope="col">{t('colAction')}</th>
              </tr>
            </thead>
            <tbody>
              {platforms.data.items.map((platform) => (
                <PlatformRow key={platform.id} api={api} platform={platform} onSecrets={setSecrets} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Register
        api={api}
        onSecrets={(created) => {
          setSecrets(created);
          platforms.reload();
        }}
      />
    </section>
  );
}

function PlatformRow(props: {
  api: Api;
  platform: PlatformView;
  onSecrets: (secrets: PlatformSecrets) => void;
}) {
  const { api, platform } = props;
  const rotate = useAction();
  const open = useLoad(
    () =>
      api.get<OrderList>('/v1/takedown-requests', {
        platformId: platform.id,
        status: 'awaiting_platform',
        limit: 100,
      }),
    [platform.id],
  );
  return (
    <tr>
      <td>
        <code>{platform.id}</code>
      </td>
      <td>{platform.name}</td>
      <td class="locator">{platform.webhookUrl}</td>
      <td>{platform.contactEmail}</td>
      <td>
        {platform.status}
        <div class="muted">
          <Time at={platform.secretsRotatedAt ?? platform.createdAt} />
        </div>
      </td>
      <td>
        {open.data ? (
          <a
            href={`/?platformId=${encode(platform.id)}&status=awaiting_platform`}
          >{`${open.data.items.length}${open.data.nextCursor ? '+' : ''}`}</a>
        ) : open.error ? (
          t('none')
        ) : (
          '…'
        )}
      </td>
      <td>
        <DeliveryHealth health={platform.deliveryHealth} />
      </td>
      <td>
        <button
          type="button"
          disabled={rotate.busy}
          onClick={() =>
            rotate.run(async () =>
              props.onSecrets(
                await api.post<PlatformSecrets>(`/v1/platforms/${encode(platform.id)}/secret-rotation`, {}),
              ),
            )
          }
        >
          {t('rotateSecret')}
        </button>
        <ProblemBox error={rotate.error} />
      </td>
    </tr>
  );
}

/** In words, not colour alone: the state, the failures in a row, the last success, failure and fallback email. */
function DeliveryHealth({ health }: { health: PlatformView['deliveryHealth'] }) {
  const failure =
    health.lastWebhookHttpStatus !== null
      ? `HTTP ${health.lastWebhookHttpStatus}`
      : (health.lastWebhookError ?? t('none'));
  const email = health.lastEmail;
  return (
    <div class={`health health-${health.state}`}>
      <strong>{t(`healthState_${health.state}`)}</strong>
      {health.consecutiveWebhookFailures > 0 ? (
        <div>{t('healthFailures', { count: health.consecutiveWebhookFailures })}</div>
      ) : null}
      {health.lastWebhookSuccessAt ? (
        <div class="muted">
          {t('healthLastSuccess')} <Time at={health.lastWebhookSuccessAt} />
        </div>
      ) : null}
      {health.lastWebhookFailureAt ? (
        <div class="muted">
          {t('healthLastFailure', { reason: failure })} <Time at={health.lastWebhookFailureAt} />
        </div>
      ) : null}
      {email ? (
        <div class="muted">
          {email.sent ? t('healthEmailed') : t('healthEmailFailed', { reason: email.error ?? t('none') })}{' '}
          <Time at={email.at} /> · <a href={`/orders/${encode(email.orderId)}`}>{email.orderId}</a>
        </div>
      ) : null}
    </div>
  );
}

function SecretsOnce({ secrets }: { secrets: PlatformSecrets }) {
  return (
    <div class="secrets" role="alert">
      <p>
        <strong>{secrets.platform.id}</strong>: {t('secretsShownOnce')}
      </p>
      <Field label={t('notificationSecret')}>
        <input readOnly value={secrets.notificationSecret} />
      </Field>
      <Field label={t('responseSecret')}>
        <input readOnly value={secrets.responseSecret} />
      </Field>
    </div>
  );
}

function Register({ api, onSecrets }: { api: Api; onSecrets: (secrets: PlatformSecrets) => void }) {
  const [form, setForm] = useState({ id: '', name: '', webhookUrl: '', contactEmail: '' });
  const action = useAction();
  const input = (name: keyof typeof form, label: string, type = 'text') => (
    <Field label={label}>
      <input
        type={type}
        required
        value={form[name]}
        onInput={(event) => setForm({ ...form, [name]: event.currentTarget.value })}
      />
    </Field>
  );
  return (
    <form
      class="action"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => onSecrets(await api.post<PlatformSecrets>('/v1/platforms', form)));
      }}
    >
      <h2>{t('registerPlatform')}</h2>
      {input('id', t('platformId'))}
      {input('name', t('platformName'))}
      {input('webhookUrl', t('webhookUrl'), 'url')}
      {input('contactEmail', t('contactEmail'), 'email')}
      <button type="submit" disabled={action.busy}>
        {t('register')}
      </button>
      <ProblemBox error={action.error} />
    </form>
  );
}
