#!/usr/bin/python3
# policy_table.py - write tests/integration/it_policy_table.h, the expected
# status of every route for every persona under each policy configuration
# it_policy.c runs: Keystone 22's defaults as Keystone 22 ships them
# (enforce_scope and enforce_new_defaults off: the legacy set), Keystone
# 22's with both flags on (secure RBAC as the keystone-tempest-plugin
# suite runs it) and Keystone 29's with both on (keygate's default, as
# Keystone 29 ships).
#
#   build/tests/test_policy --dump-defaults keystone-22 > d22.json
#   build/tests/test_policy --dump-defaults keystone-29 > d29.json
#   tests/integration/policy_table.py d22.json d29.json > tests/integration/it_policy_table.h
#
# How each cell is derived (nothing comes from keygate's own engine):
#  - the rules are Keystone's registered defaults (generated from
#    keystone/common/policies/ at 22.0.2 and 29.0.2 by
#    scripts/policy-defaults), registered in a real oslo.policy Enforcer
#    (Debian's python3-oslo.policy 4.0) with their scope_types and
#    deprecated rules, and the set's two flags;
#  - the credentials are what Keystone's RequestContext.to_policy_values()
#    gives for each persona's token (creds_of below);
#  - the target of each route is the dict Keystone's controller builds
#    (keystone/api/*.py, cited per route below; where 22 and 29 differ the
#    route says so), flattened as keystone.common.rbac_enforcer does, with
#    the URL's view args on top. A create's target is the body's object
#    (target_attr {'user': <body's user>}), nothing else of the body
#    (CVE-2026-42999's fix);
#  - allowed: the route's success status; denied: 403; plus Keystone's
#    checks besides policy that this table exercises: GET /v3/auth/catalog
#    needs a project-scoped token (auth.py AuthCatalogResource), HEAD of an
#    implied role enforces check_implied_role and get_implied_role.
# Symbolic ids stand for the objects it_policy.c creates: only which ids are
# equal matters to the rules.
import json
import sys
import warnings

from oslo_config import cfg
from oslo_policy import policy

warnings.simplefilter("ignore")

# ---- personas --------------------------------------------------------------

ADMIN = ["admin", "manager", "member", "reader"]   # keygate's implied chain
MANAGER = ["manager", "member", "reader"]
MEMBER = ["member", "reader"]
READER = ["reader"]

# (column name, scope, roles); every persona's user lives in domain dA, its
# domain scope is dA and its project scope pA (in dA).
PERSONAS = [
    ("sys-admin", "system", ADMIN), ("sys-member", "system", MEMBER),
    ("sys-reader", "system", READER),
    ("dom-admin", "domain", ADMIN), ("dom-manager", "domain", MANAGER),
    ("dom-member", "domain", MEMBER), ("dom-reader", "domain", READER),
    ("proj-admin", "project", ADMIN), ("proj-manager", "project", MANAGER),
    ("proj-member", "project", MEMBER), ("proj-reader", "project", READER),
    ("service", "project", ["service"]), ("no-role", "none", []),
]


def creds_of(name, scope, roles):
    token = {"user": {"id": "self:" + name, "domain": {"id": "dA"}}}
    if scope != "none":
        token["roles"] = [{"id": r, "name": r} for r in roles]
    if scope == "project":
        token["project"] = {"id": "pA", "domain": {"id": "dA"}}
    elif scope == "domain":
        token["domain"] = {"id": "dA"}
    elif scope == "system":
        token["system"] = {"all": True}
    return {
        "user_id": "self:" + name, "user_domain_id": "dA",
        "system_scope": "all" if scope == "system" else None,
        "domain_id": "dA" if scope == "domain" else None,
        "project_id": "pA" if scope == "project" else None,
        "project_domain_id": "dA" if scope == "project" else None,
        "roles": roles, "is_admin_project": scope != "domain",
        "service_user_id": None, "service_user_domain_id": None,
        "service_project_id": None, "service_project_domain_id": None,
        "service_roles": [], "token": token,
    }

# ---- the world, as Keystone's drivers return it ---------------------------


