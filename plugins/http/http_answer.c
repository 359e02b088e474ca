/*
 * http_answer.c - unattended installs over HTTP (pxeboot/install.h):
 *
 *   GET /answer/ENTRY/MAC              ENTRY's answer file rendered for MAC
 *   GET /answer/ENTRY/MAC/user-data    the same (cloud-init NoCloud, autoinstall)
 *   GET /answer/ENTRY/MAC/meta-data    NoCloud's meta-data (instance-id)
 *   GET /answer/ENTRY/MAC/done         the installer's call back: done, boot local
 *
 * Answer files hold what only their machine may read (password hashes, keys):
 * each is served only to the machine DHCP gave the request's address to
 * (pxb_policy_client_proven), or to a request carrying ?token= of that
 * MAC's install or arm. Nothing under /answer is listed, and logs carry the
 * path only (never the query or the file).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include <pxeboot/pxeboot.h>
#include "http_internal.h"

#define PREFIX "/answer/"

int http_answer_match(const char *path)
{
	return strncmp(path, PREFIX, sizeof(PREFIX) - 1) == 0;
}

static enum MHD_Result plain(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			     struct http_buf *b)
{
	return http_api_respond(c, con, status, "text/plain; charset=utf-8", NULL, b);
}

static enum MHD_Result deny(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			    unsigned status, const char *why)
{
	struct http_buf b = {0};

	if (why)
		http_log(s, PXB_LOG_NOTICE, "refused %s %s: %s", c->peer, c->logpath, why);
	http_buf_printf(&b, "%u\n", status);
	return plain(c, con, status, &b);
}

static void note(struct http *s, struct http_conn *c, enum pxb_event_type type,
		 const uint8_t mac[6], const char *entry)
{
	pxb_events *ev = pxb_host_events(s->host);
	struct pxb_event e;

	if (!ev)
		return;
	pxb_event_init(&e, type, http_wall_ms());
	e.has_mac = 1;
	memcpy(e.mac, mac, 6);
	e.addr = c->peer4;
	e.status = 200;
	pxb_event_set_path(&e, c->path);
	pxb_event_set_detail(&e, entry);
	pxb_events_add(ev, &e);
}

/* May the request read mac's answer file? Its address, or a token of mac's. */
static int allowed(struct http *s, struct http_conn *c, struct MHD_Connection *con,
		   const uint8_t mac[6], int64_t now)
{
	const char *token = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "token");
	struct pxb_arm a;

	if (c->peer4.s_addr && pxb_policy_client_proven(s->host, mac, c->peer4, now))
		return 1;
	if (!token)
		return 0;
	if (pxb_installs_token_ok(pxb_host_installs(s->host), mac, token))
		return 1;
	return pxb_arms_by_token(pxb_host_arms(s->host), token, now, &a) == 0 &&
	       memcmp(a.mac, mac, 6) == 0;
}

/* The client the file is rendered for: what DHCP knows of mac, at the request's address. */
static void client_of(struct http *s, struct http_conn *c, const uint8_t mac[6], int64_t now,
		      struct pxb_client *cl, char *token)
{
	struct pxb_arm a;
	struct pxb_install x;

	if (pxb_host_client_by_mac(s->host, mac, cl) < 0) {
		memset(cl, 0, sizeof(*cl));
		cl->arch = PXB_ARCH_UNKNOWN;
	}
	cl->has_mac = 1;
	memcpy(cl->mac, mac, 6);
	cl->addr = c->peer4;
	cl->server_addr = c->local4;
	cl->http_port = c->local_port;
	token[0] = '\0';
	if (pxb_arms_lookup(pxb_host_arms(s->host), mac, now, &a) == 0)
		snprintf(token, PXB_ARM_TOKEN_LEN + 1, "%s", a.token);
	else if (pxb_installs_get(pxb_host_installs(s->host), mac, &x) == 0)
		snprintf(token, PXB_ARM_TOKEN_LEN + 1, "%s", x.token);
	cl->token = token;
}

