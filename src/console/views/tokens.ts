/** API tokens: name, role, scope, whether revoked. The tokens themselves are never kept, so never shown. */
import type { Registry } from '../../registry/registry.js';
import { html, type Html } from '../html.js';
import type { Key } from '../i18n.js';
import type { PageContext } from '../layout.js';
import { dataTable, when } from './format.js';

type Token = Awaited<ReturnType<Registry['listTokens']>>[number];

export function tokensView(ctx: PageContext, tokens: readonly Token[]): Html {
  const { t } = ctx;
  return html`${dataTable(
    t,
    ['name', 'role', 'sphere', 'created', 'status'],
    tokens.map(
      (k) =>
        html`<tr>
          <td>${k.name}</td>
          <td>${t(`role_${k.role}` as Key)}</td>
          <td>${k.spheres?.join(', ') ?? '—'}</td>
          <td>${when(k.created)}</td>
          <td class="${k.revoked ? 'bad' : 'good'}">${k.revoked ? t('revoked') : t('valid')}</td>
        </tr>`,
    ),
  )}`;
}
