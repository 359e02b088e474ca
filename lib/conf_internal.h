/*
 * conf_internal.h - the configuration's private state and helpers, shared
 * by conf.c (loading, validation, getters) and conf_text.c (settings from text).
 */
#ifndef PXB_CONF_INTERNAL_H
#define PXB_CONF_INTERNAL_H

#include <libconfig.h>
#include <pxeboot/conf.h>
#include "conf_schema.h"

struct pxb_conf {
	config_t cfg; /* first: a setting's ->config leads back here */
	config_t defaults; /* array defaults and absent sections materialized by the getters */
	char *source;
	struct pxb__schema_table *tables;
	unsigned ntables;
};

/* Formats a line and hands it to report (when not NULL). */
void pxb__conf_reportf(pxb_conf_report_fn report, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A wrong setting: "file:line: path: why" (the line when known) handed to
 * report (when not NULL), and *errors counted. n may be NULL: then the path
 * is dflt.
 */
void pxb__conf_problem(const struct pxb_conf *c, const pxb_conf_node *n, const char *dflt,
		       pxb_conf_report_fn report, void *arg, int *errors, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* The schema entry for a full schema path ("tftp.root"), or NULL. */
const struct pxb_conf_setting *pxb__conf_schema_find(const struct pxb_conf *c, const char *path);

/* A type's name for messages ("an integer"). */
const char *pxb__conf_type_name(enum pxb_conf_type t);

/* Finds or creates the group chain for "a.b" below the root; *leaf: "b". NULL: failed. */
config_setting_t *pxb__conf_ensure_groups(config_t *cfg, const char *path, const char **leaf);

/* "true"/"yes"/"on"/"1" and their opposites into *out: 0, or -1. */
int pxb__conf_parse_bool(const char *v, int *out);

/* A whole integer (C base prefixes) into *out: 0, or -1. */
int pxb__conf_parse_int(const char *v, long long *out);

/* Sets s (already of the right type) from text; arrays split on ','. 0, or -1. */
int pxb__conf_set_from_text(config_setting_t *s, enum pxb_conf_type type, const char *val);

#endif
