/*
 * dhcp_match_internal.h - the compiled form of the tag-matching rules, shared
 * by the compiler (dhcp_match_compile.c) and the evaluator
 * (dhcp_match_eval.c); private, never installed.
 */
#ifndef PXB_DHCP_MATCH_INTERNAL_H
#define PXB_DHCP_MATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pxeboot/dhcp.h>

struct term {
	char tag[PXB_TAG_LEN];
	uint8_t neg;
};

struct expr {
	struct term *terms;
	size_t n;
};

struct cond {
	enum pxb_match_kind kind;
	char tag[PXB_TAG_LEN];
	uint8_t option;
	char *str;          /* interface pattern */
	uint8_t *bytes;     /* text or hex value */
	uint8_t *wild;      /* option-prefix: 1 where bytes[i] is "*" (any byte) */
	size_t len;
	uint8_t mac[6], mask[6];
	uint32_t net, netmask; /* host order */
	uint16_t *archs;
	size_t narchs;
};

/* An option to send, its value parsed. */
struct opt {
	uint8_t code;
	uint8_t force;
	uint8_t *data;
	size_t len;
};

struct host {
	size_t index;       /* in the config, for traces */
	char *name;
	uint8_t mac[6];
	char (*tags)[PXB_TAG_LEN];
	size_t ntags;
	int has_addr;
	struct in_addr addr;
	int noboot;
	struct opt *opts;
	size_t nopts;
};

struct rule {
	struct expr expr;
	int noboot;
	char *file;
	char *sname;
	int has_next;
	struct in_addr next;
	struct opt *opts;
	size_t nopts;
};

/* An option by tag (pxb_tag_opt_config). */
struct tagopt {
	struct expr expr;
	struct opt o;
};

/* A derived tag (pxb_tag_if_config): set holds the tags added, all with neg = 0. */
struct tagif {
	struct expr expr;
	struct expr set;
};

struct archfile {
	uint16_t arch;
	char *file;
};

struct pxb_match_rules {
	struct host *hosts;
	size_t nhosts;
	struct cond *conds;
	size_t nconds;
	struct rule *rules;
	size_t nrules;
	struct archfile *archfiles;
	size_t narchfiles;
	struct tagopt *tagopts;
	size_t ntagopts;
	struct tagif *tagifs;
	size_t ntagifs;
};

#endif
