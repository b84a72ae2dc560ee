/*
 * ec2sig.h - AWS request signatures as Keystone checks them for
 * POST /v3/ec2tokens and POST /v3/s3tokens: the signer of
 * keystoneclient.contrib.ec2.utils (Ec2Signer: signature versions 0, 1, 2
 * and 4) and Keystone's own S3 token signatures (keystone/api/s3tokens.py:
 * version 1 and 4 over a string to sign the client sends).
 *
 * Pure: no store, no keys, no clock (the caller checks the timestamp it
 * gets from ec2sig_timestamp); thread-safe. The input is the request's
 * "credentials" object as the client sent it:
 *
 *   ec2tokens: {"access", "signature", "host", "verb", "path",
 *               "params": {...}, "headers": {...}, "body_hash"}
 *   s3tokens:  {"access", "token" (base64url of the string to sign),
 *               "signature"}
 *
 * Parameter values are signed as Python's str() renders them (Keystone
 * signs what json.loads gave it): strings as they are, integers in
 * decimal, true/false/null as True/False/None. Floats, arrays and objects
 * are refused (EC2SIG_EFORMAT): Keystone would sign their Python repr.
 * Where Keystone raises an unexpected exception (a 500: a missing
 * "params", an unknown SignatureVersion, a v4 request whose date does not
 * match its credential scope), these functions report EC2SIG_EFORMAT or
 * EC2SIG_EDATE with the reason, and the caller answers 400 / 401.
 *
 * Signatures are compared in constant time. The secret is the EC2
 * credential's "secret"; keys derived from it live on the stack and are
 * wiped before return.
 */
#ifndef KG_AUTH_EC2SIG_H
#define KG_AUTH_EC2SIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum ec2sig_rc {
	EC2SIG_OK = 0,		/* the signature matches */
	EC2SIG_MISMATCH,	/* "Invalid EC2 signature." / "Credential
				   signature mismatch" (s3) */
	EC2SIG_NOSIG,		/* "EC2 signature not supplied." */
	EC2SIG_EFORMAT,		/* the request cannot be signed: why says why */
	EC2SIG_EDATE,		/* v4: "Request date mismatch error" */
	EC2SIG_ENOMEM
};

/* At most this many headers, and signed headers, in a v4 request
 * (each signed header is looked up among all of them). */
#define EC2SIG_MAX_HEADERS	256
#define EC2SIG_MAX_HEADERS_STR	"256"

/* Room for any signature: hex SHA-256 (64) or base64 of SHA-256 (44). */
#define EC2SIG_MAX	72

/*
 * Ec2Signer(secret).generate(creds) into out (NUL-terminated): the
 * version named by params.SignatureVersion ("0", "1", "2"), else v4 when
 * headers.Authorization starts with "AWS4-HMAC-SHA256" (or, without that
 * header, params.X-Amz-Algorithm says so). host, when not NULL, replaces
 * creds.host (the port-less retry). Returns EC2SIG_OK or an error with
 * why (a short reason, no secret) filled.
 */
enum ec2sig_rc	ec2sig_generate(const json_t *creds, const char *secret,
		    const char *host, char out[EC2SIG_MAX], char *why, size_t whysz);

/*
 * Keystone's EC2TokensResource._check_signature: generate, compare with
 * creds.signature; on a mismatch, when creds.host has a port, sign again
 * with the host alone (some clients sign without the port).
 */
enum ec2sig_rc	ec2sig_check(const json_t *creds, const char *secret, char *why,
		    size_t whysz);

/*
 * Keystone's S3Resource._check_signature: the string to sign is
 * base64url-decoded from creds.token; "AWS4..." is signed as version 4
 * (its scope's service must be s3, iam or sts; anything malformed is a
 * mismatch, as Keystone's Unauthorized), anything else as version 1
 * (base64 of HMAC-SHA1).
 */
enum ec2sig_rc	s3sig_check(const json_t *creds, const char *secret, char *why,
		    size_t whysz);

/*
 * The request's timestamp, as EC2_S3_Resource._check_timestamp finds it:
 * params.Timestamp (v1/v2), else headers.X-Amz-Date, else
 * params.X-Amz-Date. Returns 0 when there is none (the signer left it
 * out), 1 with *us (µs since the epoch, UTC) when it parses as ISO 8601
 * (extended or basic format, optional fraction and offset), -1 when it
 * does not.
 */
int		ec2sig_timestamp(const json_t *creds, int64_t *us);

#endif /* KG_AUTH_EC2SIG_H */
