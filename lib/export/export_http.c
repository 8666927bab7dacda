// SPDX-License-Identifier: MIT
/*
 * export_http: the one kind of HTTP request the exporter answers, parsed from the bytes a
 * client sent so far: a request line (GET or HEAD, a path, HTTP/1.0 or 1.1) and headers, of
 * which Accept (the exposition format) and X-Prometheus-Scrape-Timeout-Seconds matter. The
 * body, if any, is never read: every answer ends the connection.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nic2app/export.h"

/* RFC 9110 token characters, for the method and header names. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The length of the head, blank line included, or 0 when it has not ended yet. A bare LF
 * ends lines too, as RFC 9112 lets a server accept. */
static size_t head_length(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Whether what came so far can still become a request line: a token, then a space. Lets
 * garbage be refused at once instead of after the whole head limit. */
static bool plausible_start(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && is_tchar(buf[i]))
		i++;
	return i == len ? i < 16 : i > 0 && buf[i] == ' ';
}

static int parse_request_line(char *line, struct export_request *req)
{
	char *sp1 = strchr(line, ' '), *sp2, *path;
	size_t plen;

	if (!sp1 || sp1 == line)
		return -EBADMSG;
	for (char *c = line; c < sp1; c++)
		if (!is_tchar(*c))
			return -EBADMSG;
	path = sp1 + 1;
	sp2 = strchr(path, ' ');
	if (!sp2 || path[0] != '/' ||
	    (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0))
		return -EBADMSG;
	for (char *c = path; c < sp2; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return -EBADMSG;
	plen = strcspn(path, "?# ");
	if (plen == 8 && strncmp(path, "/metrics", 8) == 0)
		req->route = EXPORT_ROUTE_METRICS;
	else if (plen == 1)
		req->route = EXPORT_ROUTE_INDEX;
	else
		req->route = EXPORT_ROUTE_NOT_FOUND;
	*sp1 = '\0';
	if (strcmp(line, "HEAD") == 0)
		req->head = true;
	else if (strcmp(line, "GET") != 0)
		return -ENOSYS;
	return 0;
}

/* One "Name: value" line; the values that matter are kept. accept gathers every Accept
 * header, comma separated, as RFC 9110 lets repeated fields be joined. */
static int parse_header(char *line, struct export_request *req, char *accept, size_t size)
{
	char *colon = strchr(line, ':'), *v, *end;
	size_t used;

	if (!colon || colon == line)
		return -EBADMSG;
	for (char *c = line; c < colon; c++)
		if (!is_tchar(*c))
			return -EBADMSG; /* also refuses obsolete line folding */
	*colon = '\0';
	v = colon + 1;
	v += strspn(v, " \t");
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (strcasecmp(line, "Accept") == 0) {
		used = strlen(accept);
		if (used + 1 + strlen(v) + 1 <= size) {
			if (used)
				accept[used++] = ',';
			strcpy(accept + used, v);
		}
	} else if (strcasecmp(line, "X-Prometheus-Scrape-Timeout-Seconds") == 0) {
		double t = strtod(v, &end);

		if (end != v && !*end && isfinite(t) && t > 0)
			req->scrape_timeout_s = t;
	}
	return 0;
}

int export_request_parse(const char *buf, size_t len, struct export_request *req)
{
	char head[EXPORT_REQUEST_MOST + 1], accept[EXPORT_REQUEST_MOST] = "", *line, *next;
	size_t hlen = head_length(buf, len);
	bool first = true;
	int r;

	if (!hlen) {
		if (!plausible_start(buf, len))
			return -EBADMSG;
		return len >= EXPORT_REQUEST_MOST ? -EMSGSIZE : 0;
	}
	if (hlen > EXPORT_REQUEST_MOST)
		return -EMSGSIZE;
	memset(req, 0, sizeof(*req));
	req->length = hlen;
	memcpy(head, buf, hlen);
	head[hlen] = '\0';
	if (memchr(head, '\0', hlen))
		return -EBADMSG;
	for (line = head; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		if (next - line >= 2 && next[-2] == '\r')
			next[-2] = '\0';
		if (!*line)
			break; /* the blank line that ends the head */
		r = first ? parse_request_line(line, req) : parse_header(line, req, accept, sizeof(accept));
		if (r < 0)
			return r;
		first = false;
	}
	if (first)
		return -EBADMSG; /* no request line */
	req->format = export_format_for_accept(accept);
	return 1;
}
