/*
 * The JDK's own XMLDSig (javax.xml.crypto.dsig, JSR 105: Apache Santuario inside the JDK) as an interop peer of
 * the gateway. One file, no build tool and no library beyond the JDK: the test compiles it with
 * `javac -d <dir> JdkXmlDsig.java` and runs it with `java -cp <dir> JdkXmlDsig ...`.
 *
 *   verify [FILE]
 *       Verifies every ds:Signature of the SOAP message in FILE (standard input without FILE, or with "-") with
 *       the public key of the X509Certificate in its own KeyInfo. Every attribute named Id (any namespace, e.g. Id
 *       or wsu:Id) is registered as an XML ID first, so that references "#Id" resolve. Prints one line per
 *       signature, "OK <n> <container>" or "FAIL <n> <container>: <reason>", then "VERIFIED <n>" or
 *       "FAILED <k> of <n>". Exit status 0 only if there is at least one signature and every one verifies.
 *       (Core validation only: whether the certificate is trusted is not this program's question.)
 *
 *   sign IN ID CONTAINER KEY.pem CERT.pem [OUT]
 *       Signs the element with Id="ID" of the unsigned message IN (a file, or "-" for standard input) the way a
 *       gateway caller does: a detached signature with one Reference "#ID", exclusive c14n as its only transform
 *       and as the SignedInfo canonicalization, SHA-256 digest, RSA-SHA256, KeyInfo/X509Data/X509Certificate;
 *       the ds:Signature is appended to the one element whose local name is CONTAINER, its elements with the
 *       prefix ds (another with -Ddsig.prefix=p; none, the JDK's default, with -Ddsig.prefix= empty). KEY.pem is an
 *       unencrypted PKCS#8 RSA key ("BEGIN PRIVATE KEY"), CERT.pem the matching certificate. Writes the signed
 *       message to OUT (standard output without it).
 *
 * Secure validation mode (org.jcp.xml.dsig.secureValidation) is set on explicitly for every validation, so the
 * JDK's policy (jdk.xml.dsig.secureValidationPolicy: no SHA-1 or MD5, no duplicate Ids, bounded transforms and
 * references, minimum key sizes) applies as it does for any Java relying party.
 */

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.keyinfo.X509Data;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

public final class JdkXmlDsig {
  private static final String SECURE_VALIDATION = "org.jcp.xml.dsig.secureValidation";

  private JdkXmlDsig() {}

  public static void main(String[] args) {
    try {
      if (args.length >= 1 && args[0].equals("verify") && args.length <= 2) {
        System.exit(verify(args.length == 2 ? args[1] : "-"));
      } else if (args.length >= 6 && args[0].equals("sign") && args.length <= 7) {
        sign(args[1], args[2], args[3], args[4], args[5], args.length == 7 ? args[6] : null);
        System.exit(0);
      } else {
        System.err.println("usage: JdkXmlDsig verify [FILE|-]");
        System.err.println("       JdkXmlDsig sign IN|- ID CONTAINER KEY.pem CERT.pem [OUT]");
        System.exit(2);
      }
    } catch (Exception e) {
      System.err.println("ERROR " + e);
      System.exit(3);
    }
  }

  // ---------------------------------------------------------------------------------------------- verify

  private static int verify(String source) throws Exception {
    Document doc = parse(read(source));
    registerIds(doc.getDocumentElement());
    NodeList found = doc.getElementsByTagNameNS(XMLSignature.XMLNS, "Signature");
    // A snapshot: the list is live, and nothing here changes the tree, but be plain about it.
    List<Element> signatures = new ArrayList<>();
    for (int i = 0; i < found.getLength(); i++) signatures.add((Element) found.item(i));
    XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
    int failed = 0;
    for (int i = 0; i < signatures.size(); i++) {
      Element element = signatures.get(i);
      Node parent = element.getParentNode();
      String where = parent == null ? "?" : parent.getLocalName();
      String label = (i + 1) + " " + where;
      try {
        X509Certificate certificate = certificateIn(element);
        DOMValidateContext context = new DOMValidateContext(certificate.getPublicKey(), element);
        context.setProperty(SECURE_VALIDATION, Boolean.TRUE);
        XMLSignature signature = factory.unmarshalXMLSignature(context);
        boolean valid = signature.validate(context);
        if (valid) {
          System.out.println("OK " + label + " (" + certificate.getSubjectX500Principal().getName() + ")");
          continue;
        }
        failed++;
        StringBuilder why = new StringBuilder();
        why.append("signature value ")
            .append(signature.getSignatureValue().validate(context) ? "valid" : "INVALID");
        for (Object o : signature.getSignedInfo().getReferences()) {
          Reference reference = (Reference) o;
          why.append("; reference ")
              .append(reference.getURI())
              .append(" digest ")
              .append(reference.validate(context) ? "valid" : "INVALID");
        }
        System.out.println("FAIL " + label + ": " + why);
      } catch (Exception e) {
        failed++;
        System.out.println("FAIL " + label + ": " + e);
      }
    }
    if (signatures.isEmpty()) {
      System.out.println("FAILED: no ds:Signature in the message");
      return 1;
    }
    if (failed > 0) {
      System.out.println("FAILED " + failed + " of " + signatures.size());
      return 1;
    }
    System.out.println("VERIFIED " + signatures.size());
    return 0;
  }

