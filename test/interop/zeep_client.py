"""Python zeep, a SOAP client the gateway never saw, against a running gateway.

Usage: zeep_client.py ENDPOINT SIGNED_CALL_FILE

zeep loads the WSDL and its schemas over HTTP (strict mode), then:
  1. builds an unsigned Call from objects on the SOAP 1.1 and the SOAP 1.2 port: the gateway refuses it with a
     fault, which zeep reads;
  2. sends a signed Call (made beforehand with the sample key) through its own transport and reads the answer
     with its own binding, against the WSDL.
It prints what it saw as one JSON object.
"""
import json
import sys
import uuid

import zeep
from lxml import etree
from zeep.exceptions import Fault

FAULTS = 'urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.1'
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
        code = fault.detail.find('.//{%s}Code' % FAULTS) if fault.detail is not None else None
        return {'fault': fault.code, 'detailCode': code.text if code is not None else None}


def signed_call(client, endpoint, signed_file):
    with open(signed_file, 'rb') as f:
        envelope = etree.fromstring(f.read())
    binding = client.service._binding
    reply = client.transport.post_xml(
        endpoint, envelope, {'SOAPAction': '"urn:Call"', 'Content-Type': 'text/xml; charset=utf-8'}
    )
    result = binding.process_reply(client, binding.get('Call'), reply)
    data = result['Response']['SenderProvidedResponseData']
    payload = data['MessagePrimaryContent']['_value_1']
    return {
        'status': reply.status_code,
        'payload': etree.QName(payload).localname,
        'text': payload.findtext('{urn://smev-gateway/services/ping/1.0}Text'),
        'originalMessageId': result['Response']['OriginalMessageId'],
        'sender': result['Response']['MessageMetadata']['Sender']['Mnemonic'],
    }


def main():
    endpoint, signed_file = sys.argv[1], sys.argv[2]
    client = zeep.Client(endpoint + '?wsdl')
    service_name = 'SMEVMessageExchangeService'
    ports = client.wsdl.services[service_name].ports
    seen = {'ports': {name: sorted(port.binding._operations) for name, port in ports.items()}}
    seen['unsigned11'] = unsigned_call(client.service)
    soap12 = client.bind(service_name, 'SMEVMessageExchangeSoap12Endpoint')
    seen['unsigned12'] = unsigned_call(soap12)
    seen['signed'] = signed_call(client, endpoint, signed_file)
    print(json.dumps(seen))


if __name__ == '__main__':
    main()
