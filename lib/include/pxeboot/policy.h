/*
 * pxeboot/policy.h - who may boot from the network: always, never, or only
 * while armed (rescue on demand).
 *
 * A policy is chosen per client: a host entry's own (dhcp.hosts.*.policy),
 * else the first rule of policy.rules whose tag expression holds, else
 * policy.default.
 *
 *   always  the boot menu, as without a policy
 *   never   no boot offer, as a noboot (NOPXE) host
 *   armed   no boot offer (the machine falls through to its disk) unless
 *           someone armed it, for a limited time, remotely
 *
 * The arm store (pxb_arms) keeps arms by MAC: until when, optionally the
 * entry to boot, whether it is one-shot, and a random token (128 bits,
 * hex). It lives in <state_dir>/arms.json, rewritten whole on every change
 * (temporary file, fsync, rename, fsync of the directory), so a crash
 * leaves the old or the new file and never a mix. Each arm is one line of
 * that file; a file cut short (another program's copy, a full disk) loses
 * only the lines that are not whole.
 *
 * The token goes into the URLs of an armed client's menu (${token}, and
 * "?token=" on the entry's files); files of protected entries
 * (policy.protect) are served over HTTP only with a token of a live arm.
 *
 * Nothing here reads the clock: callers pass now as Unix seconds (arms
 * outlive restarts, as leases do).
 */
#ifndef PXEBOOT_POLICY_H
#define PXEBOOT_POLICY_H

#include <stdint.h>
#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/plugin.h>
#include <pxeboot/vfs.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pxb_policy_kind {
	PXB_POLICY_ALWAYS = 0,
	PXB_POLICY_NEVER,
	PXB_POLICY_ARMED,
};

/* "always", "never", "armed"; NULL for another value. */
PXB_API const char *pxb_policy_kind_name(enum pxb_policy_kind k);
/* Parses a name; returns the kind or PXB_ERR_INVAL. */
PXB_API int pxb_policy_kind_parse(const char *s);

/* ---- the arm store ---- */

#define PXB_ARM_TOKEN_LEN 32 /* hex digits of 128 random bits */
#define PXB_ARM_ENTRY_MAX 64
#define PXB_ARMS_MAX 4096

struct pxb_arm {
	uint8_t mac[6];
	char entry[PXB_ARM_ENTRY_MAX]; /* entry to boot; "" : the menu's default */
	int64_t created;               /* Unix seconds */
	int64_t until;                 /* Unix seconds: no longer armed from then on */
	int once;                      /* spent by the first boot */
	int spent;                     /* a one-shot arm whose boot has begun */
	char token[PXB_ARM_TOKEN_LEN + 1];
};

typedef struct pxb_arms pxb_arms;

/*
 * Opens the store of dir (its arms.json; dir NULL: in memory only). A
 * missing file is an empty store; expired arms are dropped; a damaged file
 * is read up to its last whole line and *damaged (may be NULL) set to 1.
 * Returns 0, PXB_ERR_NOMEM, PXB_ERR_IO (the file cannot be read).
 */
PXB_API int pxb_arms_open(const char *dir, int64_t now, pxb_arms **out, int *damaged);
PXB_API void pxb_arms_free(pxb_arms *a);

/*
 * Arms mac until `until` (replacing an arm it had, with a new token), to
 * boot entry (NULL or "": the menu's default), once or not. The store is on
 * disk when this returns 0. *out (may be NULL) gets the arm.
 * Returns 0, PXB_ERR_INVAL (until <= now, a bad entry id), PXB_ERR_BUSY
 * (PXB_ARMS_MAX arms), PXB_ERR_IO (no randomness, or the file could not be
 * written: the arm is not made), PXB_ERR_NOMEM.
 */
PXB_API int pxb_arms_arm(pxb_arms *a, const uint8_t mac[6], const char *entry, int64_t until,
			 int once, int64_t now, struct pxb_arm *out);

