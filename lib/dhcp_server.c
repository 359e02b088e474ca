/*
 * dhcp_server.c - what to answer to one DHCP request, in server and in
 * proxy mode. The message codec is dhcp_codec.c/dhcp_build.c, the rules
 * dhcp_match_*.c, the leases lease_*.c; this file holds the state logic
 * of RFC 2131 section 4.3 and the proxyDHCP of the PXE specification. What
 * a LAN that may be hostile is refused, and where replies go (RFC 2131 4.1),
 * is dhcp_server_guard.c; the engine's making and freeing dhcp_server_new.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp_server.h>
#include "dhcp_probe.h"
#include "dhcp_server_internal.h"
#include "internal.h"

const char *pxb_dhcp_verdict_name(enum pxb_dhcp_verdict v)
{
	switch (v) {
	case PXB_DHCP_V_IGNORE: return "ignore";
	case PXB_DHCP_V_DROP: return "drop";
	case PXB_DHCP_V_OFFER: return "offer";
	case PXB_DHCP_V_ACK: return "ack";
	case PXB_DHCP_V_NAK: return "nak";
	case PXB_DHCP_V_RELEASED: return "released";
	case PXB_DHCP_V_DECLINED: return "declined";
	case PXB_DHCP_V_PROBE: return "probe";
	case PXB_DHCP_V_EXHAUSTED: return "exhausted";
	case PXB_DHCP_V_NOT_RELAY: return "not-relay";
	case PXB_DHCP_V_RATE_LIMITED: return "rate-limited";
	}
	return "?";
}

/* The subnet a request belongs to: by relay address, else by interface. */
static int find_subnet(const struct pxb_dhcp_server *s, const struct pxb_dhcp_msg *m,
		       const struct pxb_dhcp_rx *rx)
{
	for (size_t i = 0; i < s->cfg.nsubnets; i++) {
		const struct pxb_dhcp_subnet_config *n = &s->subnets[i];
		if (m->giaddr.s_addr) {
			if (pxb__dhcp_in_subnet(m->giaddr, n))
				return (int)i;
		} else if (n->ifname ? (rx->ifname && strcmp(n->ifname, rx->ifname) == 0)
				     : pxb__dhcp_in_subnet(rx->local, n)) {
			return (int)i;
		}
	}
	return -1;
}

static int client_key(const struct pxb_dhcp_msg *m, struct pxb_lease_key *key)
{
	struct pxb_dhcp_view v;

	/* RFC 2131 4.2: the client identifier, if given, names the client. */
	if (pxb_dhcp_client_id(m, &v) == 0 && v.len > 0 &&
	    pxb_lease_key_client_id(key, v.data, v.len) == 0)
		return 0;
	return pxb_lease_key_hw(key, m->htype, m->chaddr, m->hlen);
}

static struct in_addr server_addr(const struct pxb_dhcp_subnet_config *n,
				  const struct pxb_dhcp_rx *rx)
{
	return n && n->server_addr.s_addr ? n->server_addr : rx->local;
}

/* Network configuration options of a subnet (RFC 2132 3.3, 3.5, 3.8, 3.17). */
static int add_net_options(struct pxb_dhcp_reply *r, const struct pxb_dhcp_subnet_config *n)
{
	int rc = pxb_dhcp_reply_set_addr(r, PXB_OPT_SUBNET_MASK, n->netmask);

	if (rc == 0 && n->router.s_addr)
		rc = pxb_dhcp_reply_set_addr(r, PXB_OPT_ROUTER, n->router);
	if (rc == 0 && n->ndns)
		rc = pxb_dhcp_reply_set(r, PXB_OPT_DNS, n->dns, n->ndns * 4);
	if (rc == 0 && n->domain && *n->domain)
		rc = pxb_dhcp_reply_set_str(r, PXB_OPT_DOMAIN, n->domain);
	return rc;
}

/* Lease time and renewal times (RFC 2131 4.4.5: T1 0.5, T2 0.875). */
static int add_lease_options(struct pxb_dhcp_reply *r, uint32_t secs)
{
	int rc = pxb_dhcp_reply_set_u32(r, PXB_OPT_LEASE_TIME, secs);

	if (rc == 0)
		rc = pxb_dhcp_reply_set_u32(r, PXB_OPT_RENEWAL_TIME, secs / 2);
	if (rc == 0)
		rc = pxb_dhcp_reply_set_u32(r, PXB_OPT_REBINDING_TIME, (uint32_t)((uint64_t)secs * 7 / 8));
	return rc;
}

