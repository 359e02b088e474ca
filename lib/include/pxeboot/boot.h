/*
 * pxeboot/boot.h - the boot model: what a client may boot and the menu it sees.
 *
 * Entries are things to boot (a Linux kernel with initrds and arguments, a
 * chained EFI/PXE binary, an ISO or floppy image through memdisk, a SAN URL,
 * the local disk, the iPXE shell, reboot, exit to the firmware). Each carries
 * the architectures it runs on. Menus list entries by id in order, with
 * separators and text lines, a title, a default and a timeout; a menu is
 * chosen per client by MAC pattern, tag or architecture.
 *
 * A model is built from the configuration (pxb_boot_model_from_conf) and
 * from catalogs, plugins that add entries they found (pxb_boot_add_entry).
 * Renderers (iPXE, PXELINUX) ask pxb_boot_model_for_client() for the menu
 * one client may see, and expand the ${...} variables of arguments for it;
 * pxb_boot_client_by_name() tells which client a per-client file name is
 * for, pxb_boot_known_client() what the host knows of it.
 *
 * Strings handed to the model are copied; pointers the model hands out stay
 * valid until the model is freed.
 */
#ifndef PXEBOOT_BOOT_H
#define PXEBOOT_BOOT_H

#include <stdint.h>
#include <stdio.h>
#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pxb_boot_model pxb_boot_model;

enum pxb_boot_kind {
	PXB_BOOT_LINUX = 1, /* kernel + initrds + args */
	PXB_BOOT_CHAIN,     /* an EFI or PXE binary (kernel), with args */
	PXB_BOOT_MEMDISK,   /* image (ISO or floppy/disk) loaded by memdisk; BIOS only */
	PXB_BOOT_SANBOOT,   /* image is a URL (or path) booted with iPXE's sanboot */
	PXB_BOOT_LOCAL,     /* the first local disk */
	PXB_BOOT_SHELL,     /* the boot loader's shell, then back to the menu */
	PXB_BOOT_REBOOT,
	PXB_BOOT_EXIT,      /* return to the firmware (next boot device) */
};

/* Architectures, as a bit mask; 0 in an entry means "all". */
#define PXB_BOOT_ARCH_BIOS 0x1u
#define PXB_BOOT_ARCH_EFI32 0x2u
#define PXB_BOOT_ARCH_EFI64 0x4u
#define PXB_BOOT_ARCH_ARM64 0x8u
#define PXB_BOOT_ARCH_ALL 0xfu

#define PXB_BOOT_MAX_INITRDS 8
#define PXB_BOOT_ID_MAX 64

/*
 * An entry. Paths (kernel, initrds, image) are either paths in the file
 * namespace ("/boot/x/vmlinuz", served over HTTP and TFTP) or full URLs
 * ("http://..."); renderers turn paths into URLs carrying the server's own
 * address. args, paths and dir may use the variables of pxb_boot_expand().
 */
struct pxb_boot_entry {
	const char *id;       /* [A-Za-z0-9._+-], 1..63 chars; not "start"/"failed" */
	const char *label;    /* shown in menus; NULL: the id */
	enum pxb_boot_kind kind;
	const char *kernel;   /* linux: kernel; chain: binary; memdisk: memdisk (NULL: model's) */
	const char *initrds[PXB_BOOT_MAX_INITRDS];
	unsigned ninitrds;
	const char *image;    /* memdisk: ISO/floppy image; sanboot: URL or path */
	const char *args;     /* kernel/binary arguments; memdisk: NULL gives "iso raw"/"raw" */
	const char *dir;      /* ${entry}; NULL: directory of kernel (or image) */
	unsigned arch;        /* PXB_BOOT_ARCH_* mask; 0 = all (memdisk: BIOS only anyway) */
	int hidden;           /* never listed in menus */
	int is_default;       /* default when the menu names none */
	int rescue_password;  /* append rootcryptpass=<hash> when a rescue password is set */
	const char *source;   /* "config" or the catalog's name; NULL: "api" */
	const char *answer;   /* answer-file template (a file), NULL: none (pxeboot/install.h) */
	unsigned family;      /* enum pxb_install_family: installer arguments added, 0: none */
};

