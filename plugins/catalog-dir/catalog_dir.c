/*
 * catalog_dir.c - the directory catalog plugin: offers the bootable things
 * found on disk as boot entries (registered as the "dir" catalog).
 *
 *   catalog = {
 *     dirs = ["/boot"];             # below http.root, served at the same path
 *     trees = ( { path = "/mnt/usb/images"; prefix = "/images"; } );
 *     kickstart = "${http}/ks/fedora.cfg";
 *   };
 *
 * catalog.trees are mounted (HTTP and TFTP) at their prefix by the plugin,
 * again at each reload.
 * The scan runs at start and again on reload (SIGHUP); each scan bumps the
 * generation so renderers rebuild their model. A tree recognized in part
 * is logged once per path, not at every rescan.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include "catalog_scan.h"

struct catdir {
	pxb_host *h;
	pxb_boot_model *found; /* entries of the last scan (source "catalog-dir") */
	uint64_t gen;
	struct pxb_layout_said said; /* warnings given, not repeated at a rescan */
};

static const struct pxb_conf_setting settings[] = {
	{"dirs", PXB_CT_STRINGS, "/boot", 0, 0, NULL, pxb_check_abs_path,
	 "directories below http.root to scan, served at the same paths"},
	{"trees", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "directories anywhere on disk to scan and serve at a prefix"},
	{"trees.*.path", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_abs_path,
	 "the directory on disk"},
	{"trees.*.prefix", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_abs_path,
	 "where its files are served (TFTP and HTTP)"},
	{"kickstart", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "inst.ks= URL given to Fedora/RHEL installers (${http} allowed; empty: none)"},
	{"max_depth", PXB_CT_INT, "8", 1, 32, NULL, NULL, "directory levels scanned"},
	{"preseed", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "answer template (a file) of the Debian/Ubuntu installers found: unattended installs "
	 "(empty: none)"},
	{"kickstart_answer", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "answer template (a file) of the Fedora/RHEL installers found, instead of kickstart "
	 "(empty: none)"},
	{"autoinstall", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "answer template (user-data) of the Ubuntu live-server installers found: an unattended "
	 "install entry each (empty: none)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static void report_once(void *arg, const char *path, const char *what)
{
	struct catdir *c = arg;
	char key[4600];

	snprintf(key, sizeof(key), "%s: %s", path, what);
	if (pxb_layout_said_first(&c->said, key))
		pxb_host_log(c->h, PXB_LOG_WARNING, "%s", key);
}

/* Scans everything configured into a new model and (re)mounts catalog.trees. */
static int scan(struct catdir *c, const pxb_conf_node *sec)
{
	const char *hroot = pxb_conf_string(pxb_conf_root(pxb_host_conf(c->h)), "http.root");
	char dir[4096];
	struct pxb_catalog_scan_opts o = {.source = "catalog-dir"};
	pxb_boot_model *m = pxb_boot_model_new();
	unsigned cnt;
	int rc;

	if (!m)
		return PXB_ERR_NOMEM;
	if (pxb_host_vfs(c->h))
		pxb_vfs_unmount_arg(pxb_host_vfs(c->h), c); /* trees of the previous scan */
	o.kickstart = pxb_conf_string(sec, "kickstart");
	o.preseed = pxb_conf_string(sec, "preseed");
	o.ks_answer = pxb_conf_string(sec, "kickstart_answer");
	o.autoinstall = pxb_conf_string(sec, "autoinstall");
	o.max_depth = (unsigned)pxb_conf_int(sec, "max_depth");
	cnt = pxb_conf_count(sec, "dirs");
	for (unsigned i = 0; i < cnt; i++) {
		const char *d = pxb_conf_elem_string(sec, "dirs", i);
		snprintf(dir, sizeof(dir), "%s%s", hroot ? hroot : "", d);
		rc = pxb_catalog_scan(dir, d, &o, m, report_once, c);
		if (rc == PXB_ERR_NOENT)
			report_once(c, dir, "catalog directory does not exist");
		else if (rc < 0)
			goto fail;
	}
	cnt = pxb_conf_count(sec, "trees");
	for (unsigned i = 0; i < cnt; i++) {
		const pxb_conf_node *t = pxb_conf_elem(sec, "trees", i);
		const char *path = pxb_conf_string(t, "path"), *prefix = pxb_conf_string(t, "prefix");
		if (!path || !prefix) {
			pxb_host_log(c->h, PXB_LOG_ERR, "catalog.trees[%u]: path and prefix are needed",
				     i);
			continue;
		}
		if (pxb_host_vfs(c->h)) {
			rc = pxb_vfs_mount_dir_arg(pxb_host_vfs(c->h), prefix, path, PXB_VFS_ALL, c);
			if (rc < 0)
				pxb_host_log(c->h, PXB_LOG_ERR, "catalog: cannot serve %s at %s: %s",
					     path, prefix, pxb_strerror(rc));
		}
		rc = pxb_catalog_scan(path, prefix, &o, m, report_once, c);
		if (rc == PXB_ERR_NOENT)
			report_once(c, path, "catalog directory does not exist");
		else if (rc < 0)
			goto fail;
	}
	pxb_boot_model_free(c->found);
	c->found = m;
	c->gen++;
	pxb_host_log(c->h, PXB_LOG_INFO, "catalog: %u entries found", pxb_boot_entry_count(m));
	return 0;
fail:
	pxb_boot_model_free(m);
	return rc;
}

static int populate(void *arg, pxb_boot_model *m)
{
	return pxb_layout_merge(m, ((struct catdir *)arg)->found);
}

static uint64_t generation(void *arg)
{
	return ((struct catdir *)arg)->gen;
}

static const struct pxb_catalog catalog = {
	.size = sizeof(struct pxb_catalog),
	.populate = populate,
	.generation = generation,
};

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct catdir *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return PXB_ERR_NOMEM;
	c->h = h;
	rc = scan(c, sec);
	if (rc == 0)
		rc = pxb_host_register(h, PXB_SVC_CATALOG, "dir", &catalog, c);
	if (rc < 0) {
		if (pxb_host_vfs(h))
			pxb_vfs_unmount_arg(pxb_host_vfs(h), c);
		pxb_boot_model_free(c->found);
		free(c);
		return rc;
	}
	*state = c;
	return 0;
}

static int reload(void *state, const pxb_conf_node *sec)
{
	struct catdir *c = state;

	return scan(c, sec);
}

static void fini(void *state)
{
	struct catdir *c = state;

	if (!c)
		return;
	pxb_boot_model_free(c->found);
	pxb_layout_said_free(&c->said);
	free(c);
}

PXB_PLUGIN(.name = "catalog-dir", .section = "catalog", .version = PXB_VERSION_STRING,
	   .summary = "boot entries for SystemRescue, memtest86+, Debian, Fedora, FreeDOS and "
		      "iPXE files found in directories",
	   .settings = settings, .init = init, .reload = reload, .fini = fini);
