/*
 * import_dnsmasq_dhcp.c - what each dnsmasq option means for network boot
 * (after dnsmasq's src/option.c), recorded in the model struct impd:
 * ranges, hosts, the tag-setting options, options by tag (dhcp-option,
 * dhcp-option-force, vendor: encapsulation) and the TFTP server; the boot
 * rules are import_dnsmasq_boot.c's. What has no equivalent is reported.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "import_dnsmasq.h"

/* Options that do not change what a booting client is answered. */
static const char *const not_boot[] = {
	"port", "domain-needed", "bogus-priv", "no-resolv", "no-poll", "server", "local",
	"address", "cache-size", "log-queries", "log-dhcp", "log-facility", "log-async",
	"no-daemon", "keep-in-foreground", "user", "group", "pid-file", "dhcp-leasefile",
	"expand-hosts", "domain", "no-hosts", "addn-hosts", "resolv-file", "strict-order",
	"listen-address", "bind-interfaces", "bind-dynamic", "except-interface",
	"no-dhcp-interface", "dhcp-lease-max", "dhcp-script", "dhcp-rapid-commit",
	"dhcp-no-override", "dhcp-broadcast", "quiet-dhcp", "local-service", "tftp-max",
	"tftp-lowercase", "tftp-port-range", "tftp-unique-root", "tftp-mtu", "dhcp-sequential-ip",
	"stop-dns-rebind", "dnssec", "conntrack", "dhcp-fqdn", "log-debug", NULL,
};

const char *impd_tag_name(struct impd *d, const char *t)
{
	size_t n;

	if (strncmp(t, "tag:", 4) == 0 || strncmp(t, "net:", 4) == 0 ||
	    strncmp(t, "set:", 4) == 0)
		t += 4;
	n = strlen(t);
	if (n == 0 || n >= 32) {
		impd_warn(d, "tag \"%s\": empty or longer than 31 characters", t);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && !strchr("_-.", t[i])) {
			impd_warn(d, "tag \"%s\": pxeboot tags are letters, digits, '_', '-', '.'", t);
			return NULL;
		}
	return t;
}

char *impd_tags(struct impd *d, char **argv, int argc, int *i)
{
	char buf[IMPD_MAX_LINE] = "";
	size_t len = 0;

	for (; *i < argc; (*i)++) {
		const char *a = argv[*i], *t;
		int neg;

		if (strncmp(a, "tag:", 4) != 0 && strncmp(a, "net:", 4) != 0)
			break;
		neg = a[4] == '!' || a[4] == '#';
		t = impd_tag_name(d, a + 4 + neg);
		if (!t)
			return NULL;
		if (strcmp(t, "known") == 0)
			d->known_used = 1;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s", len ? " & " : "",
					neg ? "!" : "", t);
		if (len >= sizeof(buf))
			return NULL;
	}
	return impd_strdup(d, buf);
}

static char *quote(struct impd *d, const char *s)
{
	size_t n = strlen(s), k = 0;
	char *q = malloc(2 * n + 1);

	if (!q) {
		impd_fail(d, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			q[k++] = '\\';
		q[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	}
	q[k] = '\0';
	return q;
}

void impd_add_cond(struct impd *d, const char *set, const char *match, const char *value,
		   int hex)
{
	char *v = quote(d, value);

	if (v)
		impd_push(d, &d->conds,
			  impd_printf(d, "{ set = \"%s\"; match = \"%s\"; value = \"%s\";%s }", set,
				      match, v, hex ? " hex = true;" : ""));
	free(v);
}

static int valid_mac(const char *s, int wild)
{
	for (int i = 0; i < 6; i++) {
		if (wild && s[0] == '*')
			s++;
		else if (isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]))
			s += 2;
		else
			return 0;
		if (i < 5 && *s != ':' && *s != '-')
			return 0;
		if (i < 5)
			s++;
	}
	return *s == '\0';
}

