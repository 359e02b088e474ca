/*
 * pgsql.c - the lease store "pgsql": leases kept in PostgreSQL, shared by
 * every pxebootd that points pgsql.url at the same database
 * (dhcp.lease_store = "pgsql"; pxeboot/lease_store.h).
 *
 * The engine's table stays in memory and answers DISCOVERs at once; every
 * bind, release and decline is staged there and committed here in batches,
 * one statement (one transaction) per loop turn, and an ACK leaves only
 * when PostgreSQL accepted its lease (pgsql_sql.c says how the database,
 * not this process, decides who gets an address). What other servers
 * committed is read every pgsql.sync_ms, so offers avoid their addresses.
 *
 * Asynchronous libpq on the daemon's libevent loop rather than a worker
 * thread: the loop already waits for one thing per turn (the journal's
 * fdatasync does the same), one batch at a time on one connection is all
 * the ordering we need, and a thread would add a queue, a lock and a
 * wake-up pipe around the lease table, which is not thread-safe, for no
 * gain. Everything a connection does is asynchronous, the first one at
 * start-up included: connecting (PQconnectStartParams and PQconnectPoll
 * driven by socket events), the schema check and migration (one statement),
 * and the load of the leases that follows (pages of rows), so a database
 * that is away or slow never stalls DHCP answers that need no commit, nor
 * TFTP or HTTP. The store counts as up, and commits are sent, only once
 * that load is done; a statement unanswered for ANSWER_MS drops the
 * connection (a database that stopped without closing it).
 *
 * The database away: the batch in flight and every later one is rejected
 * (no ACK without a commit; clients retry, RFC 2131 4.1), one log line says
 * so with the URL's parts but not its password, pxeboot_pgsql_up drops to
 * 0, and a connection is tried again every pgsql.retry_ms until it works.
 */
#include "config.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgsql_internal.h"

#define QUARANTINE_S 10 /* an address lost to another server: not offered before sync */
#define SYNC_OVERLAP 1000 /* changes read again (they may commit out of order) */

#define ANSWER_MS 15000 /* a statement unanswered this long: the connection is dropped */
#define CONNECT_S 5 /* each step of connecting, at most */
#define LOAD_PAGE 20000 /* rows a load reads per statement (pgsql_sync_sql's LIMIT) */

/* what the connection waits for: MIGRATE and LOAD happen before it is up */
enum busy { IDLE, COMMIT, COMMIT_FAILED, SYNC, ARMS, MIGRATE, LOAD, RESV };

#define ARMS_QUEUE 1024 /* arm changes waiting for the database at most */

struct pg {
	pxb_host *h;
	struct event_base *base;
	char url[PGSQL_URL_MAX], shown[256], me[PGSQL_ID_MAX];
	unsigned retry_ms, sync_ms;
	PGconn *c;
	int up, was_up, connecting;
	struct event *sock_ev, *timer;
	struct event *write_ev; /* while libpq has bytes it could not send yet */
	enum busy busy;
	struct pxb_lease_store *t;
	pxb_lease_settled_fn settled;
	void *settled_arg;
	struct pxb_lease_change *batch;
	size_t nbatch, capbatch;
	uint64_t taken;
	uint64_t *rej;
	size_t nrej;
	uint32_t *ok;
	size_t nok;
	int64_t last_chg;
	/* the load after connecting (or after the table opened): pages of rows */
	int loaded_all, load_full, load_into, load_more;
	int64_t load_after;
	size_t nloaded;
	char setup_err[256];
	struct pgsql_resv resv; /* this server's reservations, stored when resv_dirty */
	int resv_dirty;
	struct timespec sent_at;
	/* arms (pxeboot/policy.h): changes made here wait in parms until stored */
	pxb_arms *arms;               /* the host's, observed */
	struct pxb_arm parms[ARMS_QUEUE];
	uint8_t prem[ARMS_QUEUE];
	size_t narms, nsent;
	int64_t arm_chg;
	struct timespec last_sync;
	struct pgbuf sql;
	pxb_metrics *m;
};

