/**
 * The registration letter (Stavropol registration service): on registration the participant's contact receives
 * its QR code by e-mail, as a PNG attachment. The code encodes a link the participant can open, which shows its
 * registry entry. Sent over SMTP (nodemailer) to the configured server.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { GatewayConfig } from '../config/config.js';
import { qrPng, registryLink } from '../registry/qr.js';
import { withoutTrailing } from '../core/trim.js';

export interface RegisteredParticipant {
  readonly registryCode: string | null;
  readonly shortName: string;
  readonly contact: { readonly name: string; readonly email: string };
}

export interface MailSettings {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly requireTls: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly timeoutMs: number;
}

export class RegistrationMailer {
  private readonly transport: Transporter;

  constructor(
    private readonly settings: MailSettings,
    private readonly linkBase: () => string,
  ) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    });
  }

  async registered(participant: RegisteredParticipant): Promise<void> {
    if (!participant.registryCode) throw new Error('the participant has no registry code');
    const link = registryLink(this.linkBase(), participant.registryCode);
    await this.transport.sendMail({
      from: this.settings.from,
      to: { name: participant.contact.name, address: participant.contact.email },
      subject: `Регистрация в электронном сервисе: ${participant.registryCode}`,
      text: [
        `${participant.shortName} зарегистрирован в электронном сервисе регистрации.`,
        `Регистрационный код: ${participant.registryCode}.`,
        `QR-код во вложении ведёт на запись реестра: ${link}`,
      ].join('\n'),
      attachments: [
        { filename: `${participant.registryCode}.png`, content: await qrPng(link), contentType: 'image/png' },
      ],
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** Where a participant's QR code links: the configured base, else `<publicUrl or the gateway>/registry/`. */
export function registrationLinkBase(config: GatewayConfig, gatewayUrl: () => string): () => string {
  return () =>
    config.registration.qrLinkBase ?? `${withoutTrailing(config.publicUrl ?? gatewayUrl(), '/')}/registry/`;
}
