/*
 * pxeboot/dhcp.h - the DHCP message codec and the tag-matching rule engine.
 *
 * Both are sans-I/O: bytes in, structs out, and back. Nothing here opens a
 * socket, reads the clock or logs.
 *
 * Codec (RFC 2131, RFC 2132, RFC 3396, RFC 3046, RFC 4578)
 *   pxb_dhcp_parse() checks a received datagram and indexes its options into
 *   a fixed struct pxb_dhcp_msg without allocating; the struct borrows the
 *   caller's buffer, which must outlive it. Typed accessors read options
 *   (message type, requested address, PXE vendor class, client arch, UUID,
 *   user class, iPXE and relay agent sub-options, ...). pxb_dhcp_reply_*()
 *   collect the options of a reply and pxb_dhcp_build() writes it into a
 *   caller buffer in a stable order, honouring the client's maximum message
 *   size (57) and parameter request list (55), splitting long options
 *   (RFC 3396) and using option overload (52) only when the options do not
 *   fit otherwise.
 *
 * Matching
 *   A struct pxb_match_rules, built once from plain C structs (the config
 *   loader translates its groups into them), gives each request a set of
 *   tags and a boot choice. See "Rule language" below.
 */
#ifndef PXEBOOT_DHCP_H
#define PXEBOOT_DHCP_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pxeboot/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Constants                                                                */

#define PXB_DHCP_SERVER_PORT 67
#define PXB_DHCP_CLIENT_PORT 68
#define PXB_DHCP_PXE_PORT 4011

#define PXB_DHCP_HDR_LEN 236    /* fixed BOOTP header, RFC 2131 section 2 */
#define PXB_DHCP_MIN_LEN 240    /* header + magic cookie */
#define PXB_DHCP_BOOTP_MIN 300  /* replies are padded to this (RFC 1542 2.1) */
#define PXB_DHCP_MIN_MAX_SIZE 576 /* smallest legal option 57 (RFC 2132 9.10) */
#define PXB_DHCP_IPUDP_LEN 28   /* IPv4 + UDP headers, counted in option 57 */
#define PXB_DHCP_MAGIC 0x63825363u
#define PXB_DHCP_SNAME_LEN 64
#define PXB_DHCP_FILE_LEN 128
#define PXB_DHCP_MAX_HOPS 16     /* RFC 1542 4.1.1 */

#define PXB_BOOTREQUEST 1
#define PXB_BOOTREPLY 2

/* Option 53 values (RFC 2132 9.6). */
enum pxb_dhcp_type {
	PXB_DHCPDISCOVER = 1,
	PXB_DHCPOFFER = 2,
	PXB_DHCPREQUEST = 3,
	PXB_DHCPDECLINE = 4,
	PXB_DHCPACK = 5,
	PXB_DHCPNAK = 6,
	PXB_DHCPRELEASE = 7,
	PXB_DHCPINFORM = 8,
};

/* Option codes used by name in pxeboot. */
enum pxb_dhcp_opt_code {
	PXB_OPT_PAD = 0,
	PXB_OPT_SUBNET_MASK = 1,
	PXB_OPT_ROUTER = 3,
	PXB_OPT_DNS = 6,
	PXB_OPT_HOSTNAME = 12,
	PXB_OPT_DOMAIN = 15,
	PXB_OPT_BROADCAST = 28,
	PXB_OPT_VENDOR = 43,
	PXB_OPT_REQUESTED_IP = 50,
	PXB_OPT_LEASE_TIME = 51,
	PXB_OPT_OVERLOAD = 52,
	PXB_OPT_MSG_TYPE = 53,
	PXB_OPT_SERVER_ID = 54,
	PXB_OPT_PRL = 55,
	PXB_OPT_MESSAGE = 56,
	PXB_OPT_MAX_SIZE = 57,
	PXB_OPT_RENEWAL_TIME = 58,
	PXB_OPT_REBINDING_TIME = 59,
	PXB_OPT_VENDOR_CLASS = 60,
	PXB_OPT_CLIENT_ID = 61,
	PXB_OPT_TFTP_SERVER = 66,
	PXB_OPT_BOOTFILE = 67,
	PXB_OPT_USER_CLASS = 77,
	PXB_OPT_RELAY_AGENT = 82,
	PXB_OPT_CLIENT_ARCH = 93,
	PXB_OPT_CLIENT_NII = 94,
	PXB_OPT_UUID = 97,
	PXB_OPT_IPXE = 175,
	PXB_OPT_END = 255,
};

/* Relay agent information sub-options (RFC 3046 section 2.0). */
#define PXB_RELAY_CIRCUIT_ID 1
#define PXB_RELAY_REMOTE_ID 2

/* Option overload values (RFC 2132 9.3). */
#define PXB_OVERLOAD_FILE 1
#define PXB_OVERLOAD_SNAME 2

