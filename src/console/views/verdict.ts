/** The result of "verify", for the message log and for the audit trail alike. */
import { html, type Html } from '../html.js';
import type { PageContext } from '../layout.js';

export interface Verdict {
  readonly ok: boolean;
  /** Records or entries checked, and checkpoints. */
  readonly checked: number;
  readonly checkpoints: number;
  readonly firstBroken?: string | undefined;
  readonly problems: readonly string[];
  /** Only unproven (not broken): what is there is intact, but not all of it is signed over yet. */
  readonly unprovenOnly: boolean;
}

export function verdictView(ctx: PageContext, v: Verdict, back: string): Html {
  const { t } = ctx;
  const kind = v.ok ? 'good' : v.unprovenOnly ? '' : 'bad';
  const headline = v.ok ? t('verdictOk') : v.unprovenOnly ? t('verdictUnproven') : t('verdictBroken');
  return html`<p class="notice ${kind}" role="status" id="verdict">
      <strong>${headline}</strong><br />
      ${t('checked')}: ${v.checked}; checkpoints: ${v.checkpoints}
    </p>
    ${v.firstBroken ? html`<p class="bad">${v.firstBroken}</p>` : ''}
    ${
      v.problems.length
        ? html`<ul>
            ${v.problems.slice(0, 50).map((p) => html`<li>${p}</li>`)}
          </ul>`
        : ''
    }
    <p><a href="${back}">${t('back')}</a></p>`;
}
