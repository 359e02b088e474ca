/*
 * dhcp_lease_journal.c - the lease store on disk: record format, loading,
 * batched flush and compaction.
 *
 * File <state_dir>/leases.journal:
 *   header:  "PXBLEASE" | be32 version (1) | be32 CRC-32 of the 12 bytes before
 *   records: be16 len | u8 type | payload[len] | be32 CRC-32 of len, type, payload
 * Record types:
 *   1 PUT   be32 addr | u8 state | be64 expires | u8 key type | u8 key len |
 *           key bytes | u8 hostname len | hostname bytes | (later fields, ignored)
 *           Stores a lease, evicting the leases on its address and of its key.
 *   2 DEL   be32 addr. Deletes the lease on addr.
 *   others  skipped by their length (room for later versions).
 *
 * Why it survives kill -9 (and power loss, fsync permitting):
 * - records are only appended, at the offset just past the last complete
 *   record, by one pwrite() per flush followed by fdatasync(); the caller
 *   sends no DHCPACK before that returns;
 * - the loader replays records in order and stops at the first one that is
 *   short or fails its CRC: a torn append (any prefix of a batch, or pages of
 *   it written out of order) ends the journal there, and the tail is cut off
 *   before anything new is appended; nothing of that batch was acknowledged;
 * - compaction writes every journaled lease to leases.journal.tmp, fsyncs it,
 *   renames it over leases.journal and fsyncs the directory; rename is atomic,
 *   so a crash leaves the old complete journal or the new complete one, and a
 *   leftover .tmp is deleted on open;
 * - the journal is created the same way, so it always starts with a header.
 * Offers are never written: after a restart a client with an offer simply
 * asks again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/lease.h>
#include "dhcp_lease_internal.h"
#include "rbuf.h"

#define MAGIC "PXBLEASE"
#define JOURNAL_VERSION 1
#define HEADER_LEN 16
#define REC_OVERHEAD 7 /* len, type, crc */
#define REC_PUT 1
#define REC_DEL 2
#define PUT_FIXED 16   /* addr, state, expires, key type, key len, hostname len */
#define REC_MAX (REC_OVERHEAD + PUT_FIXED + PXB_LEASE_KEY_MAX + PXB_LEASE_HOSTNAME_MAX)

static uint8_t *put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put_be64(uint8_t *p, uint64_t v)
{
	p = put_be32(p, (uint32_t)(v >> 32));
	return put_be32(p, (uint32_t)v);
}

static void header_encode(uint8_t *p)
{
	memcpy(p, MAGIC, 8);
	put_be32(p + 8, JOURNAL_VERSION);
	put_be32(p + 12, pxb__crc32(0, p, 12));
}

size_t pxb__lease_rec_size(const struct pxb_lease *l)
{
	return REC_OVERHEAD + PUT_FIXED + l->key.len + strlen(l->hostname);
}

/* Closes a record started at rec: fills in its length and appends the CRC. */
static uint8_t *rec_finish(uint8_t *rec, uint8_t *end)
{
	size_t len = (size_t)(end - rec) - 3;

	put_be16(rec, (uint16_t)len);
	return put_be32(end, pxb__crc32(0, rec, len + 3));
}

/* Encodes a PUT record at p (room for REC_MAX); returns the end. */
static uint8_t *put_encode(uint8_t *p, const struct pxb_lease *l)
{
	uint8_t *rec = p;
	size_t hl = strlen(l->hostname);

	p[2] = REC_PUT;
	p = put_be32(p + 3, l->addr);
	*p++ = l->state;
	p = put_be64(p, (uint64_t)l->expires);
	*p++ = l->key.type;
	*p++ = l->key.len;
	memcpy(p, l->key.bytes, l->key.len);
	p += l->key.len;
	*p++ = (uint8_t)hl;
	memcpy(p, l->hostname, hl);
	return rec_finish(rec, p + hl);
}

