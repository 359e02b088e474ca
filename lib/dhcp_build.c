/*
 * dhcp_build.c - assembling and serializing DHCP replies.
 *
 * A struct pxb_dhcp_reply collects header fields and options (copied into
 * its own arena, no allocation); pxb_dhcp_build() picks the options the
 * client gets (RFC 2131 4.3.1 and its parameter request list, RFC 2132
 * 9.8), orders them stably, splits long ones (RFC 3396 section 5), and fits
 * them into the client's maximum message size (RFC 2132 9.10), spilling
 * into file and sname with option overload (RFC 2132 9.3) only when needed.
 */
#include "config.h"

#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"

#define OFF_SNAME 44
#define OFF_FILE 108

int pxb_dhcp_reply_init(struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req, uint8_t type)
{
	if (!r)
		return PXB_ERR_INVAL;
	memset(r, 0, offsetof(struct pxb_dhcp_reply, data));
	r->op = PXB_BOOTREPLY;
	if (req) {
		/* RFC 2131 4.3.1 table 3: fields a server copies from the request. */
		r->htype = req->htype;
		r->hlen = req->hlen;
		r->xid = req->xid;
		r->flags = req->flags;
		r->ciaddr = req->ciaddr;
		r->giaddr = req->giaddr;
		memcpy(r->chaddr, req->chaddr, sizeof(r->chaddr));
	} else {
		r->htype = 1;
		r->hlen = 6;
	}
	if (type)
		return pxb_dhcp_reply_set_u8(r, PXB_OPT_MSG_TYPE, type);
	return 0;
}

static struct pxb_dhcp_reply_opt *find(struct pxb_dhcp_reply *r, uint8_t code)
{
	for (unsigned i = 0; i < r->nopts; i++)
		if (r->opts[i].code == code)
			return &r->opts[i];
	return NULL;
}

int pxb_dhcp_reply_unset(struct pxb_dhcp_reply *r, uint8_t code)
{
	struct pxb_dhcp_reply_opt *o = find(r, code);
	uint16_t off, len;
	unsigned idx;

	if (!o)
		return PXB_ERR_NOENT;
	off = o->off;
	len = o->len;
	idx = (unsigned)(o - r->opts);
	/* Close the gap in the arena and in the table. */
	memmove(r->data + off, r->data + off + len, r->data_used - off - len);
	r->data_used = (uint16_t)(r->data_used - len);
	memmove(&r->opts[idx], &r->opts[idx + 1], (r->nopts - idx - 1) * sizeof(r->opts[0]));
	r->nopts--;
	for (unsigned i = 0; i < r->nopts; i++)
		if (r->opts[i].off > off)
			r->opts[i].off = (uint16_t)(r->opts[i].off - len);
	return 0;
}

static int set_opt(struct pxb_dhcp_reply *r, uint8_t code, const void *data, size_t len,
		   int force)
{
	struct pxb_dhcp_reply_opt *o;

	if (!r || code == PXB_OPT_PAD || code == PXB_OPT_END || code == PXB_OPT_OVERLOAD ||
	    (len && !data))
		return PXB_ERR_INVAL;
	(void)pxb_dhcp_reply_unset(r, code);
	if (len > sizeof(r->data) - r->data_used || r->nopts >= PXB_DHCP_REPLY_MAX_OPTS)
		return PXB_ERR_TOOBIG;
	o = &r->opts[r->nopts++];
	o->code = code;
	o->force = (uint8_t)force;
	o->off = r->data_used;
	o->len = (uint16_t)len;
	if (len)
		memcpy(r->data + r->data_used, data, len);
	r->data_used = (uint16_t)(r->data_used + len);
	return 0;
}

int pxb_dhcp_reply_set(struct pxb_dhcp_reply *r, uint8_t code, const void *data, size_t len)
{
	return set_opt(r, code, data, len, 0);
}

int pxb_dhcp_reply_set_forced(struct pxb_dhcp_reply *r, uint8_t code, const void *data,
			      size_t len)
{
	return set_opt(r, code, data, len, 1);
}

int pxb_dhcp_reply_set_u8(struct pxb_dhcp_reply *r, uint8_t code, uint8_t v)
{
	return set_opt(r, code, &v, 1, 0);
}

int pxb_dhcp_reply_set_u16(struct pxb_dhcp_reply *r, uint8_t code, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return set_opt(r, code, b, 2, 0);
}

int pxb_dhcp_reply_set_u32(struct pxb_dhcp_reply *r, uint8_t code, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return set_opt(r, code, b, 4, 0);
}

int pxb_dhcp_reply_set_addr(struct pxb_dhcp_reply *r, uint8_t code, struct in_addr a)
{
	return set_opt(r, code, &a.s_addr, 4, 0);
}

