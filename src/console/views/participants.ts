/**
 * Participants with their lifecycle (operators), and the applications waiting for a coordinator's check. Both
 * list overdue ones first, then by deadline; each row offers the actions the lifecycle table gives the role in
 * that state, a reason field where one is required.
 */
import { TRANSITIONS, type TransitionName } from '../../registry/lifecycle.js';
import type { Actor, Registry } from '../../registry/registry.js';
import { html, type Html } from '../html.js';
import type { Key, Translate } from '../i18n.js';
import { csrfField, notice, type PageContext } from '../layout.js';
import { dataTable, statusWord, when } from './format.js';

type Listed = Awaited<ReturnType<Registry['listParticipants']>>[number];

const deadlineOf = (p: Listed): string | null =>
  p.status === 'submitted' ? p.coordinatorDue : p.status === 'checked' ? p.operatorDue : null;

/** Overdue first, then the nearest deadline, then the rest by name. */
export function byUrgency(list: readonly Listed[]): Listed[] {
  return [...list].sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    const da = deadlineOf(a);
    const db = deadlineOf(b);
    if (da !== db) return da === null ? 1 : db === null ? -1 : da.localeCompare(db);
    return a.shortName.localeCompare(b.shortName);
  });
}

function actionsFor(ctx: PageContext, actor: Actor, p: Listed, back: string): Html {
  const names = (Object.keys(TRANSITIONS) as TransitionName[]).filter((name) => {
    const rule = TRANSITIONS[name];
    return rule.role === actor.role && (rule.from as readonly string[]).includes(p.status);
  });
  return html`${names.map((name) => {
    const rule = TRANSITIONS[name];
    const id = `r-${p.id}-${name}`;
    return html`<form class="inline" method="post" action="/console/participants/${p.id}/${name}">
      ${csrfField(ctx)}<input type="hidden" name="back" value="${back}" /><input
        type="hidden"
        name="version"
        value="${String(p.version)}"
      />
      ${
        rule.reasonRequired
          ? html`<label for="${id}"
              >${ctx.t('reason')}<input id="${id}" name="reason" required maxlength="1000"
            /></label>`
          : ''
      }<button
        type="submit"
        ${name === 'decline' || name === 'block' || name === 'withdraw' ? html` class="danger"` : ''}
      >
        ${ctx.t(`action_${name}` as Key)}
      </button>
    </form>`;
  })}`;
}

/**
 * The name opens to everything a coordinator's check vouches for (docs/operators.md): the check is taken on the
 * application as the page showed it, so the page shows all of it, not the short name alone.
 */
function applicationData(t: Translate, p: Listed): Html {
  const { contact } = p;
  const rows: [Key, string | null][] = [
    ['fullName', p.fullName],
    ['legalForm', p.legalForm],
    ['participantKind', p.kind],
    ['ogrn', p.ogrn],
    ['inn', p.inn],
    ['kpp', p.kpp],
    ['address', p.address],
    ['headName', p.head],
    [
      'contactPerson',
      [contact.name, contact.position, contact.phone, contact.email].filter(Boolean).join(', '),
    ],
  ];
  return html`<details class="data">
    <summary>${p.shortName}</summary>
    <dl class="facts">
      ${rows.map(
        ([key, value]) =>
          html`<dt>${t(key)}</dt>
            <dd>${value || '—'}</dd>`,
      )}
    </dl>
  </details>`;
}

function table(ctx: PageContext, actor: Actor, list: readonly Listed[], back: string): Html {
  const { t } = ctx;
  return html`${dataTable(
    t,
    ['name', 'ogrn', 'sphere', 'status', 'deadline', 'actions'],
    list.map((p) => {
      const due = deadlineOf(p);
      return html`<tr>
        <td>${applicationData(t, p)}</td>
        <td>${p.ogrn}</td>
        <td>${p.sphere}</td>
        <td>${statusWord(t, p.status)}</td>
        <td>
          ${due ? when(due) : '—'}${p.overdue ? html` <strong class="bad">${t('overdue')}</strong>` : ''}
        </td>
        <td>${actionsFor(ctx, actor, p, back)}</td>
      </tr>`;
    }),
  )}`;
}

export function participantsView(
  ctx: PageContext,
  actor: Actor,
  list: readonly Listed[],
  done: boolean,
): Html {
  return html`${notice(done ? ctx.t('done') : undefined, 'good')}${table(ctx, actor, byUrgency(list), '/console/participants')}`;
}

export function applicationsView(
  ctx: PageContext,
  actor: Actor,
  list: readonly Listed[],
  done: boolean,
): Html {
  return html`${notice(done ? ctx.t('done') : undefined, 'good')}${
    list.length
      ? table(ctx, actor, byUrgency(list), '/console/applications')
      : html`<p>${ctx.t('noApplications')}</p>`
  }`;
}
