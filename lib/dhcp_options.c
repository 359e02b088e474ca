/*
 * dhcp_options.c - typed readers of the options pxeboot cares about, the
 * client architecture names (RFC 4578), and filling struct pxb_client from
 * a request. Option data is read through lib/rbuf.h like the datagram.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"
#include "rbuf.h"

static int opt_exact(const struct pxb_dhcp_msg *m, uint8_t code, size_t len,
		     struct pxb_rbuf *r)
{
	struct pxb_dhcp_view v;

	if (pxb_dhcp_opt(m, code, &v) < 0)
		return PXB_ERR_NOENT;
	if (v.len != len)
		return PXB_ERR_PROTO;
	pxb_rbuf_init(r, v.data, v.len);
	return 0;
}

int pxb_dhcp_msg_type(const struct pxb_dhcp_msg *m)
{
	struct pxb_rbuf r;
	uint8_t t;
	int rc = opt_exact(m, PXB_OPT_MSG_TYPE, 1, &r);

	if (rc < 0)
		return rc;
	if (pxb_rbuf_u8(&r, &t) < 0 || t == 0)
		return PXB_ERR_PROTO;
	return t;
}

int pxb_dhcp_get_addr(const struct pxb_dhcp_msg *m, uint8_t code, struct in_addr *out)
{
	struct pxb_rbuf r;
	int rc = opt_exact(m, code, 4, &r);

	if (rc < 0)
		return rc;
	return pxb_rbuf_bytes(&r, &out->s_addr, 4);
}

int pxb_dhcp_get_u32(const struct pxb_dhcp_msg *m, uint8_t code, uint32_t *out)
{
	struct pxb_rbuf r;
	int rc = opt_exact(m, code, 4, &r);

	if (rc < 0)
		return rc;
	return pxb_rbuf_be32(&r, out);
}

int pxb_dhcp_get_u16(const struct pxb_dhcp_msg *m, uint8_t code, uint16_t *out)
{
	struct pxb_rbuf r;
	int rc = opt_exact(m, code, 2, &r);

	if (rc < 0)
		return rc;
	return pxb_rbuf_be16(&r, out);
}

int pxb_dhcp_requested_ip(const struct pxb_dhcp_msg *m, struct in_addr *out)
{
	return pxb_dhcp_get_addr(m, PXB_OPT_REQUESTED_IP, out);
}

int pxb_dhcp_server_id(const struct pxb_dhcp_msg *m, struct in_addr *out)
{
	return pxb_dhcp_get_addr(m, PXB_OPT_SERVER_ID, out);
}

int pxb_dhcp_lease_time(const struct pxb_dhcp_msg *m, uint32_t *out)
{
	return pxb_dhcp_get_u32(m, PXB_OPT_LEASE_TIME, out);
}

size_t pxb_dhcp_max_reply_len(const struct pxb_dhcp_msg *m)
{
	uint16_t v = 0;

	/*
	 * RFC 2132 9.10: 57 is the largest message the client accepts, 576 at
	 * least. 576 is the IP datagram every host takes (RFC 2131 2: 312
	 * octets of options + 236 header + 28 IP/UDP), so like systemd-networkd
	 * we count the IP and UDP headers in it: the safe reading.
	 */
	if (!m || pxb_dhcp_get_u16(m, PXB_OPT_MAX_SIZE, &v) < 0 || v < PXB_DHCP_MIN_MAX_SIZE)
		v = PXB_DHCP_MIN_MAX_SIZE;
	return (size_t)v - PXB_DHCP_IPUDP_LEN;
}

int pxb_dhcp_prl(const struct pxb_dhcp_msg *m, const uint8_t **list, size_t *n)
{
	struct pxb_dhcp_view v;

	if (pxb_dhcp_opt(m, PXB_OPT_PRL, &v) < 0)
		return PXB_ERR_NOENT;
	*list = v.data;
	*n = v.len;
	return 0;
}

int pxb_dhcp_prl_has(const struct pxb_dhcp_msg *m, uint8_t code)
{
	struct pxb_dhcp_view v;

	if (pxb_dhcp_opt(m, PXB_OPT_PRL, &v) < 0)
		return 0;
	return memchr(v.data, code, v.len) != NULL;
}

