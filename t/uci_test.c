/*
 * uci_test.c - the UCI reader (daemon/uci.c): libuci's quoting rules,
 * sections merged by name, lists, and hostile input refused with file:line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>
#include "../daemon/uci.h"
#include "tap.h"

static struct pxb_uci *parse(const char *text, char *err, int *rc)
{
	struct pxb_uci *u = NULL;

	*rc = pxb_uci_parse("f", text, strlen(text), &u, err, 256);
	return u;
}

static void fails(const char *text, const char *want, int want_rc)
{
	char err[256];
	int rc;
	struct pxb_uci *u = parse(text, err, &rc);

	is_int(rc, want_rc, "refused: %s", want);
	is_str(err, want, "  with %s", want);
	pxb_uci_free(u);
}

int main(void)
{
	char err[256], id[64];
	struct pxb_uci *u;
	const struct pxb_uci_option *o;
	int rc;

	plan_lazy();
	u = parse("package 'dhcp'\n"
		  "config dnsmasq\n"
		  "\toption domain 'lan' # a comment\n"
		  "config host 'nvr'\n"
		  "\toption mac \"01:23\"':45'\\ x\n"
		  "\toption name 'a b'; option ip 10.0.0.1\n"
		  "\tlist tag A\n"
		  "\tlist tag 'B\nC'\n"
		  "\toption q \"x\\\"y\\\\z\\\nw\"\n"
		  "config host\n"
		  "\toption ip 'it''s'\n"
		  "config host nvr\n"
		  "\toption ip '10.0.0.2'\n"
		  "config x '' \n",
		  err, &rc);
	is_int(rc, 0, "a file with every quoting form parses (%s)", err);
	if (!u)
		return done_testing();
	is_int(u->nsec, 4, "four sections: 'nvr' given twice is one");
	is_str(pxb_uci_get(&u->sec[0], "domain"), "lan", "a comment after a value");
	is_str(pxb_uci_section_id(&u->sec[0], id, sizeof(id)), "@dnsmasq[0]", "anonymous id");
	is_str(pxb_uci_get(&u->sec[1], "mac"), "01:23:45 x", "pieces joined, backslash escapes");
	is_str(pxb_uci_get(&u->sec[1], "name"), "a b", "a quoted blank");
	is_str(pxb_uci_get(&u->sec[1], "ip"), "10.0.0.2", "a named section merged: later wins");
	o = pxb_uci_opt(&u->sec[1], "tag");
	ok(o && o->list && o->nval == 2 && !strcmp(o->val[1], "B\nC"), "list, new line in '...'");
	is_int(o ? o->line : 0, 8, "a list's line");
	is_str(pxb_uci_get(&u->sec[1], "q"), "x\"y\\zw", "escapes and a continued line in \"...\"");
	is_str(pxb_uci_get(&u->sec[2], "ip"), "its", "'it''s' is two pieces");
	is_int(u->sec[2].index, 1, "second host is @host[1]");
	ok(u->sec[3].name == NULL, "config x '': anonymous");
	is_int(pxb_uci_bool("on"), 1, "on is true");
	is_int(pxb_uci_bool("disabled"), 0, "disabled is false");
	is_int(pxb_uci_bool("2"), -1, "2 is no boolean");
	pxb_uci_free(u);

	fails("config a\n\toption x 'open\n\n", "f:2: unterminated '", PXB_ERR_CONFIG);
	fails("config a\n\toption x \"open\\", "f:2: unterminated \"", PXB_ERR_CONFIG);
	fails("option x y\n", "f:1: option before any config section", PXB_ERR_CONFIG);
	fails("config a\n\n\toption x y z\n", "f:3: too many words in a statement",
	      PXB_ERR_CONFIG);
	fails("config a\n\toption x\n", "f:2: option takes a name and a value", PXB_ERR_CONFIG);
	fails("config a\n\toption 'x.y' 1\n", "f:2: option name 'x.y': letters, digits and _ only",
	      PXB_ERR_CONFIG);
	fails("config a b\nconfig c b\n", "f:2: section 'b' again, of type c (first of type a, line 1)",
	      PXB_ERR_CONFIG);
	fails("confi a\n", "f:1: 'confi': not package, config, option or list", PXB_ERR_CONFIG);
	{
		char text[] = "config a\n\toption b 'x\0y'\n";
		struct pxb_uci *v = NULL;
		rc = pxb_uci_parse("f", text, sizeof(text) - 1, &v, err, sizeof(err));
		is_int(rc, PXB_ERR_CONFIG, "a NUL byte is refused");
		is_str(err, "f:2: a NUL byte", "  where it is");
		pxb_uci_free(v);
	}
	{ /* the limits */
		size_t n = PXB_UCI_MAX_WORD + 32;
		char *big = malloc(n + 64), *many = malloc(16 * (PXB_UCI_MAX_OPTIONS + 2) + 16);
		char *p;
		if (!big || !many)
			return 1;
		p = big + sprintf(big, "config a\noption b '");
		memset(p, 'x', PXB_UCI_MAX_WORD + 1);
		strcpy(p + PXB_UCI_MAX_WORD + 1, "'\n");
		fails(big, "f:2: a word longer than 4096 bytes", PXB_ERR_TOOBIG);
		p = many + sprintf(many, "config a\n");
		for (int i = 0; i <= PXB_UCI_MAX_OPTIONS; i++)
			p += sprintf(p, "option o%d 1\n", i);
		fails(many, "f:258: more than 256 options in a section", PXB_ERR_TOOBIG);
		free(big);
		free(many);
		rc = pxb_uci_parse("f", "", PXB_UCI_MAX_BYTES + 1, &u, err, sizeof(err));
		is_int(rc, PXB_ERR_TOOBIG, "a file over the size limit is refused unread");
	}
	rc = pxb_uci_load("/nonexistent/uci", &u, err, sizeof(err));
	is_int(rc, PXB_ERR_IO, "a missing file: PXB_ERR_IO");
	return done_testing();
}
