/*
 * uci_import.c - pxebootctl import uci: dnsmasq's sections of OpenWrt's
 * /etc/config/dhcp as pxeboot.conf. Each UCI option means what OpenWrt's
 * dnsmasq init script (package/network/services/dnsmasq/files/dnsmasq.init)
 * makes of it; what pxeboot cannot do the same way is listed on stderr as
 * "file:line: option: why". DNS-only options and IPv6 (RA, DHCPv6) are not
 * pxeboot's business and pass in silence.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uci_conf.h"

struct im {
	const struct pxb_uci *u, *net;
	FILE *err, *top, *subnets, *hosts, *tags, *boot, *boot_untagged, *opts, *ifs;
	int incomplete, nsub, nhost, ntag, nboot, nopt;
	const char *domain;
};

__attribute__((format(printf, 4, 5)))
static void why(struct im *m, unsigned line, const char *opt, const char *fmt, ...)
{
	va_list ap;

	fprintf(m->err, "%s:%u: %s: ", m->u->path, line, opt);
	va_start(ap, fmt);
	vfprintf(m->err, fmt, ap);
	va_end(ap);
	fputc('\n', m->err);
	m->incomplete = 1;
}

/* Options that are DNS's, IPv6's, or the init script's own: nothing for pxeboot. */
static int silent(const char *o)
{
	static const char *const names[] = {
		"domainneeded", "boguspriv", "filterwin2k", "localise_queries", "rebind_protection",
		"rebind_localhost", "rebind_domain", "local", "expandhosts", "nonegcache",
		"cachesize", "readethers", "leasefile", "resolvfile", "noresolv", "nonwildcard",
		"localservice", "ednspacket_max", "filter_aaaa", "filter_a", "server", "address",
		"ipset", "addnhosts", "bogusnxdomain", "strictorder", "allservers", "dnsforwardmax",
		"port", "queryport", "minport", "maxport", "nohosts", "logqueries", "dnssec",
		"dnsseccheckunsigned", "local_ttl", "max_ttl", "min_cache_ttl", "max_cache_ttl",
		"add_local_domain", "add_local_hostname", "add_local_fqdn", "add_wan_fqdn", "ubus",
		"dbus", "confdir", "serversfile", "rev_server", "proxydnssec", "cachelocal",
		"localuse", "dns_redirect", "connmark_allowlist_enable", "connmark_allowlist",
		"mini_ttl", "addmac", "interface", "notinterface", "listen_address", "logfacility",
		"logdhcp", "quietdhcp", "nodaemon", "dhcpbogushostname", "ignore_hosts_dir",
		"instance", "dhcpv6", "ra", "ra_flags", "ra_management", "ra_preference",
		"ra_default", "ra_slaac", "ndp", "dns", "duid", "hostid", "domain", "fqdn",
		"dhcpleasemax", "noping", "force", "dhcpscript", "scriptarp", "sequential_ip",
		"rapidcommit", "tftp_no_fail", "enable", "interface_name",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(o, names[i]) == 0)
			return 1;
	return 0;
}

static const struct {
	const char *name;
	int code;
} optnames[] = {
	{"netmask", 1},	     {"router", 3},	       {"dns-server", 6},     {"hostname", 12},
	{"domain-name", 15}, {"ntp-server", 42},       {"vendor-encap", 43},  {"vendor-class", 60},
	{"tftp-server", 66}, {"bootfile-name", 67},    {"user-class", 77},    {"client-arch", 93},
	{"classless-static-route", 121},
};

/* "N" or "option:NAME" at the head of s; *rest after its comma, or NULL. */
static int opt_code(const char *s, const char **rest)
{
	size_t k = strcspn(s, ",");
	char *e;
	long c;

	*rest = s[k] == ',' ? s + k + 1 : NULL;
	if (strncmp(s, "option:", 7) == 0) {
		for (size_t i = 0; i < sizeof(optnames) / sizeof(optnames[0]); i++)
			if (k - 7 == strlen(optnames[i].name) &&
			    strncmp(s + 7, optnames[i].name, k - 7) == 0)
				return optnames[i].code;
		return -1;
	}
	c = strtol(s, &e, 10);
	return e == s + k && k && k <= 3 && c >= 1 && c <= 254 ? (int)c : -1;
}

