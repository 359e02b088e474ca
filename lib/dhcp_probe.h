/*
 * dhcp_probe.h - the DHCP server's table of addresses being probed before
 * they are offered (RFC 2131 sec 4.4.1), private to the engine.
 */
#ifndef PXB_DHCP_PROBE_H
#define PXB_DHCP_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/dhcp_server.h>

#define PXB__PROBE_MAX 64         /* probes in progress at most */
#define PXB__PROBE_HOLD 10        /* seconds a probe (and its address) is held at most */
#define PXB__PROBE_ATTEMPTS 4     /* addresses probed for one DISCOVER at most */
#define PXB__PROBE_REQ_MAX 1500   /* longest request kept while its address is probed */

/* One probe: the address, and the DISCOVER to answer once it is done. */
struct pxb__probe {
	uint32_t addr;            /* host order; 0: free slot */
	int64_t since;
	unsigned attempts;        /* probes made for this DISCOVER before this one */
	size_t len;
	uint8_t req[PXB__PROBE_REQ_MAX];
	struct pxb_dhcp_rx rx;
	char ifname[32];
};

struct pxb__probes {
	struct pxb__probe e[PXB__PROBE_MAX];
};

/* The slot probing addr (stale ones too when stale_ok), or -1. */
int pxb__probe_find(const struct pxb__probes *p, uint32_t addr, int64_t now, int stale_ok);

/*
 * Records a probe of addr for the request buf[0..len) received as rx.
 * Returns 0; PXB_ERR_TOOBIG (request too long), PXB_ERR_BUSY (table full).
 */
int pxb__probe_add(struct pxb__probes *p, uint32_t addr, const uint8_t *buf, size_t len,
		   const struct pxb_dhcp_rx *rx, unsigned attempts, int64_t now);

#endif