/* dhcp-range=[tag:T,][set:T,]START[,END|proxy|static][,MASK][,LEASE] */
static void range(struct impd *d, char **argv, int argc)
{
	int i = 0, proxy = 0;
	char *set = NULL;
	struct in_addr start, end = {0}, mask;
	const char *lease = NULL;
	unsigned plen = 24;

	for (; i < argc && inet_pton(AF_INET, argv[i], &start) != 1 && !strchr(argv[i], '.'); i++) {
		if (strncmp(argv[i], "tag:", 4) == 0)
			impd_warn(d, "a range for some tags only (%s) has no equivalent", argv[i]);
		else if (strncmp(argv[i], "mode:", 5) == 0 || strstr(argv[i], "::"))
			break;
		else
			set = argv[i]; /* set:T, net:T, or a bare name of old */
	}
	if (i >= argc || inet_pton(AF_INET, argv[i], &start) != 1) {
		impd_warn(d, "no IPv4 start address (IPv6 ranges are not imported)");
		return;
	}
	i++;
	if (i < argc && strcmp(argv[i], "proxy") == 0)
		proxy = 1, i++;
	else if (i < argc && strcmp(argv[i], "static") == 0)
		i++;
	else if (i < argc && inet_pton(AF_INET, argv[i], &end) == 1)
		i++;
	if (i < argc && inet_pton(AF_INET, argv[i], &mask) == 1) {
		uint32_t m = ntohl(mask.s_addr);

		for (plen = 0; m & 0x80000000u; m <<= 1)
			plen++;
		i++;
	}
	if (i < argc)
		lease = argv[i++];
	{
		uint32_t m = plen ? ~0u << (32 - plen) : 0;
		struct in_addr net = {htonl(ntohl(start.s_addr) & m)};
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];
		char *cidr = impd_printf(d, "%s/%u", inet_ntop(AF_INET, &net, a, sizeof(a)), plen);

		if (!cidr)
			return;
		if (proxy) {
			d->proxy = 1;
			impd_push(d, &d->subnets, impd_printf(d, "{ network = \"%s\"; }", cidr));
		} else {
			d->server = 1;
			inet_ntop(AF_INET, &start, b, sizeof(b));
			inet_ntop(AF_INET, end.s_addr ? &end : &start, c, sizeof(c));
			if (lease && strcmp(lease, "infinite") == 0) {
				impd_warn(d, "infinite leases: a lease of 365d instead");
				lease = "365d";
			}
			impd_push(d, &d->subnets,
				  impd_printf(d, "{ network = \"%s\"; pool_start = \"%s\"; "
						 "pool_end = \"%s\";%s%s%s }",
					      cidr, b, c, lease ? " lease_time = \"" : "",
					      lease ? lease : "", lease ? "\";" : ""));
		}
		if (set && impd_tag_name(d, set))
			impd_add_cond(d, impd_tag_name(d, set), "subnet", cidr, 0);
		free(cidr);
	}
}

/* "45m", "12h", "3600": a lease time. */
static int is_lease(const char *a)
{
	size_t n = strspn(a, "0123456789");

	return n > 0 && (a[n] == '\0' || (strchr("smhdwSMHDW", a[n]) && a[n + 1] == '\0'));
}

/* dhcp-host=[MAC...][,id:..][,set:T][,tag:T][,IP][,NAME][,LEASE][,ignore] */
static void host(struct impd *d, char **argv, int argc)
{
	const char *macs[8], *addr = NULL, *name = NULL, *tags[16];
	int nmacs = 0, ntags = 0, ignore = 0;
	char tl[512] = "";
	size_t tlen = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct in_addr ip;

		if (strncmp(a, "set:", 4) == 0 || strncmp(a, "net:", 4) == 0) {
			if (impd_tag_name(d, a) && ntags < 16)
				tags[ntags++] = impd_tag_name(d, a);
		} else if (strncmp(a, "tag:", 4) == 0) {
			impd_warn(d, "a host entry for some tags only (%s) has no equivalent", a);
			return;
		} else if (strncmp(a, "id:", 3) == 0) {
			impd_warn(d, "client identifiers (%s) are not matched by host entries", a);
		} else if (strcmp(a, "ignore") == 0) {
			ignore = 1;
		} else if (strcmp(a, "infinite") == 0 || is_lease(a)) {
			impd_warn(d, "a lease time of its own (%s) is not kept", a);
		} else if (inet_pton(AF_INET, a, &ip) == 1) {
			addr = a;
		} else if (valid_mac(a, 0) && nmacs < 8) {
			macs[nmacs++] = a;
		} else if (valid_mac(a, 1)) {
			impd_warn(d, "MAC pattern %s: tags by pattern only (dhcp.tags, match mac)", a);
			for (int k = 0; k < ntags; k++)
				impd_add_cond(d, tags[k], "mac", a, 0);
		} else if (a[0] == '[' || strchr(a, ':')) {
			impd_warn(d, "\"%s\" is not imported (IPv6, or hardware type prefix)", a);
		} else if (a[0]) {
			name = a;
		}
	}
	if (name && strpbrk(name, "\"\\")) {
		impd_warn(d, "name %s left out (quotes or backslashes)", name);
		name = NULL;
	}
	if (nmacs == 0) {
		impd_warn(d, "no MAC address: pxeboot finds hosts by MAC only");
		return;
	}
	if (ignore && d->server)
		impd_warn(d, "ignore: pxeboot still gives this host an address, never a boot file");
	for (int k = 0; k < ntags; k++)
		tlen += (size_t)snprintf(tl + tlen, sizeof(tl) - tlen, "%s\"%s\"", k ? ", " : "",
					 tags[k]);
	for (int m = 0; m < nmacs; m++)
		impd_push(d, &d->hosts,
			  impd_printf(d, "{ mac = \"%s\";%s%s%s%s%s%s%s%s%s%s }", macs[m],
				      name ? " name = \"" : "", name ? name : "", name ? "\";" : "",
				      addr ? " address = \"" : "", addr ? addr : "", addr ? "\";" : "",
				      ntags ? " tags = [" : "", ntags ? tl : "", ntags ? "];" : "",
				      ignore ? " noboot = true;" : ""));
}

