#!/usr/bin/python3
"""revoke-load.py - fixtures for the bench's not-yet-cached validation cases.

  revoke-load.py tokens URL TOKEN N OUT   issue N token-method tokens from
                                          TOKEN (one keep-alive connection),
                                          one per line into OUT
  revoke-load.py events DB N              store N revocation events for other
                                          users and tokens in the database DB
                                          (as token DELETEs, password changes
                                          and grant removals would), in one
                                          transaction, as another process may

The events go straight into SQLite (a live server sees them: the schema
stamps them and bumps the store revision): 50,000 DELETE requests would
take minutes of fsyncs.
"""
import http.client
import json
import os
import sqlite3
import sys
import time
import urllib.parse


def tokens(url, token, n, out):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    body = json.dumps({"auth": {"identity": {"methods": ["token"],
                                             "token": {"id": token}},
                                "scope": {"project": {"name": "admin",
                                                      "domain": {"id": "default"}}}}})
    got = []
    for _ in range(n):
        conn.request("POST", "/v3/auth/tokens?nocatalog", body,
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            sys.exit("revoke-load: issue answered %d" % r.status)
        got.append(r.getheader("X-Subject-Token"))
    with open(out, "w") as f:
        f.write("\n".join(got) + "\n")


def events(db, n):
    now = int(time.time() * 1000000)
    c = sqlite3.connect(db, timeout=30)
    rows = []
    for i in range(n):
        # 80% token DELETEs (audit ids), 15% password changes or disables
        # (users), 5% grant removals (user + project).
        rnd = os.urandom(16).hex()
        if i % 20 < 16:
            rows.append((None, None, rnd[:22], now - i, now - i))
        elif i % 20 < 19:
            rows.append((rnd, None, None, now - i, now - i))
        else:
            rows.append((rnd, os.urandom(16).hex(), None, now - i, now - i))
    c.executemany("INSERT INTO revocation_event (user_id, project_id, audit_id,"
                  " issued_before, revoked_at) VALUES (?, ?, ?, ?, ?)", rows)
    c.commit()
    c.close()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "tokens":
        tokens(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 4 and sys.argv[1] == "events":
        events(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
