/**
 * Which bodies the message log keeps. A body is kept only when the sender's signature was verified, every
 * payload the exchange carried (the request's, and any answer it handed out) is in a namespace configured as
 * kept, and the disk is above its floor. Everything else keeps digests and the request's size: personal data
 * is left out by default, and unauthenticated traffic cannot fill the disk.
 */
export class BodyPolicy {
  private readonly keepFor: ReadonlySet<string>;

  constructor(
    keepBodiesFor: readonly string[],
    /** True while free space is under the configured floor: bodies wait until there is room again. */
    private readonly spaceLow: () => boolean = () => false,
  ) {
    this.keepFor = new Set(keepBodiesFor);
  }

  keeps(verified: boolean, namespaces: readonly string[]): boolean {
    return (
      verified &&
      namespaces.length > 0 &&
      namespaces.every((namespace) => this.keepFor.has(namespace)) &&
      !this.spaceLow()
    );
  }
}
