/*
 * dhcp_server_new.c - a DHCP engine made from its configuration and freed:
 * its own copies of the subnets and relays, a lease pool per subnet, and the
 * host entries' fixed addresses, reserved in the lease store and kept
 * sorted for pxb__dhcp_reserved(). What to answer is dhcp_server.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp_server.h>
#include "dhcp_server_internal.h"
#include "internal.h"

void pxb_dhcp_server_free(struct pxb_dhcp_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cfg.nsubnets; i++) {
		free(s->ifnames[i]);
		free(s->domains[i]);
	}
	free(s->ifnames);
	free(s->domains);
	free(s->subnets);
	free(s->pools);
	free(s->reserved);
	free(s->probes);
	free(s->relays);
	free(s);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int pxb__dhcp_reserved(const struct pxb_dhcp_server *s, struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr);

	return s->nreserved &&
	       bsearch(&a, s->reserved, s->nreserved, sizeof(a), cmp_u32) != NULL;
}

int pxb_dhcp_server_new(const struct pxb_dhcp_server_config *cfg,
			const struct pxb_match_rules *rules,
			const struct pxb_match_host_config *hosts, size_t nhosts,
			struct pxb_lease_store *leases, struct pxb_dhcp_server **out)
{
	struct pxb_dhcp_server *s;
	size_t n;

	if (!cfg || !out || (!cfg->proxy && (!leases || cfg->nsubnets == 0)))
		return PXB_ERR_INVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return PXB_ERR_NOMEM;
	s->cfg = *cfg;
	s->rules = rules;
	s->leases = leases;
	if (!s->cfg.offer_hold)
		s->cfg.offer_hold = 60;
	if (!s->cfg.decline_quarantine)
		s->cfg.decline_quarantine = 600;
	if (!s->cfg.http_port)
		s->cfg.http_port = 80;
	if (!s->cfg.rate_burst)
		s->cfg.rate_burst = s->cfg.rate;
	s->relays = calloc(cfg->nrelays ? cfg->nrelays : 1, sizeof(*s->relays));
	if (!s->relays)
		goto nomem;
	if (cfg->nrelays)
		memcpy(s->relays, cfg->relays, cfg->nrelays * sizeof(*s->relays));
	s->cfg.relays = s->relays;
	n = cfg->nsubnets;
	s->subnets = calloc(n ? n : 1, sizeof(*s->subnets));
	s->ifnames = calloc(n ? n : 1, sizeof(char *));
	s->domains = calloc(n ? n : 1, sizeof(char *));
	s->pools = calloc(n ? n : 1, sizeof(int));
	if (!s->subnets || !s->ifnames || !s->domains || !s->pools)
		goto nomem;
	s->cfg.subnets = s->subnets;
	for (size_t i = 0; i < n; i++) {
		struct pxb_dhcp_subnet_config *sn = &s->subnets[i];
		*sn = cfg->subnets[i];
		if (sn->ifname && !(s->ifnames[i] = strdup(sn->ifname)))
			goto nomem;
		if (sn->domain && !(s->domains[i] = strdup(sn->domain)))
			goto nomem;
		sn->ifname = s->ifnames[i];
		sn->domain = s->domains[i];
		s->pools[i] = -1;
		if (!sn->lease_time)
			sn->lease_time = 3600;
		if (sn->lease_time > s->max_lease)
			s->max_lease = sn->lease_time;
		if (cfg->proxy || !sn->pool_start.s_addr)
			continue;
		if (!pxb__dhcp_in_subnet(sn->pool_start, sn) ||
		    !pxb__dhcp_in_subnet(sn->pool_end, sn) ||
		    ntohl(sn->pool_start.s_addr) > ntohl(sn->pool_end.s_addr)) {
			pxb_dhcp_server_free(s);
			return PXB_ERR_INVAL;
		}
		s->pools[i] = pxb_lease_pool_add(leases, ntohl(sn->pool_start.s_addr),
						 ntohl(sn->pool_end.s_addr));
		if (s->pools[i] < 0) {
			int rc = s->pools[i];
			pxb_dhcp_server_free(s);
			return rc;
		}
	}
	/*
	 * Host entries with an address: never handed to anyone else, neither
	 * by the pool (pxb_lease_reserve) nor on request (pxb__dhcp_reserved()).
	 */
	s->reserved = calloc(nhosts ? nhosts : 1, sizeof(*s->reserved));
	if (!s->reserved)
		goto nomem;
	for (size_t i = 0; leases && i < nhosts; i++) {
		struct in_addr a;
		if (hosts[i].addr && inet_pton(AF_INET, hosts[i].addr, &a) == 1) {
			pxb_lease_reserve(leases, ntohl(a.s_addr));
			s->reserved[s->nreserved++] = ntohl(a.s_addr);
		}
	}
	qsort(s->reserved, s->nreserved, sizeof(*s->reserved), cmp_u32);
	*out = s;
	return 0;
nomem:
	pxb_dhcp_server_free(s);
	return PXB_ERR_NOMEM;
}
