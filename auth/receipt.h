/*
 * receipt.h - auth receipts (Keystone's keystone/receipt/): what a login
 * whose methods succeeded but do not meet the user's multi-factor rules
 * (auth/mfa.h) gets instead of a token, to send back in the
 * Openstack-Auth-Receipt header of the request that completes it.
 *
 * A receipt is a short JWT signed with the token signing keys (auth/
 * keyring.h) but of its own kind, so it can never pass for a token: the
 * header "typ" is RECEIPT_TYP (jwt_verify, which tokens and
 * keygate-gateway use, refuses any typ but "JWT") and the claims carry
 * "aud": RECEIPT_AUD, no audit ids, no scope and no roles (claims_parse
 * would refuse them too). Claims: iss, aud, sub (the user), user_domain_id,
 * methods, iat, iat_us, exp ([receipt] expiration, Keystone's 300 s), rev
 * (the store revision of the snapshot that checked the methods).
 *
 * Beyond Keystone, a receipt is revoked like a token of its user: the
 * events of a password change, of the user or its domain disabled or
 * deleted (auth/revocation.h, by revision or time) refuse it. The
 * functions are token_mfa_gate and token_receipt_free (auth/token_int.h,
 * auth/token.h); this header only names the constants.
 */
#ifndef KG_AUTH_RECEIPT_H
#define KG_AUTH_RECEIPT_H

#define RECEIPT_TYP	"keygate-receipt+jwt"
#define RECEIPT_AUD	"openstack-auth-receipt"
#define RECEIPT_HEADER	"Openstack-Auth-Receipt"
#define RECEIPT_MAX	2048		/* bytes of a receipt we look at */

#endif /* KG_AUTH_RECEIPT_H */