/* dhcp-userclass, dhcp-vendorclass, dhcp-circuitid, dhcp-remoteid: set:T,VALUE */
static void tag_class(struct impd *d, const char *name, char **argv, int argc)
{
	const char *t, *v;
	int hex = 0;

	if (argc < 2 || !(t = impd_tag_name(d, argv[0]))) {
		impd_warn(d, "expected set:TAG,VALUE");
		return;
	}
	v = argv[argc - 1];
	if (name[5] == 'v' && argc == 3) {
		impd_warn(d, "%s: vendor classes of option 124 are not matched", argv[1]);
		return;
	}
	if (argc > 2 && name[5] != 'v') {
		impd_warn(d, "expected set:TAG,VALUE");
		return;
	}
	if (name[5] == 'u') {
		/* rfc2131.c: dnsmasq looks for the value anywhere in an instance. */
		impd_add_cond(d, t, "user-class-contains", v, 0);
		return;
	}
	if (name[5] == 'v') {
		/* dnsmasq looks for the value anywhere in option 60. */
		char *q = quote(d, v);

		if (q)
			impd_push(d, &d->conds,
				  impd_printf(d, "{ set = \"%s\"; match = \"option-contains\"; "
						 "option = 60; value = \"%s\"; }", t, q));
		free(q);
		return;
	}
	hex = strchr(v, ':') && strspn(v, "0123456789abcdefABCDEF:") == strlen(v);
	impd_add_cond(d, t, name[5] == 'c' ? "circuit-id" : "remote-id", v, hex);
}

const char *const impd_arch_names[12] = {
	"bios", "1", "2", "3", "4", "5", "efi-ia32", "efi-x64", "8", "efi-bc", "10", "efi-arm64",
};

/*
 * A dhcp-match hex value with '*' octets ("3c:*:50"), which dnsmasq accepts
 * only there (option.c parse_dhcp_opt with DHOPT_MATCH): its copy with '0'
 * for each '*' in z, to be classified as any value. Returns 0 when it has a
 * '*' octet and each octet is "*" or one or two hex digits, -1 when it has
 * no '*' octet, -2 for a form not translated: octets mixing '*' and digits,
 * or a '*' before the last 32 octets (dnsmasq's wildcard mask is 32 bits).
 */
static int wild_hex(const char *v, char *z, size_t cap)
{
	size_t n = strlen(v), octets = 1, at = 0;
	int star = 0;

	if (!strchr(v, '*') || !strchr(v, ':') || strspn(v, "0123456789abcdefABCDEF:*") != n)
		return -1;
	if (n >= cap)
		return -2;
	for (const char *c = v; *c; c++)
		octets += *c == ':';
	for (const char *g = v;; g++, at++) {
		size_t gl = strcspn(g, ":");

		if (gl == 0 || gl > 2 || (gl == 2 && (g[0] == '*' || g[1] == '*')))
			return -2;
		if (g[0] == '*' && octets - at > 32)
			return -2;
		star |= g[0] == '*';
		g += gl;
		if (!*g)
			break;
	}
	for (size_t k = 0; k <= n; k++)
		z[k] = v[k] == '*' ? '0' : v[k];
	return star ? 0 : -1;
}

