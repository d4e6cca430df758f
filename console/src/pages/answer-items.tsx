import { useState } from 'preact/hooks';
import { type Api, encode } from '../api';
import { ActionForm, Field, ProblemBox, useAction, useLoad } from '../common';
import { t } from '../i18n';
import { ITEM_OUTCOMES, type OrderView } from '../types';

const REJECTION_CODES = [
  'manifest_error',
  'insufficient_information',
  'force_majeure',
  'legal_objection',
  'not_our_service',
] as const;

/** Items shown per page of the form; the API takes up to 1,000 answers per request. */
const PAGE_SIZE = 100;
const ANSWERS_PER_REQUEST = 1_000;

interface PendingItem {
  id: string;
  locator: string | null;
  status: string;
}
interface Answer {
  outcome: string;
  code: string;
  explanation: string;
}
type Props = { api: Api; view: OrderView; onChange: () => void };

const platformRoute = (view: OrderView) =>
  `/v1/platforms/${encode(view.platformId)}/orders/${encode(view.id)}`;

/** The next page of the order's items that holds pending ones, from `cursor` (pages without any are skipped). */
async function pendingFrom(api: Api, view: OrderView, cursor: string | null, limit: number) {
  for (let at = cursor; ; ) {
    const page = await api.get<{ items: PendingItem[]; nextCursor: string | null }>(
      `${platformRoute(view)}/items`,
      { limit, cursor: at ?? undefined },
    );
    const pending = page.items.filter((item) => item.status === 'pending');
    if (pending.length > 0 || page.nextCursor === null) return { items: pending, next: page.nextCursor };
    at = page.nextCursor;
  }
}

const answerBody = (itemId: string, answer: Answer) => ({
  itemId,
  outcome: answer.outcome,
  ...(answer.outcome === 'rejected'
    ? { reason: { code: answer.code, explanation: answer.explanation } }
    : {}),
});

/** Sends answers in parts the API accepts, telling how far it got. */
async function sendAll(api: Api, view: OrderView, answers: ReturnType<typeof answerBody>[]) {
  for (let start = 0; start < answers.length; start += ANSWERS_PER_REQUEST)
    await api.post(`${platformRoute(view)}/answers`, {
      items: answers.slice(start, start + ANSWERS_PER_REQUEST),
    });
}

/**
 * Platform staff: an outcome per pending item, a page of 100 at a time through all of them (answers chosen on one
 * page are kept while turning to another), and one outcome for every pending item of a large order.
 */
export function AnswerItems(props: Props) {
  const { api, view, onChange } = props;
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const cursor = trail[trail.length - 1] ?? null;
  const page = useLoad(() => pendingFrom(api, view, cursor, PAGE_SIZE), [cursor, view.itemCounts.pending]);
  const pendingTotal = view.itemCounts.pending ?? 0;
  if (pendingTotal === 0) return null;
  const set = (itemId: string, change: Partial<Answer>) =>
    setAnswers((previous) => ({
      ...previous,
      [itemId]: { outcome: '', code: REJECTION_CODES[0], explanation: '', ...previous[itemId], ...change },
    }));
  const chosen = Object.entries(answers).filter(([, answer]) => answer.outcome !== '');
  const done = () => {
    setAnswers({});
    setTrail([null]);
    onChange();
  };
  const items = page.data?.items ?? [];
  return (
    <>
      <ActionForm
        title={t('answerItems')}
        submitLabel={t('sendChosen', { count: chosen.length })}
        disabled={chosen.length === 0}
        onSubmit={() =>
          sendAll(
            api,
            view,
            chosen.map(([itemId, answer]) => answerBody(itemId, answer)),
          )
        }
        onDone={done}
      >
        <p class="muted" role="status">
          {t('answerPage', { page: trail.length, shown: items.length, total: pendingTotal })}
        </p>
        <ProblemBox error={page.error} />
        {items.length > 0 ? (
          <Field label={t('answerPageAll')}>
            <OutcomeSelect
              value=""
              onChange={(outcome) => {
                for (const item of items) set(item.id, { outcome });
              }}
            />
          </Field>
        ) : null}
        {items.map((item) => (
          <ItemAnswer key={item.id} item={item} answer={answers[item.id]} set={set} />
        ))}
        <div class="pager">
          <button type="button" disabled={trail.length === 1} onClick={() => setTrail(trail.slice(0, -1))}>
            {t('previousPage')}
          </button>
          <button
            type="button"
            disabled={!page.data?.next}
            onClick={() => page.data?.next && setTrail([...trail, page.data.next])}
          >
            {t('nextPage')}
          </button>
        </div>
      </ActionForm>
      {pendingTotal > PAGE_SIZE ? <AnswerEvery {...props} pending={pendingTotal} onDone={done} /> : null}
    </>
  );
}

