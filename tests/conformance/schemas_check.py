#!/usr/bin/python3
"""schemas_check.py - keygate's request validation says what Keystone says.

  schemas_check.py SCHEMAS URL PASSWORD

SCHEMAS is `keygate schemas` output: the JSON Schema of every request body.
For each route, bodies are generated from its schema: a valid one, then one
mutation at a time (a wrong type at every property, a string one character
too long or too short, a pattern or enum violation, a missing required
property, an unexpected property where they are not allowed, an empty
update, an unexpected top-level member). The expected answer is computed
the way Keystone 22 computes it: the first error of Debian's
python3-jsonschema (the library Keystone runs on) with a Draft 4 validator,
formatted by keystone/common/validation/validators.py as
"Invalid input for field '<path>': <message>" (the bare message at the top).
keygate, running at URL (admin password PASSWORD), must answer each with
400 and exactly that text (secrets shown as '******', keygate's only
deliberate difference), and must accept the valid body's shape (any status
but 400 with a schema text).

Prints "ok"/"FAIL" lines and ends with "N passed, N failed".
"""

import copy
import http.client
import json
import sys
import urllib.parse

import jsonschema

from openapi_check import check, finish


# ---------------------------------------------------------------- HTTP

class Client:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.token = None

    def request(self, method, path, body=None, token=True):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token and self.token:
            headers["X-Auth-Token"] = self.token
        data = None if body is None else json.dumps(body)
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        raw = r.read()
        tok = r.getheader("X-Subject-Token")
        c.close()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return r.status, doc, tok

    def login(self, password):
        st, doc, tok = self.request("POST", "/v3/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"},
                "password": password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}},
            token=False)
        self.token = tok
        self.user_id = ((doc or {}).get("token", {}).get("user", {}).get("id"))
        return st == 201 and tok


# ------------------------------------------------------ Keystone's texts

ECHO_MAX = 900     # server/validate.h VALIDATE_ECHO_MAX


def keystone_message(schema, instance):
    """What Keystone 22 answers for instance, or None when it passes; with
    keygate's two differences: secrets are shown as '******', and a value's
    repr is cut after ECHO_MAX bytes (then "...")."""
    v = jsonschema.Draft4Validator(schema)
    for e in v.iter_errors(instance):     # Keystone raises the first one
        msg = e.message
        if e.validator in ("type", "maxLength", "minLength", "pattern", "enum",
                           "maxItems", "minItems", "uniqueItems",
                           "minProperties", "maxProperties", "minimum", "maximum",
                           "oneOf"):
            r = repr(e.instance)
            if e.schema.get("writeOnly"):
                msg = msg.replace(r, "'******'", 1)
            elif len(r.encode()) > ECHO_MAX:
                cut = r.encode()[:ECHO_MAX].decode("utf-8", "ignore") + "..."
                msg = msg.replace(r, cut, 1)
        if e.path:
            return "Invalid input for field '%s': %s" % (
                "/".join(str(p) for p in e.path), msg)
        return msg
    return None


# ------------------------------------------------------ generating bodies

SAMPLES = {"object": {}, "array": [], "string": "s", "boolean": True,
           "integer": 5, "number": 1.5, "null": None}
PATTERN_OK = {"[\\S]+": "x", "^[a-zA-Z0-9-]+$": "abc", "^[^,/]*$": "t",
              "^[a-zA-Z0-9+.-]+:.+": "http://x", "^\\/.*": "/p",
              "^(POST|GET|HEAD|PATCH|PUT|DELETE)$": "GET"}
PATTERN_BAD = {"[\\S]+": "   ", "^[a-zA-Z0-9-]+$": "a b", "^[^,/]*$": "a,b",
               "^[a-zA-Z0-9+.-]+:.+": "nourl", "^\\/.*": "p",
               "^(POST|GET|HEAD|PATCH|PUT|DELETE)$": "get"}


def types_of(s):
    t = s.get("type")
    if t is None:
        return []
    return t if isinstance(t, list) else [t]


def first_of(s):
    """s with its first oneOf schema merged in (the branch bodies take)."""
    if "oneOf" not in s:
        return s
    m = {k: v for k, v in s.items() if k != "oneOf"}
    m.update(s["oneOf"][0])
    return m


def props(s):
    return first_of(s).get("properties", {})