/* dhcp-match=set:T,OPTION[,VALUE] (OPTION: a number or option:NAME) */
static void match(struct impd *d, char **argv, int argc)
{
	const char *t, *v = argc == 3 ? argv[2] : "";
	int code;
	uint8_t val[255];
	char zero[256];
	int text, n = 0, wild = 0;

	if (argc < 2 || !(t = impd_tag_name(d, argv[0]))) {
		impd_warn(d, "expected set:TAG,OPTION[,VALUE]");
		return;
	}
	if (strncmp(argv[1], "vi-encap:", 9) == 0 || strncmp(argv[1], "option6:", 8) == 0) {
		impd_warn(d, "%s: no equivalent", argv[1]);
		return;
	}
	code = strncmp(argv[1], "option:", 7) == 0 ? impd_opt_code(argv[1] + 7)
	       : strspn(argv[1], "0123456789") == strlen(argv[1]) ? atoi(argv[1]) : -1;
	if (code < 1 || code > 254) {
		impd_warn(d, "%s: unknown option", argv[1]);
		return;
	}
	if (argc == 2) {
		char *c = impd_printf(d, "{ set = \"%s\"; match = \"option\"; option = %d; }", t, code);
		impd_push(d, &d->conds, c);
		return;
	}
	if (argc == 3 && (wild = wild_hex(argv[2], zero, sizeof(zero))) == 0) {
		n = impd_opt_value(d, code, (char *[]){ zero }, 1, val, sizeof(val), &text);
		wild = !text;
	} else if (wild == -2) {
		impd_warn(d, "\"%s\": a hex value pxeboot does not read as dnsmasq does", v);
		return;
	}
	if (wild <= 0)
		n = impd_opt_value(d, code, argv + 2, argc - 2, val, sizeof(val), &text);
	if (n <= 0)
		return;
	if (text) {
		/* dnsmasq's match_bytes(): a text value anywhere in the option. */
		char *s = strndup((char *)val, (size_t)n), *q = s ? quote(d, s) : NULL;

		if (q)
			impd_push(d, &d->conds,
				  impd_printf(d, "{ set = \"%s\"; match = \"option-contains\"; "
						 "option = %d; value = \"%s\"; }", t, code, q));
		free(q);
		free(s);
		return;
	}
	/*
	 * dnsmasq's match_bytes() (dhcp-common.c): a hex value is compared with
	 * the start of the option, '*' octets with anything (option-prefix); a
	 * number or an address list with each item of its size (option-item).
	 */
	{
		char hex[3 * 255 + 1];
		size_t k = 0;
		int prefix = strchr(v, ':') != NULL;

		for (int i = 0; i < n; i++) {
			const char *g = v;

			for (int j = 0; wild > 0 && j < i; j++)
				g += strcspn(g, ":") + 1;
			if (wild > 0 && g[0] == '*')
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%s*", i ? ":" : "");
			else
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%s%02x",
						      i ? ":" : "", val[i]);
		}
		impd_push(d, &d->conds,
			  impd_printf(d, "{ set = \"%s\"; match = \"%s\"; option = %d; "
					 "value = \"%s\"; }", t, prefix ? "option-prefix" : "option-item",
				      code, hex));
	}
}

/* dhcp-mac=set:T,MAC-PATTERN */
static void mac(struct impd *d, char **argv, int argc)
{
	const char *t;

	if (argc != 2 || !(t = impd_tag_name(d, argv[0]))) {
		impd_warn(d, "expected set:TAG,MAC");
		return;
	}
	if (!valid_mac(argv[1], 1)) {
		impd_warn(d, "%s: only Ethernet MAC patterns (6 octets) are imported", argv[1]);
		return;
	}
	impd_add_cond(d, t, "mac", argv[1], 0);
}

/*
 * tag-if=set:T[,set:T...][,tag:C...]: dhcp.tag_if, in the same order
 * (dnsmasq's run_tag_if() runs them in order after the other tags).
 */
