/*
 * policy_driver.c - rescue on demand in pxebootd: the policy of the
 * configuration in force and the arm store of state_dir (arms.json), handed
 * to the host (pxb_host_set_policy) where the DHCP driver's gate, the HTTP
 * plugin and the iPXE menu find them. A reload builds the policy again and
 * keeps the arms; a timer drops expired arms once a minute. The install
 * store (installs.state: unattended installs asked for and done) is opened
 * beside it and handed to the host the same way.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "daemon.h"
#include "services.h"

struct policy_state {
	pxb_policy *policy;
	pxb_arms *arms;
	pxb_installs *installs;
	struct event *tick;
};

static struct policy_state *state;

static void report(void *arg, const char *line)
{
	(void)arg;
	pxbd_log(PXB_LOG_ERR, "policy", "%s", line);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct policy_state *ps = arg;
	int n = pxb_arms_expire(ps->arms, (int64_t)time(NULL));

	(void)fd;
	(void)what;
	if (n > 0)
		pxbd_log(PXB_LOG_INFO, "policy", "%d arm(s) expired", n);
	else if (n < 0)
		pxbd_log(PXB_LOG_WARNING, "policy", "cannot write %s", pxb_arms_path(ps->arms));
}

static void summary(struct pxbd *d, struct policy_state *ps)
{
	unsigned n = pxb_arms_count(ps->arms);

	if (pxb_policy_uses_arms(ps->policy) || n)
		pxbd_log(PXB_LOG_NOTICE, "policy", "%u arm(s) in %s", n, pxb_arms_path(ps->arms));
	(void)d;
}

/* Says how opening a store of state_dir went (rc): 0 to go on, -1 when it cannot be read. */
static int opened(int rc, const char *dir, const char *name, int damaged, const char *path,
		  const char *kept)
{
	if (rc < 0) {
		pxbd_log(PXB_LOG_ERR, "policy", "cannot read %s/%s: %s", dir, name, pxb_strerror(rc));
		return -1;
	}
	if (damaged)
		pxbd_log(PXB_LOG_WARNING, "policy", "%s was damaged: %s", path, kept);
	return 0;
}

static int policy_start(struct pxbd *d)
{
	struct policy_state *ps = calloc(1, sizeof(*ps));
	const char *dir = pxb_conf_string(pxb_conf_root(d->conf), "state_dir");
	struct timeval minute = {60, 0};
	int damaged = 0, rc;

	if (!ps)
		return -1;
	if (pxb_policy_from_conf(d->conf, &ps->policy, report, NULL) < 0)
		goto fail;
	rc = pxb_arms_open(dir, (int64_t)time(NULL), &ps->arms, &damaged);
	if (opened(rc, dir, "arms.json", damaged, pxb_arms_path(ps->arms),
		   "the arms on whole lines are kept") < 0)
		goto fail;
	rc = pxb_installs_open(dir, &ps->installs, &damaged);
	if (opened(rc, dir, "installs.state", damaged, pxb_installs_path(ps->installs),
		   "the whole records are kept") < 0)
		goto fail;
	ps->tick = event_new(d->base, -1, EV_PERSIST, tick_cb, ps);
	if (!ps->tick || event_add(ps->tick, &minute) < 0)
		goto fail;
	pxb_host_set_policy(d->host, ps->policy, ps->arms);
	pxb_host_set_installs(d->host, ps->installs);
	state = ps;
	summary(d, ps);
	return 0;
fail:
	if (ps->tick)
		event_free(ps->tick);
	pxb_arms_free(ps->arms);
	pxb_installs_free(ps->installs);
	pxb_policy_free(ps->policy);
	free(ps);
	return -1;
}

static int policy_reload(struct pxbd *d)
{
	pxb_policy *p;

	if (!state)
		return 0;
	if (pxb_policy_from_conf(d->conf, &p, report, NULL) < 0)
		return -1; /* the old policy stays */
	pxb_host_set_policy(d->host, p, state->arms);
	pxb_policy_free(state->policy);
	state->policy = p;
	return 0;
}

static void policy_stop(struct pxbd *d)
{
	if (!state)
		return;
	pxb_host_set_policy(d->host, NULL, NULL);
	pxb_host_set_installs(d->host, NULL);
	event_free(state->tick);
	pxb_arms_free(state->arms);
	pxb_installs_free(state->installs);
	pxb_policy_free(state->policy);
	free(state);
	state = NULL;
}

const struct pxbd_service pxbd_policy_service = {
	.name = "policy",
	.start = policy_start,
	.reload = policy_reload,
	.stop = policy_stop,
};

/* The DHCP engine's gate (pxb_dhcp_server_set_gate): the host's policy and arms. */
const char *pxbd_policy_gate(void *arg, const struct pxb_client *c, int64_t now)
{
	pxb_host *h = arg;

	return pxb_policy_gate(pxb_host_policy(h), pxb_host_arms(h), c, now);
}
