/*
 * tftp_worker.c - the datagrams of running TFTP transfers, on a thread of
 * their own with a bare epoll loop.
 *
 * Why a thread: in lock-step every block is one ACK in and one DATA out,
 * and when the server is quicker than its client (the usual case) each
 * ACK is a wake-up of its own. On the daemon's libevent loop a wake-up
 * costs about 600 user-space instructions (callgrind, libevent 2.1: time
 * cache, timer heap, activation queues, priorities) before the transfer
 * sees its ACK, more than the engine's whole work for the block (~250).
 * Here a wake-up is one epoll_wait and a pointer. The thread touches only
 * what it was handed: a transfer's socket, session and open file. The
 * loop keeps requests, the file namespace, limits, logs, events and
 * metrics, so nothing else needs a lock; the two meet in queues under one
 * mutex, with an eventfd to wake the other side: transfers handed over,
 * transfers ended, and transfers that got their client's first ACK (the
 * loop counts those apart until then, tftp_driver.c).
 *
 * What to send and when is the engine's (lib/tftp_session.c): the packets
 * of a call, written into the thread's one output buffer, leave at once,
 * as few UDP segmentation offload writes as it takes (see send_gso), else
 * by sendmmsg(2); when a window goes on (out.more), the engine is asked for
 * the rest out.gap_us later (the pacing queue).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "tftp_driver.h"

/* Transfers running from which wake-ups are moderated (see moderate). */
#define COALESCE_MIN 32

/* epoll tags of the worker's own descriptors (transfers are tagged by address) */
static char tag_wake, tag_pace;