/*
 * Why pxb_dhcp_parse() refused a datagram. Each has its own value so a
 * server can count them and log a word; pxb_dhcp_reason_str() names them.
 */
enum pxb_dhcp_reason {
	PXB_DHCP_OK = 0,
	PXB_DHCP_R_TRUNCATED,       /* shorter than header + magic cookie */
	PXB_DHCP_R_BAD_OP,          /* op is not BOOTREQUEST (or BOOTREPLY when asked) */
	PXB_DHCP_R_BAD_HLEN,        /* hlen > 16 */
	PXB_DHCP_R_HTYPE_HLEN,      /* htype 1 (Ethernet) with hlen != 6 */
	PXB_DHCP_R_HOPS,            /* hops > 16 */
	PXB_DHCP_R_BAD_COOKIE,      /* no DHCP magic cookie (plain BOOTP) */
	PXB_DHCP_R_OPT_TRUNCATED,   /* an option's length octet is missing */
	PXB_DHCP_R_OPT_OVERRUN,     /* an option's data runs past its area */
	PXB_DHCP_R_NO_END,          /* no END option (only with PXB_DHCP_PARSE_STRICT) */
	PXB_DHCP_R_BAD_OVERLOAD,    /* option 52 not 1 octet of value 1..3 */
	PXB_DHCP_R_OVERLOAD_LOOP,   /* option 52 inside file or sname */
	PXB_DHCP_R_BAD_MSG_TYPE,    /* option 53 not exactly 1 octet */
	PXB_DHCP_R_TOO_LONG,        /* concatenated options exceed the parse buffer */
	PXB_DHCP_R_COUNT
};

/* Returns a static word for a reason, e.g. "truncated"; "unknown" if out of range. */
PXB_API const char *pxb_dhcp_reason_str(enum pxb_dhcp_reason r);

/* ------------------------------------------------------------------------ */
/* Parsed message                                                           */

/* A borrowed byte range: points into the datagram or the message's join buffer. */
struct pxb_dhcp_view {
	const uint8_t *data;
	size_t len;
};

/* Where an option's data lies (private to the codec; read it via accessors). */
struct pxb_dhcp_optidx {
	uint16_t off;   /* offset into buf (src 1) or join (src 2) */
	uint16_t len;   /* total length, all parts concatenated */
	uint8_t src;    /* 0 absent, 1 in the datagram, 2 joined in msg->join */
	uint8_t nparts; /* how many instances (RFC 3396), saturates at 255 */
};

#define PXB_DHCP_JOIN_MAX 1536

struct pxb_dhcp_msg {
	/* fixed header, host byte order where numeric */
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;        /* flags: 0x8000 = broadcast */
	struct in_addr ciaddr, yiaddr, siaddr, giaddr; /* network order, as in_addr */
	uint8_t chaddr[16];
	const uint8_t *sname;        /* 64 octets, NULL when overloaded with options */
	const uint8_t *file;         /* 128 octets, NULL when overloaded with options */

	uint8_t overload;            /* option 52 value, 0 if none */
	uint8_t has_end;             /* 1 when END was seen in the options field */
	enum pxb_dhcp_reason reason; /* why parse failed, PXB_DHCP_OK otherwise */

	const uint8_t *buf;          /* the datagram (borrowed) */
	size_t len;
	uint16_t join_used;
	struct pxb_dhcp_optidx opt[256];
	uint8_t join[PXB_DHCP_JOIN_MAX]; /* RFC 3396 concatenations */
};

/* Flags for pxb_dhcp_parse(). */
#define PXB_DHCP_PARSE_REPLY 0x1  /* expect BOOTREPLY instead of BOOTREQUEST */
#define PXB_DHCP_PARSE_STRICT 0x2 /* reject options without END */

/*
 * Parses one DHCP datagram (the UDP payload) into *m without allocating.
 * Checks, in order: length >= 240, op (BOOTREQUEST unless
 * PXB_DHCP_PARSE_REPLY), hlen <= 16 and hlen == 6 for htype 1, hops <= 16
 * (RFC 1542 4.1.1), the magic cookie (RFC 2131 3), then every option's
 * length. Options repeated under one code are concatenated in the order
 * options field, file, sname (RFC 3396 section 7). Option overload (52,
 * RFC 2132 9.3) is honoured only in the options field; a 52 inside file or
 * sname is refused as a loop.
 *
 * END: RFC 2132 3.2 says END marks the end of the options, but ISC dhcpd,
 * Kea and dnsmasq all accept options that simply run to the end of their
 * area, and so do we: a missing END is tolerated when the last option ends
 * exactly at the end of the datagram (or of file/sname); m->has_end tells
 * whether it was there. PXB_DHCP_PARSE_STRICT refuses it (PXB_DHCP_R_NO_END).
 * An option cut short by the end is always refused. Bytes after END are
 * ignored (padding).
 *
 * m: the result; borrows buf, which must stay valid while m is used.
 * Returns 0, PXB_ERR_INVAL (NULL argument) or PXB_ERR_PROTO with m->reason set.
 */