int pxb_dhcp_vendor_class(const struct pxb_dhcp_msg *m, struct pxb_dhcp_view *out)
{
	return pxb_dhcp_opt(m, PXB_OPT_VENDOR_CLASS, out);
}

/* Reads exactly n decimal digits. */
static int read_digits(struct pxb_rbuf *r, size_t n, unsigned long *out)
{
	const uint8_t *d;
	unsigned long v = 0;

	if (pxb_rbuf_view(r, &d, n) < 0)
		return PXB_ERR_PROTO;
	for (size_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return PXB_ERR_PROTO;
		v = v * 10 + (unsigned long)(d[i] - '0');
	}
	*out = v;
	return 0;
}

/* Consumes the literal s when it comes next. Returns 1 if it did. */
static int eat(struct pxb_rbuf *r, const char *s)
{
	size_t n = strlen(s);

	if (pxb_rbuf_left(r) < n || memcmp(r->p, s, n) != 0)
		return 0;
	(void)pxb_rbuf_bytes(r, NULL, n);
	return 1;
}

int pxb_dhcp_pxe_class(const struct pxb_dhcp_msg *m, struct pxb_dhcp_pxe_class *out)
{
	struct pxb_dhcp_view v;
	struct pxb_rbuf r;
	unsigned long n;

	memset(out, 0, sizeof(*out));
	if (pxb_dhcp_opt(m, PXB_OPT_VENDOR_CLASS, &v) < 0)
		return PXB_ERR_NOENT;
	pxb_rbuf_init(&r, v.data, v.len);
	if (eat(&r, "PXEClient"))
		out->kind = PXB_PXE_CLIENT;
	else if (eat(&r, "HTTPClient"))
		out->kind = PXB_PXE_HTTP;
	else
		return PXB_ERR_NOENT;
	if (pxb_rbuf_left(&r) == 0)
		return 0;
	/* PXE 2.1 spec 2.2.3: "PXEClient:Arch:xxxxx:UNDI:yyyzzz" */
	if (!eat(&r, ":Arch:") || read_digits(&r, 5, &n) < 0 || n > 0xffff)
		return PXB_ERR_PROTO;
	out->has_arch = 1;
	out->arch = (uint16_t)n;
	if (pxb_rbuf_left(&r) == 0)
		return 0;
	if (!eat(&r, ":UNDI:") || read_digits(&r, 3, &n) < 0)
		return PXB_ERR_PROTO;
	out->undi_major = (uint16_t)n;
	if (read_digits(&r, 3, &n) < 0)
		return PXB_ERR_PROTO;
	out->undi_minor = (uint16_t)n;
	out->has_undi = 1;
	/* Some firmware appends more fields; they are ignored. */
	if (pxb_rbuf_left(&r) > 0 && r.p[0] != ':')
		return PXB_ERR_PROTO;
	return 0;
}

int pxb_dhcp_client_arch(const struct pxb_dhcp_msg *m, uint16_t *archs, size_t max)
{
	struct pxb_dhcp_view v;
	struct pxb_rbuf r;
	size_t n = 0;

	if (pxb_dhcp_opt(m, PXB_OPT_CLIENT_ARCH, &v) < 0)
		return PXB_ERR_NOENT;
	if (v.len == 0 || v.len % 2)
		return PXB_ERR_PROTO;
	pxb_rbuf_init(&r, v.data, v.len);
	while (pxb_rbuf_left(&r) >= 2) {
		uint16_t a;

		(void)pxb_rbuf_be16(&r, &a);
		if (n < max)
			archs[n] = a;
		n++;
	}
	return (int)n;
}

int pxb_dhcp_client_nii(const struct pxb_dhcp_msg *m, uint8_t *type, uint8_t *major,
			uint8_t *minor)
{
	struct pxb_rbuf r;
	int rc = opt_exact(m, PXB_OPT_CLIENT_NII, 3, &r);

	if (rc < 0)
		return rc;
	(void)pxb_rbuf_u8(&r, type);
	(void)pxb_rbuf_u8(&r, major);
	return pxb_rbuf_u8(&r, minor);
}