static const struct pxb_conf_setting settings[] = {
	{"url", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "PostgreSQL connection URL or conninfo (postgresql://user:password@host/db); "
	 "the password is never logged"},
	{"server_id", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "this server's name in the database (letters, digits, . - _; empty: the host name "
	 "and process id)"},
	{"retry_ms", PXB_CT_INT, "1000", 50, 600000, NULL, NULL,
	 "how often a lost database is tried again, in milliseconds"},
	{"sync_ms", PXB_CT_INT, "500", 10, 600000, NULL, NULL,
	 "how often leases committed by other servers are read, in milliseconds"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static int64_t ms_since(const struct timespec *t)
{
	struct timespec n;

	clock_gettime(CLOCK_MONOTONIC, &n);
	return (int64_t)(n.tv_sec - t->tv_sec) * 1000 + (n.tv_nsec - t->tv_nsec) / 1000000;
}

static void arm_timer(struct pg *p, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	if (p->timer)
		evtimer_add(p->timer, &tv);
}

static void note(struct pg *p, const char *name, double n)
{
	if (p->m)
		pxb_metrics_add(p->m, name, n, NULL);
}

static void sock_cb(evutil_socket_t fd, short what, void *arg);
static void next_work(struct pg *p);

/* Decides the batch in flight: committed = in p->ok; the rest rejected. */
static void settle_batch(struct pg *p, int failed)
{
	p->nrej = 0;
	if (!p->t) {
		p->nbatch = 0; /* the table was closed meanwhile: nobody waits */
		return;
	}
	for (size_t i = 0; i < p->nbatch; i++) {
		const struct pxb_lease_change *c = &p->batch[i];
		int accepted = c->op == PXB_LEASE_CHANGE_DEL;

		for (size_t k = 0; !failed && !accepted && k < p->nok; k++)
			accepted = p->ok[k] == c->lease.addr;
		if (accepted)
			continue;
		p->rej[p->nrej++] = c->seq;
		if (!failed && c->op == PXB_LEASE_CHANGE_PUT) {
			/* another server's now: keep it from our offers until a sync says whose */
			struct pxb_lease q = {.addr = c->lease.addr, .state = PXB_LEASE_DECLINED,
					      .expires = (int64_t)time(NULL) + QUARANTINE_S};
			pxb_lease_load(p->t, &q);
		}
	}
	if (p->nrej)
		note(p, "pxeboot_pgsql_rejected_total", (double)p->nrej);
	if (!failed)
		note(p, "pxeboot_pgsql_commits_total", 1);
	pxb_lease_set_durable(p->t, p->taken);
	p->nbatch = 0;
	p->nok = 0;
	p->settled(p->settled_arg, p->taken, p->rej, p->nrej);
}

static void lost(struct pg *p, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", why && *why ? why : "connection lost");
	msg[strcspn(msg, "\n")] = '\0';
	if (p->up || !p->was_up)
		pxb_host_log(p->h, PXB_LOG_ERR, "database %s unreachable: %s; no ACK is sent until "
			     "it is back (retrying every %u ms)", p->shown, msg, p->retry_ms);
	p->was_up = 1;
	if (p->busy == COMMIT || p->busy == COMMIT_FAILED)
		settle_batch(p, 1);
	p->nsent = 0; /* arms in flight are sent again */
	if (p->busy == RESV)
		p->resv_dirty = 1;
	p->busy = IDLE;
	p->up = 0;
	p->connecting = 0;
	if (p->sock_ev) {
		event_free(p->sock_ev);
		p->sock_ev = NULL;
	}
	if (p->write_ev) {
		event_free(p->write_ev);
		p->write_ev = NULL;
	}
	if (p->c) {
		PQfinish(p->c);
		p->c = NULL;
	}
	note(p, "pxeboot_pgsql_errors_total", 1);
	if (p->m)
		pxb_metrics_set(p->m, "pxeboot_pgsql_up", 0, NULL);
	arm_timer(p, p->retry_ms);
}

/* An arm made, spent or removed through this server: queued for the database. */
static void arm_changed(void *arg, const struct pxb_arm *a, int removed)
{
	struct pg *p = arg;

	if (p->narms == ARMS_QUEUE) {
		pxb_host_log(p->h, PXB_LOG_WARNING, "%d arm changes wait for the database: the "
			     "oldest is dropped (other servers will not see it)", ARMS_QUEUE);
		memmove(p->parms, p->parms + 1, (ARMS_QUEUE - 1) * sizeof(*p->parms));
		memmove(p->prem, p->prem + 1, ARMS_QUEUE - 1);
		p->narms--;
		if (p->nsent)
			p->nsent--;
	}
	p->parms[p->narms] = *a;
	p->prem[p->narms++] = (uint8_t)removed;
	next_work(p);
}

/* Observes the host's arm store (the policy service makes it after init). */
static void hook_arms(struct pg *p)
{
	pxb_arms *a = pxb_host_arms(p->h);

	if (a == p->arms)
		return;
	if (p->arms)
		pxb_arms_set_observer(p->arms, NULL, NULL);
	p->arms = a;
	if (a)
		pxb_arms_set_observer(a, arm_changed, p);
}

static void connect_step(struct pg *p);
static int send_sql(struct pg *p);

static void connect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg *p = arg;

	(void)fd;
	if (what & EV_TIMEOUT)
		lost(p, "no answer while connecting");
	else
		connect_step(p);
}

/* A page of the load: every lease (first time, or a new table), or what
 * other servers changed since the last one seen (after an outage). */
static void send_page(struct pg *p)
{
	pgsql_sync_sql(&p->sql, p->load_after, p->load_full ? NULL : p->me);
	p->busy = LOAD;
	if (send_sql(p) < 0)
		lost(p, PQerrorMessage(p->c));
}

static void begin_load(struct pg *p)
{
	p->load_full = !p->loaded_all;
	p->load_after = p->load_full || p->last_chg < SYNC_OVERLAP ? 0 : p->last_chg - SYNC_OVERLAP;
	p->load_into = p->t != NULL;
	p->nloaded = 0;
	send_page(p);
}

/* The schema is right and the leases are loaded: commits may go. */
static void went_up(struct pg *p)
{
	p->up = 1;
	p->connecting = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->last_sync);
	pxb_host_log(p->h, PXB_LOG_NOTICE, "database %s: connected as %s, schema version %d, "
		     "%zu lease(s) loaded", p->shown, p->me, PGSQL_SCHEMA_VERSION, p->nloaded);
	if (p->m)
		pxb_metrics_set(p->m, "pxeboot_pgsql_up", 1, NULL);
	arm_timer(p, p->sync_ms);
}

