/*
 * jobs.c - bounded job queue served by a fixed set of threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "server/jobs.h"
#include "server/metrics.h"

struct jobs {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct job	*head, *tail;
	int		 queued, running, qmax;
	int		 stopping;
	int		 nthreads;
	pthread_t	*threads;
};

static void *
worker(void *arg)
{
	struct jobs	*p = arg;
	struct job	*j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->head == NULL) {		/* stopping and drained */
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = p->head;
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->queued--;
		p->running++;
		metrics_hash_jobs(p->queued, p->running);
		pthread_mutex_unlock(&p->mu);
		j->next = NULL;
		j->run(j, 0);
		pthread_mutex_lock(&p->mu);
		p->running--;
		metrics_hash_jobs(p->queued, p->running);
		pthread_mutex_unlock(&p->mu);
		j->done(j);
	}
}

struct jobs *
jobs_start(int nthreads, int qmax, struct kg_err *err)
{
	struct jobs	*p;
	long		 ncpu;
	int		 i;

	if (nthreads <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = ncpu > 0 ? (int)(ncpu < 64 ? ncpu : 64) : 1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->threads = calloc((size_t)nthreads, sizeof(*p->threads))) == NULL) {
		free(p);
		kg_errf(err, KG_EINTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->qmax = qmax;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
			p->nthreads = i;
			jobs_free(p);
			kg_errf(err, KG_EINTERNAL, "cannot start hashing threads");
			return NULL;
		}
		p->nthreads = i + 1;
	}
	log_debug("%d hashing threads, queue %d", nthreads, qmax);
	return p;
}

int
jobs_submit(struct jobs *p, struct job *j, struct kg_err *err)
{
	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->queued + p->running >= p->qmax + p->nthreads) {
		pthread_mutex_unlock(&p->mu);
		return kg_errf(err, KG_EUNAVAIL, "%s",
		    p->stopping ? "shutting down" : "hashing queue full");
	}
	j->next = NULL;
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	metrics_hash_jobs(p->queued, p->running);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

void
jobs_stop(struct jobs *p)
{
	struct job	*j, *next;
	int		 i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	j = p->head;
	p->head = p->tail = NULL;
	p->queued = 0;
	metrics_hash_jobs(p->queued, p->running);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		j->run(j, 1);
		j->done(j);
	}
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	p->nthreads = 0;
}

void
jobs_free(struct jobs *p)
{
	if (p == NULL)
		return;
	jobs_stop(p);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}