PXB_API int pxb_dhcp_parse(struct pxb_dhcp_msg *m, const uint8_t *buf, size_t len,
			   unsigned flags);

/*
 * Finds option code (all its instances concatenated).
 * Returns 0 and fills *out, or PXB_ERR_NOENT when absent.
 */
PXB_API int pxb_dhcp_opt(const struct pxb_dhcp_msg *m, uint8_t code, struct pxb_dhcp_view *out);

/* Returns 1 when option code is present, else 0. */
PXB_API int pxb_dhcp_has_opt(const struct pxb_dhcp_msg *m, uint8_t code);

/*
 * Finds sub-option code in encapsulated data made of (code, len, data)
 * triples with PAD and END allowed (RFC 3046 2.0 for 82, RFC 2132 8.4 for 43,
 * iPXE's 175). Returns 0, PXB_ERR_NOENT, or PXB_ERR_PROTO when malformed.
 */
PXB_API int pxb_dhcp_subopt(const uint8_t *data, size_t len, uint8_t code,
			    struct pxb_dhcp_view *out);

/* --- typed accessors: each returns PXB_ERR_NOENT when the option is absent
 *     and PXB_ERR_PROTO when its length or content is wrong. --- */

/*
 * Option 53. Returns the message type (1..255), PXB_ERR_NOENT (absent) or
 * PXB_ERR_PROTO (not one octet, or 0).
 */
PXB_API int pxb_dhcp_msg_type(const struct pxb_dhcp_msg *m);

/*
 * A 4-octet address option (50 requested IP, 54 server id, ...). Returns 0,
 * PXB_ERR_NOENT (absent) or PXB_ERR_PROTO (not 4 octets long).
 */
PXB_API int pxb_dhcp_get_addr(const struct pxb_dhcp_msg *m, uint8_t code, struct in_addr *out);

/* A 4-octet number (51 lease time, 58, 59). Returns as pxb_dhcp_get_addr(). */
PXB_API int pxb_dhcp_get_u32(const struct pxb_dhcp_msg *m, uint8_t code, uint32_t *out);

/* A 2-octet number (57). Returns 0, PXB_ERR_NOENT or PXB_ERR_PROTO (not 2 octets). */
PXB_API int pxb_dhcp_get_u16(const struct pxb_dhcp_msg *m, uint8_t code, uint16_t *out);

/* Shorthands for 50 and 54 and 51. Return as pxb_dhcp_get_addr(). */
PXB_API int pxb_dhcp_requested_ip(const struct pxb_dhcp_msg *m, struct in_addr *out);
PXB_API int pxb_dhcp_server_id(const struct pxb_dhcp_msg *m, struct in_addr *out);
PXB_API int pxb_dhcp_lease_time(const struct pxb_dhcp_msg *m, uint32_t *out);

/*
 * The largest reply (UDP payload) this client accepts: option 57 less the
 * IP and UDP headers, where 57 below 576 (or absent) counts as 576
 * (RFC 2132 9.10; RFC 2131 2: 576-octet datagrams always work). Never fails.
 */
PXB_API size_t pxb_dhcp_max_reply_len(const struct pxb_dhcp_msg *m);

/*
 * Option 55. *list and *n get the requested codes (n may be 0).
 * Returns 0 or PXB_ERR_NOENT.
 */
PXB_API int pxb_dhcp_prl(const struct pxb_dhcp_msg *m, const uint8_t **list, size_t *n);

/* Returns 1 when option 55 lists code, else 0. */
PXB_API int pxb_dhcp_prl_has(const struct pxb_dhcp_msg *m, uint8_t code);

/* Option 60 (RFC 2132 9.13) as bytes. Returns 0 or PXB_ERR_NOENT. */
PXB_API int pxb_dhcp_vendor_class(const struct pxb_dhcp_msg *m, struct pxb_dhcp_view *out);

/* Option 60 as PXE firmware writes it. */
enum pxb_pxe_kind {
	PXB_PXE_NONE = 0,
	PXB_PXE_CLIENT = 1, /* "PXEClient..." */
	PXB_PXE_HTTP = 2,   /* "HTTPClient..." (UEFI HTTP boot) */
};

struct pxb_dhcp_pxe_class {
	enum pxb_pxe_kind kind;
	int has_arch;
	uint16_t arch;      /* from ":Arch:xxxxx" */
	int has_undi;
	uint16_t undi_major; /* from ":UNDI:yyyzzz" */
	uint16_t undi_minor;
};

