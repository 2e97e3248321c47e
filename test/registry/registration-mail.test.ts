/**
 * The registration letter over real SMTP: a real SMTP server on loopback receives it, the message is parsed,
 * and the QR code in its PNG attachment is decoded to the link of the participant's registry entry, which the
 * gateway serves. A mail server that is down does not undo the registration, and the answer says so.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import jsQRModule from 'jsqr';
import { simpleParser, type ParsedMail } from 'mailparser';
import { PNG } from 'pngjs';
import { SMTPServer } from 'smtp-server';
import { useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { apiClient, sampleApplication } from './support.js';

// jsqr is CommonJS whose module.exports is the decoder itself; its typings declare it as `default`.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

const seedActor = { name: 'test', role: 'operator' as const };

function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

for (const store of STORES) {
  describe(`registration letter over SMTP (${store})`, function () {
    this.timeout(60_000);
    let smtp: SMTPServer;
    let smtpPort: number;
    const received: Array<{ envelope: string[]; mail: ParsedMail }> = [];
    const tokens: Record<string, string> = {};
    const api = apiClient(() => gateway, tokens);

    before(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, session, callback) {
          simpleParser(stream)
            .then((mail) => {
              received.push({ envelope: session.envelope.rcptTo.map((r) => r.address), mail });
              callback();
            })
            .catch(callback);
        },
      });
      smtp.listen(0, '127.0.0.1');
      await once(smtp.server, 'listening');
      smtpPort = (smtp.server.address() as AddressInfo).port;
    });
    const gateway = useGateway(() => ({
      store,
      overrides: {
        'registration.mail': { host: '127.0.0.1', port: smtpPort, from: 'registry@gateway.example' },
      },
    }));
    before(async () => {
      for (const role of ['operator', 'coordinator'] as const)
        tokens[role] = (await gateway.registry.createToken(seedActor, role, role)).token;
    });
    after(async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    });

    async function register(email: string) {
      const app = sampleApplication(store === 'sqlite' ? 6000 : 7000, {
        contact: { name: 'Пётр Петров', position: 'officer', phone: '+7 912 345-67-89', email },
      });
      const id = (await api('POST', '/applications', 'operator', app)).body.id as string;
      await api('POST', `/participants/${id}/check`, 'coordinator');
      return api('POST', `/participants/${id}/register`, 'operator');
    }

    it("mails the QR code to the contact; the code is a link to the participant's registry entry", async () => {
      const registered = await register('it-desk@example.org');
      expect(registered.body.registrationMail).to.equal('sent');
      const letter = received.find((r) => r.envelope.includes('it-desk@example.org'));
      expect(letter, 'a letter reached the SMTP server').to.not.equal(undefined);
      const mail = letter!.mail;
      expect(mail.subject).to.equal(`Регистрация в электронном сервисе: ${registered.body.registryCode}`);
      expect(mail.text).to.contain(registered.body.registryCode);
      expect(mail.attachments).to.have.length(1);
      const attachment = mail.attachments[0]!;
      expect(attachment.contentType).to.equal('image/png');
      const link = decodeQr(attachment.content);
      expect(link).to.equal(`${gateway.url}/registry/${registered.body.registryCode}`);

      const entry = await fetch(link!);
      expect(entry.status).to.equal(200);
      expect(await entry.json()).to.deep.equal({
        registryCode: registered.body.registryCode,
        shortName: registered.body.shortName,
        status: 'registered',
      });
      // The admin API's QR code is the same link.
      const png = await fetch(`${gateway.url}/api/v1/participants/${registered.body.id}/qr.png`, {
        headers: { authorization: `Bearer ${tokens.operator}` },
      });
      expect(decodeQr(Buffer.from(await png.arrayBuffer()))).to.equal(link);
    });

    it('answers 404 for an unknown or malformed registry code, revealing nothing else', async () => {
      expect((await fetch(`${gateway.url}/registry/REG-0000000000000`)).status).to.equal(404);
      expect((await fetch(`${gateway.url}/registry/..%2F..%2Fetc`)).status).to.equal(404);
      expect((await fetch(`${gateway.url}/registry/${encodeURIComponent("REG-1' or 1=1")}`)).status).to.equal(
        404,
      );
    });

    it('keeps the registration when the mail server is down, and says the letter failed', async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      const registered = await register('down@example.org');
      expect(registered.status).to.equal(200);
      expect(registered.body.status).to.equal('registered');
      expect(registered.body.registrationMail).to.match(/^failed: /);
      smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
      smtp.listen(0, '127.0.0.1');
      await once(smtp.server, 'listening');
    });
  });
}
