/*
 * udp_recv.c - one datagram from a UDP socket together with the local
 * address it was sent to (IP_PKTINFO), for the drivers that answer from
 * that address (DHCP and TFTP on hosts with several addresses).
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon.h"

ssize_t pxbd_udp_recv(int fd, void *buf, size_t len, struct sockaddr_in *from,
		      struct in_addr *local)
{
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov = {buf, len};
	struct msghdr mh = {
		.msg_name = from, .msg_namelen = sizeof(*from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	ssize_t n = recvmsg(fd, &mh, 0);

	local->s_addr = 0;
	if (n < 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*local = pi.ipi_spec_dst;
		}
	return n;
}
