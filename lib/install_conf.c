/*
 * install_conf.c - the settings of unattended installs (an entry's answer
 * template and installer family, the hosts' template variables, how long an
 * install waits), the check of every template against every host at load
 * time (pxebootd -t), and an answer file rendered for one client.
 *
 *   entries = ( { id = "debian-install"; kernel = "/d-i/linux";
 *                 initrd = ["/d-i/initrd.gz"]; answer = "/etc/pxeboot/preseed.cfg";
 *                 family = "debian"; } );
 *   dhcp = { hosts = ( { name = "web1"; mac = "52:54:00:00:0b:01";
 *                        vars = { hostname = "web1"; disk = "/dev/vda"; }; } ); };
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot.h>
#include <pxeboot/install.h>
#include "boot_internal.h"
#include "conf_schema.h"
#include "internal.h"

static const struct pxb_conf_setting install_schema[] = {
	{"entries.*.answer", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "answer-file template (a file on this machine) served per client at ${answer_url}"},
	{"entries.*.family", PXB_CT_STRING, "", 0, 0, "|none|debian|autoinstall|kickstart", NULL,
	 "installer family: adds the arguments pointing it at ${answer_url} (empty: none)"},
	{"dhcp.hosts.*.vars", PXB_CT_GROUP, NULL, 0, 0, NULL, NULL,
	 "variables of this host's answer files (name = \"value\"; ...)"},
	{"dhcp.hosts.*.vars.*", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "one variable of this host's answer files"},
	{"install.for", PXB_CT_STRING, "2h", 0, 0, NULL, pxb_check_duration,
	 "how long an install asked for waits for the host's boot (pxebootctl install --for)"},
	{"install.timeout", PXB_CT_INT, "3", 1, 600, NULL, NULL,
	 "seconds the menu waits before an install (or, after one, the local disk) boots"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

__attribute__((constructor)) static void register_schema(void)
{
	pxb__conf_register_schema(NULL, install_schema);
}

/* The host entry (dhcp.hosts) for mac: the first whose MAC pattern matches; NULL: none. */
static const pxb_conf_node *host_of(const pxb_conf *c, const char *mac_text)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	unsigned n = pxb_conf_count(root, "dhcp.hosts");
	uint8_t mac[6];

	if (!mac_text || pxb_mac_parse(mac_text, mac) < 0)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *h = pxb_conf_elem(root, "dhcp.hosts", i);
		const char *pat = pxb_conf_string(h, "mac");

		if (pat && pxb__boot_mac_match(pat, mac))
			return h;
	}
	return NULL;
}

struct vars {
	const struct pxb_boot_ctx *ctx; /* NULL: checking, every built-in is defined */
	const struct pxb_boot_entry *e;
	const pxb_conf_node *host;      /* NULL: no host entry */
	char buf[PXB_VFS_PATH_MAX];
	char name[PXB_ANSWER_NAME_MAX + 8];
};

static const char *const builtins[] = {"server", "http", "mac", "ip", "arch", "entry",
				       "token", "answer_url", "done_url", NULL};

static const char *lookup(void *arg, const char *name, size_t len)
{
	struct vars *v = arg;
	const char *val;

	if (len >= PXB_ANSWER_NAME_MAX)
		return NULL;
	snprintf(v->name, sizeof(v->name), "vars.%.*s", (int)len, name);
	/* The host's own first: it may name itself otherwise than DHCP does. */
	if (v->host && (val = pxb_conf_string(v->host, v->name)) != NULL)
		return val;
	if (len == 8 && !memcmp(name, "hostname", 8))
		return v->host ? pxb_conf_string(v->host, "name") : NULL;
	for (unsigned i = 0; builtins[i]; i++) {
		char in[PXB_ANSWER_NAME_MAX + 4];

		if (strlen(builtins[i]) != len || memcmp(builtins[i], name, len) != 0)
			continue;
		if (!v->ctx)
			return "";
		snprintf(in, sizeof(in), "${%s}", builtins[i]);
		return pxb_boot_expand(v->ctx, v->e, in, v->buf, sizeof(v->buf)) < 0 ? NULL : v->buf;
	}
	return NULL;
}

