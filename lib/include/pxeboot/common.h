/*
 * pxeboot/common.h - what every part of libpxeboot shares: the export
 * macro, the error convention, time, allocation and client identity.
 *
 * Errors: every function that can fail returns 0 (or a non-negative count)
 * on success and a negative PXB_ERR_* code on failure; pxb_strerror() turns
 * a code into words. Time is never read by the library: callers pass "now"
 * as milliseconds on a monotonic clock (pxb_ms_t).
 */
#ifndef PXEBOOT_COMMON_H
#define PXEBOOT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PXB_BUILDING_LIB)
#define PXB_API __attribute__((visibility("default")))
#else
#define PXB_API
#endif

/* Marks the one symbol a plugin exports. */
#define PXB_EXPORT __attribute__((visibility("default")))

#define PXB_VERSION_STRING "0.1.0"

enum pxb_error {
	PXB_OK = 0,
	PXB_ERR_NOMEM = -1,    /* an allocation failed */
	PXB_ERR_INVAL = -2,    /* an argument or value is not acceptable */
	PXB_ERR_NOENT = -3,    /* no such file, entry or setting */
	PXB_ERR_ACCESS = -4,   /* refused: outside a root, not permitted */
	PXB_ERR_PROTO = -5,    /* malformed or out-of-sequence protocol data */
	PXB_ERR_IO = -6,       /* the operating system reported an I/O error */
	PXB_ERR_TOOBIG = -7,   /* a name, value or message exceeds a limit */
	PXB_ERR_EXIST = -8,    /* already registered or present */
	PXB_ERR_ABI = -9,      /* a plugin was built for another ABI */
	PXB_ERR_BUSY = -10,    /* a limit of concurrent use is reached */
	PXB_ERR_CONFIG = -11,  /* the configuration is invalid */
	PXB_ERR_UNSUPP = -12,  /* a request the implementation does not support */
	PXB_ERR_TIMEOUT = -13, /* the peer stopped answering */
	PXB_ERR_AGAIN = -14,   /* nothing to do now; try again later */
};

/* Returns a static English description of a PXB_ERR_* code. */
PXB_API const char *pxb_strerror(int err);

/* Returns the library version string, e.g. "0.1.0". */
PXB_API const char *pxb_version(void);

/* Monotonic time in milliseconds, supplied by the caller. */
typedef int64_t pxb_ms_t;
#define PXB_MS_NEVER INT64_MAX

/*
 * Log levels, as syslog's (a library user maps them to anything).
 */
enum pxb_log_level {
	PXB_LOG_ERR = 3,
	PXB_LOG_WARNING = 4,
	PXB_LOG_NOTICE = 5,
	PXB_LOG_INFO = 6,
	PXB_LOG_DEBUG = 7,
};

/*
 * What is known of the client a request comes from. Renderers and file
 * providers receive it so that a generated file can be made for this client.
 * Fields a protocol does not know are zero (has_mac = 0, arch = PXB_ARCH_UNKNOWN).
 */
#define PXB_ARCH_UNKNOWN 0xffff
#define PXB_MAX_TAGS 32
#define PXB_TAG_LEN 32

struct pxb_client {
	int has_mac;
	uint8_t mac[6];
	struct in_addr addr;        /* the client's IPv4 address, 0 if unknown */
	struct in_addr server_addr; /* our address as the client reached it */
	uint16_t arch;              /* RFC 4578 client system architecture */
	int has_uuid;
	uint8_t uuid[16];
	char user_class[64];        /* e.g. "iPXE", empty if none */
	unsigned ntags;
	char tags[PXB_MAX_TAGS][PXB_TAG_LEN];
	uint16_t http_port;         /* our HTTP port, for URLs in menus */
	const char *token;          /* per-boot access token, NULL if none */
};

/* Formats a MAC as "aa:bb:cc:dd:ee:ff" (sep between bytes) into buf (at least 18 bytes).
 * Returns buf; never fails. */
PXB_API char *pxb_mac_format(const uint8_t mac[6], char *buf, char sep);

/* Returns the value (0-15) of the hex digit c, either case, or -1 when c is not one. */
PXB_API int pxb_hexval(int c);

/*
 * Appends the n bytes at s to the text *p, *len bytes long in *cap allocated
 * (all 0 for a new one), kept NUL-terminated; a new allocation takes first
 * bytes (> 0), and it doubles when it must grow. Returns 0, PXB_ERR_NOMEM
 * (the text untouched).
 */
PXB_API int pxb_text_append(char **p, size_t *len, size_t *cap, size_t first, const char *s,
			    size_t n);

/* Parses "aa:bb:cc:dd:ee:ff" (':' or '-'); returns 0 or PXB_ERR_INVAL. */
PXB_API int pxb_mac_parse(const char *s, uint8_t mac[6]);

/* Returns 1 when the client carries tag, else 0. */
PXB_API int pxb_client_has_tag(const struct pxb_client *c, const char *tag);

/* Adds tag to the client (no duplicates); PXB_ERR_TOOBIG when full. */
PXB_API int pxb_client_add_tag(struct pxb_client *c, const char *tag);

#ifdef __cplusplus
}
#endif
#endif
