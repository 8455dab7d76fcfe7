/* Status codes and their messages. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>

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

int bb_fail(struct bb_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}
