/** Pages for a refusal: 403 (the role may not), 404, and a change the registry refused (with its reason). */
import { html, type Html } from '../html.js';
import type { PageContext } from '../layout.js';

export function problemView(ctx: PageContext, message: string): Html {
  return html`<p class="notice bad" role="alert">${message}</p>
    <p><a href="/console/dashboard">${ctx.t('back')}</a></p>`;
}
