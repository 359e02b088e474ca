/*
 * dhcp_codec.c - parsing DHCP datagrams into struct pxb_dhcp_msg.
 *
 * RFC 2131 (message format), RFC 2132 (options, overload 9.3), RFC 3396
 * (long options: instances of one code are concatenated), RFC 1542 (hops).
 * Every read of the datagram goes through lib/rbuf.h. Options are indexed,
 * not copied: msg->opt[code] holds an offset into the datagram, or into
 * msg->join when the option came in several instances. No allocation.
 */
#include "config.h"

#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"
#include "rbuf.h"

#define OFF_SNAME 44
#define OFF_FILE 108

enum area { AREA_OPTIONS, AREA_FILE, AREA_SNAME };

static const char *const reason_words[PXB_DHCP_R_COUNT] = {
	[PXB_DHCP_OK] = "ok",
	[PXB_DHCP_R_TRUNCATED] = "truncated",
	[PXB_DHCP_R_BAD_OP] = "bad-op",
	[PXB_DHCP_R_BAD_HLEN] = "bad-hlen",
	[PXB_DHCP_R_HTYPE_HLEN] = "htype-hlen-mismatch",
	[PXB_DHCP_R_HOPS] = "too-many-hops",
	[PXB_DHCP_R_BAD_COOKIE] = "bad-cookie",
	[PXB_DHCP_R_OPT_TRUNCATED] = "option-truncated",
	[PXB_DHCP_R_OPT_OVERRUN] = "option-overrun",
	[PXB_DHCP_R_NO_END] = "no-end",
	[PXB_DHCP_R_BAD_OVERLOAD] = "bad-overload",
	[PXB_DHCP_R_OVERLOAD_LOOP] = "overload-loop",
	[PXB_DHCP_R_BAD_MSG_TYPE] = "bad-message-type",
	[PXB_DHCP_R_TOO_LONG] = "too-long",
};

const char *pxb_dhcp_reason_str(enum pxb_dhcp_reason r)
{
	if ((unsigned)r >= PXB_DHCP_R_COUNT)
		return "unknown";
	return reason_words[r];
}

/*
 * Walks one option area. Pass 1 (fill == NULL) indexes options and checks
 * lengths; pass 2 (fill != NULL) copies the instances of split options into
 * m->join, fill[code] counting what is already there. Returns a reason.
 */
static enum pxb_dhcp_reason walk_area(struct pxb_dhcp_msg *m, size_t off, size_t len,
				      enum area area, uint16_t *fill, int *saw_end)
{
	struct pxb_rbuf r;

	*saw_end = 0;
	pxb_rbuf_init(&r, m->buf + off, len);
	while (pxb_rbuf_left(&r) > 0) {
		uint8_t code, olen;
		const uint8_t *d;
		struct pxb_dhcp_optidx *o;

		(void)pxb_rbuf_u8(&r, &code);
		if (code == PXB_OPT_PAD)
			continue;
		if (code == PXB_OPT_END) {
			*saw_end = 1;
			return PXB_DHCP_OK;
		}
		if (pxb_rbuf_u8(&r, &olen) < 0)
			return PXB_DHCP_R_OPT_TRUNCATED;
		if (pxb_rbuf_view(&r, &d, olen) < 0)
			return PXB_DHCP_R_OPT_OVERRUN;
		/* RFC 2132 9.3: 52 belongs in the options field only. */
		if (code == PXB_OPT_OVERLOAD && area != AREA_OPTIONS)
			return PXB_DHCP_R_OVERLOAD_LOOP;
		o = &m->opt[code];
		if (fill) {
			if (o->src == 2) {
				memcpy(m->join + o->off + fill[code], d, olen);
				fill[code] = (uint16_t)(fill[code] + olen);
			}
			continue;
		}
		if (o->src == 0) {
			o->src = 1;
			o->off = (uint16_t)(d - m->buf);
			o->len = olen;
			o->nparts = 1;
		} else {
			/* len cannot overflow: the datagram is at most 65535 octets */
			o->len = (uint16_t)(o->len + olen);
			if (o->nparts < 255)
				o->nparts++;
		}
	}
	return PXB_DHCP_OK;
}

