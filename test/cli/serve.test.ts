import { expect } from 'chai';
import { workerHeapFlags } from '../../src/cli/serve.js';

describe('serve: the flags its cluster workers start with', () => {
  it('gives the workers 64 MB semi-spaces when node was given no size', () => {
    expect(workerHeapFlags([], undefined)).to.deep.equal(['--max-semi-space-size=64']);
    expect(workerHeapFlags(['--enable-source-maps'], '--max-old-space-size=4096')).to.deep.equal([
      '--max-semi-space-size=64',
    ]);
  });

  it("keeps the operator's own size, from NODE_OPTIONS or node's command line, in either spelling", () => {
    expect(workerHeapFlags([], '--max-semi-space-size=16')).to.deep.equal([]);
    expect(workerHeapFlags(['--max_semi_space_size=8'], undefined)).to.deep.equal([]);
  });
});
