/* Status codes and their messages. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bobao.h"

static const struct {
	int code;
	const char *name;
} status_names[] = {
	{BB_OK, "ok"},
	{BB_EUSAGE, "bad command line"},
	{BB_EDATA, "bad input data"},
	{BB_ENOINPUT, "cannot open input"},
	{BB_ESOFTWARE, "internal error"},
	{BB_ENOMEM, "out of memory"},
	{BB_ECANTCREAT, "cannot create output"},
	{BB_EIO, "input/output error"},
	{BB_ETEMPFAIL, "temporary failure, try again"},
	{BB_ECONFIG, "bad configuration"},
};

const char *bb_status_name(int code)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (status_names[i].code == code)
			return status_names[i].name;
	return "unknown error";
}

size_t bb_escape(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!size)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[5] = {(char)c, 0};
		if (c == '\n' || c == '\r' || c == '\t')
			e[0] = '\\', e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		else if (c < 0x20 || c == 0x7f)
			e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15];
		size_t n = strlen(e);
		if (o + n >= size)
			break; /* cut whole: never half an escape */
		memcpy(out + o, e, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

int bb_fail(struct bb_error *err, int code, const char *fmt, ...)
{
	if (err) {
		char raw[sizeof err->msg];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof raw, fmt, ap);
		va_end(ap);
		bb_escape(raw, err->msg, sizeof err->msg); /* a path with a newline stays one line */
		err->code = code;
	}
	return code;
}