def user(i, d):
    return {"id": i, "name": i, "domain_id": d, "enabled": True,
            "default_project_id": None}


def project(i, d):
    return {"id": i, "name": i, "domain_id": d, "parent_id": d,
            "is_domain": False, "enabled": True}


def domain(i):
    return {"id": i, "name": i, "enabled": True}


def group(i, d):
    return {"id": i, "name": i, "domain_id": d}


def role(i, d=None):
    return {"id": i, "name": i, "domain_id": d}


W = {
    "dA": domain("dA"), "dB": domain("dB"), "dX": domain("dX"),
    "pA": project("pA", "dA"), "pB": project("pB", "dB"), "pX": project("pX", "dA"),
    "uA": user("uA", "dA"), "uB": user("uB", "dB"), "uX": user("uX", "dA"),
    "gA": group("gA", "dA"), "gB": group("gB", "dB"), "gX": group("gX", "dA"),
    "member": role("member"), "reader": role("reader"), "rA": role("rA", "dA"),
    "rX": role("rX"), "rY": role("rY"),
    "endpoint": {"id": "endpoint", "service_id": "service", "region_id": "region",
                 "interface": "public", "enabled": True},
    "endpointX": {"id": "endpointX", "service_id": "service",
                  "region_id": "region", "interface": "internal", "enabled": True},
}


def token_of(user_id, dom):
    """_extract_subject_token_target_data"""
    return {"user_id": user_id, "user": {"domain": {"id": dom}}}

# The configurations it_policy.c runs: (defaults, enforce_scope,
# enforce_new_defaults), in the order of each op's status rows.
SETS = [("keystone-22", False, False), ("keystone-22", True, True),
        ("keystone-29", True, True)]
VERSION = None          # "keystone-22" or "keystone-29" while a set is computed

# ---- routes -----------------------------------------------------------------
# (name, method, path, body, fresh, success, rule(s), target(persona))
# fresh: what it_policy.c creates anew (as admin) before each persona's try.


def none(p):
    return {}


def T(**kw):
    return lambda p: {"target": {k: (W[v] if isinstance(v, str) else v)
                                 for k, v in kw.items()}}


def dom_list_target(key):
    """users/projects/role_assignments: target_attr {'domain_id': d}."""
    def f(p):
        return {"target": {key: "dA"}} if p[1] == "domain" else {}
    return f


def groups_list_target(p):
    """groups.py _list_groups: {'group': {'domain_id': d}}"""
    return {"target": {"group": {"domain_id": "dA"}}} if p[1] == "domain" else {}


def self_user(p):
    return {"target": {"user": user("self:" + p[0], "dA")}}


def grant_routes(kind, actor, scope_obj, prefix, path_scope, inherited=False):
    """projects.py / domains.py / system.py / os_inherit.py grant routes."""
    x = actor[0]                    # "u" or "g"
    a = "uA" if x == "u" else "gA"
    b = "uB" if x == "u" else "gB"
    seg = "users" if x == "u" else "groups"
    akey = "user" if x == "u" else "group"
    fresh_actor = "uX" if x == "u" else "gX"
    tail = "/inherited_to_projects" if inherited else ""
    out = []
    sys_ = scope_obj is None

    def tgt(actor_id, role_id=None):
        def f(p):
            t = {akey: W[actor_id]}
            if role_id:
                t["role"] = W[role_id]
            if not sys_:
                t[path_scope] = W[scope_obj]
            return {"target": t}
        return f
    pfx = prefix

    def rule(verb):
        if sys_:
            return "identity:%s_system_grant_for_%s" % (
                {"list": "list", "check": "check", "put": "create",
                 "delete": "revoke"}[verb], akey) if verb != "list" else \
                "identity:list_system_grants_for_%s" % akey
        return {"list": "identity:list_grants", "check": "identity:check_grant",
                "put": "identity:create_grant", "delete": "identity:revoke_grant"}[verb]
    kind_name = "%s.%s" % (kind, seg)
    if not inherited:
        out.append((kind_name + ".list", "GET", "%s/%s/{%s}/roles" % (pfx, seg, a),
                    None, None, 200, [rule("list")], tgt(a)))
        if not sys_:
            out.append((kind_name + ".list.other-domain-actor", "GET",
                        "%s/%s/{%s}/roles" % (pfx, seg, b), None, None, 200,
                        [rule("list")], tgt(b)))
    out.append((kind_name + ".check", "GET",
                "%s/%s/{%s}/roles/{member}%s" % (pfx, seg, a, tail), None, None, 204,
                [rule("check")], tgt(a, "member")))
    out.append((kind_name + ".put", "PUT",
                "%s/%s/{%s}/roles/{reader}%s" % (pfx, seg, fresh_actor, tail), None,
                fresh_actor, 204, [rule("put")], tgt(fresh_actor, "reader")))
    out.append((kind_name + ".delete", "DELETE",
                "%s/%s/{%s}/roles/{reader}%s" % (pfx, seg, fresh_actor, tail), None,
                "%s;PUT %s/%s/{%s}/roles/{reader}%s" % (fresh_actor, pfx, seg,
                                                       fresh_actor, tail),
                204, [rule("delete")], tgt(fresh_actor, "reader")))
    return out


