/*
 * pxeboot/plugin.h - the plugin interface.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `pxb_plugin_entry`, a const struct pxb_plugin made with PXB_PLUGIN().
 * The host checks its ABI number and size, gives it its own configuration
 * section and a host handle, and the plugin registers what it provides
 * (HTTP backend, menu renderer, catalog, file provider) through the host
 * functions below. Plugins never reach into the daemon's globals.
 *
 *   static int init(pxb_host *h, const pxb_conf_node *sec, void **state) {...}
 *   static void fini(void *state) {...}
 *   PXB_PLUGIN(.name = "hello", .version = "1.0", .summary = "...",
 *              .init = init, .fini = fini);
 *
 * A plugin whose init refuses some values of its settings also gives
 * .check, which judges them alone, so that pxebootd -t finds them.
 */
#ifndef PXEBOOT_PLUGIN_H
#define PXEBOOT_PLUGIN_H

#include <stdarg.h>
#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/vfs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised whenever struct pxb_plugin or the host functions change incompatibly. */
#define PXB_PLUGIN_ABI 1
#define PXB_PLUGIN_SYMBOL "pxb_plugin_entry"

typedef struct pxb_host pxb_host;
struct pxb_events;
struct pxb_lease_store;

struct pxb_plugin {
	uint32_t abi;          /* PXB_PLUGIN_ABI the plugin was built with */
	uint32_t size;         /* sizeof(struct pxb_plugin) at build time */
	const char *name;      /* "http"; also the default config section */
	const char *version;
	const char *summary;   /* one line */
	const char *section;   /* config section, NULL: name */
	const struct pxb_conf_setting *settings; /* schema of that section, may be NULL */
	/*
	 * Called once after the configuration is valid. section is the plugin's
	 * group, never NULL: when the file has none, a stand-in (pxb_conf_section),
	 * so pxb_conf_string(section, "name") and the other getters answer the
	 * setting or its schema default either way. It is valid only during the
	 * call: copy what must outlive it. Returns 0 or a PXB_ERR_* code; on error
	 * the plugin must have released everything.
	 */
	int (*init)(pxb_host *host, const pxb_conf_node *section, void **state);
	/* Optional: applies a new, already validated section (SIGHUP), never NULL. */
	int (*reload)(void *state, const pxb_conf_node *section);
	/* Releases everything; called at shutdown. */
	void (*fini)(void *state);
	/*
	 * Optional: judges the section as init would, without side effects (no
	 * socket, thread or connection, no file written, nothing kept), for
	 * pxebootd -t and before init and reload. Each problem goes to report as
	 * pxb_conf_problem() writes it ("file:line: setting: why"). Returns the
	 * number of problems reported (0: init would accept the section), or
	 * PXB_ERR_NOMEM. Takes the place of reserved[0]: a plugin built before
	 * it has NULL there and is not asked.
	 */
	int (*check)(const pxb_conf_node *section, pxb_conf_report_fn report, void *arg);
	void *reserved[7];     /* room to grow without breaking old plugins */
};

#define PXB_PLUGIN(...)                                                                  \
	PXB_EXPORT const struct pxb_plugin pxb_plugin_entry = {                          \
		.abi = PXB_PLUGIN_ABI, .size = sizeof(struct pxb_plugin), __VA_ARGS__}

/* Kinds of service a plugin can register. */
enum pxb_service {
	PXB_SVC_HTTP = 1,  /* an HTTP backend (iface: NULL or plugin-defined) */
	PXB_SVC_RENDERER,  /* a menu renderer (iface: struct pxb_renderer, boot.h) */
	PXB_SVC_CATALOG,   /* an image catalog (iface: struct pxb_catalog, boot.h) */
	PXB_SVC_VFS,       /* a file provider (also mounted with pxb_vfs_mount_provider) */
	PXB_SVC_LEASE_STORE, /* a DHCP lease store (iface: struct pxb_lease_backend, lease_store.h) */
};

/* Receives log lines: level is a PXB_LOG_* value, source the plugin or module. */
typedef void (*pxb_log_fn)(void *arg, int level, const char *source, const char *msg);

/* ---- for plugins ---- */