/* Reads a template whole (bounded). 0, PXB_ERR_IO, PXB_ERR_TOOBIG, PXB_ERR_NOMEM. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	*out = NULL;
	if (!f)
		return PXB_ERR_IO;
	buf = malloc(PXB_ANSWER_MAX + 1);
	if (!buf) {
		fclose(f);
		return PXB_ERR_NOMEM;
	}
	n = fread(buf, 1, PXB_ANSWER_MAX + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return PXB_ERR_IO;
	}
	fclose(f);
	if (n > PXB_ANSWER_MAX) {
		free(buf);
		return PXB_ERR_TOOBIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int render(const char *path, struct vars *v, char **out, size_t *len, char *msg,
		  size_t mlen)
{
	struct pxb_answer_error err = {0};
	char *tmpl = NULL;
	size_t tlen = 0;
	int rc = slurp(path, &tmpl, &tlen);

	if (rc < 0) {
		snprintf(msg, mlen, "%s: %s", path,
			 rc == PXB_ERR_TOOBIG ? "larger than 1 MiB" : strerror(errno));
		return rc;
	}
	rc = pxb_answer_render(tmpl, tlen, lookup, v, out, len, &err);
	free(tmpl);
	if (rc == PXB_ERR_NOENT)
		snprintf(msg, mlen, "%s:%u: ${%s} is not defined%s (dhcp.hosts.*.vars)", path,
			 err.line, err.name, v->host ? " for this host" : " without a host entry");
	else if (rc < 0)
		snprintf(msg, mlen, "%s: %s", path, pxb_strerror(rc));
	return rc;
}

int pxb_install_answer(const pxb_conf *c, const struct pxb_boot_ctx *ctx,
		       const struct pxb_boot_entry *e, char **out, size_t *len, char *msg,
		       size_t mlen)
{
	struct vars *v;
	int rc;

	*out = NULL;
	msg[0] = '\0';
	if (!e || !e->answer)
		return PXB_ERR_INVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return PXB_ERR_NOMEM;
	v->ctx = ctx;
	v->e = e;
	v->host = c ? host_of(c, ctx->mac) : NULL;
	rc = render(e->answer, v, out, len, msg, mlen);
	free(v);
	return rc;
}

/* Checks one entry's template against one host (NULL: none); 0 or -1 (reported). */
static int check_one(const pxb_conf *c, const pxb_conf_node *entry, const pxb_conf_node *host,
		     pxb_conf_report_fn report, void *arg)
{
	struct vars *v = calloc(1, sizeof(*v));
	char msg[600], *out = NULL;
	size_t len;
	int rc;

	if (!v)
		return -1;
	v->host = host;
	rc = render(pxb_conf_string(entry, "answer"), v, &out, &len, msg, sizeof(msg));
	free(out);
	free(v);
	if (rc < 0 && report) {
		char line[900];
		const char *hn = host ? pxb_conf_string(host, "name") : NULL;

		snprintf(line, sizeof(line), "%s:%d: entries: entry \"%s\"%s%s: %s",
			 pxb_conf_source(c), pxb_conf_line(entry), pxb_conf_string(entry, "id"),
			 host ? ", host " : "", host ? (hn ? hn : pxb_conf_string(host, "mac")) : "",
			 msg);
		report(arg, line);
	}
	return rc < 0 ? -1 : 0;
}

int pxb_install_check_conf(const pxb_conf *c, pxb_conf_report_fn report, void *arg)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	unsigned n = pxb_conf_count(root, "entries"), nh = pxb_conf_count(root, "dhcp.hosts");
	int errors = 0;

	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(root, "entries", i);
		unsigned checked = 0;

		if (!pxb_conf_string(e, "answer"))
			continue;
		/* Every host that may install gets its variables checked; one error each is enough. */
		for (unsigned k = 0; k < nh; k++) {
			const pxb_conf_node *h = pxb_conf_elem(root, "dhcp.hosts", k);

			if (!pxb_conf_get(h, "vars"))
				continue;
			checked++;
			if (check_one(c, e, h, report, arg) < 0) {
				errors++;
				break;
			}
		}
		if (!checked && check_one(c, e, NULL, report, arg) < 0)
			errors++;
	}
	return errors ? PXB_ERR_CONFIG : 0;
}
