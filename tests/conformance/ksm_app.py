#!/usr/bin/python3
"""ksm_app.py - keystonemiddleware's auth_token in front of a WSGI app,
validating tokens against a real keygate.

    /usr/bin/python3 tests/conformance/ksm_app.py [BUILD_DIR]

Starts BUILD_DIR/keygate (bootstrap + serve) on a free loopback port with
a fresh data directory, creates what a deployment has (a "service"
project, a service user holding the "service" role there, an end user
"alice" with "member" on project "demo", a user "bob" with only "member"),
writes a [keystone_authtoken] section exactly as an OpenStack service
would have it, wraps a small WSGI application in auth_token (the paste
filter_factory a service's api-paste.ini uses) and serves it with wsgiref
on another loopback port. Then it checks what the application sees.

The identity service's public endpoint points at a port nobody listens
on: with interface = internal the middleware must never need it.

An expired token is made by a second keygate on the same data directory
whose clock runs two hours behind (libfaketime), so no test waits for a
token to expire.

Needs Debian's python3-keystonemiddleware (run with /usr/bin/python3) and
libfaketime. Prints "ok/FAIL <id>" lines and last "N passed, N failed".
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

PASSED = 0
FAILED = 0
VERBOSE = bool(os.environ.get("T_VERBOSE"))
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
ADMIN_PASSWORD = "admin-secret"


def T(tid, cond, detail=""):
    """Count one check; print failures with what was seen."""
    global PASSED, FAILED
    if cond:
        PASSED += 1
        if VERBOSE:
            print("ok   %s" % tid)
    else:
        FAILED += 1
        print("FAIL %s%s" % (tid, ("  (" + str(detail)[:400] + ")") if detail else ""))
    sys.stdout.flush()


def report():
    print("%d passed, %d failed" % (PASSED, FAILED))
    sys.stdout.flush()
    return 1 if FAILED else 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "%s %s" % (self.status, self.body[:300])


def http(method, url, headers=None, body=None, timeout=30):
    """One request; never raises for an HTTP status (status 0: no answer)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read().decode())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read().decode())
    except (urllib.error.URLError, OSError) as e:
        return Resp(0, {}, str(e))


class Keygate:
    """One keygate serve process on a loopback port."""

    def __init__(self, build, data_dir, port, extra_env=None):
        self.build = build
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.env = dict(os.environ)
        self.env.update({
            "KEYGATE_SERVER_DATA_DIR": data_dir,
            "KEYGATE_SERVER_LISTEN": "127.0.0.1:%d" % port,
            "KEYGATE_IDENTITY_PASSWORD_HASH_ROUNDS": "4",
            "KEYGATE_SERVER_LOG_LEVEL": "debug" if os.environ.get("IT_LOG") else "warning",
        })
        self.env.update(extra_env or {})
        self.proc = None

    def run(self, *args):
        return subprocess.run([os.path.join(self.build, "keygate")] + list(args),
                              env=self.env, stdout=subprocess.DEVNULL).returncode

    def start(self):
        self.proc = subprocess.Popen([os.path.join(self.build, "keygate"), "serve"],
                                     env=self.env)
        for _ in range(200):		# up to 10 s
            if self.proc.poll() is not None:
                return False
            if http("GET", self.base + "/v3", timeout=2).status == 200:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        """SIGTERM; the exit status (0 = clean), None when it had to be killed."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.proc = None
        return rc


def faketime_preload(binary):
    """LD_PRELOAD for libfaketime; an ASan build needs its runtime first."""
    preload = [FAKETIME_LIB]
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("libasan.") and len(parts) >= 3:
            preload.insert(0, parts[2])
    return " ".join(preload)


def password_auth(base, user, password, project=None):
    """POST /v3/auth/tokens (password, domain Default). (token, body) or (None, resp)."""
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}}}
    if project:
        auth["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
    r = http("POST", base + "/v3/auth/tokens", body={"auth": auth})
    if r.status != 201:
        return None, r
    return r.headers.get("X-Subject-Token"), r.json


class Api:
    """Admin calls against keygate's API."""

    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, body=None, headers=None):
        h = {"X-Auth-Token": self.token}
        h.update(headers or {})
        return http(method, self.base + path, h, body)

    def create(self, collection, member, attrs):
        r = self.call("POST", "/v3/" + collection, {member: attrs})
        if r.status != 201 or not r.json:
            raise RuntimeError("POST /v3/%s: %r" % (collection, r))
        return r.json[member]["id"]

    def role_id(self, name):
        r = self.call("GET", "/v3/roles?name=" + name)
        if r.status != 200 or not r.json or not r.json.get("roles"):
            raise RuntimeError("GET /v3/roles?name=%s: %r" % (name, r))
        return r.json["roles"][0]["id"]

    def grant(self, project_id, user_id, role_id):
        r = self.call("PUT", "/v3/projects/%s/users/%s/roles/%s" % (project_id, user_id, role_id))
        if r.status not in (200, 204):
            raise RuntimeError("grant: %r" % r)