/* pxbd_now(), inline: read for every block in lock-step. */
static inline pxb_ms_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (pxb_ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the deadline heap: transfers by armed, x->hidx their place ---- */

static int heap_less(const void *a, const void *b)
{
	return ((const struct xfer *)a)->armed < ((const struct xfer *)b)->armed;
}

static void heap_place(void *e, unsigned i)
{
	((struct xfer *)e)->hidx = i;
}

static void heap_remove(struct tftp_worker *w, struct xfer *x)
{
	if (x->armed == PXB_MS_NEVER)
		return;
	pxb_idxheap_remove(&w->heap, x->hidx, heap_less, heap_place);
	x->armed = PXB_MS_NEVER;
}

static struct xfer *heap_top(const struct tftp_worker *w)
{
	return w->heap.n ? w->heap.v[0] : NULL;
}

/*
 * Keeps the timer no later than the session's deadline. Every ACK moves the
 * deadline, so the timer is only moved when the deadline comes earlier; a
 * timer that fires before the deadline finds the session saying "not yet"
 * (PXB_ERR_AGAIN) and is armed again. That is one heap operation per
 * timeout period instead of one per ACK. Returns -1 when the heap cannot
 * grow.
 */
static int arm(struct tftp_worker *w, struct xfer *x, pxb_ms_t dl)
{
	if (dl == PXB_MS_NEVER) {
		heap_remove(w, x);
		return 0;
	}
	if (x->armed <= dl)
		return 0;
	if (x->armed == PXB_MS_NEVER) {
		if (w->heap.n == w->cap) {
			unsigned cap = w->cap ? 2 * w->cap : 64;
			void **v = realloc(w->heap.v, cap * sizeof(*v));

			if (!v)
				return -1;
			w->heap.v = v;
			w->cap = cap;
		}
		x->armed = dl;
		pxb_idxheap_push(&w->heap, x, heap_less, heap_place);
	} else {
		x->armed = dl; /* earlier: up */
		pxb_idxheap_up(&w->heap, x->hidx, heap_less, heap_place);
	}
	return 0;
}

/* ---- pacing ---- */

static void pace_arm(struct tftp_worker *w)
{
	struct itimerspec its = {{0, 0}, {0, 0}};

	if (w->phead) {
		its.it_value.tv_sec = (time_t)(w->phead->due_us / 1000000u);
		its.it_value.tv_nsec = (long)(w->phead->due_us % 1000000u) * 1000;
	}
	timerfd_settime(w->pace_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void pace_unlink(struct tftp_worker *w, struct xfer *x)
{
	if (!x->paced)
		return;
	x->paced = 0;
	if (x->pprev)
		x->pprev->pnext = x->pnext;
	else
		w->phead = x->pnext;
	if (x->pnext)
		x->pnext->pprev = x->pprev;
	else
		w->ptail = x->pprev;
	x->pprev = x->pnext = NULL;
}

/*
 * UDP segmentation offload (Linux 4.18, UDP_SEGMENT): one write carries
 * several datagrams of gso_size bytes (the last may be shorter), which
 * the kernel or the NIC cuts apart. A window's DATA packets are all 4 +
 * blksize bytes but the file's last, so the packets laid end to end in an
 * iovec are exactly the segments, and each arrives as a datagram of its
 * own with its own header. The stack is walked once per write instead of
 * once per datagram: on loopback 16 blocks of 1468 cost a quarter of the
 * system time of a sendmmsg of 16 (measured, 100000 windows).
 * The kernel refuses a write of more than GSO_MAX_SEGS segments or
 * GSO_MAX_BYTES of payload (IP's 16-bit length); it also refuses segments
 * larger than the route's MTU allows (EMSGSIZE or EINVAL, by version) and
 * devices without checksum offload (EIO): then the transfer sends by
 * sendmmsg from then on.
 */
#define GSO_MAX_SEGS 64
#define GSO_MAX_BYTES (65535u - 20u - 8u)

/* How many of pkts[0..n) (n >= 1) one segmented write can carry. */
static unsigned gso_run(const struct pxb_tftp_pkt *pkts, unsigned n)
{
	size_t seg = pkts[0].len, total = seg;
	unsigned k = 1;

	while (k < n && k < GSO_MAX_SEGS && pkts[k - 1].len == seg && pkts[k].len <= seg &&
	       total + pkts[k].len <= GSO_MAX_BYTES)
		total += pkts[k++].len;
	return k;
}

/* Sends pkts[0..k) as one segmented write; returns sendmsg's result. */
static ssize_t send_gso(struct xfer *x, const struct pxb_tftp_pkt *pkts, unsigned k)
{
	struct iovec iov[GSO_MAX_SEGS];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {
		.msg_name = &x->peer, .msg_namelen = sizeof(x->peer),
		.msg_iov = iov, .msg_iovlen = k,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	uint16_t seg = (uint16_t)pkts[0].len;

	for (unsigned i = 0; i < k; i++) {
		iov[i].iov_base = (void *)pkts[i].data;
		iov[i].iov_len = pkts[i].len;
	}
	memset(&ctl, 0, sizeof(ctl));
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	return sendmsg(x->fd, &msg, 0);
}

/*
 * Sends what of pkts[0..n) segmented writes can carry; returns how many
 * packets are out (the rest: runs of one, or after the kernel refused).
 */
static unsigned send_segmented(struct xfer *x, const struct pxb_tftp_pkt *pkts, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		unsigned k = gso_run(pkts + done, n - done);

		if (k < 2)
			break;
		if (send_gso(x, pkts + done, k) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS)
				return n; /* a full buffer is loss: the engine resends */
			x->gso = 0; /* refused for this route or device */
			x->gso_err = errno;
			break;
		}
		x->gso_writes++;
		done += k;
	}
	return done;
}

/* Sends pkts[0..n): segmented where it can, the rest by sendmmsg. */
static void send_now(struct xfer *x, const struct pxb_tftp_pkt *pkts, unsigned n)
{
	struct mmsghdr msgs[64];
	struct iovec iov[64];
	unsigned done = x->gso ? send_segmented(x, pkts, n) : 0;

	while (done < n) {
		unsigned k = n - done;
		int rc;
		if (k > 64)
			k = 64;
		for (unsigned i = 0; i < k; i++) {
			iov[i].iov_base = (void *)pkts[done + i].data;
			iov[i].iov_len = pkts[done + i].len;
			msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &x->peer, .msg_namelen = sizeof(x->peer),
				.msg_iov = &iov[i], .msg_iovlen = 1,
			};
			msgs[i].msg_len = 0;
		}
		rc = sendmmsg(x->fd, msgs, k, 0);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			/* A full socket buffer is loss: the engine's timer resends. */
			return;
		}
		done += rc ? (unsigned)rc : k;
	}
}

