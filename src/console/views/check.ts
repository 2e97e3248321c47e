/** The public page that checks a document's authenticity by its QR code or short code. */
import type { DocumentsAnswer } from '../../providers/documents/codec.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageContext } from '../layout.js';
import { statusWord, when } from './format.js';

export type CheckResult =
  | { kind: 'answer'; body: Extract<DocumentsAnswer, { kind: 'check' }> }
  | { kind: 'refused'; code: string; description: string }
  | { kind: 'unavailable' };

export function checkView(ctx: PageContext, result: CheckResult | undefined): Html {
  const { t } = ctx;
  return html`<p>${t('checkLead')}</p>
    <form class="stack" method="post" action="/console/check">
      ${csrfField(ctx)}
      <label for="code"
        >${t('code')}<input
          id="code"
          name="code"
          required
          maxlength="2000"
          autocomplete="off"
          spellcheck="false"
      /></label>
      <div><button type="submit">${t('find')}</button></div>
    </form>
    ${result ? resultOf(ctx, result) : ''}`;
}

function resultOf(ctx: PageContext, result: CheckResult): Html {
  const { t } = ctx;
  if (result.kind === 'unavailable')
    return html`<p class="notice bad" role="status">${t('documentsOff')}</p>`;
  if (result.kind === 'refused')
    return html`<p class="notice bad" role="status" id="check-result">
      ${t('checkRefused')}: ${result.description}
    </p>`;
  const d = result.body;
  const good = d.status === 'VALID' && d.signatureValid;
  return html`<div class="notice ${good ? 'good' : 'bad'}" role="status" id="check-result">
    <dl class="facts">
      <dt>${t('issuer')}</dt>
      <dd>${d.issuer}</dd>
      <dt>${t('docType')}</dt>
      <dd>${d.type}</dd>
      <dt>${t('status')}</dt>
      <dd><strong>${statusWord(t, d.status)}</strong></dd>
      <dt>${t('issuedAt')}</dt>
      <dd>${when(d.issuedAt)}</dd>
      <dt>${t('signature')}</dt>
      <dd class="${d.signatureValid ? 'good' : 'bad'}">
        ${d.signatureValid ? t('signatureVerified') : t('signatureFailed')}
      </dd>
    </dl>
  </div>`;
}