int pxb_dhcp_reply_set_str(struct pxb_dhcp_reply *r, uint8_t code, const char *s)
{
	if (!s)
		return PXB_ERR_INVAL;
	return set_opt(r, code, s, strlen(s), 0);
}

int pxb_dhcp_reply_set_file(struct pxb_dhcp_reply *r, const char *file)
{
	size_t n = file ? strlen(file) : 0;

	if (n >= sizeof(r->file))
		return PXB_ERR_TOOBIG;
	memset(r->file, 0, sizeof(r->file));
	if (n)
		memcpy(r->file, file, n);
	return 0;
}

int pxb_dhcp_reply_set_sname(struct pxb_dhcp_reply *r, const char *sname)
{
	size_t n = sname ? strlen(sname) : 0;

	if (n >= sizeof(r->sname))
		return PXB_ERR_TOOBIG;
	memset(r->sname, 0, sizeof(r->sname));
	if (n)
		memcpy(r->sname, sname, n);
	return 0;
}

/*
 * Options sent whether or not the client asked: the lease and identity
 * options of RFC 2131 table 3, the PXE boot options, and echoes required by
 * RFC 3046 2.2 (82), RFC 6842 (61) and the PXE spec (97).
 */
static int always_sent(uint8_t code)
{
	switch (code) {
	case PXB_OPT_MSG_TYPE: case PXB_OPT_SERVER_ID: case PXB_OPT_LEASE_TIME:
	case PXB_OPT_RENEWAL_TIME: case PXB_OPT_REBINDING_TIME: case PXB_OPT_SUBNET_MASK:
	case PXB_OPT_ROUTER: case PXB_OPT_MESSAGE: case PXB_OPT_VENDOR:
	case PXB_OPT_VENDOR_CLASS: case PXB_OPT_CLIENT_ID: case PXB_OPT_TFTP_SERVER:
	case PXB_OPT_BOOTFILE: case PXB_OPT_RELAY_AGENT: case PXB_OPT_UUID:
		return 1;
	}
	return 0;
}

/* Stable output order: the DHCP essentials first, then by code, 82 last. */
static unsigned rank(uint8_t code)
{
	switch (code) {
	case PXB_OPT_MSG_TYPE: return 0;
	case PXB_OPT_SERVER_ID: return 1;
	case PXB_OPT_LEASE_TIME: return 2;
	case PXB_OPT_RENEWAL_TIME: return 3;
	case PXB_OPT_REBINDING_TIME: return 4;
	case PXB_OPT_SUBNET_MASK: return 5;
	case PXB_OPT_ROUTER: return 6;
	case PXB_OPT_RELAY_AGENT: return 1000; /* RFC 3046 2.1 */
	}
	return 10u + code;
}

struct frag {
	uint8_t code;
	uint8_t len;
	uint8_t area;
	uint8_t first; /* first fragment of its option */
	const uint8_t *data;
};

#define MAX_FRAGS (PXB_DHCP_REPLY_MAX_OPTS + PXB_DHCP_REPLY_DATA / 255 + 1)

static uint8_t *put_frag(uint8_t *p, const struct frag *f)
{
	p[0] = f->code;
	p[1] = f->len;
	if (f->len)
		memcpy(p + 2, f->data, f->len);
	return p + 2 + f->len;
}

