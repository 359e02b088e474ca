/*
 * dhcp_probe.c - the table of addresses the DHCP server is probing before it
 * offers them (RFC 2131 sec 4.4.1: "the server SHOULD probe the reused
 * address before allocating the address, e.g., with an ICMP echo request").
 *
 * The engine does no I/O: it answers a DISCOVER with PXB_DHCP_V_PROBE, keeps
 * the request here, and the caller sends the probe and reports the outcome
 * (pxb_dhcp_server_probe_done()). The table is bounded (PXB__PROBE_MAX
 * probes of PXB__PROBE_HOLD seconds at most), so a flood of DISCOVERs costs
 * a fixed amount of memory and is answered, past that, by silence.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dhcp_probe.h"

static int live(const struct pxb__probe *e, int64_t now)
{
	return e->addr && now < e->since + PXB__PROBE_HOLD && now >= e->since;
}

int pxb__probe_find(const struct pxb__probes *p, uint32_t addr, int64_t now, int stale_ok)
{
	if (!p || !addr)
		return -1;
	for (int i = 0; i < PXB__PROBE_MAX; i++)
		if (p->e[i].addr == addr && (stale_ok || live(&p->e[i], now)))
			return i;
	return -1;
}

int pxb__probe_add(struct pxb__probes *p, uint32_t addr, const uint8_t *buf, size_t len,
		   const struct pxb_dhcp_rx *rx, unsigned attempts, int64_t now)
{
	struct pxb__probe *e = NULL;

	if (len > PXB__PROBE_REQ_MAX)
		return PXB_ERR_TOOBIG;
	for (int i = 0; i < PXB__PROBE_MAX && !e; i++)
		if (!live(&p->e[i], now) || p->e[i].addr == addr)
			e = &p->e[i];
	if (!e)
		return PXB_ERR_BUSY;
	e->addr = addr;
	e->since = now;
	e->attempts = attempts;
	e->len = len;
	memcpy(e->req, buf, len);
	e->rx = *rx;
	snprintf(e->ifname, sizeof(e->ifname), "%s", rx->ifname ? rx->ifname : "");
	e->rx.ifname = rx->ifname ? e->ifname : NULL;
	return 0;
}
