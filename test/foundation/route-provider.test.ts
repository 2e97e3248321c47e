/** A route's provider: its stored text read into a kind and written back unchanged; text naming none refused. */
import { expect } from 'chai';
import { formatRouteProvider, parseRouteProvider } from '../../src/core/route-provider.js';

describe('route providers', () => {
  it('reads each kind from its stored text', () => {
    expect(parseRouteProvider('builtin:ping')).to.deep.equal({ kind: 'hosted', service: 'ping' });
    expect(parseRouteProvider('builtin:social-cards2')).to.deep.equal({
      kind: 'hosted',
      service: 'social-cards2',
    });
    expect(parseRouteProvider('remote:https://upstream.example/ws?x=1')).to.deep.equal({
      kind: 'remote',
      url: 'https://upstream.example/ws?x=1',
    });
    expect(parseRouteProvider('remote:http://127.0.0.1:9000/')).to.deep.equal({
      kind: 'remote',
      url: 'http://127.0.0.1:9000/',
    });
    expect(parseRouteProvider('queue')).to.deep.equal({ kind: 'queue' });
  });

  it('writes back exactly the text it read, so stored routes keep their form', () => {
    for (const text of ['builtin:ping', 'remote:https://upstream.example/ws', 'queue']) {
      const provider = parseRouteProvider(text);
      expect(provider, text).to.not.equal(undefined);
      if (provider) expect(formatRouteProvider(provider)).to.equal(text);
    }
  });

  it('refuses text that names no provider', () => {
    const bad = [
      '',
      'Queue',
      'queue ',
      'builtin:',
      'builtin:Ping',
      'builtin:1ping',
      'builtin:ping pong',
      'remote:',
      'remote:ftp://upstream.example/',
      'remote:https://upstream.example/a b',
      'remote:javascript:alert(1)',
      'hosted:ping',
      'ping',
    ];
    for (const text of bad) expect(parseRouteProvider(text), JSON.stringify(text)).to.equal(undefined);
  });
});