# The service's own application: it shows what auth_token handed it.
SEEN_HEADERS = ("X_IDENTITY_STATUS", "X_USER_ID", "X_USER_NAME", "X_USER_DOMAIN_ID",
                "X_USER_DOMAIN_NAME", "X_PROJECT_ID", "X_PROJECT_NAME",
                "X_PROJECT_DOMAIN_ID", "X_ROLES", "X_SERVICE_CATALOG",
                "X_SERVICE_IDENTITY_STATUS", "X_SERVICE_USER_ID", "X_SERVICE_USER_NAME",
                "X_SERVICE_PROJECT_ID", "X_SERVICE_ROLES")


def service_app(environ, start_response):
    seen = {h: environ.get("HTTP_" + h) for h in SEEN_HEADERS}
    body = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


SERVICE_CONF = """\
[DEFAULT]
debug = {debug}

[keystone_authtoken]
www_authenticate_uri = {public_url}
auth_url = {internal_url}
auth_type = password
username = {svc_user}
password = {svc_password}
project_name = service
user_domain_name = Default
project_domain_name = Default
interface = internal
region_name = RegionOne
service_token_roles = service
service_token_roles_required = true
"""


def wsgi_server(conf_path):
    from keystonemiddleware import auth_token

    # What paste.deploy does for "[filter:authtoken] paste.filter_factory =
    # keystonemiddleware.auth_token:filter_factory" with the service's
    # configuration file.
    app = auth_token.filter_factory({}, oslo_config_project="ksmdemo",
                                    oslo_config_file=conf_path)(service_app)
    srv = make_server("127.0.0.1", free_port(), app, handler_class=QuietHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, "http://127.0.0.1:%d" % srv.server_address[1]


def seen(r):
    return r.json if r.status == 200 and isinstance(r.json, dict) else {}


def roles_of(value):
    return set(x for x in (value or "").split(",") if x)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("KG_BUILD", "build")
    if not os.access(os.path.join(build, "keygate"), os.X_OK):
        T("ksm-0.0 %s/keygate exists" % build, False)
        return report()
    import logging
    logging.basicConfig(level=logging.DEBUG if os.environ.get("IT_LOG") else logging.CRITICAL + 1)

    tmp = tempfile.mkdtemp(prefix="kg-ksm-")
    port, public_port = free_port(), free_port()
    internal_url = "http://127.0.0.1:%d/v3" % port
    public_url = "http://127.0.0.1:%d/v3" % public_port	# nobody listens there
    kg = Keygate(build, os.path.join(tmp, "data"), port)
    old = None
    try:
        rc = kg.run("bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
                    "--bootstrap-region-id", "RegionOne",
                    "--bootstrap-admin-url", internal_url,
                    "--bootstrap-internal-url", internal_url,
                    "--bootstrap-public-url", public_url)
        T("ksm-0.1 keygate bootstrap", rc == 0, "exit %s" % rc)
        T("ksm-0.2 keygate serve answers GET /v3", kg.start())
        admin_token, _ = password_auth(kg.base, "admin", ADMIN_PASSWORD, "admin")
        T("ksm-0.3 admin token", admin_token is not None, _)
        if admin_token is None:
            return report()

        # What a deployment creates for one service and its users.
        api = Api(kg.base, admin_token)
        try:
            service_role, member_role = api.role_id("service"), api.role_id("member")
            svc_project = api.create("projects", "project", {"name": "service",
                                                             "domain_id": "default"})
            demo_project = api.create("projects", "project", {"name": "demo",
                                                              "domain_id": "default"})
            svc_user = api.create("users", "user", {"name": "ksmdemo", "domain_id": "default",
                                                    "password": "svc-secret",
                                                    "default_project_id": svc_project})
            alice = api.create("users", "user", {"name": "alice", "domain_id": "default",
                                                 "password": "alice-secret"})
            bob = api.create("users", "user", {"name": "bob", "domain_id": "default",
                                               "password": "bob-secret"})
            api.grant(svc_project, svc_user, service_role)
            api.grant(demo_project, alice, member_role)
            api.grant(svc_project, bob, member_role)
            T("ksm-0.4 service project, service user and end users created", True)
        except RuntimeError as e:
            T("ksm-0.4 service project, service user and end users created", False, e)
            return report()

        # An expired token for alice, from a keygate whose clock is 2 h behind.
        expired = None
        if os.path.exists(FAKETIME_LIB):
            old = Keygate(build, os.path.join(tmp, "data"), free_port(), {
                "LD_PRELOAD": faketime_preload(os.path.join(build, "keygate")),
                "FAKETIME": "-7200",
                "FAKETIME_DONT_FAKE_MONOTONIC": "1", "KEYGATE_TOKEN_EXPIRATION": "3600"})
            if old.start():
                expired, _ = password_auth(old.base, "alice", "alice-secret", "demo")
            old.stop()
            old = None
        T("ksm-0.5 expired token made (libfaketime)", expired is not None,
          "install libfaketime" if not os.path.exists(FAKETIME_LIB) else "")
        if expired:
            r = api.call("GET", "/v3/auth/tokens", headers={"X-Subject-Token": expired})
            T("ksm-0.6 keygate itself: expired token -> 404", r.status == 404, r)
            r = api.call("GET", "/v3/auth/tokens?allow_expired=1",
                         headers={"X-Subject-Token": expired})
            T("ksm-0.7 keygate itself: expired token with allow_expired=1 -> 200",
              r.status == 200, r)

        conf = os.path.join(tmp, "ksmdemo.conf")
        with open(conf, "w") as f:
            f.write(SERVICE_CONF.format(debug="true" if os.environ.get("IT_LOG") else "false",
                                        public_url=public_url, internal_url=internal_url,
                                        svc_user="ksmdemo", svc_password="svc-secret"))
        srv, app_url = wsgi_server(conf)
        www_auth = 'Keystone uri="%s"' % public_url

        # 1. A valid user token.
        tok, body = password_auth(kg.base, "alice", "alice-secret", "demo")
        r = http("GET", app_url + "/v2.1/servers", {"X-Auth-Token": tok or "none"})
        s = seen(r)
        T("ksm-1.1 valid user token -> the application is called", r.status == 200, r)
        T("ksm-1.2 X-Identity-Status: Confirmed", s.get("X_IDENTITY_STATUS") == "Confirmed", s)
        T("ksm-1.3 X-User-Id is alice's id", s.get("X_USER_ID") == alice, s.get("X_USER_ID"))
        T("ksm-1.4 X-User-Name, X-User-Domain-Id",
          s.get("X_USER_NAME") == "alice" and s.get("X_USER_DOMAIN_ID") == "default", s)
        T("ksm-1.5 X-Project-Id is demo's id", s.get("X_PROJECT_ID") == demo_project,
          s.get("X_PROJECT_ID"))
        T("ksm-1.6 X-Project-Name, X-Project-Domain-Id",
          s.get("X_PROJECT_NAME") == "demo" and s.get("X_PROJECT_DOMAIN_ID") == "default", s)
        roles = roles_of(s.get("X_ROLES"))
        T("ksm-1.7 X-Roles: member and its implied reader, nothing else",
          roles == {"member", "reader"}, s.get("X_ROLES"))
        try:
            catalog = json.loads(s.get("X_SERVICE_CATALOG") or "null")
        except ValueError:
            catalog = None
        ident = [c for c in catalog or [] if c.get("type") == "identity"]
        ep = ident[0]["endpoints"][0] if ident and ident[0].get("endpoints") else {}
        T("ksm-1.8 X-Service-Catalog has the identity service (keystone)",
          len(ident) == 1 and ident[0].get("name") == "keystone", s.get("X_SERVICE_CATALOG"))
        T("ksm-1.9 X-Service-Catalog endpoints: region and the three URLs",
          ep.get("region") == "RegionOne" and ep.get("internalURL") == internal_url and
          ep.get("publicURL") == public_url and ep.get("adminURL") == internal_url, ep)
        T("ksm-1.10 no service token -> no X-Service-Identity-Status",
          s.get("X_SERVICE_IDENTITY_STATUS") is None, s)
        # Headers a client forges are replaced, never passed on.
        r = http("GET", app_url + "/", {"X-Auth-Token": tok or "none",
                                        "X-User-Id": "forged", "X-Roles": "admin"})
        s = seen(r)
        T("ksm-1.11 forged X-User-Id / X-Roles are overwritten",
          s.get("X_USER_ID") == alice and "admin" not in roles_of(s.get("X_ROLES")), s)
        admin_seen = seen(http("GET", app_url + "/", {"X-Auth-Token": admin_token}))
        T("ksm-1.12 admin token: X-Roles has admin and the implied member, reader",
          {"admin", "member", "reader"} <= roles_of(admin_seen.get("X_ROLES")), admin_seen)

        # 2. Tokens the middleware must refuse, with a WWW-Authenticate.
        r = http("GET", app_url + "/", {})
        T("ksm-2.1 no token -> 401", r.status == 401, r)
        T("ksm-2.2 401 has WWW-Authenticate: Keystone uri=<www_authenticate_uri>",
          r.headers.get("WWW-Authenticate") == www_auth, r.headers.get("WWW-Authenticate"))
        r = http("GET", app_url + "/", {"X-Auth-Token": "gAAAAABnotatoken-" + "x" * 150})
        T("ksm-2.3 garbage token -> 401 + WWW-Authenticate",
          r.status == 401 and r.headers.get("WWW-Authenticate") == www_auth, r)
        if tok:
            mangled = tok[:-4] + ("AAAA" if not tok.endswith("AAAA") else "BBBB")
            r = http("GET", app_url + "/", {"X-Auth-Token": mangled})
            T("ksm-2.4 token with a forged signature -> 401", r.status == 401, r)
        revoked, _ = password_auth(kg.base, "alice", "alice-secret", "demo")
        r = api.call("DELETE", "/v3/auth/tokens", headers={"X-Subject-Token": revoked or ""})
        T("ksm-2.5 DELETE /v3/auth/tokens -> 204", r.status == 204, r)
        r = http("GET", app_url + "/", {"X-Auth-Token": revoked or "none"})
        T("ksm-2.6 revoked token -> 401 + WWW-Authenticate",
          r.status == 401 and r.headers.get("WWW-Authenticate") == www_auth, r)
        r = http("GET", app_url + "/", {"X-Auth-Token": expired or "none"})
        T("ksm-2.7 expired token -> 401 + WWW-Authenticate",
          r.status == 401 and r.headers.get("WWW-Authenticate") == www_auth, r)
        unscoped, _ = password_auth(kg.base, "alice", "alice-secret")
        r = http("GET", app_url + "/", {"X-Auth-Token": unscoped or "none"})
        s = seen(r)
        T("ksm-2.8 unscoped token -> accepted without a project (as Keystone)",
          r.status == 200 and s.get("X_USER_ID") == alice and s.get("X_PROJECT_ID") is None, r)
        # A token that stops being valid when its user loses the role.
        gone, _ = password_auth(kg.base, "bob", "bob-secret", "service")
        r = api.call("DELETE", "/v3/projects/%s/users/%s/roles/%s" % (svc_project, bob,
                                                                      member_role))
        r2 = http("GET", app_url + "/", {"X-Auth-Token": gone or "none"})
        T("ksm-2.9 token whose role assignment was removed -> 401",
          r.status == 204 and r2.status == 401, (r, r2))
        api.grant(svc_project, bob, member_role)

        # 3. Service tokens (X-Service-Token), as a service calling another.
        svc_tok, _ = password_auth(kg.base, "ksmdemo", "svc-secret", "service")
        bob_tok, _ = password_auth(kg.base, "bob", "bob-secret", "service")
        r = http("GET", app_url + "/", {"X-Auth-Token": tok or "none",
                                        "X-Service-Token": svc_tok or "none"})
        s = seen(r)
        T("ksm-3.1 user token + service token -> accepted", r.status == 200, r)
        T("ksm-3.2 X-Service-Identity-Status: Confirmed, X-Identity-Status: Confirmed",
          s.get("X_SERVICE_IDENTITY_STATUS") == "Confirmed" and
          s.get("X_IDENTITY_STATUS") == "Confirmed", s)
        T("ksm-3.3 X-Service-User-Id / X-Service-Project-Id / X-Service-Roles",
          s.get("X_SERVICE_USER_ID") == svc_user and s.get("X_SERVICE_PROJECT_ID") == svc_project
          and "service" in roles_of(s.get("X_SERVICE_ROLES")), s)
        T("ksm-3.4 X-User-Id stays the end user's", s.get("X_USER_ID") == alice, s)
        r = http("GET", app_url + "/", {"X-Auth-Token": tok or "none",
                                        "X-Service-Token": "garbage-service-token"})
        T("ksm-3.5 user token + invalid service token -> 401", r.status == 401, r)
        r = http("GET", app_url + "/", {"X-Auth-Token": tok or "none",
                                        "X-Service-Token": bob_tok or "none"})
        T("ksm-3.6 service token without the service role -> 401 "
          "(service_token_roles_required)", r.status == 401, r)
        r = http("GET", app_url + "/", {"X-Auth-Token": expired or "none",
                                        "X-Service-Token": svc_tok or "none"})
        s = seen(r)
        T("ksm-3.7 expired user token + service token -> accepted (allow_expired)",
          r.status == 200 and s.get("X_IDENTITY_STATUS") == "Confirmed", r)
        T("ksm-3.8 ... and the app sees the expired token's user and project",
          s.get("X_USER_ID") == alice and s.get("X_PROJECT_ID") == demo_project, s)
        r = http("GET", app_url + "/", {"X-Auth-Token": expired or "none",
                                        "X-Service-Token": bob_tok or "none"})
        T("ksm-3.9 expired user token + non-service token -> 401", r.status == 401, r)
        r = http("GET", app_url + "/", {"X-Auth-Token": revoked or "none",
                                        "X-Service-Token": svc_tok or "none"})
        T("ksm-3.10 revoked user token + service token -> 401 (allow_expired is no "
          "pardon for revocation)", r.status == 401, r)

        # 5. Application credentials: a short-lived one gives an expired
        # token without faking the clock; access rules, enforced by the
        # middleware of a service that knows its type.
        ta, _ = password_auth(kg.base, "alice", "alice-secret", "demo")
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 4))
        r = http("POST", kg.base + "/v3/users/%s/application_credentials" % alice,
                 {"X-Auth-Token": ta or "none"},
                 {"application_credential": {"name": "short", "expires_at": soon}})
        T("ksm-5.1 alice creates an application credential expiring in 4 s",
          r.status == 201, r)
        ac = (r.json or {}).get("application_credential", {})
        ac_auth = {"auth": {"identity": {"methods": ["application_credential"],
                   "application_credential": {"id": ac.get("id", "x"),
                                              "secret": ac.get("secret", "x")}}}}
        r = http("POST", kg.base + "/v3/auth/tokens", body=ac_auth)
        actok = r.headers.get("X-Subject-Token") if r.status == 201 else None
        T("ksm-5.2 a token from the credential, expiring with it", actok is not None and
          r.json["token"]["expires_at"][:19] <= soon[:19], r)
        r = http("GET", app_url + "/", {"X-Auth-Token": actok or "none"})
        s = seen(r)
        T("ksm-5.3 the credential's token passes the middleware", r.status == 200 and
          s.get("X_USER_ID") == alice and s.get("X_PROJECT_ID") == demo_project and
          roles_of(s.get("X_ROLES")) == {"member", "reader"}, r)
        # Seen by the middleware's cache; it must expire there too. Wait it out
        # (bounded: the credential expires 4 s after it was made).
        deadline = time.time() + 10
        while time.time() < deadline and http("GET", kg.base + "/v3/auth/tokens",
                                              {"X-Auth-Token": admin_token,
                                               "X-Subject-Token": actok or "x"}).status == 200:
            time.sleep(0.5)
        time.sleep(1)
        r = http("GET", app_url + "/", {"X-Auth-Token": actok or "none"})
        T("ksm-5.4 expired credential token -> 401 + WWW-Authenticate",
          r.status == 401 and r.headers.get("WWW-Authenticate") == www_auth, r)
        r = http("GET", app_url + "/", {"X-Auth-Token": actok or "none",
                                        "X-Service-Token": svc_tok or "none"})
        s = seen(r)
        T("ksm-5.5 expired credential token + service token -> accepted "
          "(allow_expired)", r.status == 200 and s.get("X_USER_ID") == alice and
          s.get("X_PROJECT_ID") == demo_project, r)
        r = http("POST", kg.base + "/v3/auth/tokens", body=ac_auth)
        T("ksm-5.6 ... and the expired credential logs in no more -> 401",
          r.status == 401, r)

        # Access rules: a compute service in the catalog, its middleware
        # configured with service_type = compute.
        try:
            nova = api.create("services", "service", {"type": "compute", "name": "nova"})
            api.create("endpoints", "endpoint", {"service_id": nova, "interface": "public",
                                                 "region_id": "RegionOne",
                                                 "url": "http://127.0.0.1:9/compute"})
            ok = True
        except RuntimeError as e:
            ok = False
            T("ksm-5.7 a compute service and endpoint", False, e)
        if ok:
            ta, _ = password_auth(kg.base, "alice", "alice-secret", "demo")
            r = http("POST", kg.base + "/v3/users/%s/application_credentials" % alice,
                     {"X-Auth-Token": ta or "none"},
                     {"application_credential": {"name": "ruled", "access_rules": [
                         {"service": "compute", "method": "GET",
                          "path": "/v2.1/servers/*/ips"},
                         {"service": "compute", "method": "GET", "path": "/v2.1/servers"}]}})
            ac = (r.json or {}).get("application_credential", {})
            T("ksm-5.7 a credential with access rules", r.status == 201 and
              len(ac.get("access_rules", [])) == 2, r)
            r = http("POST", kg.base + "/v3/auth/tokens", body={"auth": {"identity": {
                "methods": ["application_credential"], "application_credential": {
                    "id": ac.get("id", "x"), "secret": ac.get("secret", "x")}}}})
            rtok = r.headers.get("X-Subject-Token") if r.status == 201 else "none"
            nconf = os.path.join(tmp, "nova.conf")
            with open(nconf, "w") as f:
                f.write(SERVICE_CONF.format(debug="false", public_url=public_url,
                                            internal_url=internal_url, svc_user="ksmdemo",
                                            svc_password="svc-secret") +
                        "service_type = compute\n")
            nsrv, nova_url = wsgi_server(nconf)
            r = http("GET", nova_url + "/v2.1/servers", {"X-Auth-Token": rtok})
            T("ksm-5.8 compute: GET /v2.1/servers, which a rule allows -> 200",
              r.status == 200 and seen(r).get("X_USER_ID") == alice, r)
            r = http("GET", nova_url + "/v2.1/servers/abc/ips", {"X-Auth-Token": rtok})
            T("ksm-5.9 compute: GET /v2.1/servers/abc/ips (a '*' rule) -> 200",
              r.status == 200, r)
            r = http("POST", nova_url + "/v2.1/servers", {"X-Auth-Token": rtok}, {})
            T("ksm-5.10 compute: POST /v2.1/servers, which no rule allows -> 401",
              r.status == 401, r)
            r = http("GET", nova_url + "/v2.1/flavors", {"X-Auth-Token": rtok})
            T("ksm-5.11 compute: GET /v2.1/flavors -> 401", r.status == 401, r)
            r = http("GET", app_url + "/v2.1/servers", {"X-Auth-Token": rtok})
            T("ksm-5.12 a service without service_type refuses a ruled token -> 401",
              r.status == 401, r)
            r = http("GET", nova_url + "/v2.1/servers", {"X-Auth-Token": ta or "none"})
            T("ksm-5.13 compute: alice's password token is not restricted -> 200",
              r.status == 200, r)
            nsrv.shutdown()

        # 4. keygate unreachable: a token the middleware has not cached yet.
        fresh, _ = password_auth(kg.base, "alice", "alice-secret", "demo")
        rc = kg.stop()
        T("ksm-4.1 keygate exits 0 on SIGTERM", rc == 0, "exit %s" % rc)
        r = http("GET", app_url + "/", {"X-Auth-Token": fresh or "none"})
        T("ksm-4.2 keygate down -> 503 from the middleware", r.status == 503, r)
        srv.shutdown()
    finally:
        if old is not None:
            old.stop()
        kg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