static void words(FILE *f, const char *v, const char *sep, int quote)
{
	int first = 1;

	while (v && *v) {
		char w[PXB_UCI_MAX_WORD + 1];
		size_t k;
		v += strspn(v, " \t");
		k = strcspn(v, " \t");
		if (!k)
			break;
		snprintf(w, sizeof(w), "%.*s", (int)k, v);
		fputs(first ? "" : sep, f);
		if (quote)
			pxbd_conf_quote(f, w);
		else
			fputs(w, f);
		first = 0;
		v += k;
	}
}

/* Each dhcp_option (and dhcp_option_force) of s, for clients with tag (may be NULL). */
static void options(struct im *m, const struct pxb_uci_section *s, const char *tag)
{
	for (int f = 0; f < 2; f++) {
		const struct pxb_uci_option *o = pxb_uci_opt(s, f ? "dhcp_option_force" : "dhcp_option");
		int force = f || pxb_uci_bool(pxb_uci_get(s, "force")) == 1;

		for (unsigned i = 0; o && i < o->nval; i++) {
			/* "option dhcp_option 'a b'" holds several, split at blanks (dnsmasq.init). */
			const char *v = o->val[i];
			while (*v) {
				char w[PXB_UCI_MAX_WORD + 1];
				const char *rest;
				size_t k;
				int code;
				v += strspn(v, o->list ? "" : " \t");
				k = o->list ? strlen(v) : strcspn(v, " \t");
				if (!k)
					break;
				snprintf(w, sizeof(w), "%.*s", (int)k, v);
				v += k;
				code = opt_code(w, &rest);
				if (code < 0 || !rest) {
					why(m, o->line, o->name, "'%s': not an option pxeboot can send "
					    "(tag:, encap:, vendor:, option6: or an unknown name)", w);
					continue;
				}
				fprintf(m->opts, "%s\n    { code = %d; value = ", m->nopt++ ? "," : "",
					code);
				pxbd_conf_quote(m->opts, rest);
				if (tag) {
					fputs("; tags = ", m->opts);
					pxbd_conf_quote(m->opts, tag);
				}
				fprintf(m->opts, "%s; }", force ? "; force = true" : "");
			}
		}
	}
}

/* Reports each option of s not in known (a NULL-ended list) nor silent. */
static void unknown(struct im *m, const struct pxb_uci_section *s, const char *const *known)
{
	for (unsigned i = 0; i < s->nopt; i++) {
		const char *n = s->opt[i].name;
		int k = silent(n) || !strcmp(n, "dhcp_option") || !strcmp(n, "dhcp_option_force");
		for (const char *const *p = known; !k && *p; p++)
			k = strcmp(n, *p) == 0;
		if (!k)
			why(m, s->opt[i].line, n, "no pxeboot equivalent%s", " (not translated)");
	}
}

static void tag_rule(struct im *m, const char *set, const char *match, const char *value,
		     int option)
{
	fprintf(m->tags, "%s\n    { set = ", m->ntag++ ? "," : "");
	pxbd_conf_quote(m->tags, set);
	fprintf(m->tags, "; match = \"%s\"", match);
	if (value) {
		fputs("; value = ", m->tags);
		pxbd_conf_quote(m->tags, value);
	}
	if (option)
		fprintf(m->tags, "; option = %d", option);
	fputs("; }", m->tags);
}

static unsigned line_of(const struct pxb_uci_section *s, const char *opt)
{
	const struct pxb_uci_option *o = pxb_uci_opt(s, opt);

	return o ? o->line : s->line;
}