static void tag_if(struct impd *d, char **argv, int argc)
{
	char set[IMPD_MAX_LINE] = "", *tags;
	size_t len = 0;
	int i = 0;

	for (; i < argc && strncmp(argv[i], "set:", 4) == 0; i++) {
		const char *t = impd_tag_name(d, argv[i]);

		if (!t)
			return;
		len += (size_t)snprintf(set + len, sizeof(set) - len, "%s\"%s\"", len ? ", " : "", t);
		if (len >= sizeof(set))
			return;
	}
	if (!len) {
		impd_warn(d, "expected set:TAG[,set:TAG...][,tag:TAG...]");
		return;
	}
	tags = impd_tags(d, argv, argc, &i);
	if (!tags)
		return;
	if (i < argc)
		impd_warn(d, "\"%s\": neither set: nor tag: (the line is left out)", argv[i]);
	else
		impd_push(d, &d->tag_ifs, impd_printf(d, "{ set = [%s]; tags = \"%s\"; }", set, tags));
	free(tags);
}

static struct impd_vendor *vendor_of(struct impd *d, const char *v, const char *tags, int force)
{
	size_t n = d->nvendors;
	struct impd_vendor *x;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(d->vendors[i].vendor, v) && !strcmp(d->vendors[i].tags, tags) &&
		    d->vendors[i].force == force)
			return &d->vendors[i];
	x = impd_grow(d, d->vendors, &n, sizeof(*x));
	if (!x)
		return NULL;
	d->vendors = x;
	d->nvendors = n;
	x[n - 1].vendor = impd_strdup(d, v);
	x[n - 1].tags = impd_strdup(d, tags);
	x[n - 1].force = force;
	return &x[n - 1];
}

/* dhcp-option[-force]=[tag:T,...][vendor:V,|encap:N,]CODE|option:NAME,VALUE */
static void option(struct impd *d, char **argv, int argc, int force)
{
	int i = 0, code, n, text;
	char *tags = impd_tags(d, argv, argc, &i), *vendor = NULL;
	uint8_t val[255];

	if (!tags)
		return;
	for (; i < argc; i++) {
		if (strncmp(argv[i], "vendor:", 7) == 0)
			vendor = argv[i] + 7;
		else if (strncmp(argv[i], "encap:", 6) == 0 || strncmp(argv[i], "vi-encap:", 9) == 0 ||
			 strncmp(argv[i], "option6:", 8) == 0) {
			impd_warn(d, "%s: no equivalent", argv[i]);
			goto out;
		} else
			break;
	}
	if (i >= argc) {
		impd_warn(d, "no option");
		goto out;
	}
	code = strncmp(argv[i], "option:", 7) == 0 ? impd_opt_code(argv[i] + 7)
	       : strspn(argv[i], "0123456789") == strlen(argv[i]) && argv[i][0] ? atoi(argv[i]) : -1;
	if (code < 1 || code > 254) {
		impd_warn(d, "%s: unknown option", argv[i]);
		goto out;
	}
	if (!vendor && (code == 53 || code == 54 || code == 51 || code == 55 || code == 61 ||
			code == 82 || code == 50 || code == 57 || code == 52)) {
		impd_warn(d, "option %d is the server's own", code);
		goto out;
	}
	n = impd_opt_value(d, vendor ? 0 : code, argv + i + 1, argc - i - 1, val, sizeof(val), &text);
	if (n < 0)
		goto out;
	if (vendor) {
		struct impd_vendor *x = vendor_of(d, vendor, tags, force);

		if (!x)
			goto out;
		if (x->len + 2 + (size_t)n > sizeof(x->data)) {
			impd_warn(d, "option 43 for %s longer than 255 octets", vendor);
			goto out;
		}
		x->data[x->len++] = (uint8_t)code;
		x->data[x->len++] = (uint8_t)n;
		memcpy(x->data + x->len, val, (size_t)n);
		x->len += (size_t)n;
		goto out;
	}
	/* Untagged router, name servers and domain are the subnets' own. */
	if (!*tags && !force && d->router == NULL && code == 3 && n >= 4 && !text) {
		char a[INET_ADDRSTRLEN];
		d->router = impd_strdup(d, inet_ntop(AF_INET, val, a, sizeof(a)));
		goto out;
	}
	if (!*tags && !force && d->dns.n == 0 && code == 6 && n >= 4 && n <= 16 && !text) {
		for (int k = 0; k < n / 4; k++) {
			char a[INET_ADDRSTRLEN];
			impd_push(d, &d->dns, impd_strdup(d, inet_ntop(AF_INET, val + 4 * k, a, sizeof(a))));
		}
		goto out;
	}
	if (!*tags && !force && !d->domain && code == 15 && text) {
		d->domain = strndup((char *)val, (size_t)n);
		goto out;
	}
	{
		size_t m = d->nopts;
		struct impd_opt *o = impd_grow(d, d->opts, &m, sizeof(*o));
		char hex[3 * 255 + 1];
		size_t k = 0;

		if (!o)
			goto out;
		d->opts = o;
		d->nopts = m;
		o = &o[m - 1];
		o->tags = tags;
		tags = NULL;
		o->code = code;
		o->force = force;
		o->hex = !text;
		if (text) {
			char *raw = strndup((char *)val, (size_t)n);
			o->value = raw ? quote(d, raw) : NULL;
			free(raw);
		} else {
			for (int j = 0; j < n; j++)
				k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%s%02x", j ? ":" : "", val[j]);
			o->value = impd_strdup(d, hex);
		}
	}
out:
	free(tags);
}

