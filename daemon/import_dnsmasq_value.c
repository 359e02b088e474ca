/*
 * import_dnsmasq_value.c - dnsmasq's DHCP option names and how it encodes
 * an option's value (src/option.c parse_dhcp_opt): addresses for the
 * options known to hold them, names as text, a number in the option's
 * known size or the smallest of 1, 2 or 4 octets that holds it (suffix
 * b/s/i forces one), "xx:yy" hex, anything else text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>

#include "import_dnsmasq.h"

enum { T_BYTES, T_ADDR, T_NAME, T_DEC };

static const struct {
	const char *name;
	uint8_t code, type, size;
} names[] = {
	{"netmask", 1, T_ADDR, 0},          {"time-offset", 2, T_DEC, 4},
	{"router", 3, T_ADDR, 0},           {"dns-server", 6, T_ADDR, 0},
	{"log-server", 7, T_ADDR, 0},       {"lpr-server", 9, T_ADDR, 0},
	{"hostname", 12, T_NAME, 0},        {"boot-file-size", 13, T_DEC, 2},
	{"domain-name", 15, T_NAME, 0},     {"swap-server", 16, T_ADDR, 0},
	{"root-path", 17, T_NAME, 0},       {"extension-path", 18, T_NAME, 0},
	{"ip-forward-enable", 19, T_DEC, 1}, {"non-local-source-routing", 20, T_DEC, 1},
	{"policy-filter", 21, T_ADDR, 0},   {"max-datagram-reassembly", 22, T_DEC, 2},
	{"default-ttl", 23, T_DEC, 1},      {"mtu", 26, T_DEC, 2},
	{"all-subnets-local", 27, T_DEC, 1}, {"broadcast", 28, T_ADDR, 0},
	{"router-discovery", 31, T_DEC, 1}, {"router-solicitation", 32, T_ADDR, 0},
	{"static-route", 33, T_ADDR, 0},    {"trailer-encapsulation", 34, T_DEC, 1},
	{"arp-timeout", 35, T_DEC, 4},      {"ethernet-encap", 36, T_DEC, 1},
	{"tcp-ttl", 37, T_DEC, 1},          {"tcp-keepalive", 38, T_DEC, 4},
	{"nis-domain", 40, T_NAME, 0},      {"nis-server", 41, T_ADDR, 0},
	{"ntp-server", 42, T_ADDR, 0},      {"vendor-encap", 43, T_BYTES, 0},
	{"netbios-ns", 44, T_ADDR, 0},      {"netbios-dd", 45, T_ADDR, 0},
	{"netbios-nodetype", 46, T_DEC, 1}, {"netbios-scope", 47, T_BYTES, 0},
	{"x-windows-fs", 48, T_ADDR, 0},    {"x-windows-dm", 49, T_ADDR, 0},
	{"T1", 58, T_DEC, 4},               {"T2", 59, T_DEC, 4},
	{"vendor-class", 60, T_BYTES, 0},   {"nis+-domain", 64, T_NAME, 0},
	{"nis+-server", 65, T_ADDR, 0},     {"tftp-server", 66, T_NAME, 0},
	{"bootfile-name", 67, T_NAME, 0},   {"mobile-ip-home", 68, T_ADDR, 0},
	{"smtp-server", 69, T_ADDR, 0},     {"pop3-server", 70, T_ADDR, 0},
	{"nntp-server", 71, T_ADDR, 0},     {"irc-server", 74, T_ADDR, 0},
	{"user-class", 77, T_BYTES, 0},     {"rapid-commit", 80, T_BYTES, 0},
	{"last-transaction", 91, T_DEC, 4}, {"associated-ip", 92, T_ADDR, 0},
	{"client-arch", 93, T_DEC, 2},      {"client-interface-id", 94, T_BYTES, 0},
	{"client-machine-id", 97, T_BYTES, 0}, {"posix-timezone", 100, T_NAME, 0},
	{"tzdb-timezone", 101, T_NAME, 0},  {"ipv6-only", 108, T_DEC, 4},
	{"captive-portal", 114, T_NAME, 0}, {"sip-server", 120, T_BYTES, 0},
	{"classless-static-route", 121, T_BYTES, 0}, {"vendor-id-encap", 125, T_BYTES, 0},
	{"tftp-server-address", 150, T_ADDR, 0},
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

int impd_opt_code(const char *name)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].code;
	return -1;
}

static int type_of(int code, int *size)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].code == code) {
			*size = names[i].size;
			return names[i].type;
		}
	*size = 0;
	return T_BYTES;
}

/* "01:0a:f" (dnsmasq allows one digit between colons). */
static int put_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		int v = 0, k = 0;

		while (*s && *s != ':') {
			int h = pxb_hexval(*s++);
			if (h < 0 || ++k > 2)
				return -1;
			v = v << 4 | h;
		}
		if (k == 0 || n == cap)
			return -1;
		out[n++] = (uint8_t)v;
		if (*s == ':' && !*++s)
			return -1;
	}
	return (int)n;
}

