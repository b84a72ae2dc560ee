/*
 * tx.c - svc_run: one transaction per change, retried while the store
 * reports a transient conflict (see svc.h), after GNU Taler's
 * run_transaction; and svc_update, the read-edit-write every update
 * shares (svc_int.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "svc/svc_int.h"

/* Pause before attempt n + 1 (n >= 1): 1, 2, 4, 8 ms ... capped at 64,
 * each drawn in [half, full] so that colliding writers spread out. */
static void
backoff(int n)
{
	struct timespec	ts;
	uint32_t	r = 0;
	long		full_us = 1000L << (n - 1 < 6 ? n - 1 : 6), us;

	(void)kg_random(&r, sizeof(r));
	us = full_us / 2 + (long)(r % (uint32_t)(full_us / 2 + 1));
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000L;
	nanosleep(&ts, NULL);
}

int
svc_run(struct store *st, const char *what, svc_body_fn body, void *cls,
    struct kg_err *err)
{
	struct kg_err	e;
	int		attempt;

	switch (store_in_transaction(st)) {
	case STORE_TX_WRITE:
		/* Part of a larger change: its svc_run commits and retries. */
		return body(st, cls, err);
	case STORE_TX_READ:
		/* Writes would upgrade a snapshot no one retries or commits. */
		log_error("%s: %s inside a read transaction", __func__, what);
		return kg_errf(err, KG_EINTERNAL, "%s: inside a read transaction",
		    what);
	case STORE_TX_NONE:
		break;
	}
	for (attempt = 1;; attempt++) {
		memset(&e, 0, sizeof(e));
		if (store_begin(st, &e) == 0 && body(st, cls, &e) == 0 &&
		    store_commit(st, &e) == 0)
			return 0;
		store_rollback(st);
		if (e.kind == KG_OK)	/* a body that failed without saying why */
			kg_errf(&e, KG_EINTERNAL, "%s failed", what);
		if (e.kind != KG_ERETRY || attempt == SVC_MAX_ATTEMPTS)
			break;
		log_debug("%s: %s: attempt %d: %s, retrying", __func__, what,
		    attempt, e.msg);
		backoff(attempt);
	}
	if (e.kind == KG_ERETRY) {
		log_warn("%s: %s: still busy after %d attempts", __func__, what,
		    attempt);
		return kg_errf(err, KG_EUNAVAIL, "The database is busy: try again.");
	}
	if (err != NULL)
		*err = e;
	return -1;
}

struct update {
	const struct svc_kind	*k;
	const char		*id;
	const struct svc_edit	*edit;
	const struct svc_hooks	*h;
	void			*obj;
};

static int
update_body(struct store *st, void *cls, struct kg_err *err)
{
	struct update		*u = cls;
	const struct svc_hooks	*h = u->h;

	/* A retry starts again from the object as stored. */
	u->k->free(u->obj);
	memset(u->obj, 0, u->k->size);
	if (u->k->get(st, u->id, u->obj, err) == -1)
		return -1;
	if (h != NULL && h->before != NULL)
		h->before(u->obj, h->cls);
	if ((u->edit != NULL && u->edit->fn != NULL &&
	    u->edit->fn(u->obj, u->edit->cls, err) == -1) ||
	    (h != NULL && h->check != NULL &&
	    h->check(st, u->obj, h->cls, err) == -1) ||
	    u->k->put(st, u->obj, err) == -1 ||
	    (h != NULL && h->after != NULL &&
	    h->after(st, u->obj, h->cls, err) == -1))
		return -1;
	return 0;
}

int
svc_update(struct store *st, const struct svc_kind *k, const char *id,
    const struct svc_edit *edit, const struct svc_hooks *h, void *out,
    struct kg_err *err)
{
	struct update	u;
	int		ret;

	u.k = k;
	u.id = id;
	u.edit = edit;
	u.h = h;
	if ((u.obj = out != NULL ? out : malloc(k->size)) == NULL)
		return kg_errf(err, KG_EINTERNAL, "out of memory");
	memset(u.obj, 0, k->size);
	if ((ret = svc_run(st, k->what, update_body, &u, err)) == -1 ||
	    out == NULL)
		k->free(u.obj);
	if (out == NULL)
		free(u.obj);
	return ret;
}