/* Runs one pass over the options field, then file and sname when overloaded. */
static enum pxb_dhcp_reason walk_all(struct pxb_dhcp_msg *m, uint16_t *fill, unsigned flags)
{
	enum pxb_dhcp_reason why;
	int end;

	why = walk_area(m, PXB_DHCP_MIN_LEN, m->len - PXB_DHCP_MIN_LEN, AREA_OPTIONS, fill, &end);
	if (why)
		return why;
	m->has_end = (uint8_t)end;
	if (!end && (flags & PXB_DHCP_PARSE_STRICT))
		return PXB_DHCP_R_NO_END;

	if (!fill && m->opt[PXB_OPT_OVERLOAD].src) {
		const struct pxb_dhcp_optidx *o = &m->opt[PXB_OPT_OVERLOAD];

		if (o->len != 1 || o->nparts != 1 || m->buf[o->off] < 1 || m->buf[o->off] > 3)
			return PXB_DHCP_R_BAD_OVERLOAD;
		m->overload = m->buf[o->off];
	}
	/* RFC 3396 7: options field, then file, then sname. */
	if (m->overload & PXB_OVERLOAD_FILE) {
		why = walk_area(m, OFF_FILE, PXB_DHCP_FILE_LEN, AREA_FILE, fill, &end);
		if (why)
			return why;
		if (!end && (flags & PXB_DHCP_PARSE_STRICT))
			return PXB_DHCP_R_NO_END;
	}
	if (m->overload & PXB_OVERLOAD_SNAME) {
		why = walk_area(m, OFF_SNAME, PXB_DHCP_SNAME_LEN, AREA_SNAME, fill, &end);
		if (why)
			return why;
		if (!end && (flags & PXB_DHCP_PARSE_STRICT))
			return PXB_DHCP_R_NO_END;
	}
	return PXB_DHCP_OK;
}

/* Places every option that came in several instances in m->join. */
static enum pxb_dhcp_reason join_split(struct pxb_dhcp_msg *m, unsigned flags)
{
	uint16_t fill[256];
	size_t used = 0;
	int any = 0;

	for (unsigned c = 1; c < 255; c++) {
		struct pxb_dhcp_optidx *o = &m->opt[c];

		if (o->src != 1 || o->nparts < 2)
			continue;
		if (used + o->len > PXB_DHCP_JOIN_MAX)
			return PXB_DHCP_R_TOO_LONG;
		o->src = 2;
		o->off = (uint16_t)used;
		used += o->len;
		any = 1;
	}
	if (!any)
		return PXB_DHCP_OK;
	m->join_used = (uint16_t)used;
	memset(fill, 0, sizeof(fill));
	return walk_all(m, fill, flags);
}

static enum pxb_dhcp_reason parse_header(struct pxb_dhcp_msg *m, unsigned flags)
{
	struct pxb_rbuf r;
	uint32_t u32;
	uint8_t want_op = (flags & PXB_DHCP_PARSE_REPLY) ? PXB_BOOTREPLY : PXB_BOOTREQUEST;

