#!/usr/bin/python3
"""openapi_check.py - keep api-docs/openapi.yaml and the real server in step.

  openapi_check.py routes   SPEC ROUTES   the route table (`keygate routes`
                                          output) and the description list
                                          the same operations and auth
  openapi_check.py schemas  SPEC          the schemas are valid JSON Schema
                                          2020-12; every example matches its
                                          schema
  openapi_check.py bodies   SPEC SCHEMAS  every request body schema of the
                                          description says what the server's
                                          validator checks (`keygate schemas`
                                          output): types, properties,
                                          required, additionalProperties,
                                          min/maxLength (the lower of the
                                          schema's and the column's), pattern,
                                          enum, items, min/maxItems,
                                          uniqueItems, minProperties
  openapi_check.py exercise SPEC ROUTES URL PASSWORD
                                          drive a running server (bootstrapped
                                          admin/PASSWORD) through every route,
                                          success and failure, and validate
                                          each response against the
                                          description: status documented,
                                          body valid for that status, required
                                          headers present

Each prints "ok ID ..." / "FAIL ID: ..." lines and ends with
"N passed, N failed". Uses Debian's python3-yaml and python3-jsonschema.
"""

import http.client
import json
import re
import sys
import urllib.parse

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
PARAM = re.compile(r"\{[^}/]+\}")

passed = 0
failed = 0