static uint32_t lease_secs(const struct pxb_dhcp_msg *m, const struct pxb_dhcp_subnet_config *n)
{
	uint32_t want;

	/* A client may ask for less than we give, never more (RFC 2131 4.3.1). */
	if (pxb_dhcp_lease_time(m, &want) == 0 && want >= 60 && want < n->lease_time)
		return want;
	return n->lease_time;
}

static void hostname_of(const struct pxb_dhcp_msg *m, char *out, size_t len)
{
	struct pxb_dhcp_view v;
	size_t k = 0;

	out[0] = '\0';
	if (pxb_dhcp_hostname(m, &v) < 0)
		return;
	for (size_t i = 0; i < v.len && k + 1 < len; i++) {
		unsigned char c = v.data[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_')
			out[k++] = (char)c;
	}
	out[k] = '\0';
}

static int finish(struct pxb_dhcp_tx *tx, struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *m,
		  enum pxb_dhcp_verdict v, const char *why)
{
	struct pxb_dhcp_view agent;
	int n;

	/*
	 * RFC 3046 2.2: a server that reads the relay agent information (our
	 * rules match on circuit and remote id) echoes it whole in every
	 * reply; relays drop replies or lose their port mapping without it.
	 */
	if (pxb_dhcp_opt(m, PXB_OPT_RELAY_AGENT, &agent) == 0 && agent.len > 0)
		pxb_dhcp_reply_set(r, PXB_OPT_RELAY_AGENT, agent.data, agent.len);
	/* RFC 6842: the client identifier comes back, so the client knows it is its reply. */
	if (pxb_dhcp_client_id(m, &agent) == 0 && agent.len > 0)
		pxb_dhcp_reply_set(r, PXB_OPT_CLIENT_ID, agent.data, agent.len);
	n = pxb_dhcp_build(r, m, tx->buf, sizeof(tx->buf));

	if (n < 0) {
		tx->verdict = PXB_DHCP_V_IGNORE;
		tx->why = "reply does not fit the client's maximum message size";
		tx->len = 0;
		return 0;
	}
	tx->len = (size_t)n;
	tx->verdict = v;
	tx->why = why;
	return 0;
}

static int nak(struct pxb_dhcp_tx *tx, const struct pxb_dhcp_msg *m, struct in_addr sid,
	       const char *why)
{
	struct pxb_dhcp_reply r;

	pxb_dhcp_reply_init(&r, m, PXB_DHCPNAK);
	r.ciaddr.s_addr = 0;
	/* RFC 2131 4.3.2: a NAK to a relay goes with the broadcast bit set. */
	if (m->giaddr.s_addr)
		r.flags |= 0x8000;
	pxb_dhcp_reply_set_addr(&r, PXB_OPT_SERVER_ID, sid);
	pxb_dhcp_reply_set_str(&r, PXB_OPT_MESSAGE, why);
	pxb__dhcp_dest(m, 0, tx);
	return finish(tx, &r, m, PXB_DHCP_V_NAK, why);
}

static int ignore(struct pxb_dhcp_tx *tx, enum pxb_dhcp_verdict v, const char *why)
{
	tx->verdict = v;
	tx->why = why;
	tx->len = 0;
	return 0;
}

void pxb_dhcp_server_set_gate(struct pxb_dhcp_server *s, pxb_dhcp_gate_fn fn, void *arg)
{
	if (!s)
		return;
	s->gate = fn;
	s->gate_arg = arg;
}

/*
 * Evaluates the rules and fills tx->client and tx->boot; then the gate may
 * take the boot offer back. Returns the gate's words (NULL: it did not).
 */
static const char *decide_boot(struct pxb_dhcp_server *s, const struct pxb_dhcp_msg *m,
			       const struct pxb_dhcp_rx *rx, struct in_addr sid, int64_t now,
			       struct pxb_dhcp_tx *tx)
{
	struct pxb_match_ctx ctx = {.ifname = rx->ifname, .recv_addr = sid};
	const char *no;

	tx->client.server_addr = sid;
	tx->client.http_port = s->cfg.http_port;
	memset(&tx->boot, 0, sizeof(tx->boot));
	if (s->rules)
		pxb_match_eval(s->rules, m, &ctx, &tx->client, &tx->boot, NULL);
	if (!s->gate || !tx->boot.offer || !(no = s->gate(s->gate_arg, &tx->client, now)))
		return NULL;
	tx->boot.offer = 0;
	tx->boot.file[0] = '\0';
	tx->boot.server_name[0] = '\0';
	tx->boot.nopts = 0;
	tx->boot.has_next_server = 0;
	return no;
}

/* "WHAT: WHY" in the engine's buffer (valid until the next input), or what. */
static const char *why2(struct pxb_dhcp_server *s, const char *what, const char *why)
{
	if (!why)
		return what;
	snprintf(s->why, sizeof(s->why), "%s: %s", what, why);
	return s->why;
}

/* The address for a DISCOVER (RFC 2131 4.3.1, in its order of preference). */
static int choose_addr(struct pxb_dhcp_server *s, int sn, const struct pxb_dhcp_msg *m,
		       const struct pxb_lease_key *key, int64_t now, struct in_addr *out)
{
	const struct pxb_dhcp_subnet_config *n = &s->subnets[sn];
	const struct pxb_lease *l;
	struct in_addr req;

	if (s->pools[sn] < 0)
		return PXB_ERR_BUSY;
	/*
	 * 1: the client's current or previous address, if still free for it
	 * (and not since reserved for a host: server_discover() gives it to the host).
	 */
	l = pxb_lease_by_key(s->leases, key);
	if (l) {
		struct in_addr a = {htonl(l->addr)};
		if (pxb__dhcp_in_subnet(a, n) && l->state != PXB_LEASE_DECLINED &&
		    !pxb__dhcp_reserved(s, a) && pxb_lease_available(s->leases, l->addr, key, now)) {
			*out = a;
			return 0;
		}
	}
	/*
	 * 2: the address it asks for, if in our pool and free. available()
	 * ignores reservations (alloc() honours them): a host's fixed address
	 * is never given to another client that asks for it by name.
	 */
	if (pxb_dhcp_requested_ip(m, &req) == 0 && pxb__dhcp_in_subnet(req, n) &&
	    ntohl(req.s_addr) >= ntohl(n->pool_start.s_addr) &&
	    ntohl(req.s_addr) <= ntohl(n->pool_end.s_addr) && !pxb__dhcp_reserved(s, req) &&
	    pxb_lease_available(s->leases, ntohl(req.s_addr), key, now)) {
		*out = req;
		return 0;
	}
	/* 3: a new one from the pool. */
	{
		uint32_t a;
		int rc = pxb_lease_alloc(s->leases, s->pools[sn], now, &a);
		if (rc < 0)
			return rc;
		out->s_addr = htonl(a);
	}
	return 0;
}

/*
 * RFC 2131 4.4.1: the server SHOULD probe an address before allocating it.
 * Done after a loss of leases (an address may be held by a lease we no
 * longer know) or always, as configured; never for the client's own live
 * lease (or the offer made to it once its probe was silent).
 */
static int needs_probe(const struct pxb_dhcp_server *s, const struct pxb_lease_key *key,
		       uint32_t addr, int64_t now)
{
	const struct pxb_lease *l;
	int64_t loss;

	if (s->cfg.probe == PXB_DHCP_PROBE_NEVER)
		return 0;
	loss = pxb_lease_loss_time(s->leases);
	if (s->cfg.probe != PXB_DHCP_PROBE_ALWAYS && (!loss || now >= loss + s->max_lease))
		return 0;
	l = pxb_lease_by_addr(s->leases, addr);
	return !(l && pxb_lease_is_live(l, now) &&
		 (l->state == PXB_LEASE_BOUND || l->state == PXB_LEASE_OFFERED) &&
		 pxb_lease_by_key(s->leases, key) == l);
}

/* Holds a DISCOVER whose address must be probed first: 1 (tx says what) or 0 (offer it). */
static int probe_first(struct pxb_dhcp_server *s, const struct pxb_lease_key *key,
		       struct in_addr a, int64_t now, struct pxb_dhcp_tx *tx)
{
	uint32_t h = ntohl(a.s_addr);

	if (pxb__probe_find(s->probes, h, now, 0) >= 0) {
		ignore(tx, PXB_DHCP_V_IGNORE, "address being probed");
		return 1;
	}
	if (!needs_probe(s, key, h, now))
		return 0;
	if (s->attempts >= PXB__PROBE_ATTEMPTS) {
		ignore(tx, PXB_DHCP_V_IGNORE, "addresses probed answered: none offered");
		return 1;
	}
	if (!s->probes && !(s->probes = calloc(1, sizeof(*s->probes)))) {
		ignore(tx, PXB_DHCP_V_IGNORE, "out of memory for a probe");
		return 1;
	}
	if (pxb__probe_add(s->probes, h, s->in_buf, s->in_len, s->in_rx, s->attempts, now) < 0) {
		ignore(tx, PXB_DHCP_V_IGNORE, "too many probes in progress");
		return 1;
	}
	/* the address is held for the client while it is probed */
	pxb_lease_offer(s->leases, key, h, now + PXB__PROBE_HOLD, now);
	ignore(tx, PXB_DHCP_V_PROBE, "probe before offering (RFC 2131 4.4.1)");
	tx->probe_addr = a;
	tx->yiaddr = a;
	return 1;
}

int pxb_dhcp_server_probe_done(struct pxb_dhcp_server *s, struct in_addr addr, int answered,
			       int64_t now, struct pxb_dhcp_tx *tx)
{
	struct pxb__probe *e;
	struct pxb_dhcp_rx rx;
	char ifname[sizeof(e->ifname)];
	size_t len;
	int i;

	if (!s || !tx)
		return PXB_ERR_INVAL;
	i = pxb__probe_find(s->probes, ntohl(addr.s_addr), now, 1);
	if (i < 0) {
		memset(tx, 0, sizeof(*tx));
		return ignore(tx, PXB_DHCP_V_IGNORE, "no probe of that address");
	}
	e = &s->probes->e[i];
	len = e->len;
	memcpy(s->rerun, e->req, len);
	rx = e->rx;
	memcpy(ifname, e->ifname, sizeof(ifname));
	if (rx.ifname)
		rx.ifname = ifname;
	s->rerun_attempts = e->attempts + 1;
	e->addr = 0;
	/* in use by someone we do not know of: quarantined as if declined (RFC 2131 4.3.3) */
	if (answered)
		pxb_lease_stage_decline(s->leases, ntohl(addr.s_addr),
					now + s->cfg.decline_quarantine, NULL);
	return pxb_dhcp_server_input(s, s->rerun, len, &rx, now, tx);
}

/* An OFFER or ACK of a for secs from server sid: lease, subnet and boot options. */
static void lease_reply(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *m, uint8_t type,
			const struct pxb_dhcp_subnet_config *n, struct in_addr a,
			struct in_addr sid, uint32_t secs, struct pxb_dhcp_tx *tx)
{
	pxb_dhcp_reply_init(r, m, type);
	r->yiaddr = a;
	r->siaddr = sid;
	pxb_dhcp_reply_set_addr(r, PXB_OPT_SERVER_ID, sid);
	add_lease_options(r, secs);
	add_net_options(r, n);
	pxb_dhcp_reply_apply_boot(r, m, &tx->boot, sid);
	tx->yiaddr = a;
}

static int server_discover(struct pxb_dhcp_server *s, int sn, const struct pxb_dhcp_msg *m,
			   const struct pxb_dhcp_rx *rx, int64_t now, struct pxb_dhcp_tx *tx)
{
	const struct pxb_dhcp_subnet_config *n = &s->subnets[sn];
	struct in_addr sid = server_addr(n, rx), a;
	struct pxb_lease_key key;
	struct pxb_dhcp_reply r;
	uint32_t secs = lease_secs(m, n);
	const char *no;

	if (client_key(m, &key) < 0)
		return ignore(tx, PXB_DHCP_V_DROP, "no usable client identifier");
	no = decide_boot(s, m, rx, sid, now, tx);
	if (tx->boot.has_fixed_addr && pxb__dhcp_in_subnet(tx->boot.fixed_addr, n) &&
	    pxb_lease_available(s->leases, ntohl(tx->boot.fixed_addr.s_addr), &key, now)) {
		a = tx->boot.fixed_addr;
	} else if (s->pools[sn] < 0) {
		return ignore(tx, PXB_DHCP_V_IGNORE, "no pool on this network (reservations only)");
	} else if (choose_addr(s, sn, m, &key, now, &a) < 0) {
		char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &n->pool_start, lo, sizeof(lo));
		inet_ntop(AF_INET, &n->pool_end, hi, sizeof(hi));
		snprintf(s->why, sizeof(s->why), "no free address in the pool %s-%s", lo, hi);
		return ignore(tx, PXB_DHCP_V_EXHAUSTED, s->why);
	} else if (probe_first(s, &key, a, now, tx)) {
		return 0;
	}
	if (pxb_lease_offer(s->leases, &key, ntohl(a.s_addr), now + s->cfg.offer_hold, now) < 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "address could not be offered");
	lease_reply(&r, m, PXB_DHCPOFFER, n, a, sid, secs, tx);
	pxb__dhcp_dest(m, 0, tx); /* never to ciaddr (RFC 2131 4.3.1) */
	return finish(tx, &r, m, PXB_DHCP_V_OFFER,
		      tx->boot.offer ? "offer with boot file"
				     : why2(s, "offer without boot file", no));
}

