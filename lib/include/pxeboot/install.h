/*
 * pxeboot/install.h - unattended installs: answer files rendered per host
 * (preseed, kickstart, autoinstall user-data), the kernel arguments that
 * point each installer family at its file, and the durable store of
 * installs asked for ("install HOST with entry E", then "done: boot local").
 *
 * Answer templates are any text with ${name} variables: the boot model's
 * (${server} ${http} ${mac} ${ip} ${arch} ${entry} ${token}), the install's
 * (${answer_url} ${done_url} ${hostname}) and the host's own
 * (dhcp.hosts.*.vars). A name is [A-Za-z_][A-Za-z0-9_]*; "$${" writes "${"
 * (for shell code in a template); "${" not followed by a name and '}' is
 * text. An undefined name is an error naming the line.
 *
 * The install store keeps one record per MAC in <state_dir>/installs.state,
 * rewritten whole on each change (temporary file, fsync, rename), as the
 * arm store does. Nothing here reads the clock: callers pass Unix seconds.
 */
#ifndef PXEBOOT_INSTALL_H
#define PXEBOOT_INSTALL_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/common.h>
#include <pxeboot/plugin.h>
#include <pxeboot/conf.h>
#include <pxeboot/boot.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- rendering answer templates (sans-I/O) ---- */

#define PXB_ANSWER_MAX (1u << 20) /* bytes of a template and of a rendered file */
#define PXB_ANSWER_NAME_MAX 64

/*
 * The value of variable name (len bytes, not NUL-terminated), or NULL when
 * it is undefined.
 */
typedef const char *(*pxb_answer_lookup_fn)(void *arg, const char *name, size_t len);

/* Where rendering stopped. */
struct pxb_answer_error {
	unsigned line;                  /* 1-based line of the template */
	char name[PXB_ANSWER_NAME_MAX]; /* the undefined variable (cut to fit) */
};

/*
 * Renders tmpl (len bytes, may hold any byte) into *out (malloc'ed,
 * NUL-terminated; *outlen its length). Returns 0, PXB_ERR_NOENT (an
 * undefined variable: err says which and where; *out is NULL),
 * PXB_ERR_TOOBIG (the template or the result is over PXB_ANSWER_MAX),
 * PXB_ERR_NOMEM. err may be NULL.
 */
PXB_API int pxb_answer_render(const char *tmpl, size_t len, pxb_answer_lookup_fn lookup,
			      void *arg, char **out, size_t *outlen, struct pxb_answer_error *err);

/* Installer families: how an installer is told where its answer file is. */
enum pxb_install_family {
	PXB_FAMILY_NONE = 0,
	PXB_FAMILY_DEBIAN,      /* d-i: auto=true priority=critical url=URL */
	PXB_FAMILY_AUTOINSTALL, /* Ubuntu live-server: autoinstall ds=nocloud-net;s=URL/ */
	PXB_FAMILY_KICKSTART,   /* Fedora/RHEL anaconda: inst.ks=URL */
};

/* "debian", "autoinstall", "kickstart"; NULL for none. */
PXB_API const char *pxb_install_family_name(enum pxb_install_family f);
/* Parses a family name; returns it or PXB_ERR_INVAL ("" and "none": PXB_FAMILY_NONE). */
PXB_API int pxb_install_family_parse(const char *s);

/*
 * The kernel arguments of family f pointing the installer at answer_url
 * into out. Returns the length, PXB_ERR_TOOBIG, PXB_ERR_INVAL (no family).
 */
PXB_API int pxb_install_family_args(enum pxb_install_family f, const char *answer_url, char *out,
				    size_t outlen);

/* ---- answer files of the configuration (lib/install_conf.c) ---- */

/*
 * Renders entry e's answer file (e->answer, a template file of at most
 * PXB_ANSWER_MAX bytes) for the client of ctx: the variables of ctx
 * (pxb_boot_expand's), ${hostname} (the host entry's name unless its vars
 * say otherwise) and the vars of the first dhcp.hosts entry whose mac
 * matches ctx's MAC. c may be NULL (no host variables). *out (malloc'ed) and
 * *len get the file; msg (may be cut) says why it failed, naming the
 * template file:line of an undefined variable. Returns 0, PXB_ERR_INVAL (e
 * has no answer), PXB_ERR_NOENT (an undefined variable), PXB_ERR_IO (the
 * template cannot be read), PXB_ERR_TOOBIG, PXB_ERR_NOMEM.
 */
PXB_API int pxb_install_answer(const pxb_conf *c, const struct pxb_boot_ctx *ctx,
			       const struct pxb_boot_entry *e, char **out, size_t *len, char *msg,
			       size_t msglen);

/*
 * Checks every entry's answer template against every host with vars (or,
 * when no host has any, without a host): readable, not too large, no
 * undefined variable. Problems are reported as "FILE:LINE: entries: entry
 * "ID", host H: TEMPLATE:LINE: ${name} is not defined ...".
 * Returns 0 or PXB_ERR_CONFIG.
 */
PXB_API int pxb_install_check_conf(const pxb_conf *c, pxb_conf_report_fn report, void *arg);

/* ---- the install store ---- */

