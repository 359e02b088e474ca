/*
 * vfs_path.h - path normalization for the file namespace (private).
 */
#ifndef PXB_VFS_PATH_H
#define PXB_VFS_PATH_H

#include <stddef.h>

/* Is path (normalized) equal to prefix or below it? Returns the rest or NULL. */
const char *pxb__vfs_under(const char *path, const char *prefix);

#endif
