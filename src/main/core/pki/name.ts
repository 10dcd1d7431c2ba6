/**
 * X.501 distinguished names: built with UTF8String for the CJK names of the group, its units
 * and seals (RFC 5280 §4.1.2.6 prefers UTF8String), read from any string type.
 */
import { Asn1DecodeError, bytesEqual, der, readOid, readString, TAG, type Asn1Node } from './der';
import { OID } from './oids';

export interface NameAttribute {
  readonly type: string;
  readonly value: string;
}

export interface DistinguishedName {
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly commonName?: string;
  /** X.520 serialNumber (2.5.4.5): on a seal certificate, the seal code. */
  readonly serialNumber?: string;
  readonly country?: string;
  /** Every attribute in order, including those without a named field above. */
  readonly attributes: readonly NameAttribute[];
  /** Readable one-line form, most significant first ("O=…, OU=…, CN=…"). */
  readonly text: string;
  /** The DER of the Name exactly as found, for issuer/subject matching. */
  readonly der: Uint8Array;
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.serialNumber]: 'serialNumber',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.emailAddress]: 'emailAddress',
};

export interface NameSpec {
  readonly organization: string;
  readonly organizationalUnit?: string;
  readonly commonName: string;
  readonly serialNumber?: string;
}

/** Builds an RDNSequence with one attribute per RDN, in the order O, OU, CN, serialNumber. */
export function encodeName(spec: NameSpec): Uint8Array {
  const rdn = (type: string, value: Uint8Array): Uint8Array => der.set(der.sequence(der.oid(type), value));
  const rdns: Uint8Array[] = [rdn(OID.organizationName, der.utf8(spec.organization))];
  if (spec.organizationalUnit !== undefined) rdns.push(rdn(OID.organizationalUnitName, der.utf8(spec.organizationalUnit)));
  rdns.push(rdn(OID.commonName, der.utf8(spec.commonName)));
  // X.520 defines serialNumber as PrintableString only.
  if (spec.serialNumber !== undefined) rdns.push(rdn(OID.serialNumber, der.printable(spec.serialNumber)));
  return der.sequence(...rdns);
}

export function isPrintableString(text: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text);
}

export function parseName(node: Asn1Node): DistinguishedName {
  if (node.tag !== TAG.SEQUENCE) throw new Asn1DecodeError('name: not a sequence');
  const attributes: NameAttribute[] = [];
  for (const rdn of node.children) {
    if (rdn.tag !== TAG.SET) throw new Asn1DecodeError('name: relative distinguished name is not a set');
    for (const atv of rdn.children) {
      const type = readOid(atv.children[0], 'name attribute type');
      let value: string;
      try {
        value = readString(atv.children[1], 'name attribute value');
      } catch {
        value = '#' + Array.from(atv.children[1]?.raw ?? [], (b) => b.toString(16).padStart(2, '0')).join('');
      }
      attributes.push({ type, value });
    }
  }
  const first = (type: string): string | undefined => attributes.find((a) => a.type === type)?.value;
  const text = attributes.map((a) => `${SHORT_NAMES[a.type] ?? a.type}=${a.value}`).join(', ');
  const result: { -readonly [K in keyof DistinguishedName]: DistinguishedName[K] } = { attributes, text, der: node.raw };
  const o = first(OID.organizationName);
  if (o !== undefined) result.organization = o;
  const ou = first(OID.organizationalUnitName);
  if (ou !== undefined) result.organizationalUnit = ou;
  const cn = first(OID.commonName);
  if (cn !== undefined) result.commonName = cn;
  const sn = first(OID.serialNumber);
  if (sn !== undefined) result.serialNumber = sn;
  const c = first(OID.countryName);
  if (c !== undefined) result.country = c;
  return result;
}

/**
 * Name equality for path building. Exact DER first; otherwise the RFC 5280 §7.1 idea in
 * its simple form: same attribute types in the same order, values equal after case folding
 * and whitespace collapsing (CAs differ in string type, e.g. PrintableString vs UTF8String).
 */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  if (bytesEqual(a.der, b.der)) return true;
  if (a.attributes.length !== b.attributes.length) return false;
  const fold = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return a.attributes.every((attr, i) => {
    const other = b.attributes[i]!;
    return attr.type === other.type && fold(attr.value) === fold(other.value);
  });
}
