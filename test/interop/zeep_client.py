"""Python zeep, a SOAP client the gateway never saw, against a running gateway.

Usage: zeep_client.py ENDPOINT OPERATION=SIGNED_FILE...

zeep loads the WSDL and its schemas over HTTP (strict mode), then:
  1. builds an unsigned Call from objects on the SOAP 1.1 and the SOAP 1.2 port: the gateway refuses it with a
     fault, which zeep reads;
  2. sends each signed request (made beforehand with a sample key), in the order given, through its own
     transport and reads the answer with its own binding, against the WSDL.
It prints what it saw as one JSON object: the answers as zeep's objects, with elements of business content as
their qualified name and text, and binary content as its length.
"""
import json
import sys
import uuid

import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.helpers import serialize_object

FAULTS = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.1'
BASIC = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.1'
PING = (
    '<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0">'
    '<ping:Text>hello from zeep</ping:Text></ping:PingRequest>'
)


def unsigned_call(service):
    data = {
        'Id': 'SIGNED_BY_CONSUMER',
        'MessageID': str(uuid.uuid1()),
        'MessagePrimaryContent': {'_value_1': etree.fromstring(PING)},
    }
    try:
        service.Call(SenderProvidedRequestData=data)
        return {'answered': True}
    except Fault as fault:
        code = fault.detail.find('.//{%s}Code' % BASIC) if fault.detail is not None else None
        return {'fault': fault.code, 'detailCode': code.text if code is not None else None}


def plain(value):
    """zeep's answer objects as JSON values."""
    if isinstance(value, etree._Element):
        return {'element': value.tag, 'text': ''.join(value.itertext())}
    if isinstance(value, bytes):
        return {'bytes': len(value)}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    return value


def signed_request(client, endpoint, operation, signed_file):
    with open(signed_file, 'rb') as f:
        envelope = etree.fromstring(f.read())
    binding = client.service._binding
    reply = client.transport.post_xml(
        endpoint,
        envelope,
        {'SOAPAction': '"urn:%s"' % operation, 'Content-Type': 'text/xml; charset=utf-8'},
    )
    result = binding.process_reply(client, binding.get(operation), reply)
    return {'status': reply.status_code, 'answer': plain(serialize_object(result, dict))}


def main():
    endpoint, requests = sys.argv[1], [arg.split('=', 1) for arg in sys.argv[2:]]
    client = zeep.Client(endpoint + '?wsdl')
    service_name = 'SMEVMessageExchangeService'
    ports = client.wsdl.services[service_name].ports
    seen = {'ports': {name: sorted(port.binding._operations) for name, port in ports.items()}}
    seen['unsigned11'] = unsigned_call(client.service)
    soap12 = client.bind(service_name, 'SMEVMessageExchangeSoap12Endpoint')
    seen['unsigned12'] = unsigned_call(soap12)
    seen['signed'] = [signed_request(client, endpoint, op, file) for op, file in requests]
    print(json.dumps(seen))


if __name__ == '__main__':
    main()
