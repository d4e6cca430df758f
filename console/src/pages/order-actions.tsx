import { useState } from 'preact/hooks';
import { type Api, encode } from '../api';
import type { Viewer } from '../auth';
import { ActionForm, FINAL_STATUSES, Field } from '../common';
import { t } from '../i18n';
import type { OrderView } from '../types';
import { AnswerItems } from './answer-items';

export function OrderActions(props: { api: Api; viewer: Viewer; view: OrderView; onChange: () => void }) {
  const { viewer, view } = props;
  const agency = viewer.agencies.includes(view.agencyId);
  const platform = viewer.platforms.includes(view.platformId);
  const open = !FINAL_STATUSES.includes(view.status);
  const forms = [
    agency && open ? <Withdraw key="withdraw" {...props} /> : null,
    agency && (view.itemCounts?.disputed ?? 0) > 0 ? <Review key="review" {...props} /> : null,
    agency && view.clarification && !view.clarification.answer ? (
      <AnswerClarification key="clar" {...props} />
    ) : null,
    viewer.operator && open ? <Redeliver key="redeliver" {...props} /> : null,
    platform && open ? <AnswerItems key="answer" {...props} /> : null,
    platform && open && !view.clarification ? <AskClarification key="ask" {...props} /> : null,
  ].filter(Boolean);
  if (forms.length === 0) return null;
  return (
    <section>
      <h2>{t('actions')}</h2>
      <div class="actions">{forms}</div>
    </section>
  );
}

type Props = { api: Api; viewer: Viewer; view: OrderView; onChange: () => void };
const orderRoute = (view: OrderView) => `/v1/takedown-requests/${encode(view.id)}`;
const platformRoute = (view: OrderView) =>
  `/v1/platforms/${encode(view.platformId)}/orders/${encode(view.id)}`;

function Withdraw({ api, view, onChange }: Props) {
  const [reason, setReason] = useState('');
  return (
    <ActionForm
      title={t('withdraw')}
      submitLabel={t('withdraw')}
      onSubmit={() => api.post(`${orderRoute(view)}/withdrawal`, { reason })}
      onDone={onChange}
    >
      <Field label={t('reasonField')}>
        <textarea required value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}

function Review({ api, view, onChange }: Props) {
  const disputed = (view.items ?? []).filter((item) => item.status === 'disputed');
  const [chosen, setChosen] = useState<string[]>(disputed.map((item) => item.id));
  const [decision, setDecision] = useState<'uphold' | 'withdraw'>('uphold');
  const [note, setNote] = useState('');
  return (
    <ActionForm
      title={t('review')}
      submitLabel={t('send')}
      onSubmit={() => api.post(`${orderRoute(view)}/review`, { itemIds: chosen, decision, note })}
      onDone={onChange}
    >
      <fieldset>
        <legend>{t('items')}</legend>
        {disputed.map((item) => (
          <label key={item.id} class="check">
            <input
              type="checkbox"
              checked={chosen.includes(item.id)}
              onChange={(event) =>
                setChosen(
                  event.currentTarget.checked ? [...chosen, item.id] : chosen.filter((id) => id !== item.id),
                )
              }
            />
            {item.locator ?? item.id}
          </label>
        ))}
      </fieldset>
      <Field label={t('decision')}>
        <select value={decision} onChange={(event) => setDecision(event.currentTarget.value as 'uphold')}>
          <option value="uphold">{t('uphold')}</option>
          <option value="withdraw">{t('withdrawItems')}</option>
        </select>
      </Field>
      <Field label={t('note')}>
        <textarea required value={note} onInput={(event) => setNote(event.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}

function AnswerClarification({ api, view, onChange }: Props) {
  const [answer, setAnswer] = useState('');
  return (
    <ActionForm
      title={t('clarificationQuestion', { question: view.clarification?.question ?? '' })}
      submitLabel={t('sendAnswer')}
      onSubmit={() => api.post(`${orderRoute(view)}/clarifications`, { answer })}
      onDone={onChange}
    >
      <Field label={t('clarificationAnswer')}>
        <textarea required value={answer} onInput={(event) => setAnswer(event.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}

function Redeliver({ api, view, onChange }: Props) {
  return (
    <ActionForm
      title={t('redeliver')}
      submitLabel={t('redeliver')}
      onSubmit={() => api.post(`${orderRoute(view)}/redelivery`, {})}
      onDone={onChange}
    />
  );
}

function AskClarification({ api, view, onChange }: Props) {
  const [question, setQuestion] = useState('');
  return (
    <ActionForm
      title={t('askClarification')}
      submitLabel={t('send')}
      onSubmit={() => api.post(`${platformRoute(view)}/clarification-requests`, { question })}
      onDone={onChange}
    >
      <Field label={t('question')}>
        <textarea required value={question} onInput={(event) => setQuestion(event.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}
