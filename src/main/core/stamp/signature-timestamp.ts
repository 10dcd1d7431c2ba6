/**
 * PAdES B-T (ETSI EN 319 142-1 §6.3): an RFC 3161 timestamp over the signature value, carried
 * as the unsigned attribute id-aa-signatureTimeStampToken of the SignerInfo. It proves the
 * signature existed at the TSA's time, so a verifier can rest on that time instead of the
 * claimed /M. Unsigned attributes are outside what the seal's key signed, so adding one after
 * signing re-encodes the CMS without touching the signature.
 */
import { YinjianError } from '../../../shared/errors/index';
import { child, der, expectUniversal, isContext, readDer, readOctetString, TAG, tlv, type Asn1Node } from '../pki/der';
import { OID } from '../pki/oids';

/** Gets a timestamp token for the signature value (the TSA client, in infra). */
export interface SignatureTimestamper {
  /** The verified TimeStampToken (a CMS ContentInfo) whose imprint is SHA-256(`signatureValue`). */
  timestamp(signatureValue: Uint8Array): Promise<Uint8Array>;
}

function malformed(detail: string): YinjianError {
  return new YinjianError('INTERNAL', { detail: `our CMS cannot take a timestamp: ${detail}` });
}

interface Located {
  readonly contentInfo: Asn1Node;
  readonly signedData: Asn1Node;
  readonly signerInfo: Asn1Node;
}

function locate(cms: Uint8Array): Located {
  const contentInfo = expectUniversal(readDer(cms), TAG.SEQUENCE, 'ContentInfo');
  const wrapper = child(contentInfo, 1, 'ContentInfo');
  const signedData = expectUniversal(child(wrapper, 0, 'content'), TAG.SEQUENCE, 'SignedData');
  const signerInfos = signedData.children[signedData.children.length - 1];
  if (!signerInfos || signerInfos.tag !== TAG.SET || signerInfos.children.length !== 1) throw malformed('expected one SignerInfo');
  return { contentInfo, signedData, signerInfo: signerInfos.children[0] as Asn1Node };
}

/** The signature value of the (single) SignerInfo: what the timestamp's imprint covers. */
export function signatureValueOf(cms: Uint8Array): Uint8Array {
  const { signerInfo } = locate(cms);
  const value = signerInfo.children.find((c, i) => i > 0 && c.tagClass === 0 && c.tag === TAG.OCTET_STRING);
  return readOctetString(value, 'signature');
}

/** The CMS with `token` added as id-aa-signatureTimeStampToken; everything signed stays byte for byte. */
export function withSignatureTimestamp(cms: Uint8Array, token: Uint8Array): Uint8Array {
  const { contentInfo, signedData, signerInfo } = locate(cms);
  if (signerInfo.children.some((c) => isContext(c, 1))) throw malformed('the SignerInfo already has unsigned attributes');
  const attribute = der.sequence(der.oid(OID.signatureTimeStampToken), der.setOf([token]));
  // unsignedAttrs [1] IMPLICIT SET OF Attribute (RFC 5652 §5.3): constructed, tag 0xa1.
  const newSignerInfo = der.sequence(...signerInfo.children.map((c) => c.raw), tlv(0xa1, attribute));
  const newSignedData = der.sequence(...signedData.children.slice(0, -1).map((c) => c.raw), der.set(newSignerInfo));
  return der.sequence((contentInfo.children[0] as Asn1Node).raw, der.explicit(0, newSignedData));
}
