#!/usr/bin/python3
# policy_oslo.py - the decisions of the real oslo.policy (Debian's
# python3-oslo.policy 4.0, the version Keystone 22 ran with) for keygate's
# policy sets, as expected results for tests/unit/test_policy.c
# --oslo-cases (run by policy_oslo.sh).
#
#   policy_oslo.py DEFAULTS22.json DEFAULTS29.json WORKDIR > cases.json
#
# For each built-in set (dumped by test_policy --dump-defaults) and each
# combination of enforce_scope / enforce_new_defaults, an oslo Enforcer is
# built with those rules registered as RuleDefaults (scope_types and
# deprecated rules included) and asked about every rule for a sample of
# callers (credentials as Keystone's RequestContext.to_policy_values()
# gives them) and targets (flattened as Keystone's enforcer flattens
# them). A last configuration loads a policy file of random and tricky rule
# strings over the legacy set, to compare the parsers. Deterministic: a
# fixed random seed.
import json
import os
import random
import sys
import warnings

from oslo_config import cfg
from oslo_policy import policy

warnings.simplefilter("ignore")
rng = random.Random(20261125)

SCOPES = {1: "system", 2: "domain", 4: "project"}


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


def creds_of(p):
    """What Keystone's RequestContext.to_policy_values() holds for a token."""
    scope = p["scope"]
    roles = p["roles"] if scope != "none" else []
    token = {"user": {"id": p["user_id"], "domain": {"id": p["user_domain_id"]}},
             "methods": ["password"]}
    if scope != "none":
        token["roles"] = [{"id": r, "name": r} for r in roles]
    if scope == "project":
        token["project"] = {"id": p["project_id"],
                            "domain": {"id": p["project_domain_id"]}}
    elif scope == "domain":
        token["domain"] = {"id": p["domain_id"]}
    elif scope == "system":
        token["system"] = {"all": True}
    return {
        "user_id": p["user_id"],
        "user_domain_id": p["user_domain_id"],
        "system_scope": "all" if scope == "system" else None,
        "domain_id": p["domain_id"] if scope == "domain" else None,
        "project_id": p["project_id"] if scope == "project" else None,
        "project_domain_id": p["project_domain_id"] if scope == "project" else None,
        "roles": roles,
        "is_admin_project": scope != "domain",
        "service_user_id": None,
        "service_user_domain_id": None,
        "service_project_id": None,
        "service_project_domain_id": None,
        "service_roles": [],
        "token": token,
    }


def personas():
    out = []
    rolesets = [["admin", "manager", "member", "reader"], ["manager", "member", "reader"],
                ["member", "reader"], ["reader"], ["service"], [], ["Admin"]]
    for scope in ("system", "domain", "project", "none"):
        for roles in rolesets:
            for dom in ("d1", "d2"):
                p = {"scope": scope, "roles": roles, "user_id": "u1",
                     "user_domain_id": "d1", "domain_id": None, "project_id": None,
                     "project_domain_id": None}
                if scope == "domain":
                    p["domain_id"] = dom
                elif scope == "project":
                    p["project_id"] = "p1" if dom == "d1" else "p2"
                    p["project_domain_id"] = dom
                elif dom == "d2":
                    continue
                out.append(p)
    return out


def json_creds(p):
    """The same caller as keygate's pcreds_from_json reads it."""
    c = creds_of(p)
    return {k: c[k] for k in ("user_id", "user_domain_id", "system_scope",
                              "domain_id", "project_id", "project_domain_id", "roles")}


VALUES = ["u1", "u2", "d1", "d2", "p1", "p2", None, "member", "manager",
          "reader", "admin", True, False]
