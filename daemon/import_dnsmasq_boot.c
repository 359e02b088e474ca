/*
 * import_dnsmasq_boot.c - the dnsmasq options that choose a client's boot
 * file (after dnsmasq's src/option.c), as boot rules of the model struct
 * impd: dhcp-boot, dhcp-ignore, pxe-service and pxe-prompt.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "import_dnsmasq.h"

static struct impd_boot *new_boot(struct impd *d)
{
	size_t n = d->nboot;
	struct impd_boot *b = impd_grow(d, d->boot, &n, sizeof(*b));

	if (!b)
		return NULL;
	d->boot = b;
	d->nboot = n;
	return &b[n - 1];
}

/* dhcp-boot=[tag:T,...]FILE[,SNAME[,SERVER]] */
void impd_dhcp_boot(struct impd *d, char **argv, int argc)
{
	int i = 0;
	char *tags = impd_tags(d, argv, argc, &i);
	struct impd_boot *b;
	struct in_addr a;

	if (!tags)
		return;
	if (i >= argc || !argv[i][0]) {
		impd_warn(d, "no boot file");
		free(tags);
		return;
	}
	if (i + 2 < argc && inet_pton(AF_INET, argv[i + 2], &a) != 1) {
		impd_warn(d, "server %s: only an address can be imported (names are resolved by "
			     "dnsmasq)", argv[i + 2]);
		free(tags);
		return;
	}
	b = new_boot(d);
	if (!b) {
		free(tags);
		return;
	}
	b->tagged = i > 0;
	b->tags = tags;
	b->file = impd_strdup(d, argv[i]);
	if (i + 1 < argc && argv[i + 1][0])
		b->sname = impd_strdup(d, argv[i + 1]);
	if (i + 2 < argc)
		b->server = impd_strdup(d, argv[i + 2]);
}

/* dhcp-ignore=tag:T[,tag:T...]: no answer at all; here no boot offer. */
void impd_dhcp_ignore(struct impd *d, char **argv, int argc)
{
	char buf[IMPD_MAX_LINE] = "";
	size_t len = 0;
	struct impd_boot *b;

	for (int k = 0; k < argc; k++) {
		const char *a = argv[k], *t;
		int neg;

		if (strncmp(a, "tag:", 4) == 0 || strncmp(a, "net:", 4) == 0)
			a += 4;
		neg = a[0] == '!' || a[0] == '#';
		if (!(t = impd_tag_name(d, a + neg)))
			return;
		if (strcmp(t, "known") == 0)
			d->known_used = 1;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s", len ? " & " : "",
					neg ? "!" : "", t);
		if (len >= sizeof(buf))
			return;
	}
	if (d->server)
		impd_warn(d, "pxeboot still gives these clients an address, never a boot file");
	b = new_boot(d);
	if (b) {
		b->tags = impd_strdup(d, buf);
		b->tagged = 1;
		b->noboot = 1;
	}
}

/* pxe-service=[tag:T,]CSA,MENU[,BASENAME|TYPE][,SERVER]: a boot rule per architecture. */
void impd_pxe_service(struct impd *d, char **argv, int argc)
{
	static const char *const csa[] = {
		"x86PC", "PC98", "IA64_EFI", "Alpha", "Arc_x86", "Intel_Lean_Client", "IA32_EFI",
		"x86-64_EFI", "Xscale_EFI", "BC_EFI", "ARM32_EFI", "ARM64_EFI",
	};
	int i = 0, a = -1;
	char *tags = impd_tags(d, argv, argc, &i), atag[16];
	struct impd_boot *b;
	struct in_addr ip;

	if (!tags)
		return;
	if (i + 1 >= argc) {
		impd_warn(d, "expected CSA,MENU-TEXT[,BASENAME][,SERVER]");
		goto out;
	}
	for (int k = 0; k < 12; k++)
		if (strcasecmp(argv[i], csa[k]) == 0)
			a = k;
	if (a < 0 && strspn(argv[i], "0123456789") == strlen(argv[i]) && strlen(argv[i]) < 4)
		a = atoi(argv[i]);
	if (a < 0 || a > 15) {
		impd_warn(d, "%s: unknown client architecture", argv[i]);
		goto out;
	}
	if (i + 2 >= argc || strspn(argv[i + 2], "0123456789") == strlen(argv[i + 2])) {
		impd_warn(d, "\"%s\": local boot and boot server types have no equivalent "
			     "(no boot offer instead)", argv[i + 1]);
		goto out;
	}
	if (i + 3 < argc && inet_pton(AF_INET, argv[i + 3], &ip) != 1) {
		impd_warn(d, "server %s: only an address can be imported", argv[i + 3]);
		goto out;
	}
	/*
	 * A BIOS menu is reported at the end unless pxe-prompt=TEXT,0 makes the
	 * ROM boot the first item at once. Other architectures get no menu from
	 * dnsmasq, and then no file from its boot server either.
	 */
	if (++d->services_per_arch[a] == 2 && a != 0)
		impd_warn(d, "several services for %s: dnsmasq sends this architecture no menu "
			     "and its boot server (port 4011) no file; pxeboot gives the first one's "
			     "file", argv[i]);
	else if (d->services_per_arch[a] == 2)
		impd_push(d, &d->menu_warns,
			  impd_printf(d, "%s:%u: pxe-service: a menu of several services for %s: "
					 "pxeboot gives the first one's file without a menu (the same "
					 "only with pxe-prompt=TEXT,0)", d->file, d->line, argv[i]));
	if (d->services_per_arch[a] > 1)
		goto out;
	snprintf(atag, sizeof(atag), "pxe-arch-%d", a);
	if (d->services_per_arch[a] == 1)
		impd_add_cond(d, atag, "arch", a < 12 ? impd_arch_names[a] : argv[i], 0);
	b = new_boot(d);
	if (!b)
		goto out;
	b->service = 1;
	b->tagged = 1;
	b->tags = *tags ? impd_printf(d, "%s & %s", atag, tags) : impd_strdup(d, atag);
	b->menu = impd_strdup(d, argv[i + 1]);
	/* The boot server stage's name (src/rfc2131.c): BASENAME.0 unless it has a dot. */
	b->file = strchr(argv[i + 2], '.') ? impd_strdup(d, argv[i + 2])
					   : impd_printf(d, "%s.0", argv[i + 2]);
	if (i + 3 < argc)
		b->server = impd_strdup(d, argv[i + 3]);
out:
	free(tags);
}

/*
 * pxe-prompt=[tag:T,]TEXT[,TIMEOUT]: with timeout 0 the PXE ROM boots the
 * first service at once (dnsmasq(8)), which is what pxeboot does; a longer
 * wait, or none given (wait for a key), shows what pxeboot does not.
 */
void impd_pxe_prompt(struct impd *d, char **argv, int argc)
{
	int i = 0;
	char *tags = impd_tags(d, argv, argc, &i);

	if (!tags)
		return;
	if (i >= argc || i + 2 < argc)
		impd_warn(d, "expected [tag:T,]PROMPT[,TIMEOUT]");
	else if (!*tags && i + 1 < argc && strcmp(argv[i + 1], "0") == 0)
		d->prompt_now = 1;
	else
		impd_warn(d, "no equivalent: pxeboot shows no prompt and boots the first service's "
			     "file at once; with dnsmasq the PXE ROM shows \"%s\"%s and boots it %s", argv[i],
			  *tags ? " to some tags" : "",
			  i + 1 < argc ? "after the timeout" : "after a key press");
	free(tags);
}
