/*
 * test_ec2sig.c - the focus of this file is auth/ec2sig.c: AWS signatures
 * as Keystone checks them. The vectors were computed with the reference
 * implementations, keystoneclient's Ec2Signer (Debian's
 * python3-keystoneclient 5.0.1) for ec2tokens and Keystone 22's
 * s3tokens.py functions for s3tokens; the first is AWS's own SigV4 test
 * suite case "get-vanilla".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/ec2sig.h"
#include "tests/t.h"

static const struct vec {
	const char	*name, *secret, *creds, *sig;
} vecs[] = {
	{ "v4 get-vanilla (AWS test suite)",
	  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	  "{\"host\":\"example.amazonaws.com\",\"verb\":\"GET\",\"path\":\"/\",\"params\":{},\"body_hash\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"headers\":{\"Host\":\"example.amazonaws.com\",\"X-Amz-Date\":\"20150830T123600Z\",\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=x\"}}",
	  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
	{ "v0",
	  "s3cr3t",
	  "{\"params\":{\"SignatureVersion\":\"0\",\"Action\":\"DescribeInstances\",\"Timestamp\":\"2012-12-14T21:18:09Z\"}}",
	  "KmMKYh7AZh9ixcqKGqUioK9gmjI=" },
	{ "v1",
	  "s3cr3t",
	  "{\"params\":{\"SignatureVersion\":\"1\",\"Action\":\"DescribeInstances\",\"zeta\":\"z\",\"Alpha\":\"a\",\"AWSAccessKeyId\":\"AK\",\"n\":5}}",
	  "N+PSAxjf4IBNqv68hKK8pF+3hzU=" },
	{ "v2",
	  "s3cr3t",
	  "{\"host\":\"ec2.example.com:8773\",\"verb\":\"GET\",\"path\":\"/services/Cloud\",\"params\":{\"SignatureVersion\":\"2\",\"AWSAccessKeyId\":\"AK\",\"Action\":\"DescribeInstances\",\"Timestamp\":\"2012-12-14T21:18:09Z\",\"SignatureMethod\":\"HmacSHA1\",\"x y\":\"a b/c~d\",\"uni\":\"\\u00e9t\\u00e9\",\"flag\":true,\"none\":null,\"num\":-42}}",
	  "63Lnhc9555/OreriO1C8XY/5qQD6p0gyEVb7qqNqwUo=" },
	{ "v2 host without port",
	  "s3cr3t",
	  "{\"host\":\"ec2.example.com\",\"verb\":\"POST\",\"path\":\"/\",\"params\":{\"SignatureVersion\":\"2\",\"Action\":\"RunInstances\"}}",
	  "Q2+98QVG1cd35Tn570dUq0oC0EeBpJD4zQe5AeO986A=" },
	{ "v4 GET with query",
	  "k3y",
	  "{\"host\":\"ec2.example.com\",\"verb\":\"get\",\"path\":\"/x/y\",\"params\":{\"Action\":\"DescribeRegions\",\"Version\":\"2013-10-15\",\"b\":\"sp ace\"},\"body_hash\":\"abc\",\"headers\":{\"Host\":\"ec2.example.com:443\",\"x-amz-date\":\"ignored\",\"X-Amz-Date\":\"20240102T030405Z\",\" Content-Type \":\"  text/plain \",\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK/20240102/RegionOne/ec2/aws4_request,SignedHeaders=content-type;host;x-amz-date;missing,Signature=z\"}}",
	  "a372985d521bc58a83be0f73186d5b1f037397b618a949dd0f06feb5341f6c21" },
	{ "v4 POST",
	  "k3y",
	  "{\"host\":\"h\",\"verb\":\"POST\",\"path\":\"/\",\"params\":{\"Action\":\"X\"},\"body_hash\":\"deadbeef\",\"headers\":{\"Host\":\"h:80\",\"X-Amz-Date\":\"20240102T030405Z\",\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK/20240102/r/s3/aws4_request,SignedHeaders=host;x-amz-date,Signature=z\"}}",
	  "5c0ac9ff3ad055e98ee8cfbe3bb32516468e853f2ad112f0e54b763d9d117882" },
	{ "v4 old boto strips the port",
	  "k3y",
	  "{\"host\":\"h\",\"verb\":\"GET\",\"path\":\"/\",\"params\":{},\"body_hash\":\"e3\",\"headers\":{\"Host\":\"h:8773\",\"User-Agent\":\"Boto/2.9.2 Python\",\"X-Amz-Date\":\"20240102T030405Z\",\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK/20240102/r/ec2/aws4_request,SignedHeaders=host;user-agent;x-amz-date,Signature=z\"}}",
	  "3fdd1186f6e0d1a0d33c3a8cef4d9216564b365eb72de3172827b687b20bfdf6" },
	{ "v4 query parameters",
	  "k3y",
	  "{\"host\":\"h\",\"verb\":\"GET\",\"path\":\"/\",\"body_hash\":\"e3\",\"headers\":{\"Host\":\"h\"},\"params\":{\"X-Amz-Algorithm\":\"AWS4-HMAC-SHA256\",\"X-Amz-Credential\":\"AK/20240102/r/ec2/aws4_request\",\"X-Amz-SignedHeaders\":\"host\",\"X-Amz-Date\":\"20240102T030405Z\",\"Action\":\"DescribeInstances\"}}",
	  "5ab17d5414ff3dfc0fe595533c8dc73d78a573c1d026c8e1f276db64112ea6df" },
};

static json_t *
load(const char *text)
{
	json_t	*j = json_loads(text, 0, NULL);

	if (j == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		exit(2);
	}
	return j;
}

/* ec2sig_check of creds with the signature set to sig. */
static enum ec2sig_rc
check_with(const char *creds, const char *secret, const char *sig)
{
	json_t		*c = load(creds);
	char		 why[160];
	enum ec2sig_rc	 rc;

	if (sig != NULL)
		json_object_set_new(c, "signature", json_string(sig));
	rc = ec2sig_check(c, secret, why, sizeof(why));
	json_decref(c);
	return rc;
}