def valid(s):
    """A minimal instance that passes s."""
    s = first_of(s)
    ts = [t for t in types_of(s) if t != "null"] or ["null"]
    t = ts[0]
    if t == "object":
        v = {k: valid(s["properties"][k]) for k in s.get("required", [])}
        for k in s.get("properties", {}):
            if len(v) >= s.get("minProperties", 0):
                break
            if k not in v and k not in ("domain_id", "parent_id", "is_domain",
                                        "id", "federated", "enabled"):
                v[k] = valid(s["properties"][k])
        return v
    if t == "array":
        return [valid(s["items"])] * s.get("minItems", 0) if "items" in s else []
    if t == "string":
        if "enum" in s:
            return s["enum"][0]
        v = PATTERN_OK.get(s.get("pattern"), "v")
        return v + "x" * max(0, s.get("minLength", 0) - len(v))
    return SAMPLES[t]


def wrong_type(s):
    ok = set(types_of(s))
    if "number" in ok:
        ok.add("integer")
    for t in ("integer", "string", "boolean", "null", "array", "object"):
        if t not in ok:
            return SAMPLES[t] if t != "string" else "s"
    return None


def mutations(s):
    """(description, value) pairs that should fail s itself."""
    out = []
    w = wrong_type(s)
    if s.get("type") is not None:
        out.append(("wrong type", w))
    if "string" in types_of(s):
        base = valid(dict(s, type="string"))
        if "maxLength" in s:
            long = base + "y" * (s["maxLength"] + 1 - len(base))
            out.append(("too long", long))
        if s.get("minLength", 0) >= 1:
            out.append(("too short", ""))
        if "pattern" in s:
            out.append(("pattern", PATTERN_BAD[s["pattern"]]))
        if "enum" in s:
            out.append(("enum", "bogus"))
    if "object" in types_of(s):
        base = valid(dict(s, type="object"))
        for r in s.get("required", []):
            v = dict(base)
            del v[r]
            out.append(("missing " + r, v))
        if s.get("additionalProperties") is False:
            out.append(("unexpected property", dict(base, zz_unexpected=1)))
        if s.get("minProperties"):
            out.append(("empty", {}))
        if "maxProperties" in s:
            props = list(s.get("properties", {}).items())
            over = {k: valid(sub)
                    for k, sub in props[:s["maxProperties"] + 1]}
            if len(over) > s["maxProperties"]:
                out.append(("too many properties", over))
    if "integer" in types_of(s) or "number" in types_of(s):
        if "minimum" in s:
            out.append(("below the minimum", s["minimum"] - 1))
        if "maximum" in s:
            out.append(("above the maximum", s["maximum"] + 1))
    if "array" in types_of(s) and "maxItems" in s:
        item = valid(s["items"])
        out.append(("too many items", [item + str(i) if isinstance(item, str)
                                       else item for i in range(s["maxItems"] + 1)]))
    if "array" in types_of(s) and s.get("uniqueItems") and "items" in s:
        item = valid(s["items"])
        out.append(("duplicate items", [item, item]))
    return out


def walk(s, path=()):
    """(path, schema) of s and every property and array item under it."""
    yield path, s
    if "oneOf" in s:
        yield path, first_of(s)
    for k, sub in props(s).items():
        yield from walk(sub, path + (k,))
    if "items" in s:
        yield from walk(s["items"], path + (0,))


def place(root_schema, path, value):
    """A valid instance of root_schema with value at path."""
    inst = valid(root_schema)
    if not path:
        return copy.deepcopy(value)
    node, s = inst, root_schema
    for i, key in enumerate(path):
        last = i == len(path) - 1
        if isinstance(key, int):
            sub = s["items"]
            while len(node) <= key:
                node.append(valid(sub))
        else:
            sub = props(s)[key]
            if key not in node:
                node[key] = valid(sub)
        if last:
            node[key] = copy.deepcopy(value)
        else:
            if "object" in types_of(sub) and not isinstance(node[key], dict):
                node[key] = {}
            if "array" in types_of(sub) and not isinstance(node[key], list):
                node[key] = []
            node, s = node[key], sub
    return inst