/* Removes the arm of mac. Returns 0, PXB_ERR_NOENT, PXB_ERR_IO. */
PXB_API int pxb_arms_disarm(pxb_arms *a, const uint8_t mac[6]);

/*
 * Is mac armed now (an arm not expired and not spent)? Returns 0 with *out
 * (may be NULL) filled, or PXB_ERR_NOENT.
 */
PXB_API int pxb_arms_lookup(const pxb_arms *a, const uint8_t mac[6], int64_t now,
			    struct pxb_arm *out);

/*
 * The arm a token belongs to, if it has not expired (a spent arm's token
 * stays good until then, so the boot it began can fetch its files).
 * Compared in constant time. Returns 0 with *out filled, or PXB_ERR_NOENT.
 */
PXB_API int pxb_arms_by_token(const pxb_arms *a, const char *token, int64_t now,
			      struct pxb_arm *out);

/*
 * Marks mac's one-shot arm spent (no boot offer from now on). Returns 1
 * when it was spent now, 0 when there was nothing to spend (not armed, not
 * one-shot or spent already), PXB_ERR_IO.
 */
PXB_API int pxb_arms_spend(pxb_arms *a, const uint8_t mac[6], int64_t now);

/*
 * Arms shared by several servers (the pgsql plugin): an observer is told of
 * every arm made (pxb_arms_arm), spent (pxb_arms_spend) or removed
 * (pxb_arms_disarm, removed = 1) through this store, and arms made
 * elsewhere come in with pxb_arms_apply(), which tells no observer.
 */
typedef void (*pxb_arms_observer_fn)(void *arg, const struct pxb_arm *arm, int removed);
PXB_API void pxb_arms_set_observer(pxb_arms *a, pxb_arms_observer_fn fn, void *arg);

/*
 * Stores an arm made elsewhere as it is (token included), or with removed
 * set removes the arm of its MAC if it still has that token; saves.
 * Returns 0; PXB_ERR_INVAL (a bad entry name or token), PXB_ERR_BUSY,
 * PXB_ERR_NOMEM, PXB_ERR_IO (arms.json could not be written).
 */
PXB_API int pxb_arms_apply(pxb_arms *a, const struct pxb_arm *x, int removed);

/* Drops expired arms (and saves when any was dropped). Returns how many, or PXB_ERR_IO. */
PXB_API int pxb_arms_expire(pxb_arms *a, int64_t now);

/*
 * The arms (expired ones included until pxb_arms_expire()), in MAC order;
 * pxb_arms_at() returns NULL when i is past the end.
 */
PXB_API unsigned pxb_arms_count(const pxb_arms *a);
PXB_API const struct pxb_arm *pxb_arms_at(const pxb_arms *a, unsigned i);

/* Path of the file (NULL in memory). */
PXB_API const char *pxb_arms_path(const pxb_arms *a);

/* ---- the policy (from the configuration) ---- */

typedef struct pxb_policy pxb_policy;

/*
 * Builds the policy of a validated configuration: policy.default,
 * policy.rules, policy.protect, policy.arm_for, policy.arm_max and the
 * hosts' dhcp.hosts.*.policy. Problems are reported as FILE:LINE: SETTING:
 * what. Returns 0, PXB_ERR_CONFIG, PXB_ERR_NOMEM.
 */
PXB_API int pxb_policy_from_conf(const pxb_conf *c, pxb_policy **out, pxb_conf_report_fn report,
				 void *arg);
PXB_API void pxb_policy_free(pxb_policy *p);

/*
 * The policy of a client (its MAC and tags; NULL client: the default).
 * *source (may be NULL) gets static words saying where it came from
 * ("host", "rule", "default").
 */
PXB_API enum pxb_policy_kind pxb_policy_for_client(const pxb_policy *p,
						   const struct pxb_client *c,
						   const char **source);

/*
 * May this client be offered a boot? NULL when it may; else static words
 * for logs: "policy never" or "not armed". arms may be NULL (nobody armed).
 */
