/**
 * Where a relying party finds revocation data and the issuer's certificate (RFC 5280
 * §4.2.1.13 CRL distribution points, §4.2.2.1 authority information access / caIssuers).
 * Issue 16: the office publishes its CRL on the intranet and/or a file share; seal
 * certificates name those places, so any validator (not only ours, with its snapshot) can
 * find the CRL and the CA certificate. Locations are URIs (IA5String): share paths become
 * file: URIs, non-ASCII characters are percent-encoded.
 */
import { YinjianError } from '../../../shared/errors/index';
import { TagClass, der, readDer, readOid, type Asn1Node } from './der';
import { OID } from './oids';

export const MAX_PUBLICATION_URI_LENGTH = 1024;

export interface PublicationPoints {
  /** Where the group's CRL is published (one distribution point, these full names). */
  readonly crl: readonly string[];
  /** Where the CA certificate is published (AIA caIssuers). */
  readonly caIssuers: readonly string[];
}

function invalid(location: string): YinjianError {
  return new YinjianError('PUBLICATION_POINT_INVALID', { location: location.slice(0, 200), max: MAX_PUBLICATION_URI_LENGTH });
}

/**
 * A configured location as the URI the certificate carries: http(s)/ldap/file URLs as given
 * (normalised), a UNC path \\server\share\dir\file as file://server/share/dir/file, an
 * absolute POSIX path as file:///path, a drive path C:\dir\file as file:///C:/dir/file.
 */
export function publicationUri(location: string): string {
  const trimmed = location.trim();
  if (trimmed === '' || /\p{Cc}/u.test(trimmed)) throw invalid(location);
  let candidate: string;
  if (/^(https?|ldap|file):\/\//i.test(trimmed)) candidate = trimmed;
  else if (/^\\\\[^\\/]+[\\/][^\\/]+/.test(trimmed)) candidate = `file://${trimmed.slice(2).replace(/\\/g, '/')}`;
  else if (/^[A-Za-z]:[\\/]/.test(trimmed)) candidate = `file:///${trimmed.replace(/\\/g, '/')}`;
  else if (trimmed.startsWith('/')) candidate = `file://${trimmed}`;
  else throw invalid(location);
  let href: string;
  try {
    href = new URL(candidate).href;
  } catch {
    throw invalid(location);
  }
  if (href.length > MAX_PUBLICATION_URI_LENGTH || !/^[\x21-\x7e]+$/.test(href)) throw invalid(location);
  return href;
}

/** GeneralName uniformResourceIdentifier: [6] IMPLICIT IA5String. */
function uriName(uri: string): Uint8Array {
  return der.implicitPrimitive(6, der.ia5(uri));
}

/** One DistributionPoint whose fullName lists every place the same CRL is published. */
export function encodeCrlDistributionPoints(uris: readonly string[]): Uint8Array {
  return der.sequence(der.sequence(der.explicit(0, der.implicitConstructed(0, der.sequence(...uris.map(uriName))))));
}

export function encodeAuthorityInfoAccess(caIssuers: readonly string[]): Uint8Array {
  return der.sequence(...caIssuers.map((uri) => der.sequence(der.oid(OID.caIssuers), uriName(uri))));
}

function uriOf(name: Asn1Node): string | undefined {
  if (name.tagClass !== TagClass.Context || name.tag !== 6 || name.constructed) return undefined;
  return Buffer.from(name.content).toString('latin1');
}

/** The URIs of every distribution point's fullName (other name forms are skipped). */
export function decodeCrlDistributionPoints(value: Uint8Array): string[] {
  const out: string[] = [];
  for (const point of readDer(value).children) {
    const name = point.children.find((c) => c.tagClass === TagClass.Context && c.tag === 0);
    const fullName = name?.children.find((c) => c.tagClass === TagClass.Context && c.tag === 0);
    for (const general of fullName?.children ?? []) {
      const uri = uriOf(general);
      if (uri) out.push(uri);
    }
  }
  return out;
}

export function decodeAuthorityInfoAccess(value: Uint8Array): { caIssuers: string[]; ocsp: string[] } {
  const caIssuers: string[] = [];
  const ocsp: string[] = [];
  for (const description of readDer(value).children) {
    const method = readOid(description.children[0], 'accessMethod');
    const location = description.children[1];
    const uri = location ? uriOf(location) : undefined;
    if (!uri) continue;
    if (method === OID.caIssuers) caIssuers.push(uri);
    else if (method === OID.ocsp) ocsp.push(uri);
  }
  return { caIssuers, ocsp };
}
