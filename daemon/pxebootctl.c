/*
 * pxebootctl.c - a small client of pxebootd's HTTP API (clients, timeline,
 * metrics, forget), and "explain": what pxebootd would answer one DHCP
 * request, worked out offline from a configuration file with the library
 * itself (the configuration loader, the rule engine with a trace, and the
 * DHCP server engine over an in-memory lease table).
 *
 * The API client speaks HTTP/1.0 over one TCP connection: no dependency
 * beyond libc. "import dnsmasq" is import_dnsmasq*.c, "uci" and "import uci"
 * pxebootctl_uci.c. See pxebootctl(8).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pxeboot/dhcp_server.h>
#include "daemon.h"
#include "uci_conf.h"
#include "import_dnsmasq.h"
#include "pxebootctl.h"
#include "pxebootctl_merge.h"
#include "explain_opts.h"


static void usage(FILE *f)
{
	fprintf(f,
		"usage: pxebootctl [-s URL] [-t TOKEN] clients\n"
		"       pxebootctl [-s URL] [-t TOKEN] timeline MAC|ADDRESS\n"
		"       pxebootctl [-s URL] [-t TOKEN] metrics\n"
		"       pxebootctl [-s URL] [-t TOKEN] forget MAC|ADDRESS\n"
		"       pxebootctl [-s URL] -t TOKEN arm MAC|HOST [--entry ID] [--for 30m] [--once]\n"
		"       pxebootctl [-s URL] -t TOKEN disarm MAC|HOST\n"
		"       pxebootctl [-s URL] -t TOKEN arms\n"
		"       pxebootctl [-s URL] -t TOKEN install MAC|HOST --entry ID [--for 2h]\n"
		"       pxebootctl [-s URL] -t TOKEN install MAC|HOST --forget\n"
		"       pxebootctl [-s URL] -t TOKEN installs\n"
		"       pxebootctl explain -c CONF --mac MAC [--arch ARCH] [--vendor-class TEXT]\n"
		"                  [--user-class TEXT] [--interface IF] [--server-addr ADDR]\n"
		"                  [-P PLUGIN_DIR]\n"
		"       pxebootctl uci [/etc/config/pxeboot [/etc/config/dhcp]]\n"
		"       pxebootctl import uci /etc/config/dhcp [/etc/config/network]\n"
		"       pxebootctl import dnsmasq FILE...\n"
		"  -s URL    the API: http://HOST[:PORT][/PREFIX] (default http://127.0.0.1/_pxeboot,\n"
		"            or $PXEBOOTCTL_URL); several -s: clients and timeline merged, metrics,\n"
		"            arms and installs server by server, changes refused\n"
		"  -t TOKEN  bearer token (http.api_token; or $PXEBOOTCTL_TOKEN)\n");
}

/* ---- the API client (pxebootctl_http.c) -------------------------------------- */

/*
 * One request; the body goes to stdout on 2xx, to stderr otherwise.
 * Returns 0 on 2xx, 1 on another status, 2 when the server cannot be reached.
 */
static int api(const struct url *u, const char *token, const char *method, const char *path)
{
	char *body;
	size_t len;
	int status, rc = pxbctl_fetch(u, token, method, path, &body, &len, &status);

	if (rc)
		return rc;
	if (status >= 200 && status < 300) {
		fwrite(body, 1, len, stdout);
		rc = 0;
	} else {
		fprintf(stderr, "pxebootctl: HTTP %d: %.*s", status, (int)len, body);
		if (len && body[len - 1] != '\n')
			fputc('\n', stderr);
		rc = 1;
	}
	free(body);
	return rc;
}

/* ---- explain ------------------------------------------------------------------- */

struct explain {
	const char *conf, *plugin_dir, *mac, *vendor, *user, *ifname, *server;
	int arch; /* -1: none */
};

static void report_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static size_t put_opt(uint8_t *b, size_t o, uint8_t code, const void *data, size_t len)
{
	b[o++] = code;
	b[o++] = (uint8_t)len;
	memcpy(b + o, data, len);
	return o + len;
}

