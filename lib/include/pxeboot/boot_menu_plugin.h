/*
 * pxeboot/boot_menu_plugin.h - the glue every menu renderer plugin shares.
 *
 * A renderer plugin (iPXE, PXELINUX, GRUB...) describes itself in a
 * struct pxb_menu_plugin_desc: its format name, how it reads its settings
 * and which prefixes of the file namespace it serves, the writer of its
 * menu format and how it fills that writer's options for one client. The
 * helper does the rest: the boot model kept between requests and rebuilt
 * on reloads and catalog changes (struct pxb_boot_cache), the mounts (made
 * at init, made again on a reload that moves them, removed at unload), the
 * PXB_SVC_RENDERER registration, and the menu rendered into a buffer with
 * the writer's warnings logged through the host.
 *
 *   static const struct pxb_menu_plugin_desc desc = {
 *           .format = "mine", .state_size = sizeof(struct mine),
 *           .apply = apply, .write = pxb_mine_write,
 *           .opts_size = sizeof(struct pxb_mine_opts), .options = options,
 *   };
 *   static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
 *   {
 *           return pxb_menu_plugin_init(&desc, h, sec, state);
 *   }
 *   PXB_PLUGIN(.name = "mine", ..., .settings = settings, .init = init,
 *              .reload = pxb_menu_plugin_reload, .fini = pxb_menu_plugin_fini);
 *
 * Everything here runs on the daemon's loop; rendering is not reentrant
 * for one plugin (pxb_menu_plugin_install keeps its answer in the plugin).
 */
#ifndef PXEBOOT_BOOT_MENU_PLUGIN_H
#define PXEBOOT_BOOT_MENU_PLUGIN_H

#include <stddef.h>
#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/plugin.h>
#include <pxeboot/boot.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How many prefixes one renderer plugin may serve. */
#define PXB_MENU_PLUGIN_MAX_MOUNTS 16
/* The largest options structure a writer may take (desc.opts_size). */
#define PXB_MENU_PLUGIN_MAX_OPTS 256

typedef struct pxb_menu_plugin pxb_menu_plugin;

struct pxb_menu_plugin_desc {
	/* The renderer's name ("ipxe"), also the name of its file provider. */
	const char *format;
	/* Bytes of the plugin's own state, zeroed at init (pxb_menu_plugin_state). */
	size_t state_size;
	/*
	 * Reads the plugin's section: at init, and at a reload once the model
	 * was rebuilt. Declares every prefix served, each time, with
	 * pxb_menu_plugin_add_mount. Returns 0 or a negative PXB_ERR_*.
	 */
	int (*apply)(pxb_menu_plugin *mp, const pxb_conf_node *sec);
	/* The menu format's writer (e.g. pxb_ipxe_write) and the size of its options. */
	pxb_boot_write_fn write;
	size_t opts_size;
	/*
	 * Optional: fills opts (opts_size bytes, zeroed) for the menu of client
	 * (a copy the callback may change, or NULL) made from m. served is 1
	 * when the menu is fetched as a file of the namespace, 0 when asked
	 * through the registered renderer. Returns 0 or a negative PXB_ERR_*.
	 */
	int (*options)(pxb_menu_plugin *mp, const pxb_boot_model *m, struct pxb_client *client,
		       int served, void *opts);
	/*
	 * Optional: opens rel under a mount (mount_arg as given to
	 * pxb_menu_plugin_add_mount) for client (may be NULL). Without it a
	 * mount is one file, the menu for the client asking. Returns 0 or a
	 * negative PXB_ERR_* (PXB_ERR_NOENT: the tree is asked next).
	 */
	int (*open)(pxb_menu_plugin *mp, void *mount_arg, const char *rel,
		    const struct pxb_client *client, struct pxb_file *f);
	/* Optional: the menu's path for DHCP boot rules; default: the first mount's prefix. */
	const char *(*menu_path)(pxb_menu_plugin *mp);
	/* Optional: called with each model built (init, reloads, catalog changes). */
	void (*rebuilt)(pxb_menu_plugin *mp, const pxb_boot_model *m);
};

/*
 * A plugin's init: allocates the plugin (*state), calls desc->apply, builds
 * the model (so configuration mistakes show at start-up), mounts the
 * prefixes apply declared and registers desc->format as a PXB_SVC_RENDERER.
 * desc must outlive the plugin. On an error nothing stays allocated,
 * mounted or registered by it. Returns 0, PXB_ERR_INVAL (desc incomplete,
 * opts_size over PXB_MENU_PLUGIN_MAX_OPTS), PXB_ERR_NOMEM, PXB_ERR_CONFIG
 * (no model), PXB_ERR_TOOBIG (too many mounts), or what apply,
 * pxb_host_mount or pxb_host_register returned.
 */
PXB_API int pxb_menu_plugin_init(const struct pxb_menu_plugin_desc *desc, pxb_host *h,
				 const pxb_conf_node *sec, void **state);

