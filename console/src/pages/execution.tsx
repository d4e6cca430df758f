import { useEffect, useState } from 'preact/hooks';
import { type Api, encode } from '../api';
import { ProblemBox, Time, useLoad } from '../common';
import { isAslMachine } from '../graph/asl-graph';
import { t } from '../i18n';
import type { ExecutionView } from '../types';

/** ELK is 1.5 MB: loaded only when an execution is drawn. */
async function draw(view: ExecutionView, title: string): Promise<string> {
  if (!isAslMachine(view.definition)) return '';
  const [{ default: ELK }, { drawStateMachine }] = await Promise.all([
    import('elkjs/lib/elk.bundled.js'),
    import('../graph/layout'),
  ]);
  return drawStateMachine(
    new ELK(),
    view.definition,
    { current: new Set(view.currentStates), visited: new Set(view.visitedStates) },
    title,
  );
}

export function ExecutionPage({ api, id }: { api: Api; id: string }) {
  const execution = useLoad(
    () => api.get<ExecutionView>(`/v1/takedown-requests/${encode(id)}/execution`),
    [id],
  );
  const [svg, setSvg] = useState<{ markup: string; error?: unknown }>({ markup: '' });
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    if (!execution.data) return;
    draw(execution.data, t('graphLabel')).then(
      (markup) => setSvg({ markup }),
      (error: unknown) => setSvg({ markup: '', error }),
    );
  }, [execution.data]);
  if (execution.error) return <ProblemBox error={execution.error} />;
  const view = execution.data;
  if (!view) return <p role="status">{t('loading')}</p>;
  // The SVG is drawn from our own escaped strings (graph/svg.ts), never from raw API text.
  const pick = (event: Event) => {
    const node = (event.target as Element).closest('[data-state]');
    if (node) setSelected(node.getAttribute('data-state'));
  };
  const events = selected ? view.events.filter((entry) => entry.stateName === selected) : view.events;
  return (
    <article>
      <h1>{t('executionTitle', { id })}</h1>
      <p>
        {t('executionStatus', { status: view.status, count: view.redriveCount })}
        <Time at={view.startDate} />
        {view.deployed && view.awsConsoleUrl ? (
          <>
            {' · '}
            <a href={view.awsConsoleUrl} target="_blank" rel="noopener noreferrer">
              {t('openInAws')}
            </a>
          </>
        ) : null}
      </p>
      <ProblemBox error={svg.error} />
      {/* biome-ignore lint/a11y/noStaticElementInteractions: clicks and keys come from the SVG's state nodes (role=button, tabindex=0) */}
      <div
        class="graph"
        onClick={pick}
        onKeyDown={(event) => (event.key === 'Enter' || event.key === ' ') && pick(event)}
        dangerouslySetInnerHTML={{ __html: svg.markup }}
      />
      <section>
        <h2>{selected ? t('stateDetails', { state: selected }) : t('events')}</h2>
        {selected ? (
          <button type="button" onClick={() => setSelected(null)}>
            {t('events')}
          </button>
        ) : null}
        <div class="table-scroll">
          <table class="events">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('colTime')}</th>
                <th scope="col">{t('colType')}</th>
                <th scope="col">{t('colState')}</th>
                <th scope="col">{t('colDetails')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((entry) => (
                <tr key={entry.id}>
                  <td>{entry.id}</td>
                  <td>
                    <Time at={entry.timestamp} />
                  </td>
                  <td>{entry.type}</td>
                  <td>{entry.stateName ?? t('none')}</td>
                  <td>
                    {entry.input ? <Payload label={t('input')} text={entry.input} /> : null}
                    {entry.output ? <Payload label={t('output')} text={entry.output} /> : null}
                    {entry.error ? <code>{`${entry.error}: ${entry.cause ?? ''}`}</code> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </article>
  );
}

function Payload({ label, text }: { label: string; text: string }) {
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as it came.
  }
  return (
    <details>
      <summary>{label}</summary>
      <pre>{pretty}</pre>
    </details>
  );
}
