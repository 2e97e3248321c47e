/** One message-log record: its facts, both messages, their signatures' verdict and its place in the chain. */
import type { getMessage } from '../../messagelog/query.js';
import { html, type Html } from '../html.js';
import type { PageContext } from '../layout.js';
import { when } from './format.js';

type Record = NonNullable<Awaited<ReturnType<typeof getMessage>>>;

export interface ChainPlace {
  /** Records of this instance's chain in the store. */
  readonly length: number;
  /** The first head checkpoint at or after the record, which proves it; undefined: none yet. */
  readonly coveredBy: { seq: number; at: number } | undefined;
}

export function recordView(
  ctx: PageContext,
  r: Record,
  signatureProblems: readonly string[],
  place: ChainPlace,
): Html {
  const { t } = ctx;
  return html`<dl class="facts">
      <dt>${t('messageId')}</dt>
      <dd><code>${r.messageId ?? '—'}</code></dd>
      <dt>${t('received')}</dt>
      <dd>${when(r.receivedAt)}</dd>
      <dt>${t('sender')}</dt>
      <dd>${r.sender ?? '—'}</dd>
      <dt>${t('recipient')}</dt>
      <dd>${r.recipient ?? '—'}</dd>
      <dt>${t('messageType')}</dt>
      <dd><code>${r.messageType ?? '—'}</code></dd>
      <dt>${t('duration')}</dt>
      <dd>${r.durationMs}</dd>
      <dt>${t('result')}</dt>
      <dd class="${r.fault ? 'bad' : 'good'}">HTTP ${r.httpStatus} ${r.fault ?? t('ok')}</dd>
    </dl>
    ${
      r.integrity.ok
        ? ''
        : html`<p class="notice bad">${t('recordNotIntact')}</p>
            <ul class="notice bad">
              ${r.integrity.problems.map((p) => html`<li>${p}</li>`)}
            </ul>`
    }
    <h2>${t('signatures')}</h2>
    ${
      // Signatures that verify over bodies that are not the record's own prove nothing about it.
      !r.integrity.ok
        ? html`<p class="notice bad">${t('recordNotIntact')}</p>`
        : !r.bodiesKept
          ? html`<p class="notice">${t('bodiesGone')}</p>`
          : signatureProblems.length
            ? html`<ul class="notice bad">
                ${signatureProblems.map((p) => html`<li>${p}</li>`)}
              </ul>`
            : html`<p class="notice good">${t('signaturesOk')} (${r.verification ?? ''})</p>`
    }
    <h2>${t('chain')}</h2>
    <dl class="facts">
      <dt>${t('instance')}</dt>
      <dd><code>${r.instance}</code></dd>
      <dt>${t('seq')}</dt>
      <dd>${r.seq} / ${place.length}</dd>
      <dt>${t('prevHash')}</dt>
      <dd><code>${r.prevHash}</code></dd>
      <dt>${t('hash')}</dt>
      <dd><code>${r.hash}</code></dd>
      <dt>${t('lastCheckpoint')}</dt>
      <dd>
        ${place.coveredBy ? html`#${place.coveredBy.seq}, ${when(place.coveredBy.at)}` : t('never')}
        ${r.integrity.ok ? '' : html`<span class="bad">(${t('recordNotIntact')})</span>`}
      </dd>
    </dl>
    <h2>${t('request')}</h2>
    <pre tabindex="0">${r.requestXml ?? '—'}</pre>
    <h2>${t('answer')}</h2>
    <pre tabindex="0">${r.answerXml ?? '—'}</pre>`;
}
