/*
 * lease_journal.c - the lease store on disk: record format, loading,
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
 *   3 LOSS  be64 time. Leases were lost at that time (a damaged journal):
 *           addresses may be held by clients the table does not know.
 *   others  skipped by their length (room for later versions).
 * Byte order: every integer is big-endian (network order) and written a byte
 * at a time (put_be16/32/64, rbuf reads), never a struct or a host integer
 * copied, and there is no padding: the file is the same bytes on every CPU,
 * so a journal moves between machines of either byte order (t/state_xabi.sh
 * pins it against t/golden/state_xabi/leases.journal). Addresses are the
 * in-memory host-order value (pxeboot/lease.h), so 198.18.0.1 is c6 12 00 01.
 *
 * Why it survives kill -9 (and power loss, fsync permitting):
 * - records are only appended, at the offset just past the last complete
 *   record, by one pwrite() per flush followed by fdatasync(); the caller
 *   sends no DHCPACK before that returns;
 * - a torn append (kill -9 or power cut during the pwrite) leaves a prefix of
 *   the batch: complete records, then an incomplete last one, or zeros where
 *   the file grew but the data did not reach the disk. The loader cuts such a
 *   tail off before anything new is appended; nothing of it was acknowledged;
 * - compaction writes every journaled lease to leases.journal.tmp, fsyncs it,
 *   renames it over leases.journal and fsyncs the directory; rename is atomic,
 *   so a crash leaves the old complete journal or the new complete one, and a
 *   leftover .tmp is deleted on open;
 * - the journal is created the same way, so it always starts with a header.
 *
 * Damage (a flipped bit, a bad sector) is not a torn tail: acknowledged
 * leases sit after it. The framing has no sync marker, so the loader skips a
 * record that is complete but fails its CRC by scanning forward byte by byte
 * for the next offset where a PUT, DEL or LOSS record of plausible length
 * passes its CRC, and goes on from there. Candidates are at most
 * RESYNC_MAX_PAYLOAD bytes long, so the scan is linear in the file size.
 * (Key bytes come from clients; a damaged record could hide bytes that
 * frame as a record. Such a find is one record's worth of harm, and after
 * any loss the DHCP server probes addresses before offering them.)
 * After damage the file is copied to leases.journal.damaged-<time> first,
 * then rewritten by a compaction that carries a LOSS record.
 * A header that is short or fails its CRC is refused (PXB_ERR_PROTO) and the
 * file left alone. Renamed to leases.journal.damaged, such a file is
 * salvaged at the next open: its records are read as after damage, a new
 * journal is written, and it is renamed leases.journal.damaged-<time>.
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
#include <pxeboot/lease_store.h>
#include "lease_internal.h"
#include "rbuf.h"

#define MAGIC "PXBLEASE"
#define JOURNAL_VERSION 1
#define HEADER_LEN 16
#define REC_OVERHEAD 7 /* len, type, crc */
#define REC_PUT 1
#define REC_DEL 2
#define REC_LOSS 3
#define RESYNC_MAX_PAYLOAD 512 /* longest record a resync accepts (PUT with later fields) */
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

/* Reads one PUT payload into *l; returns 1, or 0 when it is not a valid lease. */
static int parse_put(struct pxb_rbuf *r, struct pxb_lease *out)
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
	*out = l;
	return 1;
}

