/** Namespace URIs of the wire format (DESIGN section 3, SMEV3-NOTES). */
export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  exchange: 'urn://x-artefacts-smev-gov-ru/services/message-exchange/1.1',
  types: 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1',
  basic: 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.1',
  faults: 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.1',
  sync: 'urn://smev-gateway/exchange/sync/1.0',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  /** WS-Security utility, for the `wsu:Id` of a signed fault's Body. */
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
} as const;

export type ContractVersionName = '1.1' | '1.2' | '1.3';

/**
 * One version of the SMEV 3 message-exchange contract: its namespaces, where the gateway serves it, and every
 * other thing that differs between versions. Readers and writers take this value from the exchange they serve;
 * nothing else in the gateway asks which version it speaks.
 */
export interface ExchangeNamespaces {
  readonly version: ContractVersionName;
  readonly exchange: string;
  readonly types: string;
  readonly basic: string;
  readonly faults: string;
  /** maxLength of basic:SmevFault/Code (basic:string-50 up to 1.2, string-100 in 1.3). */
  readonly codeLength: number;
  /** The endpoint path that speaks this version (`?wsdl` on it is this version's WSDL). */
  readonly path: string;
  /** The WSDL served at `path?wsdl`, a package file. */
  readonly wsdlFile: string;
  /** The root of the schema set requests at `path` are validated against, a package file. */
  readonly schemaRoot: string;
  /** The gateway's synchronous `Call` (its sync 1.0 extension is written over the 1.1 blocks) is served here. */
  readonly call: boolean;
  /** GetIncomingQueueStatistics is an operation of this version (1.1, 1.2; gone from 1.3). */
  readonly queueStatistics: boolean;
  /** MessageMetadata carries DestinationName and SupplementaryData (1.1, 1.2; gone from 1.3). */
  readonly metadataRouting: boolean;
  /** StatusCategory values renamed by this version (1.3: responseIsDelivered is messageIsDelivered). */
  readonly statusCategories: Readonly<Record<string, string>>;
  /** RejectCode values this version lacks, and the one written instead (FAILURE is not in 1.2's enumeration). */
  readonly rejectCodes: Readonly<Record<string, string>>;
}

/** The same value by what it is: a contract version (its namespaces are most of it). */
export type ContractVersion = ExchangeNamespaces;

/** A contract version by its differences; `path`, files and namespaces follow from the version number. */
function exchangeVersion(
  version: ContractVersionName,
  differences: Pick<
    ExchangeNamespaces,
    'codeLength' | 'call' | 'queueStatistics' | 'metadataRouting' | 'statusCategories' | 'rejectCodes'
  >,
): ExchangeNamespaces {
  const base = 'urn://x-artefacts-smev-gov-ru/services/message-exchange';
  const first = version === '1.1';
  return {
    version,
    exchange: `${base}/${version}`,
    types: `${base}/types/${version}`,
    basic: `${base}/types/basic/${version}`,
    faults: `${base}/types/faults/${version}`,
    path: first ? '/ws' : `/ws/${version}`,
    wsdlFile: first ? 'wsdl/smev-gateway.wsdl' : `wsdl/smev-message-exchange-service-${version}.wsdl`,
    schemaRoot: first ? 'xsd/gateway.xsd' : `xsd/gateway-${version}.xsd`,
    ...differences,
  };
}

export const EXCHANGE_1_1 = exchangeVersion('1.1', {
  codeLength: 50,
  call: true,
  queueStatistics: true,
  metadataRouting: true,
  statusCategories: {},
  rejectCodes: {},
});
export const EXCHANGE_1_2 = exchangeVersion('1.2', {
  codeLength: 50,
  call: false,
  queueStatistics: true,
  metadataRouting: true,
  statusCategories: {},
  rejectCodes: { FAILURE: 'NO_DATA' },
});
export const EXCHANGE_1_3 = exchangeVersion('1.3', {
  codeLength: 100,
  call: false,
  queueStatistics: false,
  metadataRouting: false,
  statusCategories: { responseIsDelivered: 'messageIsDelivered' },
  // 1.3 has FAILURE in RejectCode again.
  rejectCodes: {},
});

/** Every contract version the gateway serves, oldest first. */
export const CONTRACT_VERSIONS: readonly ExchangeNamespaces[] = [EXCHANGE_1_1, EXCHANGE_1_2, EXCHANGE_1_3];

/** A contract version by its number; undefined for one the gateway does not serve. */
export function contractVersion(version: string): ExchangeNamespaces | undefined {
  return CONTRACT_VERSIONS.find((contract) => contract.version === version);
}

/** The contract version whose types namespace this is, if any (signature holders are found by it). */
export function contractOfTypesNs(namespace: string | null | undefined): ExchangeNamespaces | undefined {
  return CONTRACT_VERSIONS.find((contract) => contract.types === namespace);
}

/** One value per contract version, made on its first use (schema sets, published contracts). */
export class VersionCache<T> {
  private readonly made = new Map<ContractVersionName, T>();

  constructor(private readonly make: (version: ExchangeNamespaces) => T) {}

  get(version: ExchangeNamespaces): T {
    let value = this.made.get(version.version);
    if (value === undefined) {
      value = this.make(version);
      this.made.set(version.version, value);
    }
    return value;
  }

  forEach(visit: (value: T) => void): void {
    this.made.forEach((value) => visit(value));
  }
}