static void
test_vectors(void)
{
	char	 out[EC2SIG_MAX], why[160], id[200];
	json_t	*c;
	size_t	 i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		c = load(vecs[i].creds);
		snprintf(id, sizeof(id), "ec2sig-1.%zu generate: %s", i, vecs[i].name);
		T(id, ec2sig_generate(c, vecs[i].secret, NULL, out, why,
		    sizeof(why)) == EC2SIG_OK && t_streq(out, vecs[i].sig));
		json_decref(c);
		snprintf(id, sizeof(id), "ec2sig-2.%zu check: %s", i, vecs[i].name);
		T(id, check_with(vecs[i].creds, vecs[i].secret, vecs[i].sig) ==
		    EC2SIG_OK);
		snprintf(id, sizeof(id), "ec2sig-3.%zu wrong secret: %s", i,
		    vecs[i].name);
		T(id, check_with(vecs[i].creds, "other", vecs[i].sig) ==
		    EC2SIG_MISMATCH);
	}
}

static void
test_check(void)
{
	/* The v2 vector signed without the port: Keystone's second try. */
	const char	*v2port = "{\"host\":\"EC2.example.com:8773\",\"verb\":\"POST\","
	    "\"path\":\"/\",\"params\":{\"SignatureVersion\":\"2\",\"Action\":"
	    "\"RunInstances\"}}";
	char		 out[EC2SIG_MAX], why[160];
	json_t		*c;

	T("ec2sig-4.1 signed without the port: accepted on the second try",
	    check_with(v2port, "s3cr3t", "Q2+98QVG1cd35Tn570dUq0oC0EeBpJD4zQe5AeO986A=")
	    == EC2SIG_OK);
	T("ec2sig-4.2 no signature: EC2SIG_NOSIG",
	    check_with(vecs[1].creds, "s3cr3t", NULL) == EC2SIG_NOSIG);
	T("ec2sig-4.3 empty signature: EC2SIG_NOSIG",
	    check_with(vecs[1].creds, "s3cr3t", "") == EC2SIG_NOSIG);
	T("ec2sig-4.4 signature one character off: mismatch",
	    check_with(vecs[1].creds, "s3cr3t", "KmMKYh7AZh9ixcqKGqUioK9gmjJ=") ==
	    EC2SIG_MISMATCH);
	T("ec2sig-4.5 no params: format error",
	    check_with("{\"access\":\"a\"}", "s", "x") == EC2SIG_EFORMAT);
	T("ec2sig-4.6 unknown SignatureVersion: format error",
	    check_with("{\"params\":{\"SignatureVersion\":\"3\"}}", "s", "x") ==
	    EC2SIG_EFORMAT);
	T("ec2sig-4.7 no version, no v4 marks: format error",
	    check_with("{\"params\":{}}", "s", "x") == EC2SIG_EFORMAT);
	T("ec2sig-4.8 v2 without host: format error",
	    check_with("{\"verb\":\"GET\",\"path\":\"/\",\"params\":"
	    "{\"SignatureVersion\":\"2\"}}", "s", "x") == EC2SIG_EFORMAT);
	T("ec2sig-4.9 float parameter refused",
	    check_with("{\"host\":\"h\",\"verb\":\"GET\",\"path\":\"/\",\"params\":"
	    "{\"SignatureVersion\":\"2\",\"f\":1.5}}", "s", "x") == EC2SIG_EFORMAT);
	T("ec2sig-4.10 v4 date not matching the credential scope: EDATE",
	    check_with("{\"verb\":\"GET\",\"path\":\"/\",\"body_hash\":\"e\","
	    "\"params\":{},\"headers\":{\"X-Amz-Date\":\"20240103T000000Z\","
	    "\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK/20240102/r/s/"
	    "aws4_request,SignedHeaders=host,Signature=z\"}}", "s", "x") ==
	    EC2SIG_EDATE);
	T("ec2sig-4.11 v4 header that is not a string: format error",
	    check_with("{\"verb\":\"GET\",\"path\":\"/\",\"body_hash\":\"e\","
	    "\"params\":{},\"headers\":{\"Host\":5,"
	    "\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK/20240102/r/s/"
	    "aws4_request,SignedHeaders=host,Signature=z\"}}", "s", "x") ==
	    EC2SIG_EFORMAT);
	T("ec2sig-4.12 v4 credential without a scope: format error",
	    check_with("{\"verb\":\"GET\",\"path\":\"/\",\"body_hash\":\"e\","
	    "\"params\":{},\"headers\":{\"X-Amz-Date\":\"20240102T000000Z\","
	    "\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK,SignedHeaders=host,"
	    "Signature=z\"}}", "s", "x") == EC2SIG_EFORMAT);
	/* Bounded work: too many signed headers is refused before lookups. */
	{
		char	*big = malloc(4 * 1024), *p;
		int	 i;

		p = big + sprintf(big, "{\"verb\":\"GET\",\"path\":\"/\",\"body_hash\":"
		    "\"e\",\"params\":{},\"headers\":{\"X-Amz-Date\":\"20240102T0Z\","
		    "\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AK/20240102/r/s/"
		    "aws4_request,SignedHeaders=");
		for (i = 0; i < 300; i++)
			p += sprintf(p, "h;");
		sprintf(p, "h\"}}");
		T("ec2sig-4.13 more than 256 signed headers: format error",
		    check_with(big, "s", "x") == EC2SIG_EFORMAT);
		free(big);
	}
	c = load("{}");
	T("ec2sig-4.14 generate on {}: format error, empty output",
	    ec2sig_generate(c, "s", NULL, out, why, sizeof(why)) == EC2SIG_EFORMAT &&
	    out[0] == '\0');
	json_decref(c);
}

