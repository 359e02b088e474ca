/*
 * services.c - the protocol drivers pxebootd runs, in start order.
 */
#include "config.h"

#include "daemon.h"
#include "services.h"

const struct pxbd_service *const pxbd_services[] = {
	&pxbd_policy_service, /* before DHCP: its gate reads the policy */
	&pxbd_tftp_service,
	&pxbd_dhcp_service,
	NULL,
};