static void tftp_root(struct impd *d, char **argv, int argc)
{
	if (argc > 1)
		impd_warn(d, "a root per interface (%s) has no equivalent: one root for all", argv[1]);
	free(d->tftp_root);
	d->tftp_root = impd_strdup(d, argv[0]);
}

/* A line this import has no use for: says why. */
static void not_imported(struct impd *d, const char *name)
{
	for (int i = 0; not_boot[i]; i++)
		if (!strcmp(not_boot[i], name)) {
			impd_warn(d, "not imported (pxeboot does no DNS, or the setting is "
				     "dnsmasq's own)");
			return;
		}
	impd_warn(d, "unknown or not imported");
}

void impd_option(struct impd *d, const char *name, char *value)
{
	char *argv[IMPD_MAX_ARGS];
	int argc = 0;

	if (value) {
		argc = impd_split(value, argv, IMPD_MAX_ARGS);
		if (argc < 0) {
			impd_warn(d, "unbalanced quotes or more than %d values", IMPD_MAX_ARGS);
			return;
		}
	}
	if (!strcmp(name, "enable-tftp")) {
		d->tftp = 1;
		if (argc)
			impd_warn(d, "TFTP on some interfaces only: pxeboot serves on tftp.listen");
	} else if (!strcmp(name, "tftp-secure")) {
		d->tftp_secure = 1;
	} else if (!strcmp(name, "tftp-no-blocksize")) {
		d->no_blocksize = 1;
	} else if (!strcmp(name, "port") && argc == 1 && !strcmp(argv[0], "0")) {
		/* no DNS server: pxeboot has none */
	} else if (!strcmp(name, "dhcp-authoritative")) {
		d->authoritative = 1;
	} else if (!strcmp(name, "leasefile-ro") || !strcmp(name, "dhcp-leasefile")) {
		/* leases live in state_dir */
	} else if (!value) {
		not_imported(d, name);
	} else if (!strcmp(name, "interface")) {
		for (int i = 0; i < argc; i++)
			impd_push(d, &d->interfaces, impd_strdup(d, argv[i]));
	} else if (!strcmp(name, "tftp-root") && argc >= 1) {
		tftp_root(d, argv, argc);
	} else if (!strcmp(name, "dhcp-range")) {
		range(d, argv, argc);
	} else if (!strcmp(name, "dhcp-host")) {
		host(d, argv, argc);
	} else if (!strcmp(name, "dhcp-userclass") || !strcmp(name, "dhcp-vendorclass") ||
		   !strcmp(name, "dhcp-circuitid") || !strcmp(name, "dhcp-remoteid")) {
		tag_class(d, name, argv, argc);
	} else if (!strcmp(name, "dhcp-match")) {
		match(d, argv, argc);
	} else if (!strcmp(name, "dhcp-mac")) {
		mac(d, argv, argc);
	} else if (!strcmp(name, "tag-if")) {
		tag_if(d, argv, argc);
	} else if (!strcmp(name, "dhcp-ignore")) {
		impd_dhcp_ignore(d, argv, argc);
	} else if (!strcmp(name, "dhcp-boot")) {
		impd_dhcp_boot(d, argv, argc);
	} else if (!strcmp(name, "dhcp-option") || !strcmp(name, "dhcp-option-force")) {
		option(d, argv, argc, name[11] == '-');
	} else if (!strcmp(name, "pxe-service")) {
		impd_pxe_service(d, argv, argc);
	} else if (!strcmp(name, "pxe-prompt")) {
		impd_pxe_prompt(d, argv, argc);
	} else {
		not_imported(d, name);
	}
}
