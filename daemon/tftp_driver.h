/*
 * tftp_driver.h - what the TFTP driver's two halves share: the transfer
 * record, the driver's state, and the worker's interface.
 *
 * tftp_driver.c runs on the daemon's loop: the listening socket, requests,
 * opening files, limits, and everything said about a transfer (log lines,
 * events, metrics) when it starts and when it ends. tftp_worker.c runs the
 * transfers in between on a thread of its own (why: tftp_worker.c).
 *
 * A transfer belongs to the loop until tftp_worker_submit(), to the worker
 * until the worker hands it back (tftp_worker_take()), and to the loop
 * again from then on. Neither side touches the other's fields.
 */
#ifndef PXBD_TFTP_DRIVER_H
#define PXBD_TFTP_DRIVER_H

#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pxeboot/idxheap.h>
#include <pxeboot/tftp.h>
#include <pxeboot/vfs.h>
#include "daemon.h"
#include "rawsys.h"

/* include/uapi/linux/udp.h; glibc's netinet/udp.h has it from 2.28 on. */
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

struct tftp;

struct xfer {
	struct tftp *t;
	/* loop: the list of open transfers (limits, stop) */
	struct xfer *prev, *next;
	/* the hand-over queues between the loop and the worker */
	struct xfer *qnext;
	int fd;
	struct sockaddr_in peer;
	/* worker: windows may leave as segmented writes (tftp_worker.c); how
	 * many did, and the error that ended them for this transfer */
	int gso, gso_err;
	unsigned gso_writes;
	struct pxb_tftp_session *s;
	struct pxb_file file;
	pxb_ms_t started;
	/* worker: the rest of a window waiting for its chunk's turn (the
	 * engine says when: pxb_tftp_out.more, gap_us) */
	int paced;
	uint64_t due_us;
	struct xfer *pprev, *pnext; /* in the pacing queue while paced */
	/* worker: the timer, a place in its deadline heap */
	pxb_ms_t armed; /* when it fires; PXB_MS_NEVER: not in the heap */
	unsigned hidx;
	/* worker, then loop: how the transfer ended */
	enum pxb_tftp_verdict verdict;
	enum pxb_tftp_reason reason;
	uint64_t block;
	int nomem;
	/* loop: admitted as unacknowledged (pxb_tftp_admit) and not released
	 * yet, with the bytes charged to its source */
	int unacked;
	uint64_t charged;
	/* worker: no ACK seen yet; once one is, the transfer goes on the
	 * acknowledged queue (linked by anext) so the loop releases it */
	int preack;
	struct xfer *anext;
	/* The name as requested, its own length: a boot storm holds hundreds
	 * of transfers, and names are short next to PXB_TFTP_FILENAME_MAX. */
	char name[];
};

struct tftp_worker {
	pthread_t thread;
	int started;
	int ep;      /* epoll: transfer sockets, wake_fd, pace_fd */
	int wake_fd; /* eventfd: the loop has transfers (or a stop) for the worker */
	int done_fd; /* eventfd: the worker has ended transfers for the loop */
	int pace_fd; /* timerfd: the next paced chunk */
	pthread_mutex_t mu; /* guards the queues and stop */
	struct xfer *in_head, *in_tail, *out_head, *out_tail;
	struct xfer *ack_head, *ack_tail; /* first ACK seen (linked by anext) */
	int stop;
	unsigned coalesce_us; /* tftp.coalesce_us: the loop writes, the worker reads (atomic) */
	uint64_t moderated;   /* wake-ups moderate() delayed: the worker writes (atomic) */
	/* worker only */
	struct pxb_idxheap heap; /* of struct xfer, by armed (pxeboot/idxheap.h) */
	unsigned cap;
	struct xfer *phead, *ptail; /* chunks waiting, in due order */
	uint8_t rxbuf[PXB_TFTP_MAX_BLKSIZE + 4];
	uint8_t obuf[PXB_TFTP_OUT_SIZE]; /* where the sessions write their packets */
	struct pxb_tftp_out out;         /* every session call's, buf = obuf */
};

/* Starts the thread. Returns 0, or -1 with errno set. */
int tftp_worker_start(struct tftp_worker *w);

/* Stops and joins the thread; transfers it held are left for the caller. */
void tftp_worker_stop(struct tftp_worker *w);

/* Loop: hands over a transfer whose first packet has been sent; it fires
 * at x->armed. */
void tftp_worker_submit(struct tftp_worker *w, struct xfer *x);

/* Loop: the transfers the worker has ended (linked by qnext), oldest first;
 * *acked: those that got their first ACK since the last call (linked by
 * anext), taken at the same time, so a transfer on both lists is on *acked
 * first: handle *acked before freeing the ended ones. */
struct xfer *tftp_worker_take(struct tftp_worker *w, struct xfer **acked);

#endif
