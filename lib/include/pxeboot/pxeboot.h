/*
 * pxeboot/pxeboot.h - everything libpxeboot offers, in one include.
 */
#ifndef PXEBOOT_PXEBOOT_H
#define PXEBOOT_PXEBOOT_H

#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/vfs.h>
#include <pxeboot/plugin.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/lease.h>
#include <pxeboot/lease_store.h>
#include <pxeboot/tftp.h>
#include <pxeboot/boot.h>
#include <pxeboot/boot_layout.h>
#include <pxeboot/boot_menu_plugin.h>
#include <pxeboot/events.h>
#include <pxeboot/policy.h>
#include <pxeboot/install.h>

#endif