static void sec_dnsmasq(struct im *m, const struct pxb_uci_section *s)
{
	static const char *const known[] = {"enable_tftp", "tftp_root", "dhcp_boot", "authoritative",
					    "disabled", NULL};
	const char *root = pxb_uci_get(s, "tftp_root"), *boot = pxb_uci_get(s, "dhcp_boot");
	int tftp = pxb_uci_bool(pxb_uci_get(s, "enable_tftp")) == 1;

	m->domain = pxb_uci_get(s, "domain");
	/* dnsmasq.init serves TFTP only with both enable_tftp and tftp_root. */
	fprintf(m->top, "\ntftp = {\n  enable = %s;\n", tftp && root ? "true" : "false");
	if (root) {
		fputs("  root = ", m->top);
		pxbd_conf_quote(m->top, root);
		fputs(";\n", m->top);
	}
	fputs("};\n", m->top);
	if (tftp && !root)
		why(m, line_of(s, "enable_tftp"), "enable_tftp", "%s",
		    "dnsmasq.init serves no TFTP without tftp_root: neither does this");
	if (pxb_uci_bool(pxb_uci_get(s, "authoritative")) == 0)
		why(m, line_of(s, "authoritative"), "authoritative", "%s",
		    "pxeboot always answers as dnsmasq's dhcp-authoritative does");
	if (boot) { /* --dhcp-boot=[tag:X,]file[,servername[,address]] */
		char f[3][PXB_UCI_MAX_WORD + 1] = {"", "", ""};
		const char *p = boot;
		int n = 0;
		if (!strncmp(p, "tag:", 4) || !strncmp(p, "net:", 4)) {
			why(m, line_of(s, "dhcp_boot"), "dhcp_boot", "'%s': tags in dhcp_boot are not "
			    "translated (use a boot section)", boot);
		} else {
			while (n < 3) {
				size_t k = strcspn(p, ",");
				snprintf(f[n++], sizeof(f[0]), "%.*s", (int)k, p);
				if (!p[k])
					break;
				p += k + 1;
			}
			fprintf(m->boot_untagged, "%s\n    { name = \"dhcp_boot\"; file = ",
				ftell(m->boot_untagged) ? "," : "");
			m->nboot++;
			pxbd_conf_quote(m->boot_untagged, f[0]);
			if (f[1][0]) {
				fputs("; server_name = ", m->boot_untagged);
				pxbd_conf_quote(m->boot_untagged, f[1]);
			}
			if (f[2][0]) {
				fputs("; next_server = ", m->boot_untagged);
				pxbd_conf_quote(m->boot_untagged, f[2]);
			}
			fputs("; }", m->boot_untagged);
		}
	}
	options(m, s, NULL);
	unknown(m, s, known);
}

static int ipv4(const char *s, uint32_t *a)
{
	struct in_addr x;

	if (!s || inet_pton(AF_INET, s, &x) != 1)
		return -1;
	*a = ntohl(x.s_addr);
	return 0;
}

static const char *quad(uint32_t a, char *buf)
{
	struct in_addr x = {.s_addr = htonl(a)};

	return inet_ntop(AF_INET, &x, buf, INET_ADDRSTRLEN);
}

static const struct pxb_uci_section *net_iface(const struct im *m, const char *name)
{
	for (unsigned i = 0; m->net && i < m->net->nsec; i++)
		if (!strcmp(m->net->sec[i].type, "interface") && m->net->sec[i].name &&
		    !strcmp(m->net->sec[i].name, name))
			return &m->net->sec[i];
	return NULL;
}