/*
 * Parses option 60 of the form "PXEClient:Arch:xxxxx:UNDI:yyyzzz" (PXE 2.1
 * spec, 2.2.3) or "HTTPClient:Arch:...". "PXEClient" alone is accepted;
 * fields that are present must be well formed.
 * Returns 0, PXB_ERR_NOENT (no 60, or 60 is not a PXE class) or PXB_ERR_PROTO.
 */
PXB_API int pxb_dhcp_pxe_class(const struct pxb_dhcp_msg *m, struct pxb_dhcp_pxe_class *out);

/*
 * Option 93 (RFC 4578 2.1): a list of 16-bit architecture types. Copies up to
 * max of them into archs (may be NULL with max 0).
 * Returns how many the option holds (>= 1), PXB_ERR_NOENT or PXB_ERR_PROTO
 * (empty or odd length).
 */
PXB_API int pxb_dhcp_client_arch(const struct pxb_dhcp_msg *m, uint16_t *archs, size_t max);

/*
 * Option 94 (RFC 4578 2.2): network interface identifier, type 1 = UNDI.
 * Returns 0, PXB_ERR_NOENT (absent) or PXB_ERR_PROTO (not 3 octets).
 */
PXB_API int pxb_dhcp_client_nii(const struct pxb_dhcp_msg *m, uint8_t *type, uint8_t *major,
				uint8_t *minor);

/*
 * Option 97 (RFC 4578 2.3): type 0 followed by a 16-octet UUID/GUID.
 * Returns 0, PXB_ERR_NOENT (absent) or PXB_ERR_PROTO (another type or length).
 */
PXB_API int pxb_dhcp_uuid(const struct pxb_dhcp_msg *m, uint8_t uuid[16]);

/* Option 77, as found in the request. */
#define PXB_DHCP_MAX_USER_CLASSES 8
struct pxb_dhcp_user_class {
	int rfc3004;  /* 1: length-prefixed instances; 0: one plain string (iPXE) */
	unsigned n;
	struct pxb_dhcp_view cls[PXB_DHCP_MAX_USER_CLASSES];
};

/*
 * Option 77. RFC 3004 makes it a list of (len, data) instances; iPXE and
 * some Windows clients send a plain string ("iPXE"). The data is read as
 * RFC 3004 when the length prefixes cover it exactly with no zero length;
 * otherwise it is one plain instance. Returns 0 or PXB_ERR_NOENT.
 */
PXB_API int pxb_dhcp_user_class(const struct pxb_dhcp_msg *m, struct pxb_dhcp_user_class *out);

/* Returns 1 when one of the user class instances equals s exactly, else 0. */
PXB_API int pxb_dhcp_user_class_has(const struct pxb_dhcp_msg *m, const char *s);

/*
 * Option 175, iPXE's encapsulated options (feature flags, bus id, ...).
 * pxb_dhcp_is_ipxe() returns 1 when 175 is present or user class is "iPXE".
 * pxb_dhcp_ipxe_subopt() returns 0, PXB_ERR_NOENT or PXB_ERR_PROTO.
 */
PXB_API int pxb_dhcp_is_ipxe(const struct pxb_dhcp_msg *m);
PXB_API int pxb_dhcp_ipxe_subopt(const struct pxb_dhcp_msg *m, uint8_t sub,
				 struct pxb_dhcp_view *out);

/*
 * Option 82 (RFC 3046): sub-option sub (1 circuit id, 2 remote id).
 * Returns 0, PXB_ERR_NOENT or PXB_ERR_PROTO.
 */
PXB_API int pxb_dhcp_relay_subopt(const struct pxb_dhcp_msg *m, uint8_t sub,
				  struct pxb_dhcp_view *out);

/* Option 61 (RFC 2132 9.14) and 12 (3.14) as bytes. Return 0 or PXB_ERR_NOENT. */
PXB_API int pxb_dhcp_client_id(const struct pxb_dhcp_msg *m, struct pxb_dhcp_view *out);
PXB_API int pxb_dhcp_hostname(const struct pxb_dhcp_msg *m, struct pxb_dhcp_view *out);

/*
 * Fills the identity fields of c from a request: MAC (htype 1, hlen 6),
 * addr (ciaddr), arch (first of option 93, else the Arch of a PXE vendor
 * class, else PXB_ARCH_UNKNOWN), uuid (97), user_class (77: the first
 * instance, or the plain string; cut to fit, NUL-free). Tags, server_addr,
 * http_port and token are left alone. Returns 0 or PXB_ERR_INVAL.
 */
PXB_API int pxb_dhcp_fill_client(const struct pxb_dhcp_msg *m, struct pxb_client *c);

