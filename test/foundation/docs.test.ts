/**
 * The documentation holds together: the README is a front page (small, opening with the command that starts the
 * gateway and the one that runs the suite, which .ci/run runs too), cites nothing outside the repository, and
 * every link of the README and of docs/ reaches a file and a heading that exist.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const pages = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor of a heading. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

function headings(file: string): Set<string> {
  const found = new Set<string>();
  let fence = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    else if (!fence && line.startsWith('#')) found.add(slug(line.replace(/^#+/, '')));
  }
  return found;
}

describe('the documentation', () => {
  it('the README is a front page that opens with the two commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(Buffer.byteLength(readme)).to.be.at.most(12 * 1024);
    // The first code block holds the two commands and nothing else.
    const block = /^```sh\n([\s\S]*?)\n```/m.exec(readme)?.[1] ?? '';
    expect(readme.indexOf('```sh')).to.be.below(40);
    const commands = block.split('\n').map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).to.deep.equal(['npm ci && npm start', 'npm test']);
    expect(readFileSync('.ci/run', 'utf8')).to.include('npm test');
  });

  it('cites nothing outside the repository', () => {
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^https?:/.test(target)) continue;
        const path = normalize(join(dirname(page), target.split('#')[0] ?? ''));
        expect(path.startsWith('..'), `${page}: ${target}`).to.equal(false);
      }
    }
  });

  it('every link reaches a page and a heading that exist', () => {
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^https?:/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const path = file ? normalize(join(dirname(page), file)) : page;
        expect(existsSync(path), `${page}: ${target}`).to.equal(true);
        if (anchor && path.endsWith('.md')) expect(headings(path), `${page}: ${target}`).to.include(anchor);
      }
    }
  });
});
