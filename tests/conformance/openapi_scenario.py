"""openapi_scenario.py - one representative success and at least one failure
for every route keygate serves, in an order where each step's objects exist.

Used by openapi_check.py exercise: c.call(METHOD, PATH, EXPECTED_STATUS, ...)
sends the request, validates the response against api-docs/openapi.yaml and
returns a Resp (or None when the route is not served yet, or the status was
not the expected one). Object names start with "oa-" to stand out in logs.
"""

import base64
import hashlib
import hmac
import json
import time

NOPE = "f" * 32		# an id that names nothing


def ec2_signed(access, secret, host="ec2.example.com:8773"):
    """The credentials of an EC2 request signed with version 2 (as boto)."""
    params = {"AWSAccessKeyId": access, "Action": "DescribeInstances",
              "SignatureMethod": "HmacSHA256", "SignatureVersion": "2",
              "Timestamp": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
    qs = "&".join("%s=%s" % (k, params[k]) for k in sorted(params))
    sts = "POST\n%s\n/\n%s" % (host, qs)
    sig = base64.b64encode(hmac.new(secret.encode(), sts.encode(),
                                    hashlib.sha256).digest()).decode()
    return {"credentials": {"access": access, "host": host, "verb": "POST",
                            "path": "/", "signature": sig, "params": params}}


def pw_auth(user, password, scope=None, domain="Default", by_id=False):
    u = {"id": user} if by_id else {"name": user, "domain": {"name": domain}}
    u["password"] = password
    a = {"identity": {"methods": ["password"], "password": {"user": u}}}
    if scope is not None:
        a["scope"] = scope
    return {"auth": a}


def token_auth(token, scope=None):
    a = {"identity": {"methods": ["token"], "token": {"id": token}}}
    if scope is not None:
        a["scope"] = scope
    return {"auth": a}


def totp_code(b32, delta=0):
    """RFC 6238 (SHA-1, 6 digits, 30 s) for the step delta steps from now."""
    key = base64.b32decode(b32)
    msg = (int(time.time()) // 30 + delta).to_bytes(8, "big")
    mac = hmac.new(key, msg, hashlib.sha1).digest()
    off = mac[-1] & 0x0f
    return "%06d" % ((int.from_bytes(mac[off:off + 4], "big") & 0x7fffffff)
                     % 1000000)


def totp_auth(user, passcode):
    return {"auth": {"identity": {"methods": ["totp"], "totp": {
        "user": {"id": user, "passcode": passcode}}}}}


def project_scope(name, domain="Default"):
    return {"project": {"name": name, "domain": {"name": domain}}}


def subj(token):
    return {"X-Subject-Token": token or "none"}


def tok(r):
    return r.headers.get("x-subject-token") if r is not None else None


def idof(r, *path):
    v = r.get(*path) if r is not None else None
    return v if v else NOPE


def run(c, pw):
    call = c.call

    # ---- version discovery (no failure mode)
    call("GET", "/", 300)
    call("GET", "/v3", 200)

    # ---- tokens
    r = call("POST", "/v3/auth/tokens", 201,
             body=pw_auth("admin", pw, project_scope("admin")),
             what="password, project scope by name")
    admin = tok(r)
    admin_id = idof(r, "token", "user", "id")
    admin_project = idof(r, "token", "project", "id")
    r = call("POST", "/v3/auth/tokens", 201, body=pw_auth(admin_id, pw, by_id=True),
             what="password by user id, unscoped")
    unscoped = tok(r)
    r = call("POST", "/v3/auth/tokens", 201,
             body=token_auth(admin, {"system": {"all": True}}),
             what="token method, system scope")
    system = tok(r)
    call("POST", "/v3/auth/tokens?nocatalog", 201,
         body=pw_auth("admin", pw, {"project": {"id": admin_project}}),
         what="project scope by id, nocatalog")
    call("POST", "/v3/auth/tokens", 401,
         body=pw_auth("admin", "wrong-" + pw, project_scope("admin")),
         what="wrong password")
    call("POST", "/v3/auth/tokens", 401,
         body=pw_auth("admin", pw, {"project": {"id": NOPE}}),
         what="unknown project")
    call("POST", "/v3/auth/tokens", 400, body={"auth": {"scope": "unscoped"}},
         bad_request=True, what="no identity")
    call("POST", "/v3/auth/tokens", 400, body=b'{"auth": ', what="malformed JSON")
    call("POST", "/v3/auth/tokens", 401,
         body=pw_auth("admin", pw, {"OS-TRUST:trust": {"id": NOPE}}),
         what="unknown trust")
    call("POST", "/v3/auth/tokens", 413, body=b'{"auth": "' + b"x" * 200000 + b'"}',
         what="oversized body")

    call("GET", "/v3/auth/tokens", 200, admin, headers=subj(unscoped))
    call("GET", "/v3/auth/tokens?nocatalog", 200, admin, headers=subj(admin))
    call("GET", "/v3/auth/tokens", 200, admin, headers=subj(system), what="system token")
    call("GET", "/v3/auth/tokens", 404, admin, headers=subj("not-a-token"))
    call("GET", "/v3/auth/tokens", 401, None, headers=subj(admin), what="no X-Auth-Token")
    call("HEAD", "/v3/auth/tokens", 200, admin, headers=subj(unscoped))
    call("HEAD", "/v3/auth/tokens", 404, admin, headers=subj("not-a-token"))
    call("HEAD", "/v3/auth/tokens", 401, "not-a-token", headers=subj(admin))
    r = call("POST", "/v3/auth/tokens", 201, body=token_auth(admin), what="throwaway")
    throwaway = tok(r)
    call("DELETE", "/v3/auth/tokens", 204, admin, headers=subj(throwaway))
    call("GET", "/v3/auth/tokens", 404, admin, headers=subj(throwaway), what="revoked")
    call("DELETE", "/v3/auth/tokens", 404, admin, headers=subj(throwaway), what="again")

    # ---- what a token can reach
    call("GET", "/v3/auth/catalog", 200, admin)
    call("GET", "/v3/auth/catalog", 403, unscoped, what="unscoped token")
    call("GET", "/v3/auth/catalog", 401, None)
    for what in ("projects", "domains", "system"):
        call("GET", "/v3/auth/" + what, 200, admin)
        call("GET", "/v3/auth/" + what, 401, None)

    # ---- domains
    call("GET", "/v3/domains", 200, admin)
    call("GET", "/v3/domains?name=Default&enabled=true", 200, admin)
    call("GET", "/v3/domains?limit=1", 200, admin)
    call("GET", "/v3/domains?marker=" + NOPE, 404, admin, what="unknown marker")
    call("GET", "/v3/domains", 401, None)
    r = call("POST", "/v3/domains", 201, admin,
             body={"domain": {"name": "oa-dom", "description": "openapi check"}})
    dom = idof(r, "domain", "id")
    call("POST", "/v3/domains", 409, admin, body={"domain": {"name": "oa-dom"}})
    call("POST", "/v3/domains", 400, admin, body={"domain": {"description": "x"}},
         bad_request=True, what="no name")
    call("GET", "/v3/domains/" + dom, 200, admin)
    call("GET", "/v3/domains/default", 200, admin)
    call("GET", "/v3/domains/" + NOPE, 404, admin)
    call("PATCH", "/v3/domains/" + dom, 200, admin,
         body={"domain": {"description": "changed"}})
    call("PATCH", "/v3/domains/" + dom, 400, admin,
         body={"domain": {"enabled": "maybe"}}, bad_request=True, what="not a boolean")
    call("PATCH", "/v3/domains/" + NOPE, 404, admin, body={"domain": {"enabled": False}})
    call("DELETE", "/v3/domains/" + dom, 403, admin, what="still enabled")
    call("DELETE", "/v3/domains/" + NOPE, 404, admin)

    # ---- projects and tags
    r = call("POST", "/v3/projects", 201, admin,
             body={"project": {"name": "oa-proj", "description": "openapi check",
                               "domain_id": "default", "tags": ["a"]}})
    proj = idof(r, "project", "id")
    call("POST", "/v3/projects", 409, admin, body={"project": {"name": "oa-proj"}})
    call("POST", "/v3/projects", 400, admin, body={"project": {"name": 5}},
         bad_request=True, what="wrong type")
    call("POST", "/v3/projects", 413, admin,
         body=b'{"project": {"name": "oa-big", "description": "' + b"x" * 200000
         + b'"}}', what="oversized body")
    call("GET", "/v3/projects", 200, admin)
    call("GET", "/v3/projects?domain_id=default&name=oa-proj", 200, admin)
    call("GET", "/v3/projects", 401, None)
    call("GET", "/v3/projects?enabled=maybe", 400, admin, what="not a boolean")
    call("POST", "/v3/projects", 400, admin,
         body={"project": {"name": "oa-p", "domain_id": NOPE}}, what="unknown domain")
    call("GET", "/v3/projects/" + proj, 200, admin)
    call("GET", "/v3/projects/" + NOPE, 404, admin)
    call("PATCH", "/v3/projects/" + proj, 200, admin,
         body={"project": {"description": "changed", "enabled": True}})
    call("PATCH", "/v3/projects/" + NOPE, 404, admin,
         body={"project": {"description": "x"}})
    call("GET", "/v3/projects/%s/tags" % proj, 200, admin)
    call("GET", "/v3/projects/%s/tags" % NOPE, 404, admin)
    call("PUT", "/v3/projects/%s/tags" % proj, 200, admin, body={"tags": ["x", "y"]})
    call("PUT", "/v3/projects/%s/tags" % proj, 400, admin, body={"tags": ["a/b"]},
         bad_request=True, what="tag with /")
    call("PUT", "/v3/projects/%s/tags/z" % proj, 201, admin)
    call("PUT", "/v3/projects/%s/tags/z" % NOPE, 404, admin)
    call("GET", "/v3/projects/%s/tags/z" % proj, 204, admin)
    call("GET", "/v3/projects/%s/tags/nope" % proj, 404, admin)
    call("DELETE", "/v3/projects/%s/tags/z" % proj, 204, admin)
    call("DELETE", "/v3/projects/%s/tags/z" % proj, 404, admin, what="again")
    call("DELETE", "/v3/projects/%s/tags" % proj, 204, admin)
    call("DELETE", "/v3/projects/%s/tags" % NOPE, 404, admin)

    # pages, the hierarchy, cascade, projects acting as domains, immutability
    r = call("GET", "/v3/projects?limit=1", 200, admin, what="a page of one")
    call("GET", "/v3/projects?limit=1&marker=" + idof(r, "projects", 0, "id"), 200,
         admin, what="the next page")
    call("GET", "/v3/projects?marker=" + NOPE, 404, admin, what="unknown marker")
    call("GET", "/v3/projects?limit=zero", 400, admin, what="limit not a number")
    r = call("POST", "/v3/projects", 201, admin,
             body={"project": {"name": "oa-child", "parent_id": proj}})
    child = idof(r, "project", "id")
    call("GET", "/v3/projects/%s?parents_as_ids&subtree_as_ids" % proj, 200, admin)
    call("GET", "/v3/projects/%s?parents_as_list&subtree_as_list" % child, 200, admin)
    call("GET", "/v3/projects/%s?parents_as_list&parents_as_ids" % child, 400, admin,
         what="both parents forms")
    call("DELETE", "/v3/projects/%s?cascade=sometimes" % child, 400, admin,
         what="cascade not a boolean")
    call("PATCH", "/v3/projects/" + child, 200, admin,
         body={"project": {"enabled": False, "options": {"immutable": True}}})
    call("DELETE", "/v3/projects/%s" % child, 403, admin, what="immutable")
    call("PATCH", "/v3/projects/" + child, 200, admin,
         body={"project": {"options": {"immutable": False}}})
    call("DELETE", "/v3/projects/%s" % proj, 403, admin, what="not a leaf")
    r = call("POST", "/v3/projects", 201, admin,
             body={"project": {"name": "oa-cascade", "enabled": True}})
    top = idof(r, "project", "id")
    call("DELETE", "/v3/projects/%s?cascade" % top, 204, admin, what="cascade, a leaf")
    r = call("POST", "/v3/projects", 201, admin,
             body={"project": {"name": "oa-isdom", "is_domain": True, "tags": ["d"]}},
             what="a project acting as a domain")
    isdom = idof(r, "project", "id")
    call("GET", "/v3/projects?is_domain=true&limit=1", 200, admin)
    call("GET", "/v3/projects/" + isdom, 200, admin)
    call("PATCH", "/v3/projects/" + isdom, 200, admin,
         body={"project": {"enabled": False}})
    call("PATCH", "/v3/projects/" + isdom, 403, admin,
         body={"project": {"parent_id": proj}}, what="a domain's parent")
    call("DELETE", "/v3/projects/" + isdom, 204, admin, what="deletes the domain")

    # ---- users
    r = call("POST", "/v3/users", 201, admin,
             body={"user": {"name": "oa-alice", "password": "alice-pw",
                            "email": "alice@example.org", "default_project_id": proj}})
    alice = idof(r, "user", "id")
    call("POST", "/v3/users", 409, admin,
         body={"user": {"name": "oa-alice", "password": "x"}})
    call("POST", "/v3/users", 400, admin, body={"user": {"name": "oa-x", "enabled": 1}},
         bad_request=True, what="not a boolean")
    r = call("POST", "/v3/auth/tokens", 201,
             body=pw_auth("oa-alice", "alice-pw", "unscoped"),
             what="a user without roles, explicitly unscoped")
    alice_tok = tok(r)
    call("GET", "/v3/users", 200, admin)
    call("GET", "/v3/users?name__icontains=ADM&name__endswith=n", 200, admin,
         what="name filters")
    call("GET", "/v3/users?name=oa-alice&domain_id=default", 200, admin)
    call("GET", "/v3/users?limit=1", 200, admin)
    call("GET", "/v3/users?marker=" + NOPE, 404, admin, what="unknown marker")
    call("GET", "/v3/users", 403, alice_tok, what="no role")
    call("GET", "/v3/users?password_expires_at=lt:garbage", 400, admin, what="bad time")
    call("POST", "/v3/users", 404, admin, body={"user": {"name": "oa-u", "domain_id": NOPE}},
         what="unknown domain")
    call("GET", "/v3/users/" + alice, 200, admin)
    call("GET", "/v3/users/" + alice, 200, alice_tok, what="oneself")
    call("GET", "/v3/users/" + NOPE, 404, admin)
    call("PATCH", "/v3/users/" + alice, 200, admin,
         body={"user": {"email": "a2@example.org"}})
    call("PATCH", "/v3/users/" + NOPE, 404, admin, body={"user": {"enabled": True}})
    call("POST", "/v3/users/%s/password" % alice, 401, alice_tok,
         body={"user": {"original_password": "wrong", "password": "alice-pw2"}},
         what="wrong original password")
    call("POST", "/v3/users/%s/password" % alice, 400, alice_tok,
         body={"user": {"password": "alice-pw2"}}, bad_request=True,
         what="no original password")
    call("POST", "/v3/users/%s/password" % alice, 204, alice_tok,
         body={"user": {"original_password": "alice-pw", "password": "alice-pw2"}})
    call("GET", "/v3/users/%s/projects" % alice, 200, admin)
    call("GET", "/v3/users/%s/projects" % NOPE, 404, admin)
    call("GET", "/v3/users/%s/groups" % alice, 200, admin)
    call("GET", "/v3/users/%s/groups" % NOPE, 404, admin)
    r = call("POST", "/v3/auth/tokens", 201,
             body=pw_auth("oa-alice", "alice-pw2"), what="after password change")
    alice_tok = tok(r)
    # security compliance: user options
    r = call("POST", "/v3/users", 201, admin,
             body={"user": {"name": "oa-bob", "password": "bob-pw",
                            "options": {"lock_password": True}}}, what="with options")
    bob = idof(r, "user", "id")
    call("PATCH", "/v3/users/" + bob, 400, admin,
         body={"user": {"options": {"no_such_option": True}}}, bad_request=True,
         what="unknown option")
    call("POST", "/v3/users/%s/password" % bob, 400, None,
         body={"user": {"original_password": "bob-pw", "password": "bob-pw2"}},
         what="lock_password")

    # ---- groups and membership
    r = call("POST", "/v3/groups", 201, admin,
             body={"group": {"name": "oa-group", "description": "openapi check"}})
    grp = idof(r, "group", "id")
    call("POST", "/v3/groups", 409, admin, body={"group": {"name": "oa-group"}})
    call("POST", "/v3/groups", 400, admin, body={"group": {"description": "x"}},
         bad_request=True, what="no name")
    call("GET", "/v3/groups", 200, admin)
    call("GET", "/v3/groups", 403, alice_tok)
    call("GET", "/v3/groups?limit=1", 200, admin)
    call("GET", "/v3/groups?marker=" + NOPE, 404, admin, what="unknown marker")
    call("POST", "/v3/groups", 404, admin,
         body={"group": {"name": "oa-g", "domain_id": NOPE}}, what="unknown domain")
    call("GET", "/v3/groups/" + grp, 200, admin)
    call("GET", "/v3/groups/" + NOPE, 404, admin)
    call("PATCH", "/v3/groups/" + grp, 200, admin, body={"group": {"description": "c"}})
    call("PATCH", "/v3/groups/" + NOPE, 404, admin, body={"group": {"description": "c"}})
    call("PUT", "/v3/groups/%s/users/%s" % (grp, alice), 204, admin)
    call("PUT", "/v3/groups/%s/users/%s" % (grp, NOPE), 404, admin)
    call("HEAD", "/v3/groups/%s/users/%s" % (grp, alice), 204, admin)
    call("HEAD", "/v3/groups/%s/users/%s" % (grp, admin_id), 404, admin, what="not a member")
    call("GET", "/v3/groups/%s/users/%s" % (grp, alice), 204, admin)
    call("GET", "/v3/groups/%s/users/%s" % (grp, admin_id), 404, admin, what="not a member")
    call("GET", "/v3/groups/%s/users" % grp, 200, admin)
    call("GET", "/v3/groups/%s/users" % NOPE, 404, admin)

    # ---- roles and implied roles
    r = call("POST", "/v3/roles", 201, admin, body={"role": {"name": "oa-role"}})
    role = idof(r, "role", "id")
    r = call("POST", "/v3/roles", 201, admin,
             body={"role": {"name": "oa-role2", "description": "implied"}})
    role2 = idof(r, "role", "id")
    call("POST", "/v3/roles", 409, admin, body={"role": {"name": "oa-role"}})
    call("POST", "/v3/roles", 400, admin, body={"role": {}}, bad_request=True,
         what="no name")
    call("POST", "/v3/roles", 404, admin, body={"role": {"name": "oa-r", "domain_id": NOPE}},
         what="unknown domain")
    call("GET", "/v3/roles", 200, admin)
    call("GET", "/v3/roles?name=admin", 200, admin)
    call("GET", "/v3/roles?limit=2", 200, admin)
    call("GET", "/v3/roles?limit=0", 400, admin, what="limit below 1")
    call("GET", "/v3/roles?marker=" + NOPE, 404, admin, what="unknown marker")
    r = call("GET", "/v3/roles?name=admin", 200, admin)
    call("DELETE", "/v3/roles/" + idof(r, "roles", 0, "id"), 403, admin,
         what="the bootstrap's roles are immutable")
    call("GET", "/v3/roles", 401, None)
    call("GET", "/v3/roles/" + role, 200, admin)
    call("GET", "/v3/roles/" + NOPE, 404, admin)
    call("PATCH", "/v3/roles/" + role, 200, admin, body={"role": {"description": "c"}})
    call("PATCH", "/v3/roles/" + NOPE, 404, admin, body={"role": {"description": "c"}})
    call("PUT", "/v3/roles/%s/implies/%s" % (role, role2), 201, admin)
    call("PUT", "/v3/roles/%s/implies/%s" % (role, NOPE), 404, admin)
    r = call("GET", "/v3/roles?name=admin", 200, admin)
    call("PUT", "/v3/roles/%s/implies/%s" % (role, idof(r, "roles", 0, "id")), 403, admin,
         what="admin cannot be implied")
    call("GET", "/v3/roles/%s/implies" % role, 200, admin)
    call("GET", "/v3/roles/%s/implies" % NOPE, 404, admin)
    call("GET", "/v3/roles/%s/implies/%s" % (role, role2), 200, admin)
    call("GET", "/v3/roles/%s/implies/%s" % (role2, role), 404, admin)
    call("HEAD", "/v3/roles/%s/implies/%s" % (role, role2), 204, admin)
    call("HEAD", "/v3/roles/%s/implies/%s" % (role2, role), 404, admin)
    call("GET", "/v3/role_inferences", 200, admin)
    call("GET", "/v3/role_inferences", 401, None)

    # ---- grants: {project, domain, system} x {user, group}
    targets = [("/v3/projects/" + proj, "/v3/projects/" + NOPE),
               ("/v3/domains/default", "/v3/domains/" + NOPE),
               ("/v3/system", None)]
    for tgt, bad_tgt in targets:
        for actor in ("/users/" + alice, "/groups/" + grp):
            base = tgt + actor + "/roles"
            call("PUT", base + "/" + role, 204, admin)
            call("PUT", base + "/" + NOPE, 404, admin, what="unknown role")
            call("GET", base, 200, admin)
            if bad_tgt is not None:
                call("GET", bad_tgt + actor + "/roles", 404, admin, what="unknown target")
            else:
                call("GET", tgt + actor.rsplit("/", 1)[0] + "/" + NOPE + "/roles", 404,
                     admin, what="unknown actor")
            call("GET", base + "/" + role, 204, admin)
            call("GET", base + "/" + role2, 404, admin, what="not granted")
            call("HEAD", base + "/" + role, 204, admin)
            call("HEAD", base + "/" + role2, 404, admin, what="not granted")
            call("DELETE", base + "/" + role, 204, admin)
            call("DELETE", base + "/" + role, 404, admin, what="again")
    # inherited grants: on a domain (for its projects), on a project (for
    # its subtree)
    for tgt, bad_tgt in targets[:2]:
        for actor in ("/users/" + alice, "/groups/" + grp):
            base = "/v3/OS-INHERIT" + tgt[3:] + actor + "/roles"
            call("PUT", "%s/%s/inherited_to_projects" % (base, role), 204, admin)
            call("PUT", "%s/%s/inherited_to_projects" % (base, NOPE), 404, admin,
                 what="unknown role")
            if tgt.startswith("/v3/domains/"):
                call("GET", base + "/inherited_to_projects", 200, admin)
                call("GET", "/v3/OS-INHERIT%s%s/roles/inherited_to_projects" % (
                     bad_tgt[3:], actor), 404, admin, what="unknown domain")
            call("GET", "%s/%s/inherited_to_projects" % (base, role), 204, admin)
            call("GET", "%s/%s/inherited_to_projects" % (base, role2), 404, admin,
                 what="not granted")
            call("HEAD", "%s/%s/inherited_to_projects" % (base, role), 204, admin)
            call("HEAD", "%s/%s/inherited_to_projects" % (base, role2), 404, admin,
                 what="not granted")
    call("GET", "/v3/role_assignments?scope.OS-INHERIT:inherited_to=projects", 200, admin)
    for tgt, bad_tgt in targets[:2]:
        for actor in ("/users/" + alice, "/groups/" + grp):
            url = "/v3/OS-INHERIT%s%s/roles/%s/inherited_to_projects" % (tgt[3:], actor, role)
            call("DELETE", url, 204, admin)
            call("DELETE", url, 404, admin, what="again")

    call("PUT", "/v3/projects/%s/users/%s/roles/%s" % (proj, alice, role), 204, admin)
    call("PUT", "/v3/domains/default/groups/%s/roles/%s" % (grp, role2), 204, admin)

    call("GET", "/v3/role_assignments", 200, admin)
    call("GET", "/v3/role_assignments?effective&include_names=true", 200, admin)
    call("GET", "/v3/role_assignments?user.id=%s&effective" % alice, 200, admin)
    call("GET", "/v3/role_assignments?scope.system=all", 200, admin)
    call("GET", "/v3/role_assignments?scope.project.id=%s&include_names=true" % proj,
         200, admin)
    call("GET", "/v3/role_assignments?group.id=%s&scope.domain.id=default" % grp,
         200, admin)
    call("GET", "/v3/role_assignments?include_subtree=true&scope.project.id=" + proj,
         200, admin)
    call("GET", "/v3/role_assignments?include_subtree=true", 400, admin,
         what="subtree without project")
    call("GET", "/v3/role_assignments", 401, None)

    # Removing alice's grants revoked her tokens: new ones, one scoped to
    # the project where she now has oa-role (which no policy rule names).
    r = call("POST", "/v3/auth/tokens", 201,
             body=pw_auth("oa-alice", "alice-pw2", project_scope("oa-proj")),
             what="alice, project scope via the new grant")
    alice_proj = tok(r)
    call("GET", "/v3/role_assignments", 403, alice_proj)
    call("GET", "/v3/auth/tokens", 200, alice_proj, headers=subj(alice_proj),
         what="validate one's own token")
    call("GET", "/v3/auth/tokens", 403, alice_proj, headers=subj(admin),
         what="another user's token")
    call("GET", "/v3/auth/projects", 200, alice_proj)
    call("DELETE", "/v3/auth/tokens", 403, alice_proj, headers=subj(admin),
         what="another user's token")

    # ---- catalog
    r = call("POST", "/v3/regions", 201, admin, body={"region": {"description": "oa"}})
    reg = idof(r, "region", "id")
    call("POST", "/v3/regions", 201, admin,
         body={"region": {"id": "oa-region", "parent_region_id": "RegionOne"}})
    call("POST", "/v3/regions", 409, admin, body={"region": {"id": "oa-region"}})
    call("POST", "/v3/regions", 400, admin, body={"region": {"description": 5}},
         bad_request=True, what="wrong type")
    call("POST", "/v3/regions", 404, admin, body={"region": {"parent_region_id": NOPE}},
         what="unknown parent")
    call("PUT", "/v3/regions/oa-put", 201, admin, body={"region": {"description": "p"}})
    call("PUT", "/v3/regions/oa-put", 409, admin, body={"region": {}})
    call("PUT", "/v3/regions/oa-put2", 400, admin, body={"region": {"id": "other"}},
         what="conflicting ids")
    call("GET", "/v3/regions", 200, admin)
    call("GET", "/v3/regions?parent_region_id=RegionOne", 200, admin)
    call("GET", "/v3/regions?limit=1", 200, admin)
    call("GET", "/v3/regions?marker=" + NOPE, 404, admin, what="unknown marker")
    call("GET", "/v3/regions", 200, alice_proj, what="any token may list regions")
    call("GET", "/v3/regions", 401, None)
    call("GET", "/v3/regions/" + reg, 200, admin)
    call("GET", "/v3/regions/" + NOPE, 404, admin)
    call("PATCH", "/v3/regions/" + reg, 200, admin, body={"region": {"description": "c"}})
    call("PATCH", "/v3/regions/" + NOPE, 404, admin, body={"region": {"description": "c"}})

    r = call("POST", "/v3/services", 201, admin,
             body={"service": {"type": "oa-type", "name": "oa-svc",
                               "description": "openapi check"}})
    svc = idof(r, "service", "id")
    call("POST", "/v3/services", 400, admin, body={"service": {"name": "x"}},
         bad_request=True, what="no type")
    call("GET", "/v3/services", 200, admin)
    call("GET", "/v3/services?type=identity", 200, admin)
    call("GET", "/v3/services?limit=1", 200, admin)
    call("GET", "/v3/services?marker=" + NOPE, 404, admin, what="unknown marker")
    call("GET", "/v3/services", 401, None)
    call("GET", "/v3/services/" + svc, 200, admin)
    call("GET", "/v3/services/" + NOPE, 404, admin)
    call("PATCH", "/v3/services/" + svc, 200, admin, body={"service": {"enabled": False}})
    call("PATCH", "/v3/services/" + NOPE, 404, admin, body={"service": {"enabled": True}})

    r = call("POST", "/v3/endpoints", 201, admin,
             body={"endpoint": {"service_id": svc, "interface": "public",
                                "url": "http://127.0.0.1:9/oa", "region_id": reg}})
    ep = idof(r, "endpoint", "id")
    call("POST", "/v3/endpoints", 400, admin,
         body={"endpoint": {"service_id": svc, "interface": "sideways",
                            "url": "http://127.0.0.1:9/"}},
         bad_request=True, what="bad interface")
    call("GET", "/v3/endpoints", 200, admin)
    call("GET", "/v3/endpoints?interface=public&service_id=" + svc, 200, admin)
    call("GET", "/v3/endpoints?limit=1", 200, admin)
    call("GET", "/v3/endpoints?marker=" + NOPE, 404, admin, what="unknown marker")
    call("GET", "/v3/endpoints?interface=sideways", 400, admin, what="bad filter")
    call("GET", "/v3/endpoints/" + ep, 200, admin)
    call("GET", "/v3/endpoints/" + NOPE, 404, admin)
    call("PATCH", "/v3/endpoints/" + ep, 200, admin,
         body={"endpoint": {"url": "http://127.0.0.1:9/oa2"}})
    call("PATCH", "/v3/endpoints/" + NOPE, 404, admin,
         body={"endpoint": {"url": "http://127.0.0.1:9/"}})
    call("DELETE", "/v3/endpoints/" + ep, 204, admin)
    call("DELETE", "/v3/endpoints/" + ep, 404, admin, what="again")
    call("DELETE", "/v3/services/" + svc, 204, admin)
    call("DELETE", "/v3/services/" + svc, 404, admin, what="again")
    call("DELETE", "/v3/regions/" + reg, 204, admin)
    call("DELETE", "/v3/regions/" + reg, 404, admin, what="again")
    call("DELETE", "/v3/regions/RegionOne", 403, admin, what="has children and endpoints")

    # ---- application credentials and access rules (the admin's own)
    acs = "/v3/users/%s/application_credentials" % admin_id
    r = call("POST", acs, 201, admin,
             body={"application_credential": {
                 "name": "oa-ac", "description": "openapi check",
                 "expires_at": "2099-01-01T00:00:00Z", "roles": [{"name": "reader"}],
                 "access_rules": [{"service": "identity", "method": "GET",
                                   "path": "/v3/auth/projects"}]}})
    ac = idof(r, "application_credential", "id")
    ac_secret = r.get("application_credential", "secret") if r else "x"
    rule = r.get("application_credential", "access_rules")[0]["id"] if r else NOPE
    r = call("POST", acs, 201, admin,
             body={"application_credential": {"name": "oa-ac2", "unrestricted": True}},
             what="secret generated, the token's roles")
    ac2 = idof(r, "application_credential", "id")
    ac2_secret = r.get("application_credential", "secret") if r else "x"
    call("POST", acs, 409, admin, body={"application_credential": {"name": "oa-ac"}})
    call("POST", acs, 400, admin, body={"application_credential": {"name": 5}},
         bad_request=True, what="name not a string")
    call("POST", acs, 401, None, body={"application_credential": {"name": "x"}})
    call("POST", acs, 403, unscoped, body={"application_credential": {"name": "x"}},
         what="unscoped token")
    call("POST", acs, 404, admin,
         body={"application_credential": {"name": "x", "roles": [{"name": "oa-none"}]}},
         what="unknown role name")
    call("GET", acs, 200, admin)
    call("GET", acs + "?name=oa-ac", 200, admin)
    call("GET", acs, 401, None)
    call("GET", acs + "/" + ac, 200, admin)
    call("GET", acs + "/" + NOPE, 404, admin)
    call("GET", acs + "/" + ac, 401, None)
    ars = "/v3/users/%s/access_rules" % admin_id
    call("GET", ars, 200, system)
    call("GET", ars + "?service=identity", 200, system)
    call("GET", ars, 403, alice_proj, what="another user's")
    call("GET", ars + "/" + rule, 200, system)
    call("GET", ars + "/" + NOPE, 404, system)
    call("DELETE", ars + "/" + rule, 403, system, what="in use")

    def ac_auth(ident):
        return {"auth": {"identity": {"methods": ["application_credential"],
                                      "application_credential": ident}}}
    r = call("POST", "/v3/auth/tokens", 201,
             body=ac_auth({"id": ac2, "secret": ac2_secret}),
             what="application credential by id")
    ac_tok = tok(r)
    call("POST", "/v3/auth/tokens", 201,
         body=ac_auth({"name": "oa-ac2", "user": {"id": admin_id}, "secret": ac2_secret}),
         what="application credential by name")
    call("POST", "/v3/auth/tokens", 401, body=ac_auth({"id": ac2, "secret": "wrong"}),
         what="application credential, wrong secret")
    call("POST", "/v3/auth/tokens", 404, body=ac_auth({"id": NOPE, "secret": "x"}),
         what="unknown application credential")
    call("GET", "/v3/auth/tokens", 200, admin, headers=subj(ac_tok),
         what="application credential's token")
    r = call("POST", "/v3/auth/tokens", 201, body=ac_auth({"id": ac, "secret": ac_secret}),
             what="credential with access rules")
    ruled = tok(r)
    call("GET", "/v3/auth/tokens", 404, admin, headers=subj(ruled),
         what="access rules, no OpenStack-Identity-Access-Rules")
    h = subj(ruled)
    h["OpenStack-Identity-Access-Rules"] = "1.0"
    call("GET", "/v3/auth/tokens", 200, admin, headers=h, what="access rules understood")

    # ---- OAuth 2.0
    import base64
    basic = {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (ac2, ac2_secret)).encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded"}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = call("POST", "/v3/OS-OAUTH2/token", 200, body="grant_type=client_credentials",
             headers=basic)
    oa_tok = r.get("access_token") if r else "x"
    call("POST", "/v3/OS-OAUTH2/token", 401, body="grant_type=client_credentials",
         headers=form, what="no client")
    call("POST", "/v3/OS-OAUTH2/token", 400, body="grant_type=password", headers=basic,
         what="unsupported grant")
    call("POST", "/v3/OS-OAUTH2/token", 404, body="grant_type=client_credentials",
         headers=dict(form, Authorization="Basic " + base64.b64encode(
             ("%s:x" % NOPE).encode()).decode()), what="unknown client")
    for m in ("GET", "PUT", "PATCH", "DELETE"):
        call(m, "/v3/OS-OAUTH2/token", 405)
    call("POST", "/v3/OS-OAUTH2/introspect", 200, body="token=" + oa_tok, headers=basic)
    call("POST", "/v3/OS-OAUTH2/introspect", 200, body="token=garbage", headers=basic,
         what="inactive")
    call("POST", "/v3/OS-OAUTH2/introspect", 400, body="", headers=basic,
         what="no token")
    call("POST", "/v3/OS-OAUTH2/introspect", 401, body="token=x", headers=form,
         what="no client")
    r = call("POST", "/v3/users/%s/application_credentials" % alice, 201, alice_proj,
             body={"application_credential": {"name": "oa-alice-ac"}},
             what="a non-admin user's credential")
    alice_basic = dict(form, Authorization="Basic " + base64.b64encode(("%s:%s" % (
        idof(r, "application_credential", "id"),
        r.get("application_credential", "secret") if r else "x")).encode()).decode())
    call("POST", "/v3/OS-OAUTH2/revoke", 400, body="token=" + oa_tok,
         headers=alice_basic, what="another user's token")
    call("POST", "/v3/OS-OAUTH2/revoke", 200, body="token=" + oa_tok, headers=basic)
    call("POST", "/v3/OS-OAUTH2/revoke", 401, body="token=x", headers=form,
         what="no client")
    call("GET", "/.well-known/openid-configuration", 200)
    call("GET", "/.well-known/oauth-authorization-server", 200)

    call("DELETE", acs + "/" + ac, 204, admin)
    call("DELETE", acs + "/" + ac, 404, admin, what="again")
    call("DELETE", acs + "/" + ac2, 401, None)
    call("DELETE", ars + "/" + rule, 403, alice_proj, what="another user's")
    call("DELETE", ars + "/" + rule, 204, system)
    call("DELETE", ars + "/" + rule, 404, system, what="again")

    # ---- unified limits (writes need a system-scoped admin token)
    r = call("POST", "/v3/services", 201, admin,
             body={"service": {"type": "oa-limits", "name": "oa-limits"}})
    lsvc = idof(r, "service", "id")
    r = call("POST", "/v3/registered_limits", 201, system,
             body={"registered_limits": [{"service_id": lsvc, "region_id": "RegionOne",
                                          "resource_name": "oa-cores",
                                          "default_limit": 10}]})
    rlim = idof(r, "registered_limits", 0, "id")
    call("POST", "/v3/registered_limits", 409, system,
         body={"registered_limits": [{"service_id": lsvc, "region_id": "RegionOne",
                                      "resource_name": "oa-cores", "default_limit": 5}]},
         what="duplicate")
    call("POST", "/v3/registered_limits", 400, system,
         body={"registered_limits": [{"service_id": lsvc, "resource_name": "x",
                                      "default_limit": -2}]},
         bad_request=True, what="below -1")
    call("POST", "/v3/registered_limits", 403, alice_proj,
         body={"registered_limits": [{"service_id": lsvc, "resource_name": "x",
                                      "default_limit": 1}]},
         what="project member")
    call("GET", "/v3/registered_limits", 200, alice_proj, what="any token")
    call("GET", "/v3/registered_limits?resource_name=oa-cores", 200, admin)
    call("GET", "/v3/registered_limits", 401, None)
    call("GET", "/v3/registered_limits/" + rlim, 200, admin)
    call("GET", "/v3/registered_limits/" + NOPE, 404, admin)
    call("PATCH", "/v3/registered_limits/" + rlim, 200, system,
         body={"registered_limit": {"default_limit": 20, "description": "oa"}})
    call("PATCH", "/v3/registered_limits/" + rlim, 400, system,
         body={"registered_limit": {"default_limit": "20"}},
         bad_request=True, what="not an integer")
    call("PATCH", "/v3/registered_limits/" + NOPE, 404, system,
         body={"registered_limit": {"default_limit": 1}})
    call("GET", "/v3/limits/model", 200, alice_proj)
    call("GET", "/v3/limits/model", 401, None)
    r = call("POST", "/v3/limits", 201, system,
             body={"limits": [{"project_id": proj, "service_id": lsvc,
                               "region_id": "RegionOne", "resource_name": "oa-cores",
                               "resource_limit": 5},
                              {"domain_id": "default", "service_id": lsvc,
                               "region_id": "RegionOne", "resource_name": "oa-cores",
                               "resource_limit": 50}]})
    lim = idof(r, "limits", 0, "id")
    dlim = idof(r, "limits", 1, "id")
    call("POST", "/v3/limits", 403, system,
         body={"limits": [{"project_id": proj, "service_id": lsvc,
                           "resource_name": "oa-none", "resource_limit": 5}]},
         what="no registered limit")
    call("POST", "/v3/limits", 400, system,
         body={"limits": [{"service_id": lsvc, "resource_name": "oa-cores",
                           "resource_limit": 5}]},
         bad_request=True, what="neither project nor domain")
    call("POST", "/v3/limits", 409, system,
         body={"limits": [{"project_id": proj, "service_id": lsvc,
                           "region_id": "RegionOne", "resource_name": "oa-cores",
                           "resource_limit": 6}]},
         what="duplicate")
    call("GET", "/v3/limits", 200, system)
    call("GET", "/v3/limits?project_id=" + proj, 200, alice_proj, what="its project's")
    call("GET", "/v3/limits", 401, None)
    call("GET", "/v3/limits/" + lim, 200, alice_proj, what="its project's")
    call("GET", "/v3/limits/" + lim, 200, system)
    call("GET", "/v3/limits/" + NOPE, 404, system)
    call("GET", "/v3/limits/" + NOPE, 403, alice_proj, what="no existence leak")
    call("PATCH", "/v3/limits/" + lim, 200, system, body={"limit": {"resource_limit": 7}})
    call("PATCH", "/v3/limits/" + lim, 400, system,
         body={"limit": {"project_id": NOPE}}, bad_request=True, what="read-only")
    call("PATCH", "/v3/limits/" + NOPE, 404, system, body={"limit": {"resource_limit": 1}})
    call("PATCH", "/v3/registered_limits/" + rlim, 403, system,
         body={"registered_limit": {"default_limit": 1}}, what="limits refer to it")
    call("DELETE", "/v3/registered_limits/" + rlim, 403, system, what="limits refer to it")
    call("DELETE", "/v3/limits/" + lim, 403, alice_proj, what="project member")
    call("DELETE", "/v3/limits/" + lim, 204, admin,
         what="project-scoped admin (a cloud admin under Keystone 29's rules)")
    call("DELETE", "/v3/limits/" + lim, 404, system, what="again")
    call("DELETE", "/v3/limits/" + dlim, 204, system)

    # ---- policies and OS-ENDPOINT-POLICY
    r = call("POST", "/v3/policies", 201, admin,
             body={"policy": {"type": "application/json", "blob": "{}"}})
    pol = idof(r, "policy", "id")
    call("POST", "/v3/policies", 400, admin, body={"policy": {"blob": "{}"}},
         bad_request=True, what="no type")
    call("GET", "/v3/policies", 200, admin)
    call("GET", "/v3/policies?type=application/json", 200, admin)
    call("GET", "/v3/policies", 403, alice_proj)
    call("GET", "/v3/policies/" + pol, 200, admin)
    call("GET", "/v3/policies/" + NOPE, 404, admin)
    call("PATCH", "/v3/policies/" + pol, 200, admin, body={"policy": {"blob": "{\"a\": 1}"}})
    call("PATCH", "/v3/policies/" + NOPE, 404, admin, body={"policy": {"blob": "x"}})
    r = call("POST", "/v3/endpoints", 201, admin,
             body={"endpoint": {"service_id": lsvc, "interface": "public",
                                "url": "http://127.0.0.1:9/oa-limits",
                                "region_id": "RegionOne"}})
    pep = idof(r, "endpoint", "id")
    epp = "/v3/policies/%s/OS-ENDPOINT-POLICY" % pol
    call("GET", epp + "/endpoints/" + pep, 404, admin, what="not associated")
    call("PUT", epp + "/endpoints/" + pep, 204, admin)
    call("PUT", epp + "/endpoints/" + NOPE, 404, admin)
    call("GET", epp + "/endpoints/" + pep, 204, admin)
    call("PUT", epp + "/services/" + lsvc, 204, admin)
    call("PUT", epp + "/services/" + NOPE, 404, admin)
    call("GET", epp + "/services/" + lsvc, 204, admin)
    call("GET", epp + "/services/" + NOPE, 404, admin)
    call("PUT", epp + "/services/%s/regions/RegionOne" % lsvc, 204, admin)
    call("PUT", epp + "/services/%s/regions/%s" % (lsvc, NOPE), 404, admin)
    call("GET", epp + "/services/%s/regions/RegionOne" % lsvc, 204, admin)
    call("GET", epp + "/services/%s/regions/%s" % (lsvc, NOPE), 404, admin)
    call("GET", epp + "/endpoints", 200, admin)
    call("GET", "/v3/policies/%s/OS-ENDPOINT-POLICY/endpoints" % NOPE, 404, admin)
    call("GET", "/v3/endpoints/%s/OS-ENDPOINT-POLICY/policy" % pep, 200, admin)
    call("GET", "/v3/endpoints/%s/OS-ENDPOINT-POLICY/policy" % NOPE, 404, admin)
    call("DELETE", epp + "/services/%s/regions/RegionOne" % lsvc, 204, admin)
    call("DELETE", epp + "/services/%s/regions/%s" % (lsvc, NOPE), 404, admin)
    call("DELETE", epp + "/services/" + lsvc, 204, admin)
    call("DELETE", epp + "/services/" + NOPE, 404, admin)
    call("DELETE", epp + "/endpoints/" + pep, 204, admin)
    call("DELETE", epp + "/endpoints/" + NOPE, 404, admin)
    call("DELETE", "/v3/policies/" + pol, 204, admin)
    call("DELETE", "/v3/policies/" + pol, 404, admin, what="again")

    # ---- OS-EP-FILTER
    epf = "/v3/OS-EP-FILTER"
    r = call("POST", epf + "/endpoint_groups", 201, admin,
             body={"endpoint_group": {"name": "oa-group",
                                      "filters": {"service_id": lsvc}}})
    eg = idof(r, "endpoint_group", "id")
    call("POST", epf + "/endpoint_groups", 400, admin,
         body={"endpoint_group": {"name": "oa-group"}},
         bad_request=True, what="no filters")
    # checked after the schema, as in Keystone
    call("POST", epf + "/endpoint_groups", 400, admin,
         body={"endpoint_group": {"name": "oa-group", "filters": {}}},
         what="empty filters")
    call("GET", epf + "/endpoint_groups", 200, admin)
    call("GET", epf + "/endpoint_groups", 403, alice_proj)
    call("GET", epf + "/endpoint_groups/" + eg, 200, admin)
    call("GET", epf + "/endpoint_groups/" + NOPE, 404, admin)
    call("PATCH", epf + "/endpoint_groups/" + eg, 200, admin,
         body={"endpoint_group": {"description": "oa"}})
    call("PATCH", epf + "/endpoint_groups/" + NOPE, 404, admin,
         body={"endpoint_group": {"description": "oa"}})
    call("GET", epf + "/endpoint_groups/%s/endpoints" % eg, 200, admin)
    call("GET", epf + "/endpoint_groups/%s/endpoints" % NOPE, 404, admin)
    call("PUT", epf + "/endpoint_groups/%s/projects/%s" % (eg, proj), 204, admin)
    call("PUT", epf + "/endpoint_groups/%s/projects/%s" % (eg, proj), 409, admin,
         what="again")
    call("GET", epf + "/endpoint_groups/%s/projects/%s" % (eg, proj), 200, admin)
    call("GET", epf + "/endpoint_groups/%s/projects/%s" % (eg, NOPE), 404, admin)
    call("GET", epf + "/endpoint_groups/%s/projects" % eg, 200, admin)
    call("GET", epf + "/endpoint_groups/%s/projects" % eg, 403, alice_proj)
    call("GET", epf + "/projects/%s/endpoint_groups" % proj, 200, admin)
    call("GET", epf + "/projects/%s/endpoint_groups" % NOPE, 404, admin)
    call("PUT", epf + "/projects/%s/endpoints/%s" % (proj, pep), 204, admin)
    call("PUT", epf + "/projects/%s/endpoints/%s" % (proj, NOPE), 404, admin)
    call("GET", epf + "/projects/%s/endpoints/%s" % (proj, pep), 204, admin)
    call("GET", epf + "/projects/%s/endpoints/%s" % (NOPE, pep), 404, admin)
    call("GET", epf + "/projects/%s/endpoints" % proj, 200, admin)
    call("GET", epf + "/projects/%s/endpoints" % NOPE, 404, admin)
    call("GET", epf + "/endpoints/%s/projects" % pep, 200, admin)
    call("GET", epf + "/endpoints/%s/projects" % NOPE, 404, admin)
    call("DELETE", epf + "/projects/%s/endpoints/%s" % (proj, pep), 204, admin)
    call("DELETE", epf + "/projects/%s/endpoints/%s" % (proj, pep), 404, admin,
         what="again")
    call("DELETE", epf + "/endpoint_groups/%s/projects/%s" % (eg, proj), 204, admin)
    call("DELETE", epf + "/endpoint_groups/%s/projects/%s" % (eg, proj), 404, admin,
         what="again")
    call("DELETE", epf + "/endpoint_groups/" + eg, 204, admin)
    call("DELETE", epf + "/endpoint_groups/" + eg, 404, admin, what="again")
    call("DELETE", "/v3/endpoints/" + pep, 204, admin)
    call("DELETE", "/v3/registered_limits/" + rlim, 204, system)
    call("DELETE", "/v3/registered_limits/" + rlim, 404, system, what="again")
    call("DELETE", "/v3/services/" + lsvc, 204, admin)

    # ---- domain configuration
    call("GET", "/v3/domains/config/default", 200, admin)
    call("GET", "/v3/domains/config/default", 403, alice_proj)
    call("GET", "/v3/domains/config/ldap/default", 200, admin)
    call("GET", "/v3/domains/config/oa/default", 403, admin, what="unknown group")
    call("GET", "/v3/domains/config/ldap/url/default", 200, admin)
    call("GET", "/v3/domains/config/ldap/password/default", 403, admin, what="sensitive")
    dc = "/v3/domains/%s/config" % dom
    call("GET", dc, 404, admin, what="none yet")
    call("PUT", dc, 201, admin,
         body={"config": {"identity": {"driver": "ldap"},
                          "ldap": {"url": "ldap://oa.example.com/"}}})
    call("PUT", dc, 200, admin,
         body={"config": {"identity": {"driver": "ldap"},
                          "ldap": {"url": "ldap://oa.example.com/", "page_size": 5}}},
         what="replace")
    call("PUT", dc, 403, admin, body={"config": {"oa": {"x": 1}}}, what="unknown group")
    call("PUT", "/v3/domains/%s/config" % NOPE, 404, admin,
         body={"config": {"identity": {"driver": "ldap"}}})
    call("GET", dc, 200, admin)
    call("PATCH", dc, 200, admin, body={"config": {"ldap": {"page_size": 6}}})
    call("PATCH", dc, 403, admin, body={"config": {}}, what="nothing")
    call("GET", dc + "/ldap", 200, admin)
    call("GET", dc + "/oa", 403, admin, what="unknown group")
    call("GET", dc + "/identity/driver", 200, admin)
    call("GET", "/v3/domains/default/config/security_compliance", 200, alice_proj)
    call("GET", "/v3/domains/default/config/security_compliance/password_regex", 200,
         alice_proj)
    call("GET", dc + "/identity/list_limit", 404, admin, what="not set")
    call("PATCH", dc + "/ldap", 200, admin,
         body={"config": {"ldap": {"url": "ldap://oa2.example.com/"}}})
    call("PATCH", dc + "/ldap", 403, admin,
         body={"config": {"identity": {"driver": "sql"}}}, what="another group")
    call("PATCH", dc + "/identity/driver", 200, admin, body={"config": {"driver": "sql"}})
    call("PATCH", dc + "/identity/list_limit", 404, admin,
         body={"config": {"list_limit": 5}}, what="not set")
    call("DELETE", dc + "/identity/driver", 204, admin)
    call("DELETE", dc + "/identity/driver", 404, admin, what="again")
    call("DELETE", dc + "/ldap", 204, admin)
    call("DELETE", dc + "/ldap", 404, admin, what="again")
    call("DELETE", dc, 204, admin)
    call("DELETE", "/v3/domains/%s/config" % NOPE, 404, admin)
    # ---- credentials, EC2 credentials, EC2 and S3 logins
    r = call("POST", "/v3/credentials", 201, admin, body={"credential": {
        "user_id": alice, "type": "cert", "blob": "oa-cert"}})
    cred = idof(r, "credential", "id")
    call("POST", "/v3/credentials", 400, admin, body={"credential": {
        "user_id": alice, "type": "cert"}}, bad_request=True, what="no blob")
    call("POST", "/v3/credentials", 404, admin, body={"credential": {
        "user_id": NOPE, "type": "cert", "blob": "b"}}, what="unknown user")
    call("POST", "/v3/credentials", 201, admin, body={"credential": {
        "user_id": alice, "project_id": proj, "type": "ec2",
        "blob": json.dumps({"access": "oa-ak", "secret": "oa-sk"})}}, what="ec2")
    call("POST", "/v3/credentials", 409, admin, body={"credential": {
        "user_id": alice, "project_id": proj, "type": "ec2",
        "blob": json.dumps({"access": "oa-ak"})}}, what="access key taken")
    call("GET", "/v3/credentials", 200, admin)
    call("GET", "/v3/credentials?type=ec2", 200, admin)
    call("GET", "/v3/credentials", 401, None)
    call("GET", "/v3/credentials/" + cred, 200, admin)
    call("GET", "/v3/credentials/" + NOPE, 404, admin)
    call("PATCH", "/v3/credentials/" + cred, 200, admin,
         body={"credential": {"blob": "oa-cert-2"}})
    call("PATCH", "/v3/credentials/" + cred, 400, admin,
         body={"credential": {"blob": "b", "label": "x"}}, bad_request=True,
         what="only the blob may change")
    call("PATCH", "/v3/credentials/" + NOPE, 404, admin,
         body={"credential": {"blob": "b"}})
    r = call("POST", "/v3/users/%s/credentials/OS-EC2" % alice, 201, admin,
             body={"tenant_id": proj})
    access = r.get("credential", "access") if r else NOPE
    secret = r.get("credential", "secret") if r else NOPE
    call("POST", "/v3/users/%s/credentials/OS-EC2" % alice, 404, admin,
         body={"tenant_id": NOPE}, what="unknown project")
    call("GET", "/v3/users/%s/credentials/OS-EC2" % alice, 200, admin)
    call("GET", "/v3/users/%s/credentials/OS-EC2" % NOPE, 404, admin)
    call("GET", "/v3/users/%s/credentials/OS-EC2/%s" % (alice, access), 200, admin)
    call("GET", "/v3/users/%s/credentials/OS-EC2/%s" % (alice, NOPE), 404, admin)
    # keygate's default policy (Keystone 29): a service user or an admin asks
    call("POST", "/v3/ec2tokens", 200, admin, body=ec2_signed(access, secret))
    call("POST", "/v3/ec2tokens", 401, admin, body=ec2_signed(access, "wrong"),
         what="wrong signature")
    call("POST", "/v3/ec2tokens", 401, body=ec2_signed(access, secret),
         what="no X-Auth-Token")
    call("POST", "/v3/ec2tokens", 403, alice_proj, body=ec2_signed(access, secret),
         what="asked by a member")
    call("POST", "/v3/ec2tokens", 400, admin, body={}, what="empty body")
    sts = b"GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/oa/key"
    call("POST", "/v3/s3tokens", 200, admin, body={"credentials": {
        "access": access, "token": base64.urlsafe_b64encode(sts).decode(),
        "signature": base64.b64encode(hmac.new(secret.encode(), sts,
                                               hashlib.sha1).digest()).decode()}})
    call("POST", "/v3/s3tokens", 403, alice_proj, body={"credentials": {
        "access": access, "token": base64.urlsafe_b64encode(sts).decode(),
        "signature": "AAAA"}}, what="asked by a member")
    call("POST", "/v3/s3tokens", 401, admin, body={"credentials": {
        "access": access, "token": base64.urlsafe_b64encode(sts).decode(),
        "signature": "AAAA"}}, what="wrong signature")
    call("DELETE", "/v3/users/%s/credentials/OS-EC2/%s" % (alice, access), 204, admin)
    call("DELETE", "/v3/users/%s/credentials/OS-EC2/%s" % (alice, access), 404, admin,
         what="again")
    call("DELETE", "/v3/credentials/" + cred, 204, admin)
    call("DELETE", "/v3/credentials/" + cred, 404, admin, what="again")

    # ---- totp and multi-factor rules: a receipt, then the passcode
    seed = base64.b32encode(b"oa-totp-seed-0123456").decode()
    r = call("POST", "/v3/users", 201, admin, body={"user": {
        "name": "oa-mfa", "password": "mfa-pw", "options": {
            "multi_factor_auth_rules": [["password", "totp"]]}}},
        what="with multi-factor rules")
    mfa = idof(r, "user", "id")
    call("PATCH", "/v3/users/" + mfa, 400, admin, body={"user": {"options": {
        "multi_factor_auth_rules": [[]]}}}, bad_request=True, what="empty rule")
    call("POST", "/v3/credentials", 201, admin, body={"credential": {
        "user_id": mfa, "type": "totp", "blob": seed}}, what="totp")
    r = call("POST", "/v3/auth/tokens", 401, body=pw_auth(mfa, "mfa-pw", by_id=True),
             what="password alone: an auth receipt")
    receipt = r.headers.get("openstack-auth-receipt") if r is not None else None
    hdr = {"Openstack-Auth-Receipt": receipt or "none"}
    r = call("POST", "/v3/auth/tokens", 201, body=totp_auth(mfa, totp_code(seed)),
             headers=hdr, what="totp completing the receipt")
    if r is None:	# the step turned meanwhile: once more
        call("POST", "/v3/auth/tokens", 201, body=totp_auth(mfa, totp_code(seed)),
             headers=hdr, what="totp completing the receipt, again")
    call("POST", "/v3/auth/tokens", 401, body=totp_auth(mfa, "000000x"),
         what="wrong passcode")
    call("POST", "/v3/auth/tokens", 400, body={"auth": {"identity": {
        "methods": ["totp"], "totp": {"user": {"id": mfa, "passcode": 7}}}}},
        bad_request=True, what="passcode not a string")

    # ---- revocation events, keys, operations
    call("GET", "/v3/OS-REVOKE/events", 200, admin)
    call("GET", "/v3/OS-REVOKE/events", 401, None)
    call("GET", "/v3/OS-REVOKE/events?since=garbage", 400, admin, what="bad time")
    call("GET", "/v3/OS-REVOKE/events?since=2020-01-01T00:00:00Z", 200, admin)
    call("GET", "/v3/OS-REVOKE/events", 403, alice_proj)
    call("GET", "/v3/OS-KEYGATE/jwks", 200)
    call("GET", "/.well-known/jwks.json", 200)
    call("GET", "/healthcheck", 200)
    # The server runs with metrics.allow = 127.0.0.2: scrape from there.
    call("GET", "/metrics", 200, source="127.0.0.2")
    call("GET", "/metrics", 403, what="from 127.0.0.1, not allowed")

    # ---- trusts: the admin trusts alice with its admin role
    tb = {"trust": {"trustor_user_id": admin_id, "trustee_user_id": alice,
                    "project_id": admin_project, "impersonation": False,
                    "roles": [{"name": "admin"}], "remaining_uses": 5,
                    "expires_at": "2099-01-01T00:00:00Z"}}
    call("POST", "/v3/OS-TRUST/trusts", 401, None, body=tb)
    call("POST", "/v3/OS-TRUST/trusts", 403, alice_proj, body=tb, what="not the trustor")
    r = call("POST", "/v3/OS-TRUST/trusts", 201, admin, body=tb)
    trust = idof(r, "trust", "id")
    trole = idof(r, "trust", "roles", 0, "id")
    call("POST", "/v3/OS-TRUST/trusts", 409, admin, body=tb, what="the same again")
    call("POST", "/v3/OS-TRUST/trusts", 400, admin,
         body={"trust": {"trustor_user_id": admin_id, "trustee_user_id": alice}},
         bad_request=True, what="no impersonation")
    call("POST", "/v3/OS-TRUST/trusts", 404, admin,
         body={"trust": {"trustor_user_id": admin_id, "trustee_user_id": NOPE,
                         "impersonation": True}}, what="unknown trustee")
    call("GET", "/v3/OS-TRUST/trusts", 200, admin)
    call("GET", "/v3/OS-TRUST/trusts?trustee_user_id=" + alice, 200, alice_proj)
    call("GET", "/v3/OS-TRUST/trusts", 403, alice_proj, what="all trusts")
    call("GET", "/v3/OS-TRUST/trusts", 401, None)
    call("GET", "/v3/OS-TRUST/trusts/" + trust, 200, alice_proj, what="the trustee")
    call("GET", "/v3/OS-TRUST/trusts/" + NOPE, 404, admin)
    call("GET", "/v3/OS-TRUST/trusts/%s/roles" % trust, 200, alice_proj)
    call("GET", "/v3/OS-TRUST/trusts/%s/roles" % NOPE, 404, admin)
    call("GET", "/v3/OS-TRUST/trusts/%s/roles/%s" % (trust, trole), 200, alice_proj)
    call("GET", "/v3/OS-TRUST/trusts/%s/roles/%s" % (trust, NOPE), 404, alice_proj,
         what="a role it does not delegate")
    r = call("POST", "/v3/auth/tokens", 201,
             body=pw_auth("oa-alice", "alice-pw2", {"OS-TRUST:trust": {"id": trust}}),
             what="trust scope")
    trust_tok = tok(r)
    call("GET", "/v3/auth/tokens", 200, admin, headers=subj(trust_tok),
         what="a trust-scoped token")
    call("POST", "/v3/auth/tokens", 403,
         body=token_auth(trust_tok, project_scope("admin")),
         what="a token from a trust-scoped token")
    call("POST", "/v3/auth/tokens", 403,
         body=pw_auth("admin", pw, {"OS-TRUST:trust": {"id": trust}}),
         what="not the trustee")
    call("DELETE", "/v3/OS-TRUST/trusts/" + trust, 403, alice_proj, what="the trustee")
    call("DELETE", "/v3/OS-TRUST/trusts/" + trust, 204, admin)
    call("DELETE", "/v3/OS-TRUST/trusts/" + trust, 404, admin, what="again")

    # ---- the failed-login rate limit ([rate_limit]: 10 failures a user),
    # from an address of its own
    for i in range(10):
        call("POST", "/v3/auth/tokens", 401, body=pw_auth(bob, "wrong", by_id=True),
             source="127.0.0.3", what="wrong password %d" % (i + 1))
    call("POST", "/v3/auth/tokens", 429, body=pw_auth(bob, "wrong", by_id=True),
         source="127.0.0.3", what="the user's budget spent")
    call("POST", "/v3/users/%s/password" % bob, 429, None, source="127.0.0.3",
         body={"user": {"original_password": "wrong", "password": "bob-pw3"}},
         what="the user's budget spent")

    # ---- deletions last
    call("DELETE", "/v3/roles/%s/implies/%s" % (role, role2), 204, admin)
    call("DELETE", "/v3/roles/%s/implies/%s" % (role, role2), 404, admin, what="again")
    call("DELETE", "/v3/groups/%s/users/%s" % (grp, alice), 204, admin)
    call("DELETE", "/v3/groups/%s/users/%s" % (grp, alice), 404, admin, what="again")
    call("DELETE", "/v3/roles/" + role2, 204, admin)
    call("DELETE", "/v3/roles/" + role2, 404, admin, what="again")
    call("DELETE", "/v3/groups/" + grp, 204, admin)
    call("DELETE", "/v3/groups/" + grp, 404, admin, what="again")
    call("DELETE", "/v3/users/" + alice, 204, admin)
    call("DELETE", "/v3/users/" + bob, 204, admin)
    call("DELETE", "/v3/users/" + alice, 404, admin, what="again")
    call("DELETE", "/v3/projects/%s?cascade" % proj, 204, admin,
         what="with its disabled child")
    call("DELETE", "/v3/projects/" + proj, 404, admin, what="again")
    call("PATCH", "/v3/domains/" + dom, 200, admin, body={"domain": {"enabled": False}})
    call("DELETE", "/v3/domains/" + dom, 204, admin)
    call("DELETE", "/v3/roles/" + role, 204, admin)
