/*
 * services.h - the drivers pxebootd knows (see services.c).
 */
#ifndef PXBD_SERVICES_H
#define PXBD_SERVICES_H

#include "daemon.h"

extern const struct pxbd_service pxbd_tftp_service;
extern const struct pxbd_service pxbd_dhcp_service;
extern const struct pxbd_service pxbd_policy_service;

/* The DHCP engine's gate: may this client boot? (policy_driver.c; arg: the host) */
const char *pxbd_policy_gate(void *arg, const struct pxb_client *c, int64_t now);

/* NULL-terminated, in start order. */
extern const struct pxbd_service *const pxbd_services[];

#endif