/* ------------------------------------------------------------------------ */
/* Client architectures (RFC 4578 2.1, IANA "Processor Architecture Types") */

#define PXB_ARCH_BIOS 0
#define PXB_ARCH_EFI_IA32 6
#define PXB_ARCH_EFI_X64 7
#define PXB_ARCH_EFI_BC 9     /* sent by some x64 firmware for x64 */
#define PXB_ARCH_EFI_ARM32 10
#define PXB_ARCH_EFI_ARM64 11
#define PXB_ARCH_EFI_IA32_HTTP 15
#define PXB_ARCH_EFI_X64_HTTP 16
#define PXB_ARCH_EFI_ARM64_HTTP 19

/*
 * Returns a short name for an arch ("bios", "efi-ia32", "efi-x64",
 * "efi-bc", "efi-arm64", "efi-x64-http", ...) or NULL if it has none.
 */
PXB_API const char *pxb_arch_name(uint16_t arch);

/*
 * Parses an arch name as pxb_arch_name() gives it, or a decimal number
 * 0..65534. Returns the arch (>= 0) or PXB_ERR_INVAL.
 */
PXB_API int pxb_arch_parse(const char *s);

/* Returns 1 for UEFI HTTP boot architectures (15..20, 23, 24, 26, 28, 30, ...). */
PXB_API int pxb_arch_is_http(uint16_t arch);

/* ------------------------------------------------------------------------ */
/* Building replies                                                         */

#define PXB_DHCP_REPLY_MAX_OPTS 64
#define PXB_DHCP_REPLY_DATA 4096

struct pxb_dhcp_reply_opt {
	uint8_t code;
	uint8_t force;     /* send even when the client did not ask (55) */
	uint16_t off, len; /* in data[] */
};

/*
 * A reply being assembled. Fill the header fields directly; add options
 * with pxb_dhcp_reply_set*(); pxb_dhcp_build() serializes it. No allocation.
 */
struct pxb_dhcp_reply {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	struct in_addr ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	char sname[PXB_DHCP_SNAME_LEN]; /* NUL-terminated unless exactly full */
	char file[PXB_DHCP_FILE_LEN];

	unsigned nopts;
	uint16_t data_used;
	struct pxb_dhcp_reply_opt opts[PXB_DHCP_REPLY_MAX_OPTS];
	uint8_t data[PXB_DHCP_REPLY_DATA];
};

/*
 * Starts a reply (op BOOTREPLY) to req: copies xid, htype, hlen, chaddr,
 * flags, giaddr and ciaddr (RFC 2131 table 3) and sets option 53 to type.
 * req may be NULL (all zero). Returns 0 or PXB_ERR_INVAL.
 */
PXB_API int pxb_dhcp_reply_init(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req,
				uint8_t type);

/*
 * Sets option code to len octets of data (up to 65535; longer than 255 is
 * split on output per RFC 3396), replacing an earlier value. Options 53,
 * 54, 51, 58, 59, 1, 3, 43, 60, 61, 66, 67, 82 and 97 are always sent; the
 * others only when the client asked for them (55), or when it sent no 55.
 * pxb_dhcp_reply_set_forced() sends it in any case.
 * Returns 0, PXB_ERR_INVAL (code 0, 52 or 255) or PXB_ERR_TOOBIG (no room).
 */
PXB_API int pxb_dhcp_reply_set(struct pxb_dhcp_reply *r, uint8_t code, const void *data,
			       size_t len);
PXB_API int pxb_dhcp_reply_set_forced(struct pxb_dhcp_reply *r, uint8_t code, const void *data,
				      size_t len);

/* Typed setters; same returns as pxb_dhcp_reply_set(). */
PXB_API int pxb_dhcp_reply_set_u8(struct pxb_dhcp_reply *r, uint8_t code, uint8_t v);
PXB_API int pxb_dhcp_reply_set_u16(struct pxb_dhcp_reply *r, uint8_t code, uint16_t v);
PXB_API int pxb_dhcp_reply_set_u32(struct pxb_dhcp_reply *r, uint8_t code, uint32_t v);
PXB_API int pxb_dhcp_reply_set_addr(struct pxb_dhcp_reply *r, uint8_t code, struct in_addr a);
PXB_API int pxb_dhcp_reply_set_str(struct pxb_dhcp_reply *r, uint8_t code, const char *s);

/* Removes option code. Returns 0 or PXB_ERR_NOENT. */
PXB_API int pxb_dhcp_reply_unset(struct pxb_dhcp_reply *r, uint8_t code);

/* Sets the BOOTP file / sname field. Returns 0 or PXB_ERR_TOOBIG (file >= 128, sname >= 64). */
PXB_API int pxb_dhcp_reply_set_file(struct pxb_dhcp_reply *r, const char *file);
PXB_API int pxb_dhcp_reply_set_sname(struct pxb_dhcp_reply *r, const char *sname);