ROUTES = [
    # auth.py AuthTokenResource: no target but the subject token
    ("tokens.validate.other", "GET", "/v3/auth/tokens", None, "S:tA", 200,
     ["identity:validate_token"], lambda p: {"target": {"token": token_of("uA", "dA")}}),
    ("tokens.check.other", "HEAD", "/v3/auth/tokens", None, "S:tA", 200,
     ["identity:check_token"], lambda p: {"target": {"token": token_of("uA", "dA")}}),
    ("tokens.validate.own", "GET", "/v3/auth/tokens", None, "S:tself", 200,
     ["identity:validate_token"],
     lambda p: {"target": {"token": token_of("self:" + p[0], "dA")}}),
    ("tokens.check.own", "HEAD", "/v3/auth/tokens", None, "S:tself", 200,
     ["identity:check_token"],
     lambda p: {"target": {"token": token_of("self:" + p[0], "dA")}}),
    ("tokens.revoke.other", "DELETE", "/v3/auth/tokens", None, "S:tA", 204,
     ["identity:revoke_token"], lambda p: {"target": {"token": token_of("uA", "dA")}}),
    ("tokens.revoke.own", "DELETE", "/v3/auth/tokens", None, "S:tself", 204,
     ["identity:revoke_token"],
     lambda p: {"target": {"token": token_of("self:" + p[0], "dA")}}),
    # auth.py: catalog needs a project-scoped token besides the (empty) rule
    ("auth.catalog", "GET", "/v3/auth/catalog", None, None, 200,
     ["identity:get_auth_catalog"], none),
    ("auth.projects", "GET", "/v3/auth/projects", None, None, 200,
     ["identity:get_auth_projects"], none),
    ("auth.domains", "GET", "/v3/auth/domains", None, None, 200,
     ["identity:get_auth_domains"], none),
    ("auth.system", "GET", "/v3/auth/system", None, None, 200,
     ["identity:get_auth_system"], none),
    # os_revoke.py
    ("revoke.events", "GET", "/v3/OS-REVOKE/events", None, None, 200,
     ["identity:list_revoke_events"], none),

    # domains.py
    ("domains.create", "POST", "/v3/domains", '{"domain": {"name": "{uniq}"}}', None,
     201, ["identity:create_domain"], none),
    # 29: target {'domain': {'id': <the caller's domain>}}; 22: none
    ("domains.list", "GET", "/v3/domains", None, None, 200, ["identity:list_domains"],
     lambda p: {"target": {"domain": {"id": "dA"}}}
     if p[1] == "domain" and VERSION == "keystone-29" else {}),
    ("domains.get.own", "GET", "/v3/domains/{dA}", None, None, 200,
     ["identity:get_domain"], T(domain="dA")),
    ("domains.get.other", "GET", "/v3/domains/{dB}", None, None, 200,
     ["identity:get_domain"], T(domain="dB")),
    ("domains.update", "PATCH", "/v3/domains/{dX}",
     '{"domain": {"description": "d"}}', "dX", 200, ["identity:update_domain"],
     T(domain="dX")),
    ("domains.delete", "DELETE", "/v3/domains/{dX}", None, "dX", 204,
     ["identity:delete_domain"], T(domain="dX")),

    # projects.py
    ("projects.create", "POST", "/v3/projects",
     '{"project": {"name": "{uniq}", "domain_id": "{dA}"}}', None, 201,
     ["identity:create_project"],
     lambda p: {"target": {"project": {"name": "x", "domain_id": "dA"}}}),
    ("projects.create.no-domain", "POST", "/v3/projects",
     '{"project": {"name": "{uniq}"}}', None, 201, ["identity:create_project"],
     lambda p: {"target": {"project": {"name": "x"}}}),
    ("projects.create.other-domain", "POST", "/v3/projects",
     '{"project": {"name": "{uniq}", "domain_id": "{dB}"}}', None, 201,
     ["identity:create_project"],
     lambda p: {"target": {"project": {"name": "x", "domain_id": "dB"}}}),
    ("projects.list", "GET", "/v3/projects", None, None, 200,
     ["identity:list_projects"], dom_list_target("domain_id")),
    ("projects.get.own", "GET", "/v3/projects/{pA}", None, None, 200,
     ["identity:get_project"], T(project="pA")),
    ("projects.get.other-domain", "GET", "/v3/projects/{pB}", None, None, 200,
     ["identity:get_project"], T(project="pB")),
    ("projects.update", "PATCH", "/v3/projects/{pX}",
     '{"project": {"description": "d"}}', "pX", 200, ["identity:update_project"],
     T(project="pX")),
    ("projects.delete", "DELETE", "/v3/projects/{pX}", None, "pX", 204,
     ["identity:delete_project"], T(project="pX")),
    ("projects.tags.list", "GET", "/v3/projects/{pA}/tags", None, None, 200,
     ["identity:list_project_tags"], T(project="pA")),
    ("projects.tags.get", "GET", "/v3/projects/{pA}/tags/t1", None, None, 204,
     ["identity:get_project_tag"], T(project="pA")),
    ("projects.tags.replace", "PUT", "/v3/projects/{pX}/tags",
     '{"tags": ["t2"]}', "pX", 200, ["identity:update_project_tags"],
     T(project="pX")),
    ("projects.tags.add", "PUT", "/v3/projects/{pX}/tags/t3", None, "pX", 201,
     ["identity:create_project_tag"], T(project="pX")),
    ("projects.tags.delete", "DELETE", "/v3/projects/{pX}/tags/t1", None, "pX", 204,
     ["identity:delete_project_tag"], T(project="pX")),
    ("projects.tags.delete-all", "DELETE", "/v3/projects/{pX}/tags", None, "pX",
     204, ["identity:delete_project_tags"], T(project="pX")),

    # users.py
    ("users.create", "POST", "/v3/users",
     '{"user": {"name": "{uniq}", "domain_id": "{dA}"}}', None, 201,
     ["identity:create_user"],
     lambda p: {"target": {"user": {"name": "x", "domain_id": "dA"}}}),
    ("users.create.no-domain", "POST", "/v3/users", '{"user": {"name": "{uniq}"}}',
     None, 201, ["identity:create_user"],
     lambda p: {"target": {"user": {"name": "x"}}}),
    ("users.create.other-domain", "POST", "/v3/users",
     '{"user": {"name": "{uniq}", "domain_id": "{dB}"}}', None, 201,
     ["identity:create_user"],
     lambda p: {"target": {"user": {"name": "x", "domain_id": "dB"}}}),
    ("users.list", "GET", "/v3/users", None, None, 200, ["identity:list_users"],
     dom_list_target("domain_id")),
    ("users.get.same-domain", "GET", "/v3/users/{uA}", None, None, 200,
     ["identity:get_user"], T(user="uA")),
    ("users.get.other-domain", "GET", "/v3/users/{uB}", None, None, 200,
     ["identity:get_user"], T(user="uB")),
    ("users.get.self", "GET", "/v3/users/{self}", None, None, 200,
     ["identity:get_user"], self_user),
    ("users.update", "PATCH", "/v3/users/{uX}", '{"user": {"description": "d"}}',
     "uX", 200, ["identity:update_user"], T(user="uX")),
    ("users.delete", "DELETE", "/v3/users/{uX}", None, "uX", 204,
     ["identity:delete_user"], T(user="uX")),
    ("users.projects.other", "GET", "/v3/users/{uA}/projects", None, None, 200,
     ["identity:list_user_projects"], T(user="uA")),
    ("users.projects.self", "GET", "/v3/users/{self}/projects", None, None, 200,
     ["identity:list_user_projects"], self_user),
    ("users.groups.other", "GET", "/v3/users/{uA}/groups", None, None, 200,
     ["identity:list_groups_for_user"], T(user="uA")),
    ("users.groups.self", "GET", "/v3/users/{self}/groups", None, None, 200,
     ["identity:list_groups_for_user"], self_user),

    # groups.py
    ("groups.create", "POST", "/v3/groups",
     '{"group": {"name": "{uniq}", "domain_id": "{dA}"}}', None, 201,
     ["identity:create_group"],
     lambda p: {"target": {"group": {"name": "x", "domain_id": "dA"}}}),
    ("groups.create.no-domain", "POST", "/v3/groups", '{"group": {"name": "{uniq}"}}',
     None, 201, ["identity:create_group"],
     lambda p: {"target": {"group": {"name": "x"}}}),
    ("groups.create.other-domain", "POST", "/v3/groups",
     '{"group": {"name": "{uniq}", "domain_id": "{dB}"}}', None, 201,
     ["identity:create_group"],
     lambda p: {"target": {"group": {"name": "x", "domain_id": "dB"}}}),
    ("groups.list", "GET", "/v3/groups", None, None, 200, ["identity:list_groups"],
     groups_list_target),
    ("groups.get.same-domain", "GET", "/v3/groups/{gA}", None, None, 200,
     ["identity:get_group"], T(group="gA")),
    ("groups.get.other-domain", "GET", "/v3/groups/{gB}", None, None, 200,
     ["identity:get_group"], T(group="gB")),
    ("groups.update", "PATCH", "/v3/groups/{gX}", '{"group": {"description": "d"}}',
     "gX", 200, ["identity:update_group"], T(group="gX")),
    ("groups.delete", "DELETE", "/v3/groups/{gX}", None, "gX", 204,
     ["identity:delete_group"], T(group="gX")),
    ("groups.users.list", "GET", "/v3/groups/{gA}/users", None, None, 200,
     ["identity:list_users_in_group"], T(group="gA")),
    ("groups.users.check", "GET", "/v3/groups/{gA}/users/{uA}", None, None, 204,
     ["identity:check_user_in_group"], T(group="gA", user="uA")),
    ("groups.users.check.other-domain", "GET", "/v3/groups/{gB}/users/{uB}", None,
     None, 204, ["identity:check_user_in_group"], T(group="gB", user="uB")),
    ("groups.users.add", "PUT", "/v3/groups/{gX}/users/{uA}", None, "gX", 204,
     ["identity:add_user_to_group"], T(group="gX", user="uA")),
    ("groups.users.remove", "DELETE", "/v3/groups/{gX}/users/{uA}", None,
     "gX;PUT /v3/groups/{gX}/users/{uA}", 204, ["identity:remove_user_from_group"],
     T(group="gX", user="uA")),

    # roles.py (member target: the role; no target for list/create)
    ("roles.list", "GET", "/v3/roles", None, None, 200, ["identity:list_roles"], none),
    ("roles.list.domain", "GET", "/v3/roles?domain_id={dA}", None, None, 200,
     ["identity:list_domain_roles"], none),
    ("roles.create", "POST", "/v3/roles", '{"role": {"name": "{uniq}"}}', None, 201,
     ["identity:create_role"], none),
    ("roles.create.domain", "POST", "/v3/roles",
     '{"role": {"name": "{uniq}", "domain_id": "{dA}"}}', None, 201,
     ["identity:create_domain_role"],
     lambda p: {"target": {"role": {"name": "x", "domain_id": "dA"}}}),
    ("roles.get", "GET", "/v3/roles/{member}", None, None, 200, ["identity:get_role"],
     T(role="member")),
    ("roles.get.domain", "GET", "/v3/roles/{rA}", None, None, 200,
     ["identity:get_domain_role"], T(role="rA")),
    ("roles.update", "PATCH", "/v3/roles/{rX}", '{"role": {"description": "d"}}',
     "rX", 200, ["identity:update_role"], T(role="rX")),
    ("roles.delete", "DELETE", "/v3/roles/{rX}", None, "rX", 204,
     ["identity:delete_role"], T(role="rX")),
    ("roles.implies.list", "GET", "/v3/roles/{member}/implies", None, None, 200,
     ["identity:list_implied_roles"], T(prior_role="member")),
    ("roles.implies.get", "GET", "/v3/roles/{member}/implies/{reader}", None, None,
     200, ["identity:get_implied_role"], T(prior_role="member", implied_role="reader")),
    ("roles.implies.check", "HEAD", "/v3/roles/{member}/implies/{reader}", None, None,
     204, ["identity:check_implied_role", "identity:get_implied_role"],
     T(prior_role="member", implied_role="reader")),
    ("roles.implies.create", "PUT", "/v3/roles/{rX}/implies/{rY}", None, "rX;rY",
     201, ["identity:create_implied_role"], T(prior_role="rX", implied_role="rY")),
    ("roles.implies.delete", "DELETE", "/v3/roles/{rX}/implies/{rY}", None,
     "rX;rY;PUT /v3/roles/{rX}/implies/{rY}", 204, ["identity:delete_implied_role"],
     T(prior_role="rX", implied_role="rY")),
    ("roles.inferences", "GET", "/v3/role_inferences", None, None, 200,
     ["identity:list_role_inference_rules"], none),

    # role_assignments.py
    ("assignments.list", "GET", "/v3/role_assignments", None, None, 200,
     ["identity:list_role_assignments"], dom_list_target("domain_id")),
    ("assignments.tree", "GET",
     "/v3/role_assignments?scope.project.id={pA}&include_subtree=true", None, None,
     200, ["identity:list_role_assignments_for_tree"],
     # 29 adds target.domain_id, the project's domain
     lambda p: {"target": dict({"project": W["pA"]}, **(
         {"domain_id": "dA"} if VERSION == "keystone-29" else {}))}),
]