/* A request as the firmware would send it. */
static size_t build_request(const struct explain *x, const uint8_t mac[6], uint8_t type,
			    struct in_addr req_ip, struct in_addr sid, uint8_t *b)
{
	static const uint8_t prl[] = {1, 3, 6, 15, 43, 51, 54, 60, 66, 67, 97, 175};
	size_t o = PXB_DHCP_MIN_LEN;

	memset(b, 0, PXB_DHCP_TX_MAX);
	b[0] = PXB_BOOTREQUEST;
	b[1] = 1;
	b[2] = 6;
	b[4] = 0x5e;
	b[5] = 0x1f;
	b[6] = 0x00;
	b[7] = 0x01;
	b[10] = 0x80; /* broadcast, as PXE firmware asks */
	memcpy(b + 28, mac, 6);
	b[236] = 0x63;
	b[237] = 0x82;
	b[238] = 0x53;
	b[239] = 0x63;
	o = put_opt(b, o, PXB_OPT_MSG_TYPE, &type, 1);
	if (req_ip.s_addr)
		o = put_opt(b, o, PXB_OPT_REQUESTED_IP, &req_ip, 4);
	if (sid.s_addr)
		o = put_opt(b, o, PXB_OPT_SERVER_ID, &sid, 4);
	o = put_opt(b, o, PXB_OPT_PRL, prl, sizeof(prl));
	o = put_opt(b, o, PXB_OPT_MAX_SIZE, (uint8_t[]){0x05, 0xc0}, 2);
	if (x->arch >= 0) {
		uint8_t a[2] = {(uint8_t)(x->arch >> 8), (uint8_t)x->arch};
		o = put_opt(b, o, PXB_OPT_CLIENT_ARCH, a, 2);
	}
	if (x->vendor && x->vendor[0])
		o = put_opt(b, o, PXB_OPT_VENDOR_CLASS, x->vendor, strlen(x->vendor));
	if (x->user && x->user[0])
		o = put_opt(b, o, PXB_OPT_USER_CLASS, x->user, strlen(x->user));
	b[o++] = PXB_OPT_END;
	return o < PXB_DHCP_BOOTP_MIN ? PXB_DHCP_BOOTP_MIN : o;
}

static void print_bytes(const char *name, const struct pxb_dhcp_msg *m, uint8_t code, int text)
{
	struct pxb_dhcp_view v;

	if (pxb_dhcp_opt(m, code, &v) < 0)
		return;
	printf("  option %-3u %-16s ", code, name);
	if (text) {
		putchar('"');
		for (size_t i = 0; i < v.len; i++)
			putchar(v.data[i] >= 0x20 && v.data[i] < 0x7f ? v.data[i] : '?');
		putchar('"');
	} else {
		for (size_t i = 0; i < v.len; i++)
			printf("%s%02x", i ? ":" : "", v.data[i]);
	}
	putchar('\n');
}

static void print_reply(const char *what, const struct pxb_dhcp_tx *tx,
			const struct pxb_match_trace *trace)
{
	struct pxb_dhcp_msg *m;
	struct in_addr a;

	printf("%s: %s (%s)\n", what, pxb_dhcp_verdict_name(tx->verdict), tx->why ? tx->why : "");
	if (!tx->len)
		return;
	m = malloc(sizeof(*m));
	if (!m || pxb_dhcp_parse(m, tx->buf, tx->len, PXB_DHCP_PARSE_REPLY) < 0) {
		printf("  (the reply does not parse)\n");
		free(m);
		return;
	}
	printf("  sent to        %s:%u\n", inet_ntoa(tx->dst), tx->dst_port);
	printf("  yiaddr         %s\n", inet_ntoa(m->yiaddr));
	printf("  siaddr         %s\n", inet_ntoa(m->siaddr));
	printf("  file           \"%.*s\"\n", m->file ? (int)strnlen((const char *)m->file,
								     PXB_DHCP_FILE_LEN) : 0,
	       m->file ? (const char *)m->file : "");
	if (m->sname && m->sname[0])
		printf("  sname          \"%.*s\"\n",
		       (int)strnlen((const char *)m->sname, PXB_DHCP_SNAME_LEN), m->sname);
	if (pxb_dhcp_server_id(m, &a) == 0)
		printf("  option 54  server id        %s\n", inet_ntoa(a));
	print_bytes("vendor class", m, PXB_OPT_VENDOR_CLASS, 1);
	print_bytes("vendor options", m, PXB_OPT_VENDOR, 0);
	print_bytes("tftp server", m, PXB_OPT_TFTP_SERVER, 1);
	print_bytes("boot file", m, PXB_OPT_BOOTFILE, 1);
	pxbctl_explain_reply_options(trace, m);
	free(m);
}

