/** Where a queued message is, by MessageID: its state and its exchange's, no bodies. */
import type { QueueTrace } from '../../queue/trace.js';
import { html, type Html } from '../html.js';
import type { PageContext } from '../layout.js';
import { dataTable, when } from './format.js';

export function whereaboutsView(ctx: PageContext, messageId: string, trace: QueueTrace | undefined): Html {
  const { t } = ctx;
  return html`<form class="inline" method="get" action="/console/whereabouts">
      <label for="w-id"
        >${t('messageId')}<input id="w-id" name="messageId" value="${messageId}" required size="40"
      /></label>
      <button type="submit">${t('find')}</button>
    </form>
    ${
      messageId && !trace
        ? html`<p class="notice bad" role="status">${t('notQueued')}</p>`
        : trace
          ? html`${dataTable(
              t,
              ['messageId', 'state', 'sender', 'recipient', 'messageType', 'created'],
              trace.exchange.map(
                (
                  m,
                ) => html`<tr${m.messageId === trace.message.messageId ? html` class="good"` : ''}><td><code>${m.messageId}</code> (${m.kind})</td>
<td><strong>${m.state}</strong></td><td>${m.sender}</td><td>${m.recipient}</td><td><code>${m.messageType}</code></td><td>${when(m.createdAt)}</td></tr>`,
              ),
            )}`
          : ''
    }`;
}
