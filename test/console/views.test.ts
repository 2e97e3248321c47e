/**
 * The console's building blocks without a browser: the one escaping helper escapes every interpolated value
 * (nested markup built by it excepted), both languages have every string, the charts carry their text
 * alternative, and the dashboard's percentiles are the nearest-rank ones.
 */
import { expect } from 'chai';
import { barChart, lineChart } from '../../src/console/charts.js';
import { html } from '../../src/console/html.js';
import { STRINGS } from '../../src/console/i18n.js';
import { percentile } from '../../src/console/stats.js';

/** Markup with the formatter's whitespace between tags taken out. */
const flat = (markup: string) => markup.replace(/\s+/g, ' ').replace(/>\s+</g, '><').replace(/\s+>/g, '>');

describe('console: views', () => {
  it('escapes every interpolated value, in text and in attributes, but not markup it built', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const out = html`<a title="${hostile}">${hostile}</a
      >${html`<b>${hostile}</b>`}${[hostile, 1, null, false]}`.text;
    expect(out).not.to.contain('<script>');
    // Whitespace between tags is the formatter's business; the characters are the test's.
    expect(flat(out)).to.equal(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>' +
        '<b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</b>' +
        '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;1',
    );
  });

  it('has every string in Russian and in English, none empty', () => {
    expect(Object.keys(STRINGS.en).sort()).to.deep.equal(Object.keys(STRINGS.ru).sort());
    for (const lang of ['ru', 'en'] as const)
      for (const [key, text] of Object.entries(STRINGS[lang])) expect(text, `${lang}.${key}`).to.match(/\S/);
  });

  it('draws charts as SVG named for screen readers, the same figures in a table, labels escaped', () => {
    const line = flat(
      lineChart('Exchanges <per> minute', ['10:00', '10:01'], [{ label: 'ok', values: [3, 5] }], 'data').text,
    );
    expect(line).to.match(/^<svg class="chart"[^>]* role="img" aria-label="Exchanges &lt;per&gt; minute"/);
    expect(line).to.contain('<th scope="row">10:01</th><td>5</td>');
    const bars = flat(barChart('Queue', [{ label: '<SYS>', value: 7 }], 'data').text);
    expect(bars).to.contain('&lt;SYS&gt;').and.not.to.contain('<SYS>');
    expect(bars).to.contain('<td>7</td>');
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99)]).to.deep.equal([
      50, 90, 99,
    ]);
    expect(percentile([], 50)).to.equal(0);
    expect(percentile([7], 99)).to.equal(7);
  });
});
