/*
 * boot_internal.h - the boot model's representation, shared by the boot_*.c
 * files of libpxeboot (private, never installed).
 */
#ifndef PXB_BOOT_INTERNAL_H
#define PXB_BOOT_INTERNAL_H

#include <pxeboot/boot.h>

/* A menu as stored: owned copies of every string. */
struct boot_menu {
	char *title;
	char *default_id;
	unsigned timeout;
	char **items;
	unsigned nitems;
	char **macs;
	unsigned nmacs;
	char **tags;
	unsigned ntags;
	unsigned match_arch;
	int fallback; /* no match list */
};

struct pxb_boot_model {
	struct pxb_boot_entry **entries; /* owned; strings owned by each entry */
	unsigned nentries;
	struct boot_menu *menus;         /* matched menus in order */
	unsigned nmenus;
	struct boot_menu fallback;
	char *password_hash;
	char *server;                    /* boot.server or http.listen's address */
	uint16_t http_port;
	char *memdisk;
};

/* Frees the strings a menu owns (not the menu itself). */
void pxb__boot_menu_clear(struct boot_menu *m);

/* Copies a configured menu into dst. Returns 0 or PXB_ERR_NOMEM / PXB_ERR_INVAL. */
int pxb__boot_menu_copy(struct boot_menu *dst, const struct pxb_boot_menu *src);

/* Does the MAC pattern ("52:54:00:*", "*" per octet or trailing) match mac? */
int pxb__boot_mac_match(const char *pattern, const uint8_t mac[6]);

#endif
