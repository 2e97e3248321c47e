/**
 * What can be checked of the production image without a Docker daemon: the build config compiles `src` alone,
 * and the Dockerfile and compose.yaml say what the image must be (current LTS, non-root, a data volume, a
 * health check that follows the configuration, no tests, benchmarks or sample keys, samples off).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

describe('production image', function () {
  this.timeout(120_000);
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('the build config compiles src alone', () => {
    const files = execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--listFilesOnly'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((file) => relative(resolve('.'), file))
      .filter((file) => !file.startsWith('node_modules') && !file.startsWith('..'));
    expect(files.length).to.be.above(50);
    expect(files.filter((file) => !file.startsWith('src/'))).to.deep.equal([]);
    expect(dockerfile).to.include('npx tsc -p tsconfig.build.json');
  });

  it('runs as non-root on a current Node LTS with a data volume and samples off', () => {
    const nodeMajor = Number(/^FROM node:(\d+)-/m.exec(runStage.trim())?.[1]);
    expect(nodeMajor % 2, 'LTS lines are even').to.equal(0);
    expect(nodeMajor).to.be.at.least(22);
    expect(runStage).to.match(/^USER node$/m);
    expect(runStage).to.match(/^VOLUME \["\/app\/data"\]$/m);
    expect(runStage).to.match(/^ENV .*\bSAMPLES=false\b/m);
  });

  it('holds only what runs: no tests, benchmarks, compiled tests or sample keys', () => {
    const copied = [...runStage.matchAll(/^COPY (?:--from=\w+ )?(\S+)/gm)].map((m) => m[1]);
    expect(copied).to.have.members(['/app/node_modules', '/app/dist/src', 'package.json', 'wsdl', 'xsd']);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    expect(ignored).to.include.members(['test', 'bench', 'certs-sample', 'dist']);
  });

  it('checks health through the command that follows PORT and TLS', () => {
    expect(runStage).to.match(/^HEALTHCHECK .*CMD \["node", "dist\/src\/cli\/main\.js", "health"\]$/m);
  });

  it('compose runs PostgreSQL, two gateways on one schema, and nginx in front of both', () => {
    const compose = readFileSync('compose.yaml', 'utf8');
    const nginx = readFileSync('deploy/nginx.conf', 'utf8');
    for (const service of ['postgres', 'gateway-1', 'gateway-2', 'nginx']) {
      expect(compose).to.match(new RegExp(`^  ${service}:$`, 'm'));
    }
    expect(nginx).to.include('server gateway-1:8080').and.include('server gateway-2:8080');
    expect(compose).to.include('DATABASE_SCHEMA: smev');
    const config = JSON.parse(readFileSync('deploy/gateway.json', 'utf8')) as {
      pki: Record<string, unknown>;
    };
    expect(config.pki).to.include.keys('trustedCaFiles', 'gatewayCertificate', 'gatewayKey');
  });
});