/* A statement of the set-up (MIGRATE or LOAD) is over: the next step. */
static void setup_step(struct pg *p)
{
	if (p->setup_err[0]) {
		lost(p, p->setup_err);
		return;
	}
	if (p->busy == MIGRATE) {
		begin_load(p);
		return;
	}
	if (p->load_more) {
		send_page(p);
		return;
	}
	if (p->load_into && p->load_full && p->t)
		p->loaded_all = 1;
	p->busy = IDLE;
	if (!p->up)
		went_up(p);
	else if (p->load_full)
		pxb_host_log(p->h, PXB_LOG_NOTICE, "%zu lease(s) loaded from %s", p->nloaded,
			     p->shown);
	next_work(p);
}

/* Connected: the socket goes on the loop and the schema check is sent. */
static void connection_made(struct pg *p)
{
	if (PQsetnonblocking(p->c, 1) < 0) {
		lost(p, PQerrorMessage(p->c));
		return;
	}
	p->sock_ev = event_new(p->base, PQsocket(p->c), EV_READ | EV_PERSIST, sock_cb, p);
	if (!p->sock_ev || event_add(p->sock_ev, NULL) < 0) {
		lost(p, "out of memory");
		return;
	}
	p->setup_err[0] = '\0';
	pgsql_migrate_sql(&p->sql);
	p->busy = MIGRATE;
	if (send_sql(p) < 0) {
		lost(p, PQerrorMessage(p->c));
		return;
	}
	arm_timer(p, p->sync_ms); /* the watchdog (timer_cb) */
}

