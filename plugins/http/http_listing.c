/*
 * http_listing.c - HTML indexes of directories, only under the prefixes
 * named in http.listing. Names are HTML-escaped in the text and
 * percent-encoded in the links; entries come sorted by name from the file
 * namespace, directories marked with a trailing '/', sizes in bytes.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "http_internal.h"

int http_listing_enabled(const struct http *s, const char *path)
{
	for (unsigned i = 0; i < s->nlisting; i++) {
		const char *p = s->listing[i];
		size_t pl = strlen(p);

		if (pl == 1 && p[0] == '/')
			return 1;
		if (strncmp(path, p, pl) == 0 && (path[pl] == '\0' || path[pl] == '/'))
			return 1;
	}
	return 0;
}

static void entry(void *arg, const struct pxb_dirent *e)
{
	struct http_buf *b = arg;
	const char *slash = e->is_dir ? "/" : "";
	char when[32] = "-";
	time_t t = (time_t)e->mtime;
	struct tm tm;

	if (e->mtime > 0 && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm); /* digits only: no locale */
	http_buf_str(b, "<tr><td><a href=\"");
	http_buf_url(b, e->name);
	http_buf_str(b, slash);
	http_buf_str(b, "\">");
	http_buf_html(b, e->name);
	http_buf_str(b, slash);
	http_buf_str(b, "</a></td><td align=\"right\">");
	if (e->is_dir)
		http_buf_str(b, "-");
	else
		http_buf_printf(b, "%" PRIu64, e->size);
	http_buf_printf(b, "</td><td>%s</td></tr>\n", when);
}

struct MHD_Response *http_listing(struct http *s, const char *path, uint64_t *bytes)
{
	struct http_buf b = {0};
	struct MHD_Response *r;
	const char *slash = strcmp(path, "/") == 0 ? "" : "/";

	http_buf_str(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
	http_buf_html(&b, path);
	http_buf_str(&b, slash);
	http_buf_str(&b, "</title></head>\n<body><h1>Index of ");
	http_buf_html(&b, path);
	http_buf_str(&b, slash);
	http_buf_str(&b, "</h1>\n<table>\n<tr><th align=\"left\">Name</th><th>Size</th>"
			 "<th align=\"left\">Modified (UTC)</th></tr>\n");
	if (*slash)
		http_buf_str(&b, "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
	if (pxb_vfs_list(s->vfs, path, PXB_VFS_HTTP, entry, &b) < 0 || b.failed) {
		free(b.p);
		return NULL;
	}
	http_buf_str(&b, "</table>\n</body></html>\n");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	r = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(b.p);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	*bytes = b.len;
	return r;
}
