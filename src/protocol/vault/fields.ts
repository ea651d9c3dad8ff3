/**
 * The vault: the person's profile. Standard fields use the OpenID Connect Core §5.1 claim names,
 * so a relying party asks for `email` or `address` and gets what it expects.
 */
export const STANDARD_FIELDS = ['name', 'email', 'phone_number', 'address', 'birthdate'] as const;
export type StandardField = (typeof STANDARD_FIELDS)[number];

/**
 * What a company may ask for: the vault's fields, and `ic_principal`, the person's Internet
 * Identity principal with a proof, made at release from the device's II session
 * (src/protocol/ic/principal_proof), never stored in the vault.
 */
export const RELEASABLE_FIELDS = [...STANDARD_FIELDS, 'ic_principal'] as const;

export const FIELD_LABELS: Record<StandardField, string> = {
  name: 'Full name',
  email: 'E-mail',
  phone_number: 'Phone',
  address: 'Postal address',
  birthdate: 'Birth date',
};

/** OpenID Connect Core §5.1.1 address claim (the parts we keep). */
export interface PostalAddress {
  street_address: string;
  locality: string;
  region?: string;
  postal_code?: string;
  country: string;
}

export type VaultEntry =
  | { kind: 'name' | 'email' | 'phone_number' | 'birthdate'; value: string; updatedAt: number }
  | { kind: 'address'; value: PostalAddress; updatedAt: number }
  | { kind: 'custom'; id: string; label: string; value: string; updatedAt: number };

export const VAULT = 'vault';

/** The store key of an entry: the field name, or `custom:<id>`. */
export function vaultKey(entry: Pick<VaultEntry, 'kind'> & { id?: string }): string {
  return entry.kind === 'custom' ? `custom:${entry.id ?? ''}` : entry.kind;
}
