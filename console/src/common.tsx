import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem } from './api';
import { language, t } from './i18n';
import { formatDuration, formatLocal, formatUtc } from './time';

/** A time in the viewer's zone; the UTC value on hover. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span>{t('none')}</span>;
  return (
    <time dateTime={at} title={formatUtc(at)}>
      {formatLocal(at, language() === 'id' ? 'id-ID' : 'en-GB')}
    </time>
  );
}

const subscribers = new Set<(now: number) => void>();
setInterval(() => {
  const now = Date.now();
  for (const subscriber of subscribers) subscriber(now);
}, 1000);

/** One timer for every countdown on the page. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    subscribers.add(setNow);
    return () => {
      subscribers.delete(setNow);
    };
  }, []);
  return now;
}

/** The statuses an order ends in: nothing runs against its deadline any more. */
export const FINAL_STATUSES: readonly string[] = [
  'complied',
  'complied_late',
  'withdrawn',
  'referred_for_blocking',
];

export function Countdown({
  deadlineAt,
  pausedSince,
  status,
}: {
  deadlineAt: string | null;
  pausedSince?: string | null;
  /** A closed order shows its last deadline as a date only, not time left. */
  status?: string;
}) {
  const now = useNow();
  if (pausedSince) return <span class="countdown paused">{t('paused')}</span>;
  if (!deadlineAt) return <span>{t('none')}</span>;
  if (status !== undefined && FINAL_STATUSES.includes(status)) return <Time at={deadlineAt} />;
  const left = new Date(deadlineAt).getTime() - now;
  const text =
    left >= 0 ? t('remaining', { time: formatDuration(left) }) : t('overdue', { time: formatDuration(left) });
  return (
    <span class={left >= 0 ? 'countdown' : 'countdown overdue'}>
      {text} · <Time at={deadlineAt} />
    </span>
  );
}

/** A problem document (or any error), shown plainly. */
export function ProblemBox({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : null;
  const notFound = problem?.status === 404;
  return (
    <div class="problem" role="alert">
      <strong>{notFound ? t('notFound') : (problem?.title ?? t('errorTitle'))}</strong>
      <p>{notFound ? t('notFoundDetail') : (problem?.detail ?? (problem ? '' : String(error)))}</p>
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((entry) => (
            <li key={entry.field}>
              <code>{entry.field}</code>: {entry.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: ComponentChildren;
  hint?: string;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in, so the label names it
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint ? <span class="hint">{hint}</span> : null}
    </label>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `keys` change; the last answer wins. */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...keys, version]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: () => setVersion((v) => v + 1),
  };
}

/** A form's submit: busy while it runs, the problem document when it fails, `done` when it worked. */
export function useAction(): {
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
  error: unknown;
  done: boolean;
} {
  const [state, setState] = useState<{ busy: boolean; error?: unknown; done: boolean }>({
    busy: false,
    done: false,
  });
  return {
    ...state,
    error: state.error,
    run: async (action) => {
      setState({ busy: true, done: false });
      try {
        await action();
        setState({ busy: false, done: true });
        return true;
      } catch (error) {
        setState({ busy: false, error, done: false });
        return false;
      }
    },
  };
}

/** One action: a form with its fields, the API's problem document under it when it fails. */
export function ActionForm(props: {
  title: string;
  submitLabel: string;
  onSubmit: () => Promise<unknown>;
  onDone: () => void;
  /** The submit button stays disabled while there is nothing to send. */
  disabled?: boolean;
  children?: ComponentChildren;
}) {
  const action = useAction();
  return (
    <form
      class="action"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(props.onSubmit).then((worked) => worked && props.onDone());
      }}
    >
      <h3>{props.title}</h3>
      {props.children}
      <button type="submit" disabled={action.busy || props.disabled === true}>
        {props.submitLabel}
      </button>
      {action.done ? <p role="status">{t('done')}</p> : null}
      <ProblemBox error={action.error} />
    </form>
  );
}