KEYS = {
    "user_id": ["u1", "u2"], "group_id": ["g1"], "role_id": ["r1"],
    "domain_id": ["d1", "d2"], "project_id": ["p1", "p2"],
    "target.domain_id": ["d1", "d2"],
    "target.user.id": ["u1", "u2"], "target.user.domain_id": ["d1", "d2"],
    "target.user.enabled": [True, False],
    "target.project.id": ["p1", "p2"], "target.project.domain_id": ["d1", "d2", None],
    "target.project.parent_id": ["d1", "p1"],
    "target.domain.id": ["d1", "d2"], "target.domain.enabled": [True],
    "target.group.id": ["g1"], "target.group.domain_id": ["d1", "d2"],
    "target.role.id": ["r1"], "target.role.name": ["member", "manager", "reader",
                                                   "admin", "Member"],
    "target.role.domain_id": [None, "d1", "d2"],
    "target.token.user_id": ["u1", "u2"], "target.token.user.domain.id": ["d1", "d2"],
}


def unflatten(flat):
    out = {}
    for k, v in flat.items():
        parts = k.split(".")
        d = out
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return out


def targets(n):
    out = [{}]
    for _ in range(n):
        flat = {k: rng.choice(v) for k, v in KEYS.items() if rng.random() < 0.55}
        out.append(unflatten(flat))
    return out


ATOMS = [
    "role:admin", "role:READER", "role:member", "role:manager", "role:service",
    "system_scope:all", "system_scope:None", "domain_id:None", "project_id:None",
    "domain_id:%(target.domain.id)s", "domain_id:%(target.user.domain_id)s",
    "domain_id:%(target.project.domain_id)s", "domain_id:%(target.domain_id)s",
    "domain_id:%(target.role.domain_id)s", "None:%(target.role.domain_id)s",
    "None:%(target.project.domain_id)s", "'member':%(target.role.name)s",
    "'manager':%(target.role.name)s", "True:%(target.user.enabled)s",
    "user_id:%(user_id)s", "user_id:%(target.user.id)s",
    "user_id:%(target.token.user_id)s", "project_id:%(target.project.id)s",
    "token.domain.id:%(target.user.domain_id)s",
    "token.project.domain.id:%(target.domain.id)s", "roles:reader",
    "token.roles.name:admin", "is_admin:1", "is_admin_project:True", "system:all",
    "user_domain_id:d1", "role:%(target.role.name)s", "@", "!",
    "rule:admin_required", "rule:service_or_admin", "rule:owner",
    "project_domain_id:%(domain_id)s", "'u1':%(user_id)s", "1:1",
]


def rand_expr(depth):
    if depth <= 0 or rng.random() < 0.3:
        return ("atom", rng.choice(ATOMS))
    kind = rng.choice(["and", "or", "or", "not"])
    if kind == "not":
        return ("not", rand_expr(depth - 1))
    return (kind, [rand_expr(depth - 1) for _ in range(rng.randint(2, 4))])


def word(w):
    return rng.choice([w, w, w.upper(), w.capitalize()])


def render(e, top=False):
    if e[0] == "atom":
        return e[1]
    if e[0] == "not":
        inner = render(e[1])
        if e[1][0] in ("and", "or"):
            inner = "(" + inner + ")"
        return word("not") + " " + inner
    sep = rng.choice([" ", "  ", "\t", " \n "])
    parts = []
    for k in e[1]:
        s = render(k)
        # Parentheses sometimes dropped: the string stays well formed, its
        # meaning is whatever oslo's precedence makes of it.
        if k[0] in ("and", "or") and rng.random() < 0.7:
            s = "(" + s + ")"
        parts.append(s)
    return (sep + word(e[0]) + sep).join(parts)