#define PXB_INSTALL_TOKEN_LEN 32
#define PXB_INSTALLS_MAX 4096

enum pxb_install_state {
	PXB_INSTALL_PENDING = 1, /* asked: the next boot runs the entry unattended */
	PXB_INSTALL_FETCHED,     /* the installer fetched its answer file */
	PXB_INSTALL_DONE,        /* the installer called back: boot the local disk */
};

struct pxb_install {
	uint8_t mac[6];
	char entry[64];
	enum pxb_install_state state;
	int64_t asked, until;   /* Unix seconds; until: a pending install lapses then */
	int64_t fetched, done;  /* 0: not yet */
	char token[PXB_INSTALL_TOKEN_LEN + 1];
};

/* "pending", "fetched", "done". */
PXB_API const char *pxb_install_state_name(enum pxb_install_state s);

typedef struct pxb_installs pxb_installs;

/*
 * Opens the store of dir (its installs.state; NULL: in memory only). A
 * missing file is an empty store; a damaged one is read up to its last
 * whole line and *damaged (may be NULL) set. Returns 0, PXB_ERR_NOMEM,
 * PXB_ERR_IO.
 */
PXB_API int pxb_installs_open(const char *dir, pxb_installs **out, int *damaged);
PXB_API void pxb_installs_free(pxb_installs *s);

/*
 * Asks for an install of mac with entry until `until` (a new token; an
 * earlier record of mac is replaced). On disk when this returns 0.
 * Returns 0, PXB_ERR_INVAL (bad entry id, until <= now), PXB_ERR_BUSY,
 * PXB_ERR_IO, PXB_ERR_NOMEM.
 */
PXB_API int pxb_installs_ask(pxb_installs *s, const uint8_t mac[6], const char *entry,
			     int64_t until, int64_t now, struct pxb_install *out);

/* The record of mac (any state, lapsed ones too). Returns 0 or PXB_ERR_NOENT. */
PXB_API int pxb_installs_get(const pxb_installs *s, const uint8_t mac[6], struct pxb_install *out);

/*
 * Is an install of mac to run now (pending or fetched, not lapsed)?
 * Returns 0 with *out (may be NULL), or PXB_ERR_NOENT.
 */
PXB_API int pxb_installs_active(const pxb_installs *s, const uint8_t mac[6], int64_t now,
				struct pxb_install *out);

/*
 * Records that mac's installer fetched its answer file (the first time of
 * an active install). Returns 1 when the record changed, 0 when there was
 * nothing to change, PXB_ERR_IO.
 */
PXB_API int pxb_installs_fetched(pxb_installs *s, const uint8_t mac[6], int64_t now);
/*
 * Records that mac's installer of entry called back: its install is done
 * and its next boots go to the local disk (a record is made when no install
 * was asked: the entry was chosen in the menu). Returns 1 when the record
 * changed, 0 when it was done already, PXB_ERR_INVAL, PXB_ERR_BUSY, PXB_ERR_IO.
 */
PXB_API int pxb_installs_done(pxb_installs *s, const uint8_t mac[6], const char *entry,
			      int64_t now);

/* Forgets mac's record. Returns 0, PXB_ERR_NOENT, PXB_ERR_IO. */
PXB_API int pxb_installs_forget(pxb_installs *s, const uint8_t mac[6]);

/*
 * Is token (compared in constant time) the one of mac's record? 1 or 0.
 */
PXB_API int pxb_installs_token_ok(const pxb_installs *s, const uint8_t mac[6], const char *token);

/* The records in MAC order; NULL past the end. */
PXB_API unsigned pxb_installs_count(const pxb_installs *s);
PXB_API const struct pxb_install *pxb_installs_at(const pxb_installs *s, unsigned i);
PXB_API const char *pxb_installs_path(const pxb_installs *s);

/* ---- what an install changes in a boot menu (lib/install_menu.c) ---- */

/* Applied alike by every menu renderer (iPXE, PXELINUX, GRUB). */
struct pxb_install_menu {
	char default_id[64]; /* this entry is the default, when the client's menu shows it */
	unsigned timeout;    /* seconds the menu waits, whatever the menu says */
};

/*
 * The menu of client c (asking now) under an install of its MAC, when DHCP
 * proved c is that machine (pxb_policy_client_proven: c's address is the
 * one DHCP gave its MAC): a pending or fetched install that has not lapsed
 * makes its entry the default; a done one "local" (or "exit" when c's menu
 * has no "local" entry); either after install.timeout seconds (3 without a
 * configuration). Logs the decision. Returns 1 with *out filled, or 0 (no
 * change: no install, a lapsed one, an unproven client; *out zeroed).
 */
PXB_API int pxb_install_menu(pxb_host *h, const pxb_boot_model *m, const struct pxb_client *c,
			     int64_t now, struct pxb_install_menu *out);

/* ---- what the host holds (the daemon sets it; plugins read it) ---- */

/* The install store in force, or NULL. */
PXB_API pxb_installs *pxb_host_installs(pxb_host *h);
/* Sets it (borrowed). */
PXB_API void pxb_host_set_installs(pxb_host *h, pxb_installs *s);

#ifdef __cplusplus
}
#endif
#endif
