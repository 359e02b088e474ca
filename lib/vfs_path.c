/*
 * vfs_path.c - turning what a client asked for into a safe, canonical path.
 *
 * Clients send paths in many shapes: GRUB "/grub/grub.cfg", PXELINUX
 * "pxelinux.cfg/01-aa-bb-..", Windows-era PXE "\boot\x86\wdsnbp.com". All
 * become "/a/b". Nothing here touches the disk; vfs.c then opens the result
 * beneath a directory descriptor so symlinks cannot leave the root either.
 */
#include "config.h"

#include <string.h>

#include <pxeboot/vfs.h>
#include "internal.h"
#include "vfs_path.h"

int pxb_vfs_normalize(const char *in, size_t inlen, char *out, size_t outlen)
{
	size_t o = 0, i = 0;

	if (outlen < 2)
		return PXB_ERR_TOOBIG;
	if (inlen > PXB_VFS_PATH_MAX)
		return PXB_ERR_TOOBIG;
	out[o++] = '/';
	while (i < inlen) {
		size_t start, clen;

		while (i < inlen && (in[i] == '/' || in[i] == '\\'))
			i++;
		start = i;
		while (i < inlen && in[i] != '/' && in[i] != '\\') {
			unsigned char ch = (unsigned char)in[i];
			/* NUL and control characters are never part of a real name. */
			if (ch < 0x20 || ch == 0x7f)
				return PXB_ERR_ACCESS;
			i++;
		}
		clen = i - start;
		if (clen == 0)
			break;
		if (clen > 255)
			return PXB_ERR_TOOBIG;
		if (clen == 1 && in[start] == '.')
			continue;
		if (clen == 2 && in[start] == '.' && in[start + 1] == '.') {
			/* ".." pops one component; above the root is refused, not clamped. */
			if (o == 1)
				return PXB_ERR_ACCESS;
			o--; /* drop the trailing '/' */
			while (o > 0 && out[o - 1] != '/')
				o--;
			continue;
		}
		if (o + clen + 1 >= outlen)
			return PXB_ERR_TOOBIG;
		memcpy(out + o, in + start, clen);
		o += clen;
		out[o++] = '/';
	}
	if (o > 1)
		o--; /* no trailing '/' except for the root itself */
	out[o] = '\0';
	return 0;
}

const char *pxb__vfs_under(const char *path, const char *prefix)
{
	size_t pl = strlen(prefix);

	if (pl == 1 && prefix[0] == '/')
		return path + 1;
	if (strncmp(path, prefix, pl) != 0)
		return NULL;
	if (path[pl] == '\0')
		return path + pl;
	if (path[pl] == '/')
		return path + pl + 1;
	return NULL;
}