TRICKY = [
    "", "@", "!", "not @", "not !",
    "role:admin or role:member and role:reader",
    "role:admin and role:member or role:reader",
    "(role:admin or role:member) and role:reader",
    "not role:admin and role:member",
    "not (role:admin and role:member)",
    "role:a or not role:b and role:c or role:d",
    "((role:admin)) and (((role:member)))",
    "role:admin AND role:member Or NOT role:reader",
    "rule:admin_required or (role:reader and system_scope:all)",
    "not domain_id:None and role:manager",
    "(domain_id:%(target.role.domain_id)s or None:%(target.role.domain_id)s)",
    "'manager':%(target.role.name)s or 'member':%(target.role.name)s",
    "True:%(target.user.enabled)s and not False:%(target.user.enabled)s",
    "user_id:%(user_id)s%%", "'u1%':%(user_id)s%%", "'x-u1':x-%(user_id)s",
    "-1:-1", "+2:2", "0:0", "None:None", "True:True",
    "token.system.all:True", "token.roles.id:reader",
]


def build_enforcer(defaults, scope, newdef, path):
    conf = cfg.ConfigOpts()
    conf([], project="keygate-test")
    e = policy.Enforcer(conf, policy_file=path, use_conf=True)
    conf.set_override("enforce_scope", bool(scope), group="oslo_policy")
    conf.set_override("enforce_new_defaults", bool(newdef), group="oslo_policy")
    for d in defaults["rules"]:
        dep = None
        if d["deprecated_name"] is not None:
            dep = policy.DeprecatedRule(name=d["deprecated_name"],
                                        check_str=d["deprecated_check_str"],
                                        deprecated_reason="r", deprecated_since="s")
        scopes = [SCOPES[b] for b in (1, 2, 4) if d["scope_types"] & b] or None
        kw = {}
        if d["deprecated_for_removal"]:
            kw = {"deprecated_for_removal": True, "deprecated_reason": "r",
                  "deprecated_since": "s"}
        e.register_default(policy.RuleDefault(d["name"], d["check_str"],
                                              scope_types=scopes, deprecated_rule=dep,
                                              **kw))
    e.load_rules()
    return e


def decide(e, name, target, creds):
    try:
        return bool(e.enforce(name, flatten(target), dict(creds)))
    except policy.InvalidScope:
        return False


def main():
    d22 = json.load(open(sys.argv[1]))
    d29 = json.load(open(sys.argv[2]))
    work = sys.argv[3]
    ps = personas()
    ts = targets(40)
    out = {"creds": [json_creds(p) for p in ps], "targets": ts, "configs": []}
    allcreds = [creds_of(p) for p in ps]

    def config(name, defaults, scope, newdef, path, rules, per_rule):
        e = build_enforcer(defaults, scope, newdef, path)
        cases = []
        for ri, rule in enumerate(rules):
            pairs = [(c, t) for c in range(len(ps)) for t in range(len(ts))]
            for c, t in rng.sample(pairs, min(per_rule, len(pairs))):
                cases.append([ri, c, t, 1 if decide(e, rule, ts[t], allcreds[c]) else 0])
        out["configs"].append({"name": name, "defaults": defaults["name"],
                               "enforce_scope": scope, "enforce_new_defaults": newdef,
                               "policy_file": path, "rules": rules, "cases": cases})

    for defaults in (d22, d29):
        names = [d["name"] for d in defaults["rules"]]
        for scope in (0, 1):
            for newdef in (0, 1):
                config("%s scope=%d new=%d" % (defaults["name"], scope, newdef),
                       defaults, scope, newdef, None, names, 30)

    # Random and tricky rule strings in a policy file over the legacy set.
    rules = {}
    for i, r in enumerate(TRICKY):
        rules["tricky:%d" % i] = r
    for i in range(400):
        rules["random:%d" % i] = render(rand_expr(4), True)
    rules["identity:get_user"] = "role:member and user_id:%(target.user.id)s"
    path = os.path.join(work, "random-policy.yaml")
    with open(path, "w") as f:
        for k, v in rules.items():
            f.write("%s: %s\n" % (json.dumps(k), json.dumps(v)))
    names = list(rules) + ["admin_required", "identity:list_domains"]
    config("random rules over %s" % d22["name"], d22, 0, 0, path, names, 80)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