/* Replays one PUT payload; returns 1 applied, 0 skipped, <0 error. */
static int apply_put(struct pxb_lease_store *st, struct pxb_rbuf *r)
{
	struct pxb_lease l;

	if (!parse_put(r, &l))
		return 0;
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

/* Replays one LOSS payload: the latest loss is kept. */
static int apply_loss(struct pxb_lease_store *st, struct pxb_rbuf *r)
{
	uint64_t t;

	if (rbuf_be64(r, &t) < 0)
		return 0;
	if ((int64_t)t > st->loss_time)
		st->loss_time = (int64_t)t;
	return 1;
}

/* The whole size of the record at data[off] if it is complete and passes its CRC, else 0. */
static size_t rec_at(const uint8_t *data, size_t size, size_t off)
{
	struct pxb_rbuf r;
	const uint8_t *p;
	uint16_t len;
	uint8_t type;
	uint32_t crc;

	pxb_rbuf_init(&r, data + off, size - off);
	if (pxb_rbuf_be16(&r, &len) < 0 || pxb_rbuf_u8(&r, &type) < 0 ||
	    pxb_rbuf_view(&r, &p, len) < 0 || pxb_rbuf_be32(&r, &crc) < 0 ||
	    pxb__crc32(0, data + off, (size_t)len + 3) != crc)
		return 0;
	return (size_t)len + REC_OVERHEAD;
}

int pxb__lease_staged_each(const struct pxb_lease_store *st,
			   int (*fn)(void *arg, const struct pxb_lease_change *c), void *arg)
{
	struct pxb_lease_change c;
	struct pxb_rbuf payload;
	uint64_t seq = st->taken_seq;
	size_t off = 0, n;
	int err;

	/* the staged records were made by this file: each is complete and valid */
	while (off < st->staged.len && (n = rec_at(st->staged.p, st->staged.len, off)) != 0) {
		memset(&c, 0, sizeof(c));
		c.seq = ++seq;
		pxb_rbuf_init(&payload, st->staged.p + off + 3, n - REC_OVERHEAD);
		if (st->staged.p[off + 2] == REC_PUT) {
			c.op = PXB_LEASE_CHANGE_PUT;
			if (!parse_put(&payload, &c.lease))
				c.op = 0;
		} else {
			c.op = PXB_LEASE_CHANGE_DEL;
			pxb_rbuf_be32(&payload, &c.lease.addr);
		}
		off += n;
		if (c.op && (err = fn(arg, &c)) < 0)
			return err;
	}
	return 0;
}

/* May a record of this type and payload length be where replay resumes after damage? */
static int resync_plausible(uint8_t type, unsigned len)
{
	switch (type) {
	case REC_PUT:
		return len >= PUT_FIXED && len <= RESYNC_MAX_PAYLOAD;
	case REC_DEL:
		return len == 4;
	case REC_LOSS:
		return len == 8;
	}
	return 0;
}

/*
 * The first offset >= off where a plausible record passes its CRC, or size.
 * At most RESYNC_MAX_PAYLOAD + 3 bytes are checksummed per offset.
 */
static size_t resync(const uint8_t *data, size_t size, size_t off)
{
	for (; off + REC_OVERHEAD <= size; off++) {
		unsigned len = (unsigned)data[off] << 8 | data[off + 1];

		if (resync_plausible(data[off + 2], len) && rec_at(data, size, off))
			return off;
	}
	return size;
}

/*
 * Is data[off..size), in which no valid record starts, what a torn append
 * leaves: a record that runs past the end of the file, or zeros?
 */
static int torn_tail(const uint8_t *data, size_t size, size_t off)
{
	size_t i;

	if (size - off < REC_OVERHEAD ||
	    off + REC_OVERHEAD + ((size_t)data[off] << 8 | data[off + 1]) > size)
		return 1;
	for (i = off; i < size && data[i] == 0; i++)
		;
	return i == size;
}

/*
 * Replays the records in data[off..size), skipping damaged stretches (see
 * the top); sets *damaged when one was skipped. Returns the offset just past
 * the last valid record (the end of the journal) or a negative error.
 */
static int64_t replay(struct pxb_lease_store *st, const uint8_t *data, size_t size, size_t off,
		      struct pxb_lease_load_stats *stats, int *damaged)
{
	struct pxb_rbuf payload;
	size_t n, next, end = off;
	int ret;

	while (off < size) {
		n = rec_at(data, size, off);
		if (n == 0) {
			next = resync(data, size, off + 1);
			if (next == size && torn_tail(data, size, off)) {
				stats->torn_bytes = size - off;
				break;
			}
			stats->damaged_bytes += next - off;
			stats->damaged_regions++;
			*damaged = 1;
			off = next;
			continue;
		}
		pxb_rbuf_init(&payload, data + off + 3, n - REC_OVERHEAD);
		switch (data[off + 2]) {
		case REC_PUT:
			ret = apply_put(st, &payload);
			break;
		case REC_DEL:
			ret = apply_del(st, &payload);
			break;
		case REC_LOSS:
			ret = apply_loss(st, &payload);
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
		off += n;
		end = off;
	}
	return (int64_t)end;
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

/* <dir>/name, malloc'ed (NULL: out of memory). */
static char *dir_file(const struct pxb_lease_store *st, const char *name)
{
	size_t n = strlen(st->dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", st->dir, name);
	return p;
}

/*
 * Keeps a damaged journal as leases.journal.damaged-<now> (".N" added when
 * that name is taken): renames the file "from" when given, else writes data
 * there. The name goes to stats->kept_aside.
 */
static int keep_aside(struct pxb_lease_store *st, const uint8_t *data, size_t size,
		      const char *from, int64_t now, struct pxb_lease_load_stats *stats)
{
	char name[sizeof(stats->kept_aside)], *path = NULL;
	int fd = -1, err = PXB_ERR_IO;
	struct stat sb;

	for (unsigned i = 0; i < 100; i++) {
		if (i)
			snprintf(name, sizeof(name), "leases.journal.damaged-%lld.%u", (long long)now,
				 i);
		else
			snprintf(name, sizeof(name), "leases.journal.damaged-%lld", (long long)now);
		free(path);
		path = dir_file(st, name);
		if (!path)
			return PXB_ERR_NOMEM;
		if (from) {
			if (lstat(path, &sb) == 0)
				continue;
			if (errno != ENOENT || rename(from, path) < 0)
				goto out;
			break;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (!from) {
		if (fd < 0 || write_all(fd, data, size, 0) < 0 ||
		    (!st->no_sync && fsync(fd) < 0)) {
			if (fd >= 0)
				unlink(path);
			goto out;
		}
	}
	err = fsync_dir(st);
	if (err == 0)
		memcpy(stats->kept_aside, name, sizeof(name));
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return err;
}

static int compact(struct pxb_lease_store *st);

/*
 * Loads data[off..size) (a journal whose header is checked, or a salvaged
 * file). Without damage a torn tail is cut off the file. After damage, or
 * when salvaging (from: the file to rename), the file is kept aside, a loss
 * recorded and a new journal written.
 */
static int load(struct pxb_lease_store *st, const uint8_t *data, size_t size, size_t off,
		const char *from, int64_t now, struct pxb_lease_load_stats *stats)
{
	int damaged = from != NULL, err;
	int64_t end = replay(st, data, size, off, stats, &damaged);

	if (end < 0)
		return (int)end;
	drop_expired(st, now, stats);
	if (!damaged) {
		st->file_size = (uint64_t)end;
		if ((size_t)end < size &&
		    (ftruncate(st->fd, (off_t)end) < 0 || (!st->no_sync && fsync(st->fd) < 0)))
			return PXB_ERR_IO;
		return 0;
	}
	/* a copy first, before anything is rewritten */
	if (!from && (err = keep_aside(st, data, size, NULL, now, stats)) < 0)
		return err;
	if (now > st->loss_time)
		st->loss_time = now;
	stats->loss = 1;
	err = compact(st);
	if (err == 0 && from)
		err = keep_aside(st, data, size, from, now, stats);
	return err;
}

/* No journal: salvage leases.journal.damaged if there is one, else start afresh. */
static int create_or_salvage(struct pxb_lease_store *st, int64_t now,
			     struct pxb_lease_load_stats *stats)
{
	uint8_t hdr[HEADER_LEN], *data = NULL;
	char *from = dir_file(st, "leases.journal.damaged");
	size_t size = 0;
	int fd, err;

	if (!from)
		return PXB_ERR_NOMEM;
	fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(from);
		if (errno != ENOENT)
			return PXB_ERR_IO;
		header_encode(hdr);
		return replace_journal(st, hdr, sizeof(hdr));
	}
	err = read_file(fd, &data, &size);
	close(fd);
	if (err == 0) {
		/* whatever its first bytes say, they are where a header was */
		stats->damaged_bytes += size < HEADER_LEN ? size : HEADER_LEN;
		stats->damaged_regions++;
		err = load(st, data, size, size < HEADER_LEN ? size : HEADER_LEN, from, now, stats);
	}
	free(data);
	free(from);
	return err;
}

int pxb__lease_journal_open(struct pxb_lease_store *st, int64_t now,
			    struct pxb_lease_load_stats *stats)
{
	uint8_t hdr[HEADER_LEN], *data = NULL;
	size_t size = 0;
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
	if (st->fd < 0)
		return create_or_salvage(st, now, stats);
	err = read_file(st->fd, &data, &size);
	if (err < 0)
		return err;
	if (size == 0) {
		/* emptied by hand: write a fresh journal */
		free(data);
		header_encode(hdr);
		return replace_journal(st, hdr, sizeof(hdr));
	}
	header_encode(hdr);
	if (size >= HEADER_LEN && memcmp(data, hdr, 8) == 0 && memcmp(data + 8, hdr + 8, 4) != 0 &&
	    pxb__crc32(0, data, 12) == ((uint32_t)data[12] << 24 | (uint32_t)data[13] << 16 |
					(uint32_t)data[14] << 8 | data[15]))
		err = PXB_ERR_UNSUPP; /* another version: leave it alone */
	else if (size < HEADER_LEN || memcmp(data, hdr, HEADER_LEN) != 0)
		err = PXB_ERR_PROTO; /* damaged header, or not ours: leave it alone */
	else
		err = load(st, data, size, HEADER_LEN, NULL, now, stats);
	free(data);
	return err;
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
	if (st->loss_time) {
		/* the loss stays known across restarts: addresses are probed until it is old */
		if (buf_reserve(&snap, REC_OVERHEAD + 8) < 0) {
			free(snap.p);
			return PXB_ERR_NOMEM;
		}
		snap.p[snap.len + 2] = REC_LOSS;
		snap.len = (size_t)(rec_finish(snap.p + snap.len,
					       put_be64(snap.p + snap.len + 3,
							(uint64_t)st->loss_time)) - snap.p);
	}
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
		if (st->external)
			return 0; /* a lease-store backend takes the changes (lease_store.c) */
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
