/* Text normalization: written news text -> the words a news reader says (first stub).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "bobao.h"

static const char *const digit_names[10] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

int bb_normalize(const struct bb_text *in, struct bb_text *out, struct bb_error *err)
{
	for (size_t i = 0; i < in->len; i++) {
		unsigned char c = (unsigned char)in->s[i];
		struct bb_span sp = in->src ? in->src[i] : (struct bb_span){i, i + 1};
		int rc;
		if (c >= '0' && c <= '9')
			rc = bb_text_addc(out, digit_names[c - '0'], sp);
		else
			rc = bb_text_add(out, in->s + i, 1, sp);
		if (rc != BB_OK)
			return bb_fail(err, rc, "out of memory");
	}
	return BB_OK;
}
