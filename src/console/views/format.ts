/** Small formatters the views share: times, durations, statuses. */
import { html, type Html, type Interpolated } from '../html.js';
import type { Key, Translate } from '../i18n.js';

/** An instant as `YYYY-MM-DD HH:MM:SS UTC` (the gateway's times are UTC everywhere). */
export const when = (ms: number | string | Date): string =>
  `${new Date(ms instanceof Date ? ms.getTime() : typeof ms === 'string' ? Date.parse(ms) : ms)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ')} UTC`;

/** A span of time in minutes, hours or days, roughly, in the page's language. */
export function span(t: Translate, ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} ${t('unit_min')}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} ${t('unit_h')}`;
  return `${Math.round(hours / 24)} ${t('unit_d')}`;
}

export const statusWord = (t: Translate, status: string): string => {
  const key = `status_${status}` as Key;
  const word = t(key);
  return word ?? status;
};

/** A table of rows under column headings (translation keys), scrolling sideways on a narrow screen. */
export function dataTable(t: Translate, columns: readonly Key[], rows: Interpolated): Html {
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          ${columns.map((key) => html`<th scope="col">${t(key)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}
