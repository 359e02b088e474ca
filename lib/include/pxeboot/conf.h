/*
 * pxeboot/conf.h - the configuration: one schema, validated in one place.
 *
 * The file syntax is libconfig's. Every setting has a schema entry (type,
 * default, range or choices, documentation); plugins add the entries of
 * their own section. Validation reports every problem as
 * "FILE:LINE: SETTING: what is wrong" and unknown settings are errors.
 * Getters return the file's value or the schema default.
 *
 * Paths name settings with dots; elements of a list of groups are written
 * "*" in schema paths ("dhcp.hosts.*.mac") and "[N]" in messages.
 */
#ifndef PXEBOOT_CONF_H
#define PXEBOOT_CONF_H

#include <pxeboot/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pxb_conf pxb_conf;
/* A group or setting inside a loaded configuration (borrowed pointer). */
typedef struct pxb_conf_node pxb_conf_node;

enum pxb_conf_type {
	PXB_CT_BOOL,
	PXB_CT_INT,
	PXB_CT_STRING,
	PXB_CT_STRINGS, /* array of strings: ["a", "b"] */
	PXB_CT_INTS,    /* array of integers: [7, 9] */
	PXB_CT_GROUP,   /* { ... } */
	PXB_CT_LIST,    /* ( { ... }, { ... } ): a list of groups */
};

/* Checks one string value; on error writes a reason into msg and returns <0. */
typedef int (*pxb_conf_check_fn)(const char *value, char *msg, size_t msglen);

struct pxb_conf_setting {
	const char *path;      /* relative to the table's prefix */
	enum pxb_conf_type type;
	const char *def;       /* default as text ("69", "true", "a,b"), NULL: unset */
	int64_t min, max;      /* PXB_CT_INT/INTS range when min < max */
	const char *choices;   /* "server|proxy|off" for enumerated strings */
	pxb_conf_check_fn check;
	const char *doc;       /* one line for pxeboot.conf(5) */
};

/*
 * Built-in checks for common value shapes (pxb_conf_check_fn). Each returns
 * 0, or PXB_ERR_INVAL with the reason written into msg.
 */
PXB_API int pxb_check_ipv4(const char *v, char *msg, size_t len);
PXB_API int pxb_check_listen(const char *v, char *msg, size_t len); /* ADDR or ADDR:PORT */
PXB_API int pxb_check_mac_pattern(const char *v, char *msg, size_t len); /* with '*' */
PXB_API int pxb_check_cidr(const char *v, char *msg, size_t len);
PXB_API int pxb_check_abs_path(const char *v, char *msg, size_t len);
PXB_API int pxb_check_duration(const char *v, char *msg, size_t len); /* 30, 30s, 5m, 2h, 1d */

/* Parses a duration ("90", "90s", "5m", "2h", "1d") into seconds. Returns 0, PXB_ERR_INVAL. */
PXB_API int pxb_parse_duration(const char *v, int64_t *seconds);

/*
 * Parses "ADDR" or "ADDR:PORT" (IPv4 or [IPv6]:PORT) with a default port.
 * Returns 0, PXB_ERR_INVAL (not an address, or a port outside 1..65535).
 */
struct pxb_listen {
	int family;              /* AF_INET or AF_INET6 */
	char host[64];
	uint16_t port;
};
PXB_API int pxb_parse_listen(const char *v, uint16_t defport, struct pxb_listen *out);

/* Receives one error or warning line. */
typedef void (*pxb_conf_report_fn)(void *arg, const char *line);

/* The core schema (plugin_dir, state_dir, tftp.*, dhcp.*, ...). */
PXB_API const struct pxb_conf_setting *pxb_conf_core_schema(void);

/* Creates an empty configuration holding the core schema. NULL when out of memory. */
PXB_API pxb_conf *pxb_conf_new(void);
PXB_API void pxb_conf_free(pxb_conf *c);

/*
 * Adds schema entries under prefix ("http" makes "root" mean "http.root").
 * Entries are borrowed: the table must outlive the configuration.
 * Returns 0, PXB_ERR_NOMEM.
 */
PXB_API int pxb_conf_add_schema(pxb_conf *c, const char *prefix,
				const struct pxb_conf_setting *table);

/*
 * Reads a file (or text, named name in messages). Syntax errors are
 * reported with file and line. Returns 0, PXB_ERR_CONFIG (syntax error),
 * PXB_ERR_IO (cannot open or read the file), PXB_ERR_NOMEM.
 * An empty file is valid.
 */