/** An item outcome, or none yet. */
function OutcomeSelect(props: { value: string; required?: boolean; onChange: (outcome: string) => void }) {
  return (
    <select
      required={props.required}
      value={props.value}
      onChange={(event) => props.onChange(event.currentTarget.value)}
    >
      <option value="">{t('outcomeNone')}</option>
      {ITEM_OUTCOMES.map((outcome) => (
        <option key={outcome} value={outcome}>
          {outcome}
        </option>
      ))}
    </select>
  );
}

function ItemAnswer(props: {
  item: PendingItem;
  answer: Answer | undefined;
  set: (itemId: string, change: Partial<Answer>) => void;
}) {
  const { item, answer, set } = props;
  return (
    <fieldset class="answer">
      <Field label={t('answerOutcome', { locator: item.locator ?? item.id })}>
        <OutcomeSelect value={answer?.outcome ?? ''} onChange={(outcome) => set(item.id, { outcome })} />
      </Field>
      {answer?.outcome === 'rejected' ? (
        <Rejection answer={answer} onChange={(change) => set(item.id, change)} />
      ) : null}
    </fieldset>
  );
}

function Rejection(props: { answer: Answer; onChange: (change: Partial<Answer>) => void }) {
  return (
    <>
      <Field label={t('rejectionCode')}>
        <select
          value={props.answer.code}
          onChange={(event) => props.onChange({ code: event.currentTarget.value })}
        >
          {REJECTION_CODES.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('explanation')}>
        <textarea
          required
          value={props.answer.explanation}
          onInput={(event) => props.onChange({ explanation: event.currentTarget.value })}
        />
      </Field>
    </>
  );
}

/** One outcome for every item still pending, read and answered 1,000 at a time, with the progress shown. */
function AnswerEvery(props: Props & { pending: number; onDone: () => void }) {
  const { api, view } = props;
  const [answer, setAnswer] = useState<Answer>({ outcome: '', code: REJECTION_CODES[0], explanation: '' });
  const [sent, setSent] = useState<number | null>(null);
  const action = useAction();
  const run = async () => {
    let count = 0;
    setSent(0);
    for (let cursor: string | null = null; ; ) {
      const page = await pendingFrom(api, view, cursor, ANSWERS_PER_REQUEST);
      if (page.items.length > 0)
        await sendAll(
          api,
          view,
          page.items.map((item) => answerBody(item.id, answer)),
        );
      count += page.items.length;
      setSent(count);
      if (page.next === null) return;
      cursor = page.next;
    }
  };
  return (
    <form
      class="action"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(run).then((worked) => worked && props.onDone());
      }}
    >
      <h3>{t('answerEvery')}</h3>
      <Field label={t('answerEveryOutcome')}>
        <OutcomeSelect
          required
          value={answer.outcome}
          onChange={(outcome) => setAnswer({ ...answer, outcome })}
        />
      </Field>
      {answer.outcome === 'rejected' ? (
        <Rejection answer={answer} onChange={(change) => setAnswer({ ...answer, ...change })} />
      ) : null}
      <button type="submit" disabled={action.busy}>
        {t('answerEveryButton', { count: props.pending })}
      </button>
      {sent !== null ? <p role="status">{t('answerEveryProgress', { sent, total: props.pending })}</p> : null}
      <ProblemBox error={action.error} />
    </form>
  );
}