/* A "dhcp" pool: dnsmasq.init's dhcp_add, with the address from /etc/config/network. */
static void sec_dhcp(struct im *m, const struct pxb_uci_section *s)
{
	static const char *const known[] = {"networkid", "ignore", "start", "limit", "leasetime",
					    "netmask", "dhcpv4", "dynamicdhcp", NULL};
	const char *iface = pxb_uci_get(s, "interface"), *id = pxb_uci_get(s, "networkid");
	const char *lt = pxb_uci_get(s, "leasetime"), *dev, *mask_s;
	const struct pxb_uci_section *n;
	char ip_s[64], dev_s[300], b[4][INET_ADDRSTRLEN];
	uint32_t ip, mask = 0, start, end, bcast;
	long st = 100, lim = 150;
	int plen = -1;

	if (!iface || pxb_uci_bool(pxb_uci_get(s, "ignore")) == 1)
		return;
	if ((pxb_uci_get(s, "dhcpv4") && !strcmp(pxb_uci_get(s, "dhcpv4"), "disabled")))
		return;
	id = id ? id : iface;
	n = net_iface(m, iface);
	if (!n) {
		why(m, s->line, "interface", "'%s': the pool needs this interface's address from "
		    "/etc/config/network (give it as the second file)", iface);
		return;
	}
	if (!pxb_uci_get(n, "proto") || strcmp(pxb_uci_get(n, "proto"), "static") != 0)
		return; /* dnsmasq.init serves static interfaces only */
	snprintf(ip_s, sizeof(ip_s), "%s", pxb_uci_get(n, "ipaddr") ? pxb_uci_get(n, "ipaddr") : "");
	if (strchr(ip_s, '/')) {
		plen = atoi(strchr(ip_s, '/') + 1);
		*strchr(ip_s, '/') = '\0';
	}
	mask_s = pxb_uci_get(s, "netmask") ? pxb_uci_get(s, "netmask") : pxb_uci_get(n, "netmask");
	if (mask_s && ipv4(mask_s, &mask) < 0)
		plen = -2;
	else if (!mask_s && plen >= 0 && plen <= 32)
		mask = plen ? ~0u << (32 - plen) : 0;
	for (plen = 0; plen < 32 && (mask & (1u << (31 - plen))); plen++)
		;
	if (ipv4(ip_s, &ip) < 0 || !mask || (uint32_t)(mask << plen) != 0) {
		why(m, line_of(n, "ipaddr"), "ipaddr", "'%s': not an IPv4 address and netmask",
		    ip_s);
		return;
	}
	if (pxb_uci_get(s, "start"))
		st = ipv4(pxb_uci_get(s, "start"), &start) == 0 ? (long)start
							       : atol(pxb_uci_get(s, "start"));
	if (pxb_uci_get(s, "limit"))
		lim = atol(pxb_uci_get(s, "limit"));
	bcast = (ip & mask) | ~mask;
	start = (ip & mask) + ((uint32_t)st & ~mask);
	end = start + (uint32_t)(lim > 0 ? lim - 1 : 0);
	if (end >= bcast || end < start)
		end = bcast - 1;
	dev = pxb_uci_get(n, "device");
	if (!dev && pxb_uci_get(n, "type") && !strcmp(pxb_uci_get(n, "type"), "bridge")) {
		snprintf(dev_s, sizeof(dev_s), "br-%s", iface);
		dev = dev_s;
	}
	dev = dev ? dev : pxb_uci_get(n, "ifname") ? pxb_uci_get(n, "ifname") : iface;
	fputs(m->nsub ? ", " : "", m->ifs);
	pxbd_conf_quote(m->ifs, dev);
	fprintf(m->subnets, "%s\n    { interface = ", m->nsub++ ? "," : "");
	pxbd_conf_quote(m->subnets, dev);
	fprintf(m->subnets, "; network = \"%s/%d\"; pool_start = \"%s\"; pool_end = \"%s\";"
		" router = \"%s\"; dns = [\"%s\"]; lease_time = ", quad(ip & mask, b[0]), plen,
		quad(start, b[1]), quad(end, b[2]), quad(ip, b[3]), b[3]);
	if (lt && !strcmp(lt, "infinite")) {
		why(m, line_of(s, "leasetime"), "leasetime", "%s", "infinite leases: 1 year instead");
		lt = "365d";
	}
	pxbd_conf_quote(m->subnets, lt ? lt : "12h");
	if (m->domain) {
		fputs("; domain = ", m->subnets);
		pxbd_conf_quote(m->subnets, m->domain);
	}
	fputs("; }", m->subnets);
	if (pxb_uci_bool(pxb_uci_get(s, "dynamicdhcp")) == 0)
		why(m, line_of(s, "dynamicdhcp"), "dynamicdhcp", "%s",
		    "addresses for known hosts only: pxeboot's pool serves every client");
	if (pxb_uci_opt(s, "dhcp_option") || pxb_uci_opt(s, "dhcp_option_force")) {
		tag_rule(m, id, "interface", dev, 0);
		options(m, s, id);
	}
	unknown(m, s, known);
}

static void sec_host(struct im *m, const struct pxb_uci_section *s)
{
	static const char *const known[] = {"mac", "ip", "name", "tag", "networkid", NULL};
	const struct pxb_uci_option *mac = pxb_uci_opt(s, "mac"), *tag = pxb_uci_opt(s, "tag");
	const char *name = pxb_uci_get(s, "name"), *ip = pxb_uci_get(s, "ip");
	const char *id = pxb_uci_get(s, "networkid");
	char sid[160];

	if (pxb_uci_bool(pxb_uci_get(s, "enable")) == 0)
		return;
	if (id)
		options(m, s, id);
	if (!mac) {
		if (name || ip)
			why(m, s->line, "mac", "host %s: no MAC (dnsmasq then matches the name); "
			    "pxeboot knows hosts by MAC only", pxb_uci_section_id(s, sid, sizeof(sid)));
		unknown(m, s, known);
		return;
	}
	if (!name)
		name = s->name ? s->name : pxb_uci_section_id(s, sid, sizeof(sid));
	for (unsigned j = 0; j < mac->nval; j++) {
		const char *v = mac->val[j];
		while (*v) {
			size_t k;
			v += strspn(v, " \t");
			k = strcspn(v, " \t");
			if (!k)
				break;
			fprintf(m->hosts, "%s\n    { name = ", m->nhost++ ? "," : "");
			pxbd_conf_quote(m->hosts, name);
			fprintf(m->hosts, "; mac = \"%.*s\"", (int)k, v);
			v += k;
			if (ip) {
				fputs("; address = ", m->hosts);
				pxbd_conf_quote(m->hosts, ip);
			}
			if (tag || id) {
				fputs("; tags = [", m->hosts);
				for (unsigned x = 0; tag && x < tag->nval; x++) {
					fputs(x ? ", " : "", m->hosts);
					words(m->hosts, tag->val[x], ", ", 1);
				}
				if (id) {
					fputs(tag ? ", " : "", m->hosts);
					pxbd_conf_quote(m->hosts, id);
				}
				fputs("]", m->hosts);
			}
			fputs("; }", m->hosts);
		}
	}
	unknown(m, s, known);
}

