/*
 * conf_test.c - the configuration schema: defaults, errors with
 * file:line:setting, overrides, lists of groups, sections the file lacks.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pxeboot/conf.h>
#include "tap.h"

static char lines[16][512];
static unsigned nlines;

static void collect(void *arg, const char *line)
{
	(void)arg;
	if (nlines < 16)
		snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
}

static int has_line(const char *want)
{
	for (unsigned i = 0; i < nlines; i++)
		if (strcmp(lines[i], want) == 0)
			return 1;
	for (unsigned i = 0; i < nlines; i++)
		diag("line: %s", lines[i]);
	return 0;
}

static pxb_conf *load(const char *text)
{
	pxb_conf *c = pxb_conf_new();

	nlines = 0;
	if (pxb_conf_load_string(c, text, "t.conf", collect, NULL) < 0)
		return c;
	return c;
}

static const struct pxb_conf_setting plugin_table[] = {
	{"items", PXB_CT_LIST, NULL, 0, 0, NULL, NULL, "a list"},
	{"items.*.name", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "name"},
	{"items.*.mac", PXB_CT_STRING, NULL, 0, 0, NULL, pxb_check_mac_pattern, "mac"},
	{"arches", PXB_CT_INTS, "7,9", 0, 65535, NULL, NULL, "arches"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

int main(void)
{
	pxb_conf *c;
	const pxb_conf_node *r;

	plan_lazy();

	c = load("");
	r = pxb_conf_root(c);
	is_int(pxb_conf_validate(c, 1, collect, NULL), 0, "an empty file is valid");
	is_str(pxb_conf_string(r, "dhcp.mode"), "off", "dhcp.mode defaults to off");
	is_str(pxb_conf_string(r, "tftp.listen"), "0.0.0.0:69", "tftp.listen default");
	is_int(pxb_conf_int(r, "tftp.max_blksize"), 65464, "integer default");
	is_int(pxb_conf_bool(r, "tftp.enable"), 1, "boolean default");
	pxb_conf_free(c);

	c = load("tftp = {\n root = \"/srv\";\n listen = \"192.168.1.300\";\n};\n"
		 "dhcp = { mode = \"server\"; nonsense = 3; };\n");
	is_int(pxb_conf_validate(c, 1, collect, NULL), 2, "two errors found");
	ok(has_line("t.conf:3: tftp.listen: \"192.168.1.300\" is not ADDR or ADDR:PORT (IPv4, "
		    "or [IPv6]:PORT)"), "bad address names file, line and setting");
	ok(has_line("t.conf:5: dhcp.nonsense: unknown setting"), "unknown setting is an error");
	is_str(pxb_conf_string(pxb_conf_root(c), "tftp.root"), "/srv", "value from the file");
	pxb_conf_free(c);

	c = load("tftp = { max_blksize = \"big\"; timeout = 0; };");
	is_int(pxb_conf_validate(c, 1, collect, NULL), 2, "type and range errors");
	ok(has_line("t.conf:1: tftp.max_blksize: must be an integer"), "type error");
	ok(has_line("t.conf:1: tftp.timeout: 0 is out of range 1..255"), "range error");
	pxb_conf_free(c);

	c = load("tftp = { root = \"/a\"; };");
	is_int(pxb_conf_override(c, "tftp.listen=127.0.0.1:6969", collect, NULL), 0,
	       "override a string");
	is_int(pxb_conf_override(c, "tftp.root=/b", collect, NULL), 0, "override a file value");
	is_int(pxb_conf_override(c, "tftp.max_blksize=1468", collect, NULL), 0,
	       "override an integer");
	is_int(pxb_conf_override(c, "dhcp.interfaces=veth0,br0", collect, NULL), 0,
	       "override an array");
	is_int(pxb_conf_override(c, "tftp.enable=no", collect, NULL), 0, "override a boolean");
	is_int(pxb_conf_override(c, "tftp.nothing=1", collect, NULL), PXB_ERR_NOENT,
	       "unknown override refused");
	is_int(pxb_conf_override(c, "tftp.max_blksize=lots", collect, NULL), PXB_ERR_INVAL,
	       "bad integer refused");
	is_int(pxb_conf_validate(c, 1, collect, NULL), 0, "valid after overrides");
	r = pxb_conf_root(c);
	is_str(pxb_conf_string(r, "tftp.listen"), "127.0.0.1:6969", "override applied");
	is_str(pxb_conf_string(r, "tftp.root"), "/b", "override beats the file");
	is_int(pxb_conf_int(r, "tftp.max_blksize"), 1468, "integer override applied");
	is_int(pxb_conf_bool(r, "tftp.enable"), 0, "boolean override applied");
	is_int(pxb_conf_count(r, "dhcp.interfaces"), 2, "array override has two elements");
	is_str(pxb_conf_elem_string(r, "dhcp.interfaces", 1), "br0", "array element");
	pxb_conf_free(c);

	c = load("plug = { items = ( { name = \"a\"; mac = \"01:23:45:*:*:*\"; },\n"
		 "  { name = \"b\"; mac = \"zz\"; extra = 1; } ); };");
	pxb_conf_add_schema(c, "plug", plugin_table);
	is_int(pxb_conf_validate(c, 1, collect, NULL), 2, "errors inside a list of groups");
	ok(has_line("t.conf:2: plug.items.[1].mac: \"zz\" is not a MAC address (aa:bb:cc:dd:ee:ff, "
		    "'*' matches any byte)") ||
	   has_line("t.conf:2: plug.items[1].mac: \"zz\" is not a MAC address (aa:bb:cc:dd:ee:ff, "
		    "'*' matches any byte)"),
	   "list element error names its index");
	r = pxb_conf_root(c);
	is_int(pxb_conf_count(r, "plug.items"), 2, "list length");
	is_str(pxb_conf_string(pxb_conf_elem(r, "plug.items", 0), "name"), "a",
	       "element member");
	is_int(pxb_conf_count(r, "plug.arches"), 2, "array default from the schema");
	is_int(pxb_conf_elem_int(r, "plug.arches", 1), 9, "array default element");
	pxb_conf_free(c);

	c = load("http = { root = \"/srv\"; };");
	pxb_conf_add_schema(c, "plug", plugin_table);
	{
		const pxb_conf_node *sec = pxb_conf_section(c, "plug"), *d, *t;
		char path[64];

		ok(sec != NULL, "a section the file lacks still has a node");
		ok(pxb_conf_get(pxb_conf_root(c), "plug") == NULL, "... outside the file's settings");
		is_str(pxb_conf_path(sec, path, sizeof(path)), "plug", "... named by its path");
		is_int(pxb_conf_count(sec, "arches"), 2, "its array answers the schema default");
		is_int(pxb_conf_elem_int(sec, "arches", 0), 7, "... element by element");
		is_int(pxb_conf_count(sec, "items"), 0, "a list without default is empty");
		ok(pxb_conf_section(c, "plug") == sec, "asked again: the same node");
		d = pxb_conf_section(c, "dhcp");
		is_str(pxb_conf_string(d, "mode"), "off", "a core section's string default");
		is_int(pxb_conf_int(d, "rate"), 40000, "an integer default");
		is_int(pxb_conf_bool(pxb_conf_section(c, "tftp"), "enable"), 1, "a boolean default");
		t = pxb_conf_section(c, "http");
		ok(t == pxb_conf_get(pxb_conf_root(c), "http"), "a section in the file is its node");
		is_str(pxb_conf_string(t, "root"), "/srv", "... with the file's values");
		is_str(pxb_conf_string(t, "listen"), "0.0.0.0:80", "... and defaults");
		ok(pxb_conf_section(c, "") == NULL && pxb_conf_section(c, "a..b") == NULL,
		   "an empty name is refused");
	}
	is_int(pxb_conf_validate(c, 1, collect, NULL), 0, "stand-ins do not count as settings");
	pxb_conf_free(c);

	c = load("plug = { items = ( { name = \"a\"; } ); };");
	is_int(pxb_conf_validate(c, 0, collect, NULL), 0,
	       "not final: settings of plugins not loaded are skipped");
	is_int(pxb_conf_validate(c, 1, collect, NULL), 1, "final: they are unknown");
	pxb_conf_free(c);

	c = pxb_conf_new();
	nlines = 0;
	ok(pxb_conf_load_string(c, "tftp = { root = ; };", "s.conf", collect, NULL) < 0,
	   "syntax error refused");
	ok(nlines == 1 && strncmp(lines[0], "s.conf:1: syntax error", 22) == 0,
	   "syntax error names file and line");
	pxb_conf_free(c);

	{
		int64_t s;
		struct pxb_listen l;
		ok(pxb_parse_duration("30m", &s) == 0 && s == 1800, "duration 30m");
		ok(pxb_parse_duration("2x", &s) < 0, "duration 2x refused");
		ok(pxb_parse_listen("127.0.0.1:6969", 69, &l) == 0 && l.port == 6969,
		   "listen with port");
		ok(pxb_parse_listen("10.0.0.1", 69, &l) == 0 && l.port == 69, "listen default port");
		ok(pxb_parse_listen("[::1]:80", 69, &l) == 0 && l.port == 80, "listen IPv6");
		ok(pxb_parse_listen("10.0.0.1:0", 69, &l) < 0, "port 0 refused");
	}
	return done_testing();
}