def check(tid, cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s %s" % (tid, what))
    else:
        failed += 1
        print("FAIL %s: %s" % (tid, what))
        for line in str(detail).splitlines()[:30]:
            print("    | " + line)
    return cond


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


# ---------------------------------------------------------------- the spec

class Spec:
    def __init__(self, path):
        with open(path) as f:
            self.doc = yaml.safe_load(f)
        self.resolver = jsonschema.RefResolver(base_uri="", referrer=self.doc)
        # (METHOD, "/v3/users/{}") -> (template path, operation, path item)
        self.ops = {}
        for tpath, item in self.doc["paths"].items():
            for m in METHODS:
                if m in item:
                    key = (m.upper(), PARAM.sub("{}", tpath))
                    self.ops[key] = (tpath, item[m], item)

    def deref(self, obj):
        """Follow a (chain of) local $ref."""
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.resolver.resolve(obj["$ref"])
        return obj

    def validator(self, schema):
        return jsonschema.Draft202012Validator(schema, resolver=self.resolver)

    def errors(self, schema, instance):
        v = self.validator(schema)
        return sorted(v.iter_errors(instance), key=lambda e: list(e.path))

    def security_free(self, op):
        """True when the operation needs no token."""
        sec = op.get("security", self.doc.get("security", []))
        return sec == [] or {} in sec


def parse_routes(path):
    """`keygate routes` output -> {(METHOD, pattern): needs_auth}."""
    routes = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            noauth = line.endswith("(no auth)")
            if noauth:
                line = line[: -len("(no auth)")].strip()
            method, pattern = line.split(None, 1)
            routes[(method, pattern)] = not noauth
    return routes


def served_ops(spec, routes):
    """Described operations the server serves: listed routes, plus HEAD
    where the route table has GET (HEAD falls back to the GET handler)."""
    out = {}
    for key in spec.ops:
        m, p = key
        if key in routes or (m == "HEAD" and ("GET", p) in routes):
            out[key] = spec.ops[key]
    return out


# ------------------------------------------------------------------ routes

def cmd_routes(spec_path, routes_path):
    spec = Spec(spec_path)
    routes = parse_routes(routes_path)
    check("openapi-1.1", len(routes) > 0, "the route table is not empty")

    missing = ["%s %s" % k for k in routes if k not in spec.ops]
    check("openapi-1.2", not missing,
          "every route of `keygate routes` is described (%d routes)" % len(routes),
          "not in openapi.yaml:\n" + "\n".join(missing))

    extra = [
        "%s %s" % k for k in spec.ops
        if k not in routes and not (k[0] == "HEAD" and ("GET", k[1]) in routes)
    ]
    check("openapi-1.3", not extra,
          "every described operation is served (%d operations)" % len(spec.ops),
          "described but not served:\n" + "\n".join(extra))

    wrong = []
    for key, needs_auth in routes.items():
        if key in spec.ops:
            free = spec.security_free(spec.ops[key][1])
            if free == needs_auth:
                wrong.append("%s %s: server %s, description %s" % (
                    key[0], key[1], "needs a token" if needs_auth else "no token",
                    "no token" if free else "needs a token"))
    check("openapi-1.4", not wrong,
          "the token requirement of every route matches its description",
          "\n".join(wrong))

    # Every {param} of a path is declared as a path parameter.
    undeclared = []
    for tpath, item in spec.doc["paths"].items():
        names = PARAM.findall(tpath)
        for m in METHODS:
            if m not in item:
                continue
            params = [spec.deref(p) for p in item.get("parameters", []) +
                      item[m].get("parameters", [])]
            declared = {"{%s}" % p["name"] for p in params if p["in"] == "path"}
            for n in names:
                if n not in declared:
                    undeclared.append("%s %s: %s" % (m.upper(), tpath, n))
    check("openapi-1.5", not undeclared,
          "every path template parameter is declared", "\n".join(undeclared))
    finish()


# ----------------------------------------------------------------- schemas

def walk_examples(spec):
    """Yield (where, schema, example value) for every media type example."""
    for tpath, item in spec.doc["paths"].items():
        for m in METHODS:
            if m not in item:
                continue
            op = item[m]
            bodies = []
            if "requestBody" in op:
                bodies.append(("%s %s request" % (m.upper(), tpath),
                               spec.deref(op["requestBody"])))
            for status, resp in op.get("responses", {}).items():
                bodies.append(("%s %s %s" % (m.upper(), tpath, status),
                               spec.deref(resp)))
            for where, body in bodies:
                for mt, media in body.get("content", {}).items():
                    schema = media.get("schema")
                    if schema is None:
                        continue
                    if "example" in media:
                        yield ("%s (%s)" % (where, mt), schema, media["example"])
                    for name, ex in media.get("examples", {}).items():
                        ex = spec.deref(ex)
                        yield ("%s (%s) example %s" % (where, mt, name), schema,
                               ex.get("value"))


def cmd_schemas(spec_path):
    spec = Spec(spec_path)
    bad = []
    for name, schema in spec.doc["components"]["schemas"].items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            bad.append("%s: %s" % (name, e.message))
    check("openapi-2.1", not bad,
          "every component schema is valid JSON Schema 2020-12", "\n".join(bad))

    n = 0
    bad = []
    for where, schema, value in walk_examples(spec):
        n += 1
        for e in spec.errors(schema, value):
            bad.append("%s: at /%s: %s" % (
                where, "/".join(str(x) for x in e.path), e.message))
    check("openapi-2.2", n > 0 and not bad,
          "every example matches its schema (%d examples)" % n, "\n".join(bad))

    # Keystone's error body on every 4xx/5xx that has a body: the schema
    # rejects anything else, and the example's code is the status.
    bad = []
    n = 0
    for tpath, item in spec.doc["paths"].items():
        for m in METHODS:
            if m not in item:
                continue
            for status, resp in item[m]["responses"].items():
                resp = spec.deref(resp)
                if status[0] not in "45" or "content" not in resp:
                    continue
                where = "%s %s %s" % (m.upper(), tpath, status)
                media = resp["content"].get("application/json")
                if media is None:
                    if status.startswith("4"):
                        bad.append(where + ": no JSON error body")
                    continue
                n += 1
                if not spec.errors(media["schema"], {"message": "x"}):
                    bad.append(where + ": schema accepts a non-error body")
                ex = media.get("example")
                if isinstance(ex, dict) and isinstance(ex.get("error"), str):
                    # RFC 6749's {"error", "error_description"} (OS-OAUTH2).
                    if "error_description" not in ex:
                        bad.append(where + ": OAuth 2.0 error without a description")
                elif ex is None or ex.get("error", {}).get("code") != int(status):
                    bad.append(where + ": example's error.code is not " + status)
    check("openapi-2.3", n > 0 and not bad,
          "every error response carries Keystone's error body (%d responses)" % n,
          "\n".join(bad))
    finish()


# ---------------------------------------------------------------- exercise

class Resp:
    """A response that had the expected status."""

    def __init__(self, status, headers, doc):
        self.status = status
        self.headers = headers
        self.doc = doc if doc is not None else {}

    def __getitem__(self, k):
        return self.doc[k]

    def get(self, *path):
        """doc[path[0]][path[1]]..., or None."""
        v = self.doc
        for k in path:
            if isinstance(v, dict) and k in v:
                v = v[k]
            elif isinstance(v, list) and isinstance(k, int) and k < len(v):
                v = v[k]
            else:
                return None
        return v


class Client:
    """Talk to the server, validate every exchange against the description."""

    def __init__(self, spec, routes, url):
        self.spec = spec
        self.routes = routes
        self.served = served_ops(spec, routes)
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.n = 0
        # (METHOD, pattern) -> set of statuses seen and validated
        self.seen = {}

    def is_served(self, method, pattern):
        return (method, pattern) in self.served

    def match(self, method, path):
        """The served (METHOD, pattern) an URL path belongs to."""
        segs = [s for s in path.split("/") if s]
        best = None
        for (m, pattern) in self.served:
            if m != method:
                continue
            psegs = [s for s in pattern.split("/") if s]
            if len(psegs) != len(segs):
                continue
            if all(p == "{}" or p == s for p, s in zip(psegs, segs)):
                lit = sum(1 for p in psegs if p != "{}")
                if best is None or lit > best[0]:
                    best = (lit, pattern)
        return None if best is None else (method, best[1])

    def raw(self, method, path, token=None, body=None, headers=None, source=None):
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=30,
            source_address=(source, 0) if source else None)
        h = {"Accept": "application/json"}
        if token:
            h["X-Auth-Token"] = token
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if isinstance(data, str):
                data = data.encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        return resp.status, hdrs, payload

    def call(self, method, path, expect, token=None, body=None, headers=None,
             bad_request=False, what="", source=None):
        """One exchange. Skipped (returns None) when the route is not served.
        Returns a Resp when the status was the expected one, else None.

        bad_request: the body is meant to be invalid; the description's
        request schema must reject it too (and accept it otherwise).
        source: local address to connect from (e.g. 127.0.0.2)."""
        base = path.split("?", 1)[0]
        key = self.match(method, urllib.parse.unquote(base))
        if key is None:
            print("skip %s %s: not served" % (method, path))
            return None
        self.n += 1
        tid = "openapi-3.%d" % self.n
        label = "%s %s -> %d%s" % (method, path, expect, (" (%s)" % what) if what else "")
        tpath, op, _ = self.served[key]
        problems = []

        # The request body against the described request schema.
        if body is not None and not isinstance(body, (bytes, str)) and "requestBody" in op:
            rb = self.spec.deref(op["requestBody"])
            schema = rb["content"]["application/json"]["schema"]
            errs = self.spec.errors(schema, body)
            if bad_request and not errs:
                problems.append("the request schema accepts this invalid body")
            if not bad_request and errs:
                problems.append("the request schema rejects this body: " +
                                "; ".join(e.message[:200] for e in errs[:3]))

        try:
            status, hdrs, payload = self.raw(method, path, token, body, headers,
                                             source)
        except (OSError, http.client.HTTPException) as e:
            check(tid, False, label, "request failed: %s" % e)
            return None

        if status != expect:
            problems.append("status %d, expected %d; body: %s" % (
                status, expect, payload[:300].decode("utf-8", "replace")))
        problems += self.validate(key, op, status, hdrs, payload)
        ok = check(tid, not problems, label, "\n".join(problems))
        if ok:
            self.seen.setdefault(key, set()).add(status)
        if status != expect:
            return None
        doc = None
        if payload and hdrs.get("content-type", "").startswith("application/json"):
            try:
                doc = json.loads(payload)
            except ValueError:
                pass
        return Resp(status, hdrs, doc)

    def validate(self, key, op, status, hdrs, payload):
        """Problems of one response against the operation's description."""
        problems = []
        method = key[0]
        responses = op.get("responses", {})
        resp = responses.get(str(status)) or responses.get("%dXX" % (status // 100)) \
            or responses.get("default")
        if resp is None:
            return ["status %d is not documented for %s %s (documented: %s)" % (
                status, key[0], key[1], ", ".join(sorted(responses)))]
        resp = self.spec.deref(resp)

        # Headers every response carries (info.description says so).
        rid = hdrs.get("x-openstack-request-id")
        rid_schema = self.spec.doc["components"]["headers"]["RequestId"]["schema"]
        if rid is None or self.spec.errors(rid_schema, rid):
            problems.append("x-openstack-request-id missing or malformed: %r" % rid)
        if hdrs.get("vary", "").lower() != "x-auth-token":
            problems.append("Vary: %r, expected X-Auth-Token" % hdrs.get("vary"))

        for name, h in resp.get("headers", {}).items():
            h = self.spec.deref(h)
            v = hdrs.get(name.lower())
            if v is None:
                if h.get("required"):
                    problems.append("required header %s missing" % name)
                continue
            for e in self.spec.errors(h.get("schema", {}), v):
                problems.append("header %s: %s" % (name, e.message))

        content = resp.get("content")
        if method == "HEAD" or not content:
            if payload:
                problems.append("a body where none is described: %r" % payload[:200])
            return problems

        ctype = hdrs.get("content-type", "").split(";")[0].strip()
        if ctype not in content:
            return problems + ["content type %r, described: %s" % (
                ctype, ", ".join(content))]
        schema = content[ctype].get("schema", {})
        if ctype == "application/json":
            try:
                inst = json.loads(payload)
            except ValueError as e:
                return problems + ["body is not JSON: %s" % e]
        else:
            inst = payload.decode("utf-8", "replace")
        for e in self.spec.errors(schema, inst)[:10]:
            problems.append("body at /%s: %s" % (
                "/".join(str(x) for x in e.path), e.message))
        return problems

    def coverage(self):
        """Every served operation answered at least one success (unless it
        documents none: Keystone's OS-OAUTH2 token endpoint answers other
        methods 405 only) and, when it documents a 4xx, at least one 4xx;
        all validated."""
        no_ok, no_err = [], []
        for key, (tpath, op, _) in sorted(self.served.items()):
            got = self.seen.get(key, set())
            documents_ok = any(s[0] in "123" for s in op.get("responses", {}))
            if documents_ok and not any(s < 400 for s in got):
                no_ok.append("%s %s" % key)
            documents_4xx = any(s.startswith("4") for s in op.get("responses", {}))
            if documents_4xx and not any(400 <= s < 500 for s in got):
                no_err.append("%s %s" % key)
        check("openapi-4.1", not no_ok,
              "every served operation answered a validated success (%d operations)"
              % len(self.served), "no validated success:\n" + "\n".join(no_ok))
        check("openapi-4.2", not no_err,
              "every served operation answered a validated error",
              "no validated 4xx:\n" + "\n".join(no_err))


# ------------------------------------------------------------ request bodies

def flatten(spec, schema):
    """schema with local $refs followed and allOf merged into one object
    schema (properties merged property by property, required joined)."""
    schema = spec.deref(schema)
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        part = flatten(spec, part)
        for k, v in part.items():
            if k == "properties":
                props = dict(out.get("properties", {}))
                for pk, pv in v.items():
                    if pk in props:
                        merged = flatten(spec, {"allOf": [props[pk], pv]})
                        props[pk] = merged
                    else:
                        props[pk] = pv
                out["properties"] = props
            elif k == "required":
                out["required"] = list(out.get("required", [])) + [
                    r for r in v if r not in out.get("required", [])]
            elif k in ("description", "title", "examples", "example"):
                out.setdefault(k, v)
            elif k in out and out[k] != v:
                out[k] = ("CONFLICT", out[k], v)
            else:
                out[k] = v
    if "properties" in out:
        out["properties"] = {k: flatten(spec, v)
                             for k, v in out["properties"].items()}
    if "items" in out:
        out["items"] = flatten(spec, out["items"])
    if "oneOf" in out:
        out["oneOf"] = [flatten(spec, x) for x in out["oneOf"]]
    return out


def types(s):
    t = s.get("type")
    if t is None:
        return None
    return sorted(t) if isinstance(t, list) else [t]


def compare_body(spec, doc, val, path, diffs):
    """Append to diffs every way doc (the description) and val (the
    validator's dump) disagree, recursively."""
    where = path or "(body)"
    doc = flatten(spec, doc)
    if types(doc) != types(val):
        diffs.append("%s: type %s, validator %s" % (where, types(doc), types(val)))
    val_max = [x for x in (val.get("maxLength"), val.get("x-keygate-column"))
               if x is not None]
    val_max = min(val_max) if val_max else None
    if doc.get("maxLength") != val_max:
        diffs.append("%s: maxLength %s, validator %s" % (
            where, doc.get("maxLength"), val_max))
    for k in ("minLength", "pattern", "minItems", "maxItems", "minProperties",
              "minimum", "maximum"):
        if doc.get(k) != val.get(k) and not (k == "minLength" and
                                             doc.get(k, 0) == val.get(k, 0)):
            diffs.append("%s: %s %s, validator %s" % (where, k, doc.get(k),
                                                      val.get(k)))
    if bool(doc.get("uniqueItems")) != bool(val.get("uniqueItems")):
        diffs.append("%s: uniqueItems %s, validator %s" % (
            where, doc.get("uniqueItems"), val.get("uniqueItems")))
    denum = sorted(map(str, doc["enum"])) if "enum" in doc else None
    venum = sorted(map(str, val["enum"])) if "enum" in val else None
    if denum != venum:
        diffs.append("%s: enum %s, validator %s" % (where, denum, venum))
    if sorted(doc.get("required", [])) != sorted(val.get("required", [])):
        diffs.append("%s: required %s, validator %s" % (
            where, sorted(doc.get("required", [])),
            sorted(val.get("required", []))))
    dclosed = doc.get("additionalProperties") is False
    vclosed = val.get("additionalProperties") is False
    if dclosed != vclosed:
        diffs.append("%s: additionalProperties %s, validator %s" % (
            where, "false" if dclosed else "allowed",
            "false" if vclosed else "allowed"))
    dprops = doc.get("properties", {})
    vprops = val.get("properties", {})
    for k in sorted(set(dprops) | set(vprops)):
        sub = "%s/%s" % (path, k) if path else k
        if k not in vprops:
            diffs.append("%s: described, not validated" % sub)
        elif k not in dprops:
            diffs.append("%s: validated, not described" % sub)
        else:
            compare_body(spec, dprops[k], vprops[k], sub, diffs)
    if ("items" in doc) != ("items" in val):
        diffs.append("%s: items %s, validator %s" % (
            where, "items" in doc, "items" in val))
    elif "items" in val:
        compare_body(spec, doc["items"], val["items"], path + "/[]", diffs)
    doneof, voneof = doc.get("oneOf", []), val.get("oneOf", [])
    if len(doneof) != len(voneof):
        diffs.append("%s: oneOf of %d, validator %d" % (
            where, len(doneof), len(voneof)))
    else:
        for i, (d, v) in enumerate(zip(doneof, voneof)):
            compare_body(spec, d, v, "%s/oneOf[%d]" % (path, i), diffs)


def cmd_bodies(spec_path, schemas_path):
    spec = Spec(spec_path)
    with open(schemas_path) as f:
        schemas = json.load(f)
    check("openapi-3.1", len(schemas) > 15, "the validator has body schemas "
          "(%d routes)" % len(schemas))
    for key in sorted(schemas):
        method, route = key.split(" ", 1)
        op = spec.ops.get((method, route))
        if not check("openapi-3.2 %s" % key, op is not None and
                     "requestBody" in op[1], "%s has a described body" % key):
            continue
        body = spec.deref(op[1]["requestBody"])
        doc = body.get("content", {}).get("application/json", {}).get("schema")
        diffs = []
        if doc is None:
            diffs.append("no application/json schema")
        else:
            compare_body(spec, doc, schemas[key], "", diffs)
        check("openapi-3.3 %s" % key, not diffs,
              "the described body of %s is what the validator checks" % key,
              "\n".join(diffs))
    # and no described JSON body the validator does not know (form bodies,
    # OS-OAUTH2's, are read by their handlers, as in Keystone)
    extra = []
    for (m, p), (tpath, op, item) in spec.ops.items():
        content = spec.deref(op.get("requestBody", {})).get("content", {})
        if "application/json" in content and "%s %s" % (m, p) not in schemas:
            extra.append("%s %s" % (m, tpath))
    check("openapi-3.4", not extra, "every described JSON request body is "
          "validated", "\n".join(extra))
    finish()


def cmd_exercise(spec_path, routes_path, url, password):
    from openapi_scenario import run
    spec = Spec(spec_path)
    routes = parse_routes(routes_path)
    c = Client(spec, routes, url)
    run(c, password)
    c.coverage()
    finish()


def main(argv):
    if len(argv) == 4 and argv[1] == "routes":
        cmd_routes(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "schemas":
        cmd_schemas(argv[2])
    elif len(argv) == 4 and argv[1] == "bodies":
        cmd_bodies(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "exercise":
        cmd_exercise(argv[2], argv[3], argv[4], argv[5])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