/* Logs a line attributed to the calling plugin. */
PXB_API void pxb_host_log(pxb_host *h, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
PXB_API void pxb_host_vlog(pxb_host *h, int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The virtual file namespace shared by TFTP and HTTP (NULL when the host has none). */
PXB_API pxb_vfs *pxb_host_vfs(pxb_host *h);

/*
 * Mounts provider p at prefix in the host's namespace for the protocols in
 * flags, owned by arg (pxb_vfs_mount_provider), in place of the mounts arg
 * owned before: a plugin's init, and its reload when the prefix changed.
 * Does nothing when the host has no namespace. Returns 0, PXB_ERR_NOMEM,
 * PXB_ERR_INVAL; on an error arg owns no mount.
 */
PXB_API int pxb_host_mount(pxb_host *h, const char *prefix, const struct pxb_vfs_provider *p,
			   void *arg, unsigned flags);

/* Removes the mounts arg owns from the host's namespace, if it has one. */
PXB_API void pxb_host_unmount(pxb_host *h, void *arg);

/* The whole configuration (read-only), e.g. for tftp.root or state_dir. */
PXB_API const pxb_conf *pxb_host_conf(pxb_host *h);

/*
 * The daemon's libevent loop as a struct event_base *, or NULL when the
 * library is embedded without one (the plugin then runs its own thread or
 * refuses with PXB_ERR_UNSUPP).
 */
PXB_API void *pxb_host_event_base(pxb_host *h);

/*
 * Registers a service under a name. Returns 0, PXB_ERR_EXIST (that kind and
 * name is taken), PXB_ERR_NOMEM. Registrations are dropped when the plugin
 * is unloaded.
 */
PXB_API int pxb_host_register(pxb_host *h, enum pxb_service kind, const char *name,
			      const void *iface, void *arg);

/* Finds a registered service; returns iface and sets *arg, or NULL. */
PXB_API const void *pxb_host_find(pxb_host *h, enum pxb_service kind, const char *name,
				  void **arg);

/* Calls fn for each registered service of a kind, in registration order. */
PXB_API void pxb_host_each(pxb_host *h, enum pxb_service kind,
			   void (*fn)(void *fnarg, const char *name, const void *iface, void *arg),
			   void *fnarg);

/*
 * Recent clients by address: the DHCP side records what it learned so a
 * later TFTP/HTTP request from that address is known (MAC, arch, tags).
 */
PXB_API void pxb_host_note_client(pxb_host *h, const struct pxb_client *c);
/*
 * What was recorded of the client at addr / with mac. Returns 0 and *out,
 * PXB_ERR_NOENT. An address not recorded but held by a bound lease of the
 * host's lease store (given before a restart, or by another server sharing
 * the store) is known by that lease's MAC alone (arch PXB_ARCH_UNKNOWN).
 */
PXB_API int pxb_host_client_by_addr(pxb_host *h, struct in_addr addr, struct pxb_client *out);
PXB_API int pxb_host_client_by_mac(pxb_host *h, const uint8_t mac[6], struct pxb_client *out);

/*
 * The host's event store (pxeboot/events.h), made on first use: drivers and
 * plugins record there what they did for each client, the HTTP API and the
 * metrics read it. NULL only when out of memory.
 */
PXB_API struct pxb_events *pxb_host_events(pxb_host *h);

/*
 * The DHCP lease store in use (pxeboot/lease.h), for reading only, or NULL
 * when DHCP is off or a proxy. The DHCP driver sets it while it runs.
 */
PXB_API struct pxb_lease_store *pxb_host_leases(pxb_host *h);
PXB_API void pxb_host_set_leases(pxb_host *h, struct pxb_lease_store *leases);

/* ---- for hosts (the daemon, or a program embedding the library) ---- */

/* Creates a host around a file namespace; log may be NULL (silent). NULL when out of memory. */
PXB_API pxb_host *pxb_host_new(pxb_vfs *vfs, pxb_log_fn log, void *log_arg);
/* Unloads every plugin (fini, dlclose) and frees the host. */
PXB_API void pxb_host_free(pxb_host *h);

PXB_API void pxb_host_set_event_base(pxb_host *h, void *event_base);

/*
 * Loads plugin `name` from dir ("<dir>/<name>.so") and checks its
 * descriptor; adds its settings to conf's schema. Does not call init.
 * The file and every directory from / down to it must belong to root or to
 * the caller's effective user and be writable by no one else, and none may
 * be a symbolic link (a sticky directory such as /tmp may be on the way).
 * On failure writes the reason into err: the path tried and dlerror's text,
 * the component refused and why, or the plugin name with both ABI numbers.
 * Returns 0, PXB_ERR_NOENT (cannot load), PXB_ERR_ACCESS (not trusted),
 * PXB_ERR_ABI, PXB_ERR_INVAL (descriptor missing or incomplete),
 * PXB_ERR_EXIST (loaded twice).
 */
PXB_API int pxb_host_load(pxb_host *h, pxb_conf *conf, const char *dir, const char *name,
			  char *err, size_t errlen);

/*
 * Calls init of every loaded plugin with its section of conf (which must be
 * valid). On the first failure, the plugins initialized so far are finalized
 * and the error returned; err names the plugin. Returns 0, PXB_ERR_NOMEM (no
 * room for the stand-in of an absent section), or the error init returned.
 */
PXB_API int pxb_host_init_all(pxb_host *h, const pxb_conf *conf, char *err, size_t errlen);

/*
 * Calls check of every loaded plugin that has one with its section of conf
 * (valid for the schema): what their init would refuse goes to report, one
 * line each, as pxb_conf_problem() writes it. Returns the number of
 * problems (0: none), or PXB_ERR_NOMEM (reported too).
 */
PXB_API int pxb_host_check_all(pxb_host *h, const pxb_conf *conf, pxb_conf_report_fn report,
			       void *arg);

/*
 * Passes a new configuration to every plugin's reload. Returns 0,
 * PXB_ERR_NOMEM (as pxb_host_init_all), or the first error a reload returned.
 */
PXB_API int pxb_host_reload_all(pxb_host *h, const pxb_conf *conf, char *err, size_t errlen);

/* Number of loaded plugins and the descriptor of the i-th (NULL when i is past the end). */
PXB_API unsigned pxb_host_plugin_count(const pxb_host *h);
PXB_API const struct pxb_plugin *pxb_host_plugin(const pxb_host *h, unsigned i);

/*
 * Warnings about what a valid configuration c would silently get wrong:
 * a menu default not among that menu's items, a boot rule an earlier one
 * always shadows, a boot file in neither tftp.root nor http.root and under
 * no path a loaded plugin of h (may be NULL) names, entry ids menus or
 * policy.protect name but no entry defines (not judged when a catalog
 * plugin is listed). Each goes to report as "file:line: setting: warning:
 * why". Returns how many, or PXB_ERR_INVAL.
 */
PXB_API int pxb_conf_lint(const pxb_conf *c, pxb_host *h, pxb_conf_report_fn report, void *arg);

#ifdef __cplusplus
}
#endif
#endif