static void sec_boot(struct im *m, const struct pxb_uci_section *s)
{
	static const char *const known[] = {"filename", "servername", "serveraddress", "networkid",
					    NULL};
	const char *file = pxb_uci_get(s, "filename"), *sn = pxb_uci_get(s, "servername");
	const char *sa = pxb_uci_get(s, "serveraddress"), *id = pxb_uci_get(s, "networkid");
	FILE *f = id ? m->boot : m->boot_untagged;
	char sid[160];

	unknown(m, s, known);
	if (!file)
		return; /* dnsmasq.init skips it too */
	if (sa && !sn) {
		why(m, line_of(s, "serveraddress"), "serveraddress", "%s", "without servername: "
		    "dnsmasq.init leaves this boot section out, and so does this");
		return;
	}
	fprintf(f, "%s\n    { name = ", (id ? ftell(m->boot) : ftell(m->boot_untagged)) ? "," : "");
	pxbd_conf_quote(f, s->name ? s->name : pxb_uci_section_id(s, sid, sizeof(sid)));
	if (id) {
		fputs("; tags = ", f);
		pxbd_conf_quote(f, id);
	}
	fputs("; file = ", f);
	pxbd_conf_quote(f, file);
	if (sn) {
		fputs("; server_name = ", f);
		pxbd_conf_quote(f, sn);
	}
	if (sa) {
		fputs("; next_server = ", f);
		pxbd_conf_quote(f, sa);
	}
	fputs("; }", f);
	m->nboot++;
	options(m, s, id);
}

/* match, userclass, vendorclass, mac: a tag from what the client sends. */
static void sec_cond(struct im *m, const struct pxb_uci_section *s)
{
	static const char *const known[] = {"networkid", "match", "userclass", "vendorclass", "mac",
					    NULL};
	const char *id = pxb_uci_get(s, "networkid"), *what = s->type;
	const char *v = pxb_uci_get(s, !strcmp(what, "userclass") ? "userclass"
				       : !strcmp(what, "vendorclass") ? "vendorclass"
				       : !strcmp(what, "mac") ? "mac" : "match");
	unsigned line = line_of(s, what);

	unknown(m, s, known);
	if (!id || !v)
		return; /* dnsmasq.init needs both */
	if (!strcmp(what, "mac")) {
		tag_rule(m, id, "mac", v, 0);
	} else if (!strcmp(what, "userclass")) {
		/* dnsmasq matches a part of the user class; iPXE and gPXE send exactly theirs. */
		if (strcmp(v, "iPXE") && strcmp(v, "gPXE"))
			why(m, line, what, "'%s': dnsmasq matches it anywhere in the user class, "
			    "pxeboot the whole class", v);
		tag_rule(m, id, "user-class", v, 0);
	} else if (!strcmp(what, "vendorclass")) {
		if (strncmp(v, "PXEClient", 9) && strncmp(v, "HTTPClient", 10))
			why(m, line, what, "'%s': dnsmasq matches it anywhere in the vendor class, "
			    "pxeboot at its start", v);
		tag_rule(m, id, "vendor-prefix", v, 0);
	} else { /* --dhcp-match=set:X,<option>[,<value>]: the value is a prefix */
		const char *val;
		int code = opt_code(v, &val);
		if (code < 0 || (val && strchr(val, '*')) ||
		    (val && code != 93 && code != 60 && code != 77)) {
			why(m, line, what, "'%s': only an option's presence, client-arch, "
			    "vendor-class and user-class are translated", v);
			return;
		}
		if (!val)
			tag_rule(m, id, "option", NULL, code);
		else
			tag_rule(m, id, code == 93 ? "arch" : code == 60 ? "vendor-prefix"
								 : "user-class", val, 0);
	}
	options(m, s, id);
}

