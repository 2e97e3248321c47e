/**
 * Charts as inline SVG drawn on the server from numbers (no script, no library), each with a text alternative:
 * the SVG names itself by aria-label and a table with the same data follows it in a <details>.
 */
import { html, type Html } from './html.js';

const W = 600;
const H = 160;
const PAD = 28;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
}

/** Lines over equally spaced points (e.g. one per minute); the first series blue, the second red. */
export function lineChart(
  title: string,
  labels: readonly string[],
  series: readonly Series[],
  dataCaption: string,
): Html {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const n = Math.max(2, labels.length);
  const x = (i: number) => PAD + (i * (W - 2 * PAD)) / (n - 1);
  const y = (v: number) => H - PAD - (v * (H - 2 * PAD)) / max;
  const paths = series.map((s, k) => {
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return html`<path class="series-${k === 0 ? 'a' : 'b'}" d="${d}" />`;
  });
  const svg = html`<svg
    class="chart"
    viewBox="0 0 ${W} ${H}"
    role="img"
    aria-label="${title}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <line class="axis" x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" />
    <line class="axis" x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" />
    <text x="2" y="${PAD + 4}">${fmt(max)}</text>
    <text x="2" y="${H - PAD}">0</text>
    ${paths}
  </svg>`;
  return html`${svg}
    <p class="muted">
      ${series.map((s, k) => html`${k ? ' · ' : ''}<span class="${k ? 'bad' : ''}">■ ${s.label}: ${s.values.reduce((a, b) => a + b, 0)}</span>`)}
    </p>
    <details class="data">
      <summary>${dataCaption}</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col"></th>
              ${series.map((s) => html`<th scope="col">${s.label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${labels.map(
              (l, i) =>
                html`<tr>
                  <th scope="row">${l}</th>
                  ${series.map((s) => html`<td>${s.values[i] ?? 0}</td>`)}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>`;
}

/** Horizontal bars, one per label; `warn` marks bars drawn in red. */
export function barChart(
  title: string,
  bars: readonly { label: string; value: number; warn?: boolean }[],
  dataCaption: string,
): Html {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const height = Math.max(row, bars.length * row) + 4;
  const left = 150;
  const body = bars.map((b, i) => {
    const w = Math.max(1, ((W - left - 50) * b.value) / max);
    const yy = i * row + 2;
    return html`<text x="0" y="${yy + 14}">${b.label.slice(0, 22)}</text>
      <rect
        class="bar${b.warn ? ' warn' : ''}"
        x="${left}"
        y="${yy}"
        width="${w.toFixed(1)}"
        height="${row - 6}"
      />
      <text x="${(left + w + 4).toFixed(1)}" y="${yy + 14}">${fmt(b.value)}</text>`;
  });
  const svg = html`<svg
    class="chart"
    viewBox="0 0 ${W} ${height}"
    role="img"
    aria-label="${title}"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${body}
  </svg>`;
  return html`${svg}
    <details class="data">
      <summary>${dataCaption}</summary>
      <div class="table-wrap">
        <table>
          <tbody>
            ${bars.map(
              (b) =>
                html`<tr>
                  <th scope="row">${b.label}</th>
                  <td>${fmt(b.value)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>`;
}
