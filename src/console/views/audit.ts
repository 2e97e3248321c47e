/** The audit trail as a timeline, newest first, a page at a time; verify and export below it. */
import type { AuditEntryRow } from '../../audit/canonical.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageContext } from '../layout.js';
import { when } from './format.js';

export function auditView(ctx: PageContext, entries: readonly AuditEntryRow[], pageSize: number): Html {
  const { t } = ctx;
  const last = entries.at(-1);
  return html`<form method="post" action="/console/audit/verify" class="inline">
      ${csrfField(ctx)}<button type="submit">${t('verify')}</button>
    </form>
    <p><a href="/console/audit/export" download>${t('exportAudit')}</a></p>
    <ol class="timeline">
      ${entries.map(
        (e) =>
          html`<li>
            <strong>${when(Number(e.at))}</strong> — ${e.actor} (${e.role}):
            <code>${e.action}</code> ${t('object')}: ${e.subject_type} <code>${e.subject_id}</code>
            <span class="muted">#${Number(e.seq)}</span>
          </li>`,
      )}
    </ol>
    ${last && entries.length === pageSize && Number(last.seq) > 1 ? html`<p><a href="/console/audit?before=${Number(last.seq)}">${t('olderEntries')}</a></p>` : ''}`;
}
