/*
 * import_dnsmasq_emit.c - writes the model of an imported dnsmasq
 * configuration as pxeboot.conf (see pxeboot.conf(5)). Boot rules come in
 * the order dnsmasq tries them (src/rfc2131.c find_boot): dnsmasq keeps
 * dhcp-boot lines newest first and tries those with tags before those
 * without; pxe-service files come before dhcp-boot (dnsmasq's boot server
 * answer wins over the file of the first offer).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "import_dnsmasq.h"

static void list(FILE *out, const char *name, const struct impd_list *l, const char *indent)
{
	if (!l->n)
		return;
	fprintf(out, "%s%s = (\n", indent, name);
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s  %s%s\n", indent, l->v[i], i + 1 < l->n ? "," : "");
	fprintf(out, "%s);\n", indent);
}

static int quoted_ok(const char *s)
{
	return s && !strpbrk(s, "\"\\\n");
}

static void boot_rule(FILE *out, const struct impd_boot *b, int last)
{
	fprintf(out, "    {");
	if (b->tags && *b->tags)
		fprintf(out, " tags = \"%s\";", b->tags);
	if (b->noboot)
		fprintf(out, " noboot = true;");
	if (b->file)
		fprintf(out, " file = \"%s\";", b->file);
	if (b->sname)
		fprintf(out, " server_name = \"%s\";", b->sname);
	if (b->server)
		fprintf(out, " next_server = \"%s\";", b->server);
	fprintf(out, " }%s", last ? "" : ",");
	if (b->menu && quoted_ok(b->menu))
		fprintf(out, " # pxe-service \"%s\": menu text not shown", b->menu);
	fprintf(out, "\n");
}

static void boot_rules(struct impd *d, FILE *out)
{
	const struct impd_boot *order[IMPD_MAX_ITEMS];
	size_t n = 0;

	for (size_t i = 0; i < d->nboot; i++)
		if (d->boot[i].noboot || d->boot[i].service)
			order[n++] = &d->boot[i];
	for (size_t i = d->nboot; i-- > 0;)
		if (!d->boot[i].noboot && !d->boot[i].service && d->boot[i].tagged)
			order[n++] = &d->boot[i];
	for (size_t i = d->nboot; i-- > 0;)
		if (!d->boot[i].noboot && !d->boot[i].service && !d->boot[i].tagged)
			order[n++] = &d->boot[i];
	if (!n)
		return;
	fprintf(out, "  boot = (\n");
	for (size_t i = 0; i < n; i++) {
		if (!quoted_ok(order[i]->file ? order[i]->file : "") ||
		    !quoted_ok(order[i]->sname ? order[i]->sname : "")) {
			fprintf(d->err, "dhcp-boot: a file or server name with '\"' or '\\' is left out\n");
			d->incomplete = 1;
			continue;
		}
		boot_rule(out, order[i], i + 1 == n);
	}
	fprintf(out, "  );\n");
}

static void options(struct impd *d, FILE *out)
{
	size_t n = d->nopts + d->nvendors, k = 0;

	if (!n)
		return;
	fprintf(out, "  options = (\n");
	for (size_t i = 0; i < d->nopts; i++, k++) {
		const struct impd_opt *o = &d->opts[i];

		fprintf(out, "    { code = %d; value = \"%s\"; hex = %s; force = %s;", o->code,
			o->value ? o->value : "", o->hex ? "true" : "false",
			o->force ? "true" : "false");
		if (*o->tags)
			fprintf(out, " tags = \"%s\";", o->tags);
		fprintf(out, " }%s\n", k + 1 < n ? "," : "");
	}
	for (size_t i = 0; i < d->nvendors; i++, k++) {
		const struct impd_vendor *v = &d->vendors[i];

		/*
		 * vendor:V sub-options: option 43 for clients whose option 60 starts
		 * with V, closed by the end sub-option 255 as dnsmasq closes it (the
		 * encapsulation of RFC 2132 section 8.4 as PXE reads it).
		 */
		fprintf(out, "    { code = 43; value = \"");
		for (size_t j = 0; j < v->len; j++)
			fprintf(out, "%s%02x", j ? ":" : "", v->data[j]);
		if (v->len < 255)
			fprintf(out, "%sff", v->len ? ":" : "");
		fprintf(out, "\"; hex = true; force = %s; tags = \"vendor-%zu%s%s\"; }%s\n",
			v->force ? "true" : "false", i, *v->tags ? " & " : "", v->tags,
			k + 1 < n ? "," : "");
	}
	fprintf(out, "  );\n");
}

