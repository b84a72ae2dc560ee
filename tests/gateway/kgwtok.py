#!/usr/bin/python3
"""kgwtok.py - test tokens for keygate-gateway, made outside the project
(PyJWT + cryptography, Debian's /usr/bin/python3).

  kgwtok.py genkey DIR            DIR/key.pem + DIR/jwks.json (kid = RFC 7638)
  kgwtok.py jwks PEM...           a JWKS with the public keys of PEM files
  kgwtok.py kid PEM               the key's kid (RFC 7638 thumbprint)
  kgwtok.py sign PEM [options]    print a keygate-shaped ES256 token
      --kid K          header kid (default: the key's thumbprint)
      --exp N          expires N seconds from now (negative: expired)
      --iat N          issued N seconds from now (default 0)
      --user ID --roles a,b --project ID:NAME --domain ID:NAME --system
      --issuer ISS --audit ID --pad N (N bytes of extra claim: big tokens)
  kgwtok.py tamper TOKEN          same signature, payload roles -> admin
"""
import base64, hashlib, json, os, sys, time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwk_of(pub):
    n = pub.public_numbers()
    return {"crv": "P-256", "kty": "EC", "x": b64(n.x.to_bytes(32, "big")),
            "y": b64(n.y.to_bytes(32, "big"))}


def kid_of(pub):
    j = jwk_of(pub)
    return b64(hashlib.sha256(json.dumps(j, separators=(",", ":"),
                                         sort_keys=True).encode()).digest())


def load(pem):
    with open(pem, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def jwks(pems):
    keys = []
    for p in pems:
        pub = load(p).public_key()
        j = jwk_of(pub)
        j.update({"kid": kid_of(pub), "use": "sig", "alg": "ES256"})
        keys.append(j)
    return {"keys": keys}


def main(argv):
    cmd = argv[1]
    if cmd == "genkey":
        d = argv[2]
        k = ec.generate_private_key(ec.SECP256R1())
        with open(os.path.join(d, "key.pem"), "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        with open(os.path.join(d, "jwks.json"), "w") as f:
            json.dump(jwks([os.path.join(d, "key.pem")]), f)
        return
    if cmd == "jwks":
        print(json.dumps(jwks(argv[2:])))
        return
    if cmd == "kid":
        print(kid_of(load(argv[2]).public_key()))
        return
    if cmd == "tamper":
        h, p, s = argv[2].split(".")
        c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
        c["roles"] = [{"id": "0" * 32, "name": "admin"}]
        print(h + "." + b64(json.dumps(c).encode()) + "." + s)
        return
    if cmd != "sign":
        sys.exit(__doc__)
    key = load(argv[2])
    opts = {}
    i = 3
    while i < len(argv):
        if argv[i] == "--system":
            opts["system"] = True
            i += 1
            continue
        opts[argv[i][2:]] = argv[i + 1]
        i += 2
    now = int(time.time())
    iat = now + int(opts.get("iat", 0))
    user = opts.get("user", "u" * 32)
    c = {"iss": opts.get("issuer", "keygate"), "sub": user, "iat": iat,
         "iat_us": iat * 1000000, "exp": now + int(opts.get("exp", 3600)),
         "audit_ids": [opts.get("audit", b64(os.urandom(16)))],
         "methods": ["password"],
         "user": {"id": user, "name": "user-" + user[:6],
                  "domain": {"id": "default", "name": "Default"}}}
    if "project" in opts:
        pid, name = opts["project"].split(":")
        c["project"] = {"id": pid, "name": name,
                        "domain": {"id": "default", "name": "Default"}}
    if "domain" in opts:
        did, name = opts["domain"].split(":")
        c["domain"] = {"id": did, "name": name}
    if "system" in opts:
        c["system"] = {"all": True}
    if "roles" in opts:
        c["roles"] = [{"id": hashlib.md5(r.encode()).hexdigest(), "name": r}
                      for r in opts["roles"].split(",") if r]
    if "pad" in opts:
        c["pad"] = "p" * int(opts["pad"])
    kid = opts.get("kid", kid_of(key.public_key()))
    print(jwt.encode(c, key, algorithm="ES256", headers={"kid": kid}))


if __name__ == "__main__":
    main(sys.argv)
