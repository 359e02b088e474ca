/*
 * uci.h - a reader of OpenWrt's UCI configuration files (/etc/config/NAME), as
 * libuci parses them: "package NAME", "config TYPE ['NAME']", "option KEY
 * VALUE", "list KEY VALUE"; words unquoted, in '...' (taken as they are, new
 * lines too) or "..." (a backslash takes the next character), pieces joined
 * ('a'"b"c is abc); "#" starts a comment, ";" ends a statement.
 *
 * The file is hostile: its size, its sections, options, list values and
 * words are bounded, a NUL byte is refused, and an error names file:line.
 */
#ifndef PXBD_UCI_H
#define PXBD_UCI_H

#include <stddef.h>

#define PXB_UCI_MAX_BYTES (1u << 20) /* the largest file read */
#define PXB_UCI_MAX_SECTIONS 4096
#define PXB_UCI_MAX_OPTIONS 256 /* per section */
#define PXB_UCI_MAX_VALUES 1024 /* per list */
#define PXB_UCI_MAX_WORD 4096	/* bytes in one word */

struct pxb_uci_option {
	char *name;
	char **val;    /* one value for an option, nval for a list */
	unsigned nval;
	unsigned line; /* where it was last set */
	int list;      /* set by "list" */
};

struct pxb_uci_section {
	char *type;
	char *name;	/* NULL: anonymous */
	unsigned line;	/* of its "config" */
	unsigned index; /* among the sections of its type: @type[index] */
	struct pxb_uci_option *opt;
	unsigned nopt;
};

struct pxb_uci {
	char *path;
	struct pxb_uci_section *sec;
	unsigned nsec;
};

/*
 * Parses len bytes of text read from path (named in errors only). On
 * success *out is the file (pxb_uci_free). On an error, err holds
 * "path:line: what". Returns 0, PXB_ERR_CONFIG (syntax, a bad name, a NUL
 * byte), PXB_ERR_TOOBIG (a limit above) or PXB_ERR_NOMEM.
 */
int pxb_uci_parse(const char *path, const char *text, size_t len, struct pxb_uci **out, char *err,
		  size_t errlen);

/*
 * Reads and parses the file at path. Returns what pxb_uci_parse returns, or
 * PXB_ERR_IO when it cannot be read (err says why).
 */
int pxb_uci_load(const char *path, struct pxb_uci **out, char *err, size_t errlen);

void pxb_uci_free(struct pxb_uci *u);

/* The option called name in s, or NULL. */
const struct pxb_uci_option *pxb_uci_opt(const struct pxb_uci_section *s, const char *name);

/* The value of option name in s (a list: its last value), or NULL. */
const char *pxb_uci_get(const struct pxb_uci_section *s, const char *name);

/* A UCI boolean: 1 (1 yes on true enabled), 0 (0 no off false disabled), else -1. */
int pxb_uci_bool(const char *v);

/* "'name'" for a named section, "@type[index]" for an anonymous one, in buf. */
const char *pxb_uci_section_id(const struct pxb_uci_section *s, char *buf, size_t len);

#endif