static void connect_step(struct pg *p)
{
	PostgresPollingStatusType s = PQconnectPoll(p->c);
	short ev;

	if (p->sock_ev) {
		event_free(p->sock_ev);
		p->sock_ev = NULL;
	}
	if (s == PGRES_POLLING_OK) {
		connection_made(p);
		return;
	}
	if (s == PGRES_POLLING_FAILED) {
		lost(p, PQerrorMessage(p->c));
		return;
	}
	ev = s == PGRES_POLLING_WRITING ? EV_WRITE : EV_READ;
	p->sock_ev = event_new(p->base, PQsocket(p->c), ev, connect_cb, p);
	if (!p->sock_ev || event_add(p->sock_ev, &(struct timeval){.tv_sec = CONNECT_S}) < 0)
		lost(p, "out of memory");
}

static void start_connect(struct pg *p)
{
	const char *const kw[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *const val[] = {p->url, "5", "pxebootd", NULL};

	p->connecting = 1;
	p->c = PQconnectStartParams(kw, val, 1);
	if (!p->c || PQstatus(p->c) == CONNECTION_BAD) {
		lost(p, p->c ? PQerrorMessage(p->c) : "out of memory");
		return;
	}
	connect_step(p);
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg *p = arg;
	int rc;

	(void)fd;
	(void)what;
	rc = PQflush(p->c);
	if (rc < 0)
		lost(p, PQerrorMessage(p->c));
	else if (rc == 0)
		event_del(p->write_ev);
}

static int send_sql(struct pg *p)
{
	int rc;

	if (p->sql.oom || !PQsendQuery(p->c, p->sql.p))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &p->sent_at);
	rc = PQflush(p->c);
	if (rc == 1) {
		/* a big batch: the rest goes as the socket drains */
		if (p->write_ev)
			event_free(p->write_ev);
		p->write_ev = event_new(p->base, PQsocket(p->c), EV_WRITE | EV_PERSIST, write_cb,
					p);
		if (!p->write_ev || event_add(p->write_ev, NULL) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

static int change_cmp(const void *a, const void *b)
{
	const struct pxb_lease_change *x = a, *y = b;

	if (x->lease.addr != y->lease.addr)
		return x->lease.addr < y->lease.addr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int take_one(void *arg, const struct pxb_lease_change *c)
{
	struct pg *p = arg;

	if (p->nbatch == p->capbatch) {
		size_t cap = p->capbatch ? p->capbatch * 2 : 256;
		struct pxb_lease_change *n = realloc(p->batch, cap * sizeof(*n));
		uint64_t *r = realloc(p->rej, cap * sizeof(*r));
		uint32_t *o = realloc(p->ok, cap * sizeof(*o));
		if (n)
			p->batch = n;
		if (r)
			p->rej = r;
		if (o)
			p->ok = o;
		if (!n || !r || !o)
			return PXB_ERR_NOMEM;
		p->capbatch = cap;
	}
	p->batch[p->nbatch++] = *c;
	return 0;
}

/* Takes what is staged; sends it as one statement, or rejects it while away. */
static void start_commit(struct pg *p)
{
	struct pxb_lease_change *uniq;
	size_t n = 0;

	if (pxb_lease_take_changes(p->t, take_one, p, &p->taken) < 0) {
		p->nbatch = 0;
		return; /* out of memory: the changes stay staged for the next turn */
	}
	if (!p->nbatch)
		return;
	if (!p->up) {
		settle_batch(p, 1);
		return;
	}
	/* one change per address, the last (a statement may touch a row once),
	 * in address order (concurrent batches lock rows in one order) */
	qsort(p->batch, p->nbatch, sizeof(*p->batch), change_cmp);
	uniq = malloc(p->nbatch * sizeof(*uniq));
	if (!uniq) {
		settle_batch(p, 1);
		return;
	}
	for (size_t i = 0; i < p->nbatch; i++)
		if (i + 1 == p->nbatch || p->batch[i + 1].lease.addr != p->batch[i].lease.addr)
			uniq[n++] = p->batch[i];
	pgsql_commit_sql(&p->sql, uniq, n, (int64_t)time(NULL), p->me);
	free(uniq);
	p->busy = COMMIT;
	if (send_sql(p) < 0)
		lost(p, PQerrorMessage(p->c));
}

static void start_sync(struct pg *p)
{
	hook_arms(p);
	pgsql_sync_sql(&p->sql, p->last_chg > SYNC_OVERLAP ? p->last_chg - SYNC_OVERLAP : 0, p->me);
	pgsql_arms_sync_sql(&p->sql, p->arm_chg, p->me);
	pgsql_resv_sync_sql(&p->sql, p->me);
	clock_gettime(CLOCK_MONOTONIC, &p->last_sync);
	p->busy = SYNC;
	if (send_sql(p) < 0)
		lost(p, PQerrorMessage(p->c));
}

static void next_work(struct pg *p)
{
	if (p->busy != IDLE || !p->up)
		return;
	if (p->t && !p->loaded_all) {
		begin_load(p); /* the table opened after the connection was made */
		return;
	}
	if (p->resv_dirty) {
		p->resv_dirty = 0;
		pgsql_resv_sql(&p->sql, &p->resv, p->me);
		p->busy = RESV;
		if (send_sql(p) < 0)
			lost(p, PQerrorMessage(p->c));
		return;
	}
	if (p->t && pxb_lease_staged_seq(p->t) > p->taken)
		start_commit(p);
	if (p->busy == IDLE && p->up && p->narms) {
		p->nsent = p->narms;
		pgsql_arms_sql(&p->sql, p->parms, p->prem, p->nsent, p->me);
		p->busy = ARMS;
		if (send_sql(p) < 0)
			lost(p, PQerrorMessage(p->c));
	}
	if (p->busy == IDLE && p->up && ms_since(&p->last_sync) >= p->sync_ms)
		start_sync(p);
}

static void on_result(struct pg *p, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	if (p->busy == MIGRATE || p->busy == LOAD) {
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			if (!p->setup_err[0])
				snprintf(p->setup_err, sizeof(p->setup_err), "%s%s",
					 p->busy == MIGRATE ? "schema: " : "",
					 PQresultErrorMessage(r));
		} else if (p->busy == LOAD && st == PGRES_TUPLES_OK) {
			size_t n = 0;
			int64_t top = p->t ? pgsql_load_rows(p->t, r, p->load_after, &n) : 0;

			p->nloaded += n;
			p->load_more = PQntuples(r) >= LOAD_PAGE;
			if (top > p->load_after)
				p->load_after = top;
			if (top > p->last_chg)
				p->last_chg = top;
		}
	} else if (p->busy == COMMIT) {
		if (st == PGRES_TUPLES_OK) {
			for (int i = 0; i < PQntuples(r) && p->nok < p->capbatch; i++)
				p->ok[p->nok++] = (uint32_t)strtoull(PQgetvalue(r, i, 0), NULL, 10);
		} else {
			/* a deadlock, a timeout: this batch is lost, the connection may live */
			pxb_host_log(p->h, PXB_LOG_WARNING, "commit of %zu change(s) failed: %s",
				     p->nbatch, PQresultErrorMessage(r));
			p->nok = 0;
			p->busy = COMMIT_FAILED; /* settled when the query ends */
			note(p, "pxeboot_pgsql_errors_total", 1);
		}
	} else if (p->busy == SYNC && st == PGRES_TUPLES_OK && PQnfields(r) == 6) {
		size_t n;
		int64_t top = p->t ? pgsql_load_rows(p->t, r, 0, &n) : 0;
		if (top > p->last_chg)
			p->last_chg = top;
	} else if (p->busy == SYNC && st == PGRES_TUPLES_OK && PQnfields(r) == 1) {
		pgsql_resv_apply(p->t, r);
	} else if (p->busy == SYNC && st == PGRES_TUPLES_OK) {
		p->arm_chg = pgsql_apply_arms(p->arms, r, p->arm_chg);
	} else if (p->busy == ARMS && st == PGRES_COMMAND_OK) {
		/* stored: what came meanwhile moves up */
		memmove(p->parms, p->parms + p->nsent, (p->narms - p->nsent) * sizeof(*p->parms));
		memmove(p->prem, p->prem + p->nsent, p->narms - p->nsent);
		p->narms -= p->nsent;
		p->nsent = 0;
	} else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pxb_host_log(p->h, PXB_LOG_WARNING, "%s failed: %s",
			     p->busy == ARMS ? "storing arms" : p->busy == RESV ?
			     "storing reservations" : "reading changes",
			     PQresultErrorMessage(r));
		p->nsent = 0;
		note(p, "pxeboot_pgsql_errors_total", 1);
	}
}

static void sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg *p = arg;
	PGresult *r;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(p->c) || PQflush(p->c) < 0) {
		lost(p, PQerrorMessage(p->c));
		return;
	}
	while (p->busy != IDLE && !PQisBusy(p->c)) {
		r = PQgetResult(p->c);
		if (!r) {
			/* the statement is over */
			if (PQstatus(p->c) == CONNECTION_BAD) {
				lost(p, PQerrorMessage(p->c));
				return;
			}
			if (p->busy == MIGRATE || p->busy == LOAD) {
				setup_step(p);
				return;
			}
			if (p->busy == COMMIT || p->busy == COMMIT_FAILED)
				settle_batch(p, p->busy == COMMIT_FAILED);
			p->busy = IDLE;
			next_work(p);
			return;
		}
		on_result(p, r);
		PQclear(r);
	}
	if (PQstatus(p->c) == CONNECTION_BAD)
		lost(p, PQerrorMessage(p->c));
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg *p = arg;

	(void)fd;
	(void)what;
	if (p->busy != IDLE && p->c && ms_since(&p->sent_at) > ANSWER_MS) {
		lost(p, "no answer to a statement within 15 s");
		return;
	}
	if (!p->up) {
		if (!p->connecting)
			start_connect(p);
		else if (p->busy != IDLE)
			arm_timer(p, p->sync_ms);
		return;
	}
	arm_timer(p, p->sync_ms);
	hook_arms(p);
	next_work(p);
}