/* Menu items: an entry id, a blank separator or a line of text. */
enum pxb_boot_item_type {
	PXB_ITEM_ENTRY = 1,
	PXB_ITEM_SEPARATOR,
	PXB_ITEM_TEXT,
};

/*
 * A menu as configured. items are strings: an entry id, "-" (separator),
 * "# text" (a line of text), "*" (every entry not named elsewhere in the
 * list) or "catalog" (every catalog entry not named elsewhere). Match lists
 * are ANDed between kinds and ORed within one; a menu with no match list is
 * the fallback menu.
 */
struct pxb_boot_menu {
	const char *title;
	const char *default_id;   /* NULL or "": the entry marked is_default, else the first */
	unsigned timeout;         /* seconds; 0 = wait for a choice */
	const char *const *items;
	unsigned nitems;
	const char *const *match_macs; /* "52:54:00:*" patterns */
	unsigned nmatch_macs;
	const char *const *match_tags;
	unsigned nmatch_tags;
	unsigned match_arch;      /* PXB_BOOT_ARCH_* mask; 0 = any */
};

/* The menu one client sees: only entries it can boot, in order. */
struct pxb_boot_view_item {
	enum pxb_boot_item_type type;
	const char *text;                   /* separator: "", text: the line */
	const struct pxb_boot_entry *entry; /* PXB_ITEM_ENTRY */
};

struct pxb_boot_view {
	const char *title;
	unsigned timeout;                   /* seconds; 0 = wait */
	const struct pxb_boot_entry *def;   /* NULL when no entry is visible */
	unsigned client_arch;               /* PXB_BOOT_ARCH_* bit, 0 if unknown */
	unsigned nitems;
	struct pxb_boot_view_item *items;
};

/* Creates an empty model (no entries, the default menu). NULL on ENOMEM. */
PXB_API pxb_boot_model *pxb_boot_model_new(void);
PXB_API void pxb_boot_model_free(pxb_boot_model *m);

/*
 * Builds a model from a validated configuration: entries, menu, menus,
 * rescue.password (hashed now with a random salt) or rescue.password_hash,
 * boot.server, boot.memdisk, http.listen. Problems (duplicate ids, an
 * unhashable password) are reported as "FILE:LINE: SETTING: what" lines.
 * Returns 0, PXB_ERR_CONFIG, PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_model_from_conf(const pxb_conf *c, pxb_boot_model **out,
				     pxb_conf_report_fn report, void *arg);

/*
 * Adds an entry (copied). Returns 0, PXB_ERR_EXIST (the id is taken: the
 * first wins, so configured entries override catalog ones), PXB_ERR_INVAL
 * (bad id, kind, or a linux/chain entry without kernel, memdisk/sanboot
 * without image), PXB_ERR_TOOBIG (too many initrds), PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_add_entry(pxb_boot_model *m, const struct pxb_boot_entry *e);

/* Removes every entry whose source is source; returns how many. */
PXB_API unsigned pxb_boot_remove_source(pxb_boot_model *m, const char *source);

/* Entries in the order they were added; lookup by id (NULL if absent). */
PXB_API unsigned pxb_boot_entry_count(const pxb_boot_model *m);
PXB_API const struct pxb_boot_entry *pxb_boot_entry_at(const pxb_boot_model *m, unsigned i);
PXB_API const struct pxb_boot_entry *pxb_boot_find_entry(const pxb_boot_model *m,
							 const char *id);

/*
 * Makes an entry id from free text (a file or image name) for catalogs:
 * characters outside [A-Za-z0-9._+-] become '-' (runs of them one), an
 * empty result becomes "image", the reserved ids get "-1", and "-2", "-3",
 * ... are appended until no entry of m has it. id gets at most len bytes.
 */
PXB_API void pxb_boot_unique_id(const pxb_boot_model *m, const char *text, char *id, size_t len);

/*
 * Adds a menu (copied). The first menu added without match lists replaces
 * the default menu; others are tried in order. Returns 0, PXB_ERR_INVAL
 * (a bad MAC pattern), PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_add_menu(pxb_boot_model *m, const struct pxb_boot_menu *menu);

/*
 * The crypt(3) hash put in rootcryptpass= (NULL: none). Returns 0,
 * PXB_ERR_INVAL (a character outside [A-Za-z0-9./$]), PXB_ERR_NOMEM.
 * pxb_boot_password_hash() returns it, or NULL when none is set.
 */