static const char *conf_str(const pxb_conf_node *r, const char *list, int i, const char *key)
{
	const pxb_conf_node *e = pxb_conf_elem(r, list, (unsigned)i);
	const char *v = e ? pxb_conf_string(e, key) : NULL;

	return v ? v : "";
}

static void print_trace(const pxb_conf_node *r, const struct pxb_match_trace *t,
			const struct pxb_boot_choice *choice)
{
	int any = 0;

	printf("tags:\n");
	for (unsigned i = 0; i < t->n; i++) {
		int k = t->step[i].index;
		switch (t->step[i].kind) {
		case PXB_STEP_HOST:
			printf("  %-12s set by dhcp.hosts[%d] (%s, mac %s)\n",
			       t->step[i].tag[0] ? t->step[i].tag : "(none)", k,
			       conf_str(r, "dhcp.hosts", k, "name"), conf_str(r, "dhcp.hosts", k, "mac"));
			any = 1;
			break;
		case PXB_STEP_COND:
			printf("  %-12s set by dhcp.tags[%d] (%s \"%s\")\n", t->step[i].tag, k,
			       conf_str(r, "dhcp.tags", k, "match"), conf_str(r, "dhcp.tags", k, "value"));
			any = 1;
			break;
		case PXB_STEP_TAG_IF:
			printf("  %-12s set by dhcp.tag_if[%d] (tags \"%s\")\n", t->step[i].tag, k,
			       conf_str(r, "dhcp.tag_if", k, "tags"));
			any = 1;
			break;
		default:
			break;
		}
	}
	if (!any)
		printf("  (none)\n");
	for (unsigned i = 0; i < t->n; i++) {
		int k = t->step[i].index;
		switch (t->step[i].kind) {
		case PXB_STEP_NOBOOT_HOST:
			printf("boot: no boot offer: host dhcp.hosts[%d] (%s) says noboot\n", k,
			       conf_str(r, "dhcp.hosts", k, "name"));
			break;
		case PXB_STEP_NOBOOT_RULE:
			printf("boot: no boot offer: dhcp.boot[%d] (%s, tags \"%s\") is a noboot rule\n",
			       k, conf_str(r, "dhcp.boot", k, "name"), conf_str(r, "dhcp.boot", k, "tags"));
			break;
		case PXB_STEP_RULE:
			printf("boot: dhcp.boot[%d] (%s, tags \"%s\") -> file \"%s\"\n", k,
			       conf_str(r, "dhcp.boot", k, "name"), conf_str(r, "dhcp.boot", k, "tags"),
			       choice->file);
			break;
		case PXB_STEP_ARCH_DEFAULT:
			printf("boot: no rule held; dhcp.arch_files[%d] -> file \"%s\"\n", k,
			       choice->file);
			break;
		case PXB_STEP_NONE:
			printf("boot: no rule held and no file for this architecture: no boot offer\n");
			break;
		default:
			break;
		}
	}
	if (t->dropped)
		printf("(%u steps not recorded)\n", t->dropped);
}

/* Our address as the client's link sees it: the subnet's server_addr, router, else .1. */
static struct in_addr local_addr(const struct pxb_dhcp_server_config *cfg, const char *ifname,
				 int *assumed)
{
	struct in_addr a = {0};

	*assumed = 1;
	for (size_t i = 0; cfg && i < cfg->nsubnets; i++) {
		const struct pxb_dhcp_subnet_config *s = &cfg->subnets[i];
		if (ifname && s->ifname && strcmp(s->ifname, ifname) != 0)
			continue;
		if (s->server_addr.s_addr) {
			*assumed = 0;
			return s->server_addr;
		}
		if (s->router.s_addr)
			return s->router;
		a.s_addr = htonl(ntohl(s->network.s_addr) + 1);
		return a;
	}
	inet_pton(AF_INET, "192.0.2.1", &a);
	return a;
}

