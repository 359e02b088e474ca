/*
 * conf_schema.h - the core schema tables (conf_schema.c) and how a
 * feature registers its own with the configuration (conf.c); private.
 */
#ifndef PXB_CONF_SCHEMA_H
#define PXB_CONF_SCHEMA_H

#include <pxeboot/conf.h>

/* A table of settings and the section it describes (NULL: the top level). */
struct pxb__schema_table {
	const char *prefix;
	const struct pxb_conf_setting *table;
};

/* The core's tables, added first to every configuration; ends with a NULL table. */
extern const struct pxb__schema_table pxb__core_schema[];

/*
 * Registers a feature's table (the boot model's, the policy's), added to
 * every configuration made from then on, after the core's, in the order
 * registered. Called from a feature's constructor, when the library is
 * loaded, so that the core names no feature. Past the room for them
 * (PXB_CONF_FEATURES) pxb_conf_new fails.
 */
void pxb__conf_register_schema(const char *prefix, const struct pxb_conf_setting *table);

#endif