int pxb_dhcp_uuid(const struct pxb_dhcp_msg *m, uint8_t uuid[16])
{
	struct pxb_rbuf r;
	uint8_t type;
	int rc = opt_exact(m, PXB_OPT_UUID, 17, &r);

	if (rc < 0)
		return rc;
	if (pxb_rbuf_u8(&r, &type) < 0 || type != 0)
		return PXB_ERR_PROTO;
	return pxb_rbuf_bytes(&r, uuid, 16);
}

int pxb_dhcp_user_class(const struct pxb_dhcp_msg *m, struct pxb_dhcp_user_class *out)
{
	struct pxb_dhcp_view v;
	struct pxb_rbuf r;
	unsigned n = 0;
	int rfc = 1;

	memset(out, 0, sizeof(*out));
	if (pxb_dhcp_opt(m, PXB_OPT_USER_CLASS, &v) < 0)
		return PXB_ERR_NOENT;
	/* RFC 3004 section 4: UC_Len_i, User_Class_Data_i, ...; UC_Len_i >= 1. */
	pxb_rbuf_init(&r, v.data, v.len);
	while (pxb_rbuf_left(&r) > 0) {
		uint8_t l;
		const uint8_t *d;

		(void)pxb_rbuf_u8(&r, &l);
		if (l == 0 || pxb_rbuf_view(&r, &d, l) < 0) {
			rfc = 0;
			break;
		}
		if (n < PXB_DHCP_MAX_USER_CLASSES) {
			out->cls[n].data = d;
			out->cls[n].len = l;
			n++;
		}
	}
	if (v.len == 0)
		rfc = 0;
	if (rfc) {
		out->rfc3004 = 1;
		out->n = n;
	} else {
		out->rfc3004 = 0;
		out->n = 1;
		out->cls[0] = v;
	}
	return 0;
}

int pxb_dhcp_user_class_has(const struct pxb_dhcp_msg *m, const char *s)
{
	struct pxb_dhcp_user_class uc;
	size_t n = strlen(s);

	if (pxb_dhcp_user_class(m, &uc) < 0)
		return 0;
	for (unsigned i = 0; i < uc.n; i++)
		if (uc.cls[i].len == n && memcmp(uc.cls[i].data, s, n) == 0)
			return 1;
	return 0;
}

int pxb_dhcp_is_ipxe(const struct pxb_dhcp_msg *m)
{
	return pxb_dhcp_has_opt(m, PXB_OPT_IPXE) || pxb_dhcp_user_class_has(m, "iPXE");
}

int pxb_dhcp_ipxe_subopt(const struct pxb_dhcp_msg *m, uint8_t sub, struct pxb_dhcp_view *out)
{
	struct pxb_dhcp_view v;

	if (pxb_dhcp_opt(m, PXB_OPT_IPXE, &v) < 0)
		return PXB_ERR_NOENT;
	return pxb_dhcp_subopt(v.data, v.len, sub, out);
}

int pxb_dhcp_relay_subopt(const struct pxb_dhcp_msg *m, uint8_t sub, struct pxb_dhcp_view *out)
{
	struct pxb_dhcp_view v;

	if (pxb_dhcp_opt(m, PXB_OPT_RELAY_AGENT, &v) < 0)
		return PXB_ERR_NOENT;
	return pxb_dhcp_subopt(v.data, v.len, sub, out);
}

int pxb_dhcp_client_id(const struct pxb_dhcp_msg *m, struct pxb_dhcp_view *out)
{
	return pxb_dhcp_opt(m, PXB_OPT_CLIENT_ID, out);
}

int pxb_dhcp_hostname(const struct pxb_dhcp_msg *m, struct pxb_dhcp_view *out)
{
	return pxb_dhcp_opt(m, PXB_OPT_HOSTNAME, out);
}

int pxb_dhcp_fill_client(const struct pxb_dhcp_msg *m, struct pxb_client *c)
{
	struct pxb_dhcp_user_class uc;
	struct pxb_dhcp_pxe_class pc;
	uint16_t arch;

	if (!m || !c)
		return PXB_ERR_INVAL;
	c->has_mac = 0;
	if (m->htype == 1 && m->hlen == 6) {
		c->has_mac = 1;
		memcpy(c->mac, m->chaddr, 6);
	}
	c->addr = m->ciaddr;
	c->arch = PXB_ARCH_UNKNOWN;
	if (pxb_dhcp_client_arch(m, &arch, 1) > 0)
		c->arch = arch;
	else if (pxb_dhcp_pxe_class(m, &pc) == 0 && pc.has_arch)
		c->arch = pc.arch;
	c->has_uuid = pxb_dhcp_uuid(m, c->uuid) == 0;
	c->user_class[0] = '\0';
	if (pxb_dhcp_user_class(m, &uc) == 0 && uc.n > 0) {
		size_t n = PXB_MIN(uc.cls[0].len, sizeof(c->user_class) - 1);
		const void *nul = memchr(uc.cls[0].data, 0, n);

		if (nul)
			n = (size_t)((const uint8_t *)nul - uc.cls[0].data);
		memcpy(c->user_class, uc.cls[0].data, n);
		c->user_class[n] = '\0';
	}
	return 0;
}

/* IANA "Processor Architecture Types" (RFC 4578 2.1 and later additions). */
static const struct {
	uint16_t arch;
	const char *name;
	uint8_t http;
} arch_table[] = {
	{ 0, "bios", 0 },
	{ 1, "nec-pc98", 0 },
	{ 2, "efi-itanium", 0 },
	{ 3, "dec-alpha", 0 },
	{ 4, "arc-x86", 0 },
	{ 5, "intel-lean", 0 },
	{ 6, "efi-ia32", 0 },
	{ 7, "efi-x64", 0 },
	{ 8, "efi-xscale", 0 },
	{ 9, "efi-bc", 0 },
	{ 10, "efi-arm32", 0 },
	{ 11, "efi-arm64", 0 },
	{ 12, "ppc-openfirmware", 0 },
	{ 13, "ppc-epapr", 0 },
	{ 14, "power-opal", 0 },
	{ 15, "efi-ia32-http", 1 },
	{ 16, "efi-x64-http", 1 },
	{ 17, "efi-bc-http", 1 },
	{ 18, "efi-arm32-http", 1 },
	{ 19, "efi-arm64-http", 1 },
	{ 20, "bios-http", 1 },
	{ 21, "uboot-arm32", 0 },
	{ 22, "uboot-arm64", 0 },
	{ 23, "uboot-arm32-http", 1 },
	{ 24, "uboot-arm64-http", 1 },
	{ 25, "efi-riscv32", 0 },
	{ 26, "efi-riscv32-http", 1 },
	{ 27, "efi-riscv64", 0 },
	{ 28, "efi-riscv64-http", 1 },
	{ 29, "efi-riscv128", 0 },
	{ 30, "efi-riscv128-http", 1 },
	{ 31, "s390-basic", 0 },
	{ 32, "s390-extended", 0 },
	{ 33, "efi-mips32", 0 },
	{ 34, "efi-mips64", 0 },
	{ 35, "efi-sunway32", 0 },
	{ 36, "efi-sunway64", 0 },
	{ 37, "efi-loongarch32", 0 },
	{ 38, "efi-loongarch32-http", 1 },
	{ 39, "efi-loongarch64", 0 },
	{ 40, "efi-loongarch64-http", 1 },
	{ 41, "arm-rpiboot", 0 },
};

const char *pxb_arch_name(uint16_t arch)
{
	for (size_t i = 0; i < PXB_ARRAY_LEN(arch_table); i++)
		if (arch_table[i].arch == arch)
			return arch_table[i].name;
	return NULL;
}

int pxb_arch_parse(const char *s)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return PXB_ERR_INVAL;
	for (size_t i = 0; i < PXB_ARRAY_LEN(arch_table); i++)
		if (strcmp(arch_table[i].name, s) == 0)
			return arch_table[i].arch;
	if (s[0] < '0' || s[0] > '9')
		return PXB_ERR_INVAL;
	v = strtoul(s, &end, 10);
	if (*end || v >= PXB_ARCH_UNKNOWN)
		return PXB_ERR_INVAL;
	return (int)v;
}

int pxb_arch_is_http(uint16_t arch)
{
	for (size_t i = 0; i < PXB_ARRAY_LEN(arch_table); i++)
		if (arch_table[i].arch == arch)
			return arch_table[i].http;
	return 0;
}