/* to_ciaddr: the client is RENEWING or REBINDING with ciaddr in subnet sn (pxb__dhcp_dest()). */
static int ack(struct pxb_dhcp_server *s, int sn, const struct pxb_dhcp_msg *m,
	       const struct pxb_dhcp_rx *rx, int64_t now, struct in_addr a,
	       const struct pxb_lease_key *key, struct pxb_dhcp_tx *tx, const char *why,
	       int to_ciaddr)
{
	const struct pxb_dhcp_subnet_config *n = &s->subnets[sn];
	struct in_addr sid = server_addr(n, rx);
	struct pxb_dhcp_reply r;
	uint32_t secs = lease_secs(m, n);
	char host[PXB_LEASE_HOSTNAME_MAX + 1];
	uint64_t seq = 0;
	const char *no;

	if (pxb__probe_find(s->probes, ntohl(a.s_addr), now, 0) >= 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "address being probed");
	hostname_of(m, host, sizeof(host));
	if (pxb_lease_stage_bind(s->leases, key, ntohl(a.s_addr), now + secs, host, now, &seq) < 0)
		return nak(tx, m, sid, "address not available");
	no = decide_boot(s, m, rx, sid, now, tx);
	lease_reply(&r, m, PXB_DHCPACK, n, a, sid, secs, tx);
	tx->hold_seq = seq;
	pxb__dhcp_dest(m, to_ciaddr, tx);
	return finish(tx, &r, m, PXB_DHCP_V_ACK, why2(s, why, no));
}

