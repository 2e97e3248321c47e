/** The message log for auditors: the search form, the results, verify and the archive export. */
import type { searchMessages } from '../../messagelog/query.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageContext } from '../layout.js';
import { dataTable, when } from './format.js';

export interface LogQuery {
  readonly from: string;
  readonly to: string;
  readonly sender: string;
  readonly recipient: string;
  readonly messageId: string;
  readonly fault: string;
  readonly page: number;
}

type Result = Awaited<ReturnType<typeof searchMessages>>;

export function logView(ctx: PageContext, q: LogQuery, result: Result | undefined): Html {
  const { t } = ctx;
  const input = (name: keyof LogQuery, key: Parameters<typeof t>[0], type = 'text') =>
    html`<label for="q-${name}"
      >${t(key)}<input id="q-${name}" name="${name}" type="${type}" value="${String(q[name])}"
    /></label>`;
  const next = new URLSearchParams({ ...q, page: String(q.page + 1) } as unknown as Record<string, string>);
  return html`<form class="inline" method="get" action="/console/log" role="search">
      ${input('from', 'from', 'datetime-local')}${input('to', 'to', 'datetime-local')}${input('sender', 'sender')}
      ${input('recipient', 'recipient')}${input('messageId', 'messageId')}${input('fault', 'faultCode')}
      <button type="submit">${t('search')}</button>
    </form>
    ${
      result
        ? html`<p>${t('found')}: <strong>${result.total}</strong></p>
            ${dataTable(
              t,
              ['received', 'messageId', 'sender', 'recipient', 'duration', 'result'],
              result.items.map(
                (r) =>
                  html`<tr>
                    <td><a href="/console/log/${r.id}">${when(r.receivedAt)}</a></td>
                    <td><code>${r.messageId ?? '—'}</code></td>
                    <td>${r.sender ?? '—'}</td>
                    <td>${r.recipient ?? '—'}</td>
                    <td>${r.durationMs}</td>
                    <td class="${r.fault ? 'bad' : 'good'}">${r.fault ?? t('ok')}</td>
                  </tr>`,
              ),
            )}
            ${result.total > q.page * result.pageSize ? html`<p><a href="/console/log?${next.toString()}">${t('next')}</a></p>` : ''}`
        : ''
    }
    <h2>${t('verify')}</h2>
    <form method="post" action="/console/log/verify">
      ${csrfField(ctx)}<button type="submit">${t('verify')}</button>
    </form>
    <h2 id="export-log">${t('exportLog')}</h2>
    <form class="inline" method="get" action="/console/log/export" aria-labelledby="export-log">
      <label for="e-from">${t('from')}<input id="e-from" name="from" type="datetime-local" required /></label>
      <label for="e-to">${t('to')}<input id="e-to" name="to" type="datetime-local" required /></label>
      <button type="submit">${t('export')}</button>
    </form>`;
}
