/*
 * ipxe.c - the iPXE menu plugin: serves the boot menu as an iPXE script at
 * ipxe.menu_path (default /menu.ipxe) over TFTP and HTTP, rendered for the
 * client asking, and registers itself as the "ipxe" renderer so the DHCP
 * side can hand that name to iPXE clients.
 *
 * Each rendering is an event of the client's stream (pxeboot/events.h), and
 * the files of the model's entries are noted there so that boots can be
 * counted by entry.
 *
 * The boot model is built from the configuration and the catalogs when
 * first needed, kept, and built again after a reload (SIGHUP) or when a
 * catalog's generation changes (a rescan found other files).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include <pxeboot/boot_menu_plugin.h>
#include "ipxe_render.h"

struct ipxe_plugin {
	pxb_host *h;
	char path[256];
	struct pxb_arm arm; /* the armed client's, while its menu is written (token) */
};

static const struct pxb_conf_setting settings[] = {
	{"menu_path", PXB_CT_STRING, "/menu.ipxe", 0, 0, NULL, pxb_check_abs_path,
	 "name the iPXE menu script is served under (TFTP and HTTP)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* Tells the event store which files belong to which entry (boots by entry). */
static void note_entries(pxb_menu_plugin *mp, const pxb_boot_model *m)
{
	pxb_events *ev = pxb_host_events(pxb_menu_plugin_host(mp));

	for (unsigned i = 0; ev && m && i < pxb_boot_entry_count(m); i++) {
		const struct pxb_boot_entry *e = pxb_boot_entry_at(m, i);
		const char *files[2 + PXB_BOOT_MAX_INITRDS] = {e->kernel, e->image};
		unsigned n = 2;

		for (unsigned j = 0; j < e->ninitrds && j < PXB_BOOT_MAX_INITRDS; j++)
			files[n++] = e->initrds[j];
		for (unsigned j = 0; j < n; j++)
			if (files[j] && files[j][0] == '/' && !strstr(files[j], "${"))
				pxb_events_note_entry_file(ev, files[j], e->id,
							   j == 1 && (e->kind == PXB_BOOT_MEMDISK ||
								      e->kind == PXB_BOOT_SANBOOT));
	}
}

/*
 * Records that a menu was rendered for client c: under its MAC only when
 * proven (DHCP gave that MAC the address asking), else under the address.
 */
static void note_menu(struct ipxe_plugin *p, const pxb_boot_model *m, const struct pxb_client *c,
		      int proven)
{
	pxb_events *ev = pxb_host_events(p->h);
	struct pxb_boot_view *v = NULL;
	struct pxb_event e;
	struct timespec ts;
	char detail[PXB_EVENT_DETAIL_MAX];
	unsigned n = 0;

	if (!ev || !c || (!c->has_mac && !c->addr.s_addr))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	pxb_event_init(&e, PXB_EV_MENU, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	if (!proven && !c->addr.s_addr)
		return;
	e.has_mac = c->has_mac && proven;
	if (e.has_mac)
		memcpy(e.mac, c->mac, 6);
	e.addr = c->addr;
	e.arch = c->arch;
	if (pxb_boot_model_for_client(m, c, &v) == 0) {
		for (unsigned i = 0; i < v->nitems; i++)
			n += v->items[i].type == PXB_ITEM_ENTRY;
		snprintf(detail, sizeof(detail), "ipxe: %u entr%s, default %s", n,
			 n == 1 ? "y" : "ies", v->def ? v->def->id : "none");
		pxb_boot_view_free(v);
	} else {
		snprintf(detail, sizeof(detail), "ipxe");
	}
	pxb_event_set_path(&e, p->path);
	pxb_event_set_detail(&e, detail);
	pxb_events_add(ev, &e);
}

/* Seconds an armed boot's menu waits when the menu itself would wait forever. */
#define ARMED_TIMEOUT 10

/* Does the policy protect any entry of m? Then protected files spend one-shot arms. */
static int protects_any(pxb_host *h, const pxb_boot_model *m)
{
	for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
		if (pxb_policy_protects(pxb_host_policy(h), pxb_boot_entry_at(m, i)->id))
			return 1;
	return 0;
}

/*
 * The menu for c. An armed client (pxeboot/policy.h) gets its arm's token in
 * the URLs of the entries' files and the arm's entry as the default, if DHCP
 * gave its MAC the address asking (pxb_policy_client_proven: a MAC in a
 * query is anyone's word). A one-shot arm is spent by the first protected
 * file fetched with its token (HTTP), not by the menu, which anyone may
 * ask for again; only when no entry is protected is it spent when the
 * proven machine fetches its menu (fetch set: served, not only shown).
 */
static int options(pxb_menu_plugin *mp, const pxb_boot_model *m, struct pxb_client *c,
		   int fetch, void *opts)
{
	struct ipxe_plugin *p = pxb_menu_plugin_state(mp);
	pxb_arms *arms = pxb_host_arms(p->h);
	struct pxb_ipxe_opts *o = opts;
	struct pxb_arm arm;
	int64_t now = (int64_t)time(NULL);
	int proven = c && c->has_mac && pxb_policy_client_proven(p->h, c->mac, c->addr, now);

	if (proven && pxb_arms_lookup(arms, c->mac, now, &arm) == 0) {
		char mac[18];

		p->arm = arm;
		c->token = p->arm.token;
		o->default_id = p->arm.entry[0] ? p->arm.entry : NULL;
		o->min_timeout = ARMED_TIMEOUT;
		pxb_mac_format(arm.mac, mac, ':');
		if (arm.entry[0] && !pxb_boot_find_entry(m, arm.entry))
			pxb_host_log(p->h, PXB_LOG_WARNING, "%s is armed for entry \"%s\", which "
				     "does not exist: the menu's default stays", mac, arm.entry);
		if (fetch) {
			int rc = protects_any(p->h, m) ? 0 : pxb_arms_spend(arms, arm.mac, now);
			pxb_host_log(p->h, PXB_LOG_NOTICE, "armed menu for %s, entry %s%s", mac,
				     arm.entry[0] ? arm.entry : "(the menu's default)",
				     rc == 1 ? ", one-shot arm spent" : "");
			if (rc < 0)
				pxb_host_log(p->h, PXB_LOG_WARNING, "cannot write %s",
					     pxb_arms_path(arms));
		}
	} else if (proven) { /* an unattended install (pxeboot/install.h) */
		pxb_menu_plugin_install(mp, m, c, now, &o->default_id, &o->force_timeout);
	}
	note_menu(p, m, c, proven);
	return 0;
}

static int apply(pxb_menu_plugin *mp, const pxb_conf_node *sec)
{
	struct ipxe_plugin *p = pxb_menu_plugin_state(mp);

	p->h = pxb_menu_plugin_host(mp);
	snprintf(p->path, sizeof(p->path), "%s", pxb_conf_string(sec, "menu_path"));
	return pxb_menu_plugin_add_mount(mp, p->path, NULL);
}

/*
 * One file, the menu at ipxe.menu_path; as served, a one-shot arm of a
 * policy protecting nothing is spent (options: fetch).
 */
static const struct pxb_menu_plugin_desc desc = {
	.format = "ipxe",
	.state_size = sizeof(struct ipxe_plugin),
	.apply = apply,
	.write = pxb_ipxe_write,
	.opts_size = sizeof(struct pxb_ipxe_opts),
	.options = options,
	.rebuilt = note_entries,
};

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	return pxb_menu_plugin_init(&desc, h, sec, state);
}

PXB_PLUGIN(.name = "ipxe", .version = PXB_VERSION_STRING,
	   .summary = "iPXE boot menu scripts rendered per client", .settings = settings,
	   .init = init, .reload = pxb_menu_plugin_reload, .fini = pxb_menu_plugin_fini);
