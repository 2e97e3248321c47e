/** Routes: who sends which message to whom, through which provider; add one, withdraw one. */
import type { Registry } from '../../registry/registry.js';
import { html, type Html } from '../html.js';
import { dataTable } from './format.js';
import { csrfField, notice, type PageContext } from '../layout.js';

type Route = Awaited<ReturnType<Registry['listRoutes']>>[number];

export function routesView(ctx: PageContext, routes: readonly Route[], done: boolean): Html {
  const { t } = ctx;
  const field = (name: string, key: Parameters<typeof t>[0], extra = '') =>
    html`<label for="route-${name}"
      >${t(key)}<input
        id="route-${name}"
        name="${name}"
        required${extra ? html` placeholder="${extra}"` : ''}
    /></label>`;
  return html`${notice(done ? t('done') : undefined, 'good')}
    <h2 id="add-route">${t('addRoute')}</h2>
    <form class="inline" method="post" action="/console/routes" aria-labelledby="add-route">
      ${csrfField(ctx)}
      ${field('consumer', 'consumer')}${field('namespace', 'namespace')}${field('localName', 'localName')}
      ${field('recipient', 'recipient')}${field('provider', 'provider', 'builtin:ping')}
      <button type="submit">${t('add')}</button>
    </form>
    ${dataTable(
      t,
      ['consumer', 'messageType', 'recipient', 'provider', 'actions'],
      routes.map(
        (r) =>
          html`<tr>
            <td>${r.consumer}</td>
            <td><code>{${r.namespace}}${r.localName}</code></td>
            <td>${r.recipient}</td>
            <td>${r.provider}</td>
            <td>
              <form method="post" action="/console/routes/${r.id}/withdraw">
                ${csrfField(ctx)}
                <button
                  type="submit"
                  class="danger"
                  aria-label="${t('withdraw')} ${r.consumer} ${r.localName}"
                >
                  ${t('withdraw')}
                </button>
              </form>
            </td>
          </tr>`,
      ),
    )}`;
}
