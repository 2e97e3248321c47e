/** The page around every console view: language switch, skip link, the sections the role may open, sign-out. */
import type { Actor } from '../registry/registry.js';
import { permits, type Permission } from '../registry/permissions.js';
import { CSRF_FIELD } from './csrf.js';
import { html, type Html } from './html.js';
import type { Key, Lang, Translate } from './i18n.js';

export interface PageContext {
  readonly lang: Lang;
  readonly t: Translate;
  /** The path of the page (for the language links and the current section). */
  readonly path: string;
  readonly actor?: Actor;
  /** The CSRF token forms carry. */
  readonly csrf?: string;
}

const SECTIONS: { href: string; key: Key; permission: Permission }[] = [
  { href: '/console/dashboard', key: 'dashboard', permission: 'console.use' },
  { href: '/console/participants', key: 'participants', permission: 'participants.update' },
  { href: '/console/applications', key: 'applications', permission: 'participants.transition' },
  { href: '/console/systems', key: 'systems', permission: 'systems.write' },
  { href: '/console/routes', key: 'routes', permission: 'routes.write' },
  { href: '/console/tokens', key: 'tokens', permission: 'tokens.read' },
  { href: '/console/whereabouts', key: 'whereabouts', permission: 'queue.trace' },
  { href: '/console/log', key: 'log', permission: 'messages.read' },
  { href: '/console/audit', key: 'audit', permission: 'audit.read' },
];

/** The hidden CSRF field every changing form carries. */
export const csrfField = (ctx: PageContext): Html =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf ?? ''}" />`;

export function page(ctx: PageContext, title: string, body: Html): string {
  const { t, actor } = ctx;
  const other: Lang = ctx.lang === 'ru' ? 'en' : 'ru';
  // Operators may take lifecycle actions too, but check nothing: their list is the participants page.
  const sections = actor
    ? SECTIONS.filter(
        (s) => permits(actor.role, s.permission) && !(s.key === 'applications' && actor.role === 'operator'),
      )
    : [];
  return html`<!doctype html>
    <html lang="${ctx.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} — ${t('title')}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
      </head>
      <body>
        <a class="skip" href="#content">${t('skip')}</a>
        <header class="top">
          <span class="brand">${t('title')}</span>
          <a href="${ctx.path}?lang=${other}" lang="${other}" hreflang="${other}"
            >${other === 'en' ? 'English' : 'Русский'}</a
          >
          ${
            actor
              ? html`<span
                    >${t('signedInAs')}
                    <strong>${actor.name}</strong> (${t(`role_${actor.role}` as Key)})</span
                  >
                  <form method="post" action="/console/sign-out">
                    ${csrfField(ctx)}<button type="submit">${t('signOut')}</button>
                  </form>`
              : ''
          }
        </header>
        ${
          sections.length
            ? html`<nav class="main" aria-label="${t('nav')}">
                <ul>
                  ${sections.map(
                    (s) =>
                      html`<li>
                        <a href="${s.href}" ${ctx.path === s.href ? html` aria-current="page"` : ''}
                          >${t(s.key)}</a
                        >
                      </li>`,
                  )}
                </ul>
              </nav>`
            : ''
        }
        <main id="content" tabindex="-1">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.text;
}

/** A notice above a page: a result, or what went wrong. */
export const notice = (text: string | undefined, kind: 'good' | 'bad' | '' = ''): Html =>
  text ? html`<p class="notice ${kind}" role="status">${text}</p>` : html``;