PXB_API const char *pxb_policy_gate(const pxb_policy *p, const pxb_arms *arms,
				    const struct pxb_client *c, int64_t now);

/* Does policy.protect name entry id (or hold "*")? 1 or 0. */
PXB_API int pxb_policy_protects(const pxb_policy *p, const char *entry_id);

/* Does any host, rule or the default say armed? 1 or 0. */
PXB_API int pxb_policy_uses_arms(const pxb_policy *p);

/* Default and longest arm, seconds (policy.arm_for, policy.arm_max). */
PXB_API int64_t pxb_policy_arm_for(const pxb_policy *p);
PXB_API int64_t pxb_policy_arm_max(const pxb_policy *p);

/*
 * Resolves a MAC ("aa:bb:cc:dd:ee:ff" or "aa-bb-...") or the name of a
 * host entry (dhcp.hosts.*.name with an exact mac) into mac.
 * Returns 0, PXB_ERR_NOENT.
 */
PXB_API int pxb_policy_resolve(const pxb_policy *p, const char *mac_or_host, uint8_t mac[6]);

/*
 * Checks a request for a file against the protected entries of the model
 * the host builds (pxb_boot_model_build, cached until the catalogs change):
 * a file is protected when it is the kernel, an initrd or the image of a
 * protected entry, or lies under that entry's directory (its `dir`, by
 * default the kernel's or image's directory). path is a normalized
 * namespace path; token the one the request carries (NULL: none).
 * Returns 0 (not protected, or a live arm's token that may fetch it: an arm
 * naming an entry fetches that entry's files only) with *arm filled when a
 * token was used (arm may be NULL), PXB_ERR_ACCESS with *why (static words)
 * when it must be refused.
 */
PXB_API int pxb_policy_check_file(pxb_host *h, const char *path, const char *token, int64_t now,
				  struct pxb_arm *arm, const char **why);

/*
 * The same check on the bytes of a file opened for a request (after
 * pxb_policy_check_file on its name), so that no other path to them
 * escapes it: a file is protected when it is read from the same inode as
 * a protected entry's kernel, initrd or image and shares bytes with it
 * (a symlink to it, an ISO image holding it, any range of that image), or
 * when its real path lies under the real directory of that entry. Memory
 * files are not checked. The places of protected files are found again
 * when the catalogs change and every 10 seconds.
 * Returns 0 or PXB_ERR_ACCESS as pxb_policy_check_file.
 */
PXB_API int pxb_policy_check_open(pxb_host *h, const struct pxb_file *f, const char *token,
				  int64_t now, struct pxb_arm *arm, const char **why);

/*
 * Did DHCP give mac the address from (a request's source address)? Yes when
 * the host's recent DHCP clients (pxb_host_note_client: the address a
 * server acknowledged, or the one a proxyDHCP/PXE request came from) bind
 * mac to from, or when the lease store holds a live bound lease of mac on
 * from. Only then is a request's word "I am mac" believed for what is not
 * display: an arm's token in the menu and the client's events.
 * Returns 1 or 0.
 */
PXB_API int pxb_policy_client_proven(pxb_host *h, const uint8_t mac[6], struct in_addr from,
				     int64_t now);

/* ---- what the host holds (plugins read it; the daemon sets it) ---- */

/* The policy and arm store in force, or NULL (no policy: every client may boot). */
PXB_API pxb_policy *pxb_host_policy(pxb_host *h);
PXB_API pxb_arms *pxb_host_arms(pxb_host *h);
/*
 * Sets both (borrowed: the caller frees them after setting others or NULL).
 * The model cache of pxb_policy_check_file is dropped.
 */
PXB_API void pxb_host_set_policy(pxb_host *h, pxb_policy *p, pxb_arms *arms);

/* The settings of the policy section and dhcp.hosts.*.policy (lib/policy_rules.c). */
PXB_API const struct pxb_conf_setting *pxb_policy_schema(void);

#ifdef __cplusplus
}
#endif
#endif