int pxb_dhcp_build(const struct pxb_dhcp_reply *r, const struct pxb_dhcp_msg *req,
		   uint8_t *out, size_t cap)
{
	const struct pxb_dhcp_reply_opt *sel[PXB_DHCP_REPLY_MAX_OPTS];
	struct frag frags[MAX_FRAGS];
	unsigned nsel = 0, nfrags = 0;
	size_t limit, total = 0, room[3], base[3], used[3] = { 0, 0, 0 };
	int has_prl = req && pxb_dhcp_has_opt(req, PXB_OPT_PRL);
	uint8_t overload = 0;
	uint8_t *p;
	size_t len;

	if (!r || !out)
		return PXB_ERR_INVAL;
	limit = PXB_MIN(cap, pxb_dhcp_max_reply_len(req));
	if (limit < PXB_DHCP_MIN_LEN + 1)
		return PXB_ERR_TOOBIG;

	/* Which options, in which order (insertion sort by rank). */
	for (unsigned i = 0; i < r->nopts; i++) {
		const struct pxb_dhcp_reply_opt *o = &r->opts[i];
		unsigned j;

		if (!(o->force || always_sent(o->code) || !has_prl || pxb_dhcp_prl_has(req, o->code)))
			continue;
		for (j = nsel; j > 0 && rank(sel[j - 1]->code) > rank(o->code); j--)
			sel[j] = sel[j - 1];
		sel[j] = o;
		nsel++;
	}

	/* RFC 3396 5: an option longer than 255 octets goes out as several. */
	for (unsigned i = 0; i < nsel; i++) {
		size_t left = sel[i]->len;
		const uint8_t *d = r->data + sel[i]->off;
		int first = 1;

		do {
			size_t n = PXB_MIN(left, 255);

			if (nfrags >= MAX_FRAGS)
				return PXB_ERR_TOOBIG;
			frags[nfrags++] = (struct frag){ sel[i]->code, (uint8_t)n, 0, (uint8_t)first, d };
			total += 2 + n;
			d += n;
			left -= n;
			first = 0;
		} while (left > 0);
	}

	base[0] = PXB_DHCP_MIN_LEN;
	base[1] = OFF_FILE;
	base[2] = OFF_SNAME;
	if (total <= limit - PXB_DHCP_MIN_LEN - 1) {
		room[0] = limit - PXB_DHCP_MIN_LEN - 1;
		room[1] = room[2] = 0;
	} else {
		/* RFC 2132 9.3: overload, each area ending with its own END. */
		if (limit < PXB_DHCP_MIN_LEN + 4)
			return PXB_ERR_TOOBIG;
		room[0] = limit - PXB_DHCP_MIN_LEN - 3 - 1;
		room[1] = r->file[0] ? 0 : PXB_DHCP_FILE_LEN - 1;
		room[2] = r->sname[0] ? 0 : PXB_DHCP_SNAME_LEN - 1;
	}
	/*
	 * First fit, keeping the pieces of one option in area order (options,
	 * file, sname) so that the receiver concatenates them right (RFC 3396 7).
	 */
	for (unsigned i = 0; i < nfrags; i++) {
		unsigned a = frags[i].first ? 0 : frags[i - 1].area;
		size_t need = 2u + frags[i].len;

		while (a < 3 && room[a] - used[a] < need)
			a++;
		if (a == 3)
			return PXB_ERR_TOOBIG;
		frags[i].area = (uint8_t)a;
		used[a] += need;
	}
	if (used[1])
		overload |= PXB_OVERLOAD_FILE;
	if (used[2])
		overload |= PXB_OVERLOAD_SNAME;

	/* Header (RFC 2131 section 2). */
	len = PXB_DHCP_MIN_LEN + used[0] + (overload ? 3 : 0) + 1;
	memset(out, 0, len);
	out[0] = r->op;
	out[1] = r->htype;
	out[2] = r->hlen;
	out[3] = r->hops;
	out[4] = (uint8_t)(r->xid >> 24);
	out[5] = (uint8_t)(r->xid >> 16);
	out[6] = (uint8_t)(r->xid >> 8);
	out[7] = (uint8_t)r->xid;
	out[8] = (uint8_t)(r->secs >> 8);
	out[9] = (uint8_t)r->secs;
	out[10] = (uint8_t)(r->flags >> 8);
	out[11] = (uint8_t)r->flags;
	memcpy(out + 12, &r->ciaddr.s_addr, 4);
	memcpy(out + 16, &r->yiaddr.s_addr, 4);
	memcpy(out + 20, &r->siaddr.s_addr, 4);
	memcpy(out + 24, &r->giaddr.s_addr, 4);
	memcpy(out + 28, r->chaddr, 16);
	if (!(overload & PXB_OVERLOAD_SNAME))
		memcpy(out + OFF_SNAME, r->sname, PXB_DHCP_SNAME_LEN);
	if (!(overload & PXB_OVERLOAD_FILE))
		memcpy(out + OFF_FILE, r->file, PXB_DHCP_FILE_LEN);
	out[236] = 0x63;
	out[237] = 0x82;
	out[238] = 0x53;
	out[239] = 0x63;

	for (unsigned a = 0; a < 3; a++) {
		if (a > 0 && !used[a])
			continue;
		p = out + base[a];
		for (unsigned i = 0; i < nfrags; i++)
			if (frags[i].area == a)
				p = put_frag(p, &frags[i]);
		if (a == 0 && overload) {
			*p++ = PXB_OPT_OVERLOAD;
			*p++ = 1;
			*p++ = overload;
		}
		*p = PXB_OPT_END;
	}
	/* RFC 1542 2.1: some BOOTP relays and ROMs drop messages under 300 octets. */
	if (len < PXB_DHCP_BOOTP_MIN && cap >= PXB_DHCP_BOOTP_MIN) {
		memset(out + len, 0, PXB_DHCP_BOOTP_MIN - len);
		len = PXB_DHCP_BOOTP_MIN;
	}
	return (int)len;
}
