/*
 * pxeboot/dhcp_server.h - the DHCP server and proxyDHCP engine (sans-I/O).
 *
 * One datagram in, at most one reply out, with where to send it and a
 * verdict tests can assert on. The engine reads no clock (the caller passes
 * Unix time in seconds, because leases outlive restarts), opens no socket
 * and logs nothing.
 *
 * Server mode (RFC 2131): addresses from pools per subnet, reservations by
 * host entry, DISCOVER/OFFER, REQUEST/ACK/NAK in the SELECTING,
 * INIT-REBOOT, RENEWING and REBINDING states, RELEASE, DECLINE (address
 * quarantined), INFORM, relayed requests (giaddr). An ACK that binds a lease
 * carries hold_seq: the caller sends it only once the lease store reports
 * that sequence durable (pxb_lease_flush()).
 *
 * On a LAN that may be hostile: a request carrying a giaddr is taken only
 * from a relay (sent from port 67 by giaddr itself, or by a configured
 * relay address); replies go to ciaddr only where RFC 2131 4.1 and 4.3.2
 * say so and ciaddr lies in the network the request belongs to; requests
 * beyond a rate per receiving interface (a token bucket over `now`) are
 * dropped unread; an exhausted pool has a verdict of its own.
 *
 * Proxy mode (PXE specification 2.1, 2.2.5): beside a DHCP server we do not
 * control, answer only PXE and HTTP-boot clients, never with an address:
 * an OFFER on port 67 with yiaddr 0, option 60 echoed and option 43 telling
 * the firmware to take the boot file from this offer, and an ACK with the
 * boot file to REQUESTs on port 4011.
 */
#ifndef PXEBOOT_DHCP_SERVER_H
#define PXEBOOT_DHCP_SERVER_H

#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/lease.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PXB_DHCP_MAX_DNS 4

/* One link (or relayed network) the server gives addresses on. */
struct pxb_dhcp_subnet_config {
	const char *ifname;          /* receiving interface; NULL: relayed only */
	struct in_addr network;      /* network address */
	struct in_addr netmask;
	struct in_addr pool_start;   /* 0.0.0.0: no pool (reservations only) */
	struct in_addr pool_end;
	struct in_addr router;       /* 0.0.0.0: none */
	struct in_addr dns[PXB_DHCP_MAX_DNS];
	unsigned ndns;
	const char *domain;          /* NULL: none */
	uint32_t lease_time;         /* seconds */
	struct in_addr server_addr;  /* our address here; 0.0.0.0: where it arrived */
};

struct pxb_dhcp_server_config {
	int proxy;                   /* 1: proxyDHCP, 0: server */
	const struct pxb_dhcp_subnet_config *subnets;
	size_t nsubnets;
	uint32_t offer_hold;         /* seconds an offered address is kept [60] */
	uint32_t decline_quarantine; /* seconds a declined address is not used [600] */
	uint16_t http_port;          /* for UEFI HTTP boot URLs [80] */
	int probe;                   /* enum pxb_dhcp_probe [PXB_DHCP_PROBE_AFTER_LOSS] */
	const struct in_addr *relays; /* senders taken as relays whatever their giaddr */
	size_t nrelays;
	uint32_t rate;               /* requests per second per interface [0: no limit] */
	uint32_t rate_burst;         /* requests at once per interface [rate] */
};

/*
 * When an address is probed before it is offered (RFC 2131 sec 4.4.1): never
 * when it is the client's own live lease or a host entry's fixed address;
 * otherwise after a loss of leases (pxb_lease_loss_time(), until the longest
 * lease time of the subnets has passed since), always, or never.
 */
enum pxb_dhcp_probe {
	PXB_DHCP_PROBE_AFTER_LOSS = 0,
	PXB_DHCP_PROBE_ALWAYS = 1,
	PXB_DHCP_PROBE_NEVER = 2,
};

/* How a datagram reached us. */
struct pxb_dhcp_rx {
	const char *ifname;          /* receiving interface */
	struct in_addr local;        /* our address on it (or the one it was sent to) */
	struct in_addr src;          /* the sender */
	uint16_t src_port;
	uint16_t dst_port;           /* 67 or 4011 */
};

enum pxb_dhcp_verdict {
	PXB_DHCP_V_IGNORE = 0,   /* nothing to send (see why) */
	PXB_DHCP_V_DROP,         /* malformed: dropped and to be counted (see why) */
	PXB_DHCP_V_OFFER,
	PXB_DHCP_V_ACK,
	PXB_DHCP_V_NAK,
	PXB_DHCP_V_RELEASED,     /* a lease was released (nothing to send) */
	PXB_DHCP_V_DECLINED,     /* an address was quarantined (nothing to send) */
	PXB_DHCP_V_PROBE,        /* probe tx->probe_addr, then pxb_dhcp_server_probe_done() */
	PXB_DHCP_V_EXHAUSTED,    /* no free address in the pool (nothing to send) */
	PXB_DHCP_V_NOT_RELAY,    /* giaddr set by a sender that is no relay: dropped */
	PXB_DHCP_V_RATE_LIMITED, /* over the interface's request rate: dropped unread */
};
#define PXB_DHCP_V_COUNT (PXB_DHCP_V_RATE_LIMITED + 1)

#define PXB_DHCP_TX_MAX 1472 /* an Ethernet frame less IP and UDP headers */