ROUTES += grant_routes("grants.project", "u", "pA", "/v3/projects/{pA}", "project")
ROUTES += grant_routes("grants.project", "g", "pA", "/v3/projects/{pA}", "project")
ROUTES += grant_routes("grants.domain", "u", "dA", "/v3/domains/{dA}", "domain")
ROUTES += grant_routes("grants.domain", "g", "dA", "/v3/domains/{dA}", "domain")
ROUTES += grant_routes("grants.system", "u", None, "/v3/system", None)
ROUTES += grant_routes("grants.system", "g", None, "/v3/system", None)
ROUTES += grant_routes("inherit.project", "u", "pA", "/v3/OS-INHERIT/projects/{pA}",
                       "project", True)
ROUTES += grant_routes("inherit.project", "g", "pA", "/v3/OS-INHERIT/projects/{pA}",
                       "project", True)
ROUTES += grant_routes("inherit.domain", "u", "dA", "/v3/OS-INHERIT/domains/{dA}",
                       "domain", True)
ROUTES += grant_routes("inherit.domain", "g", "dA", "/v3/OS-INHERIT/domains/{dA}",
                       "domain", True)
ROUTES += [
    # issue 7 §3 (a): a user of another domain, on this domain
    ("grants.domain.users.list.other-domain-user", "GET",
     "/v3/domains/{dA}/users/{uB}/roles", None, None, 200, ["identity:list_grants"],
     T(domain="dA", user="uB")),
    ("inherit.domain.users.list", "GET",
     "/v3/OS-INHERIT/domains/{dA}/users/{uA}/roles/inherited_to_projects", None, None,
     200, ["identity:list_grants"], T(domain="dA", user="uA")),
    ("inherit.domain.users.list.other-domain-user", "GET",
     "/v3/OS-INHERIT/domains/{dA}/users/{uB}/roles/inherited_to_projects", None, None,
     200, ["identity:list_grants"], T(domain="dA", user="uB")),
    ("inherit.domain.groups.list", "GET",
     "/v3/OS-INHERIT/domains/{dA}/groups/{gA}/roles/inherited_to_projects", None, None,
     200, ["identity:list_grants"], T(domain="dA", group="gA")),

    # regions.py, services.py: no member target; endpoints.py: the endpoint
    ("regions.list", "GET", "/v3/regions", None, None, 200, ["identity:list_regions"],
     none),
    ("regions.get", "GET", "/v3/regions/{region}", None, None, 200,
     ["identity:get_region"], none),
    ("regions.create", "POST", "/v3/regions", '{"region": {}}', None, 201,
     ["identity:create_region"], none),
    ("regions.put", "PUT", "/v3/regions/{uniq}", '{"region": {}}', None, 201,
     ["identity:create_region"], none),
    ("regions.update", "PATCH", "/v3/regions/{regionX}",
     '{"region": {"description": "d"}}', "regionX", 200, ["identity:update_region"],
     none),
    ("regions.delete", "DELETE", "/v3/regions/{regionX}", None, "regionX", 204,
     ["identity:delete_region"], none),
    ("services.list", "GET", "/v3/services", None, None, 200,
     ["identity:list_services"], none),
    ("services.get", "GET", "/v3/services/{service}", None, None, 200,
     ["identity:get_service"], none),
    ("services.create", "POST", "/v3/services", '{"service": {"type": "t"}}', None,
     201, ["identity:create_service"], none),
    ("services.update", "PATCH", "/v3/services/{serviceX}",
     '{"service": {"description": "d"}}', "serviceX", 200,
     ["identity:update_service"], none),
    ("services.delete", "DELETE", "/v3/services/{serviceX}", None, "serviceX", 204,
     ["identity:delete_service"], none),
    ("endpoints.list", "GET", "/v3/endpoints", None, None, 200,
     ["identity:list_endpoints"], none),
    ("endpoints.get", "GET", "/v3/endpoints/{endpoint}", None, None, 200,
     ["identity:get_endpoint"], T(endpoint="endpoint")),
    ("endpoints.create", "POST", "/v3/endpoints",
     '{"endpoint": {"service_id": "{service}", "interface": "admin", '
     '"url": "http://x.example:1/"}}', None, 201, ["identity:create_endpoint"], none),
    ("endpoints.update", "PATCH", "/v3/endpoints/{endpointX}",
     '{"endpoint": {"url": "http://y.example:1/"}}', "endpointX", 200,
     ["identity:update_endpoint"], T(endpoint="endpointX")),
    ("endpoints.delete", "DELETE", "/v3/endpoints/{endpointX}", None, "endpointX",
     204, ["identity:delete_endpoint"], T(endpoint="endpointX")),
]

