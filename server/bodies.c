/*
 * bodies.c - the request bodies keygate accepts (see bodies.h).
 *
 * Each schema follows Keystone 22's; properties are listed in Keystone's
 * order (the order jsonschema finds errors in). "column" is the size of
 * Keystone's SQL column (StringLengthExceeded when longer); keygate's own
 * limits, where Keystone has none, are marked "keygate".
 */
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "common/types.h"
#include "server/bodies.h"

/* ------------------------------------------------------------------------
 * Parameter types (keystone/common/validation/parameter_types.py).
 * --------------------------------------------------------------------- */

static const struct vschema boolean = {
	.type = VT_BOOLEAN,
};

/* validation.nullable(boolean): resource options */
static const struct vschema boolean_null = {
	.type = VT_BOOLEAN | VT_NULL,
};

/* id_string, in String(64) columns */
static const struct vschema id_string = {
	.type = VT_STRING, .min_length = 1, .max_length = 64, .pattern = VP_ID,
};

static const struct vschema id_string_null = {
	.type = VT_STRING | VT_NULL, .min_length = 1, .max_length = 64,
	.pattern = VP_ID,
};

/* name (and identity's _identity_name): 1..255 characters, not blank */
static const struct vschema name = {
	.type = VT_STRING, .min_length = 1, .max_length = 255,
	.pattern = VP_NONBLANK, .max_bytes = BODY_NAME_BYTES,
};

/* description, nullable, in a Text() column (keygate: MySQL's TEXT) */
static const struct vschema description_null = {
	.type = VT_STRING | VT_NULL, .column = BODY_TEXT_MAX,
};

/* a password: never echoed; keygate refuses more than PASSWORD_MAX */
static const struct vschema password = {
	.type = VT_STRING, .flags = VF_SECRET, .max_length = PASSWORD_MAX,
};

static const struct vschema password_null = {
	.type = VT_STRING | VT_NULL, .flags = VF_SECRET,
	.max_length = PASSWORD_MAX,
};

static const struct vprop resource_options_props[] = {
	{ "immutable", &boolean_null },
	{ NULL, NULL }
};

/* The resource options of projects, domains and roles (keystone/common/
 * resource_options: every option nullable, no others): immutable. */
static const struct vschema resource_options = {
	.type = VT_OBJECT, .properties = resource_options_props, .closed = 1,
};

/* ------------------------------------------------------------------------
 * Identity: users, password change, groups (keystone/identity/schema.py).
 * --------------------------------------------------------------------- */

static const struct vschema string_col64 = {
	.type = VT_STRING, .column = 64,
};

static const struct vschema string_col255 = {
	.type = VT_STRING, .column = 255,
};

static const struct vprop federated_protocol_props[] = {
	{ "protocol_id", &string_col64 },
	{ "unique_id", &string_col255 },
	{ NULL, NULL }
};

static const struct vschema federated_protocol = {
	.type = VT_OBJECT, .properties = federated_protocol_props,
	.required = (const char *const[]){ "protocol_id", "unique_id", NULL },
};

static const struct vschema federated_protocols = {
	.type = VT_ARRAY, .items = &federated_protocol, .min_items = 1,
};

static const struct vprop federated_props[] = {
	{ "idp_id", &string_col64 },
	{ "protocols", &federated_protocols },
	{ NULL, NULL }
};

static const struct vschema federated_item = {
	.type = VT_OBJECT, .properties = federated_props,
	.required = (const char *const[]){ "idp_id", "protocols", NULL },
};

static const struct vschema federated = {
	.type = VT_ARRAY, .items = &federated_item,
};

/*
 * multi_factor_auth_rules (keystone/identity/backends/resource_options.py
 * MFA_RULES_OPT): a list of distinct, non-empty lists of distinct method
 * names. keygate bounds what Keystone leaves open: 64 rules of at most 16
 * names of at most 255 characters.
 */
static const struct vschema mfa_method = {
	.type = VT_STRING, .max_length = 255,
};

static const struct vschema mfa_rule = {
	.type = VT_ARRAY, .items = &mfa_method, .min_items = 1, .max_items = 16,
	.unique_items = 1,
};

static const struct vschema mfa_rules_null = {
	.type = VT_ARRAY | VT_NULL, .items = &mfa_rule, .max_items = 64,
	.unique_items = 1,
	.title = "lists of auth methods; a login needs every method of one",
};

/*
 * The user resource options keygate implements (keystone/identity/backends/
 * resource_options.py, the registry's json_schema: each nullable, null
 * removes it): the PCI-DSS ones (auth/compliance.h) and the multi-factor
 * ones (auth/mfa.h). auth/compliance.c's compliance_option_names lists
 * them all (test_validate valid-8.18 holds the two together).
 */
static const struct vprop user_options_props[] = {
	{ "ignore_change_password_upon_first_use", &boolean_null },
	{ "ignore_password_expiry", &boolean_null },
	{ "ignore_lockout_failure_attempts", &boolean_null },
	{ "lock_password", &boolean_null },
	{ "ignore_user_inactivity", &boolean_null },
	{ "multi_factor_auth_enabled", &boolean_null },
	{ "multi_factor_auth_rules", &mfa_rules_null },
	{ NULL, NULL }
};