static enum MHD_Result done(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			    const uint8_t mac[6], const char *entry, int64_t now)
{
	pxb_installs *st = pxb_host_installs(s->host);
	struct http_buf b = {0};
	char macs[18];
	int rc = st ? pxb_installs_done(st, mac, entry, now) : 0;

	pxb_mac_format(mac, macs, ':');
	if (rc < 0) {
		http_log(s, PXB_LOG_WARNING, "install of %s finished, but %s cannot be written: %s",
			 macs, pxb_installs_path(st), pxb_strerror(rc));
		return deny(s, c, con, 500, NULL);
	}
	if (rc == 1 || !st)
		http_log(s, PXB_LOG_NOTICE, "install of %s (entry %s) finished: its next boot goes "
			 "to the local disk", macs, entry);
	note(s, c, PXB_EV_INSTALLED, mac, entry);
	http_buf_str(&b, "recorded\n");
	return plain(c, con, 200, &b);
}

enum MHD_Result http_answer(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	char id[PXB_BOOT_ID_MAX], macs[24], tok[PXB_ARM_TOKEN_LEN + 1], msg[512];
	const char *p = c->path + sizeof(PREFIX) - 1, *slash = strchr(p, '/'), *sub;
	int64_t now = (int64_t)time(NULL);
	const struct pxb_boot_entry *e;
	pxb_boot_model *m = NULL;
	struct pxb_boot_ctx ctx;
	struct pxb_client cl;
	struct http_buf b = {0};
	uint8_t mac[6];
	size_t n;
	int rc;

	c->api = 1; /* its own events, below */
	if (!slash || (size_t)(slash - p) >= sizeof(id))
		return deny(s, c, con, 404, NULL);
	memcpy(id, p, (size_t)(slash - p));
	id[slash - p] = '\0';
	p = slash + 1;
	n = strcspn(p, "/");
	sub = p[n] ? p + n + 1 : "";
	if (n >= sizeof(macs) || !pxb_boot_id_valid(id))
		return deny(s, c, con, 404, NULL);
	memcpy(macs, p, n);
	macs[n] = '\0';
	if (pxb_mac_parse(macs, mac) < 0 ||
	    (*sub && strcmp(sub, "done") && strcmp(sub, "user-data") && strcmp(sub, "meta-data")))
		return deny(s, c, con, 404, NULL);
	if (!allowed(s, c, con, mac, now))
		return deny(s, c, con, 403, "not the machine of this answer file (its address, or "
			    "?token= of its install)");
	if (pxb_boot_model_build(s->host, &m) < 0)
		return deny(s, c, con, 500, "the boot model cannot be built");
	e = pxb_boot_find_entry(m, id);
	if (!e || !e->answer) {
		pxb_boot_model_free(m);
		return deny(s, c, con, 404, NULL);
	}
	if (!strcmp(sub, "done")) {
		enum MHD_Result r = done(s, c, con, mac, id, now);
		pxb_boot_model_free(m);
		return r;
	}
	if (!strcmp(sub, "meta-data")) {
		pxb_boot_model_free(m);
		http_buf_printf(&b, "instance-id: pxeboot-%02x%02x%02x%02x%02x%02x\n", mac[0],
				mac[1], mac[2], mac[3], mac[4], mac[5]);
		return plain(c, con, 200, &b);
	}
	client_of(s, c, mac, now, &cl, tok);
	pxb_boot_ctx_init(&ctx, m, &cl, NULL);
	rc = pxb_install_answer(pxb_host_conf(s->host), &ctx, e, &b.p, &b.len, msg, sizeof(msg));
	pxb_boot_model_free(m);
	if (rc < 0) {
		http_log(s, PXB_LOG_ERR, "answer file of %s for %s: %s", id, c->peer, msg);
		return deny(s, c, con, 500, NULL);
	}
	b.cap = b.len + 1;
	if (pxb_installs_fetched(pxb_host_installs(s->host), mac, now) < 0)
		http_log(s, PXB_LOG_WARNING, "cannot write %s",
			 pxb_installs_path(pxb_host_installs(s->host)));
	note(s, c, PXB_EV_ANSWER, mac, id);
	return plain(c, con, 200, &b);
}