static int server_request(struct pxb_dhcp_server *s, int sn, const struct pxb_dhcp_msg *m,
			  const struct pxb_dhcp_rx *rx, int64_t now, struct pxb_dhcp_tx *tx)
{
	const struct pxb_dhcp_subnet_config *n = &s->subnets[sn];
	struct in_addr sid = server_addr(n, rx), their_sid, req, a;
	struct pxb_lease_key key;
	const struct pxb_lease *l;
	int has_sid = pxb_dhcp_server_id(m, &their_sid) == 0;
	int has_req = pxb_dhcp_requested_ip(m, &req) == 0;

	if (client_key(m, &key) < 0)
		return ignore(tx, PXB_DHCP_V_DROP, "no usable client identifier");
	l = pxb_lease_by_key(s->leases, &key);
	if (has_sid) {
		/* SELECTING (RFC 2131 4.3.2): the client chose a server. */
		if (their_sid.s_addr != sid.s_addr)
			return ignore(tx, PXB_DHCP_V_IGNORE, "client chose another server");
		if (!has_req || m->ciaddr.s_addr)
			return ignore(tx, PXB_DHCP_V_DROP, "REQUEST in SELECTING without address");
		if (!l || htonl(l->addr) != req.s_addr)
			return nak(tx, m, sid, "no offer for that address");
		return ack(s, sn, m, rx, now, req, &key, tx, "selected", 0);
	}
	if (has_req && !m->ciaddr.s_addr) {
		/* INIT-REBOOT: the client says where it thinks it is. */
		if (!pxb__dhcp_in_subnet(req, n))
			return nak(tx, m, sid, "wrong network");
		/*
		 * RFC 2131 4.3.2: with no record of this client the server MUST
		 * remain silent, so that servers that do not talk to each other
		 * can share a wire; the client falls back to DISCOVER.
		 */
		if (!l)
			return ignore(tx, PXB_DHCP_V_IGNORE,
				      "INIT-REBOOT from a client we have no record of");
		if (!pxb_lease_available(s->leases, ntohl(req.s_addr), &key, now))
			return nak(tx, m, sid, "address belongs to another client");
		if (htonl(l->addr) != req.s_addr)
			return nak(tx, m, sid, "no lease for that address");
		return ack(s, sn, m, rx, now, req, &key, tx, "init-reboot", 0);
	}
	if (m->ciaddr.s_addr) {
		/* RENEWING (unicast to us) or REBINDING (broadcast). */
		a = m->ciaddr;
		if (!pxb__dhcp_in_subnet(a, n))
			return nak(tx, m, sid, "wrong network");
		if (!l || htonl(l->addr) != a.s_addr ||
		    !pxb_lease_available(s->leases, ntohl(a.s_addr), &key, now))
			return nak(tx, m, sid, "no lease for that address");
		/*
		 * RENEWING and REBINDING send no option 50 (RFC 2131 4.3.2
		 * table 4): only then is the ACK unicast to ciaddr (4.1).
		 */
		return ack(s, sn, m, rx, now, a, &key, tx, "renew or rebind", !has_req);
	}
	return ignore(tx, PXB_DHCP_V_DROP, "REQUEST without address");
}

