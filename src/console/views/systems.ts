/** Information systems with their queue depth and certificates (expiry, revocation), and the forms to add them. */
import type { Registry } from '../../registry/registry.js';
import { html, type Html } from '../html.js';
import { csrfField, notice, type PageContext } from '../layout.js';
import { dataTable, when } from './format.js';

type System = Awaited<ReturnType<Registry['listSystems']>>[number];

/** What an operator may do with a system in each state: a blocked system stays blocked. */
const SYSTEM_ACTIONS: Record<string, readonly ('suspend' | 'resume' | 'block')[]> = {
  active: ['suspend', 'block'],
  suspended: ['resume', 'block'],
};

/** One small form per action; suspending and blocking need a reason, as the registry insists. */
function statusForms(ctx: PageContext, system: System): Html {
  const { t } = ctx;
  return html`${(SYSTEM_ACTIONS[system.status] ?? []).map((action) => {
    const id = `sys-${action}-${system.mnemonic}`;
    return html`<form class="stack" method="post" action="/console/systems/${system.mnemonic}/${action}">
      ${csrfField(ctx)}
      ${
        action === 'resume'
          ? ''
          : html`<label for="${id}"
              >${t('reason')}<input id="${id}" name="reason" required maxlength="1000"
            /></label>`
      }
      <div>
        <button
          type="submit"
          class="${action === 'resume' ? '' : 'danger'}"
          aria-label="${t(`action_${action}`)} ${system.mnemonic}"
        >
          ${t(`action_${action}`)}
        </button>
      </div>
    </form>`;
  })}`;
}
type Certificate = Awaited<ReturnType<Registry['listCertificates']>>[number];

export interface SystemRow {
  readonly system: System;
  readonly depth: number;
  /** Each active certificate with what the trust store says of it now: undefined when valid. */
  readonly certificates: readonly { certificate: Certificate; problem: string | undefined }[];
}

export function systemsView(
  ctx: PageContext,
  rows: readonly SystemRow[],
  participants: readonly { id: string; shortName: string }[],
  done: boolean,
): Html {
  const { t } = ctx;
  return html`${notice(done ? t('done') : undefined, 'good')}
    ${dataTable(
      t,
      ['mnemonic', 'name', 'participant', 'status', 'queued', 'certificates'],
      rows.map(
        ({ system, depth, certificates }) =>
          html`<tr id="system-${system.mnemonic}">
            <td><strong>${system.mnemonic}</strong></td>
            <td>${system.name}</td>
            <td>${system.participant}</td>
            <td>${system.status}${statusForms(ctx, system)}</td>
            <td>${depth}</td>
            <td>
              ${
                certificates.length
                  ? html`<ul>
                      ${certificates.map(
                        ({ certificate: c, problem }) =>
                          html`<li>
                            ${c.subject}<br /><span class="muted">${t('validTo')} ${when(c.notAfter)}</span>
                            —
                            <span class="${problem ? 'bad' : 'good'}"
                              >${problem ? `${t('revoked')}: ${problem}` : t('valid')}</span
                            >
                          </li>`,
                      )}
                    </ul>`
                  : '—'
              }
              <details>
                <summary>${t('uploadPem')}</summary>
                <form class="stack" method="post" action="/console/systems/${system.mnemonic}/certificates">
                  ${csrfField(ctx)}
                  <label for="pem-${system.mnemonic}"
                    >${t('pem')}<textarea id="pem-${system.mnemonic}" name="pem" required></textarea>
                  </label>
                  <div><button type="submit">${t('upload')}</button></div>
                </form>
              </details>
            </td>
          </tr>`,
      ),
    )}
    <h2 id="add-system">${t('addSystem')}</h2>
    <form class="inline" method="post" action="/console/systems" aria-labelledby="add-system">
      ${csrfField(ctx)}
      <label for="sys-participant"
        >${t('participant')}<select id="sys-participant" name="participantId" required>
          ${participants.map((p) => html`<option value="${p.id}">${p.shortName}</option>`)}
        </select></label
      >
      <label for="sys-mnemonic"
        >${t('mnemonic')}<input id="sys-mnemonic" name="mnemonic" required maxlength="50"
      /></label>
      <label for="sys-name">${t('name')}<input id="sys-name" name="name" required maxlength="500" /></label>
      <button type="submit">${t('add')}</button>
    </form>`;
}