static void subnets(struct impd *d, FILE *out)
{
	if (!d->subnets.n)
		return;
	fprintf(out, "  subnets = (\n");
	for (size_t i = 0; i < d->subnets.n; i++) {
		const char *s = d->subnets.v[i];
		size_t l = strlen(s);

		/* "{ ... }": the untagged router, DNS and domain options added inside. */
		fprintf(out, "    %.*s", (int)(l - 1), s);
		if (!d->proxy || strstr(s, "pool_start")) {
			if (d->router)
				fprintf(out, "router = \"%s\"; ", d->router);
			if (d->dns.n) {
				fprintf(out, "dns = [");
				for (size_t j = 0; j < d->dns.n && j < 4; j++)
					fprintf(out, "%s\"%s\"", j ? ", " : "", d->dns.v[j]);
				fprintf(out, "]; ");
			}
			if (d->domain && quoted_ok(d->domain))
				fprintf(out, "domain = \"%s\"; ", d->domain);
		}
		fprintf(out, "}%s\n", i + 1 < d->subnets.n ? "," : "");
	}
	fprintf(out, "  );\n");
}

void impd_emit(struct impd *d, FILE *out)
{
	const char *mode = d->server ? "server" : d->proxy ? "proxy" : "off";

	if (d->server && d->proxy) {
		fprintf(d->err, "dhcp-range: proxy and address ranges together: pxeboot serves one "
				"mode (server)\n");
		d->incomplete = 1;
	}
	if (strcmp(mode, "off") && !d->interfaces.n) {
		fprintf(d->err, "interface: none named: dnsmasq serves every interface, pxeboot "
				"needs dhcp.interfaces\n");
		d->incomplete = 1;
	}
	for (size_t i = 0; !d->prompt_now && i < d->menu_warns.n; i++) {
		fprintf(d->err, "%s\n", d->menu_warns.v[i]);
		d->incomplete = 1;
	}
	if (d->known_used) {
		/* dnsmasq's tag "known": the client has a dhcp-host line. */
		for (size_t i = 0; i < d->hosts.n; i++) {
			char *h = d->hosts.v[i], *t = strstr(h, " tags = [");
			char *n = t ? impd_printf(d, "%.*s tags = [\"known\", %s", (int)(t - h), h, t + 9)
				    : impd_printf(d, "%.*s tags = [\"known\"]; }",
						  (int)(strlen(h) - 2), h);
			if (n) {
				free(h);
				d->hosts.v[i] = n;
			}
		}
	}
	for (size_t i = 0; i < d->nvendors; i++) {
		char set[40], *v = d->vendors[i].vendor, *q;

		snprintf(set, sizeof(set), "vendor-%zu", i);
		q = impd_printf(d, "{ set = \"%s\"; match = \"option-contains\"; option = 60; "
				   "value = \"%s\"; }",
				set, quoted_ok(v) ? v : "");
		impd_push(d, &d->conds, q);
	}

	fprintf(out, "# Imported from a dnsmasq configuration by pxebootctl import dnsmasq.\n");
	fprintf(out, "tftp = {\n  enable = %s;\n", d->tftp ? "true" : "false");
	if (d->tftp_root && quoted_ok(d->tftp_root))
		fprintf(out, "  root = \"%s\";\n", d->tftp_root);
	if (d->tftp_secure)
		fprintf(out, "  secure = true; # tftp-secure\n");
	if (d->no_blocksize)
		fprintf(out, "  max_blksize = 512; # tftp-no-blocksize\n");
	fprintf(out, "};\n");
	fprintf(out, "dhcp = {\n  mode = \"%s\";\n", mode);
	if (d->authoritative)
		fprintf(out, "  # dhcp-authoritative: pxeboot NAKs requests for addresses it did "
			     "not lease on its subnets (RFC 2131 4.3.2)\n");
	if (d->interfaces.n) {
		fprintf(out, "  interfaces = [");
		for (size_t i = 0; i < d->interfaces.n; i++)
			fprintf(out, "%s\"%s\"", i ? ", " : "",
				quoted_ok(d->interfaces.v[i]) ? d->interfaces.v[i] : "");
		fprintf(out, "];\n");
	}
	subnets(d, out);
	list(out, "hosts", &d->hosts, "  ");
	list(out, "tags", &d->conds, "  ");
	list(out, "tag_if", &d->tag_ifs, "  ");
	boot_rules(d, out);
	options(d, out);
	fprintf(out, "};\n");
}
