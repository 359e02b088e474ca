/*
 * services.h - the drivers pxebootd knows (see services.c).
 */
#ifndef PXBD_SERVICES_H
#define PXBD_SERVICES_H

#include "daemon.h"

extern const struct pxbd_service pxbd_tftp_service;
extern const struct pxbd_service pxbd_dhcp_service;

/* NULL-terminated, in start order. */
extern const struct pxbd_service *const pxbd_services[];

#endif