static enum ec2sig_rc
s3(const char *token, const char *sig)
{
	json_t		*c = json_pack("{s:s}", "token", token);
	char		 why[160];
	enum ec2sig_rc	 rc;

	if (sig != NULL)
		json_object_set_new(c, "signature", json_string(sig));
	rc = s3sig_check(c, "s3cr3t", why, sizeof(why));
	json_decref(c);
	return rc;
}

static void
test_s3(void)
{
	const char	*t1 = "R0VUCgoKVHVlLCAyNyBNYXIgMjAwNyAxOTozNjo0MiArMDAwMAovam9obnNtaXRoL3Bob3Rvcy9wdXBweS5qcGc=";
	const char	*t4 = "QVdTNC1ITUFDLVNIQTI1NgoyMDI0MDEwMlQwMzA0MDVaCjIwMjQwMTAyL1JlZ2lvbk9uZS9zMy9hd3M0X3JlcXVlc3QKMmI2YmRmYjJhMGMzMGVhZjViN2UxMjg1NzVlY2MxMzM1NGQ3NDMxNWMyMmVkYWZhMTE0MWVhMzQ0NWNlZmM1ZA==";

	T("s3sig-1.1 v1 (HMAC-SHA1) vector", s3(t1, "zlgzo7xZ3sMwhEUWz48fXqoK6kU=") ==
	    EC2SIG_OK);
	T("s3sig-1.2 v4 vector", s3(t4,
	    "fddb5f196ec9a20332125bff5a4e424c01ee3fc6a224986b7819112bc9015e10") ==
	    EC2SIG_OK);
	T("s3sig-1.3 v1 wrong signature", s3(t1, "zlgzo7xZ3sMwhEUWz48fXqoK6kV=") ==
	    EC2SIG_MISMATCH);
	T("s3sig-1.4 no signature", s3(t1, NULL) == EC2SIG_NOSIG);
	/* "AWS4-HMAC-SHA256\nd\n20240102/r/ec2/aws4_request\nx": service ec2 */
	T("s3sig-1.5 v4 scope for a service other than s3/iam/sts: mismatch",
	    s3("QVdTNC1ITUFDLVNIQTI1NgpkCjIwMjQwMTAyL3IvZWMyL2F3czRfcmVxdWVzdAp4",
	    "x") == EC2SIG_MISMATCH);
	T("s3sig-1.6 token with bad padding: format error", s3("abc", "x") ==
	    EC2SIG_EFORMAT);
	/* As Python's urlsafe_b64decode: characters outside the alphabet are
	 * dropped, so "!!" is the empty string to sign. */
	T("s3sig-1.7 token of foreign characters: an empty string, mismatch",
	    s3("!!", "x") == EC2SIG_MISMATCH);
}

