/*
 * import_dnsmasq.h - "pxebootctl import dnsmasq": a dnsmasq configuration
 * (and the conf-file= / conf-dir= it names) read into a model of what it
 * means for network boot, written out as an equivalent pxeboot.conf.
 * Reading is import_dnsmasq.c, the DHCP options' meaning
 * import_dnsmasq_dhcp.c, option values import_dnsmasq_value.c, the writer
 * import_dnsmasq_emit.c.
 *
 * Every file is hostile input: lines are bounded (IMPD_MAX_LINE), so are
 * files (IMPD_MAX_FILE), include depth (IMPD_MAX_DEPTH), files read
 * (IMPD_MAX_FILES) and items of each kind (IMPD_MAX_ITEMS). What is not
 * translated, or only approximately, is written to the error stream as
 * "file:line: option: why".
 */
#ifndef PXB_IMPORT_DNSMASQ_H
#define PXB_IMPORT_DNSMASQ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IMPD_MAX_LINE 4096
#define IMPD_MAX_FILE (4u << 20)
#define IMPD_MAX_DEPTH 8
#define IMPD_MAX_FILES 256
#define IMPD_MAX_ITEMS 4096
#define IMPD_MAX_ARGS 64

/* Exit status of the import (documented in pxebootctl(8)). */
enum {
	IMPD_COMPLETE = 0,   /* everything translated */
	IMPD_INCOMPLETE = 1, /* written, but what stderr lists is missing or approximate */
	IMPD_FAILED = 2,     /* a file could not be read, or a limit was exceeded: nothing written */
};

struct impd_list {
	char **v;
	size_t n;
};

struct impd_boot {
	char *tags;   /* pxeboot tag expression, "" for none */
	char *file;   /* NULL: none */
	char *sname;
	char *server;
	int noboot;
	int tagged;   /* dnsmasq had tags on it (tagged rules are tried first) */
	int service;  /* from pxe-service (tried before dhcp-boot) */
	char *menu;   /* its menu text (not shown by pxeboot; a comment) */
};

struct impd_opt {
	char *tags;
	int code;
	char *value;  /* text, or hex octets "0a:01" when hex */
	int hex;
	int force;
};

struct impd_vendor {
	char *vendor; /* option 60 prefix it is for */
	char *tags;
	int force;
	uint8_t data[255];
	size_t len;
};

struct impd {
	FILE *err;
	int incomplete, failed;
	int allow_include;            /* conf-file= and conf-dir= are followed */
	int depth;
	size_t nfiles;
	char *files[IMPD_MAX_FILES];  /* names of the files read, for messages */
	const char *file;             /* where the current line is */
	unsigned line;
	const char *opt;              /* the current option's name */

	int proxy, server;            /* dhcp-range kinds seen */
	struct impd_list interfaces, subnets, hosts, conds;
	struct impd_list tag_ifs;     /* dhcp.tag_if elements, in order */
	struct impd_boot *boot;
	size_t nboot;
	struct impd_opt *opts;
	size_t nopts;
	struct impd_vendor *vendors;
	size_t nvendors;
	char *router, *domain;        /* untagged options 3 and 15, for the subnets */
	struct impd_list dns;         /* untagged option 6 */
	int known_used;               /* some rule tests the tag "known" */
	int tftp, tftp_secure, no_blocksize, authoritative;
	char *tftp_root;
	unsigned services_per_arch[16];
	int prompt_now;               /* pxe-prompt=TEXT,0: the first service boots at once */
	struct impd_list menu_warns;  /* "file:line: ..." of menus, reported unless prompt_now */
};

/*
 * Imports the files (following conf-file= and conf-dir=) and writes the
 * pxeboot.conf to out; what is not translated goes to err. Returns
 * IMPD_COMPLETE, IMPD_INCOMPLETE or IMPD_FAILED (then nothing is written).
 */
int impd_import_files(const char *const *files, size_t n, FILE *out, FILE *err);

/*
 * The same for one configuration held in memory (named name in messages);
 * include = 0 reports conf-file= and conf-dir= instead of following them.
 */
int impd_import_buf(const char *name, const char *buf, size_t len, int include, FILE *out,
		    FILE *err);

/* --- between the files of the importer --------------------------------- */

/* Notes something not translated (or only approximately) at the current line. */
void impd_warn(struct impd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failure that stops the import (limits, unreadable files). */
void impd_fail(struct impd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int impd_push(struct impd *d, struct impd_list *l, char *s); /* takes s; 0 or -1 */
char *impd_strdup(struct impd *d, const char *s);
char *impd_printf(struct impd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *impd_grow(struct impd *d, void *arr, size_t *n, size_t size); /* one more, zeroed */

/* Splits a value at commas outside quotes; quotes removed. Returns the count or -1. */
int impd_split(char *s, char **argv, int max);
/* Handles one "name" or "name=value" line; value NULL for a flag. */
void impd_option(struct impd *d, const char *name, char *value);
/* Turns leading "tag:"/"net:" arguments into a pxeboot tag expression; advances *i. */
char *impd_tags(struct impd *d, char **argv, int argc, int *i);
/* A tag name pxeboot accepts ("tag:" stripped), or NULL after a warning. */
const char *impd_tag_name(struct impd *d, const char *t);
/* A dhcp.match rule: tag set when match (a condition's kind) is value. */
void impd_add_cond(struct impd *d, const char *set, const char *match, const char *value,
		   int hex);
/* dnsmasq's client architecture names, by RFC 4578 number (0 to 11). */
extern const char *const impd_arch_names[12];
/* The boot rules (import_dnsmasq_boot.c): dhcp-boot, dhcp-ignore, pxe-service, pxe-prompt. */
void impd_dhcp_boot(struct impd *d, char **argv, int argc);
void impd_dhcp_ignore(struct impd *d, char **argv, int argc);
void impd_pxe_service(struct impd *d, char **argv, int argc);
void impd_pxe_prompt(struct impd *d, char **argv, int argc);

/* Option numbers by dnsmasq's names; encodes a value the way dnsmasq does. */
int impd_opt_code(const char *name);
int impd_opt_value(struct impd *d, int code, char **argv, int argc, uint8_t *out, size_t cap,
		   int *is_text);

void impd_emit(struct impd *d, FILE *out);
void impd_free(struct impd *d);

#endif