/* Queues x to be asked for the rest of its window gap_us from now. */
static void pace_queue(struct tftp_worker *w, struct xfer *x, unsigned gap_us)
{
	x->paced = 1;
	x->due_us = now_us() + gap_us;
	x->pnext = NULL;
	x->pprev = w->ptail;
	if (w->ptail)
		w->ptail->pnext = x;
	else
		w->phead = x;
	w->ptail = x;
	if (w->phead == x)
		pace_arm(w);
}

static void after(struct tftp_worker *w, struct xfer *x, struct pxb_tftp_out *out,
		  pxb_ms_t now);

/* Sends what a session call produced. */
static void send_pkts(struct xfer *x, const struct pxb_tftp_out *out)
{
	if (out->npkts == 1) {
		/* Lock-step (or a resend of one block): one datagram. */
		while (tftp_sys_sendto(x->fd, out->pkts[0].data, out->pkts[0].len, &x->peer) < 0 &&
		       errno == EINTR)
			;
		return;
	}
	send_now(x, out->pkts, out->npkts);
}

static void pace_rx(struct tftp_worker *w)
{
	uint64_t ticks, now = now_us();

	if (read(w->pace_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	while (w->phead && w->phead->due_us <= now + 20) {
		struct xfer *x = w->phead;
		pxb_ms_t ms = now_ms();

		pace_unlink(w, x);
		if (pxb_tftp_session_send_more(x->s, ms, &w->out) == 0)
			after(w, x, &w->out, ms);
	}
	pace_arm(w);
}

/* ---- hand-over ---- */

static void wake(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Appends x to a hand-over queue; wakes the other side if it was empty. */
static void queue_push(struct tftp_worker *w, struct xfer **head, struct xfer **tail,
		       struct xfer *x, int fd)
{
	int first;

	x->qnext = NULL;
	pthread_mutex_lock(&w->mu);
	first = !*head;
	if (*tail)
		(*tail)->qnext = x;
	else
		*head = x;
	*tail = x;
	pthread_mutex_unlock(&w->mu);
	if (first)
		wake(fd);
}

/*
 * The client has acknowledged for the first time: its address is proven,
 * the loop moves the transfer out of the unacknowledged budget. Once per
 * transfer; it stays the worker's.
 */
static __attribute__((noinline)) void first_ack(struct tftp_worker *w, struct xfer *x)
{
	int first;

	x->preack = 0;
	x->anext = NULL;
	pthread_mutex_lock(&w->mu);
	first = !w->ack_head && !w->out_head;
	if (w->ack_tail)
		w->ack_tail->anext = x;
	else
		w->ack_head = x;
	w->ack_tail = x;
	pthread_mutex_unlock(&w->mu);
	if (first)
		wake(w->done_fd);
}

/* The transfer has ended: out of the worker, back to the loop. */
static void finish(struct tftp_worker *w, struct xfer *x, enum pxb_tftp_verdict v,
		   enum pxb_tftp_reason r, uint64_t block)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, x->fd, NULL);
	pace_unlink(w, x);
	heap_remove(w, x);
	x->verdict = v;
	x->reason = r;
	x->block = block;
	queue_push(w, &w->out_head, &w->out_tail, x, w->done_fd);
}

/*
 * Handles what a session call produced: send, then finish or re-arm, and
 * ask for the rest of a window when the engine says (now, or out->gap_us
 * later: the pacing queue).
 */
static void after(struct tftp_worker *w, struct xfer *x, struct pxb_tftp_out *out,
		  pxb_ms_t now)
{
	unsigned sent = 0;

	if (out->npkts)
		pace_unlink(w, x); /* new output: the rest of the window goes from it */
	while (out->npkts) {
		send_pkts(x, out);
		sent += out->npkts;
		if (!out->more || out->gap_us || pxb_tftp_session_send_more(x->s, now, out) < 0)
			break;
	}
	if (out->more && !x->paced && out->verdict == PXB_TFTP_RUNNING)
		pace_queue(w, x, out->gap_us);
	if (out->verdict != PXB_TFTP_RUNNING) {
		finish(w, x, out->verdict, out->reason, out->block);
		return;
	}
	if (out->deadline < x->armed && arm(w, x, out->deadline) < 0) {
		x->nomem = 1;
		finish(w, x, PXB_TFTP_FAILED, PXB_TFTP_REASON_NONE, out->block);
		return;
	}
	/* A window is out: read the next one while the client takes it in. */
	if (sent > 1)
		pxb_tftp_session_read_ahead(x->s);
}

/* Takes the transfers the loop handed over; returns 1 when told to stop. */
static int intake(struct tftp_worker *w)
{
	uint64_t n;
	struct xfer *x;
	int stop;

	if (read(w->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&w->mu);
	x = w->in_head;
	w->in_head = w->in_tail = NULL;
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	while (x) {
		struct xfer *nx = x->qnext;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = x};
		pxb_ms_t dl = x->armed;

		x->armed = PXB_MS_NEVER;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, x->fd, &ev) < 0 || arm(w, x, dl) < 0) {
			x->nomem = 1;
			finish(w, x, PXB_TFTP_FAILED, PXB_TFTP_REASON_NONE, 1);
		}
		x = nx;
	}
	return stop;
}