	if (m->len < PXB_DHCP_MIN_LEN)
		return PXB_DHCP_R_TRUNCATED;
	if (m->len > UINT16_MAX)
		return PXB_DHCP_R_TOO_LONG;
	pxb_rbuf_init(&r, m->buf, m->len);
	/* The length check above makes every fetch below succeed. */
	if (pxb_rbuf_u8(&r, &m->op) < 0 || pxb_rbuf_u8(&r, &m->htype) < 0 ||
	    pxb_rbuf_u8(&r, &m->hlen) < 0 || pxb_rbuf_u8(&r, &m->hops) < 0 ||
	    pxb_rbuf_be32(&r, &m->xid) < 0 || pxb_rbuf_be16(&r, &m->secs) < 0 ||
	    pxb_rbuf_be16(&r, &m->flags) < 0 ||
	    pxb_rbuf_bytes(&r, &m->ciaddr.s_addr, 4) < 0 ||
	    pxb_rbuf_bytes(&r, &m->yiaddr.s_addr, 4) < 0 ||
	    pxb_rbuf_bytes(&r, &m->siaddr.s_addr, 4) < 0 ||
	    pxb_rbuf_bytes(&r, &m->giaddr.s_addr, 4) < 0 ||
	    pxb_rbuf_bytes(&r, m->chaddr, 16) < 0 ||
	    pxb_rbuf_view(&r, &m->sname, PXB_DHCP_SNAME_LEN) < 0 ||
	    pxb_rbuf_view(&r, &m->file, PXB_DHCP_FILE_LEN) < 0 || pxb_rbuf_be32(&r, &u32) < 0)
		return PXB_DHCP_R_TRUNCATED;
	if (m->op != want_op)
		return PXB_DHCP_R_BAD_OP;
	if (m->hlen > 16)
		return PXB_DHCP_R_BAD_HLEN;
	if (m->htype == 1 && m->hlen != 6)
		return PXB_DHCP_R_HTYPE_HLEN;
	if (m->hops > PXB_DHCP_MAX_HOPS)
		return PXB_DHCP_R_HOPS;
	if (u32 != PXB_DHCP_MAGIC)
		return PXB_DHCP_R_BAD_COOKIE;
	return PXB_DHCP_OK;
}

int pxb_dhcp_parse(struct pxb_dhcp_msg *m, const uint8_t *buf, size_t len, unsigned flags)
{
	enum pxb_dhcp_reason why;

	if (!m || (!buf && len))
		return PXB_ERR_INVAL;
	m->buf = buf;
	m->len = len;
	m->overload = 0;
	m->has_end = 0;
	m->join_used = 0;
	m->sname = m->file = NULL;
	memset(m->opt, 0, sizeof(m->opt));

	why = parse_header(m, flags);
	if (!why)
		why = walk_all(m, NULL, flags);
	if (!why)
		why = join_split(m, flags);
	if (!why && m->opt[PXB_OPT_MSG_TYPE].src && m->opt[PXB_OPT_MSG_TYPE].len != 1)
		why = PXB_DHCP_R_BAD_MSG_TYPE;
	if (!why) {
		if (m->overload & PXB_OVERLOAD_FILE)
			m->file = NULL;
		if (m->overload & PXB_OVERLOAD_SNAME)
			m->sname = NULL;
	}
	m->reason = why;
	return why ? PXB_ERR_PROTO : 0;
}

int pxb_dhcp_opt(const struct pxb_dhcp_msg *m, uint8_t code, struct pxb_dhcp_view *out)
{
	const struct pxb_dhcp_optidx *o = &m->opt[code];

	switch (o->src) {
	case 1:
		out->data = m->buf + o->off;
		break;
	case 2:
		out->data = m->join + o->off;
		break;
	default:
		out->data = NULL;
		out->len = 0;
		return PXB_ERR_NOENT;
	}
	out->len = o->len;
	return 0;
}

int pxb_dhcp_has_opt(const struct pxb_dhcp_msg *m, uint8_t code)
{
	return m->opt[code].src != 0;
}

int pxb_dhcp_subopt(const uint8_t *data, size_t len, uint8_t code, struct pxb_dhcp_view *out)
{
	struct pxb_rbuf r;

	pxb_rbuf_init(&r, data, len);
	while (pxb_rbuf_left(&r) > 0) {
		uint8_t c, l;
		const uint8_t *d;

		(void)pxb_rbuf_u8(&r, &c);
		if (c == PXB_OPT_PAD)
			continue;
		if (c == PXB_OPT_END)
			break;
		if (pxb_rbuf_u8(&r, &l) < 0 || pxb_rbuf_view(&r, &d, l) < 0)
			return PXB_ERR_PROTO;
		if (c == code) {
			out->data = d;
			out->len = l;
			return 0;
		}
	}
	return PXB_ERR_NOENT;
}