static const struct vschema user_options = {
	.type = VT_OBJECT, .properties = user_options_props, .closed = 1,
	.title = "user options: PCI-DSS (security compliance) and multi-factor",
};

static const struct vprop user_props[] = {
	{ "default_project_id", &id_string_null },
	{ "description", &description_null },
	{ "domain_id", &id_string },
	{ "enabled", &boolean },
	{ "federated", &federated },
	{ "name", &name },
	{ "password", &password_null },
	{ "options", &user_options },
	{ NULL, NULL }
};

static const struct vschema user_create = {
	.type = VT_OBJECT, .properties = user_props,
	.required = (const char *const[]){ "name", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema user_update = {
	.type = VT_OBJECT, .properties = user_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vprop password_change_props[] = {
	{ "original_password", &password },
	{ "password", &password },
	{ NULL, NULL }
};

static const struct vschema password_change = {
	.type = VT_OBJECT, .properties = password_change_props,
	.required = (const char *const[]){ "original_password", "password", NULL },
	.closed = 1,
};

/* A group's name: the schema allows 255, its column String(64). */
static const struct vschema group_name = {
	.type = VT_STRING, .min_length = 1, .max_length = 255,
	.pattern = VP_NONBLANK, .column = 64, .max_bytes = BODY_NAME_BYTES,
};

static const struct vprop group_props[] = {
	{ "description", &description_null },
	{ "domain_id", &id_string },
	{ "name", &group_name },
	{ NULL, NULL }
};

static const struct vschema group_create = {
	.type = VT_OBJECT, .properties = group_props,
	.required = (const char *const[]){ "name", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema group_update = {
	.type = VT_OBJECT, .properties = group_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* ------------------------------------------------------------------------
 * Resource: projects, tags, domains (keystone/resource/schema.py).
 * --------------------------------------------------------------------- */

/* _name_properties: 1..64 characters, not blank */
static const struct vschema name64 = {
	.type = VT_STRING, .min_length = 1, .max_length = 64,
	.pattern = VP_NONBLANK, .max_bytes = BODY_NAME_BYTES,
};

/* _project_tag_name_properties, in a Unicode(255) column */
static const struct vschema tag = {
	.type = VT_STRING, .min_length = 1, .max_length = 255, .pattern = VP_TAG,
};

/* _project_tags_list_properties */
static const struct vschema tags = {
	.type = VT_ARRAY, .items = &tag, .max_items = 80, .unique_items = 1,
};

static const struct vprop project_props[] = {
	{ "description", &description_null },
	{ "domain_id", &id_string_null },
	{ "enabled", &boolean },
	{ "is_domain", &boolean },
	{ "parent_id", &id_string_null },
	{ "name", &name64 },
	{ "tags", &tags },
	{ "options", &resource_options },
	{ NULL, NULL }
};

static const struct vschema project_create = {
	.type = VT_OBJECT, .properties = project_props,
	.required = (const char *const[]){ "name", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema project_update = {
	.type = VT_OBJECT, .properties = project_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* Keystone's domain properties (options: PROJECT_OPTIONS_REGISTRY's), then
 * explicit_domain_id (Keystone 22 reads it outside the schema). */
static const struct vprop domain_props[] = {
	{ "description", &description_null },
	{ "enabled", &boolean },
	{ "name", &name64 },
	{ "tags", &tags },
	{ "options", &resource_options },
	{ "explicit_domain_id", &id_string },
	{ NULL, NULL }
};

static const struct vschema domain_create = {
	.type = VT_OBJECT, .properties = domain_props,
	.required = (const char *const[]){ "name", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema domain_update = {
	.type = VT_OBJECT, .properties = domain_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* ------------------------------------------------------------------------
 * Roles (keystone/assignment/schema.py).
 * --------------------------------------------------------------------- */

/* parameter_types.description in the role table's String(255) */
static const struct vschema role_description = {
	.type = VT_STRING, .column = 255,
};

/* Keystone's three, then domain_id (Keystone reads it outside the schema). */
static const struct vprop role_props[] = {
	{ "name", &name },
	{ "description", &role_description },
	{ "options", &resource_options },	/* ROLE_OPTIONS_REGISTRY */
	{ "domain_id", &id_string_null },
	{ NULL, NULL }
};

static const struct vschema role_create = {
	.type = VT_OBJECT, .properties = role_props,
	.required = (const char *const[]){ "name", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema role_update = {
	.type = VT_OBJECT, .properties = role_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* ------------------------------------------------------------------------
 * Catalog: regions, services, endpoints (keystone/catalog/schema.py).
 * --------------------------------------------------------------------- */

/* The region table's String(255) columns; keygate keeps region ids in
 * BODY_ID_BYTES. */
static const struct vschema region_description = {
	.type = VT_STRING | VT_NULL, .column = 255,
};

static const struct vschema region_id = {
	.type = VT_STRING, .column = 255, .max_bytes = BODY_ID_BYTES,
};

/* keygate: an empty parent is refused rather than looked up. A longer one
 * than keygate's ids names no region (404, as for a missing one). */
static const struct vschema region_parent = {
	.type = VT_STRING | VT_NULL, .min_length = 1, .column = 255,
};

static const struct vprop region_props[] = {
	{ "description", &region_description },
	{ "id", &region_id },
	{ "parent_region_id", &region_parent },
	{ NULL, NULL }
};

static const struct vschema region_create = {
	.type = VT_OBJECT, .properties = region_props,
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema region_update = {
	.type = VT_OBJECT, .properties = region_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* _service_properties_type, in a String(255) column */
static const struct vschema service_type = {
	.type = VT_STRING, .min_length = 1, .max_length = 255, .column = 255,
	.max_bytes = BODY_NAME_BYTES,
};

/* keygate keeps a service's description in a column (Keystone: in extra,
 * of any type). */
static const struct vprop service_props[] = {
	{ "enabled", &boolean },
	{ "name", &name },
	{ "type", &service_type },
	{ "description", &description_null },
	{ NULL, NULL }
};

static const struct vschema service_create = {
	.type = VT_OBJECT, .properties = service_props,
	.required = (const char *const[]){ "type", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema service_update = {
	.type = VT_OBJECT, .properties = service_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema endpoint_interface = {
	.type = VT_STRING,
	.enumv = (const char *const[]){ "admin", "internal", "public", NULL },
};

/* An existing region: one longer than keygate's ids names none (400, as
 * for a missing one). */
static const struct vschema endpoint_region_id = {
	.type = VT_STRING, .column = 255,
};

/* The legacy "region" is stored as region_id (and created). */
static const struct vschema endpoint_region = {
	.type = VT_STRING, .column = 255, .max_bytes = BODY_ID_BYTES,
	.column_name = "region_id",
};

static const struct vschema endpoint_service_id = {
	.type = VT_STRING, .column = 64, .max_bytes = BODY_ID_BYTES,
};

/* parameter_types.url */
static const struct vschema url = {
	.type = VT_STRING, .max_length = 225, .pattern = VP_URL,
};

static const struct vprop endpoint_props[] = {
	{ "enabled", &boolean },
	{ "interface", &endpoint_interface },
	{ "region_id", &endpoint_region_id },
	{ "region", &endpoint_region },
	{ "service_id", &endpoint_service_id },
	{ "url", &url },
	{ NULL, NULL }
};

static const struct vschema endpoint_create = {
	.type = VT_OBJECT, .properties = endpoint_props,
	.required = (const char *const[]){ "interface", "service_id", "url", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema endpoint_update = {
	.type = VT_OBJECT, .properties = endpoint_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* ------------------------------------------------------------------------
 * Unified limits (keystone/limit/schema.py).
 * --------------------------------------------------------------------- */

/* keygate: one request creates at most this many (Keystone: no bound but
 * the body size). */
#define BODY_LIMITS_MAX	1000

/* An integer limit: -1 (none) .. the largest signed INT. */
static const struct vschema limit_integer = {
	.type = VT_INTEGER, .flags = VF_MINIMUM | VF_MAXIMUM,
	.minimum = -1, .maximum = 0x7FFFFFFF,
};

/* resource_name: 1..255 characters, in a String(255) column */
static const struct vschema resource_name = {
	.type = VT_STRING, .min_length = 1, .max_length = 255,
	.max_bytes = BODY_NAME_BYTES,
};

/* A registered limit's region, in Keystone's String(64) column. */
static const struct vschema registered_region_id = {
	.type = VT_STRING | VT_NULL, .column = 64, .max_bytes = BODY_ID_BYTES,
};

/* A limit's region: Keystone looks it up (no column); keygate's region
 * ids are at most BODY_ID_BYTES. */
static const struct vschema limit_region_id = {
	.type = VT_STRING, .max_bytes = BODY_ID_BYTES,
};

static const struct vprop registered_limit_props[] = {
	{ "service_id", &id_string },
	{ "region_id", &registered_region_id },
	{ "resource_name", &resource_name },
	{ "default_limit", &limit_integer },
	{ "description", &description_null },
	{ NULL, NULL }
};

static const struct vschema registered_limit_item = {
	.type = VT_OBJECT, .properties = registered_limit_props,
	.required = (const char *const[]){ "service_id", "resource_name",
	    "default_limit", NULL },
	.closed = 1,
};

static const struct vschema registered_limit_create = {
	.type = VT_ARRAY, .items = &registered_limit_item, .min_items = 1,
	.max_items = BODY_LIMITS_MAX,
};

static const struct vschema registered_limit_update = {
	.type = VT_OBJECT, .properties = registered_limit_props, .closed = 1,
};

static const struct vprop project_limit_props[] = {
	{ "project_id", &id_string },
	{ "service_id", &id_string },
	{ "region_id", &limit_region_id },
	{ "resource_name", &resource_name },
	{ "resource_limit", &limit_integer },
	{ "description", &description_null },
	{ NULL, NULL }
};

static const struct vprop domain_limit_props[] = {
	{ "domain_id", &id_string },
	{ "service_id", &id_string },
	{ "region_id", &limit_region_id },
	{ "resource_name", &resource_name },
	{ "resource_limit", &limit_integer },
	{ "description", &description_null },
	{ NULL, NULL }
};

static const struct vschema project_limit = {
	.properties = project_limit_props,
	.required = (const char *const[]){ "project_id", "service_id",
	    "resource_name", "resource_limit", NULL },
	.closed = 1,
};

static const struct vschema domain_limit = {
	.properties = domain_limit_props,
	.required = (const char *const[]){ "domain_id", "service_id",
	    "resource_name", "resource_limit", NULL },
	.closed = 1,
};

/* A project's limit or a domain's, never both (Keystone's oneOf). */
static const struct vschema limit_item = {
	.type = VT_OBJECT,
	.one_of = (const struct vschema *const[]){ &project_limit,
	    &domain_limit, NULL },
};

static const struct vschema limit_create = {
	.type = VT_ARRAY, .items = &limit_item, .min_items = 1,
	.max_items = BODY_LIMITS_MAX,
};

static const struct vprop limit_update_props[] = {
	{ "resource_limit", &limit_integer },
	{ "description", &description_null },
	{ NULL, NULL }
};

static const struct vschema limit_update = {
	.type = VT_OBJECT, .properties = limit_update_props, .closed = 1,
};

/* ------------------------------------------------------------------------
 * Policies (keystone/policy/schema.py).
 * --------------------------------------------------------------------- */

/* The blob, in Keystone's JsonBlob (Text) column. */
static const struct vschema policy_blob = {
	.type = VT_STRING, .column = BODY_TEXT_MAX,
};

/* keygate keeps it in BODY_NAME_BYTES */
static const struct vschema policy_type = {
	.type = VT_STRING, .max_length = 255, .max_bytes = BODY_NAME_BYTES,
};

static const struct vprop policy_props[] = {
	{ "blob", &policy_blob },
	{ "type", &policy_type },
	{ NULL, NULL }
};

static const struct vschema policy_create = {
	.type = VT_OBJECT, .properties = policy_props,
	.required = (const char *const[]){ "blob", "type", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vschema policy_update = {
	.type = VT_OBJECT, .properties = policy_props, .min_properties = 1,
	.extra_max = BODY_EXTRA_MAX,
};

/* ------------------------------------------------------------------------
 * Endpoint groups (keystone/catalog/schema.py, OS-EP-FILTER).
 * --------------------------------------------------------------------- */

/* The filters' keys and non-emptiness are checked by the handler, after
 * the schema, as Keystone's _require_valid_filter does. */
static const struct vschema endpoint_group_filters = {
	.type = VT_OBJECT,
};

/* "id" (matched against the URL's on update) and "links" are read and
 * ignored, as Keystone does. */
static const struct vschema anything = { .type = 0 };

/* Keystone's three, then the two it ignores. Keystone's model has no
 * "extra": other attributes make it fail (500); keygate refuses them. */
static const struct vprop endpoint_group_props[] = {
	{ "description", &description_null },
	{ "filters", &endpoint_group_filters },
	{ "name", &name },
	{ "id", &anything },
	{ "links", &anything },
	{ NULL, NULL }
};

static const struct vschema endpoint_group_create = {
	.type = VT_OBJECT, .properties = endpoint_group_props,
	.required = (const char *const[]){ "name", "filters", NULL },
	.closed = 1,
};

static const struct vschema endpoint_group_update = {
	.type = VT_OBJECT, .properties = endpoint_group_props,
	.min_properties = 1, .closed = 1,
};

/* ------------------------------------------------------------------------
 * Domain configuration (keystone/api/domains.py; Keystone has no schema:
 * its manager refuses unsupported groups and options with 403, and so
 * does svc/domain_config.c). keygate: the configuration is an object, and
 * its JSON at most BODY_EXTRA_MAX bytes.
 * --------------------------------------------------------------------- */

static const struct vschema domain_config = {
	.type = VT_OBJECT, .extra_max = BODY_EXTRA_MAX, .column_name = "config",
	.title = "{group: {option: value}}, or {option: value} for one option",
};

/* ------------------------------------------------------------------------
 * Tokens (keystone/auth/schema.py token_issue).
 *
 * Keystone's schema has no lengths here; names and ids are bounded by the
 * columns they are looked up in (a longer one cannot exist).
 * --------------------------------------------------------------------- */

static const struct vschema domain_name_col = {	/* project.name String(64) */
	.type = VT_STRING, .column = 64, .max_bytes = BODY_NAME_BYTES,
	.column_name = "name",
};

static const struct vschema id_col = {
	.type = VT_STRING, .column = 64, .max_bytes = BODY_ID_BYTES,
	.column_name = "id",
};

static const struct vprop auth_domain_props[] = {
	{ "id", &id_col },
	{ "name", &domain_name_col },
	{ NULL, NULL }
};

static const struct vschema auth_domain = {
	.type = VT_OBJECT, .properties = auth_domain_props,
};

static const struct vschema user_name_col = {	/* local_user.name String(255) */
	.type = VT_STRING, .column = 255, .max_bytes = BODY_NAME_BYTES,
	.column_name = "name",
};

static const struct vschema auth_password = {
	.type = VT_STRING, .flags = VF_SECRET, .max_length = PASSWORD_MAX,
};

static const struct vprop auth_user_props[] = {
	{ "id", &id_col },
	{ "name", &user_name_col },
	{ "password", &auth_password },
	{ "domain", &auth_domain },
	{ NULL, NULL }
};

static const struct vschema auth_user = {
	.type = VT_OBJECT, .properties = auth_user_props,
};

static const struct vprop auth_password_method_props[] = {
	{ "user", &auth_user },
	{ NULL, NULL }
};

static const struct vschema auth_password_method = {
	.type = VT_OBJECT, .properties = auth_password_method_props,
};

/* A token is a credential: never echoed; keygate: at most BODY_TOKEN_MAX. */
static const struct vschema auth_token_id = {
	.type = VT_STRING, .flags = VF_SECRET, .max_length = BODY_TOKEN_MAX,
};

static const struct vprop auth_token_method_props[] = {
	{ "id", &auth_token_id },
	{ NULL, NULL }
};

static const struct vschema auth_token_method = {
	.type = VT_OBJECT, .properties = auth_token_method_props,
	.required = (const char *const[]){ "id", NULL },
};

/* keygate: a method name is at most 64 characters, 16 of them at most. */
static const struct vschema auth_method = {
	.type = VT_STRING, .max_length = 64,
};

static const struct vschema auth_methods = {
	.type = VT_ARRAY, .items = &auth_method, .max_items = 16,
};

/* A TOTP passcode is a credential: never echoed; keygate: 64 at most. */
static const struct vschema auth_passcode = {
	.type = VT_STRING, .flags = VF_SECRET, .max_length = 64,
};

static const struct vprop auth_totp_user_props[] = {
	{ "id", &id_col },
	{ "name", &user_name_col },
	{ "passcode", &auth_passcode },
	{ "domain", &auth_domain },
	{ NULL, NULL }
};

/*
 * The application_credential method (keygate's: Keystone's schema leaves
 * it out and reads its members untyped in AuthInfo). The credential by id,
 * or by name with its user (by id, or by name with its domain), and its
 * secret; the lengths are those of the columns they are looked up in.
 */
static const struct vschema appcred_name_col = {	/* String(255) */
	.type = VT_STRING, .column = 255, .max_bytes = BODY_NAME_BYTES,
	.column_name = "name",
};

/* A secret is a credential: never echoed; keygate: as long as a password. */
static const struct vschema appcred_secret = {
	.type = VT_STRING, .flags = VF_SECRET, .max_length = PASSWORD_MAX,
};

static const struct vprop auth_appcred_user_props[] = {
	{ "id", &id_col },
	{ "name", &user_name_col },
	{ "domain", &auth_domain },
	{ NULL, NULL }
};

static const struct vschema auth_totp_user = {
	.type = VT_OBJECT, .properties = auth_totp_user_props,
};

static const struct vprop auth_totp_method_props[] = {
	{ "user", &auth_totp_user },
	{ NULL, NULL }
};

/* Keystone's schema leaves "totp" open; TOTPUserInfo reads it. */
static const struct vschema auth_totp_method = {
	.type = VT_OBJECT, .properties = auth_totp_method_props,
};

static const struct vschema auth_appcred_user = {
	.type = VT_OBJECT, .properties = auth_appcred_user_props,
};

static const struct vprop auth_appcred_method_props[] = {
	{ "id", &id_col },
	{ "name", &appcred_name_col },
	{ "secret", &appcred_secret },
	{ "user", &auth_appcred_user },
	{ NULL, NULL }
};

static const struct vschema auth_appcred_method = {
	.type = VT_OBJECT, .properties = auth_appcred_method_props,
};

/* Keystone's three, totp (which its schema leaves open), then keygate's
 * application_credential. */
static const struct vprop identity_props[] = {
	{ "methods", &auth_methods },
	{ "password", &auth_password_method },
	{ "token", &auth_token_method },
	{ "totp", &auth_totp_method },
	{ "application_credential", &auth_appcred_method },
	{ NULL, NULL }
};

static const struct vschema identity = {
	.type = VT_OBJECT, .properties = identity_props,
	.required = (const char *const[]){ "methods", NULL },
};

static const struct vprop scope_project_props[] = {
	{ "name", &domain_name_col },
	{ "id", &id_col },
	{ "domain", &auth_domain },
	{ NULL, NULL }
};

static const struct vschema scope_project = {
	.type = VT_OBJECT, .properties = scope_project_props,
};

static const struct vprop trust_props[] = {
	{ "id", &id_col },
	{ NULL, NULL }
};

static const struct vschema scope_trust = {
	.type = VT_OBJECT, .properties = trust_props,
};

static const struct vprop system_props[] = {
	{ "all", &boolean },
	{ NULL, NULL }
};

static const struct vschema scope_system = {
	.type = VT_OBJECT, .properties = system_props,
};

static const struct vprop scope_props[] = {
	{ "project", &scope_project },
	{ "domain", &auth_domain },
	{ "OS-TRUST:trust", &scope_trust },
	{ "system", &scope_system },
	{ NULL, NULL }
};

/* An object, or the string "unscoped" (keygate: at most 64 characters). */
static const struct vschema scope = {
	.type = VT_OBJECT | VT_STRING, .properties = scope_props,
	.max_length = 64,
};

static const struct vprop token_issue_props[] = {
	{ "identity", &identity },
	{ "scope", &scope },
	{ NULL, NULL }
};

static const struct vschema token_issue = {
	.type = VT_OBJECT, .properties = token_issue_props,
	.required = (const char *const[]){ "identity", NULL },
};

/* An object member that must carry "id" or "name" when present. */
static int
id_or_name(const json_t *o, const char *path, struct kg_err *err)
{
	if (o == NULL || json_object_get(o, "id") != NULL ||
	    json_object_get(o, "name") != NULL)
		return 0;
	return kg_errf(err, KG_EBADREQ, "Invalid input for field %s: id or name "
	    "must be present.", path);
}

/* keystone/auth/schema.py validate_issue_token_auth, after the schema. */
static int
token_issue_check(const json_t *auth, struct kg_err *err)
{
	json_t	*user, *sc, *project;

	user = json_object_get(json_object_get(json_object_get(auth, "identity"),
	    "password"), "user");
	if (id_or_name(user, "identity/password/user", err) == -1 ||
	    id_or_name(json_object_get(user, "domain"),
	    "identity/password/user/domain", err) == -1)
		return -1;
	if (!json_is_object(sc = json_object_get(auth, "scope")))
		return 0;
	project = json_object_get(sc, "project");
	if (id_or_name(project, "scope/project", err) == -1 ||
	    id_or_name(json_object_get(project, "domain"), "scope/project/domain",
	    err) == -1 ||
	    id_or_name(json_object_get(sc, "domain"), "scope/domain", err) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Application credentials and access rules
 * (keystone/application_credential/schema.py).
 * --------------------------------------------------------------------- */

/* _role_properties' items: a role by id or by name, exactly one of them */
static const struct vprop appcred_role_props[] = {
	{ "id", &id_string },
	{ "name", &name },
	{ NULL, NULL }
};

static const struct vschema appcred_role = {
	.type = VT_OBJECT, .properties = appcred_role_props,
	.min_properties = 1, .max_properties = 1, .closed = 1,
};

static const struct vschema appcred_roles = {
	.type = VT_ARRAY, .items = &appcred_role,
};

/* An access rule's path: the schema allows 225 characters, its column
 * String(128); keygate keeps it in KG_ACCESS_PATH_SIZE bytes. */
static const struct vschema access_rule_path = {
	.type = VT_STRING, .max_length = 225, .pattern = VP_PATH,
	.column = 128, .max_bytes = KG_ACCESS_PATH_SIZE - 1,
};

static const struct vschema access_rule_method = {
	.type = VT_STRING, .pattern = VP_METHOD,
};

static const struct vprop access_rule_props[] = {
	{ "path", &access_rule_path },
	{ "method", &access_rule_method },
	{ "service", &id_string },
	{ "id", &id_string },
	{ NULL, NULL }
};

static const struct vschema access_rule = {
	.type = VT_OBJECT, .properties = access_rule_props, .closed = 1,
};

/* keygate: at most KG_MAX_ACCESS_RULES (they travel in the tokens). */
static const struct vschema access_rules = {
	.type = VT_ARRAY, .items = &access_rule, .max_items = KG_MAX_ACCESS_RULES,
};

/* ['null', 'string']; keygate: a secret as long as a password at most */
static const struct vschema appcred_secret_null = {
	.type = VT_STRING | VT_NULL, .flags = VF_SECRET | VF_NULL_FIRST,
	.max_length = PASSWORD_MAX,
};

/* ['null', 'string']: an ISO 8601 time (the handler parses it); keygate:
 * 64 characters at most */
static const struct vschema expires_at_null = {
	.type = VT_STRING | VT_NULL, .flags = VF_NULL_FIRST, .max_length = 64,
};

static const struct vprop appcred_props[] = {
	{ "name", &name },
	{ "description", &description_null },
	{ "secret", &appcred_secret_null },
	{ "expires_at", &expires_at_null },
	{ "roles", &appcred_roles },
	{ "unrestricted", &boolean },
	{ "access_rules", &access_rules },
	{ NULL, NULL }
};

/* keygate: other members are refused (Keystone's schema lets them through
 * to its SQL model, which fails on them with a 500). */
static const struct vschema appcred_create = {
	.type = VT_OBJECT, .properties = appcred_props,
	.required = (const char *const[]){ "name", NULL }, .closed = 1,
};

/* keygate: an access rule that is not named by id is a new one and needs
 * all of service, path and method (Keystone would store nulls). */
static int
appcred_create_check(const json_t *ac, struct kg_err *err)
{
	static const char *const need[] = { "path", "method", "service", NULL };
	const json_t	*rule;
	size_t		 i, j;

	json_array_foreach(json_object_get(ac, "access_rules"), i, rule) {
		if (json_object_get(rule, "id") != NULL)
			continue;
		for (j = 0; need[j] != NULL; j++)
			if (json_object_get(rule, need[j]) == NULL)
				return kg_errf(err, KG_EBADREQ, "Invalid input for "
				    "field 'access_rules/%zu': '%s' is a required "
				    "property", i, need[j]);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Credentials (keystone/credential/schema.py), with Debian's security fix:
 * a PATCH carries the blob; the other attributes may come again unchanged
 * (server/api_credentials.c compares them with the stored ones).
 * --------------------------------------------------------------------- */

/* a blob holds secrets: never echoed */
static const struct vschema cred_blob = {
	.type = VT_STRING, .flags = VF_SECRET, .column = BODY_TEXT_MAX,
};

static const struct vschema cred_ref = {
	.type = VT_STRING, .max_length = BODY_ID_BYTES,
};

static const struct vschema cred_ref_null = {
	.type = VT_STRING | VT_NULL, .max_length = BODY_ID_BYTES,
};

static const struct vschema cred_type = {
	.type = VT_STRING, .max_length = 255,
};

static const struct vprop cred_props[] = {
	{ "blob", &cred_blob },
	{ "project_id", &cred_ref },
	{ "type", &cred_type },
	{ "user_id", &cred_ref },
	{ NULL, NULL }
};

static const struct vschema credential_create = {
	.type = VT_OBJECT, .properties = cred_props,
	.required = (const char *const[]){ "blob", "type", "user_id", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

static const struct vprop cred_update_props[] = {
	{ "blob", &cred_blob },
	{ "id", &cred_ref },
	{ "project_id", &cred_ref_null },
	{ "type", &cred_type },
	{ "user_id", &cred_ref },
	{ NULL, NULL }
};

static const struct vschema credential_update = {
	.type = VT_OBJECT, .properties = cred_update_props,
	.required = (const char *const[]){ "blob", NULL }, .closed = 1,
};

/* ------------------------------------------------------------------------
 * Trusts (keystone/trust/schema.py trust_create).
 * --------------------------------------------------------------------- */

/* parameter_types.external_id_string */
static const struct vschema external_id = {
	.type = VT_STRING, .min_length = 1, .max_length = 64,
	.max_bytes = BODY_ID_BYTES,
};

static const struct vschema string_null = {
	.type = VT_STRING | VT_NULL,
};

static const struct vprop trust_role_props[] = {
	{ "id", &id_string },
	{ "name", &name },
	{ NULL, NULL }
};

/* {"id": ...} or {"name": ...}: exactly one property */
static const struct vschema trust_role = {
	.type = VT_OBJECT, .properties = trust_role_props, .min_properties = 1,
	.closed = 1,
};

static const struct vschema trust_roles = {
	.type = VT_ARRAY, .items = &trust_role,
};

static const struct vschema remaining_uses = {
	.type = VT_INTEGER | VT_NULL, .flags = VF_MINIMUM, .minimum = 1,
};

static const struct vschema redelegation_count = {
	.type = VT_INTEGER | VT_NULL, .flags = VF_MINIMUM, .minimum = 0,
};

static const struct vprop trust_create_props[] = {
	{ "trustor_user_id", &external_id },
	{ "trustee_user_id", &external_id },
	{ "impersonation", &boolean },
	{ "project_id", &id_string_null },
	{ "remaining_uses", &remaining_uses },
	{ "expires_at", &string_null },
	{ "allow_redelegation", &boolean_null },
	{ "redelegation_count", &redelegation_count },
	{ "roles", &trust_roles },
	{ NULL, NULL }
};

static const struct vschema trust_create = {
	.type = VT_OBJECT, .properties = trust_create_props,
	.required = (const char *const[]){ "trustor_user_id", "trustee_user_id",
	    "impersonation", NULL },
	.extra_max = BODY_EXTRA_MAX,
};

/* What the validator cannot say: at most one property per role
 * (jsonschema's texts). */
static int
trust_create_check(const json_t *t, struct kg_err *err)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(json_object_get(t, "roles"), i, v)
		if (json_object_size(v) > 1)
			return kg_errf(err, KG_EBADREQ, "Invalid input for field "
			    "'roles/%zu': the role has too many properties", i);
	return 0;
}

/* ------------------------------------------------------------------------
 * The routes.
 * --------------------------------------------------------------------- */

static const struct body table[] = {
	{ "POST", "/v3/auth/tokens", "auth", 0, &token_issue, "token_issue",
	    token_issue_check },
	{ "POST", "/v3/domains", "domain", 0, &domain_create, "domain_create", NULL },
	{ "PATCH", "/v3/domains/{}", "domain", 0, &domain_update, "domain_update",
	    NULL },
	{ "POST", "/v3/projects", "project", 0, &project_create, "project_create",
	    NULL },
	{ "PATCH", "/v3/projects/{}", "project", 0, &project_update,
	    "project_update", NULL },
	{ "PUT", "/v3/projects/{}/tags", "tags", 0, &tags, "project_tags_update",
	    NULL },
	{ "POST", "/v3/users", "user", 0, &user_create, "user_create", NULL },
	{ "PATCH", "/v3/users/{}", "user", 0, &user_update, "user_update", NULL },
	{ "POST", "/v3/users/{}/password", "user", 0, &password_change,
	    "password_change", NULL },
	{ "POST", "/v3/groups", "group", 0, &group_create, "group_create", NULL },
	{ "PATCH", "/v3/groups/{}", "group", 0, &group_update, "group_update",
	    NULL },
	{ "POST", "/v3/roles", "role", 0, &role_create, "role_create", NULL },
	{ "PATCH", "/v3/roles/{}", "role", 0, &role_update, "role_update", NULL },
	{ "POST", "/v3/regions", "region", 1, &region_create, "region_create",
	    NULL },
	{ "PUT", "/v3/regions/{}", "region", 1, &region_create, "region_create",
	    NULL },
	{ "PATCH", "/v3/regions/{}", "region", 1, &region_update, "region_update",
	    NULL },
	{ "POST", "/v3/services", "service", 1, &service_create, "service_create",
	    NULL },
	{ "PATCH", "/v3/services/{}", "service", 1, &service_update,
	    "service_update", NULL },
	{ "POST", "/v3/endpoints", "endpoint", 1, &endpoint_create,
	    "endpoint_create", NULL },
	{ "PATCH", "/v3/endpoints/{}", "endpoint", 1, &endpoint_update,
	    "endpoint_update", NULL },
	{ "POST", "/v3/users/{}/application_credentials",
	    "application_credential", 0, &appcred_create,
	    "application_credential_create", appcred_create_check },
	{ "POST", "/v3/registered_limits", "registered_limits", 0,
	    &registered_limit_create, "registered_limit_create", NULL },
	{ "PATCH", "/v3/registered_limits/{}", "registered_limit", 0,
	    &registered_limit_update, "registered_limit_update", NULL },
	{ "POST", "/v3/limits", "limits", 0, &limit_create, "limit_create",
	    NULL },
	{ "PATCH", "/v3/limits/{}", "limit", 0, &limit_update, "limit_update",
	    NULL },
	{ "POST", "/v3/policies", "policy", 0, &policy_create, "policy_create",
	    NULL },
	{ "PATCH", "/v3/policies/{}", "policy", 0, &policy_update,
	    "policy_update", NULL },
	{ "POST", "/v3/OS-EP-FILTER/endpoint_groups", "endpoint_group", 0,
	    &endpoint_group_create, "endpoint_group_create", NULL },
	{ "PATCH", "/v3/OS-EP-FILTER/endpoint_groups/{}", "endpoint_group", 0,
	    &endpoint_group_update, "endpoint_group_update", NULL },
	{ "PUT", "/v3/domains/{}/config", "config", 0, &domain_config,
	    "domain_config_create", NULL },
	{ "PATCH", "/v3/domains/{}/config", "config", 0, &domain_config,
	    "domain_config_update", NULL },
	{ "PATCH", "/v3/domains/{}/config/{}", "config", 0, &domain_config,
	    "domain_config_group_update", NULL },
	{ "PATCH", "/v3/domains/{}/config/{}/{}", "config", 0, &domain_config,
	    "domain_config_option_update", NULL },
	{ "POST", "/v3/credentials", "credential", 0, &credential_create,
	    "credential_create", NULL },
	{ "PATCH", "/v3/credentials/{}", "credential", 0, &credential_update,
	    "credential_update", NULL },
	{ "POST", "/v3/OS-TRUST/trusts", "trust", 0, &trust_create,
	    "trust_create", trust_create_check },
};

const struct body *
bodies_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct body *
bodies_find(const char *method, const char *route)
{
	size_t	i;

	if (method == NULL || route == NULL)
		return NULL;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].method, method) == 0 &&
		    strcmp(table[i].route, route) == 0)
			return &table[i];
	return NULL;
}

int
bodies_validate(const struct body *b, const json_t *body, struct kg_err *err)
{
	const json_t	*v = NULL;
	json_t		*absent = NULL, *x;
	const char	*k;
	int		 ret = -1;

	if (body != NULL)
		v = json_object_get(body, b->member);
	if (v == NULL) {
		if ((absent = b->absent_null ? json_null() : json_object()) == NULL)
			return kg_errf(err, KG_EINTERNAL, "out of memory");
		v = absent;
	}
	if (validate_schema(b->schema, v, "", err) == -1)
		goto done;
	if (body != NULL)
		json_object_foreach((json_t *)body, k, x)
			if (strcmp(k, b->member) != 0) {
				char	rep[VALIDATE_ECHO_MAX + 8];
				json_t	*key = json_string(k);

				validate_repr(key, rep, sizeof(rep), 255);
				json_decref(key);
				kg_errf(err, KG_EBADREQ, "Additional properties are not "
				    "allowed (%s was unexpected)", rep);
				goto done;
			}
	if (b->check != NULL && b->check(v, err) == -1)
		goto done;
	ret = validate_storage(b->schema, v, err);
 done:
	json_decref(absent);
	return ret;
}

int
bodies_check_tag(const json_t *v, struct kg_err *err)
{
	return validate(&tag, v, err);
}

int
bodies_check_tags(const json_t *v, struct kg_err *err)
{
	return validate(&tags, v, err);
}

int
bodies_check_bytes(const char *column, const json_t *v, size_t max,
    struct kg_err *err)
{
	struct vschema	s = { .type = VT_STRING, .max_bytes = max,
			    .column_name = column };

	return validate(&s, v, err);
}

json_t *
bodies_dump(void)
{
	json_t	*all, *one, *value;
	char	 key[128];
	size_t	 i;

	if ((all = json_object()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if ((value = validate_dump(table[i].schema)) == NULL)
			goto fail;
		one = json_pack("{s:s, s:s, s:[s], s:b, s:{s:o}}", "title",
		    table[i].name, "type", "object", "required", table[i].member,
		    "additionalProperties", 0, "properties", table[i].member, value);
		snprintf(key, sizeof(key), "%s %s", table[i].method, table[i].route);
		if (one == NULL || json_object_set_new(all, key, one) == -1)
			goto fail;
	}
	return all;
 fail:
	json_decref(all);
	return NULL;
}
