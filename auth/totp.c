/* totp.c - RFC 6238 passcodes (see totp.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/totp.h"
#include "common/util.h"

/* 0..31 for a base32 digit, -1 otherwise (upper case only, as Python). */
static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
totp_b32decode(const char *text, unsigned char **key, size_t *keylen)
{
	unsigned char	*out;
	size_t		 n = strlen(text), data = n, pad, i, len = 0;
	uint32_t	 acc = 0;
	int		 bits = 0, v;

	*key = NULL;
	*keylen = 0;
	while (data > 0 && text[data - 1] == '=')
		data--;
	/* Keystone pads the text to a multiple of 8; Python's b32decode then
	 * wants 0, 1, 3, 4 or 6 '=' (else "Incorrect padding"). */
	pad = (n + 7) / 8 * 8 - data;
	if (pad != 0 && pad != 1 && pad != 3 && pad != 4 && pad != 6)
		return -1;
	if ((out = malloc(data * 5 / 8 + 1)) == NULL)
		return -1;
	for (i = 0; i < data; i++) {
		if ((v = b32_value(text[i])) == -1) {
			kg_wipe(out, data * 5 / 8 + 1);
			kg_wipe(&acc, sizeof(acc));
			free(out);
			return -1;
		}
		acc = (acc << 5) | (uint32_t)v;
		if ((bits += 5) >= 8) {
			bits -= 8;
			out[len++] = (unsigned char)(acc >> bits);
		}
	}
	kg_wipe(&acc, sizeof(acc));	/* key bits */
	*key = out;
	*keylen = len;
	return 0;
}

int
totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    char out[TOTP_DIGITS + 1])
{
	unsigned char	 msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, off;
	uint32_t	 code;
	int		 i;

	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (keylen > (size_t)INT32_MAX ||
	    HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac,
	    &maclen) == NULL || maclen < 20)
		return -1;
	off = mac[maclen - 1] & 0x0f;		/* RFC 4226 dynamic truncation */
	code = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	kg_wipe(mac, sizeof(mac));
	code %= 1000000;
	for (i = TOTP_DIGITS - 1; i >= 0; i--) {
		out[i] = (char)('0' + code % 10);
		code /= 10;
	}
	out[TOTP_DIGITS] = '\0';
	return 0;
}

int
totp_check(const char *secret, const char *passcode, int64_t now,
    int prev_windows)
{
	unsigned char	*key;
	size_t		 keylen;
	char		 code[TOTP_DIGITS + 1];
	int		 i, match = 0;

	if (prev_windows < 0 || prev_windows > TOTP_MAX_WINDOWS || now < 0 ||
	    totp_b32decode(secret, &key, &keylen) == -1)
		return 0;
	if (keylen >= TOTP_MIN_KEY && strlen(passcode) == TOTP_DIGITS) {
		for (i = 0; i <= prev_windows; i++) {
			if (now / TOTP_STEP < i)
				break;
			if (totp_hotp(key, keylen, (uint64_t)(now / TOTP_STEP - i),
			    code) == 0)
				match |= kg_ct_equal(code, passcode, TOTP_DIGITS);
		}
	}
	kg_wipe(code, sizeof(code));
	kg_wipe(key, keylen);
	free(key);
	return match != 0;
}