static int server_release(struct pxb_dhcp_server *s, const struct pxb_dhcp_msg *m,
			  struct pxb_dhcp_tx *tx)
{
	struct pxb_lease_key key;
	uint64_t seq;

	if (client_key(m, &key) < 0 || !m->ciaddr.s_addr)
		return ignore(tx, PXB_DHCP_V_DROP, "RELEASE without client or address");
	if (pxb_lease_stage_release(s->leases, &key, ntohl(m->ciaddr.s_addr), &seq) < 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "RELEASE of a lease the client does not hold");
	tx->yiaddr = m->ciaddr;
	return ignore(tx, PXB_DHCP_V_RELEASED, "released");
}

static int server_decline(struct pxb_dhcp_server *s, int sn, const struct pxb_dhcp_msg *m,
			  const struct pxb_dhcp_rx *rx, int64_t now, struct pxb_dhcp_tx *tx)
{
	struct in_addr sid = server_addr(&s->subnets[sn], rx), their, req;
	struct pxb_lease_key key;
	const struct pxb_lease *l;
	uint64_t seq;

	if (pxb_dhcp_server_id(m, &their) == 0 && their.s_addr != sid.s_addr)
		return ignore(tx, PXB_DHCP_V_IGNORE, "DECLINE for another server");
	if (pxb_dhcp_requested_ip(m, &req) < 0 || client_key(m, &key) < 0)
		return ignore(tx, PXB_DHCP_V_DROP, "DECLINE without address");
	/* Only the client we gave the address to can make us quarantine it. */
	l = pxb_lease_by_addr(s->leases, ntohl(req.s_addr));
	if (!l || l->key.len != key.len || memcmp(l->key.bytes, key.bytes, key.len) != 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "DECLINE of an address not given to that client");
	pxb_lease_stage_decline(s->leases, ntohl(req.s_addr), now + s->cfg.decline_quarantine, &seq);
	tx->yiaddr = req;
	return ignore(tx, PXB_DHCP_V_DECLINED, "address quarantined");
}

