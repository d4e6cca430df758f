import { useState } from 'preact/hooks';
import { type CsvItem, isAbsoluteHttpUrl, partReference } from '../../../cli/csv-rules';
import type { Api } from '../api';
import { Field, ProblemBox } from '../common';
import type { ParsedCsv } from '../csv';
import { t } from '../i18n';
import { CATEGORIES, type SubmittedOrder } from '../types';

/** Agency officers: one order from the form, or a CSV of items (checked whole first, then sent part by part). */
export function SubmitPage({ api }: { api: Api }) {
  const [form, setForm] = useState({
    platformId: '',
    category: CATEGORIES[0] as string,
    legalBasis: '',
    reason: '',
    reference: '',
    territorialScope: 'ID',
    urgent: false,
    urgencyReason: '',
    items: '',
  });
  const [csv, setCsv] = useState<ParsedCsv | null>(null);
  const [progress, setProgress] = useState<{ part: number; parts: number } | null>(null);
  const [created, setCreated] = useState<SubmittedOrder[]>([]);
  const [error, setError] = useState<unknown>(null);

  const typedItems = (): CsvItem[] =>
    form.items
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((locator, index) => ({
        line: index + 1,
        locator,
        kind: isAbsoluteHttpUrl(locator) ? 'url' : 'account',
      }));

  const onFile = async (file: File | undefined) => {
    // csv-parse is loaded only when a file is chosen.
    const { readItemsCsv } = await import('../csv');
    setCsv(file ? readItemsCsv(await file.text()) : null);
  };

  const send = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setCreated([]);
    const parts = csv ? csv.parts : [typedItems()];
    if (csv && csv.errors.length > 0) return;
    const submission = crypto.randomUUID();
    try {
      for (const [index, part] of parts.entries()) {
        setProgress({ part: index + 1, parts: parts.length });
        const order = await api.post<SubmittedOrder>(
          '/v1/takedown-requests',
          {
            platformId: form.platformId.trim(),
            category: form.category,
            legalBasis: form.legalBasis
              .split(/\r?\n/)
              .map((line) => line.trim())
              .filter(Boolean),
            reason: form.reason,
            reference: partReference(form.reference.trim(), index + 1, parts.length),
            territorialScope: form.territorialScope.split(/[\s,]+/).filter(Boolean),
            ...(form.urgent ? { urgent: true, urgencyReason: form.urgencyReason } : {}),
            items: part.map(({ kind, locator, note }) => ({ kind, locator, ...(note ? { note } : {}) })),
          },
          { 'idempotency-key': `console-${submission}-${index + 1}` },
        );
        setCreated((previous) => [...previous, order]);
      }
    } catch (problem) {
      setError(problem);
    } finally {
      setProgress(null);
    }
  };

  const text = (name: 'platformId' | 'reference' | 'territorialScope' | 'urgencyReason', label: string) => (
    <Field label={label}>
      <input
        required={name !== 'urgencyReason'}
        value={form[name]}
        onInput={(event) => setForm({ ...form, [name]: event.currentTarget.value })}
      />
    </Field>
  );
  const area = (name: 'legalBasis' | 'reason' | 'items', label: string, required = true) => (
    <Field label={label}>
      <textarea
        required={required}
        value={form[name]}
        onInput={(event) => setForm({ ...form, [name]: event.currentTarget.value })}
      />
    </Field>
  );

  return (
    <section>
      <h1>{t('submitTitle')}</h1>
      <form class="submit" onSubmit={send}>
        {text('platformId', t('platform'))}
        <Field label={t('category')}>
          <select
            value={form.category}
            onChange={(event) => setForm({ ...form, category: event.currentTarget.value })}
          >
            {CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {category}
              </option>
            ))}
          </select>
        </Field>
        {text('reference', t('reference'))}
        {area('legalBasis', t('legalBasis'))}
        {area('reason', t('reason'))}
        {text('territorialScope', t('scope'))}
        <label class="check">
          <input
            type="checkbox"
            checked={form.urgent}
            onChange={(event) => setForm({ ...form, urgent: event.currentTarget.checked })}
          />
          {t('urgent')}
        </label>
        {form.urgent ? text('urgencyReason', t('urgencyReason')) : null}
        {csv ? null : area('items', t('itemsField'))}
        <Field label={t('csvFile')}>
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => onFile(event.currentTarget.files?.[0])}
          />
        </Field>
        {csv ? <CsvPreview csv={csv} /> : null}
        <button type="submit" disabled={progress !== null || (csv?.errors.length ?? 0) > 0}>
          {t('submit')}
        </button>
      </form>
      {progress ? (
        <p role="status">
          <progress value={progress.part - 1} max={progress.parts} /> {t('sending', progress)}
        </p>
      ) : null}
      <ProblemBox error={error} />
      {created.length > 0 ? (
        <div role="status">
          <p>{t('submitted')}</p>
          <ul>
            {created.map((order) => (
              <li key={order.id}>
                <a href={`/orders/${encodeURIComponent(order.id)}`}>{order.reference}</a> ({order.status},{' '}
                {order.itemCounts.total})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function CsvPreview({ csv }: { csv: ParsedCsv }) {
  if (csv.errors.length > 0)
    return (
      <div class="problem" role="alert">
        <strong>{t('csvErrors', { count: csv.errors.length })}</strong>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('colLine')}</th>
              <th scope="col">{t('colMessage')}</th>
            </tr>
          </thead>
          <tbody>
            {csv.errors.slice(0, 200).map((error) => (
              <tr key={`${error.line}-${error.message}`}>
                <td>{error.line}</td>
                <td>{error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <div class="preview">
      <p>{t('csvPreview', { items: csv.items, parts: csv.parts.length })}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('colLine')}</th>
            <th scope="col">{t('colKind')}</th>
            <th scope="col">{t('colLocator')}</th>
          </tr>
        </thead>
        <tbody>
          {(csv.parts[0] ?? []).slice(0, 10).map((item) => (
            <tr key={item.line}>
              <td>{item.line}</td>
              <td>{item.kind}</td>
              <td class="locator">{item.locator}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