int impd_opt_value(struct impd *d, int code, char **argv, int argc, uint8_t *out, size_t cap,
		   int *is_text)
{
	int size, type = type_of(code, &size), hex = 1, dec = 1, addr = 1, colon = 0, dots = 0;
	size_t n = 0;
	char *joined, *p;

	*is_text = 0;
	if (argc == 0)
		return 0;
	/* The value as dnsmasq sees it: the rest of the line, commas and all. */
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	joined = calloc(1, n + 1);
	if (!joined) {
		impd_fail(d, "out of memory");
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		strcat(joined, argv[i]);
		if (i + 1 < argc)
			strcat(joined, ",");
	}
	for (p = joined; *p; p++) {
		char c = *p;

		if (c == ',')
			dec = hex = 0;
		else if (c == ':')
			dec = addr = 0, colon = 1;
		else if (c == '.')
			dec = hex = 0, dots++;
		else if (c == '-' || c == ' ' || c == '/')
			dec = hex = 0, addr = addr && c == '/' && p != joined;
		else if (c < '0' || c > '9') {
			addr = 0;
			if (!(p[1] == '\0' && dec && (c == 'b' || c == 's' || c == 'i')))
				dec = 0;
			if (pxb_hexval(c) < 0)
				hex = 0;
		}
	}
	n = 0;
	if (type == T_ADDR || (type == T_BYTES && addr && dots && !colon)) {
		for (int i = 0; i < argc; i++) {
			struct in_addr a;

			if (strchr(argv[i], '/') || inet_pton(AF_INET, argv[i], &a) != 1 ||
			    n + 4 > cap) {
				impd_warn(d, "\"%s\" is not an IPv4 address list pxeboot can carry",
					  joined);
				free(joined);
				return -1;
			}
			memcpy(out + n, &a, 4);
			n += 4;
		}
	} else if (type == T_NAME) {
		goto text;
	} else if (hex && colon) {
		int k = put_hex(joined, out, cap);

		if (k < 0) {
			impd_warn(d, "\"%s\": bad hex value", joined);
			free(joined);
			return -1;
		}
		n = (size_t)k;
	} else if (dec && *joined) {
		char last = joined[strlen(joined) - 1];
		unsigned long v = strtoul(joined, NULL, 10);

		n = size ? (size_t)size : (v & 0xffff0000) ? 4 : (v & 0xff00) ? 2 : 1;
		if (last == 'b')
			n = 1;
		else if (last == 's')
			n = 2;
		else if (last == 'i')
			n = 4;
		for (size_t i = 0; i < n; i++)
			out[i] = (uint8_t)(v >> ((n - i - 1) * 8));
	} else {
		goto text;
	}
	free(joined);
	return (int)n;
text:
	n = strlen(joined);
	if (n > cap) {
		impd_warn(d, "value longer than %zu octets", cap);
		free(joined);
		return -1;
	}
	memcpy(out, joined, n);
	*is_text = 1;
	free(joined);
	return (int)n;
}