static int server_inform(struct pxb_dhcp_server *s, int sn, const struct pxb_dhcp_msg *m,
			 const struct pxb_dhcp_rx *rx, int64_t now, struct pxb_dhcp_tx *tx)
{
	const struct pxb_dhcp_subnet_config *n = &s->subnets[sn];
	struct in_addr sid = server_addr(n, rx);
	struct pxb_dhcp_reply r;
	const char *no;

	/*
	 * RFC 2131 4.3.5: the ACK goes to ciaddr. One outside this network is
	 * no client of it (and would have us send to whichever host it names).
	 */
	if (m->ciaddr.s_addr && !pxb__dhcp_in_subnet(m->ciaddr, n))
		return ignore(tx, PXB_DHCP_V_IGNORE, "INFORM from an address not on this network");
	/* RFC 2131 3.4: configuration only; no lease time, no yiaddr. */
	no = decide_boot(s, m, rx, sid, now, tx);
	pxb_dhcp_reply_init(&r, m, PXB_DHCPACK);
	r.siaddr = sid;
	pxb_dhcp_reply_set_addr(&r, PXB_OPT_SERVER_ID, sid);
	add_net_options(&r, n);
	pxb_dhcp_reply_apply_boot(&r, m, &tx->boot, sid);
	pxb__dhcp_dest(m, 1, tx);
	return finish(tx, &r, m, PXB_DHCP_V_ACK, why2(s, "inform", no));
}

/*
 * PXE vendor options for a proxy reply (PXE 2.1 2.2.5, 2.3): discovery
 * control 8 says "use the boot file in this packet, no boot server
 * discovery" (as dnsmasq does without a menu); a boot item (71) the client
 * sent to port 4011 is echoed so iPXE's boot server discovery accepts us.
 *
 * EDK2 (OVMF, UefiPxeBcDxe PxeBcParseDhcp4Packet) classes an offer with
 * yiaddr 0, option 60 "PXEClient" and a discovery control in 43 as
 * ProxyPxe10, takes it together with the DHCP server's plain offer, and,
 * bit 3 set and a boot file present, skips the boot menu and discovery
 * (PxeBcSelectBootPrompt) and loads the file from siaddr over TFTP. Without
 * option 43 the offer is ProxyBinl and the client asks again on port 4011
 * (PxeBcRetryBinlOffer), which proxy_input() answers too.
 */
