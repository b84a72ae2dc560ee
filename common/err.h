/*
 * err.h - the error value that travels up from store/ and auth/ to server/.
 *
 * Every layer below server/ reports failure as (return -1 or NULL) plus a
 * filled struct kg_err. Only server/ maps a kind to an HTTP status (see
 * server/http.c); nothing below it knows HTTP.
 */
#ifndef KG_ERR_H
#define KG_ERR_H

enum kg_errkind {
	KG_OK = 0,
	KG_EBADREQ,		/* malformed or invalid input       (400) */
	KG_EUNAUTH,		/* authentication failed            (401) */
	KG_EFORBID,		/* authenticated but not allowed    (403) */
	KG_ENOTFOUND,		/* no such object                   (404) */
	KG_ECONFLICT,		/* duplicate / constraint violation (409) */
	KG_ETOOBIG,		/* request body too large           (413) */
	KG_ENOTIMPL,		/* feature not implemented          (501) */
	KG_ETOOMANY,		/* rate limited                     (429) */
	KG_EUNAVAIL,		/* backend unavailable              (503) */
	KG_ERETRY,		/* transient conflict (busy, deadlock, serialization
				   failure): the transaction may be run again;
				   svc_run does, and answers 503 when it gives up */
	KG_EINTERNAL		/* bug or I/O failure; detail logged only (500) */
};

struct kg_err {
	enum kg_errkind	kind;		/* KG_OK until something fails */
	char		msg[1024];	/* message safe to show a client (not for 5xx) */
	int		shown;		/* a 401 whose msg the client sees (see
					   kg_err_shown); else 401s say only
					   Keystone's fixed text */
	int		retry_after;	/* KG_ETOOMANY: seconds, for Retry-After */
};

/*
 * Record an error of the given kind with a printf-style message,
 * truncated to fit and made valid UTF-8 (kg_utf8_repair). NULL-safe (err
 * may be NULL). Always returns -1 so callers can write
 * "return kg_errf(err, KG_ENOTFOUND, ...);".
 */
int	kg_errf(struct kg_err *err, enum kg_errkind kind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * A 401 that tells the client why, as Keystone's Unauthorized subclasses
 * do (UserDisabled, PasswordExpired, AccountLocked: "The account is
 * locked for user: <id>."): kg_errf's message with kind KG_EUNAUTH,
 * marked shown. Every other 401 says only "The request you have made
 * requires authentication.". Returns -1.
 */
int	kg_err_shown(struct kg_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Reset an error value to KG_OK with an empty message. NULL-safe. */
void	kg_err_clear(struct kg_err *err);

#endif /* KG_ERR_H */