/* The engine's gate in explain: the policy with nobody armed (pxeboot/policy.h). */
static const char *explain_gate(void *arg, const struct pxb_client *c, int64_t now)
{
	return pxb_policy_gate(arg, NULL, c, now);
}

static int explain(const struct explain *x)
{
	struct pxbd d = {.conf_path = x->conf, .plugin_dir = x->plugin_dir};
	pxb_host *host = pxb_host_new(NULL, NULL, NULL);
	pxb_conf *conf = NULL;
	struct pxb_dhcp_setup *setup = NULL;
	struct pxb_lease_store *leases = NULL;
	struct pxb_dhcp_server *srv = NULL;
	pxb_policy *policy = NULL;
	struct pxb_dhcp_msg *m = malloc(sizeof(*m));
	struct pxb_dhcp_tx *tx = malloc(sizeof(*tx));
	uint8_t mac[6], pkt[PXB_DHCP_TX_MAX];
	struct pxb_match_trace trace;
	struct pxb_boot_choice choice;
	struct pxb_client client;
	const struct pxb_dhcp_server_config *cfg;
	const pxb_conf_node *r;
	const char *mode, *ifname = x->ifname;
	struct in_addr local, none = {0};
	int rc = 1, assumed = 0, proxy;
	size_t len, nhosts;

	if (!host || !m || !tx)
		goto out;
	if (pxb_mac_parse(x->mac, mac) < 0) {
		fprintf(stderr, "pxebootctl: --mac %s: not a MAC address\n", x->mac);
		goto out;
	}
	conf = pxbd_config_load(&d, host, report_stderr, NULL);
	if (!conf)
		goto out;
	if (pxb_dhcp_setup_from_conf(conf, &setup, report_stderr, NULL) < 0)
		goto out;
	r = pxb_conf_root(conf);
	mode = pxb_conf_string(r, "dhcp.mode");
	proxy = strcmp(mode, "proxy") == 0;
	cfg = pxb_dhcp_setup_server(setup);
	if (!ifname && pxb_conf_count(r, "dhcp.interfaces"))
		ifname = pxb_conf_elem_string(r, "dhcp.interfaces", 0);
	if (x->server) {
		if (inet_pton(AF_INET, x->server, &local) != 1) {
			fprintf(stderr, "pxebootctl: --server-addr %s: not an IPv4 address\n", x->server);
			goto out;
		}
	} else {
		local = local_addr(cfg, ifname, &assumed);
	}
	len = build_request(x, mac, PXB_DHCPDISCOVER, none, none, pkt);
	if (pxb_dhcp_parse(m, pkt, len, 0) < 0) {
		fprintf(stderr, "pxebootctl: the request does not parse: %s\n",
			pxb_dhcp_reason_str(m->reason));
		goto out;
	}
	printf("configuration: %s (dhcp.mode %s)\n", pxb_conf_source(conf), mode);
	printf("request: DISCOVER from %s", x->mac);
	if (x->arch >= 0)
		printf(", arch %d (%s)", x->arch, pxb_arch_name((uint16_t)x->arch) ?
		       pxb_arch_name((uint16_t)x->arch) : "?");
	if (x->vendor)
		printf(", vendor class \"%s\"", x->vendor);
	if (x->user)
		printf(", user class \"%s\"", x->user);
	printf(", on %s, our address %s%s\n", ifname ? ifname : "(no interface)", inet_ntoa(local),
	       assumed ? " (assumed; --server-addr sets it)" : "");

	/* The rules alone, with a trace. */
	memset(&client, 0, sizeof(client));
	pxb_dhcp_fill_client(m, &client);
	memset(&choice, 0, sizeof(choice));
	memset(&trace, 0, sizeof(trace));
	pxb_match_eval(pxb_dhcp_setup_rules(setup), m,
		       &(struct pxb_match_ctx){.ifname = ifname, .recv_addr = local}, &client,
		       &choice, &trace);
	print_trace(r, &trace, &choice);
	pxbctl_explain_options(r, &trace);
	if (pxb_policy_from_conf(conf, &policy, report_stderr, NULL) < 0)
		goto out;
	{
		const char *src;
		enum pxb_policy_kind k = pxb_policy_for_client(policy, &client, &src);

		if (k != PXB_POLICY_ALWAYS)
			printf("policy: %s, by %s: %s\n", pxb_policy_kind_name(k),
			       !strcmp(src, "host") ? "its host entry"
			       : !strcmp(src, "rule") ? "policy.rules" : "policy.default",
			       k == PXB_POLICY_NEVER
				       ? "never a boot offer"
				       : "a boot offer only while armed (pxebootctl arm); the replies "
					 "below are those of a machine not armed");
	}
	if (strcmp(mode, "off") == 0) {
		printf("dhcp.mode is off: pxebootd answers no DHCP request\n");
		rc = 0;
		goto out;
	}

	/* The engine, as pxebootd runs it, over leases kept in memory. */
	if (!proxy && pxb_lease_open(&(struct pxb_lease_config){.state_dir = NULL}, time(NULL),
				     &leases, NULL) < 0)
		goto out;
	pxb_dhcp_setup_hosts(setup, &nhosts);
	if (pxb_dhcp_server_new(cfg, pxb_dhcp_setup_rules(setup), pxb_dhcp_setup_hosts(setup, &nhosts),
				nhosts, leases, &srv) < 0) {
		fprintf(stderr, "pxebootctl: the DHCP engine cannot start with this configuration\n");
		goto out;
	}
	pxb_dhcp_server_set_gate(srv, explain_gate, policy);
	{
		struct pxb_dhcp_rx rx = {.ifname = ifname, .local = local, .src_port = 68,
					 .dst_port = PXB_DHCP_SERVER_PORT};
		struct in_addr offered;

		pxb_dhcp_server_input(srv, pkt, len, &rx, time(NULL), tx);
		print_reply("reply to DISCOVER", tx, &trace);
		if (tx->verdict != PXB_DHCP_V_OFFER) {
			rc = 0;
			goto out;
		}
		/* The REQUEST that follows: for the offered address in server mode,
		 * to port 4011 in proxy mode (PXE 2.1, 2.2.5). */
		offered = tx->yiaddr;
		if (proxy) {
			rx.dst_port = PXB_DHCP_PXE_PORT;
			inet_pton(AF_INET, "192.0.2.100", &rx.src);
			len = build_request(x, mac, PXB_DHCPREQUEST, none, none, pkt);
			memcpy(pkt + 12, &rx.src, 4); /* ciaddr: the router gave it an address */
		} else {
			len = build_request(x, mac, PXB_DHCPREQUEST, offered, local, pkt);
		}
		pxb_dhcp_server_input(srv, pkt, len, &rx, time(NULL), tx);
		print_reply(proxy ? "reply to REQUEST on port 4011" : "reply to REQUEST", tx,
			    &trace);
	}
	rc = 0;
out:
	pxb_dhcp_server_free(srv);
	pxb_policy_free(policy);
	pxb_lease_close(leases);
	pxb_dhcp_setup_free(setup);
	pxb_conf_free(conf);
	pxb_host_free(host);
	free(m);
	free(tx);
	return rc;
}