/*
 * Writes the reply into out. The size limit is the smaller of cap and
 * pxb_dhcp_max_reply_len(req) (548 when req is NULL). Options go out in a
 * stable order: 53, 54, 51, 58, 59, 1, 3, then ascending codes, 82 last
 * (RFC 3046 2.1). An option longer than 255 octets is split into several
 * instances (RFC 3396); shorter ones are never split. When the options do
 * not fit, option 52 moves some into file and then sname, if those fields
 * are empty (RFC 2132 9.3). Replies are padded to 300 octets (RFC 1542 2.1).
 * Returns the length written, PXB_ERR_INVAL or PXB_ERR_TOOBIG.
 */
PXB_API int pxb_dhcp_build(const struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req,
			   uint8_t *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Matching: tags and boot rules                                            */

/*
 * Rule language
 *
 * 1. Host entries (struct pxb_match_host_config) are looked up by the
 *    client's hardware address (exact). A host adds its tags, may carry a
 *    fixed address, and may say noboot: that client is never offered a
 *    boot file.
 * 2. Conditions (struct pxb_match_cond_config) are tried in order; each one
 *    that holds adds its tag ("set"). Kinds and their value:
 *      user-class     value = one user class instance, exact ("iPXE")
 *      vendor-class   value = option 60, exact
 *      vendor-prefix  value = prefix of option 60 ("PXEClient:Arch:00007")
 *      arch           archs[] (or value "7,9" / "efi-x64,efi-bc"): any
 *                     entry of option 93, or the PXE vendor class Arch
 *      mac            value = "01:23:45:*:*:*", each octet hex or '*'
 *      circuit-id     value = relay agent sub-option 1, exact
 *      remote-id      value = relay agent sub-option 2, exact
 *      interface      value = receiving interface name, fnmatch(3) pattern
 *      subnet         value = "a.b.c.d/n": the link the client is on,
 *                     giaddr when relayed, else our receiving address
 *      giaddr         value = "a.b.c.d/n": giaddr (relayed requests only)
 *      client-addr    value = "a.b.c.d/n": ciaddr, else option 50
 *      option         option = code; present
 *      option-equals  option = code; value = data, exact
 *      option-contains option = code; value = data found anywhere in it
 *                     (dnsmasq's dhcp-match with a text value)
 *      option-prefix  option = code; value = hex octets, '*' for any octet
 *                     ("3c:*:50"): the start of the option (dnsmasq's hex)
 *      option-item    option = code; value = hex octets of one item: the
 *                     option read as items of that size has it (dnsmasq's
 *                     dhcp-match with a number)
 *      user-class-contains value = text found in one option 77 instance
 *                     (dnsmasq's dhcp-userclass)
 *    For circuit-id, remote-id, option-equals and option-contains, hex = 1 reads value as
 *    hex octets ("01:0a:ff" or "010aff") instead of text.
 *    Conditions see the tags set before them only through their own test;
 *    they cannot test tags.
 * 2b. Derived tags (struct pxb_tag_if_config, dnsmasq's tag-if) come next,
 *    in order: each whose tag expression holds adds its tags, which the
 *    derived tags after it see (a tag-if tests only those above it).
 * 3. Boot rules (struct pxb_boot_rule_config) each have a tag expression:
 *    terms separated by '&', ',' or blanks, all of which must hold (AND);
 *    a term is TAG or !TAG, an optional "tag:" prefix is allowed, so
 *    dnsmasq's "tag:!ENH,tag:!NOPXE" reads as is. An empty expression
 *    always holds. OR is written as several rules.
 *    - Rules with noboot = 1 are tried first, whatever their position: "no
 *      boot offer for this host" wins over anything that would offer one
 *      (a NOPXE host that itself runs iPXE still sends user class iPXE).
 *    - Then the first other rule that holds wins and gives the boot file,
 *      next server, server name and extra options.
 *    - If none holds, the per-arch default (arch_files) of the client's
 *      arch gives the boot file, if there is one.
 *    UEFI HTTP boot clients (arch 15, 16, 19, ... or vendor class
 *    "HTTPClient") are marked http = 1: the reply must echo option 60
 *    "HTTPClient" and give the boot file as a URL. A chosen file without
 *    "://" becomes "http://<client->server_addr>:<client->http_port>/file"
 *    for them when both are known.
 * 4. Options: the host entry's options, the options by tag whose
 *    expression holds (tag_options) and the chosen rule's options. For one
 *    code the host's wins over a tag's, a tag's over the rule's. Among
 *    options by tag, as in dnsmasq (option_filter()), one with tags wins
 *    over one without, and of equals the later in the list wins. Host
 *    and tag options go to the client whether or not it is offered a boot
 *    file (choice->client_opts); the rule's only with its boot file.
 */
enum pxb_match_kind {
	PXB_MATCH_USER_CLASS = 1,
	PXB_MATCH_VENDOR_CLASS,
	PXB_MATCH_VENDOR_PREFIX,
	PXB_MATCH_ARCH,
	PXB_MATCH_MAC,
	PXB_MATCH_CIRCUIT_ID,
	PXB_MATCH_REMOTE_ID,
	PXB_MATCH_INTERFACE,
	PXB_MATCH_SUBNET,
	PXB_MATCH_GIADDR,
	PXB_MATCH_CLIENT_ADDR,
	PXB_MATCH_OPTION,
	PXB_MATCH_OPTION_EQUALS,
	PXB_MATCH_OPTION_CONTAINS,
	PXB_MATCH_OPTION_PREFIX,
	PXB_MATCH_OPTION_ITEM,
	PXB_MATCH_USER_CLASS_CONTAINS,
};

/* Returns the config name of a kind ("user-class", ...) or NULL. */
PXB_API const char *pxb_match_kind_name(enum pxb_match_kind k);

/* Parses a kind name as pxb_match_kind_name() gives it. Returns the kind or PXB_ERR_INVAL. */
PXB_API int pxb_match_kind_parse(const char *s);

struct pxb_match_cond_config {
	const char *set;               /* tag to add when the condition holds */
	enum pxb_match_kind kind;
	const char *value;             /* see the table above */
	int hex;                       /* value is hex octets */
	uint8_t option;                /* for option, option-equals */
	const uint16_t *archs;         /* for arch; NULL: parse value */
	size_t narchs;
};

struct pxb_match_host_config {
	const char *name;              /* for traces; may be NULL */
	const char *mac;               /* "aa:bb:cc:dd:ee:ff" */
	const char *const *tags;       /* tags to add */
	size_t ntags;
	const char *addr;              /* fixed address "a.b.c.d", NULL if none */
	int noboot;                    /* never offer a boot file */
	const struct pxb_dhcp_opt_config *options; /* sent to this host (see Options) */
	size_t noptions;
};

/*
 * An extra option (value as text, or hex when hex = 1). force = 1: sent
 * whatever the client's parameter request list says (dnsmasq's
 * dhcp-option-force); else only when listed there (RFC 2132 9.8).
 */
struct pxb_dhcp_opt_config {
	uint8_t code;
	const char *value;
	int hex;
	int force;
};

/* An option sent to every client whose tags satisfy tags (NULL or "": every client). */
struct pxb_tag_opt_config {
	const char *tags;
	struct pxb_dhcp_opt_config opt;
};

struct pxb_boot_rule_config {
	const char *name;              /* for traces; may be NULL */
	const char *tags;              /* tag expression; NULL or "" always holds */
	int noboot;                    /* holding this rule means: no boot offer */
	const char *file;              /* boot file or URL; NULL: none */
	const char *server_name;       /* sname / option 66; NULL: none */
	const char *next_server;       /* siaddr "a.b.c.d"; NULL: our own address */
	const struct pxb_dhcp_opt_config *options;
	size_t noptions;
};

struct pxb_arch_file_config {
	uint16_t arch;
	const char *file;
};

/*
 * A derived tag (dnsmasq's tag-if): when the expression tags holds (after
 * the host entry and the conditions, and the derived tags before this
 * one), every tag of set is added. NULL or "" tags: always.
 */
struct pxb_tag_if_config {
	const char *const *set;
	size_t nset;
	const char *tags;
};

struct pxb_match_config {
	const struct pxb_match_host_config *hosts;
	size_t nhosts;
	const struct pxb_match_cond_config *conds;
	size_t nconds;
	const struct pxb_boot_rule_config *rules;
	size_t nrules;
	const struct pxb_arch_file_config *arch_files;
	size_t narch_files;
	const struct pxb_tag_opt_config *tag_options;
	size_t ntag_options;
	const struct pxb_tag_if_config *tag_ifs;
	size_t ntag_ifs;
};

/* What a request arrived on. */
struct pxb_match_ctx {
	const char *ifname;            /* receiving interface, NULL if unknown */
	struct in_addr recv_addr;      /* our address on that interface */
};

#define PXB_BOOT_MAX_OPTS 16
#define PXB_CLIENT_MAX_OPTS 48

/* What the rules decided for one request. */
struct pxb_boot_choice {
	int offer;                     /* 1: send boot information; 0: no boot offer */
	int http;                      /* UEFI HTTP boot client: echo 60 "HTTPClient" */
	char file[256];                /* boot file or URL, "" if none */
	char server_name[64];          /* "" if none */
	int has_next_server;
	struct in_addr next_server;
	unsigned nopts;                /* the boot rule's options; data owned by the rules */
	struct {
		uint8_t code;
		uint8_t force;
		const uint8_t *data;
		size_t len;
	} opts[PXB_BOOT_MAX_OPTS];
	const char *host;              /* matched host name (owned by the rules), NULL */
	int has_fixed_addr;
	struct in_addr fixed_addr;
	unsigned nclient_opts;         /* the host's and the tags' options, one per code */
	struct {
		uint8_t code;
		uint8_t force;
		const uint8_t *data;
		size_t len;
	} client_opts[PXB_CLIENT_MAX_OPTS];
};

#define PXB_MATCH_TRACE_MAX 160

enum pxb_match_step_kind {
	PXB_STEP_HOST = 1,     /* host entry index matched, tag added (or "" for none) */
	PXB_STEP_COND,         /* condition index held, tag added */
	PXB_STEP_NOBOOT_HOST,  /* host index says noboot */
	PXB_STEP_NOBOOT_RULE,  /* boot rule index with noboot held */
	PXB_STEP_RULE,         /* boot rule index held and was chosen */
	PXB_STEP_ARCH_DEFAULT, /* arch_files index chosen */
	PXB_STEP_NONE,         /* nothing gave a boot file */
	PXB_STEP_OPT_HOST,     /* host index's option sub (code) */
	PXB_STEP_OPT_TAG,      /* option by tag index held (code) */
	PXB_STEP_OPT_RULE,     /* chosen boot rule index's option sub (code) */
	PXB_STEP_TAG_IF,       /* derived tag index held, tag added */
};

/*
 * An optional record of how a decision was reached (for "explain"). The
 * option steps come in order of precedence (host, tags, boot rule); lost
 * is 1 when an earlier step gave the same code, which then goes out instead.
 */
struct pxb_match_trace {
	unsigned n;                    /* steps recorded */
	unsigned dropped;              /* steps that did not fit */
	struct {
		enum pxb_match_step_kind kind;
		int index;
		char tag[PXB_TAG_LEN];
		int sub;               /* option steps: the option's place in its list */
		uint8_t code, force, lost; /* option steps */
	} step[PXB_MATCH_TRACE_MAX];
};

struct pxb_match_rules;

/*
 * Builds a rule set from cfg, copying everything it needs (cfg may be freed
 * afterwards). On PXB_ERR_CONFIG, *err_index (if not NULL) gets the index of
 * the offending entry and *err_what a static word ("host", "condition",
 * "rule", "arch-file").
 * Returns 0 with *out set, PXB_ERR_INVAL, PXB_ERR_CONFIG or PXB_ERR_NOMEM.
 */
PXB_API int pxb_match_rules_new(const struct pxb_match_config *cfg, struct pxb_match_rules **out,
				const char **err_what, size_t *err_index);

/* Frees a rule set (NULL is fine). */
PXB_API void pxb_match_rules_free(struct pxb_match_rules *rules);

/*
 * Evaluates rules for request m arriving as ctx (may be NULL). Adds tags to
 * client (existing tags are kept and can be tested by boot rules), fills
 * *out and, if trace is not NULL, records the steps.
 * Returns 0, PXB_ERR_INVAL, or PXB_ERR_TOOBIG when the client's tag list is
 * full (evaluation still completes with the tags that fit).
 */
PXB_API int pxb_match_eval(const struct pxb_match_rules *rules, const struct pxb_dhcp_msg *m,
			   const struct pxb_match_ctx *ctx, struct pxb_client *client,
			   struct pxb_boot_choice *out, struct pxb_match_trace *trace);

/*
 * Checks a tag expression (see Rule language). Returns 0 or PXB_ERR_CONFIG.
 */
PXB_API int pxb_match_expr_check(const char *expr);

/*
 * Puts the boot choice into a reply: boot file in the file field (when it
 * fits) and in option 67, server name in sname and option 66, siaddr
 * (next_server, else server_addr), option 60 "HTTPClient" for UEFI HTTP
 * boot clients (choice->http), and the rule's options; then the host's and
 * the tags' options (choice->client_opts, also when choice->offer is 0).
 * Options marked force go out whatever option 55 lists. When any of the
 * PXELINUX options 209-211 is set, 208 with the magic F1:00:74:7E is added
 * and all of them are sent whatever 55 says (RFC 5071 3.3, 4.5). Option 60
 * "PXEClient" is not added here: with it PXE firmware expects option 43
 * and may start boot server discovery, which is proxy mode's business.
 * Returns 0 or PXB_ERR_TOOBIG.
 */
PXB_API int pxb_dhcp_reply_apply_boot(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req,
				      const struct pxb_boot_choice *choice,
				      struct in_addr server_addr);

#ifdef __cplusplus
}
#endif
#endif