PXB_API int pxb_boot_set_password_hash(pxb_boot_model *m, const char *hash);
PXB_API const char *pxb_boot_password_hash(const pxb_boot_model *m);

/*
 * Hashes a clear password with crypt(3) SHA-512 ("$6$", 16-character random
 * salt) into out. Returns 0, PXB_ERR_TOOBIG, PXB_ERR_IO (no randomness or
 * crypt failed), PXB_ERR_INVAL (empty password).
 */
PXB_API int pxb_boot_hash_password(const char *clear, char *out, size_t outlen);

/*
 * Address and HTTP port (0: 80) put in URLs when a request does not tell
 * them; addr NULL or "" forgets it. Returns 0, PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_set_server(pxb_boot_model *m, const char *addr, uint16_t http_port);
/*
 * Path (or URL) of the memdisk binary used by memdisk entries (NULL or "":
 * the default). Returns 0, PXB_ERR_NOMEM. pxb_boot_memdisk() returns it, or
 * "/boot/memdisk" when none is set; never NULL.
 */
PXB_API int pxb_boot_set_memdisk(pxb_boot_model *m, const char *path);
PXB_API const char *pxb_boot_memdisk(const pxb_boot_model *m);

/*
 * The menu client may see: the first menu whose match lists fit (else the
 * fallback menu), without entries the client's architecture cannot boot
 * (a UEFI client never sees memdisk), hidden entries or unknown ids;
 * separators at the start, end or doubled are dropped. client may be NULL
 * (nothing known: no architecture filter, only the fallback menu).
 * Returns 0 and *out (free with pxb_boot_view_free), PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_model_for_client(const pxb_boot_model *m, const struct pxb_client *client,
				      struct pxb_boot_view **out);
PXB_API void pxb_boot_view_free(struct pxb_boot_view *v);

/* What a per-client configuration file name says (pxb_boot_client_by_name). */
enum pxb_boot_name {
	PXB_BOOT_NAME_NONE = 0,  /* neither form below: names no client */
	PXB_BOOT_NAME_MAC,       /* "01-52-54-00-12-34-56": type 1 (Ethernet), the MAC in hex */
	PXB_BOOT_NAME_IP,        /* "C6120064": the IPv4 address in upper-case hex */
	PXB_BOOT_NAME_IP_PREFIX, /* "C612006" ... "C": the address shortened */
};

/*
 * The client a per-client configuration file name refers to. PXELINUX
 * (pxelinux.cfg/NAME) and GRUB (grub.cfg-NAME) ask for "01-" and the MAC
 * (hex of either case, '-' between bytes), then for the client's address in
 * upper-case hex, shortened a digit at a time; name is that NAME. For a MAC
 * or a full address, *out gets the client to render for: known (may be NULL)
 * when the name is its MAC or address, else a client of which only the
 * name's MAC or address is known, with known's architecture (else
 * PXB_ARCH_UNKNOWN), server address and HTTP port, and for a MAC known's
 * address. For other names *out is left as it is. Returns what name is.
 */
PXB_API enum pxb_boot_name pxb_boot_client_by_name(const char *name,
						   const struct pxb_client *known,
						   struct pxb_client *out);

/*
 * What the host knows of the client a per-client file name refers to
 * (pxb_boot_client_by_name): the client DHCP saw with the name's MAC
 * (pxb_host_client_by_mac) or at the name's full address
 * (pxb_host_client_by_addr), for a request that did not say who asks.
 * Returns 0 and *out, PXB_ERR_NOENT (the name is of neither form, or
 * nothing is known of that client).
 */
PXB_API int pxb_boot_known_client(pxb_host *h, const char *name, struct pxb_client *out);

/* The PXB_BOOT_ARCH_* bit of an RFC 4578 architecture (0: unknown or none). */
PXB_API unsigned pxb_boot_arch_of(uint16_t rfc4578_arch);
/* "bios", "efi32", "efi64", "arm64" for one bit; NULL otherwise. */
PXB_API const char *pxb_boot_arch_name(unsigned bit);
/* The bit of a name, 0 if unknown. */
PXB_API unsigned pxb_boot_arch_parse(const char *name);
/* Is id acceptable as an entry id? 1 or 0. */
PXB_API int pxb_boot_id_valid(const char *id);

