"""Python zeep built from an OFFICIAL SMEV 3 WSDL (1.1, 1.2 or 1.3; not the gateway's), pointed at a running gateway.

Usage: zeep_official.py WSDL ENDPOINT MODE:OPERATION=SIGNED_FILE...

MODE is `plain` (text/xml) or `mtom` (CXF-style multipart/related, every AttachmentContent/Content moved into a
binary part named by xop:Include). zeep posts each signed request through its own transport and reads the answer
with the official binding; every answer body element (or fault detail element) is validated with libxml2 (lxml)
against the official schemas next to the WSDL (the WSDL's folder names its version: v1_1, v1_2, v1_3). Then, where
the version has the operation (not 1.3), an unsigned GetIncomingQueueStatistics is built by zeep from objects (the
official schema lets its signature out) and its fault read. Prints one JSON object.
"""
import base64
import json
import os
import sys
import uuid

import zeep
from lxml import etree
from requests_toolbelt.multipart.decoder import MultipartDecoder
from zeep.exceptions import Fault
from zeep.helpers import serialize_object

from zeep_client import plain  # zeep's answer objects as JSON values, as the 1.1 client reads them

SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'
XOP = 'http://www.w3.org/2004/08/xop/include'
BINDING = '{urn://x-artefacts-smev-gov-ru/services/message-exchange/%s}SMEVMessageExchangeSoap11Binding'


def schema(folder, name):
    return etree.XMLSchema(etree.parse(os.path.join(folder, name)))


def mtom(envelope):
    """The envelope as CXF sends it with MTOM on: binary parts for every attachment content."""
    parts = []
    for content in envelope.iter('{*}Content'):
        if content.getparent() is None or etree.QName(content.getparent()).localname != 'AttachmentContent':
            continue
        cid = '%s@zeep.example' % uuid.uuid4()
        parts.append((cid, base64.b64decode(content.text)))
        content.text = None
        include = etree.SubElement(content, '{%s}Include' % XOP, nsmap={'xop': XOP})
        include.set('href', 'cid:' + cid)
    boundary = 'uuid:%s' % uuid.uuid4()
    body = [
        b'--' + boundary.encode() + b'\r\n',
        b'Content-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\n',
        b'Content-Transfer-Encoding: binary\r\nContent-ID: <root.message@cxf.apache.org>\r\n\r\n',
        etree.tostring(envelope, xml_declaration=True, encoding='UTF-8'),
        b'\r\n',
    ]
    for cid, data in parts:
        body += [
            b'--' + boundary.encode() + b'\r\n',
            b'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n',
            b'Content-ID: <' + cid.encode() + b'>\r\n\r\n',
            data,
            b'\r\n',
        ]
    body.append(b'--' + boundary.encode() + b'--\r\n')
    content_type = (
        'multipart/related; type="application/xop+xml"; boundary="%s"; '
        'start="<root.message@cxf.apache.org>"; start-info="text/xml"' % boundary
    )
    return b''.join(body), content_type, len(parts)


def decoded(reply):
    """The answer's envelope: an MTOM answer's root part with each xop:Include replaced by its part, in base64."""
    content_type = reply.headers.get('Content-Type', '')
    if not content_type.startswith('multipart/related'):
        return reply.content, 0
    parts = MultipartDecoder(reply.content, content_type).parts
    by_id = {p.headers[b'Content-ID'].decode().strip('<>'): p.content for p in parts[1:]}
    envelope = etree.fromstring(parts[0].content)
    for include in list(envelope.iter('{%s}Include' % XOP)):
        parent = include.getparent()
        parent.remove(include)
        parent.text = base64.b64encode(by_id[include.get('href')[4:]]).decode()
    return etree.tostring(envelope), len(parts) - 1


def body_element(reply_content):
    envelope = etree.fromstring(reply_content)
    body = envelope.find('{%s}Body' % SOAP11)
    first = body[0]
    if etree.QName(first).localname == 'Fault':
        detail = first.find('detail')
        return 'fault', detail[0] if detail is not None and len(detail) else None
    return 'answer', first


def main():
    wsdl, endpoint = sys.argv[1], sys.argv[2]
    folder = os.path.dirname(wsdl)
    version = os.path.basename(folder).replace('v', '').replace('_', '.')
    types = schema(folder, 'smev-message-exchange-types-%s.xsd' % version)
    faults = schema(folder, 'smev-message-exchange-faults-%s.xsd' % version)
    client = zeep.Client(wsdl, settings=zeep.Settings(strict=True))
    service = client.create_service(BINDING % version, endpoint)
    binding = service._binding
    seen = {'operations': sorted(binding._operations), 'signed': []}
    for arg in sys.argv[3:]:
        mode_op, signed_file = arg.split('=', 1)
        mode, operation = mode_op.split(':', 1)
        with open(signed_file, 'rb') as f:
            envelope = etree.fromstring(f.read())
        headers = {'SOAPAction': '"urn:%s"' % operation}
        parts = 0
        if mode == 'mtom':
            data, content_type, parts = mtom(envelope)
            headers['Content-Type'] = content_type
            reply = client.transport.session.post(endpoint, data=data, headers=headers)
        else:
            headers['Content-Type'] = 'text/xml; charset=utf-8'
            reply = client.transport.post_xml(endpoint, envelope, headers)
        content, answer_parts = decoded(reply)
        kind, element = body_element(content)
        against = faults if kind == 'fault' else types
        valid = element is not None and against.validate(element)
        seen_one = {
            'mode': mode, 'operation': operation, 'parts': parts, 'answerParts': answer_parts,
            'status': reply.status_code, 'kind': kind,
            'valid': bool(valid), 'errors': [str(e) for e in against.error_log] if not valid else [],
        }
        try:
            result = binding.process_reply(client, binding.get(operation), reply)
            seen_one['answer'] = plain(serialize_object(result, dict))
        except Fault as fault:
            seen_one['fault'] = {'element': etree.QName(fault.detail[0]).localname if fault.detail is not None else None}
        seen['signed'].append(seen_one)
    if 'GetIncomingQueueStatistics' not in binding._operations:
        seen['unsigned'] = {'skipped': True}
        print(json.dumps(seen))
        return
    try:
        service.GetIncomingQueueStatistics(Timestamp='2026-01-01T00:00:00Z')
        seen['unsigned'] = {'answered': True}
    except Fault as fault:
        detail = fault.detail[0] if fault.detail is not None and len(fault.detail) else None
        seen['unsigned'] = {
            'element': etree.QName(detail).localname if detail is not None else None,
            'valid': bool(detail is not None and faults.validate(detail)),
            'inner': detail.findtext('{*}SignatureVerificationFault') if detail is not None else None,
        }
    print(json.dumps(seen))


if __name__ == '__main__':
    main()