/*
 * Reads one datagram. The descriptor is watched level-triggered: if more
 * are waiting, epoll says so at once. In lock-step the next ACK cannot come
 * before the DATA just sent has been received, so trying to read a second
 * datagram would nearly always be a system call that finds nothing.
 */
static void rx(struct tftp_worker *w, struct xfer *x, pxb_ms_t *now)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pxb_tftp_out *out = &w->out;
	ssize_t n = tftp_sys_recvfrom(x->fd, w->rxbuf, sizeof(w->rxbuf), &from, &fl);
	int rc;

	if (n < 0)
		return;
	if (from.sin_addr.s_addr != x->peer.sin_addr.s_addr || from.sin_port != x->peer.sin_port) {
		/* RFC 1350 sec 4: a foreign TID gets error 5; the transfer goes on. */
		uint8_t e[64];
		int el = pxb_tftp_build_error(e, sizeof(e), PXB_TFTP_ERR_UNKNOWN_TID, NULL);
		if (el > 0)
			sendto(x->fd, e, (size_t)el, 0, (struct sockaddr *)&from, fl);
		return;
	}
	if (*now < 0)
		*now = now_ms(); /* once per wake-up: a burst takes microseconds */
	rc = pxb_tftp_session_input(x->s, w->rxbuf, (size_t)n, *now, out);
	if (x->preack && pxb_tftp_session_acked(x->s))
		first_ack(w, x);
	if (rc == 0 && out->npkts == 1 && !out->more && !x->paced &&
	    out->verdict == PXB_TFTP_RUNNING && out->deadline >= x->armed) {
		/* Lock-step: one block out, the timer already early enough. */
		while (tftp_sys_sendto(x->fd, out->pkts[0].data, out->pkts[0].len, &x->peer) < 0 &&
		       errno == EINTR)
			;
	} else if (rc == 0 || rc == PXB_ERR_PROTO) {
		after(w, x, out, *now);
	}
}

/* Fires the timers that are due. */
static void expire(struct tftp_worker *w, pxb_ms_t now)
{
	struct xfer *x;

	while ((x = heap_top(w)) && x->armed <= now) {
		struct pxb_tftp_out *out = &w->out;

		heap_remove(w, x); /* fired: a one-shot timer */
		if (pxb_tftp_session_timeout(x->s, now, out) == 0) {
			after(w, x, out, now);
		} else if (arm(w, x, out->deadline) < 0) {
			x->nomem = 1;
			finish(w, x, PXB_TFTP_FAILED, PXB_TFTP_REASON_NONE, out->block);
		}
	}
}

/*
 * Interrupt moderation, as a NIC's rx-usecs does it. When the thread is
 * quicker than its clients, every ACK is a wake-up of its own, and a
 * wake-up (the scheduler, in a VM a halt and an IPI) costs more than the
 * block it brings: in a 500-client storm a third of the thread's CPU time
 * was in finish_task_switch. With COALESCE_MIN or more transfers running,
 * the thread wakes at most once per tftp.coalesce_us and takes what has
 * gathered (a 500-client storm: CPU time -22%, the same wall time). A
 * datagram waits at most that long; a few transfers never wait, so one
 * client's lock-step round trip is not stretched.
 */