/* What to do with one datagram. */
struct pxb_dhcp_tx {
	enum pxb_dhcp_verdict verdict;
	const char *why;             /* static words for logs: why nothing, or what */
	int req_type;                /* option 53 of the request, or 0 */
	uint8_t buf[PXB_DHCP_TX_MAX];
	size_t len;                  /* reply length, 0: nothing to send */
	struct in_addr dst;          /* where: 255.255.255.255, a relay or the client */
	uint16_t dst_port;
	uint64_t hold_seq;           /* 0: send now; else once the lease is durable */
	struct in_addr yiaddr;       /* address offered or acknowledged */
	struct pxb_client client;    /* what we learned of the client, tags included */
	struct pxb_boot_choice boot; /* what the rules decided */
	struct in_addr probe_addr;   /* PXB_DHCP_V_PROBE: the address to probe */
};

struct pxb_dhcp_server;

/*
 * Creates an engine. rules (match rules, may be NULL: no boot offers) and
 * leases (required in server mode, unused in proxy mode) are borrowed and
 * must outlive the engine; cfg is copied. Pools are registered with the
 * lease store and reservations (host entries with an address) reserved.
 * Returns 0, PXB_ERR_INVAL (no subnet in server mode, pool outside its
 * subnet, no lease store), PXB_ERR_NOMEM, or an error of the lease store.
 */
PXB_API int pxb_dhcp_server_new(const struct pxb_dhcp_server_config *cfg,
				const struct pxb_match_rules *rules,
				const struct pxb_match_host_config *hosts, size_t nhosts,
				struct pxb_lease_store *leases, struct pxb_dhcp_server **out);

/* Frees an engine (NULL is fine). The rules and lease store stay. */
PXB_API void pxb_dhcp_server_free(struct pxb_dhcp_server *s);

/*
 * A gate: asked, after the rules chose a boot file, whether this client may
 * be offered it (now: the now of pxb_dhcp_server_input). NULL: it may;
 * else static words saying why not ("not armed", pxeboot/policy.h), and the
 * client is answered as a noboot host: an address (server mode) without
 * boot information, and no proxy reply. tx->why then carries the words.
 */
typedef const char *(*pxb_dhcp_gate_fn)(void *arg, const struct pxb_client *client, int64_t now);

/* Sets the gate (fn NULL: none, every boot the rules choose is offered). */
PXB_API void pxb_dhcp_server_set_gate(struct pxb_dhcp_server *s, pxb_dhcp_gate_fn fn, void *arg);

/*
 * Handles one datagram. Fills *tx (always: verdict, why, and a reply when
 * len > 0). now: Unix time in seconds (also the clock of the rate limit,
 * whose buckets refill once per second of it).
 * Returns 0 (see tx->verdict) or PXB_ERR_INVAL for NULL arguments.
 */
PXB_API int pxb_dhcp_server_input(struct pxb_dhcp_server *s, const uint8_t *buf, size_t len,
				  const struct pxb_dhcp_rx *rx, int64_t now,
				  struct pxb_dhcp_tx *tx);

/*
 * Reports the outcome of the probe a PXB_DHCP_V_PROBE asked for: answered 1
 * when something answered at addr (an ICMP echo reply, an ARP reply), 0 when
 * nothing did within the caller's timeout. An address that answered is
 * quarantined like a declined one (cfg decline_quarantine) and, as for a
 * silent one, the DISCOVER that caused the probe is handled again: *tx is
 * then an OFFER, another PROBE (of another address; a few at most), or
 * nothing. A report for an address not being probed gives
 * PXB_DHCP_V_IGNORE.
 * Returns 0 (see tx->verdict) or PXB_ERR_INVAL for NULL arguments.
 */
PXB_API int pxb_dhcp_server_probe_done(struct pxb_dhcp_server *s, struct in_addr addr,
				       int answered, int64_t now, struct pxb_dhcp_tx *tx);

/*
 * Everything DHCP needs, built from the dhcp section of a configuration
 * (subnets, hosts, tag conditions, boot rules, arch files). Strings are
 * borrowed from the configuration, which must outlive the setup.
 */
struct pxb_dhcp_setup;

/*
 * Builds a setup from a validated configuration; problems that need more
 * than one setting to see are reported as FILE:LINE: SETTING: reason.
 * Returns 0, PXB_ERR_CONFIG or PXB_ERR_NOMEM.
 */
PXB_API int pxb_dhcp_setup_from_conf(const pxb_conf *c, struct pxb_dhcp_setup **out,
				     pxb_conf_report_fn report, void *arg);
PXB_API void pxb_dhcp_setup_free(struct pxb_dhcp_setup *s);
/*
 * What a setup holds, valid as long as it: the engine's configuration (never
 * NULL), the match rules, and the host entries (their count in *n).
 */
PXB_API const struct pxb_dhcp_server_config *pxb_dhcp_setup_server(const struct pxb_dhcp_setup *s);
PXB_API const struct pxb_match_rules *pxb_dhcp_setup_rules(const struct pxb_dhcp_setup *s);
PXB_API const struct pxb_match_host_config *pxb_dhcp_setup_hosts(const struct pxb_dhcp_setup *s,
								  size_t *n);

/* Returns a static name for a verdict ("offer", "ack", ...). */
PXB_API const char *pxb_dhcp_verdict_name(enum pxb_dhcp_verdict v);

#ifdef __cplusplus
}
#endif
#endif
