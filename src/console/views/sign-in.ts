/** The sign-in page: one field, the API token (never echoed back, never autocompleted). */
import { html, type Html } from '../html.js';
import { csrfField, notice, type PageContext } from '../layout.js';

export function signInView(ctx: PageContext, problem?: string): Html {
  const { t } = ctx;
  return html`${notice(problem, 'bad')}
    <p>${t('signInLead')}</p>
    <form class="stack" method="post" action="/console/sign-in">
      ${csrfField(ctx)}
      <label for="token"
        >${t('token')}
        <input id="token" name="token" type="password" autocomplete="off" required spellcheck="false" />
      </label>
      <div><button type="submit">${t('signInButton')}</button></div>
    </form>
    <p><a href="/console/check">${t('check')}</a></p>`;
}
