import { type Api, encode } from '../api';
import { ProblemBox, Time, useLoad } from '../common';
import { t } from '../i18n';
import type { AuditPage } from '../types';

/** The audit trail and, first, the server's verification of the whole chain in one plain sentence. */
export function AuditTrail({ api, id }: { api: Api; id: string }) {
  const audit = useLoad(
    () => api.get<AuditPage>(`/v1/takedown-requests/${encode(id)}/audit`, { limit: 200 }),
    [id],
  );
  if (audit.error) return <ProblemBox error={audit.error} />;
  if (!audit.data) return <p role="status">{t('loading')}</p>;
  const { verification, items } = audit.data;
  return (
    <section>
      <h2>{t('audit')}</h2>
      <p class={verification.valid ? 'verified' : 'broken'} role="status">
        {verification.valid
          ? t('auditValid', { count: verification.checkedEvents })
          : t('auditBroken', { seq: verification.brokenAt ?? '?', reason: verification.reason ?? '' })}
      </p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('colTime')}</th>
              <th scope="col">{t('colActor')}</th>
              <th scope="col">{t('colAction')}</th>
              <th scope="col">{t('colStage')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => (
              <tr key={event.seq}>
                <td>{event.seq}</td>
                <td>
                  <Time at={event.at} />
                </td>
                <td>{`${event.actor.kind}:${event.actor.id}${event.actor.officer ? ` (${event.actor.officer})` : ''}`}</td>
                <td>{event.action}</td>
                <td>{event.stage}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
