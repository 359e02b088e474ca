/*
 * services.h - the drivers pxebootd knows (see services.c).
 */
#ifndef PXBD_SERVICES_H
#define PXBD_SERVICES_H

#include "daemon.h"

/* NULL-terminated, in start order. */
extern const struct pxbd_service *const pxbd_services[];

#endif
