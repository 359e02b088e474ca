/*
 * config_load.c - from file (or the built-in default) and -o overrides to a
 * validated configuration, loading the plugins it names on the way so their
 * settings are validated by the same schema.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp_server.h>

#include "daemon.h"

/*
 * Without -c: every setting at its default (DHCP off), and the plugins that
 * ship with pxeboot, so a bare `pxebootd -f` serves files and menus.
 */
const char pxbd_default_config[] =
	"# pxebootd built-in default: every setting at its default (DHCP off),\n"
	"# and the plugins that ship with pxeboot.\n"
	"plugins = [\"http\", \"ipxe\", \"pxelinux\", \"catalog-dir\"];\n";

static void add_loaded_schemas(pxb_host *host, pxb_conf *c)
{
	for (unsigned i = 0; i < pxb_host_plugin_count(host); i++) {
		const struct pxb_plugin *p = pxb_host_plugin(host, i);
		if (p->settings)
			pxb_conf_add_schema(c, p->section ? p->section : p->name, p->settings);
	}
}

/*
 * Applies the -o settings: in phase 0 those the schema knows already
 * (marked in done[]), in phase 1 the rest: plugins' settings, known now
 * that the plugins are loaded, or reported as unknown.
 */
static int apply_overrides(struct pxbd *d, pxb_conf *c, int phase, unsigned char *done,
			   pxb_conf_report_fn report, void *arg)
{
	int rc = 0;

	for (unsigned i = 0; i < d->noverrides; i++) {
		const char *o = d->overrides[i], *eq = strchr(o, '=');
		char name[256];

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - o) : (int)strlen(o), o);
		if (done[i] || (phase == 0 && !pxb_conf_has_setting(c, name)))
			continue;
		done[i] = 1;
		if (pxb_conf_override(c, o, report, arg) < 0)
			rc = -1;
	}
	return rc;
}

/*
 * What the services compile when they start (the DHCP rules and engine, the
 * policy, the boot model), compiled once here so that a configuration
 * passes -t and reloads exactly when it would start. Returns -1 when any
 * of them fails; every problem goes to report.
 */
static int compile(const pxb_conf *c, pxb_conf_report_fn report, void *arg)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	struct pxb_dhcp_setup *ds = NULL;
	pxb_boot_model *bm = NULL;
	pxb_policy *pol = NULL;
	char err[512];
	int bad = 0;

	if (strcmp(pxb_conf_string(root, "dhcp.mode"), "off") != 0) {
		if (pxb_dhcp_setup_from_conf(c, &ds, report, arg) < 0) {
			bad = 1;
		} else if (!pxb_dhcp_setup_server(ds)->proxy &&
			   !pxb_dhcp_setup_server(ds)->nsubnets) {
			/* pxb_dhcp_server_new() refuses it (dhcp_driver.c build_engine). */
			snprintf(err, sizeof(err), "%s: dhcp.subnets: server mode needs at least "
				 "one network", pxb_conf_source(c));
			report(arg, err);
			bad = 1;
		}
	}
	if (pxb_policy_from_conf(c, &pol, report, arg) < 0)
		bad = 1;
	if (pxb_boot_model_from_conf(c, &bm, report, arg) < 0)
		bad = 1;
	pxb_dhcp_setup_free(ds);
	pxb_policy_free(pol);
	pxb_boot_model_free(bm);
	return bad ? -1 : 0;
}