/*
 * A plugin's reload: rebuilds the model first (on failure the old model,
 * settings and mounts stay), then applies sec and, when the prefixes it
 * declares differ from before, mounts them in place of the old ones.
 * Returns 0, PXB_ERR_CONFIG, PXB_ERR_NOMEM, PXB_ERR_TOOBIG, or what apply
 * or pxb_host_mount returned.
 */
PXB_API int pxb_menu_plugin_reload(void *state, const pxb_conf_node *sec);

/* A plugin's fini: removes the mounts, frees the model and the plugin (NULL: nothing). */
PXB_API void pxb_menu_plugin_fini(void *state);

/* The plugin's own state (desc->state_size bytes). No errors. */
PXB_API void *pxb_menu_plugin_state(pxb_menu_plugin *mp);

/* The host the plugin was loaded into. No errors. */
PXB_API pxb_host *pxb_menu_plugin_host(pxb_menu_plugin *mp);

/*
 * From apply: serves prefix, with mount_arg handed to desc->open. Returns
 * 0, PXB_ERR_TOOBIG (over PXB_MENU_PLUGIN_MAX_MOUNTS, or a prefix longer
 * than 255 bytes), PXB_ERR_INVAL (prefix NULL or empty).
 */
PXB_API int pxb_menu_plugin_add_mount(pxb_menu_plugin *mp, const char *prefix, void *mount_arg);

/* The prefix of mount i as declared by the last apply, or NULL. No errors. */
PXB_API const char *pxb_menu_plugin_mount_prefix(pxb_menu_plugin *mp, unsigned i);

/*
 * The current model, rebuilt first when a catalog changed (desc->rebuilt
 * then runs). NULL when none could ever be built. No errors.
 */
PXB_API const pxb_boot_model *pxb_menu_plugin_model(pxb_menu_plugin *mp);

/*
 * The menu for client (may be NULL) into *out (malloc'ed, NUL-terminated;
 * the caller frees it) and *len: desc->options, then desc->write, whose
 * warnings are logged through the host. served: see desc->options.
 * Returns 0, PXB_ERR_CONFIG (no model), PXB_ERR_NOMEM, PXB_ERR_IO, or what
 * desc->options returned.
 */
PXB_API int pxb_menu_plugin_render(pxb_menu_plugin *mp, const struct pxb_client *client,
				   int served, char **out, size_t *len);

/*
 * From desc->open: fills f with the menu for client (may be NULL) as served
 * (pxb_boot_menu_file). Returns 0, PXB_ERR_NOMEM, PXB_ERR_IO.
 */
PXB_API int pxb_menu_plugin_serve(pxb_menu_plugin *mp, struct pxb_file *f,
				  const struct pxb_client *client);

/*
 * From desc->options: what an unattended install of client (asking now)
 * changes in its menu (pxb_install_menu, pxeboot/install.h). Returns 1
 * with *default_id (the entry's id, kept in mp until the next call) and
 * *timeout set, or 0 with both untouched. No errors.
 */
PXB_API int pxb_menu_plugin_install(pxb_menu_plugin *mp, const pxb_boot_model *m,
				    const struct pxb_client *client, int64_t now,
				    const char **default_id, unsigned *timeout);

/*
 * For a menu format's writer: tells warn (may be NULL: nothing) that entry
 * id was left out of the menu of format ("iPXE") and why, as one line
 * "<format> menu: entry \"<id>\" left out: <why>". No errors.
 */
PXB_API void pxb_boot_warn_left_out(pxb_boot_warn_fn warn, void *warn_arg, const char *format,
				    const char *id, const char *why);

/*
 * For a menu format's writer, ending the text of entry id written to f, a
 * stream from open_memstream(text, ...): closes f and returns *text, or NULL
 * (the text freed) when f fails to close or why is set; in the latter case
 * pxb_boot_warn_left_out tells warn that format left id out, and why. No errors.
 */
PXB_API char *pxb_boot_body_close(FILE *f, char **text, const char *why, pxb_boot_warn_fn warn,
				  void *warn_arg, const char *format, const char *id);

/* Writes the text of the view's item i, entry e, for pxb_boot_bodies: NULL leaves e out. */
typedef char *(*pxb_boot_body_fn)(void *arg, unsigned i, const struct pxb_boot_entry *e);

/*
 * For a menu format's writer: body(arg, i, entry) for every entry item of v,
 * into *bodies (v->nitems + 1 slots, NULL where there is no text; free with
 * pxb_boot_bodies_free). *def gets the entry the menu starts on: the one
 * default_id (may be NULL) names when it has a text, else the view's default
 * when it has one, else the first entry with a text; NULL when none has.
 * *n (may be NULL) gets how many entries have a text. Returns 0, PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_bodies(const struct pxb_boot_view *v, const char *default_id,
			    pxb_boot_body_fn body, void *arg, char ***bodies,
			    const struct pxb_boot_entry **def, unsigned *n);

/* Frees what pxb_boot_bodies made for v (bodies may be NULL). No errors. */
PXB_API void pxb_boot_bodies_free(const struct pxb_boot_view *v, char **bodies);

#ifdef __cplusplus
}
#endif
#endif