static void
test_timestamp(void)
{
	json_t	*c;
	int64_t	 us = 0;

	c = load("{\"params\":{\"Timestamp\":\"2012-12-14T21:18:09Z\"}}");
	T("ec2sig-5.1 params.Timestamp", ec2sig_timestamp(c, &us) == 1 &&
	    us == INT64_C(1355519889) * 1000000);
	json_decref(c);
	c = load("{\"headers\":{\"X-Amz-Date\":\"20150830T123600Z\"}}");
	T("ec2sig-5.2 basic format X-Amz-Date", ec2sig_timestamp(c, &us) == 1 &&
	    us == INT64_C(1440938160) * 1000000);
	json_decref(c);
	c = load("{\"params\":{\"Timestamp\":\"2012-12-14T23:18:09.5+02:00\"}}");
	T("ec2sig-5.3 offset and fraction", ec2sig_timestamp(c, &us) == 1 &&
	    us == INT64_C(1355519889) * 1000000 + 500000);
	json_decref(c);
	c = load("{\"params\":{}}");
	T("ec2sig-5.4 none: 0", ec2sig_timestamp(c, &us) == 0);
	json_decref(c);
	c = load("{}");
	T("ec2sig-5.5 no params, no headers: 0", ec2sig_timestamp(c, &us) == 0);
	json_decref(c);
	c = load("{\"params\":{\"Timestamp\":\"yesterday\"}}");
	T("ec2sig-5.6 unparsable: -1", ec2sig_timestamp(c, &us) == -1);
	json_decref(c);
	c = load("{\"params\":{\"Timestamp\":7}}");
	T("ec2sig-5.7 not a string: -1", ec2sig_timestamp(c, &us) == -1);
	json_decref(c);
}

int
main(void)
{
	test_vectors();
	test_check();
	test_s3();
	test_timestamp();
	return t_report();
}