static void moderate(struct tftp_worker *w, uint64_t woke)
{
	uint64_t gap, us = __atomic_load_n(&w->coalesce_us, __ATOMIC_RELAXED);
	struct timespec ts = {0, 0};

	if (!us)
		return;
	gap = now_us() - woke;
	if (gap >= us)
		return;
	ts.tv_nsec = (long)(us - gap) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	__atomic_store_n(&w->moderated, w->moderated + 1, __ATOMIC_RELAXED);
}

static void *worker_main(void *arg)
{
	struct tftp_worker *w = arg;
	struct epoll_event evs[64];

	pxb_ms_t now = now_ms();
	uint64_t woke = 0;

	/* Sleeps end when asked, not up to 50 us later (the default slack):
	 * moderate()'s bound holds. */
	prctl(PR_SET_TIMERSLACK, 5000UL);
	for (;;) {
		struct xfer *top = heap_top(w);
		int timeout = -1, n;

		/* now is at most this turn's work old: microseconds, below the
		 * timers' millisecond resolution. */
		if (top) {
			pxb_ms_t d = top->armed - now;
			timeout = d <= 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		if (timeout != 0 && w->heap.n >= COALESCE_MIN)
			moderate(w, woke);
		n = tftp_sys_epoll_wait(w->ep, evs, 64, timeout);
		if (w->heap.n >= COALESCE_MIN)
			woke = now_us(); /* fewer: no clock read (lock-step's cost per block) */
		now = -1; /* read once per wake-up, when something needs it */
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &tag_wake) {
				if (intake(w))
					return NULL;
			} else if (p == &tag_pace) {
				pace_rx(w);
			} else {
				rx(w, p, &now);
			}
		}
		if (now < 0)
			now = now_ms();
		top = heap_top(w);
		if (top && top->armed <= now)
			expire(w, now);
	}
}

static int watch(struct tftp_worker *w, int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};

	return epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
}

int tftp_worker_start(struct tftp_worker *w)
{
	sigset_t all, old;
	int rc;

	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->pace_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->ep < 0 || w->wake_fd < 0 || w->done_fd < 0 || w->pace_fd < 0 ||
	    watch(w, w->wake_fd, &tag_wake) < 0 || watch(w, w->pace_fd, &tag_pace) < 0)
		goto fail;
	pthread_mutex_init(&w->mu, NULL);
	w->out.buf = w->obuf;
	w->out.cap = sizeof(w->obuf);
	/* Signals are the loop's (libevent's handlers): the thread blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&w->mu);
		errno = rc;
		goto fail;
	}
	w->started = 1;
	return 0;
fail:
	rc = errno;
	for (int *fd = &w->ep; fd <= &w->pace_fd; fd++)
		if (*fd >= 0)
			close(*fd);
	w->ep = w->wake_fd = w->done_fd = w->pace_fd = -1;
	errno = rc;
	return -1;
}

void tftp_worker_stop(struct tftp_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_mutex_unlock(&w->mu);
	wake(w->wake_fd);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	w->started = 0;
	close(w->ep);
	close(w->wake_fd);
	close(w->done_fd);
	close(w->pace_fd);
	free(w->heap.v);
	w->heap.v = NULL;
	w->heap.n = w->cap = 0;
	w->phead = w->ptail = NULL;
}

void tftp_worker_submit(struct tftp_worker *w, struct xfer *x)
{
	queue_push(w, &w->in_head, &w->in_tail, x, w->wake_fd);
}

struct xfer *tftp_worker_take(struct tftp_worker *w, struct xfer **acked)
{
	struct xfer *x;
	uint64_t n;

	*acked = NULL;
	if (read(w->done_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return NULL;
	pthread_mutex_lock(&w->mu);
	x = w->out_head;
	w->out_head = w->out_tail = NULL;
	*acked = w->ack_head;
	w->ack_head = w->ack_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	return x;
}