def fixtures(c):
    """One object of each kind, by the collection name in its path."""
    def mk(path, body, key):
        st, doc, _ = c.request("POST", path, body)
        return doc[key]["id"] if st == 201 else None
    svc = mk("/v3/services", {"service": {"type": "kschema"}}, "service")
    st, doc, _ = c.request("POST", "/v3/registered_limits", {
        "registered_limits": [{"service_id": svc, "resource_name": "kschema",
                               "default_limit": 5}]})
    rl = doc["registered_limits"][0]["id"] if st == 201 else None
    st, doc, _ = c.request("GET", "/v3/projects?name=admin")
    admin_project = doc["projects"][0]["id"] if st == 200 else None
    st, doc, _ = c.request("POST", "/v3/limits", {"limits": [{
        "project_id": admin_project, "service_id": svc,
        "resource_name": "kschema", "resource_limit": 3}]})
    limit = doc["limits"][0]["id"] if st == 201 else None
    user = mk("/v3/users", {"user": {"name": "kschema-u"}}, "user")
    return {
        "registered_limits": rl,
        "limits": limit,
        "policies": mk("/v3/policies", {"policy": {"blob": "{}",
                                                   "type": "kschema"}},
                       "policy"),
        "OS-EP-FILTER": mk("/v3/OS-EP-FILTER/endpoint_groups", {
            "endpoint_group": {"name": "kschema", "filters": {
                "interface": "public"}}}, "endpoint_group"),
        "domains": mk("/v3/domains", {"domain": {"name": "kschema-d"}}, "domain"),
        "projects": mk("/v3/projects", {"project": {"name": "kschema-p"}},
                       "project"),
        "users": user,
        "credentials": mk("/v3/credentials", {"credential": {
            "user_id": user, "type": "cert", "blob": "kschema"}}, "credential"),
        "groups": mk("/v3/groups", {"group": {"name": "kschema-g"}}, "group"),
        "roles": mk("/v3/roles", {"role": {"name": "kschema-r"}}, "role"),
        "regions": "RegionOne",
        "services": svc,
        "endpoints": mk("/v3/endpoints", {"endpoint": {
            "interface": "public", "service_id": svc, "url": "http://k"}},
            "endpoint"),
    }


def strip_keygate(s):
    """The schema without keygate's storage annotations (pass 1 only)."""
    if isinstance(s, dict):
        return {k: strip_keygate(v) for k, v in s.items()
                if not k.startswith("x-keygate")}
    if isinstance(s, list):
        return [strip_keygate(v) for v in s]
    return s


def main():
    schemas_path, url, password = sys.argv[1:4]
    with open(schemas_path) as f:
        schemas = json.load(f)
    c = Client(url)
    if not check("kschema-0.1", c.login(password), "admin token"):
        finish()
    ids = fixtures(c)
    check("kschema-0.2", all(ids.values()), "fixtures", ids)
    n = 0
    for key in sorted(schemas):
        method, route = key.split(" ", 1)
        outer = schemas[key]
        member = outer["required"][0]
        s = outer["properties"][member]
        s1 = strip_keygate(s)
        # A PATCH of a missing object is a 404 before its body is read,
        # as in Keystone: the routes' objects exist. A domain's
        # configuration: group ldap, option url.
        path = route.replace("{}", ids.get(route.split("/")[2], "x"), 1)
        # A user creates application credentials for itself only.
        if route == "/v3/users/{}/application_credentials":
            path = route.replace("{}", c.user_id or "x", 1)
        path = path.replace("{}", "ldap", 1).replace("{}", "url", 1)
        cases = []
        seen = set()
        for p, sub in walk(s):
            for what, value in mutations(sub):
                body = place(s, p, value)
                sig = json.dumps(body, sort_keys=True)
                if sig in seen:
                    continue
                seen.add(sig)
                cases.append(("%s at '%s'" % (what, "/".join(map(str, p))),
                              {member: body}))
        cases.append(("unexpected top-level member",
                      {member: valid(s), "zz_top": 1}))
        for what, body in cases:
            n += 1
            want = keystone_message(s1, body[member])
            if want is None and "zz_top" in body:
                want = "Additional properties are not allowed ('zz_top' was unexpected)"
            if want is None:
                continue        # not an error for Keystone's schema
            st, doc, _ = c.request(method, path, body,
                                   token=not route.endswith("/password"))
            got = (doc or {}).get("error", {}).get("message")
            check("kschema %s %s" % (key, what), st == 400 and got == want,
                  "400 %r" % want, "%s %r\nbody: %s" % (st, got,
                                                        json.dumps(body)[:400]))
        # the minimal valid body passes the schema
        st, doc, _ = c.request(method, path, {member: valid(s)},
                               token=not route.endswith("/password"))
        msg = (doc or {}).get("error", {}).get("message", "")
        check("kschema %s valid" % key, not (st == 400 and (
            "Invalid input" in msg or "is a required property" in msg or
            "is not of type" in msg)), "a minimal valid body passes the schema",
            "%s %s" % (st, msg))
    check("kschema-0.3", n > 200, "generated bodies: %d" % n)
    finish()


if __name__ == "__main__":
    main()