/* ---- the lease store ---- */

static int pg_open(void *arg, const pxb_conf *conf, int64_t now, pxb_lease_settled_fn settled,
		   void *settled_arg, struct pxb_lease_store **table, void **be)
{
	struct pg *p = arg;
	struct pxb_lease_config lc = {.external_commit = 1};
	int rc;

	if (!p->url[0]) {
		pxb_host_log(p->h, PXB_LOG_ERR, "dhcp.lease_store is \"pgsql\" but pgsql.url is "
			     "empty");
		return PXB_ERR_INVAL;
	}
	if (p->t)
		return PXB_ERR_BUSY;
	/* servers start allocating at different places of a pool (FNV-1a of server_id) */
	lc.alloc_spread = 2166136261u;
	for (const char *c = p->me; *c; c++)
		lc.alloc_spread = (lc.alloc_spread ^ (uint8_t)*c) * 16777619u;
	rc = pgsql_resv_read(&p->resv, conf);
	if (rc == 0)
		rc = pxb_lease_open(&lc, now, &p->t, NULL);
	if (rc < 0)
		return rc;
	p->resv_dirty = 1;
	p->settled = settled;
	p->settled_arg = settled_arg;
	p->taken = 0;
	/* the connection started at init; a new table is loaded whole, without
	 * waiting (until then the database refuses what others hold) */
	p->loaded_all = 0;
	*table = p->t;
	*be = p;
	next_work(p);
	return 0;
}