# View args: the URL's {x} placeholders under Keystone's names.
VIEW_ARG = {"users": "user_id", "groups": "group_id", "roles": "role_id",
            "domains": "domain_id", "projects": "project_id", "regions": "region_id",
            "services": "service_id", "endpoints": "endpoint_id", "tags": "value",
            "implies": "implied_role_id"}


def view_args(path, persona):
    out = {}
    segs = path.split("?")[0].split("/")
    for i, s in enumerate(segs):
        if i == 0 or not (s.startswith("{") or segs[i - 1] == "tags"):
            continue
        prev = segs[i - 1]
        name = VIEW_ARG.get(prev)
        if name == "role_id" and i + 1 < len(segs) and segs[i + 1] == "implies":
            name = "prior_role_id"
        if name:
            v = s.strip("{}")
            out[name] = "self:" + persona[0] if v == "self" else v
    return out


def flatten(d, parent=""):
    """keystone.common.utils.flatten_dict"""
    out = {}
    for k, v in d.items():
        key = parent + "." + k if parent else k
        if isinstance(v, dict):
            out.update(flatten(v, key))
        else:
            out[key] = v
    return out


def enforcer(defaults, enforce_scope, enforce_new_defaults):
    conf = cfg.ConfigOpts()
    conf([], project="keygate-test")
    e = policy.Enforcer(conf, use_conf=True)
    conf.set_override("enforce_scope", enforce_scope, group="oslo_policy")
    conf.set_override("enforce_new_defaults", enforce_new_defaults,
                      group="oslo_policy")
    scopes = {1: "system", 2: "domain", 4: "project"}
    for d in defaults["rules"]:
        dep = None
        if d["deprecated_name"] is not None:
            dep = policy.DeprecatedRule(name=d["deprecated_name"],
                                        check_str=d["deprecated_check_str"],
                                        deprecated_reason="r", deprecated_since="s")
        kw = {}
        if d["deprecated_for_removal"]:
            kw = {"deprecated_for_removal": True, "deprecated_reason": "r",
                  "deprecated_since": "s"}
        e.register_default(policy.RuleDefault(
            d["name"], d["check_str"], deprecated_rule=dep,
            scope_types=[scopes[b] for b in (1, 2, 4) if d["scope_types"] & b] or None,
            **kw))
    e.load_rules()
    return e