static int explain_opt(struct explain *x, int opt, const char *arg)
{
	switch (opt) {
	case 'c': x->conf = arg; return 0;
	case 'P': x->plugin_dir = arg; return 0;
	case 'm': x->mac = arg; return 0;
	case 'a':
		x->arch = pxb_arch_parse(arg);
		if (x->arch < 0) {
			fprintf(stderr, "pxebootctl: --arch %s: not an architecture\n", arg);
			return -1;
		}
		return 0;
	case 'v': x->vendor = arg; return 0;
	case 'u': x->user = arg; return 0;
	case 'i': x->ifname = arg; return 0;
	case 'S': x->server = arg; return 0;
	default: usage(stderr); return -1;
	}
}

/* ---- arms (rescue on demand, pxeboot/policy.h) ------------------------------- */

/* Is s made of characters a path or query takes as they are? */
static int plain(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return 0;
	return 1;
}

/* arm ID [--entry ID] [--for DURATION] [--once], disarm ID, arms. */
static int arms_cmd(const struct url *u, const char *token, const char *cmd, int argc, char **argv)
{
	const char *id = argc > 0 ? argv[0] : NULL, *entry = NULL, *dur = NULL;
	char path[512];
	int once = 0;

	if (strcmp(cmd, "arms") == 0) {
		if (argc) {
			usage(stderr);
			return 2;
		}
		return api(u, token, "GET", "/arms?format=text");
	}
	if (!id || !*id || strlen(id) > 64 || !plain(id, ":-._")) {
		fprintf(stderr, "pxebootctl: %s: name a MAC or a host (dhcp.hosts.*.name)\n", cmd);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(cmd, "arm") != 0) {
			usage(stderr);
			return 2;
		}
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--entry") == 0 && i + 1 < argc)
			entry = argv[++i];
		else if (strcmp(argv[i], "--for") == 0 && i + 1 < argc)
			dur = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if ((entry && (strlen(entry) > 64 || !plain(entry, "._+-"))) ||
	    (dur && (strlen(dur) > 16 || !plain(dur, "")))) {
		fprintf(stderr, "pxebootctl: arm: --entry takes an entry id, --for a duration "
				"(90, 90s, 30m, 2h, 1d)\n");
		return 2;
	}
	if (!token) {
		fprintf(stderr, "pxebootctl: %s needs the API's token (-t or $PXEBOOTCTL_TOKEN)\n", cmd);
		return 2;
	}
	if (strcmp(cmd, "disarm") == 0) {
		snprintf(path, sizeof(path), "/arms/%s?format=text", id);
		return api(u, token, "DELETE", path);
	}
	snprintf(path, sizeof(path), "/arms/%s?format=text%s%s%s%s%s", id, entry ? "&entry=" : "",
		 entry ? entry : "", dur ? "&for=" : "", dur ? dur : "", once ? "&once=1" : "");
	return api(u, token, "POST", path);
}

