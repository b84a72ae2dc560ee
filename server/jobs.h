/*
 * jobs.h - a small bounded pool of threads for CPU-heavy request work
 * (bcrypt), so that it never runs on libmicrohttpd's workers.
 *
 * A job is submitted with two callbacks; a pool thread calls run(job, 0),
 * frees the job's place in the queue, then calls done(job). Jobs still
 * queued when the pool stops are not run: run(job, 1) then done(job) are
 * called on the stopping thread instead, so every submitted job sees each
 * callback exactly once. done is where the result is published: the place
 * is free by then, so whoever sees the result can submit again. The job
 * memory belongs to the submitter and must stay valid until done returns.
 */
#ifndef KG_JOBS_H
#define KG_JOBS_H

#include "common/err.h"

struct job {
	void		(*run)(struct job *j, int cancelled);
	void		(*done)(struct job *j);
	struct job	*next;		/* private to jobs.c */
};

struct jobs;

/*
 * Start nthreads threads (0 = one per online CPU) with room for qmax jobs
 * waiting beyond those running. NULL with err on failure.
 */
struct jobs	*jobs_start(int nthreads, int qmax, struct kg_err *err);

/*
 * Queue j. -1 with KG_EUNAVAIL when the queue is full or the pool is
 * stopping (j's callback is then never called).
 */
int		 jobs_submit(struct jobs *p, struct job *j, struct kg_err *err);

/*
 * Refuse new jobs (jobs_submit keeps failing), cancel the queued ones
 * (run(j, 1)), wait for the running ones to finish and join the threads.
 * jobs_free then releases p, once nobody can call jobs_submit any more.
 * Both NULL-safe.
 */
void		 jobs_stop(struct jobs *p);
void		 jobs_free(struct jobs *p);

#endif /* KG_JOBS_H */