  /** The one KeyInfo/X509Data/X509Certificate of the signature, parsed. */
  private static X509Certificate certificateIn(Element signature) throws Exception {
    Element keyInfo = onlyChild(signature, "KeyInfo");
    Element x509Data = onlyChild(keyInfo, "X509Data");
    Element certificate = onlyChild(x509Data, "X509Certificate");
    byte[] der = Base64.getMimeDecoder().decode(certificate.getTextContent());
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static Element onlyChild(Element parent, String localName) {
    Element only = null;
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.ELEMENT_NODE
          && XMLSignature.XMLNS.equals(n.getNamespaceURI())
          && localName.equals(n.getLocalName())) {
        if (only != null) throw new IllegalArgumentException("more than one ds:" + localName);
        only = (Element) n;
      }
    }
    if (only == null) throw new IllegalArgumentException("no ds:" + localName + " in ds:" + parent.getLocalName());
    return only;
  }

  /** Every attribute whose local name is Id (no namespace, or e.g. wsu:Id) becomes an XML ID. */
  private static void registerIds(Element element) {
    NamedNodeMap attributes = element.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      Attr attribute = (Attr) attributes.item(i);
      String local = attribute.getLocalName() != null ? attribute.getLocalName() : attribute.getName();
      if ("Id".equals(local)) element.setIdAttributeNode(attribute, true);
    }
    for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.ELEMENT_NODE) registerIds((Element) n);
    }
  }

  // ------------------------------------------------------------------------------------------------ sign

  private static void sign(String in, String id, String container, String keyPem, String certPem, String out)
      throws Exception {
    Document doc = parse(read(in));
    Element target = null;
    Element slot = null;
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (e.hasAttributeNS(null, "Id") && id.equals(e.getAttributeNS(null, "Id"))) {
        if (target != null) throw new IllegalArgumentException("more than one element with Id " + id);
        target = e;
      }
      if (container.equals(e.getLocalName())) {
        if (slot != null) throw new IllegalArgumentException("more than one " + container);
        slot = e;
      }
    }
    if (target == null) throw new IllegalArgumentException("no element with Id " + id);
    if (slot == null) throw new IllegalArgumentException("no element " + container);
    target.setIdAttributeNS(null, "Id", true);

    PrivateKey key = privateKey(Files.readString(Path.of(keyPem), StandardCharsets.US_ASCII));
    X509Certificate certificate;
    try (InputStream stream = Files.newInputStream(Path.of(certPem))) {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(stream);
    }

    XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
    Transform excC14n = factory.newTransform(CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null);
    Reference reference =
        factory.newReference(
            "#" + id,
            factory.newDigestMethod(DigestMethod.SHA256, null),
            Collections.singletonList(excC14n),
            null,
            null);
    SignedInfo signedInfo =
        factory.newSignedInfo(
            factory.newCanonicalizationMethod(
                CanonicalizationMethod.EXCLUSIVE, (C14NMethodParameterSpec) null),
            factory.newSignatureMethod(SignatureMethod.RSA_SHA256, null),
            Collections.singletonList(reference));
    KeyInfoFactory keyInfos = factory.getKeyInfoFactory();
    X509Data x509Data = keyInfos.newX509Data(Collections.singletonList(certificate));
    KeyInfo keyInfo = keyInfos.newKeyInfo(Collections.singletonList(x509Data));

    DOMSignContext context = new DOMSignContext(key, slot);
    // -Ddsig.prefix= (empty) leaves the JDK's own default: ds elements in the default namespace, no prefix.
    String prefix = System.getProperty("dsig.prefix", "ds");
    if (!prefix.isEmpty()) context.setDefaultNamespacePrefix(prefix);
    factory.newXMLSignature(signedInfo, keyInfo).sign(context);

    try (OutputStream stream = out == null ? System.out : new FileOutputStream(out)) {
      write(doc, stream);
    }
  }

  private static PrivateKey privateKey(String pem) throws Exception {
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException("the key must be an unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY)");
    }
    String body =
        pem.replaceAll("-----BEGIN PRIVATE KEY-----", "")
            .replaceAll("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  // ----------------------------------------------------------------------------------------------- XML

  private static byte[] read(String source) throws Exception {
    return source.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(source));
  }

  /** A namespace-aware parse that refuses DOCTYPEs and external entities (nothing of the kind is SOAP). */
  private static Document parse(byte[] xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setExpandEntityReferences(false);
    DocumentBuilder builder = factory.newDocumentBuilder();
    return builder.parse(new ByteArrayInputStream(xml));
  }

  /** The tree as UTF-8 XML, nothing re-indented. */
  private static void write(Document doc, OutputStream stream) throws Exception {
    Transformer transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
    transformer.setOutputProperty(OutputKeys.INDENT, "no");
    transformer.transform(new DOMSource(doc), new StreamResult(stream));
    stream.flush();
  }
}