static void section(struct im *m, const struct pxb_uci_section *s)
{
	static const char *const dns[] = {"domain", "cname", "srvhost", "mxhost", "hostrecord",
					  "ipset", "odhcpd", "dnsmasq", "relay6", NULL};
	char sid[160];

	if (!strcmp(s->type, "dhcp"))
		sec_dhcp(m, s);
	else if (!strcmp(s->type, "host"))
		sec_host(m, s);
	else if (!strcmp(s->type, "boot"))
		sec_boot(m, s);
	else if (!strcmp(s->type, "match") || !strcmp(s->type, "userclass") ||
		 !strcmp(s->type, "vendorclass") || !strcmp(s->type, "mac"))
		sec_cond(m, s);
	else if (!strcmp(s->type, "tag")) {
		/* dnsmasq.init uses the section's name as the tag. */
		static const char *const none[] = {NULL};
		if (!s->name)
			why(m, s->line, "config tag", "%s: an anonymous tag section names no tag",
			    pxb_uci_section_id(s, sid, sizeof(sid)));
		else
			options(m, s, s->name);
		unknown(m, s, none);
	} else {
		for (const char *const *p = dns; *p; p++)
			if (!strcmp(s->type, *p))
				return;
		why(m, s->line, "config", "%s: not translated", s->type);
	}
}

int pxbd_uci_import(const struct pxb_uci *dhcp, const struct pxb_uci *network, FILE *out,
		    FILE *err)
{
	struct im m = {.u = dhcp, .net = network, .err = err};
	char *buf[8] = {0};
	size_t len[8] = {0};
	FILE **fs[8] = {&m.top, &m.subnets, &m.hosts, &m.tags, &m.boot, &m.boot_untagged, &m.opts,
			&m.ifs};
	int ok = 1, ndnsmasq = 0;

	for (int i = 0; i < 8; i++)
		ok &= (*fs[i] = open_memstream(&buf[i], &len[i])) != NULL;
	if (ok) {
		for (unsigned i = 0; i < dhcp->nsec; i++)
			if (!strcmp(dhcp->sec[i].type, "dnsmasq") && ndnsmasq++ == 0)
				sec_dnsmasq(&m, &dhcp->sec[i]);
			else if (!strcmp(dhcp->sec[i].type, "dnsmasq"))
				why(&m, dhcp->sec[i].line, "config dnsmasq", "%s",
				    "a second dnsmasq instance: only the first is translated");
		for (unsigned i = 0; i < dhcp->nsec; i++)
			section(&m, &dhcp->sec[i]);
	}
	for (int i = 0; i < 8; i++)
		if (*fs[i] && fclose(*fs[i]) != 0)
			ok = 0;
	if (!ok) {
		fprintf(err, "pxebootctl: out of memory\n");
		for (int i = 0; i < 8; i++)
			free(buf[i]);
		return 1;
	}
	fprintf(out, "# pxeboot.conf imported by pxebootctl import uci from %s%s%s\n", dhcp->path,
		network ? " and " : "", network ? network->path : "");
	fwrite(buf[0], 1, len[0], out);
	fprintf(out, "\ndhcp = {\n  mode = \"%s\";\n", m.nsub ? "server" : "off");
	if (m.nsub)
		fprintf(out, "  interfaces = [%.*s];\n", (int)len[7], buf[7]);
	if (m.nsub)
		fprintf(out, "  subnets = (%.*s\n  );\n", (int)len[1], buf[1]);
	if (m.nhost)
		fprintf(out, "  hosts = (%.*s\n  );\n", (int)len[2], buf[2]);
	if (m.ntag)
		fprintf(out, "  tags = (%.*s\n  );\n", (int)len[3], buf[3]);
	if (m.nboot) /* dnsmasq tries rules with tags before those without */
		fprintf(out, "  boot = (%.*s%s%.*s\n  );\n", (int)len[4], buf[4],
			len[4] && len[5] ? "," : "", (int)len[5], buf[5]);
	if (m.nopt)
		fprintf(out, "  options = (%.*s\n  );\n", (int)len[6], buf[6]);
	fputs("};\n", out);
	for (int i = 0; i < 8; i++)
		free(buf[i]);
	return m.incomplete;
}
