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