static int buf_reserve(struct pxb__lease_buf *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->cap - b->len >= more)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return PXB_ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int pxb__lease_stage_put(struct pxb_lease_store *st, const struct pxb_lease *l)
{
	uint8_t *end;

	if (l->state == PXB_LEASE_OFFERED)
		return PXB_ERR_INVAL;
	if (buf_reserve(&st->staged, REC_MAX) < 0)
		return PXB_ERR_NOMEM;
	end = put_encode(st->staged.p + st->staged.len, l);
	st->staged.len = (size_t)(end - st->staged.p);
	st->staged_seq++;
	return 0;
}

int pxb__lease_stage_del(struct pxb_lease_store *st, uint32_t addr)
{
	uint8_t *p;

	if (buf_reserve(&st->staged, REC_OVERHEAD + 4) < 0)
		return PXB_ERR_NOMEM;
	p = st->staged.p + st->staged.len;
	p[2] = REC_DEL;
	p = rec_finish(p, put_be32(p + 3, addr));
	st->staged.len = (size_t)(p - st->staged.p);
	st->staged_seq++;
	return 0;
}

static int rbuf_be64(struct pxb_rbuf *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (pxb_rbuf_left(r) < 8)
		return PXB_ERR_PROTO;
	pxb_rbuf_be32(r, &hi);
	pxb_rbuf_be32(r, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Replays one PUT payload; returns 1 applied, 0 skipped, <0 error. */
static int apply_put(struct pxb_lease_store *st, struct pxb_rbuf *r)
{
	struct pxb_lease l;
	uint64_t expires;
	const uint8_t *v;
	uint8_t hl;

	memset(&l, 0, sizeof(l));
	if (pxb_rbuf_be32(r, &l.addr) < 0 || pxb_rbuf_u8(r, &l.state) < 0 ||
	    rbuf_be64(r, &expires) < 0 || pxb_rbuf_u8(r, &l.key.type) < 0 ||
	    pxb_rbuf_u8(r, &l.key.len) < 0 || l.key.len > PXB_LEASE_KEY_MAX ||
	    pxb_rbuf_bytes(r, l.key.bytes, l.key.len) < 0 || pxb_rbuf_u8(r, &hl) < 0 ||
	    hl > PXB_LEASE_HOSTNAME_MAX || pxb_rbuf_view(r, &v, hl) < 0)
		return 0;
	memcpy(l.hostname, v, hl);
	l.hostname[hl] = '\0'; /* an embedded NUL just shortens it */
	l.expires = (int64_t)expires;
	if (!pxb__lease_key_valid(&l.key))
		return 0;
	switch (l.state) {
	case PXB_LEASE_BOUND:
	case PXB_LEASE_RELEASED:
		if (l.key.type == PXB_LEASE_KEY_NONE)
			return 0;
		break;
	case PXB_LEASE_DECLINED:
		if (l.key.type != PXB_LEASE_KEY_NONE)
			return 0;
		break;
	default:
		return 0;
	}
	return pxb__lease_put(st, &l) < 0 ? PXB_ERR_NOMEM : 1;
}

static int apply_del(struct pxb_lease_store *st, struct pxb_rbuf *r)
{
	struct pxb__lease_rec *rec;
	uint32_t addr;

	if (pxb_rbuf_be32(r, &addr) < 0)
		return 0;
	rec = pxb__lease_find_addr(st, addr);
	if (rec)
		pxb__lease_del(st, rec);
	return 1;
}

/*
 * Replays the records in data[off..size); returns the offset just past the
 * last valid record (the end of the journal) or a negative error.
 */
static int64_t replay(struct pxb_lease_store *st, const uint8_t *data, size_t size, size_t off,
		      struct pxb_lease_load_stats *stats)
{
	struct pxb_rbuf r, payload;
	const uint8_t *rec, *p;
	uint16_t len;
	uint8_t type;
	uint32_t crc;
	int ret;

	pxb_rbuf_init(&r, data + off, size - off);
	while (pxb_rbuf_left(&r) > 0) {
		rec = r.p;
		if (pxb_rbuf_be16(&r, &len) < 0 || pxb_rbuf_u8(&r, &type) < 0 ||
		    pxb_rbuf_view(&r, &p, len) < 0 || pxb_rbuf_be32(&r, &crc) < 0 ||
		    pxb__crc32(0, rec, (size_t)len + 3) != crc)
			break; /* torn or corrupt: the journal ends here */
		pxb_rbuf_init(&payload, p, len);
		switch (type) {
		case REC_PUT:
			ret = apply_put(st, &payload);
			break;
		case REC_DEL:
			ret = apply_del(st, &payload);
			break;
		default:
			ret = 0;
		}
		if (ret < 0)
			return ret;
		if (ret == 0)
			stats->skipped++;
		else
			stats->records++;
		off += (size_t)len + REC_OVERHEAD;
	}
	return (int64_t)off;
}

static int fsync_dir(const struct pxb_lease_store *st)
{
	int fd, err = 0;

	if (st->no_sync)
		return 0;
	fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return PXB_ERR_IO;
	if (fsync(fd) < 0)
		err = PXB_ERR_IO;
	close(fd);
	return err;
}

static int write_all(int fd, const uint8_t *p, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, p, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return PXB_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * Writes data as the whole new journal: leases.journal.tmp, fsync, rename,
 * fsync of the directory. On success st->fd is the new file.
 */
static int replace_journal(struct pxb_lease_store *st, const uint8_t *data, size_t len)
{
	int fd, err;

	fd = open(st->tmp_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return PXB_ERR_IO;
	err = write_all(fd, data, len, 0);
	if (err == 0 && !st->no_sync && fsync(fd) < 0)
		err = PXB_ERR_IO;
	if (err == 0 && rename(st->tmp_path, st->path) < 0)
		err = PXB_ERR_IO;
	if (err < 0) {
		close(fd);
		unlink(st->tmp_path);
		return err;
	}
	if (st->fd >= 0)
		close(st->fd);
	st->fd = fd;
	st->file_size = len;
	if (fsync_dir(st) < 0) {
		/* the rename may not be on disk: later fsyncs would prove nothing */
		st->failed = 1;
		return PXB_ERR_IO;
	}
	return 0;
}

static int read_file(int fd, uint8_t **out, size_t *size)
{
	struct stat sb;
	uint8_t *data;
	size_t got = 0;
	ssize_t n;

	if (fstat(fd, &sb) < 0)
		return PXB_ERR_IO;
	if ((uint64_t)sb.st_size > SIZE_MAX - 1)
		return PXB_ERR_TOOBIG;
	data = malloc((size_t)sb.st_size + 1);
	if (!data)
		return PXB_ERR_NOMEM;
	while (got < (size_t)sb.st_size) {
		n = pread(fd, data + got, (size_t)sb.st_size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(data);
			return PXB_ERR_IO;
		}
		if (n == 0)
			break; /* shrank meanwhile: take what is there */
		got += (size_t)n;
	}
	*out = data;
	*size = got;
	return 0;
}

static void drop_expired(struct pxb_lease_store *st, int64_t now,
			 struct pxb_lease_load_stats *stats)
{
	struct pxb__lease_rec *r, *next;
	size_t i;

	for (i = 0; i < st->nbuckets; i++) {
		for (r = st->by_addr[i]; r; r = next) {
			next = r->next_addr;
			if (r->pub.expires <= now) {
				pxb__lease_del(st, r);
				stats->dropped_expired++;
			}
		}
	}
}

int pxb__lease_journal_open(struct pxb_lease_store *st, int64_t now,
			    struct pxb_lease_load_stats *stats)
{
	uint8_t hdr[HEADER_LEN], *data = NULL;
	size_t size = 0;
	int64_t end;
	int err;

	/* one store per directory: a second writer would interleave appends */
	st->lock_fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->lock_fd < 0)
		return errno == ENOENT ? PXB_ERR_NOENT :
		       errno == EACCES ? PXB_ERR_ACCESS : PXB_ERR_IO;
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? PXB_ERR_BUSY : PXB_ERR_IO;
	if (unlink(st->tmp_path) < 0 && errno != ENOENT)
		return PXB_ERR_IO;
	st->fd = open(st->path, O_RDWR | O_CLOEXEC);
	if (st->fd < 0 && errno != ENOENT)
		return errno == EACCES || errno == EPERM ? PXB_ERR_ACCESS : PXB_ERR_IO;
	if (st->fd >= 0) {
		err = read_file(st->fd, &data, &size);
		if (err < 0)
			return err;
	}
	if (size == 0) {
		/* new (or emptied by hand): write a fresh journal */
		free(data);
		header_encode(hdr);
		return replace_journal(st, hdr, sizeof(hdr));
	}
	header_encode(hdr);
	if (size < HEADER_LEN || memcmp(data, hdr, HEADER_LEN) != 0) {
		free(data);
		return PXB_ERR_PROTO; /* not ours, or another version: leave it alone */
	}
	end = replay(st, data, size, HEADER_LEN, stats);
	free(data);
	if (end < 0)
		return (int)end;
	st->file_size = (uint64_t)end;
	if ((size_t)end < size) {
		stats->torn_bytes = size - (size_t)end;
		if (ftruncate(st->fd, (off_t)end) < 0 || (!st->no_sync && fsync(st->fd) < 0))
			return PXB_ERR_IO;
	}
	drop_expired(st, now, stats);
	return 0;
}

/* Writes every journaled lease as a new journal (compaction). */
static int compact(struct pxb_lease_store *st)
{
	struct pxb__lease_buf snap = { NULL, 0, 0 };
	struct pxb__lease_rec *r;
	size_t i;
	int err;

	if (buf_reserve(&snap, HEADER_LEN + st->live_bytes) < 0)
		return PXB_ERR_NOMEM;
	header_encode(snap.p);
	snap.len = HEADER_LEN;
	for (i = 0; i < st->nbuckets; i++) {
		for (r = st->by_addr[i]; r; r = r->next_addr) {
			if (r->pub.state == PXB_LEASE_OFFERED)
				continue;
			if (buf_reserve(&snap, REC_MAX) < 0) {
				free(snap.p);
				return PXB_ERR_NOMEM;
			}
			snap.len = (size_t)(put_encode(snap.p + snap.len, &r->pub) - snap.p);
		}
	}
	err = replace_journal(st, snap.p, snap.len);
	free(snap.p);
	if (err == 0)
		st->compactions++;
	return err;
}

int pxb__lease_journal_flush(struct pxb_lease_store *st)
{
	uint64_t total;
	int err;

	if (st->failed)
		return PXB_ERR_IO;
	if (st->staged.len == 0)
		return 0;
	if (st->fd < 0) {
		st->staged.len = 0;
		st->durable_seq = st->staged_seq;
		return 0;
	}
	total = st->file_size + st->staged.len;
	if (total > st->compact_min &&
	    total / st->compact_ratio > HEADER_LEN + st->live_bytes) {
		err = compact(st);
		if (err == 0)
			goto done;
		if (st->failed)
			return err;
		/* could not compact (disk full?): appending may still work */
	}
	err = write_all(st->fd, st->staged.p, st->staged.len, (off_t)st->file_size);
	if (err < 0)
		return err; /* nothing acknowledged; the next flush rewrites the same bytes */
	if (!st->no_sync && fdatasync(st->fd) < 0) {
		/* Linux may have dropped the dirty pages: a retry would lie */
		st->failed = 1;
		return PXB_ERR_IO;
	}
	st->file_size += st->staged.len;
done:
	st->staged.len = 0;
	st->durable_seq = st->staged_seq;
	st->flushes++;
	return 0;
}
