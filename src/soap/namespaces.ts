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
} as const;

/** The namespaces of one version of the SMEV 3 message-exchange contract, and what differs between versions. */
export interface ExchangeNamespaces {
  readonly version: '1.1' | '1.2' | '1.3';
  readonly exchange: string;
  readonly types: string;
  readonly basic: string;
  readonly faults: string;
  /** maxLength of basic:SmevFault/Code (basic:string-50 up to 1.2, string-100 in 1.3). */
  readonly codeLength: number;
}

function exchangeVersion(version: '1.1' | '1.2' | '1.3', codeLength: number): ExchangeNamespaces {
  const base = 'urn://x-artefacts-smev-gov-ru/services/message-exchange';
  return {
    version,
    exchange: `${base}/${version}`,
    types: `${base}/types/${version}`,
    basic: `${base}/types/basic/${version}`,
    faults: `${base}/types/faults/${version}`,
    codeLength,
  };
}

export const EXCHANGE_1_1 = exchangeVersion('1.1', 50);
export const EXCHANGE_1_2 = exchangeVersion('1.2', 50);
export const EXCHANGE_1_3 = exchangeVersion('1.3', 100);