static void proxy_vendor(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *m)
{
	uint8_t v[32];
	size_t k = 0;
	struct pxb_dhcp_view o43, item;

	v[k++] = 6;
	v[k++] = 1;
	v[k++] = 8;
	if (pxb_dhcp_opt(m, PXB_OPT_VENDOR, &o43) == 0 &&
	    pxb_dhcp_subopt(o43.data, o43.len, 71, &item) == 0 && item.len == 4) {
		v[k++] = 71;
		v[k++] = 4;
		memcpy(v + k, item.data, 4);
		k += 4;
	}
	v[k++] = 255;
	pxb_dhcp_reply_set_forced(r, PXB_OPT_VENDOR, v, k);
}

static int proxy_input(struct pxb_dhcp_server *s, const struct pxb_dhcp_msg *m, int type,
		       const struct pxb_dhcp_rx *rx, int64_t now, struct pxb_dhcp_tx *tx)
{
	struct pxb_dhcp_pxe_class pc;
	struct pxb_dhcp_reply r;
	struct in_addr sid = rx->local;
	uint8_t uuid[16];
	int sn = find_subnet(s, m, rx), is_ack;
	const char *no;

	if (s->cfg.nsubnets && sn < 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "not on a configured network");
	if (sn >= 0 && s->subnets[sn].server_addr.s_addr)
		sid = s->subnets[sn].server_addr;
	/* Never answer anything but PXE and HTTP-boot firmware. */
	if (pxb_dhcp_pxe_class(m, &pc) < 0 || pc.kind == PXB_PXE_NONE)
		return ignore(tx, PXB_DHCP_V_IGNORE, "not a PXE client (proxy mode)");
	if (rx->dst_port == PXB_DHCP_PXE_PORT) {
		if (type != PXB_DHCPREQUEST && type != PXB_DHCPINFORM)
			return ignore(tx, PXB_DHCP_V_IGNORE, "port 4011 takes REQUEST only");
	} else if (type != PXB_DHCPDISCOVER && type != PXB_DHCPREQUEST) {
		return ignore(tx, PXB_DHCP_V_IGNORE, "proxy answers DISCOVER and REQUEST");
	}
	no = decide_boot(s, m, rx, sid, now, tx);
	if (!tx->boot.offer || !tx->boot.file[0])
		return ignore(tx, PXB_DHCP_V_IGNORE,
			      tx->boot.offer ? "no boot file for this client"
					     : why2(s, "no boot offer for this client", no));
	/*
	 * A REQUEST on 67 is meant for the real DHCP server unless it names
	 * us. One that names us and asks for an address (option 50) comes from
	 * a client that took our OFFER for a lease (busybox udhcpc with a PXE
	 * vendor class does, asking for 0.0.0.0): an ACK would make it bind
	 * no address, a NAK is not ours to give. Silence sends it back to
	 * DISCOVER, where it can take the DHCP server's offer.
	 * It matters most when the DHCP server has our address (a proxy on
	 * the router itself, or dnsmasq beside us in t/e2e_boot.sh f): then
	 * the client's REQUEST for the server's offer names us. EDK2's
	 * Dhcp4Dxe (DhcpHandleRequest) takes the first ACK carrying the
	 * server id it selected, and one whose yiaddr is not the offered
	 * address makes it DECLINE and fail DHCP: OVMF's PXE and HTTP Boot
	 * then never load anything. dnsmasq in proxy mode answers no REQUEST
	 * on 67 at all.
	 */
	if (rx->dst_port != PXB_DHCP_PXE_PORT && type == PXB_DHCPREQUEST) {
		struct in_addr their, want;
		if (pxb_dhcp_server_id(m, &their) < 0 || their.s_addr != sid.s_addr)
			return ignore(tx, PXB_DHCP_V_IGNORE, "REQUEST for the DHCP server");
		if (pxb_dhcp_requested_ip(m, &want) == 0)
			return ignore(tx, PXB_DHCP_V_IGNORE,
				      "REQUEST for an address: a proxy has none to give");
	}
	is_ack = rx->dst_port == PXB_DHCP_PXE_PORT || type == PXB_DHCPREQUEST;
	pxb_dhcp_reply_init(&r, m, is_ack ? PXB_DHCPACK : PXB_DHCPOFFER);
	r.yiaddr.s_addr = 0; /* never an address */
	r.siaddr = sid;
	pxb_dhcp_reply_set_addr(&r, PXB_OPT_SERVER_ID, sid);
	pxb_dhcp_reply_apply_boot(&r, m, &tx->boot, sid);
	pxb_dhcp_reply_set_str(&r, PXB_OPT_VENDOR_CLASS,
			       pc.kind == PXB_PXE_HTTP ? "HTTPClient" : "PXEClient");
	if (pc.kind == PXB_PXE_CLIENT)
		proxy_vendor(&r, m);
	if (pxb_dhcp_uuid(m, uuid) == 0) {
		uint8_t u[17] = {0};
		memcpy(u + 1, uuid, 16);
		pxb_dhcp_reply_set_forced(&r, PXB_OPT_UUID, u, sizeof(u));
	}
	if (rx->dst_port == PXB_DHCP_PXE_PORT) {
		/*
		 * Boot server replies go back to where the request came from:
		 * EDK2 (PxeBcDhcp4Discover) sends from port 4011 and listens
		 * on 4011 only; the port-68 reply of a server would be lost.
		 */
		tx->dst = rx->src;
		tx->dst_port = rx->src_port;
	} else {
		/*
		 * An OFFER never goes to ciaddr (RFC 2131 4.3.1); an ACK on 67
		 * only to a ciaddr in the configured network it arrived on
		 * (without one, the engine cannot tell: broadcast).
		 */
		pxb__dhcp_dest(m, is_ack && sn >= 0 && pxb__dhcp_in_subnet(m->ciaddr, &s->subnets[sn]),
			       tx);
	}
	return finish(tx, &r, m, is_ack ? PXB_DHCP_V_ACK : PXB_DHCP_V_OFFER,
		      is_ack ? "proxy boot reply" : "proxy boot offer");
}