/* install ID --entry E [--for DURATION] | --forget, installs (pxeboot/install.h). */
static int install_cmd(const struct url *u, const char *token, const char *cmd, int argc,
		       char **argv)
{
	const char *id = argc > 0 ? argv[0] : NULL, *entry = NULL, *dur = NULL;
	char path[512];
	int forget = 0;

	if (!token) {
		fprintf(stderr, "pxebootctl: %s needs the API's token (-t or $PXEBOOTCTL_TOKEN)\n", cmd);
		return 2;
	}
	if (strcmp(cmd, "installs") == 0)
		return argc ? (usage(stderr), 2) : api(u, token, "GET", "/installs?format=text");
	if (!id || !*id || strlen(id) > 64 || !plain(id, ":-._")) {
		fprintf(stderr, "pxebootctl: install: name a MAC or a host (dhcp.hosts.*.name)\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--forget") == 0)
			forget = 1;
		else if (strcmp(argv[i], "--entry") == 0 && i + 1 < argc)
			entry = argv[++i];
		else if (strcmp(argv[i], "--for") == 0 && i + 1 < argc)
			dur = argv[++i];
		else
			return usage(stderr), 2;
	}
	if (forget) {
		snprintf(path, sizeof(path), "/installs/%s?format=text", id);
		return api(u, token, "DELETE", path);
	}
	if (!entry || strlen(entry) > 64 || !plain(entry, "._+-") ||
	    (dur && (strlen(dur) > 16 || !plain(dur, "")))) {
		fprintf(stderr, "pxebootctl: install: --entry takes an entry id, --for a duration "
				"(90s, 30m, 2h, 1d)\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/installs/%s?format=text&entry=%s%s%s", id, entry,
		 dur ? "&for=" : "", dur ? dur : "");
	return api(u, token, "POST", path);
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{"mac", required_argument, NULL, 'm'},
		{"arch", required_argument, NULL, 'a'},
		{"vendor-class", required_argument, NULL, 'v'},
		{"user-class", required_argument, NULL, 'u'},
		{"interface", required_argument, NULL, 'i'},
		{"server-addr", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = getenv("PXEBOOTCTL_URL"), *token = getenv("PXEBOOTCTL_TOKEN");
	struct explain x = {.arch = -1};
	struct url u;
	const char *cmd, *urls[PXBCTL_MAX_SERVERS + 1];
	char path[512];
	size_t nurls = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "+s:t:c:P:h", longs, NULL)) != -1) {
		if (opt == 's') {
			url = optarg;
			if (nurls <= PXBCTL_MAX_SERVERS)
				urls[nurls++] = optarg;
		}
		else if (opt == 't')
			token = optarg;
		else if (opt == 'h') {
			usage(stdout);
			return 0;
		} else if (explain_opt(&x, opt, optarg) < 0)
			return 2;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "import") == 0) {
		if (optind + 2 < argc && strcmp(argv[optind + 1], "dnsmasq") == 0)
			return impd_import_files((const char *const *)argv + optind + 2,
						 (size_t)(argc - optind - 2), stdout, stderr);
		if (optind + 1 < argc && strcmp(argv[optind + 1], "uci") == 0)
			return pxbctl_import_uci(argc - optind - 2, argv + optind + 2);
		usage(stderr);
		return IMPD_FAILED;
	}
	if (strcmp(cmd, "explain") == 0) {
		/* Its options may also follow the command: scan what follows it. */
		int base = optind;
		char **av = argv + base;

		av[0] = argv[0];
		optind = 0;
		while ((opt = getopt_long(argc - base, av, "c:P:h", longs, NULL)) != -1) {
			if (opt == 'h') {
				usage(stdout);
				return 0;
			}
			if (explain_opt(&x, opt, optarg) < 0)
				return 2;
		}
		if (optind < argc - base) {
			usage(stderr);
			return 2;
		}
		if (!x.conf || !x.mac) {
			fprintf(stderr, "pxebootctl: explain needs -c CONF and --mac MAC\n");
			return 2;
		}
		pxbd_log_init(1, 0);
		return explain(&x);
	}
	if (strcmp(cmd, "uci") == 0)
		return pxbctl_uci(argc - optind - 1, argv + optind + 1);
	optind++;
	if (pxbctl_parse_url(url ? url : "http://127.0.0.1/_pxeboot", &u) < 0) {
		fprintf(stderr, "pxebootctl: %s: not http://HOST[:PORT][/PREFIX]\n", url);
		return 2;
	}
	if (token && !token[0])
		token = NULL;
	if (nurls > 1) {
		int rc = pxbctl_multi(urls, nurls, token, cmd, argc - optind, argv + optind);
		if (rc >= 0)
			return rc;
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "clients") == 0 && optind == argc)
		return api(&u, token, "GET", "/clients?format=text");
	if (strcmp(cmd, "metrics") == 0 && optind == argc)
		return api(&u, token, "GET", "/metrics");
	if (strcmp(cmd, "arm") == 0 || strcmp(cmd, "disarm") == 0 || strcmp(cmd, "arms") == 0)
		return arms_cmd(&u, token, cmd, argc - optind, argv + optind);
	if (strcmp(cmd, "install") == 0 || strcmp(cmd, "installs") == 0)
		return install_cmd(&u, token, cmd, argc - optind, argv + optind);
	if ((strcmp(cmd, "timeline") == 0 || strcmp(cmd, "forget") == 0) && optind + 1 == argc) {
		const char *id = argv[optind];
		if (strspn(id, "0123456789abcdefABCDEF:.-") != strlen(id) || strlen(id) > 64) {
			fprintf(stderr, "pxebootctl: %s: not a MAC or an address\n", id);
			return 2;
		}
		snprintf(path, sizeof(path), "/timeline/%s%s", id, cmd[0] == 't' ? "?format=text" : "");
		return api(&u, token, cmd[0] == 't' ? "GET" : "DELETE", path);
	}
	usage(stderr);
	return 2;
}