def allowed(e, rules, flat, creds):
    for r in rules:
        try:
            if not e.enforce(r, dict(flat), dict(creds)):
                return False
        except policy.InvalidScope:     # enforce_scope: the token's scope
            return False
    return True


def cstr(s):
    return "NULL" if s is None else json.dumps(s)


def main():
    global VERSION
    dumps = {}
    for path in sys.argv[1:]:
        d = json.load(open(path))
        dumps[d["name"]] = d
    print("/*")
    print(" * it_policy_table.h - expected status of each route for each persona")
    print(" * under each policy configuration (pol_sets). GENERATED by")
    print(" * tests/integration/policy_table.py: the rules evaluated by the real")
    print(" * oslo.policy on the credentials and targets Keystone builds; see that")
    print(" * script for how each cell is derived. Do not edit; regenerate.")
    print(" */")
    print("#define POL_NPERSONAS %d" % len(PERSONAS))
    print("#define POL_NSETS %d" % len(SETS))
    print("static const char *const pol_personas[POL_NPERSONAS] = {")
    print("\t" + ", ".join(cstr(p[0]) for p in PERSONAS))
    print("};")
    print("static const struct pol_set pol_sets[POL_NSETS] = {")
    for name, sc, nd in SETS:
        print("\t{ %s, %d, %d }," % (cstr(name), sc, nd))
    print("};")
    enforcers = [enforcer(dumps[name], sc, nd) for name, sc, nd in SETS]
    print("static const struct pol_op pol_ops[] = {")
    names = set()
    for name, method, path, body, fresh, ok, rules, target in ROUTES:
        assert name not in names, name
        names.add(name)
        rows = []
        for (set_name, _, _), e in zip(SETS, enforcers):
            VERSION = set_name
            st = []
            for p in PERSONAS:
                creds = creds_of(*p)
                pd = dict(view_args(path, p))
                pd.update(target(p))
                flat = flatten(pd)
                yes = allowed(e, rules, flat, creds)
                if name == "auth.catalog" and p[1] != "project":
                    yes = False
                st.append(ok if yes else 403)
            rows.append("{ %s }" % ", ".join(str(x) for x in st))
        print("\t{ %s, %s, %s,\n\t  %s, %s,\n\t  { %s } }," % (
            cstr(name), cstr(method), cstr(path), cstr(body), cstr(fresh),
            ",\n\t    ".join(rows)))
    print("};")


if __name__ == "__main__":
    main()