int pxb_dhcp_server_input(struct pxb_dhcp_server *s, const uint8_t *buf, size_t len,
			  const struct pxb_dhcp_rx *rx, int64_t now, struct pxb_dhcp_tx *tx)
{
	struct pxb_dhcp_msg *m;
	int type, sn;

	if (!s || !buf || !rx || !tx)
		return PXB_ERR_INVAL;
	tx->verdict = PXB_DHCP_V_IGNORE;
	tx->len = 0;
	tx->hold_seq = 0;
	tx->req_type = 0;
	tx->yiaddr.s_addr = 0;
	memset(&tx->client, 0, sizeof(tx->client));
	tx->client.arch = PXB_ARCH_UNKNOWN;
	memset(&tx->boot, 0, sizeof(tx->boot));
	tx->probe_addr.s_addr = 0;
	s->in_buf = buf;
	s->in_len = len;
	s->in_rx = rx;
	s->attempts = s->rerun_attempts;
	s->rerun_attempts = 0;
	/* a request handled again after its probe was counted when it came */
	if (!s->attempts && !pxb__dhcp_rate_ok(s, rx->ifname, now))
		return ignore(tx, PXB_DHCP_V_RATE_LIMITED,
			      "over the request rate of this interface (dhcp.rate)");
	m = &s->msg;
	if (pxb_dhcp_parse(m, buf, len, 0) < 0)
		return ignore(tx, PXB_DHCP_V_DROP, pxb_dhcp_reason_str(m->reason));
	type = pxb_dhcp_msg_type(m);
	if (type < 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "BOOTP request without DHCP message type");
	tx->req_type = type;
	pxb_dhcp_fill_client(m, &tx->client);
	if (m->giaddr.s_addr && rx->dst_port != PXB_DHCP_PXE_PORT &&
	    !pxb__dhcp_from_relay(s, m, rx))
		return ignore(tx, PXB_DHCP_V_NOT_RELAY,
			      "giaddr set by a sender that is no relay (dhcp.relays)");
	if (s->cfg.proxy)
		return proxy_input(s, m, type, rx, now, tx);
	if (rx->dst_port == PXB_DHCP_PXE_PORT)
		return ignore(tx, PXB_DHCP_V_IGNORE, "port 4011 is for proxy mode");
	sn = find_subnet(s, m, rx);
	if (sn < 0)
		return ignore(tx, PXB_DHCP_V_IGNORE, "not on a configured network");
	switch (type) {
	case PXB_DHCPDISCOVER:
		return server_discover(s, sn, m, rx, now, tx);
	case PXB_DHCPREQUEST:
		return server_request(s, sn, m, rx, now, tx);
	case PXB_DHCPRELEASE:
		return server_release(s, m, tx);
	case PXB_DHCPDECLINE:
		return server_decline(s, sn, m, rx, now, tx);
	case PXB_DHCPINFORM:
		return server_inform(s, sn, m, rx, now, tx);
	}
	return ignore(tx, PXB_DHCP_V_IGNORE, "not a client message type");
}
