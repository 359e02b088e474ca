/*
 * dhcp_pkt.h - DHCP request builders shared by the dhcp tests: a packet
 * under construction, and the requests real clients send as seen in
 * captures (iPXE BIOS ROM, OVMF PXE, snponly.efi, OVMF HTTP boot, udhcpc).
 */
#ifndef PXB_T_DHCP_PKT_H
#define PXB_T_DHCP_PKT_H

#include <stdint.h>
#include <string.h>

struct pkt {
	uint8_t b[4096];
	size_t len;
};

static const uint8_t test_uuid[16] = { 0x8a, 0x2f, 0x1c, 0x11, 0x52, 0x6e, 0x4d, 0x2b,
				       0x9d, 0x0b, 0x37, 0x64, 0x4e, 0x15, 0x00, 0x42 };

/* Header of a BOOTREQUEST from mac with the magic cookie; no options yet. */
static inline void pkt_header(struct pkt *p, const uint8_t mac[6], uint32_t xid)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 1;
	p->b[1] = 1;
	p->b[2] = 6;
	p->b[4] = (uint8_t)(xid >> 24);
	p->b[5] = (uint8_t)(xid >> 16);
	p->b[6] = (uint8_t)(xid >> 8);
	p->b[7] = (uint8_t)xid;
	p->b[10] = 0x80; /* broadcast */
	memcpy(p->b + 28, mac, 6);
	p->b[236] = 0x63;
	p->b[237] = 0x82;
	p->b[238] = 0x53;
	p->b[239] = 0x63;
	p->len = 240;
}

static inline void pkt_raw(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static inline void pkt_opt(struct pkt *p, uint8_t code, const void *d, size_t n)
{
	p->b[p->len++] = code;
	p->b[p->len++] = (uint8_t)n;
	pkt_raw(p, d, n);
}

static inline void pkt_str(struct pkt *p, uint8_t code, const char *s)
{
	pkt_opt(p, code, s, strlen(s));
}

static inline void pkt_u8(struct pkt *p, uint8_t code, uint8_t v)
{
	pkt_opt(p, code, &v, 1);
}

static inline void pkt_u16(struct pkt *p, uint8_t code, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	pkt_opt(p, code, b, 2);
}

static inline void pkt_end(struct pkt *p)
{
	p->b[p->len++] = 255;
}

static inline void pkt_start(struct pkt *p, const uint8_t mac[6], uint8_t type)
{
	pkt_header(p, mac, 0x12345678);
	pkt_u8(p, 53, type);
}

static inline void pkt_uuid(struct pkt *p)
{
	uint8_t u[17] = { 0 };

	memcpy(u + 1, test_uuid, 16);
	pkt_opt(p, 97, u, 17);
}

static inline void pkt_client_id(struct pkt *p, const uint8_t mac[6])
{
	uint8_t id[7] = { 1 };

	memcpy(id + 1, mac, 6);
	pkt_opt(p, 61, id, 7);
}

/* The feature TLVs iPXE puts in option 175 (src/include/ipxe/dhcp.h). */
static const uint8_t ipxe_175[] = { 0xeb, 3, 1, 0, 0, /* version 1.0.0 */
				    0x13, 1, 1,      /* HTTP */
				    0x11, 1, 1,      /* PXEEXT */
				    0x19, 1, 1,      /* NFS? feature slot */
				    0x24, 1, 1,      /* EFI/bzImage style flag */
				    0x21, 1, 1 };

/* iPXE ROM in QEMU (BIOS), ipxe-qemu 1.0.0+git-20190125: DISCOVER. */
static inline void req_ipxe_bios(struct pkt *p, const uint8_t mac[6])
{
	static const uint8_t prl[] = { 1,   3,   6,   7,   12,  15,  17,  26,  43,  60,  66,
				       67,  119, 128, 129, 130, 131, 132, 133, 134, 135, 175,
				       203 };
	static const uint8_t nii[] = { 1, 2, 1 };

	pkt_start(p, mac, 1);
	pkt_u16(p, 57, 1472);
	pkt_str(p, 60, "PXEClient:Arch:00000:UNDI:002001");
	pkt_u16(p, 93, 0);
	pkt_opt(p, 94, nii, 3);
	pkt_opt(p, 175, ipxe_175, sizeof(ipxe_175));
	pkt_str(p, 77, "iPXE");
	pkt_opt(p, 55, prl, sizeof(prl));
	pkt_client_id(p, mac);
	pkt_uuid(p);
	pkt_end(p);
}

/* OVMF's own UEFI PXE: 57 is 1472 in DISCOVER and 65280 in REQUEST; no 61. */
static inline void req_ovmf_pxe(struct pkt *p, const uint8_t mac[6], uint8_t type)
{
	static const uint8_t prl[] = { 1,  2,  3,  4,  5,  6,  12, 13, 15, 17, 18,  22,
				       23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59,  60,
				       66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135 };
	static const uint8_t nii[] = { 1, 3, 0 };

	pkt_start(p, mac, type);
	pkt_u16(p, 57, type == 3 ? 65280 : 1472);
	pkt_opt(p, 55, prl, sizeof(prl));
	pkt_u16(p, 93, 7);
	pkt_opt(p, 94, nii, 3);
	pkt_uuid(p);
	pkt_str(p, 60, "PXEClient:Arch:00007:UNDI:003000");
	pkt_end(p);
}

/* snponly.efi / ipxe.efi from Debian's ipxe package. */
static inline void req_snponly(struct pkt *p, const uint8_t mac[6])
{
	static const uint8_t prl[] = { 1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 175 };
	static const uint8_t nii[] = { 1, 3, 10 };

	pkt_start(p, mac, 1);
	pkt_u16(p, 57, 1472);
	pkt_str(p, 60, "PXEClient:Arch:00007:UNDI:003010");
	pkt_u16(p, 93, 7);
	pkt_opt(p, 94, nii, 3);
	pkt_opt(p, 175, ipxe_175, sizeof(ipxe_175));
	pkt_str(p, 77, "iPXE");
	pkt_opt(p, 55, prl, sizeof(prl));
	pkt_client_id(p, mac);
	pkt_uuid(p);
	pkt_end(p);
}

/* OVMF UEFI HTTP Boot: asks for 60 back. */
static inline void req_ovmf_http(struct pkt *p, const uint8_t mac[6])
{
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 28, 43, 60, 66, 67 };
	static const uint8_t nii[] = { 1, 3, 0 };

	pkt_start(p, mac, 1);
	pkt_u16(p, 57, 1472);
	pkt_opt(p, 55, prl, sizeof(prl));
	pkt_u16(p, 93, 16);
	pkt_opt(p, 94, nii, 3);
	pkt_uuid(p);
	pkt_str(p, 60, "HTTPClient:Arch:00016:UNDI:003000");
	pkt_end(p);
}

/* busybox udhcpc -V rescue. */
static inline void req_udhcpc(struct pkt *p, const uint8_t mac[6])
{
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 28, 42 };

	pkt_start(p, mac, 1);
	pkt_client_id(p, mac);
	pkt_u16(p, 57, 576);
	pkt_str(p, 60, "rescue");
	pkt_opt(p, 55, prl, sizeof(prl));
	pkt_end(p);
}

#endif
