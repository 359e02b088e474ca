/*
 * conf_schema.h - the core schema tables (private).
 */
#ifndef PXB_CONF_SCHEMA_H
#define PXB_CONF_SCHEMA_H

#include <pxeboot/conf.h>

/* Registers every core table with a new configuration. */
int pxb__conf_add_core_schema(pxb_conf *c);

/* The boot model's settings (boot_conf.c): boot.*, menu.*, menus, entries, rescue.*. */
extern const struct pxb_conf_setting pxb__boot_schema[];

#endif