/*
 * What the variables mean for one client and entry:
 *   ${server} our address as the client reached it   ${http}  http://server[:port]
 *   ${mac}    aa:bb:cc:dd:ee:ff                        ${ip}    the client's address
 *   ${arch}   bios|efi32|efi64|arm64|unknown           ${entry} the entry's directory
 *   ${token}  the per-boot token (empty if none)
 *   ${answer_url} ${http}/answer/ENTRY-ID/MAC: the client's answer file
 *   ${done_url}   ${answer_url}/done: the installer's call when it finished
 * Fill it with pxb_boot_ctx_init; server is "" when nothing tells it.
 */
struct pxb_boot_ctx {
	const pxb_boot_model *model;
	const struct pxb_client *client; /* may be NULL */
	char server[64];
	char http[96];
	char mac[18];
	char ip[16];
	const char *arch;
	const char *token;
	unsigned arch_bit;
	int efi;          /* 1 when the client is UEFI (or unknown: initrd= is harmless) */
};

/*
 * Fills ctx for client (may be NULL). When the client does not say which
 * address it reached, the model's server (boot.server, http.listen) is used;
 * if that is unknown too, fallback_server (may be NULL) is used, e.g.
 * "${next-server}" for iPXE.
 */
PXB_API void pxb_boot_ctx_init(struct pxb_boot_ctx *ctx, const pxb_boot_model *m,
			       const struct pxb_client *client, const char *fallback_server);

/*
 * Expands ${server}, ${http}, ${mac}, ${ip}, ${arch}, ${entry}, ${token},
 * ${answer_url}, ${done_url} of in into out (the last two are empty without
 * an entry, a MAC or a server); entry may be NULL (${entry} empty). Unknown ${...} are kept
 * as they are (renderers then refuse or neutralize them).
 * Returns the length written, PXB_ERR_TOOBIG.
 */
PXB_API int pxb_boot_expand(const struct pxb_boot_ctx *ctx, const struct pxb_boot_entry *entry,
			    const char *in, char *out, size_t outlen);

/*
 * The directory ${entry} of an entry ("/boot/x" for "/boot/x/vmlinuz") into
 * buf (len > 0), cut to fit; "" when the entry names no path. Returns buf;
 * never fails.
 */
PXB_API const char *pxb_boot_entry_dir(const struct pxb_boot_entry *e, char *buf, size_t len);

/*
 * ${answer_url} of entry e for the client of ctx into out (len > 0): "" when
 * the server, the MAC or the entry is unknown. Returns the length.
 */
PXB_API int pxb_boot_answer_url(const struct pxb_boot_ctx *ctx, const struct pxb_boot_entry *e,
				char *out, size_t len);

/* Is s a full URL (scheme "http", "https", "tftp", "ftp", "nfs", "iscsi", ...)? 1/0 */
PXB_API int pxb_boot_is_url(const char *s);

/*
 * The URL a client fetches a file from: a path in the namespace becomes
 * ctx->http + the path, percent-encoded (RFC 3986 section 2.1) so it holds
 * no space, '$', '{', '}', '#', quote or control character; a full URL is
 * kept with only those characters encoded. ${...} are expanded first.
 * When the client has a token (an armed boot), a path gets "?token=TOKEN"
 * (a full URL does not: write ${token} into it where it belongs).
 * Returns the length, PXB_ERR_TOOBIG, PXB_ERR_INVAL (no server known).
 */
PXB_API int pxb_boot_file_url(const struct pxb_boot_ctx *ctx, const struct pxb_boot_entry *e,
			      const char *path, char *out, size_t outlen);

/*
 * The arguments to put on a kernel/binary command line for e: args expanded,
 * then rootcryptpass=<hash> when e->rescue_password and a hash is set, then
 * the installer's arguments of e->family pointing at ${answer_url};
 * memdisk entries without args get "iso raw" (.iso) or "raw".
 * Returns the length, PXB_ERR_TOOBIG.
 */
PXB_API int pxb_boot_entry_args(const struct pxb_boot_ctx *ctx, const struct pxb_boot_entry *e,
				char *out, size_t outlen);

