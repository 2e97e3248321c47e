/** The dashboard: pictures first (SVG charts with their data as tables), then the lists that need action. */
import { barChart, lineChart } from '../charts.js';
import { html, type Html } from '../html.js';
import type { PageContext } from '../layout.js';
import type { DashboardStats } from '../stats.js';
import { span, statusWord, when } from './format.js';

export function dashboardView(ctx: PageContext, stats: DashboardStats, now: Date): Html {
  const { t } = ctx;
  const labels = stats.minutes.map((m) => new Date(m.start).toISOString().slice(11, 16));
  const age = (at: number | undefined) =>
    at === undefined ? t('never') : `${span(t, now.getTime() - at)} ${t('ago')} (${when(at)})`;
  const stale = (at: number | undefined, limitMs: number) => at === undefined || now.getTime() - at > limitMs;
  return html`<div class="cards">
    <section class="card wide" aria-labelledby="c-exchanges">
      <h2 id="c-exchanges">${t('exchangesPerMinute')}</h2>
      ${lineChart(
        t('exchangesPerMinute'),
        labels,
        [
          { label: t('exchanges'), values: stats.minutes.map((m) => m.exchanges) },
          { label: t('faults'), values: stats.minutes.map((m) => m.faults) },
        ],
        t('chartText'),
      )}
    </section>
    <section class="card wide" aria-labelledby="c-latency">
      <h2 id="c-latency">${t('latency')}</h2>
      ${barChart(
        t('latency'),
        [
          { label: 'p50', value: stats.latency.p50 },
          { label: 'p90', value: stats.latency.p90 },
          { label: 'p99', value: stats.latency.p99, warn: true },
        ],
        t('chartText'),
      )}
      <p class="muted">n = ${stats.latency.count}</p>
    </section>
    <section class="card" aria-labelledby="c-queue">
      <h2 id="c-queue">${t('queueDepth')}</h2>
      ${
        stats.queue.length
          ? barChart(
              t('queueDepth'),
              stats.queue.map((q) => ({ label: q.recipient, value: q.depth })),
              t('chartText'),
            )
          : html`<p class="big">0</p>`
      }
    </section>
    <section class="card" aria-labelledby="c-checkpoint">
      <h2 id="c-checkpoint">${t('lastCheckpoint')}</h2>
      <p class="${stale(stats.lastCheckpointAt, 15 * 60_000) ? 'bad' : 'good'}">
        ${age(stats.lastCheckpointAt)}
      </p>
      <h2>${t('lastTimestamp')}</h2>
      <p class="${stale(stats.lastTimestampAt, 15 * 60_000) ? 'bad' : 'good'}">
        ${age(stats.lastTimestampAt)}
      </p>
    </section>
    <section class="card" aria-labelledby="c-overdue">
      <h2 id="c-overdue">${t('overdueApplications')}</h2>
      <p class="big ${stats.overdue.length ? 'bad' : 'good'}">${stats.overdue.length}</p>
      ${
        stats.overdue.length
          ? html`<ul>
              ${stats.overdue.map((p) => html`<li>${p.shortName} — ${statusWord(t, p.status)}</li>`)}
            </ul>`
          : ''
      }
    </section>
    <section class="card" aria-labelledby="c-ending">
      <h2 id="c-ending">${t('nearEnd')}</h2>
      ${
        stats.ending.length
          ? html`<ul>
              ${stats.ending.map(
                (e) =>
                  html`<li class="${e.notAfter < now.getTime() + 7 * 86_400_000 ? 'bad' : ''}">
                    ${e.what} — ${when(e.notAfter)}
                  </li>`,
              )}
            </ul>`
          : html`<p class="good">${t('none')}</p>`
      }
    </section>
  </div>`;
}
