/*
 * dhcp_server_internal.h - the DHCP engine's private state, shared by
 * dhcp_server.c (what to answer), dhcp_server_new.c (the engine made from
 * its configuration) and dhcp_server_guard.c (what a hostile LAN is refused,
 * where a reply goes).
 */
#ifndef PXB_DHCP_SERVER_INTERNAL_H
#define PXB_DHCP_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pxeboot/dhcp_server.h>
#include "dhcp_probe.h"

#define PXB__DHCP_RATE_BUCKETS 32 /* interfaces with a bucket of their own; the others share one */

/* The request budget of one receiving interface (pxb__dhcp_rate_ok()). */
struct pxb__dhcp_bucket {
	char ifname[16];
	int used;
	uint64_t tokens;
	int64_t last;                /* now of the last refill */
};

struct pxb_dhcp_server {
	struct pxb_dhcp_server_config cfg;
	struct in_addr *relays;
	struct pxb_dhcp_subnet_config *subnets;
	char **ifnames;
	char **domains;
	int *pools;                  /* pool id per subnet, -1 none */
	uint32_t *reserved;          /* host entries' addresses, host order, sorted */
	size_t nreserved;
	struct pxb_dhcp_msg msg;     /* the request being handled (large: kept here) */
	const struct pxb_match_rules *rules;
	struct pxb_lease_store *leases;
	pxb_dhcp_gate_fn gate;       /* may a chosen boot be offered? (policy) */
	void *gate_arg;
	char why[128];               /* tx->why when the gate said no */
	struct pxb__probes *probes;  /* addresses being probed (dhcp_probe.c), NULL: none yet */
	const uint8_t *in_buf;       /* the datagram being handled, kept if it waits for a probe */
	size_t in_len;
	const struct pxb_dhcp_rx *in_rx;
	unsigned attempts, rerun_attempts; /* probes made for the DISCOVER being handled */
	uint32_t max_lease;          /* longest lease time of the subnets */
	uint8_t rerun[PXB__PROBE_REQ_MAX]; /* the request handled again after its probe */
	struct pxb__dhcp_bucket buckets[PXB__DHCP_RATE_BUCKETS + 1];
};

static inline int pxb__dhcp_in_subnet(struct in_addr a, const struct pxb_dhcp_subnet_config *n)
{
	return (a.s_addr & n->netmask.s_addr) == (n->network.s_addr & n->netmask.s_addr);
}

/* Is addr (network order) a host entry's fixed address? */
int pxb__dhcp_reserved(const struct pxb_dhcp_server *s, struct in_addr addr);

/* Sets tx->dst and tx->dst_port for a reply to m (RFC 2131 4.1). */
void pxb__dhcp_dest(const struct pxb_dhcp_msg *m, int to_ciaddr, struct pxb_dhcp_tx *tx);

/* May one more request be handled from interface ifname at now? 1 yes, 0 no. */
int pxb__dhcp_rate_ok(struct pxb_dhcp_server *s, const char *ifname, int64_t now);

/* Did m, with a giaddr, come from a relay? 1 yes, 0 no. */
int pxb__dhcp_from_relay(const struct pxb_dhcp_server *s, const struct pxb_dhcp_msg *m,
			 const struct pxb_dhcp_rx *rx);

#endif
