/*
 * dhcp_server_guard.c - what the DHCP engine refuses a LAN that may be
 * hostile, and where its replies go: requests over a rate per interface, a
 * giaddr from a sender that is no relay, replies to a ciaddr RFC 2131 4.1
 * does not send to. dhcp_server.c decides what to answer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <pxeboot/dhcp_server.h>
#include "dhcp_server_internal.h"
#include "internal.h"

/*
 * Where a reply goes, RFC 2131 4.1, in its order:
 * - giaddr set: to the relay, port 67, whatever the message (NAK too);
 * - else to ciaddr, port 68, when the caller says ciaddr may be used
 *   (to_ciaddr): only for an ACK to a client in RENEWING or REBINDING
 *   (4.3.2: REQUEST with ciaddr and neither option 50 nor 54) and for the
 *   ACK to an INFORM (4.3.5), and only with ciaddr in the network the
 *   request belongs to. An OFFER never goes to ciaddr (4.3.1: a DISCOVER's
 *   ciaddr names no address of the client's; it would name whatever host
 *   the sender wants us to send to), nor does a NAK (4.3.2: broadcast);
 * - else broadcast. An OFFER or ACK to a client without an address and
 *   with the broadcast bit clear would go to yiaddr at chaddr, which needs
 *   an ARP entry made by hand; 4.1 lets a server broadcast instead when it
 *   cannot unicast, and every client accepts that.
 */
void pxb__dhcp_dest(const struct pxb_dhcp_msg *m, int to_ciaddr, struct pxb_dhcp_tx *tx)
{
	if (m->giaddr.s_addr) {
		tx->dst = m->giaddr;
		tx->dst_port = PXB_DHCP_SERVER_PORT;
	} else if (m->ciaddr.s_addr && to_ciaddr) {
		tx->dst = m->ciaddr;
		tx->dst_port = PXB_DHCP_CLIENT_PORT;
	} else {
		tx->dst.s_addr = htonl(INADDR_BROADCAST);
		tx->dst_port = PXB_DHCP_CLIENT_PORT;
	}
}

/*
 * The request rate of the interface a datagram came in on: a token bucket
 * of rate_burst requests, refilled with rate per second of now. Interfaces
 * past PXB__DHCP_RATE_BUCKETS share the last bucket: the memory is bounded whatever
 * names the caller passes. A clock that goes back refills nothing.
 */
int pxb__dhcp_rate_ok(struct pxb_dhcp_server *s, const char *ifname, int64_t now)
{
	const char *name = ifname ? ifname : "";
	struct pxb__dhcp_bucket *b = &s->buckets[PXB__DHCP_RATE_BUCKETS];

	if (!s->cfg.rate)
		return 1;
	for (size_t i = 0; i < PXB__DHCP_RATE_BUCKETS; i++) {
		struct pxb__dhcp_bucket *c = &s->buckets[i];
		if (c->used && strncmp(c->ifname, name, sizeof(c->ifname) - 1) == 0) {
			b = c;
			break;
		}
		if (!c->used) {
			snprintf(c->ifname, sizeof(c->ifname), "%s", name);
			b = c;
			break;
		}
	}
	if (!b->used) {
		b->used = 1;
		b->tokens = s->cfg.rate_burst;
		b->last = now;
	}
	if (now > b->last) {
		uint64_t secs = (uint64_t)(now - b->last);
		if (secs >= s->cfg.rate_burst / s->cfg.rate + 1)
			b->tokens = s->cfg.rate_burst;
		else if ((b->tokens += secs * s->cfg.rate) > s->cfg.rate_burst)
			b->tokens = s->cfg.rate_burst;
	}
	b->last = now;
	if (!b->tokens)
		return 0;
	b->tokens--;
	return 1;
}

/*
 * A request with a giaddr must come from a relay (RFC 2131 4.1, RFC 1542
 * 4.1.1: a relay sends from port 67 and fills giaddr with its own
 * address): from port 67 of giaddr itself, or from an address configured
 * as a relay (dhcp.relays, for relays whose requests leave from another of
 * their addresses). A client on our link writing a giaddr would otherwise
 * be given an address of that network's pool, the reply sent to giaddr.
 */
int pxb__dhcp_from_relay(const struct pxb_dhcp_server *s, const struct pxb_dhcp_msg *m,
		      const struct pxb_dhcp_rx *rx)
{
	if (rx->src_port == PXB_DHCP_SERVER_PORT && rx->src.s_addr == m->giaddr.s_addr)
		return 1;
	for (size_t i = 0; i < s->cfg.nrelays; i++)
		if (s->relays[i].s_addr == rx->src.s_addr)
			return 1;
	return 0;
}
