/*
 * dhcp_driver.h - what the DHCP driver's halves share: its state, and the
 * interface between dhcp_driver.c (sockets, leases, replies) and
 * dhcp_probe_icmp.c (the ICMP probes made before an address is offered).
 */
#ifndef PXBD_DHCP_DRIVER_H
#define PXBD_DHCP_DRIVER_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include <pxeboot/dhcp_server.h>
#include <pxeboot/lease_store.h>
#include "daemon.h"

#define MAX_IFS 16
#define PROBES_MAX 64 /* probes in flight at most (the engine holds as many) */

struct dsock {
	struct dhcp *dh;
	int fd;
	uint16_t port;
	char ifname[IF_NAMESIZE];
	struct event *ev;
};

struct probe {
	struct dhcp *dh;
	struct in_addr addr;   /* 0: free */
	int fd;                /* the socket the DISCOVER came in on */
	uint16_t seq;
	struct event *timer;
};

struct dhcp {
	struct pxbd *d;
	struct pxb_dhcp_setup *setup;
	struct pxb_lease_store *leases;
	const struct pxb_lease_backend *store; /* commits the leases (dhcp.lease_store) */
	void *store_be;
	uint64_t withheld;     /* ACKs not sent: their lease was not committed */
	struct pxb_dhcp_server *srv;
	struct dsock socks[MAX_IFS * 2];
	unsigned nsocks;
	struct event *flush_ev;
	struct held *held;
	unsigned nheld, capheld;
	struct pxb_dhcp_tx tx;
	uint8_t rxbuf[2048];
	uint64_t counts[PXB_DHCP_V_COUNT]; /* by verdict */
	uint64_t malformed;
	int log_info;          /* one line per request is logged (log_level info or -d) */
	int icmp_fd, icmp_raw; /* probe socket (-1: none), raw or datagram */
	struct event *icmp_ev;
	uint16_t ping_id, ping_seq;
	unsigned probe_ms;
	struct probe probes[PROBES_MAX];
	int probe_warned;
};

/* The built-in lease store "journal" (journal_store.c). */
extern const struct pxb_lease_backend pxbd_lease_journal;

/* Logs, records and sends (or holds) what the engine said about one request. */
void pxbd_dhcp_handle_tx(struct dsock *s, struct pxb_dhcp_tx *tx, const uint8_t *buf, size_t len,
			 const struct pxb_dhcp_rx *rx);

/* Sends an ICMP echo request to addr and starts its timer (RFC 2131 4.4.1). */
void pxbd_dhcp_start_probe(struct dsock *s, struct in_addr addr);

/* The probe socket and timers, opened while privileges allow a raw socket. 0, or -1. */
int pxbd_dhcp_open_icmp(struct dhcp *dh);

/* Frees the probes' timers and closes the probe socket. */
void pxbd_dhcp_probe_close(struct dhcp *dh);

#endif