PXB_API int pxb_conf_load_file(pxb_conf *c, const char *path,
			       pxb_conf_report_fn report, void *arg);
PXB_API int pxb_conf_load_string(pxb_conf *c, const char *text, const char *name,
				 pxb_conf_report_fn report, void *arg);

/*
 * Applies "setting=value" (as given to pxebootd -o). The value is converted
 * to the setting's type; arrays take comma-separated values.
 * Returns 0, PXB_ERR_NOENT (unknown setting), PXB_ERR_INVAL (no '=', a
 * group or list, or a value not of the setting's type), PXB_ERR_TOOBIG (a
 * setting name of 256 bytes or more).
 */
PXB_API int pxb_conf_override(pxb_conf *c, const char *assignment,
			      pxb_conf_report_fn report, void *arg);

/*
 * Checks every setting against the schema: types, ranges, choices, value
 * checks and, when final is non-zero, unknown names (with final = 0 a
 * setting no schema describes yet is skipped: its plugin is not loaded).
 * Returns the number of errors reported (0 = valid).
 */
PXB_API int pxb_conf_validate(pxb_conf *c, int final, pxb_conf_report_fn report,
			      void *arg);

/* Does the schema describe the setting at path ("tftp.root")? 1 or 0. */
PXB_API int pxb_conf_has_setting(const pxb_conf *c, const char *path);

/* Name of the file the configuration came from ("<built-in>" for text). */
PXB_API const char *pxb_conf_source(const pxb_conf *c);

/* The root group of the configuration. */
PXB_API const pxb_conf_node *pxb_conf_root(const pxb_conf *c);

/* Looks a setting up below node by dotted path; NULL when absent. */
PXB_API const pxb_conf_node *pxb_conf_get(const pxb_conf_node *node, const char *path);

/*
 * The group at path ("dhcp", a plugin's section), or when the file has none
 * an empty stand-in for it, so that the getters below answer the schema
 * defaults either way. Valid as long as c. Returns NULL (no error code)
 * only when out of memory or when path is not dotted names (empty, a name
 * of 128 characters or more, or one libconfig refuses).
 */
PXB_API const pxb_conf_node *pxb_conf_section(const pxb_conf *c, const char *path);

/*
 * Typed getters: the value below node, or the schema default when unset.
 * pxb_conf_string() returns NULL when the setting is unset and has no default.
 */
PXB_API const char *pxb_conf_string(const pxb_conf_node *node, const char *path);
PXB_API int64_t pxb_conf_int(const pxb_conf_node *node, const char *path);
PXB_API int pxb_conf_bool(const pxb_conf_node *node, const char *path);

/* Number of elements of an array or list (0 when unset); element i (NULL if absent). */
PXB_API unsigned pxb_conf_count(const pxb_conf_node *node, const char *path);
PXB_API const pxb_conf_node *pxb_conf_elem(const pxb_conf_node *node, const char *path,
					   unsigned i);
/* Value of an array element (string or integer); the string is NULL when absent or not one. */
PXB_API const char *pxb_conf_elem_string(const pxb_conf_node *node, const char *path,
					 unsigned i);
PXB_API int64_t pxb_conf_elem_int(const pxb_conf_node *node, const char *path, unsigned i);

/* Line of a node in its file (0 when from the command line or default). */
PXB_API int pxb_conf_line(const pxb_conf_node *node);

/*
 * Writes the full setting path of node ("dhcp.hosts[2].mac") into buf (len
 * > 0), cut to fit. Returns buf; never fails.
 */
PXB_API char *pxb_conf_path(const pxb_conf_node *node, char *buf, size_t len);

/*
 * Reports a problem with the setting at path below node (node: a section,
 * the root, or the setting itself with path "") as the schema checks do:
 * "file:line: full.path: why" (fmt and its arguments), without the line when
 * the setting has none (set by -o, or at its default) and the file when
 * node is NULL. For a plugin's check; never fails.
 */
PXB_API void pxb_conf_problem(pxb_conf_report_fn report, void *arg, const pxb_conf_node *node,
			      const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Iterates all schema entries (core then plugins) for documentation. */
typedef void (*pxb_conf_schema_fn)(void *arg, const char *prefix,
				   const struct pxb_conf_setting *s);
PXB_API void pxb_conf_each_schema(const pxb_conf *c, pxb_conf_schema_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif
