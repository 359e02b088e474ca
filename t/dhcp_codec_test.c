/*
 * dhcp_codec_test.c - the DHCP codec: real client requests, every refusal
 * reason, typed option readers, RFC 3396 split/join, option overload, and
 * replies built under the client's parameter request list and size limit.
 *
 * With PXB_DHCP_CORPUS_DIR set, every packet parsed here is also written
 * there (the seed corpus of t/fuzz/fuzz_dhcp_codec.c comes from it).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "tap.h"
#include "dhcp_pkt.h"

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static struct pxb_dhcp_msg m;
static unsigned corpus_n;

static void save_corpus(const char *name, const uint8_t *b, size_t n)
{
	const char *dir = getenv("PXB_DHCP_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%03u-%s", dir, corpus_n++, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(b, 1, n, f);
	fclose(f);
}

static int parse(const char *name, const struct pkt *p, unsigned flags)
{
	save_corpus(name, p->b, p->len);
	return pxb_dhcp_parse(&m, p->b, p->len, flags);
}

/* ---- real requests ------------------------------------------------------- */

static void test_ipxe_bios(void)
{
	struct pkt p;
	struct pxb_dhcp_pxe_class pc;
	struct pxb_dhcp_user_class uc;
	struct pxb_dhcp_view v;
	struct pxb_client c;
	uint16_t arch[4];
	uint8_t t, ma, mi, uuid[16];
	uint16_t u16;

	req_ipxe_bios(&p, mac1);
	is_int(parse("ipxe-bios", &p, 0), 0, "iPXE BIOS: parses");
	is_int(m.reason, PXB_DHCP_OK, "iPXE BIOS: reason ok");
	is_int(m.xid, 0x12345678, "iPXE BIOS: xid");
	is_int(m.flags, 0x8000, "iPXE BIOS: broadcast flag");
	is_int(pxb_dhcp_msg_type(&m), PXB_DHCPDISCOVER, "iPXE BIOS: DISCOVER");
	ok(m.has_end, "iPXE BIOS: END seen");
	ok(m.file != NULL && m.sname != NULL, "iPXE BIOS: file and sname are fields");
	is_int(pxb_dhcp_get_u16(&m, 57, &u16), 0, "iPXE BIOS: 57 read");
	is_int(u16, 1472, "iPXE BIOS: 57 = 1472");
	is_int(pxb_dhcp_max_reply_len(&m), 1472 - 28, "iPXE BIOS: reply limit 1444");
	is_int(pxb_dhcp_pxe_class(&m, &pc), 0, "iPXE BIOS: PXE class parses");
	is_int(pc.kind, PXB_PXE_CLIENT, "iPXE BIOS: PXEClient");
	ok(pc.has_arch && pc.arch == 0, "iPXE BIOS: class arch 0");
	ok(pc.has_undi && pc.undi_major == 2 && pc.undi_minor == 1, "iPXE BIOS: UNDI 2.1");
	is_int(pxb_dhcp_client_arch(&m, arch, 4), 1, "iPXE BIOS: one arch");
	is_int(arch[0], 0, "iPXE BIOS: arch 0");
	is_int(pxb_dhcp_client_nii(&m, &t, &ma, &mi), 0, "iPXE BIOS: NII");
	ok(t == 1 && ma == 2 && mi == 1, "iPXE BIOS: NII 01 02 01");
	is_int(pxb_dhcp_user_class(&m, &uc), 0, "iPXE BIOS: user class");
	ok(!uc.rfc3004 && uc.n == 1 && uc.cls[0].len == 4, "iPXE BIOS: plain user class");
	ok(pxb_dhcp_user_class_has(&m, "iPXE"), "iPXE BIOS: user class iPXE");
	ok(pxb_dhcp_is_ipxe(&m), "iPXE BIOS: is iPXE");
	is_int(pxb_dhcp_ipxe_subopt(&m, 0x13, &v), 0, "iPXE BIOS: 175 HTTP feature");
	ok(v.len == 1 && v.data[0] == 1, "iPXE BIOS: 175.19 = 1");
	is_int(pxb_dhcp_ipxe_subopt(&m, 0xeb, &v), 0, "iPXE BIOS: 175 version");
	is_int(v.len, 3, "iPXE BIOS: version is 3 octets");
	is_int(pxb_dhcp_ipxe_subopt(&m, 0x99, &v), PXB_ERR_NOENT, "iPXE BIOS: absent sub-option");
	is_int(pxb_dhcp_uuid(&m, uuid), 0, "iPXE BIOS: UUID");
	ok(memcmp(uuid, test_uuid, 16) == 0, "iPXE BIOS: UUID value");
	is_int(pxb_dhcp_client_id(&m, &v), 0, "iPXE BIOS: 61");
	ok(v.len == 7 && v.data[0] == 1 && memcmp(v.data + 1, mac1, 6) == 0, "iPXE BIOS: 61 = 01+MAC");
	ok(pxb_dhcp_prl_has(&m, 67) && pxb_dhcp_prl_has(&m, 175) && !pxb_dhcp_prl_has(&m, 2),
	   "iPXE BIOS: PRL");
	is_int(pxb_dhcp_hostname(&m, &v), PXB_ERR_NOENT, "iPXE BIOS: no hostname");

	memset(&c, 0, sizeof(c));
	is_int(pxb_dhcp_fill_client(&m, &c), 0, "iPXE BIOS: fill client");
	ok(c.has_mac && memcmp(c.mac, mac1, 6) == 0, "iPXE BIOS: client MAC");
	is_int(c.arch, 0, "iPXE BIOS: client arch");
	ok(c.has_uuid && memcmp(c.uuid, test_uuid, 16) == 0, "iPXE BIOS: client UUID");
	is_str(c.user_class, "iPXE", "iPXE BIOS: client user class");
}

static void test_ovmf_pxe(void)
{
	struct pkt p;
	struct pxb_dhcp_pxe_class pc;
	struct pxb_dhcp_view v;
	struct pxb_client c;
	uint16_t arch;

	req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
	is_int(parse("ovmf-pxe-discover", &p, 0), 0, "OVMF PXE: DISCOVER parses");
	is_int(pxb_dhcp_max_reply_len(&m), 1444, "OVMF PXE: DISCOVER limit");
	is_int(pxb_dhcp_pxe_class(&m, &pc), 0, "OVMF PXE: class");
	ok(pc.arch == 7 && pc.undi_major == 3 && pc.undi_minor == 0, "OVMF PXE: Arch 7 UNDI 3.0");
	is_int(pxb_dhcp_client_id(&m, &v), PXB_ERR_NOENT, "OVMF PXE: no 61");
	ok(!pxb_dhcp_is_ipxe(&m), "OVMF PXE: not iPXE");
	memset(&c, 0, sizeof(c));
	pxb_dhcp_fill_client(&m, &c);
	is_int(c.arch, 7, "OVMF PXE: client arch 7");
	is_str(c.user_class, "", "OVMF PXE: no user class");

	req_ovmf_pxe(&p, mac1, PXB_DHCPREQUEST);
	is_int(parse("ovmf-pxe-request", &p, 0), 0, "OVMF PXE: REQUEST parses");
	is_int(pxb_dhcp_msg_type(&m), PXB_DHCPREQUEST, "OVMF PXE: REQUEST");
	is_int(pxb_dhcp_max_reply_len(&m), 65280 - 28, "OVMF PXE: REQUEST limit 65252");
	is_int(pxb_dhcp_client_arch(&m, &arch, 1), 1, "OVMF PXE: 93");
}

static void test_snponly(void)
{
	struct pkt p;
	struct pxb_dhcp_pxe_class pc;
	uint8_t t, ma, mi;

	req_snponly(&p, mac1);
	is_int(parse("snponly", &p, 0), 0, "snponly.efi: parses");
	pxb_dhcp_pxe_class(&m, &pc);
	ok(pc.arch == 7 && pc.undi_major == 3 && pc.undi_minor == 10, "snponly.efi: UNDI 3.10");
	pxb_dhcp_client_nii(&m, &t, &ma, &mi);
	ok(t == 1 && ma == 3 && mi == 10, "snponly.efi: NII 01 03 0a");
	ok(pxb_dhcp_user_class_has(&m, "iPXE"), "snponly.efi: user class iPXE");
	ok(pxb_dhcp_has_opt(&m, 175), "snponly.efi: 175");
}

static void test_ovmf_http(void)
{
	struct pkt p;
	struct pxb_dhcp_pxe_class pc;
	struct pxb_client c;

	req_ovmf_http(&p, mac1);
	is_int(parse("ovmf-http", &p, 0), 0, "OVMF HTTP: parses");
	is_int(pxb_dhcp_pxe_class(&m, &pc), 0, "OVMF HTTP: class");
	is_int(pc.kind, PXB_PXE_HTTP, "OVMF HTTP: HTTPClient");
	is_int(pc.arch, 16, "OVMF HTTP: Arch 16");
	ok(pxb_dhcp_prl_has(&m, 60), "OVMF HTTP: asks for 60");
	memset(&c, 0, sizeof(c));
	pxb_dhcp_fill_client(&m, &c);
	is_int(c.arch, 16, "OVMF HTTP: client arch");
	ok(pxb_arch_is_http(c.arch), "OVMF HTTP: arch is HTTP");
}

static void test_udhcpc(void)
{
	struct pkt p;
	struct pxb_dhcp_pxe_class pc;
	struct pxb_dhcp_view v;
	struct pxb_client c;

	req_udhcpc(&p, mac1);
	is_int(parse("udhcpc", &p, 0), 0, "udhcpc: parses");
	is_int(pxb_dhcp_max_reply_len(&m), 548, "udhcpc: limit 548");
	is_int(pxb_dhcp_pxe_class(&m, &pc), PXB_ERR_NOENT, "udhcpc: no PXE class");
	is_int(pxb_dhcp_vendor_class(&m, &v), 0, "udhcpc: vendor class");
	ok(v.len == 6 && memcmp(v.data, "rescue", 6) == 0, "udhcpc: vendor class value");
	memset(&c, 0, sizeof(c));
	pxb_dhcp_fill_client(&m, &c);
	is_int(c.arch, PXB_ARCH_UNKNOWN, "udhcpc: arch unknown");
	ok(!c.has_uuid, "udhcpc: no UUID");
}

/* ---- refusals ------------------------------------------------------------ */

static void test_malformed(void)
{
	struct pkt p;
	static const struct {
		const char *name;
		int off;            /* header octet to set, -1: none */
		uint8_t val;
		size_t cut;         /* truncate to this length, 0: no */
		enum pxb_dhcp_reason want;
	} hdr[] = {
		{ "empty", -1, 0, 1, PXB_DHCP_R_TRUNCATED },
		{ "header-only", -1, 0, 236, PXB_DHCP_R_TRUNCATED },
		{ "no-cookie-room", -1, 0, 239, PXB_DHCP_R_TRUNCATED },
		{ "bootreply", 0, 2, 0, PXB_DHCP_R_BAD_OP },
		{ "op-zero", 0, 0, 0, PXB_DHCP_R_BAD_OP },
		{ "hlen-17", 2, 17, 0, PXB_DHCP_R_BAD_HLEN },
		{ "ether-hlen-7", 2, 7, 0, PXB_DHCP_R_HTYPE_HLEN },
		{ "ether-hlen-0", 2, 0, 0, PXB_DHCP_R_HTYPE_HLEN },
		{ "hops-17", 3, 17, 0, PXB_DHCP_R_HOPS },
		{ "bad-cookie", 239, 0x64, 0, PXB_DHCP_R_BAD_COOKIE },
	};

	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		req_udhcpc(&p, mac1);
		if (hdr[i].off >= 0)
			p.b[hdr[i].off] = hdr[i].val;
		if (hdr[i].cut)
			p.len = hdr[i].cut == 1 ? 0 : hdr[i].cut;
		is_int(parse(hdr[i].name, &p, 0), PXB_ERR_PROTO, "refused: %s", hdr[i].name);
		is_int(m.reason, hdr[i].want, "reason %s: %s", hdr[i].name,
		       pxb_dhcp_reason_str(m.reason));
	}

	/* Accepted edges. */
	req_udhcpc(&p, mac1);
	p.b[3] = 16;
	is_int(parse("hops-16", &p, 0), 0, "hops 16 accepted");
	req_udhcpc(&p, mac1);
	p.b[1] = 32; /* InfiniBand: hlen 0 */
	p.b[2] = 0;
	is_int(parse("ib-hlen-0", &p, 0), 0, "htype 32 hlen 0 accepted");
	req_udhcpc(&p, mac1);
	p.b[0] = 2;
	is_int(parse("reply", &p, PXB_DHCP_PARSE_REPLY), 0, "BOOTREPLY with PARSE_REPLY");
	req_udhcpc(&p, mac1);
	is_int(parse("request-as-reply", &p, PXB_DHCP_PARSE_REPLY), PXB_ERR_PROTO,
	       "BOOTREQUEST refused with PARSE_REPLY");

	/* Option lengths. */
	pkt_start(&p, mac1, 1);
	p.b[p.len++] = 60;
	is_int(parse("opt-no-len", &p, 0), PXB_ERR_PROTO, "option without length octet");
	is_int(m.reason, PXB_DHCP_R_OPT_TRUNCATED, "reason option-truncated");

	pkt_start(&p, mac1, 1);
	p.b[p.len++] = 60;
	p.b[p.len++] = 10;
	pkt_raw(&p, "PXE", 3);
	is_int(parse("opt-overrun", &p, 0), PXB_ERR_PROTO, "option past the end");
	is_int(m.reason, PXB_DHCP_R_OPT_OVERRUN, "reason option-overrun");

	/* END: tolerated when missing at the exact end, unless strict. */
	pkt_start(&p, mac1, 1);
	pkt_str(&p, 60, "PXEClient");
	is_int(parse("no-end", &p, 0), 0, "missing END at the end tolerated");
	ok(!m.has_end, "has_end = 0");
	ok(pxb_dhcp_has_opt(&m, 60), "options before the missing END read");
	is_int(pxb_dhcp_parse(&m, p.b, p.len, PXB_DHCP_PARSE_STRICT), PXB_ERR_PROTO,
	       "missing END refused when strict");
	is_int(m.reason, PXB_DHCP_R_NO_END, "reason no-end");
	pkt_end(&p);
	is_int(pxb_dhcp_parse(&m, p.b, p.len, PXB_DHCP_PARSE_STRICT), 0, "END present: strict ok");
	pkt_raw(&p, "\x00\x00\x37\x99garbage", 10);
	is_int(parse("after-end", &p, 0), 0, "bytes after END ignored");
	ok(!pxb_dhcp_has_opt(&m, 55), "nothing read after END");
	pkt_start(&p, mac1, 1);
	is_int(parse("pad-only", &p, 0), 0, "only 53, no END");

	/* Message type. */
	pkt_header(&p, mac1, 1);
	pkt_u16(&p, 53, 0x0101);
	pkt_end(&p);
	is_int(parse("msgtype-len-2", &p, 0), PXB_ERR_PROTO, "53 of 2 octets refused");
	is_int(m.reason, PXB_DHCP_R_BAD_MSG_TYPE, "reason bad-message-type");
	pkt_header(&p, mac1, 1);
	pkt_end(&p);
	is_int(parse("bootp-no-53", &p, 0), 0, "no 53 parses (BOOTP)");
	is_int(pxb_dhcp_msg_type(&m), PXB_ERR_NOENT, "no 53: NOENT");

	/* Overload. */
	pkt_start(&p, mac1, 1);
	pkt_u8(&p, 52, 4);
	pkt_end(&p);
	is_int(parse("overload-4", &p, 0), PXB_ERR_PROTO, "overload value 4 refused");
	is_int(m.reason, PXB_DHCP_R_BAD_OVERLOAD, "reason bad-overload");
	pkt_start(&p, mac1, 1);
	pkt_opt(&p, 52, "", 0);
	is_int(parse("overload-empty", &p, 0), PXB_ERR_PROTO, "empty overload at the end refused");
	is_int(m.reason, PXB_DHCP_R_BAD_OVERLOAD, "reason bad-overload (empty)");
	pkt_start(&p, mac1, 1);
	pkt_u16(&p, 52, 1);
	pkt_end(&p);
	is_int(parse("overload-len-2", &p, 0), PXB_ERR_PROTO, "overload of 2 octets refused");
	is_int(m.reason, PXB_DHCP_R_BAD_OVERLOAD, "reason bad-overload (length)");
	pkt_start(&p, mac1, 1);
	pkt_u8(&p, 52, 1);
	pkt_end(&p);
	p.b[108] = 52; /* 52 inside file */
	p.b[109] = 1;
	p.b[110] = 3;
	p.b[111] = 255;
	is_int(parse("overload-loop-file", &p, 0), PXB_ERR_PROTO, "52 inside file refused");
	is_int(m.reason, PXB_DHCP_R_OVERLOAD_LOOP, "reason overload-loop");
	pkt_start(&p, mac1, 1);
	pkt_u8(&p, 52, 3);
	pkt_end(&p);
	p.b[108] = 255;
	p.b[44] = 52; /* 52 inside sname */
	p.b[45] = 1;
	p.b[46] = 2;
	is_int(parse("overload-loop-sname", &p, 0), PXB_ERR_PROTO, "52 inside sname refused");
	is_int(m.reason, PXB_DHCP_R_OVERLOAD_LOOP, "reason overload-loop (sname)");
	pkt_start(&p, mac1, 1);
	pkt_u8(&p, 52, 1);
	pkt_end(&p);
	p.b[108] = 60;
	p.b[109] = 200; /* runs past the 128-octet file field */
	is_int(parse("overload-overrun", &p, 0), PXB_ERR_PROTO, "option past the end of file");
	is_int(m.reason, PXB_DHCP_R_OPT_OVERRUN, "reason option-overrun (file)");

	/* RFC 3396 instances beyond the join buffer. */
	pkt_start(&p, mac1, 1);
	for (int i = 0; i < 7; i++) {
		uint8_t blob[255];

		memset(blob, 'a' + i, sizeof(blob));
		pkt_opt(&p, 43, blob, sizeof(blob));
	}
	pkt_end(&p);
	is_int(parse("join-too-long", &p, 0), PXB_ERR_PROTO, "1785 octets of one option refused");
	is_int(m.reason, PXB_DHCP_R_TOO_LONG, "reason too-long");

	/* Reason words: all distinct and named. */
	{
		int distinct = 1;

		for (int a = 0; a < PXB_DHCP_R_COUNT; a++)
			for (int b = a + 1; b < PXB_DHCP_R_COUNT; b++)
				if (strcmp(pxb_dhcp_reason_str(a), pxb_dhcp_reason_str(b)) == 0)
					distinct = 0;
		ok(distinct, "reason words distinct");
		is_str(pxb_dhcp_reason_str(PXB_DHCP_R_COUNT), "unknown", "reason out of range");
	}
	is_int(pxb_dhcp_parse(NULL, p.b, p.len, 0), PXB_ERR_INVAL, "NULL msg");
}

/* ---- option readers ------------------------------------------------------ */

static void test_readers(void)
{
	struct pkt p;
	struct pxb_dhcp_pxe_class pc;
	struct pxb_dhcp_user_class uc;
	struct pxb_dhcp_view v;
	struct in_addr a;
	uint32_t u32;
	uint16_t u16, archs[2];
	uint8_t uuid[16];
	static const uint8_t rc3004[] = { 4, 'i', 'P', 'X', 'E', 3, 'f', 'o', 'o' };
	static const uint8_t relay[] = { 1, 4, 'e', 't', 'h', '0', 2, 6, 0xaa, 0xbb, 0xcc,
					 0xdd, 0xee, 0xff };
	static const uint8_t archs3[] = { 0, 7, 0, 9, 0, 6 };
	static const uint8_t bad_uuid[17] = { 1 };

	pkt_start(&p, mac1, 3);
	pkt_opt(&p, 50, "\xc6\x12\x00\x0a", 4);
	pkt_opt(&p, 54, "\xc6\x12\x00\x01", 4);
	pkt_opt(&p, 51, "\x00\x00\x0e\x10", 4);
	pkt_opt(&p, 77, rc3004, sizeof(rc3004));
	pkt_opt(&p, 82, relay, sizeof(relay));
	pkt_opt(&p, 93, archs3, sizeof(archs3));
	pkt_str(&p, 12, "rescue-box");
	pkt_str(&p, 60, "PXEClient");
	pkt_opt(&p, 97, bad_uuid, sizeof(bad_uuid));
	pkt_end(&p);
	is_int(parse("readers", &p, 0), 0, "reader packet parses");
	is_int(pxb_dhcp_requested_ip(&m, &a), 0, "50 read");
	is_str(inet_ntoa(a), "198.18.0.10", "50 value");
	is_int(pxb_dhcp_server_id(&m, &a), 0, "54 read");
	is_str(inet_ntoa(a), "198.18.0.1", "54 value");
	is_int(pxb_dhcp_lease_time(&m, &u32), 0, "51 read");
	is_int(u32, 3600, "51 value");
	is_int(pxb_dhcp_get_u16(&m, 51, &u16), PXB_ERR_PROTO, "51 as u16: wrong length");
	is_int(pxb_dhcp_user_class(&m, &uc), 0, "RFC 3004 user class");
	ok(uc.rfc3004 && uc.n == 2, "two RFC 3004 instances");
	ok(pxb_dhcp_user_class_has(&m, "iPXE") && pxb_dhcp_user_class_has(&m, "foo") &&
	   !pxb_dhcp_user_class_has(&m, "fo"), "RFC 3004 instances matched exactly");
	is_int(pxb_dhcp_relay_subopt(&m, PXB_RELAY_CIRCUIT_ID, &v), 0, "circuit id");
	ok(v.len == 4 && memcmp(v.data, "eth0", 4) == 0, "circuit id value");
	is_int(pxb_dhcp_relay_subopt(&m, PXB_RELAY_REMOTE_ID, &v), 0, "remote id");
	is_int(v.len, 6, "remote id length");
	is_int(pxb_dhcp_relay_subopt(&m, 9, &v), PXB_ERR_NOENT, "absent relay sub-option");
	is_int(pxb_dhcp_client_arch(&m, archs, 2), 3, "93 holds three archs");
	ok(archs[0] == 7 && archs[1] == 9, "93 first two copied");
	is_int(pxb_dhcp_hostname(&m, &v), 0, "hostname");
	is_int(v.len, 10, "hostname length");
	is_int(pxb_dhcp_pxe_class(&m, &pc), 0, "bare PXEClient");
	ok(pc.kind == PXB_PXE_CLIENT && !pc.has_arch && !pc.has_undi, "bare PXEClient fields");
	is_int(pxb_dhcp_uuid(&m, uuid), PXB_ERR_PROTO, "97 of type 1 refused");
	is_int(pxb_dhcp_ipxe_subopt(&m, 1, &v), PXB_ERR_NOENT, "no 175");
	is_int(pxb_dhcp_prl(&m, &v.data, &v.len), PXB_ERR_NOENT, "no 55");

	/* Malformed contents of well-framed options. */
	pkt_start(&p, mac1, 1);
	pkt_opt(&p, 93, "\x00\x07\x00", 3);
	pkt_str(&p, 60, "PXEClient:Arch:0x007:UNDI:003000");
	pkt_opt(&p, 82, "\x01\x09\x41", 3);
	pkt_opt(&p, 50, "\x01\x02\x03", 3);
	pkt_end(&p);
	is_int(parse("readers-bad", &p, 0), 0, "framing fine");
	is_int(pxb_dhcp_client_arch(&m, archs, 2), PXB_ERR_PROTO, "93 of odd length");
	is_int(pxb_dhcp_pxe_class(&m, &pc), PXB_ERR_PROTO, "PXE class with bad digits");
	is_int(pxb_dhcp_relay_subopt(&m, 1, &v), PXB_ERR_PROTO, "82 sub-option overrun");
	is_int(pxb_dhcp_requested_ip(&m, &a), PXB_ERR_PROTO, "50 of 3 octets");

	pkt_start(&p, mac1, 1);
	pkt_str(&p, 60, "HTTPClient:Arch:00016");
	pkt_opt(&p, 77, "\x03" "abc" "\x00", 5);
	pkt_end(&p);
	is_int(parse("readers-http", &p, 0), 0, "HTTPClient without UNDI");
	is_int(pxb_dhcp_pxe_class(&m, &pc), 0, "HTTPClient:Arch only");
	ok(pc.kind == PXB_PXE_HTTP && pc.arch == 16 && !pc.has_undi, "HTTPClient fields");
	pxb_dhcp_user_class(&m, &uc);
	ok(!uc.rfc3004 && uc.n == 1, "user class with trailing junk read as plain");

	/* Arch names. */
	is_str(pxb_arch_name(7), "efi-x64", "arch name 7");
	is_str(pxb_arch_name(0), "bios", "arch name 0");
	is_str(pxb_arch_name(16), "efi-x64-http", "arch name 16");
	ok(pxb_arch_name(4000) == NULL, "no name for 4000");
	is_int(pxb_arch_parse("efi-arm64"), 11, "parse efi-arm64");
	is_int(pxb_arch_parse("efi-bc"), 9, "parse efi-bc");
	is_int(pxb_arch_parse("19"), 19, "parse 19");
	is_int(pxb_arch_parse("65535"), PXB_ERR_INVAL, "65535 is not an arch");
	is_int(pxb_arch_parse("efi"), PXB_ERR_INVAL, "unknown name");
	is_int(pxb_arch_parse("7x"), PXB_ERR_INVAL, "trailing junk");
	ok(pxb_arch_is_http(15) && pxb_arch_is_http(19) && !pxb_arch_is_http(7),
	   "HTTP archs 15, 19; not 7");
	{
		int fine = 1;

		for (unsigned a2 = 0; a2 < 64; a2++) {
			const char *n = pxb_arch_name((uint16_t)a2);

			if (n && pxb_arch_parse(n) != (int)a2)
				fine = 0;
		}
		ok(fine, "every arch name parses back");
	}
}

/* ---- RFC 3396 and overload on input -------------------------------------- */

static void test_join_overload(void)
{
	struct pkt p;
	struct pxb_dhcp_view v;
	uint8_t a[255], b[100];

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	pkt_start(&p, mac1, 1);
	pkt_opt(&p, 43, a, sizeof(a));
	pkt_str(&p, 60, "PXEClient");
	pkt_opt(&p, 43, b, sizeof(b));
	pkt_end(&p);
	is_int(parse("rfc3396-join", &p, 0), 0, "split option parses");
	is_int(pxb_dhcp_opt(&m, 43, &v), 0, "joined 43 found");
	is_int(v.len, 355, "joined length 355");
	ok(v.data[0] == 'A' && v.data[254] == 'A' && v.data[255] == 'B' && v.data[354] == 'B',
	   "joined in order");
	is_int(m.opt[43].nparts, 2, "two instances");
	ok(v.data >= m.join && v.data < m.join + sizeof(m.join), "joined into msg->join");

	/* 52 = 3: options, then file, then sname (RFC 3396 7). */
	pkt_start(&p, mac1, 1);
	pkt_u8(&p, 52, 3);
	pkt_str(&p, 12, "opt-");
	pkt_end(&p);
	memcpy(p.b + 108, "\x0c\x05" "file-" "\x3c\x09" "PXEClient" "\xff", 19);
	memcpy(p.b + 44, "\x0c\x05" "sname" "\xff", 8);
	is_int(parse("overload-3", &p, 0), 0, "overload 3 parses");
	is_int(m.overload, 3, "overload value");
	ok(m.file == NULL && m.sname == NULL, "file and sname not fields");
	is_int(pxb_dhcp_hostname(&m, &v), 0, "hostname from three areas");
	ok(v.len == 14 && memcmp(v.data, "opt-file-sname", 14) == 0,
	   "concatenated options, file, sname");
	ok(pxb_dhcp_has_opt(&m, 60), "60 from file");

	/* 52 = 2: only sname carries options; file stays a field. */
	pkt_start(&p, mac1, 1);
	pkt_u8(&p, 52, 2);
	pkt_end(&p);
	memcpy(p.b + 108, "boot.efi", 8);
	memcpy(p.b + 44, "\x3c\x09" "PXEClient", 11); /* no END: runs to... zeros = PAD */
	is_int(parse("overload-2", &p, 0), 0, "overload 2 parses");
	ok(m.file != NULL && memcmp(m.file, "boot.efi", 8) == 0, "file field kept");
	ok(m.sname == NULL && pxb_dhcp_has_opt(&m, 60), "60 from sname");
	is_int(pxb_dhcp_parse(&m, p.b, p.len, PXB_DHCP_PARSE_STRICT), PXB_ERR_PROTO,
	       "strict: sname without END refused");
}

/* ---- building ------------------------------------------------------------ */

/* Walks a built reply's options field; returns the codes in order. */
static size_t codes_in_order(const uint8_t *b, size_t len, uint8_t *codes, size_t max)
{
	size_t i = 240, n = 0;

	while (i < len && b[i] != 255) {
		if (b[i] == 0) {
			i++;
			continue;
		}
		if (n < max)
			codes[n++] = b[i];
		i += 2u + b[i + 1];
	}
	return n;
}

static void base_reply(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req)
{
	struct in_addr a;

	pxb_dhcp_reply_init(r, req, PXB_DHCPOFFER);
	inet_pton(AF_INET, "198.18.0.10", &r->yiaddr);
	inet_pton(AF_INET, "198.18.0.1", &a);
	r->siaddr = a;
	pxb_dhcp_reply_set_addr(r, PXB_OPT_SERVER_ID, a);
	pxb_dhcp_reply_set_u32(r, PXB_OPT_LEASE_TIME, 3600);
	pxb_dhcp_reply_set_addr(r, PXB_OPT_ROUTER, a);
	inet_pton(AF_INET, "255.255.254.0", &a);
	pxb_dhcp_reply_set_addr(r, PXB_OPT_SUBNET_MASK, a);
}

static void test_build(void)
{
	static struct pxb_dhcp_reply r;
	static struct pxb_dhcp_msg req, rep;
	struct pkt p;
	uint8_t out[2048], codes[64];
	struct pxb_dhcp_view v;
	struct in_addr a;
	uint32_t u32;
	size_t n;
	int len;

	/* Round trip against the iPXE BIOS DISCOVER. */
	req_ipxe_bios(&p, mac1);
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	base_reply(&r, &req);
	pxb_dhcp_reply_set_str(&r, PXB_OPT_DOMAIN, "rescue.test");
	pxb_dhcp_reply_set_str(&r, 42, "ntp"); /* not in PRL */
	pxb_dhcp_reply_set_file(&r, "undionly.kpxe");
	pxb_dhcp_reply_set_str(&r, PXB_OPT_BOOTFILE, "undionly.kpxe");
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	ok(len >= 300, "reply built (%d octets)", len);
	save_corpus("reply-ipxe", out, (size_t)len);
	is_int(pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY), 0, "reply parses");
	is_int(rep.op, 2, "BOOTREPLY");
	is_int(rep.xid, 0x12345678, "xid copied");
	is_int(rep.flags, 0x8000, "flags copied");
	ok(memcmp(rep.chaddr, mac1, 6) == 0, "chaddr copied");
	is_str(inet_ntoa(rep.yiaddr), "198.18.0.10", "yiaddr");
	is_int(pxb_dhcp_msg_type(&rep), PXB_DHCPOFFER, "OFFER");
	pxb_dhcp_server_id(&rep, &a);
	is_str(inet_ntoa(a), "198.18.0.1", "server id");
	pxb_dhcp_lease_time(&rep, &u32);
	is_int(u32, 3600, "lease time");
	ok(rep.file && strcmp((const char *)rep.file, "undionly.kpxe") == 0, "file field");
	is_int(pxb_dhcp_opt(&rep, 67, &v), 0, "67 present");
	ok(pxb_dhcp_has_opt(&rep, PXB_OPT_DOMAIN), "15 requested and sent");
	ok(!pxb_dhcp_has_opt(&rep, 42), "42 not requested, not sent");
	ok(rep.has_end && rep.overload == 0, "END, no overload");
	n = codes_in_order(out, (size_t)len, codes, sizeof(codes));
	ok(n == 7 && codes[0] == 53 && codes[1] == 54 && codes[2] == 51 && codes[3] == 1 &&
	   codes[4] == 3 && codes[5] == 15 && codes[6] == 67, "stable order 53 54 51 1 3 15 67");

	/* Same options set in another order: same bytes. */
	{
		static struct pxb_dhcp_reply r2;
		uint8_t out2[2048];
		struct in_addr s;

		pxb_dhcp_reply_init(&r2, &req, PXB_DHCPOFFER);
		r2.yiaddr = r.yiaddr;
		r2.siaddr = r.siaddr;
		pxb_dhcp_reply_set_str(&r2, PXB_OPT_BOOTFILE, "undionly.kpxe");
		pxb_dhcp_reply_set_str(&r2, 42, "ntp");
		inet_pton(AF_INET, "255.255.254.0", &s);
		pxb_dhcp_reply_set_addr(&r2, PXB_OPT_SUBNET_MASK, s);
		pxb_dhcp_reply_set_str(&r2, PXB_OPT_DOMAIN, "rescue.test");
		pxb_dhcp_reply_set_addr(&r2, PXB_OPT_ROUTER, r.siaddr);
		pxb_dhcp_reply_set_u32(&r2, PXB_OPT_LEASE_TIME, 3600);
		pxb_dhcp_reply_set_addr(&r2, PXB_OPT_SERVER_ID, r.siaddr);
		pxb_dhcp_reply_set_file(&r2, "undionly.kpxe");
		ok(pxb_dhcp_build(&r2, &req, out2, sizeof(out2)) == len &&
		   memcmp(out, out2, (size_t)len) == 0, "order of setting does not matter");
	}

	/* No PRL: everything set goes out. */
	pkt_start(&p, mac1, 1);
	pkt_end(&p);
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY);
	ok(pxb_dhcp_has_opt(&rep, 42) && pxb_dhcp_has_opt(&rep, 15), "no PRL: all options sent");
	{
		static struct pxb_dhcp_reply tiny;

		pxb_dhcp_reply_init(&tiny, &req, PXB_DHCPNAK);
		is_int(pxb_dhcp_build(&tiny, &req, out, sizeof(out)), 300,
		       "short reply padded to 300");
		is_int(pxb_dhcp_build(&tiny, &req, out, 250), 244, "no padding past the buffer");
	}

	/* Forced option, and PRL without 67 still gets 67 (PXE option). */
	req_ovmf_http(&p, mac1); /* PRL 1 3 6 12 15 28 43 60 66 67 */
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	base_reply(&r, &req);
	pxb_dhcp_reply_set_forced(&r, 42, "ntp", 3);
	pxb_dhcp_reply_set_str(&r, 119, "search"); /* not requested */
	pxb_dhcp_reply_set_str(&r, PXB_OPT_VENDOR_CLASS, "HTTPClient");
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY);
	ok(pxb_dhcp_has_opt(&rep, 42), "forced option sent");
	ok(!pxb_dhcp_has_opt(&rep, 119), "unrequested option dropped");
	pxb_dhcp_vendor_class(&rep, &v);
	ok(v.len == 10 && memcmp(v.data, "HTTPClient", 10) == 0, "60 HTTPClient echoed");

	/* Setter edges. */
	ok(pxb_dhcp_reply_set(&r, 0, "x", 1) == PXB_ERR_INVAL &&
	   pxb_dhcp_reply_set(&r, 255, "x", 1) == PXB_ERR_INVAL &&
	   pxb_dhcp_reply_set(&r, 52, "x", 1) == PXB_ERR_INVAL, "PAD, END, 52 not settable");
	is_int(pxb_dhcp_reply_unset(&r, 42), 0, "unset");
	is_int(pxb_dhcp_reply_unset(&r, 42), PXB_ERR_NOENT, "unset twice");
	{
		char big[200];

		memset(big, 'x', sizeof(big) - 1);
		big[199] = '\0';
		is_int(pxb_dhcp_reply_set_file(&r, big), PXB_ERR_TOOBIG, "file of 199 too big");
		big[127] = '\0';
		is_int(pxb_dhcp_reply_set_file(&r, big), 0, "file of 127 fits");
		big[64] = '\0';
		is_int(pxb_dhcp_reply_set_sname(&r, big), PXB_ERR_TOOBIG, "sname of 64 too big");
		pxb_dhcp_reply_set_file(&r, NULL);
	}
	{
		/* Replacing values does not leak arena space. */
		int fine = 1;
		uint8_t blob[1000] = { 0 };

		for (int i = 0; i < 100; i++)
			fine &= pxb_dhcp_reply_set(&r, 43, blob, sizeof(blob)) == 0;
		ok(fine, "100 replacements of 1000 octets fit the arena");
		pxb_dhcp_reply_unset(&r, 43);
	}
	{
		uint8_t small[100];

		is_int(pxb_dhcp_build(&r, &req, small, sizeof(small)), PXB_ERR_TOOBIG,
		       "buffer under 241 octets");
	}
}

static void test_build_split_overload(void)
{
	static struct pxb_dhcp_reply r;
	static struct pxb_dhcp_msg req, rep;
	struct pkt p;
	uint8_t out[2048], blob[600], vendor[200];
	struct pxb_dhcp_view v;
	int len, count = 0;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7);
	memset(vendor, 0x5a, sizeof(vendor));

	/* RFC 3396: 600 octets leave as 255 + 255 + 90 and come back joined. */
	req_ipxe_bios(&p, mac1);
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	base_reply(&r, &req);
	pxb_dhcp_reply_set(&r, PXB_OPT_VENDOR, blob, sizeof(blob));
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	ok(len > 0 && (size_t)len <= pxb_dhcp_max_reply_len(&req), "600-octet option fits 1444");
	save_corpus("reply-split", out, (size_t)len);
	is_int(pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY), 0, "split reply parses");
	is_int(rep.opt[43].nparts, 3, "three instances");
	is_int(pxb_dhcp_opt(&rep, 43, &v), 0, "43 joined");
	ok(v.len == 600 && memcmp(v.data, blob, 600) == 0, "43 joined intact");
	is_int(rep.overload, 0, "no overload needed");
	for (int i = 240; i < len && out[i] != 255; i += 2 + out[i + 1])
		if (out[i] == 43 && out[i + 1] != 255)
			count++;
	is_int(count, 1, "only the last instance is short");

	/* 57 = 576: 548 octets; 600 cannot fit even overloaded. */
	req_udhcpc(&p, mac1);
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	base_reply(&r, &req);
	pxb_dhcp_reply_set_forced(&r, PXB_OPT_VENDOR, blob, sizeof(blob));
	is_int(pxb_dhcp_build(&r, &req, out, sizeof(out)), PXB_ERR_TOOBIG,
	       "576 limit: 600-octet option does not fit");

	/* 280 + 50 octets of options: overload into file. */
	base_reply(&r, &req);
	pxb_dhcp_reply_set_forced(&r, PXB_OPT_VENDOR, vendor, 200);
	pxb_dhcp_reply_set_forced(&r, 66, "tftp.rescue.test", 16);
	pxb_dhcp_reply_set_forced(&r, 150, vendor, 60);
	pxb_dhcp_reply_set_forced(&r, 160, vendor, 40);
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	ok(len > 0 && len <= 548, "overloaded reply within 548 (%d)", len);
	save_corpus("reply-overload", out, (size_t)len);
	is_int(pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY | PXB_DHCP_PARSE_STRICT),
	       0, "overloaded reply parses strictly");
	ok(rep.overload & PXB_OVERLOAD_FILE, "overload uses file (%u)", rep.overload);
	ok(pxb_dhcp_opt(&rep, 43, &v) == 0 && v.len == 200, "43 back");
	ok(pxb_dhcp_opt(&rep, 150, &v) == 0 && v.len == 60, "150 back");
	ok(pxb_dhcp_opt(&rep, 160, &v) == 0 && v.len == 40, "160 back");
	ok(pxb_dhcp_has_opt(&rep, 66) && pxb_dhcp_has_opt(&rep, 54), "66 and 54 back");

	/* File set: overload may only use sname. */
	pxb_dhcp_reply_set_file(&r, "undionly.kpxe");
	pxb_dhcp_reply_set_forced(&r, 160, vendor, 20);
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	ok(len > 0, "overload into sname when file is used (%d)", len);
	pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY);
	is_int(rep.overload, PXB_OVERLOAD_SNAME, "overload = sname only");
	ok(rep.file && strcmp((const char *)rep.file, "undionly.kpxe") == 0, "file field intact");
	ok(pxb_dhcp_opt(&rep, 160, &v) == 0 && v.len == 20, "160 back from sname");

	/* Same options with 57 = 1472: no overload. */
	req_ipxe_bios(&p, mac1);
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY);
	is_int(rep.overload, 0, "57 = 1472: no overload");

	/* The caller's buffer also bounds the reply. */
	is_int(pxb_dhcp_build(&r, &req, out, 400), PXB_ERR_TOOBIG,
	       "cap 400 with file used: 331 octets of options do not fit");
}

static void test_apply_boot(void)
{
	static struct pxb_dhcp_reply r;
	static struct pxb_dhcp_msg req, rep;
	struct pxb_boot_choice ch;
	struct pkt p;
	struct in_addr us;
	uint8_t out[1500];
	struct pxb_dhcp_view v;
	int len;

	inet_pton(AF_INET, "198.18.0.1", &us);
	req_snponly(&p, mac1);
	pxb_dhcp_parse(&req, p.b, p.len, 0);
	base_reply(&r, &req);
	memset(&ch, 0, sizeof(ch));
	is_int(pxb_dhcp_reply_apply_boot(&r, &req, &ch, us), 0, "no offer: nothing");
	ok(r.file[0] == 0, "no offer: no file");
	ch.offer = 1;
	strcpy(ch.file, "menu.ipxe");
	strcpy(ch.server_name, "boot");
	ch.nopts = 2;
	ch.opts[0].code = 209;
	ch.opts[0].data = (const uint8_t *)"pxelinux.cfg";
	ch.opts[0].len = 12;
	ch.opts[1].code = 224;
	ch.opts[1].data = (const uint8_t *)"x";
	ch.opts[1].len = 1;
	is_int(pxb_dhcp_reply_apply_boot(&r, &req, &ch, us), 0, "apply");
	len = pxb_dhcp_build(&r, &req, out, sizeof(out));
	pxb_dhcp_parse(&rep, out, (size_t)len, PXB_DHCP_PARSE_REPLY);
	ok(rep.file && strcmp((const char *)rep.file, "menu.ipxe") == 0, "boot file in field");
	ok(pxb_dhcp_opt(&rep, 67, &v) == 0 && v.len == 9, "boot file in 67");
	ok(rep.sname && strcmp((const char *)rep.sname, "boot") == 0, "server name in sname");
	ok(pxb_dhcp_has_opt(&rep, 66), "66 sent");
	is_str(inet_ntoa(rep.siaddr), "198.18.0.1", "siaddr = our address");
	ok(!pxb_dhcp_has_opt(&rep, 60), "no 60 for a PXE client");
	/* RFC 5071 section 4.5: PXELINUX does not ask for 209; it is sent anyway, with 208. */
	ok(pxb_dhcp_has_opt(&rep, 209), "209 not requested: sent (RFC 5071)");
	ok(pxb_dhcp_has_opt(&rep, 208), "208 sent with it");
	ok(!pxb_dhcp_has_opt(&rep, 224), "224 not requested, not forced: not sent");
}

int main(void)
{
	plan_lazy();
	test_ipxe_bios();
	test_ovmf_pxe();
	test_snponly();
	test_ovmf_http();
	test_udhcpc();
	test_malformed();
	test_readers();
	test_join_overload();
	test_build();
	test_build_split_overload();
	test_apply_boot();
	return done_testing();
}