/* ---- services plugins register with the host (see plugin.h) ---- */

/*
 * PXB_SVC_CATALOG: a source of entries. populate adds the catalog's entries
 * to m (source = the catalog's name); generation changes whenever the set of
 * entries changes (a rescan), so users of a cached model know to rebuild it.
 */
struct pxb_catalog {
	uint32_t size; /* sizeof(struct pxb_catalog) */
	int (*populate)(void *arg, pxb_boot_model *m);
	uint64_t (*generation)(void *arg);
	void *reserved[4];
};

/*
 * PXB_SVC_RENDERER: a menu format. render writes the menu for client into a
 * malloc'ed buffer (*out, *len); menu_path names the file the menu is served
 * under (what a DHCP boot rule hands to a client of this format).
 */
struct pxb_renderer {
	uint32_t size; /* sizeof(struct pxb_renderer) */
	const char *format; /* "ipxe", "pxelinux" */
	int (*render)(void *arg, const struct pxb_client *client, char **out, size_t *len);
	const char *(*menu_path)(void *arg, const struct pxb_client *client);
	void *reserved[4];
};

/*
 * For a renderer's file provider (pxeboot/vfs.h): fills f with the menu
 * render (a struct pxb_renderer's render, or one like it) makes for client
 * (may be NULL), as a text file made for this request (f->generated: never
 * cached) that owns the buffer. Returns 0, PXB_ERR_NOMEM, PXB_ERR_IO (render
 * failed otherwise); f is untouched on errors.
 */
PXB_API int pxb_boot_menu_file(struct pxb_file *f,
			       int (*render)(void *arg, const struct pxb_client *client,
					     char **out, size_t *len),
			       void *arg, const struct pxb_client *client);

/* Receives a renderer's warnings (an entry left out, and why). */
typedef void (*pxb_boot_warn_fn)(void *arg, const char *msg);

/* A renderer's writer: the menu for client, with the renderer's own opts, to out. 0 or <0. */
typedef int (*pxb_boot_write_fn)(const pxb_boot_model *m, const struct pxb_client *client,
				 const void *opts, FILE *out, pxb_boot_warn_fn warn,
				 void *warn_arg);

/*
 * Runs write into memory: *buf (NUL-terminated, the caller frees it) and
 * *len get the menu. Returns what write returned (on < 0, *buf is NULL), or
 * PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_render_mem(pxb_boot_write_fn write, const pxb_boot_model *m,
				const struct pxb_client *client, const void *opts, char **buf,
				size_t *len, pxb_boot_warn_fn warn, void *warn_arg);

/* A pxb_boot_warn_fn for renderer plugins: logs msg as a warning through host (a pxb_host). */
PXB_API void pxb_boot_warn_log(void *host, const char *msg);

/*
 * Builds a model for a plugin host: the host's configuration, then every
 * registered catalog's populate, in registration order. Problems are logged
 * through pxb_host_log. Returns 0, PXB_ERR_CONFIG, PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_model_build(pxb_host *h, pxb_boot_model **out);

/* The sum of every registered catalog's generation (changes on rescans). */
PXB_API uint64_t pxb_boot_catalogs_generation(pxb_host *h);

/*
 * The model a renderer keeps between requests: built from the configuration
 * and the catalogs, built again when a catalog's generation changes.
 * Zero-initialized before first use.
 */
struct pxb_boot_cache {
	pxb_boot_model *model;
	uint64_t gen;
};

/*
 * Builds the model now and, on success, replaces the cached one (on failure
 * the previous model stays). Returns 0, PXB_ERR_CONFIG, PXB_ERR_NOMEM.
 */
PXB_API int pxb_boot_cache_rebuild(struct pxb_boot_cache *c, pxb_host *h);

/*
 * The cached model, rebuilt first when a catalog changed; *rebuilt (may be
 * NULL) says whether it was. NULL when no model could ever be built.
 */
PXB_API const pxb_boot_model *pxb_boot_cache_get(struct pxb_boot_cache *c, pxb_host *h,
						 int *rebuilt);

/* Frees the cached model. */
PXB_API void pxb_boot_cache_free(struct pxb_boot_cache *c);

#ifdef __cplusplus
}
#endif
#endif