pxb_conf *pxbd_config_load(struct pxbd *d, pxb_host *host, pxb_conf_report_fn report,
			   void *arg)
{
	pxb_conf *c = pxb_conf_new();
	unsigned char *done = calloc(d->noverrides + 1, 1);
	int bad = 0;
	const pxb_conf_node *root;
	const char *dir;
	char err[1024];

	if (!c || !done) {
		report(arg, "out of memory");
		pxb_conf_free(c);
		free(done);
		return NULL;
	}
	if (d->conf_path)
		bad = pxb_conf_load_file(c, d->conf_path, report, arg) < 0;
	else
		bad = pxb_conf_load_string(c, pxbd_default_config, "<built-in>", report, arg) < 0;
	if (bad)
		goto fail;
	/* Overrides of plugins' settings wait until the plugins are loaded. */
	if (apply_overrides(d, c, 0, done, report, arg) < 0)
		bad = 1;
	/*
	 * The plugins are loaded before the full check so that their settings are
	 * checked by the same schema; a silent first pass says whether plugin_dir
	 * and plugins can be trusted for that.
	 */
	root = pxb_conf_root(c);
	if (host && pxb_host_plugin_count(host) == 0 && pxb_conf_validate(c, 0, NULL, NULL) == 0) {
		dir = d->plugin_dir ? d->plugin_dir : pxb_conf_string(root, "plugin_dir");
		for (unsigned i = 0; i < pxb_conf_count(root, "plugins"); i++) {
			const char *name = pxb_conf_elem_string(root, "plugins", i);
			if (pxb_host_load(host, c, dir, name, err, sizeof(err)) < 0) {
				report(arg, err);
				bad = 1;
			}
		}
	} else if (host) {
		add_loaded_schemas(host, c);
	}
	if (apply_overrides(d, c, 1, done, report, arg) < 0)
		bad = 1;
	/* Unknown settings are errors, unless a plugin that would know them failed. */
	if (pxb_conf_validate(c, !bad, report, arg) > 0 || bad)
		goto fail;
	/* Answer templates: an undefined variable is found now, not by an installer. */
	if (pxb_install_check_conf(c, report, arg) < 0)
		goto fail;
	if (strcmp(pxb_conf_string(root, "dhcp.mode"), "off") != 0 &&
	    pxb_conf_count(root, "dhcp.interfaces") == 0) {
		snprintf(err, sizeof(err), "%s: dhcp.interfaces: must name at least one interface "
			 "when dhcp.mode is not off", pxb_conf_source(c));
		report(arg, err);
		goto fail;
	}
	/* What the plugins' init would refuse in their settings (their check hooks). */
	if (host && pxb_host_check_all(host, c, report, arg) != 0)
		bad = 1;
	if (compile(c, report, arg) < 0 || bad)
		goto fail;
	free(done);
	return c;
fail:
	pxb_conf_free(c);
	free(done);
	return NULL;
}

int pxbd_mount_roots(struct pxbd *d)
{
	const pxb_conf_node *root = pxb_conf_root(d->conf);
	const char *troot = pxb_conf_string(root, "tftp.root");
	const char *hroot = pxb_conf_string(root, "http.root");
	int rc = 0;

	pxb_vfs_unmount_arg(d->vfs, d); /* the daemon's own directory mounts */
	pxb_vfs_serve_dotfiles(d->vfs, pxb_conf_bool(root, "vfs.serve_dotfiles"));
	pxb_vfs_secure(d->vfs, pxb_conf_bool(root, "tftp.secure") ? PXB_VFS_TFTP : 0);
	if (strcmp(troot, hroot) == 0) {
		if (pxb_vfs_mount_dir_arg(d->vfs, "/", troot, PXB_VFS_ALL, d) < 0) {
			pxbd_log(PXB_LOG_WARNING, "vfs", "tftp.root and http.root %s: no such "
				 "directory; serving generated files only", troot);
			rc = -1;
		}
		return rc;
	}
	if (pxb_vfs_mount_dir_arg(d->vfs, "/", troot, PXB_VFS_TFTP, d) < 0) {
		pxbd_log(PXB_LOG_WARNING, "vfs", "tftp.root %s: no such directory; TFTP serves "
			 "generated files only", troot);
		rc = -1;
	}
	if (pxb_vfs_mount_dir_arg(d->vfs, "/", hroot, PXB_VFS_HTTP, d) < 0) {
		pxbd_log(PXB_LOG_WARNING, "vfs", "http.root %s: no such directory; HTTP serves "
			 "generated files only", hroot);
		rc = -1;
	}
	return rc;
}