static int pg_commit(void *be)
{
	struct pg *p = be;

	if (p->busy == IDLE)
		start_commit(p);
	return 0;
}

static void pg_close(void *be)
{
	struct pg *p = be;

	if (!p)
		return;
	/* a batch in flight commits or not; nobody waits for it any more */
	pxb_lease_close(p->t);
	p->t = NULL;
	p->settled = NULL;
}

static const struct pxb_lease_backend backend = {
	.name = "pgsql",
	.open = pg_open,
	.commit = pg_commit,
	.close = pg_close,
};

/* ---- the plugin ---- */

static void log_problem(void *arg, const char *line)
{
	pxb_host_log(arg, PXB_LOG_ERR, "%s", line);
}

static int apply(struct pg *p, const pxb_conf_node *sec)
{
	const char *id = pxb_conf_string(sec, "server_id");

	if (pgsql_check(sec, log_problem, p->h) > 0)
		return PXB_ERR_INVAL;
	snprintf(p->url, sizeof(p->url), "%s", pxb_conf_string(sec, "url"));
	pgsql_redact(p->url, p->shown, sizeof(p->shown));
	p->retry_ms = (unsigned)pxb_conf_int(sec, "retry_ms");
	p->sync_ms = (unsigned)pxb_conf_int(sec, "sync_ms");
	if (*id) {
		snprintf(p->me, sizeof(p->me), "%s", id);
	} else {
		char host[40] = "pxebootd";
		gethostname(host, sizeof(host) - 1);
		host[strspn(host, PGSQL_ID_CHARS)] = '\0';
		snprintf(p->me, sizeof(p->me), "%s-%ld", host, (long)getpid());
	}
	return 0;
}

static int pg_init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct pg *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return PXB_ERR_NOMEM;
	p->h = h;
	p->base = pxb_host_event_base(h);
	rc = apply(p, sec);
	if (rc == 0)
		rc = pxb_host_register(h, PXB_SVC_LEASE_STORE, "pgsql", &backend, p);
	if (rc < 0) {
		free(p);
		return rc;
	}
	if (pxb_host_events(h)) {
		p->m = pxb_events_metrics(pxb_host_events(h));
		pxb_metrics_declare(p->m, "pxeboot_pgsql_up", PXB_METRIC_GAUGE,
				    "1 while the lease database is connected");
		pxb_metrics_declare(p->m, "pxeboot_pgsql_commits_total", PXB_METRIC_COUNTER,
				    "batches of lease changes committed to PostgreSQL");
		pxb_metrics_declare(p->m, "pxeboot_pgsql_rejected_total", PXB_METRIC_COUNTER,
				    "lease changes the database refused (address taken) or "
				    "could not take (unreachable)");
		pxb_metrics_declare(p->m, "pxeboot_pgsql_errors_total", PXB_METRIC_COUNTER,
				    "failed statements and lost connections");
		pxb_metrics_set(p->m, "pxeboot_pgsql_up", 0, NULL);
	}
	if (p->url[0] && p->base) {
		p->timer = evtimer_new(p->base, timer_cb, p);
		if (!p->timer) {
			free(p);
			return PXB_ERR_NOMEM;
		}
		start_connect(p); /* it goes on in the loop */
	}
	*state = p;
	return 0;
}

static void pg_fini(void *state)
{
	struct pg *p = state;

	pg_close(p); /* the arm store is the policy service's, gone by now */
	if (p->sock_ev)
		event_free(p->sock_ev);
	if (p->write_ev)
		event_free(p->write_ev);
	if (p->timer)
		event_free(p->timer);
	if (p->c)
		PQfinish(p->c);
	free(p->batch);
	free(p->rej);
	free(p->ok);
	free(p->sql.p);
	pgsql_resv_free(&p->resv);
	free(p);
}

PXB_PLUGIN(.name = "pgsql", .version = PACKAGE_VERSION,
	   .summary = "DHCP leases in PostgreSQL, shared by several servers",
	   .settings = settings, .init = pg_init, .fini = pg_fini, .check = pgsql_check);
